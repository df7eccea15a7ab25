//! Versioned, self-describing snapshot of everything loaded from one account.
//!
//! Format (documented in docs/snapshot-format.md): JSON with `format = "guardpost-snapshot"` and
//! `version = 1`. Source records are stored exactly as the APIs return them (ASFF for Security
//! Hub, the REST wire shape for GuardDuty and Access Analyzer); normalization happens on load,
//! so a snapshot replays through the same code as live data.

use crate::model::{Coverage, IamInventory, SourceProblem};
// Model types; re-exported so `snapshot::AccountInfo` keeps working.
pub use crate::model::{AccountInfo, ServiceStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "guardpost-snapshot";
pub const VERSION: u32 = 1;

/// The demo account, embedded in the binary.
pub const DEMO_JSON: &str = include_str!("../data/demo-snapshot.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SecurityHubRegion {
    pub region: String,
    /// ASFF findings, as GetFindings returns them.
    pub findings: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GuardDutyRegion {
    pub region: String,
    #[serde(default)]
    pub detector_id: Option<String>,
    /// GetFindings `findings[]`, REST wire shape (camelCase).
    pub findings: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AccessAnalyzerRegion {
    pub region: String,
    /// ListAnalyzers `analyzers[]`.
    #[serde(default)]
    pub analyzers: Vec<serde_json::Value>,
    /// GetFindingV2 responses (each with its `id`, `analyzerArn` added when absent).
    pub findings: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: String,
    pub version: u32,
    pub captured_at: DateTime<Utc>,
    pub account: AccountInfo,
    pub regions: Vec<String>,
    #[serde(default)]
    pub securityhub: Vec<SecurityHubRegion>,
    #[serde(default)]
    pub guardduty: Vec<GuardDutyRegion>,
    #[serde(default)]
    pub access_analyzer: Vec<AccessAnalyzerRegion>,
    #[serde(default)]
    pub iam: Option<IamInventory>,
    /// The network and storage baseline's EC2 facts, per region (absent in older files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ec2: Vec<crate::model::Ec2Region>,
    /// CloudTrail's trails, per region (absent in older files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trails: Vec<crate::model::TrailRegion>,
    /// AWS Config's recorders and delivery channels, per region (absent in older files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_recorders: Vec<crate::model::ConfigRegion>,
    /// CloudWatch metric filters, alarms and SNS subscriptions, per region (absent in older
    /// files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitoring: Vec<crate::model::MonitoringRegion>,
    /// S3: the account's Block Public Access and the trails' buckets (absent: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<crate::model::S3Account>,
    /// The account's alternate contacts (absent: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<crate::model::account::AlternateContacts>,
    #[serde(default)]
    pub services: Vec<ServiceStatus>,
    /// Sources that failed when the snapshot was captured.
    #[serde(default)]
    pub problems: Vec<SourceProblem>,
    /// What was read, per source x region (live loads since coverage was added; absent in
    /// older files and the demo, where it is derived from `problems`: [`Snapshot::coverage`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// The account's place in its AWS Organization (`--org` reads only; absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<crate::model::org::OrgMembership>,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("snapshot {path} is not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "snapshot {path} does not match the snapshot format at line {line}, column {column}: {message}"
    )]
    Shape {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path} is not a guardpost snapshot (format is {found:?}, expected \"{FORMAT}\")")]
    NotSnapshot { path: PathBuf, found: String },
    #[error(
        "snapshot {path} has version {found}; this guardpost reads version {VERSION} (upgrade guardpost to read newer snapshots)"
    )]
    UnknownVersion { path: PathBuf, found: u64 },
    #[error(
        "snapshot {path} is {size} bytes, more than the {limit} bytes guardpost reads (docs/security.md)"
    )]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("snapshot {path} is not UTF-8 text")]
    NotText { path: PathBuf },
}

impl Snapshot {
    pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
        let bytes = read_bytes(path)?;
        let text = String::from_utf8(bytes).map_err(|_| SnapshotError::NotText {
            path: path.to_path_buf(),
        })?;
        Self::parse(&text, path)
    }

    pub fn demo() -> Snapshot {
        Self::parse(DEMO_JSON, Path::new("<embedded demo>"))
            .expect("the embedded demo snapshot is valid (checked by tests)")
    }

    /// Parses in two steps so the version is checked before the shape: a newer snapshot gets
    /// "unknown version", not a confusing field error.
    pub fn parse(text: &str, path: &Path) -> Result<Snapshot, SnapshotError> {
        // Only the two header fields are read here; serde skips the rest without building
        // values, so the version check costs a scan, not a second full parse.
        #[derive(Deserialize)]
        struct Header {
            #[serde(default)]
            format: Option<serde_json::Value>,
            #[serde(default)]
            version: Option<serde_json::Value>,
        }
        let header: Header = serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                // Valid JSON, but not an object with those fields at the top.
                SnapshotError::NotSnapshot {
                    path: path.to_path_buf(),
                    found: String::new(),
                }
            } else {
                SnapshotError::Syntax {
                    path: path.to_path_buf(),
                    line: e.line(),
                    column: e.column(),
                    message: strip_position(&e.to_string()),
                }
            }
        })?;
        let format = header
            .format
            .as_ref()
            .and_then(|f| f.as_str())
            .unwrap_or("");
        if format != FORMAT {
            return Err(SnapshotError::NotSnapshot {
                path: path.to_path_buf(),
                found: format.to_string(),
            });
        }
        let version = header
            .version
            .as_ref()
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        if version != VERSION as u64 {
            return Err(SnapshotError::UnknownVersion {
                path: path.to_path_buf(),
                found: version,
            });
        }
        // Deserialize from the text so shape errors carry line and column.
        serde_json::from_str(text).map_err(|e| SnapshotError::Shape {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })
    }

    /// The recorded coverage, else one derived from the problems, service states and records.
    pub fn coverage(&self) -> Coverage {
        if let Some(c) = &self.coverage {
            return c.clone();
        }
        let records = |source: &str, region: &str| -> Option<usize> {
            match source {
                "securityhub" => self
                    .securityhub
                    .iter()
                    .find(|b| b.region == region)
                    .map(|b| b.findings.len()),
                "guardduty" => self
                    .guardduty
                    .iter()
                    .find(|b| b.region == region)
                    .map(|b| b.findings.len()),
                "access-analyzer" => self
                    .access_analyzer
                    .iter()
                    .find(|b| b.region == region)
                    .map(|b| b.findings.len()),
                _ => None,
            }
        };
        Coverage::derive(
            &self.regions,
            &records,
            &self.services,
            &self.problems,
            self.iam.as_ref(),
        )
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("snapshot serializes")
    }
}

/// The file, at most [`crate::storage::MAX_SNAPSHOT_BYTES`] of it.
fn read_bytes(path: &Path) -> Result<Vec<u8>, SnapshotError> {
    use crate::storage::{MAX_SNAPSHOT_BYTES, ReadError, read_limited};
    read_limited(path, MAX_SNAPSHOT_BYTES).map_err(|e| match e {
        ReadError::Io(source) => SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        },
        ReadError::TooLarge { size, limit } => SnapshotError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit,
        },
    })
}

/// serde_json appends " at line X column Y"; we report the position separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// `snapshot save --org`: every account of an organization in one file.
pub const ORG_FORMAT: &str = "guardpost-org-snapshot";
pub const ORG_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgSnapshot {
    pub format: String,
    pub version: u32,
    pub captured_at: DateTime<Utc>,
    pub organization: Option<String>,
    pub management_account: Option<String>,
    /// `organizations` or `config`.
    pub accounts_from: String,
    pub accounts: Vec<OrgSnapshotAccount>,
}

/// One account: its snapshot, or why it could not be read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgSnapshotAccount {
    pub account: crate::model::org::OrgAccount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

impl OrgSnapshotAccount {
    /// The account's snapshot, or why it was not read.
    pub fn into_result(self) -> Result<Snapshot, String> {
        match (self.snapshot, self.unknown) {
            (Some(s), _) => Ok(s),
            (None, why) => Err(why.unwrap_or_else(|| "not in the snapshot".into())),
        }
    }
}

impl OrgSnapshot {
    /// Whether `path` holds an organization snapshot (its format field, near the start).
    pub fn sniff(path: &Path) -> bool {
        use std::io::Read;
        let mut head = [0u8; 512];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0);
        let head = String::from_utf8_lossy(&head[..n]);
        head.contains(&format!("\"{ORG_FORMAT}\""))
    }

    pub fn load(path: &Path) -> Result<OrgSnapshot, SnapshotError> {
        let bytes = read_bytes(path)?;
        let org: OrgSnapshot =
            serde_json::from_slice(&bytes).map_err(|e| SnapshotError::Shape {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message: strip_position(&e.to_string()),
            })?;
        if org.format != ORG_FORMAT {
            return Err(SnapshotError::NotSnapshot {
                path: path.to_path_buf(),
                found: org.format,
            });
        }
        if org.version != ORG_VERSION
            || org
                .accounts
                .iter()
                .filter_map(|a| a.snapshot.as_ref())
                .any(|s| s.version != VERSION || s.format != FORMAT)
        {
            return Err(SnapshotError::UnknownVersion {
                path: path.to_path_buf(),
                found: org.version as u64,
            });
        }
        Ok(org)
    }
}
