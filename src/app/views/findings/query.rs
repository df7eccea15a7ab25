//! The filter line: `field:value` terms (sev:, src:, region:, status:, type:, res:) plus fuzzy
//! text; a leading `!` negates a term or a word. A term that does not parse is reported (with
//! the valid values) and left out; the rest of the line still applies.
use crate::model::{Finding, Severity, Source, Workflow};

/// The field names the filter line knows (aliases included), for errors and typo detection.
const FIELDS: &[&str] = &[
    "sev", "severity", "src", "source", "region", "status", "workflow", "type", "kind", "control",
    "res", "resource", "acct", "account",
];
// Short enough that an error fits one 80-column line.
const SEVERITIES: &str = "critical high medium low info · high+ = and above";
const SOURCES: &str = "sh gd aa posture";
const STATUSES: &str = "new notified resolved suppressed archived";
const FIELD_LIST: &str = "sev: src: region: status: type: res: acct:";

/// One `field:value` term (used for the negated terms, `!field:value`).
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Severity(Severity),
    MinSeverity(Severity),
    Source(Source),
    Region(String),
    Status(Workflow),
    Kind(String),
    Resource(String),
    /// `acct:`: an account id prefix, or (over an organization) a piece of its name; the ids
    /// whose name matched are filled in by [`FilterSpec::resolve_accounts`].
    Account {
        text: String,
        ids: Vec<String>,
    },
}

impl Term {
    pub(crate) fn admits(&self, f: &Finding) -> bool {
        match self {
            Term::Severity(s) => f.severity == *s,
            Term::MinSeverity(s) => f.severity >= *s,
            Term::Source(s) => f.has_source(*s),
            Term::Region(r) => f.region.starts_with(r.as_str()),
            Term::Status(w) => crate::merge::has_workflow(f, *w),
            Term::Kind(k) => kind_admits(k, f),
            Term::Resource(r) => resource_admits(r, f),
            Term::Account { text, ids } => {
                f.account.starts_with(text.as_str()) || ids.contains(&f.account)
            }
        }
    }
}

fn kind_admits(k: &str, f: &Finding) -> bool {
    let ctl = f.control_id.as_deref().unwrap_or("").to_ascii_lowercase();
    f.kind.to_ascii_lowercase().contains(k) || ctl.contains(k)
}

fn resource_admits(r: &str, f: &Finding) -> bool {
    f.resources
        .iter()
        .any(|x| x.arn.to_ascii_lowercase().contains(r) || x.name.to_ascii_lowercase().contains(r))
}

/// The parsed filter line: `field:value` terms plus fuzzy text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterSpec {
    pub text: String,
    pub min_severity: Option<Severity>,
    pub severity: Option<Severity>,
    pub sources: Vec<Source>,
    pub region: Option<String>,
    pub status: Option<Workflow>,
    pub kind: Option<String>,
    pub resource: Option<String>,
    /// `acct:` ([`Term::Account`]).
    pub account: Option<Term>,
    pub fuzzy: String,
    /// `!field:value`: findings a term admits are left out.
    pub excluded: Vec<Term>,
    /// `!word`: findings whose text contains the word are left out.
    pub excluded_text: Vec<String>,
    /// Terms that did not parse (each names the valid values), shown in the filter line.
    pub errors: Vec<String>,
}

/// What one `field:value` term says.
enum Parsed {
    Term(Term),
    /// Not a field: fuzzy text (GuardDuty types and ARNs contain ':').
    Text,
    Error(String),
}

fn parse_term(term: &str) -> Parsed {
    let Some((k, v)) = term.split_once(':') else {
        return Parsed::Text;
    };
    let key = k.to_ascii_lowercase();
    let v_low = v.to_ascii_lowercase();
    let needs_value =
        |what: &str, valid: &str| Parsed::Error(format!("{key}: needs a {what} · {valid}"));
    match key.as_str() {
        "sev" | "severity" => {
            if v_low.is_empty() {
                return needs_value("severity", SEVERITIES);
            }
            let (base, plus) = match v_low.strip_suffix('+') {
                Some(b) => (b, true),
                None => (v_low.as_str(), false),
            };
            match Severity::parse(base) {
                Some(s) if plus => Parsed::Term(Term::MinSeverity(s)),
                Some(s) => Parsed::Term(Term::Severity(s)),
                None => Parsed::Error(format!("unknown severity {v:?} · {SEVERITIES}")),
            }
        }
        "src" | "source" => match parse_source(&v_low) {
            Some(s) => Parsed::Term(Term::Source(s)),
            None if v_low.is_empty() => needs_value("source", SOURCES),
            None => Parsed::Error(format!("unknown source {v:?} · {SOURCES}")),
        },
        "status" | "workflow" => match Workflow::parse(&v_low) {
            Some(w) => Parsed::Term(Term::Status(w)),
            None if v_low.is_empty() => needs_value("status", STATUSES),
            None => Parsed::Error(format!("unknown status {v:?} · {STATUSES}")),
        },
        "region" | "type" | "kind" | "control" | "res" | "resource" | "acct" | "account"
            if v_low.is_empty() =>
        {
            Parsed::Error(format!("{key}: needs a value"))
        }
        "region" => Parsed::Term(Term::Region(v_low)),
        "type" | "kind" | "control" => Parsed::Term(Term::Kind(v_low)),
        "res" | "resource" => Parsed::Term(Term::Resource(v_low)),
        "acct" | "account" => Parsed::Term(Term::Account {
            text: v_low,
            ids: Vec::new(),
        }),
        _ => match field_typo(k) {
            Some(want) => Parsed::Error(format!(
                "unknown field \"{k}:\" ({want}:?) · fields: {FIELD_LIST}"
            )),
            None => Parsed::Text,
        },
    }
}

/// A key that is not a field but looks like a mistyped one (`sevrity`, `regon`, `stauts`):
/// the field meant. Keys of GuardDuty types (`Recon`), ARNs (`arn`) and actions (`iam`,
/// `s3`) are text, so only lowercase letters close to a field name count.
fn field_typo(key: &str) -> Option<&'static str> {
    if key.len() < 2 || !key.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    if let Some(f) = FIELDS
        .iter()
        .find(|f| f.len() > key.len() && f.starts_with(key))
    {
        return Some(f);
    }
    // `recon` (a GuardDuty type) is two edits from `region`: long names only get two.
    let limit = if key.len() >= 7 { 2 } else { 1 };
    FIELDS
        .iter()
        .map(|f| (distance(key, f), *f))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

/// Edit distance with adjacent transpositions (optimal string alignment), on bytes.
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

impl FilterSpec {
    pub fn parse(text: &str) -> FilterSpec {
        let mut spec = FilterSpec {
            text: text.to_string(),
            ..Default::default()
        };
        let mut fuzzy = Vec::new();
        for word in text.split_whitespace() {
            let (negated, term) = match word.strip_prefix('!') {
                // A lone `!` is a negation still being typed.
                Some("") => continue,
                Some(rest) => (true, rest),
                None => (false, word),
            };
            match parse_term(term) {
                Parsed::Error(e) => spec.errors.push(e),
                Parsed::Text if negated => spec.excluded_text.push(term.to_string()),
                Parsed::Text => fuzzy.push(term),
                Parsed::Term(t) if negated => spec.excluded.push(t),
                Parsed::Term(t) => spec.set(t),
            }
        }
        spec.fuzzy = fuzzy.join(" ");
        spec
    }

    fn set(&mut self, t: Term) {
        match t {
            Term::Severity(s) => self.severity = Some(s),
            Term::MinSeverity(s) => self.min_severity = Some(s),
            Term::Source(s) => self.sources.push(s),
            Term::Region(r) => self.region = Some(r),
            Term::Status(w) => self.status = Some(w),
            Term::Kind(k) => self.kind = Some(k),
            Term::Resource(r) => self.resource = Some(r),
            t @ Term::Account { .. } => self.account = Some(t),
        }
    }

    /// Fills in the accounts whose name contains an `acct:` term's text (`names` answers
    /// that from the organization), so `acct:pay` finds the `payments` account's findings.
    pub fn resolve_accounts(&mut self, names: impl Fn(&str) -> Vec<String>) {
        for t in self.account.iter_mut().chain(self.excluded.iter_mut()) {
            if let Term::Account { text, ids } = t {
                *ids = names(text);
            }
        }
    }

    /// Whether any `field:value` term is set (`admits` accepts everything otherwise).
    pub(crate) fn has_field_terms(&self) -> bool {
        self.severity.is_some()
            || self.min_severity.is_some()
            || !self.sources.is_empty()
            || self.region.is_some()
            || self.status.is_some()
            || self.kind.is_some()
            || self.resource.is_some()
            || self.account.is_some()
            || !self.excluded.is_empty()
    }

    pub(crate) fn admits(&self, f: &Finding) -> bool {
        if let Some(s) = self.severity
            && f.severity != s
        {
            return false;
        }
        if let Some(s) = self.min_severity
            && f.severity < s
        {
            return false;
        }
        if !self.sources.is_empty() && !self.sources.iter().any(|&s| f.has_source(s)) {
            return false;
        }
        if let Some(r) = &self.region
            && !f.region.starts_with(r.as_str())
        {
            return false;
        }
        if let Some(w) = self.status
            && !crate::merge::has_workflow(f, w)
        {
            return false;
        }
        if let Some(k) = &self.kind
            && !kind_admits(k, f)
        {
            return false;
        }
        if let Some(r) = &self.resource
            && !resource_admits(r, f)
        {
            return false;
        }
        if let Some(a) = &self.account
            && !a.admits(f)
        {
            return false;
        }
        !self.excluded.iter().any(|t| t.admits(f))
    }

    /// True when every finding this spec admits is also admitted by `prev`, so filtering
    /// can start from `prev`'s results (typing narrows, it never widens).
    pub(crate) fn narrows(&self, prev: &FilterSpec) -> bool {
        prev.errors.is_empty()
            && self.text.starts_with(&prev.text)
            && self.fuzzy.starts_with(&prev.fuzzy)
            // Growing a negated word or term excludes less: only added ones narrow.
            && self.excluded.starts_with(&prev.excluded)
            && self.excluded_text.starts_with(&prev.excluded_text)
            && prev.severity.is_none_or(|s| self.severity == Some(s))
            && prev
                .min_severity
                .is_none_or(|s| self.min_severity.is_some_and(|m| m >= s))
            && (prev.sources.is_empty() || prev.sources == self.sources)
            && prev.region.as_ref().is_none_or(|r| {
                self.region
                    .as_ref()
                    .is_some_and(|n| n.starts_with(r.as_str()))
            })
            && prev.status.is_none_or(|s| self.status == Some(s))
            && prev
                .kind
                .as_ref()
                .is_none_or(|k| self.kind.as_ref().is_some_and(|n| n.contains(k.as_str())))
            && prev.resource.as_ref().is_none_or(|k| {
                self.resource
                    .as_ref()
                    .is_some_and(|n| n.contains(k.as_str()))
            })
            // A longer account text may match other names: only the same term narrows.
            && prev.account.as_ref().is_none_or(|a| self.account.as_ref() == Some(a))
    }
}

fn parse_source(v: &str) -> Option<Source> {
    match v {
        "sh" | "securityhub" | "security-hub" | "hub" => Some(Source::SecurityHub),
        "gd" | "guardduty" => Some(Source::GuardDuty),
        "aa" | "accessanalyzer" | "access-analyzer" | "iaa" => Some(Source::AccessAnalyzer),
        "po" | "posture" => Some(Source::Posture),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(q: &str) -> Vec<String> {
        FilterSpec::parse(q).errors
    }

    #[test]
    fn bad_severities_are_errors_that_list_the_valid_ones() {
        for q in ["sev:hgih", "sev:crit", "sev:medium-", "severity:urgent+"] {
            let e = errors(q);
            assert_eq!(e.len(), 1, "{q}: {e:?}");
            assert!(e[0].starts_with("unknown severity"), "{q}: {e:?}");
            assert!(
                e[0].contains("critical high medium low info") && e[0].contains("high+"),
                "{q}: the valid values are named: {e:?}"
            );
        }
        let e = errors("sev:");
        assert!(
            e[0].contains("needs a severity") && e[0].contains("critical"),
            "{e:?}"
        );
    }

    #[test]
    fn bad_sources_and_statuses_name_the_valid_values() {
        let e = errors("src:cloudtrail");
        assert!(e[0].contains("\"cloudtrail\"") && e[0].contains("sh gd aa posture"));
        let e = errors("status:open");
        assert!(
            e[0].contains("new notified resolved suppressed archived"),
            "{e:?}"
        );
    }

    #[test]
    fn the_rest_of_the_line_still_applies_after_a_bad_term() {
        let f = FilterSpec::parse("sev:hgih src:gd ssh");
        assert_eq!(f.errors.len(), 1);
        assert_eq!(f.severity, None);
        assert_eq!(f.sources, vec![Source::GuardDuty]);
        assert_eq!(f.fuzzy, "ssh");
    }

    #[test]
    fn a_mistyped_field_is_an_error_but_types_and_arns_are_text() {
        for (q, want) in [
            ("sevrity:high", "severity:?"),
            ("regon:eu", "region:?"),
            ("stauts:new", "status:?"),
            ("seviruty:high", "severity:?"),
            ("reg:eu", "region:?"),
        ] {
            let f = FilterSpec::parse(q);
            assert_eq!(f.errors.len(), 1, "{q}: {:?}", f.errors);
            assert!(f.errors[0].contains(want), "{q}: {:?}", f.errors);
            assert!(f.fuzzy.is_empty(), "{q} is not searched as text");
        }
        for q in [
            "Recon:IAMUser/MaliciousIPCaller",
            "recon:iamuser",
            "arn:aws:iam::111122223333:user/ci-deploy",
            "iam:PassRole",
            "s3:GetObject",
            "kms:decrypt",
            "::/0",
        ] {
            let f = FilterSpec::parse(q);
            assert!(f.errors.is_empty(), "{q}: {:?}", f.errors);
            assert_eq!(f.fuzzy, q);
        }
    }

    #[test]
    fn negation_of_words_and_terms() {
        let f = FilterSpec::parse("ssh !brute !sev:low !src:gd !");
        assert_eq!(f.fuzzy, "ssh");
        assert_eq!(f.excluded_text, vec!["brute".to_string()]);
        assert_eq!(
            f.excluded,
            vec![
                Term::Severity(Severity::Low),
                Term::Source(Source::GuardDuty)
            ]
        );
        assert!(f.errors.is_empty(), "a lone ! is still being typed");
        assert!(f.has_field_terms());
        let f = FilterSpec::parse("!sev:hgih");
        assert_eq!(f.errors.len(), 1, "a negated term is checked too");
        assert!(f.excluded.is_empty());
    }

    #[test]
    fn a_negated_term_admits_what_the_term_does_not() {
        let mut high = crate::synth::findings(1).remove(0);
        high.severity = Severity::High;
        let mut low = high.clone();
        low.severity = Severity::Low;
        let f = FilterSpec::parse("!sev:high");
        assert!(!f.admits(&high) && f.admits(&low));
        let f = FilterSpec::parse("!sev:medium+");
        assert!(!f.admits(&high) && f.admits(&low));
    }

    #[test]
    fn growing_a_negation_does_not_narrow() {
        let prev = FilterSpec::parse("!region:us");
        let next = FilterSpec::parse("!region:us-e");
        assert!(
            !next.narrows(&prev),
            "excluding us-e keeps more than excluding us"
        );
        let prev = FilterSpec::parse("ssh !ss");
        assert!(!FilterSpec::parse("ssh !ssh").narrows(&prev));
        assert!(FilterSpec::parse("ssh !ss !x").narrows(&prev));
    }
}
