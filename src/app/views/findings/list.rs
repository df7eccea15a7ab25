//! The findings table: scope, filter, sort and grouping over the loaded findings.
//!
//! Everything here is computed when an input changes (a keystroke, a sort), never per frame;
//! rendering only slices `rows` for the visible window.
pub use super::query::FilterSpec;
#[cfg(test)]
use super::search::ExactWords;
use super::search::filter_rows;
pub use super::search::{FUZZY_MIN, SearchIndex};
pub use crate::app::cursor::Cursor;
use crate::dataset::Dataset;
use crate::model::{Finding, Severity, Source};
use std::collections::{BTreeSet, HashMap};

/// Which findings a list starts from (before the user's filter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Severity(Severity, Option<Source>),
    Source(Source),
    Region(String),
    Resource(String),
    /// One control id (Security Hub, posture) or finding type (GuardDuty, Access Analyzer).
    Kind(String),
    /// A group's members, or any explicit set (indexes into `Dataset::findings`).
    Ids(Vec<usize>),
}

impl Scope {
    pub fn label(&self) -> String {
        match self {
            Scope::All => "findings".into(),
            Scope::Severity(s, None) => s.label().to_lowercase(),
            Scope::Severity(s, Some(src)) => {
                format!("{} {}", s.label().to_lowercase(), src.label())
            }
            Scope::Source(s) => s.label().to_string(),
            Scope::Region(r) => r.clone(),
            Scope::Resource(a) => short_arn(a).to_string(),
            Scope::Kind(k) => k.clone(),
            Scope::Ids(ids) => format!("group of {}", ids.len()),
        }
    }

    /// Ids scopes are applied by construction of the base list (see `rebuild`).
    fn admits(&self, f: &Finding) -> bool {
        match self {
            Scope::All | Scope::Ids(_) => true,
            Scope::Severity(s, src) => {
                // The primary source, as the overview counts it (a merged finding counts once).
                f.severity == *s && src.is_none_or(|x| f.source == x)
            }
            Scope::Source(src) => f.has_source(*src),
            Scope::Region(r) => &f.region == r,
            Scope::Resource(arn) => f.resources.iter().any(|r| &r.arn == arn),
            Scope::Kind(k) => f.control_id.as_deref().unwrap_or(&f.kind) == k,
        }
    }
}

pub fn short_arn(arn: &str) -> &str {
    arn.rsplit(['/', ':'])
        .find(|s| !s.is_empty())
        .unwrap_or(arn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Severity,
    Time,
    Source,
    Resource,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Severity => SortKey::Time,
            SortKey::Time => SortKey::Source,
            SortKey::Source => SortKey::Resource,
            SortKey::Resource => SortKey::Severity,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Severity => "severity",
            SortKey::Time => "time",
            SortKey::Source => "source",
            SortKey::Resource => "resource",
        }
    }
    pub fn parse(s: &str) -> Option<SortKey> {
        match s {
            "severity" | "sev" => Some(SortKey::Severity),
            "time" | "last-seen" | "seen" => Some(SortKey::Time),
            "source" | "src" => Some(SortKey::Source),
            "resource" | "res" => Some(SortKey::Resource),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupMode {
    None,
    ControlResource,
    Resource,
}

impl GroupMode {
    pub fn next(self) -> GroupMode {
        match self {
            GroupMode::None => GroupMode::ControlResource,
            GroupMode::ControlResource => GroupMode::Resource,
            GroupMode::Resource => GroupMode::None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            GroupMode::None => "none",
            GroupMode::ControlResource => "control+resource",
            GroupMode::Resource => "resource",
        }
    }
    pub fn parse(s: &str) -> Option<GroupMode> {
        match s {
            "none" | "off" => Some(GroupMode::None),
            "control" | "control+resource" => Some(GroupMode::ControlResource),
            "resource" => Some(GroupMode::Resource),
            _ => None,
        }
    }
}

/// A row of the grouped view.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Control id (or finding type) for control grouping; empty for resource grouping.
    pub control: String,
    pub resource_arn: String,
    pub resource_name: String,
    pub severity: Severity,
    pub members: Vec<usize>,
    pub sources: Vec<Source>,
    pub region: String,
    pub title: String,
}

/// One findings table.
#[derive(Debug, Clone)]
pub struct FindingList {
    pub scope: Scope,
    pub sort: SortKey,
    pub descending: bool,
    pub group: GroupMode,
    pub show_closed: bool,
    pub filter: FilterSpec,
    /// The filter text matched nothing exactly and fell back to fuzzy matching.
    pub fuzzy_fallback: bool,
    /// Scope + closed filter, sorted; the filter narrows this.
    base: Vec<usize>,
    /// Visible findings (indexes into `Dataset::findings`), in display order.
    pub rows: Vec<usize>,
    /// When grouped: the groups, in display order.
    pub groups: Vec<Group>,
    pub cursor: Cursor,
    pub marked: BTreeSet<usize>,
}

impl FindingList {
    pub fn new(scope: Scope, data: &Dataset, search: &SearchIndex) -> FindingList {
        let mut l = FindingList {
            scope,
            sort: SortKey::Severity,
            descending: true,
            group: GroupMode::None,
            show_closed: false,
            filter: FilterSpec::default(),
            fuzzy_fallback: false,
            base: Vec::new(),
            rows: Vec::new(),
            groups: Vec::new(),
            cursor: Cursor::default(),
            marked: BTreeSet::new(),
        };
        l.rebuild(data, search);
        l
    }

    /// Number of table rows (groups when grouped).
    pub fn len(&self) -> usize {
        if self.group == GroupMode::None {
            self.rows.len()
        } else {
            self.groups.len()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Recomputes everything (scope, closed filter, sort, filter, groups).
    pub fn rebuild(&mut self, data: &Dataset, search: &SearchIndex) {
        let fs = &data.findings;
        let mut base: Vec<usize> = match &self.scope {
            Scope::Ids(ids) => ids.clone(),
            _ => (0..fs.len()).collect(),
        };
        base.retain(|&i| {
            let f = &fs[i];
            (self.show_closed || f.workflow.is_open()) && self.scope.admits(f)
        });
        sort_rows(&mut base, fs, self.sort, self.descending);
        self.base = base;
        let spec = std::mem::take(&mut self.filter);
        (self.rows, self.fuzzy_fallback) = filter_rows(&self.base, &self.base, fs, search, &spec);
        self.filter = spec;
        self.regroup(data);
    }

    /// Applies a new filter line, narrowing incrementally when the new text extends the old.
    pub fn set_filter(&mut self, text: &str, data: &Dataset, search: &SearchIndex) {
        let mut spec = FilterSpec::parse(text);
        spec.resolve_accounts(|text| {
            data.org
                .iter()
                .flat_map(|m| m.accounts.iter())
                .filter(|a| !a.name.is_empty() && a.name.to_ascii_lowercase().contains(text))
                .map(|a| a.id.clone())
                .collect()
        });
        // Narrowing from the previous rows is exact for substring matches (a longer query
        // matches a subset) and for fuzzy ones (exact matches are a subset of fuzzy matches).
        // The fuzzy fallback after exact rows starts from the base again.
        let (candidates, fallback_base): (&[usize], &[usize]) = if spec.narrows(&self.filter) {
            (
                &self.rows,
                if self.fuzzy_fallback {
                    &self.rows
                } else {
                    &self.base
                },
            )
        } else {
            (&self.base, &self.base)
        };
        let (rows, fuzzy) = filter_rows(candidates, fallback_base, &data.findings, search, &spec);
        self.rows = rows;
        self.fuzzy_fallback = fuzzy;
        self.filter = spec;
        self.cursor = Cursor::default();
        self.regroup(data);
    }

    fn regroup(&mut self, data: &Dataset) {
        self.groups = match self.group {
            GroupMode::None => Vec::new(),
            mode => group_rows(&self.rows, &data.findings, mode),
        };
        // By severity, a group ranks by its worst finding (the one its row shows) both ways:
        // ascending, its first member is its mildest, which would put a group holding a
        // critical finding among the lows.
        if self.sort == SortKey::Severity {
            if self.descending {
                self.groups.sort_by_key(|g| std::cmp::Reverse(g.severity));
            } else {
                self.groups.sort_by_key(|g| g.severity);
            }
        }
    }

    /// The finding under the cursor (ungrouped), or the first member of the selected group.
    pub fn selected_finding(&self) -> Option<usize> {
        match self.group {
            GroupMode::None => self.rows.get(self.cursor.selected).copied(),
            _ => self
                .groups
                .get(self.cursor.selected)
                .and_then(|g| g.members.first().copied()),
        }
    }

    /// Marked findings the filter (or the closed toggle) hides.
    pub fn marked_hidden(&self) -> usize {
        let shown = self.rows.iter().filter(|i| self.marked.contains(i)).count();
        self.marked.len() - shown
    }

    pub fn selected_group(&self) -> Option<&Group> {
        match self.group {
            GroupMode::None => None,
            _ => self.groups.get(self.cursor.selected),
        }
    }
}

fn sort_rows(rows: &mut [usize], fs: &[Finding], key: SortKey, descending: bool) {
    // Stable sorts with deterministic tie-breaks keep the table from jumping around.
    rows.sort_by(|&a, &b| {
        let (fa, fb) = (&fs[a], &fs[b]);
        let primary = match key {
            SortKey::Severity => fa.severity.cmp(&fb.severity),
            SortKey::Time => fa.last_seen.cmp(&fb.last_seen),
            SortKey::Source => fb.source.cmp(&fa.source),
            SortKey::Resource => {
                let ra = fa.primary_resource().map(|r| r.name.as_str()).unwrap_or("");
                let rb = fb.primary_resource().map(|r| r.name.as_str()).unwrap_or("");
                rb.cmp(ra)
            }
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary
            .then_with(|| fb.severity.cmp(&fa.severity))
            .then_with(|| fb.last_seen.cmp(&fa.last_seen))
            .then_with(|| a.cmp(&b))
    });
}

fn group_rows(rows: &[usize], fs: &[Finding], mode: GroupMode) -> Vec<Group> {
    let mut order: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for &i in rows {
        let f = &fs[i];
        let res = f.primary_resource();
        let arn = res.map(|r| r.arn.clone()).unwrap_or_default();
        let control = match mode {
            GroupMode::ControlResource => f.control_id.clone().unwrap_or_else(|| f.kind.clone()),
            _ => String::new(),
        };
        let key = format!("{control}\u{1f}{arn}");
        let gi = *by_key.entry(key).or_insert_with(|| {
            order.push(Group {
                control: control.clone(),
                resource_arn: arn.clone(),
                resource_name: res.map(|r| r.name.clone()).unwrap_or_default(),
                severity: f.severity,
                members: Vec::new(),
                sources: Vec::new(),
                region: f.region.clone(),
                title: f.title.clone(),
            });
            order.len() - 1
        });
        let g = &mut order[gi];
        g.members.push(i);
        g.severity = g.severity.max(f.severity);
        for s in f.sources() {
            if !g.sources.contains(&s) {
                g.sources.push(s);
            }
        }
    }
    // Groups keep the order of their first (best-sorted) member.
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Origin;
    use crate::model::Workflow;
    use crate::snapshot::AccountInfo;
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher};

    fn data(n: usize) -> Dataset {
        Dataset::of_findings(
            Origin::Demo,
            AccountInfo {
                id: "111122223333".into(),
                alias: None,
                caller_arn: None,
            },
            vec!["us-east-1".into()],
            chrono::Utc::now(),
            crate::synth::findings(n),
        )
    }

    #[test]
    fn filter_terms_parse() {
        let f = FilterSpec::parse(
            "sev:high+ src:gd region:eu status:new type:recon res:user-01 brute force",
        );
        assert_eq!(f.min_severity, Some(Severity::High));
        assert_eq!(f.sources, vec![Source::GuardDuty]);
        assert_eq!(f.region.as_deref(), Some("eu"));
        assert_eq!(f.status, Some(Workflow::New));
        assert_eq!(f.kind.as_deref(), Some("recon"));
        assert_eq!(f.resource.as_deref(), Some("user-01"));
        assert_eq!(f.fuzzy, "brute force");
        assert!(f.errors.is_empty());
        let bad = FilterSpec::parse("sev:urgent src:xx");
        assert_eq!(bad.errors.len(), 2, "{:?}", bad.errors);
        // GuardDuty types contain ':' but are text, not a field.
        assert_eq!(
            FilterSpec::parse("Recon:IAMUser/MaliciousIPCaller").fuzzy,
            "Recon:IAMUser/MaliciousIPCaller"
        );
    }

    #[test]
    fn incremental_filter_equals_fresh_filter() {
        let d = data(3000);
        let s = SearchIndex::build(&d.findings);
        let mut typed = FindingList::new(Scope::All, &d, &s);
        let mut text = String::new();
        for c in "sev:high ssh brut".chars() {
            text.push(c);
            typed.set_filter(&text, &d, &s);
            let mut fresh = FindingList::new(Scope::All, &d, &s);
            fresh.set_filter(&text, &d, &s);
            assert_eq!(typed.rows, fresh.rows, "after typing {text:?}");
        }
        assert!(!typed.rows.is_empty());
        assert!(
            typed
                .rows
                .iter()
                .all(|&i| d.findings[i].severity == Severity::High)
        );
        // Fuzzy matching keeps every exact hit (and may keep looser ones).
        let exact = (0..d.findings.len())
            .filter(|&i| {
                d.findings[i].severity == Severity::High
                    && d.findings[i].kind.contains("SSHBruteForce")
            })
            .count();
        assert!(exact > 0);
        assert!(
            typed
                .rows
                .iter()
                .filter(|&&i| d.findings[i].kind.contains("SSHBruteForce"))
                .count()
                == exact
        );
        // Deleting a character widens again.
        text.pop();
        typed.set_filter(&text, &d, &s);
        let mut fresh = FindingList::new(Scope::All, &d, &s);
        fresh.set_filter(&text, &d, &s);
        assert_eq!(typed.rows, fresh.rows);
    }

    #[test]
    fn exact_fast_path_agrees_with_nucleo() {
        let mut d = data(40);
        d.findings[3].title = "Café ingress — SSH port 22".into();
        d.findings[4].title = "x".into();
        d.findings[4].resources.clear();
        d.findings[4].kind = "EC2.13".into();
        d.findings[4].control_id = None;
        d.findings[4].region = "us".into();
        let s = SearchIndex::build(&d.findings);
        let mut matcher = Matcher::new(Config::DEFAULT);
        for q in [
            "s",
            "ssh",
            "SSH",
            "Ssh",
            "ec2.13",
            "EC2.13",
            "22",
            "::/0",
            "0.0.0.0/0",
            "sg- port",
            "user synthetic-user-000001",
            "x ec2.13 us",
            "nomatch",
            "s3.8 mfa",
        ] {
            let words = ExactWords::compile(q).expect("plain words take the fast path");
            let quoted: Vec<String> = q.split_whitespace().map(|w| format!("'{w}")).collect();
            let pattern =
                Pattern::parse(&quoted.join(" "), CaseMatching::Smart, Normalization::Smart);
            for i in 0..d.findings.len() {
                let nucleo = pattern
                    .score(s.haystacks[i].slice(..), &mut matcher)
                    .is_some();
                match words.matches(&s, i) {
                    Some(fast) => assert_eq!(fast, nucleo, "{q:?} on {:?}", s.haystacks[i]),
                    None => assert_eq!(i, 3, "only the non-ASCII haystack goes to nucleo"),
                }
            }
        }
        for q in ["'ssh", "^ssh", "!ssh", "ssh$", "a\\ b", "::ab", "café"] {
            assert!(ExactWords::compile(q).is_none(), "{q:?} is left to nucleo");
        }
    }

    #[test]
    fn fuzzy_fallback_needs_three_characters() {
        let d = data(300);
        let s = SearchIndex::build(&d.findings);
        let mut l = FindingList::new(Scope::All, &d, &s);
        l.set_filter("zq", &d, &s);
        assert!(
            l.rows.is_empty() && !l.fuzzy_fallback,
            "two letters never go fuzzy"
        );
        l.set_filter("SSHBrtFrc", &d, &s);
        assert!(l.fuzzy_fallback, "a typo falls back to fuzzy");
        assert!(!l.rows.is_empty());
        assert!(
            l.rows
                .iter()
                .all(|&i| d.findings[i].kind.contains("SSHBruteForce"))
        );
    }

    #[test]
    fn a_negation_never_widens_into_fuzzy_matches() {
        let d = data(3000);
        let s = SearchIndex::build(&d.findings);
        let mut l = FindingList::new(Scope::All, &d, &s);
        l.set_filter("SSHBruteForce", &d, &s);
        let ssh = l.rows.clone();
        assert!(!ssh.is_empty());
        l.set_filter("SSHBruteForce !brute", &d, &s);
        assert!(l.rows.is_empty(), "every SSHBruteForce finding says brute");
        assert!(!l.fuzzy_fallback);
        let mut typed = FindingList::new(Scope::All, &d, &s);
        let mut text = String::new();
        for c in "ssh !region:us-e".chars() {
            text.push(c);
            typed.set_filter(&text, &d, &s);
            let mut fresh = FindingList::new(Scope::All, &d, &s);
            fresh.set_filter(&text, &d, &s);
            assert_eq!(typed.rows, fresh.rows, "after typing {text:?}");
        }
        assert!(
            typed
                .rows
                .iter()
                .all(|&i| !d.findings[i].region.starts_with("us-e"))
        );
    }

    #[test]
    fn sort_orders() {
        let d = data(500);
        let s = SearchIndex::build(&d.findings);
        let mut l = FindingList::new(Scope::All, &d, &s);
        let sev: Vec<Severity> = l.rows.iter().map(|&i| d.findings[i].severity).collect();
        assert!(sev.windows(2).all(|w| w[0] >= w[1]), "severity descending");
        l.sort = SortKey::Time;
        l.rebuild(&d, &s);
        assert!(
            l.rows
                .windows(2)
                .all(|w| d.findings[w[0]].last_seen >= d.findings[w[1]].last_seen)
        );
        l.descending = false;
        l.rebuild(&d, &s);
        assert!(
            l.rows
                .windows(2)
                .all(|w| d.findings[w[0]].last_seen <= d.findings[w[1]].last_seen)
        );
    }

    #[test]
    fn closed_findings_hidden_by_default() {
        let mut d = data(50);
        d.findings[0].workflow = Workflow::Archived;
        d.findings[1].workflow = Workflow::Resolved;
        let s = SearchIndex::build(&d.findings);
        let mut l = FindingList::new(Scope::All, &d, &s);
        assert_eq!(l.rows.len(), 48);
        l.show_closed = true;
        l.rebuild(&d, &s);
        assert_eq!(l.rows.len(), 50);
    }

    #[test]
    fn grouping_by_control_and_resource() {
        let mut d = data(20);
        // Three standards' findings on one security group share a control id: one group.
        for i in 0..3 {
            d.findings[i].control_id = Some("EC2.13".into());
            d.findings[i].resources = d.findings[0].resources.clone();
            d.findings[i].source = Source::SecurityHub;
        }
        d.findings[1].severity = Severity::Critical;
        let s = SearchIndex::build(&d.findings);
        let mut l = FindingList::new(Scope::All, &d, &s);
        l.group = GroupMode::ControlResource;
        l.rebuild(&d, &s);
        let g = l
            .groups
            .iter()
            .find(|g| g.control == "EC2.13" && g.members.len() == 3)
            .expect("one EC2.13 group");
        assert_eq!(
            g.severity,
            Severity::Critical,
            "a group shows its worst member"
        );
        assert_eq!(l.len(), 18);
    }

    #[test]
    fn cursor_stays_in_window() {
        let mut c = Cursor::default();
        c.step(25, 100, 10);
        assert_eq!((c.selected, c.offset), (25, 16));
        c.step(-20, 100, 10);
        assert_eq!((c.selected, c.offset), (5, 5));
        c.step(1000, 100, 10);
        assert_eq!((c.selected, c.offset), (99, 90));
        c.fit(0, 10);
        assert_eq!(c, Cursor::default());
    }
}
