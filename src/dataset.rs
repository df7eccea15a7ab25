//! A loaded, normalized, deduplicated account: what the UI and the reports read.
use crate::merge::{self, ResourceIndex};
use crate::model::{Coverage, CoverageState, Finding, IamInventory, SourceProblem};
use crate::normalize;
use crate::posture::{self, PostureConfig, PostureInput};
use crate::snapshot::{AccountInfo, ServiceStatus, Snapshot};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Where the data came from; shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Demo,
    Snapshot(String),
    Live,
    /// Every account of an organization side by side (`--org`, all accounts shown), read as
    /// the inner origin says (live, or an organization snapshot).
    Organization(Box<Origin>),
}

impl Origin {
    pub fn label(&self) -> String {
        match self {
            Origin::Demo => "demo".into(),
            Origin::Snapshot(p) => format!("snapshot {p}"),
            Origin::Live => "live".into(),
            Origin::Organization(inner) => format!("organization · {}", inner.label()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub origin: Origin,
    pub account: AccountInfo,
    pub regions: Vec<String>,
    pub captured_at: DateTime<Utc>,
    pub findings: Vec<Finding>,
    pub resources: ResourceIndex,
    pub iam: Option<IamInventory>,
    /// The network and storage baseline's EC2 facts, per region read.
    pub ec2: Vec<crate::model::Ec2Region>,
    /// CloudTrail's trails, per region read.
    pub trails: Vec<crate::model::TrailRegion>,
    /// AWS Config's recorders, per region read.
    pub config_recorders: Vec<crate::model::ConfigRegion>,
    /// CloudWatch metric filters, alarms and SNS subscriptions, per region read.
    pub monitoring: Vec<crate::model::MonitoringRegion>,
    /// S3: the account's Block Public Access and the trails' buckets; `None`: not read.
    pub s3: Option<crate::model::S3Account>,
    /// The account's alternate contacts; `None`: not read.
    pub contacts: Option<crate::model::account::AlternateContacts>,
    pub services: Vec<ServiceStatus>,
    pub problems: Vec<SourceProblem>,
    /// Who each role's trust policy lets in, by role ARN, one line per principal with its
    /// conditions in brief (read by the posture engine, so `[MFA]` means what the rules mean).
    pub trust: HashMap<String, Vec<String>>,
    /// The privilege-escalation graph and every principal's paths, computed once per dataset
    /// (empty without an IAM inventory).
    pub escalation: std::sync::Arc<posture::policy::Analysis>,
    /// What was read, per source x region (counts from incomplete sources are not exact).
    pub coverage: Coverage,
    /// The account's place in its AWS Organization, when read with `--org`.
    pub org: Option<crate::model::org::OrgMembership>,
    /// The posture settings the dataset was evaluated with (break-glass names and tag, …), so
    /// later readers (incident suggestions, readiness) judge the same way the rules did.
    pub posture_config: std::sync::Arc<PostureConfig>,
}

/// The trust lines of every role of the inventory.
pub fn trust_of(iam: &IamInventory) -> HashMap<String, Vec<String>> {
    iam.role_detail_list
        .iter()
        .map(|r| {
            let lines = match posture::trust::trust_entries(&r.assume_role_policy_document) {
                Ok(entries) => entries.iter().map(|e| e.label()).collect(),
                Err(e) => vec![format!("(trust policy did not parse: {e})")],
            };
            (r.arn.clone(), lines)
        })
        .collect()
}

impl Dataset {
    /// Normalizes every record, evaluates posture as of the capture time, dedupes and indexes.
    /// Records that do not normalize become problems; the rest loads.
    pub fn from_snapshot(
        snap: Snapshot,
        origin: Origin,
        posture_config: &PostureConfig,
    ) -> Dataset {
        Dataset::build(snap, origin, posture_config, true)
    }

    /// As [`Dataset::from_snapshot`], without the posture findings: for `check`, which
    /// evaluates its own selection of rules (evaluating every rule here too doubled a large
    /// check's findings in memory). The escalation analysis is built all the same.
    pub fn without_posture_findings(
        snap: Snapshot,
        origin: Origin,
        posture_config: &PostureConfig,
    ) -> Dataset {
        Dataset::build(snap, origin, posture_config, false)
    }

    fn build(
        snap: Snapshot,
        origin: Origin,
        posture_config: &PostureConfig,
        posture_findings: bool,
    ) -> Dataset {
        let mut coverage = snap.coverage();
        let mut findings = Vec::new();
        let mut problems = snap.problems.clone();
        let mut bad = |source: &str, region: &str, e: normalize::NormalizeError| {
            // A record that does not normalize is not counted: the source's counts become
            // lower bounds.
            if let Some(c) = coverage
                .entries
                .iter_mut()
                .find(|c| c.source == source && c.region.as_deref() == Some(region))
                && c.state == CoverageState::Complete
            {
                c.state = CoverageState::Partial {
                    reason: "a record could not be read (see the problems)".into(),
                };
            }
            problems.push(SourceProblem {
                source: source.to_string(),
                region: Some(region.to_string()),
                message: e.to_string(),
            })
        };
        for batch in &snap.securityhub {
            for raw in &batch.findings {
                match normalize::securityhub::normalize(raw, &batch.region) {
                    Ok(f) => findings.push(f),
                    Err(e) => bad("securityhub", &batch.region, e),
                }
            }
        }
        for batch in &snap.guardduty {
            for raw in &batch.findings {
                match normalize::guardduty::normalize(raw, &batch.region) {
                    Ok(f) => findings.push(f),
                    Err(e) => bad("guardduty", &batch.region, e),
                }
            }
        }
        for batch in &snap.access_analyzer {
            for raw in &batch.findings {
                let analyzer = raw
                    .get("analyzerArn")
                    .and_then(|a| a.as_str())
                    .and_then(|arn| {
                        batch
                            .analyzers
                            .iter()
                            .find(|z| z.get("arn").and_then(|x| x.as_str()) == Some(arn))
                    })
                    .or_else(|| batch.analyzers.first());
                match normalize::access_analyzer::normalize(raw, &batch.region, analyzer) {
                    Ok(f) => findings.push(f),
                    Err(e) => bad("access-analyzer", &batch.region, e),
                }
            }
        }
        let mut analysis = snap
            .iam
            .as_ref()
            .map(posture::policy::Analysis::build)
            .unwrap_or_default();
        if let Some(bound) = snap
            .org
            .as_ref()
            .and_then(|m| posture::scp::ScpBound::new(m, &snap.account.id))
        {
            analysis.apply_scps(&bound);
        }
        let escalation = std::sync::Arc::new(analysis);
        if posture_findings {
            findings.extend(posture::evaluate_graph(
                &PostureInput {
                    account: &snap.account.id,
                    regions: &snap.regions,
                    iam: snap.iam.as_ref(),
                    ec2: &snap.ec2,
                    trails: &snap.trails,
                    recorders: &snap.config_recorders,
                    monitoring: &snap.monitoring,
                    s3: snap.s3.as_ref(),
                    contacts: snap.contacts.as_ref(),
                    services: &snap.services,
                    now: snap.captured_at,
                    config: posture_config,
                    org: snap.org.as_ref(),
                },
                // An account read as part of its organization also gets the organization's rules.
                if snap.org.is_some() {
                    posture::rules::ORG_RULES
                } else {
                    &[]
                },
                Some(&escalation),
            ));
        }
        let findings = merge::dedupe(findings);
        let resources = ResourceIndex::build(&findings, snap.iam.as_ref());
        let trust = snap.iam.as_ref().map(trust_of).unwrap_or_default();
        Dataset {
            origin,
            account: snap.account,
            regions: snap.regions,
            captured_at: snap.captured_at,
            findings,
            resources,
            iam: snap.iam,
            ec2: snap.ec2,
            trails: snap.trails,
            config_recorders: snap.config_recorders,
            monitoring: snap.monitoring,
            s3: snap.s3,
            contacts: snap.contacts,
            services: snap.services,
            problems,
            trust,
            escalation,
            coverage,
            org: snap.org,
            posture_config: std::sync::Arc::new(posture_config.clone()),
        }
    }

    /// A dataset of `findings` alone (their resource index built): no IAM inventory, baseline
    /// facts, services, problems or coverage. For merged views, benchmarks and tests.
    pub fn of_findings(
        origin: Origin,
        account: AccountInfo,
        regions: Vec<String>,
        captured_at: DateTime<Utc>,
        findings: Vec<Finding>,
    ) -> Dataset {
        let resources = ResourceIndex::build(&findings, None);
        Dataset {
            origin,
            account,
            regions,
            captured_at,
            findings,
            resources,
            iam: None,
            ec2: Vec::new(),
            trails: Vec::new(),
            config_recorders: Vec::new(),
            monitoring: Vec::new(),
            s3: None,
            contacts: None,
            services: Vec::new(),
            problems: Vec::new(),
            trust: HashMap::new(),
            escalation: Default::default(),
            coverage: Coverage::default(),
            org: None,
            posture_config: Default::default(),
        }
    }

    /// Every account of an organization in one dataset (the console's "all accounts" view):
    /// their findings side by side (never merged across accounts: a finding's id and its
    /// resources' ARNs carry the account), each account's coverage, and every account that
    /// could not be read as a problem with its reason. IAM, the escalation graph and the
    /// service facts stay per account (`:account ID` shows them).
    pub fn merge_accounts(
        label: &str,
        parts: &[std::sync::Arc<Dataset>],
        unknown: &[(String, String)],
        org: Option<crate::model::org::OrgMembership>,
    ) -> Dataset {
        let mut findings = Vec::new();
        let mut regions: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        let mut coverage = Coverage::default();
        let mut services = Vec::new();
        let mut captured_at: Option<DateTime<Utc>> = None;
        for d in parts {
            findings.extend(d.findings.iter().cloned());
            for r in &d.regions {
                if !regions.contains(r) {
                    regions.push(r.clone());
                }
            }
            for p in &d.problems {
                let mut p = p.clone();
                p.source = format!("{} ({})", p.source, d.account.id);
                problems.push(p);
            }
            // A source counts as read only where every account read it completely.
            for e in &d.coverage.entries {
                match coverage
                    .entries
                    .iter_mut()
                    .find(|c| c.source == e.source && c.region == e.region)
                {
                    Some(c) if c.state.is_complete() && !e.state.is_complete() => *c = e.clone(),
                    Some(_) => {}
                    None => coverage.entries.push(e.clone()),
                }
            }
            services.extend(d.services.iter().cloned());
            captured_at = Some(captured_at.map_or(d.captured_at, |t| t.min(d.captured_at)));
        }
        for (account, why) in unknown {
            problems.push(SourceProblem {
                source: format!("account {account}"),
                region: None,
                message: format!("not read: {why}"),
            });
        }
        let mut d = Dataset::of_findings(
            Origin::Organization(Box::new(
                parts.first().map_or(Origin::Live, |d| d.origin.clone()),
            )),
            AccountInfo {
                id: label.to_string(),
                alias: None,
                caller_arn: None,
            },
            regions,
            captured_at.unwrap_or_else(Utc::now),
            findings,
        );
        d.services = services;
        d.problems = problems;
        d.coverage = coverage;
        d.org = org;
        if let Some(first) = parts.first() {
            d.posture_config = first.posture_config.clone();
        }
        d
    }

    /// This account's part of the organization's cross-account analysis.
    pub fn reach(&self) -> posture::cross_account::AccountReach {
        posture::cross_account::AccountReach::of(
            &self.account.id,
            self.iam.as_ref(),
            &self.escalation,
        )
    }

    /// Every account of an organization side by side (the merged view).
    pub fn is_organization(&self) -> bool {
        matches!(self.origin, Origin::Organization(_))
    }

    /// `payments` for a member account of the organization the data belongs to, else the id.
    pub fn account_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.org
            .as_ref()
            .and_then(|m| m.name_of(id))
            .filter(|n| !n.is_empty())
            .unwrap_or(id)
    }

    /// Why the data a rule reads was not (completely) read, as one sentence; `None` when it
    /// was. A rule without a finding whose data is unknown neither passes nor fails: `check`
    /// lists it as unknown and the overview's score leaves it out.
    pub fn unknown_reason(&self, rule: &posture::RuleInfo) -> Option<String> {
        use posture::rules as r;
        if r::ORG_RULES.contains(&rule.id) && self.org.is_none() {
            return Some(
                "only an organization read (--org) knows the organization's accounts".into(),
            );
        }
        if rule.id == r::ORG_TRUST_OUTSIDE
            && self
                .org
                .as_ref()
                .is_some_and(|m| m.organization_id.is_none())
        {
            return Some(
                "the accounts are the config's [org] accounts list, not read from Organizations: an account missing from it is not known to be outside the organization".into(),
            );
        }
        let service = match rule.id {
            r::SH_DISABLED => Some("securityhub"),
            r::GD_DISABLED => Some("guardduty"),
            r::AA_MISSING => Some("access-analyzer"),
            _ => None,
        };
        if let Some(service) = service {
            let unknown = self.regions_without(service, |region| {
                self.services
                    .iter()
                    .any(|s| s.service == service && s.region == region)
            });
            return (!unknown.is_empty()).then(|| {
                format!(
                    "{} state unknown in {}",
                    crate::model::coverage::source_label(service),
                    unknown.join(", ")
                )
            });
        }
        if rule.source() == "ec2" {
            return self.ec2_gap(rule.id);
        }
        if rule.source() == "cloudtrail" {
            return self.trails_gap(rule.id);
        }
        if rule.source() == "account" {
            return self
                .contacts
                .is_none()
                .then(|| match self.coverage.get("account", None) {
                    Some(c) if !c.state.is_complete() => {
                        format!("the security contact could not be read: {}", c.state)
                    }
                    _ => "the security contact was not read".to_string(),
                });
        }
        if let Some(m) = posture::monitoring::monitor(rule.id) {
            return match posture::monitoring::assess(
                m,
                &self.account.id,
                &self.trails,
                &self.monitoring,
                &self.regions,
            ) {
                posture::monitoring::Verdict::Unknown(why) => Some(why),
                _ => None,
            };
        }
        if rule.source() == "s3" {
            return self.s3_gap(rule.id);
        }
        if rule.source() == "config" {
            let unknown = self.regions_without("config", |region| {
                self.config_recorders.iter().any(|c| {
                    c.region == region
                        && c.delivery_channels.is_some()
                        && c.recorders
                            .as_ref()
                            .is_some_and(|rs| rs.iter().all(|x| x.recording.is_some()))
                })
            });
            return (!unknown.is_empty())
                .then(|| format!("AWS Config unknown in {}", unknown.join(", ")));
        }
        match self.coverage.get("iam", None) {
            _ if self.iam.is_none() => Some("the IAM inventory was not read".to_string()),
            Some(c) if !c.state.is_complete() => Some(format!("IAM {}", c.state)),
            _ => None,
        }
    }

    /// The regions (with the coverage's reason where it has one) where `known` is false.
    fn regions_without(&self, source: &str, known: impl Fn(&str) -> bool) -> Vec<String> {
        self.regions
            .iter()
            .filter(|region| !known(region))
            .map(
                |region| match self.coverage.get(source, Some(region.as_str())) {
                    Some(c) if !c.state.is_complete() => format!("{region}: {}", c.state),
                    _ => region.clone(),
                },
            )
            .collect()
    }

    /// Why a `cloudtrail.*` rule cannot be decided: a region whose trails were not read (a
    /// trail homed there is not seen), or, for the account-wide rule, a trail whose status or
    /// event selectors were not read while no good trail was seen.
    fn trails_gap(&self, rule: &str) -> Option<String> {
        let trails = || self.trails.iter().flat_map(|r| r.trails.iter().flatten());
        if rule == posture::rules::TRAIL_MISSING {
            if trails().any(|t| t.covers_account() == Some(true)) {
                return None;
            }
            let undecided: Vec<&str> = trails()
                .filter(|t| t.covers_account().is_none())
                .map(|t| t.name.as_str())
                .collect();
            if !undecided.is_empty() {
                return Some(format!(
                    "the status or event selectors of trail(s) {} could not be read",
                    undecided.join(", ")
                ));
            }
        }
        let unknown = self.regions_without("cloudtrail", |region| {
            self.trails
                .iter()
                .any(|r| r.region == region && r.trails.is_some())
        });
        (!unknown.is_empty())
            .then(|| format!("CloudTrail trails unknown in {}", unknown.join(", ")))
    }

    /// Why an `s3.*` rule could not be decided: the S3 reads, or (for the trail-bucket rules)
    /// the trails that name the buckets.
    fn s3_gap(&self, rule: &str) -> Option<String> {
        let not_read = || match self.coverage.get("s3", None) {
            Some(c) if !c.state.is_complete() => format!("S3 could not be read: {}", c.state),
            _ => "S3 was not read".to_string(),
        };
        let Some(s3) = &self.s3 else {
            return Some(not_read());
        };
        if rule == posture::rules::S3_ACCOUNT_PAB {
            return s3.public_access_block.is_none().then(not_read);
        }
        if let Some(gap) = self.trails_gap(posture::rules::TRAIL_VALIDATION) {
            return Some(gap);
        }
        let unread: Vec<&str> = s3
            .trail_buckets
            .iter()
            .filter(|b| match rule {
                posture::rules::TRAIL_BUCKET_LOGGING => b.logging_target.is_none(),
                _ => b.public(s3.public_access_block.as_ref()).is_none(),
            })
            .map(|b| b.name.as_str())
            .collect();
        (!unread.is_empty()).then(|| {
            format!(
                "bucket(s) {} could not be read: {}",
                unread.join(", "),
                not_read()
            )
        })
    }

    /// The regions where the EC2 part an `ec2.*` rule reads was not read.
    fn ec2_gap(&self, rule: &str) -> Option<String> {
        use posture::rules as r;
        let (what, known): (&str, fn(&crate::model::Ec2Region) -> bool) = match rule {
            r::SG_ADMIN_OPEN | r::SG_DEFAULT_OPEN => {
                ("security groups", |e| e.security_groups.is_some())
            }
            r::NACL_ADMIN_OPEN => ("network ACLs", |e| e.network_acls.is_some()),
            r::VPC_NO_FLOW_LOGS => ("VPC flow logs", |e| e.vpcs.is_some()),
            r::IMDSV1 => ("instances", |e| e.instances.is_some()),
            r::EBS_DEFAULT_ENCRYPTION => ("EBS encryption by default", |e| {
                e.ebs_encryption_by_default.is_some()
            }),
            _ => return None,
        };
        let unknown = self.regions_without("ec2", |region| {
            self.ec2.iter().any(|e| e.region == region && known(e))
        });
        (!unknown.is_empty()).then(|| format!("EC2 {what} unknown in {}", unknown.join(", ")))
    }
}
