//! MFA and role switching (the bastion-account pattern).
//!
//! aws-config does not support `mfa_serial` in profiles, so guardpost does it itself: it reads
//! the profile from the AWS config file (`AWS_CONFIG_FILE`, else `~/.aws/config`), loads the
//! *source* credentials (`source_profile`, `credential_source`, or the profile itself), asks
//! for the 6-digit code, and calls STS `AssumeRole` with `SerialNumber` + `TokenCode` (or
//! `GetSessionToken` when there is an `mfa_serial` but no role). The temporary credentials live
//! in memory only, as static credentials behind a `SharedCredentialsProvider`; they are never
//! logged or written. `--role-arn`, `--mfa-serial` and `--duration` do the same from the
//! command line.

use super::describe_error;
use aws_config::SdkConfig;
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Wrong codes tolerated before giving up.
pub const MAX_ATTEMPTS: u32 = 3;
/// The role session name when none is configured.
pub const SESSION_NAME: &str = "guardpost";

/// How to turn the source credentials into temporary ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionSpec {
    /// Assume this role (else: GetSessionToken).
    pub role_arn: Option<String>,
    /// The MFA device's serial number (ARN), when a code is needed.
    pub mfa_serial: Option<String>,
    /// Requested lifetime in seconds (STS default when `None`).
    pub duration_secs: Option<i32>,
    pub external_id: Option<String>,
    pub session_name: String,
    /// Load the source credentials from this profile (`None`: `credential_source` or the
    /// default chain).
    pub source_profile: Option<String>,
    /// `credential_source` of a role profile: `Environment`, `Ec2InstanceMetadata`,
    /// `EcsContainer`.
    pub credential_source: Option<String>,
    /// The role profile's `region`, used when no region is given otherwise.
    pub region: Option<String>,
}

/// What the user is told about temporary credentials (never the credentials themselves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub expires: DateTime<Utc>,
    /// An MFA code was used (renewing asks for a new one).
    pub mfa: bool,
    pub role_arn: Option<String>,
}

impl SessionInfo {
    /// `MFA session` or `role session`.
    pub fn label(&self) -> &'static str {
        if self.mfa {
            "MFA session"
        } else {
            "role session"
        }
    }
}

/// A question for whoever supplies MFA codes (a terminal prompt, a test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    pub mfa_serial: String,
    /// 1-based.
    pub attempt: u32,
    /// Why the previous code failed.
    pub error: Option<String>,
}

/// Supplies MFA codes: returns the code, or an error that ends the attempt (no terminal, the
/// user gave up).
pub type CodeSource<'a> = &'a mut (dyn FnMut(&CodeRequest) -> Result<String, String> + Send);

/// An MFA code held so that `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaCode(pub String);

impl MfaCode {
    /// For clap: kept as `MfaCode` so that `Debug` (of the command line, in logs or panics)
    /// never prints the code.
    pub fn parse(s: &str) -> Result<MfaCode, String> {
        Ok(MfaCode(s.to_string()))
    }
}

impl std::fmt::Debug for MfaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaCode(<redacted>)")
    }
}

/// One profile section of the AWS config file: key -> value.
pub type ProfileSection = BTreeMap<String, String>;

/// The AWS config file: `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_file_path() -> Option<PathBuf> {
    std::env::var_os("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".aws/config")))
}

/// Parses an AWS config file into profile sections. `[profile NAME]` and `[default]` (and, as
/// the CLI tolerates, a bare `[NAME]`) name profiles; `[sso-session ...]` and `[services ...]`
/// sections are skipped; `#` and `;` start comments; nested (indented) settings are ignored.
pub fn parse_config(text: &str) -> BTreeMap<String, ProfileSection> {
    let mut out: BTreeMap<String, ProfileSection> = BTreeMap::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = rest.split(']').next().unwrap_or("").trim();
            current = match name.split_once(char::is_whitespace) {
                Some(("profile", n)) => Some(n.trim().to_string()),
                Some(_) => None, // sso-session, services, ...
                None => Some(name.to_string()),
            };
            if let Some(n) = &current {
                out.entry(n.clone()).or_default();
            }
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            continue; // a nested setting (s3 = ...\n  max_concurrent_requests = ...)
        }
        let (Some(profile), Some((k, v))) = (&current, trimmed.split_once('=')) else {
            continue;
        };
        let v = v
            .split(" #")
            .next()
            .unwrap_or(v)
            .split(" ;")
            .next()
            .unwrap_or(v);
        out.entry(profile.clone())
            .or_default()
            .insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    out
}

/// Reads the config file's profiles (an unreadable or missing file is no profiles).
pub fn read_config_file() -> BTreeMap<String, ProfileSection> {
    config_file_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| parse_config(&t))
        .unwrap_or_default()
}

/// The command-line side of a session.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub mfa_serial: Option<String>,
    pub duration_secs: Option<i32>,
}

/// Decides whether guardpost must get temporary credentials itself, and how. `None`: the SDK's
/// own chain does everything (no MFA involved, no `--role-arn`).
///
/// * `--role-arn` (with `--mfa-serial`, else the selected profile's `mfa_serial`): AssumeRole
///   with the selected profile's credentials as the source.
/// * a profile with `role_arn` and `mfa_serial`: AssumeRole with `source_profile` (or
///   `credential_source`) as the source, `duration_seconds`, `external_id`,
///   `role_session_name` from the profile.
/// * `--mfa-serial`, or a profile with `mfa_serial` but no `role_arn`: GetSessionToken with the
///   profile's own credentials.
pub fn session_spec(
    opts: &SessionOptions,
    profiles: &BTreeMap<String, ProfileSection>,
) -> Result<Option<SessionSpec>, String> {
    // The same resolution as the read-only decision's (config re-exports it).
    let name = current_profile(opts.profile.as_deref());
    let empty = ProfileSection::new();
    let p = profiles.get(&name).unwrap_or(&empty);
    let get = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
    let duration = match get("duration_seconds") {
        Some(d) => Some(
            d.parse::<i32>()
                .map_err(|_| format!("profile {name:?}: duration_seconds {d:?} is not a number"))?,
        ),
        None => None,
    };
    let session_name = get("role_session_name").unwrap_or_else(|| SESSION_NAME.to_string());

    if let Some(role) = &opts.role_arn {
        // The selected profile (or the default chain) is the source; its own role_arn, if any,
        // would make the SDK assume that role first (a chain), which is what was asked for.
        return Ok(Some(SessionSpec {
            role_arn: Some(role.clone()),
            mfa_serial: opts.mfa_serial.clone().or_else(|| get("mfa_serial")),
            duration_secs: opts.duration_secs,
            external_id: None,
            session_name,
            source_profile: opts.profile.clone(),
            credential_source: None,
            region: None,
        }));
    }
    let mfa = opts.mfa_serial.clone().or_else(|| get("mfa_serial"));
    let Some(mfa) = mfa else {
        return Ok(None);
    };
    match get("role_arn") {
        Some(role) => {
            let source_profile = get("source_profile");
            let credential_source = get("credential_source");
            if source_profile.is_none() && credential_source.is_none() {
                return Err(format!(
                    "profile {name:?} has role_arn but neither source_profile nor credential_source"
                ));
            }
            Ok(Some(SessionSpec {
                role_arn: Some(role),
                mfa_serial: Some(mfa),
                duration_secs: opts.duration_secs.or(duration),
                external_id: get("external_id"),
                session_name,
                source_profile,
                credential_source,
                region: get("region"),
            }))
        }
        None => Ok(Some(SessionSpec {
            role_arn: None,
            mfa_serial: Some(mfa),
            duration_secs: opts.duration_secs.or(duration),
            external_id: None,
            session_name,
            source_profile: opts.profile.clone(),
            credential_source: None,
            region: None,
        })),
    }
}

/// Parses `--duration`: seconds (`3600`) or a number with `s`, `m` or `h` (`90m`, `1h`).
pub fn parse_duration(s: &str) -> Result<i32, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1),
        Some('m') => (&s[..s.len() - 1], 60),
        Some('h') => (&s[..s.len() - 1], 3600),
        _ => (s, 1),
    };
    let n: i32 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 3600, 90m, 1h)"))?;
    let secs = n
        .checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too long"))?;
    if !(900..=129_600).contains(&secs) {
        return Err(format!(
            "{s:?}: STS sessions last between 15m and 36h (roles: up to their maximum session duration, at most 12h)"
        ));
    }
    Ok(secs)
}

/// A code must be six digits; anything else is refused before calling STS.
pub fn valid_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Error codes STS uses for a wrong or reused MFA code (and AccessDenied in general: a wrong
/// code is reported as `AccessDenied` "MultiFactorAuthentication failed ...").
fn is_denied(code: Option<&str>) -> bool {
    matches!(code, Some("AccessDenied" | "AccessDeniedException"))
}

/// Why getting temporary credentials failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// The code was refused (`attempts` times).
    Mfa { message: String, attempts: u32 },
    /// No code could be obtained (no terminal, gave up).
    NoCode(String),
    /// STS refused for another reason, or could not be reached.
    Sts(String),
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Mfa { message, attempts } if *attempts > 1 => {
                write!(f, "MFA failed {attempts} times: {message}")
            }
            SessionError::Mfa { message, .. } => write!(f, "MFA failed: {message}"),
            SessionError::NoCode(m) => write!(f, "{m}"),
            SessionError::Sts(m) => write!(f, "{m}"),
        }
    }
}

/// One STS call with one code. `Ok` holds the SDK config with the temporary credentials (as
/// static credentials in memory) and what to show about them.
pub async fn start_once(
    source: &SdkConfig,
    spec: &SessionSpec,
    code: Option<&str>,
) -> Result<(SdkConfig, SessionInfo), (bool, String)> {
    let sts = aws_sdk_sts::Client::new(source);
    let creds = if let Some(role) = &spec.role_arn {
        let out = Box::pin(
            sts.assume_role()
                .role_arn(role)
                .role_session_name(&spec.session_name)
                .set_serial_number(spec.mfa_serial.clone())
                .set_token_code(code.map(str::to_string))
                .set_duration_seconds(spec.duration_secs)
                .set_external_id(spec.external_id.clone())
                .send(),
        )
        .await
        .map_err(|e| {
            (
                is_denied(super::error_code(&e)),
                describe_sts("sts:AssumeRole", &e),
            )
        })?;
        out.credentials().cloned()
    } else {
        let out = Box::pin(
            sts.get_session_token()
                .set_serial_number(spec.mfa_serial.clone())
                .set_token_code(code.map(str::to_string))
                .set_duration_seconds(spec.duration_secs)
                .send(),
        )
        .await
        .map_err(|e| {
            (
                is_denied(super::error_code(&e)),
                describe_sts("sts:GetSessionToken", &e),
            )
        })?;
        out.credentials().cloned()
    };
    let Some(c) = creds else {
        return Err((false, "STS returned no credentials".into()));
    };
    let expires = super::iam::time(c.expiration());
    let system_expiry = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(expires.timestamp().max(0) as u64);
    let temporary = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        Some(system_expiry),
        "guardpost-session",
    );
    let conf = source
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(temporary))
        .build();
    tracing::info!(
        role = spec.role_arn.as_deref().unwrap_or("-"),
        mfa = spec.mfa_serial.is_some(),
        %expires,
        "temporary credentials obtained"
    );
    Ok((
        conf,
        SessionInfo {
            expires,
            mfa: spec.mfa_serial.is_some(),
            role_arn: spec.role_arn.clone(),
        },
    ))
}

/// STS errors keep their message: for a wrong code it is the useful part
/// ("MultiFactorAuthentication failed with invalid MFA one time pass code.").
fn describe_sts<E, R>(
    action: &str,
    err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    match (super::error_code(err), err.message()) {
        (Some(code), Some(m)) if !m.is_empty() => {
            crate::sanitize::line(&format!("{action}: {code}: {m}")).into_owned()
        }
        _ => describe_error(action, err),
    }
}

/// Gets temporary credentials, asking for codes as needed: a fixed code (`--mfa-code`,
/// `GUARDPOST_MFA_CODE`) is tried once; otherwise `ask` is asked up to [`MAX_ATTEMPTS`] times,
/// each time with the previous error.
pub async fn start(
    source: &SdkConfig,
    spec: &SessionSpec,
    fixed_code: Option<&str>,
    ask: CodeSource<'_>,
) -> Result<(SdkConfig, SessionInfo), SessionError> {
    let Some(serial) = &spec.mfa_serial else {
        return Box::pin(start_once(source, spec, None))
            .await
            .map_err(|(_, m)| SessionError::Sts(m));
    };
    if let Some(code) = fixed_code {
        let code = code.trim();
        if !valid_code(code) {
            return Err(SessionError::Mfa {
                message: "the MFA code must be 6 digits".into(),
                attempts: 1,
            });
        }
        return Box::pin(start_once(source, spec, Some(code)))
            .await
            .map_err(|(denied, message)| {
                if denied {
                    SessionError::Mfa {
                        message,
                        attempts: 1,
                    }
                } else {
                    SessionError::Sts(message)
                }
            });
    }
    let mut error: Option<String> = None;
    for attempt in 1..=MAX_ATTEMPTS {
        let code = ask(&CodeRequest {
            mfa_serial: serial.clone(),
            attempt,
            error: error.clone(),
        })
        .map_err(SessionError::NoCode)?;
        let code = code.trim().to_string();
        if !valid_code(&code) {
            error = Some("the MFA code must be 6 digits".into());
            continue;
        }
        match Box::pin(start_once(source, spec, Some(&code))).await {
            Ok(ok) => return Ok(ok),
            Err((true, m)) => error = Some(m),
            Err((false, m)) => return Err(SessionError::Sts(m)),
        }
    }
    Err(SessionError::Mfa {
        message: error.unwrap_or_default(),
        attempts: MAX_ATTEMPTS,
    })
}

/// The AWS profile guardpost uses, resolved exactly as the session does: `--profile`, then
/// `AWS_PROFILE`, then `default`.
pub fn profile_name(cli: Option<&str>, env: Option<&str>) -> String {
    cli.or(env).unwrap_or("default").to_string()
}

/// [`profile_name`] with `AWS_PROFILE` read from the environment.
pub fn current_profile(cli: Option<&str>) -> String {
    profile_name(cli, std::env::var("AWS_PROFILE").ok().as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "\
[default]
region = us-east-1

[profile bastion]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice   # trailing comment
s3 =
  max_concurrent_requests = 20

[profile audit]
role_arn = arn:aws:iam::222222222222:role/SecurityAudit
source_profile = bastion
mfa_serial = arn:aws:iam::111111111111:mfa/alice
duration_seconds = 7200
role_session_name = alice-audit
region = us-west-2

; a comment
[profile ci]
role_arn = arn:aws:iam::222222222222:role/Deploy
credential_source = Environment
mfa_serial = arn:aws:iam::111111111111:mfa/ci

[profile plain-role]
role_arn = arn:aws:iam::222222222222:role/ReadOnly
source_profile = bastion

[profile broken]
role_arn = arn:aws:iam::222222222222:role/X
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[sso-session corp]
sso_region = us-east-1
";

    fn spec(profile: &str) -> Result<Option<SessionSpec>, String> {
        session_spec(
            &SessionOptions {
                profile: Some(profile.into()),
                ..Default::default()
            },
            &parse_config(CONFIG),
        )
    }

    #[test]
    fn parses_profiles_and_skips_other_sections() {
        let p = parse_config(CONFIG);
        assert_eq!(p["default"]["region"], "us-east-1");
        assert_eq!(
            p["bastion"]["mfa_serial"],
            "arn:aws:iam::111111111111:mfa/alice"
        );
        assert!(!p["bastion"].contains_key("max_concurrent_requests"));
        assert!(!p.contains_key("corp") && !p.contains_key("sso-session corp"));
    }

    #[test]
    fn role_profile_with_mfa_uses_its_source_profile() {
        let s = spec("audit").unwrap().unwrap();
        assert_eq!(
            s.role_arn.as_deref(),
            Some("arn:aws:iam::222222222222:role/SecurityAudit")
        );
        assert_eq!(
            s.mfa_serial.as_deref(),
            Some("arn:aws:iam::111111111111:mfa/alice")
        );
        assert_eq!(s.source_profile.as_deref(), Some("bastion"));
        assert_eq!(s.duration_secs, Some(7200));
        assert_eq!(s.session_name, "alice-audit");
        assert_eq!(s.region.as_deref(), Some("us-west-2"));

        let s = spec("ci").unwrap().unwrap();
        assert_eq!(s.source_profile, None);
        assert_eq!(s.credential_source.as_deref(), Some("Environment"));
        assert!(spec("broken").unwrap_err().contains("source_profile"));
    }

    #[test]
    fn mfa_without_role_is_a_session_token_and_no_mfa_is_left_to_the_sdk() {
        let s = spec("bastion").unwrap().unwrap();
        assert_eq!(s.role_arn, None);
        assert_eq!(s.source_profile.as_deref(), Some("bastion"));
        // No mfa_serial: the SDK assumes plain roles itself.
        assert_eq!(spec("plain-role").unwrap(), None);
        assert_eq!(spec("default").unwrap(), None);
        assert_eq!(spec("no-such-profile").unwrap(), None);
    }

    #[test]
    fn command_line_role_takes_the_profiles_mfa_serial() {
        let s = session_spec(
            &SessionOptions {
                profile: Some("bastion".into()),
                role_arn: Some("arn:aws:iam::333333333333:role/Audit".into()),
                mfa_serial: None,
                duration_secs: Some(3600),
            },
            &parse_config(CONFIG),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            s.mfa_serial.as_deref(),
            Some("arn:aws:iam::111111111111:mfa/alice")
        );
        assert_eq!(s.source_profile.as_deref(), Some("bastion"));
        assert_eq!(s.duration_secs, Some(3600));
    }

    #[test]
    fn durations_and_codes() {
        assert_eq!(parse_duration("3600"), Ok(3600));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("12h"), Ok(43200));
        assert!(parse_duration("5m").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(valid_code("012345"));
        assert!(!valid_code("12345") && !valid_code("12345a") && !valid_code("1234567"));
    }
}
