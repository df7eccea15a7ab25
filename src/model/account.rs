//! The account a dataset is about and which services are on where.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// 12-digit account id.
    pub id: String,
    #[serde(default)]
    pub alias: Option<String>,
    /// sts:GetCallerIdentity Arn of whoever captured the snapshot.
    #[serde(default)]
    pub caller_arn: Option<String>,
}

/// Whether a service is on in a region (DescribeHub, ListDetectors, ListAnalyzers,
/// DescribeTrails, DescribeConfigurationRecorderStatus).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// `securityhub`, `guardduty`, `access-analyzer`, `cloudtrail`, `config`.
    pub service: String,
    pub region: String,
    pub enabled: bool,
    /// e.g. the detector id, the analyzer ARN and type, the hub ARN.
    #[serde(default)]
    pub detail: Option<String>,
}

/// The account's alternate contacts as the contact rule reads them (account:GetAlternateContact).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlternateContacts {
    /// The SECURITY contact; `None`: none is set (the read went through).
    #[serde(default)]
    pub security: Option<Contact>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
}
