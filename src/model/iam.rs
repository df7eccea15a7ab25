//! The IAM inventory: what the posture engine and the resource view know about principals.
//!
//! Field names follow the IAM API (GetAccountAuthorizationDetails, ListAccessKeys,
//! GetAccessKeyLastUsed, ListMFADevices, GetLoginProfile, GetAccountPasswordPolicy,
//! GetAccountSummary, GenerateCredentialReport, ListServerCertificates) so a snapshot reads
//! like API output. Most names are the Rust field in PascalCase; where IAM spells an acronym in
//! capitals (`MFADevices`, `AccountMFAEnabled`) the field carries an explicit `rename`, and the
//! earlier PascalCase spelling (`MfaDevices`, ...) is still accepted when reading. The few
//! fields that group several calls' results and have no single API name are marked
//! "guardpost's own field" below.
//! Policy documents are stored decoded (the API URL-encodes them).
//! No secret is ever held: the IAM API never returns secret access keys from these calls.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
}

/// An inline policy. `policy_document` is the decoded JSON; when the document did not parse,
/// it holds the original text as a JSON string so the rule can report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyLastUsed {
    pub last_used_date: Option<DateTime<Utc>>,
    /// `N/A` in the API when never used.
    pub service_name: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKey {
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub create_date: DateTime<Utc>,
    /// guardpost's own field: GetAccessKeyLastUsed's `AccessKeyLastUsed` for this key,
    /// attached to the ListAccessKeys `AccessKeyMetadata` entry it belongs to.
    #[serde(default)]
    pub last_used: Option<AccessKeyLastUsed>,
}

impl AccessKey {
    pub fn is_active(&self) -> bool {
        self.status.eq_ignore_ascii_case("active")
    }
    pub fn last_used_date(&self) -> Option<DateTime<Utc>> {
        self.last_used.as_ref().and_then(|l| l.last_used_date)
    }
}

/// ListMFADevices' `MFADevice` (without its `UserName`: the device is stored under its user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaDevice {
    pub serial_number: String,
    pub enable_date: DateTime<Utc>,
}

impl MfaDevice {
    /// Virtual devices have an `:mfa/` ARN; hardware and U2F keys have other serials.
    pub fn is_virtual(&self) -> bool {
        self.serial_number.contains(":mfa/")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoginProfile {
    pub create_date: DateTime<Utc>,
    #[serde(default)]
    pub password_reset_required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamUser {
    pub user_name: String,
    pub user_id: String,
    pub arn: String,
    #[serde(default = "root_path")]
    pub path: String,
    pub create_date: DateTime<Utc>,
    #[serde(default)]
    pub password_last_used: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Group names.
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicy>,
    /// IAM's `AttachedPermissionsBoundary` (`PermissionsBoundaryType`, `PermissionsBoundaryArn`);
    /// see [`permissions_boundary`].
    #[serde(default, with = "permissions_boundary")]
    pub permissions_boundary: Option<AttachedPolicy>,
    /// guardpost's own field: ListAccessKeys' `AccessKeyMetadata` for this user.
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// ListMFADevices' `MFADevices` for this user.
    #[serde(default, rename = "MFADevices", alias = "MfaDevices")]
    pub mfa_devices: Vec<MfaDevice>,
    /// Present when the user can sign in to the console.
    #[serde(default)]
    pub login_profile: Option<LoginProfile>,
}

impl IamUser {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.as_str())
    }
    pub fn has_console(&self) -> bool {
        self.login_profile.is_some()
    }
    pub fn has_mfa(&self) -> bool {
        !self.mfa_devices.is_empty()
    }
    pub fn active_keys(&self) -> impl Iterator<Item = &AccessKey> {
        self.access_keys.iter().filter(|k| k.is_active())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamGroup {
    pub group_name: String,
    pub group_id: String,
    pub arn: String,
    #[serde(default = "root_path")]
    pub path: String,
    pub create_date: DateTime<Utc>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub group_policy_list: Vec<InlinePolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    pub last_used_date: Option<DateTime<Utc>>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamRole {
    pub role_name: String,
    pub role_id: String,
    pub arn: String,
    #[serde(default = "root_path")]
    pub path: String,
    pub create_date: DateTime<Utc>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub max_session_duration: Option<i32>,
    /// The trust policy, decoded.
    pub assume_role_policy_document: serde_json::Value,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    /// IAM's `AttachedPermissionsBoundary`; see [`permissions_boundary`].
    #[serde(default, with = "permissions_boundary")]
    pub permissions_boundary: Option<AttachedPolicy>,
    #[serde(default)]
    pub role_last_used: Option<RoleLastUsed>,
}

impl IamRole {
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub policy_name: String,
    pub policy_id: String,
    pub arn: String,
    #[serde(default = "root_path")]
    pub path: String,
    pub default_version_id: String,
    #[serde(default)]
    pub attachment_count: i32,
    #[serde(default = "yes")]
    pub is_attachable: bool,
    pub create_date: DateTime<Utc>,
    pub update_date: DateTime<Utc>,
    #[serde(default)]
    pub description: Option<String>,
    /// guardpost's own field: the default version's `Document` (from the detail's
    /// `PolicyVersionList`, the entry with `IsDefaultVersion`), decoded.
    pub document: serde_json::Value,
}

impl ManagedPolicy {
    pub fn is_aws_managed(&self) -> bool {
        self.arn.starts_with("arn:aws:iam::aws:policy/")
    }
}

/// GetAccountPasswordPolicy's PasswordPolicy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    #[serde(default)]
    pub minimum_password_length: Option<i32>,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_uppercase_characters: bool,
    #[serde(default)]
    pub require_lowercase_characters: bool,
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    #[serde(default)]
    pub expire_passwords: bool,
    #[serde(default)]
    pub max_password_age: Option<i32>,
    #[serde(default)]
    pub password_reuse_prevention: Option<i32>,
    #[serde(default)]
    pub hard_expiry: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerCertificate {
    pub server_certificate_name: String,
    pub server_certificate_id: String,
    pub arn: String,
    pub upload_date: DateTime<Utc>,
    pub expiration: DateTime<Utc>,
}

/// One row of the credential report (22 columns), values kept as the CSV text
/// (`N/A`, `no_information`, `not_supported`, `true`, ISO 8601 times).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CredentialReportRow {
    pub user: String,
    pub arn: String,
    pub user_creation_time: String,
    pub password_enabled: String,
    pub password_last_used: String,
    pub password_last_changed: String,
    pub password_next_rotation: String,
    pub mfa_active: String,
    pub access_key_1_active: String,
    pub access_key_1_last_rotated: String,
    pub access_key_1_last_used_date: String,
    pub access_key_1_last_used_region: String,
    pub access_key_1_last_used_service: String,
    pub access_key_2_active: String,
    pub access_key_2_last_rotated: String,
    pub access_key_2_last_used_date: String,
    pub access_key_2_last_used_region: String,
    pub access_key_2_last_used_service: String,
    pub cert_1_active: String,
    pub cert_1_last_rotated: String,
    pub cert_2_active: String,
    pub cert_2_last_rotated: String,
}

impl CredentialReportRow {
    pub const ROOT_USER: &'static str = "<root_account>";

    /// Parses a credential-report time column; `N/A`, `no_information`, `not_supported`
    /// and empty values are `None`.
    pub fn time(value: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(value)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    pub fn flag(value: &str) -> bool {
        value.eq_ignore_ascii_case("true")
    }
}

/// guardpost's own grouping: root-account facts, from GetAccountSummary,
/// ListVirtualMFADevices and the credential report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct RootAccount {
    /// GetAccountSummary's `AccountMFAEnabled` (1 = the root user has an MFA device).
    #[serde(rename = "AccountMFAEnabled", alias = "AccountMfaEnabled")]
    pub account_mfa_enabled: bool,
    /// GetAccountSummary's `AccountAccessKeysPresent` (1 = the root user has an access key).
    pub account_access_keys_present: bool,
    /// guardpost's own field (no IAM equivalent): `true` when the root user's MFA device is a
    /// virtual one, i.e. ListVirtualMFADevices lists it (serial
    /// `arn:aws:iam::ACCT:mfa/root-account-mfa-device`); `false` for a hardware device or none.
    #[serde(default, rename = "VirtualMFA", alias = "VirtualMfa")]
    pub virtual_mfa: bool,
    /// The credential report's `password_last_used` for `<root_account>`.
    #[serde(default)]
    pub password_last_used: Option<DateTime<Utc>>,
}

/// Everything read from IAM for one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct IamInventory {
    /// guardpost's own field: the 12-digit account id.
    pub account_id: String,
    #[serde(default)]
    pub user_detail_list: Vec<IamUser>,
    #[serde(default)]
    pub group_detail_list: Vec<IamGroup>,
    #[serde(default)]
    pub role_detail_list: Vec<IamRole>,
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
    /// `None` when GetAccountPasswordPolicy answered NoSuchEntity.
    #[serde(default)]
    pub password_policy: Option<PasswordPolicy>,
    /// GetAccountSummary's SummaryMap.
    #[serde(default)]
    pub summary_map: BTreeMap<String, i64>,
    /// guardpost's own field: see [`RootAccount`].
    #[serde(default)]
    pub root: RootAccount,
    /// guardpost's own field: ListServerCertificates' `ServerCertificateMetadataList`.
    #[serde(default)]
    pub server_certificates: Vec<ServerCertificate>,
    /// guardpost's own field: GetCredentialReport's CSV, one object per row.
    #[serde(default)]
    pub credential_report: Vec<CredentialReportRow>,
}

impl IamInventory {
    pub fn user(&self, name: &str) -> Option<&IamUser> {
        self.user_detail_list.iter().find(|u| u.user_name == name)
    }
    pub fn user_by_arn(&self, arn: &str) -> Option<&IamUser> {
        self.user_detail_list.iter().find(|u| u.arn == arn)
    }
    pub fn role_by_arn(&self, arn: &str) -> Option<&IamRole> {
        self.role_detail_list.iter().find(|r| r.arn == arn)
    }
    pub fn group(&self, name: &str) -> Option<&IamGroup> {
        self.group_detail_list.iter().find(|g| g.group_name == name)
    }
    pub fn group_by_arn(&self, arn: &str) -> Option<&IamGroup> {
        self.group_detail_list.iter().find(|g| g.arn == arn)
    }
    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies.iter().find(|p| p.arn == arn)
    }
    /// The user that owns an access key id.
    pub fn key_owner(&self, access_key_id: &str) -> Option<&IamUser> {
        self.user_detail_list.iter().find(|u| {
            u.access_keys
                .iter()
                .any(|k| k.access_key_id == access_key_id)
        })
    }
}

/// (De)serializes a permissions boundary in IAM's `AttachedPermissionsBoundary` shape,
/// `{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": ARN}`, while the model keeps
/// it as an [`AttachedPolicy`] (the name is the ARN's last path segment). The earlier
/// `{"PolicyName", "PolicyArn"}` shape is still read.
mod permissions_boundary {
    use super::AttachedPolicy;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Out<'a> {
        permissions_boundary_type: &'a str,
        permissions_boundary_arn: &'a str,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct In {
        #[serde(alias = "PolicyArn")]
        permissions_boundary_arn: String,
        #[serde(default)]
        policy_name: Option<String>,
    }

    pub fn serialize<S: Serializer>(
        value: &Option<AttachedPolicy>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value
            .as_ref()
            .map(|p| Out {
                permissions_boundary_type: "Policy",
                permissions_boundary_arn: &p.policy_arn,
            })
            .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<AttachedPolicy>, D::Error> {
        Ok(Option::<In>::deserialize(deserializer)?.map(|b| {
            let policy_name = b.policy_name.unwrap_or_else(|| {
                b.permissions_boundary_arn
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            });
            AttachedPolicy {
                policy_name,
                policy_arn: b.permissions_boundary_arn,
            }
        }))
    }
}

fn root_path() -> String {
    "/".to_string()
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user_json(extra: serde_json::Value) -> serde_json::Value {
        let mut u = json!({
            "UserName": "bob", "UserId": "AIDAEXAMPLE", "Arn": "arn:aws:iam::111122223333:user/bob",
            "CreateDate": "2024-01-01T00:00:00Z",
        });
        u.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        u
    }

    #[test]
    fn writes_iam_api_names() {
        let mut user: IamUser = serde_json::from_value(user_json(json!({}))).unwrap();
        user.mfa_devices.push(MfaDevice {
            serial_number: "arn:aws:iam::111122223333:mfa/bob".into(),
            enable_date: "2024-01-02T00:00:00Z".parse().unwrap(),
        });
        user.permissions_boundary = Some(AttachedPolicy {
            policy_name: "Boundary".into(),
            policy_arn: "arn:aws:iam::111122223333:policy/team/Boundary".into(),
        });
        let v = serde_json::to_value(&user).unwrap();
        assert!(v.get("MfaDevices").is_none());
        assert_eq!(
            v["MFADevices"][0]["SerialNumber"],
            "arn:aws:iam::111122223333:mfa/bob"
        );
        assert_eq!(
            v["PermissionsBoundary"],
            json!({"PermissionsBoundaryType": "Policy",
                   "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/team/Boundary"})
        );
        let back: IamUser = serde_json::from_value(v).unwrap();
        assert_eq!(back, user);

        let root = RootAccount {
            account_mfa_enabled: true,
            account_access_keys_present: false,
            virtual_mfa: true,
            password_last_used: None,
        };
        let v = serde_json::to_value(&root).unwrap();
        assert_eq!(
            v,
            json!({"AccountMFAEnabled": true, "AccountAccessKeysPresent": false,
                   "VirtualMFA": true, "PasswordLastUsed": null})
        );
        assert_eq!(serde_json::from_value::<RootAccount>(v).unwrap(), root);
    }

    #[test]
    fn reads_earlier_spellings() {
        let user: IamUser = serde_json::from_value(user_json(json!({
            "MfaDevices": [{"SerialNumber": "GAHT12345678", "EnableDate": "2024-01-02T00:00:00Z"}],
            "PermissionsBoundary": {"PolicyName": "B", "PolicyArn": "arn:aws:iam::aws:policy/B"},
        })))
        .unwrap();
        assert_eq!(user.mfa_devices.len(), 1);
        let b = user.permissions_boundary.unwrap();
        assert_eq!(
            (b.policy_name.as_str(), b.policy_arn.as_str()),
            ("B", "arn:aws:iam::aws:policy/B")
        );

        let root: RootAccount = serde_json::from_value(json!({
            "AccountMfaEnabled": true, "AccountAccessKeysPresent": true, "VirtualMfa": true,
        }))
        .unwrap();
        assert!(root.account_mfa_enabled && root.account_access_keys_present && root.virtual_mfa);
    }

    #[test]
    fn boundary_name_comes_from_the_arn() {
        let user: IamUser = serde_json::from_value(user_json(json!({
            "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                    "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/team/DevBoundary"},
        })))
        .unwrap();
        assert_eq!(
            user.permissions_boundary.unwrap().policy_name,
            "DevBoundary"
        );
        let none: IamUser =
            serde_json::from_value(user_json(json!({"PermissionsBoundary": null}))).unwrap();
        assert!(none.permissions_boundary.is_none());
    }
}
