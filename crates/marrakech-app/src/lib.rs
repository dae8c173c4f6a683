//! The application layer: what the platform does, for the web crate's pages and API and for
//! the command line alike, without HTTP (no axum, no askama).
//!
//! It is being built up feature by feature (issue 12): today it holds what both callers
//! share, so the binary needs the web crate only to serve:
//! - `secrets`: random tokens, their stored hashes, argon2id password hashing;
//! - `mail`: the words of every email the platform sends, and the hub's notices;
//! - `evidence_rows`: the evidence crate's records as the store's rows, and back;
//! - `accounts`: the audit trail as CSV rows;
//! - `hub`: the connection hub's configuration.
//!
//! Must not: depend on the web crate or on HTTP, speak SQL (the store does), render pages.

pub mod accounts;
pub mod evidence_rows;
pub mod hub;
pub mod mail;
pub mod secrets;
