//! Which catalog actions weaken security (they give access back or turn protection off): the
//! app never offers them as the default and asks for the typed confirmation.

/// Protective actions: their undo gives back what they took away.
const PROTECTIVE: &[&str] = &[
    "iam.deactivate-access-key",
    "iam.quarantine",
    "iam.deny-all",
    "iam.revoke-sessions",
    "iam.detach-user-policy",
    "iam.remove-user-from-group",
    "iam.password-policy-cis",
    "iam.contain-principal",
    "guardduty.archive",
    "access-analyzer.archive",
    "guardduty.enable",
    "securityhub.enable",
    "access-analyzer.enable",
    "access-analyzer.enable-unused-access",
];

/// Actions that weaken security by themselves.
const WEAKENING: &[&str] = &[
    "iam.activate-access-key",
    "guardduty.unarchive",
    "access-analyzer.unarchive",
];

/// True for a plan action id (`iam.activate-access-key`, `undo:iam.quarantine`, ...) that
/// reactivates, unarchives, detaches a quarantine, restores access or undoes a containment.
pub fn weakens_security(action: &str) -> bool {
    match action.strip_prefix("undo:") {
        Some(original) => PROTECTIVE.contains(&original),
        None => WEAKENING.contains(&action),
    }
}

#[cfg(test)]
mod tests {
    use super::weakens_security;

    #[test]
    fn reactivating_unarchiving_and_undoing_a_containment_weaken_security() {
        for id in [
            "iam.activate-access-key",
            "guardduty.unarchive",
            "access-analyzer.unarchive",
            "undo:iam.contain-principal",
            "undo:iam.quarantine",
            "undo:iam.deactivate-access-key",
        ] {
            assert!(weakens_security(id), "{id}");
        }
        for id in [
            "iam.deactivate-access-key",
            "iam.contain-principal",
            "undo:iam.activate-access-key",
            "undo:guardduty.unarchive",
            "iam.save-configuration",
        ] {
            assert!(!weakens_security(id), "{id}");
        }
    }

    #[test]
    fn every_listed_id_is_a_catalog_action() {
        for id in super::PROTECTIVE.iter().chain(super::WEAKENING) {
            assert!(super::super::catalog::ACTION_IDS.contains(id), "{id}");
        }
    }
}
