//! The session expiry in the header and the modal MFA prompt (see `app::session`).
use crate::app::session::MAX_ATTEMPTS;
use crate::app::{MfaPrompt, State};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// `MFA session 58m left`, warning-styled in the last 5 minutes and once expired.
pub fn header_span(state: &State, theme: &Theme) -> Option<Span<'static>> {
    let s = state.session.as_ref()?;
    let soon = s.is_expired(state.now)
        || state
            .now
            .is_some_and(|n| (s.expires - n).num_seconds() < 300);
    let style = if soon { theme.warn() } else { theme.dimmed() };
    Some(Span::styled(s.remaining(state.now), style))
}

pub fn render_prompt(p: &MfaPrompt, theme: &Theme, frame: &mut Frame, body: Rect) {
    let w = body.width.saturating_sub(4).min(64);
    let h = 10.min(body.height);
    let area = Rect {
        x: body.x + (body.width.saturating_sub(w)) / 2,
        y: body.y + (body.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, area);
    let mut boxes = String::new();
    for i in 0..6 {
        boxes.push(p.code.chars().nth(i).unwrap_or('_'));
        boxes.push(' ');
    }
    let mut lines = vec![
        Line::from(Span::styled(p.message.clone(), theme.text())),
        Line::default(),
        Line::from(vec![
            Span::styled("Code: ", theme.accent()),
            Span::styled(boxes, theme.title()),
            Span::styled(
                if p.busy { "  checking…" } else { "" }.to_string(),
                theme.dimmed(),
            ),
        ]),
    ];
    if let Some(e) = &p.error {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(e.clone(), theme.error())));
        lines.push(Line::from(Span::styled(
            format!("attempt {} of {MAX_ATTEMPTS}", p.failures + 1),
            theme.dimmed(),
        )));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            " MFA code — Enter submits, Esc cancels ",
            theme.title(),
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: true })
            .style(theme.text()),
        area,
    );
}
