//! Realistic, reproducible collections for benchmarks (feature `generate`): knowledge items
//! and past requests, partners and requests, generated from a fixed seed with the committed
//! evaluation data as their model. Texts draw on the vocabulary of the committed items (words
//! of the items of the same objective, plus a Zipf-distributed general vocabulary with a long
//! tail of rare words); objectives follow a skewed popularity; countries are UN Member States;
//! languages are mostly English with the other UN languages.
//!
//! Used by `examples/latency.rs` and by the platform's own benchmark of submissions
//! (`crates/marrakech/examples/bench_hub.rs`).

use std::collections::HashMap;

use marrakech_core::{Compact, Reference};

use crate::evaluation::EvaluationSet;
use crate::text::analyze;
use crate::{Candidate, CandidateInput, HubRequest, PartnerInput, PartnerProfile, RequestInput};

/// The generator: a seeded random source, the compact and countries to draw from, and the
/// vocabulary learnt from the committed set.
pub struct Generator {
    rng: Rng,
    world: World,
    vocab: Vocabulary,
}

impl Generator {
    /// A generator modelled on `set`, from `seed`.
    pub fn new(set: &EvaluationSet, seed: u64) -> Generator {
        let mut rng = Rng(seed);
        let world = World::new();
        let vocab = Vocabulary::new(set, &mut rng);
        Generator { rng, world, vocab }
    }

    /// `n` knowledge items and past requests, ids `g-item-{i}`.
    pub fn items(&mut self, n: usize) -> Vec<Candidate> {
        items(&mut self.rng, &self.world, &self.vocab, n)
    }

    /// `n` partners, ids `g-partner-{i}`, named `Organization {i}`.
    pub fn partners(&mut self, n: usize) -> Vec<PartnerProfile> {
        partners(&mut self.rng, &self.world, &self.vocab, n)
    }

    /// `n` requests: the committed ones first, then generated ones (`g-request-{i}`).
    pub fn requests(&mut self, set: &EvaluationSet, n: usize) -> Vec<HubRequest> {
        requests(&mut self.rng, &self.world, &self.vocab, set, n)
    }
}

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
                capacity: crate::Capacity {
                    staff,
                    engaged: rng.range(0, 2 * staff as usize) as u32,
                },
                track_record: crate::TrackRecord {
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
