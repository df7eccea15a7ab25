//! Remediation on screen: the action menu, the confirm dialog with the exact calls, progress,
//! the outcome (the `:journal` table is `ui::views::journal`).

use crate::app::act::{Confirm, Menu, OutcomeView, Running};
use crate::app::{State, truncate};
use crate::remediation::journal::Status;
use crate::remediation::{Plan, UndoPlan};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// A centered box `w` wide (at most) and `h` high inside `body`.
fn popup(body: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(body.width.saturating_sub(2)).max(1);
    let h = h.min(body.height);
    Rect {
        x: body.x + (body.width - w) / 2,
        y: body.y + (body.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The line that says nothing will be called, and why.
fn dry_run_banner(state: &State, theme: &Theme) -> Option<Line<'static>> {
    state.act.dry_run.then(|| {
        Line::from(Span::styled(
            format!(
                "DRY RUN — {}",
                state
                    .act
                    .dry_run_reason
                    .as_deref()
                    .unwrap_or("plans are journaled, nothing is called")
            ),
            theme.warn(),
        ))
    })
}

fn dialog<'a>(title: String, style: Style, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(format!(" {title} "), theme.title()))
}

pub fn render_menu(menu: &Menu, state: &State, theme: &Theme, frame: &mut Frame, body: Rect) {
    let h = (menu.plans.len() as u16 + 4).min(body.height);
    let area = popup(body, 100, h);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line> = dry_run_banner(state, theme).into_iter().collect();
    let inner_w = area.width.saturating_sub(4) as usize;
    for (i, p) in menu.plans.iter().enumerate() {
        let mark = if p.irreversible() && p.destructive {
            "!"
        } else if p.destructive {
            "*"
        } else {
            " "
        };
        let weakens = p.weakens_security();
        let style = if i == menu.cursor {
            theme.selected()
        } else if p.destructive || weakens {
            theme.warn()
        } else {
            theme.text()
        };
        let label = if weakens {
            format!("{mark} {} (weakens security)", p.title)
        } else {
            format!("{mark} {}", p.title)
        };
        lines.push(Line::from(Span::styled(truncate(&label, inner_w), style)));
    }
    let title = format!(
        "Actions — {} — Enter preview · Esc close",
        truncate(&menu.subject, 40)
    );
    frame.render_widget(
        Paragraph::new(lines).block(dialog(title, theme.border(true), theme)),
        area,
    );
}

/// The preview: every call with its exact parameters, what is checked first, the undo plan,
/// what stays allowed, the permissions. Shared by the dialog and tests.
pub fn plan_lines(plan: &Plan, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(plan.title.clone(), theme.title()))];
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("API calls ({}):", plan.calls.len()),
        theme.accent(),
    )));
    for (i, c) in plan.calls.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!(" {}. ", i + 1), theme.dimmed()),
            Span::styled(
                format!(
                    "{} ({})",
                    c.permission(),
                    c.region.as_deref().unwrap_or("global")
                ),
                theme.accent().add_modifier(Modifier::BOLD),
            ),
        ]));
        lines.push(Line::from(Span::styled(
            format!("    {}", c.params),
            theme.text(),
        )));
    }
    if !plan.preconditions.is_empty() {
        lines.push(Line::from(Span::styled("Checked first:", theme.accent())));
        for p in &plan.preconditions {
            lines.push(Line::from(Span::styled(
                format!(" - {} ({})", p.describe(), p.read().permission()),
                theme.text(),
            )));
        }
    }
    if let Some(c) = &plan.capture {
        let reads: Vec<String> = c.reads().iter().map(|r| r.permission()).collect();
        lines.push(Line::from(Span::styled(
            format!("Saved to the journal first: {}", reads.join(", ")),
            theme.text(),
        )));
    }
    if plan.calls.iter().any(|c| c.is_mutating()) {
        let undo_style = match plan.undo {
            UndoPlan::Irreversible { .. } => theme.error(),
            _ => theme.ok(),
        };
        lines.push(Line::from(Span::styled(plan.undo.describe(), undo_style)));
    } else {
        lines.push(Line::from(Span::styled(
            "Reads only: nothing in the account changes.",
            theme.ok(),
        )));
    }
    for n in &plan.notes {
        lines.push(Line::from(Span::styled(format!("Note: {n}"), theme.warn())));
    }
    lines.push(Line::from(Span::styled(
        format!("Permissions: {}", plan.permissions().join(", ")),
        theme.dimmed(),
    )));
    lines
}

pub fn render_confirm(c: &Confirm, state: &State, theme: &Theme, frame: &mut Frame, body: Rect) {
    let border = if c.plan.destructive {
        theme.error()
    } else {
        theme.border(true)
    };
    let mut lines: Vec<Line> = dry_run_banner(state, theme).into_iter().collect();
    // Over an organization, which account the calls go to (and as whom) comes first.
    if let Some(org) = &state.org {
        lines.push(Line::from(vec![
            Span::styled("In account ", theme.accent()),
            Span::styled(
                crate::sanitize::line(&org.label(&state.act.account)).into_owned(),
                theme.text().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    " as {}",
                    crate::sanitize::line(state.act.caller.as_deref().unwrap_or("?"))
                ),
                theme.dimmed(),
            ),
        ]));
    }
    lines.extend(plan_lines(&c.plan, theme));
    // The question stays on screen however long the preview is: it is drawn below the
    // scrollable part.
    let mut prompt = Vec::new();
    if let Some(note) = c.note() {
        let cursor = if c.editing_note { "█" } else { "" };
        prompt.push(Line::from(vec![
            Span::styled("Note: ", theme.accent()),
            Span::styled(format!("{note}{cursor}"), theme.text()),
            Span::styled(
                if c.editing_note {
                    "  (Enter done)"
                } else {
                    "  (Tab edit)"
                },
                theme.dimmed(),
            ),
        ]));
    }
    if let Some((subject, hidden)) = &c.batch {
        let (text, style) = match hidden {
            0 => (format!("For {subject}."), theme.text()),
            _ => (
                format!("For {subject}: they are acted on too (Esc, then Ctrl-\\ clears marks)."),
                theme.warn().add_modifier(Modifier::BOLD),
            ),
        };
        prompt.push(Line::from(Span::styled(text, style)));
    }
    if let Some(typed) = &c.mismatch {
        prompt.push(Line::from(Span::styled(
            format!(
                "✗ {typed:?} is not {} — nothing was run. Fix it and press Enter, or Esc.",
                c.plan.confirm_text
            ),
            theme.error(),
        )));
    }
    if c.needs_typing() {
        prompt.push(Line::from(vec![
            Span::styled(
                format!(
                    "{}. Type {} and press Enter to confirm, Esc to cancel: ",
                    if c.weakens_security() {
                        "WEAKENS SECURITY"
                    } else {
                        "IRREVERSIBLE"
                    },
                    c.plan.confirm_text
                ),
                theme.error().add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("{}█", c.typed), theme.text()),
        ]));
    } else {
        prompt.push(Line::from(Span::styled(
            "Run these calls? y = yes · n / Enter / Esc = no (default No)",
            if c.plan.destructive {
                theme.error().add_modifier(Modifier::BOLD)
            } else {
                theme.accent().add_modifier(Modifier::BOLD)
            },
        )));
    }
    let title = if c.plan.destructive {
        "Confirm — changes access"
    } else {
        "Confirm"
    };
    let width = 110.min(body.width.saturating_sub(2));
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let rows = |ls: &[Line]| -> u16 {
        ls.iter()
            .map(|l| l.width().max(1).div_ceil(inner_w) as u16)
            .sum()
    };
    let prompt_h = rows(&prompt);
    let area = popup(body, width, rows(&lines) + prompt_h + 2);
    frame.render_widget(Clear, area);
    let block = dialog(title.into(), border, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let prompt_h = prompt_h.min(inner.height);
    let top = Rect {
        height: inner.height - prompt_h,
        ..inner
    };
    let bottom = Rect {
        y: inner.y + top.height,
        height: prompt_h,
        ..inner
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((c.scroll, 0)),
        top,
    );
    frame.render_widget(Paragraph::new(prompt).wrap(Wrap { trim: false }), bottom);
}

pub fn render_running(r: &Running, theme: &Theme, frame: &mut Frame, body: Rect) {
    let area = popup(body, 110, (r.lines.len() as u16 + 4).min(body.height));
    frame.render_widget(Clear, area);
    let mut lines = vec![Line::from(Span::styled(r.title.clone(), theme.title()))];
    lines.extend(
        r.lines
            .iter()
            .map(|l| Line::from(Span::styled(l.clone(), theme.text()))),
    );
    frame.render_widget(
        Paragraph::new(lines)
            .block(dialog("Running…".into(), theme.border(true), theme))
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub(crate) fn status_style(s: Status, theme: &Theme) -> Style {
    match s {
        Status::Succeeded | Status::DryRun => theme.ok(),
        Status::Partial | Status::Refused | Status::Running => theme.warn(),
        Status::Failed | Status::Unknown => theme.error(),
    }
}

pub fn render_outcome(o: &OutcomeView, theme: &Theme, frame: &mut Frame, body: Rect) {
    let out = &o.outcome;
    let mut lines = vec![
        Line::from(Span::styled(out.title.clone(), theme.title())),
        Line::from(vec![
            Span::styled(
                out.status.label().to_string(),
                status_style(out.status, theme),
            ),
            Span::styled(format!(" — {}", out.message), theme.text()),
        ]),
        Line::default(),
    ];
    for (i, r) in out.results.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {} ", if r.ok { "✓" } else { "✗" }),
                if r.ok { theme.ok() } else { theme.error() },
            ),
            Span::styled(
                format!("{}. {} ", i + 1, r.call.permission()),
                theme.accent(),
            ),
            Span::styled(r.detail.clone(), theme.text()),
        ]));
        lines.push(Line::from(Span::styled(
            format!("    {}", r.call.params),
            theme.dimmed(),
        )));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        if out.undo.is_empty() {
            "Nothing to undo.".to_string()
        } else {
            format!(
                "u undoes it ({} call(s)). Journal entry {}.",
                out.undo.len(),
                out.id
            )
        },
        theme.dimmed(),
    )));
    lines.push(Line::from(Span::styled("any key closes", theme.dimmed())));
    let area = popup(body, 110, (lines.len() as u16 + 2).min(body.height));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(dialog(
                "Result".into(),
                status_style(out.status, theme),
                theme,
            ))
            .wrap(Wrap { trim: false })
            .scroll((o.scroll, 0)),
        area,
    );
}
