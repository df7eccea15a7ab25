//! The findings table, virtualized: only the visible slice becomes ratatui rows.
use crate::app::list::{Cursor, FindingList, GroupMode, Scope};
use crate::dataset::Dataset;
use crate::model::{Finding, Source};
use crate::ui::{block, theme::Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

pub fn sources_label(sources: &[Source]) -> String {
    sources
        .iter()
        .map(|s| s.short())
        .collect::<Vec<_>>()
        .join("+")
}

/// Why a list in `scope` may be empty although findings exist: the coverage gaps of the
/// sources (and region) it draws from, `None` when they were all read.
fn empty_reason(data: &Dataset, scope: &Scope) -> Option<String> {
    let (sources, region): (Vec<Source>, Option<&str>) = match scope {
        Scope::Source(s) | Scope::Severity(_, Some(s)) => (vec![*s], None),
        Scope::Region(r) => (Source::ALL.to_vec(), Some(r.as_str())),
        _ => (Source::ALL.to_vec(), None),
    };
    let gaps: Vec<String> = sources
        .into_iter()
        // Regional lists do not depend on the global IAM read (its findings are `global`).
        .filter(|s| !(*s == Source::Posture && region.is_some_and(|r| r != "global")))
        .filter_map(|s| data.coverage.empty_reason(s, region))
        .map(|r| r.trim_start_matches("may be incomplete: ").to_string())
        .collect();
    (!gaps.is_empty()).then(|| format!("may be incomplete: {}", gaps.join("; ")))
}

fn title(data: &Dataset, l: &FindingList) -> String {
    let mut t = format!("{} [{}", l.scope.label(), l.len());
    if l.group != GroupMode::None {
        t.push_str(&format!(" groups · {} findings", l.rows.len()));
    }
    t.push(']');
    if !l.filter.text.is_empty() {
        t.push_str(&format!(" /{}", l.filter.text));
        if l.fuzzy_fallback {
            t.push_str(" (no exact match: fuzzy)");
        }
    }
    t.push_str(&format!(
        " · sort {}{}",
        l.sort.label(),
        if l.descending { "↓" } else { "↑" }
    ));
    if l.group != GroupMode::None {
        t.push_str(&format!(" · grouped by {}", l.group.label()));
    }
    if l.show_closed {
        t.push_str(" · incl. closed");
    }
    if !l.marked.is_empty() {
        t.push_str(&format!(" · {} marked", l.marked.len()));
    }
    let _ = data;
    t
}

pub fn render(data: &Dataset, l: &FindingList, theme: &Theme, frame: &mut Frame, area: Rect) {
    let blk = block(title(data, l), theme);
    let inner_h = area.height.saturating_sub(3) as usize;
    if l.is_empty() {
        let msg = if l.filter.text.is_empty() {
            "No open findings here. Press a to include resolved, suppressed and archived ones."
        } else {
            "Nothing matches the filter. Press / to change it, Esc in the filter to clear it."
        };
        let mut lines = vec![Line::from(Span::styled(msg, theme.dimmed()))];
        // Unknown is not zero: an empty list from a source that was not fully read says so.
        if let Some(why) = empty_reason(data, &l.scope) {
            lines.insert(
                0,
                Line::from(Span::styled(
                    format!("This list {why}"),
                    theme.warn().add_modifier(Modifier::BOLD),
                )),
            );
        }
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(blk),
            area,
        );
        return;
    }
    // Keep the selection visible even if the stored offset is stale (pure render: no mutation).
    let offset = Cursor {
        offset: l.cursor.offset.min(l.len().saturating_sub(1)),
        ..l.cursor
    }
    .window(inner_h);
    let end = (offset + inner_h).min(l.len());
    let wide = area.width >= 120;
    let medium = area.width >= 96;
    if l.group == GroupMode::None {
        let rows: Vec<Row> = (offset..end)
            .map(|i| {
                let fi = l.rows[i];
                let f = &data.findings[fi];
                finding_row(
                    f,
                    l.marked.contains(&fi),
                    i == l.cursor.selected,
                    wide,
                    medium,
                    theme,
                )
            })
            .collect();
        let mut header = vec!["", "SEV", "SOURCE"];
        let mut widths = vec![
            Constraint::Length(1),
            Constraint::Length(8),
            Constraint::Length(8),
        ];
        if wide {
            header.push("REGION");
            widths.push(Constraint::Length(14));
        }
        if medium {
            header.push("TYPE / CONTROL");
            widths.push(Constraint::Length(28));
        }
        header.extend(["RESOURCE", "TITLE"]);
        widths.extend([Constraint::Length(22), Constraint::Fill(1)]);
        if wide {
            header.push("STATUS");
            widths.push(Constraint::Length(10));
        }
        header.push("LAST SEEN");
        widths.push(Constraint::Length(11));
        let table = Table::new(rows, widths)
            .header(Row::new(header).style(theme.title()))
            .block(blk)
            .column_spacing(1);
        frame.render_widget(table, area);
    } else {
        let rows: Vec<Row> = (offset..end)
            .map(|i| {
                let g = &l.groups[i];
                let marked = g.members.iter().all(|m| l.marked.contains(m));
                let style = if i == l.cursor.selected {
                    theme.selected()
                } else if marked {
                    theme.marked()
                } else {
                    theme.text()
                };
                let mut cells = vec![
                    Cell::from(if marked { "●" } else { " " }),
                    Cell::from(Span::styled(g.severity.label(), theme.severity(g.severity))),
                ];
                if l.group == GroupMode::ControlResource {
                    cells.push(Cell::from(g.control.clone()));
                }
                cells.push(Cell::from(g.resource_name.clone()));
                cells.push(Cell::from(format!("{:>5}", g.members.len())));
                cells.push(Cell::from(sources_label(&g.sources)));
                if wide {
                    cells.push(Cell::from(g.region.clone()));
                }
                cells.push(Cell::from(g.title.clone()));
                Row::new(cells).style(style)
            })
            .collect();
        let mut header = vec!["", "SEV"];
        let mut widths = vec![Constraint::Length(1), Constraint::Length(8)];
        if l.group == GroupMode::ControlResource {
            header.push("CONTROL / TYPE");
            widths.push(Constraint::Length(28));
        }
        header.extend(["RESOURCE", "COUNT", "SOURCES"]);
        widths.extend([
            Constraint::Length(24),
            Constraint::Length(5),
            Constraint::Length(11),
        ]);
        if wide {
            header.push("REGION");
            widths.push(Constraint::Length(14));
        }
        header.push("TITLE (worst)");
        widths.push(Constraint::Fill(1));
        let table = Table::new(rows, widths)
            .header(Row::new(header).style(theme.title()))
            .block(blk)
            .column_spacing(1);
        frame.render_widget(table, area);
    }
}

fn finding_row<'a>(
    f: &'a Finding,
    marked: bool,
    selected: bool,
    wide: bool,
    medium: bool,
    theme: &Theme,
) -> Row<'a> {
    let style = if selected {
        theme.selected()
    } else if marked {
        theme.marked()
    } else if !f.workflow.is_open() {
        theme.dimmed()
    } else {
        theme.text()
    };
    let mut cells = vec![
        Cell::from(if marked { "●" } else { " " }),
        Cell::from(Line::from(Span::styled(
            f.severity.label(),
            theme.severity(f.severity),
        ))),
        Cell::from(sources_label(&f.sources())),
    ];
    if wide {
        cells.push(Cell::from(f.region.as_str()));
    }
    if medium {
        cells.push(Cell::from(f.control_id.as_deref().unwrap_or(&f.kind)));
    }
    cells.push(Cell::from(
        f.primary_resource().map(|r| r.name.as_str()).unwrap_or("-"),
    ));
    cells.push(Cell::from(f.title.as_str()));
    if wide {
        cells.push(Cell::from(f.workflow.label()));
    }
    cells.push(Cell::from(f.last_seen.format("%m-%d %H:%M").to_string()));
    Row::new(cells).style(style)
}
