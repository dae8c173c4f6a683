//! The connection hub's matching engine (para 43(a)(ii) and (iii) of the Global Compact for
//! Migration, A/RES/73/195): for a country's support request, rank
//!
//! - implementing partners "in line with their comparative advantages and operational
//!   capacities", and
//! - similar initiatives and practices of the knowledge platform, and other countries' past
//!   requests, "for peer-to-peer exchange and potential replication",
//!
//! each suggestion with the factors of its score, their weights and their explanation in
//! words. Pure: no database, no network, no files; the store gives it profiles and items,
//! the web shows its suggestions.
//!
//! ```
//! use marrakech_hub::{Candidate, HubRequest, MatchOptions, Matcher, PartnerProfile, Weights};
//!
//! let partners: Vec<PartnerProfile> = serde_json::from_str(r#"[{
//!     "id": "ifad", "name": "International Fund for Agricultural Development", "kind": "un-entity",
//!     "description": "Financing Facility for Remittances: digital remittances and financial inclusion.",
//!     "objectives": ["obj-20"], "actions": ["obj-20-e", "obj-20-i"],
//!     "countries": ["GTM", "SEN"], "languages": ["en", "es", "fr"],
//!     "support": ["technical-assistance", "funding"],
//!     "capacity": {"staff": 6, "engaged": 3}, "track_record": {"requests_served": 4, "items_implemented": 2}
//! }]"#).unwrap();
//! let items: Vec<Candidate> = serde_json::from_str(r#"[{
//!     "id": "item-1", "kind": "practice", "title": "Mobile remittances to rural Guatemala",
//!     "text": "Cheaper digital remittance channels reaching rural households.",
//!     "objectives": ["obj-20"], "actions": ["obj-20-e"], "countries": ["GTM"], "languages": ["es"]
//! }]"#).unwrap();
//! let request: HubRequest = serde_json::from_str(r#"{
//!     "title": "Cheaper digital remittances", "description": "Rural households receive remittances in cash.",
//!     "actions": ["obj-20-e"], "countries": ["HND"], "support": ["technical-assistance"], "languages": ["es"]
//! }"#).unwrap();
//!
//! let matcher = Matcher::new(partners, items, Weights::default()).unwrap();
//! let matches = matcher.suggest(&request, &MatchOptions::default());
//! assert_eq!(matches.partners[0].id, "ifad");
//! let geography = &matches.items[0].factors[2];
//! assert_eq!(
//!     geography.explanation,
//!     "from Guatemala, in the same sub-region (Central America) as Honduras"
//! );
//! ```
//!
//! See the README for the score, the default weights, the evaluation and the benchmark.

pub mod error;
pub mod evaluation;
#[cfg(feature = "generate")]
pub mod generate;
pub mod geo;
pub mod matcher;
pub mod model;
pub mod text;
pub mod topics;
pub mod weights;

pub use error::{FieldError, HubError};
pub use geo::{Geography, Proximity};
pub use matcher::{Factor, MatchOptions, Matcher, Matches, Suggestion};
pub use model::{
    Candidate, CandidateInput, CandidateKind, Capacity, HubRequest, PartnerInput, PartnerProfile,
    Presence, RequestInput, SupportKind, TrackRecord, Urgency,
};
pub use text::{Bm25, TextHit, TextSimilarity};
pub use topics::{Topic, Topics};
pub use weights::{
    FactorName, ItemWeights, PartnerWeights, ProximityScale, UrgencyMultipliers, Weights,
};
