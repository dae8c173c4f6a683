//! What the two maps share: the view (whole world or a region), country outlines as path
//! data, the no-data hatching, and the legend strip under the map.

use std::fmt::Write as _;

use crate::error::ChartError;
use crate::geo::projection::{projected_bounds, ring_path, Fit};
use crate::geo::{Shape, World, ANTARCTICA};
use crate::svg::{num, text, text_width, FONT_SIZE};

/// A region to show instead of the whole world, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl Extent {
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Result<Extent, ChartError> {
        let ok = (-180.0..=180.0).contains(&west)
            && (-180.0..=180.0).contains(&east)
            && (-90.0..=90.0).contains(&south)
            && (-90.0..=90.0).contains(&north)
            && west < east
            && south < north;
        if ok {
            Ok(Extent {
                west,
                south,
                east,
                north,
            })
        } else {
            Err(ChartError::Extent([west, south, east, north]))
        }
    }

    /// The Mediterranean and its shores, where most recorded migrant deaths occur.
    pub fn mediterranean() -> Extent {
        Extent {
            west: -12.0,
            south: 28.0,
            east: 38.0,
            north: 47.0,
        }
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.west..=self.east).contains(&lon) && (self.south..=self.north).contains(&lat)
    }
}

/// How the map sits in the SVG.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MapView {
    pub fit: Fit,
    pub width: f64,
    pub height: f64,
    /// Set for regional maps: outlines are culled and clipped to the map box.
    pub clip: Option<[f64; 4]>,
}

pub(crate) fn drawn_shapes(world: &World) -> impl Iterator<Item = &Shape> {
    world
        .shapes()
        .iter()
        .filter(|s| s.m49.map(|m| m.value()) != Some(ANTARCTICA))
}

pub(crate) fn view(world: &World, extent: Option<&Extent>, width: f64) -> MapView {
    let pad = 2.0;
    let (bounds, clip) = match extent {
        None => (
            projected_bounds(drawn_shapes(world).flat_map(|s| s.rings()).flatten()),
            false,
        ),
        Some(e) => {
            // Meridians curve in Equal Earth, so sample the box's whole outline.
            let n = 32;
            let mut outline = Vec::with_capacity(4 * (n + 1));
            for i in 0..=n {
                let t = i as f64 / n as f64;
                let lon = e.west + (e.east - e.west) * t;
                let lat = e.south + (e.north - e.south) * t;
                outline.extend([(lon, e.south), (lon, e.north), (e.west, lat), (e.east, lat)]);
            }
            (projected_bounds(outline.iter()), true)
        }
    };
    let aspect = (bounds[3] - bounds[1]) / (bounds[2] - bounds[0]);
    let height = ((width - 2.0 * pad) * aspect + 2.0 * pad).clamp(width * 0.3, width * 1.2);
    let fit = Fit::new(bounds, pad, pad, width - 2.0 * pad, height - 2.0 * pad);
    MapView {
        fit,
        width,
        height,
        clip: clip.then_some([0.0, 0.0, width, height]),
    }
}

/// Path data for all of a shape's rings, empty if none is visible.
pub(crate) fn shape_path(shape: &Shape, view: &MapView) -> String {
    let mut d = String::new();
    for ring in shape.rings() {
        ring_path(&mut d, ring, &view.fit, view.clip);
    }
    d
}

pub(crate) const NO_DATA_FILL: &str = "#e8e8e8";
pub(crate) const NO_DATA_HATCH: &str = "#b0b0b0";

/// Definitions every map needs: the hatching that marks "no data" without relying on the
/// grey, and the clip of a regional map.
pub(crate) fn defs(out: &mut String, id: &str, view: &MapView) {
    let _ = write!(
        out,
        "<defs><pattern id=\"{id}-nodata\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" fill=\"{NO_DATA_FILL}\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"{NO_DATA_HATCH}\" stroke-width=\"1.5\"/></pattern>"
    );
    if view.clip.is_some() {
        let _ = write!(
            out,
            "<clipPath id=\"{id}-clip\"><rect width=\"{}\" height=\"{}\"/></clipPath>",
            num(view.width),
            num(view.height)
        );
    }
    out.push_str("</defs>");
}

/// Opens the group holding the map's shapes, clipped for regional maps.
pub(crate) fn open_map_group(out: &mut String, id: &str, view: &MapView, class: &str) {
    let clip = if view.clip.is_some() {
        format!(" clip-path=\"url(#{id}-clip)\"")
    } else {
        String::new()
    };
    let _ = write!(out, "<g class=\"{class}\"{clip}>");
}

/// A frame round regional maps so the clipped edge reads as deliberate.
pub(crate) fn frame(out: &mut String, view: &MapView) {
    if view.clip.is_some() {
        let _ = write!(
            out,
            "<rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999999\"/>",
            num(view.width - 1.0),
            num(view.height - 1.0)
        );
    }
}

/// The legend's title line under the map; returns the y below it.
pub(crate) fn legend_title(out: &mut String, y: f64, title: &str, note: &str) -> f64 {
    text(out, 10.0, y + 14.0, "start", "font-weight=\"bold\"", title);
    if !note.is_empty() {
        // Bold runs about a tenth wider than the regular text the estimate is for.
        let x = 10.0 + text_width(title, FONT_SIZE) * 1.12 + 14.0;
        text(
            out,
            x,
            y + 14.0,
            "start",
            "fill=\"#555555\"",
            &format!("({note})"),
        );
    }
    y + 22.0
}
