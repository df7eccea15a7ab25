//! Posture tests: config, docs, robustness.

use super::*;

#[test]
fn partial_config_keeps_defaults_and_thresholds_apply() {
    let cfg: PostureConfig = toml::from_str("unused_days = 30\nrotation_days = 20").unwrap();
    assert_eq!(cfg.owner_tag, "owner");
    assert_eq!(cfg.min_password_length, 14);
    assert!(toml::from_str::<PostureConfig>("typo = 1").is_err());
    // alice's key is 30 days old (used yesterday) and her password used 2 days ago.
    let f = run_cfg(&clean(), &cfg);
    one(&f, KEY_ROTATION);
    none(&f, UNUSED_CREDS);
}

#[test]
fn docs_list_every_rule() {
    let doc = include_str!("../../../docs/posture-rules.md");
    for r in rules() {
        assert!(
            doc.contains(&format!("`{}`", r.id)),
            "docs/posture-rules.md lacks {}",
            r.id
        );
    }
}

/// The rule table's FSBP and CIS columns are the catalog's controls (CIS v5.0.0 and v6.0.0
/// through data/benchmarks.toml), "(M)" where that CIS version rates the control Manual.
#[test]
fn docs_control_columns_match_the_catalog_and_the_mapping() {
    use crate::model::framework;
    use crate::posture::benchmarks::{self, Assessment};
    let doc = include_str!("../../../docs/posture-rules.md");
    let cell = |r: &RuleInfo, fw: &str| -> String {
        let ids: Vec<String> = r
            .controls()
            .into_iter()
            .filter(|c| c.framework == fw)
            .map(|c| {
                let manual = benchmarks::cis_control(fw, &c.id).and_then(|m| m.assessment_in(fw))
                    == Some(Assessment::Manual);
                if manual {
                    format!("{} (M)", c.id)
                } else {
                    c.id
                }
            })
            .collect();
        if ids.is_empty() {
            "—".into()
        } else {
            ids.join(", ")
        }
    };
    for r in rules() {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", r.id)))
            .unwrap_or_else(|| panic!("docs/posture-rules.md has no table row for {}", r.id));
        let cells: Vec<&str> = row.split(" | ").collect();
        let want = [
            cell(r, framework::FSBP),
            cell(r, framework::CIS_3_0),
            cell(r, framework::CIS_5_0),
            cell(r, framework::CIS_6_0),
        ];
        assert_eq!(cells[2..6], want, "docs/posture-rules.md row of {}", r.id);
    }
}

/// A tiny deterministic generator of policy-shaped JSON: parsing and evaluating it must never
/// panic, whatever it holds.
#[test]
fn generated_documents_never_panic() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    fn arbitrary(next: &mut dyn FnMut(u64) -> u64, depth: u32) -> Value {
        const KEYS: [&str; 12] = [
            "Statement",
            "Effect",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Principal",
            "NotPrincipal",
            "Condition",
            "AWS",
            "Federated",
            "Bool",
        ];
        const STRS: [&str; 10] = [
            "Allow",
            "Deny",
            "*",
            "iam:*",
            "iam:PassRole",
            "ec2:RunInstances",
            "arn:aws:iam::444455556666:root",
            "aws:MultiFactorAuthPresent",
            "true",
            "ü*?",
        ];
        match if depth > 3 { next(3) } else { next(6) } {
            0 => json!(STRS[next(10) as usize]),
            1 => json!(next(2) == 0),
            2 => json!(next(100)),
            3 | 4 => {
                let mut m = serde_json::Map::new();
                for _ in 0..next(5) {
                    m.insert(KEYS[next(12) as usize].into(), arbitrary(next, depth + 1));
                }
                Value::Object(m)
            }
            _ => Value::Array((0..next(4)).map(|_| arbitrary(next, depth + 1)).collect()),
        }
    }
    for _ in 0..500 {
        let doc = arbitrary(&mut next, 0);
        let _ = parse_document(&doc);
        let mut inv = clean();
        inv.role_detail_list[0].assume_role_policy_document = arbitrary(&mut next, 0);
        alice(&mut inv).user_policy_list = vec![inline("g", doc)];
        let _ = run(&inv);
    }
}
