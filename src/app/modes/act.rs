//! Remediation in the app: `x` lists the actions for the selection, the confirm dialog shows
//! the exact calls (default No, red when destructive, typing the name for irreversible ones),
//! `u` undoes the last undoable action, `:journal` lists what was done.
//!
//! Pure like the rest of `app`: running an action is [`Effect::Execute`]; its progress and
//! outcome come back as events.

use crate::app::{Effect, Level, Mode, SimpleList, State, View, iam_arn};
use crate::model::Finding;
use crate::remediation::executor::{Outcome, Progress};
use crate::remediation::journal::{Entry, Status, undo_plan};
use crate::remediation::{Plan, catalog};
use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent};

/// What the app knows of the journal and how actions run.
#[derive(Debug, Clone, Default)]
pub struct ActState {
    /// Oldest first.
    pub entries: Vec<Entry>,
    /// Why the journal cannot be written (actions are refused until it is fixed).
    pub problem: Option<String>,
    pub path: String,
    /// `--dry-run`, or no live account (demo, snapshot): plan and journal, call nothing.
    pub dry_run: bool,
    /// Why it is a dry run when not asked for (e.g. "demo data: no account to change").
    pub dry_run_reason: Option<String>,
    /// The account actions go to ("" without a live account).
    pub account: String,
    /// Who acts (sts:GetCallerIdentity ARN), for the incident timeline.
    pub caller: Option<String>,
}

impl ActState {
    /// Only this account's entries, in this dry-run mode, are undone with `u`.
    pub fn undoable(&self, e: &Entry) -> bool {
        e.can_undo() && e.account == self.account && e.dry_run == self.dry_run
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub plans: Vec<Plan>,
    pub cursor: usize,
    /// What the actions are for (shown as the menu title).
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub plan: Plan,
    /// What the user typed (irreversible actions) or the note being edited.
    pub typed: String,
    /// Editing the Security Hub note (Tab).
    pub editing_note: bool,
    pub scroll: u16,
}

impl Confirm {
    pub fn new(plan: Plan) -> Confirm {
        Confirm {
            plan,
            typed: String::new(),
            editing_note: false,
            scroll: 0,
        }
    }

    /// Irreversible, destructive actions ask for the resource name instead of `y`.
    pub fn needs_typing(&self) -> bool {
        self.plan.irreversible() && self.plan.destructive && self.plan.undo_of.is_none()
    }

    /// The Security Hub note of the plan, if it has one.
    pub fn note(&self) -> Option<&str> {
        self.plan
            .calls
            .iter()
            .find_map(|c| c.params["Note"]["Text"].as_str())
    }

    fn set_note(&mut self, text: &str) {
        for c in &mut self.plan.calls {
            if c.params["Note"].is_object() {
                c.params["Note"]["Text"] = serde_json::Value::String(text.to_string());
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    pub title: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeView {
    pub outcome: Outcome,
    pub scroll: u16,
}

/// `x`: the actions that apply to what is selected.
pub fn open_menu(state: &mut State) -> Vec<Effect> {
    if state.read_only {
        state.warn("read-only mode: actions are disabled (started with --read-only or read_only in the config)");
        return vec![];
    }
    let Some(data) = state.data.clone() else {
        return vec![];
    };
    let now = state.now.unwrap_or_else(Utc::now);
    let (subject, plans) = match state.view() {
        Some(View::Findings(l)) if !l.marked.is_empty() => {
            let fs: Vec<&Finding> = l
                .marked
                .iter()
                .filter_map(|&i| data.findings.get(i))
                .collect();
            (
                format!("{} marked findings", fs.len()),
                catalog::for_findings(&fs),
            )
        }
        Some(View::Findings(l)) => match l.selected_finding().and_then(|i| data.findings.get(i)) {
            Some(f) => (f.title.clone(), catalog::for_finding(&data, f, now)),
            None => (String::new(), vec![]),
        },
        Some(View::Detail(d)) => match data.findings.get(d.finding) {
            Some(f) => (f.title.clone(), catalog::for_finding(&data, f, now)),
            None => (String::new(), vec![]),
        },
        Some(View::Resource(r)) => match data.resources.resources.get(r.resource) {
            Some(res) => (
                res.name.clone(),
                catalog::for_principal(&data, &res.arn, now, &[]),
            ),
            None => (String::new(), vec![]),
        },
        Some(View::Iam(iv)) => {
            match iam_arn(
                &data,
                iv.tab,
                iv.list.rows.get(iv.list.cursor.selected).copied(),
            ) {
                Some(arn) => (
                    arn.rsplit('/').next().unwrap_or(&arn).to_string(),
                    catalog::for_principal(&data, &arn, now, &[]),
                ),
                None => (String::new(), vec![]),
            }
        }
        Some(View::Journal(l)) => match journal_row(state, l) {
            Some(e) if state.act.undoable(e) => (format!("journal {}", e.id), vec![undo_plan(e)]),
            Some(e) => {
                let why = format!(
                    "journal entry {} cannot be undone ({})",
                    e.id,
                    e.status.label()
                );
                state.warn(why);
                return vec![];
            }
            None => (String::new(), vec![]),
        },
        _ => (String::new(), vec![]),
    };
    if plans.is_empty() {
        state.warn(
            "no action applies here: x works on findings, IAM users and roles, and journal entries",
        );
        return vec![];
    }
    state.mode = Mode::Actions(Box::new(Menu {
        plans,
        cursor: 0,
        subject,
    }));
    vec![]
}

fn journal_row<'a>(state: &'a State, l: &SimpleList) -> Option<&'a Entry> {
    l.rows
        .get(l.cursor.selected)
        .and_then(|&i| state.act.entries.get(i))
}

/// `u`: confirm the undo of the most recent undoable action.
pub fn undo_last(state: &mut State) -> Vec<Effect> {
    if state.read_only {
        state.warn("read-only mode: undo is disabled");
        return vec![];
    }
    match state
        .act
        .entries
        .iter()
        .rev()
        .find(|e| state.act.undoable(e))
    {
        Some(e) => {
            let plan = undo_plan(e);
            state.mode = Mode::Confirm(Box::new(Confirm::new(plan)));
        }
        None => state.warn("nothing to undo (see :journal)"),
    }
    vec![]
}

pub fn menu_key(state: &mut State, key: KeyEvent, mut menu: Box<Menu>) -> Vec<Effect> {
    let n = menu.plans.len();
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            state.mode = Mode::Normal;
            return vec![];
        }
        KeyCode::Char('j') | KeyCode::Down => menu.cursor = (menu.cursor + 1).min(n - 1),
        KeyCode::Char('k') | KeyCode::Up => menu.cursor = menu.cursor.saturating_sub(1),
        KeyCode::Char('g') | KeyCode::Home => menu.cursor = 0,
        KeyCode::Char('G') | KeyCode::End => menu.cursor = n - 1,
        KeyCode::Enter => {
            let plan = menu.plans[menu.cursor].clone();
            state.mode = Mode::Confirm(Box::new(Confirm::new(plan)));
            return vec![];
        }
        _ => {}
    }
    state.mode = Mode::Actions(menu);
    vec![]
}

pub fn confirm_key(state: &mut State, key: KeyEvent, mut c: Box<Confirm>) -> Vec<Effect> {
    if c.editing_note {
        match key.code {
            KeyCode::Enter | KeyCode::Tab | KeyCode::Esc => c.editing_note = false,
            KeyCode::Backspace => {
                let mut note = c.note().unwrap_or_default().to_string();
                note.pop();
                c.set_note(&note);
            }
            KeyCode::Char(ch) => {
                let mut note = c.note().unwrap_or_default().to_string();
                note.push(ch);
                c.set_note(&note);
            }
            _ => {}
        }
        state.mode = Mode::Confirm(c);
        return vec![];
    }
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            crate::app::incident::action_cancelled(state);
            state.info("cancelled: nothing was changed");
            return vec![];
        }
        KeyCode::Tab if c.note().is_some() => c.editing_note = true,
        KeyCode::Down => c.scroll = c.scroll.saturating_add(1),
        KeyCode::Up => c.scroll = c.scroll.saturating_sub(1),
        _ if c.needs_typing() => match key.code {
            KeyCode::Backspace => {
                c.typed.pop();
            }
            KeyCode::Char(ch) => c.typed.push(ch),
            KeyCode::Enter if c.typed == c.plan.confirm_text => return start(state, c.plan),
            KeyCode::Enter => {
                let want = c.plan.confirm_text.clone();
                state.mode = Mode::Confirm(c);
                state.error(format!("type {want} exactly to confirm, or Esc to cancel"));
                return vec![];
            }
            _ => {}
        },
        KeyCode::Char('y') | KeyCode::Char('Y') => return start(state, c.plan),
        // The default is No: Enter and n cancel.
        KeyCode::Enter | KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('q') => {
            state.mode = Mode::Normal;
            crate::app::incident::action_cancelled(state);
            state.info("cancelled: nothing was changed");
            return vec![];
        }
        _ => {}
    }
    state.mode = Mode::Confirm(c);
    vec![]
}

fn start(state: &mut State, plan: Plan) -> Vec<Effect> {
    if state.read_only {
        state.mode = Mode::Normal;
        state.warn("read-only mode: actions are disabled");
        return vec![];
    }
    if let Some(p) = &state.act.problem {
        let msg = format!("cannot act: {p}");
        state.mode = Mode::Normal;
        state.error(msg);
        return vec![];
    }
    state.mode = Mode::Running(Box::new(Running {
        title: plan.title.clone(),
        lines: Vec::new(),
    }));
    vec![Effect::Execute(Box::new(plan))]
}

/// Progress of the running action.
pub fn progress(state: &mut State, p: Progress) {
    let line = match p {
        Progress::Checking(what) => format!("checking: {what}"),
        Progress::Calling { index, total, call } => format!("[{}/{total}] {call}", index + 1),
        Progress::Called { index, ok, detail } => {
            format!("[{}] {} {detail}", index + 1, if ok { "✓" } else { "✗" })
        }
    };
    if let Mode::Running(r) = &mut state.mode {
        r.lines.push(line);
    }
}

/// The action ended (or was refused before starting).
pub fn done(state: &mut State, result: Result<Outcome, String>) -> Vec<Effect> {
    match result {
        Err(e) => {
            state.mode = Mode::Normal;
            state.error(format!("nothing done: {e}"));
            vec![]
        }
        Ok(o) => {
            let level = match o.status {
                Status::Succeeded | Status::DryRun => Level::Info,
                Status::Partial | Status::Refused => Level::Warn,
                _ => Level::Error,
            };
            let text = format!("{} — {}: {}", o.title, o.status.label(), o.message);
            state.status = Some(crate::app::Status { text, level });
            // Re-read the account so the screen shows the new state.
            let reload = matches!(o.status, Status::Succeeded | Status::Partial);
            state.mode = Mode::Outcome(Box::new(OutcomeView {
                outcome: o,
                scroll: 0,
            }));
            if reload { vec![Effect::Reload] } else { vec![] }
        }
    }
}

pub fn outcome_key(state: &mut State, key: KeyEvent, mut o: Box<OutcomeView>) -> Vec<Effect> {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => o.scroll = o.scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => o.scroll = o.scroll.saturating_sub(1),
        KeyCode::Char('u') => {
            state.mode = Mode::Normal;
            return undo_last(state);
        }
        _ => {
            state.mode = Mode::Normal;
            return vec![];
        }
    }
    state.mode = Mode::Outcome(o);
    vec![]
}

/// The journal was (re)read.
pub fn journal_loaded(
    state: &mut State,
    entries: Vec<Entry>,
    problem: Option<String>,
    path: String,
    first: bool,
) {
    let unknown = entries
        .iter()
        .filter(|e| e.status == Status::Unknown && e.verified.is_none())
        .count();
    state.act.entries = entries;
    state.act.problem = problem.clone();
    state.act.path = path;
    for stack in &mut state.stacks {
        for v in stack.iter_mut() {
            if let View::Journal(l) = v {
                let keep = l.cursor;
                *l = journal_list(&state.act.entries);
                l.cursor = keep;
                l.cursor
                    .fit(l.rows.len(), crate::app::table_height(state.size));
            }
        }
    }
    if first {
        if let Some(p) = problem {
            state.error(format!("journal: {p}"));
        } else if unknown > 0 {
            state.warn(format!(
                "journal: {unknown} action(s) with an unknown outcome (interrupted mid-call) — :journal, Enter to verify"
            ));
        }
    }
}

/// Journal rows, newest first.
pub fn journal_list(entries: &[Entry]) -> SimpleList {
    SimpleList {
        filter: String::new(),
        rows: (0..entries.len()).rev().collect(),
        cursor: Default::default(),
    }
}

/// Enter on a journal row: verify an unknown outcome, else show what happened.
pub fn journal_enter(state: &mut State, l: &SimpleList) -> Vec<Effect> {
    let Some(e) = journal_row(state, l).cloned() else {
        return vec![];
    };
    if e.status == Status::Unknown {
        state.info(format!("re-reading the state of {}…", e.plan.title));
        return vec![Effect::Verify(e.id.clone())];
    }
    let results = e
        .results
        .iter()
        .map(|(c, ok, err)| crate::remediation::executor::CallResult {
            call: c.clone(),
            ok: ok.unwrap_or(false),
            detail: match (ok, err) {
                (Some(true), _) => "ok".into(),
                (_, Some(err)) => err.clone(),
                _ => "no result recorded".into(),
            },
        })
        .collect();
    state.mode = Mode::Outcome(Box::new(OutcomeView {
        outcome: Outcome {
            id: e.id.clone(),
            title: e.plan.title.clone(),
            status: e.status,
            message: e.message.clone(),
            results,
            undo: e.undo.clone(),
            targets: e.plan.targets.clone(),
        },
        scroll: 0,
    }));
    vec![]
}

/// `:journal`
pub fn open_journal(state: &mut State) {
    let list = journal_list(&state.act.entries);
    let pane = state.pane.index();
    state.stacks[pane].push(View::Journal(list));
    if state.act.entries.is_empty() {
        state.info(format!("the journal is empty ({})", state.act.path));
    }
}
