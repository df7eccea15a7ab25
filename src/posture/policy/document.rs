//! Policy documents: parsing into statements, IAM globbing, statement-level predicates.
//! Action matching is case-insensitive, as IAM's is.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSpec {
    Action(Vec<String>),
    NotAction(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceSpec {
    Resource(Vec<String>),
    NotResource(Vec<String>),
    /// Trust policies have no Resource.
    Absent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `"Principal": "*"`.
    Any,
    Aws,
    Federated,
    Service,
    CanonicalUser,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub value: String,
}

impl Principal {
    /// `*` or `{"AWS": "*"}`: anyone.
    pub fn is_anyone(&self) -> bool {
        matches!(self.kind, PrincipalKind::Any)
            || (self.kind == PrincipalKind::Aws && self.value.trim() == "*")
    }

    /// Account id of an AWS principal (`123456789012` or an ARN), if it names one.
    pub fn aws_account(&self) -> Option<&str> {
        if self.kind != PrincipalKind::Aws {
            return None;
        }
        let v = self.value.trim();
        if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
            return Some(v);
        }
        if v.starts_with("arn:") {
            return v.split(':').nth(4).filter(|a| !a.is_empty());
        }
        None
    }
}

/// One `Condition` entry: `{"operator": {"key": values}}` flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: ActionSpec,
    pub resources: ResourceSpec,
    pub principals: Vec<Principal>,
    /// `NotPrincipal` present: the statement applies to everyone but the listed principals.
    pub not_principal: bool,
    pub conditions: Vec<Condition>,
    /// The statement as written, for evidence.
    pub raw: Value,
    /// Position in its document (0-based), for evidence when there is no Sid.
    pub index: usize,
    /// The Action/NotAction patterns compiled once at parse time (same order as `actions`):
    /// the evaluator matches them millions of times.
    pub(crate) action_patterns: Vec<ActionPattern>,
}

/// How an action pattern matches, picked once so the common shapes skip the glob loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// No wildcard: equal ignoring ASCII case.
    Exact,
    /// Only `*`s: everything.
    Everything,
    /// A literal prefix then only `*`s (`iam:Get*`): the prefix's length.
    Prefix(usize),
    /// Anything else: [`glob_match`].
    Glob,
}

/// One Action/NotAction pattern, trimmed and ASCII-lowercased once. Matches exactly what
/// `glob_match(pattern.trim(), action)` does (a differential test checks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionPattern {
    text: Box<str>,
    shape: Shape,
    /// The service prefix (before the first `:`, lowercased) when it holds no wildcard: the
    /// pattern can then only match actions of that service. `None`: any service.
    service: Option<Box<str>>,
}

impl ActionPattern {
    pub(crate) fn new(pattern: &str) -> ActionPattern {
        let text = pattern.trim().to_ascii_lowercase();
        let wild = |b: u8| b == b'*' || b == b'?';
        let bytes = text.as_bytes();
        let shape = match bytes.iter().position(|&b| wild(b)) {
            None => Shape::Exact,
            Some(0) if bytes.iter().all(|&b| b == b'*') => Shape::Everything,
            Some(i) if bytes[i..].iter().all(|&b| b == b'*') => Shape::Prefix(i),
            Some(_) => Shape::Glob,
        };
        // A literal prefix up to a `:` can only match text with that prefix and that `:`.
        let service = text
            .split_once(':')
            .filter(|(svc, _)| !svc.bytes().any(wild))
            .map(|(svc, _)| svc.into());
        ActionPattern {
            text: text.into(),
            shape,
            service,
        }
    }

    pub(crate) fn matches(&self, action: &str) -> bool {
        match self.shape {
            Shape::Exact => self.text.eq_ignore_ascii_case(action),
            // glob_match lets a pattern `*` consume a literal `*` of the text as a plain
            // character (a quirk the callers that compare patterns rely on): keep its answer.
            _ if action.contains('*') => glob_match(&self.text, action),
            Shape::Everything => true,
            Shape::Prefix(n) => {
                action.len() >= n
                    && action.as_bytes()[..n].eq_ignore_ascii_case(&self.text.as_bytes()[..n])
            }
            Shape::Glob => glob_match(&self.text, action),
        }
    }

    /// The lowercased service this pattern is limited to, if any.
    pub(crate) fn service(&self) -> Option<&str> {
        self.service.as_deref()
    }
}

/// The service prefix of an action (`iam` of `iam:PassRole`), as written.
pub(crate) fn action_service(action: &str) -> &str {
    action.split(':').next().unwrap_or("")
}

impl Statement {
    /// `Sid` or `#<n>` (1-based position): how evidence names a statement.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index + 1),
        }
    }
}

/// Parses a decoded policy document. A JSON string (the inventory's marker for a document
/// that did not decode) or a malformed statement is an error, so the caller can report it.
pub fn parse_document(doc: &Value) -> Result<Vec<Statement>, String> {
    let obj = match doc {
        Value::Object(o) => o,
        Value::String(_) => return Err("the document is a string, not a JSON object".into()),
        other => {
            return Err(format!(
                "the document is {}, not a JSON object",
                kind(other)
            ));
        }
    };
    let stmts = match obj.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(o @ Value::Object(_)) => vec![o],
        Some(other) => return Err(format!("Statement is {}", kind(other))),
        None => return Err("no Statement".into()),
    };
    stmts
        .into_iter()
        .enumerate()
        .map(|(i, s)| parse_statement(s, i).map_err(|e| format!("statement {i}: {e}")))
        .collect()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("{what} holds {}", kind(other))),
            })
            .collect(),
        other => Err(format!("{what} is {}", kind(other))),
    }
}

/// Condition values may be strings, booleans or numbers; compare them as text.
fn scalar_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().flat_map(scalar_strings).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn parse_statement(v: &Value, index: usize) -> Result<Statement, String> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("is {}, not an object", kind(v)))?;
    let effect = match o.get("Effect").and_then(Value::as_str) {
        Some(e) if e.eq_ignore_ascii_case("allow") => Effect::Allow,
        Some(e) if e.eq_ignore_ascii_case("deny") => Effect::Deny,
        Some(e) => return Err(format!("unknown Effect {e:?}")),
        None => return Err("no Effect".into()),
    };
    let actions = match (o.get("Action"), o.get("NotAction")) {
        (Some(a), None) => ActionSpec::Action(strings(a, "Action")?),
        (None, Some(a)) => ActionSpec::NotAction(strings(a, "NotAction")?),
        (Some(_), Some(_)) => return Err("both Action and NotAction".into()),
        (None, None) => return Err("no Action or NotAction".into()),
    };
    let resources = match (o.get("Resource"), o.get("NotResource")) {
        (Some(r), _) => ResourceSpec::Resource(strings(r, "Resource")?),
        (None, Some(r)) => ResourceSpec::NotResource(strings(r, "NotResource")?),
        (None, None) => ResourceSpec::Absent,
    };
    let (principal_value, not_principal) = match (o.get("Principal"), o.get("NotPrincipal")) {
        (Some(p), _) => (Some(p), false),
        (None, Some(p)) => (Some(p), true),
        (None, None) => (None, false),
    };
    let principals = match principal_value {
        None => Vec::new(),
        Some(p) => parse_principals(p)?,
    };
    let mut conditions = Vec::new();
    match o.get("Condition") {
        None | Some(Value::Null) => {}
        Some(Value::Object(ops)) => {
            for (op, keys) in ops {
                let keys = keys
                    .as_object()
                    .ok_or_else(|| format!("Condition {op} is {}", kind(keys)))?;
                for (key, vals) in keys {
                    conditions.push(Condition {
                        operator: op.clone(),
                        key: key.clone(),
                        values: scalar_strings(vals),
                    });
                }
            }
        }
        Some(other) => return Err(format!("Condition is {}", kind(other))),
    }
    Ok(Statement {
        sid: o.get("Sid").and_then(Value::as_str).map(str::to_string),
        effect,
        resources,
        principals,
        not_principal,
        conditions,
        raw: v.clone(),
        index,
        action_patterns: match &actions {
            ActionSpec::Action(ps) | ActionSpec::NotAction(ps) => {
                ps.iter().map(|p| ActionPattern::new(p)).collect()
            }
        },
        actions,
    })
}

fn parse_principals(p: &Value) -> Result<Vec<Principal>, String> {
    match p {
        Value::String(s) if s.trim() == "*" => Ok(vec![Principal {
            kind: PrincipalKind::Any,
            value: "*".into(),
        }]),
        Value::String(s) => Err(format!("Principal {s:?} is neither \"*\" nor an object")),
        Value::Object(m) => {
            let mut out = Vec::new();
            for (k, v) in m {
                let kind = match k.to_ascii_lowercase().as_str() {
                    "aws" => PrincipalKind::Aws,
                    "federated" => PrincipalKind::Federated,
                    "service" => PrincipalKind::Service,
                    "canonicaluser" => PrincipalKind::CanonicalUser,
                    _ => return Err(format!("unknown principal type {k:?}")),
                };
                for value in strings(v, "Principal")? {
                    out.push(Principal { kind, value });
                }
            }
            Ok(out)
        }
        other => Err(format!("Principal is {}", kind(other))),
    }
}

/// IAM glob: `*` any run, `?` one character, ASCII case-insensitive (IAM names are ASCII;
/// other characters compare exactly). No allocation: the evaluator calls this millions of times.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            // `?` stands for one character: skip a whole UTF-8 sequence, not one byte.
            if p[pi] == b'?' {
                ti += utf8_len(t[ti]);
            } else {
                ti += 1;
            }
            pi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            let next = st + utf8_len(t[st]);
            pi = sp + 1;
            ti = next;
            star = Some((sp, next));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn is_all_actions(pattern: &str) -> bool {
    matches!(pattern.trim(), "*" | "*:*")
}

impl Statement {
    pub fn matches_action(&self, action: &str) -> bool {
        let hit = self.action_patterns.iter().any(|p| p.matches(action));
        match &self.actions {
            ActionSpec::Action(_) => hit,
            ActionSpec::NotAction(_) => !hit,
        }
    }

    /// Whether some action of `service` might match: false only when every
    /// pattern is an Action pattern limited to another service. A cheap filter before
    /// [`Statement::matches_action`].
    pub(crate) fn may_match_service(&self, service: &str) -> bool {
        match &self.actions {
            ActionSpec::NotAction(_) => true,
            ActionSpec::Action(_) => self
                .action_patterns
                .iter()
                .any(|p| p.service().is_none_or(|s| s.eq_ignore_ascii_case(service))),
        }
    }

    /// `"Action": "*"` (or `*:*`) — every action.
    pub fn grants_all_actions(&self) -> bool {
        matches!(&self.actions, ActionSpec::Action(ps) if ps.iter().any(|p| is_all_actions(p)))
    }

    /// `"Resource": "*"`.
    pub fn covers_all_resources(&self) -> bool {
        matches!(&self.resources, ResourceSpec::Resource(rs) if rs.iter().any(|r| r.trim() == "*"))
    }

    /// Every Resource is the caller's own user (`${aws:username}`): self-service credential
    /// management, not escalation.
    pub fn is_self_scoped(&self) -> bool {
        matches!(&self.resources, ResourceSpec::Resource(rs)
            if !rs.is_empty() && rs.iter().all(|r| r.contains("${aws:username}")))
    }

    /// A Deny that certainly applies: no condition and every resource.
    pub(crate) fn is_hard_deny(&self) -> bool {
        self.effect == Effect::Deny && self.conditions.is_empty() && self.covers_all_resources()
    }

    fn condition_on<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Condition> + 'a {
        self.conditions
            .iter()
            .filter(move |c| c.key.eq_ignore_ascii_case(key))
    }

    /// Only `Bool aws:MultiFactorAuthPresent true` or `NumericLessThan[Equals]
    /// aws:MultiFactorAuthAge` require MFA. `BoolIfExists ... true` does not: long-term access
    /// keys send no MFA key at all, so the IfExists test passes for them without MFA.
    pub fn requires_mfa(&self) -> bool {
        let present = self.condition_on("aws:MultiFactorAuthPresent").any(|c| {
            c.operator.eq_ignore_ascii_case("Bool")
                && !c.values.is_empty()
                && c.values.iter().all(|v| v.eq_ignore_ascii_case("true"))
        });
        let age = self.condition_on("aws:MultiFactorAuthAge").any(|c| {
            let op = c.operator.to_ascii_lowercase();
            op == "numericlessthan" || op == "numericlessthanequals"
        });
        present || age
    }

    /// A positive (not negated) test on `sts:ExternalId`.
    pub fn requires_external_id(&self) -> bool {
        self.condition_on("sts:ExternalId")
            .any(|c| is_positive_operator(&c.operator) && !c.values.is_empty())
    }

    /// A positive condition that pins who the caller is (account, organization, ARN, source)
    /// to specific, non-wildcard values.
    pub fn restricts_caller_identity(&self) -> bool {
        const KEYS: [&str; 9] = [
            "aws:PrincipalAccount",
            "aws:PrincipalOrgID",
            "aws:PrincipalOrgPaths",
            "aws:PrincipalArn",
            "aws:SourceAccount",
            "aws:SourceArn",
            "aws:SourceOrgID",
            "aws:SourceOwner",
            "aws:userid",
        ];
        self.conditions.iter().any(|c| {
            KEYS.iter().any(|k| c.key.eq_ignore_ascii_case(k))
                && is_positive_operator(&c.operator)
                && !c.values.is_empty()
                && c.values.iter().all(|v| v.trim() != "*" && !v.is_empty())
        })
    }

    /// A positive condition on a key of `prefix` (e.g. an OIDC provider's `:sub`).
    pub fn has_positive_condition(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.conditions.iter().any(|c| {
            pred(&c.key.to_ascii_lowercase())
                && is_positive_operator(&c.operator)
                && !c.values.is_empty()
                && c.values.iter().all(|v| v.trim() != "*")
        })
    }

    /// Allows one of the `sts:AssumeRole*` actions (trust policies).
    pub fn allows_assume_role(&self) -> bool {
        self.effect == Effect::Allow
            && [
                "sts:AssumeRole",
                "sts:AssumeRoleWithSAML",
                "sts:AssumeRoleWithWebIdentity",
            ]
            .iter()
            .any(|a| self.matches_action(a))
    }
}

pub(crate) fn is_positive_operator(op: &str) -> bool {
    let op = op.to_ascii_lowercase();
    !op.contains("not") && op != "null"
}
