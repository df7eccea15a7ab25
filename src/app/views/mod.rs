//! The views of a pane's navigation stack. Each view owns its keys, how it is carried over a
//! reload, its breadcrumb, what it selects and its key hints ([`ViewBehaviour`]); it answers a
//! key with a [`Reaction`] instead of changing global state.
//!
//! Adding a view: write `views/NAME.rs` (its state type and `impl ViewBehaviour`), then add one
//! line to [`register_views!`] below; its drawing is `ui::views::Draw` in `src/ui/views/NAME.rs`.

pub mod accounts;
pub mod admin;
pub mod detail;
pub mod findings;
pub mod iam;
pub mod incident;
pub mod journal;
pub mod overview;
pub mod paths;
pub mod resource;

use super::cursor::Cursor;
use super::keymap::{Action, Hint};
use super::modes::act::ActState;
use super::selection::Selection;
use super::state::{Effect, Mode, Status};
use crate::dataset::Dataset;
use findings::list::{FindingList, SearchIndex};
use overview::Summary;
use std::collections::HashMap;
use std::sync::Arc;

/// What a view's key handler can read.
pub struct Cx<'a> {
    pub data: &'a Arc<Dataset>,
    pub search: &'a Arc<SearchIndex>,
    pub summary: &'a Summary,
    /// Rows a table body gets at the current terminal size.
    pub height: usize,
    pub act: &'a ActState,
    /// `--org`: the organization's accounts.
    pub org: Option<&'a crate::app::org::OrgConsole>,
}

/// What a view wants after a key: a view to push, work for the runtime, a status line, a mode.
#[derive(Debug, Default)]
pub struct Reaction {
    pub push: Option<View>,
    pub effects: Vec<Effect>,
    pub status: Option<Status>,
    pub mode: Option<Mode>,
}

impl Reaction {
    pub fn push(v: View) -> Reaction {
        Reaction {
            push: Some(v),
            ..Default::default()
        }
    }
    pub fn status(s: Status) -> Reaction {
        Reaction {
            status: Some(s),
            ..Default::default()
        }
    }
    pub fn copy(text: String, status: Status) -> Reaction {
        Reaction {
            effects: vec![Effect::Copy(text)],
            status: Some(status),
            ..Default::default()
        }
    }
}

/// Old indexes to new after a reload, matched by finding id and resource ARN.
pub struct Remap<'a> {
    old: &'a Dataset,
    new: &'a Dataset,
    finding_by_id: HashMap<&'a str, usize>,
}

impl<'a> Remap<'a> {
    pub fn new(old: &'a Dataset, new: &'a Dataset) -> Remap<'a> {
        Remap {
            old,
            new,
            finding_by_id: new
                .findings
                .iter()
                .enumerate()
                .map(|(i, f)| (f.id.as_str(), i))
                .collect(),
        }
    }
    pub fn finding(&self, i: usize) -> Option<usize> {
        self.old
            .findings
            .get(i)
            .and_then(|f| self.finding_by_id.get(f.id.as_str()).copied())
    }
    pub fn resource(&self, i: usize) -> Option<usize> {
        self.old
            .resources
            .resources
            .get(i)
            .and_then(|r| self.new.resources.by_arn.get(&r.arn).copied())
    }
}

/// A view's behaviour; `View` dispatches to it.
pub trait ViewBehaviour {
    /// A key in normal mode that the app did not handle itself (panes, help, `:`, `x`, ...).
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction;
    /// The view rebuilt over new data after a reload; `None` when what it showed is gone (it
    /// is dropped with every view above it).
    fn carry_over(&self, cx: &Cx, remap: &Remap) -> Option<View>;
    /// Its breadcrumb (`base`: it is the pane's first view); `None` shows none.
    fn breadcrumb(&self, data: &Dataset, base: bool) -> Option<String>;
    /// What `x`, `:incident`, `c` and `b` act on.
    fn selection(&self, data: &Dataset) -> Selection;
    /// The key hints in the bottom line.
    fn hints(&self) -> &'static [Hint];
    /// The terminal was resized.
    fn refit(&mut self, _height: usize) {}
    /// `/`: the current filter text, when the view can be filtered.
    fn filter(&self) -> Option<String> {
        None
    }
    /// What is wrong with the filter line (terms that did not parse, with the valid values);
    /// shown in the filter line while typing and in the status line after.
    fn filter_problem(&self) -> Option<String> {
        None
    }
    /// The filter changed; returns a warning about it.
    fn set_filter(&mut self, _cx: &Cx, _text: &str) -> Option<String> {
        None
    }
}

/// Declares the `View` enum and its dispatch from one list: one line per view.
macro_rules! register_views {
    // `$d` is a literal `$`, so this macro can define `match_view!` (a macro with its own
    // metavariables) for the ui: one registration line feeds the app and the drawing.
    ($d:tt; $($(#[$doc:meta])* $variant:ident($ty:ty)),* $(,)?) => {
        /// A view on a pane's navigation stack.
        #[derive(Debug, Clone)]
        pub enum View {
            $($(#[$doc])* $variant($ty)),*
        }

        impl View {
            pub fn behaviour(&self) -> &dyn ViewBehaviour {
                match self {
                    $(View::$variant(v) => v),*
                }
            }

            pub fn behaviour_mut(&mut self) -> &mut dyn ViewBehaviour {
                match self {
                    $(View::$variant(v) => v),*
                }
            }
        }

        /// `match_view!(view, v => expr)`: `expr` for whichever view `view` holds, with `v`
        /// bound to it (`ui::views::draw` calls each view's `Draw` impl this way).
        macro_rules! match_view {
            ($d view:expr, $d v:ident => $d body:expr) => {
                match $d view {
                    $($crate::app::View::$variant($d v) => $d body),*
                }
            };
        }
        pub(crate) use match_view;
    };
}

register_views! { $;
    Overview(overview::OverviewView),
    Findings(Box<FindingList>),
    Detail(detail::DetailView),
    Resource(resource::ResourceView),
    Resources(resource::ResourcesView),
    Iam(iam::IamView),
    /// `:journal`: rows index `State::act.entries`, newest first.
    Journal(journal::JournalView),
    /// The incident walkthrough (`State::incident`).
    Incident(incident::IncidentView),
    /// `:who-can-admin`: principals with a path to an administrator.
    WhoCanAdmin(admin::WhoCanAdminView),
    /// `--org`: the Accounts pane (rows index `State::org`).
    Accounts(accounts::AccountsView),
}

/// A simple filtered list (resources pane, IAM tabs, journal): rows are indexes into the
/// source list.
#[derive(Debug, Clone, Default)]
pub struct SimpleList {
    pub filter: String,
    pub rows: Vec<usize>,
    pub cursor: Cursor,
}

/// Every word of `q` (lower-cased) is in one of `fields` (case-insensitive substring).
pub(crate) fn words_match(q: &str, fields: &[&str]) -> bool {
    q.is_empty()
        || q.split_whitespace()
            .all(|w| fields.iter().any(|f| f.to_ascii_lowercase().contains(w)))
}
