//! Small drawing helpers every view shares.
use super::columns;
use super::theme::Theme;
use crate::app::columns::Elide;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
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

/// `line` cut to `width` columns; a cut ends in "…", so nothing disappears unmarked.
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let room = width.saturating_sub(1);
    for s in line.spans {
        let w = s.width();
        if used + w <= room {
            used += w;
            out.push(s);
            continue;
        }
        // `w` exceeds what is left, so this always cuts and ends in "…" (or is empty).
        let cut = columns::elide(&s.content, room - used, Elide::End).into_owned();
        if !cut.is_empty() {
            out.push(Span::styled(cut, s.style));
        }
        break;
    }
    if !out.last().is_some_and(|s| s.content.ends_with('…')) {
        out.push(Span::raw("…"));
    }
    Line::from(out)
}

/// Lines for a bordered box of `inner_w` x `inner_h`: every line cut with "…" at the width,
/// and when there are more lines than rows the last row says how many are not shown.
pub fn clip_box(
    lines: Vec<Line<'static>>,
    inner_w: u16,
    inner_h: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let (w, h) = (inner_w as usize, inner_h as usize);
    let n = lines.len();
    let keep = if n > h { h.saturating_sub(1) } else { n };
    let mut out: Vec<Line<'static>> = lines
        .into_iter()
        .take(keep)
        .map(|l| fit_line(l, w))
        .collect();
    if n > keep && h > 0 {
        out.push(fit_line(
            Line::from(Span::styled(
                format!(
                    "… +{} more line{}",
                    n - keep,
                    if n - keep == 1 { "" } else { "s" }
                ),
                theme.warn(),
            )),
            w,
        ));
    }
    out
}
