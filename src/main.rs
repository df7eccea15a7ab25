//! The guardpost binary: CLI parsing and logging; the work is in `guardpost::runtime`.
use anyhow::Context;
use clap::{Parser, Subcommand};
use guardpost::check::CheckArgs;
use guardpost::config::Config;
use guardpost::runtime::incident::{IncidentRequest, Offline};
use guardpost::runtime::load::{Ask, LoadSpec, async_runtime, live_context};
use guardpost::runtime::terminal::{self, TuiOptions};
use guardpost::sanitize;
use guardpost::sources::session::MfaCode;
use guardpost::sources::{self, LiveOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "guardpost",
    version,
    about = "A terminal console for AWS account security"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Explore the embedded demo account (no AWS account needed).
    #[arg(long, global = true, conflicts_with = "snapshot")]
    demo: bool,
    /// Load a snapshot file (see docs/snapshot-format.md).
    #[arg(long, global = true, value_name = "FILE")]
    snapshot: Option<PathBuf>,
    /// Theme: default, light, high-contrast, or a path to a theme TOML file.
    #[arg(long, value_name = "NAME|PATH")]
    theme: Option<String>,
    /// Config file (default: $XDG_CONFIG_HOME/guardpost/config.toml, or $GUARDPOST_CONFIG).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Never change anything in the account (shown in the header; the executor refuses every
    /// mutating call).
    #[arg(long, global = true)]
    read_only: bool,
    /// Go through the whole action flow and journal the plans, but call nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Log level for the log file (error, warn, info, debug, trace); guardpost's own records
    /// only (a filter string could turn on the SDK's wire logging of response bodies).
    #[arg(
        long,
        global = true,
        value_name = "LEVEL",
        env = "GUARDPOST_LOG",
        default_value = "info",
        value_parser = ["error", "warn", "info", "debug", "trace"]
    )]
    log_level: String,
    /// AWS profile to read (from ~/.aws/config or ~/.aws/credentials; default: AWS_PROFILE).
    #[arg(long, value_name = "NAME", global = true)]
    profile: Option<String>,
    /// Region to read (repeatable; default: the config file's default_regions, else the
    /// profile's region or AWS_REGION).
    #[arg(long = "region", value_name = "REGION", global = true)]
    regions: Vec<String>,
    /// Read every commercial region enabled by default (opt-in regions only with --region).
    #[arg(long, global = true)]
    all_regions: bool,
    /// Send every AWS call to this endpoint (e.g. a local emulator). Plain http:// only to
    /// loopback unless --allow-insecure-endpoint.
    #[arg(long, value_name = "URL", global = true)]
    endpoint_url: Option<String>,
    /// Accept an http:// endpoint (--endpoint-url, AWS_ENDPOINT_URL...) on a host that is not
    /// loopback: MFA codes and STS credentials then travel in clear.
    #[arg(long, global = true)]
    allow_insecure_endpoint: bool,
    /// Assume this role (e.g. from a bastion account) with STS AssumeRole before reading.
    #[arg(long, value_name = "ARN", global = true)]
    role_arn: Option<String>,
    /// MFA device (serial number / ARN) whose code STS needs; default: the profile's
    /// mfa_serial. Without --role-arn: STS GetSessionToken.
    #[arg(long, value_name = "ARN", global = true)]
    mfa_serial: Option<String>,
    /// Lifetime of the temporary credentials: seconds, or e.g. 90m, 1h (15m..12h for roles).
    #[arg(long, value_name = "DURATION", global = true, value_parser = sources::session::parse_duration)]
    duration: Option<i32>,
    /// The 6-digit MFA code, for automation (otherwise guardpost asks on the terminal).
    #[arg(
        long,
        value_name = "CODE",
        global = true,
        env = "GUARDPOST_MFA_CODE",
        hide_env_values = true,
        value_parser = MfaCode::parse
    )]
    mfa_code: Option<MfaCode>,
    #[command(flatten)]
    org: guardpost::runtime::org::OrgArgs,
    /// Exit right after the first frame with data, printing the time it took (for measurements).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
}

#[derive(Subcommand, Debug, Clone)]
enum Command {
    /// Check the account headlessly (no TUI) and report: exit 0 pass, 1 a finding at or above
    /// --fail-on, 2 error. See docs/check.md.
    Check(CheckArgs),
    /// Walk through an incident playbook (docs/incidents.md): start one from an alert, resume,
    /// export the timeline.
    Incident(IncidentArgs),
    /// Undo the newest journaled action in the account, or every action of a `check --fix`
    /// run (docs/remediation.md).
    Undo {
        /// Undo every action of this `check --fix` run, newest first.
        #[arg(long, value_name = "RUN")]
        all_from: Option<String>,
        /// Undo without asking (needed when there is no terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Snapshot files (docs/snapshot-format.md).
    Snapshot {
        #[command(subcommand)]
        action: SnapshotCommand,
    },
}

#[derive(clap::Args, Debug, Clone)]
struct IncidentArgs {
    #[command(subcommand)]
    action: Option<IncidentAction>,
    /// Start the compromised-key playbook for this access key id.
    #[arg(long, value_name = "AKIA...", conflicts_with = "finding")]
    access_key: Option<String>,
    /// Start the playbook that answers this finding (guardpost id, GuardDuty finding id or ARN,
    /// Security Hub finding Id).
    #[arg(long, value_name = "ID")]
    finding: Option<String>,
    /// Use this playbook instead of the suggested one (`guardpost incident playbooks`).
    #[arg(long, value_name = "ID")]
    playbook: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
enum IncidentAction {
    /// Resume an incident where it stopped (default: the newest unfinished one).
    Resume { id: Option<String> },
    /// Write an incident's timeline (default: the newest incident).
    Export {
        id: Option<String>,
        #[arg(long, value_enum, default_value = "markdown")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the incidents, newest first.
    List,
    /// List the built-in playbooks.
    Playbooks,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
enum ExportFormat {
    Markdown,
    Json,
}

#[derive(Subcommand, Debug, Clone)]
enum SnapshotCommand {
    /// Read the live account (no terminal UI) and write a snapshot file. It holds no secrets.
    Save {
        /// Where to write the snapshot JSON.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let started = Instant::now();
    guardpost::runtime::single_malloc_arena();
    let mut cli = Cli::parse();
    // A mistyped region is bad input (exit 2 before the terminal), not a region where every
    // service looks off.
    if let Err(e) = sources::regions::validate(&cli.regions) {
        eprintln!("guardpost: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.command.take() {
        Some(Command::Check(args)) => check(cli, args),
        Some(Command::Undo { all_from, yes }) => undo(cli, all_from, yes),
        Some(Command::Incident(IncidentArgs {
            action:
                Some(
                    a @ (IncidentAction::Export { .. }
                    | IncidentAction::List
                    | IncidentAction::Playbooks),
                ),
            ..
        })) => incident_offline(a),
        other => {
            cli.command = other;
            run(cli, started).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("guardpost: {}", sanitize::text(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// The live-account options from the command line and the config file.
fn live_options(cli: &Cli, cfg: &Config) -> LiveOptions {
    LiveOptions {
        profile: cli.profile.clone(),
        regions: if cli.regions.is_empty() && !cli.all_regions {
            cfg.default_regions.clone()
        } else {
            cli.regions.clone()
        },
        all_regions: cli.all_regions,
        endpoint_url: cli.endpoint_url.clone(),
        role_arn: cli.role_arn.clone(),
        mfa_serial: cli.mfa_serial.clone(),
        duration_secs: cli.duration,
        mfa_code: cli.mfa_code.clone(),
        allow_insecure_endpoint: cli.allow_insecure_endpoint,
    }
}

fn run(cli: Cli, started: Instant) -> anyhow::Result<()> {
    let _log_guard = guardpost::runtime::logging::init(&cli.log_level)?;
    let cfg = Config::load(cli.config.as_deref())?;
    let rt = async_runtime()?;
    let live = || live_context(&live_options(&cli, &cfg), &rt, Ask::Tty);

    if let Some(Command::Snapshot {
        action: SnapshotCommand::Save { file },
    }) = &cli.command
    {
        let ctx = live()?;
        if cli.org.org {
            return guardpost::runtime::org::save(&rt, &ctx, &cli.org, &cfg, file);
        }
        let snap = rt.block_on(Box::pin(sources::load(&ctx, None)));
        let json = snap.to_json();
        guardpost::storage::write_private(file, (json + "\n").as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?;
        eprintln!(
            "guardpost: wrote {} (account {}, {} regions, {} problems)",
            file.display(),
            snap.account.id,
            snap.regions.len(),
            snap.problems.len()
        );
        for p in &snap.problems {
            eprintln!(
                "  {} {}: {}",
                sanitize::line(&p.source),
                sanitize::line(p.region.as_deref().unwrap_or("global")),
                sanitize::line(&p.message)
            );
        }
        return Ok(());
    }

    let spec = LoadSpec::resolve(cli.snapshot.as_deref(), cli.demo, live)?;
    // Read a snapshot up front: errors exit with code 2 and an untouched terminal.
    let first = match &spec {
        LoadSpec::Live(_) | LoadSpec::OrgFile(_) => None,
        other => Some(other.read(&rt, &sources::LoadPlan::everything())?),
    };
    let read_only = read_only(&cli, &cfg, &spec);
    let profile = guardpost::config::current_profile(cli.profile.as_deref());
    let profile = matches!(spec, LoadSpec::Live(_)).then_some(profile.as_str());
    let theme = cfg.load_theme(cli.theme.as_deref(), profile)?;
    tracing::info!(read_only = read_only.on, reason = %read_only.reason, "read-only decision");
    // `guardpost incident ...`: resolve the key / finding / incident before the terminal is
    // touched, so a wrong id is a plain message and exit code 2.
    let (first, incident) = match &cli.command {
        Some(Command::Incident(args)) => {
            let request = IncidentRequest {
                resume: match &args.action {
                    Some(IncidentAction::Resume { id }) => Some(id.clone()),
                    _ => None,
                },
                access_key: args.access_key.clone(),
                finding: args.finding.clone(),
                playbook: args.playbook.clone(),
            };
            let (snap, inc) =
                guardpost::runtime::incident::prepare(&request, &spec, first, &cfg.posture, &rt)?;
            (Some(snap), Some(inc))
        }
        _ => (first, None),
    };
    tracing::info!(origin = ?spec.origin(), "starting");
    let opts = TuiOptions {
        read_only,
        dry_run: cli.dry_run,
        exit_after_first_frame: cli.exit_after_first_frame,
        started,
        org: guardpost::runtime::org::tui(&cli.org, &cfg, cli.read_only, cli.profile.as_deref())?,
    };
    rt.block_on(terminal::run(
        opts,
        spec,
        first,
        theme,
        cfg.posture.clone(),
        incident,
    ))
}

/// Profile and account settings apply to live loading only; the profile is the one the
/// session used (--profile, AWS_PROFILE, default), the account the one actions change.
fn read_only(cli: &Cli, cfg: &Config, spec: &LoadSpec) -> guardpost::config::ReadOnly {
    let profile = guardpost::config::current_profile(cli.profile.as_deref());
    let target = match spec {
        LoadSpec::Live(ctx) => guardpost::config::Target::Live {
            profile: &profile,
            account: Some(&ctx.account_id),
        },
        _ => guardpost::config::Target::Offline,
    };
    cfg.read_only(cli.read_only, target)
}

/// `guardpost undo [--all-from RUN]`: live accounts only; exit 1 when an undo failed.
fn undo(cli: Cli, all_from: Option<String>, yes: bool) -> anyhow::Result<ExitCode> {
    use guardpost::runtime::fix;
    let _log_guard = guardpost::runtime::logging::init(&cli.log_level)?;
    let cfg = Config::load(cli.config.as_deref())?;
    if cli.read_only {
        anyhow::bail!("read-only (--read-only on the command line): nothing is undone");
    }
    let rt = async_runtime()?;
    let spec = LoadSpec::Live(live_context(&live_options(&cli, &cfg), &rt, Ask::Stdin)?);
    let ro = read_only(&cli, &cfg, &spec);
    let LoadSpec::Live(ctx) = &spec else {
        unreachable!("built live above")
    };
    if ro.on {
        return Err(fix::FixError::ReadOnly { reason: ro.reason }.into());
    }
    let path = guardpost::remediation::journal::default_path();
    let mut ask = fix::ask_stdin;
    let ok = fix::undo(
        &rt,
        ctx,
        path.as_deref(),
        all_from.as_deref(),
        cli.dry_run,
        fix::answer(yes, &mut ask),
        &mut std::io::stderr().lock(),
    )?;
    Ok(ExitCode::from(if ok { 0 } else { 1 }))
}

/// `guardpost incident export | list | playbooks`: no account, no terminal UI.
fn incident_offline(action: IncidentAction) -> anyhow::Result<ExitCode> {
    let action = match action {
        IncidentAction::Playbooks => Offline::Playbooks,
        IncidentAction::List => Offline::List,
        IncidentAction::Export { id, format, output } => Offline::Export {
            id,
            json: matches!(format, ExportFormat::Json),
            output,
        },
        IncidentAction::Resume { .. } => unreachable!("resume runs the TUI"),
    };
    guardpost::runtime::incident::offline(action)?;
    Ok(ExitCode::SUCCESS)
}

/// `guardpost check`: load, evaluate, report; never touches the terminal or reads input.
fn check(cli: Cli, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let _log_guard = guardpost::runtime::logging::init(&cli.log_level)?;
    let cfg = Config::load(cli.config.as_deref())?;
    // Bad --rule / --services names fail before any credential is asked for.
    let plan = guardpost::check::load_plan(&args, &cfg.check)?;
    if args.fix && (cli.read_only || cli.org.org) {
        anyhow::bail!("--fix refused: it acts in one account, never with --read-only or --org");
    }
    let rt = async_runtime()?;
    let spec = LoadSpec::resolve(cli.snapshot.as_deref(), cli.demo, || {
        live_context(&live_options(&cli, &cfg), &rt, Ask::Stdin)
    })?;
    if args.fix {
        let ro = read_only(&cli, &cfg, &spec);
        let code =
            guardpost::runtime::fix::check_fix(&rt, &spec, &plan, &args, &cfg, ro, cli.dry_run)?;
        return Ok(ExitCode::from(code));
    }
    let outcome = guardpost::runtime::org::run_check(&rt, &spec, &plan, &args, &cli.org, &cfg)?;
    Ok(ExitCode::from(outcome.exit_code()))
}
