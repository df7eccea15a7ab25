//! Temporary credentials in the TUI: the expiry shown in the header, and the modal prompt for
//! a new MFA code when they expire (or a call fails with ExpiredToken). The terminal loop does
//! the STS call (`Effect::RenewSession`) and answers with `SessionRenewed` / `SessionRenewFailed`.
//! Nothing loaded is dropped while this happens; a successful renewal reloads.

use crate::app::{Effect, Level, Mode, State, Status};
pub use crate::sources::session::MAX_ATTEMPTS;
use crate::sources::session::MfaCode;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the header shows about temporary credentials (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub expires: DateTime<Utc>,
    /// Renewing needs an MFA code.
    pub mfa: bool,
    /// A call was refused with ExpiredToken (the clock may disagree with the server's).
    pub expired: bool,
    /// The prompt was already opened for this expiry (Esc does not bring it back every second).
    pub asked: bool,
}

impl Session {
    pub fn new(expires: DateTime<Utc>, mfa: bool) -> Session {
        Session {
            expires,
            mfa,
            expired: false,
            asked: false,
        }
    }

    pub fn label(&self) -> &'static str {
        if self.mfa {
            "MFA session"
        } else {
            "role session"
        }
    }

    pub fn is_expired(&self, now: Option<DateTime<Utc>>) -> bool {
        self.expired || now.is_some_and(|n| n >= self.expires)
    }

    /// `MFA session 58m left`, `role session 2h 05m left`, `MFA session expired`.
    pub fn remaining(&self, now: Option<DateTime<Utc>>) -> String {
        let label = self.label();
        if self.is_expired(now) {
            return format!("{label} expired");
        }
        let Some(now) = now else {
            return format!("{label} until {}", self.expires.format("%H:%MZ"));
        };
        let mins = (self.expires - now).num_seconds().max(0) / 60;
        if mins >= 60 {
            format!("{label} {}h {:02}m left", mins / 60, mins % 60)
        } else if mins >= 1 {
            format!("{label} {mins}m left")
        } else {
            format!("{label} <1m left")
        }
    }
}

/// The modal MFA prompt.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaPrompt {
    /// Digits typed so far (shown: a one-time code is not a password, as the AWS CLI shows it).
    pub code: String,
    /// Why it is asking (expired) or why the last code failed.
    pub message: String,
    pub error: Option<String>,
    /// Codes refused so far.
    pub failures: u32,
    /// Waiting for STS.
    pub busy: bool,
}

impl std::fmt::Debug for MfaPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaPrompt")
            .field("code", &"<redacted>")
            .field("message", &self.message)
            .field("error", &self.error)
            .field("failures", &self.failures)
            .field("busy", &self.busy)
            .finish()
    }
}

/// Opens the prompt (MFA) or renews at once (a role without MFA). Data stays as it is.
pub(crate) fn expired(state: &mut State, why: &str) -> Vec<Effect> {
    let Some(s) = state.session.as_mut() else {
        // Not guardpost's session (e.g. expired AWS_SESSION_TOKEN or SSO): renew outside.
        state.status = Some(Status {
            text: format!(
                "{why}: renew them (e.g. `aws sso login`) and restart guardpost; the data shown is kept"
            ),
            level: Level::Error,
        });
        return vec![];
    };
    s.asked = true;
    if !s.mfa {
        state.status = Some(Status {
            text: format!("{why}; renewing the role session…"),
            level: Level::Warn,
        });
        return vec![Effect::RenewSession(None)];
    }
    state.mode = Mode::Mfa(MfaPrompt {
        code: String::new(),
        message: format!("{why}. Enter a new 6-digit MFA code to keep reading the account."),
        error: None,
        failures: 0,
        busy: false,
    });
    vec![]
}

/// Once a second: an expired session opens the prompt once (not over another prompt).
pub(crate) fn tick(state: &mut State) -> Vec<Effect> {
    let now = state.now;
    let due = state
        .session
        .as_ref()
        .is_some_and(|s| !s.asked && s.is_expired(now));
    if due && state.mode == Mode::Normal {
        return expired(state, "the session has expired");
    }
    vec![]
}

/// `r` with an expired session asks for a code first (the reload follows the renewal).
pub(crate) fn refresh_needs_renewal(state: &mut State) -> Option<Vec<Effect>> {
    let now = state.now;
    if state.session.as_ref().is_some_and(|s| s.is_expired(now)) {
        Some(expired(state, "the session has expired"))
    } else {
        None
    }
}

pub(crate) fn key(state: &mut State, key: KeyEvent, mut p: MfaPrompt) -> Vec<Effect> {
    if p.busy {
        // Waiting for STS: only Esc (give up waiting) does anything.
        if key.code == KeyCode::Esc {
            state.mode = Mode::Normal;
        }
        return vec![];
    }
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            state.status = Some(Status {
                text: "the session has expired: press r to enter a new MFA code".into(),
                level: Level::Warn,
            });
            return vec![];
        }
        KeyCode::Enter => {
            if p.code.len() != 6 {
                p.error = Some("the code has 6 digits".into());
                state.mode = Mode::Mfa(p);
                return vec![];
            }
            p.busy = true;
            let code = MfaCode(std::mem::take(&mut p.code));
            state.mode = Mode::Mfa(p);
            return vec![Effect::RenewSession(Some(code))];
        }
        KeyCode::Backspace => {
            p.code.pop();
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => p.code.clear(),
        KeyCode::Char(c) if c.is_ascii_digit() && p.code.len() < 6 => p.code.push(c),
        _ => {}
    }
    state.mode = Mode::Mfa(p);
    vec![]
}

pub(crate) fn renewed(state: &mut State, session: Session) -> Vec<Effect> {
    let left = session.remaining(state.now);
    state.session = Some(session);
    if matches!(state.mode, Mode::Mfa(_)) {
        state.mode = Mode::Normal;
    }
    state.status = Some(Status {
        text: format!("session renewed ({left}); reloading…"),
        level: Level::Info,
    });
    vec![Effect::Reload]
}

pub(crate) fn renew_failed(state: &mut State, error: String) -> Vec<Effect> {
    let Mode::Mfa(mut p) = state.mode.clone() else {
        // Not prompting (a role without MFA, or the user left the prompt).
        state.status = Some(Status {
            text: format!("could not renew the session: {error}; press r to try again"),
            level: Level::Error,
        });
        return vec![];
    };
    p.failures += 1;
    p.busy = false;
    p.code.clear();
    if p.failures >= MAX_ATTEMPTS {
        state.mode = Mode::Normal;
        state.status = Some(Status {
            text: format!(
                "MFA failed {} times: {error}; press r to try again",
                p.failures
            ),
            level: Level::Error,
        });
        return vec![];
    }
    p.error = Some(error);
    state.mode = Mode::Mfa(p);
    vec![]
}
