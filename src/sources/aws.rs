//! SDK configuration: profile, regions, endpoint override, credentials check and the caller.

use super::session::{
    self, CodeRequest, CodeSource, MfaCode, SessionError, SessionInfo, SessionOptions, SessionSpec,
};
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::ProvideCredentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
    FinalizerInterceptorContextMut, InterceptorContext,
};
pub use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::time::Duration;

/// IAM is global: its client always talks to us-east-1.
pub const IAM_REGION: &str = "us-east-1";

/// `--all-regions` reads these: the commercial regions that are enabled in every account by
/// default. Opt-in regions (af-south-1, ap-east-1, me-south-1, eu-south-1, ...) reject calls
/// until the account enables them, so they are read only when named with `--region`. A static
/// list keeps guardpost free of the EC2 SDK (ec2:DescribeRegions) and its build cost.
pub const DEFAULT_ENABLED_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
];

/// Attempts per call: throttling, transient errors, server errors and 2xx answers whose body
/// does not parse are retried ([`RetryPolicy`]).
pub const MAX_ATTEMPTS: u32 = crate::model::coverage::RETRY_ATTEMPTS;
/// After throttling, the first retry waits a random delay up to this, doubling per retry
/// (standard mode: full jitter, per call). A throttled call waits only for itself: the
/// adaptive mode's client-wide rate limiter made two throttled GetAccountAuthorizationDetails
/// calls slow every later IAM call (33.6 s for a 1 s load, docs/performance.md).
pub const INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// The same for every other retryable failure (a reset connection, a 5xx, a body that does not
/// parse): nothing to wait out, so the first retry comes almost at once.
pub const NON_THROTTLING_BACKOFF: Duration = Duration::from_millis(25);
/// No single wait is longer than this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// No retry starts once a call has taken this long (attempts and waits together).
pub const RETRY_BUDGET: Duration = Duration::from_secs(5);
/// A 5xx answer is retried at most this many attempts: an endpoint that lacks the operation
/// answers the same every time.
pub const SERVER_ERROR_ATTEMPTS: u32 = 3;

/// The retry configuration of every client: standard mode (per-call exponential back-off with
/// jitter, the SDK's retry quota) with [`MAX_ATTEMPTS`], [`INITIAL_BACKOFF`] (throttling),
/// [`NON_THROTTLING_BACKOFF`] (everything else) and [`MAX_BACKOFF`].
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
        // Retry behaviour 2.0 (the SDK's default) with its own base for non-throttling errors.
        .with_retry_spec(
            aws_smithy_types::retry::RetrySpec::v2_0()
                .with_non_throttling_initial_backoff(NON_THROTTLING_BACKOFF),
        )
}

/// Response headers [`RetryBook`] adds (never sent anywhere): which attempt answered and how
/// long the call had taken, for [`RetryPolicy`] and for error messages.
pub const ATTEMPT_HEADER: &str = "x-guardpost-attempt";
pub const ELAPSED_HEADER: &str = "x-guardpost-elapsed-ms";

#[derive(Debug, Clone, Copy)]
struct CallStart(std::time::Instant);

impl Storable for CallStart {
    type Storer = StoreReplace<Self>;
}

/// An interceptor that notes when a call started and writes the attempt number and the time
/// spent so far into each response (as [`ATTEMPT_HEADER`] / [`ELAPSED_HEADER`]), so the retry
/// classifier can bound the time per call and an error can say how often it was retried.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryBook;

impl Intercept for RetryBook {
    fn name(&self) -> &'static str {
        "guardpost::RetryBook"
    }

    fn modify_before_retry_loop(
        &self,
        _context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(CallStart(std::time::Instant::now()));
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let attempt = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        let elapsed = cfg
            .load::<CallStart>()
            .map_or(0, |s| s.0.elapsed().as_millis());
        let headers = context.response_mut().headers_mut();
        headers.insert(ATTEMPT_HEADER, attempt.to_string());
        headers.insert(ELAPSED_HEADER, elapsed.to_string());
        Ok(())
    }

    /// The SDK's XML reader accepts a document that simply stops (measured: a
    /// GetAccountAuthorizationDetails page cut in half "parsed", its roles and policies
    /// silently lost). A 2xx XML answer whose root element is not closed becomes a response
    /// error here, which [`RetryPolicy`] retries like any body that does not parse.
    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let incomplete = context.response().is_some_and(|r| {
            r.status().is_success() && r.body().bytes().is_some_and(xml_cut_short)
        });
        if incomplete && let Some(out @ Ok(_)) = context.output_or_error_mut() {
            *out = Err(OrchestratorError::response(
                "the XML answer ends before its root element is closed".into(),
            ));
        }
        Ok(())
    }
}

/// Whether `body` is an XML document whose root element is never closed (a truncated answer).
/// JSON and empty bodies are not judged here.
pub fn xml_cut_short(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if !text.starts_with('<') {
        return false;
    }
    // The root element: the first tag that is not a declaration, comment or doctype.
    let mut rest = text;
    let root = loop {
        let Some(at) = rest.find('<') else {
            return true;
        };
        rest = &rest[at + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        break name;
    };
    if root.is_empty() {
        return true;
    }
    // `<Root/>` closes itself; otherwise the document must end with `</Root>`.
    let self_closed = rest[root.len()..]
        .split_once('>')
        .is_some_and(|(attrs, _)| attrs.trim_end().ends_with('/'));
    !(self_closed && text.ends_with("/>") || text.ends_with(&format!("</{root}>")))
}

/// guardpost's retry rules on top of the SDK's classifiers (it runs last and may overrule):
/// - a 2xx answer whose body did not deserialize (a truncated page) is retried as a transient
///   error: the SDK would give up at once and the page's findings would be lost;
/// - a 5xx is retried at most [`SERVER_ERROR_ATTEMPTS`] attempts;
/// - nothing is retried once the call has taken [`RETRY_BUDGET`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryPolicy;

fn header_num(resp: Option<&HttpResponse>, name: &str) -> Option<u64> {
    resp?.headers().get(name)?.parse().ok()
}

impl ClassifyRetry for RetryPolicy {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        self.classify_retry_v2(ctx, &RetryAction::NoActionIndicated)
    }

    fn classify_retry_v2(&self, ctx: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        let resp = ctx.response();
        let failed = matches!(ctx.output_or_error(), Some(Err(_)));
        let unparsed = failed && resp.is_some_and(|r| r.status().is_success());
        let retrying = previous.should_retry() || unparsed;
        if !retrying {
            return RetryAction::NoActionIndicated;
        }
        let elapsed = header_num(resp, ELAPSED_HEADER).unwrap_or(0);
        let attempt = header_num(resp, ATTEMPT_HEADER).unwrap_or(1);
        let server_error = resp.is_some_and(|r| r.status().is_server_error());
        if elapsed >= RETRY_BUDGET.as_millis() as u64
            || (server_error && attempt >= u64::from(SERVER_ERROR_ATTEMPTS))
        {
            return RetryAction::RetryForbidden;
        }
        if unparsed && !previous.should_retry() {
            return RetryAction::transient_error();
        }
        RetryAction::NoActionIndicated
    }

    fn name(&self) -> &'static str {
        "guardpost::RetryPolicy"
    }

    fn priority(&self) -> RetryClassifierPriority {
        // After the SDK's own classifiers (HTTP status, modeled, AWS error codes, transient).
        RetryClassifierPriority::run_after(RetryClassifierPriority::run_after(
            RetryClassifierPriority::transient_error_classifier(),
        ))
    }
}

/// ` (attempt 4 of 6, 1.3 s)` when the answer came after retries, else empty.
pub fn retry_note(resp: &HttpResponse) -> String {
    match header_num(Some(resp), ATTEMPT_HEADER) {
        Some(n) if n > 1 => {
            let ms = header_num(Some(resp), ELAPSED_HEADER).unwrap_or(0);
            format!(" (after {n} attempts in {:.1} s)", ms as f64 / 1000.0)
        }
        _ => String::new(),
    }
}

/// What a non-AWS answer said: its size and the first ~120 characters of its text (tags and
/// runs of blanks removed, so a proxy's HTML page reads as its message), sanitised.
pub fn body_excerpt(resp: &HttpResponse) -> String {
    let Some(bytes) = resp.body().bytes() else {
        return "body not read".into();
    };
    if bytes.is_empty() {
        return "empty body".into();
    }
    let text = String::from_utf8_lossy(bytes);
    let mut plain = String::with_capacity(text.len().min(4096));
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut short: String = words.join(" ").chars().take(120).collect();
    if short.chars().count() == 120 {
        short.push('…');
    }
    format!(
        "{} bytes: \"{}\"",
        bytes.len(),
        crate::sanitize::line(&short)
    )
}

/// A service client built from `conf` with guardpost's retry rules ([`RetryBook`],
/// [`RetryPolicy`]): `client!(aws_sdk_guardduty, &conf)`.
macro_rules! client {
    ($sdk:ident, $conf:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($conf)
                .interceptor($crate::sources::aws::RetryBook)
                .retry_classifier($crate::sources::aws::RetryPolicy)
                .build(),
        )
    };
    // With one more interceptor (the coverage's ThrottleWatch).
    ($sdk:ident, $conf:expr, $extra:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($conf)
                .interceptor($crate::sources::aws::RetryBook)
                .interceptor($extra)
                .retry_classifier($crate::sources::aws::RetryPolicy)
                .build(),
        )
    };
}
pub(crate) use client;

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// A named profile from ~/.aws/config / ~/.aws/credentials (else `AWS_PROFILE` / default).
    pub profile: Option<String>,
    /// Regions to read; empty = the profile's / `AWS_REGION`'s region.
    pub regions: Vec<String>,
    /// Read [`DEFAULT_ENABLED_REGIONS`] (plus any `regions` named).
    pub all_regions: bool,
    /// Send every call to this endpoint (an emulator, a VPC endpoint, a proxy).
    pub endpoint_url: Option<String>,
    /// Assume this role (`--role-arn`); see [`super::session`].
    pub role_arn: Option<String>,
    /// MFA device serial (`--mfa-serial`); else the profile's `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// Session lifetime in seconds (`--duration`).
    pub duration_secs: Option<i32>,
    /// A code given up front (`--mfa-code`, `GUARDPOST_MFA_CODE`): tried once, never prompted.
    pub mfa_code: Option<MfaCode>,
    /// `--allow-insecure-endpoint`: accept a plain `http://` endpoint on a host that is not
    /// loopback (see [`check_endpoint`]).
    pub allow_insecure_endpoint: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LiveSetupError {
    #[error(
        "no AWS credentials found{profile}: {detail}\n\
         Provide credentials in one of these ways:\n  \
         - environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)\n  \
         - a profile in ~/.aws/credentials or ~/.aws/config, chosen with --profile NAME or AWS_PROFILE\n  \
         - AWS IAM Identity Center (SSO): `aws sso login --profile NAME`, then --profile NAME\n  \
         - an instance, task or pod role (EC2 instance profile, ECS task role, EKS web identity)\n\
         Or explore guardpost without an account: `guardpost --demo`"
    )]
    NoCredentials { profile: String, detail: String },
    #[error(
        "no AWS region configured: pass --region REGION (repeatable) or --all-regions, set AWS_REGION, or set `region` in the profile"
    )]
    NoRegion,
    #[error("the AWS credentials were rejected by sts:GetCallerIdentity: {0}")]
    Rejected(String),
    #[error("AWS config file: {0}")]
    Profile(String),
    #[error("cannot get temporary credentials: {0}")]
    Session(SessionError),
    #[error("{0}")]
    InsecureEndpoint(String),
}

/// One line of cause for an error chain: the outermost message and the innermost cause, each
/// cut at its first line and at 160 characters, sanitised. The SDK's full chain can hold a
/// `Debug` dump of an HTTP response, headers included; that never reaches the terminal.
pub fn one_line_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let short = |s: String| -> String {
        let first = s.lines().next().unwrap_or_default().trim();
        let mut out: String = first.chars().take(160).collect();
        if first.chars().count() > 160 {
            out.push('…');
        }
        out
    };
    let top = short(e.to_string());
    let mut root = e;
    let mut nested = false;
    while let Some(next) = root.source() {
        root = next;
        nested = true;
    }
    let cause = short(root.to_string());
    let text = if !nested || cause.is_empty() || top.contains(&cause) {
        top
    } else {
        format!("{top}: {cause}")
    };
    crate::sanitize::line(&text).into_owned()
}

/// Whether an endpoint override may be used: `https://` always; plain `http://` only to a
/// loopback host (an emulator on this machine) unless `allow_insecure`, because every call
/// (STS AssumeRole with the MFA code, the temporary credentials it returns, the inventory)
/// would cross the network in clear. `origin` names where the URL came from, for the message.
pub fn check_endpoint(origin: &str, url: &str, allow_insecure: bool) -> Result<(), String> {
    let shown = crate::sanitize::line(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("{origin} {shown:?} is not an http(s) URL"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if loopback || allow_insecure => Ok(()),
        "http" => Err(format!(
            "refusing {origin} {shown}: plain http to a host that is not loopback would send the \
             MFA code, the STS credentials and everything read in clear. Use https, or pass \
             --allow-insecure-endpoint if the network path is trusted"
        )),
        _ => Err(format!("{origin} {shown:?} is not an http(s) URL")),
    }
}

/// Every endpoint override the SDK would honour, with where it comes from: `--endpoint-url`,
/// `AWS_ENDPOINT_URL` and the per-service `AWS_ENDPOINT_URL_<SERVICE>` variables (unless
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true). A profile's `endpoint_url` is seen after
/// the config is loaded (`SdkConfig::endpoint_url`).
pub fn endpoint_overrides(opts: &LiveOptions) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(u) = &opts.endpoint_url {
        out.push(("--endpoint-url".to_string(), u.clone()));
    }
    let ignored = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if !ignored {
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, v)| k.starts_with("AWS_ENDPOINT_URL") && !v.is_empty())
            .collect();
        env.sort();
        out.extend(env);
    }
    out
}

/// A resolved, verified configuration: who we are and where to read.
#[derive(Debug, Clone)]
pub struct AwsContext {
    /// What every reader uses (temporary credentials when there is a session).
    base: SdkConfig,
    /// The source credentials and how the session was made, to renew it.
    source: Option<(SdkConfig, SessionSpec)>,
    pub regions: Vec<String>,
    pub account_id: String,
    pub caller_arn: Option<String>,
    /// Temporary credentials guardpost obtained (MFA, `--role-arn`): when they expire.
    pub session: Option<SessionInfo>,
    /// The endpoint override in effect (`--endpoint-url`, `AWS_ENDPOINT_URL...`, a profile's
    /// `endpoint_url`), shown in the header: the data may not come from AWS.
    pub endpoint: Option<String>,
}

impl AwsContext {
    /// Loads the SDK configuration, checks that credentials resolve and calls
    /// sts:GetCallerIdentity. Nothing secret is kept beyond the SDK's own credential cache.
    pub async fn resolve(opts: &LiveOptions) -> Result<AwsContext, LiveSetupError> {
        let loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry_config());
        Box::pin(Self::resolve_with(opts, loader)).await
    }

    /// [`resolve`](Self::resolve), asking `ask` for MFA codes (a terminal prompt).
    pub async fn resolve_asking(
        opts: &LiveOptions,
        ask: CodeSource<'_>,
    ) -> Result<AwsContext, LiveSetupError> {
        let loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry_config());
        Box::pin(Self::resolve_with_prompt(opts, loader, ask)).await
    }

    /// [`resolve`](Self::resolve) starting from a given loader (tests pass fixed credentials
    /// and a quick retry policy).
    pub async fn resolve_with(
        opts: &LiveOptions,
        loader: aws_config::ConfigLoader,
    ) -> Result<AwsContext, LiveSetupError> {
        let mut ask = |r: &CodeRequest| -> Result<String, String> {
            Err(format!(
                "an MFA code is needed for {}: pass --mfa-code CODE or set GUARDPOST_MFA_CODE",
                r.mfa_serial
            ))
        };
        Box::pin(Self::resolve_with_prompt(opts, loader, &mut ask)).await
    }

    /// [`resolve_with`](Self::resolve_with), asking `ask` for MFA codes when a session needs
    /// one and no code was given up front.
    pub async fn resolve_with_prompt(
        opts: &LiveOptions,
        mut loader: aws_config::ConfigLoader,
        ask: CodeSource<'_>,
    ) -> Result<AwsContext, LiveSetupError> {
        let profiles = session::read_config_file();
        let spec = session::session_spec(
            &SessionOptions {
                profile: opts.profile.clone(),
                role_arn: opts.role_arn.clone(),
                mfa_serial: opts.mfa_serial.clone(),
                duration_secs: opts.duration_secs,
            },
            &profiles,
        )
        .map_err(LiveSetupError::Profile)?;
        // With a session the SDK loads only the source credentials: a role profile with
        // mfa_serial would otherwise make it call AssumeRole without the code.
        let source_profile = match &spec {
            Some(s) => s.source_profile.clone(),
            None => opts.profile.clone(),
        };
        if let Some(p) = &source_profile {
            loader = loader.profile_name(p);
        }
        if let Some(cs) = spec.as_ref().and_then(|s| s.credential_source.as_deref()) {
            loader = match cs {
                "Environment" => loader.credentials_provider(
                    aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
                ),
                "Ec2InstanceMetadata" => loader.credentials_provider(
                    aws_config::imds::credentials::ImdsCredentialsProvider::builder().build(),
                ),
                "EcsContainer" => loader.credentials_provider(
                    aws_config::ecs::EcsCredentialsProvider::builder().build(),
                ),
                other => {
                    return Err(LiveSetupError::Profile(format!(
                        "credential_source {other:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                    )));
                }
            };
        }
        match (
            opts.regions.first(),
            spec.as_ref().and_then(|s| s.region.as_ref()),
        ) {
            (Some(r), _) | (None, Some(r)) => loader = loader.region(Region::new(r.clone())),
            _ => {}
        }
        let overrides = endpoint_overrides(opts);
        for (origin, url) in &overrides {
            check_endpoint(origin, url, opts.allow_insecure_endpoint)
                .map_err(LiveSetupError::InsecureEndpoint)?;
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let base = Box::pin(loader.load()).await;
        // A profile's endpoint_url (or services section) is only known now; check it before
        // any call, credential resolution included, goes out.
        if let Some(url) = base.endpoint_url() {
            check_endpoint("endpoint_url", url, opts.allow_insecure_endpoint)
                .map_err(LiveSetupError::InsecureEndpoint)?;
        }
        let endpoint = base
            .endpoint_url()
            .map(str::to_string)
            .or_else(|| overrides.first().map(|(o, u)| format!("{u} ({o})")));

        let mut regions: Vec<String> = Vec::new();
        if opts.all_regions {
            regions.extend(DEFAULT_ENABLED_REGIONS.iter().map(|r| r.to_string()));
        }
        for r in &opts.regions {
            if !regions.contains(r) {
                regions.push(r.clone());
            }
        }
        if regions.is_empty() {
            match base.region() {
                Some(r) => regions.push(r.to_string()),
                None => return Err(LiveSetupError::NoRegion),
            }
        }

        let profile = opts
            .profile
            .as_ref()
            .map(|p| format!(" for profile {p:?}"))
            .unwrap_or_default();
        let Some(provider) = base.credentials_provider() else {
            return Err(LiveSetupError::NoCredentials {
                profile,
                detail: "no credentials provider is configured".into(),
            });
        };
        if let Err(e) = Box::pin(provider.provide_credentials()).await {
            return Err(LiveSetupError::NoCredentials {
                profile,
                detail: one_line_cause(&e),
            });
        }

        let sts_conf = base
            .to_builder()
            .region(Region::new(regions[0].clone()))
            .build();
        let (base, source, session) = match spec {
            Some(spec) => {
                let fixed = opts.mfa_code.as_ref().map(|c| c.0.as_str());
                let (conf, info) = Box::pin(session::start(&sts_conf, &spec, fixed, ask))
                    .await
                    .map_err(LiveSetupError::Session)?;
                (conf, Some((sts_conf.clone(), spec)), Some(info))
            }
            None => (base, None, None),
        };
        let sts_conf = base
            .to_builder()
            .region(Region::new(regions[0].clone()))
            .build();
        let sts = client!(aws_sdk_sts, &sts_conf);
        let who = Box::pin(sts.get_caller_identity().send())
            .await
            .map_err(|e| {
                LiveSetupError::Rejected(super::describe_error("sts:GetCallerIdentity", &e))
            })?;
        Ok(AwsContext {
            base,
            source,
            regions,
            account_id: who.account().unwrap_or_default().to_string(),
            caller_arn: who.arn().map(str::to_string),
            session,
            endpoint,
        })
    }

    /// A new session with one code (none for a role without MFA): the same account and
    /// regions with fresh temporary credentials. Nothing else is re-read.
    pub async fn renew(&self, code: Option<&str>) -> Result<AwsContext, SessionError> {
        let Some((source, spec)) = &self.source else {
            return Err(SessionError::Sts(
                "these credentials are not a guardpost session".into(),
            ));
        };
        if spec.mfa_serial.is_some() && !code.is_some_and(session::valid_code) {
            return Err(SessionError::Mfa {
                message: "the MFA code must be 6 digits".into(),
                attempts: 1,
            });
        }
        let (conf, info) = Box::pin(session::start_once(source, spec, code))
            .await
            .map_err(|(denied, message)| {
                if denied {
                    SessionError::Mfa {
                        message,
                        attempts: 1,
                    }
                } else {
                    SessionError::Sts(message)
                }
            })?;
        Ok(AwsContext {
            base: conf,
            session: Some(info),
            ..self.clone()
        })
    }

    /// A context for another account of the organization: `role` there, assumed with this
    /// context's credentials (a bastion session's are chained, so MFA is asked once; AWS caps
    /// a chained session at one hour). Same regions and endpoint; nothing is read yet.
    pub async fn assume_into(&self, account: &str, role: &str) -> Result<AwsContext, String> {
        let partition = self
            .caller_arn
            .as_deref()
            .and_then(|a| a.split(':').nth(1))
            .filter(|p| !p.is_empty())
            .unwrap_or("aws");
        let role_arn = format!("arn:{partition}:iam::{account}:role/{role}");
        let spec = SessionSpec {
            role_arn: Some(role_arn.clone()),
            mfa_serial: None,
            duration_secs: None,
            external_id: None,
            session_name: "guardpost-org".into(),
            source_profile: None,
            credential_source: None,
            region: None,
        };
        let sts_conf = self.region_config(&self.regions[0]);
        let (conf, info) = Box::pin(session::start_once(&sts_conf, &spec, None))
            .await
            .map_err(|(_, message)| message)?;
        Ok(AwsContext {
            base: conf,
            source: None,
            regions: self.regions.clone(),
            account_id: account.to_string(),
            caller_arn: Some(format!(
                "arn:{partition}:sts::{account}:assumed-role/{role}/guardpost-org"
            )),
            session: Some(info),
            endpoint: self.endpoint.clone(),
        })
    }

    /// The session needs a code to renew.
    pub fn session_needs_code(&self) -> bool {
        self.source
            .as_ref()
            .is_some_and(|(_, spec)| spec.mfa_serial.is_some())
    }

    /// The shared configuration with `region` set.
    pub fn region_config(&self, region: &str) -> SdkConfig {
        self.base
            .to_builder()
            .region(Region::new(region.to_string()))
            .build()
    }

    /// The configuration for IAM (global, pinned to us-east-1).
    pub fn iam_config(&self) -> SdkConfig {
        self.region_config(IAM_REGION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_plain_http_only_to_loopback() {
        for ok in [
            "https://securityhub.eu-west-1.amazonaws.com",
            "https://10.0.0.5:4566",
            "http://127.0.0.1:4566",
            "http://127.8.9.1",
            "http://localhost:4566/",
            "HTTP://LOCALHOST",
            "http://[::1]:4566",
            "http://user:pw@127.0.0.1:1/x",
        ] {
            assert!(check_endpoint("--endpoint-url", ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.5:4566",
            "http://localstack:4566",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://[::2]:1",
            "http://127.0.0.1@evil.example",
            "ftp://127.0.0.1",
            "127.0.0.1:4566",
        ] {
            let e = check_endpoint("--endpoint-url", bad, false).unwrap_err();
            assert!(e.contains(&*crate::sanitize::line(bad)), "{e}");
        }
        assert!(check_endpoint("--endpoint-url", "http://10.0.0.5:4566", true).is_ok());
        // Not http(s) is refused even with the flag.
        assert!(check_endpoint("--endpoint-url", "file:///etc/passwd", true).is_err());
    }

    #[test]
    fn truncated_xml_is_recognised() {
        let full = br#"<?xml version="1.0"?>
<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated></GetAccountAuthorizationDetailsResult>
</GetAccountAuthorizationDetailsResponse>
"#;
        assert!(!xml_cut_short(full));
        for cut in [full.len() / 2, full.len() - 4, 30, 1] {
            assert!(xml_cut_short(&full[..cut]), "{cut}");
        }
        assert!(!xml_cut_short(b"<Empty/>"));
        assert!(!xml_cut_short(b"{\"findings\": []}"));
        assert!(!xml_cut_short(b""));
    }

    #[test]
    fn a_cause_is_one_short_line() {
        #[derive(Debug)]
        struct Outer(Inner);
        #[derive(Debug)]
        struct Inner;
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "failed to load credentials")
            }
        }
        impl std::fmt::Display for Inner {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(
                    f,
                    "HTTP 500 from the container endpoint\nResponse {{ headers: {{\"x-leak\": \"secret\"}} }}\u{1b}[2K"
                )
            }
        }
        impl std::error::Error for Inner {}
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let line = one_line_cause(&Outer(Inner));
        assert_eq!(
            line,
            "failed to load credentials: HTTP 500 from the container endpoint"
        );
    }
}
