//! Endpoint overrides, log levels and credential errors at the binary's edge (issue 12, items
//! 7 and 10): refused before any call and before the terminal is touched, exit code 2.

use crate::common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
        .env("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
        .env("AWS_SECRET_ACCESS_KEY", "fake-secret")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> (Option<i32>, String, Duration) {
    let t = Instant::now();
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.elapsed(),
    )
}

#[test]
fn plain_http_to_a_remote_endpoint_is_refused_before_any_call() {
    let home = tempfile::tempdir().unwrap();
    // 192.0.2.1 (TEST-NET-1) is never answered: a call there would hang, not fail fast.
    for (args, env, origin) in [
        (
            vec!["check", "--endpoint-url", "http://192.0.2.1:4566"],
            None,
            "--endpoint-url",
        ),
        (
            vec!["snapshot", "save", "x.json"],
            Some(("AWS_ENDPOINT_URL", "http://192.0.2.1")),
            "AWS_ENDPOINT_URL",
        ),
        (
            vec!["check"],
            Some(("AWS_ENDPOINT_URL_IAM", "HTTP://user@192.0.2.1:80/x")),
            "AWS_ENDPOINT_URL_IAM",
        ),
        (
            vec![],
            Some(("AWS_ENDPOINT_URL_STS", "http://sts.example.com")),
            "AWS_ENDPOINT_URL_STS",
        ),
    ] {
        let mut cmd = guardpost(home.path());
        cmd.args(&args);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let (code, stderr, took) = run(&mut cmd);
        assert_eq!(code, Some(2), "{args:?} {env:?}: {stderr}");
        assert!(
            stderr.contains(&format!("refusing {origin} ")),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("--allow-insecure-endpoint"), "{stderr}");
        assert!(took < Duration::from_secs(5), "no call was made: {took:?}");
        // Nothing of the terminal was touched.
        assert!(!stderr.contains("\u{1b}[?1049h"));
    }
    assert!(!home.path().join("x.json").exists());
}

#[test]
fn log_level_takes_only_the_five_level_names() {
    let home = tempfile::tempdir().unwrap();
    for bad in [
        "info,aws_smithy_runtime=trace",
        "trace,hyper=trace",
        "guardpost=debug",
        "loud",
    ] {
        let (code, stderr, _) =
            run(guardpost(home.path()).args(["check", "--demo", "--log-level", bad]));
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("possible values"), "{stderr}");
        let (code, stderr, _) = run(guardpost(home.path())
            .args(["check", "--demo"])
            .env("GUARDPOST_LOG", bad));
        assert_eq!(code, Some(2), "GUARDPOST_LOG={bad}: {stderr}");
    }
    for good in ["error", "warn", "info", "debug", "trace"] {
        let (code, stderr, _) = run(guardpost(home.path()).args([
            "check",
            "--demo",
            "--fail-on",
            "none",
            "--log-level",
            good,
        ]));
        assert_eq!(code, Some(0), "{good}: {stderr}");
    }
}

#[test]
fn a_failing_credential_source_is_one_line_of_cause() {
    // A container credentials endpoint that answers 500 with headers the message must not dump.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { break };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let body = "{\"code\":\"Boom\",\"message\":\"credentials service down\"}";
            let _ = write!(
                s,
                "HTTP/1.1 500 Internal Server Error\r\nX-Leaky-Header: do-not-print\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = guardpost(home.path());
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("http://{addr}/creds"),
        )
        .args(["check"]);
    let (code, stderr, _) = run(&mut cmd);
    drop(server);
    assert_eq!(code, Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains("no AWS credentials found"), "{stderr}");
    assert!(first.len() < 400, "one short line of cause: {first}");
    assert!(
        !stderr.contains("X-Leaky-Header") && !stderr.contains("do-not-print"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("HeaderMap") && !stderr.contains("Response {"),
        "{stderr}"
    );
}

#[test]
fn the_header_names_an_endpoint_override() {
    use guardpost::app::{self, Event, State};
    let mut st = State::new(false, (120, 30));
    st.endpoint = Some("http://127.0.0.1:4566 (--endpoint-url)".into());
    app::update(&mut st, Event::Loaded(Box::new(common::demo::demo())));
    let text = common::demo::text(&st);
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("[endpoint http://127.0.0.1:4566 (--endpoint-url)]"),
        "{header}"
    );
}
