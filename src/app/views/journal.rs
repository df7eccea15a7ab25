//! `:journal`: the actions taken, newest first; Enter shows one (or re-reads an interrupted
//! one), `x` undoes it.
use super::{Cx, Reaction, Remap, SimpleList, View, ViewBehaviour};
use crate::app::cursor::move_cursor;
use crate::app::keymap::{Action, Hint};
use crate::app::modes::act::{ActState, OutcomeView};
use crate::app::selection::Selection;
use crate::app::state::{Effect, Mode, State, Status, table_height};
use crate::dataset::Dataset;
use crate::remediation::executor::{CallResult, Outcome};
use crate::remediation::journal::{Entry, Status as JournalStatus};

#[derive(Debug, Clone, Default)]
pub struct JournalView {
    pub list: SimpleList,
}

impl JournalView {
    /// Rows, newest first.
    pub fn new(entries: &[Entry]) -> JournalView {
        JournalView {
            list: SimpleList {
                filter: String::new(),
                rows: (0..entries.len()).rev().collect(),
                cursor: Default::default(),
            },
        }
    }

    fn entry<'a>(&self, act: &'a ActState) -> Option<&'a Entry> {
        self.list
            .rows
            .get(self.list.cursor.selected)
            .and_then(|&i| act.entries.get(i))
    }
}

impl ViewBehaviour for JournalView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let len = self.list.rows.len();
        if move_cursor(&mut self.list.cursor, action, len, cx.height) {
            return Reaction::default();
        }
        match (action, self.entry(cx.act)) {
            (Action::Enter, Some(e)) => enter(e),
            _ => Reaction::default(),
        }
    }

    fn carry_over(&self, _cx: &Cx, _remap: &Remap) -> Option<View> {
        Some(View::Journal(self.clone()))
    }

    fn breadcrumb(&self, _data: &Dataset, _base: bool) -> Option<String> {
        Some("Journal".to_string())
    }

    fn selection(&self, _data: &Dataset) -> Selection {
        Selection {
            journal: self.list.rows.get(self.list.cursor.selected).copied(),
            ..Default::default()
        }
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(&[Action::Enter], "details / verify"),
            Hint::Bound(&[Action::Act], "undo this"),
            Hint::Bound(&[Action::Undo], "undo last"),
            Hint::Bound(&[Action::Back], "back"),
        ]
    }

    fn refit(&mut self, height: usize) {
        self.list.cursor.fit(self.list.rows.len(), height)
    }
}

/// Enter on a journal row: verify an unknown outcome, else show what happened.
fn enter(e: &Entry) -> Reaction {
    if e.status == JournalStatus::Unknown {
        return Reaction {
            effects: vec![Effect::Verify(e.id.clone())],
            status: Some(Status::info(format!(
                "re-reading the state of {}…",
                e.plan.title
            ))),
            ..Default::default()
        };
    }
    let results = e
        .results
        .iter()
        .map(|(c, ok, err)| CallResult {
            call: c.clone(),
            ok: ok.unwrap_or(false),
            detail: match (ok, err) {
                (Some(true), _) => "ok".into(),
                (_, Some(err)) => err.clone(),
                _ => "no result recorded".into(),
            },
        })
        .collect();
    Reaction {
        mode: Some(Mode::Outcome(Box::new(OutcomeView {
            outcome: Outcome {
                id: e.id.clone(),
                title: e.plan.title.clone(),
                status: e.status,
                message: e.message.clone(),
                results,
                undo: e.undo.clone(),
                targets: e.plan.targets.clone(),
            },
            scroll: 0,
        }))),
        ..Default::default()
    }
}

/// `:journal`
pub fn open(state: &mut State) {
    state.push(View::Journal(JournalView::new(&state.act.entries)));
    if state.act.entries.is_empty() {
        state.info(format!("the journal is empty ({})", state.act.path));
    }
}

/// The journal was (re)read.
pub fn loaded(
    state: &mut State,
    entries: Vec<Entry>,
    problem: Option<String>,
    path: String,
    first: bool,
) {
    state.act.entries = entries;
    let unknown = state.act.unverified();
    state.act.problem = problem.clone();
    state.act.path = path;
    let height = table_height(state.size);
    for stack in &mut state.stacks {
        for v in stack.iter_mut() {
            if let View::Journal(j) = v {
                let keep = j.list.cursor;
                *j = JournalView::new(&state.act.entries);
                j.list.cursor = keep;
                j.list.cursor.fit(j.list.rows.len(), height);
            }
        }
    }
    if first {
        if let Some(p) = problem {
            state.error(format!("journal: {p}"));
        } else if unknown > 0 {
            state.warn(format!(
                "journal: {unknown} action(s) with an unknown outcome (interrupted mid-call) — :journal, Enter to verify"
            ));
        }
    }
}
