//! `guardpost --org` in tmux against an organization in the emulator: the Accounts pane fills
//! as accounts are read (one whose role is denied stays UNKNOWN with the reason), `:account`
//! switches the console to a member, its IAM pane is the member's, an action runs there through
//! the member's role (preview naming the account) and `u` undoes it there; with all accounts
//! shown, actions are refused.
use crate::common;
use crate::live;
use common::tmux::{Tmux, assert_restored};

#[test]
fn org_console_fills_the_accounts_pane_switches_and_acts_in_a_member() {
    let emu = live::emulator::start().expect("the emulator starts (tests/emulator)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let org = rt.block_on(live::org::setup(&emu));
    live::org::deny_role(&emu, &org.legacy);
    let home = tempfile::tempdir().unwrap();
    let c = format!(
        "{env} {bin} --org --region us-east-1 --endpoint-url {url}",
        env = live::binary_env(home.path()),
        bin = env!("CARGO_BIN_EXE_guardpost"),
        url = emu.url,
    );
    let t = Tmux::start("org", 160, 45, &c);
    let s = t.wait_until("every account read or unknown", |s| {
        s.contains("3 read, 1 unknown, 0 reading")
    });
    let row = |s: &str, id: &str| {
        s.lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("no row for {id}:\n{s}"))
            .to_string()
    };
    assert!(
        row(&s, &org.payments).contains("Root/workloads/prod"),
        "{s}"
    );
    let legacy = row(&s, &org.legacy);
    assert!(
        legacy.contains("UNKNOWN") && legacy.contains("cannot assume role"),
        "{s}"
    );
    assert!(row(&s, &org.sandbox).contains("read"), "{s}");
    assert!(s.contains("Accounts"), "{s}");

    // Every account's findings side by side, with the account's name; acct: filters by it.
    t.text(":posture");
    t.keys(&["Enter"]);
    let s = t.wait_for("ACCOUNT");
    assert!(s.contains("payments") && s.contains("sandbox"), "{s}");
    t.keys(&["/"]);
    t.text("acct:pay");
    t.keys(&["Enter"]);
    let s = t.wait_for("acct:pay");
    let rows: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("HIGH") || l.contains("MEDIUM") || l.contains("LOW"))
        .collect();
    assert!(!rows.is_empty(), "{s}");
    assert!(rows.iter().all(|l| l.contains("payments")), "{s}");

    // With every account shown, actions need one account first.
    t.keys(&["u"]);
    t.wait_for("all accounts are shown: actions and playbooks run in one account");

    // `:account payments`: the console is that account's.
    t.text(":account payments");
    t.keys(&["Enter"]);
    t.wait_for("account payments");
    t.text(":iam");
    t.keys(&["Enter"]);
    let s = t.wait_for("ci-bot");
    assert!(
        s.contains(&org.payments),
        "the header names the account:\n{s}"
    );
    assert!(!s.contains("dev-"), "{s}");
    t.keys(&["/"]);
    t.text("ci-bot");
    t.keys(&["Enter"]);
    t.keys(&["x"]);
    t.wait_for("Deactivate access key");
    t.keys(&["Enter"]);
    let s = t.wait_for("Run these calls?");
    assert!(
        s.contains(&format!("In account payments ({}) as", org.payments))
            && s.contains(&format!(
                "arn:aws:sts::{}:assumed-role/OrganizationAccountAccessRole/guardpost-org",
                org.payments
            )),
        "the preview names the account and the role:\n{s}"
    );
    t.confirm();
    t.wait_for("succeeded");
    let status = |emu: &live::emulator::Emulator| {
        rt.block_on(async {
            let ctx = live::context(&emu.url, &["us-east-1"]).await.unwrap();
            let iam = live::org::member_iam(&ctx, &org.payments).await;
            live::key_status(&iam, "ci-bot").await
        })
    };
    assert_eq!(status(&emu), "Inactive", "changed in the member account");
    // The UpdateAccessKey went out signed with the member role's credentials.
    let calls = emu.calls("iam", "UpdateAccessKey", "us-east-1");
    assert!(
        calls.iter().all(|c| c["account"] == org.payments.as_str()),
        "{calls:?}"
    );

    t.keys(&["q"]);
    t.keys(&["u"]);
    let s = t.wait_for("Type ");
    let key = s
        .split("Type ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    std::thread::sleep(std::time::Duration::from_millis(400));
    t.text(&key);
    t.keys(&["Enter"]);
    t.wait_for("Undo: Deactivate access key");
    t.wait_for("succeeded");
    assert_eq!(status(&emu), "Active", "undone in the member account");

    // Back to all accounts; the Accounts pane marks none as current.
    t.keys(&["q"]);
    t.text(":account *");
    t.keys(&["Enter"]);
    t.wait_for("all 4 accounts");
    t.keys(&["q"]);
    let s = t.wait_exit();
    assert_restored(&s);
}
