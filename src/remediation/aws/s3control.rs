//! S3 Control calls of the account Block Public Access fix, and the read its precondition
//! and undo re-read.

use super::{AwsBackend, err, s, unknown};
use crate::remediation::catalog::PAB_FIELDS;
use crate::remediation::executor::CallError;
use aws_sdk_s3control::error::ProvideErrorMetadata;
use aws_sdk_s3control::types::PublicAccessBlockConfiguration;
use serde_json::{Value, json};

impl AwsBackend {
    pub(super) async fn s3control(
        &self,
        perm: &str,
        op: &str,
        region: &str,
        p: &Value,
    ) -> Result<Value, CallError> {
        let c = crate::sources::storage::s3control_client(&self.ctx.region_config(region));
        let account = s(p, "AccountId")?;
        Ok(match op {
            "PutPublicAccessBlock" => {
                let v = &p["PublicAccessBlockConfiguration"];
                let flag = |k: &str| v[k].as_bool().unwrap_or(false);
                c.put_public_access_block()
                    .account_id(&account)
                    .public_access_block_configuration(
                        PublicAccessBlockConfiguration::builder()
                            .block_public_acls(flag("BlockPublicAcls"))
                            .ignore_public_acls(flag("IgnorePublicAcls"))
                            .block_public_policy(flag("BlockPublicPolicy"))
                            .restrict_public_buckets(flag("RestrictPublicBuckets"))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "GetPublicAccessBlock" => {
                let read = c
                    .get_public_access_block()
                    .account_id(&account)
                    .send()
                    .await;
                let config = match read {
                    Ok(o) => {
                        let g = o.public_access_block_configuration();
                        let values = [
                            g.and_then(|g| g.block_public_acls()),
                            g.and_then(|g| g.ignore_public_acls()),
                            g.and_then(|g| g.block_public_policy()),
                            g.and_then(|g| g.restrict_public_buckets()),
                        ];
                        PAB_FIELDS
                            .iter()
                            .zip(values)
                            .map(|(k, v)| (k.to_string(), json!(v.unwrap_or(false))))
                            .collect::<serde_json::Map<_, _>>()
                    }
                    // None configured: all four off.
                    Err(e) if e.code() == Some("NoSuchPublicAccessBlockConfiguration") => {
                        PAB_FIELDS
                            .iter()
                            .map(|k| (k.to_string(), json!(false)))
                            .collect()
                    }
                    Err(e) => return Err(err(perm, e)),
                };
                json!({"PublicAccessBlockConfiguration": config})
            }
            other => return Err(unknown("s3control", other)),
        })
    }
}
