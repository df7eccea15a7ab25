//! On-call incident walkthroughs: playbooks (readable TOML in `playbooks/`) of ordered steps —
//! inspections that show facts, actions from the remediation catalog (same preview, confirmation
//! and journal), notes the responder types, manual steps spelled out — with progress stored as
//! append-only JSON lines beside the action journal, so a second responder can resume, and a
//! timeline exported as Markdown or JSON for the post-incident review.

pub mod inspect;
pub mod store;
pub mod timeline;

use crate::dataset::Dataset;
use crate::model::{Finding, Source};
use crate::posture::policy::glob_match;
use crate::remediation::{Plan, catalog};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The built-in playbooks, embedded so the binary needs no files.
const BUILTIN: &[(&str, &str)] = &[
    (
        "compromised-access-key",
        include_str!("../../playbooks/compromised-access-key.toml"),
    ),
    (
        "root-credential-usage",
        include_str!("../../playbooks/root-credential-usage.toml"),
    ),
    (
        "instance-credential-exfiltration",
        include_str!("../../playbooks/instance-credential-exfiltration.toml"),
    ),
    (
        "role-exposure",
        include_str!("../../playbooks/role-exposure.toml"),
    ),
    (
        "break-glass-used",
        include_str!("../../playbooks/break-glass-used.toml"),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Investigate,
    Contain,
    Eradicate,
    Recover,
    Document,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Investigate => "investigate",
            Phase::Contain => "contain",
            Phase::Eradicate => "eradicate",
            Phase::Recover => "recover",
            Phase::Document => "document",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StepKind {
    /// Shows facts (see [`inspect`]).
    Inspect { inspect: String },
    /// An action from the remediation catalog, built for the incident's subject.
    Action { action: String },
    /// The responder types what they found or did.
    Note { prompt: String },
    /// Work guardpost cannot do (the root user's, secrets): spelled out, marked done by hand.
    Manual { text: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepDef {
    pub id: String,
    pub phase: Phase,
    pub title: String,
    #[serde(flatten)]
    pub kind: StepKind,
    #[serde(default)]
    pub why: String,
    /// Shown as optional (it is normal to skip it with a reason).
    #[serde(default)]
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// `access-key`, `account`, `role` or `principal`.
    pub subject: String,
    /// GuardDuty finding types (globs) this playbook answers.
    #[serde(default)]
    pub finding_types: Vec<String>,
    pub steps: Vec<StepDef>,
}

/// Every built-in playbook, parsed once (a test keeps them valid).
fn builtin() -> &'static [Playbook] {
    static PARSED: std::sync::OnceLock<Vec<Playbook>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| {
        BUILTIN
            .iter()
            .map(|(name, text)| {
                parse_playbook(text).unwrap_or_else(|e| panic!("playbooks/{name}.toml: {e}"))
            })
            .collect()
    })
}

/// The built-in playbooks' TOML sources, by id.
pub fn builtin_sources() -> &'static [(&'static str, &'static str)] {
    BUILTIN
}

/// Parses a playbook; one without steps is refused (there would be nothing to walk through).
pub fn parse_playbook(text: &str) -> Result<Playbook, String> {
    let book: Playbook = toml::from_str(text).map_err(|e| e.to_string())?;
    if book.steps.is_empty() {
        return Err(format!("playbook {:?} has no steps", book.id));
    }
    Ok(book)
}

pub fn playbooks() -> Vec<Playbook> {
    builtin().to_vec()
}

pub fn playbook(id: &str) -> Result<Playbook, String> {
    builtin()
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(|| {
            let ids: Vec<&str> = builtin().iter().map(|p| p.id.as_str()).collect();
            format!(
                "unknown playbook {id:?}; the playbooks are: {}",
                ids.join(", ")
            )
        })
}

/// What the incident is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// guardpost ids of the findings that started it.
    #[serde(default)]
    pub finding_ids: Vec<String>,
}

impl Subject {
    pub fn label(&self) -> String {
        match (&self.access_key_id, &self.user, &self.role) {
            (Some(k), Some(u), _) => format!("access key {k} of user {u}"),
            (Some(k), None, _) => format!("access key {k}"),
            (None, Some(u), _) => format!("user {u}"),
            (None, None, Some(r)) => format!("role {r}"),
            _ => "the account".to_string(),
        }
    }

    /// The IAM ARN of the user or role.
    pub fn principal_arn(&self, data: &Dataset) -> Option<String> {
        let iam = data.iam.as_ref()?;
        if let Some(u) = &self.user {
            return iam.user(u).map(|u| u.arn.clone());
        }
        let r = self.role.as_ref()?;
        iam.role_detail_list
            .iter()
            .find(|x| &x.role_name == r)
            .map(|x| x.arn.clone())
    }
}

/// The subject of a leaked key: the key must be in the loaded inventory.
pub fn subject_for_key(data: &Dataset, key: &str) -> Result<Subject, String> {
    let iam = data
        .iam
        .as_ref()
        .ok_or("the IAM inventory is not loaded (see the source problems)")?;
    let owner = iam.key_owner(key).ok_or_else(|| {
        format!(
            "access key {key} is not in account {}: no IAM user of this account has it (deleted, another account, or a typo); no playbook started",
            data.account.id
        )
    })?;
    let finding_ids = data
        .findings
        .iter()
        .filter(|f| f.records.iter().any(|r| r.raw.to_string().contains(key)))
        .map(|f| f.id.clone())
        .collect();
    Ok(Subject {
        access_key_id: Some(key.to_string()),
        user: Some(owner.user_name.clone()),
        role: None,
        finding_ids,
    })
}

/// Finds a finding by guardpost id or by any source's id (GuardDuty id, ASFF Id, ARN).
pub fn find_finding<'a>(data: &'a Dataset, id: &str) -> Option<&'a Finding> {
    data.findings.iter().find(|f| {
        f.id == id
            || f.records
                .iter()
                .any(|r| r.id == id || r.raw["arn"] == id || r.raw["Id"] == id)
    })
}

/// The playbook that answers a finding, and its subject.
pub fn suggest(data: &Dataset, f: &Finding) -> (Playbook, Subject) {
    // The most specific pattern wins: InstanceCredentialExfiltration.* over IAMUser/*.
    let by_type = builtin()
        .iter()
        .filter_map(|p| {
            p.finding_types
                .iter()
                .filter(|g| glob_match(g, &f.kind) || *g == &f.kind)
                .map(|g| g.len())
                .max()
                .map(|len| (len, p))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, p)| p);
    let mut subject = Subject {
        finding_ids: vec![f.id.clone()],
        ..Default::default()
    };
    // GuardDuty names the key and its user (or, for instance credentials, the role).
    if let Some(rec) = f.records.iter().find(|r| r.source == Source::GuardDuty) {
        let d = &rec.raw["resource"]["accessKeyDetails"];
        let user = d["userName"].as_str().map(str::to_string);
        let key = d["accessKeyId"].as_str().map(str::to_string);
        match d["userType"].as_str() {
            Some("AssumedRole") => subject.role = user,
            Some("Root") => {}
            _ => {
                subject.user = user;
                subject.access_key_id = key.filter(|k| k.starts_with("AKIA"));
            }
        }
    }
    if subject.user.is_none()
        && subject.role.is_none()
        && let (Some(res), Some(iam)) = (f.primary_resource(), data.iam.as_ref())
    {
        if let Some(u) = iam.user_by_arn(&res.arn) {
            subject.user = Some(u.user_name.clone());
        } else if let Some(r) = iam.role_by_arn(&res.arn) {
            subject.role = Some(r.role_name.clone());
        }
    }
    // Break-glass users are recognised the way the posture rules did (configured names and
    // tag): their use is a break-glass incident, whatever the finding.
    let is_break_glass = subject.user.as_ref().is_some_and(|name| {
        data.iam
            .as_ref()
            .and_then(|iam| iam.user_detail_list.iter().find(|u| &u.user_name == name))
            .is_some_and(|u| crate::posture::is_break_glass_user(u, &data.posture_config))
    });
    let from_guardduty = f.records.iter().any(|r| r.source == Source::GuardDuty);
    let book = match by_type {
        Some(_) if is_break_glass => playbook("break-glass-used"),
        Some(b) => Ok(b.clone()),
        None if is_break_glass => playbook("break-glass-used"),
        None if subject.access_key_id.is_some() => playbook("compromised-access-key"),
        // Stolen instance credentials are a GuardDuty threat finding about a role session; a
        // finding about a role's configuration (trusts `*`, no MFA, admin rights) is about who
        // may have assumed it.
        None if subject.role.is_some() && from_guardduty => {
            playbook("instance-credential-exfiltration")
        }
        None if subject.role.is_some() => playbook("role-exposure"),
        None => playbook("compromised-access-key"),
    }
    .expect("built-in playbook");
    (book, subject)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum StepStatus {
    Pending,
    Done,
    /// An action step run as a dry run (demo, snapshot or `--dry-run`): planned and journaled,
    /// nothing called. Lets the walkthrough go on, but is never written as "done".
    #[serde(rename = "dry-run")]
    DryRun,
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
    },
    /// An inspection could not tell: what it needed could not be read (the regions that
    /// failed and why). Never "done": Enter looks again, `s` skips it with a reason.
    Unknown {
        reason: String,
    },
}

impl StepStatus {
    /// Done or skipped for good: another responder may not record it again.
    pub fn is_final(&self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Skipped { .. })
    }

    /// Counts as progress (`3/15`): done, skipped or dry run. A failed or unknown step is
    /// still to do.
    pub fn is_settled(&self) -> bool {
        self.is_final() || *self == StepStatus::DryRun
    }

    pub fn label(&self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Done => "done",
            StepStatus::DryRun => "dry run",
            StepStatus::Skipped { .. } => "skipped",
            StepStatus::Failed { .. } => "FAILED",
            StepStatus::Unknown { .. } => "unknown",
        }
    }
}

/// One step's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepState {
    pub status: StepStatus,
    pub at: Option<DateTime<Utc>>,
    /// What the responder saw (inspection facts).
    pub seen: Vec<String>,
    /// What was done (API calls and their results, the note typed).
    pub did: Vec<String>,
    /// The action journal entry of an action step.
    pub journal_id: Option<String>,
    pub by: Option<String>,
}

/// A running incident: playbook, subject, and each step's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: String,
    pub playbook: Playbook,
    pub subject: Subject,
    pub account: String,
    pub started: DateTime<Utc>,
    pub started_by: Option<String>,
    pub steps: Vec<StepState>,
    /// Every record, in order (the timeline).
    pub records: Vec<store::Record>,
}

impl Incident {
    /// The step to work on: the first pending, failed or unknown one (a failed or unknown
    /// step stops the playbook there until it is retried or skipped).
    pub fn current(&self) -> Option<usize> {
        self.steps.iter().position(|s| {
            matches!(
                s.status,
                StepStatus::Pending | StepStatus::Failed { .. } | StepStatus::Unknown { .. }
            )
        })
    }

    pub fn finished(&self) -> bool {
        self.current().is_none()
    }

    /// Applies one record (from the store, or just made).
    pub fn apply(&mut self, rec: &store::Record) {
        if let store::Event::Step {
            step,
            outcome,
            seen,
            did,
            journal_id,
        } = &rec.event
            && let Some(i) = self.playbook.steps.iter().position(|s| &s.id == step)
        {
            let st = &mut self.steps[i];
            st.status = outcome.clone();
            st.at = Some(rec.ts);
            st.seen = seen.clone();
            st.did = did.clone();
            st.journal_id = journal_id.clone();
            st.by = rec.caller.clone();
        }
        self.records.push(rec.clone());
    }
}

/// `{user}`, `{role}` and `{key}` in manual texts.
pub fn fill(text: &str, s: &Subject) -> String {
    text.replace("{user}", s.user.as_deref().unwrap_or("USER"))
        .replace("{role}", s.role.as_deref().unwrap_or("ROLE"))
        .replace("{key}", s.access_key_id.as_deref().unwrap_or("KEY"))
}

/// The remediation plan of an action step for this subject, or why there is nothing to do.
pub fn action_plan(
    step: &StepDef,
    incident: &Incident,
    data: &Dataset,
    now: DateTime<Utc>,
) -> Result<Option<Plan>, String> {
    let StepKind::Action { action } = &step.kind else {
        return Err(format!("step {} is not an action", step.id));
    };
    let s = &incident.subject;
    let iam = data.iam.as_ref();
    let user = || {
        s.user
            .clone()
            .ok_or_else(|| format!("step {}: the incident names no IAM user", step.id))
    };
    let key = || {
        s.access_key_id
            .clone()
            .ok_or_else(|| format!("step {}: the incident names no access key", step.id))
    };
    let plan = match action.as_str() {
        "save-configuration" => Some(match (&s.user, &s.role) {
            (Some(u), _) => catalog::save_configuration(catalog::Principal::User(u)),
            (None, Some(r)) => catalog::save_configuration(catalog::Principal::Role(r)),
            _ => return Err("the incident names no user or role to save".into()),
        }),
        "deactivate-key" => {
            let (u, k) = (user()?, key()?);
            let active = iam
                .and_then(|i| i.user(&u))
                .and_then(|x| x.access_keys.iter().find(|a| a.access_key_id == k))
                .map(|a| a.is_active());
            match active {
                Some(false) => None,
                _ => Some(catalog::deactivate_access_key(&u, &k)),
            }
        }
        "delete-key" => Some(catalog::delete_access_key(&user()?, &key()?)),
        "revoke-user-sessions" => Some(catalog::revoke_sessions(
            catalog::Principal::User(&user()?),
            now,
        )),
        "revoke-role-sessions" => {
            let roles: Vec<String> = match (&s.role, &s.user) {
                (Some(r), _) => vec![r.clone()],
                (None, Some(u)) => inspect::assumable_roles(data, u)
                    .into_iter()
                    .map(|(r, _)| r)
                    .collect(),
                _ => vec![],
            };
            catalog::revoke_sessions_many(&roles, now)
        }
        "revoke-principal-sessions" => match (&s.user, &s.role) {
            (Some(u), _) => Some(catalog::revoke_sessions(catalog::Principal::User(u), now)),
            (None, Some(r)) => Some(catalog::revoke_sessions(catalog::Principal::Role(r), now)),
            _ => return Err("the incident names no user or role".into()),
        },
        "quarantine-user" => Some(catalog::quarantine(
            catalog::Principal::User(&user()?),
            false,
        )),
        "quarantine-role" => {
            let r = s
                .role
                .clone()
                .ok_or("the incident names no role to quarantine")?;
            Some(catalog::quarantine(catalog::Principal::Role(&r), false))
        }
        "delete-login-profile" => {
            let u = user()?;
            let has = iam
                .and_then(|i| i.user(&u))
                .is_some_and(|x| x.login_profile.is_some());
            has.then(|| catalog::delete_login_profile(&u))
        }
        "notify-findings" => {
            let related = inspect::related_findings(data, incident);
            let refs: Vec<&Finding> = related.iter().collect();
            catalog::securityhub_workflow(
                &refs,
                crate::model::Workflow::Notified,
                &format!(
                    "Incident {} ({}): {} is being handled",
                    incident.id,
                    incident.playbook.title,
                    incident.subject.label()
                ),
            )
        }
        other => return Err(format!("unknown playbook action {other:?}")),
    };
    Ok(plan)
}

/// A new incident id: `inc-YYYYMMDD-HHMMSS-<subject>`.
pub fn new_id(now: DateTime<Utc>, subject: &Subject) -> String {
    let tag: String = subject
        .access_key_id
        .clone()
        .or_else(|| subject.user.clone())
        .or_else(|| subject.role.clone())
        .unwrap_or_else(|| "account".into())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(24)
        .collect();
    format!("inc-{}-{tag}", now.format("%Y%m%d-%H%M%S"))
}

#[cfg(test)]
mod tests;
