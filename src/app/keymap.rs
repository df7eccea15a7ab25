//! The keymap: one table that drives key handling, the `?` help screen and docs/keys.md.
use crate::model::Source;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does in normal mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Enter,
    Back,
    Filter,
    Command,
    NextPane,
    PrevPane,
    Sort,
    ReverseSort,
    Group,
    ToggleClosed,
    HideColumn,
    Refresh,
    RawJson,
    CopyArn,
    ConsoleUrl,
    Mark,
    ClearMarks,
    Act,
    Undo,
    Help,
    Quit,
}

/// A key as written in help and matched against crossterm events.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}
const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Backspace".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }

    fn matches(&self, ev: &KeyEvent) -> bool {
        let has_ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        if has_ctrl != self.ctrl {
            return false;
        }
        match (self.code, ev.code) {
            // Terminals report Shift+letter as the upper-case char, sometimes with SHIFT set.
            (KeyCode::Char(a), KeyCode::Char(b)) => a == b,
            (a, b) => a == b,
        }
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// Where the key applies, shown as a heading in help.
    pub section: &'static str,
}

pub const NAVIGATION: &str = "Navigation";
pub const VIEW: &str = "Views and tables";
pub const RESOURCE: &str = "On the selection";
pub const GENERAL: &str = "General";

pub static KEYMAP: &[Binding] = &[
    Binding {
        keys: &[ch('j'), code(KeyCode::Down)],
        action: Action::Down,
        help: "move down",
        section: NAVIGATION,
    },
    Binding {
        keys: &[ch('k'), code(KeyCode::Up)],
        action: Action::Up,
        help: "move up",
        section: NAVIGATION,
    },
    Binding {
        keys: &[ch('h'), code(KeyCode::Left)],
        action: Action::Left,
        help: "previous column / sub-tab",
        section: NAVIGATION,
    },
    Binding {
        keys: &[ch('l'), code(KeyCode::Right)],
        action: Action::Right,
        help: "next column / sub-tab",
        section: NAVIGATION,
    },
    Binding {
        keys: &[ch('g'), code(KeyCode::Home)],
        action: Action::Top,
        help: "go to the top",
        section: NAVIGATION,
    },
    Binding {
        keys: &[ch('G'), code(KeyCode::End)],
        action: Action::Bottom,
        help: "go to the bottom",
        section: NAVIGATION,
    },
    Binding {
        keys: &[code(KeyCode::PageDown), ctrl('f')],
        action: Action::PageDown,
        help: "page down",
        section: NAVIGATION,
    },
    Binding {
        keys: &[code(KeyCode::PageUp), ctrl('b')],
        action: Action::PageUp,
        help: "page up",
        section: NAVIGATION,
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        action: Action::Enter,
        help: "drill down (count → findings → finding → resource)",
        section: NAVIGATION,
    },
    Binding {
        keys: &[code(KeyCode::Esc), code(KeyCode::Backspace)],
        action: Action::Back,
        help: "back up one level (see the breadcrumbs)",
        section: NAVIGATION,
    },
    Binding {
        keys: &[code(KeyCode::Tab)],
        action: Action::NextPane,
        help: "next pane (overview, findings, resources, IAM)",
        section: NAVIGATION,
    },
    Binding {
        keys: &[code(KeyCode::BackTab)],
        action: Action::PrevPane,
        help: "previous pane",
        section: NAVIGATION,
    },
    Binding {
        keys: &[ch('/')],
        action: Action::Filter,
        help: "filter: fuzzy text + sev: src: region: status: type: res: terms; ! excludes",
        section: VIEW,
    },
    Binding {
        keys: &[ch('s')],
        action: Action::Sort,
        help: "sort by the next column (findings and resources tables)",
        section: VIEW,
    },
    Binding {
        keys: &[ch('S')],
        action: Action::ReverseSort,
        help: "reverse the sort order",
        section: VIEW,
    },
    Binding {
        keys: &[ch('v')],
        action: Action::Group,
        help: "group findings: none → control + resource → resource",
        section: VIEW,
    },
    Binding {
        keys: &[ch('a')],
        action: Action::ToggleClosed,
        help: "show or hide resolved, suppressed and archived findings",
        section: VIEW,
    },
    Binding {
        keys: &[ch('z')],
        action: Action::HideColumn,
        help: "hide the next column of the table in turn (cycles; :cols to choose and size)",
        section: VIEW,
    },
    Binding {
        keys: &[ch('y')],
        action: Action::RawJson,
        help: "raw JSON of the finding; on an IAM row, copy the row's JSON",
        section: RESOURCE,
    },
    Binding {
        keys: &[ch('c')],
        action: Action::CopyArn,
        help: "copy the resource ARN to the clipboard (OSC 52)",
        section: RESOURCE,
    },
    Binding {
        keys: &[ch('b')],
        action: Action::ConsoleUrl,
        help: "copy the AWS console URL of the selection",
        section: RESOURCE,
    },
    Binding {
        keys: &[ch(' ')],
        action: Action::Mark,
        help: "mark or unmark the row",
        section: RESOURCE,
    },
    Binding {
        // k9s clears marks with Ctrl-\; terminals send that key as Ctrl-4.
        keys: &[ctrl('\\'), ctrl('4')],
        action: Action::ClearMarks,
        help: "clear every mark (also marks a filter hides)",
        section: RESOURCE,
    },
    Binding {
        keys: &[ch('x')],
        action: Action::Act,
        help: "actions for the selection or the marked rows (preview, confirm, journal)",
        section: RESOURCE,
    },
    Binding {
        keys: &[ch('u')],
        action: Action::Undo,
        help: "undo the last undoable action (asks first)",
        section: RESOURCE,
    },
    Binding {
        keys: &[ch(':')],
        action: Action::Command,
        help: "command (:findings :posture :iam :who-can-admin :resources :overview :incident :region R :sort K :group G :help :q)",
        section: GENERAL,
    },
    Binding {
        keys: &[ch('r'), ctrl('r')],
        action: Action::Refresh,
        help: "reload the data",
        section: GENERAL,
    },
    Binding {
        keys: &[ch('?')],
        action: Action::Help,
        help: "this help",
        section: GENERAL,
    },
    Binding {
        keys: &[ch('q'), ctrl('c')],
        action: Action::Quit,
        help: "quit",
        section: GENERAL,
    },
];

/// One key hint of the bottom line. A bound hint names keymap actions, so its key text comes
/// from [`KEYMAP`] (rebinding a key changes the hint with it); a local one is a key only one
/// view or mode reads (the incident walkthrough's `s`, a dialog's `y`).
#[derive(Debug, Clone, Copy)]
pub enum Hint {
    Bound(&'static [Action], &'static str),
    Local(&'static str, &'static str),
}

impl Hint {
    /// The key text: each action's first key, joined with `/` (`j/k`).
    pub fn key(&self) -> String {
        match self {
            Hint::Bound(actions, _) => actions
                .iter()
                .map(|a| key_label(*a))
                .collect::<Vec<_>>()
                .join("/"),
            Hint::Local(key, _) => (*key).to_string(),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Hint::Bound(_, label) | Hint::Local(_, label) => label,
        }
    }
}

/// The first key bound to `action` (`?` when none is: a test keeps every hinted action bound).
pub fn key_label(action: Action) -> String {
    KEYMAP
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first())
        .map_or_else(|| "?".to_string(), Key::label)
}

pub fn lookup(ev: &KeyEvent) -> Option<Action> {
    KEYMAP
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// What a `:` command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Overview,
    Findings,
    Source(Source),
    Resources,
    Iam,
    WhoCanAdmin,
    Journal,
    Incident,
    Region,
    Account,
    Accounts,
    Sort,
    Group,
    Cols,
    Help,
    Quit,
}

/// One `:` command: how help and docs show it, the names it answers to (the first word of
/// each `label` part is completed with Tab), and what it does.
pub struct CommandSpec {
    pub label: &'static str,
    pub help: &'static str,
    pub names: &'static [&'static str],
    pub cmd: Cmd,
}

const fn command_spec(
    label: &'static str,
    help: &'static str,
    names: &'static [&'static str],
    cmd: Cmd,
) -> CommandSpec {
    CommandSpec {
        label,
        help,
        names,
        cmd,
    }
}

/// The `:` commands: the one table for running them, help, completion and docs.
pub static COMMANDS: &[CommandSpec] = &[
    command_spec(
        "overview",
        "the overview pane",
        &["overview", "o"],
        Cmd::Overview,
    ),
    command_spec(
        "findings",
        "all findings",
        &["findings", "f"],
        Cmd::Findings,
    ),
    command_spec(
        "posture",
        "posture findings (IAM and account rules)",
        &["posture"],
        Cmd::Source(Source::Posture),
    ),
    command_spec(
        "guardduty",
        "GuardDuty findings",
        &["guardduty", "gd"],
        Cmd::Source(Source::GuardDuty),
    ),
    command_spec(
        "securityhub",
        "Security Hub findings",
        &["securityhub", "sh"],
        Cmd::Source(Source::SecurityHub),
    ),
    command_spec(
        "accessanalyzer",
        "Access Analyzer findings",
        &["accessanalyzer", "aa"],
        Cmd::Source(Source::AccessAnalyzer),
    ),
    command_spec(
        "resources",
        "the resources pane",
        &["resources", "res"],
        Cmd::Resources,
    ),
    command_spec(
        "iam",
        "the IAM pane (users, roles, groups, policies)",
        &["iam"],
        Cmd::Iam,
    ),
    command_spec(
        "who-can-admin",
        "every principal with a path to an administrator; Enter shows its can-become tree",
        &["who-can-admin", "wca"],
        Cmd::WhoCanAdmin,
    ),
    command_spec(
        "journal",
        "the actions taken, their status; Enter verifies an unknown one",
        &["journal", "j"],
        Cmd::Journal,
    ),
    command_spec(
        "incident [PLAYBOOK]",
        "start (or show) the incident playbook for the selected finding or IAM user",
        &["incident", "inc"],
        Cmd::Incident,
    ),
    command_spec(
        "region REGION",
        "findings in one region",
        &["region"],
        Cmd::Region,
    ),
    command_spec(
        "account ID|NAME|*",
        "--org: show one account (overview, findings, IAM; x and u act there through its role), * all of them",
        &["account", "acct", "ctx"],
        Cmd::Account,
    ),
    command_spec(
        "accounts",
        "--org: the Accounts pane (every account, its findings, score and coverage)",
        &["accounts"],
        Cmd::Accounts,
    ),
    command_spec(
        "sort severity|time|source|resource",
        "sort the table",
        &["sort"],
        Cmd::Sort,
    ),
    command_spec(
        "group none|control|resource",
        "group the findings table",
        &["group"],
        Cmd::Group,
    ),
    command_spec(
        "cols -COL +COL COL=N|auto reset",
        "hide, show or size the table's columns by name; alone, lists them",
        &["cols", "columns"],
        Cmd::Cols,
    ),
    command_spec("help", "this help", &["help", "h"], Cmd::Help),
    command_spec("quit, q", "quit", &["quit", "q", "q!"], Cmd::Quit),
];

/// The command a name (or alias) runs.
pub fn command(name: &str) -> Option<Cmd> {
    COMMANDS
        .iter()
        .find(|c| c.names.contains(&name))
        .map(|c| c.cmd)
}

/// Tab completion: the command names shown in help that start with `prefix`.
pub fn complete(prefix: &str) -> Vec<&'static str> {
    COMMANDS
        .iter()
        .flat_map(|c| c.label.split(", "))
        .map(|c| c.split(' ').next().unwrap_or(c))
        .filter(|c| c.starts_with(prefix))
        .collect()
}

/// What a command takes as its argument, read from its label (`region REGION`,
/// `incident [PLAYBOOK]`, `sort severity|time|...`): Tab completes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Region,
    /// An account of the organization (`--org`).
    Account,
    Playbook,
    /// One of the words of the label.
    Words(&'static str),
}

/// The argument a command (by name or alias) takes, if any.
pub fn arg_kind(name: &str) -> Option<ArgKind> {
    let spec = COMMANDS.iter().find(|c| c.names.contains(&name))?;
    let arg = spec.label.split(", ").next()?.split_once(' ')?.1;
    Some(match arg.trim_matches(['[', ']']) {
        "REGION" => ArgKind::Region,
        "ID|NAME|*" => ArgKind::Account,
        "PLAYBOOK" => ArgKind::Playbook,
        _ => ArgKind::Words(arg),
    })
}

/// Markdown for docs/keys.md, generated from the tables above (a test keeps the file current).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Keys\n\nGenerated from `src/app/keymap.rs` (the same table drives the `?` help screen).\n",
    );
    let mut section = "";
    for b in KEYMAP {
        if b.section != section {
            section = b.section;
            out.push_str(&format!("\n## {section}\n\n| keys | does |\n|---|---|\n"));
        }
        let keys: Vec<String> = b.keys.iter().map(|k| format!("`{}`", k.label())).collect();
        out.push_str(&format!("| {} | {} |\n", keys.join(" "), b.help));
    }
    out.push_str("\n## Commands (`:`)\n\n| command | does |\n|---|---|\n");
    for c in COMMANDS {
        out.push_str(&format!("| `:{}` | {} |\n", c.label, c.help));
    }
    out.push_str(
        "\n## In the filter (`/`) and command (`:`) line\n\n| keys | does |\n|---|---|\n\
         | `Enter` | keep the filter / run the command |\n\
         | `Esc` | clear the filter / cancel the command |\n\
         | `Backspace` | delete a character |\n\
         | `Tab` | complete the command name or its argument (region, playbook, sort key); again: next candidate |\n\
         | `!word` `!sev:low` | leave out what the word or term matches |\n",
    );
    out
}
