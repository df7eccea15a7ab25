//! The overview: severity x source, posture score, regions, frequent findings, top resources,
//! source health. Every count is a way in: Enter opens the findings behind it.
use crate::app::{OverviewItem, OverviewView, State, truncate};
use crate::dataset::Dataset;
use crate::model::{Count, Severity, Source};
use crate::ui::{block, theme::Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A rendered line and the overview item it selects, if any.
type Item<'a> = (Line<'a>, Option<OverviewItem>);

/// A count as coverage allows: `12`, `≥12` (not everything was read), `?` (nothing was),
/// `off`. An unknown count stands out; it is never drawn as a quiet zero.
fn count_span(n: Count, sev: Severity, theme: &Theme, selected: bool) -> Span<'static> {
    let style = if selected {
        theme.selected()
    } else {
        match n {
            Count::Exact(0) | Count::Off => theme.dimmed(),
            Count::Unknown => theme.warn(),
            Count::Exact(_) | Count::AtLeast(_) => theme.severity(sev),
        }
    };
    Span::styled(format!("{:>8}", n.to_string()), style)
}

/// The qualified counts of a summary row, or the plain ones taken as exact when the summary
/// was built without them.
fn row(q: Option<&[Count; 5]>, plain: &[usize; 5]) -> [Count; 5] {
    q.copied()
        .unwrap_or_else(|| std::array::from_fn(|i| Count::Exact(plain[i])))
}

fn heading(text: &str, theme: &Theme) -> Item<'static> {
    (
        Line::from(Span::styled(text.to_string(), theme.title())),
        None,
    )
}

fn severity_table(state: &State, o: &OverviewView, theme: &Theme) -> Vec<Item<'static>> {
    let s = &state.summary;
    let selected = s.items.get(o.cursor);
    let mut out: Vec<Item> = Vec::new();
    let mut head = vec![Span::raw(format!("{:<10}", ""))];
    let col_style = |c: usize| {
        if o.column == c {
            theme.accent()
        } else {
            theme.dimmed()
        }
    };
    head.push(Span::styled(format!("{:>8}", "ALL"), col_style(0)));
    for (i, src) in Source::ALL.iter().enumerate() {
        let label = match src {
            Source::SecurityHub => "SECHUB",
            Source::GuardDuty => "GUARDD",
            Source::AccessAnalyzer => "ACCESS",
            Source::Posture => "POSTURE",
        };
        head.push(Span::styled(format!("{label:>8}"), col_style(i + 1)));
    }
    out.push((Line::from(head), None));
    for (si, sev) in Severity::ALL.iter().enumerate() {
        let item = OverviewItem::Severity(*sev);
        let row_sel = selected == Some(&item);
        let label_style = if row_sel {
            theme
                .severity(*sev)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            theme.severity(*sev)
        };
        let mut spans = vec![Span::styled(format!("{:<10}", sev.label()), label_style)];
        spans.push(count_span(
            row(s.total_q.as_ref(), &s.total)[si],
            *sev,
            theme,
            row_sel && o.column == 0,
        ));
        for ci in 0..Source::ALL.len() {
            spans.push(count_span(
                row(s.by_source_q.get(ci), &s.by_source[ci])[si],
                *sev,
                theme,
                row_sel && o.column == ci + 1,
            ));
        }
        out.push((Line::from(spans), Some(item)));
    }
    let total = crate::app::summary::sum_counts(row(s.total_q.as_ref(), &s.total));
    out.push((
        Line::from(vec![
            Span::styled(format!("{:<10}", "open"), theme.title()),
            Span::styled(format!("{:>8}", total.to_string()), theme.title()),
            Span::styled(
                format!(
                    "  {} closed hidden · {} merged across sources",
                    s.closed, s.merged
                ),
                theme.dimmed(),
            ),
        ]),
        None,
    ));
    out
}

fn posture_line(state: &State, theme: &Theme, sel: bool) -> Item<'static> {
    let p = &state.summary.posture;
    let score_style = match p.score {
        90..=100 => theme.ok(),
        60..=89 => theme.warn(),
        _ => theme.error(),
    };
    let pick = |base: Style| if sel { theme.selected() } else { base };
    (
        Line::from(vec![
            Span::styled("Posture score ", pick(theme.title())),
            Span::styled(
                format!("{}/100", p.score),
                pick(score_style.add_modifier(Modifier::BOLD)),
            ),
            Span::styled(
                format!("  {} of {} rules failing", p.failing_rules, p.total_rules),
                pick(theme.dimmed()),
            ),
            Span::styled(
                if p.unknown_rules > 0 {
                    format!(" · {} unknown", p.unknown_rules)
                } else {
                    String::new()
                },
                pick(theme.warn()),
            ),
            // All accounts shown: the score covers only the accounts read; say so.
            Span::styled(
                match state.org.as_ref().filter(|o| o.current.is_none()) {
                    Some(o) if o.read_count() < o.rows.len() => {
                        format!(" · over {} of {} accounts", o.read_count(), o.rows.len())
                    }
                    _ => String::new(),
                },
                pick(theme.warn()),
            ),
        ]),
        Some(OverviewItem::Posture),
    )
}

fn regions(state: &State, theme: &Theme, selected: Option<&OverviewItem>) -> Vec<Item<'static>> {
    let mut out = vec![heading("By region", theme)];
    let mut rh = vec![Span::styled(format!("{:<16}", "REGION"), theme.dimmed())];
    rh.extend(Severity::ALL.iter().map(|x| {
        Span::styled(
            format!("{:>8}", &x.label()[..x.label().len().min(4)]),
            theme.dimmed(),
        )
    }));
    out.push((Line::from(rh), None));
    for (i, (r, counts)) in state.summary.by_region.iter().enumerate() {
        let counts = row(state.summary.by_region_q.get(i), counts);
        let item = OverviewItem::Region(r.clone());
        let style = if selected == Some(&item) {
            theme.selected()
        } else {
            theme.text()
        };
        let mut spans = vec![Span::styled(format!("{r:<16}"), style)];
        spans.extend(
            Severity::ALL
                .iter()
                .zip(counts.iter())
                .map(|(s, n)| count_span(*n, *s, theme, false)),
        );
        out.push((Line::from(spans), Some(item)));
    }
    out
}

fn kinds(
    state: &State,
    theme: &Theme,
    selected: Option<&OverviewItem>,
    width: u16,
) -> Vec<Item<'static>> {
    let mut out = vec![heading("Most frequent open findings", theme)];
    for (k, sev, n, title) in &state.summary.top_kinds {
        let item = OverviewItem::Kind(k.clone());
        let style = if selected == Some(&item) {
            theme.selected()
        } else {
            theme.text()
        };
        let room = (width as usize).saturating_sub(9 + 5 + 26 + 3);
        out.push((
            Line::from(vec![
                Span::styled(format!("{:<9}", sev.label()), theme.severity(*sev)),
                Span::styled(format!("{n:>4} "), theme.text()),
                Span::styled(format!("{:<26}", truncate(k, 25)), style),
                Span::styled(truncate(title, room), theme.dimmed()),
            ]),
            Some(item),
        ));
    }
    out
}

fn resources(
    state: &State,
    data: &Dataset,
    theme: &Theme,
    selected: Option<&OverviewItem>,
    width: u16,
) -> Vec<Item<'static>> {
    let mut out = vec![heading("Top affected resources", theme)];
    for (ri, counts) in &state.summary.top_resources {
        let r = &data.resources.resources[*ri];
        let item = OverviewItem::Resource(*ri);
        let style = if selected == Some(&item) {
            theme.selected()
        } else {
            theme.text()
        };
        let worst = Severity::ALL
            .iter()
            .zip(counts.iter())
            .find(|(_, n)| **n > 0)
            .map(|(s, _)| *s);
        let n: usize = counts.iter().sum();
        let room = (width as usize).saturating_sub(9 + 5 + 31 + 3);
        out.push((
            Line::from(vec![
                match worst {
                    Some(w) => Span::styled(format!("{:<9}", w.label()), theme.severity(w)),
                    None => Span::raw(format!("{:<9}", "")),
                },
                Span::styled(format!("{n:>4} "), theme.text()),
                Span::styled(format!("{:<31}", truncate(&r.name, 30)), style),
                Span::styled(truncate(&r.kind, room), theme.dimmed()),
            ]),
            Some(item),
        ));
    }
    out
}

fn sources(data: &Dataset, theme: &Theme, width: u16) -> Vec<Item<'static>> {
    let width = width as usize;
    let mut out = vec![heading("Sources", theme)];
    let mut gaps: Vec<String> = Vec::new();
    for region in &data.regions {
        let mut spans = vec![Span::styled(format!("  {region:<16}"), theme.text())];
        for (svc, label) in [
            ("securityhub", "SecHub"),
            ("guardduty", "GuardDuty"),
            ("access-analyzer", "Analyzer"),
        ] {
            let entries: Vec<_> = data
                .services
                .iter()
                .filter(|x| x.service == svc && &x.region == region)
                .collect();
            // What was read decides first: a detector that is on but could not be read is
            // not "on" for the console's purposes (its zero is not a zero).
            let gap = data
                .coverage
                .get(svc, Some(region))
                .filter(|c| !c.state.is_complete());
            let (mark, style) = if let Some(c) = gap {
                // The row has room for a mark only; the state and its reason follow below.
                gaps.push(format!("{label} {}", c.state));
                ("!", theme.warn())
            } else if entries.iter().any(|x| x.enabled) {
                ("on", theme.ok())
            } else if entries.is_empty() {
                ("?", theme.dimmed())
            } else {
                ("OFF", theme.error())
            };
            spans.push(Span::styled(format!("{label} "), theme.dimmed()));
            spans.push(Span::styled(format!("{mark:<3} "), style));
        }
        out.push((Line::from(spans), None));
        for g in gaps.drain(..) {
            for l in wrap(&format!("    {g}"), width, "      ") {
                out.push((Line::from(Span::styled(l, theme.warn())), None));
            }
        }
    }
    if let Some(c) = data
        .coverage
        .get("iam", None)
        .filter(|c| !c.state.is_complete())
    {
        for l in wrap(&format!("  {}", c.label()), width, "    ") {
            out.push((Line::from(Span::styled(l, theme.warn())), None));
        }
    }
    if data.problems.is_empty() && data.coverage.is_complete() {
        out.push((
            Line::from(Span::styled("  every source loaded", theme.ok())),
            None,
        ));
    } else {
        // A problem the coverage lines above already explain is not repeated.
        let explained = |source: &str, region: Option<&str>| {
            data.coverage
                .get(source, region)
                .is_some_and(|c| !c.state.is_complete())
        };
        for pr in data
            .problems
            .iter()
            .filter(|p| !explained(&p.source, p.region.as_deref()))
        {
            let text = format!(
                "  ! {}{}: {}",
                pr.source,
                pr.region
                    .as_deref()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default(),
                pr.message
            );
            // Wrapped, not cut: the reason is usually at the end.
            for l in wrap(&text, width, "    ") {
                out.push((Line::from(Span::styled(l, theme.error())), None));
            }
        }
    }
    out
}

/// The coverage banner: what could not be read, on top of the overview whenever anything is
/// incomplete (the counts below are then lower bounds or unknown).
fn coverage_banner(data: &Dataset, theme: &Theme, width: u16) -> Option<(Paragraph<'static>, u16)> {
    let line = data.coverage.summary_line()?;
    let text = format!("Incomplete data: {line}");
    let width = width.max(1) as usize;
    // Up to 3 rows; the full text is also in the Sources box.
    let rows = text.chars().count().div_ceil(width).clamp(1, 3) as u16;
    Some((
        Paragraph::new(Line::from(Span::styled(
            text,
            theme
                .warn()
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )))
        .wrap(ratatui::widgets::Wrap { trim: false }),
        rows,
    ))
}

/// Draws a column of items, scrolled so the selected item is visible.
fn column(
    items: Vec<Item<'static>>,
    selected: Option<&OverviewItem>,
    title: &str,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let inner = area.height.saturating_sub(2) as usize;
    let sel_line = items
        .iter()
        .position(|(_, it)| it.is_some() && it.as_ref() == selected);
    let last_item = items.iter().rposition(|(_, it)| it.is_some());
    let total = items.len();
    let scroll = match sel_line {
        // On the last item, what follows it (the Sources box) comes into view too.
        Some(l) if Some(l) == last_item => total.saturating_sub(inner),
        Some(l) if l >= inner => l + 1 - inner,
        _ => 0,
    };
    let lines: Vec<Line> = items.into_iter().map(|(l, _)| l).collect();
    let mut blk = block(title.to_string(), theme);
    // Lines out of view are announced, never just cut off.
    let (above, below) = (scroll, total.saturating_sub(scroll + inner));
    let mut more = Vec::new();
    if above > 0 {
        more.push(format!("↑ {above} more"));
    }
    if below > 0 {
        more.push(format!("↓ {below} more (G)"));
    }
    if !more.is_empty() {
        blk = blk.title_bottom(
            Line::from(Span::styled(
                format!(" {} ", more.join(" · ")),
                theme.accent(),
            ))
            .right_aligned(),
        );
    }
    frame.render_widget(
        Paragraph::new(lines).block(blk).scroll((scroll as u16, 0)),
        area,
    );
}

/// `text` word-wrapped to `width` columns; continuation lines start with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let body = text.trim_start_matches(' ');
    let mut line = text[..text.len() - body.len()].to_string();
    for word in body.split(' ') {
        let cur = crate::ui::columns::width(&line);
        let w = crate::ui::columns::width(word);
        if !line.trim().is_empty() && cur + 1 + w > width {
            out.push(std::mem::take(&mut line));
            line.push_str(indent);
        } else if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out
}

pub fn render(
    state: &State,
    data: &Dataset,
    o: &OverviewView,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let selected = state.summary.items.get(o.cursor);
    let posture_sel = selected == Some(&OverviewItem::Posture);
    let title = "open findings · Enter drills down · h/l picks a source";
    let area = match coverage_banner(data, theme, area.width) {
        Some((banner, rows)) => {
            let [top, rest] =
                Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
            frame.render_widget(banner, top);
            rest
        }
        None => area,
    };
    if area.width >= 110 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(area);
        let mut l = severity_table(state, o, theme);
        l.push((Line::default(), None));
        l.push(posture_line(state, theme, posture_sel));
        l.push((Line::default(), None));
        l.extend(regions(state, theme, selected));
        l.push((Line::default(), None));
        l.extend(kinds(state, theme, selected, left.width.saturating_sub(2)));
        column(l, selected, title, theme, frame, left);
        let mut r = resources(state, data, theme, selected, right.width.saturating_sub(2));
        r.push((Line::default(), None));
        r.extend(sources(data, theme, right.width.saturating_sub(2)));
        column(r, selected, "resources and sources", theme, frame, right);
    } else {
        // One scrolling column on narrow terminals: everything stays reachable.
        let width = area.width.saturating_sub(2);
        let mut l = severity_table(state, o, theme);
        l.push(posture_line(state, theme, posture_sel));
        l.push((Line::default(), None));
        l.extend(regions(state, theme, selected));
        l.push((Line::default(), None));
        l.extend(kinds(state, theme, selected, width));
        l.push((Line::default(), None));
        l.extend(resources(state, data, theme, selected, width));
        l.push((Line::default(), None));
        l.extend(sources(data, theme, width));
        column(l, selected, title, theme, frame, area);
    }
}

impl super::Draw for crate::app::views::overview::OverviewView {
    fn draw(&self, cx: &super::DrawCx, frame: &mut Frame, area: Rect) {
        render(cx.state, cx.data, self, cx.theme, frame, area)
    }
}
