//! The demo account's story, as the posture engine sees it: the misconfigurations are
//! flagged and the healthy principals and regions are not.
use guardpost::dataset::{Dataset, Origin};
use guardpost::model::Source;
use guardpost::snapshot::Snapshot;

fn posture() -> Vec<(String, String)> {
    let d = Dataset::from_snapshot(Snapshot::demo(), Origin::Demo, &Default::default());
    d.findings
        .iter()
        .filter(|f| f.source == Source::Posture)
        .map(|f| (f.kind.clone(), f.resources[0].arn.clone()))
        .collect()
}

fn has(p: &[(String, String)], rule: &str, arn_end: &str) -> bool {
    p.iter().any(|(r, a)| r == rule && a.ends_with(arn_end))
}

#[test]
fn misconfigurations_are_flagged() {
    let p = posture();
    assert!(has(&p, "iam.user.console-without-mfa", ":user/bob"));
    assert!(has(
        &p,
        "iam.user.access-key-not-rotated",
        ":user/ci-deploy"
    ));
    assert!(has(&p, "iam.user.multiple-active-keys", ":user/ci-deploy"));
    assert!(has(
        &p,
        "iam.role.trust-any-principal",
        ":role/data-import-role"
    ));
    assert!(has(
        &p,
        "iam.role.external-trust-unrestricted",
        ":role/acme-partner-admin"
    ));
    assert!(has(&p, "iam.break-glass.access-key", ":user/break-glass-2"));
    assert!(has(
        &p,
        "iam.principal.privilege-escalation",
        ":user/ci-deploy"
    ));
    assert!(has(&p, "iam.root.no-hardware-mfa", ":root"));
    assert!(has(&p, "iam.password-policy.min-length", ":root"));
    assert!(has(
        &p,
        "service.securityhub.disabled",
        "ap-southeast-2:111122223333:"
    ));
    assert!(has(
        &p,
        "service.access-analyzer.no-external-analyzer",
        "ap-southeast-2:111122223333:"
    ));
}

#[test]
fn healthy_things_are_not_flagged() {
    let p = posture();
    for user in [":user/alice", ":user/dave", ":user/break-glass-1"] {
        assert!(!has(&p, "iam.user.console-without-mfa", user), "{user}");
        assert!(!has(&p, "iam.user.access-key-not-rotated", user), "{user}");
    }
    assert!(!has(
        &p,
        "iam.break-glass.access-key",
        ":user/break-glass-1"
    ));
    assert!(!has(&p, "iam.break-glass.no-mfa", ":user/break-glass-1"));
    assert!(
        !has(
            &p,
            "iam.role.external-trust-unrestricted",
            ":role/security-audit"
        ),
        "MFA-gated"
    );
    assert!(!has(
        &p,
        "iam.role.external-trust-unrestricted",
        ":role/incident-response"
    ));
    for region in ["us-east-1", "eu-west-1"] {
        let tail = format!("{region}:111122223333:");
        assert!(
            !has(&p, "service.access-analyzer.no-external-analyzer", &tail),
            "{region} has an ACCOUNT analyzer"
        );
        assert!(!has(&p, "service.securityhub.disabled", &tail), "{region}");
        assert!(!has(&p, "service.guardduty.disabled", &tail), "{region}");
    }
}

/// `check` without `--all-findings` reads a dataset that did not evaluate the posture (the
/// report evaluates its own rule selection): the report must be the one the full dataset gives,
/// and the lean dataset must really hold no posture findings (the memory it saves).
#[test]
fn check_reports_the_same_from_the_lean_dataset() {
    use guardpost::check::{CheckArgs, build_report, select};
    use guardpost::config::Config;
    let cfg = Config::default();
    let args = CheckArgs::default();
    assert!(!args.all_findings);
    let sel = select(&args, &cfg.check).unwrap();
    let full = Dataset::from_snapshot(Snapshot::demo(), Origin::Demo, &cfg.posture);
    let lean = guardpost::check::dataset(Snapshot::demo(), Origin::Demo, &args, &cfg.posture);
    assert!(full.findings.iter().any(|f| f.source == Source::Posture));
    assert!(!lean.findings.iter().any(|f| f.source == Source::Posture));
    let pairs = |d: &Dataset| {
        let r = build_report(d, &args, &sel, &cfg.posture);
        r.findings
            .iter()
            .map(|f| (f.rule.clone(), f.resource.arn.clone(), f.severity))
            .collect::<Vec<_>>()
    };
    let from_full = pairs(&full);
    assert!(from_full.len() > 50, "{}", from_full.len());
    assert_eq!(from_full, pairs(&lean));
    // With --all-findings the full dataset is used: posture findings absorb their Security
    // Hub copies instead of being reported twice.
    let all = CheckArgs {
        all_findings: true,
        ..CheckArgs::default()
    };
    let d = guardpost::check::dataset(Snapshot::demo(), Origin::Demo, &all, &cfg.posture);
    assert!(d.findings.iter().any(|f| f.source == Source::Posture));
}
