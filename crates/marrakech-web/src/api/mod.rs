//! The JSON API under `/api/v1`, with CSV for every list and an OpenAPI document.
//!
//! Conventions: lists answer `{"items", "total", "limit", "next_cursor"}`; paginated lists take
//! `limit` (up to a documented maximum) and the opaque `cursor` from the previous page; CSV is
//! chosen by `format=csv` or `Accept: text/csv` and holds the whole filtered, sorted list;
//! unknown parameters are refused; errors answer `{"error": {"code", "message", "field"}}`.

pub mod accounts;
pub mod calendar;
pub mod ckan;
pub mod compact;
pub mod countries;
pub mod dcat;
pub mod dto;
pub mod hub;
pub mod knowledge;
pub mod sdmx;
pub mod statistics;

use axum::response::{IntoResponse, Response};
use axum::Json;
use marrakech_core::policy::Action;
use serde::Serialize;
use utoipa::OpenApi;

use crate::csv_out::csv_response;
use crate::error::{ApiResult, ErrorBody};
use crate::params::Format;
use crate::routes::{Access, Routes};
use dto::List;

/// The largest page any paginated list answers.
pub const MAX_PAGE_SIZE: usize = 250;

pub fn routes() -> Routes {
    use Access::{Can, Public};
    Routes::new()
        .get("/api/v1/principles", Public, compact::principles)
        .get("/api/v1/objectives", Public, compact::objectives)
        .get("/api/v1/objectives/{id}", Public, compact::objective)
        .get("/api/v1/actions", Public, compact::actions)
        .get("/api/v1/actions/{id}", Public, compact::action)
        .get("/api/v1/paragraphs", Public, compact::paragraphs)
        .get("/api/v1/paragraphs/{id}", Public, compact::paragraph)
        .get("/api/v1/footnotes", Public, compact::footnotes)
        .get("/api/v1/countries", Public, countries::countries)
        .get("/api/v1/countries/{code}", Public, countries::country)
        .get("/api/v1/regions", Public, countries::regions)
        .get("/api/v1/calendar", Public, calendar::calendar)
        .get("/api/v1/openapi.json", Public, openapi_json)
        .get("/api/v1/me", Can(Action::UseAccount), accounts::me)
        .get(
            "/api/v1/me/data",
            Can(Action::ManageAccount),
            accounts::my_data,
        )
        .get(
            "/api/v1/me/tokens",
            Can(Action::UseAccount),
            accounts::my_tokens,
        )
        .delete(
            "/api/v1/me/tokens/{id}",
            Can(Action::UseAccount),
            accounts::revoke_my_token,
        )
        .get("/api/v1/organizations", Public, accounts::organizations)
        .post(
            "/api/v1/organizations",
            Can(Action::ManageOrganizations),
            accounts::create_organization,
        )
        .get("/api/v1/organizations/{id}", Public, accounts::organization)
        .patch(
            "/api/v1/organizations/{id}",
            Can(Action::EditOrganization),
            accounts::update_organization,
        )
        .get("/api/v1/users", Can(Action::ManageUsers), accounts::users)
        .get(
            "/api/v1/users/{id}",
            Can(Action::ManageUsers),
            accounts::user,
        )
        .post(
            "/api/v1/users/{id}/roles",
            Can(Action::ManageUsers),
            accounts::grant_role,
        )
        .delete(
            "/api/v1/users/{id}/roles/{grant}",
            Can(Action::ManageUsers),
            accounts::revoke_role,
        )
        .post(
            "/api/v1/invitations",
            Can(Action::InviteUsers),
            accounts::invite,
        )
        .get("/api/v1/audit", Can(Action::ReadAudit), accounts::audit)
        .merge(knowledge_routes())
        .merge(hub_routes())
        .merge(open_data_routes())
        .merge(statistics_routes())
}

/// The connection hub: requests, matching, teams, funding, the partner registry.
fn hub_routes() -> Routes {
    use Access::{Can, Public};
    let process = Can(Action::ProcessRequests);
    let signed_in = Can(Action::UseAccount);
    Routes::new()
        .get("/api/v1/hub/requests", Public, hub::requests)
        .post(
            "/api/v1/hub/requests",
            Can(Action::RequestSupport),
            hub::submit,
        )
        .get("/api/v1/hub/requests/{id}", Public, hub::request)
        .post(
            "/api/v1/hub/requests/{id}/transitions",
            signed_in,
            hub::transition,
        )
        .post(
            "/api/v1/hub/requests/{id}/assignment",
            process,
            hub::assignment,
        )
        .post(
            "/api/v1/hub/requests/{id}/visibility",
            Can(Action::RequestSupport),
            hub::visibility,
        )
        .post(
            "/api/v1/hub/requests/{id}/invitation",
            Can(Action::RequestSupport),
            hub::answer_invitation,
        )
        .get(
            "/api/v1/hub/requests/{id}/comments",
            signed_in,
            hub::comments,
        )
        .post(
            "/api/v1/hub/requests/{id}/comments",
            signed_in,
            hub::add_comment,
        )
        .get(
            "/api/v1/hub/requests/{id}/suggestions",
            signed_in,
            hub::suggestions,
        )
        .post(
            "/api/v1/hub/requests/{id}/suggestions",
            process,
            hub::rematch,
        )
        .post(
            "/api/v1/hub/requests/{id}/suggestions/{suggestion}",
            process,
            hub::decide,
        )
        .post("/api/v1/hub/requests/{id}/team", process, hub::add_member)
        .delete(
            "/api/v1/hub/requests/{id}/team/{member}",
            process,
            hub::remove_member,
        )
        .post("/api/v1/hub/requests/{id}/funding", process, hub::funding)
        .get(
            "/api/v1/hub/requests/{id}/concept-note",
            signed_in,
            hub::concept_note,
        )
        .post(
            "/api/v1/hub/requests/{id}/concept-note",
            process,
            hub::draft_concept_note,
        )
        .get("/api/v1/hub/partners", Public, hub::partners)
        .get("/api/v1/hub/partners/{id}", Public, hub::partner)
        .put(
            "/api/v1/hub/partners/{id}",
            Can(Action::EditOrganization),
            hub::save_partner,
        )
        .get("/api/v1/hub/statistics", Public, hub::statistics)
        .get("/api/v1/hub/dashboard", process, hub::dashboard)
}

/// The evidence base: data sets, observations and the computed series; all public.
fn statistics_routes() -> Routes {
    use Access::Public;
    Routes::new()
        .get("/api/v1/statistics/datasets", Public, statistics::datasets)
        .get(
            "/api/v1/statistics/datasets/{key}",
            Public,
            statistics::dataset,
        )
        .get(
            "/api/v1/statistics/datasets/{key}/observations",
            Public,
            statistics::observations,
        )
        .get(
            "/api/v1/statistics/migrant-stock",
            Public,
            statistics::migrant_stock,
        )
        .get(
            "/api/v1/statistics/migrant-stock/map",
            Public,
            statistics::migrant_stock_map,
        )
        .get(
            "/api/v1/statistics/migrant-stock/corridor",
            Public,
            statistics::migrant_stock_corridor,
        )
        .get(
            "/api/v1/statistics/remittance-costs",
            Public,
            statistics::remittance_costs,
        )
        .get(
            "/api/v1/statistics/remittance-costs/corridors",
            Public,
            statistics::remittance_corridors,
        )
        .get(
            "/api/v1/statistics/remittance-costs/providers",
            Public,
            statistics::remittance_providers,
        )
        .get(
            "/api/v1/statistics/missing-migrants",
            Public,
            statistics::missing_migrants,
        )
        .get(
            "/api/v1/statistics/missing-migrants/incidents",
            Public,
            statistics::missing_incidents,
        )
}

/// The standards harvesters speak: CKAN's Action API (under both of the paths CKAN serves
/// it at) and the DCAT catalogue.
fn open_data_routes() -> Routes {
    use Access::{Public, PublicQuery};
    let mut routes = Routes::new()
        .get("/catalog.jsonld", Public, dcat::catalog_jsonld)
        .get("/catalog.ttl", Public, dcat::catalog_ttl)
        .get("/catalog.rdf", Public, dcat::catalog_rdf)
        .get("/sdmx/rest/{*path}", Public, sdmx::sdmx);
    macro_rules! ckan_actions {
        ($($prefix:literal),+) => {$(
            routes = routes
                .get(concat!($prefix, "package_search"), PublicQuery, ckan::package_search)
                .post(concat!($prefix, "package_search"), PublicQuery, ckan::package_search)
                .get(concat!($prefix, "package_show"), PublicQuery, ckan::package_show)
                .post(concat!($prefix, "package_show"), PublicQuery, ckan::package_show)
                .get(concat!($prefix, "package_list"), PublicQuery, ckan::package_list)
                .post(concat!($prefix, "package_list"), PublicQuery, ckan::package_list)
                .get(concat!($prefix, "organization_list"), PublicQuery, ckan::organization_list)
                .post(concat!($prefix, "organization_list"), PublicQuery, ckan::organization_list)
                .get(concat!($prefix, "group_list"), PublicQuery, ckan::group_list)
                .post(concat!($prefix, "group_list"), PublicQuery, ckan::group_list)
                .get(concat!($prefix, "tag_list"), PublicQuery, ckan::tag_list)
                .post(concat!($prefix, "tag_list"), PublicQuery, ckan::tag_list)
                .get(concat!($prefix, "status_show"), PublicQuery, ckan::status_show)
                .post(concat!($prefix, "status_show"), PublicQuery, ckan::status_show)
                .get(concat!($prefix, "{action}"), PublicQuery, ckan::unknown_action)
                .post(concat!($prefix, "{action}"), PublicQuery, ckan::unknown_action);
        )+};
    }
    ckan_actions!("/api/3/action/", "/api/action/");
    routes
}

fn knowledge_routes() -> Routes {
    use Access::{Can, Public};
    let submit = Can(Action::SubmitKnowledge);
    let moderate = Can(Action::ModerateKnowledge);
    let signed_in = Can(Action::UseAccount);
    Routes::new()
        .get("/api/v1/knowledge", Public, knowledge::search_items)
        .post("/api/v1/knowledge", submit, knowledge::create)
        .get("/api/v1/knowledge/{id}", Public, knowledge::item)
        .put("/api/v1/knowledge/{id}", signed_in, knowledge::update)
        .post("/api/v1/knowledge/{id}/submit", submit, knowledge::submit)
        .post(
            "/api/v1/knowledge/{id}/withdraw",
            signed_in,
            knowledge::withdraw,
        )
        .post(
            "/api/v1/knowledge/{id}/start-review",
            moderate,
            knowledge::start_review,
        )
        .post(
            "/api/v1/knowledge/{id}/publish",
            moderate,
            knowledge::publish,
        )
        .post(
            "/api/v1/knowledge/{id}/return",
            moderate,
            knowledge::return_item,
        )
        .post("/api/v1/knowledge/{id}/reject", moderate, knowledge::reject)
        .post(
            "/api/v1/knowledge/{id}/reviewers",
            moderate,
            knowledge::assign_reviewer,
        )
        .get(
            "/api/v1/reviews",
            Can(Action::ReviewKnowledge),
            knowledge::my_reviews,
        )
        .post(
            "/api/v1/reviews/{id}",
            Can(Action::ReviewKnowledge),
            knowledge::review,
        )
        .get("/api/v1/calls", Public, knowledge::calls)
        .post("/api/v1/calls", moderate, knowledge::create_call)
        .get("/api/v1/calls/{id}", Public, knowledge::call)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Marrakech API",
        description = "The Global Compact for Safe, Orderly and Regular Migration (A/RES/73/195) \
                       as data: guiding principles, objectives, actions, paragraphs and footnotes; \
                       countries, M49 regions and UN regional commissions; the follow-up calendar; \
                       the global knowledge platform (search, items, peer review, calls for practices); \
                       the connection hub (support requests, partner matching, teams, funding); \
                       the evidence base (migrant stock, remittance costs, missing migrants). \
                       Lists answer JSON by default and CSV with `format=csv` or `Accept: text/csv`. \
                       Paginated lists take `limit` (at most 250) and `cursor`.",
        license(name = "MIT OR Apache-2.0"),
        version = "1"
    ),
    paths(
        compact::principles,
        compact::objectives,
        compact::objective,
        compact::actions,
        compact::action,
        compact::paragraphs,
        compact::paragraph,
        compact::footnotes,
        countries::countries,
        countries::country,
        countries::regions,
        calendar::calendar,
        accounts::me,
        accounts::my_data,
        accounts::my_tokens,
        accounts::revoke_my_token,
        accounts::organizations,
        accounts::create_organization,
        accounts::organization,
        accounts::update_organization,
        accounts::users,
        accounts::user,
        accounts::grant_role,
        accounts::revoke_role,
        accounts::invite,
        accounts::audit,
        knowledge::search_items,
        knowledge::create,
        knowledge::item,
        knowledge::update,
        knowledge::submit,
        knowledge::withdraw,
        knowledge::start_review,
        knowledge::publish,
        knowledge::return_item,
        knowledge::reject,
        knowledge::assign_reviewer,
        knowledge::my_reviews,
        knowledge::review,
        knowledge::calls,
        knowledge::call,
        knowledge::create_call,
        statistics::datasets,
        statistics::dataset,
        statistics::observations,
        statistics::migrant_stock,
        statistics::migrant_stock_map,
        statistics::migrant_stock_corridor,
        statistics::remittance_costs,
        statistics::remittance_corridors,
        statistics::remittance_providers,
        statistics::missing_migrants,
        statistics::missing_incidents,
        hub::requests,
        hub::submit,
        hub::request,
        hub::transition,
        hub::assignment,
        hub::visibility,
        hub::answer_invitation,
        hub::comments,
        hub::add_comment,
        hub::suggestions,
        hub::rematch,
        hub::decide,
        hub::add_member,
        hub::remove_member,
        hub::funding,
        hub::concept_note,
        hub::draft_concept_note,
        hub::partners,
        hub::partner,
        hub::save_partner,
        hub::statistics,
        hub::dashboard,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "compact", description = "The compact's text and framework"),
        (name = "countries", description = "Countries, regions and regional commissions"),
        (name = "follow-up", description = "The follow-up and review calendar"),
        (name = "accounts", description = "Users, roles, organizations, API tokens and the audit trail"),
        (name = "knowledge", description = "The global knowledge platform: search, items, their review workflow, calls for practices"),
        (name = "hub", description = "The connection hub (para 43(a)): support requests, their workflow, matching with partners and peers, teams, funding, the partner registry"),
        (name = "statistics", description = "The evidence base: migrant stock, remittance costs (SDG 10.c.1), missing migrants; the same data as SDMX under /sdmx/rest"),
    )
)]
pub struct ApiDoc;

/// Declares the API-token scheme: `Authorization: Bearer mk_…`.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token created on the account page: mk_<id>_<secret>",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document, as served.
pub fn openapi_document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
}

async fn openapi_json() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
        .into_response()
}

/// Answers a list as JSON or as CSV rows.
pub(crate) fn respond<T: Serialize>(
    format: Format,
    list: List<T>,
    filename: &str,
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> ApiResult<Response> {
    match format {
        Format::Json => Ok(Json(list).into_response()),
        Format::Csv => Ok(csv_response(filename, header, list.items.iter().map(row))?),
    }
}
