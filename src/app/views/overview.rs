//! The overview: its numbers (computed once per dataset, never per frame) and its keys.
use super::findings::findings_view;
use super::resource::ResourceView;
use super::{Cx, Reaction, Remap, View, ViewBehaviour};
use crate::app::keymap::{Action, Hint};
use crate::app::list::Scope;
use crate::app::selection::Selection;
use crate::dataset::Dataset;
use crate::model::{Count, Coverage, Severity, Source};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct OverviewView {
    pub cursor: usize,
    /// Column in the severity x source table: 0 = all sources, 1.. = Source::ALL.
    pub column: usize,
}

impl ViewBehaviour for OverviewView {
    fn key(&mut self, cx: &Cx, action: Action) -> Reaction {
        let items = cx.summary.items.len();
        match action {
            Action::Down => self.cursor = (self.cursor + 1).min(items.saturating_sub(1)),
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Top => self.cursor = 0,
            Action::Bottom => self.cursor = items.saturating_sub(1),
            Action::Left => self.column = self.column.saturating_sub(1),
            Action::Right => self.column = (self.column + 1).min(Source::ALL.len()),
            Action::Enter => {
                let findings = |scope| findings_view(scope, cx.data, cx.search, cx.height);
                let push = match cx.summary.items.get(self.cursor).cloned() {
                    Some(OverviewItem::Severity(sev)) => {
                        let src = self.column.checked_sub(1).map(|c| Source::ALL[c]);
                        Some(findings(Scope::Severity(sev, src)))
                    }
                    Some(OverviewItem::Region(r)) => Some(findings(Scope::Region(r))),
                    Some(OverviewItem::Resource(ri)) => Some(View::Resource(ResourceView::new(ri))),
                    Some(OverviewItem::Kind(k)) => Some(findings(Scope::Kind(k))),
                    Some(OverviewItem::Posture) => Some(findings(Scope::Source(Source::Posture))),
                    None => None,
                };
                return Reaction {
                    push,
                    ..Default::default()
                };
            }
            _ => {}
        }
        Reaction::default()
    }

    fn carry_over(&self, _cx: &Cx, _remap: &Remap) -> Option<View> {
        Some(View::Overview(self.clone()))
    }

    fn breadcrumb(&self, _data: &Dataset, _base: bool) -> Option<String> {
        None
    }

    fn selection(&self, _data: &Dataset) -> Selection {
        Selection::default()
    }

    fn hints(&self) -> &'static [Hint] {
        &[
            Hint::Bound(&[Action::Down, Action::Up], "move"),
            Hint::Bound(&[Action::Left, Action::Right], "source"),
            Hint::Bound(&[Action::Enter], "drill down"),
            Hint::Bound(&[Action::NextPane], "pane"),
            Hint::Bound(&[Action::Command], "command"),
            Hint::Bound(&[Action::Help], "help"),
            Hint::Bound(&[Action::Quit], "quit"),
        ]
    }
}

/// A selectable line of the overview; Enter drills into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverviewItem {
    Severity(Severity),
    Posture,
    Region(String),
    /// A control id or finding type (see `Scope::Kind`).
    Kind(String),
    /// Index into `Dataset::resources.resources`.
    Resource(usize),
}

/// Counts of open findings, indexed by `Severity::ALL` order (critical first).
pub type SevCounts = [usize; 5];

fn sev_index(s: Severity) -> usize {
    Severity::ALL.iter().position(|x| *x == s).unwrap_or(4)
}

/// Counts qualified by coverage, in `Severity::ALL` order: `12`, `≥12`, `?`, `off`.
pub type SevQualified = [Count; 5];

/// The sum of counts from several sources: exact only when each part is (a source that is
/// off adds nothing); otherwise at least the sum, or unknown when nothing was read.
pub fn sum_counts(parts: impl IntoIterator<Item = Count>) -> Count {
    let (mut n, mut exact) = (0, true);
    for c in parts {
        match c {
            Count::Exact(k) => n += k,
            Count::AtLeast(k) => (n, exact) = (n + k, false),
            Count::Unknown => exact = false,
            Count::Off => {}
        }
    }
    match (exact, n) {
        (true, _) => Count::Exact(n),
        (false, 0) => Count::Unknown,
        (false, _) => Count::AtLeast(n),
    }
}

/// `counts[source][severity]` of one region (`None`: every region) qualified by coverage.
/// Regional posture findings come from service statuses, not the (global) IAM read, so only
/// the `global` row and the all-regions counts depend on IAM's coverage.
fn qualified(cov: &Coverage, region: Option<&str>, counts: &[SevCounts; 4]) -> [SevQualified; 4] {
    std::array::from_fn(|ci| {
        let src = Source::ALL[ci];
        std::array::from_fn(|si| {
            let n = counts[ci][si];
            match region {
                Some(r) if src == Source::Posture && r != "global" => Count::Exact(n),
                _ => cov.qualify(src, region, n),
            }
        })
    })
}

fn column_sums(q: &[SevQualified; 4]) -> SevQualified {
    std::array::from_fn(|si| sum_counts(q.iter().map(|row| row[si])))
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostureScore {
    /// 0-100: the severity-weighted share of posture rules that pass.
    pub score: u8,
    pub failing_rules: usize,
    pub total_rules: usize,
    /// Rules without a finding whose data was not read: neither passing nor failing, and left
    /// out of the score (the same rule as `check`'s unknown rules).
    pub unknown_rules: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// [source][severity], open findings; a deduplicated finding counts once, under its primary source.
    pub by_source: [SevCounts; 4],
    pub total: SevCounts,
    pub open: usize,
    pub closed: usize,
    /// Findings reported by more than one source (merged copies).
    pub merged: usize,
    pub by_region: Vec<(String, SevCounts)>,
    /// `by_source` qualified by coverage (a count from an incomplete source is `≥n` or `?`).
    pub by_source_q: Vec<SevQualified>,
    /// `total` qualified: exact only when every source's count is.
    pub total_q: Option<SevQualified>,
    /// `by_region`'s rows qualified, same order.
    pub by_region_q: Vec<SevQualified>,
    /// (resource index, counts), worst first.
    pub top_resources: Vec<(usize, SevCounts)>,
    /// (control id or type, worst severity, open count, title of one), most frequent first.
    pub top_kinds: Vec<(String, Severity, usize, String)>,
    pub posture: PostureScore,
    /// The selectable lines, in display order.
    pub items: Vec<OverviewItem>,
}

pub const TOP_RESOURCES: usize = 8;
pub const TOP_KINDS: usize = 8;

pub use crate::posture::score::weight;

impl Summary {
    pub fn build(data: &Dataset) -> Summary {
        let mut s = Summary::default();
        // region -> [source][severity]
        let mut regions: BTreeMap<String, [SevCounts; 4]> = BTreeMap::new();
        let mut kinds: BTreeMap<&str, (Severity, usize, &str)> = BTreeMap::new();
        let mut failing: BTreeSet<&str> = BTreeSet::new();
        for f in &data.findings {
            if f.records.len() > 1 {
                s.merged += 1;
            }
            if !f.workflow.is_open() {
                s.closed += 1;
                continue;
            }
            s.open += 1;
            let si = sev_index(f.severity);
            let src = Source::ALL.iter().position(|x| *x == f.source).unwrap_or(0);
            s.by_source[src][si] += 1;
            s.total[si] += 1;
            regions.entry(f.region.clone()).or_default()[src][si] += 1;
            let k = kinds
                .entry(f.control_id.as_deref().unwrap_or(&f.kind))
                .or_insert((f.severity, 0, &f.title));
            k.0 = k.0.max(f.severity);
            k.1 += 1;
            if f.source == Source::Posture {
                failing.insert(f.kind.as_str());
            }
        }
        for r in &data.regions {
            regions.entry(r.clone()).or_default();
        }
        let cov = &data.coverage;
        let by_source_q = qualified(cov, None, &s.by_source);
        s.total_q = Some(column_sums(&by_source_q));
        s.by_source_q = by_source_q.to_vec();
        for (r, counts) in regions {
            s.by_region_q
                .push(column_sums(&qualified(cov, Some(&r), &counts)));
            let total = std::array::from_fn(|si| counts.iter().map(|c| c[si]).sum());
            s.by_region.push((r, total));
        }
        let mut kinds: Vec<(String, Severity, usize, String)> = kinds
            .into_iter()
            .map(|(k, (sev, n, t))| (k.to_string(), sev, n, t.to_string()))
            .collect();
        // Most frequent first; ties by severity then name keep the order stable.
        kinds.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
        kinds.truncate(TOP_KINDS);
        s.top_kinds = kinds;

        let mut top: Vec<(usize, SevCounts)> = data
            .resources
            .resources
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let mut c = SevCounts::default();
                for &fi in &r.findings {
                    let f = &data.findings[fi];
                    if f.workflow.is_open() {
                        c[sev_index(f.severity)] += 1;
                    }
                }
                (c.iter().sum::<usize>() > 0).then_some((i, c))
            })
            .collect();
        // Worst first: compare counts critical-first, then by total.
        top.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(b.1.iter().sum::<usize>().cmp(&a.1.iter().sum()))
                .then(a.0.cmp(&b.0))
        });
        top.truncate(TOP_RESOURCES);
        s.top_resources = top;

        // Opt-in rules (sandbox profile) are not evaluated here, so they do not count.
        let rules: Vec<&crate::posture::RuleInfo> = crate::posture::rules()
            .iter()
            .filter(|r| crate::posture::is_default(r.id))
            .collect();
        s.posture = PostureScore::of(&rules, &failing, |r| data.unknown_reason(r).is_some());

        s.items = Severity::ALL
            .iter()
            .map(|x| OverviewItem::Severity(*x))
            .collect();
        s.items.push(OverviewItem::Posture);
        s.items.extend(
            s.by_region
                .iter()
                .map(|(r, _)| OverviewItem::Region(r.clone())),
        );
        s.items.extend(
            s.top_kinds
                .iter()
                .map(|(k, ..)| OverviewItem::Kind(k.clone())),
        );
        s.items.extend(
            s.top_resources
                .iter()
                .map(|(i, _)| OverviewItem::Resource(*i)),
        );
        s
    }
}

/// The organization's posture over every account read: a rule fails when it fails in any
/// account, is unknown when it fails nowhere but some account could not judge it, and passes
/// only when it passes in every account. The score weighs those rules as one account's would.
pub fn org_posture(parts: &[&Dataset]) -> PostureScore {
    let rules: Vec<&crate::posture::RuleInfo> = crate::posture::rules()
        .iter()
        .filter(|r| crate::posture::is_default(r.id))
        .collect();
    let failing: BTreeSet<&str> = parts
        .iter()
        .flat_map(|d| d.findings.iter())
        .filter(|f| f.source == Source::Posture && f.workflow.is_open())
        .map(|f| f.kind.as_str())
        .collect();
    PostureScore::of(&rules, &failing, |r| {
        parts.iter().any(|d| d.unknown_reason(r).is_some())
    })
}

impl PostureScore {
    /// The score of `rules` where `failing` fail; a rule that does not fail and whose data
    /// `unread` says was not read is unknown (left out of the score).
    fn of(
        rules: &[&crate::posture::RuleInfo],
        failing: &BTreeSet<&str>,
        unread: impl Fn(&crate::posture::RuleInfo) -> bool,
    ) -> PostureScore {
        let unknown = |r: &crate::posture::RuleInfo| !failing.contains(r.id) && unread(r);
        PostureScore {
            score: crate::posture::score::score(
                rules
                    .iter()
                    .filter(|r| !unknown(r))
                    .map(|r| (r.severity, failing.contains(r.id))),
            ),
            failing_rules: rules.iter().filter(|r| failing.contains(r.id)).count(),
            total_rules: rules.len(),
            unknown_rules: rules.iter().filter(|r| unknown(r)).count(),
        }
    }
}
