//! Deduplication across sources and the resource index.
//!
//! Dedupe keys (Security Hub copy -> native finding):
//! - GuardDuty: a Security Hub finding whose ProductArn ends in `product/aws/guardduty` has an
//!   Id of the form `arn:…:guardduty:R:A:detector/D/finding/<id>`; it merges into the native
//!   GuardDuty finding with that `<id>`.
//! - Access Analyzer unused access: the copy's `ProductFields.findingId` is the native id.
//! - Access Analyzer external access: Security Hub holds one copy per analyzer and resource
//!   (Id `<analyzer arn>/<resource arn>`) covering every native finding on that resource. Its
//!   record is attached to **each** native external-access finding of that analyzer on that
//!   resource: every one of them is "also in Security Hub" and an action on any of them may
//!   need the copy's Id. (A native finding without a recorded analyzer ARN matches on the
//!   resource alone.)
//!
//! A copy with no native counterpart loaded (the service was not read in that region) stays a
//! finding of its own. The same Security Hub finding read twice (home region and aggregation
//! region) is kept once, with the second read's record added when its region differs.
//! Output keeps input order; merged findings keep the native's fields, `records[0]` native.
use crate::model::{Finding, IamInventory, Source, SourceRecord, Workflow};
use crate::normalize::{is_access_analyzer_product, is_guardduty_product, parse_arn, str_at};
use std::collections::HashMap;

/// Merges Security Hub's copies of GuardDuty / Access Analyzer findings into the native
/// findings: one Finding, every SourceRecord kept (records[0] the native one).
pub fn dedupe(findings: Vec<Finding>) -> Vec<Finding> {
    let natives = Natives::index(&findings);
    let n = findings.len();
    let mut extra: Vec<Vec<SourceRecord>> = vec![Vec::new(); n];
    let mut dropped = vec![false; n];
    let mut first_sh: HashMap<(Option<&str>, &str), usize> = HashMap::new();

    for (i, f) in findings.iter().enumerate() {
        if f.source != Source::SecurityHub {
            continue;
        }
        let Some(primary) = f.records.first() else {
            continue;
        };
        let targets = natives.targets(primary);
        if !targets.is_empty() {
            dropped[i] = true;
            for t in targets {
                extra[t].extend(f.records.iter().cloned());
            }
            continue;
        }
        let key = (primary.product_arn.as_deref(), primary.id.as_str());
        match first_sh.get(&key) {
            Some(&first) => {
                dropped[i] = true;
                extra[first].extend(f.records.iter().cloned());
            }
            None => {
                first_sh.insert(key, i);
            }
        }
    }

    let mut out = Vec::with_capacity(n);
    for ((mut f, gone), more) in findings.into_iter().zip(dropped).zip(extra) {
        if gone {
            continue;
        }
        for r in more {
            let same = |x: &SourceRecord| {
                x.source == r.source
                    && x.id == r.id
                    && x.product_arn == r.product_arn
                    && x.region == r.region
            };
            if !f.records.iter().any(same) {
                f.records.push(r);
            }
        }
        out.push(f);
    }
    out
}

/// One source's own workflow of its record: a merged finding keeps each (its Security Hub copy
/// may be NOTIFIED while GuardDuty's native finding is NEW).
pub fn record_workflow(r: &SourceRecord) -> Workflow {
    match r.source {
        Source::SecurityHub => crate::normalize::securityhub::workflow(&r.raw),
        Source::GuardDuty => {
            if r.raw["service"]["archived"].as_bool() == Some(true) {
                Workflow::Archived
            } else {
                Workflow::New
            }
        }
        Source::AccessAnalyzer => match str_at(&r.raw, &["status"])
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("ARCHIVED") => Workflow::Archived,
            Some("RESOLVED") => Workflow::Resolved,
            _ => Workflow::New,
        },
        Source::Posture => Workflow::New,
    }
}

/// Each source's workflow of a finding, primary first, one entry per source and status
/// (`[(GuardDuty, New), (SecurityHub, Notified)]`). A finding without records: its own.
pub fn workflows(f: &Finding) -> Vec<(Source, Workflow)> {
    let mut out: Vec<(Source, Workflow)> = Vec::new();
    for r in &f.records {
        let w = (r.source, record_workflow(r));
        if !out.contains(&w) {
            out.push(w);
        }
    }
    if out.is_empty() {
        out.push((f.source, f.workflow));
    }
    out
}

/// The finding's own workflow or any source's copy is `w` (the filter's `status:`).
pub fn has_workflow(f: &Finding, w: Workflow) -> bool {
    f.workflow == w || (f.records.len() > 1 && workflows(f).iter().any(|(_, x)| *x == w))
}

/// `GD NEW · SH NOTIFIED` when the sources disagree, else the one status.
pub fn workflow_label(f: &Finding) -> String {
    let ws = workflows(f);
    if ws.iter().all(|(_, w)| *w == f.workflow) {
        return f.workflow.label().to_string();
    }
    ws.iter()
        .map(|(s, w)| format!("{} {}", s.short(), w.label()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// An Access Analyzer finding on a resource: (finding type, analyzer ARN if known, index).
type AnalyzerEntry<'a> = (&'a str, Option<&'a str>, usize);

/// Native GuardDuty / Access Analyzer findings by the keys their copies carry.
struct Natives<'a> {
    guardduty: HashMap<&'a str, usize>,
    analyzer_by_id: HashMap<&'a str, usize>,
    analyzer_by_resource: HashMap<&'a str, Vec<AnalyzerEntry<'a>>>,
}

impl<'a> Natives<'a> {
    fn index(findings: &'a [Finding]) -> Self {
        let mut me = Natives {
            guardduty: HashMap::new(),
            analyzer_by_id: HashMap::new(),
            analyzer_by_resource: HashMap::new(),
        };
        for (i, f) in findings.iter().enumerate() {
            let Some(rec) = f.records.first() else {
                continue;
            };
            match f.source {
                Source::GuardDuty => {
                    me.guardduty.entry(rec.id.as_str()).or_insert(i);
                }
                Source::AccessAnalyzer => {
                    me.analyzer_by_id.entry(rec.id.as_str()).or_insert(i);
                    if let Some(res) = str_at(&rec.raw, &["resource"]) {
                        let analyzer = str_at(&rec.raw, &["analyzerArn"]);
                        me.analyzer_by_resource.entry(res).or_default().push((
                            f.kind.as_str(),
                            analyzer,
                            i,
                        ));
                    }
                }
                _ => {}
            }
        }
        me
    }

    /// The native findings a Security Hub record is a copy of (empty when none is loaded).
    fn targets(&self, sh: &SourceRecord) -> Vec<usize> {
        let Some(product) = sh.product_arn.as_deref() else {
            return Vec::new();
        };
        if is_guardduty_product(product) {
            return guardduty_id(&sh.id)
                .and_then(|id| self.guardduty.get(id))
                .map(|&i| vec![i])
                .unwrap_or_default();
        }
        if !is_access_analyzer_product(product) {
            return Vec::new();
        }
        if let Some(id) = str_at(&sh.raw, &["ProductFields", "findingId"]) {
            return self
                .analyzer_by_id
                .get(id)
                .map(|&i| vec![i])
                .unwrap_or_default();
        }
        // External access: one copy per analyzer + resource (Id `<analyzer>/<resource>`).
        // Unused access without a findingId: Id `<analyzer>/<resource>/<finding type>`.
        let Some((analyzer, id_resource)) = split_analyzer_id(&sh.id) else {
            return Vec::new();
        };
        let resource = sh
            .raw
            .get("Resources")
            .and_then(|r| r.get(0))
            .and_then(|r| str_at(r, &["Id"]))
            .unwrap_or(id_resource);
        let finding_type = str_at(&sh.raw, &["ProductFields", "findingType"])
            .or_else(|| {
                id_resource
                    .strip_prefix(resource)
                    .and_then(|t| t.strip_prefix('/'))
                    .filter(|t| t.starts_with("Unused"))
            })
            .unwrap_or("ExternalAccess");
        self.analyzer_by_resource
            .get(resource)
            .map(|list| {
                list.iter()
                    .filter(|(t, a, _)| *t == finding_type && a.is_none_or(|a| a == analyzer))
                    .map(|&(_, _, i)| i)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// `arn:aws:guardduty:R:A:detector/D/finding/<id>` -> `<id>`.
fn guardduty_id(sh_id: &str) -> Option<&str> {
    sh_id
        .rsplit_once("/finding/")
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// `arn:aws:access-analyzer:R:A:analyzer/NAME/<resource arn>` -> (analyzer arn, resource arn).
/// Analyzer names cannot contain `/`, so the first `/` after `analyzer/` ends the analyzer ARN.
fn split_analyzer_id(id: &str) -> Option<(&str, &str)> {
    let start = id.find(":analyzer/")? + ":analyzer/".len();
    let slash = start + id[start..].find('/')?;
    let (analyzer, rest) = id.split_at(slash);
    let resource = &rest[1..];
    (!resource.is_empty()).then_some((analyzer, resource))
}

/// One resource and everything hanging off it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub arn: String,
    pub kind: String,
    pub name: String,
    pub region: Option<String>,
    /// Indexes into the findings slice the index was built from.
    pub findings: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceIndex {
    pub resources: Vec<Resource>,
    pub by_arn: HashMap<String, usize>,
}

impl ResourceIndex {
    /// Every resource named by a finding plus every IAM principal in the inventory.
    ///
    /// - IAM users, groups, roles and customer-managed policies are always present (a principal
    ///   with no findings still has a page); their name and kind come from the inventory and
    ///   their region is `None`.
    /// - GuardDuty names users and roles without their IAM path (`user/alice` for
    ///   `user/eng/alice`); such an ARN is filed under the inventory's ARN and kept in
    ///   `by_arn` as an alias, so both lead to the same resource.
    /// - Order: most findings first, then ARN ascending; each resource's findings are worst
    ///   first (severity, then most recently seen, then index), without repeats.
    pub fn build(findings: &[Finding], iam: Option<&IamInventory>) -> ResourceIndex {
        struct Entry {
            kind: String,
            name: String,
            region: Option<String>,
            findings: Vec<usize>,
        }
        let mut entries: HashMap<String, Entry> = HashMap::new();
        let mut aliases: HashMap<String, String> = HashMap::new();

        if let Some(inv) = iam {
            let mut add = |arn: &str, kind: &str, name: &str| {
                entries.entry(arn.to_string()).or_insert_with(|| Entry {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    region: None,
                    findings: Vec::new(),
                });
                if let Some(short) = pathless(arn, name) {
                    aliases.entry(short).or_insert_with(|| arn.to_string());
                }
            };
            for u in &inv.user_detail_list {
                add(&u.arn, "AwsIamUser", &u.user_name);
            }
            for g in &inv.group_detail_list {
                add(&g.arn, "AwsIamGroup", &g.group_name);
            }
            for r in &inv.role_detail_list {
                add(&r.arn, "AwsIamRole", &r.role_name);
            }
            for p in inv.policies.iter().filter(|p| !p.is_aws_managed()) {
                add(&p.arn, "AwsIamPolicy", &p.policy_name);
            }
        }
        // Aliases only for ARNs that are not themselves a real resource.
        aliases.retain(|short, _| !entries.contains_key(short));

        for (i, f) in findings.iter().enumerate() {
            for r in &f.resources {
                let arn = aliases.get(&r.arn).unwrap_or(&r.arn);
                let e = entries.entry(arn.clone()).or_insert_with(|| Entry {
                    kind: r.kind.clone(),
                    name: r.name.clone(),
                    region: r.region.clone(),
                    findings: Vec::new(),
                });
                if e.findings.last() != Some(&i) {
                    e.findings.push(i);
                }
            }
        }

        let mut resources: Vec<Resource> = entries
            .into_iter()
            .map(|(arn, mut e)| {
                // The resource page lists what matters first.
                e.findings.sort_by(|&a, &b| {
                    let (fa, fb) = (&findings[a], &findings[b]);
                    fb.severity
                        .cmp(&fa.severity)
                        .then(fb.last_seen.cmp(&fa.last_seen))
                        .then(a.cmp(&b))
                });
                Resource {
                    arn,
                    kind: e.kind,
                    name: e.name,
                    region: e.region,
                    findings: e.findings,
                }
            })
            .collect();
        resources.sort_by(|a, b| {
            b.findings
                .len()
                .cmp(&a.findings.len())
                .then_with(|| a.arn.cmp(&b.arn))
        });
        let mut by_arn: HashMap<String, usize> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.arn.clone(), i))
            .collect();
        for (short, full) in aliases {
            if let Some(&i) = by_arn.get(&full) {
                by_arn.entry(short).or_insert(i);
            }
        }
        ResourceIndex { resources, by_arn }
    }

    pub fn get(&self, arn: &str) -> Option<&Resource> {
        self.by_arn.get(arn).map(|&i| &self.resources[i])
    }
}

/// `arn:aws:iam::A:user/eng/alice` -> `arn:aws:iam::A:user/alice` when the ARN has a path.
fn pathless(arn: &str, name: &str) -> Option<String> {
    let a = parse_arn(arn)?;
    let (ty, rest) = a.resource.split_once('/')?;
    if rest == name {
        return None;
    }
    Some(format!(
        "arn:{}:{}:{}:{}:{ty}/{name}",
        a.partition, a.service, a.region, a.account
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{IamGroup, IamRole, IamUser, ManagedPolicy, ResourceRef};
    use crate::normalize::{access_analyzer, guardduty, securityhub};
    use chrono::{TimeZone, Utc};
    use serde_json::{Value, json};

    const DET: &str =
        "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0";
    const ANALYZER: &str = "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/acct-analyzer";

    pub(crate) fn gd_native(id: &str) -> Finding {
        let raw = json!({
          "accountId": "111122223333", "arn": format!("{DET}/finding/{id}"),
          "createdAt": "2024-05-15T20:31:40.000Z", "updatedAt": "2024-05-15T20:38:50.000Z",
          "description": "d", "id": id, "partition": "aws", "region": "us-east-1",
          "resource": {"resourceType": "AccessKey", "accessKeyDetails": {
              "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "principalId": "AIDACKCEVSQ6C2EXAMPLE",
              "userName": "alice", "userType": "IAMUser"}},
          "schemaVersion": "2.0",
          "service": {"archived": false, "count": 3, "detectorId": "12abc34d567e8fa901bc2d34e56789f0",
                      "eventFirstSeen": "2024-05-15T20:30:59.000Z", "eventLastSeen": "2024-05-15T20:38:12.000Z",
                      "serviceName": "guardduty"},
          "severity": 8, "title": "API GetCallerIdentity was invoked from a known malicious IP address.",
          "type": "UnauthorizedAccess:IAMUser/MaliciousIPCaller"
        });
        guardduty::normalize(&raw, "us-east-1").unwrap()
    }

    pub(crate) fn gd_copy(id: &str, read_region: &str) -> Finding {
        let raw = json!({
          "SchemaVersion": "2018-10-08",
          "Id": format!("{DET}/finding/{id}"),
          "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
          "ProductName": "GuardDuty", "CompanyName": "Amazon", "Region": "us-east-1",
          "GeneratorId": DET, "AwsAccountId": "111122223333",
          "Types": ["TTPs/Initial Access/UnauthorizedAccess:IAMUser-MaliciousIPCaller"],
          "CreatedAt": "2024-05-15T20:31:40.000Z", "UpdatedAt": "2024-05-15T20:38:50.000Z",
          "Severity": {"Product": 8, "Label": "HIGH", "Normalized": 60},
          "Title": "API GetCallerIdentity was invoked from a known malicious IP address.",
          "ProductFields": {"aws/guardduty/service/archived": "false",
              "aws/securityhub/FindingId": format!("arn:aws:securityhub:us-east-1::product/aws/guardduty/{DET}/finding/{id}")},
          "Resources": [{"Type": "AwsIamAccessKey", "Id": "AWS::IAM::AccessKey:AKIAIOSFODNN7EXAMPLE", "Region": "us-east-1"}],
          "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
        });
        securityhub::normalize(&raw, read_region).unwrap()
    }

    fn aa_native(id: &str, resource: &str, finding_type: &str) -> Finding {
        let raw = json!({
          "analyzedAt": "2024-11-10T16:17:40Z", "createdAt": "2024-11-10T16:17:47Z",
          "updatedAt": "2024-11-10T16:43:49Z", "id": id, "status": "ACTIVE",
          "findingType": finding_type, "resource": resource,
          "resourceOwnerAccount": "111122223333", "resourceType": "AWS::S3::Bucket",
          "findingDetails": [{"externalAccessDetails": {"action": ["s3:GetObject"], "isPublic": false,
              "principal": {"AWS": "444455556666"}}}],
          "analyzerArn": ANALYZER
        });
        access_analyzer::normalize(&raw, "us-east-1", None).unwrap()
    }

    /// Shaped like the IAM user guide's "typical finding from Access Analyzer".
    fn aa_external_copy(resource: &str) -> Finding {
        let raw = json!({
          "SchemaVersion": "2018-10-08",
          "Id": format!("{ANALYZER}/{resource}"),
          "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/access-analyzer",
          "ProductName": "IAM Access Analyzer", "CompanyName": "AWS",
          "GeneratorId": "aws/access-analyzer", "AwsAccountId": "111122223333",
          "Types": ["Software and Configuration Checks/AWS Security Best Practices/External Access Granted"],
          "CreatedAt": "2024-11-10T16:17:47Z", "UpdatedAt": "2024-11-10T16:43:49Z",
          "Severity": {"Product": 1, "Label": "LOW", "Normalized": 1},
          "Title": format!("AwsS3Bucket/{resource}/ allows cross-account access"),
          "Description": format!("AWS::S3::Bucket/{resource}/ allows cross-account access from AWS 444455556666"),
          "Resources": [{"Type": "AwsS3Bucket", "Id": resource}],
          "WorkflowState": "NEW", "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
        });
        securityhub::normalize(&raw, "us-east-1").unwrap()
    }

    fn sources(f: &Finding) -> Vec<Source> {
        f.sources()
    }

    #[test]
    fn guardduty_copy_merges_into_native() {
        let out = dedupe(vec![
            gd_copy("46ba0ac2845071e23ccdeb2ae03bfdea", "us-east-1"),
            gd_native("46ba0ac2845071e23ccdeb2ae03bfdea"),
        ]);
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert_eq!(f.id, "gd:46ba0ac2845071e23ccdeb2ae03bfdea");
        assert_eq!(f.source, Source::GuardDuty);
        assert_eq!(sources(f), vec![Source::GuardDuty, Source::SecurityHub]);
        assert_eq!(f.records.len(), 2);
        assert_eq!(f.records[0].id, "46ba0ac2845071e23ccdeb2ae03bfdea");
        assert_eq!(
            f.records[1].product_arn.as_deref(),
            Some("arn:aws:securityhub:us-east-1::product/aws/guardduty")
        );
        assert_eq!(
            f.severity,
            crate::model::Severity::High,
            "native fields kept"
        );
    }

    #[test]
    fn merged_finding_keeps_each_sources_workflow_and_undo_restores_the_copys() {
        let id = "46ba0ac2845071e23ccdeb2ae03bfdea";
        let mut copy = gd_copy(id, "us-east-1");
        copy.records[0].raw["Workflow"]["Status"] = json!("NOTIFIED");
        let out = dedupe(vec![gd_native(id), copy]);
        let f = &out[0];
        // The native finding is NEW; the Security Hub copy keeps its own NOTIFIED.
        assert_eq!(f.workflow, Workflow::New);
        assert_eq!(
            workflows(f),
            [
                (Source::GuardDuty, Workflow::New),
                (Source::SecurityHub, Workflow::Notified)
            ]
        );
        assert_eq!(workflow_label(f), "GD NEW · SH NOTIFIED");
        assert!(
            has_workflow(f, Workflow::Notified),
            "status:notified finds it"
        );
        assert!(has_workflow(f, Workflow::New));
        assert!(!has_workflow(f, Workflow::Resolved));
        assert_eq!(workflow_label(&gd_native(id)), "NEW");
    }

    #[test]
    fn copy_read_in_two_regions_is_kept_once_per_region() {
        let id = "46ba0ac2845071e23ccdeb2ae03bfdea";
        let out = dedupe(vec![
            gd_native(id),
            gd_copy(id, "us-east-1"),
            gd_copy(id, "us-east-1"),
            gd_copy(id, "eu-west-1"),
        ]);
        assert_eq!(out.len(), 1);
        let regions: Vec<&str> = out[0].records.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(regions, vec!["us-east-1", "us-east-1", "eu-west-1"]);
        assert_eq!(out[0].records[0].source, Source::GuardDuty);

        // Without the native: the copies still collapse into one Security Hub finding.
        let out = dedupe(vec![gd_copy(id, "us-east-1"), gd_copy(id, "eu-west-1")]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].records.len(), 2);
    }

    #[test]
    fn unmatched_copy_stays_and_order_is_kept() {
        let out = dedupe(vec![
            gd_native("aaaa"),
            gd_copy("bbbb", "us-east-1"),
            aa_external_copy("arn:aws:s3:::other-bucket"),
            gd_copy("aaaa", "us-east-1"),
        ]);
        let ids: Vec<&str> = out.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "gd:aaaa",
                &format!("sh:{DET}/finding/bbbb") as &str,
                &format!("sh:{ANALYZER}/arn:aws:s3:::other-bucket") as &str,
            ]
        );
        assert_eq!(out[1].source, Source::SecurityHub);
        assert_eq!(out[1].product, "GuardDuty");
        assert_eq!(sources(&out[1]), vec![Source::SecurityHub]);
    }

    #[test]
    fn access_analyzer_external_copy_covers_every_finding_on_the_resource() {
        let bucket = "arn:aws:s3:::acme-logs";
        let out = dedupe(vec![
            aa_native("f-1", bucket, "ExternalAccess"),
            aa_external_copy(bucket),
            aa_native("f-2", bucket, "ExternalAccess"),
            aa_native("f-3", "arn:aws:s3:::acme-data", "ExternalAccess"),
        ]);
        assert_eq!(out.len(), 3);
        for f in &out[..2] {
            assert_eq!(
                sources(f),
                vec![Source::AccessAnalyzer, Source::SecurityHub]
            );
            assert_eq!(f.records[1].id, format!("{ANALYZER}/{bucket}"));
        }
        assert_eq!(out[2].id, "aa:f-3");
        assert_eq!(sources(&out[2]), vec![Source::AccessAnalyzer]);
    }

    #[test]
    fn access_analyzer_copy_from_another_analyzer_does_not_match() {
        let bucket = "arn:aws:s3:::acme-logs";
        let mut copy = aa_external_copy(bucket);
        copy.records[0].id = format!(
            "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/org-analyzer/{bucket}"
        );
        let out = dedupe(vec![aa_native("f-1", bucket, "ExternalAccess"), copy]);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn access_analyzer_unused_copy_matches_by_finding_id() {
        let role = "arn:aws:iam::111122223333:role/example-scheduler-role";
        let native = access_analyzer::normalize(
            &json!({"id": "test-finding-id-1", "createdAt": "2025-01-01T12:00:00Z",
                    "findingType": "UnusedIAMRole", "resourceType": "AWS::IAM::Role",
                    "resource": role, "status": "ACTIVE",
                    "findingDetails": [{"unusedIamRoleDetails": {}}]}),
            "us-east-1",
            None,
        )
        .unwrap();
        // The copy's shape as Security Hub carries unused-access findings.
        let copy = securityhub::normalize(
            &json!({
              "Id": format!("{ANALYZER}/{role}/UnusedIAMRole"),
              "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/access-analyzer",
              "ProductName": "IAM Access Analyzer", "GeneratorId": "aws/access-analyzer",
              "AwsAccountId": "111122223333",
              "Title": format!("AwsIamRole/{role}/ contains unused iam role"),
              "Severity": {"Label": "MEDIUM", "Normalized": 40},
              "Resources": [{"Type": "AwsIamRole", "Id": role}],
              "ProductFields": {"findingId": "test-finding-id-1", "findingType": "UnusedIAMRole",
                                "ResourceOwnerAccount": "111122223333"},
              "CreatedAt": "2025-01-01T12:00:00.000Z", "UpdatedAt": "2025-01-01T12:00:00.000Z",
              "RecordState": "ACTIVE", "Workflow": {"Status": "NEW"}
            }),
            "us-east-1",
        )
        .unwrap();
        let out = dedupe(vec![copy, native]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, "aa:test-finding-id-1");
        assert_eq!(
            sources(&out[0]),
            vec![Source::AccessAnalyzer, Source::SecurityHub]
        );
    }

    #[test]
    fn id_parsers() {
        assert_eq!(guardduty_id(&format!("{DET}/finding/abc")), Some("abc"));
        assert_eq!(guardduty_id("arn:aws:securityhub:x"), None);
        assert_eq!(
            split_analyzer_id(&format!("{ANALYZER}/arn:aws:iam::1:role/a/b")),
            Some((ANALYZER, "arn:aws:iam::1:role/a/b"))
        );
        assert_eq!(split_analyzer_id(ANALYZER), None);
    }

    fn t() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
    }

    fn inventory() -> IamInventory {
        let user = |name: &str, arn: &str| IamUser {
            user_name: name.into(),
            user_id: format!("AIDA{name}"),
            arn: arn.into(),
            path: "/".into(),
            create_date: t(),
            password_last_used: None,
            tags: vec![],
            group_list: vec![],
            attached_managed_policies: vec![],
            user_policy_list: vec![],
            permissions_boundary: None,
            access_keys: vec![],
            mfa_devices: vec![],
            login_profile: None,
        };
        let policy = |name: &str, arn: &str| ManagedPolicy {
            policy_name: name.into(),
            policy_id: format!("ANPA{name}"),
            arn: arn.into(),
            path: "/".into(),
            default_version_id: "v1".into(),
            attachment_count: 1,
            is_attachable: true,
            create_date: t(),
            update_date: t(),
            description: None,
            document: Value::Null,
        };
        IamInventory {
            account_id: "111122223333".into(),
            user_detail_list: vec![
                user("alice", "arn:aws:iam::111122223333:user/eng/alice"),
                user("carol", "arn:aws:iam::111122223333:user/carol"),
            ],
            group_detail_list: vec![IamGroup {
                group_name: "admins".into(),
                group_id: "AGPA1".into(),
                arn: "arn:aws:iam::111122223333:group/admins".into(),
                path: "/".into(),
                create_date: t(),
                attached_managed_policies: vec![],
                group_policy_list: vec![],
            }],
            role_detail_list: vec![IamRole {
                role_name: "deploy".into(),
                role_id: "AROA1".into(),
                arn: "arn:aws:iam::111122223333:role/deploy".into(),
                path: "/".into(),
                create_date: t(),
                description: None,
                max_session_duration: None,
                assume_role_policy_document: Value::Null,
                tags: vec![],
                attached_managed_policies: vec![],
                role_policy_list: vec![],
                permissions_boundary: None,
                role_last_used: None,
            }],
            policies: vec![
                policy("ci-deploy", "arn:aws:iam::111122223333:policy/ci-deploy"),
                policy(
                    "AdministratorAccess",
                    "arn:aws:iam::aws:policy/AdministratorAccess",
                ),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn resource_index() {
        let mut second = gd_native("bbbb");
        second.resources.push(ResourceRef {
            arn: "arn:aws:s3:::acme-logs".into(),
            kind: "AwsS3Bucket".into(),
            name: "acme-logs".into(),
            region: Some("us-east-1".into()),
        });
        // The same resource twice in one finding counts once.
        second.resources.push(second.resources[0].clone());
        let findings = vec![gd_native("aaaa"), second];
        let inv = inventory();
        let idx = ResourceIndex::build(&findings, Some(&inv));

        let arns: Vec<&str> = idx.resources.iter().map(|r| r.arn.as_str()).collect();
        assert_eq!(
            arns,
            vec![
                // 2 findings each, by ARN
                "AKIAIOSFODNN7EXAMPLE",
                "arn:aws:iam::111122223333:user/eng/alice",
                // 1 finding
                "arn:aws:s3:::acme-logs",
                // none
                "arn:aws:iam::111122223333:group/admins",
                "arn:aws:iam::111122223333:policy/ci-deploy",
                "arn:aws:iam::111122223333:role/deploy",
                "arn:aws:iam::111122223333:user/carol",
            ]
        );
        // GuardDuty's path-less user ARN resolves to the inventory user.
        let alice = idx.get("arn:aws:iam::111122223333:user/alice").unwrap();
        assert_eq!(alice.arn, "arn:aws:iam::111122223333:user/eng/alice");
        assert_eq!(alice.findings, vec![0, 1]);
        assert_eq!(alice.kind, "AwsIamUser");
        assert_eq!(alice.region, None);
        let bucket = idx.get("arn:aws:s3:::acme-logs").unwrap();
        assert_eq!(bucket.findings, vec![1]);
        assert_eq!(bucket.region.as_deref(), Some("us-east-1"));
        let group = idx.get("arn:aws:iam::111122223333:group/admins").unwrap();
        assert_eq!(
            (group.kind.as_str(), group.name.as_str()),
            ("AwsIamGroup", "admins")
        );
        assert!(group.findings.is_empty());
        assert_eq!(
            idx.get("arn:aws:iam::111122223333:policy/ci-deploy")
                .unwrap()
                .kind,
            "AwsIamPolicy"
        );
        assert!(
            idx.get("arn:aws:iam::aws:policy/AdministratorAccess")
                .is_none()
        );
        for (i, r) in idx.resources.iter().enumerate() {
            assert_eq!(idx.by_arn[&r.arn], i);
        }

        let bare = ResourceIndex::build(&findings, None);
        assert_eq!(bare.resources.len(), 3);
        assert!(bare.get("arn:aws:iam::111122223333:user/alice").is_some());
        assert!(ResourceIndex::build(&[], None).resources.is_empty());
    }
}
