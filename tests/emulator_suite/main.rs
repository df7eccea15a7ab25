//! The live layer against the local AWS emulator (tests/emulator): the real SDK over real HTTP.
//! (The emulator's own boto3 suite stays a binary of its own, tests/emulator_boto3.rs: its
//! startup and latency checks need the machine to themselves, not two emulators beside them.)
#[path = "../common/mod.rs"]
mod common;
#[path = "../live/mod.rs"]
mod live;

mod coverage_emulator;
mod escalation_emulator;
mod fix_emulator;
mod incident_emulator;
mod live_cli;
mod live_cloudtrail;
mod live_emulator;
mod live_faults;
mod live_sources;
mod logging_emulator;
mod monitoring_emulator;
mod network_emulator;
mod org_emulator;
mod posture_emulator;
mod recovery_emulator;
mod remediation_emulator;
mod storage_emulator;
