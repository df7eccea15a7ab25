//! Colours by role, loaded from `themes/*.toml` (built in) or a user's theme file.
//!
//! A user theme is a partial override: roles it leaves out come from the built-in it
//! `extends` (default: `default`), as in gitui and yazi. Widgets never name colours; they ask
//! the theme for a role's [`Style`], so `no_color` and every theme work everywhere.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::model::Severity;
use crate::toml_diag::{TomlDiagnostic, parse_toml};

/// Built-in themes, by name, embedded at compile time.
pub const BUILTIN_THEMES: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// Names of the built-in themes, for help text and error messages.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN_THEMES.iter().map(|(name, _)| *name)
}

/// `NO_COLOR` set to a non-empty value asks for no colour (<https://no-color.org>).
pub fn no_color_env() -> bool {
    no_color_requested(std::env::var_os("NO_COLOR").as_deref())
}

/// [`no_color_env`] on a given value, so it can be tested without touching the environment.
pub fn no_color_requested(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// Defines the roles once: the [`Palette`] fields, the optional `[colors]` keys and the role list.
macro_rules! roles {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// One colour per role. Field names are the keys of a theme file's `[colors]` table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Palette {
            $($(#[doc = $doc])* pub $name: Color,)*
        }

        /// `[colors]` as written in a file: every role optional, unknown roles rejected.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ColorsFile {
            $($name: Option<ColorSpec>,)*
        }

        impl Palette {
            /// Every role name, in the order of the theme files.
            pub const ROLES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Everything `Reset`: the base a built-in theme is laid over (built-ins set every role).
            const RESET: Palette = Palette { $($name: Color::Reset,)* };

            /// The colour of a role by its theme-file name.
            pub fn get(&self, role: &str) -> Option<Color> {
                match role {
                    $(stringify!($name) => Some(self.$name),)*
                    _ => None,
                }
            }

            fn overlay(&mut self, colors: &ColorsFile) {
                $(if let Some(c) = colors.$name { self.$name = c.0; })*
            }
        }

        #[cfg(test)]
        impl ColorsFile {
            fn missing(&self) -> Vec<&'static str> {
                let mut missing = Vec::new();
                $(if self.$name.is_none() { missing.push(stringify!($name)); })*
                missing
            }
        }
    };
}

roles! {
    /// Severity column / badge: Critical.
    critical,
    /// Severity: High.
    high,
    /// Severity: Medium.
    medium,
    /// Severity: Low.
    low,
    /// Severity: Informational.
    informational,
    /// Foreground of the selected row.
    selection_fg,
    /// Background of the selected row.
    selection_bg,
    /// Foreground of rows marked with `space`.
    marked,
    /// Borders of unfocused panes.
    border,
    /// Border of the focused pane.
    border_focused,
    /// Pane titles.
    title,
    /// Ordinary text.
    text,
    /// Secondary text: hints, timestamps, archived or suppressed rows.
    dimmed,
    /// Header bar (account, region, identity) foreground.
    header_fg,
    /// Header bar background.
    header_bg,
    /// Status / flash line foreground.
    status_fg,
    /// Status / flash line background.
    status_bg,
    /// Highlights: key hints, filter matches, counts.
    accent,
    /// Success messages, passing checks.
    ok,
    /// Warnings.
    warn,
    /// Errors, failed actions.
    error,
    /// The READ-ONLY badge in the header, foreground.
    read_only_fg,
    /// The READ-ONLY badge, background.
    read_only_bg,
    /// The breadcrumb bar (`findings > resource > ...`).
    breadcrumb,
}

/// A colour as written in a theme file: an ANSI name, `"reset"`, `"#rrggbb"` or an index 0-255.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColorSpec(pub Color);

const EXPECTED_COLOR: &str = "expected an ANSI name, \"reset\", \"#rrggbb\" or 0-255";

/// Parses one colour. Names ignore case, `_`, `-` and spaces (`light-red` = `LightRed`).
pub fn parse_color(s: &str) -> Option<Color> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let n = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8));
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u8>().ok().map(Color::Indexed);
    }
    let name: String = s
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some(match name.as_str() {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        // ANSI 7 ("white" in most terminals' palettes) is Gray in ratatui; bright white is White.
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ColorSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTED_COLOR)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ColorSpec, E> {
                parse_color(v)
                    .map(ColorSpec)
                    .ok_or_else(|| E::custom(format!("unknown color \"{v}\" ({EXPECTED_COLOR})")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ColorSpec, E> {
                u8::try_from(v)
                    .map(|i| ColorSpec(Color::Indexed(i)))
                    .map_err(|_| {
                        E::custom(format!("color index {v} is out of range (expected 0-255)"))
                    })
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ColorSpec, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A theme file: `extends` (optional, a built-in name) and `[colors]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ThemeFile {
    extends: Option<toml::Spanned<String>>,
    colors: ColorsFile,
}

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme \"{0}\" not found: not a built-in theme ({names}) and no such file", names = builtin_names().collect::<Vec<_>>().join(", "))]
    NotFound(String),
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Parse(#[from] TomlDiagnostic),
}

/// Colours by role plus the no-colour switch; hands out a [`Style`] per role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Built-in name, or the file stem of a user theme.
    pub name: String,
    pub palette: Palette,
    /// No colours at all: styles keep only their modifiers (bold, reversed...).
    pub no_color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::builtin("default").expect("the default theme is built in")
    }
}

impl Theme {
    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (name, src) = BUILTIN_THEMES.iter().find(|(n, _)| *n == name)?;
        let origin = PathBuf::from(format!("themes/{name}.toml"));
        // Built-ins are tested to parse and to set every role, so this cannot fail at run time.
        let file: ThemeFile = parse_toml(src, &origin).expect("built-in themes parse");
        let mut palette = Palette::RESET;
        palette.overlay(&file.colors);
        Some(Theme {
            name: (*name).to_string(),
            palette,
            no_color: false,
        })
    }

    /// `--theme NAME|PATH`: a built-in name, else a theme file (`~/` expanded; a relative path is
    /// taken relative to `base_dir` when given, e.g. the config file's directory).
    pub fn resolve(spec: &str, base_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        if let Some(theme) = Theme::builtin(spec) {
            return Ok(theme);
        }
        let mut path = match spec.strip_prefix("~/") {
            Some(rest) => dirs::home_dir().map_or_else(|| PathBuf::from(spec), |h| h.join(rest)),
            None => PathBuf::from(spec),
        };
        if let (true, Some(base)) = (path.is_relative(), base_dir) {
            path = base.join(path);
        }
        if !path.is_file() {
            return Err(ThemeError::NotFound(spec.to_string()));
        }
        Theme::from_file(&path)
    }

    /// Reads a theme file (a partial override of a built-in).
    pub fn from_file(path: &Path) -> Result<Theme, ThemeError> {
        let src = std::fs::read_to_string(path).map_err(|source| ThemeError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Theme::from_toml_str(&src, path)
    }

    /// Parses theme text laid over the built-in it extends; `origin` names it in errors.
    pub fn from_toml_str(src: &str, origin: &Path) -> Result<Theme, ThemeError> {
        let file: ThemeFile = parse_toml(src, origin)?;
        let mut theme = match &file.extends {
            None => Theme::default(),
            Some(base) => Theme::builtin(base.get_ref()).ok_or_else(|| {
                let names = builtin_names().collect::<Vec<_>>().join(", ");
                TomlDiagnostic::at(
                    origin,
                    src,
                    Some(base.span()),
                    format!(
                        "unknown built-in theme \"{}\" (expected one of {names})",
                        base.get_ref()
                    ),
                )
            })?,
        };
        theme.palette.overlay(&file.colors);
        theme.name = origin.file_stem().map_or_else(
            || origin.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        Ok(theme)
    }

    /// Sets or clears no-colour mode.
    pub fn with_no_color(mut self, no_color: bool) -> Theme {
        self.no_color = no_color;
        self
    }

    /// Turns no-colour mode on if `NO_COLOR` asks for it (it never turns it off).
    pub fn with_no_color_env(self) -> Theme {
        let no_color = self.no_color || no_color_env();
        self.with_no_color(no_color)
    }

    /// The one place colours become styles: in no-colour mode only the modifiers survive.
    fn paint(&self, fg: Color, bg: Option<Color>, modifiers: Modifier) -> Style {
        let style = Style::new().add_modifier(modifiers);
        if self.no_color {
            return style;
        }
        let style = style.fg(fg);
        match bg {
            Some(bg) => style.bg(bg),
            None => style,
        }
    }

    /// A severity label or row; Critical and High are bold so they stand out without colour too.
    pub fn severity(&self, severity: Severity) -> Style {
        let p = &self.palette;
        let (fg, m) = match severity {
            Severity::Critical => (p.critical, Modifier::BOLD),
            Severity::High => (p.high, Modifier::BOLD),
            Severity::Medium => (p.medium, Modifier::empty()),
            Severity::Low => (p.low, Modifier::empty()),
            Severity::Informational => (p.informational, Modifier::empty()),
        };
        self.paint(fg, None, m)
    }

    /// The selected row. Without colour it is reversed, so the cursor stays visible.
    pub fn selected(&self) -> Style {
        let m = if self.no_color {
            Modifier::BOLD | Modifier::REVERSED
        } else {
            Modifier::BOLD
        };
        self.paint(
            self.palette.selection_fg,
            Some(self.palette.selection_bg),
            m,
        )
    }

    /// A row marked for a bulk action. Without colour it is underlined.
    pub fn marked(&self) -> Style {
        let m = if self.no_color {
            Modifier::BOLD | Modifier::UNDERLINED
        } else {
            Modifier::BOLD
        };
        self.paint(self.palette.marked, None, m)
    }

    /// A pane border; the focused one is bold as well as coloured.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.paint(self.palette.border_focused, None, Modifier::BOLD)
        } else {
            self.paint(self.palette.border, None, Modifier::empty())
        }
    }

    pub fn title(&self) -> Style {
        self.paint(self.palette.title, None, Modifier::BOLD)
    }

    pub fn text(&self) -> Style {
        self.paint(self.palette.text, None, Modifier::empty())
    }

    /// Secondary text. Without colour it uses the terminal's dim attribute instead.
    pub fn dimmed(&self) -> Style {
        let m = if self.no_color {
            Modifier::DIM
        } else {
            Modifier::empty()
        };
        self.paint(self.palette.dimmed, None, m)
    }

    pub fn header(&self) -> Style {
        self.paint(
            self.palette.header_fg,
            Some(self.palette.header_bg),
            Modifier::empty(),
        )
    }

    /// A span drawn on the header bar. On a solid bar (`header_bg` set) it takes the bar's
    /// foreground, keeping its emphasis: the text roles are chosen for the terminal's
    /// background and would vanish on the bar (white on white in high-contrast).
    pub fn on_header(&self, s: Style) -> Style {
        self.on_bar(s, self.palette.header_fg, self.palette.header_bg)
    }

    /// A span on the status line; as [`Theme::on_header`] for `status_bg`.
    pub fn on_status(&self, s: Style) -> Style {
        self.on_bar(s, self.palette.status_fg, self.palette.status_bg)
    }

    fn on_bar(&self, s: Style, fg: Color, bg: Color) -> Style {
        if self.no_color || bg == Color::Reset {
            return s;
        }
        s.fg(fg).bg(bg)
    }

    pub fn status(&self) -> Style {
        self.paint(
            self.palette.status_fg,
            Some(self.palette.status_bg),
            Modifier::empty(),
        )
    }

    pub fn accent(&self) -> Style {
        self.paint(self.palette.accent, None, Modifier::empty())
    }

    pub fn ok(&self) -> Style {
        self.paint(self.palette.ok, None, Modifier::empty())
    }

    pub fn warn(&self) -> Style {
        self.paint(self.palette.warn, None, Modifier::empty())
    }

    pub fn error(&self) -> Style {
        self.paint(self.palette.error, None, Modifier::BOLD)
    }

    /// The READ-ONLY badge. Without colour it is reversed, so it still reads as a badge.
    pub fn read_only_badge(&self) -> Style {
        let m = if self.no_color {
            Modifier::BOLD | Modifier::REVERSED
        } else {
            Modifier::BOLD
        };
        self.paint(
            self.palette.read_only_fg,
            Some(self.palette.read_only_bg),
            m,
        )
    }

    pub fn breadcrumb(&self) -> Style {
        self.paint(self.palette.breadcrumb, None, Modifier::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(src: &str) -> Result<Theme, ThemeError> {
        Theme::from_toml_str(src, Path::new("themes/bad.toml"))
    }

    fn diag(src: &str) -> TomlDiagnostic {
        match theme(src) {
            Err(ThemeError::Parse(d)) => d,
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn every_builtin_parses_and_sets_every_role() {
        for (name, src) in BUILTIN_THEMES {
            let origin = PathBuf::from(format!("themes/{name}.toml"));
            let file: ThemeFile = parse_toml(src, &origin).unwrap_or_else(|e| panic!("{e}"));
            assert!(file.extends.is_none(), "{name}: built-ins stand alone");
            assert_eq!(
                file.colors.missing(),
                Vec::<&str>::new(),
                "{name}: roles not set"
            );
            let theme = Theme::builtin(name).unwrap();
            assert_eq!(theme.name, *name);
            assert!(!theme.no_color);
        }
    }

    #[test]
    fn default_theme_keeps_the_terminal_background() {
        let p = Theme::default().palette;
        for bg in [p.header_bg, p.status_bg] {
            assert_eq!(bg, Color::Reset);
        }
        // ANSI 16 only, so it follows the user's terminal palette.
        for role in Palette::ROLES {
            let c = p.get(role).unwrap();
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "{role}: {c:?}"
            );
        }
    }

    #[test]
    fn unknown_builtin_is_none() {
        assert!(Theme::builtin("solarized").is_none());
    }

    #[test]
    fn partial_theme_overrides_role_by_role() {
        let t = theme("[colors]\ncritical = \"#ff0000\"\nselection_bg = 17\n").unwrap();
        let d = Theme::default().palette;
        assert_eq!(t.palette.critical, Color::Rgb(255, 0, 0));
        assert_eq!(t.palette.selection_bg, Color::Indexed(17));
        assert_eq!(t.palette.high, d.high);
        assert_eq!(t.palette.border, d.border);
        assert_eq!(t.name, "bad");
    }

    #[test]
    fn extends_another_builtin() {
        let t = theme("extends = \"light\"\n[colors]\naccent = \"red\"\n").unwrap();
        let light = Theme::builtin("light").unwrap().palette;
        assert_eq!(t.palette.accent, Color::Red);
        assert_eq!(t.palette.text, light.text);
        assert_eq!(t.palette.selection_bg, light.selection_bg);
    }

    #[test]
    fn extends_unknown_builtin_is_an_error() {
        let d = diag("extends = \"nope\"\n");
        assert_eq!((d.line, d.column), (Some(1), Some(11)));
        assert_eq!(d.key.as_deref(), Some("extends"));
        assert!(d.message.contains("unknown built-in theme \"nope\""), "{d}");
    }

    #[test]
    fn color_syntax() {
        assert_eq!(parse_color("red"), Some(Color::Red));
        assert_eq!(parse_color("LightRed"), Some(Color::LightRed));
        assert_eq!(parse_color("light-red"), Some(Color::LightRed));
        assert_eq!(parse_color("light_blue"), Some(Color::LightBlue));
        assert_eq!(parse_color("darkgrey"), Some(Color::DarkGray));
        assert_eq!(parse_color("reset"), Some(Color::Reset));
        assert_eq!(parse_color("#00ff7F"), Some(Color::Rgb(0, 255, 127)));
        assert_eq!(parse_color("208"), Some(Color::Indexed(208)));
        assert_eq!(parse_color("0"), Some(Color::Indexed(0)));
        for bad in ["reddish", "#fff", "#gggggg", "256", "", "#", "-1"] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
    }

    #[test]
    fn index_as_toml_integer() {
        let t = theme("[colors]\nlow = 33\n").unwrap();
        assert_eq!(t.palette.low, Color::Indexed(33));
        let d = diag("[colors]\nlow = 300\n");
        assert_eq!(d.key.as_deref(), Some("colors.low"));
        assert!(d.message.contains("out of range"), "{d}");
    }

    #[test]
    fn bad_color_names_file_line_column_and_key() {
        let d = diag("# my theme\n[colors]\ncritical = \"reddish\"\n");
        assert_eq!(
            d.to_string(),
            "themes/bad.toml: line 3, column 12: key \"colors.critical\": unknown color \"reddish\" \
             (expected an ANSI name, \"reset\", \"#rrggbb\" or 0-255)"
        );
        assert_eq!(d.key.as_deref(), Some("colors.critical"));
    }

    #[test]
    fn wrong_value_type() {
        let d = diag("[colors]\ntext = true\n");
        assert_eq!(d.line, Some(2));
        assert_eq!(d.key.as_deref(), Some("colors.text"));
        assert!(d.message.contains("expected an ANSI name"), "{d}");
    }

    #[test]
    fn unknown_role_is_an_error() {
        let d = diag("[colors]\ncritical = \"red\"\nborder_focussed = \"blue\"\n");
        assert_eq!((d.line, d.column), (Some(3), Some(1)));
        assert_eq!(d.key.as_deref(), Some("colors.border_focussed"));
        assert!(
            d.to_string().starts_with(
                "themes/bad.toml: line 3, column 1: unknown key \"colors.border_focussed\" (expected one of critical, high,"
            ),
            "{d}"
        );
    }

    #[test]
    fn unknown_top_level_key() {
        let d = diag("[colours]\ncritical = \"red\"\n");
        assert_eq!(d.key.as_deref(), Some("colours"));
        assert!(
            d.message
                .starts_with("unknown key \"colours\" (expected extends or colors)"),
            "{d}"
        );
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let d = diag("[colors]\ncritical = \"red\n");
        assert_eq!(d.line, Some(2));
        assert!(d.column.is_some());
        assert!(
            d.to_string()
                .starts_with("themes/bad.toml: line 2, column "),
            "{d}"
        );
    }

    #[test]
    fn resolve_builtin_path_and_missing() {
        assert_eq!(Theme::resolve("light", None).unwrap().name, "light");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.toml");
        std::fs::write(&path, "[colors]\nborder = \"red\"\n").unwrap();
        let t = Theme::resolve(path.to_str().unwrap(), None).unwrap();
        assert_eq!((t.name.as_str(), t.palette.border), ("prod", Color::Red));
        let t = Theme::resolve("prod.toml", Some(dir.path())).unwrap();
        assert_eq!(t.palette.border, Color::Red);
        let err = Theme::resolve("nonesuch", None).unwrap_err();
        assert!(matches!(err, ThemeError::NotFound(_)));
        assert!(
            err.to_string().contains("default, light, high-contrast"),
            "{err}"
        );
    }

    #[test]
    fn styles_use_role_colors() {
        let t = Theme::default();
        let p = t.palette;
        assert_eq!(t.severity(Severity::High).fg, Some(p.high));
        assert!(
            t.severity(Severity::Critical)
                .add_modifier
                .contains(Modifier::BOLD)
        );
        assert_eq!(t.selected().fg, Some(p.selection_fg));
        assert_eq!(t.selected().bg, Some(p.selection_bg));
        assert_eq!(t.border(true).fg, Some(p.border_focused));
        assert_eq!(t.border(false).fg, Some(p.border));
        assert_eq!(t.read_only_badge().bg, Some(p.read_only_bg));
        assert_eq!(t.header().bg, Some(p.header_bg));
    }

    #[test]
    fn no_color_strips_colors_but_keeps_modifiers() {
        let t = Theme::builtin("high-contrast").unwrap().with_no_color(true);
        let styles = [
            t.severity(Severity::Critical),
            t.severity(Severity::Informational),
            t.selected(),
            t.marked(),
            t.border(true),
            t.border(false),
            t.title(),
            t.text(),
            t.dimmed(),
            t.header(),
            t.status(),
            t.accent(),
            t.ok(),
            t.warn(),
            t.error(),
            t.read_only_badge(),
            t.breadcrumb(),
        ];
        for s in styles {
            assert_eq!((s.fg, s.bg), (None, None), "{s:?}");
        }
        assert!(
            t.selected()
                .add_modifier
                .contains(Modifier::REVERSED | Modifier::BOLD)
        );
        assert!(
            t.severity(Severity::Critical)
                .add_modifier
                .contains(Modifier::BOLD)
        );
        assert!(t.border(true).add_modifier.contains(Modifier::BOLD));
        assert_ne!(t.marked(), t.text());
    }

    #[test]
    fn no_color_env_value() {
        assert!(!no_color_requested(None));
        assert!(!no_color_requested(Some(OsStr::new(""))));
        assert!(no_color_requested(Some(OsStr::new("1"))));
        assert!(no_color_requested(Some(OsStr::new("0"))));
    }
}
