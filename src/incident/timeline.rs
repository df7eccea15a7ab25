//! The handoff: every step's time, who did it, what was seen and what was done, as Markdown and
//! JSON for the post-incident review. The Markdown escapes every field the way `check
//! --format markdown` does (one helper, [`crate::report::markdown`]): finding types, titles,
//! reasons and errors can be written by an attacker.

use super::store::Event;
use super::{Incident, StepStatus};
use crate::report::markdown::{cell, code, text};
use serde_json::{Value, json};

pub fn json(inc: &Incident) -> Value {
    let steps: Vec<Value> = inc
        .playbook
        .steps
        .iter()
        .zip(&inc.steps)
        .map(|(def, st)| {
            json!({
                "id": def.id,
                "phase": def.phase.label(),
                "title": def.title,
                "status": st.status.label(),
                "reason": match &st.status { StepStatus::Skipped { reason } => Some(reason), _ => None },
                "error": match &st.status { StepStatus::Failed { error } => Some(error), _ => None },
                "unknown": match &st.status { StepStatus::Unknown { reason } => Some(reason), _ => None },
                "at": st.at,
                "by": st.by,
                "seen": st.seen,
                "did": st.did,
                "journal_id": st.journal_id,
            })
        })
        .collect();
    let timeline: Vec<Value> = inc
        .records
        .iter()
        .map(|r| {
            let what = match &r.event {
                Event::Started { .. } => format!("started playbook {}", inc.playbook.id),
                Event::Resumed => "resumed".to_string(),
                Event::Claimed { step, .. } => format!("{step}: started"),
                Event::Step { step, outcome, .. } => format!("{step}: {}", outcome.label()),
            };
            json!({"time": r.ts, "by": r.caller, "what": what})
        })
        .collect();
    json!({
        "format": "guardpost-incident",
        "version": 1,
        "id": inc.id,
        "playbook": {"id": inc.playbook.id, "title": inc.playbook.title},
        "subject": inc.subject,
        "account": inc.account,
        "started": inc.started,
        "started_by": inc.started_by,
        "finished": inc.finished(),
        "steps": steps,
        "timeline": timeline,
    })
}

pub fn markdown(inc: &Incident) -> String {
    let mut out = format!(
        "# Incident {}: {}\n\n- Subject: {}\n- Account: {}\n- Started: {} by {}\n- Status: {}\n\n",
        text(&inc.id),
        text(&inc.playbook.title),
        text(&inc.subject.label()),
        text(&inc.account),
        inc.started.format("%Y-%m-%d %H:%M:%S UTC"),
        text(inc.started_by.as_deref().unwrap_or("unknown")),
        if inc.finished() {
            "every step done or skipped"
        } else {
            "in progress"
        }
    );
    out.push_str("## Timeline\n\n| time (UTC) | by | step | outcome |\n|---|---|---|---|\n");
    for r in &inc.records {
        let (step, outcome) = match &r.event {
            Event::Started { .. } => ("—".to_string(), "incident started".to_string()),
            Event::Resumed => ("—".to_string(), "resumed".to_string()),
            Event::Claimed { step, .. } => (step.clone(), "started".to_string()),
            Event::Step { step, outcome, .. } => {
                let title = inc
                    .playbook
                    .steps
                    .iter()
                    .find(|s| &s.id == step)
                    .map(|s| s.title.clone())
                    .unwrap_or_else(|| step.clone());
                let o = match outcome {
                    StepStatus::Skipped { reason } => format!("skipped: {reason}"),
                    StepStatus::Failed { error } => format!("FAILED: {error}"),
                    StepStatus::Unknown { reason } => format!("unknown — {reason}"),
                    other => other.label().to_string(),
                };
                (title, o)
            }
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.ts.format("%Y-%m-%d %H:%M:%S"),
            cell(r.caller.as_deref().unwrap_or("")),
            cell(&step),
            cell(&outcome)
        ));
    }
    out.push_str("\n## Steps\n");
    for (def, st) in inc.playbook.steps.iter().zip(&inc.steps) {
        out.push_str(&format!(
            "\n### [{}] {} — {}\n\n",
            def.phase.label(),
            text(&def.title),
            st.status.label()
        ));
        if let StepStatus::Skipped { reason } = &st.status {
            out.push_str(&format!("Skipped: {}\n\n", text(reason)));
        }
        if let StepStatus::Unknown { reason } = &st.status {
            out.push_str(&format!("Unknown — {}\n\n", text(reason)));
        }
        if let StepStatus::Failed { error } = &st.status {
            out.push_str(&format!("Failed: {}\n\n", text(error)));
        }
        if !st.seen.is_empty() {
            out.push_str("Seen:\n\n");
            for s in &st.seen {
                out.push_str(&format!("- {}\n", text(s)));
            }
            out.push('\n');
        }
        if !st.did.is_empty() {
            out.push_str("Done:\n\n");
            for d in &st.did {
                out.push_str(&format!("- {}\n", code(d)));
            }
            out.push('\n');
        }
        if let Some(j) = &st.journal_id {
            out.push_str(&format!("Journal entry: {}\n", code(j)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::store::{self, Record};
    use crate::incident::{Subject, playbook};

    const EVIL: &str =
        "\u{1b}]52;c;eA==\u{7}\u{202e}x\u{200b} | ``<details>`` @root https://evil.example";

    #[test]
    fn a_hostile_timeline_is_escaped() {
        let ts = "2026-11-20T09:00:00Z".parse().unwrap();
        let start = Record {
            v: 1,
            ts,
            incident: "inc-evil".into(),
            caller: Some(format!("arn:aws:iam::1:user/{EVIL}")),
            event: Event::Started {
                playbook: Box::new(playbook("compromised-access-key").unwrap()),
                subject: Subject::default(),
                account: "111122223333".into(),
            },
        };
        let mut inc = store::replay(vec![start]).unwrap();
        let step = Record {
            v: 1,
            ts,
            incident: inc.id.clone(),
            caller: None,
            event: Event::Step {
                step: inc.playbook.steps[0].id.clone(),
                outcome: StepStatus::Failed {
                    error: format!("AccessDenied {EVIL}"),
                },
                seen: vec![format!("finding type {EVIL}")],
                did: vec!["UpdateAccessKey ``x`` done".into()],
                journal_id: None,
            },
        };
        inc.apply(&step);
        let md = markdown(&inc);
        assert!(!crate::sanitize::has_terminal_hazard(&md), "{md}");
        assert!(!md.contains('\u{200b}'));
        assert!(!md.contains("<details>") || md.contains("```"), "{md}");
        assert!(!md.contains(" @root"), "mention neutralised: {md}");
        assert!(md.contains("\\\\u{202e}"), "visible escapes: {md}");
        assert!(md.contains("- ```UpdateAccessKey ``x`` done```"), "{md}");
        // Every timeline row still has exactly four cells.
        for row in md.lines().filter(|l| l.starts_with("| 2026")) {
            let cells = row.replace("\\|", "").matches('|').count();
            assert_eq!(cells, 5, "{row}");
        }
        let js = crate::sanitize::json(serde_json::to_string(&json(&inc)).unwrap());
        assert!(!crate::sanitize::has_unsafe(&js));
    }
}
