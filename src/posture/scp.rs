//! Service control policies: the organization's bound on what any principal of a member
//! account can do, whatever its own policies say.
//!
//! AWS evaluates SCPs level by level: an action is possible only if, at the root, at every OU
//! on the way down and at the account itself, some attached SCP allows it and none denies it.
//! They never apply to the management account or to service-linked roles.
//!
//! guardpost only calls an action blocked when it is sure: a Deny with a condition, with
//! NotResource, or in a document it cannot parse blocks nothing here, and a level with an
//! unparseable document is taken to allow everything.
use super::policy::{Effect, ResourceSpec, Statement, glob_match, parse_document};
use crate::model::org::{OrgMembership, Scp, ScpLevel};

/// One policy with its statements (`None`: the document does not parse).
type Parsed<'a> = (&'a Scp, Option<Vec<Statement>>);

/// The SCPs that bound one member account, parsed once.
pub struct ScpBound<'a> {
    levels: Vec<(&'a ScpLevel, Vec<Parsed<'a>>)>,
}

impl<'a> ScpBound<'a> {
    /// `None` when nothing bounds `account`: it is the management account, SCPs are not
    /// enabled, or they could not be read.
    pub fn new(m: &'a OrgMembership, account: &str) -> Option<ScpBound<'a>> {
        if m.management_account.as_deref() == Some(account) {
            return None;
        }
        let levels = m.scps.as_ref()?;
        Some(ScpBound {
            levels: levels
                .iter()
                .map(|l| {
                    let docs = l
                        .policies
                        .iter()
                        .map(|p| (p, parse_document(&p.document).ok()))
                        .collect();
                    (l, docs)
                })
                .collect(),
        })
    }

    /// Why `action` on `resource` (an ARN, or a description when the target is a new thing)
    /// is impossible in the account, or `None` when the SCPs let it through.
    pub fn blocks(&self, action: &str, resource: &str) -> Option<String> {
        for (level, docs) in &self.levels {
            for (p, stmts) in docs {
                let Some(stmts) = stmts else { continue };
                if let Some(s) = stmts.iter().find(|s| hard_deny(s, action, resource)) {
                    return Some(format!(
                        "{action} denied by SCP {} ({}{}) on {}",
                        p.name,
                        p.id,
                        s.sid
                            .as_deref()
                            .map(|sid| format!(", statement {sid}"))
                            .unwrap_or_default(),
                        level_label(level)
                    ));
                }
            }
        }
        for (level, docs) in &self.levels {
            // AWS keeps at least one SCP on every target; an empty level is one guardpost did
            // not see, so it is not taken to deny.
            let allowed = docs.is_empty()
                || docs.iter().any(|(_, stmts)| match stmts {
                    None => true,
                    Some(stmts) => stmts
                        .iter()
                        .any(|s| s.effect == Effect::Allow && s.matches_action(action)),
                });
            if !allowed {
                return Some(format!(
                    "{action} not allowed by any SCP on {}",
                    level_label(level)
                ));
            }
        }
        None
    }
}

fn level_label(l: &ScpLevel) -> String {
    if l.name.is_empty() || l.name == l.target {
        l.target.clone()
    } else {
        format!("{} ({})", l.name, l.target)
    }
}

/// A Deny that certainly applies to `action` on `resource`.
fn hard_deny(s: &Statement, action: &str, resource: &str) -> bool {
    if s.effect != Effect::Deny || !s.conditions.is_empty() || !s.matches_action(action) {
        return false;
    }
    match &s.resources {
        ResourceSpec::Resource(rs) => rs.iter().any(|r| {
            let r = r.trim();
            r == "*" || (resource.starts_with("arn:") && glob_match(r, resource))
        }),
        ResourceSpec::NotResource(_) | ResourceSpec::Absent => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::org::AccountRef;
    use serde_json::json;

    fn membership(levels: Vec<(&str, Vec<serde_json::Value>)>) -> OrgMembership {
        OrgMembership {
            organization_id: Some("o-1".into()),
            management_account: Some("111111111111".into()),
            ou_path: "Root/prod".into(),
            accounts: vec![AccountRef {
                id: "222222222222".into(),
                name: "prod".into(),
            }],
            scps: Some(
                levels
                    .into_iter()
                    .enumerate()
                    .map(|(i, (target, docs))| ScpLevel {
                        target: target.into(),
                        name: target.into(),
                        policies: docs
                            .into_iter()
                            .enumerate()
                            .map(|(k, d)| Scp {
                                id: format!("p-{i}{k}"),
                                name: format!("scp{i}{k}"),
                                document: d,
                            })
                            .collect(),
                    })
                    .collect(),
            ),
            scp_error: None,
        }
    }

    fn full() -> serde_json::Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    }

    #[test]
    fn full_access_everywhere_blocks_nothing() {
        let m = membership(vec![("r-1", vec![full()]), ("222222222222", vec![full()])]);
        let b = ScpBound::new(&m, "222222222222").unwrap();
        assert_eq!(
            b.blocks(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::222222222222:policy/p"
            ),
            None
        );
    }

    #[test]
    fn a_deny_at_any_level_blocks_and_names_the_policy() {
        let deny = json!({"Statement": [{"Sid": "NoIamWrites", "Effect": "Deny", "Action": ["iam:Create*", "iam:Put*"], "Resource": "*"}]});
        let m = membership(vec![("r-1", vec![full()]), ("ou-1", vec![full(), deny])]);
        let b = ScpBound::new(&m, "222222222222").unwrap();
        let why = b
            .blocks(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::222222222222:policy/p",
            )
            .unwrap();
        assert_eq!(
            why,
            "iam:CreatePolicyVersion denied by SCP scp11 (p-11, statement NoIamWrites) on ou-1"
        );
        assert_eq!(b.blocks("iam:AttachUserPolicy", "*"), None);
    }

    #[test]
    fn an_allow_list_level_blocks_what_it_omits() {
        let only_s3 =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        let m = membership(vec![("r-1", vec![full()]), ("ou-1", vec![only_s3])]);
        let b = ScpBound::new(&m, "222222222222").unwrap();
        assert_eq!(
            b.blocks("iam:PassRole", "*").unwrap(),
            "iam:PassRole not allowed by any SCP on ou-1"
        );
        assert_eq!(b.blocks("s3:GetObject", "*"), None);
    }

    #[test]
    fn doubtful_denies_block_nothing_and_the_management_account_is_unbounded() {
        let conditional = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "sec"}}}]});
        let not_resource = json!({"Statement": [{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::x"}]});
        let scoped = json!({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::*:role/protected-*"}]});
        let m = membership(vec![(
            "r-1",
            vec![
                full(),
                conditional,
                not_resource,
                scoped,
                json!("not a policy"),
            ],
        )]);
        let b = ScpBound::new(&m, "222222222222").unwrap();
        assert_eq!(
            b.blocks(
                "iam:UpdateAssumeRolePolicy",
                "arn:aws:iam::222222222222:role/app"
            ),
            None
        );
        assert!(
            b.blocks(
                "iam:UpdateAssumeRolePolicy",
                "arn:aws:iam::222222222222:role/protected-admin"
            )
            .is_some()
        );
        assert!(ScpBound::new(&m, "111111111111").is_none());
        let unread = OrgMembership { scps: None, ..m };
        assert!(ScpBound::new(&unread, "222222222222").is_none());
    }
}
