//! The incident walkthrough in the app: one step at a time, each one key.
//!
//! `Enter` runs the current step (an inspection records what was seen; an action opens the
//! usual confirm dialog and records the journal entry; a note asks for text; a manual step is
//! marked done), `s` skips it with a reason, `j`/`k` look at other steps, `e` exports the
//! timeline. Writing progress is an effect (the loop appends it to the incident file).

use super::{Cx, Reaction, Remap, View, ViewBehaviour};
use crate::app::keymap::{Action, Hint};
use crate::app::modes::act::{CONFIRM_DELAY, Confirm};
use crate::app::modes::prompt::{Prompt, PromptFor};
use crate::app::selection::Selection;
use crate::app::state::{Effect, Mode, Origin, State};
use crate::dataset::Dataset;
use crate::incident::store::{Event as IncEvent, Record, VERSION};
use crate::incident::{self, Incident, Playbook, StepKind, StepStatus, Subject, fill, inspect};
use crate::remediation::executor::Outcome;
use crate::remediation::journal::Status;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The walkthrough on a pane's stack; its state is `State::incident` (one incident at a time).
#[derive(Debug, Clone, Default)]
pub struct IncidentView;

impl ViewBehaviour for IncidentView {
    /// Its keys need the whole state: [`key`] handles them before views are asked.
    fn key(&mut self, _cx: &Cx, _action: Action) -> Reaction {
        Reaction::default()
    }

    fn carry_over(&self, _cx: &Cx, _remap: &Remap) -> Option<View> {
        Some(View::Incident(IncidentView))
    }

    fn breadcrumb(&self, _data: &Dataset, _base: bool) -> Option<String> {
        Some("Incident".to_string())
    }

    fn selection(&self, _data: &Dataset) -> Selection {
        Selection::default()
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Local("Enter", "run step"),
            Hint::Local("s", "skip"),
            Hint::Local("j/k", "steps"),
            Hint::Local("e", "export"),
            Hint::Local("PgDn/PgUp", "scroll"),
            Hint::Local("]/[", "incidents"),
            Hint::Local("g", "current"),
            Hint::Local("Esc", "back"),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncidentUi {
    pub inc: Incident,
    /// The step shown (not necessarily the current one).
    pub cursor: usize,
    /// A CloudTrail lookup is running for this step.
    pub looking_up: Option<usize>,
    /// The step that just finished when the cursor moved on by itself: its result stays on
    /// screen under the next step, so one Enter per step never hides what was seen.
    pub last: Option<usize>,
    /// When the step under the cursor was first drawn (input clock); a manual step is ticked
    /// only once it has been on screen for [`CONFIRM_DELAY`], so a double Enter never ticks a
    /// step the responder has not read.
    pub shown_at: Option<std::time::Duration>,
    /// How far the step pane is scrolled (PgDn / PgUp).
    pub scroll: u16,
}

impl IncidentUi {
    fn new(inc: Incident) -> IncidentUi {
        let cursor = inc.current().unwrap_or(0);
        IncidentUi {
            inc,
            cursor,
            looking_up: None,
            last: None,
            shown_at: None,
            scroll: 0,
        }
    }

    /// Shows step `i` (from its top; it has not been on screen yet).
    fn goto(&mut self, i: usize) {
        if i != self.cursor {
            self.cursor = i;
            self.shown_at = None;
            self.scroll = 0;
        }
    }
}

/// Starts (or reopens) the walkthrough view on an incident. Another incident in progress is
/// kept open beside it (`]` / `[` switch).
pub fn open(state: &mut State, inc: Incident) {
    if let Some(i) = state
        .parked_incidents
        .iter()
        .position(|u| u.inc.id == inc.id)
    {
        state.parked_incidents.remove(i);
    }
    match state.incident.take() {
        Some(cur) if cur.inc.id != inc.id && !cur.inc.finished() => {
            state.parked_incidents.push(*cur)
        }
        _ => {}
    }
    state.incident = Some(Box::new(IncidentUi::new(inc)));
    show(state);
}

/// Every incident open in this session that is not finished (the active one included).
pub fn unfinished(state: &State) -> Vec<&Incident> {
    state
        .incident
        .iter()
        .map(|u| &u.inc)
        .chain(state.parked_incidents.iter().map(|u| &u.inc))
        .filter(|i| !i.finished())
        .collect()
}

/// `]` / `[`: the next (or previous) open incident becomes the active one.
fn switch(state: &mut State, forward: bool) {
    if state.parked_incidents.is_empty() {
        state.info("no other incident is open (:incident on another finding or user starts one)");
        return;
    }
    if let Some(ui) = state.incident.as_ref()
        && let Some(step) = ui.looking_up
    {
        state.warn(format!(
            "step {} is still looking up CloudTrail: switch when it has answered",
            step + 1
        ));
        return;
    }
    let Some(cur) = state.incident.take() else {
        return;
    };
    let next = if forward {
        state.parked_incidents.push(*cur);
        state.parked_incidents.remove(0)
    } else {
        state.parked_incidents.insert(0, *cur);
        state.parked_incidents.pop().expect("not empty")
    };
    let n = state.parked_incidents.len() + 1;
    state.info(format!(
        "incident {} ({} of {n} open)",
        next.inc.id,
        if forward { 1 } else { n }
    ));
    state.incident = Some(Box::new(next));
}

/// A frame was drawn: the step under the cursor is on screen from now.
pub fn drawn(state: &mut State, at: std::time::Duration) {
    if matches!(state.view(), Some(View::Incident(_)))
        && let Some(ui) = state.incident.as_mut()
        && ui.shown_at.is_none()
    {
        ui.shown_at = Some(at);
    }
}

/// Puts the walkthrough on top of the current pane (once).
fn show(state: &mut State) {
    if !matches!(state.view(), Some(View::Incident(_))) {
        state.push(View::Incident(IncidentView));
    }
}

/// Makes an open (parked) incident the active one, keeping its cursor.
fn open_existing(state: &mut State, inc: Incident) {
    let Some(i) = state
        .parked_incidents
        .iter()
        .position(|u| u.inc.id == inc.id)
    else {
        return open(state, inc);
    };
    let ui = state.parked_incidents.remove(i);
    if let Some(cur) = state.incident.take() {
        state.parked_incidents.push(*cur);
    }
    state.incident = Some(Box::new(ui));
    show(state);
}

/// `:incident` on the selection: the suggested playbook for the selected finding, or the
/// compromised-key playbook for a selected user with a key (IAM row or the user's page).
pub fn start_from_selection(
    state: &mut State,
    sel: Selection,
    playbook: Option<&str>,
) -> Vec<Effect> {
    let Some(data) = state.data.clone() else {
        return vec![];
    };
    let finding = sel.finding.and_then(|i| data.findings.get(i));
    let user = sel
        .principal
        .as_ref()
        .and_then(|p| data.iam.as_ref().and_then(|i| i.user_by_arn(&p.arn)));
    let picked: Result<(Playbook, Subject), String> = match (finding, user, &sel.principal) {
        (Some(f), _, _) => Ok(incident::suggest(&data, f)),
        (None, Some(u), _) => match u.active_keys().next() {
            Some(k) => incident::subject_for_key(&data, &k.access_key_id).map(|s| {
                (
                    incident::playbook("compromised-access-key").expect("built in"),
                    s,
                )
            }),
            None => Ok((
                incident::playbook("break-glass-used").expect("built in"),
                Subject {
                    user: Some(u.user_name.clone()),
                    ..Default::default()
                },
            )),
        },
        (None, None, Some(_)) => Err(":incident works on a finding or an IAM user".into()),
        _ => Err(":incident works on a selected finding or IAM user (or run guardpost incident --access-key KEY)".into()),
    };
    match picked {
        Ok((mut book, subject)) => {
            if let Some(id) = playbook {
                match incident::playbook(id) {
                    Ok(b) => book = b,
                    Err(e) => {
                        state.error(e);
                        return vec![];
                    }
                }
            }
            // The same playbook on the same subject is the incident already open: show it.
            let open = std::iter::once(state.incident.as_deref())
                .flatten()
                .chain(state.parked_incidents.iter())
                .find(|u| {
                    !u.inc.finished()
                        && u.inc.playbook.id == book.id
                        && u.inc.subject.label() == subject.label()
                })
                .map(|u| u.inc.clone());
            if let Some(inc) = open {
                let id = inc.id.clone();
                if state.incident.as_ref().is_some_and(|u| u.inc.id == id) {
                    show(state);
                } else {
                    open_existing(state, inc);
                }
                state.info(format!("incident {id} is in progress"));
                return vec![];
            }
            state.info(format!("starting {} for {}", book.title, subject.label()));
            vec![Effect::IncidentStart(Box::new((book, subject)))]
        }
        Err(e) => {
            state.error(e);
            vec![]
        }
    }
}

fn record(inc: &Incident, event: IncEvent, now: DateTime<Utc>) -> Record {
    Record {
        v: VERSION,
        ts: now,
        incident: inc.id.clone(),
        caller: None,
        event,
    }
}

/// Records a step's end: applied to the state now, appended to the file by the loop.
fn finish_step(
    state: &mut State,
    i: usize,
    outcome: StepStatus,
    seen: Vec<String>,
    did: Vec<String>,
    journal_id: Option<String>,
) -> Vec<Effect> {
    let Some(now) = state.now else {
        state.warn("the clock has not started yet: try again in a second");
        return vec![];
    };
    let Some(ui) = state.incident.as_mut() else {
        return vec![];
    };
    let step = ui.inc.playbook.steps[i].id.clone();
    let mut rec = record(
        &ui.inc,
        IncEvent::Step {
            step,
            outcome,
            seen,
            did,
            journal_id,
        },
        now,
    );
    rec.caller = state.act.caller.clone();
    ui.inc.apply(&rec);
    // One Enter per step: the cursor goes on to the next step to do, and what this step saw
    // and did stays on screen under it. A step that failed or is unknown stays current.
    match ui.inc.current() {
        Some(next) if next != i => {
            ui.goto(next);
            ui.last = Some(i);
        }
        _ => ui.last = None,
    }
    vec![Effect::IncidentAppend(Box::new(rec))]
}

pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(ui) = state.incident.as_ref() else {
        return vec![];
    };
    let n = ui.inc.playbook.steps.len();
    let cursor = ui.cursor;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => {
            if let Some(ui) = state.incident.as_mut() {
                ui.goto((cursor + 1).min(n - 1));
                ui.last = None;
            }
        }
        KeyCode::Char('k') | KeyCode::Up => {
            if let Some(ui) = state.incident.as_mut() {
                ui.goto(cursor.saturating_sub(1));
                ui.last = None;
            }
        }
        KeyCode::PageDown => scroll(state, true),
        KeyCode::PageUp => scroll(state, false),
        KeyCode::Char('f') if ctrl => scroll(state, true),
        KeyCode::Char('b') if ctrl => scroll(state, false),
        KeyCode::Char(']') => switch(state, true),
        KeyCode::Char('[') => switch(state, false),
        KeyCode::Enter => return run_step(state),
        KeyCode::Char('s') => {
            let Some(cur) = ui.inc.current() else {
                state.info("every step is done or skipped");
                return vec![];
            };
            if cursor != cur {
                state.warn("steps run in order: skip the current step (g jumps to it)");
                return vec![];
            }
            let title = ui.inc.playbook.steps[cur].title.clone();
            state.mode = Mode::Prompt(Box::new(Prompt {
                what: PromptFor::Skip(cur),
                label: format!("Skip \"{title}\" because:"),
                text: String::new(),
            }));
        }
        KeyCode::Char('g') => {
            if let Some(ui) = state.incident.as_mut() {
                let cur = ui.inc.current().unwrap_or(0);
                ui.goto(cur);
                ui.last = None;
            }
        }
        KeyCode::Char('e') => {
            let id = ui.inc.id.clone();
            return vec![Effect::IncidentExport(id)];
        }
        KeyCode::Esc => {
            let pane = state.pane;
            let stack = state.stack_of(pane);
            if stack.len() > 1 {
                stack.pop();
            }
        }
        _ => return crate::app::normal_key(state, key),
    }
    vec![]
}

/// Scrolls the step pane half a screen (a long CloudTrail answer, many related findings).
fn scroll(state: &mut State, down: bool) {
    let page = (state.size.1 / 2).max(1);
    if let Some(ui) = state.incident.as_mut() {
        ui.scroll = if down {
            ui.scroll.saturating_add(page)
        } else {
            ui.scroll.saturating_sub(page)
        };
    }
}

fn run_step(state: &mut State) -> Vec<Effect> {
    let Some(now) = state.now else {
        state.warn("the clock has not started yet: try again in a second");
        return vec![];
    };
    let Some(data) = state.data.clone() else {
        return vec![];
    };
    let Some(ui) = state.incident.as_ref() else {
        return vec![];
    };
    let Some(cur) = ui.inc.current() else {
        state.info("every step is done or skipped: e exports the timeline");
        return vec![];
    };
    if ui.cursor != cur {
        // Enter on another step (looked at with j/k) goes back to the step to do: it is shown,
        // not run.
        if let Some(ui) = state.incident.as_mut() {
            ui.goto(cur);
            ui.last = None;
        }
        state.info(format!("step {} is the one to do: Enter runs it", cur + 1));
        return vec![];
    }
    let step = ui.inc.playbook.steps[cur].clone();
    match &step.kind {
        StepKind::Inspect { inspect: kind } if kind == "cloudtrail" => {
            // By key when the incident is about one, else by user name (root for the account).
            let s = &ui.inc.subject;
            let (value, by_user) = match (&s.access_key_id, &s.user, &s.role) {
                (Some(k), _, _) => (k.clone(), false),
                (None, Some(u), _) => (u.clone(), true),
                (None, None, Some(r)) => (r.clone(), true),
                _ => ("root".to_string(), true),
            };
            if let Some(ui) = state.incident.as_mut() {
                ui.looking_up = Some(cur);
            }
            state.info(format!("looking up {value} in CloudTrail in every region…"));
            vec![Effect::IncidentLookup {
                step: cur,
                value,
                by_user,
            }]
        }
        StepKind::Inspect { inspect: kind } => match inspect::facts(kind, &data, &ui.inc) {
            Ok(i) => finish_step(state, cur, i.status(), i.seen, vec![], None),
            Err(e) => finish_step(
                state,
                cur,
                StepStatus::Failed { error: e },
                vec![],
                vec![],
                None,
            ),
        },
        StepKind::Action { .. } => {
            if state.read_only {
                state.warn("read-only mode: action steps cannot run; skip them with a reason (s)");
                return vec![];
            }
            match incident::action_plan(&step, &ui.inc, &data, now) {
                Ok(Some(plan)) => {
                    let origin = Origin::IncidentStep(cur);
                    state.mode = Mode::Confirm(Box::new(Confirm::new(plan, origin)));
                    vec![]
                }
                Ok(None) => finish_step(
                    state,
                    cur,
                    StepStatus::Done,
                    vec!["nothing to do: already in the wanted state".into()],
                    vec![],
                    None,
                ),
                Err(e) => finish_step(
                    state,
                    cur,
                    StepStatus::Failed { error: e },
                    vec![],
                    vec![],
                    None,
                ),
            }
        }
        StepKind::Note { prompt } => {
            state.mode = Mode::Prompt(Box::new(Prompt {
                what: PromptFor::Note(cur),
                label: prompt.clone(),
                text: String::new(),
            }));
            vec![]
        }
        StepKind::Manual { text } => {
            let shown = ui.shown_at.map(|t| state.clock.saturating_sub(t));
            if shown.is_none_or(|d| d < CONFIRM_DELAY) {
                state.warn(format!(
                    "Enter ignored: step {} has only just appeared — read it, then press Enter",
                    cur + 1
                ));
                return vec![];
            }
            let text = fill(text, &ui.inc.subject);
            finish_step(
                state,
                cur,
                StepStatus::Done,
                vec![],
                vec![format!("done by hand: {text}")],
                None,
            )
        }
    }
}

/// The walkthrough's prompt was answered.
pub fn prompt_done(state: &mut State, what: PromptFor, text: String) -> Vec<Effect> {
    match what {
        PromptFor::Note(i) => finish_step(
            state,
            i,
            StepStatus::Done,
            vec![],
            vec![format!("noted: {text}")],
            None,
        ),
        PromptFor::Skip(i) => finish_step(
            state,
            i,
            StepStatus::Skipped { reason: text },
            vec![],
            vec![],
            None,
        ),
        // Answered by a key, never by text (see `modes::prompt::key`).
        PromptFor::Quit => vec![],
    }
}

/// The action of step `i` ended: record it.
pub fn action_done(state: &mut State, i: usize, result: &Result<Outcome, String>) -> Vec<Effect> {
    match result {
        Ok(o) => {
            let did: Vec<String> = o
                .results
                .iter()
                .map(|r| format!("{} {} → {}", r.call.permission(), r.call.params, r.detail))
                .collect();
            let outcome = match o.status {
                Status::Succeeded => StepStatus::Done,
                Status::DryRun => StepStatus::DryRun,
                _ => StepStatus::Failed {
                    error: format!("{}: {}", o.status.label(), o.message),
                },
            };
            let seen = if o.status == Status::DryRun {
                vec!["dry run: nothing was called".to_string()]
            } else {
                vec![]
            };
            finish_step(state, i, outcome, seen, did, Some(o.id.clone()))
        }
        Err(e) => finish_step(
            state,
            i,
            StepStatus::Failed { error: e.clone() },
            vec![],
            vec![],
            None,
        ),
    }
}

/// The CloudTrail lookup of a step came back.
pub fn lookup_done(
    state: &mut State,
    step: usize,
    result: Result<inspect::Inspection, String>,
) -> Vec<Effect> {
    if let Some(ui) = state.incident.as_mut() {
        ui.looking_up = None;
    }
    match result {
        Ok(i) => finish_step(state, step, i.status(), i.seen, vec![], None),
        Err(e) => finish_step(
            state,
            step,
            StepStatus::Failed { error: e },
            vec![],
            vec![],
            None,
        ),
    }
}
