//! Rules over policies and principals: unparseable documents, `*:*` customer policies,
//! CloudShell access, admins, privilege escalation and role trust policies.

use super::Out;
use super::policy::{self, Permissions, PrincipalKind, Statement, parse_document};
use super::rules::*;
use super::users::user_resource;
use crate::model::{AttachedPolicy, IamInventory, IamRole, ResourceRef, Severity};
use serde_json::{Value, json};

fn role_resource(r: &IamRole) -> ResourceRef {
    ResourceRef {
        arn: r.arn.clone(),
        kind: "AwsIamRole".into(),
        name: r.role_name.clone(),
        region: None,
    }
}

fn group_resource(g: &crate::model::IamGroup) -> ResourceRef {
    ResourceRef {
        arn: g.arn.clone(),
        kind: "AwsIamGroup".into(),
        name: g.group_name.clone(),
        region: None,
    }
}

pub(crate) fn check(out: &mut Out<'_>, inv: &IamInventory, graph: Option<&policy::Analysis>) {
    unparseable(out, inv);
    admin_policies(out, inv);
    service_wildcards(out, inv);
    cloudshell(out, inv);
    let built;
    let graph = match graph {
        Some(g) => g,
        None => {
            built = policy::Analysis::build(inv);
            &built
        }
    };
    for u in &inv.user_detail_list {
        admin_and_privesc(out, user_resource(u), "User", &u.user_name, graph);
    }
    for r in inv
        .role_detail_list
        .iter()
        .filter(|r| !r.is_service_linked())
    {
        admin_and_privesc(out, role_resource(r), "Role", &r.role_name, graph);
        trust(out, r, graph.is_admin(&r.arn));
        unused_role(out, r);
    }
}

/// Break-glass / incident-response roles (same names and tag as break-glass users) are
/// expected to sit unused.
fn is_break_glass_role(r: &IamRole, cfg: &super::PostureConfig) -> bool {
    let tagged = !cfg.break_glass_tag.is_empty()
        && r.tags.iter().any(|t| {
            t.key.eq_ignore_ascii_case(&cfg.break_glass_tag)
                && !t.value.eq_ignore_ascii_case("false")
        });
    tagged
        || cfg
            .break_glass_names
            .iter()
            .any(|g| policy::glob_match(g, &r.role_name))
}

/// `RoleLastUsed` older than the window, or empty (never used in IAM's 400-day tracking
/// period) on a role created before the window. No `RoleLastUsed` at all = unknown: no finding.
/// Service-linked roles are skipped by the caller.
fn unused_role(out: &mut Out<'_>, r: &IamRole) {
    let Some(last) = &r.role_last_used else {
        return;
    };
    if is_break_glass_role(r, out.config()) {
        return;
    }
    let now = out.now();
    let limit = out.config().unused_role_days;
    let days = super::days_since(now, last.last_used_date.unwrap_or(r.create_date));
    if days < limit {
        return;
    }
    let title = match last.last_used_date {
        Some(_) => format!(
            "Role {} was last used {days} days ago{}",
            r.role_name,
            last.region
                .as_deref()
                .filter(|x| !x.is_empty())
                .map(|x| format!(" (in {x})"))
                .unwrap_or_default()
        ),
        None => format!(
            "Role {} was never used ({days} days since creation)",
            r.role_name
        ),
    };
    out.push(
        UNUSED_ROLE,
        role_resource(r),
        title,
        format!("Unused for at least {limit} days."),
        json!({"role": r.role_name, "threshold_days": limit, "days_unused": days,
               "last_used": last.last_used_date, "last_used_region": last.region,
               "created": r.create_date}),
    );
}

/// One finding per resource: a managed policy, or the principal holding the bad inline/trust
/// documents.
fn unparseable(out: &mut Out<'_>, inv: &IamInventory) {
    let report = |out: &mut Out<'_>, res: ResourceRef, what: &str, docs: Vec<(String, String)>| {
        if docs.is_empty() {
            return;
        }
        let names: Vec<&str> = docs.iter().map(|(n, _)| n.as_str()).collect();
        out.push(
            UNPARSEABLE,
            res,
            format!("Policy document could not be parsed: {} ({what})", names.join(", ")),
            format!(
                "{}.",
                docs.iter()
                    .map(|(n, e)| format!("{n}: {e}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            json!({"documents": docs.iter().map(|(n, e)| json!({"policy": n, "error": e})).collect::<Vec<_>>()}),
        );
    };
    let bad = |name: &str, doc: &Value| parse_document(doc).err().map(|e| (name.to_string(), e));
    for p in &inv.policies {
        let docs: Vec<_> = bad(&p.policy_name, &p.document).into_iter().collect();
        let res = ResourceRef {
            arn: p.arn.clone(),
            kind: "AwsIamPolicy".into(),
            name: p.policy_name.clone(),
            region: None,
        };
        report(out, res, "managed policy", docs);
    }
    for u in &inv.user_detail_list {
        let docs = u
            .user_policy_list
            .iter()
            .filter_map(|p| bad(&format!("{} (inline)", p.policy_name), &p.policy_document))
            .collect();
        report(
            out,
            user_resource(u),
            &format!("on user {}", u.user_name),
            docs,
        );
    }
    for g in &inv.group_detail_list {
        let docs = g
            .group_policy_list
            .iter()
            .filter_map(|p| bad(&format!("{} (inline)", p.policy_name), &p.policy_document))
            .collect();
        report(
            out,
            group_resource(g),
            &format!("on group {}", g.group_name),
            docs,
        );
    }
    for r in &inv.role_detail_list {
        let mut docs: Vec<_> = bad("trust policy", &r.assume_role_policy_document)
            .into_iter()
            .collect();
        docs.extend(
            r.role_policy_list
                .iter()
                .filter_map(|p| bad(&format!("{} (inline)", p.policy_name), &p.policy_document)),
        );
        report(
            out,
            role_resource(r),
            &format!("on role {}", r.role_name),
            docs,
        );
    }
}

/// Every principal a managed policy is attached to, by display label.
fn attachments<'a>(inv: &'a IamInventory, arn: &str) -> Vec<String> {
    let has = |ps: &'a [AttachedPolicy]| ps.iter().any(|p| p.policy_arn == arn);
    let users = inv
        .user_detail_list
        .iter()
        .filter(|u| has(&u.attached_managed_policies))
        .map(|u| format!("user {}", u.user_name));
    let groups = inv
        .group_detail_list
        .iter()
        .filter(|g| has(&g.attached_managed_policies))
        .map(|g| format!("group {}", g.group_name));
    let roles = inv
        .role_detail_list
        .iter()
        .filter(|r| has(&r.attached_managed_policies))
        .map(|r| format!("role {}", r.role_name));
    users.chain(groups).chain(roles).collect()
}

fn admin_policies(out: &mut Out<'_>, inv: &IamInventory) {
    for p in inv.policies.iter().filter(|p| !p.is_aws_managed()) {
        let Ok(stmts) = parse_document(&p.document) else {
            continue;
        };
        let star: Vec<&Statement> = stmts
            .iter()
            .filter(|s| {
                s.effect == policy::Effect::Allow
                    && s.grants_all_actions()
                    && s.covers_all_resources()
            })
            .collect();
        let attached = attachments(inv, &p.arn);
        // AttachmentCount also counts attachments the inventory may not list.
        if star.is_empty() || (attached.is_empty() && p.attachment_count <= 0) {
            continue;
        }
        let count = attached.len().max(p.attachment_count.max(0) as usize);
        out.push(
            ADMIN_POLICY,
            ResourceRef {
                arn: p.arn.clone(),
                kind: "AwsIamPolicy".into(),
                name: p.policy_name.clone(),
                region: None,
            },
            format!(
                "Customer-managed policy {} allows \"*\" on \"*\" and is attached to {count} principal(s)",
                p.policy_name
            ),
            format!(
                "Attached to: {}.",
                if attached.is_empty() { "(not listed)".to_string() } else { attached.join(", ") }
            ),
            json!({"policy": p.policy_name, "attachment_count": p.attachment_count,
                   "attached_to": attached,
                   "statements": star.iter().map(|s| &s.raw).collect::<Vec<_>>()}),
        );
    }
}

/// `service:*` actions of the Allow statements of a document (unparseable ones are reported
/// by iam.policy.unparseable), e.g. `["kms:*"]`.
fn wildcard_actions(doc: &Value) -> Vec<String> {
    let Ok(stmts) = parse_document(doc) else {
        return Vec::new();
    };
    let mut found: Vec<String> = Vec::new();
    for s in stmts.iter().filter(|s| s.effect == policy::Effect::Allow) {
        let policy::ActionSpec::Action(actions) = &s.actions else {
            continue;
        };
        for a in actions {
            let a = a.trim();
            let is_service_star = a.split_once(':').is_some_and(|(svc, rest)| {
                rest == "*" && !svc.is_empty() && svc != "*" && !svc.contains(['*', '?'])
            });
            let a = a.to_ascii_lowercase();
            if is_service_star && !found.contains(&a) {
                found.push(a);
            }
        }
    }
    found.sort();
    found
}

/// FSBP IAM.21: customer-managed policies (one finding each) and inline policies (one finding
/// per principal holding them) that allow `service:*`.
fn service_wildcards(out: &mut Out<'_>, inv: &IamInventory) {
    let report = |out: &mut Out<'_>,
                  res: ResourceRef,
                  what: String,
                  hits: Vec<(String, Vec<String>)>| {
        if hits.is_empty() {
            return;
        }
        let mut all: Vec<&str> = hits
            .iter()
            .flat_map(|(_, a)| a.iter().map(String::as_str))
            .collect();
        all.sort();
        all.dedup();
        out.push(
            SERVICE_WILDCARD,
            res,
            format!("{what} allows every action of a service: {}", all.join(", ")),
            format!(
                "{}.",
                hits.iter()
                    .map(|(p, a)| format!("{p}: {}", a.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            json!({"policies": hits.iter().map(|(p, a)| json!({"policy": p, "actions": a})).collect::<Vec<_>>()}),
        );
    };
    for p in inv.policies.iter().filter(|p| !p.is_aws_managed()) {
        let a = wildcard_actions(&p.document);
        let hits = if a.is_empty() {
            vec![]
        } else {
            vec![(p.policy_name.clone(), a)]
        };
        let res = ResourceRef {
            arn: p.arn.clone(),
            kind: "AwsIamPolicy".into(),
            name: p.policy_name.clone(),
            region: None,
        };
        report(
            out,
            res,
            format!("Customer-managed policy {}", p.policy_name),
            hits,
        );
    }
    let inline = |ps: &[crate::model::InlinePolicy]| -> Vec<(String, Vec<String>)> {
        ps.iter()
            .map(|p| {
                (
                    format!("{} (inline)", p.policy_name),
                    wildcard_actions(&p.policy_document),
                )
            })
            .filter(|(_, a)| !a.is_empty())
            .collect()
    };
    for u in &inv.user_detail_list {
        let hits = inline(&u.user_policy_list);
        report(
            out,
            user_resource(u),
            format!("An inline policy of user {}", u.user_name),
            hits,
        );
    }
    for g in &inv.group_detail_list {
        let hits = inline(&g.group_policy_list);
        report(
            out,
            group_resource(g),
            format!("An inline policy of group {}", g.group_name),
            hits,
        );
    }
    for r in inv
        .role_detail_list
        .iter()
        .filter(|r| !r.is_service_linked())
    {
        let hits = inline(&r.role_policy_list);
        report(
            out,
            role_resource(r),
            format!("An inline policy of role {}", r.role_name),
            hits,
        );
    }
}

fn cloudshell(out: &mut Out<'_>, inv: &IamInventory) {
    let has = |ps: &[AttachedPolicy]| {
        ps.iter()
            .any(|p| p.policy_arn.ends_with(":policy/AWSCloudShellFullAccess"))
    };
    let mut hits: Vec<(ResourceRef, String)> = Vec::new();
    for u in inv
        .user_detail_list
        .iter()
        .filter(|u| has(&u.attached_managed_policies))
    {
        hits.push((user_resource(u), format!("User {}", u.user_name)));
    }
    for g in inv
        .group_detail_list
        .iter()
        .filter(|g| has(&g.attached_managed_policies))
    {
        hits.push((group_resource(g), format!("Group {}", g.group_name)));
    }
    for r in inv
        .role_detail_list
        .iter()
        .filter(|r| has(&r.attached_managed_policies))
    {
        hits.push((role_resource(r), format!("Role {}", r.role_name)));
    }
    for (res, who) in hits {
        out.push(
            CLOUDSHELL,
            res,
            format!("{who} has AWSCloudShellFullAccess attached"),
            format!("{who} has the AWSCloudShellFullAccess managed policy attached."),
            json!({"principal": who, "policy": "AWSCloudShellFullAccess"}),
        );
    }
}

fn admin_and_privesc(
    out: &mut Out<'_>,
    res: ResourceRef,
    what: &str,
    name: &str,
    graph: &policy::Analysis,
) {
    let Some(node) = graph.node(&res.arn) else {
        return;
    };
    let perms: &Permissions = &node.perms;
    if node.admin {
        let via = perms.admin_sources();
        out.push(
            ADMIN,
            res,
            format!(
                "{what} {name} has full administrator rights (via {})",
                via.join(", ")
            ),
            format!("{} allow \"*\" on \"*\".", via.join(", ")),
            json!({"principal": name, "granted_by": via}),
        );
        return;
    }
    let all = graph.paths(&res.arn);
    if all.is_empty() {
        return;
    }
    // Paths the organization's SCPs close are evidence, not the verdict: the principal
    // escalates only through open ones; with none open the finding says what holds it back.
    let (open, blocked): (Vec<&policy::EscalationPath>, Vec<&policy::EscalationPath>) =
        all.iter().partition(|p| p.blocked_by.is_none());
    if open.is_empty() {
        let first = blocked[0];
        let why = first.blocked_by.as_deref().unwrap_or_default();
        out.push_with(
            PRIVESC,
            res,
            format!(
                "{what} {name} could escalate privileges with {} ({}) granted by {}, but an SCP blocks {}: {why}",
                first.actions.join(" + "),
                first.method,
                first.granted_by.join(", "),
                if blocked.len() == 1 { "it" } else { "every path" },
            ),
            format!(
                "The account's own policies allow {} escalation path(s); the organization's service control policies block each: {}.",
                blocked.len(),
                blocked
                    .iter()
                    .map(|p| format!("{} ({})", p.method, p.blocked_by.as_deref().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            json!({"principal": name, "paths": all, "blocked_by_scp": true}),
            Some(crate::model::Severity::Low),
        );
        return;
    }
    let paths = open;
    let first = paths[0];
    let hedge = |p: &policy::EscalationPath| {
        let mut h = Vec::new();
        if p.needs_mfa {
            h.push("needs MFA".to_string());
        }
        for d in &p.depends_on {
            h.push(format!("depends on {d}"));
        }
        if h.is_empty() {
            String::new()
        } else {
            format!(" [{}]", h.join("; "))
        }
    };
    // The title names the granting policies: that is where the fix is made.
    let title = if paths.len() == 1 {
        format!(
            "{what} {name} can escalate privileges with {} ({}) granted by {}{}",
            first.actions.join(" + "),
            first.method,
            first.granted_by.join(", "),
            hedge(first)
        )
    } else {
        format!(
            "{what} {name} can escalate privileges in {} ways, e.g. {} granted by {}{}",
            paths.len(),
            first.actions.join(" + "),
            first.granted_by.join(", "),
            hedge(first)
        )
    };
    let mut sources: Vec<&str> = Vec::new();
    for p in &paths {
        for g in &p.granted_by {
            if !sources.contains(&g.as_str()) {
                sources.push(g);
            }
        }
    }
    let describe = |p: &policy::EscalationPath| {
        let steps: Vec<String> = p
            .hops
            .iter()
            .map(|h| {
                format!(
                    "{} {} {} ({})",
                    short(&h.from),
                    h.kind,
                    short(&h.to),
                    h.method
                )
            })
            .collect();
        let end = match p.reaches {
            policy::Reach::Admin => "an administrator",
            policy::Reach::More => "more permissions",
        };
        format!(
            "{}: {} → {end}{}",
            p.method,
            steps.join(", then "),
            hedge(p)
        )
    };
    out.push(
        PRIVESC,
        res,
        title,
        format!(
            "Methods: {}; granted by {}. Paths: {}.",
            paths
                .iter()
                .map(|p| p.method)
                .collect::<Vec<_>>()
                .join(", "),
            sources.join(", "),
            paths
                .iter()
                .map(|p| describe(p))
                .chain(blocked.iter().map(|p| format!(
                    "{} (blocked by SCP: {})",
                    describe(p),
                    p.blocked_by.as_deref().unwrap_or_default()
                )))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        json!({"principal": name, "paths": all}),
    );
}

/// `user/alice` / `role/admin` of an ARN (the text after the account), else the whole text.
fn short(arn: &str) -> &str {
    if arn.starts_with("arn:") {
        arn.splitn(6, ':').nth(5).unwrap_or(arn)
    } else {
        arn
    }
}

/// Does a federated principal's statement pin the federated identity?
fn federated_restricted(s: &Statement, provider: &str) -> bool {
    if s.requires_mfa() {
        return true;
    }
    if provider.contains(":saml-provider/") {
        // The console's SAML template pins SAML:aud; MFA is the IdP's business.
        return s.has_positive_condition(|k| k.starts_with("saml:"));
    }
    // OIDC: `aud` alone is the same for every GitHub repository; `sub` names the workload.
    // Cognito identity pools are pinned by `cognito-identity.amazonaws.com:aud` (the pool id).
    s.has_positive_condition(|k| k.ends_with(":sub") || k == "cognito-identity.amazonaws.com:aud")
}

fn trust(out: &mut Out<'_>, role: &IamRole, admin: bool) {
    let Ok(stmts) = parse_document(&role.assume_role_policy_document) else {
        return; // reported by iam.policy.unparseable
    };
    let own = out.account().to_string();
    let org = out.input.org;
    // Both ends named: `account 222233334444 (payments)` inside an organization.
    let account_label = |acct: &str| match org {
        Some(m) => format!("account {}", m.describe(acct)),
        None => format!("account {acct}"),
    };
    let mut outsiders: Vec<(String, Value, bool)> = Vec::new();
    let mut anyone: Vec<Value> = Vec::new();
    let mut any_sev = Severity::High;
    let mut external: Vec<Value> = Vec::new();
    let mut who: Vec<String> = Vec::new();
    for s in stmts.iter().filter(|s| s.allows_assume_role()) {
        let is_anyone = s.not_principal || s.principals.iter().any(|p| p.is_anyone());
        if is_anyone {
            if !s.restricts_caller_identity() {
                if s.conditions.is_empty() {
                    any_sev = Severity::Critical;
                }
                anyone.push(s.raw.clone());
            }
            continue;
        }
        for p in &s.principals {
            let problem = match p.kind {
                PrincipalKind::Aws => match p.aws_account() {
                    Some(acct) => {
                        // Only a list read from Organizations tells an outsider (the
                        // config's [org] accounts may be a part of the organization).
                        if acct != own
                            && org.is_some_and(|m| {
                                m.organization_id.is_some() && m.name_of(acct).is_none()
                            })
                            && !outsiders.iter().any(|(a, _, _)| a == acct)
                        {
                            outsiders.push((
                                acct.to_string(),
                                s.raw.clone(),
                                s.requires_external_id(),
                            ));
                        }
                        (acct != own && !s.requires_mfa() && !s.requires_external_id())
                            .then(|| account_label(acct))
                    }
                    None => None,
                },
                PrincipalKind::Federated if !federated_restricted(s, &p.value) => {
                    Some(format!("federated {}", p.value))
                }
                _ => None,
            };
            if let Some(label) = problem {
                external.push(json!({"principal": p.value, "statement": s.raw}));
                if !who.contains(&label) {
                    who.push(label);
                }
            }
        }
    }
    if !outsiders.is_empty() && out.enabled(ORG_TRUST_OUTSIDE) {
        // A vendor pinned by an ExternalId is the expected outsider; anything else is not.
        let sev = if admin {
            Severity::High
        } else if outsiders.iter().all(|(_, _, ext)| *ext) {
            Severity::Low
        } else {
            Severity::Medium
        };
        let names: Vec<String> = outsiders.iter().map(|(a, _, _)| a.clone()).collect();
        let here = org.map_or_else(|| own.clone(), |m| m.describe(&own));
        out.push_with(
            ORG_TRUST_OUTSIDE,
            role_resource(role),
            format!(
                "Role {} in account {here} trusts {} outside the organization",
                role.role_name,
                names
                    .iter()
                    .map(|a| format!("account {a}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "The trust policy of {} lets principals of {} assume it; {} not a member of organization {}.",
                role.arn,
                names.join(", "),
                if names.len() == 1 { "that account is" } else { "those accounts are" },
                org.and_then(|m| m.organization_id.as_deref()).unwrap_or("(unknown id)")
            ),
            json!({
                "role": role.role_name,
                "role_account": own,
                "role_is_admin": admin,
                "trusted_accounts": names,
                "statements": outsiders.iter().map(|(_, raw, _)| raw.clone()).collect::<Vec<_>>(),
                "external_id_required": outsiders.iter().map(|(_, _, e)| *e).collect::<Vec<_>>(),
            }),
            Some(sev),
        );
    }
    if !anyone.is_empty() {
        let how = if any_sev == Severity::Critical {
            "with no condition"
        } else {
            "with conditions that do not restrict the caller"
        };
        out.push_with(
            TRUST_ANY,
            role_resource(role),
            format!(
                "Role {} can be assumed by any AWS principal ({how})",
                role.role_name
            ),
            format!("The trust policy allows Principal \"*\" {how}."),
            json!({"role": role.role_name, "statements": anyone}),
            Some(any_sev),
        );
    }
    if !external.is_empty() {
        let sev = if admin {
            Severity::High
        } else {
            Severity::Medium
        };
        let adm = if admin { "Admin role" } else { "Role" };
        out.push_with(
            TRUST_EXTERNAL,
            role_resource(role),
            format!(
                "{adm} {}{} trusts {} without MFA, external id or subject condition",
                role.role_name,
                org.map(|m| format!(" in account {}", m.describe(&own)))
                    .unwrap_or_default(),
                who.join(", ")
            ),
            format!(
                "Trusted without a restricting condition: {}.",
                who.join(", ")
            ),
            json!({"role": role.role_name, "role_is_admin": admin, "principals": external}),
            Some(sev),
        );
    }
}
