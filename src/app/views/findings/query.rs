//! The filter line: `field:value` terms (sev:, src:, region:, status:, type:, res:) plus fuzzy text.
use crate::model::{Finding, Severity, Source, Workflow};

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
    pub fuzzy: String,
    /// Terms that did not parse, reported in the status bar.
    pub errors: Vec<String>,
}

impl FilterSpec {
    pub fn parse(text: &str) -> FilterSpec {
        let mut spec = FilterSpec {
            text: text.to_string(),
            ..Default::default()
        };
        let mut fuzzy = Vec::new();
        for term in text.split_whitespace() {
            let Some((k, v)) = term.split_once(':') else {
                fuzzy.push(term);
                continue;
            };
            let v_low = v.to_ascii_lowercase();
            match k.to_ascii_lowercase().as_str() {
                "sev" | "severity" => {
                    let (base, plus) = match v_low.strip_suffix('+') {
                        Some(b) => (b, true),
                        None => (v_low.as_str(), false),
                    };
                    match Severity::parse(base) {
                        Some(s) if plus => spec.min_severity = Some(s),
                        Some(s) => spec.severity = Some(s),
                        None => spec.errors.push(format!("unknown severity {v:?}")),
                    }
                }
                "src" | "source" => match parse_source(&v_low) {
                    Some(s) => spec.sources.push(s),
                    None => spec
                        .errors
                        .push(format!("unknown source {v:?} (sh, gd, aa, posture)")),
                },
                "region" => spec.region = Some(v_low),
                "status" | "workflow" => match Workflow::parse(&v_low) {
                    Some(w) => spec.status = Some(w),
                    None => spec.errors.push(format!("unknown status {v:?}")),
                },
                "type" | "kind" | "control" => spec.kind = Some(v_low),
                "res" | "resource" => spec.resource = Some(v_low),
                // An ARN or a type like `Recon:IAMUser/...` is fuzzy text, not a field.
                _ => fuzzy.push(term),
            }
        }
        spec.fuzzy = fuzzy.join(" ");
        spec
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
        if let Some(k) = &self.kind {
            let ctl = f.control_id.as_deref().unwrap_or("").to_ascii_lowercase();
            if !f.kind.to_ascii_lowercase().contains(k.as_str()) && !ctl.contains(k.as_str()) {
                return false;
            }
        }
        if let Some(r) = &self.resource
            && !f.resources.iter().any(|x| {
                x.arn.to_ascii_lowercase().contains(r.as_str())
                    || x.name.to_ascii_lowercase().contains(r.as_str())
            })
        {
            return false;
        }
        true
    }

    /// True when every finding this spec admits is also admitted by `prev`, so filtering
    /// can start from `prev`'s results (typing narrows, it never widens).
    pub(crate) fn narrows(&self, prev: &FilterSpec) -> bool {
        prev.errors.is_empty()
            && self.text.starts_with(&prev.text)
            && self.fuzzy.starts_with(&prev.fuzzy)
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
