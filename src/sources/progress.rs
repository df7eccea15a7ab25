//! Streaming a live load: readers report pages as they arrive ([`LoadMsg`]); [`super::load`]
//! folds them into a partial [`Snapshot`] and per-source progress ([`LoadProgress`]) and hands
//! both to the caller ([`LoadUpdate`]), at most every [`PARTIAL_EVERY`], so the UI can show
//! findings while slow sources are still paging.

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
}

impl SourceProgress {
    pub fn label(&self) -> &'static str {
        match self.source {
            "securityhub" => "SecurityHub",
            "guardduty" => "GuardDuty",
            "access-analyzer" => "AccessAnalyzer",
            "iam" => "IAM",
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
    /// Pages of the sources still running: (source, region) -> records.
    inflight: BTreeMap<(&'static str, String), Vec<Value>>,
    pub progress: LoadProgress,
    /// Something changed since the last partial snapshot.
    pub dirty: bool,
    /// The progress changed since it was last sent.
    pub progress_dirty: bool,
}

impl Collector {
    pub fn new(skeleton: Snapshot) -> Collector {
        let mut sources = Vec::new();
        for r in &skeleton.regions {
            for s in ["securityhub", "guardduty", "access-analyzer"] {
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
                });
            }
        }
        sources.push(SourceProgress {
            source: "iam",
            region: None,
            unit: "pages",
            done: 0,
            total: None,
            items: 0,
            finished: false,
        });
        Collector {
            done: skeleton,
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
        if let Some(e) = self.entry(m.source, m.region.as_deref())
            && !e.finished
        {
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
        }
        self.dirty = true;
        self.progress_dirty = true;
    }

    /// Finished results plus the pages of running sources, in region order.
    pub fn partial(&self) -> Snapshot {
        let mut snap = self.done.clone();
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
        assert_eq!(
            many.text(),
            "GuardDuty d 3/? · GuardDuty e 4/? · GuardDuty f 5/? · GuardDuty g 6/? · +1 more · 3/8 done"
        );
    }
}
