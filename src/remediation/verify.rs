//! Crash recovery: an action whose outcome is unknown (guardpost stopped between a call's
//! intent and its result, or a record was torn) is settled by re-reading exactly what its calls
//! change — the key's status, the policy attachment, the inline policy, the finding's workflow
//! status or archive state — and journaling whether each call took effect. "Took effect" makes
//! the entry undoable with `u`; "did not take effect" says to run it again.

use super::catalog::effect_checks;
use super::executor::{Backend, CallResult, Outcome};
use super::journal::{Body, Entry, Journal, Status};
use serde_json::{Value, json};
use std::sync::Mutex;

/// The entries whose outcome is not known yet, oldest first: they stay visible (header,
/// `:journal`) until verified.
pub fn unverified(entries: &[Entry]) -> Vec<&Entry> {
    entries
        .iter()
        .filter(|e| e.status == Status::Unknown)
        .collect()
}

fn lock(j: &Mutex<Journal>) -> Result<std::sync::MutexGuard<'_, Journal>, String> {
    j.lock()
        .map_err(|_| "the journal lock is poisoned".to_string())
}

/// Re-reads what entry `id`'s calls change and journals a `verified` record with, per call
/// attempted, whether it took effect. Calls whose result was journaled keep it; a call whose
/// effect cannot be re-read (GuardDuty feedback, enabling a service) or whose read fails leaves
/// the entry unknown, and the note says why.
pub async fn verify<B: Backend>(
    backend: &B,
    journal: &Mutex<Journal>,
    id: &str,
) -> Result<Outcome, String> {
    let entry = {
        let mut j = lock(journal)?;
        j.refresh();
        j.entries()
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| format!("journal entry {id} not found"))?
    };
    let checks = effect_checks(&entry.plan);
    let mut observed = json!({});
    let mut results = Vec::new();
    let mut effects: Vec<Option<bool>> = Vec::new();
    let mut unsure: Vec<String> = Vec::new();
    for (i, (call, ok, _)) in entry.results.iter().enumerate() {
        if let Some(ok) = ok {
            effects.push(Some(*ok));
            continue;
        }
        let facts: Vec<_> = checks.iter().filter(|(c, _)| *c == i).collect();
        if facts.is_empty() {
            unsure.push(format!(
                "{} cannot be re-read: check it in the console",
                call.permission()
            ));
            effects.push(None);
            continue;
        }
        let mut took = Some(true);
        for (_, fact) in facts {
            let read = fact.read();
            let holds = match backend.call(&read).await {
                Ok(v) => {
                    let h = fact.holds(&v);
                    observed[format!("{i}:{}", read.operation)] = v;
                    Some(h)
                }
                Err(e) if e.not_found() => Some(fact.holds(&Value::Null)),
                Err(e) => {
                    unsure.push(format!("{} failed: {}", read.permission(), e.message));
                    None
                }
            };
            results.push(CallResult {
                call: read,
                ok: holds.is_some(),
                detail: match holds {
                    Some(true) => format!("yes: {}", fact.describe()),
                    Some(false) => format!("no: it is not true that {}", fact.describe()),
                    None => "could not read".into(),
                },
            });
            took = match (took, holds) {
                (Some(a), Some(b)) => Some(a && b),
                _ => None,
            };
        }
        effects.push(took);
    }
    let now = chrono::Utc::now();
    let settled: Option<Vec<bool>> = effects.iter().copied().collect();
    let (status, note) = match &settled {
        None => (
            Status::Unknown,
            format!(
                "re-read at {now}: still unknown ({}); verify again or check in the console",
                unsure.join("; ")
            ),
        ),
        Some(e) if e.iter().all(|t| *t) && e.len() == entry.plan.calls.len() => (
            Status::Succeeded,
            format!("re-read at {now}: it took effect (u undoes it)"),
        ),
        Some(e) if e.iter().all(|t| !*t) => (
            Status::Failed,
            format!("re-read at {now}: it did not take effect; run it again (x) if still needed"),
        ),
        Some(e) => (
            Status::Partial,
            format!(
                "re-read at {now}: {} of {} call(s) took effect (u undoes those; run it again for the rest)",
                e.iter().filter(|t| **t).count(),
                entry.plan.calls.len()
            ),
        ),
    };
    lock(journal)?.append(
        id,
        Body::Verified {
            observed,
            note: note.clone(),
            effects: settled.unwrap_or_default(),
        },
    )?;
    let undo = lock(journal)?
        .entries()
        .into_iter()
        .find(|e| e.id == id)
        .map(|e| e.undo)
        .unwrap_or_default();
    Ok(Outcome {
        id: id.to_string(),
        title: format!("Verify: {}", entry.plan.title),
        status,
        message: note,
        results,
        undo,
        targets: entry.plan.targets.clone(),
    })
}
