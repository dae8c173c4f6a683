//! Measuring the matcher's quality against a labeled set: requests with the partners and
//! items a careful officer would choose, graded 1 (useful), 2 (good), 3 (first choice).
//!
//! - precision@k: the share of the first k suggestions that are labeled relevant (any
//!   grade), divided by k even when fewer than k are labeled;
//! - nDCG@k: discounted cumulative gain with gain `2^grade - 1` and discount
//!   `log2(rank + 1)`, divided by the gain of the ideal ordering of the labels.
//!
//! Both are averaged over requests (macro average).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::HubError;
use crate::matcher::{MatchOptions, Matcher};
use crate::model::{Candidate, HubRequest, PartnerProfile, RequestInput};
use crate::weights::{FactorName, Weights};

/// Graded relevance by id (1 to 3).
pub type Labels = BTreeMap<String, u8>;

/// A request of the evaluation set with its labels.
#[derive(Debug, Clone)]
pub struct LabeledRequest {
    pub id: String,
    pub request: HubRequest,
    pub partners: Labels,
    pub items: Labels,
    /// The officer's reasoning, in a sentence or two.
    pub note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabeledInput {
    id: String,
    request: RequestInput,
    partners: Labels,
    items: Labels,
    #[serde(default)]
    note: String,
}

/// A partner registry, a candidate set and labeled requests over them.
#[derive(Debug, Clone)]
pub struct EvaluationSet {
    pub partners: Vec<PartnerProfile>,
    pub candidates: Vec<Candidate>,
    pub requests: Vec<LabeledRequest>,
}

fn data_error(file: &str, message: impl Into<String>) -> HubError {
    HubError::Data {
        file: file.to_owned(),
        message: message.into(),
    }
}

impl EvaluationSet {
    /// From the three JSON arrays (see `data/README.md` for their shape). Every label must
    /// name a partner or candidate of the set, with a grade from 1 to 3.
    pub fn from_json(
        partners: &str,
        candidates: &str,
        requests: &str,
    ) -> Result<EvaluationSet, HubError> {
        let partners: Vec<PartnerProfile> =
            serde_json::from_str(partners).map_err(|e| data_error("partners", e.to_string()))?;
        let candidates: Vec<Candidate> =
            serde_json::from_str(candidates).map_err(|e| data_error("items", e.to_string()))?;
        let inputs: Vec<LabeledInput> =
            serde_json::from_str(requests).map_err(|e| data_error("requests", e.to_string()))?;
        let mut out = Vec::with_capacity(inputs.len());
        for input in inputs {
            let mut request = input.request;
            request.id = Some(input.id.clone());
            let request = HubRequest::try_from(request)
                .map_err(|e| data_error("requests", format!("{}: {e}", input.id)))?;
            for (labels, ids, what) in [
                (
                    &input.partners,
                    partners.iter().map(PartnerProfile::id).collect::<Vec<_>>(),
                    "partner",
                ),
                (
                    &input.items,
                    candidates.iter().map(Candidate::id).collect(),
                    "item",
                ),
            ] {
                for (id, grade) in labels {
                    if !ids.contains(&id.as_str()) {
                        return Err(data_error(
                            "requests",
                            format!("{}: no {what} `{id}`", input.id),
                        ));
                    }
                    if !(1..=3).contains(grade) {
                        return Err(data_error(
                            "requests",
                            format!("{}: {what} `{id}` has grade {grade}, not 1 to 3", input.id),
                        ));
                    }
                }
            }
            out.push(LabeledRequest {
                id: input.id,
                request,
                partners: input.partners,
                items: input.items,
                note: input.note,
            });
        }
        crate::model::unique_ids("request", out.iter().map(|r| r.id.as_str()))?;
        Ok(EvaluationSet {
            partners,
            candidates,
            requests: out,
        })
    }
}

/// The share of the first `k` ranked ids that are labeled, over `k`.
pub fn precision_at(ranked: &[String], labels: &Labels, k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let hits = ranked
        .iter()
        .take(k)
        .filter(|id| labels.contains_key(*id))
        .count();
    hits as f64 / k as f64
}

/// nDCG at `k` with gain `2^grade - 1`; 0 when nothing is labeled.
pub fn ndcg_at(ranked: &[String], labels: &Labels, k: usize) -> f64 {
    let gain = |g: u8| f64::from((1u32 << g) - 1);
    let discount = |rank: usize| (rank as f64 + 2.0).log2();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(labels.get(id).copied().unwrap_or(0)) / discount(i))
        .sum();
    let mut grades: Vec<u8> = labels.values().copied().collect();
    grades.sort_unstable_by(|a, b| b.cmp(a));
    let ideal: f64 = grades
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| gain(*g) / discount(i))
        .sum();
    if ideal > 0.0 {
        dcg / ideal
    } else {
        0.0
    }
}

/// precision@5 and nDCG@10.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    pub precision_at_5: f64,
    pub ndcg_at_10: f64,
}

/// One request's metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestMetrics {
    pub id: String,
    pub partners: Metrics,
    pub items: Metrics,
}

/// Averages over the set, and each request's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub partners: Metrics,
    pub items: Metrics,
    pub per_request: Vec<RequestMetrics>,
}

fn metrics(ranked: &[String], labels: &Labels) -> Metrics {
    Metrics {
        precision_at_5: precision_at(ranked, labels, 5),
        ndcg_at_10: ndcg_at(ranked, labels, 10),
    }
}

/// Ranks the top 10 partners and items of every request with `weights` and scores them.
pub fn evaluate(matcher: &Matcher, requests: &[LabeledRequest], weights: &Weights) -> Evaluation {
    let options = MatchOptions::default();
    let mut per_request = Vec::with_capacity(requests.len());
    for r in requests {
        let m = matcher.suggest_with(&r.request, weights, &options);
        let ids =
            |list: &[crate::Suggestion]| list.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        per_request.push(RequestMetrics {
            id: r.id.clone(),
            partners: metrics(&ids(&m.partners), &r.partners),
            items: metrics(&ids(&m.items), &r.items),
        });
    }
    let n = per_request.len().max(1) as f64;
    let mean = |f: &dyn Fn(&RequestMetrics) -> f64| per_request.iter().map(f).sum::<f64>() / n;
    Evaluation {
        partners: Metrics {
            precision_at_5: mean(&|r| r.partners.precision_at_5),
            ndcg_at_10: mean(&|r| r.partners.ndcg_at_10),
        },
        items: Metrics {
            precision_at_5: mean(&|r| r.items.precision_at_5),
            ndcg_at_10: mean(&|r| r.items.ndcg_at_10),
        },
        per_request,
    }
}

/// Requests where `a`'s nDCG@10 is above, equal to and below `b`'s (partners, items).
pub fn wins(a: &Evaluation, b: &Evaluation) -> [(usize, usize, usize); 2] {
    let mut out = [(0, 0, 0); 2];
    for (x, y) in a.per_request.iter().zip(&b.per_request) {
        for (slot, (u, v)) in out.iter_mut().zip([
            (x.partners.ndcg_at_10, y.partners.ndcg_at_10),
            (x.items.ndcg_at_10, y.items.ndcg_at_10),
        ]) {
            if (u - v).abs() < 1e-9 {
                slot.1 += 1;
            } else if u > v {
                slot.0 += 1;
            } else {
                slot.2 += 1;
            }
        }
    }
    out
}

/// The evaluation's markdown report: the full scorer, the text-only baseline and one
/// ablation per factor, over `set` with `weights` as the full scorer.
pub fn report(set: &EvaluationSet, weights: &Weights) -> Result<String, HubError> {
    let matcher = Matcher::new(
        set.partners.clone(),
        set.candidates.clone(),
        weights.clone(),
    )?;
    let full = evaluate(&matcher, &set.requests, weights);
    let text = evaluate(&matcher, &set.requests, &Weights::text_only());
    let mut rows = vec![
        ("Full scorer (default weights)".to_owned(), full.clone()),
        ("Text only (BM25) baseline".to_owned(), text.clone()),
    ];
    for factor in FactorName::PARTNER {
        let w = weights.without(factor);
        if w.validate().is_ok() {
            rows.push((
                format!("Full without {}", factor.slug()),
                evaluate(&matcher, &set.requests, &w),
            ));
        }
    }
    let labeled_partners: usize = set.requests.iter().map(|r| r.partners.len()).sum();
    let labeled_items: usize = set.requests.iter().map(|r| r.items.len()).sum();
    let mut out = String::new();
    out.push_str(&format!(
        "{} labeled requests over {} partners and {} candidates ({} knowledge items, {} past requests); {} partner and {} item labels.\n\n",
        set.requests.len(),
        set.partners.len(),
        set.candidates.len(),
        set.candidates.iter().filter(|c| c.kind() != crate::CandidateKind::PastRequest).count(),
        set.candidates.iter().filter(|c| c.kind() == crate::CandidateKind::PastRequest).count(),
        labeled_partners,
        labeled_items,
    ));
    out.push_str("| scorer | partners P@5 | partners nDCG@10 | items P@5 | items nDCG@10 |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: |\n");
    for (name, e) in &rows {
        out.push_str(&format!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            e.partners.precision_at_5,
            e.partners.ndcg_at_10,
            e.items.precision_at_5,
            e.items.ndcg_at_10
        ));
    }
    let ceiling = |count: &dyn Fn(&LabeledRequest) -> usize| {
        set.requests
            .iter()
            .map(|r| count(r).min(5) as f64 / 5.0)
            .sum::<f64>()
            / set.requests.len().max(1) as f64
    };
    out.push_str(&format!(
        "| (best possible with these labels) | {:.3} | 1.000 | {:.3} | 1.000 |\n",
        ceiling(&|r| r.partners.len()),
        ceiling(&|r| r.items.len()),
    ));
    let [p, i] = wins(&full, &text);
    out.push_str(&format!(
        "\nFull scorer against text only, per request (nDCG@10 better / equal / worse): partners {} / {} / {}, items {} / {} / {}.\n",
        p.0, p.1, p.2, i.0, i.1, i.2
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn labels(list: &[(&str, u8)]) -> Labels {
        list.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn precision_counts_labeled_among_the_first_k() {
        let l = labels(&[("a", 3), ("c", 1)]);
        assert_eq!(
            precision_at(&ids(&["a", "b", "c", "d", "e", "f"]), &l, 5),
            0.4
        );
        assert_eq!(precision_at(&ids(&["a"]), &l, 5), 0.2);
        assert_eq!(precision_at(&ids(&[]), &l, 5), 0.0);
    }

    #[test]
    fn ndcg_by_hand() {
        let l = labels(&[("a", 3), ("b", 1)]);
        // Ideal: a then b = 7/1 + 1/log2(3).
        let ideal = 7.0 + 1.0 / 3f64.log2();
        assert!((ndcg_at(&ids(&["a", "b"]), &l, 10) - 1.0).abs() < 1e-12);
        let swapped = 1.0 + 7.0 / 3f64.log2();
        assert!((ndcg_at(&ids(&["b", "a"]), &l, 10) - swapped / ideal).abs() < 1e-12);
        let late = 7.0 / 4f64.log2();
        assert!((ndcg_at(&ids(&["x", "y", "a"]), &l, 10) - late / ideal).abs() < 1e-12);
        assert_eq!(ndcg_at(&ids(&["x", "y", "a"]), &l, 2), 0.0);
        assert_eq!(ndcg_at(&ids(&["a"]), &Labels::new(), 10), 0.0);
    }

    fn committed() -> EvaluationSet {
        EvaluationSet::from_json(
            include_str!("../data/partners.json"),
            include_str!("../data/items.json"),
            include_str!("../data/requests.json"),
        )
        .expect("the committed evaluation data loads")
    }

    #[test]
    fn the_committed_set_is_large_and_varied_enough() {
        let set = committed();
        assert!(set.partners.len() >= 60, "{} partners", set.partners.len());
        let items = set
            .candidates
            .iter()
            .filter(|c| c.kind() != crate::CandidateKind::PastRequest)
            .count();
        assert!(items >= 150, "{items} knowledge items");
        assert!(set.requests.len() >= 60, "{} requests", set.requests.len());
        let mut objectives = std::collections::BTreeSet::new();
        let mut regions = std::collections::BTreeSet::new();
        let reference = marrakech_core::Reference::official();
        for r in &set.requests {
            objectives.extend(r.request.topics().objectives().iter().copied());
            for c in r.request.countries() {
                let country = reference.country(&c.to_string()).unwrap();
                regions.insert(country.region.as_ref().unwrap().name.clone());
            }
            assert!(
                !r.partners.is_empty() && !r.items.is_empty(),
                "{} has no labels",
                r.id
            );
            assert!(
                r.partners.values().any(|g| *g >= 2),
                "{} has no good partner",
                r.id
            );
        }
        assert_eq!(objectives.len(), 23, "every objective is requested");
        assert_eq!(regions.len(), 5, "{regions:?}");
    }

    #[test]
    fn the_full_scorer_beats_text_only_on_the_committed_set() {
        let set = committed();
        let weights = Weights::default();
        let matcher = Matcher::new(
            set.partners.clone(),
            set.candidates.clone(),
            weights.clone(),
        )
        .unwrap();
        let full = evaluate(&matcher, &set.requests, &weights);
        let text = evaluate(&matcher, &set.requests, &Weights::text_only());
        for (what, f, t) in [
            (
                "partners P@5",
                full.partners.precision_at_5,
                text.partners.precision_at_5,
            ),
            (
                "partners nDCG@10",
                full.partners.ndcg_at_10,
                text.partners.ndcg_at_10,
            ),
            (
                "items P@5",
                full.items.precision_at_5,
                text.items.precision_at_5,
            ),
            (
                "items nDCG@10",
                full.items.ndcg_at_10,
                text.items.ndcg_at_10,
            ),
        ] {
            assert!(f > t, "{what}: full {f:.3} is not above text only {t:.3}");
            assert!((0.0..=1.0).contains(&f) && (0.0..=1.0).contains(&t));
        }
        let out = report(&set, &weights).unwrap();
        assert!(out.contains("| Text only (BM25) baseline |"), "{out}");
        assert!(out.contains("| Full without geography |"), "{out}");
    }
}
