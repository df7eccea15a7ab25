//! `guardpost check --framework`: report a check in one benchmark's terms (docs/check.md,
//! "Frameworks"). Only findings carrying a control of the framework are reported and only
//! the rules mapped to it pass or fail; the rest is counted as outside the framework.

use crate::model::{Control, framework};

/// The benchmarks `--framework` accepts. An unknown value is a usage error (exit 2) whose
/// message lists these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Framework {
    /// AWS Foundational Security Best Practices (Security Hub control ids, `IAM.5`).
    #[value(name = "fsbp")]
    Fsbp,
    /// CIS AWS Foundations Benchmark v3.0.0.
    #[value(name = "cis-3.0")]
    Cis3,
    /// CIS AWS Foundations Benchmark v5.0.0.
    #[value(name = "cis-5.0")]
    Cis5,
    /// CIS AWS Foundations Benchmark v6.0.0 (v5.0.0 renumbered: IAM is section 2).
    #[value(name = "cis-6.0")]
    Cis6,
}

impl Framework {
    pub const ALL: [Framework; 4] = [
        Framework::Fsbp,
        Framework::Cis3,
        Framework::Cis5,
        Framework::Cis6,
    ];

    /// The `--framework` value.
    pub fn name(self) -> &'static str {
        match self {
            Framework::Fsbp => "fsbp",
            Framework::Cis3 => "cis-3.0",
            Framework::Cis5 => "cis-5.0",
            Framework::Cis6 => "cis-6.0",
        }
    }

    /// The [`Control::framework`] value of its controls.
    pub fn id(self) -> &'static str {
        match self {
            Framework::Fsbp => framework::FSBP,
            Framework::Cis3 => framework::CIS_3_0,
            Framework::Cis5 => framework::CIS_5_0,
            Framework::Cis6 => framework::CIS_6_0,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Framework::Fsbp => "AWS Foundational Security Best Practices",
            Framework::Cis3 => "CIS AWS Foundations Benchmark v3.0.0",
            Framework::Cis5 => "CIS AWS Foundations Benchmark v5.0.0",
            Framework::Cis6 => "CIS AWS Foundations Benchmark v6.0.0",
        }
    }

    /// Column header in the table (`CIS 5.0`).
    pub fn short(self) -> &'static str {
        match self {
            Framework::Fsbp => "FSBP",
            Framework::Cis3 => "CIS 3.0",
            Framework::Cis5 => "CIS 5.0",
            Framework::Cis6 => "CIS 6.0",
        }
    }

    /// The ids of `controls` in this framework, in order, without repeats.
    pub fn ids(self, controls: &[Control]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in controls.iter().filter(|c| c.framework == self.id()) {
            if !out.contains(&c.id.as_str()) {
                out.push(&c.id);
            }
        }
        out
    }

    pub fn covers(self, controls: &[Control]) -> bool {
        controls.iter().any(|c| c.framework == self.id())
    }

    /// The control's title where guardpost's benchmark data knows it (CIS controls).
    pub fn control_title(self, id: &str) -> Option<&'static str> {
        crate::posture::benchmarks::title(self.id(), id)
    }
}

/// What `--framework` left out of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub framework: Framework,
    /// Selected posture rules without a control in the framework: evaluated, but neither
    /// pass nor fail here (catalog order).
    pub rules_outside: Vec<&'static str>,
    /// Findings without a control in the framework (those rules' findings, and with
    /// `--all-findings` other sources' findings): not reported, not counted toward `--fail-on`.
    pub findings_outside: usize,
}

impl Scope {
    /// `framework cis-5.0: 12 rules and 7 findings outside it not reported`
    pub fn line(&self) -> String {
        format!(
            "framework {} ({}): {} rule(s) and {} finding(s) outside it not reported",
            self.framework.name(),
            self.framework.title(),
            self.rules_outside.len(),
            self.findings_outside
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn names_ids_and_ids_of_controls() {
        for f in Framework::ALL {
            assert_eq!(Framework::from_str(f.name(), false), Ok(f));
        }
        assert!(Framework::from_str("cis-4.0", false).is_err());
        let controls = vec![
            Control::new(framework::FSBP, "IAM.9"),
            Control::new(framework::CIS_3_0, "1.5"),
            Control::new(framework::CIS_5_0, "1.4"),
            Control::new(framework::CIS_5_0, "1.5"),
            Control::new(framework::CIS_5_0, "1.4"),
        ];
        assert_eq!(Framework::Cis5.ids(&controls), ["1.4", "1.5"]);
        assert_eq!(Framework::Cis3.ids(&controls), ["1.5"]);
        assert!(!Framework::Cis6.covers(&controls));
        assert_eq!(
            Framework::Cis5.control_title("1.4"),
            Some("Ensure MFA is enabled for the 'root' user account")
        );
        assert_eq!(
            Framework::Cis3.control_title("1.4"),
            Some("Ensure no 'root' user account access key exists")
        );
    }
}
