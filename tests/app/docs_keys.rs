//! docs/keys.md is generated from the keymap; this test fails when it goes stale.
//! Regenerate with `UPDATE_DOCS=1 cargo test --test app docs_keys`.
#[test]
fn keys_doc_matches_the_keymap() {
    let want = guardpost::app::keymap::markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        have, want,
        "docs/keys.md is stale: run UPDATE_DOCS=1 cargo test --test app docs_keys"
    );
}

#[test]
fn every_documented_key_is_bound() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    for b in guardpost::app::keymap::KEYMAP {
        for k in b.keys {
            let mods = if k.ctrl {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            };
            let got = guardpost::app::keymap::lookup(&KeyEvent::new(k.code, mods));
            assert_eq!(
                got,
                Some(b.action),
                "key {} should do {:?}",
                k.label(),
                b.action
            );
        }
    }
}

#[test]
fn every_command_is_in_help_the_docs_and_completion() {
    use guardpost::app::keymap::{COMMANDS, command, complete, markdown};
    let docs = markdown();
    for c in COMMANDS {
        assert!(
            docs.contains(&format!("`:{}`", c.label)),
            "{} in docs",
            c.label
        );
        for name in c.label.split(", ").map(|n| n.split(' ').next().unwrap()) {
            assert!(command(name).is_some(), ":{name} runs");
            assert!(complete(name).contains(&name), ":{name} completes");
        }
    }
    // The command the issue found missing everywhere.
    assert_eq!(complete("inc"), ["incident"]);
    assert!(docs.contains("`:incident [PLAYBOOK]`"));
}

#[test]
fn every_key_a_view_hints_at_is_bound() {
    use crate::common::demo::{loaded, press};
    use guardpost::app::keymap::KEYMAP;
    let labels: Vec<String> = KEYMAP
        .iter()
        .flat_map(|b| b.keys.iter().map(|k| k.label()))
        .collect();
    // The views reachable from the demo, one per kind.
    for keys in [
        "",
        "<Tab>",
        ":guardduty<Enter><Enter>",
        ":iam<Enter>/ci-deploy<Enter><Enter>",
        ":resources<Enter>",
        ":iam<Enter>",
        ":journal<Enter>",
        ":who-can-admin<Enter>",
        ":who-can-admin<Enter><Enter>",
    ] {
        let mut st = loaded(160, 45);
        press(&mut st, keys);
        let view = st.view().expect("a view");
        for hint in view.behaviour().hints() {
            // A bound hint's key text comes from the keymap; a local one must still be a key
            // the view reads (the incident walkthrough's own keys are not in this list).
            let key = hint.key();
            let keys_of_hint: Vec<&str> = match key.as_str() {
                "/" => vec!["/"],
                h => h.split('/').collect(),
            };
            for key in keys_of_hint {
                assert!(
                    labels.iter().any(|l| l == key),
                    "{keys}: the hint names {key:?}, which no binding has"
                );
            }
        }
    }
}
