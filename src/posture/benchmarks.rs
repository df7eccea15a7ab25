//! Benchmark mappings as data: the same CIS AWS Foundations control under v3.0.0, v5.0.0 and
//! v6.0.0 (data/benchmarks.toml, embedded). Rules name their CIS controls by v3.0.0 id;
//! [`crate::posture::RuleInfo::controls`] adds the v5.0.0 and v6.0.0 ids from here, so every
//! posture finding carries all three.

use crate::model::framework;
use serde::Deserialize;
use std::sync::OnceLock;

const BENCHMARKS_TOML: &str = include_str!("../../data/benchmarks.toml");

/// Written in the file where a control has no counterpart in a version.
pub const NONE: &str = "none";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

/// One CIS control across versions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CisControl {
    pub v3: String,
    /// [`NONE`] when the control is not in v5.0.0 (then `reason` says why).
    pub v5: String,
    pub v6: String,
    pub title_v3: String,
    /// The v5.0.0 (= v6.0.0) title; absent for controls v5.0.0 dropped.
    #[serde(default)]
    pub title: Option<String>,
    pub v3_assessment: Assessment,
    #[serde(default)]
    pub v5_assessment: Option<Assessment>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl CisControl {
    /// The id in `fw` (one of the CIS framework ids), `None` when the version lacks it.
    pub fn id_in(&self, fw: &str) -> Option<&str> {
        let id = match fw {
            framework::CIS_3_0 => &self.v3,
            framework::CIS_5_0 => &self.v5,
            framework::CIS_6_0 => &self.v6,
            _ => return None,
        };
        (id != NONE).then_some(id.as_str())
    }

    pub fn title_in(&self, fw: &str) -> Option<&str> {
        match fw {
            framework::CIS_3_0 => Some(&self.title_v3),
            framework::CIS_5_0 | framework::CIS_6_0 => self.title.as_deref(),
            _ => None,
        }
    }

    pub fn assessment_in(&self, fw: &str) -> Option<Assessment> {
        match fw {
            framework::CIS_3_0 => Some(self.v3_assessment),
            framework::CIS_5_0 | framework::CIS_6_0 => self.v5_assessment,
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchmarksFile {
    cis: Vec<CisControl>,
}

fn parse(text: &str) -> Result<Vec<CisControl>, String> {
    let file: BenchmarksFile = toml::from_str(text).map_err(|e| e.to_string())?;
    for c in &file.cis {
        let v5 = c.v5 != NONE;
        if v5 != (c.v6 != NONE) {
            return Err(format!(
                "CIS {}: v5 and v6 disagree on whether it exists",
                c.v3
            ));
        }
        if !v5 && c.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(format!("CIS {}: no v5 id and no reason", c.v3));
        }
        if v5 && (c.title.is_none() || c.v5_assessment.is_none()) {
            return Err(format!(
                "CIS {}: a v5 id needs a title and v5_assessment",
                c.v3
            ));
        }
    }
    Ok(file.cis)
}

/// Every CIS control in the table, v3.0.0 order as written in the file.
pub fn cis() -> &'static [CisControl] {
    static CIS: OnceLock<Vec<CisControl>> = OnceLock::new();
    // The file is compiled in and checked by the tests below: a parse error is a build defect.
    CIS.get_or_init(|| parse(BENCHMARKS_TOML).expect("data/benchmarks.toml is valid"))
}

/// The entry for a CIS v3.0.0 control id.
pub fn cis_v3(id: &str) -> Option<&'static CisControl> {
    cis().iter().find(|c| c.v3 == id)
}

/// The entry for control `id` of CIS framework `fw` (any version in the table).
pub fn cis_control(fw: &str, id: &str) -> Option<&'static CisControl> {
    cis().iter().find(|c| c.id_in(fw) == Some(id))
}

/// The title of control `id` in framework `fw`, where the table knows it (CIS only).
pub fn title(fw: &str, id: &str) -> Option<&'static str> {
    cis_control(fw, id).and_then(|c| c.title_in(fw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::rules;

    fn well_formed(id: &str) -> bool {
        let mut parts = id.split('.');
        let ok = |p: Option<&str>| {
            p.is_some_and(|p| {
                !p.is_empty()
                    && p.len() <= 2
                    && !p.starts_with('0')
                    && p.bytes().all(|b| b.is_ascii_digit())
            })
        };
        // Two levels (`1.10`), or three for subsections (`2.2.1`).
        ok(parts.next())
            && ok(parts.next())
            && parts.next().is_none_or(|p| ok(Some(p)))
            && parts.next().is_none()
    }

    #[test]
    fn the_table_parses_and_ids_are_well_formed_and_unique() {
        let all = cis();
        assert!(all.len() >= 23, "{}", all.len());
        for fw in [framework::CIS_3_0, framework::CIS_5_0, framework::CIS_6_0] {
            let ids: Vec<&str> = all.iter().filter_map(|c| c.id_in(fw)).collect();
            for id in &ids {
                assert!(well_formed(id), "{fw}: malformed id {id:?}");
                // Catches Prowler's cis_5.0 slip (1.10 written as a second "1.1").
                assert_eq!(
                    ids.iter().filter(|x| *x == id).count(),
                    1,
                    "{fw}: {id} twice"
                );
            }
        }
        for c in all {
            if let (Some(v5), Some(v6)) = (c.id_in(framework::CIS_5_0), c.id_in(framework::CIS_6_0))
            {
                // v6.0.0 is v5.0.0 with every section one higher.
                let (s5, n5) = v5.split_once('.').unwrap();
                let (s6, n6) = v6.split_once('.').unwrap();
                assert_eq!(n5, n6, "CIS {}", c.v3);
                assert_eq!(s6.parse::<u32>().unwrap(), s5.parse::<u32>().unwrap() + 1);
            }
            assert!(!c.title_v3.trim().is_empty());
        }
        assert!(well_formed("1.10") && well_formed("4.16") && well_formed("2.2.1"));
        assert!(
            !well_formed("1.")
                && !well_formed("1.1.1.1")
                && !well_formed("01.1")
                && !well_formed("x.1")
        );
    }

    #[test]
    fn bad_tables_are_refused() {
        let base = "[[cis]]\nv3 = \"1.3\"\ntitle_v3 = \"t\"\nv3_assessment = \"manual\"\n";
        assert!(parse(&format!("{base}v5 = \"none\"\nv6 = \"none\"\n")).is_err());
        assert!(
            parse(&format!(
                "{base}v5 = \"none\"\nv6 = \"2.3\"\nreason = \"r\"\n"
            ))
            .is_err()
        );
        assert!(parse(&format!("{base}v5 = \"1.3\"\nv6 = \"2.3\"\n")).is_err());
        assert!(
            parse(&format!(
                "{base}v5 = \"none\"\nv6 = \"none\"\nreason = \"r\"\nextra = 1\n"
            ))
            .is_err()
        );
        assert!(
            parse(&format!(
                "{base}v5 = \"none\"\nv6 = \"none\"\nreason = \"gone\"\n"
            ))
            .is_ok()
        );
    }

    #[test]
    fn every_rule_cis_control_has_a_v5_mapping_or_a_reason() {
        let mut seen = 0;
        for r in rules::rules() {
            for c in r
                .controls
                .iter()
                .filter(|c| c.framework == framework::CIS_3_0)
            {
                seen += 1;
                let m = cis_v3(c.id).unwrap_or_else(|| {
                    panic!("{}: CIS 3.0 {} not in data/benchmarks.toml", r.id, c.id)
                });
                assert!(
                    m.id_in(framework::CIS_5_0).is_some() || m.reason.is_some(),
                    "{}: CIS 3.0 {} has neither a v5 id nor a reason",
                    r.id,
                    c.id
                );
            }
        }
        assert!(seen >= 18, "{seen}");
    }

    /// The renumbering facts users notice (CIS v5.0.0 and v6.0.0 texts), including the one
    /// Prowler's cis_5.0 data gets wrong (1.10 stored as "1.1").
    #[test]
    fn known_renumberings() {
        for (v3, v5, v6) in [
            ("1.4", "1.3", "2.3"),    // root access key
            ("1.5", "1.4", "2.4"),    // root MFA
            ("1.8", "1.7", "2.7"),    // password length
            ("1.10", "1.9", "2.9"),   // console MFA
            ("1.11", "1.10", "2.10"), // no keys at initial setup
            ("1.14", "1.13", "2.13"), // key rotation
            ("1.20", "1.19", "2.19"), // access analyzer
            ("1.22", "1.21", "2.21"), // CloudShell
            ("4.16", "4.16", "5.16"), // Security Hub
        ] {
            let c = cis_v3(v3).unwrap();
            assert_eq!((c.v5.as_str(), c.v6.as_str()), (v5, v6), "CIS 3.0 {v3}");
        }
        let q = cis_v3("1.3").unwrap();
        assert_eq!(q.id_in(framework::CIS_5_0), None);
        assert!(q.reason.as_deref().unwrap().contains("v5.0.0"));
        assert_eq!(cis_control(framework::CIS_5_0, "1.3").unwrap().v3, "1.4");
        assert_eq!(
            title(framework::CIS_5_0, "1.10"),
            Some(
                "Do not create access keys during initial setup for IAM users with a console password"
            )
        );
        assert_eq!(
            cis_v3("1.7").unwrap().assessment_in(framework::CIS_5_0),
            Some(Assessment::Manual)
        );
        assert_eq!(
            cis_v3("1.7").unwrap().assessment_in(framework::CIS_3_0),
            Some(Assessment::Automated)
        );
        assert_eq!(title(framework::FSBP, "IAM.5"), None);
    }

    #[test]
    fn rule_controls_carry_v3_v5_and_v6() {
        use crate::model::Control;
        let c = rules::rule(rules::ROOT_ACCESS_KEY).unwrap().controls();
        assert_eq!(
            c,
            vec![
                Control::new(framework::FSBP, "IAM.4"),
                Control::new(framework::CIS_3_0, "1.4"),
                Control::new(framework::CIS_5_0, "1.3"),
                Control::new(framework::CIS_6_0, "2.3"),
            ]
        );
        let c = rules::rule(rules::ROOT_NO_MFA).unwrap().controls();
        let ids = |fw: &str| -> Vec<String> {
            c.iter()
                .filter(|x| x.framework == fw)
                .map(|x| x.id.clone())
                .collect()
        };
        assert_eq!(ids(framework::CIS_3_0), ["1.5", "1.6"]);
        assert_eq!(ids(framework::CIS_5_0), ["1.4", "1.5"]);
        assert_eq!(ids(framework::CIS_6_0), ["2.4", "2.5"]);
        // Rules without a CIS control gain none.
        assert!(
            rules::rule(rules::GD_DISABLED)
                .unwrap()
                .controls()
                .iter()
                .all(|x| x.framework == framework::FSBP)
        );
    }
}
