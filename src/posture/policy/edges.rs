//! The edges of the escalation graph: which catalog methods each principal can use, on which
//! targets. Speed matters here (thousands of principals times thousands of targets): each
//! principal's catalog actions are screened at once ([`Permissions::may_allow_each`]), a
//! method's actions are matched to statements once per principal ([`ActionView`]), and when
//! every Allow names its resources literally only those targets are evaluated.

use super::catalog::*;
use super::document::{PrincipalKind, Statement, parse_document};
use super::escalation::{Edge, EdgeTo, Node, NodeKind, Tables};
use super::permissions::{
    ActionSet, ActionView, Grant, Permissions, PolicyCache, Request, SourcedStatement, Target,
    allows_with, group_permissions,
};
use crate::model::IamInventory;
use std::collections::HashMap;
use std::sync::Arc;

fn short_service(service: &str) -> &str {
    service.split('.').next().unwrap_or(service)
}

/// A role's trust policy: its statements, and each as an identity-style statement on `*` (so
/// its conditions are read by the same evaluator), labelled `<role> (trust policy)`.
struct Trust {
    stmts: Vec<Statement>,
    sourced: Vec<SourcedStatement>,
}

pub(super) struct Builder<'a> {
    inv: &'a IamInventory,
    partition: String,
    /// Administrator policies the caller could attach (`iam:PolicyARN` candidates).
    admin_policies: Vec<String>,
    trusts: Vec<Option<Trust>>,
    /// Node index of each role (by role list position).
    role_node: Vec<usize>,
    user_node: Vec<usize>,
    /// Members (node indexes) of each group by name.
    members: HashMap<&'a str, Vec<usize>>,
    /// Principals (node indexes) a customer-managed policy is attached to, directly or through
    /// a group.
    attached: HashMap<&'a str, Vec<usize>>,
    groups: Vec<Permissions>,
    /// Roles (by role list position) whose trust lets each service principal in.
    service_roles: HashMap<String, Vec<usize>>,
    /// Roles whose trust names an AWS principal by exact ARN, by that ARN.
    trusted_arn: HashMap<String, Vec<usize>>,
    /// Roles whose trust names an account (root or id) or anyone.
    trusted_account: Vec<usize>,
    /// Every action the catalog names, and each method's actions as positions in it.
    actions: ActionSet,
    method_actions: Vec<Vec<usize>>,
    /// Positions in the user, role, group and policy lists by ASCII-lowercased ARN.
    user_arns: HashMap<String, Vec<usize>>,
    role_arns: HashMap<String, Vec<usize>>,
    group_arns: HashMap<String, Vec<usize>>,
    policy_arns: HashMap<String, Vec<usize>>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(
        inv: &'a IamInventory,
        cache: &PolicyCache<'a>,
        nodes: &[Node],
        user_node: Vec<usize>,
        role_node: Vec<usize>,
    ) -> Builder<'a> {
        let partition = nodes
            .first()
            .and_then(|n| n.arn.split(':').nth(1))
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
            .to_string();
        let mut admin_policies = vec![format!(
            "arn:{partition}:iam::aws:policy/AdministratorAccess"
        )];
        for (i, p) in inv.policies.iter().enumerate() {
            if p.is_aws_managed() {
                continue;
            }
            if let Some(stmts) = cache.nth(i)
                && stmts.iter().any(|s| {
                    s.effect == super::document::Effect::Allow
                        && s.grants_all_actions()
                        && s.covers_all_resources()
                        && s.conditions.is_empty()
                })
            {
                admin_policies.push(p.arn.clone());
            }
        }
        let trusts: Vec<Option<Trust>> = inv
            .role_detail_list
            .iter()
            .map(|r| {
                parse_document(&r.assume_role_policy_document)
                    .ok()
                    .map(|stmts| {
                        let sourced = stmts
                            .iter()
                            .map(|s| SourcedStatement {
                                source: format!("{} (trust policy)", r.role_name),
                                stmt: Arc::new(Statement {
                                    resources: super::document::ResourceSpec::Resource(vec![
                                        "*".into(),
                                    ]),
                                    ..s.clone()
                                }),
                            })
                            .collect();
                        Trust { stmts, sourced }
                    })
            })
            .collect();
        let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut attached: HashMap<&str, Vec<usize>> = HashMap::new();
        for (u, &n) in inv.user_detail_list.iter().zip(&user_node) {
            for g in &u.group_list {
                members.entry(g.as_str()).or_default().push(n);
            }
            for p in &u.attached_managed_policies {
                attached.entry(p.policy_arn.as_str()).or_default().push(n);
            }
        }
        for (r, &n) in inv.role_detail_list.iter().zip(&role_node) {
            for p in &r.attached_managed_policies {
                attached.entry(p.policy_arn.as_str()).or_default().push(n);
            }
        }
        for g in &inv.group_detail_list {
            let m = members
                .get(g.group_name.as_str())
                .cloned()
                .unwrap_or_default();
            for p in &g.attached_managed_policies {
                attached
                    .entry(p.policy_arn.as_str())
                    .or_default()
                    .extend(m.iter().copied());
            }
        }
        let groups = inv
            .group_detail_list
            .iter()
            .map(|g| group_permissions(cache, g))
            .collect();
        let mut service_roles: HashMap<String, Vec<usize>> = HashMap::new();
        let mut trusted_arn: HashMap<String, Vec<usize>> = HashMap::new();
        let mut trusted_account: Vec<usize> = Vec::new();
        for (k, t) in trusts.iter().enumerate() {
            let Some(t) = t else { continue };
            let mut by_account = false;
            for st in t
                .stmts
                .iter()
                .filter(|st| st.allows_assume_role() && !st.not_principal)
            {
                for pr in &st.principals {
                    let v = pr.value.trim();
                    let list = match pr.kind {
                        PrincipalKind::Service => {
                            service_roles.entry(v.to_ascii_lowercase()).or_default()
                        }
                        PrincipalKind::Aws if v.ends_with(":root") || !v.starts_with("arn:") => {
                            by_account = true;
                            continue;
                        }
                        PrincipalKind::Aws => trusted_arn.entry(v.to_string()).or_default(),
                        PrincipalKind::Any => {
                            by_account = true;
                            continue;
                        }
                        _ => continue,
                    };
                    if !list.contains(&k) {
                        list.push(k);
                    }
                }
            }
            if by_account {
                trusted_account.push(k);
            }
        }
        let actions = ActionSet::new(
            catalog()
                .iter()
                .flat_map(|m| m.actions.iter().map(|a| a.action.clone()))
                .fold(Vec::new(), |mut v, a| {
                    if !v.contains(&a) {
                        v.push(a);
                    }
                    v
                }),
        );
        let method_actions = catalog()
            .iter()
            .map(|m| {
                m.actions
                    .iter()
                    .map(|a| actions.position(&a.action).unwrap_or(0))
                    .collect()
            })
            .collect();
        let by_arn = |arns: &mut dyn Iterator<Item = &str>| {
            let mut map: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, arn) in arns.enumerate() {
                map.entry(arn.to_ascii_lowercase()).or_default().push(i);
            }
            map
        };
        let user_arns = by_arn(&mut inv.user_detail_list.iter().map(|u| u.arn.as_str()));
        let role_arns = by_arn(&mut inv.role_detail_list.iter().map(|r| r.arn.as_str()));
        let group_arns = by_arn(&mut inv.group_detail_list.iter().map(|g| g.arn.as_str()));
        let policy_arns = by_arn(&mut inv.policies.iter().map(|p| p.arn.as_str()));
        Builder {
            service_roles,
            trusted_arn,
            trusted_account,
            inv,
            partition,
            admin_policies,
            trusts,
            role_node,
            user_node,
            members,
            attached,
            groups,
            actions,
            method_actions,
            user_arns,
            role_arns,
            group_arns,
            policy_arns,
        }
    }
}

/// Positions (ascending) of the targets a method may be allowed on: all `len`, or only those
/// whose ARN a literal Resource names.
fn positions(
    narrow: &Option<Vec<String>>,
    by_arn: &HashMap<String, Vec<usize>>,
    len: usize,
) -> Vec<usize> {
    match narrow {
        None => (0..len).collect(),
        Some(lits) => {
            let mut v: Vec<usize> = lits
                .iter()
                .filter_map(|l| by_arn.get(l))
                .flatten()
                .copied()
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        }
    }
}

/// Whether `arn` can pass the narrowing of [`positions`].
fn named(narrow: &Option<Vec<String>>, arn: &str) -> bool {
    narrow
        .as_ref()
        .is_none_or(|l| l.iter().any(|x| x.eq_ignore_ascii_case(arn)))
}

impl Builder<'_> {
    /// Evaluates every action of `m` (through `views`, one per action) with `target_arn` for
    /// `on = "target"`; the grants joined.
    fn allowed(
        &self,
        perms: &Permissions,
        views: &[ActionView<'_>],
        m: &Method,
        target_arn: Option<&str>,
    ) -> Option<Grant> {
        let mut all: Option<Grant> = None;
        for (a, view) in m.actions.iter().zip(views) {
            let resource = match a.on {
                On::Target | On::Pass => Target::Arn(target_arn?),
                On::Any => Target::Any,
                On::Own => Target::Arn(&perms.caller.arn),
            };
            let mut req = Request::new(&a.action, resource);
            if a.on == On::Pass {
                req.passed_to_service = m.service.as_deref();
                req.associated_service = m.service.as_deref().map(short_service);
            }
            let g = match a.chooses {
                None => view.allows(&req)?,
                // The caller picks the value: the best grant over the values that escalate.
                Some(c) => {
                    let mut best: Option<Grant> = None;
                    for p in &self.admin_policies {
                        match c {
                            Chooses::Policy => req.policy_arn = Some(p),
                            Chooses::Boundary => req.permissions_boundary = Some(p),
                        }
                        if let Some(g) = view.allows(&req)
                            && best.as_ref().is_none_or(|b| g.better_than(b))
                        {
                            best = Some(g);
                        }
                    }
                    best?
                }
            };
            match &mut all {
                None => all = Some(g),
                Some(x) => x.and(&g),
            }
        }
        all
    }

    pub(super) fn edges_of(&self, nodes: &[Node], i: usize, tables: &mut Tables) -> Vec<Edge> {
        let me = &nodes[i];
        let p = &me.perms;
        let mut out = Vec::new();
        if me.admin {
            return out;
        }
        // `may_allow` of every catalog action, screened once.
        let may = p.may_allow_each(&self.actions);
        self.assume_edges(nodes, i, &may, tables, &mut out);
        for (mi, m) in catalog().iter().enumerate() {
            if m.target == TargetKind::AssumeRole {
                continue;
            }
            if !self.method_actions[mi].iter().all(|&a| may[a]) {
                continue;
            }
            let views: Vec<ActionView<'_>> = m.actions.iter().map(|a| p.view(&a.action)).collect();
            // Only targets some literal Resource names, when every Allow names them so.
            let narrow = m
                .actions
                .iter()
                .zip(&views)
                .filter(|(a, _)| matches!(a.on, On::Target | On::Pass))
                .filter_map(|(_, v)| v.literal_resources())
                .min_by_key(Vec::len);
            let allowed = |arn: Option<&str>| self.allowed(p, &views, m, arn);
            // Consecutive targets of one method mostly share one grant: look it up once.
            let mut last: Option<(Grant, u32)> = None;
            let mut push = |to: EdgeTo, g: Grant, tables: &mut Tables| {
                let grant = match &last {
                    Some((l, k)) if *l == g => *k,
                    _ => {
                        let k = tables.grant(g.clone());
                        last = Some((g, k));
                        k
                    }
                };
                out.push(Edge {
                    to,
                    method: mi as u16,
                    grant,
                })
            };
            match m.target {
                TargetKind::User => {
                    let users = &self.inv.user_detail_list;
                    for k in positions(&narrow, &self.user_arns, users.len()) {
                        let (u, n) = (&users[k], self.user_node[k]);
                        let ok = match m.precondition {
                            Some(Precondition::LoginProfile) => u.login_profile.is_some(),
                            Some(Precondition::NoLoginProfile) => u.login_profile.is_none(),
                            None => true,
                        };
                        if n != i
                            && ok
                            && let Some(g) = allowed(Some(&u.arn))
                        {
                            push(EdgeTo::Node(n as u32), g, tables);
                        }
                    }
                }
                TargetKind::ServiceRole => {
                    let service = m.service.as_deref().unwrap_or("").to_ascii_lowercase();
                    for &k in self.service_roles.get(&service).into_iter().flatten() {
                        let r = &self.inv.role_detail_list[k];
                        let n = self.role_node[k];
                        if n == i || !named(&narrow, &r.arn) {
                            continue;
                        }
                        if let Some(g) = allowed(Some(&r.arn)) {
                            push(EdgeTo::Node(n as u32), g, tables);
                        }
                    }
                }
                TargetKind::TrustRewrite => {
                    let roles = &self.inv.role_detail_list;
                    for k in positions(&narrow, &self.role_arns, roles.len()) {
                        let (r, n) = (&roles[k], self.role_node[k]);
                        if n != i
                            && !r.is_service_linked()
                            && let Some(g) = allowed(Some(&r.arn))
                        {
                            push(EdgeTo::Node(n as u32), g, tables);
                        }
                    }
                }
                TargetKind::UserPolicy => {
                    let users = &self.inv.user_detail_list;
                    for k in positions(&narrow, &self.user_arns, users.len()) {
                        let (u, n) = (&users[k], self.user_node[k]);
                        if nodes[n].perms.boundary.is_none()
                            && let Some(g) = allowed(Some(&u.arn))
                        {
                            push(EdgeTo::Grant(n as u32), g, tables);
                        }
                    }
                }
                TargetKind::RolePolicy => {
                    let roles = &self.inv.role_detail_list;
                    for k in positions(&narrow, &self.role_arns, roles.len()) {
                        let (r, n) = (&roles[k], self.role_node[k]);
                        if nodes[n].perms.boundary.is_none()
                            && !r.is_service_linked()
                            && let Some(g) = allowed(Some(&r.arn))
                        {
                            push(EdgeTo::Grant(n as u32), g, tables);
                        }
                    }
                }
                TargetKind::GroupPolicy => {
                    let groups = &self.inv.group_detail_list;
                    for k in positions(&narrow, &self.group_arns, groups.len()) {
                        let g = &groups[k];
                        let Some(ms) = self.members.get(g.group_name.as_str()) else {
                            continue;
                        };
                        if let Some(grant) = allowed(Some(&g.arn)) {
                            for &n in ms {
                                if nodes[n].perms.boundary.is_none() {
                                    push(EdgeTo::Grant(n as u32), grant.clone(), tables);
                                }
                            }
                        }
                    }
                }
                TargetKind::PolicyVersion => {
                    let policies = &self.inv.policies;
                    for k in positions(&narrow, &self.policy_arns, policies.len()) {
                        let pol = &policies[k];
                        if pol.is_aws_managed() {
                            continue;
                        }
                        let Some(ns) = self.attached.get(pol.arn.as_str()) else {
                            continue;
                        };
                        if let Some(grant) = allowed(Some(&pol.arn)) {
                            for &n in ns {
                                if nodes[n].perms.boundary.is_none() {
                                    push(EdgeTo::Grant(n as u32), grant.clone(), tables);
                                }
                            }
                        }
                    }
                }
                TargetKind::GroupMembership => {
                    if me.kind != NodeKind::User {
                        continue;
                    }
                    // Users are the first nodes, in inventory order.
                    let mine = &self.inv.user_detail_list[i].group_list;
                    let groups = &self.inv.group_detail_list;
                    for k in positions(&narrow, &self.group_arns, groups.len()) {
                        let (g, gp) = (&groups[k], &self.groups[k]);
                        if mine.contains(&g.group_name) {
                            continue;
                        }
                        let Some(grant) = allowed(Some(&g.arn)) else {
                            continue;
                        };
                        let mut joined = p.clone();
                        joined.identity.extend(gp.identity.iter().cloned());
                        let admin = joined.is_admin();
                        let more = p.lacks_something_of(&joined);
                        if admin || more {
                            push(
                                EdgeTo::Terminal {
                                    label: tables.label(format!("member of {}", g.arn)),
                                    admin,
                                    more,
                                },
                                grant,
                                tables,
                            );
                        }
                    }
                }
                TargetKind::Boundary => {
                    if p.boundary.is_none() {
                        continue;
                    }
                    if let Some(grant) = allowed(None) {
                        let mut free = p.clone();
                        free.boundary = None;
                        let admin = free.is_admin();
                        let more = p.lacks_something_of(&free);
                        if admin || more {
                            push(
                                EdgeTo::Terminal {
                                    label: tables.label(format!(
                                        "{} without its permissions boundary",
                                        me.arn
                                    )),
                                    admin,
                                    more,
                                },
                                grant,
                                tables,
                            );
                        }
                    }
                }
                TargetKind::NewPrincipal => {
                    if let Some(grant) = allowed(None) {
                        push(
                            EdgeTo::Terminal {
                                label: tables
                                    .label("a new principal with an administrator policy".into()),
                                admin: true,
                                more: true,
                            },
                            grant,
                            tables,
                        );
                    }
                }
                TargetKind::AssumeRole => {}
            }
        }
        out
    }

    /// sts:AssumeRole edges: the role's trust lets the principal in (by its ARN, or by its
    /// account, then the principal's identity policy must allow the call too), with the trust
    /// statement's conditions read like any other.
    fn assume_edges(
        &self,
        nodes: &[Node],
        i: usize,
        may: &[bool],
        tables: &mut Tables,
        out: &mut Vec<Edge>,
    ) {
        let Some(mi) = catalog()
            .iter()
            .position(|m| m.target == TargetKind::AssumeRole)
        else {
            return;
        };
        let me = &nodes[i];
        let p = &me.perms;
        let account_root = format!("arn:{}:iam::{}:root", self.partition, p.caller.account);
        let identity_may = match self.actions.position("sts:AssumeRole") {
            Some(a) => may[a],
            None => p.may_allow("sts:AssumeRole"),
        };
        let view = p.view("sts:AssumeRole");
        // Only roles whose trust names this principal, or its account when its identity
        // policy may call sts:AssumeRole at all (on that role: when every Allow names its
        // roles literally, only those).
        let mut candidates: Vec<usize> = self
            .trusted_arn
            .get(me.arn.as_str())
            .cloned()
            .unwrap_or_default();
        if identity_may {
            let narrow = view.literal_resources();
            candidates.extend(
                self.trusted_account
                    .iter()
                    .copied()
                    .filter(|&k| named(&narrow, &self.inv.role_detail_list[k].arn)),
            );
            candidates.sort_unstable();
            candidates.dedup();
        }
        for k in candidates {
            let r = &self.inv.role_detail_list[k];
            let n = self.role_node[k];
            if n == i {
                continue;
            }
            let Some(trust) = &self.trusts[k] else {
                continue;
            };
            let request = Request::new("sts:AssumeRole", Target::Arn(&r.arn));
            // The trust side: a statement naming this principal or its account.
            let mut best: Option<(Grant, bool)> = None;
            let mut identity: Option<Option<Grant>> = None;
            for (s, sourced) in trust.stmts.iter().zip(&trust.sourced) {
                if s.effect != super::document::Effect::Allow
                    || s.not_principal
                    || !s.matches_action("sts:AssumeRole")
                {
                    continue;
                }
                let named = s
                    .principals
                    .iter()
                    .any(|pr| pr.kind == PrincipalKind::Aws && pr.value.trim() == me.arn);
                let by_account = s.principals.iter().any(|pr| {
                    pr.is_anyone()
                        || (pr.kind == PrincipalKind::Aws
                            && (pr.value.trim() == account_root
                                || pr.value.trim() == p.caller.account))
                });
                if !(named || by_account && identity_may) {
                    continue;
                }
                // Trusted by account: the identity policy must allow the call (evaluated once).
                if !named
                    && identity
                        .get_or_insert_with(|| view.allows(&request))
                        .is_none()
                {
                    continue;
                }
                // Trust conditions are read for the caller like identity conditions.
                let Some(g) = allows_with(std::slice::from_ref(sourced), None, &p.caller, &request)
                else {
                    continue;
                };
                if best.as_ref().is_none_or(|(b, _)| g.better_than(b)) {
                    best = Some((g, named));
                }
            }
            let Some((mut g, named)) = best else {
                continue;
            };
            // Named by ARN: the trust alone allows it (same account), unless the identity
            // denies it. By account: the identity policy must allow the call.
            let identity = if identity_may {
                identity.unwrap_or_else(|| view.allows(&request))
            } else {
                None
            };
            // The identity statements first: that is the caller's side of the hop.
            match identity {
                Some(mut ig) => {
                    ig.and(&g);
                    g = ig;
                }
                None if named && !p.may_deny_all("sts:AssumeRole") => {}
                None => continue,
            }
            out.push(Edge {
                to: EdgeTo::Node(n as u32),
                method: mi as u16,
                grant: tables.grant(g),
            });
        }
    }
}

impl Permissions {
    /// An unconditional Deny of `action` on `*`.
    fn may_deny_all(&self, action: &str) -> bool {
        self.identity
            .iter()
            .any(|s| s.stmt.is_hard_deny() && s.stmt.matches_action(action))
    }
}
