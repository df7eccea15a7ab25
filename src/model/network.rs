//! The EC2 facts the network and storage baseline rules read (issue 15), per region: security
//! groups, network ACLs, VPCs with their flow logs, instances' metadata options, and EBS
//! encryption by default. Each part is `None` when it could not be read, so a rule over it is
//! unknown, never a pass.

use serde::{Deserialize, Serialize};

/// One region's EC2 facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2Region {
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<SecurityGroup>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acls: Option<Vec<NetworkAcl>>,
    /// VPCs, each with whether a flow log covers it (DescribeVpcs + DescribeFlowLogs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpcs: Option<Vec<Vpc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<Vec<Instance>>,
    /// GetEbsEncryptionByDefault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs_encryption_by_default: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub ingress: Vec<Permission>,
    #[serde(default)]
    pub egress: Vec<Permission>,
}

/// One IpPermission: a protocol and port range open to CIDRs, groups or prefix lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    /// `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number.
    pub protocol: String,
    #[serde(default)]
    pub from_port: Option<i32>,
    #[serde(default)]
    pub to_port: Option<i32>,
    #[serde(default)]
    pub ipv4: Vec<String>,
    #[serde(default)]
    pub ipv6: Vec<String>,
    /// Security group ids (references to other groups or the group itself).
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub prefix_lists: Vec<String>,
}

impl Permission {
    /// Whether the rule lets TCP traffic reach `port` (all protocols count).
    pub fn covers_tcp_port(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "6" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => (from == -1 && to == -1) || (from <= port && port <= to),
                _ => true,
            },
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub entries: Vec<AclEntry>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    pub rule_number: i32,
    pub egress: bool,
    /// `-1` (all) or a protocol number (`6` TCP).
    pub protocol: String,
    /// `allow` or `deny`.
    pub action: String,
    #[serde(default)]
    pub cidr: Option<String>,
    #[serde(default)]
    pub ipv6_cidr: Option<String>,
    #[serde(default)]
    pub from_port: Option<i32>,
    #[serde(default)]
    pub to_port: Option<i32>,
}

impl AclEntry {
    /// Whether the entry applies to TCP traffic to `port`.
    pub fn covers_tcp_port(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "6" | "tcp" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => from <= port && port <= to,
                _ => true,
            },
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: String,
    #[serde(default)]
    pub is_default: bool,
    /// Ids of the flow logs whose resource is this VPC.
    #[serde(default)]
    pub flow_logs: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    /// `pending`, `running`, `stopped`, ...
    #[serde(default)]
    pub state: String,
    /// The `Name` tag.
    #[serde(default)]
    pub name: Option<String>,
    /// MetadataOptions.HttpTokens: `required` (IMDSv2 only) or `optional` (v1 allowed).
    #[serde(default)]
    pub http_tokens: Option<String>,
    /// MetadataOptions.HttpEndpoint: `enabled` or `disabled`.
    #[serde(default)]
    pub http_endpoint: Option<String>,
}

/// The world, by address family.
pub fn is_world(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_coverage_follows_protocol_and_range() {
        let p = |proto: &str, from, to| Permission {
            protocol: proto.into(),
            from_port: from,
            to_port: to,
            ..Default::default()
        };
        assert!(p("-1", None, None).covers_tcp_port(22));
        assert!(p("tcp", Some(0), Some(65535)).covers_tcp_port(3389));
        assert!(p("tcp", Some(22), Some(22)).covers_tcp_port(22));
        assert!(!p("tcp", Some(23), Some(3388)).covers_tcp_port(22));
        assert!(!p("tcp", Some(23), Some(3388)).covers_tcp_port(3389));
        assert!(!p("udp", Some(0), Some(65535)).covers_tcp_port(22));
        assert!(!p("icmp", Some(-1), Some(-1)).covers_tcp_port(22));
        assert!(is_world("0.0.0.0/0") && is_world("::/0") && !is_world("10.0.0.0/8"));
    }
}
