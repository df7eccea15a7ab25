//! `check --org`: every account's report, grouped by account, and the accounts that could not
//! be read, each with its reason. An unread account is unknown, never a pass.
use super::{Format, Report, json, sarif, table};
use crate::model::org::OrgAccount;
use crate::sanitize;
use serde::Serialize;
use std::io::Write;

/// What became of one account.
#[derive(Debug)]
pub enum AccountState {
    Read(Box<Report>),
    /// Not read (role missing or denied, account suspended, ...): the reason.
    Unknown(String),
}

#[derive(Debug)]
pub struct AccountCheck {
    pub account: OrgAccount,
    pub state: AccountState,
    /// `read`, `not enabled`, `not read: REASON` (config account list), or the error.
    pub scps: String,
    /// Seconds the account's read took.
    pub seconds: f64,
}

#[derive(Debug)]
pub struct OrgReport {
    pub organization_id: Option<String>,
    pub management_account: Option<String>,
    /// Where the account list came from: `organizations` or `config`.
    pub accounts_from: &'static str,
    pub accounts: Vec<AccountCheck>,
    pub fail_on: super::FailOn,
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

impl OrgReport {
    pub fn reports(&self) -> impl Iterator<Item = &Report> {
        self.accounts.iter().filter_map(|a| match &a.state {
            AccountState::Read(r) => Some(r.as_ref()),
            AccountState::Unknown(_) => None,
        })
    }

    pub fn unknown(&self) -> impl Iterator<Item = (&OrgAccount, &str)> {
        self.accounts.iter().filter_map(|a| match &a.state {
            AccountState::Unknown(why) => Some((&a.account, why.as_str())),
            AccountState::Read(_) => None,
        })
    }

    /// Some account's report fails `--fail-on`.
    pub fn failed(&self) -> bool {
        self.reports().any(Report::failed)
    }

    /// Every account read, each completely.
    pub fn complete(&self) -> bool {
        self.unknown().next().is_none() && self.reports().all(Report::complete)
    }

    /// `12 accounts: 10 read (3 failing), 2 unknown; 41 findings at or above low`.
    pub fn summary_line(&self) -> String {
        let read = self.reports().count();
        let failing = self.reports().filter(|r| r.failed()).count();
        let unknown = self.accounts.len() - read;
        let findings: usize = self.reports().map(Report::failing_findings).sum();
        format!(
            "{} accounts: {read} read ({failing} failing), {unknown} unknown; {findings} findings at or above {}",
            self.accounts.len(),
            self.fail_on.label()
        )
    }
}

fn label(a: &OrgAccount) -> String {
    let mut s = sanitize::line(&a.id).into_owned();
    if !a.name.is_empty() {
        s.push_str(&format!(" ({})", sanitize::line(&a.name)));
    }
    if !a.ou_path.is_empty() {
        s.push_str(&format!(" in {}", sanitize::line(&a.ou_path)));
    }
    s
}

/// Writes the organization report in `format`.
pub fn write(r: &OrgReport, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Table => text(r, out, false),
        Format::Markdown => text(r, out, true),
        Format::Json => super::write_json(out, &doc(r)),
        Format::Sarif => {
            // One SARIF run per account read: code-scanning tools keep runs apart.
            let mut runs = Vec::new();
            for a in &r.accounts {
                match &a.state {
                    AccountState::Read(rep) => {
                        let mut v = sarif::to_value(rep);
                        if let Some(serde_json::Value::Array(rs)) =
                            v.get_mut("runs").map(std::mem::take)
                        {
                            runs.extend(rs);
                        }
                    }
                    // An account not read is a failed run, never an empty (clean) one.
                    AccountState::Unknown(why) => runs.push(serde_json::json!({
                        "tool": {"driver": {"name": "guardpost", "version": env!("CARGO_PKG_VERSION")}},
                        "automationDetails": {"id": format!("guardpost-check/{}/", a.account.id)},
                        "invocations": [{
                            "executionSuccessful": false,
                            "toolExecutionNotifications": [{
                                "level": "error",
                                "message": {"text": format!(
                                    "account {} could not be read: {}",
                                    a.account.id,
                                    crate::model::coverage::plain(why)
                                )},
                            }],
                        }],
                        "results": [],
                        "properties": {"account": a.account.id, "state": "unknown"},
                    })),
                }
            }
            let doc = serde_json::json!({
                "$schema": sarif::SCHEMA_URI,
                "version": "2.1.0",
                "runs": runs,
            });
            super::write_json(out, &doc)
        }
    }
}

fn text(r: &OrgReport, out: &mut dyn Write, markdown: bool) -> std::io::Result<()> {
    if markdown {
        writeln!(out, "# guardpost organization check\n")?;
        writeln!(out, "{}\n", r.summary_line())?;
    } else {
        writeln!(out, "guardpost organization check: {}", r.summary_line())?;
    }
    if let Some(id) = &r.organization_id {
        writeln!(
            out,
            "Organization {} (management account {}), accounts from {}{}",
            sanitize::line(id),
            sanitize::line(r.management_account.as_deref().unwrap_or("unknown")),
            r.accounts_from,
            if markdown { "\n" } else { "" }
        )?;
    } else {
        writeln!(
            out,
            "Accounts from the config file's [org] list (no Organizations access: no OU paths, no SCPs){}",
            if markdown { "\n" } else { "" }
        )?;
    }
    for a in &r.accounts {
        let head = label(&a.account);
        match &a.state {
            AccountState::Unknown(why) => {
                if markdown {
                    writeln!(out, "## {head}\n\n**UNKNOWN**: {}\n", sanitize::line(why))?;
                } else {
                    writeln!(out, "\n== {head} ==\nUNKNOWN: {}", sanitize::line(why))?;
                }
            }
            AccountState::Read(rep) => {
                if markdown {
                    writeln!(
                        out,
                        "## {head}\n\nSCPs: {} · read in {:.1} s\n",
                        sanitize::line(&a.scps),
                        a.seconds
                    )?;
                    // The account's own report, one heading level down.
                    for line in super::markdown::render(rep).lines() {
                        if line.starts_with('#') {
                            writeln!(out, "#{line}")?;
                        } else {
                            writeln!(out, "{line}")?;
                        }
                    }
                } else {
                    writeln!(
                        out,
                        "\n== {head} ==  SCPs: {} · read in {:.1} s",
                        sanitize::line(&a.scps),
                        a.seconds
                    )?;
                    out.write_all(table::render(rep).as_bytes())?;
                }
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    kind: &'static str,
    organization: Option<&'a str>,
    management_account: Option<&'a str>,
    accounts_from: &'static str,
    generated_at: String,
    fail_on: &'static str,
    result: &'static str,
    complete: bool,
    summary: Summary,
    accounts: Vec<AccountDoc<'a>>,
}

#[derive(Serialize)]
struct Summary {
    accounts: usize,
    read: usize,
    unknown: usize,
    failing_accounts: usize,
    failing_findings: usize,
}

#[derive(Serialize)]
struct AccountDoc<'a> {
    id: &'a str,
    name: &'a str,
    ou_path: &'a str,
    status: &'a str,
    /// `read` or `unknown`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    scps: &'a str,
    seconds: f64,
    /// The account's whole check report (the single-account schema), when read.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<json::Doc<'a>>,
}

fn doc(r: &OrgReport) -> Doc<'_> {
    Doc {
        schema_version: json::SCHEMA_VERSION,
        kind: "organization",
        organization: r.organization_id.as_deref(),
        management_account: r.management_account.as_deref(),
        accounts_from: r.accounts_from,
        generated_at: r.generated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        fail_on: r.fail_on.label(),
        result: if r.failed() {
            "fail"
        } else if r.unknown().next().is_some() {
            "unknown"
        } else {
            "pass"
        },
        complete: r.complete(),
        summary: Summary {
            accounts: r.accounts.len(),
            read: r.reports().count(),
            unknown: r.unknown().count(),
            failing_accounts: r.reports().filter(|x| x.failed()).count(),
            failing_findings: r.reports().map(Report::failing_findings).sum(),
        },
        accounts: r
            .accounts
            .iter()
            .map(|a| {
                let (state, reason, report) = match &a.state {
                    AccountState::Read(rep) => ("read", None, Some(json::doc(rep))),
                    AccountState::Unknown(why) => ("unknown", Some(why.as_str()), None),
                };
                AccountDoc {
                    id: &a.account.id,
                    name: &a.account.name,
                    ou_path: &a.account.ou_path,
                    status: &a.account.status,
                    state,
                    reason,
                    scps: &a.scps,
                    seconds: (a.seconds * 10.0).round() / 10.0,
                    report,
                }
            })
            .collect(),
    }
}
