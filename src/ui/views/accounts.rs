//! The Accounts pane: one row per account of the organization.
use crate::app::org::AccountLoad;
use crate::app::views::accounts::AccountsView;
use crate::app::{State, truncate};
use crate::sanitize;
use crate::ui::block;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};

pub fn render(state: &State, view: &AccountsView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(org) = &state.org else { return };
    let l = &view.list;
    let height = area.height.saturating_sub(3) as usize;
    let start = l.cursor.window(height).min(l.rows.len());
    let end = (start + height).min(l.rows.len());
    let now = state.now;
    let rows: Vec<Row> = l.rows[start..end]
        .iter()
        .enumerate()
        .filter_map(|(k, &i)| {
            let r = org.rows.get(i)?;
            let mark = if org.current.as_deref() == Some(r.account.id.as_str()) {
                "▶"
            } else {
                " "
            };
            let (state_cell, counts, score, coverage, at) = match &r.load {
                AccountLoad::Waiting => (
                    Span::styled("reading…", theme.dimmed()),
                    vec![String::new(); 4],
                    String::new(),
                    String::new(),
                    None,
                ),
                AccountLoad::Read {
                    open,
                    score,
                    coverage,
                    at,
                    ..
                } => (
                    Span::styled("read", theme.text()),
                    open[..4].iter().map(|n| n.to_string()).collect(),
                    format!("{score}"),
                    coverage.clone(),
                    Some(*at),
                ),
                AccountLoad::Unknown { reason, at } => (
                    Span::styled("UNKNOWN", theme.error()),
                    vec!["?".to_string(); 4],
                    "?".to_string(),
                    reason.clone(),
                    Some(*at),
                ),
            };
            let ago = match (at, now) {
                (Some(at), Some(now)) => {
                    let m = (now - at).num_minutes().max(0);
                    if m < 1 {
                        "just now".to_string()
                    } else {
                        format!("{m} min ago")
                    }
                }
                (Some(at), None) => at.format("%H:%M:%S").to_string(),
                _ => String::new(),
            };
            let style = if start + k == l.cursor.selected {
                theme.selected()
            } else {
                theme.text()
            };
            let mut cells = vec![
                Cell::from(format!("{mark}{}", r.account.id)),
                Cell::from(truncate(&sanitize::line(&r.account.name), 18)),
                Cell::from(truncate(&sanitize::line(&r.account.ou_path), 24)),
                Cell::from(truncate(&sanitize::line(&r.account.status), 9)),
                Cell::from(state_cell),
            ];
            cells.extend(counts.into_iter().map(Cell::from));
            cells.push(Cell::from(score));
            cells.push(Cell::from(truncate(&sanitize::line(&coverage), 48)));
            cells.push(Cell::from(ago));
            Some(Row::new(cells).style(style))
        })
        .collect();
    let read = org
        .rows
        .iter()
        .filter(|r| matches!(r.load, AccountLoad::Read { .. }))
        .count();
    let unknown = org
        .rows
        .iter()
        .filter(|r| matches!(r.load, AccountLoad::Unknown { .. }))
        .count();
    let title = format!(
        "Accounts — {} · {} read, {} unknown, {} reading · Enter shows one · :account * all",
        org.organization
            .as_deref()
            .map(sanitize::line)
            .unwrap_or_else(|| "accounts from the config".into()),
        read,
        unknown,
        org.pending()
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(13),
            Constraint::Length(18),
            Constraint::Length(24),
            Constraint::Length(9),
            Constraint::Length(8),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Min(20),
            Constraint::Length(11),
        ],
    )
    .header(
        Row::new(vec![
            " ACCOUNT",
            "NAME",
            "OU",
            "STATUS",
            "READ",
            "CRIT",
            "HIGH",
            "MED",
            "LOW",
            "SCORE",
            "COVERAGE",
            "LAST READ",
        ])
        .style(theme.header()),
    )
    .block(block(title, theme));
    frame.render_widget(table, area);
}

impl super::Draw for AccountsView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(cx.state, self, cx.theme, frame, area)
    }
}
