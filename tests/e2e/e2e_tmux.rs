//! End-to-end: the real binary in tmux against the demo account.
use crate::common;
use common::tmux::{Tmux, assert_restored};

fn bin() -> String {
    env!("CARGO_BIN_EXE_guardpost").to_string()
}

fn cmd(extra: &str) -> (tempfile::TempDir, String) {
    let state = tempfile::tempdir().unwrap();
    let c = format!(
        "cd {} && env GUARDPOST_STATE_DIR={} XDG_CONFIG_HOME={} {} {extra}",
        state.path().display(),
        state.path().display(),
        state.path().display(),
        bin()
    );
    (state, c)
}

#[test]
fn demo_walkthrough_guardduty_to_resource_filter_help_quit() {
    let (_dir, c) = cmd("--demo");
    let t = Tmux::start("walk", 160, 45, &c);
    // Wait for the whole first data frame, header included.
    t.wait_until("the overview with its header", |s| {
        s.contains("Top affected resources")
            && s.contains("acme-prod (111122223333)")
            && s.contains("Posture score")
    });

    // Jump to GuardDuty findings and open the worst one.
    t.keys(&[":"]);
    t.text("guardduty");
    t.keys(&["Enter"]);
    let s = t.wait_for("Findings › GuardDuty");
    assert!(s.contains("GD"), "{s}");
    t.keys(&["Enter"]);
    let s = t.wait_for("Reported by");
    assert!(s.contains("GuardDuty"), "detail names the source:\n{s}");
    let kind_line = s
        .lines()
        .find(|l| l.contains("Type "))
        .unwrap_or_default()
        .to_string();
    assert!(
        kind_line.contains(':') && kind_line.contains('/'),
        "a GuardDuty finding type: {kind_line}"
    );

    // Drill to its resource: every finding and IAM fact on it.
    t.keys(&["Enter"]);
    // The resource page: its facts block starts with the ARN.
    let s = t.wait_for("│ARN ");
    assert!(s.contains("i-0") || s.contains("user/"), "{s}");

    // Back twice to the list, filter it.
    // One key at a time: ESC ESC in one read is Alt-Esc to the terminal parser.
    t.keys(&["Escape"]);
    t.wait_for("finding · y raw JSON");
    t.keys(&["Escape"]);
    t.wait_for("GuardDuty [");
    t.keys(&["/"]);
    t.text("root");
    t.keys(&["Enter"]);
    let s = t.wait_for("/root");
    assert!(s.contains("GuardDuty [1] /root"), "one finding left:\n{s}");
    assert!(
        s.contains("invoked using root credentials"),
        "filter keeps the root finding:\n{s}"
    );
    assert!(!s.contains("SSHBruteForce"), "filter drops others:\n{s}");

    // Help is generated from the keymap.
    t.keys(&["?"]);
    // The whole help frame: a capture can land mid-draw, after the title but before the rows.
    t.wait_until("the help screen with its rows", |s| {
        s.contains("Help") && s.contains("fuzzy") && s.contains(":findings")
    });
    t.keys(&["Escape"]);
    t.wait_until("help closed", |s| !s.contains("Esc closes"));

    t.keys(&["q"]);
    let s = t.wait_exit();
    assert!(s.contains("EXITED:0"), "{s}");
    assert_restored(&s);
    assert!(
        !s.contains("Top affected resources"),
        "alternate screen left:\n{s}"
    );
}

#[test]
fn panic_restores_the_terminal() {
    let (_dir, c) = cmd("--demo");
    let t = Tmux::start(
        "panic",
        120,
        30,
        &format!("export GUARDPOST_TEST_PANIC=1 RUST_BACKTRACE=0; {c}"),
    );
    let s = t.wait_exit();
    assert!(s.contains("EXITED:101"), "panics exit 101:\n{s}");
    assert!(
        s.contains("deliberate panic"),
        "the panic message is readable:\n{s}"
    );
    assert_restored(&s);
}

#[test]
fn bad_snapshot_exits_2_without_touching_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(
        &bad,
        "{\"format\":\"guardpost-snapshot\",\"version\":1,\n\"captured_at\": ",
    )
    .unwrap();
    let (_d, c) = cmd(&format!("--snapshot {}", bad.display()));
    let t = Tmux::start("bad", 120, 30, &c);
    let s = t.wait_exit();
    assert!(s.contains("EXITED:2"), "{s}");
    assert!(
        s.contains("broken.json") && s.contains("line 2"),
        "names file and position:\n{s}"
    );
    assert_restored(&s);
}

#[test]
fn tiny_terminal_gets_a_message_not_a_panic() {
    let (_dir, c) = cmd("--demo");
    let t = Tmux::start("tiny", 40, 10, &c);
    let s = t.wait_for("needs at least");
    assert!(s.contains("40x10"), "{s}");
    t.keys(&["q"]);
    let s = t.wait_exit();
    assert!(s.contains("EXITED:0"), "{s}");
    assert_restored(&s);
}

#[test]
fn a_pasted_or_burst_x_enter_y_runs_nothing() {
    let (dir, c) = cmd("--demo");
    let t = Tmux::start("paste", 160, 45, &c);
    t.wait_for("Posture score");
    t.keys(&[":"]);
    t.text("posture");
    t.keys(&["Enter"]);
    t.wait_for("Findings › Posture");
    // A bracketed paste is one paste event: never keys.
    t.paste("x\ry");
    let s = t.wait_for("paste ignored");
    assert!(!s.contains("Actions —"), "a paste opened the menu:\n{s}");
    // The same three keys in one write (no bracketed paste): the menu opens, the rest is
    // dropped (or `y` comes too soon for the dialog), and the status line says so.
    t.text("x\ry");
    let s = t.wait_until("the status says why", |s| {
        s.contains("same burst") || s.contains("y ignored")
    });
    assert!(!s.contains("Running"), "{s}");
    // Nothing ran: no journal entry (the demo journals even its dry runs).
    t.keys(&["Escape"]);
    t.wait_until("menu or dialog closed", |s| {
        !s.contains("Esc close") && !s.contains("Esc = no")
    });
    t.keys(&["q"]);
    let s = t.wait_exit();
    assert!(s.contains("EXITED:0"), "{s}");
    let journal = dir.path().join("journal.jsonl");
    let written = std::fs::read_to_string(&journal).unwrap_or_default();
    assert!(written.is_empty(), "an action ran:\n{written}");
}

#[test]
fn a_bad_filter_term_is_shown_with_the_valid_values() {
    let (_dir, c) = cmd("--demo");
    let t = Tmux::start("badfilter", 120, 34, &c);
    t.wait_for("Posture score");
    t.keys(&["Tab"]);
    t.wait_for("findings [");
    t.keys(&["/"]);
    t.text("sev:hgih");
    let s = t.wait_for("unknown severity");
    assert!(
        s.contains("✗ unknown severity \"hgih\" · critical high medium low info"),
        "the error and the valid values, while typing:\n{s}"
    );
    t.keys(&["Enter"]);
    let s = t.wait_for("filter: unknown severity");
    assert!(s.contains("critical high medium low info"), "{s}");
    t.keys(&["q"]);
    let s = t.wait_exit();
    assert!(s.contains("EXITED:0"), "{s}");
}
