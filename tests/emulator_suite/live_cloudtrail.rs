//! CloudTrail access-key lookup (`guardpost::sources::cloudtrail`) with the real Rust SDK
//! against the project's emulator (tests/emulator/: CloudTrail LookupEvents over JSON 1.1).

use crate::live;

use chrono::{DateTime, Duration, Utc};
use guardpost::model::SourceProblem;
use guardpost::sources::cloudtrail::{self, KeyActivity};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";
const KEY_A: &str = "AKIAIOSFODNN7AAAAAAA";
const KEY_B: &str = "AKIAIOSFODNN7BBBBBBB";

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn regions() -> Vec<String> {
    vec![E1.to_string(), W1.to_string()]
}

fn requests(emu: &live::emulator::Emulator) -> Vec<Value> {
    emu.control("GET", "/_guardpost/requests", None)["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Every AWS call in the emulator's log is allowed by docs/iam-policy-readonly.json.
fn assert_calls_allowed_by_readonly_policy(emu: &live::emulator::Emulator) {
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    let calls = requests(emu);
    assert!(!calls.is_empty());
    let mut seen = BTreeSet::new();
    for c in &calls {
        let action = live::logged_action(c);
        assert!(
            policy.allows(&action),
            "called {action}, which docs/{} does not allow",
            policy.name
        );
        seen.insert(action.to_ascii_lowercase());
    }
    assert!(seen.contains("cloudtrail:lookupevents"), "{seen:?}");
}

/// An independent oracle: what the emulator holds for `key` since `start`, by event name and
/// by source IP (parsed from the stored CloudTrailEvent strings).
fn held(
    emu: &live::emulator::Emulator,
    key: &str,
    start: DateTime<Utc>,
) -> (usize, Vec<(String, usize)>, BTreeMap<String, usize>) {
    let state = emu.control("GET", "/_guardpost/state?service=cloudtrail", None);
    let mut n = 0;
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut ips: BTreeMap<String, usize> = BTreeMap::new();
    for region in [E1, W1] {
        let events = state["accounts"]["123456789012"][region]["cloudtrail"]["events"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for e in events {
            if e["AccessKeyId"] != key
                || e["EventTime"].as_f64().unwrap() < start.timestamp() as f64
            {
                continue;
            }
            n += 1;
            *names
                .entry(e["EventName"].as_str().unwrap().to_string())
                .or_default() += 1;
            let rec: Option<Value> = e["CloudTrailEvent"]
                .as_str()
                .and_then(|s| serde_json::from_str(s).ok());
            if let Some(ip) = rec.as_ref().and_then(|r| r["sourceIPAddress"].as_str()) {
                *ips.entry(ip.to_string()).or_default() += 1;
            }
        }
    }
    let mut by_name: Vec<(String, usize)> = names.into_iter().collect();
    by_name.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (n, by_name, ips)
}

fn assert_newest_first(a: &KeyActivity) {
    for w in a.events.windows(2) {
        assert!(w[0].time >= w[1].time, "{:?} before {:?}", w[0], w[1]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_activity_in_every_region_newest_first_paginated_and_rate_limited() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let now = Utc::now();
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({"cloudtrail": {
            E1: {
                "generate": {"count": 120, "access_key_id": KEY_A, "days": 30},
                "events": [
                    // Older than the 90-day event history: never returned.
                    {"EventName": "DeleteTrail", "EventSource": "cloudtrail.amazonaws.com", "AccessKeyId": KEY_A,
                     "EventTime": iso(now - Duration::days(100))},
                    {"EventName": "StopLogging", "EventSource": "cloudtrail.amazonaws.com", "AccessKeyId": KEY_A,
                     "EventTime": iso(now - Duration::days(91))}
                ]
            },
            W1: {
                "generate": {"count": 110, "access_key_id": KEY_A, "days": 80},
                "events": [
                    {"EventName": "PutUserPolicy", "EventSource": "iam.amazonaws.com", "AccessKeyId": KEY_A,
                     "Username": "mallory", "EventTime": iso(now - Duration::minutes(5)),
                     "sourceIPAddress": "203.0.113.200", "userAgent": "curl/8.5.0", "errorCode": "AccessDenied"},
                    {"EventName": "PutUserPolicy", "EventSource": "iam.amazonaws.com", "AccessKeyId": KEY_A,
                     "Username": "mallory", "EventTime": iso(now - Duration::minutes(6)),
                     "sourceIPAddress": "203.0.113.200", "userAgent": "curl/8.5.0"},
                    {"EventName": "GetSessionToken", "EventSource": "sts.amazonaws.com", "AccessKeyId": KEY_A,
                     "EventId": "malformed-record", "EventTime": iso(now - Duration::days(2)),
                     "CloudTrailEvent": "{\"sourceIPAddress\": \"truncat"},
                    {"EventName": "GetSessionToken", "EventSource": "sts.amazonaws.com", "AccessKeyId": KEY_A,
                     "EventId": "no-record", "EventTime": iso(now - Duration::days(3)),
                     "CloudTrailEvent": null},
                    {"EventName": "DeleteTrail", "EventSource": "cloudtrail.amazonaws.com", "AccessKeyId": KEY_A,
                     "EventTime": iso(now - Duration::days(95))}
                ]
            }
        }})),
    );
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({"cloudtrail": {E1: {"generate": {"count": 30, "access_key_id": KEY_B, "days": 10}}}})),
    );
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    emu.control("DELETE", "/_guardpost/requests", None);

    // A window wider than the history: the emulator, like AWS, still returns only 90 days.
    let (start, end) = (now - Duration::days(120), Utc::now());
    let t0 = std::time::Instant::now();
    let a = Box::pin(cloudtrail::lookup_access_key(
        &ctx,
        KEY_A,
        &regions(),
        start,
        end,
        10_000,
    ))
    .await;
    let took = t0.elapsed();
    eprintln!("{} events in {took:.2?}", a.events.len());

    assert!(a.problems.is_empty(), "{:?}", a.problems);
    assert!(!a.truncated);
    assert_eq!(a.access_key_id, KEY_A);
    // 120 + 110 generated + 4 explicit recent ones; none of key B, none older than 90 days.
    assert_eq!(a.events.len(), 234);
    let (n, by_name, ips) = held(&emu, KEY_A, now - Duration::days(90));
    assert_eq!(a.events.len(), n);
    assert!(
        a.events
            .iter()
            .all(|e| e.event_name != "DeleteTrail" && e.event_name != "StopLogging")
    );
    let ids: BTreeSet<&str> = a.events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), 234, "no duplicates");
    assert_newest_first(&a);
    assert_eq!(a.regions(), [W1, E1]);
    assert_eq!(
        a.events.iter().filter(|e| e.region == E1).count(),
        120,
        "us-east-1"
    );

    // The newest: the denied PutUserPolicy from an unusual address, fields from the record JSON.
    let newest = &a.events[0];
    assert_eq!(
        (
            newest.event_name.as_str(),
            newest.event_source.as_str(),
            newest.region.as_str()
        ),
        ("PutUserPolicy", "iam.amazonaws.com", W1)
    );
    assert_eq!(newest.username.as_deref(), Some("mallory"));
    assert_eq!(newest.source_ip.as_deref(), Some("203.0.113.200"));
    assert_eq!(newest.user_agent.as_deref(), Some("curl/8.5.0"));
    assert_eq!(newest.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(a.events[1].error_code, None);
    // Malformed or missing CloudTrailEvent: the event stays, its record fields are None.
    for id in ["malformed-record", "no-record"] {
        let e = a.events.iter().find(|e| e.event_id == id).expect(id);
        assert_eq!(e.event_name, "GetSessionToken");
        assert_eq!(
            (&e.source_ip, &e.user_agent, &e.error_code),
            (&None, &None, &None)
        );
    }
    // Generated: every 7th call failed with AccessDenied.
    assert_eq!(
        a.events
            .iter()
            .filter(|e| e.error_code.as_deref() == Some("AccessDenied"))
            .count(),
        120 / 7 + 110 / 7 + 1
    );

    // Summaries agree with what the emulator holds.
    assert_eq!(a.by_event(), by_name);
    let got_ips: BTreeMap<String, usize> = a.by_source_ip().into_iter().collect();
    assert_eq!(got_ips, ips);
    assert_eq!(got_ips.get("203.0.113.200"), Some(&2));
    let by_ip = a.by_source_ip();
    assert!(by_ip.windows(2).all(|w| w[0].1 >= w[1].1), "{by_ip:?}");
    let (first, last) = a.first_and_last().unwrap();
    assert_eq!(last, newest.time);
    assert!(first >= now - Duration::days(90) && first < now - Duration::days(79));

    // Pagination: 3 pages per region, each call asks for <= 50 events of the key, in the window.
    for region in [E1, W1] {
        let calls = emu.calls("cloudtrail", "LookupEvents", region);
        assert_eq!(calls.len(), 3, "{region}: {calls:?}");
        for (i, c) in calls.iter().enumerate() {
            let p = &c["params"];
            assert_eq!(c["status"], 200);
            assert!(p["MaxResults"].as_i64().unwrap() <= 50, "{p}");
            assert_eq!(
                p["LookupAttributes"],
                json!([{"AttributeKey": "AccessKeyId", "AttributeValue": KEY_A}])
            );
            let st = p["StartTime"].as_f64().unwrap();
            let et = p["EndTime"].as_f64().unwrap();
            assert!((st - start.timestamp() as f64).abs() < 1.0, "{p}");
            assert!((et - end.timestamp() as f64).abs() < 1.0, "{p}");
            assert_eq!(p.get("NextToken").is_some(), i > 0, "{p}");
        }
    }
    // At most 2 requests/s per region: three calls in a region take at least two limiter
    // intervals (a lower bound, so it cannot flake). Per-call gaps are not asserted here: on a
    // loaded machine any timestamp taken after the limiter (the SDK's, the wire's, the
    // server's) carries scheduling jitter of the same order as the 0.5 s interval; the limiter
    // itself is checked exactly by `token_bucket_spaces_a_regions_calls_half_a_second_apart`
    // in src/sources/cloudtrail.rs.
    assert!(took >= std::time::Duration::from_millis(1000), "{took:?}");
    assert_calls_allowed_by_readonly_policy(&emu);

    // Key B only has its own 30 events, in us-east-1.
    let b = Box::pin(cloudtrail::lookup_access_key(
        &ctx,
        KEY_B,
        &regions(),
        start,
        Utc::now(),
        10_000,
    ))
    .await;
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    assert_eq!(b.events.len(), 30);
    assert_eq!(b.regions(), [E1]);
    assert_newest_first(&b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_region_is_a_problem_throttling_is_retried_and_max_events_truncates() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({"cloudtrail": {
            E1: {"generate": {"count": 60, "access_key_id": KEY_A, "days": 20}},
            W1: {"generate": {"count": 60, "access_key_id": KEY_A, "days": 20}}
        }})),
    );
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    let (start, end) = cloudtrail::history_window(Utc::now());

    // AccessDenied in eu-west-1; us-east-1 throttled twice, then fine.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!([
            {"kind": "access_denied", "service": "cloudtrail", "operation": "LookupEvents", "region": W1},
            {"kind": "throttle", "service": "cloudtrail", "operation": "LookupEvents", "region": E1, "count": 2}
        ])),
    );
    let a = Box::pin(cloudtrail::lookup_access_key(
        &ctx,
        KEY_A,
        &regions(),
        start,
        end,
        1000,
    ))
    .await;
    assert_eq!(
        a.problems,
        [SourceProblem {
            source: "cloudtrail".into(),
            region: Some(W1.into()),
            message: "AccessDenied: missing permission cloudtrail:LookupEvents".into(),
        }]
    );
    assert_eq!(a.events.len(), 60);
    assert_eq!(a.regions(), [E1]);
    assert!(!a.truncated);
    assert_newest_first(&a);
    let e1: Vec<Value> = emu.calls("cloudtrail", "LookupEvents", E1);
    let errors: Vec<&str> = e1.iter().filter_map(|c| c["error"].as_str()).collect();
    assert_eq!(errors, ["ThrottlingException", "ThrottlingException"]);
    assert_eq!(e1.len(), 4, "2 throttled attempts + 2 pages");
    assert_eq!(emu.calls("cloudtrail", "LookupEvents", W1).len(), 1);

    // A failure that outlasts the retries is a problem too, with the service's message.
    emu.control("DELETE", "/_guardpost/faults", None);
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "throttle", "service": "cloudtrail", "region": W1, "count": 50})),
    );
    let a = Box::pin(cloudtrail::lookup_access_key(
        &ctx,
        KEY_A,
        &[W1.to_string()],
        start,
        end,
        1000,
    ))
    .await;
    assert_eq!(a.problems.len(), 1, "{:?}", a.problems);
    // The message says the call was retried (issue 12, item 10).
    assert!(
        a.problems[0]
            .message
            .starts_with("cloudtrail:LookupEvents failed: ThrottlingException: Rate exceeded (after 6 attempts in "),
        "{}",
        a.problems[0].message
    );
    assert!(a.events.is_empty());

    // max_events: 120 exist, 70 wanted.
    emu.control("DELETE", "/_guardpost/faults", None);
    emu.control("DELETE", "/_guardpost/requests", None);
    let a = Box::pin(cloudtrail::lookup_access_key(
        &ctx,
        KEY_A,
        &regions(),
        start,
        end,
        70,
    ))
    .await;
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    assert!(a.truncated);
    assert_eq!(a.events.len(), 70);
    assert_newest_first(&a);
    let all: Vec<Value> = requests(&emu)
        .into_iter()
        .filter(|c| c["service"] == "cloudtrail")
        .collect();
    assert!(
        all.len() <= 4,
        "stops asking once the budget is spent: {all:?}"
    );
    assert!(
        all.iter()
            .all(|c| c["params"]["MaxResults"].as_i64() <= Some(50))
    );

    // Exactly as many as exist: complete, not truncated.
    let a = Box::pin(cloudtrail::lookup_access_key(
        &ctx,
        KEY_A,
        &regions(),
        start,
        end,
        120,
    ))
    .await;
    assert!(!a.truncated);
    assert_eq!(a.events.len(), 120);
    assert_eq!(a.regions(), [W1, E1]);
    assert_calls_allowed_by_readonly_policy(&emu);
}
