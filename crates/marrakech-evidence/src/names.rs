//! Country names to codes, for the files that carry names only (the World Bank bilateral
//! remittance matrix). Core's [`Reference`] gives the UN and ISO names; the World Bank's own
//! spellings ("Egypt, Arab Rep.", "Korea, Rep.") and its two user-assigned codes are added
//! here.

use std::collections::HashMap;

use marrakech_core::countries::{sort_key, Reference};

use crate::codes::Iso3;

/// World Bank names that neither the UN nor the ISO name matches, with their code. `CHI`
/// (Channel Islands) and `XKX` (Kosovo) are the World Bank's codes: neither has an ISO
/// 3166-1 code, and RPW uses the same ones.
const WORLD_BANK_NAMES: &[(&str, &str)] = &[
    ("Bahamas, The", "BHS"),
    ("Bolivia", "BOL"),
    ("Channel Islands", "CHI"),
    ("Congo, Dem. Rep.", "COD"),
    ("Congo, Rep.", "COG"),
    ("Czech Republic", "CZE"),
    ("Egypt, Arab Rep.", "EGY"),
    ("Faeroe Islands", "FRO"),
    ("Gambia, The", "GMB"),
    ("Hong Kong SAR, China", "HKG"),
    ("Iran, Islamic Rep.", "IRN"),
    ("Korea, Dem. Rep.", "PRK"),
    ("Korea, Dem. People's Rep.", "PRK"),
    ("Korea, Rep.", "KOR"),
    ("Kosovo", "XKX"),
    ("Kyrgyz Republic", "KGZ"),
    ("Lao PDR", "LAO"),
    ("Macao SAR, China", "MAC"),
    ("Macedonia, FYR", "MKD"),
    ("Micronesia, Fed. Sts.", "FSM"),
    ("Moldova", "MDA"),
    ("Slovak Republic", "SVK"),
    ("St. Kitts and Nevis", "KNA"),
    ("St. Lucia", "LCA"),
    ("St. Martin (French part)", "MAF"),
    ("St. Vincent and the Grenadines", "VCT"),
    ("Swaziland", "SWZ"),
    ("Tanzania", "TZA"),
    ("Turkey", "TUR"),
    ("Turkiye", "TUR"),
    ("United States", "USA"),
    ("Venezuela, RB", "VEN"),
    ("Vietnam", "VNM"),
    ("Virgin Islands (U.S.)", "VIR"),
    ("West Bank and Gaza", "PSE"),
    ("Yemen, Rep.", "YEM"),
];

/// Resolves country names, compared without case, accents or repeated spaces.
#[derive(Debug, Clone)]
pub struct CountryNames {
    by_key: HashMap<String, Iso3>,
}

fn key(name: &str) -> String {
    sort_key(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl CountryNames {
    pub fn new(reference: &Reference) -> CountryNames {
        let mut by_key = HashMap::new();
        for c in &reference.countries {
            if let Ok(code) = Iso3::parse(&c.iso3) {
                by_key.insert(key(&c.name), code);
                by_key.insert(key(&c.iso_name), code);
            }
        }
        for (name, code) in WORLD_BANK_NAMES {
            if let Ok(code) = Iso3::parse(code) {
                by_key.insert(key(name), code);
            }
        }
        CountryNames { by_key }
    }

    /// The names of core's official reference plus the World Bank's.
    pub fn official() -> &'static CountryNames {
        static NAMES: std::sync::OnceLock<CountryNames> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| CountryNames::new(Reference::official()))
    }

    pub fn resolve(&self, name: &str) -> Option<Iso3> {
        self.by_key.get(&key(name)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_iso_and_world_bank_names() {
        let n = CountryNames::official();
        let code = |s: &str| n.resolve(s).map(|c| c.to_string());
        assert_eq!(code("Republic of Korea").as_deref(), Some("KOR"));
        assert_eq!(code("Korea, Republic of").as_deref(), Some("KOR"));
        assert_eq!(code("Korea, Rep.").as_deref(), Some("KOR"));
        assert_eq!(code("Cote d'Ivoire").as_deref(), Some("CIV"));
        assert_eq!(code("  egypt,   arab rep. ").as_deref(), Some("EGY"));
        assert_eq!(code("Kosovo").as_deref(), Some("XKX"));
        assert_eq!(code("WORLD"), None);
    }
}
