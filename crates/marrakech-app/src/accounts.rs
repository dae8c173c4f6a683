//! Accounts as the administrators' pages and the command line both export them.

use marrakech_store::AuditEntry;

/// The columns of the audit trail as CSV, in the order of [`audit_csv_row`].
pub const AUDIT_CSV_HEADER: [&str; 10] = [
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "target_kind",
    "target_id",
    "summary",
    "prev_hash",
    "hash",
];

/// One audit entry as a CSV row (written through `marrakech_core::spreadsheet`, which
/// neutralizes formula-looking cells).
pub fn audit_csv_row(e: &AuditEntry) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        e.seq.to_string(),
        e.at.clone(),
        opt(&e.actor_id),
        opt(&e.actor_role),
        e.action.clone(),
        opt(&e.target_kind),
        opt(&e.target_id),
        e.summary.clone(),
        e.prev_hash.clone(),
        e.hash.clone(),
    ]
}
