//! S3, once per load (account-wide): the account's Block Public Access (S3 Control
//! `GetPublicAccessBlock`) and, for every bucket a trail delivers to, `GetBucketLocation`, then
//! in the bucket's region `GetBucketPolicyStatus`, `GetBucketAcl`, `GetPublicAccessBlock` and
//! `GetBucketLogging`, concurrently. It runs after the trails are read (it needs their
//! buckets). A read that fails leaves its part unknown (`None`) and is a problem of its own;
//! "not configured" answers (no policy, no Block Public Access) are facts, not failures.

use super::{SourceProblem, describe_error};
use crate::model::storage::{PublicAccessBlock, S3Account, TrailBucket};
use aws_config::SdkConfig;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3control::config::endpoint::{EndpointFuture, Params, ResolveEndpoint};
use aws_smithy_types::endpoint::Endpoint;

pub const SOURCE: &str = "s3";

/// What the S3 reader produced.
#[derive(Debug, Default)]
pub struct StorageResult {
    pub s3: Option<S3Account>,
    pub problems: Vec<SourceProblem>,
}

/// S3 Control puts the account id in front of the host (`ACCT.s3-control.REGION...`); an
/// endpoint override (`--endpoint-url`: a proxy, a VPC endpoint, the test emulator) is used
/// as given, with the account id in the `x-amz-account-id` header as always.
#[derive(Debug)]
struct Verbatim(String);

impl ResolveEndpoint for Verbatim {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

/// The S3 Control client guardpost reads and acts with.
pub fn s3control_client(conf: &SdkConfig) -> aws_sdk_s3control::Client {
    let mut b = aws_sdk_s3control::config::Builder::from(conf)
        .interceptor(super::aws::RetryBook)
        .retry_classifier(super::aws::RetryPolicy);
    if let Some(url) = conf.endpoint_url() {
        b = b.endpoint_resolver(Verbatim(url.to_string()));
    }
    aws_sdk_s3control::Client::from_conf(b.build())
}

/// The S3 client for one region; path-style addressing under an endpoint override (a local
/// endpoint has no per-bucket host names).
pub fn s3_client(conf: &SdkConfig, region: &str) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(conf)
            .region(aws_sdk_s3::config::Region::new(region.to_string()))
            .force_path_style(conf.endpoint_url().is_some())
            .interceptor(super::aws::RetryBook)
            .retry_classifier(super::aws::RetryPolicy)
            .build(),
    )
}

/// The four settings of a `PublicAccessBlockConfiguration`, S3's or S3 Control's (the same
/// shape, generated as two types); none configured is all four off.
macro_rules! pab {
    ($c:expr) => {
        $c.map(|c| PublicAccessBlock {
            block_public_acls: c.block_public_acls().unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
            block_public_policy: c.block_public_policy().unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
        })
        .unwrap_or_default()
    };
}

const NO_PAB: &str = "NoSuchPublicAccessBlockConfiguration";

/// The account's Block Public Access; all off when none is configured.
pub async fn account_public_access_block(
    client: &aws_sdk_s3control::Client,
    account: &str,
) -> Result<PublicAccessBlock, String> {
    match Box::pin(client.get_public_access_block().account_id(account).send()).await {
        Ok(o) => Ok(pab!(o.public_access_block_configuration())),
        Err(e) if e.code() == Some(NO_PAB) => Ok(PublicAccessBlock::default()),
        Err(e) => Err(describe_error("s3:GetAccountPublicAccessBlock", &e)),
    }
}

/// `buckets`: (bucket, the trails that deliver to it).
pub async fn load(
    conf: &SdkConfig,
    account: &str,
    buckets: Vec<(String, Vec<String>)>,
) -> StorageResult {
    let mut problems = Vec::new();
    let mut problem = |message: String| {
        tracing::warn!(source = SOURCE, %message, "source problem");
        problems.push(SourceProblem {
            source: SOURCE.into(),
            region: None,
            message,
        });
    };
    let control = s3control_client(conf);
    let home = s3_client(conf, conf.region().map_or("us-east-1", |r| r.as_ref()));
    // Each bucket in its own task: their round trips overlap.
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (name, trails)) in buckets.into_iter().enumerate() {
        let (conf, home) = (conf.clone(), home.clone());
        tasks.spawn(Box::pin(async move {
            (i, Box::pin(bucket(&conf, &home, name, trails)).await)
        }));
    }
    let public_access_block = Box::pin(account_public_access_block(&control, account))
        .await
        .map_err(&mut problem)
        .ok();
    let mut read = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(r) => read.push(r),
            Err(e) => problem(format!("a bucket reader failed: {e}")),
        }
    }
    read.sort_by_key(|(i, _)| *i);
    let mut trail_buckets = Vec::new();
    for (_, (b, errs)) in read {
        errs.into_iter().for_each(&mut problem);
        trail_buckets.push(b);
    }
    StorageResult {
        s3: Some(S3Account {
            public_access_block,
            trail_buckets,
        }),
        problems,
    }
}

async fn bucket(
    conf: &SdkConfig,
    home: &aws_sdk_s3::Client,
    name: String,
    trails: Vec<String>,
) -> (TrailBucket, Vec<String>) {
    let mut errs = Vec::new();
    let mut out = TrailBucket {
        name: name.clone(),
        trails,
        ..TrailBucket::default()
    };
    // The bucket's region: "" is us-east-1, "EU" the old name of eu-west-1.
    let region = match Box::pin(home.get_bucket_location().bucket(&name).send()).await {
        Ok(o) => match o.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_string(),
            Some("EU") => "eu-west-1".to_string(),
            Some(r) => r.to_string(),
        },
        Err(e) => {
            errs.push(describe_error("s3:GetBucketLocation", &e));
            return (out, errs);
        }
    };
    let c = s3_client(conf, &region);
    let (status, acl, block, logging) = tokio::join!(
        Box::pin(c.get_bucket_policy_status().bucket(&name).send()),
        Box::pin(c.get_bucket_acl().bucket(&name).send()),
        Box::pin(c.get_public_access_block().bucket(&name).send()),
        Box::pin(c.get_bucket_logging().bucket(&name).send()),
    );
    out.policy_public = match status {
        Ok(o) => Some(
            o.policy_status()
                .and_then(|s| s.is_public())
                .unwrap_or(false),
        ),
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => Some(false),
        Err(e) => {
            errs.push(describe_error("s3:GetBucketPolicyStatus", &e));
            None
        }
    };
    out.acl_public = match acl {
        Ok(o) => Some(o.grants().iter().any(|g| {
            g.grantee().and_then(|g| g.uri()).is_some_and(|u| {
                u.ends_with("/global/AllUsers") || u.ends_with("/global/AuthenticatedUsers")
            })
        })),
        Err(e) => {
            errs.push(describe_error("s3:GetBucketAcl", &e));
            None
        }
    };
    out.public_access_block = match block {
        Ok(o) => Some(pab!(o.public_access_block_configuration())),
        Err(e) if e.code() == Some(NO_PAB) => Some(PublicAccessBlock::default()),
        Err(e) => {
            errs.push(describe_error("s3:GetBucketPublicAccessBlock", &e));
            None
        }
    };
    out.logging_target = match logging {
        Ok(o) => Some(
            o.logging_enabled()
                .map(|l| l.target_bucket().to_string())
                .unwrap_or_default(),
        ),
        Err(e) => {
            errs.push(describe_error("s3:GetBucketLogging", &e));
            None
        }
    };
    (out, errs)
}
