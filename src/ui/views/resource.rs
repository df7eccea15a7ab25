//! The resource page (facts + every finding on it) and the resources pane.
use crate::app::views::paths;
use crate::app::{PageTab, ResourceSort, ResourceView, ResourcesView};
use crate::dataset::Dataset;
use crate::model::Severity;
use crate::ui::{admin, block, findings::sources_label, iam, theme::Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

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
    let facts_h = (facts.len() as u16 + 2).min(area.height / 2).max(4);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(facts_h), Constraint::Min(3)]).areas(area);
    frame.render_widget(
        Paragraph::new(facts).block(block(format!("{} · {}", res.name, res.kind), theme)),
        top,
    );

    // A user or role has two tabs below its facts: its findings and what it can become.
    let tree = summary.and_then(|_| paths::tree(data, &res.arn));
    let mut title = format!("findings on {} [{}]", res.name, res.findings.len());
    if let Some(t) = &tree {
        let becomes = format!(
            "can become [{} path{}]",
            t.paths,
            if t.paths == 1 { "" } else { "s" }
        );
        title = match v.tab {
            PageTab::Findings => format!("‹{title}› · {becomes} · h/l switch"),
            PageTab::CanBecome => format!("{title} · ‹{becomes}› · h/l switch"),
        };
        if v.tab == PageTab::CanBecome {
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
            Row::new(vec![
                Cell::from(Span::styled(f.severity.label(), theme.severity(f.severity))),
                Cell::from(sources_label(&f.sources())),
                Cell::from(f.control_id.clone().unwrap_or_else(|| f.kind.clone())),
                Cell::from(f.title.clone()),
                Cell::from(f.workflow.label()),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(28),
            Constraint::Fill(1),
            Constraint::Length(10),
        ],
    )
    .header(
        Row::new(vec!["SEV", "SOURCE", "TYPE / CONTROL", "TITLE", "STATUS"]).style(theme.title()),
    )
    .block(block(title, theme))
    .column_spacing(1);
    frame.render_widget(table, bottom);
}

pub fn render_list(
    data: &Dataset,
    v: &ResourcesView,
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
    let h = area.height.saturating_sub(3) as usize;
    let c = l.cursor;
    let offset = c.window(h);
    let rows: Vec<Row> = l
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, &ri)| {
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
            let style = if i == c.selected {
                theme.selected()
            } else {
                theme.text()
            };
            Row::new(vec![
                Cell::from(match worst {
                    Some(s) => Span::styled(s.label(), theme.severity(s)),
                    None => Span::styled("-", theme.dimmed()),
                }),
                Cell::from(format!("{open:>4}")),
                Cell::from(r.kind.clone()),
                Cell::from(r.name.clone()),
                Cell::from(r.region.clone().unwrap_or_else(|| "global".into())),
                Cell::from(r.arn.clone()),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(5),
            Constraint::Length(22),
            Constraint::Length(28),
            Constraint::Length(14),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(vec!["WORST", "OPEN", "TYPE", "NAME", "REGION", "ARN"]).style(theme.title()))
    .block(block(title, theme))
    .column_spacing(1);
    frame.render_widget(table, area);
}
