//! The findings table, virtualized: only the visible slice becomes ratatui rows.
use crate::app::columns::{ColumnPrefs, Elide, TableId};
use crate::app::list::{Cursor, FindingList, Group, GroupMode, Scope};
use crate::dataset::Dataset;
use crate::model::Count;
use crate::model::{Finding, Source};
use crate::ui::columns::{Laid, constraints, elide, headers, lay_out, widest};
use crate::ui::{block, theme::Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use std::borrow::Cow;

pub fn sources_label(sources: &[Source]) -> String {
    sources
        .iter()
        .map(|s| s.short())
        .collect::<Vec<_>>()
        .join("+")
}

/// The sources (and region) a list in `scope` draws from, as coverage knows them. Regional
/// lists do not depend on the global IAM read (posture findings there come from service
/// statuses; IAM's own are `global`).
fn scope_sources(scope: &Scope) -> (Vec<Source>, Option<&str>) {
    let (sources, region): (Vec<Source>, Option<&str>) = match scope {
        Scope::Source(s) | Scope::Severity(_, Some(s)) => (vec![*s], None),
        Scope::Region(r) => (Source::ALL.to_vec(), Some(r.as_str())),
        _ => (Source::ALL.to_vec(), None),
    };
    let sources = sources
        .into_iter()
        .filter(|s| !(*s == Source::Posture && region.is_some_and(|r| r != "global")))
        .collect();
    (sources, region)
}

/// Why a list in `scope` may be empty although findings exist: the coverage gaps of the
/// sources (and region) it draws from, `None` when they were all read.
fn empty_reason(data: &Dataset, scope: &Scope) -> Option<String> {
    let (sources, region) = scope_sources(scope);
    let gaps: Vec<String> = sources
        .into_iter()
        .filter_map(|s| data.coverage.empty_reason(s, region))
        .map(|r| r.trim_start_matches("may be incomplete: ").to_string())
        .collect();
    (!gaps.is_empty()).then(|| format!("may be incomplete: {}", gaps.join("; ")))
}

/// A count of the list's rows as the overview qualifies its counts: exact only when every
/// source the list draws from was read completely, otherwise `≥n` (or `?` for none).
fn qualified(data: &Dataset, scope: &Scope, n: usize) -> Count {
    match (empty_reason(data, scope), n) {
        (None, _) => Count::Exact(n),
        (Some(_), 0) => Count::Unknown,
        (Some(_), _) => Count::AtLeast(n),
    }
}

fn title(data: &Dataset, l: &FindingList, prefs: &ColumnPrefs) -> String {
    let mut t = format!(
        "{} [{}",
        l.scope.label(),
        qualified(data, &l.scope, l.len())
    );
    if l.group != GroupMode::None {
        t.push_str(&format!(
            " groups · {} findings",
            qualified(data, &l.scope, l.rows.len())
        ));
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
    let org = data.is_organization();
    let table = if l.group == GroupMode::None {
        crate::app::columns::findings_table(org)
    } else {
        TableId::Groups
    };
    let hidden = prefs.hidden_names(table);
    if !hidden.is_empty() {
        t.push_str(&format!(" · hidden: {}", hidden.join(",")));
    }
    t
}

pub fn render<'a>(
    data: &'a Dataset,
    l: &FindingList,
    prefs: &ColumnPrefs,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    // A long filter must not push the count and sort out of sight unmarked.
    let t = title(data, l, prefs);
    let blk = block(
        elide(&t, area.width.saturating_sub(4) as usize, Elide::End).into_owned(),
        theme,
    );
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
    // Column widths follow the widest values of the list (its first rows and the visible
    // ones, so a huge list costs no more per frame and widths stay put while scrolling).
    let inner_w = area.width.saturating_sub(2);
    let sample = |len: usize| (0..len.min(WIDTH_SAMPLE)).chain(offset..end);
    let org = data.is_organization();
    if l.group == GroupMode::None {
        let t = crate::app::columns::findings_table(org);
        let cells = |f: &'a Finding, marked: bool| {
            let mut c = finding_cells(f, marked);
            if org {
                c.insert(2, Cow::Borrowed(data.account_name(&f.account)));
            }
            c
        };
        let want = widest(
            t.columns().len(),
            sample(l.len()).map(|i| cells(&data.findings[l.rows[i]], false)),
        );
        let laid = lay_out(t, prefs, inner_w, &want);
        let rows: Vec<Row> = (offset..end)
            .map(|i| {
                let fi = l.rows[i];
                let f = &data.findings[fi];
                let style = if i == l.cursor.selected {
                    theme.selected()
                } else if l.marked.contains(&fi) {
                    theme.marked()
                } else if !f.workflow.is_open() {
                    theme.dimmed()
                } else {
                    theme.text()
                };
                let cells = cells(f, l.marked.contains(&fi));
                let sev = sev_style(theme, f.severity, i == l.cursor.selected);
                laid_row(t, &laid, cells, |id| (id == "sev").then_some(sev)).style(style)
            })
            .collect();
        let table = Table::new(rows, constraints(&laid))
            .header(Row::new(headers(t, &laid)).style(theme.title()))
            .block(blk)
            .column_spacing(1);
        frame.render_widget(table, area);
    } else {
        let t = TableId::Groups;
        let control = l.group == GroupMode::ControlResource;
        let want = widest(
            t.columns().len(),
            sample(l.len()).map(|i| group_cells(&l.groups[i], false)),
        );
        let mut p = prefs.clone();
        if !control {
            // Grouped by resource alone: there is no control to show.
            let _ = p.command(t, "-type");
        }
        let laid = lay_out(t, &p, inner_w, &want);
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
                let sev = sev_style(theme, g.severity, i == l.cursor.selected);
                laid_row(t, &laid, group_cells(g, marked), |id| {
                    (id == "sev").then_some(sev)
                })
                .style(style)
            })
            .collect();
        let table = Table::new(rows, constraints(&laid))
            .header(Row::new(headers(t, &laid)).style(theme.title()))
            .block(blk)
            .column_spacing(1);
        frame.render_widget(table, area);
    }
}

/// A severity cell's style; on the selection bar it keeps the bar's colours (a severity
/// colour on the bar's background would fail contrast, see `ui::contrast`).
pub fn sev_style(theme: &Theme, s: crate::model::Severity, selected: bool) -> Style {
    if selected {
        Style::default()
    } else {
        theme.severity(s)
    }
}

/// Rows whose widths decide the column layout, besides the visible ones.
const WIDTH_SAMPLE: usize = 500;

/// A row of the laid-out columns: each value cut to its width with `…`; `style_of` styles a
/// column's cell (the severity).
pub fn laid_row<'a>(
    t: TableId,
    laid: &[Laid],
    cells: Vec<Cow<'a, str>>,
    style_of: impl Fn(&str) -> Option<Style>,
) -> Row<'a> {
    let cols = t.columns();
    let out: Vec<Cell> = laid
        .iter()
        .map(|l| {
            let c = &cols[l.index];
            let text = cells.get(l.index).map_or("", |s| s.as_ref());
            let text = elide(text, l.width as usize, c.elide).into_owned();
            match style_of(c.id) {
                Some(st) => Cell::from(Span::styled(text, st)),
                None => Cell::from(text),
            }
        })
        .collect();
    Row::new(out)
}

/// A finding's values in the order of [`crate::app::columns::FINDINGS`].
pub fn finding_cells(f: &Finding, marked: bool) -> Vec<Cow<'_, str>> {
    vec![
        Cow::Borrowed(if marked { "●" } else { " " }),
        Cow::Borrowed(f.severity.label()),
        Cow::Owned(sources_label(&f.sources())),
        Cow::Borrowed(f.region.as_str()),
        Cow::Borrowed(f.control_id.as_deref().unwrap_or(&f.kind)),
        Cow::Borrowed(f.primary_resource().map(|r| r.name.as_str()).unwrap_or("-")),
        Cow::Borrowed(f.title.as_str()),
        Cow::Borrowed(f.workflow.label()),
        Cow::Owned(f.last_seen.format("%m-%d %H:%M").to_string()),
    ]
}

/// A group's values in the order of [`crate::app::columns::GROUPS`].
fn group_cells(g: &Group, marked: bool) -> Vec<Cow<'_, str>> {
    vec![
        Cow::Borrowed(if marked { "●" } else { " " }),
        Cow::Borrowed(g.severity.label()),
        Cow::Borrowed(g.control.as_str()),
        Cow::Borrowed(g.resource_name.as_str()),
        Cow::Owned(format!("{:>5}", g.members.len())),
        Cow::Owned(sources_label(&g.sources)),
        Cow::Borrowed(g.region.as_str()),
        Cow::Borrowed(g.title.as_str()),
    ]
}

impl super::Draw for crate::app::views::findings::list::FindingList {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(cx.data, self, &cx.state.columns, cx.theme, frame, area)
    }
}
