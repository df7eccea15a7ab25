//! The binary's live paths: no credentials (exit 2, before the terminal is touched) and the
//! headless `guardpost snapshot save FILE` against the in-process fake over real HTTP.

use crate::live;

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
    // Every request was signed for the region asked for (IAM and Account: us-east-1; S3
    // Control, account-wide, is asked in the first region read).
    for r in fake.requests() {
        let want = if r.service == "iam" || r.service == "account" {
            "us-east-1"
        } else {
            "eu-west-1"
        };
        assert_eq!(r.region, want, "{} {}", r.service, r.path);
    }
}

/// The bastion-account pattern from ~/.aws/config: a role profile with `source_profile` and
/// `mfa_serial`. The code comes from GUARDPOST_MFA_CODE; the snapshot is the role's account.
#[test]
fn profile_with_role_and_mfa_serial_assumes_the_role_with_the_code() {
    let emu = live::emulator::start().unwrap();
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({"account": "111122223333", "securityhub": {"us-east-1": {"generate": 4}}})),
    );
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("aws-config");
    std::fs::write(
        &config,
        "[profile bastion]\n\
         aws_access_key_id = AKIABASTIONBASTION01\n\
         aws_secret_access_key = bastion-secret\n\
         region = us-east-1\n\n\
         [profile audit]\n\
         role_arn = arn:aws:iam::111122223333:role/SecurityAudit\n\
         source_profile = bastion\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/alice\n\
         duration_seconds = 1800\n",
    )
    .unwrap();
    let file = home.path().join("snap.json");
    let run = |code: Option<&str>, args: &[&str]| {
        let mut cmd = guardpost(home.path());
        cmd.env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"))
            .args(args)
            .args(["--profile", "audit", "--endpoint-url", &emu.url]);
        if let Some(c) = code {
            cmd.env("GUARDPOST_MFA_CODE", c);
        }
        cmd.output().unwrap()
    };

    // `check` without a code and without a terminal: a clear error, no STS call.
    let out = run(None, &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("an MFA code is needed for arn:aws:iam::123456789012:mfa/alice")
            && stderr.contains("standard input is not a terminal")
            && stderr.contains("GUARDPOST_MFA_CODE"),
        "{stderr}"
    );
    assert!(emu.calls("sts", "AssumeRole", "us-east-1").is_empty());

    let out = run(
        Some("135790"),
        &["snapshot", "save", file.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let assume = emu.calls("sts", "AssumeRole", "us-east-1");
    assert_eq!(assume.len(), 1);
    let p = &assume[0]["params"];
    assert_eq!(p["RoleArn"], "arn:aws:iam::111122223333:role/SecurityAudit");
    assert_eq!(p["SerialNumber"], "arn:aws:iam::123456789012:mfa/alice");
    assert_eq!(p["TokenCode"], "135790");
    assert_eq!(p["DurationSeconds"], "1800");
    assert_eq!(
        assume[0]["accessKeyId"], "AKIABASTIONBASTION01",
        "signed by the source profile"
    );

    let snap = Snapshot::load(&file).unwrap();
    assert_eq!(snap.account.id, "111122223333");
    assert_eq!(snap.securityhub[0].findings.len(), 4);
    // Nothing secret anywhere: not in the snapshot, not in the log.
    let temp_key = emu.calls("securityhub", "GetFindings", "us-east-1")[0]["accessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(temp_key.starts_with("ASIA"));
    let text = std::fs::read_to_string(&file).unwrap();
    let log = std::fs::read_to_string(home.path().join("state/guardpost.log")).unwrap_or_default();
    for secret in [
        &temp_key,
        "bastion-secret",
        "AKIABASTIONBASTION01",
        "135790",
    ] {
        assert!(!text.contains(secret), "{secret} in the snapshot");
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    assert!(log.contains("temporary credentials obtained"), "{log}");
}
