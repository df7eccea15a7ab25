//! The guardpost binary: CLI, logging, and the one terminal loop.
use anyhow::Context;
use clap::{Parser, Subcommand};
use guardpost::app::{self, Effect, Event, State};
use guardpost::check::CheckArgs;
use guardpost::config::Config;
use guardpost::dataset::{Dataset, Origin};
use guardpost::posture::PostureConfig;
use guardpost::sanitize;
use guardpost::snapshot::Snapshot;
use guardpost::sources::session::{CodeRequest, MfaCode};
use guardpost::sources::{self, AwsContext, LiveOptions};
use guardpost::ui::{self, theme::Theme};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use tokio::sync::mpsc;

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
    #[arg(long, value_name = "DURATION", global = true, value_parser = parse_duration)]
    duration: Option<i32>,
    /// The 6-digit MFA code, for automation (otherwise guardpost asks on the terminal).
    #[arg(
        long,
        value_name = "CODE",
        global = true,
        env = "GUARDPOST_MFA_CODE",
        hide_env_values = true,
        value_parser = mfa_code
    )]
    mfa_code: Option<MfaCode>,
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

/// What to load, resolved before the terminal is touched so a bad file never leaves it raw.
#[derive(Clone)]
enum LoadSpec {
    Demo,
    File(PathBuf),
    Live(Box<AwsContext>),
}

fn main() -> ExitCode {
    let started = Instant::now();
    let mut cli = Cli::parse();
    let result = match cli.command.take() {
        Some(Command::Check(args)) => check(cli, args),
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // SDK futures are large in debug builds (see docs/architecture.md); room to spare.
        .thread_stack_size(8 * 1024 * 1024)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Kept as `MfaCode` so that `Debug` (of `Cli`, in logs or panics) never prints it.
fn mfa_code(s: &str) -> Result<MfaCode, String> {
    Ok(MfaCode(s.to_string()))
}

fn parse_duration(s: &str) -> Result<i32, String> {
    sources::session::parse_duration(s)
}

/// Where MFA codes are asked for when none was given with --mfa-code / GUARDPOST_MFA_CODE.
#[derive(Clone, Copy)]
enum Ask {
    /// The controlling terminal (/dev/tty), before the TUI starts.
    Tty,
    /// Standard input, only if it is a terminal (`guardpost check`).
    Stdin,
}

fn ask_code(how: Ask, r: &CodeRequest) -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let question = format!(
        "{}MFA code for {}{}: ",
        r.error
            .as_ref()
            .map(|e| format!(
                "guardpost: {e}
"
            ))
            .unwrap_or_default(),
        r.mfa_serial,
        if r.attempt > 1 {
            format!(
                " (attempt {} of {})",
                r.attempt,
                sources::session::MAX_ATTEMPTS
            )
        } else {
            String::new()
        }
    );
    let no_terminal = |why: &str| {
        format!(
            "an MFA code is needed for {} and {why}: pass --mfa-code CODE or set GUARDPOST_MFA_CODE",
            r.mfa_serial
        )
    };
    let mut line = String::new();
    match how {
        Ask::Tty => {
            let tty = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .map_err(|_| no_terminal("there is no terminal to ask on"))?;
            let mut out = &tty;
            out.write_all(question.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| no_terminal(&format!("the terminal failed ({e})")))?;
            std::io::BufReader::new(&tty)
                .read_line(&mut line)
                .map_err(|e| no_terminal(&format!("the terminal failed ({e})")))?;
        }
        Ask::Stdin => {
            if !std::io::stdin().is_terminal() {
                return Err(no_terminal("standard input is not a terminal"));
            }
            eprint!("{question}");
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| no_terminal(&format!("reading standard input failed ({e})")))?;
        }
    }
    if line.is_empty() {
        return Err("no MFA code given".into());
    }
    Ok(line.trim().to_string())
}

/// Resolves credentials, identity and regions for live loading (asking for an MFA code when
/// a session needs one). Runs before the terminal is touched, so a missing credential is a
/// plain message and exit code 2.
fn live_context(
    cli: &Cli,
    cfg: &Config,
    rt: &tokio::runtime::Runtime,
    how: Ask,
) -> anyhow::Result<Box<AwsContext>> {
    let opts = LiveOptions {
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
    };
    let mut ask = move |r: &CodeRequest| ask_code(how, r);
    let ctx = rt.block_on(Box::pin(AwsContext::resolve_asking(&opts, &mut ask)))?;
    if let Some(s) = &ctx.session {
        tracing::info!(expires = %s.expires, mfa = s.mfa, "using temporary credentials");
    }
    tracing::info!(account = %ctx.account_id, regions = ?ctx.regions, "live account");
    Ok(Box::new(ctx))
}

fn run(cli: Cli, started: Instant) -> anyhow::Result<()> {
    let _log_guard = init_logging(&cli.log_level);
    let cfg = Config::load(cli.config.as_deref())?;
    let rt = runtime()?;
    let live = || live_context(&cli, &cfg, &rt, Ask::Tty);

    if let Some(Command::Snapshot {
        action: SnapshotCommand::Save { file },
    }) = &cli.command
    {
        let ctx = live()?;
        let snap = rt.block_on(Box::pin(sources::load(&ctx, None)));
        let json = snap.to_json();
        std::fs::write(file, json + "\n")
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

    let (spec, first) = match (&cli.snapshot, cli.demo) {
        // Validate the snapshot up front: errors exit with code 2 and an untouched terminal.
        (Some(p), _) => {
            let spec = LoadSpec::File(p.clone());
            let first = load_snapshot(&spec)?;
            (spec, Some(first))
        }
        (None, true) => (LoadSpec::Demo, Some(Snapshot::demo())),
        (None, false) => (LoadSpec::Live(live()?), None),
    };
    // Profile settings apply to live loading only.
    let profile = match &spec {
        LoadSpec::Live(_) => cli.profile.clone(),
        _ => None,
    };
    let theme = cfg.load_theme(cli.theme.as_deref(), profile.as_deref())?;
    let posture = cfg.posture.clone();
    let cli = Cli {
        read_only: cli.read_only || cfg.read_only_for(profile.as_deref()),
        ..cli
    };
    // `guardpost incident ...`: resolve the key / finding / incident before the terminal is
    // touched, so a wrong id is a plain message and exit code 2.
    let (first, incident) = match &cli.command {
        Some(Command::Incident(args)) => {
            let (snap, inc) = prepare_incident(args, &spec, first, &cfg, &rt)?;
            (Some(snap), Some(inc))
        }
        _ => (first, None),
    };
    tracing::info!(origin = ?origin(&spec), "starting");
    rt.block_on(tui(cli, spec, first, theme, posture, started, incident))
}

/// Loads the account once, resolves what the incident is about, and creates (or resumes) it.
fn prepare_incident(
    args: &IncidentArgs,
    spec: &LoadSpec,
    first: Option<Snapshot>,
    cfg: &Config,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<(Snapshot, guardpost::incident::Incident)> {
    use guardpost::incident::{self, store};
    let (snap, caller) = match (first, spec) {
        (Some(s), _) => (s, None),
        (None, LoadSpec::Live(ctx)) => (
            rt.block_on(Box::pin(sources::load(ctx, None))),
            ctx.caller_arn.clone(),
        ),
        (None, other) => (load_snapshot(other)?, None),
    };
    let data = Dataset::from_snapshot(snap.clone(), origin(spec), &cfg.posture);
    let dir = store::default_dir()
        .ok_or_else(|| anyhow::anyhow!("no state directory: set GUARDPOST_STATE_DIR"))?;
    let now = chrono::Utc::now();
    let inc = match (&args.action, &args.access_key, &args.finding) {
        (Some(IncidentAction::Resume { id }), _, _) => {
            let inc = store::find(&dir, id.as_deref()).map_err(anyhow::Error::msg)?;
            if inc.account != data.account.id {
                anyhow::bail!(
                    "incident {} is about account {}, but account {} is loaded",
                    inc.id,
                    inc.account,
                    data.account.id
                );
            }
            let rec = store::Record {
                v: store::VERSION,
                ts: now,
                incident: inc.id.clone(),
                caller,
                event: store::Event::Resumed,
            };
            store::append(&dir, &rec).map_err(anyhow::Error::msg)?;
            let mut inc = inc;
            inc.apply(&rec);
            inc
        }
        (_, Some(key), _) => {
            let subject = incident::subject_for_key(&data, key).map_err(anyhow::Error::msg)?;
            let book =
                incident::playbook(args.playbook.as_deref().unwrap_or("compromised-access-key"))
                    .map_err(anyhow::Error::msg)?;
            let id = incident::new_id(now, &subject);
            store::start(&dir, &id, book, subject, &data.account.id, caller, now)
                .map_err(anyhow::Error::msg)?
        }
        (_, None, Some(fid)) => {
            let f = incident::find_finding(&data, fid).ok_or_else(|| {
                anyhow::anyhow!(
                    "finding {fid} is not among the {} findings loaded from account {}; no playbook started",
                    data.findings.len(),
                    data.account.id
                )
            })?;
            let (mut book, subject) = incident::suggest(&data, f);
            if let Some(p) = &args.playbook {
                book = incident::playbook(p).map_err(anyhow::Error::msg)?;
            }
            let id = incident::new_id(now, &subject);
            store::start(&dir, &id, book, subject, &data.account.id, caller, now)
                .map_err(anyhow::Error::msg)?
        }
        _ => anyhow::bail!(
            "guardpost incident needs --access-key KEY or --finding ID (or: resume, export, list, playbooks)"
        ),
    };
    Ok((snap, inc))
}

/// `guardpost incident export | list | playbooks`: no account, no terminal UI.
fn incident_offline(action: IncidentAction) -> anyhow::Result<ExitCode> {
    use guardpost::incident::{self, store, timeline};
    match action {
        IncidentAction::Playbooks => {
            for p in incident::playbooks() {
                println!("{:<34} {} ({} steps)", p.id, p.title, p.steps.len());
            }
        }
        IncidentAction::List => {
            let dir = store::default_dir()
                .ok_or_else(|| anyhow::anyhow!("no state directory: set GUARDPOST_STATE_DIR"))?;
            for inc in store::list(&dir) {
                match inc {
                    Ok(i) => {
                        let done = i
                            .steps
                            .iter()
                            .filter(|s| !matches!(s.status, incident::StepStatus::Pending))
                            .count();
                        let line = format!(
                            "{}  {}  {}  {done}/{} steps{}",
                            i.id,
                            i.playbook.id,
                            i.subject.label(),
                            i.steps.len(),
                            if i.finished() { "  finished" } else { "" }
                        );
                        println!("{}", sanitize::line(&line));
                    }
                    Err(e) => eprintln!("guardpost: {}", sanitize::line(&e)),
                }
            }
        }
        IncidentAction::Export { id, format, output } => {
            let dir = store::default_dir()
                .ok_or_else(|| anyhow::anyhow!("no state directory: set GUARDPOST_STATE_DIR"))?;
            let inc = match id {
                Some(id) => store::find(&dir, Some(&id)),
                None => store::list(&dir)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Err(format!("no incident in {}", dir.display()))),
            }
            .map_err(anyhow::Error::msg)?;
            let text = match format {
                ExportFormat::Markdown => timeline::markdown(&inc),
                ExportFormat::Json => {
                    sanitize::json(serde_json::to_string_pretty(&timeline::json(&inc))?) + "\n"
                }
            };
            match output {
                Some(p) => std::fs::write(&p, text)
                    .with_context(|| format!("cannot write {}", p.display()))?,
                None => print!("{text}"),
            }
        }
        IncidentAction::Resume { .. } => unreachable!("resume runs the TUI"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `guardpost check`: load, evaluate, report; never touches the terminal or reads input.
fn check(cli: Cli, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let _log_guard = init_logging(&cli.log_level);
    let cfg = Config::load(cli.config.as_deref())?;
    let (snap, origin) = match (&cli.snapshot, cli.demo) {
        (Some(p), _) => (
            Snapshot::load(p)?,
            Origin::Snapshot(p.display().to_string()),
        ),
        (None, true) => (Snapshot::demo(), Origin::Demo),
        (None, false) => {
            let rt = runtime()?;
            let ctx = live_context(&cli, &cfg, &rt, Ask::Stdin)?;
            (
                rt.block_on(Box::pin(sources::load(&ctx, None))),
                Origin::Live,
            )
        }
    };
    let data = Dataset::from_snapshot(snap, origin, &cfg.posture);
    let outcome = guardpost::check::run(
        &data,
        &args,
        &cfg,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )?;
    Ok(ExitCode::from(outcome.exit_code()))
}

fn origin(spec: &LoadSpec) -> Origin {
    match spec {
        LoadSpec::Demo => Origin::Demo,
        LoadSpec::File(p) => Origin::Snapshot(p.display().to_string()),
        LoadSpec::Live(_) => Origin::Live,
    }
}

/// Demo and file specs only; live data comes from [`load_live`].
fn load_snapshot(spec: &LoadSpec) -> anyhow::Result<Snapshot> {
    Ok(match spec {
        LoadSpec::Demo => Snapshot::demo(),
        LoadSpec::File(p) => Snapshot::load(p)?,
        LoadSpec::Live(_) => anyhow::bail!("a live account is not a snapshot"),
    })
}

/// Reads the live account, streaming: per-source progress becomes `Event::Loading`, and each
/// partial snapshot is normalized off the async threads and sent as `Event::Partial`. The
/// loader sends a partial at most every 250 ms; if normalizing falls behind, only the newest
/// partial is built.
async fn load_live(
    tx: mpsc::UnboundedSender<Event>,
    ctx: Box<AwsContext>,
    posture: PostureConfig,
) -> Snapshot {
    let (utx, mut urx) = mpsc::unbounded_channel::<sources::LoadUpdate>();
    let forward = tokio::spawn(async move {
        let mut pending: Option<Box<Snapshot>> = None;
        loop {
            // Take everything queued; keep the newest partial.
            let closed = loop {
                match urx.try_recv() {
                    Ok(sources::LoadUpdate::Progress(p)) => {
                        let _ = tx.send(Event::Loading(p.text()));
                    }
                    Ok(sources::LoadUpdate::Partial(snap)) => pending = Some(snap),
                    Err(mpsc::error::TryRecvError::Empty) => break false,
                    Err(mpsc::error::TryRecvError::Disconnected) => break true,
                }
            };
            // The final snapshot follows at once: a partial now would be stale.
            if closed {
                break;
            }
            if let Some(snap) = pending.take() {
                let posture = posture.clone();
                let built = tokio::task::spawn_blocking(move || {
                    Dataset::from_snapshot(*snap, Origin::Live, &posture)
                })
                .await;
                if let Ok(d) = built
                    && tx.send(Event::Partial(Box::new(d))).is_err()
                {
                    break;
                }
                continue;
            }
            match urx.recv().await {
                Some(sources::LoadUpdate::Progress(p)) => {
                    let _ = tx.send(Event::Loading(p.text()));
                }
                Some(sources::LoadUpdate::Partial(snap)) => pending = Some(snap),
                None => break,
            }
        }
    });
    let snap = Box::pin(sources::load(&ctx, Some(utx))).await;
    let _ = forward.await;
    snap
}

/// Normalizes in a background task and reports through the event channel.
fn spawn_load(
    tx: mpsc::UnboundedSender<Event>,
    spec: LoadSpec,
    pre: Option<Snapshot>,
    posture: PostureConfig,
) {
    let _ = tx.send(Event::Loading(match &spec {
        LoadSpec::Demo => "loading the demo account".into(),
        LoadSpec::File(p) => format!("loading {}", p.display()),
        LoadSpec::Live(ctx) => format!(
            "reading account {} in {}",
            ctx.account_id,
            ctx.regions.join(", ")
        ),
    }));
    if let (LoadSpec::Live(ctx), None) = (&spec, &pre) {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let snap = load_live(tx.clone(), ctx, posture.clone()).await;
            if sources::credentials_expired(&snap) {
                // Keep what is on screen; renew, then read again.
                let _ = tx.send(Event::SessionExpired);
                return;
            }
            let data = tokio::task::spawn_blocking(move || {
                Dataset::from_snapshot(snap, Origin::Live, &posture)
            })
            .await;
            let _ = tx.send(match data {
                Ok(d) => Event::Loaded(Box::new(d)),
                Err(e) => Event::LoadFailed(format!("normalizing failed: {e}")),
            });
        });
        return;
    }
    tokio::task::spawn_blocking(move || {
        let snap = match pre {
            Some(s) => Ok(s),
            None => load_snapshot(&spec),
        };
        let ev = match snap {
            Ok(s) => Event::Loaded(Box::new(Dataset::from_snapshot(s, origin(&spec), &posture))),
            Err(e) => {
                tracing::warn!(error = %e, "reload failed");
                Event::LoadFailed(format!("{e:#}"))
            }
        };
        let _ = tx.send(ev);
    });
}

/// At most one frame per 16 ms (60 per second).
const FRAME: std::time::Duration = std::time::Duration::from_millis(16);

/// Restores the terminal however the loop ends (return, `?`, panic unwinding).
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // While unwinding from a panic, ratatui's hook has already restored the terminal and
        // printed the message; leaving the alternate screen a second time would make the
        // terminal redraw the saved screen over that message.
        if std::thread::panicking() {
            return;
        }
        ratatui::restore();
    }
}

async fn tui(
    cli: Cli,
    spec: LoadSpec,
    first: Option<Snapshot>,
    theme: Theme,
    posture: PostureConfig,
    started: Instant,
    incident: Option<guardpost::incident::Incident>,
) -> anyhow::Result<()> {
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init().context("cannot initialize the terminal")?;
    let _guard = TerminalGuard;
    let size = terminal.size()?;
    let mut state = State::new(cli.read_only, (size.width, size.height));
    if let LoadSpec::Live(ctx) = &spec
        && let Some(s) = &ctx.session
    {
        state.session = Some(app::Session::new(s.expires, s.mfa));
    }
    if let LoadSpec::Live(ctx) = &spec {
        state.endpoint = ctx.endpoint.clone();
    }
    // Renewing a session swaps the live context; a reload reads whatever is current.
    let spec = std::sync::Arc::new(std::sync::Mutex::new(spec));
    let current = |spec: &std::sync::Arc<std::sync::Mutex<LoadSpec>>| {
        spec.lock().unwrap_or_else(|e| e.into_inner()).clone()
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let runner = guardpost::remediation::runner::Runner::new(
        guardpost::remediation::runner::default_journal(),
        match current(&spec) {
            LoadSpec::Live(ctx) => Some(*ctx),
            _ => None,
        },
        cli.read_only,
        cli.dry_run,
    );
    state.act.dry_run = runner.dry_run();
    state.act.dry_run_reason = runner.dry_run_reason();
    state.act.account = runner.account();
    state.act.caller = runner.caller();
    let _ = tx.send(runner.journal_event(true));
    if let Some(inc) = incident {
        let _ = tx.send(Event::IncidentOpened(Box::new(inc)));
    }

    // Input runs on its own thread: crossterm's read blocks, and the loop must never block on it.
    let input_tx = tx.clone();
    std::thread::spawn(move || {
        loop {
            let ev = match crossterm::event::read() {
                Ok(crossterm::event::Event::Key(k)) => Event::Key(k),
                Ok(crossterm::event::Event::Resize(w, h)) => Event::Resize(w, h),
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "terminal input failed");
                    break;
                }
            };
            if input_tx.send(ev).is_err() {
                break;
            }
        }
    });
    let tick_tx = tx.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            every.tick().await;
            if tick_tx.send(Event::Tick(chrono::Utc::now())).is_err() {
                break;
            }
        }
    });
    spawn_load(tx.clone(), current(&spec), first, posture.clone());

    let panic_after_first_frame = std::env::var_os("GUARDPOST_TEST_PANIC").is_some();
    loop {
        terminal.draw(|f| ui::render(&state, &theme, f))?;
        if state.data.is_some() {
            if cli.exit_after_first_frame {
                drop(_guard);
                println!(
                    "first frame with data after {:.1} ms",
                    started.elapsed().as_secs_f64() * 1000.0
                );
                return Ok(());
            }
            if panic_after_first_frame {
                panic!("GUARDPOST_TEST_PANIC: deliberate panic to test terminal restoration");
            }
        }
        let last_frame = tokio::time::Instant::now();
        let Some(ev) = rx.recv().await else { break };
        let mut effects = app::update(&mut state, ev);
        // Coalesce: keep absorbing events until a frame's time has passed since the last
        // draw, so a burst (key repeat, a load) costs one frame, not one per event. A key
        // after a quiet spell is drawn at once (the deadline has already passed).
        let deadline = last_frame + FRAME;
        loop {
            match rx.try_recv() {
                Ok(ev) => effects.extend(app::update(&mut state, ev)),
                Err(_) if tokio::time::Instant::now() >= deadline => break,
                Err(_) => tokio::select! {
                    ev = rx.recv() => match ev {
                        Some(ev) => effects.extend(app::update(&mut state, ev)),
                        None => break,
                    },
                    _ = tokio::time::sleep_until(deadline) => break,
                },
            }
        }
        for effect in effects {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::Copy(text) => {
                    use crossterm::clipboard::CopyToClipboard;
                    if let Err(e) = crossterm::execute!(
                        std::io::stdout(),
                        CopyToClipboard::to_clipboard_from(&text)
                    ) {
                        tracing::warn!(error = %e, "clipboard write failed");
                    }
                }
                Effect::Reload => spawn_load(tx.clone(), current(&spec), None, posture.clone()),
                Effect::Execute(plan) => runner.spawn_execute(*plan, tx.clone()),
                Effect::Verify(id) => runner.spawn_verify(id, tx.clone()),
                Effect::IncidentStart(b) => {
                    let (book, subject) = *b;
                    let account = state
                        .data
                        .as_ref()
                        .map(|d| d.account.id.clone())
                        .unwrap_or_default();
                    runner.start_incident(book, subject, &account, &tx);
                }
                Effect::IncidentAppend(rec) => runner.append_incident(*rec, &tx),
                Effect::IncidentExport(id) => runner.export_incident(&id, &tx),
                Effect::IncidentLookup {
                    step,
                    value,
                    by_user,
                } => runner.spawn_lookup(step, value, by_user, tx.clone()),
                Effect::RenewSession(code) => {
                    let LoadSpec::Live(ctx) = current(&spec) else {
                        continue;
                    };
                    let (spec, tx, runner) = (spec.clone(), tx.clone(), runner.clone());
                    tokio::spawn(async move {
                        let code = code.as_ref().map(|c| c.0.as_str());
                        let ev = match Box::pin(ctx.renew(code)).await {
                            Ok(new) => {
                                let s = new.session.clone();
                                // Actions use the new credentials too.
                                runner.set_context(new.clone());
                                *spec.lock().unwrap_or_else(|e| e.into_inner()) =
                                    LoadSpec::Live(Box::new(new));
                                match s {
                                    Some(s) => {
                                        Event::SessionRenewed(app::Session::new(s.expires, s.mfa))
                                    }
                                    None => Event::SessionRenewFailed("no session".into()),
                                }
                            }
                            Err(e) => Event::SessionRenewFailed(e.to_string()),
                        };
                        let _ = tx.send(ev);
                    });
                }
            }
        }
    }
    Ok(())
}

/// Logs go to `$XDG_STATE_HOME/guardpost/guardpost.log`, never to the screen.
fn init_logging(level: &str) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = std::env::var_os("GUARDPOST_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::state_dir().map(|d| d.join("guardpost")))
        .or_else(|| dirs::home_dir().map(|d| d.join(".local/state/guardpost")))?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "guardpost.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_new(format!("guardpost={level}"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("guardpost=info"));
    tracing_subscriber::fmt()
        .with_writer(sanitize::LogWriter(writer))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
