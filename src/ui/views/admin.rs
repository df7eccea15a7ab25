//! `:who-can-admin`: principals with a path to an administrator, and the "can become" tree of a
//! principal's page. Both draw rows the app prepared (`app::views::paths`).
use crate::app::{Cursor, Tone, Tree, WhoCanAdminView};
use crate::sanitize;
use crate::ui::block;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

pub fn tone(t: Tone, theme: &Theme) -> Style {
    match t {
        Tone::Text => theme.text(),
        Tone::Dim => theme.dimmed(),
        Tone::Method => theme.accent(),
        Tone::Admin => theme.error(),
        Tone::More => theme.warn(),
        Tone::Caveat => theme.warn(),
    }
}

pub fn render(v: &WhoCanAdminView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let l = &v.list;
    let mut title = format!("who can become admin [{}]", l.rows.len());
    if v.admins > 0 {
        title.push_str(&format!(" · {} already admin", v.admins));
    }
    if !l.filter.is_empty() {
        title.push_str(&format!(" /{}", sanitize::line(&l.filter)));
    }
    let blk = block(title, theme);
    if v.rows.is_empty() {
        let text = match &v.caveat {
            // Unknown is not zero: an incomplete inventory cannot say "nobody".
            Some(why) => vec![
                Line::styled("No path to admin found in what was read,", theme.warn()),
                Line::styled(format!("but {why}."), theme.warn()),
            ],
            None => vec![Line::styled(
                "No principal can become admin (the IAM inventory was read completely).",
                theme.ok(),
            )],
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(blk),
            area,
        );
        return;
    }
    let inner = blk.inner(area);
    frame.render_widget(blk, area);
    let [note, body] = if v.caveat.is_some() {
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner)
    } else {
        Layout::vertical([Constraint::Length(0), Constraint::Min(1)]).areas(inner)
    };
    if let Some(why) = &v.caveat {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("This list may be incomplete: {why}"),
                theme.warn(),
            )),
            note,
        );
    }
    let height = body.height.saturating_sub(1) as usize;
    let start = l.cursor.window(height).min(l.rows.len());
    let end = (start + height).min(l.rows.len());
    let rows: Vec<Row> = l.rows[start..end]
        .iter()
        .enumerate()
        .filter_map(|(k, &i)| {
            let r = v.rows.get(i)?;
            let style = if start + k == l.cursor.selected {
                theme.selected()
            } else {
                theme.text()
            };
            Some(
                Row::new(vec![
                    Cell::from(r.name.clone()),
                    Cell::from(format!("{:>4}", r.hops)),
                    Cell::from(Span::styled(r.method.clone(), theme.accent())),
                    Cell::from(r.granted_by.clone()),
                    Cell::from(Span::styled(r.caveat.clone(), theme.warn())),
                ])
                .style(style),
            )
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Fill(2),
            Constraint::Length(4),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(vec![
            "PRINCIPAL",
            "HOPS",
            "FIRST METHOD",
            "GRANTED BY",
            "CONDITIONS",
        ])
        .style(theme.header()),
    )
    .column_spacing(1);
    frame.render_widget(table, body);
}

fn char_width(c: char) -> usize {
    Span::raw(c.to_string()).width()
}

/// One tree row as screen lines of at most `width` columns: a row too long for the box goes on
/// indented continuation lines instead of being cut off.
fn row_lines(prefix: &str, spans: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let indent = " ".repeat(Span::raw(prefix.to_string()).width() + 2);
    let mut out = Vec::new();
    let mut cur: Vec<Span> = vec![Span::raw(prefix.to_string())];
    let mut used = Span::raw(prefix.to_string()).width();
    for span in spans {
        let mut buf = String::new();
        for c in span.content.chars() {
            let w = char_width(c);
            if used + w > width && used > indent.len() {
                if !buf.is_empty() {
                    cur.push(Span::styled(std::mem::take(&mut buf), span.style));
                }
                out.push(Line::from(std::mem::take(&mut cur)));
                cur.push(Span::raw(indent.clone()));
                used = indent.len();
            }
            buf.push(c);
            used += w;
        }
        if !buf.is_empty() {
            cur.push(Span::styled(buf, span.style));
        }
    }
    out.push(Line::from(cur));
    out
}

/// The tree in a box of `width` x `height`: the rows from the cursor's window (a long row
/// wraps), and, when they do not all fit, a last line that says how many more there are
/// instead of cutting them off.
pub fn tree_lines(
    t: &Tree,
    cursor: Cursor,
    width: usize,
    height: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let n = t.rows.len();
    if n == 0 || height == 0 {
        return Vec::new();
    }
    let lines: Vec<Vec<Line>> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let sel = i == cursor.selected;
            let spans = r
                .spans
                .iter()
                .map(|(s, tn)| {
                    let st = if sel {
                        theme.selected()
                    } else {
                        tone(*tn, theme)
                    };
                    Span::styled(s.clone(), st)
                })
                .collect();
            let mut ls = row_lines(r.prefix, spans, width.max(8));
            for l in &mut ls {
                if let Some(first) = l.spans.first_mut() {
                    first.style = theme.dimmed();
                }
            }
            ls
        })
        .collect();
    let total: usize = lines.iter().map(Vec::len).sum();
    if total <= height {
        return lines.into_iter().flatten().collect();
    }
    // One line is kept for the "+N more" note.
    let h = height.saturating_sub(1).max(1);
    let selected = cursor.selected.min(n - 1);
    let mut start = cursor.window(h).min(selected);
    // Wrapped rows take more than one line: move down until the selected row fits.
    while start < selected && lines[start..=selected].iter().map(Vec::len).sum::<usize>() > h {
        start += 1;
    }
    let mut out = Vec::new();
    let mut end = start;
    while end < n && out.len() + lines[end].len() <= h {
        out.extend(lines[end].iter().cloned());
        end += 1;
    }
    if end == start {
        // One row longer than the whole box: show its beginning.
        out.extend(lines[start].iter().take(h).cloned());
        end = start + 1;
    }
    let mut note = Vec::new();
    if end < n {
        note.push(format!("+{} more below", n - end));
    }
    if start > 0 {
        note.push(format!("+{start} above"));
    }
    out.push(Line::styled(
        format!("{} · j/k scroll", note.join(" · ")),
        theme.dimmed(),
    ));
    out
}

impl super::Draw for crate::app::views::admin::WhoCanAdminView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(self, cx.theme, frame, area)
    }
}
