//! Drives `app::update` and `ui::render` the way the terminal loop does, without a terminal.
#![allow(dead_code)]
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guardpost::app::{self, Effect, Event, State};
use guardpost::dataset::{Dataset, Origin};
use guardpost::model::SourceProblem;
use guardpost::posture::PostureConfig;
use guardpost::snapshot::Snapshot;
use guardpost::ui::{self, theme::Theme};
use ratatui::{Terminal, backend::TestBackend};

pub fn demo() -> Dataset {
    Dataset::from_snapshot(Snapshot::demo(), Origin::Demo, &PostureConfig::default())
}

pub fn loaded(w: u16, h: u16) -> State {
    loaded_with(demo(), w, h)
}

pub fn loaded_with(data: Dataset, w: u16, h: u16) -> State {
    let mut st = State::new(false, (w, h));
    app::update(&mut st, Event::Tick(chrono::Utc::now()));
    app::update(&mut st, Event::Loaded(Box::new(data)));
    st
}

/// The demo as a load with gaps would leave it: every `guardduty:ListFindings` denied (no
/// GuardDuty record read in any region) and Security Hub throttled in eu-west-1 after some of
/// its pages were read. Coverage is derived from these problems as for any snapshot.
pub fn gapped() -> Dataset {
    let mut snap = Snapshot::demo();
    for gd in &mut snap.guardduty {
        gd.findings.clear();
        snap.problems.push(SourceProblem {
            source: "guardduty".into(),
            region: Some(gd.region.clone()),
            message: "AccessDenied: missing permission guardduty:ListFindings".into(),
        });
    }
    snap.problems.push(SourceProblem {
        source: "securityhub".into(),
        region: Some("eu-west-1".into()),
        message: "ThrottlingException: Rate exceeded".into(),
    });
    snap.coverage = None;
    Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default())
}

/// Keys typed by a person: each one is drawn, and a second passes before the next (as the
/// runtime sends `Event::Clock` before a key and `Event::Drawn` after each frame).
/// Keys in a compact form: plain chars, plus `<Enter>`, `<Esc>`, `<Tab>`, `<BackTab>`, `<Down>`,
/// `<Up>`, `<PgDn>`, `<Space>`, `<C-c>`, `<C-\>`.
pub fn press(st: &mut State, keys: &str) -> Vec<Effect> {
    keys_of(keys)
        .into_iter()
        .flat_map(|k| {
            let at = st.clock + std::time::Duration::from_secs(1);
            app::update(st, Event::Clock(at));
            let mut effects = app::update(st, Event::Key(k));
            effects.extend(app::update(st, Event::Drawn(at)));
            effects
        })
        .collect()
}

/// Keys that arrive in one burst (one write: a paste without bracketed paste, a macro):
/// the same time, no frame between them; one frame after.
pub fn burst(st: &mut State, keys: &str) -> Vec<Effect> {
    let at = st.clock + std::time::Duration::from_secs(1);
    app::update(st, Event::Clock(at));
    let mut effects: Vec<Effect> = keys_of(keys)
        .into_iter()
        .flat_map(|k| app::update(st, Event::Key(k)))
        .collect();
    effects.extend(app::update(st, Event::Drawn(at)));
    effects
}

fn keys_of(keys: &str) -> Vec<KeyEvent> {
    let mut out = vec![];
    let mut rest = keys;
    while !rest.is_empty() {
        let (code, mods, len) = if rest.starts_with('<') {
            let end = rest.find('>').expect("closing >");
            let name = &rest[1..end];
            let (code, mods) = match name {
                "Enter" => (KeyCode::Enter, KeyModifiers::NONE),
                "Esc" => (KeyCode::Esc, KeyModifiers::NONE),
                "Tab" => (KeyCode::Tab, KeyModifiers::NONE),
                "BackTab" => (KeyCode::BackTab, KeyModifiers::SHIFT),
                "Down" => (KeyCode::Down, KeyModifiers::NONE),
                "Up" => (KeyCode::Up, KeyModifiers::NONE),
                "PgDn" => (KeyCode::PageDown, KeyModifiers::NONE),
                "PgUp" => (KeyCode::PageUp, KeyModifiers::NONE),
                "Space" => (KeyCode::Char(' '), KeyModifiers::NONE),
                "Backspace" => (KeyCode::Backspace, KeyModifiers::NONE),
                "C-c" => (KeyCode::Char('c'), KeyModifiers::CONTROL),
                "C-\\" => (KeyCode::Char('\\'), KeyModifiers::CONTROL),
                other => panic!("unknown key <{other}>"),
            };
            (code, mods, end + 1)
        } else {
            let c = rest.chars().next().unwrap();
            (KeyCode::Char(c), KeyModifiers::NONE, c.len_utf8())
        };
        out.push(KeyEvent::new(code, mods));
        rest = &rest[len..];
    }
    out
}

pub fn screen(st: &State, theme: &Theme) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(st.size.0, st.size.1)).unwrap();
    t.draw(|f| ui::render(st, theme, f)).unwrap();
    t
}

pub fn text(st: &State) -> String {
    let t = screen(st, &Theme::default());
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// The irreversible dialog of legacy-backup's old key (`iam.delete-access-key`), opened the
/// way a user does: its posture finding, `x`, `j` down to the action, Enter.
pub fn delete_key_dialog() -> State {
    let mut st = loaded(160, 45);
    press(
        &mut st,
        ":posture<Enter>/legacy-backup has an access key<Enter><Enter>x",
    );
    let app::Mode::Actions(menu) = &st.mode else {
        panic!("no action menu: {:?}", st.mode)
    };
    let i = menu
        .plans
        .iter()
        .position(|p| p.action == "iam.delete-access-key")
        .expect("the key can be deleted");
    for _ in 0..i {
        press(&mut st, "j");
    }
    press(&mut st, "<Enter>");
    st
}
