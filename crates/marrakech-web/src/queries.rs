//! Request parameters that pages and the API share, parsed once for both: the countries
//! filter and sort, the calendar's range of years, and compact ids.

use marrakech_core::calendar::MAX_RANGE_YEARS;
use marrakech_core::compact::CompactRef;
use marrakech_core::countries::{Commission, M49};
use marrakech_store::{CountryFilter, CountrySort, SortDirection, Store};

use crate::error::AppError;
use crate::params::Params;

pub struct CountryQuery {
    pub filter: CountryFilter,
    pub sort: CountrySort,
    pub direction: SortDirection,
}

impl CountryQuery {
    /// Reads `region`, `commission`, `member_state` and `sort` (`name`, `m49`, `iso3`,
    /// `region`; `-` first for descending). A region must be an M49 grouping the store knows.
    pub async fn from_params(params: &mut Params, store: &Store) -> Result<CountryQuery, AppError> {
        let region = params.take_with("region", "an M49 region code such as 419", |v| {
            v.parse::<M49>().ok()
        })?;
        if let Some(code) = region {
            if !store.regions().await?.iter().any(|r| r.code == code) {
                return Err(AppError::bad_parameter(
                    "region",
                    format!("`{code}` is not an M49 region, sub-region or intermediate region; see /api/v1/regions"),
                ));
            }
        }
        let commission = params.take_with(
            "commission",
            "one of ECA, ECE, ECLAC, ESCAP, ESCWA",
            Commission::parse,
        )?;
        let member_state = params.take_bool("member_state")?;
        let (sort, direction) = params
            .take_with(
                "sort",
                "one of name, m49, iso3, region (with - first to reverse)",
                |v| {
                    let (direction, key) = match v.strip_prefix('-') {
                        Some(key) => (SortDirection::Descending, key),
                        None => (SortDirection::Ascending, v),
                    };
                    CountrySort::parse(key).map(|s| (s, direction))
                },
            )?
            .unwrap_or_default();
        Ok(CountryQuery {
            filter: CountryFilter {
                region,
                commission,
                member_state,
            },
            sort,
            direction,
        })
    }

    /// The `sort` parameter's value for this query.
    pub fn sort_param(&self) -> String {
        match self.direction {
            SortDirection::Ascending => self.sort.as_str().to_owned(),
            SortDirection::Descending => format!("-{}", self.sort.as_str()),
        }
    }
}

/// The years of the calendar: `from` and `to`, inclusive, at most [`MAX_RANGE_YEARS`] apart.
pub fn calendar_range(params: &mut Params, default: (i32, i32)) -> Result<(i32, i32), AppError> {
    let year = |v: &str| v.parse::<i32>().ok().filter(|y| (1900..=2999).contains(y));
    let from = params
        .take_with("from", "a year such as 2018", year)?
        .unwrap_or(default.0);
    let to = params
        .take_with("to", "a year such as 2030", year)?
        .unwrap_or(default.1.max(from));
    if to < from {
        return Err(AppError::bad_parameter(
            "to",
            format!("`to` ({to}) comes before `from` ({from})"),
        ));
    }
    if to - from > MAX_RANGE_YEARS {
        return Err(AppError::bad_parameter(
            "to",
            format!("the range may span at most {MAX_RANGE_YEARS} years"),
        ));
    }
    Ok((from, to))
}

/// The current year and the next ten: the default range of the calendar.
pub fn default_calendar_range() -> (i32, i32) {
    let year = time::OffsetDateTime::now_utc().year();
    (2018, year + 10)
}

pub const OBJECTIVE_HINT: &str = "objectives are obj-1 to obj-23";
pub const ACTION_HINT: &str = "actions look like obj-20-a";
pub const PARAGRAPH_HINT: &str =
    "paragraphs are para-1 to para-54 and res-1, res-2; sub-items look like para-43-a-iii";

/// An objective number from `obj-N`, or a 404 that names the id.
pub fn objective_number(id: &str) -> Result<u8, AppError> {
    match CompactRef::parse(id) {
        Ok(CompactRef::Objective(n)) => Ok(n),
        _ => Err(AppError::not_found("objective", id, Some(OBJECTIVE_HINT))),
    }
}
