//! A TopoJSON decoder for what world maps need: one GeometryCollection of Polygons and
//! MultiPolygons, with quantised, delta-encoded arcs (TopoJSON 1.0 specification).

use serde_json::Value;

use crate::error::GeoError;

/// Longitude, latitude in degrees.
pub type Point = (f64, f64);
/// A closed ring without the repeated closing point.
pub type Ring = Vec<Point>;
/// An outer ring followed by its holes.
pub type Polygon = Vec<Ring>;

/// A geometry of the collection: its `id` as written (`"004"`), its `properties.name`, and
/// its polygons.
#[derive(Debug, Clone, PartialEq)]
pub struct TopoFeature {
    pub id: Option<String>,
    pub name: Option<String>,
    pub polygons: Vec<Polygon>,
}

fn format_err(msg: impl Into<String>) -> GeoError {
    GeoError::Format(msg.into())
}

/// Decodes the arcs of a topology to absolute coordinates.
fn decode_arcs(topology: &Value) -> Result<Vec<Vec<Point>>, GeoError> {
    // With a transform, positions are integers, each arc's first absolute and the rest deltas
    // from the previous; without one they are plain coordinates.
    let transform = match topology.get("transform") {
        Some(t) => {
            let pair = |key: &str| -> Result<(f64, f64), GeoError> {
                let v = t
                    .get(key)
                    .and_then(Value::as_array)
                    .filter(|a| a.len() == 2)
                    .ok_or_else(|| format_err(format!("transform.{key} is not a pair")))?;
                let n = |i: usize| {
                    v[i].as_f64()
                        .ok_or_else(|| format_err(format!("transform.{key} is not numeric")))
                };
                Ok((n(0)?, n(1)?))
            };
            Some((pair("scale")?, pair("translate")?))
        }
        None => None,
    };
    let arcs = topology
        .get("arcs")
        .and_then(Value::as_array)
        .ok_or_else(|| format_err("no arcs array"))?;
    arcs.iter()
        .map(|arc| {
            let positions = arc
                .as_array()
                .ok_or_else(|| format_err("an arc is not an array"))?;
            let (mut x, mut y) = (0.0, 0.0);
            positions
                .iter()
                .map(|p| {
                    let p = p
                        .as_array()
                        .filter(|p| p.len() >= 2)
                        .ok_or_else(|| format_err("a position is not a pair"))?;
                    let (px, py) = match (p[0].as_f64(), p[1].as_f64()) {
                        (Some(a), Some(b)) => (a, b),
                        _ => return Err(format_err("a position is not numeric")),
                    };
                    Ok(match transform {
                        Some(((sx, sy), (tx, ty))) => {
                            x += px;
                            y += py;
                            (x * sx + tx, y * sy + ty)
                        }
                        None => (px, py),
                    })
                })
                .collect()
        })
        .collect()
}

/// Joins arcs into a ring; a negative index `i` means arc `!i` reversed.
fn ring(indices: &Value, arcs: &[Vec<Point>]) -> Result<Ring, GeoError> {
    let indices = indices
        .as_array()
        .ok_or_else(|| format_err("a ring is not an array of arc indices"))?;
    let mut out: Ring = Vec::new();
    for index in indices {
        let i = index
            .as_i64()
            .ok_or_else(|| format_err("an arc index is not an integer"))?;
        let (k, reversed) = if i >= 0 { (i, false) } else { (!i, true) };
        let arc = usize::try_from(k)
            .ok()
            .and_then(|k| arcs.get(k))
            .ok_or(GeoError::ArcIndex(i))?;
        let mut points: Vec<Point> = arc.clone();
        if reversed {
            points.reverse();
        }
        // Consecutive arcs share their joining point.
        let skip = usize::from(!out.is_empty());
        out.extend(points.into_iter().skip(skip));
    }
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    Ok(out)
}

fn polygon(rings: &Value, arcs: &[Vec<Point>]) -> Result<Polygon, GeoError> {
    rings
        .as_array()
        .ok_or_else(|| format_err("a polygon is not an array of rings"))?
        .iter()
        .map(|r| ring(r, arcs))
        .collect()
}

/// Decodes the named GeometryCollection of a TopoJSON topology.
pub fn decode(text: &str, object: &str) -> Result<Vec<TopoFeature>, GeoError> {
    let topology: Value = serde_json::from_str(text)?;
    if topology.get("type").and_then(Value::as_str) != Some("Topology") {
        return Err(format_err("not a Topology"));
    }
    let arcs = decode_arcs(&topology)?;
    let collection = topology
        .get("objects")
        .and_then(|o| o.get(object))
        .ok_or_else(|| format_err(format!("no object `{object}`")))?;
    let geometries = collection
        .get("geometries")
        .and_then(Value::as_array)
        .ok_or_else(|| format_err(format!("`{object}` is not a GeometryCollection")))?;
    let mut out = Vec::with_capacity(geometries.len());
    for g in geometries {
        let id = match g.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let name = g
            .get("properties")
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let arcs_value = g.get("arcs");
        let polygons = match (g.get("type").and_then(Value::as_str), arcs_value) {
            (Some("Polygon"), Some(a)) => vec![polygon(a, &arcs)?],
            (Some("MultiPolygon"), Some(a)) => a
                .as_array()
                .ok_or_else(|| format_err("a MultiPolygon's arcs are not an array"))?
                .iter()
                .map(|p| polygon(p, &arcs))
                .collect::<Result<_, _>>()?,
            // Null geometries (features with no shape at this scale) carry no arcs.
            (None | Some("null"), _) => Vec::new(),
            (Some(other), _) => {
                return Err(format_err(format!(
                    "geometry type `{other}` is not supported (polygons only)"
                )))
            }
        };
        out.push(TopoFeature { id, name, polygons });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example topology of the TopoJSON specification, reduced to one square polygon
    /// made of two arcs, one used reversed.
    const SQUARE: &str = r#"{"type":"Topology",
        "transform":{"scale":[0.5,0.25],"translate":[10,20]},
        "objects":{"c":{"type":"GeometryCollection","geometries":[
            {"type":"Polygon","id":"004","properties":{"name":"A"},"arcs":[[0,-2]]},
            {"type":"MultiPolygon","arcs":[[[1]]]}]}},
        "arcs":[[[0,0],[2,0],[0,4]],[[0,0],[0,4],[2,0]]]}"#;

    #[test]
    fn decodes_deltas_transform_and_reversed_arcs() {
        let f = decode(SQUARE, "c").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].id.as_deref(), Some("004"));
        assert_eq!(f[0].name.as_deref(), Some("A"));
        // Arc 0: (0,0) (2,0) (2,4) -> (10,20) (11,20) (11,21); arc 1 reversed: (11,21) (10,21)
        // (10,20) with the shared ends dropped.
        assert_eq!(
            f[0].polygons,
            vec![vec![vec![
                (10.0, 20.0),
                (11.0, 20.0),
                (11.0, 21.0),
                (10.0, 21.0)
            ]]]
        );
        assert_eq!(f[1].id, None);
        assert_eq!(f[1].polygons[0][0].len(), 3);
    }

    #[test]
    fn reports_bad_input() {
        assert!(matches!(decode("{", "c"), Err(GeoError::Json(_))));
        assert!(matches!(
            decode(r#"{"type":"Feature"}"#, "c"),
            Err(GeoError::Format(_))
        ));
        let bad = SQUARE.replace("[[0,-2]]", "[[0,-9]]");
        assert!(matches!(decode(&bad, "c"), Err(GeoError::ArcIndex(-9))));
        assert!(matches!(decode(SQUARE, "land"), Err(GeoError::Format(_))));
    }
}
