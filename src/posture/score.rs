//! The posture score: one formula for the overview and `guardpost check`'s reports.
use crate::model::Severity;

/// Severity weights for the posture score: one critical rule failing costs as much as ten low ones.
pub fn weight(s: Severity) -> usize {
    match s {
        Severity::Critical => 10,
        Severity::High => 5,
        Severity::Medium => 3,
        Severity::Low => 1,
        Severity::Informational => 0,
    }
}

/// 0-100: the severity-weighted share of `rules` (severity, failing) that pass; 100 when no
/// rule carries weight.
pub fn score(rules: impl IntoIterator<Item = (Severity, bool)>) -> u8 {
    let (mut total, mut bad) = (0usize, 0usize);
    for (severity, failing) in rules {
        total += weight(severity);
        if failing {
            bad += weight(severity);
        }
    }
    (100 * (total - bad.min(total)))
        .checked_div(total)
        .map_or(100, |v| v as u8)
}

#[cfg(test)]
mod tests {
    use super::score;
    use crate::model::Severity::*;

    #[test]
    fn a_failing_critical_rule_costs_ten_low_ones() {
        assert_eq!(score([(Critical, true), (Low, false)]), 9);
        assert_eq!(score([(Critical, false), (Low, true)]), 90);
        assert_eq!(score([]), 100);
        assert_eq!(score([(Informational, true)]), 100);
    }
}
