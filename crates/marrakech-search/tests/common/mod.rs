#![allow(dead_code)]

use marrakech_core::countries::M49;
use marrakech_core::CompactRef;
use marrakech_search::{
    Area, Index, IndexOptions, ItemKind, Language, LanguageVersion, Organization, OrganizationKind,
    SearchDocument, SearchRequest, SearchResults,
};

pub fn index() -> Index {
    Index::in_ram(IndexOptions {
        writer_memory_bytes: 50_000_000,
        writer_threads: 1,
        search_threads: 2,
    })
    .unwrap()
}

pub fn version(language: Language, title: &str, summary: &str, original: bool) -> LanguageVersion {
    LanguageVersion {
        language,
        title: title.to_owned(),
        summary: summary.to_owned(),
        body: String::new(),
        original,
    }
}

/// A valid document with one original version and plain taxonomy.
pub fn doc(id: &str, language: Language, title: &str, summary: &str) -> SearchDocument {
    SearchDocument {
        id: id.to_owned(),
        kind: ItemKind::Practice,
        versions: vec![version(language, title, summary, true)],
        objectives: vec![CompactRef::Objective(6)],
        actions: vec![],
        principles: vec![CompactRef::Principle('f')],
        countries: vec![M49::new(404).unwrap()],
        areas: vec![],
        organizations: vec![Organization {
            name: "International Labour Organization (ILO)".to_owned(),
            kind: Some(OrganizationKind::UnEntity),
        }],
        published: time::macros::date!(2021 - 03 - 15),
    }
}

pub fn with_areas(mut d: SearchDocument, areas: Vec<Area>) -> SearchDocument {
    d.areas = areas;
    d
}

pub fn search(index: &Index, q: &str) -> SearchResults {
    index.search(&SearchRequest::new(q)).unwrap()
}

pub fn ids(results: &SearchResults) -> Vec<String> {
    let mut v: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    v.sort();
    v
}

pub fn load(index: &Index, docs: &[SearchDocument]) {
    for d in docs {
        index.upsert(d).unwrap();
    }
    index.commit().unwrap();
}
