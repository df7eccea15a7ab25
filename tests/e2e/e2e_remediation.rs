//! End-to-end, as a person would: the real binary in tmux against the emulator. Find the
//! finding about an old access key, press `x`, read the preview (UpdateAccessKey with that key
//! id), confirm, see the finding go away after the re-fetch, undo with `u`, and see the key
//! active again, on the server and on screen.

use crate::common;
use crate::live;

use common::tmux::{Tmux, assert_restored};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivate_an_old_key_from_its_finding_then_undo() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    let key = live::user_with_key(&iam, "old-key").await;
    emu.control(
        "POST",
        "/_guardpost/iam/backdate",
        Some(&json!({"user": "old-key", "days": 200, "last_used_days": 1, "user_days": 400})),
    );

    let home = tempfile::tempdir().unwrap();
    let cmd = format!(
        "cd {home} && {env} {bin} --endpoint-url {url} --region us-east-1",
        home = home.path().display(),
        env = live::binary_env(home.path()),
        bin = env!("CARGO_BIN_EXE_guardpost"),
        url = emu.url,
    );
    let t = Tmux::start("remediate", 160, 45, &cmd);
    t.wait_for("Posture score");

    // The posture finding about the old key.
    t.keys(&[":"]);
    t.text("posture");
    t.keys(&["Enter"]);
    t.wait_for("Findings › Posture");
    t.keys(&["/"]);
    t.text("not rotated");
    t.keys(&["Enter"]);
    t.wait_for("User old-key has an access key not rotated");
    t.keys(&["Enter"]);
    t.wait_for("Reported by");

    // x: the actions; the first one deactivates the key the finding is about.
    t.keys(&["x"]);
    let s = t.wait_for("Actions");
    assert!(
        s.contains(&format!("Deactivate access key {key} of old-key")),
        "{s}"
    );
    t.keys(&["Enter"]);
    let s = t.wait_for("default No");
    assert!(s.contains("iam:UpdateAccessKey (global)"), "{s}");
    assert!(
        s.contains(&format!(
            r#""AccessKeyId":"{key}","Status":"Inactive","UserName":"old-key""#
        )),
        "the preview shows the exact parameters:\n{s}"
    );
    assert!(s.contains("up to 36 hours"), "{s}");
    assert_eq!(
        live::key_status(&iam, "old-key").await,
        "Active",
        "nothing happens before y"
    );

    t.confirm();
    let s = t.wait_for("Result");
    assert!(s.contains("succeeded"), "{s}");
    assert_eq!(live::key_status(&iam, "old-key").await, "Inactive");

    // Close the result; the re-fetch drops the finding (the key is no longer active).
    t.keys(&["Escape"]);
    // A key right after Esc would be read as Alt+key: wait for the dialog to close.
    t.wait_until("the result to close", |s| !s.contains("any key closes"));
    t.wait_until("the finding to go after the re-fetch", |s| {
        !s.contains("User old-key has an access key not rotated") && s.contains("loaded")
    });

    // u: undo; reactivating weakens security, so it takes the key id typed, not y. The key
    // is active again and the finding is back.
    t.keys(&["u"]);
    // The dialog's last line, so the capture is not of a frame painted halfway.
    let s = t.wait_for(&format!("WEAKENS SECURITY. Type {key}"));
    assert!(s.contains("Undo: Deactivate access key"), "{s}");
    assert!(s.contains(r#""Status":"Active""#), "{s}");
    std::thread::sleep(std::time::Duration::from_millis(400));
    t.text(&key);
    t.keys(&["Enter"]);
    let s = t.wait_for("Result");
    assert!(s.contains("succeeded"), "{s}");
    assert_eq!(live::key_status(&iam, "old-key").await, "Active");
    t.keys(&["Escape"]);
    // A key right after Esc would be read as Alt+key: wait for the dialog to close.
    t.wait_until("the result to close", |s| !s.contains("any key closes"));
    t.wait_for("User old-key has an access key not rotated");

    // The journal lists both, the first one undone.
    t.keys(&[":"]);
    t.text("journal");
    t.keys(&["Enter"]);
    let s = t.wait_for("Journal —");
    assert!(s.contains("undone"), "{s}");
    assert!(s.contains("Undo: Deactivate access key"), "{s}");
    let journal = std::fs::read_to_string(home.path().join("state/journal.jsonl")).unwrap();
    assert!(
        !journal.contains("testing"),
        "no credentials in the journal"
    );
    assert_eq!(
        journal
            .lines()
            .filter(|l| l.contains("\"kind\":\"intent\""))
            .count(),
        2
    );

    t.keys(&["q"]);
    let s = t.wait_exit();
    assert_restored(&s);
}
