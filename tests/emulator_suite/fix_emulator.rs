//! `guardpost check --fix` and `guardpost undo --all-from RUN` (issue 15) against the emulator
//! over real HTTP: an account seeded with fixable problems next to healthy look-alikes; the
//! report after the fix, the state read back from the server after the fix and after the
//! undo, and the refusals (read-only, no terminal without --yes) that change nothing.

use crate::live;

use aws_sdk_ec2::types::{
    Filter, HttpTokensState, InstanceMetadataOptionsRequest, InstanceType, IpPermission, IpRange,
};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";

const RULES: &[&str] = &[
    "iam.user.unused-credentials",
    "iam.user.no-owner-tag",
    "iam.password-policy.min-length",
    "ec2.security-group.admin-port-open",
    "ec2.instance.imdsv1-allowed",
    "ec2.ebs.default-encryption-off",
    "service.guardduty.disabled",
];

fn run(home: &Path, url: &str, args: &[&str]) -> (Output, String) {
    let out = live::guardpost(home, url, &[E1, W1], args)
        .output()
        .expect("run guardpost");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    (out, err)
}

fn check_args(extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["check", "--format", "json", "--fail-on", "none"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for r in RULES {
        a.push("--rule".into());
        a.push(r.to_string());
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

use live::rule_pairs as pairs;

struct Account {
    iam: aws_sdk_iam::Client,
    ec2: aws_sdk_ec2::Client,
    ec2_w: aws_sdk_ec2::Client,
    gd: aws_sdk_guardduty::Client,
    gd_w: aws_sdk_guardduty::Client,
    acct: String,
    ssh: String,
    web: String,
    v1: String,
    v2: String,
    stale_key: String,
    busy_key: String,
}

impl Account {
    fn arn(&self, region: &str, path: &str) -> String {
        format!("arn:aws:ec2:{region}:{}:{path}", self.acct)
    }
    fn user(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:user/{name}", self.acct)
    }

    /// What is broken before the fix (only the seeded resources: the default VPC's groups are
    /// not open to the world on admin ports).
    fn broken(&self) -> BTreeSet<(String, String)> {
        [
            ("iam.user.unused-credentials", self.user("stale")),
            ("iam.user.no-owner-tag", self.user("stale")),
            ("iam.user.no-owner-tag", self.user("busy")),
            ("iam.user.no-owner-tag", self.user("ownerless")),
            (
                "iam.password-policy.min-length",
                format!("arn:aws:iam::{}:root", self.acct),
            ),
            (
                "ec2.security-group.admin-port-open",
                self.arn(E1, &format!("security-group/{}", self.ssh)),
            ),
            (
                "ec2.instance.imdsv1-allowed",
                self.arn(E1, &format!("instance/{}", self.v1)),
            ),
            ("ec2.ebs.default-encryption-off", self.arn(E1, "")),
            (
                "service.guardduty.disabled",
                format!("arn:aws:guardduty:{E1}:{}:", self.acct),
            ),
            (
                "service.guardduty.disabled",
                format!("arn:aws:guardduty:{W1}:{}:", self.acct),
            ),
        ]
        .into_iter()
        .map(|(r, a)| (r.to_string(), a))
        .collect()
    }

    async fn key(&self, user: &str) -> String {
        self.iam
            .list_access_keys()
            .user_name(user)
            .send()
            .await
            .unwrap()
            .access_key_metadata()[0]
            .status()
            .unwrap()
            .as_str()
            .to_string()
    }

    async fn owner_tag(&self, user: &str) -> Option<String> {
        self.iam
            .list_user_tags()
            .user_name(user)
            .send()
            .await
            .unwrap()
            .tags()
            .iter()
            .find(|t| t.key() == "owner")
            .map(|t| t.value().to_string())
    }

    async fn min_length(&self) -> Option<i32> {
        match self.iam.get_account_password_policy().send().await {
            Ok(o) => o
                .password_policy()
                .and_then(|p| p.minimum_password_length()),
            Err(_) => None,
        }
    }

    /// The group's inbound rules as (protocol, from, to, cidr).
    async fn ingress(&self, group: &str) -> BTreeSet<(String, i32, i32, String)> {
        let o = self
            .ec2
            .describe_security_groups()
            .group_ids(group)
            .send()
            .await
            .unwrap();
        let mut out = BTreeSet::new();
        for p in o.security_groups()[0].ip_permissions() {
            for r in p.ip_ranges() {
                out.insert((
                    p.ip_protocol().unwrap().to_string(),
                    p.from_port().unwrap_or(-1),
                    p.to_port().unwrap_or(-1),
                    r.cidr_ip().unwrap().to_string(),
                ));
            }
        }
        out
    }

    async fn tokens(&self, instance: &str) -> String {
        let o = self
            .ec2
            .describe_instances()
            .instance_ids(instance)
            .send()
            .await
            .unwrap();
        o.reservations()[0].instances()[0]
            .metadata_options()
            .unwrap()
            .http_tokens()
            .unwrap()
            .as_str()
            .to_string()
    }

    async fn ebs(&self, c: &aws_sdk_ec2::Client) -> bool {
        c.get_ebs_encryption_by_default()
            .send()
            .await
            .unwrap()
            .ebs_encryption_by_default()
            .unwrap()
    }

    async fn detectors(&self) -> (usize, usize) {
        let n = |c: aws_sdk_guardduty::Client| async move {
            c.list_detectors()
                .send()
                .await
                .unwrap()
                .detector_ids()
                .len()
        };
        (n(self.gd.clone()).await, n(self.gd_w.clone()).await)
    }
}

fn rule(port: i32, cidrs: &[&str]) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .set_ip_ranges(Some(
            cidrs
                .iter()
                .map(|c| IpRange::builder().cidr_ip(*c).build())
                .collect(),
        ))
        .build()
}

async fn seed(emu: &live::emulator::Emulator) -> Account {
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    let ec2 = aws_sdk_ec2::Client::new(&ctx.region_config(E1));
    let ec2_w = aws_sdk_ec2::Client::new(&ctx.region_config(W1));
    // IAM: a key unused for 120 days (deactivated), one used 2 days ago (left alone), a user
    // with no key the owners file names.
    let stale_key = live::user_with_key(&iam, "stale").await;
    let busy_key = live::user_with_key(&iam, "busy").await;
    iam.create_user()
        .user_name("ownerless")
        .send()
        .await
        .unwrap();
    for (user, used) in [("stale", 120), ("busy", 2)] {
        emu.control(
            "POST",
            "/_guardpost/iam/backdate",
            Some(&json!({"user": user, "days": 400, "last_used_days": used})),
        );
    }
    // EC2 us-east-1: SSH open to the world and to a private range in one rule; a web port
    // open to the world (not an admin port); IMDSv1 allowed vs required; EBS default off.
    let vpc = ec2
        .describe_vpcs()
        .filters(Filter::builder().name("is-default").values("true").build())
        .send()
        .await
        .unwrap()
        .vpcs()[0]
        .vpc_id()
        .unwrap()
        .to_string();
    let group = |name: &'static str, perm: IpPermission| {
        let (ec2, vpc) = (ec2.clone(), vpc.clone());
        async move {
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
            ec2.authorize_security_group_ingress()
                .group_id(&id)
                .ip_permissions(perm)
                .send()
                .await
                .unwrap();
            id
        }
    };
    let ssh = group("ssh", rule(22, &["0.0.0.0/0", "10.0.0.0/8"])).await;
    let web = group("web", rule(443, &["0.0.0.0/0"])).await;
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
    let launch = |tokens: HttpTokensState| {
        let (ec2, image) = (ec2.clone(), image.clone());
        async move {
            ec2.run_instances()
                .image_id(image)
                .instance_type(InstanceType::T3Micro)
                .min_count(1)
                .max_count(1)
                .metadata_options(
                    InstanceMetadataOptionsRequest::builder()
                        .http_tokens(tokens)
                        .build(),
                )
                .send()
                .await
                .unwrap()
                .instances()[0]
                .instance_id()
                .unwrap()
                .to_string()
        }
    };
    let v1 = launch(HttpTokensState::Optional).await;
    let v2 = launch(HttpTokensState::Required).await;
    // eu-west-1 already encrypts by default (healthy).
    ec2_w
        .enable_ebs_encryption_by_default()
        .send()
        .await
        .unwrap();
    Account {
        gd: aws_sdk_guardduty::Client::new(&ctx.region_config(E1)),
        gd_w: aws_sdk_guardduty::Client::new(&ctx.region_config(W1)),
        acct: ctx.account_id.clone(),
        iam,
        ec2,
        ec2_w,
        ssh,
        web,
        v1,
        v2,
        stale_key,
        busy_key,
    }
}

fn mutating(emu: &live::emulator::Emulator) -> Vec<String> {
    emu.control("GET", "/_guardpost/requests", None)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(live::logged_action)
        .filter(|a| {
            let op = a.split(':').nth(1).unwrap_or_default();
            !["Get", "List", "Describe"].iter().any(|p| op.starts_with(p))
                && !a.starts_with("sts:")
                // The check's own read of the credential report.
                && a != "iam:GenerateCredentialReport"
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fix_fixes_what_it_can_reports_the_rest_and_undo_puts_it_back() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let a = Box::pin(seed(&emu)).await;
    let home = tempfile::tempdir().unwrap();
    let owners = home.path().join("owners.toml");
    std::fs::write(&owners, "ownerless = \"team-a@acme.example\"\n").unwrap();

    // Before: exactly the seeded problems.
    let args = check_args(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, err) = run(home.path(), &emu.url, &args);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let before: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pairs(&before), a.broken(), "{before:#}");

    // Refusals change nothing: --read-only, read_only in the config, no terminal without --yes.
    emu.control("DELETE", "/_guardpost/requests", None);
    let owners_arg = owners.display().to_string();
    let fix = check_args(&["--fix", "--unused-days", "90", "--owners", &owners_arg]);
    let fix: Vec<&str> = fix.iter().map(String::as_str).collect();
    let with = |extra: &[&'static str]| {
        let mut v = fix.clone();
        v.extend_from_slice(extra);
        v
    };
    let (out, err) = run(home.path(), &emu.url, &with(&["--yes", "--read-only"]));
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("read-only") && err.contains("--fix refused"),
        "{err}"
    );
    std::fs::create_dir_all(home.path().join(".config/guardpost")).unwrap();
    std::fs::write(
        home.path().join(".config/guardpost/config.toml"),
        format!("[accounts.\"{}\"]\nread_only = true\n", a.acct),
    )
    .unwrap();
    let (out, err) = run(home.path(), &emu.url, &with(&["--yes"]));
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("read-only ([accounts.") && err.contains("refuses"),
        "{err}"
    );
    std::fs::remove_file(home.path().join(".config/guardpost/config.toml")).unwrap();
    let (out, err) = run(home.path(), &emu.url, &fix);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pass --yes"), "{err}");
    // The preview was shown all the same, with the exact calls.
    assert!(
        err.contains(&format!(
            "call:  ec2:RevokeSecurityGroupIngress (us-east-1) {{\"GroupId\":\"{}\"",
            a.ssh
        )),
        "{err}"
    );
    assert_eq!(mutating(&emu), Vec::<String>::new());

    // --yes: every fixable failure is fixed.
    let (out, err) = run(home.path(), &emu.url, &with(&["--yes"]));
    assert_eq!(out.status.code(), Some(0), "{err}");
    let after: Value = serde_json::from_slice(&out.stdout).unwrap();
    let left: BTreeSet<(String, String)> = [
        // Not in the owners file: reported, not fixed.
        ("iam.user.no-owner-tag", a.user("stale")),
        ("iam.user.no-owner-tag", a.user("busy")),
    ]
    .into_iter()
    .map(|(r, x)| (r.to_string(), x))
    .collect();
    assert_eq!(pairs(&after), left, "{err}\n{after:#}");
    assert!(
        err.contains("no owner for busy in the --owners file"),
        "{err}"
    );
    let run_id = live::fix_run_id(&err);
    assert!(
        err.contains(&format!("run {run_id}: 8 of 8 applied")),
        "{err}"
    );

    // The server says so.
    assert_eq!(a.key("stale").await, "Inactive");
    assert_eq!(a.key("busy").await, "Active", "a key in use is left alone");
    assert_eq!(
        a.owner_tag("ownerless").await.as_deref(),
        Some("team-a@acme.example")
    );
    assert_eq!(a.min_length().await, Some(14));
    let only_private: BTreeSet<_> = [("tcp".to_string(), 22, 22, "10.0.0.0/8".to_string())].into();
    assert_eq!(a.ingress(&a.ssh).await, only_private);
    assert_eq!(a.ingress(&a.web).await.len(), 1, "443 is not an admin port");
    assert_eq!(a.tokens(&a.v1).await, "required");
    assert_eq!(a.tokens(&a.v2).await, "required");
    assert!(a.ebs(&a.ec2).await);
    assert_eq!(a.detectors().await, (1, 1));
    let _ = (&a.stale_key, &a.busy_key);

    // undo without a terminal needs --yes; then every action of the run is undone.
    let (out, err) = run(home.path(), &emu.url, &["undo", "--all-from", &run_id]);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pass --yes"), "{err}");
    let (out, err) = run(
        home.path(),
        &emu.url,
        &["undo", "--all-from", "no-such-run", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no journaled action of run \"no-such-run\""),
        "{err}"
    );
    let (out, err) = run(
        home.path(),
        &emu.url,
        &["undo", "--all-from", &run_id, "--yes"],
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("8 undo(s)"), "{err}");
    assert_eq!(a.key("stale").await, "Active");
    assert_eq!(a.owner_tag("ownerless").await, None);
    assert_eq!(a.min_length().await, None, "there was no policy before");
    let reopened: BTreeSet<_> = [
        ("tcp".to_string(), 22, 22, "0.0.0.0/0".to_string()),
        ("tcp".to_string(), 22, 22, "10.0.0.0/8".to_string()),
    ]
    .into();
    assert_eq!(a.ingress(&a.ssh).await, reopened);
    assert_eq!(a.tokens(&a.v1).await, "optional");
    assert_eq!(a.tokens(&a.v2).await, "required");
    assert!(!a.ebs(&a.ec2).await);
    assert!(a.ebs(&a.ec2_w).await, "eu-west-1 was never touched");
    assert_eq!(a.detectors().await, (0, 0));
    // And the check sees the seeded account again.
    let (out, err) = run(home.path(), &emu.url, &args);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pairs(&again), a.broken());
    // Nothing is left to undo from that run.
    let (out, err) = run(
        home.path(),
        &emu.url,
        &["undo", "--all-from", &run_id, "--yes"],
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("nothing to undo"), "{err}");
}
