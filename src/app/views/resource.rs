//! A resource's page (its findings, and for an IAM principal its facts) and the resources pane.
use super::detail::DetailView;
use super::{Cx, Reaction, Remap, SimpleList, View, ViewBehaviour, words_match};
use crate::app::cursor::{Cursor, move_cursor};
use crate::app::keymap::Action;
use crate::app::selection::Selection;
use crate::dataset::Dataset;

#[derive(Debug, Clone)]
pub struct ResourceView {
    /// Index into `Dataset::resources.resources`.
    pub resource: usize,
    pub cursor: Cursor,
}

impl ResourceView {
    pub fn new(resource: usize) -> ResourceView {
        ResourceView {
            resource,
            cursor: Cursor::default(),
        }
    }
}

impl ViewBehaviour for ResourceView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let Some(res) = cx.data.resources.resources.get(self.resource) else {
            return Reaction::default();
        };
        if move_cursor(&mut self.cursor, action, res.findings.len(), cx.height) {
            return Reaction::default();
        }
        match action {
            Action::Enter | Action::RawJson => match res.findings.get(self.cursor.selected) {
                Some(&fi) => {
                    Reaction::push(View::Detail(DetailView::new(fi, action == Action::RawJson)))
                }
                None => Reaction::default(),
            },
            _ => Reaction::default(),
        }
    }

    fn carry_over(&self, _cx: &Cx, remap: &Remap) -> Option<View> {
        remap.resource(self.resource).map(|resource| {
            View::Resource(ResourceView {
                resource,
                ..self.clone()
            })
        })
    }

    fn breadcrumb(&self, data: &Dataset, _base: bool) -> Option<String> {
        Some(
            data.resources
                .resources
                .get(self.resource)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
        )
    }

    fn selection(&self, data: &Dataset) -> Selection {
        Selection::resource(data, self.resource)
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("j/k", "finding"),
            ("Enter", "open"),
            ("x", "act"),
            ("c", "copy ARN"),
            ("b", "console URL"),
            ("Esc", "back"),
        ]
    }
}

/// The resources pane: every resource, filtered by `/`.
#[derive(Debug, Clone, Default)]
pub struct ResourcesView {
    pub list: SimpleList,
}

impl ResourcesView {
    /// Rows: substring match on name, ARN and type.
    pub fn new(data: &Dataset, filter: &str) -> ResourcesView {
        let q = filter.to_ascii_lowercase();
        let rows = data
            .resources
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| words_match(&q, &[&r.name, &r.arn, &r.kind]))
            .map(|(i, _)| i)
            .collect();
        ResourcesView {
            list: SimpleList {
                filter: filter.to_string(),
                rows,
                cursor: Cursor::default(),
            },
        }
    }
}

impl ViewBehaviour for ResourcesView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let l = &mut self.list;
        if move_cursor(&mut l.cursor, action, l.rows.len(), cx.height) {
            return Reaction::default();
        }
        match (action, l.rows.get(l.cursor.selected)) {
            (Action::Enter, Some(&ri)) => Reaction::push(View::Resource(ResourceView::new(ri))),
            _ => Reaction::default(),
        }
    }

    fn carry_over(&self, cx: &Cx, _remap: &Remap) -> Option<View> {
        let mut n = ResourcesView::new(cx.data, &self.list.filter);
        n.list.cursor = self.list.cursor;
        n.list.cursor.fit(n.list.rows.len(), cx.height);
        Some(View::Resources(n))
    }

    fn breadcrumb(&self, _data: &Dataset, _base: bool) -> Option<String> {
        None
    }

    fn selection(&self, data: &Dataset) -> Selection {
        match self.list.rows.get(self.list.cursor.selected) {
            Some(&ri) => Selection::resource(data, ri),
            None => Selection::default(),
        }
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("Enter", "open"),
            ("/", "filter"),
            ("c", "copy ARN"),
            ("Tab", "pane"),
            ("?", "help"),
        ]
    }

    fn refit(&mut self, height: usize) {
        self.list.cursor.fit(self.list.rows.len(), height)
    }

    fn filter(&self) -> Option<String> {
        Some(self.list.filter.clone())
    }

    fn set_filter(&mut self, cx: &Cx, text: &str) -> Option<String> {
        *self = ResourcesView::new(cx.data, text);
        None
    }
}
