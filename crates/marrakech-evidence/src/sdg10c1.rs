//! SDG indicator 10.c.1, "remittance costs as a proportion of the amount remitted", from RPW
//! provider-level rows, per quarter, with the World Bank's methodology:
//!
//! - **Global Average**: the simple average of the cc1 (USD 200) total cost over all
//!   services in all corridors.
//! - **SmaRT**: per corridor, the simple average of the three cheapest services that are
//!   transparent, deliver within 5 days and are accessible (fewer when fewer qualify);
//!   then the simple average over corridors.
//! - **Regional averages**: the simple average over services sending to the region's
//!   countries; regions are core's M49 regions of the destination (level configurable).
//! - **Weighted average**: each corridor's average weighted by its remittance volume.
//!   Corridors without a (positive) weight are left out, and counted.
//!
//! Decisions, where the methodology leaves room (also in README.md):
//! - a row whose `transparent` is `no` is excluded from every average, because its FX
//!   margin is stored as 0 although unknown; a blank `transparent` is not evidence of a
//!   hidden margin, so such a row stays in the averages (but never qualifies for SmaRT,
//!   which asks for transparency);
//! - rows without a cc1 total cost are not services for the indicator and are ignored;
//! - a corridor's average (used by the weighted average, corridors above 5 % and the
//!   trajectories) is the simple average of its included services in the quarter;
//! - "within 5 days" is a speed whose upper bound is at most 5 days (up to "3-5 days"); an
//!   unknown speed does not qualify;
//! - "accessible" maps to `receiving network coverage`: see [`Accessibility`].

use std::collections::HashMap;

use marrakech_core::countries::{Reference, RegionLevel, M49};
use serde::Serialize;

use crate::codes::{Corridor, Iso3, Quarter};
use crate::rpw::RpwRecord;
use crate::weights::VolumeWeights;

/// The SDG per-corridor ceiling: no corridor above 5 % by 2030.
pub const CORRIDOR_TARGET: f64 = 5.0;
/// The SDG target for the average: below 3 % by 2030.
pub const AVERAGE_TARGET: f64 = 3.0;

/// What "accessible" means for SmaRT. The methodology asks for services accessible to a
/// significant share of senders and receivers; the only RPW column that speaks of reach is
/// `receiving network coverage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accessibility {
    /// The default: accessible unless `receiving network coverage` says the network is
    /// limited (a value containing "limited" or "restricted", in any case). A blank cell
    /// does not exclude: the legacy sheet has no such column.
    #[default]
    NetworkNotLimited,
    /// Every service counts as accessible.
    Everything,
}

impl Accessibility {
    pub fn accessible(self, record: &RpwRecord) -> bool {
        match self {
            Accessibility::Everything => true,
            Accessibility::NetworkNotLimited => match &record.receiving_network_coverage {
                None => true,
                Some(c) => {
                    !(contains_ignore_case(c, "limited") || contains_ignore_case(c, "restricted"))
                }
            },
        }
    }
}

/// The SmaRT qualification rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmartRule {
    /// Services must deliver within this many days (5).
    pub max_days: u8,
    /// How many of the cheapest qualifying services are averaged per corridor (3).
    pub cheapest: usize,
    pub accessibility: Accessibility,
}

impl Default for SmartRule {
    fn default() -> Self {
        SmartRule {
            max_days: 5,
            cheapest: 3,
            accessibility: Accessibility::default(),
        }
    }
}

impl SmartRule {
    pub fn qualifies(&self, r: &RpwRecord) -> bool {
        r.transparent == Some(true)
            && r.speed
                .and_then(|s| s.max_days())
                .is_some_and(|d| d <= self.max_days)
            && self.accessibility.accessible(r)
    }
}

/// How to compute.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub reference: &'a Reference,
    /// The M49 level regional averages are computed at.
    pub region_level: RegionLevel,
    pub weights: Option<&'a VolumeWeights>,
    pub smart: SmartRule,
}

impl<'a> Options<'a> {
    pub fn new(reference: &'a Reference) -> Options<'a> {
        Options {
            reference,
            region_level: RegionLevel::Region,
            weights: None,
            smart: SmartRule::default(),
        }
    }

    pub fn with_weights(mut self, weights: &'a VolumeWeights) -> Options<'a> {
        self.weights = Some(weights);
        self
    }
}

/// A receiving region's average in a quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionalAverage {
    pub region: M49,
    pub name: String,
    pub average: f64,
    pub services: usize,
}

/// The indicator and its companions for one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterFigures {
    pub quarter: Quarter,
    /// Rows with a cc1 total cost.
    pub services: usize,
    /// Of those, rows excluded because `transparent` is `no`.
    pub excluded_non_transparent: usize,
    /// Per cent; over `services - excluded_non_transparent` services.
    pub global_average: Option<f64>,
    pub smart: Option<f64>,
    /// Corridors with at least one qualifying service (the SmaRT denominator).
    pub smart_corridors: usize,
    /// Corridors with services but none qualifying for SmaRT.
    pub corridors_without_smart: usize,
    pub weighted_average: Option<f64>,
    pub weighted_corridors: usize,
    /// Corridors left out of the weighted average for want of a weight.
    pub unweighted_corridors: usize,
    /// Corridors with at least one included service.
    pub corridors: usize,
    /// Corridors whose average is strictly above 5 %.
    pub corridors_above_5: usize,
    pub share_above_5: Option<f64>,
    pub regions: Vec<RegionalAverage>,
    /// Included services whose destination has no region in the reference (e.g. Kosovo).
    pub services_without_region: usize,
}

/// One corridor in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorQuarter {
    pub corridor: Corridor,
    pub quarter: Quarter,
    /// Simple average of the included services.
    pub average: f64,
    pub services: usize,
    /// The average of the (up to three) cheapest qualifying services.
    pub smart: Option<f64>,
}

#[derive(Clone, Copy)]
struct CorridorAcc {
    sum: f64,
    n: usize,
    /// The cheapest qualifying costs so far, ascending; `nbest` of them are valid.
    best: [f64; 8],
    nbest: usize,
}

/// Keeps the k smallest values, ascending (k is at most 8: SmaRT asks for 3).
fn keep_cheapest(best: &mut [f64; 8], n: &mut usize, k: usize, v: f64) {
    if *n == k && v >= best[k - 1] {
        return;
    }
    let mut i = if *n < k { *n } else { k - 1 };
    while i > 0 && best[i - 1] > v {
        best[i] = best[i - 1];
        i -= 1;
    }
    best[i] = v;
    if *n < k {
        *n += 1;
    }
}

/// A fast hasher for the packed integer keys below (multiply-rotate, as rustc's FxHash):
/// the keys are ours, not an attacker's, so SipHash's protection buys nothing here and
/// costs a third of the pass.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Quarter x corridor accumulation, the one pass over the rows.
struct Accumulated {
    quarters: Vec<Quarter>,
    services: Vec<usize>,
    excluded: Vec<usize>,
    sums: Vec<(f64, usize)>,
    /// Keyed by quarter slot (high 32 bits) and packed corridor.
    corridors: FastMap<u64, (Corridor, Option<M49>, CorridorAcc)>,
}

impl Accumulated {
    fn quarter_index(&self, key: u64) -> i32 {
        self.quarters.first().map(|q| q.index()).unwrap_or(0) + (key >> 32) as i32
    }
}

/// `haystack` contains `needle` (ASCII lower case), ignoring ASCII case, without allocating.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn region_of(options: &Options<'_>, destination: Iso3) -> Option<M49> {
    let country = options.reference.country(destination.as_str())?;
    let area = match options.region_level {
        RegionLevel::Region => country.region.as_ref(),
        RegionLevel::Subregion => country.subregion.as_ref(),
        RegionLevel::Intermediate => country
            .intermediate_region
            .as_ref()
            .or(country.subregion.as_ref()),
    };
    area.map(|a| a.code)
}

/// Quarters are slotted from 1900Q1, the earliest a [`Quarter`] can be, so that the rows
/// are read once (they are large; a second pass to find the range would double the cost).
const FIRST_QUARTER: i32 = 1900 * 4;
const QUARTER_SLOTS: usize = 201 * 4;

fn accumulate(records: &[RpwRecord], options: &Options<'_>) -> Accumulated {
    let k = options.smart.cheapest.clamp(1, 8);
    let mut acc = Accumulated {
        quarters: (0..QUARTER_SLOTS)
            .filter_map(|i| Quarter::from_index(FIRST_QUARTER + i as i32))
            .collect(),
        services: vec![0; QUARTER_SLOTS],
        excluded: vec![0; QUARTER_SLOTS],
        sums: vec![(0.0, 0); QUARTER_SLOTS],
        corridors: FastMap::default(),
    };
    let lo = FIRST_QUARTER;
    // Destination -> region, looked up once per destination.
    let mut regions: FastMap<u64, Option<M49>> = FastMap::default();
    for r in records {
        let Some(cost) = r.cc1.total_cost_pct else {
            continue;
        };
        let slot = (r.period.index() - lo) as usize;
        acc.services[slot] += 1;
        if r.transparent == Some(false) {
            acc.excluded[slot] += 1;
            continue;
        }
        let s = &mut acc.sums[slot];
        s.0 += cost;
        s.1 += 1;
        let key = ((slot as u64) << 32) | r.corridor.packed() as u64;
        let (_, _, c) = acc.corridors.entry(key).or_insert_with(|| {
            let region = *regions
                .entry(r.corridor.destination.packed() as u64)
                .or_insert_with(|| region_of(options, r.corridor.destination));
            (
                r.corridor,
                region,
                CorridorAcc {
                    sum: 0.0,
                    n: 0,
                    best: [0.0; 8],
                    nbest: 0,
                },
            )
        });
        c.sum += cost;
        c.n += 1;
        if options.smart.qualifies(r) {
            keep_cheapest(&mut c.best, &mut c.nbest, k, cost);
        }
    }
    acc
}

/// SDG 10.c.1 and its companions for every quarter the rows cover, oldest first. Quarters
/// inside the range with no rows are left out.
pub fn compute(records: &[RpwRecord], options: &Options<'_>) -> Vec<QuarterFigures> {
    let acc = accumulate(records, options);
    let n = acc.quarters.len();
    #[derive(Default, Clone, Copy)]
    struct PerQuarter {
        corridors: usize,
        above: usize,
        smart_sum: f64,
        smart_n: usize,
        without_smart: usize,
        w_sum: f64,
        w_total: f64,
        weighted: usize,
        unweighted: usize,
        without_region: usize,
    }
    let mut per = vec![PerQuarter::default(); n];
    // (quarter slot, region) -> (sum, services): a region's services are its corridors'.
    let mut region_sums: FastMap<u64, (M49, f64, usize)> = FastMap::default();
    for (&key, (corridor, region, c)) in &acc.corridors {
        let slot = (key >> 32) as usize;
        let p = &mut per[slot];
        let avg = c.sum / c.n as f64;
        p.corridors += 1;
        if avg > CORRIDOR_TARGET {
            p.above += 1;
        }
        if c.nbest > 0 {
            p.smart_sum += c.best[..c.nbest].iter().sum::<f64>() / c.nbest as f64;
            p.smart_n += 1;
        } else {
            p.without_smart += 1;
        }
        if let Some(weights) = options.weights {
            match weights.weight(*corridor) {
                Some(w) => {
                    p.w_sum += w * avg;
                    p.w_total += w;
                    p.weighted += 1;
                }
                None => p.unweighted += 1,
            }
        }
        match region {
            Some(code) => {
                let e = region_sums
                    .entry(((slot as u64) << 32) | code.value() as u64)
                    .or_insert((*code, 0.0, 0));
                e.1 += c.sum;
                e.2 += c.n;
            }
            None => p.without_region += c.n,
        }
    }
    let mut regions: Vec<Vec<RegionalAverage>> = vec![Vec::new(); n];
    for (&key, &(code, sum, count)) in &region_sums {
        regions[(key >> 32) as usize].push(RegionalAverage {
            region: code,
            name: options
                .reference
                .region(code)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            average: sum / count as f64,
            services: count,
        });
    }
    let mut out = Vec::new();
    for (slot, quarter) in acc.quarters.iter().enumerate() {
        if acc.services[slot] == 0 {
            continue;
        }
        let p = per[slot];
        let (sum, count) = acc.sums[slot];
        let mut regs = std::mem::take(&mut regions[slot]);
        regs.sort_by_key(|r| r.region);
        out.push(QuarterFigures {
            quarter: *quarter,
            services: acc.services[slot],
            excluded_non_transparent: acc.excluded[slot],
            global_average: (count > 0).then(|| sum / count as f64),
            smart: (p.smart_n > 0).then(|| p.smart_sum / p.smart_n as f64),
            smart_corridors: p.smart_n,
            corridors_without_smart: p.without_smart,
            weighted_average: (p.w_total > 0.0).then(|| p.w_sum / p.w_total),
            weighted_corridors: p.weighted,
            unweighted_corridors: p.unweighted,
            corridors: p.corridors,
            corridors_above_5: p.above,
            share_above_5: (p.corridors > 0).then(|| p.above as f64 / p.corridors as f64),
            regions: regs,
            services_without_region: p.without_region,
        });
    }
    out
}

/// Every corridor's average (and SmaRT average) per quarter, ordered by corridor then
/// quarter: the series behind the trajectories and the corridor pages.
pub fn corridor_quarters(records: &[RpwRecord], options: &Options<'_>) -> Vec<CorridorQuarter> {
    let acc = accumulate(records, options);
    let mut out: Vec<CorridorQuarter> = acc
        .corridors
        .iter()
        .filter_map(|(&key, (corridor, _, c))| {
            Some(CorridorQuarter {
                corridor: *corridor,
                quarter: Quarter::from_index(acc.quarter_index(key))?,
                average: c.sum / c.n as f64,
                services: c.n,
                smart: (c.nbest > 0)
                    .then(|| c.best[..c.nbest].iter().sum::<f64>() / c.nbest as f64),
            })
        })
        .collect();
    out.sort_by_key(|c| (c.corridor, c.quarter));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheapest_k() {
        let mut best = [0.0; 8];
        let mut n = 0;
        for v in [5.0, 3.0, 9.0, 1.0, 4.0, 3.0] {
            keep_cheapest(&mut best, &mut n, 3, v);
        }
        assert_eq!((n, &best[..3]), (3, &[1.0, 3.0, 3.0][..]));
        let mut n = 0;
        keep_cheapest(&mut best, &mut n, 1, 2.0);
        keep_cheapest(&mut best, &mut n, 1, 1.5);
        assert_eq!((n, best[0]), (1, 1.5));
    }
}
