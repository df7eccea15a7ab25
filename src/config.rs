//! The config file: `$XDG_CONFIG_HOME/guardpost/config.toml` (or `GUARDPOST_CONFIG`, or `--config`).
//!
//! Every field is optional and unknown keys are errors, so a typo never silently does nothing.
//! Errors name the file, the line and column, and the dotted key (see [`TomlDiagnostic`]).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::posture::PostureConfig;
pub use crate::toml_diag::TomlDiagnostic;
#[cfg(test)]
use crate::toml_diag::line_column;
pub(crate) use crate::toml_diag::parse_toml;
use crate::ui::theme::{Theme, ThemeError};

/// Environment variable naming the config file; it overrides the XDG location.
pub const CONFIG_ENV: &str = "GUARDPOST_CONFIG";

/// The whole config file. Per-profile settings in [`Config::profiles`] win over the global ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Theme: a built-in name or a path to a theme file (relative paths are relative to this file).
    pub theme: Option<String>,
    /// Disable every mutating action.
    pub read_only: Option<bool>,
    /// Regions to load when none is given on the command line.
    pub default_regions: Vec<String>,
    /// Posture rule tunables (`[posture]`).
    pub posture: PostureConfig,
    /// `[profiles.<aws profile name>]`: settings for one AWS profile, e.g. read-only and a red theme for prod.
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// `[accounts."<12-digit account id>"]`: settings for the account being changed, whatever
    /// profile or role led to it.
    pub accounts: BTreeMap<String, AccountConfig>,
    /// `guardpost check` defaults (`[check]`).
    pub check: CheckConfig,
    /// `--org` settings (`[org]`).
    pub org: OrgConfig,
    /// The file this was read from; `None` for built-in defaults. Used to resolve relative theme paths.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// `[profiles.<name>]`: overrides for one AWS profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileConfig {
    pub read_only: Option<bool>,
    pub theme: Option<String>,
}

/// `[check]` in the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Rule profile used when `--profile-rules` is not given.
    pub profile: Option<String>,
}

/// `[org]`: reading every account of an AWS Organization (`--org`, docs/organizations.md).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrgConfig {
    /// The role assumed in each member account (`--org-role`).
    pub role: String,
    /// Accounts read at once (`--org-concurrency`).
    pub concurrency: usize,
    /// The accounts to read when Organizations cannot be listed from this account (12-digit
    /// ids); ignored when it can.
    pub accounts: Vec<String>,
    /// In the console, `r` re-reads the accounts that failed and those read longer ago than
    /// this.
    pub max_age_minutes: i64,
}

impl Default for OrgConfig {
    fn default() -> Self {
        OrgConfig {
            role: "OrganizationAccountAccessRole".into(),
            concurrency: 8,
            accounts: Vec::new(),
            max_age_minutes: 15,
        }
    }
}

/// `[accounts."<id>"]`: overrides for one AWS account (the one `sts:GetCallerIdentity` names
/// after any role was assumed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountConfig {
    pub read_only: Option<bool>,
}

// The profile resolution lives with the session (sources never import config).
pub use crate::sources::session::{current_profile, profile_name};

/// What is about to be changed, for [`Config::read_only`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// Demo or snapshot data: no account to change (every action is a dry run anyway).
    Offline,
    /// A live account: the resolved profile and the account id `sts:GetCallerIdentity` returned
    /// with the credentials actions use (`None` or empty when it is not known).
    Live {
        profile: &'a str,
        account: Option<&'a str>,
    },
}

/// Whether guardpost may change anything, and why (shown on screen and in the executor's refusal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOnly {
    pub on: bool,
    pub reason: String,
}

impl ReadOnly {
    fn on(reason: impl Into<String>) -> ReadOnly {
        ReadOnly {
            on: true,
            reason: reason.into(),
        }
    }
    fn off(reason: impl Into<String>) -> ReadOnly {
        ReadOnly {
            on: false,
            reason: reason.into(),
        }
    }
}

/// Why the config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Parse(#[from] TomlDiagnostic),
}

/// Where the config file is looked for, and whether it must exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigLocation {
    pub path: PathBuf,
    /// A path the user named (`--config`, `GUARDPOST_CONFIG`) must exist; the default one need not.
    pub required: bool,
}

/// Picks the config file: `--config` first, then `GUARDPOST_CONFIG`, then the XDG default.
pub fn locate_config(cli: Option<&Path>) -> Option<ConfigLocation> {
    let env = std::env::var_os(CONFIG_ENV);
    locate_config_with(cli, env.as_deref(), dirs::config_dir().as_deref())
}

/// [`locate_config`] without touching the environment, so it can be tested.
pub fn locate_config_with(
    cli: Option<&Path>,
    env: Option<&OsStr>,
    config_dir: Option<&Path>,
) -> Option<ConfigLocation> {
    if let Some(path) = cli {
        return Some(ConfigLocation {
            path: path.to_path_buf(),
            required: true,
        });
    }
    if let Some(env) = env.filter(|v| !v.is_empty()) {
        return Some(ConfigLocation {
            path: PathBuf::from(env),
            required: true,
        });
    }
    config_dir.map(|dir| ConfigLocation {
        path: dir.join("guardpost").join("config.toml"),
        required: false,
    })
}

impl Config {
    /// Loads the config the user asked for (see [`locate_config`]); a missing default file gives defaults.
    pub fn load(cli: Option<&Path>) -> Result<Config, ConfigError> {
        match locate_config(cli) {
            Some(ConfigLocation {
                path,
                required: true,
            }) => Config::from_file(&path),
            Some(ConfigLocation {
                path,
                required: false,
            }) => Config::from_file_or_default(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads and parses `path`; a missing file is an error.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml_str(&src, path)
    }

    /// Like [`Config::from_file`], but a missing file gives the defaults.
    pub fn from_file_or_default(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(src) => Config::from_toml_str(&src, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses config text; `origin` names the file in errors and anchors relative theme paths.
    pub fn from_toml_str(src: &str, origin: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = parse_toml(src, origin)?;
        // An entry that can never match would silently leave an account writable.
        if let Some(bad) = config.accounts.keys().find(|k| !is_account_id(k)) {
            let span = src.find(bad.as_str()).map(|o| o..o + bad.len());
            return Err(TomlDiagnostic::at(
                origin,
                src,
                span,
                "an [accounts] key must be a 12-digit AWS account id",
            )
            .into());
        }
        config.source = Some(origin.to_path_buf());
        Ok(config)
    }

    /// Settings for an AWS profile, if the file has a `[profiles.<name>]` table for it.
    pub fn profile(&self, name: Option<&str>) -> Option<&ProfileConfig> {
        name.and_then(|n| self.profiles.get(n))
    }

    /// Read-only for this profile: the profile's setting, else the global one, else false.
    /// (`--read-only` on the command line is OR-ed in by the caller.)
    pub fn read_only_for(&self, profile: Option<&str>) -> bool {
        self.profile(profile)
            .and_then(|p| p.read_only)
            .or(self.read_only)
            .unwrap_or(false)
    }

    /// The one read-only decision: the header badge, the action menu and the executor all use
    /// it. `--read-only` always wins. For a live account, the entries that apply are the
    /// account's (`[accounts."<id>"]`, the account actually changed, after any AssumeRole) and
    /// the profile's; if either says `true` it is read-only, else an explicit `false` turns a
    /// top-level `read_only = true` off, else the top-level setting applies. It fails closed:
    /// when an account is marked read-only and the account being changed is not known, it is
    /// read-only.
    pub fn read_only(&self, cli: bool, target: Target<'_>) -> ReadOnly {
        if cli {
            return ReadOnly::on("--read-only on the command line");
        }
        let top = || match self.read_only {
            Some(true) => ReadOnly::on(format!("read_only = true in {}", self.file_name())),
            _ => ReadOnly::off("no read_only setting applies"),
        };
        let Target::Live { profile, account } = target else {
            return top();
        };
        let account = account.filter(|a| !a.is_empty());
        let Some(account) = account else {
            let marked: Vec<&str> = self
                .accounts
                .iter()
                .filter(|(_, a)| a.read_only == Some(true))
                .map(|(id, _)| id.as_str())
                .collect();
            if !marked.is_empty() {
                return ReadOnly::on(format!(
                    "the account being changed is not known, and {} marks account(s) {} read-only",
                    self.file_name(),
                    marked.join(", ")
                ));
            }
            return self.profile_or_top(profile, top);
        };
        let by_account = self.accounts.get(account).and_then(|a| a.read_only);
        let by_profile = self.profiles.get(profile).and_then(|p| p.read_only);
        match (by_account, by_profile) {
            (Some(true), _) => ReadOnly::on(format!(
                "[accounts.\"{account}\"] read_only = true in {}",
                self.file_name()
            )),
            (_, Some(true)) => ReadOnly::on(format!(
                "[profiles.{profile}] read_only = true in {} (profile {profile} is in use)",
                self.file_name()
            )),
            (Some(false), _) => ReadOnly::off(format!(
                "[accounts.\"{account}\"] read_only = false in {}",
                self.file_name()
            )),
            (None, _) => self.profile_or_top(profile, top),
        }
    }

    fn profile_or_top(&self, profile: &str, top: impl Fn() -> ReadOnly) -> ReadOnly {
        match self.profiles.get(profile).and_then(|p| p.read_only) {
            Some(true) => ReadOnly::on(format!(
                "[profiles.{profile}] read_only = true in {} (profile {profile} is in use)",
                self.file_name()
            )),
            Some(false) => ReadOnly::off(format!(
                "[profiles.{profile}] read_only = false in {}",
                self.file_name()
            )),
            None => top(),
        }
    }

    fn file_name(&self) -> String {
        self.source
            .as_deref()
            .map_or_else(|| "the config".to_string(), |p| p.display().to_string())
    }

    /// Theme spec for this profile: the profile's, else the global one.
    pub fn theme_for(&self, profile: Option<&str>) -> Option<&str> {
        self.profile(profile)
            .and_then(|p| p.theme.as_deref())
            .or(self.theme.as_deref())
    }

    /// The theme to draw with: `--theme`, else the profile's, else the global one, else the
    /// built-in default; `NO_COLOR` (non-empty) turns colour off whatever the theme.
    pub fn load_theme(
        &self,
        cli_theme: Option<&str>,
        profile: Option<&str>,
    ) -> Result<Theme, ThemeError> {
        let theme = match (cli_theme, self.theme_for(profile)) {
            // A path on the command line is relative to the working directory...
            (Some(spec), _) => Theme::resolve(spec, None)?,
            // ...one in the config file is relative to the config file.
            (None, Some(spec)) => {
                Theme::resolve(spec, self.source.as_deref().and_then(Path::parent))?
            }
            (None, None) => Theme::default(),
        };
        Ok(theme.with_no_color_env())
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Config, ConfigError> {
        Config::from_toml_str(src, Path::new("config.toml"))
    }

    fn diag(src: &str) -> TomlDiagnostic {
        match parse(src) {
            Err(ConfigError::Parse(d)) => d,
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn empty_file_is_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.theme, None);
        assert!(!c.read_only_for(None));
        assert!(c.default_regions.is_empty());
        assert_eq!(c.posture, PostureConfig::default());
        assert_eq!(c.source.as_deref(), Some(Path::new("config.toml")));
    }

    #[test]
    fn full_config() {
        let c = parse(
            r#"
theme = "light"
read_only = false
default_regions = ["eu-west-1", "us-east-1"]

[posture]
unused_days = 30

[profiles.prod]
read_only = true
theme = "high-contrast"

[profiles.dev]
theme = "default"
"#,
        )
        .unwrap();
        assert_eq!(c.default_regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(c.posture.unused_days, 30);
        assert_eq!(
            c.posture.rotation_days,
            PostureConfig::default().rotation_days
        );
        assert!(c.read_only_for(Some("prod")));
        assert!(!c.read_only_for(Some("dev")));
        assert!(!c.read_only_for(Some("unknown")));
        assert_eq!(c.theme_for(Some("prod")), Some("high-contrast"));
        assert_eq!(c.theme_for(Some("dev")), Some("default"));
        assert_eq!(c.theme_for(Some("other")), Some("light"));
        assert_eq!(c.theme_for(None), Some("light"));
    }

    #[test]
    fn global_read_only_applies_unless_profile_says_otherwise() {
        let c = parse("read_only = true\n[profiles.sandbox]\nread_only = false\n[profiles.prod]\n")
            .unwrap();
        assert!(c.read_only_for(None));
        assert!(c.read_only_for(Some("prod")));
        assert!(!c.read_only_for(Some("sandbox")));
    }

    fn live<'a>(profile: &'a str, account: Option<&'a str>) -> Target<'a> {
        Target::Live { profile, account }
    }

    #[test]
    fn the_profile_is_resolved_as_the_session_resolves_it() {
        assert_eq!(profile_name(Some("cli"), Some("env")), "cli");
        assert_eq!(profile_name(None, Some("prod")), "prod");
        assert_eq!(profile_name(None, None), "default");
    }

    #[test]
    fn read_only_by_profile_applies_to_the_resolved_profile() {
        let c = parse("[profiles.prod]\nread_only = true\n").unwrap();
        // AWS_PROFILE=prod without --profile: the session uses prod, so read-only applies.
        let prof = profile_name(None, Some("prod"));
        let d = c.read_only(false, live(&prof, Some("111122223333")));
        assert!(d.on, "{d:?}");
        assert!(d.reason.contains("[profiles.prod]"), "{}", d.reason);
        let d = c.read_only(false, live("dev", Some("111122223333")));
        assert!(!d.on, "{d:?}");
    }

    #[test]
    fn read_only_by_account_applies_to_the_account_changed_whatever_the_profile() {
        let c = parse(
            "[accounts.\"111122223333\"]\nread_only = true\n[profiles.bastion]\nread_only = false\n",
        )
        .unwrap();
        // --role-arn from the writable bastion profile into the read-only account.
        let d = c.read_only(false, live("bastion", Some("111122223333")));
        assert!(d.on, "{d:?}");
        assert!(d.reason.contains("111122223333"), "{}", d.reason);
        // The bastion account itself is writable.
        let d = c.read_only(false, live("bastion", Some("999988887777")));
        assert!(!d.on, "{d:?}");
    }

    #[test]
    fn read_only_fails_closed_when_the_account_is_not_known() {
        let c = parse("[accounts.\"111122223333\"]\nread_only = true\n").unwrap();
        for unknown in [None, Some("")] {
            let d = c.read_only(false, live("default", unknown));
            assert!(d.on, "{d:?}");
            assert!(d.reason.contains("not known"), "{}", d.reason);
        }
        // Nothing marked read-only: an unknown account stays writable.
        let d = Config::default().read_only(false, live("default", None));
        assert!(!d.on);
    }

    #[test]
    fn read_only_precedence() {
        let c = parse(
            "read_only = true\n[profiles.sandbox]\nread_only = false\n[accounts.\"222233334444\"]\nread_only = false\n[accounts.\"333344445555\"]\nread_only = true\n",
        )
        .unwrap();
        assert!(c.read_only(true, Target::Offline).on, "--read-only wins");
        assert!(c.read_only(false, Target::Offline).on, "top level offline");
        assert!(c.read_only(false, live("x", Some("123456789012"))).on);
        assert!(!c.read_only(false, live("sandbox", Some("123456789012"))).on);
        assert!(!c.read_only(false, live("x", Some("222233334444"))).on);
        // A read-only account wins over a writable profile.
        assert!(c.read_only(false, live("sandbox", Some("333344445555"))).on);
        assert!(!Config::default().read_only(false, Target::Offline).on);
    }

    #[test]
    fn account_keys_must_be_account_ids() {
        let d = diag("[accounts.prod]\nread_only = true\n");
        assert!(d.message.contains("12-digit"), "{d}");
        assert_eq!(d.line, Some(1));
        let d = diag("[accounts.\"111122223333\"]\nreadonly = true\n");
        assert!(d.message.contains("unknown key"), "{d}");
    }

    #[test]
    fn unknown_top_level_key() {
        let d = diag("theme = \"light\"\n\n\n\ncolours = 1\n");
        assert_eq!((d.line, d.column), (Some(5), Some(1)));
        assert_eq!(d.key.as_deref(), Some("colours"));
        let s = d.to_string();
        assert!(s.starts_with("config.toml: line 5, column 1: unknown key \"colours\" (expected one of theme, read_only, default_regions, posture, profiles"), "{s}");
    }

    #[test]
    fn unknown_key_in_profile_names_full_path() {
        let d = diag("[profiles.prod]\nreadonly = true\n");
        assert_eq!(d.line, Some(2));
        assert_eq!(d.key.as_deref(), Some("profiles.prod.readonly"));
        assert_eq!(
            d.to_string(),
            "config.toml: line 2, column 1: unknown key \"profiles.prod.readonly\" (expected read_only or theme)"
        );
    }

    #[test]
    fn unknown_key_in_posture() {
        let d = diag("[posture]\nunused_dayz = 3\n");
        assert_eq!(d.key.as_deref(), Some("posture.unused_dayz"));
        assert!(d.message.contains("expected one of owner_tag"), "{d}");
    }

    #[test]
    fn wrong_type_names_key_and_position() {
        let d = diag("read_only = \"yes\"\n");
        assert_eq!((d.line, d.column), (Some(1), Some(13)));
        assert_eq!(d.key.as_deref(), Some("read_only"));
        assert!(d.to_string().starts_with("config.toml: line 1, column 13: key \"read_only\": invalid type: string \"yes\", expected"), "{d}");
    }

    #[test]
    fn wrong_type_in_array() {
        let d = diag("default_regions = [\"eu-west-1\", 3]\n");
        assert_eq!(d.line, Some(1));
        assert_eq!(d.key.as_deref(), Some("default_regions.1"));
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let d = diag("theme = \"light\"\nread_only = tru\n");
        assert_eq!(d.line, Some(2));
        assert_eq!(d.column, Some(13));
        assert!(
            d.to_string()
                .starts_with("config.toml: line 2, column 13: "),
            "{d}"
        );
    }

    #[test]
    fn line_column_counts_chars() {
        // Byte 5 is the space after the two-byte é: the third character.
        assert_eq!(line_column("a\nbé c", 5), (2, 3));
        assert_eq!(line_column("a\nbé c", 6), (2, 4));
        assert_eq!(line_column("", 0), (1, 1));
        assert_eq!(line_column("ab\n", 3), (2, 1));
    }

    #[test]
    fn quoted_keys_are_quoted_in_paths() {
        let d = diag("[profiles.\"my prod\"]\nfoo = 1\n");
        assert_eq!(d.key.as_deref(), Some("profiles.\"my prod\".foo"));
    }

    #[test]
    fn locate_precedence() {
        let dir = Path::new("/home/u/.config");
        let cli = Path::new("/tmp/c.toml");
        assert_eq!(
            locate_config_with(Some(cli), Some(OsStr::new("/e.toml")), Some(dir)),
            Some(ConfigLocation {
                path: cli.into(),
                required: true
            })
        );
        assert_eq!(
            locate_config_with(None, Some(OsStr::new("/e.toml")), Some(dir)),
            Some(ConfigLocation {
                path: "/e.toml".into(),
                required: true
            })
        );
        // An empty variable counts as unset.
        assert_eq!(
            locate_config_with(None, Some(OsStr::new("")), Some(dir)),
            Some(ConfigLocation {
                path: dir.join("guardpost/config.toml"),
                required: false
            })
        );
        assert_eq!(locate_config_with(None, None, None), None);
    }

    #[test]
    fn missing_default_file_gives_defaults_but_named_file_is_required() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        assert_eq!(
            Config::from_file_or_default(&missing).unwrap(),
            Config::default()
        );
        let err = Config::from_file(&missing).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
        assert!(err.to_string().contains("nope.toml"), "{err}");
    }

    #[test]
    fn load_theme_precedence() {
        let c = parse("theme = \"light\"\n[profiles.prod]\ntheme = \"high-contrast\"\n").unwrap();
        let name = |cli, profile| c.load_theme(cli, profile).unwrap().name;
        assert_eq!(name(None, None), "light");
        assert_eq!(name(None, Some("prod")), "high-contrast");
        assert_eq!(name(Some("default"), Some("prod")), "default");
        assert_eq!(
            Config::default().load_theme(None, None).unwrap().name,
            "default"
        );
    }

    #[test]
    fn relative_theme_path_is_relative_to_config_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.toml"), "[colors]\naccent = \"red\"\n").unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "theme = \"mine.toml\"\n").unwrap();
        let c = Config::from_file(&path).unwrap();
        let theme = c.load_theme(None, None).unwrap();
        assert_eq!(theme.palette.accent, ratatui::style::Color::Red);
    }
}
