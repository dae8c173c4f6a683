//! Dead and missing migrants, aggregated from IOM incident records.
//!
//! Every breakdown counts each incident record once, so its rows add up to the whole:
//! - by year, region of incident, route, cause of death: the field as written (spaces
//!   collapsed). Causes are not split on commas: IOM's own cause labels contain commas
//!   ("Harsh environmental conditions / lack of adequate shelter, food, water"), so a
//!   combination of causes is its own category. A blank field is the `None` key.
//! - by region of origin: an incident whose origin field names one region is counted under
//!   it (presumed or not: the `(P)` mark is counted separately); one that names several is
//!   counted under [`OriginKey::Several`], and also reported, without adding to the total,
//!   in each named region's `shared` figures; no region is [`OriginKey::Unknown`].
//!
//! Blank counts are unknown, not zero: they add nothing to the sums, and each tally says how
//! many incidents had their dead or missing count unknown.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use serde::Serialize;

use crate::mmp::Incident;

/// Sums over a set of incidents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub incidents: u64,
    pub dead: u64,
    pub missing: u64,
    /// Dead and missing (the records' totals).
    pub total: u64,
    pub dead_unknown: u64,
    pub missing_unknown: u64,
}

impl Tally {
    pub fn add(&mut self, i: &Incident) {
        self.incidents += 1;
        self.dead += i.dead.unwrap_or(0) as u64;
        self.missing += i.missing.unwrap_or(0) as u64;
        self.total += i.total.unwrap_or(0) as u64;
        self.dead_unknown += i.dead.is_none() as u64;
        self.missing_unknown += i.missing.is_none() as u64;
    }
}

/// One row of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row<K> {
    pub key: K,
    pub tally: Tally,
}

/// Everything at once.
pub fn overall(incidents: &[Incident]) -> Tally {
    let mut t = Tally::default();
    incidents.iter().for_each(|i| t.add(i));
    t
}

/// Groups by any key; rows sorted by total, largest first, then by key.
pub fn breakdown<K: Ord + Hash + Clone>(
    incidents: &[Incident],
    key: impl Fn(&Incident) -> K,
) -> Vec<Row<K>> {
    let mut map: HashMap<K, Tally> = HashMap::new();
    for i in incidents {
        map.entry(key(i)).or_default().add(i);
    }
    let mut rows: Vec<Row<K>> = map
        .into_iter()
        .map(|(key, tally)| Row { key, tally })
        .collect();
    rows.sort_by(|a, b| b.tally.total.cmp(&a.tally.total).then(a.key.cmp(&b.key)));
    rows
}

/// By year, oldest first.
pub fn by_year(incidents: &[Incident]) -> Vec<Row<u16>> {
    let mut rows = breakdown(incidents, |i| i.year);
    rows.sort_by_key(|r| r.key);
    rows
}

pub fn by_region_of_incident(incidents: &[Incident]) -> Vec<Row<Arc<str>>> {
    breakdown(incidents, |i| i.region.name.clone())
}

pub fn by_route(incidents: &[Incident]) -> Vec<Row<Option<Arc<str>>>> {
    breakdown(incidents, |i| i.route.clone())
}

pub fn by_cause(incidents: &[Incident]) -> Vec<Row<Option<Arc<str>>>> {
    breakdown(incidents, |i| i.cause_of_death.clone())
}

/// The key of the region-of-origin breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum OriginKey {
    Region(Arc<str>),
    /// Several regions named in one record.
    Several,
    Unknown,
}

/// A row of the region-of-origin breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginRow {
    pub key: OriginKey,
    /// Incidents counted here (each once across the breakdown).
    pub tally: Tally,
    /// Of `tally.incidents`, those whose region was marked presumed `(P)`.
    pub presumed: u64,
    /// Incidents naming this region among several (counted under `Several`).
    pub shared: Tally,
}

pub fn by_region_of_origin(incidents: &[Incident]) -> Vec<OriginRow> {
    let mut map: HashMap<OriginKey, OriginRow> = HashMap::new();
    for i in incidents {
        match i.origin_regions.as_slice() {
            [] => entry(&mut map, OriginKey::Unknown).tally.add(i),
            [one] => {
                let r = entry(&mut map, OriginKey::Region(one.name.clone()));
                r.tally.add(i);
                r.presumed += one.presumed as u64;
            }
            several => {
                entry(&mut map, OriginKey::Several).tally.add(i);
                for region in several {
                    entry(&mut map, OriginKey::Region(region.name.clone()))
                        .shared
                        .add(i);
                }
            }
        }
    }
    let mut rows: Vec<OriginRow> = map.into_values().collect();
    rows.sort_by(|a, b| b.tally.total.cmp(&a.tally.total).then(a.key.cmp(&b.key)));
    rows
}

fn entry(map: &mut HashMap<OriginKey, OriginRow>, key: OriginKey) -> &mut OriginRow {
    map.entry(key.clone()).or_insert_with(|| OriginRow {
        key,
        tally: Tally::default(),
        presumed: 0,
        shared: Tally::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mmp::import_mmp_csv;

    const CSV: &str = "Main ID,Incident ID,Region,Incident Date,Year,Reported Month,Number Dead,Minimum Estimated Number of Missing,Number of Survivors,Number of Females,Number of Males,Number of Children,Region of Origin,Cause of Death,Country of Origin,Location of death,Information Source,Coordinates,Migration route,URL,UNSD Geographical Grouping,Source Quality
1,1,Mediterranean,01/02/2025,2025,Jan,3,2,,,,,Northern Africa,Drowning,,,,,Central Mediterranean,,,
2,2,Mediterranean,01/03/2025,2025,Jan,1,,,,,,\"Northern Africa, Sub-Saharan Africa\",Drowning,,,,,Central Mediterranean,,,
3,3,Americas,01/04/2026,2026,Jan,,4,,,,,Central America (P),\"Violence, Shot\",,,,,,,,
4,4,Americas,01/05/2026,2026,Jan,2,0,,,,,,Vehicle accident,,,,,,,,
";

    fn incidents() -> Vec<Incident> {
        let import = import_mmp_csv(CSV.as_bytes()).unwrap();
        assert!(import.rejected.is_empty(), "{:?}", import.rejected);
        import.records
    }

    #[test]
    fn by_year_and_totals() {
        let i = incidents();
        // 2025: dead 3 + 1 = 4, missing 2 (+ one unknown), totals 5 + 1 = 6.
        // 2026: dead 2 (+ one unknown), missing 4 + 0 = 4, totals 4 + 2 = 6.
        let y = by_year(&i);
        assert_eq!(y[0].key, 2025);
        assert_eq!(
            (
                y[0].tally.dead,
                y[0].tally.missing,
                y[0].tally.total,
                y[0].tally.missing_unknown
            ),
            (4, 2, 6, 1)
        );
        assert_eq!(y[1].key, 2026);
        assert_eq!(
            (
                y[1].tally.dead,
                y[1].tally.missing,
                y[1].tally.total,
                y[1].tally.dead_unknown
            ),
            (2, 4, 6, 1)
        );
        assert_eq!(overall(&i).total, 12);
    }

    #[test]
    fn routes_and_causes_as_written() {
        let i = incidents();
        let routes = by_route(&i);
        // Central Mediterranean 5 + 1 = 6; no route: 4 + 2 = 6. Equal totals: key order,
        // None first.
        assert_eq!(routes[0].key, None);
        assert_eq!(routes[0].tally.total, 6);
        assert_eq!(routes[1].key.as_deref(), Some("Central Mediterranean"));
        let causes = by_cause(&i);
        assert_eq!(causes[0].key.as_deref(), Some("Drowning"));
        assert_eq!(causes[0].tally.total, 6);
        assert!(causes
            .iter()
            .any(|c| c.key.as_deref() == Some("Violence, Shot")));
        let regions = by_region_of_incident(&i);
        assert_eq!(regions.iter().map(|r| r.tally.total).sum::<u64>(), 12);
    }

    #[test]
    fn several_origins_are_counted_once() {
        let i = incidents();
        let rows = by_region_of_origin(&i);
        let get = |k: OriginKey| rows.iter().find(|r| r.key == k).unwrap();
        let na = get(OriginKey::Region("Northern Africa".into()));
        // Incident 1 alone (total 5); incident 2 (total 1) is shared with Sub-Saharan Africa.
        assert_eq!((na.tally.total, na.shared.total), (5, 1));
        assert_eq!(get(OriginKey::Several).tally.total, 1);
        let ca = get(OriginKey::Region("Central America".into()));
        assert_eq!((ca.tally.total, ca.presumed), (4, 1));
        assert_eq!(get(OriginKey::Unknown).tally.total, 2);
        // The exclusive figures add up to the whole: 5 + 1 + 4 + 2 = 12.
        assert_eq!(rows.iter().map(|r| r.tally.total).sum::<u64>(), 12);
    }
}
