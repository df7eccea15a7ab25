//! The one sanitiser for text guardpost did not write itself: finding titles and types,
//! resource names, tags, CloudTrail fields, error messages from AWS, anything read from a
//! snapshot, journal or incident file. An attacker can write those, so before they reach a
//! terminal, a report, a log or the TUI every character that could steer a terminal or hide or
//! reorder text becomes a visible escape (`\u{202e}`, `\n`):
//!
//! - C0 controls (U+0000–U+001F), DEL and the C1 controls (U+0080–U+009F): ESC sequences,
//!   OSC 52 clipboard writes, 8-bit CSI, cursor moves that erase report lines;
//! - bidi controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069): text that reads
//!   differently from what it is (Trojan Source);
//! - invisible characters (U+00AD, U+180E, U+200B–U+200D, U+2060–U+2064, U+FEFF, the tag
//!   characters U+E0000–U+E007F) and the line/paragraph separators U+2028/U+2029.
//!
//! [`line`] is for single-line fields (table cells, status lines, log fields): newline and tab
//! are escaped too. [`text`] keeps `\n` and `\t` for multi-line prose. Both are idempotent: the
//! output holds no character either would escape, and a backslash is left alone.

use std::borrow::Cow;

/// Whether `c` must never reach an output raw, in any field.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{ad}'
        | '\u{61c}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// Whether `c` is a bidi control (the Trojan Source set).
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A single-line field: every unsafe character, newline and tab included, escaped.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Multi-line text: like [`line`], but newlines and tabs stay.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe(c) && !(keep_lines && (c == '\n' || c == '\t'));
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !bad(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Whether `s` holds anything [`line`] would escape (tests and assertions).
pub fn has_unsafe(s: &str) -> bool {
    s.chars().any(is_unsafe)
}

/// Whether `s` holds what must never reach a terminal raw: ESC, a C1 control (8-bit CSI/OSC)
/// or a bidi control. Newlines and tabs are fine here (multi-line outputs).
pub fn has_terminal_hazard(s: &str) -> bool {
    s.chars()
        .any(|c| c == '\u{1b}' || c == '\u{7}' || ('\u{80}'..='\u{9f}').contains(&c) || is_bidi(c))
}

/// Serialized JSON with every unsafe character inside its strings written as a `\uXXXX`
/// escape. The document parses to exactly the same values (JSON and SARIF stay faithful: a
/// consumer still matches the real resource id), but its bytes hold no raw DEL, C1 or bidi
/// control, so `cat report.json` in a terminal is as safe as the table. serde_json already
/// escapes C0; the characters handled here are all non-structural, so they can only occur
/// inside strings.
pub fn json(serialized: String) -> String {
    // Raw C0 in serde_json's output is layout (pretty-printing newlines): it escapes C0 in strings.
    if !serialized.chars().any(json_escaped) {
        return serialized;
    }
    let mut out = JsonWriter::new(Vec::with_capacity(serialized.len() + 16));
    std::io::Write::write_all(&mut out, serialized.as_bytes()).expect("writes to memory");
    String::from_utf8(out.into_inner()).expect("escaping keeps UTF-8")
}

/// The characters [`json`] writes as `\uXXXX` escapes.
fn json_escaped(c: char) -> bool {
    is_unsafe(c) && c >= ' '
}

/// [`json`] as a writer, for serializing a large document straight to its file instead of
/// through a string (a 300-user check's JSON report is over a megabyte). A UTF-8 sequence
/// split between two writes is held back until its end arrives.
pub struct JsonWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> JsonWriter<W> {
    pub fn new(inner: W) -> JsonWriter<W> {
        JsonWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// The inner writer; bytes of an unfinished UTF-8 sequence are written as they are.
    pub fn into_inner(mut self) -> W {
        let rest = std::mem::take(&mut self.pending);
        let _ = self.inner.write_all(&rest);
        self.inner
    }

    fn write_text(&mut self, text: &str) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if json_escaped(c) {
                self.inner.write_all(&text.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(self.inner, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        self.inner.write_all(&text.as_bytes()[start..])
    }
}

impl<W: std::io::Write> std::io::Write for JsonWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let bytes: &[u8] = if self.pending.is_empty() {
            buf
        } else {
            joined = [std::mem::take(&mut self.pending).as_slice(), buf].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => self.write_text(text)?,
            Err(e) => {
                let (ok, rest) = bytes.split_at(e.valid_up_to());
                self.write_text(std::str::from_utf8(ok).expect("valid up to here"))?;
                match e.error_len() {
                    // The end of a sequence is still to come.
                    None => self.pending.extend_from_slice(rest),
                    // Not UTF-8 (serde_json never writes such bytes): passed on as they are.
                    Some(_) => self.inner.write_all(rest)?,
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A log writer that passes every record through [`text`]: whatever a field holds (an AWS
/// error message, a finding title), the log file holds no escape sequence or bidi control,
/// so `tail guardpost.log` is safe. tracing formats each record into one buffer and writes
/// it once, so a record is never split between two calls.
#[derive(Debug, Clone)]
pub struct LogWriter<W>(pub W);

impl<W: std::io::Write> std::io::Write for LogWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let s = String::from_utf8_lossy(buf);
        self.0.write_all(text(&s).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<'a, M: tracing_subscriber::fmt::MakeWriter<'a>> tracing_subscriber::fmt::MakeWriter<'a>
    for LogWriter<M>
{
    type Writer = LogWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        LogWriter(self.0.make_writer())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_are_visible() {
        assert_eq!(line("a\u{1b}]52;c;x\u{7}b"), "a\\u{1b}]52;c;x\\u{7}b");
        assert_eq!(line("admin\u{202e}txt.exe"), "admin\\u{202e}txt.exe");
        assert_eq!(line("ro\u{200b}ot"), "ro\\u{200b}ot");
        assert_eq!(line("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(text("a\nb\tc\rd"), "a\nb\tc\\rd");
        assert_eq!(line("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(
            line("\u{feff}\u{2066}x\u{2069}"),
            "\\u{feff}\\u{2066}x\\u{2069}"
        );
        // Ordinary text, including non-ASCII letters and emoji, is untouched (and not copied).
        assert!(matches!(line("Zürich 東京 🔑 \\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_writer_escapes_across_split_writes() {
        use std::io::Write;
        let v = serde_json::json!({"t": "é\u{202e}x\u{e0041}ü\u{9b}", "u": "plain ü"});
        let text = serde_json::to_string_pretty(&v).unwrap();
        let whole = json(text.clone());
        // Every split point, including inside multi-byte sequences, gives the same bytes.
        for cut in 0..=text.len() {
            let mut w = JsonWriter::new(Vec::new());
            w.write_all(&text.as_bytes()[..cut]).unwrap();
            w.write_all(&text.as_bytes()[cut..]).unwrap();
            let out = String::from_utf8(w.into_inner()).unwrap();
            assert_eq!(out, whole, "cut at {cut}");
        }
        assert!(!whole.chars().any(json_escaped), "{whole}");
        assert!(
            whole.contains("\\u202e") && whole.contains("\\u009b"),
            "{whole}"
        );
        let back: serde_json::Value = serde_json::from_str(&whole).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn json_stays_faithful_without_raw_controls() {
        let v = serde_json::json!({"t": "a\u{1b}[2K\u{9b}1A\u{202e}b\u{7f}\u{e0041}\n"});
        let out = json(serde_json::to_string(&v).unwrap());
        assert!(!has_unsafe(&out), "{out}");
        assert!(
            out.contains("\\u202e") && out.contains("\\udb40\\udc41"),
            "{out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn log_writer_escapes() {
        use std::io::Write;
        let mut w = LogWriter(Vec::new());
        w.write_all("title=\u{1b}]52;c;eA==\u{7} x\u{202e}y\n".as_bytes())
            .unwrap();
        assert_eq!(
            String::from_utf8(w.0).unwrap(),
            "title=\\u{1b}]52;c;eA==\\u{7} x\\u{202e}y\n"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn line_never_emits_unsafe_and_is_idempotent(s in any::<String>()) {
            let once = line(&s).into_owned();
            prop_assert!(!has_unsafe(&once));
            prop_assert_eq!(line(&once), once.as_str());
        }

        #[test]
        fn text_keeps_lines_only(s in any::<String>()) {
            let once = text(&s).into_owned();
            prop_assert!(!once.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
            prop_assert!(!has_terminal_hazard(&once));
            prop_assert_eq!(text(&once), once.as_str());
            prop_assert_eq!(once.matches('\n').count(), s.matches('\n').count());
        }

        #[test]
        fn json_roundtrips(s in any::<String>()) {
            let v = serde_json::Value::String(s);
            let out = json(serde_json::to_string(&v).unwrap());
            prop_assert!(!has_unsafe(&out));
            let back: serde_json::Value = serde_json::from_str(&out).unwrap();
            prop_assert_eq!(back, v);
        }

        #[test]
        fn safe_text_is_unchanged(s in "[a-zA-Z0-9 :/._@-]{0,40}") {
            prop_assert_eq!(line(&s), s.as_str());
        }

        #[test]
        fn hostile_mix_is_escaped(prefix in "[a-z]{0,5}", c in prop::sample::select(vec![
            '\u{1b}', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2066}', '\u{200b}', '\u{feff}', '\u{61c}', '\u{e0041}',
        ])) {
            let s = format!("{prefix}{c}x");
            let out = line(&s);
            prop_assert!(!out.contains(c));
            let escaped = format!("\\u{{{:x}}}", c as u32);
            prop_assert!(out.contains(&escaped));
        }
    }
}
