//! Privilege-escalation graph: build + breadth-first search from every principal, on a
//! synthetic account of 5,000 principals (3,500 users in 200 groups, 1,500 roles) and 10,000
//! customer-managed policies, a few percent of which hold escalation-relevant actions (PassRole
//! to specific roles, AssumeRole, self-service credentials, policy writes, admin). Prints the
//! time (criterion) and the peak RSS of the process (VmHWM), recorded in docs/performance.md.
//! `cargo test --benches` only smoke-tests a small account.
use criterion::{Criterion, criterion_group, criterion_main};
use guardpost::model::IamInventory;
use guardpost::posture::policy::Analysis;
use serde_json::{Value, json};
use std::hint::black_box;

const ACCT: &str = "111122223333";

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// xorshift: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const SERVICES: [&str; 6] = [
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
    "cloudformation.amazonaws.com",
    "sagemaker.amazonaws.com",
];

fn stmt(action: Value, resource: Value) -> Value {
    json!({"Effect": "Allow", "Action": action, "Resource": resource})
}

/// One customer-managed policy's statements: mostly data-plane access scoped to resources.
fn policy_doc(r: &mut Rng, i: usize, roles: usize, users: usize) -> Value {
    let role = |r: &mut Rng| format!("arn:aws:iam::{ACCT}:role/role-{}", r.below(roles));
    let mut s = vec![
        stmt(
            json!(["s3:GetObject", "s3:PutObject", "s3:ListBucket"]),
            json!([
                format!("arn:aws:s3:::bucket-{i}"),
                format!("arn:aws:s3:::bucket-{i}/*")
            ]),
        ),
        stmt(
            json!(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"]),
            json!(format!(
                "arn:aws:dynamodb:us-east-1:{ACCT}:table/t-{}",
                i % 97
            )),
        ),
    ];
    match r.below(100) {
        0..=1 => s.push(stmt(
            json!(["iam:PassRole", "ec2:RunInstances"]),
            json!(role(r)),
        )),
        2..=3 => s.push(
            json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": role(r),
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}),
        ),
        4 => s.push(stmt(json!("lambda:*"), json!("*"))),
        5..=6 => s.push(stmt(json!("sts:AssumeRole"), json!(role(r)))),
        7 => s.push(stmt(
            json!(["iam:CreateAccessKey", "iam:UpdateLoginProfile"]),
            json!(format!("arn:aws:iam::{ACCT}:user/${{aws:username}}")),
        )),
        8 => s.push(stmt(
            json!("iam:CreateAccessKey"),
            json!(format!("arn:aws:iam::{ACCT}:user/user-{}", r.below(users))),
        )),
        9 if r.below(10) == 0 => s.push(stmt(json!("*"), json!("*"))),
        10 => s.push(stmt(json!("iam:Get*"), json!("*"))),
        11 => s.push(json!({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})),
        _ => {}
    }
    json!({"Version": "2012-10-17", "Statement": s})
}

fn attached(r: &mut Rng, policies: usize, n: usize) -> Vec<Value> {
    (0..n)
        .map(|_| {
            let p = r.below(policies);
            json!({"PolicyName": format!("p-{p}"),
                   "PolicyArn": format!("arn:aws:iam::{ACCT}:policy/p-{p}")})
        })
        .collect()
}

fn inventory(users: usize, roles: usize, groups: usize, policies: usize) -> IamInventory {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let date = "2026-01-01T00:00:00Z";
    let policy_list: Vec<Value> = (0..policies)
        .map(|i| {
            json!({"PolicyName": format!("p-{i}"), "PolicyId": format!("ANPA{i}"),
                   "Arn": format!("arn:aws:iam::{ACCT}:policy/p-{i}"), "DefaultVersionId": "v1",
                   "AttachmentCount": 1, "CreateDate": date, "UpdateDate": date,
                   "Document": policy_doc(&mut r, i, roles, users)})
        })
        .collect();
    let group_list: Vec<Value> = (0..groups)
        .map(|g| {
            json!({"GroupName": format!("group-{g}"), "GroupId": format!("AGPA{g}"),
                   "Arn": format!("arn:aws:iam::{ACCT}:group/group-{g}"), "CreateDate": date,
                   "AttachedManagedPolicies": attached(&mut r, policies, 3)})
        })
        .collect();
    let user_list: Vec<Value> = (0..users)
        .map(|u| {
            json!({"UserName": format!("user-{u}"), "UserId": format!("AIDA{u}"),
                   "Arn": format!("arn:aws:iam::{ACCT}:user/user-{u}"), "CreateDate": date,
                   "GroupList": [format!("group-{}", r.below(groups))],
                   "AttachedManagedPolicies": attached(&mut r, policies, 2)})
        })
        .collect();
    let role_list: Vec<Value> = (0..roles)
        .map(|k| {
            let principal = if r.below(10) < 6 {
                json!({"Service": SERVICES[r.below(SERVICES.len())]})
            } else {
                json!({"AWS": format!("arn:aws:iam::{ACCT}:root")})
            };
            json!({"RoleName": format!("role-{k}"), "RoleId": format!("AROA{k}"),
                   "Arn": format!("arn:aws:iam::{ACCT}:role/role-{k}"), "CreateDate": date,
                   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                       {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]},
                   "AttachedManagedPolicies": attached(&mut r, policies, 2)})
        })
        .collect();
    serde_json::from_value(json!({
        "AccountId": ACCT,
        "UserDetailList": user_list,
        "GroupDetailList": group_list,
        "RoleDetailList": role_list,
        "Policies": policy_list,
    }))
    .expect("a valid inventory")
}

fn graph(c: &mut Criterion) {
    let full = std::env::args().any(|a| a == "--bench");
    let (users, roles, groups, policies) = if full {
        (3_500, 1_500, 200, 10_000)
    } else {
        (70, 30, 5, 200)
    };
    let before = status_kib("VmRSS:");
    let inv = inventory(users, roles, groups, policies);
    let analysis = Analysis::build(&inv);
    let with_paths = analysis
        .nodes
        .iter()
        .filter(|n| !analysis.paths(&n.arn).is_empty())
        .count();
    let admins = analysis.nodes.iter().filter(|n| n.admin).count();
    drop(analysis);
    let mut g = c.benchmark_group("escalation");
    g.sample_size(10);
    g.bench_function(
        format!(
            "build+search {} principals {policies} policies",
            users + roles
        ),
        |b| b.iter(|| black_box(Analysis::build(black_box(&inv)))),
    );
    g.finish();
    println!(
        "escalation: {} principals, {policies} policies: {admins} admins, {with_paths} with a \
         path; peak RSS {:.1} MiB (VmHWM; {:.1} MiB before the inventory was built)",
        users + roles,
        status_kib("VmHWM:") as f64 / 1024.0,
        before as f64 / 1024.0
    );
}

criterion_group!(benches, graph);
criterion_main!(benches);
