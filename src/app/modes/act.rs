//! Remediation in the app: `x` lists the actions for the selection, the confirm dialog shows
//! the exact calls (default No, red when destructive, typing the name for irreversible ones
//! and for actions that weaken security), `u` undoes the last undoable action.
//!
//! Pure like the rest of `app`: running an action is [`Effect::Execute`] with its [`Origin`];
//! its progress and outcome come back as events with the same origin.
//!
//! A paste or a key burst never confirms: the menu and the dialog drop keys that arrive before
//! they were drawn (the same burst as the key that opened them), and `y` counts only once the
//! dialog has been on screen for [`CONFIRM_DELAY`] (input-clock time, see `Event::Clock`).

use crate::app::selection::Selection;
use crate::app::state::{Effect, Level, Mode, Origin, State, Status};
use crate::remediation::executor::{Outcome, Progress};
use crate::remediation::journal::{Entry, Status as JournalStatus, undo_plan};
use crate::remediation::{Plan, catalog};
use crossterm::event::{KeyCode, KeyEvent};
use std::time::Duration;

/// How long the confirm dialog must have been on screen before `y` counts.
pub const CONFIRM_DELAY: Duration = Duration::from_millis(300);

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
    /// Entries whose outcome is unknown (interrupted mid-call) and not yet verified: the
    /// header keeps them in view until they are.
    pub fn unverified(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.status == JournalStatus::Unknown && e.verified.is_none())
            .count()
    }

    /// Only this account's entries, in this dry-run mode, are undone with `u`.
    pub fn undoable(&self, e: &Entry) -> bool {
        e.can_undo() && e.account == self.account && e.dry_run == self.dry_run
    }
}

/// Keys that reached a menu or dialog before it was drawn: dropped, and counted for the status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// When it was first drawn (input clock); `None`: not on screen yet.
    pub drawn_at: Option<Duration>,
    pub dropped: usize,
}

impl Guard {
    /// Drops a key that came before the first draw; true when dropped.
    fn drop_early(&mut self, state: &mut State, what: &str) -> bool {
        if self.drawn_at.is_some() {
            return false;
        }
        self.dropped += 1;
        state.warn(format!(
            "{} key(s) ignored: they arrived in the same burst as the key that opened the {what}",
            self.dropped
        ));
        true
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub plans: Vec<Plan>,
    pub cursor: usize,
    /// What the actions are for (shown as the menu title).
    pub subject: String,
    pub origin: Origin,
    pub guard: Guard,
    /// Marked findings the filter hides (the batch acts on them too).
    pub hidden: usize,
}

impl Menu {
    /// Actions that weaken security go last and are never the default item.
    pub fn new(mut plans: Vec<Plan>, subject: String, origin: Origin) -> Menu {
        plans.sort_by_key(|p| p.weakens_security());
        Menu {
            plans,
            cursor: 0,
            subject,
            origin,
            guard: Guard::default(),
            hidden: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub plan: Plan,
    pub origin: Origin,
    /// What the user typed (irreversible actions) or the note being edited.
    pub typed: String,
    /// Editing the Security Hub note (Tab).
    pub editing_note: bool,
    pub scroll: u16,
    pub guard: Guard,
    /// A batch: what it acts on ("3 marked (2 hidden by the filter)") and how many are hidden.
    pub batch: Option<(String, usize)>,
    /// The name typed when Enter was pressed and it did not match (cleared by the next key).
    pub mismatch: Option<String>,
}

impl Confirm {
    pub fn new(plan: Plan, origin: Origin) -> Confirm {
        Confirm {
            plan,
            origin,
            typed: String::new(),
            editing_note: false,
            scroll: 0,
            guard: Guard::default(),
            batch: None,
            mismatch: None,
        }
    }

    /// The action gives access back or turns protection off.
    pub fn weakens_security(&self) -> bool {
        self.plan.weakens_security()
    }

    /// Irreversible, destructive actions and actions that weaken security ask for the
    /// resource name instead of `y`.
    pub fn needs_typing(&self) -> bool {
        (self.plan.irreversible() && self.plan.destructive && self.plan.undo_of.is_none())
            || (self.weakens_security() && !self.plan.confirm_text.is_empty())
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
pub fn open_menu(state: &mut State, sel: Selection) -> Vec<Effect> {
    if crate::app::org::all_accounts_shown(state) {
        return vec![];
    }
    if state.read_only {
        state.warn("read-only mode: actions are disabled (started with --read-only or read_only in the config)");
        return vec![];
    }
    let Some(data) = state.data.clone() else {
        return vec![];
    };
    let Some(now) = state.now else {
        state.warn("the clock has not started yet: try again in a second");
        return vec![];
    };
    let (subject, plans, origin) = if !sel.marked.is_empty() {
        let fs: Vec<_> = sel
            .marked
            .iter()
            .filter_map(|&i| data.findings.get(i))
            .collect();
        let subject = match sel.marked_hidden {
            0 => format!("{} marked findings", fs.len()),
            h => format!("{} marked ({h} hidden by the filter)", fs.len()),
        };
        (subject, catalog::for_findings(&fs), Origin::Batch)
    } else if let Some(f) = sel.finding.and_then(|i| data.findings.get(i)) {
        (
            f.title.clone(),
            catalog::for_finding(&data, f, now),
            Origin::Menu,
        )
    } else if let Some(p) = &sel.principal {
        let name = data
            .resources
            .by_arn
            .get(&p.arn)
            .and_then(|&ri| data.resources.resources.get(ri))
            .map(|r| r.name.clone())
            .unwrap_or_else(|| p.arn.rsplit('/').next().unwrap_or(&p.arn).to_string());
        (
            name,
            catalog::for_principal(&data, &p.arn, now, &[]),
            Origin::Menu,
        )
    } else if let Some(e) = sel.journal.and_then(|i| state.act.entries.get(i)) {
        if !state.act.undoable(e) {
            let why = format!(
                "journal entry {} cannot be undone ({})",
                e.id,
                e.status.label()
            );
            state.warn(why);
            return vec![];
        }
        (
            format!("journal {}", e.id),
            vec![undo_plan(e)],
            Origin::Undo,
        )
    } else {
        (String::new(), vec![], Origin::Menu)
    };
    if plans.is_empty() {
        state.warn(why_no_action(&data, &sel));
        return vec![];
    }
    let mut menu = Menu::new(plans, subject, origin);
    menu.hidden = sel.marked_hidden;
    state.mode = Mode::Actions(Box::new(menu));
    vec![]
}

/// Why `x` offers nothing for the selection, specific to what it is.
fn why_no_action(data: &crate::dataset::Dataset, sel: &Selection) -> String {
    let Some(p) = &sel.principal else {
        return "no action applies here: x works on findings, IAM users and roles, and journal \
                entries"
            .into();
    };
    let role = data.iam.as_ref().and_then(|i| i.role_by_arn(&p.arn));
    match p.kind.as_str() {
        _ if role.is_some_and(|r| r.is_service_linked()) => {
            "no action for a service-linked role: AWS manages it (its trust and permissions \
             cannot be changed; delete it through the service that created it)"
                .into()
        }
        "AwsIamPolicy" => "no action for a policy: x acts on the users and roles it is \
                           attached to (select one on the Users or Roles tab, then x)"
            .into(),
        "AwsIamGroup" => {
            "no action for a group: x acts on its users (select one on the Users tab, then x)"
                .into()
        }
        _ => "no action applies here: x works on findings, IAM users and roles, and journal \
              entries"
            .into(),
    }
}

/// `u`: confirm the undo of the most recent undoable action.
pub fn undo_last(state: &mut State) -> Vec<Effect> {
    if crate::app::org::all_accounts_shown(state) {
        return vec![];
    }
    if state.read_only {
        state.warn("read-only mode: undo is disabled (nothing can be changed from this session)");
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
            state.mode = Mode::Confirm(Box::new(Confirm::new(plan, Origin::Undo)));
        }
        None => state.warn("nothing to undo (see :journal)"),
    }
    vec![]
}

pub fn menu_key(state: &mut State, key: KeyEvent, mut menu: Box<Menu>) -> Vec<Effect> {
    if menu.guard.drop_early(state, "menu") {
        state.mode = Mode::Actions(menu);
        return vec![];
    }
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
            let mut c = Confirm::new(plan, menu.origin);
            if menu.origin == Origin::Batch {
                c.batch = Some((menu.subject.clone(), menu.hidden));
            }
            state.mode = Mode::Confirm(Box::new(c));
            return vec![];
        }
        _ => {}
    }
    state.mode = Mode::Actions(menu);
    vec![]
}

fn cancel(state: &mut State) -> Vec<Effect> {
    state.mode = Mode::Normal;
    state.info("cancelled: nothing was changed");
    vec![]
}

pub fn confirm_key(state: &mut State, key: KeyEvent, mut c: Box<Confirm>) -> Vec<Effect> {
    if c.guard.drop_early(state, "confirm dialog") {
        state.mode = Mode::Confirm(c);
        return vec![];
    }
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
        KeyCode::Esc => return cancel(state),
        KeyCode::Tab if c.note().is_some() => c.editing_note = true,
        KeyCode::Down => c.scroll = c.scroll.saturating_add(1),
        KeyCode::Up => c.scroll = c.scroll.saturating_sub(1),
        _ if c.needs_typing() => match key.code {
            KeyCode::Backspace => {
                c.typed.pop();
                c.mismatch = None;
            }
            KeyCode::Char(ch) => {
                c.typed.push(ch);
                c.mismatch = None;
            }
            KeyCode::Enter if c.typed == c.plan.confirm_text => {
                return start(state, c.plan, c.origin);
            }
            KeyCode::Enter => {
                // Said in the dialog itself (the status line is easy to miss under it).
                let want = c.plan.confirm_text.clone();
                c.mismatch = Some(c.typed.clone());
                state.mode = Mode::Confirm(c);
                state.error(format!(
                    "nothing was run: type {want} exactly to confirm, or Esc to cancel"
                ));
                return vec![];
            }
            _ => {}
        },
        KeyCode::Char('y') | KeyCode::Char('Y') => {
            let shown = c.guard.drawn_at.map(|t| state.clock.saturating_sub(t));
            if shown.is_some_and(|d| d >= CONFIRM_DELAY) {
                return start(state, c.plan, c.origin);
            }
            state.mode = Mode::Confirm(c);
            state.warn("y ignored: the dialog has only just opened — read it, then press y");
            return vec![];
        }
        // The default is No: Enter and n cancel.
        KeyCode::Enter | KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('q') => {
            return cancel(state);
        }
        _ => {}
    }
    state.mode = Mode::Confirm(c);
    vec![]
}

/// Pasted text: only the typed-name field of a confirm dialog takes it (it still needs Enter);
/// a paste never picks a menu item or confirms.
pub fn paste(state: &mut State, text: &str) {
    match &mut state.mode {
        Mode::Confirm(c) if c.needs_typing() && !c.editing_note && c.guard.drawn_at.is_some() => {
            c.typed.extend(text.chars().filter(|ch| !ch.is_control()));
            c.mismatch = None;
        }
        Mode::Confirm(_) | Mode::Actions(_) => {
            state.warn("paste ignored: a paste never picks or confirms an action");
        }
        _ => {}
    }
}

/// A frame was drawn: a menu or dialog on screen now accepts keys.
pub fn drawn(state: &mut State, at: Duration) {
    let guard = match &mut state.mode {
        Mode::Actions(m) => &mut m.guard,
        Mode::Confirm(c) => &mut c.guard,
        _ => return,
    };
    if guard.drawn_at.is_none() {
        guard.drawn_at = Some(at);
    }
}

fn start(state: &mut State, plan: Plan, origin: Origin) -> Vec<Effect> {
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
    vec![Effect::Execute {
        plan: Box::new(plan),
        origin,
    }]
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
                JournalStatus::Succeeded | JournalStatus::DryRun => Level::Info,
                JournalStatus::Partial | JournalStatus::Refused => Level::Warn,
                _ => Level::Error,
            };
            let text = format!("{} — {}: {}", o.title, o.status.label(), o.message);
            state.status = Some(Status { text, level });
            // Re-read the account so the screen shows the new state.
            let reload = matches!(o.status, JournalStatus::Succeeded | JournalStatus::Partial);
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
