//! Posture tests: services per region.

use super::*;

fn status(service: &str, region: &str, enabled: bool, detail: Option<&str>) -> ServiceStatus {
    ServiceStatus {
        service: service.into(),
        region: region.into(),
        enabled,
        detail: detail.map(str::to_string),
    }
}

fn run_services(services: &[ServiceStatus]) -> Vec<Finding> {
    let cfg = PostureConfig::default();
    let regions = ["us-east-1".to_string(), "eu-west-1".to_string()];
    evaluate(&PostureInput {
        regions: &regions,
        services,
        ..input(None, &cfg)
    })
}

#[test]
fn access_analyzer_unused_access_only_does_not_count() {
    let f = run_services(&[
        status(
            "access-analyzer",
            "us-east-1",
            true,
            Some("ACCOUNT_UNUSED_ACCESS"),
        ),
        status("access-analyzer", "eu-west-1", true, Some("ACCOUNT")),
    ]);
    let x = one(&f, AA_MISSING);
    assert_eq!(x.region, "us-east-1");
    assert_eq!(
        x.resources[0].arn,
        format!("arn:aws:access-analyzer:us-east-1:{ACCT}:")
    );
    assert_eq!(x.resources[0].region.as_deref(), Some("us-east-1"));
    assert_eq!(x.control_id.as_deref(), Some("IAM.28"));
    assert!(
        x.controls
            .contains(&Control::new(framework::CIS_3_0, "1.20"))
    );
    assert!(x.title.contains("only ACCOUNT_UNUSED_ACCESS"));
}

#[test]
fn access_analyzer_detail_formats() {
    let f = run_services(&[
        status(
            "access-analyzer",
            "us-east-1",
            true,
            Some("arn:aws:access-analyzer:us-east-1:111122223333:analyzer/x; type=ORGANIZATION"),
        ),
        status("access-analyzer", "eu-west-1", true, None),
    ]);
    none(&f, AA_MISSING);
    let f = run_services(&[
        status("access-analyzer", "us-east-1", false, None),
        status(
            "access-analyzer",
            "eu-west-1",
            true,
            Some("type=organization_unused_access"),
        ),
    ]);
    assert_eq!(only(&f, AA_MISSING).len(), 2);
    assert_eq!(
        super::account::analyzer_type(Some("arn:x; type=ACCOUNT")).as_deref(),
        Some("ACCOUNT")
    );
    assert_eq!(
        super::account::analyzer_type(Some("account")).as_deref(),
        Some("ACCOUNT")
    );
    assert_eq!(super::account::analyzer_type(Some("arn:aws:x")), None);
}

#[test]
fn guardduty_and_security_hub_disabled_per_region() {
    let f = run_services(&[
        status("guardduty", "us-east-1", false, None),
        status("guardduty", "eu-west-1", true, Some("detector 12ab")),
        status("securityhub", "eu-west-1", false, None),
        status("securityhub", "us-east-1", true, None),
        // Outside the selected regions: ignored.
        status("guardduty", "ap-south-1", false, None),
    ]);
    let gd = one(&f, GD_DISABLED);
    assert_eq!(gd.region, "us-east-1");
    assert_eq!(gd.control_id.as_deref(), Some("GuardDuty.1"));
    assert_eq!(
        gd.resources[0].arn,
        format!("arn:aws:guardduty:us-east-1:{ACCT}:")
    );
    let sh = one(&f, SH_DISABLED);
    assert_eq!(sh.region, "eu-west-1");
    assert_eq!(
        sh.id,
        format!("po:service.securityhub.disabled:arn:aws:securityhub:eu-west-1:{ACCT}:")
    );
}

#[test]
fn unknown_service_state_is_not_a_finding() {
    assert!(run_services(&[]).is_empty());
    let f = run_services(&[
        status("guardduty", "us-east-1", true, None),
        status("securityhub", "us-east-1", true, None),
        status("access-analyzer", "us-east-1", true, Some("ACCOUNT")),
    ]);
    assert!(f.is_empty());
}
