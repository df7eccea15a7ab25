//! Inspection steps: the facts a responder needs, read from the loaded account (pure).

use super::{Incident, StepStatus, Subject};
use crate::dataset::Dataset;
use crate::model::{Finding, IamInventory, Severity, Source};
use crate::posture::policy::{glob_match, parse_document, permissions_of};
use crate::posture::rules as r;
use chrono::{DateTime, Utc};

fn ok(cond: bool) -> &'static str {
    if cond { "✓" } else { "✗" }
}

/// What an inspection learned: facts, nothing (every place it looked answered), or unknown
/// (some place could not be read, and nothing was found elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Found,
    Nothing,
    Unknown { reason: String },
}

/// An inspection's outcome and the lines the responder sees (and the timeline keeps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub outcome: Outcome,
    pub seen: Vec<String>,
}

impl Inspection {
    fn found(seen: Vec<String>) -> Inspection {
        Inspection {
            outcome: Outcome::Found,
            seen,
        }
    }

    /// The step's status: found and nothing are done; unknown is never done.
    pub fn status(&self) -> StepStatus {
        match &self.outcome {
            Outcome::Found | Outcome::Nothing => StepStatus::Done,
            Outcome::Unknown { reason } => StepStatus::Unknown {
                reason: reason.clone(),
            },
        }
    }
}

/// The facts of an inspection step (`cloudtrail` comes from [`cloudtrail_facts`], which needs
/// the network).
pub fn facts(kind: &str, data: &Dataset, incident: &Incident) -> Result<Inspection, String> {
    let s = &incident.subject;
    // Ages (key age, last use) are as of the data, like everywhere else (the IAM pane, the
    // posture rules), never of the wall clock: the same key never reads "411 days" on one
    // screen and "423" on another.
    let now = data.captured_at;
    Ok(Inspection::found(match kind {
        "readiness" if data.iam.is_none() => {
            return Ok(Inspection {
                outcome: Outcome::Unknown {
                    reason: "the IAM inventory was not read (see the source problems)".into(),
                },
                seen: readiness(data),
            });
        }
        "readiness" => readiness(data),
        "key-owner" => key_owner(data, s, now)?,
        "related-findings" => {
            let fs = related_findings(data, incident);
            if fs.is_empty() {
                // "No finding" is only an answer when every finding source was read.
                let gaps: Vec<String> = [
                    Source::GuardDuty,
                    Source::SecurityHub,
                    Source::AccessAnalyzer,
                ]
                .into_iter()
                .filter_map(|src| data.coverage.empty_reason(src, None))
                .collect();
                let seen = vec![
                    "no open finding names this principal or key in what was read".to_string(),
                ];
                return Ok(if gaps.is_empty() {
                    Inspection {
                        outcome: Outcome::Nothing,
                        seen: vec!["no open finding names this principal or key".into()],
                    }
                } else {
                    let reason = match data.coverage.summary_line() {
                        Some(line) => format!("findings not read completely: {line}"),
                        None => gaps.join("; "),
                    };
                    Inspection {
                        outcome: Outcome::Unknown { reason },
                        seen,
                    }
                });
            } else {
                let mut out = vec![format!("{} open finding(s):", fs.len())];
                out.extend(fs.iter().map(|f| {
                    let srcs: Vec<&str> = f.sources().iter().map(|s| s.short()).collect();
                    format!(
                        "{:<8} {:<6} {} — {} ({})",
                        f.severity.label(),
                        srcs.join("+"),
                        f.kind,
                        f.title,
                        f.region
                    )
                }));
                out
            }
        }
        "assumable-roles" => {
            let user = s.user.as_ref().ok_or("the incident names no user")?;
            let roles = assumable_roles(data, user);
            if roles.is_empty() {
                vec![format!("{user} can assume no role of this account")]
            } else {
                roles
                    .into_iter()
                    .map(|(role, why)| format!("{role}: {why}"))
                    .collect()
            }
        }
        "root" => root(data, now),
        "role" => {
            let role = s.role.as_ref().ok_or("the incident names no role")?;
            role_facts(data, role, now)?
        }
        "principal" => match (&s.user, &s.role) {
            (Some(_), _) => key_owner(data, s, now)?,
            (None, Some(role)) => role_facts(data, role, now)?,
            _ => return Err("the incident names no user or role".into()),
        },
        other => return Err(format!("unknown inspection {other:?}")),
    }))
}

fn iam(data: &Dataset) -> Result<&IamInventory, String> {
    data.iam
        .as_ref()
        .ok_or_else(|| "the IAM inventory is not loaded (see the source problems)".to_string())
}

/// Incident-response readiness: IR roles exist and their trust requires MFA; IR users have
/// MFA and no access keys (the posture rules `iam.break-glass.*`).
pub fn readiness(data: &Dataset) -> Vec<String> {
    let Some(inv) = data.iam.as_ref() else {
        return vec!["✗ the IAM inventory is not loaded: readiness unknown".into()];
    };
    let cfg = &data.posture_config;
    let is_ir = |name: &str| {
        let n = name.to_ascii_lowercase();
        cfg.break_glass_names
            .iter()
            .any(|g| glob_match(&g.to_ascii_lowercase(), &n))
            || n.contains("incident")
            || n.contains("breakglass")
            || n.contains("break-glass")
    };
    let mut out = Vec::new();
    let roles: Vec<_> = inv
        .role_detail_list
        .iter()
        .filter(|r| is_ir(&r.role_name))
        .collect();
    if roles.is_empty() {
        out.push("✗ no incident-response role exists (a role named incident-response* / break-glass*, assumable with MFA)".into());
    }
    for role in roles {
        let mfa = parse_document(&role.assume_role_policy_document)
            .map(|ss| {
                ss.iter()
                    .filter(|s| s.allows_assume_role())
                    .all(|s| s.requires_mfa())
            })
            .unwrap_or(false);
        out.push(format!(
            "{} incident-response role {}: trust {} MFA",
            ok(mfa),
            role.role_name,
            if mfa { "requires" } else { "does NOT require" }
        ));
    }
    let users: Vec<_> = inv
        .user_detail_list
        .iter()
        .filter(|u| is_ir(&u.user_name) || u.tag(&cfg.break_glass_tag).is_some())
        .collect();
    if users.is_empty() {
        out.push("✗ no break-glass / incident-response user is provisioned".into());
    }
    for u in users {
        let keys = u.access_keys.len();
        out.push(format!(
            "{} break-glass user {}: MFA {}, {} access key(s), console {}",
            ok(u.has_mfa() && keys == 0),
            u.user_name,
            if u.has_mfa() { "on" } else { "OFF" },
            keys,
            if u.has_console() { "yes" } else { "no" }
        ));
    }
    let failing: Vec<&Finding> = data
        .findings
        .iter()
        .filter(|f| {
            matches!(f.kind.as_str(), r::BG_KEY | r::BG_NO_MFA | r::BG_EXCESS)
                && f.workflow.is_open()
        })
        .collect();
    for f in failing {
        out.push(format!("✗ posture: {}", f.title));
    }
    out
}

fn key_owner(data: &Dataset, s: &Subject, now: DateTime<Utc>) -> Result<Vec<String>, String> {
    let inv = iam(data)?;
    let name = s.user.as_ref().ok_or("the incident names no user")?;
    let u = inv
        .user(name)
        .ok_or_else(|| format!("user {name} is not in the inventory (deleted?)"))?;
    let cfg = &data.posture_config;
    let mut out = vec![
        format!("user {} ({})", u.user_name, u.arn),
        format!(
            "owner tag {}: {}",
            cfg.owner_tag,
            u.tag(&cfg.owner_tag)
                .unwrap_or("NONE — find the owner another way")
        ),
        format!(
            "console password {}, MFA {}, groups: {}",
            if u.has_console() { "yes" } else { "no" },
            if u.has_mfa() { "on" } else { "off" },
            if u.group_list.is_empty() {
                "none".to_string()
            } else {
                u.group_list.join(", ")
            }
        ),
    ];
    for k in &u.access_keys {
        let marker = if s.access_key_id.as_deref() == Some(k.access_key_id.as_str()) {
            "→"
        } else {
            " "
        };
        let last = match &k.last_used {
            Some(l) => match l.last_used_date {
                Some(d) => format!(
                    "last used {} ({}) with {} in {}",
                    d.format("%Y-%m-%d %H:%M"),
                    crate::model::days_ago(d, now),
                    l.service_name.as_deref().unwrap_or("?"),
                    l.region.as_deref().unwrap_or("?")
                ),
                None => "never used".into(),
            },
            None => "last use unknown".into(),
        };
        out.push(format!(
            "{marker} key {} {} created {} ({} days), {last}",
            k.access_key_id,
            k.status,
            k.create_date.format("%Y-%m-%d"),
            crate::model::age_days(k.create_date, now)
        ));
    }
    if let Some(p) = permissions_of(inv, &u.arn)
        && p.is_admin()
    {
        out.push(format!(
            "ADMIN: {} grant(s) every action",
            p.admin_sources().join(", ")
        ));
    }
    let paths = data.escalation.paths(&u.arn);
    if !paths.is_empty() {
        out.push(format!(
            "{} privilege-escalation path(s), e.g. {}",
            paths.len(),
            paths[0].method
        ));
    }
    Ok(out)
}

/// Open findings about the incident's key or principal, worst first.
pub fn related_findings(data: &Dataset, incident: &Incident) -> Vec<Finding> {
    let s = &incident.subject;
    let arn = s.principal_arn(data);
    let root = format!("arn:aws:iam::{}:root", data.account.id);
    let mut out: Vec<Finding> = data
        .findings
        .iter()
        .filter(|f| f.source != Source::Posture && f.workflow.is_open())
        .filter(|f| {
            s.finding_ids.contains(&f.id)
                || f.resources.iter().any(|r| {
                    Some(&r.arn) == arn.as_ref()
                        || (incident.playbook.subject == "account" && r.arn == root)
                })
                || s.access_key_id.as_ref().is_some_and(|k| {
                    f.records
                        .iter()
                        .any(|r| r.raw.to_string().contains(k.as_str()))
                })
                || (incident.playbook.subject == "account"
                    && f.kind.contains("RootCredentialUsage"))
        })
        .cloned()
        .collect();
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
    out
}

/// Roles this account's user may assume: the trust policy names the user (or trusts the
/// account) and the user's policies allow sts:AssumeRole on the role.
pub fn assumable_roles(data: &Dataset, user: &str) -> Vec<(String, String)> {
    let Some(inv) = data.iam.as_ref() else {
        return Vec::new();
    };
    let Some(u) = inv.user(user) else {
        return Vec::new();
    };
    let perms = permissions_of(inv, &u.arn);
    let mut out = Vec::new();
    for role in inv
        .role_detail_list
        .iter()
        .filter(|r| !r.is_service_linked())
    {
        let Ok(trust) = parse_document(&role.assume_role_policy_document) else {
            continue;
        };
        let mut why = None;
        for st in trust.iter().filter(|s| s.allows_assume_role()) {
            for p in &st.principals {
                if p.value == u.arn {
                    why = Some("its trust policy names the user".to_string());
                } else if why.is_none()
                    && (p.is_anyone() || p.aws_account() == Some(inv.account_id.as_str()))
                    && perms.as_ref().is_some_and(|pp| {
                        pp.identity.iter().any(|s| {
                            s.stmt.effect == crate::posture::policy::Effect::Allow
                                && s.stmt.matches_action("sts:AssumeRole")
                                && (s.stmt.raw["Resource"].to_string().contains(&role.role_name)
                                    || s.stmt.covers_all_resources())
                        })
                    })
                {
                    why = Some(format!(
                        "trusts the account and the user may call sts:AssumeRole on it{}",
                        if st.requires_mfa() { " (with MFA)" } else { "" }
                    ));
                }
            }
        }
        if let Some(w) = why {
            out.push((role.role_name.clone(), w));
        }
    }
    out
}

fn root(data: &Dataset, now: DateTime<Utc>) -> Vec<String> {
    let Some(inv) = data.iam.as_ref() else {
        return vec!["the IAM inventory is not loaded".into()];
    };
    let r = &inv.root;
    vec![
        format!(
            "{} root MFA {}{}",
            ok(r.account_mfa_enabled && !r.virtual_mfa),
            if r.account_mfa_enabled { "on" } else { "OFF" },
            if r.account_mfa_enabled && r.virtual_mfa {
                " (virtual, CIS 1.6 wants hardware)"
            } else {
                ""
            }
        ),
        format!(
            "{} root access keys {}",
            ok(!r.account_access_keys_present),
            if r.account_access_keys_present {
                "PRESENT — delete them as root"
            } else {
                "none"
            }
        ),
        match r.password_last_used {
            Some(t) => format!(
                "root password last used {} ({})",
                t.format("%Y-%m-%d %H:%M"),
                crate::model::days_ago(t, now)
            ),
            None => "root password never used (or unknown)".into(),
        },
    ]
}

fn role_facts(data: &Dataset, name: &str, now: DateTime<Utc>) -> Result<Vec<String>, String> {
    let inv = iam(data)?;
    let role = inv
        .role_detail_list
        .iter()
        .find(|r| r.role_name == name)
        .ok_or_else(|| format!("role {name} is not in the inventory"))?;
    let mut out = vec![format!("role {} ({})", role.role_name, role.arn)];
    if let Ok(trust) = parse_document(&role.assume_role_policy_document) {
        for st in trust.iter().filter(|s| s.allows_assume_role()) {
            let who: Vec<String> = st.principals.iter().map(|p| p.value.clone()).collect();
            out.push(format!(
                "trusted: {} {}",
                who.join(", "),
                if st.requires_mfa() {
                    "(MFA required)"
                } else {
                    "(no MFA condition)"
                }
            ));
        }
    }
    if data.escalation.is_admin(&role.arn) {
        out.push("ADMIN: the role can do everything".into());
    }
    match role.role_last_used.as_ref().and_then(|l| l.last_used_date) {
        Some(d) => out.push(format!(
            "last used {} ({})",
            d.format("%Y-%m-%d %H:%M"),
            crate::model::days_ago(d, now)
        )),
        None => out.push("last use unknown".into()),
    }
    if let Some(m) = role.max_session_duration {
        out.push(format!(
            "sessions last up to {} h: stolen credentials stay valid that long unless revoked",
            m / 3600
        ));
    }
    Ok(out)
}

/// Worst severity among findings, for the walkthrough header.
pub fn worst(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

/// `CloudTrail LookupEvents failed in 17 regions: AccessDenied: missing permission
/// cloudtrail:LookupEvents (us-east-1, ...)`: the failures grouped by message.
fn lookup_failures(a: &crate::sources::cloudtrail::KeyActivity) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for p in &a.problems {
        let msg = crate::model::coverage::plain(&p.message);
        let region = p.region.clone().unwrap_or_else(|| "global".into());
        match groups.iter_mut().find(|(m, _)| *m == msg) {
            Some((_, rs)) => rs.push(region),
            None => groups.push((msg, vec![region])),
        }
    }
    let n: usize = groups.iter().map(|(_, rs)| rs.len()).sum();
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(m, rs)| format!("{m} ({})", rs.join(", ")))
        .collect();
    format!(
        "CloudTrail LookupEvents failed in {n} region{}: {}",
        if n == 1 { "" } else { "s" },
        parts.join("; ")
    )
}

/// What an access key did, for the CloudTrail step and the timeline: found (events), nothing
/// (every region answered without an event) or unknown (no event, and some region failed).
pub fn cloudtrail_facts(a: &crate::sources::cloudtrail::KeyActivity) -> Inspection {
    if a.events.is_empty() && !a.problems.is_empty() {
        let reason = lookup_failures(a);
        let answered = a
            .asked
            .len()
            .saturating_sub(a.problems.iter().filter(|p| p.region.is_some()).count());
        return Inspection {
            outcome: Outcome::Unknown {
                reason: reason.clone(),
            },
            seen: vec![
                format!("unknown — {reason}"),
                format!(
                    "no event for {} in the {answered} region(s) that answered",
                    a.access_key_id
                ),
            ],
        };
    }
    let mut out = Vec::new();
    match a.first_and_last() {
        Some((first, last)) => out.push(format!(
            "{} event(s) for {} from {} to {} in {}",
            a.events.len(),
            a.access_key_id,
            first.format("%Y-%m-%d %H:%M"),
            last.format("%Y-%m-%d %H:%M"),
            a.regions().join(", ")
        )),
        None => out.push(format!(
            "no CloudTrail event for {} in the last 90 days (every region answered: {})",
            a.access_key_id,
            a.asked.len()
        )),
    }
    if !a.events.is_empty() && !a.problems.is_empty() {
        out.push(format!("incomplete — {}", lookup_failures(a)));
    }
    if a.truncated {
        out.push("the lookup stopped at its event limit: there is more".into());
    }
    let top = |v: Vec<(String, usize)>| {
        v.into_iter()
            .take(8)
            .map(|(k, n)| format!("{k} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !a.events.is_empty() {
        out.push(format!("calls: {}", top(a.by_event())));
        out.push(format!("source IPs: {}", top(a.by_source_ip())));
        let errors = a.events.iter().filter(|e| e.error_code.is_some()).count();
        if errors > 0 {
            out.push(format!(
                "{errors} call(s) failed (AccessDenied and the like: probing)"
            ));
        }
    }
    for p in &a.problems {
        out.push(format!(
            "✗ {} {}: {}",
            p.source,
            p.region.as_deref().unwrap_or("global"),
            p.message
        ));
    }
    for e in a.events.iter().take(15) {
        out.push(format!(
            "{} {} {} {} from {}{}",
            e.time.format("%m-%d %H:%M:%S"),
            e.region,
            e.event_source.trim_end_matches(".amazonaws.com"),
            e.event_name,
            e.source_ip.as_deref().unwrap_or("?"),
            e.error_code
                .as_deref()
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default()
        ));
    }
    Inspection {
        outcome: if a.events.is_empty() {
            Outcome::Nothing
        } else {
            Outcome::Found
        },
        seen: out,
    }
}
