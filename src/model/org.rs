//! AWS Organizations: the accounts `--org` reads, and what an account's place in the
//! organization means for its analysis (who else is inside, the SCPs that bound it).
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The organization as read from the management or delegated-administrator account (or as
/// listed in the config file, without Organizations access).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// `o-...`; `None` when the accounts come from the config file.
    pub id: Option<String>,
    /// The management account (SCPs never apply to it); `None` when not known.
    pub management_account: Option<String>,
    pub accounts: Vec<OrgAccount>,
    /// Whether service control policies are enabled on the root (they bound nothing before).
    pub scp_enabled: bool,
}

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` (Organizations' Status / State).
    pub status: String,
    /// Names from the root down to the account's OU, e.g. `Root/workloads/prod`.
    pub ou_path: String,
    /// Ids from the root down to the account's parent: the targets whose SCPs apply, with the
    /// account itself last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
}

/// Where one account sits, as its analysis needs it: carried in that account's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgMembership {
    pub organization_id: Option<String>,
    pub management_account: Option<String>,
    pub ou_path: String,
    /// Every account of the organization (id, name): a trust is named at both ends, and an
    /// account outside this list is outside the organization.
    pub accounts: Vec<AccountRef>,
    /// The SCPs on the account's chain, root first, the account last. `None`: not read (see
    /// `scp_error`) or SCPs not enabled (`scp_error` is `None` then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scps: Option<Vec<ScpLevel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub id: String,
    pub name: String,
}

/// The SCPs attached to one target (root, OU or the account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScpLevel {
    /// `r-...`, `ou-...` or the account id.
    pub target: String,
    pub name: String,
    pub policies: Vec<Scp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scp {
    pub id: String,
    pub name: String,
    pub document: Value,
}

impl OrgMembership {
    /// The account's name in the organization, if it is a member.
    pub fn name_of(&self, account: &str) -> Option<&str> {
        self.accounts
            .iter()
            .find(|a| a.id == account)
            .map(|a| a.name.as_str())
    }

    /// `222233334444 (payments)` for a member, `222233334444 (outside the organization)`
    /// otherwise.
    pub fn describe(&self, account: &str) -> String {
        match self.name_of(account) {
            Some("") => format!("{account} (in the organization)"),
            Some(n) => format!("{account} ({n})"),
            None => format!("{account} (outside the organization)"),
        }
    }
}
