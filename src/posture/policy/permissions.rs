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

use super::document::{Effect, ResourceSpec, Statement, action_service, glob_match};
pub use super::gather::*;
use std::borrow::Cow;
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct StatementRef {
    /// The policy label (`deploy (inline)`, `Ops (managed, via group admins)`).
    pub policy: String,
    /// The statement's Sid or `#<n>`.
    pub statement: String,
}

/// An allowed request: which statements allow it and what it hinges on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
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
fn substitute<'p>(pattern: &'p str, caller: &Caller) -> Option<Cow<'p, str>> {
    if !pattern.contains("${") {
        return Some(Cow::Borrowed(pattern));
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Some(Cow::Owned(out));
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
    Some(Cow::Owned(out))
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

/// Statements of `list` (already matched to the request's action) with `effect` that apply
/// to the request; each with its unknown keys.
fn applying<'a, 's>(
    list: &'a [&'s SourcedStatement],
    effect: Effect,
    req: &'a Request<'_>,
    caller: &'a Caller,
    world: World,
) -> impl Iterator<Item = (&'s SourcedStatement, Vec<String>)> + 'a {
    list.iter().filter_map(move |&s| {
        if s.stmt.effect != effect {
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
    ActionView::new(identity, boundary, caller, req.action).allows(req)
}

/// The statements of one principal that can match one action, picked once: evaluating that
/// action on many resources then skips re-matching the action per statement and request.
#[derive(Debug, Clone)]
pub struct ActionView<'p> {
    identity: Vec<&'p SourcedStatement>,
    boundary: Option<Vec<&'p SourcedStatement>>,
    caller: &'p Caller,
    /// Some statement reads an MFA key: only then can the MFA world differ.
    mfa: bool,
}

fn reads_mfa(s: &SourcedStatement) -> bool {
    s.stmt.conditions.iter().any(|c| {
        c.key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent")
            || c.key.eq_ignore_ascii_case("aws:MultiFactorAuthAge")
    })
}

impl<'p> ActionView<'p> {
    pub fn new(
        identity: &'p [SourcedStatement],
        boundary: Option<&'p [SourcedStatement]>,
        caller: &'p Caller,
        action: &str,
    ) -> ActionView<'p> {
        let service = action_service(action);
        let pick = |list: &'p [SourcedStatement]| -> Vec<&'p SourcedStatement> {
            list.iter()
                .filter(|s| s.stmt.may_match_service(service) && s.stmt.matches_action(action))
                .collect()
        };
        let identity = pick(identity);
        let boundary = boundary.map(pick);
        let mfa = identity
            .iter()
            .chain(boundary.iter().flatten())
            .any(|s| reads_mfa(s));
        ActionView {
            identity,
            boundary,
            caller,
            mfa,
        }
    }

    /// [`Permissions::allows`] for a request of this view's action.
    pub fn allows(&self, req: &Request<'_>) -> Option<Grant> {
        let boundary = self.boundary.as_deref();
        if let Some(g) = decide(
            &self.identity,
            boundary,
            self.caller,
            req,
            World::AccessKeys,
        ) {
            return Some(g);
        }
        // Without an MFA key in any statement both worlds decide alike.
        if !self.mfa {
            return None;
        }
        decide(&self.identity, boundary, self.caller, req, World::Mfa).map(|mut g| {
            g.needs_mfa = true;
            g
        })
    }

    /// The resources (ASCII-lowercased) this view can allow the action on when every Allow
    /// names them literally (no wildcard once this caller's policy variables are filled in, no
    /// NotResource); `None` when some Allow could cover other resources. A target outside the
    /// list is never allowed.
    pub fn literal_resources(&self) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for s in self
            .identity
            .iter()
            .filter(|s| s.stmt.effect == Effect::Allow)
        {
            match &s.stmt.resources {
                ResourceSpec::Resource(rs) => {
                    for r in rs {
                        // The substitution `matches_resource` makes for this caller; a
                        // variable the caller lacks matches nothing.
                        let Some(r) = substitute(r.trim(), self.caller) else {
                            continue;
                        };
                        if r.contains(['*', '?']) {
                            return None;
                        }
                        out.push(r.to_ascii_lowercase());
                    }
                }
                ResourceSpec::NotResource(_) => return None,
                ResourceSpec::Absent => {}
            }
        }
        Some(out)
    }
}

fn decide(
    identity: &[&SourcedStatement],
    boundary: Option<&[&SourcedStatement]>,
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

/// A fixed list of actions grouped by (lowercased) service, for
/// [`Permissions::may_allow_each`].
#[derive(Debug, Clone, Default)]
pub struct ActionSet {
    pub actions: Vec<String>,
    by_service: HashMap<String, Vec<usize>>,
}

impl ActionSet {
    pub fn new(actions: Vec<String>) -> ActionSet {
        let mut by_service: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in actions.iter().enumerate() {
            by_service
                .entry(action_service(a).to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        ActionSet {
            actions,
            by_service,
        }
    }

    pub fn position(&self, action: &str) -> Option<usize> {
        self.actions.iter().position(|a| a == action)
    }
}

impl Permissions {
    /// Evaluates `req` as IAM would for this principal (identity policies, explicit Deny,
    /// boundary). `None`: denied or not allowed, for a caller with or without MFA.
    pub fn allows(&self, req: &Request<'_>) -> Option<Grant> {
        self.view(req.action).allows(req)
    }

    /// The statements that can match `action`, for evaluating it on many resources.
    pub fn view(&self, action: &str) -> ActionView<'_> {
        ActionView::new(
            &self.identity,
            self.boundary.as_deref(),
            &self.caller,
            action,
        )
    }

    /// [`Permissions::may_allow`] for every action of `set` at once: each statement is matched
    /// only against the actions of the services its patterns name.
    pub fn may_allow_each(&self, set: &ActionSet) -> Vec<bool> {
        let n = set.actions.len();
        let mark = |s: &Statement, out: &mut Vec<bool>| {
            let mut check = |i: usize| {
                if !out[i] && s.matches_action(&set.actions[i]) {
                    out[i] = true;
                }
            };
            let limited = matches!(s.actions, super::document::ActionSpec::Action(_))
                && s.action_patterns.iter().all(|p| p.service().is_some());
            if limited {
                for p in &s.action_patterns {
                    let svc = p.service().unwrap_or("");
                    for &i in set.by_service.get(svc).into_iter().flatten() {
                        check(i);
                    }
                }
            } else {
                (0..n).for_each(check);
            }
        };
        let (mut allow, mut deny, mut bounded) = (vec![false; n], vec![false; n], vec![false; n]);
        for s in &self.identity {
            if s.stmt.effect == Effect::Allow {
                mark(&s.stmt, &mut allow);
            } else if s.stmt.is_hard_deny() {
                mark(&s.stmt, &mut deny);
            }
        }
        for s in self.boundary.iter().flatten() {
            if s.stmt.effect == Effect::Allow {
                mark(&s.stmt, &mut bounded);
            } else if s.stmt.is_hard_deny() {
                mark(&s.stmt, &mut deny);
            }
        }
        (0..n)
            .map(|i| allow[i] && !deny[i] && (self.boundary.is_none() || bounded[i]))
            .collect()
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
                && p.identity
                    .iter()
                    .any(|s| s.stmt.effect == Effect::Allow && s.stmt.matches_action(pattern))
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
