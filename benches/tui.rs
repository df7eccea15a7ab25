//! TUI hot paths: first frame with the demo, one filter keystroke at 100k findings,
//! one frame at 100k findings. Results go to docs/performance.md.
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guardpost::app::{self, Event, State};
use guardpost::dataset::{Dataset, Origin};
use guardpost::merge::ResourceIndex;
use guardpost::posture::PostureConfig;
use guardpost::snapshot::{AccountInfo, Snapshot};
use guardpost::ui::{self, theme::Theme};
use ratatui::{Terminal, backend::TestBackend};
use std::hint::black_box;

fn synthetic(n: usize) -> Dataset {
    let findings = guardpost::synth::findings(n);
    let resources = ResourceIndex::build(&findings, None);
    Dataset {
        origin: Origin::Snapshot("synthetic".into()),
        account: AccountInfo {
            id: "111122223333".into(),
            alias: None,
            caller_arn: None,
        },
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        captured_at: chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
            .unwrap()
            .into(),
        findings,
        resources,
        iam: None,
        ec2: Vec::new(),
        trails: Vec::new(),
        config_recorders: Vec::new(),
        monitoring: Vec::new(),
        s3: None,
        contacts: None,
        services: vec![],
        problems: vec![],
        trust: Default::default(),
        escalation: Default::default(),
        posture_config: Default::default(),
        coverage: Default::default(),
        org: None,
    }
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn tab() -> Event {
    Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE))
}

/// The findings pane's filter text and row count (panics if the findings pane is not shown).
fn findings_filter(st: &State) -> (String, usize) {
    match st.view() {
        Some(app::View::Findings(l)) => (l.filter.text.clone(), l.rows.len()),
        _ => panic!("not on the findings pane"),
    }
}

fn loaded(n: usize) -> State {
    let mut st = State::new(false, (160, 45));
    app::update(&mut st, Event::Loaded(Box::new(synthetic(n))));
    st
}

fn first_frame(c: &mut Criterion) {
    let theme = Theme::default();
    c.bench_function("first_frame_demo", |b| {
        b.iter(|| {
            let snap =
                Snapshot::parse(guardpost::snapshot::DEMO_JSON, std::path::Path::new("demo"))
                    .unwrap();
            let data = Dataset::from_snapshot(snap, Origin::Demo, &PostureConfig::default());
            let mut st = State::new(false, (160, 45));
            app::update(&mut st, Event::Loaded(Box::new(data)));
            let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
            t.draw(|f| ui::render(&st, &theme, f)).unwrap();
            black_box(t.backend().buffer().area);
        })
    });
}

fn filter_keystroke(c: &mut Criterion) {
    let mut g = c.benchmark_group("filter_keystroke_100k");
    g.sample_size(20);
    // First keystroke on an unfiltered 100k table (the worst case: no narrowing to reuse).
    g.bench_function("first_char", |b| {
        b.iter_batched_ref(
            || {
                let mut st = loaded(100_000);
                app::update(&mut st, tab());
                app::update(&mut st, key('/'));
                let (text, rows) = findings_filter(&st);
                assert!(text.is_empty() && rows > 90_000, "{text:?} {rows}");
                st
            },
            |st| {
                app::update(st, key('s'));
                debug_assert_eq!(findings_filter(st).0, "s");
            },
            criterion::BatchSize::LargeInput,
        )
    });
    // Typing on: "ss" -> "ssh" narrows from the previous matches.
    g.bench_function("third_char", |b| {
        b.iter_batched_ref(
            || {
                let mut st = loaded(100_000);
                app::update(&mut st, tab());
                for c in ['/', 's', 's'] {
                    app::update(&mut st, key(c));
                }
                assert_eq!(findings_filter(&st).0, "ss");
                st
            },
            |st| app::update(st, key('h')),
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn render_100k(c: &mut Criterion) {
    let theme = Theme::default();
    let mut g = c.benchmark_group("render");
    for n in [1_000usize, 100_000] {
        let mut st = loaded(n);
        app::update(&mut st, tab());
        // Move into the middle so the visible window is not the first page.
        for _ in 0..50 {
            app::update(
                &mut st,
                Event::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)),
            );
        }
        let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
        g.bench_function(format!("findings_frame_{n}"), |b| {
            b.iter(|| {
                t.draw(|f| ui::render(&st, &theme, f)).unwrap();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, first_frame, filter_keystroke, render_100k);
criterion_main!(benches);
