//! The follow-up calendar (paras 46, 49, 50, 51).

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use marrakech_core::calendar::FollowUpEvent;
use marrakech_core::follow_up_events;

use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::error::PageResult;
use crate::params::Params;
use crate::queries::{calendar_range, default_calendar_range};
use crate::AppState;

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    from: i32,
    to: i32,
    years: Vec<(i32, Vec<FollowUpEvent>)>,
    this_year: i32,
    csv: String,
}

pub async fn calendar(
    auth: Auth,
    State(_state): State<AppState>,
    mut params: Params,
) -> PageResult<Html<String>> {
    let (from, to) = calendar_range(&mut params, default_calendar_range())?;
    let mut years: Vec<(i32, Vec<FollowUpEvent>)> = Vec::new();
    for event in follow_up_events(from, to) {
        match years.last_mut() {
            Some((year, events)) if *year == event.year => events.push(event),
            _ => years.push((event.year, vec![event])),
        }
    }
    render(&CalendarPage {
        layout: Layout::new("Follow-up and review calendar", Some(Section::Calendar), &auth).described(
            "The International Migration Review Forum, regional reviews, the Secretary-General's \
             reports and the GFMD's annual exchange, computed from the compact's paragraphs 46 to 51.",
        ),
        csv: format!("/api/v1/calendar?from={from}&to={to}&format=csv"),
        this_year: time::OffsetDateTime::now_utc().year(),
        from,
        to,
        years,
    })
}
