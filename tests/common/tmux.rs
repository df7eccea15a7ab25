//! Drives the real binary in tmux, as a person at a terminal would.
#![allow(dead_code)]
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub session: String,
}

impl Tmux {
    /// Starts `cmd` in a detached session of the given size. The shell keeps the pane open after
    /// the program exits so the test can read what the terminal looks like afterwards.
    pub fn start(name: &str, width: u16, height: u16, cmd: &str) -> Tmux {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "tmux is required for the end-to-end tests (apt-get install tmux)"
        );
        let session = format!("gp-{name}-{}", std::process::id());
        let script = format!(
            "{cmd}; echo \"EXITED:$?\"; stty -a | tr '\\n' ' ' | sed 's/^/STTY:/'; echo; sleep 600"
        );
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .arg("bash")
            .arg("-c")
            .arg(&script)
            .env_remove("TMUX")
            .status()
            .expect("tmux new-session");
        assert!(status.success(), "tmux new-session failed");
        Tmux { session }
    }

    pub fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args([
                "capture-pane",
                "-p",
                "-J",
                "-S",
                "-1000",
                "-t",
                &self.session,
            ])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys in tmux's syntax (`Enter`, `Escape`, `Tab`, or literal text with `-l`).
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let status = Command::new("tmux")
                .args(["send-keys", "-t", &self.session, k])
                .status()
                .expect("tmux send-keys");
            assert!(status.success());
        }
    }

    pub fn text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["send-keys", "-l", "-t", &self.session, text])
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// Waits until the program has exited and the shell has printed the terminal's settings
    /// (the stty line ends with the extproc flag).
    /// Pastes `text` as a terminal paste: bracketed (`paste-buffer -p`) when the program asked
    /// for bracketed paste, else as plain keys in one write.
    pub fn paste(&self, text: &str) {
        let buffer = format!("{}-paste", self.session);
        let ok = Command::new("tmux")
            .args(["set-buffer", "-b", &buffer, "--", text])
            .status()
            .expect("tmux set-buffer")
            .success()
            && Command::new("tmux")
                .args([
                    "paste-buffer",
                    "-p",
                    "-d",
                    "-b",
                    &buffer,
                    "-t",
                    &self.session,
                ])
                .status()
                .expect("tmux paste-buffer")
                .success();
        assert!(ok, "tmux paste failed");
    }

    /// Answers `y` in the confirm dialog once it has been on screen long enough to count
    /// (guardpost ignores `y` for the dialog's first 300 ms, so a key burst cannot confirm).
    pub fn confirm(&self) {
        std::thread::sleep(Duration::from_millis(400));
        self.keys(&["y"]);
    }

    pub fn wait_exit(&self) -> String {
        self.wait_until("exit and stty", |s| {
            s.contains("EXITED:") && s.contains("extproc")
        })
    }

    /// Waits until the screen contains `needle`; panics with the screen if it never does.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |s| s.contains(needle))
    }

    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what:?}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

/// Asserts the terminal is back in cooked mode with echo (what `ratatui::restore` must leave).
pub fn assert_restored(screen: &str) {
    let stty = screen
        .lines()
        .find(|l| l.starts_with("STTY:"))
        .unwrap_or_else(|| panic!("no stty output on the screen:\n{screen}"));
    for flag in [" icanon", " echo ", " isig"] {
        assert!(
            stty.contains(flag),
            "terminal not restored: {flag:?} missing in {stty}"
        );
    }
    assert!(
        !stty.contains("-icanon"),
        "terminal left in raw mode: {stty}"
    );
}
