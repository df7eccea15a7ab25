//! The finding detail: every normalized field, remediation, related findings, raw JSON (`y`).
use crate::app::DetailView;
use crate::dataset::Dataset;
use crate::model::Finding;
use crate::ui::{block, findings::sources_label, sev_span, theme::Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn field<'a>(name: &str, value: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{name:<14}"), theme.dimmed()),
        Span::styled(value.into(), theme.text()),
    ])
}

fn heading<'a>(text: &str, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(text.to_string(), theme.title()))
}

pub fn lines(data: &Dataset, f: &Finding, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(vec![
            sev_span(f.severity, theme),
            Span::raw("  "),
            Span::styled(f.title.clone(), theme.title()),
        ]),
        Line::default(),
        field(
            "Sources",
            format!(
                "{} ({})",
                f.sources()
                    .iter()
                    .map(|s| s.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                sources_label(&f.sources())
            ),
            theme,
        ),
        field("Product", f.product.clone(), theme),
        field("Type", f.kind.clone(), theme),
    ];
    if let Some(c) = &f.control_id {
        out.push(field("Control", c.clone(), theme));
    }
    if let Some(s) = f.raw_score {
        out.push(field("Score", format!("{s}"), theme));
    }
    // Per source when a merged finding's copies disagree (`GD NEW · SH NOTIFIED`).
    out.push(field("Workflow", crate::merge::workflow_label(f), theme));
    if let Some(c) = f.compliance {
        out.push(field("Compliance", format!("{c:?}").to_uppercase(), theme));
    }
    out.push(field("Account", f.account.clone(), theme));
    out.push(field("Region", f.region.clone(), theme));
    out.push(field(
        "First seen",
        f.first_seen.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        theme,
    ));
    out.push(field(
        "Last seen",
        f.last_seen.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        theme,
    ));
    out.push(field("Id", f.id.clone(), theme));
    if !f.controls.is_empty() {
        out.push(Line::default());
        out.push(heading("Controls", theme));
        for c in &f.controls {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<28}", c.framework), theme.dimmed()),
                Span::styled(c.id.clone(), theme.accent()),
            ]));
        }
    }
    out.push(Line::default());
    out.push(heading("Resources (Enter opens the first)", theme));
    for r in &f.resources {
        out.push(Line::from(vec![
            Span::styled(format!("  {:<22}", r.kind), theme.dimmed()),
            Span::styled(r.arn.clone(), theme.accent()),
        ]));
    }
    out.push(Line::default());
    out.push(heading("Description", theme));
    for l in f.description.lines() {
        out.push(Line::from(Span::styled(format!("  {l}"), theme.text())));
    }
    if let Some(r) = &f.remediation {
        out.push(Line::default());
        out.push(heading("Remediation", theme));
        for l in r.text.lines() {
            out.push(Line::from(Span::styled(format!("  {l}"), theme.text())));
        }
        if let Some(u) = &r.url {
            out.push(Line::from(Span::styled(format!("  {u}"), theme.accent())));
        }
    }
    out.push(Line::default());
    out.push(heading("Reported by", theme));
    for rec in &f.records {
        out.push(Line::from(vec![
            Span::styled(format!("  {:<16}", rec.source.label()), theme.dimmed()),
            Span::styled(rec.id.clone(), theme.text()),
        ]));
    }
    let related: Vec<&Finding> = f
        .primary_resource()
        .and_then(|r| data.resources.get(&r.arn))
        .map(|r| {
            r.findings
                .iter()
                .map(|&i| &data.findings[i])
                .filter(|o| o.id != f.id)
                .collect()
        })
        .unwrap_or_default();
    if !related.is_empty() {
        out.push(Line::default());
        out.push(heading(
            &format!("Related findings on the same resource ({})", related.len()),
            theme,
        ));
        for o in related.iter().take(15) {
            out.push(Line::from(vec![
                Span::raw("  "),
                sev_span(o.severity, theme),
                Span::styled(
                    format!(" {:<6}", sources_label(&o.sources())),
                    theme.dimmed(),
                ),
                Span::styled(o.title.clone(), theme.text()),
            ]));
        }
        if related.len() > 15 {
            out.push(Line::from(Span::styled(
                format!("  … {} more in the resource view", related.len() - 15),
                theme.dimmed(),
            )));
        }
    }
    out
}

pub fn raw_lines(f: &Finding, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for rec in &f.records {
        out.push(Line::from(Span::styled(
            format!("── {} record {} ──", rec.source.label(), rec.id),
            theme.title(),
        )));
        let json = serde_json::to_string_pretty(&rec.raw).unwrap_or_default();
        out.extend(
            json.lines()
                .map(|l| Line::from(Span::styled(l.to_string(), theme.text()))),
        );
        out.push(Line::default());
    }
    out
}

pub fn render(data: &Dataset, d: &DetailView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(f) = data.findings.get(d.finding) else {
        return;
    };
    let (title, body) = if d.raw {
        (
            format!(
                "raw JSON — {} record(s) · y back to fields",
                f.records.len()
            ),
            raw_lines(f, theme),
        )
    } else {
        (
            "finding · y raw JSON · Enter resource".to_string(),
            lines(data, f, theme),
        )
    };
    // Long lines wrap (raw JSON too: a long value's end must be readable), and the scroll
    // counts the rows they take, so G reaches the last line instead of stopping short.
    let inner_w = area.width.saturating_sub(2).max(1) as usize;
    let rows: usize = body
        .iter()
        .map(|l| {
            let w = l.width();
            // Word wrapping can take a row more than the characters need.
            if w <= inner_w {
                1
            } else {
                w.div_ceil(inner_w) + 1
            }
        })
        .sum();
    let max = (rows as u16).saturating_sub(area.height.saturating_sub(2));
    let mut blk = block(title, theme);
    let scroll = d.scroll.min(max);
    if scroll < max {
        blk = blk.title_bottom(
            Line::from(Span::styled(" ↓ more (j, G) ", theme.accent())).right_aligned(),
        );
    }
    let p = Paragraph::new(body)
        .block(blk)
        .scroll((scroll, 0))
        .wrap(Wrap { trim: false });
    frame.render_widget(p, area);
}

impl super::Draw for crate::app::views::detail::DetailView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(cx.data, self, cx.theme, frame, area)
    }
}
