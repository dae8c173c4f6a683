//! The vocabularies the catalogue speaks, and the IRIs of the things it names.

use marrakech_core::countries::{Reference, M49};
use marrakech_core::knowledge::Language;

pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
pub const DCAT: &str = "http://www.w3.org/ns/dcat#";
pub const DCT: &str = "http://purl.org/dc/terms/";
pub const FOAF: &str = "http://xmlns.com/foaf/0.1/";
pub const HYDRA: &str = "http://www.w3.org/ns/hydra/core#";
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
/// Marrakech's own terms, where DCAT-AP has none: the item's kind, its actions and principles,
/// its implementers and partners, its results, its state of implementation. A permanent
/// identifier shared by every instance, so that instances harvest each other.
pub const MARRAKECH_NS: &str = "https://w3id.org/marrakech/ns#";

/// The EU Publications Office's authority tables, which DCAT-AP recommends.
const EU_COUNTRY: &str = "http://publications.europa.eu/resource/authority/country/";
const EU_LANGUAGE: &str = "http://publications.europa.eu/resource/authority/language/";
/// UN M49 codes: regions, and the world (001) for items global in scope.
pub const M49_BASE: &str = "https://unstats.un.org/unsd/methodology/m49/";
pub const WORLD: &str = "https://unstats.un.org/unsd/methodology/m49/001";
const SPDX: &str = "https://spdx.org/licenses/";

pub const PREFIXES: [(&str, &str); 7] = [
    ("dcat", DCAT),
    ("dct", DCT),
    ("foaf", FOAF),
    ("hydra", HYDRA),
    ("skos", SKOS),
    ("xsd", XSD),
    ("mk", MARRAKECH_NS),
];

pub fn iri(namespace: &str, local: &str) -> String {
    format!("{namespace}{local}")
}

/// ISO 639-2/B codes, as the EU language table names them.
fn language_code(language: Language) -> &'static str {
    match language {
        Language::Ar => "ARA",
        Language::Zh => "ZHO",
        Language::En => "ENG",
        Language::Fr => "FRA",
        Language::Ru => "RUS",
        Language::Es => "SPA",
    }
}

pub fn language_iri(language: Language) -> String {
    format!("{EU_LANGUAGE}{}", language_code(language))
}

pub fn language_from_iri(text: &str) -> Option<Language> {
    let code = text.strip_prefix(EU_LANGUAGE)?;
    Language::ALL
        .into_iter()
        .find(|l| language_code(*l) == code)
}

pub fn country_iri(code: M49) -> Option<String> {
    Reference::official()
        .country(&code.to_string())
        .map(|c| format!("{EU_COUNTRY}{}", c.iso3))
}

pub fn region_iri(code: M49) -> String {
    format!("{M49_BASE}{code}")
}

/// A place from its IRI: a country (EU table or M49), an M49 region, or the world.
pub enum Place {
    Country(M49),
    Region(M49),
    World,
}

pub fn place_from_iri(text: &str) -> Option<Place> {
    let reference = Reference::official();
    if let Some(iso3) = text.strip_prefix(EU_COUNTRY) {
        return reference.country(iso3).map(|c| Place::Country(c.m49));
    }
    let code: M49 = text.strip_prefix(M49_BASE)?.parse().ok()?;
    if code.value() == 1 {
        return Some(Place::World);
    }
    if reference.region(code).is_some() {
        return Some(Place::Region(code));
    }
    reference
        .country(&code.to_string())
        .map(|c| Place::Country(c.m49))
}

pub fn licence_iri(id: &str) -> String {
    if id.starts_with("http://") || id.starts_with("https://") {
        id.to_owned()
    } else {
        format!("{SPDX}{id}")
    }
}

/// A licence id from its IRI: the SPDX id where it is one, the IRI otherwise.
pub fn licence_from_iri(text: &str) -> String {
    text.strip_prefix(SPDX)
        .or_else(|| text.strip_prefix("http://spdx.org/licenses/"))
        .map(|id| id.trim_end_matches(".html").to_owned())
        .unwrap_or_else(|| text.to_owned())
}
