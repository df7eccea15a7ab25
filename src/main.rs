//! The guardpost binary: CLI, logging, and the one terminal loop.
use anyhow::Context;
use clap::{Parser, Subcommand};
use guardpost::app::{self, Effect, Event, State};
use guardpost::check::CheckArgs;
use guardpost::config::Config;
use guardpost::dataset::{Dataset, Origin};
use guardpost::posture::PostureConfig;
use guardpost::snapshot::Snapshot;
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
    /// Never change anything in the account (shown in the header).
    #[arg(long)]
    read_only: bool,
    /// Log level for the log file (error, warn, info, debug, trace).
    #[arg(
        long,
        global = true,
        value_name = "LEVEL",
        env = "GUARDPOST_LOG",
        default_value = "info"
    )]
    log_level: String,
    /// Exit right after the first frame with data, printing the time it took (for measurements).
    #[arg(long, hide = true)]
    exit_after_first_frame: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check the account headlessly (no TUI) and report: exit 0 pass, 1 a finding at or above
    /// --fail-on, 2 error. See docs/check.md.
    Check(CheckArgs),
}

/// What to load, resolved before the terminal is touched so a bad file never leaves it raw.
#[derive(Clone)]
enum LoadSpec {
    Demo,
    File(PathBuf),
}

fn main() -> ExitCode {
    let started = Instant::now();
    let mut cli = Cli::parse();
    let result = match cli.command.take() {
        Some(Command::Check(args)) => check(cli, args),
        None => run(cli, started).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("guardpost: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli, started: Instant) -> anyhow::Result<()> {
    let _log_guard = init_logging(&cli.log_level);
    let spec = match (&cli.snapshot, cli.demo) {
        (Some(p), _) => LoadSpec::File(p.clone()),
        (None, true) => LoadSpec::Demo,
        (None, false) => anyhow::bail!(
            "loading from a live AWS account is not available in this version; \
             try `guardpost --demo` or `guardpost --snapshot FILE`"
        ),
    };
    // Validate the snapshot up front: errors exit with code 2 and an untouched terminal.
    let first = load_snapshot(&spec)?;
    let cfg = Config::load(cli.config.as_deref())?;
    // No AWS profile yet (live loading comes later): global settings apply.
    let theme = cfg.load_theme(cli.theme.as_deref(), None)?;
    let posture = cfg.posture.clone();
    let cli = Cli {
        read_only: cli.read_only || cfg.read_only_for(None),
        ..cli
    };
    tracing::info!(origin = ?origin(&spec), "starting");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(tui(cli, spec, first, theme, posture, started))
}

/// `guardpost check`: load, evaluate, report; never touches the terminal or reads input.
fn check(cli: Cli, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let _log_guard = init_logging(&cli.log_level);
    let spec = match (&cli.snapshot, cli.demo) {
        (Some(p), _) => LoadSpec::File(p.clone()),
        (None, true) => LoadSpec::Demo,
        (None, false) => anyhow::bail!(
            "loading from a live AWS account is not available in this version; \
             try `guardpost check --demo` or `guardpost check --snapshot FILE`"
        ),
    };
    let snap = load_snapshot(&spec)?;
    let cfg = Config::load(cli.config.as_deref())?;
    let data = Dataset::from_snapshot(snap, origin(&spec), &cfg.posture);
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
    }
}

fn load_snapshot(spec: &LoadSpec) -> anyhow::Result<Snapshot> {
    Ok(match spec {
        LoadSpec::Demo => Snapshot::demo(),
        LoadSpec::File(p) => Snapshot::load(p)?,
    })
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
    }));
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
        ratatui::restore();
    }
}

async fn tui(
    cli: Cli,
    spec: LoadSpec,
    first: Snapshot,
    theme: Theme,
    posture: PostureConfig,
    started: Instant,
) -> anyhow::Result<()> {
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init().context("cannot initialize the terminal")?;
    let _guard = TerminalGuard;
    let size = terminal.size()?;
    let mut state = State::new(cli.read_only, (size.width, size.height));
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();

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
    spawn_load(tx.clone(), spec.clone(), Some(first), posture.clone());

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
                Effect::Reload => spawn_load(tx.clone(), spec.clone(), None, posture.clone()),
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
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
