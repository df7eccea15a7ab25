//! Pure rendering: `render(&State, &Theme, &mut Frame)` draws and never mutates.
pub mod columns;
#[cfg(test)]
mod contrast;
pub mod modes;
pub mod theme;
pub mod views;
pub mod widgets;

pub use modes::{act, mfa as session};
pub use views::{admin, findings, iam, incident, overview, resource};
pub use widgets::{block, clip_box, fit_line, sev_span, style_if};

use crate::app::columns::Elide;
use crate::app::keymap::{COMMANDS, KEYMAP};
use crate::app::{Level, Mode, Pane, State, Status};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use theme::Theme;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

/// Splits the screen: header, tabs/breadcrumbs, body, status line, key hints.
pub fn layout(area: Rect) -> [Rect; 5] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "guardpost needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {}x{}. Enlarge it or press q to quit.",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(msg)
                .wrap(Wrap { trim: true })
                .style(theme.warn()),
            area,
        );
        return;
    }
    let [header, tabs, body, status, hints] = layout(area);
    render_header(state, theme, frame, header);
    render_tabs(state, theme, frame, tabs);
    render_body(state, theme, frame, body);
    render_status(state, theme, frame, status);
    render_hints(state, theme, frame, hints);
    match &state.mode {
        Mode::Help { scroll } => render_help(theme, frame, body, *scroll),
        Mode::Actions(m) => act::render_menu(m, state, theme, frame, body),
        Mode::Confirm(c) => act::render_confirm(c, state, theme, frame, body),
        Mode::Running(r) => act::render_running(r, theme, frame, body),
        Mode::Outcome(o) => act::render_outcome(o, theme, frame, body),
        Mode::Prompt(p) => incident::render_prompt(p, theme, frame, body),
        _ => {}
    }
    if let Mode::Mfa(p) = &state.mode {
        session::render_prompt(p, theme, frame, body);
    }
    scrub(frame.buffer_mut(), theme);
}

/// The last step of every frame: no cell may carry a control, bidi or invisible character
/// ([`crate::sanitize::is_unsafe`]). ratatui drops C0 controls itself, but bidi overrides and
/// zero-width characters are zero columns wide, so it appends them to the neighbouring cell
/// and the terminal would reorder or hide text. They are taken out, and the cell that held one
/// is drawn in the warning style (underlined), so the user sees that something was there.
/// Doing it on the buffer covers every pane, whoever builds its spans.
pub fn scrub(buf: &mut ratatui::buffer::Buffer, theme: &Theme) {
    let mark = theme.warn().add_modifier(Modifier::UNDERLINED);
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        if sym.chars().any(crate::sanitize::is_unsafe) {
            let clean: String = sym
                .chars()
                .filter(|c| !crate::sanitize::is_unsafe(*c))
                .collect();
            cell.set_symbol(if clean.is_empty() { " " } else { &clean });
            cell.set_style(mark);
        }
    }
}

fn render_header(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let sep = || Span::styled(" │ ", theme.dimmed());
    let mut spans = vec![Span::styled(
        " guardpost ",
        theme.title().add_modifier(Modifier::BOLD),
    )];
    if let Some(e) = &state.endpoint {
        // First after the name: the data may not come from AWS, even on a narrow terminal.
        spans.push(Span::styled(format!("[endpoint {e}] "), theme.warn()));
    }
    // Parts that give way, in this order, when the header is too long for the terminal.
    let (mut caller, mut regions, mut as_of) = (None, None, None);
    let session = session::header_span(state, theme);
    match &state.data {
        Some(d) => {
            let account = match &d.account.alias {
                Some(a) => format!("{a} ({})", d.account.id),
                None => d.account.id.clone(),
            };
            spans.push(sep());
            spans.push(Span::styled(account, theme.accent()));
            if let Some(c) = &d.account.caller_arn {
                spans.push(sep());
                caller = Some(spans.len());
                spans.push(Span::styled(c.clone(), theme.text()));
            }
            // Right after the identity (account, caller): it must stay visible on narrow terminals.
            if let Some(s) = session.clone() {
                spans.push(sep());
                spans.push(s);
            }
            spans.push(sep());
            regions = Some((spans.len(), d.regions.len()));
            spans.push(Span::styled(d.regions.join(","), theme.text()));
            spans.push(sep());
            spans.push(Span::styled(d.origin.label(), theme.dimmed()));
            spans.push(sep());
            as_of = Some(spans.len());
            spans.push(Span::styled(
                format!("as of {}", d.captured_at.format("%Y-%m-%d %H:%MZ")),
                theme.dimmed(),
            ));
        }
        None => {
            spans.push(Span::styled(" loading…", theme.dimmed()));
            if let Some(s) = session {
                spans.push(sep());
                spans.push(s);
            }
        }
    }
    let badge = if state.read_only {
        Some(" READ-ONLY ")
    } else if state.act.dry_run && !state.act.account.is_empty() {
        // --dry-run on a live account (demo data is always plan-only and says so elsewhere).
        Some(" DRY-RUN ")
    } else {
        None
    };
    // An action interrupted mid-call stays in view until it is verified (:journal, Enter).
    let unverified = state.act.unverified();
    let badge = match (unverified, badge) {
        (0, b) => b.map(str::to_string),
        (n, None) => Some(format!(" {n} UNVERIFIED ")),
        (n, Some(b)) => Some(format!(" {n} UNVERIFIED ·{b}")),
    }
    .map(|b| Span::styled(b, theme.read_only_badge()));
    let width = area.width as usize;
    let room = width.saturating_sub(badge.as_ref().map_or(0, |b| b.width() + 1));
    let used = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    // Too long: the region list becomes a count, the caller ARN its name, the capture time
    // goes, the name loses its middle; whatever is still cut ends in "…" (never silently).
    if let Some((i, n)) = regions.filter(|(_, n)| *n > 1 && used(&spans) > room) {
        spans[i].content = format!("{n} regions").into();
    }
    if let Some(i) = caller.filter(|_| used(&spans) > room) {
        // The account is shown already: `user/alice` says who.
        let full = spans[i].content.to_string();
        if let Some((_, who)) = full.rsplit_once(':') {
            spans[i].content = who.to_string().into();
        }
    }
    if let Some(i) = as_of.filter(|_| used(&spans) > room) {
        spans.truncate(i - 1);
    }
    if let Some(i) = caller.filter(|_| used(&spans) > room) {
        let over = used(&spans).saturating_sub(room);
        let keep = spans[i].width().saturating_sub(over).max(12);
        let short = columns::elide(&spans[i].content, keep, Elide::Middle).into_owned();
        spans[i].content = short.into();
    }
    let mut line = fit_line(Line::from(spans), room);
    for s in &mut line.spans {
        // On a solid bar the text roles (chosen for the terminal's background) would vanish.
        s.style = theme.on_header(s.style);
    }
    if let Some(badge) = badge {
        // Right-aligned: it stays visible however long the header is.
        let used = line.width();
        line.spans.push(Span::raw(
            " ".repeat(width.saturating_sub(used + badge.width())),
        ));
        line.spans.push(badge);
    }
    frame.render_widget(Paragraph::new(line).style(theme.header()), area);
}

fn render_tabs(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::raw(" ")];
    for p in Pane::shown(state.org.is_some()) {
        let style = if p == state.pane {
            theme.selected().add_modifier(Modifier::BOLD)
        } else {
            theme.dimmed()
        };
        spans.push(Span::styled(format!(" {} ", p.label()), style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled("│ ", theme.dimmed()));
    let crumbs = state.breadcrumbs();
    for (i, c) in crumbs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", theme.dimmed()));
        }
        let style = if i + 1 == crumbs.len() {
            theme.breadcrumb().add_modifier(Modifier::BOLD)
        } else {
            theme.breadcrumb()
        };
        spans.push(Span::styled(c.clone(), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_body(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(data) = &state.data else {
        let (msg, style) = match (&state.load_error, &state.loading) {
            (Some(e), _) => (
                format!("Could not load data:\n\n{e}\n\nPress r to retry or q to quit."),
                theme.error(),
            ),
            (None, Some(l)) => (format!("{l}…"), theme.dimmed()),
            (None, None) => ("Loading…".to_string(), theme.dimmed()),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(true));
        frame.render_widget(
            Paragraph::new(msg)
                .style(style)
                .block(block)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    if let Some(view) = state.view() {
        views::draw(state, data, view, theme, frame, area);
    }
}

fn render_status(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let line = match &state.mode {
        Mode::Filter(t) => Line::from(vec![
            Span::styled("/", theme.accent()),
            Span::styled(t.clone(), theme.text()),
            Span::styled("█", theme.dimmed()),
            Span::styled(
                "   Enter keep · Esc clear · sev:high+ src:gd region:eu status:new type:IAM res:name",
                theme.dimmed(),
            ),
        ]),
        Mode::Command(t) => {
            let mut spans = vec![
                Span::styled(":", theme.accent()),
                Span::styled(t.clone(), theme.text()),
                Span::styled("█", theme.dimmed()),
            ];
            match &state.completion {
                // Tab found nothing: say so instead of doing nothing.
                Some(c) if c.candidates.is_empty() => spans.push(Span::styled(
                    "   nothing to complete (? lists the commands)",
                    theme.warn(),
                )),
                Some(c) if c.candidates.len() > 1 => {
                    spans.push(Span::styled("   Tab:", theme.dimmed()));
                    for (i, name) in c.candidates.iter().enumerate() {
                        let style = if c.index == Some(i) {
                            theme.selected()
                        } else {
                            theme.text()
                        };
                        spans.push(Span::raw(" "));
                        spans.push(Span::styled(name.clone(), style));
                    }
                }
                _ => spans.push(Span::styled(
                    "   Tab complete · Enter run · Esc cancel",
                    theme.dimmed(),
                )),
            }
            Line::from(spans)
        }
        _ => {
            // A filter term that did not parse stays in view while the filter is kept.
            let filter_problem = || {
                state
                    .view()
                    .and_then(|v| v.behaviour().filter_problem())
                    .map(|p| Status::warn(format!("filter: {p}")))
            };
            let status = state.status.clone().or_else(filter_problem);
            let mut line = match &status {
                Some(s) => {
                    let style = match s.level {
                        Level::Info => theme.text(),
                        Level::Warn => theme.warn(),
                        Level::Error => theme.error(),
                    };
                    Line::from(Span::styled(s.text.clone(), style))
                }
                None => Line::default(),
            };
            // A live load still running (streaming, or a refresh): its per-source progress.
            if let (Some(_), Some(l)) = (&state.data, &state.loading) {
                if !line.spans.is_empty() {
                    line.spans.push(Span::styled(" · ", theme.dimmed()));
                }
                line.spans
                    .push(Span::styled(format!("loading: {l}"), theme.dimmed()));
            }
            line
        }
    };
    let mut line = fit_line(line, area.width as usize);
    for s in &mut line.spans {
        s.style = theme.on_status(s.style);
    }
    frame.render_widget(Paragraph::new(line).style(theme.status()), area);
}

fn render_hints(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    // While typing a filter, the hint line says what is wrong with it (and the valid values).
    if let Mode::Filter(_) = state.mode
        && let Some(problem) = state.view().and_then(|v| v.behaviour().filter_problem())
    {
        let line = Line::from(Span::styled(format!(" ✗ {problem}"), theme.error()));
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    use crate::app::keymap::{Action, Hint, Hint::Bound, Hint::Local};
    let hints: &[Hint] = match &state.mode {
        Mode::Help { .. } => &[
            Bound(&[Action::Down, Action::Up], "scroll"),
            Local("Esc", "close"),
        ],
        Mode::Filter(_) | Mode::Command(_) | Mode::Running(_) => &[],
        Mode::Actions(_) => &[
            Bound(&[Action::Down, Action::Up], "choose"),
            Local("Enter", "preview"),
            Local("Esc", "close"),
        ],
        Mode::Confirm(c) if c.needs_typing() => &[
            Local("type the name", "confirm"),
            Local("Enter", "run"),
            Local("Esc", "cancel"),
            Local("↑/↓", "scroll"),
        ],
        Mode::Confirm(_) => &[
            Local("y", "run"),
            Local("n/Enter/Esc", "cancel"),
            Local("Tab", "edit note"),
            Local("↑/↓", "scroll"),
        ],
        Mode::Outcome(_) => &[Local("u", "undo"), Local("any key", "close")],
        Mode::Prompt(_) => &[Local("Enter", "done"), Local("Esc", "cancel")],
        // The MFA prompt owns the keyboard whatever view is under it.
        Mode::Mfa(_) => &[
            Local("0-9", "code"),
            Local("Enter", "submit"),
            Local("Esc", "cancel"),
        ],
        Mode::Normal => match state.view() {
            Some(v) => v.behaviour().hints(),
            None => &[
                Bound(&[Action::Refresh], "retry"),
                Bound(&[Action::Quit], "quit"),
            ],
        },
    };
    // Hints that do not fit are dropped whole and the line ends in "…" (`?` lists every key),
    // never cut in the middle of a word.
    const MORE: &str = "…";
    let width = area.width as usize;
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1usize;
    for (i, hint) in hints.iter().enumerate() {
        let (k, d) = (hint.key(), hint.label());
        let w = k.chars().count() + d.chars().count() + 3;
        let last = i + 1 == hints.len();
        let room = if last { width } else { width.saturating_sub(1) };
        if used + w > room {
            spans.push(Span::styled(MORE, theme.dimmed()));
            break;
        }
        used += w;
        spans.push(Span::styled(k, theme.accent()));
        spans.push(Span::styled(format!(" {d}  "), theme.dimmed()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The `?` screen, generated from the keymap and the command table.
pub fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut section = "";
    for b in KEYMAP {
        if b.section != section {
            if !section.is_empty() {
                lines.push(Line::default());
            }
            section = b.section;
            lines.push(Line::from(Span::styled(section.to_string(), theme.title())));
        }
        let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", keys.join(" ")), theme.accent()),
            Span::styled(b.help.to_string(), theme.text()),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Commands", theme.title())));
    for c in COMMANDS {
        lines.push(Line::from(vec![
            Span::styled(format!("  :{:<36}", c.label), theme.accent()),
            Span::styled(c.help.to_string(), theme.text()),
        ]));
    }
    lines
}

fn render_help(theme: &Theme, frame: &mut Frame, body: Rect, scroll: u16) {
    let w = body.width.saturating_sub(4).min(100);
    let h = body.height.saturating_sub(2);
    let area = Rect {
        x: body.x + (body.width - w) / 2,
        y: body.y + 1,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" Help — Esc closes ", theme.title()));
    frame.render_widget(
        Paragraph::new(help_lines(theme))
            .block(block)
            .scroll((scroll, 0))
            .style(theme.text()),
        area,
    );
}
