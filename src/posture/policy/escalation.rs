//! Privilege escalation as a graph: the method catalog (data/escalation-methods.toml), the
//! edges it yields between real principals, and a breadth-first search from each principal to
//! an administrator (or, failing that, to a principal that holds more than it does).
//!
//! Search: one backward breadth-first pass from the administrators gives every principal its
//! shortest way to one; each principal's paths are then its own first hops followed along
//! those ways. A grant counts when it lands on the principal itself or on one it becomes in
//! one hop.
//!
//! Edges: a principal can *become* another (assume a role whose trust and whose caller's
//! identity policy both allow it; pass a role that trusts a service to a new or existing
//! resource of that service; create credentials for a user; rewrite a role's trust), can
//! *grant* one (write or attach a policy on a user, group or role, or a new version of a policy
//! attached to it: the grant is usable when the grantee is the principal itself or one it can
//! become), or reaches a *terminal* state (joins a group, drops its permissions boundary,
//! creates a new principal with an administrator policy). Every hop keeps the statements that
//! allow it. SCPs are not read (organizations are not loaded yet).

pub use super::catalog::*;
use super::document::{PrincipalKind, Statement, parse_document};
use super::permissions::{
    Grant, Permissions, PolicyCache, Request, SourcedStatement, StatementRef, Target, allows_with,
    group_permissions, role_permissions_cached, user_permissions_cached,
};
use crate::model::IamInventory;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The ARN of the principal that acts.
    pub from: String,
    /// The ARN of the principal it becomes or grants to, or a description of the end state.
    pub to: String,
    /// `becomes`, `grants` (writes a policy that reaches `to`) or `gains`.
    pub kind: &'static str,
    pub method: &'static str,
    pub actions: Vec<&'static str>,
    /// The statements that allow the actions.
    pub statements: Vec<StatementRef>,
    pub needs_mfa: bool,
    pub depends_on: Vec<String>,
}

/// Where a path ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// A full administrator.
    Admin,
    /// A principal (or state) that holds permissions the starting principal does not.
    More,
}

/// One way a principal escalates: the first hop's method and the whole path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationPath {
    pub method: &'static str,
    pub description: &'static str,
    pub actions: Vec<&'static str>,
    /// Policy labels that allow the first hop, e.g. `deploy (inline)`.
    pub granted_by: Vec<String>,
    pub reaches: Reach,
    /// The ARN (or description) of what the path ends at.
    pub target: String,
    pub hops: Vec<Hop>,
    pub needs_mfa: bool,
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    User,
    Role,
}

/// A user or role.
#[derive(Debug)]
pub struct Node {
    pub arn: String,
    pub name: String,
    pub kind: NodeKind,
    pub admin: bool,
    pub perms: Permissions,
}

#[derive(Debug, Clone)]
enum EdgeTo {
    Node(usize),
    /// A policy write that reaches this principal.
    Grant(usize),
    Terminal {
        label: String,
        admin: bool,
        more: bool,
    },
}

#[derive(Debug, Clone)]
struct Edge {
    to: EdgeTo,
    method: usize,
    grant: Grant,
}

/// The escalation graph of one inventory and every principal's paths, computed once per
/// dataset.
#[derive(Debug, Default)]
pub struct Analysis {
    pub nodes: Vec<Node>,
    index: HashMap<String, usize>,
    edges: Vec<Vec<Edge>>,
    reverse: Vec<Vec<(usize, usize)>>,
    paths: Vec<Vec<EscalationPath>>,
}

fn short_service(service: &str) -> &str {
    service.split('.').next().unwrap_or(service)
}

/// A role's trust policy: its statements, and each as an identity-style statement on `*` (so
/// its conditions are read by the same evaluator), labelled `<role> (trust policy)`.
struct Trust {
    stmts: Vec<Statement>,
    sourced: Vec<SourcedStatement>,
}

struct Builder<'a> {
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
}

impl Analysis {
    pub fn build(inv: &IamInventory) -> Analysis {
        let cache = PolicyCache::new(inv);
        let mut nodes = Vec::new();
        let mut user_node = Vec::new();
        for u in &inv.user_detail_list {
            user_node.push(nodes.len());
            let perms = user_permissions_cached(inv, &cache, u);
            nodes.push(Node {
                arn: u.arn.clone(),
                name: u.user_name.clone(),
                kind: NodeKind::User,
                admin: perms.is_admin(),
                perms,
            });
        }
        let mut role_node = Vec::new();
        for r in &inv.role_detail_list {
            role_node.push(nodes.len());
            let perms = role_permissions_cached(&cache, r);
            nodes.push(Node {
                arn: r.arn.clone(),
                name: r.role_name.clone(),
                kind: NodeKind::Role,
                admin: perms.is_admin(),
                perms,
            });
        }
        let index: HashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.arn.clone(), i))
            .collect();
        let partition = nodes
            .first()
            .and_then(|n| n.arn.split(':').nth(1))
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
            .to_string();
        let mut admin_policies = vec![format!(
            "arn:{partition}:iam::aws:policy/AdministratorAccess"
        )];
        for p in &inv.policies {
            if p.is_aws_managed() {
                continue;
            }
            if let Ok(stmts) = parse_document(&p.document)
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
            .map(|g| group_permissions(&cache, g))
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
        let b = Builder {
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
        };
        let edges: Vec<Vec<Edge>> = (0..nodes.len()).map(|i| b.edges_of(&nodes, i)).collect();
        let mut reverse = vec![Vec::new(); nodes.len()];
        for (from, es) in edges.iter().enumerate() {
            for (k, e) in es.iter().enumerate() {
                if let EdgeTo::Node(to) = e.to {
                    reverse[to].push((from, k));
                }
            }
        }
        let mut a = Analysis {
            nodes,
            index,
            edges,
            reverse,
            paths: Vec::new(),
        };
        let via = a.ways_to_admin();
        a.paths = (0..a.nodes.len()).map(|i| a.search(i, &via)).collect();
        a
    }

    pub fn node(&self, arn: &str) -> Option<&Node> {
        self.index.get(arn).map(|&i| &self.nodes[i])
    }

    /// Every way `arn` escalates, one path per first method (admins have none: they are
    /// reported as admins).
    pub fn paths(&self, arn: &str) -> &[EscalationPath] {
        self.index
            .get(arn)
            .map(|&i| self.paths[i].as_slice())
            .unwrap_or(&[])
    }

    pub fn is_admin(&self, arn: &str) -> bool {
        self.node(arn).is_some_and(|n| n.admin)
    }

    /// Every principal with a path to an administrator, with its shortest path length
    /// (`:who-can-admin`); admins themselves are not listed.
    pub fn who_can_admin(&self) -> Vec<(&str, usize)> {
        let mut out: Vec<(&str, usize)> = self
            .nodes
            .iter()
            .zip(&self.paths)
            .filter_map(|(n, ps)| {
                ps.iter()
                    .filter(|p| p.reaches == Reach::Admin)
                    .map(|p| p.hops.len())
                    .min()
                    .map(|l| (n.arn.as_str(), l))
            })
            .collect();
        out.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
        out
    }

    fn hop(&self, from: usize, e: &Edge) -> Hop {
        let m = &catalog()[e.method];
        let (to, kind) = match &e.to {
            EdgeTo::Node(t) => (self.nodes[*t].arn.clone(), "becomes"),
            EdgeTo::Grant(t) => (self.nodes[*t].arn.clone(), "grants"),
            EdgeTo::Terminal { label, .. } => (label.clone(), "gains"),
        };
        Hop {
            from: self.nodes[from].arn.clone(),
            to,
            kind,
            method: m.id.as_str(),
            actions: m.action_names(),
            statements: e.grant.statements.clone(),
            needs_mfa: e.grant.needs_mfa,
            depends_on: e.grant.depends_on.clone(),
        }
    }

    /// The edge from `n` that becomes `t` directly, if any.
    fn become_edge(&self, n: usize, t: usize) -> Option<&Edge> {
        self.edges[n]
            .iter()
            .find(|e| matches!(e.to, EdgeTo::Node(x) if x == t))
    }

    /// Whether edge `e` of `n` ends at an administrator by itself: a grant on `n` or on a
    /// principal `n` becomes in one hop (a grant on a principal further away is not followed),
    /// or a terminal state that is one.
    fn admin_edge(&self, n: usize, e: &Edge) -> bool {
        match &e.to {
            EdgeTo::Grant(t) => *t == n || self.become_edge(n, *t).is_some(),
            EdgeTo::Terminal { admin, .. } => *admin,
            EdgeTo::Node(_) => false,
        }
    }

    /// Breadth-first search backwards from the administrators (and the principals with an
    /// administrator edge) over the become-edges: for every principal, the first step of a
    /// shortest way to an administrator. Linear in the graph, once per dataset.
    fn ways_to_admin(&self) -> Vec<Option<Via>> {
        let mut via: Vec<Option<Via>> = vec![None; self.nodes.len()];
        let mut queue = VecDeque::new();
        for (n, node) in self.nodes.iter().enumerate() {
            if node.admin {
                via[n] = Some(Via::Admin);
                queue.push_back(n);
            }
        }
        for (n, v) in via.iter_mut().enumerate() {
            if v.is_none()
                && let Some(k) = self.edges[n].iter().position(|e| self.admin_edge(n, e))
            {
                *v = Some(Via::Goal(k));
                queue.push_back(n);
            }
        }
        while let Some(n) = queue.pop_front() {
            for &(from, k) in &self.reverse[n] {
                if via[from].is_none() {
                    via[from] = Some(Via::Next(k));
                    queue.push_back(from);
                }
            }
        }
        via
    }

    /// The hops from `n` to an administrator along `via`; `None` when the way passes `avoid`.
    fn follow(
        &self,
        mut n: usize,
        via: &[Option<Via>],
        avoid: usize,
    ) -> Option<(Vec<Hop>, String)> {
        let mut hops = Vec::new();
        loop {
            if n == avoid {
                return None;
            }
            match via[n]? {
                Via::Admin => return Some((hops, self.nodes[n].arn.clone())),
                Via::Goal(k) => {
                    let e = &self.edges[n][k];
                    hops.push(self.hop(n, e));
                    return Some(self.finish_goal(n, e, hops));
                }
                Via::Next(k) => {
                    let e = &self.edges[n][k];
                    hops.push(self.hop(n, e));
                    let EdgeTo::Node(t) = e.to else {
                        return None;
                    };
                    n = t;
                }
            }
        }
    }

    /// After a goal edge of `n`: a grant on another principal is used by becoming it.
    fn finish_goal(&self, n: usize, e: &Edge, mut hops: Vec<Hop>) -> (Vec<Hop>, String) {
        match &e.to {
            EdgeTo::Grant(t) => {
                if *t != n
                    && let Some(b) = self.become_edge(n, *t)
                {
                    hops.push(self.hop(n, b));
                }
                (hops, self.nodes[*t].arn.clone())
            }
            EdgeTo::Terminal { label, .. } => (hops, label.clone()),
            EdgeTo::Node(t) => (hops, self.nodes[*t].arn.clone()),
        }
    }

    /// Per first method of `s`: the shortest way to an administrator; else, for a method whose
    /// first hop reaches a principal (or state) holding an action `s` lacks, that hop.
    fn search(&self, s: usize, via: &[Option<Via>]) -> Vec<EscalationPath> {
        if self.nodes[s].admin {
            return Vec::new();
        }
        let start = &self.nodes[s];
        let mut best: Vec<EscalationPath> = Vec::new();
        for e in &self.edges[s] {
            let first = self.hop(s, e);
            let found = if self.admin_edge(s, e) {
                Some((Reach::Admin, self.finish_goal(s, e, vec![first.clone()])))
            } else {
                match &e.to {
                    EdgeTo::Node(t) => match self.follow(*t, via, s) {
                        Some((rest, target)) => {
                            let mut hops = vec![first.clone()];
                            hops.extend(rest);
                            Some((Reach::Admin, (hops, target)))
                        }
                        None if start.perms.lacks_something_of(&self.nodes[*t].perms) => Some((
                            Reach::More,
                            (vec![first.clone()], self.nodes[*t].arn.clone()),
                        )),
                        None => None,
                    },
                    EdgeTo::Terminal {
                        label, more: true, ..
                    } => Some((Reach::More, (vec![first.clone()], label.clone()))),
                    _ => None,
                }
            };
            let Some((reaches, (hops, target))) = found else {
                continue;
            };
            let m = &catalog()[e.method];
            let mut needs_mfa = false;
            let mut depends: Vec<String> = Vec::new();
            for h in &hops {
                needs_mfa |= h.needs_mfa;
                for d in &h.depends_on {
                    if !depends.contains(d) {
                        depends.push(d.clone());
                    }
                }
            }
            let mut granted_by: Vec<String> = Vec::new();
            for st in &first.statements {
                if !granted_by.contains(&st.policy) {
                    granted_by.push(st.policy.clone());
                }
            }
            let p = EscalationPath {
                method: m.id.as_str(),
                description: m.description.as_str(),
                actions: first.actions.clone(),
                granted_by,
                reaches,
                target,
                hops,
                needs_mfa,
                depends_on: depends,
            };
            let rank = |p: &EscalationPath| {
                (
                    p.reaches != Reach::Admin,
                    p.depends_on.len(),
                    p.needs_mfa,
                    p.hops.len(),
                )
            };
            match best.iter_mut().find(|b| b.method == p.method) {
                Some(b) if rank(&p) < rank(b) => *b = p,
                Some(_) => {}
                None => best.push(p),
            }
        }
        // Paths to an administrator first, then catalog order, so output is stable.
        best.sort_by_key(|p| {
            (
                p.reaches != Reach::Admin,
                catalog().iter().position(|m| m.id == p.method),
            )
        });
        best
    }
}

/// The first step of a shortest way to an administrator.
#[derive(Debug, Clone, Copy)]
enum Via {
    /// The principal is one.
    Admin,
    /// Its edge `k` ends at one.
    Goal(usize),
    /// Its become-edge `k` leads towards one.
    Next(usize),
}

impl Builder<'_> {
    /// Evaluates every action of `m` with `target_arn` for `on = "target"`; the grants joined.
    fn allowed(&self, perms: &Permissions, m: &Method, target_arn: Option<&str>) -> Option<Grant> {
        let mut all: Option<Grant> = None;
        for a in &m.actions {
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
                None => perms.allows(&req)?,
                // The caller picks the value: the best grant over the values that escalate.
                Some(c) => {
                    let mut best: Option<Grant> = None;
                    for p in &self.admin_policies {
                        match c {
                            Chooses::Policy => req.policy_arn = Some(p),
                            Chooses::Boundary => req.permissions_boundary = Some(p),
                        }
                        if let Some(g) = perms.allows(&req)
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

    fn edges_of(&self, nodes: &[Node], i: usize) -> Vec<Edge> {
        let me = &nodes[i];
        let p = &me.perms;
        let mut out = Vec::new();
        if me.admin {
            return out;
        }
        self.assume_edges(nodes, i, &mut out);
        for (mi, m) in catalog().iter().enumerate() {
            if m.target == TargetKind::AssumeRole {
                continue;
            }
            if !m.actions.iter().all(|a| p.may_allow(&a.action)) {
                continue;
            }
            let mut push = |to: EdgeTo, g: Grant| {
                out.push(Edge {
                    to,
                    method: mi,
                    grant: g,
                })
            };
            match m.target {
                TargetKind::User => {
                    for (u, &n) in self.inv.user_detail_list.iter().zip(&self.user_node) {
                        let ok = match m.precondition {
                            Some(Precondition::LoginProfile) => u.login_profile.is_some(),
                            Some(Precondition::NoLoginProfile) => u.login_profile.is_none(),
                            None => true,
                        };
                        if n != i
                            && ok
                            && let Some(g) = self.allowed(p, m, Some(&u.arn))
                        {
                            push(EdgeTo::Node(n), g);
                        }
                    }
                }
                TargetKind::ServiceRole => {
                    let service = m.service.as_deref().unwrap_or("").to_ascii_lowercase();
                    for &k in self.service_roles.get(&service).into_iter().flatten() {
                        let r = &self.inv.role_detail_list[k];
                        let n = self.role_node[k];
                        if n == i {
                            continue;
                        }
                        if let Some(g) = self.allowed(p, m, Some(&r.arn)) {
                            push(EdgeTo::Node(n), g);
                        }
                    }
                }
                TargetKind::TrustRewrite => {
                    for (k, r) in self.inv.role_detail_list.iter().enumerate() {
                        let n = self.role_node[k];
                        if n != i
                            && !r.is_service_linked()
                            && let Some(g) = self.allowed(p, m, Some(&r.arn))
                        {
                            push(EdgeTo::Node(n), g);
                        }
                    }
                }
                TargetKind::UserPolicy => {
                    for (u, &n) in self.inv.user_detail_list.iter().zip(&self.user_node) {
                        if nodes[n].perms.boundary.is_none()
                            && let Some(g) = self.allowed(p, m, Some(&u.arn))
                        {
                            push(EdgeTo::Grant(n), g);
                        }
                    }
                }
                TargetKind::RolePolicy => {
                    for (r, &n) in self.inv.role_detail_list.iter().zip(&self.role_node) {
                        if nodes[n].perms.boundary.is_none()
                            && !r.is_service_linked()
                            && let Some(g) = self.allowed(p, m, Some(&r.arn))
                        {
                            push(EdgeTo::Grant(n), g);
                        }
                    }
                }
                TargetKind::GroupPolicy => {
                    for g in &self.inv.group_detail_list {
                        let Some(ms) = self.members.get(g.group_name.as_str()) else {
                            continue;
                        };
                        if let Some(grant) = self.allowed(p, m, Some(&g.arn)) {
                            for &n in ms {
                                if nodes[n].perms.boundary.is_none() {
                                    push(EdgeTo::Grant(n), grant.clone());
                                }
                            }
                        }
                    }
                }
                TargetKind::PolicyVersion => {
                    for pol in self.inv.policies.iter().filter(|x| !x.is_aws_managed()) {
                        let Some(ns) = self.attached.get(pol.arn.as_str()) else {
                            continue;
                        };
                        if let Some(grant) = self.allowed(p, m, Some(&pol.arn)) {
                            for &n in ns {
                                if nodes[n].perms.boundary.is_none() {
                                    push(EdgeTo::Grant(n), grant.clone());
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
                    for (g, gp) in self.inv.group_detail_list.iter().zip(&self.groups) {
                        if mine.contains(&g.group_name) {
                            continue;
                        }
                        let Some(grant) = self.allowed(p, m, Some(&g.arn)) else {
                            continue;
                        };
                        let mut joined = p.clone();
                        joined.identity.extend(gp.identity.iter().cloned());
                        let admin = joined.is_admin();
                        let more = p.lacks_something_of(&joined);
                        if admin || more {
                            push(
                                EdgeTo::Terminal {
                                    label: format!("member of {}", g.arn),
                                    admin,
                                    more,
                                },
                                grant,
                            );
                        }
                    }
                }
                TargetKind::Boundary => {
                    if p.boundary.is_none() {
                        continue;
                    }
                    if let Some(grant) = self.allowed(p, m, None) {
                        let mut free = p.clone();
                        free.boundary = None;
                        let admin = free.is_admin();
                        let more = p.lacks_something_of(&free);
                        if admin || more {
                            push(
                                EdgeTo::Terminal {
                                    label: format!("{} without its permissions boundary", me.arn),
                                    admin,
                                    more,
                                },
                                grant,
                            );
                        }
                    }
                }
                TargetKind::NewPrincipal => {
                    if let Some(grant) = self.allowed(p, m, None) {
                        push(
                            EdgeTo::Terminal {
                                label: "a new principal with an administrator policy".into(),
                                admin: true,
                                more: true,
                            },
                            grant,
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
    fn assume_edges(&self, nodes: &[Node], i: usize, out: &mut Vec<Edge>) {
        let Some(mi) = catalog()
            .iter()
            .position(|m| m.target == TargetKind::AssumeRole)
        else {
            return;
        };
        let me = &nodes[i];
        let p = &me.perms;
        let account_root = format!("arn:{}:iam::{}:root", self.partition, p.caller.account);
        let identity_may = p.may_allow("sts:AssumeRole");
        // Only roles whose trust names this principal, or its account when its identity
        // policy may call sts:AssumeRole at all.
        let mut candidates: Vec<usize> = self
            .trusted_arn
            .get(me.arn.as_str())
            .cloned()
            .unwrap_or_default();
        if identity_may {
            candidates.extend(self.trusted_account.iter().copied());
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
                        .get_or_insert_with(|| {
                            p.allows(&Request::new("sts:AssumeRole", Target::Arn(&r.arn)))
                        })
                        .is_none()
                {
                    continue;
                }
                // Trust conditions are read for the caller like identity conditions.
                let Some(g) = allows_with(
                    std::slice::from_ref(sourced),
                    None,
                    &p.caller,
                    &Request::new("sts:AssumeRole", Target::Arn(&r.arn)),
                ) else {
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
                p.allows(&Request::new("sts:AssumeRole", Target::Arn(&r.arn)))
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
                to: EdgeTo::Node(n),
                method: mi,
                grant: g,
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

/// Privilege-escalation paths of the user or role `principal_arn` (empty when unknown or
/// admin). Builds the whole graph: callers with a dataset should read its analysis instead.
pub fn escalation_paths(inv: &IamInventory, principal_arn: &str) -> Vec<EscalationPath> {
    Analysis::build(inv).paths(principal_arn).to_vec()
}
