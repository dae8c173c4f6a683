//! Realistic generated knowledge items, for benchmarks and tests.
//!
//! Deterministic: item `n` of seed `s` is always the same document, whatever else was
//! generated before it, so any count (10k, 100k, 1M) is a prefix of the same sequence and
//! each benchmark engine can regenerate the items it loads without holding them in memory.
//!
//! What makes them realistic:
//! - taxonomy: 1-3 objectives (weighted toward the ones practices cluster on), actions of
//!   those objectives, 1-3 guiding principles, from [`marrakech_core::Compact::official`];
//! - places: real countries with their M49 codes (a list of major origin, transit and
//!   destination countries weighted up, then every country), M49 regions, or global;
//! - organizations: real UN Network on Migration member agencies, ministries and national
//!   agencies, regional bodies, NGOs, universities, unions, employers, cities, NHRIs and
//!   foundations, with their types;
//! - text: English titles, summaries and bodies from templates plus the compact's own action
//!   texts for the item's actions (so the vocabulary is the compact's); French, Spanish,
//!   Russian, Arabic and Chinese versions from a committed glossary of migration terms and
//!   parallel templates (`glossary.rs`), built from the same plan as the English so the
//!   versions are translations of each other. Originals are 55 % English, 14 % French, 14 %
//!   Spanish, 6 % Arabic, 6 % Chinese, 5 % Russian; most non-English items also carry an
//!   English translation, some a French or Spanish one;
//! - lengths: titles of 5-15 words, summaries of 2-3 sentences, bodies of 8-16 sentences
//!   (roughly 150-400 words) in the original, title and summary (sometimes the body) in
//!   translations;
//! - dates: 2015-2026, more in recent years.

use std::sync::OnceLock;

use marrakech_core::countries::M49;
use marrakech_core::{Compact, CompactRef, Reference};

use crate::document::{
    Area, ItemKind, Language, LanguageVersion, Organization, OrganizationKind, SearchDocument,
};
use crate::glossary::{
    ACTIVITIES, ACTORS, COUNTRY_NAMES, GROUPS, ORGANIZATIONS, RESULTS, SENTENCES, SEVERAL_REGIONS,
    THE_COUNTRY, THE_REGION, TITLES, TOPICS,
};

/// An endless, deterministic stream of items; `take(n)` for a corpus.
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    next: u64,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { seed, next: 0 }
    }

    /// Item number `n` of this seed.
    pub fn item(&self, n: u64) -> SearchDocument {
        generate(self.seed, n)
    }

    /// The id item `n` gets.
    pub fn id(n: u64) -> String {
        format!("ki-{n:08}")
    }
}

impl Iterator for Generator {
    type Item = SearchDocument;
    fn next(&mut self) -> Option<SearchDocument> {
        let doc = generate(self.seed, self.next);
        self.next += 1;
        Some(doc)
    }
}

/// SplitMix64: tiny, fast, and fixed forever (a `rand` upgrade could change every corpus).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next_u64();
        r
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    pub(crate) fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Objective weights: data, regular pathways, decent work, vulnerabilities, inclusion,
/// remittances, return and cooperation are where most submitted practices cluster.
const OBJECTIVE_WEIGHTS: [u32; 23] = [
    9, 6, 5, 3, 8, 8, 8, 4, 3, 5, 4, 3, 3, 3, 6, 8, 5, 5, 5, 7, 7, 3, 8,
];
const PRINCIPLE_WEIGHTS: [u32; 10] = [8, 5, 4, 4, 6, 9, 7, 7, 6, 6];
const KIND_WEIGHTS: [u32; 5] = [40, 20, 20, 12, 8];
/// Original language weights in glossary order (en, fr, es, ru, ar, zh).
const ORIGINAL_WEIGHTS: [u32; 6] = [55, 14, 14, 5, 6, 6];
const YEARS: [(i32, u32); 12] = [
    (2015, 3),
    (2016, 4),
    (2017, 5),
    (2018, 8),
    (2019, 9),
    (2020, 9),
    (2021, 10),
    (2022, 11),
    (2023, 11),
    (2024, 11),
    (2025, 10),
    (2026, 6),
];

/// Glossary column of a language.
fn col(l: Language) -> usize {
    match l {
        Language::En => 0,
        Language::Fr => 1,
        Language::Es => 2,
        Language::Ru => 3,
        Language::Ar => 4,
        Language::Zh => 5,
    }
}

const BY_COLUMN: [Language; 6] = [
    Language::En,
    Language::Fr,
    Language::Es,
    Language::Ru,
    Language::Ar,
    Language::Zh,
];

struct Vocab {
    /// Per objective (index = number - 1): its actions' letters and texts.
    actions: Vec<Vec<(char, String)>>,
    titles: Vec<String>,
    /// Topic indices per objective.
    topics: Vec<Vec<usize>>,
    all_countries: Vec<M49>,
    /// Region codes (regions and sub-regions) to name as areas.
    areas: Vec<M49>,
    orgs: Vec<Organization>,
}

fn vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| {
        let compact = Compact::official();
        let mut actions = vec![Vec::new(); 23];
        let mut titles = vec![String::new(); 23];
        for o in &compact.objectives {
            let i = usize::from(o.number) - 1;
            titles[i] = o.title.clone();
            actions[i] = o
                .actions
                .iter()
                .map(|a| (a.letter, a.text.clone()))
                .collect();
        }
        let mut topics = vec![Vec::new(); 23];
        for (i, (o, _)) in TOPICS.iter().enumerate() {
            topics[usize::from(*o) - 1].push(i);
        }
        let reference = Reference::official();
        let all_countries = reference.countries.iter().map(|c| c.m49).collect();
        let areas = reference
            .regions
            .iter()
            .filter(|r| {
                matches!(
                    r.level,
                    marrakech_core::countries::RegionLevel::Region
                        | marrakech_core::countries::RegionLevel::Subregion
                )
            })
            .map(|r| r.code)
            .collect();
        let orgs = ORGANIZATIONS
            .iter()
            .map(|(name, t)| Organization {
                name: (*name).to_owned(),
                kind: OrganizationKind::parse(t),
            })
            .collect();
        Vocab {
            actions,
            titles,
            topics,
            all_countries,
            areas,
            orgs,
        }
    })
}

/// The choices behind one item's text, shared by all its language versions.
struct Plan {
    topic: usize,
    topic2: usize,
    group: usize,
    actor: usize,
    year: i32,
    org: usize,
    place: Place,
    title: usize,
    title_group: usize,
    summary: Vec<Sentence>,
    body: Vec<Sentence>,
}

#[derive(Clone, Copy)]
struct Sentence {
    template: usize,
    actor: usize,
    activity: usize,
    result: usize,
    group: usize,
    topic2: usize,
}

enum Place {
    Country(M49),
    Region(M49),
    Global,
}

fn generate(seed: u64, n: u64) -> SearchDocument {
    let v = vocab();
    let mut rng = Rng::new(seed, n);
    let kind = ItemKind::ALL[rng.weighted(&KIND_WEIGHTS)];

    // Taxonomy.
    let mut objectives: Vec<u8> = Vec::new();
    for _ in 0..1 + rng.weighted(&[50, 35, 15]) {
        let o = rng.weighted(&OBJECTIVE_WEIGHTS) as u8 + 1;
        if !objectives.contains(&o) {
            objectives.push(o);
        }
    }
    let mut actions = Vec::new();
    for o in &objectives {
        let list = &v.actions[usize::from(*o) - 1];
        if list.is_empty() {
            continue;
        }
        for _ in 0..rng.weighted(&[25, 55, 20]) {
            let (letter, _) = rng.pick(list);
            let r = CompactRef::Action(*o, *letter);
            if !actions.contains(&r) {
                actions.push(r);
            }
        }
    }
    let mut principles = Vec::new();
    for _ in 0..1 + rng.weighted(&[45, 40, 15]) {
        let l = (b'a' + rng.weighted(&PRINCIPLE_WEIGHTS) as u8) as char;
        let r = CompactRef::Principle(l);
        if !principles.contains(&r) {
            principles.push(r);
        }
    }

    // Places.
    let mut countries: Vec<M49> = Vec::new();
    let mut areas: Vec<Area> = Vec::new();
    let scope = rng.weighted(&[70, 15, 15]);
    let country_count = match scope {
        0 => 1 + rng.weighted(&[60, 25, 10, 5]),
        1 => rng.weighted(&[60, 30, 10]),
        _ => rng.weighted(&[70, 30]),
    };
    for _ in 0..country_count {
        let code = if rng.chance(60) {
            M49::new(rng.pick(COUNTRY_NAMES).0).ok()
        } else {
            Some(*rng.pick(&v.all_countries))
        };
        if let Some(code) = code {
            if crate::document::country(code).is_some() && !countries.contains(&code) {
                countries.push(code);
            }
        }
    }
    match scope {
        1 if !v.areas.is_empty() => areas.push(Area::Region(*rng.pick(&v.areas))),
        2 => areas.push(Area::Global),
        _ => {}
    }
    let place = match (countries.first(), areas.first()) {
        (Some(c), _) if scope == 0 => Place::Country(*c),
        (_, Some(Area::Region(r))) => Place::Region(*r),
        (_, Some(Area::Global)) => Place::Global,
        (Some(c), None) => Place::Country(*c),
        (None, None) => Place::Global,
    };

    // Organizations: most items have a UN entity among their partners.
    let mut organizations: Vec<Organization> = Vec::new();
    for i in 0..1 + rng.weighted(&[40, 35, 25]) {
        let org = if i == 0 && rng.chance(50) {
            v.orgs[rng.below(21)].clone()
        } else {
            rng.pick(&v.orgs).clone()
        };
        if !organizations.contains(&org) {
            organizations.push(org);
        }
    }

    // Date.
    let weights: Vec<u32> = YEARS.iter().map(|(_, w)| *w).collect();
    let year = YEARS[rng.weighted(&weights)].0;
    let day = 1 + rng.below(365) as u16;
    let published = time::Date::from_ordinal_date(year, day)
        .unwrap_or_else(|_| time::Date::from_ordinal_date(year, 1).unwrap_or(time::Date::MIN));

    // Text plan.
    let topic_pool: Vec<usize> = objectives
        .iter()
        .flat_map(|o| v.topics[usize::from(*o) - 1].iter().copied())
        .collect();
    let topic = if topic_pool.is_empty() {
        rng.below(TOPICS.len())
    } else {
        *rng.pick(&topic_pool)
    };
    let sentence = |rng: &mut Rng| Sentence {
        template: rng.below(SENTENCES[0].len()),
        actor: rng.below(ACTORS.len()),
        activity: rng.below(ACTIVITIES.len()),
        result: rng.below(RESULTS.len()),
        group: rng.below(GROUPS.len()),
        topic2: if topic_pool.len() > 1 && rng.chance(50) {
            *rng.pick(&topic_pool)
        } else {
            rng.below(TOPICS.len())
        },
    };
    let summary: Vec<Sentence> = (0..2 + rng.below(2)).map(|_| sentence(&mut rng)).collect();
    let body: Vec<Sentence> = (0..8 + rng.below(9)).map(|_| sentence(&mut rng)).collect();
    let title_group = match kind {
        ItemKind::Practice | ItemKind::Initiative => 0,
        ItemKind::Evidence => 1,
        ItemKind::PolicyTool => 2,
        ItemKind::Dataset => 3,
    };
    let plan = Plan {
        topic,
        topic2: rng.below(TOPICS.len()),
        group: rng.below(GROUPS.len()),
        actor: rng.below(ACTORS.len()),
        year: year - 1 - rng.below(3) as i32,
        org: rng.below(organizations.len().max(1)),
        place,
        title: rng.below(TITLES[title_group][0].len()),
        title_group,
        summary,
        body,
    };

    // Languages.
    let original = BY_COLUMN[rng.weighted(&ORIGINAL_WEIGHTS)];
    let mut versions = vec![render(
        &plan,
        original,
        true,
        true,
        &organizations,
        &actions,
    )];
    if original != Language::En && rng.chance(70) {
        let with_body = rng.chance(40);
        versions.push(render(
            &plan,
            Language::En,
            false,
            with_body,
            &organizations,
            &actions,
        ));
    }
    if rng.chance(12) {
        let extra = if rng.chance(50) {
            Language::Fr
        } else {
            Language::Es
        };
        if versions.iter().all(|x| x.language != extra) {
            versions.push(render(&plan, extra, false, false, &organizations, &actions));
        }
    }

    SearchDocument {
        id: Generator::id(n),
        kind,
        versions,
        objectives: objectives
            .iter()
            .map(|o| CompactRef::Objective(*o))
            .collect(),
        actions,
        principles,
        countries,
        areas,
        organizations,
        published,
    }
}

fn render(
    plan: &Plan,
    language: Language,
    original: bool,
    with_body: bool,
    organizations: &[Organization],
    actions: &[CompactRef],
) -> LanguageVersion {
    let c = col(language);
    let place = place_name(&plan.place, c);
    let org = organizations
        .get(plan.org)
        .map(|o| o.name.as_str())
        .unwrap_or("IOM");
    let year = plan.year.to_string();
    let base = Slots {
        topic: TOPICS[plan.topic].1[c],
        topic2: TOPICS[plan.topic2].1[c],
        group: GROUPS[plan.group][c],
        actor: ACTORS[plan.actor][c],
        activity: ACTIVITIES[0][c],
        result: RESULTS[0][c],
        place: &place,
        year: &year,
        org,
    };
    let title_template =
        TITLES[plan.title_group][c][plan.title % TITLES[plan.title_group][c].len()];
    let mut title = String::with_capacity(96);
    fill(&mut title, title_template, &base);
    capitalize_first(&mut title);

    let mut summary = String::with_capacity(400);
    for s in &plan.summary {
        sentence_into(&mut summary, s, c, &base);
    }
    let mut body = String::new();
    if with_body {
        body.reserve(2_500);
        let v = vocab();
        for (i, s) in plan.body.iter().enumerate() {
            sentence_into(&mut body, s, c, &base);
            // The compact's own words for the item's actions, in the English version (the
            // compact is bundled in English only).
            if language == Language::En && i == 2 {
                for a in actions.iter().take(2) {
                    if let CompactRef::Action(o, letter) = a {
                        let text = v.actions[usize::from(*o) - 1]
                            .iter()
                            .find(|(l, _)| l == letter)
                            .map(|(_, t)| t.as_str())
                            .unwrap_or_default();
                        body.push_str(&format!(
                            "Under action ({letter}) of objective {o}, the partners committed to "
                        ));
                        lower_first_into(&mut body, text);
                        body.push(' ');
                    }
                }
                if let Some(CompactRef::Action(o, _)) = actions.first() {
                    body.push_str(&format!(
                        "The work contributes to objective {o}: {}. ",
                        v.titles[usize::from(*o) - 1]
                    ));
                }
            }
        }
    }
    LanguageVersion {
        language,
        title,
        summary: summary.trim_end().to_owned(),
        body: body.trim_end().to_owned(),
        original,
    }
}

#[derive(Clone, Copy)]
struct Slots<'a> {
    topic: &'a str,
    topic2: &'a str,
    group: &'a str,
    actor: &'a str,
    activity: &'a str,
    result: &'a str,
    place: &'a str,
    year: &'a str,
    org: &'a str,
}

fn sentence_into(out: &mut String, s: &Sentence, c: usize, base: &Slots<'_>) {
    let slots = Slots {
        actor: ACTORS[s.actor][c],
        activity: ACTIVITIES[s.activity][c],
        result: RESULTS[s.result][c],
        group: GROUPS[s.group][c],
        topic2: TOPICS[s.topic2].1[c],
        ..*base
    };
    let start = out.len();
    fill(out, SENTENCES[c][s.template % SENTENCES[c].len()], &slots);
    let mut sentence = out.split_off(start);
    capitalize_first(&mut sentence);
    out.push_str(&sentence);
    // Chinese and Japanese punctuation carries its own spacing.
    if c != 5 {
        out.push(' ');
    }
}

/// Replaces `{slot}`s in one pass.
fn fill(out: &mut String, template: &str, s: &Slots<'_>) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        let value = match &after[..close] {
            "topic" => s.topic,
            "topic2" => s.topic2,
            "group" => s.group,
            "actor" => s.actor,
            "activity" => s.activity,
            "result" => s.result,
            "place" => s.place,
            "year" => s.year,
            "org" => s.org,
            other => other,
        };
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

fn place_name(place: &Place, c: usize) -> String {
    match place {
        Place::Global => SEVERAL_REGIONS[c].to_owned(),
        Place::Country(code) => {
            if let Some((_, names)) = COUNTRY_NAMES.iter().find(|(k, _)| *k == code.value()) {
                return names[c].to_owned();
            }
            match (c, crate::document::country(*code)) {
                // English, French and Spanish readers see the UN English name; scripts that
                // would need a transliteration say "the country".
                (0..=2, Some(country)) => country.name.clone(),
                _ => THE_COUNTRY[c].to_owned(),
            }
        }
        Place::Region(code) => {
            let name = Reference::official()
                .regions
                .iter()
                .find(|r| r.code == *code)
                .map(|r| r.name.clone());
            match (c, name) {
                (0, Some(n)) => n,
                _ => THE_REGION[c].to_owned(),
            }
        }
    }
}

fn capitalize_first(s: &mut String) {
    if let Some(first) = s.chars().next() {
        if first.is_lowercase() {
            let upper: String = first.to_uppercase().collect();
            s.replace_range(..first.len_utf8(), &upper);
        }
    }
}

fn lower_first_into(out: &mut String, text: &str) {
    let mut chars = text.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_lowercase());
        out.push_str(chars.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_independent_of_order() {
        let a: Vec<SearchDocument> = Generator::new(42).take(30).collect();
        let g = Generator::new(42);
        assert_eq!(a[17], g.item(17));
        assert_eq!(a, Generator::new(42).take(30).collect::<Vec<_>>());
        assert_ne!(a[0], Generator::new(43).item(0));
    }

    #[test]
    fn items_are_valid_and_varied() {
        let items: Vec<SearchDocument> = Generator::new(1).take(2_000).collect();
        let mut originals = std::collections::BTreeMap::new();
        for d in &items {
            d.validate().unwrap_or_else(|e| panic!("{}: {e}", d.id));
            *originals
                .entry(d.original().map(|v| v.language))
                .or_insert(0) += 1;
            let year = d.published.year();
            assert!((2015..=2026).contains(&year));
        }
        // Every language is an original somewhere.
        assert_eq!(originals.len(), 6, "{originals:?}");
        let en = items
            .iter()
            .filter_map(|d| d.original())
            .filter(|v| v.language == Language::En)
            .map(|v| v.body.split_whitespace().count())
            .collect::<Vec<_>>();
        let mean = en.iter().sum::<usize>() / en.len();
        assert!(
            (150..=500).contains(&mean),
            "mean English body {mean} words"
        );
        assert!(items.iter().any(|d| d.areas.contains(&Area::Global)));
    }

    #[test]
    fn every_glossary_organization_type_parses() {
        for (name, t) in ORGANIZATIONS {
            assert!(OrganizationKind::parse(t).is_some(), "{name}: {t}");
        }
        for (code, names) in COUNTRY_NAMES {
            let m49 = M49::new(*code).unwrap();
            assert!(
                crate::document::country(m49).is_some(),
                "{code} {}",
                names[0]
            );
        }
    }

    #[test]
    fn rng_below_is_in_range_and_spread() {
        let mut r = Rng::new(9, 9);
        let mut seen = [0u32; 7];
        for _ in 0..7_000 {
            seen[r.below(7)] += 1;
        }
        assert!(seen.iter().all(|c| *c > 800), "{seen:?}");
    }
}
