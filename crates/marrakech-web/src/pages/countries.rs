//! The countries list (filters, sort, pages, CSV) and one page per country.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use marrakech_core::countries::{Commission, Country, Region, RegionLevel};
use marrakech_store::SortDirection;

use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::error::{AppError, PageResult};
use crate::params::Params;
use crate::queries::CountryQuery;
use crate::AppState;

const PAGE_SIZE: usize = 50;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "countries.html")]
struct CountriesPage {
    layout: Layout,
    countries: Vec<Country>,
    total: usize,
    first: usize,
    last: usize,
    regions: Vec<(String, Vec<Choice>)>,
    commissions: Vec<Choice>,
    membership: Vec<Choice>,
    columns: Vec<SortLink>,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
    json: String,
    filtered: bool,
}

/// Query string of the current filters, plus `extra` pairs.
fn query_string(query: &CountryQuery, extra: &[(&str, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Some(r) = query.filter.region {
        out.append_pair("region", &r.to_string());
    }
    if let Some(c) = query.filter.commission {
        out.append_pair("commission", c.code());
    }
    if let Some(m) = query.filter.member_state {
        out.append_pair("member_state", if m { "true" } else { "false" });
    }
    for (k, v) in extra {
        out.append_pair(k, v);
    }
    out.finish()
}

pub async fn countries(
    auth: Auth,
    State(state): State<AppState>,
    mut params: Params,
) -> PageResult<Html<String>> {
    let query = CountryQuery::from_params(&mut params, &state.store).await?;
    let page = params
        .take_with("page", "a page number from 1", |v| {
            v.parse::<usize>().ok().filter(|n| *n >= 1)
        })?
        .unwrap_or(1);
    let result = state
        .store
        .countries(
            &query.filter,
            query.sort,
            query.direction,
            PAGE_SIZE,
            (page - 1) * PAGE_SIZE,
        )
        .await?;
    let pages = result.total.div_ceil(PAGE_SIZE).max(1);
    if page > pages {
        return Err(AppError::bad_parameter(
            "page",
            format!("page {page} is past the last page ({pages})"),
        )
        .into());
    }
    let sort = query.sort_param();
    let page_link = |n: usize| {
        format!(
            "/countries?{}",
            query_string(&query, &[("sort", sort.clone()), ("page", n.to_string())])
        )
    };
    let columns = [
        ("Name", "name"),
        ("M49", "m49"),
        ("ISO", "iso3"),
        ("Region", "region"),
    ]
    .into_iter()
    .map(|(label, key)| {
        let current = query.sort.as_str() == key;
        let ascending = query.direction == SortDirection::Ascending;
        let next = if current && ascending {
            format!("-{key}")
        } else {
            key.to_owned()
        };
        SortLink {
            label,
            href: format!("/countries?{}", query_string(&query, &[("sort", next)])),
            state: match (current, ascending) {
                (false, _) => "none",
                (true, true) => "ascending",
                (true, false) => "descending",
            },
        }
    })
    .collect();
    let all_regions = state.store.regions().await?;
    let region_choices = |level: RegionLevel| -> Vec<Choice> {
        let mut list: Vec<&Region> = all_regions.iter().filter(|r| r.level == level).collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list.into_iter()
            .map(|r| Choice {
                value: r.code.to_string(),
                label: r.name.clone(),
                selected: query.filter.region == Some(r.code),
            })
            .collect()
    };
    let regions = vec![
        ("Regions".to_owned(), region_choices(RegionLevel::Region)),
        (
            "Sub-regions".to_owned(),
            region_choices(RegionLevel::Subregion),
        ),
        (
            "Intermediate regions".to_owned(),
            region_choices(RegionLevel::Intermediate),
        ),
    ];
    let commissions = Commission::ALL
        .into_iter()
        .map(|c| Choice {
            value: c.code().to_owned(),
            label: format!("{} ({})", c.code(), c.name()),
            selected: query.filter.commission == Some(c),
        })
        .collect();
    let membership = [
        ("true", "UN Member States"),
        ("false", "Other countries and areas"),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: query.filter.member_state.map(|m| m.to_string()).as_deref() == Some(value),
    })
    .collect();
    let first = (page - 1) * PAGE_SIZE;
    render(&CountriesPage {
        layout: Layout::new("Countries and areas", Some(Section::Countries), &auth).described(
            "Every country or area with its UN M49 and ISO codes, region, UN membership and \
             regional commissions.",
        ),
        first: first + usize::from(!result.countries.is_empty()),
        last: first + result.countries.len(),
        total: result.total,
        countries: result.countries,
        regions,
        commissions,
        membership,
        columns,
        previous: (page > 1).then(|| page_link(page - 1)),
        next: (page < pages).then(|| page_link(page + 1)),
        csv: format!(
            "/api/v1/countries?{}",
            query_string(&query, &[("sort", sort.clone()), ("format", "csv".into())])
        ),
        json: format!(
            "/api/v1/countries?{}",
            query_string(&query, &[("sort", sort.clone())])
        ),
        filtered: query.filter != Default::default(),
    })
}

#[derive(Template)]
#[template(path = "country.html")]
struct CountryPage {
    layout: Layout,
    country: Country,
    commissions: Vec<(Commission, &'static str)>,
    profile: super::evidence::Profile,
}

pub async fn country(
    auth: Auth,
    State(state): State<AppState>,
    Path(code): Path<String>,
    mut params: Params,
) -> PageResult<Response> {
    let csv = params.take("csv");
    params.finish()?;
    let country = state.store.country(&code).await?.ok_or_else(|| {
        AppError::not_found(
            "country or area",
            &code,
            Some("use an M49 code (484), an ISO alpha-3 (MEX) or alpha-2 (MX) code"),
        )
    })?;
    let commissions = country
        .commissions
        .iter()
        .map(|(c, m)| (*c, m.as_str()))
        .collect();
    let profile = match super::evidence::country_profile(&state, &country, &csv).await? {
        Ok(profile) => profile,
        Err(csv_answer) => return Ok(csv_answer),
    };
    Ok(render(&CountryPage {
        layout: Layout::new(country.name.clone(), Some(Section::Countries), &auth).described(
            format!(
                "{}: codes, region, regional commissions and migration profile.",
                country.name
            ),
        ),
        country,
        commissions,
        profile,
    })?
    .into_response())
}
