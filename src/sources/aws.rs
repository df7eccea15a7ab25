//! SDK configuration: profile, regions, endpoint override, credentials check and the caller.

use super::session::{
    self, CodeRequest, CodeSource, MfaCode, SessionError, SessionInfo, SessionOptions, SessionSpec,
};
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::ProvideCredentials;

/// IAM is global: its client always talks to us-east-1.
pub const IAM_REGION: &str = "us-east-1";

/// `--all-regions` reads these: the commercial regions that are enabled in every account by
/// default. Opt-in regions (af-south-1, ap-east-1, me-south-1, eu-south-1, ...) reject calls
/// until the account enables them, so they are read only when named with `--region`. A static
/// list keeps guardpost free of the EC2 SDK (ec2:DescribeRegions) and its build cost.
pub const DEFAULT_ENABLED_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
];

/// Attempts per call (adaptive retry: throttling and transient errors are retried).
pub const MAX_ATTEMPTS: u32 = 6;

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// A named profile from ~/.aws/config / ~/.aws/credentials (else `AWS_PROFILE` / default).
    pub profile: Option<String>,
    /// Regions to read; empty = the profile's / `AWS_REGION`'s region.
    pub regions: Vec<String>,
    /// Read [`DEFAULT_ENABLED_REGIONS`] (plus any `regions` named).
    pub all_regions: bool,
    /// Send every call to this endpoint (an emulator, a VPC endpoint, a proxy).
    pub endpoint_url: Option<String>,
    /// Assume this role (`--role-arn`); see [`super::session`].
    pub role_arn: Option<String>,
    /// MFA device serial (`--mfa-serial`); else the profile's `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// Session lifetime in seconds (`--duration`).
    pub duration_secs: Option<i32>,
    /// A code given up front (`--mfa-code`, `GUARDPOST_MFA_CODE`): tried once, never prompted.
    pub mfa_code: Option<MfaCode>,
}

#[derive(Debug, thiserror::Error)]
pub enum LiveSetupError {
    #[error(
        "no AWS credentials found{profile}: {detail}\n\
         Provide credentials in one of these ways:\n  \
         - environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)\n  \
         - a profile in ~/.aws/credentials or ~/.aws/config, chosen with --profile NAME or AWS_PROFILE\n  \
         - AWS IAM Identity Center (SSO): `aws sso login --profile NAME`, then --profile NAME\n  \
         - an instance, task or pod role (EC2 instance profile, ECS task role, EKS web identity)\n\
         Or explore guardpost without an account: `guardpost --demo`"
    )]
    NoCredentials { profile: String, detail: String },
    #[error(
        "no AWS region configured: pass --region REGION (repeatable) or --all-regions, set AWS_REGION, or set `region` in the profile"
    )]
    NoRegion,
    #[error("the AWS credentials were rejected by sts:GetCallerIdentity: {0}")]
    Rejected(String),
    #[error("AWS config file: {0}")]
    Profile(String),
    #[error("cannot get temporary credentials: {0}")]
    Session(SessionError),
}

/// A resolved, verified configuration: who we are and where to read.
#[derive(Debug, Clone)]
pub struct AwsContext {
    /// What every reader uses (temporary credentials when there is a session).
    base: SdkConfig,
    /// The source credentials and how the session was made, to renew it.
    source: Option<(SdkConfig, SessionSpec)>,
    pub regions: Vec<String>,
    pub account_id: String,
    pub caller_arn: Option<String>,
    /// Temporary credentials guardpost obtained (MFA, `--role-arn`): when they expire.
    pub session: Option<SessionInfo>,
}

impl AwsContext {
    /// Loads the SDK configuration, checks that credentials resolve and calls
    /// sts:GetCallerIdentity. Nothing secret is kept beyond the SDK's own credential cache.
    pub async fn resolve(opts: &LiveOptions) -> Result<AwsContext, LiveSetupError> {
        // Adaptive retry: client-side rate limiting on throttling, plus the standard retries.
        let loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS));
        Box::pin(Self::resolve_with(opts, loader)).await
    }

    /// [`resolve`](Self::resolve), asking `ask` for MFA codes (a terminal prompt).
    pub async fn resolve_asking(
        opts: &LiveOptions,
        ask: CodeSource<'_>,
    ) -> Result<AwsContext, LiveSetupError> {
        let loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS));
        Box::pin(Self::resolve_with_prompt(opts, loader, ask)).await
    }

    /// [`resolve`](Self::resolve) starting from a given loader (tests pass fixed credentials
    /// and a quick retry policy).
    pub async fn resolve_with(
        opts: &LiveOptions,
        loader: aws_config::ConfigLoader,
    ) -> Result<AwsContext, LiveSetupError> {
        let mut ask = |r: &CodeRequest| -> Result<String, String> {
            Err(format!(
                "an MFA code is needed for {}: pass --mfa-code CODE or set GUARDPOST_MFA_CODE",
                r.mfa_serial
            ))
        };
        Box::pin(Self::resolve_with_prompt(opts, loader, &mut ask)).await
    }

    /// [`resolve_with`](Self::resolve_with), asking `ask` for MFA codes when a session needs
    /// one and no code was given up front.
    pub async fn resolve_with_prompt(
        opts: &LiveOptions,
        mut loader: aws_config::ConfigLoader,
        ask: CodeSource<'_>,
    ) -> Result<AwsContext, LiveSetupError> {
        let profiles = session::read_config_file();
        let spec = session::session_spec(
            &SessionOptions {
                profile: opts.profile.clone(),
                role_arn: opts.role_arn.clone(),
                mfa_serial: opts.mfa_serial.clone(),
                duration_secs: opts.duration_secs,
            },
            &profiles,
        )
        .map_err(LiveSetupError::Profile)?;
        // With a session the SDK loads only the source credentials: a role profile with
        // mfa_serial would otherwise make it call AssumeRole without the code.
        let source_profile = match &spec {
            Some(s) => s.source_profile.clone(),
            None => opts.profile.clone(),
        };
        if let Some(p) = &source_profile {
            loader = loader.profile_name(p);
        }
        if let Some(cs) = spec.as_ref().and_then(|s| s.credential_source.as_deref()) {
            loader = match cs {
                "Environment" => loader.credentials_provider(
                    aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
                ),
                "Ec2InstanceMetadata" => loader.credentials_provider(
                    aws_config::imds::credentials::ImdsCredentialsProvider::builder().build(),
                ),
                "EcsContainer" => loader.credentials_provider(
                    aws_config::ecs::EcsCredentialsProvider::builder().build(),
                ),
                other => {
                    return Err(LiveSetupError::Profile(format!(
                        "credential_source {other:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                    )));
                }
            };
        }
        match (
            opts.regions.first(),
            spec.as_ref().and_then(|s| s.region.as_ref()),
        ) {
            (Some(r), _) | (None, Some(r)) => loader = loader.region(Region::new(r.clone())),
            _ => {}
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let base = Box::pin(loader.load()).await;

        let mut regions: Vec<String> = Vec::new();
        if opts.all_regions {
            regions.extend(DEFAULT_ENABLED_REGIONS.iter().map(|r| r.to_string()));
        }
        for r in &opts.regions {
            if !regions.contains(r) {
                regions.push(r.clone());
            }
        }
        if regions.is_empty() {
            match base.region() {
                Some(r) => regions.push(r.to_string()),
                None => return Err(LiveSetupError::NoRegion),
            }
        }

        let profile = opts
            .profile
            .as_ref()
            .map(|p| format!(" for profile {p:?}"))
            .unwrap_or_default();
        let Some(provider) = base.credentials_provider() else {
            return Err(LiveSetupError::NoCredentials {
                profile,
                detail: "no credentials provider is configured".into(),
            });
        };
        if let Err(e) = Box::pin(provider.provide_credentials()).await {
            return Err(LiveSetupError::NoCredentials {
                profile,
                detail: aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
            });
        }

        let sts_conf = base
            .to_builder()
            .region(Region::new(regions[0].clone()))
            .build();
        let (base, source, session) = match spec {
            Some(spec) => {
                let fixed = opts.mfa_code.as_ref().map(|c| c.0.as_str());
                let (conf, info) = Box::pin(session::start(&sts_conf, &spec, fixed, ask))
                    .await
                    .map_err(LiveSetupError::Session)?;
                (conf, Some((sts_conf.clone(), spec)), Some(info))
            }
            None => (base, None, None),
        };
        let sts_conf = base
            .to_builder()
            .region(Region::new(regions[0].clone()))
            .build();
        let sts = aws_sdk_sts::Client::new(&sts_conf);
        let who = Box::pin(sts.get_caller_identity().send())
            .await
            .map_err(|e| {
                LiveSetupError::Rejected(super::describe_error("sts:GetCallerIdentity", &e))
            })?;
        Ok(AwsContext {
            base,
            source,
            regions,
            account_id: who.account().unwrap_or_default().to_string(),
            caller_arn: who.arn().map(str::to_string),
            session,
        })
    }

    /// A new session with one code (none for a role without MFA): the same account and
    /// regions with fresh temporary credentials. Nothing else is re-read.
    pub async fn renew(&self, code: Option<&str>) -> Result<AwsContext, SessionError> {
        let Some((source, spec)) = &self.source else {
            return Err(SessionError::Sts(
                "these credentials are not a guardpost session".into(),
            ));
        };
        if spec.mfa_serial.is_some() && !code.is_some_and(session::valid_code) {
            return Err(SessionError::Mfa {
                message: "the MFA code must be 6 digits".into(),
                attempts: 1,
            });
        }
        let (conf, info) = Box::pin(session::start_once(source, spec, code))
            .await
            .map_err(|(denied, message)| {
                if denied {
                    SessionError::Mfa {
                        message,
                        attempts: 1,
                    }
                } else {
                    SessionError::Sts(message)
                }
            })?;
        Ok(AwsContext {
            base: conf,
            session: Some(info),
            ..self.clone()
        })
    }

    /// The session needs a code to renew.
    pub fn session_needs_code(&self) -> bool {
        self.source
            .as_ref()
            .is_some_and(|(_, spec)| spec.mfa_serial.is_some())
    }

    /// The shared configuration with `region` set.
    pub fn region_config(&self, region: &str) -> SdkConfig {
        self.base
            .to_builder()
            .region(Region::new(region.to_string()))
            .build()
    }

    /// The configuration for IAM (global, pinned to us-east-1).
    pub fn iam_config(&self) -> SdkConfig {
        self.region_config(IAM_REGION)
    }
}
