//! SDMX for Marrakech: statistics on the Global Compact for Migration served over the SDMX
//! REST API, for SDMX clients such as Python's `sdmx1`.
//!
//! This crate does no I/O and knows no database or web framework. It provides:
//! - [`model`]: a small SDMX information model (codelists, concepts, data structures,
//!   dataflows) with validating constructors, gathered in [`Structures`];
//! - [`query`]: SDMX REST v1.5 (SDMX 2.1) path and parameter parsing, resolved into a
//!   [`StructureSelection`] or a [`DataQuery`] the caller applies to its rows;
//! - [`negotiate`](mod@negotiate): content negotiation from `Accept` and `format=`;
//! - [`write`](mod@write): SDMX-ML 2.1 and SDMX-JSON 2.0 structure messages; streaming data writers
//!   for SDMX-ML 2.1 structure-specific data, SDMX-JSON 2.0 and 1.0, and SDMX-CSV 2.0;
//!   and error bodies.
//!
//! A request goes: [`parse_request`] → [`negotiate()`] → [`Structures::select`] and
//! [`write_structure`], or [`Structures::resolve_flow`], [`DataWriter`] fed with the rows
//! that [`DataQuery::matches`].

#[cfg(feature = "m49")]
pub mod codelists;
pub mod id;
pub mod model;
pub mod negotiate;
pub mod query;
pub mod time;
pub mod write;

pub use id::{Id, IdError, Version};
pub use model::{
    Agency, Annotation, ArtefactClass, ArtefactRef, Attribute, AttributeStatus, Code, Codelist,
    Concept, ConceptScheme, DataStructure, Dataflow, Dimension, Maintainable, ModelError,
    ResolvedFlow, Structures, LANGUAGE, MARRAKECH_AGENCY_ID, PRIMARY_MEASURE_ID, TIME_DIMENSION_ID,
};
pub use negotiate::{
    available_formats, negotiate, Format, MessageKind, Negotiated, NegotiationError,
};
pub use query::{
    parse_data, parse_query_string, parse_request, DataDetail, DataQuery, IgnoredCode,
    ObservationDimension, ParsedRequest, Presentation, QueryError, References, Resource,
    SdmxRequest, Selected, Selection, StructureDetail, StructureQuery, StructureSelection,
    VersionSelection,
};
pub use time::{Date, PeriodKind, TimeError, TimePeriod, TimeRange};
pub use write::{
    error_body, write_data, write_structure, write_structure_json, write_structure_xml,
    CsvDataWriter, DataOptions, DataWriter, ErrorBody, Header, HeaderError, JsonDataWriter,
    JsonVersion, Observation, WriteError, XmlDataWriter,
};
