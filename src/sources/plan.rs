//! What one load reads: which sources, and whether the finding sources' findings or only their
//! state (on/off). The TUI, `snapshot save` and `check --all-findings` read everything;
//! `check` reads only what its rules need (issue 15: paging 5,875 Security Hub findings at
//! 3 requests/s for rules that never look at them made a posture check slower than ScoutSuite).

use crate::model::coverage::SOURCES;

/// The sources `--services` accepts (the coverage source names).
pub const SERVICES: &[&str] = &SOURCES;

/// A source name `--services` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service {name:?}; valid services: {}", SERVICES.join(", "))]
pub struct UnknownService {
    pub name: String,
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadPlan {
    /// Sources to read, as coverage source names (`securityhub`, ..., `iam`).
    pub sources: Vec<&'static str>,
    /// Read the finding sources' open findings; off: only whether each is on (DescribeHub,
    /// ListDetectors + GetDetector, ListAnalyzers).
    pub findings: bool,
    /// Finding sources whose findings come from elsewhere (an organization's delegated
    /// administrator, `--org`): only their state is read here.
    pub state_only: Vec<&'static str>,
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan::everything()
    }
}

impl LoadPlan {
    /// Every source, with findings (the TUI, `snapshot save`).
    pub fn everything() -> LoadPlan {
        LoadPlan {
            sources: SERVICES.to_vec(),
            findings: true,
            state_only: Vec::new(),
        }
    }

    /// Whether `source`'s findings are read (not only its state).
    pub fn findings_of(&self, source: &str) -> bool {
        self.findings && !self.state_only.contains(&source)
    }

    /// Whether `source` is read at all.
    pub fn reads(&self, source: &str) -> bool {
        self.sources.contains(&source)
    }

    /// Resolves `--services` names (comma-separated or repeated; `access-analyzer` also as
    /// `accessanalyzer`) to known sources, in catalog order.
    pub fn parse_services(names: &[String]) -> Result<Vec<&'static str>, UnknownService> {
        let mut out = Vec::new();
        for name in names.iter().flat_map(|n| n.split(',')) {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let canon = match name.to_ascii_lowercase().as_str() {
                "accessanalyzer" | "access_analyzer" => "access-analyzer".to_string(),
                "security-hub" | "security_hub" => "securityhub".to_string(),
                other => other.to_string(),
            };
            let Some(known) = SERVICES.iter().find(|s| **s == canon) else {
                return Err(UnknownService {
                    name: crate::sanitize::line(name).into_owned(),
                });
            };
            if !out.contains(known) {
                out.push(*known);
            }
        }
        out.sort_by_key(|s| SERVICES.iter().position(|x| x == s));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_parse_in_catalog_order_and_refuse_unknown_names() {
        let names = vec!["iam,guardduty".to_string(), "accessanalyzer".to_string()];
        assert_eq!(
            LoadPlan::parse_services(&names).unwrap(),
            vec!["guardduty", "access-analyzer", "iam"]
        );
        let err = LoadPlan::parse_services(&["iam,s4".to_string()]).unwrap_err();
        assert_eq!(err.name, "s4");
        assert!(err.to_string().contains("valid services: securityhub"));
    }

    #[test]
    fn everything_reads_every_source_with_findings() {
        let p = LoadPlan::everything();
        assert!(p.findings);
        assert!(SERVICES.iter().all(|s| p.reads(s)));
    }
}
