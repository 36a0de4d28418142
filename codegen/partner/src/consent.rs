//! What a data-sharing consent asks for: the permission strings of Open Finance Brasil (the
//! partner document's [`Permission`]), grouped in the categories users are shown, and the
//! request that creates the consent.

use crate::api::types::{
    BusinessEntity, CreateConsentData, CreateConsentRequest, Document, DocumentRel, LoggedUser,
    Permission,
};
use ofb_runtime::DateTime;

/// A user-facing group of permissions, as the partner's reference maps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Customer data of a natural person.
    CustomersPersonal,
    /// Customer data of a legal entity.
    CustomersBusiness,
    /// Checking and savings accounts.
    Accounts,
    /// Credit card accounts.
    CreditCards,
    /// Invoice financings.
    InvoiceFinancings,
    /// Financings.
    Financings,
    /// Loans.
    Loans,
    /// Unarranged account overdraft.
    UnarrangedOverdraft,
    /// Bank fixed incomes.
    BankFixedIncomes,
    /// Credit fixed incomes.
    CreditFixedIncomes,
    /// Variable incomes.
    VariableIncomes,
    /// Treasury titles.
    TreasureTitles,
    /// Investment funds.
    Funds,
    /// Foreign exchange operations.
    Exchanges,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 14] = [
        Category::CustomersPersonal,
        Category::CustomersBusiness,
        Category::Accounts,
        Category::CreditCards,
        Category::InvoiceFinancings,
        Category::Financings,
        Category::Loans,
        Category::UnarrangedOverdraft,
        Category::BankFixedIncomes,
        Category::CreditFixedIncomes,
        Category::VariableIncomes,
        Category::TreasureTitles,
        Category::Funds,
        Category::Exchanges,
    ];

    /// The permissions to request for this category.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission as P;
        match self {
            Category::CustomersPersonal => &[
                P::CustomersPersonalIdentificationsRead,
                P::CustomersPersonalAdittionalinfoRead,
            ],
            Category::CustomersBusiness => &[
                P::CustomersBusinessIdentificationsRead,
                P::CustomersBusinessAdittionalinfoRead,
            ],
            Category::Accounts => &[
                P::AccountsRead,
                P::AccountsBalancesRead,
                P::AccountsTransactionsRead,
                P::AccountsOverdraftLimitsRead,
            ],
            Category::CreditCards => &[
                P::CreditCardsAccountsRead,
                P::CreditCardsAccountsBillsRead,
                P::CreditCardsAccountsBillsTransactionsRead,
                P::CreditCardsAccountsLimitsRead,
                P::CreditCardsAccountsTransactionsRead,
            ],
            Category::InvoiceFinancings => &[
                P::InvoiceFinancingsRead,
                P::InvoiceFinancingsPaymentsRead,
                P::InvoiceFinancingsScheduledInstalmentsRead,
                P::InvoiceFinancingsWarrantiesRead,
            ],
            Category::Financings => &[
                P::FinancingsRead,
                P::FinancingsPaymentsRead,
                P::FinancingsScheduledInstalmentsRead,
                P::FinancingsWarrantiesRead,
            ],
            Category::Loans => &[
                P::LoansRead,
                P::LoansPaymentsRead,
                P::LoansScheduledInstalmentsRead,
                P::LoansWarrantiesRead,
            ],
            Category::UnarrangedOverdraft => &[
                P::UnarrangedAccountsOverdraftRead,
                P::UnarrangedAccountsOverdraftPaymentsRead,
                P::UnarrangedAccountsOverdraftScheduledInstalmentsRead,
                P::UnarrangedAccountsOverdraftWarrantiesRead,
            ],
            Category::BankFixedIncomes => &[P::BankFixedIncomesRead],
            Category::CreditFixedIncomes => &[P::CreditFixedIncomesRead],
            Category::VariableIncomes => &[P::VariableIncomesRead],
            Category::TreasureTitles => &[P::TreasureTitlesRead],
            Category::Funds => &[P::FundsRead],
            Category::Exchanges => &[P::ExchangesRead],
        }
    }
}

/// The permissions of `categories`, each once, in a fixed order, with `RESOURCES_READ`, which a
/// data-sharing consent always includes.
pub fn permissions(categories: &[Category]) -> Vec<Permission> {
    let mut out: Vec<Permission> = categories
        .iter()
        .flat_map(|c| c.permissions().iter().cloned())
        .chain([Permission::ResourcesRead])
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The logged user's document: the seed lets the end user be a person (CPF, 11 digits) or a
/// company (CNPJ, 14 digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserDocument {
    /// A natural person's CPF, digits only.
    Cpf(String),
    /// A company's CNPJ, digits only.
    Cnpj(String),
}

impl UserDocument {
    /// The document of `digits`: a CPF when it has 11 digits, a CNPJ when it has 14; `None`
    /// for anything else (punctuation included: the partner takes digits only).
    pub fn from_digits(digits: &str) -> Option<Self> {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match digits.len() {
            11 => Some(UserDocument::Cpf(digits.to_owned())),
            14 => Some(UserDocument::Cnpj(digits.to_owned())),
            _ => None,
        }
    }

    fn into_document(self) -> Document {
        match self {
            UserDocument::Cpf(identification) => Document {
                identification,
                rel: DocumentRel::Cpf,
            },
            UserDocument::Cnpj(identification) => Document {
                identification,
                rel: DocumentRel::Cnpj,
            },
        }
    }
}

/// A data-sharing consent to create: who, for which categories, until when, and where the
/// bank sends the user back.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentRequest {
    callback_application_uri: String,
    user: UserDocument,
    cnpj: Option<String>,
    categories: Vec<Category>,
    expiration: DateTime,
}

impl ConsentRequest {
    /// A consent for the logged user with document `user` (a person's CPF or a company's
    /// CNPJ), expiring at `expiration`, returning the user to `callback_application_uri`; add
    /// categories with [`ConsentRequest::category`].
    pub fn new(
        callback_application_uri: impl Into<String>,
        user: UserDocument,
        expiration: DateTime,
    ) -> Self {
        ConsentRequest {
            callback_application_uri: callback_application_uri.into(),
            user,
            cnpj: None,
            categories: Vec::new(),
            expiration,
        }
    }

    /// Asks for `category` too.
    pub fn category(mut self, category: Category) -> Self {
        self.categories.push(category);
        self
    }

    /// The user (a person, by CPF) acts for the company with CNPJ `cnpj`.
    pub fn business(mut self, cnpj: impl Into<String>) -> Self {
        self.cnpj = Some(cnpj.into());
        self
    }

    /// The permissions it asks for.
    pub fn permissions(&self) -> Vec<Permission> {
        permissions(&self.categories)
    }

    /// The body of `POST /consent-management/v1/consents`.
    pub fn into_body(self) -> CreateConsentRequest {
        let permissions = self.permissions();
        CreateConsentRequest {
            data: CreateConsentData {
                callback_application_uri: self.callback_application_uri,
                logged_user: LoggedUser {
                    document: self.user.into_document(),
                },
                business_entity: self.cnpj.map(|identification| BusinessEntity {
                    document: Document {
                        identification,
                        rel: DocumentRel::Cnpj,
                    },
                }),
                permissions,
                expiration_date_time: self.expiration,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_maps_to_known_permissions_and_resources_is_always_asked() {
        for c in Category::ALL {
            assert!(!c.permissions().is_empty(), "{c:?}");
            assert!(
                c.permissions()
                    .iter()
                    .all(|p| !matches!(p, Permission::Unknown(_))),
                "{c:?}"
            );
        }
        let p = permissions(&[Category::Accounts, Category::Accounts]);
        assert_eq!(
            p.len(),
            5,
            "four account permissions, once, and RESOURCES_READ"
        );
        assert!(p.contains(&Permission::ResourcesRead));
        assert_eq!(permissions(&[]), [Permission::ResourcesRead]);
        let all: Vec<Permission> = permissions(&Category::ALL);
        assert_eq!(
            all.len(),
            Permission::VALUES.len(),
            "the categories cover every permission"
        );
    }

    #[test]
    fn the_wire_strings_are_the_regulated_ones() {
        assert_eq!(
            Permission::AccountsTransactionsRead.as_str(),
            "ACCOUNTS_TRANSACTIONS_READ"
        );
        assert_eq!(
            Permission::from_wire("CUSTOMERS_PERSONAL_ADITTIONALINFO_READ"),
            Permission::CustomersPersonalAdittionalinfoRead
        );
    }

    #[test]
    fn the_body_carries_the_user_and_company() {
        let expiry: DateTime = "2026-07-29T16:34:27Z".parse().expect("a date-time");
        let body = ConsentRequest::new(
            "https://app.example/consent/callback",
            UserDocument::Cpf(String::from("12345678901")),
            expiry,
        )
        .category(Category::Accounts)
        .business("12345678000190")
        .into_body();
        assert_eq!(body.data.logged_user.document.rel, DocumentRel::Cpf);
        let company = body.data.business_entity.expect("a company");
        assert_eq!(company.document.identification, "12345678000190");
        assert!(ofb_runtime::Validate::validate(&body.data.permissions).is_ok());
    }

    #[test]
    fn a_company_can_be_the_logged_user() {
        let expiry: DateTime = "2026-07-29T16:34:27Z".parse().expect("a date-time");
        let user = UserDocument::from_digits("12345678000190").expect("a CNPJ");
        let body = ConsentRequest::new("https://app.example/cb", user, expiry)
            .category(Category::Accounts)
            .into_body();
        assert_eq!(body.data.logged_user.document.rel, DocumentRel::Cnpj);
        assert_eq!(
            body.data.logged_user.document.identification,
            "12345678000190"
        );
        assert!(body.data.business_entity.is_none());
        assert!(ofb_runtime::Validate::validate(&body).is_ok());
    }

    #[test]
    fn documents_are_told_apart_by_their_digits() {
        assert_eq!(
            UserDocument::from_digits("12345678901"),
            Some(UserDocument::Cpf(String::from("12345678901")))
        );
        assert!(matches!(
            UserDocument::from_digits("12345678000190"),
            Some(UserDocument::Cnpj(_))
        ));
        for bad in ["123", "123.456.789-01", "1234567890123", ""] {
            assert_eq!(UserDocument::from_digits(bad), None, "{bad:?}");
        }
    }
}
