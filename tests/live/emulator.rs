//! Starts the project's local AWS emulator (tests/emulator/, moto-based) on a free loopback
//! port, or uses one that is already running (`GUARDPOST_EMULATOR_URL`).
//!
//! Protocol (tests/emulator/README.md): `tests/emulator/setup.sh` creates the venv, then
//! `.venv/bin/python tests/emulator/server.py --port 0 --exit-on-stdin-eof` prints
//! `READY <port>` on stdout; closing its stdin stops it. `GUARDPOST_EMULATOR_DIR` points at
//! another checkout's tests/emulator (development only).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

pub struct Emulator {
    pub url: String,
    addr: String,
    child: Option<(Child, ChildStdin)>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some((mut c, stdin)) = self.child.take() {
            drop(stdin);
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Emulator {
    /// A control-API call (`/_guardpost/...`, plain unsigned JSON).
    pub fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut s = std::net::TcpStream::connect(&self.addr).expect("connect to the emulator");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP response");
        assert!(
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "{method} {path}: {head}\n{body}"
        );
        serde_json::from_str(body).unwrap_or(Value::Null)
    }

    /// The emulator's log of AWS calls for `service` / `operation` / `region`.
    pub fn calls(&self, service: &str, operation: &str, region: &str) -> Vec<Value> {
        let v = self.control(
            "GET",
            &format!(
                "/_guardpost/requests?service={service}&operation={operation}&region={region}"
            ),
            None,
        );
        match v {
            Value::Array(a) => a,
            v => v["requests"].as_array().cloned().unwrap_or_default(),
        }
    }
}

fn dir() -> PathBuf {
    std::env::var_os("GUARDPOST_EMULATOR_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/emulator"))
}

/// setup.sh runs once per test binary.
static SETUP: Mutex<Option<bool>> = Mutex::new(None);

/// Starts the emulator (installing its venv on first use). The emulator is part of this
/// repository, so a missing one fails the test rather than skipping it.
pub fn start() -> Option<Emulator> {
    let dir = dir();
    assert!(
        dir.join("server.py").exists(),
        "{} has no server.py (set GUARDPOST_EMULATOR_DIR to the emulator's directory)",
        dir.display()
    );
    {
        let mut done = SETUP.lock().unwrap_or_else(|e| e.into_inner());
        if done.is_none() {
            let ok = Command::new("bash")
                .arg(dir.join("setup.sh"))
                .status()
                .expect("run tests/emulator/setup.sh")
                .success();
            *done = Some(ok);
        }
        assert_eq!(*done, Some(true), "tests/emulator/setup.sh failed");
    }
    let mut child = Command::new(dir.join(".venv/bin/python"))
        .arg(dir.join("server.py"))
        .args(["--port", "0", "--exit-on-stdin-eof"])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(p) = line.trim().strip_prefix("READY ") {
                    break p.trim().to_string();
                }
            }
            _ => {
                let _ = child.kill();
                panic!("the emulator exited before printing READY <port>");
            }
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Some(Emulator {
        url: format!("http://127.0.0.1:{port}"),
        addr: format!("127.0.0.1:{port}"),
        child: Some((child, stdin)),
    })
}
