//! The incident walkthrough: steps by phase on the left with their status, the selected step on
//! the right (why, what it does, what was seen and done).

use crate::app::incident::IncidentUi;
use crate::app::modes::prompt::{Prompt, PromptFor};
use crate::app::{State, truncate};
use crate::incident::{StepKind, StepState, StepStatus, fill};
use crate::ui::block;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(ui) = state.incident.as_deref() else {
        frame.render_widget(
            Paragraph::new("No incident: :incident on a finding or user starts one.")
                .block(block("Incident".into(), theme)),
            area,
        );
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    render_steps(ui, state.parked_incidents.len(), theme, frame, left);
    render_step(ui, state, theme, frame, right);
}

fn status_span(st: &StepStatus, current: bool, theme: &Theme) -> Span<'static> {
    match st {
        StepStatus::Done => Span::styled("✓", theme.ok()),
        StepStatus::DryRun => Span::styled("○", theme.warn()),
        StepStatus::Skipped { .. } => Span::styled("–", theme.dimmed()),
        StepStatus::Failed { .. } => Span::styled("✗", theme.error()),
        StepStatus::Unknown { .. } => Span::styled("?", theme.warn()),
        StepStatus::Pending if current => Span::styled("▶", theme.accent()),
        StepStatus::Pending => Span::styled("·", theme.dimmed()),
    }
}

fn render_steps(ui: &IncidentUi, parked: usize, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inc = &ui.inc;
    let current = inc.current();
    let mut lines = vec![
        Line::from(Span::styled(inc.subject.label(), theme.title())),
        Line::from(Span::styled(
            format!(
                "{} · started {}",
                inc.id,
                inc.started.format("%Y-%m-%d %H:%M UTC")
            ),
            theme.dimmed(),
        )),
    ];
    if parked > 0 {
        lines.push(Line::from(Span::styled(
            format!("{parked} more open (]/[)"),
            theme.warn(),
        )));
    }
    let mut phase = "";
    let mut cursor_line = 0usize;
    // Borders (2) and " ✓ 12. " (7): the title gets the rest, ending in "…" when cut.
    let width = area.width.saturating_sub(9) as usize;
    for (i, (def, st)) in inc.playbook.steps.iter().zip(&inc.steps).enumerate() {
        if def.phase.label() != phase {
            phase = def.phase.label();
            lines.push(Line::from(Span::styled(
                phase.to_uppercase(),
                theme.accent(),
            )));
        }
        let style = if i == ui.cursor {
            theme.selected()
        } else {
            theme.text()
        };
        let opt = if def.optional { " (optional)" } else { "" };
        if i == ui.cursor {
            cursor_line = lines.len();
        }
        lines.push(Line::from(vec![
            Span::raw(" "),
            status_span(&st.status, current == Some(i), theme),
            Span::styled(
                format!(
                    " {:>2}. {}",
                    i + 1,
                    truncate(&format!("{}{opt}", def.title), width)
                ),
                style,
            ),
        ]));
    }
    let done = inc.steps.iter().filter(|s| s.status.is_settled()).count();
    // The keys are in the hint bar; the title keeps what must not be cut: playbook and progress.
    let title = format!("{} — {done}/{}", inc.playbook.title, inc.steps.len());
    // Keep the selected step visible on short terminals.
    let inner = area.height.saturating_sub(2) as usize;
    let scroll = (cursor_line + 2).saturating_sub(inner) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(title, theme))
            .scroll((scroll, 0)),
        area,
    );
}

fn render_step(ui: &IncidentUi, state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inc = &ui.inc;
    let i = ui.cursor.min(inc.steps.len().saturating_sub(1));
    let def = &inc.playbook.steps[i];
    let st = &inc.steps[i];
    let mut lines = vec![
        Line::from(Span::styled(def.title.clone(), theme.title())),
        Line::from(Span::styled(
            format!("{} · {}", def.phase.label(), st.status.label()),
            theme.dimmed(),
        )),
        Line::default(),
    ];
    if !def.why.is_empty() {
        lines.push(Line::from(Span::styled(def.why.clone(), theme.text())));
        lines.push(Line::default());
    }
    let what = match &def.kind {
        StepKind::Inspect { inspect } => format!("Inspection ({inspect}): Enter shows the facts."),
        StepKind::Action { action } => format!(
            "Action ({action}): Enter previews the exact API calls and asks before running."
        ),
        StepKind::Note { prompt } => format!("Note: Enter and type — {prompt}"),
        StepKind::Manual { text } => format!("By hand: {}", fill(text, &inc.subject)),
    };
    lines.push(Line::from(Span::styled(what, theme.accent())));
    if ui.looking_up == Some(i) {
        lines.push(Line::from(Span::styled(
            "looking up CloudTrail in every region…",
            theme.warn(),
        )));
    }
    result_lines(&mut lines, st, true, theme);
    if let Some(j) = ui.last.filter(|&j| j != i) {
        let (ldef, lst) = (&inc.playbook.steps[j], &inc.steps[j]);
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "── step {} just finished: {} — {}",
                j + 1,
                ldef.title,
                lst.status.label()
            ),
            theme.title(),
        )));
        result_lines(&mut lines, lst, false, theme);
    }
    if state.act.dry_run {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "DRY RUN: actions are journaled, nothing is called",
            theme.warn(),
        )));
    }
    // Scrolled with PgDn / PgUp; the title says when more is below or above.
    let para = Paragraph::new(lines).wrap(Wrap { trim: false });
    let inner_w = area.width.saturating_sub(2).max(1);
    let total = para.line_count(inner_w) as u16;
    let inner_h = area.height.saturating_sub(2);
    let max_scroll = total.saturating_sub(inner_h);
    let scroll = ui.scroll.min(max_scroll);
    let more = match (scroll > 0, scroll < max_scroll) {
        (true, true) => " · ↑↓ more (PgUp/PgDn)",
        (false, true) => " · more below (PgDn)",
        (true, false) => " · more above (PgUp)",
        (false, false) => "",
    };
    frame.render_widget(
        para.block(block(format!("Step {}{more}", i + 1), theme))
            .scroll((scroll, 0)),
        area,
    );
}

/// What a step saw and did (and why it was skipped, failed or is unknown).
fn result_lines(lines: &mut Vec<Line<'static>>, st: &StepState, current: bool, theme: &Theme) {
    match &st.status {
        StepStatus::Skipped { reason } => lines.push(Line::from(Span::styled(
            format!("Skipped: {reason}"),
            theme.dimmed(),
        ))),
        StepStatus::Failed { error } => {
            lines.push(Line::from(Span::styled(
                format!("Failed: {error}"),
                theme.error(),
            )));
            if current {
                lines.push(Line::from(Span::styled(
                    "Enter retries it, s skips it with a reason.",
                    theme.warn(),
                )));
            }
        }
        StepStatus::Unknown { reason } => {
            lines.push(Line::from(Span::styled(
                format!("Unknown — {reason}"),
                theme.warn(),
            )));
            if current {
                lines.push(Line::from(Span::styled(
                    "Enter looks again, s skips it with a reason.",
                    theme.warn(),
                )));
            }
        }
        _ => {}
    }
    if let Some(at) = st.at {
        lines.push(Line::from(Span::styled(
            format!(
                "{} at {}{}",
                st.status.label(),
                at.format("%Y-%m-%d %H:%M:%S UTC"),
                st.by
                    .as_deref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default()
            ),
            theme.dimmed(),
        )));
    }
    if !st.seen.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Seen", theme.title())));
        lines.extend(
            st.seen
                .iter()
                .map(|s| Line::from(Span::styled(format!("  {s}"), theme.text()))),
        );
    }
    if !st.did.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Done", theme.title())));
        lines.extend(
            st.did
                .iter()
                .map(|s| Line::from(Span::styled(format!("  {s}"), theme.text()))),
        );
    }
    if let Some(j) = &st.journal_id {
        lines.push(Line::from(Span::styled(
            format!("journal entry {j}"),
            theme.dimmed(),
        )));
    }
}

pub fn render_prompt(p: &Prompt, theme: &Theme, frame: &mut Frame, body: Rect) {
    let w = body.width.saturating_sub(4).min(100);
    // Room for the whole label, wrapped, plus the answer line: never cut the question.
    let inner = w.saturating_sub(2).max(1) as usize;
    let label_lines = p.label.chars().count().div_ceil(inner).max(1) as u16;
    let h = (label_lines + 3).min(body.height);
    let area = Rect {
        x: body.x + (body.width - w) / 2,
        y: body.y + body.height.saturating_sub(h) / 2,
        width: w,
        height: h,
    };
    let (answer, title) = if p.what == PromptFor::Quit {
        (p.text.clone(), "Quit?")
    } else {
        (format!("{}█", p.text), "Enter done · Esc cancel")
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(p.label.clone(), theme.accent())),
            Line::from(Span::styled(answer, theme.text())),
        ])
        .wrap(Wrap { trim: false })
        .block(block(title.into(), theme)),
        area,
    );
}

impl super::Draw for crate::app::views::incident::IncidentView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(cx.state, cx.theme, frame, area)
    }
}
