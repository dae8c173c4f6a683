//! DCAT-AP: the catalogue as RDF in JSON-LD, Turtle or RDF/XML, paged with Hydra; and the
//! reading of any DCAT catalogue back into items for harvesting.

use std::collections::HashMap;

use marrakech_core::compact::CompactRef;
use marrakech_core::countries::M49;
use marrakech_core::knowledge::{ImplementationState, ItemKind, Language};
use marrakech_core::policy::OrganizationKind;
use marrakech_store::knowledge::{
    HarvestedItem, Item, ItemContent, ItemText, Link, Party, PartyRole,
};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfParser, RdfSerializer};

use crate::vocab::{self, iri, Place, DCAT, DCT, FOAF, HYDRA, MARRAKECH_NS, SKOS};
use crate::{compact_id, CatalogueError, RecordError, Site};

/// The three serializations served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLd,
    Turtle,
    RdfXml,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::JsonLd => "application/ld+json",
            Format::Turtle => "text/turtle; charset=utf-8",
            Format::RdfXml => "application/rdf+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::JsonLd => "jsonld",
            Format::Turtle => "ttl",
            Format::RdfXml => "rdf",
        }
    }

    fn rdf(self) -> RdfFormat {
        match self {
            Format::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            Format::Turtle => RdfFormat::Turtle,
            Format::RdfXml => RdfFormat::RdfXml,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::JsonLd => "JSON-LD",
            Format::Turtle => "Turtle",
            Format::RdfXml => "RDF/XML",
        }
    }

    /// From a file name or a URL's path.
    pub fn from_name(name: &str) -> Option<Format> {
        let path = name
            .split(['?', '#'])
            .next()
            .unwrap_or(name)
            .to_ascii_lowercase();
        if path.ends_with(".jsonld") || path.ends_with(".json") {
            Some(Format::JsonLd)
        } else if path.ends_with(".ttl") {
            Some(Format::Turtle)
        } else if path.ends_with(".rdf") || path.ends_with(".xml") {
            Some(Format::RdfXml)
        } else {
            None
        }
    }

    /// From a Content-Type header.
    pub fn from_media_type(media_type: &str) -> Option<Format> {
        let base = media_type.split(';').next().unwrap_or_default().trim();
        match base {
            "application/ld+json" | "application/json" => Some(Format::JsonLd),
            "text/turtle" | "application/x-turtle" => Some(Format::Turtle),
            "application/rdf+xml" | "application/xml" | "text/xml" => Some(Format::RdfXml),
            _ => None,
        }
    }
}

/// Which page of the catalogue this is.
#[derive(Debug, Clone)]
pub struct Page {
    /// 1-based.
    pub number: usize,
    pub size: usize,
    /// Datasets in the whole (filtered) catalogue.
    pub total: usize,
    /// The `modified_since` the page was asked with, carried into the paging links.
    pub modified_since: Option<String>,
}

struct Graph {
    triples: Vec<Triple>,
}

fn node(text: &str) -> NamedNode {
    NamedNode::new_unchecked(text)
}

impl Graph {
    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: &str, o: impl Into<Term>) {
        self.triples.push(Triple::new(s.into(), node(p), o.into()));
    }

    /// An IRI object, when the text is one (values from people may not be).
    fn add_iri(&mut self, s: impl Into<NamedOrBlankNode>, p: &str, o: &str) {
        if let Ok(object) = NamedNode::new(o) {
            self.add(s, p, object);
        }
    }

    fn text(
        &mut self,
        s: impl Into<NamedOrBlankNode> + Clone,
        p: &str,
        value: &str,
        language: Option<Language>,
    ) {
        if value.is_empty() {
            return;
        }
        let literal = match language {
            Some(l) => Literal::new_language_tagged_literal_unchecked(value, l.code()),
            None => Literal::new_simple_literal(value),
        };
        self.add(s, p, literal);
    }
}

fn date_part(stored: &str) -> &str {
    stored.get(..10).unwrap_or(stored)
}

/// The triples of one published item.
fn dataset(g: &mut Graph, site: &Site, item: &Item) {
    let ds = node(&site.item_iri(&item.id));
    let c = &item.content;
    g.add(ds.clone(), rdf::TYPE.as_str(), node(&iri(DCAT, "Dataset")));
    g.add(
        ds.clone(),
        &iri(DCT, "identifier"),
        Literal::new_simple_literal(&item.id),
    );
    g.add(
        ds.clone(),
        &iri(MARRAKECH_NS, "kind"),
        Literal::new_simple_literal(c.kind.slug()),
    );
    g.add(
        ds.clone(),
        &iri(MARRAKECH_NS, "originalLanguage"),
        Literal::new_simple_literal(c.original_language.code()),
    );
    for t in &c.texts {
        g.text(ds.clone(), &iri(DCT, "title"), &t.title, Some(t.language));
        g.text(
            ds.clone(),
            &iri(DCT, "description"),
            &t.summary,
            Some(t.language),
        );
        g.text(
            ds.clone(),
            &iri(MARRAKECH_NS, "body"),
            &t.body,
            Some(t.language),
        );
        g.text(
            ds.clone(),
            &iri(MARRAKECH_NS, "results"),
            &t.results,
            Some(t.language),
        );
        g.add(
            ds.clone(),
            &iri(DCT, "language"),
            node(&vocab::language_iri(t.language)),
        );
    }
    for o in &c.objectives {
        g.add(
            ds.clone(),
            &iri(DCAT, "theme"),
            node(&format!("{}/objectives/{o}", site.base)),
        );
    }
    for a in &c.actions {
        g.add(
            ds.clone(),
            &iri(MARRAKECH_NS, "action"),
            node(&format!("{}/actions/{a}", site.base)),
        );
    }
    for p in &c.principles {
        g.add(
            ds.clone(),
            &iri(MARRAKECH_NS, "principle"),
            node(&format!("{}/principles#{p}", site.base)),
        );
    }
    for m in &c.countries {
        if let Some(country) = vocab::country_iri(*m) {
            g.add(ds.clone(), &iri(DCT, "spatial"), node(&country));
        }
    }
    for r in &c.regions {
        g.add(
            ds.clone(),
            &iri(DCT, "spatial"),
            node(&vocab::region_iri(*r)),
        );
    }
    if c.global {
        g.add(ds.clone(), &iri(DCT, "spatial"), node(vocab::WORLD));
    }
    for t in &c.themes {
        g.text(ds.clone(), &iri(DCAT, "keyword"), t, None);
    }
    if c.period_start.is_some() || c.period_end.is_some() {
        let period = BlankNode::default();
        g.add(ds.clone(), &iri(DCT, "temporal"), period.clone());
        g.add(
            period.clone(),
            rdf::TYPE.as_str(),
            node(&iri(DCT, "PeriodOfTime")),
        );
        for (property, year) in [("startDate", c.period_start), ("endDate", c.period_end)] {
            if let Some(y) = year {
                g.add(
                    period.clone(),
                    &iri(DCAT, property),
                    Literal::new_typed_literal(y.to_string(), xsd::G_YEAR),
                );
            }
        }
    }
    if let Some(state) = c.implementation_state {
        g.add(
            ds.clone(),
            &iri(MARRAKECH_NS, "implementationState"),
            Literal::new_simple_literal(state.slug()),
        );
    }
    g.add_iri(
        ds.clone(),
        &iri(DCT, "license"),
        &vocab::licence_iri(&c.licence),
    );
    for (i, party) in c.parties.iter().enumerate() {
        let agent = BlankNode::default();
        let property = match party.role {
            PartyRole::Implementer => "implementer",
            PartyRole::Partner => "partner",
        };
        g.add(ds.clone(), &iri(MARRAKECH_NS, property), agent.clone());
        if i == 0 && party.role == PartyRole::Implementer {
            g.add(ds.clone(), &iri(DCT, "publisher"), agent.clone());
        }
        g.add(
            agent.clone(),
            rdf::TYPE.as_str(),
            node(&iri(FOAF, "Organization")),
        );
        g.text(agent.clone(), &iri(FOAF, "name"), &party.name, None);
        if let Some(kind) = party.kind {
            g.add(
                agent.clone(),
                &iri(MARRAKECH_NS, "organizationKind"),
                Literal::new_simple_literal(kind.slug()),
            );
        }
    }
    if let Some(published) = &item.published_at {
        g.add(
            ds.clone(),
            &iri(DCT, "issued"),
            Literal::new_typed_literal(date_part(published), xsd::DATE),
        );
    }
    g.add(
        ds.clone(),
        &iri(DCT, "modified"),
        Literal::new_typed_literal(&item.updated_at, xsd::DATE_TIME),
    );
    g.add(
        ds.clone(),
        &iri(DCAT, "landingPage"),
        node(&site.item_iri(&item.id)),
    );
    let distributions = c
        .links
        .iter()
        .map(|l| (l.url.clone(), l.title.clone(), l.format.clone(), None, None))
        .chain(item.attachments.iter().map(|a| {
            (
                format!("{}/files/{}", site.base, a.id),
                a.filename.clone(),
                None,
                Some(a.media_type.clone()),
                Some(a.size_bytes),
            )
        }));
    for (url, title, format, media_type, size) in distributions {
        let Ok(access) = NamedNode::new(&url) else {
            continue;
        };
        let d = BlankNode::default();
        g.add(ds.clone(), &iri(DCAT, "distribution"), d.clone());
        g.add(
            d.clone(),
            rdf::TYPE.as_str(),
            node(&iri(DCAT, "Distribution")),
        );
        g.add(d.clone(), &iri(DCAT, "accessURL"), access);
        g.text(d.clone(), &iri(DCT, "title"), &title, None);
        if let Some(f) = format {
            g.text(d.clone(), &iri(DCT, "format"), &f, None);
        }
        if let Some(m) = media_type {
            g.text(d.clone(), &iri(DCAT, "mediaType"), &m, None);
        }
        if let Some(s) = size {
            g.add(
                d.clone(),
                &iri(DCAT, "byteSize"),
                Literal::new_typed_literal(s.to_string(), xsd::NON_NEGATIVE_INTEGER),
            );
        }
    }
}

fn page_iri(site: &Site, format: Format, number: usize, page: &Page) -> String {
    let mut query = format!("page={number}&page_size={}", page.size);
    if let Some(since) = &page.modified_since {
        let encoded: String = since
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                    c.to_string()
                } else {
                    format!("%{:02X}", c as u32)
                }
            })
            .collect();
        query.push_str(&format!("&modified_since={encoded}"));
    }
    format!("{}/catalog.{}?{query}", site.base, format.extension())
}

/// One page of the catalogue: the catalogue's own description, its datasets, and the Hydra
/// view that links to the first, previous, next and last pages.
pub fn write_catalog(
    site: &Site,
    items: &[Item],
    page: &Page,
    format: Format,
) -> Result<Vec<u8>, CatalogueError> {
    let mut g = Graph {
        triples: Vec::new(),
    };
    let catalog = node(&format!("{}/catalog", site.base));
    g.add(
        catalog.clone(),
        rdf::TYPE.as_str(),
        node(&iri(DCAT, "Catalog")),
    );
    g.text(
        catalog.clone(),
        &iri(DCT, "title"),
        &site.title,
        Some(Language::En),
    );
    g.text(
        catalog.clone(),
        &iri(DCT, "description"),
        &site.description,
        Some(Language::En),
    );
    g.add(
        catalog.clone(),
        &iri(FOAF, "homepage"),
        node(&format!("{}/knowledge", site.base)),
    );
    g.add(
        catalog.clone(),
        &iri(DCAT, "themeTaxonomy"),
        node(&format!("{}/compact", site.base)),
    );
    g.add(
        node(&format!("{}/compact", site.base)),
        rdf::TYPE.as_str(),
        node(&iri(SKOS, "ConceptScheme")),
    );
    g.add(
        catalog.clone(),
        &iri(HYDRA, "totalItems"),
        Literal::new_typed_literal(page.total.to_string(), xsd::INTEGER),
    );
    let last = page.total.div_ceil(page.size.max(1)).max(1);
    let view = node(&page_iri(site, format, page.number, page));
    g.add(catalog.clone(), &iri(HYDRA, "view"), view.clone());
    g.add(
        view.clone(),
        rdf::TYPE.as_str(),
        node(&iri(HYDRA, "PartialCollectionView")),
    );
    g.add(
        view.clone(),
        &iri(HYDRA, "first"),
        node(&page_iri(site, format, 1, page)),
    );
    g.add(
        view.clone(),
        &iri(HYDRA, "last"),
        node(&page_iri(site, format, last, page)),
    );
    if page.number > 1 {
        g.add(
            view.clone(),
            &iri(HYDRA, "previous"),
            node(&page_iri(site, format, page.number - 1, page)),
        );
    }
    if page.number < last {
        g.add(
            view.clone(),
            &iri(HYDRA, "next"),
            node(&page_iri(site, format, page.number + 1, page)),
        );
    }
    for item in items {
        g.add(
            catalog.clone(),
            &iri(DCAT, "dataset"),
            node(&site.item_iri(&item.id)),
        );
        dataset(&mut g, site, item);
    }
    let mut serializer = RdfSerializer::from_format(format.rdf());
    for (prefix, namespace) in vocab::PREFIXES {
        serializer = serializer
            .with_prefix(prefix, namespace)
            .map_err(|e| CatalogueError::Write(e.to_string()))?;
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in &g.triples {
        writer
            .serialize_triple(triple)
            .map_err(|e| CatalogueError::Write(e.to_string()))?;
    }
    writer
        .finish()
        .map_err(|e| CatalogueError::Write(e.to_string()))
}

/// What a page of a DCAT catalogue held: its datasets (each read, or refused with its reason)
/// and the link to the next page, if the catalogue is paged.
#[derive(Debug)]
pub struct ReadPage {
    pub datasets: Vec<Result<HarvestedItem, RecordError>>,
    pub next_page: Option<String>,
    pub total: Option<usize>,
}

type Subjects = HashMap<NamedOrBlankNode, Vec<(String, Term)>>;

fn values<'a>(
    subjects: &'a Subjects,
    subject: &NamedOrBlankNode,
    property: &str,
) -> impl Iterator<Item = &'a Term> + 'a {
    let property = property.to_owned();
    subjects
        .get(subject)
        .into_iter()
        .flatten()
        .filter(move |(p, _)| *p == property)
        .map(|(_, o)| o)
}

fn term_text(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => n.as_str().to_owned(),
        Term::Literal(l) => l.value().to_owned(),
        Term::BlankNode(b) => b.as_str().to_owned(),
        #[allow(unreachable_patterns)]
        _ => String::new(),
    }
}

fn as_subject(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        _ => None,
    }
}

fn first_text(subjects: &Subjects, subject: &NamedOrBlankNode, property: &str) -> Option<String> {
    values(subjects, subject, property).next().map(term_text)
}

/// Reads one page of a DCAT catalogue, in the given format.
pub fn read_catalog(
    bytes: &[u8],
    format: Format,
    base_iri: &str,
) -> Result<ReadPage, CatalogueError> {
    let mut parser = RdfParser::from_format(format.rdf());
    if let Ok(p) = RdfParser::from_format(format.rdf()).with_base_iri(base_iri) {
        parser = p;
    }
    let mut subjects: Subjects = HashMap::new();
    for quad in parser.for_slice(bytes) {
        let quad = quad.map_err(|e| CatalogueError::Syntax {
            format: format.name(),
            reason: e.to_string(),
        })?;
        subjects
            .entry(quad.subject.clone())
            .or_default()
            .push((quad.predicate.as_str().to_owned(), quad.object.clone()));
    }
    let dataset_type = iri(DCAT, "Dataset");
    let mut datasets: Vec<NamedOrBlankNode> = subjects
        .iter()
        .filter(|(_, props)| {
            props
                .iter()
                .any(|(p, o)| p == rdf::TYPE.as_str() && term_text(o) == dataset_type)
        })
        .map(|(s, _)| s.clone())
        .collect();
    datasets.sort_by_key(|s| s.to_string());
    let next_page = subjects
        .keys()
        .flat_map(|s| {
            values(&subjects, s, &iri(HYDRA, "next")).chain(values(
                &subjects,
                s,
                &iri(HYDRA, "nextPage"),
            ))
        })
        .map(term_text)
        .next();
    let total = subjects
        .keys()
        .flat_map(|s| values(&subjects, s, &iri(HYDRA, "totalItems")))
        .map(term_text)
        .find_map(|t| t.parse().ok());
    Ok(ReadPage {
        datasets: datasets
            .iter()
            .map(|d| read_dataset(&subjects, d))
            .collect(),
        next_page,
        total,
    })
}

fn year(text: &str) -> Option<i32> {
    text.get(..4)?.parse().ok()
}

fn read_dataset(subjects: &Subjects, ds: &NamedOrBlankNode) -> Result<HarvestedItem, RecordError> {
    let record =
        first_text(subjects, ds, &iri(DCT, "identifier")).unwrap_or_else(|| ds.to_string());
    let refuse = |reason: String| RecordError {
        record: record.clone(),
        reason,
    };
    let literals = |property: &str| -> Vec<(Option<Language>, String)> {
        values(subjects, ds, property)
            .filter_map(|t| match t {
                Term::Literal(l) => {
                    Some((l.language().and_then(Language::parse), l.value().to_owned()))
                }
                _ => None,
            })
            .collect()
    };
    let declared_original = first_text(subjects, ds, &iri(MARRAKECH_NS, "originalLanguage"))
        .and_then(|l| Language::parse(&l));
    let fallback = declared_original
        .or_else(|| {
            values(subjects, ds, &iri(DCT, "language"))
                .find_map(|t| vocab::language_from_iri(&term_text(t)))
        })
        .unwrap_or(Language::En);
    let titles = literals(&iri(DCT, "title"));
    if titles.is_empty() {
        return Err(refuse("it has no dct:title".into()));
    }
    let for_language = |list: &[(Option<Language>, String)], language: Language| {
        list.iter()
            .find(|(l, _)| l.unwrap_or(fallback) == language)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let descriptions = literals(&iri(DCT, "description"));
    let bodies = literals(&iri(MARRAKECH_NS, "body"));
    let results = literals(&iri(MARRAKECH_NS, "results"));
    let mut languages: Vec<Language> = titles.iter().map(|(l, _)| l.unwrap_or(fallback)).collect();
    languages.sort();
    languages.dedup();
    let texts = languages
        .iter()
        .map(|l| ItemText {
            language: *l,
            title: for_language(&titles, *l),
            summary: for_language(&descriptions, *l),
            body: for_language(&bodies, *l),
            results: for_language(&results, *l),
        })
        .collect();
    let original_language = declared_original
        .filter(|l| languages.contains(l))
        .unwrap_or(languages[0]);

    let kind = match first_text(subjects, ds, &iri(MARRAKECH_NS, "kind")) {
        Some(k) => ItemKind::parse(&k)
            .ok_or_else(|| refuse(format!("mk:kind `{k}` is not a kind of item")))?,
        None => ItemKind::Dataset,
    };
    let mut objectives = Vec::new();
    for t in values(subjects, ds, &iri(DCAT, "theme")) {
        let text = term_text(t);
        if text.contains("/objectives/") {
            match compact_id(&text) {
                Some(r @ CompactRef::Objective(_)) => objectives.push(r.to_string()),
                _ => {
                    return Err(refuse(format!(
                        "`{text}` is not one of the compact's objectives"
                    )))
                }
            }
        }
    }
    let ids = |property: &str,
               what: &str,
               accept: fn(&CompactRef) -> bool|
     -> Result<Vec<String>, RecordError> {
        values(subjects, ds, &iri(MARRAKECH_NS, property))
            .map(|t| {
                let text = term_text(t);
                compact_id(&text)
                    .filter(accept)
                    .map(|r| r.to_string())
                    .ok_or_else(|| refuse(format!("`{text}` is not one of the compact's {what}")))
            })
            .collect()
    };
    let actions = ids("action", "actions", |r| matches!(r, CompactRef::Action(..)))?;
    let principles = ids("principle", "guiding principles", |r| {
        matches!(r, CompactRef::Principle(_))
    })?;
    let (mut countries, mut regions, mut global) = (Vec::<M49>::new(), Vec::<M49>::new(), false);
    for t in values(subjects, ds, &iri(DCT, "spatial")) {
        match vocab::place_from_iri(&term_text(t)) {
            Some(Place::Country(c)) => countries.push(c),
            Some(Place::Region(r)) => regions.push(r),
            Some(Place::World) => global = true,
            None => {}
        }
    }
    let themes = literals(&iri(DCAT, "keyword"))
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    let mut parties = Vec::new();
    for (property, role) in [
        ("implementer", PartyRole::Implementer),
        ("partner", PartyRole::Partner),
    ] {
        for agent in values(subjects, ds, &iri(MARRAKECH_NS, property)).filter_map(as_subject) {
            if let Some(name) = first_text(subjects, &agent, &iri(FOAF, "name")) {
                let kind = first_text(subjects, &agent, &iri(MARRAKECH_NS, "organizationKind"))
                    .and_then(|k| OrganizationKind::parse(&k));
                parties.push(Party {
                    role,
                    name,
                    organization_id: None,
                    kind,
                });
            }
        }
    }
    if parties.is_empty() {
        // A catalogue without Marrakech's terms names its publisher only.
        if let Some(publisher) = values(subjects, ds, &iri(DCT, "publisher"))
            .filter_map(as_subject)
            .next()
        {
            if let Some(name) = first_text(subjects, &publisher, &iri(FOAF, "name")) {
                parties.push(Party {
                    role: PartyRole::Implementer,
                    name,
                    organization_id: None,
                    kind: None,
                });
            }
        }
    }
    let (mut period_start, mut period_end) = (None, None);
    if let Some(period) = values(subjects, ds, &iri(DCT, "temporal"))
        .filter_map(as_subject)
        .next()
    {
        period_start =
            first_text(subjects, &period, &iri(DCAT, "startDate")).and_then(|t| year(&t));
        period_end = first_text(subjects, &period, &iri(DCAT, "endDate")).and_then(|t| year(&t));
    }
    let implementation_state = first_text(subjects, ds, &iri(MARRAKECH_NS, "implementationState"))
        .and_then(|s| ImplementationState::parse(&s));
    let licence = first_text(subjects, ds, &iri(DCT, "license"))
        .map(|l| vocab::licence_from_iri(&l))
        .unwrap_or_else(|| "all-rights-reserved".into());
    let mut links = Vec::new();
    for d in values(subjects, ds, &iri(DCAT, "distribution")).filter_map(as_subject) {
        let url = first_text(subjects, &d, &iri(DCAT, "accessURL"))
            .or_else(|| first_text(subjects, &d, &iri(DCAT, "downloadURL")));
        let Some(url) = url else { continue };
        links.push(Link {
            title: first_text(subjects, &d, &iri(DCT, "title")).unwrap_or_else(|| url.clone()),
            format: first_text(subjects, &d, &iri(DCT, "format")),
            url,
        });
    }
    let issued = first_text(subjects, ds, &iri(DCT, "issued"))
        .or_else(|| first_text(subjects, ds, &iri(DCT, "modified")))
        .unwrap_or_default();
    let published_at = if issued.len() >= 10 {
        format!("{}T00:00:00.000000Z", &issued[..10])
    } else {
        marrakech_store::now_text()
    };
    let source_url = first_text(subjects, ds, &iri(DCAT, "landingPage")).or_else(|| match ds {
        NamedOrBlankNode::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    });
    let mut content = ItemContent {
        kind,
        original_language,
        texts,
        objectives,
        actions,
        principles,
        countries,
        regions,
        global,
        themes,
        parties,
        period_start,
        period_end,
        implementation_state,
        licence,
        links,
        call_id: None,
        contact_name: None,
        contact_email: None,
    };
    // An action implies its objective, as it does for items submitted here.
    for a in content.actions.clone() {
        if let Some(CompactRef::Action(n, _)) = compact_id(&a) {
            content.objectives.push(format!("obj-{n}"));
        }
    }
    content.normalize();
    Ok(HarvestedItem {
        source_id: record,
        source_url,
        published_at,
        content,
    })
}
