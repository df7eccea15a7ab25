//! End-to-end: the real binary in tmux against the emulator, through the bastion-account flow:
//! the MFA prompt on the terminal before the TUI (a wrong code first), the session in the
//! header, then an ExpiredToken during a refresh brings up the in-TUI prompt, and a new code
//! reloads the account.
use crate::common;
use crate::live;
use common::tmux::{Tmux, assert_restored};
use serde_json::json;

#[test]
fn mfa_prompt_before_the_tui_and_again_when_the_token_expires() {
    let emu = live::emulator::start().unwrap();
    emu.control(
        "POST",
        "/_guardpost/seed",
        Some(&json!({"account": "111122223333", "securityhub": {"us-east-1": {"generate": 7}}})),
    );
    // The first code is wrong.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(&json!({"kind": "error", "service": "sts", "operation": "AssumeRole",
                     "code": "AccessDenied", "status": 403, "count": 1,
                     "message": "MultiFactorAuthentication failed with invalid MFA one time pass code."})),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("aws-config");
    std::fs::write(
        &config,
        "[profile bastion]\naws_access_key_id = testing\naws_secret_access_key = testing\n\
         [profile audit]\nrole_arn = arn:aws:iam::111122223333:role/SecurityAudit\n\
         source_profile = bastion\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
    )
    .unwrap();
    let c = format!(
        "cd {d} && env -u GUARDPOST_MFA_CODE -u AWS_PROFILE -u AWS_ACCESS_KEY_ID GUARDPOST_STATE_DIR={d} \
         XDG_CONFIG_HOME={d} AWS_CONFIG_FILE={cfg} AWS_SHARED_CREDENTIALS_FILE={d}/none \
         AWS_EC2_METADATA_DISABLED=true {bin} --profile audit --region us-east-1 --endpoint-url {url}",
        d = dir.path().display(),
        cfg = config.display(),
        bin = env!("CARGO_BIN_EXE_guardpost"),
        url = emu.url,
    );
    let t = Tmux::start("mfa", 160, 45, &c);
    t.wait_for("MFA code for arn:aws:iam::123456789012:mfa/alice: ");
    t.text("111111");
    t.keys(&["Enter"]);
    let s = t.wait_for("(attempt 2 of 3)");
    assert!(s.contains("invalid MFA one time pass code"), "{s}");
    t.text("222222");
    t.keys(&["Enter"]);
    let s = t.wait_until("the TUI with the role's account", |s| {
        s.contains("111122223333") && s.contains("MFA session") && s.contains("loaded")
    });
    assert!(s.contains("assumed-role/SecurityAudit"), "{s}");
    assert!(s.contains("left"), "{s}");

    // The next read is refused: ExpiredToken. The prompt opens over the data.
    emu.control(
        "POST",
        "/_guardpost/fault",
        Some(
            &json!({"kind": "error", "service": "securityhub", "operation": "GetFindings",
                     "code": "ExpiredTokenException", "status": 403, "count": 1,
                     "message": "The security token included in the request is expired"}),
        ),
    );
    t.keys(&["r"]);
    let s = t.wait_for("Code: _ _ _ _ _ _");
    assert!(s.contains("the session credentials have expired"), "{s}");
    assert!(s.contains("111122223333"), "the data stays on screen:\n{s}");
    t.text("333333");
    t.keys(&["Enter"]);
    t.wait_until("renewed and reloaded", |s| {
        s.contains("loaded") && !s.contains("MFA code — Enter")
    });
    let codes: Vec<String> = emu
        .calls("sts", "AssumeRole", "us-east-1")
        .iter()
        .map(|c| c["params"]["TokenCode"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["111111", "222222", "333333"]);
    // The reload after renewal read Security Hub again, successfully.
    let gets = emu.calls("securityhub", "GetFindings", "us-east-1");
    assert_eq!(gets.last().unwrap()["status"], 200, "{gets:?}");

    t.keys(&["q"]);
    let s = t.wait_exit();
    assert!(s.contains("EXITED:0"), "{s}");
    assert_restored(&s);
}
