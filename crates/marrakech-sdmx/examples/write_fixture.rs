//! Writes the test fixture's structure and data messages, in every format, to a
//! directory, for `scripts/sdmx1_check.py`:
//!
//! ```sh
//! cargo run --example write_fixture -- /tmp/sdmx-out
//! python scripts/sdmx1_check.py --dir /tmp/sdmx-out
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use marrakech_sdmx::{write_data, write_structure, DataOptions, Format, StructureSelection};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: write_fixture DIR")?;
    std::fs::create_dir_all(&dir)?;
    let structures = common::structures();
    let header = common::header();
    let everything = StructureSelection::everything(&structures);
    for (format, name) in [
        (Format::StructureXml21, "structure.xml"),
        (Format::StructureJson20, "structure.json"),
    ] {
        let mut out = BufWriter::new(File::create(dir.join(name))?);
        write_structure(format, &mut out, &header, &everything)?;
    }
    let flow = structures
        .resolve_flow(&common::r("DF_MIGRANT_STOCK"))
        .ok_or("fixture dataflow")?;
    for (format, name) in [
        (Format::DataXmlStructureSpecific21, "data-ss.xml"),
        (Format::DataJson20, "data-2.0.json"),
        (Format::DataJson10, "data-1.0.json"),
        (Format::DataCsv20, "data.csv"),
    ] {
        let out = BufWriter::new(File::create(dir.join(name))?);
        write_data(
            format,
            out,
            &header,
            &flow,
            DataOptions::default(),
            common::observations(),
        )?;
    }
    // What the writers were given, for the check script to compare against.
    let attribute_ids: Vec<&str> = flow
        .dsd
        .attributes()
        .iter()
        .map(|a| a.id().as_str())
        .collect();
    let expected: Vec<serde_json::Value> = common::observations()
        .iter()
        .map(|o| {
            let attributes: serde_json::Map<String, serde_json::Value> = attribute_ids
                .iter()
                .zip(&o.attributes)
                .map(|(id, v)| (id.to_string(), serde_json::json!(v)))
                .collect();
            serde_json::json!({"key": o.key, "time": o.time, "value": o.value, "attributes": attributes})
        })
        .collect();
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_vec_pretty(&expected)?,
    )?;
    println!("wrote the fixture to {}", dir.display());
    Ok(())
}
