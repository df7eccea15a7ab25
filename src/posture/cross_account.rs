//! Who can become an administrator in another account of the organization (the bastion
//! pattern): a principal whose own policies allow `sts:AssumeRole` on an administrator role of
//! another account, whose trust policy lets that principal (or its whole account) in.
//!
//! Each account contributes an [`AccountReach`] when it is read — its administrator roles that
//! trust other accounts, and its principals that may assume roles elsewhere — so the whole
//! organization's datasets need not be kept to pair them up.
use super::policy::{Effect, Permissions, PrincipalKind, Request, Target, parse_document};
use super::rules::{self, CROSS_ACCOUNT_ADMIN};
use crate::model::{Finding, ResourceRef, Severity};
use chrono::{DateTime, Utc};
use serde_json::json;

/// An administrator role that principals of other accounts may assume.
#[derive(Debug, Clone)]
pub struct OpenRole {
    pub arn: String,
    pub name: String,
    /// Trusted AWS principals of other accounts: (account, exact principal ARN or `None` for
    /// the whole account, the statement requires MFA).
    pub trusted: Vec<(String, Option<String>, bool)>,
}

/// A user or role that may call sts:AssumeRole somewhere.
#[derive(Debug, Clone)]
pub struct Assumer {
    pub arn: String,
    pub name: String,
    pub kind: &'static str,
    pub perms: Permissions,
}

/// What one account contributes.
#[derive(Debug, Clone, Default)]
pub struct AccountReach {
    pub account: String,
    pub roles: Vec<OpenRole>,
    pub assumers: Vec<Assumer>,
}

impl AccountReach {
    /// Extracts the account's part from its inventory and escalation analysis (empty without
    /// IAM).
    pub fn of(
        account: &str,
        iam: Option<&crate::model::IamInventory>,
        analysis: &super::policy::Analysis,
    ) -> AccountReach {
        let account = account.to_string();
        let mut out = AccountReach {
            account: account.clone(),
            ..AccountReach::default()
        };
        let Some(iam) = iam else { return out };
        for r in &iam.role_detail_list {
            if !analysis.is_admin(&r.arn) {
                continue;
            }
            let Ok(stmts) = parse_document(&r.assume_role_policy_document) else {
                continue;
            };
            let mut trusted = Vec::new();
            for s in stmts
                .iter()
                .filter(|s| s.effect == Effect::Allow && s.allows_assume_role())
            {
                for p in s.principals.iter().filter(|p| p.kind == PrincipalKind::Aws) {
                    let Some(acct) = p.aws_account() else {
                        continue;
                    };
                    if acct == account {
                        continue;
                    }
                    let exact = (p.value.starts_with("arn:") && !p.value.ends_with(":root"))
                        .then(|| p.value.clone());
                    trusted.push((acct.to_string(), exact, s.requires_mfa()));
                }
            }
            if !trusted.is_empty() {
                out.roles.push(OpenRole {
                    arn: r.arn.clone(),
                    name: r.role_name.clone(),
                    trusted,
                });
            }
        }
        for n in &analysis.nodes {
            if n.perms.may_allow("sts:AssumeRole") {
                out.assumers.push(Assumer {
                    arn: n.arn.clone(),
                    name: n.name.clone(),
                    kind: match n.kind {
                        super::policy::escalation::NodeKind::User => "User",
                        super::policy::escalation::NodeKind::Role => "Role",
                    },
                    perms: n.perms.clone(),
                });
            }
        }
        out
    }
}

/// One way into another account's administrator role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminReach {
    pub from: String,
    pub from_account: String,
    pub role: String,
    pub role_account: String,
    /// The trust or the caller's grant requires MFA.
    pub needs_mfa: bool,
}

/// Every (principal, administrator role in another account) pair both sides allow.
pub fn reaches(accounts: &[&AccountReach]) -> Vec<(AdminReach, &'static str, String)> {
    let mut out = Vec::new();
    for from in accounts {
        for a in &from.assumers {
            for to in accounts.iter().filter(|t| t.account != from.account) {
                for role in &to.roles {
                    let trust = role.trusted.iter().find(|(acct, exact, _)| {
                        *acct == from.account && exact.as_deref().is_none_or(|e| e == a.arn)
                    });
                    let Some((_, _, trust_mfa)) = trust else {
                        continue;
                    };
                    let Some(grant) = a
                        .perms
                        .allows(&Request::new("sts:AssumeRole", Target::Arn(&role.arn)))
                    else {
                        continue;
                    };
                    out.push((
                        AdminReach {
                            from: a.arn.clone(),
                            from_account: from.account.clone(),
                            role: role.arn.clone(),
                            role_account: to.account.clone(),
                            needs_mfa: *trust_mfa || grant.needs_mfa,
                        },
                        a.kind,
                        a.name.clone(),
                    ));
                }
            }
        }
    }
    out
}

/// The findings of [`reaches`], one per principal (in the principal's account), naming every
/// account it can administer: High when some way needs no MFA, Informational when every way
/// does (the bastion pattern, listed so the reach is known).
pub fn findings(
    accounts: &[&AccountReach],
    name_of: &dyn Fn(&str) -> String,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let Some(rule) = rules::rule(CROSS_ACCOUNT_ADMIN) else {
        return Vec::new();
    };
    let all = reaches(accounts);
    let mut principals: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|(r, kind, name)| (r.from.as_str(), *kind, name.as_str()))
        .collect();
    principals.sort();
    principals.dedup();
    principals
        .into_iter()
        .map(|(arn, kind, name)| {
            let mine: Vec<&AdminReach> = all
                .iter()
                .filter(|(r, _, _)| r.from == arn)
                .map(|(r, _, _)| r)
                .collect();
            let from_account = mine[0].from_account.clone();
            let without_mfa: Vec<&&AdminReach> = mine.iter().filter(|r| !r.needs_mfa).collect();
            let mut targets: Vec<String> = mine.iter().map(|r| name_of(&r.role_account)).collect();
            targets.dedup();
            let title = format!(
                "{kind} {name} in {} can become administrator in {} {}{}",
                name_of(&from_account),
                mine.len(),
                if mine.len() == 1 {
                    "account"
                } else {
                    "accounts"
                },
                if without_mfa.is_empty() {
                    " (MFA required)".to_string()
                } else {
                    format!(" ({} without MFA)", without_mfa.len())
                }
            );
            let detail = format!(
                "By assuming: {}.",
                mine.iter()
                    .map(|r| format!(
                        "{} in {}{}",
                        r.role,
                        name_of(&r.role_account),
                        if r.needs_mfa { " (MFA)" } else { " (no MFA)" }
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            let evidence = json!({
                "principal": arn,
                "reaches": mine.iter().map(|r| json!({
                    "account": r.role_account,
                    "account_name": name_of(&r.role_account),
                    "role": r.role,
                    "needs_mfa": r.needs_mfa,
                })).collect::<Vec<_>>(),
            });
            let severity = if without_mfa.is_empty() {
                Severity::Informational
            } else {
                Severity::High
            };
            super::finding(
                rule,
                &from_account,
                ResourceRef {
                    arn: arn.to_string(),
                    kind: format!("AwsIam{kind}"),
                    name: name.to_string(),
                    region: None,
                },
                title,
                detail,
                evidence,
                Some(severity),
                now,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::policy::{Caller, SourcedStatement};
    use std::sync::Arc;

    fn assumer(account: &str, name: &str, resource: &str) -> Assumer {
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}]});
        let arn = format!("arn:aws:iam::{account}:user/{name}");
        Assumer {
            arn: arn.clone(),
            name: name.into(),
            kind: "User",
            perms: Permissions {
                caller: Caller {
                    arn,
                    user_name: Some(name.into()),
                    user_id: "AIDA".into(),
                    account: account.into(),
                },
                identity: parse_document(&doc)
                    .unwrap()
                    .into_iter()
                    .map(|s| SourcedStatement {
                        source: "hop (inline)".into(),
                        stmt: Arc::new(s),
                    })
                    .collect(),
                boundary: None,
                unknown: Vec::new(),
            },
        }
    }

    fn role(account: &str, name: &str, trusted: Vec<(String, Option<String>, bool)>) -> OpenRole {
        OpenRole {
            arn: format!("arn:aws:iam::{account}:role/{name}"),
            name: name.into(),
            trusted,
        }
    }

    #[test]
    fn both_sides_must_allow_and_mfa_on_every_way_makes_it_a_listing() {
        let bastion = AccountReach {
            account: "111111111111".into(),
            roles: vec![],
            assumers: vec![
                assumer("111111111111", "alice", "arn:aws:iam::*:role/Admin"),
                assumer(
                    "111111111111",
                    "bob",
                    "arn:aws:iam::222222222222:role/ReadOnly",
                ),
            ],
        };
        let prod = AccountReach {
            account: "222222222222".into(),
            roles: vec![role(
                "222222222222",
                "Admin",
                vec![("111111111111".into(), None, true)],
            )],
            assumers: vec![],
        };
        let dev = AccountReach {
            account: "333333333333".into(),
            roles: vec![
                role(
                    "333333333333",
                    "Admin",
                    vec![("111111111111".into(), None, false)],
                ),
                // Trusts one named principal of the bastion, not alice.
                role(
                    "333333333333",
                    "Other",
                    vec![(
                        "111111111111".into(),
                        Some("arn:aws:iam::111111111111:user/carol".into()),
                        false,
                    )],
                ),
            ],
            assumers: vec![],
        };
        let name = |id: &str| id.to_string();
        let all = reaches(&[&bastion, &prod, &dev]);
        let pairs: Vec<(&str, &str, bool)> = all
            .iter()
            .map(|(r, _, _)| (r.from.as_str(), r.role.as_str(), r.needs_mfa))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    "arn:aws:iam::111111111111:user/alice",
                    "arn:aws:iam::222222222222:role/Admin",
                    true
                ),
                (
                    "arn:aws:iam::111111111111:user/alice",
                    "arn:aws:iam::333333333333:role/Admin",
                    false
                ),
            ]
        );
        let f = findings(&[&bastion, &prod, &dev], &name, Utc::now());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[0].account, "111111111111");
        assert!(
            f[0].title.contains("in 2 accounts (1 without MFA)"),
            "{}",
            f[0].title
        );

        // With MFA on every way it is listed, not alarmed.
        let f = findings(&[&bastion, &prod], &name, Utc::now());
        assert_eq!(f[0].severity, Severity::Informational);
        assert!(f[0].title.ends_with("(MFA required)"), "{}", f[0].title);
    }
}
