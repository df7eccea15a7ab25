//! S3 as the storage and logging rules read it (issue 15): the account's Block Public Access
//! (S3 Control `GetPublicAccessBlock`) and, for each bucket a CloudTrail trail delivers to,
//! whether it is public and whether it has server access logging. Each part is `None` when it
//! could not be read: a rule over it is then unknown, never a pass.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Account {
    /// The account-level Block Public Access; all four off when none is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
    /// The trails' buckets.
    #[serde(default)]
    pub trail_buckets: Vec<TrailBucket>,
}

/// The four Block Public Access settings (account or bucket level).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    #[serde(default)]
    pub block_public_acls: bool,
    #[serde(default)]
    pub ignore_public_acls: bool,
    #[serde(default)]
    pub block_public_policy: bool,
    #[serde(default)]
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn all_on(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }

    /// The settings that are off, by their API names.
    pub fn off(&self) -> Vec<&'static str> {
        [
            ("BlockPublicAcls", self.block_public_acls),
            ("IgnorePublicAcls", self.ignore_public_acls),
            ("BlockPublicPolicy", self.block_public_policy),
            ("RestrictPublicBuckets", self.restrict_public_buckets),
        ]
        .into_iter()
        .filter(|(_, on)| !on)
        .map(|(name, _)| name)
        .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailBucket {
    pub name: String,
    /// The trails that deliver to it.
    #[serde(default)]
    pub trails: Vec<String>,
    /// `GetBucketPolicyStatus` `IsPublic` (false when the bucket has no policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_public: Option<bool>,
    /// Whether the ACL grants anything to AllUsers or AuthenticatedUsers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl_public: Option<bool>,
    /// The bucket's own Block Public Access (all off when none is configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
    /// `GetBucketLogging`: the target bucket of its server access logs, `Some("")` when off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging_target: Option<String>,
}

impl TrailBucket {
    /// Whether anyone on the internet can read it, given the account's Block Public Access:
    /// a public policy counts unless RestrictPublicBuckets applies, a public ACL unless
    /// IgnorePublicAcls does. `None` when a part it needs was not read.
    pub fn public(&self, account: Option<&PublicAccessBlock>) -> Option<bool> {
        let bucket = self.public_access_block?;
        let account = account.copied()?;
        let restrict = bucket.restrict_public_buckets || account.restrict_public_buckets;
        let ignore = bucket.ignore_public_acls || account.ignore_public_acls;
        let by_policy = if restrict {
            Some(false)
        } else {
            self.policy_public
        };
        let by_acl = if ignore { Some(false) } else { self.acl_public };
        match (by_policy, by_acl) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        }
    }
}
