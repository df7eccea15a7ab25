//! Table columns the user can hide or resize, k9s-style (`z` cycles a hidden column, `:cols`
//! hides, shows or sizes them by name). The column lists live here, in the app layer, so the
//! command can check names; `ui::columns` lays them out at the terminal's width.
use crate::app::list::GroupMode;
use crate::app::{State, View};
use std::collections::{BTreeMap, BTreeSet};

/// The tables with configurable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TableId {
    Findings,
    /// The findings of every account of an organization: with an account column.
    OrgFindings,
    Groups,
    Resources,
}

impl TableId {
    pub fn label(self) -> &'static str {
        match self {
            TableId::Findings => "findings",
            TableId::OrgFindings => "findings of all accounts",
            TableId::Groups => "grouped findings",
            TableId::Resources => "resources",
        }
    }

    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            TableId::Findings => FINDINGS,
            TableId::OrgFindings => ORG_FINDINGS,
            TableId::Groups => GROUPS,
            TableId::Resources => RESOURCES,
        }
    }
}

/// Where a value too wide for its column loses characters (always marked with `…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elide {
    /// `Role data-import-role can be assu…`
    End,
    /// `iam.principal.pr…escalation`: both the family and the specific end stay readable.
    Middle,
}

/// One column: its name for `:cols`, header, and how it sizes.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub id: &'static str,
    pub header: &'static str,
    /// Width when shown (narrower if every value is).
    pub min: u16,
    /// Grows up to this when the values need it and there is room.
    pub cap: u16,
    /// Taken out first when the table is too narrow: higher goes first; 0 is never dropped.
    pub drop: u8,
    /// Takes the rest of the width (the title).
    pub fill: bool,
    pub elide: Elide,
}

const fn col(id: &'static str, header: &'static str, min: u16, cap: u16, drop: u8) -> ColumnSpec {
    ColumnSpec {
        id,
        header,
        min,
        cap,
        drop,
        fill: false,
        elide: Elide::End,
    }
}

const fn middle(mut c: ColumnSpec) -> ColumnSpec {
    c.elide = Elide::Middle;
    c
}

const fn fill(id: &'static str, header: &'static str, min: u16) -> ColumnSpec {
    ColumnSpec {
        id,
        header,
        min,
        cap: u16::MAX,
        drop: 0,
        fill: true,
        elide: Elide::End,
    }
}

/// The findings table. The title gets at least 30 columns whenever the table is 80 wide or
/// more; the rest is dropped in `drop` order (status, region, type, last seen...).
pub static FINDINGS: &[ColumnSpec] = &FINDING_COLUMNS;

const FINDING_COLUMNS: [ColumnSpec; 9] = [
    col("mark", "", 1, 1, 0),
    col("sev", "SEV", 8, 8, 0),
    col("source", "SRC", 5, 8, 3),
    col("region", "REGION", 14, 14, 6),
    middle(col("type", "TYPE / CONTROL", 16, 36, 5)),
    col("resource", "RESOURCE", 18, 32, 2),
    fill("title", "TITLE", 30),
    col("status", "STATUS", 8, 10, 7),
    col("seen", "LAST SEEN", 11, 11, 4),
];

/// [`FINDINGS`] with the account (its name in the organization) after the severity.
pub static ORG_FINDINGS: &[ColumnSpec] = &with_account(FINDING_COLUMNS);

const fn with_account(base: [ColumnSpec; 9]) -> [ColumnSpec; 10] {
    let mut out = [col("account", "ACCOUNT", 10, 18, 1); 10];
    let mut i = 0;
    while i < 9 {
        // mark and sev stay first; the rest move one right of the account.
        out[if i < 2 { i } else { i + 1 }] = base[i];
        i += 1;
    }
    out
}

pub static GROUPS: &[ColumnSpec] = &[
    col("mark", "", 1, 1, 0),
    col("sev", "SEV", 8, 8, 0),
    middle(col("type", "CONTROL / TYPE", 16, 36, 5)),
    // The group's key: wider than in the findings table.
    col("resource", "RESOURCE", 20, 32, 2),
    col("count", "COUNT", 5, 5, 0),
    col("source", "SOURCES", 11, 11, 3),
    col("region", "REGION", 14, 14, 6),
    fill("title", "TITLE (worst)", 28),
];

pub static RESOURCES: &[ColumnSpec] = &[
    col("sev", "WORST", 8, 8, 0),
    col("open", "OPEN", 5, 5, 0),
    col("type", "TYPE", 14, 26, 4),
    col("name", "NAME", 24, 48, 0),
    col("region", "REGION", 14, 14, 3),
    // The rest of the width, first to go on a narrow terminal (the name says it there).
    ColumnSpec {
        drop: 5,
        elide: Elide::Middle,
        ..fill("arn", "ARN", 30)
    },
];

/// What the user changed: hidden columns and fixed widths, per table; they last the session
/// and apply to every table of that kind (each findings scope, say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnPrefs {
    hidden: BTreeSet<(TableId, &'static str)>,
    widths: BTreeMap<(TableId, &'static str), u16>,
    /// Shown even when the table is too narrow for every column (`:cols +COL`).
    forced: BTreeSet<(TableId, &'static str)>,
    /// The column `z` hid last (its index in the table's list).
    cycled: BTreeMap<TableId, usize>,
}

impl ColumnPrefs {
    pub fn is_hidden(&self, t: TableId, id: &str) -> bool {
        self.hidden.iter().any(|(tt, c)| *tt == t && *c == id)
    }

    pub fn is_forced(&self, t: TableId, id: &str) -> bool {
        self.forced.iter().any(|(tt, c)| *tt == t && *c == id)
    }

    pub fn width(&self, t: TableId, id: &str) -> Option<u16> {
        self.widths
            .iter()
            .find(|((tt, c), _)| *tt == t && *c == id)
            .map(|(_, w)| *w)
    }

    /// Names of the hidden columns of `t`, for the pane title.
    pub fn hidden_names(&self, t: TableId) -> Vec<&'static str> {
        t.columns()
            .iter()
            .filter(|c| self.is_hidden(t, c.id))
            .map(|c| c.id)
            .collect()
    }

    /// `z`: shows the column hidden last and hides the next one that can go; after the last,
    /// every column shows again. Returns the status line.
    pub fn cycle(&mut self, t: TableId) -> String {
        let cols = t.columns();
        let start = match self.cycled.remove(&t) {
            Some(i) => {
                self.hidden.remove(&(t, cols[i].id));
                i + 1
            }
            None => 0,
        };
        let next =
            (start..cols.len()).find(|&i| cols[i].drop > 0 && !self.is_hidden(t, cols[i].id));
        match next {
            Some(i) => {
                self.hidden.insert((t, cols[i].id));
                self.cycled.insert(t, i);
                format!(
                    "{} hides {} (z: next column · :cols +{} shows it)",
                    t.label(),
                    name(&cols[i]),
                    cols[i].id
                )
            }
            None => format!("{}: {}", t.label(), self.describe(t)),
        }
    }

    /// `:cols [-COL|+COL|COL=WIDTH|COL=auto|reset]...`: returns the status line or an error
    /// naming the valid columns.
    pub fn command(&mut self, t: TableId, args: &str) -> Result<String, String> {
        let cols = t.columns();
        let find = |name: &str| {
            cols.iter().find(|c| c.id == name).ok_or_else(|| {
                let names: Vec<&str> = cols
                    .iter()
                    .filter(|c| c.drop > 0 || c.fill)
                    .map(|c| c.id)
                    .collect();
                format!(
                    "unknown column {name:?} in the {} table (columns: {})",
                    t.label(),
                    names.join(", ")
                )
            })
        };
        let mut next = self.clone();
        for word in args.split_whitespace() {
            if word == "reset" {
                next.hidden.retain(|(tt, _)| *tt != t);
                next.forced.retain(|(tt, _)| *tt != t);
                next.widths.retain(|(tt, _), _| *tt != t);
                next.cycled.remove(&t);
            } else if let Some(name) = word.strip_prefix('-') {
                let c = find(name)?;
                if c.drop == 0 {
                    return Err(format!("{name} cannot be hidden (the table needs it)"));
                }
                next.hidden.insert((t, c.id));
                next.forced.remove(&(t, c.id));
            } else if let Some(name) = word.strip_prefix('+') {
                let c = find(name)?;
                next.hidden.remove(&(t, c.id));
                if c.drop > 0 {
                    next.forced.insert((t, c.id));
                }
                if next.cycled.get(&t).is_some_and(|&i| cols[i].id == c.id) {
                    next.cycled.remove(&t);
                }
            } else if let Some((name, w)) = word.split_once('=') {
                let c = find(name)?;
                if w == "auto" {
                    next.widths.remove(&(t, c.id));
                } else {
                    let w: u16 = w
                        .parse()
                        .ok()
                        .filter(|w| (1..=200).contains(w))
                        .ok_or_else(|| {
                            format!("{word}: the width is a number of columns, 1-200, or auto")
                        })?;
                    next.widths.insert((t, c.id), w);
                    next.hidden.remove(&(t, c.id));
                }
            } else {
                return Err(format!(
                    "usage: :cols -COL +COL COL=WIDTH COL=auto reset ({word:?} is none of these)"
                ));
            }
        }
        *self = next;
        Ok(format!("{}: {}", t.label(), self.describe(t)))
    }

    /// `sev source -region type=20 ...`: every column with its state.
    pub fn describe(&self, t: TableId) -> String {
        t.columns()
            .iter()
            .filter(|c| !c.id.is_empty() && c.id != "mark")
            .map(|c| {
                if self.is_hidden(t, c.id) {
                    format!("-{}", c.id)
                } else if self.is_forced(t, c.id) {
                    format!("+{}", c.id)
                } else if let Some(w) = self.width(t, c.id) {
                    format!("{}={w}", c.id)
                } else {
                    c.id.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The table the focused view shows, if its columns can be changed.
pub fn table_of(state: &State) -> Option<TableId> {
    match state.view()? {
        View::Findings(l) if l.group == GroupMode::None => Some(findings_table(
            state.data.as_ref().is_some_and(|d| d.is_organization()),
        )),
        View::Findings(_) => Some(TableId::Groups),
        View::Resources(_) => Some(TableId::Resources),
        _ => None,
    }
}

const NO_TABLE: &str =
    "no table with columns here: z and :cols work on the findings and resources tables";

/// `z` on the focused table.
/// The ungrouped findings table: with an account column when every account is shown.
pub fn findings_table(organization: bool) -> TableId {
    if organization {
        TableId::OrgFindings
    } else {
        TableId::Findings
    }
}

pub fn cycle_key(state: &mut State) {
    match table_of(state) {
        Some(t) => {
            let msg = state.columns.cycle(t);
            state.info(msg);
        }
        None => state.warn(NO_TABLE),
    }
}

/// `:cols ARGS` on the focused table.
pub fn cols_command(state: &mut State, args: &str) {
    let Some(t) = table_of(state) else {
        state.warn(NO_TABLE);
        return;
    };
    match state.columns.command(t, args) {
        Ok(msg) => state.info(msg),
        Err(e) => state.error(e),
    }
}

fn name(c: &ColumnSpec) -> &'static str {
    if c.header.is_empty() { c.id } else { c.header }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organization_table_is_the_findings_table_with_the_account_after_the_severity() {
        let ids = |t: &[ColumnSpec]| t.iter().map(|c| c.id).collect::<Vec<_>>();
        let mut want = ids(FINDINGS);
        want.insert(2, "account");
        assert_eq!(ids(ORG_FINDINGS), want);
    }

    #[test]
    fn cycle_hides_one_optional_column_at_a_time_then_none() {
        let mut p = ColumnPrefs::default();
        let t = TableId::Findings;
        let mut seen = Vec::new();
        for _ in 0..FINDINGS.iter().filter(|c| c.drop > 0).count() {
            p.cycle(t);
            let h = p.hidden_names(t);
            assert_eq!(h.len(), 1, "{h:?}");
            seen.push(h[0]);
        }
        assert_eq!(
            seen,
            ["source", "region", "type", "resource", "status", "seen"]
        );
        let msg = p.cycle(t);
        assert!(p.hidden_names(t).is_empty(), "{msg}");
        // Another table is not touched.
        p.cycle(t);
        assert!(p.hidden_names(TableId::Resources).is_empty());
    }

    #[test]
    fn command_hides_shows_and_sizes_by_name() {
        let mut p = ColumnPrefs::default();
        let t = TableId::Findings;
        let msg = p.command(t, "-region type=20").unwrap();
        assert_eq!(
            msg,
            "findings: sev source -region type=20 resource title status seen"
        );
        assert!(p.is_hidden(t, "region"));
        assert_eq!(p.width(t, "type"), Some(20));
        p.command(t, "+region type=auto").unwrap();
        assert!(p.is_forced(t, "region") && !p.is_hidden(t, "region"));
        p.command(t, "-region").unwrap();
        assert!(!p.is_forced(t, "region"));
        p.command(t, "-status").unwrap();
        p.command(t, "reset").unwrap();
        assert_eq!(p, ColumnPrefs::default());
    }

    #[test]
    fn command_errors_change_nothing_and_name_the_columns() {
        let mut p = ColumnPrefs::default();
        let t = TableId::Findings;
        let e = p.command(t, "-region -nosuch").unwrap_err();
        assert!(e.contains("unknown column \"nosuch\""), "{e}");
        assert!(e.contains("region, type, resource, title"), "{e}");
        assert_eq!(p, ColumnPrefs::default());
        assert!(
            p.command(t, "-title")
                .unwrap_err()
                .contains("cannot be hidden")
        );
        assert!(p.command(t, "type=0").is_err());
        assert!(p.command(t, "type=wide").is_err());
        assert!(
            p.command(t, "region")
                .unwrap_err()
                .starts_with("usage: :cols")
        );
    }
}
