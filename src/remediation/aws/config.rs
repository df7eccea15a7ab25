//! AWS Config calls of the recorder fixes.

use super::{AwsBackend, err, s, unknown};
use crate::remediation::executor::CallError;
use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
use serde_json::{Value, json};

impl AwsBackend {
    pub(super) async fn config(
        &self,
        perm: &str,
        op: &str,
        region: &str,
        p: &Value,
    ) -> Result<Value, CallError> {
        let c = aws_sdk_config::Client::new(&self.ctx.region_config(region));
        let name = || s(p, "ConfigurationRecorderName");
        Ok(match op {
            "PutConfigurationRecorder" => {
                let r = &p["ConfigurationRecorder"];
                let g = &r["recordingGroup"];
                c.put_configuration_recorder()
                    .configuration_recorder(
                        ConfigurationRecorder::builder()
                            .name(s(r, "name")?)
                            .role_arn(s(r, "roleARN")?)
                            .recording_group(
                                RecordingGroup::builder()
                                    .all_supported(g["allSupported"].as_bool().unwrap_or(true))
                                    .include_global_resource_types(
                                        g["includeGlobalResourceTypes"].as_bool().unwrap_or(false),
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "PutDeliveryChannel" => {
                let d = &p["DeliveryChannel"];
                c.put_delivery_channel()
                    .delivery_channel(
                        DeliveryChannel::builder()
                            .name(s(d, "name")?)
                            .s3_bucket_name(s(d, "s3BucketName")?)
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "StartConfigurationRecorder" => {
                c.start_configuration_recorder()
                    .configuration_recorder_name(name()?)
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "StopConfigurationRecorder" => {
                c.stop_configuration_recorder()
                    .configuration_recorder_name(name()?)
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "DeleteDeliveryChannel" => {
                c.delete_delivery_channel()
                    .delivery_channel_name(s(p, "DeliveryChannelName")?)
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "DeleteConfigurationRecorder" => {
                c.delete_configuration_recorder()
                    .configuration_recorder_name(name()?)
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            other => return Err(unknown("config", other)),
        })
    }
}
