//! Small drawing helpers every view shares.
use super::theme::Theme;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

/// A bordered block with a title, focused style.
pub fn block<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()))
}

pub fn sev_span(s: crate::model::Severity, theme: &Theme) -> Span<'static> {
    Span::styled(s.label().to_string(), theme.severity(s))
}

pub fn style_if(cond: bool, s: Style) -> Style {
    if cond { s } else { Style::default() }
}
