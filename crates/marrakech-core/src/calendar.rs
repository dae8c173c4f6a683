//! The compact's follow-up calendar, computed from the text:
//!
//! - para 46: the Secretary-General reports to the General Assembly on a biennial basis
//!   (taken here as every second year from 2020, the first full biennium after adoption);
//! - para 49(c): the International Migration Review Forum every four years beginning in 2022,
//!   each edition ending in a Progress Declaration (49(e));
//! - para 50: regional reviews beginning in 2020, alternating with the Forum at a four-year
//!   interval;
//! - para 51: the Global Forum on Migration and Development's annual informal exchange
//!   (from 2019, the first year after adoption).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUpKind {
    ReviewForum,
    RegionalReview,
    SecretaryGeneralReport,
    GfmdExchange,
}

impl FollowUpKind {
    pub const ALL: [FollowUpKind; 4] = [
        FollowUpKind::ReviewForum,
        FollowUpKind::RegionalReview,
        FollowUpKind::SecretaryGeneralReport,
        FollowUpKind::GfmdExchange,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            FollowUpKind::ReviewForum => "review-forum",
            FollowUpKind::RegionalReview => "regional-review",
            FollowUpKind::SecretaryGeneralReport => "secretary-general-report",
            FollowUpKind::GfmdExchange => "gfmd-exchange",
        }
    }

    /// The first year of the series and its period in years.
    fn schedule(self) -> (i32, i32) {
        match self {
            FollowUpKind::ReviewForum => (2022, 4),
            FollowUpKind::RegionalReview => (2020, 4),
            FollowUpKind::SecretaryGeneralReport => (2020, 2),
            FollowUpKind::GfmdExchange => (2019, 1),
        }
    }

    /// The passage that sets the event.
    pub fn cites(self) -> &'static str {
        match self {
            FollowUpKind::ReviewForum => "para-49-c",
            FollowUpKind::RegionalReview => "para-50",
            FollowUpKind::SecretaryGeneralReport => "para-46",
            FollowUpKind::GfmdExchange => "para-51",
        }
    }

    fn title(self, year: i32) -> String {
        match self {
            FollowUpKind::ReviewForum => format!("International Migration Review Forum {year}"),
            FollowUpKind::RegionalReview => {
                format!("Regional reviews of the Global Compact {year}")
            }
            FollowUpKind::SecretaryGeneralReport => {
                format!(
                    "Secretary-General's report on the implementation of the Global Compact {year}"
                )
            }
            FollowUpKind::GfmdExchange => {
                format!("Global Forum on Migration and Development: annual exchange {year}")
            }
        }
    }

    fn description(self) -> &'static str {
        match self {
            FollowUpKind::ReviewForum => {
                "The primary intergovernmental global platform for Member States to discuss and \
                 share progress on the implementation of the Global Compact; each edition results \
                 in an intergovernmentally agreed Progress Declaration (para 49(e))."
            }
            FollowUpKind::RegionalReview => {
                "Subregional, regional and cross-regional processes, including the UN regional \
                 economic commissions, review implementation within their regions, informing the \
                 next International Migration Review Forum."
            }
            FollowUpKind::SecretaryGeneralReport => {
                "The Secretary-General, drawing on the UN Network on Migration, reports to the \
                 General Assembly on implementation, the UN system's activities and the \
                 institutional arrangements."
            }
            FollowUpKind::GfmdExchange => {
                "A space for annual informal exchange on implementation, reporting findings, best \
                 practices and innovative approaches to the International Migration Review Forum."
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpEvent {
    pub kind: FollowUpKind,
    pub year: i32,
    /// 1 for the first of its series.
    pub edition: u32,
    pub title: String,
    pub description: &'static str,
    /// The compact passage that sets it (`para-49-c`).
    pub cites: &'static str,
}

/// The widest range a caller may ask for in one go.
pub const MAX_RANGE_YEARS: i32 = 200;

/// Every follow-up event from `from` to `to` (inclusive), by year, then by kind. Empty when
/// `from > to`.
pub fn follow_up_events(from: i32, to: i32) -> Vec<FollowUpEvent> {
    let mut events = Vec::new();
    for year in from..=to {
        for kind in FollowUpKind::ALL {
            let (first, period) = kind.schedule();
            if year >= first && (year - first) % period == 0 {
                events.push(FollowUpEvent {
                    kind,
                    year,
                    edition: ((year - first) / period + 1) as u32,
                    title: kind.title(year),
                    description: kind.description(),
                    cites: kind.cites(),
                });
            }
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn years(events: &[FollowUpEvent], kind: FollowUpKind) -> Vec<i32> {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.year)
            .collect()
    }

    #[test]
    fn series_follow_the_paragraphs() {
        let events = follow_up_events(2018, 2031);
        assert_eq!(
            years(&events, FollowUpKind::ReviewForum),
            [2022, 2026, 2030]
        );
        assert_eq!(
            years(&events, FollowUpKind::RegionalReview),
            [2020, 2024, 2028]
        );
        assert_eq!(
            years(&events, FollowUpKind::SecretaryGeneralReport),
            [2020, 2022, 2024, 2026, 2028, 2030]
        );
        assert_eq!(
            years(&events, FollowUpKind::GfmdExchange),
            (2019..=2031).collect::<Vec<_>>()
        );
    }

    #[test]
    fn forum_and_regional_reviews_alternate() {
        for e in follow_up_events(2019, 2100) {
            if e.kind == FollowUpKind::ReviewForum {
                assert_eq!((e.year - 2020) % 4, 2);
            }
        }
    }

    #[test]
    fn events_cite_their_paragraphs_and_count_editions() {
        let events = follow_up_events(2026, 2026);
        let forum = events
            .iter()
            .find(|e| e.kind == FollowUpKind::ReviewForum)
            .unwrap();
        assert_eq!(forum.edition, 2);
        assert_eq!(forum.cites, "para-49-c");
        assert_eq!(forum.title, "International Migration Review Forum 2026");
        let sg = events
            .iter()
            .find(|e| e.kind == FollowUpKind::SecretaryGeneralReport)
            .unwrap();
        assert_eq!((sg.edition, sg.cites), (4, "para-46"));
        assert!(events
            .iter()
            .all(|e| e.kind != FollowUpKind::RegionalReview));
    }

    #[test]
    fn empty_before_adoption_and_for_reversed_ranges() {
        assert!(follow_up_events(2000, 2018).is_empty());
        assert!(follow_up_events(2030, 2020).is_empty());
    }
}
