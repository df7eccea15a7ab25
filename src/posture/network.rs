//! The network and storage baseline (issue 15), from the EC2 facts of every region read:
//! security groups and network ACLs open to the internet on admin ports, default security
//! groups with rules, VPCs without flow logs, instances that allow IMDSv1, EBS encryption by
//! default. A part that could not be read (`None`) yields nothing here; `check` reports the
//! rule as unknown for that region.

use super::Out;
use super::rules::*;
use crate::model::ResourceRef;
use crate::model::network::{Ec2Region, NetworkAcl, Permission, SecurityGroup, is_world};
use serde_json::json;

pub(crate) fn check(out: &mut Out<'_>) {
    for r in out.input.ec2 {
        security_groups(out, r);
        network_acls(out, r);
        vpcs(out, r);
        instances(out, r);
        ebs(out, r);
    }
}

fn resource(out: &Out<'_>, region: &str, kind: &str, path: &str, name: &str) -> ResourceRef {
    ResourceRef {
        arn: format!(
            "arn:{}:ec2:{region}:{}:{path}",
            out.partition(),
            out.account()
        ),
        kind: kind.into(),
        name: name.into(),
        region: Some(region.into()),
    }
}

fn group_resource(out: &Out<'_>, region: &str, g: &SecurityGroup) -> ResourceRef {
    resource(
        out,
        region,
        "AwsEc2SecurityGroup",
        &format!("security-group/{}", g.id),
        &format!("{} ({})", g.id, g.name),
    )
}

/// The world-open CIDRs of `p` that reach one of `ports`, and those ports.
fn world_open(p: &Permission, ports: &[i32]) -> Option<(Vec<String>, Vec<i32>)> {
    let cidrs: Vec<String> = p
        .ipv4
        .iter()
        .chain(&p.ipv6)
        .filter(|c| is_world(c))
        .cloned()
        .collect();
    let hit: Vec<i32> = ports
        .iter()
        .copied()
        .filter(|port| p.covers_tcp_port(*port))
        .collect();
    (!cidrs.is_empty() && !hit.is_empty()).then_some((cidrs, hit))
}

fn ports_text(ports: &[i32]) -> String {
    ports
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn security_groups(out: &mut Out<'_>, r: &Ec2Region) {
    let Some(groups) = &r.security_groups else {
        return;
    };
    let ports = out.input.config.admin_ports.clone();
    for g in groups {
        let open: Vec<(&Permission, Vec<String>, Vec<i32>)> = g
            .ingress
            .iter()
            .filter_map(|p| world_open(p, &ports).map(|(c, hit)| (p, c, hit)))
            .collect();
        if !open.is_empty() {
            let mut hit: Vec<i32> = open.iter().flat_map(|(_, _, h)| h.clone()).collect();
            hit.sort_unstable();
            hit.dedup();
            let mut cidrs: Vec<String> = open.iter().flat_map(|(_, c, _)| c.clone()).collect();
            cidrs.sort();
            cidrs.dedup();
            let res = group_resource(out, &r.region, g);
            out.push(
                SG_ADMIN_OPEN,
                res,
                format!(
                    "Security group {} ({}) opens port {} to {}",
                    g.id,
                    g.name,
                    ports_text(&hit),
                    cidrs.join(" and ")
                ),
                format!(
                    "Security group {} in {} allows inbound TCP {} from {}.",
                    g.id,
                    r.region,
                    ports_text(&hit),
                    cidrs.join(" and ")
                ),
                json!({
                    "group_id": g.id,
                    "vpc_id": g.vpc_id,
                    "ports": hit,
                    "rules": open.iter().map(|(p, _, _)| p).collect::<Vec<_>>(),
                }),
            );
        }
        if g.name == "default" && (!g.ingress.is_empty() || !g.egress.is_empty()) {
            let res = group_resource(out, &r.region, g);
            out.push(
                SG_DEFAULT_OPEN,
                res,
                format!(
                    "Default security group {} of {} has {} inbound and {} outbound rules",
                    g.id,
                    g.vpc_id.as_deref().unwrap_or("its VPC"),
                    g.ingress.len(),
                    g.egress.len()
                ),
                format!(
                    "The default security group {} in {} allows traffic; it should have no rules.",
                    g.id, r.region
                ),
                json!({"group_id": g.id, "vpc_id": g.vpc_id, "ingress": g.ingress, "egress": g.egress}),
            );
        }
    }
}

/// The admin ports the internet reaches through `acl`'s inbound entries: for each port and
/// address family, the first entry (by rule number) from the whole internet that covers the
/// port decides; an allow opens it.
fn acl_open(acl: &NetworkAcl, ports: &[i32]) -> Vec<(i32, String, i32)> {
    let mut entries: Vec<_> = acl.entries.iter().filter(|e| !e.egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    let mut open = Vec::new();
    for &port in ports {
        for world in ["0.0.0.0/0", "::/0"] {
            let first = entries.iter().find(|e| {
                let cidr = if world == "::/0" {
                    e.ipv6_cidr.as_deref()
                } else {
                    e.cidr.as_deref()
                };
                cidr.is_some_and(is_world) && e.covers_tcp_port(port)
            });
            if let Some(e) = first
                && e.action.eq_ignore_ascii_case("allow")
            {
                open.push((port, world.to_string(), e.rule_number));
            }
        }
    }
    open
}

fn network_acls(out: &mut Out<'_>, r: &Ec2Region) {
    let Some(acls) = &r.network_acls else {
        return;
    };
    let ports = out.input.config.admin_ports.clone();
    for acl in acls {
        let open = acl_open(acl, &ports);
        if open.is_empty() {
            continue;
        }
        let mut hit: Vec<i32> = open.iter().map(|(p, _, _)| *p).collect();
        hit.dedup();
        let res = resource(
            out,
            &r.region,
            "AwsEc2NetworkAcl",
            &format!("network-acl/{}", acl.id),
            &acl.id,
        );
        out.push(
            NACL_ADMIN_OPEN,
            res,
            format!(
                "Network ACL {} allows port {} from the internet",
                acl.id,
                ports_text(&hit)
            ),
            format!(
                "Network ACL {} ({}) in {} lets 0.0.0.0/0 or ::/0 reach TCP {}.",
                acl.id,
                acl.vpc_id.as_deref().unwrap_or("no VPC"),
                r.region,
                ports_text(&hit)
            ),
            json!({
                "network_acl_id": acl.id,
                "vpc_id": acl.vpc_id,
                "open": open.iter().map(|(port, cidr, rule)| json!({"port": port, "cidr": cidr, "rule_number": rule})).collect::<Vec<_>>(),
            }),
        );
    }
}

fn vpcs(out: &mut Out<'_>, r: &Ec2Region) {
    let Some(vpcs) = &r.vpcs else {
        return;
    };
    for v in vpcs.iter().filter(|v| v.flow_logs.is_empty()) {
        let res = resource(out, &r.region, "AwsEc2Vpc", &format!("vpc/{}", v.id), &v.id);
        let which = if v.is_default { "default VPC" } else { "VPC" };
        out.push(
            VPC_NO_FLOW_LOGS,
            res,
            format!("{which} {} has no flow logs", v.id),
            format!(
                "No flow log records the traffic of {which} {} in {}.",
                v.id, r.region
            ),
            json!({"vpc_id": v.id, "is_default": v.is_default}),
        );
    }
}

fn instances(out: &mut Out<'_>, r: &Ec2Region) {
    let Some(instances) = &r.instances else {
        return;
    };
    for i in instances {
        if matches!(i.state.as_str(), "terminated" | "shutting-down") {
            continue;
        }
        // With the endpoint off there is no metadata service to abuse.
        if i.http_endpoint.as_deref() == Some("disabled") {
            continue;
        }
        if i.http_tokens.as_deref() == Some("required") {
            continue;
        }
        let name = match &i.name {
            Some(n) => format!("{} ({n})", i.id),
            None => i.id.clone(),
        };
        let res = resource(
            out,
            &r.region,
            "AwsEc2Instance",
            &format!("instance/{}", i.id),
            &name,
        );
        out.push(
            IMDSV1,
            res,
            format!("Instance {name} allows IMDSv1"),
            format!(
                "Instance {name} in {} answers metadata requests without a session token (HttpTokens {}).",
                r.region,
                i.http_tokens.as_deref().unwrap_or("not set")
            ),
            json!({"instance_id": i.id, "state": i.state, "http_tokens": i.http_tokens, "http_endpoint": i.http_endpoint}),
        );
    }
}

fn ebs(out: &mut Out<'_>, r: &Ec2Region) {
    if r.ebs_encryption_by_default != Some(false) {
        return;
    }
    let res = ResourceRef {
        arn: format!(
            "arn:{}:ec2:{}:{}:",
            out.partition(),
            r.region,
            out.account()
        ),
        kind: "AwsAccount".into(),
        name: format!("{} ({})", out.account(), r.region),
        region: Some(r.region.clone()),
    };
    out.push(
        EBS_DEFAULT_ENCRYPTION,
        res,
        format!("EBS encryption by default is off in {}", r.region),
        format!(
            "New EBS volumes in {} are not encrypted unless their creator asks.",
            r.region
        ),
        json!({"region": r.region, "ebs_encryption_by_default": false}),
    );
}
