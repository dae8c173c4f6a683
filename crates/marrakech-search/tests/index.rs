//! Facets, filters, sorting, cursors, writes, persistence, concurrency, related items.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::*;
use marrakech_core::CompactRef;
use marrakech_search::facets::document_facet_values;
use marrakech_search::generator::Generator;
use marrakech_search::{
    Area, Cursor, DocumentError, Facet, FacetValue, Filters, Index, IndexOptions, Language,
    PageSize, ParseError, SearchDocument, SearchError, SearchRequest, SearchResults, Sort,
};

const CORPUS: usize = 1_500;

fn corpus() -> (Index, Vec<SearchDocument>) {
    let docs: Vec<SearchDocument> = Generator::new(11).take(CORPUS).collect();
    let index = index();
    assert_eq!(index.rebuild(docs.clone()).unwrap(), CORPUS as u64);
    (index, docs)
}

/// Every hit of a search, following cursors.
fn all_pages(index: &Index, mut request: SearchRequest) -> (Vec<String>, u64) {
    let mut ids = Vec::new();
    let mut total = None;
    loop {
        let r = index.search(&request).unwrap();
        assert!(r.hits.len() <= request.page_size.get());
        if let Some(t) = total {
            assert_eq!(t, r.total, "the total is the same on every page");
        }
        total = Some(r.total);
        ids.extend(r.hits.iter().map(|h| h.id.clone()));
        match r.next_cursor {
            Some(c) => request.cursor = Some(Cursor::parse(&c.to_string()).unwrap()),
            None => break,
        }
    }
    (ids, total.unwrap_or(0))
}

/// Brute force: counts of each facet value over `docs` that pass `filters`, a facet's own
/// filter ignored for its counts.
fn brute_counts(
    docs: &[&SearchDocument],
    filters: &Filters,
) -> BTreeMap<Facet, BTreeMap<String, u64>> {
    let mut out: BTreeMap<Facet, BTreeMap<String, u64>> = BTreeMap::new();
    for d in docs {
        let values = document_facet_values(d);
        let empty = Vec::new();
        for facet in Facet::ALL {
            let passes_others = Facet::ALL
                .iter()
                .filter(|f| **f != facet)
                .all(|f| filters.accepts(*f, values.get(f).unwrap_or(&empty)));
            if !passes_others {
                continue;
            }
            for v in values.get(&facet).unwrap_or(&empty) {
                *out.entry(facet)
                    .or_default()
                    .entry(v.to_string())
                    .or_default() += 1;
            }
        }
    }
    out
}

fn engine_counts(r: &SearchResults) -> BTreeMap<Facet, BTreeMap<String, u64>> {
    r.facets
        .iter()
        .filter(|f| !f.values.is_empty())
        .map(|f| {
            (
                f.facet,
                f.values
                    .iter()
                    .map(|v| (v.value.clone(), v.count))
                    .collect(),
            )
        })
        .collect()
}

fn passes(d: &SearchDocument, filters: &Filters) -> bool {
    let values = document_facet_values(d);
    let empty = Vec::new();
    Facet::ALL
        .iter()
        .all(|f| filters.accepts(*f, values.get(f).unwrap_or(&empty)))
}

fn filter_sets() -> Vec<Filters> {
    vec![
        Filters::new(),
        Filters::new().with(Facet::Kind, "practice").unwrap(),
        Filters::new()
            .with(Facet::Kind, "practice")
            .unwrap()
            .with(Facet::Kind, "evidence")
            .unwrap(),
        Filters::new()
            .with(Facet::Region, "002")
            .unwrap()
            .with(Facet::Objective, "obj-6")
            .unwrap()
            .with(Facet::Objective, "obj-20")
            .unwrap(),
        Filters::new()
            .with(Facet::Language, "fr")
            .unwrap()
            .with(Facet::Year, "2021")
            .unwrap()
            .with(Facet::Year, "2022")
            .unwrap(),
        Filters::new()
            .with(Facet::Country, "608")
            .unwrap()
            .with(Facet::Country, "484")
            .unwrap()
            .with(Facet::OrganizationType, "un-entity")
            .unwrap()
            .with(Facet::Principle, "gp-f")
            .unwrap(),
        Filters::new().with(Facet::Region, "global").unwrap(),
    ]
}

#[test]
fn browse_facet_counts_and_totals_equal_brute_force() {
    let (index, docs) = corpus();
    for filters in filter_sets() {
        let mut request = SearchRequest::new("");
        request.filters = filters.clone();
        let r = index.search(&request).unwrap();
        let all: Vec<&SearchDocument> = docs.iter().collect();
        let expected_total = docs.iter().filter(|d| passes(d, &filters)).count() as u64;
        assert_eq!(r.total, expected_total, "{filters:?}");
        assert!(expected_total > 0, "the filter set should match something");
        assert_eq!(
            engine_counts(&r),
            brute_counts(&all, &filters),
            "{filters:?}"
        );
    }
}

#[test]
fn query_facet_counts_equal_brute_force_over_the_matches() {
    let (index, docs) = corpus();
    let by_id: BTreeMap<&str, &SearchDocument> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
    for q in ["remittances", "migrant workers", "données", "移民"] {
        // The documents the query matches, without filters, listed through the cursor.
        let mut request = SearchRequest::new(q);
        request.page_size = PageSize::new(100).unwrap();
        request.facets = false;
        let (matched, total) = all_pages(&index, request);
        assert!(total > 0, "{q}");
        let matched: Vec<&SearchDocument> = matched.iter().map(|id| by_id[id.as_str()]).collect();
        for filters in filter_sets() {
            let mut request = SearchRequest::new(q);
            request.filters = filters.clone();
            let r = index.search(&request).unwrap();
            let expected = matched.iter().filter(|d| passes(d, &filters)).count() as u64;
            assert_eq!(r.total, expected, "{q} {filters:?}");
            assert_eq!(
                engine_counts(&r),
                brute_counts(&matched, &filters),
                "{q} {filters:?}"
            );
        }
    }
}

#[test]
fn filters_and_across_facets_or_within() {
    let (index, docs) = corpus();
    let filters = Filters::new()
        .with(Facet::Kind, "dataset")
        .unwrap()
        .with(Facet::Kind, "policy-tool")
        .unwrap()
        .with(Facet::Region, "142")
        .unwrap();
    let mut request = SearchRequest::new("");
    request.filters = filters;
    request.page_size = PageSize::new(100).unwrap();
    let (ids, total) = all_pages(&index, request);
    let expected: BTreeSet<String> = docs
        .iter()
        .filter(|d| {
            let values = document_facet_values(d);
            let kinds = &values[&Facet::Kind];
            let asia = values
                .get(&Facet::Region)
                .is_some_and(|r| r.contains(&FacetValue::parse(Facet::Region, "142").unwrap()));
            (kinds.contains(&FacetValue::parse(Facet::Kind, "dataset").unwrap())
                || kinds.contains(&FacetValue::parse(Facet::Kind, "policy-tool").unwrap()))
                && asia
        })
        .map(|d| d.id.clone())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(total as usize, expected.len());
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn bad_filter_values_are_refused_with_the_facet_named() {
    assert_eq!(
        Filters::new().with(Facet::Objective, "obj-24").unwrap_err(),
        ParseError::FacetValue {
            facet: "objective",
            value: "obj-24".into()
        }
    );
    assert!(Facet::parse("colour").is_err());
    assert!(Language::parse("de").is_none());
    assert!(Sort::parse("random").is_err());
}

#[test]
fn cursor_pagination_covers_every_hit_once_in_every_order() {
    let (index, _) = corpus();
    for (q, sort) in [
        ("migrants", Sort::Relevance),
        ("migrants", Sort::Newest),
        ("", Sort::Oldest),
        ("remittances", Sort::Relevance),
    ] {
        let mut request = SearchRequest::new(q);
        request.sort = sort;
        request.page_size = PageSize::new(37).unwrap();
        let (ids, total) = all_pages(&index, request.clone());
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "no duplicates ({q}, {sort:?})");
        assert_eq!(ids.len() as u64, total, "every hit ({q}, {sort:?})");
        // The pages are the one-shot ranking, cut in pieces.
        let mut big = request.clone();
        big.page_size = PageSize::new(100).unwrap();
        let first = index.search(&big).unwrap();
        let head: Vec<&String> = first.hits.iter().map(|h| &h.id).collect();
        assert_eq!(head, ids.iter().take(head.len()).collect::<Vec<_>>());
    }
}

#[test]
fn sort_by_date_orders_every_page() {
    let (index, _) = corpus();
    for (sort, newest_first) in [(Sort::Newest, true), (Sort::Oldest, false)] {
        let mut request = SearchRequest::new("workers");
        request.sort = sort;
        request.page_size = PageSize::new(50).unwrap();
        let mut dates = Vec::new();
        loop {
            let r = index.search(&request).unwrap();
            assert!(r.hits.iter().all(|h| h.score.is_none()));
            dates.extend(r.hits.iter().map(|h| h.published));
            match r.next_cursor {
                Some(c) => request.cursor = Some(c),
                None => break,
            }
        }
        assert!(dates.len() > 100);
        let ordered = dates.windows(2).all(|w| {
            if newest_first {
                w[0] >= w[1]
            } else {
                w[0] <= w[1]
            }
        });
        assert!(ordered, "{sort:?}");
    }
}

#[test]
fn a_cursor_from_another_search_is_refused() {
    let (index, _) = corpus();
    let mut request = SearchRequest::new("migrants");
    request.page_size = PageSize::new(5).unwrap();
    let cursor = index.search(&request).unwrap().next_cursor.unwrap();
    let mut other = SearchRequest::new("remittances");
    other.cursor = Some(cursor);
    assert!(matches!(
        index.search(&other),
        Err(SearchError::CursorMismatch)
    ));
    let mut resorted = request.clone();
    resorted.sort = Sort::Newest;
    resorted.cursor = Some(cursor);
    assert!(index.search(&resorted).unwrap_err().is_client_error());
    assert_eq!(Cursor::parse("not a cursor"), Err(ParseError::Cursor));
    assert!(PageSize::new(101).is_err());
}

#[test]
fn upsert_replace_and_delete_are_visible_at_once() {
    let index = index();
    let a = doc(
        "item-1",
        Language::En,
        "Consular protection in crises",
        "Hotlines.",
    );
    index.upsert(&a).unwrap();
    assert_eq!(
        search(&index, "consular").total,
        0,
        "not visible before commit"
    );
    index.commit().unwrap();
    assert_eq!(ids(&search(&index, "consular")), ["item-1"]);

    let mut edited = a.clone();
    edited.versions[0].title = "Skills recognition for nurses".into();
    index.upsert(&edited).unwrap();
    index.commit().unwrap();
    assert_eq!(search(&index, "consular").total, 0);
    assert_eq!(ids(&search(&index, "nurses")), ["item-1"]);
    assert_eq!(index.num_docs(), 1);

    index.delete("item-1").unwrap();
    index.commit().unwrap();
    assert_eq!(search(&index, "nurses").total, 0);
    assert_eq!(index.num_docs(), 0);
    // Deleting what does not exist is not an error.
    index.delete("never-was").unwrap();
    index.commit().unwrap();
}

#[test]
fn rollback_discards_uncommitted_changes() {
    let index = index();
    load(&index, &[doc("a", Language::En, "Remittances", "Costs.")]);
    index.delete("a").unwrap();
    index.rollback().unwrap();
    index.commit().unwrap();
    assert_eq!(index.num_docs(), 1);
}

#[test]
fn invalid_documents_are_refused_and_change_nothing() {
    let index = index();
    load(&index, &[doc("a", Language::En, "Remittances", "Costs.")]);

    let mut two_originals = doc("b", Language::En, "T", "S");
    two_originals
        .versions
        .push(version(Language::Fr, "T", "S", true));
    let mut unknown_country = doc("c", Language::En, "T", "S");
    unknown_country.countries = vec!["999".parse().unwrap()];
    let mut action_as_objective = doc("d", Language::En, "T", "S");
    action_as_objective.objectives = vec![CompactRef::Action(7, 'c')];
    let mut no_such_action = doc("e", Language::En, "T", "S");
    no_such_action.actions = vec![CompactRef::Action(1, 'z')];
    let empty_title = doc("f", Language::En, "  ", "S");
    let empty_id = doc("", Language::En, "T", "S");
    let mut duplicate_language = doc("g", Language::En, "T", "S");
    duplicate_language
        .versions
        .push(version(Language::En, "T2", "S", false));

    for (d, expected) in [
        (two_originals, DocumentError::Original(2)),
        (unknown_country, DocumentError::UnknownCountry("999".into())),
        (
            action_as_objective,
            DocumentError::WrongReference {
                id: "obj-7-c".into(),
                expected: "an objective",
            },
        ),
        (
            no_such_action,
            DocumentError::UnknownReference("obj-1-z".into()),
        ),
        (empty_title, DocumentError::EmptyTitle { language: "en" }),
        (empty_id, DocumentError::EmptyId),
        (duplicate_language, DocumentError::DuplicateLanguage("en")),
    ] {
        match index.upsert(&d) {
            Err(SearchError::InvalidDocument { source, .. }) => assert_eq!(source, expected),
            other => panic!("{}: {other:?}", d.id),
        }
    }
    index.commit().unwrap();
    assert_eq!(index.num_docs(), 1);

    // A rebuild with one bad document leaves the old index untouched.
    let mut docs: Vec<SearchDocument> = Generator::new(3).take(20).collect();
    docs[10].versions.clear();
    assert!(index.rebuild(docs).is_err());
    assert_eq!(index.num_docs(), 1);
    assert_eq!(ids(&search(&index, "remittances")), ["a"]);
}

#[test]
fn rebuild_replaces_everything() {
    let index = index();
    load(&index, &[doc("old", Language::En, "Remittances", "Costs.")]);
    let n = index.rebuild(Generator::new(5).take(200)).unwrap();
    assert_eq!(n, 200);
    assert_eq!(index.num_docs(), 200);
    assert_eq!(
        index
            .search(&SearchRequest::new(""))
            .unwrap()
            .hits
            .iter()
            .filter(|h| h.id == "old")
            .count(),
        0
    );
}

#[test]
fn the_index_persists_on_disk_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let options = IndexOptions {
        writer_memory_bytes: 20_000_000,
        writer_threads: 1,
        search_threads: 1,
    };
    {
        let index = Index::open_in_dir(dir.path(), options.clone()).unwrap();
        index.rebuild(Generator::new(9).take(100)).unwrap();
    }
    let index = Index::open_in_dir(dir.path(), options).unwrap();
    assert_eq!(index.num_docs(), 100);
    assert!(search(&index, "migrants").total > 0);
}

#[test]
fn searches_run_concurrently_with_writes() {
    let index = Arc::new(common::index());
    index.rebuild(Generator::new(21).take(300)).unwrap();
    let writer = {
        let index = index.clone();
        std::thread::spawn(move || {
            let g = Generator::new(22);
            for n in 0..40 {
                let mut d = g.item(n);
                d.id = format!("new-{n}");
                index.upsert(&d).unwrap();
                index.commit().unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|t| {
            let index = index.clone();
            std::thread::spawn(move || {
                let mut last = 0;
                for i in 0..60 {
                    let q = ["migrants", "remittances", "", "données"][(t + i) % 4];
                    let r = index.search(&SearchRequest::new(q)).unwrap();
                    if q.is_empty() {
                        // Commits only add: the browse total never goes down.
                        assert!(r.total >= last);
                        last = r.total;
                    }
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    assert_eq!(index.num_docs(), 340);
}

#[test]
fn a_free_text_finds_the_items_that_share_its_telling_words_in_any_language() {
    let index = index();
    let mut docs: Vec<SearchDocument> = Generator::new(37).take(300).collect();
    docs.push(doc(
        "fr",
        Language::Fr,
        "Réduire le coût des envois de fonds",
        "Comparateur des prix des envois de fonds et argent mobile pour les familles rurales.",
    ));
    docs.push(doc(
        "en",
        Language::En,
        "Remittance price comparison",
        "A remittance price comparison website and mobile money for rural families.",
    ));
    docs.push(doc(
        "other",
        Language::En,
        "Training border officials",
        "Search and rescue at sea.",
    ));
    load(&index, &docs);
    let keys = |text: &str| -> Vec<u64> {
        index
            .similar_to_text(text, 20)
            .unwrap()
            .into_iter()
            .map(|(key, score)| {
                assert!(score > 0.0);
                key
            })
            .collect()
    };
    let english = keys("We need remittance price comparison and mobile money for rural families");
    assert_eq!(english[0], Index::key_of("en"));
    assert!(!english.contains(&Index::key_of("other")));
    let french = keys("Nous voulons un comparateur des prix des envois de fonds");
    assert_eq!(french[0], Index::key_of("fr"));
    assert!(keys("").is_empty());
    assert!(index.similar_to_text("remittance", 0).unwrap().is_empty());
    let text = index.document_text("fr").unwrap().unwrap();
    assert!(
        text.starts_with("Réduire le coût des envois de fonds\n"),
        "{text}"
    );
    assert!(index.document_text("missing").unwrap().is_none());
}

#[test]
fn related_items_share_text_and_objectives_and_exclude_the_item() {
    let index = index();
    let mut docs: Vec<SearchDocument> = Generator::new(31).take(400).collect();
    let mut a = doc(
        "a",
        Language::En,
        "Lowering remittance costs in the Kenya corridor",
        "Digital remittances, mobile money and remittance price comparison.",
    );
    a.objectives = vec![CompactRef::Objective(20)];
    let mut b = doc(
        "b",
        Language::En,
        "Remittance price comparison website",
        "Mobile money and digital remittances for lower costs.",
    );
    b.objectives = vec![CompactRef::Objective(20)];
    let mut c = doc(
        "c",
        Language::En,
        "Training border officials",
        "Search and rescue at sea.",
    );
    c.objectives = vec![CompactRef::Objective(8)];
    docs.extend([a, b, c]);
    load(&index, &docs);
    let related = index.more_like_this("a", 10).unwrap();
    assert_eq!(related.len(), 10);
    assert_eq!(related[0].id, "b");
    assert!(related.iter().all(|h| h.id != "a"));
    assert!(related.iter().all(|h| h.id != "c"));
    assert!(index.more_like_this("unknown", 5).unwrap().is_empty());
    assert!(index.more_like_this("a", 0).unwrap().is_empty());
}

#[test]
fn regions_include_the_countries_regions_and_global() {
    let index = index();
    load(
        &index,
        &[
            doc("kenya", Language::En, "A", "x"),
            with_areas(
                {
                    let mut d = doc("world", Language::En, "B", "x");
                    d.countries.clear();
                    d
                },
                vec![Area::Global],
            ),
        ],
    );
    let r = search(&index, "");
    let regions = r.facets.iter().find(|f| f.facet == Facet::Region).unwrap();
    let values: Vec<(&str, u64)> = regions
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.count))
        .collect();
    // Kenya: Africa (002), Sub-Saharan Africa (202); the other item is global.
    assert!(values.contains(&("002", 1)), "{values:?}");
    assert!(values.contains(&("202", 1)), "{values:?}");
    assert!(values.contains(&("global", 1)), "{values:?}");
    let africa = regions.values.iter().find(|v| v.value == "002").unwrap();
    assert_eq!(africa.label, "Africa");
}
