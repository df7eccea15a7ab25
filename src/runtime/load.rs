//! What to load and how: the one resolver of demo / snapshot file / live account, the
//! credential prompt used before the terminal is touched, and the streaming live load.
use crate::app::Event;
use crate::dataset::{Dataset, Origin};
use crate::posture::PostureConfig;
use crate::snapshot::Snapshot;
use crate::sources::session::CodeRequest;
use crate::sources::{self, AwsContext, LiveOptions};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// What to load, resolved before the terminal is touched so a bad file never leaves it raw.
#[derive(Clone)]
pub enum LoadSpec {
    Demo,
    File(PathBuf),
    /// An organization snapshot (`snapshot save --org`): every account, read offline.
    OrgFile(PathBuf),
    Live(Box<AwsContext>),
}

impl LoadSpec {
    /// `--snapshot FILE`, else `--demo`, else the live account (`live` resolves credentials,
    /// asking for an MFA code when needed).
    pub fn resolve(
        snapshot: Option<&Path>,
        demo: bool,
        live: impl FnOnce() -> anyhow::Result<Box<AwsContext>>,
    ) -> anyhow::Result<LoadSpec> {
        Ok(match (snapshot, demo) {
            (Some(p), _) if crate::snapshot::OrgSnapshot::sniff(p) => {
                LoadSpec::OrgFile(p.to_path_buf())
            }
            (Some(p), _) => LoadSpec::File(p.to_path_buf()),
            (None, true) => LoadSpec::Demo,
            (None, false) => LoadSpec::Live(live()?),
        })
    }

    pub fn origin(&self) -> Origin {
        match self {
            LoadSpec::Demo => Origin::Demo,
            LoadSpec::File(p) | LoadSpec::OrgFile(p) => Origin::Snapshot(p.display().to_string()),
            LoadSpec::Live(_) => Origin::Live,
        }
    }

    /// Who acts: the live caller's ARN, or the local user for demo and snapshot data (the
    /// incident timeline always says who did a step).
    pub fn caller(&self) -> Option<String> {
        match self {
            LoadSpec::Live(ctx) => ctx.caller_arn.clone(),
            _ => Some(local_caller()),
        }
    }

    /// Reads it once, to the end (a live account on `rt`, without streaming): what `plan`
    /// names of a live account; demo and files hold what they hold.
    pub fn read(
        &self,
        rt: &tokio::runtime::Runtime,
        plan: &sources::LoadPlan,
    ) -> anyhow::Result<Snapshot> {
        Ok(match self {
            LoadSpec::Demo => Snapshot::demo(),
            LoadSpec::File(p) => Snapshot::load(p)?,
            LoadSpec::OrgFile(p) => anyhow::bail!(
                "{} holds an organization (many accounts): open it in the console, or check it with check --snapshot",
                p.display()
            ),
            LoadSpec::Live(ctx) => rt.block_on(Box::pin(sources::load_with(ctx, plan, None))),
        })
    }

    /// Demo and file specs only (no async runtime needed).
    fn read_file(&self) -> anyhow::Result<Snapshot> {
        Ok(match self {
            LoadSpec::Demo => Snapshot::demo(),
            LoadSpec::File(p) => Snapshot::load(p)?,
            LoadSpec::OrgFile(_) | LoadSpec::Live(_) => {
                anyhow::bail!("not a single-account snapshot")
            }
        })
    }

    fn loading_text(&self) -> String {
        match self {
            LoadSpec::Demo => "loading the demo account".into(),
            LoadSpec::File(p) | LoadSpec::OrgFile(p) => format!("loading {}", p.display()),
            LoadSpec::Live(ctx) => format!(
                "reading account {} in {}",
                ctx.account_id,
                ctx.regions.join(", ")
            ),
        }
    }
}

/// The async runtime guardpost runs on.
pub fn async_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // SDK futures and deserializers are large in debug builds, where the SDK clients are
        // not optimized (Cargo.toml); only the stack actually touched is committed.
        .thread_stack_size(if cfg!(debug_assertions) { 64 } else { 8 } * 1024 * 1024)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Where MFA codes are asked for when none was given with --mfa-code / GUARDPOST_MFA_CODE.
#[derive(Clone, Copy)]
pub enum Ask {
    /// The controlling terminal (/dev/tty), before the TUI starts.
    Tty,
    /// Standard input, only if it is a terminal (`guardpost check`).
    Stdin,
}

pub fn ask_code(how: Ask, r: &CodeRequest) -> Result<String, String> {
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
pub fn live_context(
    opts: &LiveOptions,
    rt: &tokio::runtime::Runtime,
    how: Ask,
) -> anyhow::Result<Box<AwsContext>> {
    // A mistyped region (from the config's default_regions) is bad input, not a region where
    // every service looks off.
    crate::sources::regions::validate(&opts.regions).map_err(anyhow::Error::msg)?;
    let mut ask = move |r: &CodeRequest| ask_code(how, r);
    let ctx = rt.block_on(Box::pin(AwsContext::resolve_asking(opts, &mut ask)))?;
    if let Some(s) = &ctx.session {
        tracing::info!(expires = %s.expires, mfa = s.mfa, "using temporary credentials");
    }
    tracing::info!(account = %ctx.account_id, regions = ?ctx.regions, "live account");
    Ok(Box::new(ctx))
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
pub fn spawn_load(
    tx: mpsc::UnboundedSender<Event>,
    spec: LoadSpec,
    pre: Option<Snapshot>,
    posture: PostureConfig,
) {
    let _ = tx.send(Event::Loading(spec.loading_text()));
    if let LoadSpec::OrgFile(path) = &spec {
        let path = path.clone();
        tokio::task::spawn_blocking(move || org_file(&tx, &path, &posture));
        return;
    }
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
            None => spec.read_file(),
        };
        let ev = match snap {
            Ok(s) => Event::Loaded(Box::new(Dataset::from_snapshot(s, spec.origin(), &posture))),
            Err(e) => {
                tracing::warn!(error = %e, "reload failed");
                Event::LoadFailed(format!("{e:#}"))
            }
        };
        let _ = tx.send(ev);
    });
}

/// The person at the terminal when there is no AWS identity (demo, snapshot): `local user NAME`.
/// Only `[A-Za-z0-9._@-]` of `$USER` is kept: it is written to timelines.
pub fn local_caller() -> String {
    let name: String = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._@-".contains(*c))
        .take(64)
        .collect();
    let name = if name.is_empty() { "unknown" } else { &name };
    format!("local user {name} (no AWS identity)")
}

/// Opens an organization snapshot in the console: the accounts, then each account's dataset,
/// as a live `--org` read would hand them over.
fn org_file(tx: &mpsc::UnboundedSender<Event>, path: &Path, posture: &PostureConfig) {
    let org = match crate::snapshot::OrgSnapshot::load(path) {
        Ok(o) => o,
        Err(e) => {
            let _ = tx.send(Event::LoadFailed(format!("{e:#}")));
            return;
        }
    };
    let _ = tx.send(Event::OrgListed {
        organization: org.organization.clone(),
        accounts: org.accounts.iter().map(|a| a.account.clone()).collect(),
        note: None,
    });
    let origin = Origin::Snapshot(path.display().to_string());
    for a in org.accounts {
        let id = a.account.id.clone();
        let result = a
            .into_result()
            .map(|s| Box::new(Dataset::from_snapshot(s, origin.clone(), posture)));
        let _ = tx.send(Event::AccountRead {
            id,
            result,
            at: org.captured_at,
        });
    }
}
