//! S3's account-level Block Public Access (issue 15): all four settings on. The undo puts back
//! the settings read before, which the precondition checks are still the live ones.

use super::Action;
use crate::dataset::Dataset;
use crate::model::storage::PublicAccessBlock;
use crate::remediation::{ApiCall, Plan, Precondition, UndoPlan};
use serde_json::{Value, json};

/// S3 Control's `PublicAccessBlockConfiguration` members.
pub const PAB_FIELDS: [&str; 4] = [
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];

fn config(p: &PublicAccessBlock) -> Value {
    json!({
        "BlockPublicAcls": p.block_public_acls,
        "IgnorePublicAcls": p.ignore_public_acls,
        "BlockPublicPolicy": p.block_public_policy,
        "RestrictPublicBuckets": p.restrict_public_buckets,
    })
}

/// `BlockPublicAcls on, IgnorePublicAcls off, ...`.
pub fn pab_text(config: &Value) -> String {
    PAB_FIELDS
        .iter()
        .map(|k| {
            let on = config[k].as_bool().unwrap_or(false);
            format!("{k} {}", if on { "on" } else { "off" })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fix for the dataset's account, when its Block Public Access was read and is not all on.
pub fn account_block_public_access(data: &Dataset) -> Option<Plan> {
    let current = data.s3.as_ref()?.public_access_block?;
    let region = data.regions.first().map_or("us-east-1", String::as_str);
    (!current.all_on()).then(|| block_public_access(&data.account.id, region, &current))
}

/// S3 Control is account-wide; `region` is only where it is asked (the first region read).
pub fn block_public_access(account: &str, region: &str, current: &PublicAccessBlock) -> Plan {
    let put = |c: Value| {
        ApiCall::regional(
            "s3control",
            "PutPublicAccessBlock",
            region,
            json!({"AccountId": account, "PublicAccessBlockConfiguration": c}),
        )
    };
    let all_on = config(&PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    });
    Plan {
        action: Action::BlockPublicAccess,
        title: format!("Turn on every S3 Block Public Access setting of account {account}"),
        targets: vec![format!("s3:{account}")],
        confirm_text: account.into(),
        calls: vec![put(all_on)],
        preconditions: vec![Precondition::AccountPublicAccessBlock {
            region: region.into(),
            account: account.into(),
            config: config(current),
        }],
        capture: None,
        undo: UndoPlan::Calls {
            calls: vec![put(config(current))],
        },
        destructive: true,
        notes: vec![
            "Every bucket and access point in the account stops being public at once: public bucket policies and ACLs stop applying, and new ones are refused. A website or download bucket meant to be public stops serving anonymous readers; serve it through CloudFront with origin access control instead.".into(),
            format!("The undo puts back what was read: {}.", pab_text(&config(current))),
        ],
        undo_of: None,
    }
}
