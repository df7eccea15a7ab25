//! `check --org` end to end: an AWS Organization in the emulator (moto's Organizations and
//! cross-account STS over real HTTP), the real binary reading every account through
//! OrganizationAccountAccessRole, an SCP on one OU, and a member whose role cannot be assumed.

use crate::live;

use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use serde_json::{Value, json};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const ROLE: &str = "OrganizationAccountAccessRole";
const OUTSIDER: &str = "999988887777";

/// The organization the tests read: the management account (the emulator's default), OU
/// workloads/prod with `payments`, and `sandbox` and `legacy` under the root.
struct Org {
    mgmt: String,
    payments: String,
    sandbox: String,
    legacy: String,
    prod_ou: String,
}

/// IAM in `account` with credentials of its OrganizationAccountAccessRole (moto acts in the
/// account the assumed-role key belongs to).
async fn member_iam(ctx: &guardpost::sources::AwsContext, account: &str) -> aws_sdk_iam::Client {
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
    let conf = ctx
        .iam_config()
        .to_builder()
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(creds))
        .build();
    aws_sdk_iam::Client::new(&conf)
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

async fn setup(emu: &live::emulator::Emulator) -> Org {
    let ctx = live::context(&emu.url, &["us-east-1"]).await.unwrap();
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
    Org {
        mgmt: ctx.account_id.clone(),
        payments: ids[0].clone(),
        sandbox: ids[1].clone(),
        legacy: ids[2].clone(),
        prod_ou: prod,
    }
}

fn account<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("no accounts in {report:#}"))
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("account {id} not in the report"))
}

fn findings<'a>(a: &'a Value, rule: &str) -> Vec<&'a Value> {
    a["report"]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("account {} has no report: {a:#}", a["id"]))
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn check_org_reads_every_account_bounds_escalation_by_scp_and_reports_an_unreadable_one_as_unknown()
{
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(setup(&emu));
    // The legacy account's role cannot be assumed.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(
            &json!({"kind": "access_denied", "service": "sts", "operation": "AssumeRole",
            "params": {"RoleArn": format!("arn:aws:iam::{}:role/{ROLE}", org.legacy)}}),
        ),
    );
    emu.control("DELETE", "/_guardpost/requests", None);
    let home = tempfile::tempdir().unwrap();
    let (report, err, code) = live::check_json(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &["--org", "--services", "iam"],
    );
    // An account that could not be read is not a pass.
    assert_eq!(code, Some(2), "{err}\n{report:#}");
    assert_eq!(report["kind"], "organization");
    let schema = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name);
        let text = std::fs::read_to_string(path).unwrap();
        jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
    };
    let (org_schema, account_schema) =
        (schema("check-org.schema.json"), schema("check.schema.json"));
    let errors: Vec<String> = org_schema
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for a in report["accounts"].as_array().unwrap() {
        if let Some(r) = a.get("report") {
            let errors: Vec<String> = account_schema
                .iter_errors(r)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", a["id"]);
        }
    }
    assert_eq!(report["result"], "unknown", "{report:#}");
    assert_eq!(report["summary"]["accounts"], 4);
    assert_eq!(report["summary"]["read"], 3);
    assert_eq!(report["summary"]["unknown"], 1);
    assert!(
        err.contains(&format!("account {} could not be read", org.legacy)),
        "{err}"
    );

    let legacy = account(&report, &org.legacy);
    assert_eq!(legacy["state"], "unknown");
    let why = legacy["reason"].as_str().unwrap();
    assert!(
        why.contains("cannot assume role OrganizationAccountAccessRole")
            && why.contains("AccessDenied"),
        "{why}"
    );
    assert!(legacy.get("report").is_none());

    let payments = account(&report, &org.payments);
    assert_eq!(payments["name"], "payments");
    assert_eq!(payments["ou_path"], "Root/workloads/prod");
    assert_eq!(payments["scps"], "read");
    assert_eq!(payments["report"]["account"], org.payments.as_str());
    // Per-account coverage: IAM read completely in this account.
    assert_eq!(
        payments["report"]["coverage"]["sources"]["iam"]["global"]["state"], "complete",
        "{:#}",
        payments["report"]["coverage"]
    );
    // Every finding belongs to the account it is listed under.
    for a in report["accounts"].as_array().unwrap() {
        for f in a["report"]["findings"].as_array().into_iter().flatten() {
            assert_eq!(f["account"], a["id"], "{f:#}");
        }
    }

    // The SCP on prod closes the payments deployer's escalation; sandbox's is open.
    let blocked = findings(payments, "iam.principal.privilege-escalation");
    let blocked: Vec<_> = blocked
        .iter()
        .filter(|f| f["resource"]["name"] == "deployer")
        .collect();
    assert_eq!(blocked.len(), 1, "{payments:#}");
    assert_eq!(blocked[0]["severity"], "LOW");
    let title = blocked[0]["title"].as_str().unwrap();
    assert!(
        title.contains("an SCP blocks")
            && title.contains("iam:AttachUserPolicy denied by SCP no-user-policy-attach")
            && title.contains(&org.prod_ou),
        "{title}"
    );
    let paths = blocked[0]["escalation"].as_array().unwrap();
    assert!(
        paths.iter().all(|p| p["blocked_by"].is_string()),
        "{paths:?}"
    );

    let sandbox = account(&report, &org.sandbox);
    assert_eq!(sandbox["ou_path"], "Root");
    let open: Vec<_> = findings(sandbox, "iam.principal.privilege-escalation")
        .into_iter()
        .filter(|f| f["resource"]["name"] == "deployer")
        .collect();
    assert_eq!(open.len(), 1, "{sandbox:#}");
    assert_ne!(open[0]["severity"], "LOW");
    assert!(
        open[0]["title"]
            .as_str()
            .unwrap()
            .contains("can escalate privileges")
    );
    assert!(
        open[0]["escalation"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("blocked_by").is_none())
    );

    // Trust across the organization's border, both ends named.
    let outside = findings(payments, "iam.role.trusts-outside-organization");
    assert_eq!(outside.len(), 1, "{payments:#}");
    assert_eq!(outside[0]["resource"]["name"], "vendor-access");
    assert_eq!(outside[0]["severity"], "LOW", "an ExternalId-pinned vendor");
    let t = outside[0]["title"].as_str().unwrap();
    assert!(
        t.contains(&format!("account {} (payments)", org.payments))
            && t.contains(&format!("account {OUTSIDER} outside the organization")),
        "{t}"
    );
    let inside = findings(payments, "iam.role.external-trust-unrestricted");
    let t = inside
        .iter()
        .find(|f| f["resource"]["name"] == "ops-from-sandbox")
        .unwrap_or_else(|| panic!("{payments:#}"))["title"]
        .as_str()
        .unwrap();
    assert!(
        t.contains(&format!("account {} (sandbox)", org.sandbox)),
        "{t}"
    );

    // The management account is read with the caller's own credentials (SCPs never bind it);
    // each member through its role.
    let mgmt = account(&report, &org.mgmt);
    assert_eq!(mgmt["state"], "read");
    assert_eq!(mgmt["scps"], "do not apply (management account)");
    let assumed: Vec<String> = emu
        .calls("sts", "AssumeRole", "us-east-1")
        .iter()
        .map(|c| c["params"]["RoleArn"].as_str().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = [&org.payments, &org.sandbox, &org.legacy]
        .iter()
        .map(|a| format!("arn:aws:iam::{a}:role/{ROLE}"))
        .collect();
    want.sort();
    let mut got = assumed.clone();
    got.sort();
    got.dedup();
    assert_eq!(got, want);
}

#[test]
fn check_org_narrows_to_named_accounts_and_refuses_an_unknown_one() {
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(setup(&emu));
    let home = tempfile::tempdir().unwrap();
    let (report, err, code) = live::check_json(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &[
            "--org",
            "--services",
            "iam",
            "--account",
            "sandbox",
            "--account",
            &org.payments,
        ],
    );
    assert_eq!(code, Some(0), "{err}\n{report:#}");
    let ids: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let mut want = vec![org.payments.as_str(), org.sandbox.as_str()];
    want.sort();
    assert_eq!(ids, want);

    // --fail-on applies across accounts: sandbox's open escalation fails the run.
    let out = live::guardpost(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &[
            "check",
            "--org",
            "--services",
            "iam",
            "--account",
            "sandbox",
            "--fail-on",
            "high",
        ],
    )
    .output()
    .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(
        table.contains(&format!("== {} (sandbox) in Root ==", org.sandbox)),
        "{table}"
    );

    let out = live::guardpost(
        home.path(),
        &emu.url,
        &["us-east-1"],
        &["check", "--org", "--account", "nope"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--account \"nope\" is not an account of the organization (4 accounts)"),
        "{err}"
    );
}
