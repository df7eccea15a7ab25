//! Readable at 80x24, 120x34 and 200x50: titles get the room, columns can be hidden and
//! sized, nothing is cut without a mark, the high-contrast bars are legible, and the findings
//! count says when it is only a lower bound.
use crate::common;
use common::demo::{gapped, loaded, loaded_with, press, screen, text};
use guardpost::app::State;
use guardpost::ui::theme::Theme;
use ratatui::style::Color;

/// The findings table's rows (between the header row and the bottom border).
fn table_lines(st: &State) -> Vec<String> {
    let t = text(st);
    t.lines()
        .skip_while(|l| !l.contains(" SEV "))
        .skip(1)
        .take_while(|l| l.starts_with('│'))
        .map(str::to_string)
        .collect()
}

/// The table's header row.
fn header_row(screen: &str) -> &str {
    screen.lines().find(|l| l.contains(" SEV ")).unwrap_or("")
}

/// The width of the TITLE column: from its header to the next header (or the border).
fn title_width(st: &State) -> usize {
    let t = text(st);
    let header: Vec<char> = t
        .lines()
        .find(|l| l.contains(" SEV "))
        .unwrap()
        .chars()
        .collect();
    let s: String = header.iter().collect();
    let start = s.find("TITLE").map(|b| s[..b].chars().count()).unwrap();
    let end = (start + 5..header.len())
        .find(|&i| header[i] != ' ' && header[i - 1] == ' ' || header[i] == '│')
        .unwrap();
    end - start - 1
}

#[test]
fn findings_titles_at_three_sizes() {
    for (w, h, min_title) in [(80, 24, 30), (120, 34, 30), (200, 50, 60)] {
        let mut st = loaded(w, h);
        press(&mut st, "<Tab>");
        let width = title_width(&st);
        assert!(width >= min_title, "{w}x{h}: title is {width} wide");
        let t = text(&st);
        // The first row's title is readable, not `Role dat`.
        assert!(t.contains("Role data-import-role can be"), "{w}x{h}:\n{t}");
        // Whatever is cut is marked.
        for l in table_lines(&st) {
            let cells = l.trim_matches('│');
            assert!(!cells.trim_end().is_empty(), "{l}");
        }
        // The screens themselves: ui_snapshots::findings_table at the same sizes.
    }
    // At 200 columns the long type and resource names are whole.
    let mut st = loaded(200, 50);
    press(&mut st, "<Tab>");
    let t = text(&st);
    assert!(t.contains("iam.principal.privilege-escalation "), "{t}");
    assert!(t.contains("iam.role.external-trust-unrestricted"), "{t}");
    assert!(t.contains("OrganizationAccountAccessRole "), "{t}");
}

#[test]
fn long_values_end_in_an_ellipsis_not_a_silent_cut() {
    let mut st = loaded(80, 24);
    press(&mut st, "<Tab>");
    let rows = table_lines(&st);
    assert!(rows.iter().any(|l| l.contains('…')), "{rows:#?}");
    // The header bar at 80 columns: the origin and the capture time give way visibly.
    let t = text(&st);
    let header = t.lines().next().unwrap();
    assert!(
        header.contains("3 regions") || header.ends_with('…'),
        "{header}"
    );
}

#[test]
fn z_hides_columns_in_turn_and_cols_sizes_them() {
    let mut st = loaded(120, 34);
    press(&mut st, "<Tab>");
    let before = title_width(&st);
    press(&mut st, "z");
    let t = text(&st);
    assert!(t.contains("hidden: source"), "{t}");
    assert!(!header_row(&t).contains(" SRC "), "{t}");
    assert!(t.contains("findings hides SRC"), "{t}");
    // Its room goes to the title (and the cut type), not to a column the width dropped.
    assert!(title_width(&st) > before);
    assert!(!header_row(&t).contains(" STATUS "), "{t}");
    press(&mut st, "z");
    let t = text(&st);
    assert!(t.contains("hidden: region"), "{t}");
    assert!(header_row(&t).contains(" SRC "), "{t}");

    press(&mut st, ":cols reset -type resource=12<Enter>");
    let t = text(&st);
    assert!(t.contains("hidden: type"), "{t}");
    assert!(!t.contains("TYPE / CONTROL"), "{t}");
    assert!(
        t.contains("findings: sev source region -type resource=12"),
        "{t}"
    );
    // `+COL` shows a column the width dropped.
    press(&mut st, ":cols +status<Enter>");
    assert!(header_row(&text(&st)).contains(" STATUS "));
    // The setting follows the user to another findings table.
    press(&mut st, ":guardduty<Enter>");
    assert!(text(&st).contains("hidden: type"));

    press(&mut st, ":cols -bogus<Enter>");
    let t = text(&st);
    assert!(t.contains("unknown column \"bogus\""), "{t}");
    press(&mut st, ":cols reset<Enter>");
    assert!(!text(&st).contains("hidden:"));

    // Nowhere to apply it: says so.
    press(&mut st, ":overview<Enter>z");
    assert!(text(&st).contains("no table with columns here"));
}

/// High contrast: every cell of the header and status bars is dark on the light bar.
#[test]
fn high_contrast_bars_are_not_white_on_white() {
    let theme = Theme::builtin("high-contrast").unwrap();
    let mut st = loaded(120, 34);
    press(&mut st, "<Tab>s");
    assert!(st.status.is_some());
    let term = screen(&st, &theme);
    let buf = term.backend().buffer();
    let bottom = buf.area.height - 2;
    for y in [0, bottom] {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            if c.bg == Color::White {
                assert_eq!(c.fg, Color::Black, "({x},{y}) {:?} {c:?}", c.symbol());
            }
            assert_ne!(c.fg, c.bg, "({x},{y}) {:?}", c.symbol());
        }
    }
    // The bars are the solid ones the theme asks for.
    assert_eq!(buf[(1, 0)].bg, Color::White);
    assert_eq!(buf[(1, bottom)].bg, Color::White);
}

/// Default theme: CRITICAL and HIGH rows do not share a colour.
#[test]
fn critical_and_high_are_distinct_on_screen() {
    let mut st = loaded(120, 34);
    press(&mut st, "<Tab>j");
    let term = screen(&st, &Theme::default());
    let buf = term.backend().buffer();
    let fg_of = |word: &str| {
        (0..buf.area.height).find_map(|y| {
            let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            let x = line.find(&format!("│  {word}"))?;
            Some(buf[(x as u16 + 3, y)].fg)
        })
    };
    let (crit, high) = (fg_of("CRITICAL").unwrap(), fg_of("HIGH").unwrap());
    assert_ne!(crit, high);
}

/// Unknown is not zero: with GuardDuty denied, the findings pane's count is a lower bound.
#[test]
fn findings_count_is_qualified_when_a_source_is_denied() {
    let mut st = loaded_with(gapped(), 120, 34);
    press(&mut st, "<Tab>");
    let t = text(&st);
    let title = t.lines().find(|l| l.contains("findings [")).unwrap();
    assert!(title.contains("findings [≥"), "{title}");
    // Grouped: both counts.
    press(&mut st, "v");
    let t = text(&st);
    assert!(t.contains(" groups · ≥"), "{t}");
    assert!(t.contains("findings [≥"), "{t}");
    // A scope that only draws on complete sources keeps its plain number.
    press(&mut st, ":accessanalyzer<Enter>");
    let t = text(&st);
    assert!(
        t.contains("Access Analyzer [") && !t.contains("Access Analyzer [≥"),
        "{t}"
    );
    // The complete demo: a plain number.
    let mut st = loaded(120, 34);
    press(&mut st, "<Tab>");
    assert!(text(&st).contains("findings [317]"));
}

/// The overview's one column at 80x24 says what is below the fold, and `G` brings the Sources
/// box (with a long problem wrapped, its end readable) into view.
#[test]
fn overview_announces_and_reaches_what_is_below() {
    use guardpost::dataset::{Dataset, Origin};
    use guardpost::model::SourceProblem;
    use guardpost::posture::PostureConfig;
    use guardpost::snapshot::Snapshot;
    let mut snap = Snapshot::demo();
    snap.problems.push(SourceProblem {
        source: "cloudtrail".into(),
        region: None,
        message: "DescribeTrails failed: a long reason that goes on and on past the \
                  width of any narrow terminal, ending in THE-END-OF-REASON"
            .into(),
    });
    let data = Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default());
    let mut st = loaded_with(data, 80, 24);
    let t = text(&st);
    assert!(t.contains("more (G)"), "{t}");
    assert!(!t.contains("THE-END-OF-REASON"), "{t}");
    press(&mut st, "G");
    let t = text(&st);
    assert!(t.contains("THE-END-OF-REASON"), "{t}");
    assert!(t.contains("↑ "), "{t}");
    // Every line of the box ends at the border: wrapped, not cut.
    assert!(t.contains("│    the width of any narrow terminal"), "{t}");
}

/// The header's badges survive a narrow terminal: the endpoint first, READ-ONLY on the right,
/// and whatever gives way ends in "…".
#[test]
fn header_badges_stay_visible_at_80_columns() {
    let mut st = loaded(80, 24);
    st.read_only = true;
    st.endpoint = Some("http://localhost:4566/a/rather/long/path/for/an/emulator".into());
    let t = text(&st);
    let header = t.lines().next().unwrap();
    assert!(
        header.starts_with(" guardpost [endpoint http://localhost:4566"),
        "{header}"
    );
    assert!(header.trim_end().ends_with("READ-ONLY"), "{header}");
    assert!(header.contains('…'), "{header}");
}

/// A policy's page: the facts count the statements, and the pretty-printed document is the
/// page's Document tab, scrolled with j/k / PgDn / G, with where the window is always shown.
#[test]
fn policy_document_is_a_scrollable_tab_never_cut_off() {
    for (w, h) in [(120, 34), (80, 24)] {
        let mut st = loaded(w, h);
        press(&mut st, ":iam<Enter>lll/AcmeFullAccess<Enter><Enter>");
        let t = text(&st);
        assert!(t.contains("statement(s) · h/l: read it"), "{t}");
        // Findings, then (no tree for a policy) the document.
        press(&mut st, "l");
        let t = text(&st);
        assert!(t.contains("‹document v"), "{t}");
        assert!(t.contains("\"Statement\""), "{t}");
        let doc_len = {
            let data = st.data.clone().unwrap();
            let arn = data
                .iam
                .as_ref()
                .unwrap()
                .policies
                .iter()
                .find(|p| p.policy_name == "AcmeFullAccess")
                .unwrap()
                .arn
                .clone();
            guardpost::app::views::resource::document(&data, &arn)
                .unwrap()
                .lines
                .len()
        };
        if t.contains(&format!("of {doc_len}")) {
            // Longer than the box: the last line is reached with G, the window says so.
            press(&mut st, "G");
            let t = text(&st);
            assert!(t.contains(&format!("of {doc_len}")), "{t}");
            assert!(t.contains(&format!("–{doc_len} of")), "{w}x{h}:\n{t}");
        } else {
            // It fits: every line is there, the closing brace too.
            assert!(t.contains("│}"), "{w}x{h}:\n{t}");
        }
        // h goes back to the findings.
        press(&mut st, "h");
        assert!(
            text(&st).contains("‹findings on AcmeFullAccess"),
            "{}",
            text(&st)
        );
    }
}

/// A role's trust policy is a tab of its page too.
#[test]
fn a_roles_trust_policy_is_a_tab() {
    let mut st = loaded(120, 34);
    press(&mut st, ":iam<Enter>l/ec2-app-role<Enter><Enter>");
    let mut seen = String::new();
    for _ in 0..3 {
        press(&mut st, "l");
        seen = text(&st);
        if seen.contains("‹trust policy") {
            break;
        }
    }
    assert!(seen.contains("‹trust policy ["), "{seen}");
    assert!(seen.contains("sts:AssumeRole"), "{seen}");
}
