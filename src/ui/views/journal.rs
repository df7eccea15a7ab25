//! `:journal`: the actions taken, newest first.
use crate::app::views::journal::JournalView;
use crate::app::{State, truncate};
use crate::ui::block;
use crate::ui::modes::act::status_style;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};

pub fn render(state: &State, view: &JournalView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let l = &view.list;
    let height = area.height.saturating_sub(3) as usize;
    let start = l.cursor.window(height).min(l.rows.len());
    let end = (start + height).min(l.rows.len());
    let rows: Vec<Row> = l.rows[start..end]
        .iter()
        .enumerate()
        .filter_map(|(k, &i)| {
            let e = state.act.entries.get(i)?;
            let mut status = e.status.label().to_string();
            if e.undone_by.is_some() {
                status = "undone".into();
            }
            if let Some(v) = &e.verified {
                status = format!("verified: {}", truncate(v, 20));
            }
            let style = if start + k == l.cursor.selected {
                theme.selected()
            } else {
                theme.text()
            };
            Some(
                Row::new(vec![
                    Cell::from(e.started.format("%Y-%m-%d %H:%M:%S").to_string()),
                    Cell::from(Span::styled(status, status_style(e.status, theme))),
                    Cell::from(if e.dry_run { "dry-run" } else { "" }),
                    Cell::from(e.plan.title.clone()),
                    Cell::from(format!("{}", e.plan.calls.len())),
                ])
                .style(style),
            )
        })
        .collect();
    let title = match &state.act.problem {
        Some(p) => format!("Journal — {} — {}", state.act.path, truncate(p, 60)),
        None => format!(
            "Journal — {} — {} actions · Enter details/verify · x undo",
            state.act.path,
            state.act.entries.len()
        ),
    };
    let table = Table::new(
        rows,
        [
            Constraint::Length(19),
            Constraint::Length(18),
            Constraint::Length(7),
            Constraint::Min(30),
            Constraint::Length(5),
        ],
    )
    .header(Row::new(vec!["time (UTC)", "status", "", "action", "calls"]).style(theme.header()))
    .block(block(title, theme));
    frame.render_widget(table, area);
}

impl super::Draw for crate::app::views::journal::JournalView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(cx.state, self, cx.theme, frame, area)
    }
}
