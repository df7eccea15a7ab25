//! EC2 calls of the network fixes, and the reads their preconditions and undo re-read.

use super::{AwsBackend, err, s, unknown};
use crate::remediation::executor::CallError;
use aws_sdk_ec2::types::{HttpTokensState, IpPermission, IpRange, Ipv6Range};
use serde_json::{Value, json};

/// EC2's `IpPermissions` JSON (as the catalog writes it) to the SDK's type.
fn permissions(v: &Value) -> Vec<IpPermission> {
    let port = |p: &Value, k: &str| p[k].as_i64().and_then(|n| i32::try_from(n).ok());
    v.as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            IpPermission::builder()
                .set_ip_protocol(p["IpProtocol"].as_str().map(str::to_string))
                .set_from_port(port(p, "FromPort"))
                .set_to_port(port(p, "ToPort"))
                .set_ip_ranges(Some(
                    p["IpRanges"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["CidrIp"].as_str())
                        .map(|c| IpRange::builder().cidr_ip(c).build())
                        .collect(),
                ))
                .set_ipv6_ranges(Some(
                    p["Ipv6Ranges"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["CidrIpv6"].as_str())
                        .map(|c| Ipv6Range::builder().cidr_ipv6(c).build())
                        .collect(),
                ))
                .build()
        })
        .collect()
}

/// The SDK's rules back to the catalog's JSON shape.
fn permissions_json(ps: &[IpPermission]) -> Value {
    Value::Array(
        ps.iter()
            .map(|p| {
                json!({
                    "IpProtocol": p.ip_protocol(),
                    "FromPort": p.from_port(),
                    "ToPort": p.to_port(),
                    "IpRanges": p.ip_ranges().iter().map(|r| json!({"CidrIp": r.cidr_ip()})).collect::<Vec<_>>(),
                    "Ipv6Ranges": p.ipv6_ranges().iter().map(|r| json!({"CidrIpv6": r.cidr_ipv6()})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn ids(p: &Value, k: &str) -> Vec<String> {
    p[k].as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// EC2 reports a missing group or instance as an `Invalid...NotFound` error: for a re-read
/// that is "not there", not a failure.
fn missing(e: &CallError) -> bool {
    e.code.as_deref().is_some_and(|c| c.ends_with(".NotFound"))
}

impl AwsBackend {
    pub(super) async fn ec2(
        &self,
        perm: &str,
        op: &str,
        region: &str,
        p: &Value,
    ) -> Result<Value, CallError> {
        let c = aws_sdk_ec2::Client::new(&self.ctx.region_config(region));
        Ok(match op {
            "RevokeSecurityGroupIngress" => {
                let o = c
                    .revoke_security_group_ingress()
                    .group_id(s(p, "GroupId")?)
                    .set_ip_permissions(Some(permissions(&p["IpPermissions"])))
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                // EC2 answers success for rules it did not find, listing them: the rule is
                // not gone because of us, so say so.
                if !o.unknown_ip_permissions().is_empty() {
                    return Err(CallError {
                        code: Some("InvalidPermission.NotFound".into()),
                        message: format!(
                            "{perm}: the group has no such rule(s): {}",
                            crate::remediation::ec2_rules_text(&permissions_json(
                                o.unknown_ip_permissions()
                            ))
                        ),
                    });
                }
                json!({"Return": o.r#return()})
            }
            "AuthorizeSecurityGroupIngress" => {
                c.authorize_security_group_ingress()
                    .group_id(s(p, "GroupId")?)
                    .set_ip_permissions(Some(permissions(&p["IpPermissions"])))
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "EnableEbsEncryptionByDefault" => {
                let o = c
                    .enable_ebs_encryption_by_default()
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({"EbsEncryptionByDefault": o.ebs_encryption_by_default()})
            }
            "DisableEbsEncryptionByDefault" => {
                let o = c
                    .disable_ebs_encryption_by_default()
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({"EbsEncryptionByDefault": o.ebs_encryption_by_default()})
            }
            "GetEbsEncryptionByDefault" => {
                let o = c
                    .get_ebs_encryption_by_default()
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({"EbsEncryptionByDefault": o.ebs_encryption_by_default()})
            }
            "ModifyInstanceMetadataOptions" => {
                c.modify_instance_metadata_options()
                    .instance_id(s(p, "InstanceId")?)
                    .http_tokens(HttpTokensState::from(s(p, "HttpTokens")?.as_str()))
                    .send()
                    .await
                    .map_err(|x| err(perm, x))?;
                json!({})
            }
            "DescribeSecurityGroups" => {
                match c
                    .describe_security_groups()
                    .set_group_ids(Some(ids(p, "GroupIds")))
                    .send()
                    .await
                    .map_err(|x| err(perm, x))
                {
                    Ok(o) => json!({"SecurityGroups": o.security_groups().iter().map(|g| json!({
                        "GroupId": g.group_id(),
                        "IpPermissions": permissions_json(g.ip_permissions()),
                    })).collect::<Vec<_>>()}),
                    Err(e) if missing(&e) => json!({"SecurityGroups": []}),
                    Err(e) => return Err(e),
                }
            }
            "DescribeInstances" => {
                match c
                    .describe_instances()
                    .set_instance_ids(Some(ids(p, "InstanceIds")))
                    .send()
                    .await
                    .map_err(|x| err(perm, x))
                {
                    Ok(o) => json!({"Instances": o
                        .reservations()
                        .iter()
                        .flat_map(|r| r.instances())
                        .map(|i| json!({
                            "InstanceId": i.instance_id(),
                            "MetadataOptions": {"HttpTokens": i.metadata_options().and_then(|m| m.http_tokens()).map(|t| t.as_str())},
                        }))
                        .collect::<Vec<_>>()}),
                    Err(e) if missing(&e) => json!({"Instances": []}),
                    Err(e) => return Err(e),
                }
            }
            other => return Err(unknown("ec2", other)),
        })
    }
}
