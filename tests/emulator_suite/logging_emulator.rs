//! The logging baseline (issue 15) against the emulator's CloudTrail over real HTTP: trails
//! seeded with each problem next to a healthy one, every (rule, resource) pair asserted both
//! ways through `guardpost check`; a stopped trail and validation fixed by `check --fix` and put
//! back by `undo`, read back from the server; a denied DescribeTrails is unknown, never a pass.

use crate::live;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

const E1: &str = "us-east-1";
const W1: &str = "eu-west-1";

fn check(home: &Path, url: &str, args: &[&str]) -> (Value, String, Option<i32>) {
    live::check_json(home, url, &[E1, W1], args)
}

use live::{pair_set as set, rule_pairs as pairs};

async fn status(c: &Client, arn: &str) -> (bool, bool) {
    let logging = c
        .get_trail_status()
        .name(arn)
        .send()
        .await
        .unwrap()
        .is_logging()
        .unwrap();
    let validation = c
        .describe_trails()
        .trail_name_list(arn)
        .send()
        .await
        .unwrap()
        .trail_list()[0]
        .log_file_validation_enabled()
        .unwrap();
    (logging, validation)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_judges_trails_fix_restarts_and_validates_and_a_denied_read_is_unknown() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
    let acct = ctx.account_id.clone();
    let e1 = Client::new(&ctx.region_config(E1));
    let w1 = Client::new(&ctx.region_config(W1));
    let arn = |region: &str, name: &str| format!("arn:aws:cloudtrail:{region}:{acct}:trail/{name}");
    let home = tempfile::tempdir().unwrap();

    // No trail at all: the account-wide rule fails.
    let (r, err, code) = check(home.path(), &emu.url, &["--services", "cloudtrail"]);
    assert_eq!(code, Some(0), "{err}");
    let root = format!("arn:aws:iam::{acct}:root");
    assert_eq!(
        pairs(&r),
        set(&[("cloudtrail.no-multi-region-trail", &root)]),
        "{r:#}"
    );
    assert_eq!(
        r["coverage"]["sources"]["cloudtrail"][W1]["state"],
        "complete"
    );

    // A healthy multi-region trail (validation, KMS, CloudWatch Logs, logging, every
    // management event); a single-region trail with every per-trail gap; a multi-region trail
    // that records writes only (advanced selectors).
    e1.create_trail()
        .name("management")
        .s3_bucket_name("audit-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .kms_key_id(format!("arn:aws:kms:{E1}:{acct}:key/1234"))
        .cloud_watch_logs_log_group_arn(format!("arn:aws:logs:{E1}:{acct}:log-group:trail:*"))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{acct}:role/trail-to-logs"))
        .send()
        .await
        .unwrap();
    e1.start_logging().name("management").send().await.unwrap();
    w1.create_trail()
        .name("local")
        .s3_bucket_name("audit-logs")
        .send()
        .await
        .unwrap();
    w1.start_logging().name("local").send().await.unwrap();
    w1.create_trail()
        .name("writes")
        .s3_bucket_name("audit-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .kms_key_id("alias/trail")
        .cloud_watch_logs_log_group_arn(format!("arn:aws:logs:{W1}:{acct}:log-group:w:*"))
        .send()
        .await
        .unwrap();
    w1.start_logging().name("writes").send().await.unwrap();
    let field = |f: &str, v: &str| {
        AdvancedFieldSelector::builder()
            .field(f)
            .equals(v)
            .build()
            .unwrap()
    };
    w1.put_event_selectors()
        .trail_name("writes")
        .advanced_event_selectors(
            AdvancedEventSelector::builder()
                .field_selectors(field("eventCategory", "Management"))
                .field_selectors(field("readOnly", "false"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let management = arn(E1, "management");
    let local = arn(W1, "local");
    let (r, err, code) = check(home.path(), &emu.url, &["--services", "cloudtrail"]);
    assert_eq!(code, Some(0), "{err}");
    let per_trail = [
        ("cloudtrail.log-file-validation-off", local.as_str()),
        ("cloudtrail.not-kms-encrypted", local.as_str()),
        ("cloudtrail.no-cloudwatch-logs", local.as_str()),
    ];
    assert_eq!(pairs(&r), set(&per_trail), "{r:#}");
    // Each trail is read once, in its home region, though DescribeTrails lists multi-region
    // trails in every region.
    let status_calls = emu.calls("cloudtrail", "GetTrailStatus", E1).len()
        + emu.calls("cloudtrail", "GetTrailStatus", W1).len();
    assert_eq!(status_calls, 3, "one GetTrailStatus per trail");

    // The good trail stops: the writes-only one does not make up for it.
    e1.stop_logging().name("management").send().await.unwrap();
    let (r, err, _) = check(home.path(), &emu.url, &["--services", "cloudtrail"]);
    let mut want = set(&per_trail);
    want.insert(("cloudtrail.no-multi-region-trail".into(), root.clone()));
    assert_eq!(pairs(&r), want, "{err}\n{r:#}");
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cloudtrail.no-multi-region-trail")
        .unwrap();
    let detail = f["title"].as_str().unwrap_or_default();
    assert!(
        detail.contains("management (not logging)")
            && detail.contains("writes (write events only)")
            && detail.contains("local (single-region)"),
        "{f:#}"
    );

    // --fix: start the stopped trail, turn on validation; KMS and CloudWatch are left alone.
    let (r, err, code) = check(
        home.path(),
        &emu.url,
        &["--services", "cloudtrail", "--fix", "--yes"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("2 of 2 applied"), "{err}");
    assert!(
        err.contains("cloudtrail.not-kms-encrypted") && err.contains("no automatic fix"),
        "{err}"
    );
    assert_eq!(
        pairs(&r),
        set(&[
            ("cloudtrail.not-kms-encrypted", local.as_str()),
            ("cloudtrail.no-cloudwatch-logs", local.as_str()),
        ]),
        "{r:#}"
    );
    assert_eq!(status(&e1, &management).await, (true, true));
    assert_eq!(status(&w1, &local).await, (true, true));
    let run_id = live::fix_run_id(&err);
    let out = live::guardpost(
        home.path(),
        &emu.url,
        &[E1, W1],
        &["undo", "--all-from", &run_id, "--yes"],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(status(&e1, &management).await, (false, true));
    assert_eq!(status(&w1, &local).await, (true, false));

    // DescribeTrails denied in eu-west-1: the trails homed there are not seen, so with the good
    // trail stopped the account-wide rule is unknown (not failing, not passing), and so are the
    // per-trail rules there; coverage says denied.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "access_denied", "service": "cloudtrail", "operation": "DescribeTrails", "region": W1})),
    );
    let (r, err, code) = check(home.path(), &emu.url, &["--services", "cloudtrail"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(pairs(&r), BTreeSet::new(), "{r:#}");
    assert_eq!(
        r["coverage"]["sources"]["cloudtrail"][W1]["state"], "denied",
        "{r:#}"
    );
    let unknown: Vec<&str> = r["unknown_rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| {
            u["reason"]
                .as_str()
                .unwrap()
                .starts_with("CloudTrail trails unknown in eu-west-1: denied")
        })
        .map(|u| u["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        unknown,
        [
            "cloudtrail.no-multi-region-trail",
            "cloudtrail.log-file-validation-off",
            "cloudtrail.not-kms-encrypted",
            "cloudtrail.no-cloudwatch-logs"
        ],
        "{r:#}"
    );
    assert!(err.contains("cloudtrail:DescribeTrails"), "{err}");
    // Every call made is in the read-only policy.
    let policy = live::DocsPolicy::load("iam-policy-readonly.json");
    for region in [E1, W1] {
        for c in emu
            .calls("cloudtrail", "DescribeTrails", region)
            .iter()
            .chain(&emu.calls("cloudtrail", "GetEventSelectors", region))
        {
            let action = live::logged_action(c);
            assert!(
                policy.allows(&action),
                "{action} not in the read-only policy"
            );
        }
    }
}

mod config {
    use super::*;
    use aws_sdk_config::Client as Config;
    use aws_sdk_config::types::{
        ConfigurationRecorder, DeliveryChannel, RecordingGroup, ResourceType,
    };

    async fn recorder(c: &Config, all: bool, global: bool) {
        let mut group = RecordingGroup::builder()
            .all_supported(all)
            .include_global_resource_types(global);
        if !all {
            group = group.resource_types(ResourceType::from("AWS::EC2::Instance"));
        }
        c.put_configuration_recorder()
            .configuration_recorder(
                ConfigurationRecorder::builder()
                    .name("default")
                    .role_arn("arn:aws:iam::123456789012:role/config")
                    .recording_group(group.build())
                    .build(),
            )
            .send()
            .await
            .unwrap();
        c.put_delivery_channel()
            .delivery_channel(
                DeliveryChannel::builder()
                    .name("default")
                    .s3_bucket_name("config-logs")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        c.start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .unwrap();
    }

    /// (recorders, recording) in a region, read from the server.
    async fn state(c: &Config) -> (usize, bool) {
        let n = c
            .describe_configuration_recorders()
            .send()
            .await
            .unwrap()
            .configuration_recorders()
            .len();
        let on = c
            .describe_configuration_recorder_status()
            .send()
            .await
            .unwrap()
            .configuration_recorders_status()
            .iter()
            .any(|s| s.recording());
        (n, on)
    }

    fn titles(r: &Value) -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["title"].as_str().unwrap().to_string())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn config_recorders_are_judged_per_region_fixed_and_undone_and_unknown_when_denied() {
        let Some(emu) = live::emulator::start() else {
            return;
        };
        let ctx = live::context(&emu.url, &[E1, W1]).await.expect("resolves");
        let acct = ctx.account_id.clone();
        let e1 = Config::new(&ctx.region_config(E1));
        let w1 = Config::new(&ctx.region_config(W1));
        let home = tempfile::tempdir().unwrap();
        let arn = |region: &str| format!("arn:aws:config:{region}:{acct}:");
        let args = ["--services", "config"];

        // Nothing recorded anywhere.
        let (r, err, code) = check(home.path(), &emu.url, &args);
        assert_eq!(code, Some(0), "{err}");
        let (a, b) = (arn(E1), arn(W1));
        assert_eq!(
            pairs(&r),
            set(&[("config.recorder-off", &a), ("config.recorder-off", &b)]),
            "{r:#}"
        );
        assert!(
            titles(&r).contains(&format!(
                "AWS Config in {E1}: no configuration recorder, no delivery channel"
            )),
            "{:?}",
            titles(&r)
        );

        // us-east-1 records everything (global types too); eu-west-1 only EC2 instances.
        recorder(&e1, true, true).await;
        recorder(&w1, false, false).await;
        let (r, err, _) = check(home.path(), &emu.url, &args);
        assert_eq!(
            pairs(&r),
            set(&[("config.recorder-off", &b)]),
            "{err}\n{r:#}"
        );
        assert_eq!(
            titles(&r),
            [format!(
                "AWS Config in {W1}: recorder default records only some resource types"
            )]
        );

        // us-east-1 stops: --fix starts it again; eu-west-1's choice is left alone.
        e1.stop_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .unwrap();
        let mut fix = args.to_vec();
        fix.extend(["--fix", "--yes"]);
        let (r, err, code) = check(home.path(), &emu.url, &fix);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            err.contains("Start the AWS Config recorder default in us-east-1"),
            "{err}"
        );
        assert!(
            err.contains("--fix does not replace an owner's recorder"),
            "{err}"
        );
        assert_eq!(pairs(&r), set(&[("config.recorder-off", &b)]), "{r:#}");
        assert_eq!(state(&e1).await, (1, true));
        let run = |err: &str| {
            err.lines()
                .find_map(|l| l.split("guardpost undo --all-from ").nth(1))
                .unwrap()
                .trim()
                .to_string()
        };
        let undo = |id: String| {
            let out = live::guardpost(
                home.path(),
                &emu.url,
                &[E1, W1],
                &["undo", "--all-from", &id, "--yes"],
            )
            .output()
            .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        undo(run(&err));
        assert_eq!(state(&e1).await, (1, false));

        // eu-west-1 without any recorder: --config-bucket sets one up (no global types: us-east-1
        // records them), and undo removes what it made.
        w1.stop_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .unwrap();
        w1.delete_delivery_channel()
            .delivery_channel_name("default")
            .send()
            .await
            .unwrap();
        w1.delete_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .unwrap();
        e1.start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .unwrap();
        let mut fix = fix.clone();
        fix.extend(["--config-bucket", "config-logs"]);
        let (r, err, code) = check(home.path(), &emu.url, &fix);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            err.contains("\"includeGlobalResourceTypes\":false"),
            "global types stay with us-east-1: {err}"
        );
        assert_eq!(pairs(&r), BTreeSet::new(), "{err}\n{r:#}");
        assert_eq!(state(&w1).await, (1, true));
        undo(run(&err));
        assert_eq!(state(&w1).await, (0, false));
        assert_eq!(
            w1.describe_delivery_channels()
                .send()
                .await
                .unwrap()
                .delivery_channels()
                .len(),
            0
        );

        // A denied recorders read: eu-west-1 (no recorder, so failing) is unknown, not failing.
        // (Without a recorder a denied status read changes nothing: there is no status to read.)
        emu.control(
            "POST",
            "/_guardpost/fault",
            Some(&json!({"kind": "access_denied", "service": "config",
                         "operation": "DescribeConfigurationRecorders", "region": W1})),
        );
        let (r, err, _) = check(home.path(), &emu.url, &args);
        assert_eq!(pairs(&r), BTreeSet::new(), "{r:#}");
        let unknown = r["unknown_rules"].as_array().unwrap();
        assert!(
            unknown.iter().any(|u| u["rule"] == "config.recorder-off"
                && u["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("AWS Config unknown in eu-west-1")),
            "{err}\n{unknown:#?}"
        );
        let policy = live::DocsPolicy::load("iam-policy-readonly.json");
        for c in emu.calls("config", "DescribeDeliveryChannels", E1) {
            let action = live::logged_action(&c);
            assert!(policy.allows(&action), "{action}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_contact_is_required_and_unknown_when_its_read_is_denied() {
    let Some(emu) = live::emulator::start() else {
        return;
    };
    let ctx = live::context(&emu.url, &[E1]).await.expect("resolves");
    let root = format!("arn:aws:iam::{}:root", ctx.account_id);
    let home = tempfile::tempdir().unwrap();
    let args = ["--services", "account"];
    let (r, err, code) = check(home.path(), &emu.url, &args);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        pairs(&r),
        set(&[("account.no-security-contact", &root)]),
        "{r:#}"
    );
    assert_eq!(
        r["coverage"]["sources"]["account"]["global"]["state"],
        "complete"
    );
    // Only the contact was read.
    let services: BTreeSet<String> = emu.control("GET", "/_guardpost/requests", None)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["service"].as_str().unwrap().to_string())
        .filter(|s| s != "sts")
        .collect();
    assert_eq!(services, BTreeSet::from(["account".to_string()]));

    aws_sdk_account::Client::new(&ctx.iam_config())
        .put_alternate_contact()
        .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
        .name("Security team")
        .title("CISO")
        .email_address("security@acme.example")
        .phone_number("+1 555 0100")
        .send()
        .await
        .unwrap();
    let (r, err, _) = check(home.path(), &emu.url, &args);
    assert_eq!(pairs(&r), BTreeSet::new(), "{err}\n{r:#}");
    assert!(r["unknown_rules"].as_array().unwrap().is_empty(), "{r:#}");

    // Denied: unknown with the reason, not a pass.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "access_denied", "service": "account", "operation": "GetAlternateContact"})),
    );
    let (r, err, _) = check(home.path(), &emu.url, &args);
    assert_eq!(pairs(&r), BTreeSet::new(), "{r:#}");
    assert_eq!(
        r["coverage"]["sources"]["account"]["global"]["state"], "denied",
        "{r:#}"
    );
    let unknown = &r["unknown_rules"][0];
    assert_eq!(unknown["rule"], "account.no-security-contact", "{r:#}");
    assert!(
        unknown["reason"]
            .as_str()
            .unwrap()
            .starts_with("the security contact could not be read: denied"),
        "{err}\n{unknown:#}"
    );
}
