//! The one effect interpreter: everything `app::update` asks for (executions, verifications,
//! the incident store, CloudTrail lookups, reloads, clipboard copies, session renewal) is
//! carried out here, and the results go back to the app as events.

use super::load::{LoadSpec, spawn_load};
use crate::app::{Effect, Event, Origin, Session, State};
use crate::posture::PostureConfig;
use crate::remediation::aws::AwsBackend;
use crate::remediation::executor::{self, Options, Outcome};
use crate::remediation::journal::{self, Journal};
use crate::remediation::{ApiCall, Plan};
use crate::sources::AwsContext;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Clone)]
pub struct Runner {
    /// The live account; swapped when MFA credentials are renewed.
    ctx: Arc<Mutex<Option<AwsContext>>>,
    read_only: bool,
    incidents: Option<PathBuf>,
    journal: Arc<Mutex<Journal>>,
    opts: Options,
    dry_run_reason: Option<String>,
    /// This process's claim token for incident steps (pid and start time: unique per session).
    token: Arc<str>,
}

impl Runner {
    /// `ctx` is None for demo and snapshot data: then every action is a dry run.
    pub fn new(
        journal_path: Option<PathBuf>,
        ctx: Option<AwsContext>,
        read_only: crate::config::ReadOnly,
        dry_run: bool,
    ) -> Runner {
        let journal = match journal_path {
            Some(p) => Journal::open(&p),
            None => Journal::unavailable(
                "there is no state directory for the journal (set GUARDPOST_STATE_DIR)",
            ),
        };
        let (account, caller) = ctx
            .as_ref()
            .map(|c| (c.account_id.clone(), c.caller_arn.clone()))
            .unwrap_or_else(|| (String::new(), Some(super::load::local_caller())));
        let dry_run_reason = match (&ctx, dry_run) {
            (_, true) => Some("--dry-run: plans are journaled, nothing is called".to_string()),
            (None, false) => Some(
                "demo / snapshot data: there is no account to change, plans are journaled only"
                    .to_string(),
            ),
            _ => None,
        };
        Runner {
            incidents: crate::incident::store::default_dir(),
            ctx: Arc::new(Mutex::new(ctx)),
            read_only: read_only.on,
            journal: Arc::new(Mutex::new(journal)),
            opts: Options {
                read_only: read_only.on,
                read_only_reason: read_only.reason,
                dry_run: dry_run_reason.is_some(),
                account,
                caller,
                run: None,
            },
            dry_run_reason,
            token: format!(
                "{}-{}",
                std::process::id(),
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
            )
            .into(),
        }
    }

    /// Claims step `step` of incident `incident` before its action runs (under the incident
    /// file's lock), so two responders never both run it.
    pub fn claim_step(&self, incident: &str, step: &str) -> Result<(), String> {
        let dir = self.incident_dir()?;
        crate::incident::store::claim(
            &dir,
            incident,
            step,
            &self.token,
            self.opts.caller.clone(),
            chrono::Utc::now(),
        )
    }

    /// The same runner acting in another account (`--org`): its credentials, its caller, its
    /// read-only setting; the journal and incidents are shared.
    pub fn for_account(&self, ctx: AwsContext, read_only: crate::config::ReadOnly) -> Runner {
        let mut r = self.clone();
        r.opts.account = ctx.account_id.clone();
        r.opts.caller = ctx.caller_arn.clone();
        r.opts.read_only = read_only.on;
        r.opts.read_only_reason = read_only.reason;
        r.read_only = read_only.on;
        r.ctx = Arc::new(Mutex::new(Some(ctx)));
        r
    }

    /// New credentials (a renewed MFA session): later actions use them.
    pub fn set_context(&self, ctx: AwsContext) {
        if let Ok(mut c) = self.ctx.lock() {
            *c = Some(ctx);
        }
    }

    fn context(&self) -> Option<AwsContext> {
        self.ctx.lock().ok().and_then(|c| c.clone())
    }

    fn backend(&self) -> Option<AwsBackend> {
        self.context().map(|c| AwsBackend::new(c, self.read_only))
    }

    pub fn caller(&self) -> Option<String> {
        self.opts.caller.clone()
    }

    /// Where incidents are kept (beside the journal).
    pub fn incident_dir(&self) -> Result<PathBuf, String> {
        self.incidents
            .clone()
            .ok_or_else(|| "no state directory (set GUARDPOST_STATE_DIR)".to_string())
    }

    /// Creates the incident's file and opens it in the app.
    pub fn start_incident(
        &self,
        playbook: crate::incident::Playbook,
        subject: crate::incident::Subject,
        account: &str,
        tx: &UnboundedSender<Event>,
    ) {
        let now = chrono::Utc::now();
        let id = crate::incident::new_id(now, &subject);
        let result = self.incident_dir().and_then(|dir| {
            crate::incident::store::start(
                &dir,
                &id,
                playbook,
                subject,
                account,
                self.opts.caller.clone(),
                now,
            )
        });
        let _ = tx.send(match result {
            Ok(inc) => Event::IncidentOpened(Box::new(inc)),
            Err(e) => Event::Notice {
                error: true,
                text: format!("no incident started: {e}"),
            },
        });
    }

    /// Appends a walkthrough record (with the caller) to the incident's file.
    pub fn append_incident(
        &self,
        mut rec: crate::incident::store::Record,
        tx: &UnboundedSender<Event>,
    ) {
        if rec.caller.is_none() {
            rec.caller = self.opts.caller.clone();
        }
        if let Err(e) = self
            .incident_dir()
            .and_then(|dir| crate::incident::store::append(&dir, &rec))
        {
            let _ = tx.send(Event::Notice {
                error: true,
                text: format!("the incident's progress was NOT saved: {e}"),
            });
        }
    }

    /// Writes `<id>.md` and `<id>.json` beside the incident's file.
    pub fn export_incident(&self, id: &str, tx: &UnboundedSender<Event>) {
        let result = self.incident_dir().and_then(|dir| {
            let inc = crate::incident::store::find(&dir, Some(id))?;
            let md = dir.join(format!("{id}.md"));
            let js = dir.join(format!("{id}.json"));
            let write = crate::storage::write_private;
            write(&md, crate::incident::timeline::markdown(&inc).as_bytes())
                .and_then(|()| {
                    write(
                        &js,
                        (serde_json::to_string_pretty(&crate::incident::timeline::json(&inc))
                            .unwrap_or_default()
                            + "\n")
                            .as_bytes(),
                    )
                })
                .map_err(|e| format!("cannot write the timeline: {e}"))?;
            Ok(format!(
                "timeline written: {} and {}",
                md.display(),
                js.display()
            ))
        });
        let _ = tx.send(match result {
            Ok(text) => Event::Notice { error: false, text },
            Err(text) => Event::Notice { error: true, text },
        });
    }

    pub fn account(&self) -> String {
        self.opts.account.clone()
    }

    pub fn dry_run(&self) -> bool {
        self.opts.dry_run
    }

    pub fn dry_run_reason(&self) -> Option<String> {
        self.dry_run_reason.clone()
    }

    /// The journal as an app event.
    pub fn journal_event(&self, first: bool) -> Event {
        match self.journal.lock() {
            Ok(mut j) => Event::Journal {
                // What other guardposts appended since.
                entries: {
                    j.refresh();
                    j.entries()
                },
                problem: j.problem().map(str::to_string),
                path: j.path().display().to_string(),
                first,
            },
            Err(_) => Event::Journal {
                entries: Vec::new(),
                problem: Some("the journal lock is poisoned".into()),
                path: String::new(),
                first,
            },
        }
    }

    pub fn spawn_execute(&self, plan: Plan, origin: Origin, tx: UnboundedSender<Event>) {
        let me = self.clone();
        tokio::spawn(async move {
            let ptx = tx.clone();
            let progress = move |p| {
                let _ = ptx.send(Event::ActionProgress(p));
            };
            let result = match me.backend() {
                Some(b) => executor::execute(&b, &me.journal, &plan, &me.opts, progress).await,
                // No account: dry run (the options say so); the backend is never called.
                None => executor::execute(&NoAccount, &me.journal, &plan, &me.opts, progress).await,
            };
            let _ = tx.send(Event::ActionDone {
                origin,
                result: Box::new(result.map_err(|e| e.to_string())),
            });
            let _ = tx.send(me.journal_event(false));
        });
    }

    /// Re-reads what an interrupted action acted on and journals what was seen.
    pub fn spawn_verify(&self, id: String, tx: UnboundedSender<Event>) {
        let me = self.clone();
        tokio::spawn(async move {
            let result = me.verify(&id).await;
            let _ = tx.send(Event::ActionDone {
                origin: Origin::Verify,
                result: Box::new(result),
            });
            let _ = tx.send(me.journal_event(false));
        });
    }

    async fn verify(&self, id: &str) -> Result<Outcome, String> {
        let Some(backend) = self.backend() else {
            return Err("verifying needs a live account".into());
        };
        crate::remediation::verify::verify(&backend, &self.journal, id).await
    }
}

impl Runner {
    /// Looks up what a key (or a user name) did in CloudTrail (every region read, last 90 days)
    /// for an incident step.
    pub fn spawn_lookup(
        &self,
        step: usize,
        value: String,
        by_user: bool,
        tx: UnboundedSender<Event>,
    ) {
        let ctx = self.context();
        tokio::spawn(async move {
            let result = match ctx {
                None => Err(
                    "CloudTrail needs a live account (this is demo or snapshot data)".to_string(),
                ),
                Some(ctx) => {
                    let end = chrono::Utc::now();
                    let start = end - chrono::Duration::days(90);
                    let regions = incident_regions(&ctx.regions);
                    let activity = if by_user {
                        crate::sources::cloudtrail::lookup_username(
                            &ctx, &value, &regions, start, end, 5_000,
                        )
                        .await
                    } else {
                        crate::sources::cloudtrail::lookup_access_key(
                            &ctx, &value, &regions, start, end, 5_000,
                        )
                        .await
                    };
                    Ok(crate::incident::inspect::cloudtrail_facts(&activity))
                }
            };
            let _ = tx.send(Event::IncidentLookedUp { step, result });
        });
    }
}

/// Where an incident looks in CloudTrail: an attacker uses the regions nobody watches, so every
/// region enabled by default, plus any other region the session reads (opt-in regions).
pub fn incident_regions(loaded: &[String]) -> Vec<String> {
    let mut out: Vec<String> = crate::sources::aws::DEFAULT_ENABLED_REGIONS
        .iter()
        .map(|r| r.to_string())
        .collect();
    for r in loaded {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    out
}

/// Stands in when there is no account; never called because such runs are dry runs.
struct NoAccount;

impl executor::Backend for NoAccount {
    async fn call(&self, call: &ApiCall) -> Result<Value, executor::CallError> {
        Err(executor::CallError {
            code: None,
            message: format!("no live account to call {}", call.permission()),
        })
    }
}

/// The default journal location (see [`journal::default_path`]).
pub fn default_journal() -> Option<PathBuf> {
    journal::default_path()
}

/// Carries out the app's effects.
pub struct Effects {
    pub runner: Runner,
    /// `--org`: the accounts' contexts; the runner above acts in the account shown.
    org: Option<(super::org::OrgTui, Runner)>,
    /// Renewing a session swaps the live context; a reload reads whatever is current.
    spec: Arc<Mutex<LoadSpec>>,
    posture: PostureConfig,
    tx: UnboundedSender<Event>,
}

impl Effects {
    pub fn new(
        runner: Runner,
        spec: LoadSpec,
        posture: PostureConfig,
        tx: UnboundedSender<Event>,
        org: Option<super::org::OrgTui>,
    ) -> Effects {
        Effects {
            org: org.map(|o| (o, runner.clone())),
            runner,
            spec: Arc::new(Mutex::new(spec)),
            posture,
            tx,
        }
    }

    /// What to load now (after a renewal: the new credentials).
    pub fn spec(&self) -> LoadSpec {
        self.spec.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts a load (the first one may come already read: a validated snapshot).
    pub fn load(&self, first: Option<crate::snapshot::Snapshot>) {
        if let (Some((org, _)), LoadSpec::Live(ctx)) = (&self.org, self.spec()) {
            org.spawn_load(self.tx.clone(), *ctx, None, self.posture.clone());
            return;
        }
        spawn_load(self.tx.clone(), self.spec(), first, self.posture.clone());
    }

    /// Carries out one effect; false for `Quit`.
    pub fn run(&mut self, effect: Effect, state: &State) -> bool {
        let tx = &self.tx;
        match effect {
            Effect::Quit => return false,
            Effect::UseAccount(id) => {
                if let Some((org, base)) = &self.org {
                    self.runner = match id.as_deref().and_then(|id| org.context(id)) {
                        Some(ctx) => base.for_account(ctx.clone(), org.read_only(&ctx.account_id)),
                        None => base.clone(),
                    };
                    let _ = tx.send(Event::ActingAs {
                        account: self.runner.account(),
                        caller: self.runner.caller(),
                        read_only: self
                            .runner
                            .opts
                            .read_only
                            .then(|| self.runner.opts.read_only_reason.clone()),
                    });
                }
            }
            Effect::Reload if self.org.is_some() => {
                let (Some((org, _)), LoadSpec::Live(ctx)) = (&self.org, self.spec()) else {
                    return true;
                };
                match org.stale(state) {
                    ids if ids.is_empty() => {
                        let _ = tx.send(Event::Notice {
                            error: false,
                            text: format!(
                                "every account was read less than {} min ago: nothing to re-read",
                                org.max_age_minutes
                            ),
                        });
                    }
                    ids => org.spawn_load(tx.clone(), *ctx, Some(ids), self.posture.clone()),
                }
            }
            Effect::Copy(text) => {
                use crossterm::clipboard::CopyToClipboard;
                if let Err(e) = crossterm::execute!(
                    std::io::stdout(),
                    CopyToClipboard::to_clipboard_from(&text)
                ) {
                    tracing::warn!(error = %e, "clipboard write failed");
                }
            }
            Effect::Reload => self.load(None),
            Effect::Execute { plan, origin } => {
                let claimed = match (origin, state.incident.as_deref()) {
                    (Origin::IncidentStep(n), Some(ui)) => match ui.inc.playbook.steps.get(n) {
                        Some(step) => self.runner.claim_step(&ui.inc.id, &step.id),
                        None => Ok(()),
                    },
                    _ => Ok(()),
                };
                match claimed {
                    Ok(()) => self.runner.spawn_execute(*plan, origin, tx.clone()),
                    Err(why) => {
                        let _ = tx.send(Event::ActionDone {
                            origin,
                            result: Box::new(Err(format!("not run: {why}"))),
                        });
                    }
                }
            }
            Effect::Verify(id) => self.runner.spawn_verify(id, tx.clone()),
            Effect::IncidentStart(b) => {
                let (book, subject) = *b;
                let account = state
                    .data
                    .as_ref()
                    .map(|d| d.account.id.clone())
                    .unwrap_or_default();
                self.runner.start_incident(book, subject, &account, tx);
            }
            Effect::IncidentAppend(rec) => self.runner.append_incident(*rec, tx),
            Effect::IncidentExport(id) => self.runner.export_incident(&id, tx),
            Effect::IncidentLookup {
                step,
                value,
                by_user,
            } => self.runner.spawn_lookup(step, value, by_user, tx.clone()),
            Effect::RenewSession(code) => self.renew(code),
        }
        true
    }

    fn renew(&self, code: Option<crate::sources::session::MfaCode>) {
        let LoadSpec::Live(ctx) = self.spec() else {
            return;
        };
        let (spec, tx, runner) = (self.spec.clone(), self.tx.clone(), self.runner.clone());
        tokio::spawn(async move {
            let code = code.as_ref().map(|c| c.0.as_str());
            let ev = match Box::pin(ctx.renew(code)).await {
                Ok(new) => {
                    let s = new.session.clone();
                    // Actions use the new credentials too.
                    runner.set_context(new.clone());
                    *spec.lock().unwrap_or_else(|e| e.into_inner()) = LoadSpec::Live(Box::new(new));
                    match s {
                        Some(s) => Event::SessionRenewed(Session::new(s.expires, s.mfa)),
                        None => Event::SessionRenewFailed("no session".into()),
                    }
                }
                Err(e) => Event::SessionRenewFailed(e.to_string()),
            };
            let _ = tx.send(ev);
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn incidents_look_in_every_default_region_and_the_loaded_opt_in_ones() {
        let r = super::incident_regions(&["eu-west-1".into(), "af-south-1".into()]);
        assert_eq!(
            r.len(),
            crate::sources::aws::DEFAULT_ENABLED_REGIONS.len() + 1
        );
        assert!(r.contains(&"ap-southeast-2".to_string()));
        assert_eq!(r.last().map(String::as_str), Some("af-south-1"));
    }
}
