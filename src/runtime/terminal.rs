//! The terminal: the guard that restores it however guardpost ends, the input and tick
//! threads, and the loop (draw, await events, run `app::update`, carry out the effects).
use super::effects::{Effects, Runner, default_journal};
use super::load::LoadSpec;
use crate::app::{self, Event, Session, State};
use crate::incident::Incident;
use crate::posture::PostureConfig;
use crate::snapshot::Snapshot;
use crate::ui::{self, theme::Theme};
use anyhow::Context;
use std::time::Instant;
use tokio::sync::mpsc;

/// At most one frame per 16 ms (60 per second).
const FRAME: std::time::Duration = std::time::Duration::from_millis(16);

/// How the TUI runs.
pub struct TuiOptions {
    /// Whether guardpost may change anything, and why (`config::Config::read_only`).
    pub read_only: crate::config::ReadOnly,
    pub dry_run: bool,
    /// Exit right after the first frame with data, printing the time it took.
    pub exit_after_first_frame: bool,
    /// When the process started (for `exit_after_first_frame`).
    pub started: Instant,
    /// `--org`: read every account of the organization.
    pub org: Option<super::org::OrgTui>,
}

/// Restores the terminal however the loop ends (return, `?`, panic unwinding).
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // Harmless while panicking too: it redraws nothing.
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
        // While unwinding from a panic, ratatui's hook has already restored the terminal and
        // printed the message; leaving the alternate screen a second time would make the
        // terminal redraw the saved screen over that message.
        if std::thread::panicking() {
            return;
        }
        ratatui::restore();
    }
}

/// Reads the terminal on its own thread (crossterm's read blocks; the loop must never block
/// on it). Every key is preceded by the input clock, so keys of one burst share a time.
fn spawn_input(tx: mpsc::UnboundedSender<Event>, clock: Instant) {
    std::thread::spawn(move || {
        loop {
            let ev = match crossterm::event::read() {
                Ok(crossterm::event::Event::Key(k)) => {
                    if tx.send(Event::Clock(clock.elapsed())).is_err() {
                        break;
                    }
                    Event::Key(k)
                }
                // Bracketed paste: one event, never keys.
                Ok(crossterm::event::Event::Paste(s)) => Event::Paste(s),
                Ok(crossterm::event::Event::Resize(w, h)) => Event::Resize(w, h),
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "terminal input failed");
                    break;
                }
            };
            if tx.send(ev).is_err() {
                break;
            }
        }
    });
}

/// The wall clock once a second.
fn spawn_tick(tx: mpsc::UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            every.tick().await;
            if tx.send(Event::Tick(chrono::Utc::now())).is_err() {
                break;
            }
        }
    });
}

pub async fn run(
    opts: TuiOptions,
    spec: LoadSpec,
    first: Option<Snapshot>,
    theme: Theme,
    posture: PostureConfig,
    incident: Option<Incident>,
) -> anyhow::Result<()> {
    // ratatui::init installs a panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init().context("cannot initialize the terminal")?;
    let _guard = TerminalGuard;
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)
        .context("cannot enable bracketed paste")?;
    let clock = Instant::now();
    let size = terminal.size()?;
    let mut state = State::new(opts.read_only.on, (size.width, size.height));
    // The clock is known before any key or data arrives.
    app::update(&mut state, Event::Tick(chrono::Utc::now()));
    if let LoadSpec::Live(ctx) = &spec
        && let Some(s) = &ctx.session
    {
        state.session = Some(Session::new(s.expires, s.mfa));
    }
    if let LoadSpec::Live(ctx) = &spec {
        state.endpoint = ctx.endpoint.clone();
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
    let runner = Runner::new(
        default_journal(),
        match &spec {
            LoadSpec::Live(ctx) => Some((**ctx).clone()),
            _ => None,
        },
        opts.read_only.clone(),
        opts.dry_run,
    );
    state.act.dry_run = runner.dry_run();
    state.act.dry_run_reason = runner.dry_run_reason();
    state.act.account = runner.account();
    state.act.caller = runner.caller();
    let _ = tx.send(runner.journal_event(true));
    if opts.read_only.on {
        let _ = tx.send(Event::Notice {
            error: false,
            text: format!("READ-ONLY: {}", opts.read_only.reason),
        });
    }
    if let Some(inc) = incident {
        let _ = tx.send(Event::IncidentOpened(Box::new(inc)));
    }
    spawn_input(tx.clone(), clock);
    spawn_tick(tx.clone());
    let mut effects = Effects::new(runner, spec, posture, tx, opts.org);
    effects.load(first);

    let panic_after_first_frame = std::env::var_os("GUARDPOST_TEST_PANIC").is_some();
    loop {
        terminal.draw(|f| ui::render(&state, &theme, f))?;
        app::update(&mut state, Event::Drawn(clock.elapsed()));
        if state.data.is_some() {
            if opts.exit_after_first_frame {
                drop(_guard);
                println!(
                    "first frame with data after {:.1} ms",
                    opts.started.elapsed().as_secs_f64() * 1000.0
                );
                return Ok(());
            }
            if panic_after_first_frame {
                panic!("GUARDPOST_TEST_PANIC: deliberate panic to test terminal restoration");
            }
        }
        let last_frame = tokio::time::Instant::now();
        let Some(ev) = rx.recv().await else { break };
        let mut todo = app::update(&mut state, ev);
        // Coalesce: keep absorbing events until a frame's time has passed since the last
        // draw, so a burst (key repeat, a load) costs one frame, not one per event. A key
        // after a quiet spell is drawn at once (the deadline has already passed).
        let deadline = last_frame + FRAME;
        loop {
            match rx.try_recv() {
                Ok(ev) => todo.extend(app::update(&mut state, ev)),
                Err(_) if tokio::time::Instant::now() >= deadline => break,
                Err(_) => tokio::select! {
                    ev = rx.recv() => match ev {
                        Some(ev) => todo.extend(app::update(&mut state, ev)),
                        None => break,
                    },
                    _ = tokio::time::sleep_until(deadline) => break,
                },
            }
        }
        for effect in todo {
            if !effects.run(effect, &state) {
                return Ok(());
            }
        }
    }
    Ok(())
}
