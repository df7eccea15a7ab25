//! The journal as two responders and a crash see it: an exclusive lock around each append (two
//! guardposts undoing the same action: exactly one does it), a torn last record recovered as
//! "unknown — verify" with the rest intact, undo plans rebuilt from the catalog (an edited
//! journal line cannot choose what `u` calls), an undo that re-reads the state first and
//! refuses when the resource changed, and crash verification that settles "took effect".

use guardpost::remediation::ApiCall;
use guardpost::remediation::catalog;
use guardpost::remediation::executor::{Backend, CallError, Options, execute};
use guardpost::remediation::journal::{Journal, Status, undo_plan};
use guardpost::remediation::verify;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// One IAM user's access key, as a tiny stateful account: UpdateAccessKey changes it,
/// ListAccessKeys reads it. Every call is recorded; mutating calls take a while, so two
/// responders overlap.
struct Account {
    status: Mutex<String>,
    calls: Mutex<Vec<ApiCall>>,
}

impl Account {
    fn new(status: &str) -> Account {
        Account {
            status: Mutex::new(status.into()),
            calls: Mutex::new(Vec::new()),
        }
    }
    fn mutations(&self) -> Vec<ApiCall> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.is_mutating())
            .cloned()
            .collect()
    }
    fn status(&self) -> String {
        self.status.lock().unwrap().clone()
    }
}

impl Backend for Account {
    async fn call(&self, call: &ApiCall) -> Result<Value, CallError> {
        self.calls.lock().unwrap().push(call.clone());
        match call.operation.as_str() {
            "ListAccessKeys" => Ok(json!({"AccessKeyMetadata": [
                {"AccessKeyId": "AKIA1", "Status": self.status()}
            ]})),
            "UpdateAccessKey" => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                *self.status.lock().unwrap() = call.params["Status"].as_str().unwrap().into();
                Ok(json!({}))
            }
            other => Err(CallError {
                code: None,
                message: format!("{other} not modelled"),
            }),
        }
    }
}

fn journal_path(dir: &Path) -> PathBuf {
    dir.join("state/journal.jsonl")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Deactivates the key through the executor; returns the journal id.
fn deactivate(account: &Account, path: &Path) -> String {
    let j = Mutex::new(Journal::open(path));
    let out = rt()
        .block_on(execute(
            account,
            &j,
            &catalog::deactivate_access_key("alice", "AKIA1"),
            &Options::default(),
            |_| {},
        ))
        .unwrap();
    assert_eq!(out.status, Status::Succeeded, "{}", out.message);
    out.id
}

#[test]
fn two_guardposts_undoing_the_same_action_undo_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let account = Account::new("Active");
    let id = deactivate(&account, &path);
    assert_eq!(account.status(), "Inactive");

    // Both open the journal (both see the entry as undoable), then press `u` at once.
    let a = Mutex::new(Journal::open(&path));
    let b = Mutex::new(Journal::open(&path));
    let entry = |j: &Mutex<Journal>| {
        j.lock()
            .unwrap()
            .entries()
            .into_iter()
            .find(|e| e.id == id)
            .unwrap()
    };
    let (ea, eb) = (entry(&a), entry(&b));
    assert!(ea.can_undo() && eb.can_undo());
    let run = |journal: &Mutex<Journal>, e: &guardpost::remediation::journal::Entry| {
        rt().block_on(execute(
            &account,
            journal,
            &undo_plan(e),
            &Options::default(),
            |_| {},
        ))
    };
    let results: Vec<_> = std::thread::scope(|s| {
        let ha = s.spawn(|| run(&a, &ea));
        let hb = s.spawn(|| run(&b, &eb));
        vec![ha.join().unwrap(), hb.join().unwrap()]
    });
    let succeeded = results
        .iter()
        .filter(|r| matches!(r, Ok(o) if o.status == Status::Succeeded))
        .count();
    assert_eq!(succeeded, 1, "exactly one undo runs: {results:?}");
    // The other made no change: refused before any call, by the journal or by the re-read.
    let reactivations = account
        .mutations()
        .iter()
        .filter(|c| c.params["Status"] == "Active")
        .count();
    assert_eq!(reactivations, 1, "{:?}", account.mutations());
    assert_eq!(account.status(), "Active");
    let e = Journal::open(&path)
        .entries()
        .into_iter()
        .find(|e| e.id == id)
        .unwrap();
    assert!(e.undone_by.is_some());
    assert!(!e.can_undo());
}

#[test]
fn the_journal_refuses_a_second_undo_under_its_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let account = Account::new("Active");
    let id = deactivate(&account, &path);
    let stale = Mutex::new(Journal::open(&path));
    let e = stale.lock().unwrap().entries().pop().unwrap();
    // Another guardpost undoes it first.
    let other = Mutex::new(Journal::open(&path));
    let done = rt()
        .block_on(execute(
            &account,
            &other,
            &undo_plan(&e),
            &Options::default(),
            |_| {},
        ))
        .unwrap();
    assert_eq!(done.status, Status::Succeeded);
    // The key is deactivated again by hand, so the re-read alone would not stop a second undo:
    // the journal does, having read the other guardpost's records under the lock.
    *account.status.lock().unwrap() = "Inactive".into();
    let before = account.mutations().len();
    let err = rt()
        .block_on(execute(
            &account,
            &stale,
            &undo_plan(&e),
            &Options::default(),
            |_| {},
        ))
        .unwrap_err();
    assert!(err.to_string().contains("already undone"), "{err}");
    assert_eq!(account.mutations().len(), before, "no call made");
    assert!(err.to_string().contains(&id), "{err}");
}

#[test]
fn a_torn_last_record_is_unknown_and_the_rest_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let account = Account::new("Active");
    let first = deactivate(&account, &path);
    *account.status.lock().unwrap() = "Active".into();
    let second = deactivate(&account, &path);
    // Crash mid-write of the second action's `done` record: cut the file inside it.
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.rfind("\"kind\":\"done\"").unwrap() + 5;
    std::fs::write(&path, &text[..cut]).unwrap();

    let j = Journal::open(&path);
    assert_eq!(j.problem(), None, "a torn record is not corruption");
    assert_eq!(j.torn_records(), 1);
    let entries = j.entries();
    assert_eq!(entries.len(), 2);
    let by_id = |id: &str| entries.iter().find(|e| e.id == id).unwrap();
    assert_eq!(by_id(&first).status, Status::Succeeded);
    assert!(by_id(&first).can_undo());
    assert_eq!(by_id(&second).status, Status::Unknown);
    assert_eq!(by_id(&second).status.label(), "UNKNOWN — verify");
    assert_eq!(verify::unverified(&entries).len(), 1);

    // New actions are still journaled, each record on a line of its own.
    let third = deactivate(&account, &path);
    let j = Journal::open(&path);
    assert_eq!(j.problem(), None);
    assert!(j.entries().iter().any(|e| e.id == third));
}

#[test]
fn undo_is_rebuilt_from_the_catalog_not_from_the_journal_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let account = Account::new("Active");
    deactivate(&account, &path);
    // Someone edits the `done` line: its undo now deletes the user.
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace(
        r#""undo":[{"service":"iam","operation":"UpdateAccessKey""#,
        r#""undo":[{"service":"iam","operation":"DeleteUser""#,
    );
    assert_ne!(edited, text, "the done line lists its undo calls");
    std::fs::write(&path, edited).unwrap();
    let e = Journal::open(&path).entries().pop().unwrap();
    let undo = undo_plan(&e);
    assert_eq!(undo.calls.len(), 1);
    assert_eq!(undo.calls[0].operation, "UpdateAccessKey");
    assert_eq!(undo.calls[0].params["Status"], "Active");
    assert!(
        undo.weakens_security(),
        "reactivating a key weakens security"
    );

    // An edited forward call (not what the catalog makes for the action) is not undone at all.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(r#""Status":"Inactive""#, r#""Status":"Bogus""#),
    )
    .unwrap();
    let e = Journal::open(&path).entries().pop().unwrap();
    assert!(!e.can_undo());
    assert!(undo_plan(&e).calls.is_empty());
}

#[test]
fn an_undo_refuses_when_the_resource_changed_since_the_action() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    let account = Account::new("Active");
    deactivate(&account, &path);
    // Someone reactivated the key by hand since.
    *account.status.lock().unwrap() = "Active".into();
    let before = account.mutations().len();
    let j = Mutex::new(Journal::open(&path));
    let e = j.lock().unwrap().entries().pop().unwrap();
    let out = rt()
        .block_on(execute(
            &account,
            &j,
            &undo_plan(&e),
            &Options::default(),
            |_| {},
        ))
        .unwrap();
    assert_eq!(out.status, Status::Refused, "{}", out.message);
    assert!(out.message.contains("no longer true"), "{}", out.message);
    assert_eq!(account.mutations().len(), before, "no call made");
    // Journaled as refused, and the action stays undoable for later.
    let entries = Journal::open(&path).entries();
    assert_eq!(entries.last().unwrap().status, Status::Refused);
    assert!(entries[0].can_undo());
}

#[test]
fn verification_settles_a_crash_as_took_effect_or_did_not() {
    for (server, want) in [("Inactive", Status::Succeeded), ("Active", Status::Failed)] {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_path(dir.path());
        let account = Account::new("Active");
        deactivate(&account, &path);
        // The call reached the server (or not); the result and done lines never made it.
        let text = std::fs::read_to_string(&path).unwrap();
        let keep: Vec<&str> = text
            .lines()
            .take_while(|l| !l.contains("\"kind\":\"result\""))
            .collect();
        std::fs::write(&path, keep.join("\n") + "\n").unwrap();
        *account.status.lock().unwrap() = server.into();
        let j = Mutex::new(Journal::open(&path));
        let e = j.lock().unwrap().entries().pop().unwrap();
        assert_eq!(e.status, Status::Unknown);
        assert!(!e.can_undo());

        let out = rt().block_on(verify::verify(&account, &j, &e.id)).unwrap();
        assert_eq!(out.status, want, "{}", out.message);
        let e = Journal::open(&path).entries().pop().unwrap();
        assert_eq!(e.status, want);
        assert!(verify::unverified(std::slice::from_ref(&e)).is_empty());
        if want == Status::Succeeded {
            assert!(out.message.contains("took effect"), "{}", out.message);
            assert!(e.can_undo(), "took effect: u can undo it");
        } else {
            assert!(
                out.message.contains("did not take effect"),
                "{}",
                out.message
            );
            assert!(!e.can_undo());
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_journal_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(dir.path());
    deactivate(&Account::new("Active"), &path);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
}
