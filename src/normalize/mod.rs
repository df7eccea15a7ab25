//! Pure functions from each API's raw JSON to the normalized [`Finding`](crate::model::Finding).
//!
//! Shared helpers live here: tolerant field access, timestamp parsing (ISO 8601 strings and
//! epoch numbers both occur depending on the protocol), ARN parsing and display names.

pub mod access_analyzer;
pub mod credential_report;
pub mod guardduty;
pub mod securityhub;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// A record that could not be normalized; the rest of the batch still loads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} finding {id}: {message}")]
pub struct NormalizeError {
    pub source_name: &'static str,
    /// The record's id when it has one, else `<no id>`.
    pub id: String,
    pub message: String,
}

impl NormalizeError {
    pub(crate) fn new(source_name: &'static str, id: Option<&str>, message: &str) -> Self {
        NormalizeError {
            source_name,
            id: id.unwrap_or("<no id>").to_string(),
            message: message.to_string(),
        }
    }
}

/// Suffix of Security Hub's ProductArn for GuardDuty findings.
pub const GUARDDUTY_PRODUCT: &str = "product/aws/guardduty";
/// Suffix of Security Hub's ProductArn for IAM Access Analyzer findings.
pub const ACCESS_ANALYZER_PRODUCT: &str = "product/aws/access-analyzer";

pub fn is_guardduty_product(product_arn: &str) -> bool {
    product_arn.ends_with(GUARDDUTY_PRODUCT)
}

pub fn is_access_analyzer_product(product_arn: &str) -> bool {
    product_arn.ends_with(ACCESS_ANALYZER_PRODUCT)
}

/// The string at a path of object keys; `None` when absent, not a string, or empty
/// (AWS sends empty strings for "unknown" in places, which we treat as missing).
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str().filter(|s| !s.trim().is_empty())
}

/// Timestamps: RFC 3339 (with or without fractional seconds), a naive ISO form taken as
/// UTC, or epoch seconds as a number (the AWS JSON protocols' default).
pub(crate) fn parse_time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    match v? {
        Value::String(s) => {
            let s = s.trim();
            if let Ok(d) = DateTime::parse_from_rfc3339(s) {
                return Some(d.with_timezone(&Utc));
            }
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| Utc.from_utc_datetime(&n))
        }
        Value::Number(n) => {
            let secs = n.as_f64()?;
            if !secs.is_finite() {
                return None;
            }
            let millis = (secs * 1000.0).round() as i64;
            Utc.timestamp_millis_opt(millis).single()
        }
        _ => None,
    }
}

/// The parts of an ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

pub fn parse_arn(s: &str) -> Option<Arn<'_>> {
    let mut it = s.splitn(6, ':');
    if it.next()? != "arn" {
        return None;
    }
    Some(Arn {
        partition: it.next()?,
        service: it.next()?,
        region: it.next()?,
        account: it.next()?,
        resource: it.next()?,
    })
}

/// Region of an ARN when it names one; IAM, S3 and other global ARNs have none.
pub(crate) fn arn_region(s: &str) -> Option<String> {
    parse_arn(s)
        .map(|a| a.region)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// A short display name for a resource ARN or id, as a person would say it:
/// `arn:aws:iam::1:user/path/alice` -> `alice`, `arn:aws:s3:::logs` -> `logs`,
/// `arn:aws:ec2:r:1:security-group/sg-1` -> `sg-1`, `arn:aws:lambda:r:1:function:f:3` -> `f`,
/// ASFF pseudo ids `AWS::::Account:1` -> `1`, `AWS::IAM::AccessKey:AKIA..` -> the key id.
pub fn display_name(id: &str) -> String {
    let id = id.trim();
    if let Some(arn) = parse_arn(id) {
        let res = arn.resource.trim_end_matches('/');
        if arn.service == "iam" && res == "root" {
            return format!("account {} (root)", arn.account);
        }
        if arn.service == "s3" {
            // Bucket (or bucket/key): the bucket is what people recognise.
            return res.split('/').next().unwrap_or(res).to_string();
        }
        if let Some((_, last)) = res.rsplit_once('/')
            && !last.is_empty()
        {
            return last.to_string();
        }
        // `type:name[:qualifier]` (Lambda, Secrets Manager, Logs): the name.
        let mut parts = res.split(':');
        return match (parts.next(), parts.next()) {
            (Some(_), Some(name)) if !name.is_empty() => name.to_string(),
            (Some(first), _) if !first.is_empty() => first.to_string(),
            _ => id.to_string(),
        };
    }
    if id.starts_with("AWS::")
        && let Some((_, last)) = id.rsplit_once(':')
        && !last.is_empty()
    {
        return last.to_string();
    }
    id.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn display_names() {
        assert_eq!(
            display_name("arn:aws:iam::111122223333:user/eng/alice"),
            "alice"
        );
        assert_eq!(display_name("arn:aws:iam::111122223333:user/bob"), "bob");
        assert_eq!(
            display_name("arn:aws:iam::111122223333:root"),
            "account 111122223333 (root)"
        );
        assert_eq!(display_name("arn:aws:s3:::acme-logs"), "acme-logs");
        assert_eq!(display_name("arn:aws:s3:::acme-logs/a/b.txt"), "acme-logs");
        assert_eq!(
            display_name("arn:aws:ec2:us-east-1:111122223333:security-group/sg-0abc"),
            "sg-0abc"
        );
        assert_eq!(
            display_name("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab"),
            "1234abcd-12ab"
        );
        assert_eq!(
            display_name("arn:aws:lambda:us-east-1:111122223333:function:my-fn:3"),
            "my-fn"
        );
        assert_eq!(
            display_name("arn:aws:sns:us-east-1:111122223333:alerts"),
            "alerts"
        );
        assert_eq!(display_name("AWS::::Account:111122223333"), "111122223333");
        assert_eq!(
            display_name("AWS::IAM::AccessKey:ASIATEST123"),
            "ASIATEST123"
        );
        assert_eq!(display_name("i-0abc"), "i-0abc");
        assert_eq!(display_name(""), "");
    }

    #[test]
    fn times() {
        let t = parse_time(Some(&json!("2020-08-06T02:18:23.076Z"))).unwrap();
        assert_eq!(t.to_rfc3339(), "2020-08-06T02:18:23.076+00:00");
        assert!(parse_time(Some(&json!("2020-11-10T16:17:47Z"))).is_some());
        assert!(parse_time(Some(&json!("2020-11-10T16:17:47"))).is_some());
        assert_eq!(
            parse_time(Some(&json!(1_600_000_000))).unwrap().timestamp(),
            1_600_000_000
        );
        assert_eq!(parse_time(Some(&json!("yesterday"))), None);
        assert_eq!(parse_time(Some(&json!(null))), None);
        assert_eq!(parse_time(None), None);
    }
}
