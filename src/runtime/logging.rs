//! Logging: to `$XDG_STATE_HOME/guardpost/guardpost.log` (or `GUARDPOST_STATE_DIR`), never to
//! the screen, every line through the sanitiser.

use anyhow::Context;
use std::path::PathBuf;

/// Logs go to `$XDG_STATE_HOME/guardpost/guardpost.log`, never to the screen.
pub fn init(level: &str) -> anyhow::Result<Option<tracing_appender::non_blocking::WorkerGuard>> {
    let Some(dir) = std::env::var_os("GUARDPOST_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::state_dir().map(|d| d.join("guardpost")))
        .or_else(|| dirs::home_dir().map(|d| d.join(".local/state/guardpost")))
    else {
        return Ok(None);
    };
    let path = dir.join("guardpost.log");
    let file = crate::storage::open_private_append(&path).with_context(|| {
        format!(
            "cannot open the log file {} (set GUARDPOST_STATE_DIR to a writable directory)",
            path.display()
        )
    })?;
    // The queue is preallocated: the default 128,000 lines were 4 MiB of a 300-user check's
    // heap, 16,384 still half a MiB of its ~31 MiB. The writer thread drains it as lines come;
    // 4,096 absorb any burst guardpost logs (a full queue drops lines, never blocks a read).
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(4_096)
        .finish(file);
    let filter = tracing_subscriber::EnvFilter::try_new(format!("guardpost={level}"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("guardpost=info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(crate::sanitize::LogWriter(writer))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    Ok(Some(guard))
}
