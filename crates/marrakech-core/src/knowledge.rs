//! The global knowledge platform's domain (para 43(c)): items of evidence, practice and
//! initiative, their languages, their workflow from draft to publication, and the peer-review
//! panel's rules.
//!
//! The workflow (DESIGN.md): draft -> submitted -> in review -> published | returned for
//! changes | rejected; withdrawn by its submitter at any time. A panel of at least one
//! internal and two external reviewers decides; a split verdict adds a reviewer.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::accounts::Invalid;
use crate::policy::ReviewerKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// A practice: something done, with results.
    Practice,
    /// An ongoing programme or project.
    Initiative,
    /// Research, evaluation, analysis.
    Evidence,
    /// Guidance, a toolkit, a law or policy.
    PolicyTool,
    /// A described data resource with files or links.
    Dataset,
}

impl ItemKind {
    pub const ALL: [ItemKind; 5] = [
        ItemKind::Practice,
        ItemKind::Initiative,
        ItemKind::Evidence,
        ItemKind::PolicyTool,
        ItemKind::Dataset,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ItemKind::Practice => "practice",
            ItemKind::Initiative => "initiative",
            ItemKind::Evidence => "evidence",
            ItemKind::PolicyTool => "policy-tool",
            ItemKind::Dataset => "dataset",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Practice => "Practice",
            ItemKind::Initiative => "Initiative",
            ItemKind::Evidence => "Evidence",
            ItemKind::PolicyTool => "Policy tool",
            ItemKind::Dataset => "Dataset",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// Position in [`ItemKind::ALL`] (the search index's facet bits).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The six official languages of the United Nations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Ar,
    Zh,
    En,
    Fr,
    Ru,
    Es,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::Ar,
        Language::Zh,
        Language::En,
        Language::Fr,
        Language::Ru,
        Language::Es,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::Zh => "zh",
            Language::En => "en",
            Language::Fr => "fr",
            Language::Ru => "ru",
            Language::Es => "es",
        }
    }

    /// The language's own name.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::Ar => "العربية",
            Language::Zh => "中文",
            Language::En => "English",
            Language::Fr => "Français",
            Language::Ru => "Русский",
            Language::Es => "Español",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Language::Ar => "Arabic",
            Language::Zh => "Chinese",
            Language::En => "English",
            Language::Fr => "French",
            Language::Ru => "Russian",
            Language::Es => "Spanish",
        }
    }

    /// Position in [`Language::ALL`] (the search index's fields and facet bits).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Right-to-left script.
    pub fn is_rtl(self) -> bool {
        self == Language::Ar
    }

    /// From an ISO 639-1 code, or a tag that starts with one (`fr-CH`), in any case.
    pub fn parse(s: &str) -> Option<Language> {
        let primary = s
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImplementationState {
    Planned,
    Ongoing,
    Completed,
    Discontinued,
}

impl ImplementationState {
    pub const ALL: [ImplementationState; 4] = [
        ImplementationState::Planned,
        ImplementationState::Ongoing,
        ImplementationState::Completed,
        ImplementationState::Discontinued,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ImplementationState::Planned => "planned",
            ImplementationState::Ongoing => "ongoing",
            ImplementationState::Completed => "completed",
            ImplementationState::Discontinued => "discontinued",
        }
    }

    pub fn parse(s: &str) -> Option<ImplementationState> {
        ImplementationState::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// Licences an item can carry (SPDX identifiers), and "all rights reserved".
pub const LICENCES: [(&str, &str); 7] = [
    ("CC-BY-4.0", "Creative Commons Attribution 4.0"),
    (
        "CC-BY-SA-4.0",
        "Creative Commons Attribution-ShareAlike 4.0",
    ),
    (
        "CC-BY-NC-4.0",
        "Creative Commons Attribution-NonCommercial 4.0",
    ),
    ("CC-BY-3.0-IGO", "Creative Commons Attribution 3.0 IGO"),
    ("CC0-1.0", "Creative Commons Zero (public domain)"),
    ("ODbL-1.0", "Open Database License 1.0"),
    ("all-rights-reserved", "All rights reserved"),
];

pub fn licence_label(id: &str) -> Option<&'static str> {
    LICENCES.iter().find(|(i, _)| *i == id).map(|(_, l)| *l)
}

/// Where an item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    Draft,
    Submitted,
    InReview,
    Published,
    Returned,
    Rejected,
    Withdrawn,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 7] = [
        ItemStatus::Draft,
        ItemStatus::Submitted,
        ItemStatus::InReview,
        ItemStatus::Published,
        ItemStatus::Returned,
        ItemStatus::Rejected,
        ItemStatus::Withdrawn,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::Submitted => "submitted",
            ItemStatus::InReview => "in-review",
            ItemStatus::Published => "published",
            ItemStatus::Returned => "returned",
            ItemStatus::Rejected => "rejected",
            ItemStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Draft => "Draft",
            ItemStatus::Submitted => "Submitted",
            ItemStatus::InReview => "In review",
            ItemStatus::Published => "Published",
            ItemStatus::Returned => "Returned for changes",
            ItemStatus::Rejected => "Rejected",
            ItemStatus::Withdrawn => "Withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// The submitter may change the content: before submission, or after a return.
    pub fn editable_by_submitter(self) -> bool {
        matches!(self, ItemStatus::Draft | ItemStatus::Returned)
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The submitter sends a draft (or a returned item) for review.
    Submit,
    /// The secretariat opens the review, once the panel is assigned.
    StartReview,
    /// The secretariat publishes what the panel approved.
    Publish,
    /// The secretariat returns it for changes, as the panel advised.
    Return,
    /// The secretariat rejects it, as the panel advised.
    Reject,
    /// The submitter (or the secretariat) takes it back, at any time.
    Withdraw,
}

impl Step {
    pub fn slug(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::StartReview => "start-review",
            Step::Publish => "publish",
            Step::Return => "return",
            Step::Reject => "reject",
            Step::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        [
            Step::Submit,
            Step::StartReview,
            Step::Publish,
            Step::Return,
            Step::Reject,
            Step::Withdraw,
        ]
        .into_iter()
        .find(|k| k.slug() == s)
    }
}

/// Where a step leads from a status, or why it cannot be taken.
pub fn next_status(from: ItemStatus, step: Step) -> Result<ItemStatus, Invalid> {
    use ItemStatus::*;
    let to = match (from, step) {
        (Draft | Returned, Step::Submit) => Submitted,
        (Submitted, Step::StartReview) => InReview,
        (InReview, Step::Publish) => Published,
        (InReview, Step::Return) => Returned,
        (InReview, Step::Reject) => Rejected,
        (Withdrawn | Rejected, Step::Withdraw) => {
            return Err(Invalid(format!(
                "an item {} cannot be withdrawn",
                from.label().to_lowercase()
            )))
        }
        (_, Step::Withdraw) => Withdrawn,
        _ => {
            return Err(Invalid(format!(
                "an item that is {} cannot be sent to {}",
                from.label().to_lowercase(),
                step.slug()
            )))
        }
    };
    Ok(to)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Publish as it is.
    Publish,
    /// Return to the submitter for changes.
    Revise,
    /// Do not publish.
    Reject,
}

impl Verdict {
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Publish => "publish",
            Verdict::Revise => "revise",
            Verdict::Reject => "reject",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [Verdict::Publish, Verdict::Revise, Verdict::Reject]
            .into_iter()
            .find(|v| v.slug() == s)
    }

    pub fn step(self) -> Step {
        match self {
            Verdict::Publish => Step::Publish,
            Verdict::Revise => Step::Return,
            Verdict::Reject => Step::Reject,
        }
    }
}

/// The least a panel needs before it can conclude.
pub const MIN_INTERNAL_REVIEWERS: usize = 1;
pub const MIN_EXTERNAL_REVIEWERS: usize = 2;

/// One reviewer's place on a panel: who they are, and their verdict once given. Reviewers
/// who declared a conflict of interest are recused and do not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    pub kind: ReviewerKind,
    pub recused: bool,
    pub verdict: Option<Verdict>,
}

/// What a panel has reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelState {
    /// More reviewers must be assigned: (internal, external) still missing.
    NeedsReviewers { internal: usize, external: usize },
    /// Assigned reviewers have verdicts to give.
    Reviewing { pending: usize },
    /// The verdicts split: one more reviewer (of any kind) must be added.
    NeedsTiebreaker,
    /// The panel's recommendation.
    Concluded(Verdict),
}

/// The panel's state. It concludes when it has at least one internal and two external
/// verdicts and they agree; when they split, one more reviewer is added, and the panel
/// concludes on a strict majority (otherwise it keeps adding reviewers).
pub fn panel_state(seats: &[Seat]) -> PanelState {
    let active: Vec<&Seat> = seats.iter().filter(|s| !s.recused).collect();
    let count = |kind| active.iter().filter(|s| s.kind == kind).count();
    let (internal, external) = (count(ReviewerKind::Internal), count(ReviewerKind::External));
    if internal < MIN_INTERNAL_REVIEWERS || external < MIN_EXTERNAL_REVIEWERS {
        return PanelState::NeedsReviewers {
            internal: MIN_INTERNAL_REVIEWERS.saturating_sub(internal),
            external: MIN_EXTERNAL_REVIEWERS.saturating_sub(external),
        };
    }
    let pending = active.iter().filter(|s| s.verdict.is_none()).count();
    if pending > 0 {
        return PanelState::Reviewing { pending };
    }
    let verdicts: Vec<Verdict> = active.iter().filter_map(|s| s.verdict).collect();
    let minimum = MIN_INTERNAL_REVIEWERS + MIN_EXTERNAL_REVIEWERS;
    for candidate in [Verdict::Publish, Verdict::Revise, Verdict::Reject] {
        let votes = verdicts.iter().filter(|v| **v == candidate).count();
        let unanimous = votes == verdicts.len();
        // A full panel that agrees concludes; beyond it, a strict majority does.
        if (unanimous && verdicts.len() >= minimum)
            || (verdicts.len() > minimum && votes * 2 > verdicts.len())
        {
            return PanelState::Concluded(candidate);
        }
    }
    PanelState::NeedsTiebreaker
}

/// Validated free text: trimmed, bounded, no control characters but newlines and tabs.
pub fn text_field(value: &str, min: usize, max: usize, what: &str) -> Result<String, Invalid> {
    let text = value.trim().replace("\r\n", "\n");
    let chars = text.chars().count();
    if chars < min {
        return Err(Invalid(if min <= 1 {
            format!("enter {what}")
        } else {
            format!("{what} needs at least {min} characters")
        }));
    }
    if chars > max {
        return Err(Invalid(format!("{what} is at most {max} characters")));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid(format!("{what} cannot hold control characters")));
    }
    Ok(text)
}

/// A period of implementation, in years.
pub fn period(start: Option<i32>, end: Option<i32>) -> Result<(Option<i32>, Option<i32>), Invalid> {
    for year in [start, end].into_iter().flatten() {
        if !(1950..=2100).contains(&year) {
            return Err(Invalid(format!("{year} is not a plausible year")));
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(Invalid("the period ends before it starts".into()));
        }
    }
    Ok((start, end))
}

/// Attachments: what may be uploaded, and how much.
/// The largest attachment: 10 MB, as the forms say (decimal megabytes, as people read them).
pub const MAX_ATTACHMENT_BYTES: usize = 10_000_000;
pub const MAX_ATTACHMENTS: usize = 10;
pub const ATTACHMENT_TYPES: [(&str, &str); 8] = [
    ("pdf", "application/pdf"),
    ("csv", "text/csv"),
    ("txt", "text/plain"),
    ("json", "application/json"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
];

/// A file name safe to store and to send back in a Content-Disposition header: letters,
/// digits, `.`, `-`, `_` and spaces, at most 120 characters.
pub fn safe_filename(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(120)
        .collect()
}

/// The media type of an allowed attachment, from its file name and first bytes; the bytes
/// must agree with the name (a PDF starts with `%PDF`, an image with its signature).
pub fn attachment_type(filename: &str, bytes: &[u8]) -> Result<&'static str, Invalid> {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let extension = if extension == "jpeg" {
        "jpg".to_owned()
    } else {
        extension
    };
    let Some((_, media_type)) = ATTACHMENT_TYPES.iter().find(|(e, _)| *e == extension) else {
        let allowed: Vec<&str> = ATTACHMENT_TYPES.iter().map(|(e, _)| *e).collect();
        return Err(Invalid(format!(
            "files of this type are not accepted; use {}",
            allowed.join(", ")
        )));
    };
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Invalid(format!(
            "a file is at most {} MB",
            MAX_ATTACHMENT_BYTES / 1_000_000
        )));
    }
    if bytes.is_empty() {
        return Err(Invalid("the file is empty".into()));
    }
    let signature_ok = match extension.as_str() {
        "pdf" => bytes.starts_with(b"%PDF"),
        "png" => bytes.starts_with(&[0x89, b'P', b'N', b'G']),
        "jpg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "xlsx" | "docx" => bytes.starts_with(b"PK\x03\x04"),
        _ => std::str::from_utf8(bytes).is_ok(),
    };
    if !signature_ok {
        return Err(Invalid("the file's content does not match its name".into()));
    }
    Ok(media_type)
}

/// An item as the policy sees it: who owns it, where it stands, and whether the actor sits
/// on its review panel.
#[derive(Debug, Clone, Copy)]
pub struct ItemFacts<'a> {
    pub submitter: Option<&'a str>,
    pub organization: Option<&'a str>,
    pub country: Option<crate::countries::M49>,
    pub status: ItemStatus,
    /// Harvested from another catalogue: nobody here edits it.
    pub harvested: bool,
    /// The actor is on its review panel.
    pub on_panel: bool,
}

/// What an actor may do with an item: the knowledge workflow's one rule for pages and API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemRights {
    pub see: bool,
    pub edit: bool,
    pub submit: bool,
    pub withdraw: bool,
    pub moderate: bool,
    /// Assigned to review it.
    pub review: bool,
    pub see_contact: bool,
    pub see_internal: bool,
}

/// The policy's answers for `item` and `actor`.
pub fn item_rights(actor: &crate::policy::Actor, item: ItemFacts<'_>) -> ItemRights {
    use crate::policy::{decide, Action, Decision, Resource};
    // A draft is its author's alone until submitted: no colleague, moderator or
    // administrator opens it, its edit page or its attachments.
    let author = actor.user_id.is_some() && actor.user_id.as_deref() == item.submitter;
    if item.status == ItemStatus::Draft && !author {
        return ItemRights::default();
    }
    let resource = Resource::Item {
        submitter: item.submitter.unwrap_or(""),
        organization: item.organization,
        country: item.country,
    };
    let may = |action| decide(actor, action, resource) == Decision::Allow;
    let owns = may(Action::SubmitKnowledge) && !item.harvested;
    let moderate = may(Action::ModerateKnowledge);
    let reviewer = item.on_panel && may(Action::ReviewKnowledge);
    let status = item.status;
    ItemRights {
        see: status == ItemStatus::Published || owns || moderate || reviewer,
        edit: (owns && status.editable_by_submitter())
            || (moderate && !matches!(status, ItemStatus::Withdrawn | ItemStatus::Rejected)),
        submit: owns && matches!(status, ItemStatus::Draft | ItemStatus::Returned),
        withdraw: (owns || moderate)
            && !matches!(status, ItemStatus::Withdrawn | ItemStatus::Rejected),
        moderate,
        review: reviewer,
        see_contact: owns || moderate,
        see_internal: moderate || reviewer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_its_authors_until_submitted() {
        use crate::policy::{Actor, Role};
        let person = |id: &str, role: Role| Actor {
            user_id: Some(id.into()),
            roles: vec![role],
            token_actions: None,
        };
        let author = person(
            "author",
            Role::Contributor {
                organization: "org".into(),
            },
        );
        let colleague = person(
            "colleague",
            Role::Contributor {
                organization: "org".into(),
            },
        );
        let secretariat = person("staff", Role::Secretariat);
        let item = |status| ItemFacts {
            submitter: Some("author"),
            organization: Some("org"),
            country: None,
            status,
            harvested: false,
            on_panel: false,
        };
        let draft = item(ItemStatus::Draft);
        assert!(item_rights(&author, draft).edit && item_rights(&author, draft).submit);
        assert_eq!(item_rights(&colleague, draft), ItemRights::default());
        assert_eq!(item_rights(&secretariat, draft), ItemRights::default());
        let submitted = item(ItemStatus::Submitted);
        assert!(item_rights(&secretariat, submitted).moderate);
        assert!(item_rights(&colleague, submitted).see);
        assert!(!item_rights(&person("public", Role::FundManager), submitted).see);
        assert!(item_rights(&Actor::anonymous(), item(ItemStatus::Published)).see);
    }

    fn seat(kind: ReviewerKind, verdict: Option<Verdict>) -> Seat {
        Seat {
            kind,
            recused: false,
            verdict,
        }
    }
    use ReviewerKind::{External as E, Internal as I};
    use Verdict::{Publish as P, Reject as R, Revise as V};

    #[test]
    fn the_workflow_goes_where_designed() {
        use ItemStatus::*;
        assert_eq!(next_status(Draft, Step::Submit).unwrap(), Submitted);
        assert_eq!(next_status(Returned, Step::Submit).unwrap(), Submitted);
        assert_eq!(next_status(Submitted, Step::StartReview).unwrap(), InReview);
        assert_eq!(next_status(InReview, Step::Publish).unwrap(), Published);
        assert_eq!(next_status(InReview, Step::Return).unwrap(), Returned);
        assert_eq!(next_status(InReview, Step::Reject).unwrap(), Rejected);
        for from in [Draft, Submitted, InReview, Published, Returned] {
            assert_eq!(next_status(from, Step::Withdraw).unwrap(), Withdrawn);
        }
        assert!(next_status(Draft, Step::Publish).is_err());
        assert!(next_status(Submitted, Step::Publish).is_err());
        assert!(next_status(Published, Step::Submit).is_err());
        assert!(next_status(Withdrawn, Step::Withdraw).is_err());
    }

    #[test]
    fn a_panel_needs_one_internal_and_two_external_reviewers() {
        assert_eq!(
            panel_state(&[]),
            PanelState::NeedsReviewers {
                internal: 1,
                external: 2
            }
        );
        assert_eq!(
            panel_state(&[seat(I, None), seat(E, None)]),
            PanelState::NeedsReviewers {
                internal: 0,
                external: 1
            }
        );
        let recused = Seat {
            kind: E,
            recused: true,
            verdict: None,
        };
        assert_eq!(
            panel_state(&[seat(I, Some(P)), seat(E, Some(P)), recused]),
            PanelState::NeedsReviewers {
                internal: 0,
                external: 1
            }
        );
        assert_eq!(
            panel_state(&[seat(I, Some(P)), seat(E, None), seat(E, Some(P))]),
            PanelState::Reviewing { pending: 1 }
        );
    }

    #[test]
    fn agreement_concludes_and_a_split_adds_a_reviewer() {
        assert_eq!(
            panel_state(&[seat(I, Some(P)), seat(E, Some(P)), seat(E, Some(P))]),
            PanelState::Concluded(P)
        );
        assert_eq!(
            panel_state(&[seat(I, Some(R)), seat(E, Some(R)), seat(E, Some(R))]),
            PanelState::Concluded(R)
        );
        let split = [seat(I, Some(P)), seat(E, Some(P)), seat(E, Some(V))];
        assert_eq!(panel_state(&split), PanelState::NeedsTiebreaker);
        let mut four = split.to_vec();
        four.push(seat(E, None));
        assert_eq!(panel_state(&four), PanelState::Reviewing { pending: 1 });
        four[3].verdict = Some(P);
        assert_eq!(
            panel_state(&four),
            PanelState::Concluded(P),
            "3 of 4 is a majority"
        );
        four[3].verdict = Some(V);
        assert_eq!(
            panel_state(&four),
            PanelState::NeedsTiebreaker,
            "2 against 2"
        );
    }

    #[test]
    fn attachments_are_checked_by_name_and_content() {
        assert_eq!(
            attachment_type("report.PDF", b"%PDF-1.7 ...").unwrap(),
            "application/pdf"
        );
        assert!(attachment_type("report.pdf", b"<html>").is_err());
        assert!(attachment_type("run.exe", b"MZ").is_err());
        assert!(attachment_type("data.csv", &[0xff, 0xfe, 0x00]).is_err());
        assert!(attachment_type("big.txt", &vec![b'a'; MAX_ATTACHMENT_BYTES + 1]).is_err());
        assert_eq!(
            attachment_type("photo.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(),
            "image/jpeg"
        );
    }

    #[test]
    fn languages_and_values() {
        assert_eq!(Language::parse("FR-ch"), Some(Language::Fr));
        assert_eq!(Language::parse("de"), None);
        assert!(Language::Ar.is_rtl());
        assert!(period(Some(2020), Some(2019)).is_err());
        assert!(period(Some(1800), None).is_err());
        assert_eq!(text_field("  a\r\nb ", 1, 10, "a title").unwrap(), "a\nb");
        assert!(text_field("", 1, 10, "a title").is_err());
        for k in ItemKind::ALL {
            assert_eq!(ItemKind::parse(k.slug()), Some(k));
        }
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::parse(s.slug()), Some(s));
        }
    }
}
