//! guardpost's own files on disk: the journal, incidents, logs, snapshots, exports and
//! `check --output` (docs/security.md).
//!
//! Everything here is private to the user whatever the umask: files are created 0600 and the
//! directories guardpost creates 0700. Whole-file writes go through a randomly named temp file
//! created exclusively in the target directory and renamed over the target (never a predictable
//! name that a planted symlink could redirect). Appends to shared files (journal, incident
//! progress) hold an exclusive `flock` while they read what others appended and write one record
//! in one `write`. Reads are bounded so a huge file is refused with a message, not read whole.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The largest snapshot guardpost reads (a 100k-finding account is ~300 MB of JSON).
pub const MAX_SNAPSHOT_BYTES: u64 = 1 << 30;
/// The largest journal guardpost reads: years of actions are a few MB.
pub const MAX_JOURNAL_BYTES: u64 = 256 << 20;
/// The largest incident file guardpost reads.
pub const MAX_INCIDENT_BYTES: u64 = 64 << 20;

/// Creates `dir` (and missing parents) 0700. An existing directory is left as it is: it may be
/// one the user chose (`check --output ./report.json`).
pub fn private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    if let Some(parent) = dir.parent() {
        sync_dir(parent);
    }
    Ok(())
}

/// fsync a directory so a file just created (or renamed) in it survives a crash. Best effort:
/// not every filesystem lets a directory be opened for it.
pub fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o
}

/// Writes `bytes` to `path` atomically: a random temp file created exclusively (0600) beside it
/// (the directory must exist), fsync'd, renamed over `path`, and the directory fsync'd. A
/// reader sees the old file or the new one, never half of it; a symlink planted at a guessable
/// name is never followed.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_private_with(path, |w| w.write_all(bytes))
}

/// [`write_private`] for content written as it is produced (a report serialized into the
/// file instead of into a string first); `fill` gets a buffered writer.
pub fn write_private_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // The directory must exist: it is the user's choice (`--output`), not created for them.
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile creates with O_EXCL and mode 0600 under a random name.
    let mut tmp = tempfile::Builder::new()
        .prefix(".guardpost-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Opens `path` for appending (creating it 0600 in a 0700 directory; the directory is fsync'd
/// after a create). Used for the log file; records that others may append to at the same time
/// go through [`LockedAppend`].
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let existed = path.exists();
    let f = private_options().create(true).append(true).open(path)?;
    if !existed {
        sync_dir(dir);
    }
    Ok(f)
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("it is {size} bytes, more than the {limit} bytes guardpost reads (docs/security.md)")]
    TooLarge { size: u64, limit: u64 },
}

impl ReadError {
    pub fn not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// Reads a whole file, refusing one larger than `limit` bytes (checked before reading and
/// again while reading, so a file that grows meanwhile is refused too).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let f = File::open(path)?;
    let size = f.metadata()?.len();
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let mut buf = Vec::with_capacity(size as usize);
    f.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: buf.len() as u64,
            limit,
        });
    }
    Ok(buf)
}

/// An append-only file of lines shared between processes (the journal, an incident's
/// progress). [`LockedAppend::lock`] takes an exclusive `flock` that is released on drop.
pub struct LockedAppend {
    file: File,
}

impl LockedAppend {
    /// Opens (creating 0600 in a 0700 directory, fsync'ing the directory after a create) and
    /// locks `path` exclusively, waiting for another guardpost to finish its append.
    pub fn lock(path: &Path) -> io::Result<LockedAppend> {
        let dir = path.parent().unwrap_or(Path::new("."));
        private_dir(dir)?;
        let existed = path.exists();
        let file = private_options()
            .create(true)
            .read(true)
            .append(true)
            .open(path)?;
        if !existed {
            sync_dir(dir);
        }
        file.lock()?;
        Ok(LockedAppend { file })
    }

    /// The file's length now (under the lock, nobody else is appending).
    pub fn size(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    /// Everything from byte `from` to the end: what others appended since we last read, at most
    /// `limit` bytes.
    pub fn read_from(&mut self, from: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
        let len = self.size()?;
        if len.saturating_sub(from) > limit {
            return Err(ReadError::TooLarge {
                size: len - from,
                limit,
            });
        }
        self.file.seek(SeekFrom::Start(from))?;
        let mut buf = Vec::new();
        (&mut self.file).take(limit + 1).read_to_end(&mut buf)?;
        Ok(buf)
    }

    /// Appends one record and its newline in a single `write`, then fsyncs. When the file does
    /// not end with a newline (a torn record from a crash), a newline is written first so the
    /// new record starts a line of its own. Returns the new length.
    pub fn append_line(&mut self, record: &str) -> io::Result<u64> {
        let len = self.size()?;
        let mut buf = Vec::with_capacity(record.len() + 2);
        if len > 0 {
            let mut last = [0u8; 1];
            self.file.seek(SeekFrom::Start(len - 1))?;
            self.file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                buf.push(b'\n');
            }
        }
        buf.extend_from_slice(record.as_bytes());
        buf.push(b'\n');
        // O_APPEND: the kernel puts the whole buffer at the end in one write.
        let n = self.file.write(&buf)?;
        if n != buf.len() {
            // A short write on a regular file means the disk is full; finish it rather than
            // leave half a record.
            self.file.write_all(&buf[n..])?;
        }
        self.file.sync_data()?;
        self.size()
    }
}

/// Splits file bytes into complete lines and a trailing fragment without a newline (a record
/// torn by a crash mid-write, or one being written right now by a process without the lock).
pub fn split_lines(bytes: &[u8]) -> (Vec<&[u8]>, Option<&[u8]>) {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // `split` yields an empty last piece when the bytes end with a newline.
    let tail = lines.pop().filter(|t| !t.is_empty());
    (lines, tail)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    /// umask is process-wide: the tests that set it run in one test so they do not race.
    #[test]
    fn files_are_private_whatever_the_umask_and_writes_never_follow_planted_symlinks() {
        let old = unsafe { libc_umask(0o000) };
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state/deeper");
        let f = state.join("journal.jsonl");
        LockedAppend::lock(&f).unwrap().append_line("{}").unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(mode(&state), 0o700);
        assert_eq!(mode(&dir.path().join("state")), 0o700);
        let log = dir.path().join("logs/guardpost.log");
        open_private_append(&log).unwrap();
        assert_eq!(mode(&log), 0o600);
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let out = dir.path().join("out/report.json");
        write_private(&out, b"{}").unwrap();
        assert!(write_private(&dir.path().join("missing/x.json"), b"{}").is_err());
        assert_eq!(mode(&out), 0o600);
        unsafe { libc_umask(old) };

        // A symlink at the old predictable temp name is not followed, and nothing is left over.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("out/.report.json.tmp")).unwrap();
        write_private(&out, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".guardpost-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    unsafe extern "C" {
        #[link_name = "umask"]
        fn libc_umask(mask: u32) -> u32;
    }

    #[test]
    fn bounded_reads_refuse_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, vec![b'x'; 100]).unwrap();
        assert_eq!(read_limited(&p, 100).unwrap().len(), 100);
        let e = read_limited(&p, 99).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::TooLarge {
                    size: 100,
                    limit: 99
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("more than the 99 bytes"), "{e}");
        assert!(
            read_limited(&dir.path().join("nope"), 1)
                .unwrap_err()
                .not_found()
        );
    }

    #[test]
    fn a_torn_tail_gets_its_own_line_before_the_next_record() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        std::fs::write(&p, "{\"a\":1}\n{\"b\":").unwrap();
        LockedAppend::lock(&p)
            .unwrap()
            .append_line("{\"c\":3}")
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\"a\":1}\n{\"b\":\n{\"c\":3}\n"
        );
        let bytes = std::fs::read(&p).unwrap();
        let (lines, tail) = split_lines(&bytes);
        assert_eq!(lines.len(), 3);
        assert!(tail.is_none());
        let (lines, tail) = split_lines(b"x\ny");
        assert_eq!((lines, tail), (vec![&b"x"[..]], Some(&b"y"[..])));
    }
}
