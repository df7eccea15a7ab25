//! The network and storage baseline's fixes (issue 15): revoke world-open inbound rules on
//! admin ports, turn on EBS encryption by default, require IMDSv2. Each undo is known before
//! the action runs (the exact rules revoked, the setting turned on).

use super::Action;
use crate::model::network::{Permission, is_world};
use crate::remediation::{ApiCall, Plan, Precondition, UndoPlan, ec2_rules_text};
use serde_json::{Value, json};

/// EC2's `IpPermissions` for the world-open CIDRs of `p` (other CIDRs, groups and prefix
/// lists of the same rule stay); `None` when no CIDR of it is the whole internet.
pub fn world_permission(p: &Permission) -> Option<Value> {
    let v4: Vec<Value> = p
        .ipv4
        .iter()
        .filter(|c| is_world(c))
        .map(|c| json!({"CidrIp": c}))
        .collect();
    let v6: Vec<Value> = p
        .ipv6
        .iter()
        .filter(|c| is_world(c))
        .map(|c| json!({"CidrIpv6": c}))
        .collect();
    if v4.is_empty() && v6.is_empty() {
        return None;
    }
    let mut out = json!({"IpProtocol": p.protocol});
    if p.protocol != "-1" {
        if let Some(from) = p.from_port {
            out["FromPort"] = json!(from);
        }
        if let Some(to) = p.to_port {
            out["ToPort"] = json!(to);
        }
    }
    if !v4.is_empty() {
        out["IpRanges"] = Value::Array(v4);
    }
    if !v6.is_empty() {
        out["Ipv6Ranges"] = Value::Array(v6);
    }
    Some(out)
}

/// Revoke the given world-open inbound rules (`permissions`, EC2's `IpPermissions`) of a
/// security group; the undo authorizes exactly those rules again.
pub fn revoke_world_ingress(region: &str, group_id: &str, permissions: Vec<Value>) -> Plan {
    let permissions = Value::Array(permissions);
    let call = |op: &str| {
        ApiCall::regional(
            "ec2",
            op,
            region,
            json!({"GroupId": group_id, "IpPermissions": permissions}),
        )
    };
    Plan {
        action: Action::RevokeWorldIngress,
        title: format!(
            "Revoke inbound {} on {group_id} in {region}",
            ec2_rules_text(&permissions)
        ),
        targets: vec![group_id.into()],
        confirm_text: group_id.into(),
        calls: vec![call("RevokeSecurityGroupIngress")],
        preconditions: vec![Precondition::SecurityGroupIngress {
            region: region.into(),
            group_id: group_id.into(),
            permissions: permissions.clone(),
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![call("AuthorizeSecurityGroupIngress")],
        },
        destructive: true,
        notes: vec![
            "Connections from the internet to these ports stop at once; reach the hosts through SSM Session Manager, a VPN or a bastion instead.".into(),
            "Rules from private ranges, other security groups and prefix lists stay. The undo authorizes the same rules again, without their descriptions.".into(),
        ],
        undo_of: None,
    }
}

pub fn enable_ebs_default_encryption(region: &str) -> Plan {
    let call = |op: &str| ApiCall::regional("ec2", op, region, json!({}));
    Plan {
        action: Action::EnableEbsDefaultEncryption,
        title: format!("Turn on EBS encryption by default in {region}"),
        targets: vec![format!("ec2:{region}")],
        confirm_text: region.into(),
        calls: vec![call("EnableEbsEncryptionByDefault")],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![call("DisableEbsEncryptionByDefault")],
        },
        destructive: false,
        notes: vec![
            "New volumes and snapshot copies in this region are encrypted with the default EBS key; existing volumes are not changed.".into(),
            "Instance types without EBS encryption support cannot launch with new volumes.".into(),
        ],
        undo_of: None,
    }
}

/// ModifyInstanceMetadataOptions `HttpTokens=required`; the undo allows IMDSv1 again.
pub fn require_imdsv2(region: &str, instance_id: &str, name: Option<&str>) -> Plan {
    let call = |tokens: &str| {
        ApiCall::regional(
            "ec2",
            "ModifyInstanceMetadataOptions",
            region,
            json!({"InstanceId": instance_id, "HttpTokens": tokens}),
        )
    };
    let label = match name {
        Some(n) if !n.is_empty() => format!("{instance_id} ({n})"),
        _ => instance_id.to_string(),
    };
    Plan {
        action: Action::RequireImdsV2,
        title: format!("Require IMDSv2 on instance {label} in {region}"),
        targets: vec![instance_id.into()],
        confirm_text: instance_id.into(),
        calls: vec![call("required")],
        preconditions: vec![Precondition::InstanceHttpTokens {
            region: region.into(),
            instance_id: instance_id.into(),
            http_tokens: "optional".into(),
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![call("optional")],
        },
        destructive: true,
        notes: vec![
            "Software on the instance that reads instance metadata without a session token (IMDSv1) stops getting answers; current AWS SDKs and the CLI use IMDSv2.".into(),
        ],
        undo_of: None,
    }
}

/// The revoke plan for a group of `data` flagged by the admin-port rule: the world-open CIDRs
/// of its inbound rules that reach one of `ports`; `None` when the group is not loaded or has
/// no such rule.
pub fn world_ingress_of(
    data: &crate::dataset::Dataset,
    region: &str,
    group_id: &str,
    ports: &[i32],
) -> Option<Plan> {
    let g = data
        .ec2
        .iter()
        .filter(|e| e.region == region)
        .flat_map(|e| e.security_groups.iter().flatten())
        .find(|g| g.id == group_id)?;
    let perms: Vec<Value> = g
        .ingress
        .iter()
        .filter(|p| ports.iter().any(|port| p.covers_tcp_port(*port)))
        .filter_map(world_permission)
        .collect();
    (!perms.is_empty()).then(|| revoke_world_ingress(region, group_id, perms))
}

/// Require IMDSv2 on an instance of `data` (its `Name` tag in the title).
pub fn require_imdsv2_of(data: &crate::dataset::Dataset, region: &str, instance_id: &str) -> Plan {
    let name = data
        .ec2
        .iter()
        .filter(|e| e.region == region)
        .flat_map(|e| e.instances.iter().flatten())
        .find(|i| i.id == instance_id)
        .and_then(|i| i.name.clone());
    require_imdsv2(region, instance_id, name.as_deref())
}
