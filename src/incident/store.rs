//! Incident progress: append-only JSON lines, one file per incident, in `incidents/` beside the
//! action journal (`$GUARDPOST_STATE_DIR/incidents/<id>.jsonl`). Each record is fsync'd, so a
//! second responder (or the same one after a crash) resumes exactly where it stopped.

use super::{Incident, Playbook, StepState, StepStatus, Subject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
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
}

/// `incidents/` in the state directory.
pub fn default_dir() -> Option<PathBuf> {
    crate::remediation::journal::default_path()
        .and_then(|p| p.parent().map(|d| d.join("incidents")))
}

pub fn path_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.jsonl"))
}

/// Appends one record (fsync'd).
pub fn append(dir: &Path, rec: &Record) -> Result<(), String> {
    let path = path_of(dir, &rec.incident);
    let line = serde_json::to_string(rec).map_err(|e| e.to_string())?;
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        f.write_all(line.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_data()
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))
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

/// Reads one incident file. A corrupt line stops the read with its line number.
pub fn load(path: &Path) -> Result<Incident, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut records = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let rec: Record = serde_json::from_str(line)
            .map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?;
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
    replay(records)
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
