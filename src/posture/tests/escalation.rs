//! Posture tests: the request evaluator (each resource form and condition key, both ways), the
//! method catalog, and the escalation graph (real targets, multi-hop, look-alikes).

use super::*;
use crate::posture::policy::{
    Analysis, Permissions, Reach, Request, Target, catalog, user_permissions,
};

/// The effective permissions of user `dev` holding one inline policy `doc`.
fn perms(doc: Value) -> Permissions {
    let mut inv = clean();
    let mut u = user("dev");
    u.user_policy_list = vec![inline("p", doc)];
    inv.user_detail_list.push(u);
    user_permissions(&inv, inv.user("dev").unwrap())
}

fn stmt(effect: &str, action: Value, resource: Value, cond: Option<Value>) -> Value {
    let mut s = json!({"Effect": effect, "Action": action, "Resource": resource});
    if let Some(c) = cond {
        s["Condition"] = c;
    }
    s
}

fn doc(stmts: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": stmts})
}

fn user_arn(n: &str) -> String {
    format!("arn:aws:iam::{ACCT}:user/{n}")
}

fn on<'a>(action: &'a str, arn: &'a str) -> Request<'a> {
    Request::new(action, Target::Arn(arn))
}

// ------------------------------------------------------------ resources

#[test]
fn resource_exact_and_wildcard() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!(user_arn("bob")),
        None,
    )]));
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_some()
    );
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("carol")))
            .is_none()
    );
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!("arn:aws:iam::*:user/ops-*"),
        None,
    )]));
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("ops-1")))
            .is_some()
    );
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("dev-1")))
            .is_none()
    );
}

#[test]
fn policy_variable_username_is_the_caller() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!("arn:aws:iam::*:user/${aws:username}"),
        None,
    )]));
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("dev")))
            .is_some()
    );
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_none()
    );
    // A role has no aws:username: the statement matches nothing for it.
    let mut inv = clean();
    inv.role_detail_list[0].role_policy_list.push(inline(
        "p",
        doc(vec![stmt(
            "Allow",
            json!("iam:CreateAccessKey"),
            json!("arn:aws:iam::*:user/${aws:username}"),
            None,
        )]),
    ));
    let r = crate::posture::policy::role_permissions(&inv, &inv.role_detail_list[0]);
    assert!(
        r.allows(&on("iam:CreateAccessKey", &user_arn("support")))
            .is_none()
    );
}

#[test]
fn not_resource_excludes_what_it_lists() {
    let p = perms(
        json!({"Statement": [{"Effect": "Allow", "Action": "iam:CreateAccessKey",
        "NotResource": user_arn("admin")}]}),
    );
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_some()
    );
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("admin")))
            .is_none()
    );
}

#[test]
fn not_action_allows_the_rest() {
    let p = perms(
        json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*",
        "Resource": "*"}]}),
    );
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_none()
    );
    assert!(
        p.allows(&Request::new("ec2:RunInstances", Target::Any))
            .is_some()
    );
}

#[test]
fn explicit_deny_on_a_resource_wins_there_only() {
    let p = perms(doc(vec![
        stmt("Allow", json!("iam:*"), json!("*"), None),
        stmt(
            "Deny",
            json!("iam:CreateAccessKey"),
            json!(user_arn("admin")),
            None,
        ),
    ]));
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("admin")))
            .is_none()
    );
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_some()
    );
}

#[test]
fn any_resource_needs_a_pattern_of_the_service() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("lambda:CreateFunction"),
        json!("arn:aws:lambda:*:*:function:team-*"),
        None,
    )]));
    assert!(
        p.allows(&Request::new("lambda:CreateFunction", Target::Any))
            .is_some()
    );
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("lambda:CreateFunction"),
        json!("arn:aws:s3:::bucket"),
        None,
    )]));
    assert!(
        p.allows(&Request::new("lambda:CreateFunction", Target::Any))
            .is_none()
    );
}

#[test]
fn boundary_caps_the_identity_policy() {
    let mut inv = clean();
    let mut u = user("dev");
    u.user_policy_list = vec![inline("p", allow(json!("*")))];
    u.permissions_boundary = Some(attached("B", &format!("arn:aws:iam::{ACCT}:policy/B")));
    inv.user_detail_list.push(u);
    inv.policies.push(managed("B", allow(json!("s3:*")), 1));
    let p = user_permissions(&inv, inv.user("dev").unwrap());
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_none()
    );
    assert!(p.allows(&on("s3:GetObject", "arn:aws:s3:::b/k")).is_some());
}

// ------------------------------------------------------------ condition keys

#[test]
fn passed_to_service_both_ways() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:PassRole"),
        json!("*"),
        Some(json!({"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})),
    )]));
    let mut r = on("iam:PassRole", "arn:aws:iam::111122223333:role/x");
    r.passed_to_service = Some("ec2.amazonaws.com");
    assert!(p.allows(&r).is_some());
    r.passed_to_service = Some("lambda.amazonaws.com");
    assert!(p.allows(&r).is_none());
}

#[test]
fn policy_arn_both_ways() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:AttachUserPolicy"),
        json!("*"),
        Some(json!({"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})),
    )]));
    let dev = user_arn("dev");
    let mut r = on("iam:AttachUserPolicy", &dev);
    r.policy_arn = Some("arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert!(p.allows(&r).is_some());
    r.policy_arn = Some("arn:aws:iam::aws:policy/AdministratorAccess");
    assert!(p.allows(&r).is_none());
}

#[test]
fn permissions_boundary_key_both_ways() {
    let b = format!("arn:aws:iam::{ACCT}:policy/Boundary");
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:PutUserPermissionsBoundary"),
        json!("*"),
        Some(json!({"StringEquals": {"iam:PermissionsBoundary": b}})),
    )]));
    let dev = user_arn("dev");
    let mut r = on("iam:PutUserPermissionsBoundary", &dev);
    r.permissions_boundary = Some(&b);
    assert!(p.allows(&r).is_some());
    r.permissions_boundary = Some("arn:aws:iam::aws:policy/AdministratorAccess");
    assert!(p.allows(&r).is_none());
}

#[test]
fn associated_resource_arn_both_ways() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:PassRole"),
        json!("*"),
        Some(json!({"ArnLike": {"iam:AssociatedResourceArn": "arn:aws:ec2:*:*:instance/*"}})),
    )]));
    let mut r = on("iam:PassRole", "arn:aws:iam::111122223333:role/x");
    r.associated_service = Some("ec2");
    assert!(p.allows(&r).is_some());
    r.associated_service = Some("lambda");
    assert!(p.allows(&r).is_none());
}

#[test]
fn mfa_present_bool_needs_mfa_and_if_exists_does_not() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!("*"),
        Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
    )]));
    let g = p
        .allows(&on("iam:CreateAccessKey", &user_arn("bob")))
        .unwrap();
    assert!(g.needs_mfa);
    // Long-term keys send no MFA key: the IfExists test passes without MFA.
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!("*"),
        Some(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
    )]));
    let g = p
        .allows(&on("iam:CreateAccessKey", &user_arn("bob")))
        .unwrap();
    assert!(!g.needs_mfa);
}

#[test]
fn mfa_deny_forms() {
    // Deny unless MFA (IfExists): only an MFA session gets through.
    let p = perms(doc(vec![
        stmt("Allow", json!("iam:CreateAccessKey"), json!("*"), None),
        stmt(
            "Deny",
            json!("*"),
            json!("*"),
            Some(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})),
        ),
    ]));
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .unwrap()
            .needs_mfa
    );
    // `Bool false` without IfExists does not match long-term keys (the key is absent).
    let p = perms(doc(vec![
        stmt("Allow", json!("iam:CreateAccessKey"), json!("*"), None),
        stmt(
            "Deny",
            json!("*"),
            json!("*"),
            Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
        ),
    ]));
    assert!(
        !p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .unwrap()
            .needs_mfa
    );
    // MultiFactorAuthAge below a limit and `Null ... false` need an MFA session.
    for cond in [
        json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}),
        json!({"Null": {"aws:MultiFactorAuthPresent": "false"}}),
    ] {
        let p = perms(doc(vec![stmt(
            "Allow",
            json!("iam:CreateAccessKey"),
            json!("*"),
            Some(cond.clone()),
        )]));
        let g = p.allows(&on("iam:CreateAccessKey", &user_arn("bob")));
        assert!(g.is_some_and(|g| g.needs_mfa), "{cond}");
    }
}

#[test]
fn unknown_condition_keys_are_shown_not_decided() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!("*"),
        Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
    )]));
    let g = p
        .allows(&on("iam:CreateAccessKey", &user_arn("bob")))
        .unwrap();
    assert_eq!(g.depends_on, ["aws:SourceIp"]);
    // A Deny on an unknown key may or may not apply: open, with the doubt.
    let p = perms(doc(vec![
        stmt("Allow", json!("iam:CreateAccessKey"), json!("*"), None),
        stmt(
            "Deny",
            json!("iam:*"),
            json!("*"),
            Some(json!({"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}})),
        ),
    ]));
    let g = p
        .allows(&on("iam:CreateAccessKey", &user_arn("bob")))
        .unwrap();
    assert_eq!(g.depends_on, ["aws:RequestedRegion"]);
    // An unconditional allow next to a conditional one wins (no doubt shown).
    let p = perms(doc(vec![
        stmt(
            "Allow",
            json!("iam:CreateAccessKey"),
            json!("*"),
            Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        ),
        stmt("Allow", json!("iam:CreateAccessKey"), json!("*"), None),
    ]));
    let g = p
        .allows(&on("iam:CreateAccessKey", &user_arn("bob")))
        .unwrap();
    assert!(g.depends_on.is_empty());
    assert_eq!(g.statements.len(), 1);
    assert_eq!(g.statements[0].statement, "#2");
}

#[test]
fn caller_keys_username_and_principal_arn() {
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!("*"),
        Some(json!({"StringEquals": {"aws:username": "dev"}})),
    )]));
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_some()
    );
    let p = perms(doc(vec![stmt(
        "Allow",
        json!("iam:CreateAccessKey"),
        json!("*"),
        Some(json!({"ArnEquals": {"aws:PrincipalArn": user_arn("someone-else")}})),
    )]));
    assert!(
        p.allows(&on("iam:CreateAccessKey", &user_arn("bob")))
            .is_none()
    );
}

#[test]
fn glob_never_panics_on_odd_text() {
    for (p, t) in [
        ("ä*?", "äöü"),
        ("?", "€"),
        ("*€", "a€"),
        ("a?c", "aéc"),
        ("**", ""),
        ("?", ""),
    ] {
        let _ = glob_match(p, t);
    }
    assert!(glob_match("a?c", "aéc"));
    assert!(glob_match("*€", "a€"));
}

// ------------------------------------------------------------ catalog

#[test]
fn catalog_parses_and_covers_iam_vulnerable() {
    let c = catalog();
    assert!(c.len() >= 45, "{}", c.len());
    let iv: Vec<&str> = c
        .iter()
        .flat_map(|m| m.references.iter())
        .filter(|r| r.contains("BishopFox/iam-vulnerable"))
        .map(String::as_str)
        .collect();
    // Every path of iam-vulnerable's README (31) is cited by some entry.
    assert!(iv.len() >= 31, "{} iam-vulnerable paths: {iv:#?}", iv.len());
    for m in c {
        assert!(
            !m.description.is_empty() && !m.remediation.is_empty(),
            "{}",
            m.id
        );
    }
    assert!(
        crate::posture::policy::escalation::parse_catalog(
            "[[method]]\nid='x'\ncategory='new-passrole'\ntarget='user'\n\
             actions=[{action='iam:PassRole', on='pass'}]\ndescription='d'\nremediation='r'\n\
             references=['u']"
        )
        .is_err()
    );
}

// ------------------------------------------------------------ graph

fn admin_role(name: &str, service: &str) -> IamRole {
    let mut r = role(
        name,
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}),
    );
    r.attached_managed_policies
        .push(aws_policy("AdministratorAccess"));
    r
}

fn with_dev(doc: Value, extra_roles: Vec<IamRole>) -> IamInventory {
    let mut inv = clean();
    let mut u = user("dev");
    u.user_policy_list = vec![inline("p", doc)];
    inv.user_detail_list.push(u);
    inv.role_detail_list.extend(extra_roles);
    inv
}

fn dev_methods(inv: &IamInventory) -> Vec<&'static str> {
    Analysis::build(inv)
        .paths(&user_arn("dev"))
        .iter()
        .map(|p| p.method)
        .collect()
}

#[test]
fn passrole_counts_only_for_a_role_that_trusts_the_service_and_holds_more() {
    let combo = allow(json!(["iam:PassRole", "ec2:RunInstances"]));
    // No role trusts EC2: nothing to pass.
    assert!(dev_methods(&with_dev(combo.clone(), vec![])).is_empty());
    // A harmless role trusting EC2: nothing gained.
    let harmless = role(
        "harmless",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}),
    );
    assert!(dev_methods(&with_dev(combo.clone(), vec![harmless])).is_empty());
    // An admin role trusting Lambda: not EC2's.
    assert!(
        dev_methods(&with_dev(
            combo.clone(),
            vec![admin_role("fn-admin", "lambda.amazonaws.com")]
        ))
        .is_empty()
    );
    let inv = with_dev(combo, vec![admin_role("ec2-admin", "ec2.amazonaws.com")]);
    let g = Analysis::build(&inv);
    let paths = g.paths(&user_arn("dev"));
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].method, "CreateEC2WithExistingInstanceProfile");
    assert_eq!(paths[0].reaches, Reach::Admin);
    assert_eq!(
        paths[0].target,
        format!("arn:aws:iam::{ACCT}:role/ec2-admin")
    );
    assert_eq!(paths[0].granted_by, ["p (inline)"]);
    assert_eq!(paths[0].hops[0].statements[0].statement, "#1");
}

#[test]
fn passrole_scoped_to_a_harmless_role_is_not_escalation() {
    let inv = with_dev(
        doc(vec![
            stmt(
                "Allow",
                json!("iam:PassRole"),
                json!(format!("arn:aws:iam::{ACCT}:role/harmless")),
                None,
            ),
            stmt("Allow", json!("ec2:RunInstances"), json!("*"), None),
        ]),
        vec![admin_role("ec2-admin", "ec2.amazonaws.com")],
    );
    assert!(dev_methods(&inv).is_empty());
}

#[test]
fn attach_policy_pinned_to_read_only_is_not_escalation() {
    let pinned = doc(vec![stmt(
        "Allow",
        json!("iam:AttachUserPolicy"),
        json!("*"),
        Some(json!({"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})),
    )]);
    assert!(dev_methods(&with_dev(pinned, vec![])).is_empty());
    let open = doc(vec![stmt(
        "Allow",
        json!("iam:AttachUserPolicy"),
        json!(user_arn("${aws:username}")),
        None,
    )]);
    assert_eq!(dev_methods(&with_dev(open, vec![])), ["AttachUserPolicy"]);
}

#[test]
fn credentials_only_against_users_who_hold_more() {
    let mut inv = with_dev(allow(json!("iam:CreateAccessKey")), vec![]);
    // The baseline's alice holds actions dev lacks: "more", not admin.
    let g = Analysis::build(&inv);
    let p = &g.paths(&user_arn("dev"))[0];
    assert_eq!((p.method, p.reaches), ("CreateAccessKey", Reach::More));
    assert_eq!(p.target, user_arn("alice"));
    // A user who holds nothing dev lacks is no target: dev2 holds what dev holds.
    let mut twin = user("twin");
    twin.user_policy_list = vec![inline("p", allow(json!("iam:CreateAccessKey")))];
    let mut solo = with_dev(allow(json!("iam:CreateAccessKey")), vec![]);
    solo.user_detail_list.retain(|u| u.user_name == "dev");
    solo.user_detail_list.push(twin);
    assert!(dev_methods(&solo).is_empty(), "{:?}", dev_methods(&solo));
    let mut boss = user("boss");
    boss.attached_managed_policies
        .push(aws_policy("AdministratorAccess"));
    inv.user_detail_list.push(boss);
    let g = Analysis::build(&inv);
    let p = &g.paths(&user_arn("dev"))[0];
    assert_eq!(p.method, "CreateAccessKey");
    assert_eq!(p.target, user_arn("boss"));
}

#[test]
fn two_hops_through_assume_role() {
    let trusting_root = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")}, "Action": "sts:AssumeRole"}]});
    let mut hop = role("hop", trusting_root.clone());
    hop.role_policy_list.push(inline(
        "next",
        doc(vec![stmt(
            "Allow",
            json!("sts:AssumeRole"),
            json!(format!("arn:aws:iam::{ACCT}:role/top")),
            None,
        )]),
    ));
    let mut top = role("top", trusting_root);
    top.attached_managed_policies
        .push(aws_policy("AdministratorAccess"));
    let inv = with_dev(
        doc(vec![stmt(
            "Allow",
            json!("sts:AssumeRole"),
            json!(format!("arn:aws:iam::{ACCT}:role/hop")),
            None,
        )]),
        vec![hop.clone(), top.clone()],
    );
    let g = Analysis::build(&inv);
    let p = &g.paths(&user_arn("dev"))[0];
    assert_eq!(p.method, "AssumeRole");
    assert_eq!(p.hops.len(), 2, "{:#?}", p.hops);
    assert_eq!(p.hops[1].statements[0].policy, "next (inline)");
    assert_eq!(
        g.who_can_admin()
            .iter()
            .find(|(a, _)| *a == user_arn("dev"))
            .unwrap()
            .1,
        2
    );
    // Broken chain: top does not trust the account, so hop cannot go on.
    let mut top2 = top;
    top2.assume_role_policy_document = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let inv = with_dev(
        doc(vec![stmt(
            "Allow",
            json!("sts:AssumeRole"),
            json!(format!("arn:aws:iam::{ACCT}:role/hop")),
            None,
        )]),
        vec![hop, top2],
    );
    assert!(dev_methods(&inv).is_empty(), "{:?}", dev_methods(&inv));
}

#[test]
fn group_policy_write_counts_only_on_the_principals_group() {
    // dev is in no group; alice's group devs exists: writing it reaches alice, not dev.
    let inv = with_dev(allow(json!("iam:PutGroupPolicy")), vec![]);
    assert!(dev_methods(&inv).is_empty());
    let mut inv = inv;
    inv.user_detail_list
        .iter_mut()
        .find(|u| u.user_name == "dev")
        .unwrap()
        .group_list
        .push("devs".into());
    assert_eq!(dev_methods(&inv), ["PutGroupPolicy"]);
}

#[test]
fn split_policies_combine_and_mfa_is_shown() {
    // PassRole in one policy, RunInstances in another (and only with MFA).
    let mut inv = with_dev(
        allow(json!("iam:PassRole")),
        vec![admin_role("a", "ec2.amazonaws.com")],
    );
    let dev = inv
        .user_detail_list
        .iter_mut()
        .find(|u| u.user_name == "dev")
        .unwrap();
    dev.user_policy_list.push(inline(
        "run",
        doc(vec![stmt(
            "Allow",
            json!("ec2:RunInstances"),
            json!("*"),
            Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        )]),
    ));
    let g = Analysis::build(&inv);
    let p = &g.paths(&user_arn("dev"))[0];
    assert_eq!(p.granted_by, ["p (inline)", "run (inline)"]);
    assert!(p.needs_mfa);
    let f = run(&inv);
    let x = f
        .iter()
        .find(|f| f.kind == PRIVESC && f.resources[0].name == "dev")
        .unwrap();
    assert!(
        x.title
            .contains("granted by p (inline), run (inline) [needs MFA]"),
        "{}",
        x.title
    );
}

#[test]
fn user_boundary_methods() {
    // Everything in the identity policy, capped by a boundary that allows only `action`.
    let bounded = |action: &str, cond: Option<Value>| {
        let mut inv = clean();
        let mut u = user("dev");
        u.user_policy_list = vec![inline("p", allow(json!("*")))];
        u.permissions_boundary = Some(attached("B", &format!("arn:aws:iam::{ACCT}:policy/B")));
        inv.user_detail_list.push(u);
        inv.policies.push(managed(
            "B",
            doc(vec![stmt("Allow", json!(action), json!("*"), cond)]),
            1,
        ));
        inv
    };
    assert_eq!(
        dev_methods(&bounded("iam:DeleteUserPermissionsBoundary", None)),
        ["DeleteUserPermissionsBoundary"]
    );
    assert_eq!(
        dev_methods(&bounded("iam:PutUserPermissionsBoundary", None)),
        ["PutUserPermissionsBoundary"]
    );
    // Pinned to the boundary it has: no way out.
    let pinned = bounded(
        "iam:PutUserPermissionsBoundary",
        Some(json!({"StringEquals": {"iam:PermissionsBoundary":
            format!("arn:aws:iam::{ACCT}:policy/B")}})),
    );
    assert!(
        dev_methods(&pinned).is_empty(),
        "{:?}",
        dev_methods(&pinned)
    );
}

// ------------------------------------------------------------ docs

/// docs/posture-rules.md carries the catalog between markers; regenerate with
/// `UPDATE_DOCS=1 cargo test --lib posture::tests::escalation::docs`.
#[test]
fn docs_list_the_catalog() {
    use crate::posture::policy::escalation::{DOC_BEGIN, DOC_END, catalog_markdown};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/posture-rules.md");
    let have = std::fs::read_to_string(path).unwrap();
    let (Some(b), Some(e)) = (have.find(DOC_BEGIN), have.find(DOC_END)) else {
        panic!("docs/posture-rules.md lacks the generated escalation section markers");
    };
    let current = &have[b..e + DOC_END.len()];
    let want = catalog_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() && current != want {
        std::fs::write(path, have.replacen(current, &want, 1)).unwrap();
        return;
    }
    assert_eq!(
        current, want,
        "docs/posture-rules.md is stale: run UPDATE_DOCS=1 cargo test --lib posture::tests::escalation::docs"
    );
}
