//! The Equal Earth projection (Šavrič, Patterson & Jenny, 2018): equal-area, so a country's
//! share of the picture matches its share of the land, with a familiar shape. Also fitting a
//! projected area into a rectangle, and compact SVG path data.

use std::fmt::Write as _;

use super::topo::{Point, Ring};
use crate::svg::tenths_to_string;

const A1: f64 = 1.340_264;
const A2: f64 = -0.081_106;
const A3: f64 = 0.000_893;
const A4: f64 = 0.003_796;

/// Projects longitude/latitude (degrees) to Equal Earth coordinates on the unit sphere, with
/// y growing northwards.
pub fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    let m = 3f64.sqrt() / 2.0;
    let lambda = lon.to_radians();
    let theta = (m * lat.to_radians().sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = lambda * theta.cos() / (m * (A1 + 3.0 * A2 * t2 + t6 * (7.0 * A3 + 9.0 * A4 * t2)));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

/// Maps projected coordinates into SVG space: uniform scale, y flipped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub scale: f64,
    pub dx: f64,
    pub dy: f64,
}

impl Fit {
    /// Fits the projected box `[x0, y0, x1, y1]` into the rectangle at (`left`, `top`) of the
    /// given size, centred.
    pub fn new(bounds: [f64; 4], left: f64, top: f64, width: f64, height: f64) -> Fit {
        let [x0, y0, x1, y1] = bounds;
        let scale = (width / (x1 - x0)).min(height / (y1 - y0));
        let dx = left + (width - (x1 - x0) * scale) / 2.0 - x0 * scale;
        let dy = top + (height - (y1 - y0) * scale) / 2.0 + y1 * scale;
        Fit { scale, dx, dy }
    }

    /// SVG coordinates of a longitude/latitude.
    pub fn point(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = equal_earth(lon, lat);
        (self.dx + x * self.scale, self.dy - y * self.scale)
    }
}

/// Bounds of projected points, `[x0, y0, x1, y1]` with y northwards.
pub fn projected_bounds<'a>(points: impl IntoIterator<Item = &'a Point>) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (lon, lat) in points {
        let (x, y) = equal_earth(*lon, *lat);
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b
}

/// Appends a ring as compact path data: absolute start, then relative steps in whole tenths
/// (so rounding never accumulates), repeated points dropped. Rings that collapse below three
/// distinct points at this scale are skipped: they would be invisible. `clip` is the SVG-space
/// box outside which a ring is not written at all.
pub fn ring_path(out: &mut String, ring: &Ring, fit: &Fit, clip: Option<[f64; 4]>) -> bool {
    let mut tenths: Vec<(i64, i64)> = Vec::with_capacity(ring.len());
    let (mut x0, mut y0, mut x1, mut y1) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for (lon, lat) in ring {
        let (x, y) = fit.point(*lon, *lat);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        let p = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
        if tenths.last() != Some(&p) {
            tenths.push(p);
        }
    }
    if let Some([cx0, cy0, cx1, cy1]) = clip {
        if x1 < cx0 || x0 > cx1 || y1 < cy0 || y0 > cy1 {
            return false;
        }
    }
    while tenths.len() > 1 && tenths.first() == tenths.last() {
        tenths.pop();
    }
    if tenths.len() < 3 {
        return false;
    }
    let (sx, sy) = tenths[0];
    let _ = write!(out, "M{} {}l", tenths_to_string(sx), tenths_to_string(sy));
    let mut prev = (sx, sy);
    let mut first = true;
    for &(x, y) in &tenths[1..] {
        for (i, d) in [x - prev.0, y - prev.1].into_iter().enumerate() {
            let s = short(d);
            // A minus sign separates numbers by itself.
            if !(s.starts_with('-') || (first && i == 0)) {
                out.push(' ');
            }
            out.push_str(&s);
        }
        first = false;
        prev = (x, y);
    }
    out.push('z');
    true
}

/// Tenths as the shortest number text: `.5` rather than `0.5`.
fn short(tenths: i64) -> String {
    let s = tenths_to_string(tenths);
    if let Some(rest) = s.strip_prefix("0.") {
        format!(".{rest}")
    } else if let Some(rest) = s.strip_prefix("-0.") {
        format!("-.{rest}")
    } else {
        s
    }
}

/// Cuts rings that cross the antimeridian (in the source a jump from 180° to -180°) into
/// pieces on either side, so no edge is drawn across the whole map.
pub fn split_antimeridian(ring: Ring) -> Vec<Ring> {
    let n = ring.len();
    let crosses = (0..n).any(|i| (ring[i].0 - ring[(i + 1) % n].0).abs() > 180.0);
    if !crosses {
        return vec![ring];
    }
    // Unwrap longitudes into a continuous run, possibly beyond ±180.
    let mut unwrapped: Ring = Vec::with_capacity(n);
    for &(lon, lat) in &ring {
        let lon = match unwrapped.last() {
            Some(&(prev, _)) => lon + 360.0 * ((prev - lon) / 360.0).round(),
            None => lon,
        };
        unwrapped.push((lon, lat));
    }
    if (unwrapped[n - 1].0 - unwrapped[0].0).abs() > 180.0 {
        // The ring goes round a pole (only Antarctica does): it cannot be cut this way.
        return vec![ring];
    }
    let (min, max) = unwrapped
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let shift = |r: &Ring, by: f64| -> Ring { r.iter().map(|(x, y)| (x + by, *y)).collect() };
    let mut out = Vec::new();
    if max > 180.0 {
        out.push(clip_lon(&unwrapped, 180.0, true));
        out.push(clip_lon(&shift(&unwrapped, -360.0), -180.0, false));
    } else if min < -180.0 {
        out.push(clip_lon(&unwrapped, -180.0, false));
        out.push(clip_lon(&shift(&unwrapped, 360.0), 180.0, true));
    } else {
        out.push(unwrapped);
    }
    out.retain(|r| r.len() >= 3);
    out
}

/// Sutherland–Hodgman against one meridian: keeps lon <= `at` when `keep_below`, else >=.
fn clip_lon(ring: &Ring, at: f64, keep_below: bool) -> Ring {
    let inside = |p: &Point| if keep_below { p.0 <= at } else { p.0 >= at };
    let mut out = Vec::with_capacity(ring.len() + 2);
    for i in 0..ring.len() {
        let a = ring[i];
        let b = ring[(i + 1) % ring.len()];
        let (ia, ib) = (inside(&a), inside(&b));
        if ia {
            out.push(a);
        }
        if ia != ib {
            let t = (at - a.0) / (b.0 - a.0);
            out.push((at, a.1 + t * (b.1 - a.1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_earth_matches_published_values() {
        // Extremes of the projection on the unit sphere: the equator at ±180° is x = ±2.70663
        // (d3's default scale of 177.158 puts it at 479.5 px, half a 960 px map), the pole is
        // y = 1.31736.
        let (x, y) = equal_earth(180.0, 0.0);
        assert!((x - 2.70663).abs() < 1e-5 && y.abs() < 1e-12, "{x} {y}");
        let (x, y) = equal_earth(0.0, 90.0);
        assert!(x.abs() < 1e-12 && (y - 1.31736).abs() < 1e-5, "{x} {y}");
        let (x, y) = equal_earth(-90.0, -45.0);
        assert!(x < 0.0 && y < 0.0);
    }

    #[test]
    fn fitting_centres_and_flips() {
        let fit = Fit::new([-1.0, -1.0, 1.0, 1.0], 0.0, 0.0, 200.0, 100.0);
        assert_eq!(fit.scale, 50.0);
        let (x, y) = (fit.dx + 1.0 * fit.scale, fit.dy - 1.0 * fit.scale);
        assert_eq!((x, y), (150.0, 0.0));
    }

    #[test]
    fn paths_are_relative_and_drop_repeats() {
        let fit = Fit {
            scale: 100.0,
            dx: 0.0,
            dy: 0.0,
        };
        // Points chosen on the equator so the projection is nearly linear in longitude.
        let ring = vec![(0.0, 0.0), (0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
        let mut d = String::new();
        assert!(ring_path(&mut d, &ring, &fit, None));
        assert_eq!(d, "M0 0l15 0-.1-20.2z");
        let mut none = String::new();
        assert!(!ring_path(
            &mut none,
            &vec![(0.0, 0.0), (0.001, 0.0), (0.0, 0.001)],
            &fit,
            None
        ));
        assert!(none.is_empty());
        assert_eq!(short(5), ".5");
        assert_eq!(short(-5), "-.5");
        assert_eq!(short(-15), "-1.5");
    }

    #[test]
    fn antimeridian_rings_are_cut() {
        // A box from 170° E to 170° W, written as the source does (jumping from 180 to -180).
        let ring = vec![
            (170.0, 10.0),
            (180.0, 10.0),
            (-170.0, 10.0),
            (-170.0, 20.0),
            (170.0, 20.0),
        ];
        let parts = split_antimeridian(ring);
        assert_eq!(parts.len(), 2);
        for p in &parts {
            let (min, max) = p
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), q| (a.min(q.0), b.max(q.0)));
            assert!(max - min <= 10.0 + 1e-9, "{p:?}");
            assert!((-180.0..=180.0).contains(&min) && (-180.0..=180.0).contains(&max));
        }
        let plain = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)];
        assert_eq!(split_antimeridian(plain.clone()), vec![plain]);
    }
}
