//! The one error type of the crate: every way a chart's input can be wrong.

use marrakech_core::countries::M49;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ChartError {
    /// Element ids must be valid XML names and unique on the page; the caller owns uniqueness,
    /// the crate checks the shape.
    #[error(
        "`{0}` is not a usable id prefix (a letter, then letters, digits, `-` or `_`; at most 64)"
    )]
    IdPrefix(String),
    #[error("`{0}` is not a colour in #rrggbb form")]
    Color(String),
    #[error("a palette needs at least one colour")]
    EmptyPalette,
    #[error("{what} must be a finite number, got {value}")]
    NotFinite { what: String, value: f64 },
    #[error("{what} must not be negative, got {value}")]
    Negative { what: String, value: f64 },
    #[error("series `{series}` has a point at `{x}`, which is not one of the chart's x values")]
    UnknownX { series: String, x: String },
    #[error("series `{series}` has two points at `{x}`")]
    DuplicateX { series: String, x: String },
    #[error("the x value `{0}` is listed twice")]
    DuplicateXLabel(String),
    #[error("class breaks must be finite and strictly increasing, got {0:?}")]
    Breaks(Vec<f64>),
    #[error("a classification needs between 1 and {max} classes, got {given}")]
    ClassCount { given: usize, max: usize },
    #[error("{0} is not a country or area of the M49 reference (regions cannot be mapped)")]
    NotACountry(M49),
    #[error("the value for {0} is given twice")]
    DuplicateCountry(M49),
    #[error("latitude {lat} / longitude {lon} is not on the globe")]
    Coordinates { lat: f64, lon: f64 },
    #[error("the map extent {0:?} is empty or not on the globe (west, south, east, north)")]
    Extent([f64; 4]),
    #[error("a grid cell must be between 0.1 and 90 degrees, got {0}")]
    GridCell(f64),
    #[error("the chart must be at least {min_width}x{min_height}, got {width}x{height}")]
    Size {
        width: u32,
        height: u32,
        min_width: u32,
        min_height: u32,
    },
}

/// Decoding TopoJSON: only the bundled file is decoded in practice, but `World::from_topojson`
/// is public and must say what is wrong with other input.
#[derive(Debug, Error)]
pub enum GeoError {
    #[error("TopoJSON is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("TopoJSON: {0}")]
    Format(String),
    #[error("TopoJSON: arc index {0} is out of range")]
    ArcIndex(i64),
}
