//! A principal's effective statements, gathered from the inventory: managed policies (parsed
//! once per inventory), inline policies, group policies and the permissions boundary.

use super::document::{Statement, parse_document};
use super::permissions::{Caller, Permissions, SourcedStatement};
use crate::model::{AttachedPolicy, IamInventory, IamRole, IamUser, InlinePolicy};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// AWS-managed policies the inventory may lack (GetAccountAuthorizationDetails only returns
/// the ones attached when asked for them); the documents are stable and short.
pub(crate) fn builtin_aws_policy(arn: &str) -> Option<Value> {
    let name = arn.rsplit('/').next()?;
    if !arn.contains(":iam::aws:policy/") {
        return None;
    }
    let (action, not_action) = match name {
        "AdministratorAccess" => ("*", None),
        "IAMFullAccess" => ("iam:*", None),
        // PowerUserAccess allows all but IAM/Organizations/Account management.
        "PowerUserAccess" => ("", Some(["iam:*", "organizations:*", "account:*"])),
        _ => return None,
    };
    Some(match not_action {
        None => serde_json::json!({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}),
        Some(na) => serde_json::json!({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "NotAction": na, "Resource": "*"}]}),
    })
}

/// A parsed document shared by every principal it is attached to.
type Shared = Arc<Vec<Arc<Statement>>>;

/// Parsed managed-policy documents by ARN, built once per inventory (a policy attached to a
/// thousand principals is parsed once). `lazy` parses on each lookup instead (one principal).
#[derive(Debug)]
pub struct PolicyCache<'a> {
    inv: &'a IamInventory,
    parsed: Option<HashMap<&'a str, Option<Shared>>>,
    /// Each inventory policy's parse, in inventory order (empty when lazy).
    in_order: Vec<Option<Shared>>,
}

impl<'a> PolicyCache<'a> {
    pub fn new(inv: &'a IamInventory) -> PolicyCache<'a> {
        let in_order: Vec<Option<Shared>> = inv
            .policies
            .iter()
            .map(|p| parse_shared(&p.document))
            .collect();
        let parsed = inv
            .policies
            .iter()
            .zip(&in_order)
            .map(|(p, s)| (p.arn.as_str(), s.clone()))
            .collect();
        PolicyCache {
            inv,
            parsed: Some(parsed),
            in_order,
        }
    }

    pub fn lazy(inv: &'a IamInventory) -> PolicyCache<'a> {
        PolicyCache {
            inv,
            parsed: None,
            in_order: Vec::new(),
        }
    }

    /// The parsed statements of the inventory's `i`-th policy (`None`: unparseable, or a lazy
    /// cache).
    pub fn nth(&self, i: usize) -> Option<&[Arc<Statement>]> {
        self.in_order.get(i)?.as_deref().map(Vec::as_slice)
    }

    /// `None`: unknown or unparseable.
    pub fn get(&self, arn: &str) -> Option<Arc<Vec<Arc<Statement>>>> {
        let known = match &self.parsed {
            Some(map) => map.get(arn).cloned(),
            None => self.inv.policy(arn).map(|p| parse_shared(&p.document)),
        };
        match known {
            Some(p) => p,
            None => builtin_aws_policy(arn).and_then(|d| parse_shared(&d)),
        }
    }
}

fn parse_shared(doc: &Value) -> Option<Arc<Vec<Arc<Statement>>>> {
    parse_document(doc)
        .ok()
        .map(|s| Arc::new(s.into_iter().map(Arc::new).collect()))
}

struct Gather<'a, 'c> {
    cache: &'c PolicyCache<'a>,
    perms: Permissions,
}

impl Gather<'_, '_> {
    fn push(&mut self, label: String, stmts: &[Arc<Statement>]) {
        self.perms
            .identity
            .extend(stmts.iter().map(|stmt| SourcedStatement {
                source: label.clone(),
                stmt: stmt.clone(),
            }))
    }

    fn managed(&mut self, p: &AttachedPolicy, via: Option<&str>) {
        let label = match via {
            Some(g) => format!("{} (managed, via group {g})", p.policy_name),
            None => format!("{} (managed)", p.policy_name),
        };
        match self.cache.get(&p.policy_arn) {
            Some(stmts) => self.push(label, &stmts),
            None => self.perms.unknown.push(label),
        }
    }

    fn inline(&mut self, p: &InlinePolicy, via: Option<&str>) {
        let label = match via {
            Some(g) => format!("{} (inline, via group {g})", p.policy_name),
            None => format!("{} (inline)", p.policy_name),
        };
        match parse_shared(&p.policy_document) {
            Some(stmts) => self.push(label, &stmts),
            None => self.perms.unknown.push(label),
        }
    }

    fn boundary(&mut self, b: Option<&AttachedPolicy>) {
        let Some(b) = b else { return };
        // An unreadable boundary is ignored: reporting too much beats hiding a path.
        if let Some(stmts) = self.cache.get(&b.policy_arn) {
            let label = format!("{} (permissions boundary)", b.policy_name);
            self.perms.boundary = Some(
                stmts
                    .iter()
                    .map(|stmt| SourcedStatement {
                        source: label.clone(),
                        stmt: stmt.clone(),
                    })
                    .collect(),
            );
        }
    }
}

fn account_of(arn: &str) -> String {
    arn.split(':').nth(4).unwrap_or("").to_string()
}

/// A user's effective statements: own managed + inline, and each group's managed + inline.
pub fn user_permissions(inv: &IamInventory, user: &IamUser) -> Permissions {
    user_permissions_cached(inv, &PolicyCache::lazy(inv), user)
}

pub fn user_permissions_cached(
    inv: &IamInventory,
    cache: &PolicyCache<'_>,
    user: &IamUser,
) -> Permissions {
    let mut g = Gather {
        cache,
        perms: Permissions {
            caller: Caller {
                arn: user.arn.clone(),
                user_name: Some(user.user_name.clone()),
                user_id: user.user_id.clone(),
                account: account_of(&user.arn),
            },
            ..Permissions::default()
        },
    };
    for p in &user.attached_managed_policies {
        g.managed(p, None);
    }
    for p in &user.user_policy_list {
        g.inline(p, None);
    }
    for name in &user.group_list {
        if let Some(group) = inv.group(name) {
            for p in &group.attached_managed_policies {
                g.managed(p, Some(name));
            }
            for p in &group.group_policy_list {
                g.inline(p, Some(name));
            }
        }
    }
    g.boundary(user.permissions_boundary.as_ref());
    g.perms
}

pub fn role_permissions(inv: &IamInventory, role: &IamRole) -> Permissions {
    role_permissions_cached(&PolicyCache::lazy(inv), role)
}

pub fn role_permissions_cached(cache: &PolicyCache<'_>, role: &IamRole) -> Permissions {
    let mut g = Gather {
        cache,
        perms: Permissions {
            caller: Caller {
                arn: role.arn.clone(),
                user_name: None,
                user_id: role.role_id.clone(),
                account: account_of(&role.arn),
            },
            ..Permissions::default()
        },
    };
    for p in &role.attached_managed_policies {
        g.managed(p, None);
    }
    for p in &role.role_policy_list {
        g.inline(p, None);
    }
    g.boundary(role.permissions_boundary.as_ref());
    g.perms
}

/// A group's own statements (what a member gains by joining).
pub fn group_permissions(cache: &PolicyCache<'_>, group: &crate::model::IamGroup) -> Permissions {
    let mut g = Gather {
        cache,
        perms: Permissions::default(),
    };
    for p in &group.attached_managed_policies {
        g.managed(p, Some(&group.group_name));
    }
    for p in &group.group_policy_list {
        g.inline(p, Some(&group.group_name));
    }
    g.perms
}

/// Effective statements of a user or role by ARN.
pub fn permissions_of(inv: &IamInventory, principal_arn: &str) -> Option<Permissions> {
    if let Some(u) = inv.user_by_arn(principal_arn) {
        return Some(user_permissions(inv, u));
    }
    inv.role_by_arn(principal_arn)
        .map(|r| role_permissions(inv, r))
}

/// Whether a user or role is a full administrator (see [`Permissions::is_admin`]).
pub fn is_admin(inv: &IamInventory, principal_arn: &str) -> bool {
    permissions_of(inv, principal_arn).is_some_and(|p| p.is_admin())
}
