//! Reading every account of an AWS Organization (`--org`): the organization from the
//! management or delegated-administrator account, then each member through its role, a
//! bounded number at once, each account's result handed over as soon as it is in.
use crate::check::{self, CheckArgs, Outcome};
use crate::config::Config;
use crate::dataset::Origin;
use crate::model::org::OrgAccount;
use crate::report::org::{AccountCheck, AccountState, OrgReport};
use crate::snapshot::Snapshot;
use crate::sources::org::OrgRead;
use crate::sources::{AwsContext, LoadPlan};
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

/// `--org` and its options (global: the console and `check` both take them).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OrgArgs {
    /// Every account of the AWS Organization, read from this management or
    /// delegated-administrator account (else the config's `[org] accounts`), each through
    /// --org-role (docs/organizations.md).
    #[arg(long, global = true)]
    pub org: bool,
    /// With --org: the role assumed in each member account (default: config `[org] role`,
    /// else OrganizationAccountAccessRole).
    #[arg(long, value_name = "NAME", global = true)]
    pub org_role: Option<String>,
    /// With --org: only this account (id or name; repeatable).
    #[arg(long = "account", value_name = "ID|NAME", global = true)]
    pub accounts: Vec<String>,
    /// With --org: accounts read at once (default: config `[org] concurrency`, else 8).
    #[arg(long, value_name = "N", global = true, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub org_concurrency: Option<u16>,
    /// With `check --org`: keep every account's data in FILE (an organization snapshot); a
    /// re-run reads only the accounts that failed, are not in it, or were read more than
    /// `[org] max_age_minutes` ago, and takes the rest from it.
    #[arg(long, value_name = "FILE", global = true)]
    pub resume: Option<std::path::PathBuf>,
}

impl OrgArgs {
    /// The options with the config's defaults; `None` without `--org`. Options of `--org`
    /// given without it are an error, not silently ignored.
    pub fn spec(&self, cfg: &Config) -> anyhow::Result<Option<OrgSpec>> {
        if !self.org {
            if self.org_role.is_some()
                || !self.accounts.is_empty()
                || self.org_concurrency.is_some()
                || self.resume.is_some()
            {
                anyhow::bail!("--org-role, --account, --org-concurrency and --resume need --org");
            }
            return Ok(None);
        }
        Ok(Some(OrgSpec {
            role: self
                .org_role
                .clone()
                .unwrap_or_else(|| cfg.org.role.clone()),
            concurrency: self
                .org_concurrency
                .map_or(cfg.org.concurrency, usize::from)
                .max(1),
            only: self.accounts.clone(),
            resume: self.resume.clone(),
            max_age_minutes: cfg.org.max_age_minutes,
        }))
    }
}

/// Which organization and how to reach its accounts.
#[derive(Debug, Clone)]
pub struct OrgSpec {
    pub role: String,
    pub concurrency: usize,
    /// Only these accounts (ids or names); empty: all.
    pub only: Vec<String>,
    /// `--resume FILE`: what earlier runs read, and where this one keeps what it reads.
    pub resume: Option<std::path::PathBuf>,
    /// Accounts read longer ago than this are read again on `--resume`.
    pub max_age_minutes: i64,
}

/// Reads the organization from `base`'s account, else takes the config's account list.
/// Returns the read and where the accounts came from; `Err` when there is neither.
pub async fn organization(
    base: &AwsContext,
    fallback: &[String],
) -> anyhow::Result<(OrgRead, &'static str, Option<String>)> {
    match Box::pin(crate::sources::org::read(&base.iam_config())).await {
        Ok(r) => Ok((r, "organizations", None)),
        Err(e) if !fallback.is_empty() => Ok((
            crate::sources::org::from_list(fallback),
            "config",
            Some(format!(
                "the organization could not be listed ({e}); reading the config's [org] accounts instead"
            )),
        )),
        Err(e) => Err(anyhow::anyhow!(
            "cannot list the organization's accounts: {e}. Run from the management or a delegated-administrator account, or list the accounts in the config file's [org] accounts"
        )),
    }
}

/// The accounts `only` names (ids or names), in the organization's order; an unknown name is
/// an error, not an empty run.
pub fn pick(read: &OrgRead, only: &[String]) -> anyhow::Result<Vec<OrgAccount>> {
    let all = read
        .org
        .as_ref()
        .map(|o| o.accounts.clone())
        .unwrap_or_default();
    if only.is_empty() {
        return Ok(all);
    }
    for want in only {
        if !all.iter().any(|a| &a.id == want || &a.name == want) {
            anyhow::bail!(
                "--account {want:?} is not an account of the organization ({} accounts)",
                all.len()
            );
        }
    }
    Ok(all
        .into_iter()
        .filter(|a| only.iter().any(|w| *w == a.id || *w == a.name))
        .collect())
}

/// Reads each account (the base account itself with its own credentials, the others through
/// `spec.role`), at most `spec.concurrency` at once, and calls `each` as every one finishes.
/// A suspended account or a role that cannot be assumed is an `Err` with the reason.
pub async fn read_accounts(
    base: &AwsContext,
    read: &OrgRead,
    accounts: Vec<OrgAccount>,
    spec: &OrgSpec,
    plan: &LoadPlan,
    agg: Option<Arc<Aggregated>>,
    mut each: impl FnMut(OrgAccount, Result<(Snapshot, AwsContext), String>, f64),
) {
    // Sources an administrator answered for: each account reads only their state.
    let mut plan = plan.clone();
    if let Some(a) = &agg {
        plan.state_only = a.sources();
    }
    let plan = &plan;
    let gate = Arc::new(tokio::sync::Semaphore::new(spec.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for account in accounts {
        let membership = read.membership(&account);
        let (base, plan, role, gate, agg) = (
            base.clone(),
            plan.clone(),
            spec.role.clone(),
            gate.clone(),
            agg.clone(),
        );
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let started = Instant::now();
            let result = async {
                if account.status != "ACTIVE" && !account.status.is_empty() {
                    return Err(format!("the account is {}: not read", account.status));
                }
                let ctx = if account.id == base.account_id {
                    base
                } else {
                    Box::pin(base.assume_into(&account.id, &role))
                        .await
                        .map_err(|e| format!("cannot assume role {role}: {e}"))?
                };
                let mut snap = Box::pin(crate::sources::load_with(&ctx, &plan, None)).await;
                if crate::sources::credentials_expired(&snap) {
                    return Err("the credentials expired while the account was read".into());
                }
                snap.org = Some(membership);
                if let Some(a) = &agg {
                    a.apply(&mut snap);
                }
                Ok((snap, ctx))
            }
            .await;
            (account, result, started.elapsed().as_secs_f64())
        });
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((account, result, secs)) => each(account, result, secs),
            Err(e) => tracing::error!(error = %e, "an account reader task failed"),
        }
    }
}

/// `guardpost check [--org]` once the data source is known: one account's report, or with
/// `--org` every account's (live only).
pub fn run_check(
    rt: &tokio::runtime::Runtime,
    spec: &crate::runtime::load::LoadSpec,
    plan: &LoadPlan,
    args: &CheckArgs,
    org: &OrgArgs,
    cfg: &Config,
) -> anyhow::Result<Outcome> {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    if let crate::runtime::load::LoadSpec::OrgFile(path) = spec {
        return check_file(path, args, cfg, &mut out, &mut err);
    }
    if let Some(org) = org.spec(cfg)? {
        let crate::runtime::load::LoadSpec::Live(base) = spec else {
            anyhow::bail!(
                "--org reads a live organization: it cannot be combined with --demo or --snapshot"
            );
        };
        return check(rt, base, plan, args, &org, cfg, &mut out, &mut err);
    }
    let data = check::dataset(spec.read(rt, plan)?, spec.origin(), args, &cfg.posture);
    Ok(check::run(&data, args, cfg, &mut out, &mut err)?)
}

/// `guardpost check --org`: every account's posture, reported together; exit 1 when any
/// account fails `--fail-on`, else 2 when an account could not be read (unknown is not a
/// pass) or, with `--require-complete`, one was read incompletely.
#[allow(clippy::too_many_arguments)]
pub fn check(
    rt: &tokio::runtime::Runtime,
    base: &AwsContext,
    plan: &LoadPlan,
    args: &CheckArgs,
    spec: &OrgSpec,
    cfg: &Config,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let sel = org_selection(args, cfg)?;
    let (read, from, note) = rt.block_on(organization(base, &cfg.org.accounts))?;
    if let Some(n) = &note {
        let _ = writeln!(stderr, "guardpost: warning: {}", crate::sanitize::line(n));
    }
    let accounts = pick(&read, &spec.only)?;
    // --resume: accounts read recently enough come from the file, the rest are read.
    let mut kept: std::collections::HashMap<String, Snapshot> = Default::default();
    if let Some(path) = spec.resume.as_deref().filter(|p| p.exists()) {
        let prev = crate::snapshot::OrgSnapshot::load(path)?;
        let now = chrono::Utc::now();
        for a in prev.accounts {
            if let Some(s) = a.snapshot
                && (now - s.captured_at).num_minutes() < spec.max_age_minutes
                && accounts.iter().any(|x| x.id == a.account.id)
            {
                kept.insert(a.account.id, s);
            }
        }
        let _ = writeln!(
            stderr,
            "guardpost: {} accounts from {} (read less than {} min ago); the others are read",
            kept.len(),
            path.display(),
            spec.max_age_minutes
        );
    }
    let (reused, accounts): (Vec<OrgAccount>, Vec<OrgAccount>) =
        accounts.into_iter().partition(|a| kept.contains_key(&a.id));
    let _ = writeln!(
        stderr,
        "guardpost: reading {} accounts through role {} ({} at once)",
        accounts.len(),
        crate::sanitize::line(&spec.role),
        spec.concurrency
    );
    let scps = |a: &OrgAccount| -> String {
        let org = read.org.as_ref();
        if org.and_then(|o| o.management_account.as_deref()) == Some(a.id.as_str()) {
            return "do not apply (management account)".into();
        }
        match (org.is_some_and(|o| o.scp_enabled), &read.scp_error) {
            (_, Some(e)) => format!("unknown: {e}"),
            (true, None) => "read".into(),
            (false, None) if from == "config" => "not read (accounts from the config)".into(),
            (false, None) => "not enabled".into(),
        }
    };
    let (agg, line) = rt.block_on(aggregate_or_say(base, spec, plan));
    if let Some(line) = line {
        let _ = writeln!(stderr, "guardpost: {}", crate::sanitize::line(&line));
    }
    let total = accounts.len() + reused.len();
    let meta = OrgMeta {
        organization_id: read.org.as_ref().and_then(|o| o.id.clone()),
        management_account: read.org.as_ref().and_then(|o| o.management_account.clone()),
        names: read
            .org
            .as_ref()
            .map(|o| {
                o.accounts
                    .iter()
                    .map(|a| (a.id.clone(), a.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        accounts_from: from,
    };
    let mut saved: Vec<crate::snapshot::OrgSnapshotAccount> = Vec::new();
    let outcome = report_accounts(
        args,
        cfg,
        &sel,
        &meta,
        total,
        &scps,
        |each| {
            let keep = spec.resume.is_some();
            for account in reused {
                if let Some(s) = kept.remove(&account.id) {
                    saved.push(saved_account(&account, Ok(&s)));
                    each(account, Ok(s), 0.0);
                }
            }
            rt.block_on(read_accounts(
                base,
                &read,
                accounts,
                spec,
                plan,
                agg,
                |account, result, secs| {
                    let result = result.map(|(snap, _)| snap);
                    if keep {
                        saved.push(saved_account(&account, result.as_ref()));
                    }
                    each(account, result, secs)
                },
            ))
        },
        stdout,
        stderr,
    )?;
    if let Some(path) = &spec.resume {
        saved.sort_by(|a, b| a.account.id.cmp(&b.account.id));
        let snap = crate::snapshot::OrgSnapshot {
            format: crate::snapshot::ORG_FORMAT.into(),
            version: crate::snapshot::ORG_VERSION,
            captured_at: chrono::Utc::now(),
            organization: meta.organization_id.clone(),
            management_account: meta.management_account.clone(),
            accounts_from: from.into(),
            accounts: saved,
        };
        write_org_snapshot(path, &snap)?;
    }
    Ok(outcome)
}

/// One account as `--resume` and `snapshot save --org` keep it.
fn saved_account(
    account: &OrgAccount,
    result: Result<&Snapshot, &String>,
) -> crate::snapshot::OrgSnapshotAccount {
    crate::snapshot::OrgSnapshotAccount {
        account: account.clone(),
        snapshot: result.ok().cloned(),
        unknown: result.err().map(|e| e.to_string()),
    }
}

/// Writes an organization snapshot, private to the user.
fn write_org_snapshot(
    path: &std::path::Path,
    snap: &crate::snapshot::OrgSnapshot,
) -> anyhow::Result<()> {
    crate::storage::write_private_with(path, |w| {
        serde_json::to_writer_pretty(&mut *w, snap)?;
        w.write_all(b"\n")
    })
    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// What the organization report says about where its accounts came from.
pub struct OrgMeta {
    pub organization_id: Option<String>,
    pub management_account: Option<String>,
    /// Account id -> name, for naming both ends of a cross-account reach.
    pub names: Vec<(String, String)>,
    pub accounts_from: &'static str,
}

/// One callback per account (its snapshot, or why it was not read, and the seconds it took).
pub type Each<'a> = dyn FnMut(OrgAccount, Result<Snapshot, String>, f64) + 'a;

/// The check of every account `feed` hands over (a live read, or an organization snapshot
/// file): each reduced to its report as it arrives, the cross-account analysis once all are
/// in, the organization report written; the outcome as `check --org` exits with it.
#[allow(clippy::too_many_arguments)]
pub fn report_accounts(
    args: &CheckArgs,
    cfg: &Config,
    sel: &check::Selection,
    meta: &OrgMeta,
    total: usize,
    scps: &dyn Fn(&OrgAccount) -> String,
    feed: impl FnOnce(&mut Each<'_>),
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let mut checks: Vec<AccountCheck> = Vec::new();
    // Kept per account for the cross-account analysis once every account is in.
    let cross = sel
        .rules
        .iter()
        .any(|r| r.id == crate::posture::rules::CROSS_ACCOUNT_ADMIN);
    let mut reach: Vec<crate::posture::cross_account::AccountReach> = Vec::new();
    feed(&mut |account, result, secs| {
        // Each account's data is reduced to its report at once: only reports are kept.
        let state = match result {
            Ok(snap) => {
                let data = check::dataset(snap, Origin::Live, args, &cfg.posture);
                if cross {
                    reach.push(data.reach());
                }
                AccountState::Read(Box::new(check::build_report(
                    &data,
                    args,
                    sel,
                    &cfg.posture,
                )))
            }
            Err(why) => AccountState::Unknown(why),
        };
        let verdict = match &state {
            AccountState::Read(r) => crate::report::table::summary_line(r),
            AccountState::Unknown(why) => format!("UNKNOWN: {why}"),
        };
        let _ = writeln!(
            stderr,
            "guardpost: [{}/{total}] {} {}",
            checks.len() + 1,
            crate::sanitize::line(&account.id),
            crate::sanitize::line(&verdict)
        );
        checks.push(AccountCheck {
            scps: scps(&account),
            account,
            state,
            seconds: secs,
        });
    });
    checks.sort_by(|a, b| a.account.id.cmp(&b.account.id));
    if cross {
        let name_of = |id: &str| match meta.names.iter().find(|(a, _)| a == id) {
            Some((_, n)) if !n.is_empty() => format!("{n} ({id})"),
            _ => id.to_string(),
        };
        let refs: Vec<&crate::posture::cross_account::AccountReach> = reach.iter().collect();
        for f in crate::posture::cross_account::findings(&refs, &name_of, chrono::Utc::now()) {
            if let Some(AccountState::Read(r)) = checks
                .iter_mut()
                .find(|c| c.account.id == f.account)
                .map(|c| &mut c.state)
            {
                r.findings
                    .push(crate::report::ReportFinding::from_finding(&f));
                r.sort();
            }
        }
    }
    let report = OrgReport {
        organization_id: meta.organization_id.clone(),
        management_account: meta.management_account.clone(),
        accounts_from: meta.accounts_from,
        accounts: checks,
        fail_on: args.fail_on,
        generated_at: chrono::Utc::now(),
    };
    for (a, why) in report.unknown() {
        let _ = writeln!(
            stderr,
            "guardpost: warning: account {} could not be read: {}",
            crate::sanitize::line(&a.id),
            crate::sanitize::line(why)
        );
    }
    match &args.output {
        Some(path) => {
            crate::storage::write_private_with(path, |w| {
                crate::report::org::write(&report, args.format, w)
            })
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            writeln!(
                stdout,
                "{} (report written to {})",
                report.summary_line(),
                path.display()
            )?;
        }
        None => crate::report::org::write(&report, args.format, stdout)?,
    }
    stdout.flush()?;
    Ok(if report.failed() {
        Outcome::Fail
    } else if report.unknown().next().is_some() || (args.require_complete && !report.complete()) {
        Outcome::Incomplete
    } else {
        Outcome::Pass
    })
}

/// `--org` in the console: how to reach the accounts, and the context of each account read
/// (actions in an account run through it).
#[derive(Clone)]
pub struct OrgTui {
    pub spec: OrgSpec,
    /// The config's `[org] accounts`, when Organizations cannot be listed.
    pub fallback: Vec<String>,
    /// `r` re-reads accounts that failed or were read longer ago than this.
    pub max_age_minutes: i64,
    /// Read-only for an account (flag, profile, `[accounts."ID"]`).
    read_only: ReadOnlyFor,
    contexts: Arc<std::sync::Mutex<std::collections::HashMap<String, AwsContext>>>,
    read: Arc<std::sync::Mutex<Option<OrgRead>>>,
}

/// Whether guardpost may change an account, and why (the config's rules for that account).
pub type ReadOnlyFor = Arc<dyn Fn(&str) -> crate::config::ReadOnly + Send + Sync>;

impl OrgTui {
    pub fn new(spec: OrgSpec, cfg: &Config, read_only: ReadOnlyFor) -> OrgTui {
        OrgTui {
            spec,
            fallback: cfg.org.accounts.clone(),
            max_age_minutes: cfg.org.max_age_minutes,
            read_only,
            contexts: Default::default(),
            read: Default::default(),
        }
    }

    pub fn context(&self, account: &str) -> Option<AwsContext> {
        self.contexts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account)
            .cloned()
    }

    pub fn read_only(&self, account: &str) -> crate::config::ReadOnly {
        (self.read_only)(account)
    }

    /// The accounts `r` re-reads: those that could not be read, and those read longer ago
    /// than `max_age_minutes`.
    pub fn stale(&self, state: &crate::app::State) -> Vec<String> {
        use crate::app::org::AccountLoad;
        let now = chrono::Utc::now();
        state
            .org
            .iter()
            .flat_map(|o| o.rows.iter())
            .filter(|r| match &r.load {
                AccountLoad::Unknown { .. } => true,
                AccountLoad::Read { at, .. } => (now - *at).num_minutes() >= self.max_age_minutes,
                AccountLoad::Waiting => false,
            })
            .map(|r| r.account.id.clone())
            .collect()
    }

    /// Lists the organization (first load) or takes the one listed before, then reads the
    /// accounts (`only`: these ids), each result an `Event::AccountRead` as it arrives.
    pub fn spawn_load(
        &self,
        tx: tokio::sync::mpsc::UnboundedSender<crate::app::Event>,
        base: AwsContext,
        only: Option<Vec<String>>,
        posture: crate::posture::PostureConfig,
    ) {
        let this = self.clone();
        tokio::spawn(async move { Box::pin(this.load(tx, base, only, posture)).await });
    }

    async fn load(
        self,
        tx: tokio::sync::mpsc::UnboundedSender<crate::app::Event>,
        base: AwsContext,
        only: Option<Vec<String>>,
        posture: crate::posture::PostureConfig,
    ) {
        use crate::app::Event;
        let known = self.read.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let read = match known {
            Some(r) => r,
            None => {
                let _ = tx.send(Event::Loading("listing the organization's accounts".into()));
                let listed = Box::pin(organization(&base, &self.fallback))
                    .await
                    .and_then(|(read, _, note)| Ok((pick(&read, &self.spec.only)?, read, note)));
                match listed {
                    Ok((accounts, read, note)) => {
                        let _ = tx.send(Event::OrgListed {
                            organization: read.org.as_ref().and_then(|o| o.id.clone()),
                            accounts,
                            note,
                        });
                        *self.read.lock().unwrap_or_else(|e| e.into_inner()) = Some(read.clone());
                        read
                    }
                    Err(e) => {
                        let _ = tx.send(Event::LoadFailed(format!("{e:#}")));
                        return;
                    }
                }
            }
        };
        let Ok(mut accounts) = pick(&read, &self.spec.only) else {
            return;
        };
        if let Some(ids) = &only {
            accounts.retain(|a| ids.contains(&a.id));
        }
        let plan = LoadPlan::everything();
        // Findings from the delegated administrators when there are; otherwise per account.
        let (agg, line) = Box::pin(aggregate_or_say(&base, &self.spec, &plan)).await;
        if let Some(text) = line {
            let error = text.starts_with("warning");
            let _ = tx.send(Event::Notice { error, text });
        }
        let contexts = self.contexts.clone();
        Box::pin(read_accounts(
            &base,
            &read,
            accounts,
            &self.spec,
            &plan,
            agg,
            |account, result, _| {
                let (tx, posture, contexts) = (tx.clone(), posture.clone(), contexts.clone());
                // Normalizing is CPU work: off the async threads.
                tokio::task::spawn_blocking(move || {
                    let result = result.map(|(snap, ctx)| {
                        contexts
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(account.id.clone(), ctx);
                        Box::new(crate::dataset::Dataset::from_snapshot(
                            snap,
                            Origin::Live,
                            &posture,
                        ))
                    });
                    let _ = tx.send(Event::AccountRead {
                        id: account.id,
                        result,
                        at: chrono::Utc::now(),
                    });
                });
            },
        ))
        .await;
    }
}

/// The console's `--org` setup: `None` without `--org`. `read_only_flag` and `profile` are
/// the command line's; the config decides read-only per account as it does for one account.
pub fn tui(
    args: &OrgArgs,
    cfg: &Config,
    read_only_flag: bool,
    profile: Option<&str>,
) -> anyhow::Result<Option<OrgTui>> {
    let Some(spec) = args.spec(cfg)? else {
        return Ok(None);
    };
    let (cfg2, profile) = (cfg.clone(), crate::config::current_profile(profile));
    let read_only: ReadOnlyFor = Arc::new(move |account: &str| {
        cfg2.read_only(
            read_only_flag,
            crate::config::Target::Live {
                profile: &profile,
                account: Some(account),
            },
        )
    });
    Ok(Some(OrgTui::new(spec, cfg, read_only)))
}

/// One account's share of the administrators' findings.
#[derive(Debug, Default)]
struct Shares {
    securityhub: Vec<crate::snapshot::SecurityHubRegion>,
    guardduty: Vec<crate::snapshot::GuardDutyRegion>,
    access_analyzer: Vec<crate::snapshot::AccessAnalyzerRegion>,
}

/// Findings of every account, read once from each finding service's delegated administrator
/// (AWS's own aggregation: Security Hub's GetFindings, GuardDuty's ListFindings and an
/// organization analyzer answer for the members) and split by the account each belongs to.
#[derive(Debug, Default)]
pub struct Aggregated {
    /// (source, administrator account).
    pub admins: Vec<(&'static str, String)>,
    shares: std::collections::HashMap<String, Shares>,
    /// The administrators' coverage of their sources, per region.
    coverage: Vec<crate::model::SourceCoverage>,
}

impl Aggregated {
    /// The sources whose findings come from an administrator: members read only their state.
    pub fn sources(&self) -> Vec<&'static str> {
        self.admins.iter().map(|(s, _)| *s).collect()
    }

    /// `Security Hub from 444455556666, GuardDuty from ...`.
    pub fn describe(&self) -> String {
        self.admins
            .iter()
            .map(|(s, a)| format!("{} from {a}", crate::model::coverage::source_label(s)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Puts the account's findings into its snapshot (read with those sources state-only) and
    /// their coverage: the administrator's read of that region, unless the service is off in
    /// the account.
    pub fn apply(&self, snap: &mut Snapshot) {
        let share = self.shares.get(&snap.account.id);
        if let Some(s) = share {
            snap.securityhub = s.securityhub.clone();
            snap.guardduty = s.guardduty.clone();
            snap.access_analyzer = s.access_analyzer.clone();
        }
        let count = |source: &str, region: &str| -> usize {
            share.map_or(0, |s| match source {
                crate::sources::securityhub::SOURCE => s
                    .securityhub
                    .iter()
                    .filter(|b| b.region == region)
                    .map(|b| b.findings.len())
                    .sum(),
                crate::sources::guardduty::SOURCE => s
                    .guardduty
                    .iter()
                    .filter(|b| b.region == region)
                    .map(|b| b.findings.len())
                    .sum(),
                _ => s
                    .access_analyzer
                    .iter()
                    .filter(|b| b.region == region)
                    .map(|b| b.findings.len())
                    .sum(),
            })
        };
        let Some(cov) = snap.coverage.as_mut() else {
            return;
        };
        for e in cov.entries.iter_mut() {
            let Some(region) = e.region.clone() else {
                continue;
            };
            if !self.admins.iter().any(|(s, _)| *s == e.source)
                || e.state == crate::model::CoverageState::Off
            {
                continue;
            }
            match self
                .coverage
                .iter()
                .find(|a| a.source == e.source && a.region.as_deref() == Some(region.as_str()))
            {
                Some(a) => {
                    e.state = a.state.clone();
                    e.records = count(&e.source, &region);
                    e.notes.push(format!(
                        "findings read from the delegated administrator ({})",
                        self.admins
                            .iter()
                            .find(|(s, _)| *s == e.source)
                            .map_or("?", |(_, a)| a.as_str())
                    ));
                }
                None => {
                    e.state = crate::model::CoverageState::Failed {
                        reason: "the delegated administrator did not read this region".into(),
                    }
                }
            }
        }
    }

    fn split(&mut self, snap: Snapshot) {
        use std::collections::HashSet;
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut first = |acct: &str, id: &str| seen.insert((acct.to_string(), id.to_string()));
        let text =
            |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        for b in snap.securityhub {
            for f in b.findings {
                let (Some(acct), id) =
                    (text(&f, "AwsAccountId"), text(&f, "Id").unwrap_or_default())
                else {
                    continue;
                };
                // With a finding aggregator, the aggregation region repeats linked regions'.
                if !first(&acct, &id) {
                    continue;
                }
                let region = text(&f, "Region").unwrap_or_else(|| b.region.clone());
                let share = self.shares.entry(acct).or_default();
                match share.securityhub.iter_mut().find(|x| x.region == region) {
                    Some(x) => x.findings.push(f),
                    None => share.securityhub.push(crate::snapshot::SecurityHubRegion {
                        region,
                        findings: vec![f],
                    }),
                }
            }
        }
        for b in snap.guardduty {
            for f in b.findings {
                let (Some(acct), id) = (text(&f, "accountId"), text(&f, "id").unwrap_or_default())
                else {
                    continue;
                };
                if !first(&acct, &id) {
                    continue;
                }
                let region = text(&f, "region").unwrap_or_else(|| b.region.clone());
                let detector = f
                    .pointer("/service/detectorId")
                    .and_then(|x| x.as_str())
                    .map(str::to_string);
                let share = self.shares.entry(acct).or_default();
                match share.guardduty.iter_mut().find(|x| x.region == region) {
                    Some(x) => x.findings.push(f),
                    None => share.guardduty.push(crate::snapshot::GuardDutyRegion {
                        region,
                        detector_id: detector,
                        findings: vec![f],
                    }),
                }
            }
        }
        for b in snap.access_analyzer {
            for f in b.findings {
                let (Some(acct), id) = (
                    text(&f, "resourceOwnerAccount"),
                    text(&f, "id").unwrap_or_default(),
                ) else {
                    continue;
                };
                if !first(&acct, &id) {
                    continue;
                }
                let share = self.shares.entry(acct).or_default();
                match share
                    .access_analyzer
                    .iter_mut()
                    .find(|x| x.region == b.region)
                {
                    Some(x) => x.findings.push(f),
                    None => share
                        .access_analyzer
                        .push(crate::snapshot::AccessAnalyzerRegion {
                            region: b.region.clone(),
                            analyzers: b.analyzers.clone(),
                            findings: vec![f],
                        }),
                }
            }
        }
    }
}

/// [`aggregate`], with the line to tell the user: where the findings come from, or (a
/// `warning: ...`) why each account reads its own.
pub async fn aggregate_or_say(
    base: &AwsContext,
    spec: &OrgSpec,
    plan: &LoadPlan,
) -> (Option<Arc<Aggregated>>, Option<String>) {
    match Box::pin(aggregate(base, spec, plan)).await {
        Ok(Some(a)) => {
            let line = format!(
                "findings from the delegated administrators: {}",
                a.describe()
            );
            (Some(Arc::new(a)), Some(line))
        }
        Ok(None) => (None, None),
        Err(e) => (
            None,
            Some(format!(
                "warning: the finding services' delegated administrators are unknown ({e}): each account's findings are read in that account"
            )),
        ),
    }
}

/// Reads the findings of every account from the finding services' delegated administrators
/// (the base account itself, or through `spec.role`). `Ok(None)`: no service has one, so each
/// account's findings are read in that account. `Err`: who administers them is unknown (the
/// reason: each account's findings are then read in that account too).
pub async fn aggregate(
    base: &AwsContext,
    spec: &OrgSpec,
    plan: &LoadPlan,
) -> Result<Option<Aggregated>, String> {
    if !plan.findings {
        return Ok(None);
    }
    let admins: Vec<(&'static str, String)> =
        Box::pin(crate::sources::org::delegated_admins(&base.iam_config()))
            .await?
            .into_iter()
            .filter(|(s, _)| plan.reads(s))
            .collect();
    if admins.is_empty() {
        return Ok(None);
    }
    let mut out = Aggregated {
        admins: admins.clone(),
        ..Aggregated::default()
    };
    let mut accounts: Vec<&str> = admins.iter().map(|(_, a)| a.as_str()).collect();
    accounts.dedup();
    for account in accounts {
        let sources: Vec<&'static str> = admins
            .iter()
            .filter(|(_, a)| a == account)
            .map(|(s, _)| *s)
            .collect();
        let ctx = if account == base.account_id {
            Ok(base.clone())
        } else {
            Box::pin(base.assume_into(account, &spec.role)).await
        };
        match ctx {
            Ok(ctx) => {
                let plan = LoadPlan {
                    sources: sources.clone(),
                    findings: true,
                    state_only: Vec::new(),
                };
                let mut snap = Box::pin(crate::sources::load_with(&ctx, &plan, None)).await;
                if let Some(c) = snap.coverage.take() {
                    out.coverage.extend(c.entries);
                }
                out.split(snap);
            }
            Err(e) => {
                // Every member's findings of these sources are unknown, with the reason.
                for s in &sources {
                    for r in &base.regions {
                        out.coverage.push(crate::model::SourceCoverage {
                            source: s.to_string(),
                            region: Some(r.clone()),
                            state: crate::model::CoverageState::Failed {
                                reason: format!(
                                    "the delegated administrator {account} could not be read: cannot assume role {}: {e}",
                                    spec.role
                                ),
                            },
                            records: 0,
                            notes: Vec::new(),
                        });
                    }
                }
            }
        }
    }
    Ok(Some(out))
}

/// The selected rules of an organization check: the profile's, plus the organization's own
/// unless `--rule` names the rules.
fn org_selection(args: &CheckArgs, cfg: &Config) -> anyhow::Result<check::Selection> {
    let mut sel = check::select(args, &cfg.check)?;
    if args.rules.is_empty() {
        sel.rules.extend(
            crate::posture::rules::ORG_RULES
                .iter()
                .filter_map(|id| crate::posture::rules::rule(id)),
        );
    }
    Ok(sel)
}

/// `check --snapshot ORG_FILE`: the organization snapshot's accounts, as `check --org` reads
/// them live.
fn check_file(
    path: &std::path::Path,
    args: &CheckArgs,
    cfg: &Config,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let org = crate::snapshot::OrgSnapshot::load(path)?;
    let sel = org_selection(args, cfg)?;
    let meta = OrgMeta {
        organization_id: org.organization.clone(),
        management_account: org.management_account.clone(),
        names: org
            .accounts
            .iter()
            .map(|a| (a.account.id.clone(), a.account.name.clone()))
            .collect(),
        accounts_from: if org.accounts_from == "config" {
            "config"
        } else {
            "organizations"
        },
    };
    let scps = |a: &OrgAccount| -> String {
        if org.management_account.as_deref() == Some(a.id.as_str()) {
            return "do not apply (management account)".into();
        }
        let m = org
            .accounts
            .iter()
            .find(|x| x.account.id == a.id)
            .and_then(|x| x.snapshot.as_ref())
            .and_then(|s| s.org.as_ref());
        match m {
            Some(m) if m.scps.is_some() => "read".into(),
            Some(m) => m
                .scp_error
                .as_ref()
                .map_or_else(|| "not enabled".into(), |e| format!("unknown: {e}")),
            None => "not in the snapshot".into(),
        }
    };
    let total = org.accounts.len();
    let accounts = org.accounts.clone();
    report_accounts(
        args,
        cfg,
        &sel,
        &meta,
        total,
        &scps,
        |each| {
            for a in accounts {
                let account = a.account.clone();
                each(account, a.into_result(), 0.0);
            }
        },
        stdout,
        stderr,
    )
}

/// `snapshot save --org FILE`: every account of the organization (findings from the
/// delegated administrators when there are) in one file; an account that could not be read is
/// kept with its reason.
pub fn save(
    rt: &tokio::runtime::Runtime,
    base: &AwsContext,
    args: &OrgArgs,
    cfg: &Config,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let Some(spec) = args.spec(cfg)? else {
        anyhow::bail!("snapshot save --org needs --org");
    };
    let (read, from, note) = rt.block_on(organization(base, &cfg.org.accounts))?;
    if let Some(n) = &note {
        eprintln!("guardpost: warning: {}", crate::sanitize::line(n));
    }
    let accounts = pick(&read, &spec.only)?;
    let plan = LoadPlan::everything();
    let (agg, line) = rt.block_on(aggregate_or_say(base, &spec, &plan));
    if let Some(line) = line {
        eprintln!("guardpost: {}", crate::sanitize::line(&line));
    }
    let mut out: Vec<crate::snapshot::OrgSnapshotAccount> = Vec::new();
    rt.block_on(read_accounts(
        base,
        &read,
        accounts,
        &spec,
        &plan,
        agg,
        |account, result, _| {
            let (snapshot, unknown) = match result {
                Ok((s, _)) => (Some(s), None),
                Err(why) => (None, Some(why)),
            };
            out.push(crate::snapshot::OrgSnapshotAccount {
                account,
                snapshot,
                unknown,
            });
        },
    ));
    out.sort_by(|a, b| a.account.id.cmp(&b.account.id));
    let unknown = out.iter().filter(|a| a.unknown.is_some()).count();
    let n = out.len();
    let snap = crate::snapshot::OrgSnapshot {
        format: crate::snapshot::ORG_FORMAT.into(),
        version: crate::snapshot::ORG_VERSION,
        captured_at: chrono::Utc::now(),
        organization: read.org.as_ref().and_then(|o| o.id.clone()),
        management_account: read.org.as_ref().and_then(|o| o.management_account.clone()),
        accounts_from: from.into(),
        accounts: out,
    };
    write_org_snapshot(file, &snap)?;
    eprintln!(
        "guardpost: wrote {} ({n} accounts, {unknown} could not be read)",
        file.display()
    );
    for a in snap.accounts.iter().filter(|a| a.unknown.is_some()) {
        eprintln!(
            "  {}: {}",
            crate::sanitize::line(&a.account.id),
            crate::sanitize::line(a.unknown.as_deref().unwrap_or_default())
        );
    }
    Ok(())
}
