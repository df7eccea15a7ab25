//! Streaming a live load: readers report pages as they arrive ([`LoadMsg`]); [`super::load`]
//! folds them into a partial [`Snapshot`] and per-source progress ([`LoadProgress`]) and hands
//! both to the caller ([`LoadUpdate`]), at most every [`PARTIAL_EVERY`], so the UI can show
//! findings while slow sources are still paging.

use crate::model::{Coverage, CoverageState, SourceCoverage};
use crate::snapshot::{AccessAnalyzerRegion, GuardDutyRegion, SecurityHubRegion, Snapshot};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// The shortest time between two partial snapshots (at most ~4 rebuilds a second).
pub const PARTIAL_EVERY: Duration = Duration::from_millis(250);

/// What a reader reports while it runs: `done` units of work (pages, findings, users) out of
/// `total` when known, and the records of the page that just arrived (empty for IAM).
#[derive(Debug, Clone)]
pub struct LoadMsg {
    /// `securityhub`, `guardduty`, `access-analyzer` or `iam`.
    pub source: &'static str,
    /// `None` for IAM (global).
    pub region: Option<String>,
    /// What `done` counts: `pages`, `findings`, `users`.
    pub unit: &'static str,
    pub done: usize,
    pub total: Option<usize>,
    /// Raw records of this page (wire JSON, as the final result will hold them).
    pub records: Vec<Value>,
}

/// `LoadMsg::unit` of a throttling notice ([`super::ThrottleWatch`]): `done` is the attempt the
/// SDK makes next (0: no longer throttled); the source's page counts are left as they are.
pub const THROTTLED: &str = "throttled";

/// The channel readers report into (`None`: nobody is listening).
pub type Progress = Option<mpsc::UnboundedSender<LoadMsg>>;

pub fn report(p: &Progress, msg: LoadMsg) {
    if let Some(tx) = p {
        let _ = tx.send(msg);
    }
}

/// What a streaming load tells its caller.
#[derive(Debug, Clone)]
pub enum LoadUpdate {
    /// Per-source progress changed.
    Progress(LoadProgress),
    /// Everything read so far, as a snapshot (finished sources complete, running ones with the
    /// pages they have read). The final snapshot is `load`'s return value, not an update.
    Partial(Box<Snapshot>),
}

/// Progress of one source in one region (or IAM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProgress {
    pub source: &'static str,
    pub region: Option<String>,
    pub unit: &'static str,
    pub done: usize,
    pub total: Option<usize>,
    /// Records read so far.
    pub items: usize,
    pub finished: bool,
    /// The SDK is retrying a throttled call: the attempt it makes next.
    pub throttled: Option<u32>,
}

impl SourceProgress {
    pub fn label(&self) -> &'static str {
        match self.source {
            "securityhub" => "SecurityHub",
            "guardduty" => "GuardDuty",
            "access-analyzer" => "AccessAnalyzer",
            "iam" => "IAM",
            "ec2" => "EC2",
            "cloudtrail" => "CloudTrail",
            "config" => "Config",
            "cloudwatch" => "CloudWatch",
            "s3" => "S3",
            "account" => "Account",
            other => other,
        }
    }
}

impl std::fmt::Display for SourceProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.label())?;
        if let Some(r) = &self.region {
            write!(f, " {r}")?;
        }
        if self.finished {
            return write!(f, " done");
        }
        if let Some(n) = self.throttled {
            write!(f, " throttled (attempt {n})")?;
        }
        if self.source == "iam" {
            write!(f, " {}", self.unit)?;
        }
        match self.total {
            Some(t) => write!(f, " {}/{t}", self.done),
            None => write!(f, " {}/?", self.done),
        }
    }
}

/// Every source x region of a running load, in a stable order (region order, then service).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadProgress {
    pub sources: Vec<SourceProgress>,
}

impl LoadProgress {
    pub fn finished(&self) -> usize {
        self.sources.iter().filter(|s| s.finished).count()
    }

    pub fn is_finished(&self) -> bool {
        self.sources.iter().all(|s| s.finished)
    }

    /// One status-bar line: the running sources first, then how many are done, e.g.
    /// `SecurityHub us-east-1 3/? · AccessAnalyzer eu-west-1 120/500 · 4/6 done`.
    pub fn text(&self) -> String {
        const SHOWN: usize = 4;
        let running: Vec<String> = self
            .sources
            .iter()
            .filter(|s| !s.finished)
            .map(|s| s.to_string())
            .collect();
        let mut parts: Vec<String> = running.iter().take(SHOWN).cloned().collect();
        if running.len() > SHOWN {
            parts.push(format!("+{} more", running.len() - SHOWN));
        }
        let n = self.sources.len();
        let done = self.finished();
        if n > 0 {
            if done > 0 && done <= 2 && running.len() <= SHOWN {
                // Few finished: name them ("GuardDuty eu-west-1 done").
                parts.extend(
                    self.sources
                        .iter()
                        .filter(|s| s.finished)
                        .map(|s| s.to_string()),
                );
            } else {
                parts.push(format!("{done}/{n} done"));
            }
        }
        parts.join(" · ")
    }
}

/// Folds reader messages and finished results into the partial snapshot and the progress.
pub(crate) struct Collector {
    /// Finished results, merged.
    pub done: Snapshot,
    /// Coverage of the finished sources.
    covered: Vec<SourceCoverage>,
    /// Pages of the sources still running: (source, region) -> records.
    inflight: BTreeMap<(&'static str, String), Vec<Value>>,
    pub progress: LoadProgress,
    /// Something changed since the last partial snapshot.
    pub dirty: bool,
    /// The progress changed since it was last sent.
    pub progress_dirty: bool,
}

/// Sources read once per account, not per region.
const GLOBAL: [&str; 3] = ["s3", "account", "iam"];

impl Collector {
    /// A collector for a load of `plan` (coverage source names; `account` and `iam` are
    /// global).
    pub fn new(skeleton: Snapshot, plan: &[&'static str]) -> Collector {
        let mut sources = Vec::new();
        for r in &skeleton.regions {
            for &s in plan.iter().filter(|s| !GLOBAL.contains(*s)) {
                sources.push(SourceProgress {
                    source: s,
                    region: Some(r.clone()),
                    unit: if s == "access-analyzer" {
                        "findings"
                    } else {
                        "pages"
                    },
                    done: 0,
                    total: None,
                    items: 0,
                    finished: false,
                    throttled: None,
                });
            }
        }
        for &s in plan.iter().filter(|s| GLOBAL.contains(*s)) {
            sources.push(SourceProgress {
                source: s,
                region: None,
                unit: "pages",
                done: 0,
                total: None,
                items: 0,
                finished: false,
                throttled: None,
            });
        }
        Collector {
            done: skeleton,
            covered: Vec::new(),
            inflight: BTreeMap::new(),
            progress: LoadProgress { sources },
            dirty: false,
            progress_dirty: true,
        }
    }

    fn entry(&mut self, source: &str, region: Option<&str>) -> Option<&mut SourceProgress> {
        self.progress
            .sources
            .iter_mut()
            .find(|s| s.source == source && s.region.as_deref() == region)
    }

    pub fn message(&mut self, m: LoadMsg) {
        let n = m.records.len();
        if m.unit == THROTTLED {
            if let Some(e) = self.entry(m.source, m.region.as_deref())
                && !e.finished
            {
                e.throttled = (m.done > 0).then_some(m.done as u32);
                self.progress_dirty = true;
                self.dirty = true;
            }
            return;
        }
        if let Some(e) = self.entry(m.source, m.region.as_deref())
            && !e.finished
        {
            e.throttled = None;
            e.unit = m.unit;
            e.done = m.done;
            e.total = m.total;
            e.items += n;
            self.progress_dirty = true;
        } else {
            return;
        }
        if n > 0
            && let Some(region) = m.region
        {
            self.inflight
                .entry((m.source, region))
                .or_default()
                .extend(m.records);
            self.dirty = true;
        }
    }

    /// A source x region finished: its pages in flight are replaced by its final result.
    pub fn finished(&mut self, source: &str, region: Option<&str>) {
        if let Some(r) = region {
            let key: Vec<_> = self
                .inflight
                .keys()
                .filter(|(s, reg)| *s == source && reg == r)
                .cloned()
                .collect();
            for k in key {
                self.inflight.remove(&k);
            }
        }
        if let Some(e) = self.entry(source, region) {
            e.finished = true;
            e.throttled = None;
        }
        self.dirty = true;
        self.progress_dirty = true;
    }

    /// A finished source's coverage.
    pub fn covered(&mut self, c: SourceCoverage) {
        self.covered.push(c);
    }

    /// Every source x region: the finished ones as they ended; the others still loading
    /// (`running`) or, at the end of a load, failed without a result (their task died).
    pub fn coverage(&self, running: bool) -> Coverage {
        let mut entries = self.covered.clone();
        for p in &self.progress.sources {
            if entries
                .iter()
                .any(|c| c.source == p.source && c.region == p.region)
            {
                continue;
            }
            entries.push(if running {
                super::running_coverage(p)
            } else {
                SourceCoverage {
                    state: CoverageState::Failed {
                        reason: "the reader stopped without a result".into(),
                    },
                    ..super::running_coverage(p)
                }
            });
        }
        super::sorted_coverage(&self.done.regions, entries)
    }

    /// Finished results plus the pages of running sources, in region order.
    pub fn partial(&self) -> Snapshot {
        let mut snap = self.done.clone();
        snap.coverage = Some(self.coverage(true));
        for ((source, region), records) in &self.inflight {
            match *source {
                "securityhub" => snap.securityhub.push(SecurityHubRegion {
                    region: region.clone(),
                    findings: records.clone(),
                }),
                "guardduty" => snap.guardduty.push(GuardDutyRegion {
                    region: region.clone(),
                    detector_id: None,
                    findings: records.clone(),
                }),
                "access-analyzer" => snap.access_analyzer.push(AccessAnalyzerRegion {
                    region: region.clone(),
                    analyzers: Vec::new(),
                    findings: records.clone(),
                }),
                _ => {}
            }
        }
        super::sort_snapshot(&mut snap);
        snap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(
        source: &'static str,
        region: Option<&str>,
        done: usize,
        finished: bool,
    ) -> SourceProgress {
        SourceProgress {
            source,
            region: region.map(str::to_string),
            unit: "pages",
            done,
            total: None,
            items: 0,
            finished,
            throttled: None,
        }
    }

    #[test]
    fn progress_text_names_running_sources_then_done_ones() {
        let p = LoadProgress {
            sources: vec![
                sp("securityhub", Some("us-east-1"), 3, false),
                sp("guardduty", Some("eu-west-1"), 2, true),
                SourceProgress {
                    unit: "users",
                    total: Some(300),
                    ..sp("iam", None, 40, false)
                },
            ],
        };
        assert_eq!(
            p.text(),
            "SecurityHub us-east-1 3/? · IAM users 40/300 · GuardDuty eu-west-1 done"
        );
        let many = LoadProgress {
            sources: (0..8)
                .map(|i| {
                    sp(
                        "guardduty",
                        Some(["a", "b", "c", "d", "e", "f", "g", "h"][i]),
                        i,
                        i < 3,
                    )
                })
                .collect(),
        };
        let mut throttled = sp("securityhub", Some("us-east-1"), 0, false);
        throttled.throttled = Some(3);
        assert_eq!(
            LoadProgress {
                sources: vec![throttled]
            }
            .text(),
            "SecurityHub us-east-1 throttled (attempt 3) 0/? · 0/1 done"
        );
        assert_eq!(
            many.text(),
            "GuardDuty d 3/? · GuardDuty e 4/? · GuardDuty f 5/? · GuardDuty g 6/? · +1 more · 3/8 done"
        );
    }

    #[test]
    fn collector_coverage_follows_throttling_and_finishing() {
        let snap = Snapshot {
            format: crate::snapshot::FORMAT.into(),
            version: crate::snapshot::VERSION,
            captured_at: chrono::Utc::now(),
            account: crate::snapshot::AccountInfo {
                id: "111122223333".into(),
                alias: None,
                caller_arn: None,
            },
            regions: vec!["us-east-1".into()],
            securityhub: vec![],
            guardduty: vec![],
            access_analyzer: vec![],
            iam: None,
            ec2: Vec::new(),
            trails: Vec::new(),
            config_recorders: Vec::new(),
            monitoring: Vec::new(),
            s3: None,
            contacts: None,
            services: vec![],
            problems: vec![],
            coverage: None,
            org: None,
        };
        let mut c = Collector::new(
            snap,
            &["securityhub", "guardduty", "access-analyzer", "iam"],
        );
        let msg = |unit: &'static str, done: usize| LoadMsg {
            source: "securityhub",
            region: Some("us-east-1".into()),
            unit,
            done,
            total: None,
            records: vec![serde_json::json!({"Id": "a"}); if unit == THROTTLED { 0 } else { 2 }],
        };
        c.message(msg("pages", 1));
        c.message(msg(THROTTLED, 2));
        let partial = c.partial();
        let cov = partial.coverage.unwrap();
        let sh = cov.get("securityhub", Some("us-east-1")).unwrap();
        assert_eq!(sh.state, CoverageState::Throttled { attempt: 2 });
        assert_eq!(sh.records, 2, "a lower bound while it retries");
        assert!(
            c.progress
                .text()
                .contains("SecurityHub us-east-1 throttled (attempt 2) 1/?")
        );
        // The next page clears it; still loading is partial.
        c.message(msg("pages", 2));
        let cov = c.partial().coverage.unwrap();
        assert_eq!(
            cov.get("securityhub", Some("us-east-1"))
                .unwrap()
                .state
                .word(),
            "partial"
        );
        // At the end, a source without a result failed (its task died); the order is stable.
        c.covered(SourceCoverage {
            source: "securityhub".into(),
            region: Some("us-east-1".into()),
            state: CoverageState::Complete,
            records: 4,
            notes: vec![],
        });
        let end = c.coverage(false);
        let order: Vec<(&str, &str)> = end
            .entries
            .iter()
            .map(|e| (e.source.as_str(), e.state.word()))
            .collect();
        assert_eq!(
            order,
            [
                ("securityhub", "complete"),
                ("guardduty", "failed"),
                ("access-analyzer", "failed"),
                ("iam", "failed")
            ]
        );
    }
}
