//! The scoring configuration: the weight of each factor, for partners and for candidates,
//! and the few numbers the factors' values depend on. Every field has a documented default
//! and may be given in a configuration file (JSON, TOML, ...) through serde; missing fields
//! keep their defaults, unknown fields are refused.
//!
//! Weights are relative: they are divided by their sum before scoring, so `{ topics: 3,
//! text: 1 }` means 0.75 and 0.25. A suggestion shows the normalised weights it was scored
//! with.

use serde::{Deserialize, Serialize};

use crate::error::HubError;
use crate::geo::Proximity;
use crate::model::Urgency;

/// The factors of a score, in the order suggestions list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactorName {
    /// Shared objectives and actions of the compact.
    Topics,
    /// Text similarity of the request's title and description to the candidate's text.
    Text,
    /// Geographic proximity of the candidate's presence to the request's countries.
    Geography,
    /// A working language of the request.
    Language,
    /// The kinds of support sought against those offered (or served by a kind of item).
    Support,
    /// A partner's spare capacity.
    Capacity,
    /// A partner's record of served requests and implemented knowledge items.
    TrackRecord,
}

impl FactorName {
    pub const PARTNER: [FactorName; 7] = [
        FactorName::Topics,
        FactorName::Text,
        FactorName::Geography,
        FactorName::Language,
        FactorName::Support,
        FactorName::Capacity,
        FactorName::TrackRecord,
    ];
    pub const ITEM: [FactorName; 5] = [
        FactorName::Topics,
        FactorName::Text,
        FactorName::Geography,
        FactorName::Language,
        FactorName::Support,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            FactorName::Topics => "topics",
            FactorName::Text => "text",
            FactorName::Geography => "geography",
            FactorName::Language => "language",
            FactorName::Support => "support",
            FactorName::Capacity => "capacity",
            FactorName::TrackRecord => "track-record",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FactorName::Topics => "Objectives and actions",
            FactorName::Text => "Text similarity",
            FactorName::Geography => "Geographic proximity",
            FactorName::Language => "Language",
            FactorName::Support => "Kind of support",
            FactorName::Capacity => "Capacity",
            FactorName::TrackRecord => "Track record",
        }
    }
}

/// Relative weights of the partner factors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartnerWeights {
    /// Default 0.30: expertise in what the request addresses is the first criterion of a
    /// comparative advantage (para 43(a)(ii)).
    pub topics: f64,
    /// Default 0.15: text adds what the taxonomy misses (a sector, a population, a method).
    pub text: f64,
    /// Default 0.20: operational presence in or near the country.
    pub geography: f64,
    /// Default 0.10.
    pub language: f64,
    /// Default 0.10.
    pub support: f64,
    /// Default 0.07: operational capacity (scaled by urgency).
    pub capacity: f64,
    /// Default 0.08.
    pub track_record: f64,
}

impl Default for PartnerWeights {
    fn default() -> PartnerWeights {
        PartnerWeights {
            topics: 0.30,
            text: 0.15,
            geography: 0.20,
            language: 0.10,
            support: 0.10,
            capacity: 0.07,
            track_record: 0.08,
        }
    }
}

/// Relative weights of the factors for knowledge items and past requests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItemWeights {
    /// Default 0.35.
    pub topics: f64,
    /// Default 0.30.
    pub text: f64,
    /// Default 0.20: peers in the same sub-region or region share contexts and languages.
    pub geography: f64,
    /// Default 0.10: an item the requesting officials can read.
    pub language: f64,
    /// Default 0.05: the item's kind suits a kind of support sought.
    pub support: f64,
}

impl Default for ItemWeights {
    fn default() -> ItemWeights {
        ItemWeights {
            topics: 0.35,
            text: 0.30,
            geography: 0.20,
            language: 0.10,
            support: 0.05,
        }
    }
}

/// The value of each level of geographic proximity, in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProximityScale {
    /// Default 1.0.
    pub same_country: f64,
    /// Default 0.7.
    pub same_subregion: f64,
    /// Default 0.4.
    pub same_region: f64,
    /// Default 0.3: works worldwide, without a presence near the country.
    pub global: f64,
    /// Default 0.0.
    pub elsewhere: f64,
}

impl Default for ProximityScale {
    fn default() -> ProximityScale {
        ProximityScale {
            same_country: 1.0,
            same_subregion: 0.7,
            same_region: 0.4,
            global: 0.3,
            elsewhere: 0.0,
        }
    }
}

impl ProximityScale {
    pub fn value(&self, p: Proximity) -> f64 {
        match p {
            Proximity::SameCountry => self.same_country,
            Proximity::SameSubregion => self.same_subregion,
            Proximity::SameRegion => self.same_region,
            Proximity::Global => self.global,
            Proximity::Elsewhere => self.elsewhere,
        }
    }
}

/// What the request's urgency multiplies the partner capacity weight by (before
/// normalisation): an urgent request needs a partner who can start now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UrgencyMultipliers {
    /// Default 0.5.
    pub low: f64,
    /// Default 1.0.
    pub normal: f64,
    /// Default 2.0.
    pub high: f64,
}

impl Default for UrgencyMultipliers {
    fn default() -> UrgencyMultipliers {
        UrgencyMultipliers {
            low: 0.5,
            normal: 1.0,
            high: 2.0,
        }
    }
}

impl UrgencyMultipliers {
    pub fn of(&self, u: Urgency) -> f64 {
        match u {
            Urgency::Low => self.low,
            Urgency::Normal => self.normal,
            Urgency::High => self.high,
        }
    }
}

/// The whole scoring configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub partners: PartnerWeights,
    pub items: ItemWeights,
    pub proximity: ProximityScale,
    pub urgency: UrgencyMultipliers,
    /// The language factor's value when the candidate shares a language of the request other
    /// than its first (preferred) one. Default 0.5.
    pub secondary_language: f64,
    /// Hub requests one staff member carries at once: spare capacity is
    /// `1 - engaged / (staff * requests_per_staff)`. Default 2.
    pub requests_per_staff: f64,
    /// The track record (requests served + items implemented) worth 0.5: the factor is
    /// `n / (n + track_record_half)`. Default 10.
    pub track_record_half: f64,
    /// How many of the best text matches the text factor sees; beyond them text similarity
    /// counts 0, as a search index answers a bounded number of hits. Default 1,000.
    pub text_candidates: usize,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            partners: PartnerWeights::default(),
            items: ItemWeights::default(),
            proximity: ProximityScale::default(),
            urgency: UrgencyMultipliers::default(),
            secondary_language: 0.5,
            requests_per_staff: 2.0,
            track_record_half: 10.0,
            text_candidates: 1000,
        }
    }
}

impl Weights {
    /// The text-only baseline: text similarity alone, for partners and items.
    pub fn text_only() -> Weights {
        Weights {
            partners: PartnerWeights {
                topics: 0.0,
                text: 1.0,
                geography: 0.0,
                language: 0.0,
                support: 0.0,
                capacity: 0.0,
                track_record: 0.0,
            },
            items: ItemWeights {
                topics: 0.0,
                text: 1.0,
                geography: 0.0,
                language: 0.0,
                support: 0.0,
            },
            ..Weights::default()
        }
    }

    /// These weights with one factor switched off (for ablations).
    pub fn without(&self, factor: FactorName) -> Weights {
        let mut w = self.clone();
        let (p, i) = (&mut w.partners, &mut w.items);
        match factor {
            FactorName::Topics => (p.topics, i.topics) = (0.0, 0.0),
            FactorName::Text => (p.text, i.text) = (0.0, 0.0),
            FactorName::Geography => (p.geography, i.geography) = (0.0, 0.0),
            FactorName::Language => (p.language, i.language) = (0.0, 0.0),
            FactorName::Support => (p.support, i.support) = (0.0, 0.0),
            FactorName::Capacity => p.capacity = 0.0,
            FactorName::TrackRecord => p.track_record = 0.0,
        }
        w
    }

    /// Checks every number; the matcher refuses weights that fail.
    pub fn validate(&self) -> Result<(), HubError> {
        let bad = |m: String| Err(HubError::Weights(m));
        let p = &self.partners;
        let i = &self.items;
        let named: [(&str, f64); 12] = [
            ("partners.topics", p.topics),
            ("partners.text", p.text),
            ("partners.geography", p.geography),
            ("partners.language", p.language),
            ("partners.support", p.support),
            ("partners.capacity", p.capacity),
            ("partners.track_record", p.track_record),
            ("items.topics", i.topics),
            ("items.text", i.text),
            ("items.geography", i.geography),
            ("items.language", i.language),
            ("items.support", i.support),
        ];
        for (name, w) in named {
            if !w.is_finite() || w < 0.0 {
                return bad(format!("{name} is {w}: a weight is a finite number >= 0"));
            }
        }
        if named[..7].iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
            return bad("the partner weights are all 0".into());
        }
        if named[7..].iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
            return bad("the item weights are all 0".into());
        }
        let s = &self.proximity;
        let u = &self.urgency;
        for (name, v) in [
            ("proximity.same_country", s.same_country),
            ("proximity.same_subregion", s.same_subregion),
            ("proximity.same_region", s.same_region),
            ("proximity.global", s.global),
            ("proximity.elsewhere", s.elsewhere),
            ("secondary_language", self.secondary_language),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(format!("{name} is {v}: it must lie in [0, 1]"));
            }
        }
        for (name, v) in [
            ("urgency.low", u.low),
            ("urgency.normal", u.normal),
            ("urgency.high", u.high),
        ] {
            if !v.is_finite() || v < 0.0 {
                return bad(format!(
                    "{name} is {v}: a multiplier is a finite number >= 0"
                ));
            }
        }
        for (name, v) in [
            ("requests_per_staff", self.requests_per_staff),
            ("track_record_half", self.track_record_half),
        ] {
            if !v.is_finite() || v <= 0.0 {
                return bad(format!("{name} is {v}: it must be > 0"));
            }
        }
        if self.text_candidates == 0 {
            return bad("text_candidates is 0".into());
        }
        Ok(())
    }

    /// The partner weights for a request of this urgency, divided by their sum, in
    /// [`FactorName::PARTNER`] order. When urgency zeroes the only non-zero weight, the
    /// unscaled weights are used.
    pub fn partner_weights(&self, urgency: Urgency) -> [f64; 7] {
        let p = &self.partners;
        let raw = [
            p.topics,
            p.text,
            p.geography,
            p.language,
            p.support,
            p.capacity * self.urgency.of(urgency),
            p.track_record,
        ];
        normalise(raw).unwrap_or_else(|| {
            normalise([
                p.topics,
                p.text,
                p.geography,
                p.language,
                p.support,
                p.capacity,
                p.track_record,
            ])
            .unwrap_or([0.0; 7])
        })
    }

    /// The item weights divided by their sum, in [`FactorName::ITEM`] order.
    pub fn item_weights(&self) -> [f64; 5] {
        let i = &self.items;
        normalise([i.topics, i.text, i.geography, i.language, i.support]).unwrap_or([0.0; 5])
    }
}

/// Divides by the sum; `None` when the sum is not positive.
pub fn normalise<const N: usize>(raw: [f64; N]) -> Option<[f64; N]> {
    let sum: f64 = raw.iter().sum();
    if !(sum > 0.0 && sum.is_finite()) {
        return None;
    }
    Some(raw.map(|w| w / sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_sum_to_one_and_validate() {
        let w = Weights::default();
        w.validate().unwrap();
        let p: f64 = w.partner_weights(Urgency::Normal).iter().sum();
        let i: f64 = w.item_weights().iter().sum();
        assert!((p - 1.0).abs() < 1e-12 && (i - 1.0).abs() < 1e-12);
        assert!((w.partner_weights(Urgency::Normal)[0] - 0.30).abs() < 1e-12);
    }

    #[test]
    fn weights_are_relative() {
        let w: Weights = serde_json::from_str(
            r#"{"items": {"topics": 3, "text": 1, "geography": 0, "language": 0, "support": 0}}"#,
        )
        .unwrap();
        assert_eq!(w.item_weights(), [0.75, 0.25, 0.0, 0.0, 0.0]);
        // Missing sections keep their defaults.
        assert_eq!(w.partners, PartnerWeights::default());
    }

    #[test]
    fn urgency_scales_capacity_before_normalisation() {
        let w = Weights::default();
        let high = w.partner_weights(Urgency::High);
        // capacity 0.07 * 2 = 0.14 over a sum of 1.07.
        assert!((high[5] - 0.14 / 1.07).abs() < 1e-12);
        assert!((high.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let low = w.partner_weights(Urgency::Low);
        assert!((low[5] - 0.035 / 0.965).abs() < 1e-12);
    }

    #[test]
    fn bad_weights_are_refused_with_their_name() {
        let mut w = Weights::default();
        w.partners.text = -1.0;
        assert!(w
            .validate()
            .unwrap_err()
            .to_string()
            .contains("partners.text"));
        let w = Weights {
            items: ItemWeights {
                topics: 0.0,
                text: 0.0,
                geography: 0.0,
                language: 0.0,
                support: 0.0,
            },
            ..Weights::default()
        };
        assert!(w
            .validate()
            .unwrap_err()
            .to_string()
            .contains("item weights"));
        let mut w = Weights::default();
        w.proximity.global = 1.5;
        assert!(w.validate().is_err());
        assert!(serde_json::from_str::<Weights>(r#"{"partner": {}}"#).is_err());
        Weights::text_only().validate().unwrap();
        assert_eq!(
            Weights::text_only().item_weights(),
            [0.0, 1.0, 0.0, 0.0, 0.0]
        );
    }
}
