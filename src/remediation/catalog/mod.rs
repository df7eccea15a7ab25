//! The action catalog: pure functions from what the user is looking at (a finding, marked
//! findings, an IAM principal) to the [`Plan`]s that apply, and from a journaled action to the
//! plan that undoes it. Nothing here calls AWS.
//!
//! - [`iam`]: access keys, console passwords, deny policies, sessions, groups, the password
//!   policy, containment;
//! - [`findings`]: Security Hub workflow, GuardDuty and Access Analyzer triage;
//! - [`services`]: enabling GuardDuty, Security Hub, Access Analyzer;
//! - [`network`]: world-open admin ports, EBS encryption by default, IMDSv2;
//! - [`trail`]: CloudTrail log file validation, a stopped trail;
//! - [`recorder`]: AWS Config's recorder;
//! - [`undo`]: undo plans rebuilt from the action and the captured state, and the facts that
//!   show an action took effect (for the undo's re-read and for crash verification).

mod findings;
mod iam;
mod network;
mod recorder;
mod services;
mod storage;
mod trail;
pub mod undo;

pub use findings::*;
pub use iam::*;
pub use network::*;
pub use recorder::*;
pub use services::*;
pub use storage::*;
pub use trail::*;
pub use undo::{effect_checks, rebuild_undo, undo_from_capture};

use super::Plan;
use crate::dataset::Dataset;
use crate::model::{Finding, Source, Workflow};
use crate::posture::rules as r;
use chrono::{DateTime, Utc};

/// AWS's managed policy for compromised keys: denies the actions attackers use most (IAM
/// changes, launching compute, ...). It is **not** deny-all.
pub const QUARANTINE_POLICY: &str = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3";
/// AWS's managed deny-everything policy.
pub const DENY_ALL_POLICY: &str = "arn:aws:iam::aws:policy/AWSDenyAll";
/// The inline policy name AWS's console uses for "Revoke active sessions".
pub const REVOKE_POLICY_NAME: &str = "AWSRevokeOlderSessions";
/// Security Hub BatchUpdateFindings: at most 100 findings per call.
pub const SH_BATCH: usize = 100;
/// GuardDuty Archive/Unarchive/UpdateFindingsFeedback: at most 50 finding ids per call.
pub const GD_BATCH: usize = 50;
/// Access Analyzer UpdateFindings: ids per call (kept at the SDK's documented page size).
pub const AA_BATCH: usize = 100;

pub(crate) const KEY_SESSIONS_NOTE: &str = "Deactivating a key does not end sessions already minted from it (sts:GetSessionToken / AssumeRole credentials stay valid until they expire, up to 36 hours); revoke sessions for that.";

/// Declares the catalog's actions: the enum, its journal names, and [`ACTION_IDS`].
macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        /// A catalog action. Journaled by name (`iam.deactivate-access-key`), so the names never
        /// change; an undo plan is journaled as `undo:<name>` (older journals) or by its
        /// action's name with `undo_of` set.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action.
            pub const ALL: &[Action] = &[$(Action::$variant,)*];

            /// The journal / docs name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// The action of a journal name (`undo:` prefix accepted, as older journals wrote).
            pub fn parse(name: &str) -> Option<Action> {
                match name.strip_prefix("undo:").unwrap_or(name) {
                    $($name => Some(Action::$variant),)*
                    _ => None,
                }
            }
        }

        /// Every catalog action id, for docs and the remediation policy test.
        pub const ACTION_IDS: &[&str] = &[$($name,)*];
    };
}

actions! {
    DeactivateAccessKey => "iam.deactivate-access-key",
    ActivateAccessKey => "iam.activate-access-key",
    DeleteAccessKey => "iam.delete-access-key",
    DeleteLoginProfile => "iam.delete-login-profile",
    Quarantine => "iam.quarantine",
    DenyAll => "iam.deny-all",
    RevokeSessions => "iam.revoke-sessions",
    DetachUserPolicy => "iam.detach-user-policy",
    RemoveUserFromGroup => "iam.remove-user-from-group",
    PasswordPolicyCis => "iam.password-policy-cis",
    ContainPrincipal => "iam.contain-principal",
    SaveConfiguration => "iam.save-configuration",
    SecurityHubWorkflow => "securityhub.workflow",
    GuardDutyArchive => "guardduty.archive",
    GuardDutyUnarchive => "guardduty.unarchive",
    GuardDutyFeedback => "guardduty.feedback",
    AccessAnalyzerArchive => "access-analyzer.archive",
    AccessAnalyzerUnarchive => "access-analyzer.unarchive",
    EnableGuardDuty => "guardduty.enable",
    EnableSecurityHub => "securityhub.enable",
    EnableAccessAnalyzer => "access-analyzer.enable",
    EnableUnusedAccessAnalyzer => "access-analyzer.enable-unused-access",
    RevokeWorldIngress => "ec2.revoke-world-ingress",
    EnableEbsDefaultEncryption => "ec2.enable-ebs-default-encryption",
    RequireImdsV2 => "ec2.require-imdsv2",
    TagOwner => "iam.tag-owner",
    EnableLogFileValidation => "cloudtrail.enable-log-file-validation",
    StartLogging => "cloudtrail.start-logging",
    StartConfigRecorder => "config.start-recorder",
    EnableConfig => "config.enable",
    BlockPublicAccess => "s3.block-public-access",
}

impl Action {
    /// Whether running this action (or, with `undo`, undoing it) weakens the account's
    /// security: access comes back (a key reactivated, a deny policy detached, a containment
    /// restored, a policy or group re-granted), a finding is reopened, monitoring is turned
    /// off. Such actions are never the default and need the typed confirmation.
    pub fn weakens(self, undo: bool) -> bool {
        use Action::*;
        if undo {
            matches!(
                self,
                DeactivateAccessKey
                    | Quarantine
                    | DenyAll
                    | RevokeSessions
                    | DetachUserPolicy
                    | RemoveUserFromGroup
                    | PasswordPolicyCis
                    | ContainPrincipal
                    | GuardDutyArchive
                    | AccessAnalyzerArchive
                    | EnableGuardDuty
                    | EnableSecurityHub
                    | EnableAccessAnalyzer
                    | EnableUnusedAccessAnalyzer
                    | RevokeWorldIngress
                    | EnableEbsDefaultEncryption
                    | RequireImdsV2
                    | EnableLogFileValidation
                    | StartLogging
                    | StartConfigRecorder
                    | EnableConfig
                    | BlockPublicAccess
            )
        } else {
            matches!(
                self,
                ActivateAccessKey | GuardDutyUnarchive | AccessAnalyzerUnarchive
            )
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Action {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Action::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown action {name:?}")))
    }
}

// ---- what applies where ----------------------------------------------------------------------

/// Actions for one IAM principal (by ARN) in the loaded inventory; empty for other resources.
pub fn for_principal(
    data: &Dataset,
    arn: &str,
    now: DateTime<Utc>,
    first_keys: &[String],
) -> Vec<Plan> {
    let Some(iam) = data.iam.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(u) = iam.user_by_arn(arn) {
        let name = u.user_name.as_str();
        let mut keys: Vec<_> = u.access_keys.iter().collect();
        // Keys the finding is about come first.
        keys.sort_by_key(|k| !first_keys.contains(&k.access_key_id));
        for k in &keys {
            if k.is_active() {
                out.push(deactivate_access_key(name, &k.access_key_id));
            } else {
                out.push(activate_access_key(name, &k.access_key_id));
            }
        }
        out.push(contain_user(u, now));
        out.push(revoke_sessions(Principal::User(name), now));
        out.push(quarantine(Principal::User(name), false));
        out.push(quarantine(Principal::User(name), true));
        for k in &keys {
            out.push(delete_access_key(name, &k.access_key_id));
        }
        if u.login_profile.is_some() {
            out.push(delete_login_profile(name));
        }
        for p in &u.attached_managed_policies {
            out.push(detach_user_policy(name, &p.policy_arn));
        }
        for g in &u.group_list {
            out.push(remove_user_from_group(name, g));
        }
        out.push(save_configuration(Principal::User(name)));
        // Already attached: nothing to attach.
        out.retain(|p| {
            !matches!(p.action, Action::Quarantine | Action::DenyAll)
                || !u
                    .attached_managed_policies
                    .iter()
                    .any(|a| p.calls[0].params["PolicyArn"] == a.policy_arn.as_str())
        });
    } else if let Some(role) = iam.role_by_arn(arn) {
        if role.is_service_linked() {
            return out;
        }
        let p = Principal::Role(&role.role_name);
        out.push(contain_role(role, now));
        out.push(revoke_sessions(p, now));
        out.push(quarantine(p, false));
        out.push(quarantine(p, true));
        out.push(save_configuration(p));
    }
    out
}

/// Every action that applies to one finding: its service's triage actions, then what fixes
/// the resource it is about.
pub fn for_finding(data: &Dataset, f: &Finding, now: DateTime<Utc>) -> Vec<Plan> {
    let mut out = Vec::new();
    let one = [f];
    if f.source == Source::Posture {
        out.extend(posture_fixes(data, f));
    }
    if let Some(res) = f.primary_resource() {
        let evidence = f
            .records
            .first()
            .map(|r| r.raw.to_string())
            .unwrap_or_default();
        let keys: Vec<String> = data
            .iam
            .as_ref()
            .and_then(|i| i.user_by_arn(&res.arn))
            .map(|u| {
                u.access_keys
                    .iter()
                    .filter(|k| evidence.contains(&k.access_key_id))
                    .map(|k| k.access_key_id.clone())
                    .collect()
            })
            .unwrap_or_default();
        out.extend(for_principal(data, &res.arn, now, &keys));
        // A GuardDuty finding about an access key names it in resource.accessKeyDetails.
        if let Some(rec) = f.records.iter().find(|r| r.source == Source::GuardDuty) {
            let d = &rec.raw["resource"]["accessKeyDetails"];
            if let (Some(user), Some(key)) = (d["userName"].as_str(), d["accessKeyId"].as_str())
                && data
                    .iam
                    .as_ref()
                    .and_then(|i| i.user(user))
                    .is_some_and(|u| u.access_keys.iter().any(|k| k.access_key_id == key))
                && !out.iter().any(|p| p.targets == [key.to_string()])
            {
                out.insert(0, deactivate_access_key(user, key));
            }
        }
    }
    out.extend(triage(&one, f.workflow));
    out
}

/// Triage actions for marked findings (one plan each, batched per service and region).
pub fn for_findings(findings: &[&Finding]) -> Vec<Plan> {
    let open = findings.iter().all(|f| f.workflow.is_open());
    triage(
        findings,
        if open {
            Workflow::New
        } else {
            Workflow::Archived
        },
    )
}

fn triage(findings: &[&Finding], current: Workflow) -> Vec<Plan> {
    let mut out = Vec::new();
    for status in [
        Workflow::Notified,
        Workflow::Resolved,
        Workflow::Suppressed,
        Workflow::New,
    ] {
        if findings.len() == 1 && status == current {
            continue;
        }
        let note = format!("{} in guardpost", status.label());
        out.extend(securityhub_workflow(findings, status, &note));
    }
    let archived = findings.len() == 1 && current == Workflow::Archived;
    if findings.iter().any(|f| f.has_source(Source::GuardDuty)) {
        out.extend(guardduty_archive(findings, !archived));
        out.extend(guardduty_feedback(findings, true, "guardpost: useful"));
        out.extend(guardduty_feedback(findings, false, "guardpost: not useful"));
    }
    if findings
        .iter()
        .any(|f| f.has_source(Source::AccessAnalyzer))
    {
        out.extend(access_analyzer_archive(findings, !archived));
    }
    out
}

/// Fixes a posture rule enables directly (service enablement, password policy).
fn posture_fixes(data: &Dataset, f: &Finding) -> Vec<Plan> {
    let region = f.region.as_str();
    match f.kind.as_str() {
        r::GD_DISABLED => vec![enable_guardduty(region)],
        r::SH_DISABLED => vec![enable_securityhub(region)],
        r::AA_MISSING => vec![
            enable_access_analyzer(region, false),
            enable_access_analyzer(region, true),
        ],
        r::PW_MIN_LENGTH | r::PW_REUSE => vec![cis_password_policy(
            data.iam.as_ref().and_then(|i| i.password_policy.as_ref()),
        )],
        // The baseline's fixes, as `check --fix` makes them.
        r::SG_ADMIN_OPEN | r::IMDSV1 | r::TRAIL_VALIDATION => {
            let Some(res) = f.primary_resource() else {
                return Vec::new();
            };
            let id = res.arn.rsplit('/').next().unwrap_or(&res.arn);
            let region = res.region.as_deref().unwrap_or(region);
            match f.kind.as_str() {
                r::SG_ADMIN_OPEN => {
                    world_ingress_of(data, region, id, &data.posture_config.admin_ports)
                        .into_iter()
                        .collect()
                }
                r::IMDSV1 => vec![require_imdsv2_of(data, region, id)],
                _ => vec![enable_log_file_validation(region, &res.arn)],
            }
        }
        r::EBS_DEFAULT_ENCRYPTION => vec![enable_ebs_default_encryption(region)],
        r::S3_ACCOUNT_PAB => account_block_public_access(data).into_iter().collect(),
        r::TRAIL_MISSING => stopped_trail(data).into_iter().collect(),
        r::CONFIG_OFF => stopped_recorder(data, region).into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
