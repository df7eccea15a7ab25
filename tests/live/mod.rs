//! Shared helpers for the live-layer tests (tests/live_*.rs).
#![allow(dead_code)]

pub mod emulator;
pub mod fake_aws;

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
