//! The classification of stored fields as personal data.
//!
//! Personal fields never reach public pages, public API answers, CSV or catalogue exports, or
//! logs; a user can download their own, and deleting an account pseudonymizes them. Every
//! column not listed here holds no personal data. A test plants a marker in each of these
//! fields and scans every public answer for it.

/// (table, column) pairs that hold personal data.
pub const PERSONAL_COLUMNS: &[(&str, &str)] = &[
    ("app_user", "email"),
    ("app_user", "email_key"),
    ("app_user", "display_name"),
    ("app_user", "password_hash"),
    ("email_outbox", "to_address"),
    ("email_outbox", "body"),
    ("login_failure", "email_key"),
    ("login_failure", "client_hash"),
    ("knowledge_item", "contact_name"),
    ("knowledge_item", "contact_email"),
];

/// Whether a column holds personal data.
pub fn is_personal(table: &str, column: &str) -> bool {
    PERSONAL_COLUMNS.contains(&(table, column))
}
