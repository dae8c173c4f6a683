//! What Marrakech is, where its data comes from, and how to reuse it.

use askama::Template;
use axum::response::Html;

use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::error::PageResult;

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    layout: Layout,
    version: &'static str,
    geometry: &'static str,
    disclaimer: &'static str,
}

pub async fn about(auth: Auth) -> PageResult<Html<String>> {
    render(&AboutPage {
        layout: Layout::new("About Marrakech and its data", Some(Section::About), &auth),
        version: env!("CARGO_PKG_VERSION"),
        geometry: marrakech_charts::GEOMETRY_ATTRIBUTION,
        disclaimer: marrakech_charts::MAP_DISCLAIMER,
    })
}
