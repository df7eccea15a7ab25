//! The network and storage baseline (issue 15) against the emulator's EC2 (moto) over real
//! HTTP: each problem seeded next to a healthy look-alike, every (rule, resource) pair asserted
//! both ways through `guardpost check`, and a denied EC2 read shown as unknown, never a pass.

use crate::live;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    Filter, HttpTokensState, InstanceMetadataOptionsRequest, InstanceType, IpPermission, IpRange,
    Ipv6Range, LogDestinationType, RuleAction, TrafficType,
};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::process::Output;

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";

fn perm(proto: &str, from: i32, to: i32, v4: &[&str], v6: &[&str]) -> IpPermission {
    IpPermission::builder()
        .ip_protocol(proto)
        .from_port(from)
        .to_port(to)
        .set_ip_ranges(Some(
            v4.iter()
                .map(|c| IpRange::builder().cidr_ip(*c).build())
                .collect(),
        ))
        .set_ipv6_ranges(Some(
            v6.iter()
                .map(|c| Ipv6Range::builder().cidr_ipv6(*c).build())
                .collect(),
        ))
        .build()
}

async fn group(ec2: &Client, vpc: &str, name: &str, rules: Vec<IpPermission>) -> String {
    let id = ec2
        .create_security_group()
        .group_name(name)
        .description(name)
        .vpc_id(vpc)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    if !rules.is_empty() {
        ec2.authorize_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(rules))
            .send()
            .await
            .unwrap();
    }
    id
}

async fn default_group(ec2: &Client, vpc: &str) -> aws_sdk_ec2::types::SecurityGroup {
    ec2.describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .security_groups()[0]
        .clone()
}

async fn default_vpc(ec2: &Client) -> String {
    ec2.describe_vpcs()
        .filters(Filter::builder().name("is-default").values("true").build())
        .send()
        .await
        .unwrap()
        .vpcs()[0]
        .vpc_id()
        .unwrap()
        .to_string()
}

async fn acls_of(ec2: &Client, vpc: &str) -> Vec<String> {
    ec2.describe_network_acls()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .unwrap()
        .network_acls()
        .iter()
        .map(|a| a.network_acl_id().unwrap().to_string())
        .collect()
}

struct Seeded {
    want: BTreeSet<(String, String)>,
    healthy: Vec<String>,
}

/// us-east-1: VPC `a` with every problem, VPC `b` with the healthy look-alikes, two instances;
/// EBS encryption by default on. eu-west-1: only its default VPC, EBS encryption off.
async fn seed(ctx: &guardpost::sources::AwsContext) -> Seeded {
    let acct = ctx.account_id.clone();
    let ec2 = Client::new(&ctx.region_config(E1));
    let arn = |region: &str, path: &str| format!("arn:aws:ec2:{region}:{acct}:{path}");
    let mut want = BTreeSet::new();
    let mut healthy = Vec::new();
    let mut add = |rule: &str, arn: String| {
        want.insert((rule.to_string(), arn));
    };

    let vpc = |cidr: &'static str| {
        let ec2 = ec2.clone();
        async move {
            ec2.create_vpc()
                .cidr_block(cidr)
                .send()
                .await
                .unwrap()
                .vpc()
                .unwrap()
                .vpc_id()
                .unwrap()
                .to_string()
        }
    };
    let a = vpc("10.1.0.0/16").await;
    let b = vpc("10.2.0.0/16").await;

    // Security groups: world-open admin ports (IPv4, IPv6, all traffic) vs private ranges and
    // a world-open web port.
    let ssh_world = group(
        &ec2,
        &a,
        "ssh-world",
        vec![perm("tcp", 22, 22, &["0.0.0.0/0"], &[])],
    )
    .await;
    let rdp_v6 = group(
        &ec2,
        &a,
        "rdp-v6",
        vec![perm("tcp", 3389, 3389, &[], &["::/0"])],
    )
    .await;
    let all_world = group(
        &ec2,
        &a,
        "all-world",
        vec![perm("-1", -1, -1, &["0.0.0.0/0"], &[])],
    )
    .await;
    let range = group(
        &ec2,
        &a,
        "wide-range",
        vec![perm("tcp", 20, 25, &["0.0.0.0/0"], &[])],
    )
    .await;
    for g in [&ssh_world, &rdp_v6, &all_world, &range] {
        add(
            "ec2.security-group.admin-port-open",
            arn(E1, &format!("security-group/{g}")),
        );
    }
    healthy.push(arn(
        E1,
        &format!(
            "security-group/{}",
            group(
                &ec2,
                &b,
                "ssh-private",
                vec![perm("tcp", 22, 22, &["10.0.0.0/8"], &[])]
            )
            .await
        ),
    ));
    healthy.push(arn(
        E1,
        &format!(
            "security-group/{}",
            group(
                &ec2,
                &b,
                "web",
                vec![perm("tcp", 443, 443, &["0.0.0.0/0"], &["::/0"])]
            )
            .await
        ),
    ));
    healthy.push(arn(
        E1,
        &format!(
            "security-group/{}",
            group(
                &ec2,
                &b,
                "near-miss",
                vec![perm("tcp", 23, 3388, &["0.0.0.0/0"], &[])]
            )
            .await
        ),
    ));

    // Default groups: a's keeps AWS's rules (flagged); b's is emptied (healthy).
    let a_default = default_group(&ec2, &a).await;
    add(
        "ec2.security-group.default-allows-traffic",
        arn(
            E1,
            &format!("security-group/{}", a_default.group_id().unwrap()),
        ),
    );
    let b_default = default_group(&ec2, &b).await;
    let b_default_id = b_default.group_id().unwrap().to_string();
    if !b_default.ip_permissions().is_empty() {
        ec2.revoke_security_group_ingress()
            .group_id(&b_default_id)
            .set_ip_permissions(Some(b_default.ip_permissions().to_vec()))
            .send()
            .await
            .unwrap();
    }
    if !b_default.ip_permissions_egress().is_empty() {
        ec2.revoke_security_group_egress()
            .group_id(&b_default_id)
            .set_ip_permissions(Some(b_default.ip_permissions_egress().to_vec()))
            .send()
            .await
            .unwrap();
    }
    healthy.push(arn(E1, &format!("security-group/{b_default_id}")));

    // Network ACLs: every default ACL allows everything (flagged, as in AWS). In b, a custom
    // ACL denies 22 from the world before allowing all (3389 still open: flagged), and one
    // that only opens 443 to the world and 22 to a private range (healthy).
    for acl in acls_of(&ec2, &a).await {
        add(
            "ec2.network-acl.admin-port-open",
            arn(E1, &format!("network-acl/{acl}")),
        );
    }
    for acl in acls_of(&ec2, &b).await {
        add(
            "ec2.network-acl.admin-port-open",
            arn(E1, &format!("network-acl/{acl}")),
        );
    }
    let acl = |vpc: String| {
        let ec2 = ec2.clone();
        async move {
            ec2.create_network_acl()
                .vpc_id(vpc)
                .send()
                .await
                .unwrap()
                .network_acl()
                .unwrap()
                .network_acl_id()
                .unwrap()
                .to_string()
        }
    };
    let entry = |acl: String,
                 n: i32,
                 proto: &'static str,
                 ports: Option<(i32, i32)>,
                 cidr: &'static str,
                 allow: bool| {
        let ec2 = ec2.clone();
        async move {
            let mut req = ec2
                .create_network_acl_entry()
                .network_acl_id(acl)
                .rule_number(n)
                .protocol(proto)
                .egress(false)
                .cidr_block(cidr)
                .rule_action(if allow {
                    RuleAction::Allow
                } else {
                    RuleAction::Deny
                });
            if let Some((from, to)) = ports {
                req = req.port_range(
                    aws_sdk_ec2::types::PortRange::builder()
                        .from(from)
                        .to(to)
                        .build(),
                );
            }
            req.send().await.unwrap();
        }
    };
    let half = acl(b.clone()).await;
    entry(half.clone(), 90, "6", Some((22, 22)), "0.0.0.0/0", false).await;
    entry(half.clone(), 100, "-1", None, "0.0.0.0/0", true).await;
    add(
        "ec2.network-acl.admin-port-open",
        arn(E1, &format!("network-acl/{half}")),
    );
    let tight = acl(b.clone()).await;
    entry(tight.clone(), 100, "6", Some((443, 443)), "0.0.0.0/0", true).await;
    entry(tight.clone(), 110, "6", Some((22, 22)), "10.0.0.0/8", true).await;
    let closed = acl(b.clone()).await;
    entry(closed.clone(), 50, "-1", None, "0.0.0.0/0", false).await;
    entry(closed.clone(), 100, "-1", None, "0.0.0.0/0", true).await;
    healthy.push(arn(E1, &format!("network-acl/{tight}")));
    healthy.push(arn(E1, &format!("network-acl/{closed}")));

    // Flow logs on b only (to CloudWatch Logs).
    aws_sdk_cloudwatchlogs::Client::new(&ctx.region_config(E1))
        .create_log_group()
        .log_group_name("vpc-flow")
        .send()
        .await
        .unwrap();
    let made = ec2
        .create_flow_logs()
        .resource_type(aws_sdk_ec2::types::FlowLogsResourceType::Vpc)
        .resource_ids(&b)
        .traffic_type(TrafficType::Reject)
        .log_destination_type(LogDestinationType::CloudWatchLogs)
        .log_group_name("vpc-flow")
        .deliver_logs_permission_arn(format!("arn:aws:iam::{acct}:role/flow-logs"))
        .send()
        .await
        .unwrap();
    assert!(made.unsuccessful().is_empty(), "{made:?}");
    let e1_default = default_vpc(&ec2).await;
    for v in [&a, &e1_default] {
        add("ec2.vpc.no-flow-logs", arn(E1, &format!("vpc/{v}")));
    }
    healthy.push(arn(E1, &format!("vpc/{b}")));
    // The default VPC's default group and ACL look as AWS makes them.
    add(
        "ec2.security-group.default-allows-traffic",
        arn(
            E1,
            &format!(
                "security-group/{}",
                default_group(&ec2, &e1_default).await.group_id().unwrap()
            ),
        ),
    );
    for acl in acls_of(&ec2, &e1_default).await {
        add(
            "ec2.network-acl.admin-port-open",
            arn(E1, &format!("network-acl/{acl}")),
        );
    }

    // Instances: IMDSv1 allowed vs IMDSv2 required.
    let image = ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap()
        .images()[0]
        .image_id()
        .unwrap()
        .to_string();
    let run = |tokens: Option<HttpTokensState>| {
        let (ec2, image) = (ec2.clone(), image.clone());
        async move {
            let mut req = ec2
                .run_instances()
                .image_id(image)
                .instance_type(InstanceType::T3Micro)
                .min_count(1)
                .max_count(1);
            if let Some(t) = tokens {
                req = req.metadata_options(
                    InstanceMetadataOptionsRequest::builder()
                        .http_tokens(t)
                        .build(),
                );
            }
            req.send().await.unwrap().instances()[0]
                .instance_id()
                .unwrap()
                .to_string()
        }
    };
    let v1 = run(Some(HttpTokensState::Optional)).await;
    let v2 = run(Some(HttpTokensState::Required)).await;
    add(
        "ec2.instance.imdsv1-allowed",
        arn(E1, &format!("instance/{v1}")),
    );
    healthy.push(arn(E1, &format!("instance/{v2}")));

    // EBS encryption by default: on in us-east-1, off in eu-west-1.
    ec2.enable_ebs_encryption_by_default().send().await.unwrap();
    healthy.push(arn(E1, ""));
    add("ec2.ebs.default-encryption-off", arn(W1, ""));

    // eu-west-1: its default VPC as AWS makes it.
    let w = Client::new(&ctx.region_config(W1));
    let w_default = default_vpc(&w).await;
    add("ec2.vpc.no-flow-logs", arn(W1, &format!("vpc/{w_default}")));
    add(
        "ec2.security-group.default-allows-traffic",
        arn(
            W1,
            &format!(
                "security-group/{}",
                default_group(&w, &w_default).await.group_id().unwrap()
            ),
        ),
    );
    for acl in acls_of(&w, &w_default).await {
        add(
            "ec2.network-acl.admin-port-open",
            arn(W1, &format!("network-acl/{acl}")),
        );
    }
    Seeded { want, healthy }
}

fn check(home: &std::path::Path, url: &str, args: &[&str]) -> Output {
    let mut all = vec!["check", "--format", "json", "--fail-on", "none"];
    all.extend_from_slice(args);
    live::guardpost(home, url, &[E1, W1], &all)
        .output()
        .expect("run guardpost")
}

fn pairs(report: &Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("ec2.")))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"]["arn"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_flags_exactly_the_seeded_network_problems() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    let seeded = Box::pin(seed(&ctx)).await;
    let home = tempfile::tempdir().unwrap();
    emu.control("DELETE", "/_guardpost/requests", None);

    let out = check(home.path(), &emu.url, &["--services", "ec2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let got = pairs(&r);
    let missing: Vec<_> = seeded.want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&seeded.want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );
    for arn in &seeded.healthy {
        assert!(
            !got.iter().any(|(_, a)| a == arn),
            "{arn} is healthy but flagged"
        );
    }
    assert_eq!(
        r["coverage"]["sources"]["ec2"][E1]["state"], "complete",
        "{r:#}"
    );
    assert!(r["unknown_rules"].as_array().unwrap().is_empty(), "{r:#}");
    // The finding names the port and the CIDR; the evidence keeps the exact rule.
    let ssh = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["title"]
                .as_str()
                .is_some_and(|t| t.contains("(ssh-world) opens port 22 to 0.0.0.0/0"))
        })
        .unwrap_or_else(|| panic!("no ssh-world finding: {r:#}"));
    assert_eq!(ssh["severity"], "HIGH");
    // Only EC2 was read for --services ec2, and every call is in the read-only policy.
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    for c in emu.control("GET", "/_guardpost/requests?service=ec2", None)["requests"]
        .as_array()
        .unwrap()
    {
        let action = live::logged_action(c);
        if action.starts_with("ec2:Describe") || action.starts_with("ec2:GetEbs") {
            assert!(
                policy.allows(&action),
                "{action} not in the read-only policy"
            );
        }
    }

    // A denied EC2 read is unknown, not a pass: deny DescribeInstances everywhere (with a
    // finding in some region the rule would fail, which is a fact).
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "access_denied", "service": "ec2", "operation": "DescribeInstances"})),
    );
    let out = check(
        home.path(),
        &emu.url,
        &["--services", "ec2", "--rule", "ec2.instance.imdsv1-allowed"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["coverage"]["sources"]["ec2"][W1]["state"], "partial",
        "{r:#}"
    );
    let unknown = r["unknown_rules"].as_array().unwrap();
    assert!(
        unknown
            .iter()
            .any(|u| u["rule"] == "ec2.instance.imdsv1-allowed"
                && u["reason"].as_str().unwrap().starts_with(
                    "EC2 instances unknown in us-east-1: partial (AccessDenied: missing permission ec2:DescribeInstances), eu-west-1: partial"
                )),
        "{unknown:#?}"
    );
    assert!(stderr.contains("ec2:DescribeInstances"), "{stderr}");
}
