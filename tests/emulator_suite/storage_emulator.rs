//! S3 baseline (issue 15) against the emulator over real HTTP: the account's Block Public
//! Access (S3 Control) and the trails' buckets (public by ACL, public by policy, a public policy
//! neutralised by the bucket's own Block Public Access, access logging), each (rule, resource)
//! pair asserted both ways through `guardpost check`; `check --fix` turns the account's Block
//! Public Access on and `undo` puts it back, read back from the server; a denied read is
//! unknown, never a pass.

use crate::live;

use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLoggingStatus, LoggingEnabled, PublicAccessBlockConfiguration,
};
use guardpost::posture::rules as r;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

const E1: &str = "us-east-1";

fn check(home: &Path, url: &str, extra: &[&str]) -> (Value, String, Option<i32>) {
    let mut args = vec!["--services", "s3"];
    args.extend_from_slice(extra);
    live::check_json(home, url, &[E1], &args)
}

use live::{pair_set as set, rule_pairs as failing};

async fn account_block(c: &aws_sdk_s3control::Client, acct: &str) -> [bool; 4] {
    match c.get_public_access_block().account_id(acct).send().await {
        Ok(o) => {
            let g = o.public_access_block_configuration().unwrap();
            [
                g.block_public_acls().unwrap_or(false),
                g.ignore_public_acls().unwrap_or(false),
                g.block_public_policy().unwrap_or(false),
                g.restrict_public_buckets().unwrap_or(false),
            ]
        }
        Err(_) => [false; 4],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_block_public_access_and_trail_buckets_are_judged_fixed_undone_and_unknown_when_denied()
 {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &[E1]).await.expect("resolves");
    let acct = ctx.account_id.clone();
    let conf = ctx.region_config(E1);
    let s3 = guardpost::sources::storage::s3_client(&conf, E1);
    let control = guardpost::sources::storage::s3control_client(&conf);
    let trails = aws_sdk_cloudtrail::Client::new(&conf);
    let home = tempfile::tempdir().unwrap();
    let root = format!("arn:aws:iam::{acct}:root");
    let bucket = |n: &str| format!("arn:aws:s3:::{n}");

    // Nothing configured: the account's Block Public Access is all off; no trail, no bucket.
    let (rep, err, code) = check(home.path(), &emu.url, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        failing(&rep),
        set(&[(r::S3_ACCOUNT_PAB, &root)]),
        "{err}\n{rep:#}"
    );
    let title = rep["findings"][0]["title"].as_str().unwrap();
    assert!(
        title.ends_with(
            "BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off"
        ),
        "{title}"
    );
    assert_eq!(
        rep["coverage"]["sources"]["s3"]["global"]["state"],
        "complete"
    );

    // Three trail buckets: public by ACL (and no access logs), public by policy, and the same
    // public policy neutralised by the bucket's own RestrictPublicBuckets (healthy).
    let public_policy = |b: &str| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{b}/*")}]})
        .to_string()
    };
    s3.create_bucket()
        .bucket("access-logs")
        .send()
        .await
        .unwrap();
    s3.put_bucket_policy()
        .bucket("access-logs")
        .policy(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
                "Resource": "arn:aws:s3:::access-logs/*"}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    s3.create_bucket()
        .bucket("trail-acl")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    for b in ["trail-policy", "trail-restricted"] {
        s3.create_bucket().bucket(b).send().await.unwrap();
        s3.put_bucket_policy()
            .bucket(b)
            .policy(public_policy(b))
            .send()
            .await
            .unwrap();
        s3.put_bucket_logging()
            .bucket(b)
            .bucket_logging_status(
                BucketLoggingStatus::builder()
                    .logging_enabled(
                        LoggingEnabled::builder()
                            .target_bucket("access-logs")
                            .target_prefix(format!("{b}/"))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    s3.put_public_access_block()
        .bucket("trail-restricted")
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    for (trail, b) in [
        ("t-acl", "trail-acl"),
        ("t-policy", "trail-policy"),
        ("t-restricted", "trail-restricted"),
    ] {
        trails
            .create_trail()
            .name(trail)
            .s3_bucket_name(b)
            .send()
            .await
            .unwrap();
    }
    let (rep, err, _) = check(home.path(), &emu.url, &[]);
    assert_eq!(
        failing(&rep),
        set(&[
            (r::S3_ACCOUNT_PAB, &root),
            (r::TRAIL_BUCKET_PUBLIC, &bucket("trail-acl")),
            (r::TRAIL_BUCKET_LOGGING, &bucket("trail-acl")),
            (r::TRAIL_BUCKET_PUBLIC, &bucket("trail-policy")),
        ]),
        "{err}\n{rep:#}"
    );

    // --fix turns every account setting on (which also makes both buckets non-public), the
    // undo puts back what was there.
    let (rep, err, code) = check(home.path(), &emu.url, &["--fix", "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("Turn on every S3 Block Public Access setting of account"),
        "{err}"
    );
    assert!(err.contains("s3:PutAccountPublicAccessBlock"), "{err}");
    assert_eq!(account_block(&control, &acct).await, [true; 4]);
    assert_eq!(
        failing(&rep),
        set(&[(r::TRAIL_BUCKET_LOGGING, &bucket("trail-acl"))]),
        "{err}\n{rep:#}"
    );
    let run_id = live::fix_run_id(&err);
    let out = live::guardpost(
        home.path(),
        &emu.url,
        &[E1],
        &["undo", "--all-from", &run_id, "--yes"],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(account_block(&control, &acct).await, [false; 4]);

    // Every read is allowed by the documented read-only policy.
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    let requests = emu.control("GET", "/_guardpost/requests", None)["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    for c in &requests {
        let svc = c["service"].as_str().unwrap_or_default();
        let op = c["operation"].as_str().unwrap_or_default();
        if !(svc == "s3" || svc == "s3control") || !op.starts_with("Get") {
            continue;
        }
        let action = live::logged_action(c);
        assert!(policy.allows(&action), "{action}");
        seen.insert(action);
    }
    for want in [
        "s3:GetAccountPublicAccessBlock",
        "s3:GetBucketLocation",
        "s3:GetBucketPolicyStatus",
        "s3:GetBucketAcl",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketLogging",
    ] {
        assert!(seen.contains(want), "{want} not read: {seen:?}");
    }

    // GetBucketAcl and GetBucketLogging denied: a bucket public by policy stays a finding; the
    // one whose verdict hangs on its ACL is not called public (nor clean: coverage says so), and
    // the logging rule, decided for no bucket, is listed as unknown with the reason.
    for op in ["GetBucketAcl", "GetBucketLogging"] {
        emu.control(
            "POST",
            "/_guardpost/fault",
            Some(&json!({"kind": "access_denied", "service": "s3", "operation": op})),
        );
    }
    let (rep, err, _) = check(home.path(), &emu.url, &[]);
    assert_eq!(
        failing(&rep),
        set(&[
            (r::S3_ACCOUNT_PAB, &root),
            (r::TRAIL_BUCKET_PUBLIC, &bucket("trail-policy")),
        ]),
        "{err}\n{rep:#}"
    );
    let unknown = rep["unknown_rules"].as_array().unwrap();
    assert!(
        unknown.iter().any(|u| u["rule"] == r::TRAIL_BUCKET_LOGGING
            && u["reason"].as_str().unwrap().starts_with(
                "bucket(s) trail-acl, trail-policy, trail-restricted could not be read"
            )),
        "{err}\n{unknown:#?}"
    );
    assert!(err.contains("missing permission s3:GetBucketAcl"), "{err}");
    assert_ne!(
        rep["coverage"]["sources"]["s3"]["global"]["state"],
        "complete"
    );
}
