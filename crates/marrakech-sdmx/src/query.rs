//! SDMX REST queries (REST API v1.5, the SDMX 2.1 API that `sdmx1` speaks): parsing the
//! path and parameters, and resolving them against [`Structures`].
//!
//! Structure queries: `{resource}/{agencyID}/{resourceID}/{version}[/{itemID}]` with
//! `references` and `detail`. Data queries: `data/{flowRef}[/{key}[/{providerRef}]]` with
//! `startPeriod`, `endPeriod`, `dimensionAtObservation` and `detail`.
//!
//! Status codes follow the SDMX REST guidelines: 400 for a malformed query, 404 when the
//! query is well formed but nothing can match it, 501 for standard features this service
//! does not implement.

use std::collections::{BTreeSet, HashSet};

use thiserror::Error;

use crate::id::{is_valid_id, Id, IdError, Version};
use crate::model::{
    ArtefactRef, Code, Codelist, Concept, ConceptScheme, DataStructure, Dataflow, ResolvedFlow,
    Structures, TIME_DIMENSION_ID,
};
use crate::time::{TimeError, TimePeriod, TimeRange};

/// A query that cannot be answered, with the HTTP status SDMX prescribes for it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    #[error("`{resource}` is not an SDMX resource this service offers; try dataflow, datastructure, codelist, conceptscheme or data")]
    UnknownResource { resource: String },
    #[error("no {resource} is published here (this service publishes dataflows, data structures, codelists and concept schemes)")]
    ResourceNotPublished { resource: String },
    #[error("the path has {got} parts after `{resource}`, at most {max} are allowed")]
    TooManyPathSegments {
        resource: String,
        got: usize,
        max: usize,
    },
    #[error("path part {position} is empty")]
    EmptyPathSegment { position: usize },
    #[error("path part `{segment}` has a bad percent-escape")]
    BadPercentEncoding { segment: String },
    #[error("the {part} `{value}` is not valid: {source}")]
    InvalidId {
        part: &'static str,
        value: String,
        #[source]
        source: IdError,
    },
    #[error("flowRef `{value}` is not valid: expected ID, AGENCY,ID or AGENCY,ID,VERSION")]
    InvalidFlowRef { value: String },
    #[error("providerRef `{value}` is not valid: expected ID or AGENCY,ID")]
    InvalidProviderRef { value: String },
    #[error("item ids can only be given for codelists and concept schemes, not for {resource}")]
    ItemsNotApplicable { resource: String },
    #[error("key `{key}` has {got} values but {flow} has {expected} dimensions: {dimensions}")]
    KeyLength {
        key: String,
        flow: String,
        got: usize,
        expected: usize,
        dimensions: String,
    },
    #[error("`{value}` in the key is not a valid value for dimension {dimension}: values are SDMX ids ([A-Za-z0-9_@$-]+), several joined by `+`")]
    InvalidKeyValue { dimension: String, value: String },
    #[error("`{code}` is not in codelist {codelist} for dimension {dimension}")]
    UnknownCode {
        code: String,
        codelist: String,
        dimension: String,
    },
    #[error("no dataflow {flow} is published here")]
    NoSuchDataflow { flow: String },
    #[error("no data provider `{provider}` publishes here; the only provider is {agency}")]
    UnknownProvider { provider: String, agency: String },
    #[error("`{name}` is not a parameter of SDMX {kind} queries")]
    UnknownParameter { name: String, kind: &'static str },
    #[error("parameter `{name}` is given twice")]
    DuplicateParameter { name: String },
    #[error("`{value}` is not a valid value for `{name}`: expected {expected}")]
    InvalidParameter {
        name: String,
        value: String,
        expected: &'static str,
    },
    #[error("`{name}` is an SDMX parameter this service does not implement")]
    UnsupportedParameter { name: String },
    #[error("dimensionAtObservation={value} is not supported: use TIME_PERIOD or AllDimensions")]
    UnsupportedDimensionAtObservation { value: String },
    #[error("dimensionAtObservation: {flow} has no dimension `{value}`")]
    UnknownDimension { value: String, flow: String },
    #[error("{name}: {source}")]
    InvalidPeriod {
        name: &'static str,
        #[source]
        source: TimeError,
    },
    #[error("startPeriod {start} is after endPeriod {end}")]
    EmptyPeriodRange { start: String, end: String },
    #[error("the query string is malformed near `{near}`")]
    BadQueryString { near: String },
    #[error("no {resource} matches {query}")]
    NoResults { resource: String, query: String },
}

impl QueryError {
    /// The HTTP status: 400 bad syntax, 404 nothing matches, 501 not implemented.
    pub fn status(&self) -> u16 {
        match self {
            QueryError::UnknownResource { .. }
            | QueryError::ResourceNotPublished { .. }
            | QueryError::UnknownCode { .. }
            | QueryError::NoSuchDataflow { .. }
            | QueryError::UnknownProvider { .. }
            | QueryError::NoResults { .. } => 404,
            QueryError::UnsupportedParameter { .. }
            | QueryError::UnsupportedDimensionAtObservation { .. } => 501,
            _ => 400,
        }
    }
}

/// The structure resources this service answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Dataflow,
    DataStructure,
    Codelist,
    ConceptScheme,
}

impl Resource {
    pub const ALL: [Resource; 4] = [
        Resource::Dataflow,
        Resource::DataStructure,
        Resource::Codelist,
        Resource::ConceptScheme,
    ];

    /// The path segment (`dataflow`, `datastructure`, `codelist`, `conceptscheme`).
    pub fn path_name(self) -> &'static str {
        match self {
            Resource::Dataflow => "dataflow",
            Resource::DataStructure => "datastructure",
            Resource::Codelist => "codelist",
            Resource::ConceptScheme => "conceptscheme",
        }
    }

    pub fn parse(s: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.path_name() == s)
    }
}

/// Other SDMX 2.1 REST structure resources: well-formed queries for things this service
/// never publishes, answered 404 rather than "unknown resource".
const OTHER_STRUCTURE_RESOURCES: &[&str] = &[
    "structure",
    "metadatastructure",
    "metadataflow",
    "hierarchicalcodelist",
    "categoryscheme",
    "categorisation",
    "contentconstraint",
    "attachmentconstraint",
    "actualconstraint",
    "allowedconstraint",
    "structureset",
    "process",
    "provisionagreement",
    "organisationscheme",
    "agencyscheme",
    "dataproviderscheme",
    "dataconsumerscheme",
    "organisationunitscheme",
    "reportingtaxonomy",
];

/// A set of accepted values in a path part: `all`/`*` for any, or `A+B` for some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Any,
    OneOf(Vec<Id>),
}

impl Selection {
    pub fn matches(&self, id: &Id) -> bool {
        match self {
            Selection::Any => true,
            Selection::OneOf(ids) => ids.contains(id),
        }
    }

    fn describe(&self) -> String {
        match self {
            Selection::Any => "*".to_owned(),
            Selection::OneOf(ids) => join(ids, "+"),
        }
    }
}

/// The version part: `latest` (also `~`, the REST 2.0 spelling), `all`/`*`, or versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSelection {
    Latest,
    All,
    OneOf(Vec<Version>),
}

/// The `references` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum References {
    None,
    Parents,
    ParentsAndSiblings,
    Children,
    Descendants,
    All,
    /// Only related artefacts of one type, in either direction.
    Only(Resource),
}

/// The `detail` parameter of structure queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructureDetail {
    Full,
    AllStubs,
    ReferenceStubs,
    AllCompleteStubs,
    ReferenceCompleteStubs,
    /// Same as full here: it trims referenced item schemes to what content constraints
    /// allow, and this service defines no constraints.
    ReferencePartial,
}

/// A parsed structure query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureQuery {
    pub resource: Resource,
    pub agencies: Selection,
    pub ids: Selection,
    pub version: VersionSelection,
    /// Codes or concepts to keep (`codelist/MARRAKECH/CL_SEX/1.0/F+M`).
    pub items: Selection,
    pub references: References,
    pub detail: StructureDetail,
}

/// How an artefact is shown in a structure message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presentation {
    Full,
    /// Identification only (id, agency, version, name), flagged `isExternalReference`.
    Stub,
    /// A stub with description and annotations.
    CompleteStub,
}

/// One artefact chosen by a structure query.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected<'s, T> {
    pub artefact: &'s T,
    pub presentation: Presentation,
    /// Items (codes, concepts) to write; `None` means all of them.
    pub items: Option<Vec<Id>>,
}

/// What a structure query returns, grouped the way structure messages list artefacts.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureSelection<'s> {
    pub dataflows: Vec<Selected<'s, Dataflow>>,
    pub data_structures: Vec<Selected<'s, DataStructure>>,
    pub codelists: Vec<Selected<'s, Codelist>>,
    pub concept_schemes: Vec<Selected<'s, ConceptScheme>>,
}

impl<'s> StructureSelection<'s> {
    /// Everything, in full: what `structure/all/all/latest?references=none` would give.
    pub fn everything(structures: &'s Structures) -> StructureSelection<'s> {
        fn full<T>(artefact: &T) -> Selected<'_, T> {
            Selected {
                artefact,
                presentation: Presentation::Full,
                items: None,
            }
        }
        StructureSelection {
            dataflows: structures.dataflows().iter().map(full).collect(),
            data_structures: structures.data_structures().iter().map(full).collect(),
            codelists: structures.codelists().iter().map(full).collect(),
            concept_schemes: structures.concept_schemes().iter().map(full).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.dataflows.is_empty()
            && self.data_structures.is_empty()
            && self.codelists.is_empty()
            && self.concept_schemes.is_empty()
    }
}

impl<T> Selected<'_, T> {
    fn keeps(&self, id: &Id) -> bool {
        self.items.as_ref().is_none_or(|items| items.contains(id))
    }
}

impl<'s> Selected<'s, Codelist> {
    /// The codes to write, honouring an item filter.
    pub fn codes(&self) -> impl Iterator<Item = &'s Code> + '_ {
        self.artefact.codes().iter().filter(|c| self.keeps(c.id()))
    }

    /// The parent to write for `code`: its parent when that is written too. A partial
    /// codelist must not refer to codes it leaves out (readers resolve parents within the
    /// message and fail on a dangling one).
    pub fn written_parent(&self, code: &'s Code) -> Option<&'s Id> {
        code.parent().filter(|p| self.keeps(p))
    }
}

impl<'s> Selected<'s, ConceptScheme> {
    /// The concepts to write, honouring an item filter.
    pub fn concepts(&self) -> impl Iterator<Item = &'s Concept> + '_ {
        self.artefact
            .concepts()
            .iter()
            .filter(|c| self.keeps(c.id()))
    }
}

/// The `detail` parameter of data queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataDetail {
    /// Observations and attributes.
    Full,
    /// Observations without attributes.
    DataOnly,
    /// Series keys only: no observations, no attributes.
    SeriesKeysOnly,
    /// Series with their attributes but no observations. All attributes here are attached
    /// to observations, so this shows the same as `SeriesKeysOnly`.
    NoData,
}

impl DataDetail {
    pub fn has_observations(self) -> bool {
        matches!(self, DataDetail::Full | DataDetail::DataOnly)
    }
    pub fn has_attributes(self) -> bool {
        self == DataDetail::Full
    }
}

/// The `dimensionAtObservation` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservationDimension {
    /// Time series: observations grouped in series, keyed by `TIME_PERIOD` (the default).
    Time,
    /// A flat list of observations, each carrying its full key.
    AllDimensions,
}

/// A code in the key that is not in its dimension's codelist, left out because other codes
/// for the same dimension are known (`F+99`): it could match nothing anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredCode {
    pub dimension: Id,
    pub code: String,
    pub codelist: String,
}

/// A parsed data query, resolved against its dataflow. Apply it to your rows with
/// [`DataQuery::matches`], or turn [`DataQuery::allowed_values`] into a database filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataQuery {
    flow: ArtefactRef,
    dimensions: Vec<Id>,
    filters: Vec<Option<BTreeSet<String>>>,
    ignored: Vec<IgnoredCode>,
    time: TimeRange,
    dimension_at_observation: ObservationDimension,
    detail: DataDetail,
}

impl DataQuery {
    /// The dataflow the query is for (the `latest` version when the query named none).
    pub fn flow(&self) -> &ArtefactRef {
        &self.flow
    }

    /// The DSD's dimensions in key order (without `TIME_PERIOD`).
    pub fn dimension_ids(&self) -> &[Id] {
        &self.dimensions
    }

    /// The values allowed for the dimension at `position` in key order; `None` when any
    /// value is allowed.
    pub fn allowed_values(&self, position: usize) -> Option<&BTreeSet<String>> {
        self.filters.get(position).and_then(Option::as_ref)
    }

    /// Like [`DataQuery::allowed_values`], by dimension id.
    pub fn allowed_values_for(&self, dimension: &str) -> Option<&BTreeSet<String>> {
        let position = self.dimensions.iter().position(|d| d == dimension)?;
        self.allowed_values(position)
    }

    /// True when the key selects every series.
    pub fn selects_all_series(&self) -> bool {
        self.filters.iter().all(Option::is_none)
    }

    pub fn time_range(&self) -> &TimeRange {
        &self.time
    }

    pub fn ignored_codes(&self) -> &[IgnoredCode] {
        &self.ignored
    }

    pub fn dimension_at_observation(&self) -> ObservationDimension {
        self.dimension_at_observation
    }

    pub fn detail(&self) -> DataDetail {
        self.detail
    }

    /// True when a series key (values in DSD dimension order) is selected. A key of the
    /// wrong length never matches.
    pub fn matches_key<S: AsRef<str>>(&self, key: &[S]) -> bool {
        key.len() == self.filters.len()
            && key
                .iter()
                .zip(&self.filters)
                .all(|(value, filter)| filter.as_ref().is_none_or(|f| f.contains(value.as_ref())))
    }

    /// True when an observation's `TIME_PERIOD` lies wholly within
    /// `startPeriod..=endPeriod`. A period that does not parse only matches when the
    /// query has no time bounds.
    pub fn matches_time(&self, time: &str) -> bool {
        if self.time.is_unbounded() {
            return true;
        }
        TimePeriod::parse(time).is_ok_and(|p| self.time.contains(&p))
    }

    /// [`DataQuery::matches_key`] and [`DataQuery::matches_time`].
    pub fn matches<S: AsRef<str>>(&self, key: &[S], time: &str) -> bool {
        self.matches_key(key) && self.matches_time(time)
    }
}

/// A parsed REST request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdmxRequest {
    Structure(StructureQuery),
    Data(DataQuery),
}

/// A parsed request and the non-standard `format` parameter, if given, for
/// [`crate::negotiate()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    pub request: SdmxRequest,
    pub format: Option<String>,
}

/// Parses a REST request: `path` is what follows the service's base URL
/// (`dataflow/MARRAKECH/all/latest`, `/data/DF_X/A..B?` without the query), still
/// percent-encoded or not (SDMX ids never contain `%`); `params` are the decoded query
/// parameters (see [`parse_query_string`]). Parameter names are matched without regard to
/// case, as many SDMX services do.
pub fn parse_request<K: AsRef<str>, V: AsRef<str>>(
    structures: &Structures,
    path: &str,
    params: &[(K, V)],
) -> Result<ParsedRequest, QueryError> {
    let segments = split_path(path)?;
    let Some((resource, rest)) = segments.split_first() else {
        return Err(QueryError::UnknownResource {
            resource: String::new(),
        });
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    if resource == "data" {
        let (query, format) = parse_data(structures, &rest, params)?;
        return Ok(ParsedRequest {
            request: SdmxRequest::Data(query),
            format,
        });
    }
    let (query, format) = StructureQuery::parse(resource, &rest, params)?;
    Ok(ParsedRequest {
        request: SdmxRequest::Structure(query),
        format,
    })
}

fn split_path(path: &str) -> Result<Vec<String>, QueryError> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    // A trailing slash (`data/DF_X/`) leaves the last part out, as an empty key would.
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    trimmed
        .split('/')
        .enumerate()
        .map(|(i, s)| {
            if s.is_empty() {
                return Err(QueryError::EmptyPathSegment { position: i + 1 });
            }
            percent_decode(s, false).ok_or_else(|| QueryError::BadPercentEncoding {
                segment: s.to_owned(),
            })
        })
        .collect()
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`, as in query strings).
fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hi = (hex[0] as char).to_digit(16)?;
                let lo = (hex[1] as char).to_digit(16)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Splits and decodes a raw query string (`startPeriod=2020&detail=dataonly`) into
/// name/value pairs, for callers that do not already have them decoded.
pub fn parse_query_string(raw: &str) -> Result<Vec<(String, String)>, QueryError> {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let bad = || QueryError::BadQueryString {
                near: pair.to_owned(),
            };
            Ok((
                percent_decode(name, true).ok_or_else(bad)?,
                percent_decode(value, true).ok_or_else(bad)?,
            ))
        })
        .collect()
}

/// Collects parameters by lower-cased name, refusing duplicates.
fn collect_params<K: AsRef<str>, V: AsRef<str>>(
    params: &[(K, V)],
) -> Result<Vec<(String, String)>, QueryError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(params.len());
    for (name, value) in params {
        let lower = name.as_ref().to_ascii_lowercase();
        if !seen.insert(lower.clone()) {
            return Err(QueryError::DuplicateParameter {
                name: name.as_ref().to_owned(),
            });
        }
        out.push((lower, value.as_ref().to_owned()));
    }
    Ok(out)
}

fn parse_selection(
    part: &'static str,
    value: Option<&str>,
    id_kind: IdKind,
) -> Result<Selection, QueryError> {
    match value {
        None | Some("all") | Some("*") => Ok(Selection::Any),
        Some(v) => v
            .split('+')
            .map(|one| {
                let id = match id_kind {
                    IdKind::Agency => Id::agency(one),
                    IdKind::Artefact => Id::artefact(one),
                    IdKind::Item => Id::new(one),
                };
                id.map_err(|source| QueryError::InvalidId {
                    part,
                    value: one.to_owned(),
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Selection::OneOf),
    }
}

#[derive(Clone, Copy)]
enum IdKind {
    Agency,
    Artefact,
    Item,
}

fn parse_version(value: Option<&str>) -> Result<VersionSelection, QueryError> {
    match value {
        None | Some("latest") | Some("~") => Ok(VersionSelection::Latest),
        Some("all") | Some("*") => Ok(VersionSelection::All),
        Some(v) => v
            .split('+')
            .map(|one| {
                Version::new(one).map_err(|source| QueryError::InvalidId {
                    part: "version",
                    value: one.to_owned(),
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(VersionSelection::OneOf),
    }
}

impl StructureQuery {
    /// Parses `{resource}/{agencyID}/{resourceID}/{version}[/{itemID}]` (every part after
    /// the resource optional) and the `references`/`detail` parameters. Returns the query
    /// and the `format` parameter, if any.
    pub fn parse<K: AsRef<str>, V: AsRef<str>>(
        resource: &str,
        segments: &[&str],
        params: &[(K, V)],
    ) -> Result<(StructureQuery, Option<String>), QueryError> {
        let Some(res) = Resource::parse(resource) else {
            if OTHER_STRUCTURE_RESOURCES.contains(&resource) {
                return Err(QueryError::ResourceNotPublished {
                    resource: resource.to_owned(),
                });
            }
            return Err(QueryError::UnknownResource {
                resource: resource.to_owned(),
            });
        };
        if segments.len() > 4 {
            return Err(QueryError::TooManyPathSegments {
                resource: resource.to_owned(),
                got: segments.len(),
                max: 4,
            });
        }
        let part = |i: usize| segments.get(i).copied();
        let agencies = parse_selection("agency id", part(0), IdKind::Agency)?;
        let ids = parse_selection("resource id", part(1), IdKind::Artefact)?;
        let version = parse_version(part(2))?;
        let items = parse_selection("item id", part(3), IdKind::Item)?;
        if items != Selection::Any && !matches!(res, Resource::Codelist | Resource::ConceptScheme) {
            return Err(QueryError::ItemsNotApplicable {
                resource: resource.to_owned(),
            });
        }
        let mut references = References::None;
        let mut detail = StructureDetail::Full;
        let mut format = None;
        for (name, value) in collect_params(params)? {
            match name.as_str() {
                "references" => {
                    references = match value.as_str() {
                        "none" => References::None,
                        "parents" => References::Parents,
                        "parentsandsiblings" => References::ParentsAndSiblings,
                        "children" => References::Children,
                        "descendants" => References::Descendants,
                        "all" => References::All,
                        other => match Resource::parse(other) {
                            Some(r) => References::Only(r),
                            None => {
                                return Err(QueryError::InvalidParameter {
                                    name: "references".to_owned(),
                                    value,
                                    expected: "none, parents, parentsandsiblings, children, descendants, all, or dataflow, datastructure, codelist, conceptscheme",
                                })
                            }
                        },
                    }
                }
                "detail" => {
                    detail = match value.as_str() {
                        "full" => StructureDetail::Full,
                        "allstubs" => StructureDetail::AllStubs,
                        "referencestubs" => StructureDetail::ReferenceStubs,
                        "allcompletestubs" => StructureDetail::AllCompleteStubs,
                        "referencecompletestubs" => StructureDetail::ReferenceCompleteStubs,
                        "referencepartial" => StructureDetail::ReferencePartial,
                        _ => {
                            return Err(QueryError::InvalidParameter {
                                name: "detail".to_owned(),
                                value,
                                expected: "full, allstubs, referencestubs, allcompletestubs, referencecompletestubs or referencepartial",
                            })
                        }
                    }
                }
                "format" => format = Some(value),
                _ => {
                    return Err(QueryError::UnknownParameter {
                        name: name.clone(),
                        kind: "structure",
                    })
                }
            }
        }
        Ok((
            StructureQuery {
                resource: res,
                agencies,
                ids,
                version,
                items,
                references,
                detail,
            },
            format,
        ))
    }

    fn describe(&self) -> String {
        let version = match &self.version {
            VersionSelection::Latest => "latest".to_owned(),
            VersionSelection::All => "*".to_owned(),
            VersionSelection::OneOf(v) => join(v, "+"),
        };
        let mut s = format!(
            "{}/{}/{}/{}",
            self.resource.path_name(),
            self.agencies.describe(),
            self.ids.describe(),
            version
        );
        if self.items != Selection::Any {
            s.push('/');
            s.push_str(&self.items.describe());
        }
        s
    }
}

fn join<T: std::fmt::Display>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// A reference to any of the four artefact kinds, for walking references.
#[derive(Debug, Clone, Copy)]
enum Node<'s> {
    Dataflow(&'s Dataflow),
    DataStructure(&'s DataStructure),
    Codelist(&'s Codelist),
    ConceptScheme(&'s ConceptScheme),
}

// Two nodes are the same artefact when kind and reference agree; comparing the
// artefacts' contents would be slower and say the same.
impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<'s> Node<'s> {
    fn resource(self) -> Resource {
        match self {
            Node::Dataflow(_) => Resource::Dataflow,
            Node::DataStructure(_) => Resource::DataStructure,
            Node::Codelist(_) => Resource::Codelist,
            Node::ConceptScheme(_) => Resource::ConceptScheme,
        }
    }

    fn reference(self) -> &'s ArtefactRef {
        match self {
            Node::Dataflow(a) => a.reference(),
            Node::DataStructure(a) => a.reference(),
            Node::Codelist(a) => a.reference(),
            Node::ConceptScheme(a) => a.reference(),
        }
    }

    fn key(self) -> (Resource, &'s ArtefactRef) {
        (self.resource(), self.reference())
    }

    fn children(self, s: &'s Structures) -> Vec<Node<'s>> {
        match self {
            Node::Dataflow(df) => s
                .data_structure(df.structure())
                .map(Node::DataStructure)
                .into_iter()
                .collect(),
            Node::DataStructure(dsd) => {
                let mut out: Vec<Node<'s>> = s
                    .concept_scheme(dsd.concept_scheme())
                    .map(Node::ConceptScheme)
                    .into_iter()
                    .collect();
                out.extend(
                    dsd.codelist_refs()
                        .into_iter()
                        .filter_map(|r| s.codelist(r))
                        .map(Node::Codelist),
                );
                out
            }
            Node::Codelist(_) | Node::ConceptScheme(_) => Vec::new(),
        }
    }

    fn parents(self, s: &'s Structures) -> Vec<Node<'s>> {
        match self {
            Node::Dataflow(_) => Vec::new(),
            Node::DataStructure(dsd) => s
                .dataflows()
                .iter()
                .filter(|df| df.structure() == dsd.reference())
                .map(Node::Dataflow)
                .collect(),
            Node::Codelist(cl) => s
                .data_structures()
                .iter()
                .filter(|dsd| dsd.codelist_refs().contains(&cl.reference()))
                .map(Node::DataStructure)
                .collect(),
            Node::ConceptScheme(cs) => s
                .data_structures()
                .iter()
                .filter(|dsd| dsd.concept_scheme() == cs.reference())
                .map(Node::DataStructure)
                .collect(),
        }
    }

    /// Transitive closure of `step`, breadth first so that nearer artefacts (and a
    /// DSD's codelists in dimension order) come first.
    fn closure(
        self,
        s: &'s Structures,
        step: fn(Node<'s>, &'s Structures) -> Vec<Node<'s>>,
    ) -> Vec<Node<'s>> {
        let mut out: Vec<Node<'s>> = Vec::new();
        let mut next = 0;
        out.extend(step(self, s));
        while next < out.len() {
            for n in step(out[next], s) {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            next += 1;
        }
        out
    }
}

impl Structures {
    /// Answers a structure query: the matching artefacts and, per `references`, the
    /// artefacts they refer to or are referred by. 404 (`NoResults`) when nothing matches.
    pub fn select(&self, query: &StructureQuery) -> Result<StructureSelection<'_>, QueryError> {
        let candidates: Vec<Node<'_>> = match query.resource {
            Resource::Dataflow => self.dataflows().iter().map(Node::Dataflow).collect(),
            Resource::DataStructure => self
                .data_structures()
                .iter()
                .map(Node::DataStructure)
                .collect(),
            Resource::Codelist => self.codelists().iter().map(Node::Codelist).collect(),
            Resource::ConceptScheme => self
                .concept_schemes()
                .iter()
                .map(Node::ConceptScheme)
                .collect(),
        };
        let mut main: Vec<Node<'_>> = candidates
            .into_iter()
            .filter(|n| {
                let r = n.reference();
                query.agencies.matches(&r.agency) && query.ids.matches(&r.id)
            })
            .collect();
        match &query.version {
            VersionSelection::All => {}
            VersionSelection::OneOf(versions) => {
                main.retain(|n| versions.contains(&n.reference().version))
            }
            VersionSelection::Latest => {
                let all = main.clone();
                main.retain(|n| {
                    let r = n.reference();
                    !all.iter().any(|o| {
                        let o = o.reference();
                        o.agency == r.agency && o.id == r.id && o.version > r.version
                    })
                });
            }
        }
        let items = match &query.items {
            Selection::Any => None,
            Selection::OneOf(ids) => {
                main.retain(|n| match n {
                    Node::Codelist(cl) => ids.iter().any(|i| cl.contains(i.as_str())),
                    Node::ConceptScheme(cs) => ids.iter().any(|i| cs.concept(i.as_str()).is_some()),
                    _ => false,
                });
                Some(ids.clone())
            }
        };
        if main.is_empty() {
            return Err(QueryError::NoResults {
                resource: query.resource.path_name().to_owned(),
                query: query.describe(),
            });
        }

        let mut related: Vec<Node<'_>> = Vec::new();
        for &n in &main {
            let found = match query.references {
                References::None => Vec::new(),
                References::Children => n.children(self),
                References::Descendants => n.closure(self, Node::children),
                References::Parents => n.parents(self),
                References::ParentsAndSiblings => parents_and_siblings(n, self),
                References::All => {
                    let mut v = parents_and_siblings(n, self);
                    v.extend(n.closure(self, Node::children));
                    v
                }
                References::Only(kind) => {
                    let mut v = n.closure(self, Node::parents);
                    v.extend(n.closure(self, Node::children));
                    v.retain(|r| r.resource() == kind);
                    v
                }
            };
            related.extend(found);
        }

        let (main_p, ref_p) = match query.detail {
            StructureDetail::Full | StructureDetail::ReferencePartial => {
                (Presentation::Full, Presentation::Full)
            }
            StructureDetail::AllStubs => (Presentation::Stub, Presentation::Stub),
            StructureDetail::ReferenceStubs => (Presentation::Full, Presentation::Stub),
            StructureDetail::AllCompleteStubs => {
                (Presentation::CompleteStub, Presentation::CompleteStub)
            }
            StructureDetail::ReferenceCompleteStubs => {
                (Presentation::Full, Presentation::CompleteStub)
            }
        };
        let mut out = StructureSelection {
            dataflows: Vec::new(),
            data_structures: Vec::new(),
            codelists: Vec::new(),
            concept_schemes: Vec::new(),
        };
        let mut seen = HashSet::new();
        let tagged = main
            .into_iter()
            .map(|n| (n, main_p, items.clone()))
            .chain(related.into_iter().map(|n| (n, ref_p, None)));
        for (node, presentation, items) in tagged {
            if !seen.insert(node.key()) {
                continue;
            }
            match node {
                Node::Dataflow(a) => out.dataflows.push(Selected {
                    artefact: a,
                    presentation,
                    items,
                }),
                Node::DataStructure(a) => out.data_structures.push(Selected {
                    artefact: a,
                    presentation,
                    items,
                }),
                Node::Codelist(a) => out.codelists.push(Selected {
                    artefact: a,
                    presentation,
                    items,
                }),
                Node::ConceptScheme(a) => out.concept_schemes.push(Selected {
                    artefact: a,
                    presentation,
                    items,
                }),
            }
        }
        Ok(out)
    }

    /// The dataflow a `flowRef` names: `ID`, `AGENCY,ID` or `AGENCY,ID,VERSION`, where the
    /// agency may be `all`/`*` and the version `latest`/`~`.
    pub fn find_flow(&self, flow_ref: &str) -> Result<&Dataflow, QueryError> {
        let parts: Vec<&str> = flow_ref.split(',').collect();
        let bad = || QueryError::InvalidFlowRef {
            value: flow_ref.to_owned(),
        };
        let (agency, id, version) = match parts.as_slice() {
            [id] => (None, *id, None),
            [agency, id] => (Some(*agency), *id, None),
            [agency, id, version] => (Some(*agency), *id, Some(*version)),
            _ => return Err(bad()),
        };
        let agency = match agency {
            None | Some("all") | Some("*") | Some("ALL") => None,
            Some(a) => Some(Id::agency(a).map_err(|source| QueryError::InvalidId {
                part: "flowRef agency",
                value: a.to_owned(),
                source,
            })?),
        };
        let id = Id::artefact(id).map_err(|source| QueryError::InvalidId {
            part: "flowRef dataflow id",
            value: id.to_owned(),
            source,
        })?;
        let version = match version {
            None | Some("latest") | Some("LATEST") | Some("~") => None,
            Some(v) => Some(Version::new(v).map_err(|source| QueryError::InvalidId {
                part: "flowRef version",
                value: v.to_owned(),
                source,
            })?),
        };
        self.dataflows()
            .iter()
            .filter(|df| {
                let r = df.reference();
                r.id == id
                    && agency.as_ref().is_none_or(|a| &r.agency == a)
                    && version.as_ref().is_none_or(|v| &r.version == v)
            })
            .max_by(|a, b| a.reference().version.cmp(&b.reference().version))
            .ok_or_else(|| QueryError::NoSuchDataflow {
                flow: flow_ref.to_owned(),
            })
    }
}

fn parents_and_siblings<'s>(n: Node<'s>, s: &'s Structures) -> Vec<Node<'s>> {
    let parents = n.parents(s);
    let mut out = parents.clone();
    for p in parents {
        out.extend(p.children(s).into_iter().filter(|c| *c != n));
    }
    out
}

/// Parses `data/{flowRef}[/{key}[/{providerRef}]]` (the parts after `data`) and the data
/// query parameters, resolving the dataflow and checking the key against its structure.
pub fn parse_data<K: AsRef<str>, V: AsRef<str>>(
    structures: &Structures,
    segments: &[&str],
    params: &[(K, V)],
) -> Result<(DataQuery, Option<String>), QueryError> {
    if segments.len() > 3 {
        return Err(QueryError::TooManyPathSegments {
            resource: "data".to_owned(),
            got: segments.len(),
            max: 3,
        });
    }
    let Some(flow_ref) = segments.first() else {
        return Err(QueryError::InvalidFlowRef {
            value: String::new(),
        });
    };
    let dataflow = structures.find_flow(flow_ref)?;
    let flow = structures
        .resolve_flow(dataflow.reference())
        .expect("a dataflow in the set resolves");
    if let Some(provider) = segments.get(2) {
        check_provider(structures, provider)?;
    }
    let (filters, ignored) = parse_key(&flow, segments.get(1).copied())?;

    let mut time = TimeRange::default();
    let mut dimension_at_observation = ObservationDimension::Time;
    let mut detail = DataDetail::Full;
    let mut format = None;
    for (name, value) in collect_params(params)? {
        match name.as_str() {
            "startperiod" => {
                time.start = Some(TimePeriod::parse_bound(&value).map_err(|source| {
                    QueryError::InvalidPeriod {
                        name: "startPeriod",
                        source,
                    }
                })?)
            }
            "endperiod" => {
                time.end = Some(TimePeriod::parse_bound(&value).map_err(|source| {
                    QueryError::InvalidPeriod {
                        name: "endPeriod",
                        source,
                    }
                })?)
            }
            "dimensionatobservation" => {
                dimension_at_observation = match value.as_str() {
                    TIME_DIMENSION_ID => ObservationDimension::Time,
                    "AllDimensions" => ObservationDimension::AllDimensions,
                    other if flow.dsd.dimension_position(other).is_some() => {
                        return Err(QueryError::UnsupportedDimensionAtObservation { value })
                    }
                    _ => {
                        return Err(QueryError::UnknownDimension {
                            value,
                            flow: flow.dataflow.reference().to_string(),
                        })
                    }
                }
            }
            "detail" => {
                detail = match value.as_str() {
                    "full" => DataDetail::Full,
                    "dataonly" => DataDetail::DataOnly,
                    "serieskeysonly" => DataDetail::SeriesKeysOnly,
                    "nodata" => DataDetail::NoData,
                    _ => {
                        return Err(QueryError::InvalidParameter {
                            name: "detail".to_owned(),
                            value,
                            expected: "full, dataonly, serieskeysonly or nodata",
                        })
                    }
                }
            }
            "format" => format = Some(value),
            // Standard SDMX 2.1 data parameters this service does not implement: answering
            // them by ignoring them would return wrong data.
            "updatedafter" | "firstnobservations" | "lastnobservations" | "includehistory" => {
                return Err(QueryError::UnsupportedParameter { name })
            }
            _ => return Err(QueryError::UnknownParameter { name, kind: "data" }),
        }
    }
    if let (Some(start), Some(end)) = (&time.start, &time.end) {
        if start.start() > end.end() {
            return Err(QueryError::EmptyPeriodRange {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
    }
    Ok((
        DataQuery {
            flow: dataflow.reference().clone(),
            dimensions: flow
                .dsd
                .dimensions()
                .iter()
                .map(|d| d.id().clone())
                .collect(),
            filters,
            ignored,
            time,
            dimension_at_observation,
            detail,
        },
        format,
    ))
}

fn check_provider(structures: &Structures, provider: &str) -> Result<(), QueryError> {
    if provider == "all" || provider == "*" {
        return Ok(());
    }
    let bad = || QueryError::InvalidProviderRef {
        value: provider.to_owned(),
    };
    let parts: Vec<&str> = provider.split(',').collect();
    let (agency, id) = match parts.as_slice() {
        [id] => (None, *id),
        [agency, id] => (Some(*agency), *id),
        _ => return Err(bad()),
    };
    if !is_valid_id(id) || agency.is_some_and(|a| Id::agency(a).is_err() && a != "all") {
        return Err(bad());
    }
    // This service is the only data provider, under its agency id.
    let own = structures.agency().id();
    let agency_ok = agency.is_none_or(|a| a == "all" || own == a);
    if id != own.as_str() || !agency_ok {
        return Err(QueryError::UnknownProvider {
            provider: provider.to_owned(),
            agency: own.to_string(),
        });
    }
    Ok(())
}

type KeyFilters = (Vec<Option<BTreeSet<String>>>, Vec<IgnoredCode>);

fn parse_key(flow: &ResolvedFlow<'_>, key: Option<&str>) -> Result<KeyFilters, QueryError> {
    let dims = flow.dsd.dimensions();
    let any = || vec![None; dims.len()];
    let key = match key {
        None | Some("all") => return Ok((any(), Vec::new())),
        Some(k) => k,
    };
    let parts: Vec<&str> = key.split('.').collect();
    if parts.len() != dims.len() {
        return Err(QueryError::KeyLength {
            key: key.to_owned(),
            flow: flow.dataflow.id().to_string(),
            got: parts.len(),
            expected: dims.len(),
            dimensions: join(&dims.iter().map(|d| d.id()).collect::<Vec<_>>(), "."),
        });
    }
    let mut filters = Vec::with_capacity(dims.len());
    let mut ignored = Vec::new();
    for ((part, dim), codelist) in parts.iter().zip(dims).zip(&flow.dimension_codelists) {
        if part.is_empty() || *part == "*" {
            filters.push(None);
            continue;
        }
        let mut known = BTreeSet::new();
        let mut unknown = Vec::new();
        for value in part.split('+') {
            if !is_valid_id(value) {
                return Err(QueryError::InvalidKeyValue {
                    dimension: dim.id().to_string(),
                    value: value.to_owned(),
                });
            }
            match codelist {
                Some(cl) if !cl.contains(value) => unknown.push(value),
                _ => {
                    known.insert(value.to_owned());
                }
            }
        }
        if let Some(cl) = codelist {
            if known.is_empty() {
                return Err(QueryError::UnknownCode {
                    code: unknown[0].to_owned(),
                    codelist: cl.id().to_string(),
                    dimension: dim.id().to_string(),
                });
            }
            ignored.extend(unknown.into_iter().map(|code| IgnoredCode {
                dimension: dim.id().clone(),
                code: code.to_owned(),
                codelist: cl.id().to_string(),
            }));
        }
        filters.push(Some(known));
    }
    Ok((filters, ignored))
}
