//! CIS section 4 (Monitoring): for each activity the benchmark wants alarmed on (root use,
//! IAM policy changes, console sign-in without MFA, ...), a chain must exist end to end:
//! a multi-region trail that logs every management event delivers to a CloudWatch Logs group;
//! a metric filter on that group matches the activity; a metric alarm watches the filter's
//! metric with its actions on; an SNS topic among the alarm's actions has a confirmed
//! subscription. The filter is judged by evaluating its pattern against sample CloudTrail
//! events of the activity ([`super::filter_pattern`]), not by searching its text.
//!
//! One verdict per control ([`assess`]): a pass, a failure naming the furthest link reached,
//! or unknown when a part it needed was not read. `check`'s unknown list and the rules use the
//! same function.

use super::Out;
use super::filter_pattern::Pattern;
use super::rules::*;
use crate::model::TrailRegion;
use crate::model::monitoring::{Metric, MonitoringRegion};
use serde_json::{Value, json};

/// One CIS section 4 control.
pub struct Monitor {
    pub rule: &'static str,
    /// What the alarm is about, for titles ("root account usage").
    pub what: &'static str,
    /// `eventSource` of the sample events; `None`: special samples ([`samples`]).
    pub source: Option<&'static str>,
    pub events: &'static [&'static str],
}

pub const MONITORS: &[Monitor] = &[
    Monitor {
        rule: CW_UNAUTHORIZED,
        what: "unauthorized API calls",
        source: None,
        events: &[],
    },
    Monitor {
        rule: CW_CONSOLE_NO_MFA,
        what: "console sign-in without MFA",
        source: None,
        events: &[],
    },
    Monitor {
        rule: CW_ROOT_USAGE,
        what: "root account usage",
        source: None,
        events: &[],
    },
    Monitor {
        rule: CW_IAM_POLICY,
        what: "IAM policy changes",
        source: Some("iam.amazonaws.com"),
        events: &[
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ],
    },
    Monitor {
        rule: CW_CLOUDTRAIL,
        what: "CloudTrail configuration changes",
        source: Some("cloudtrail.amazonaws.com"),
        events: &[
            "CreateTrail",
            "UpdateTrail",
            "DeleteTrail",
            "StartLogging",
            "StopLogging",
        ],
    },
    Monitor {
        rule: CW_CONSOLE_FAILURES,
        what: "console authentication failures",
        source: None,
        events: &[],
    },
    Monitor {
        rule: CW_CMK,
        what: "disabling or scheduled deletion of KMS keys",
        source: Some("kms.amazonaws.com"),
        events: &["DisableKey", "ScheduleKeyDeletion"],
    },
    Monitor {
        rule: CW_S3_POLICY,
        what: "S3 bucket policy changes",
        source: Some("s3.amazonaws.com"),
        events: &[
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        ],
    },
    Monitor {
        rule: CW_CONFIG,
        what: "AWS Config configuration changes",
        source: Some("config.amazonaws.com"),
        events: &[
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ],
    },
    Monitor {
        rule: CW_SECURITY_GROUP,
        what: "security group changes",
        source: Some("ec2.amazonaws.com"),
        events: &[
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ],
    },
    Monitor {
        rule: CW_NACL,
        what: "network ACL changes",
        source: Some("ec2.amazonaws.com"),
        events: &[
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ],
    },
    Monitor {
        rule: CW_GATEWAY,
        what: "network gateway changes",
        source: Some("ec2.amazonaws.com"),
        events: &[
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ],
    },
    Monitor {
        rule: CW_ROUTE_TABLE,
        what: "route table changes",
        source: Some("ec2.amazonaws.com"),
        events: &[
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        ],
    },
    Monitor {
        rule: CW_VPC,
        what: "VPC changes",
        source: Some("ec2.amazonaws.com"),
        events: &[
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        ],
    },
    Monitor {
        rule: CW_ORGANIZATIONS,
        what: "AWS Organizations changes",
        source: Some("organizations.amazonaws.com"),
        events: &[
            "AcceptHandshake",
            "AttachPolicy",
            "CreateAccount",
            "CreateOrganizationalUnit",
            "CreatePolicy",
            "DeclineHandshake",
            "DeleteOrganization",
            "DeleteOrganizationalUnit",
            "DeletePolicy",
            "DetachPolicy",
            "DisablePolicyType",
            "EnablePolicyType",
            "InviteAccountToOrganization",
            "LeaveOrganization",
            "MoveAccount",
            "RemoveAccountFromOrganization",
            "UpdatePolicy",
            "UpdateOrganizationalUnit",
        ],
    },
];

pub fn monitor(rule: &str) -> Option<&'static Monitor> {
    MONITORS.iter().find(|m| m.rule == rule)
}

fn event(source: &str, name: &str, extra: Value) -> Value {
    let mut e = json!({
        "eventVersion": "1.09",
        "eventType": "AwsApiCall",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "111122223333"},
    });
    if let (Some(e), Value::Object(extra)) = (e.as_object_mut(), extra) {
        e.extend(extra);
    }
    e
}

/// The CloudTrail events a filter must match to cover the control.
pub fn samples(m: &Monitor) -> Vec<Value> {
    let signin = |extra| {
        let mut e = event("signin.amazonaws.com", "ConsoleLogin", extra);
        e["eventType"] = json!("AwsConsoleSignIn");
        e
    };
    match m.rule {
        CW_UNAUTHORIZED => vec![
            event(
                "s3.amazonaws.com",
                "GetObject",
                json!({"errorCode": "AccessDenied", "errorMessage": "Access Denied"}),
            ),
            event(
                "ec2.amazonaws.com",
                "RunInstances",
                json!({"errorCode": "Client.UnauthorizedOperation"}),
            ),
        ],
        CW_CONSOLE_NO_MFA => vec![signin(json!({
            "additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"},
            "responseElements": {"ConsoleLogin": "Success"},
        }))],
        CW_CONSOLE_FAILURES => vec![signin(json!({
            "errorMessage": "Failed authentication",
            "additionalEventData": {"MFAUsed": "No"},
            "responseElements": {"ConsoleLogin": "Failure"},
        }))],
        CW_ROOT_USAGE => {
            let root = json!({"type": "Root", "accountId": "111122223333"});
            let mut api = event("iam.amazonaws.com", "CreateAccessKey", json!({}));
            api["userIdentity"] = root.clone();
            let mut console = signin(json!({
                "additionalEventData": {"MFAUsed": "Yes"},
                "responseElements": {"ConsoleLogin": "Success"},
            }));
            console["userIdentity"] = root;
            vec![api, console]
        }
        _ => m
            .events
            .iter()
            .map(|n| event(m.source.unwrap_or_default(), n, json!({})))
            .collect(),
    }
}

/// A filter pattern that covers the control (the CIS benchmark's, with `eventSource` added
/// to the event-list ones), as the remediation shows it.
pub fn recommended_pattern(m: &Monitor) -> String {
    match m.rule {
        CW_UNAUTHORIZED => r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#.into(),
        CW_CONSOLE_NO_MFA => r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#.into(),
        CW_ROOT_USAGE => r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#.into(),
        CW_CONSOLE_FAILURES => r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#.into(),
        _ => format!(
            "{{ ($.eventSource = {}) && ({}) }}",
            m.source.unwrap_or_default(),
            m.events
                .iter()
                .map(|e| format!("($.eventName = {e})"))
                .collect::<Vec<_>>()
                .join(" || ")
        ),
    }
}

/// Whether `pattern` covers the control; `Err` says why not (unreadable, or the first sample
/// event it would not count).
pub fn covers(m: &Monitor, pattern: &str) -> Result<(), String> {
    let p = Pattern::parse(pattern).map_err(|u| format!("pattern not evaluated: {}", u.0))?;
    for e in samples(m) {
        if !p.matches(&e) {
            let name = e["eventName"].as_str().unwrap_or_default();
            return Err(match e["userIdentity"]["type"].as_str() {
                Some("Root") => format!("does not match the root user's {name}"),
                _ => format!("does not match {name}"),
            });
        }
    }
    Ok(())
}

/// A control's verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    /// Why not, one sentence, and the evidence.
    Fail(String, Value),
    /// What was not read.
    Unknown(String),
}

/// `arn:aws:logs:REGION:ACCT:log-group:NAME[:*]` -> (region, account, name).
fn log_group(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(7, ':');
    let (_, _, _, region) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let (account, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
    (kind == "log-group").then(|| (region, account, name.strip_suffix(":*").unwrap_or(name)))
}

/// Where a chain stopped (no filter, no alarm, no subscriber), for the failure's wording.
enum Stage {
    Filter(Vec<String>),
    Alarm(Vec<String>),
    Subscriber(Vec<String>),
}

/// The verdict for one control over the trails and monitoring read in `regions`.
pub fn assess(
    m: &Monitor,
    account: &str,
    trails: &[TrailRegion],
    monitoring: &[MonitoringRegion],
    regions: &[String],
) -> Verdict {
    if monitoring.is_empty() {
        return Verdict::Unknown("CloudWatch was not read".into());
    }
    let known: Vec<_> = trails
        .iter()
        .flat_map(|r| r.trails.iter().flatten())
        .collect();
    let candidates: Vec<_> = known
        .iter()
        .filter(|t| t.covers_account() == Some(true))
        .filter_map(|t| {
            let arn = t.cloudwatch_logs_log_group_arn.as_deref()?;
            Some((t, log_group(arn)?))
        })
        .collect();
    let mut unknown: Vec<String> = Vec::new();
    if candidates.is_empty() {
        let unread: Vec<&str> = regions
            .iter()
            .filter(|region| {
                !trails
                    .iter()
                    .any(|r| &r.region == *region && r.trails.is_some())
            })
            .map(String::as_str)
            .collect();
        if !unread.is_empty() {
            return Verdict::Unknown(format!(
                "CloudTrail trails unknown in {}",
                unread.join(", ")
            ));
        }
        let undecided: Vec<&str> = known
            .iter()
            .filter(|t| t.covers_account().is_none())
            .map(|t| t.name.as_str())
            .collect();
        if !undecided.is_empty() {
            return Verdict::Unknown(format!(
                "the status or event selectors of trail(s) {} could not be read",
                undecided.join(", ")
            ));
        }
        return Verdict::Fail(
            "no multi-region trail that logs every management event delivers to CloudWatch Logs"
                .into(),
            json!({"trails": known.iter().map(|t| json!({"name": t.name,
                "covers_account": t.covers_account(),
                "cloudwatch_logs_log_group_arn": t.cloudwatch_logs_log_group_arn})).collect::<Vec<_>>()}),
        );
    }
    let region_of = |r: &str| monitoring.iter().find(|x| x.region == r);
    let mut stages: Vec<Stage> = Vec::new();
    let mut evidence = Vec::new();
    for (trail, (region, group_account, group)) in &candidates {
        // An organization trail delivers to the management account's log group: its filters
        // and alarms are read there, not here.
        if !account.is_empty() && group_account != &account {
            unknown.push(format!(
                "trail {} delivers to log group {group} of account {group_account}: its metric filters and alarms are read there",
                trail.name
            ));
            continue;
        }
        let Some(filters) = region_of(region).and_then(|x| x.metric_filters.as_ref()) else {
            unknown.push(format!(
                "CloudWatch Logs metric filters unknown in {region}"
            ));
            continue;
        };
        let on_group: Vec<_> = filters.iter().filter(|f| f.log_group == *group).collect();
        let mut misses = Vec::new();
        let mut metrics: Vec<(&str, &Metric)> = Vec::new();
        for f in &on_group {
            match covers(m, &f.pattern) {
                Ok(()) => metrics.extend(f.metrics.iter().map(|x| (f.name.as_str(), x))),
                Err(why) => misses.push(format!("filter {} {why}", f.name)),
            }
        }
        evidence.push(
            json!({"trail": trail.name, "log_group": group, "region": region,
            "filters_on_group": on_group.iter().map(|f| &f.name).collect::<Vec<_>>()}),
        );
        if metrics.is_empty() {
            let mut why = vec![format!(
                "no metric filter on log group {group} ({region}, trail {}) matches {}",
                trail.name, m.what
            )];
            why.extend(misses);
            stages.push(Stage::Filter(why));
            continue;
        }
        let Some(alarms) = region_of(region).and_then(|x| x.alarms.as_ref()) else {
            unknown.push(format!("CloudWatch alarms unknown in {region}"));
            continue;
        };
        let watching: Vec<_> = alarms
            .iter()
            .filter(|a| {
                a.metrics
                    .iter()
                    .any(|x| metrics.iter().any(|(_, y)| x == *y))
            })
            .collect();
        let live: Vec<_> = watching.iter().filter(|a| a.actions_enabled).collect();
        if live.is_empty() {
            let names: Vec<String> = metrics
                .iter()
                .map(|(f, x)| format!("{}/{} (filter {f})", x.namespace, x.name))
                .collect();
            let mut why = vec![format!(
                "no alarm with actions enabled watches metric {} in {region}",
                names.join(", ")
            )];
            why.extend(
                watching
                    .iter()
                    .map(|a| format!("alarm {} has its actions disabled", a.name)),
            );
            stages.push(Stage::Alarm(why));
            continue;
        }
        let mut pending = Vec::new();
        for a in &live {
            for topic in a
                .actions
                .iter()
                .filter(|x| x.split(':').nth(2) == Some("sns"))
            {
                let topic_region = topic.split(':').nth(3).unwrap_or_default();
                let Some(subs) = region_of(topic_region).and_then(|x| x.subscriptions.as_ref())
                else {
                    unknown.push(format!("SNS subscriptions unknown in {topic_region}"));
                    continue;
                };
                let of_topic: Vec<_> = subs.iter().filter(|s| &s.topic_arn == topic).collect();
                if of_topic.iter().any(|s| s.confirmed) {
                    return Verdict::Pass;
                }
                pending.push(if of_topic.is_empty() {
                    format!("topic {topic} of alarm {} has no subscription", a.name)
                } else {
                    format!(
                        "topic {topic} of alarm {} has no confirmed subscription",
                        a.name
                    )
                });
            }
            if !a.actions.iter().any(|x| x.split(':').nth(2) == Some("sns")) {
                pending.push(format!("alarm {} notifies no SNS topic", a.name));
            }
        }
        stages.push(Stage::Subscriber(pending));
    }
    if !unknown.is_empty() {
        unknown.dedup();
        return Verdict::Unknown(unknown.join("; "));
    }
    let rank = |s: &Stage| match s {
        Stage::Filter(_) => 0,
        Stage::Alarm(_) => 1,
        Stage::Subscriber(_) => 2,
    };
    let best = stages.iter().max_by_key(|s| rank(s));
    let why = match best {
        Some(Stage::Filter(w) | Stage::Alarm(w) | Stage::Subscriber(w)) => w.join("; "),
        None => String::new(),
    };
    Verdict::Fail(why, json!({"chains": evidence}))
}

pub(crate) fn check(out: &mut Out<'_>) {
    for m in MONITORS {
        let account = out.account().to_string();
        let Verdict::Fail(why, evidence) = assess(
            m,
            &account,
            out.input.trails,
            out.input.monitoring,
            out.input.regions,
        ) else {
            continue;
        };
        let res = out.account_resource();
        let mut evidence = evidence;
        evidence["recommended_pattern"] = json!(recommended_pattern(m));
        out.push(
            m.rule,
            res,
            format!("No alarm on {}: {why}", m.what),
            format!(
                "Nobody is notified of {}: {why}. CIS section 4 wants a metric filter on the trail's log group, an alarm on its metric and an SNS topic with a confirmed subscriber.",
                m.what
            ),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recommended_pattern_covers_its_control_and_no_other_by_accident() {
        for m in MONITORS {
            assert_eq!(covers(m, &recommended_pattern(m)), Ok(()), "{}", m.rule);
        }
        // The IAM pattern does not cover CloudTrail changes.
        let iam = monitor(CW_IAM_POLICY).unwrap();
        let ct = monitor(CW_CLOUDTRAIL).unwrap();
        assert_eq!(
            covers(ct, &recommended_pattern(iam)),
            Err("does not match CreateTrail".into())
        );
    }

    fn trail(group_arn: &str) -> Vec<TrailRegion> {
        use crate::model::trail::{Management, Trail};
        vec![TrailRegion {
            region: "us-east-1".into(),
            trails: Some(vec![Trail {
                name: "org".into(),
                multi_region: true,
                logging: Some(true),
                management: Some(Management::All),
                cloudwatch_logs_log_group_arn: Some(group_arn.into()),
                ..Trail::default()
            }]),
        }]
    }

    #[test]
    fn an_organization_trails_log_group_in_another_account_is_unknown_here() {
        let m = monitor(CW_ROOT_USAGE).unwrap();
        let read = vec![MonitoringRegion {
            region: "us-east-1".into(),
            metric_filters: Some(vec![]),
            alarms: Some(vec![]),
            subscriptions: Some(vec![]),
        }];
        let regions = vec!["us-east-1".to_string()];
        let other = trail("arn:aws:logs:us-east-1:999988887777:log-group:org-trail:*");
        match assess(m, "111122223333", &other, &read, &regions) {
            Verdict::Unknown(why) => assert!(why.contains("of account 999988887777"), "{why}"),
            v => panic!("{v:?}"),
        }
        // The same trail delivering here: no filter, a failure.
        let own = trail("arn:aws:logs:us-east-1:111122223333:log-group:org-trail:*");
        assert!(matches!(
            assess(m, "111122223333", &own, &read, &regions),
            Verdict::Fail(..)
        ));
        // Nothing of CloudWatch read at all: unknown, not a failure.
        assert_eq!(
            assess(m, "111122223333", &own, &[], &regions),
            Verdict::Unknown("CloudWatch was not read".into())
        );
    }

    #[test]
    fn a_filter_missing_one_event_or_joined_with_and_does_not_cover() {
        let ct = monitor(CW_CLOUDTRAIL).unwrap();
        let partial = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }";
        assert_eq!(
            covers(ct, partial),
            Err("does not match StopLogging".into())
        );
        let and = "{ ($.eventName = CreateTrail) && ($.eventName = UpdateTrail) && ($.eventName = DeleteTrail) && ($.eventName = StartLogging) && ($.eventName = StopLogging) }";
        assert!(covers(ct, and).is_err());
        // Root usage: the pre-v1.2 CIS pattern without invokedBy still counts every root call.
        let root = monitor(CW_ROOT_USAGE).unwrap();
        assert_eq!(covers(root, r#"{ $.userIdentity.type = "Root" }"#), Ok(()));
        assert_eq!(
            covers(
                root,
                r#"{ $.userIdentity.type = "Root" && $.eventType = "AwsApiCall" }"#
            ),
            Err("does not match the root user's ConsoleLogin".into())
        );
    }
}
