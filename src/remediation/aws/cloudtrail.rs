//! CloudTrail calls of the logging fixes, and the reads their preconditions re-read.

use super::{AwsBackend, err, s, unknown};
use crate::remediation::executor::CallError;
use serde_json::{Value, json};

impl AwsBackend {
    pub(super) async fn cloudtrail(
        &self,
        perm: &str,
        op: &str,
        region: &str,
        p: &Value,
    ) -> Result<Value, CallError> {
        let c = aws_sdk_cloudtrail::Client::new(&self.ctx.region_config(region));
        Ok(match op {
            "UpdateTrail" => {
                let o = c
                    .update_trail()
                    .name(s(p, "Name")?)
                    .set_enable_log_file_validation(p["EnableLogFileValidation"].as_bool())
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({"TrailARN": o.trail_arn(), "LogFileValidationEnabled": o.log_file_validation_enabled()})
            }
            "StartLogging" => {
                c.start_logging()
                    .name(s(p, "Name")?)
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "StopLogging" => {
                c.stop_logging()
                    .name(s(p, "Name")?)
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "DescribeTrails" => {
                let names: Vec<String> = p["trailNameList"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                let o = c
                    .describe_trails()
                    .set_trail_name_list(Some(names))
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({"trailList": o.trail_list().iter().map(|t| json!({
                    "TrailARN": t.trail_arn(),
                    "LogFileValidationEnabled": t.log_file_validation_enabled(),
                })).collect::<Vec<_>>()})
            }
            "GetTrailStatus" => {
                let o = c
                    .get_trail_status()
                    .name(s(p, "Name")?)
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({"IsLogging": o.is_logging()})
            }
            other => return Err(unknown("cloudtrail", other)),
        })
    }
}
