//! Application state and the pure `update(state, event) -> effects` state machine.
//!
//! No I/O happens here: loading and clipboard writes are effects the terminal loop carries out.

pub mod act;
pub mod incident;
pub mod keymap;
pub mod list;
pub mod session;
pub mod summary;

use crate::console;
use crate::dataset::Dataset;
use crate::model::Source;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use keymap::Action;
pub use list::{Cursor, FindingList, GroupMode, Scope, SearchIndex, SortKey};
pub use session::{MfaPrompt, Session};
use std::sync::Arc;
pub use summary::{OverviewItem, Summary};

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Resize(u16, u16),
    /// A load started (shown while it runs).
    Loading(String),
    Loaded(Box<Dataset>),
    /// Everything a running live load has read so far. Installed like `Loaded` (the user's
    /// place is kept) while the data on screen is itself partial or absent; a refresh of
    /// complete data keeps showing the complete data until the new load finishes.
    Partial(Box<Dataset>),
    LoadFailed(String),
    Tick(DateTime<Utc>),
    /// A step of the running action.
    ActionProgress(crate::remediation::executor::Progress),
    /// The running action ended (Err: refused before anything was done).
    ActionDone(Box<Result<crate::remediation::executor::Outcome, String>>),
    /// An incident was started or resumed (the loop created or read its file).
    IncidentOpened(Box<crate::incident::Incident>),
    /// The CloudTrail lookup of an incident step: the facts, or why it failed.
    IncidentLookedUp {
        step: usize,
        result: Result<Vec<String>, String>,
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

/// Work for the terminal loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Copy to the clipboard (OSC 52).
    Copy(String),
    Reload,
    /// Run a confirmed remediation plan.
    Execute(Box<crate::remediation::Plan>),
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
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Overview, Pane::Findings, Pane::Resources, Pane::Iam];
    pub fn label(self) -> &'static str {
        match self {
            Pane::Overview => "Overview",
            Pane::Findings => "Findings",
            Pane::Resources => "Resources",
            Pane::Iam => "IAM",
        }
    }
    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamTab {
    Users,
    Roles,
    Groups,
    Policies,
}

impl IamTab {
    pub const ALL: [IamTab; 4] = [
        IamTab::Users,
        IamTab::Roles,
        IamTab::Groups,
        IamTab::Policies,
    ];
    pub fn label(self) -> &'static str {
        match self {
            IamTab::Users => "Users",
            IamTab::Roles => "Roles",
            IamTab::Groups => "Groups",
            IamTab::Policies => "Policies",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OverviewView {
    pub cursor: usize,
    /// Column in the severity x source table: 0 = all sources, 1.. = Source::ALL.
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct DetailView {
    pub finding: usize,
    pub scroll: u16,
    pub raw: bool,
}

#[derive(Debug, Clone)]
pub struct ResourceView {
    /// Index into `Dataset::resources.resources`.
    pub resource: usize,
    pub cursor: Cursor,
}

/// A simple filtered list (resources pane, IAM tabs): rows are indexes into the source list.
#[derive(Debug, Clone, Default)]
pub struct SimpleList {
    pub filter: String,
    pub rows: Vec<usize>,
    pub cursor: Cursor,
}

#[derive(Debug, Clone)]
pub struct IamView {
    pub tab: IamTab,
    pub list: SimpleList,
}

#[derive(Debug, Clone)]
pub enum View {
    Overview(OverviewView),
    Findings(Box<FindingList>),
    Detail(DetailView),
    Resource(ResourceView),
    Resources(SimpleList),
    Iam(IamView),
    /// `:journal`: rows index `State::act.entries`, newest first.
    Journal(SimpleList),
    /// The incident walkthrough (`State::incident`).
    Incident,
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
    Actions(Box<act::Menu>),
    /// The preview of one action, waiting for y / the typed name.
    Confirm(Box<act::Confirm>),
    Running(Box<act::Running>),
    Outcome(Box<act::OutcomeView>),
    /// A line of text for the walkthrough (a note, a skip reason).
    Prompt(Box<incident::Prompt>),
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

pub struct State {
    pub data: Option<Arc<Dataset>>,
    pub search: Arc<SearchIndex>,
    pub summary: Summary,
    pub loading: Option<String>,
    pub load_error: Option<String>,
    pub pane: Pane,
    /// One navigation stack per pane; element 0 is the pane's base view.
    pub stacks: [Vec<View>; 4],
    pub mode: Mode,
    pub size: (u16, u16),
    pub read_only: bool,
    pub status: Option<Status>,
    pub now: Option<DateTime<Utc>>,
    /// The journal and how actions run.
    pub act: act::ActState,
    /// The incident being walked through.
    pub incident: Option<Box<incident::IncidentUi>>,
    /// An incident to open once the first data arrives (`guardpost incident ...`).
    pub pending_incident: Option<Box<crate::incident::Incident>>,
    /// The data on screen is a partial dataset of a load still running.
    pub partial: bool,
    /// Temporary credentials (MFA, assumed role): when they expire.
    pub session: Option<Session>,
    /// An endpoint override in effect (`--endpoint-url`, `AWS_ENDPOINT_URL`): the header says
    /// so, the data may not come from AWS.
    pub endpoint: Option<String>,
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
            now: None,
            act: act::ActState::default(),
            incident: None,
            pending_incident: None,
            partial: false,
            session: None,
            endpoint: None,
        }
    }

    pub fn stack(&self) -> &[View] {
        &self.stacks[self.pane.index()]
    }

    pub fn view(&self) -> Option<&View> {
        self.stack().last()
    }

    fn view_mut(&mut self) -> Option<&mut View> {
        self.stacks[self.pane.index()].last_mut()
    }

    fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            level: Level::Info,
        });
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            level: Level::Warn,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            level: Level::Error,
        });
    }

    /// Breadcrumbs of the current pane: `Findings › high GuardDuty › Recon:IAMUser/... › ci-deploy`.
    pub fn breadcrumbs(&self) -> Vec<String> {
        let mut out = vec![self.pane.label().to_string()];
        let Some(data) = &self.data else { return out };
        for (i, v) in self.stack().iter().enumerate() {
            let label = match v {
                View::Overview(_) | View::Resources(_) => continue,
                View::Journal(_) => "Journal".to_string(),
                View::Incident => "Incident".to_string(),
                View::Iam(iv) => iv.tab.label().to_string(),
                View::Findings(l) if i == 0 && l.scope == Scope::All => continue,
                View::Findings(l) => l.scope.label(),
                View::Detail(d) => data
                    .findings
                    .get(d.finding)
                    .map(|f| truncate(&f.kind, 48))
                    .unwrap_or_default(),
                View::Resource(r) => data
                    .resources
                    .resources
                    .get(r.resource)
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
            };
            out.push(label);
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

/// The pure state machine.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    match event {
        Event::Resize(w, h) => {
            state.size = (w, h);
            let height = table_height(state.size);
            for stack in &mut state.stacks {
                for v in stack.iter_mut() {
                    refit(v, height);
                }
            }
            vec![]
        }
        Event::Tick(now) => {
            state.now = Some(now);
            session::tick(state)
        }
        Event::SessionExpired => {
            state.loading = None;
            if let Some(s) = state.session.as_mut() {
                s.expired = true;
            }
            session::expired(state, "the session credentials have expired")
        }
        Event::SessionRenewed(s) => session::renewed(state, s),
        Event::SessionRenewFailed(e) => session::renew_failed(state, e),
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
        Event::ActionDone(result) => {
            let mut effects = incident::action_done(state, &result);
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
            act::journal_loaded(state, entries, problem, path, first);
            vec![]
        }
        Event::Key(key) => {
            if key.kind != KeyEventKind::Press {
                return vec![];
            }
            match state.mode.clone() {
                Mode::Normal if matches!(state.view(), Some(View::Incident)) => {
                    incident::key(state, key)
                }
                Mode::Normal => normal_key(state, key),
                Mode::Prompt(p) => incident::prompt_key(state, key, p),
                Mode::Filter(text) => filter_key(state, key, text),
                Mode::Command(text) => command_key(state, key, text),
                Mode::Help { scroll } => help_key(state, key, scroll),
                Mode::Actions(m) => act::menu_key(state, key, m),
                Mode::Confirm(c) => act::confirm_key(state, key, c),
                // Keys wait while an action runs; its outcome replaces this mode.
                Mode::Running(r) => {
                    state.mode = Mode::Running(r);
                    vec![]
                }
                Mode::Outcome(o) => act::outcome_key(state, key, o),
                Mode::Mfa(p) => session::key(state, key, p),
            }
        }
    }
}

/// Replaces the dataset and resets the views over it, keeping the pane the user was on.
fn install(state: &mut State, data: Dataset) {
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
    let height = table_height(state.size);
    let finding_by_id: std::collections::HashMap<&str, usize> = data
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let remap = |i: usize| {
        old.findings
            .get(i)
            .and_then(|f| finding_by_id.get(f.id.as_str()).copied())
    };
    let remap_res = |i: usize| {
        old.resources
            .resources
            .get(i)
            .and_then(|r| data.resources.by_arn.get(&r.arn).copied())
    };
    for stack in &mut state.stacks {
        let mut kept: Vec<View> = Vec::with_capacity(stack.len());
        for view in stack.drain(..) {
            let next = match view {
                View::Overview(o) => Some(View::Overview(o)),
                View::Findings(l) => {
                    let scope = match &l.scope {
                        Scope::Ids(ids) => {
                            Scope::Ids(ids.iter().filter_map(|&i| remap(i)).collect())
                        }
                        other => other.clone(),
                    };
                    let selected = l.selected_finding().and_then(remap);
                    let mut n = FindingList::new(scope, &data, &search);
                    n.sort = l.sort;
                    n.descending = l.descending;
                    n.group = l.group;
                    n.show_closed = l.show_closed;
                    n.marked = l.marked.iter().filter_map(|&i| remap(i)).collect();
                    n.rebuild(&data, &search);
                    n.set_filter(&l.filter.text, &data, &search);
                    if let Some(sel) = selected {
                        let pos = match n.group {
                            GroupMode::None => n.rows.iter().position(|&i| i == sel),
                            _ => n.groups.iter().position(|g| g.members.contains(&sel)),
                        };
                        n.cursor.selected = pos.unwrap_or(0);
                    }
                    n.cursor.offset = l.cursor.offset;
                    let len = n.len();
                    n.cursor.fit(len, height);
                    Some(View::Findings(Box::new(n)))
                }
                View::Detail(d) => {
                    remap(d.finding).map(|finding| View::Detail(DetailView { finding, ..d }))
                }
                View::Resource(r) => remap_res(r.resource)
                    .map(|resource| View::Resource(ResourceView { resource, ..r })),
                View::Resources(l) => {
                    let mut n = resources_list(&data, &l.filter);
                    n.cursor = l.cursor;
                    n.cursor.fit(n.rows.len(), height);
                    Some(View::Resources(n))
                }
                View::Journal(l) => Some(View::Journal(l)),
                View::Incident => Some(View::Incident),
                View::Iam(iv) => {
                    let mut list = iam_list(&data, iv.tab, &iv.list.filter);
                    list.cursor = iv.list.cursor;
                    list.cursor.fit(list.rows.len(), height);
                    Some(View::Iam(IamView { tab: iv.tab, list }))
                }
            };
            match next {
                Some(v) => kept.push(v),
                None => break,
            }
        }
        *stack = kept;
    }
    if state.stacks.iter().any(|s| s.is_empty()) {
        reset_stacks(state);
    }
}

fn reset_stacks(state: &mut State) {
    let Some(data) = state.data.clone() else {
        return;
    };
    let height = table_height(state.size);
    let mut findings = FindingList::new(Scope::All, &data, &state.search);
    findings.cursor.fit(findings.len(), height);
    state.stacks = [
        vec![View::Overview(OverviewView::default())],
        vec![View::Findings(Box::new(findings))],
        vec![View::Resources(resources_list(&data, ""))],
        vec![View::Iam(IamView {
            tab: IamTab::Users,
            list: iam_list(&data, IamTab::Users, ""),
        })],
    ];
}

fn refit(v: &mut View, height: usize) {
    match v {
        View::Findings(l) => {
            let len = l.len();
            l.cursor.fit(len, height)
        }
        View::Resources(l) => l.cursor.fit(l.rows.len(), height),
        View::Iam(i) => i.list.cursor.fit(i.list.rows.len(), height),
        _ => {}
    }
}

pub(crate) fn normal_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(action) = keymap::lookup(&key) else {
        return vec![];
    };
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Help => {
            state.mode = Mode::Help { scroll: 0 };
            return vec![];
        }
        Action::Command => {
            state.mode = Mode::Command(String::new());
            return vec![];
        }
        Action::Refresh => {
            if let Some(effects) = session::refresh_needs_renewal(state) {
                return effects;
            }
            state.info("reloading…");
            return vec![Effect::Reload];
        }
        Action::Act => return act::open_menu(state),
        Action::Undo => return act::undo_last(state),
        _ => {}
    }
    let Some(data) = state.data.clone() else {
        return vec![];
    };
    let height = table_height(state.size);
    match action {
        Action::NextPane | Action::PrevPane => {
            let i = state.pane.index();
            let n = Pane::ALL.len();
            let j = if action == Action::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            state.pane = Pane::ALL[j];
            state.status = None;
        }
        Action::Back => {
            let stack = &mut state.stacks[state.pane.index()];
            if stack.len() > 1 {
                stack.pop();
            } else if state.pane != Pane::Overview {
                state.pane = Pane::Overview;
            }
        }
        Action::Filter => {
            let current = match state.view() {
                Some(View::Findings(l)) => Some(l.filter.text.clone()),
                Some(View::Resources(l)) => Some(l.filter.clone()),
                Some(View::Iam(i)) => Some(i.list.filter.clone()),
                _ => None,
            };
            match current {
                Some(text) => state.mode = Mode::Filter(text),
                None => state.warn(
                    "nothing to filter here: / works on the findings, resources and IAM tables",
                ),
            }
        }
        _ => {
            let effects = view_action(state, &data, action, height);
            return effects;
        }
    }
    vec![]
}

fn move_cursor(cursor: &mut Cursor, action: Action, len: usize, height: usize) -> bool {
    match action {
        Action::Down => cursor.step(1, len, height),
        Action::Up => cursor.step(-1, len, height),
        Action::PageDown => cursor.step(height as isize, len, height),
        Action::PageUp => cursor.step(-(height as isize), len, height),
        Action::Top => cursor.step(-(len as isize), len, height),
        Action::Bottom => cursor.step(len as isize, len, height),
        _ => return false,
    }
    true
}

fn view_action(
    state: &mut State,
    data: &Arc<Dataset>,
    action: Action,
    height: usize,
) -> Vec<Effect> {
    let search = state.search.clone();
    let mut push: Option<View> = None;
    let mut effects = vec![];
    let mut message: Option<(Level, String)> = None;
    let summary_items = state.summary.items.clone();
    let items = summary_items.len();
    let Some(view) = state.stacks[state.pane.index()].last_mut() else {
        return vec![];
    };
    match view {
        View::Incident => return vec![],
        View::Journal(l) => {
            let len = l.rows.len();
            if move_cursor(&mut l.cursor, action, len, height) {
                return vec![];
            }
            if action == Action::Enter {
                let l = l.clone();
                return act::journal_enter(state, &l);
            }
            return vec![];
        }
        View::Overview(o) => match action {
            Action::Down => o.cursor = (o.cursor + 1).min(items.saturating_sub(1)),
            Action::Up => o.cursor = o.cursor.saturating_sub(1),
            Action::Top => o.cursor = 0,
            Action::Bottom => o.cursor = items.saturating_sub(1),
            Action::Left => o.column = o.column.saturating_sub(1),
            Action::Right => o.column = (o.column + 1).min(Source::ALL.len()),
            Action::Enter => {
                let item = summary_items.get(o.cursor).cloned();
                push = match item {
                    Some(OverviewItem::Severity(sev)) => {
                        let src = o.column.checked_sub(1).map(|c| Source::ALL[c]);
                        Some(findings_view(
                            Scope::Severity(sev, src),
                            data,
                            &search,
                            height,
                        ))
                    }
                    Some(OverviewItem::Region(r)) => {
                        Some(findings_view(Scope::Region(r), data, &search, height))
                    }
                    Some(OverviewItem::Resource(ri)) => Some(View::Resource(ResourceView {
                        resource: ri,
                        cursor: Cursor::default(),
                    })),
                    Some(OverviewItem::Kind(k)) => {
                        Some(findings_view(Scope::Kind(k), data, &search, height))
                    }
                    Some(OverviewItem::Posture) => Some(findings_view(
                        Scope::Source(Source::Posture),
                        data,
                        &search,
                        height,
                    )),
                    None => None,
                };
            }
            _ => {}
        },
        View::Findings(l) => {
            let len = l.len();
            if move_cursor(&mut l.cursor, action, len, height) {
                return vec![];
            }
            match action {
                Action::Enter => {
                    if let Some(g) = l.selected_group() {
                        push = Some(if g.members.len() == 1 {
                            View::Detail(DetailView {
                                finding: g.members[0],
                                scroll: 0,
                                raw: false,
                            })
                        } else {
                            findings_view(Scope::Ids(g.members.clone()), data, &search, height)
                        });
                    } else if let Some(i) = l.selected_finding() {
                        push = Some(View::Detail(DetailView {
                            finding: i,
                            scroll: 0,
                            raw: false,
                        }));
                    }
                }
                Action::RawJson => {
                    if let Some(i) = l.selected_finding() {
                        push = Some(View::Detail(DetailView {
                            finding: i,
                            scroll: 0,
                            raw: true,
                        }));
                    }
                }
                Action::Sort => {
                    l.sort = l.sort.next();
                    l.rebuild(data, &search);
                    l.cursor = Cursor::default();
                    message = Some((Level::Info, format!("sorted by {}", l.sort.label())));
                }
                Action::ReverseSort => {
                    l.descending = !l.descending;
                    l.rebuild(data, &search);
                    l.cursor = Cursor::default();
                    let dir = if l.descending {
                        "descending"
                    } else {
                        "ascending"
                    };
                    message = Some((Level::Info, format!("sorted by {} ({dir})", l.sort.label())));
                }
                Action::Group => {
                    l.group = l.group.next();
                    l.rebuild(data, &search);
                    l.cursor = Cursor::default();
                    message = Some((Level::Info, format!("grouped by {}", l.group.label())));
                }
                Action::ToggleClosed => {
                    l.show_closed = !l.show_closed;
                    l.rebuild(data, &search);
                    l.cursor.fit(l.len(), height);
                    let what = if l.show_closed { "showing" } else { "hiding" };
                    message = Some((
                        Level::Info,
                        format!("{what} resolved, suppressed and archived findings"),
                    ));
                }
                Action::Mark => {
                    if let Some(i) = l.selected_finding() {
                        let members = l
                            .selected_group()
                            .map(|g| g.members.clone())
                            .unwrap_or_else(|| vec![i]);
                        let unmark = members.iter().all(|m| l.marked.contains(m));
                        for m in members {
                            if unmark {
                                l.marked.remove(&m);
                            } else {
                                l.marked.insert(m);
                            }
                        }
                        let len = l.len();
                        l.cursor.step(1, len, height);
                        message = Some((Level::Info, format!("{} marked", l.marked.len())));
                    }
                }
                Action::CopyArn | Action::ConsoleUrl => {
                    if let Some(i) = l.selected_finding() {
                        effects = copy_for_finding(data, i, action, &mut message);
                    }
                }
                _ => {}
            }
        }
        View::Detail(d) => match action {
            Action::Down => d.scroll = d.scroll.saturating_add(1),
            Action::Up => d.scroll = d.scroll.saturating_sub(1),
            Action::PageDown => d.scroll = d.scroll.saturating_add(height as u16),
            Action::PageUp => d.scroll = d.scroll.saturating_sub(height as u16),
            Action::Top => d.scroll = 0,
            Action::Bottom => d.scroll = u16::MAX / 2,
            Action::RawJson => {
                d.raw = !d.raw;
                d.scroll = 0;
            }
            Action::Enter => {
                let f = &data.findings[d.finding];
                match f
                    .primary_resource()
                    .and_then(|r| data.resources.by_arn.get(&r.arn))
                {
                    Some(&ri) => {
                        push = Some(View::Resource(ResourceView {
                            resource: ri,
                            cursor: Cursor::default(),
                        }))
                    }
                    None => message = Some((Level::Warn, "this finding names no resource".into())),
                }
            }
            Action::CopyArn | Action::ConsoleUrl => {
                effects = copy_for_finding(data, d.finding, action, &mut message);
            }
            _ => {}
        },
        View::Resource(r) => {
            let Some(res) = data.resources.resources.get(r.resource) else {
                return vec![];
            };
            let len = res.findings.len();
            if move_cursor(&mut r.cursor, action, len, height) {
                return vec![];
            }
            match action {
                Action::Enter | Action::RawJson => {
                    if let Some(&fi) = res.findings.get(r.cursor.selected) {
                        push = Some(View::Detail(DetailView {
                            finding: fi,
                            scroll: 0,
                            raw: action == Action::RawJson,
                        }));
                    }
                }
                Action::CopyArn => {
                    effects = vec![Effect::Copy(res.arn.clone())];
                    message = Some((Level::Info, format!("copied {}", res.arn)));
                }
                Action::ConsoleUrl => {
                    match console::resource_url(&res.arn, &res.kind, res.region.as_deref()) {
                        Ok(u) => {
                            message = Some((Level::Info, format!("console URL copied: {u}")));
                            effects = vec![Effect::Copy(u)];
                        }
                        Err(why) => message = Some((Level::Warn, why)),
                    }
                }
                _ => {}
            }
        }
        View::Resources(l) => {
            if move_cursor(&mut l.cursor, action, l.rows.len(), height) {
                return vec![];
            }
            if let Some(&ri) = l.rows.get(l.cursor.selected) {
                let res = &data.resources.resources[ri];
                match action {
                    Action::Enter => {
                        push = Some(View::Resource(ResourceView {
                            resource: ri,
                            cursor: Cursor::default(),
                        }))
                    }
                    Action::CopyArn => {
                        effects = vec![Effect::Copy(res.arn.clone())];
                        message = Some((Level::Info, format!("copied {}", res.arn)));
                    }
                    Action::ConsoleUrl => {
                        match console::resource_url(&res.arn, &res.kind, res.region.as_deref()) {
                            Ok(u) => {
                                message = Some((Level::Info, format!("console URL copied: {u}")));
                                effects = vec![Effect::Copy(u)];
                            }
                            Err(why) => message = Some((Level::Warn, why)),
                        }
                    }
                    _ => {}
                }
            }
        }
        View::Iam(iv) => {
            if move_cursor(&mut iv.list.cursor, action, iv.list.rows.len(), height) {
                return vec![];
            }
            match action {
                Action::Left | Action::Right => {
                    let i = IamTab::ALL.iter().position(|t| *t == iv.tab).unwrap_or(0);
                    let n = IamTab::ALL.len();
                    let j = if action == Action::Right {
                        (i + 1) % n
                    } else {
                        (i + n - 1) % n
                    };
                    iv.tab = IamTab::ALL[j];
                    iv.list = iam_list(data, iv.tab, "");
                }
                Action::Enter | Action::CopyArn | Action::ConsoleUrl => {
                    if let Some(arn) = iam_arn(
                        data,
                        iv.tab,
                        iv.list.rows.get(iv.list.cursor.selected).copied(),
                    ) {
                        match action {
                            Action::Enter => match data.resources.by_arn.get(&arn) {
                                Some(&ri) => {
                                    push = Some(View::Resource(ResourceView {
                                        resource: ri,
                                        cursor: Cursor::default(),
                                    }))
                                }
                                None => {
                                    message = Some((
                                        Level::Warn,
                                        format!("{arn} is not in the resource index"),
                                    ))
                                }
                            },
                            Action::CopyArn => {
                                message = Some((Level::Info, format!("copied {arn}")));
                                effects = vec![Effect::Copy(arn)];
                            }
                            _ => {
                                let kind = match iv.tab {
                                    IamTab::Users => "AwsIamUser",
                                    IamTab::Roles => "AwsIamRole",
                                    IamTab::Groups => "AwsIamGroup",
                                    IamTab::Policies => "AwsIamPolicy",
                                };
                                match console::resource_url(&arn, kind, None) {
                                    Ok(u) => {
                                        message =
                                            Some((Level::Info, format!("console URL copied: {u}")));
                                        effects = vec![Effect::Copy(u)];
                                    }
                                    Err(why) => message = Some((Level::Warn, why)),
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(v) = push {
        state.stacks[state.pane.index()].push(v);
    }
    if let Some((level, text)) = message {
        state.status = Some(Status { text, level });
    }
    effects
}

fn copy_for_finding(
    data: &Dataset,
    i: usize,
    action: Action,
    message: &mut Option<(Level, String)>,
) -> Vec<Effect> {
    let f = &data.findings[i];
    if action == Action::CopyArn {
        return match f.primary_resource() {
            Some(r) => {
                *message = Some((Level::Info, format!("copied {}", r.arn)));
                vec![Effect::Copy(r.arn.clone())]
            }
            None => {
                *message = Some((Level::Warn, "this finding names no resource".into()));
                vec![]
            }
        };
    }
    match console::finding_url(f) {
        Ok(u) => {
            *message = Some((Level::Info, format!("console URL copied: {u}")));
            vec![Effect::Copy(u)]
        }
        Err(why) => {
            *message = Some((Level::Warn, why));
            vec![]
        }
    }
}

fn findings_view(scope: Scope, data: &Dataset, search: &SearchIndex, height: usize) -> View {
    let mut l = FindingList::new(scope, data, search);
    l.cursor.fit(l.len(), height);
    View::Findings(Box::new(l))
}

/// Resources pane rows: substring match on name, ARN and type.
pub fn resources_list(data: &Dataset, filter: &str) -> SimpleList {
    let q = filter.to_ascii_lowercase();
    let rows = data
        .resources
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            q.is_empty()
                || q.split_whitespace().all(|w| {
                    r.name.to_ascii_lowercase().contains(w)
                        || r.arn.to_ascii_lowercase().contains(w)
                        || r.kind.to_ascii_lowercase().contains(w)
                })
        })
        .map(|(i, _)| i)
        .collect();
    SimpleList {
        filter: filter.to_string(),
        rows,
        cursor: Cursor::default(),
    }
}

/// IAM tab rows: indexes into the inventory list of that tab.
pub fn iam_list(data: &Dataset, tab: IamTab, filter: &str) -> SimpleList {
    let q = filter.to_ascii_lowercase();
    let Some(iam) = &data.iam else {
        return SimpleList {
            filter: filter.to_string(),
            ..Default::default()
        };
    };
    let names: Vec<(&str, &str)> = match tab {
        IamTab::Users => iam
            .user_detail_list
            .iter()
            .map(|u| (u.user_name.as_str(), u.arn.as_str()))
            .collect(),
        IamTab::Roles => iam
            .role_detail_list
            .iter()
            .map(|r| (r.role_name.as_str(), r.arn.as_str()))
            .collect(),
        IamTab::Groups => iam
            .group_detail_list
            .iter()
            .map(|g| (g.group_name.as_str(), g.arn.as_str()))
            .collect(),
        IamTab::Policies => iam
            .policies
            .iter()
            .map(|p| (p.policy_name.as_str(), p.arn.as_str()))
            .collect(),
    };
    let rows = names
        .iter()
        .enumerate()
        .filter(|(_, (n, a))| {
            q.is_empty()
                || q.split_whitespace().all(|w| {
                    n.to_ascii_lowercase().contains(w) || a.to_ascii_lowercase().contains(w)
                })
        })
        .map(|(i, _)| i)
        .collect();
    SimpleList {
        filter: filter.to_string(),
        rows,
        cursor: Cursor::default(),
    }
}

fn iam_arn(data: &Dataset, tab: IamTab, row: Option<usize>) -> Option<String> {
    let iam = data.iam.as_ref()?;
    let i = row?;
    Some(match tab {
        IamTab::Users => iam.user_detail_list.get(i)?.arn.clone(),
        IamTab::Roles => iam.role_detail_list.get(i)?.arn.clone(),
        IamTab::Groups => iam.group_detail_list.get(i)?.arn.clone(),
        IamTab::Policies => iam.policies.get(i)?.arn.clone(),
    })
}

/// Line-editing shared by the filter and command prompts. Returns false for keys it ignores.
fn edit(text: &mut String, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
        KeyCode::Char('w') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            let trimmed = text.trim_end().len();
            let cut = text[..trimmed].rfind(' ').map(|i| i + 1).unwrap_or(0);
            text.truncate(cut);
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}

fn filter_key(state: &mut State, key: KeyEvent, mut text: String) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            return vec![];
        }
        KeyCode::Esc => {
            text.clear();
            state.mode = Mode::Normal;
        }
        _ => {
            if !edit(&mut text, &key) {
                return vec![];
            }
            state.mode = Mode::Filter(text.clone());
        }
    }
    apply_filter(state, &text);
    vec![]
}

fn apply_filter(state: &mut State, text: &str) {
    let Some(data) = state.data.clone() else {
        return;
    };
    let search = state.search.clone();
    let height = table_height(state.size);
    let mut warn = None;
    match state.view_mut() {
        Some(View::Findings(l)) => {
            l.set_filter(text, &data, &search);
            l.cursor.fit(l.len(), height);
            if !l.filter.errors.is_empty() {
                warn = Some(l.filter.errors.join("; "));
            }
        }
        Some(View::Resources(l)) => *l = resources_list(&data, text),
        Some(View::Iam(iv)) => iv.list = iam_list(&data, iv.tab, text),
        _ => {}
    }
    match warn {
        Some(w) => state.warn(format!("filter: {w}")),
        None => {
            if matches!(state.status, Some(Status { level: Level::Warn, ref text }) if text.starts_with("filter:"))
            {
                state.status = None;
            }
        }
    }
}

fn command_key(state: &mut State, key: KeyEvent, mut text: String) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            return run_command(state, text.trim());
        }
        KeyCode::Tab => {
            let names: Vec<&str> = keymap::COMMANDS
                .iter()
                .flat_map(|(c, _)| c.split(", "))
                .map(|c| c.split(' ').next().unwrap_or(c))
                .filter(|c| c.starts_with(text.as_str()))
                .collect();
            if let [one] = names.as_slice() {
                state.mode = Mode::Command(format!("{one} "));
            } else if !names.is_empty() {
                state.info(names.join("  "));
            }
        }
        _ => {
            if edit(&mut text, &key) {
                state.mode = Mode::Command(text);
            }
        }
    }
    vec![]
}

/// Runs a `:` command. Public so tests and the CLI's `--command` can drive it.
pub fn run_command(state: &mut State, cmd: &str) -> Vec<Effect> {
    let mut words = cmd.split_whitespace();
    let Some(name) = words.next() else {
        return vec![];
    };
    let arg = words.next();
    match name {
        "q" | "quit" | "q!" => return vec![Effect::Quit],
        "help" | "h" => {
            state.mode = Mode::Help { scroll: 0 };
            return vec![];
        }
        _ => {}
    }
    let Some(data) = state.data.clone() else {
        state.warn("no data loaded yet");
        return vec![];
    };
    let search = state.search.clone();
    let height = table_height(state.size);
    let source_scope = |s: Source| findings_view(Scope::Source(s), &data, &search, height);
    match name {
        "overview" | "o" => state.pane = Pane::Overview,
        "findings" | "f" => {
            state.pane = Pane::Findings;
            state.stacks[1].truncate(1);
        }
        "resources" | "res" => state.pane = Pane::Resources,
        "iam" => state.pane = Pane::Iam,
        "journal" | "j" => act::open_journal(state),
        "incident" | "inc" => return incident::start_from_selection(state, arg),
        "posture" | "guardduty" | "gd" | "securityhub" | "sh" | "accessanalyzer" | "aa" => {
            let src = match name {
                "posture" => Source::Posture,
                "guardduty" | "gd" => Source::GuardDuty,
                "securityhub" | "sh" => Source::SecurityHub,
                _ => Source::AccessAnalyzer,
            };
            state.pane = Pane::Findings;
            state.stacks[1].truncate(1);
            state.stacks[1].push(source_scope(src));
        }
        "region" => match arg {
            Some(r)
                if data.regions.iter().any(|x| x == r)
                    || data.findings.iter().any(|f| f.region == r) =>
            {
                state.pane = Pane::Findings;
                state.stacks[1].truncate(1);
                state.stacks[1].push(findings_view(
                    Scope::Region(r.to_string()),
                    &data,
                    &search,
                    height,
                ));
            }
            Some(r) => state.error(format!(
                "unknown region {r:?}; loaded: {}",
                data.regions.join(", ")
            )),
            None => state.error(format!(
                ":region needs a region; loaded: {}",
                data.regions.join(", ")
            )),
        },
        "sort" | "group" => {
            let Some(View::Findings(l)) = state.view_mut() else {
                state.warn(format!(":{name} works on a findings table"));
                return vec![];
            };
            if name == "sort" {
                match arg.and_then(SortKey::parse) {
                    Some(k) => l.sort = k,
                    None => {
                        state.error("usage: :sort severity|time|source|resource");
                        return vec![];
                    }
                }
            } else {
                match arg.and_then(GroupMode::parse) {
                    Some(g) => l.group = g,
                    None => {
                        state.error("usage: :group none|control|resource");
                        return vec![];
                    }
                }
            }
            l.rebuild(&data, &search);
            l.cursor = Cursor::default();
        }
        other => state.error(format!("unknown command :{other} (press ? for the list)")),
    }
    vec![]
}

fn help_key(state: &mut State, key: KeyEvent, scroll: u16) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
            state.mode = Mode::Normal
        }
        KeyCode::Char('j') | KeyCode::Down => {
            state.mode = Mode::Help {
                scroll: scroll.saturating_add(1),
            }
        }
        KeyCode::Char('k') | KeyCode::Up => {
            state.mode = Mode::Help {
                scroll: scroll.saturating_sub(1),
            }
        }
        KeyCode::Char('g') | KeyCode::Home => state.mode = Mode::Help { scroll: 0 },
        _ => {}
    }
    vec![]
}
