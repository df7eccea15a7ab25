use guardpost::app::{self, Event, State};
use guardpost::dataset::{Dataset, Origin};
use guardpost::merge::{Resource, ResourceIndex};
use guardpost::snapshot::AccountInfo;
use guardpost::ui::{self, theme::Theme};
use ratatui::{Terminal, backend::TestBackend};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ds() -> Dataset {
    let findings = guardpost::synth::findings(500);
    let mut idx = ResourceIndex::default();
    for (i, f) in findings.iter().enumerate() {
        let r = &f.resources[0];
        let n = idx.resources.len();
        let ri = *idx.by_arn.entry(r.arn.clone()).or_insert(n);
        if ri == n { idx.resources.push(Resource { arn: r.arn.clone(), kind: r.kind.clone(), name: r.name.clone(), region: r.region.clone(), findings: vec![] }); }
        idx.resources[ri].findings.push(i);
    }
    Dataset { origin: Origin::Demo, account: AccountInfo { id: "111122223333".into(), alias: Some("acme".into()), caller_arn: Some("arn:aws:iam::111122223333:user/alice".into()) }, regions: vec!["us-east-1".into(), "eu-west-1".into()], captured_at: chrono::Utc::now(), findings, resources: idx, iam: None, services: vec![], problems: vec![] }
}

#[test]
fn scratch() {
    let mut st = State::new(true, (160, 45));
    app::update(&mut st, Event::Loaded(Box::new(ds())));
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    let keys = std::env::var("KEYS").unwrap_or_default();
    for c in keys.chars() {
        let code = match c { '\n' => KeyCode::Enter, '\x1b' => KeyCode::Esc, '\t' => KeyCode::Tab, c => KeyCode::Char(c) };
        app::update(&mut st, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
    t.draw(|f| ui::render(&st, &Theme::default(), f)).unwrap();
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height { for x in 0..buf.area.width { s.push_str(buf[(x, y)].symbol()); } s.push('\n'); }
    println!("{s}");
}
