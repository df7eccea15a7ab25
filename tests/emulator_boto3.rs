//! The emulator's own shape tests: boto3 (whose service models the Rust SDK shares) against
//! the emulator, for every operation, limit and fault. Installs the pinned venv on first use.
use std::process::Command;

#[test]
fn emulator_shapes_pass_boto3() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/emulator/run_tests.sh");
    let out = Command::new("bash")
        .arg(script)
        .output()
        .expect("run tests/emulator/run_tests.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the emulator's boto3 suite failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed"), "pytest ran no tests:\n{stdout}");
}
