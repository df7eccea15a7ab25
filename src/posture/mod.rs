//! The posture engine: rules as pure functions over the IAM inventory and service state.
//!
//! Conventions (also in docs/posture-rules.md):
//! - Every finding: source `Posture`, product `guardpost`, kind = rule id,
//!   id = `po:<rule id>:<resource arn>`, workflow New, compliance Failed,
//!   first_seen = last_seen = `now`, control_id = the rule's first FSBP / Security Hub control
//!   id (e.g. `IAM.5`) or else the rule id. One finding per rule and resource: several offending
//!   keys or statements of one user are listed in one finding's evidence.
//! - IAM is global: IAM findings have region `global` and resources with `region: None`.
//!   Account-level IAM rules hang on `arn:<partition>:iam::ACCT:root` (kind `AwsAccount`).
//! - Per-region service rules hang on `arn:<partition>:<service>:REGION:ACCT:` (kind
//!   `AwsAccount`, region set): a per-region pseudo-ARN, so ids stay unique across regions.
//!   (Security Hub names the account `AWS::::Account:ACCT` in its own control findings.)
//! - `ServiceStatus` for `access-analyzer`: one entry per analyzer, `enabled` = analyzer ACTIVE,
//!   `detail` = the analyzer type (`ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, ...),
//!   optionally as `;`-separated parts such as `arn:...; type=ACCOUNT`. A region with no
//!   analyzer is one entry with `enabled: false`. An enabled entry without a type counts as an
//!   external-access analyzer (ListAnalyzers' default type is ACCOUNT).
//! - A service with no status entry for a region is unknown, not disabled: no finding.
//! - `now` comes from the input; no rule reads the clock.

mod account;
pub mod benchmarks;
pub mod cross_account;
mod filter_pattern;
mod logging;
pub mod monitoring;
mod network;
pub mod policy;
mod principals;
pub mod rules;
pub mod score;
pub mod scp;
mod storage;
pub mod trust;
mod users;
pub use users::last_used;

#[cfg(test)]
mod tests;

pub use policy::{EscalationPath, escalation_paths, is_admin};
pub use rules::{RuleInfo, is_default, rules};

use crate::model::{
    ComplianceStatus, Finding, IamInventory, Remediation, ResourceRef, Severity, Source,
    SourceRecord, Workflow,
};
use crate::snapshot::ServiceStatus;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What the rules need besides the inventory.
#[derive(Debug, Clone)]
pub struct PostureInput<'a> {
    pub account: &'a str,
    pub regions: &'a [String],
    pub iam: Option<&'a IamInventory>,
    /// EC2 facts per region (the network and storage baseline); empty when not read.
    pub ec2: &'a [crate::model::Ec2Region],
    /// CloudTrail's trails per region (the logging baseline); empty when not read.
    pub trails: &'a [crate::model::TrailRegion],
    /// AWS Config's recorders per region; empty when not read.
    pub recorders: &'a [crate::model::ConfigRegion],
    /// CloudWatch metric filters, alarms and SNS subscriptions per region; empty when not read.
    pub monitoring: &'a [crate::model::MonitoringRegion],
    /// S3's account Block Public Access and the trails' buckets; `None` when not read.
    pub s3: Option<&'a crate::model::S3Account>,
    /// The account's alternate contacts; `None` when not read.
    pub contacts: Option<&'a crate::model::account::AlternateContacts>,
    pub services: &'a [ServiceStatus],
    pub now: DateTime<Utc>,
    pub config: &'a PostureConfig,
    /// The account's place in its organization (`--org`): names the other end of a trust and
    /// tells a member account from an outsider. `None`: a single account.
    pub org: Option<&'a crate::model::org::OrgMembership>,
}

/// Whether a user is a break-glass / incident-response user (by name glob or tag).
pub fn is_break_glass_user(u: &crate::model::IamUser, cfg: &PostureConfig) -> bool {
    users::is_break_glass(u, cfg)
}

/// Tunables from the config file (`[posture]`); defaults follow CIS v3.0.0 and our IAM guidance.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostureConfig {
    /// Tag key that names a user's owner.
    pub owner_tag: String,
    /// Users whose name matches one of these globs, or that carry `break_glass_tag`, are break-glass / incident-response users.
    pub break_glass_names: Vec<String>,
    pub break_glass_tag: String,
    /// Days without use after which credentials count as unused (CIS 1.12: 45).
    pub unused_days: i64,
    /// Days after which an access key must be rotated (CIS 1.14: 90).
    pub rotation_days: i64,
    /// Root use within this many days is reported (CIS 1.7).
    pub root_use_days: i64,
    /// Minimum password length (CIS 1.8: 14).
    pub min_password_length: i32,
    /// Number of previous passwords that must not be reused (CIS 1.9: 24).
    pub password_reuse: i32,
    /// Days without any use of any credential (password or access key) after which a user is
    /// inactive (`iam.user.inactive`).
    pub inactive_user_days: i64,
    /// Days since a role was last used (or created, when never used) after which it is unused
    /// (`iam.role.unused`).
    pub unused_role_days: i64,
    /// TCP ports that must not be open to the internet in a security group or network ACL
    /// (CIS 5.1-5.3: 22 and 3389).
    pub admin_ports: Vec<i32>,
}

impl Default for PostureConfig {
    fn default() -> Self {
        PostureConfig {
            owner_tag: "owner".into(),
            break_glass_names: vec![
                "break-glass*".into(),
                "breakglass*".into(),
                "incident-response*".into(),
            ],
            break_glass_tag: "guardpost:break-glass".into(),
            unused_days: 45,
            rotation_days: 90,
            root_use_days: 90,
            min_password_length: 14,
            password_reuse: 24,
            inactive_user_days: 90,
            unused_role_days: 90,
            admin_ports: vec![22, 3389],
        }
    }
}

/// Runs every default rule (not the opt-in ones, see [`rules::OPT_IN_RULES`]); the returned
/// findings have source Posture, sorted by rule id, then resource ARN.
pub fn evaluate(input: &PostureInput<'_>) -> Vec<Finding> {
    evaluate_with(input, &[])
}

/// [`evaluate`] plus the opt-in rules named in `opt_in` (other ids there are ignored).
pub fn evaluate_with(input: &PostureInput<'_>, opt_in: &[&str]) -> Vec<Finding> {
    evaluate_graph(input, opt_in, None)
}

/// [`evaluate_with`] reusing an escalation graph already built for `input.iam` (a dataset's),
/// instead of building one.
pub fn evaluate_graph(
    input: &PostureInput<'_>,
    opt_in: &[&str],
    graph: Option<&policy::Analysis>,
) -> Vec<Finding> {
    let mut out = Out {
        input,
        findings: Vec::new(),
        opt_in: opt_in
            .iter()
            .copied()
            .filter(|id| rules::OPT_IN_RULES.contains(id))
            .collect(),
    };
    account::services(&mut out);
    network::check(&mut out);
    logging::check(&mut out);
    logging::config(&mut out);
    monitoring::check(&mut out);
    storage::check(&mut out);
    account::security_contact(&mut out);
    if let Some(inv) = input.iam {
        account::root(&mut out, inv);
        account::password_policy(&mut out, inv);
        account::support_role(&mut out, inv);
        account::server_certificates(&mut out, inv);
        users::check(&mut out, inv);
        principals::check(&mut out, inv, graph);
    }
    let mut findings = out.findings;
    findings
        .sort_by(|a, b| (&a.kind, primary_arn(a), &a.id).cmp(&(&b.kind, primary_arn(b), &b.id)));
    findings
}

fn primary_arn(f: &Finding) -> &str {
    f.resources.first().map(|r| r.arn.as_str()).unwrap_or("")
}

/// Collects findings; knows the input for account id, `now` and config.
pub(crate) struct Out<'a> {
    pub input: &'a PostureInput<'a>,
    pub findings: Vec<Finding>,
    /// Opt-in rules asked for; default rules always run.
    opt_in: Vec<&'a str>,
}

impl Out<'_> {
    pub fn now(&self) -> DateTime<Utc> {
        self.input.now
    }

    /// Whether findings of `rule_id` are wanted: default rules always, opt-in ones when asked.
    pub fn enabled(&self, rule_id: &str) -> bool {
        !rules::OPT_IN_RULES.contains(&rule_id) || self.opt_in.contains(&rule_id)
    }

    pub fn config(&self) -> &PostureConfig {
        self.input.config
    }

    /// The account id: the input's, else the inventory's.
    pub fn account(&self) -> &str {
        if !self.input.account.is_empty() {
            return self.input.account;
        }
        self.input.iam.map(|i| i.account_id.as_str()).unwrap_or("")
    }

    /// `aws`, or the partition the inventory's ARNs use (`aws-cn`, `aws-us-gov`).
    pub fn partition(&self) -> &str {
        self.input
            .iam
            .and_then(|i| {
                let u = i.user_detail_list.iter().map(|u| u.arn.as_str());
                let r = i.role_detail_list.iter().map(|r| r.arn.as_str());
                u.chain(r).find_map(|a| a.split(':').nth(1))
            })
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
    }

    pub fn account_resource(&self) -> ResourceRef {
        ResourceRef {
            arn: format!("arn:{}:iam::{}:root", self.partition(), self.account()),
            kind: "AwsAccount".into(),
            name: self.account().into(),
            region: None,
        }
    }

    /// Emits a finding of `rule_id` at its catalog severity.
    pub fn push(
        &mut self,
        rule_id: &str,
        resource: ResourceRef,
        title: String,
        detail: String,
        evidence: Value,
    ) {
        let sev = rules::rule(rule_id).map(|r| r.severity);
        self.push_with(rule_id, resource, title, detail, evidence, sev);
    }

    /// Emits a finding; `severity` overrides the catalog's when given.
    pub fn push_with(
        &mut self,
        rule_id: &str,
        resource: ResourceRef,
        title: String,
        detail: String,
        evidence: Value,
        severity: Option<Severity>,
    ) {
        let Some(rule) = rules::rule(rule_id) else {
            debug_assert!(false, "rule {rule_id} is not in the catalog");
            return;
        };
        if !self.enabled(rule_id) {
            return;
        }
        let account = self.account().to_string();
        let f = finding(
            rule,
            &account,
            resource,
            title,
            detail,
            evidence,
            severity,
            self.input.now,
        );
        self.findings.push(f);
    }
}

/// A posture finding of `rule` on `resource` in `account`, as of `now`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finding(
    rule: &RuleInfo,
    account: &str,
    resource: ResourceRef,
    title: String,
    detail: String,
    evidence: Value,
    severity: Option<Severity>,
    now: DateTime<Utc>,
) -> Finding {
    {
        let region = resource.region.clone().unwrap_or_else(|| "global".into());
        let id = format!("{}:{}", rule.id, resource.arn);
        let raw = json!({
            "rule": rule.id,
            "title": title,
            "resource": resource.arn,
            "evidence": evidence,
        });
        Finding {
            id: format!("po:{id}"),
            source: Source::Posture,
            product: "guardpost".into(),
            kind: rule.id.into(),
            title,
            description: format!("{detail} {}", rule.rationale).trim().to_string(),
            severity: severity.unwrap_or(rule.severity),
            raw_score: None,
            account: account.to_string(),
            region: region.clone(),
            resources: vec![resource],
            first_seen: now,
            last_seen: now,
            workflow: Workflow::New,
            compliance: Some(ComplianceStatus::Failed),
            control_id: Some(rule.control_id().to_string()),
            controls: rule.controls(),
            remediation: Some(Remediation {
                text: rule.remediation.into(),
                url: None,
            }),
            records: vec![SourceRecord {
                source: Source::Posture,
                id,
                product_arn: None,
                region,
                raw,
            }],
        }
    }
}

/// Whole days from `then` to `now`; never negative (clock skew, future dates).
pub(crate) fn days_since(now: DateTime<Utc>, then: DateTime<Utc>) -> i64 {
    (now - then).num_days().max(0)
}
