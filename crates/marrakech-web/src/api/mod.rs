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
        .api(Public, compact::principles, compact::__path_principles)
        .api(Public, compact::objectives, compact::__path_objectives)
        .api(Public, compact::objective, compact::__path_objective)
        .api(Public, compact::actions, compact::__path_actions)
        .api(Public, compact::action, compact::__path_action)
        .api(Public, compact::paragraphs, compact::__path_paragraphs)
        .api(Public, compact::paragraph, compact::__path_paragraph)
        .api(Public, compact::footnotes, compact::__path_footnotes)
        .api(Public, countries::countries, countries::__path_countries)
        .api(Public, countries::country, countries::__path_country)
        .api(Public, countries::regions, countries::__path_regions)
        .api(Public, calendar::calendar, calendar::__path_calendar)
        .get("/api/v1/openapi.json", Public, openapi_json)
        .api(Can(Action::UseAccount), accounts::me, accounts::__path_me)
        .api(
            Can(Action::ManageAccount),
            accounts::my_data,
            accounts::__path_my_data,
        )
        .api(
            Can(Action::UseAccount),
            accounts::my_tokens,
            accounts::__path_my_tokens,
        )
        .api(
            Can(Action::UseAccount),
            accounts::revoke_my_token,
            accounts::__path_revoke_my_token,
        )
        .api(
            Public,
            accounts::organizations,
            accounts::__path_organizations,
        )
        .api(
            Can(Action::ManageOrganizations),
            accounts::create_organization,
            accounts::__path_create_organization,
        )
        .api(
            Public,
            accounts::organization,
            accounts::__path_organization,
        )
        .api(
            Can(Action::EditOrganization),
            accounts::update_organization,
            accounts::__path_update_organization,
        )
        .api(
            Can(Action::ManageUsers),
            accounts::users,
            accounts::__path_users,
        )
        .api(
            Can(Action::ManageUsers),
            accounts::user,
            accounts::__path_user,
        )
        .api(
            Can(Action::ManageUsers),
            accounts::grant_role,
            accounts::__path_grant_role,
        )
        .api(
            Can(Action::ManageUsers),
            accounts::revoke_role,
            accounts::__path_revoke_role,
        )
        .api(
            Can(Action::InviteUsers),
            accounts::invite,
            accounts::__path_invite,
        )
        .api(
            Can(Action::ReadAudit),
            accounts::audit,
            accounts::__path_audit,
        )
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
        .api(Public, hub::requests, hub::__path_requests)
        .api(Can(Action::RequestSupport), hub::submit, hub::__path_submit)
        .api(Public, hub::request, hub::__path_request)
        .api(signed_in, hub::transition, hub::__path_transition)
        .api(process, hub::assignment, hub::__path_assignment)
        .api(
            Can(Action::RequestSupport),
            hub::visibility,
            hub::__path_visibility,
        )
        .api(
            Can(Action::RequestSupport),
            hub::answer_invitation,
            hub::__path_answer_invitation,
        )
        .api(signed_in, hub::comments, hub::__path_comments)
        .api(signed_in, hub::add_comment, hub::__path_add_comment)
        .api(signed_in, hub::suggestions, hub::__path_suggestions)
        .api(process, hub::rematch, hub::__path_rematch)
        .api(process, hub::decide, hub::__path_decide)
        .api(process, hub::add_member, hub::__path_add_member)
        .api(process, hub::remove_member, hub::__path_remove_member)
        .api(process, hub::funding, hub::__path_funding)
        .api(signed_in, hub::concept_note, hub::__path_concept_note)
        .api(
            process,
            hub::draft_concept_note,
            hub::__path_draft_concept_note,
        )
        .api(Public, hub::partners, hub::__path_partners)
        .api(Public, hub::partner, hub::__path_partner)
        .api(
            Can(Action::EditOrganization),
            hub::save_partner,
            hub::__path_save_partner,
        )
        .api(Public, hub::statistics, hub::__path_statistics)
        .api(process, hub::dashboard, hub::__path_dashboard)
}

/// The evidence base: data sets, observations and the computed series; all public.
fn statistics_routes() -> Routes {
    use Access::Public;
    Routes::new()
        .api(Public, statistics::datasets, statistics::__path_datasets)
        .api(Public, statistics::dataset, statistics::__path_dataset)
        .api(
            Public,
            statistics::observations,
            statistics::__path_observations,
        )
        .api(
            Public,
            statistics::migrant_stock,
            statistics::__path_migrant_stock,
        )
        .api(
            Public,
            statistics::migrant_stock_map,
            statistics::__path_migrant_stock_map,
        )
        .api(
            Public,
            statistics::migrant_stock_corridor,
            statistics::__path_migrant_stock_corridor,
        )
        .api(
            Public,
            statistics::remittance_costs,
            statistics::__path_remittance_costs,
        )
        .api(
            Public,
            statistics::remittance_corridors,
            statistics::__path_remittance_corridors,
        )
        .api(
            Public,
            statistics::remittance_providers,
            statistics::__path_remittance_providers,
        )
        .api(
            Public,
            statistics::missing_migrants,
            statistics::__path_missing_migrants,
        )
        .api(
            Public,
            statistics::missing_incidents,
            statistics::__path_missing_incidents,
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
        .api(
            Public,
            knowledge::search_items,
            knowledge::__path_search_items,
        )
        .api(submit, knowledge::create, knowledge::__path_create)
        .api(Public, knowledge::item, knowledge::__path_item)
        .api(signed_in, knowledge::update, knowledge::__path_update)
        .api(submit, knowledge::submit, knowledge::__path_submit)
        .api(signed_in, knowledge::withdraw, knowledge::__path_withdraw)
        .api(
            moderate,
            knowledge::start_review,
            knowledge::__path_start_review,
        )
        .api(moderate, knowledge::publish, knowledge::__path_publish)
        .api(
            moderate,
            knowledge::return_item,
            knowledge::__path_return_item,
        )
        .api(moderate, knowledge::reject, knowledge::__path_reject)
        .api(
            moderate,
            knowledge::assign_reviewer,
            knowledge::__path_assign_reviewer,
        )
        .api(
            Can(Action::ReviewKnowledge),
            knowledge::my_reviews,
            knowledge::__path_my_reviews,
        )
        .api(
            Can(Action::ReviewKnowledge),
            knowledge::review,
            knowledge::__path_review,
        )
        .api(Public, knowledge::calls, knowledge::__path_calls)
        .api(
            moderate,
            knowledge::create_call,
            knowledge::__path_create_call,
        )
        .api(Public, knowledge::call, knowledge::__path_call)
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

/// The OpenAPI document, as served: the API's description with every route the registry
/// holds, each from the description it was registered by.
pub fn openapi_document() -> String {
    let mut api = ApiDoc::openapi();
    for spec in crate::route_specs() {
        if let Some(documents) = spec.documents {
            documents(&mut api);
        }
    }
    api.to_pretty_json()
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
