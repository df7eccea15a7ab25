//! Bad snapshot files: each error names the file and, where it has one, the position.
use guardpost::snapshot::{Snapshot, SnapshotError};
use std::path::Path;

fn parse(text: &str) -> SnapshotError {
    Snapshot::parse(text, Path::new("/data/acct.json")).unwrap_err()
}

#[test]
fn truncated_file_names_line_and_column() {
    let full = guardpost::snapshot::DEMO_JSON;
    let cut = &full[..full.len() / 2];
    let e = parse(cut);
    let msg = e.to_string();
    assert!(matches!(e, SnapshotError::Syntax { .. }), "{msg}");
    assert!(
        msg.contains("/data/acct.json") && msg.contains("line "),
        "{msg}"
    );
}

#[test]
fn unknown_version_is_refused_before_the_shape_is_checked() {
    let e = parse(r#"{"format":"guardpost-snapshot","version":7,"totally":"different"}"#);
    let msg = e.to_string();
    assert!(
        matches!(e, SnapshotError::UnknownVersion { found: 7, .. }),
        "{msg}"
    );
    assert!(
        msg.contains("version 7") && msg.contains("reads version 1"),
        "{msg}"
    );
}

#[test]
fn other_json_is_not_a_snapshot() {
    let e = parse(r#"{"Findings": []}"#);
    assert!(matches!(e, SnapshotError::NotSnapshot { .. }), "{e}");
    assert!(e.to_string().contains("not a guardpost snapshot"));
}

#[test]
fn wrong_field_type_points_at_it() {
    let text = "{\"format\":\"guardpost-snapshot\",\"version\":1,\n\"captured_at\":\"2026-11-20T09:00:00Z\",\n\"account\":{\"id\":\"1\"},\n\"regions\":\"us-east-1\"}";
    let e = parse(text);
    let msg = e.to_string();
    assert!(matches!(e, SnapshotError::Shape { line: 4, .. }), "{msg}");
    assert!(msg.contains("line 4"), "{msg}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let e = Snapshot::load(Path::new("/nonexistent/snap.json")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/snap.json"), "{e}");
}

#[test]
fn a_snapshot_round_trips() {
    let demo = Snapshot::demo();
    let again = Snapshot::parse(&demo.to_json(), Path::new("x")).unwrap();
    assert_eq!(again, demo);
}

#[test]
fn the_demo_loads_without_problems() {
    use guardpost::dataset::{Dataset, Origin};
    let d = Dataset::from_snapshot(Snapshot::demo(), Origin::Demo, &Default::default());
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert!(d.findings.len() >= 150);
    for src in guardpost::model::Source::ALL {
        assert!(
            d.findings.iter().any(|f| f.source == src),
            "no {src} findings"
        );
    }
    assert!(d.regions.len() >= 2);
}
