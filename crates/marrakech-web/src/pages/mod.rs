//! Server-rendered pages (askama templates in `templates/`). Every page works without
//! JavaScript; the layout gives landmarks, a skip link and the main navigation.

mod about;
pub(crate) mod account;
pub(crate) mod admin;
mod calendar;
mod compact;
mod countries;
mod evidence;
pub mod forms;
mod home;
pub(crate) mod hub;
pub(crate) mod knowledge;
pub(crate) mod organizations;
mod sign_in;

use askama::Template;
use axum::response::Html;
use marrakech_core::policy::{Action, RoleName};

use crate::auth::Auth;
use crate::error::PageResult;
use crate::routes::{Access, Routes};

pub fn routes() -> Routes {
    use Access::{Can, Public};
    Routes::new()
        .get("/", Public, home::home)
        .get("/principles", Public, compact::principles)
        .get("/objectives", Public, compact::objectives)
        .get("/objectives/{id}", Public, compact::objective)
        .get("/actions/{id}", Public, compact::action)
        .get("/compact", Public, compact::full_text)
        .get("/compact/{id}", Public, compact::passage)
        .get("/countries", Public, countries::countries)
        .get("/countries/{code}", Public, countries::country)
        .get("/calendar", Public, calendar::calendar)
        .get("/about", Public, about::about)
        .get("/organizations", Public, organizations::list)
        .get(
            "/organizations/new",
            Can(Action::ManageOrganizations),
            organizations::new_form,
        )
        .post(
            "/organizations",
            Can(Action::ManageOrganizations),
            organizations::create,
        )
        .get("/organizations/{id}", Public, organizations::show)
        .get(
            "/organizations/{id}/edit",
            Can(Action::EditOrganization),
            organizations::edit_form,
        )
        .post(
            "/organizations/{id}/edit",
            Can(Action::EditOrganization),
            organizations::update,
        )
        .post(
            "/organizations/{id}/verify",
            Can(Action::ManageOrganizations),
            organizations::verify,
        )
        .get("/knowledge", Public, knowledge::search_page)
        .get("/evidence", Public, evidence::overview)
        .get("/evidence/migrant-stock", Public, evidence::migrant_stock)
        .get(
            "/evidence/remittance-costs",
            Public,
            evidence::remittance_costs,
        )
        .get(
            "/evidence/missing-migrants",
            Public,
            evidence::missing_migrants,
        )
        .merge(knowledge::routes())
        .merge(hub::routes())
        .merge(sign_in::routes())
        .merge(account::routes())
        .merge(admin::routes())
}

/// The parts of the site in the main navigation. Parts of the mechanism appear here once
/// they exist, and not before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Compact,
    Objectives,
    Countries,
    Knowledge,
    Hub,
    Evidence,
    Organizations,
    Calendar,
    About,
    Account,
    Admin,
}

const NAVIGATION: [(Section, &str, &str); 10] = [
    (Section::Home, "/", "Home"),
    (Section::Compact, "/compact", "The Compact"),
    (Section::Objectives, "/objectives", "Objectives"),
    (Section::Knowledge, "/knowledge", "Knowledge"),
    (Section::Hub, "/hub", "Connection hub"),
    (Section::Evidence, "/evidence", "Evidence"),
    (Section::Countries, "/countries", "Countries"),
    (Section::Organizations, "/organizations", "Organizations"),
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
    /// The signed-in user's name, for the header.
    pub user_name: Option<String>,
    pub is_admin: bool,
    /// The anti-forgery token every form on the page carries.
    pub csrf: String,
}

impl Layout {
    pub fn new(title: impl Into<String>, section: Option<Section>, auth: &Auth) -> Layout {
        Layout {
            title: title.into(),
            description: None,
            section,
            user_name: auth.user.as_ref().map(|u| u.display_name.clone()),
            is_admin: auth.actor.has(RoleName::Administrator),
            csrf: auth.csrf.clone(),
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
