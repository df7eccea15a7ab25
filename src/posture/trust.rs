//! Who a role's trust policy lets in, read with the policy engine's own parser and condition
//! tests, so the IAM pane and the posture rules can never disagree about MFA or ExternalId.
use super::policy::{Effect, PrincipalKind, parse_document};
use serde_json::Value;

/// One principal an Allow statement of a trust policy names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustEntry {
    /// `*`, or `AWS: arn:...`, `Service: ec2.amazonaws.com`, `Federated: ...`.
    pub principal: String,
    /// The statement requires MFA as the posture rules judge it (`Bool
    /// aws:MultiFactorAuthPresent true` or a `NumericLessThan` on `aws:MultiFactorAuthAge`).
    pub mfa: bool,
    /// It requires an `sts:ExternalId`.
    pub external_id: bool,
    /// It has conditions (of any kind).
    pub conditional: bool,
}

impl TrustEntry {
    /// `AWS: arn:...:root  [MFA+ExternalId]`, `[conditions]` for other conditions.
    pub fn label(&self) -> String {
        let mut notes = Vec::new();
        if self.mfa {
            notes.push("MFA");
        }
        if self.external_id {
            notes.push("ExternalId");
        }
        if notes.is_empty() && self.conditional {
            notes.push("conditions");
        }
        if notes.is_empty() {
            self.principal.clone()
        } else {
            format!("{}  [{}]", self.principal, notes.join("+"))
        }
    }
}

/// The principals the Allow statements of a trust policy let in, in document order.
pub fn trust_entries(doc: &Value) -> Result<Vec<TrustEntry>, String> {
    let mut out = Vec::new();
    for s in parse_document(doc)? {
        if s.effect != Effect::Allow {
            continue;
        }
        let (mfa, external_id) = (s.requires_mfa(), s.requires_external_id());
        for p in &s.principals {
            let principal = match p.kind {
                PrincipalKind::Any => "*".to_string(),
                PrincipalKind::Aws => format!("AWS: {}", p.value),
                PrincipalKind::Federated => format!("Federated: {}", p.value),
                PrincipalKind::Service => format!("Service: {}", p.value),
                PrincipalKind::CanonicalUser => format!("CanonicalUser: {}", p.value),
            };
            out.push(TrustEntry {
                principal,
                mfa,
                external_id,
                conditional: !s.conditions.is_empty(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::trust_entries;
    use serde_json::json;

    fn labels(condition: serde_json::Value) -> Vec<String> {
        let doc = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sts:AssumeRole",
                "Condition": condition
            }]
        });
        trust_entries(&doc)
            .unwrap()
            .iter()
            .map(|e| e.label())
            .collect()
    }

    const ROOT: &str = "AWS: arn:aws:iam::111122223333:root";

    #[test]
    fn bool_true_is_mfa() {
        assert_eq!(
            labels(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            [format!("{ROOT}  [MFA]")]
        );
    }

    #[test]
    fn bool_false_is_not_mfa() {
        assert_eq!(
            labels(json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
            [format!("{ROOT}  [conditions]")]
        );
    }

    #[test]
    fn bool_if_exists_is_not_mfa() {
        // Long-term keys send no MFA key at all, so the IfExists test passes without MFA.
        assert_eq!(
            labels(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
            [format!("{ROOT}  [conditions]")]
        );
    }

    #[test]
    fn multi_factor_auth_age_below_a_limit_is_mfa() {
        assert_eq!(
            labels(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})),
            [format!("{ROOT}  [MFA]")]
        );
        // A lower bound does not require MFA.
        assert_eq!(
            labels(json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}})),
            [format!("{ROOT}  [conditions]")]
        );
    }

    #[test]
    fn null_on_the_mfa_key_is_not_mfa() {
        assert_eq!(
            labels(json!({"Null": {"aws:MultiFactorAuthAge": "false"}})),
            [format!("{ROOT}  [conditions]")]
        );
    }

    #[test]
    fn external_id_and_plain_principals() {
        assert_eq!(
            labels(json!({"StringEquals": {"sts:ExternalId": "x-1"}})),
            [format!("{ROOT}  [ExternalId]")]
        );
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}
        ]});
        let got: Vec<String> = trust_entries(&doc)
            .unwrap()
            .iter()
            .map(|e| e.label())
            .collect();
        assert_eq!(
            got,
            [
                "*",
                "Service: ec2.amazonaws.com",
                "Service: lambda.amazonaws.com"
            ]
        );
    }
}
