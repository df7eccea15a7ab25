//! `guardpost incident ...` before and without the TUI: start or resume an incident (resolved
//! before the terminal is touched, so a wrong id is a plain message and exit code 2), and the
//! offline commands (export, list, playbooks).
use super::load::LoadSpec;
use crate::dataset::Dataset;
use crate::incident::{self, Incident, store, timeline};
use crate::posture::PostureConfig;
use crate::snapshot::Snapshot;
use anyhow::Context;
use std::path::PathBuf;

/// What `guardpost incident` was asked to start.
#[derive(Debug, Clone, Default)]
pub struct IncidentRequest {
    /// `resume [ID]` (None inside: the newest unfinished one).
    pub resume: Option<Option<String>>,
    pub access_key: Option<String>,
    pub finding: Option<String>,
    pub playbook: Option<String>,
}

/// The incident commands that need no account.
#[derive(Debug, Clone)]
pub enum Offline {
    Playbooks,
    List,
    Export {
        id: Option<String>,
        json: bool,
        output: Option<PathBuf>,
    },
}

/// Loads the account once, resolves what the incident is about, and creates (or resumes) it.
pub fn prepare(
    args: &IncidentRequest,
    spec: &LoadSpec,
    first: Option<Snapshot>,
    posture: &PostureConfig,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<(Snapshot, Incident)> {
    let (snap, caller) = match first {
        Some(s) => (s, None),
        None => (
            spec.read(rt, &crate::sources::LoadPlan::everything())?,
            spec.caller(),
        ),
    };
    let data = Dataset::from_snapshot(snap.clone(), spec.origin(), posture);
    let dir = store::default_dir()
        .ok_or_else(|| anyhow::anyhow!("no state directory: set GUARDPOST_STATE_DIR"))?;
    let now = chrono::Utc::now();
    let inc = match (&args.resume, &args.access_key, &args.finding) {
        (Some(id), _, _) => {
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
pub fn offline(action: Offline) -> anyhow::Result<()> {
    match action {
        Offline::Playbooks => {
            for p in incident::playbooks() {
                let line = format!("{:<34} {} ({} steps)", p.id, p.title, p.steps.len());
                println!("{}", crate::sanitize::line(&line));
            }
        }
        Offline::List => {
            let dir = store::default_dir()
                .ok_or_else(|| anyhow::anyhow!("no state directory: set GUARDPOST_STATE_DIR"))?;
            for inc in store::list(&dir) {
                match inc {
                    Ok(i) => {
                        let done = i.steps.iter().filter(|s| s.status.is_settled()).count();
                        let line = format!(
                            "{}  {}  {}  {done}/{} steps{}",
                            i.id,
                            i.playbook.id,
                            i.subject.label(),
                            i.steps.len(),
                            if i.finished() { "  finished" } else { "" }
                        );
                        println!("{}", crate::sanitize::line(&line));
                    }
                    Err(e) => eprintln!("guardpost: {}", crate::sanitize::line(&e)),
                }
            }
        }
        Offline::Export { id, json, output } => {
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
            let text = if json {
                crate::sanitize::json(serde_json::to_string_pretty(&timeline::json(&inc))?) + "\n"
            } else {
                timeline::markdown(&inc)
            };
            match output {
                Some(p) => crate::storage::write_private(&p, text.as_bytes())
                    .with_context(|| format!("cannot write {}", p.display()))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}
