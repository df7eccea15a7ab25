//! Application state and the pure `update(state, event) -> effects` state machine.
//!
//! No I/O happens here and no clock is read: loading, clipboard writes and actions are effects
//! the runtime carries out, and time arrives as events (`Tick`, `Clock`, `Drawn`).
//!
//! `update` routes: global events here, keys to the open mode (`modes/`) or else to the
//! focused view (`views/`), which answers with a `Reaction`.

pub mod columns;
pub mod cursor;
pub mod keymap;
pub mod modes;
pub mod org;
pub mod selection;
pub mod state;
pub mod views;

pub use cursor::Cursor;
pub use modes::line::run_command;
pub use modes::{act, mfa as session};
pub use selection::Selection;
pub use state::{Effect, Event, Level, Mode, Origin, Pane, State, Status, table_height, truncate};
pub use views::findings::list;
pub use views::iam::{IamTab, IamView, iam_list};
pub use views::overview::OverviewView;
pub use views::{Reaction, SimpleList, View, incident, overview as summary};

pub use list::{FindingList, GroupMode, Scope, SearchIndex, SortKey};
pub use session::{MfaPrompt, Session};
pub use summary::{OverviewItem, Summary};
pub use views::admin::WhoCanAdminView;
pub use views::detail::DetailView;
pub use views::paths::{AdminRow, Tone, Tree, TreeRow};
pub use views::resource::{PageTab, ResourceSort, ResourceView, ResourcesView};

use crate::dataset::Dataset;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use keymap::Action;
use modes::{line, mfa, prompt};
use std::sync::Arc;
use views::findings::findings_view;
use views::journal;
use views::{Cx, Remap};

/// The pure state machine.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    let before = state.status.clone();
    let pane = state.pane;
    let effects = update_inner(state, event);
    if pane == Pane::Accounts && state.pane != Pane::Accounts {
        org::left_accounts(state);
    }
    if state.status != before {
        state.status_shown = false;
    }
    effects
}

fn update_inner(state: &mut State, event: Event) -> Vec<Effect> {
    match event {
        Event::Resize(w, h) => {
            state.size = (w, h);
            let height = table_height(state.size);
            for stack in &mut state.stacks {
                for v in stack.iter_mut() {
                    v.behaviour_mut().refit(height);
                }
            }
            vec![]
        }
        Event::Tick(now) => {
            state.now = Some(now);
            org::tick(state, now);
            mfa::tick(state)
        }
        Event::Clock(at) => {
            state.clock = state.clock.max(at);
            vec![]
        }
        Event::Drawn(at) => {
            state.clock = state.clock.max(at);
            state.status_shown = state.status.is_some();
            act::drawn(state, at);
            incident::drawn(state, at);
            vec![]
        }
        Event::Paste(text) => {
            line::paste(state, &text);
            vec![]
        }
        Event::SessionExpired => {
            state.loading = None;
            if let Some(s) = state.session.as_mut() {
                s.expired = true;
            }
            mfa::expired(state, "the session credentials have expired")
        }
        Event::SessionRenewed(s) => mfa::renewed(state, s),
        Event::SessionRenewFailed(e) => mfa::renew_failed(state, e),
        Event::Loading(msg) => {
            state.loading = Some(msg);
            vec![]
        }
        Event::LoadFailed(msg) => {
            state.loading = None;
            state.load_error = Some(msg.clone());
            state.error(msg);
            vec![]
        }
        Event::OrgListed {
            organization,
            accounts,
            note,
        } => {
            org::listed(state, organization, accounts, note);
            vec![]
        }
        Event::ActingAs {
            account,
            caller,
            read_only,
        } => {
            org::acting_as(state, account, caller, read_only);
            vec![]
        }
        Event::AccountRead { id, result, at } => {
            org::account_read(state, id, result, at);
            vec![]
        }
        Event::Loaded(data) => {
            install(state, *data);
            state.partial = false;
            vec![]
        }
        Event::Partial(data) => {
            if state.data.is_none() || state.partial {
                let loading = state.loading.take();
                install(state, *data);
                state.loading = loading;
                state.partial = true;
                let n = state.data.as_ref().map_or(0, |d| d.findings.len());
                state.info(format!("{n} findings so far"));
            }
            vec![]
        }
        Event::ActionProgress(p) => {
            act::progress(state, p);
            vec![]
        }
        Event::ActionDone { origin, result } => {
            // An incident step records its outcome; every action shows it.
            let mut effects = match origin {
                Origin::IncidentStep(step) => incident::action_done(state, step, &result),
                Origin::Menu | Origin::Batch | Origin::Undo | Origin::Verify => vec![],
            };
            effects.extend(act::done(state, *result));
            effects
        }
        Event::IncidentOpened(inc) => {
            if state.data.is_some() {
                incident::open(state, *inc);
            } else {
                state.pending_incident = Some(inc);
            }
            vec![]
        }
        Event::IncidentLookedUp { step, result } => incident::lookup_done(state, step, result),
        Event::Notice { error, text } => {
            if error {
                state.error(text);
            } else {
                state.info(text);
            }
            vec![]
        }
        Event::Journal {
            entries,
            problem,
            path,
            first,
        } => {
            journal::loaded(state, entries, problem, path, first);
            vec![]
        }
        Event::Key(key) => {
            if key.kind != KeyEventKind::Press {
                return vec![];
            }
            if state.mode == Mode::Normal && state.status_shown {
                // A status line answers the key before; once it has been on screen the next
                // key clears it (a key that has something to say sets a new one), so no stale
                // error lingers. Keys of one burst (no frame between them) keep it.
                state.status = None;
            }
            match state.mode.clone() {
                Mode::Normal if matches!(state.view(), Some(View::Incident(_))) => {
                    incident::key(state, key)
                }
                Mode::Normal => normal_key(state, key),
                Mode::Prompt(p) => prompt::key(state, key, p),
                Mode::Filter(text) => line::filter_key(state, key, text),
                Mode::Command(text) => line::command_key(state, key, text),
                Mode::Help { scroll } => line::help_key(state, key, scroll),
                Mode::Actions(m) => act::menu_key(state, key, m),
                Mode::Confirm(c) => act::confirm_key(state, key, c),
                // Keys wait while an action runs; its outcome replaces this mode.
                Mode::Running(r) => {
                    state.mode = Mode::Running(r);
                    vec![]
                }
                Mode::Outcome(o) => act::outcome_key(state, key, o),
                Mode::Mfa(p) => mfa::key(state, key, p),
            }
        }
    }
}

/// What the focused view selects (nothing without data or a view).
pub fn selection_of(state: &State) -> Selection {
    match (&state.data, state.view()) {
        (Some(data), Some(v)) => v.behaviour().selection(data),
        _ => Selection::default(),
    }
}

/// Replaces the dataset and resets the views over it, keeping the pane the user was on.
pub(crate) fn install(state: &mut State, data: Dataset) {
    let search = SearchIndex::build(&data.findings);
    state.summary = Summary::build(&data);
    let problems = data.problems.len();
    let n = data.findings.len();
    let old = state.data.take();
    state.data = Some(Arc::new(data));
    state.search = Arc::new(search);
    state.loading = None;
    state.load_error = None;
    match old {
        Some(old) => carry_over(state, &old),
        None => reset_stacks(state),
    }
    if problems > 0 {
        state.warn(format!(
            "loaded {n} findings; {problems} source problem(s), see the overview"
        ));
    } else {
        state.info(format!("loaded {n} findings"));
    }
    if let Some(inc) = state.pending_incident.take() {
        state.pane = Pane::Findings;
        incident::open(state, *inc);
    }
}

/// After a refresh, keeps where the user was: every view is rebuilt over the new data with
/// its sort, grouping, filter and selection, matched by finding id and resource ARN; a view
/// whose finding or resource is gone is dropped with everything above it.
fn carry_over(state: &mut State, old: &Dataset) {
    let Some(data) = state.data.clone() else {
        return;
    };
    let search = state.search.clone();
    let cx = Cx {
        data: &data,
        search: &search,
        summary: &state.summary,
        height: table_height(state.size),
        act: &state.act,
        org: state.org.as_ref(),
    };
    let remap = Remap::new(old, &data);
    for stack in &mut state.stacks {
        let kept: Vec<View> = stack
            .iter()
            .map_while(|v| v.behaviour().carry_over(&cx, &remap))
            .collect();
        *stack = kept;
    }
    // The Accounts pane is empty outside an organization.
    if Pane::ALL
        .iter()
        .any(|&p| p != Pane::Accounts && state.stacks[p.index()].is_empty())
    {
        reset_stacks(state);
    }
}

fn reset_stacks(state: &mut State) {
    let Some(data) = state.data.clone() else {
        return;
    };
    let height = table_height(state.size);
    let accounts = std::mem::take(&mut state.stacks[Pane::Accounts.index()]);
    state.stacks = [
        vec![View::Overview(OverviewView::default())],
        vec![findings_view(Scope::All, &data, &state.search, height)],
        vec![View::Resources(ResourcesView::new(&data, ""))],
        vec![View::Iam(IamView::new(&data, IamTab::Users, ""))],
        // The Accounts pane's rows index the organization, not the dataset: kept as is.
        accounts,
    ];
}

/// A key in normal mode: the global keys here, the rest to the focused view.
pub(crate) fn normal_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(action) = keymap::lookup(&key) else {
        if let KeyCode::Char(c) = key.code {
            let ctrl = if key.modifiers.contains(KeyModifiers::CONTROL) {
                "Ctrl-"
            } else {
                ""
            };
            state.warn(format!("{ctrl}{c} does nothing here (? lists the keys)"));
        }
        return vec![];
    };
    match action {
        // Ctrl-C always quits; q asks first while an incident is unfinished.
        Action::Quit
            if key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            return vec![Effect::Quit];
        }
        Action::Quit => return modes::prompt::quit(state),
        Action::Help => {
            state.mode = Mode::Help { scroll: 0 };
            return vec![];
        }
        Action::Command => {
            state.mode = Mode::Command(String::new());
            return vec![];
        }
        Action::Refresh => {
            if let Some(effects) = mfa::refresh_needs_renewal(state) {
                return effects;
            }
            state.info("reloading…");
            return vec![Effect::Reload];
        }
        Action::Act => {
            let sel = selection_of(state);
            return act::open_menu(state, sel);
        }
        Action::Undo => return act::undo_last(state),
        _ => {}
    }
    let Some(data) = state.data.clone() else {
        return vec![];
    };
    match action {
        Action::NextPane | Action::PrevPane => {
            let shown: Vec<Pane> = Pane::shown(state.org.is_some()).collect();
            let i = shown.iter().position(|p| *p == state.pane).unwrap_or(0);
            let n = shown.len();
            let j = if action == Action::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            state.pane = shown[j];
            state.status = None;
        }
        Action::Enter if state.pane == Pane::Accounts => return org::enter(state),
        Action::Back => {
            let pane = state.pane;
            let stack = state.stack_of(pane);
            if stack.len() > 1 {
                stack.pop();
            } else if pane != Pane::Overview {
                state.pane = Pane::Overview;
            }
        }
        Action::Filter => match state.view().and_then(|v| v.behaviour().filter()) {
            Some(text) => state.mode = Mode::Filter(text),
            None => state
                .warn("nothing to filter here: / works on the findings, resources and IAM tables"),
        },
        Action::HideColumn => columns::cycle_key(state),
        Action::CopyArn => return apply(state, selection_of(state).copy_arn(&data)),
        Action::ConsoleUrl => return apply(state, selection_of(state).console_url(&data)),
        _ => {
            let search = state.search.clone();
            let cx = Cx {
                data: &data,
                search: &search,
                summary: &state.summary,
                height: table_height(state.size),
                act: &state.act,
                org: state.org.as_ref(),
            };
            let Some(view) = state.stacks[state.pane.index()].last_mut() else {
                return vec![];
            };
            let reaction = view.behaviour_mut().key(&cx, action);
            return apply(state, reaction);
        }
    }
    vec![]
}

/// Carries out a view's reaction on the state; returns its effects.
fn apply(state: &mut State, r: Reaction) -> Vec<Effect> {
    if let Some(v) = r.push {
        state.push(v);
    }
    if let Some(s) = r.status {
        state.status = Some(s);
    }
    if let Some(m) = r.mode {
        state.mode = m;
    }
    r.effects
}
