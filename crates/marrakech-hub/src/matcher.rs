//! The matcher: ranks partners and peer candidates for a request, each suggestion with its
//! factors, their weights, values, contributions and explanations.
//!
//! ```text
//! score = Σ weight_f · value_f     (weights normalised to sum 1, values in [0, 1])
//! ```
//!
//! Factor values (see the README for the reasoning):
//!
//! - topics: `(objectives shared / objectives of the request + actions shared / actions of
//!   the request) / 2`; a request without actions counts its objective share twice;
//! - text: the candidate's text score divided by the best text score for this request
//!   (0 outside the `text_candidates` best);
//! - geography: for each country of the request, the value of the closest presence
//!   ([`crate::geo`]), averaged over the request's countries;
//! - language: 1 when the candidate works in the request's first language, the
//!   `secondary_language` value for another language of the request, else 0;
//! - support (partners): kinds sought that the partner offers / kinds sought; (candidates) 1
//!   when the candidate's kind serves a kind sought ([`crate::CandidateKind::serves`]), else 0;
//! - capacity: `1 - engaged / (staff · requests_per_staff)`, clamped to [0, 1];
//! - track record: `n / (n + track_record_half)`, n = requests served + items implemented.
//!
//! Every partner and candidate is scored (no pre-filter), so the top suggestions are exact
//! for the configured factors; the work per candidate is a few bit operations.

use std::collections::HashMap;
use std::sync::Arc;

use marrakech_core::knowledge::Language;
use serde::Serialize;

use crate::error::HubError;
use crate::geo::{Geography, Proximity};
use crate::model::{
    language_bits, support_bits, unique_ids, Candidate, HubRequest, PartnerProfile, SupportKind,
};
use crate::text::{Bm25, TextSimilarity};
use crate::topics::{Topic, Topics, ACTION_WORDS};
use crate::weights::{FactorName, Weights};

/// One factor of a suggestion's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub name: FactorName,
    /// The normalised weight it was scored with.
    pub weight: f64,
    /// Its value for this request and suggestion, in [0, 1].
    pub value: f64,
    /// `weight * value`: its share of the score.
    pub contribution: f64,
    /// The value in words: "shares obj-7 and obj-7-c", "present in Mexico".
    pub explanation: String,
}

/// A ranked partner or candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: String,
    /// The organization's name or the item's title.
    pub name: String,
    /// The organization kind's slug, or the candidate kind's slug.
    pub kind: String,
    /// Σ contributions, in [0, 1].
    pub score: f64,
    pub factors: Vec<Factor>,
}

/// What to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchOptions {
    /// How many partners (default 10).
    pub partners: usize,
    /// How many knowledge items and past requests (default 10).
    pub items: usize,
    /// Ids of partners or candidates to leave out (dismissed suggestions, the request
    /// itself). The request's own id, when it has one, is always left out.
    pub exclude: Vec<String>,
}

impl Default for MatchOptions {
    fn default() -> MatchOptions {
        MatchOptions {
            partners: 10,
            items: 10,
            exclude: Vec::new(),
        }
    }
}

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matches {
    pub partners: Vec<Suggestion>,
    /// Knowledge items and other countries' past requests, ranked together.
    pub items: Vec<Suggestion>,
}

/// What scoring reads of a partner or candidate, packed.
#[derive(Debug, Clone)]
struct Features {
    objective_bits: u32,
    action_bits: [u64; ACTION_WORDS],
    presence: (u32, u32),
    languages: u8,
    support: u8,
    /// A past request (checked against the request's countries: not its own).
    past_request: bool,
}

/// A collection (partners or candidates) prepared for scoring.
struct Collection {
    features: Vec<Features>,
    presence: Vec<u16>,
    positions: HashMap<String, u32>,
    text: Box<dyn TextSimilarity>,
}

impl Collection {
    fn new<'a>(
        entries: impl Iterator<Item = (&'a str, &'a Topics, &'a [u16], &'a [Language], u8, bool)>,
        text: Box<dyn TextSimilarity>,
    ) -> Collection {
        let mut features = Vec::new();
        let mut presence = Vec::new();
        let mut positions = HashMap::new();
        for (i, (id, topics, codes, languages, support, past_request)) in entries.enumerate() {
            let start = presence.len() as u32;
            presence.extend_from_slice(codes);
            features.push(Features {
                objective_bits: topics.objective_bits,
                action_bits: topics.action_bits,
                presence: (start, presence.len() as u32),
                languages: language_bits(languages),
                support,
                past_request,
            });
            positions.insert(id.to_owned(), i as u32);
        }
        Collection {
            features,
            presence,
            positions,
            text,
        }
    }

    fn presence(&self, f: &Features) -> &[u16] {
        &self.presence[f.presence.0 as usize..f.presence.1 as usize]
    }

    /// Text values (score / best score) by position.
    fn text_values(&self, query: &str, limit: usize) -> Vec<f32> {
        let mut values = vec![0f32; self.features.len()];
        let hits = self.text.most_similar(query, limit);
        let best = hits.iter().map(|h| h.score).fold(0f32, f32::max);
        if best > 0.0 {
            for h in hits {
                if let Some(&i) = self.positions.get(&h.id) {
                    values[i as usize] = (h.score / best).clamp(0.0, 1.0);
                }
            }
        }
        values
    }
}

/// The request, prepared once per match.
struct Prepared<'a> {
    request: &'a HubRequest,
    objective_count: u32,
    action_count: u32,
    countries: Vec<u16>,
    first_language: u8,
    languages: u8,
    support: u8,
    support_count: u32,
    query: String,
    /// For each country of the request, the proximity value of every M49 code.
    proximity: Vec<Vec<f64>>,
}

impl<'a> Prepared<'a> {
    fn new(request: &'a HubRequest, geo: &Geography, w: &Weights) -> Prepared<'a> {
        let languages = request.languages();
        let proximity = request
            .countries()
            .iter()
            .map(|c| {
                (0..1000u16)
                    .map(|code| w.proximity.value(geo.proximity(c.value(), code)))
                    .collect()
            })
            .collect();
        Prepared {
            proximity,
            request,
            objective_count: request.topics().objective_count(),
            action_count: request.topics().action_count(),
            countries: request.countries().iter().map(|c| c.value()).collect(),
            first_language: languages.first().map_or(0, |l| 1 << l.index()),
            languages: language_bits(languages),
            support: support_bits(request.support()),
            support_count: request.support().len() as u32,
            query: request.text(),
        }
    }

    fn topics_value(&self, f: &Features) -> f64 {
        let t = self.request.topics();
        if self.objective_count == 0 {
            return 0.0;
        }
        let shared_objectives = (t.objective_bits & f.objective_bits).count_ones();
        let objectives = f64::from(shared_objectives) / f64::from(self.objective_count);
        let actions = if self.action_count == 0 {
            objectives
        } else {
            let shared: u32 = t
                .action_bits
                .iter()
                .zip(f.action_bits.iter())
                .map(|(a, b)| (a & b).count_ones())
                .sum();
            f64::from(shared) / f64::from(self.action_count)
        };
        (objectives + actions) / 2.0
    }

    /// The closest presence per country of the request: (level, presence code).
    fn closest(
        &self,
        geo: &Geography,
        w: &Weights,
        presence: &[u16],
        country: u16,
    ) -> (Proximity, u16) {
        let mut best = (Proximity::Elsewhere, 0u16);
        let mut best_value = w.proximity.value(Proximity::Elsewhere);
        for &p in presence {
            let level = geo.proximity(country, p);
            let v = w.proximity.value(level);
            if v > best_value || (v == best_value && level < best.0) {
                best = (level, p);
                best_value = v;
            }
        }
        best
    }

    /// The mean over the request's countries of the closest presence's value.
    fn geography_value(&self, w: &Weights, presence: &[u16]) -> f64 {
        if self.proximity.is_empty() {
            return 0.0;
        }
        let elsewhere = w.proximity.elsewhere;
        let sum: f64 = self
            .proximity
            .iter()
            .map(|table| {
                presence
                    .iter()
                    .map(|&code| table.get(usize::from(code)).copied().unwrap_or(elsewhere))
                    .fold(elsewhere, f64::max)
            })
            .sum();
        sum / self.proximity.len() as f64
    }

    fn language_value(&self, w: &Weights, languages: u8) -> f64 {
        if languages & self.first_language != 0 {
            1.0
        } else if languages & self.languages != 0 {
            w.secondary_language
        } else {
            0.0
        }
    }

    fn partner_support_value(&self, support: u8) -> f64 {
        if self.support_count == 0 {
            return 0.0;
        }
        f64::from((support & self.support).count_ones()) / f64::from(self.support_count)
    }

    fn item_support_value(&self, serves: u8) -> f64 {
        if serves & self.support != 0 {
            1.0
        } else {
            0.0
        }
    }
}

fn capacity_value(w: &Weights, p: &PartnerProfile) -> f64 {
    let c = p.capacity();
    if c.staff == 0 {
        return 0.0;
    }
    (1.0 - f64::from(c.engaged) / (f64::from(c.staff) * w.requests_per_staff)).clamp(0.0, 1.0)
}

fn track_record_value(w: &Weights, p: &PartnerProfile) -> f64 {
    let t = p.track_record();
    let n = f64::from(t.requests_served) + f64::from(t.items_implemented);
    n / (n + w.track_record_half)
}

fn partner_collection(
    partners: &[PartnerProfile],
    partner_text: Box<dyn TextSimilarity>,
) -> Collection {
    Collection::new(
        partners.iter().map(|p| {
            (
                p.id(),
                p.topics(),
                p.presence().codes(),
                p.languages(),
                support_bits(p.support()),
                false,
            )
        }),
        partner_text,
    )
}

/// Ranks partners and peer candidates for requests. Build it once from the registry and the
/// candidates, and again when they change; matching reads it only, from any thread.
pub struct Matcher {
    weights: Weights,
    geography: &'static Geography,
    partners: Vec<PartnerProfile>,
    partner_index: Collection,
    /// Shared with the matchers made by [`Matcher::with_partners`]: indexing 100,000
    /// candidates takes seconds, a registry of 2,000 partners milliseconds.
    candidates: Arc<Vec<Candidate>>,
    candidate_index: Arc<Collection>,
}

impl Matcher {
    /// A matcher with this crate's BM25 for text similarity, over the partners' names and
    /// descriptions and the candidates' titles and texts.
    pub fn new(
        partners: Vec<PartnerProfile>,
        candidates: Vec<Candidate>,
        weights: Weights,
    ) -> Result<Matcher, HubError> {
        let partner_text = Bm25::new(partners.iter().map(|p| (p.id(), p.text())));
        let candidate_text = Bm25::new(candidates.iter().map(|c| (c.id(), c.text())));
        Matcher::with_text(
            partners,
            candidates,
            weights,
            Box::new(partner_text),
            Box::new(candidate_text),
        )
    }

    /// A matcher with the platform's own text similarity (its search index), answering with
    /// the partners' and candidates' ids.
    pub fn with_text(
        partners: Vec<PartnerProfile>,
        candidates: Vec<Candidate>,
        weights: Weights,
        partner_text: Box<dyn TextSimilarity>,
        candidate_text: Box<dyn TextSimilarity>,
    ) -> Result<Matcher, HubError> {
        weights.validate()?;
        unique_ids("partner", partners.iter().map(PartnerProfile::id))?;
        unique_ids("candidate", candidates.iter().map(Candidate::id))?;
        let partner_index = partner_collection(&partners, partner_text);
        let candidate_index = Collection::new(
            candidates.iter().map(|c| {
                (
                    c.id(),
                    c.topics(),
                    c.presence().codes(),
                    c.languages(),
                    support_bits(c.kind().serves()),
                    c.kind() == crate::CandidateKind::PastRequest,
                )
            }),
            candidate_text,
        );
        Ok(Matcher {
            weights,
            geography: Geography::official(),
            partners,
            partner_index,
            candidates: Arc::new(candidates),
            candidate_index: Arc::new(candidate_index),
        })
    }

    /// The same candidates, weights and text similarity for them, with another partner
    /// registry: only the partners are indexed, so a change to the registry (a profile, a
    /// partner's load or record) costs what indexing the partners costs.
    pub fn with_partners(
        &self,
        partners: Vec<PartnerProfile>,
        partner_text: Box<dyn TextSimilarity>,
    ) -> Result<Matcher, HubError> {
        unique_ids("partner", partners.iter().map(PartnerProfile::id))?;
        let partner_index = partner_collection(&partners, partner_text);
        Ok(Matcher {
            weights: self.weights.clone(),
            geography: self.geography,
            partners,
            partner_index,
            candidates: self.candidates.clone(),
            candidate_index: self.candidate_index.clone(),
        })
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    pub fn partners(&self) -> &[PartnerProfile] {
        &self.partners
    }

    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// Partners and peer candidates for `request`, with the configured weights.
    pub fn suggest(&self, request: &HubRequest, options: &MatchOptions) -> Matches {
        self.suggest_with(request, &self.weights, options)
    }

    /// The same with other weights (the evaluation's baselines and ablations; a "what if"
    /// view for officers). The weights must have passed [`Weights::validate`].
    pub fn suggest_with(
        &self,
        request: &HubRequest,
        weights: &Weights,
        options: &MatchOptions,
    ) -> Matches {
        let prepared = Prepared::new(request, self.geography, weights);
        Matches {
            partners: self.rank_partners(&prepared, weights, options),
            items: self.rank_candidates(&prepared, weights, options),
        }
    }

    fn excluded(
        &self,
        index: &Collection,
        request: &HubRequest,
        options: &MatchOptions,
    ) -> Vec<bool> {
        let mut out = vec![false; index.features.len()];
        for id in options
            .exclude
            .iter()
            .map(String::as_str)
            .chain(request.id())
        {
            if let Some(&i) = index.positions.get(id) {
                out[i as usize] = true;
            }
        }
        out
    }

    fn rank_partners(
        &self,
        p: &Prepared<'_>,
        w: &Weights,
        options: &MatchOptions,
    ) -> Vec<Suggestion> {
        if options.partners == 0 {
            return Vec::new();
        }
        let weights = w.partner_weights(p.request.urgency());
        let index = &self.partner_index;
        let text = if weights[1] > 0.0 {
            index.text_values(&p.query, w.text_candidates)
        } else {
            vec![0.0; index.features.len()]
        };
        let excluded = self.excluded(index, p.request, options);
        let mut scored: Vec<(f64, u32)> = Vec::with_capacity(index.features.len());
        for (i, f) in index.features.iter().enumerate() {
            if excluded[i] {
                continue;
            }
            let partner = &self.partners[i];
            let on = |k: usize| weights[k] > 0.0;
            let values = [
                if on(0) { p.topics_value(f) } else { 0.0 },
                f64::from(text[i]),
                if on(2) {
                    p.geography_value(w, index.presence(f))
                } else {
                    0.0
                },
                p.language_value(w, f.languages),
                p.partner_support_value(f.support),
                if on(5) {
                    capacity_value(w, partner)
                } else {
                    0.0
                },
                if on(6) {
                    track_record_value(w, partner)
                } else {
                    0.0
                },
            ];
            scored.push((dot(&weights, &values), i as u32));
        }
        let ids = |i: u32| self.partners[i as usize].id();
        top(&mut scored, options.partners, ids)
            .into_iter()
            .map(|i| self.explain_partner(p, w, &weights, i as usize, text[i as usize]))
            .collect()
    }

    fn rank_candidates(
        &self,
        p: &Prepared<'_>,
        w: &Weights,
        options: &MatchOptions,
    ) -> Vec<Suggestion> {
        if options.items == 0 {
            return Vec::new();
        }
        let weights = w.item_weights();
        let index = &self.candidate_index;
        let text = if weights[1] > 0.0 {
            index.text_values(&p.query, w.text_candidates)
        } else {
            vec![0.0; index.features.len()]
        };
        let excluded = self.excluded(index, p.request, options);
        let mut scored: Vec<(f64, u32)> = Vec::with_capacity(index.features.len());
        for (i, f) in index.features.iter().enumerate() {
            if excluded[i] || (f.past_request && self.candidates[i].is_own_past_request(p.request))
            {
                continue;
            }
            let on = |k: usize| weights[k] > 0.0;
            let values = [
                if on(0) { p.topics_value(f) } else { 0.0 },
                f64::from(text[i]),
                if on(2) {
                    p.geography_value(w, index.presence(f))
                } else {
                    0.0
                },
                p.language_value(w, f.languages),
                p.item_support_value(f.support),
            ];
            scored.push((dot(&weights, &values), i as u32));
        }
        let ids = |i: u32| self.candidates[i as usize].id();
        top(&mut scored, options.items, ids)
            .into_iter()
            .map(|i| self.explain_candidate(p, w, &weights, i as usize, text[i as usize]))
            .collect()
    }

    fn explain_partner(
        &self,
        p: &Prepared<'_>,
        w: &Weights,
        weights: &[f64; 7],
        i: usize,
        text: f32,
    ) -> Suggestion {
        let partner = &self.partners[i];
        let f = &self.partner_index.features[i];
        let c = partner.capacity();
        let t = partner.track_record();
        let capacity = capacity_value(w, partner);
        let support_offered: Vec<&str> = p
            .request
            .support()
            .iter()
            .filter(|k| partner.support().contains(k))
            .map(|k| k.label())
            .collect();
        let support = if support_offered.is_empty() {
            format!(
                "offers none of the kinds of support sought ({})",
                list(p.request.support().iter().map(|k| k.label()))
            )
        } else {
            format!(
                "offers {}: {} of {} kinds sought",
                list(support_offered.iter().copied()),
                support_offered.len(),
                p.request.support().len()
            )
        };
        let values = [
            (
                FactorName::Topics,
                p.topics_value(f),
                topics_explanation(p.request.topics(), partner.topics()),
            ),
            (
                FactorName::Text,
                f64::from(text),
                self.text_explanation(
                    &self.partner_index,
                    &p.query,
                    partner.id(),
                    text,
                    w,
                    weights[1] > 0.0,
                ),
            ),
            (
                FactorName::Geography,
                p.geography_value(w, self.partner_index.presence(f)),
                self.geography_explanation(p, w, self.partner_index.presence(f), &PARTNER_WORDS),
            ),
            (
                FactorName::Language,
                p.language_value(w, f.languages),
                language_explanation(p.request.languages(), partner.languages()),
            ),
            (
                FactorName::Support,
                p.partner_support_value(f.support),
                support,
            ),
            (
                FactorName::Capacity,
                capacity,
                if c.staff == 0 {
                    "no staff declared for hub work".to_owned()
                } else {
                    format!(
                        "{} staff for hub work, {} request{} engaged: {:.0} % spare",
                        c.staff,
                        c.engaged,
                        plural(c.engaged),
                        capacity * 100.0
                    )
                },
            ),
            (
                FactorName::TrackRecord,
                track_record_value(w, partner),
                format!(
                    "served {} hub request{}, implemented {} knowledge item{}",
                    t.requests_served,
                    plural(t.requests_served),
                    t.items_implemented,
                    plural(t.items_implemented)
                ),
            ),
        ];
        suggestion(
            partner.id(),
            partner.name(),
            partner.kind().slug(),
            weights,
            values,
        )
    }

    fn explain_candidate(
        &self,
        p: &Prepared<'_>,
        w: &Weights,
        weights: &[f64; 5],
        i: usize,
        text: f32,
    ) -> Suggestion {
        let candidate = &self.candidates[i];
        let f = &self.candidate_index.features[i];
        let serves = candidate.kind().serves();
        let suits: Vec<SupportKind> = serves
            .iter()
            .copied()
            .filter(|k| p.request.support().contains(k))
            .collect();
        let kind = candidate.kind().label();
        let support = if suits.is_empty() {
            format!(
                "{kind}: suits {}, none of which is sought",
                list(serves.iter().map(|k| k.label()))
            )
        } else {
            format!(
                "{kind}: suits {}, which the request seeks",
                list(suits.iter().map(|k| k.label()))
            )
        };
        let values = [
            (
                FactorName::Topics,
                p.topics_value(f),
                topics_explanation(p.request.topics(), candidate.topics()),
            ),
            (
                FactorName::Text,
                f64::from(text),
                self.text_explanation(
                    &self.candidate_index,
                    &p.query,
                    candidate.id(),
                    text,
                    w,
                    weights[1] > 0.0,
                ),
            ),
            (
                FactorName::Geography,
                p.geography_value(w, self.candidate_index.presence(f)),
                self.geography_explanation(
                    p,
                    w,
                    self.candidate_index.presence(f),
                    &CANDIDATE_WORDS,
                ),
            ),
            (
                FactorName::Language,
                p.language_value(w, f.languages),
                language_explanation(p.request.languages(), candidate.languages()),
            ),
            (
                FactorName::Support,
                p.item_support_value(f.support),
                support,
            ),
        ];
        suggestion(
            candidate.id(),
            candidate.title(),
            candidate.kind().slug(),
            weights,
            values,
        )
    }

    fn text_explanation(
        &self,
        index: &Collection,
        query: &str,
        id: &str,
        value: f32,
        w: &Weights,
        weighed: bool,
    ) -> String {
        if !weighed {
            return "not weighed with these weights".to_owned();
        }
        let words = index.text.shared_terms(query, id, 5);
        if value <= 0.0 {
            if words.is_empty() {
                "no words in common with the request".to_owned()
            } else {
                format!(
                    "not among the {} texts closest to the request",
                    w.text_candidates
                )
            }
        } else if value >= 1.0 {
            with_words("the text closest to the request", &words)
        } else {
            with_words(
                &format!(
                    "{:.0} % as close to the request as the closest text",
                    value * 100.0
                ),
                &words,
            )
        }
    }

    fn geography_explanation(
        &self,
        p: &Prepared<'_>,
        w: &Weights,
        presence: &[u16],
        words: &GeoWords,
    ) -> String {
        let geo = self.geography;
        // Countries of the request with the same closest presence are told together.
        let mut groups: Vec<(Proximity, u16, Vec<&str>)> = Vec::new();
        for &country in &p.countries {
            let (level, code) = p.closest(geo, w, presence, country);
            let key = if level == Proximity::SameCountry {
                0
            } else {
                code
            };
            match groups.iter_mut().find(|(l, c, _)| *l == level && *c == key) {
                Some(g) => g.2.push(geo.name(country)),
                None => groups.push((level, key, vec![geo.name(country)])),
            }
        }
        let parts: Vec<String> = groups
            .into_iter()
            .map(|(level, code, countries)| {
                let here = list(countries.iter().copied());
                let there = geo.name(code);
                let first = p
                    .countries
                    .iter()
                    .copied()
                    .find(|c| geo.name(*c) == countries[0])
                    .unwrap_or_default();
                let grouping = geo.shared_grouping(first, level);
                let same = if level == Proximity::SameSubregion {
                    "sub-region"
                } else {
                    "region"
                };
                match level {
                    Proximity::SameCountry => format!("{} {here}", words.in_country),
                    Proximity::SameSubregion | Proximity::SameRegion
                        if geo.is_country_code(code) =>
                    {
                        format!(
                            "{} {there}, in the same {same} ({grouping}) as {here}",
                            words.in_country
                        )
                    }
                    Proximity::SameSubregion | Proximity::SameRegion => {
                        format!("{} {there}, which includes {here}", words.across)
                    }
                    Proximity::Global => format!("{}, nothing nearer {here}", words.global),
                    Proximity::Elsewhere => format!("nothing in or near {here}"),
                }
            })
            .collect();
        parts.join("; ")
    }
}

/// How the geography explanation speaks of a partner or of a candidate.
struct GeoWords {
    in_country: &'static str,
    across: &'static str,
    global: &'static str,
}

const PARTNER_WORDS: GeoWords = GeoWords {
    in_country: "present in",
    across: "works across",
    global: "works worldwide",
};

const CANDIDATE_WORDS: GeoWords = GeoWords {
    in_country: "from",
    across: "covers",
    global: "global in scope",
};

fn dot<const N: usize>(weights: &[f64; N], values: &[f64; N]) -> f64 {
    weights.iter().zip(values).map(|(w, v)| w * v).sum()
}

/// The `k` best positions, score descending, ties by id.
fn top<'a>(scored: &mut Vec<(f64, u32)>, k: usize, id: impl Fn(u32) -> &'a str) -> Vec<u32> {
    let order =
        |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then_with(|| id(a.1).cmp(id(b.1)));
    if scored.len() > k {
        // Partition by score alone (cheap), keeping every entry tied with the k-th.
        scored.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
        let kth = scored[k - 1].0;
        let (head, tail) = scored.split_at_mut(k);
        let mut ties: Vec<(f64, u32)> = tail.iter().copied().filter(|s| s.0 == kth).collect();
        let mut all: Vec<(f64, u32)> = head.to_vec();
        all.append(&mut ties);
        *scored = all;
    }
    scored.sort_unstable_by(order);
    scored.iter().take(k).map(|s| s.1).collect()
}

fn suggestion<const N: usize>(
    id: &str,
    name: &str,
    kind: &str,
    weights: &[f64; N],
    values: [(FactorName, f64, String); N],
) -> Suggestion {
    let factors: Vec<Factor> = values
        .into_iter()
        .zip(weights)
        .map(|((name, value, explanation), &weight)| Factor {
            name,
            weight,
            value,
            contribution: weight * value,
            explanation,
        })
        .collect();
    Suggestion {
        id: id.to_owned(),
        name: name.to_owned(),
        kind: kind.to_owned(),
        score: factors.iter().map(|f| f.contribution).sum(),
        factors,
    }
}

fn topics_explanation(request: &Topics, other: &Topics) -> String {
    let shared = request.intersection(other);
    let objectives = shared
        .iter()
        .filter(|t| matches!(t, Topic::Objective(_)))
        .count();
    let actions = shared.len() - objectives;
    if shared.is_empty() {
        let ids: Vec<String> = request
            .objectives()
            .iter()
            .map(|n| format!("obj-{n}"))
            .collect();
        return format!(
            "shares none of the request's objectives ({})",
            list(ids.iter().map(String::as_str))
        );
    }
    let ids: Vec<String> = shared.iter().map(ToString::to_string).collect();
    let mut out = format!(
        "shares {}: {} of {} objective{}",
        list(ids.iter().map(String::as_str)),
        objectives,
        request.objective_count(),
        plural(request.objective_count())
    );
    if request.action_count() > 0 {
        out.push_str(&format!(
            ", {} of {} action{}",
            actions,
            request.action_count(),
            plural(request.action_count())
        ));
    }
    out
}

fn language_explanation(request: &[Language], other: &[Language]) -> String {
    let Some(first) = request.first() else {
        return String::new();
    };
    if other.contains(first) {
        return format!("in {}, the request's first language", first.label());
    }
    let shared: Vec<&str> = request
        .iter()
        .filter(|l| other.contains(l))
        .map(|l| l.label())
        .collect();
    if shared.is_empty() {
        format!(
            "in none of the request's languages ({})",
            list(request.iter().map(|l| l.label()))
        )
    } else {
        format!(
            "in {}, not in {} (the request's first language)",
            list(shared.into_iter()),
            first.label()
        )
    }
}

fn with_words(text: &str, words: &[String]) -> String {
    if words.is_empty() {
        text.to_owned()
    } else {
        format!("{text}; shared words: {}", words.join(", "))
    }
}

/// "a", "a and b", "a, b and c".
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::PartnerWeights;
    use crate::{CandidateInput, PartnerInput, RequestInput, Urgency};

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn request(urgency: Option<&str>) -> HubRequest {
        HubRequest::try_from(RequestInput {
            id: Some("req-x".into()),
            title: "Digital remittances".into(),
            description: "Cheaper transfers for rural families.".into(),
            objectives: strings(&["obj-1"]),
            actions: strings(&["obj-20-e", "obj-20-f"]),
            countries: strings(&["HND"]),
            support: strings(&["technical-assistance", "data"]),
            languages: strings(&["es", "en"]),
            urgency: urgency.map(str::to_owned),
        })
        .unwrap()
    }

    fn partners() -> Vec<PartnerProfile> {
        let a = PartnerInput {
            id: "a".into(),
            name: "Partner A".into(),
            kind: "un-entity".into(),
            description: "Statistics office.".into(),
            objectives: strings(&["obj-20"]),
            actions: strings(&["obj-20-e"]),
            countries: strings(&["GTM"]),
            regions: vec![],
            languages: strings(&["en"]),
            support: strings(&["data", "funding"]),
            capacity: crate::Capacity {
                staff: 4,
                engaged: 4,
            },
            track_record: crate::TrackRecord {
                requests_served: 10,
                items_implemented: 0,
            },
        };
        let b = PartnerInput {
            id: "b".into(),
            name: "Partner B".into(),
            kind: "civil-society".into(),
            description: "Digital remittances and rural finance.".into(),
            objectives: strings(&["obj-1"]),
            actions: vec![],
            countries: vec![],
            regions: strings(&["001"]),
            languages: strings(&["es"]),
            support: strings(&["technical-assistance"]),
            capacity: crate::Capacity::default(),
            track_record: crate::TrackRecord::default(),
        };
        [a, b]
            .into_iter()
            .map(|p| PartnerProfile::try_from(p).unwrap())
            .collect()
    }

    fn candidates() -> Vec<Candidate> {
        let item = |id: &str,
                    kind: &str,
                    text: &str,
                    objectives: &[&str],
                    actions: &[&str],
                    country: &str,
                    language: &str| {
            Candidate::try_from(CandidateInput {
                id: id.into(),
                kind: kind.into(),
                title: format!("Candidate {id}"),
                text: text.into(),
                objectives: strings(objectives),
                actions: strings(actions),
                countries: strings(&[country]),
                regions: vec![],
                languages: strings(&[language]),
            })
            .unwrap()
        };
        vec![
            item(
                "x",
                "dataset",
                "Prices by provider.",
                &["obj-20"],
                &["obj-20-f"],
                "HND",
                "fr",
            ),
            item(
                "y",
                "past-request",
                "Digital remittances for rural families",
                &["obj-20"],
                &[],
                "HND",
                "es",
            ),
            item(
                "z",
                "past-request",
                "Digital remittances for rural families",
                &["obj-1"],
                &["obj-20-e", "obj-20-f"],
                "SLV",
                "es",
            ),
            item(
                "req-x",
                "practice",
                "Digital remittances",
                &["obj-20"],
                &[],
                "HND",
                "es",
            ),
        ]
    }

    fn matcher(weights: Weights) -> Matcher {
        Matcher::new(partners(), candidates(), weights).unwrap()
    }

    fn factor(s: &Suggestion, name: FactorName) -> &Factor {
        s.factors.iter().find(|f| f.name == name).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn another_registry_reuses_the_candidates_and_ranks_as_a_new_matcher() {
        let first = matcher(Weights::default());
        let mut registry = partners();
        registry.truncate(1);
        let text = Bm25::new(registry.iter().map(|p| (p.id(), p.text())));
        let swapped = first
            .with_partners(registry.clone(), Box::new(text))
            .unwrap();
        let fresh = Matcher::new(registry, candidates(), Weights::default()).unwrap();
        let options = MatchOptions::default();
        assert_eq!(
            swapped.suggest(&request(None), &options),
            fresh.suggest(&request(None), &options)
        );
        assert_eq!(swapped.partners().len(), 1);
        assert!(Arc::ptr_eq(&first.candidates, &swapped.candidates));
        let twice = [partners()[0].clone(), partners()[0].clone()].to_vec();
        let text = Bm25::new(twice.iter().map(|p| (p.id(), p.text())));
        assert!(first.with_partners(twice, Box::new(text)).is_err());
    }

    #[test]
    fn partner_scores_by_hand() {
        let m = matcher(Weights::default()).suggest(&request(None), &MatchOptions::default());
        let ids: Vec<&str> = m.partners.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let a = &m.partners[0];
        // topics (1/2 + 1/2)/2, text 0, Central America 0.7, English second 0.5, 1 of 2 kinds,
        // 1 - 4/(4*2) spare, 10/(10+10) track record.
        let values: Vec<f64> = a.factors.iter().map(|f| f.value).collect();
        assert_eq!(values, [0.5, 0.0, 0.7, 0.5, 0.5, 0.5, 0.5]);
        assert!(
            close(a.score, 0.15 + 0.0 + 0.14 + 0.05 + 0.05 + 0.035 + 0.04),
            "{}",
            a.score
        );
        let b = &m.partners[1];
        // topics (1/2 + 0/2)/2, the only text match 1.0, global 0.3, Spanish 1.0, 1 of 2 kinds.
        let values: Vec<f64> = b.factors.iter().map(|f| f.value).collect();
        assert_eq!(values, [0.25, 1.0, 0.3, 1.0, 0.5, 0.0, 0.0]);
        assert!(
            close(b.score, 0.075 + 0.15 + 0.06 + 0.1 + 0.05),
            "{}",
            b.score
        );
        for s in &m.partners {
            let sum: f64 = s.factors.iter().map(|f| f.contribution).sum();
            assert!(close(sum, s.score));
            assert!(close(s.factors.iter().map(|f| f.weight).sum::<f64>(), 1.0));
            for f in &s.factors {
                assert!(close(f.contribution, f.weight * f.value));
            }
        }
    }

    #[test]
    fn partner_explanations() {
        let m = matcher(Weights::default()).suggest(&request(None), &MatchOptions::default());
        let (a, b) = (&m.partners[0], &m.partners[1]);
        assert_eq!(
            factor(a, FactorName::Topics).explanation,
            "shares obj-20 and obj-20-e: 1 of 2 objectives, 1 of 2 actions"
        );
        assert_eq!(
            factor(a, FactorName::Geography).explanation,
            "present in Guatemala, in the same sub-region (Central America) as Honduras"
        );
        assert_eq!(
            factor(a, FactorName::Language).explanation,
            "in English, not in Spanish (the request's first language)"
        );
        assert_eq!(
            factor(a, FactorName::Support).explanation,
            "offers data: 1 of 2 kinds sought"
        );
        assert_eq!(
            factor(a, FactorName::Capacity).explanation,
            "4 staff for hub work, 4 requests engaged: 50 % spare"
        );
        assert_eq!(
            factor(a, FactorName::TrackRecord).explanation,
            "served 10 hub requests, implemented 0 knowledge items"
        );
        assert_eq!(
            factor(a, FactorName::Text).explanation,
            "no words in common with the request"
        );
        assert_eq!(
            factor(b, FactorName::Text).explanation,
            "the text closest to the request; shared words: digital, remittances, rural"
        );
        assert_eq!(
            factor(b, FactorName::Geography).explanation,
            "works worldwide, nothing nearer Honduras"
        );
        assert_eq!(
            factor(b, FactorName::Language).explanation,
            "in Spanish, the request's first language"
        );
        assert_eq!(
            factor(b, FactorName::Capacity).explanation,
            "no staff declared for hub work"
        );
        assert_eq!(
            factor(b, FactorName::Topics).explanation,
            "shares obj-1: 1 of 2 objectives, 0 of 2 actions"
        );
    }

    #[test]
    fn candidate_scores_and_exclusions_by_hand() {
        let m = matcher(Weights::default()).suggest(&request(None), &MatchOptions::default());
        // y is the requesting country's own past request; req-x is the request itself.
        let ids: Vec<&str> = m.items.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["z", "x"]);
        let z = &m.items[0];
        let values: Vec<f64> = z.factors.iter().map(|f| f.value).collect();
        assert_eq!(values, [1.0, 1.0, 0.7, 1.0, 0.0]);
        assert!(close(z.score, 0.35 + 0.30 + 0.14 + 0.10));
        assert_eq!(
            factor(z, FactorName::Support).explanation,
            "Past request: suits peer exchange, none of which is sought"
        );
        assert_eq!(
            factor(z, FactorName::Geography).explanation,
            "from El Salvador, in the same sub-region (Central America) as Honduras"
        );
        let x = &m.items[1];
        let values: Vec<f64> = x.factors.iter().map(|f| f.value).collect();
        assert_eq!(values, [0.5, 0.0, 1.0, 0.0, 1.0]);
        assert!(close(x.score, 0.175 + 0.2 + 0.05));
        assert_eq!(
            factor(x, FactorName::Geography).explanation,
            "from Honduras"
        );
        assert_eq!(
            factor(x, FactorName::Language).explanation,
            "in none of the request's languages (Spanish and English)"
        );
        assert_eq!(x.kind, "dataset");

        let options = MatchOptions {
            partners: 1,
            items: 10,
            exclude: vec!["a".into(), "z".into()],
        };
        let m = matcher(Weights::default()).suggest(&request(None), &options);
        assert_eq!(m.partners.len(), 1);
        assert_eq!(m.partners[0].id, "b");
        assert_eq!(m.items.len(), 1);
        assert_eq!(m.items[0].id, "x");
    }

    #[test]
    fn weights_are_normalised_before_scoring() {
        let w = Weights {
            partners: PartnerWeights {
                topics: 2.0,
                text: 2.0,
                geography: 0.0,
                language: 0.0,
                support: 0.0,
                capacity: 0.0,
                track_record: 0.0,
            },
            ..Weights::default()
        };
        let m = matcher(w).suggest(&request(None), &MatchOptions::default());
        assert_eq!(m.partners[0].id, "b");
        assert!(close(m.partners[0].score, 0.5 * 0.25 + 0.5 * 1.0));
        assert!(close(m.partners[1].score, 0.5 * 0.5));
        assert!(close(
            factor(&m.partners[1], FactorName::Topics).weight,
            0.5
        ));
        assert_eq!(factor(&m.partners[1], FactorName::Geography).weight, 0.0);
    }

    #[test]
    fn urgency_weighs_capacity() {
        let m =
            matcher(Weights::default()).suggest(&request(Some("high")), &MatchOptions::default());
        assert_eq!(request(Some("high")).urgency(), Urgency::High);
        let a = m.partners.iter().find(|s| s.id == "a").unwrap();
        // capacity 0.07 doubled to 0.14, all divided by 1.07.
        assert!(
            close(a.score, (0.15 + 0.14 + 0.05 + 0.05 + 0.07 + 0.04) / 1.07),
            "{}",
            a.score
        );
        assert!(close(factor(a, FactorName::Capacity).weight, 0.14 / 1.07));
    }

    #[test]
    fn text_only_ranks_by_text_alone() {
        let m = matcher(Weights::default());
        let r = m.suggest_with(
            &request(None),
            &Weights::text_only(),
            &MatchOptions::default(),
        );
        assert_eq!(r.partners[0].id, "b");
        assert!(close(r.partners[0].score, 1.0));
        assert!(close(r.partners[1].score, 0.0));
        assert_eq!(r.items[0].id, "z");
    }

    #[test]
    fn duplicates_and_bad_weights_are_refused() {
        let mut ps = partners();
        ps.push(ps[0].clone());
        assert!(matches!(
            Matcher::new(ps, candidates(), Weights::default()),
            Err(HubError::Duplicate {
                what: "partner",
                ..
            })
        ));
        let mut w = Weights::default();
        w.partners.topics = f64::NAN;
        assert!(matches!(
            Matcher::new(partners(), candidates(), w),
            Err(HubError::Weights(_))
        ));
    }

    #[test]
    fn ties_are_broken_by_id_and_limits_hold() {
        let mut scored = vec![(0.5, 2), (0.9, 0), (0.5, 1), (0.5, 3), (0.1, 4)];
        let ids = ["e", "a", "d", "b", "c"];
        // 0.9 first; then the 0.5 ties by id: a (1), b (3); d (2) falls off.
        assert_eq!(top(&mut scored, 3, |i| ids[i as usize]), [0, 1, 3]);
        let mut scored = vec![(0.5, 0), (0.5, 1)];
        assert_eq!(top(&mut scored, 5, |i| ["b", "a"][i as usize]), [1, 0]);
    }
}
