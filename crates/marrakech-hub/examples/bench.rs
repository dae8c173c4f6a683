//! Matching latency against 100,000 knowledge items and past requests and 2,000 partners.
//!
//! ```sh
//! cargo run -p marrakech-hub --example bench --release
//! cargo run -p marrakech-hub --example bench --release -- --items 20000 --partners 500 --requests 100
//! ```
//!
//! The collections are generated from a fixed seed with the committed evaluation data as
//! their model: texts draw on the vocabulary of the committed items (words of the items of
//! the same objective, plus a Zipf-distributed general vocabulary with a long tail of rare
//! words), objectives follow a skewed popularity, countries are UN Member States, languages
//! are mostly English with the other UN languages. The requests are the 62 committed requests
//! plus generated ones. Each request asks for the top 10 partners and the top 10 items; the
//! run measures the full scorer, the same matcher with text-only weights, and BM25 retrieval
//! alone (the text-only baseline without the other factors), one request at a time on one
//! thread, after a warm-up pass.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use marrakech_core::{Compact, Reference};
use marrakech_hub::evaluation::EvaluationSet;
use marrakech_hub::text::analyze;
use marrakech_hub::{
    Bm25, Candidate, CandidateInput, HubRequest, MatchOptions, Matcher, PartnerInput,
    PartnerProfile, RequestInput, TextSimilarity, Weights,
};

const PARTNERS: &str = include_str!("../data/partners.json");
const ITEMS: &str = include_str!("../data/items.json");
const REQUESTS: &str = include_str!("../data/requests.json");

/// SplitMix64: small, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
    /// An index drawn with the given cumulative weights.
    fn weighted(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(1.0);
        let x = (self.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        cumulative
            .partition_point(|&c| c < x)
            .min(cumulative.len() - 1)
    }
}

fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .into_iter()
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

/// Words to write texts with.
struct Vocabulary {
    /// General words, most frequent first, sampled with a Zipf law.
    general: Vec<String>,
    zipf: Vec<f64>,
    /// Words of the committed items of each objective (with their repetitions).
    by_objective: Vec<Vec<String>>,
}

impl Vocabulary {
    fn new(set: &EvaluationSet, rng: &mut Rng) -> Vocabulary {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut by_objective = vec![Vec::new(); 24];
        let mut add = |text: &str, objectives: &[u8], counts: &mut HashMap<String, usize>| {
            for (_, word) in analyze(text) {
                *counts.entry(word.clone()).or_insert(0) += 1;
                for &o in objectives {
                    by_objective[o as usize].push(word.clone());
                }
            }
        };
        for c in &set.candidates {
            add(&c.text(), c.topics().objectives(), &mut counts);
        }
        for p in &set.partners {
            add(&p.text(), p.topics().objectives(), &mut counts);
        }
        for r in &set.requests {
            add(
                &r.request.text(),
                r.request.topics().objectives(),
                &mut counts,
            );
        }
        let mut general: Vec<(String, usize)> = counts.into_iter().collect();
        general.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut general: Vec<String> = general.into_iter().map(|(w, _)| w).collect();
        // A long tail of rare words (names of places, organizations, programmes).
        const SYLLABLES: [&str; 24] = [
            "ka", "lo", "mi", "ta", "ru", "sen", "da", "bo", "ne", "vi", "tra", "gu", "el", "sha",
            "mon", "ar", "ri", "zi", "pa", "kon", "de", "ma", "lu", "or",
        ];
        while general.len() < 30_000 {
            let n = rng.range(2, 4);
            let word: String = (0..n).map(|_| *rng.pick(&SYLLABLES)).collect();
            general.push(word);
        }
        let zipf = cumulative((1..=general.len()).map(|r| 1.0 / (r as f64).powf(1.07)));
        Vocabulary {
            general,
            zipf,
            by_objective,
        }
    }

    fn text(&self, rng: &mut Rng, objectives: &[u8], words: usize) -> String {
        let mut out = String::with_capacity(words * 8);
        for i in 0..words {
            if i > 0 {
                out.push(if rng.chance(0.08) { '.' } else { ' ' });
                out.push(' ');
            }
            let topical = !objectives.is_empty() && rng.chance(0.4);
            let word = if topical {
                let pool = &self.by_objective[*rng.pick(objectives) as usize];
                if pool.is_empty() {
                    &self.general[rng.weighted(&self.zipf)]
                } else {
                    rng.pick(pool)
                }
            } else {
                &self.general[rng.weighted(&self.zipf)]
            };
            out.push_str(word);
        }
        out
    }
}

/// What the generator draws compact ids, countries and languages from.
struct World {
    objective_weights: Vec<f64>,
    actions: Vec<Vec<char>>,
    countries: Vec<String>,
    groupings: Vec<String>,
    languages: Vec<(&'static str, f64)>,
}

impl World {
    fn new() -> World {
        let compact = Compact::official();
        let mut actions = vec![Vec::new(); 24];
        for o in &compact.objectives {
            actions[o.number as usize] = o.actions.iter().map(|a| a.letter).collect();
        }
        // Popularity of objectives among practices (data, vulnerabilities, inclusion,
        // recruitment, remittances, return and cooperation are the most documented).
        let objective_weights = cumulative((1..=23).map(|n| match n {
            1 | 7 | 16 | 23 => 3.0,
            6 | 15 | 20 | 21 | 2 => 2.0,
            _ => 1.0,
        }));
        let reference = Reference::official();
        let countries = reference
            .countries
            .iter()
            .filter(|c| c.un_member_state)
            .map(|c| c.iso3.clone())
            .collect();
        let groupings = reference
            .regions
            .iter()
            .map(|r| r.code.to_string())
            .collect();
        World {
            objective_weights,
            actions,
            countries,
            groupings,
            languages: vec![
                ("en", 0.62),
                ("es", 0.14),
                ("fr", 0.12),
                ("ar", 0.06),
                ("ru", 0.04),
                ("zh", 0.02),
            ],
        }
    }

    fn topics(
        &self,
        rng: &mut Rng,
        objectives: usize,
        actions_each: (usize, usize),
    ) -> (Vec<u8>, Vec<String>, Vec<String>) {
        let mut numbers: Vec<u8> = Vec::new();
        while numbers.len() < objectives {
            let n = rng.weighted(&self.objective_weights) as u8 + 1;
            if !numbers.contains(&n) {
                numbers.push(n);
            }
        }
        let mut ids = Vec::new();
        let mut action_ids = Vec::new();
        for &n in &numbers {
            ids.push(format!("obj-{n}"));
            let letters = &self.actions[n as usize];
            for _ in 0..rng.range(actions_each.0, actions_each.1) {
                let id = format!("obj-{n}-{}", rng.pick(letters));
                if !action_ids.contains(&id) {
                    action_ids.push(id);
                }
            }
        }
        (numbers, ids, action_ids)
    }

    fn countries(&self, rng: &mut Rng, n: usize) -> Vec<String> {
        (0..n).map(|_| rng.pick(&self.countries).clone()).collect()
    }

    fn languages(&self, rng: &mut Rng) -> Vec<String> {
        let cumulative = cumulative(self.languages.iter().map(|l| l.1));
        let first = self.languages[rng.weighted(&cumulative)].0;
        let mut out = vec![first.to_owned()];
        if first != "en" && rng.chance(0.4) {
            out.push("en".to_owned());
        } else if rng.chance(0.2) {
            out.push(self.languages[rng.weighted(&cumulative)].0.to_owned());
        }
        out
    }
}

const SUPPORT: [&str; 6] = [
    "policy-advice",
    "technical-assistance",
    "capacity-building",
    "data",
    "funding",
    "peer-exchange",
];

fn title_of(text: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = text
        .split(' ')
        .filter(|w| !w.ends_with('.'))
        .take(rng.range(4, 10))
        .collect();
    let t = words.join(" ");
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Untitled practice".to_owned(),
    }
}

fn items(rng: &mut Rng, world: &World, vocab: &Vocabulary, n: usize) -> Vec<Candidate> {
    let kinds = cumulative([40.0, 20.0, 15.0, 15.0, 5.0, 5.0]);
    let names = [
        "practice",
        "initiative",
        "evidence",
        "policy-tool",
        "dataset",
        "past-request",
    ];
    (0..n)
        .map(|i| {
            let kind = names[rng.weighted(&kinds)];
            let count = rng_objectives(rng);
            let (numbers, objectives, actions) = world.topics(rng, count, (0, 2));
            let words = rng.range(40, 260);
            let text = vocab.text(rng, &numbers, words);
            let title = title_of(&text, rng);
            let (countries, regions) = if kind != "past-request" && rng.chance(0.1) {
                (Vec::new(), vec!["001".to_owned()])
            } else if kind != "past-request" && rng.chance(0.15) {
                (
                    world.countries(rng, 1),
                    vec![rng.pick(&world.groupings).clone()],
                )
            } else {
                let k = if rng.chance(0.8) { 1 } else { rng.range(2, 3) };
                (world.countries(rng, k), Vec::new())
            };
            Candidate::try_from(CandidateInput {
                id: format!("g-item-{i}"),
                kind: kind.to_owned(),
                title,
                text,
                objectives,
                actions,
                countries,
                regions,
                languages: world.languages(rng),
            })
            .expect("generated items are valid")
        })
        .collect()
}

fn rng_objectives(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    }
}

fn partners(rng: &mut Rng, world: &World, vocab: &Vocabulary, n: usize) -> Vec<PartnerProfile> {
    let kinds = [
        "un-entity",
        "member-state-government",
        "civil-society",
        "civil-society",
        "civil-society",
        "academia",
        "private-sector",
        "migrant-or-diaspora",
        "faith-based",
        "local-authority",
        "trade-union",
        "philanthropic-foundation",
        "international-financial-institution",
        "national-human-rights-institution",
    ];
    (0..n)
        .map(|i| {
            let count = rng.range(1, 8);
            let (numbers, objectives, actions) = world.topics(rng, count, (1, 3));
            // Most organizations work in a few countries; a few in very many.
            let spread = match rng.below(20) {
                0 => rng.range(40, 120),
                1..=4 => rng.range(8, 30),
                _ => rng.range(1, 4),
            };
            let regions = if rng.chance(0.3) {
                vec![rng.pick(&world.groupings).clone()]
            } else if rng.chance(0.05) {
                vec!["001".to_owned()]
            } else {
                Vec::new()
            };
            let staff = rng.range(1, 40) as u32;
            let support: Vec<String> = (0..rng.range(1, 4))
                .map(|_| rng.pick(&SUPPORT).to_string())
                .collect();
            let words = rng.range(30, 120);
            let input = PartnerInput {
                id: format!("g-partner-{i}"),
                name: format!("Organization {i}"),
                kind: rng.pick(&kinds).to_string(),
                description: vocab.text(rng, &numbers, words),
                objectives,
                actions,
                countries: world.countries(rng, spread),
                regions,
                languages: world.languages(rng),
                support,
                capacity: marrakech_hub::Capacity {
                    staff,
                    engaged: rng.range(0, 2 * staff as usize) as u32,
                },
                track_record: marrakech_hub::TrackRecord {
                    requests_served: rng.range(0, 40) as u32,
                    items_implemented: rng.range(0, 30) as u32,
                },
            };
            PartnerProfile::try_from(input).expect("generated partners are valid")
        })
        .collect()
}

fn requests(
    rng: &mut Rng,
    world: &World,
    vocab: &Vocabulary,
    set: &EvaluationSet,
    n: usize,
) -> Vec<HubRequest> {
    let mut out: Vec<HubRequest> = set
        .requests
        .iter()
        .map(|r| r.request.clone())
        .take(n)
        .collect();
    let mut i = 0;
    while out.len() < n {
        let count = rng.range(1, 3);
        let (numbers, objectives, actions) = world.topics(rng, count, (0, 2));
        let words = rng.range(40, 150);
        let description = vocab.text(rng, &numbers, words);
        let k = if rng.chance(0.85) { 1 } else { rng.range(2, 3) };
        let input = RequestInput {
            id: Some(format!("g-request-{i}")),
            title: title_of(&description, rng),
            description,
            objectives,
            actions,
            countries: world.countries(rng, k),
            support: (0..rng.range(1, 3))
                .map(|_| rng.pick(&SUPPORT).to_string())
                .collect(),
            languages: world.languages(rng),
            urgency: None,
        };
        out.push(HubRequest::try_from(input).expect("generated requests are valid"));
        i += 1;
    }
    out
}

struct Stats {
    p50: Duration,
    p99: Duration,
    max: Duration,
    mean: Duration,
    samples: usize,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort_unstable();
    let at =
        |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    let total: Duration = samples.iter().sum();
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        max: *samples.last().unwrap_or(&Duration::ZERO),
        mean: total / samples.len().max(1) as u32,
        samples: samples.len(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_items = arg(&args, "--items", 100_000);
    let n_partners = arg(&args, "--partners", 2_000);
    let n_requests = arg(&args, "--requests", 200);
    let rounds = arg(&args, "--rounds", 3).max(1);

    let set =
        EvaluationSet::from_json(PARTNERS, ITEMS, REQUESTS).expect("the committed data loads");
    let mut rng = Rng(0x6d61_7272_616b_6563); // "marrakec"
    let world = World::new();
    let vocab = Vocabulary::new(&set, &mut rng);

    let t = Instant::now();
    let mut all_items = set.candidates.clone();
    all_items.extend(items(
        &mut rng,
        &world,
        &vocab,
        n_items.saturating_sub(all_items.len()),
    ));
    let mut all_partners = set.partners.clone();
    all_partners.extend(partners(
        &mut rng,
        &world,
        &vocab,
        n_partners.saturating_sub(all_partners.len()),
    ));
    let reqs = requests(&mut rng, &world, &vocab, &set, n_requests);
    let generated = t.elapsed();

    let t = Instant::now();
    let matcher =
        Matcher::new(all_partners.clone(), all_items.clone(), Weights::default()).expect("valid");
    let built = t.elapsed();
    let partner_bm25 = Bm25::new(all_partners.iter().map(|p| (p.id(), p.text())));
    let item_bm25 = Bm25::new(all_items.iter().map(|c| (c.id(), c.text())));

    let options = MatchOptions::default();
    let text_only = Weights::text_only();
    let mut checksum = 0usize;
    // Warm-up.
    for r in &reqs {
        checksum += matcher.suggest(r, &options).items.len();
    }
    let mut full = Vec::new();
    let mut text = Vec::new();
    let mut bm25 = Vec::new();
    for _ in 0..rounds {
        for r in &reqs {
            let t = Instant::now();
            let m = matcher.suggest(r, &options);
            full.push(t.elapsed());
            checksum += m.partners.len() + m.items.len();

            let t = Instant::now();
            let m = matcher.suggest_with(r, &text_only, &options);
            text.push(t.elapsed());
            checksum += m.partners.len() + m.items.len();

            let query = r.text();
            let t = Instant::now();
            let p = partner_bm25.most_similar(&query, 10);
            let i = item_bm25.most_similar(&query, 10);
            bm25.push(t.elapsed());
            checksum += p.len() + i.len();
        }
    }

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{} items ({} committed, the rest generated), {} partners, {} requests x {} rounds (after one warm-up round); top 10 partners and top 10 items per request, one thread.",
        all_items.len(),
        set.candidates.len(),
        all_partners.len(),
        reqs.len(),
        rounds
    );
    println!(
        "Generated in {:.1} s; matcher built (BM25 indexes and packed features) in {:.1} s. Load average at the end: {}.\n",
        generated.as_secs_f64(),
        built.as_secs_f64(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("| scorer | p50 (ms) | p99 (ms) | max (ms) | mean (ms) | samples |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, s) in [
        ("Full scorer (default weights)", stats(full)),
        ("Same matcher, text-only weights", stats(text)),
        ("BM25 retrieval alone (text-only baseline)", stats(bm25)),
    ] {
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            ms(s.mean),
            s.samples
        );
    }
    eprintln!("(checksum {checksum})");
}
