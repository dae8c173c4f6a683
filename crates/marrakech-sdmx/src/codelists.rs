//! Ready-made codelists from Marrakech's reference data.

use marrakech_core::countries::{Reference, Region};

use crate::model::{ArtefactRef, Code, Codelist, ModelError};

/// M49 code of the world, the root of the area hierarchy.
pub const WORLD: &str = "001";

/// The UN M49 areas as one hierarchical codelist: the world (`001`), the M49 regions,
/// sub-regions and intermediate regions, and every country or area, each code being the
/// three-digit M49 code (`004`, `419`) and each parent the smallest grouping it belongs
/// to. This is the codelist for `REF_AREA`-style dimensions (and `COUNTERPART_AREA` for
/// origin/destination statistics).
pub fn m49_areas(reference: ArtefactRef) -> Result<Codelist, ModelError> {
    m49_areas_from(reference, Reference::official())
}

/// [`m49_areas`] from a given reference table (for tests and other tables).
pub fn m49_areas_from(reference: ArtefactRef, table: &Reference) -> Result<Codelist, ModelError> {
    let mut codes = vec![Code::new(WORLD, "World")?];
    // Parents come before children (regions are keyed by code, so order the levels
    // explicitly) only for readability: the codelist checks parents regardless of order.
    let mut regions: Vec<&Region> = table.regions.iter().collect();
    regions.sort_by_key(|r| (r.level, r.code));
    for region in regions {
        let parent = region
            .parent
            .map_or_else(|| WORLD.to_owned(), |p| p.to_string());
        codes.push(Code::new(&region.code.to_string(), region.name.clone())?.with_parent(&parent)?);
    }
    for country in &table.countries {
        let parent = country
            .intermediate_region
            .as_ref()
            .or(country.subregion.as_ref())
            .or(country.region.as_ref())
            .map_or_else(|| WORLD.to_owned(), |a| a.code.to_string());
        codes
            .push(Code::new(&country.m49.to_string(), country.name.clone())?.with_parent(&parent)?);
    }
    Codelist::new(reference, "Countries and areas (UN M49)", codes)?.with_description(
        "UN M49 standard country or area codes for statistical use, with the M49 regions, sub-regions and intermediate regions they belong to.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m49_codelist_holds_the_world_regions_and_countries() {
        let cl = m49_areas(ArtefactRef::new("MARRAKECH", "CL_AREA", "1.0").unwrap()).unwrap();
        assert_eq!(cl.code("001").unwrap().name(), "World");
        let afghanistan = cl.code("004").unwrap();
        assert_eq!(afghanistan.name(), "Afghanistan");
        // Afghanistan: Southern Asia (034), in Asia (142), in the world.
        assert_eq!(afghanistan.parent().unwrap(), "034");
        assert_eq!(cl.code("034").unwrap().parent().unwrap(), "142");
        assert_eq!(cl.code("142").unwrap().parent().unwrap(), WORLD);
        let table = Reference::official();
        assert_eq!(
            cl.codes().len(),
            1 + table.regions.len() + table.countries.len()
        );
    }
}
