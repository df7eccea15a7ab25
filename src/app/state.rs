//! The app's types: what can happen (`Event`), what the runtime is asked to do (`Effect`), and
//! the state `update` changes and `ui::render` draws.

use super::modes::act::{ActState, Confirm, Menu, OutcomeView, Running};
use super::modes::mfa::{MfaPrompt, Session};
use super::modes::prompt::Prompt;
use super::views::View;
use super::views::findings::list::SearchIndex;
use super::views::incident::IncidentUi;
use super::views::overview::Summary;
use crate::dataset::Dataset;
use crate::remediation::executor::{Outcome, Progress};
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use std::sync::Arc;
use std::time::Duration;

/// Where a confirmed action came from, so its result goes back to whoever asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The `x` menu on one selection.
    Menu,
    /// The `x` menu on marked findings.
    Batch,
    /// `u`, or `x` on a journal entry.
    Undo,
    /// Step `n` of the incident walkthrough.
    IncidentStep(usize),
    /// Re-reading an interrupted journal entry.
    Verify,
}

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Event {
    /// `--org`: the organization's accounts are known (each is then read).
    OrgListed {
        organization: Option<String>,
        accounts: Vec<crate::model::org::OrgAccount>,
        /// A warning about how the accounts were found (the config's list, not Organizations).
        note: Option<String>,
    },
    /// `--org`: actions now go to this account, as this caller (`read_only`: why that account
    /// is read-only).
    ActingAs {
        account: String,
        caller: Option<String>,
        read_only: Option<String>,
    },
    /// `--org`: one account's read finished (its dataset, or why it could not be read).
    AccountRead {
        id: String,
        result: Result<Box<Dataset>, String>,
        at: chrono::DateTime<chrono::Utc>,
    },
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): never keys.
    Paste(String),
    Resize(u16, u16),
    /// A load started (shown while it runs).
    Loading(String),
    Loaded(Box<Dataset>),
    /// Everything a running live load has read so far. Installed like `Loaded` (the user's
    /// place is kept) while the data on screen is itself partial or absent; a refresh of
    /// complete data keeps showing the complete data until the new load finishes.
    Partial(Box<Dataset>),
    LoadFailed(String),
    /// The wall clock, once a second (and once before anything else).
    Tick(DateTime<Utc>),
    /// The input clock (monotonic, since start): the runtime sends it before every key, so
    /// keys that arrive together carry the same time.
    Clock(Duration),
    /// A frame was drawn at this input-clock time: what the user sees is the state as it is.
    Drawn(Duration),
    /// A step of the running action.
    ActionProgress(Progress),
    /// The running action ended (Err: refused before anything was done).
    ActionDone {
        origin: Origin,
        result: Box<Result<Outcome, String>>,
    },
    /// An incident was started or resumed (the loop created or read its file).
    IncidentOpened(Box<crate::incident::Incident>),
    /// The CloudTrail lookup of an incident step: the facts, or why it failed.
    IncidentLookedUp {
        step: usize,
        result: Result<crate::incident::inspect::Inspection, String>,
    },
    /// A message for the status line from the loop.
    Notice {
        error: bool,
        text: String,
    },
    /// The journal as read (at start and after every action).
    Journal {
        entries: Vec<crate::remediation::journal::Entry>,
        problem: Option<String>,
        path: String,
        first: bool,
    },
    /// A live load was refused because the temporary credentials expired (ExpiredToken).
    SessionExpired,
    /// New temporary credentials are in use (after `Effect::RenewSession`).
    SessionRenewed(Session),
    /// Renewing failed (e.g. a wrong MFA code): the prompt asks again, up to 3 codes.
    SessionRenewFailed(String),
}

/// Work for the runtime (`runtime::effects`).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// `--org`: actions now run in this account (through its role), or nowhere (`None`: all
    /// accounts are shown).
    UseAccount(Option<String>),
    /// Copy to the clipboard (OSC 52).
    Copy(String),
    Reload,
    /// Run a confirmed remediation plan; the result comes back with the same origin.
    Execute {
        plan: Box<crate::remediation::Plan>,
        origin: Origin,
    },
    /// Re-read the state an interrupted journal entry acted on.
    Verify(String),
    /// Create an incident (its file) and open it.
    IncidentStart(Box<(crate::incident::Playbook, crate::incident::Subject)>),
    /// Append a record to the incident's file.
    IncidentAppend(Box<crate::incident::store::Record>),
    /// Write the incident's timeline (Markdown and JSON) next to its file.
    IncidentExport(String),
    /// Look up in CloudTrail what an access key (or, with `by_user`, a user name) did, for an
    /// incident step.
    IncidentLookup {
        step: usize,
        value: String,
        by_user: bool,
    },
    /// Get new temporary credentials (with this MFA code; `None` for a role without MFA).
    RenewSession(Option<crate::sources::session::MfaCode>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Overview,
    Findings,
    Resources,
    Iam,
    /// `--org` only: every account of the organization.
    Accounts,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Overview,
        Pane::Findings,
        Pane::Resources,
        Pane::Iam,
        Pane::Accounts,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Pane::Overview => "Overview",
            Pane::Findings => "Findings",
            Pane::Resources => "Resources",
            Pane::Iam => "IAM",
            Pane::Accounts => "Accounts",
        }
    }

    /// The panes shown: Accounts only over an organization.
    pub fn shown(org: bool) -> impl Iterator<Item = Pane> {
        Pane::ALL
            .into_iter()
            .filter(move |p| org || *p != Pane::Accounts)
    }
    pub(crate) fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    Filter(String),
    Command(String),
    Help {
        scroll: u16,
    },
    /// `x`: the actions that apply.
    Actions(Box<Menu>),
    /// The preview of one action, waiting for y / the typed name.
    Confirm(Box<Confirm>),
    Running(Box<Running>),
    Outcome(Box<OutcomeView>),
    /// A line of text for the walkthrough (a note, a skip reason).
    Prompt(Box<Prompt>),
    Mfa(MfaPrompt),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub level: Level,
}

impl Status {
    pub fn info(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            level: Level::Info,
        }
    }
    pub fn warn(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            level: Level::Warn,
        }
    }
    pub fn error(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            level: Level::Error,
        }
    }
}

pub struct State {
    pub data: Option<Arc<Dataset>>,
    pub search: Arc<SearchIndex>,
    pub summary: Summary,
    pub loading: Option<String>,
    pub load_error: Option<String>,
    pub pane: Pane,
    /// One navigation stack per pane (see [`State::stack_of`]); element 0 is the pane's base view.
    pub stacks: [Vec<View>; 5],
    pub mode: Mode,
    pub size: (u16, u16),
    pub read_only: bool,
    pub status: Option<Status>,
    /// The status line has been drawn since it last changed (the next key may clear it).
    pub status_shown: bool,
    /// The wall clock, from `Event::Tick` (never read inside `update`).
    pub now: Option<DateTime<Utc>>,
    /// The input clock, from `Event::Clock` / `Event::Drawn` (monotonic, since start).
    pub clock: Duration,
    /// The journal and how actions run.
    pub act: ActState,
    /// The incident being walked through.
    pub incident: Option<Box<IncidentUi>>,
    /// Other incidents open in this session (`]` / `[` switch to them).
    pub parked_incidents: Vec<IncidentUi>,
    /// An incident to open once the first data arrives (`guardpost incident ...`).
    pub pending_incident: Option<Box<crate::incident::Incident>>,
    /// The data on screen is a partial dataset of a load still running.
    pub partial: bool,
    /// Temporary credentials (MFA, assumed role): when they expire.
    pub session: Option<Session>,
    /// An endpoint override in effect (`--endpoint-url`, `AWS_ENDPOINT_URL`): the header says
    /// so, the data may not come from AWS.
    pub endpoint: Option<String>,
    /// The command line's Tab candidates while Tab is pressed (shown after the line).
    pub completion: Option<Completion>,
    /// Columns the user hid or sized (`z`, `:cols`).
    pub columns: crate::app::columns::ColumnPrefs,
    /// `--org`: every account of the organization and which one is shown.
    pub org: Option<crate::app::org::OrgConsole>,
}

/// Tab completion in the command line: the candidates, and the one Tab last put in the line
/// (`None` until Tab is pressed again on the common prefix, then it cycles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<String>,
    pub index: Option<usize>,
    /// The line as Tab left it (a Tab on any other line starts over).
    pub line: String,
}

impl State {
    pub fn new(read_only: bool, size: (u16, u16)) -> State {
        State {
            data: None,
            search: Arc::new(SearchIndex::default()),
            summary: Summary::default(),
            loading: None,
            load_error: None,
            pane: Pane::Overview,
            stacks: Default::default(),
            mode: Mode::Normal,
            size,
            read_only,
            status: None,
            status_shown: false,
            now: None,
            clock: Duration::ZERO,
            act: ActState::default(),
            incident: None,
            parked_incidents: Vec::new(),
            pending_incident: None,
            partial: false,
            session: None,
            endpoint: None,
            completion: None,
            columns: Default::default(),
            org: None,
        }
    }

    pub fn stack(&self) -> &[View] {
        &self.stacks[self.pane.index()]
    }

    /// The navigation stack of a pane.
    pub fn stack_of(&mut self, pane: Pane) -> &mut Vec<View> {
        &mut self.stacks[pane.index()]
    }

    pub fn view(&self) -> Option<&View> {
        self.stack().last()
    }

    pub(crate) fn view_mut(&mut self) -> Option<&mut View> {
        self.stacks[self.pane.index()].last_mut()
    }

    /// Pushes a view on the current pane's stack.
    pub(crate) fn push(&mut self, v: View) {
        self.stacks[self.pane.index()].push(v);
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status::info(text));
    }

    pub(crate) fn warn(&mut self, text: impl Into<String>) {
        self.status = Some(Status::warn(text));
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status::error(text));
    }

    /// Breadcrumbs of the current pane: `Findings › high GuardDuty › Recon:IAMUser/... › ci-deploy`.
    pub fn breadcrumbs(&self) -> Vec<String> {
        let mut out = vec![self.pane.label().to_string()];
        let Some(data) = &self.data else { return out };
        for (i, v) in self.stack().iter().enumerate() {
            if let Some(label) = v.behaviour().breadcrumb(data, i == 0) {
                out.push(label);
            }
        }
        out
    }
}

/// Cuts `s` to `n` characters, marking the cut with an ellipsis.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Rows the body of a table gets at the current terminal size (mirrors `ui::layout`).
pub fn table_height(size: (u16, u16)) -> usize {
    // header line, tabs+breadcrumbs line, status line, key hints, table border (2) and header row (1).
    (size.1 as usize).saturating_sub(7).max(1)
}
