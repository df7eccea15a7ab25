//! `guardpost check --fix` and `guardpost undo`: show the plans with their exact API calls,
//! ask once (or `--yes`), run them through the remediation executor (which journals every call
//! and enforces read-only and dry-run itself), and say what happened. Every line printed
//! carries names from AWS: each goes through `sanitize::line`.

use crate::fix::FixSet;
use crate::remediation::aws::AwsBackend;
use crate::remediation::executor::{self, Options, Outcome};
use crate::remediation::journal::{self, Entry, Journal, Status};
use crate::remediation::{Plan, UndoPlan};
use crate::sanitize;
use crate::sources::AwsContext;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// Why `--fix` or `undo` did nothing (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("read-only ({reason}): guardpost refuses to change the account")]
    ReadOnly { reason: String },
    #[error(
        "not applied: there is no terminal to ask on; pass --yes to apply without asking (or --dry-run to journal the plans only)"
    )]
    NeedsYes,
    #[error("{0}")]
    Journal(String),
    #[error("no journaled action of run {0:?} in account {1}")]
    UnknownRun(String, String),
}

/// How the one question is answered.
pub enum Answer<'a> {
    /// `--yes`.
    Yes,
    /// Ask on this terminal (standard input).
    Ask(&'a mut dyn FnMut(&str) -> bool),
    /// No terminal and no `--yes`.
    NoTerminal,
}

/// Asks `question` on standard error and reads a line from standard input: only `y`/`yes`
/// is a yes.
pub fn ask_stdin(question: &str) -> bool {
    use std::io::BufRead;
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// The executor's options for this account.
fn options(ctx: &AwsContext, dry_run: bool, run: Option<String>) -> Options {
    Options {
        read_only: false,
        read_only_reason: String::new(),
        dry_run,
        account: ctx.account_id.clone(),
        caller: ctx.caller_arn.clone(),
        run,
    }
}

fn open_journal(path: Option<&Path>) -> Result<Journal, FixError> {
    let path = path.ok_or_else(|| {
        FixError::Journal(
            "there is no state directory for the journal (set GUARDPOST_STATE_DIR): nothing is changed without one".into(),
        )
    })?;
    let j = Journal::open(path);
    match j.problem() {
        Some(p) => Err(FixError::Journal(format!(
            "the journal {} cannot be used: {p}",
            path.display()
        ))),
        None => Ok(j),
    }
}

/// The entries of the journal at `path` (empty when there is none yet).
pub fn journal_entries(path: Option<&Path>) -> Vec<Entry> {
    path.map(|p| Journal::open(p).entries()).unwrap_or_default()
}

/// One plan as the preview shows it: title, what is re-read first, the calls verbatim, the
/// undo (an undo plan has none; it says when it weakens security).
fn preview(w: &mut dyn Write, n: usize, plan: &Plan, fixes: &str) {
    let undoing = plan.undo_of.is_some();
    let mark = if undoing && plan.weakens_security() {
        "  [weakens security]"
    } else if !undoing && plan.irreversible() {
        "  [IRREVERSIBLE]"
    } else {
        ""
    };
    let _ = writeln!(w, "  {n:>2}. {}{mark}", sanitize::line(&plan.title));
    if !fixes.is_empty() {
        let _ = writeln!(w, "      fixes: {}", sanitize::line(fixes));
    }
    for p in &plan.preconditions {
        let _ = writeln!(w, "      check: {}", sanitize::line(&p.describe()));
    }
    for c in &plan.calls {
        let _ = writeln!(w, "      call:  {}", sanitize::line(&c.display()));
    }
    if undoing {
        return;
    }
    let undo = match &plan.undo {
        UndoPlan::Calls { calls } => calls
            .iter()
            .map(|c| c.display())
            .collect::<Vec<_>>()
            .join("; "),
        UndoPlan::FromCapture { description } => description.clone(),
        other => other.describe(),
    };
    let _ = writeln!(w, "      undo:  {}", sanitize::line(&undo));
}

/// What a `--fix` run did.
#[derive(Debug, Default)]
pub struct Applied {
    pub run: String,
    pub outcomes: Vec<Outcome>,
    /// The user said no.
    pub declined: bool,
}

impl Applied {
    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| !matches!(o.status, Status::Succeeded | Status::DryRun))
            .count()
    }
}

/// Shows `set`, asks once, runs the plans in order. Read-only was decided by the caller.
pub fn apply(
    rt: &tokio::runtime::Runtime,
    ctx: &AwsContext,
    set: &FixSet,
    journal_path: Option<&Path>,
    dry_run: bool,
    answer: Answer<'_>,
    w: &mut dyn Write,
) -> Result<Applied, FixError> {
    let run = journal::new_id();
    let _ = writeln!(
        w,
        "guardpost: {} fix(es) for account {}{}:",
        set.fixes.len(),
        ctx.account_id,
        if dry_run {
            " (dry run: journaled, nothing called)"
        } else {
            ""
        }
    );
    for (i, f) in set.fixes.iter().enumerate() {
        preview(w, i + 1, &f.plan, &f.rules.join(", "));
    }
    if !set.skipped.is_empty() {
        let _ = writeln!(w, "not fixed automatically ({}):", set.skipped.len());
        for s in &set.skipped {
            let _ = writeln!(
                w,
                "  - {} {}: {}",
                sanitize::line(&s.rule),
                sanitize::line(&s.resource),
                sanitize::line(&s.why)
            );
        }
    }
    if set.fixes.is_empty() {
        return Ok(Applied {
            run,
            ..Default::default()
        });
    }
    let go = match answer {
        Answer::Yes => true,
        _ if dry_run => true,
        Answer::NoTerminal => return Err(FixError::NeedsYes),
        Answer::Ask(ask) => ask(&format!(
            "Apply these {} fix(es) to account {}? [y/N] ",
            set.fixes.len(),
            ctx.account_id
        )),
    };
    if !go {
        let _ = writeln!(w, "guardpost: nothing applied");
        return Ok(Applied {
            run,
            declined: true,
            ..Default::default()
        });
    }
    let j = Mutex::new(open_journal(journal_path)?);
    let backend = AwsBackend::new(ctx.clone(), false);
    let opts = options(ctx, dry_run, Some(run.clone()));
    let mut outcomes = Vec::new();
    for f in &set.fixes {
        let o = rt
            .block_on(Box::pin(executor::execute(
                &backend,
                &j,
                &f.plan,
                &opts,
                |_| {},
            )))
            .map_err(|e| FixError::Journal(e.to_string()))?;
        report_outcome(w, &o);
        outcomes.push(o);
    }
    let applied = Applied {
        run: run.clone(),
        outcomes,
        declined: false,
    };
    let _ = writeln!(
        w,
        "guardpost: run {run}: {} of {} applied{}; undo them with: guardpost undo --all-from {run}",
        applied.outcomes.len() - applied.failed(),
        applied.outcomes.len(),
        if applied.failed() > 0 {
            format!(", {} not", applied.failed())
        } else {
            String::new()
        }
    );
    Ok(applied)
}

fn report_outcome(w: &mut dyn Write, o: &Outcome) {
    let label = match o.status {
        Status::Succeeded => "done",
        Status::DryRun => "planned",
        other => other.label(),
    };
    let _ = writeln!(w, "  {label:<9} {}", sanitize::line(&o.title));
    if !matches!(o.status, Status::Succeeded | Status::DryRun) && !o.message.is_empty() {
        let _ = writeln!(w, "            {}", sanitize::line(&o.message));
    }
}

/// `guardpost undo [--all-from RUN]`: the newest undoable action of this account, or every
/// undoable action of a `check --fix` run (newest first). Returns whether every undo
/// succeeded.
pub fn undo(
    rt: &tokio::runtime::Runtime,
    ctx: &AwsContext,
    journal_path: Option<&Path>,
    all_from: Option<&str>,
    dry_run: bool,
    answer: Answer<'_>,
    w: &mut dyn Write,
) -> Result<bool, FixError> {
    let j = open_journal(journal_path)?;
    let entries: Vec<Entry> = match all_from {
        None => j
            .last_undoable(&ctx.account_id, dry_run)
            .into_iter()
            .collect(),
        Some(run) => {
            let of_run: Vec<Entry> = j
                .entries()
                .into_iter()
                .filter(|e| e.run.as_deref() == Some(run) && e.account == ctx.account_id)
                .collect();
            if of_run.is_empty() {
                return Err(FixError::UnknownRun(run.into(), ctx.account_id.clone()));
            }
            of_run
                .into_iter()
                .rev()
                .filter(|e| e.can_undo() && e.dry_run == dry_run)
                .collect()
        }
    };
    if entries.is_empty() {
        let _ = writeln!(
            w,
            "guardpost: nothing to undo in account {}{}",
            ctx.account_id,
            all_from
                .map(|r| format!(" from run {}", sanitize::line(r)))
                .unwrap_or_default()
        );
        return Ok(true);
    }
    let plans: Vec<Plan> = entries.iter().map(journal::undo_plan).collect();
    let _ = writeln!(
        w,
        "guardpost: {} undo(s) in account {}:",
        plans.len(),
        ctx.account_id
    );
    for (i, p) in plans.iter().enumerate() {
        preview(w, i + 1, p, "");
    }
    let go = match answer {
        Answer::Yes => true,
        _ if dry_run => true,
        Answer::NoTerminal => return Err(FixError::NeedsYes),
        Answer::Ask(ask) => ask(&format!(
            "Undo these {} action(s) in account {}? [y/N] ",
            plans.len(),
            ctx.account_id
        )),
    };
    if !go {
        let _ = writeln!(w, "guardpost: nothing undone");
        return Ok(false);
    }
    let j = Mutex::new(j);
    let backend = AwsBackend::new(ctx.clone(), false);
    let opts = options(ctx, dry_run, all_from.map(str::to_string));
    let mut ok = true;
    for p in &plans {
        if p.calls.is_empty() {
            let why = p.notes.first().cloned().unwrap_or_default();
            let _ = writeln!(
                w,
                "  skipped   {}: {}",
                sanitize::line(&p.title),
                sanitize::line(&why)
            );
            ok = false;
            continue;
        }
        let o = rt
            .block_on(Box::pin(executor::execute(&backend, &j, p, &opts, |_| {})))
            .map_err(|e| FixError::Journal(e.to_string()))?;
        report_outcome(w, &o);
        ok &= matches!(o.status, Status::Succeeded | Status::DryRun);
    }
    Ok(ok)
}

/// `--owners FILE`: `user = "owner"` lines (TOML).
fn owners(path: &Path) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the owners file {}", path.display()))?;
    toml::from_str(&text).with_context(|| {
        format!(
            "the owners file {} is not `user = \"owner\"` lines",
            path.display()
        )
    })
}

/// The fix options `check --fix` was given, checked.
pub fn fix_options(
    args: &crate::check::CheckArgs,
    posture: &crate::posture::PostureConfig,
) -> anyhow::Result<crate::fix::FixOptions> {
    for id in &args.fix_irreversible {
        if crate::posture::rules::rule(id).is_none() {
            anyhow::bail!("unknown rule {id:?} for --fix-irreversible");
        }
    }
    Ok(crate::fix::FixOptions {
        unused_days: args.unused_days.unwrap_or(posture.unused_days),
        delete_after_days: args.delete_after_days,
        irreversible: args.fix_irreversible.clone(),
        owners: match &args.owners {
            Some(p) => owners(p)?,
            None => Default::default(),
        },
        owner_tag: posture.owner_tag.clone(),
        admin_ports: posture.admin_ports.clone(),
        config_bucket: args.config_bucket.clone(),
    })
}

/// How to answer: `--yes`, else the terminal on standard input, else no one.
pub fn answer(yes: bool, ask: &mut dyn FnMut(&str) -> bool) -> Answer<'_> {
    use std::io::IsTerminal;
    if yes {
        Answer::Yes
    } else if std::io::stdin().is_terminal() {
        Answer::Ask(ask)
    } else {
        Answer::NoTerminal
    }
}

/// `guardpost check --fix`: load, plan the fixes of the selected rules' failures, show, ask,
/// apply, then check and report the account as it is afterwards. Returns the exit code.
#[allow(clippy::too_many_arguments)]
pub fn check_fix(
    rt: &tokio::runtime::Runtime,
    spec: &super::load::LoadSpec,
    load: &crate::sources::LoadPlan,
    args: &crate::check::CheckArgs,
    cfg: &crate::config::Config,
    read_only: crate::config::ReadOnly,
    dry_run: bool,
) -> anyhow::Result<u8> {
    use crate::dataset::Dataset;
    let super::load::LoadSpec::Live(ctx) = spec else {
        anyhow::bail!("--fix changes a live account: it cannot be used with --demo or --snapshot");
    };
    if read_only.on {
        return Err(FixError::ReadOnly {
            reason: read_only.reason,
        }
        .into());
    }
    let opts = fix_options(args, &cfg.posture)?;
    let sel = crate::check::select(args, &cfg.check)?;
    let data = Dataset::from_snapshot(spec.read(rt, load)?, spec.origin(), &cfg.posture);
    let failing = crate::check::posture_findings(&data, &sel, &cfg.posture);
    let path = journal::default_path();
    let set = crate::fix::plan(
        &data,
        &failing,
        &opts,
        &journal_entries(path.as_deref()),
        chrono::Utc::now(),
    );
    let mut ask = ask_stdin;
    let applied = apply(
        rt,
        ctx,
        &set,
        path.as_deref(),
        dry_run,
        answer(args.yes, &mut ask),
        &mut std::io::stderr().lock(),
    )?;
    // The report is of the account as it is now: re-read when something changed.
    let changed = applied
        .outcomes
        .iter()
        .any(|o| matches!(o.status, Status::Succeeded | Status::Partial));
    let data = if changed {
        Dataset::from_snapshot(spec.read(rt, load)?, spec.origin(), &cfg.posture)
    } else {
        data
    };
    let outcome = crate::check::run(
        &data,
        args,
        cfg,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )?;
    Ok(outcome.exit_code())
}
