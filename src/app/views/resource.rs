//! A resource's page (its findings; for an IAM user or role also its facts and, on h/l, the
//! "can become" tree of its escalation paths) and the resources pane.
use super::detail::DetailView;
use super::paths::tree;
use super::{Cx, Reaction, Remap, SimpleList, View, ViewBehaviour, words_match};
use crate::app::cursor::{Cursor, move_cursor};
use crate::app::keymap::{Action, Hint};
use crate::app::selection::Selection;
use crate::app::state::Status;
use crate::dataset::Dataset;

/// What the lower half of a resource page shows (h/l switch between the tabs it has).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PageTab {
    #[default]
    Findings,
    /// The "can become" tree (users and roles only).
    CanBecome,
    /// The pretty-printed policy document (a managed policy's default version, a role's trust
    /// policy), scrolled with j/k.
    Document,
}

/// A policy document to read on a resource page: its label and its pretty-printed lines
/// (sanitised: the document is the account's text).
pub struct Document {
    pub label: String,
    pub lines: Vec<String>,
}

/// The document a resource page can show: a managed policy's default version or a role's
/// trust policy; None for anything else.
pub fn document(data: &Dataset, arn: &str) -> Option<Document> {
    let iam = data.iam.as_ref()?;
    let (label, doc) = if let Some(p) = iam.policy(arn) {
        (
            format!("document {}", crate::sanitize::line(&p.default_version_id)),
            &p.document,
        )
    } else if let Some(r) = iam.role_by_arn(arn) {
        ("trust policy".to_string(), &r.assume_role_policy_document)
    } else {
        return None;
    };
    if doc.is_null() {
        return None;
    }
    let text = serde_json::to_string_pretty(doc).unwrap_or_default();
    Some(Document {
        label,
        lines: text
            .lines()
            .map(|l| crate::sanitize::line(l).into_owned())
            .collect(),
    })
}

/// The tabs a page has, in h/l order.
pub fn tabs(data: &Dataset, arn: &str) -> Vec<PageTab> {
    let mut out = vec![PageTab::Findings];
    if tree(data, arn).is_some() {
        out.push(PageTab::CanBecome);
    }
    if document(data, arn).is_some() {
        out.push(PageTab::Document);
    }
    out
}

#[derive(Debug, Clone)]
pub struct ResourceView {
    /// Index into `Dataset::resources.resources`.
    pub resource: usize,
    pub cursor: Cursor,
    pub tab: PageTab,
    /// The cursor over the "can become" tree's rows.
    pub tree: Cursor,
    /// The document tab's first line shown.
    pub doc: Cursor,
}

impl ResourceView {
    pub fn new(resource: usize) -> ResourceView {
        ResourceView {
            resource,
            cursor: Cursor::default(),
            tab: PageTab::Findings,
            tree: Cursor::default(),
            doc: Cursor::default(),
        }
    }

    /// The page of a principal opened on its "can become" tree.
    pub fn can_become(resource: usize) -> ResourceView {
        ResourceView {
            tab: PageTab::CanBecome,
            ..ResourceView::new(resource)
        }
    }

    fn tree_key(&mut self, cx: &Cx, arn: &str, action: Action) -> Reaction {
        let Some(t) = tree(cx.data, arn) else {
            return Reaction::default();
        };
        if move_cursor(&mut self.tree, action, t.rows.len(), cx.height) {
            return Reaction::default();
        }
        let opens = t
            .rows
            .get(self.tree.selected)
            .and_then(|r| r.opens.as_deref())
            .filter(|to| *to != arn);
        match (action, opens) {
            (Action::Enter, Some(to)) => match cx.data.resources.by_arn.get(to) {
                Some(&ri) => Reaction::push(View::Resource(ResourceView::can_become(ri))),
                None => Reaction::status(Status::warn(format!(
                    "{} is not in the resource index",
                    crate::sanitize::line(to)
                ))),
            },
            _ => Reaction::default(),
        }
    }
}

impl ViewBehaviour for ResourceView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let Some(res) = cx.data.resources.resources.get(self.resource) else {
            return Reaction::default();
        };
        if matches!(action, Action::Left | Action::Right) {
            let tabs = tabs(cx.data, &res.arn);
            let at = tabs.iter().position(|t| *t == self.tab).unwrap_or(0);
            let n = tabs.len();
            let next = if action == Action::Right {
                at + 1
            } else {
                at + n - 1
            };
            self.tab = tabs[next % n];
            return Reaction::default();
        }
        if self.tab == PageTab::CanBecome {
            return self.tree_key(cx, &res.arn, action);
        }
        if self.tab == PageTab::Document {
            // The document scrolls by its first visible line (a window of one).
            let len = document(cx.data, &res.arn).map_or(0, |d| d.lines.len());
            let page = cx.height.max(1) as isize;
            match action {
                Action::PageDown => self.doc.step(page, len, 1),
                Action::PageUp => self.doc.step(-page, len, 1),
                _ => {
                    move_cursor(&mut self.doc, action, len, 1);
                }
            }
            return Reaction::default();
        }
        if move_cursor(&mut self.cursor, action, res.findings.len(), cx.height) {
            return Reaction::default();
        }
        match action {
            Action::Enter | Action::RawJson => match res.findings.get(self.cursor.selected) {
                Some(&fi) => {
                    Reaction::push(View::Detail(DetailView::new(fi, action == Action::RawJson)))
                }
                // A principal's page without findings: `y` copies the principal's JSON.
                None if action == Action::RawJson && res.kind.starts_with("AwsIam") => {
                    super::iam::copy_entity_json(cx.data, &res.arn)
                }
                None => Reaction::default(),
            },
            _ => Reaction::default(),
        }
    }

    fn carry_over(&self, cx: &Cx, remap: &Remap) -> Option<View> {
        let resource = remap.resource(self.resource)?;
        let mut v = ResourceView {
            resource,
            ..self.clone()
        };
        let t = cx
            .data
            .resources
            .resources
            .get(resource)
            .and_then(|r| tree(cx.data, &r.arn));
        match t {
            Some(t) => v.tree.fit(t.rows.len(), cx.height),
            None => v.tree = Cursor::default(),
        }
        if let Some(r) = cx.data.resources.resources.get(resource)
            && !tabs(cx.data, &r.arn).contains(&v.tab)
        {
            v.tab = PageTab::Findings;
        }
        Some(View::Resource(v))
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

    fn hints(&self) -> &'static [Hint] {
        if self.tab == PageTab::Document {
            return &[
                Hint::Bound(&[Action::Down, Action::Up], "scroll"),
                Hint::Bound(&[Action::PageDown, Action::PageUp], "page"),
                Hint::Bound(&[Action::Top, Action::Bottom], "top/end"),
                Hint::Bound(&[Action::Left, Action::Right], "tabs"),
                Hint::Bound(&[Action::CopyArn], "copy ARN"),
                Hint::Bound(&[Action::Back], "back"),
            ];
        }
        if self.tab == PageTab::CanBecome {
            return &[
                Hint::Bound(&[Action::Down, Action::Up], "scroll"),
                Hint::Bound(&[Action::Enter], "open the principal"),
                Hint::Bound(&[Action::Left, Action::Right], "tabs"),
                Hint::Bound(&[Action::Act], "act"),
                Hint::Bound(&[Action::CopyArn], "copy ARN"),
                Hint::Bound(&[Action::Back], "back"),
            ];
        }
        &[
            Hint::Bound(&[Action::Down, Action::Up], "finding"),
            Hint::Bound(&[Action::Enter], "open"),
            Hint::Bound(&[Action::Act], "act"),
            Hint::Bound(&[Action::CopyArn], "copy ARN"),
            Hint::Bound(&[Action::ConsoleUrl], "console URL"),
            Hint::Bound(&[Action::Back], "back"),
        ]
    }
}

/// The resources pane's sort (`s` cycles, `S` reverses).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResourceSort {
    /// The resource index's order: most findings first.
    #[default]
    Findings,
    /// The worst open finding's severity, then the open count.
    Worst,
    Type,
    Name,
    Region,
}

impl ResourceSort {
    pub fn next(self) -> ResourceSort {
        match self {
            ResourceSort::Findings => ResourceSort::Worst,
            ResourceSort::Worst => ResourceSort::Type,
            ResourceSort::Type => ResourceSort::Name,
            ResourceSort::Name => ResourceSort::Region,
            ResourceSort::Region => ResourceSort::Findings,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ResourceSort::Findings => "findings",
            ResourceSort::Worst => "worst",
            ResourceSort::Type => "type",
            ResourceSort::Name => "name",
            ResourceSort::Region => "region",
        }
    }
}

/// The resources pane: every resource, filtered by `/`.
#[derive(Debug, Clone, Default)]
pub struct ResourcesView {
    pub list: SimpleList,
    pub sort: ResourceSort,
    /// Reversed with `S` (each key's natural order is the default: worst and most first,
    /// names A to Z).
    pub reversed: bool,
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
            sort: ResourceSort::default(),
            reversed: false,
        }
    }

    /// The same view, sorted by `sort` (stable: ties keep the index order).
    pub fn sorted(mut self, data: &Dataset, sort: ResourceSort, reversed: bool) -> ResourcesView {
        self.sort = sort;
        self.reversed = reversed;
        let rs = &data.resources.resources;
        // (worst open severity, open count) per row, the same facts the table shows.
        let open = |ri: usize| {
            let mut worst = None;
            let mut n = 0;
            for &fi in &rs[ri].findings {
                if let Some(f) = data.findings.get(fi)
                    && f.workflow.is_open()
                {
                    n += 1;
                    worst = worst.max(Some(f.severity));
                }
            }
            (worst, n)
        };
        let rows = &mut self.list.rows;
        match sort {
            ResourceSort::Findings => rows.sort(),
            ResourceSort::Worst => {
                let mut keyed: Vec<_> = rows.iter().map(|&ri| (open(ri), ri)).collect();
                keyed.sort_by(|(a, ia), (b, ib)| b.cmp(a).then(ia.cmp(ib)));
                *rows = keyed.into_iter().map(|(_, ri)| ri).collect();
            }
            ResourceSort::Type => rows.sort_by(|&a, &b| rs[a].kind.cmp(&rs[b].kind)),
            ResourceSort::Name => {
                rows.sort_by(|&a, &b| rs[a].name.to_lowercase().cmp(&rs[b].name.to_lowercase()))
            }
            ResourceSort::Region => rows.sort_by(|&a, &b| rs[a].region.cmp(&rs[b].region)),
        }
        if reversed {
            rows.reverse();
        }
        self
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
            (Action::Sort | Action::ReverseSort, _) => {
                let (sort, reversed) = match action {
                    Action::Sort => (self.sort.next(), false),
                    _ => (self.sort, !self.reversed),
                };
                let filter = self.list.filter.clone();
                *self = ResourcesView::new(cx.data, &filter).sorted(cx.data, sort, reversed);
                let dir = if reversed { " (reversed)" } else { "" };
                Reaction::status(Status::info(format!(
                    "resources sorted by {}{dir}",
                    sort.label()
                )))
            }
            _ => Reaction::default(),
        }
    }

    fn carry_over(&self, cx: &Cx, _remap: &Remap) -> Option<View> {
        let mut n = ResourcesView::new(cx.data, &self.list.filter).sorted(
            cx.data,
            self.sort,
            self.reversed,
        );
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

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(&[Action::Enter], "open"),
            Hint::Bound(&[Action::Filter], "filter"),
            Hint::Bound(&[Action::Sort], "sort"),
            Hint::Bound(&[Action::CopyArn], "copy ARN"),
            Hint::Bound(&[Action::NextPane], "pane"),
            Hint::Bound(&[Action::Help], "help"),
        ]
    }

    fn refit(&mut self, height: usize) {
        self.list.cursor.fit(self.list.rows.len(), height)
    }

    fn filter(&self) -> Option<String> {
        Some(self.list.filter.clone())
    }

    fn set_filter(&mut self, cx: &Cx, text: &str) -> Option<String> {
        *self = ResourcesView::new(cx.data, text).sorted(cx.data, self.sort, self.reversed);
        None
    }
}
