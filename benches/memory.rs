//! Resident memory with 100k findings loaded (the findings, resource index, search index and
//! one findings table). Prints the numbers recorded in docs/performance.md.
use guardpost::app::{self, Event, State};
use guardpost::dataset::{Dataset, Origin};
use guardpost::snapshot::AccountInfo;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    // `cargo bench` passes --bench; any other run (cargo test --benches) only smoke-tests.
    let n = if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        1_000
    };
    let before = rss_kib();
    let findings = guardpost::synth::findings(n);
    let data = Dataset::of_findings(
        Origin::Snapshot("synthetic".into()),
        AccountInfo {
            id: "111122223333".into(),
            alias: None,
            caller_arn: None,
        },
        vec!["us-east-1".into()],
        chrono::Utc::now(),
        findings,
    );
    let mut st = State::new(false, (160, 45));
    app::update(&mut st, Event::Loaded(Box::new(data)));
    let after = rss_kib();
    println!(
        "memory: {n} findings loaded: RSS {:.1} MiB (+{:.1} MiB over the empty process, {:.2} KiB per finding)",
        after as f64 / 1024.0,
        (after - before) as f64 / 1024.0,
        (after - before) as f64 / n as f64
    );
    std::hint::black_box(&st);
}
