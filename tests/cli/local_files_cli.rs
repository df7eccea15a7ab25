//! The binary's own files, end to end: an unopenable log file is exit 2 with a message (not a
//! panic); a snapshot over the size limit is refused before it is read; `check --output` and
//! the log are private whatever the umask and never follow a planted symlink.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(state: &Path, config_home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardpost"))
        .args(args)
        .env_remove("GUARDPOST_CONFIG")
        .env_remove("TERM")
        .env("XDG_CONFIG_HOME", config_home)
        .env("GUARDPOST_STATE_DIR", state)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn an_unopenable_log_file_is_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    // The state "directory" is under a regular file: nothing can be created there.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let out = run(
        &blocker.join("state"),
        &dir.path().join("cfg"),
        &["check", "--demo"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot open the log file"), "{err}");
    assert!(err.contains("GUARDPOST_STATE_DIR"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_snapshot_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    // Sparse: the size is what counts, nothing is written.
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(guardpost::storage::MAX_SNAPSHOT_BYTES + 1)
        .unwrap();
    let out = run(
        &dir.path().join("state"),
        &dir.path().join("cfg"),
        &["check", "--snapshot", big.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("more than the"), "{err}");
    assert!(err.contains("big.json"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn check_output_and_the_log_are_private_and_never_follow_a_planted_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    // What an attacker plants at the name the old code wrote through.
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, reports.join(".report.json.tmp")).unwrap();
    let report = reports.join("report.json");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec {} check --demo --format json --output {}",
            env!("CARGO_BIN_EXE_guardpost"),
            report.display()
        ))
        .env_remove("GUARDPOST_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path().join("cfg"))
        .env("GUARDPOST_STATE_DIR", &state)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&report), 0o600);
    assert!(
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&report).unwrap())
            .is_ok()
    );
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("guardpost.log")), 0o600);
}
