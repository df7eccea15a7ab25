//! End-to-end: `:who-can-admin` against the demo, Enter on carol, her "can become" tree.
use crate::common;
use common::tmux::{Tmux, assert_restored};

#[test]
fn who_can_admin_lists_carol_and_enter_shows_her_tree() {
    let state = tempfile::tempdir().unwrap();
    let c = format!(
        "cd {} && env GUARDPOST_STATE_DIR={} XDG_CONFIG_HOME={} {} --demo",
        state.path().display(),
        state.path().display(),
        state.path().display(),
        env!("CARGO_BIN_EXE_guardpost")
    );
    let t = Tmux::start("wca", 120, 34, &c);
    t.wait_for("Posture score");
    t.keys(&[":"]);
    t.text("who-can-admin");
    t.keys(&["Enter"]);
    // Wait for whole frames: a capture can land mid-draw.
    let s = t.wait_until("the list with carol", |s| {
        s.contains("who can become admin [") && s.contains("user/carol")
    });
    let row = s.lines().find(|l| l.contains("user/carol")).unwrap();
    assert!(row.contains("CreateNewPolicyVersion"), "{row}");
    assert!(row.contains("AcmePolicyManager (managed)"), "{row}");
    t.keys(&["Enter"]);
    let s = t.wait_until("carol's tree", |s| {
        s.contains("‹can become [3 paths]›") && s.contains("allows ec2:ModifyInstanceAttribute")
    });
    assert!(s.contains("Who can admin › carol"), "{s}");
    assert!(
        s.contains("CreateNewPolicyVersion → ADMIN (itself, 1 hop)"),
        "{s}"
    );
    assert!(
        s.contains("└─ CreateNewPolicyVersion  user/carol → itself  (grants)"),
        "{s}"
    );
    assert!(
        s.contains("granted by AcmePolicyManager (managed) › ManagePolicies"),
        "{s}"
    );
    // h: back to her findings on the same page.
    t.keys(&["h"]);
    t.wait_for("‹findings on carol");
    t.keys(&["q"]);
    let s = t.wait_exit();
    assert!(s.contains("EXITED:0"), "{s}");
    assert_restored(&s);
}
