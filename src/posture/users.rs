//! Per-user credential rules (CIS 1.10 to 1.15), owner tags and break-glass users.
//!
//! The user record (ListAccessKeys, GetAccessKeyLastUsed, GetLoginProfile, ListMFADevices) is
//! the primary source; the credential report only fills last-used dates the record lacks.
//! Report values `N/A`, `no_information` and `not_supported` mean "no date": a credential that
//! was never used is aged from its creation date.

use super::policy::{self, ActionSpec, Effect};
use super::rules::*;
use super::{Out, days_since};
use crate::model::{AccessKey, CredentialReportRow, IamInventory, IamUser, ResourceRef};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub(crate) fn user_resource(u: &IamUser) -> ResourceRef {
    ResourceRef {
        arn: u.arn.clone(),
        kind: "AwsIamUser".into(),
        name: u.user_name.clone(),
        region: None,
    }
}

fn report_row<'a>(inv: &'a IamInventory, u: &IamUser) -> Option<&'a CredentialReportRow> {
    inv.credential_report
        .iter()
        .find(|r| r.arn == u.arn)
        .or_else(|| inv.credential_report.iter().find(|r| r.user == u.user_name))
}

/// Last time the console password was used, from the user record or the report.
fn password_last_used(u: &IamUser, row: Option<&CredentialReportRow>) -> Option<DateTime<Utc>> {
    u.password_last_used
        .or_else(|| row.and_then(|r| CredentialReportRow::time(&r.password_last_used)))
}

/// Last use of a key: GetAccessKeyLastUsed, else the report column whose `last_rotated` is the
/// key's creation time (the report numbers keys 1 and 2, not by id).
fn key_last_used(k: &AccessKey, row: Option<&CredentialReportRow>) -> Option<DateTime<Utc>> {
    if let Some(t) = k.last_used_date() {
        return Some(t);
    }
    let row = row?;
    [
        (
            &row.access_key_1_last_rotated,
            &row.access_key_1_last_used_date,
        ),
        (
            &row.access_key_2_last_rotated,
            &row.access_key_2_last_used_date,
        ),
    ]
    .into_iter()
    .find(|(rot, _)| {
        CredentialReportRow::time(rot).is_some_and(|t| (t - k.create_date).num_seconds().abs() <= 1)
    })
    .and_then(|(_, used)| CredentialReportRow::time(used))
}

pub(crate) fn is_break_glass(u: &IamUser, cfg: &super::PostureConfig) -> bool {
    let tagged = !cfg.break_glass_tag.is_empty()
        && u.tags.iter().any(|t| {
            t.key.eq_ignore_ascii_case(&cfg.break_glass_tag)
                && !t.value.eq_ignore_ascii_case("false")
        });
    tagged
        || cfg
            .break_glass_names
            .iter()
            .any(|g| policy::glob_match(g, &u.user_name))
}

pub(crate) fn check(out: &mut Out<'_>, inv: &IamInventory) {
    for u in &inv.user_detail_list {
        let row = report_row(inv, u);
        console_mfa(out, u);
        initial_key(out, u, row);
        unused(out, u, row);
        inactive(out, u, row);
        keys(out, u);
        any_access_key(out, u);
        direct_policies(out, u);
        owner_tag(out, u);
        if is_break_glass(u, out.config()) {
            break_glass(out, inv, u);
        }
    }
}

fn console_mfa(out: &mut Out<'_>, u: &IamUser) {
    if u.has_console() && !u.has_mfa() {
        out.push(
            CONSOLE_NO_MFA,
            user_resource(u),
            format!(
                "User {} can sign in to the console without MFA",
                u.user_name
            ),
            format!("{} has a console password and no MFA device.", u.user_name),
            json!({"user": u.user_name, "login_profile": u.login_profile, "mfa_devices": 0}),
        );
    }
}

fn initial_key(out: &mut Out<'_>, u: &IamUser, row: Option<&CredentialReportRow>) {
    if !u.has_console() {
        return;
    }
    let never: Vec<&AccessKey> = u
        .active_keys()
        .filter(|k| key_last_used(k, row).is_none())
        .collect();
    if never.is_empty() {
        return;
    }
    let ids: Vec<&str> = never.iter().map(|k| k.access_key_id.as_str()).collect();
    out.push(
        INITIAL_KEY,
        user_resource(u),
        format!(
            "Console user {} has an active access key that was never used ({})",
            u.user_name,
            ids.join(", ")
        ),
        format!(
            "{} has a console password and never-used active keys.",
            u.user_name
        ),
        json!({"user": u.user_name, "keys": never.iter().map(|k| json!({
            "access_key_id": k.access_key_id, "create_date": k.create_date})).collect::<Vec<_>>()}),
    );
}

fn unused(out: &mut Out<'_>, u: &IamUser, row: Option<&CredentialReportRow>) {
    let now = out.now();
    let limit = out.config().unused_days;
    let mut items: Vec<Value> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    if let Some(lp) = &u.login_profile {
        let last = password_last_used(u, row);
        let days = days_since(now, last.unwrap_or(lp.create_date));
        if days >= limit {
            parts.push(match last {
                Some(_) => format!("console password unused for {days} days"),
                None => format!("console password never used ({days} days old)"),
            });
            items.push(json!({"credential": "password", "last_used": last,
                              "created": lp.create_date, "days": days}));
        }
    }
    for k in u.active_keys() {
        let last = key_last_used(k, row);
        let days = days_since(now, last.unwrap_or(k.create_date));
        if days >= limit {
            parts.push(match last {
                Some(_) => format!("key {} unused for {days} days", k.access_key_id),
                None => format!("key {} never used ({days} days old)", k.access_key_id),
            });
            items.push(
                json!({"credential": "access_key", "access_key_id": k.access_key_id,
                              "last_used": last, "created": k.create_date, "days": days}),
            );
        }
    }
    if parts.is_empty() {
        return;
    }
    out.push(
        UNUSED_CREDS,
        user_resource(u),
        format!(
            "User {} has credentials unused for {limit}+ days: {}",
            u.user_name,
            parts.join("; ")
        ),
        format!(
            "{} has {} credential(s) unused for at least {limit} days.",
            u.user_name,
            parts.len()
        ),
        json!({"user": u.user_name, "threshold_days": limit, "credentials": items}),
    );
}

/// The whole user: the most recent use of its password or of any of its keys (active or not:
/// an inactive key used last week means the user was active last week), from the user record
/// and from every date column of its credential-report row; never used = aged from creation.
/// Break-glass users (meant to sit unused) and users without any credential are not judged.
fn inactive(out: &mut Out<'_>, u: &IamUser, row: Option<&CredentialReportRow>) {
    if is_break_glass(u, out.config()) {
        return;
    }
    let report_password = row.is_some_and(|r| CredentialReportRow::flag(&r.password_enabled));
    let report_keys = row.is_some_and(|r| {
        CredentialReportRow::flag(&r.access_key_1_active)
            || CredentialReportRow::flag(&r.access_key_2_active)
    });
    if !u.has_console() && u.access_keys.is_empty() && !report_password && !report_keys {
        return;
    }
    let mut uses: Vec<(String, DateTime<Utc>)> = Vec::new();
    if let Some(t) = password_last_used(u, row) {
        uses.push(("password".into(), t));
    }
    for k in &u.access_keys {
        if let Some(t) = key_last_used(k, row) {
            uses.push((format!("key {}", k.access_key_id), t));
        }
    }
    if let Some(r) = row {
        for (what, v) in [
            ("access_key_1", &r.access_key_1_last_used_date),
            ("access_key_2", &r.access_key_2_last_used_date),
        ] {
            if let Some(t) = CredentialReportRow::time(v) {
                uses.push((what.into(), t));
            }
        }
    }
    let now = out.now();
    let limit = out.config().inactive_user_days;
    // Ties go to the first entry: the user record's names (password, key id) over the
    // report's column names.
    let last = uses.iter().rev().max_by_key(|(_, t)| *t).cloned();
    // Never used: from the later of the two creation dates (a loader may lack one).
    let created = row
        .and_then(|r| CredentialReportRow::time(&r.user_creation_time))
        .map_or(u.create_date, |t| t.max(u.create_date));
    let days = days_since(now, last.as_ref().map_or(created, |(_, t)| *t));
    if days < limit {
        return;
    }
    let (title, detail) = match &last {
        Some((what, t)) => (
            format!(
                "User {} has been inactive for {days} days (last activity: {what})",
                u.user_name
            ),
            format!(
                "No credential of {} was used since {} ({what}).",
                u.user_name,
                t.to_rfc3339()
            ),
        ),
        None => (
            format!(
                "User {} never used its credentials ({days} days since creation)",
                u.user_name
            ),
            format!("No credential of {} was ever used.", u.user_name),
        ),
    };
    out.push(
        INACTIVE_USER,
        user_resource(u),
        title,
        detail,
        json!({"user": u.user_name, "threshold_days": limit, "days_inactive": days,
               "last_activity": last.as_ref().map(|(_, t)| t),
               "last_activity_credential": last.as_ref().map(|(w, _)| w),
               "created": created,
               "console_password": u.has_console(),
               "access_keys": u.access_keys.iter().map(|k| &k.access_key_id).collect::<Vec<_>>()}),
    );
}

fn keys(out: &mut Out<'_>, u: &IamUser) {
    let now = out.now();
    let active: Vec<&AccessKey> = u.active_keys().collect();
    if active.len() > 1 {
        let ids: Vec<&str> = active.iter().map(|k| k.access_key_id.as_str()).collect();
        out.push(
            MULTI_KEYS,
            user_resource(u),
            format!(
                "User {} has {} active access keys ({})",
                u.user_name,
                active.len(),
                ids.join(", ")
            ),
            format!("{} has {} active access keys.", u.user_name, active.len()),
            json!({"user": u.user_name, "active_keys": ids}),
        );
    }
    let limit = out.config().rotation_days;
    let mut old: Vec<(&AccessKey, i64)> = active
        .iter()
        .map(|k| (*k, days_since(now, k.create_date)))
        .filter(|(_, d)| *d > limit)
        .collect();
    if old.is_empty() {
        return;
    }
    old.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(a.0.access_key_id.cmp(&b.0.access_key_id))
    });
    let (oldest, days) = old[0];
    let title = if old.len() == 1 {
        format!(
            "User {} has an access key not rotated in {days} days ({})",
            u.user_name, oldest.access_key_id
        )
    } else {
        format!(
            "User {} has {} access keys not rotated in over {limit} days (oldest {days} days, {})",
            u.user_name,
            old.len(),
            oldest.access_key_id
        )
    };
    out.push(
        KEY_ROTATION,
        user_resource(u),
        title,
        format!("Active keys older than {limit} days: {}.", old.len()),
        json!({"user": u.user_name, "threshold_days": limit, "keys": old.iter().map(|(k, d)| json!({
            "access_key_id": k.access_key_id, "create_date": k.create_date, "age_days": d})).collect::<Vec<_>>()}),
    );
}

/// Opt-in (sandbox profile): any access key, active or not.
fn any_access_key(out: &mut Out<'_>, u: &IamUser) {
    if u.access_keys.is_empty() || !out.enabled(USER_ACCESS_KEY) {
        return;
    }
    let active = u.active_keys().count();
    let ids: Vec<&str> = u
        .access_keys
        .iter()
        .map(|k| k.access_key_id.as_str())
        .collect();
    out.push(
        USER_ACCESS_KEY,
        user_resource(u),
        format!(
            "User {} has {} access key(s), {active} active ({})",
            u.user_name,
            ids.len(),
            ids.join(", ")
        ),
        format!(
            "{} has {} access key(s) ({active} active).",
            u.user_name,
            ids.len()
        ),
        json!({"user": u.user_name, "keys": u.access_keys.iter().map(|k| json!({
            "access_key_id": k.access_key_id, "status": k.status, "create_date": k.create_date})).collect::<Vec<_>>()}),
    );
}

fn direct_policies(out: &mut Out<'_>, u: &IamUser) {
    let managed: Vec<&str> = u
        .attached_managed_policies
        .iter()
        .map(|p| p.policy_name.as_str())
        .collect();
    let inline: Vec<&str> = u
        .user_policy_list
        .iter()
        .map(|p| p.policy_name.as_str())
        .collect();
    if managed.is_empty() && inline.is_empty() {
        return;
    }
    let mut names: Vec<&str> = managed.iter().chain(inline.iter()).copied().collect();
    names.truncate(3);
    let n = managed.len() + inline.len();
    let more = if n > 3 {
        format!(", +{} more", n - 3)
    } else {
        String::new()
    };
    out.push(
        USER_POLICIES,
        user_resource(u),
        format!(
            "User {} has {n} policies attached directly ({}{more})",
            u.user_name,
            names.join(", ")
        ),
        format!(
            "{} managed and {} inline policies are attached to the user itself.",
            managed.len(),
            inline.len()
        ),
        json!({"user": u.user_name, "managed": managed, "inline": inline}),
    );
}

fn owner_tag(out: &mut Out<'_>, u: &IamUser) {
    let key = out.config().owner_tag.clone();
    if key.is_empty() {
        return;
    }
    let ok = u
        .tags
        .iter()
        .any(|t| t.key.eq_ignore_ascii_case(&key) && !t.value.trim().is_empty());
    if !ok {
        out.push(
            NO_OWNER,
            user_resource(u),
            format!("User {} has no {key} tag", u.user_name),
            format!("{} has no non-empty `{key}` tag.", u.user_name),
            json!({"user": u.user_name, "owner_tag": key, "tags": u.tags.iter().map(|t| &t.key).collect::<Vec<_>>()}),
        );
    }
}

/// Actions a break-glass user may hold besides assuming the emergency role.
const BREAK_GLASS_OK: [&str; 4] = [
    "sts:assumerole",
    "sts:getcalleridentity",
    "iam:changepassword",
    "iam:getaccountpasswordpolicy",
];

fn break_glass(out: &mut Out<'_>, inv: &IamInventory, u: &IamUser) {
    let keys: Vec<&str> = u
        .access_keys
        .iter()
        .map(|k| k.access_key_id.as_str())
        .collect();
    if !keys.is_empty() {
        out.push(
            BG_KEY,
            user_resource(u),
            format!(
                "Break-glass user {} has an access key ({})",
                u.user_name,
                keys.join(", ")
            ),
            format!(
                "{} is a break-glass user with {} access key(s).",
                u.user_name,
                keys.len()
            ),
            json!({"user": u.user_name, "access_keys": keys}),
        );
    }
    if !u.has_mfa() {
        out.push(
            BG_NO_MFA,
            user_resource(u),
            format!("Break-glass user {} has no MFA", u.user_name),
            format!(
                "{} is a break-glass user without an MFA device.",
                u.user_name
            ),
            json!({"user": u.user_name}),
        );
    }
    // Anything allowed other than exact, allow-listed actions (a wildcard such as `sts:*` or
    // any NotAction grants more).
    let perms = policy::user_permissions(inv, u);
    let mut extra: Vec<Value> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for s in perms
        .identity
        .iter()
        .filter(|s| s.stmt.effect == Effect::Allow)
    {
        let beyond: Vec<String> = match &s.stmt.actions {
            ActionSpec::NotAction(na) => vec![format!("NotAction {}", na.join(","))],
            ActionSpec::Action(a) => a
                .iter()
                .filter(|x| !BREAK_GLASS_OK.contains(&x.trim().to_ascii_lowercase().as_str()))
                .cloned()
                .collect(),
        };
        if !beyond.is_empty() {
            if !sources.contains(&s.source) {
                sources.push(s.source.clone());
            }
            extra.push(json!({"policy": s.source, "actions": beyond, "statement": s.stmt.raw}));
        }
    }
    for unknown in &perms.unknown {
        if !sources.contains(unknown) {
            sources.push(unknown.clone());
        }
        extra.push(json!({"policy": unknown, "actions": "unknown (document not available)"}));
    }
    if !extra.is_empty() {
        out.push(
            BG_EXCESS,
            user_resource(u),
            format!(
                "Break-glass user {} has permissions beyond sts:AssumeRole (via {})",
                u.user_name,
                sources.join(", ")
            ),
            format!(
                "{} grants more than assuming the emergency role.",
                sources.join(", ")
            ),
            json!({"user": u.user_name, "grants": extra}),
        );
    }
}

/// Each access key's last use by key id (`None`: never, or unknown).
pub type KeysLastUsed = Vec<(String, Option<DateTime<Utc>>)>;

/// When a user's credentials were last used, as the rules judge it (the user record, else the
/// credential report): the password's, and each key's by id. `None`: never (or unknown).
pub fn last_used(inv: &IamInventory, u: &IamUser) -> (Option<DateTime<Utc>>, KeysLastUsed) {
    let row = report_row(inv, u);
    (
        password_last_used(u, row),
        u.access_keys
            .iter()
            .map(|k| (k.access_key_id.clone(), key_last_used(k, row)))
            .collect(),
    )
}
