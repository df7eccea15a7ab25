//! Live data layer: reads an AWS account into the same [`Snapshot`] the demo and snapshot files
//! use, so normalization, posture, dedupe and the UI run unchanged on live data.
//!
//! - [`aws`]: SDK configuration (profile, regions, endpoint override), credentials check,
//!   `sts:GetCallerIdentity`.
//! - [`securityhub`], [`guardduty`], [`access_analyzer`]: per-region readers that keep the
//!   services' **wire JSON** (ASFF PascalCase, REST camelCase) by capturing each response body
//!   with an SDK interceptor ([`BodyCapture`]) while the SDK still signs, retries (adaptive),
//!   resolves endpoints and credentials and gives us the pagination tokens.
//! - [`iam`]: the global IAM inventory (IAM's wire format is XML, so it is built from the SDK's
//!   typed output into [`crate::model::IamInventory`]).
//!
//! [`load`] runs one tokio task per service x region (plus one for IAM); a failure is isolated
//! to its source and region and becomes a [`SourceProblem`] in `Snapshot.problems`.
//! Credentials are never logged or stored: only the caller ARN and account id are kept.

pub mod access_analyzer;
pub mod aws;
pub mod cloudtrail;
pub mod contacts;
pub mod ec2;
pub mod guardduty;
pub mod iam;
pub mod monitoring;
pub mod org;
pub mod pages;
pub mod plan;
pub mod progress;
pub mod recorder;
pub mod regions;
pub mod securityhub;
pub mod session;
pub mod storage;
pub mod trails;

pub use aws::{AwsContext, LiveOptions, LiveSetupError};
pub use plan::LoadPlan;
use progress::Collector;
pub use progress::{
    LoadMsg, LoadProgress, LoadUpdate, PARTIAL_EVERY, Progress, SourceProgress, THROTTLED, report,
};

use crate::model::SourceProblem;
use crate::model::coverage::{self, Coverage, CoverageState, SourceCoverage};
use crate::snapshot::{
    AccessAnalyzerRegion, GuardDutyRegion, SecurityHubRegion, ServiceStatus, Snapshot,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Captures the raw body of a successful response, so records keep their exact wire JSON.
///
/// Why `read_after_deserialization`: in `read_before_deserialization` the body is still the
/// unread network stream (`SdkBody::bytes()` is `None`); the orchestrator buffers it right after
/// that hook (`read_body`) and puts the bytes back into the response, so from
/// `read_after_deserialization` on `response().body().bytes()` is the complete body. The hook runs
/// once per attempt; a retried call overwrites the slot, so the last (successful) attempt wins.
/// Verified by `tests/live_*.rs` against the emulator over real HTTP.
#[derive(Debug, Clone, Default)]
pub struct BodyCapture {
    slot: Arc<Mutex<Option<Vec<u8>>>>,
}

impl BodyCapture {
    pub fn new() -> Self {
        Self::default()
    }

    /// The captured body, if the last attempt succeeded (2xx). Empties the slot.
    pub fn take(&self) -> Option<Vec<u8>> {
        self.slot.lock().ok().and_then(|mut s| s.take())
    }

    /// The captured body parsed as JSON.
    pub fn take_json(&self) -> Result<serde_json::Value, String> {
        let body = self
            .take()
            .ok_or_else(|| "the response body was not captured".to_string())?;
        serde_json::from_slice(&body)
            .map_err(|e| format!("the response body is not valid JSON: {e}"))
    }
}

impl Intercept for BodyCapture {
    fn name(&self) -> &'static str {
        "guardpost::BodyCapture"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let body = if response.status().is_success() {
            response.body().bytes().map(<[u8]>::to_vec)
        } else {
            None
        };
        if let Ok(mut slot) = self.slot.lock() {
            *slot = body;
        }
        Ok(())
    }
}

/// Takes `key` (an array) out of a captured JSON page.
pub(crate) fn take_array(page: &mut serde_json::Value, key: &str) -> Vec<serde_json::Value> {
    match page.get_mut(key).map(serde_json::Value::take) {
        Some(serde_json::Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// Watches every attempt of a reader's calls for throttling answers and reports them as
/// progress (`SecurityHub us-east-1 throttled (attempt 3)`), so a source the SDK is still
/// retrying does not look stuck or empty. Attach it to the reader's client
/// (`config::Builder::from(conf).interceptor(..)`); it costs nothing when nobody listens.
#[derive(Debug, Clone)]
pub struct ThrottleWatch {
    source: &'static str,
    region: Option<String>,
    progress: Progress,
    /// Throttled answers in a row (reset by any other answer).
    streak: Arc<AtomicU32>,
}

impl ThrottleWatch {
    pub fn new(source: &'static str, region: Option<&str>, progress: &Progress) -> Self {
        ThrottleWatch {
            source,
            region: region.map(str::to_string),
            progress: progress.clone(),
            streak: Arc::default(),
        }
    }

    fn tell(&self, attempt: u32) {
        report(
            &self.progress,
            LoadMsg {
                source: self.source,
                region: self.region.clone(),
                unit: progress::THROTTLED,
                done: attempt as usize,
                total: None,
                records: Vec::new(),
            },
        );
    }
}

/// A throttling answer: HTTP 429, or a throttling error code in `x-amzn-ErrorType` (REST and
/// JSON protocols) or in the body (IAM's query protocol answers XML with status 400).
pub fn is_throttled_answer(status: u16, error_type: Option<&str>, body: Option<&[u8]>) -> bool {
    if status == 429 {
        return true;
    }
    if status < 400 {
        return false;
    }
    if error_type.is_some_and(coverage::is_throttling) {
        return true;
    }
    body.map(|b| String::from_utf8_lossy(&b[..b.len().min(2048)]))
        .is_some_and(|t| {
            t.contains("<Code>Throttling</Code>")
                || t.contains("ThrottlingException")
                || t.contains("TooManyRequestsException")
        })
}

impl Intercept for ThrottleWatch {
    fn name(&self) -> &'static str {
        "guardpost::ThrottleWatch"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.progress.is_none() {
            return Ok(());
        }
        let r = context.response();
        if is_throttled_answer(
            r.status().as_u16(),
            r.headers().get("x-amzn-errortype"),
            r.body().bytes(),
        ) {
            // The SDK retries next: that is attempt streak + 1.
            let n = self.streak.fetch_add(1, Ordering::AcqRel) + 1;
            self.tell(n + 1);
        } else if self.streak.swap(0, Ordering::AcqRel) > 0 {
            self.tell(0);
        }
        Ok(())
    }
}

/// A simple token bucket: `rate` requests per second with a burst of `burst`.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate: f64, burst: f64) -> Self {
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Waits until a token is available and takes it.
    pub async fn acquire(&mut self) {
        loop {
            let now = Instant::now();
            let elapsed = now.duration_since(self.last).as_secs_f64();
            self.last = now;
            self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                return;
            }
            let wait = (1.0 - self.tokens) / self.rate;
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }
}

/// Error codes that mean "you are not allowed to call this".
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "NotAuthorized",
];

/// Error codes that mean "these temporary credentials have expired".
const EXPIRED_CODES: &[&str] = &["ExpiredToken", "ExpiredTokenException"];
/// How a problem caused by expired credentials starts (see [`credentials_expired`]).
pub const EXPIRED: &str = "ExpiredToken";

/// Some call of this load failed because the credentials expired: renew and read again
/// rather than showing a partly failed account.
pub fn credentials_expired(snap: &Snapshot) -> bool {
    snap.problems.iter().any(|p| p.message.starts_with(EXPIRED))
}

/// The error code of a service error (`None` for transport errors).
pub fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(_) => err.code(),
        _ => None,
    }
}

pub fn is_access_denied<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    error_code(err).is_some_and(|c| ACCESS_DENIED_CODES.contains(&c))
}

/// A clear, secret-free, sanitised one-line description of a failed call to `action` (an IAM
/// action name such as `securityhub:GetFindings`): access denied names the missing permission;
/// service errors keep their code and message; an answer that is not an AWS error (a proxy's
/// 502 page, a 200 whose body does not parse) gives its HTTP status and a short excerpt of the
/// body; transport errors keep the network error text. When the call was retried it says how
/// often and for how long ([`aws::RetryBook`]).
pub fn describe_error<E, R>(action: &str, err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if error_code(err).is_some_and(|c| EXPIRED_CODES.contains(&c)) {
        return format!("{EXPIRED}: {action} was refused: the session credentials have expired");
    }
    if is_access_denied(err) {
        return format!("AccessDenied: missing permission {action}");
    }
    let raw = err
        .raw_response()
        .and_then(|r| (r as &dyn std::any::Any).downcast_ref::<aws::HttpResponse>());
    let retried = raw.map(aws::retry_note).unwrap_or_default();
    let text = match (err, err.code()) {
        (SdkError::ServiceError(_), Some(code)) => match err.message() {
            Some(m) if !m.is_empty() => format!("{action} failed: {code}: {m}{retried}"),
            _ => format!("{action} failed: {code}{retried}"),
        },
        (SdkError::ServiceError(_) | SdkError::ResponseError(_), _) if raw.is_some() => {
            let raw = raw.expect("checked");
            if raw.status().is_success() {
                format!(
                    "{action}: the response body did not parse (HTTP {}, {}){retried}",
                    raw.status().as_u16(),
                    aws::body_excerpt(raw)
                )
            } else {
                format!(
                    "{action} failed: HTTP {} (not an AWS error: {}){retried}",
                    raw.status().as_u16(),
                    aws::body_excerpt(raw)
                )
            }
        }
        (SdkError::TimeoutError(_), _) => format!("{action} timed out"),
        (SdkError::DispatchFailure(_), _) => {
            format!(
                "{action}: network error (retried): {}",
                DisplayErrorContext(err)
            )
        }
        _ => format!("{action} failed: {}", DisplayErrorContext(err)),
    };
    crate::sanitize::line(&text).into_owned()
}

/// What one reader produced for one region.
#[derive(Debug, Default)]
pub struct RegionResult {
    pub securityhub: Option<SecurityHubRegion>,
    pub guardduty: Option<GuardDutyRegion>,
    pub access_analyzer: Option<AccessAnalyzerRegion>,
    pub ec2: Option<crate::model::Ec2Region>,
    pub trails: Option<crate::model::TrailRegion>,
    pub config: Option<crate::model::ConfigRegion>,
    pub monitoring: Option<crate::model::MonitoringRegion>,
    pub services: Vec<ServiceStatus>,
    pub problems: Vec<SourceProblem>,
}

impl RegionResult {
    pub(crate) fn problem(source: &str, region: &str, message: String) -> SourceProblem {
        tracing::warn!(source, region, %message, "source problem");
        SourceProblem {
            source: source.to_string(),
            region: Some(region.to_string()),
            message,
        }
    }
}

/// Reads everything: IAM once, and Security Hub, GuardDuty and Access Analyzer in every region,
/// each as its own task. Failures become `problems`; the rest loads.
///
/// With `updates`, the load streams: per-source progress and partial snapshots (everything
/// read so far) are sent as they change, a partial at most every [`PARTIAL_EVERY`]. The
/// complete snapshot is the return value.
pub async fn load(
    ctx: &AwsContext,
    updates: Option<mpsc::UnboundedSender<LoadUpdate>>,
) -> Snapshot {
    Box::pin(load_with(ctx, &LoadPlan::everything(), updates)).await
}

/// [`load`] of what `plan` names: sources outside it are not called and have no coverage
/// entry; without `plan.findings` the finding sources read only their state, and their
/// coverage says so ([`CoverageState::StateOnly`]).
pub async fn load_with(
    ctx: &AwsContext,
    plan: &LoadPlan,
    updates: Option<mpsc::UnboundedSender<LoadUpdate>>,
) -> Snapshot {
    let captured_at = chrono::Utc::now();
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel::<LoadMsg>();
    let p: Progress = updates.as_ref().map(|_| msg_tx.clone());
    drop(msg_tx);

    // One value per reader task, moved once: its size does not matter.
    #[allow(clippy::large_enum_variant)]
    enum Done {
        Region(&'static str, String, RegionResult),
        Iam(iam::IamResult),
        Contacts(contacts::ContactsResult),
    }
    let mut tasks = tokio::task::JoinSet::new();
    let findings = |source: &str| plan.findings_of(source);
    for region in &ctx.regions {
        if plan.reads(securityhub::SOURCE) {
            let (conf, tp, r) = (ctx.region_config(region), p.clone(), region.clone());
            let f = findings(securityhub::SOURCE);
            tasks.spawn(Box::pin(async move {
                let out = Box::pin(securityhub::load(&conf, &r, &tp, f)).await;
                Done::Region(securityhub::SOURCE, r, out)
            }));
        }
        if plan.reads(guardduty::SOURCE) {
            let (conf, tp, r) = (ctx.region_config(region), p.clone(), region.clone());
            let f = findings(guardduty::SOURCE);
            tasks.spawn(Box::pin(async move {
                let out = Box::pin(guardduty::load(&conf, &r, &tp, f)).await;
                Done::Region(guardduty::SOURCE, r, out)
            }));
        }
        if plan.reads(access_analyzer::SOURCE) {
            let (conf, tp, r) = (ctx.region_config(region), p.clone(), region.clone());
            let f = findings(access_analyzer::SOURCE);
            tasks.spawn(Box::pin(async move {
                let out = Box::pin(access_analyzer::load(&conf, &r, &tp, f)).await;
                Done::Region(access_analyzer::SOURCE, r, out)
            }));
        }
        if plan.reads(ec2::SOURCE) {
            let (conf, tp, r) = (ctx.region_config(region), p.clone(), region.clone());
            tasks.spawn(Box::pin(async move {
                let out = Box::pin(ec2::load(&conf, &r, &tp)).await;
                Done::Region(ec2::SOURCE, r, out)
            }));
        }
        if plan.reads(trails::SOURCE) {
            let (conf, tp, r) = (ctx.region_config(region), p.clone(), region.clone());
            let all = ctx.regions.clone();
            tasks.spawn(Box::pin(async move {
                let out = Box::pin(trails::load(&conf, &r, &all, &tp)).await;
                Done::Region(trails::SOURCE, r, out)
            }));
        }
        if plan.reads(recorder::SOURCE) {
            let (conf, tp, r) = (ctx.region_config(region), p.clone(), region.clone());
            tasks.spawn(Box::pin(async move {
                let out = Box::pin(recorder::load(&conf, &r, &tp)).await;
                Done::Region(recorder::SOURCE, r, out)
            }));
        }
        if plan.reads(monitoring::SOURCE) {
            let (conf, tp, r) = (ctx.region_config(region), p.clone(), region.clone());
            tasks.spawn(Box::pin(async move {
                let out = Box::pin(monitoring::load(&conf, &r, &tp)).await;
                Done::Region(monitoring::SOURCE, r, out)
            }));
        }
    }
    if plan.reads(contacts::SOURCE) {
        // The Account API lives in us-east-1, as IAM does.
        let (conf, cp) = (ctx.iam_config(), p.clone());
        tasks.spawn(Box::pin(async move {
            Done::Contacts(Box::pin(contacts::load(&conf, &cp)).await)
        }));
    }
    if plan.reads(iam::SOURCE) {
        let (iam_conf, account, ip) = (ctx.iam_config(), ctx.account_id.clone(), p.clone());
        tasks.spawn(Box::pin(async move {
            Done::Iam(Box::pin(iam::load(&iam_conf, &account, &ip)).await)
        }));
    }
    drop(p);

    let skeleton = Snapshot {
        format: crate::snapshot::FORMAT.to_string(),
        version: crate::snapshot::VERSION,
        captured_at,
        account: crate::snapshot::AccountInfo {
            id: ctx.account_id.clone(),
            alias: None,
            caller_arn: ctx.caller_arn.clone(),
        },
        regions: ctx.regions.clone(),
        securityhub: Vec::new(),
        guardduty: Vec::new(),
        access_analyzer: Vec::new(),
        iam: None,
        ec2: Vec::new(),
        trails: Vec::new(),
        config_recorders: Vec::new(),
        monitoring: Vec::new(),
        s3: None,
        contacts: None,
        services: Vec::new(),
        problems: Vec::new(),
        coverage: None,
        org: None,
    };
    let mut c = Collector::new(skeleton, &plan.sources);
    let mut last_partial = Instant::now();
    let send = |u: LoadUpdate| {
        if let Some(tx) = &updates {
            let _ = tx.send(u);
        }
    };
    let mut messages_open = true;
    while !tasks.is_empty() {
        let next_partial = last_partial + PARTIAL_EVERY;
        tokio::select! {
            // Messages first: a reader's pages are queued before its task ends, so they are
            // always folded in before its final result replaces them.
            biased;
            m = msg_rx.recv(), if messages_open => match m {
                Some(m) => c.message(m),
                None => messages_open = false,
            },
            joined = tasks.join_next() => match joined {
                Some(Ok(Done::Region(source, region, r))) => {
                    c.covered(region_coverage(source, &region, &r, findings(source)));
                    c.done.securityhub.extend(r.securityhub);
                    c.done.guardduty.extend(r.guardduty);
                    c.done.access_analyzer.extend(r.access_analyzer);
                    c.done.ec2.extend(r.ec2);
                    c.done.trails.extend(r.trails);
                    c.done.config_recorders.extend(r.config);
                    c.done.monitoring.extend(r.monitoring);
                    c.done.services.extend(r.services);
                    c.done.problems.extend(r.problems);
                    c.finished(source, Some(&region));
                }
                Some(Ok(Done::Iam(r))) => {
                    let problems: Vec<&SourceProblem> = r.problems.iter().collect();
                    c.covered(coverage::iam_entry(r.inventory.as_ref(), &problems));
                    c.done.account.alias = r.alias;
                    c.done.iam = r.inventory;
                    c.done.problems.extend(r.problems);
                    c.finished(iam::SOURCE, None);
                }
                Some(Ok(Done::Contacts(r))) => {
                    let problems: Vec<&SourceProblem> = r.problems.iter().collect();
                    c.covered(coverage::account_entry(
                        contacts::SOURCE,
                        r.contacts.is_some(),
                        &problems,
                    ));
                    c.done.contacts = r.contacts;
                    c.done.problems.extend(r.problems);
                    c.finished(contacts::SOURCE, None);
                }
                Some(Err(e)) => c.done.problems.push(SourceProblem {
                    source: "guardpost".into(),
                    region: None,
                    message: format!("a reader task failed: {e}"),
                }),
                None => {}
            },
            _ = tokio::time::sleep_until(next_partial), if c.dirty && updates.is_some() => {
                c.dirty = false;
                last_partial = Instant::now();
                send(LoadUpdate::Partial(Box::new(c.partial())));
            }
        }
        if c.progress_dirty && updates.is_some() {
            c.progress_dirty = false;
            send(LoadUpdate::Progress(c.progress.clone()));
        }
    }
    if plan.reads(storage::SOURCE) {
        // The trails' buckets are known only now; the account's Block Public Access is read
        // beside them (S3 Control is account-wide: asked in the first region read, so a
        // region-restricted principal can answer).
        let buckets = trail_buckets(&c.done.trails);
        let first = ctx.regions.first().map_or("us-east-1", String::as_str);
        let conf = ctx.region_config(first);
        let r = Box::pin(storage::load(&conf, &ctx.account_id, buckets)).await;
        let read = r.s3.as_ref().is_some_and(|s| {
            s.public_access_block.is_some()
                && s.trail_buckets.iter().all(|b| {
                    b.policy_public.is_some()
                        && b.acl_public.is_some()
                        && b.public_access_block.is_some()
                        && b.logging_target.is_some()
                })
        });
        let problems: Vec<&SourceProblem> = r.problems.iter().collect();
        c.covered(coverage::account_entry(storage::SOURCE, read, &problems));
        c.done.s3 = r.s3;
        c.done.problems.extend(r.problems);
        c.finished(storage::SOURCE, None);
        send(LoadUpdate::Progress(c.progress.clone()));
    }
    let coverage = c.coverage(false);
    let mut snap = c.done;
    snap.coverage = Some(coverage);
    sort_snapshot(&mut snap);
    snap
}

/// Every bucket a trail read delivers to, with the trails (by name) that deliver there.
fn trail_buckets(trails: &[crate::model::TrailRegion]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for t in trails.iter().flat_map(|r| r.trails.iter().flatten()) {
        let Some(bucket) = t.s3_bucket.as_deref().filter(|b| !b.is_empty()) else {
            continue;
        };
        match out.iter_mut().find(|(b, _)| b == bucket) {
            Some((_, names)) if !names.contains(&t.name) => names.push(t.name.clone()),
            Some(_) => {}
            None => out.push((bucket.to_string(), vec![t.name.clone()])),
        }
    }
    out
}

/// What one regional reader's result says about its source there; a state-only read that
/// went through is [`CoverageState::StateOnly`] (its findings are unknown, not zero).
fn region_coverage(source: &str, region: &str, r: &RegionResult, findings: bool) -> SourceCoverage {
    let records = match source {
        securityhub::SOURCE => r.securityhub.as_ref().map(|b| b.findings.len()),
        guardduty::SOURCE => r.guardduty.as_ref().map(|b| b.findings.len()),
        access_analyzer::SOURCE => r.access_analyzer.as_ref().map(|b| b.findings.len()),
        // EC2: the groups, ACLs, VPCs and instances read.
        ec2::SOURCE => r.ec2.as_ref().map(|e| {
            e.security_groups.as_ref().map_or(0, Vec::len)
                + e.network_acls.as_ref().map_or(0, Vec::len)
                + e.vpcs.as_ref().map_or(0, Vec::len)
                + e.instances.as_ref().map_or(0, Vec::len)
        }),
        trails::SOURCE => r
            .trails
            .as_ref()
            .and_then(|t| t.trails.as_ref().map(Vec::len)),
        recorder::SOURCE => r
            .config
            .as_ref()
            .and_then(|c| c.recorders.as_ref().map(Vec::len)),
        // CloudWatch: the filters, alarms and subscriptions read.
        monitoring::SOURCE => r.monitoring.as_ref().map(|m| {
            m.metric_filters.as_ref().map_or(0, Vec::len)
                + m.alarms.as_ref().map_or(0, Vec::len)
                + m.subscriptions.as_ref().map_or(0, Vec::len)
        }),
        _ => None,
    };
    let enabled = coverage::enabled(&r.services, source, region);
    let problems: Vec<&SourceProblem> = r.problems.iter().collect();
    let mut entry = coverage::region_entry(source, region, records, enabled, &problems);
    let finding_source = ![
        ec2::SOURCE,
        trails::SOURCE,
        recorder::SOURCE,
        monitoring::SOURCE,
    ]
    .contains(&source);
    if !findings && finding_source && entry.state == CoverageState::Complete {
        entry.state = CoverageState::StateOnly;
    }
    entry
}

/// The coverage of a source whose reader has not finished: what it has read so far is a lower
/// bound, `throttled (attempt n)` while the SDK retries.
pub(crate) fn running_coverage(p: &SourceProgress) -> SourceCoverage {
    SourceCoverage {
        source: p.source.to_string(),
        region: p.region.clone(),
        state: match p.throttled {
            Some(attempt) => CoverageState::Throttled { attempt },
            None => CoverageState::Partial {
                reason: "still loading".into(),
            },
        },
        records: p.items,
        notes: Vec::new(),
    }
}

/// Coverage in a stable order: region order, then source order, IAM last.
pub(crate) fn sorted_coverage(regions: &[String], mut entries: Vec<SourceCoverage>) -> Coverage {
    let key = |e: &SourceCoverage| {
        (
            e.region
                .as_deref()
                .map(|r| {
                    regions
                        .iter()
                        .position(|x| x == r)
                        .unwrap_or(usize::MAX - 1)
                })
                .unwrap_or(usize::MAX),
            coverage::SOURCES
                .iter()
                .position(|s| *s == e.source)
                .unwrap_or(usize::MAX),
        )
    };
    entries.sort_by_key(key);
    Coverage { entries }
}

/// Deterministic order regardless of which task finished first: region order, then service.
pub(crate) fn sort_snapshot(snap: &mut Snapshot) {
    let regions = snap.regions.clone();
    let order = |r: &str| regions.iter().position(|x| x == r).unwrap_or(usize::MAX);
    snap.securityhub.sort_by_key(|b| order(&b.region));
    snap.guardduty.sort_by_key(|b| order(&b.region));
    snap.access_analyzer.sort_by_key(|b| order(&b.region));
    snap.ec2.sort_by_key(|b| order(&b.region));
    snap.trails.sort_by_key(|b| order(&b.region));
    snap.config_recorders.sort_by_key(|b| order(&b.region));
    snap.monitoring.sort_by_key(|b| order(&b.region));
    snap.services
        .sort_by(|a, b| (order(&a.region), &a.service).cmp(&(order(&b.region), &b.service)));
    snap.problems.sort_by(|a, b| {
        let ra = a.region.as_deref().map(order).unwrap_or(0);
        let rb = b.region.as_deref().map(order).unwrap_or(0);
        (ra, &a.source).cmp(&(rb, &b.source))
    });
}
