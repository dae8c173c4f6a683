//! The home page: what the compact sets up, what comes next, the objectives.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use marrakech_core::calendar::FollowUpEvent;
use marrakech_core::compact::{find_item, Objective, Principle};
use marrakech_core::follow_up_events;

use super::{render, Layout, Section};
use crate::auth::Auth;
use crate::error::PageResult;
use crate::AppState;

/// A part of what the compact sets up, quoted from the paragraph that sets it.
pub struct Part {
    pub title: &'static str,
    /// Where the part lives on the platform, or its paragraph while it is not built.
    pub href: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    objectives: Vec<Objective>,
    principles: Vec<Principle>,
    action_count: usize,
    mechanism: Vec<Part>,
    events: Vec<FollowUpEvent>,
}

pub async fn home(auth: Auth, State(state): State<AppState>) -> PageResult<Html<String>> {
    let objectives = state.store.objectives(None).await?;
    let principles = state.store.principles().await?;
    let p43 = state.store.paragraph("para-43").await?;
    let quote = |id: &str| {
        p43.as_ref()
            .and_then(|p| find_item(&p.items, id, 1))
            .map(|i| i.text.trim_end_matches(", by:").to_owned())
            .unwrap_or_default()
    };
    let mechanism = vec![
        Part {
            title: "Connection hub",
            href: "/hub",
            text: quote("para-43-a"),
        },
        Part {
            title: "Start-up fund",
            href: "/compact/para-43-b",
            text: quote("para-43-b"),
        },
        Part {
            title: "Global knowledge platform",
            href: "/knowledge",
            text: quote("para-43-c"),
        },
    ];
    let year = time::OffsetDateTime::now_utc().year();
    let events = follow_up_events(year, year + 4)
        .into_iter()
        .filter(|e| e.kind != marrakech_core::FollowUpKind::GfmdExchange || e.year == year)
        .take(6)
        .collect();
    render(&HomePage {
        layout: Layout::new("Home", Some(Section::Home), &auth).described(
            "Marrakech: the Global Compact for Safe, Orderly and Regular Migration, its objectives, \
             actions and follow-up, as one open platform.",
        ),
        action_count: objectives.iter().map(|o| o.actions.len()).sum(),
        objectives,
        principles,
        mechanism,
        events,
    })
}
