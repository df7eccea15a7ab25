//! An AWS Organization in the emulator for the `--org` tests: the management account (the
//! emulator's default), OU workloads/prod with `payments`, `sandbox` and `legacy` under the
//! root, SCPs enabled with one on prod, and seeded IAM in the members.
#![allow(dead_code)]

use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use serde_json::{Value, json};

pub const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
pub const ROLE: &str = "OrganizationAccountAccessRole";
pub const OUTSIDER: &str = "999988887777";

/// The organization the tests read: the management account (the emulator's default), OU
/// workloads/prod with `payments`, and `sandbox` and `legacy` under the root.
pub struct Org {
    pub mgmt: String,
    pub payments: String,
    pub sandbox: String,
    pub legacy: String,
    pub prod_ou: String,
}

/// The SDK configuration of `account`'s OrganizationAccountAccessRole (moto acts in the account
/// the assumed-role key belongs to), in `region`.
pub async fn member_conf(
    ctx: &guardpost::sources::AwsContext,
    account: &str,
    region: &str,
) -> aws_config::SdkConfig {
    let sts = aws_sdk_sts::Client::new(&ctx.iam_config());
    let c = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{ROLE}"))
        .role_session_name("seed")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let creds = aws_sdk_iam::config::Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        None,
        "seed",
    );
    ctx.region_config(region)
        .to_builder()
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(creds))
        .build()
}

/// IAM in `account` through its OrganizationAccountAccessRole.
pub async fn member_iam(
    ctx: &guardpost::sources::AwsContext,
    account: &str,
) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&member_conf(ctx, account, "us-east-1").await)
}

fn doc(stmts: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": stmts}).to_string()
}

/// A user who can attach any managed policy to itself: AttachUserPolicy escalation.
async fn self_attacher(iam: &aws_sdk_iam::Client) {
    iam.create_user()
        .user_name("deployer")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("deployer")
        .policy_name("deploy")
        .policy_document(doc(json!([{"Effect": "Allow",
            "Action": ["iam:AttachUserPolicy", "s3:*"], "Resource": "*"}])))
        .send()
        .await
        .unwrap();
}

pub async fn setup(emu: &super::emulator::Emulator) -> Org {
    let ctx = super::context(&emu.url, &["us-east-1"]).await.unwrap();
    let org = aws_sdk_organizations::Client::new(&ctx.iam_config());
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_string();
    let ou = |parent: String, name: &'static str| {
        let org = org.clone();
        async move {
            org.create_organizational_unit()
                .parent_id(parent)
                .name(name)
                .send()
                .await
                .unwrap()
                .organizational_unit
                .unwrap()
                .id
                .unwrap()
        }
    };
    let workloads = ou(root.clone(), "workloads").await;
    let prod = ou(workloads.clone(), "prod").await;
    let mut ids = Vec::new();
    for name in ["payments", "sandbox", "legacy"] {
        let st = org
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap()
            .create_account_status
            .unwrap();
        ids.push(st.account_id.unwrap());
        // moto pages ListAccounts by join time: accounts must not share one.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    org.move_account()
        .account_id(&ids[0])
        .source_parent_id(&root)
        .destination_parent_id(&prod)
        .send()
        .await
        .unwrap();
    let enabled = org
        .enable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    assert!(enabled.root().unwrap().policy_types().iter().any(|t| {
        t.r#type() == Some(&PolicyType::ServiceControlPolicy)
            && t.status() == Some(&PolicyTypeStatus::Enabled)
    }));
    // prod may not attach policies to users: the payments deployer's escalation is closed.
    let scp = org
        .create_policy()
        .name("no-user-policy-attach")
        .description("prod: no self-service policy attachment")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(doc(json!([{"Sid": "NoAttach", "Effect": "Deny",
            "Action": ["iam:AttachUserPolicy", "iam:PutUserPolicy"], "Resource": "*"}])))
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .policy_summary
        .unwrap()
        .id
        .unwrap();
    org.attach_policy()
        .policy_id(&scp)
        .target_id(&prod)
        .send()
        .await
        .unwrap();

    // moto's CreateAccount makes the role without a policy; AWS attaches AdministratorAccess.
    for id in &ids {
        let iam = member_iam(&ctx, id).await;
        iam.attach_role_policy()
            .role_name(ROLE)
            .policy_arn(ADMIN)
            .send()
            .await
            .unwrap();
    }
    let payments = member_iam(&ctx, &ids[0]).await;
    self_attacher(&payments).await;
    // A CI user with a long-lived key: what the console's tests act on.
    payments
        .create_user()
        .user_name("ci-bot")
        .send()
        .await
        .unwrap();
    payments
        .create_access_key()
        .user_name("ci-bot")
        .send()
        .await
        .unwrap();
    payments
        .create_role()
        .role_name("vendor-access")
        .assume_role_policy_document(doc(json!([{"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{OUTSIDER}:root")},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "vendor-42"}}}])))
        .send()
        .await
        .unwrap();
    payments
        .create_role()
        .role_name("ops-from-sandbox")
        .assume_role_policy_document(doc(json!([{"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{}:root", ids[1])},
            "Action": "sts:AssumeRole"}])))
        .send()
        .await
        .unwrap();
    self_attacher(&member_iam(&ctx, &ids[1]).await).await;
    // A bastion user in the management account: may assume the member access role anywhere.
    let mgmt = aws_sdk_iam::Client::new(&ctx.iam_config());
    mgmt.create_user().user_name("alice").send().await.unwrap();
    mgmt.put_user_policy()
        .user_name("alice")
        .policy_name("hop")
        .policy_document(doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": format!("arn:aws:iam::*:role/{ROLE}")}])))
        .send()
        .await
        .unwrap();
    Org {
        mgmt: ctx.account_id.clone(),
        payments: ids[0].clone(),
        sandbox: ids[1].clone(),
        legacy: ids[2].clone(),
        prod_ou: prod,
    }
}

/// `account`'s OrganizationAccountAccessRole cannot be assumed from now on.
pub fn deny_role(emu: &super::emulator::Emulator, account: &str) {
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(
            &json!({"kind": "access_denied", "service": "sts", "operation": "AssumeRole",
            "params": {"RoleArn": format!("arn:aws:iam::{account}:role/{ROLE}")}}),
        ),
    );
}
