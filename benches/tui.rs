//! TUI hot paths: first frame with the demo, one filter keystroke at 100k findings,
//! one frame at 100k findings; an organization's all-accounts view (200 accounts, 50k
//! findings): a filter keystroke, an `acct:` filter, a frame, and rebuilding the view when an
//! account arrives. Results go to docs/performance.md.
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use guardpost::app::{self, Event, State};
use guardpost::dataset::{Dataset, Origin};
use guardpost::posture::PostureConfig;
use guardpost::snapshot::{AccountInfo, Snapshot};
use guardpost::ui::{self, theme::Theme};
use ratatui::{Terminal, backend::TestBackend};
use std::hint::black_box;

fn synthetic(n: usize) -> Dataset {
    synthetic_in("111122223333", n)
}

/// `n` synthetic findings, all of account `id`.
fn synthetic_in(id: &str, n: usize) -> Dataset {
    let mut findings = guardpost::synth::findings(n);
    for f in &mut findings {
        f.account = id.into();
    }
    Dataset::of_findings(
        Origin::Snapshot("synthetic".into()),
        AccountInfo {
            id: id.into(),
            alias: None,
            caller_arn: None,
        },
        vec!["us-east-1".into(), "eu-west-1".into()],
        chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
            .unwrap()
            .into(),
        findings,
    )
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

const ORG_ACCOUNTS: usize = 200;
const ORG_FINDINGS_EACH: usize = 250;

fn org_account_id(i: usize) -> String {
    format!("{:012}", 100_000_000_000 + i)
}

/// An organization console with `read` of its 200 accounts read (250 findings each), every
/// account shown, on the findings pane.
fn org_state(read: usize) -> State {
    let mut st = State::new(false, (160, 45));
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
        .unwrap()
        .to_utc();
    app::update(&mut st, Event::Tick(t0));
    app::update(
        &mut st,
        Event::OrgListed {
            organization: Some("o-bench".into()),
            accounts: (0..ORG_ACCOUNTS)
                .map(|i| guardpost::model::org::OrgAccount {
                    id: org_account_id(i),
                    name: format!("acct-{i:03}"),
                    status: "ACTIVE".into(),
                    ou_path: "Root/prod".into(),
                    chain: vec![],
                })
                .collect(),
            note: None,
        },
    );
    for i in 0..read {
        let id = org_account_id(i);
        let data = synthetic_in(&id, ORG_FINDINGS_EACH);
        app::update(
            &mut st,
            Event::AccountRead {
                id,
                result: Ok(Box::new(data)),
                at: t0,
            },
        );
    }
    app::update(&mut st, Event::Tick(t0 + chrono::TimeDelta::seconds(5)));
    // Leaving the Accounts pane brings the all-accounts view up to date.
    for c in ":findings".chars() {
        app::update(&mut st, key(c));
    }
    app::update(
        &mut st,
        Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    st
}

fn organization(c: &mut Criterion) {
    let theme = Theme::default();
    let mut g = c.benchmark_group("org_50k");
    g.sample_size(20);
    // A filter keystroke over every account's findings, and an `acct:` term (an account name
    // prefix: the id list is resolved from the organization's accounts).
    g.bench_function("filter_first_char", |b| {
        b.iter_batched_ref(
            || {
                let mut st = org_state(ORG_ACCOUNTS);
                app::update(&mut st, key('/'));
                let (text, rows) = findings_filter(&st);
                assert!(text.is_empty() && rows > 45_000, "{text:?} {rows}");
                st
            },
            |st| app::update(st, key('s')),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("filter_acct_term", |b| {
        b.iter_batched_ref(
            || {
                let mut st = org_state(ORG_ACCOUNTS);
                for c in "/acct:acct-01".chars() {
                    app::update(&mut st, key(c));
                }
                st
            },
            |st| {
                app::update(st, key('7'));
                debug_assert_eq!(findings_filter(st).1, ORG_FINDINGS_EACH);
            },
            criterion::BatchSize::LargeInput,
        )
    });
    // One frame of the all-accounts findings table (with its ACCOUNT column).
    let mut st = org_state(ORG_ACCOUNTS);
    assert_eq!(
        st.data.as_ref().unwrap().findings.len(),
        ORG_ACCOUNTS * ORG_FINDINGS_EACH,
        "every account's findings are in the view"
    );
    for _ in 0..50 {
        app::update(
            &mut st,
            Event::Key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE)),
        );
    }
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    g.bench_function("findings_frame", |b| {
        b.iter(|| {
            t.draw(|f| ui::render(&st, &theme, f)).unwrap();
        })
    });
    // The last account arrives: the all-accounts view is rebuilt over 50k findings (the UI
    // thread's longest stall while an organization loads; at most once a second).
    g.bench_function("last_account_arrives", |b| {
        b.iter_batched_ref(
            || {
                let st = org_state(ORG_ACCOUNTS - 1);
                let id = org_account_id(ORG_ACCOUNTS - 1);
                let data = Box::new(synthetic_in(&id, ORG_FINDINGS_EACH));
                (st, Some((id, data)))
            },
            |(st, next)| {
                let (id, data) = next.take().unwrap();
                let at = st.now.unwrap();
                app::update(
                    st,
                    Event::AccountRead {
                        id,
                        result: Ok(data),
                        at,
                    },
                );
                debug_assert_eq!(
                    st.data.as_ref().unwrap().findings.len(),
                    ORG_ACCOUNTS * ORG_FINDINGS_EACH
                );
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(
    benches,
    first_frame,
    filter_keystroke,
    render_100k,
    organization
);
criterion_main!(benches);
