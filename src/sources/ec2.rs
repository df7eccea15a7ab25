//! EC2, per region, for the network and storage baseline: `DescribeSecurityGroups`,
//! `DescribeNetworkAcls`, `DescribeVpcs` + `DescribeFlowLogs`, `DescribeInstances` (metadata
//! options), `GetEbsEncryptionByDefault`. The reads run concurrently; each one that fails is a
//! problem of its own and leaves its part unknown (`None`), the others load.

use super::pages::read_all;
use super::{Progress, RegionResult, describe_error};
use crate::model::network::{
    AclEntry, Ec2Region, Instance, NetworkAcl, Permission, SecurityGroup, Vpc,
};
use aws_config::SdkConfig;
use aws_sdk_ec2::Client;

pub const SOURCE: &str = "ec2";
/// The Describe calls' largest page.
const PAGE_SIZE: i32 = 1000;

pub async fn load(conf: &SdkConfig, region: &str, p: &Progress) -> RegionResult {
    let watch = super::ThrottleWatch::new(SOURCE, Some(region), p);
    let client = super::aws::client!(aws_sdk_ec2, conf, watch);
    let (groups, acls, (vpcs, vpcs_problem), logs, inst, ebs) = tokio::join!(
        Box::pin(security_groups(&client)),
        Box::pin(network_acls(&client)),
        Box::pin(vpcs(&client)),
        Box::pin(flow_logs(&client)),
        Box::pin(instances(&client)),
        Box::pin(ebs_default(&client)),
    );
    let mut out = RegionResult::default();
    let security_groups = known(groups.0, &groups.1);
    let network_acls = known(acls.0, &acls.1);
    // Without every flow log a VPC's "no flow logs" cannot be told: unknown.
    let vpcs = match (known(vpcs, &vpcs_problem), &logs.1) {
        (Some(mut vpcs), None) => {
            for v in &mut vpcs {
                v.flow_logs = logs
                    .0
                    .iter()
                    .filter(|(_, resource)| resource == &v.id)
                    .map(|(id, _)| id.clone())
                    .collect();
            }
            Some(vpcs)
        }
        _ => None,
    };
    let instances = known(inst.0, &inst.1);
    let (ebs_encryption_by_default, ebs_problem) = match ebs {
        Ok(on) => (Some(on), None),
        Err(e) => (None, Some(e)),
    };
    for why in [groups.1, acls.1, vpcs_problem, logs.1, inst.1, ebs_problem]
        .into_iter()
        .flatten()
    {
        out.problems
            .push(RegionResult::problem(SOURCE, region, why));
    }
    out.ec2 = Some(Ec2Region {
        region: region.into(),
        security_groups,
        network_acls,
        vpcs,
        instances,
        ebs_encryption_by_default,
    });
    out
}

/// A part is known when it was read to the end, or when pages came back before a failure
/// (the findings from those are real; the coverage says partial).
fn known<T>(items: Vec<T>, why: &Option<String>) -> Option<Vec<T>> {
    (why.is_none() || !items.is_empty()).then_some(items)
}

async fn security_groups(client: &Client) -> (Vec<SecurityGroup>, Option<String>) {
    const ACTION: &str = "ec2:DescribeSecurityGroups";
    read_all(ACTION, |token| async move {
        let page = Box::pin(
            client
                .describe_security_groups()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .security_groups()
            .iter()
            .map(|g| SecurityGroup {
                id: g.group_id().unwrap_or_default().to_string(),
                name: g.group_name().unwrap_or_default().to_string(),
                vpc_id: g.vpc_id().map(str::to_string),
                ingress: g.ip_permissions().iter().map(permission).collect(),
                egress: g.ip_permissions_egress().iter().map(permission).collect(),
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}

fn permission(p: &aws_sdk_ec2::types::IpPermission) -> Permission {
    Permission {
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_string))
            .collect(),
        ipv6: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6().map(str::to_string))
            .collect(),
        groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
        prefix_lists: p
            .prefix_list_ids()
            .iter()
            .filter_map(|l| l.prefix_list_id().map(str::to_string))
            .collect(),
    }
}

async fn network_acls(client: &Client) -> (Vec<NetworkAcl>, Option<String>) {
    const ACTION: &str = "ec2:DescribeNetworkAcls";
    read_all(ACTION, |token| async move {
        let page = Box::pin(
            client
                .describe_network_acls()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .network_acls()
            .iter()
            .map(|a| NetworkAcl {
                id: a.network_acl_id().unwrap_or_default().to_string(),
                vpc_id: a.vpc_id().map(str::to_string),
                is_default: a.is_default().unwrap_or(false),
                entries: a
                    .entries()
                    .iter()
                    .map(|e| AclEntry {
                        rule_number: e.rule_number().unwrap_or(i32::MAX),
                        egress: e.egress().unwrap_or(false),
                        protocol: e.protocol().unwrap_or("-1").to_string(),
                        action: e
                            .rule_action()
                            .map(|a| a.as_str().to_string())
                            .unwrap_or_default(),
                        cidr: e.cidr_block().map(str::to_string),
                        ipv6_cidr: e.ipv6_cidr_block().map(str::to_string),
                        from_port: e.port_range().and_then(|r| r.from()),
                        to_port: e.port_range().and_then(|r| r.to()),
                    })
                    .collect(),
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}

async fn vpcs(client: &Client) -> (Vec<Vpc>, Option<String>) {
    const ACTION: &str = "ec2:DescribeVpcs";
    read_all(ACTION, |token| async move {
        let page = Box::pin(
            client
                .describe_vpcs()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .vpcs()
            .iter()
            .map(|v| Vpc {
                id: v.vpc_id().unwrap_or_default().to_string(),
                is_default: v.is_default().unwrap_or(false),
                flow_logs: Vec::new(),
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}

/// Active flow logs as (flow log id, resource id).
async fn flow_logs(client: &Client) -> (Vec<(String, String)>, Option<String>) {
    const ACTION: &str = "ec2:DescribeFlowLogs";
    read_all(ACTION, |token| async move {
        let page = Box::pin(
            client
                .describe_flow_logs()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .flow_logs()
            .iter()
            // A flow log whose delivery failed still records (DeliverLogsStatus); only a
            // deleted or inactive one does not.
            .filter(|f| f.flow_log_status().is_none_or(|s| s == "ACTIVE"))
            .filter_map(|f| {
                Some((
                    f.flow_log_id().unwrap_or_default().to_string(),
                    f.resource_id()?.to_string(),
                ))
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}

async fn instances(client: &Client) -> (Vec<Instance>, Option<String>) {
    const ACTION: &str = "ec2:DescribeInstances";
    read_all(ACTION, |token| async move {
        let page = Box::pin(
            client
                .describe_instances()
                .max_results(PAGE_SIZE)
                .set_next_token(token)
                .send(),
        )
        .await
        .map_err(|e| describe_error(ACTION, &e))?;
        let items = page
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .map(|i| {
                let meta = i.metadata_options();
                Instance {
                    id: i.instance_id().unwrap_or_default().to_string(),
                    state: i
                        .state()
                        .and_then(|s| s.name())
                        .map(|n| n.as_str().to_string())
                        .unwrap_or_default(),
                    name: i
                        .tags()
                        .iter()
                        .find(|t| t.key() == Some("Name"))
                        .and_then(|t| t.value())
                        .map(|v| crate::sanitize::line(v).into_owned()),
                    http_tokens: meta
                        .and_then(|m| m.http_tokens())
                        .map(|t| t.as_str().to_string()),
                    http_endpoint: meta
                        .and_then(|m| m.http_endpoint())
                        .map(|t| t.as_str().to_string()),
                }
            })
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await
}

async fn ebs_default(client: &Client) -> Result<bool, String> {
    let out = Box::pin(client.get_ebs_encryption_by_default().send())
        .await
        .map_err(|e| describe_error("ec2:GetEbsEncryptionByDefault", &e))?;
    Ok(out.ebs_encryption_by_default().unwrap_or(false))
}
