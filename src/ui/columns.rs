//! Lays a table's columns ([`crate::app::columns`]) out at the width there is, and cuts values
//! that do not fit visibly (`…`), never silently.
use crate::app::columns::{ColumnPrefs, ColumnSpec, Elide, TableId};
use ratatui::layout::Constraint;
use ratatui::text::Span;
use std::borrow::Cow;

/// Display width of a string (wide characters count 2).
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// `s` cut to `w` display columns, the cut marked with `…` (at the end or in the middle).
pub fn elide(s: &str, w: usize, how: Elide) -> Cow<'_, str> {
    if width(s) <= w {
        return Cow::Borrowed(s);
    }
    if w == 0 {
        return Cow::Borrowed("");
    }
    let take = |it: &mut dyn Iterator<Item = char>, budget: usize| {
        let mut out = Vec::new();
        let mut used = 0;
        for c in it {
            let cw = char_width(c);
            if used + cw > budget {
                break;
            }
            used += cw;
            out.push(c);
        }
        out
    };
    let room = w - 1;
    match how {
        Elide::End => {
            let head: String = take(&mut s.chars(), room).into_iter().collect();
            Cow::Owned(format!("{head}…"))
        }
        Elide::Middle => {
            let head_room = room.div_ceil(2);
            let head: String = take(&mut s.chars(), head_room).into_iter().collect();
            let used = width(&head);
            let mut tail = take(&mut s.chars().rev(), room - used);
            tail.reverse();
            let tail: String = tail.into_iter().collect();
            Cow::Owned(format!("{head}…{tail}"))
        }
    }
}

/// One laid-out column: its index in the table's list and its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Laid {
    pub index: usize,
    pub width: u16,
}

/// The columns of `t` that show at `avail` columns (spacing 1), and their widths. `want[i]` is
/// the widest value of column `i`. Hidden columns stay out; then the ones with the highest
/// `drop` go until the rest fit; then growing columns get up to half the spare room (up to
/// what their values need) and the fill column (the title) the rest.
pub fn lay_out(t: TableId, prefs: &ColumnPrefs, avail: u16, want: &[usize]) -> Vec<Laid> {
    let cols = t.columns();
    let want_of = |i: usize| want.get(i).copied().unwrap_or(0).max(width(cols[i].header));
    let base = |i: usize, c: &ColumnSpec| -> u16 {
        match prefs.width(t, c.id) {
            Some(w) => w,
            None if c.fill => c.min,
            None => c.min.min(want_of(i).max(1) as u16),
        }
    };
    let total = |s: &[(usize, u16)]| -> usize {
        s.iter().map(|(_, w)| *w as usize).sum::<usize>() + s.len().saturating_sub(1)
    };
    // Drops the droppable column with the highest `drop` until `s` fits; false if none is left.
    let shed = |s: &mut Vec<(usize, u16)>, may: &dyn Fn(usize) -> bool| {
        while total(s) > avail as usize {
            let Some(pos) = s
                .iter()
                .enumerate()
                .filter(|(_, (i, _))| cols[*i].drop > 0 && may(*i))
                .max_by_key(|(_, (i, _))| cols[*i].drop)
                .map(|(p, _)| p)
            else {
                return;
            };
            s.remove(pos);
        }
    };
    // What the width drops is decided before the user's hiding, so hiding a column gives its
    // room to the others rather than bringing back one the width had dropped (`+COL` does).
    let mut all: Vec<(usize, u16)> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| (i, base(i, c)))
        .collect();
    shed(&mut all, &|i| !prefs.is_forced(t, cols[i].id));
    let mut shown: Vec<(usize, u16)> = all
        .into_iter()
        .filter(|(i, _)| !prefs.is_hidden(t, cols[*i].id))
        .collect();
    for (i, c) in cols.iter().enumerate() {
        if prefs.is_forced(t, c.id) && !shown.iter().any(|(j, _)| *j == i) {
            shown.push((i, base(i, c)));
        }
    }
    shown.sort_by_key(|(i, _)| *i);
    shed(&mut shown, &|i| !prefs.is_forced(t, cols[i].id));
    shed(&mut shown, &|_| true);
    let mut spare = (avail as usize).saturating_sub(total(&shown));
    let has_fill = shown.iter().any(|(i, _)| cols[*i].fill);
    let mut budget = if has_fill { spare / 2 } else { spare };
    // The most needed columns (lowest `drop`) grow first.
    let mut order: Vec<usize> = (0..shown.len()).collect();
    order.sort_by_key(|&k| cols[shown[k].0].drop);
    for k in order {
        let (i, w) = &mut shown[k];
        let c = &cols[*i];
        if c.fill || prefs.width(t, c.id).is_some() {
            continue;
        }
        let target = want_of(*i).min(c.cap as usize);
        let grow = target.saturating_sub(*w as usize).min(budget);
        *w += grow as u16;
        budget -= grow;
        spare -= grow;
    }
    if let Some((_, w)) = shown.iter_mut().find(|(i, _)| cols[*i].fill) {
        *w += spare as u16;
    }
    shown
        .into_iter()
        .map(|(index, width)| Laid { index, width })
        .collect()
}

/// The ratatui constraints of a layout.
pub fn constraints(laid: &[Laid]) -> Vec<Constraint> {
    laid.iter().map(|l| Constraint::Length(l.width)).collect()
}

/// The header cells of a layout, cut to their widths.
pub fn headers(t: TableId, laid: &[Laid]) -> Vec<String> {
    let cols = t.columns();
    laid.iter()
        .map(|l| elide(cols[l.index].header, l.width as usize, Elide::End).into_owned())
        .collect()
}

/// The widest value per column over `rows` (each row gives its cells in the table's order).
pub fn widest<'a, I, R>(n: usize, rows: I) -> Vec<usize>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = Cow<'a, str>>,
{
    let mut want = vec![0; n];
    for row in rows {
        for (i, cell) in row.into_iter().enumerate().take(n) {
            want[i] = want[i].max(width(&cell));
        }
    }
    want
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elide_marks_every_cut() {
        assert_eq!(elide("short", 10, Elide::End), "short");
        assert_eq!(elide("Role data-import-role", 10, Elide::End), "Role data…");
        assert_eq!(
            elide("iam.principal.privilege-escalation", 20, Elide::Middle),
            "iam.princi…scalation"
        );
        assert_eq!(
            width(&elide(
                "iam.principal.privilege-escalation",
                20,
                Elide::Middle
            )),
            20
        );
        // Wide characters never split and never overflow.
        assert_eq!(elide("日本語のテキスト", 7, Elide::End), "日本語…");
        assert_eq!(elide("abc", 0, Elide::End), "");
    }

    fn widths(avail: u16, prefs: &ColumnPrefs) -> Vec<(&'static str, u16)> {
        // Values as wide as the demo's: long types and resources.
        let want = [1, 8, 5, 14, 34, 32, 90, 8, 11];
        lay_out(TableId::Findings, prefs, avail, &want)
            .into_iter()
            .map(|l| (TableId::Findings.columns()[l.index].id, l.width))
            .collect()
    }

    fn title(avail: u16, prefs: &ColumnPrefs) -> u16 {
        widths(avail, prefs)
            .iter()
            .find(|c| c.0 == "title")
            .unwrap()
            .1
    }

    #[test]
    fn the_title_gets_the_room() {
        let p = ColumnPrefs::default();
        // Inner widths of 80, 120 and 200 column terminals (the border takes 2).
        assert!(title(78, &p) >= 30, "{:?}", widths(78, &p));
        assert!(title(118, &p) >= 30, "{:?}", widths(118, &p));
        let wide = widths(198, &p);
        // At 200 columns nothing is dropped, type and resource are whole, and the title has
        // most of the free width.
        assert_eq!(wide.len(), 9, "{wide:?}");
        assert!(
            wide.contains(&("type", 34)) && wide.contains(&("resource", 32)),
            "{wide:?}"
        );
        assert!(title(198, &p) >= 60, "{wide:?}");
        for avail in [78, 118, 198] {
            let sum: u16 = widths(avail, &p).iter().map(|c| c.1 + 1).sum::<u16>() - 1;
            assert_eq!(sum, avail, "{:?}", widths(avail, &p));
        }
    }

    #[test]
    fn hidden_and_sized_columns_are_respected() {
        let mut p = ColumnPrefs::default();
        p.command(TableId::Findings, "-resource type=12").unwrap();
        let w = widths(118, &p);
        assert!(!w.iter().any(|c| c.0 == "resource"), "{w:?}");
        assert!(w.contains(&("type", 12)), "{w:?}");
        assert!(title(118, &p) > title(118, &ColumnPrefs::default()));
    }
}
