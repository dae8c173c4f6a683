//! `marrakech compact export`.

use std::io::Write;

use anyhow::Context;
use marrakech_core::Compact;

use crate::cli::{ExportArgs, ExportFormat};

pub fn compact(args: &ExportArgs) -> anyhow::Result<()> {
    let compact = Compact::official();
    let body = match args.format {
        ExportFormat::Json => {
            let mut text = serde_json::to_string_pretty(compact)?;
            text.push('\n');
            text
        }
        ExportFormat::Csv => passages_csv(compact)?,
    };
    match &args.output {
        Some(path) => std::fs::write(path, body)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout()
            .lock()
            .write_all(body.as_bytes())
            .context("cannot write to standard output")?,
    }
    Ok(())
}

/// One row per citable passage, in document order.
fn passages_csv(compact: &Compact) -> anyhow::Result<String> {
    let header = [
        "id",
        "kind",
        "paragraph",
        "parent",
        "label",
        "section",
        "subsection",
        "title",
        "heading",
        "text",
        "footnotes",
    ];
    let rows = compact.passages().into_iter().map(|p| {
        let footnotes: Vec<String> = p.footnotes.iter().map(u32::to_string).collect();
        [
            p.id,
            p.kind.as_str(),
            p.paragraph_id.unwrap_or_default(),
            p.parent_id.unwrap_or_default(),
            p.label.unwrap_or_default(),
            p.section.slug(),
            p.subsection.unwrap_or_default(),
            p.title.unwrap_or_default(),
            p.heading.unwrap_or_default(),
            p.text,
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([footnotes.join(" ")])
        .collect::<Vec<String>>()
    });
    Ok(marrakech_core::spreadsheet::to_csv(header, rows)?)
}
