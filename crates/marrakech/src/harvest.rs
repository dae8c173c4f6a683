//! `marrakech import ckan` and `marrakech import dcat`: harvesting another catalogue's records
//! as published knowledge items.
//!
//! Everything is fetched and read first; only then does one transaction write it (see
//! `Store::harvest`), so a harvest that fails halfway (the network, a broken record without
//! `--skip-invalid`) changes nothing.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use marrakech_catalogue::dcat::{self, Format};
use marrakech_catalogue::{ckan, RecordError};
use marrakech_store::knowledge::{HarvestReport, HarvestedItem};
use marrakech_store::AuditContext;
use serde_json::Value;

use crate::cli::{DcatArgs, HarvestArgs, RdfFormatArg};
use crate::config::Settings;
use crate::serve::{open_store, prepare};

/// The most pages of a DCAT catalogue followed, against a catalogue whose pages loop.
const MAX_PAGES: usize = 100_000;
/// The largest response read, in bytes.
const MAX_RESPONSE_BYTES: u64 = 512 * 1024 * 1024;

fn command_line() -> AuditContext {
    AuditContext {
        actor_id: None,
        actor_role: Some("command-line".into()),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .user_agent(concat!(
            "marrakech/",
            env!("CARGO_PKG_VERSION"),
            " (harvester)"
        ))
        .http_status_as_error(false)
        .build()
        .into()
}

/// GETs `url`; the body and its content type.
async fn fetch(url: &str) -> anyhow::Result<(Vec<u8>, Option<String>)> {
    let owned = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, Option<String>)> {
        let mut response = agent()
            .get(&owned)
            .header("Accept", "application/json, application/ld+json;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.7")
            .call()
            .with_context(|| format!("cannot fetch {owned}"))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .with_context(|| format!("cannot read the answer of {owned}"))?;
        if !status.is_success() {
            let excerpt: String = String::from_utf8_lossy(&body).chars().take(300).collect();
            bail!("{owned} answered {status}: {excerpt}");
        }
        Ok((body, content_type))
    })
    .await
    .context("the download task failed")?
}

/// Prints the report, and fails when records were refused without `--skip-invalid`.
fn finish(
    source: &str,
    rejected: &[RecordError],
    report: Option<&HarvestReport>,
) -> anyhow::Result<()> {
    for r in rejected {
        eprintln!("rejected {r}");
    }
    match report {
        Some(report) => {
            println!(
                "Harvested {source}: {} added, {} updated, {} unchanged, {} withdrawn, {} rejected.",
                report.added,
                report.updated,
                report.unchanged,
                report.withdrawn,
                rejected.len()
            );
            Ok(())
        }
        None => bail!(
            "{} record(s) of {source} are broken (listed above); nothing was imported. \
             Fix them at the source, or pass --skip-invalid to import the others.",
            rejected.len()
        ),
    }
}

/// Writes what was read, all or nothing. A source whose broken records were skipped keeps
/// its items here for them, rather than withdrawing what it could not read.
async fn write(
    settings: &Settings,
    source: &str,
    read: Vec<Result<HarvestedItem, RecordError>>,
    skip_invalid: bool,
) -> anyhow::Result<()> {
    let mut items = Vec::new();
    let mut rejected = Vec::new();
    let mut seen = HashSet::new();
    for record in read {
        match record {
            Ok(item) if seen.insert(item.source_id.clone()) => items.push(item),
            Ok(item) => rejected.push(RecordError {
                record: item.source_id,
                reason: "the source lists it twice".into(),
            }),
            Err(e) => rejected.push(e),
        }
    }
    if !rejected.is_empty() && !skip_invalid {
        return finish(source, &rejected, None);
    }
    let store = open_store(settings).await?;
    prepare(&store).await?;
    let withdraw_missing = rejected.is_empty();
    let report = store
        .harvest(&command_line(), source, items, withdraw_missing)
        .await
        .with_context(|| format!("cannot import the records of {source}"))?;
    tracing::info!(
        source,
        added = report.added,
        updated = report.updated,
        unchanged = report.unchanged,
        withdrawn = report.withdrawn,
        rejected = rejected.len(),
        "harvest done"
    );
    finish(source, &rejected, Some(&report))
}

/// The CKAN site's address without a trailing slash or the API path.
fn ckan_base(url: &str) -> anyhow::Result<String> {
    if !url.starts_with("http://") && !url.starts_with("https://") {
        bail!("`{url}` is not an http(s) address");
    }
    let base = url.trim_end_matches('/');
    let base = base
        .split_once("/api/")
        .map(|(site, _)| site)
        .unwrap_or(base);
    Ok(base.to_owned())
}

pub async fn ckan(settings: &Settings, args: &HarvestArgs) -> anyhow::Result<()> {
    if args.rows == 0 {
        bail!("--rows must be at least 1");
    }
    let base = ckan_base(&args.source)?;
    let mut read = Vec::new();
    let mut start = 0usize;
    loop {
        let url = format!(
            "{base}/api/3/action/package_search?q=*:*&rows={}&start={start}&sort=metadata_created%20asc",
            args.rows
        );
        let (body, _) = fetch(&url).await?;
        let answer: Value =
            serde_json::from_slice(&body).with_context(|| format!("{url} did not answer JSON"))?;
        if answer["success"] != Value::Bool(true) {
            bail!("{url} answered an error: {}", answer["error"]);
        }
        let count = answer["result"]["count"].as_u64().unwrap_or(0) as usize;
        let Some(packages) = answer["result"]["results"].as_array() else {
            bail!("{url} answered no result list");
        };
        read.extend(packages.iter().map(ckan::read_package));
        start += packages.len();
        eprintln!("read {start} of {count} packages from {base}");
        if packages.is_empty() || start >= count {
            break;
        }
    }
    write(settings, &base, read, args.skip_invalid).await
}

fn format_of(arg: Option<RdfFormatArg>, name: &str, content_type: Option<&str>) -> Option<Format> {
    match arg {
        Some(RdfFormatArg::Jsonld) => Some(Format::JsonLd),
        Some(RdfFormatArg::Ttl) => Some(Format::Turtle),
        Some(RdfFormatArg::Rdf) => Some(Format::RdfXml),
        None => content_type
            .and_then(Format::from_media_type)
            .or_else(|| Format::from_name(name)),
    }
}

pub async fn dcat(settings: &Settings, args: &DcatArgs) -> anyhow::Result<()> {
    let is_url = args.source.starts_with("http://") || args.source.starts_with("https://");
    let mut read = Vec::new();
    if !is_url {
        let path = Path::new(&args.source);
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let format = format_of(args.format, &args.source, None).with_context(|| {
            format!(
                "cannot tell the serialization of {}: pass --format jsonld, ttl or rdf",
                path.display()
            )
        })?;
        let base = format!(
            "file://{}",
            path.canonicalize().unwrap_or(path.to_owned()).display()
        );
        let page = dcat::read_catalog(&bytes, format, &base)?;
        read.extend(page.datasets);
        if page.next_page.is_some() {
            eprintln!("the file names a next page; only the file itself was read");
        }
        let source = path
            .canonicalize()
            .unwrap_or(path.to_owned())
            .display()
            .to_string();
        return write(settings, &source, read, args.skip_invalid).await;
    }
    let source = args.source.clone();
    let mut next = Some(source.clone());
    let mut visited = HashSet::new();
    while let Some(url) = next.take() {
        if !visited.insert(url.clone()) || visited.len() > MAX_PAGES {
            bail!("the catalogue's pages loop back to {url}");
        }
        let (bytes, content_type) = fetch(&url).await?;
        let format = format_of(args.format, &url, content_type.as_deref()).with_context(|| {
            format!(
                "cannot tell the serialization of {url} (content type {}): pass --format jsonld, ttl or rdf",
                content_type.as_deref().unwrap_or("none")
            )
        })?;
        let page = dcat::read_catalog(&bytes, format, &url)
            .with_context(|| format!("cannot read the catalogue page {url}"))?;
        read.extend(page.datasets);
        match page.total {
            Some(total) => eprintln!("read {} of {total} datasets from {source}", read.len()),
            None => eprintln!("read {} datasets from {source}", read.len()),
        }
        next = page.next_page;
    }
    write(
        settings,
        source.trim_end_matches('/'),
        read,
        args.skip_invalid,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ckan_bases() {
        assert_eq!(
            ckan_base("https://data.example.org/").unwrap(),
            "https://data.example.org"
        );
        assert_eq!(
            ckan_base("https://data.example.org/api/3/action/package_search").unwrap(),
            "https://data.example.org"
        );
        assert!(ckan_base("data.example.org").is_err());
    }
}
