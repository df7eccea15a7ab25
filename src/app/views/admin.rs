//! `:who-can-admin`: every principal with a path to an administrator, shortest first; Enter
//! opens its page on the "can become" tree.
use super::paths::{AdminRow, admin_rows, admins, iam_caveat};
use super::resource::ResourceView;
use super::{Cx, Reaction, Remap, SimpleList, View, ViewBehaviour, words_match};
use crate::app::cursor::{Cursor, move_cursor};
use crate::app::keymap::{Action, Hint};
use crate::app::selection::{Principal, Selection};
use crate::app::state::Status;
use crate::dataset::Dataset;

#[derive(Debug, Clone, Default)]
pub struct WhoCanAdminView {
    /// Every principal with a path (`list.rows` index it).
    pub rows: Vec<AdminRow>,
    pub list: SimpleList,
    /// Principals that already are administrators.
    pub admins: usize,
    /// Why the list may be incomplete (IAM not read completely); `None` when it is complete.
    pub caveat: Option<String>,
}

impl WhoCanAdminView {
    pub fn new(data: &Dataset, filter: &str) -> WhoCanAdminView {
        let rows = admin_rows(data);
        let list = filtered(&rows, filter);
        WhoCanAdminView {
            rows,
            list,
            admins: admins(data),
            caveat: iam_caveat(data),
        }
    }

    pub fn selected(&self) -> Option<&AdminRow> {
        self.list
            .rows
            .get(self.list.cursor.selected)
            .and_then(|&i| self.rows.get(i))
    }
}

fn filtered(rows: &[AdminRow], filter: &str) -> SimpleList {
    let q = filter.to_ascii_lowercase();
    SimpleList {
        filter: filter.to_string(),
        rows: rows
            .iter()
            .enumerate()
            .filter(|(_, r)| words_match(&q, &[&r.arn, &r.method, &r.granted_by]))
            .map(|(i, _)| i)
            .collect(),
        cursor: Cursor::default(),
    }
}

impl ViewBehaviour for WhoCanAdminView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let len = self.list.rows.len();
        if move_cursor(&mut self.list.cursor, action, len, cx.height) {
            return Reaction::default();
        }
        match (action, self.selected()) {
            (Action::Enter, Some(r)) => match cx.data.resources.by_arn.get(&r.arn) {
                Some(&ri) => Reaction::push(View::Resource(ResourceView::can_become(ri))),
                None => Reaction::status(Status::warn(format!(
                    "{} is not in the resource index",
                    r.name
                ))),
            },
            _ => Reaction::default(),
        }
    }

    fn carry_over(&self, cx: &Cx, _remap: &Remap) -> Option<View> {
        let mut n = WhoCanAdminView::new(cx.data, &self.list.filter);
        // Stay on the same principal when it is still listed.
        let keep = self.selected().map(|r| r.arn.as_str());
        if let Some(pos) = n
            .list
            .rows
            .iter()
            .position(|&i| Some(n.rows[i].arn.as_str()) == keep)
        {
            n.list.cursor.selected = pos;
        }
        n.list.cursor.fit(n.list.rows.len(), cx.height);
        Some(View::WhoCanAdmin(n))
    }

    fn breadcrumb(&self, _data: &Dataset, _base: bool) -> Option<String> {
        Some("Who can admin".to_string())
    }

    fn selection(&self, data: &Dataset) -> Selection {
        Selection {
            principal: self.selected().map(|r| Principal {
                arn: r.arn.clone(),
                kind: data
                    .resources
                    .get(&r.arn)
                    .map(|res| res.kind.clone())
                    .unwrap_or_default(),
                region: None,
            }),
            ..Default::default()
        }
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(&[Action::Enter], "can become"),
            Hint::Bound(&[Action::Act], "act"),
            Hint::Bound(&[Action::Filter], "filter"),
            Hint::Bound(&[Action::CopyArn], "copy ARN"),
            Hint::Bound(&[Action::Back], "back"),
        ]
    }

    fn refit(&mut self, height: usize) {
        self.list.cursor.fit(self.list.rows.len(), height)
    }

    fn filter(&self) -> Option<String> {
        Some(self.list.filter.clone())
    }

    fn set_filter(&mut self, _cx: &Cx, text: &str) -> Option<String> {
        self.list = filtered(&self.rows, text);
        None
    }
}
