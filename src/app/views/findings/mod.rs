//! The findings table: the list model (`list`: scope → closed filter → sort → filter → groups),
//! the filter line (`query`), matching it (`search`), and the table's keys.
pub mod list;
pub mod query;
pub mod search;

use super::detail::DetailView;
use super::{Cx, Reaction, Remap, View, ViewBehaviour};
use crate::app::cursor::{Cursor, move_cursor};
use crate::app::keymap::{Action, Hint};
use crate::app::selection::Selection;
use crate::app::state::Status;
use crate::dataset::Dataset;
use list::{FindingList, GroupMode, Scope, SearchIndex};

/// "3 marked (2 hidden by the filter)".
fn marked_label(l: &FindingList) -> String {
    match l.marked_hidden() {
        0 => format!("{} marked", l.marked.len()),
        h => format!(
            "{} marked ({h} hidden by the filter; Ctrl-\\ clears the marks)",
            l.marked.len()
        ),
    }
}

/// A findings table over `scope`, its cursor fitted to the screen.
pub fn findings_view(scope: Scope, data: &Dataset, search: &SearchIndex, height: usize) -> View {
    let mut l = FindingList::new(scope, data, search);
    l.cursor.fit(l.len(), height);
    View::Findings(Box::new(l))
}

impl ViewBehaviour for Box<FindingList> {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let (data, search, height) = (cx.data, cx.search, cx.height);
        let l = self;
        let len = l.len();
        if move_cursor(&mut l.cursor, action, len, height) {
            return Reaction::default();
        }
        let info = |text: String| Reaction::status(Status::info(text));
        match action {
            Action::Enter => {
                if let Some(g) = l.selected_group() {
                    return Reaction::push(if g.members.len() == 1 {
                        View::Detail(DetailView::new(g.members[0], false))
                    } else {
                        findings_view(Scope::Ids(g.members.clone()), data, search, height)
                    });
                } else if let Some(i) = l.selected_finding() {
                    return Reaction::push(View::Detail(DetailView::new(i, false)));
                }
            }
            Action::RawJson => {
                if let Some(i) = l.selected_finding() {
                    return Reaction::push(View::Detail(DetailView::new(i, true)));
                }
            }
            Action::Sort => {
                l.sort = l.sort.next();
                l.rebuild(data, search);
                l.cursor = Cursor::default();
                return info(format!("sorted by {}", l.sort.label()));
            }
            Action::ReverseSort => {
                l.descending = !l.descending;
                l.rebuild(data, search);
                l.cursor = Cursor::default();
                let dir = if l.descending {
                    "descending"
                } else {
                    "ascending"
                };
                return info(format!("sorted by {} ({dir})", l.sort.label()));
            }
            Action::Group => {
                l.group = l.group.next();
                l.rebuild(data, search);
                l.cursor = Cursor::default();
                return info(format!("grouped by {}", l.group.label()));
            }
            Action::ToggleClosed => {
                l.show_closed = !l.show_closed;
                l.rebuild(data, search);
                l.cursor.fit(l.len(), height);
                let what = if l.show_closed { "showing" } else { "hiding" };
                return info(format!("{what} resolved, suppressed and archived findings"));
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
                    return info(marked_label(l));
                }
            }
            Action::ClearMarks => {
                let n = l.marked.len();
                l.marked.clear();
                return info(match n {
                    0 => "no marks to clear".to_string(),
                    n => format!("cleared {n} mark(s)"),
                });
            }
            _ => {}
        }
        Reaction::default()
    }

    fn carry_over(&self, cx: &Cx, remap: &Remap) -> Option<View> {
        let (data, search) = (cx.data, cx.search);
        let l = self;
        let scope = match &l.scope {
            Scope::Ids(ids) => Scope::Ids(ids.iter().filter_map(|&i| remap.finding(i)).collect()),
            other => other.clone(),
        };
        let selected = l.selected_finding().and_then(|i| remap.finding(i));
        let mut n = FindingList::new(scope, data, search);
        n.sort = l.sort;
        n.descending = l.descending;
        n.group = l.group;
        n.show_closed = l.show_closed;
        n.marked = l.marked.iter().filter_map(|&i| remap.finding(i)).collect();
        n.rebuild(data, search);
        n.set_filter(&l.filter.text, data, search);
        if let Some(sel) = selected {
            let pos = match n.group {
                GroupMode::None => n.rows.iter().position(|&i| i == sel),
                _ => n.groups.iter().position(|g| g.members.contains(&sel)),
            };
            n.cursor.selected = pos.unwrap_or(0);
        }
        n.cursor.offset = l.cursor.offset;
        let len = n.len();
        n.cursor.fit(len, cx.height);
        Some(View::Findings(Box::new(n)))
    }

    fn breadcrumb(&self, _data: &Dataset, base: bool) -> Option<String> {
        if base && self.scope == Scope::All {
            return None;
        }
        Some(self.scope.label())
    }

    fn selection(&self, _data: &Dataset) -> Selection {
        Selection {
            finding: self.selected_finding(),
            marked: self.marked.iter().copied().collect(),
            marked_hidden: self.marked_hidden(),
            ..Default::default()
        }
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(&[Action::Enter], "open"),
            Hint::Bound(&[Action::Filter], "filter"),
            Hint::Bound(&[Action::Sort], "sort"),
            Hint::Bound(&[Action::Group], "group"),
            Hint::Bound(&[Action::ToggleClosed], "closed"),
            Hint::Bound(&[Action::Mark], "mark"),
            Hint::Bound(&[Action::Act], "act"),
            Hint::Bound(&[Action::RawJson], "raw"),
            Hint::Bound(&[Action::Back], "back"),
            Hint::Bound(&[Action::Help], "help"),
        ]
    }

    fn refit(&mut self, height: usize) {
        let len = self.len();
        self.cursor.fit(len, height)
    }

    fn filter(&self) -> Option<String> {
        Some(self.filter.text.clone())
    }

    fn filter_problem(&self) -> Option<String> {
        (!self.filter.errors.is_empty()).then(|| self.filter.errors.join("; "))
    }

    fn set_filter(&mut self, cx: &Cx, text: &str) -> Option<String> {
        FindingList::set_filter(self, text, cx.data, cx.search);
        let len = self.len();
        self.cursor.fit(len, cx.height);
        self.filter_problem()
    }
}
