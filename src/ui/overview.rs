//! The overview: severity x source, posture score, regions, top resources, source health.
use super::{block, theme::Theme};
use crate::app::{OverviewItem, OverviewView, State, summary::SevCounts};
use crate::dataset::Dataset;
use crate::model::{Severity, Source};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn count_span(n: usize, sev: Severity, theme: &Theme, selected: bool) -> Span<'static> {
    let text = format!("{n:>8}");
    let style = if selected {
        theme.selected()
    } else if n == 0 {
        theme.dimmed()
    } else {
        theme.severity(sev)
    };
    Span::styled(text, style)
}

fn sev_line(counts: &SevCounts, theme: &Theme) -> Vec<Span<'static>> {
    Severity::ALL
        .iter()
        .zip(counts.iter())
        .map(|(s, n)| count_span(*n, *s, theme, false))
        .collect()
}

pub fn render(
    state: &State,
    data: &Dataset,
    o: &OverviewView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let s = &state.summary;
    let selected = s.items.get(o.cursor);
    let is_sel = |item: &OverviewItem| selected == Some(item);
    let cols = if area.width >= 110 {
        Layout::horizontal([Constraint::Percentage(52), Constraint::Percentage(48)]).split(area)
    } else {
        Layout::vertical([Constraint::Min(10), Constraint::Min(6)]).split(area)
    };

    // Left: severity x source, posture score, regions.
    let mut left: Vec<Line> = Vec::new();
    let mut head = vec![Span::styled(format!("{:<10}", ""), theme.dimmed())];
    head.push(Span::styled(
        format!("{:>8}", "ALL"),
        if o.column == 0 {
            theme.accent()
        } else {
            theme.dimmed()
        },
    ));
    for (i, src) in Source::ALL.iter().enumerate() {
        let label = match src {
            Source::SecurityHub => "SECHUB",
            Source::GuardDuty => "GUARDD",
            Source::AccessAnalyzer => "ACCESS",
            Source::Posture => "POSTURE",
        };
        head.push(Span::styled(
            format!("{label:>8}"),
            if o.column == i + 1 {
                theme.accent()
            } else {
                theme.dimmed()
            },
        ));
    }
    left.push(Line::from(head));
    for (si, sev) in Severity::ALL.iter().enumerate() {
        let row_sel = is_sel(&OverviewItem::Severity(*sev));
        let mut spans = vec![Span::styled(
            format!("{:<10}", sev.label()),
            if row_sel {
                theme
                    .severity(*sev)
                    .add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                theme.severity(*sev)
            },
        )];
        spans.push(count_span(
            s.total[si],
            *sev,
            theme,
            row_sel && o.column == 0,
        ));
        for (ci, _) in Source::ALL.iter().enumerate() {
            spans.push(count_span(
                s.by_source[ci][si],
                *sev,
                theme,
                row_sel && o.column == ci + 1,
            ));
        }
        left.push(Line::from(spans));
    }
    let total: usize = s.total.iter().sum();
    left.push(Line::from(vec![
        Span::styled(format!("{:<10}", "open"), theme.title()),
        Span::styled(format!("{total:>7}"), theme.title()),
        Span::styled(
            format!(
                "   {} closed hidden · {} merged across sources",
                s.closed, s.merged
            ),
            theme.dimmed(),
        ),
    ]));
    left.push(Line::default());
    let p = &s.posture;
    let score_style = match p.score {
        90..=100 => theme.ok(),
        60..=89 => theme.warn(),
        _ => theme.error(),
    };
    let sel_style = |item: &OverviewItem, base| if is_sel(item) { theme.selected() } else { base };
    left.push(Line::from(vec![
        Span::styled(
            "Posture score ",
            sel_style(&OverviewItem::Posture, theme.title()),
        ),
        Span::styled(
            format!("{}/100", p.score),
            sel_style(
                &OverviewItem::Posture,
                score_style.add_modifier(Modifier::BOLD),
            ),
        ),
        Span::styled(
            format!("  {} of {} rules failing", p.failing_rules, p.total_rules),
            sel_style(&OverviewItem::Posture, theme.dimmed()),
        ),
    ]));
    left.push(Line::default());
    let mut rh = vec![Span::styled(format!("{:<16}", "REGION"), theme.dimmed())];
    rh.extend(Severity::ALL.iter().map(|x| {
        Span::styled(
            format!("{:>7}", &x.label()[..x.label().len().min(4)]),
            theme.dimmed(),
        )
    }));
    left.push(Line::from(rh));
    for (r, counts) in &s.by_region {
        let item = OverviewItem::Region(r.clone());
        let mut spans = vec![Span::styled(
            format!("{r:<16}"),
            sel_style(&item, theme.text()),
        )];
        spans.extend(sev_line(counts, theme));
        left.push(Line::from(spans));
    }
    frame.render_widget(
        Paragraph::new(left).block(block(
            "open findings · Enter drills down · h/l picks a source".into(),
            theme,
        )),
        cols[0],
    );

    // Right: top resources, then source health.
    let mut right: Vec<Line> = Vec::new();
    for (ri, counts) in &s.top_resources {
        let r = &data.resources.resources[*ri];
        let item = OverviewItem::Resource(*ri);
        let worst = Severity::ALL
            .iter()
            .zip(counts.iter())
            .find(|(_, n)| **n > 0)
            .map(|(s, _)| *s);
        let n: usize = counts.iter().sum();
        right.push(Line::from(vec![
            match worst {
                Some(w) => Span::styled(format!("{:<9}", w.label()), theme.severity(w)),
                None => Span::raw(format!("{:<9}", "")),
            },
            Span::styled(format!("{n:>3} "), theme.text()),
            Span::styled(
                format!("{:<26}", truncate(&r.name, 26)),
                sel_style(&item, theme.text()),
            ),
            Span::styled(r.kind.clone(), theme.dimmed()),
        ]));
    }
    right.push(Line::default());
    right.push(Line::from(Span::styled("Sources", theme.title())));
    for region in &data.regions {
        let mut spans = vec![Span::styled(format!("  {region:<16}"), theme.text())];
        for svc in ["securityhub", "guardduty", "access-analyzer"] {
            let st = data
                .services
                .iter()
                .find(|x| x.service == svc && &x.region == region);
            let (mark, style) = match st {
                Some(x) if x.enabled => ("on ", theme.ok()),
                Some(_) => ("OFF", theme.error()),
                None => ("?  ", theme.dimmed()),
            };
            spans.push(Span::styled(format!("{svc} "), theme.dimmed()));
            spans.push(Span::styled(format!("{mark}  "), style));
        }
        right.push(Line::from(spans));
    }
    if data.problems.is_empty() {
        right.push(Line::from(Span::styled(
            "  every source loaded",
            theme.ok(),
        )));
    } else {
        for pr in &data.problems {
            right.push(Line::from(Span::styled(
                format!(
                    "  ! {}{}: {}",
                    pr.source,
                    pr.region
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default(),
                    pr.message
                ),
                theme.error(),
            )));
        }
    }
    frame.render_widget(
        Paragraph::new(right)
            .wrap(Wrap { trim: false })
            .block(block("top affected resources".into(), theme)),
        cols[1],
    );
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
