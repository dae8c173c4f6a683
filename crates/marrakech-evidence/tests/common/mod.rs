//! Shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// The shared real data sets, or `None` (with a message) when they are not on this machine:
/// tests that need them skip rather than fail. `MARRAKECH_SHARED_DATA` overrides; otherwise
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
    eprintln!("skipping {test}: the shared data directory (../shared/data) is not here");
    None
}
