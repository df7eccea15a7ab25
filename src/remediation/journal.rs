//! The append-only action journal: JSON lines in the user's state directory
//! (`$GUARDPOST_STATE_DIR` or `$XDG_STATE_HOME/guardpost/journal.jsonl`).
//!
//! Every record is written and fsync'd before the next step: the plan, the captured state, an
//! intent before each call and its result after it, and a final `done` with the undo calls.
//! A crash between an intent and its result leaves an intent without result: the action shows
//! as "unknown — verify" on the next start. A journal that is corrupt or from a newer version is
//! never written to (guardpost still starts, says so, and refuses to act until it is moved).

use super::{ApiCall, Plan};
use crate::storage::{self, ReadError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
        /// The `guardpost check --fix` run it belongs to (`guardpost undo --all-from RUN`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
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
    Verified {
        observed: Value,
        note: String,
        /// Per call of the plan that was attempted (had an intent): whether the re-read shows
        /// it took effect. Empty in older journals (then the outcome stays unknown).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        effects: Vec<bool>,
    },
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
    /// The `check --fix` run it belongs to.
    pub run: Option<String>,
    pub status: Status,
    pub message: String,
    pub undo: Vec<ApiCall>,
    /// Per call attempted: (call, ok, error).
    pub results: Vec<(ApiCall, Option<bool>, Option<String>)>,
    /// Per call attempted: its output (`null` when none was journaled).
    pub outputs: Vec<Value>,
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
    /// Bytes of the file read so far: what lies beyond was appended by another guardpost.
    read_to: u64,
    /// Actions whose last record was torn by a crash mid-write (their outcome is unknown).
    torn: Vec<String>,
    /// Torn records seen, for the status line.
    torn_lines: usize,
}

/// The default journal file.
pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("GUARDPOST_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::state_dir().map(|d| d.join("guardpost")))
        .or_else(|| dirs::home_dir().map(|d| d.join(".local/state/guardpost")))
        .map(|d| d.join("journal.jsonl"))
}

/// The journal id in the opening of a record torn mid-write (`{"v":1,"ts":"…","id":"…",`).
fn torn_id(line: &str) -> Option<String> {
    let rest = &line[line.find("\"id\":\"")? + 6..];
    Some(rest[..rest.find('"')?].to_string())
}

impl Journal {
    /// Reads the journal at `path` (a missing file is an empty journal). Never fails: a problem
    /// is kept in [`problem`](Self::problem) and makes the journal read-only. A record torn by
    /// a crash mid-write (a line that ends before its JSON does) is not a problem: its action
    /// reads back as "unknown — verify" and the rest of the journal is intact.
    pub fn open(path: &Path) -> Journal {
        let mut j = Journal {
            path: path.to_path_buf(),
            problem: None,
            records: Vec::new(),
            read_to: 0,
            torn: Vec::new(),
            torn_lines: 0,
        };
        // A shared lock: no other guardpost is half-way through an append while we read.
        let bytes = std::fs::File::open(path)
            .and_then(|f| f.lock_shared().map(|()| f))
            .map_err(ReadError::from)
            .and_then(|_lock| storage::read_limited(path, storage::MAX_JOURNAL_BYTES));
        match bytes {
            Ok(bytes) => j.ingest(&bytes, 0),
            Err(e) if e.not_found() => {}
            Err(e) => j.problem = Some(format!("cannot read {}: {e}", path.display())),
        }
        j
    }

    /// Parses `bytes` (the file from byte `from` on) into records.
    fn ingest(&mut self, bytes: &[u8], from: u64) {
        self.read_to = from + bytes.len() as u64;
        let first_line = self.line_count_before(from);
        let (lines, tail) = storage::split_lines(bytes);
        for (n, line) in lines.into_iter().chain(tail).enumerate() {
            if self.problem.is_some() {
                break;
            }
            let line = String::from_utf8_lossy(line);
            if let Err(p) = self.ingest_line(&line, first_line + n + 1) {
                self.problem = Some(p);
            }
        }
    }

    /// Line numbers in messages count from the start of the file.
    fn line_count_before(&self, from: u64) -> usize {
        if from == 0 {
            0
        } else {
            self.records.len() + self.torn_lines
        }
    }

    fn ingest_line(&mut self, line: &str, n: usize) -> Result<(), String> {
        if line.trim().is_empty() {
            return Ok(());
        }
        // The version first, so a newer journal is named as such and not as corrupt.
        let v = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| v.get("v").and_then(Value::as_u64));
        if let Some(v) = v.filter(|v| *v > u64::from(VERSION)) {
            return Err(format!(
                "{} line {n} is journal version {v}; this guardpost reads version {VERSION} (upgrade guardpost)",
                self.path.display(),
            ));
        }
        match serde_json::from_str::<Record>(line) {
            Ok(r) => {
                self.records.push(r);
                Ok(())
            }
            // The line ends before its JSON does: a write torn by a crash.
            Err(e) if e.is_eof() => {
                self.torn_lines += 1;
                if let Some(id) = torn_id(line) {
                    self.torn.push(id);
                }
                Ok(())
            }
            Err(e) => Err(format!(
                "{} line {n} is corrupt ({e}); the journal is left untouched: move it aside to record new actions",
                self.path.display(),
            )),
        }
    }

    /// A journal that cannot be used at all (no state directory): every append is refused.
    pub fn unavailable(reason: &str) -> Journal {
        Journal {
            path: PathBuf::new(),
            problem: Some(reason.to_string()),
            records: Vec::new(),
            read_to: 0,
            torn: Vec::new(),
            torn_lines: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// How many records were torn by a crash mid-write (recovered as "unknown — verify").
    pub fn torn_records(&self) -> usize {
        self.torn_lines
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Reads what other guardposts appended since this one last looked (for `:journal`).
    pub fn refresh(&mut self) {
        // Nothing to read (and nothing is created just to look).
        if self.problem.is_some() || !self.path.is_file() {
            return;
        }
        match storage::LockedAppend::lock(&self.path) {
            Ok(mut f) => {
                if let Err(e) = self.catch_up(&mut f) {
                    self.problem = Some(e);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => self.problem = Some(format!("cannot read {}: {e}", self.path.display())),
        }
    }

    fn catch_up(&mut self, f: &mut storage::LockedAppend) -> Result<(), String> {
        let from = self.read_to;
        let bytes = f
            .read_from(from, storage::MAX_JOURNAL_BYTES)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        self.ingest(&bytes, from);
        Ok(())
    }

    /// Appends one record and fsyncs it, holding an exclusive lock on the file meanwhile: what
    /// other guardposts appended since is read first, and an undo of an action that another
    /// one already undid (or is undoing) is refused before anything is written. Refused when
    /// the journal has a problem.
    pub fn append(&mut self, id: &str, body: Body) -> Result<(), String> {
        if let Some(p) = &self.problem {
            return Err(format!("the journal cannot be written: {p}"));
        }
        let mut f = storage::LockedAppend::lock(&self.path)
            .map_err(|e| format!("cannot write the journal {}: {e}", self.path.display()))?;
        self.catch_up(&mut f)?;
        if let Some(p) = &self.problem {
            return Err(format!("the journal cannot be written: {p}"));
        }
        if let Body::Plan { plan, .. } = &body
            && let Some(of) = &plan.undo_of
        {
            self.may_undo(of)?;
        }
        let rec = Record {
            v: VERSION,
            ts: Utc::now(),
            id: id.to_string(),
            body,
        };
        let line = serde_json::to_string(&rec).map_err(|e| e.to_string())?;
        self.read_to = f
            .append_line(&line)
            .map_err(|e| format!("cannot write the journal {}: {e}", self.path.display()))?;
        self.records.push(rec);
        Ok(())
    }

    /// Whether entry `of` may be undone now (checked under the lock, with every other
    /// guardpost's records read).
    fn may_undo(&self, of: &str) -> Result<(), String> {
        let entries = self.entries();
        let target = entries
            .iter()
            .find(|e| e.id == of)
            .ok_or_else(|| format!("journal entry {of} is not in the journal"))?;
        if let Some(by) = &target.undone_by {
            return Err(format!("nothing done: {of} was already undone ({by})"));
        }
        if let Some(other) = entries.iter().find(|e| {
            e.plan.undo_of.as_deref() == Some(of)
                && matches!(
                    e.status,
                    Status::Running | Status::Unknown | Status::Succeeded | Status::Partial
                )
        }) {
            return Err(format!(
                "nothing done: {of} is already being undone ({}, {}; another guardpost?)",
                other.id,
                other.status.label()
            ));
        }
        Ok(())
    }

    /// The actions, oldest first, with their derived status.
    pub fn entries(&self) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        let mut pending: Vec<(String, usize)> = Vec::new();
        let mut verified: Vec<(usize, Vec<bool>)> = Vec::new();
        for r in &self.records {
            let idx = out.iter().position(|e| e.id == r.id);
            match (&r.body, idx) {
                (
                    Body::Plan {
                        plan,
                        account,
                        caller,
                        dry_run,
                        run,
                    },
                    None,
                ) => out.push(Entry {
                    id: r.id.clone(),
                    started: r.ts,
                    plan: (**plan).clone(),
                    account: account.clone(),
                    caller: caller.clone(),
                    dry_run: *dry_run,
                    run: run.clone(),
                    status: Status::Running,
                    message: String::new(),
                    undo: Vec::new(),
                    results: Vec::new(),
                    outputs: Vec::new(),
                    captured: None,
                    undone_by: None,
                    verified: None,
                }),
                (Body::Captured { state }, Some(i)) => out[i].captured = Some(state.clone()),
                (Body::Intent { call, api }, Some(i)) => {
                    pending.push((r.id.clone(), *call));
                    out[i].results.push((api.clone(), None, None));
                    out[i].outputs.push(Value::Null);
                }
                (
                    Body::Result {
                        call,
                        ok,
                        error,
                        output,
                    },
                    Some(i),
                ) => {
                    pending.retain(|(id, c)| !(id == &r.id && c == call));
                    if let Some(last) = out[i].results.last_mut() {
                        last.1 = Some(*ok);
                        last.2 = error.clone();
                    }
                    if let (Some(last), Some(o)) = (out[i].outputs.last_mut(), output) {
                        *last = o.clone();
                    }
                }
                // The undo calls a `done` line lists are not used: undos are rebuilt by the
                // catalog (below), so an edited journal line cannot choose what `u` calls.
                (
                    Body::Done {
                        status, message, ..
                    },
                    Some(i),
                ) => {
                    out[i].status = *status;
                    out[i].message = message.clone();
                }
                (Body::Verified { note, effects, .. }, Some(i)) => {
                    out[i].verified = Some(note.clone());
                    verified.push((i, effects.clone()));
                }
                _ => {}
            }
        }
        for (id, _) in &pending {
            if let Some(e) = out.iter_mut().find(|e| &e.id == id) {
                e.status = Status::Unknown;
            }
        }
        // A record torn by a crash: unless the action's `done` record made it, its outcome is
        // unknown.
        for id in &self.torn {
            if let Some(e) = out
                .iter_mut()
                .find(|e| &e.id == id && e.status == Status::Running)
            {
                e.status = Status::Unknown;
            }
        }
        // A verification settles an unknown outcome: what the re-read showed.
        for (i, effects) in verified {
            let e = &mut out[i];
            if effects.is_empty() || effects.len() != e.results.len() {
                continue;
            }
            for (r, took) in e.results.iter_mut().zip(&effects) {
                r.1 = Some(*took);
            }
            let made = effects.iter().filter(|t| **t).count();
            e.status = if made == 0 {
                Status::Failed
            } else if made == e.plan.calls.len() {
                Status::Succeeded
            } else {
                Status::Partial
            };
            e.message = e.verified.clone().unwrap_or_default();
        }
        // Undo calls, rebuilt from the catalog and the captured state.
        for e in &mut out {
            if matches!(
                e.status,
                Status::Succeeded | Status::Partial | Status::DryRun
            ) {
                let done: Vec<bool> = if e.status == Status::DryRun {
                    vec![true; e.plan.calls.len()]
                } else {
                    (0..e.plan.calls.len())
                        .map(|c| e.results.get(c).is_some_and(|r| r.1 == Some(true)))
                        .collect()
                };
                // A dry run saved nothing: only undos that need no saved state.
                if e.status != Status::DryRun || e.plan.capture.is_none() {
                    let captured = e.captured.clone().unwrap_or(Value::Null);
                    e.undo = super::catalog::rebuild_undo(&e.plan, &done, &captured, &e.outputs)
                        .map(|p| p.calls)
                        .unwrap_or_default();
                }
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

/// The plan that undoes `entry`: rebuilt by the catalog from the action, the calls that took
/// effect, the state captured before and the calls' outputs (see
/// [`super::catalog::rebuild_undo`]); it re-reads the state the action left first. When there
/// is nothing to undo the plan has no calls and says why.
pub fn undo_plan(entry: &Entry) -> Plan {
    let done: Vec<bool> = if entry.status == Status::DryRun {
        vec![true; entry.plan.calls.len()]
    } else {
        (0..entry.plan.calls.len())
            .map(|c| entry.results.get(c).is_some_and(|r| r.1 == Some(true)))
            .collect()
    };
    let captured = entry.captured.clone().unwrap_or(Value::Null);
    let mut plan = super::catalog::rebuild_undo(&entry.plan, &done, &captured, &entry.outputs)
        .unwrap_or_else(|reason| Plan {
            action: entry.plan.action,
            title: format!("Undo: {}", entry.plan.title),
            targets: entry.plan.targets.clone(),
            confirm_text: entry.plan.confirm_text.clone(),
            calls: Vec::new(),
            preconditions: Vec::new(),
            capture: None,
            undo: super::UndoPlan::Irreversible {
                reason: reason.clone(),
            },
            destructive: false,
            notes: vec![reason],
            undo_of: None,
        });
    plan.notes.push(format!(
        "Undoes journal entry {} ({}).",
        entry.id, entry.started
    ));
    plan.undo_of = Some(entry.id.clone());
    plan
}
