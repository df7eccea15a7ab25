//! Runs a [`Plan`]: read-only and dry-run are enforced here, not only in the UI; preconditions
//! are checked against the live account; every call is journaled (intent, then result) before
//! the next one starts.

use super::journal::{Body, Journal, Status, new_id};
use super::{ApiCall, Plan, catalog};
use serde_json::{Value, json};
use std::future::Future;
use std::sync::Mutex;

/// An AWS error as the executor needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    /// The service's error code (`NoSuchEntity`, `AccessDenied`, ...).
    pub code: Option<String>,
    /// A sentence for the screen; an AccessDenied names the missing permission.
    pub message: String,
}

impl CallError {
    pub fn not_found(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("NoSuchEntity" | "ResourceNotFoundException" | "BadRequestException")
        ) && !self.message.contains("AccessDenied")
    }
}

/// Makes one API call. [`super::aws::AwsBackend`] is the real one.
pub trait Backend: Send + Sync {
    fn call(&self, call: &ApiCall) -> impl Future<Output = Result<Value, CallError>> + Send;
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Refuse every mutating call ([`crate::config::Config::read_only`]'s decision).
    pub read_only: bool,
    /// Why (shown with the refusal).
    pub read_only_reason: String,
    /// Journal the plan, call nothing.
    pub dry_run: bool,
    pub account: String,
    pub caller: Option<String>,
    /// The `check --fix` run the action belongs to (journaled with it).
    pub run: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExecError {
    #[error("read-only mode: guardpost refuses to call {call} ({reason})")]
    ReadOnly { call: String, reason: String },
    #[error("{0}")]
    Journal(String),
}

/// What the UI shows while an action runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Checking(String),
    Calling {
        index: usize,
        total: usize,
        call: String,
    },
    Called {
        index: usize,
        ok: bool,
        detail: String,
    },
}

/// One call's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CallResult {
    pub call: ApiCall,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub message: String,
    pub results: Vec<CallResult>,
    pub undo: Vec<ApiCall>,
    pub targets: Vec<String>,
}

fn journal(j: &Mutex<Journal>, id: &str, body: Body) -> Result<(), ExecError> {
    j.lock()
        .map_err(|_| ExecError::Journal("the journal lock is poisoned".into()))?
        .append(id, body)
        .map_err(ExecError::Journal)
}

/// Runs `plan`. Errors only when nothing was done (read-only, journal unwritable); every other
/// outcome, failures included, is an [`Outcome`] that is also in the journal.
pub async fn execute<B: Backend>(
    backend: &B,
    j: &Mutex<Journal>,
    plan: &Plan,
    opts: &Options,
    progress: impl Fn(Progress),
) -> Result<Outcome, ExecError> {
    if opts.read_only
        && let Some(c) = plan.calls.iter().find(|c| c.is_mutating())
    {
        return Err(ExecError::ReadOnly {
            call: c.permission(),
            reason: opts.read_only_reason.clone(),
        });
    }
    let id = new_id();
    journal(
        j,
        &id,
        Body::Plan {
            plan: Box::new(plan.clone()),
            account: opts.account.clone(),
            caller: opts.caller.clone(),
            dry_run: opts.dry_run,
            run: opts.run.clone(),
        },
    )?;
    let mut out = Outcome {
        id: id.clone(),
        title: plan.title.clone(),
        status: Status::Succeeded,
        message: String::new(),
        results: Vec::new(),
        undo: Vec::new(),
        targets: plan.targets.clone(),
    };
    let finish = |out: &mut Outcome, status: Status, message: String| -> Result<(), ExecError> {
        out.status = status;
        out.message = message.clone();
        journal(
            j,
            &id,
            Body::Done {
                status,
                message,
                undo: out.undo.clone(),
            },
        )
    };

    if opts.dry_run {
        out.results = plan
            .calls
            .iter()
            .map(|c| CallResult {
                call: c.clone(),
                ok: true,
                detail: "not called (dry run)".into(),
            })
            .collect();
        // Nothing was captured in a dry run, so only undos that need no saved state are shown.
        if plan.capture.is_none() {
            out.undo = undo_calls(plan, plan.calls.len(), &Value::Null, &[]);
        }
        finish(
            &mut out,
            Status::DryRun,
            format!("dry run: {} call(s) planned, none made", plan.calls.len()),
        )?;
        return Ok(out);
    }

    for pre in &plan.preconditions {
        progress(Progress::Checking(pre.describe()));
        let holds = match backend.call(&pre.read()).await {
            Ok(v) => pre.holds(&v),
            Err(e) if e.not_found() => false,
            Err(e) => {
                let msg = format!("could not check that {}: {}", pre.describe(), e.message);
                finish(&mut out, Status::Failed, msg)?;
                return Ok(out);
            }
        };
        if !holds {
            let msg = format!(
                "nothing done: it is no longer true that {} (changed since it was loaded; press r to refresh)",
                pre.describe()
            );
            finish(&mut out, Status::Refused, msg)?;
            return Ok(out);
        }
    }

    let mut captured = json!({});
    if let Some(cap) = &plan.capture {
        for read in cap.reads() {
            progress(Progress::Checking(format!("saving {}", read.operation)));
            let v = match backend.call(&read).await {
                Ok(v) => v,
                Err(e) if e.not_found() => Value::Null,
                Err(e) => {
                    let msg = format!(
                        "nothing done: could not save the state an undo needs ({}): {}",
                        read.permission(),
                        e.message
                    );
                    finish(&mut out, Status::Failed, msg)?;
                    return Ok(out);
                }
            };
            captured[read.operation.as_str()] = v;
        }
        journal(
            j,
            &id,
            Body::Captured {
                state: captured.clone(),
            },
        )?;
    }

    let total = plan.calls.len();
    let mut done = 0usize;
    let mut failed: Option<String> = None;
    let mut item_failures: Vec<String> = Vec::new();
    let mut outputs: Vec<Value> = Vec::new();
    for (index, call) in plan.calls.iter().enumerate() {
        progress(Progress::Calling {
            index,
            total,
            call: call.display(),
        });
        journal(
            j,
            &id,
            Body::Intent {
                call: index,
                api: call.clone(),
            },
        )?;
        match backend.call(call).await {
            Ok(v) => {
                let items = batch_failures(&v);
                let detail = if items.is_empty() {
                    "ok".to_string()
                } else {
                    format!("{} item(s) failed: {}", items.len(), items.join("; "))
                };
                journal(
                    j,
                    &id,
                    Body::Result {
                        call: index,
                        ok: true,
                        output: Some(v.clone()),
                        error: None,
                    },
                )?;
                progress(Progress::Called {
                    index,
                    ok: items.is_empty(),
                    detail: detail.clone(),
                });
                out.results.push(CallResult {
                    call: call.clone(),
                    ok: items.is_empty(),
                    detail,
                });
                item_failures.extend(items);
                outputs.push(v);
                done += 1;
            }
            Err(e) => {
                journal(
                    j,
                    &id,
                    Body::Result {
                        call: index,
                        ok: false,
                        output: None,
                        error: Some(e.message.clone()),
                    },
                )?;
                progress(Progress::Called {
                    index,
                    ok: false,
                    detail: e.message.clone(),
                });
                out.results.push(CallResult {
                    call: call.clone(),
                    ok: false,
                    detail: e.message.clone(),
                });
                for rest in &plan.calls[index + 1..] {
                    out.results.push(CallResult {
                        call: rest.clone(),
                        ok: false,
                        detail: "not called: an earlier call failed".into(),
                    });
                }
                failed = Some(e.message);
                break;
            }
        }
    }

    out.undo = undo_calls(plan, done, &captured, &outputs);
    let (status, message) = match (&failed, done) {
        (Some(e), 0) => (Status::Failed, format!("failed: {e}")),
        (Some(e), n) => (
            Status::Partial,
            format!("{n} of {total} calls made, then: {e}"),
        ),
        (None, _) if !item_failures.is_empty() => (
            Status::Partial,
            format!(
                "{} item(s) failed: {}",
                item_failures.len(),
                item_failures.join("; ")
            ),
        ),
        (None, 0) if plan.capture.is_some() => (
            Status::Succeeded,
            "the state was read and saved to the journal".to_string(),
        ),
        (None, _) => (Status::Succeeded, format!("{total} call(s) succeeded")),
    };
    finish(&mut out, status, message)?;
    Ok(out)
}

/// Items a batch call reports as not processed (Security Hub's UnprocessedFindings).
fn batch_failures(v: &Value) -> Vec<String> {
    v["UnprocessedFindings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            format!(
                "{}: {} {}",
                u["FindingIdentifier"]["Id"].as_str().unwrap_or("?"),
                u["ErrorCode"].as_str().unwrap_or(""),
                u["ErrorMessage"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// The calls that undo the first `done` calls of `plan`, rebuilt by the catalog (the same
/// function `u` uses, so what the result shows is what an undo would do).
fn undo_calls(plan: &Plan, done: usize, captured: &Value, outputs: &[Value]) -> Vec<ApiCall> {
    let ran: Vec<bool> = (0..plan.calls.len()).map(|i| i < done).collect();
    catalog::rebuild_undo(plan, &ran, captured, outputs)
        .map(|p| p.calls)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
