//! A small SDMX information model: what Marrakech needs to describe its statistics, and
//! nothing more. It maps one to one onto SDMX 2.1 and 3.0 structures, so the writers can
//! emit either.
//!
//! Every constructor validates, and [`Structures`] only accepts an artefact whose references
//! (codelists, concepts, data structure) it already holds, so a `Structures` value is always
//! internally consistent and the writers never meet a dangling reference.

use std::collections::{HashMap, HashSet};
use std::fmt;

use thiserror::Error;

use crate::id::{Id, IdError, Version};

/// The agency id Marrakech maintains its artefacts under.
pub const MARRAKECH_AGENCY_ID: &str = "MARRAKECH";
/// The fixed id of the time dimension, as SDMX 3.0 requires.
pub const TIME_DIMENSION_ID: &str = "TIME_PERIOD";
/// The fixed id of the primary measure.
pub const PRIMARY_MEASURE_ID: &str = "OBS_VALUE";
/// The language of every name and description: the model is monolingual on purpose (the
/// statistics are published in English first); the writers tag text with it.
pub const LANGUAGE: &str = "en";

/// An error in building the model.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModelError {
    #[error("{what}: {source}")]
    Id {
        what: String,
        #[source]
        source: IdError,
    },
    #[error("{what} needs a non-empty name")]
    EmptyName { what: String },
    #[error("{what} contains a control character; names and descriptions must be plain text")]
    ControlCharacter { what: String },
    #[error("codelist {codelist} has no codes")]
    EmptyCodelist { codelist: String },
    #[error("codelist {codelist} lists code `{code}` twice")]
    DuplicateCode { codelist: String, code: String },
    #[error(
        "codelist {codelist}: code `{code}` has parent `{parent}`, which is not in the codelist"
    )]
    UnknownParent {
        codelist: String,
        code: String,
        parent: String,
    },
    #[error("codelist {codelist}: code `{code}` is its own ancestor")]
    ParentCycle { codelist: String, code: String },
    #[error("concept scheme {scheme} has no concepts")]
    EmptyConceptScheme { scheme: String },
    #[error("concept scheme {scheme} lists concept `{concept}` twice")]
    DuplicateConcept { scheme: String, concept: String },
    #[error("data structure {dsd} has no dimensions besides {TIME_DIMENSION_ID}")]
    NoDimensions { dsd: String },
    #[error("data structure {dsd} uses component id `{component}` twice")]
    DuplicateComponent { dsd: String, component: String },
    #[error("data structure {dsd}: `{component}` is reserved for the time dimension and primary measure")]
    ReservedComponent { dsd: String, component: String },
    #[error("{what} {artefact} is already defined")]
    Duplicate {
        what: &'static str,
        artefact: String,
    },
    #[error("{from} refers to {what} {artefact}, which has not been added")]
    MissingReference {
        from: String,
        what: &'static str,
        artefact: String,
    },
    #[error("data structure {dsd}: concept `{concept}` (for {component}) is not in concept scheme {scheme}")]
    MissingConcept {
        dsd: String,
        component: String,
        concept: String,
        scheme: String,
    },
}

fn check_text(what: impl Fn() -> String, text: &str, required: bool) -> Result<(), ModelError> {
    if required && text.trim().is_empty() {
        return Err(ModelError::EmptyName { what: what() });
    }
    // Tabs and line breaks are fine in descriptions; other control characters cannot be
    // written to XML 1.0 at all, so they are refused here rather than mangled later.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(ModelError::ControlCharacter { what: what() });
    }
    Ok(())
}

fn check_optional(what: impl Fn() -> String, text: &Option<String>) -> Result<(), ModelError> {
    match text {
        Some(t) => check_text(what, t, false),
        None => Ok(()),
    }
}

fn id_err(what: impl Into<String>) -> impl FnOnce(IdError) -> ModelError {
    let what = what.into();
    move |source| ModelError::Id { what, source }
}

/// A maintenance agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    id: Id,
    name: String,
}

impl Agency {
    pub fn new(id: &str, name: impl Into<String>) -> Result<Agency, ModelError> {
        let id = Id::agency(id).map_err(id_err("agency id"))?;
        let name = name.into();
        check_text(|| format!("agency {id}"), &name, true)?;
        Ok(Agency { id, name })
    }

    /// `MARRAKECH`, the agency maintaining Marrakech's artefacts and sending its messages.
    pub fn marrakech() -> Agency {
        Agency {
            id: Id::agency(MARRAKECH_AGENCY_ID).expect("a valid agency id"),
            name: "Marrakech".to_owned(),
        }
    }

    pub fn id(&self) -> &Id {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A reference to a maintainable artefact: `AGENCY:ID(VERSION)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArtefactRef {
    pub agency: Id,
    pub id: Id,
    pub version: Version,
}

impl ArtefactRef {
    /// Validates the three parts (agency rules for the agency, artefact rules for the id).
    pub fn new(agency: &str, id: &str, version: &str) -> Result<ArtefactRef, ModelError> {
        Ok(ArtefactRef {
            agency: Id::agency(agency).map_err(id_err("agency id"))?,
            id: Id::artefact(id).map_err(id_err("artefact id"))?,
            version: Version::new(version).map_err(id_err("version"))?,
        })
    }
}

impl fmt::Display for ArtefactRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}({})", self.agency, self.id, self.version)
    }
}

/// The SDMX classes a [`Urn`](ArtefactRef::urn) can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtefactClass {
    Codelist,
    ConceptScheme,
    DataStructure,
    Dataflow,
}

impl ArtefactClass {
    /// The URN prefix: package and class (SDMX 2.1 names, which 3.0 keeps for these four).
    pub fn urn_prefix(self) -> &'static str {
        match self {
            ArtefactClass::Codelist => "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=",
            ArtefactClass::ConceptScheme => {
                "urn:sdmx:org.sdmx.infomodel.conceptscheme.ConceptScheme="
            }
            ArtefactClass::DataStructure => {
                "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
            }
            ArtefactClass::Dataflow => "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=",
        }
    }
}

impl ArtefactRef {
    /// The artefact's SDMX URN, e.g.
    /// `urn:sdmx:org.sdmx.infomodel.codelist.Codelist=MARRAKECH:CL_SEX(1.0)`.
    pub fn urn(&self, class: ArtefactClass) -> String {
        format!("{}{}", class.urn_prefix(), self)
    }
}

/// An annotation: free metadata attached to an artefact. Marrakech uses typed annotations
/// on dataflows for the source, licence and attribution of the statistics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Annotation {
    pub id: Option<Id>,
    pub title: Option<String>,
    /// `AnnotationType`, e.g. [`Annotation::SOURCE`].
    pub kind: Option<String>,
    pub url: Option<String>,
    pub text: Option<String>,
}

impl Annotation {
    /// AnnotationType of the annotation naming where the data come from.
    pub const SOURCE: &'static str = "SOURCE";
    /// AnnotationType of the annotation naming the licence the data are published under.
    pub const LICENCE: &'static str = "LICENCE";
    /// AnnotationType of the annotation giving the attribution users must show.
    pub const ATTRIBUTION: &'static str = "ATTRIBUTION";

    /// An annotation of `kind` with `text` and an optional link, validated.
    pub fn new(
        kind: &str,
        text: impl Into<String>,
        url: Option<String>,
    ) -> Result<Annotation, ModelError> {
        let a = Annotation {
            id: None,
            title: None,
            kind: Some(kind.to_owned()),
            url,
            text: Some(text.into()),
        };
        a.validate()?;
        Ok(a)
    }

    /// Where the data come from, e.g. `UN DESA, International Migrant Stock 2020`.
    pub fn source(text: impl Into<String>, url: Option<String>) -> Result<Annotation, ModelError> {
        Annotation::new(Annotation::SOURCE, text, url)
    }

    /// The licence, e.g. `CC BY 3.0 IGO` with its URL.
    pub fn licence(text: impl Into<String>, url: Option<String>) -> Result<Annotation, ModelError> {
        Annotation::new(Annotation::LICENCE, text, url)
    }

    /// The attribution line users must reproduce.
    pub fn attribution(text: impl Into<String>) -> Result<Annotation, ModelError> {
        Annotation::new(Annotation::ATTRIBUTION, text, None)
    }

    fn validate(&self) -> Result<(), ModelError> {
        let what = || "annotation".to_owned();
        check_optional(what, &self.title)?;
        check_optional(what, &self.kind)?;
        check_optional(what, &self.url)?;
        check_optional(what, &self.text)?;
        if let Some(url) = &self.url {
            // AnnotationURL is an xs:anyURI: no whitespace.
            if url.chars().any(char::is_whitespace) || url.is_empty() {
                return Err(ModelError::ControlCharacter {
                    what: format!("annotation URL `{url}`"),
                });
            }
        }
        Ok(())
    }
}

/// A code in a codelist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    id: Id,
    name: String,
    description: Option<String>,
    parent: Option<Id>,
}

impl Code {
    pub fn new(id: &str, name: impl Into<String>) -> Result<Code, ModelError> {
        let id = Id::new(id).map_err(id_err("code id"))?;
        let name = name.into();
        check_text(|| format!("code {id}"), &name, true)?;
        Ok(Code {
            id,
            name,
            description: None,
            parent: None,
        })
    }

    /// Sets the parent code (checked against the codelist when the codelist is built).
    pub fn with_parent(mut self, parent: &str) -> Result<Code, ModelError> {
        self.parent = Some(Id::new(parent).map_err(id_err(format!("parent of code {}", self.id)))?);
        Ok(self)
    }

    pub fn with_description(mut self, description: impl Into<String>) -> Result<Code, ModelError> {
        let d = description.into();
        check_text(|| format!("description of code {}", self.id), &d, false)?;
        self.description = Some(d);
        Ok(self)
    }

    pub fn id(&self) -> &Id {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn parent(&self) -> Option<&Id> {
        self.parent.as_ref()
    }
}

/// Common fields of the maintainable artefacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maintainable {
    pub reference: ArtefactRef,
    pub name: String,
    pub description: Option<String>,
    pub annotations: Vec<Annotation>,
}

impl Maintainable {
    fn new(
        what: &'static str,
        reference: ArtefactRef,
        name: String,
        description: Option<String>,
    ) -> Result<Maintainable, ModelError> {
        check_text(|| format!("{what} {reference}"), &name, true)?;
        check_optional(
            || format!("description of {what} {reference}"),
            &description,
        )?;
        Ok(Maintainable {
            reference,
            name,
            description,
            annotations: Vec::new(),
        })
    }
}

/// A codelist: the allowed values of a coded dimension or attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codelist {
    meta: Maintainable,
    codes: Vec<Code>,
    index: HashMap<Id, usize>,
}

impl Codelist {
    /// Validates: at least one code, unique code ids, parents inside the list and no
    /// parent cycles.
    pub fn new(
        reference: ArtefactRef,
        name: impl Into<String>,
        codes: Vec<Code>,
    ) -> Result<Codelist, ModelError> {
        let meta = Maintainable::new("codelist", reference, name.into(), None)?;
        let label = meta.reference.to_string();
        if codes.is_empty() {
            return Err(ModelError::EmptyCodelist { codelist: label });
        }
        let mut index = HashMap::with_capacity(codes.len());
        for (i, code) in codes.iter().enumerate() {
            if index.insert(code.id.clone(), i).is_some() {
                return Err(ModelError::DuplicateCode {
                    codelist: label,
                    code: code.id.to_string(),
                });
            }
        }
        for code in &codes {
            if let Some(parent) = &code.parent {
                if !index.contains_key(parent) {
                    return Err(ModelError::UnknownParent {
                        codelist: label,
                        code: code.id.to_string(),
                        parent: parent.to_string(),
                    });
                }
            }
        }
        // A cycle would make hierarchy walks loop forever; each walk is bounded by the
        // number of codes.
        for code in &codes {
            let mut current = code.parent.as_ref();
            let mut steps = 0;
            while let Some(p) = current {
                if p == &code.id || steps > codes.len() {
                    return Err(ModelError::ParentCycle {
                        codelist: label,
                        code: code.id.to_string(),
                    });
                }
                current = codes[index[p]].parent.as_ref();
                steps += 1;
            }
        }
        Ok(Codelist { meta, codes, index })
    }

    pub fn with_description(
        mut self,
        description: impl Into<String>,
    ) -> Result<Codelist, ModelError> {
        let d = description.into();
        check_text(
            || format!("description of codelist {}", self.meta.reference),
            &d,
            false,
        )?;
        self.meta.description = Some(d);
        Ok(self)
    }

    pub fn reference(&self) -> &ArtefactRef {
        &self.meta.reference
    }
    pub fn id(&self) -> &Id {
        &self.meta.reference.id
    }
    pub fn name(&self) -> &str {
        &self.meta.name
    }
    pub fn description(&self) -> Option<&str> {
        self.meta.description.as_deref()
    }
    pub fn codes(&self) -> &[Code] {
        &self.codes
    }
    pub fn code(&self, id: &str) -> Option<&Code> {
        self.index.get(id).map(|&i| &self.codes[i])
    }
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }
    pub fn maintainable(&self) -> &Maintainable {
        &self.meta
    }
}

/// A concept: the meaning of a component (what `SEX` or `OBS_VALUE` stands for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    id: Id,
    name: String,
    description: Option<String>,
}

impl Concept {
    /// Concept ids follow the component rule (they name components by default).
    pub fn new(id: &str, name: impl Into<String>) -> Result<Concept, ModelError> {
        let id = Id::component(id).map_err(id_err("concept id"))?;
        let name = name.into();
        check_text(|| format!("concept {id}"), &name, true)?;
        Ok(Concept {
            id,
            name,
            description: None,
        })
    }

    pub fn with_description(
        mut self,
        description: impl Into<String>,
    ) -> Result<Concept, ModelError> {
        let d = description.into();
        check_text(|| format!("description of concept {}", self.id), &d, false)?;
        self.description = Some(d);
        Ok(self)
    }

    pub fn id(&self) -> &Id {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// A concept scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptScheme {
    meta: Maintainable,
    concepts: Vec<Concept>,
    index: HashMap<Id, usize>,
}

impl ConceptScheme {
    pub fn new(
        reference: ArtefactRef,
        name: impl Into<String>,
        concepts: Vec<Concept>,
    ) -> Result<ConceptScheme, ModelError> {
        let meta = Maintainable::new("concept scheme", reference, name.into(), None)?;
        let label = meta.reference.to_string();
        if concepts.is_empty() {
            return Err(ModelError::EmptyConceptScheme { scheme: label });
        }
        let mut index = HashMap::with_capacity(concepts.len());
        for (i, c) in concepts.iter().enumerate() {
            if index.insert(c.id.clone(), i).is_some() {
                return Err(ModelError::DuplicateConcept {
                    scheme: label,
                    concept: c.id.to_string(),
                });
            }
        }
        Ok(ConceptScheme {
            meta,
            concepts,
            index,
        })
    }

    pub fn reference(&self) -> &ArtefactRef {
        &self.meta.reference
    }
    pub fn id(&self) -> &Id {
        &self.meta.reference.id
    }
    pub fn name(&self) -> &str {
        &self.meta.name
    }
    pub fn description(&self) -> Option<&str> {
        self.meta.description.as_deref()
    }
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }
    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.index.get(id).map(|&i| &self.concepts[i])
    }
    pub fn maintainable(&self) -> &Maintainable {
        &self.meta
    }
}

/// A dimension of a data structure (not the time dimension, which every structure has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    id: Id,
    concept: Id,
    codelist: Option<ArtefactRef>,
}

impl Dimension {
    /// A dimension whose values come from `codelist`; its concept has the same id.
    pub fn coded(id: &str, codelist: ArtefactRef) -> Result<Dimension, ModelError> {
        let id = Id::component(id).map_err(id_err("dimension id"))?;
        Ok(Dimension {
            concept: id.clone(),
            id,
            codelist: Some(codelist),
        })
    }

    /// A dimension with free values (each must still be an SDMX id, since it is part of
    /// series keys).
    pub fn uncoded(id: &str) -> Result<Dimension, ModelError> {
        let id = Id::component(id).map_err(id_err("dimension id"))?;
        Ok(Dimension {
            concept: id.clone(),
            id,
            codelist: None,
        })
    }

    /// Uses another concept than the one with the dimension's id.
    pub fn with_concept(mut self, concept: &str) -> Result<Dimension, ModelError> {
        self.concept = Id::component(concept).map_err(id_err("concept id"))?;
        Ok(self)
    }

    pub fn id(&self) -> &Id {
        &self.id
    }
    pub fn concept(&self) -> &Id {
        &self.concept
    }
    pub fn codelist(&self) -> Option<&ArtefactRef> {
        self.codelist.as_ref()
    }
}

/// Whether an attribute must be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeStatus {
    Mandatory,
    Conditional,
}

/// An attribute attached to observations (Marrakech attaches all its attributes to
/// observations: status flags, notes, units that may change within a series).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    id: Id,
    concept: Id,
    codelist: Option<ArtefactRef>,
    status: AttributeStatus,
}

impl Attribute {
    pub fn coded(id: &str, codelist: ArtefactRef) -> Result<Attribute, ModelError> {
        let id = Id::component(id).map_err(id_err("attribute id"))?;
        Ok(Attribute {
            concept: id.clone(),
            id,
            codelist: Some(codelist),
            status: AttributeStatus::Conditional,
        })
    }

    /// An attribute with free-text values (notes, footnotes).
    pub fn uncoded(id: &str) -> Result<Attribute, ModelError> {
        let id = Id::component(id).map_err(id_err("attribute id"))?;
        Ok(Attribute {
            concept: id.clone(),
            id,
            codelist: None,
            status: AttributeStatus::Conditional,
        })
    }

    pub fn with_concept(mut self, concept: &str) -> Result<Attribute, ModelError> {
        self.concept = Id::component(concept).map_err(id_err("concept id"))?;
        Ok(self)
    }

    pub fn mandatory(mut self) -> Attribute {
        self.status = AttributeStatus::Mandatory;
        self
    }

    pub fn id(&self) -> &Id {
        &self.id
    }
    pub fn concept(&self) -> &Id {
        &self.concept
    }
    pub fn codelist(&self) -> Option<&ArtefactRef> {
        self.codelist.as_ref()
    }
    pub fn status(&self) -> AttributeStatus {
        self.status
    }
}

/// A data structure definition (DSD): dimensions in key order, then the time dimension
/// `TIME_PERIOD`, the primary measure `OBS_VALUE`, and observation-level attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataStructure {
    meta: Maintainable,
    concept_scheme: ArtefactRef,
    dimensions: Vec<Dimension>,
    attributes: Vec<Attribute>,
}

impl DataStructure {
    /// Validates component ids: at least one dimension, all ids unique, and neither
    /// `TIME_PERIOD` nor `OBS_VALUE` used for a dimension or attribute. The concepts come
    /// from `concept_scheme`, which must also hold `TIME_PERIOD` and `OBS_VALUE` concepts
    /// (checked by [`Structures::add_data_structure`]).
    pub fn new(
        reference: ArtefactRef,
        name: impl Into<String>,
        concept_scheme: ArtefactRef,
        dimensions: Vec<Dimension>,
        attributes: Vec<Attribute>,
    ) -> Result<DataStructure, ModelError> {
        let meta = Maintainable::new("data structure", reference, name.into(), None)?;
        let label = meta.reference.to_string();
        if dimensions.is_empty() {
            return Err(ModelError::NoDimensions { dsd: label });
        }
        let mut seen = HashSet::new();
        let ids = dimensions
            .iter()
            .map(|d| &d.id)
            .chain(attributes.iter().map(|a| &a.id));
        for id in ids {
            if id == TIME_DIMENSION_ID || id == PRIMARY_MEASURE_ID {
                return Err(ModelError::ReservedComponent {
                    dsd: label,
                    component: id.to_string(),
                });
            }
            if !seen.insert(id) {
                return Err(ModelError::DuplicateComponent {
                    dsd: label,
                    component: id.to_string(),
                });
            }
        }
        Ok(DataStructure {
            meta,
            concept_scheme,
            dimensions,
            attributes,
        })
    }

    pub fn with_description(
        mut self,
        description: impl Into<String>,
    ) -> Result<DataStructure, ModelError> {
        let d = description.into();
        check_text(
            || format!("description of data structure {}", self.meta.reference),
            &d,
            false,
        )?;
        self.meta.description = Some(d);
        Ok(self)
    }

    pub fn reference(&self) -> &ArtefactRef {
        &self.meta.reference
    }
    pub fn id(&self) -> &Id {
        &self.meta.reference.id
    }
    pub fn name(&self) -> &str {
        &self.meta.name
    }
    pub fn description(&self) -> Option<&str> {
        self.meta.description.as_deref()
    }
    pub fn concept_scheme(&self) -> &ArtefactRef {
        &self.concept_scheme
    }
    /// The dimensions in key order (without `TIME_PERIOD`).
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }
    pub fn dimension_position(&self, id: &str) -> Option<usize> {
        self.dimensions.iter().position(|d| d.id == id)
    }
    /// The codelists the structure uses, each once, in order of first use.
    pub fn codelist_refs(&self) -> Vec<&ArtefactRef> {
        let mut out: Vec<&ArtefactRef> = Vec::new();
        let refs = self
            .dimensions
            .iter()
            .filter_map(|d| d.codelist.as_ref())
            .chain(self.attributes.iter().filter_map(|a| a.codelist.as_ref()));
        for r in refs {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
    pub fn maintainable(&self) -> &Maintainable {
        &self.meta
    }
}

/// A dataflow: a published set of statistics, structured by a DSD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataflow {
    meta: Maintainable,
    structure: ArtefactRef,
}

impl Dataflow {
    pub fn new(
        reference: ArtefactRef,
        name: impl Into<String>,
        description: Option<String>,
        structure: ArtefactRef,
    ) -> Result<Dataflow, ModelError> {
        let meta = Maintainable::new("dataflow", reference, name.into(), description)?;
        Ok(Dataflow { meta, structure })
    }

    /// Adds an annotation (source, licence, attribution...).
    pub fn with_annotation(mut self, annotation: Annotation) -> Result<Dataflow, ModelError> {
        annotation.validate()?;
        self.meta.annotations.push(annotation);
        Ok(self)
    }

    pub fn reference(&self) -> &ArtefactRef {
        &self.meta.reference
    }
    pub fn id(&self) -> &Id {
        &self.meta.reference.id
    }
    pub fn name(&self) -> &str {
        &self.meta.name
    }
    pub fn description(&self) -> Option<&str> {
        self.meta.description.as_deref()
    }
    pub fn annotations(&self) -> &[Annotation] {
        &self.meta.annotations
    }
    pub fn structure(&self) -> &ArtefactRef {
        &self.structure
    }
    pub fn maintainable(&self) -> &Maintainable {
        &self.meta
    }
}

/// All the structures a service publishes, with their references checked.
///
/// Add codelists and concept schemes first, then data structures, then dataflows: each
/// `add_*` refuses an artefact that refers to something not yet added.
#[derive(Debug, Clone)]
pub struct Structures {
    agency: Agency,
    codelists: Vec<Codelist>,
    concept_schemes: Vec<ConceptScheme>,
    data_structures: Vec<DataStructure>,
    dataflows: Vec<Dataflow>,
}

impl Structures {
    /// An empty set, published (and its messages sent) by `agency`.
    pub fn new(agency: Agency) -> Structures {
        Structures {
            agency,
            codelists: Vec::new(),
            concept_schemes: Vec::new(),
            data_structures: Vec::new(),
            dataflows: Vec::new(),
        }
    }

    pub fn agency(&self) -> &Agency {
        &self.agency
    }

    pub fn add_codelist(&mut self, codelist: Codelist) -> Result<(), ModelError> {
        if self.codelist(codelist.reference()).is_some() {
            return Err(ModelError::Duplicate {
                what: "codelist",
                artefact: codelist.reference().to_string(),
            });
        }
        self.codelists.push(codelist);
        Ok(())
    }

    pub fn add_concept_scheme(&mut self, scheme: ConceptScheme) -> Result<(), ModelError> {
        if self.concept_scheme(scheme.reference()).is_some() {
            return Err(ModelError::Duplicate {
                what: "concept scheme",
                artefact: scheme.reference().to_string(),
            });
        }
        self.concept_schemes.push(scheme);
        Ok(())
    }

    /// Checks that the concept scheme and codelists are present and that every
    /// component's concept (and `TIME_PERIOD`, `OBS_VALUE`) is in the scheme.
    pub fn add_data_structure(&mut self, dsd: DataStructure) -> Result<(), ModelError> {
        let label = dsd.reference().to_string();
        if self.data_structure(dsd.reference()).is_some() {
            return Err(ModelError::Duplicate {
                what: "data structure",
                artefact: label,
            });
        }
        let scheme = self.concept_scheme(&dsd.concept_scheme).ok_or_else(|| {
            ModelError::MissingReference {
                from: format!("data structure {label}"),
                what: "concept scheme",
                artefact: dsd.concept_scheme.to_string(),
            }
        })?;
        let components = dsd
            .dimensions
            .iter()
            .map(|d| (d.id.as_str(), &d.concept))
            .chain(dsd.attributes.iter().map(|a| (a.id.as_str(), &a.concept)));
        let fixed_time = Id::component(TIME_DIMENSION_ID).expect("valid");
        let fixed_measure = Id::component(PRIMARY_MEASURE_ID).expect("valid");
        let fixed = [
            (TIME_DIMENSION_ID, &fixed_time),
            (PRIMARY_MEASURE_ID, &fixed_measure),
        ];
        for (component, concept) in components.chain(fixed) {
            if scheme.concept(concept.as_str()).is_none() {
                return Err(ModelError::MissingConcept {
                    dsd: label,
                    component: component.to_owned(),
                    concept: concept.to_string(),
                    scheme: scheme.reference().to_string(),
                });
            }
        }
        for r in dsd.codelist_refs() {
            if self.codelist(r).is_none() {
                return Err(ModelError::MissingReference {
                    from: format!("data structure {label}"),
                    what: "codelist",
                    artefact: r.to_string(),
                });
            }
        }
        self.data_structures.push(dsd);
        Ok(())
    }

    pub fn add_dataflow(&mut self, dataflow: Dataflow) -> Result<(), ModelError> {
        let label = dataflow.reference().to_string();
        if self.dataflow(dataflow.reference()).is_some() {
            return Err(ModelError::Duplicate {
                what: "dataflow",
                artefact: label,
            });
        }
        if self.data_structure(&dataflow.structure).is_none() {
            return Err(ModelError::MissingReference {
                from: format!("dataflow {label}"),
                what: "data structure",
                artefact: dataflow.structure.to_string(),
            });
        }
        self.dataflows.push(dataflow);
        Ok(())
    }

    pub fn codelists(&self) -> &[Codelist] {
        &self.codelists
    }
    pub fn concept_schemes(&self) -> &[ConceptScheme] {
        &self.concept_schemes
    }
    pub fn data_structures(&self) -> &[DataStructure] {
        &self.data_structures
    }
    pub fn dataflows(&self) -> &[Dataflow] {
        &self.dataflows
    }

    pub fn codelist(&self, r: &ArtefactRef) -> Option<&Codelist> {
        self.codelists.iter().find(|c| c.reference() == r)
    }
    pub fn concept_scheme(&self, r: &ArtefactRef) -> Option<&ConceptScheme> {
        self.concept_schemes.iter().find(|c| c.reference() == r)
    }
    pub fn data_structure(&self, r: &ArtefactRef) -> Option<&DataStructure> {
        self.data_structures.iter().find(|c| c.reference() == r)
    }
    pub fn dataflow(&self, r: &ArtefactRef) -> Option<&Dataflow> {
        self.dataflows.iter().find(|c| c.reference() == r)
    }

    /// Everything needed to write data for `dataflow`: its DSD, concept scheme and the
    /// codelist of each component. `None` when the dataflow is not in this set.
    pub fn resolve_flow(&self, dataflow: &ArtefactRef) -> Option<ResolvedFlow<'_>> {
        let dataflow = self.dataflow(dataflow)?;
        // `add_*` checked every reference, so these lookups cannot fail.
        let dsd = self.data_structure(&dataflow.structure)?;
        let concepts = self.concept_scheme(&dsd.concept_scheme)?;
        let lookup = |r: Option<&ArtefactRef>| r.and_then(|r| self.codelist(r));
        Some(ResolvedFlow {
            agency: &self.agency,
            dataflow,
            dsd,
            concepts,
            dimension_codelists: dsd
                .dimensions
                .iter()
                .map(|d| lookup(d.codelist()))
                .collect(),
            attribute_codelists: dsd
                .attributes
                .iter()
                .map(|a| lookup(a.codelist()))
                .collect(),
        })
    }
}

/// A dataflow with its structure resolved: what the data query parser and the data
/// writers work from.
#[derive(Debug, Clone)]
pub struct ResolvedFlow<'s> {
    pub agency: &'s Agency,
    pub dataflow: &'s Dataflow,
    pub dsd: &'s DataStructure,
    pub concepts: &'s ConceptScheme,
    /// The codelist of each dimension, in key order (`None` for uncoded ones).
    pub dimension_codelists: Vec<Option<&'s Codelist>>,
    /// The codelist of each attribute, in DSD order.
    pub attribute_codelists: Vec<Option<&'s Codelist>>,
}

impl<'s> ResolvedFlow<'s> {
    /// The name of a component's concept (falls back to the id for `TIME_PERIOD` and
    /// `OBS_VALUE`, whose concepts are always present anyway).
    pub fn concept_name(&self, concept: &str) -> &'s str {
        match self.concepts.concept(concept) {
            Some(c) => c.name(),
            None => "",
        }
    }

    /// `MARRAKECH:DSD_X(1.0)`-style id used to tie data sets to their structure.
    pub fn structure_ref(&self) -> &'s ArtefactRef {
        self.dsd.reference()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str) -> ArtefactRef {
        ArtefactRef::new("MARRAKECH", id, "1.0").unwrap()
    }

    #[test]
    fn codelists_validate_codes_and_hierarchy() {
        let ok = Codelist::new(
            r("CL_AREA"),
            "Areas",
            vec![
                Code::new("001", "World").unwrap(),
                Code::new("002", "Africa")
                    .unwrap()
                    .with_parent("001")
                    .unwrap(),
            ],
        )
        .unwrap();
        assert_eq!(ok.code("002").unwrap().parent().unwrap(), "001");
        assert!(ok.contains("001") && !ok.contains("003"));

        let empty = Codelist::new(r("CL_X"), "X", vec![]);
        assert!(matches!(empty, Err(ModelError::EmptyCodelist { .. })));
        let dup = Codelist::new(
            r("CL_X"),
            "X",
            vec![Code::new("A", "a").unwrap(), Code::new("A", "b").unwrap()],
        );
        assert!(matches!(dup, Err(ModelError::DuplicateCode { .. })));
        let orphan = Codelist::new(
            r("CL_X"),
            "X",
            vec![Code::new("A", "a").unwrap().with_parent("Z").unwrap()],
        );
        assert!(matches!(orphan, Err(ModelError::UnknownParent { .. })));
        let cycle = Codelist::new(
            r("CL_X"),
            "X",
            vec![
                Code::new("A", "a").unwrap().with_parent("B").unwrap(),
                Code::new("B", "b").unwrap().with_parent("A").unwrap(),
            ],
        );
        assert!(matches!(cycle, Err(ModelError::ParentCycle { .. })));
    }

    #[test]
    fn names_must_be_plain_text() {
        assert!(matches!(
            Code::new("A", " "),
            Err(ModelError::EmptyName { .. })
        ));
        assert!(matches!(
            Code::new("A", "bell\u{7}"),
            Err(ModelError::ControlCharacter { .. })
        ));
        assert!(Code::new("A", "line\nbreak & <tags>").is_ok());
        assert!(matches!(Code::new("A B", "x"), Err(ModelError::Id { .. })));
    }

    #[test]
    fn data_structures_refuse_reserved_and_duplicate_components() {
        let cl = r("CL_SEX");
        let dup = DataStructure::new(
            r("DSD_X"),
            "X",
            r("CS"),
            vec![Dimension::coded("SEX", cl.clone()).unwrap()],
            vec![Attribute::uncoded("SEX").unwrap()],
        );
        assert!(matches!(dup, Err(ModelError::DuplicateComponent { .. })));
        let reserved = DataStructure::new(
            r("DSD_X"),
            "X",
            r("CS"),
            vec![Dimension::uncoded("TIME_PERIOD").unwrap()],
            vec![],
        );
        assert!(matches!(
            reserved,
            Err(ModelError::ReservedComponent { .. })
        ));
        let none = DataStructure::new(r("DSD_X"), "X", r("CS"), vec![], vec![]);
        assert!(matches!(none, Err(ModelError::NoDimensions { .. })));
        assert!(matches!(
            Dimension::uncoded("1X"),
            Err(ModelError::Id { .. })
        ));
    }

    #[test]
    fn structures_check_references_in_order() {
        let mut s = Structures::new(Agency::marrakech());
        let dsd = DataStructure::new(
            r("DSD_X"),
            "X",
            r("CS"),
            vec![Dimension::coded("SEX", r("CL_SEX")).unwrap()],
            vec![],
        )
        .unwrap();
        let err = s.add_data_structure(dsd.clone()).unwrap_err();
        assert!(matches!(
            err,
            ModelError::MissingReference {
                what: "concept scheme",
                ..
            }
        ));

        let concepts = |ids: &[&str]| {
            ConceptScheme::new(
                r("CS"),
                "Concepts",
                ids.iter().map(|i| Concept::new(i, *i).unwrap()).collect(),
            )
            .unwrap()
        };
        s.add_concept_scheme(concepts(&["SEX", "TIME_PERIOD"]))
            .unwrap();
        let err = s.add_data_structure(dsd.clone()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data structure MARRAKECH:DSD_X(1.0): concept `OBS_VALUE` (for OBS_VALUE) is not in concept scheme MARRAKECH:CS(1.0)"
        );
        let mut s = Structures::new(Agency::marrakech());
        s.add_concept_scheme(concepts(&["SEX", "TIME_PERIOD", "OBS_VALUE"]))
            .unwrap();
        let err = s.add_data_structure(dsd.clone()).unwrap_err();
        assert!(matches!(
            err,
            ModelError::MissingReference {
                what: "codelist",
                ..
            }
        ));
        s.add_codelist(
            Codelist::new(r("CL_SEX"), "Sex", vec![Code::new("F", "Female").unwrap()]).unwrap(),
        )
        .unwrap();
        s.add_data_structure(dsd.clone()).unwrap();
        assert!(matches!(
            s.add_data_structure(dsd),
            Err(ModelError::Duplicate { .. })
        ));

        let flow = Dataflow::new(r("DF_X"), "X", None, r("DSD_Y")).unwrap();
        assert!(matches!(
            s.add_dataflow(flow),
            Err(ModelError::MissingReference { .. })
        ));
        let flow = Dataflow::new(r("DF_X"), "X", None, r("DSD_X")).unwrap();
        s.add_dataflow(flow).unwrap();
        let resolved = s.resolve_flow(&r("DF_X")).unwrap();
        assert_eq!(resolved.dimension_codelists[0].unwrap().id(), "CL_SEX");
        assert_eq!(resolved.concept_name("SEX"), "SEX");
    }

    #[test]
    fn urns_name_package_and_class() {
        assert_eq!(
            r("CL_SEX").urn(ArtefactClass::Codelist),
            "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=MARRAKECH:CL_SEX(1.0)"
        );
        assert!(ArtefactRef::new("MARRAKECH", "all", "1.0").is_err());
        assert!(ArtefactRef::new("MARRAKECH", "DF", "x").is_err());
    }
}
