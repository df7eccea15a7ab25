//! The privilege-escalation method catalog (data/escalation-methods.toml, embedded): its
//! types, the parser that checks it, and the Markdown section docs/posture-rules.md carries.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The catalog as shipped (embedded at build time).
const CATALOG_TOML: &str = include_str!("../../../data/escalation-methods.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The principal changes its own permissions.
    SelfEscalation,
    /// The principal gets the credentials or the sessions of another principal.
    PrincipalAccess,
    /// The principal passes an existing role to a new resource it then controls.
    NewPassrole,
    /// The principal changes an existing resource that runs as a role.
    ExistingPassrole,
    /// The principal reads the credentials of a role from a resource that runs as it.
    CredentialAccess,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::SelfEscalation => "self-escalation",
            Category::PrincipalAccess => "principal-access",
            Category::NewPassrole => "new-passrole",
            Category::ExistingPassrole => "existing-passrole",
            Category::CredentialAccess => "credential-access",
        }
    }
}

/// What a method acts on, which decides the edge it yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// Another user (its credentials): edge to that user.
    User,
    /// A role whose trust policy lets the principal in: edge to that role.
    AssumeRole,
    /// A role that trusts `service`: edge to that role.
    ServiceRole,
    /// A user's policies: grant on that user.
    UserPolicy,
    /// A group's policies: grant on each member.
    GroupPolicy,
    /// A role's policies: grant on that role.
    RolePolicy,
    /// A customer-managed policy: grant on every principal it is attached to.
    PolicyVersion,
    /// A group the user joins: terminal (the user plus the group's policies).
    GroupMembership,
    /// A role's trust policy: edge to that role.
    TrustRewrite,
    /// The principal's own permissions boundary: terminal (the principal unbounded).
    Boundary,
    /// A principal the caller creates with any policy: terminal (administrator).
    NewPrincipal,
}

impl TargetKind {
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::User => "another user",
            TargetKind::AssumeRole => "a role that trusts the principal",
            TargetKind::ServiceRole => "a role that trusts the service",
            TargetKind::UserPolicy => "a user (the principal or one it can become)",
            TargetKind::GroupPolicy => "a group the principal (or one it can become) is in",
            TargetKind::RolePolicy => "a role (the principal or one it can become)",
            TargetKind::PolicyVersion => {
                "a customer-managed policy attached to the principal (or one it can become)"
            }
            TargetKind::GroupMembership => "a group with more permissions",
            TargetKind::TrustRewrite => "any role",
            TargetKind::Boundary => "the principal's own permissions boundary",
            TargetKind::NewPrincipal => "a new user or role",
        }
    }
}

/// The resource an action is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum On {
    /// The target's ARN (user, role, group or policy).
    Target,
    /// `iam:PassRole` on the target role, with `iam:PassedToService` = the method's service.
    Pass,
    /// A resource the caller creates or picks.
    Any,
    /// The principal's own ARN.
    #[serde(rename = "self")]
    Own,
}

/// A value the caller chooses in the request (its conditions are tested with the values that
/// would escalate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Chooses {
    /// `iam:PolicyARN`: an administrator policy.
    Policy,
    /// `iam:PermissionsBoundary`: an administrator policy as the new boundary.
    Boundary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precondition {
    /// The target user has a console password (UpdateLoginProfile).
    LoginProfile,
    /// The target user has none (CreateLoginProfile).
    NoLoginProfile,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredAction {
    pub action: String,
    pub on: On,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chooses: Option<Chooses>,
}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub id: String,
    pub category: Category,
    pub target: TargetKind,
    /// The service principal a `service-role` method needs the role to trust.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precondition: Option<Precondition>,
    pub actions: Vec<RequiredAction>,
    pub description: String,
    pub remediation: String,
    pub references: Vec<String>,
}

impl Method {
    pub fn action_names(&'static self) -> Vec<&'static str> {
        self.actions.iter().map(|a| a.action.as_str()).collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    method: Vec<Method>,
}

/// Parses a catalog file and checks what serde cannot: unique ids, a service on exactly the
/// service-role methods, `pass` only there.
pub fn parse_catalog(text: &str) -> Result<Vec<Method>, String> {
    let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    for m in &file.method {
        if !seen.insert(m.id.as_str()) {
            return Err(format!("duplicate method id {}", m.id));
        }
        let service_role = m.target == TargetKind::ServiceRole;
        if service_role != m.service.is_some() {
            return Err(format!(
                "{}: `service` is required for target service-role and only there",
                m.id
            ));
        }
        if m.actions.iter().any(|a| a.on == On::Pass) && !service_role {
            return Err(format!(
                "{}: `on = \"pass\"` needs target service-role",
                m.id
            ));
        }
        if m.actions.is_empty() || m.references.is_empty() {
            return Err(format!("{}: needs actions and references", m.id));
        }
    }
    Ok(file.method)
}

/// The embedded catalog (validated by a unit test, so this cannot fail in a release).
pub fn catalog() -> &'static [Method] {
    static CATALOG: OnceLock<Vec<Method>> = OnceLock::new();
    CATALOG.get_or_init(|| parse_catalog(CATALOG_TOML).expect("data/escalation-methods.toml"))
}

/// Markers around the generated catalog section of docs/posture-rules.md.
pub const DOC_BEGIN: &str =
    "<!-- BEGIN escalation methods: generated from data/escalation-methods.toml -->";
pub const DOC_END: &str = "<!-- END escalation methods -->";

/// The catalog as the Markdown section docs/posture-rules.md carries between [`DOC_BEGIN`]
/// and [`DOC_END`] (a unit test keeps the page fresh).
pub fn catalog_markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut s = String::new();
    s.push_str(DOC_BEGIN);
    s.push_str("\n\n");
    s.push_str(&format!(
        "{} methods. Target: what the method acts on (only targets that exist and hold more than \
         the principal count). `pass`: iam:PassRole on the target role with \
         iam:PassedToService = the service; `any`: a resource the caller creates or picks; \
         `chooses policy`: the caller picks the managed policy (iam:PolicyARN is tested with \
         administrator policies).\n\n",
        catalog().len()
    ));
    s.push_str("| Method | Category | Target | Actions | What it does | Fix | References |\n");
    s.push_str("|---|---|---|---|---|---|---|\n");
    for m in catalog() {
        let target = match &m.service {
            Some(svc) => format!("role trusting `{svc}`"),
            None => m.target.label().to_string(),
        };
        let target = match m.precondition {
            Some(Precondition::LoginProfile) => format!("{target} with a console password"),
            Some(Precondition::NoLoginProfile) => format!("{target} without a console password"),
            None => target,
        };
        let actions: Vec<String> = m
            .actions
            .iter()
            .map(|a| {
                let on = match a.on {
                    On::Target => "target",
                    On::Pass => "pass",
                    On::Any => "any",
                    On::Own => "self",
                };
                let chooses = match a.chooses {
                    Some(Chooses::Policy) => ", chooses policy",
                    Some(Chooses::Boundary) => ", chooses boundary",
                    None => "",
                };
                format!("`{}` ({on}{chooses})", a.action)
            })
            .collect();
        let refs: Vec<String> = m.references.iter().map(|r| cell(r)).collect();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            m.id,
            m.category.label(),
            cell(&target),
            actions.join(" + "),
            cell(&m.description),
            cell(&m.remediation),
            refs.join("<br>")
        ));
    }
    s.push('\n');
    s.push_str(DOC_END);
    s
}
