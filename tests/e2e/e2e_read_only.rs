//! End-to-end: read-only cannot be bypassed. The real binary in tmux against the emulator,
//! with the read-only setting reached the ways the security review reached around it:
//! `AWS_PROFILE=prod` (no `--profile`) and an `[accounts."<id>"]` entry for the account the
//! credentials land in. Each time the header says READ-ONLY with the reason, and `x`, Enter,
//! `y` on the finding about a key sends no mutating call (the key stays active on the server).

use crate::common;
use crate::live;

use common::tmux::{Tmux, assert_restored};
use serde_json::json;

/// Starts guardpost with `config` as its config file and `extra_env` set, presses `x`, Enter,
/// `y` on the old key's finding, and returns the screen after the keys.
fn attempt(emu: &live::emulator::Emulator, name: &str, config: &str, extra_env: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config/guardpost")).unwrap();
    std::fs::write(home.path().join("config/guardpost/config.toml"), config).unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile prod]\nregion = us-east-1\n",
    )
    .unwrap();
    let cmd = format!(
        "cd {home} && {env} {extra_env} {bin} --endpoint-url {url} --region us-east-1",
        home = home.path().display(),
        env = live::binary_env(home.path()),
        bin = env!("CARGO_BIN_EXE_guardpost"),
        url = emu.url,
    );
    let t = Tmux::start(name, 160, 45, &cmd);
    let s = t.wait_for("Posture score");
    assert!(s.contains("READ-ONLY"), "the header says READ-ONLY:\n{s}");

    t.keys(&[":"]);
    t.text("posture");
    t.keys(&["Enter"]);
    t.wait_for("Findings › Posture");
    t.keys(&["/"]);
    t.text("not rotated");
    t.keys(&["Enter"]);
    t.wait_for("User ro-key has an access key not rotated");
    t.keys(&["Enter"]);
    t.wait_for("Reported by");
    // The burst that ran an action before: x, Enter, y.
    t.text("x\ry");
    let s = t.wait_for("read-only");
    t.keys(&["q"]);
    let end = t.wait_exit();
    assert_restored(&end);
    assert!(
        !home.path().join("state/journal.jsonl").exists()
            || !std::fs::read_to_string(home.path().join("state/journal.jsonl"))
                .unwrap()
                .contains("\"kind\":\"intent\""),
        "nothing was attempted"
    );
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_holds_for_aws_profile_and_for_the_account_changed() {
    let emu = live::emulator::start().expect("emulator");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    live::user_with_key(&iam, "ro-key").await;
    emu.control(
        "POST",
        "/_guardpost/iam/backdate",
        Some(&json!({"user": "ro-key", "days": 200, "last_used_days": 1, "user_days": 400})),
    );
    let mutating = || emu.calls("iam", "UpdateAccessKey", "us-east-1").len();
    let before = mutating();

    // 1. The profile comes from AWS_PROFILE, as the SDK's does.
    let s = attempt(
        &emu,
        "ro-profile",
        "[profiles.prod]\nread_only = true\n",
        "AWS_PROFILE=prod",
    );
    assert!(s.contains("read-only"), "{s}");
    assert_eq!(live::key_status(&iam, "ro-key").await, "Active");
    assert_eq!(mutating(), before, "no UpdateAccessKey reached the server");

    // 2. The account the credentials land in is read-only, whatever the profile says.
    let s = attempt(
        &emu,
        "ro-account",
        &format!(
            "[profiles.prod]\nread_only = false\n[accounts.\"{}\"]\nread_only = true\n",
            ctx.account_id
        ),
        "AWS_PROFILE=prod",
    );
    assert!(s.contains("read-only"), "{s}");
    assert_eq!(live::key_status(&iam, "ro-key").await, "Active");
    assert_eq!(mutating(), before, "no UpdateAccessKey reached the server");
}
