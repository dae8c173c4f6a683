//! The evidence base's data layer: importers for the open data sets the Global Compact's
//! objectives 1, 8 and 20 call for, and the computations on them.
//!
//! Pure: no database, network or async. Importers read the reader they are given, row by
//! row, and hand each record (or rejected row, with its line and reason) to a [`Sink`] as
//! soon as it is read; `import_*` functions collect into an [`Import`] for small files and
//! tests. See README.md for the accepted layouts and the methodology decisions.
//!
//! - importers: [`ims`] (UN DESA migrant stock), [`rpw`] (World Bank remittance prices,
//!   provider level), [`corridor_averages`] (World Bank DataBank corridor averages),
//!   [`mmp`] (IOM Missing Migrants), [`sdmx`] (SDMX-CSV), [`weights`] (bilateral remittance
//!   matrix);
//! - computations: [`sdg10c1`] (Global Average, SmaRT, regional and weighted averages,
//!   corridors above 5 %), [`trajectory`] (paths to the 2030 targets), [`stock`] (migrant
//!   stock by area), [`missing`] (dead and missing migrants);
//! - with the `generate` feature: [`generate`] (realistic RPW workbooks and rows);
//! - with the `bench` feature: [`bench`] (the benchmark runner).

pub mod codes;
pub mod corridor_averages;
pub mod error;
pub mod ims;
pub mod missing;
pub mod mmp;
pub mod names;
pub mod rpw;
pub mod sdg10c1;
pub mod sdmx;
pub mod stock;
pub mod table;
pub mod trajectory;
pub mod weights;

pub use codes::{Corridor, Iso3, Quarter, Sex};
pub use error::{Damage, ImportError, RejectedRow, RowProblem};
pub use table::{Import, Sink, Summary};

#[cfg(feature = "generate")]
pub mod generate;

#[cfg(feature = "bench")]
pub mod bench;
