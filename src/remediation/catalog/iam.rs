//! IAM actions: access keys, console passwords, deny policies, sessions, groups, the password
//! policy, saving a principal's configuration and containment.

use super::{Action, DENY_ALL_POLICY, KEY_SESSIONS_NOTE, QUARANTINE_POLICY, REVOKE_POLICY_NAME};
use crate::model::{IamRole, IamUser, PasswordPolicy};
use crate::remediation::{ApiCall, Capture, Plan, Precondition, UndoPlan};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

pub(crate) fn user_arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

// ---- IAM: access keys, login profile ---------------------------------------------------------

pub fn deactivate_access_key(user: &str, key_id: &str) -> Plan {
    key_status(user, key_id, false)
}

/// Reactivate an inactive key (weakens security: programs holding it work again).
pub fn activate_access_key(user: &str, key_id: &str) -> Plan {
    key_status(user, key_id, true)
}

/// UpdateAccessKey to `Active` (`active`) or `Inactive`, undone by the opposite.
fn key_status(user: &str, key_id: &str, active: bool) -> Plan {
    let call = |status: &str| {
        ApiCall::iam(
            "UpdateAccessKey",
            json!({"UserName": user, "AccessKeyId": key_id, "Status": status}),
        )
    };
    let (action, verb, to, back, notes) = if active {
        (
            Action::ActivateAccessKey,
            "Reactivate",
            "Active",
            "Inactive",
            vec!["Programs holding this key can use it again.".into()],
        )
    } else {
        (
            Action::DeactivateAccessKey,
            "Deactivate",
            "Inactive",
            "Active",
            vec![
                "Programs using this key start failing at once.".into(),
                KEY_SESSIONS_NOTE.into(),
            ],
        )
    };
    Plan {
        action,
        title: format!("{verb} access key {key_id} of {user}"),
        targets: vec![key_id.into()],
        confirm_text: key_id.into(),
        calls: vec![call(to)],
        preconditions: vec![Precondition::AccessKey {
            user: user.into(),
            key_id: key_id.into(),
            status: None,
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![call(back)],
        },
        destructive: true,
        notes,
        undo_of: None,
    }
}

pub fn delete_access_key(user: &str, key_id: &str) -> Plan {
    Plan {
        action: Action::DeleteAccessKey,
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
        action: Action::DeleteLoginProfile,
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
    pub(crate) fn label(&self) -> String {
        match self {
            Principal::User(n) => format!("user {n}"),
            Principal::Role(n) => format!("role {n}"),
        }
    }
    pub(crate) fn name(&self) -> &str {
        match self {
            Principal::User(n) | Principal::Role(n) => n,
        }
    }
    pub(crate) fn key(&self) -> (&'static str, &'static str) {
        match self {
            Principal::User(_) => ("UserName", "User"),
            Principal::Role(_) => ("RoleName", "Role"),
        }
    }
    pub(crate) fn exists(&self) -> Precondition {
        match self {
            Principal::User(n) => Precondition::UserExists {
                user: n.to_string(),
            },
            Principal::Role(n) => Precondition::RoleExists {
                role: n.to_string(),
            },
        }
    }
    pub(crate) fn attach(&self, policy_arn: &str) -> ApiCall {
        let (k, kind) = self.key();
        ApiCall::iam(
            &format!("Attach{kind}Policy"),
            json!({k: self.name(), "PolicyArn": policy_arn}),
        )
    }
    pub(crate) fn detach(&self, policy_arn: &str) -> ApiCall {
        let (k, kind) = self.key();
        ApiCall::iam(
            &format!("Detach{kind}Policy"),
            json!({k: self.name(), "PolicyArn": policy_arn}),
        )
    }
    pub(crate) fn put_inline(&self, name: &str, doc: &Value) -> ApiCall {
        let (k, kind) = self.key();
        ApiCall::iam(
            &format!("Put{kind}Policy"),
            json!({k: self.name(), "PolicyName": name, "PolicyDocument": doc.to_string()}),
        )
    }
    pub(crate) fn delete_inline(&self, name: &str) -> ApiCall {
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
        (DENY_ALL_POLICY, Action::DenyAll, "AWSDenyAll")
    } else {
        (
            QUARANTINE_POLICY,
            Action::Quarantine,
            "AWSCompromisedKeyQuarantineV3",
        )
    };
    let note = if deny_all {
        "AWSDenyAll denies every action of this principal, including its existing sessions (policies are evaluated on each request).".to_string()
    } else {
        "AWSCompromisedKeyQuarantineV3 is NOT deny-all: it denies the actions attackers use most (IAM changes, creating compute, keys, users), other actions stay allowed. Use AWSDenyAll to stop everything.".to_string()
    };
    Plan {
        action,
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
        action: Action::RevokeSessions,
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
        action: Action::DetachUserPolicy,
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
        action: Action::RemoveUserFromGroup,
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
        action: Action::PasswordPolicyCis,
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
        action: Action::SaveConfiguration,
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
        action: Action::RevokeSessions,
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
        action: Action::ContainPrincipal,
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
        action: Action::ContainPrincipal,
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

// ---- IAM: ownership --------------------------------------------------------------------------

/// Tag a user with its owner. `previous` is the value the tag had (an empty or blank one
/// counts as none for the rule): the undo puts it back, or removes the tag.
pub fn tag_owner(user: &str, key: &str, owner: &str, previous: Option<&str>) -> Plan {
    let tag = |value: &str| {
        ApiCall::iam(
            "TagUser",
            json!({"UserName": user, "Tags": [{"Key": key, "Value": value}]}),
        )
    };
    let undo = match previous {
        Some(v) => tag(v),
        None => ApiCall::iam("UntagUser", json!({"UserName": user, "TagKeys": [key]})),
    };
    Plan {
        action: Action::TagOwner,
        title: format!("Tag user {user} with {key}={owner}"),
        targets: vec![user.into()],
        confirm_text: user.into(),
        calls: vec![tag(owner)],
        preconditions: vec![Precondition::UserExists { user: user.into() }],
        capture: None,
        undo: UndoPlan::Calls { calls: vec![undo] },
        destructive: false,
        notes: vec!["Only the tag changes; the user's access is untouched.".into()],
        undo_of: None,
    }
}
