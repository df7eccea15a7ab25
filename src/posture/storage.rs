//! S3 (issue 15): the account's Block Public Access (S3.1, CIS 2.1.4) and the buckets the
//! CloudTrail trails deliver to: not public (CloudTrail.6), with server access logging
//! (CloudTrail.7, CIS 3.4). A part that was not read yields no finding; `check` lists the
//! rule as unknown ([`crate::dataset::Dataset::unknown_reason`]).

use super::Out;
use super::rules::*;
use crate::model::ResourceRef;
use crate::model::storage::TrailBucket;
use serde_json::json;

fn bucket_resource(out: &Out<'_>, b: &TrailBucket) -> ResourceRef {
    ResourceRef {
        arn: format!("arn:{}:s3:::{}", out.partition(), b.name),
        kind: "AwsS3Bucket".into(),
        name: b.name.clone(),
        region: None,
    }
}

pub(crate) fn check(out: &mut Out<'_>) {
    let Some(s3) = out.input.s3 else {
        return;
    };
    if let Some(p) = s3.public_access_block.filter(|p| !p.all_on()) {
        let off = p.off();
        let res = out.account_resource();
        out.push(
            S3_ACCOUNT_PAB,
            res,
            format!(
                "S3 Block Public Access is not fully on for account {}: {} off",
                out.account(),
                off.join(", ")
            ),
            format!(
                "The account-level S3 Block Public Access has {} off, so a bucket policy or ACL can still make a bucket public.",
                off.join(", ")
            ),
            json!({"public_access_block": p}),
        );
    }
    for b in &s3.trail_buckets {
        let evidence = json!({"bucket": b.name, "trails": b.trails,
            "policy_public": b.policy_public, "acl_public": b.acl_public,
            "bucket_public_access_block": b.public_access_block,
            "account_public_access_block": s3.public_access_block,
            "logging_target": b.logging_target});
        if b.public(s3.public_access_block.as_ref()) == Some(true) {
            let how: Vec<&str> = [
                (b.policy_public == Some(true), "its bucket policy"),
                (b.acl_public == Some(true), "its ACL"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, how)| how)
            .collect();
            out.push(
                TRAIL_BUCKET_PUBLIC,
                bucket_resource(out, b),
                format!(
                    "CloudTrail bucket {} is public (trail {})",
                    b.name,
                    b.trails.join(", ")
                ),
                format!(
                    "Bucket {} holds the logs of trail {} and is public through {}: anyone can read the account's API history.",
                    b.name,
                    b.trails.join(", "),
                    how.join(" and ")
                ),
                evidence.clone(),
            );
        }
        if b.logging_target.as_deref() == Some("") {
            out.push(
                TRAIL_BUCKET_LOGGING,
                bucket_resource(out, b),
                format!(
                    "CloudTrail bucket {} has no server access logging (trail {})",
                    b.name,
                    b.trails.join(", ")
                ),
                format!(
                    "Nobody can tell who read or deleted the log files in bucket {}: it writes no server access logs.",
                    b.name
                ),
                evidence,
            );
        }
    }
}
