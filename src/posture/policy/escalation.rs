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
use super::edges::Builder;
use super::permissions::{
    Grant, Permissions, PolicyCache, StatementRef, role_permissions_cached, user_permissions_cached,
};
use crate::model::IamInventory;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

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
    /// Why the organization's SCPs make the path impossible (a hop's action denied or not
    /// allowed): the account's own policies allow it, so removing the SCP reopens it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
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

/// Where an edge leads. Indexes are `u32`: an edge is 16 bytes and there can be ~300k.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EdgeTo {
    Node(u32),
    /// A policy write that reaches this principal.
    Grant(u32),
    Terminal {
        /// Position in [`Tables::labels`].
        label: u32,
        admin: bool,
        more: bool,
    },
}

// The graph holds one edge per (principal, method, target): keep them small.
const _: () = assert!(std::mem::size_of::<Edge>() <= 16);

#[derive(Debug, Clone, Copy)]
pub(super) struct Edge {
    pub(super) to: EdgeTo,
    pub(super) method: u16,
    /// Position in [`Tables::grants`]: a grant on `*` is the same for every target it reaches
    /// and for every member of the group whose policy makes it, so it is stored once.
    pub(super) grant: u32,
}

/// What edges share: their grants and terminal labels, each stored once.
#[derive(Debug, Default)]
pub(super) struct Tables {
    grants: Vec<Grant>,
    grant_index: HashMap<Grant, u32>,
    labels: Vec<Box<str>>,
    label_index: HashMap<Box<str>, u32>,
}

impl Tables {
    pub(super) fn grant(&mut self, g: Grant) -> u32 {
        if let Some(&k) = self.grant_index.get(&g) {
            return k;
        }
        let k = self.grants.len() as u32;
        self.grants.push(g.clone());
        self.grant_index.insert(g, k);
        k
    }

    pub(super) fn label(&mut self, l: String) -> u32 {
        if let Some(&k) = self.label_index.get(l.as_str()) {
            return k;
        }
        let k = self.labels.len() as u32;
        let l: Box<str> = l.into();
        self.labels.push(l.clone());
        self.label_index.insert(l, k);
        k
    }
}

/// Every principal's escalation paths in one inventory, computed once per dataset. The graph
/// they are searched on is dropped once they are: its edges (~300k at 308 users) were a third
/// of a large check's heap and nothing reads them afterwards.
#[derive(Debug, Default)]
pub struct Analysis {
    pub nodes: Vec<Node>,
    index: HashMap<String, usize>,
    paths: Vec<Vec<EscalationPath>>,
}

/// The escalation graph: the edges of every node, and for each node the become-edges that
/// lead to it (`reverse[to]` = (from, edge index)).
struct Graph<'a> {
    nodes: &'a [Node],
    tables: Tables,
    edges: Vec<Vec<Edge>>,
    reverse: Vec<Vec<(usize, usize)>>,
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
        let b = Builder::new(inv, &cache, &nodes, user_node, role_node);
        let mut tables = Tables::default();
        let edges: Vec<Vec<Edge>> = (0..nodes.len())
            .map(|i| {
                let mut es = b.edges_of(&nodes, i, &mut tables);
                // Held while the paths are searched: no growth headroom.
                es.shrink_to_fit();
                es
            })
            .collect();
        let mut reverse = vec![Vec::new(); nodes.len()];
        for (from, es) in edges.iter().enumerate() {
            for (k, e) in es.iter().enumerate() {
                if let EdgeTo::Node(to) = e.to {
                    reverse[to as usize].push((from, k));
                }
            }
        }
        let graph = Graph {
            nodes: &nodes,
            tables,
            edges,
            reverse,
        };
        let via = graph.ways_to_admin();
        let paths = (0..nodes.len()).map(|i| graph.search(i, &via)).collect();
        drop(graph);
        Analysis {
            nodes,
            index,
            paths,
        }
    }

    /// Marks every path that one of its hops' actions cannot take under the account's SCPs.
    /// The search itself ignores SCPs, so a path is kept and shown as blocked rather than
    /// dropped: it reopens the day the SCP changes.
    pub fn apply_scps(&mut self, bound: &crate::posture::scp::ScpBound<'_>) {
        for p in self.paths.iter_mut().flatten() {
            // SCPs never restrict service-linked roles.
            p.blocked_by = p
                .hops
                .iter()
                .filter(|h| !h.from.contains(":role/aws-service-role/"))
                .find_map(|h| h.actions.iter().find_map(|a| bound.blocks(a, &h.to)));
        }
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
                    .filter(|p| p.reaches == Reach::Admin && p.blocked_by.is_none())
                    .map(|p| p.hops.len())
                    .min()
                    .map(|l| (n.arn.as_str(), l))
            })
            .collect();
        out.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
        out
    }
}

impl Graph<'_> {
    fn label(&self, k: u32) -> &str {
        &self.tables.labels[k as usize]
    }

    fn hop(&self, from: usize, e: &Edge) -> Hop {
        let m = &catalog()[e.method as usize];
        let grant = &self.tables.grants[e.grant as usize];
        let (to, kind) = match e.to {
            EdgeTo::Node(t) => (self.nodes[t as usize].arn.clone(), "becomes"),
            EdgeTo::Grant(t) => (self.nodes[t as usize].arn.clone(), "grants"),
            EdgeTo::Terminal { label, .. } => (self.label(label).to_string(), "gains"),
        };
        Hop {
            from: self.nodes[from].arn.clone(),
            to,
            kind,
            method: m.id.as_str(),
            actions: m.action_names(),
            statements: grant.statements.clone(),
            needs_mfa: grant.needs_mfa,
            depends_on: grant.depends_on.clone(),
        }
    }

    /// The edge from `n` that becomes `t` directly, if any.
    fn become_edge(&self, n: usize, t: usize) -> Option<&Edge> {
        self.edges[n]
            .iter()
            .find(|e| matches!(e.to, EdgeTo::Node(x) if x as usize == t))
    }

    /// Whether edge `e` of `n` ends at an administrator by itself: a grant on `n` or on a
    /// principal `n` becomes in one hop (a grant on a principal further away is not followed),
    /// or a terminal state that is one.
    fn admin_edge(&self, n: usize, e: &Edge) -> bool {
        match e.to {
            EdgeTo::Grant(t) => t as usize == n || self.become_edge(n, t as usize).is_some(),
            EdgeTo::Terminal { admin, .. } => admin,
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
                    n = t as usize;
                }
            }
        }
    }

    /// After a goal edge of `n`: a grant on another principal is used by becoming it.
    fn finish_goal(&self, n: usize, e: &Edge, mut hops: Vec<Hop>) -> (Vec<Hop>, String) {
        match e.to {
            EdgeTo::Grant(t) => {
                let t = t as usize;
                if t != n
                    && let Some(b) = self.become_edge(n, t)
                {
                    hops.push(self.hop(n, b));
                }
                (hops, self.nodes[t].arn.clone())
            }
            EdgeTo::Terminal { label, .. } => (hops, self.label(label).to_string()),
            EdgeTo::Node(t) => (hops, self.nodes[t as usize].arn.clone()),
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
        // Several methods often lead to the same principal: compare permissions once each.
        let mut lacks: HashMap<usize, bool> = HashMap::new();
        for e in &self.edges[s] {
            let first = self.hop(s, e);
            let found = if self.admin_edge(s, e) {
                Some((Reach::Admin, self.finish_goal(s, e, vec![first.clone()])))
            } else {
                match e.to {
                    EdgeTo::Node(t) => match self.follow(t as usize, via, s) {
                        Some((rest, target)) => {
                            let mut hops = vec![first.clone()];
                            hops.extend(rest);
                            Some((Reach::Admin, (hops, target)))
                        }
                        None if *lacks.entry(t as usize).or_insert_with(|| {
                            start
                                .perms
                                .lacks_something_of(&self.nodes[t as usize].perms)
                        }) =>
                        {
                            Some((
                                Reach::More,
                                (vec![first.clone()], self.nodes[t as usize].arn.clone()),
                            ))
                        }
                        None => None,
                    },
                    EdgeTo::Terminal {
                        label, more: true, ..
                    } => Some((
                        Reach::More,
                        (vec![first.clone()], self.label(label).to_string()),
                    )),
                    _ => None,
                }
            };
            let Some((reaches, (hops, target))) = found else {
                continue;
            };
            let m = &catalog()[e.method as usize];
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
                blocked_by: None,
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

/// Privilege-escalation paths of the user or role `principal_arn` (empty when unknown or
/// admin). Builds the whole graph: callers with a dataset should read its analysis instead.
pub fn escalation_paths(inv: &IamInventory, principal_arn: &str) -> Vec<EscalationPath> {
    Analysis::build(inv).paths(principal_arn).to_vec()
}
