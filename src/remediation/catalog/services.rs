//! Enabling the detective services a posture rule found missing.

use super::Action;
use crate::remediation::{ApiCall, Plan, UndoPlan};
use serde_json::json;

pub fn enable_guardduty(region: &str) -> Plan {
    Plan {
        action: Action::EnableGuardDuty,
        title: format!("Enable GuardDuty in {region}"),
        targets: vec![format!("guardduty:{region}")],
        confirm_text: region.into(),
        calls: vec![ApiCall::regional(
            "guardduty",
            "CreateDetector",
            region,
            json!({"Enable": true, "FindingPublishingFrequency": "FIFTEEN_MINUTES"}),
        )],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::FromCapture {
            description: "guardduty:DeleteDetector on the detector created (its findings are deleted with it)".into(),
        },
        destructive: false,
        notes: vec!["GuardDuty is billed by the volume of events it analyses (30-day free trial per region).".into()],
        undo_of: None,
    }
}

pub fn enable_securityhub(region: &str) -> Plan {
    Plan {
        action: Action::EnableSecurityHub,
        title: format!("Enable Security Hub in {region}"),
        targets: vec![format!("securityhub:{region}")],
        confirm_text: region.into(),
        calls: vec![ApiCall::regional(
            "securityhub",
            "EnableSecurityHub",
            region,
            json!({"EnableDefaultStandards": true}),
        )],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![ApiCall::regional(
                "securityhub",
                "DisableSecurityHub",
                region,
                json!({}),
            )],
        },
        destructive: false,
        notes: vec!["Security Hub is billed per security check and finding ingested (30-day free trial per region); AWS Config must record resources for its controls.".into()],
        undo_of: None,
    }
}

pub const ANALYZER_NAME: &str = "guardpost-external-access";
pub const UNUSED_ANALYZER_NAME: &str = "guardpost-unused-access";

/// An external-access analyzer (type ACCOUNT: free) or, with `unused`, an unused-access
/// analyzer (ACCOUNT_UNUSED_ACCESS: billed per role and user per month).
pub fn enable_access_analyzer(region: &str, unused: bool) -> Plan {
    let (name, typ, action) = if unused {
        (
            UNUSED_ANALYZER_NAME,
            "ACCOUNT_UNUSED_ACCESS",
            Action::EnableUnusedAccessAnalyzer,
        )
    } else {
        (ANALYZER_NAME, "ACCOUNT", Action::EnableAccessAnalyzer)
    };
    let mut params = json!({"analyzerName": name, "type": typ});
    if unused {
        params["configuration"] = json!({"unusedAccess": {"unusedAccessAge": 90}});
    }
    Plan {
        action,
        title: if unused {
            format!("Create a PAID unused-access analyzer in {region}")
        } else {
            format!("Create an external-access analyzer (free) in {region}")
        },
        targets: vec![format!("access-analyzer:{region}")],
        confirm_text: region.into(),
        calls: vec![ApiCall::regional(
            "access-analyzer",
            "CreateAnalyzer",
            region,
            params,
        )],
        preconditions: vec![],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![ApiCall::regional(
                "access-analyzer",
                "DeleteAnalyzer",
                region,
                json!({"analyzerName": name}),
            )],
        },
        destructive: false,
        notes: if unused {
            vec!["COSTS MONEY: unused-access analysis is billed per IAM role and user analysed per month. It does not count for CIS 1.20 / IAM.28 (an external-access analyzer does).".into()]
        } else {
            vec!["External-access analysis of the account's resources is free.".into()]
        },
        undo_of: None,
    }
}
