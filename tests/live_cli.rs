//! The binary's live paths: no credentials (exit 2, before the terminal is touched) and the
//! headless `guardpost snapshot save FILE` against the in-process fake over real HTTP.

mod live;

use guardpost::snapshot::Snapshot;
use live::fake_aws::{ACCOUNT, Behavior, CALLER, FakeAws, Spec};
use serde_json::json;
use std::process::{Command, Stdio};

/// A clean environment: no AWS variables, an empty HOME (no ~/.aws), no instance metadata.
fn guardpost(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guardpost"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GUARDPOST_STATE_DIR", home.join("state"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::null());
    cmd
}

#[test]
fn no_credentials_exits_2_naming_the_ways_to_provide_them() {
    let home = tempfile::tempdir().unwrap();
    let out = guardpost(home.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for want in [
        "no AWS credentials found",
        "AWS_ACCESS_KEY_ID",
        "~/.aws/credentials",
        "--profile",
        "SSO",
        "instance",
        "guardpost --demo",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in:\n{stderr}");
    }
    // The terminal was never touched: no alternate-screen or raw-mode escape sequences.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\u{1b}[?1049h"));

    // The same for the headless subcommand, and for an unknown profile.
    let out = guardpost(home.path())
        .args(["snapshot", "save", "x.json", "--profile", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AWS credentials found"));
    assert!(!home.path().join("x.json").exists());
}

#[test]
fn snapshot_save_writes_a_secret_free_snapshot() {
    let (sh_t, _, _) = live::templates();
    let mut spec = Spec::default();
    let mut f = sh_t.clone();
    f["Workflow"] = json!({"Status": "NEW"});
    f["RecordState"] = json!("ACTIVE");
    spec.securityhub
        .insert("eu-west-1".into(), Behavior::On(vec![f.clone()]));
    let fake = FakeAws::start(spec);

    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("snap.json");
    let out = guardpost(home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
        .env("AWS_SECRET_ACCESS_KEY", "very-secret-value")
        .args(["snapshot", "save"])
        .arg(&file)
        .args(["--region", "eu-west-1", "--endpoint-url", &fake.url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("wrote"), "{stderr}");

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("very-secret-value"));
    assert!(!text.contains("AKIAFAKEFAKEFAKE"));
    let snap = Snapshot::load(&file).unwrap();
    assert_eq!(snap.account.id, ACCOUNT);
    assert_eq!(snap.account.caller_arn.as_deref(), Some(CALLER));
    assert_eq!(snap.regions, ["eu-west-1"]);
    assert_eq!(snap.securityhub[0].findings, [f]);
    // Every request was signed for the region asked for (IAM: us-east-1).
    for r in fake.requests() {
        let want = if r.service == "iam" {
            "us-east-1"
        } else {
            "eu-west-1"
        };
        assert_eq!(r.region, want, "{} {}", r.service, r.path);
    }
}
