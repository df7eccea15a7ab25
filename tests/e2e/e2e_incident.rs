//! End-to-end: the on-call walkthrough in tmux against the emulator. Start from the alert's
//! key id, read the facts, deactivate the key with one key press, get interrupted, resume with
//! `guardpost incident resume`, and export the timeline for the handoff.

use crate::common;
use crate::live;

use common::tmux::{Tmux, assert_restored};
use std::process::Command;

/// Closes the result dialog and waits until it is gone: a key sent right after Esc would be
/// read as Alt+key.
fn close_result(t: &Tmux) {
    t.keys(&["Escape"]);
    t.wait_until("the result dialog to close", |s| {
        !s.contains("any key closes")
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walkthrough_from_key_id_resume_and_export() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    let key = live::user_with_key(&iam, "ci-deploy").await;
    let home = tempfile::tempdir().unwrap();
    let env = live::binary_env(home.path());
    let bin = env!("CARGO_BIN_EXE_guardpost");
    let live = format!("--endpoint-url {} --region us-east-1", emu.url);

    // A key id that does not exist: a clear message, exit 2, no incident, terminal untouched.
    let t = Tmux::start(
        "inc-bad",
        120,
        30,
        &format!("{env} {bin} incident --access-key AKIADOESNOTEXIST0000 {live}"),
    );
    let s = t.wait_exit();
    assert!(s.contains("AKIADOESNOTEXIST0000 is not in account"), "{s}");
    assert!(s.contains("no playbook started"), "{s}");
    assert!(s.contains("EXITED:2"), "{s}");
    assert_restored(&s);
    drop(t);

    let t = Tmux::start(
        "inc",
        160,
        45,
        &format!("{env} {bin} incident --access-key {key} {live}"),
    );
    let s = t.wait_for("Compromised IAM access key — 0/15");
    assert!(
        s.contains(&format!("access key {key} of user ci-deploy")),
        "{s}"
    );
    // Readiness: one Enter runs it; the cursor goes on to the next step and the facts stay on
    // screen under it.
    t.keys(&["Enter"]);
    let s = t.wait_for("1/15");
    assert!(s.contains("no incident-response role exists"), "{s}");
    assert!(s.contains("step 1 just finished"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("2/15");
    // The step's facts may be painted a frame after the counter: wait for them.
    let s = t.wait_for("user ci-deploy (arn:aws:iam::123456789012:user/ci-deploy)");
    assert!(s.contains("owner tag owner: NONE"), "{s}");
    // related, roles: one Enter each.
    for n in ["3/15", "4/15"] {
        t.keys(&["Enter"]);
        t.wait_for(n);
    }
    // save: the confirm dialog says it only reads.
    t.keys(&["Enter"]);
    let s = t.wait_for("Reads only");
    assert!(s.contains("default No"), "{s}");
    t.confirm();
    t.wait_for("Result");
    close_result(&t);
    t.wait_for("5/15");
    // deactivate: the exact call, one key.
    t.keys(&["Enter"]);
    let s = t.wait_for("iam:UpdateAccessKey (global)");
    assert!(s.contains(&key), "{s}");
    t.confirm();
    // The result dialog opens before the outcome is written into it: wait for the outcome.
    let s = t.wait_until("the deactivation's outcome", |s| {
        s.contains("Result") && (s.contains("succeeded") || s.contains("FAILED"))
    });
    assert!(s.contains("succeeded"), "{s}");
    close_result(&t);
    t.wait_for("6/15");
    // The responder is called away: q asks first, and says how to resume.
    t.keys(&["q"]);
    let s = t.wait_for("Quit?");
    assert!(s.contains("guardpost incident resume inc-"), "{s}");
    t.keys(&["y"]);
    assert_restored(&t.wait_exit());
    drop(t);
    let status = live::key_status(&iam, "ci-deploy").await;
    assert_eq!(status, "Inactive");

    // A second responder resumes where it stopped.
    let t = Tmux::start(
        "inc-resume",
        160,
        45,
        &format!("{env} {bin} incident resume {live}"),
    );
    let s = t.wait_for("Compromised IAM access key — 6/15");
    assert!(s.contains("Revoke the user's sessions"), "{s}");
    // Skip it with a reason.
    t.keys(&["s"]);
    t.wait_for("because:");
    t.text("handled by the platform team");
    t.keys(&["Enter"]);
    t.wait_for("7/15");
    // Export the timeline from inside the walkthrough.
    t.keys(&["e"]);
    let s = t.wait_for("timeline written");
    assert!(s.contains(".md"), "{s}");
    t.keys(&["q"]);
    t.wait_for("Quit?");
    t.keys(&["y"]);
    assert_restored(&t.wait_exit());

    // And headless, for the ticket.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{env} {bin} incident export --format markdown"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    for want in [
        "# Incident inc-",
        "Compromised IAM access key",
        "| Deactivate the key | done |",
        "skipped: handled by the platform team",
        "iam:UpdateAccessKey",
        "resumed",
    ] {
        assert!(md.contains(want), "{want} missing:\n{md}");
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{env} {bin} incident export --format json"))
        .output()
        .unwrap();
    let js: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(js["steps"][5]["status"], "done");
    assert!(js["steps"][5]["journal_id"].is_string());
}
