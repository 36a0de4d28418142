//! Choosing an institution from `GET /consent-management/v1/participants`: the roles and claim
//! statuses the directory uses, and a filter on them.

use crate::api::types::Participant;

/// A role an institution holds in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// `DADOS`: it shares data (the role for data-sharing consents).
    Data,
    /// `CONTA`: it holds payment accounts.
    Payments,
    /// Any other role, as the directory writes it.
    Other(String),
}

impl Role {
    /// The directory's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Role::Data => "DADOS",
            Role::Payments => "CONTA",
            Role::Other(s) => s,
        }
    }
}

/// The status of a role claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClaimStatus {
    /// `Active`.
    Active,
    /// `Inactive`.
    Inactive,
    /// Any other status, as the directory writes it.
    Other(String),
}

impl ClaimStatus {
    /// The directory's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            ClaimStatus::Active => "Active",
            ClaimStatus::Inactive => "Inactive",
            ClaimStatus::Other(s) => s,
        }
    }
}

/// Participants holding a role with a claim status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    role: Role,
    status: ClaimStatus,
}

impl Filter {
    /// Institutions that hold `role` with `status`.
    pub fn new(role: Role, status: ClaimStatus) -> Self {
        Filter { role, status }
    }

    /// Institutions that share data now: `DADOS`, `Active`.
    pub fn data_holders() -> Self {
        Filter::new(Role::Data, ClaimStatus::Active)
    }

    /// Whether `p` holds the role with the status (roles compare as the directory writes them,
    /// so `DADOS` in any case matches; statuses exactly).
    pub fn matches(&self, p: &Participant) -> bool {
        p.org_domain_role_claims.iter().any(|c| {
            c.role.eq_ignore_ascii_case(self.role.as_str()) && c.status == self.status.as_str()
        })
    }

    /// The participants of `all` that match, in order.
    pub fn apply(self, all: &[Participant]) -> impl Iterator<Item = &Participant> {
        all.iter().filter(move |p| self.matches(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::OrgDomainRoleClaim;

    fn participant(name: &str, claims: &[(&str, &str)]) -> Participant {
        Participant {
            customer_friendly_name: name.to_owned(),
            customer_friendly_logo_uri: None,
            authorisation_server_ids: vec![format!("as-{name}")],
            org_domain_role_claims: claims
                .iter()
                .map(|(role, status)| OrgDomainRoleClaim {
                    role: (*role).to_owned(),
                    status: (*status).to_owned(),
                })
                .collect(),
            api_resources: None,
            organisations: None,
        }
    }

    #[test]
    fn data_holders_are_active_dados() {
        let all = [
            participant("a", &[("DADOS", "Active")]),
            participant("b", &[("DADOS", "Inactive")]),
            participant("c", &[("CONTA", "Active")]),
            participant("d", &[("CONTA", "Active"), ("DADOS", "Active")]),
        ];
        let f = Filter::data_holders();
        let names: Vec<&str> = f
            .apply(&all)
            .map(|p| p.customer_friendly_name.as_str())
            .collect();
        assert_eq!(names, ["a", "d"]);
        let pay = Filter::new(Role::Payments, ClaimStatus::Active);
        assert_eq!(pay.apply(&all).count(), 2);
        let other = Filter::new(Role::Other(String::from("dados")), ClaimStatus::Inactive);
        assert_eq!(other.apply(&all).count(), 1, "roles compare in any case");
    }
}
