//! One draw file per view; [`draw`] is the one place that maps a view to its drawing.
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

/// Draws the focused view into the body (one line per view).
pub fn draw(
    state: &State,
    data: &Dataset,
    view: &View,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    match view {
        View::Overview(o) => overview::render(state, data, o, theme, frame, area),
        View::Findings(l) => findings::render(data, l, &state.columns, theme, frame, area),
        View::Detail(d) => detail::render(data, d, theme, frame, area),
        View::Resource(r) => resource::render_resource(data, r, theme, frame, area),
        View::Resources(l) => resource::render_list(data, l, &state.columns, theme, frame, area),
        View::Iam(i) => iam::render(data, i, theme, frame, area),
        View::Journal(j) => journal::render(state, j, theme, frame, area),
        View::Incident(_) => incident::render(state, theme, frame, area),
        View::WhoCanAdmin(w) => admin::render(w, theme, frame, area),
    }
}
