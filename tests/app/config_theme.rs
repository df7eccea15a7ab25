//! Good and bad config and theme files, in the style of bottom's `tests/valid_configs` /
//! `tests/invalid_configs`: every file under `valid/` must load, every file under `invalid/`
//! must fail with a message naming the file, the line and the key.

use std::path::{Path, PathBuf};

use guardpost::config::{Config, ConfigError};
use guardpost::model::Severity;
use guardpost::posture::PostureConfig;
use guardpost::ui::theme::{Palette, Theme, ThemeError};
use ratatui::style::Color;

fn fixtures(kind: &str, validity: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(validity);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn fixture(kind: &str, validity: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(validity)
        .join(name)
}

#[test]
fn valid_configs_load() {
    for path in fixtures("config", "valid") {
        let config = Config::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        // Themes named in a valid config resolve too.
        for profile in [None]
            .into_iter()
            .chain(config.profiles.keys().map(|k| Some(k.as_str())))
        {
            config
                .load_theme(None, profile)
                .unwrap_or_else(|e| panic!("{}: profile {profile:?}: {e}", path.display()));
        }
    }
}

#[test]
fn valid_themes_load() {
    for path in fixtures("themes", "valid") {
        Theme::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// (file, line, key, words the message must contain)
const BAD_CONFIGS: &[(&str, usize, Option<&str>, &str)] = &[
    (
        "bad_regions.toml",
        1,
        Some("default_regions"),
        "invalid type",
    ),
    ("bad_type.toml", 1, Some("read_only"), "expected a boolean"),
    ("syntax.toml", 2, None, ""),
    (
        "unknown_key.toml",
        5,
        Some("colours"),
        "unknown key \"colours\" (expected one of theme, read_only",
    ),
    (
        "unknown_posture_key.toml",
        3,
        Some("posture.rotation"),
        "unknown key \"posture.rotation\"",
    ),
    (
        "unknown_profile_key.toml",
        3,
        Some("profiles.prod.readonly"),
        "unknown key \"profiles.prod.readonly\"",
    ),
];

#[test]
fn invalid_configs_name_file_line_and_key() {
    let files = fixtures("config", "invalid");
    assert_eq!(
        files.len(),
        BAD_CONFIGS.len(),
        "every bad config has an expectation"
    );
    for (name, line, key, words) in BAD_CONFIGS {
        let path = fixture("config", "invalid", name);
        let err = match Config::from_file(&path) {
            Err(ConfigError::Parse(d)) => d,
            other => panic!("{name}: expected a parse error, got {other:?}"),
        };
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}: line {line}, column ", path.display())),
            "{msg}"
        );
        assert_eq!(err.key.as_deref(), *key, "{msg}");
        if let Some(key) = key {
            assert!(msg.contains(&format!("\"{key}\"")), "{msg}");
        }
        assert!(msg.contains(words), "{msg}");
    }
}

const BAD_THEMES: &[(&str, usize, Option<&str>, &str)] = &[
    (
        "bad_color.toml",
        3,
        Some("colors.critical"),
        "unknown color \"reddish\" (expected an ANSI name, \"reset\", \"#rrggbb\" or 0-255)",
    ),
    (
        "bad_extends.toml",
        1,
        Some("extends"),
        "unknown built-in theme \"solarized\"",
    ),
    (
        "bad_hex.toml",
        2,
        Some("colors.selection_bg"),
        "unknown color \"#12345\"",
    ),
    ("bad_index.toml", 2, Some("colors.low"), "out of range"),
    ("syntax.toml", 2, None, ""),
    (
        "unknown_role.toml",
        3,
        Some("colors.severity_critical"),
        "unknown key \"colors.severity_critical\" (expected one of critical,",
    ),
    (
        "unknown_table.toml",
        1,
        Some("colours"),
        "unknown key \"colours\" (expected extends or colors)",
    ),
];

#[test]
fn invalid_themes_name_file_line_and_key() {
    let files = fixtures("themes", "invalid");
    assert_eq!(
        files.len(),
        BAD_THEMES.len(),
        "every bad theme has an expectation"
    );
    for (name, line, key, words) in BAD_THEMES {
        let path = fixture("themes", "invalid", name);
        let err = match Theme::from_file(&path) {
            Err(ThemeError::Parse(d)) => d,
            other => panic!("{name}: expected a parse error, got {other:?}"),
        };
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}: line {line}, column ", path.display())),
            "{msg}"
        );
        assert_eq!(err.key.as_deref(), *key, "{msg}");
        assert!(msg.contains(words), "{msg}");
    }
}

#[test]
fn bad_color_message_is_exact() {
    let src = std::fs::read_to_string(fixture("themes", "invalid", "bad_color.toml")).unwrap();
    let err = match Theme::from_toml_str(&src, Path::new("themes/bad.toml")) {
        Err(ThemeError::Parse(d)) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err.to_string(),
        "themes/bad.toml: line 3, column 12: key \"colors.critical\": unknown color \"reddish\" \
         (expected an ANSI name, \"reset\", \"#rrggbb\" or 0-255)"
    );
}

#[test]
fn partial_theme_overrides_the_default_role_by_role() {
    let theme = Theme::from_file(&fixture("themes", "valid", "partial.toml")).unwrap();
    let default = Theme::default();
    assert_eq!(theme.name, "partial");
    assert_eq!(theme.palette.critical, Color::Rgb(0xff, 0, 0));
    assert_eq!(theme.palette.high, Color::Indexed(202));
    assert_eq!(theme.palette.border, Color::LightRed);
    for role in Palette::ROLES
        .iter()
        .filter(|r| !["critical", "high", "border"].contains(r))
    {
        assert_eq!(theme.palette.get(role), default.palette.get(role), "{role}");
    }
    assert_eq!(
        theme.severity(Severity::Critical).fg,
        Some(Color::Rgb(0xff, 0, 0))
    );
}

#[test]
fn every_builtin_resolves_by_name() {
    for name in guardpost::ui::theme::builtin_names() {
        let theme = Theme::resolve(name, None).unwrap();
        assert_eq!(theme.name, name);
    }
    assert!(matches!(
        Theme::resolve("no-such-theme", None),
        Err(ThemeError::NotFound(_))
    ));
}

#[test]
fn no_color_keeps_selection_visible() {
    let theme = Theme::default().with_no_color(true);
    let sel = theme.selected();
    assert_eq!((sel.fg, sel.bg), (None, None));
    assert!(
        sel.add_modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
    assert!(guardpost::ui::theme::no_color_requested(Some("1".as_ref())));
    assert!(!guardpost::ui::theme::no_color_requested(Some("".as_ref())));
}

#[test]
fn config_with_per_profile_settings() {
    let path = fixture("config", "valid", "full.toml");
    let config = Config::from_file(&path).unwrap();
    assert_eq!(config.default_regions, ["eu-west-1", "eu-central-1"]);
    assert_eq!(
        config.posture,
        PostureConfig {
            owner_tag: "team".into(),
            break_glass_names: vec!["bg-*".into()],
            break_glass_tag: "security:break-glass".into(),
            unused_days: 30,
            rotation_days: 60,
            ..PostureConfig::default()
        }
    );
    assert!(config.read_only_for(Some("prod")));
    assert!(!config.read_only_for(Some("sandbox")));
    assert!(!config.read_only_for(None));

    // prod's theme path is relative to the config file.
    let prod = config.load_theme(None, Some("prod")).unwrap();
    assert_eq!(prod.name, "prod");
    assert_eq!(prod.palette.border, Color::Red);
    assert_eq!(prod.palette.header_bg, Color::Red);
    assert_eq!(
        config.load_theme(None, Some("sandbox")).unwrap().name,
        "default"
    );
    assert_eq!(config.load_theme(None, None).unwrap().name, "light");
    // --theme wins over everything.
    assert_eq!(
        config
            .load_theme(Some("high-contrast"), Some("prod"))
            .unwrap()
            .name,
        "high-contrast"
    );
}

#[test]
fn missing_config_file_gives_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::from_file_or_default(&dir.path().join("config.toml")).unwrap();
    assert_eq!(config, Config::default());
    assert!(!config.read_only_for(Some("anything")));
    assert_eq!(config.posture, PostureConfig::default());
    assert_eq!(config.load_theme(None, None).unwrap().name, "default");
}
