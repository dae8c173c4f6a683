//! Server-rendered pages (askama templates in `templates/`). Every page works without
//! JavaScript; the layout gives landmarks, a skip link and the main navigation.

mod about;
mod calendar;
mod compact;
mod countries;
mod home;

use askama::Template;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::error::PageResult;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/principles", get(compact::principles))
        .route("/objectives", get(compact::objectives))
        .route("/objectives/{id}", get(compact::objective))
        .route("/actions/{id}", get(compact::action))
        .route("/compact", get(compact::full_text))
        .route("/compact/{id}", get(compact::passage))
        .route("/countries", get(countries::countries))
        .route("/countries/{code}", get(countries::country))
        .route("/calendar", get(calendar::calendar))
        .route("/about", get(about::about))
}

/// The parts of the site in the main navigation. Parts of the mechanism appear here once
/// they exist, and not before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Compact,
    Objectives,
    Countries,
    Calendar,
    About,
}

const NAVIGATION: [(Section, &str, &str); 6] = [
    (Section::Home, "/", "Home"),
    (Section::Compact, "/compact", "The Compact"),
    (Section::Objectives, "/objectives", "Objectives"),
    (Section::Countries, "/countries", "Countries"),
    (Section::Calendar, "/calendar", "Follow-up calendar"),
    (Section::About, "/about", "About"),
];

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page gives the base template.
pub struct Layout {
    pub title: String,
    pub description: Option<String>,
    pub section: Option<Section>,
}

impl Layout {
    pub fn new(title: impl Into<String>, section: Option<Section>) -> Layout {
        Layout {
            title: title.into(),
            description: None,
            section,
        }
    }

    pub fn described(mut self, description: impl Into<String>) -> Layout {
        self.description = Some(description.into());
        self
    }

    pub fn nav_items(&self) -> Vec<NavItem> {
        NAVIGATION
            .iter()
            .map(|(section, href, label)| NavItem {
                href,
                label,
                current: self.section == Some(*section),
            })
            .collect()
    }
}

/// Renders a template into a page.
pub fn render(template: &impl Template) -> PageResult<Html<String>> {
    Ok(Html(template.render()?))
}
