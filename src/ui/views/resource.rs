//! The resource page (facts + every finding on it) and the resources pane.
use crate::app::columns::{ColumnPrefs, Elide, TableId};
use crate::app::views::paths;
use crate::app::views::resource as resource_views;
use crate::app::{PageTab, ResourceSort, ResourceView, ResourcesView};
use crate::dataset::Dataset;
use crate::model::Severity;
use crate::ui::clip_box;
use crate::ui::columns::{constraints, elide, headers, lay_out, widest};
use crate::ui::findings::{finding_cells, laid_row, sev_style};
use crate::ui::{admin, block, iam, theme::Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use std::borrow::Cow;

pub fn render_resource(
    data: &Dataset,
    v: &ResourceView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let Some(res) = data.resources.resources.get(v.resource) else {
        return;
    };
    let mut facts: Vec<Line> = vec![
        Line::from(vec![
            Span::styled(format!("{:<16}", "ARN"), theme.dimmed()),
            Span::styled(res.arn.clone(), theme.accent()),
        ]),
        Line::from(vec![
            Span::styled(format!("{:<16}", "Type"), theme.dimmed()),
            Span::styled(
                format!(
                    "{}{}",
                    res.kind,
                    res.region
                        .as_deref()
                        .map(|r| format!(" · {r}"))
                        .unwrap_or_default()
                ),
                theme.text(),
            ),
        ]),
    ];
    // The escalation summary comes before the other facts so a short box never cuts it off.
    let summary = paths::summary(data, &res.arn);
    if let Some((text, tone)) = &summary {
        facts.push(Line::from(vec![
            Span::styled(format!("{:<16}", "Escalation"), theme.dimmed()),
            Span::styled(text.clone(), admin::tone(*tone, theme)),
        ]));
    }
    facts.extend(iam::facts(data, &res.arn, theme));
    // The facts (a policy document, say) get what the findings below do not need, and at
    // least half the page when they are long.
    let table_need = (res.findings.len() as u16 + 3).clamp(4, area.height / 2);
    let facts_h = (facts.len() as u16 + 2)
        .min(area.height.saturating_sub(table_need))
        .max(4);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(facts_h), Constraint::Min(3)]).areas(area);
    // Never clipped silently: long lines end in "…", a cut list says how much is missing.
    let facts = clip_box(
        facts,
        top.width.saturating_sub(2),
        top.height.saturating_sub(2),
        theme,
    );
    frame.render_widget(
        Paragraph::new(facts).block(block(format!("{} · {}", res.name, res.kind), theme)),
        top,
    );

    // Below the facts: its findings, and for a user or role what it can become, for a policy
    // or role its document (h/l switch; the title names every tab, the open one in ‹›).
    let tree = summary.and_then(|_| paths::tree(data, &res.arn));
    let doc = resource_views::document(data, &res.arn);
    let mut title = format!("findings on {} [{}]", res.name, res.findings.len());
    if tree.is_some() || doc.is_some() {
        let mut parts = vec![(PageTab::Findings, title.clone())];
        if let Some(t) = &tree {
            parts.push((
                PageTab::CanBecome,
                format!(
                    "can become [{} path{}]",
                    t.paths,
                    if t.paths == 1 { "" } else { "s" }
                ),
            ));
        }
        if let Some(d) = &doc {
            parts.push((
                PageTab::Document,
                format!("{} [{} lines]", d.label, d.lines.len()),
            ));
        }
        let names: Vec<String> = parts
            .into_iter()
            .map(|(t, n)| if t == v.tab { format!("‹{n}›") } else { n })
            .collect();
        title = format!("{} · h/l switch", names.join(" · "));
    }
    if v.tab == PageTab::CanBecome
        && let Some(t) = &tree
    {
        let blk = block(title, theme);
        let inner = blk.inner(bottom);
        let lines = admin::tree_lines(
            t,
            v.tree,
            inner.width as usize,
            inner.height as usize,
            theme,
        );
        frame.render_widget(Paragraph::new(lines).block(blk), bottom);
        return;
    }
    if v.tab == PageTab::Document
        && let Some(d) = &doc
    {
        let mut blk = block(title, theme);
        let inner = blk.inner(bottom);
        let h = inner.height.max(1) as usize;
        let len = d.lines.len();
        let top = v.doc.selected.min(len.saturating_sub(h));
        let end = (top + h).min(len);
        // Where the window is, so a long document is never cut off silently.
        if len > h {
            blk = blk.title_bottom(
                Line::from(Span::styled(
                    format!(" lines {}–{end} of {len} · j/k PgDn/PgUp ", top + 1),
                    theme.accent(),
                ))
                .right_aligned(),
            );
        }
        let lines: Vec<Line> = d.lines[top..end]
            .iter()
            .map(|l| Line::from(Span::styled(l.clone(), theme.text())))
            .collect();
        let lines = clip_box(lines, inner.width, inner.height, theme);
        frame.render_widget(Paragraph::new(lines).block(blk), bottom);
        return;
    }
    if res.findings.is_empty() {
        frame.render_widget(
            Paragraph::new("No findings on this resource.")
                .style(theme.dimmed())
                .block(block(title, theme)),
            bottom,
        );
        return;
    }
    let h = bottom.height.saturating_sub(3) as usize;
    let c = v.cursor;
    let offset = c.window(h);
    // The findings table's columns, less the resource (it is this page's).
    let t = TableId::Findings;
    let mut prefs = ColumnPrefs::default();
    let _ = prefs.command(t, "-resource");
    let want = widest(
        t.columns().len(),
        res.findings
            .iter()
            .map(|&fi| finding_cells(&data.findings[fi], false)),
    );
    let laid = lay_out(t, &prefs, bottom.width.saturating_sub(2), &want);
    let rows: Vec<Row> = res
        .findings
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, &fi)| {
            let f = &data.findings[fi];
            let style = if i == c.selected {
                theme.selected()
            } else if f.workflow.is_open() {
                theme.text()
            } else {
                theme.dimmed()
            };
            let sev = sev_style(theme, f.severity, i == c.selected);
            laid_row(t, &laid, finding_cells(f, false), |id| {
                (id == "sev").then_some(sev)
            })
            .style(style)
        })
        .collect();
    let table = Table::new(rows, constraints(&laid))
        .header(Row::new(headers(t, &laid)).style(theme.title()))
        .block(block(title, theme))
        .column_spacing(1);
    frame.render_widget(table, bottom);
}

pub fn render_list(
    data: &Dataset,
    v: &ResourcesView,
    prefs: &ColumnPrefs,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let l = &v.list;
    let mut title = format!("resources [{}]", l.rows.len());
    if v.sort != ResourceSort::Findings || v.reversed {
        let dir = if v.reversed { ", reversed" } else { "" };
        title.push_str(&format!(" by {}{dir}", v.sort.label()));
    }
    if !l.filter.is_empty() {
        title.push_str(&format!(" /{}", l.filter));
    }
    let t = TableId::Resources;
    let hidden = prefs.hidden_names(t);
    if !hidden.is_empty() {
        title.push_str(&format!(" · hidden: {}", hidden.join(",")));
    }
    let title = elide(&title, area.width.saturating_sub(4) as usize, Elide::End).into_owned();
    let h = area.height.saturating_sub(3) as usize;
    let c = l.cursor;
    let offset = c.window(h);
    let end = (offset + h).min(l.rows.len());
    // Worst open severity and open count of a resource.
    let worst_of = |ri: usize| {
        let r = &data.resources.resources[ri];
        let mut worst: Option<Severity> = None;
        let mut open = 0;
        for &fi in &r.findings {
            let f = &data.findings[fi];
            if f.workflow.is_open() {
                open += 1;
                worst = worst.max(Some(f.severity));
            }
        }
        (worst, open)
    };
    let cells = |ri: usize| -> Vec<Cow<'_, str>> {
        let r = &data.resources.resources[ri];
        let (worst, open) = worst_of(ri);
        vec![
            Cow::Borrowed(worst.map_or("-", |s| s.label())),
            Cow::Owned(format!("{open:>4}")),
            Cow::Borrowed(r.kind.as_str()),
            Cow::Borrowed(r.name.as_str()),
            Cow::Borrowed(r.region.as_deref().unwrap_or("global")),
            Cow::Borrowed(r.arn.as_str()),
        ]
    };
    let sample = (0..l.rows.len().min(500)).chain(offset..end);
    let want = widest(t.columns().len(), sample.map(|i| cells(l.rows[i])));
    let laid = lay_out(t, prefs, area.width.saturating_sub(2), &want);
    let rows: Vec<Row> = (offset..end)
        .map(|i| {
            let ri = l.rows[i];
            let selected = i == c.selected;
            let style = if selected {
                theme.selected()
            } else {
                theme.text()
            };
            let sev = match worst_of(ri).0 {
                _ if selected => Style::default(),
                Some(s) => theme.severity(s),
                None => theme.dimmed(),
            };
            laid_row(t, &laid, cells(ri), |id| (id == "sev").then_some(sev)).style(style)
        })
        .collect();
    let table = Table::new(rows, constraints(&laid))
        .header(Row::new(headers(t, &laid)).style(theme.title()))
        .block(block(title, theme))
        .column_spacing(1);
    frame.render_widget(table, area);
}

impl super::Draw for crate::app::views::resource::ResourceView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render_resource(cx.data, self, cx.theme, frame, area)
    }
}

impl super::Draw for crate::app::views::resource::ResourcesView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render_list(cx.data, self, &cx.state.columns, cx.theme, frame, area)
    }
}
