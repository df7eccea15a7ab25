//! TOML files that could not be used, pinned to file, line, column and dotted key: the one
//! diagnostic for the config file and theme files (a leaf module both use).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A TOML file that could not be used, pinned to its file, line, column and key.
///
/// Displays as `FILE: line L, column C: key "a.b": MESSAGE`, or for unknown keys
/// `FILE: line L, column C: unknown key "a.b" (expected one of x, y)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TomlDiagnostic {
    pub file: PathBuf,
    /// 1-based line and column (in characters), when TOML gave a position.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Dotted path of the offending key (`colors.critical`), when it could be found.
    pub key: Option<String>,
    /// Everything after the position: what is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for TomlDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl TomlDiagnostic {
    /// Builds a diagnostic for an error at `span` in `src` (an error we found ourselves, after parsing).
    pub fn at(
        file: &Path,
        src: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let start = span.map(|s| s.start);
        let (line, column) = start.map(|o| line_column(src, o)).unzip();
        let key = start.and_then(|o| key_path_at(src, o));
        let message = message.into();
        let message = match &key {
            Some(key) => format!("key \"{key}\": {message}"),
            None => message,
        };
        TomlDiagnostic {
            file: file.to_path_buf(),
            line,
            column,
            key,
            message,
        }
    }

    /// Turns a `toml` error into a diagnostic, rewording serde's unknown-field message.
    pub fn from_toml(file: &Path, src: &str, err: &toml::de::Error) -> Self {
        let start = err.span().map(|s| s.start);
        let (line, column) = start.map(|o| line_column(src, o)).unzip();
        let key = start.and_then(|o| key_path_at(src, o));
        let raw = err.message().trim_end();
        let message = match (unknown_field(raw), &key) {
            (Some((name, expected)), key) => {
                let name = key.as_deref().unwrap_or(name);
                format!("unknown key \"{name}\" ({expected})")
            }
            (None, Some(key)) => format!("key \"{key}\": {}", raw.replace('`', "\"")),
            (None, None) => raw.replace('`', "\""),
        };
        TomlDiagnostic {
            file: file.to_path_buf(),
            line,
            column,
            key,
            message,
        }
    }
}

/// Deserializes `src`, turning any error into a [`TomlDiagnostic`] naming `origin`.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    src: &str,
    origin: &Path,
) -> Result<T, TomlDiagnostic> {
    toml::from_str(src).map_err(|e| TomlDiagnostic::from_toml(origin, src, &e))
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" into ("x", "expected one of a, b").
fn unknown_field(msg: &str) -> Option<(&str, String)> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (name, rest) = rest.split_once('`')?;
    let expected = rest.trim_start_matches(',').trim().replace('`', "");
    Some((name, expected))
}

/// 1-based line and character column of a byte offset (an offset at EOF points past the last char).
pub(crate) fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Dotted path of the key whose name or value covers `offset` (`profiles.prod.theme`).
///
/// `toml::de::Error` knows the key path but does not expose it, so we re-parse the document
/// with spans and search it. Tables opened by `[header]` do not span their body, so every
/// table is searched rather than only those whose span covers the offset.
fn key_path_at(src: &str, offset: usize) -> Option<String> {
    let doc = toml::de::DeTable::parse(src).ok()?;
    let mut path = Vec::new();
    find_in_table(doc.get_ref(), offset, &mut path).then(|| path.join("."))
}

fn find_in_table(table: &toml::de::DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
    for (key, value) in table.iter() {
        path.push(display_key(key.get_ref()));
        if key.span().contains(&offset) || find_in_value(value, offset, path) {
            return true;
        }
        path.pop();
    }
    false
}

fn find_in_value(
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    offset: usize,
    path: &mut Vec<String>,
) -> bool {
    match value.get_ref() {
        toml::de::DeValue::Table(t) => {
            find_in_table(t, offset, path) || value.span().contains(&offset)
        }
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                if find_in_value(item, offset, path) {
                    return true;
                }
                path.pop();
            }
            value.span().contains(&offset)
        }
        _ => value.span().contains(&offset),
    }
}

/// Quotes a key that would not read back as a bare key (`"eu west"`), as TOML itself would.
fn display_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}
