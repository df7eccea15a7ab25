//! Line editing: the filter (`/`) and command (`:`) lines, and the help screen (`?`).
use crate::app::keymap::{self, ArgKind, Cmd};
use crate::app::list::{GroupMode, Scope, SortKey};
use crate::app::state::{Completion, Effect, Level, Mode, Pane, State, Status, table_height};
use crate::app::views::findings::findings_view;
use crate::app::views::{Cx, View, admin, incident, journal};
use crate::app::{cursor::Cursor, modes::act};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Line-editing shared by the filter, command and prompt lines. Returns false for keys it ignores.
pub fn edit(text: &mut String, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
        KeyCode::Char('w') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            let trimmed = text.trim_end().len();
            let cut = text[..trimmed].rfind(' ').map(|i| i + 1).unwrap_or(0);
            text.truncate(cut);
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}

/// Pasted text in a line: its first line, without control characters.
pub fn paste_into(text: &mut String, pasted: &str) {
    let first = pasted.lines().next().unwrap_or_default();
    text.extend(first.chars().filter(|c| !c.is_control()));
}

pub fn filter_key(state: &mut State, key: KeyEvent, mut text: String) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            return vec![];
        }
        KeyCode::Esc => {
            text.clear();
            state.mode = Mode::Normal;
        }
        _ => {
            if !edit(&mut text, &key) {
                return vec![];
            }
            state.mode = Mode::Filter(text.clone());
        }
    }
    apply_filter(state, &text);
    vec![]
}

pub fn apply_filter(state: &mut State, text: &str) {
    let Some(data) = state.data.clone() else {
        return;
    };
    let search = state.search.clone();
    let cx = Cx {
        data: &data,
        search: &search,
        summary: &state.summary,
        height: table_height(state.size),
        act: &state.act,
        org: state.org.as_ref(),
    };
    let Some(view) = state.stacks[state.pane.index()].last_mut() else {
        return;
    };
    let warn = view.behaviour_mut().set_filter(&cx, text);
    match warn {
        Some(w) => state.warn(format!("filter: {w}")),
        None => {
            if matches!(state.status, Some(Status { level: Level::Warn, ref text }) if text.starts_with("filter:"))
            {
                state.status = None;
            }
        }
    }
}

pub fn command_key(state: &mut State, key: KeyEvent, mut text: String) -> Vec<Effect> {
    if key.code != KeyCode::Tab {
        state.completion = None;
    }
    match key.code {
        KeyCode::Esc => state.mode = Mode::Normal,
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            return run_command(state, text.trim());
        }
        KeyCode::Tab => complete(state, text),
        _ => {
            if edit(&mut text, &key) {
                state.mode = Mode::Command(text);
            }
        }
    }
    vec![]
}

/// Tab in the command line: completes a command name or its argument. One candidate fills
/// it in; several extend the line to their common prefix and are listed after the line; Tab
/// again cycles through them.
fn complete(state: &mut State, text: String) {
    if let Some(c) = state.completion.as_mut()
        && c.line == text
        && c.candidates.len() > 1
    {
        let i = c.index.map_or(0, |i| (i + 1) % c.candidates.len());
        let head = head_of(&text);
        c.index = Some(i);
        c.line = format!("{head}{}", c.candidates[i]);
        state.mode = Mode::Command(c.line.clone());
        return;
    }
    let (head, word, candidates) = candidates(state, &text);
    let line = match candidates.as_slice() {
        [] => text,
        // A command name gets its space (its argument comes next).
        [one] if head.is_empty() => format!("{one} "),
        [one] => format!("{head}{one}"),
        many => {
            let common = common_prefix(many);
            format!(
                "{head}{}",
                if common.len() > word.len() {
                    common
                } else {
                    word
                }
            )
        }
    };
    state.completion = Some(Completion {
        candidates,
        index: None,
        line: line.clone(),
    });
    state.mode = Mode::Command(line);
}

/// The line up to the word being completed.
fn head_of(text: &str) -> &str {
    match text.rfind(' ') {
        Some(i) => &text[..=i],
        None => "",
    }
}

/// What Tab can put in place of the last word: (the line before it, the word, candidates).
fn candidates<'a>(state: &State, text: &'a str) -> (&'a str, &'a str, Vec<String>) {
    let head = head_of(text);
    let word = &text[head.len()..];
    let mut words = head.split_whitespace();
    let found: Vec<String> = match (words.next(), words.next()) {
        (None, _) => keymap::complete(word)
            .into_iter()
            .map(String::from)
            .collect(),
        (Some(name), None) => {
            let values: Vec<String> = match keymap::arg_kind(name) {
                None => vec![],
                Some(ArgKind::Region) => state
                    .data
                    .as_ref()
                    .map(|d| d.regions.clone())
                    .unwrap_or_default(),
                Some(ArgKind::Account) => state
                    .org
                    .iter()
                    .flat_map(|o| o.rows.iter())
                    .flat_map(|r| [r.account.id.clone(), r.account.name.clone()])
                    .filter(|w| !w.is_empty())
                    .chain(std::iter::once("*".to_string()))
                    .collect(),
                Some(ArgKind::Playbook) => crate::incident::playbooks()
                    .into_iter()
                    .map(|p| p.id)
                    .collect(),
                Some(ArgKind::Words(w)) => w.split('|').map(String::from).collect(),
            };
            values.into_iter().filter(|v| v.starts_with(word)).collect()
        }
        // Commands take one argument.
        _ => vec![],
    };
    (head, word, found)
}

fn common_prefix(words: &[String]) -> &str {
    let first = words[0].as_str();
    let mut n = first.len();
    for w in &words[1..] {
        n = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(n);
    }
    &first[..n]
}

/// Runs a `:` command. Public so tests and the CLI's `--command` can drive it.
pub fn run_command(state: &mut State, cmd: &str) -> Vec<Effect> {
    let mut words = cmd.split_whitespace();
    let Some(name) = words.next() else {
        return vec![];
    };
    let arg = words.next();
    let Some(command) = keymap::command(name) else {
        state.error(format!("unknown command :{name} (press ? for the list)"));
        return vec![];
    };
    match command {
        // `:q!` quits whatever is open; `:q` asks first while an incident is unfinished.
        Cmd::Quit if name == "q!" => return vec![Effect::Quit],
        Cmd::Quit => return crate::app::modes::prompt::quit(state),
        Cmd::Help => {
            state.mode = Mode::Help { scroll: 0 };
            return vec![];
        }
        Cmd::Account => {
            return match arg {
                Some(a) => crate::app::org::switch(state, a),
                None => {
                    match &state.org {
                        Some(o) => {
                            let now = o
                                .current
                                .as_deref()
                                .map_or_else(|| "all accounts".to_string(), |id| o.label(id));
                            state.info(format!(
                                "showing {now}; :account ID|NAME shows one, :account * all"
                            ));
                        }
                        None => {
                            state.warn(":account needs an organization: start guardpost with --org")
                        }
                    }
                    vec![]
                }
            };
        }
        Cmd::Accounts => {
            if state.org.is_some() {
                state.pane = Pane::Accounts;
            } else {
                state.warn(":accounts needs an organization: start guardpost with --org");
            }
            return vec![];
        }
        _ => {}
    }
    let Some(data) = state.data.clone() else {
        state.warn("no data loaded yet");
        return vec![];
    };
    let search = state.search.clone();
    let height = table_height(state.size);
    // A findings command starts from the findings pane's base table.
    let findings_pane = |state: &mut State, push: Option<View>| {
        state.pane = Pane::Findings;
        let stack = state.stack_of(Pane::Findings);
        stack.truncate(1);
        stack.extend(push);
    };
    match command {
        Cmd::Quit | Cmd::Help | Cmd::Account | Cmd::Accounts => {}
        Cmd::Cols => {
            let args = cmd.split_once(char::is_whitespace).map_or("", |(_, a)| a);
            crate::app::columns::cols_command(state, args);
        }
        Cmd::Overview => state.pane = Pane::Overview,
        Cmd::Findings => findings_pane(state, None),
        Cmd::Resources => state.pane = Pane::Resources,
        Cmd::Iam => state.pane = Pane::Iam,
        Cmd::WhoCanAdmin => {
            let v = admin::WhoCanAdminView::new(&data, "");
            if v.rows.is_empty() {
                match &v.caveat {
                    Some(why) => state.warn(format!("no path to admin found, but {why}")),
                    None => state.info("no principal can become admin"),
                }
            }
            state.push(View::WhoCanAdmin(v));
        }
        Cmd::Journal => journal::open(state),
        Cmd::Incident => {
            // A playbook acts in one account, through its role.
            if crate::app::org::all_accounts_shown(state) {
                return vec![];
            }
            let sel = crate::app::selection_of(state);
            return incident::start_from_selection(state, sel, arg);
        }
        Cmd::Source(src) => {
            let v = findings_view(Scope::Source(src), &data, &search, height);
            findings_pane(state, Some(v));
        }
        Cmd::Region => match arg {
            Some(r)
                if data.regions.iter().any(|x| x == r)
                    || data.findings.iter().any(|f| f.region == r) =>
            {
                let v = findings_view(Scope::Region(r.to_string()), &data, &search, height);
                findings_pane(state, Some(v));
            }
            Some(r) => state.error(format!(
                "unknown region {r:?}; loaded: {}",
                data.regions.join(", ")
            )),
            None => state.error(format!(
                ":region needs a region; loaded: {}",
                data.regions.join(", ")
            )),
        },
        Cmd::Sort | Cmd::Group => {
            let Some(View::Findings(l)) = state.view_mut() else {
                state.warn(format!(":{name} works on a findings table"));
                return vec![];
            };
            if command == Cmd::Sort {
                match arg.and_then(SortKey::parse) {
                    Some(k) => l.sort = k,
                    None => {
                        state.error("usage: :sort severity|time|source|resource");
                        return vec![];
                    }
                }
            } else {
                match arg.and_then(GroupMode::parse) {
                    Some(g) => l.group = g,
                    None => {
                        state.error("usage: :group none|control|resource");
                        return vec![];
                    }
                }
            }
            l.rebuild(&data, &search);
            l.cursor = Cursor::default();
        }
    }
    vec![]
}

pub fn help_key(state: &mut State, key: KeyEvent, scroll: u16) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
            state.mode = Mode::Normal
        }
        KeyCode::Char('j') | KeyCode::Down => {
            state.mode = Mode::Help {
                scroll: scroll.saturating_add(1),
            }
        }
        KeyCode::Char('k') | KeyCode::Up => {
            state.mode = Mode::Help {
                scroll: scroll.saturating_sub(1),
            }
        }
        KeyCode::Char('g') | KeyCode::Home => state.mode = Mode::Help { scroll: 0 },
        _ => {}
    }
    vec![]
}

/// Pasted text: typed into the filter or command line, ignored elsewhere except the confirm
/// dialog's typed-name field (see [`act::paste`]).
pub fn paste(state: &mut State, pasted: &str) {
    match &mut state.mode {
        Mode::Filter(t) => {
            paste_into(t, pasted);
            let text = t.clone();
            apply_filter(state, &text);
        }
        Mode::Command(t) => paste_into(t, pasted),
        Mode::Prompt(p) => paste_into(&mut p.text, pasted),
        Mode::Confirm(_) | Mode::Actions(_) => act::paste(state, pasted),
        Mode::Normal => state.warn("paste ignored: keys are not read from a paste"),
        _ => {}
    }
}
