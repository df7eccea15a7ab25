//! A principal's effective permissions and the request evaluator.
//!
//! The evaluator reads Action/NotAction, Resource/NotResource (with `${aws:username}`-style
//! policy variables), explicit Deny, permissions boundaries and the condition keys that decide
//! escalation (`iam:PassedToService`, `iam:PolicyARN`, `iam:PermissionsBoundary`,
//! `iam:AssociatedResourceArn`, `aws:MultiFactorAuthPresent` / `Age`, and who the caller is).
//! A request is evaluated twice: as a caller with long-term access keys (no MFA key in the
//! request at all) and as a caller with an MFA session; a grant only the second passes "needs
//! MFA". Any other condition key is unknown here: an Allow that carries one counts, and so does
//! the path past a Deny that carries one, both marked "depends on <key>" (conservative: a path
//! is shown with its doubt rather than hidden).

use super::document::{Effect, ResourceSpec, Statement, glob_match, parse_document};
use crate::model::{AttachedPolicy, IamInventory, IamRole, IamUser, InlinePolicy};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A statement with the policy it came from (for evidence: "granted by ...").
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedStatement {
    /// `name (managed)`, `name (inline, via group g)`, `name (permissions boundary)`.
    pub source: String,
    pub stmt: Arc<Statement>,
}

/// Who is asking: fills policy variables and `aws:username`-style conditions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Caller {
    pub arn: String,
    /// Users only (`aws:username` is not set for roles).
    pub user_name: Option<String>,
    pub user_id: String,
    pub account: String,
}

/// What a principal's policies say, gathered once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Permissions {
    pub caller: Caller,
    /// Identity policies: managed, inline and (for users) their groups' policies.
    pub identity: Vec<SourcedStatement>,
    /// The permissions boundary's statements, when one is set and readable.
    pub boundary: Option<Vec<SourcedStatement>>,
    /// Attached policies whose document is unknown (not in the inventory) or unparseable.
    pub unknown: Vec<String>,
}

/// The resource a request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// A known ARN.
    Arn(&'a str),
    /// A resource the caller creates or picks (a new function, an instance, a stack): any
    /// resource of the action's service will do, so a Resource pattern of that service (or `*`)
    /// grants it, and only a Deny on `*` closes it.
    Any,
}

/// One request: the action, its resource and the request context the conditions read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: Target<'a>,
    /// `iam:PassedToService` (a service principal such as `ec2.amazonaws.com`).
    pub passed_to_service: Option<&'a str>,
    /// `iam:PolicyARN` (the managed policy being attached).
    pub policy_arn: Option<&'a str>,
    /// `iam:PermissionsBoundary` (the boundary being set).
    pub permissions_boundary: Option<&'a str>,
    /// `iam:AssociatedResourceArn`: the service whose new resource gets the role (`ec2`).
    pub associated_service: Option<&'a str>,
}

impl<'a> Request<'a> {
    pub fn new(action: &'a str, resource: Target<'a>) -> Request<'a> {
        Request {
            action,
            resource,
            passed_to_service: None,
            policy_arn: None,
            permissions_boundary: None,
            associated_service: None,
        }
    }
}

/// A statement that decided a request, for evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct StatementRef {
    /// The policy label (`deploy (inline)`, `Ops (managed, via group admins)`).
    pub policy: String,
    /// The statement's Sid or `#<n>`.
    pub statement: String,
}

/// An allowed request: which statements allow it and what it hinges on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    pub statements: Vec<StatementRef>,
    /// Allowed only to a caller signed in with MFA.
    pub needs_mfa: bool,
    /// Condition keys this evaluator does not decide; the grant holds only if they allow it.
    pub depends_on: Vec<String>,
}

impl Grant {
    /// Two grants needed together: both sets of statements, MFA if either needs it.
    pub fn and(&mut self, other: &Grant) {
        for s in &other.statements {
            if !self.statements.contains(s) {
                self.statements.push(s.clone());
            }
        }
        self.needs_mfa |= other.needs_mfa;
        for d in &other.depends_on {
            if !self.depends_on.contains(d) {
                self.depends_on.push(d.clone());
            }
        }
    }

    /// Preference among alternatives: unconditional first, then MFA-only, then doubtful.
    fn rank(&self) -> (usize, bool) {
        (self.depends_on.len(), self.needs_mfa)
    }

    pub fn better_than(&self, other: &Grant) -> bool {
        self.rank() < other.rank()
    }
}

/// A condition's outcome for one request in one world.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    True,
    False,
    /// A key this evaluator does not know.
    Unknown(String),
}

/// Condition operator split into its parts: `ForAnyValue:StringLikeIfExists` → (StringLike,
/// if_exists). Set operators are read as their single-valued form (every key read here is
/// single-valued).
fn split_operator(op: &str) -> (String, bool) {
    let mut o = op.trim();
    if let Some((_, rest)) = o.split_once(':') {
        o = rest;
    }
    let lower = o.to_ascii_lowercase();
    match lower.strip_suffix("ifexists") {
        Some(base) => (base.to_string(), true),
        None => (lower, false),
    }
}

/// String / ARN comparison of a present value against the condition's values. `None` when the
/// operator is not a string or ARN operator.
fn compare(op: &str, value: &str, patterns: &[String]) -> Option<bool> {
    let any = |f: &dyn Fn(&str) -> bool| patterns.iter().any(|p| f(p));
    Some(match op {
        "stringequals" | "arnequals" => any(&|p| p == value),
        "stringequalsignorecase" => any(&|p| p.eq_ignore_ascii_case(value)),
        "stringlike" | "arnlike" => any(&|p| glob_match(p, value)),
        "stringnotequals" | "arnnotequals" => !any(&|p| p == value),
        "stringnotequalsignorecase" => !any(&|p| p.eq_ignore_ascii_case(value)),
        "stringnotlike" | "arnnotlike" => !any(&|p| glob_match(p, value)),
        _ => return None,
    })
}

/// A condition on a key whose value the request sets (or leaves absent).
fn on_value(op: &str, if_exists: bool, value: Option<&str>, patterns: &[String]) -> Outcome {
    if op == "null" {
        let want_absent = patterns.iter().any(|v| v.eq_ignore_ascii_case("true"));
        return bool_outcome(want_absent == value.is_none());
    }
    match value {
        None => {
            // A missing key fails every operator except the IfExists forms and the negated
            // ones (IAM evaluates a negated operator on an absent key as true).
            bool_outcome(if_exists || op.contains("not"))
        }
        Some(v) => match compare(op, v, patterns) {
            Some(b) => bool_outcome(b),
            None => Outcome::Unknown(String::new()),
        },
    }
}

fn bool_outcome(b: bool) -> Outcome {
    if b { Outcome::True } else { Outcome::False }
}

/// The two callers a request is evaluated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum World {
    /// Long-term access keys: the request carries no MFA key at all.
    AccessKeys,
    /// A session signed in with MFA.
    Mfa,
}

fn eval_condition(
    c: &super::document::Condition,
    req: &Request<'_>,
    caller: &Caller,
    world: World,
) -> Outcome {
    let (op, if_exists) = split_operator(&c.operator);
    let key = c.key.to_ascii_lowercase();
    let unknown = || Outcome::Unknown(c.key.clone());
    let out = match key.as_str() {
        "aws:multifactorauthpresent" => {
            if op == "null" {
                let present = world == World::Mfa;
                on_value("null", false, present.then_some("true"), &c.values)
            } else if op == "bool" {
                match world {
                    World::AccessKeys => bool_outcome(if_exists),
                    World::Mfa => {
                        bool_outcome(c.values.iter().any(|v| v.eq_ignore_ascii_case("true")))
                    }
                }
            } else {
                unknown()
            }
        }
        "aws:multifactorauthage" => match (world, op.as_str()) {
            (_, "null") => {
                let present = world == World::Mfa;
                on_value("null", false, present.then_some("0"), &c.values)
            }
            (World::AccessKeys, _) => bool_outcome(if_exists),
            // A fresh MFA sign-in passes any "less than" test and fails "greater than".
            (World::Mfa, o) if o.starts_with("numericless") => Outcome::True,
            (World::Mfa, o) if o.starts_with("numericgreater") => Outcome::False,
            _ => unknown(),
        },
        "iam:passedtoservice" => on_value(&op, if_exists, req.passed_to_service, &c.values),
        "iam:policyarn" => on_value(&op, if_exists, req.policy_arn, &c.values),
        "iam:permissionsboundary" => on_value(&op, if_exists, req.permissions_boundary, &c.values),
        "iam:associatedresourcearn" => match req.associated_service {
            // The caller names the new resource: any ARN of that service will do, so the test
            // is whether a pattern's service field can match the service.
            Some(svc) if op == "null" => on_value(&op, false, Some(svc), &c.values),
            Some(svc) => {
                let can = c.values.iter().any(|p| {
                    p.trim() == "*" || p.split(':').nth(2).is_some_and(|s| glob_match(s, svc))
                });
                match compare(&op, "", &[]) {
                    // Negated operators: the path stays open unless every ARN is excluded.
                    Some(_) if op.contains("not") => {
                        bool_outcome(!c.values.iter().any(|p| p.trim() == "*"))
                    }
                    Some(_) => bool_outcome(can),
                    None => unknown(),
                }
            }
            None => on_value(&op, if_exists, None, &c.values),
        },
        "aws:username" => on_value(&op, if_exists, caller.user_name.as_deref(), &c.values),
        "aws:principalarn" => on_value(&op, if_exists, Some(&caller.arn), &c.values),
        "aws:principalaccount" => on_value(&op, if_exists, Some(&caller.account), &c.values),
        "aws:userid" => on_value(&op, if_exists, Some(&caller.user_id), &c.values),
        _ => unknown(),
    };
    match out {
        Outcome::Unknown(k) if k.is_empty() => unknown(),
        o => o,
    }
}

/// All conditions of a statement (AND): False if any is false; else the unknown keys.
fn eval_conditions(
    s: &Statement,
    req: &Request<'_>,
    caller: &Caller,
    world: World,
) -> Option<Vec<String>> {
    let mut unknown = Vec::new();
    for c in &s.conditions {
        match eval_condition(c, req, caller, world) {
            Outcome::False => return None,
            Outcome::True => {}
            Outcome::Unknown(k) => {
                if !unknown.contains(&k) {
                    unknown.push(k)
                }
            }
        }
    }
    Some(unknown)
}

/// Replaces policy variables; `None` when a variable the request lacks makes the pattern
/// match nothing (`${aws:username}` for a role). Unknown variables become `*` (conservative).
fn substitute(pattern: &str, caller: &Caller) -> Option<String> {
    if !pattern.contains("${") {
        return Some(pattern.to_string());
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Some(out);
        };
        let var = &after[..end];
        // `${aws:username, 'default'}`: the default applies when the key is absent.
        let (name, default) = match var.split_once(',') {
            Some((n, d)) => (n.trim(), Some(d.trim().trim_matches('\''))),
            None => (var.trim(), None),
        };
        let value = match name.to_ascii_lowercase().as_str() {
            "aws:username" => caller.user_name.clone(),
            "aws:userid" => Some(caller.user_id.clone()),
            "aws:principalaccount" => Some(caller.account.clone()),
            "aws:principalarn" => Some(caller.arn.clone()),
            "*" => Some("*".into()),
            "?" => Some("?".into()),
            "$" => Some("$".into()),
            _ => Some("*".into()),
        };
        match value.or(default.map(str::to_string)) {
            Some(v) => out.push_str(&v),
            None => return None,
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The service prefix of an action (`iam` of `iam:PassRole`).
fn action_service(action: &str) -> &str {
    action.split(':').next().unwrap_or("")
}

/// Whether a statement's Resource element covers the request's resource.
fn matches_resource(s: &Statement, req: &Request<'_>, caller: &Caller, deny: bool) -> bool {
    let service = action_service(req.action);
    let hit = |patterns: &[String], for_not: bool| {
        patterns.iter().any(|p| {
            let Some(p) = substitute(p.trim(), caller) else {
                return false;
            };
            match req.resource {
                Target::Arn(arn) => glob_match(&p, arn),
                // Any resource of the service: `*`, or a pattern whose service field can be
                // it. A Deny (or a NotResource) closes "any" only when it covers everything.
                Target::Any if deny || for_not => p == "*",
                Target::Any => {
                    p == "*" || p.split(':').nth(2).is_some_and(|s| glob_match(s, service))
                }
            }
        })
    };
    match &s.resources {
        ResourceSpec::Resource(rs) => hit(rs, false),
        ResourceSpec::NotResource(rs) => !hit(rs, true),
        ResourceSpec::Absent => false,
    }
}

/// Statements of `list` with `effect` that apply to the request; each with its unknown keys.
fn applying<'s>(
    list: &'s [SourcedStatement],
    effect: Effect,
    req: &Request<'_>,
    caller: &Caller,
    world: World,
) -> impl Iterator<Item = (&'s SourcedStatement, Vec<String>)> {
    list.iter().filter_map(move |s| {
        if s.stmt.effect != effect || !s.stmt.matches_action(req.action) {
            return None;
        }
        if !matches_resource(&s.stmt, req, caller, effect == Effect::Deny) {
            return None;
        }
        eval_conditions(&s.stmt, req, caller, world).map(|u| (s, u))
    })
}

/// Evaluates `req` against `identity` statements (and an optional boundary) for `caller`, as a
/// caller with access keys, then with MFA (see [`Permissions::allows`]).
pub fn allows_with(
    identity: &[SourcedStatement],
    boundary: Option<&[SourcedStatement]>,
    caller: &Caller,
    req: &Request<'_>,
) -> Option<Grant> {
    if let Some(g) = decide(identity, boundary, caller, req, World::AccessKeys) {
        return Some(g);
    }
    decide(identity, boundary, caller, req, World::Mfa).map(|mut g| {
        g.needs_mfa = true;
        g
    })
}

fn decide(
    identity: &[SourcedStatement],
    boundary: Option<&[SourcedStatement]>,
    caller: &Caller,
    req: &Request<'_>,
    world: World,
) -> Option<Grant> {
    let mut depends: Vec<String> = Vec::new();
    let add = |keys: Vec<String>, depends: &mut Vec<String>| {
        for k in keys {
            if !depends.contains(&k) {
                depends.push(k);
            }
        }
    };
    // Explicit Deny (identity and boundary): a certain one ends it; a doubtful one leaves the
    // path open, marked.
    for list in [identity, boundary.unwrap_or(&[])] {
        for (_, unknown) in applying(list, Effect::Deny, req, caller, world) {
            if unknown.is_empty() {
                return None;
            }
            add(unknown, &mut depends);
        }
    }
    if let Some(b) = boundary {
        let best = applying(b, Effect::Allow, req, caller, world)
            .map(|(_, u)| u)
            .min_by_key(Vec::len)?;
        add(best, &mut depends);
    }
    let allows: Vec<(&SourcedStatement, Vec<String>)> =
        applying(identity, Effect::Allow, req, caller, world).collect();
    let fewest = allows.iter().map(|(_, u)| u.len()).min()?;
    let mut statements: Vec<StatementRef> = Vec::new();
    for (s, u) in allows.into_iter().filter(|(_, u)| u.len() == fewest) {
        let r = StatementRef {
            policy: s.source.clone(),
            statement: s.stmt.label(),
        };
        if !statements.contains(&r) {
            statements.push(r);
        }
        add(u, &mut depends);
    }
    Some(Grant {
        statements,
        needs_mfa: false,
        depends_on: depends,
    })
}

impl Permissions {
    /// Evaluates `req` as IAM would for this principal (identity policies, explicit Deny,
    /// boundary). `None`: denied or not allowed, for a caller with or without MFA.
    pub fn allows(&self, req: &Request<'_>) -> Option<Grant> {
        allows_with(&self.identity, self.boundary.as_deref(), &self.caller, req)
    }

    /// Whether some Allow names the action at all and no unconditional Deny on `*` takes it
    /// away: a cheap filter before resource-level evaluation.
    pub fn may_allow(&self, action: &str) -> bool {
        !self.hard_denied(action)
            && self
                .identity
                .iter()
                .any(|s| s.stmt.effect == Effect::Allow && s.stmt.matches_action(action))
            && self.boundary.as_deref().is_none_or(|b| {
                b.iter()
                    .any(|s| s.stmt.effect == Effect::Allow && s.stmt.matches_action(action))
            })
    }

    fn hard_denied(&self, action: &str) -> bool {
        let denies = |ss: &[SourcedStatement]| {
            ss.iter()
                .any(|s| s.stmt.is_hard_deny() && s.stmt.matches_action(action))
        };
        denies(&self.identity) || self.boundary.as_deref().is_some_and(denies)
    }

    /// Sources of the Allow statements that grant `action` on some resource; empty when it is
    /// not allowed or is unconditionally denied. `skip_self_scoped` ignores grants limited to
    /// `${aws:username}`.
    pub fn granted_by(&self, action: &str, skip_self_scoped: bool) -> Vec<String> {
        if self.hard_denied(action) {
            return Vec::new();
        }
        let allows = |s: &SourcedStatement| {
            s.stmt.effect == Effect::Allow
                && s.stmt.matches_action(action)
                && !(skip_self_scoped && s.stmt.is_self_scoped())
        };
        if let Some(b) = &self.boundary
            && !b.iter().any(allows)
        {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for s in self.identity.iter().filter(|s| allows(s)) {
            if !out.contains(&s.source) {
                out.push(s.source.clone());
            }
        }
        out
    }

    pub fn is_allowed(&self, action: &str) -> bool {
        !self.granted_by(action, false).is_empty()
    }

    /// Sources of `"Action": "*", "Resource": "*"` Allow statements.
    pub fn admin_sources(&self) -> Vec<String> {
        let all = |s: &SourcedStatement| {
            s.stmt.effect == Effect::Allow
                && s.stmt.grants_all_actions()
                && s.stmt.covers_all_resources()
        };
        if let Some(b) = &self.boundary
            && !b.iter().any(all)
        {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for s in self.identity.iter().filter(|s| all(s)) {
            if !out.contains(&s.source) {
                out.push(s.source.clone());
            }
        }
        out
    }

    /// Full administrator: `*` on `*`, and no unconditional Deny takes IAM or role passing
    /// away (such a principal is reported through its remaining escalation paths instead).
    pub fn is_admin(&self) -> bool {
        !self.admin_sources().is_empty() && ADMIN_PROBES.iter().all(|a| !self.hard_denied(a))
    }

    /// Whether `other` can do something this principal cannot, compared action by action
    /// (each action pattern `other` is allowed, against this principal's allows; resources are
    /// not compared). Admins hold more than anyone who is not.
    pub fn lacks_something_of(&self, other: &Permissions) -> bool {
        if other.is_admin() {
            return !self.is_admin();
        }
        let granted = |p: &Permissions, pattern: &str| {
            p.may_allow(pattern)
                && p.identity.iter().any(|s| {
                    s.stmt.effect == Effect::Allow
                        && match &s.stmt.actions {
                            super::document::ActionSpec::Action(ps) => {
                                ps.iter().any(|x| glob_match(x.trim(), pattern))
                            }
                            super::document::ActionSpec::NotAction(na) => {
                                !na.iter().any(|x| glob_match(x.trim(), pattern))
                            }
                        }
                })
        };
        other.identity.iter().any(|s| {
            s.stmt.effect == Effect::Allow
                && match &s.stmt.actions {
                    super::document::ActionSpec::Action(ps) => ps
                        .iter()
                        .any(|p| granted(other, p.trim()) && !granted(self, p.trim())),
                    // A NotAction allow grants nearly everything: more, unless this principal
                    // holds the same NotAction grant or everything.
                    super::document::ActionSpec::NotAction(_) => !self.identity.iter().any(|m| {
                        m.stmt.effect == Effect::Allow
                            && (m.stmt.grants_all_actions() || m.stmt.actions == s.stmt.actions)
                    }),
                }
        })
    }
}

/// Actions a full admin must still hold; a hard Deny on any of them means "not admin".
const ADMIN_PROBES: [&str; 6] = [
    "iam:PutUserPolicy",
    "iam:AttachRolePolicy",
    "iam:CreateAccessKey",
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "sts:AssumeRole",
];

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
}

impl<'a> PolicyCache<'a> {
    pub fn new(inv: &'a IamInventory) -> PolicyCache<'a> {
        let parsed = inv
            .policies
            .iter()
            .map(|p| (p.arn.as_str(), parse_shared(&p.document)))
            .collect();
        PolicyCache {
            inv,
            parsed: Some(parsed),
        }
    }

    pub fn lazy(inv: &'a IamInventory) -> PolicyCache<'a> {
        PolicyCache { inv, parsed: None }
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
