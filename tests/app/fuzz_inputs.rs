//! Property tests: local input that anyone can hand guardpost (a snapshot file, the config and
//! theme TOML, a playbook, journal and incident lines) never panics it, whatever the bytes, and
//! is read in bounded time. Each property runs 2,000 cases by default (a few seconds in CI);
//! a longer run: `PROPTEST_CASES=200000 cargo test --release --test fuzz_inputs`
//! (docs/security.md).

use guardpost::config::Config;
use guardpost::dataset::{Dataset, Origin};
use guardpost::incident::store;
use guardpost::posture::PostureConfig;
use guardpost::remediation::journal::Journal;
use guardpost::snapshot::Snapshot;
use guardpost::ui::theme::Theme;
use proptest::prelude::*;
use proptest::sample::Index;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000),
        // Failures are reported with the input; no regression files beside the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Bytes that steer a parser into its interesting paths when spliced into valid input.
const SPLICE: &[&str] = &[
    "",
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "0",
    "-1",
    "1e999",
    "\"\\u0000\"",
    "\u{202e}",
    "\u{1b}[2J",
    "\n",
    "=",
    "#",
    "'''",
    "[[",
    "]]",
    "true",
    "\u{ffff}",
];

/// Damages `base`: cuts it somewhere, and splices a few tokens in.
fn damage(base: &str, cut: &Index, edits: &[(Index, usize)]) -> String {
    let mut s: Vec<char> = base.chars().collect();
    for (at, tok) in edits {
        let i = at.index(s.len() + 1);
        let tok: Vec<char> = SPLICE[tok % SPLICE.len()].chars().collect();
        s.splice(i..i, tok);
    }
    let keep = cut.index(s.len() + 1).max(s.len() / 2);
    s.truncate(keep);
    s.into_iter().collect()
}

/// A small but complete snapshot (a few records of each source from the demo).
fn small_snapshot() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut s = Snapshot::demo();
        for r in &mut s.securityhub {
            r.findings.truncate(3);
        }
        for r in &mut s.guardduty {
            r.findings.truncate(3);
        }
        for r in &mut s.access_analyzer {
            r.findings.truncate(3);
        }
        if let Some(iam) = &mut s.iam {
            iam.user_detail_list.truncate(4);
            iam.role_detail_list.truncate(4);
        }
        s.to_json()
    })
}

fn bounded<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{what} took {:?}",
        start.elapsed()
    );
    out
}

fn journal_lines() -> &'static str {
    concat!(
        r#"{"v":1,"ts":"2026-11-20T09:00:00Z","id":"a","kind":"plan","plan":{"action":"iam.deactivate-access-key","title":"Deactivate access key AKIA1 of alice","targets":["AKIA1"],"confirm_text":"AKIA1","calls":[{"service":"iam","operation":"UpdateAccessKey","params":{"AccessKeyId":"AKIA1","Status":"Inactive","UserName":"alice"}}],"preconditions":[{"check":"access-key","user":"alice","key_id":"AKIA1","status":null}],"undo":{"undo":"calls","calls":[{"service":"iam","operation":"UpdateAccessKey","params":{"AccessKeyId":"AKIA1","Status":"Active","UserName":"alice"}}]},"destructive":true,"notes":[]},"account":"111122223333","caller":null,"dry_run":false}"#,
        "\n",
        r#"{"v":1,"ts":"2026-11-20T09:00:01Z","id":"a","kind":"intent","call":0,"api":{"service":"iam","operation":"UpdateAccessKey","params":{"AccessKeyId":"AKIA1","Status":"Inactive","UserName":"alice"}}}"#,
        "\n",
        r#"{"v":1,"ts":"2026-11-20T09:00:02Z","id":"a","kind":"result","call":0,"ok":true,"output":{}}"#,
        "\n",
        r#"{"v":1,"ts":"2026-11-20T09:00:03Z","id":"a","kind":"done","status":"succeeded","message":"1 call(s) succeeded","undo":[]}"#,
        "\n",
        r#"{"v":1,"ts":"2026-11-20T09:00:04Z","id":"a","kind":"verified","observed":{},"note":"n","effects":[true]}"#,
        "\n",
    )
}

fn incident_lines() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let book = guardpost::incident::playbook("compromised-access-key").unwrap();
        let started = store::Record {
            v: store::VERSION,
            ts: "2026-11-20T09:00:00Z".parse().unwrap(),
            incident: "inc-1".into(),
            caller: None,
            event: store::Event::Started {
                playbook: Box::new(book.clone()),
                subject: Default::default(),
                account: "111122223333".into(),
            },
        };
        let step = store::Record {
            event: store::Event::Step {
                step: book.steps[0].id.clone(),
                outcome: guardpost::incident::StepStatus::Done,
                seen: vec!["x".into()],
                did: vec![],
                journal_id: None,
            },
            ..started.clone()
        };
        [started, step]
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_snapshot_parser_never_panics_on_any_text(text in "\\PC{0,300}") {
        let _ = bounded("parse", || Snapshot::parse(&text, Path::new("fuzz.json")));
    }

    #[test]
    fn a_damaged_snapshot_is_refused_or_loads_never_panics(
        cut in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..6),
    ) {
        let text = damage(small_snapshot(), &cut, &edits);
        if let Ok(snap) = bounded("parse", || Snapshot::parse(&text, Path::new("fuzz.json"))) {
            // What parses goes through the whole pipeline the TUI runs.
            let _ = bounded("dataset", || Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default()));
        }
    }

    #[test]
    fn config_toml_never_panics(
        text in "\\PC{0,200}",
        cut in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..6),
    ) {
        let _ = Config::from_toml_str(&text, Path::new("config.toml"));
        let valid = "theme = \"light\"\nread_only = false\ndefault_regions = [\"eu-west-1\"]\n[posture]\nunused_days = 30\n[profiles.prod]\nread_only = true\n[accounts.\"111122223333\"]\nread_only = true\n[check]\nprofile = \"sandbox\"\n";
        let damaged = damage(valid, &cut, &edits);
        if let Ok(c) = Config::from_toml_str(&damaged, Path::new("config.toml")) {
            let _ = c.read_only(false, guardpost::config::Target::Live { profile: "prod", account: None });
        }
    }

    #[test]
    fn theme_toml_never_panics(
        text in "\\PC{0,200}",
        cut in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..6),
    ) {
        let _ = Theme::from_toml_str(&text, Path::new("theme.toml"));
        let valid = "extends = \"light\"\n[colors]\naccent = \"#ff0000\"\nborder = \"red\"\ncritical = \"rgb(1,2,3)\"\n";
        let _ = Theme::from_toml_str(&damage(valid, &cut, &edits), Path::new("theme.toml"));
    }

    #[test]
    fn playbook_toml_never_panics(
        text in "\\PC{0,200}",
        which in any::<Index>(),
        cut in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..6),
    ) {
        let _ = guardpost::incident::parse_playbook(&text);
        let books = guardpost::incident::builtin_sources();
        let (_, src) = books[which.index(books.len())];
        if let Ok(book) = guardpost::incident::parse_playbook(&damage(src, &cut, &edits)) {
            prop_assert!(!book.steps.is_empty(), "a playbook without steps is refused");
        }
    }

    #[test]
    fn journal_lines_never_panic(
        text in "\\PC{0,300}",
        cut in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (n, body) in [text, damage(journal_lines(), &cut, &edits)].iter().enumerate() {
            let path = dir.path().join(format!("j{n}.jsonl"));
            std::fs::write(&path, body).unwrap();
            let j = bounded("journal", || Journal::open(&path));
            for e in j.entries() {
                let _ = guardpost::remediation::journal::undo_plan(&e);
            }
        }
    }

    #[test]
    fn incident_files_never_panic(
        cut in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..6),
    ) {
        let text = damage(incident_lines(), &cut, &edits);
        if let Ok(records) = store::parse(text.as_bytes(), Path::new("inc.jsonl"))
            && let Ok(inc) = store::replay(records)
        {
            prop_assert!(!inc.steps.is_empty());
            let _ = inc.current();
            let _ = guardpost::incident::timeline::markdown(&inc);
        }
    }
}

#[test]
fn an_incident_whose_playbook_has_no_steps_is_refused_with_a_message() {
    let first = incident_lines().lines().next().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(first).unwrap();
    v["playbook"]["steps"] = serde_json::json!([]);
    let text = v.to_string() + "\n";
    let records = store::parse(text.as_bytes(), Path::new("inc.jsonl")).unwrap();
    let err = store::replay(records).unwrap_err();
    assert!(err.contains("has no steps"), "{err}");
}
