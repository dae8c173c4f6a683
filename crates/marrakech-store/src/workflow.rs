//! The record each workflow keeps of its moves: one row per transition, saying from which
//! state to which, who made it, in which role, when and why. Knowledge items and hub
//! requests keep it the same way; the fund and the review cycle will too.

use sqlx::{Any, Transaction};

use crate::audit::AuditContext;
use crate::{new_id, now_text};

/// A workflow with a transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Workflow {
    /// `knowledge_transition`: an item's statuses.
    Knowledge,
    /// `hub_transition`: a support request's stages.
    Hub,
}

impl Workflow {
    /// The table, the column naming what moved, and the columns of the two states.
    fn columns(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Workflow::Knowledge => (
                "knowledge_transition",
                "item_id",
                "from_status",
                "to_status",
            ),
            Workflow::Hub => ("hub_transition", "request_id", "from_stage", "to_stage"),
        }
    }
}

/// Records that `subject` moved from `from` (none when it was just made) to `to`, by the
/// actor of `ctx`, inside the transaction that moves it.
pub(crate) async fn record_transition(
    tx: &mut Transaction<'static, Any>,
    ctx: &AuditContext,
    workflow: Workflow,
    subject: &str,
    from: Option<&str>,
    to: &str,
    note: &str,
) -> Result<(), sqlx::Error> {
    let (table, subject_column, from_column, to_column) = workflow.columns();
    sqlx::query(&format!(
        "INSERT INTO {table} (id, {subject_column}, {from_column}, {to_column}, actor_id, \
         actor_role, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(new_id())
    .bind(subject.to_owned())
    .bind(from.map(str::to_owned))
    .bind(to.to_owned())
    .bind(ctx.actor_id.clone())
    .bind(ctx.actor_role.clone())
    .bind(note.to_owned())
    .bind(now_text())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
