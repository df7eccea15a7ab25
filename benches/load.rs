//! Live load against the local emulator (tests/emulator/): 5,000 Security Hub, 1,000 GuardDuty
//! and 500 Access Analyzer findings and 300 IAM users in one region. Measures each source alone
//! (its public reader) and all of them together (`sources::load`, as the TUI and `snapshot save`
//! run it), prints the ratio all / slowest single source (target ≤ 1.2), then the peak RSS of
//! the release binary's `guardpost snapshot save` against the same data (`/usr/bin/time -v`).
//!
//! `cargo bench --bench load` (several minutes: Security Hub alone is ~17 s, paced at 3
//! requests a second). Numbers are recorded in docs/performance.md ("Live load").
//! Without `--bench` (e.g. `cargo test --benches`) it does nothing.

#[path = "../tests/live/emulator.rs"]
#[allow(dead_code)]
mod emulator;

use criterion::{Criterion, SamplingMode};
use guardpost::sources::{self, AwsContext, LiveOptions};
use serde_json::json;
use std::time::{Duration, Instant};

const REGION: &str = "us-east-1";
const SH: usize = 5000;
const GD: usize = 1000;
const AA_EXTERNAL: usize = 400;
const AA_UNUSED: usize = 100;
const USERS: usize = 300;

fn context(rt: &tokio::runtime::Runtime, url: &str) -> AwsContext {
    let opts = LiveOptions {
        regions: vec![REGION.into()],
        endpoint_url: Some(url.to_string()),
        ..LiveOptions::default()
    };
    let creds = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "bench");
    // The production retry policy.
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(creds)
        .retry_config(
            aws_config::retry::RetryConfig::adaptive()
                .with_max_attempts(sources::aws::MAX_ATTEMPTS),
        );
    rt.block_on(Box::pin(AwsContext::resolve_with(&opts, loader)))
        .expect("the emulator answers")
}

fn seed(rt: &tokio::runtime::Runtime, emu: &emulator::Emulator, ctx: &AwsContext) {
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({
            "securityhub": {REGION: {"generate": SH}},
            "guardduty": {REGION: {"generate": GD}},
            "accessanalyzer": {REGION: {"analyzers": [
                {"name": "external", "type": "ACCOUNT", "generate": AA_EXTERNAL},
                {"name": "unused", "type": "ACCOUNT_UNUSED_ACCESS", "generate": AA_UNUSED}
            ]}}
        })),
    );
    let iam = aws_sdk_iam::Client::new(&ctx.iam_config());
    rt.block_on(async {
        for i in 0..USERS {
            let name = format!("user-{i:03}");
            Box::pin(iam.create_user().user_name(&name).send())
                .await
                .unwrap();
            if i % 3 == 0 {
                Box::pin(iam.create_access_key().user_name(&name).send())
                    .await
                    .unwrap();
            }
        }
    });
}

fn check_counts(snap: &guardpost::snapshot::Snapshot) {
    let n = |v: &[serde_json::Value]| v.len();
    assert_eq!(n(&snap.securityhub[0].findings), SH, "{:?}", snap.problems);
    assert_eq!(n(&snap.guardduty[0].findings), GD);
    assert_eq!(
        n(&snap.access_analyzer[0].findings),
        AA_EXTERNAL + AA_UNUSED
    );
    assert!(snap.iam.as_ref().unwrap().user_detail_list.len() >= USERS);
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
}

fn mean_secs(group: &str, name: &str) -> Option<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(group)
        .join(name)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    Some(v["mean"]["point_estimate"].as_f64()? / 1e9)
}

fn peak_memory(url: &str) {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.exists() {
        println!("peak memory: /usr/bin/time is missing (apt-get install time)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(time)
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_guardpost"))
        .args(["snapshot", "save"])
        .arg(dir.path().join("snap.json"))
        .args(["--region", REGION, "--endpoint-url", url])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("GUARDPOST_STATE_DIR", dir.path())
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .output()
        .expect("run guardpost under /usr/bin/time");
    let err = String::from_utf8_lossy(&out.stderr);
    let field = |k: &str| {
        err.lines()
            .find_map(|l| l.trim().strip_prefix(k).map(|v| v.trim().to_string()))
            .unwrap_or_default()
    };
    let rss_kib: f64 = field("Maximum resident set size (kbytes):")
        .parse()
        .unwrap_or(0.0);
    let size = std::fs::metadata(dir.path().join("snap.json"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "snapshot save (release binary, whole process): wall {}, user {} s, sys {} s, peak RSS {:.1} MiB, snapshot {:.1} MiB, exit {}",
        field("Elapsed (wall clock) time (h:mm:ss or m:ss):"),
        field("User time (seconds):"),
        field("System time (seconds):"),
        rss_kib / 1024.0,
        size as f64 / (1024.0 * 1024.0),
        out.status
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("load: needs the emulator; run `cargo bench --bench load`");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(8 * 1024 * 1024)
        .enable_all()
        .build()
        .unwrap();
    let emu = emulator::start().expect("the emulator starts");
    let ctx = context(&rt, &emu.url);
    let t = Instant::now();
    seed(&rt, &emu, &ctx);
    println!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    // Once, untimed: checks that everything loads, and warms moto's IAM backend.
    let snap = rt.block_on(Box::pin(sources::load(&ctx, None)));
    check_counts(&snap);
    drop(snap);

    if std::env::var_os("GUARDPOST_LOAD_QUICK").is_some() {
        // One timed run of each, no statistics (a quick look while changing the loader).
        let conf = ctx.region_config(REGION);
        let iam = ctx.iam_config();
        let time = |name: &str, f: &mut dyn FnMut()| {
            let t = Instant::now();
            f();
            println!("{name}: {:.2} s", t.elapsed().as_secs_f64());
        };
        time("securityhub", &mut || {
            rt.block_on(Box::pin(sources::securityhub::load(
                &conf, REGION, &None, true,
            )));
        });
        time("guardduty", &mut || {
            rt.block_on(Box::pin(sources::guardduty::load(
                &conf, REGION, &None, true,
            )));
        });
        time("access_analyzer", &mut || {
            rt.block_on(Box::pin(sources::access_analyzer::load(
                &conf, REGION, &None, true,
            )));
        });
        time("iam", &mut || {
            rt.block_on(Box::pin(sources::iam::load(&iam, &ctx.account_id, &None)));
        });
        time("all", &mut || {
            rt.block_on(Box::pin(sources::load(&ctx, None)));
        });
        return;
    }
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    let mut g = c.benchmark_group("live_load");
    g.sampling_mode(SamplingMode::Flat);
    let conf = ctx.region_config(REGION);
    let iam = ctx.iam_config();
    g.bench_function("securityhub", |b| {
        b.iter(|| {
            rt.block_on(Box::pin(sources::securityhub::load(
                &conf, REGION, &None, true,
            )))
        })
    });
    g.bench_function("guardduty", |b| {
        b.iter(|| {
            rt.block_on(Box::pin(sources::guardduty::load(
                &conf, REGION, &None, true,
            )))
        })
    });
    g.bench_function("access_analyzer", |b| {
        b.iter(|| {
            rt.block_on(Box::pin(sources::access_analyzer::load(
                &conf, REGION, &None, true,
            )))
        })
    });
    g.bench_function("iam", |b| {
        b.iter(|| rt.block_on(Box::pin(sources::iam::load(&iam, &ctx.account_id, &None))))
    });
    g.bench_function("all", |b| {
        b.iter(|| rt.block_on(Box::pin(sources::load(&ctx, None))))
    });
    g.finish();
    c.final_summary();

    let names = ["securityhub", "guardduty", "access_analyzer", "iam", "all"];
    let means: Vec<(String, f64)> = names
        .iter()
        .filter_map(|n| Some((n.to_string(), mean_secs("live_load", n)?)))
        .collect();
    for (n, m) in &means {
        println!("live_load/{n}: mean {m:.2} s");
    }
    let slowest = means
        .iter()
        .filter(|(n, _)| n != "all")
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some((sn, s)), Some((_, all))) = (slowest, means.iter().find(|(n, _)| n == "all")) {
        println!(
            "all / slowest single source ({sn}): {:.2} (target ≤ 1.20)",
            all / s
        );
    }
    peak_memory(&emu.url);
}
