//! The three families' traits, implemented on the store: each operation reads its customer (the
//! consent's logged user), its resource and its page from the typed request, makes one query
//! and answers the document's type. No HTTP in sight: the generated routers do that.

use crate::answer::{self, discovered, list, one, Error};
use crate::store::{Query, Store};
use ofb_integration_accounts_v3 as accounts;
use ofb_integration_credit_cards_v2 as cards;
use ofb_integration_customers_v3 as customers;
use ofb_runtime::server::{Context, Failure};

/// The reference institution: its store, shared by every family.
#[derive(Debug, Clone)]
pub struct Institution {
    store: Store,
}

impl Institution {
    /// An institution answering from `store`.
    pub fn new(store: Store) -> Self {
        Institution { store }
    }
}

/// The customer a call is for: the consent's logged user.
macro_rules! owner {
    ($body:expr) => {
        $body.consent.logged_user.document.identification.as_str()
    };
}

/// The internal id of a resource, from its legacy id (`[{key, value}]`).
macro_rules! legacy {
    ($ids:expr) => {
        $ids.first().map_or("", |id| id.value.as_str())
    };
}

/// The page asked for: page number and size, 25 by default as in the regulated documents.
macro_rules! paging {
    ($body:expr) => {
        (
            $body.page.unwrap_or(1).max(1) as u32,
            $body.page_size.unwrap_or(25).clamp(1, 1000) as u32,
        )
    };
}

impl Institution {
    fn query<'a>(
        family: &'static str,
        kind: &'static str,
        owner: &'a str,
        resource: Option<&'a str>,
    ) -> Query<'a> {
        Query {
            family,
            kind,
            owner,
            resource,
            from: None,
            to: None,
        }
    }

    /// Every record of a kind for one customer, as one page (discovery: all of them).
    async fn all(
        &self,
        family: &'static str,
        kind: &'static str,
        owner: &str,
    ) -> Result<crate::store::Page, Error> {
        Ok(self
            .store
            .page(&Self::query(family, kind, owner, None), 1, 1000)
            .await?)
    }
}

impl accounts::server::Accounts for Institution {
    type Error = Error;

    async fn discover_accounts(
        &self,
        r: accounts::operations::DiscoverAccountsRequest,
        _: Context,
    ) -> Result<accounts::operations::DiscoverAccountsResponse, Error> {
        let page = self.all("accounts", "discovery", owner!(r.body)).await?;
        Ok(accounts::operations::DiscoverAccountsResponse::Ok(
            discovered(&page)?,
        ))
    }

    async fn accounts_get_accounts(
        &self,
        r: accounts::operations::AccountsGetAccountsRequest,
        _: Context,
    ) -> Result<accounts::operations::AccountsGetAccountsResponse, Error> {
        let (page, size) = paging!(r.body);
        let q = Self::query("accounts", "account", owner!(r.body), None);
        let page = self.store.page(&q, page, size).await?;
        Ok(accounts::operations::AccountsGetAccountsResponse::Ok(list(
            &page,
        )?))
    }

    async fn accounts_get_accounts_account_id(
        &self,
        r: accounts::operations::AccountsGetAccountsAccountIdRequest,
        _: Context,
    ) -> Result<accounts::operations::AccountsGetAccountsAccountIdResponse, Error> {
        let q = Self::query(
            "accounts",
            "identification",
            owner!(r.body),
            Some(legacy!(r.body.account_id)),
        );
        let found = self.store.one(&q).await?;
        Ok(accounts::operations::AccountsGetAccountsAccountIdResponse::Ok(one(found, "account")?))
    }

    async fn accounts_get_accounts_account_id_balances(
        &self,
        r: accounts::operations::AccountsGetAccountsAccountIdBalancesRequest,
        _: Context,
    ) -> Result<accounts::operations::AccountsGetAccountsAccountIdBalancesResponse, Error> {
        let q = Self::query(
            "accounts",
            "balances",
            owner!(r.body),
            Some(legacy!(r.body.account_id)),
        );
        let found = self.store.one(&q).await?;
        Ok(
            accounts::operations::AccountsGetAccountsAccountIdBalancesResponse::Ok(one(
                found, "account",
            )?),
        )
    }

    async fn accounts_get_accounts_account_id_transactions(
        &self,
        r: accounts::operations::AccountsGetAccountsAccountIdTransactionsRequest,
        _: Context,
    ) -> Result<accounts::operations::AccountsGetAccountsAccountIdTransactionsResponse, Error> {
        let b = &r.body;
        let (page, size) = paging!(b);
        let q = Query {
            from: b.from_booking_date.as_ref().map(|d| d.as_str()),
            to: b.to_booking_date.as_ref().map(|d| d.as_str()),
            ..Self::query(
                "accounts",
                "transaction",
                owner!(b),
                Some(legacy!(b.account_id)),
            )
        };
        let page = self.store.page(&q, page, size).await?;
        Ok(
            accounts::operations::AccountsGetAccountsAccountIdTransactionsResponse::Ok(list(
                &page,
            )?),
        )
    }

    async fn accounts_get_accounts_account_id_transactions_current(
        &self,
        r: accounts::operations::AccountsGetAccountsAccountIdTransactionsCurrentRequest,
        _: Context,
    ) -> Result<accounts::operations::AccountsGetAccountsAccountIdTransactionsCurrentResponse, Error>
    {
        let b = &r.body;
        let (page, size) = paging!(b);
        let q = Query {
            from: b.from_booking_date.as_ref().map(|d| d.as_str()),
            to: b.to_booking_date.as_ref().map(|d| d.as_str()),
            ..Self::query(
                "accounts",
                "transaction",
                owner!(b),
                Some(legacy!(b.account_id)),
            )
        };
        let page = self.store.page(&q, page, size).await?;
        Ok(
            accounts::operations::AccountsGetAccountsAccountIdTransactionsCurrentResponse::Ok(
                list(&page)?,
            ),
        )
    }

    async fn accounts_get_accounts_account_id_overdraft_limits(
        &self,
        r: accounts::operations::AccountsGetAccountsAccountIdOverdraftLimitsRequest,
        _: Context,
    ) -> Result<accounts::operations::AccountsGetAccountsAccountIdOverdraftLimitsResponse, Error>
    {
        let q = Self::query(
            "accounts",
            "overdraft-limits",
            owner!(r.body),
            Some(legacy!(r.body.account_id)),
        );
        let found = self.store.one(&q).await?;
        Ok(
            accounts::operations::AccountsGetAccountsAccountIdOverdraftLimitsResponse::Ok(one(
                found, "account",
            )?),
        )
    }

    fn on_error(&self, error: Error, context: &Context) -> Failure {
        answer::on_error(error, context)
    }
}

impl cards::server::CreditCards for Institution {
    type Error = Error;

    async fn discover_credit_card_accounts(
        &self,
        r: cards::operations::DiscoverCreditCardAccountsRequest,
        _: Context,
    ) -> Result<cards::operations::DiscoverCreditCardAccountsResponse, Error> {
        let page = self
            .all("credit-cards", "discovery", owner!(r.body))
            .await?;
        Ok(cards::operations::DiscoverCreditCardAccountsResponse::Ok(
            discovered(&page)?,
        ))
    }

    async fn credit_cards_get_accounts(
        &self,
        r: cards::operations::CreditCardsGetAccountsRequest,
        _: Context,
    ) -> Result<cards::operations::CreditCardsGetAccountsResponse, Error> {
        let (page, size) = paging!(r.body);
        let q = Self::query("credit-cards", "account", owner!(r.body), None);
        let page = self.store.page(&q, page, size).await?;
        Ok(cards::operations::CreditCardsGetAccountsResponse::Ok(list(
            &page,
        )?))
    }

    async fn credit_cards_get_accounts_credit_card_account_id(
        &self,
        r: cards::operations::CreditCardsGetAccountsCreditCardAccountIdRequest,
        _: Context,
    ) -> Result<cards::operations::CreditCardsGetAccountsCreditCardAccountIdResponse, Error> {
        let id = legacy!(r.body.credit_card_account_id);
        let found = self
            .store
            .one(&Self::query(
                "credit-cards",
                "identification",
                owner!(r.body),
                Some(id),
            ))
            .await?;
        Ok(
            cards::operations::CreditCardsGetAccountsCreditCardAccountIdResponse::Ok(one(
                found,
                "credit card account",
            )?),
        )
    }

    async fn credit_cards_get_accounts_credit_card_account_id_bills(
        &self,
        r: cards::operations::CreditCardsGetAccountsCreditCardAccountIdBillsRequest,
        _: Context,
    ) -> Result<cards::operations::CreditCardsGetAccountsCreditCardAccountIdBillsResponse, Error>
    {
        let b = &r.body;
        let (page, size) = paging!(b);
        let q = Query {
            from: b.from_due_date.as_ref().map(|d| d.as_str()),
            to: b.to_due_date.as_ref().map(|d| d.as_str()),
            ..Self::query(
                "credit-cards",
                "bill",
                owner!(b),
                Some(legacy!(b.credit_card_account_id)),
            )
        };
        let page = self.store.page(&q, page, size).await?;
        Ok(
            cards::operations::CreditCardsGetAccountsCreditCardAccountIdBillsResponse::Ok(list(
                &page,
            )?),
        )
    }

    async fn credit_cards_get_accounts_credit_card_account_id_bills_bill_id_transactions(
        &self,
        r: cards::operations::CreditCardsGetAccountsCreditCardAccountIdBillsBillIdTransactionsRequest,
        _: Context,
    ) -> Result<
        cards::operations::CreditCardsGetAccountsCreditCardAccountIdBillsBillIdTransactionsResponse,
        Error,
    > {
        let b = &r.body;
        let (page, size) = paging!(b);
        let q = Query {
            from: b.from_transaction_date.as_ref().map(|d| d.as_str()),
            to: b.to_transaction_date.as_ref().map(|d| d.as_str()),
            ..Self::query(
                "credit-cards",
                "bill-transaction",
                owner!(b),
                Some(legacy!(b.bill_id)),
            )
        };
        let page = self.store.page(&q, page, size).await?;
        Ok(cards::operations::CreditCardsGetAccountsCreditCardAccountIdBillsBillIdTransactionsResponse::Ok(list(&page)?))
    }

    async fn credit_cards_get_accounts_credit_card_account_id_limits(
        &self,
        r: cards::operations::CreditCardsGetAccountsCreditCardAccountIdLimitsRequest,
        _: Context,
    ) -> Result<cards::operations::CreditCardsGetAccountsCreditCardAccountIdLimitsResponse, Error>
    {
        let q = Self::query(
            "credit-cards",
            "limit",
            owner!(r.body),
            Some(legacy!(r.body.credit_card_account_id)),
        );
        let page = self.store.page(&q, 1, 1000).await?;
        if page.bodies.is_empty() {
            return Err(Error::NotFound("credit card account"));
        }
        Ok(
            cards::operations::CreditCardsGetAccountsCreditCardAccountIdLimitsResponse::Ok(list(
                &page,
            )?),
        )
    }

    async fn credit_cards_get_accounts_credit_card_account_id_transactions(
        &self,
        r: cards::operations::CreditCardsGetAccountsCreditCardAccountIdTransactionsRequest,
        _: Context,
    ) -> Result<
        cards::operations::CreditCardsGetAccountsCreditCardAccountIdTransactionsResponse,
        Error,
    > {
        let b = &r.body;
        let (page, size) = paging!(b);
        let q = Query {
            from: b.from_transaction_date.as_ref().map(|d| d.as_str()),
            to: b.to_transaction_date.as_ref().map(|d| d.as_str()),
            ..Self::query(
                "credit-cards",
                "transaction",
                owner!(b),
                Some(legacy!(b.credit_card_account_id)),
            )
        };
        let page = self.store.page(&q, page, size).await?;
        Ok(
            cards::operations::CreditCardsGetAccountsCreditCardAccountIdTransactionsResponse::Ok(
                list(&page)?,
            ),
        )
    }

    async fn credit_cards_get_accounts_credit_card_account_id_transactions_current(
        &self,
        r: cards::operations::CreditCardsGetAccountsCreditCardAccountIdTransactionsCurrentRequest,
        _: Context,
    ) -> Result<
        cards::operations::CreditCardsGetAccountsCreditCardAccountIdTransactionsCurrentResponse,
        Error,
    > {
        let b = &r.body;
        let (page, size) = paging!(b);
        let q = Query {
            from: b.from_transaction_date.as_ref().map(|d| d.as_str()),
            to: b.to_transaction_date.as_ref().map(|d| d.as_str()),
            ..Self::query(
                "credit-cards",
                "transaction",
                owner!(b),
                Some(legacy!(b.credit_card_account_id)),
            )
        };
        let page = self.store.page(&q, page, size).await?;
        Ok(cards::operations::CreditCardsGetAccountsCreditCardAccountIdTransactionsCurrentResponse::Ok(list(&page)?))
    }

    fn on_error(&self, error: Error, context: &Context) -> Failure {
        answer::on_error(error, context)
    }
}

impl customers::server::Customers for Institution {
    type Error = Error;

    async fn customers_get_personal_identifications(
        &self,
        r: customers::operations::CustomersGetPersonalIdentificationsRequest,
        _: Context,
    ) -> Result<customers::operations::CustomersGetPersonalIdentificationsResponse, Error> {
        let (page, size) = paging!(r.body);
        let q = Self::query("customers", "personal-identification", owner!(r.body), None);
        let page = self.store.page(&q, page, size).await?;
        Ok(customers::operations::CustomersGetPersonalIdentificationsResponse::Ok(list(&page)?))
    }

    async fn customers_get_personal_qualifications(
        &self,
        r: customers::operations::CustomersGetPersonalQualificationsRequest,
        _: Context,
    ) -> Result<customers::operations::CustomersGetPersonalQualificationsResponse, Error> {
        let found = self
            .store
            .one(&Self::query(
                "customers",
                "personal-qualification",
                owner!(r.body),
                None,
            ))
            .await?;
        Ok(
            customers::operations::CustomersGetPersonalQualificationsResponse::Ok(one(
                found, "customer",
            )?),
        )
    }

    async fn customers_get_personal_financial_relations(
        &self,
        r: customers::operations::CustomersGetPersonalFinancialRelationsRequest,
        _: Context,
    ) -> Result<customers::operations::CustomersGetPersonalFinancialRelationsResponse, Error> {
        let found = self
            .store
            .one(&Self::query(
                "customers",
                "personal-financial-relation",
                owner!(r.body),
                None,
            ))
            .await?;
        Ok(
            customers::operations::CustomersGetPersonalFinancialRelationsResponse::Ok(one(
                found, "customer",
            )?),
        )
    }

    async fn customers_get_business_identifications(
        &self,
        r: customers::operations::CustomersGetBusinessIdentificationsRequest,
        _: Context,
    ) -> Result<customers::operations::CustomersGetBusinessIdentificationsResponse, Error> {
        let (page, size) = paging!(r.body);
        let q = Self::query("customers", "business-identification", owner!(r.body), None);
        let page = self.store.page(&q, page, size).await?;
        Ok(customers::operations::CustomersGetBusinessIdentificationsResponse::Ok(list(&page)?))
    }

    async fn customers_get_business_qualifications(
        &self,
        r: customers::operations::CustomersGetBusinessQualificationsRequest,
        _: Context,
    ) -> Result<customers::operations::CustomersGetBusinessQualificationsResponse, Error> {
        let found = self
            .store
            .one(&Self::query(
                "customers",
                "business-qualification",
                owner!(r.body),
                None,
            ))
            .await?;
        Ok(
            customers::operations::CustomersGetBusinessQualificationsResponse::Ok(one(
                found, "customer",
            )?),
        )
    }

    async fn customers_get_business_financial_relations(
        &self,
        r: customers::operations::CustomersGetBusinessFinancialRelationsRequest,
        _: Context,
    ) -> Result<customers::operations::CustomersGetBusinessFinancialRelationsResponse, Error> {
        let found = self
            .store
            .one(&Self::query(
                "customers",
                "business-financial-relation",
                owner!(r.body),
                None,
            ))
            .await?;
        Ok(
            customers::operations::CustomersGetBusinessFinancialRelationsResponse::Ok(one(
                found, "customer",
            )?),
        )
    }

    fn on_error(&self, error: Error, context: &Context) -> Failure {
        answer::on_error(error, context)
    }
}
