//! Account-level rules: root user, password policy, support role, server certificates, and
//! the per-region security services.

use super::rules::*;
use super::{Out, days_since};
use crate::model::{CredentialReportRow, IamInventory, ResourceRef};
use serde_json::json;

/// `ACCOUNT`, `ORGANIZATION` (external access) vs `*_UNUSED_ACCESS` / `*_INTERNAL_ACCESS`.
/// `detail` is the analyzer type, or `;`-separated parts (`arn:...; type=ACCOUNT`).
pub(crate) fn analyzer_type(detail: Option<&str>) -> Option<String> {
    let detail = detail?;
    let mut bare = None;
    for part in detail.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some((k, v)) = part.split_once('=')
            && k.trim().eq_ignore_ascii_case("type")
        {
            return Some(v.trim().to_ascii_uppercase());
        }
        if !part.starts_with("arn:") && !part.contains('=') && bare.is_none() {
            bare = Some(part.to_ascii_uppercase());
        }
    }
    bare
}

fn is_external_analyzer(detail: Option<&str>) -> bool {
    match analyzer_type(detail) {
        None => true,
        Some(t) => t == "ACCOUNT" || t == "ORGANIZATION",
    }
}

pub(crate) fn services(out: &mut Out<'_>) {
    let mut regions: Vec<&String> = out.input.regions.iter().collect();
    regions.sort();
    regions.dedup();
    for region in regions {
        let status = |svc: &str| {
            out.input
                .services
                .iter()
                .filter(|s| s.service.eq_ignore_ascii_case(svc) && &s.region == region)
                .collect::<Vec<_>>()
        };
        let gd = status("guardduty");
        let sh = status("securityhub");
        let aa = status("access-analyzer");
        let resource = |svc: &str, out: &Out<'_>| ResourceRef {
            arn: format!("arn:{}:{svc}:{region}:{}:", out.partition(), out.account()),
            kind: "AwsAccount".into(),
            name: format!("{} ({region})", out.account()),
            region: Some(region.clone()),
        };
        if !gd.is_empty() && !gd.iter().any(|s| s.enabled) {
            let r = resource("guardduty", out);
            out.push(
                GD_DISABLED,
                r,
                format!("GuardDuty is not enabled in {region}"),
                format!("No enabled GuardDuty detector in {region}."),
                json!({"region": region, "statuses": gd}),
            );
        }
        if !sh.is_empty() && !sh.iter().any(|s| s.enabled) {
            let r = resource("securityhub", out);
            out.push(
                SH_DISABLED,
                r,
                format!("Security Hub is not enabled in {region}"),
                format!("Security Hub is not enabled in {region}."),
                json!({"region": region, "statuses": sh}),
            );
        }
        if !aa.is_empty()
            && !aa
                .iter()
                .any(|s| s.enabled && is_external_analyzer(s.detail.as_deref()))
        {
            let types: Vec<String> = aa
                .iter()
                .filter(|s| s.enabled)
                .filter_map(|s| analyzer_type(s.detail.as_deref()))
                .collect();
            let (title, detail) = if types.is_empty() {
                (
                    format!("No IAM Access Analyzer analyzer in {region}"),
                    format!("{region} has no active analyzer."),
                )
            } else {
                (
                    format!(
                        "No external-access analyzer in {region} (only {})",
                        types.join(", ")
                    ),
                    format!(
                        "{region} has only analyzers of type {}, which do not report external access.",
                        types.join(", ")
                    ),
                )
            };
            let r = resource("access-analyzer", out);
            out.push(
                AA_MISSING,
                r,
                title,
                detail,
                json!({"region": region, "analyzer_types": types, "statuses": aa}),
            );
        }
    }
}

fn root_row(inv: &IamInventory) -> Option<&CredentialReportRow> {
    inv.credential_report
        .iter()
        .find(|r| r.user == CredentialReportRow::ROOT_USER)
}

pub(crate) fn root(out: &mut Out<'_>, inv: &IamInventory) {
    let row = root_row(inv);
    let acct = out.account_resource();

    // 1.4: GetAccountSummary's AccountAccessKeysPresent, or the report's key columns.
    let mut active_keys = Vec::new();
    if let Some(r) = row {
        if CredentialReportRow::flag(&r.access_key_1_active) {
            active_keys.push("access_key_1");
        }
        if CredentialReportRow::flag(&r.access_key_2_active) {
            active_keys.push("access_key_2");
        }
    }
    if inv.root.account_access_keys_present || !active_keys.is_empty() {
        out.push(
            ROOT_ACCESS_KEY,
            acct.clone(),
            format!("Root user of account {} has an access key", out.account()),
            "The root user has at least one access key.".into(),
            json!({
                "account_access_keys_present": inv.root.account_access_keys_present,
                "credential_report_active_keys": active_keys,
            }),
        );
    }

    // 1.5 / 1.6
    let mfa = inv.root.account_mfa_enabled
        || row.is_some_and(|r| CredentialReportRow::flag(&r.mfa_active));
    if !mfa {
        out.push(
            ROOT_NO_MFA,
            acct.clone(),
            format!("Root user of account {} has no MFA", out.account()),
            "The root user has no MFA device.".into(),
            json!({
                "account_mfa_enabled": inv.root.account_mfa_enabled,
                "credential_report_mfa_active": row.map(|r| r.mfa_active.clone()),
            }),
        );
    } else if inv.root.virtual_mfa {
        out.push(
            ROOT_NO_HARDWARE_MFA,
            acct.clone(),
            format!(
                "Root user of account {} uses a virtual MFA device",
                out.account()
            ),
            "The root user's MFA is a virtual device.".into(),
            json!({"virtual_mfa": true}),
        );
    }

    // 1.7: the most recent root sign-in or key use, from every place that records it.
    let mut uses = Vec::new();
    if let Some(t) = inv.root.password_last_used {
        uses.push(("password", t));
    }
    if let Some(r) = row {
        for (what, v) in [
            ("password", &r.password_last_used),
            ("access key 1", &r.access_key_1_last_used_date),
            ("access key 2", &r.access_key_2_last_used_date),
        ] {
            if let Some(t) = CredentialReportRow::time(v) {
                uses.push((what, t));
            }
        }
    }
    let now = out.now();
    if let Some(&(what, when)) = uses.iter().max_by_key(|(_, t)| *t) {
        let days = days_since(now, when);
        if days < out.config().root_use_days {
            let ago = if days == 0 {
                "today".to_string()
            } else {
                format!("{days} days ago")
            };
            out.push(
                ROOT_RECENT_USE,
                acct,
                format!(
                    "Root user of account {} was used {ago} ({what})",
                    out.account()
                ),
                format!("The root {what} was last used at {}.", when.to_rfc3339()),
                json!({"credential": what, "last_used": when, "days_ago": days,
                       "window_days": out.config().root_use_days}),
            );
        }
    }
}

pub(crate) fn password_policy(out: &mut Out<'_>, inv: &IamInventory) {
    let acct = out.account_resource();
    let want_len = out.config().min_password_length;
    let want_reuse = out.config().password_reuse;
    let Some(p) = &inv.password_policy else {
        // No policy at all: IAM's defaults (8 characters, reuse allowed) apply.
        out.push(
            PW_MIN_LENGTH,
            acct.clone(),
            format!(
                "Account {} has no password policy (minimum length 8)",
                out.account()
            ),
            "No account password policy is set, so IAM's default minimum of 8 characters applies."
                .into(),
            json!({"password_policy": null, "required_minimum": want_len}),
        );
        out.push(
            PW_REUSE,
            acct,
            format!(
                "Account {} has no password policy (password reuse allowed)",
                out.account()
            ),
            "No account password policy is set, so passwords can be reused.".into(),
            json!({"password_policy": null, "required_reuse_prevention": want_reuse}),
        );
        return;
    };
    let len = p.minimum_password_length.unwrap_or(8);
    if len < want_len {
        out.push(
            PW_MIN_LENGTH,
            acct.clone(),
            format!("Password policy allows {len}-character passwords (minimum {want_len})"),
            format!("MinimumPasswordLength is {len}."),
            json!({"minimum_password_length": p.minimum_password_length, "required_minimum": want_len}),
        );
    }
    let reuse = p.password_reuse_prevention.unwrap_or(0);
    if reuse < want_reuse {
        let title = if reuse == 0 {
            "Password policy allows password reuse".to_string()
        } else {
            format!(
                "Password policy prevents reuse of only the last {reuse} passwords (need {want_reuse})"
            )
        };
        out.push(
            PW_REUSE,
            acct,
            title,
            format!("PasswordReusePrevention is {reuse}."),
            json!({"password_reuse_prevention": p.password_reuse_prevention,
                   "required_reuse_prevention": want_reuse}),
        );
    }
}

pub(crate) fn support_role(out: &mut Out<'_>, inv: &IamInventory) {
    let has = inv.role_detail_list.iter().any(|r| {
        r.attached_managed_policies
            .iter()
            .any(|p| p.policy_arn.ends_with(":policy/AWSSupportAccess"))
    });
    if !has {
        let acct = out.account_resource();
        out.push(
            NO_SUPPORT_ROLE,
            acct,
            format!("No role in account {} has AWSSupportAccess", out.account()),
            format!(
                "None of the {} roles has the AWSSupportAccess policy attached.",
                inv.role_detail_list.len()
            ),
            json!({"roles_checked": inv.role_detail_list.len()}),
        );
    }
}

pub(crate) fn server_certificates(out: &mut Out<'_>, inv: &IamInventory) {
    let now = out.now();
    for c in &inv.server_certificates {
        if c.expiration < now {
            let days = days_since(now, c.expiration);
            out.push(
                EXPIRED_CERT,
                ResourceRef {
                    arn: c.arn.clone(),
                    kind: "Other".into(),
                    name: c.server_certificate_name.clone(),
                    region: None,
                },
                format!(
                    "Server certificate {} expired {days} days ago",
                    c.server_certificate_name
                ),
                format!("The certificate expired at {}.", c.expiration.to_rfc3339()),
                json!({"server_certificate_name": c.server_certificate_name,
                       "server_certificate_id": c.server_certificate_id,
                       "expiration": c.expiration, "days_expired": days}),
            );
        }
    }
}

/// The SECURITY alternate contact (when it was read).
pub(crate) fn security_contact(out: &mut Out<'_>) {
    let Some(c) = out.input.contacts else {
        return;
    };
    if c.security.is_some() {
        return;
    }
    let res = out.account_resource();
    out.push(
        NO_SECURITY_CONTACT,
        res,
        format!("Account {} has no security contact", out.account()),
        "No SECURITY alternate contact is set: AWS's security notices go to the root user's email only.".into(),
        json!({"security_contact": null}),
    );
}
