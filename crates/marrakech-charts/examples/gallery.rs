//! Writes an HTML page with one of every chart, each followed by its table, to look at in a
//! browser: `cargo run --example gallery -- /tmp/gallery.html`. The data are illustrative.

use std::fmt::Write as _;

use marrakech_charts::{
    Aggregation, BarChart, BarMode, ChartError, ChoroplethMap, Classes, ColumnChart, Extent,
    LineChart, MapPoint, PointMap, Sequential, Sparkline, Table, Unit, GEOMETRY_ATTRIBUTION,
    MAP_DISCLAIMER,
};
use marrakech_core::countries::M49;
use marrakech_core::Reference;

/// A small deterministic generator, so the gallery is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn code(c: u16) -> M49 {
    M49::new(c).expect("valid code")
}

fn table_html(table: &Table) -> String {
    let (headers, rows) = table.display();
    let esc = marrakech_charts::svg::escape;
    let mut out = String::from("<details><summary>Data table</summary><table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(&h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows.iter().take(40) {
        out.push_str("<tr>");
        for c in row {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    if rows.len() > 40 {
        let _ = write!(
            out,
            "<tr><td colspan=\"9\">… {} more rows</td></tr>",
            rows.len() - 40
        );
    }
    out.push_str("</tbody></table></details>");
    out
}

fn main() -> Result<(), ChartError> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/gallery.html".to_owned());
    let dir = std::path::Path::new(&path)
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let mut figures: Vec<(String, String, Table)> = Vec::new();
    let mut rng = Lcg(2018);

    // 1. Remittance costs with the SDG 10.c.1 targets.
    let years: Vec<String> = (2011..=2024).map(|y| y.to_string()).collect();
    let mut line = LineChart::new("cost", "Average cost of sending US$200, by region")
        .unit(Unit::Percent)
        .y_label("Cost (% of amount sent)")
        .x_label("Year")
        .reference_line(5.0, "SDG target 5 %")
        .reference_line(3.0, "SDG target 3 %")
        .decimals(1);
    let regions = [
        ("Global average", 9.3),
        ("Sub-Saharan Africa", 12.4),
        ("South Asia", 6.6),
        ("Latin America and the Caribbean", 7.7),
        ("Europe and Central Asia", 6.9),
        ("<script>alert(1)</script>", 8.0),
    ];
    for (i, (name, start)) in regions.iter().enumerate() {
        let pts: Vec<(String, Option<f64>)> = years
            .iter()
            .enumerate()
            .map(|(j, y)| {
                let v = start - 0.22 * j as f64 + 0.3 * rng.normal();
                // A gap in one series to show missing data.
                let v = if i == 2 && (j == 5 || j == 6) {
                    None
                } else {
                    Some(v)
                };
                (y.clone(), v)
            })
            .collect();
        line = line.series(*name, pts);
    }
    figures.push(("Line chart".into(), line.render()?, line.table()?));

    // 2. Quarterly series, 200 x values, label thinning.
    let quarters: Vec<String> = (0..200)
        .map(|i| format!("{}-Q{}", 1975 + i / 4, i % 4 + 1))
        .collect();
    let mut level: f64 = 40_000.0;
    let q = LineChart::new("arrivals", "Quarterly arrivals (200 quarters)")
        .unit(Unit::Persons)
        .y_label("Persons")
        .series(
            "Arrivals",
            quarters
                .iter()
                .map(|x| {
                    level = (level * (1.0 + 0.02 * rng.normal()) + 300.0).max(0.0);
                    (x.clone(), level.round())
                })
                .collect::<Vec<_>>(),
        );
    figures.push(("Line chart, 200 quarters".into(), q.render()?, q.table()?));

    // 3. Ranked bars.
    let bars = BarChart::new("providers", "Cost of sending US$200 to Mexico, by provider")
        .unit(Unit::UsDollars)
        .category_label("Provider")
        .value_label("Total cost (US$)")
        .decimals(2)
        .bars([
            ("Bank A", 18.5),
            ("Money transfer operator B", 9.9),
            ("Post office C", 12.0),
            ("Mobile operator D", 4.25),
            (
                "Bank E with a particularly long name that must be shortened",
                21.3,
            ),
            ("Online service F", 3.1),
        ])
        .bar("Bank G", None)
        .highlight("Online service F");
    figures.push(("Ranked bars".into(), bars.render()?, bars.table()?));

    // 4. Stacked and grouped columns.
    let years_dm: Vec<String> = (2014..=2024).map(|y| y.to_string()).collect();
    let dead: Vec<(String, f64)> = years_dm
        .iter()
        .map(|y| (y.clone(), (3_500.0 + 1_500.0 * rng.next()).round()))
        .collect();
    let missing: Vec<(String, f64)> = years_dm
        .iter()
        .map(|y| (y.clone(), (1_000.0 + 2_000.0 * rng.next()).round()))
        .collect();
    let stacked = ColumnChart::new("dm", "Dead and missing migrants, by year")
        .mode(BarMode::Stacked)
        .unit(Unit::Persons)
        .y_label("Persons")
        .x_label("Year")
        .series("Dead", dead.clone())
        .series("Missing", missing.clone());
    figures.push((
        "Stacked columns".into(),
        stacked.render()?,
        stacked.table()?,
    ));
    let grouped = ColumnChart::new("sex", "Immigrants by sex")
        .unit(Unit::Persons)
        .y_label("Persons")
        .series(
            "Women",
            [
                ("1990", 2_300_000.0),
                ("2000", 2_900_000.0),
                ("2010", 3_600_000.0),
                ("2020", 4_100_000.0),
            ],
        )
        .series(
            "Men",
            [
                ("1990", Some(2_500_000.0)),
                ("2000", Some(3_100_000.0)),
                ("2010", None),
                ("2020", Some(4_600_000.0)),
            ],
        );
    figures.push((
        "Grouped columns".into(),
        grouped.render()?,
        grouped.table()?,
    ));

    // 5. Choropleth: illustrative values for most countries, quantile classes.
    let reference = Reference::official();
    let values: Vec<(M49, f64)> = reference
        .countries
        .iter()
        .filter(|c| c.m49.value() % 7 != 0)
        .map(|c| (c.m49, (10f64.powf(3.0 + 4.0 * rng.next())).round()))
        .collect();
    let choropleth = ChoroplethMap::new("stock", "International migrant stock (illustrative)")
        .unit(Unit::Persons)
        .legend_title("Immigrants (persons)")
        .values(values.clone())
        .classes(Classes::Quantiles(5))
        .highlight(code(484));
    let svg = choropleth.render()?;
    figures.push(("World choropleth".into(), svg, choropleth.table()?));

    let shares = ChoroplethMap::new(
        "share",
        "Immigrants as a share of population (illustrative)",
    )
    .unit(Unit::Percent)
    .legend_title("Share of population")
    .values(values.iter().map(|(m, v)| (*m, (v.log10() - 3.0) * 9.0)))
    .classes(Classes::Breaks(vec![2.0, 5.0, 10.0, 20.0]))
    .scheme(Sequential::Blues)
    .decimals(1)
    .extent(Extent::new(-20.0, -36.0, 55.0, 38.0)?);
    figures.push((
        "Regional choropleth, fixed breaks".into(),
        shares.render()?,
        shares.table()?,
    ));

    // 6. Point map: 6,000 incidents around a few routes, aggregated.
    let hubs = [
        (35.5, 14.0, 3.0, 6.0, 0.35),
        (32.0, -112.0, 2.0, 4.0, 0.2),
        (20.0, 10.0, 5.0, 8.0, 0.15),
        (28.0, -15.0, 1.5, 2.0, 0.1),
        (12.0, 45.0, 2.0, 3.0, 0.1),
        (15.0, 92.0, 3.0, 3.0, 0.05),
        (19.0, -72.0, 2.0, 3.0, 0.05),
    ];
    let mut points = Vec::new();
    for i in 0..6_000 {
        let u = rng.next();
        let mut acc = 0.0;
        let hub = hubs
            .iter()
            .find(|h| {
                acc += h.4;
                u <= acc
            })
            .unwrap_or(&hubs[0]);
        let lat = (hub.0 + hub.2 * rng.normal()).clamp(-89.0, 89.0);
        let lon = (hub.1 + hub.3 * rng.normal()).clamp(-179.0, 179.0);
        let value = (1.0 + (-rng.next().max(1e-9).ln() * 4.0)).round();
        points.push(MapPoint::new(lat, lon, value).label(format!("Incident {i}")));
    }
    let pm = PointMap::new(
        "deaths",
        "Dead and missing migrants (illustrative, 6,000 incidents)",
    )
    .value_label("dead and missing")
    .item_label("incidents")
    .points(points.clone());
    let svg = pm.render()?;
    figures.push(("Point map, aggregated".into(), svg, pm.table()?));
    let med = PointMap::new(
        "med",
        "Central Mediterranean (illustrative), 1-degree cells",
    )
    .value_label("dead and missing")
    .item_label("incidents")
    .points(points)
    .aggregation(Aggregation::Grid(1.0))
    .extent(Extent::mediterranean());
    figures.push(("Regional point map".into(), med.render()?, med.table()?));

    // 7. Sparkline and the empty cases.
    let spark = Sparkline::new("spark", "Immigrants in Mexico")
        .unit(Unit::Persons)
        .points([
            ("1990", 700_000.0),
            ("1995", 520_000.0),
            ("2000", 540_000.0),
            ("2005", 710_000.0),
            ("2010", 970_000.0),
            ("2015", 1_010_000.0),
            ("2020", 1_200_000.0),
        ]);
    figures.push(("Sparkline".into(), spark.render()?, spark.table()?));
    let empty = LineChart::new("empty", "A chart without data")
        .series("Nothing", Vec::<(String, Option<f64>)>::new());
    figures.push(("No data".into(), empty.render()?, empty.table()?));
    let empty_map = ChoroplethMap::new("emptymap", "A map without data");
    figures.push((
        "Map with no data".into(),
        empty_map.render()?,
        empty_map.table()?,
    ));

    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>marrakech-charts gallery</title>\
         <style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:1em auto;color:#1a1a1a}\
         .mk-chart{max-width:100%;height:auto;display:block}figure{margin:0 0 2.5em}\
         table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px}\
         </style><h1>marrakech-charts gallery</h1>",
    );
    for (name, svg, table) in &figures {
        let _ = write!(
            html,
            "<figure><h2>{name} <small>({} bytes)</small></h2>{svg}{}</figure>",
            svg.len(),
            table_html(table)
        );
    }
    let _ = write!(
        html,
        "<p>{GEOMETRY_ATTRIBUTION} {MAP_DISCLAIMER}</p></html>"
    );
    std::fs::write(&path, html).expect("write the gallery");
    for (i, (name, svg, _)) in figures.iter().enumerate() {
        std::fs::write(dir.join(format!("figure-{i:02}.svg")), svg).expect("write a figure");
        println!("figure-{i:02}.svg {name}: {} bytes", svg.len());
    }
    println!("wrote {path}");
    Ok(())
}
