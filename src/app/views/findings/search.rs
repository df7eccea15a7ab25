//! Matching the filter line against the findings: the search index built once per dataset,
//! the exact-word fast path and the fuzzy fallback.
use super::query::FilterSpec;
use crate::model::Finding;
use memchr::memmem;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// Fuzzy haystacks, one per finding, built once per dataset.
#[derive(Debug, Default)]
pub struct SearchIndex {
    pub haystacks: Vec<Utf32String>,
    /// The ASCII haystacks again, ASCII-lowercased and back to back (`lower_ends[i]` ends
    /// haystack `i`; non-ASCII haystacks are empty here), for the exact filter's fast path.
    lower: Vec<u8>,
    lower_ends: Vec<usize>,
}

impl SearchIndex {
    pub fn build(findings: &[Finding]) -> SearchIndex {
        let haystacks: Vec<Utf32String> = findings
            .iter()
            .map(|f| {
                let mut s = String::with_capacity(160);
                s.push_str(&f.title);
                for r in &f.resources {
                    s.push(' ');
                    s.push_str(&r.name);
                }
                s.push(' ');
                s.push_str(&f.kind);
                if let Some(c) = &f.control_id {
                    s.push(' ');
                    s.push_str(c);
                }
                s.push(' ');
                s.push_str(&f.region);
                Utf32String::from(s.as_str())
            })
            .collect();
        let mut lower = Vec::new();
        let mut lower_ends = Vec::with_capacity(haystacks.len());
        for h in &haystacks {
            if let Utf32Str::Ascii(b) = h.slice(..) {
                lower.extend(b.iter().map(u8::to_ascii_lowercase));
            }
            lower_ends.push(lower.len());
        }
        SearchIndex {
            haystacks,
            lower,
            lower_ends,
        }
    }

    /// Haystack `i` lowercased (empty for a non-ASCII haystack).
    fn lower(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.lower_ends[i - 1] };
        &self.lower[start..self.lower_ends[i]]
    }
}

/// The exact filter when every word is a plain ASCII word (the usual case): each word must occur
/// as a substring, case-insensitively unless it has an uppercase letter (smart case). On ASCII
/// haystacks this is exactly what nucleo's `'word` atoms accept, answered with one `memmem` per
/// word instead of nucleo's best-scoring-occurrence search; non-ASCII haystacks still go through
/// nucleo.
pub(crate) struct ExactWords {
    /// A finder per word, and whether it matches ignoring case (against `SearchIndex::lower`).
    words: Vec<(memmem::Finder<'static>, bool)>,
}

impl ExactWords {
    pub(crate) fn compile(fuzzy: &str) -> Option<ExactWords> {
        let mut words = Vec::new();
        for w in fuzzy.split_whitespace() {
            // fzf operators, escapes and non-ASCII needles: leave it all to nucleo.
            if w.starts_with(['\'', '^', '!'])
                || w.ends_with('$')
                || !w.is_ascii()
                || w.contains('\\')
            {
                return None;
            }
            let ignore_case = !w.bytes().any(|b| b.is_ascii_uppercase());
            // nucleo searches a lowercase needle that starts with two or more non-letters
            // case-sensitively (unless it spans the whole haystack); keep its exact answers.
            if ignore_case
                && w.bytes()
                    .position(|b| b.is_ascii_lowercase())
                    .is_some_and(|p| p >= 2)
            {
                return None;
            }
            words.push((memmem::Finder::new(w.as_bytes()).into_owned(), ignore_case));
        }
        Some(ExactWords { words })
    }

    /// Whether haystack `i` contains every word; None for a non-ASCII haystack.
    pub(crate) fn matches(&self, search: &SearchIndex, i: usize) -> Option<bool> {
        let Utf32Str::Ascii(original) = search.haystacks.get(i)?.slice(..) else {
            return None;
        };
        let lower = search.lower(i);
        Some(self.words.iter().all(|(finder, ignore_case)| {
            finder
                .find(if *ignore_case { lower } else { original })
                .is_some()
        }))
    }
}

/// The rows (in their order) for which `test(row)` holds, calling `test` once per distinct row
/// in ascending index order: findings and haystacks are laid out by index, so the scan walks
/// memory forwards instead of jumping around in display (sort) order, several times faster at
/// 100k findings. Rows at or past `n` are dropped.
fn retain_in_index_order(
    rows: &[usize],
    n: usize,
    mut test: impl FnMut(usize) -> bool,
) -> Vec<usize> {
    let mut candidates = vec![0u64; n.div_ceil(64)];
    for &i in rows.iter().filter(|&&i| i < n) {
        candidates[i / 64] |= 1 << (i % 64);
    }
    let mut hits = vec![0u64; candidates.len()];
    for (w, &word) in candidates.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            if test(w * 64 + b) {
                hits[w] |= 1 << b;
            }
            bits &= bits - 1;
        }
    }
    rows.iter()
        .copied()
        .filter(|&i| i < n && hits[i / 64] >> (i % 64) & 1 == 1)
        .collect()
}

/// `!word` terms: a finding whose text contains one of the words is left out (smart case,
/// like the exact filter).
struct Excluded {
    words: Vec<(Option<ExactWords>, Pattern)>,
    matcher: Matcher,
}

impl Excluded {
    fn compile(words: &[String]) -> Excluded {
        Excluded {
            words: words
                .iter()
                .map(|w| {
                    // Words have no spaces (the line is split on them).
                    let exact =
                        Pattern::parse(&format!("'{w}"), CaseMatching::Smart, Normalization::Smart);
                    (ExactWords::compile(w), exact)
                })
                .collect(),
            matcher: Matcher::new(Config::DEFAULT),
        }
    }

    fn hits(&mut self, search: &SearchIndex, i: usize) -> bool {
        let matcher = &mut self.matcher;
        self.words.iter().any(|(fast, exact)| {
            match fast.as_ref().and_then(|w| w.matches(search, i)) {
                Some(hit) => hit,
                None => search
                    .haystacks
                    .get(i)
                    .is_some_and(|h| exact.score(h.slice(..), matcher).is_some()),
            }
        })
    }
}

/// Words match as case-insensitive substrings (smart case); when no finding has them all, the
/// filter falls back to fuzzy matching so a typo still finds something. Returns the rows and
/// whether the fuzzy fallback was used.
pub(crate) fn filter_rows(
    candidates: &[usize],
    base: &[usize],
    fs: &[Finding],
    search: &SearchIndex,
    spec: &FilterSpec,
) -> (Vec<usize>, bool) {
    // Without field terms every finding passes them: don't touch the findings at all.
    let has_fields = spec.has_field_terms();
    let mut excluded = Excluded::compile(&spec.excluded_text);
    let has_excluded = !spec.excluded_text.is_empty();
    let mut fields = |i: usize| {
        (!has_fields || spec.admits(&fs[i])) && !(has_excluded && excluded.hits(search, i))
    };
    if spec.fuzzy.is_empty() {
        let rows = if has_fields || has_excluded {
            retain_in_index_order(candidates, fs.len(), fields)
        } else {
            candidates.to_vec()
        };
        return (rows, false);
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut nucleo = |i: usize, pattern: &Pattern| {
        search
            .haystacks
            .get(i)
            .is_some_and(|h| pattern.score(h.slice(..), &mut matcher).is_some())
    };
    // fzf syntax: a leading ' makes an atom an exact substring match.
    let exact_query: Vec<String> = spec
        .fuzzy
        .split_whitespace()
        .map(|w| {
            if w.starts_with(['\'', '^', '!']) || w.ends_with('$') {
                w.to_string()
            } else {
                format!("'{w}")
            }
        })
        .collect();
    let exact = Pattern::parse(
        &exact_query.join(" "),
        CaseMatching::Smart,
        Normalization::Smart,
    );
    let words = ExactWords::compile(&spec.fuzzy);
    let rows = retain_in_index_order(candidates, fs.len(), |i| {
        fields(i)
            && match words.as_ref().and_then(|w| w.matches(search, i)) {
                Some(hit) => hit,
                None => nucleo(i, &exact),
            }
    });
    // One or two characters fuzzy-match nearly everything (and cost a full fuzzy pass):
    // fall back only once the text says something, e.g. a typo in a word.
    // Nor when the line leaves things out: `ssh !brute` matching nothing is the answer, not a
    // typo to widen into every finding with an s, an s and an h.
    let negated = !spec.excluded.is_empty() || has_excluded;
    if !rows.is_empty()
        || negated
        || spec.fuzzy.chars().filter(|c| !c.is_whitespace()).count() < FUZZY_MIN
    {
        return (rows, false);
    }
    let fuzzy = Pattern::parse(&spec.fuzzy, CaseMatching::Smart, Normalization::Smart);
    (
        retain_in_index_order(base, fs.len(), |i| fields(i) && nucleo(i, &fuzzy)),
        true,
    )
}

/// Shortest filter text (non-blank characters) that may fall back to fuzzy matching.
pub const FUZZY_MIN: usize = 3;
