//! `guardpost check --fix`: which remediation plans fix which failing posture findings. Pure:
//! from the loaded data, the failures, the options and the journal (for the staged key
//! clean-up) to a list of plans and a list of what is left alone and why. Running them is
//! `runtime::fix`; the plans are the remediation catalog's, so they are previewed, journaled
//! and undone exactly as in the TUI (docs/check.md, "Fixing").

use crate::dataset::Dataset;
use crate::model::Finding;
use crate::posture::rules as r;
use crate::remediation::journal::{Entry, Status};
use crate::remediation::{Plan, catalog};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// What `--fix` may do.
#[derive(Debug, Clone, PartialEq)]
pub struct FixOptions {
    /// Deactivate access keys unused (or never used) for this many days.
    pub unused_days: i64,
    /// Delete a key guardpost deactivated at least this many days ago that has not been used
    /// since (irreversible: only with the rule in `irreversible`).
    pub delete_after_days: i64,
    /// Rule ids whose irreversible fixes (deleting keys and console passwords) are allowed.
    pub irreversible: Vec<String>,
    /// User name to owner, for `iam.user.no-owner-tag`.
    pub owners: BTreeMap<String, String>,
    /// The owner tag's key (the posture config's `owner_tag`).
    pub owner_tag: String,
    /// The admin ports whose world-open rules are revoked (the posture config's).
    pub admin_ports: Vec<i32>,
    /// The bucket a new AWS Config delivery channel writes to (`--config-bucket`).
    pub config_bucket: Option<String>,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            unused_days: 45,
            delete_after_days: 30,
            irreversible: Vec::new(),
            owners: BTreeMap::new(),
            owner_tag: "owner".into(),
            admin_ports: vec![22, 3389],
            config_bucket: None,
        }
    }
}

/// One plan and the failing findings (rule, resource) it fixes.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub rules: Vec<String>,
    pub resource: String,
    pub plan: Plan,
}

/// A failing finding `--fix` leaves alone, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub rule: String,
    pub resource: String,
    pub why: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixSet {
    pub fixes: Vec<Fix>,
    pub skipped: Vec<Skipped>,
}

impl FixSet {
    fn add(&mut self, rule: &str, resource: &str, plan: Plan) {
        // One plan can fix several rules (the password policy's); never run it twice.
        if let Some(f) = self
            .fixes
            .iter_mut()
            .find(|f| f.plan.action == plan.action && f.plan.calls == plan.calls)
        {
            if !f.rules.iter().any(|x| x == rule) {
                f.rules.push(rule.to_string());
            }
            return;
        }
        self.fixes.push(Fix {
            rules: vec![rule.to_string()],
            resource: resource.to_string(),
            plan,
        });
    }

    fn skip(&mut self, rule: &str, resource: &str, why: impl Into<String>) {
        self.skipped.push(Skipped {
            rule: rule.to_string(),
            resource: resource.to_string(),
            why: why.into(),
        });
    }
}

/// The plans that fix `failing` (posture findings of `data`'s account) as of `now`.
pub fn plan(
    data: &Dataset,
    failing: &[Finding],
    opts: &FixOptions,
    journal: &[Entry],
    now: DateTime<Utc>,
) -> FixSet {
    let mut out = FixSet::default();
    for f in failing {
        let rule = f.kind.as_str();
        let Some(res) = f.resources.first() else {
            continue;
        };
        let arn = res.arn.as_str();
        let region = res.region.clone().unwrap_or_else(|| f.region.clone());
        match rule {
            r::GD_DISABLED => out.add(rule, arn, catalog::enable_guardduty(&region)),
            r::SH_DISABLED => out.add(rule, arn, catalog::enable_securityhub(&region)),
            r::AA_MISSING => out.add(rule, arn, catalog::enable_access_analyzer(&region, false)),
            r::PW_MIN_LENGTH | r::PW_REUSE => match &data.iam {
                Some(iam) => out.add(
                    rule,
                    arn,
                    catalog::cis_password_policy(iam.password_policy.as_ref()),
                ),
                None => out.skip(rule, arn, "the IAM inventory was not read"),
            },
            r::UNUSED_CREDS | r::USER_ACCESS_KEY => {
                stale_credentials(&mut out, data, rule, arn, opts, journal, now)
            }
            r::NO_OWNER => owner(&mut out, data, rule, arn, opts),
            r::SG_ADMIN_OPEN => {
                world_ingress(&mut out, data, rule, arn, &region, &opts.admin_ports)
            }
            r::IMDSV1 => {
                let id = arn.rsplit('/').next().unwrap_or(arn);
                out.add(rule, arn, catalog::require_imdsv2_of(data, &region, id))
            }
            r::EBS_DEFAULT_ENCRYPTION => {
                out.add(rule, arn, catalog::enable_ebs_default_encryption(&region))
            }
            r::TRAIL_VALIDATION => {
                out.add(rule, arn, catalog::enable_log_file_validation(&region, arn))
            }
            // Only a trail that is right but stopped is fixed: a new trail needs a bucket with
            // CloudTrail's bucket policy, which is the owner's choice.
            r::TRAIL_MISSING => match catalog::stopped_trail(data) {
                Some(p) => out.add(rule, arn, p),
                None => out.skip(
                    rule,
                    arn,
                    "a new trail needs an S3 bucket with CloudTrail's bucket policy: create it (see the rule's remediation), --fix does not",
                ),
            },
            r::CONFIG_OFF => recorder(&mut out, data, rule, arn, &region, opts),
            r::S3_ACCOUNT_PAB => match catalog::account_block_public_access(data) {
                Some(p) => out.add(rule, arn, p),
                None => out.skip(rule, arn, "the account's Block Public Access was not read"),
            },
            _ => out.skip(rule, arn, no_fix_reason(rule)),
        }
    }
    out
}

fn no_fix_reason(rule: &str) -> &'static str {
    match rule {
        r::ROOT_NO_MFA | r::ROOT_NO_HARDWARE_MFA | r::ROOT_ACCESS_KEY => {
            "needs the root user's own sign-in: no API can fix it"
        }
        r::CONSOLE_NO_MFA | r::BG_NO_MFA => {
            "an MFA device is registered by its owner: no automatic fix"
        }
        r::TRAIL_BUCKET_PUBLIC => {
            "who reads the trail's bucket is the owner's decision: turn on its Block Public Access (see the rule's remediation)"
        }
        r::TRAIL_BUCKET_LOGGING => {
            "access logs need a target bucket of the owner's choosing: no automatic fix"
        }
        id if id.starts_with("cloudwatch.alarm.") => {
            "a metric filter, an alarm and an SNS subscriber need the owner's log group, topic and address: the finding's evidence has the pattern"
        }
        r::TRAIL_KMS | r::TRAIL_CLOUDWATCH => {
            "needs a KMS key or a log group and role of the owner's choosing: no automatic fix"
        }
        r::SG_DEFAULT_OPEN => {
            "emptying a default security group can cut off what uses it: fix it in the TUI or console after checking"
        }
        _ => "no automatic fix: see the rule's remediation (guardpost check --format markdown)",
    }
}

fn allowed_irreversible(opts: &FixOptions, rule: &str) -> bool {
    opts.irreversible.iter().any(|x| x == rule)
}

/// The seed's staged clean-up: deactivate keys unused for `unused_days`; delete them on a
/// later run once guardpost's deactivation is `delete_after_days` old and the key has not
/// been used since (irreversible: only with `--fix-irreversible RULE`). Console passwords
/// unused as long cannot be deactivated, only deleted (irreversible too).
fn stale_credentials(
    out: &mut FixSet,
    data: &Dataset,
    rule: &str,
    arn: &str,
    opts: &FixOptions,
    journal: &[Entry],
    now: DateTime<Utc>,
) {
    let Some(iam) = &data.iam else {
        return out.skip(rule, arn, "the IAM inventory was not read");
    };
    let Some(u) = iam.user_by_arn(arn) else {
        return out.skip(rule, arn, "the user is not in the IAM inventory");
    };
    let (password_used, keys_used) = crate::posture::last_used(iam, u);
    let days = |t: DateTime<Utc>| (now - t).num_days().max(0);
    for k in &u.access_keys {
        let used = keys_used
            .iter()
            .find(|(id, _)| id == &k.access_key_id)
            .and_then(|(_, t)| *t);
        let idle = days(used.unwrap_or(k.create_date));
        let id = &k.access_key_id;
        if k.is_active() {
            if idle >= opts.unused_days {
                out.add(rule, arn, catalog::deactivate_access_key(&u.user_name, id));
            } else {
                let when = match used {
                    Some(_) => format!("was used {idle} days ago"),
                    None => format!("was created {idle} days ago and never used"),
                };
                out.skip(
                    rule,
                    arn,
                    format!(
                        "key {id} {when} (under --unused-days {}): not deactivated",
                        opts.unused_days
                    ),
                );
            }
            continue;
        }
        // Inactive: deleted only once guardpost's own deactivation is old enough.
        let deactivated = journal
            .iter()
            .filter(|e| {
                e.plan.action == catalog::Action::DeactivateAccessKey
                    && e.plan.undo_of.is_none()
                    && e.status == Status::Succeeded
                    && !e.dry_run
                    && e.undone_by.is_none()
                    && e.account == data.account.id
                    && e.plan.targets.iter().any(|t| t == id)
            })
            .map(|e| e.started)
            .max();
        match deactivated {
            None => out.skip(
                rule,
                arn,
                format!(
                    "key {id} is inactive but guardpost did not deactivate it: when it was deactivated is unknown, so it is not deleted"
                ),
            ),
            Some(at) if now - at < Duration::days(opts.delete_after_days) => out.skip(
                rule,
                arn,
                format!(
                    "key {id} was deactivated {} days ago; deleted once {} days have passed (--delete-after-days)",
                    days(at),
                    opts.delete_after_days
                ),
            ),
            Some(at) if used.is_some_and(|t| t > at) => out.skip(
                rule,
                arn,
                format!("key {id} was used after guardpost deactivated it: not deleted"),
            ),
            Some(_) if !allowed_irreversible(opts, rule) => out.skip(
                rule,
                arn,
                format!(
                    "key {id} is due for deletion, which is irreversible: pass --fix-irreversible {rule}"
                ),
            ),
            Some(_) => {
                out.add(rule, arn, catalog::delete_access_key(&u.user_name, id));
            }
        }
    }
    if let Some(lp) = &u.login_profile
        && rule == r::UNUSED_CREDS
    {
        let idle = days(password_used.unwrap_or(lp.create_date));
        if idle >= opts.unused_days {
            if allowed_irreversible(opts, rule) {
                out.add(rule, arn, catalog::delete_login_profile(&u.user_name));
            } else {
                out.skip(
                    rule,
                    arn,
                    format!(
                        "the console password is unused for {idle} days; a password cannot be deactivated, only deleted (irreversible): pass --fix-irreversible {rule}"
                    ),
                );
            }
        }
    }
}

fn owner(out: &mut FixSet, data: &Dataset, rule: &str, arn: &str, opts: &FixOptions) {
    let Some(u) = data.iam.as_ref().and_then(|i| i.user_by_arn(arn)) else {
        return out.skip(rule, arn, "the user is not in the IAM inventory");
    };
    match opts.owners.get(&u.user_name) {
        Some(who) if !who.trim().is_empty() => {
            let previous = u
                .tags
                .iter()
                .find(|t| t.key == opts.owner_tag)
                .map(|t| t.value.as_str());
            out.add(
                rule,
                arn,
                catalog::tag_owner(&u.user_name, &opts.owner_tag, who.trim(), previous),
            );
        }
        _ => out.skip(
            rule,
            arn,
            format!(
                "no owner for {} in the --owners file",
                crate::sanitize::line(&u.user_name)
            ),
        ),
    }
}

/// Revoke the world-open CIDRs of the group's inbound rules that reach an admin port (the
/// rule's own test); rules from private ranges, groups and prefix lists stay.
fn world_ingress(
    out: &mut FixSet,
    data: &Dataset,
    rule: &str,
    arn: &str,
    region: &str,
    ports: &[i32],
) {
    let id = arn.rsplit('/').next().unwrap_or(arn);
    match catalog::world_ingress_of(data, region, id, ports) {
        Some(p) => out.add(rule, arn, p),
        None => out.skip(
            rule,
            arn,
            "the group or a world-open admin rule of it is not in the loaded data",
        ),
    }
}

/// AWS Config in `region`: start a complete recorder that was stopped; set one up where none
/// exists when `--config-bucket` names a bucket (global types in the first region read, unless
/// some region records them). A recorder of the owner's making that records only some types
/// is left alone: replacing its recording group would undo a choice.
fn recorder(
    out: &mut FixSet,
    data: &Dataset,
    rule: &str,
    arn: &str,
    region: &str,
    opts: &FixOptions,
) {
    let Some(c) = data.config_recorders.iter().find(|c| c.region == region) else {
        return out.skip(rule, arn, "AWS Config was not read in this region");
    };
    if let Some(p) = catalog::stopped_recorder(data, region) {
        return out.add(rule, arn, p);
    }
    let recorders = c.recorders.as_deref().unwrap_or_default();
    let has_channel = c.delivery_channels.as_ref().is_some_and(|d| !d.is_empty());
    match recorders.first() {
        Some(x) if x.all_supported && has_channel => out.skip(
            rule,
            arn,
            "no region records global resource types (IAM): set includeGlobalResourceTypes on one region's recorder",
        ),
        Some(x) => out.skip(
            rule,
            arn,
            format!(
                "recorder {} records only some resource types or has no delivery channel: change it in AWS Config (--fix does not replace an owner's recorder)",
                crate::sanitize::line(&x.name)
            ),
        ),
        None => match &opts.config_bucket {
            Some(bucket) => {
                let global_elsewhere = data
                    .config_recorders
                    .iter()
                    .flat_map(|c| c.recorders.iter().flatten())
                    .any(|x| x.include_global);
                let first = data.regions.first().is_some_and(|r| r == region);
                out.add(
                    rule,
                    arn,
                    catalog::enable_config(
                        region,
                        &data.account.id,
                        bucket,
                        first && !global_elsewhere,
                    ),
                )
            }
            None => out.skip(
                rule,
                arn,
                "no recorder: pass --config-bucket BUCKET to set one up (the bucket must let AWS Config write)",
            ),
        },
    }
}

#[cfg(test)]
mod tests;
