//! AWS Config, per region, for the logging baseline: `DescribeConfigurationRecorders`,
//! `DescribeConfigurationRecorderStatus` and `DescribeDeliveryChannels`, concurrently. A failed
//! read leaves its part unknown (`None`) and is a problem of its own.

use super::{Progress, RegionResult, describe_error};
use crate::model::recorder::{ConfigRegion, Recorder};
use aws_config::SdkConfig;

pub const SOURCE: &str = "config";

pub async fn load(conf: &SdkConfig, region: &str, p: &Progress) -> RegionResult {
    let watch = super::ThrottleWatch::new(SOURCE, Some(region), p);
    let client = super::aws::client!(aws_sdk_config, conf, watch);
    let (recorders, status, channels) = tokio::join!(
        Box::pin(client.describe_configuration_recorders().send()),
        Box::pin(client.describe_configuration_recorder_status().send()),
        Box::pin(client.describe_delivery_channels().send()),
    );
    let mut out = RegionResult::default();
    let mut problem = |why: String| {
        out.problems
            .push(RegionResult::problem(SOURCE, region, why))
    };
    let status = match status {
        Ok(s) => Some(s),
        Err(e) => {
            problem(describe_error(
                "config:DescribeConfigurationRecorderStatus",
                &e,
            ));
            None
        }
    };
    let recorders = match recorders {
        Ok(o) => Some(
            o.configuration_recorders()
                .iter()
                .map(|r| {
                    let name = r.name().unwrap_or_default().to_string();
                    let group = r.recording_group();
                    Recorder {
                        recording: status.as_ref().map(|s| {
                            s.configuration_recorders_status()
                                .iter()
                                .any(|x| x.name() == Some(name.as_str()) && x.recording())
                        }),
                        all_supported: group.is_some_and(|g| g.all_supported()),
                        include_global: group.is_some_and(|g| g.include_global_resource_types()),
                        name,
                    }
                })
                .collect(),
        ),
        Err(e) => {
            problem(describe_error("config:DescribeConfigurationRecorders", &e));
            None
        }
    };
    let delivery_channels = match channels {
        Ok(o) => Some(
            o.delivery_channels()
                .iter()
                .filter_map(|c| c.name().map(str::to_string))
                .collect(),
        ),
        Err(e) => {
            problem(describe_error("config:DescribeDeliveryChannels", &e));
            None
        }
    };
    out.config = Some(ConfigRegion {
        region: region.into(),
        recorders,
        delivery_channels,
    });
    out
}
