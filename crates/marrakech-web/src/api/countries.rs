//! `/api/v1/countries`, `/api/v1/regions`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::dto::{CountryDto, List, RegionDto};
use super::{respond, MAX_PAGE_SIZE};
use crate::csv_out::{csv_response, opt};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::params::{Format, Page, Params};
use crate::queries::CountryQuery;
use crate::AppState;

const DEFAULT_PAGE_SIZE: usize = 100;

pub const COUNTRY_CSV_HEADER: [&str; 14] = [
    "m49",
    "iso2",
    "iso3",
    "name",
    "iso_name",
    "region_code",
    "region",
    "subregion_code",
    "subregion",
    "intermediate_region_code",
    "intermediate_region",
    "un_member_state",
    "commissions",
    "associate_commissions",
];

pub fn country_csv_row(c: &CountryDto) -> Vec<String> {
    let area = |a: &Option<super::dto::AreaDto>| {
        (
            opt(&a.as_ref().map(|a| a.code.clone())),
            opt(&a.as_ref().map(|a| a.name.clone())),
        )
    };
    let (rc, rn) = area(&c.region);
    let (sc, sn) = area(&c.subregion);
    let (ic, in_) = area(&c.intermediate_region);
    let commissions = |kind: &str| {
        c.commissions
            .iter()
            .filter(|m| m.membership == kind)
            .map(|m| m.commission.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    vec![
        c.m49.clone(),
        c.iso2.clone(),
        c.iso3.clone(),
        c.name.clone(),
        c.iso_name.clone(),
        rc,
        rn,
        sc,
        sn,
        ic,
        in_,
        c.un_member_state.to_string(),
        commissions("member"),
        commissions("associate"),
    ]
}

/// Countries and areas, filtered, sorted and paginated.
#[utoipa::path(
    get, path = "/api/v1/countries", tag = "countries",
    params(
        ("region" = Option<String>, Query, description = "An M49 region, sub-region or intermediate region code (see /api/v1/regions), e.g. 419"),
        ("commission" = Option<String>, Query, description = "A UN regional commission: ECA, ECE, ECLAC, ESCAP or ESCWA (members and associate members)"),
        ("member_state" = Option<bool>, Query, description = "true: the 193 UN Member States only; false: the others"),
        ("sort" = Option<String>, Query, description = "name (default), m49, iso3 or region; prefix with - to reverse"),
        ("limit" = Option<usize>, Query, description = "Page size, 1 to 250, default 100"),
        ("cursor" = Option<String>, Query, description = "The next_cursor of the previous page"),
        ("format" = Option<String>, Query, description = "json (default) or csv (the whole filtered list)"),
    ),
    responses(
        (status = 200, description = "A page of countries", body = List<CountryDto>),
        (status = 400, description = "A malformed or unknown parameter", body = ErrorBody),
    )
)]
pub async fn countries(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    let query = CountryQuery::from_params(&mut params, &state.store).await?;
    let page = Page::from_params(&mut params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    params.finish()?;
    let (limit, offset) = match format {
        Format::Json => (page.limit, page.offset),
        Format::Csv => (usize::MAX >> 1, 0),
    };
    let result = state
        .store
        .countries(&query.filter, query.sort, query.direction, limit, offset)
        .await?;
    let items: Vec<CountryDto> = result.countries.iter().map(CountryDto::from).collect();
    match format {
        Format::Json => Ok(Json(List {
            items,
            total: result.total,
            limit: Some(page.limit),
            next_cursor: page.next_cursor(result.total),
        })
        .into_response()),
        Format::Csv => Ok(csv_response(
            "countries.csv",
            &COUNTRY_CSV_HEADER,
            items.iter().map(country_csv_row),
        )?),
    }
}

/// One country or area by M49 code (`484`), ISO alpha-3 (`MEX`) or alpha-2 (`MX`).
#[utoipa::path(
    get, path = "/api/v1/countries/{code}", tag = "countries",
    params(("code" = String, Path, description = "M49 code, ISO 3166-1 alpha-3 or alpha-2")),
    responses(
        (status = 200, description = "The country", body = CountryDto),
        (status = 404, description = "No such country", body = ErrorBody),
    )
)]
pub async fn country(
    State(state): State<AppState>,
    Path(code): Path<String>,
    params: Params,
) -> ApiResult<Json<CountryDto>> {
    params.finish()?;
    let country = state.store.country(&code).await?.ok_or_else(|| {
        AppError::not_found(
            "country",
            &code,
            Some("use an M49 code (484), an ISO alpha-3 (MEX) or alpha-2 (MX) code"),
        )
    })?;
    Ok(Json(CountryDto::from(&country)))
}

/// The M49 regions, sub-regions and intermediate regions countries fall in.
#[utoipa::path(
    get, path = "/api/v1/regions", tag = "countries",
    params(("format" = Option<String>, Query, description = "json (default) or csv")),
    responses(
        (status = 200, description = "The regions", body = List<RegionDto>),
        (status = 400, description = "A malformed or unknown parameter", body = ErrorBody),
    )
)]
pub async fn regions(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut params: Params,
) -> ApiResult<Response> {
    let format = Format::negotiate(&mut params, &headers)?;
    params.finish()?;
    let items = state.store.regions().await?;
    respond(
        format,
        List::whole(items.iter().map(RegionDto::from).collect()),
        "regions.csv",
        &["code", "name", "level", "parent"],
        |r| {
            vec![
                r.code.clone(),
                r.name.clone(),
                r.level.clone(),
                opt(&r.parent),
            ]
        },
    )
}
