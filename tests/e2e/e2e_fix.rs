//! End to end, as a sandbox owner would: `guardpost check --fix` in tmux against the emulator
//! shows the plan with its exact call and asks; `y` deactivates the unused key (read back on
//! the server) and the check passes; `guardpost undo` asks again: `n` leaves it, `y` puts the
//! key back.

use crate::common;
use crate::live;

use common::tmux::Tmux;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fix_asks_once_applies_and_undo_asks_before_putting_it_back() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    let key = live::user_with_key(&iam, "stale").await;
    emu.control(
        "POST",
        "/_guardpost/iam/backdate",
        Some(&json!({"user": "stale", "days": 300, "last_used_days": 200})),
    );

    let home = tempfile::tempdir().unwrap();
    let gp = format!(
        "{env} {bin}",
        env = live::binary_env(home.path()),
        bin = env!("CARGO_BIN_EXE_guardpost"),
    );
    let at = format!("--endpoint-url {} --region us-east-1", emu.url);
    let cmd = format!(
        "cd {home} && {gp} check --rule iam.user.unused-credentials --fix {at}; echo FIX_EXIT=$?; \
         {gp} undo {at}; echo UNDO_NO=$?; {gp} undo {at}",
        home = home.path().display(),
    );
    let t = Tmux::start("fix", 160, 45, &cmd);

    let s = t.wait_for("[y/N]");
    assert!(
        s.contains(&format!("1. Deactivate access key {key} of stale")),
        "{s}"
    );
    assert!(
        s.contains(&format!(
            "call:  iam:UpdateAccessKey (global) {{\"AccessKeyId\":\"{key}\",\"Status\":\"Inactive\",\"UserName\":\"stale\"}}"
        )),
        "{s}"
    );
    assert!(s.contains("Apply these 1 fix(es) to account"), "{s}");
    assert_eq!(
        live::key_status(&iam, "stale").await,
        "Active",
        "asked first"
    );
    t.text("y");
    t.keys(&["Enter"]);
    let s = t.wait_for("FIX_EXIT=");
    assert!(
        s.contains("FIX_EXIT=0"),
        "the check passes after the fix: {s}"
    );
    assert!(
        s.contains(&format!("done      Deactivate access key {key}")),
        "{s}"
    );
    assert_eq!(live::key_status(&iam, "stale").await, "Inactive");

    // `guardpost undo`: the newest action, shown with its call; `n` does nothing.
    let s = t.wait_for("Undo these 1 action(s)");
    assert!(
        s.contains(&format!("Undo: Deactivate access key {key} of stale")),
        "{s}"
    );
    t.text("n");
    t.keys(&["Enter"]);
    let s = t.wait_for("UNDO_NO=");
    assert!(
        s.contains("nothing undone") && s.contains("UNDO_NO=1"),
        "{s}"
    );
    assert_eq!(live::key_status(&iam, "stale").await, "Inactive");
    // The second undo: `y`.
    t.wait_until("the second question", |s| {
        s.matches("Undo these 1 action(s)").count() == 2
    });
    t.text("y");
    t.keys(&["Enter"]);
    let s = t.wait_for("EXITED:");
    assert!(s.contains("EXITED:0"), "{s}");
    assert_eq!(live::key_status(&iam, "stale").await, "Active");
}
