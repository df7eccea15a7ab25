//! Incident progress: append-only JSON lines, one file per incident, in `incidents/` beside the
//! action journal (`$GUARDPOST_STATE_DIR/incidents/<id>.jsonl`). Each record is fsync'd, so a
//! second responder (or the same one after a crash) resumes exactly where it stopped.

use super::{Incident, Playbook, StepState, StepStatus, Subject};
use crate::storage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    pub ts: DateTime<Utc>,
    pub incident: String,
    /// Who did it (sts:GetCallerIdentity ARN), when known.
    #[serde(default)]
    pub caller: Option<String>,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Started {
        playbook: Box<Playbook>,
        subject: Subject,
        account: String,
    },
    /// A step ended (done, skipped with a reason, failed with the error).
    Step {
        step: String,
        #[serde(flatten)]
        outcome: StepStatus,
        #[serde(default)]
        seen: Vec<String>,
        #[serde(default)]
        did: Vec<String>,
        #[serde(default)]
        journal_id: Option<String>,
    },
    /// Someone picked the incident up (resume).
    Resumed,
    /// A responder's session is about to run this step ([`claim`]).
    Claimed { step: String, token: String },
}

/// `incidents/` in the state directory.
pub fn default_dir() -> Option<PathBuf> {
    crate::remediation::journal::default_path()
        .and_then(|p| p.parent().map(|d| d.join("incidents")))
}

pub fn path_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.jsonl"))
}

/// Appends one record, holding an exclusive lock on the incident's file: the records other
/// responders appended are read first, and a step that one of them already did or skipped is
/// refused, so two responders never both record a step (a failed step may be retried; [`claim`]
/// keeps two sessions from running one at once). One `write` per
/// record, fsync'd; a new file is 0600 in a 0700 directory, the directory fsync'd.
pub fn append(dir: &Path, rec: &Record) -> Result<(), String> {
    let path = path_of(dir, &rec.incident);
    let line = serde_json::to_string(rec).map_err(|e| e.to_string())?;
    let mut f = storage::LockedAppend::lock(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let others = read_locked(&mut f, &path)?;
    if let Event::Step { step, .. } = &rec.event
        && !others.is_empty()
    {
        let inc = replay(others)?;
        if let Some(i) = inc.playbook.steps.iter().position(|s| &s.id == step) {
            let st = &inc.steps[i];
            if st.status.is_final() {
                return Err(format!(
                    "step {step} was already {} by {} at {}: not recorded twice",
                    st.status.label(),
                    st.by.as_deref().unwrap_or("another responder"),
                    st.at.map(|t| t.to_rfc3339()).unwrap_or_default()
                ));
            }
        }
    }
    f.append_line(&line)
        .map(|_| ())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// How long a claim on a step holds when its responder neither finishes nor releases it (a
/// crash): then another responder may take the step over.
pub const CLAIM_MINUTES: i64 = 15;

/// Claims step `step` of incident `incident` for `token` (one responder's session) before it
/// runs: refused when the step is done or skipped, or claimed by another session less than
/// [`CLAIM_MINUTES`] ago. Checked and written under the file's lock, so of two responders
/// pressing Enter at once exactly one gets the step.
pub fn claim(
    dir: &Path,
    incident: &str,
    step: &str,
    token: &str,
    caller: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let path = path_of(dir, incident);
    let mut f = storage::LockedAppend::lock(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let records = read_locked(&mut f, &path)?;
    let inc = replay(records)?;
    let i = inc
        .playbook
        .steps
        .iter()
        .position(|s| s.id == step)
        .ok_or_else(|| format!("incident {incident} has no step {step}"))?;
    let st = &inc.steps[i];
    if st.status.is_final() {
        return Err(format!(
            "step {step} was already {} by {}",
            st.status.label(),
            st.by.as_deref().unwrap_or("another responder")
        ));
    }
    if let Some((ts, other, by)) = open_claim(&inc, step)
        && other != token
        && now - ts < chrono::Duration::minutes(CLAIM_MINUTES)
    {
        return Err(format!(
            "step {step} is being run by {} since {ts} (another guardpost); wait for it or retry after {CLAIM_MINUTES} minutes",
            by.unwrap_or_else(|| "another responder".into())
        ));
    }
    let rec = Record {
        v: VERSION,
        ts: now,
        incident: incident.to_string(),
        caller,
        event: Event::Claimed {
            step: step.to_string(),
            token: token.to_string(),
        },
    };
    let line = serde_json::to_string(&rec).map_err(|e| e.to_string())?;
    f.append_line(&line)
        .map(|_| ())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The last claim on `step` not followed by the step's end: (when, token, who).
fn open_claim(inc: &Incident, step: &str) -> Option<(DateTime<Utc>, String, Option<String>)> {
    let mut open = None;
    for r in &inc.records {
        match &r.event {
            Event::Claimed { step: s, token } if s == step => {
                open = Some((r.ts, token.clone(), r.caller.clone()));
            }
            Event::Step { step: s, .. } if s == step => open = None,
            _ => {}
        }
    }
    open
}

/// Every record of a locked incident file (a torn last record from a crash is skipped).
fn read_locked(f: &mut storage::LockedAppend, path: &Path) -> Result<Vec<Record>, String> {
    let bytes = f
        .read_from(0, storage::MAX_INCIDENT_BYTES)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&bytes, path)
}

/// Starts an incident: writes the `started` record and returns the state.
pub fn start(
    dir: &Path,
    id: &str,
    playbook: Playbook,
    subject: Subject,
    account: &str,
    caller: Option<String>,
    now: DateTime<Utc>,
) -> Result<Incident, String> {
    if path_of(dir, id).exists() {
        return Err(format!("incident {id} already exists"));
    }
    let rec = Record {
        v: VERSION,
        ts: now,
        incident: id.to_string(),
        caller,
        event: Event::Started {
            playbook: Box::new(playbook),
            subject,
            account: account.to_string(),
        },
    };
    append(dir, &rec)?;
    replay(vec![rec])
}

/// Rebuilds an incident from its records.
pub fn replay(records: Vec<Record>) -> Result<Incident, String> {
    let first = records.first().ok_or("the incident file is empty")?;
    let Event::Started {
        playbook,
        subject,
        account,
    } = &first.event
    else {
        return Err("the incident file does not start with a `started` record".into());
    };
    if playbook.steps.is_empty() {
        return Err(format!(
            "incident {}: its playbook {:?} has no steps (the file is damaged or was not written by guardpost)",
            first.incident, playbook.id
        ));
    }
    let mut inc = Incident {
        id: first.incident.clone(),
        playbook: (**playbook).clone(),
        subject: subject.clone(),
        account: account.clone(),
        started: first.ts,
        started_by: first.caller.clone(),
        steps: playbook
            .steps
            .iter()
            .map(|_| StepState {
                status: StepStatus::Pending,
                at: None,
                seen: vec![],
                did: vec![],
                journal_id: None,
                by: None,
            })
            .collect(),
        records: Vec::new(),
    };
    for r in &records {
        inc.apply(r);
    }
    Ok(inc)
}

/// Reads one incident file (at most [`storage::MAX_INCIDENT_BYTES`]). A corrupt line stops the
/// read with its line number; a last record torn by a crash mid-write is skipped (the step it
/// recorded reads as not done, and is done again).
pub fn load(path: &Path) -> Result<Incident, String> {
    let bytes = storage::read_limited(path, storage::MAX_INCIDENT_BYTES)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    replay(parse(&bytes, path)?)
}

/// Parses incident file bytes into records.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Record>, String> {
    let (lines, tail) = storage::split_lines(bytes);
    let mut records = Vec::new();
    for (n, line) in lines.into_iter().chain(tail).enumerate() {
        let line = String::from_utf8_lossy(line);
        if line.trim().is_empty() {
            continue;
        }
        let rec: Record = match serde_json::from_str(&line) {
            Ok(r) => r,
            // Torn by a crash mid-write: the record did not happen.
            Err(e) if e.is_eof() => continue,
            Err(e) => return Err(format!("{} line {}: {e}", path.display(), n + 1)),
        };
        if rec.v > VERSION {
            return Err(format!(
                "{} line {} is version {}; this guardpost reads version {VERSION}",
                path.display(),
                n + 1,
                rec.v
            ));
        }
        records.push(rec);
    }
    Ok(records)
}

/// Every incident in `dir`, newest first.
pub fn list(dir: &Path) -> Vec<Result<Incident, String>> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    paths.reverse();
    paths.iter().map(|p| load(p)).collect()
}

/// The incident to resume: `id`, or else the newest unfinished one.
pub fn find(dir: &Path, id: Option<&str>) -> Result<Incident, String> {
    match id {
        Some(id) => load(&path_of(dir, id)).map_err(|e| {
            if path_of(dir, id).exists() {
                e
            } else {
                format!("no incident {id} in {}", dir.display())
            }
        }),
        None => list(dir)
            .into_iter()
            .filter_map(Result::ok)
            .find(|i| !i.finished())
            .ok_or_else(|| format!("no unfinished incident in {}", dir.display())),
    }
}
