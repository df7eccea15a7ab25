//! `guardpost check --framework`: the CIS v3.0.0 / v5.0.0 / v6.0.0 and FSBP views of a check,
//! on the demo and on small crafted snapshots (docs/check.md, "Frameworks").

use crate::check_cli::{
    Env, assert_valid, clean_snapshot, code, json_out, rule_ids, snapshot_file, stderr, stdout,
    validator,
};
use serde_json::{Value, json};

/// The table line of a rule's finding (first one).
fn table_line<'a>(table: &'a str, rule: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(rule))
        .unwrap_or_else(|| panic!("no line for {rule} in\n{table}"))
}

/// The framework column of a table line: the field after the rule id.
fn framework_cell<'a>(table: &'a str, rule: &str) -> &'a str {
    table_line(table, rule).split_whitespace().nth(2).unwrap()
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding"))
}

fn ids_of(f: &Value, framework: &str) -> Vec<String> {
    f["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["framework"] == framework)
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

const CIS3: &str = "cis-aws-foundations-3.0.0";
const CIS5: &str = "cis-aws-foundations-5.0.0";
const CIS6: &str = "cis-aws-foundations-6.0.0";

#[test]
fn table_shows_the_chosen_cis_version_ids() {
    let env = Env::new();
    // (rule, v3, v5, v6): the demo's weak password policy, virtual root MFA and bob.
    let cases = [
        ("iam.password-policy.min-length", "1.8", "1.7", "2.7"),
        ("iam.password-policy.reuse-prevention", "1.9", "1.8", "2.8"),
        ("iam.root.no-hardware-mfa", "1.6", "1.5", "2.5"),
        ("iam.user.console-without-mfa", "1.10", "1.9", "2.9"),
    ];
    let mut tables = Vec::new();
    for (fw, head) in [
        ("cis-3.0", "CIS 3.0"),
        ("cis-5.0", "CIS 5.0"),
        ("cis-6.0", "CIS 6.0"),
    ] {
        let o = env.run(&["check", "--demo", "--framework", fw]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let t = stdout(&o);
        let header = t.lines().find(|l| l.starts_with("SEVERITY")).unwrap();
        assert!(
            header.starts_with("SEVERITY  RULE ") && header.contains(&format!("  {head}  REGION ")),
            "{header}"
        );
        assert!(
            t.contains(&format!("framework {fw} (CIS AWS Foundations Benchmark v")),
            "{t}"
        );
        tables.push(t);
    }
    for (rule, v3, v5, v6) in cases {
        assert_eq!(framework_cell(&tables[0], rule), v3, "{rule} in CIS 3.0");
        assert_eq!(framework_cell(&tables[1], rule), v5, "{rule} in CIS 5.0");
        assert_eq!(framework_cell(&tables[2], rule), v6, "{rule} in CIS 6.0");
    }
    // GuardDuty has no CIS control in any version: not in the CIS tables.
    for t in &tables {
        assert!(!t.contains("service.guardduty.disabled"), "{t}");
        assert!(!t.contains("iam.principal.privilege-escalation"), "{t}");
    }
    // FSBP: Security Hub control ids.
    let o = env.run(&["check", "--demo", "--framework", "fsbp"]);
    let t = stdout(&o);
    assert_eq!(
        framework_cell(&t, "iam.user.console-without-mfa"),
        "IAM.5,IAM.19"
    );
    // Without --framework the table has no framework column (unchanged layout).
    let t = stdout(&env.run(&["check", "--demo"]));
    let header = t.lines().find(|l| l.starts_with("SEVERITY")).unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["SEVERITY", "RULE", "REGION", "RESOURCE", "TITLE"]
    );
}

#[test]
fn json_carries_every_version_and_the_framework_scope() {
    let env = Env::new();
    let schema = validator("docs/check.schema.json");
    let all = json_out(&env.run(&["check", "--demo", "--format", "json"]));
    assert_valid(&schema, &all, "demo JSON without --framework");
    assert!(all.get("framework").is_none());
    // Every posture finding with a CIS control carries it in v3.0.0, v5.0.0 and v6.0.0.
    let f = finding(&all, "iam.password-policy.min-length");
    assert_eq!(ids_of(f, CIS3), ["1.8"]);
    assert_eq!(ids_of(f, CIS5), ["1.7"]);
    assert_eq!(ids_of(f, CIS6), ["2.7"]);
    assert!(f.get("framework_controls").is_none());
    for f in all["findings"].as_array().unwrap() {
        assert_eq!(ids_of(f, CIS3).len(), ids_of(f, CIS5).len(), "{f}");
    }

    let o = env.run(&[
        "check",
        "--demo",
        "--format",
        "json",
        "--framework",
        "cis-5.0",
    ]);
    assert_eq!(code(&o), 1);
    let r = json_out(&o);
    assert_valid(&schema, &r, "demo JSON --framework cis-5.0");
    assert_eq!(r["framework"]["name"], "cis-5.0");
    assert_eq!(r["framework"]["id"], CIS5);
    assert_eq!(
        r["framework"]["title"],
        "CIS AWS Foundations Benchmark v5.0.0"
    );
    let outside: Vec<&str> = r["framework"]["rules_outside"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        outside.contains(&"service.guardduty.disabled"),
        "{outside:?}"
    );
    assert!(outside.contains(&"iam.principal.privilege-escalation"));
    let rules: Vec<&str> = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(rules.contains(&"iam.password-policy.min-length"));
    assert!(rules.iter().all(|x| !outside.contains(x)));
    assert_eq!(
        rules.len() + outside.len(),
        all["rules"].as_array().unwrap().len()
    );
    // Nothing is lost: reported + outside = every finding of the unfiltered check.
    let reported = r["findings"].as_array().unwrap();
    assert!(!reported.is_empty());
    assert_eq!(
        reported.len() + r["framework"]["findings_outside"].as_u64().unwrap() as usize,
        all["findings"].as_array().unwrap().len()
    );
    assert!(r["framework"]["findings_outside"].as_u64().unwrap() > 0);
    for f in reported {
        let fc: Vec<String> = f["framework_controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        assert!(!fc.is_empty(), "{f}");
        assert_eq!(fc, ids_of(f, CIS5), "{f}");
        // Both versions stay in `controls`.
        assert!(!ids_of(f, CIS3).is_empty(), "{f}");
    }
    assert_eq!(
        finding(&r, "iam.user.console-without-mfa")["framework_controls"],
        json!(["1.9"])
    );
    let mfa = finding(&r, "iam.root.no-hardware-mfa");
    assert_eq!(mfa["framework_controls"], json!(["1.5"]));
    assert_eq!(ids_of(mfa, CIS3), ["1.6"]);
    // The counts are over the framework's rules only.
    assert_eq!(
        r["summary"]["failing_rules"].as_u64().unwrap()
            + r["summary"]["passed_rules"].as_u64().unwrap()
            + r["summary"]["unknown_rules"].as_u64().unwrap(),
        rules.len() as u64
    );
}

#[test]
fn a_finding_outside_the_framework_does_not_fail_it() {
    let env = Env::new();
    // A clean account with GuardDuty off: FSBP GuardDuty.1 fails, no CIS version has it.
    let mut snap = clean_snapshot();
    snap["services"][1]["enabled"] = json!(false);
    let snap = snapshot_file(&env, "gd-off.json", &snap);
    let o = env.run(&["check", "--snapshot", &snap, "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(rule_ids(&json_out(&o)), ["service.guardduty.disabled"]);

    let o = env.run(&[
        "check",
        "--snapshot",
        &snap,
        "--format",
        "json",
        "--framework",
        "cis-5.0",
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let r = json_out(&o);
    assert_eq!(r["result"], "pass");
    assert_eq!(r["findings"], json!([]));
    assert_eq!(r["framework"]["findings_outside"], 1);
    assert_eq!(r["summary"]["score"], 100);
    // The table says what was left out, so the pass is not read as a clean account.
    let o = env.run(&["check", "--snapshot", &snap, "--framework", "cis-5.0"]);
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).contains("outside it not reported")
            && stdout(&o).contains("and 1 finding(s) outside"),
        "{}",
        stdout(&o)
    );

    let o = env.run(&[
        "check",
        "--snapshot",
        &snap,
        "--format",
        "json",
        "--framework",
        "fsbp",
    ]);
    assert_eq!(code(&o), 1);
    let r = json_out(&o);
    assert_eq!(rule_ids(&r), ["service.guardduty.disabled"]);
    assert_eq!(
        r["findings"][0]["framework_controls"],
        json!(["GuardDuty.1"])
    );
}

#[test]
fn unknown_framework_exits_2_listing_the_valid_ones() {
    let env = Env::new();
    for bad in ["cis-4.0", "cis", "CIS-5.0x", ""] {
        let o = env.run(&["check", "--demo", "--framework", bad]);
        assert_eq!(code(&o), 2, "{bad:?}");
        let err = stderr(&o);
        for valid in ["fsbp", "cis-3.0", "cis-5.0", "cis-6.0"] {
            assert!(err.contains(valid), "{bad:?}: {err}");
        }
        assert!(o.stdout.is_empty(), "{bad:?}: nothing reported");
    }
}

#[test]
fn markdown_and_sarif_show_the_framework_ids() {
    let env = Env::new();
    let o = env.run(&[
        "check",
        "--demo",
        "--format",
        "markdown",
        "--framework",
        "cis-5.0",
    ]);
    assert_eq!(code(&o), 1);
    let md = stdout(&o);
    assert!(
        md.contains("- **Framework:** CIS AWS Foundations Benchmark v5.0.0 (`cis-5.0`): "),
        "{md}"
    );
    for line in [
        "- **CIS 5.0:** `1.9` (Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password)",
        "- **CIS 5.0:** `1.7` (Ensure IAM password policy requires minimum length of 14 or greater)",
        // Markdown punctuation in a title is escaped like any other text.
        "- **CIS 5.0:** `1.15` (Ensure IAM policies that allow full \"\\*:\\*\" administrative privileges are not attached)",
        // The Controls line keeps every framework.
        "- **Controls:** aws-fsbp IAM.5, aws-fsbp IAM.19, cis-aws-foundations-3.0.0 1.10, cis-aws-foundations-5.0.0 1.9, cis-aws-foundations-6.0.0 2.9",
    ] {
        assert!(md.lines().any(|l| l == line), "{line} not in\n{md}");
    }

    let schema = validator("tests/fixtures/sarif-schema-2.1.0.json");
    let o = env.run(&[
        "check",
        "--demo",
        "--format",
        "sarif",
        "--framework",
        "cis-6.0",
    ]);
    assert_eq!(code(&o), 1);
    let s = json_out(&o);
    assert_valid(&schema, &s, "SARIF --framework cis-6.0");
    let run = &s["runs"][0];
    assert_eq!(run["properties"]["framework"], "cis-6.0");
    let res = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["ruleId"] == "iam.user.console-without-mfa")
        .unwrap();
    assert_eq!(res["properties"]["frameworkControls"], json!(["2.9"]));
    // Rule tags name every version.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules
        .iter()
        .find(|x| x["id"] == "iam.user.console-without-mfa")
        .unwrap();
    let tags = rule["properties"]["tags"].as_array().unwrap();
    for t in [
        "cis-aws-foundations-3.0.0/1.10",
        "cis-aws-foundations-5.0.0/1.9",
        "cis-aws-foundations-6.0.0/2.9",
    ] {
        assert!(tags.contains(&json!(t)), "{t} not in {tags:?}");
    }
    assert!(
        !rules
            .iter()
            .any(|x| x["id"] == "service.guardduty.disabled"),
        "a rule outside CIS is not a SARIF rule of the CIS run"
    );
}

#[test]
fn all_findings_keep_other_sources_mapped_to_the_framework() {
    let env = Env::new();
    let r = json_out(&env.run(&[
        "check",
        "--demo",
        "--all-findings",
        "--format",
        "json",
        "--framework",
        "cis-3.0",
    ]));
    let sources: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    // Security Hub's CIS v3.0.0 control findings stay; GuardDuty and Access Analyzer findings
    // map to no CIS control and are counted outside.
    assert!(sources.contains(&"SecurityHub"), "{sources:?}");
    assert!(!sources.contains(&"GuardDuty") && !sources.contains(&"AccessAnalyzer"));
    assert!(r["framework"]["findings_outside"].as_u64().unwrap() > 0);
    for f in r["findings"].as_array().unwrap() {
        assert!(!ids_of(f, CIS3).is_empty(), "{f}");
        assert_eq!(
            f["framework_controls"].as_array().unwrap().len(),
            ids_of(f, CIS3).len()
        );
    }
}
