//! Shared helpers for the live-layer tests (tests/live_*.rs).
#![allow(dead_code)]

pub mod emulator;
pub mod fake_aws;
pub mod org;

use guardpost::sources::{AwsContext, LiveOptions, LiveSetupError};
use serde_json::Value;

/// Resolves a context against `endpoint` with fixed test credentials (no environment, no
/// ~/.aws files, no instance metadata).
pub async fn context(endpoint: &str, regions: &[&str]) -> Result<AwsContext, LiveSetupError> {
    AwsContext::resolve_with(&options(endpoint, regions), loader()).await
}

/// Options for `endpoint` and `regions`, nothing else set.
pub fn options(endpoint: &str, regions: &[&str]) -> LiveOptions {
    LiveOptions {
        regions: regions.iter().map(|r| r.to_string()).collect(),
        endpoint_url: Some(endpoint.to_string()),
        ..LiveOptions::default()
    }
}

/// The SDK loader the tests use: fixed test credentials, quick retries.
pub fn loader() -> aws_config::ConfigLoader {
    let creds = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "test");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(creds)
        // The production policy (adaptive, 6 attempts) with short backoffs to keep tests quick.
        .retry_config(
            aws_config::retry::RetryConfig::adaptive()
                .with_max_attempts(guardpost::sources::aws::MAX_ATTEMPTS)
                .with_initial_backoff(std::time::Duration::from_millis(20))
                .with_max_backoff(std::time::Duration::from_millis(200)),
        )
}

/// Templates from the embedded demo snapshot, so fixtures have the real wire shape.
pub fn templates() -> (Value, Value, Value) {
    let demo = guardpost::snapshot::Snapshot::demo();
    (
        demo.securityhub[0].findings[0].clone(),
        demo.guardduty[0].findings[0].clone(),
        demo.access_analyzer[0].findings[0].clone(),
    )
}

/// Creates an IAM user with one access key in the emulator; returns the key id.
pub async fn user_with_key(iam: &aws_sdk_iam::Client, name: &str) -> String {
    iam.create_user().user_name(name).send().await.unwrap();
    iam.create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap()
        .access_key_id
}

/// The status (`Active` / `Inactive`) of a user's first access key, read back from the server.
pub async fn key_status(iam: &aws_sdk_iam::Client, user: &str) -> String {
    iam.list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .access_key_metadata()[0]
        .status()
        .unwrap()
        .as_str()
        .to_string()
}

/// The real binary with the emulator's test credentials, `home` as HOME, config and state
/// directory, nothing else from the test's environment, no terminal on stdin; `args` after
/// the global `--endpoint-url` and one `--region` per region.
pub fn guardpost(
    home: &std::path::Path,
    url: &str,
    regions: &[&str],
    args: &[&str],
) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_guardpost"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GUARDPOST_STATE_DIR", home.join("state"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args(args)
        .args(["--endpoint-url", url])
        .args(regions.iter().flat_map(|r| ["--region", r]))
        .stdin(std::process::Stdio::null());
    c
}

/// `guardpost check --format json --fail-on none ARGS` against the emulator in `regions`: the
/// JSON report (null when stdout is not one), stderr and the exit code.
pub fn check_json(
    home: &std::path::Path,
    url: &str,
    regions: &[&str],
    args: &[&str],
) -> (Value, String, Option<i32>) {
    let mut all = vec!["check", "--format", "json", "--fail-on", "none"];
    all.extend_from_slice(args);
    let out = guardpost(home, url, regions, &all)
        .output()
        .expect("run guardpost");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (report, err, out.status.code())
}

/// The (rule, resource ARN) pairs of a `check` JSON report's findings.
pub fn rule_pairs(report: &Value) -> std::collections::BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {report:#}"))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"]["arn"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (rule, resource ARN) pairs written out, to compare with [`rule_pairs`].
pub fn pair_set(items: &[(&str, &str)]) -> std::collections::BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(r, a)| (r.to_string(), a.to_string()))
        .collect()
}

/// The run id `check --fix` printed for `guardpost undo --all-from RUN`.
pub fn fix_run_id(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.split("guardpost undo --all-from ").nth(1))
        .unwrap_or_else(|| panic!("no run id in {stderr}"))
        .trim()
        .to_string()
}

/// The environment the binary gets in tmux: emulator credentials, a private HOME and state
/// directory, nothing else from the test's environment.
pub fn binary_env(home: &std::path::Path) -> String {
    format!(
        "env -i PATH=\"$PATH\" HOME={home} TERM=xterm-256color GUARDPOST_STATE_DIR={home}/state \
         XDG_CONFIG_HOME={home}/config AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
         AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true",
        home = home.display()
    )
}

/// A least-privilege policy shipped in docs/, evaluated by guardpost's own policy parser.
pub struct DocsPolicy {
    pub name: &'static str,
    statements: Vec<guardpost::posture::policy::Statement>,
}

impl DocsPolicy {
    /// `name` is the file in docs/, e.g. `iam-policy-readonly.json`.
    pub fn load(name: &'static str) -> DocsPolicy {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name);
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        DocsPolicy {
            name,
            statements: guardpost::posture::policy::parse_document(&doc).unwrap(),
        }
    }

    /// Whether an Allow statement grants `action` (`service:Operation`, case-insensitive).
    pub fn allows(&self, action: &str) -> bool {
        self.statements.iter().any(|s| {
            s.effect == guardpost::posture::policy::Effect::Allow && s.matches_action(action)
        })
    }
}

/// The IAM action of one entry of the emulator's request log (`access-analyzer:UpdateFindings`:
/// the log names services as the SDK does, IAM actions use the service prefix).
pub fn logged_action(entry: &Value) -> String {
    let svc = entry["service"].as_str().unwrap();
    let op = entry["operation"].as_str().unwrap();
    // S3's IAM actions differ from some operation names.
    match (svc, op) {
        ("s3control", "GetPublicAccessBlock") => return "s3:GetAccountPublicAccessBlock".into(),
        ("s3control", "PutPublicAccessBlock" | "DeletePublicAccessBlock") => {
            return "s3:PutAccountPublicAccessBlock".into();
        }
        ("s3", "GetPublicAccessBlock") => return "s3:GetBucketPublicAccessBlock".into(),
        ("s3", "PutPublicAccessBlock" | "DeletePublicAccessBlock") => {
            return "s3:PutBucketPublicAccessBlock".into();
        }
        _ => {}
    }
    let prefix = if svc == "accessanalyzer" {
        "access-analyzer"
    } else {
        svc
    };
    format!("{prefix}:{op}")
}
