//! The Accounts pane (`--org`): every account of the organization with its open findings,
//! posture score and coverage, filled in as each account is read. Enter switches the console
//! to the account under the cursor (what `:account ID` does).
use super::{Cx, Reaction, Remap, SimpleList, View, ViewBehaviour, words_match};
use crate::app::cursor::move_cursor;
use crate::app::keymap::{Action, Hint};
use crate::app::org::{AccountRow, OrgConsole};
use crate::app::selection::Selection;
use crate::dataset::Dataset;

#[derive(Debug, Clone, Default)]
pub struct AccountsView {
    /// Rows index `OrgConsole::rows`.
    pub list: SimpleList,
}

impl AccountsView {
    pub fn new(org: &OrgConsole) -> AccountsView {
        let mut v = AccountsView::default();
        v.refresh(org);
        v
    }

    /// Re-applies the filter over the organization's rows, keeping the cursor's account.
    pub fn refresh(&mut self, org: &OrgConsole) {
        let keep = self.selected(org).map(|r| r.account.id.clone());
        self.list.rows = (0..org.rows.len())
            .filter(|&i| {
                let r = &org.rows[i];
                words_match(
                    &self.list.filter.to_ascii_lowercase(),
                    &[
                        &r.account.id,
                        &r.account.name,
                        &r.account.ou_path,
                        r.load.label(),
                    ],
                )
            })
            .collect();
        if let Some(id) = keep
            && let Some(k) = self
                .list
                .rows
                .iter()
                .position(|&i| org.rows[i].account.id == id)
        {
            self.list.cursor.selected = k;
        }
        if self.list.cursor.selected >= self.list.rows.len() {
            self.list.cursor.selected = self.list.rows.len().saturating_sub(1);
        }
    }

    pub fn selected<'a>(&self, org: &'a OrgConsole) -> Option<&'a AccountRow> {
        self.list
            .rows
            .get(self.list.cursor.selected)
            .and_then(|&i| org.rows.get(i))
    }
}

impl ViewBehaviour for AccountsView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        move_cursor(
            &mut self.list.cursor,
            action,
            self.list.rows.len(),
            cx.height,
        );
        Reaction::default()
    }

    fn carry_over(&self, _cx: &Cx, _remap: &Remap) -> Option<View> {
        // Rows index the organization, not the dataset: a new dataset changes nothing here.
        Some(View::Accounts(self.clone()))
    }

    fn breadcrumb(&self, _data: &Dataset, _base: bool) -> Option<String> {
        None
    }

    fn selection(&self, _data: &Dataset) -> Selection {
        Selection::default()
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(&[Action::Enter], "show this account"),
            Hint::Local(":account *", "all accounts"),
            Hint::Bound(&[Action::Filter], "filter"),
            Hint::Bound(&[Action::Refresh], "re-read failed/old"),
        ]
    }

    fn refit(&mut self, height: usize) {
        self.list.cursor.fit(self.list.rows.len(), height)
    }

    fn filter(&self) -> Option<String> {
        Some(self.list.filter.clone())
    }

    fn set_filter(&mut self, cx: &Cx, text: &str) -> Option<String> {
        self.list.filter = text.to_string();
        if let Some(org) = cx.org {
            self.refresh(org);
        }
        None
    }
}
