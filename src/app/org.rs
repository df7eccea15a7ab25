//! The console over an AWS Organization (`guardpost --org`): every account's dataset as it
//! arrives, the Accounts pane's rows, and `:account` switching the whole console to one
//! account (like k9s' `:ctx`) or back to all of them.
use super::state::{Effect, Pane, State};
use super::views::View;
use super::views::accounts::AccountsView;
use crate::dataset::Dataset;
use crate::model::org::{AccountRef, OrgAccount, OrgMembership};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Every account of the organization and which one the console shows.
#[derive(Debug, Clone, Default)]
pub struct OrgConsole {
    pub organization: Option<String>,
    pub rows: Vec<AccountRow>,
    /// The account on screen; `None`: all accounts.
    pub current: Option<String>,
    /// When the all-accounts view was last rebuilt, and whether an account arrived since.
    /// While an organization loads, the view is rebuilt at most once per [`MERGE_EVERY`]
    /// (each rebuild copies and indexes every finding read so far: rebuilding it for each of
    /// 200 arrivals would be quadratic work on the UI thread).
    pub merged_at: Option<DateTime<Utc>>,
    pub merge_due: bool,
}

/// How often the all-accounts view follows arriving accounts (the Accounts pane's rows follow
/// each one at once).
pub const MERGE_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

#[derive(Debug, Clone)]
pub struct AccountRow {
    pub account: OrgAccount,
    pub load: AccountLoad,
}

/// One account's state in the console.
#[derive(Debug, Clone)]
pub enum AccountLoad {
    Waiting,
    Read {
        data: Arc<Dataset>,
        /// Its part of the cross-account analysis (who can become admin where).
        reach: Arc<crate::posture::cross_account::AccountReach>,
        /// Open findings by severity, worst first.
        open: [usize; 5],
        score: u8,
        /// `complete`, or what was not read.
        coverage: String,
        at: DateTime<Utc>,
    },
    /// Not read (role missing or denied, suspended...): the reason.
    Unknown {
        reason: String,
        at: DateTime<Utc>,
    },
}

impl AccountLoad {
    pub fn label(&self) -> &'static str {
        match self {
            AccountLoad::Waiting => "reading",
            AccountLoad::Read { .. } => "read",
            AccountLoad::Unknown { .. } => "UNKNOWN",
        }
    }
}

impl OrgConsole {
    pub fn row(&self, id: &str) -> Option<&AccountRow> {
        self.rows.iter().find(|r| r.account.id == id)
    }

    /// The account a user names: an id, a name (case-insensitive), else a unique prefix of
    /// either.
    pub fn find(&self, want: &str) -> Result<&AccountRow, String> {
        let w = want.to_ascii_lowercase();
        if let Some(r) = self
            .rows
            .iter()
            .find(|r| r.account.id == want || r.account.name.to_ascii_lowercase() == w)
        {
            return Ok(r);
        }
        let hits: Vec<&AccountRow> = self
            .rows
            .iter()
            .filter(|r| {
                r.account.id.starts_with(want)
                    || r.account.name.to_ascii_lowercase().starts_with(&w)
            })
            .collect();
        match hits.as_slice() {
            [one] => Ok(one),
            [] => Err(format!(
                "no account {want:?} in the organization (:account * shows all; the Accounts pane lists them)"
            )),
            many => Err(format!(
                "{want:?} matches {} accounts: {}",
                many.len(),
                many.iter()
                    .take(5)
                    .map(|r| r.account.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// `payments (222233334444)`, or the id alone.
    pub fn label(&self, id: &str) -> String {
        match self.row(id) {
            Some(r) if !r.account.name.is_empty() => format!("{} ({id})", r.account.name),
            _ => id.to_string(),
        }
    }

    fn membership(&self) -> OrgMembership {
        OrgMembership {
            organization_id: self.organization.clone(),
            management_account: None,
            ou_path: String::new(),
            accounts: self
                .rows
                .iter()
                .map(|r| AccountRef {
                    id: r.account.id.clone(),
                    name: r.account.name.clone(),
                })
                .collect(),
            scps: None,
            scp_error: None,
        }
    }

    /// The "all accounts" dataset: every account read so far, and the unknown ones as
    /// problems.
    pub fn merged(&self) -> Dataset {
        let mut parts = Vec::new();
        let mut unknown = Vec::new();
        for r in &self.rows {
            match &r.load {
                AccountLoad::Read { data, .. } => parts.push(data.clone()),
                AccountLoad::Unknown { reason, .. } => {
                    unknown.push((self.label(&r.account.id), reason.clone()))
                }
                AccountLoad::Waiting => {}
            }
        }
        let label = match &self.organization {
            Some(o) => format!("{o} · all {} accounts", self.rows.len()),
            None => format!("all {} accounts", self.rows.len()),
        };
        let mut merged = Dataset::merge_accounts(&label, &parts, &unknown, Some(self.membership()));
        // Who can become admin in another account: known once every account is in.
        if self.pending() == 0 {
            let reach: Vec<&crate::posture::cross_account::AccountReach> = self
                .rows
                .iter()
                .filter_map(|r| match &r.load {
                    AccountLoad::Read { reach, .. } => Some(reach.as_ref()),
                    _ => None,
                })
                .collect();
            let name_of = |id: &str| self.label(id);
            merged
                .findings
                .extend(crate::posture::cross_account::findings(
                    &reach,
                    &name_of,
                    merged.captured_at,
                ));
            merged.resources = crate::merge::ResourceIndex::build(&merged.findings, None);
        }
        merged
    }

    /// Accounts read (their data is in).
    pub fn read_count(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.load, AccountLoad::Read { .. }))
            .count()
    }

    /// Accounts not read (yet, or at all).
    pub fn pending(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.load, AccountLoad::Waiting))
            .count()
    }
}

/// The organization is listed: its accounts appear (reading), and the console opens on the
/// Accounts pane with the (still empty) all-accounts view.
pub fn listed(
    state: &mut State,
    organization: Option<String>,
    accounts: Vec<OrgAccount>,
    note: Option<String>,
) {
    let n = accounts.len();
    state.org = Some(OrgConsole {
        organization,
        rows: accounts
            .into_iter()
            .map(|account| AccountRow {
                account,
                load: AccountLoad::Waiting,
            })
            .collect(),
        current: None,
        merged_at: None,
        merge_due: false,
    });
    let merged = state.org.as_ref().map(OrgConsole::merged);
    if let Some(d) = merged {
        super::install(state, d);
    }
    state.pane = Pane::Accounts;
    refresh_rows(state);
    state.loading = Some(format!("reading {n} accounts"));
    match note {
        Some(n) => state.warn(n),
        None => state.info(format!("{n} accounts in the organization; reading each")),
    }
}

/// One account's read finished.
pub fn account_read(
    state: &mut State,
    id: String,
    result: Result<Box<Dataset>, String>,
    at: DateTime<Utc>,
) {
    let Some(org) = state.org.as_mut() else {
        return;
    };
    let Some(row) = org.rows.iter_mut().find(|r| r.account.id == id) else {
        return;
    };
    let label = if row.account.name.is_empty() {
        id.clone()
    } else {
        format!("{} ({id})", row.account.name)
    };
    let mut show = None;
    row.load = match result {
        Ok(data) => {
            let summary = super::Summary::build(&data);
            let t = summary.total;
            let data: Arc<Dataset> = Arc::from(data);
            let coverage = match data.coverage.summary_line() {
                Some(line) if !data.coverage.is_complete() => line,
                _ => "complete".to_string(),
            };
            if org.current.as_deref() == Some(id.as_str()) {
                show = Some(data.clone());
            }
            AccountLoad::Read {
                reach: Arc::new(data.reach()),
                // Severity::ALL order, critical first.
                open: t,
                score: summary.posture.score,
                coverage,
                data,
                at,
            }
        }
        Err(reason) => {
            state.status = Some(super::Status::warn(format!(
                "account {label} could not be read: {reason}"
            )));
            AccountLoad::Unknown { reason, at }
        }
    };
    let pending = org.pending();
    if org.current.is_none() {
        // The last account, or the first in a while, shows at once; the others at the next tick.
        // Not while the Accounts pane is on screen: its rows do not need the merged view, which
        // is brought up to date when the user leaves the pane (`left_accounts`).
        let now = org
            .merged_at
            .is_none_or(|t| at - t >= MERGE_EVERY || pending == 0);
        org.merge_due = true;
        if now && state.pane != Pane::Accounts {
            show_all(state, at);
        }
    } else if let Some(d) = show {
        super::install(state, (*d).clone());
    }
    state.loading = (pending > 0).then(|| format!("{pending} accounts still reading"));
    refresh_rows(state);
}

/// The clock ticked: accounts that arrived since the all-accounts view was last rebuilt join it.
pub fn tick(state: &mut State, now: DateTime<Utc>) {
    if state.pane != Pane::Accounts {
        catch_up(state, now);
    }
}

/// The user left the Accounts pane: accounts that arrived meanwhile join the all-accounts view.
pub fn left_accounts(state: &mut State) {
    let at = state.now.unwrap_or(DateTime::<Utc>::MIN_UTC);
    catch_up(state, at);
}

/// Rebuilds the all-accounts view if accounts arrived since it was last built. Neither the
/// loading line nor the status line changes (a timer or a pane switch announces nothing).
fn catch_up(state: &mut State, at: DateTime<Utc>) {
    if state
        .org
        .as_ref()
        .is_some_and(|o| o.merge_due && o.current.is_none())
    {
        let (loading, status) = (state.loading.clone(), state.status.clone());
        show_all(state, at);
        (state.loading, state.status) = (loading, status);
    }
}

/// Rebuilds and shows the all-accounts view, keeping a warning on the status line (installing
/// announces the finding count).
fn show_all(state: &mut State, at: DateTime<Utc>) {
    let Some(org) = state.org.as_mut() else {
        return;
    };
    org.merged_at = Some(at);
    org.merge_due = false;
    let merged = org.merged();
    let status = state.status.clone();
    super::install(state, merged);
    org_score(state);
    if status
        .as_ref()
        .is_some_and(|s| s.level != super::Level::Info)
    {
        state.status = status;
    }
}

/// The all-accounts overview's posture: rule by rule over every account read (a merged
/// dataset has no IAM inventory to judge IAM rules by).
fn org_score(state: &mut State) {
    let Some(org) = &state.org else { return };
    let parts: Vec<&Dataset> = org
        .rows
        .iter()
        .filter_map(|r| match &r.load {
            AccountLoad::Read { data, .. } => Some(data.as_ref()),
            _ => None,
        })
        .collect();
    state.summary.posture = super::views::overview::org_posture(&parts);
}

/// Rebuilds the Accounts pane's rows (its filter kept).
fn refresh_rows(state: &mut State) {
    let Some(org) = &state.org else { return };
    let stack = &mut state.stacks[Pane::Accounts.index()];
    match stack.first_mut() {
        Some(View::Accounts(v)) => v.refresh(org),
        _ => {
            stack.clear();
            stack.push(View::Accounts(AccountsView::new(org)));
        }
    }
}

/// `:account ID|NAME|*` (and Enter on the Accounts pane): the whole console shows that
/// account, actions included (they run through its role), or every account with `*`.
pub fn switch(state: &mut State, want: &str) -> Vec<Effect> {
    let Some(org) = &state.org else {
        state.warn(":account needs an organization: start guardpost with --org");
        return vec![];
    };
    if want == "*" || want.eq_ignore_ascii_case("all") {
        let n = org.rows.len();
        if let Some(o) = state.org.as_mut() {
            o.current = None;
        }
        show_all(state, state.now.unwrap_or(DateTime::<Utc>::MIN_UTC));
        state.pane = Pane::Overview;
        state.info(format!(
            "all {n} accounts: findings side by side; IAM and actions need one account (:account ID)"
        ));
        return vec![Effect::UseAccount(None)];
    }
    let row = match org.find(want) {
        Ok(r) => r.clone(),
        Err(e) => {
            state.warn(e);
            return vec![];
        }
    };
    let label = org.label(&row.account.id);
    match row.load {
        AccountLoad::Waiting => {
            state.warn(format!("account {label} is still being read"));
            vec![]
        }
        AccountLoad::Unknown { reason, .. } => {
            state.warn(format!("account {label} could not be read: {reason}"));
            vec![]
        }
        AccountLoad::Read { data, .. } => {
            if let Some(o) = state.org.as_mut() {
                o.current = Some(row.account.id.clone());
            }
            super::install(state, (*data).clone());
            state.pane = Pane::Overview;
            state.info(format!("account {label}: x and u act in this account"));
            vec![Effect::UseAccount(Some(row.account.id.clone()))]
        }
    }
}

/// The console shows every account at once: actions need one (they run through that
/// account's role), so `x` and `u` say so instead of acting.
pub fn all_accounts_shown(state: &mut State) -> bool {
    if state.org.as_ref().is_some_and(|o| o.current.is_none()) {
        state.warn(
            "all accounts are shown: actions and playbooks run in one account, through its role (:account ID first)",
        );
        return true;
    }
    false
}

/// The runtime switched the account actions go to (`Effect::UseAccount`).
pub fn acting_as(
    state: &mut State,
    account: String,
    caller: Option<String>,
    read_only: Option<String>,
) {
    state.act.account = account;
    state.act.caller = caller;
    state.read_only = read_only.is_some();
    if let Some(why) = read_only {
        state.warn(format!("READ-ONLY in this account: {why}"));
    }
}

/// Enter on the Accounts pane: switch to the account under the cursor.
pub fn enter(state: &mut State) -> Vec<Effect> {
    let id = match (state.view(), &state.org) {
        (Some(View::Accounts(v)), Some(org)) => v.selected(org).map(|r| r.account.id.clone()),
        _ => None,
    };
    match id {
        Some(id) => switch(state, &id),
        None => vec![],
    }
}
