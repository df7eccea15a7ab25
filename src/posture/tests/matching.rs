//! Differential tests of the fast action matching the escalation graph uses: compiled action
//! patterns against the reference `glob_match`, the one-pass screen of many actions against
//! `may_allow` per action, and the literal-resource narrowing against full evaluation.

use super::*;
use crate::posture::policy::document::{ActionPattern, action_service};
use crate::posture::policy::{ActionSet, Permissions, Request, Target, user_permissions};
use proptest::prelude::*;

/// Action patterns with the shapes the matcher special-cases (exact, all-stars, prefix,
/// general glob), mixed case, padding, a literal `*` in the text, and non-ASCII.
const PATTERNS: [&str; 18] = [
    "iam:PassRole",
    "IAM:passrole",
    " iam:CreateAccessKey ",
    "iam:*",
    "iam:Pass*",
    "iam:Pass?ole",
    "i*",
    "*",
    "**",
    "*:*",
    "?am:PassRole",
    "sts:AssumeRole",
    "sts:*",
    "s3:GetObject",
    "lambda:*",
    "*Role",
    "iam",
    "",
];

const ACTIONS: [&str; 9] = [
    "iam:PassRole",
    "iam:CreateAccessKey",
    "sts:AssumeRole",
    "lambda:CreateFunction",
    "s3:GetObject",
    "ec2:RunInstances",
    "iam:*",
    "*",
    "iAm:PASSROLE",
];

const RESOURCES: [&str; 7] = [
    "*",
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:iam::111122223333:user/BOB",
    "arn:aws:iam::*:user/b*",
    "arn:aws:iam::111122223333:user/${aws:username}",
    "arn:aws:iam::111122223333:role/r",
    " arn:aws:iam::111122223333:user/carol ",
];

const TARGETS: [&str; 5] = [
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:iam::111122223333:user/Bob",
    "arn:aws:iam::111122223333:user/carol",
    "arn:aws:iam::111122223333:user/dev",
    "arn:aws:iam::111122223333:role/r",
];

fn pick<const N: usize>(all: &'static [&'static str; N]) -> impl Strategy<Value = &'static str> {
    (0..N).prop_map(move |i| all[i])
}

/// One random statement over the vocabularies above.
fn statement() -> impl Strategy<Value = Value> {
    (
        prop::bool::weighted(0.75),
        prop::bool::weighted(0.15),
        prop::collection::vec(pick(&PATTERNS), 1..3),
        prop::bool::weighted(0.15),
        prop::collection::vec(pick(&RESOURCES), 1..3),
        0..4usize,
    )
        .prop_map(
            |(allow, not_action, actions, not_resource, resources, cond)| {
                let mut s = json!({"Effect": if allow { "Allow" } else { "Deny" }});
                s[if not_action { "NotAction" } else { "Action" }] = json!(actions);
                s[if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                }] = json!(resources);
                match cond {
                    1 => s["Condition"] = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                    2 => s["Condition"] = json!({"StringEquals": {"aws:username": "dev"}}),
                    _ => {}
                }
                s
            },
        )
}

/// User `dev` with one inline policy of `stmts` and, if any, a boundary of `bound`.
fn principal(stmts: Vec<Value>, bound: Vec<Value>) -> Permissions {
    let mut inv = clean();
    let mut u = user("dev");
    u.user_policy_list = vec![inline(
        "p",
        json!({"Version": "2012-10-17", "Statement": stmts}),
    )];
    inv.user_detail_list.push(u);
    let mut p = user_permissions(&inv, inv.user("dev").unwrap());
    if !bound.is_empty() {
        let mut b = user("b");
        b.user_policy_list = vec![inline(
            "b",
            json!({"Version": "2012-10-17", "Statement": bound}),
        )];
        inv.user_detail_list.push(b);
        p.boundary = Some(user_permissions(&inv, inv.user("b").unwrap()).identity);
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The compiled pattern answers exactly as glob_match on the trimmed pattern, and its
    /// service filter never drops a match.
    #[test]
    fn compiled_pattern_agrees_with_glob(
        pattern in "[ aAbB:*?é]{0,7}",
        action in "[aAbB:*?é]{0,7}",
    ) {
        let compiled = ActionPattern::new(&pattern);
        let want = glob_match(pattern.trim(), &action);
        prop_assert_eq!(compiled.matches(&action), want);
        if let Some(svc) = compiled.service() {
            prop_assert!(!want || svc.eq_ignore_ascii_case(action_service(&action)));
        }
    }

    #[test]
    fn compiled_pattern_agrees_with_glob_on_iam_vocabulary(
        pattern in pick(&PATTERNS),
        action in pick(&ACTIONS),
    ) {
        let compiled = ActionPattern::new(pattern);
        prop_assert_eq!(compiled.matches(action), glob_match(pattern.trim(), action));
    }

    /// The one-pass screen of a fixed action list equals `may_allow` action by action.
    #[test]
    fn may_allow_each_agrees_with_may_allow(
        stmts in prop::collection::vec(statement(), 1..6),
        bound in prop::collection::vec(statement(), 0..3),
    ) {
        let p = principal(stmts, bound);
        let set = ActionSet::new(ACTIONS.iter().map(|a| a.to_string()).collect());
        let each = p.may_allow_each(&set);
        for (i, a) in ACTIONS.iter().enumerate() {
            prop_assert_eq!(each[i], p.may_allow(a), "{}", a);
        }
    }

    /// A target outside the literal resources of an action's view is never allowed; and
    /// skipping the MFA world when no statement reads an MFA key changes no answer (the
    /// reference has an inert statement that reads one, so it always evaluates both worlds).
    #[test]
    fn literal_narrowing_and_mfa_skip_change_no_answer(
        stmts in prop::collection::vec(statement(), 1..6),
        bound in prop::collection::vec(statement(), 0..3),
    ) {
        let mut with_inert = stmts.clone();
        with_inert.push(json!({"Effect": "Allow", "Action": "*",
            "Resource": "arn:aws:s3:::never-a-target",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}));
        let p = principal(stmts, bound.clone());
        let reference = principal(with_inert, bound);
        for action in ACTIONS {
            let view = p.view(action);
            let literal = view.literal_resources();
            for t in TARGETS {
                let req = Request::new(action, Target::Arn(t));
                let got = view.allows(&req);
                prop_assert_eq!(&got, &reference.allows(&req), "{} on {}", action, t);
                if got.is_some() && let Some(l) = &literal {
                    prop_assert!(l.contains(&t.to_ascii_lowercase()), "{} on {}", action, t);
                }
            }
        }
    }
}
