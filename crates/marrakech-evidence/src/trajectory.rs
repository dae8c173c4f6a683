//! The road map of objective 20(a): each corridor's straight-line path from its baseline to
//! the 2030 target, and whether it is on track.
//!
//! The rule, exactly:
//! - **baseline**: the mean of the series' observations in 2015, placed at 2015Q4 (the last
//!   quarter before the SDG period 2016-2030 began); a series with no 2015 observation uses
//!   its first observation, at its own quarter;
//! - **target**: 5 % per corridor, 3 % for the average ([`CORRIDOR_TARGET`],
//!   [`AVERAGE_TARGET`]), at 2030Q4 ("by 2030");
//! - **path**: the straight line between the two; before the baseline quarter it is the
//!   baseline, after 2030Q4 the target. A baseline already at or below the target gives a
//!   flat path at the target: the series only has to stay there;
//! - **on track** at the latest quarter when the latest value is at or below the path's
//!   value at that quarter; off track otherwise.

use serde::Serialize;

use crate::codes::{Corridor, Quarter};
pub use crate::sdg10c1::{AVERAGE_TARGET, CORRIDOR_TARGET};

/// 2030Q4.
pub fn target_quarter() -> Quarter {
    Quarter::new(2030, 4).unwrap_or_else(|_| unreachable!("2030Q4 is a valid quarter"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BaselineKind {
    /// The mean of the 2015 observations.
    Mean2015,
    /// The first observation (no 2015 data).
    FirstObservation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TrackStatus {
    OnTrack,
    OffTrack,
}

/// A series' path to its target and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trajectory {
    pub baseline_kind: BaselineKind,
    pub baseline_quarter: Quarter,
    pub baseline: f64,
    pub target: f64,
    pub target_quarter: Quarter,
    pub latest_quarter: Quarter,
    pub latest: f64,
    /// The path's value at the latest quarter.
    pub path_at_latest: f64,
    pub status: TrackStatus,
}

impl Trajectory {
    /// The path's value at any quarter.
    pub fn path(&self, at: Quarter) -> f64 {
        path_value(
            self.baseline_quarter,
            self.baseline,
            self.target_quarter,
            self.target,
            at,
        )
    }
}

fn path_value(q0: Quarter, baseline: f64, q1: Quarter, target: f64, at: Quarter) -> f64 {
    if baseline <= target {
        return target;
    }
    let (t0, t1) = (q0.index() as f64, q1.index() as f64);
    let t = (at.index() as f64).clamp(t0, t1);
    if t1 <= t0 {
        return target;
    }
    baseline + (target - baseline) * (t - t0) / (t1 - t0)
}

/// The trajectory of a series of (quarter, value) toward `target`; `None` when empty. The
/// series need not be sorted.
pub fn trajectory(series: &[(Quarter, f64)], target: f64) -> Option<Trajectory> {
    let first = series.iter().min_by_key(|(q, _)| *q)?;
    let latest = series.iter().max_by_key(|(q, _)| *q)?;
    let in_2015: Vec<f64> = series
        .iter()
        .filter(|(q, _)| q.year() == 2015)
        .map(|(_, v)| *v)
        .collect();
    let (kind, q0, baseline) = if in_2015.is_empty() {
        (BaselineKind::FirstObservation, first.0, first.1)
    } else {
        (
            BaselineKind::Mean2015,
            Quarter::new(2015, 4).ok()?,
            in_2015.iter().sum::<f64>() / in_2015.len() as f64,
        )
    };
    let q1 = target_quarter();
    let path_at_latest = path_value(q0, baseline, q1, target, latest.0);
    Some(Trajectory {
        baseline_kind: kind,
        baseline_quarter: q0,
        baseline,
        target,
        target_quarter: q1,
        latest_quarter: latest.0,
        latest: latest.1,
        path_at_latest,
        // A hair of tolerance, so that a value exactly on the path is not pushed off by
        // floating-point rounding of the line.
        status: if latest.1 <= path_at_latest + 1e-9 {
            TrackStatus::OnTrack
        } else {
            TrackStatus::OffTrack
        },
    })
}

/// A corridor's series with its trajectory to 5 %.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorridorTrend {
    pub corridor: Corridor,
    /// Sorted by quarter.
    pub series: Vec<(Quarter, f64)>,
    pub trajectory: Trajectory,
}

/// Trends for many corridors (from [`crate::sdg10c1::corridor_quarters`] or DataBank
/// corridor averages), ordered by corridor.
pub fn corridor_trends(
    series: impl IntoIterator<Item = (Corridor, Vec<(Quarter, f64)>)>,
) -> Vec<CorridorTrend> {
    let mut out: Vec<CorridorTrend> = series
        .into_iter()
        .filter_map(|(corridor, mut s)| {
            s.sort_by_key(|(q, _)| *q);
            let trajectory = trajectory(&s, CORRIDOR_TARGET)?;
            Some(CorridorTrend {
                corridor,
                series: s,
                trajectory,
            })
        })
        .collect();
    out.sort_by_key(|t| t.corridor);
    out
}

/// Groups corridor-quarter averages into one series per corridor.
pub fn series_by_corridor(
    points: impl IntoIterator<Item = (Corridor, Quarter, f64)>,
) -> Vec<(Corridor, Vec<(Quarter, f64)>)> {
    let mut map: std::collections::BTreeMap<Corridor, Vec<(Quarter, f64)>> = Default::default();
    for (c, q, v) in points {
        map.entry(c).or_default().push((q, v));
    }
    map.into_iter().collect()
}

/// Where a combined series point came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SeriesSource {
    /// Computed from provider-level RPW rows.
    ProviderLevel,
    /// The World Bank's published corridor average (DataBank).
    CorridorAverage,
}

/// One corridor's series from both sources: the provider-level figure where there is one,
/// the published corridor average otherwise, each point saying which.
pub fn combine_series(
    provider: &[(Quarter, f64)],
    published: &[(Quarter, f64)],
) -> Vec<(Quarter, f64, SeriesSource)> {
    let mut out: Vec<(Quarter, f64, SeriesSource)> = provider
        .iter()
        .map(|&(q, v)| (q, v, SeriesSource::ProviderLevel))
        .collect();
    for &(q, v) in published {
        if !provider.iter().any(|(p, _)| *p == q) {
            out.push((q, v, SeriesSource::CorridorAverage));
        }
    }
    out.sort_by_key(|(q, _, _)| *q);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(y: u16, n: u8) -> Quarter {
        Quarter::new(y, n).unwrap()
    }

    #[test]
    fn path_from_the_2015_mean() {
        // 2015 observations 10 and 12: baseline 11 at 2015Q4. 2030Q4 is 60 quarters later;
        // the line falls (11 - 5) / 60 = 0.1 a quarter. At 2020Q4 (20 quarters on) the path
        // is 11 - 2 = 9. Latest value 8.5 <= 9: on track.
        let s = [(q(2015, 1), 10.0), (q(2015, 3), 12.0), (q(2020, 4), 8.5)];
        let t = trajectory(&s, CORRIDOR_TARGET).unwrap();
        assert_eq!(t.baseline_kind, BaselineKind::Mean2015);
        assert_eq!((t.baseline_quarter, t.baseline), (q(2015, 4), 11.0));
        assert!((t.path_at_latest - 9.0).abs() < 1e-12);
        assert_eq!(t.status, TrackStatus::OnTrack);
        // 9.5 > 9: off track.
        let s = [(q(2015, 1), 10.0), (q(2015, 3), 12.0), (q(2020, 4), 9.5)];
        assert_eq!(
            trajectory(&s, CORRIDOR_TARGET).unwrap().status,
            TrackStatus::OffTrack
        );
    }

    #[test]
    fn path_from_the_first_observation() {
        // First observation 2018Q4 at 8; to 5 at 2030Q4, 48 quarters: -0.0625 a quarter.
        // At 2022Q4 (16 quarters) the path is 8 - 1 = 7; latest 7 is on it: on track.
        let s = [(q(2022, 4), 7.0), (q(2018, 4), 8.0)];
        let t = trajectory(&s, CORRIDOR_TARGET).unwrap();
        assert_eq!(t.baseline_kind, BaselineKind::FirstObservation);
        assert!((t.path_at_latest - 7.0).abs() < 1e-12);
        assert_eq!(t.status, TrackStatus::OnTrack);
        assert!((t.path(q(2030, 4)) - 5.0).abs() < 1e-12);
        assert!((t.path(q(2035, 1)) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn a_corridor_already_below_target_must_stay_there() {
        let s = [(q(2016, 1), 4.0), (q(2020, 1), 5.5)];
        let t = trajectory(&s, CORRIDOR_TARGET).unwrap();
        assert_eq!(t.path_at_latest, 5.0);
        assert_eq!(t.status, TrackStatus::OffTrack);
        assert!(trajectory(&[], 5.0).is_none());
    }

    #[test]
    fn combined_series_prefer_provider_level() {
        let c = combine_series(
            &[(q(2020, 1), 6.0)],
            &[(q(2019, 4), 7.0), (q(2020, 1), 6.5)],
        );
        assert_eq!(
            c,
            [
                (q(2019, 4), 7.0, SeriesSource::CorridorAverage),
                (q(2020, 1), 6.0, SeriesSource::ProviderLevel)
            ]
        );
    }
}
