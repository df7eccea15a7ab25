//! A finding's page: its fields, or every source's raw JSON (`y`).
use super::resource::ResourceView;
use super::{Cx, Reaction, Remap, View, ViewBehaviour};
use crate::app::keymap::{Action, Hint};
use crate::app::selection::Selection;
use crate::app::state::{Status, truncate};
use crate::dataset::Dataset;

#[derive(Debug, Clone)]
pub struct DetailView {
    pub finding: usize,
    pub scroll: u16,
    pub raw: bool,
}

impl DetailView {
    pub fn new(finding: usize, raw: bool) -> DetailView {
        DetailView {
            finding,
            scroll: 0,
            raw,
        }
    }
}

impl ViewBehaviour for DetailView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let height = cx.height as u16;
        match action {
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = self.scroll.saturating_add(height),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(height),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = u16::MAX / 2,
            Action::RawJson => {
                self.raw = !self.raw;
                self.scroll = 0;
            }
            Action::Enter => {
                let data = cx.data;
                return match data
                    .findings
                    .get(self.finding)
                    .and_then(|f| f.primary_resource())
                    .and_then(|r| data.resources.by_arn.get(&r.arn))
                {
                    Some(&ri) => Reaction::push(View::Resource(ResourceView::new(ri))),
                    None => Reaction::status(Status::warn("this finding names no resource")),
                };
            }
            _ => {}
        }
        Reaction::default()
    }

    fn carry_over(&self, _cx: &Cx, remap: &Remap) -> Option<View> {
        remap.finding(self.finding).map(|finding| {
            View::Detail(DetailView {
                finding,
                ..self.clone()
            })
        })
    }

    fn breadcrumb(&self, data: &Dataset, _base: bool) -> Option<String> {
        Some(
            data.findings
                .get(self.finding)
                .map(|f| truncate(&f.kind, 48))
                .unwrap_or_default(),
        )
    }

    fn selection(&self, _data: &Dataset) -> Selection {
        Selection::finding(Some(self.finding))
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(&[Action::Enter], "resource"),
            Hint::Bound(&[Action::Act], "act"),
            Hint::Bound(&[Action::RawJson], "raw JSON"),
            Hint::Bound(&[Action::Down, Action::Up], "scroll"),
            Hint::Bound(&[Action::CopyArn], "copy ARN"),
            Hint::Bound(&[Action::ConsoleUrl], "console URL"),
            Hint::Bound(&[Action::Back], "back"),
        ]
    }
}
