//! One-key remediation: an action catalog whose every action is a plain value (the exact API
//! calls, preconditions, undo plan, permissions), an executor that enforces read-only and
//! dry-run itself, and an append-only journal (docs/remediation.md).
//!
//! The flow: [`catalog`] turns a finding, a resource or marked rows into [`Plan`]s; the UI shows
//! a plan's calls verbatim and asks; [`executor::execute`] checks preconditions against the live
//! account, captures what an undo needs, journals intent and result of every call (fsync'd), and
//! returns the undo calls; [`journal`] reads the journal back for `:journal`, `u` and crash
//! recovery.

pub mod aws;
pub mod catalog;
pub mod executor;
pub mod journal;
pub mod verify;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One AWS API call, exactly as it will be made: service, operation, region, parameters under
/// the API's own member names. The preview shows this; the journal stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiCall {
    /// `iam`, `securityhub`, `guardduty`, `access-analyzer`, `ec2` or `cloudtrail` (the IAM
    /// action prefix).
    pub service: String,
    pub operation: String,
    /// None for IAM (global).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub params: Value,
}

impl ApiCall {
    pub fn iam(operation: &str, params: Value) -> ApiCall {
        ApiCall {
            service: "iam".into(),
            operation: operation.into(),
            region: None,
            params,
        }
    }

    pub fn regional(service: &str, operation: &str, region: &str, params: Value) -> ApiCall {
        ApiCall {
            service: service.into(),
            operation: operation.into(),
            region: Some(region.into()),
            params,
        }
    }

    /// The IAM permission the call needs, e.g. `iam:UpdateAccessKey`.
    pub fn permission(&self) -> String {
        // S3 Control's account-level calls are authorised as s3:*Account* actions.
        match (self.service.as_str(), self.operation.as_str()) {
            ("s3control", "GetPublicAccessBlock") => "s3:GetAccountPublicAccessBlock".into(),
            ("s3control", "PutPublicAccessBlock" | "DeletePublicAccessBlock") => {
                "s3:PutAccountPublicAccessBlock".into()
            }
            _ => format!("{}:{}", self.service, self.operation),
        }
    }

    /// Reads (Get/List/Describe) are safe; everything else changes the account.
    pub fn is_mutating(&self) -> bool {
        !["Get", "List", "Describe"]
            .iter()
            .any(|p| self.operation.starts_with(p))
    }

    /// One line: `iam:UpdateAccessKey (global) {"AccessKeyId":"AKIA...","Status":"Inactive",...}`.
    pub fn display(&self) -> String {
        format!(
            "{} ({}) {}",
            self.permission(),
            self.region.as_deref().unwrap_or("global"),
            self.params
        )
    }
}

/// A fact checked against the live account right before the calls, so an action on something
/// that was deleted or changed since it was loaded fails cleanly and touches nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "kebab-case")]
pub enum Precondition {
    /// The user has this access key, with `status` if given.
    AccessKey {
        user: String,
        key_id: String,
        status: Option<String>,
    },
    UserExists {
        user: String,
    },
    RoleExists {
        role: String,
    },
    LoginProfileExists {
        user: String,
    },
    /// The managed policy is attached to the user directly.
    UserPolicyAttached {
        user: String,
        policy_arn: String,
    },
    UserInGroup {
        user: String,
        group: String,
    },
    /// The managed policy is attached to the role.
    RolePolicyAttached {
        role: String,
        policy_arn: String,
    },
    /// The user has an inline policy of this name.
    UserInlinePolicy {
        user: String,
        name: String,
    },
    /// The role has an inline policy of this name.
    RoleInlinePolicy {
        role: String,
        name: String,
    },
    /// The account password policy has these settings (UpdateAccountPasswordPolicy's
    /// parameters).
    PasswordPolicy {
        params: Value,
    },
    /// These Security Hub findings (`{"Id", "ProductArn"}`) have this workflow status.
    SecurityHubWorkflow {
        region: String,
        findings: Vec<Value>,
        status: String,
    },
    /// These GuardDuty findings are archived (or not).
    GuardDutyArchived {
        region: String,
        detector_id: String,
        finding_ids: Vec<String>,
        archived: bool,
    },
    /// These Access Analyzer findings have this status (`ACTIVE`, `ARCHIVED`).
    AccessAnalyzerStatus {
        region: String,
        analyzer_arn: String,
        ids: Vec<String>,
        status: String,
    },
    /// These inbound rules (RevokeSecurityGroupIngress's `IpPermissions`: protocol, ports,
    /// CIDRs) are on the security group.
    SecurityGroupIngress {
        region: String,
        group_id: String,
        permissions: Value,
    },
    /// The account's S3 Block Public Access is exactly `config` (S3 Control's
    /// `PublicAccessBlockConfiguration`; none configured reads as all four false).
    AccountPublicAccessBlock {
        region: String,
        account: String,
        config: Value,
    },
    /// EBS encryption by default is `enabled` in the region.
    EbsEncryptionByDefault {
        region: String,
        enabled: bool,
    },
    /// The instance's metadata options have this `HttpTokens` (`required`, `optional`).
    InstanceHttpTokens {
        region: String,
        instance_id: String,
        http_tokens: String,
    },
    /// The trail (by ARN) has log file validation `enabled`.
    TrailValidation {
        region: String,
        trail: String,
        enabled: bool,
    },
    /// The trail (by ARN) is `logging`.
    TrailLogging {
        region: String,
        trail: String,
        logging: bool,
    },
    /// The user has the tag `key` with `value`.
    UserTag {
        user: String,
        key: String,
        value: String,
    },
    /// The opposite of a fact (a policy no longer attached, a user no longer in a group).
    Not {
        fact: Box<Precondition>,
    },
}

impl Precondition {
    pub fn describe(&self) -> String {
        match self {
            Precondition::AccessKey {
                user,
                key_id,
                status: Some(s),
            } => format!("user {user} has access key {key_id} and it is {s}"),
            Precondition::AccessKey { user, key_id, .. } => {
                format!("user {user} has access key {key_id}")
            }
            Precondition::UserExists { user } => format!("user {user} exists"),
            Precondition::RoleExists { role } => format!("role {role} exists"),
            Precondition::LoginProfileExists { user } => {
                format!("user {user} has a console password")
            }
            Precondition::UserPolicyAttached { user, policy_arn } => {
                format!("{policy_arn} is attached to user {user}")
            }
            Precondition::UserInGroup { user, group } => {
                format!("user {user} is in group {group}")
            }
            Precondition::RolePolicyAttached { role, policy_arn } => {
                format!("{policy_arn} is attached to role {role}")
            }
            Precondition::UserInlinePolicy { user, name } => {
                format!("user {user} has the inline policy {name}")
            }
            Precondition::RoleInlinePolicy { role, name } => {
                format!("role {role} has the inline policy {name}")
            }
            Precondition::PasswordPolicy { .. } => {
                "the account password policy is the one guardpost set".to_string()
            }
            Precondition::SecurityHubWorkflow {
                region,
                findings,
                status,
            } => format!(
                "the {} Security Hub finding(s) in {region} are {status}",
                findings.len()
            ),
            Precondition::GuardDutyArchived {
                region,
                finding_ids,
                archived,
                ..
            } => format!(
                "the {} GuardDuty finding(s) in {region} are {}",
                finding_ids.len(),
                if *archived {
                    "archived"
                } else {
                    "not archived"
                }
            ),
            Precondition::AccessAnalyzerStatus {
                region,
                ids,
                status,
                ..
            } => format!(
                "the {} Access Analyzer finding(s) in {region} are {status}",
                ids.len()
            ),
            Precondition::SecurityGroupIngress {
                region,
                group_id,
                permissions,
            } => format!(
                "security group {group_id} in {region} has the inbound rule(s) {}",
                ec2_rules_text(permissions)
            ),
            Precondition::AccountPublicAccessBlock {
                account, config, ..
            } => format!(
                "S3 Block Public Access of account {account} is {}",
                crate::remediation::catalog::pab_text(config)
            ),
            Precondition::EbsEncryptionByDefault { region, enabled } => format!(
                "EBS encryption by default is {} in {region}",
                if *enabled { "on" } else { "off" }
            ),
            Precondition::InstanceHttpTokens {
                region,
                instance_id,
                http_tokens,
            } => format!("instance {instance_id} in {region} has HttpTokens {http_tokens}"),
            Precondition::UserTag { user, key, value } => {
                format!("user {user} has the tag {key}={value}")
            }
            Precondition::TrailValidation { trail, enabled, .. } => format!(
                "trail {trail} has log file validation {}",
                if *enabled { "on" } else { "off" }
            ),
            Precondition::TrailLogging { trail, logging, .. } => format!(
                "trail {trail} is {}",
                if *logging { "logging" } else { "not logging" }
            ),
            Precondition::Not { fact } => format!("it is no longer true that {}", fact.describe()),
        }
    }

    /// The read that checks it (its permission is part of the action's permissions).
    pub fn read(&self) -> ApiCall {
        use serde_json::json;
        match self {
            Precondition::AccessKey { user, .. } => {
                ApiCall::iam("ListAccessKeys", json!({"UserName": user}))
            }
            Precondition::UserExists { user } => ApiCall::iam("GetUser", json!({"UserName": user})),
            Precondition::RoleExists { role } => ApiCall::iam("GetRole", json!({"RoleName": role})),
            Precondition::LoginProfileExists { user } => {
                ApiCall::iam("GetLoginProfile", json!({"UserName": user}))
            }
            Precondition::UserPolicyAttached { user, .. } => {
                ApiCall::iam("ListAttachedUserPolicies", json!({"UserName": user}))
            }
            Precondition::UserInGroup { user, .. } => {
                ApiCall::iam("ListGroupsForUser", json!({"UserName": user}))
            }
            Precondition::RolePolicyAttached { role, .. } => {
                ApiCall::iam("ListAttachedRolePolicies", json!({"RoleName": role}))
            }
            Precondition::UserInlinePolicy { user, .. } => {
                ApiCall::iam("ListUserPolicies", json!({"UserName": user}))
            }
            Precondition::RoleInlinePolicy { role, .. } => {
                ApiCall::iam("ListRolePolicies", json!({"RoleName": role}))
            }
            Precondition::PasswordPolicy { .. } => {
                ApiCall::iam("GetAccountPasswordPolicy", json!({}))
            }
            Precondition::SecurityHubWorkflow {
                region, findings, ..
            } => ApiCall::regional(
                "securityhub",
                "GetFindings",
                region,
                json!({"FindingIdentifiers": findings}),
            ),
            Precondition::GuardDutyArchived {
                region,
                detector_id,
                finding_ids,
                ..
            } => ApiCall::regional(
                "guardduty",
                "GetFindings",
                region,
                json!({"DetectorId": detector_id, "FindingIds": finding_ids}),
            ),
            Precondition::AccessAnalyzerStatus {
                region,
                analyzer_arn,
                ids,
                ..
            } => ApiCall::regional(
                "access-analyzer",
                "GetFindingV2",
                region,
                json!({"analyzerArn": analyzer_arn, "ids": ids}),
            ),
            Precondition::SecurityGroupIngress {
                region, group_id, ..
            } => ApiCall::regional(
                "ec2",
                "DescribeSecurityGroups",
                region,
                json!({"GroupIds": [group_id]}),
            ),
            Precondition::EbsEncryptionByDefault { region, .. } => {
                ApiCall::regional("ec2", "GetEbsEncryptionByDefault", region, json!({}))
            }
            Precondition::AccountPublicAccessBlock {
                region, account, ..
            } => ApiCall::regional(
                "s3control",
                "GetPublicAccessBlock",
                region,
                json!({"AccountId": account}),
            ),
            Precondition::InstanceHttpTokens {
                region,
                instance_id,
                ..
            } => ApiCall::regional(
                "ec2",
                "DescribeInstances",
                region,
                json!({"InstanceIds": [instance_id]}),
            ),
            Precondition::UserTag { user, .. } => {
                ApiCall::iam("ListUserTags", json!({"UserName": user}))
            }
            Precondition::TrailValidation { region, trail, .. } => ApiCall::regional(
                "cloudtrail",
                "DescribeTrails",
                region,
                json!({"trailNameList": [trail]}),
            ),
            Precondition::TrailLogging { region, trail, .. } => ApiCall::regional(
                "cloudtrail",
                "GetTrailStatus",
                region,
                json!({"Name": trail}),
            ),
            Precondition::Not { fact } => fact.read(),
        }
    }

    /// Whether the read's output (see [`aws`]'s output shapes) satisfies the condition.
    pub fn holds(&self, output: &Value) -> bool {
        match self {
            Precondition::AccessKey { key_id, status, .. } => output["AccessKeyMetadata"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| {
                    k["AccessKeyId"] == key_id.as_str()
                        && status.as_ref().is_none_or(|s| k["Status"] == s.as_str())
                }),
            Precondition::UserExists { .. }
            | Precondition::RoleExists { .. }
            | Precondition::LoginProfileExists { .. } => !output.is_null(),
            Precondition::UserPolicyAttached { policy_arn, .. } => output["AttachedPolicies"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["PolicyArn"] == policy_arn.as_str()),
            Precondition::UserInGroup { group, .. } => output["Groups"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|g| g["GroupName"] == group.as_str()),
            Precondition::RolePolicyAttached { policy_arn, .. } => output["AttachedPolicies"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["PolicyArn"] == policy_arn.as_str()),
            Precondition::UserInlinePolicy { name, .. }
            | Precondition::RoleInlinePolicy { name, .. } => output["PolicyNames"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|n| n == name.as_str()),
            Precondition::PasswordPolicy { params } => {
                !output.is_null()
                    && params
                        .as_object()
                        .into_iter()
                        .flatten()
                        .all(|(k, v)| &output[k] == v)
            }
            Precondition::SecurityHubWorkflow {
                findings, status, ..
            } => findings.iter().all(|f| {
                found(output, "Findings", |x| {
                    x["Id"] == f["Id"] && x["ProductArn"] == f["ProductArn"]
                })
                .is_some_and(|x| x["Workflow"]["Status"] == status.as_str())
            }),
            Precondition::GuardDutyArchived {
                finding_ids,
                archived,
                ..
            } => finding_ids.iter().all(|id| {
                found(output, "Findings", |x| x["Id"] == id.as_str())
                    .is_some_and(|x| x["Archived"] == *archived)
            }),
            Precondition::AccessAnalyzerStatus { ids, status, .. } => ids.iter().all(|id| {
                found(output, "Findings", |x| x["id"] == id.as_str())
                    .is_some_and(|x| x["status"] == status.as_str())
            }),
            Precondition::SecurityGroupIngress {
                group_id,
                permissions,
                ..
            } => found(output, "SecurityGroups", |g| {
                g["GroupId"] == group_id.as_str()
            })
            .is_some_and(|g| {
                let have = ec2_rules(&g["IpPermissions"]);
                let want = ec2_rules(permissions);
                !want.is_empty() && want.iter().all(|r| have.contains(r))
            }),
            Precondition::EbsEncryptionByDefault { enabled, .. } => {
                output["EbsEncryptionByDefault"] == *enabled
            }
            Precondition::AccountPublicAccessBlock { config, .. } => {
                crate::remediation::catalog::PAB_FIELDS.iter().all(|k| {
                    output["PublicAccessBlockConfiguration"][k]
                        .as_bool()
                        .unwrap_or(false)
                        == config[k].as_bool().unwrap_or(false)
                })
            }
            Precondition::InstanceHttpTokens {
                instance_id,
                http_tokens,
                ..
            } => found(output, "Instances", |i| {
                i["InstanceId"] == instance_id.as_str()
            })
            .is_some_and(|i| i["MetadataOptions"]["HttpTokens"] == http_tokens.as_str()),
            Precondition::UserTag { key, value, .. } => found(output, "Tags", |t| {
                t["Key"] == key.as_str() && t["Value"] == value.as_str()
            })
            .is_some(),
            Precondition::TrailValidation { trail, enabled, .. } => {
                found(output, "trailList", |t| t["TrailARN"] == trail.as_str())
                    .is_some_and(|t| t["LogFileValidationEnabled"] == *enabled)
            }
            Precondition::TrailLogging { logging, .. } => output["IsLogging"] == *logging,
            Precondition::Not { fact } => !fact.holds(output),
        }
    }
}

/// One inbound rule per CIDR: (protocol, from port, to port, CIDR), from EC2's
/// `IpPermissions` shape. A missing port is -1 (all), as EC2 answers for protocol `-1`.
pub fn ec2_rules(permissions: &Value) -> Vec<(String, i64, i64, String)> {
    let mut out = Vec::new();
    for p in permissions.as_array().into_iter().flatten() {
        let proto = p["IpProtocol"].as_str().unwrap_or_default().to_string();
        let port = |k: &str| p[k].as_i64().unwrap_or(-1);
        let (from, to) = if proto == "-1" {
            (-1, -1)
        } else {
            (port("FromPort"), port("ToPort"))
        };
        for (list, key) in [("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6")] {
            for r in p[list].as_array().into_iter().flatten() {
                if let Some(c) = r[key].as_str() {
                    out.push((proto.clone(), from, to, c.to_string()));
                }
            }
        }
    }
    out
}

/// `tcp 22 from 0.0.0.0/0, all traffic from ::/0`.
pub fn ec2_rules_text(permissions: &Value) -> String {
    ec2_rules(permissions)
        .iter()
        .map(|(proto, from, to, cidr)| match proto.as_str() {
            "-1" => format!("all traffic from {cidr}"),
            _ if from == to => format!("{proto} {from} from {cidr}"),
            _ => format!("{proto} {from}-{to} from {cidr}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The item of `output[list]` that `pick` selects.
fn found<'a>(output: &'a Value, list: &str, pick: impl Fn(&Value) -> bool) -> Option<&'a Value> {
    output[list]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| pick(x))
}

/// State read right before an action so its undo can put it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "capture", rename_all = "kebab-case")]
pub enum Capture {
    /// The account password policy (or its absence).
    PasswordPolicy,
    /// A user's keys and their status, managed and inline policies, groups, login profile.
    User { user: String },
    /// A role's managed and inline policies.
    Role { role: String },
}

impl Capture {
    pub fn reads(&self) -> Vec<ApiCall> {
        use serde_json::json;
        match self {
            Capture::PasswordPolicy => vec![ApiCall::iam("GetAccountPasswordPolicy", json!({}))],
            Capture::User { user } => vec![
                ApiCall::iam("ListAccessKeys", json!({"UserName": user})),
                ApiCall::iam("ListAttachedUserPolicies", json!({"UserName": user})),
                ApiCall::iam("ListUserPolicies", json!({"UserName": user})),
                ApiCall::iam("ListGroupsForUser", json!({"UserName": user})),
                ApiCall::iam("GetLoginProfile", json!({"UserName": user})),
            ],
            Capture::Role { role } => vec![
                ApiCall::iam("ListAttachedRolePolicies", json!({"RoleName": role})),
                ApiCall::iam("ListRolePolicies", json!({"RoleName": role})),
            ],
        }
    }
}

/// How an action is undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "undo", rename_all = "kebab-case")]
pub enum UndoPlan {
    /// These calls, known before the action runs.
    Calls { calls: Vec<ApiCall> },
    /// Calls computed from the state captured right before the action (see [`Capture`]).
    FromCapture { description: String },
    /// AWS cannot put it back.
    Irreversible { reason: String },
}

impl UndoPlan {
    pub fn describe(&self) -> String {
        match self {
            UndoPlan::Calls { calls } => {
                let ops: Vec<String> = calls.iter().map(ApiCall::permission).collect();
                format!("undo with `u`: {}", dedup(ops).join(", "))
            }
            UndoPlan::FromCapture { description } => format!("undo with `u`: {description}"),
            UndoPlan::Irreversible { reason } => format!("IRREVERSIBLE: {reason}"),
        }
    }
}

/// One remediation action, ready to preview and run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Catalog action, journaled by its id, e.g. `iam.deactivate-access-key`
    /// (docs/remediation.md lists them).
    pub action: catalog::Action,
    /// What it does to what: `Deactivate access key AKIA... of alice`.
    pub title: String,
    /// The ARN (or finding ids) it acts on; the findings and resource re-fetched afterwards.
    pub targets: Vec<String>,
    /// What an irreversible action asks the user to type (the key id, the user name).
    pub confirm_text: String,
    pub calls: Vec<ApiCall>,
    #[serde(default)]
    pub preconditions: Vec<Precondition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<Capture>,
    pub undo: UndoPlan,
    /// Changes or removes access (shown red).
    pub destructive: bool,
    /// What stays allowed, what it costs, what it does not do.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Set on an undo plan: the journal id of the action it undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_of: Option<String>,
}

impl Plan {
    pub fn irreversible(&self) -> bool {
        matches!(self.undo, UndoPlan::Irreversible { .. })
    }

    /// Whether it weakens the account's security (reactivates a key, unarchives a finding,
    /// detaches a quarantine, restores a contained principal, turns monitoring off): such a
    /// plan is never the default item, is labelled, and needs the typed confirmation.
    /// Derived from the action, never stored, so a journal line cannot claim otherwise.
    pub fn weakens_security(&self) -> bool {
        self.action.weakens(self.undo_of.is_some())
    }

    /// Typing [`Plan::confirm_text`] is required: irreversible or weakening plans.
    pub fn needs_typed_confirmation(&self) -> bool {
        self.irreversible() || self.weakens_security()
    }

    /// Every IAM permission the action needs: its calls, the precondition and capture reads,
    /// and (for `u`) the undo calls.
    pub fn permissions(&self) -> Vec<String> {
        let mut all: Vec<String> = self.calls.iter().map(ApiCall::permission).collect();
        all.extend(self.preconditions.iter().map(|p| p.read().permission()));
        if let Some(c) = &self.capture {
            all.extend(c.reads().iter().map(ApiCall::permission));
        }
        if let UndoPlan::Calls { calls } = &self.undo {
            all.extend(calls.iter().map(ApiCall::permission));
        }
        // The re-reads of an undo and of crash verification.
        all.extend(
            catalog::effect_checks(self)
                .iter()
                .map(|(_, fact)| fact.read().permission()),
        );
        dedup(all)
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v
}
