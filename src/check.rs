//! `guardpost check`: the headless posture check for sandbox owners and CI jobs.
//!
//! No terminal is touched and nothing waits for input. [`run`] takes an already loaded
//! [`Dataset`] (demo, snapshot or live), evaluates the selected posture rules as of the data's
//! capture time, writes one report and says whether the check passed. Exit codes (main.rs):
//! 0 pass, 1 a finding at or above `--fail-on`, 2 any error. See docs/check.md.

use crate::config::Config;
use crate::dataset::Dataset;
use crate::model::{ComplianceStatus, Finding, Source};
use crate::posture::{self, PostureConfig, PostureInput, RuleInfo, rules};
use crate::report::{self, FailOn, Format, Framework, Report, ReportFinding};
use crate::sources::LoadPlan;
use std::io::Write;
use std::path::PathBuf;

/// `guardpost check` options.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the report to FILE instead of stdout (stdout then gets the one-line verdict).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fail (exit 1) when a reported finding is at or above this severity; `none` never fails.
    #[arg(long, value_enum, default_value = "low", value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Rule profile: `default` (every default rule) or `sandbox`. Default: config
    /// `[check] profile`, else `default`.
    #[arg(long, value_name = "PROFILE")]
    pub profile_rules: Option<String>,
    /// Check only these posture rules (repeatable; replaces the profile's rule set).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Also report open Security Hub, GuardDuty and Access Analyzer findings.
    #[arg(long)]
    pub all_findings: bool,
    /// Exit 2 when any source could not be read completely in any region (the report is
    /// still written).
    #[arg(long)]
    pub require_complete: bool,
    /// Check only these services (comma-separated or repeated): securityhub, guardduty,
    /// access-analyzer, iam. Other services' rules are not checked and nothing of theirs is
    /// read; with --all-findings only their findings are reported.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub services: Vec<String>,
    /// Report against one benchmark: only findings with a control in it, labelled with its
    /// ids; rules not mapped to it neither pass nor fail (counted as outside).
    #[arg(long, value_enum, value_name = "FRAMEWORK")]
    pub framework: Option<Framework>,
    /// Fix what the catalog can fix, reversibly: show every plan with its exact API calls, ask
    /// once, journal, then report the account as it is afterwards (live accounts only).
    #[arg(long)]
    pub fix: bool,
    /// With --fix: apply without asking (needed when there is no terminal).
    #[arg(long, requires = "fix")]
    pub yes: bool,
    /// With --fix: also make this rule's irreversible fixes (deleting keys and console
    /// passwords); repeatable.
    #[arg(long, value_name = "RULE", requires = "fix")]
    pub fix_irreversible: Vec<String>,
    /// With --fix: deactivate access keys unused for this many days (default: the posture
    /// config's unused_days, 45).
    #[arg(long, value_name = "DAYS", requires = "fix")]
    pub unused_days: Option<i64>,
    /// With --fix: delete a key (--fix-irreversible) once guardpost deactivated it this many
    /// days ago and it stayed unused.
    #[arg(long, value_name = "DAYS", default_value_t = 30, requires = "fix")]
    pub delete_after_days: i64,
    /// With --fix: a TOML file of `user = "owner"` lines; users without an owner tag get one.
    #[arg(long, value_name = "FILE", requires = "fix")]
    pub owners: Option<PathBuf>,
    /// With --fix: set up AWS Config where no recorder exists, delivering to this S3 bucket.
    #[arg(long, value_name = "BUCKET", requires = "fix")]
    pub config_bucket: Option<String>,
}

impl Default for CheckArgs {
    fn default() -> Self {
        CheckArgs {
            format: Format::Table,
            output: None,
            fail_on: FailOn::Low,
            profile_rules: None,
            rules: Vec::new(),
            all_findings: false,
            require_complete: false,
            services: Vec::new(),
            framework: None,
            fix: false,
            yes: false,
            fix_irreversible: Vec::new(),
            unused_days: None,
            delete_after_days: 30,
            owners: None,
            config_bucket: None,
        }
    }
}

pub use crate::config::CheckConfig;

/// What a sandbox account must hold: no IAM user (or root) with an access key, no console
/// user without MFA, no home-made `*:*` policy, and an external-access analyzer, Security Hub
/// and GuardDuty in every region.
pub const SANDBOX_RULES: &[&str] = &[
    rules::USER_ACCESS_KEY,
    rules::ROOT_ACCESS_KEY,
    rules::CONSOLE_NO_MFA,
    rules::ADMIN_POLICY,
    rules::AA_MISSING,
    rules::SH_DISABLED,
    rules::GD_DISABLED,
];

/// Profile names `--profile-rules` and `[check] profile` accept.
pub const PROFILES: &[&str] = &["default", "sandbox"];

/// Why a check could not run (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("unknown rule {id:?}; valid rule ids: {}", valid.join(", "))]
    UnknownRule {
        id: String,
        valid: Vec<&'static str>,
    },
    #[error("unknown rule profile {name:?}; valid profiles: {}", PROFILES.join(", "))]
    UnknownProfile { name: String },
    #[error("cannot write the report to {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the report to stdout")]
    Stdout(#[source] std::io::Error),
    #[error(transparent)]
    UnknownService(#[from] crate::sources::plan::UnknownService),
}

/// The checked rule set and the name it is reported under.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub profile: String,
    /// Catalog order.
    pub rules: Vec<&'static RuleInfo>,
}

/// Resolves `--rule` / `--profile-rules` / `[check] profile` to rules, narrowed to
/// `--services`. `--rule` wins over a profile; the profile comes from the command line, else
/// the config, else `default`.
pub fn select(args: &CheckArgs, cfg: &CheckConfig) -> Result<Selection, CheckError> {
    let mut sel = select_rules(args, cfg)?;
    if let Some(services) = services(args)? {
        sel.rules.retain(|r| services.contains(&r.source()));
    }
    Ok(sel)
}

/// `--services`, resolved (`None`: every service).
fn services(args: &CheckArgs) -> Result<Option<Vec<&'static str>>, CheckError> {
    if args.services.is_empty() {
        return Ok(None);
    }
    Ok(Some(LoadPlan::parse_services(&args.services)?))
}

/// What a live check reads: the sources of the selected rules (the finding sources' state
/// only, never their findings), plus with `--all-findings` every finding source `--services`
/// allows, findings and all.
pub fn load_plan(args: &CheckArgs, cfg: &CheckConfig) -> Result<LoadPlan, CheckError> {
    let sel = select(args, cfg)?;
    let allowed = services(args)?;
    let mut sources: Vec<&'static str> = Vec::new();
    for source in crate::sources::plan::SERVICES {
        let by_rule = sel.rules.iter().any(|r| r.reads().contains(source));
        let by_findings = args.all_findings
            && *source != "iam"
            && allowed.as_ref().is_none_or(|a| a.contains(source));
        if by_rule || by_findings {
            sources.push(source);
        }
    }
    Ok(LoadPlan {
        sources,
        findings: args.all_findings,
        state_only: Vec::new(),
    })
}

fn select_rules(args: &CheckArgs, cfg: &CheckConfig) -> Result<Selection, CheckError> {
    let profile = args
        .profile_rules
        .clone()
        .or_else(|| cfg.profile.clone())
        .unwrap_or_else(|| "default".into());
    let wanted: Vec<&str> = match profile.as_str() {
        "default" => rules()
            .iter()
            .map(|r| r.id)
            .filter(|id| posture::is_default(id))
            .collect(),
        "sandbox" => SANDBOX_RULES.to_vec(),
        _ => return Err(CheckError::UnknownProfile { name: profile }),
    };
    if !args.rules.is_empty() {
        for id in &args.rules {
            if rules::rule(id).is_none() {
                return Err(CheckError::UnknownRule {
                    id: id.clone(),
                    valid: rules().iter().map(|r| r.id).collect(),
                });
            }
        }
        let ids: Vec<&str> = args.rules.iter().map(String::as_str).collect();
        return Ok(Selection {
            profile: "custom".into(),
            rules: rules().iter().filter(|r| ids.contains(&r.id)).collect(),
        });
    }
    Ok(Selection {
        profile,
        rules: rules().iter().filter(|r| wanted.contains(&r.id)).collect(),
    })
}

/// Posture findings of the selected rules, evaluated from the dataset's inventory and service
/// state as of its capture time (so opt-in rules the dataset was not built with are included).
pub fn posture_findings(data: &Dataset, sel: &Selection, cfg: &PostureConfig) -> Vec<Finding> {
    let ids: Vec<&str> = sel.rules.iter().map(|r| r.id).collect();
    posture::evaluate_graph(
        &PostureInput {
            account: &data.account.id,
            regions: &data.regions,
            iam: data.iam.as_ref(),
            ec2: &data.ec2,
            trails: &data.trails,
            recorders: &data.config_recorders,
            monitoring: &data.monitoring,
            s3: data.s3.as_ref(),
            contacts: data.contacts.as_ref(),
            services: &data.services,
            now: data.captured_at,
            config: cfg,
            org: data.org.as_ref(),
        },
        &ids,
        Some(&data.escalation),
    )
    .into_iter()
    .filter(|f| ids.contains(&f.kind.as_str()))
    .collect()
}

/// Things the reader must know that are not findings.
fn warnings(data: &Dataset, sel: &Selection) -> Vec<String> {
    let mut out: Vec<String> = data
        .problems
        .iter()
        // Problem text comes from AWS or a snapshot file: one plain line, no control characters.
        .map(|p| match &p.region {
            Some(r) => format!("{} in {r} could not be read: {}", p.source, p.message),
            None => format!("{} could not be read: {}", p.source, p.message),
        })
        .map(|w| crate::model::coverage::plain(&w))
        .collect();
    // A region with no state for a checked service is unknown, not disabled (no finding):
    // say so, so a CI job does not pass on missing data without anyone noticing.
    for rule in &sel.rules {
        if rule.id.starts_with("service.")
            && let Some(why) = data.unknown_reason(rule)
        {
            out.push(format!("{why} (not checked by {})", rule.id));
        }
    }
    if data.iam.is_none() && sel.rules.iter().any(|r| r.id.starts_with("iam.")) {
        out.push("no IAM inventory in the data: IAM rules were not checked".into());
    }
    out
}

/// Checked rules without a finding whose data was not read: their result is unknown, not a
/// pass. Service rules need every region's service state; IAM rules a complete IAM read.
fn unknown_rules(
    data: &Dataset,
    sel: &Selection,
    findings: &[Finding],
) -> Vec<(&'static str, String)> {
    sel.rules
        .iter()
        .filter(|rule| !findings.iter().any(|f| f.kind == rule.id))
        .filter_map(|rule| data.unknown_reason(rule).map(|why| (rule.id, why)))
        .collect()
}

/// The dataset a check reads. Without `--all-findings` the report holds only the posture
/// findings `build_report` evaluates for the selected rules, so the dataset does not evaluate
/// every rule as well (that doubled a large check's findings in memory); with it, the dataset's
/// posture findings absorb their Security Hub copies, which must not be reported twice.
pub fn dataset(
    snap: crate::snapshot::Snapshot,
    origin: crate::dataset::Origin,
    args: &CheckArgs,
    cfg: &PostureConfig,
) -> Dataset {
    if args.all_findings {
        Dataset::from_snapshot(snap, origin, cfg)
    } else {
        Dataset::without_posture_findings(snap, origin, cfg)
    }
}

/// Builds the report: the selected posture rules' findings and, with `--all-findings`, every
/// open finding of the other sources (Security Hub control findings that passed are left out).
/// With `--framework` the rules and findings outside that framework are only counted.
pub fn build_report(
    data: &Dataset,
    args: &CheckArgs,
    sel: &Selection,
    posture_cfg: &PostureConfig,
) -> Report {
    let posture = posture_findings(data, sel, posture_cfg);
    let mut findings: Vec<ReportFinding> =
        posture.iter().map(ReportFinding::from_finding).collect();
    if args.all_findings {
        // `--services` was checked by `select`.
        let allowed = services(args).ok().flatten();
        findings.extend(
            data.findings
                .iter()
                .filter(|f| f.source != Source::Posture)
                .filter(|f| {
                    allowed
                        .as_ref()
                        .is_none_or(|a| a.contains(&crate::model::coverage::source_key(f.source)))
                })
                .filter(|f| f.workflow.is_open())
                .filter(|f| f.compliance != Some(ComplianceStatus::Passed))
                .map(ReportFinding::from_finding),
        );
    }
    let mut scope = None;
    let checked = match args.framework {
        None => sel.clone(),
        Some(fw) => {
            let (inside, outside): (Vec<&'static RuleInfo>, Vec<&'static RuleInfo>) =
                sel.rules.iter().partition(|r| r.in_framework(fw.id()));
            let before = findings.len();
            findings.retain(|f| fw.covers(&f.controls));
            scope = Some(report::framework::Scope {
                framework: fw,
                rules_outside: outside.iter().map(|r| r.id).collect(),
                findings_outside: before - findings.len(),
            });
            Selection {
                profile: sel.profile.clone(),
                rules: inside,
            }
        }
    };
    let unknown_rules = unknown_rules(data, &checked, &posture);
    let mut report = Report {
        account: data.account.id.clone(),
        account_alias: data.account.alias.clone(),
        regions: data.regions.clone(),
        origin: data.origin.label(),
        generated_at: data.captured_at,
        profile: checked.profile.clone(),
        rules: checked.rules.clone(),
        findings,
        fail_on: args.fail_on,
        warnings: warnings(data, &checked),
        coverage: data.coverage.clone(),
        unknown_rules,
        framework: scope,
    };
    report.sort();
    report
}

/// Whether the check passed; main.rs maps this to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the threshold: exit 0.
    Pass,
    /// At least one finding at or above the threshold: exit 1.
    Fail,
    /// `--require-complete` and some source was not read completely: exit 2 (the report is
    /// written all the same).
    Incomplete,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
            Outcome::Incomplete => 2,
        }
    }
}

/// Runs the check over `data` and writes the report to `--output` or `stdout`.
/// Warnings also go to `stderr` so they show in a CI log whatever the format.
pub fn run(
    data: &Dataset,
    args: &CheckArgs,
    cfg: &Config,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<Outcome, CheckError> {
    let sel = select(args, &cfg.check)?;
    let report = build_report(data, args, &sel, &cfg.posture);
    for w in &report.warnings {
        let _ = writeln!(stderr, "guardpost: warning: {}", crate::sanitize::line(w));
    }
    match &args.output {
        Some(path) => {
            crate::storage::write_private_with(path, |w| report::write(&report, args.format, w))
                .map_err(|source| CheckError::Write {
                    path: path.to_path_buf(),
                    source,
                })?;
            writeln!(
                stdout,
                "{} (report written to {})",
                report::table::summary_line(&report),
                path.display()
            )
            .map_err(CheckError::Stdout)?;
        }
        None => report::write(&report, args.format, stdout).map_err(CheckError::Stdout)?,
    }
    stdout.flush().map_err(CheckError::Stdout)?;
    if args.require_complete && !report.complete() {
        let _ = writeln!(
            stderr,
            "guardpost: coverage is incomplete (--require-complete): {}",
            report
                .coverage
                .summary_line()
                .unwrap_or_else(|| "some source was not read".into())
        );
        return Ok(Outcome::Incomplete);
    }
    Ok(if report.failed() {
        Outcome::Fail
    } else {
        Outcome::Pass
    })
}
