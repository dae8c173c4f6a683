//! What the matcher reads: a country's request, the partner registry's profiles and the
//! candidates for peer exchange (knowledge items and other countries' past requests).
//!
//! Each comes in two forms: an input of plain strings, as a form, a JSON body or a data file
//! gives it (`RequestInput`, `PartnerInput`, `CandidateInput`), and the validated value
//! (`HubRequest`, `PartnerProfile`, `Candidate`) made by `try_from`, which names every invalid
//! field. The validated values deserialize through their input, so a data file is checked as
//! it is read, and serialize back to the same shape.

use std::collections::BTreeSet;

use marrakech_core::accounts::OrganizationName;
use marrakech_core::countries::{Reference, M49};
use marrakech_core::knowledge::{ItemKind, Language};
use marrakech_core::policy::OrganizationKind;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, HubError};
use crate::geo::Geography;
use crate::topics::Topics;

/// The kinds of support a request seeks and a partner offers (issue 6, section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupportKind {
    PolicyAdvice,
    TechnicalAssistance,
    CapacityBuilding,
    Data,
    Funding,
    PeerExchange,
}

impl SupportKind {
    pub const ALL: [SupportKind; 6] = [
        SupportKind::PolicyAdvice,
        SupportKind::TechnicalAssistance,
        SupportKind::CapacityBuilding,
        SupportKind::Data,
        SupportKind::Funding,
        SupportKind::PeerExchange,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            SupportKind::PolicyAdvice => "policy-advice",
            SupportKind::TechnicalAssistance => "technical-assistance",
            SupportKind::CapacityBuilding => "capacity-building",
            SupportKind::Data => "data",
            SupportKind::Funding => "funding",
            SupportKind::PeerExchange => "peer-exchange",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SupportKind::PolicyAdvice => "policy advice",
            SupportKind::TechnicalAssistance => "technical assistance",
            SupportKind::CapacityBuilding => "capacity building",
            SupportKind::Data => "data",
            SupportKind::Funding => "funding",
            SupportKind::PeerExchange => "peer exchange",
        }
    }

    pub fn parse(s: &str) -> Option<SupportKind> {
        SupportKind::ALL.into_iter().find(|k| k.slug() == s.trim())
    }

    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// How soon the requesting country needs support. It scales the weight of partners' spare
/// capacity ([`crate::UrgencyMultipliers`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    Low,
    #[default]
    Normal,
    High,
}

impl Urgency {
    pub fn parse(s: &str) -> Option<Urgency> {
        match s.trim() {
            "low" => Some(Urgency::Low),
            "normal" => Some(Urgency::Normal),
            "high" => Some(Urgency::High),
            _ => None,
        }
    }
}

/// The two families of things the matcher ranks for peer exchange. Serialized by slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// A published knowledge item of the given kind (para 43(c)).
    Item(ItemKind),
    /// Another country's earlier request to the hub.
    PastRequest,
}

impl CandidateKind {
    pub fn slug(self) -> &'static str {
        match self {
            CandidateKind::Item(k) => k.slug(),
            CandidateKind::PastRequest => "past-request",
        }
    }

    pub fn parse(s: &str) -> Option<CandidateKind> {
        match s.trim() {
            "past-request" => Some(CandidateKind::PastRequest),
            other => ItemKind::parse(other).map(CandidateKind::Item),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CandidateKind::Item(k) => k.label(),
            CandidateKind::PastRequest => "Past request",
        }
    }

    /// The kinds of support a candidate of this kind answers: a practice or another
    /// country's request for peer exchange and technical know-how, evidence for policy advice
    /// and data, and so on.
    pub fn serves(self) -> &'static [SupportKind] {
        use SupportKind::*;
        match self {
            CandidateKind::Item(ItemKind::Practice) => &[PeerExchange, TechnicalAssistance],
            CandidateKind::Item(ItemKind::Initiative) => &[PeerExchange, CapacityBuilding],
            CandidateKind::Item(ItemKind::Evidence) => &[PolicyAdvice, Data],
            CandidateKind::Item(ItemKind::PolicyTool) => &[PolicyAdvice, CapacityBuilding],
            CandidateKind::Item(ItemKind::Dataset) => &[Data],
            CandidateKind::PastRequest => &[PeerExchange],
        }
    }
}

impl Serialize for CandidateKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.slug())
    }
}

/// Where a partner works or a candidate applies: countries and M49 groupings (`001` for the
/// world). Kept as M49 codes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Presence {
    countries: Vec<M49>,
    groupings: Vec<M49>,
    codes: Vec<u16>,
}

impl Presence {
    pub fn countries(&self) -> &[M49] {
        &self.countries
    }

    /// M49 regions, sub-regions, intermediate regions or the world.
    pub fn groupings(&self) -> &[M49] {
        &self.groupings
    }

    /// Every code, countries first.
    pub(crate) fn codes(&self) -> &[u16] {
        &self.codes
    }

    pub fn is_global(&self) -> bool {
        self.groupings
            .iter()
            .any(|g| g.value() == crate::geo::WORLD)
    }

    fn new(countries: Vec<M49>, groupings: Vec<M49>) -> Presence {
        let codes = countries
            .iter()
            .chain(groupings.iter())
            .map(|c| c.value())
            .collect();
        Presence {
            countries,
            groupings,
            codes,
        }
    }
}

/// A country's request as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RequestInput", into = "RequestInput")]
pub struct HubRequest {
    id: Option<String>,
    title: String,
    description: String,
    topics: Topics,
    countries: Vec<M49>,
    support: Vec<SupportKind>,
    languages: Vec<Language>,
    urgency: Urgency,
}

/// A request as submitted: plain strings, validated by [`HubRequest::try_from`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The stored request's id, when it has one (so matching on demand can leave it out of
    /// its own peers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `obj-N` ids.
    #[serde(default)]
    pub objectives: Vec<String>,
    /// `obj-N-x` ids.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Countries concerned: M49 code, ISO alpha-3 or alpha-2.
    pub countries: Vec<String>,
    /// Kinds of support sought (`policy-advice`, `technical-assistance`, `capacity-building`,
    /// `data`, `funding`, `peer-exchange`).
    pub support: Vec<String>,
    /// Working languages, preferred first (ISO 639-1: `en`, `fr`, `es`, `ar`, `ru`, `zh`).
    pub languages: Vec<String>,
    /// `low`, `normal` (the default) or `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
}

pub const TITLE_MAX: usize = 300;
pub const TEXT_MAX: usize = 20_000;
pub const ID_MAX: usize = 100;

/// Collects field errors while a value is checked.
struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    fn new() -> Check {
        Check { errors: Vec::new() }
    }

    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    fn id(&mut self, field: &str, id: &str) -> String {
        let id = id.trim();
        if id.is_empty() {
            self.err(field, "enter an id");
        } else if id.len() > ID_MAX {
            self.err(field, format!("an id is at most {ID_MAX} characters"));
        } else if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        {
            self.err(
                field,
                "an id holds letters, digits, `-`, `_`, `.` and `:` only",
            );
        }
        id.to_owned()
    }

    fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let value = value.trim();
        let n = value.chars().count();
        if n < min {
            if min == 1 {
                self.err(field, "enter a text");
            } else {
                self.err(field, format!("at least {min} characters"));
            }
        } else if n > max {
            self.err(field, format!("at most {max} characters"));
        } else if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            self.err(field, "control characters are not allowed");
        }
        value.to_owned()
    }

    fn topics(&mut self, objectives: &[String], actions: &[String], required: bool) -> Topics {
        match Topics::parse(objectives, actions) {
            Ok(t) => {
                if required && t.is_empty() {
                    self.err("objectives", "choose at least one objective or action");
                }
                t
            }
            Err(errors) => {
                for (field, i, message) in errors {
                    self.err(format!("{field}.{i}"), message);
                }
                Topics::default()
            }
        }
    }

    fn countries(&mut self, field: &str, codes: &[String]) -> Vec<M49> {
        let reference = Reference::official();
        let mut out: Vec<M49> = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            match reference.country(code.trim()) {
                Some(c) if !out.contains(&c.m49) => out.push(c.m49),
                Some(_) => {}
                None => self.err(
                    format!("{field}.{i}"),
                    format!("`{code}` is not a country (M49, ISO alpha-3 or alpha-2 code)"),
                ),
            }
        }
        out
    }

    fn groupings(&mut self, field: &str, codes: &[String]) -> Vec<M49> {
        let geo = Geography::official();
        let mut out: Vec<M49> = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            match code.trim().parse::<M49>() {
                Ok(m) if geo.is_grouping(m) => {
                    if !out.contains(&m) {
                        out.push(m)
                    }
                }
                _ => self.err(
                    format!("{field}.{i}"),
                    format!("`{code}` is not an M49 region, sub-region, intermediate region or 001 (world)"),
                ),
            }
        }
        out
    }

    fn languages(&mut self, field: &str, codes: &[String], required: bool) -> Vec<Language> {
        let mut out = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            match Language::parse(code.trim()) {
                Some(l) if !out.contains(&l) => out.push(l),
                Some(_) => {}
                None => self.err(
                    format!("{field}.{i}"),
                    format!("`{code}` is not one of the UN languages (ar, zh, en, fr, ru, es)"),
                ),
            }
        }
        if required && codes.is_empty() {
            self.err(field, "choose at least one language");
        }
        out
    }

    fn support(&mut self, field: &str, slugs: &[String]) -> Vec<SupportKind> {
        let mut out = Vec::new();
        for (i, slug) in slugs.iter().enumerate() {
            match SupportKind::parse(slug) {
                Some(k) if !out.contains(&k) => out.push(k),
                Some(_) => {}
                None => self.err(
                    format!("{field}.{i}"),
                    format!("`{slug}` is not a kind of support (policy-advice, technical-assistance, capacity-building, data, funding, peer-exchange)"),
                ),
            }
        }
        if slugs.is_empty() {
            self.err(field, "choose at least one kind of support");
        }
        out.sort();
        out
    }

    fn finish<T>(self, what: &'static str, id: &str, value: T) -> Result<T, HubError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(HubError::Invalid {
                what,
                id: id.to_owned(),
                errors: self.errors,
            })
        }
    }
}

impl TryFrom<RequestInput> for HubRequest {
    type Error = HubError;

    fn try_from(input: RequestInput) -> Result<HubRequest, HubError> {
        let mut check = Check::new();
        let id = input.id.as_deref().map(|id| check.id("id", id));
        let title = check.text("title", &input.title, 3, TITLE_MAX);
        let description = check.text("description", &input.description, 0, TEXT_MAX);
        let topics = check.topics(&input.objectives, &input.actions, true);
        let countries = check.countries("countries", &input.countries);
        if input.countries.is_empty() {
            check.err("countries", "choose at least one country");
        }
        let support = check.support("support", &input.support);
        let languages = check.languages("languages", &input.languages, true);
        let urgency = match input.urgency.as_deref() {
            None => Urgency::Normal,
            Some(u) => Urgency::parse(u).unwrap_or_else(|| {
                check.err("urgency", "urgency is low, normal or high");
                Urgency::Normal
            }),
        };
        let label = id.clone().unwrap_or_default();
        check.finish(
            "request",
            &label,
            HubRequest {
                id,
                title,
                description,
                topics,
                countries,
                support,
                languages,
                urgency,
            },
        )
    }
}

impl From<HubRequest> for RequestInput {
    fn from(r: HubRequest) -> RequestInput {
        let (objectives, actions) = r.topics.ids();
        RequestInput {
            id: r.id,
            title: r.title,
            description: r.description,
            objectives,
            actions,
            countries: r.countries.iter().map(ToString::to_string).collect(),
            support: r.support.iter().map(|s| s.slug().to_owned()).collect(),
            languages: r.languages.iter().map(|l| l.code().to_owned()).collect(),
            urgency: Some(
                match r.urgency {
                    Urgency::Low => "low",
                    Urgency::Normal => "normal",
                    Urgency::High => "high",
                }
                .to_owned(),
            ),
        }
    }
}

impl HubRequest {
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn topics(&self) -> &Topics {
        &self.topics
    }
    /// The countries concerned (one, or several for a joint request).
    pub fn countries(&self) -> &[M49] {
        &self.countries
    }
    pub fn support(&self) -> &[SupportKind] {
        &self.support
    }
    /// Preferred first.
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }
    pub fn urgency(&self) -> Urgency {
        self.urgency
    }
    /// The text matched against partners' and candidates' texts: title and description.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.title, self.description)
    }
}

/// A partner's operational capacity for hub work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Staff available to work on hub requests (people, not the whole organization).
    pub staff: u32,
    /// Hub requests the partner is engaged on now.
    pub engaged: u32,
}

/// What a partner has done, derived by the platform from its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackRecord {
    /// Hub requests it served (closed as served).
    pub requests_served: u32,
    /// Published knowledge items it implemented.
    pub items_implemented: u32,
}

/// An organization of the partner registry with its comparative-advantage profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PartnerInput", into = "PartnerInput")]
pub struct PartnerProfile {
    id: String,
    name: String,
    kind: OrganizationKind,
    description: String,
    topics: Topics,
    presence: Presence,
    languages: Vec<Language>,
    support: Vec<SupportKind>,
    capacity: Capacity,
    track_record: TrackRecord,
}

/// A partner profile as stored or typed: plain strings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    pub id: String,
    pub name: String,
    /// An organization kind slug (`un-entity`, `civil-society`, ...).
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub objectives: Vec<String>,
    #[serde(default)]
    pub actions: Vec<String>,
    /// Countries of operational presence (M49, ISO alpha-3 or alpha-2).
    #[serde(default)]
    pub countries: Vec<String>,
    /// M49 groupings it works across (`002` Africa, `011` Western Africa, `001` world).
    #[serde(default)]
    pub regions: Vec<String>,
    pub languages: Vec<String>,
    pub support: Vec<String>,
    #[serde(default)]
    pub capacity: Capacity,
    #[serde(default)]
    pub track_record: TrackRecord,
}

impl TryFrom<PartnerInput> for PartnerProfile {
    type Error = HubError;

    fn try_from(input: PartnerInput) -> Result<PartnerProfile, HubError> {
        let mut check = Check::new();
        let id = check.id("id", &input.id);
        let name = match OrganizationName::parse(&input.name) {
            Ok(n) => n.as_str().to_owned(),
            Err(e) => {
                check.err("name", e.0);
                String::new()
            }
        };
        let kind = OrganizationKind::parse(input.kind.trim()).unwrap_or_else(|| {
            check.err(
                "kind",
                format!("`{}` is not an organization kind", input.kind),
            );
            OrganizationKind::Other
        });
        let description = check.text("description", &input.description, 0, TEXT_MAX);
        let topics = check.topics(&input.objectives, &input.actions, true);
        let countries = check.countries("countries", &input.countries);
        let groupings = check.groupings("regions", &input.regions);
        if input.countries.is_empty() && input.regions.is_empty() {
            check.err(
                "countries",
                "give at least one country or region of presence",
            );
        }
        let languages = check.languages("languages", &input.languages, true);
        let support = check.support("support", &input.support);
        let label = id.clone();
        check.finish(
            "partner",
            &label,
            PartnerProfile {
                name,
                kind,
                description,
                topics,
                presence: Presence::new(countries, groupings),
                languages,
                support,
                capacity: input.capacity,
                track_record: input.track_record,
                id,
            },
        )
    }
}

impl From<PartnerProfile> for PartnerInput {
    fn from(p: PartnerProfile) -> PartnerInput {
        let (objectives, actions) = p.topics.ids();
        PartnerInput {
            id: p.id,
            name: p.name,
            kind: p.kind.slug().to_owned(),
            description: p.description,
            objectives,
            actions,
            countries: codes(p.presence.countries()),
            regions: codes(p.presence.groupings()),
            languages: p.languages.iter().map(|l| l.code().to_owned()).collect(),
            support: p.support.iter().map(|s| s.slug().to_owned()).collect(),
            capacity: p.capacity,
            track_record: p.track_record,
        }
    }
}

fn codes(list: &[M49]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

impl PartnerProfile {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn kind(&self) -> OrganizationKind {
        self.kind
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn topics(&self) -> &Topics {
        &self.topics
    }
    pub fn presence(&self) -> &Presence {
        &self.presence
    }
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }
    pub fn support(&self) -> &[SupportKind] {
        &self.support
    }
    pub fn capacity(&self) -> Capacity {
        self.capacity
    }
    pub fn track_record(&self) -> TrackRecord {
        self.track_record
    }
    /// The text matched against requests: name and description.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.name, self.description)
    }
}

/// A candidate for peer exchange: a knowledge item or another country's past request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CandidateInput", into = "CandidateInput")]
pub struct Candidate {
    id: String,
    kind: CandidateKind,
    title: String,
    text: String,
    topics: Topics,
    presence: Presence,
    languages: Vec<Language>,
}

/// A candidate as stored: plain strings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateInput {
    pub id: String,
    /// An item kind slug (`practice`, `initiative`, `evidence`, `policy-tool`, `dataset`) or
    /// `past-request`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub objectives: Vec<String>,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    /// M49 groupings it applies to; `001` for a global item.
    #[serde(default)]
    pub regions: Vec<String>,
    pub languages: Vec<String>,
}

impl TryFrom<CandidateInput> for Candidate {
    type Error = HubError;

    fn try_from(input: CandidateInput) -> Result<Candidate, HubError> {
        let mut check = Check::new();
        let id = check.id("id", &input.id);
        let kind = CandidateKind::parse(&input.kind).unwrap_or_else(|| {
            check.err(
                "kind",
                format!("`{}` is not an item kind or past-request", input.kind),
            );
            CandidateKind::PastRequest
        });
        let title = check.text("title", &input.title, 3, TITLE_MAX);
        let text = check.text("text", &input.text, 0, TEXT_MAX * 5);
        let topics = check.topics(&input.objectives, &input.actions, true);
        let countries = check.countries("countries", &input.countries);
        let groupings = check.groupings("regions", &input.regions);
        if input.countries.is_empty() && input.regions.is_empty() {
            check.err(
                "countries",
                "give at least one country or region (001 for a global item)",
            );
        }
        let languages = check.languages("languages", &input.languages, true);
        let label = id.clone();
        check.finish(
            "candidate",
            &label,
            Candidate {
                kind,
                title,
                text,
                topics,
                presence: Presence::new(countries, groupings),
                languages,
                id,
            },
        )
    }
}

impl From<Candidate> for CandidateInput {
    fn from(c: Candidate) -> CandidateInput {
        let (objectives, actions) = c.topics.ids();
        CandidateInput {
            id: c.id,
            kind: c.kind.slug().to_owned(),
            title: c.title,
            text: c.text,
            objectives,
            actions,
            countries: codes(c.presence.countries()),
            regions: codes(c.presence.groupings()),
            languages: c.languages.iter().map(|l| l.code().to_owned()).collect(),
        }
    }
}

impl Candidate {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn kind(&self) -> CandidateKind {
        self.kind
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn body(&self) -> &str {
        &self.text
    }
    pub fn topics(&self) -> &Topics {
        &self.topics
    }
    pub fn presence(&self) -> &Presence {
        &self.presence
    }
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }
    /// The text matched against requests: title and body.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.title, self.text)
    }

    /// A past request of the requesting country itself (all its countries are among the
    /// request's): not a peer.
    pub(crate) fn is_own_past_request(&self, request: &HubRequest) -> bool {
        self.kind == CandidateKind::PastRequest
            && !self.presence.countries.is_empty()
            && self
                .presence
                .countries
                .iter()
                .all(|c| request.countries.contains(c))
    }
}

/// One bit per language ([`Language::index`]).
pub(crate) fn language_bits(languages: &[Language]) -> u8 {
    languages.iter().fold(0, |m, l| m | (1 << l.index()))
}

pub(crate) fn support_bits(kinds: &[SupportKind]) -> u8 {
    kinds.iter().fold(0, |m, k| m | k.bit())
}

pub(crate) fn unique_ids<'a>(
    what: &'static str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), HubError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(HubError::Duplicate {
                what,
                id: id.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RequestInput {
        RequestInput {
            id: None,
            title: "Lower remittance costs in the Guatemala corridor".into(),
            description: "Digital channels and price comparison.".into(),
            objectives: vec![],
            actions: vec!["obj-20-e".into(), "obj-20-f".into()],
            countries: vec!["GTM".into()],
            support: vec!["technical-assistance".into(), "data".into()],
            languages: vec!["es".into(), "en".into()],
            urgency: None,
        }
    }

    #[test]
    fn a_valid_request_is_normalised() {
        let r = HubRequest::try_from(request()).unwrap();
        assert_eq!(r.topics().objectives(), &[20]);
        assert_eq!(r.countries()[0].value(), 320);
        assert_eq!(r.languages(), &[Language::Es, Language::En]);
        assert_eq!(r.urgency(), Urgency::Normal);
        assert_eq!(
            r.support(),
            &[SupportKind::TechnicalAssistance, SupportKind::Data]
        );
    }

    #[test]
    fn every_invalid_field_is_named() {
        let mut input = request();
        input.title = "x".into();
        input.actions = vec!["obj-20-z".into()];
        input.countries = vec!["GTM".into(), "419".into()];
        input.support = vec!["money".into()];
        input.languages = vec![];
        input.urgency = Some("asap".into());
        let err = HubRequest::try_from(input).unwrap_err();
        let fields: Vec<&str> = err
            .field_errors()
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "actions.0",
                "countries.1",
                "support.0",
                "languages",
                "urgency"
            ]
        );
    }

    #[test]
    fn profiles_round_trip_through_json() {
        let json = r#"{"id":"iom","name":"International Organization for Migration","kind":"un-entity",
            "objectives":["obj-1"],"actions":["obj-20-a"],"countries":["MEX","484"],"regions":["001","011"],
            "languages":["en","fr"],"support":["data"],"capacity":{"staff":10,"engaged":4},
            "track_record":{"requests_served":3,"items_implemented":2}}"#;
        let p: PartnerProfile = serde_json::from_str(json).unwrap();
        assert_eq!(p.presence().countries().len(), 1, "duplicates merged");
        assert!(p.presence().is_global());
        let back: PartnerProfile =
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        let bad = json.replace("\"011\"", "\"484\"");
        let err = serde_json::from_str::<PartnerProfile>(&bad).unwrap_err();
        assert!(err.to_string().contains("regions.1"), "{err}");
    }

    #[test]
    fn own_past_requests_are_not_peers() {
        let r = HubRequest::try_from(request()).unwrap();
        let past = |countries: &[&str]| {
            Candidate::try_from(CandidateInput {
                id: "p".into(),
                kind: "past-request".into(),
                title: "Earlier request".into(),
                text: String::new(),
                objectives: vec!["obj-20".into()],
                actions: vec![],
                countries: countries.iter().map(|s| s.to_string()).collect(),
                regions: vec![],
                languages: vec!["es".into()],
            })
            .unwrap()
        };
        assert!(past(&["GTM"]).is_own_past_request(&r));
        assert!(!past(&["GTM", "HND"]).is_own_past_request(&r));
        assert!(!past(&["SLV"]).is_own_past_request(&r));
    }
}
