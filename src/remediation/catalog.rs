//! The action catalog: pure functions from what the user is looking at (a finding, marked
//! findings, an IAM principal) to the [`Plan`]s that apply. Nothing here calls AWS.

use super::{ApiCall, Capture, Plan, Precondition, UndoPlan};
use crate::dataset::Dataset;
use crate::model::{Finding, IamRole, IamUser, PasswordPolicy, Source, Workflow};
use crate::posture::rules as r;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

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

const KEY_SESSIONS_NOTE: &str = "Deactivating a key does not end sessions already minted from it (sts:GetSessionToken / AssumeRole credentials stay valid until they expire, up to 36 hours); revoke sessions for that.";

/// Every catalog action id, for docs and the remediation policy test.
pub const ACTION_IDS: &[&str] = &[
    "iam.deactivate-access-key",
    "iam.activate-access-key",
    "iam.delete-access-key",
    "iam.delete-login-profile",
    "iam.quarantine",
    "iam.deny-all",
    "iam.revoke-sessions",
    "iam.detach-user-policy",
    "iam.remove-user-from-group",
    "iam.password-policy-cis",
    "iam.contain-principal",
    "iam.save-configuration",
    "securityhub.workflow",
    "guardduty.archive",
    "guardduty.unarchive",
    "guardduty.feedback",
    "access-analyzer.archive",
    "access-analyzer.unarchive",
    "guardduty.enable",
    "securityhub.enable",
    "access-analyzer.enable",
    "access-analyzer.enable-unused-access",
];

fn user_arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

// ---- IAM: access keys, login profile ---------------------------------------------------------

pub fn deactivate_access_key(user: &str, key_id: &str) -> Plan {
    Plan {
        action: "iam.deactivate-access-key".into(),
        title: format!("Deactivate access key {key_id} of {user}"),
        targets: vec![key_id.into()],
        confirm_text: key_id.into(),
        calls: vec![ApiCall::iam(
            "UpdateAccessKey",
            json!({"UserName": user, "AccessKeyId": key_id, "Status": "Inactive"}),
        )],
        preconditions: vec![Precondition::AccessKey {
            user: user.into(),
            key_id: key_id.into(),
            status: None,
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![ApiCall::iam(
                "UpdateAccessKey",
                json!({"UserName": user, "AccessKeyId": key_id, "Status": "Active"}),
            )],
        },
        destructive: true,
        notes: vec![
            "Programs using this key start failing at once.".into(),
            KEY_SESSIONS_NOTE.into(),
        ],
        undo_of: None,
    }
}

pub fn delete_access_key(user: &str, key_id: &str) -> Plan {
    Plan {
        action: "iam.delete-access-key".into(),
        title: format!("Delete access key {key_id} of {user}"),
        targets: vec![key_id.into()],
        confirm_text: key_id.into(),
        calls: vec![ApiCall::iam(
            "DeleteAccessKey",
            json!({"UserName": user, "AccessKeyId": key_id}),
        )],
        preconditions: vec![Precondition::AccessKey {
            user: user.into(),
            key_id: key_id.into(),
            status: None,
        }],
        capture: None,
        undo: UndoPlan::Irreversible {
            reason: "a deleted access key cannot be restored; a new key has a new id and secret"
                .into(),
        },
        destructive: true,
        notes: vec![
            "Deactivate first and watch for breakage if the key may still be in use.".into(),
            KEY_SESSIONS_NOTE.into(),
        ],
        undo_of: None,
    }
}

pub fn delete_login_profile(user: &str) -> Plan {
    Plan {
        action: "iam.delete-login-profile".into(),
        title: format!("Delete the console password of {user}"),
        targets: vec![user.into()],
        confirm_text: user.into(),
        calls: vec![ApiCall::iam(
            "DeleteLoginProfile",
            json!({"UserName": user}),
        )],
        preconditions: vec![Precondition::LoginProfileExists { user: user.into() }],
        capture: None,
        undo: UndoPlan::Irreversible {
            reason: "the password cannot be restored; a new one can be set with CreateLoginProfile"
                .into(),
        },
        destructive: true,
        notes: vec![
            "Console sessions already signed in stay valid until they expire; access keys are not affected.".into(),
        ],
        undo_of: None,
    }
}

// ---- IAM: deny policies and sessions ---------------------------------------------------------

/// A user or role, as the IAM API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal<'a> {
    User(&'a str),
    Role(&'a str),
}

impl Principal<'_> {
    fn label(&self) -> String {
        match self {
            Principal::User(n) => format!("user {n}"),
            Principal::Role(n) => format!("role {n}"),
        }
    }
    fn name(&self) -> &str {
        match self {
            Principal::User(n) | Principal::Role(n) => n,
        }
    }
    fn key(&self) -> (&'static str, &'static str) {
        match self {
            Principal::User(_) => ("UserName", "User"),
            Principal::Role(_) => ("RoleName", "Role"),
        }
    }
    fn exists(&self) -> Precondition {
        match self {
            Principal::User(n) => Precondition::UserExists {
                user: n.to_string(),
            },
            Principal::Role(n) => Precondition::RoleExists {
                role: n.to_string(),
            },
        }
    }
    fn attach(&self, policy_arn: &str) -> ApiCall {
        let (k, kind) = self.key();
        ApiCall::iam(
            &format!("Attach{kind}Policy"),
            json!({k: self.name(), "PolicyArn": policy_arn}),
        )
    }
    fn detach(&self, policy_arn: &str) -> ApiCall {
        let (k, kind) = self.key();
        ApiCall::iam(
            &format!("Detach{kind}Policy"),
            json!({k: self.name(), "PolicyArn": policy_arn}),
        )
    }
    fn put_inline(&self, name: &str, doc: &Value) -> ApiCall {
        let (k, kind) = self.key();
        ApiCall::iam(
            &format!("Put{kind}Policy"),
            json!({k: self.name(), "PolicyName": name, "PolicyDocument": doc.to_string()}),
        )
    }
    fn delete_inline(&self, name: &str) -> ApiCall {
        let (k, kind) = self.key();
        ApiCall::iam(
            &format!("Delete{kind}Policy"),
            json!({k: self.name(), "PolicyName": name}),
        )
    }
}

/// Attach AWS's quarantine policy (`deny_all`: AWSDenyAll instead).
pub fn quarantine(p: Principal<'_>, deny_all: bool) -> Plan {
    let (arn, action, what) = if deny_all {
        (DENY_ALL_POLICY, "iam.deny-all", "AWSDenyAll")
    } else {
        (
            QUARANTINE_POLICY,
            "iam.quarantine",
            "AWSCompromisedKeyQuarantineV3",
        )
    };
    let note = if deny_all {
        "AWSDenyAll denies every action of this principal, including its existing sessions (policies are evaluated on each request).".to_string()
    } else {
        "AWSCompromisedKeyQuarantineV3 is NOT deny-all: it denies the actions attackers use most (IAM changes, creating compute, keys, users), other actions stay allowed. Use AWSDenyAll to stop everything.".to_string()
    };
    Plan {
        action: action.into(),
        title: format!("Attach {what} to {}", p.label()),
        targets: vec![p.name().into()],
        confirm_text: p.name().into(),
        calls: vec![p.attach(arn)],
        preconditions: vec![p.exists()],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![p.detach(arn)],
        },
        destructive: true,
        notes: vec![note],
        undo_of: None,
    }
}

/// The policy AWS's console attaches for "Revoke active sessions": deny everything to
/// credentials issued before `now`.
pub fn revoke_policy(now: DateTime<Utc>) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Action": ["*"],
            "Resource": ["*"],
            "Condition": {"DateLessThan": {
                "aws:TokenIssueTime": now.to_rfc3339_opts(SecondsFormat::Secs, true)
            }}
        }]
    })
}

pub fn revoke_sessions(p: Principal<'_>, now: DateTime<Utc>) -> Plan {
    let doc = revoke_policy(now);
    Plan {
        action: "iam.revoke-sessions".into(),
        title: format!("Revoke the sessions of {} issued before now", p.label()),
        targets: vec![p.name().into()],
        confirm_text: p.name().into(),
        calls: vec![p.put_inline(REVOKE_POLICY_NAME, &doc)],
        preconditions: vec![p.exists()],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![p.delete_inline(REVOKE_POLICY_NAME)],
        },
        destructive: true,
        notes: vec![
            "Denies every request made with temporary credentials issued before now (aws:TokenIssueTime); new sessions work.".into(),
            match p {
                Principal::User(_) => "Long-term access keys are not temporary credentials: deactivate them separately.".into(),
                Principal::Role(_) => "Whoever can still assume the role gets a fresh session: fix the trust policy or quarantine too.".into(),
            },
        ],
        undo_of: None,
    }
}

pub fn detach_user_policy(user: &str, policy_arn: &str) -> Plan {
    Plan {
        action: "iam.detach-user-policy".into(),
        title: format!("Detach {} from user {user}", user_arn_name(policy_arn)),
        targets: vec![user.into()],
        confirm_text: user.into(),
        calls: vec![Principal::User(user).detach(policy_arn)],
        preconditions: vec![Precondition::UserPolicyAttached {
            user: user.into(),
            policy_arn: policy_arn.into(),
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![Principal::User(user).attach(policy_arn)],
        },
        destructive: true,
        notes: vec![
            "Grant it through a group instead (CIS 1.15): the user loses these permissions now."
                .into(),
        ],
        undo_of: None,
    }
}

pub fn remove_user_from_group(user: &str, group: &str) -> Plan {
    Plan {
        action: "iam.remove-user-from-group".into(),
        title: format!("Remove user {user} from group {group}"),
        targets: vec![user.into()],
        confirm_text: user.into(),
        calls: vec![ApiCall::iam(
            "RemoveUserFromGroup",
            json!({"GroupName": group, "UserName": user}),
        )],
        preconditions: vec![Precondition::UserInGroup {
            user: user.into(),
            group: group.into(),
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![ApiCall::iam(
                "AddUserToGroup",
                json!({"GroupName": group, "UserName": user}),
            )],
        },
        destructive: true,
        notes: vec!["The user loses the group's permissions now.".into()],
        undo_of: None,
    }
}

/// UpdateAccountPasswordPolicy's parameters for a policy (IAM's member names).
pub fn password_policy_params(p: &PasswordPolicy) -> Value {
    let mut v = json!({
        "RequireSymbols": p.require_symbols,
        "RequireNumbers": p.require_numbers,
        "RequireUppercaseCharacters": p.require_uppercase_characters,
        "RequireLowercaseCharacters": p.require_lowercase_characters,
        "AllowUsersToChangePassword": p.allow_users_to_change_password,
    });
    let o = v.as_object_mut().expect("object");
    if let Some(n) = p.minimum_password_length {
        o.insert("MinimumPasswordLength".into(), json!(n));
    }
    if let Some(n) = p.max_password_age.filter(|_| p.expire_passwords) {
        o.insert("MaxPasswordAge".into(), json!(n));
    }
    if let Some(n) = p.password_reuse_prevention {
        o.insert("PasswordReusePrevention".into(), json!(n));
    }
    if let Some(h) = p.hard_expiry {
        o.insert("HardExpiry".into(), json!(h));
    }
    v
}

/// The CIS v3.0.0 baseline (1.8 length ≥ 14, 1.9 reuse 24) on top of what is set now; stricter
/// current settings are kept.
pub fn cis_password_policy(current: Option<&PasswordPolicy>) -> Plan {
    let mut p = current.cloned().unwrap_or_default();
    p.minimum_password_length = Some(p.minimum_password_length.unwrap_or(0).max(14));
    p.password_reuse_prevention = Some(p.password_reuse_prevention.unwrap_or(0).max(24));
    p.require_symbols = true;
    p.require_numbers = true;
    p.require_uppercase_characters = true;
    p.require_lowercase_characters = true;
    p.allow_users_to_change_password = true;
    Plan {
        action: "iam.password-policy-cis".into(),
        title: "Set the account password policy to the CIS baseline (length 14, reuse 24)".into(),
        targets: vec!["password-policy".into()],
        confirm_text: "password-policy".into(),
        calls: vec![ApiCall::iam(
            "UpdateAccountPasswordPolicy",
            password_policy_params(&p),
        )],
        preconditions: vec![],
        capture: Some(Capture::PasswordPolicy),
        undo: UndoPlan::FromCapture {
            description: "restore the policy read right before (or delete it if there was none)"
                .into(),
        },
        destructive: false,
        notes: vec![
            "Applies at each user's next password change; existing passwords keep working.".into(),
        ],
        undo_of: None,
    }
}

/// Save a principal's configuration to the journal (the first containment step): no change.
pub fn save_configuration(p: Principal<'_>) -> Plan {
    let capture = match p {
        Principal::User(u) => Capture::User { user: u.into() },
        Principal::Role(r) => Capture::Role { role: r.into() },
    };
    Plan {
        action: "iam.save-configuration".into(),
        title: format!("Save the configuration of {} to the journal", p.label()),
        targets: vec![p.name().into()],
        confirm_text: p.name().into(),
        calls: vec![],
        preconditions: vec![p.exists()],
        capture: Some(capture),
        undo: UndoPlan::Irreversible {
            reason: "nothing to undo: it only reads".into(),
        },
        destructive: false,
        notes: vec!["Reads only: keys and their status, policies, groups, login profile.".into()],
        undo_of: None,
    }
}

/// Revoke the sessions of several roles in one action (the roles a compromised user could
/// assume). None when there is no role.
pub fn revoke_sessions_many(roles: &[String], now: DateTime<Utc>) -> Option<Plan> {
    if roles.is_empty() {
        return None;
    }
    let doc = revoke_policy(now);
    let calls = roles
        .iter()
        .map(|r| Principal::Role(r).put_inline(REVOKE_POLICY_NAME, &doc))
        .collect();
    let undo = roles
        .iter()
        .map(|r| Principal::Role(r).delete_inline(REVOKE_POLICY_NAME))
        .collect();
    Some(Plan {
        action: "iam.revoke-sessions".into(),
        title: format!(
            "Revoke the sessions issued before now of role(s) {}",
            roles.join(", ")
        ),
        targets: roles.to_vec(),
        confirm_text: roles.join(","),
        calls,
        preconditions: roles
            .iter()
            .map(|r| Precondition::RoleExists { role: r.clone() })
            .collect(),
        capture: None,
        undo: UndoPlan::Calls { calls: undo },
        destructive: true,
        notes: vec!["Denies every request made with role credentials issued before now (aws:TokenIssueTime); new sessions work.".into()],
        undo_of: None,
    })
}

// ---- containment -----------------------------------------------------------------------------

/// Contain a user as AWS's runbook does: save its configuration (journal), deactivate every
/// active key, revoke its sessions, attach the quarantine policy. Undo restores from the save.
pub fn contain_user(u: &IamUser, now: DateTime<Utc>) -> Plan {
    let p = Principal::User(&u.user_name);
    let mut calls: Vec<ApiCall> = u
        .active_keys()
        .map(|k| {
            ApiCall::iam(
                "UpdateAccessKey",
                json!({"UserName": u.user_name, "AccessKeyId": k.access_key_id, "Status": "Inactive"}),
            )
        })
        .collect();
    calls.push(p.put_inline(REVOKE_POLICY_NAME, &revoke_policy(now)));
    calls.push(p.attach(QUARANTINE_POLICY));
    Plan {
        action: "iam.contain-principal".into(),
        title: format!("Contain user {}: deactivate keys, revoke sessions, quarantine", u.user_name),
        targets: vec![u.arn.clone()],
        confirm_text: u.user_name.clone(),
        calls,
        preconditions: vec![p.exists()],
        capture: Some(Capture::User {
            user: u.user_name.clone(),
        }),
        undo: UndoPlan::FromCapture {
            description: "restore the saved configuration: reactivate the keys that were active, delete the revoke policy, detach the quarantine policy".into(),
        },
        destructive: true,
        notes: vec![
            "The user's keys, policies, groups and login profile are saved to the journal first.".into(),
            "AWSCompromisedKeyQuarantineV3 is not deny-all; the login profile is kept (delete it separately if the console password may be compromised).".into(),
            KEY_SESSIONS_NOTE.into(),
        ],
        undo_of: None,
    }
}

pub fn contain_role(role: &IamRole, now: DateTime<Utc>) -> Plan {
    let p = Principal::Role(&role.role_name);
    Plan {
        action: "iam.contain-principal".into(),
        title: format!("Contain role {}: revoke sessions, quarantine", role.role_name),
        targets: vec![role.arn.clone()],
        confirm_text: role.role_name.clone(),
        calls: vec![
            p.put_inline(REVOKE_POLICY_NAME, &revoke_policy(now)),
            p.attach(QUARANTINE_POLICY),
        ],
        preconditions: vec![p.exists()],
        capture: Some(Capture::Role {
            role: role.role_name.clone(),
        }),
        undo: UndoPlan::FromCapture {
            description: "delete the revoke policy and detach the quarantine policy unless they were there before".into(),
        },
        destructive: true,
        notes: vec![
            "The role's policies are saved to the journal first.".into(),
            "AWSCompromisedKeyQuarantineV3 is not deny-all. Whoever may assume the role can mint new sessions: review the trust policy.".into(),
        ],
        undo_of: None,
    }
}

/// The undo calls of a [`Capture`]d action, from the state read right before it.
pub fn undo_from_capture(plan: &Plan, captured: &Value) -> Vec<ApiCall> {
    match &plan.capture {
        Some(Capture::PasswordPolicy) => {
            let before = &captured["GetAccountPasswordPolicy"];
            if before.is_null() {
                vec![ApiCall::iam("DeleteAccountPasswordPolicy", json!({}))]
            } else {
                match serde_json::from_value::<PasswordPolicy>(before.clone()) {
                    Ok(p) => vec![ApiCall::iam(
                        "UpdateAccountPasswordPolicy",
                        password_policy_params(&p),
                    )],
                    Err(_) => Vec::new(),
                }
            }
        }
        Some(Capture::User { user }) => {
            let p = Principal::User(user);
            let mut undo = Vec::new();
            let was_active = |id: &str| {
                captured["ListAccessKeys"]["AccessKeyMetadata"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k["AccessKeyId"] == id && k["Status"] == "Active")
            };
            for c in &plan.calls {
                if c.operation == "UpdateAccessKey" && c.params["Status"] == "Inactive" {
                    let id = c.params["AccessKeyId"].as_str().unwrap_or_default();
                    if was_active(id) {
                        undo.push(ApiCall::iam(
                            "UpdateAccessKey",
                            json!({"UserName": user, "AccessKeyId": id, "Status": "Active"}),
                        ));
                    }
                }
            }
            undo.extend(undo_policies(
                p,
                plan,
                &captured["ListUserPolicies"],
                &captured["ListAttachedUserPolicies"],
            ));
            undo
        }
        Some(Capture::Role { role }) => undo_policies(
            Principal::Role(role),
            plan,
            &captured["ListRolePolicies"],
            &captured["ListAttachedRolePolicies"],
        ),
        None => Vec::new(),
    }
}

/// Delete the inline policies and detach the managed ones the plan added, unless the capture
/// shows they were already there.
fn undo_policies(p: Principal<'_>, plan: &Plan, inline: &Value, attached: &Value) -> Vec<ApiCall> {
    let had_inline = |name: &str| {
        inline["PolicyNames"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n == name)
    };
    let had_attached = |arn: &str| {
        attached["AttachedPolicies"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["PolicyArn"] == arn)
    };
    let mut undo = Vec::new();
    for c in &plan.calls {
        if c.operation.starts_with("Put") && c.operation.ends_with("Policy") {
            let name = c.params["PolicyName"].as_str().unwrap_or_default();
            if !had_inline(name) {
                undo.push(p.delete_inline(name));
            }
        }
        if c.operation.starts_with("Attach") {
            let arn = c.params["PolicyArn"].as_str().unwrap_or_default();
            if !had_attached(arn) {
                undo.push(p.detach(arn));
            }
        }
    }
    undo
}

// ---- findings --------------------------------------------------------------------------------

/// One Security Hub finding to update: its identifiers and its status now.
#[derive(Debug, Clone, PartialEq)]
pub struct ShTarget {
    pub id: String,
    pub product_arn: String,
    pub region: String,
    pub previous: Workflow,
}

fn sh_targets(findings: &[&Finding]) -> Vec<ShTarget> {
    let mut out = Vec::new();
    for f in findings {
        for rec in f.records.iter().filter(|r| r.source == Source::SecurityHub) {
            let Some(product_arn) = rec.product_arn.clone() else {
                continue;
            };
            let previous = rec.raw["Workflow"]["Status"]
                .as_str()
                .and_then(Workflow::parse)
                .unwrap_or(f.workflow);
            out.push(ShTarget {
                id: rec.id.clone(),
                product_arn,
                region: rec.region.clone(),
                previous,
            });
        }
    }
    out
}

fn sh_update_calls(targets: &[&ShTarget], status: Workflow, note: &str) -> Vec<ApiCall> {
    let mut by_region: Vec<(&str, Vec<&ShTarget>)> = Vec::new();
    for t in targets {
        match by_region.iter_mut().find(|(r, _)| *r == t.region) {
            Some((_, v)) => v.push(t),
            None => by_region.push((&t.region, vec![t])),
        }
    }
    let mut calls = Vec::new();
    for (region, ts) in by_region {
        for chunk in ts.chunks(SH_BATCH) {
            let ids: Vec<Value> = chunk
                .iter()
                .map(|t| json!({"Id": t.id, "ProductArn": t.product_arn}))
                .collect();
            calls.push(ApiCall::regional(
                "securityhub",
                "BatchUpdateFindings",
                region,
                json!({
                    "FindingIdentifiers": ids,
                    "Workflow": {"Status": status.label()},
                    "Note": {"Text": note, "UpdatedBy": "guardpost"},
                }),
            ));
        }
    }
    calls
}

/// Set Security Hub's workflow status of the findings' Security Hub records (the findings'
/// own, or Security Hub's copies of GuardDuty / Access Analyzer findings).
pub fn securityhub_workflow(findings: &[&Finding], status: Workflow, note: &str) -> Option<Plan> {
    let targets = sh_targets(findings);
    if targets.is_empty() {
        return None;
    }
    let all: Vec<&ShTarget> = targets.iter().collect();
    let calls = sh_update_calls(&all, status, note);
    // Undo: one update per previous status.
    let mut undo = Vec::new();
    for prev in [
        Workflow::New,
        Workflow::Notified,
        Workflow::Resolved,
        Workflow::Suppressed,
    ] {
        let group: Vec<&ShTarget> = targets.iter().filter(|t| t.previous == prev).collect();
        if !group.is_empty() {
            undo.extend(sh_update_calls(
                &group,
                prev,
                &format!("guardpost: undo of {}", status.label()),
            ));
        }
    }
    let n = targets.len();
    Some(Plan {
        action: "securityhub.workflow".into(),
        title: format!(
            "Set {} Security Hub finding{} to {}",
            n,
            if n == 1 { "" } else { "s" },
            status.label()
        ),
        targets: targets.iter().map(|t| t.id.clone()).collect(),
        confirm_text: status.label().into(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls { calls: undo },
        destructive: false,
        notes: match status {
            Workflow::Resolved | Workflow::Suppressed => vec![format!(
                "{} findings leave the default view (workflow NEW / NOTIFIED); press `a` to show closed ones.",
                status.label()
            )],
            _ => vec![],
        },
        undo_of: None,
    })
}

/// One service's records of some findings, grouped by region and by the container its API
/// acts through (GuardDuty detector, Access Analyzer analyzer): `(region, container, ids)`.
type Groups = Vec<(String, String, Vec<String>)>;

fn group_records(
    findings: &[&Finding],
    source: Source,
    container: impl Fn(&Value) -> Option<&str>,
) -> Groups {
    let mut out: Groups = Vec::new();
    for f in findings {
        for rec in f.records.iter().filter(|r| r.source == source) {
            let Some(c) = container(&rec.raw) else {
                continue;
            };
            match out.iter_mut().find(|(r, x, _)| *r == rec.region && x == c) {
                Some((_, _, ids)) => ids.push(rec.id.clone()),
                None => out.push((rec.region.clone(), c.to_string(), vec![rec.id.clone()])),
            }
        }
    }
    out
}

/// One call per `batch` ids of each group.
fn batched(
    groups: &Groups,
    batch: usize,
    call: impl Fn(&str, &str, &[String]) -> ApiCall,
) -> Vec<ApiCall> {
    groups
        .iter()
        .flat_map(|(region, c, ids)| {
            ids.chunks(batch)
                .map(|chunk| call(region, c, chunk))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn ids_of(groups: &Groups) -> Vec<String> {
    groups.iter().flat_map(|(_, _, ids)| ids.clone()).collect()
}

/// The findings' GuardDuty records by region and detector.
fn gd_groups(findings: &[&Finding]) -> Groups {
    group_records(findings, Source::GuardDuty, |raw| {
        // GetFindings puts it in service.detectorId; the finding ARN names it too.
        raw["service"]["detectorId"].as_str().or_else(|| {
            raw["arn"]
                .as_str()
                .and_then(|a| a.split("/detector/").nth(1))
                .and_then(|rest| rest.split('/').next())
        })
    })
}

fn gd_calls(groups: &Groups, op: &str, extra: &Value) -> Vec<ApiCall> {
    batched(groups, GD_BATCH, |region, det, ids| {
        let mut params = json!({"DetectorId": det, "FindingIds": ids});
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        ApiCall::regional("guardduty", op, region, params)
    })
}

pub fn guardduty_archive(findings: &[&Finding], archive: bool) -> Option<Plan> {
    let (op, back, verb) = if archive {
        ("ArchiveFindings", "UnarchiveFindings", "Archive")
    } else {
        ("UnarchiveFindings", "ArchiveFindings", "Unarchive")
    };
    let groups = gd_groups(findings);
    let calls = gd_calls(&groups, op, &json!({}));
    if calls.is_empty() {
        return None;
    }
    let targets = ids_of(&groups);
    Some(Plan {
        action: if archive {
            "guardduty.archive"
        } else {
            "guardduty.unarchive"
        }
        .into(),
        title: format!("{verb} {} GuardDuty finding(s)", targets.len()),
        targets,
        confirm_text: verb.to_lowercase(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: gd_calls(&groups, back, &json!({})),
        },
        destructive: false,
        notes: if archive {
            vec!["Archiving hides the finding; GuardDuty still updates it if the activity recurs (it is not a suppression rule).".into()]
        } else {
            vec![]
        },
        undo_of: None,
    })
}

pub fn guardduty_feedback(findings: &[&Finding], useful: bool, comment: &str) -> Option<Plan> {
    let fb = if useful { "USEFUL" } else { "NOT_USEFUL" };
    let groups = gd_groups(findings);
    let calls = gd_calls(
        &groups,
        "UpdateFindingsFeedback",
        &json!({"Feedback": fb, "Comments": comment}),
    );
    if calls.is_empty() {
        return None;
    }
    let targets = ids_of(&groups);
    Some(Plan {
        action: "guardduty.feedback".into(),
        title: format!(
            "Mark {} GuardDuty finding(s) {}",
            targets.len(),
            if useful { "useful" } else { "not useful" }
        ),
        targets,
        confirm_text: fb.into(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Irreversible {
            reason: "GuardDuty does not return earlier feedback, so it cannot be put back (new feedback replaces it)".into(),
        },
        destructive: false,
        notes: vec![],
        undo_of: None,
    })
}

fn aa_calls(groups: &Groups, status: &str) -> Vec<ApiCall> {
    batched(groups, AA_BATCH, |region, analyzer, ids| {
        ApiCall::regional(
            "access-analyzer",
            "UpdateFindings",
            region,
            json!({"analyzerArn": analyzer, "ids": ids, "status": status}),
        )
    })
}

pub fn access_analyzer_archive(findings: &[&Finding], archive: bool) -> Option<Plan> {
    let (status, back, verb) = if archive {
        ("ARCHIVED", "ACTIVE", "Archive")
    } else {
        ("ACTIVE", "ARCHIVED", "Unarchive")
    };
    let groups = group_records(findings, Source::AccessAnalyzer, |raw| {
        raw["analyzerArn"].as_str()
    });
    let calls = aa_calls(&groups, status);
    if calls.is_empty() {
        return None;
    }
    let targets = ids_of(&groups);
    Some(Plan {
        action: if archive {
            "access-analyzer.archive"
        } else {
            "access-analyzer.unarchive"
        }
        .into(),
        title: format!("{verb} {} Access Analyzer finding(s)", targets.len()),
        targets,
        confirm_text: verb.to_lowercase(),
        calls,
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: aa_calls(&groups, back),
        },
        destructive: false,
        notes: if archive {
            vec!["Archiving accepts the access as intended; the access itself is unchanged.".into()]
        } else {
            vec![]
        },
        undo_of: None,
    })
}

// ---- enabling services -----------------------------------------------------------------------

pub fn enable_guardduty(region: &str) -> Plan {
    Plan {
        action: "guardduty.enable".into(),
        title: format!("Enable GuardDuty in {region}"),
        targets: vec![format!("guardduty:{region}")],
        confirm_text: region.into(),
        calls: vec![ApiCall::regional(
            "guardduty",
            "CreateDetector",
            region,
            json!({"Enable": true, "FindingPublishingFrequency": "FIFTEEN_MINUTES"}),
        )],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::FromCapture {
            description: "guardduty:DeleteDetector on the detector created (its findings are deleted with it)".into(),
        },
        destructive: false,
        notes: vec!["GuardDuty is billed by the volume of events it analyses (30-day free trial per region).".into()],
        undo_of: None,
    }
}

pub fn enable_securityhub(region: &str) -> Plan {
    Plan {
        action: "securityhub.enable".into(),
        title: format!("Enable Security Hub in {region}"),
        targets: vec![format!("securityhub:{region}")],
        confirm_text: region.into(),
        calls: vec![ApiCall::regional(
            "securityhub",
            "EnableSecurityHub",
            region,
            json!({"EnableDefaultStandards": true}),
        )],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![ApiCall::regional(
                "securityhub",
                "DisableSecurityHub",
                region,
                json!({}),
            )],
        },
        destructive: false,
        notes: vec!["Security Hub is billed per security check and finding ingested (30-day free trial per region); AWS Config must record resources for its controls.".into()],
        undo_of: None,
    }
}

pub const ANALYZER_NAME: &str = "guardpost-external-access";
pub const UNUSED_ANALYZER_NAME: &str = "guardpost-unused-access";

/// An external-access analyzer (type ACCOUNT: free) or, with `unused`, an unused-access
/// analyzer (ACCOUNT_UNUSED_ACCESS: billed per role and user per month).
pub fn enable_access_analyzer(region: &str, unused: bool) -> Plan {
    let (name, typ, action) = if unused {
        (
            UNUSED_ANALYZER_NAME,
            "ACCOUNT_UNUSED_ACCESS",
            "access-analyzer.enable-unused-access",
        )
    } else {
        (ANALYZER_NAME, "ACCOUNT", "access-analyzer.enable")
    };
    let mut params = json!({"analyzerName": name, "type": typ});
    if unused {
        params["configuration"] = json!({"unusedAccess": {"unusedAccessAge": 90}});
    }
    Plan {
        action: action.into(),
        title: if unused {
            format!("Create a PAID unused-access analyzer in {region}")
        } else {
            format!("Create an external-access analyzer (free) in {region}")
        },
        targets: vec![format!("access-analyzer:{region}")],
        confirm_text: region.into(),
        calls: vec![ApiCall::regional(
            "access-analyzer",
            "CreateAnalyzer",
            region,
            params,
        )],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![ApiCall::regional(
                "access-analyzer",
                "DeleteAnalyzer",
                region,
                json!({"analyzerName": name}),
            )],
        },
        destructive: false,
        notes: if unused {
            vec!["COSTS MONEY: unused-access analysis is billed per IAM role and user analysed per month. It does not count for CIS 1.20 / IAM.28 (an external-access analyzer does).".into()]
        } else {
            vec!["External-access analysis of the account's resources is free.".into()]
        },
        undo_of: None,
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
                let mut p = deactivate_access_key(name, &k.access_key_id);
                p.action = "iam.activate-access-key".into();
                p.title = format!("Reactivate access key {} of {name}", k.access_key_id);
                std::mem::swap(
                    &mut p.calls,
                    match &mut p.undo {
                        UndoPlan::Calls { calls } => calls,
                        _ => unreachable!("deactivate has an undo"),
                    },
                );
                p.notes = vec!["Programs holding this key can use it again.".into()];
                out.push(p);
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
            !(p.action.starts_with("iam.quarantine") || p.action == "iam.deny-all")
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
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
