//! A Markdown report to paste into a ticket or a pull-request comment: header, summary table,
//! findings grouped by severity with controls and remediation.

use super::{Report, sev_word};
use crate::model::Severity;
use crate::sanitize;
use std::fmt::Write;

/// Text from another source for Markdown prose (a list item, a heading): one line, controls
/// escaped ([`sanitize::line`]); no HTML (`<`, `>`, `&` become entities, so neither a tag nor
/// an entity such as `&#x202e;` survives), no emphasis, links or headings; `@mentions`, email
/// addresses and bare URLs go into code spans so nobody is notified and nothing is linked.
pub fn text(s: &str) -> String {
    inline(s, false)
}

/// [`text`] for a GFM table cell: `|` is escaped inside code spans too (GFM splits cells
/// before it parses code spans).
pub fn cell(s: &str) -> String {
    inline(s, true)
}

/// An inline code span holding `s` verbatim (after [`sanitize::line`]): the delimiter is one
/// backtick longer than the longest run of backticks inside (CommonMark), so the value cannot
/// end the span early and spill HTML into the document.
pub fn code(s: &str) -> String {
    span(&sanitize::line(s), false)
}

fn span(s: &str, in_table: bool) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // CommonMark strips one space on each side when both are there; pad when the content
    // starts or ends with a backtick (else it would join the fence) or with a space.
    let pad = if s.is_empty()
        || s.starts_with('`')
        || s.ends_with('`')
        || s.starts_with(' ')
        || s.ends_with(' ')
    {
        " "
    } else {
        ""
    };
    let body = if in_table {
        s.replace('|', "\\|")
    } else {
        s.to_string()
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A token GitHub (and most Markdown renderers) would turn into a link or a mention.
fn linkish(token: &str) -> bool {
    let l = token.to_ascii_lowercase();
    token.contains('@') || l.contains("://") || l.contains("www.")
}

fn inline(s: &str, in_table: bool) -> String {
    let s = sanitize::line(s.trim());
    let mut out = String::with_capacity(s.len() + 8);
    for (i, token) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if linkish(token) {
            out.push_str(&span(token, in_table));
            continue;
        }
        for c in token.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }
    out
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# guardpost check: account {}\n",
        text(&r.account_label())
    );
    let regions: Vec<String> = r.regions.iter().map(|x| code(x)).collect();
    let _ = writeln!(
        s,
        "- **Regions:** {}",
        if regions.is_empty() {
            "none".to_string()
        } else {
            regions.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "- **Data:** {}, captured {}",
        text(&r.origin),
        r.time_label()
    );
    let _ = writeln!(
        s,
        "- **Rules:** profile {}, {} checked",
        code(&r.profile),
        r.rules.len()
    );
    if let Some(scope) = &r.framework {
        let _ = writeln!(
            s,
            "- **Framework:** {} ({}): {} rule(s) and {} finding(s) outside it not reported",
            scope.framework.title(),
            code(scope.framework.name()),
            scope.rules_outside.len(),
            scope.findings_outside
        );
    }
    let verdict = match r.fail_on.threshold() {
        None => "PASS (fail-on none)".to_string(),
        Some(_) if r.failed() => format!(
            "**FAIL**: {} finding(s) at or above {}",
            r.failing_findings(),
            r.fail_on.label()
        ),
        Some(_) => format!("PASS: nothing at or above {}", r.fail_on.label()),
    };
    let _ = writeln!(s, "- **Result:** {verdict}");
    if let Some(line) = r.incomplete_line() {
        let _ = writeln!(s, "- **Coverage:** {}", text(&line));
        for c in r.coverage.incomplete() {
            let _ = writeln!(s, "  - {}", text(&c.label()));
        }
        for (rule, why) in &r.unknown_rules {
            let _ = writeln!(s, "  - unknown rule {}: {}", code(rule), text(why));
        }
    }
    for w in &r.warnings {
        let _ = writeln!(s, "- **Warning:** {}", text(w));
    }

    let _ = writeln!(s, "\n## Summary\n");
    let _ = writeln!(s, "| Severity | Findings |\n|---|---:|");
    for (sev, n) in Severity::ALL.iter().zip(r.by_severity()) {
        let _ = writeln!(s, "| {} | {n} |", sev_word(*sev));
    }
    let _ = writeln!(
        s,
        "\nPosture score **{}/100**: {} of {} rules pass, {} fail{}.",
        r.score(),
        r.passed_rules(),
        r.rules.len(),
        r.failing_rules().len(),
        if r.unknown_rules.is_empty() {
            String::new()
        } else {
            format!(", {} unknown", r.unknown_rules.len())
        }
    );

    let _ = writeln!(s, "\n## Findings");
    if r.findings.is_empty() {
        let _ = writeln!(s, "\nNo findings.");
        return s;
    }
    for sev in Severity::ALL {
        let group: Vec<_> = r.findings.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n### {} ({})", sev_word(sev), group.len());
        for f in group {
            let _ = writeln!(s, "\n#### {} {}\n", code(&f.rule), text(&f.title));
            let _ = writeln!(
                s,
                "- **Resource:** {} ({}), region {}",
                code(&f.resource.arn),
                text(&f.resource.kind),
                code(&f.region)
            );
            let _ = writeln!(
                s,
                "- **Source:** {}, status {}",
                f.source.label(),
                f.status.label()
            );
            if let Some(scope) = &r.framework {
                let fw = scope.framework;
                let ids: Vec<String> = fw
                    .ids(&f.controls)
                    .into_iter()
                    .map(|id| match fw.control_title(id) {
                        Some(t) => format!("{} ({})", code(id), text(t)),
                        None => code(id),
                    })
                    .collect();
                let _ = writeln!(s, "- **{}:** {}", fw.short(), ids.join(", "));
            }
            if !f.controls.is_empty() {
                let ctl: Vec<String> = f
                    .controls
                    .iter()
                    .map(|c| format!("{} {}", text(&c.framework), text(&c.id)))
                    .collect();
                let _ = writeln!(s, "- **Controls:** {}", ctl.join(", "));
            }
            if let Some(rem) = &f.remediation {
                let _ = writeln!(s, "- **Remediation:** {}", text(rem));
            }
            for line in escalation_lines(f.escalation.as_ref()) {
                let _ = writeln!(s, "{line}");
            }
        }
    }
    s
}

/// One list item per escalation path, one sub-item per hop with the statements that allow it.
fn escalation_lines(paths: Option<&serde_json::Value>) -> Vec<String> {
    let Some(paths) = paths.and_then(|p| p.as_array()) else {
        return Vec::new();
    };
    let field = |v: &serde_json::Value, k: &str| {
        v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string()
    };
    let mut out = Vec::new();
    for p in paths {
        let mut hedge = String::new();
        if p.get("needs_mfa").and_then(|x| x.as_bool()) == Some(true) {
            hedge.push_str(", needs MFA");
        }
        for d in p
            .get("depends_on")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            hedge.push_str(&format!(", depends on {}", code(d.as_str().unwrap_or(""))));
        }
        out.push(format!(
            "- **Escalation:** {} reaches {} ({}{hedge})",
            code(&field(p, "method")),
            code(&field(p, "target")),
            text(&field(p, "reaches")),
        ));
        for h in p
            .get("hops")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            let stmts: Vec<String> = h
                .get("statements")
                .and_then(|x| x.as_array())
                .into_iter()
                .flatten()
                .map(|st| {
                    format!(
                        "{} statement {}",
                        text(&field(st, "policy")),
                        code(&field(st, "statement"))
                    )
                })
                .collect();
            out.push(format!(
                "  - {} {} {} with {} ({})",
                code(&field(h, "from")),
                text(&field(h, "kind")),
                code(&field(h, "to")),
                code(&field(h, "method")),
                stmts.join("; ")
            ));
        }
    }
    out
}
