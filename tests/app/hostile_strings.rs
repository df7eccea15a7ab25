//! Strings an attacker can write (finding titles and types, resource ids, regions, source
//! problems) must not reach any output raw: no ESC, no C1 control (8-bit CSI), no bidi
//! control, no zero-width character in the TUI buffer, the check table, Markdown, JSON,
//! SARIF, stderr warnings or the incident timeline. JSON and SARIF must still parse back to
//! the exact hostile values (faithful data, escaped bytes).
use crate::common;
use common::demo::press;
use guardpost::app::{self, Event, State};
use guardpost::check::{self, CheckArgs};
use guardpost::config::Config;
use guardpost::dataset::{Dataset, Origin};
use guardpost::posture::PostureConfig;
use guardpost::report::{FailOn, Format};
use guardpost::sanitize;
use guardpost::snapshot::Snapshot;
use guardpost::ui::{self, theme::Theme};
use ratatui::{Terminal, backend::TestBackend};
use serde_json::Value;

/// OSC 52 clipboard write, erase line + cursor up, 8-bit CSI, bidi override and isolate,
/// zero-width space and BOM, a Markdown code-span breakout with raw HTML, a mention, a URL.
const EVIL: &str = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2K\u{1b}[1A\u{9b}31m\u{202e}gnp.exe\u{2066}x\u{2069}\u{200b}\u{feff}``<details><img src=x>`` @admin https://evil.example |x|";

fn poison(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                match (k.as_str(), &mut *x) {
                    ("Title" | "title" | "Description" | "description", Value::String(s)) => {
                        s.push_str(EVIL)
                    }
                    // GuardDuty finding types and Security Hub resource ids.
                    ("type" | "Id", Value::String(s)) if s.contains(':') || s.contains('/') => {
                        s.push_str(EVIL)
                    }
                    _ => poison(x),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(poison),
        _ => {}
    }
}

fn hostile() -> Dataset {
    let mut v: Value = serde_json::from_str(&Snapshot::demo().to_json()).unwrap();
    for key in ["securityhub", "guardduty", "access_analyzer"] {
        poison(&mut v[key]);
    }
    v["problems"] = serde_json::json!([{
        "source": format!("securityhub{EVIL}"),
        "region": format!("us-east-1{EVIL}"),
        "message": format!("GetFindings failed: {EVIL}"),
    }]);
    let snap = Snapshot::parse(&v.to_string(), std::path::Path::new("hostile.json")).unwrap();
    Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default())
}

fn assert_clean(what: &str, s: &str) {
    assert!(
        !sanitize::has_terminal_hazard(s),
        "{what} holds a raw ESC, BEL, C1 or bidi control:\n{}",
        s.escape_debug()
    );
    assert!(
        !s.contains('\u{200b}') && !s.contains('\u{feff}'),
        "{what} holds a zero-width character"
    );
}

#[test]
fn the_tui_buffer_holds_no_hostile_character() {
    let data = hostile();
    // The poisoning took: the model itself holds the raw characters.
    assert!(data.findings.iter().any(|f| f.title.contains('\u{202e}')));
    for keys in [
        "",
        "<Tab>",
        "<Tab>v",
        "<Tab><Enter>",
        "<Tab><Enter>y",
        ":guardduty<Enter><Enter>",
        ":guardduty<Enter><Enter>y",
        "<Tab><Tab>",
    ] {
        for (w, h) in [(80, 24), (200, 50)] {
            let mut st = State::new(false, (w, h));
            app::update(&mut st, Event::Loaded(Box::new(data.clone())));
            press(&mut st, keys);
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| ui::render(&st, &Theme::default(), f)).unwrap();
            let buf = t.backend().buffer();
            let mut all = String::new();
            for cell in buf.content.iter() {
                let sym = cell.symbol();
                assert!(
                    !sym.chars().any(sanitize::is_unsafe),
                    "keys {keys:?} {w}x{h}: cell {:?}",
                    sym.escape_debug().to_string()
                );
                all.push_str(sym);
            }
            assert_clean(&format!("TUI {keys:?} {w}x{h}"), &all);
        }
    }
}

fn run_check(data: &Dataset, format: Format) -> (String, String) {
    run_check_in(data, format, None)
}

fn run_check_in(
    data: &Dataset,
    format: Format,
    framework: Option<guardpost::report::Framework>,
) -> (String, String) {
    let args = CheckArgs {
        format,
        output: None,
        fail_on: FailOn::None,
        profile_rules: None,
        rules: vec![],
        all_findings: true,
        require_complete: false,
        services: vec![],
        framework,
        ..Default::default()
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    check::run(data, &args, &Config::default(), &mut out, &mut err).unwrap();
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn check_outputs_hold_no_hostile_character() {
    let data = hostile();
    for format in [Format::Table, Format::Markdown, Format::Json, Format::Sarif] {
        let (out, err) = run_check(&data, format);
        assert_clean(&format!("{format:?} report"), &out);
        assert_clean(&format!("{format:?} stderr"), &err);
        assert!(
            err.contains("\\u{1b}]52;c;ZXZpbA==\\u{7}"),
            "the warning is there, escaped visibly: {err}"
        );
        match format {
            Format::Table => {
                assert!(out.contains("\\u{202e}gnp.exe"), "visible escapes: {out}");
                // Every finding is one line: the hostile text did not break lines.
                let findings = out.lines().skip_while(|l| !l.starts_with("SEVERITY"));
                assert_eq!(findings.count(), 1 + data_findings(&data));
            }
            Format::Json | Format::Sarif => {
                // Faithful: the parsed document holds the exact hostile values.
                let v: Value = serde_json::from_str(&out).unwrap();
                assert!(v.to_string().contains("\\u001b]52"), "ESC kept as data");
                assert!(
                    contains_str(&v, &format!("GetFindings failed: {EVIL}"))
                        || contains_str(&v, EVIL),
                    "{format:?} keeps the raw value"
                );
            }
            Format::Markdown => {
                let prose = outside_code(&out);
                assert!(!prose.contains('<'), "raw HTML outside code: {prose}");
                assert!(!prose.contains("@admin"), "live mention: {prose}");
                assert!(!prose.contains("https://evil"), "live link: {prose}");
            }
        }
    }
}

/// `--framework` adds a column / lines of control ids (which can come from Security Hub).
#[test]
fn check_outputs_with_a_framework_hold_no_hostile_character() {
    let data = hostile();
    for fw in guardpost::report::Framework::ALL {
        for format in [Format::Table, Format::Markdown, Format::Json, Format::Sarif] {
            let (out, err) = run_check_in(&data, format, Some(fw));
            assert_clean(&format!("{format:?} {fw:?} report"), &out);
            assert_clean(&format!("{format:?} {fw:?} stderr"), &err);
        }
    }
}

fn data_findings(data: &Dataset) -> usize {
    let (out, _) = run_check(data, Format::Json);
    let v: Value = serde_json::from_str(&out).unwrap();
    v["findings"].as_array().unwrap().len()
}

fn contains_str(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(a) => a.iter().any(|x| contains_str(x, needle)),
        Value::Object(m) => m.values().any(|x| contains_str(x, needle)),
        _ => false,
    }
}

#[test]
fn b_offers_no_console_url_for_a_hostile_region_and_says_why() {
    let mut v: Value = serde_json::from_str(&Snapshot::demo().to_json()).unwrap();
    for block in v["guardduty"].as_array_mut().unwrap() {
        for f in block["findings"].as_array_mut().unwrap() {
            f["region"] = Value::String("evil.example/x#".into());
        }
    }
    let snap = Snapshot::parse(&v.to_string(), std::path::Path::new("hostile.json")).unwrap();
    let data = Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default());
    let mut st = State::new(false, (120, 40));
    app::update(&mut st, Event::Loaded(Box::new(data)));
    press(&mut st, ":guardduty<Enter><Enter>");
    let effects = press(&mut st, "b");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, guardpost::app::Effect::Copy(_))),
        "no URL is copied: {effects:?}"
    );
    let status = st.status.as_ref().expect("b says why").text.clone();
    assert!(
        status.contains("\"evil.example/x#\" is not an AWS region name"),
        "{status}"
    );
}

/// The text of a Markdown document outside its code spans, per CommonMark: a run of n
/// backticks opens a span that the next run of exactly n backticks closes; a backslash
/// escapes the next character outside code.
fn outside_code(md: &str) -> String {
    let chars: Vec<char> = md.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let run = |at: usize| chars[at..].iter().take_while(|c| **c == '`').count();
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => i += 2,
            '`' => {
                let n = run(i);
                let mut j = i + n;
                let mut closed = None;
                while j < chars.len() {
                    if chars[j] == '`' {
                        let m = run(j);
                        if m == n {
                            closed = Some(j + m);
                            break;
                        }
                        j += m;
                    } else {
                        j += 1;
                    }
                }
                match closed {
                    Some(end) => i = end,
                    None => {
                        out.extend(&chars[i..i + n]);
                        i += n;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}
