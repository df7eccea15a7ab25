//! The IAM credential report (`GetCredentialReport`'s CSV) parsed into rows: pure, tolerant of
//! unknown and missing columns and unexpected values (read as "no date" / false, and noted),
//! never panicking on any input (a property test feeds it arbitrary text).

use crate::model::iam::CredentialReportRow;
use serde_json::Value;

/// Parses the credential report CSV. Columns are matched by header name: unknown columns are
/// ignored and missing ones are empty, so a report with more (or fewer) columns still loads.
/// What was ignored is logged (see [`parse_credential_report_noted`]).
pub fn parse_credential_report(csv: &str) -> Vec<CredentialReportRow> {
    let (rows, notes) = parse_credential_report_noted(csv);
    for n in notes {
        tracing::warn!(source = "iam", "credential report: {n}");
    }
    rows
}

/// Credential-report values that are not dates but known (no date).
const NO_DATE: [&str; 4] = ["N/A", "no_information", "not_supported", ""];
/// Most unexpected values named in one note.
const NOTE_VALUES: usize = 5;

/// [`parse_credential_report`] plus notes on what was tolerated: unknown and missing columns,
/// and values of date or flag columns that are neither a date / `true` / `false` nor one of
/// `N/A`, `no_information`, `not_supported` (the rules read them as "no date" / "false").
pub fn parse_credential_report_noted(csv: &str) -> (Vec<CredentialReportRow>, Vec<String>) {
    let mut rows = parse_csv(csv).into_iter();
    let mut notes = Vec::new();
    let Some(header) = rows.next() else {
        return (Vec::new(), notes);
    };
    let template = match serde_json::to_value(CredentialReportRow::default()) {
        Ok(Value::Object(m)) => m,
        _ => return (Vec::new(), notes),
    };
    let names: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    let unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !template.contains_key(*n))
        .collect();
    if !unknown.is_empty() {
        notes.push(format!("unknown column(s) ignored: {}", unknown.join(", ")));
    }
    let missing: Vec<&str> = template
        .keys()
        .map(String::as_str)
        .filter(|k| !names.contains(k))
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "missing column(s) read as empty: {}",
            missing.join(", ")
        ));
    }
    let mut odd: Vec<String> = Vec::new();
    let mut odd_count = 0usize;
    let parsed = rows
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .filter_map(|r| {
            let mut m = template.clone();
            for (name, value) in names.iter().zip(r) {
                let Some(slot) = m.get_mut(*name) else {
                    continue;
                };
                let is_flag = name.ends_with("_active") || *name == "password_enabled";
                let is_date = name.ends_with("_time")
                    || name.ends_with("_last_used")
                    || name.ends_with("_last_used_date")
                    || name.ends_with("_last_rotated")
                    || name.ends_with("_last_changed")
                    || name.ends_with("_next_rotation");
                let known = NO_DATE.contains(&value.as_str())
                    || (is_flag && matches!(value.as_str(), "true" | "false"))
                    || (is_date && CredentialReportRow::time(&value).is_some())
                    || !(is_flag || is_date);
                if !known {
                    odd_count += 1;
                    if odd.len() < NOTE_VALUES {
                        odd.push(format!("{name}={value:?}"));
                    }
                }
                *slot = Value::String(value);
            }
            serde_json::from_value(Value::Object(m)).ok()
        })
        .collect();
    if odd_count > 0 {
        notes.push(format!(
            "{odd_count} unexpected value(s) read as no date / false: {}{}",
            odd.join(", "),
            if odd_count > odd.len() { ", ..." } else { "" }
        ));
    }
    (parsed, notes)
}

/// A small RFC 4180 reader (quoted fields, doubled quotes, CRLF or LF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,access_key_1_active,access_key_1_last_used_date";

    #[test]
    fn quoted_fields_unknown_columns_and_odd_values() {
        let csv = format!(
            "{HEADER},brand_new_column\r\n\"bob, jr\",arn:aws:iam::1:user/bob,2024-01-02T03:04:05+00:00,true,not-a-date,\"tr\"\"ue\",false,N/A,x\r\n\n"
        );
        let (rows, notes) = parse_credential_report_noted(&csv);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].user, "bob, jr");
        assert!(
            notes.iter().any(|n| n.contains("brand_new_column")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.contains("2 unexpected value(s)")),
            "{notes:?}"
        );
        assert_eq!(parse_csv("a,\"b\"\"c\"\nd"), [vec!["a", "b\"c"], vec!["d"]]);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Any text at all: no panic, and never more rows than lines.
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC*") {
            let (rows, _) = parse_credential_report_noted(&text);
            prop_assert!(rows.len() <= text.lines().count());
        }

        /// A real header with arbitrary (quotes, commas, newlines, unicode) cells.
        #[test]
        fn never_panics_on_hostile_cells(cells in proptest::collection::vec("[\"a-z0-9,:\\r\\n\\- é]{0,12}", 0..40)) {
            let text = format!("{HEADER}\n{}", cells.join(","));
            let _ = parse_credential_report_noted(&text);
            let _ = parse_csv(&text);
        }
    }
}
