//! What a principal can become, prepared from the dataset's escalation analysis for drawing:
//! the "can become" tree of a principal's page and the `:who-can-admin` rows. The ui draws
//! these rows and never reads the posture engine itself.
use crate::dataset::Dataset;
use crate::model::Source;
use crate::posture::policy::{EscalationPath, Hop, Reach};
use crate::sanitize;

/// How a piece of a row is drawn (the ui maps it to the theme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Text,
    Dim,
    /// A method id.
    Method,
    /// Reaches an administrator.
    Admin,
    /// Reaches more permissions than the principal holds.
    More,
    /// A condition on the path (MFA, an undecided condition key).
    Caveat,
}

/// One line of the tree: its indent / branch drawing and its pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub prefix: &'static str,
    pub spans: Vec<(String, Tone)>,
    /// The principal this row leads to (Enter opens its page).
    pub opens: Option<String>,
}

impl TreeRow {
    fn new(prefix: &'static str, spans: Vec<(String, Tone)>) -> TreeRow {
        TreeRow {
            prefix,
            spans,
            opens: None,
        }
    }

    /// The row as plain text (tests, filters).
    pub fn text(&self) -> String {
        let mut s = self.prefix.to_string();
        for (t, _) in &self.spans {
            s.push_str(t);
        }
        s
    }
}

/// The "can become" tree of one user or role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub rows: Vec<TreeRow>,
    /// Paths found (admins have none: they already are).
    pub paths: usize,
}

/// Why an empty answer about IAM may not be the whole truth: `None` when the IAM inventory was
/// read completely.
pub fn iam_caveat(data: &Dataset) -> Option<String> {
    if data.iam.is_none() {
        return Some("no IAM inventory was loaded".into());
    }
    data.coverage
        .empty_reason(Source::Posture, None)
        .map(|why| format!("the IAM inventory {why}"))
}

/// `arn:aws:iam::<this account>:user/x` -> `user/x`; other accounts keep the whole ARN.
pub fn short_arn(data: &Dataset, arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let s = match parts.as_slice() {
        ["arn", _, "iam", "", account, rest] if *account == data.account.id => *rest,
        _ => arn,
    };
    sanitize::line(s).into_owned()
}

fn reach_label(r: Reach) -> (&'static str, Tone) {
    match r {
        Reach::Admin => ("ADMIN", Tone::Admin),
        Reach::More => ("more permissions", Tone::More),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `deploy (inline) › AllowPass, #2; Ops (managed) › #1`: the policies and statements that
/// allow a hop.
fn statements(h: &Hop) -> String {
    let mut by_policy: Vec<(&str, Vec<&str>)> = Vec::new();
    for s in &h.statements {
        match by_policy.iter_mut().find(|(p, _)| *p == s.policy) {
            Some((_, v)) => v.push(&s.statement),
            None => by_policy.push((&s.policy, vec![&s.statement])),
        }
    }
    let text = by_policy
        .iter()
        .map(|(p, sts)| format!("{p} › {}", sts.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    sanitize::line(&text).into_owned()
}

/// `needs MFA`, `depends on k1, k2`: what a hop or path hinges on.
fn caveats(needs_mfa: bool, depends_on: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if needs_mfa {
        out.push("needs MFA".to_string());
    }
    if !depends_on.is_empty() {
        out.push(format!(
            "depends on {}",
            sanitize::line(&depends_on.join(", "))
        ));
    }
    out
}

/// Caveats as the tail of a row.
fn caveat_spans(needs_mfa: bool, depends_on: &[String]) -> Vec<(String, Tone)> {
    caveats(needs_mfa, depends_on)
        .into_iter()
        .flat_map(|c| [(" · ".to_string(), Tone::Dim), (c, Tone::Caveat)])
        .collect()
}

fn path_rows(data: &Dataset, arn: &str, p: &EscalationPath, out: &mut Vec<TreeRow>) {
    let (reach, tone) = reach_label(p.reaches);
    let target = if p.target == arn {
        "itself".to_string()
    } else {
        short_arn(data, &p.target)
    };
    let mut head = vec![
        (p.method.to_string(), Tone::Method),
        (" → ".into(), Tone::Dim),
        (reach.to_string(), tone),
        (
            format!(" ({target}, {})", plural(p.hops.len(), "hop", "hops")),
            Tone::Dim,
        ),
    ];
    head.extend(caveat_spans(p.needs_mfa, &p.depends_on));
    let mut head = TreeRow::new("", head);
    if data.escalation.node(&p.target).is_some() {
        head.opens = Some(p.target.clone());
    }
    out.push(head);
    let n = p.hops.len();
    for (i, h) in p.hops.iter().enumerate() {
        let last = i + 1 == n;
        let (branch, cont) = if last {
            ("└─ ", "     ")
        } else {
            ("├─ ", "│    ")
        };
        let to = if h.to == h.from {
            "itself".to_string()
        } else {
            short_arn(data, &h.to)
        };
        let mut row = TreeRow::new(
            branch,
            vec![
                (h.method.to_string(), Tone::Method),
                ("  ".into(), Tone::Dim),
                (short_arn(data, &h.from), Tone::Text),
                (" → ".into(), Tone::Dim),
                (to, Tone::Text),
                (format!("  ({})", h.kind), Tone::Dim),
            ],
        );
        if h.kind != "gains" && data.escalation.node(&h.to).is_some() {
            row.opens = Some(h.to.clone());
        }
        out.push(row);
        let granted = if h.statements.is_empty() && i == 0 {
            sanitize::line(&p.granted_by.join(", ")).into_owned()
        } else {
            statements(h)
        };
        let mut detail = vec![
            ("granted by ".into(), Tone::Dim),
            (
                if granted.is_empty() {
                    "(not recorded)".into()
                } else {
                    granted
                },
                Tone::Text,
            ),
        ];
        detail.extend(caveat_spans(h.needs_mfa, &h.depends_on));
        out.push(TreeRow::new(cont, detail));
        out.push(TreeRow::new(
            cont,
            vec![
                ("allows ".into(), Tone::Dim),
                (h.actions.join(" + "), Tone::Text),
            ],
        ));
    }
}

/// The tree of `arn`; `None` when it is not a user or role of the analysis (a group, a
/// policy, any other resource).
pub fn tree(data: &Dataset, arn: &str) -> Option<Tree> {
    data.escalation.node(arn)?;
    let paths = data.escalation.paths(arn);
    let mut rows = Vec::new();
    if data.escalation.is_admin(arn) {
        rows.push(TreeRow::new(
            "",
            vec![(
                "already a full administrator (*:* or equivalent): nothing further to become"
                    .into(),
                Tone::Admin,
            )],
        ));
    } else if paths.is_empty() {
        let mut text = "no privilege-escalation path found".to_string();
        if let Some(why) = iam_caveat(data) {
            text.push_str(&format!(" ({why})"));
        }
        rows.push(TreeRow::new("", vec![(text, Tone::Dim)]));
    }
    // Paths to an administrator first, shortest first.
    let mut ordered: Vec<&EscalationPath> = paths.iter().collect();
    ordered.sort_by_key(|p| (p.reaches != Reach::Admin, p.hops.len()));
    for (i, p) in ordered.iter().enumerate() {
        if i > 0 {
            rows.push(TreeRow::new("", vec![]));
        }
        path_rows(data, arn, p, &mut rows);
    }
    Some(Tree {
        rows,
        paths: paths.len(),
    })
}

/// The one-line summary on a principal's facts: `None` when it is not a user or role.
pub fn summary(data: &Dataset, arn: &str) -> Option<(String, Tone)> {
    data.escalation.node(arn)?;
    if data.escalation.is_admin(arn) {
        return Some(("full administrator (*:* or equivalent)".into(), Tone::Admin));
    }
    let paths = data.escalation.paths(arn);
    let admin = paths
        .iter()
        .filter(|p| p.reaches == Reach::Admin)
        .map(|p| p.hops.len())
        .min();
    let n = plural(paths.len(), "path", "paths");
    Some(match admin {
        Some(hops) => (
            format!(
                "can become ADMIN in {} · {n} · h/l: can become",
                plural(hops, "hop", "hops")
            ),
            Tone::Admin,
        ),
        None if !paths.is_empty() => (
            format!("can gain more permissions · {n} · h/l: can become"),
            Tone::More,
        ),
        None => match iam_caveat(data) {
            Some(why) => (
                format!("no privilege-escalation path found ({why})"),
                Tone::Dim,
            ),
            None => ("no privilege-escalation path found".into(), Tone::Text),
        },
    })
}

/// One `:who-can-admin` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRow {
    pub arn: String,
    /// `user/x`, `role/y` (the whole ARN for another account).
    pub name: String,
    /// Hops of its shortest path to an administrator.
    pub hops: usize,
    /// The first method of that path.
    pub method: String,
    /// The policies that allow its first hop.
    pub granted_by: String,
    /// `needs MFA`, `depends on k` (empty when unconditional).
    pub caveat: String,
}

/// Every principal with a path to an administrator, shortest first.
pub fn admin_rows(data: &Dataset) -> Vec<AdminRow> {
    data.escalation
        .who_can_admin()
        .into_iter()
        .map(|(arn, hops)| {
            let p = data
                .escalation
                .paths(arn)
                .iter()
                .filter(|p| p.reaches == Reach::Admin)
                .min_by_key(|p| p.hops.len());
            let caveat = p
                .map(|p| caveats(p.needs_mfa, &p.depends_on).join(" · "))
                .unwrap_or_default();
            AdminRow {
                arn: arn.to_string(),
                name: short_arn(data, arn),
                hops,
                method: p.map(|p| p.method.to_string()).unwrap_or_default(),
                granted_by: p
                    .map(|p| sanitize::line(&p.granted_by.join(", ")).into_owned())
                    .unwrap_or_default(),
                caveat,
            }
        })
        .collect()
}

/// Principals that already are administrators (not listed by `:who-can-admin`).
pub fn admins(data: &Dataset) -> usize {
    data.escalation.nodes.iter().filter(|n| n.admin).count()
}
