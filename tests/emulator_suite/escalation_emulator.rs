//! Privilege escalation end to end: an account in the project's emulator (moto, over real
//! HTTP through the Rust SDK) with one principal per catalog method, administrator targets for
//! them to reach, and look-alikes that cannot escalate. The account is read by the real loader
//! into a `Dataset`; the test then asserts, principal by principal, that each method principal
//! has a path starting with its method and that no look-alike has any path or finding.

use crate::live;

use aws_sdk_iam::Client;
use guardpost::dataset::{Dataset, Origin};
use guardpost::posture::PostureConfig;
use guardpost::posture::policy::{Reach, TargetKind, catalog};
use serde_json::{Value, json};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn doc(stmts: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": stmts}).to_string()
}

fn allow(actions: Value, resource: Value) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resource})
}

fn trust_service(service: &str) -> String {
    doc(json!([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]))
}

fn trust_account(acct: &str) -> String {
    doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")},
        "Action": "sts:AssumeRole"}]),
    )
}

/// `t-<service with dots as dashes>`: the administrator role that trusts `service`.
fn service_role_name(service: &str) -> String {
    format!("t-{}", service.replace('.', "-"))
}

struct Seeder {
    iam: Client,
    acct: String,
}

impl Seeder {
    async fn user(&self, name: &str, boundary: Option<&str>) {
        let mut req = self.iam.create_user().user_name(name);
        if let Some(b) = boundary {
            req = req.permissions_boundary(b);
        }
        req.send().await.unwrap();
    }

    async fn role(&self, name: &str, trust: String, boundary: Option<&str>) {
        let mut req = self
            .iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust);
        if let Some(b) = boundary {
            req = req.permissions_boundary(b);
        }
        req.send().await.unwrap();
    }

    async fn user_inline(&self, user: &str, name: &str, stmts: Value) {
        self.iam
            .put_user_policy()
            .user_name(user)
            .policy_name(name)
            .policy_document(doc(stmts))
            .send()
            .await
            .unwrap();
    }

    async fn role_inline(&self, role: &str, name: &str, stmts: Value) {
        self.iam
            .put_role_policy()
            .role_name(role)
            .policy_name(name)
            .policy_document(doc(stmts))
            .send()
            .await
            .unwrap();
    }

    async fn policy(&self, name: &str, stmts: Value) -> String {
        let p = self
            .iam
            .create_policy()
            .policy_name(name)
            .policy_document(doc(stmts))
            .send()
            .await
            .unwrap();
        p.policy().unwrap().arn().unwrap().to_string()
    }

    async fn attach_user(&self, user: &str, arn: &str) {
        self.iam
            .attach_user_policy()
            .user_name(user)
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }

    async fn attach_role(&self, role: &str, arn: &str) {
        self.iam
            .attach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }

    async fn group(&self, name: &str) {
        self.iam
            .create_group()
            .group_name(name)
            .send()
            .await
            .unwrap();
    }

    async fn join(&self, user: &str, group: &str) {
        self.iam
            .add_user_to_group()
            .user_name(user)
            .group_name(group)
            .send()
            .await
            .unwrap();
    }

    fn role_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:role/{name}", self.acct)
    }

    /// Administrator targets every method needs: users (with and without a console
    /// password), a role the account trusts, a role per service, an administrators group.
    async fn targets(&self) {
        self.user("t-admin-pw", None).await;
        self.attach_user("t-admin-pw", ADMIN).await;
        self.iam
            .create_login_profile()
            .user_name("t-admin-pw")
            .password("Correct-Horse-Battery-9!")
            .send()
            .await
            .unwrap();
        self.user("t-admin-nopw", None).await;
        self.attach_user("t-admin-nopw", ADMIN).await;
        self.role("t-admin-root", trust_account(&self.acct), None)
            .await;
        self.attach_role("t-admin-root", ADMIN).await;
        let mut services: Vec<&str> = catalog()
            .iter()
            .filter_map(|m| m.service.as_deref())
            .collect();
        services.sort_unstable();
        services.dedup();
        for s in services {
            let name = service_role_name(s);
            self.role(&name, trust_service(s), None).await;
            self.attach_role(&name, ADMIN).await;
        }
        self.group("t-admins").await;
        self.iam
            .attach_group_policy()
            .group_name("t-admins")
            .policy_arn(ADMIN)
            .send()
            .await
            .unwrap();
        // A role that holds nothing, trusting EC2 (for the PassRole look-alike).
        self.role("t-harmless", trust_service("ec2.amazonaws.com"), None)
            .await;
    }

    /// The principal of one method: returns its ARN.
    async fn method_principal(&self, m: &guardpost::posture::policy::Method) -> String {
        let name = format!("m-{}", m.id);
        let actions: Vec<&str> = m.actions.iter().map(|a| a.action.as_str()).collect();
        let grant = json!([allow(json!(actions), json!("*"))]);
        let user_arn = format!("arn:aws:iam::{}:user/{name}", self.acct);
        match m.target {
            TargetKind::RolePolicy => {
                self.role(&name, trust_service("ec2.amazonaws.com"), None)
                    .await;
                self.role_inline(&name, "grant", grant).await;
                return self.role_arn(&name);
            }
            TargetKind::Boundary if m.id.contains("Role") => {
                // Everything in the identity policy, capped by a boundary that allows only the
                // boundary change itself (and a read).
                let b = self
                    .policy(
                        &format!("b-{}", m.id),
                        json!([allow(
                            json!([actions[0], "s3:ListAllMyBuckets"]),
                            json!("*")
                        )]),
                    )
                    .await;
                self.role(&name, trust_service("ec2.amazonaws.com"), Some(&b))
                    .await;
                self.role_inline(&name, "grant", json!([allow(json!("*"), json!("*"))]))
                    .await;
                return self.role_arn(&name);
            }
            TargetKind::Boundary => {
                let b = self
                    .policy(
                        &format!("b-{}", m.id),
                        json!([allow(
                            json!([actions[0], "s3:ListAllMyBuckets"]),
                            json!("*")
                        )]),
                    )
                    .await;
                self.user(&name, Some(&b)).await;
                self.user_inline(&name, "grant", json!([allow(json!("*"), json!("*"))]))
                    .await;
                return user_arn;
            }
            _ => {}
        }
        self.user(&name, None).await;
        self.user_inline(&name, "grant", grant).await;
        match m.target {
            TargetKind::GroupPolicy => {
                self.group(&format!("g-{}", m.id)).await;
                self.join(&name, &format!("g-{}", m.id)).await;
            }
            TargetKind::PolicyVersion => {
                let p = self
                    .policy(
                        &format!("pv-{}", m.id),
                        json!([allow(json!("s3:ListAllMyBuckets"), json!("*"))]),
                    )
                    .await;
                self.attach_user(&name, &p).await;
            }
            _ => {}
        }
        user_arn
    }

    /// Principals that look risky but cannot escalate; returns (name, ARN).
    async fn look_alikes(&self) -> Vec<(&'static str, String)> {
        let a = &self.acct;
        let mut out = Vec::new();
        let mut add = |n: &'static str| {
            out.push((n, format!("arn:aws:iam::{a}:user/{n}")));
        };
        // Explicit deny over the allow.
        self.user("fp-explicit-deny", None).await;
        self.user_inline(
            "fp-explicit-deny",
            "p",
            json!([allow(json!(["iam:CreateAccessKey", "iam:PutUserPolicy"]), json!("*")),
                {"Effect": "Deny", "Action": ["iam:CreateAccessKey", "iam:PutUserPolicy"], "Resource": "*"}]),
        )
        .await;
        add("fp-explicit-deny");
        // Self-service credentials only.
        self.user("fp-self-scoped", None).await;
        self.user_inline(
            "fp-self-scoped",
            "p",
            json!([allow(
                json!([
                    "iam:CreateAccessKey",
                    "iam:UpdateLoginProfile",
                    "iam:CreateLoginProfile",
                    "iam:PutUserPolicy"
                ]),
                json!(format!("arn:aws:iam::{a}:user/${{aws:username}}-sandbox"))
            )]),
        )
        .await;
        add("fp-self-scoped");
        // PassRole only to a role that holds nothing.
        self.user("fp-passrole-harmless", None).await;
        self.user_inline(
            "fp-passrole-harmless",
            "p",
            json!([
                allow(json!("iam:PassRole"), json!(self.role_arn("t-harmless"))),
                allow(json!("ec2:RunInstances"), json!("*"))
            ]),
        )
        .await;
        add("fp-passrole-harmless");
        // AttachUserPolicy pinned to ReadOnlyAccess.
        self.user("fp-pinned-policy", None).await;
        self.user_inline(
            "fp-pinned-policy",
            "p",
            json!([{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*",
                "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}]),
        )
        .await;
        add("fp-pinned-policy");
        // iam:* capped by a boundary that allows only S3 (a role: moto keeps no user
        // boundaries).
        let b = self
            .policy("fp-boundary-cap", json!([allow(json!("s3:*"), json!("*"))]))
            .await;
        self.role("fp-boundary", trust_service("ec2.amazonaws.com"), Some(&b))
            .await;
        self.role_inline(
            "fp-boundary",
            "p",
            json!([allow(json!("iam:*"), json!("*"))]),
        )
        .await;
        // Two policies that do not add up: PassRole only to Lambda, RunInstances elsewhere.
        self.user("fp-split", None).await;
        self.user_inline(
            "fp-split",
            "pass",
            json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}]),
        )
        .await;
        self.user_inline(
            "fp-split",
            "run",
            json!([allow(json!("ec2:RunInstances"), json!("*"))]),
        )
        .await;
        add("fp-split");
        // NotAction: everything but IAM and STS, on S3 only; and iam:* minus all but reads.
        self.user("fp-notaction", None).await;
        self.user_inline(
            "fp-notaction",
            "p",
            json!([{"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "arn:aws:s3:::*"},
                   allow(json!("iam:*"), json!("*")),
                   {"Effect": "Deny", "NotAction": ["iam:Get*", "iam:List*"], "Resource": "*"}]),
        )
        .await;
        add("fp-notaction");
        // Action wildcards that read only.
        self.user("fp-wildcards", None).await;
        self.user_inline(
            "fp-wildcards",
            "p",
            json!([allow(
                json!(["iam:Get*", "iam:List*", "s3:*", "ec2:Describe*"]),
                json!("*")
            )]),
        )
        .await;
        add("fp-wildcards");
        // A two-hop chain that breaks: the second role trusts only EC2.
        self.role("t-top-ec2", trust_service("ec2.amazonaws.com"), None)
            .await;
        self.attach_role("t-top-ec2", ADMIN).await;
        self.role("t-hop-broken", trust_account(a), None).await;
        self.role_inline(
            "t-hop-broken",
            "next",
            json!([allow(
                json!("sts:AssumeRole"),
                json!(self.role_arn("t-top-ec2"))
            )]),
        )
        .await;
        self.user("fp-two-hop-broken", None).await;
        self.user_inline(
            "fp-two-hop-broken",
            "p",
            json!([allow(
                json!("sts:AssumeRole"),
                json!(self.role_arn("t-hop-broken"))
            )]),
        )
        .await;
        add("fp-two-hop-broken");
        out.push(("fp-boundary", self.role_arn("fp-boundary")));
        out.push(("t-hop-broken", self.role_arn("t-hop-broken")));
        out.push(("t-harmless", self.role_arn("t-harmless")));
        out
    }

    /// A working two-hop chain: user → t-hop → t-admin-root.
    async fn two_hop(&self) -> String {
        self.role("t-hop", trust_account(&self.acct), None).await;
        self.role_inline(
            "t-hop",
            "next",
            json!([allow(
                json!("sts:AssumeRole"),
                json!(self.role_arn("t-admin-root"))
            )]),
        )
        .await;
        self.user("m2-two-hop", None).await;
        self.user_inline(
            "m2-two-hop",
            "hop",
            json!([allow(
                json!("sts:AssumeRole"),
                json!(self.role_arn("t-hop"))
            )]),
        )
        .await;
        format!("arn:aws:iam::{}:user/m2-two-hop", self.acct)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_is_found_and_no_look_alike_is_flagged() {
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let ctx = live::context(&emu.url, &["us-east-1"])
        .await
        .expect("resolves");
    let s = Seeder {
        iam: Client::new(&ctx.iam_config()),
        acct: ctx.account_id.clone(),
    };
    Box::pin(s.targets()).await;
    let mut principals = Vec::new();
    for m in catalog() {
        principals.push((m.id.as_str(), Box::pin(s.method_principal(m)).await));
    }
    let look_alikes = Box::pin(s.look_alikes()).await;
    let two_hop = Box::pin(s.two_hop()).await;

    // The real loader over HTTP, then the dataset as the TUI and `check` build it.
    let snap = Box::pin(guardpost::sources::load(&ctx, None)).await;
    assert!(
        snap.problems.iter().all(|p| p.source != "iam"),
        "IAM loaded: {:?}",
        snap.problems
    );
    let data = Dataset::from_snapshot(snap, Origin::Live, &PostureConfig::default());
    let g = &data.escalation;

    // moto keeps no permissions boundary on users (CreateUser ignores it; GAAD returns none), so
    // the two user-boundary methods cannot be built here; unit tests cover them
    // (posture::tests::escalation::user_boundary_methods). Should moto learn user boundaries,
    // this check fails and the exclusion goes.
    const MOTO_CANNOT: [&str; 2] = [
        "DeleteUserPermissionsBoundary",
        "PutUserPermissionsBoundary",
    ];
    let iam = data.iam.as_ref().expect("IAM loaded");
    for id in MOTO_CANNOT {
        let u = iam.user(&format!("m-{id}")).expect("seeded");
        assert!(
            u.permissions_boundary.is_none(),
            "moto now keeps user boundaries: drop {id} from MOTO_CANNOT"
        );
    }
    let mut missing = Vec::new();
    for (id, arn) in principals
        .iter()
        .filter(|(id, _)| !MOTO_CANNOT.contains(id))
    {
        let paths = g.paths(arn);
        match paths.iter().find(|p| p.method == *id) {
            Some(p) => {
                assert_eq!(p.reaches, Reach::Admin, "{id}: {p:#?}");
                assert!(
                    p.hops[0]
                        .statements
                        .iter()
                        .any(|st| st.policy == "grant (inline)"),
                    "{id}: first hop names the granting policy: {:#?}",
                    p.hops[0]
                );
            }
            None => missing.push(format!(
                "{id}: {:?}",
                paths.iter().map(|p| p.method).collect::<Vec<_>>()
            )),
        }
    }
    assert!(missing.is_empty(), "methods not found:\n{missing:#?}");

    // The two-hop chain: AssumeRole twice, each hop with its own statement.
    let p = &g.paths(&two_hop)[0];
    assert_eq!(p.method, "AssumeRole");
    assert_eq!(p.hops.len(), 2, "{p:#?}");
    assert_eq!(p.hops[0].statements[0].policy, "hop (inline)");
    assert_eq!(p.hops[1].statements[0].policy, "next (inline)");
    assert_eq!(p.target, s.role_arn("t-admin-root"));

    // No look-alike escalates: no path, no finding.
    for (name, arn) in &look_alikes {
        assert!(
            g.paths(arn).is_empty(),
            "{name} has paths: {:#?}",
            g.paths(arn)
        );
        let flagged: Vec<&str> = data
            .findings
            .iter()
            .filter(|f| {
                f.kind == "iam.principal.privilege-escalation" && f.resources[0].arn == *arn
            })
            .map(|f| f.title.as_str())
            .collect();
        assert!(flagged.is_empty(), "{name} flagged: {flagged:?}");
    }

    // The finding names the granting policy and carries the evidence.
    let ec2 = principals
        .iter()
        .find(|(id, _)| *id == "CreateEC2WithExistingInstanceProfile")
        .unwrap();
    let f = data
        .findings
        .iter()
        .find(|f| f.kind == "iam.principal.privilege-escalation" && f.resources[0].arn == ec2.1)
        .expect("a finding");
    assert!(f.title.contains("granted by grant (inline)"), "{}", f.title);
    let evidence = &f.records[0].raw["evidence"]["paths"][0];
    assert_eq!(evidence["method"], "CreateEC2WithExistingInstanceProfile");
    assert_eq!(
        evidence["target"],
        s.role_arn(&service_role_name("ec2.amazonaws.com"))
    );
}
