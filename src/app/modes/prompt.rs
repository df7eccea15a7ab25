//! A line of text for the incident walkthrough (a note, a skip reason).
use super::line::edit;
use crate::app::state::{Effect, Mode, State};
use crate::app::views::incident;
use crossterm::event::{KeyCode, KeyEvent};

/// What the walkthrough's text prompt is for.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptFor {
    Note(usize),
    Skip(usize),
    /// `q` while an incident is unfinished: `y` quits, anything else stays.
    Quit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub what: PromptFor,
    pub label: String,
    pub text: String,
}

/// `q` / `:q`: quits, or asks first when an incident is unfinished (it is saved after every
/// step, so quitting loses nothing; the question says how to resume).
pub fn quit(state: &mut State) -> Vec<Effect> {
    let open = incident::unfinished(state);
    let Some(first) = open.first() else {
        return vec![Effect::Quit];
    };
    let left = first
        .steps
        .iter()
        .filter(|s| !s.status.is_settled())
        .count();
    let label = if open.len() == 1 {
        format!(
            "Quit? Incident {} has {left} step(s) left. It is saved: `guardpost incident resume {}` continues it.",
            first.id, first.id
        )
    } else {
        format!(
            "Quit? {} incidents are unfinished ({}). They are saved: `guardpost incident resume ID` continues one.",
            open.len(),
            open.iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    state.mode = Mode::Prompt(Box::new(Prompt {
        what: PromptFor::Quit,
        label,
        text: "y quits · n or Esc stays".into(),
    }));
    vec![]
}

pub fn key(state: &mut State, key: KeyEvent, mut p: Box<Prompt>) -> Vec<Effect> {
    if p.what == PromptFor::Quit {
        state.mode = Mode::Normal;
        if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
            return vec![Effect::Quit];
        }
        state.info("still here: the incident goes on");
        return vec![];
    }
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            state.info("cancelled");
            vec![]
        }
        KeyCode::Enter if p.text.trim().is_empty() => {
            let why = match p.what {
                PromptFor::Skip(_) => {
                    "not skipped: a skip needs a reason (it goes in the timeline); type it, or Esc"
                }
                PromptFor::Note(_) => "no note added: the note is empty; type it, or Esc",
                // Answered by a key above, never by a line.
                PromptFor::Quit => "y quits, n or Esc stays",
            };
            state.mode = Mode::Prompt(p);
            state.warn(why);
            vec![]
        }
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            let text = p.text.trim().to_string();
            incident::prompt_done(state, p.what, text)
        }
        _ => {
            if edit(&mut p.text, &key) {
                // The complaint about an empty line is answered.
                state.status = None;
            }
            state.mode = Mode::Prompt(p);
            vec![]
        }
    }
}
