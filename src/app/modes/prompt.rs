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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub what: PromptFor,
    pub label: String,
    pub text: String,
}

pub fn key(state: &mut State, key: KeyEvent, mut p: Box<Prompt>) -> Vec<Effect> {
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
