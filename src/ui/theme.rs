//! TEMPORARY: replaced by the theme module from the theme branch at merge.
use crate::model::Severity;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub no_color: bool,
}

impl Theme {
    pub fn severity(&self, s: Severity) -> Style {
        let c = match s {
            Severity::Critical => Color::LightRed,
            Severity::High => Color::Red,
            Severity::Medium => Color::Yellow,
            Severity::Low => Color::Blue,
            Severity::Informational => Color::DarkGray,
        };
        Style::default().fg(c)
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn marked(&self) -> Style {
        Style::default().fg(Color::Magenta)
    }
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            Style::default().fg(Color::Cyan)
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }
    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    pub fn text(&self) -> Style {
        Style::default()
    }
    pub fn dimmed(&self) -> Style {
        Style::default().fg(Color::DarkGray)
    }
    pub fn header(&self) -> Style {
        Style::default()
    }
    pub fn status_bar(&self) -> Style {
        Style::default()
    }
    pub fn accent(&self) -> Style {
        Style::default().fg(Color::Cyan)
    }
    pub fn ok(&self) -> Style {
        Style::default().fg(Color::Green)
    }
    pub fn warn(&self) -> Style {
        Style::default().fg(Color::Yellow)
    }
    pub fn error(&self) -> Style {
        Style::default().fg(Color::Red)
    }
    pub fn read_only(&self) -> Style {
        Style::default().fg(Color::Black).bg(Color::Yellow)
    }
    pub fn breadcrumb(&self) -> Style {
        Style::default().fg(Color::Cyan)
    }
}
