//! The rule catalog: what each posture rule checks, how bad it is and which benchmark controls
//! it maps to. `guardpost check`, the help screen and the docs list rules from here.

use crate::model::{Control, Severity, framework};

/// A control reference that can live in a `static`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlRef {
    pub framework: &'static str,
    pub id: &'static str,
}

const fn cis(id: &'static str) -> ControlRef {
    ControlRef {
        framework: framework::CIS_3_0,
        id,
    }
}

const fn fsbp(id: &'static str) -> ControlRef {
    ControlRef {
        framework: framework::FSBP,
        id,
    }
}

/// Where a rule's findings hang.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The account (`arn:aws:iam::ACCT:root`, region `global`).
    Account,
    /// One IAM user, role, group, policy or server certificate (region `global`).
    Principal,
    /// The account in one region (`arn:aws:<service>:REGION:ACCT:`).
    Region,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable id; also the finding's `kind`.
    pub id: &'static str,
    pub title: &'static str,
    /// Default severity; a few rules raise it per finding (documented in the rationale).
    pub severity: Severity,
    pub scope: Scope,
    /// The primary Security Hub control id first (it becomes the finding's `control_id`).
    /// CIS controls by v3.0.0 id; [`RuleInfo::controls`] adds their v5.0.0 and v6.0.0 ids.
    pub controls: &'static [ControlRef],
    pub rationale: &'static str,
    pub remediation: &'static str,
}

impl RuleInfo {
    /// Every control the rule's findings carry: the catalog's, then the CIS v3.0.0 ones again
    /// under v5.0.0 and v6.0.0 numbering (data/benchmarks.toml).
    pub fn controls(&self) -> Vec<Control> {
        let mut out: Vec<Control> = self
            .controls
            .iter()
            .map(|c| Control::new(c.framework, c.id))
            .collect();
        for fw in [framework::CIS_5_0, framework::CIS_6_0] {
            for c in self
                .controls
                .iter()
                .filter(|c| c.framework == framework::CIS_3_0)
            {
                if let Some(id) = super::benchmarks::cis_v3(c.id).and_then(|m| m.id_in(fw)) {
                    out.push(Control::new(fw, id));
                }
            }
        }
        out
    }

    /// Whether a finding of this rule carries a control of framework `fw`.
    pub fn in_framework(&self, fw: &str) -> bool {
        self.controls().iter().any(|c| c.framework == fw)
    }

    /// The source whose data the rule reads (a coverage source name): `service.<name>.*`
    /// rules read that service's state in every region, the rest the IAM inventory.
    pub fn source(&self) -> &'static str {
        source_of(self.id)
    }

    /// Every source the rule's verdict reads: its own, and for the CIS section 4 alarm rules
    /// also CloudTrail (the chain starts at the trail's log group).
    pub fn reads(&self) -> &'static [&'static str] {
        match self.source() {
            "cloudwatch" => &["cloudwatch", "cloudtrail"],
            // The trails name the buckets the trail-bucket rules read.
            "s3" => &["s3", "cloudtrail"],
            "securityhub" => &["securityhub"],
            "guardduty" => &["guardduty"],
            "access-analyzer" => &["access-analyzer"],
            "ec2" => &["ec2"],
            "cloudtrail" => &["cloudtrail"],
            "config" => &["config"],
            "account" => &["account"],
            _ => &["iam"],
        }
    }

    /// The first FSBP / Security Hub control id, else the rule id: the grouping key that puts a
    /// posture finding next to Security Hub's control finding on the same resource.
    pub fn control_id(&self) -> &'static str {
        self.controls
            .iter()
            .find(|c| c.framework == framework::FSBP)
            .map(|c| c.id)
            .unwrap_or(self.id)
    }
}

pub const ROOT_ACCESS_KEY: &str = "iam.root.access-key";
pub const ROOT_NO_MFA: &str = "iam.root.no-mfa";
pub const ROOT_NO_HARDWARE_MFA: &str = "iam.root.no-hardware-mfa";
pub const ROOT_RECENT_USE: &str = "iam.root.recent-use";
pub const PW_MIN_LENGTH: &str = "iam.password-policy.min-length";
pub const PW_REUSE: &str = "iam.password-policy.reuse-prevention";
pub const CONSOLE_NO_MFA: &str = "iam.user.console-without-mfa";
pub const INITIAL_KEY: &str = "iam.user.initial-access-key";
pub const UNUSED_CREDS: &str = "iam.user.unused-credentials";
pub const MULTI_KEYS: &str = "iam.user.multiple-active-keys";
pub const KEY_ROTATION: &str = "iam.user.access-key-not-rotated";
pub const USER_POLICIES: &str = "iam.user.direct-policies";
pub const NO_OWNER: &str = "iam.user.no-owner-tag";
pub const ADMIN_POLICY: &str = "iam.policy.admin-star";
pub const UNPARSEABLE: &str = "iam.policy.unparseable";
pub const NO_SUPPORT_ROLE: &str = "iam.account.no-support-role";
pub const EXPIRED_CERT: &str = "iam.server-certificate.expired";
pub const CLOUDSHELL: &str = "iam.principal.cloudshell-full-access";
pub const ADMIN: &str = "iam.principal.admin";
pub const PRIVESC: &str = "iam.principal.privilege-escalation";
pub const TRUST_ANY: &str = "iam.role.trust-any-principal";
pub const TRUST_EXTERNAL: &str = "iam.role.external-trust-unrestricted";
pub const BG_KEY: &str = "iam.break-glass.access-key";
pub const BG_NO_MFA: &str = "iam.break-glass.no-mfa";
pub const BG_EXCESS: &str = "iam.break-glass.excess-permissions";
pub const AA_MISSING: &str = "service.access-analyzer.no-external-analyzer";
pub const GD_DISABLED: &str = "service.guardduty.disabled";
pub const SH_DISABLED: &str = "service.securityhub.disabled";
pub const USER_ACCESS_KEY: &str = "iam.user.access-key";
pub const SG_ADMIN_OPEN: &str = "ec2.security-group.admin-port-open";
pub const SG_DEFAULT_OPEN: &str = "ec2.security-group.default-allows-traffic";
pub const NACL_ADMIN_OPEN: &str = "ec2.network-acl.admin-port-open";
pub const VPC_NO_FLOW_LOGS: &str = "ec2.vpc.no-flow-logs";
pub const IMDSV1: &str = "ec2.instance.imdsv1-allowed";
pub const EBS_DEFAULT_ENCRYPTION: &str = "ec2.ebs.default-encryption-off";
pub const TRAIL_MISSING: &str = "cloudtrail.no-multi-region-trail";
pub const TRAIL_VALIDATION: &str = "cloudtrail.log-file-validation-off";
pub const TRAIL_KMS: &str = "cloudtrail.not-kms-encrypted";
pub const TRAIL_CLOUDWATCH: &str = "cloudtrail.no-cloudwatch-logs";
pub const CONFIG_OFF: &str = "config.recorder-off";
pub const NO_SECURITY_CONTACT: &str = "account.no-security-contact";
/// CIS section 4: a metric filter, alarm and subscribed SNS topic per activity (posture/monitoring.rs).
pub const CW_UNAUTHORIZED: &str = "cloudwatch.alarm.unauthorized-api-calls";
pub const CW_CONSOLE_NO_MFA: &str = "cloudwatch.alarm.console-signin-without-mfa";
pub const CW_ROOT_USAGE: &str = "cloudwatch.alarm.root-usage";
pub const CW_IAM_POLICY: &str = "cloudwatch.alarm.iam-policy-changes";
pub const CW_CLOUDTRAIL: &str = "cloudwatch.alarm.cloudtrail-changes";
pub const CW_CONSOLE_FAILURES: &str = "cloudwatch.alarm.console-auth-failures";
pub const CW_CMK: &str = "cloudwatch.alarm.kms-key-deletion";
pub const CW_S3_POLICY: &str = "cloudwatch.alarm.s3-bucket-policy-changes";
pub const CW_CONFIG: &str = "cloudwatch.alarm.config-changes";
pub const CW_SECURITY_GROUP: &str = "cloudwatch.alarm.security-group-changes";
pub const CW_NACL: &str = "cloudwatch.alarm.nacl-changes";
pub const CW_GATEWAY: &str = "cloudwatch.alarm.network-gateway-changes";
pub const CW_ROUTE_TABLE: &str = "cloudwatch.alarm.route-table-changes";
pub const CW_VPC: &str = "cloudwatch.alarm.vpc-changes";
pub const CW_ORGANIZATIONS: &str = "cloudwatch.alarm.organizations-changes";
pub const S3_ACCOUNT_PAB: &str = "s3.account.public-access-block-off";
pub const TRAIL_BUCKET_PUBLIC: &str = "s3.trail-bucket.public";
pub const TRAIL_BUCKET_LOGGING: &str = "s3.trail-bucket.no-access-logging";
pub const INACTIVE_USER: &str = "iam.user.inactive";
pub const UNUSED_ROLE: &str = "iam.role.unused";
/// Opt-in: only an organization read (`check --org`) knows which accounts are members.
pub const ORG_TRUST_OUTSIDE: &str = "iam.role.trusts-outside-organization";
/// Opt-in, organization only: evaluated across accounts once every account is read.
pub const CROSS_ACCOUNT_ADMIN: &str = "iam.principal.cross-account-admin";
pub const SERVICE_WILDCARD: &str = "iam.policy.service-wildcard";

/// Rules that are not part of the default set: evaluated only when asked for (a `guardpost
/// check` rule profile or `--rule`), so the TUI, the overview score and the default check
/// never show them. They encode a stricter policy than the benchmarks, e.g. a sandbox's.
pub const OPT_IN_RULES: &[&str] = &[USER_ACCESS_KEY, ORG_TRUST_OUTSIDE, CROSS_ACCOUNT_ADMIN];

/// Rules that need the organization (`--org`): a check of an organization adds them.
pub const ORG_RULES: &[&str] = &[ORG_TRUST_OUTSIDE, CROSS_ACCOUNT_ADMIN];

/// Whether `id` is evaluated by default (in the catalog and not opt-in).
pub fn is_default(id: &str) -> bool {
    rule(id).is_some() && !OPT_IN_RULES.contains(&id)
}

use Scope::*;
use Severity::*;

static RULES: &[RuleInfo] = &[
    RuleInfo {
        id: ROOT_ACCESS_KEY,
        title: "Root user has an access key",
        severity: Critical,
        scope: Account,
        controls: &[fsbp("IAM.4"), cis("1.4")],
        rationale: "Root access keys carry unrestricted, unscoped power over the account and cannot be limited by any policy.",
        remediation: "Sign in as root, open Security credentials and delete the root access keys; use IAM roles instead.",
    },
    RuleInfo {
        id: ROOT_NO_MFA,
        title: "Root user has no MFA",
        severity: Critical,
        scope: Account,
        controls: &[fsbp("IAM.9"), fsbp("IAM.6"), cis("1.5"), cis("1.6")],
        rationale: "Without MFA the root password alone controls the account. (No MFA also fails the hardware-MFA controls, so this finding carries them instead of a second one.)",
        remediation: "Sign in as root and assign an MFA device, preferably a hardware key (FIDO2 or TOTP token).",
    },
    RuleInfo {
        id: ROOT_NO_HARDWARE_MFA,
        title: "Root user's MFA is a virtual device",
        severity: High,
        scope: Account,
        controls: &[fsbp("IAM.6"), cis("1.6")],
        rationale: "A virtual MFA lives on a phone or laptop that can be lost, cloned or compromised; root deserves a dedicated hardware device.",
        remediation: "Register a hardware MFA device (FIDO2 security key or hardware TOTP token) for root, then remove the virtual device.",
    },
    RuleInfo {
        id: ROOT_RECENT_USE,
        title: "Root user was used recently",
        severity: Medium,
        scope: Account,
        controls: &[fsbp("IAM.20"), cis("1.7")],
        rationale: "Root should be reserved for the few tasks only it can do; recent use (password or access key, within the configured window, 90 days by default) suggests daily use or a compromise.",
        remediation: "Find out who used root and why (CloudTrail userIdentity.type = Root); move that work to IAM roles and lock the root credentials away.",
    },
    RuleInfo {
        id: PW_MIN_LENGTH,
        title: "Password policy allows passwords shorter than 14 characters",
        severity: Medium,
        scope: Account,
        controls: &[fsbp("IAM.15"), fsbp("IAM.7"), cis("1.8")],
        rationale: "Short passwords fall to guessing and cracking; with no password policy at all IAM accepts 8 characters.",
        remediation: "aws iam update-account-password-policy --minimum-password-length 14 (keep the other settings).",
    },
    RuleInfo {
        id: PW_REUSE,
        title: "Password policy does not prevent reuse of the last 24 passwords",
        severity: Low,
        scope: Account,
        controls: &[fsbp("IAM.16"), fsbp("IAM.7"), cis("1.9")],
        rationale: "Reused passwords undo rotation and let a leaked old password work again.",
        remediation: "aws iam update-account-password-policy --password-reuse-prevention 24 (keep the other settings).",
    },
    RuleInfo {
        id: CONSOLE_NO_MFA,
        title: "Console user without MFA",
        severity: Medium,
        scope: Principal,
        controls: &[fsbp("IAM.5"), fsbp("IAM.19"), cis("1.10")],
        rationale: "A console password without MFA is one phishing page away from account access.",
        remediation: "Have the user enable MFA (or enforce it with a Deny unless aws:MultiFactorAuthPresent policy); remove the console password if it is not needed.",
    },
    RuleInfo {
        id: INITIAL_KEY,
        title: "Console user has an access key that was never used",
        severity: Low,
        scope: Principal,
        controls: &[cis("1.11")],
        rationale: "Keys created at user setup 'just in case' are long-lived secrets nobody needs; they only add exposure.",
        remediation: "Delete the unused access key; create keys only when a workload needs them, and prefer roles.",
    },
    RuleInfo {
        id: UNUSED_CREDS,
        title: "User credentials unused for 45 days or more",
        severity: Medium,
        scope: Principal,
        controls: &[fsbp("IAM.22"), fsbp("IAM.8"), cis("1.12")],
        rationale: "Unused passwords and keys are forgotten secrets; disabling them shrinks what a leak can reach. Never-used credentials count from their creation date.",
        remediation: "Deactivate the unused access keys and delete the unused console password (login profile).",
    },
    RuleInfo {
        id: MULTI_KEYS,
        title: "User has more than one active access key",
        severity: Medium,
        scope: Principal,
        controls: &[cis("1.13")],
        rationale: "Two active keys are only needed during a rotation; otherwise one of them is an untracked extra secret.",
        remediation: "Find which key is in use (last used date), deactivate the other, then delete it.",
    },
    RuleInfo {
        id: KEY_ROTATION,
        title: "Access key not rotated in 90 days",
        severity: Medium,
        scope: Principal,
        controls: &[fsbp("IAM.3"), cis("1.14")],
        rationale: "Old keys have had more time to leak (repositories, laptops, logs); rotation bounds the exposure.",
        remediation: "Create a new key, move the workload to it, deactivate and then delete the old key; better, move the workload to a role.",
    },
    RuleInfo {
        id: INACTIVE_USER,
        title: "User inactive for 90 days or more",
        severity: Medium,
        scope: Principal,
        controls: &[],
        rationale: "No credential of the user (console password, any access key) was used within the configured window (`inactive_user_days`, 90 by default); a user that never used one counts from its creation. Unlike iam.user.unused-credentials, which flags each stale credential, this flags the whole identity: nobody needs it, so it should go. Break-glass users are exempt (they are meant to sit unused), and so are users without any credential.",
        remediation: "Confirm with the owner that the user is not needed, then delete its access keys and login profile and the user itself (or disable the credentials first and delete later).",
    },
    RuleInfo {
        id: USER_POLICIES,
        title: "User has policies attached directly",
        severity: Low,
        scope: Principal,
        controls: &[fsbp("IAM.2"), cis("1.15")],
        rationale: "Permissions granted per user drift and are hard to review; groups and roles keep them in a few places.",
        remediation: "Move the user's managed and inline policies to a group (or role) and add the user to it; then detach/delete the user's own policies.",
    },
    RuleInfo {
        id: NO_OWNER,
        title: "User has no owner tag",
        severity: Low,
        scope: Principal,
        controls: &[],
        rationale: "Without an owner nobody answers for the user's credentials during an incident or a clean-up (stricter than FSBP IAM.25, which accepts any tag).",
        remediation: "Tag the user with the configured owner tag (default `owner`) naming a person or team.",
    },
    RuleInfo {
        id: ADMIN_POLICY,
        title: "Attached customer-managed policy allows \"*\" on \"*\"",
        severity: High,
        scope: Principal,
        controls: &[fsbp("IAM.1"), cis("1.16")],
        rationale: "A home-made full-admin policy hands out every permission and is easy to attach widely.",
        remediation: "Replace the policy with least-privilege statements (or AWS job-function policies) and detach it from the principals that do not need admin.",
    },
    RuleInfo {
        id: SERVICE_WILDCARD,
        title: "Policy allows every action of a service (`service:*`)",
        severity: Low,
        scope: Principal,
        controls: &[fsbp("IAM.21")],
        rationale: "An Allow of `service:*` (e.g. `kms:*`, `cloudtrail:*`, `iam:*`) hands out the service's destructive and permission-changing actions along with the ones needed (stopping CloudTrail, scheduling key deletion). Checked in customer-managed policies (attached or not) and in inline policies; `*` on its own is iam.policy.admin-star / iam.principal.admin instead.",
        remediation: "Replace `service:*` with the actions the workload really calls (IAM Access Analyzer policy generation or last-accessed data lists them).",
    },
    RuleInfo {
        id: UNPARSEABLE,
        title: "Policy document could not be parsed",
        severity: Low,
        scope: Principal,
        controls: &[],
        rationale: "guardpost could not read this policy, so no rule evaluated it; its permissions are unknown.",
        remediation: "Look at the document in the IAM console; re-save it as valid JSON if it is really malformed.",
    },
    RuleInfo {
        id: NO_SUPPORT_ROLE,
        title: "No role has AWSSupportAccess",
        severity: Low,
        scope: Account,
        controls: &[fsbp("IAM.18"), cis("1.17")],
        rationale: "During an incident someone must be able to open AWS Support cases without root or admin.",
        remediation: "Create a role (trusted by your incident responders) with the AWSSupportAccess managed policy attached.",
    },
    RuleInfo {
        id: EXPIRED_CERT,
        title: "Expired server certificate stored in IAM",
        severity: Medium,
        scope: Principal,
        controls: &[fsbp("IAM.26"), cis("1.19")],
        rationale: "An expired certificate can be deployed to a load balancer by mistake and breaks clients.",
        remediation: "aws iam delete-server-certificate --server-certificate-name NAME (after checking nothing uses it); use ACM for certificates.",
    },
    RuleInfo {
        id: CLOUDSHELL,
        title: "Identity has AWSCloudShellFullAccess",
        severity: Medium,
        scope: Principal,
        controls: &[fsbp("IAM.27"), cis("1.22")],
        rationale: "CloudShell full access allows uploading and downloading files and running a shell with the identity's credentials: an easy exfiltration channel.",
        remediation: "Detach AWSCloudShellFullAccess; grant a narrower CloudShell policy only where needed.",
    },
    RuleInfo {
        id: ADMIN,
        title: "Principal has full administrator rights",
        severity: Low,
        scope: Principal,
        controls: &[],
        rationale: "Lists who holds \"*\" on \"*\" (from managed, inline and group policies). Admins are not also reported as privilege-escalation paths.",
        remediation: "Keep admins few, prefer roles with MFA over users, and review this list regularly.",
    },
    RuleInfo {
        id: PRIVESC,
        title: "Principal can escalate its privileges",
        severity: High,
        scope: Principal,
        controls: &[],
        rationale: "The principal's effective permissions (managed, inline and group policies, after unconditional Deny statements) include a known escalation method, so it can reach more than it was given.",
        remediation: "Remove the listed actions, scope them to specific resources (and iam:PassRole to specific roles), or add a Deny.",
    },
    RuleInfo {
        id: TRUST_ANY,
        title: "Role can be assumed by any AWS principal",
        severity: Critical,
        scope: Principal,
        controls: &[],
        rationale: "A trust policy with Principal \"*\" lets anyone in any AWS account assume the role unless a condition pins the caller's account, organization or ARN. Severity is High when conditions exist but do not restrict the caller (e.g. only sts:ExternalId or MFA).",
        remediation: "Name the trusted accounts or roles in Principal, or add aws:PrincipalOrgID / aws:PrincipalAccount conditions.",
    },
    RuleInfo {
        id: TRUST_EXTERNAL,
        title: "Role trusts an external principal without a restricting condition",
        severity: Medium,
        scope: Principal,
        controls: &[],
        rationale: "Another account (without MFA required by Bool aws:MultiFactorAuthPresent or aws:MultiFactorAuthAge, or an sts:ExternalId for a third party) or a federated provider (without a :sub / SAML:aud condition) can assume the role. High when the role is an administrator.",
        remediation: "Add Bool aws:MultiFactorAuthPresent \"true\" for people, sts:ExternalId for vendors, or a <provider>:sub condition for OIDC; remove trusts you do not recognise.",
    },
    RuleInfo {
        id: ORG_TRUST_OUTSIDE,
        title: "Role trusts an account outside the organization",
        severity: Medium,
        scope: Principal,
        controls: &[],
        rationale: "Read with --org only. A role that principals of an account outside the AWS Organization can assume is a door the organization's SCPs, GuardDuty and CloudTrail do not see the other side of. Low when every such trust requires an sts:ExternalId (a vendor), High when the role is an administrator.",
        remediation: "Remove the outside account from the trust policy, or pin a vendor with sts:ExternalId and narrow the role's permissions to what the vendor needs.",
    },
    RuleInfo {
        id: CROSS_ACCOUNT_ADMIN,
        title: "Principal can become administrator in another account of the organization",
        severity: High,
        scope: Principal,
        controls: &[],
        rationale: "Read with --org only, across accounts: the principal's own policies allow sts:AssumeRole on an administrator role of another member account whose trust policy lets the principal (or its whole account) in. This is the bastion pattern; it is listed (Informational) when every such way requires MFA, and High when one does not.",
        remediation: "Require Bool aws:MultiFactorAuthPresent \"true\" in the administrator role's trust policy, trust named roles rather than the whole account, and narrow sts:AssumeRole in the principal's policies to the roles it needs.",
    },
    RuleInfo {
        id: UNUSED_ROLE,
        title: "Role unused for 90 days or more",
        severity: Low,
        scope: Principal,
        controls: &[],
        rationale: "The role was last used longer ago than the configured window (`unused_role_days`, 90 by default), or never used and created before it (IAM tracks role use for the trailing 400 days). Unused roles keep their trust and permissions ready for whoever can assume them. Service-linked roles (path /aws-service-role/) and break-glass / incident-response roles (config `break_glass_names`, `break_glass_tag`) are exempt; a role whose last use is not known (no RoleLastUsed in the data) is not judged.",
        remediation: "Check who owns the role and whether anything still assumes it (CloudTrail AssumeRole events); if not, detach its policies and delete it: aws iam delete-role --role-name ROLE.",
    },
    RuleInfo {
        id: BG_KEY,
        title: "Break-glass user has an access key",
        severity: High,
        scope: Principal,
        controls: &[],
        rationale: "Break-glass users exist for console sign-in during an emergency; an access key is a standing secret with emergency power.",
        remediation: "Delete the break-glass user's access keys.",
    },
    RuleInfo {
        id: BG_NO_MFA,
        title: "Break-glass user has no MFA",
        severity: High,
        scope: Principal,
        controls: &[],
        rationale: "The emergency identity must be protected by MFA (ideally hardware, kept in a safe).",
        remediation: "Register a hardware MFA device for the break-glass user.",
    },
    RuleInfo {
        id: BG_EXCESS,
        title: "Break-glass user has permissions beyond sts:AssumeRole",
        severity: Medium,
        scope: Principal,
        controls: &[],
        rationale: "A break-glass user should only be able to assume the emergency role (which logs and alerts); direct permissions bypass that.",
        remediation: "Remove every policy from the break-glass user except one allowing sts:AssumeRole on the emergency role.",
    },
    RuleInfo {
        id: AA_MISSING,
        title: "No IAM Access Analyzer external-access analyzer in region",
        severity: Medium,
        scope: Region,
        controls: &[fsbp("IAM.28"), cis("1.20")],
        rationale: "Without an account or organization (external-access) analyzer nobody is told when a resource policy opens data to outsiders; an unused-access analyzer does not count.",
        remediation: "aws accessanalyzer create-analyzer --analyzer-name external --type ACCOUNT --region REGION (or enable it org-wide).",
    },
    RuleInfo {
        id: GD_DISABLED,
        title: "GuardDuty not enabled in region",
        severity: High,
        scope: Region,
        controls: &[fsbp("GuardDuty.1")],
        rationale: "Without GuardDuty, credential misuse, crypto-mining and reconnaissance in this region go unnoticed (attackers favour unused regions).",
        remediation: "aws guardduty create-detector --enable --region REGION (or enable it org-wide from the delegated administrator).",
    },
    RuleInfo {
        id: SH_DISABLED,
        title: "Security Hub not enabled in region",
        severity: High,
        scope: Region,
        controls: &[cis("4.16")],
        rationale: "Without Security Hub the region's control checks and aggregated findings are missing from this console.",
        remediation: "aws securityhub enable-security-hub --region REGION (or enable it org-wide with central configuration).",
    },
    RuleInfo {
        id: SG_ADMIN_OPEN,
        title: "Security group open to the internet on an admin port",
        severity: High,
        scope: Region,
        controls: &[fsbp("EC2.53"), fsbp("EC2.54"), cis("5.2"), cis("5.3")],
        rationale: "SSH and RDP open to 0.0.0.0/0 or ::/0 are scanned within minutes of going up; one weak password or unpatched daemon is a foothold. Ports are `[posture] admin_ports` (default 22, 3389); a rule for all protocols counts.",
        remediation: "Replace the world-open rule with one for your own address range or use SSM Session Manager: aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions ... (the exact rule is in the evidence).",
    },
    RuleInfo {
        id: SG_DEFAULT_OPEN,
        title: "Default security group allows traffic",
        severity: High,
        scope: Region,
        controls: &[fsbp("EC2.2"), cis("5.4")],
        rationale: "Anything launched without a group lands in the VPC's default group; with rules in it, those resources talk to each other (or further) without anyone having chosen so.",
        remediation: "Remove every inbound and outbound rule of the default group (aws ec2 revoke-security-group-ingress / -egress) and give resources groups of their own.",
    },
    RuleInfo {
        id: NACL_ADMIN_OPEN,
        title: "Network ACL allows admin ports from the internet",
        severity: Medium,
        scope: Region,
        controls: &[fsbp("EC2.21"), cis("5.1")],
        rationale: "A network ACL that lets 0.0.0.0/0 or ::/0 reach SSH or RDP leaves only the security groups between the internet and the subnet's instances. Entries are read in rule-number order: an earlier world-wide deny for the port closes it.",
        remediation: "Add a deny entry for the port from 0.0.0.0/0 (and ::/0) numbered before the allow, or narrow the allow: aws ec2 replace-network-acl-entry ...",
    },
    RuleInfo {
        id: VPC_NO_FLOW_LOGS,
        title: "VPC without flow logs",
        severity: Medium,
        scope: Region,
        controls: &[fsbp("EC2.6"), cis("3.7")],
        rationale: "Without flow logs there is no record of who talked to what: an incident in the VPC (exfiltration, a crypto-miner's pool traffic, scanning) cannot be reconstructed.",
        remediation: "aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC --traffic-type REJECT (or ALL) --log-destination-type cloud-watch-logs|s3 ...",
    },
    RuleInfo {
        id: IMDSV1,
        title: "EC2 instance allows IMDSv1",
        severity: High,
        scope: Region,
        controls: &[fsbp("EC2.8"), cis("5.6")],
        rationale: "With IMDSv1 a server-side request forgery in anything on the instance reads the instance role's credentials from 169.254.169.254 — the root cause of the instance-credential exfiltration playbook.",
        remediation: "aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required --http-endpoint enabled (check the software on it uses an IMDSv2-aware SDK first).",
    },
    RuleInfo {
        id: EBS_DEFAULT_ENCRYPTION,
        title: "EBS encryption by default is off in region",
        severity: Medium,
        scope: Region,
        controls: &[fsbp("EC2.7"), cis("2.2.1")],
        rationale: "Volumes and snapshots created without it are unencrypted unless each creator remembers; a shared or leaked snapshot is then readable by anyone who gets it.",
        remediation: "aws ec2 enable-ebs-encryption-by-default --region REGION (new volumes only; existing ones need a re-encrypting copy).",
    },
    RuleInfo {
        id: TRAIL_MISSING,
        title: "No multi-region CloudTrail trail records every management event",
        severity: High,
        scope: Account,
        controls: &[fsbp("CloudTrail.1"), cis("3.1")],
        rationale: "Without a trail that is logging in every region with read and write management events, API activity older than the 90-day event history is gone, a region nobody watches records nothing durable, and an incident cannot be reconstructed (the compromised-key playbook starts from CloudTrail).",
        remediation: "aws cloudtrail create-trail --name management --s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation --kms-key-id KEY && aws cloudtrail start-logging --name management (the bucket needs CloudTrail's bucket policy); or, for an existing trail: aws cloudtrail update-trail --is-multi-region-trail / put-event-selectors --event-selectors ReadWriteType=All,IncludeManagementEvents=true / start-logging.",
    },
    RuleInfo {
        id: TRAIL_VALIDATION,
        title: "CloudTrail trail without log file validation",
        severity: Medium,
        scope: Region,
        controls: &[fsbp("CloudTrail.4"), cis("3.2")],
        rationale: "Without digest files nobody can prove the log files were not edited or deleted after delivery — the first thing an intruder with S3 access tidies up.",
        remediation: "aws cloudtrail update-trail --name TRAIL --enable-log-file-validation",
    },
    RuleInfo {
        id: TRAIL_KMS,
        title: "CloudTrail trail not encrypted with a KMS key",
        severity: Medium,
        scope: Region,
        controls: &[fsbp("CloudTrail.2"), cis("3.5")],
        rationale: "With S3-managed keys anyone who can read the bucket reads the logs; SSE-KMS adds the key policy as a second gate and records every decrypt.",
        remediation: "aws cloudtrail update-trail --name TRAIL --kms-key-id KEY (the key policy must let CloudTrail encrypt and the readers decrypt).",
    },
    RuleInfo {
        id: TRAIL_CLOUDWATCH,
        title: "CloudTrail trail not delivering to CloudWatch Logs",
        severity: Low,
        scope: Region,
        controls: &[fsbp("CloudTrail.5")],
        rationale: "Metric filters and alarms on API activity (root use, IAM and trail changes, failed sign-ins: CIS section 4) need the trail in a CloudWatch Logs group; S3 delivery alone is read after the fact.",
        remediation: "aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn GROUP_ARN --cloud-watch-logs-role-arn ROLE_ARN",
    },
    RuleInfo {
        id: CONFIG_OFF,
        title: "AWS Config is not recording every resource in region",
        severity: Medium,
        scope: Region,
        controls: &[fsbp("Config.1"), cis("3.3")],
        rationale: "Without a recorder that records every supported resource type, with a delivery channel, there is no history of what a resource looked like before an incident, and Security Hub's controls have nothing to evaluate.",
        remediation: "guardpost check --fix --config-bucket BUCKET (a recorder for all supported types, global types in the first region read, the delivery channel, started); or aws configservice put-configuration-recorder / put-delivery-channel / start-configuration-recorder.",
    },
    RuleInfo {
        id: CW_UNAUTHORIZED,
        title: "Unauthorized API calls are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.2"), cis("4.1")],
        rationale: "Repeated AccessDenied / UnauthorizedOperation errors are how a stolen credential's owner probes what it can do; without an alarm nobody sees the probing. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_CONSOLE_NO_MFA,
        title: "Console sign-in without MFA is not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.3"), cis("4.2")],
        rationale: "A console session without MFA is the sign-in a phished password gives; an alarm makes each one visible. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_ROOT_USAGE,
        title: "Root account usage is not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.1"), cis("4.3")],
        rationale: "The root user should never be used day to day; each use is either break-glass or an incident, and either way someone must know. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_IAM_POLICY,
        title: "IAM policy changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.4"), cis("4.4")],
        rationale: "Privilege escalation and persistence are IAM policy changes; an alarm shortens the time to notice them. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_CLOUDTRAIL,
        title: "CloudTrail configuration changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.5"), cis("4.5")],
        rationale: "Stopping or changing a trail is how an intruder blinds the account; the change itself must raise an alarm. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_CONSOLE_FAILURES,
        title: "Console authentication failures are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.6"), cis("4.6")],
        rationale: "Repeated failed console sign-ins are password guessing or a credential being tried. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_CMK,
        title: "Disabling or scheduled deletion of KMS keys is not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.7"), cis("4.7")],
        rationale: "Data encrypted under a disabled or deleted key is lost: ransomware and sabotage in one call. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_S3_POLICY,
        title: "S3 bucket policy changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.8"), cis("4.8")],
        rationale: "A bucket policy or ACL change is how data is made public or shared out of the account. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_CONFIG,
        title: "AWS Config configuration changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.9"), cis("4.9")],
        rationale: "Stopping the recorder or removing its delivery channel erases the account's change history from then on. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_SECURITY_GROUP,
        title: "Security group changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.10"), cis("4.10")],
        rationale: "Opening a port to the world is a security group change. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_NACL,
        title: "Network ACL changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.11"), cis("4.11")],
        rationale: "Network ACLs are the subnet-level filter; changing them can expose every instance in a subnet. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_GATEWAY,
        title: "Network gateway changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.12"), cis("4.12")],
        rationale: "A new or re-attached internet or customer gateway opens a path in or out of the VPC. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_ROUTE_TABLE,
        title: "Route table changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.13"), cis("4.13")],
        rationale: "A route change can send traffic through an attacker-controlled path or out of the VPC. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_VPC,
        title: "VPC changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[fsbp("CloudWatch.14"), cis("4.14")],
        rationale: "New VPCs and peering connections change what can reach what. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: CW_ORGANIZATIONS,
        title: "AWS Organizations changes are not alarmed on",
        severity: Low,
        scope: Account,
        controls: &[cis("4.15")],
        rationale: "Organizations changes (SCPs, accounts leaving or joining, OUs) change every member account's guardrails. Checked end to end: a multi-region trail that logs every management event delivers to CloudWatch Logs, a metric filter there matches the activity (the pattern is evaluated against sample CloudTrail events, not searched for names), an alarm with actions enabled watches its metric, and an SNS topic among the alarm's actions has a confirmed subscription.",
        remediation: "aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name NAME --metric-transformations metricName=NAME,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern PATTERN (the finding's evidence has a pattern that covers it); aws cloudwatch put-metric-alarm --alarm-name NAME --metric-name NAME --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions TOPIC_ARN; aws sns subscribe --topic-arn TOPIC_ARN --protocol email --notification-endpoint ADDRESS",
    },
    RuleInfo {
        id: S3_ACCOUNT_PAB,
        title: "S3 Block Public Access is not fully on for the account",
        severity: Medium,
        scope: Account,
        controls: &[fsbp("S3.1"), cis("2.1.4")],
        rationale: "With all four account-level Block Public Access settings on, no bucket policy or ACL in the account can make a bucket public, whatever a bucket owner writes. Read with S3 Control GetPublicAccessBlock; none configured counts as all four off.",
        remediation: "guardpost check --fix (s3.block-public-access: all four on, the previous settings kept for the undo); or aws s3control put-public-access-block --account-id ACCT --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
    },
    RuleInfo {
        id: TRAIL_BUCKET_PUBLIC,
        title: "CloudTrail bucket is publicly accessible",
        severity: Critical,
        scope: Principal,
        controls: &[fsbp("CloudTrail.6")],
        rationale: "The trail's bucket holds every API call the account made; public, it tells an outsider the account's layout and who to phish. Public means GetBucketPolicyStatus IsPublic, or an ACL grant to AllUsers or AuthenticatedUsers, unless the bucket's or the account's Block Public Access neutralises it (RestrictPublicBuckets for policies, IgnorePublicAcls for ACLs).",
        remediation: "aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true; then remove the public statement or grant",
    },
    RuleInfo {
        id: TRAIL_BUCKET_LOGGING,
        title: "CloudTrail bucket has no server access logging",
        severity: Low,
        scope: Principal,
        controls: &[fsbp("CloudTrail.7"), cis("3.4")],
        rationale: "Server access logs of the trail's bucket show who read, changed or deleted log files: the trail cannot log access to its own logs.",
        remediation: "aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"LOG_BUCKET\",\"TargetPrefix\":\"BUCKET/\"}}'",
    },
    RuleInfo {
        id: NO_SECURITY_CONTACT,
        title: "No security contact for the account",
        severity: Medium,
        scope: Account,
        controls: &[fsbp("Account.1"), cis("1.2")],
        rationale: "AWS sends notices about abuse, compromised credentials and security events to the security alternate contact; without one they go to the root user's mailbox, which often nobody reads.",
        remediation: "aws account put-alternate-contact --alternate-contact-type SECURITY --name NAME --title TITLE --email-address EMAIL --phone-number PHONE (from the management account for members: add --account-id).",
    },
    RuleInfo {
        id: USER_ACCESS_KEY,
        title: "IAM user has an access key",
        severity: Medium,
        scope: Principal,
        controls: &[],
        rationale: "Opt-in (sandbox profile): access keys are long-lived secrets; in an account where people and workloads should use roles (SSO, instance and task roles, OIDC for CI) no IAM user needs one. Inactive keys count too: anyone allowed iam:UpdateAccessKey can turn them back on.",
        remediation: "Move the workload to a role (IAM Identity Center for people, OIDC federation for CI, instance or task roles for compute), then delete the user's access keys: aws iam delete-access-key --user-name USER --access-key-id KEY.",
    },
];

/// [`RuleInfo::source`] by rule id.
pub fn source_of(id: &str) -> &'static str {
    let mut parts = id.split('.');
    let service = match parts.next() {
        Some("service") => parts.next(),
        first => first,
    };
    crate::model::coverage::SOURCES
        .iter()
        .find(|s| Some(**s) == service)
        .copied()
        .unwrap_or("iam")
}

/// Every rule, in catalog order.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}
