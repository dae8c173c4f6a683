//! Marrakech's domain core: the Global Compact for Safe, Orderly and Regular Migration
//! (A/RES/73/195) as data, the countries and regions it is implemented in, and the
//! follow-up calendar it sets.
//!
//! This crate does no I/O. The official text and the reference tables are compiled in
//! (`include_str!`) and parsed on first use; everything else here is a pure function of them.

pub mod accounts;
pub mod calendar;
pub mod compact;
pub mod countries;
pub mod hub;
pub mod knowledge;
pub mod markup;
pub mod policy;
pub mod spreadsheet;

pub use calendar::{follow_up_events, FollowUpEvent, FollowUpKind};
pub use compact::{Compact, CompactRef};
pub use countries::{Commission, Country, Membership, Reference};
