//! IAM (global; the client is pinned to us-east-1): the inventory the posture engine reads.
//!
//! - `GetAccountAuthorizationDetails` (paginated): users, groups, roles, managed policies with
//!   their documents. Documents are URL-encoded JSON: decoded, then parsed (a document that does
//!   not parse is kept as a JSON string). Missing members are tolerated (moto returns ~1,600 AWS
//!   managed policies, some without `PolicyName`); AWS managed policies are kept only when
//!   attached (as the real API returns them), customer managed ones always.
//!   AWS managed policies are left out of it (`Filter`): the attached ones are read with
//!   `GetPolicy` + `GetPolicyVersion`, a few at a time.
//! - Per role without a last-use date: `GetRole` (RoleLastUsed), a few at a time.
//! - Per user: `ListAccessKeys` + `GetAccessKeyLastUsed` per key, `ListMFADevices`,
//!   `GetLoginProfile` (NoSuchEntity = no console password).
//! - Account: `GetAccountPasswordPolicy` (NoSuchEntity = none), `GetAccountSummary`,
//!   `ListVirtualMFADevices` (is root's MFA virtual?), `ListServerCertificates`,
//!   `ListAccountAliases`; `GenerateCredentialReport` (polled) + `GetCredentialReport` (CSV),
//!   started first in its own task and collected last.
//!
//! No call here returns a secret (no secret access key, no password).

use super::pages::Pager;
use super::{LoadMsg, Progress, describe_error, report};
use crate::model::SourceProblem;
use crate::model::iam::{
    AccessKey, AccessKeyLastUsed, AttachedPolicy, CredentialReportRow, IamGroup, IamInventory,
    IamRole, IamUser, InlinePolicy, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy,
    RoleLastUsed, ServerCertificate, Tag,
};
use aws_config::SdkConfig;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::{AssignmentStatusType, EntityType, ReportStateType};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub const SOURCE: &str = "iam";
/// Users read at once (ListAccessKeys, ListMFADevices, GetLoginProfile each).
pub const CONCURRENCY: usize = 4;
/// GetRole calls in flight at once (one per role).
pub const ROLE_CONCURRENCY: usize = 8;
/// GetAccountAuthorizationDetails page size (the API's maximum; its default is 100).
pub const GAAD_PAGE: i32 = 1000;
/// Credential report: how often and how long to poll GenerateCredentialReport.
pub const REPORT_POLL: Duration = Duration::from_millis(500);
pub const REPORT_POLLS: usize = 60;

#[derive(Debug, Default)]
pub struct IamResult {
    pub inventory: Option<IamInventory>,
    pub alias: Option<String>,
    pub problems: Vec<SourceProblem>,
}

fn problem(message: String) -> SourceProblem {
    tracing::warn!(source = SOURCE, %message, "source problem");
    SourceProblem {
        source: SOURCE.into(),
        region: None,
        message,
    }
}

/// smithy time → chrono UTC.
pub fn time(t: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos()).unwrap_or_default()
}

fn time_or_epoch(t: Option<&aws_smithy_types::DateTime>) -> DateTime<Utc> {
    t.map(time).unwrap_or_default()
}

/// A policy document as IAM returns it (URL-encoded JSON) → JSON. Already-decoded text (some
/// emulators) is parsed as is; text that is not JSON is kept as a JSON string.
pub fn decode_policy(raw: &str) -> Value {
    let trimmed = raw.trim_start();
    let text = if trimmed.starts_with('{') {
        std::borrow::Cow::Borrowed(raw)
    } else {
        percent_encoding::percent_decode_str(raw).decode_utf8_lossy()
    };
    serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()))
}

fn attached(p: &aws_sdk_iam::types::AttachedPolicy) -> Option<AttachedPolicy> {
    let arn = p.policy_arn()?;
    Some(AttachedPolicy {
        policy_name: p
            .policy_name()
            .map(str::to_string)
            .unwrap_or_else(|| name_from_arn(arn)),
        policy_arn: arn.to_string(),
    })
}

fn boundary(b: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>) -> Option<AttachedPolicy> {
    let arn = b?.permissions_boundary_arn()?;
    Some(AttachedPolicy {
        policy_name: name_from_arn(arn),
        policy_arn: arn.to_string(),
    })
}

fn name_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

fn inline(p: &aws_sdk_iam::types::PolicyDetail) -> InlinePolicy {
    InlinePolicy {
        policy_name: p.policy_name().unwrap_or_default().to_string(),
        policy_document: p
            .policy_document()
            .map(decode_policy)
            .unwrap_or(Value::Null),
    }
}

fn tags(t: &[aws_sdk_iam::types::Tag]) -> Vec<Tag> {
    t.iter()
        .map(|t| Tag {
            key: t.key().to_string(),
            value: t.value().to_string(),
        })
        .collect()
}

fn user(u: &aws_sdk_iam::types::UserDetail) -> IamUser {
    IamUser {
        user_name: u.user_name().unwrap_or_default().to_string(),
        user_id: u.user_id().unwrap_or_default().to_string(),
        arn: u.arn().unwrap_or_default().to_string(),
        path: u.path().unwrap_or("/").to_string(),
        create_date: time_or_epoch(u.create_date()),
        password_last_used: None,
        tags: tags(u.tags()),
        group_list: u.group_list().to_vec(),
        attached_managed_policies: u
            .attached_managed_policies()
            .iter()
            .filter_map(attached)
            .collect(),
        user_policy_list: u.user_policy_list().iter().map(inline).collect(),
        permissions_boundary: boundary(u.permissions_boundary()),
        access_keys: Vec::new(),
        mfa_devices: Vec::new(),
        login_profile: None,
    }
}

fn group(g: &aws_sdk_iam::types::GroupDetail) -> IamGroup {
    IamGroup {
        group_name: g.group_name().unwrap_or_default().to_string(),
        group_id: g.group_id().unwrap_or_default().to_string(),
        arn: g.arn().unwrap_or_default().to_string(),
        path: g.path().unwrap_or("/").to_string(),
        create_date: time_or_epoch(g.create_date()),
        attached_managed_policies: g
            .attached_managed_policies()
            .iter()
            .filter_map(attached)
            .collect(),
        group_policy_list: g.group_policy_list().iter().map(inline).collect(),
    }
}

fn role(r: &aws_sdk_iam::types::RoleDetail) -> IamRole {
    IamRole {
        role_name: r.role_name().unwrap_or_default().to_string(),
        role_id: r.role_id().unwrap_or_default().to_string(),
        arn: r.arn().unwrap_or_default().to_string(),
        path: r.path().unwrap_or("/").to_string(),
        create_date: time_or_epoch(r.create_date()),
        // Not in GetAccountAuthorizationDetails: filled from GetRole (see `role_details`).
        description: None,
        max_session_duration: None,
        assume_role_policy_document: r
            .assume_role_policy_document()
            .map(decode_policy)
            .unwrap_or(Value::Null),
        tags: tags(r.tags()),
        attached_managed_policies: r
            .attached_managed_policies()
            .iter()
            .filter_map(attached)
            .collect(),
        role_policy_list: r.role_policy_list().iter().map(inline).collect(),
        permissions_boundary: boundary(r.permissions_boundary()),
        role_last_used: r.role_last_used().map(|l| RoleLastUsed {
            last_used_date: l.last_used_date().map(time),
            region: l.region().map(str::to_string),
        }),
    }
}

/// `None` for records without an ARN, and for AWS managed policies attached to nothing.
fn managed_policy(p: &aws_sdk_iam::types::ManagedPolicyDetail) -> Option<ManagedPolicy> {
    let arn = p.arn()?;
    let attachments = p.attachment_count().unwrap_or(0);
    if arn.contains(":iam::aws:policy/") && attachments == 0 {
        return None;
    }
    let default_version = p.default_version_id().unwrap_or_default();
    let document = p
        .policy_version_list()
        .iter()
        .find(|v| v.is_default_version() || v.version_id() == Some(default_version))
        .and_then(|v| v.document())
        .map(decode_policy)
        .unwrap_or(Value::Null);
    Some(ManagedPolicy {
        policy_name: p
            .policy_name()
            .map(str::to_string)
            .unwrap_or_else(|| name_from_arn(arn)),
        policy_id: p.policy_id().unwrap_or_default().to_string(),
        arn: arn.to_string(),
        path: p.path().unwrap_or("/").to_string(),
        default_version_id: default_version.to_string(),
        attachment_count: attachments,
        is_attachable: p.is_attachable(),
        create_date: time_or_epoch(p.create_date()),
        update_date: time_or_epoch(p.update_date().or(p.create_date())),
        description: p.description().map(str::to_string),
        document,
    })
}

// The credential report's CSV is parsed by a pure function (fuzzed by a property test).
pub use crate::normalize::credential_report::{
    parse_credential_report, parse_credential_report_noted,
};

pub async fn load(conf: &SdkConfig, account_id: &str, p: &Progress) -> IamResult {
    Box::pin(load_paged(conf, account_id, GAAD_PAGE, p)).await
}

/// [`load`] with a chosen GetAccountAuthorizationDetails page size (tests use small pages to
/// walk many of them).
pub async fn load_paged(
    conf: &SdkConfig,
    account_id: &str,
    gaad_page: i32,
    p: &Progress,
) -> IamResult {
    // Throttling shows in the progress while the SDK retries (coverage, issue 13).
    let watch = super::ThrottleWatch::new(SOURCE, None, p);
    let client = super::aws::client!(aws_sdk_iam, conf, watch);
    let started = Utc::now();
    // The credential report takes IAM seconds to generate on a real account: start it now, so
    // it is generated while GAAD, policies and roles are read; the per-user reads need it.
    let mut cred_report = AbortOnDrop(tokio::spawn({
        let client = client.clone();
        async move { Box::pin(credential_report(&client)).await }
    }));
    let mut out = IamResult::default();
    let mut inv = IamInventory {
        account_id: account_id.to_string(),
        ..IamInventory::default()
    };

    // GetAccountAuthorizationDetails: without it there is no inventory worth evaluating.
    let mut pager = Pager::default();
    loop {
        let page = match Box::pin(
            client
                .get_account_authorization_details()
                .set_filter(Some(GAAD_FILTER.to_vec()))
                .max_items(gaad_page)
                .set_marker(pager.token())
                .send(),
        )
        .await
        {
            Ok(page) => page,
            Err(e) => {
                out.problems.push(problem(describe_error(
                    "iam:GetAccountAuthorizationDetails",
                    &e,
                )));
                return out;
            }
        };
        let next = pager.advance_marker(
            page.is_truncated(),
            page.marker(),
            "iam:GetAccountAuthorizationDetails",
        );
        inv.user_detail_list
            .extend(page.user_detail_list().iter().map(user));
        inv.group_detail_list
            .extend(page.group_detail_list().iter().map(group));
        inv.role_detail_list
            .extend(page.role_detail_list().iter().map(role));
        inv.policies
            .extend(page.policies().iter().filter_map(managed_policy));
        report(p, iam_msg("pages", pager.pages(), None));
        match next {
            Ok(true) => {}
            Ok(false) => break,
            Err(why) => {
                // What was read is kept; the rest of the account is not.
                out.problems.push(problem(why));
                break;
            }
        }
    }

    // The AWS managed policies attached to someone: not in the (filtered) authorization details.
    let (aws_managed, aws_problems) = Box::pin(fetch_aws_managed_policies(&client, &inv)).await;
    inv.policies.extend(aws_managed);
    for m in aws_problems {
        out.problems.push(problem(m));
    }

    // Description and maximum session duration (ListRoles), RoleLastUsed where GAAD left it out
    // (GetRole): not in GAAD's RoleDetail.
    let roles = std::mem::take(&mut inv.role_detail_list);
    let (roles, role_problems) = Box::pin(role_details(&client, roles, p)).await;
    inv.role_detail_list = roles;
    out.problems.extend(role_problems);

    // The credential report, needed now: a fresh one tells which per-user reads can be skipped.
    let cred_rows = match (&mut cred_report.0).await {
        Ok(r) => r,
        Err(e) => Err(format!("the credential report reader failed: {e}")),
    };
    let fresh = match &cred_rows {
        Ok((rows, Some(at))) if *at >= started - REPORT_TRUSTED_AGE => Some(rows.as_slice()),
        _ => None,
    };

    // Per-user credentials, a few users at a time.
    let users = std::mem::take(&mut inv.user_detail_list);
    let total_users = users.len();
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, u) in users.into_iter().enumerate() {
        let client = client.clone();
        let limit = limit.clone();
        let has = fresh.map_or(Held::ALL, |rows| Held::per_report(rows, &u));
        tasks.spawn(Box::pin(async move {
            let _permit = limit.acquire_owned().await;
            let (u, problems) = Box::pin(user_credentials(client, u, has)).await;
            (i, u, problems)
        }));
    }
    let mut users = Vec::new();
    let mut user_problems: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, u, problems)) => {
                users.push((i, u));
                if users.len().is_multiple_of(25) || users.len() == total_users {
                    report(p, iam_msg("users", users.len(), Some(total_users)));
                }
                for m in problems {
                    *user_problems.entry(m).or_default() += 1;
                }
            }
            Err(e) => out
                .problems
                .push(problem(format!("a user reader failed: {e}"))),
        }
    }
    users.sort_by_key(|(i, _)| *i);
    inv.user_detail_list = users.into_iter().map(|(_, u)| u).collect();
    // One problem per distinct message, not one per user.
    for (m, n) in user_problems {
        out.problems
            .push(problem(if n > 1 { format!("{m} ({n} users)") } else { m }));
    }

    // Account-level facts.
    match Box::pin(client.get_account_password_policy().send()).await {
        Ok(r) => {
            inv.password_policy = r.password_policy().map(|pp| PasswordPolicy {
                minimum_password_length: pp.minimum_password_length(),
                require_symbols: pp.require_symbols(),
                require_numbers: pp.require_numbers(),
                require_uppercase_characters: pp.require_uppercase_characters(),
                require_lowercase_characters: pp.require_lowercase_characters(),
                allow_users_to_change_password: pp.allow_users_to_change_password(),
                expire_passwords: pp.expire_passwords(),
                max_password_age: pp.max_password_age(),
                password_reuse_prevention: pp.password_reuse_prevention(),
                hard_expiry: pp.hard_expiry(),
            })
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_no_such_entity_exception()) => {}
        Err(e) => out
            .problems
            .push(problem(describe_error("iam:GetAccountPasswordPolicy", &e))),
    }
    match Box::pin(client.get_account_summary().send()).await {
        Ok(r) => {
            if let Some(map) = r.summary_map() {
                inv.summary_map = map
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), i64::from(*v)))
                    .collect();
            }
            inv.root.account_mfa_enabled = inv.summary_map.get("AccountMFAEnabled") == Some(&1);
            inv.root.account_access_keys_present =
                inv.summary_map.get("AccountAccessKeysPresent") == Some(&1);
        }
        Err(e) => out
            .problems
            .push(problem(describe_error("iam:GetAccountSummary", &e))),
    }
    if inv.root.account_mfa_enabled {
        match Box::pin(
            client
                .list_virtual_mfa_devices()
                .assignment_status(AssignmentStatusType::Assigned)
                .send(),
        )
        .await
        {
            Ok(r) => {
                let root_arn_suffix = ":root";
                inv.root.virtual_mfa = r.virtual_mfa_devices().iter().any(|d| {
                    d.serial_number().ends_with(":mfa/root-account-mfa-device")
                        || d.user().is_some_and(|u| u.arn().ends_with(root_arn_suffix))
                });
            }
            Err(e) => out
                .problems
                .push(problem(describe_error("iam:ListVirtualMFADevices", &e))),
        }
    }
    let mut pager = Pager::default();
    loop {
        match Box::pin(
            client
                .list_server_certificates()
                .set_marker(pager.token())
                .send(),
        )
        .await
        {
            Ok(r) => {
                inv.server_certificates
                    .extend(r.server_certificate_metadata_list().iter().map(|c| {
                        ServerCertificate {
                            server_certificate_name: c.server_certificate_name().to_string(),
                            server_certificate_id: c.server_certificate_id().to_string(),
                            arn: c.arn().to_string(),
                            upload_date: time_or_epoch(c.upload_date()),
                            expiration: time_or_epoch(c.expiration()),
                        }
                    }));
                match pager.advance_marker(
                    r.is_truncated(),
                    r.marker(),
                    "iam:ListServerCertificates",
                ) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(why) => {
                        out.problems.push(problem(why));
                        break;
                    }
                }
            }
            Err(e) => {
                out.problems
                    .push(problem(describe_error("iam:ListServerCertificates", &e)));
                break;
            }
        }
    }
    match Box::pin(client.list_account_aliases().send()).await {
        Ok(r) => out.alias = r.account_aliases().first().cloned(),
        Err(e) => out
            .problems
            .push(problem(describe_error("iam:ListAccountAliases", &e))),
    }

    match cred_rows {
        Ok((rows, _)) => inv.credential_report = rows,
        Err(m) => out.problems.push(problem(m)),
    }
    // The report is where password and root last-use times live.
    for row in &inv.credential_report {
        let used = CredentialReportRow::time(&row.password_last_used);
        if row.user == CredentialReportRow::ROOT_USER {
            inv.root.password_last_used = used;
        } else if let Some(u) = inv
            .user_detail_list
            .iter_mut()
            .find(|u| u.user_name == row.user)
        {
            u.password_last_used = used;
        }
    }
    out.inventory = Some(inv);
    out
}

/// What GetAccountAuthorizationDetails is asked for: everything but AWS managed policies.
/// Without the filter the response holds every AWS managed policy's document (moto: ~1,600,
/// 10 MB, two thirds of guardpost check's peak memory against it); the few that are attached
/// are fetched one by one instead ([`fetch_aws_managed_policies`]).
const GAAD_FILTER: [EntityType; 4] = [
    EntityType::User,
    EntityType::Role,
    EntityType::Group,
    EntityType::LocalManagedPolicy,
];

/// The AWS managed policies attached to a user, group or role (or used as a permissions
/// boundary) that `inv.policies` lacks: GetPolicy (default version, attachment count) and
/// GetPolicyVersion (the document), [`ROLE_CONCURRENCY`] policies at a time. A policy that
/// cannot be read is left out (the rules treat its document as unknown) and reported once per
/// distinct message.
pub async fn fetch_aws_managed_policies(
    client: &Client,
    inv: &IamInventory,
) -> (Vec<ManagedPolicy>, Vec<String>) {
    let mut arns: Vec<String> = Vec::new();
    let attached = inv
        .user_detail_list
        .iter()
        .flat_map(|u| {
            u.attached_managed_policies
                .iter()
                .chain(&u.permissions_boundary)
        })
        .chain(
            inv.group_detail_list
                .iter()
                .flat_map(|g| &g.attached_managed_policies),
        )
        .chain(inv.role_detail_list.iter().flat_map(|r| {
            r.attached_managed_policies
                .iter()
                .chain(&r.permissions_boundary)
        }));
    for p in attached {
        if p.policy_arn.contains(":iam::aws:policy/")
            && !arns.contains(&p.policy_arn)
            && inv.policy(&p.policy_arn).is_none()
        {
            arns.push(p.policy_arn.clone());
        }
    }
    let limit = Arc::new(tokio::sync::Semaphore::new(ROLE_CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, arn) in arns.into_iter().enumerate() {
        let (client, limit) = (client.clone(), limit.clone());
        tasks.spawn(Box::pin(async move {
            let _permit = limit.acquire_owned().await;
            (i, Box::pin(aws_managed_policy(client, arn)).await)
        }));
    }
    let mut got = Vec::new();
    let mut failed: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, Ok(p))) => got.push((i, p)),
            Ok((_, Err(m))) => *failed.entry(m).or_default() += 1,
            Err(e) => {
                *failed
                    .entry(format!("a policy reader failed: {e}"))
                    .or_default() += 1
            }
        }
    }
    got.sort_by_key(|(i, _)| *i);
    let problems = failed
        .into_iter()
        .map(|(m, n)| {
            if n > 1 {
                format!("{m} ({n} policies)")
            } else {
                m
            }
        })
        .collect();
    (got.into_iter().map(|(_, p)| p).collect(), problems)
}

async fn aws_managed_policy(client: Client, arn: String) -> Result<ManagedPolicy, String> {
    let got = Box::pin(client.get_policy().policy_arn(&arn).send())
        .await
        .map_err(|e| describe_error("iam:GetPolicy", &e))?;
    let p = got
        .policy()
        .ok_or_else(|| format!("iam:GetPolicy {arn}: no policy in the answer"))?;
    let version = p.default_version_id().unwrap_or("v1").to_string();
    let v = Box::pin(
        client
            .get_policy_version()
            .policy_arn(&arn)
            .version_id(&version)
            .send(),
    )
    .await
    .map_err(|e| describe_error("iam:GetPolicyVersion", &e))?;
    Ok(ManagedPolicy {
        policy_name: p
            .policy_name()
            .map(str::to_string)
            .unwrap_or_else(|| name_from_arn(&arn)),
        policy_id: p.policy_id().unwrap_or_default().to_string(),
        path: p.path().unwrap_or("/").to_string(),
        default_version_id: version,
        attachment_count: p.attachment_count().unwrap_or(0),
        is_attachable: p.is_attachable(),
        create_date: time_or_epoch(p.create_date()),
        update_date: time_or_epoch(p.update_date().or(p.create_date())),
        description: p.description().map(str::to_string),
        document: v
            .policy_version()
            .and_then(|v| v.document())
            .map(decode_policy)
            .unwrap_or(Value::Null),
        arn,
    })
}

/// GetRole's `RoleLastUsed` (an empty one when the role was not used in IAM's tracking
/// window). Any other GetRole reader can use it to fill `IamRole::role_last_used`.
pub fn role_last_used_of(r: &aws_sdk_iam::types::Role) -> RoleLastUsed {
    let l = r.role_last_used();
    RoleLastUsed {
        last_used_date: l.and_then(|l| l.last_used_date()).map(time),
        region: l.and_then(|l| l.region()).map(str::to_string),
    }
}

fn iam_msg(unit: &'static str, done: usize, total: Option<usize>) -> LoadMsg {
    LoadMsg {
        source: SOURCE,
        region: None,
        unit,
        done,
        total,
        records: Vec::new(),
    }
}

/// Description and maximum session duration of every role, by role id: ListRoles, up to
/// 1,000 roles a page. `None` when it could not be read to the end (GetRole then reads each).
async fn listed_roles(client: &Client) -> Option<BTreeMap<String, (Option<String>, Option<i32>)>> {
    let mut out = BTreeMap::new();
    let mut pager = Pager::default();
    loop {
        let r = Box::pin(
            client
                .list_roles()
                .max_items(1000)
                .set_marker(pager.token())
                .send(),
        )
        .await
        .ok()?;
        for role in r.roles() {
            out.insert(
                role.role_id().to_string(),
                (
                    role.description().map(str::to_string),
                    role.max_session_duration(),
                ),
            );
        }
        if !pager
            .advance_marker(r.is_truncated(), r.marker(), "iam:ListRoles")
            .ok()?
        {
            return Some(out);
        }
    }
}

/// Fills each role's `description` and `max_session_duration` (GAAD's RoleDetail lacks them)
/// from ListRoles, and calls `GetRole` (`ROLE_CONCURRENCY` at a time) only for a role ListRoles
/// did not list or whose `role_last_used` GAAD left out. A role that cannot be read keeps what
/// GAAD said; failures are reported once per distinct message.
async fn role_details(
    client: &Client,
    roles: Vec<IamRole>,
    p: &Progress,
) -> (Vec<IamRole>, Vec<SourceProblem>) {
    let total = roles.len();
    let listed = Box::pin(listed_roles(client)).await;
    let limit = Arc::new(tokio::sync::Semaphore::new(ROLE_CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    let mut roles_done = Vec::with_capacity(total);
    for (i, mut r) in roles.into_iter().enumerate() {
        if let Some((description, max)) = listed.as_ref().and_then(|l| l.get(&r.role_id)) {
            r.description.clone_from(description);
            r.max_session_duration = *max;
            if r.role_last_used.is_some() {
                roles_done.push((i, r));
                continue;
            }
        }
        let client = client.clone();
        let limit = limit.clone();
        tasks.spawn(Box::pin(async move {
            let _permit = limit.acquire_owned().await;
            let res = Box::pin(client.get_role().role_name(&r.role_name).send()).await;
            let err = match res {
                Ok(out) => {
                    if let Some(role) = out.role() {
                        r.description = role.description().map(str::to_string);
                        r.max_session_duration = role.max_session_duration();
                        // GAAD may leave RoleLastUsed out; GetRole always answers it (empty:
                        // not used in IAM's tracking window).
                        let known = r
                            .role_last_used
                            .as_ref()
                            .is_some_and(|l| l.last_used_date.is_some());
                        if !known {
                            r.role_last_used = Some(role_last_used_of(role));
                        }
                    }
                    None
                }
                Err(e) => Some(describe_error("iam:GetRole", &e)),
            };
            (i, r, err)
        }));
    }
    let mut roles = roles_done;
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, r, err)) => {
                roles.push((i, r));
                if let Some(e) = err {
                    *errors.entry(e).or_default() += 1;
                }
                if roles.len().is_multiple_of(25) || roles.len() == total {
                    report(p, iam_msg("roles", roles.len(), Some(total)));
                }
            }
            Err(e) => {
                *errors
                    .entry(format!("a role reader failed: {e}"))
                    .or_default() += 1
            }
        }
    }
    roles.sort_by_key(|(i, _)| *i);
    let problems = errors
        .into_iter()
        .map(|(m, n)| problem(if n > 1 { format!("{m} ({n} roles)") } else { m }))
        .collect();
    (roles.into_iter().map(|(_, r)| r).collect(), problems)
}

/// How old a credential report may be (from the start of the read) and still be trusted for
/// what a user does *not* have. IAM serves the same report for four hours; an older one may
/// predate a key or password created since, so it decides nothing.
pub const REPORT_TRUSTED_AGE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Which of a user's credentials may exist, so which per-user reads are needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub keys: bool,
    pub mfa: bool,
    pub password: bool,
}

impl Held {
    /// Nothing known: read everything.
    pub const ALL: Held = Held {
        keys: true,
        mfa: true,
        password: true,
    };

    /// What a fresh credential report says `u` may hold. Only an explicit "none" in the
    /// report's row for this very user (same ARN, same creation time: not an earlier user of
    /// the same name) rules a credential out; anything else is read.
    pub fn per_report(rows: &[CredentialReportRow], u: &IamUser) -> Held {
        let row = rows.iter().find(|r| {
            r.arn == u.arn
                && CredentialReportRow::time(&r.user_creation_time)
                    .is_some_and(|t| t.timestamp() == u.create_date.timestamp())
        });
        let Some(r) = row else {
            return Held::ALL;
        };
        let none = |active: &str, rotated: &str| active == "false" && rotated == "N/A";
        Held {
            keys: !(none(&r.access_key_1_active, &r.access_key_1_last_rotated)
                && none(&r.access_key_2_active, &r.access_key_2_last_rotated)),
            mfa: r.mfa_active != "false",
            password: r.password_enabled != "false",
        }
    }
}

/// ListAccessKeys (+ GetAccessKeyLastUsed), ListMFADevices, GetLoginProfile for one user, each
/// only if `has` says the user may hold that credential. Returns the user and messages for
/// calls that failed.
async fn user_credentials(client: Client, mut u: IamUser, has: Held) -> (IamUser, Vec<String>) {
    let mut problems = Vec::new();
    let name = u.user_name.clone();
    let mut pager = Pager::default();
    if has.keys {
        loop {
            match Box::pin(
                client
                    .list_access_keys()
                    .user_name(&name)
                    .set_marker(pager.token())
                    .send(),
            )
            .await
            {
                Ok(r) => {
                    for k in r.access_key_metadata() {
                        let Some(id) = k.access_key_id() else {
                            continue;
                        };
                        let last_used = match Box::pin(
                            client.get_access_key_last_used().access_key_id(id).send(),
                        )
                        .await
                        {
                            Ok(l) => l.access_key_last_used().map(|l| AccessKeyLastUsed {
                                last_used_date: l.last_used_date().map(time),
                                service_name: Some(l.service_name().to_string()),
                                region: Some(l.region().to_string()),
                            }),
                            Err(e) => {
                                problems.push(describe_error("iam:GetAccessKeyLastUsed", &e));
                                None
                            }
                        };
                        u.access_keys.push(AccessKey {
                            access_key_id: id.to_string(),
                            status: k
                                .status()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                            create_date: time_or_epoch(k.create_date()),
                            last_used,
                        });
                    }
                    match pager.advance_marker(r.is_truncated(), r.marker(), "iam:ListAccessKeys") {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(why) => {
                            problems.push(why);
                            break;
                        }
                    }
                }
                Err(e) => {
                    problems.push(describe_error("iam:ListAccessKeys", &e));
                    break;
                }
            }
        }
    }
    if has.mfa {
        match Box::pin(client.list_mfa_devices().user_name(&name).send()).await {
            Ok(r) => {
                u.mfa_devices = r
                    .mfa_devices()
                    .iter()
                    .map(|d| MfaDevice {
                        serial_number: d.serial_number().to_string(),
                        enable_date: time(d.enable_date()),
                    })
                    .collect();
            }
            Err(e) => problems.push(describe_error("iam:ListMFADevices", &e)),
        }
    }
    if has.password {
        match Box::pin(client.get_login_profile().user_name(&name).send()).await {
            Ok(r) => {
                u.login_profile = r.login_profile().map(|l| LoginProfile {
                    create_date: time(l.create_date()),
                    password_reset_required: l.password_reset_required(),
                });
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) => {}
            Err(e) => problems.push(describe_error("iam:GetLoginProfile", &e)),
        }
    }
    (u, problems)
}

/// Aborts the task when dropped (an early return leaves no reader running).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A credential report and when IAM generated it.
type Report = (Vec<CredentialReportRow>, Option<DateTime<Utc>>);

/// GenerateCredentialReport until COMPLETE, then GetCredentialReport.
async fn credential_report(client: &Client) -> Result<Report, String> {
    for _ in 0..REPORT_POLLS {
        let r = Box::pin(client.generate_credential_report().send())
            .await
            .map_err(|e| describe_error("iam:GenerateCredentialReport", &e))?;
        if r.state() == Some(&ReportStateType::Complete) {
            break;
        }
        tokio::time::sleep(REPORT_POLL).await;
    }
    for _ in 0..REPORT_POLLS {
        match Box::pin(client.get_credential_report().send()).await {
            Ok(r) => {
                let bytes = r.content().map(|b| b.as_ref()).unwrap_or_default();
                let generated = r
                    .generated_time()
                    .and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()));
                return Ok((
                    parse_credential_report(&String::from_utf8_lossy(bytes)),
                    generated,
                ));
            }
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.is_credential_report_not_ready_exception()
                        || s.is_credential_report_not_present_exception()
                }) =>
            {
                tokio::time::sleep(REPORT_POLL).await;
            }
            Err(e) => return Err(describe_error("iam:GetCredentialReport", &e)),
        }
    }
    Err("iam:GetCredentialReport: the credential report was not ready in time".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_policy_documents() {
        let raw = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let v = decode_policy(raw);
        assert_eq!(v["Statement"][0]["Action"], "s3:Get*");
        // Already decoded text parses as is (a literal % stays).
        let v = decode_policy(r#"{"Statement":[{"Sid":"100%"}]}"#);
        assert_eq!(v["Statement"][0]["Sid"], "100%");
        // Not JSON: kept as a string.
        assert_eq!(
            decode_policy("not%20json"),
            Value::String("not json".into())
        );
    }

    #[test]
    fn a_report_rules_out_only_what_its_row_for_this_very_user_says_is_absent() {
        let csv = "user,arn,user_creation_time,password_enabled,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n\
            bare,arn:aws:iam::1:user/bare,2024-01-01T00:00:00+00:00,false,false,false,N/A,false,N/A\n\
            keyed,arn:aws:iam::1:user/keyed,2024-01-01T00:00:00+00:00,false,false,false,2024-02-01T00:00:00+00:00,false,N/A\n\
            odd,arn:aws:iam::1:user/odd,2024-01-01T00:00:00+00:00,not_supported,,false,N/A,false,N/A\n";
        let rows = parse_credential_report(csv);
        let user = |name: &str, created: &str| IamUser {
            user_name: name.into(),
            arn: format!("arn:aws:iam::1:user/{name}"),
            create_date: created.parse().unwrap(),
            ..serde_json::from_value(serde_json::json!({
                "UserName": name, "UserId": "AIDA", "Arn": "x", "CreateDate": created
            }))
            .unwrap()
        };
        let none = Held {
            keys: false,
            mfa: false,
            password: false,
        };
        assert_eq!(
            Held::per_report(&rows, &user("bare", "2024-01-01T00:00:00Z")),
            none
        );
        // An inactive or rotated key is still a key.
        assert_eq!(
            Held::per_report(&rows, &user("keyed", "2024-01-01T00:00:00Z")),
            Held { keys: true, ..none }
        );
        // Values other than an explicit "false" / "N/A" rule nothing out.
        assert_eq!(
            Held::per_report(&rows, &user("odd", "2024-01-01T00:00:00Z")),
            Held {
                mfa: true,
                password: true,
                ..none
            }
        );
        // A user of the same name created after the report, or one the report lacks: read all.
        assert_eq!(
            Held::per_report(&rows, &user("bare", "2024-06-01T00:00:00Z")),
            Held::ALL
        );
        assert_eq!(
            Held::per_report(&rows, &user("new", "2024-01-01T00:00:00Z")),
            Held::ALL
        );
    }

    #[test]
    fn credential_report_tolerates_unknown_and_missing_columns() {
        let csv = "user,arn,user_creation_time,password_enabled,mfa_active,some_new_column\r\n\
                   <root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,true,x\r\n\
                   \"bob, jr\",arn:aws:iam::111122223333:user/bob,2021-01-01T00:00:00+00:00,true,false,y\n";
        let rows = parse_credential_report(csv);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user, "<root_account>");
        assert_eq!(rows[0].mfa_active, "true");
        assert_eq!(rows[1].user, "bob, jr");
        assert_eq!(rows[1].password_enabled, "true");
        assert_eq!(rows[1].access_key_1_active, "");
        assert!(parse_credential_report("").is_empty());
    }

    #[test]
    fn credential_report_notes_unknown_columns_and_values() {
        let csv = "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,some_new_column\n\
                   <root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,no_information,true,x\n\
                   bob,arn:aws:iam::111122223333:user/bob,2021-01-01T00:00:00+00:00,maybe,last-tuesday,false,y\n";
        let (rows, notes) = parse_credential_report_noted(csv);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].password_last_used, "last-tuesday");
        assert_eq!(CredentialReportRow::time(&rows[1].password_last_used), None);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(notes[0], "unknown column(s) ignored: some_new_column");
        assert!(notes[1].starts_with("missing column(s) read as empty: "));
        assert!(notes[1].contains("access_key_1_active"));
        assert_eq!(
            notes[2],
            "2 unexpected value(s) read as no date / false: password_enabled=\"maybe\", password_last_used=\"last-tuesday\""
        );
        // A report exactly as IAM writes it has nothing to note.
        let full = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
                    alice,arn:aws:iam::111122223333:user/alice,2021-01-01T00:00:00+00:00,true,2026-11-01T10:00:00+00:00,N/A,N/A,true,true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
        let (rows, notes) = parse_credential_report_noted(full);
        assert_eq!(rows.len(), 1);
        assert!(notes.is_empty(), "{notes:?}");
    }
}
