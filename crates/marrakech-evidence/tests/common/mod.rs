//! Shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// The shared real data sets, or `None` (with a message) when they are not on this machine:
/// tests that need them skip rather than fail, except under `CI=true`, where they fail. `MARRAKECH_SHARED_DATA` overrides; otherwise
/// `shared/data` beside the repository, seen from this crate in staging
/// (`../../shared/data`) or in the main workspace (`../../../shared/data`).
pub fn data_dir(test: &str) -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = std::env::var_os("MARRAKECH_SHARED_DATA")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            manifest.join("../../shared/data"),
            manifest.join("../../../shared/data"),
        ]);
    for dir in candidates {
        if dir.join("SOURCES.md").is_file() {
            return Some(dir);
        }
    }
    // In CI the data must be there: a skipped test would pass without testing anything.
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: the shared data directory (../shared/data) is not here, and CI=true");
    }
    eprintln!("skipping {test}: the shared data directory (../shared/data) is not here");
    None
}
