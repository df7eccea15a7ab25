//! Every built-in theme's colour pairs meet WCAG 2.x contrast (ratio ≥ 4.5, the AA level for
//! text), computed from the RGB values of xterm's default palette for named and indexed colours.
use super::theme::{BUILTIN_THEMES, Theme};
use ratatui::style::Color;

/// The terminal the theme is meant for: `reset` foreground and background.
struct Terminal {
    fg: (u8, u8, u8),
    bg: (u8, u8, u8),
}

/// xterm's default palette for the 16 ANSI colours, the 6x6x6 cube and the gray ramp.
fn rgb(c: Color, reset: (u8, u8, u8)) -> (u8, u8, u8) {
    match c {
        Color::Reset => reset,
        Color::Black => (0, 0, 0),
        Color::Red => (205, 0, 0),
        Color::Green => (0, 205, 0),
        Color::Yellow => (205, 205, 0),
        Color::Blue => (0, 0, 238),
        Color::Magenta => (205, 0, 205),
        Color::Cyan => (0, 205, 205),
        Color::Gray => (229, 229, 229),
        Color::DarkGray => (127, 127, 127),
        Color::LightRed => (255, 0, 0),
        Color::LightGreen => (0, 255, 0),
        Color::LightYellow => (255, 255, 0),
        Color::LightBlue => (92, 92, 255),
        Color::LightMagenta => (255, 0, 255),
        Color::LightCyan => (0, 255, 255),
        Color::White => (255, 255, 255),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if i < 16 => rgb(ANSI16[i as usize], reset),
        Color::Indexed(i) if i < 232 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = i - 16;
            (level(i / 36), level((i / 6) % 6), level(i % 6))
        }
        Color::Indexed(i) => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

const ANSI16: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

/// WCAG relative luminance of an sRGB colour.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |v: u8| {
        let c = f64::from(v) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Foreground roles drawn on the terminal's own background.
const ON_TERMINAL: &[&str] = &[
    "critical",
    "high",
    "medium",
    "low",
    "informational",
    "marked",
    "border",
    "border_focused",
    "title",
    "text",
    "dimmed",
    "breadcrumb",
    "accent",
    "ok",
    "warn",
    "error",
];

/// Foreground / background role pairs drawn together (header and status spans take the bar's
/// foreground on a solid bar, see `Theme::on_header`; a `reset` bar is the terminal).
const PAIRS: &[(&str, &str)] = &[
    ("selection_fg", "selection_bg"),
    ("header_fg", "header_bg"),
    ("status_fg", "status_bg"),
    ("read_only_fg", "read_only_bg"),
];

fn terminal_for(theme: &str) -> Terminal {
    if theme == "light" {
        Terminal {
            fg: (0, 0, 0),
            bg: (255, 255, 255),
        }
    } else {
        Terminal {
            fg: (229, 229, 229),
            bg: (0, 0, 0),
        }
    }
}

/// Every failing pair of a theme, as `role on role: ratio`.
fn failures(t: &Theme, term: &Terminal) -> Vec<String> {
    let p = &t.palette;
    let fg = |role: &str| rgb(p.get(role).unwrap(), term.fg);
    let bg = |role: &str| rgb(p.get(role).unwrap(), term.bg);
    let mut out = Vec::new();
    let mut check = |what: String, r: f64| {
        if r < 4.5 {
            out.push(format!("{what}: {r:.2}"));
        }
    };
    for role in ON_TERMINAL {
        check(
            format!("{role} on the background"),
            ratio(fg(role), term.bg),
        );
    }
    for (f, b) in PAIRS {
        check(format!("{f} on {b}"), ratio(fg(f), bg(b)));
    }
    out
}

#[test]
fn every_builtin_theme_meets_wcag_aa_contrast() {
    for (name, _) in BUILTIN_THEMES {
        let t = Theme::builtin(name).unwrap();
        let bad = failures(&t, &terminal_for(name));
        assert!(bad.is_empty(), "theme {name}: {bad:#?}");
    }
}

#[test]
fn critical_and_high_look_different_in_every_builtin_theme() {
    for (name, _) in BUILTIN_THEMES {
        let p = Theme::builtin(name).unwrap().palette;
        let sev = [p.critical, p.high, p.medium, p.low, p.informational];
        for (i, a) in sev.iter().enumerate() {
            for b in &sev[i + 1..] {
                assert_ne!(a, b, "theme {name}: two severities share {a:?}");
            }
        }
    }
}

/// The check itself catches the reported bugs: white on white, and dark red on black.
#[test]
fn contrast_check_catches_bad_pairs() {
    assert!((ratio((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
    assert!((ratio((1, 2, 3), (1, 2, 3)) - 1.0).abs() < 1e-9);
    let dark = terminal_for("default");
    let mut t = Theme::builtin("high-contrast").unwrap();
    t.palette.header_fg = Color::White;
    assert!(
        failures(&t, &dark).contains(&"header_fg on header_bg: 1.00".to_string()),
        "{:?}",
        failures(&t, &dark)
    );
    t = Theme::default();
    t.palette.high = Color::Red;
    assert!(failures(&t, &dark)[0].starts_with("high on the background: 3."));
    assert_eq!(rgb(Color::Indexed(130), dark.fg), (175, 95, 0));
    assert_eq!(rgb(Color::Indexed(244), dark.fg), (128, 128, 128));
    assert_eq!(rgb(Color::Indexed(9), dark.fg), (255, 0, 0));
}
