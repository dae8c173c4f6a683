//! SDG 10.c.1 against figures computed by hand, and against a naive implementation on
//! generated rows.

use std::collections::{BTreeMap, BTreeSet};

use marrakech_core::countries::Reference;
use marrakech_evidence::generate::RpwGenerator;
use marrakech_evidence::rpw::{import_rpw_csv, RpwRecord};
use marrakech_evidence::sdg10c1::{compute, corridor_quarters, Options, CORRIDOR_TARGET};
use marrakech_evidence::trajectory::{corridor_trends, series_by_corridor, TrackStatus};
use marrakech_evidence::weights::{BilateralFlow, VolumeWeights};
use marrakech_evidence::{Corridor, Quarter};

const HEADER: &str = "period,source_code,destination_code,firm,speed actual,cc1 total cost %,transparent,receiving network coverage";

/// The hand fixture, as an RPW CSV (importer included in the path on purpose).
fn fixture() -> Vec<RpwRecord> {
    let text = format!(
        "{HEADER}
2023_3Q,USA,MEX,a1,Less than one hour,4.0,yes,Nationwide
2023_3Q,USA,MEX,a2,Next day,6.0,yes,Nationwide
2023_3Q,USA,MEX,a3,6 days or more,8.0,yes,Nationwide
2023_3Q,USA,MEX,a4,Same day,2.0,no,Nationwide
2023_3Q,USA,MEX,a5,2 days,5.0,yes,Limited
2023_3Q,GBR,NGA,b1,Same day,3.0,yes,
2023_3Q,GBR,NGA,b2,3-5 days,3.5,yes,
2023_3Q,GBR,NGA,b3,Same day,2.5,yes,
2023_3Q,GBR,NGA,b4,Same day,1.0,yes,
2023_3Q,GBR,NGA,b5,Same day,9.0,,
2023_3Q,DEU,XKX,c1,6 days or more,7.0,yes,
2023_3Q,DEU,XKX,c2,Same day,,yes,
2023_4Q,USA,MEX,a1,Same day,3.0,yes,Nationwide
"
    );
    let import = import_rpw_csv(text.as_bytes()).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    import.records
}

fn corridor(s: &str) -> Corridor {
    Corridor::parse(s).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn figures_computed_by_hand() {
    let rows = fixture();
    let weights = VolumeWeights::from_flows([
        BilateralFlow {
            corridor: corridor("USAMEX"),
            usd_millions: 30.0,
        },
        BilateralFlow {
            corridor: corridor("GBRNGA"),
            usd_millions: 10.0,
        },
    ]);
    let reference = Reference::official();
    let figures = compute(&rows, &Options::new(reference).with_weights(&weights));
    assert_eq!(figures.len(), 2);
    let q3 = &figures[0];
    assert_eq!(q3.quarter, Quarter::new(2023, 3).unwrap());

    // Services: 12 rows in 2023Q3, c2 has no cc1 cost -> 11 services; a4 is not
    // transparent -> excluded; 10 included.
    assert_eq!((q3.services, q3.excluded_non_transparent), (11, 1));

    // Global Average: USAMEX 4 + 6 + 8 + 5 = 23; GBRNGA 3 + 3.5 + 2.5 + 1 + 9 = 19
    // (b5's blank `transparent` stays in); DEUXKX 7. (23 + 19 + 7) / 10 = 4.9.
    assert!(close(q3.global_average.unwrap(), 4.9));

    // SmaRT. USAMEX: a1 (4) and a2 (6) qualify; a3 too slow, a4 not transparent, a5 on a
    // limited network -> (4 + 6) / 2 = 5. GBRNGA: b1..b4 qualify (b5's transparency is
    // unknown); the three cheapest 1, 2.5, 3 -> 6.5 / 3. DEUXKX: c1 too slow -> none.
    // SmaRT = (5 + 6.5/3) / 2 = 43/12.
    assert!(close(q3.smart.unwrap(), 43.0 / 12.0));
    assert_eq!((q3.smart_corridors, q3.corridors_without_smart), (2, 1));

    // Corridor averages: USAMEX 23/4 = 5.75, GBRNGA 19/5 = 3.8, DEUXKX 7. Above 5 %:
    // USAMEX and DEUXKX, 2 of 3.
    assert_eq!((q3.corridors, q3.corridors_above_5), (3, 2));
    assert!(close(q3.share_above_5.unwrap(), 2.0 / 3.0));

    // Weighted: (30 x 5.75 + 10 x 3.8) / (30 + 10) = (172.5 + 38) / 40 = 5.2625; DEUXKX
    // has no weight and is counted.
    assert!(close(q3.weighted_average.unwrap(), 5.2625));
    assert_eq!((q3.weighted_corridors, q3.unweighted_corridors), (2, 1));

    // Regions of destination: Americas (019) 23/4 = 5.75 over 4 services; Africa (002)
    // 19/5 = 3.8 over 5; Kosovo has no M49 region: 1 service without region.
    let regions: Vec<(String, f64, usize)> = q3
        .regions
        .iter()
        .map(|r| (r.region.to_string(), r.average, r.services))
        .collect();
    assert_eq!(
        regions,
        [("002".to_owned(), 3.8, 5), ("019".to_owned(), 5.75, 4)]
    );
    assert_eq!(q3.regions[0].name, "Africa");
    assert_eq!(q3.services_without_region, 1);

    // 2023Q4: one qualifying service at 3 -> every figure 3, nothing above 5 %.
    let q4 = &figures[1];
    assert_eq!(q4.quarter, Quarter::new(2023, 4).unwrap());
    assert_eq!(
        (q4.global_average, q4.smart, q4.weighted_average),
        (Some(3.0), Some(3.0), Some(3.0))
    );
    assert_eq!(q4.corridors_above_5, 0);
}

#[test]
fn corridor_series_and_trajectories_from_provider_rows() {
    let rows = fixture();
    let reference = Reference::official();
    let cq = corridor_quarters(&rows, &Options::new(reference));
    // USAMEX: 5.75 in 2023Q3 (see above), 3 in 2023Q4; SmaRT 5 then 3.
    let usamex: Vec<(String, f64, Option<f64>)> = cq
        .iter()
        .filter(|c| c.corridor == corridor("USAMEX"))
        .map(|c| (c.quarter.to_string(), c.average, c.smart))
        .collect();
    assert_eq!(
        usamex,
        [
            ("2023Q3".to_owned(), 5.75, Some(5.0)),
            ("2023Q4".to_owned(), 3.0, Some(3.0))
        ]
    );
    // No 2015 data: the baseline is the first observation, 5.75 at 2023Q3; 29 quarters to
    // 2030Q4. One quarter later the path is 5.75 - 0.75/29 = 5.7241..; 3 is below: on
    // track. DEUXKX: one observation (7 at 2023Q3) equals its own baseline: on track.
    let trends = corridor_trends(series_by_corridor(
        cq.iter().map(|c| (c.corridor, c.quarter, c.average)),
    ));
    let t = trends
        .iter()
        .find(|t| t.corridor == corridor("USAMEX"))
        .unwrap();
    assert!(close(t.trajectory.path_at_latest, 5.75 - 0.75 / 29.0));
    assert_eq!(t.trajectory.status, TrackStatus::OnTrack);
    assert_eq!(t.trajectory.target, CORRIDOR_TARGET);
}

/// One quarter, recomputed the obvious way.
struct Naive {
    quarter: Quarter,
    services: usize,
    excluded: usize,
    global_average: Option<f64>,
    smart: Option<f64>,
    weighted: Option<f64>,
    corridors: usize,
    above: usize,
    /// (M49 code, average, services).
    regions: Vec<(String, f64, usize)>,
}

/// Everything recomputed the obvious way: filter, sort, average, per quarter.
fn naive(rows: &[RpwRecord], reference: &Reference, weights: &VolumeWeights) -> Vec<Naive> {
    let quarters: BTreeSet<Quarter> = rows
        .iter()
        .filter(|r| r.cc1.total_cost_pct.is_some())
        .map(|r| r.period)
        .collect();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let mut out = Vec::new();
    for q in quarters {
        let services: Vec<&RpwRecord> = rows
            .iter()
            .filter(|r| r.period == q && r.cc1.total_cost_pct.is_some())
            .collect();
        let included: Vec<&RpwRecord> = services
            .iter()
            .copied()
            .filter(|r| r.transparent != Some(false))
            .collect();
        let cost = |r: &RpwRecord| r.cc1.total_cost_pct.unwrap();
        let ga = mean(&included.iter().map(|r| cost(r)).collect::<Vec<_>>());
        let corridors: BTreeSet<Corridor> = included.iter().map(|r| r.corridor).collect();
        let (mut smarts, mut above, mut wsum, mut wtot) = (Vec::new(), 0, 0.0, 0.0);
        for c in &corridors {
            let mine: Vec<&RpwRecord> = included
                .iter()
                .copied()
                .filter(|r| r.corridor == *c)
                .collect();
            let avg = mean(&mine.iter().map(|r| cost(r)).collect::<Vec<_>>()).unwrap();
            if avg > 5.0 {
                above += 1;
            }
            if let Some(w) = weights.weight(*c) {
                wsum += w * avg;
                wtot += w;
            }
            let mut q: Vec<f64> = mine
                .iter()
                .filter(|r| {
                    r.transparent == Some(true)
                        && r.speed.and_then(|s| s.max_days()).is_some_and(|d| d <= 5)
                        && !r
                            .receiving_network_coverage
                            .as_deref()
                            .is_some_and(|c| c.to_lowercase().contains("limited"))
                })
                .map(|r| cost(r))
                .collect();
            q.sort_by(f64::total_cmp);
            q.truncate(3);
            if let Some(m) = mean(&q) {
                smarts.push(m);
            }
        }
        let mut regions: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for r in &included {
            if let Some(region) = reference
                .country(r.corridor.destination.as_str())
                .and_then(|c| c.region.as_ref())
            {
                regions
                    .entry(region.code.to_string())
                    .or_default()
                    .push(cost(r));
            }
        }
        out.push(Naive {
            quarter: q,
            services: services.len(),
            excluded: services.len() - included.len(),
            global_average: ga,
            smart: mean(&smarts),
            weighted: (wtot > 0.0).then(|| wsum / wtot),
            corridors: corridors.len(),
            above,
            regions: regions
                .into_iter()
                .map(|(k, v)| (k, mean(&v).unwrap(), v.len()))
                .collect(),
        });
    }
    out
}

#[test]
fn equals_a_naive_implementation_on_generated_rows() {
    let generator = RpwGenerator::new(40_000, 11);
    let rows: Vec<RpwRecord> = generator.records().collect();
    let weights = generator.weights();
    let reference = Reference::official();
    let fast = compute(&rows, &Options::new(reference).with_weights(&weights));
    let slow = naive(&rows, reference, &weights);
    assert_eq!(fast.len(), slow.len());
    assert_eq!(fast.len(), 38);
    let eq = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    };
    for (f, s) in fast.iter().zip(&slow) {
        assert_eq!(f.quarter, s.quarter);
        assert_eq!(
            (f.services, f.excluded_non_transparent),
            (s.services, s.excluded),
            "{}",
            f.quarter
        );
        assert!(
            eq(f.global_average, s.global_average),
            "{} GA {:?} {:?}",
            f.quarter,
            f.global_average,
            s.global_average
        );
        assert!(eq(f.smart, s.smart), "{} SmaRT", f.quarter);
        assert!(eq(f.weighted_average, s.weighted), "{} weighted", f.quarter);
        assert_eq!(
            (f.corridors, f.corridors_above_5),
            (s.corridors, s.above),
            "{}",
            f.quarter
        );
        assert_eq!(f.regions.len(), s.regions.len());
        for (r, (code, avg, n)) in f.regions.iter().zip(&s.regions) {
            assert_eq!((&r.region.to_string(), r.services), (code, *n));
            assert!((r.average - avg).abs() < 1e-9);
        }
        // The generated data looks like the real survey's figures.
        let ga = f.global_average.unwrap();
        assert!((2.0..12.0).contains(&ga), "{} {ga}", f.quarter);
        assert!(f.smart.unwrap() < ga);
    }
}
