//! The append-only action journal: JSON lines in the user's state directory
//! (`$GUARDPOST_STATE_DIR` or `$XDG_STATE_HOME/guardpost/journal.jsonl`).
//!
//! Every record is written and fsync'd before the next step: the plan, the captured state, an
//! intent before each call and its result after it, and a final `done` with the undo calls.
//! A crash between an intent and its result leaves an intent without result: the action shows
//! as "unknown — verify" on the next start. A journal that is corrupt or from a newer version is
//! never written to (guardpost still starts, says so, and refuses to act until it is moved).

use super::{ApiCall, Plan};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The journal format version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    pub ts: DateTime<Utc>,
    /// The action's journal id (all records of one action share it).
    pub id: String,
    #[serde(flatten)]
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Body {
    /// What is about to happen, and who does it.
    Plan {
        plan: Box<Plan>,
        account: String,
        #[serde(default)]
        caller: Option<String>,
        #[serde(default)]
        dry_run: bool,
    },
    /// State read right before the calls (the principal's configuration, the old policy).
    Captured { state: Value },
    /// About to make call number `call` (0-based in `plan.calls`).
    Intent { call: usize, api: ApiCall },
    /// The call's outcome.
    Result {
        call: usize,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        output: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// The action ended.
    Done {
        status: Status,
        message: String,
        /// The calls that undo it (empty: nothing to undo).
        #[serde(default)]
        undo: Vec<ApiCall>,
    },
    /// Someone re-read the state after an unknown outcome.
    Verified { observed: Value, note: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Succeeded,
    /// Some calls (or some items of a batch) failed.
    Partial,
    Failed,
    /// Refused before any call: a precondition did not hold.
    Refused,
    /// `--dry-run`: planned and journaled, nothing called.
    DryRun,
    /// Derived, never written: an intent without its result (crash or kill mid-call).
    Unknown,
    /// Derived: no `done` record yet and no call pending.
    Running,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::Partial => "PARTIAL",
            Status::Failed => "FAILED",
            Status::Refused => "refused",
            Status::DryRun => "dry-run",
            Status::Unknown => "UNKNOWN — verify",
            Status::Running => "running",
        }
    }
}

/// One action as read back from the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub started: DateTime<Utc>,
    pub plan: Plan,
    pub account: String,
    pub caller: Option<String>,
    pub dry_run: bool,
    pub status: Status,
    pub message: String,
    pub undo: Vec<ApiCall>,
    /// Per call: (call, ok, error).
    pub results: Vec<(ApiCall, Option<bool>, Option<String>)>,
    pub captured: Option<Value>,
    /// The id of a later action that undid this one.
    pub undone_by: Option<String>,
    pub verified: Option<String>,
}

impl Entry {
    /// Undoable in principle; the app also requires the same account and the same dry-run
    /// mode, so a dry run is never "undone" for real.
    pub fn can_undo(&self) -> bool {
        matches!(
            self.status,
            Status::Succeeded | Status::Partial | Status::DryRun
        ) && !self.undo.is_empty()
            && self.undone_by.is_none()
            && self.plan.undo_of.is_none()
    }
}

#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// Why the journal must not be written to (corrupt, newer version, unreadable).
    problem: Option<String>,
    records: Vec<Record>,
}

/// The default journal file.
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("GUARDPOST_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::state_dir().map(|d| d.join("guardpost")))
        .or_else(|| dirs::home_dir().map(|d| d.join(".local/state/guardpost")))
        .map(|d| d.join("journal.jsonl"))
}

impl Journal {
    /// Reads the journal at `path` (a missing file is an empty journal). Never fails: a problem
    /// is kept in [`problem`](Self::problem) and makes the journal read-only.
    pub fn open(path: &Path) -> Journal {
        let mut j = Journal {
            path: path.to_path_buf(),
            problem: None,
            records: Vec::new(),
        };
        let text = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return j,
            Err(e) => {
                j.problem = Some(format!("cannot read {}: {e}", path.display()));
                return j;
            }
        };
        let text = String::from_utf8_lossy(&text);
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            // The version first, so a newer journal is named as such and not as corrupt.
            let v = serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|v| v.get("v").and_then(Value::as_u64));
            if let Some(v) = v.filter(|v| *v > u64::from(VERSION)) {
                j.problem = Some(format!(
                    "{} line {} is journal version {v}; this guardpost reads version {VERSION} (upgrade guardpost)",
                    path.display(),
                    n + 1
                ));
                break;
            }
            match serde_json::from_str::<Record>(line) {
                Ok(r) => j.records.push(r),
                Err(e) => {
                    j.problem = Some(format!(
                        "{} line {} is corrupt ({e}); the journal is left untouched: move it aside to record new actions",
                        path.display(),
                        n + 1
                    ));
                    break;
                }
            }
        }
        j
    }

    /// A journal that cannot be used at all (no state directory): every append is refused.
    pub fn unavailable(reason: &str) -> Journal {
        Journal {
            path: PathBuf::new(),
            problem: Some(reason.to_string()),
            records: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Appends one record and fsyncs it. Refused when the journal has a problem.
    pub fn append(&mut self, id: &str, body: Body) -> Result<(), String> {
        if let Some(p) = &self.problem {
            return Err(format!("the journal cannot be written: {p}"));
        }
        let rec = Record {
            v: VERSION,
            ts: Utc::now(),
            id: id.to_string(),
            body,
        };
        let line = serde_json::to_string(&rec).map_err(|e| e.to_string())?;
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            f.write_all(line.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_data()
        };
        write().map_err(|e| format!("cannot write the journal {}: {e}", self.path.display()))?;
        self.records.push(rec);
        Ok(())
    }

    /// The actions, oldest first, with their derived status.
    pub fn entries(&self) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        let mut pending: Vec<(String, usize)> = Vec::new();
        for r in &self.records {
            let idx = out.iter().position(|e| e.id == r.id);
            match (&r.body, idx) {
                (
                    Body::Plan {
                        plan,
                        account,
                        caller,
                        dry_run,
                    },
                    None,
                ) => out.push(Entry {
                    id: r.id.clone(),
                    started: r.ts,
                    plan: (**plan).clone(),
                    account: account.clone(),
                    caller: caller.clone(),
                    dry_run: *dry_run,
                    status: Status::Running,
                    message: String::new(),
                    undo: Vec::new(),
                    results: Vec::new(),
                    captured: None,
                    undone_by: None,
                    verified: None,
                }),
                (Body::Captured { state }, Some(i)) => out[i].captured = Some(state.clone()),
                (Body::Intent { call, api }, Some(i)) => {
                    pending.push((r.id.clone(), *call));
                    out[i].results.push((api.clone(), None, None));
                }
                (
                    Body::Result {
                        call, ok, error, ..
                    },
                    Some(i),
                ) => {
                    pending.retain(|(id, c)| !(id == &r.id && c == call));
                    if let Some(last) = out[i].results.last_mut() {
                        last.1 = Some(*ok);
                        last.2 = error.clone();
                    }
                }
                (
                    Body::Done {
                        status,
                        message,
                        undo,
                    },
                    Some(i),
                ) => {
                    out[i].status = *status;
                    out[i].message = message.clone();
                    out[i].undo = undo.clone();
                }
                (Body::Verified { note, .. }, Some(i)) => out[i].verified = Some(note.clone()),
                _ => {}
            }
        }
        for (id, _) in &pending {
            if let Some(e) = out.iter_mut().find(|e| &e.id == id) {
                e.status = Status::Unknown;
            }
        }
        // Link undos to what they undid.
        let undos: Vec<(String, String, Status)> = out
            .iter()
            .filter_map(|e| Some((e.plan.undo_of.clone()?, e.id.clone(), e.status)))
            .collect();
        for (of, by, status) in undos {
            if matches!(status, Status::Succeeded)
                && let Some(e) = out.iter_mut().find(|e| e.id == of)
            {
                e.undone_by = Some(by);
            }
        }
        out
    }

    /// The most recent action of `account` (in the same dry-run mode) that `u` can undo.
    pub fn last_undoable(&self, account: &str, dry_run: bool) -> Option<Entry> {
        self.entries()
            .into_iter()
            .rev()
            .find(|e| e.can_undo() && e.account == account && e.dry_run == dry_run)
    }
}

/// A new journal id: time-ordered and unique within this process.
pub fn new_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}-{:05}-{n}",
        Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id() % 100_000
    )
}

/// The plan that undoes `entry` (its recorded undo calls).
pub fn undo_plan(entry: &Entry) -> Plan {
    Plan {
        action: format!("undo:{}", entry.plan.action),
        title: format!("Undo: {}", entry.plan.title),
        targets: entry.plan.targets.clone(),
        confirm_text: entry.plan.confirm_text.clone(),
        calls: entry.undo.clone(),
        preconditions: Vec::new(),
        capture: None,
        undo: super::UndoPlan::Irreversible {
            reason: "an undo is not itself undone with `u`; run the action again instead".into(),
        },
        destructive: false,
        notes: vec![format!(
            "Undoes journal entry {} ({}).",
            entry.id, entry.started
        )],
        undo_of: Some(entry.id.clone()),
    }
}
