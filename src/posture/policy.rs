//! Policy document evaluation: parsing, action matching, a principal's effective statements,
//! admin detection and privilege-escalation paths.
//!
//! The model is deliberately conservative in the direction of reporting (Prowler and
//! cloudsplaining do the same): an Allow counts whatever its Resource and Condition say, while
//! a Deny only overrides when it is unconditional and covers every resource (`"Resource": "*"`).
//! A Deny that is conditional or scoped to some resources may leave the path open elsewhere.
//! Action matching is case-insensitive, as IAM's is.

use crate::model::{AttachedPolicy, IamInventory, IamRole, IamUser, InlinePolicy};
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
        .map(|(i, s)| parse_statement(s).map_err(|e| format!("statement {i}: {e}")))
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

fn parse_statement(v: &Value) -> Result<Statement, String> {
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
        actions,
        resources,
        principals,
        not_principal,
        conditions,
        raw: v.clone(),
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

/// IAM glob: `*` any run, `?` one character, case-insensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn is_all_actions(pattern: &str) -> bool {
    matches!(pattern.trim(), "*" | "*:*")
}

impl Statement {
    pub fn matches_action(&self, action: &str) -> bool {
        match &self.actions {
            ActionSpec::Action(ps) => ps.iter().any(|p| glob_match(p.trim(), action)),
            ActionSpec::NotAction(ps) => !ps.iter().any(|p| glob_match(p.trim(), action)),
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
    fn is_hard_deny(&self) -> bool {
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

fn is_positive_operator(op: &str) -> bool {
    let op = op.to_ascii_lowercase();
    !op.contains("not") && op != "null"
}

/// A statement with the policy it came from (for evidence: "granted by ...").
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedStatement {
    pub source: String,
    pub stmt: Statement,
}

/// What a principal's policies say, gathered once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Permissions {
    /// Identity policies: managed, inline and (for users) their groups' policies.
    pub identity: Vec<SourcedStatement>,
    /// The permissions boundary's statements, when one is set and readable.
    pub boundary: Option<Vec<SourcedStatement>>,
    /// Attached policies whose document is unknown (not in the inventory) or unparseable.
    pub unknown: Vec<String>,
}

impl Permissions {
    fn hard_denied(&self, action: &str) -> bool {
        let denies = |ss: &[SourcedStatement]| {
            ss.iter()
                .any(|s| s.stmt.is_hard_deny() && s.stmt.matches_action(action))
        };
        denies(&self.identity) || self.boundary.as_deref().is_some_and(denies)
    }

    /// Sources of the Allow statements that grant `action`; empty when it is not allowed or is
    /// unconditionally denied. `skip_self_scoped` ignores grants limited to `${aws:username}`.
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
fn builtin_aws_policy(arn: &str) -> Option<Value> {
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

struct Gather<'a> {
    inv: &'a IamInventory,
    perms: Permissions,
}

impl Gather<'_> {
    fn managed(&mut self, p: &AttachedPolicy, via: Option<&str>) {
        let label = match via {
            Some(g) => format!("{} (managed, via group {g})", p.policy_name),
            None => format!("{} (managed)", p.policy_name),
        };
        let doc = self
            .inv
            .policy(&p.policy_arn)
            .map(|m| m.document.clone())
            .or_else(|| builtin_aws_policy(&p.policy_arn));
        match doc.as_ref().map(parse_document) {
            Some(Ok(stmts)) => {
                self.perms
                    .identity
                    .extend(stmts.into_iter().map(|stmt| SourcedStatement {
                        source: label.clone(),
                        stmt,
                    }))
            }
            _ => self.perms.unknown.push(label),
        }
    }

    fn inline(&mut self, p: &InlinePolicy, via: Option<&str>) {
        let label = match via {
            Some(g) => format!("{} (inline, via group {g})", p.policy_name),
            None => format!("{} (inline)", p.policy_name),
        };
        match parse_document(&p.policy_document) {
            Ok(stmts) => {
                self.perms
                    .identity
                    .extend(stmts.into_iter().map(|stmt| SourcedStatement {
                        source: label.clone(),
                        stmt,
                    }))
            }
            Err(_) => self.perms.unknown.push(label),
        }
    }

    fn boundary(&mut self, b: Option<&AttachedPolicy>) {
        let Some(b) = b else { return };
        let doc = self
            .inv
            .policy(&b.policy_arn)
            .map(|m| m.document.clone())
            .or_else(|| builtin_aws_policy(&b.policy_arn));
        // An unreadable boundary is ignored: reporting too much beats hiding a path.
        if let Some(Ok(stmts)) = doc.as_ref().map(parse_document) {
            let label = format!("{} (permissions boundary)", b.policy_name);
            self.perms.boundary = Some(
                stmts
                    .into_iter()
                    .map(|stmt| SourcedStatement {
                        source: label.clone(),
                        stmt,
                    })
                    .collect(),
            );
        }
    }
}

/// A user's effective statements: own managed + inline, and each group's managed + inline.
pub fn user_permissions(inv: &IamInventory, user: &IamUser) -> Permissions {
    let mut g = Gather {
        inv,
        perms: Permissions::default(),
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
    let mut g = Gather {
        inv,
        perms: Permissions::default(),
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

/// A known way to gain more privileges with a set of actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationMethod {
    /// Cloudsplaining's method name.
    pub id: &'static str,
    pub actions: &'static [&'static str],
    pub description: &'static str,
    /// Granting these only on `${aws:username}` is self-service, not escalation.
    pub self_scoped_ok: bool,
}

const fn m(
    id: &'static str,
    actions: &'static [&'static str],
    description: &'static str,
) -> EscalationMethod {
    EscalationMethod {
        id,
        actions,
        description,
        self_scoped_ok: false,
    }
}

const fn m_self(
    id: &'static str,
    actions: &'static [&'static str],
    description: &'static str,
) -> EscalationMethod {
    EscalationMethod {
        id,
        actions,
        description,
        self_scoped_ok: true,
    }
}

/// The escalation methods checked (from cloudsplaining / Prowler, section 4 of the reference).
pub const ESCALATION_METHODS: &[EscalationMethod] = &[
    m(
        "CreateEC2WithExistingInstanceProfile",
        &["iam:PassRole", "ec2:RunInstances"],
        "launch an EC2 instance with a more privileged role and use its credentials",
    ),
    m(
        "PassExistingRoleToNewLambdaThenInvoke",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
        "create a Lambda function with a more privileged role and invoke it",
    ),
    m(
        "PassExistingRoleToCloudFormation",
        &["iam:PassRole", "cloudformation:CreateStack"],
        "create a CloudFormation stack that runs as a more privileged role",
    ),
    m(
        "CreateNewPolicyVersion",
        &["iam:CreatePolicyVersion"],
        "write a new default version of a customer-managed policy with any permissions",
    ),
    m(
        "SetExistingDefaultPolicyVersion",
        &["iam:SetDefaultPolicyVersion"],
        "switch a policy to an older, more permissive version",
    ),
    m(
        "AttachUserPolicy",
        &["iam:AttachUserPolicy"],
        "attach any managed policy to a user",
    ),
    m(
        "AttachGroupPolicy",
        &["iam:AttachGroupPolicy"],
        "attach any managed policy to a group",
    ),
    m(
        "AttachRolePolicy",
        &["iam:AttachRolePolicy"],
        "attach any managed policy to a role",
    ),
    m(
        "PutUserPolicy",
        &["iam:PutUserPolicy"],
        "write any inline policy on a user",
    ),
    m(
        "PutGroupPolicy",
        &["iam:PutGroupPolicy"],
        "write any inline policy on a group",
    ),
    m(
        "PutRolePolicy",
        &["iam:PutRolePolicy"],
        "write any inline policy on a role",
    ),
    m_self(
        "CreateAccessKey",
        &["iam:CreateAccessKey"],
        "create access keys for another, more privileged user",
    ),
    m_self(
        "CreateLoginProfile",
        &["iam:CreateLoginProfile"],
        "set a console password on another user",
    ),
    m_self(
        "UpdateLoginProfile",
        &["iam:UpdateLoginProfile"],
        "change another user's console password",
    ),
    m(
        "UpdateRolePolicyToAssumeIt",
        &["iam:UpdateAssumeRolePolicy"],
        "rewrite a role's trust policy to let oneself assume it",
    ),
    m(
        "AddUserToGroup",
        &["iam:AddUserToGroup"],
        "join a more privileged group",
    ),
    m(
        "EditExistingLambdaFunctionWithRole",
        &["lambda:UpdateFunctionCode"],
        "replace the code of a Lambda function that runs as a more privileged role",
    ),
];

/// One escalation method the principal can use, with the policies that grant each action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EscalationPath {
    pub method: &'static str,
    pub description: &'static str,
    pub actions: Vec<&'static str>,
    /// Policy labels granting the actions, e.g. `deploy (inline)`.
    pub granted_by: Vec<String>,
}

/// Escalation paths of a set of effective permissions. Admins have every path by definition,
/// so they get none here (they are reported as admins).
pub fn paths_for(perms: &Permissions) -> Vec<EscalationPath> {
    if perms.is_admin() {
        return Vec::new();
    }
    let mut out = Vec::new();
    'method: for m in ESCALATION_METHODS {
        let mut granted_by: Vec<String> = Vec::new();
        for a in m.actions {
            let by = perms.granted_by(a, m.self_scoped_ok);
            if by.is_empty() {
                continue 'method;
            }
            for b in by {
                if !granted_by.contains(&b) {
                    granted_by.push(b);
                }
            }
        }
        out.push(EscalationPath {
            method: m.id,
            description: m.description,
            actions: m.actions.to_vec(),
            granted_by,
        });
    }
    out
}

/// Privilege-escalation paths of the user or role `principal_arn` (empty when unknown or admin).
pub fn escalation_paths(inv: &IamInventory, principal_arn: &str) -> Vec<EscalationPath> {
    permissions_of(inv, principal_arn)
        .map(|p| paths_for(&p))
        .unwrap_or_default()
}
