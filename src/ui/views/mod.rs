//! One draw file per view; [`draw`] is the one place that maps a view to its drawing.
pub mod accounts;
pub mod admin;
pub(crate) mod detail;
pub mod findings;
pub mod iam;
pub mod incident;
pub mod journal;
pub mod overview;
pub mod resource;

use crate::app::{State, View};
use crate::dataset::Dataset;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// What every view's drawing may read.
pub struct DrawCx<'a> {
    pub state: &'a State,
    pub data: &'a Dataset,
    pub theme: &'a Theme,
}

/// A view's drawing: each view type implements it in its own file here, so adding a view needs
/// no line in this file (the app's `register_views!` line feeds [`draw`]'s dispatch).
pub trait Draw {
    fn draw(&self, cx: &DrawCx, frame: &mut Frame, area: Rect);
}

/// Draws the focused view into the body.
pub fn draw(
    state: &State,
    data: &Dataset,
    view: &View,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let cx = DrawCx { state, data, theme };
    crate::app::views::match_view!(view, v => v.draw(&cx, frame, area))
}
