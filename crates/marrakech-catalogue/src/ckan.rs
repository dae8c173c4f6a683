//! CKAN packages: an item as the Action API's `package_show` returns it, and any CKAN
//! portal's package read back into an item.
//!
//! The mapping (issue 4): items are packages, implementing organizations are organizations,
//! objectives are groups (`obj-7`), guiding principles and themes are tags, links and
//! attachments are resources. What CKAN has no field for travels in `marrakech_*` extras, so
//! that one Marrakech harvests another without loss; a plain CKAN package maps as far as its
//! title, notes, tags, groups, licence, organization and resources go.

use marrakech_core::compact::{CompactRef, OBJECTIVE_LABELS};
use marrakech_core::countries::M49;
use marrakech_core::knowledge::{ImplementationState, ItemKind, Language};
use marrakech_core::policy::OrganizationKind;
use marrakech_store::knowledge::{
    HarvestedItem, Item, ItemContent, ItemText, Link, Party, PartyRole,
};
use serde_json::{json, Map, Value};

use crate::{compact_id, RecordError, Site};

/// The extras Marrakech writes, and reads back when present.
const EXTRA_KIND: &str = "marrakech_kind";
const EXTRA_ORIGINAL_LANGUAGE: &str = "marrakech_original_language";
/// JSON: every language version, `[{language, title, summary, body, results}]`.
const EXTRA_TEXTS: &str = "marrakech_texts";
const EXTRA_ACTIONS: &str = "marrakech_actions";
const EXTRA_PRINCIPLES: &str = "marrakech_principles";
/// JSON: the free thematic tags (tags alone cannot tell a theme from a principle).
const EXTRA_THEMES: &str = "marrakech_themes";
/// M49 codes, comma-separated.
const EXTRA_COUNTRIES: &str = "marrakech_countries";
const EXTRA_REGIONS: &str = "marrakech_regions";
const EXTRA_GLOBAL: &str = "marrakech_global";
/// JSON: `[{role, name, kind}]`.
const EXTRA_PARTIES: &str = "marrakech_parties";
const EXTRA_PERIOD_START: &str = "marrakech_period_start";
const EXTRA_PERIOD_END: &str = "marrakech_period_end";
const EXTRA_STATE: &str = "marrakech_implementation_state";
const EXTRA_ISSUED: &str = "marrakech_issued";

/// A CKAN name: lowercase letters, digits, `-` and `_`, 2 to 100 characters. Names in other
/// scripts have no such spelling; they get a stable one from their hash.
pub fn ckan_name(text: &str) -> String {
    let mut name = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    if name.len() >= 2 {
        name.chars()
            .take(100)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned()
    } else {
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("org-{hash:016x}")
    }
}

/// The group an objective is: `{name: "obj-7", title: "Objective 7: Reduce vulnerabilities"}`.
pub fn objective_group(site: &Site, number: u8) -> Value {
    let label = OBJECTIVE_LABELS
        .get(usize::from(number).wrapping_sub(1))
        .copied()
        .unwrap_or_default();
    json!({
        "id": format!("obj-{number}"),
        "name": format!("obj-{number}"),
        "title": format!("Objective {number}: {label}"),
        "display_name": format!("Objective {number}: {label}"),
        "description": "",
        "type": "group",
        "is_organization": false,
        "state": "active",
        "url": format!("{}/objectives/obj-{number}", site.base),
    })
}

/// The organization a party is.
pub fn organization(party: &Party) -> Value {
    let name = ckan_name(&party.name);
    json!({
        "id": party.organization_id.clone().unwrap_or_else(|| name.clone()),
        "name": name,
        "title": party.name,
        "display_name": party.name,
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "description": party.kind.map(|k| k.label()).unwrap_or_default(),
    })
}

fn tag(name: &str) -> Value {
    json!({"name": name, "display_name": name, "state": "active", "vocabulary_id": null})
}

fn extra(key: &str, value: impl Into<String>) -> Value {
    json!({"key": key, "value": value.into()})
}

/// An item as a CKAN package (`package_show`'s `result`). Contact details never appear.
pub fn package(site: &Site, item: &Item) -> Value {
    let c = &item.content;
    let original = c.original();
    let title = original.map(|t| t.title.clone()).unwrap_or_default();
    let notes = original
        .map(|t| {
            [t.summary.as_str(), t.body.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .unwrap_or_default();
    let groups: Vec<Value> = c
        .objectives
        .iter()
        .filter_map(|o| match CompactRef::parse(o) {
            Ok(CompactRef::Objective(n)) => Some(objective_group(site, n)),
            _ => None,
        })
        .collect();
    let tags: Vec<Value> = c
        .principles
        .iter()
        .chain(&c.themes)
        .map(|t| tag(t))
        .collect();
    let resources: Vec<Value> = c
        .links
        .iter()
        .map(|l| {
            (
                l.url.clone(),
                l.title.clone(),
                l.format.clone().unwrap_or_default(),
                Value::Null,
                Value::Null,
            )
        })
        .chain(item.attachments.iter().map(|a| {
            (
                format!("{}/files/{}", site.base, a.id),
                a.filename.clone(),
                format_of(&a.media_type),
                json!(a.media_type),
                json!(a.size_bytes),
            )
        }))
        .enumerate()
        .map(|(position, (url, name, format, mimetype, size))| {
            json!({
                "id": format!("{}-{position}", item.id),
                "package_id": item.id,
                "url": url,
                "name": name,
                "format": format,
                "mimetype": mimetype,
                "size": size,
                "position": position,
                "state": "active",
            })
        })
        .collect();
    let texts: Vec<Value> = c
        .texts
        .iter()
        .map(|t| json!({"language": t.language.code(), "title": t.title, "summary": t.summary, "body": t.body, "results": t.results}))
        .collect();
    let parties: Vec<Value> = c
        .parties
        .iter()
        .map(|p| json!({"role": p.role.as_str(), "name": p.name, "kind": p.kind.map(|k| k.slug())}))
        .collect();
    let codes = |list: &[M49]| {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut extras = vec![
        extra(EXTRA_KIND, c.kind.slug()),
        extra(EXTRA_ORIGINAL_LANGUAGE, c.original_language.code()),
        extra(EXTRA_TEXTS, Value::Array(texts).to_string()),
        extra(EXTRA_ACTIONS, c.actions.join(",")),
        extra(EXTRA_PRINCIPLES, c.principles.join(",")),
        extra(EXTRA_THEMES, json!(c.themes).to_string()),
        extra(EXTRA_COUNTRIES, codes(&c.countries)),
        extra(EXTRA_REGIONS, codes(&c.regions)),
        extra(EXTRA_GLOBAL, if c.global { "true" } else { "false" }),
        extra(EXTRA_PARTIES, Value::Array(parties).to_string()),
    ];
    if let Some(start) = c.period_start {
        extras.push(extra(EXTRA_PERIOD_START, start.to_string()));
    }
    if let Some(end) = c.period_end {
        extras.push(extra(EXTRA_PERIOD_END, end.to_string()));
    }
    if let Some(state) = c.implementation_state {
        extras.push(extra(EXTRA_STATE, state.slug()));
    }
    if let Some(published) = &item.published_at {
        extras.push(extra(EXTRA_ISSUED, published.clone()));
    }
    let implementer = c.parties.iter().find(|p| p.role == PartyRole::Implementer);
    let organization = implementer.map(organization);
    json!({
        "id": item.id,
        "name": item.id,
        "title": title,
        "notes": notes,
        "type": "dataset",
        "state": "active",
        "private": false,
        "url": site.item_iri(&item.id),
        "license_id": c.licence,
        "license_title": marrakech_core::knowledge::licence_label(&c.licence).unwrap_or(&c.licence),
        "metadata_created": ckan_time(item.published_at.as_deref().unwrap_or(&item.created_at)),
        "metadata_modified": ckan_time(&item.updated_at),
        "owner_org": organization.as_ref().map(|o| o["id"].clone()),
        "organization": organization,
        "groups": groups,
        "num_tags": tags.len(),
        "tags": tags,
        "num_resources": resources.len(),
        "resources": resources,
        "extras": extras,
        "language": c.original_language.code(),
        "author": implementer.map(|p| p.name.clone()),
        "maintainer": null,
        "maintainer_email": null,
        "author_email": null,
        "version": null,
    })
}

/// CKAN writes times as `2024-05-01T10:00:00.123456`, in UTC without a zone.
fn ckan_time(stored: &str) -> String {
    stored.trim_end_matches('Z').to_owned()
}

fn format_of(media_type: &str) -> String {
    match media_type {
        "application/pdf" => "PDF",
        "text/csv" => "CSV",
        "application/json" => "JSON",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "XLSX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "DOCX",
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        "text/plain" => "TXT",
        other => other,
    }
    .to_owned()
}

/// CKAN's licence ids for the licences Marrakech knows; others pass through as they are.
fn licence_from_ckan(id: &str) -> String {
    match id.to_ascii_lowercase().as_str() {
        "" | "notspecified" | "other-closed" => "all-rights-reserved".into(),
        "cc-by" | "cc-by-4.0" => "CC-BY-4.0".into(),
        "cc-by-sa" | "cc-by-sa-4.0" => "CC-BY-SA-4.0".into(),
        "cc-nc" | "cc-by-nc-4.0" => "CC-BY-NC-4.0".into(),
        "cc-zero" | "cc0-1.0" => "CC0-1.0".into(),
        "odc-odbl" | "odbl-1.0" => "ODbL-1.0".into(),
        "cc-by-3.0-igo" => "CC-BY-3.0-IGO".into(),
        _ => id.to_owned(),
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Reads a CKAN package (from `package_search` or `package_show`) into an item to harvest.
pub fn read_package(package: &Value) -> Result<HarvestedItem, RecordError> {
    let record = ["id", "name"]
        .iter()
        .map(|k| text_of(&package[*k]))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "(a package without an id)".into());
    let refuse = |reason: String| RecordError {
        record: record.clone(),
        reason,
    };
    if !package.is_object() {
        return Err(refuse("it is not a JSON object".into()));
    }
    if package["private"] == Value::Bool(true) {
        return Err(refuse("it is private".into()));
    }
    let extras: Map<String, Value> = package["extras"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["key"].as_str()?.to_owned(), e["value"].clone())))
        .collect();
    let extra = |key: &str| extras.get(key).map(text_of).filter(|s| !s.is_empty());
    let codes = |key: &str, what: &str| -> Result<Vec<M49>, RecordError> {
        extra(key)
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.trim()
                    .parse()
                    .map_err(|_| refuse(format!("{key}: `{s}` is not an M49 {what} code")))
            })
            .collect()
    };
    let tags: Vec<String> = package["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str().or_else(|| t.as_str()).map(str::to_owned))
        .collect();
    let title = text_of(&package["title"]);
    let notes = text_of(&package["notes"]);

    let (kind, original_language, texts) = match extra(EXTRA_TEXTS) {
        Some(json) => {
            let kind = match extra(EXTRA_KIND) {
                Some(k) => ItemKind::parse(&k)
                    .ok_or_else(|| refuse(format!("{EXTRA_KIND}: `{k}` is not a kind of item")))?,
                None => ItemKind::Dataset,
            };
            let list: Vec<Value> = serde_json::from_str(&json)
                .map_err(|e| refuse(format!("{EXTRA_TEXTS} is not JSON: {e}")))?;
            let mut texts = Vec::new();
            for t in &list {
                let code = text_of(&t["language"]);
                let language = Language::parse(&code).ok_or_else(|| {
                    refuse(format!("{EXTRA_TEXTS}: `{code}` is not a UN language"))
                })?;
                texts.push(ItemText {
                    language,
                    title: text_of(&t["title"]),
                    summary: text_of(&t["summary"]),
                    body: text_of(&t["body"]),
                    results: text_of(&t["results"]),
                });
            }
            let original = extra(EXTRA_ORIGINAL_LANGUAGE)
                .and_then(|l| Language::parse(&l))
                .or_else(|| texts.first().map(|t| t.language))
                .unwrap_or(Language::En);
            (kind, original, texts)
        }
        None => {
            // A plain CKAN package: one text, in the language it declares (English if none).
            let language = ["language"]
                .iter()
                .filter_map(|k| {
                    package[*k]
                        .as_str()
                        .or_else(|| extras.get(*k).and_then(Value::as_str))
                })
                .find_map(Language::parse)
                .unwrap_or(Language::En);
            let (summary, body) = match notes.split_once("\n\n") {
                Some((first, rest)) if first.chars().count() <= 2_000 => {
                    (first.to_owned(), rest.to_owned())
                }
                _ => (notes.chars().take(2_000).collect(), String::new()),
            };
            (
                ItemKind::Dataset,
                language,
                vec![ItemText {
                    language,
                    title: title.clone(),
                    summary,
                    body,
                    results: String::new(),
                }],
            )
        }
    };
    if texts.iter().all(|t| t.title.trim().is_empty()) {
        return Err(refuse("it has no title".into()));
    }
    if !texts.iter().any(|t| t.language == original_language) {
        return Err(refuse(format!(
            "its original language `{original_language}` has no text"
        )));
    }

    let mut objectives = Vec::new();
    for g in package["groups"].as_array().into_iter().flatten() {
        let name = text_of(&g["name"]);
        if let Some(r @ CompactRef::Objective(_)) = compact_id(&name) {
            objectives.push(r.to_string());
        }
    }
    let ids = |key: &str,
               what: &str,
               accept: fn(&CompactRef) -> bool|
     -> Result<Vec<String>, RecordError> {
        extra(key)
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                compact_id(s.trim())
                    .filter(accept)
                    .map(|r| r.to_string())
                    .ok_or_else(|| {
                        refuse(format!("{key}: `{s}` is not one of the compact's {what}"))
                    })
            })
            .collect()
    };
    let actions = ids(EXTRA_ACTIONS, "actions", |r| {
        matches!(r, CompactRef::Action(..))
    })?;
    let (principles, themes) =
        if extras.contains_key(EXTRA_PRINCIPLES) || extras.contains_key(EXTRA_THEMES) {
            let principles = ids(EXTRA_PRINCIPLES, "guiding principles", |r| {
                matches!(r, CompactRef::Principle(_))
            })?;
            let themes: Vec<String> = match extra(EXTRA_THEMES) {
                Some(json) => serde_json::from_str(&json).map_err(|e| {
                    refuse(format!("{EXTRA_THEMES} is not a JSON list of strings: {e}"))
                })?,
                None => Vec::new(),
            };
            (principles, themes)
        } else {
            let mut principles = Vec::new();
            let mut themes = Vec::new();
            for t in tags {
                match compact_id(&t) {
                    Some(r @ CompactRef::Principle(_)) => principles.push(r.to_string()),
                    _ => themes.push(t),
                }
            }
            (principles, themes)
        };
    let countries = codes(EXTRA_COUNTRIES, "country")?;
    let regions = codes(EXTRA_REGIONS, "region")?;
    let global = extra(EXTRA_GLOBAL).is_some_and(|g| g == "true");

    let parties = match extra(EXTRA_PARTIES) {
        Some(json) => {
            let list: Vec<Value> = serde_json::from_str(&json)
                .map_err(|e| refuse(format!("{EXTRA_PARTIES} is not JSON: {e}")))?;
            list.iter()
                .filter(|p| !text_of(&p["name"]).is_empty())
                .map(|p| Party {
                    role: PartyRole::parse(&text_of(&p["role"])).unwrap_or(PartyRole::Partner),
                    name: text_of(&p["name"]),
                    organization_id: None,
                    kind: p["kind"].as_str().and_then(OrganizationKind::parse),
                })
                .collect()
        }
        None => package["organization"]["title"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(|name| {
                vec![Party {
                    role: PartyRole::Implementer,
                    name: name.to_owned(),
                    organization_id: None,
                    kind: None,
                }]
            })
            .unwrap_or_default(),
    };
    let year = |key: &str| -> Result<Option<i32>, RecordError> {
        extra(key)
            .map(|y| {
                y.parse()
                    .map_err(|_| refuse(format!("{key}: `{y}` is not a year")))
            })
            .transpose()
    };
    let links = package["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let url = text_of(&r["url"]);
            (!url.is_empty()).then(|| Link {
                title: Some(text_of(&r["name"]))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| url.clone()),
                format: Some(text_of(&r["format"])).filter(|f| !f.is_empty()),
                url,
            })
        })
        .collect();
    let published = extra(EXTRA_ISSUED).unwrap_or_else(|| text_of(&package["metadata_created"]));
    let published_at = match published.get(..19) {
        Some(stamp) if published.len() >= 19 => {
            let fraction = published
                .get(19..)
                .unwrap_or_default()
                .trim_start_matches('.')
                .trim_end_matches('Z');
            format!(
                "{stamp}.{:0<6}Z",
                &fraction.chars().take(6).collect::<String>()
            )
        }
        _ => marrakech_store::now_text(),
    };
    let mut content = ItemContent {
        kind,
        original_language,
        texts,
        objectives,
        actions,
        principles,
        countries,
        regions,
        global,
        themes,
        parties,
        period_start: year(EXTRA_PERIOD_START)?,
        period_end: year(EXTRA_PERIOD_END)?,
        implementation_state: extra(EXTRA_STATE).and_then(|s| ImplementationState::parse(&s)),
        licence: licence_from_ckan(&text_of(&package["license_id"])),
        links,
        call_id: None,
        contact_name: None,
        contact_email: None,
    };
    for a in content.actions.clone() {
        if let Some(CompactRef::Action(n, _)) = compact_id(&a) {
            content.objectives.push(format!("obj-{n}"));
        }
    }
    content.normalize();
    let source_url = Some(text_of(&package["url"])).filter(|u| u.starts_with("http"));
    Ok(HarvestedItem {
        source_id: record,
        source_url,
        published_at,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ckan_names() {
        assert_eq!(
            ckan_name("International Labour Organization (ILO)"),
            "international-labour-organization-ilo"
        );
        assert_eq!(
            ckan_name("  Ayuntamiento de Madrid  "),
            "ayuntamiento-de-madrid"
        );
        let arabic = ckan_name("المنظمة الدولية للهجرة");
        assert!(arabic.starts_with("org-") && arabic.len() == 20, "{arabic}");
        assert_eq!(arabic, ckan_name("المنظمة الدولية للهجرة"));
        assert_eq!(ckan_name(&"a".repeat(300)).len(), 100);
    }

    #[test]
    fn a_plain_ckan_package_maps_as_far_as_it_goes() {
        let package = json!({
            "id": "3f1c", "name": "remittance-prices", "title": "Remittance prices",
            "notes": "Quarterly prices.\n\nMethod: mystery shopping.",
            "license_id": "cc-by", "metadata_created": "2021-03-04T05:06:07.123",
            "organization": {"title": "World Bank"},
            "groups": [{"name": "obj-20"}, {"name": "economy"}],
            "tags": [{"name": "gp-b"}, {"name": "remittances"}],
            "resources": [{"url": "https://example.org/rpw.xlsx", "name": "", "format": "XLSX"}],
        });
        let item = read_package(&package).unwrap();
        assert_eq!(item.source_id, "3f1c");
        assert_eq!(item.published_at, "2021-03-04T05:06:07.123000Z");
        let c = &item.content;
        assert_eq!(c.kind, ItemKind::Dataset);
        assert_eq!(c.texts[0].summary, "Quarterly prices.");
        assert_eq!(c.texts[0].body, "Method: mystery shopping.");
        assert_eq!(c.objectives, ["obj-20"]);
        assert_eq!(c.principles, ["gp-b"]);
        assert_eq!(c.themes, ["remittances"]);
        assert_eq!(c.licence, "CC-BY-4.0");
        assert_eq!(c.parties[0].name, "World Bank");
        assert_eq!(c.links[0].title, "https://example.org/rpw.xlsx");
    }

    #[test]
    fn broken_packages_are_refused_with_their_reason() {
        let no_title = read_package(&json!({"id": "x1", "title": ""})).unwrap_err();
        assert_eq!(no_title.record, "x1");
        assert!(no_title.reason.contains("no title"));
        let bad_country = read_package(&json!({"id": "x2", "title": "T", "extras": [{"key": "marrakech_countries", "value": "48x"}]})).unwrap_err();
        assert!(
            bad_country.reason.contains("marrakech_countries"),
            "{}",
            bad_country.reason
        );
        let bad_action = read_package(&json!({"id": "x3", "title": "T", "extras": [{"key": "marrakech_actions", "value": "obj-7-z"}]})).unwrap_err();
        assert!(bad_action.reason.contains("obj-7-z"));
    }
}
