//! CloudTrail event history for one access key (incident playbook "compromised IAM access
//! key": *look up what the key did in CloudTrail, every region, last 90 days*).
//!
//! `LookupEvents` with the `AccessKeyId` lookup attribute and a time window, in every region in
//! parallel (one task per region), paginated with `NextToken` (50 events a page, the API's
//! maximum) and rate limited to 2 requests/s per region with a [`TokenBucket`] (CloudTrail's
//! documented LookupEvents limit is 2/s per account per region; the SDK's adaptive retry handles
//! any throttling that still happens). A region that fails becomes a [`SourceProblem`] naming
//! `cloudtrail:LookupEvents`; the other regions still answer.
//!
//! Each event keeps the fields an investigator needs; `sourceIPAddress`, `userAgent` and
//! `errorCode` come from the event's `CloudTrailEvent` JSON string. A missing or malformed
//! string keeps the event with those fields `None`. Nothing here logs or stores credentials: the
//! access key id is the subject of the lookup (it is not a secret), and it is not logged.

use super::pages::{Next, Pager};
use super::{AwsContext, RegionResult, TokenBucket, describe_error};
use crate::model::SourceProblem;
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub const SOURCE: &str = "cloudtrail";
/// The IAM action behind every call made here.
pub const ACTION: &str = "cloudtrail:LookupEvents";
/// LookupEvents returns at most 50 events a call.
pub const PAGE_SIZE: usize = 50;
/// CloudTrail's LookupEvents limit: 2 requests per second per account per region.
pub const REQUESTS_PER_SECOND: f64 = 2.0;
/// The event history keeps 90 days.
pub const RETENTION_DAYS: i64 = 90;

/// One CloudTrail management event made with the access key.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrailEvent {
    pub time: DateTime<Utc>,
    pub region: String,
    pub event_name: String,
    /// e.g. "iam.amazonaws.com"
    pub event_source: String,
    pub username: Option<String>,
    /// `sourceIPAddress` of the CloudTrailEvent JSON.
    pub source_ip: Option<String>,
    /// `userAgent` of the CloudTrailEvent JSON.
    pub user_agent: Option<String>,
    /// `errorCode` of the CloudTrailEvent JSON (AccessDenied etc.).
    pub error_code: Option<String>,
    pub event_id: String,
}

/// What one access key did, across regions.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KeyActivity {
    pub access_key_id: String,
    /// Newest first, across regions.
    pub events: Vec<TrailEvent>,
    /// Per-region failures (AccessDenied names cloudtrail:LookupEvents; throttling is retried
    /// by the SDK first).
    pub problems: Vec<SourceProblem>,
    /// True if `max_events` was hit (more events may exist).
    pub truncated: bool,
    /// The regions asked (each either answered or has a problem).
    #[serde(default)]
    pub asked: Vec<String>,
}

/// Counts of `items`, most frequent first (ties by name, so the order is stable).
fn ranked<'a>(items: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in items {
        *counts.entry(i).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

impl KeyActivity {
    /// Event counts by event_name, most frequent first (ties by name).
    pub fn by_event(&self) -> Vec<(String, usize)> {
        ranked(self.events.iter().map(|e| e.event_name.as_str()))
    }

    /// Distinct source IPs with counts, most frequent first (ties by address). Events without
    /// a source IP are not counted.
    pub fn by_source_ip(&self) -> Vec<(String, usize)> {
        ranked(self.events.iter().filter_map(|e| e.source_ip.as_deref()))
    }

    /// The regions with at least one event, sorted by name.
    pub fn regions(&self) -> Vec<String> {
        let mut r: Vec<String> = self.events.iter().map(|e| e.region.clone()).collect();
        r.sort();
        r.dedup();
        r
    }

    /// (oldest, newest) event time, if there are events.
    pub fn first_and_last(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let first = self.events.iter().map(|e| e.time).min()?;
        let last = self.events.iter().map(|e| e.time).max()?;
        Some((first, last))
    }
}

/// The default window: the whole event history (the last [`RETENTION_DAYS`] days up to `now`).
pub fn history_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - chrono::Duration::days(RETENTION_DAYS), now)
}

fn to_smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

fn from_smithy(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// The fields that only live in the CloudTrailEvent JSON string.
#[derive(Debug, Default, PartialEq)]
struct Record {
    source_ip: Option<String>,
    user_agent: Option<String>,
    error_code: Option<String>,
    event_time: Option<DateTime<Utc>>,
    event_id: Option<String>,
}

fn parse_record(raw: Option<&str>) -> Record {
    let Some(v) = raw.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return Record::default();
    };
    let text = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Record {
        source_ip: text("sourceIPAddress"),
        user_agent: text("userAgent"),
        error_code: text("errorCode"),
        event_time: text("eventTime")
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)),
        event_id: text("eventID"),
    }
}

/// A LookupEvents `Event` as a [`TrailEvent`]. The time falls back to the record's `eventTime`
/// (then the Unix epoch) and the id to its `eventID`, so no event is dropped.
fn convert(e: &Event, region: &str) -> TrailEvent {
    let rec = parse_record(e.cloud_trail_event());
    TrailEvent {
        time: e
            .event_time()
            .and_then(from_smithy)
            .or(rec.event_time)
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        region: region.to_string(),
        event_name: e.event_name().unwrap_or_default().to_string(),
        event_source: e.event_source().unwrap_or_default().to_string(),
        username: e.username().map(str::to_string),
        source_ip: rec.source_ip,
        user_agent: rec.user_agent,
        error_code: rec.error_code,
        event_id: e
            .event_id()
            .map(str::to_string)
            .or(rec.event_id)
            .unwrap_or_default(),
    }
}

/// The shared `max_events` budget of all regions.
struct Budget {
    remaining: AtomicUsize,
    hit: AtomicBool,
}

impl Budget {
    /// Takes up to `n` events from the budget; returns how many were granted.
    fn take(&self, n: usize) -> usize {
        let mut granted = 0;
        let _ = self
            .remaining
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                granted = n.min(left);
                Some(left - granted)
            });
        if granted < n {
            self.hit.store(true, Ordering::Release);
        }
        granted
    }

    fn left(&self) -> usize {
        self.remaining.load(Ordering::Acquire)
    }
}

struct RegionLookup {
    events: Vec<TrailEvent>,
    problem: Option<SourceProblem>,
}

async fn lookup_region(
    client: Client,
    region: String,
    attribute: LookupAttribute,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    budget: Arc<Budget>,
) -> RegionLookup {
    let mut out = RegionLookup {
        events: Vec::new(),
        problem: None,
    };
    let mut seen = HashSet::new();
    // Burst 1: consecutive calls of a region are at least 1/REQUESTS_PER_SECOND apart.
    let mut bucket = TokenBucket::new(REQUESTS_PER_SECOND, 1.0);
    let mut pager = Pager::default();
    loop {
        let left = budget.left();
        if left == 0 {
            // Other regions spent the budget; this one has more to read.
            budget.hit.store(true, Ordering::Release);
            break;
        }
        bucket.acquire().await;
        let sent = Box::pin(
            client
                .lookup_events()
                .lookup_attributes(attribute.clone())
                .start_time(to_smithy(start))
                .end_time(to_smithy(end))
                .max_results(PAGE_SIZE.min(left) as i32)
                .set_next_token(pager.token())
                .send(),
        )
        .await;
        let page = match sent {
            Ok(page) => page,
            Err(e) => {
                out.problem = Some(RegionResult::problem(
                    SOURCE,
                    &region,
                    describe_error(ACTION, &e),
                ));
                break;
            }
        };
        let granted = budget.take(page.events().len());
        for e in &page.events()[..granted] {
            let ev = convert(e, &region);
            // Offset-style tokens may repeat an event when the history changes between pages.
            if ev.event_id.is_empty() || seen.insert(ev.event_id.clone()) {
                out.events.push(ev);
            }
        }
        match pager.next(page.next_token()) {
            Next::More if granted == page.events().len() => {}
            Next::More | Next::Done => break,
            Next::Repeated => {
                let why = pager.repeated(ACTION);
                out.problem = Some(RegionResult::problem(SOURCE, &region, why));
                break;
            }
        }
    }
    tracing::info!(
        region = region.as_str(),
        pages = pager.pages(),
        events = out.events.len(),
        "cloudtrail lookup"
    );
    out
}

/// LookupEvents with LookupAttributes AccessKeyId=key, StartTime/EndTime, in every region in
/// parallel (one task per region), paginated with NextToken (MaxResults 50), at most 2 requests/s
/// per region (CloudTrail's LookupEvents limit), stopping at `max_events` in total.
///
/// Events come back newest first across regions (ties: region order of `regions`, then event
/// id). When `max_events` is hit, `truncated` is set and which region's events were kept
/// depends on which answered first. Problems are sorted in the order of `regions`.
pub async fn lookup_access_key(
    ctx: &AwsContext,
    access_key_id: &str,
    regions: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_events: usize,
) -> KeyActivity {
    lookup_by(
        ctx,
        LookupAttributeKey::AccessKeyId,
        access_key_id,
        regions,
        start,
        end,
        max_events,
    )
    .await
}

/// [`lookup_access_key`] by user name instead (`root` for the root user; an IAM user's console
/// and key activity; a role session's name). `access_key_id` in the result holds the name.
pub async fn lookup_username(
    ctx: &AwsContext,
    username: &str,
    regions: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_events: usize,
) -> KeyActivity {
    lookup_by(
        ctx,
        LookupAttributeKey::Username,
        username,
        regions,
        start,
        end,
        max_events,
    )
    .await
}

async fn lookup_by(
    ctx: &AwsContext,
    key: LookupAttributeKey,
    value: &str,
    regions: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    max_events: usize,
) -> KeyActivity {
    let mut activity = KeyActivity {
        access_key_id: value.to_string(),
        ..KeyActivity::default()
    };
    let attribute = match LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
    {
        Ok(a) => a,
        Err(e) => {
            activity.problems.push(SourceProblem {
                source: SOURCE.into(),
                region: None,
                message: format!("{ACTION}: {e}"),
            });
            return activity;
        }
    };
    let budget = Arc::new(Budget {
        remaining: AtomicUsize::new(max_events),
        hit: AtomicBool::new(false),
    });
    let mut order: Vec<String> = Vec::new();
    for r in regions {
        if !order.contains(r) {
            order.push(r.clone());
        }
    }
    activity.asked = order.clone();
    let mut tasks = tokio::task::JoinSet::new();
    for region in &order {
        let client = super::aws::client!(aws_sdk_cloudtrail, &ctx.region_config(region));
        tasks.spawn(Box::pin(lookup_region(
            client,
            region.clone(),
            attribute.clone(),
            start,
            end,
            budget.clone(),
        )));
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(r) => {
                activity.events.extend(r.events);
                activity.problems.extend(r.problem);
            }
            Err(e) => activity.problems.push(SourceProblem {
                source: SOURCE.into(),
                region: None,
                message: format!("a CloudTrail lookup task failed: {e}"),
            }),
        }
    }
    let pos = |r: &str| order.iter().position(|x| x == r).unwrap_or(usize::MAX);
    activity.events.sort_by(|a, b| {
        b.time
            .cmp(&a.time)
            .then_with(|| pos(&a.region).cmp(&pos(&b.region)))
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    activity
        .problems
        .sort_by_key(|p| p.region.as_deref().map(pos).unwrap_or(usize::MAX));
    activity.truncated = budget.hit.load(Ordering::Acquire);
    activity
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(name: &str, ip: Option<&str>, region: &str, secs: i64) -> TrailEvent {
        TrailEvent {
            time: DateTime::from_timestamp(secs, 0).unwrap(),
            region: region.into(),
            event_name: name.into(),
            event_source: "iam.amazonaws.com".into(),
            username: Some("bob".into()),
            source_ip: ip.map(str::to_string),
            user_agent: None,
            error_code: None,
            event_id: format!("{name}-{secs}"),
        }
    }

    #[test]
    fn summaries_rank_by_count_then_name() {
        let a = KeyActivity {
            access_key_id: "AKIA".into(),
            events: vec![
                ev("ListUsers", Some("192.0.2.1"), "us-east-1", 50),
                ev("CreateUser", Some("192.0.2.2"), "eu-west-1", 40),
                ev("ListUsers", Some("192.0.2.1"), "us-east-1", 30),
                ev("AttachUserPolicy", None, "eu-west-1", 20),
                ev("CreateUser", Some("192.0.2.1"), "us-east-1", 10),
            ],
            ..KeyActivity::default()
        };
        assert_eq!(
            a.by_event(),
            [
                ("CreateUser".to_string(), 2),
                ("ListUsers".to_string(), 2),
                ("AttachUserPolicy".to_string(), 1)
            ]
        );
        assert_eq!(
            a.by_source_ip(),
            [("192.0.2.1".to_string(), 3), ("192.0.2.2".to_string(), 1)]
        );
        assert_eq!(a.regions(), ["eu-west-1", "us-east-1"]);
        let (first, last) = a.first_and_last().unwrap();
        assert_eq!((first.timestamp(), last.timestamp()), (10, 50));
        assert_eq!(KeyActivity::default().first_and_last(), None);
    }

    #[test]
    fn record_fields_come_from_the_cloudtrail_event_json() {
        let raw = r#"{"eventVersion":"1.09","eventTime":"2026-01-02T03:04:05Z","eventID":"e-1",
            "sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2","errorCode":"AccessDenied"}"#;
        let r = parse_record(Some(raw));
        assert_eq!(r.source_ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(r.user_agent.as_deref(), Some("aws-cli/2"));
        assert_eq!(r.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(r.event_id.as_deref(), Some("e-1"));
        assert_eq!(
            r.event_time.unwrap().to_rfc3339(),
            "2026-01-02T03:04:05+00:00"
        );
        for bad in [
            None,
            Some(""),
            Some("{not json"),
            Some("[1,2]"),
            Some("null"),
        ] {
            assert_eq!(parse_record(bad), Record::default(), "{bad:?}");
        }
        // Wrong types are ignored field by field.
        let r = parse_record(Some(r#"{"sourceIPAddress":7,"userAgent":"ua"}"#));
        assert_eq!(r.source_ip, None);
        assert_eq!(r.user_agent.as_deref(), Some("ua"));
    }

    #[test]
    fn events_survive_a_missing_or_malformed_record() {
        let e = Event::builder()
            .event_id("id-1")
            .event_name("GetCallerIdentity")
            .event_source("sts.amazonaws.com")
            .event_time(aws_smithy_types::DateTime::from_secs(1_700_000_000))
            .cloud_trail_event("{truncated")
            .build();
        let t = convert(&e, "eu-west-1");
        assert_eq!(t.event_id, "id-1");
        assert_eq!(t.time.timestamp(), 1_700_000_000);
        assert_eq!(t.region, "eu-west-1");
        assert_eq!(
            (t.source_ip, t.user_agent, t.error_code),
            (None, None, None)
        );
        assert_eq!(t.username, None);
        // No EventTime / EventId on the Event: the record's own are used.
        let e = Event::builder()
            .event_name("ListUsers")
            .cloud_trail_event(r#"{"eventTime":"2026-01-02T03:04:05Z","eventID":"r-1"}"#)
            .build();
        let t = convert(&e, "us-east-1");
        assert_eq!(t.event_id, "r-1");
        assert_eq!(t.time.to_rfc3339(), "2026-01-02T03:04:05+00:00");
    }

    #[test]
    fn budget_grants_at_most_what_is_left() {
        let b = Budget {
            remaining: AtomicUsize::new(120),
            hit: AtomicBool::new(false),
        };
        assert_eq!(b.take(50), 50);
        assert_eq!(b.take(50), 50);
        assert!(!b.hit.load(Ordering::Acquire));
        assert_eq!(b.take(50), 20);
        assert!(b.hit.load(Ordering::Acquire));
        assert_eq!(b.left(), 0);
        assert_eq!(b.take(5), 0);
    }

    /// The per-region limiter: burst 1 at 2/s puts consecutive calls >= 0.5 s apart. (Sleeps
    /// never end early, so this lower bound cannot flake.)
    #[tokio::test]
    async fn token_bucket_spaces_a_regions_calls_half_a_second_apart() {
        let mut bucket = TokenBucket::new(REQUESTS_PER_SECOND, 1.0);
        let mut times = Vec::new();
        for _ in 0..4 {
            bucket.acquire().await;
            times.push(tokio::time::Instant::now());
        }
        for w in times.windows(2) {
            let gap = w[1].duration_since(w[0]).as_secs_f64();
            assert!(gap >= 0.499, "calls {gap:.3}s apart");
        }
    }
}
