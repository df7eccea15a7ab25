//! Undo: the plan that puts an action back, rebuilt from the catalog (the action, the targets
//! its calls name, checked against the shape the catalog gives that action) and the state
//! captured before it; never replayed from calls a journal line lists. And the facts that show
//! a call took effect, which the undo re-reads first (refusing when the resource changed since
//! the action) and crash verification re-reads to tell "took effect" from "did not".

use super::findings::{ShTarget, sh_update_calls};
use super::iam::{Principal, password_policy_params};
use super::{
    ANALYZER_NAME, Action, DENY_ALL_POLICY, QUARANTINE_POLICY, REVOKE_POLICY_NAME,
    UNUSED_ANALYZER_NAME,
};
use crate::model::{PasswordPolicy, Workflow};
use crate::remediation::{ApiCall, Capture, Plan, Precondition, UndoPlan};
use serde_json::{Value, json};

/// The facts that hold once call `i` of `plan` took effect, as `(i, fact)`. Calls whose
/// effect cannot be read back (GuardDuty feedback, enabling a service) have none.
pub fn effect_checks(plan: &Plan) -> Vec<(usize, Precondition)> {
    plan.calls
        .iter()
        .enumerate()
        .filter_map(|(i, c)| effect_of(c).map(|f| (i, f)))
        .collect()
}

fn text(c: &ApiCall, k: &str) -> Option<String> {
    c.params[k].as_str().map(str::to_string)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// What holds once `c` took effect.
fn effect_of(c: &ApiCall) -> Option<Precondition> {
    let user = || text(c, "UserName");
    let role = || text(c, "RoleName");
    let not = |fact: Precondition| Precondition::Not {
        fact: Box::new(fact),
    };
    let region = || c.region.clone().unwrap_or_default();
    Some(match (c.service.as_str(), c.operation.as_str()) {
        ("iam", "UpdateAccessKey") => Precondition::AccessKey {
            user: user()?,
            key_id: text(c, "AccessKeyId")?,
            status: Some(text(c, "Status")?),
        },
        ("iam", "DeleteAccessKey") => not(Precondition::AccessKey {
            user: user()?,
            key_id: text(c, "AccessKeyId")?,
            status: None,
        }),
        ("iam", "DeleteLoginProfile") => not(Precondition::LoginProfileExists { user: user()? }),
        ("iam", "AttachUserPolicy") => Precondition::UserPolicyAttached {
            user: user()?,
            policy_arn: text(c, "PolicyArn")?,
        },
        ("iam", "DetachUserPolicy") => not(Precondition::UserPolicyAttached {
            user: user()?,
            policy_arn: text(c, "PolicyArn")?,
        }),
        ("iam", "AttachRolePolicy") => Precondition::RolePolicyAttached {
            role: role()?,
            policy_arn: text(c, "PolicyArn")?,
        },
        ("iam", "DetachRolePolicy") => not(Precondition::RolePolicyAttached {
            role: role()?,
            policy_arn: text(c, "PolicyArn")?,
        }),
        ("iam", "PutUserPolicy") => Precondition::UserInlinePolicy {
            user: user()?,
            name: text(c, "PolicyName")?,
        },
        ("iam", "DeleteUserPolicy") => not(Precondition::UserInlinePolicy {
            user: user()?,
            name: text(c, "PolicyName")?,
        }),
        ("iam", "PutRolePolicy") => Precondition::RoleInlinePolicy {
            role: role()?,
            name: text(c, "PolicyName")?,
        },
        ("iam", "DeleteRolePolicy") => not(Precondition::RoleInlinePolicy {
            role: role()?,
            name: text(c, "PolicyName")?,
        }),
        ("iam", "AddUserToGroup") => Precondition::UserInGroup {
            user: user()?,
            group: text(c, "GroupName")?,
        },
        ("iam", "RemoveUserFromGroup") => not(Precondition::UserInGroup {
            user: user()?,
            group: text(c, "GroupName")?,
        }),
        ("iam", "UpdateAccountPasswordPolicy") => Precondition::PasswordPolicy {
            params: c.params.clone(),
        },
        ("securityhub", "BatchUpdateFindings") => Precondition::SecurityHubWorkflow {
            region: region(),
            findings: c.params["FindingIdentifiers"].as_array()?.clone(),
            status: c.params["Workflow"]["Status"].as_str()?.to_string(),
        },
        ("guardduty", op @ ("ArchiveFindings" | "UnarchiveFindings")) => {
            Precondition::GuardDutyArchived {
                region: region(),
                detector_id: text(c, "DetectorId")?,
                finding_ids: strings(&c.params["FindingIds"]),
                archived: op == "ArchiveFindings",
            }
        }
        ("iam", "TagUser") => Precondition::UserTag {
            user: user()?,
            key: c.params["Tags"][0]["Key"].as_str()?.to_string(),
            value: c.params["Tags"][0]["Value"].as_str()?.to_string(),
        },
        ("ec2", "RevokeSecurityGroupIngress") => not(Precondition::SecurityGroupIngress {
            region: region(),
            group_id: text(c, "GroupId")?,
            permissions: c.params["IpPermissions"].clone(),
        }),
        ("ec2", "AuthorizeSecurityGroupIngress") => Precondition::SecurityGroupIngress {
            region: region(),
            group_id: text(c, "GroupId")?,
            permissions: c.params["IpPermissions"].clone(),
        },
        ("s3control", "PutPublicAccessBlock") => Precondition::AccountPublicAccessBlock {
            region: region(),
            account: text(c, "AccountId")?,
            config: c.params["PublicAccessBlockConfiguration"].clone(),
        },
        ("ec2", op @ ("EnableEbsEncryptionByDefault" | "DisableEbsEncryptionByDefault")) => {
            Precondition::EbsEncryptionByDefault {
                region: region(),
                enabled: op == "EnableEbsEncryptionByDefault",
            }
        }
        ("ec2", "ModifyInstanceMetadataOptions") => Precondition::InstanceHttpTokens {
            region: region(),
            instance_id: text(c, "InstanceId")?,
            http_tokens: text(c, "HttpTokens")?,
        },
        ("cloudtrail", "UpdateTrail") => Precondition::TrailValidation {
            region: region(),
            trail: text(c, "Name")?,
            enabled: c.params["EnableLogFileValidation"].as_bool()?,
        },
        ("cloudtrail", op @ ("StartLogging" | "StopLogging")) => Precondition::TrailLogging {
            region: region(),
            trail: text(c, "Name")?,
            logging: op == "StartLogging",
        },
        ("access-analyzer", "UpdateFindings") => Precondition::AccessAnalyzerStatus {
            region: region(),
            analyzer_arn: text(c, "analyzerArn")?,
            ids: strings(&c.params["ids"]),
            status: text(c, "status")?,
        },
        _ => return None,
    })
}

/// Why a journaled action cannot be undone.
fn bad(plan: &Plan, c: &ApiCall) -> String {
    format!(
        "journal entry for {} holds a call the catalog never makes for it ({}): not undone",
        plan.action,
        c.permission()
    )
}

/// The plan that undoes `plan`, of which the calls with `done[i]` took effect; `captured` is
/// the state saved before it, `outputs[i]` call i's output. Rebuilt from the catalog: every
/// call is checked against what the catalog makes for that action, and the undo calls are the
/// catalog's inverse of it. Its preconditions are the facts those calls left behind, so the
/// undo refuses (journaled) when the resource changed since. `undo_of` is left to the caller.
pub fn rebuild_undo(
    plan: &Plan,
    done: &[bool],
    captured: &Value,
    outputs: &[Value],
) -> Result<Plan, String> {
    use Action::*;
    if plan.undo_of.is_some() {
        return Err("an undo is not itself undone with `u`; run the action again instead".into());
    }
    if let UndoPlan::Irreversible { reason } = &plan.undo {
        return Err(format!("IRREVERSIBLE: {reason}"));
    }
    let ran: Vec<(usize, &ApiCall)> = plan
        .calls
        .iter()
        .enumerate()
        .filter(|(i, _)| done.get(*i).copied().unwrap_or(false))
        .collect();
    if ran.is_empty() {
        return Err("no call of it took effect: nothing to undo".into());
    }
    let need = |c: &ApiCall, k: &str| text(c, k).ok_or_else(|| bad(plan, c));
    let mut calls: Vec<ApiCall> = Vec::new();
    match plan.action {
        DeactivateAccessKey | ActivateAccessKey => {
            let (from, to) = if plan.action == DeactivateAccessKey {
                ("Inactive", "Active")
            } else {
                ("Active", "Inactive")
            };
            for (_, c) in &ran {
                if c.operation != "UpdateAccessKey" || c.params["Status"] != from {
                    return Err(bad(plan, c));
                }
                calls.push(ApiCall::iam(
                    "UpdateAccessKey",
                    json!({"UserName": need(c, "UserName")?, "AccessKeyId": need(c, "AccessKeyId")?, "Status": to}),
                ));
            }
        }
        Quarantine | DenyAll => {
            let arn = if plan.action == Quarantine {
                QUARANTINE_POLICY
            } else {
                DENY_ALL_POLICY
            };
            for (_, c) in &ran {
                if c.params["PolicyArn"] != arn {
                    return Err(bad(plan, c));
                }
                calls.push(principal_of(plan, c)?.detach(arn));
            }
        }
        RevokeSessions => {
            for (_, c) in &ran {
                if !c.operation.starts_with("Put") || c.params["PolicyName"] != REVOKE_POLICY_NAME {
                    return Err(bad(plan, c));
                }
                calls.push(principal_of(plan, c)?.delete_inline(REVOKE_POLICY_NAME));
            }
        }
        DetachUserPolicy => {
            for (_, c) in &ran {
                if c.operation != "DetachUserPolicy" {
                    return Err(bad(plan, c));
                }
                let user = need(c, "UserName")?;
                calls.push(Principal::User(&user).attach(&need(c, "PolicyArn")?));
            }
        }
        RemoveUserFromGroup => {
            for (_, c) in &ran {
                if c.operation != "RemoveUserFromGroup" {
                    return Err(bad(plan, c));
                }
                calls.push(ApiCall::iam(
                    "AddUserToGroup",
                    json!({"GroupName": need(c, "GroupName")?, "UserName": need(c, "UserName")?}),
                ));
            }
        }
        PasswordPolicyCis | ContainPrincipal => {
            let allowed: &[&str] = if plan.action == PasswordPolicyCis {
                &["UpdateAccountPasswordPolicy"]
            } else {
                &[
                    "UpdateAccessKey",
                    "PutUserPolicy",
                    "PutRolePolicy",
                    "AttachUserPolicy",
                    "AttachRolePolicy",
                ]
            };
            for (_, c) in &ran {
                let inactive = c.operation != "UpdateAccessKey" || c.params["Status"] == "Inactive";
                let catalog_policy = !c.operation.starts_with("Attach")
                    || c.params["PolicyArn"] == QUARANTINE_POLICY;
                let revoke =
                    !c.operation.starts_with("Put") || c.params["PolicyName"] == REVOKE_POLICY_NAME;
                if !allowed.contains(&c.operation.as_str())
                    || !inactive
                    || !catalog_policy
                    || !revoke
                {
                    return Err(bad(plan, c));
                }
            }
            let mut ran_plan = plan.clone();
            ran_plan.calls = ran.iter().map(|(_, c)| (*c).clone()).collect();
            calls = undo_from_capture(&ran_plan, captured);
        }
        SecurityHubWorkflow => calls = securityhub_undo(plan, &ran)?,
        GuardDutyArchive | GuardDutyUnarchive => {
            let (op, back) = if plan.action == GuardDutyArchive {
                ("ArchiveFindings", "UnarchiveFindings")
            } else {
                ("UnarchiveFindings", "ArchiveFindings")
            };
            for (_, c) in &ran {
                if c.service != "guardduty" || c.operation != op {
                    return Err(bad(plan, c));
                }
                calls.push(ApiCall {
                    service: "guardduty".into(),
                    operation: back.into(),
                    region: c.region.clone(),
                    params: json!({"DetectorId": need(c, "DetectorId")?, "FindingIds": strings(&c.params["FindingIds"])}),
                });
            }
        }
        AccessAnalyzerArchive | AccessAnalyzerUnarchive => {
            let (status, back) = if plan.action == AccessAnalyzerArchive {
                ("ARCHIVED", "ACTIVE")
            } else {
                ("ACTIVE", "ARCHIVED")
            };
            for (_, c) in &ran {
                if c.service != "access-analyzer"
                    || c.operation != "UpdateFindings"
                    || c.params["status"] != status
                {
                    return Err(bad(plan, c));
                }
                calls.push(ApiCall {
                    service: "access-analyzer".into(),
                    operation: "UpdateFindings".into(),
                    region: c.region.clone(),
                    params: json!({"analyzerArn": need(c, "analyzerArn")?, "ids": strings(&c.params["ids"]), "status": back}),
                });
            }
        }
        EnableGuardDuty => {
            let (i, c) = ran[0];
            let detector = outputs
                .get(i)
                .and_then(|o| o["DetectorId"].as_str())
                .ok_or("the detector's id was not journaled: delete it in the console")?;
            if c.operation != "CreateDetector" {
                return Err(bad(plan, c));
            }
            calls.push(ApiCall {
                service: "guardduty".into(),
                operation: "DeleteDetector".into(),
                region: c.region.clone(),
                params: json!({"DetectorId": detector}),
            });
        }
        EnableSecurityHub => {
            let (_, c) = ran[0];
            if c.operation != "EnableSecurityHub" {
                return Err(bad(plan, c));
            }
            calls.push(ApiCall {
                service: "securityhub".into(),
                operation: "DisableSecurityHub".into(),
                region: c.region.clone(),
                params: json!({}),
            });
        }
        EnableAccessAnalyzer | EnableUnusedAccessAnalyzer => {
            let (_, c) = ran[0];
            let name = if plan.action == EnableAccessAnalyzer {
                ANALYZER_NAME
            } else {
                UNUSED_ANALYZER_NAME
            };
            if c.operation != "CreateAnalyzer" || c.params["analyzerName"] != name {
                return Err(bad(plan, c));
            }
            calls.push(ApiCall {
                service: "access-analyzer".into(),
                operation: "DeleteAnalyzer".into(),
                region: c.region.clone(),
                params: json!({"analyzerName": name}),
            });
        }
        RevokeWorldIngress => {
            for (_, c) in &ran {
                if c.service != "ec2" || c.operation != "RevokeSecurityGroupIngress" {
                    return Err(bad(plan, c));
                }
                let perms = &c.params["IpPermissions"];
                if crate::remediation::ec2_rules(perms).is_empty() {
                    return Err(bad(plan, c));
                }
                calls.push(ApiCall {
                    service: "ec2".into(),
                    operation: "AuthorizeSecurityGroupIngress".into(),
                    region: c.region.clone(),
                    params: json!({"GroupId": need(c, "GroupId")?, "IpPermissions": perms}),
                });
            }
        }
        BlockPublicAccess => {
            // The settings read before the change, recorded in the plan's own undo.
            let (_, c) = ran[0];
            let before = match &plan.undo {
                UndoPlan::Calls { calls } => calls.first(),
                _ => None,
            };
            let Some(before) = before.filter(|u| {
                c.service == "s3control"
                    && c.operation == "PutPublicAccessBlock"
                    && u.service == "s3control"
                    && u.operation == "PutPublicAccessBlock"
                    && u.params["AccountId"] == c.params["AccountId"]
            }) else {
                return Err(bad(plan, c));
            };
            calls.push(before.clone());
        }
        EnableEbsDefaultEncryption => {
            let (_, c) = ran[0];
            if c.service != "ec2" || c.operation != "EnableEbsEncryptionByDefault" {
                return Err(bad(plan, c));
            }
            calls.push(ApiCall {
                service: "ec2".into(),
                operation: "DisableEbsEncryptionByDefault".into(),
                region: c.region.clone(),
                params: json!({}),
            });
        }
        RequireImdsV2 => {
            for (_, c) in &ran {
                if c.service != "ec2"
                    || c.operation != "ModifyInstanceMetadataOptions"
                    || c.params["HttpTokens"] != "required"
                {
                    return Err(bad(plan, c));
                }
                calls.push(ApiCall {
                    service: "ec2".into(),
                    operation: "ModifyInstanceMetadataOptions".into(),
                    region: c.region.clone(),
                    params: json!({"InstanceId": need(c, "InstanceId")?, "HttpTokens": "optional"}),
                });
            }
        }
        TagOwner => {
            let (_, c) = ran[0];
            let (user, key) = (need(c, "UserName")?, c.params["Tags"][0]["Key"].as_str());
            let Some(key) = key.filter(|_| c.operation == "TagUser") else {
                return Err(bad(plan, c));
            };
            // The previous value was recorded at plan time: only a TagUser or UntagUser of
            // the same user and key is accepted from it.
            let recorded = match &plan.undo {
                UndoPlan::Calls { calls } => calls.first(),
                _ => None,
            };
            match recorded {
                Some(u)
                    if u.operation == "TagUser"
                        && u.params["UserName"] == user.as_str()
                        && u.params["Tags"][0]["Key"] == key =>
                {
                    calls.push(ApiCall::iam(
                        "TagUser",
                        json!({"UserName": user, "Tags": [{"Key": key, "Value": u.params["Tags"][0]["Value"].as_str().unwrap_or_default()}]}),
                    ));
                }
                _ => calls.push(ApiCall::iam(
                    "UntagUser",
                    json!({"UserName": user, "TagKeys": [key]}),
                )),
            }
        }
        EnableLogFileValidation | StartLogging => {
            let (op, on, back) = if plan.action == StartLogging {
                ("StartLogging", None, "StopLogging")
            } else {
                ("UpdateTrail", Some(true), "UpdateTrail")
            };
            for (_, c) in &ran {
                if c.service != "cloudtrail"
                    || c.operation != op
                    || on.is_some_and(|v| c.params["EnableLogFileValidation"] != v)
                {
                    return Err(bad(plan, c));
                }
                let trail = need(c, "Name")?;
                let params = match on {
                    Some(_) => json!({"Name": trail, "EnableLogFileValidation": false}),
                    None => json!({"Name": trail}),
                };
                calls.push(ApiCall {
                    service: "cloudtrail".into(),
                    operation: back.into(),
                    region: c.region.clone(),
                    params,
                });
            }
        }
        StartConfigRecorder | EnableConfig => {
            // The undo recorded at plan time, checked against the catalog's shape: the same
            // region and recorder, Config's stop / delete calls only.
            let UndoPlan::Calls { calls: recorded } = &plan.undo else {
                return Err(format!("{} has no recorded undo", plan.action));
            };
            let region = ran[0].1.region.clone();
            for (_, c) in &ran {
                if c.service != "config" || c.region != region {
                    return Err(bad(plan, c));
                }
            }
            let allowed = [
                "StopConfigurationRecorder",
                "DeleteDeliveryChannel",
                "DeleteConfigurationRecorder",
            ];
            let started = ran
                .iter()
                .any(|(_, c)| c.operation == "StartConfigurationRecorder");
            for c in recorded {
                if c.service != "config"
                    || c.region != region
                    || !allowed.contains(&c.operation.as_str())
                {
                    return Err(bad(plan, c));
                }
                let made = match c.operation.as_str() {
                    "StopConfigurationRecorder" => started,
                    "DeleteDeliveryChannel" => {
                        ran.iter().any(|(_, r)| r.operation == "PutDeliveryChannel")
                    }
                    _ => ran
                        .iter()
                        .any(|(_, r)| r.operation == "PutConfigurationRecorder"),
                };
                if made {
                    calls.push(c.clone());
                }
            }
        }
        DeleteAccessKey | DeleteLoginProfile | GuardDutyFeedback | SaveConfiguration => {
            return Err(format!("{} cannot be undone", plan.action));
        }
    }
    if calls.is_empty() {
        return Err("nothing to undo: the state saved before shows it was already so".into());
    }
    // One-for-one undos run last change first.
    if !matches!(
        plan.action,
        PasswordPolicyCis
            | ContainPrincipal
            | SecurityHubWorkflow
            | StartConfigRecorder
            | EnableConfig
    ) {
        calls.reverse();
    }
    let mut preconditions: Vec<Precondition> = Vec::new();
    for (i, fact) in effect_checks(plan) {
        if done.get(i).copied().unwrap_or(false) && !preconditions.contains(&fact) {
            preconditions.push(fact);
        }
    }
    Ok(Plan {
        action: plan.action,
        title: format!("Undo: {}", plan.title),
        targets: plan.targets.clone(),
        confirm_text: plan.confirm_text.clone(),
        calls,
        preconditions,
        capture: None,
        undo: UndoPlan::Irreversible {
            reason: "an undo is not itself undone with `u`; run the action again instead".into(),
        },
        destructive: false,
        notes: vec![
            "Re-reads first: if the resource changed since the action, nothing is done.".into(),
        ],
        undo_of: None,
    })
}

/// The user or role a call acts on.
fn principal_of<'a>(plan: &Plan, c: &'a ApiCall) -> Result<Principal<'a>, String> {
    match (c.params["UserName"].as_str(), c.params["RoleName"].as_str()) {
        (Some(u), None) if c.operation.contains("User") => Ok(Principal::User(u)),
        (None, Some(r)) if c.operation.contains("Role") => Ok(Principal::Role(r)),
        _ => Err(bad(plan, c)),
    }
}

/// Security Hub: each finding back to the status it had when the plan was made. Those statuses
/// are what the plan's undo recorded at plan time (the plan line is journaled before any call);
/// they are taken only for findings the calls that ran updated, only as valid workflow
/// statuses, and the calls are rebuilt with the catalog's batching.
fn securityhub_undo(plan: &Plan, ran: &[(usize, &ApiCall)]) -> Result<Vec<ApiCall>, String> {
    let mut changed: Vec<(String, String, String)> = Vec::new();
    for (_, c) in ran {
        if c.service != "securityhub" || c.operation != "BatchUpdateFindings" {
            return Err(bad(plan, c));
        }
        let region = c.region.clone().unwrap_or_default();
        for f in c.params["FindingIdentifiers"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let (Some(id), Some(arn)) = (f["Id"].as_str(), f["ProductArn"].as_str()) {
                changed.push((id.to_string(), arn.to_string(), region.clone()));
            }
        }
    }
    let UndoPlan::Calls { calls: recorded } = &plan.undo else {
        return Err(format!("{} has no recorded previous statuses", plan.action));
    };
    let mut targets: Vec<ShTarget> = Vec::new();
    for c in recorded {
        let previous = c.params["Workflow"]["Status"]
            .as_str()
            .and_then(Workflow::parse)
            .filter(|w| {
                matches!(
                    w,
                    Workflow::New | Workflow::Notified | Workflow::Resolved | Workflow::Suppressed
                )
            })
            .ok_or_else(|| bad(plan, c))?;
        for f in c.params["FindingIdentifiers"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let key = (
                f["Id"].as_str().unwrap_or_default(),
                f["ProductArn"].as_str().unwrap_or_default(),
                c.region.as_deref().unwrap_or_default(),
            );
            if let Some((id, arn, region)) = changed
                .iter()
                .find(|(i, a, r)| (i.as_str(), a.as_str(), r.as_str()) == key)
                && !targets.iter().any(|t| &t.id == id && &t.product_arn == arn)
            {
                targets.push(ShTarget {
                    id: id.clone(),
                    product_arn: arn.clone(),
                    region: region.clone(),
                    previous,
                });
            }
        }
    }
    let status = ran[0].1.params["Workflow"]["Status"]
        .as_str()
        .unwrap_or_default();
    let mut calls = Vec::new();
    for prev in [
        Workflow::New,
        Workflow::Notified,
        Workflow::Resolved,
        Workflow::Suppressed,
    ] {
        let group: Vec<&ShTarget> = targets.iter().filter(|t| t.previous == prev).collect();
        if !group.is_empty() {
            calls.extend(sh_update_calls(
                &group,
                prev,
                &format!("guardpost: undo of {status}"),
            ));
        }
    }
    Ok(calls)
}

/// The undo calls of a [`Capture`]d action, from the state read right before it.
pub fn undo_from_capture(plan: &Plan, captured: &Value) -> Vec<ApiCall> {
    match &plan.capture {
        Some(Capture::PasswordPolicy) => {
            let before = &captured["GetAccountPasswordPolicy"];
            if before.is_null() {
                vec![ApiCall::iam("DeleteAccountPasswordPolicy", json!({}))]
            } else {
                match serde_json::from_value::<PasswordPolicy>(before.clone()) {
                    Ok(p) => vec![ApiCall::iam(
                        "UpdateAccountPasswordPolicy",
                        password_policy_params(&p),
                    )],
                    Err(_) => Vec::new(),
                }
            }
        }
        Some(Capture::User { user }) => {
            let p = Principal::User(user);
            let mut undo = Vec::new();
            let was_active = |id: &str| {
                captured["ListAccessKeys"]["AccessKeyMetadata"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k["AccessKeyId"] == id && k["Status"] == "Active")
            };
            for c in &plan.calls {
                if c.operation == "UpdateAccessKey" && c.params["Status"] == "Inactive" {
                    let id = c.params["AccessKeyId"].as_str().unwrap_or_default();
                    if was_active(id) {
                        undo.push(ApiCall::iam(
                            "UpdateAccessKey",
                            json!({"UserName": user, "AccessKeyId": id, "Status": "Active"}),
                        ));
                    }
                }
            }
            undo.extend(undo_policies(
                p,
                plan,
                &captured["ListUserPolicies"],
                &captured["ListAttachedUserPolicies"],
            ));
            undo
        }
        Some(Capture::Role { role }) => undo_policies(
            Principal::Role(role),
            plan,
            &captured["ListRolePolicies"],
            &captured["ListAttachedRolePolicies"],
        ),
        None => Vec::new(),
    }
}

/// Delete the inline policies and detach the managed ones the plan added, unless the capture
/// shows they were already there.
fn undo_policies(p: Principal<'_>, plan: &Plan, inline: &Value, attached: &Value) -> Vec<ApiCall> {
    let had_inline = |name: &str| {
        inline["PolicyNames"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n == name)
    };
    let had_attached = |arn: &str| {
        attached["AttachedPolicies"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["PolicyArn"] == arn)
    };
    let mut undo = Vec::new();
    for c in &plan.calls {
        if c.operation.starts_with("Put") && c.operation.ends_with("Policy") {
            let name = c.params["PolicyName"].as_str().unwrap_or_default();
            if !had_inline(name) {
                undo.push(p.delete_inline(name));
            }
        }
        if c.operation.starts_with("Attach") {
            let arn = c.params["PolicyArn"].as_str().unwrap_or_default();
            if !had_attached(arn) {
                undo.push(p.detach(arn));
            }
        }
    }
    undo
}
