//! Reference data in the database: the compact's passages, countries, regions, commissions.
//!
//! [`Store::load_reference`] writes the bundled data at start-up, in one transaction, only
//! when its fingerprint changed; the read functions rebuild `marrakech-core` types from rows.

use std::collections::HashMap;
use std::sync::Arc;

use marrakech_core::compact::{
    Action, Compact, Footnote, Item, Objective, Paragraph, Passage, Principle, Resolution, Section,
};
use marrakech_core::countries::{
    Area, Commission, Country, Membership, Reference, Region, RegionLevel, M49,
};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{now_text, Store, StoreError, TxError};

const REFERENCE_NAME: &str = "compact+countries";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The database already held this exact data.
    Unchanged,
    Loaded {
        passages: usize,
        countries: usize,
    },
}

/// Filters on the countries list; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountryFilter {
    /// An M49 region, sub-region or intermediate region the country falls in.
    pub region: Option<M49>,
    pub commission: Option<Commission>,
    pub member_state: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CountrySort {
    #[default]
    Name,
    M49,
    Iso3,
    Region,
}

impl CountrySort {
    pub fn parse(s: &str) -> Option<CountrySort> {
        match s {
            "name" => Some(CountrySort::Name),
            "m49" => Some(CountrySort::M49),
            "iso3" => Some(CountrySort::Iso3),
            "region" => Some(CountrySort::Region),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CountrySort::Name => "name",
            CountrySort::M49 => "m49",
            CountrySort::Iso3 => "iso3",
            CountrySort::Region => "region",
        }
    }

    /// The ORDER BY clause; ties are broken by name, then code, so pages never overlap.
    fn order_by(self, direction: SortDirection) -> String {
        let d = match direction {
            SortDirection::Ascending => "ASC",
            SortDirection::Descending => "DESC",
        };
        match self {
            CountrySort::Name => format!("c.sort_name {d}, c.m49 {d}"),
            CountrySort::M49 => format!("c.m49 {d}"),
            CountrySort::Iso3 => format!("c.iso3 {d}"),
            // Countries without a region (Antarctica) come last either way.
            CountrySort::Region => format!(
                "CASE WHEN r1.name IS NULL THEN 1 ELSE 0 END, r1.name {d}, c.sort_name {d}, c.m49 {d}"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CountryPage {
    pub countries: Vec<Country>,
    /// How many countries match the filter, over all pages.
    pub total: usize,
}

/// A row of `compact_passage`.
struct PassageRow {
    id: String,
    kind: String,
    parent_id: Option<String>,
    number: Option<i64>,
    label: Option<String>,
    section: String,
    subsection: Option<String>,
    title: Option<String>,
    heading: Option<String>,
    list_intro: Option<String>,
    text: String,
}

const PASSAGE_COLUMNS: &str = "p.id, p.kind, p.parent_id, p.number, p.label, p.section, \
     p.subsection, p.title, p.heading, p.list_intro, p.text";

impl PassageRow {
    fn from_row(row: &AnyRow) -> Result<PassageRow, sqlx::Error> {
        Ok(PassageRow {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            parent_id: row.try_get("parent_id")?,
            number: row.try_get("number")?,
            label: row.try_get("label")?,
            section: row.try_get("section")?,
            subsection: row.try_get("subsection")?,
            title: row.try_get("title")?,
            heading: row.try_get("heading")?,
            list_intro: row.try_get("list_intro")?,
            text: row.try_get("text")?,
        })
    }
}

pub(crate) fn fingerprint(compact: &Compact, reference: &Reference) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(compact).unwrap_or_default());
    hasher.update(serde_json::to_vec(reference).unwrap_or_default());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.into(),
    }
}

fn m49(value: &str) -> Result<M49, StoreError> {
    value.parse().map_err(|_| corrupt("M49 code", value))
}

fn section(slug: &str) -> Result<Section, StoreError> {
    Section::from_slug(slug).ok_or_else(|| corrupt("section", slug))
}

fn letter(label: &str) -> Result<char, StoreError> {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(corrupt("letter", label)),
    }
}

impl Store {
    /// Writes the compact and the countries table, unless the database already holds this
    /// exact data (same fingerprint). Several servers may run this at once: the write is
    /// one serializable transaction of idempotent upserts.
    pub async fn load_reference(
        &self,
        compact: &Compact,
        reference: &Reference,
    ) -> Result<LoadOutcome, StoreError> {
        let digest = fingerprint(compact, reference);
        let current: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM reference_data WHERE name = $1")
                .bind(REFERENCE_NAME)
                .fetch_optional(self.pool())
                .await?;
        if current.as_deref() == Some(digest.as_str()) {
            return Ok(LoadOutcome::Unchanged);
        }
        // The transaction may run more than once, and its closure must own what it uses.
        let data = Arc::new((compact.clone(), reference.clone()));
        let outcome = self
            .write::<_, std::convert::Infallible, _>(|tx| {
                let digest = digest.clone();
                let data = Arc::clone(&data);
                Box::pin(async move {
                    let (compact, reference) = &*data;
                    let passages = write_compact(tx, compact).await?;
                    let countries = write_countries(tx, reference).await?;
                    sqlx::query(
                        "INSERT INTO reference_data (name, sha256, loaded_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, \
                         loaded_at = excluded.loaded_at",
                    )
                    .bind(REFERENCE_NAME)
                    .bind(digest)
                    .bind(now_text())
                    .execute(&mut **tx)
                    .await?;
                    Ok(LoadOutcome::Loaded {
                        passages,
                        countries,
                    })
                })
            })
            .await;
        match outcome {
            Ok(outcome) => Ok(outcome),
            Err(TxError::Store(e)) => Err(e),
            Err(TxError::Abort(never)) => match never {},
        }
    }

    /// Whether the reference data has been loaded (for readiness checks).
    pub async fn reference_loaded(&self) -> Result<bool, StoreError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT name FROM reference_data WHERE name = $1")
                .bind(REFERENCE_NAME)
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    async fn passages(
        &self,
        filter: &str,
        bind: Option<&str>,
    ) -> Result<Vec<PassageRow>, StoreError> {
        let sql =
            format!("SELECT {PASSAGE_COLUMNS} FROM compact_passage p {filter} ORDER BY p.position");
        let mut query = sqlx::query(&sql);
        if let Some(value) = bind {
            query = query.bind(value.to_owned());
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(PassageRow::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Footnote numbers cited by each passage, in order.
    async fn citations(&self) -> Result<HashMap<String, Vec<u32>>, StoreError> {
        let rows = sqlx::query(
            "SELECT passage_id, footnote FROM compact_citation ORDER BY passage_id, position",
        )
        .fetch_all(self.pool())
        .await?;
        let mut map: HashMap<String, Vec<u32>> = HashMap::new();
        for row in rows {
            let id: String = row.try_get("passage_id")?;
            let footnote: i64 = row.try_get("footnote")?;
            map.entry(id).or_default().push(footnote as u32);
        }
        Ok(map)
    }

    /// Objective numbers by the id of their commitment paragraph.
    async fn objective_paragraphs(&self) -> Result<HashMap<String, u8>, StoreError> {
        let rows = sqlx::query("SELECT number, paragraph_id FROM compact_objective")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let number: i64 = row.try_get("number")?;
                let id: String = row.try_get("paragraph_id")?;
                Ok((id, number as u8))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Numbered paragraphs with their items, from passage rows in document order.
    async fn assemble_paragraphs(
        &self,
        rows: Vec<PassageRow>,
    ) -> Result<Vec<Paragraph>, StoreError> {
        let citations = self.citations().await?;
        let objectives = self.objective_paragraphs().await?;
        let footnotes_of = |id: &str| citations.get(id).cloned().unwrap_or_default();
        let mut paragraphs: Vec<Paragraph> = Vec::new();
        let mut items: Vec<(String, Item)> = Vec::new();
        for row in rows {
            match row.kind.as_str() {
                "paragraph" => paragraphs.push(Paragraph {
                    number: row
                        .number
                        .ok_or_else(|| corrupt("paragraph number", &row.id))?
                        as u32,
                    section: section(&row.section)?,
                    objective: objectives.get(&row.id).copied(),
                    footnotes: footnotes_of(&row.id),
                    subsection: row.subsection,
                    text: row.text,
                    list_intro: row.list_intro,
                    items: Vec::new(),
                    id: row.id,
                }),
                "item" => {
                    let parent = row
                        .parent_id
                        .ok_or_else(|| corrupt("item parent", &row.id))?;
                    items.push((
                        parent,
                        Item {
                            footnotes: footnotes_of(&row.id),
                            label: row.label.unwrap_or_default(),
                            title: row.title,
                            heading: row.heading,
                            text: row.text,
                            items: Vec::new(),
                            id: row.id,
                        },
                    ))
                }
                _ => {}
            }
        }
        // Items come in document order, so children follow their parent: attach each to the
        // latest item or paragraph with the parent's id.
        for (parent, item) in items {
            let attached = paragraphs.iter_mut().rev().find_map(|p| {
                if p.id == parent {
                    return Some(&mut p.items);
                }
                p.items
                    .iter_mut()
                    .rev()
                    .find(|i| i.id == parent)
                    .map(|i| &mut i.items)
            });
            attached
                .ok_or_else(|| corrupt("item parent", parent.clone()))?
                .push(item);
        }
        Ok(paragraphs)
    }

    /// Annex paragraphs 1 to 54 with their items.
    pub async fn paragraphs(&self) -> Result<Vec<Paragraph>, StoreError> {
        let rows = self
            .passages(
                "WHERE p.paragraph_id IS NOT NULL AND p.section <> 'resolution'",
                None,
            )
            .await?;
        self.assemble_paragraphs(rows).await
    }

    /// One paragraph (`para-43` or `res-1`) with its items.
    pub async fn paragraph(&self, id: &str) -> Result<Option<Paragraph>, StoreError> {
        let rows = self.passages("WHERE p.paragraph_id = $1", Some(id)).await?;
        Ok(self.assemble_paragraphs(rows).await?.into_iter().next())
    }

    pub async fn principles(&self) -> Result<Vec<Principle>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, pr.letter, p.title, p.text FROM compact_principle pr \
             JOIN compact_passage p ON p.id = pr.id ORDER BY p.position",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let letter_text: String = row.try_get("letter")?;
                let name: Option<String> = row.try_get("title")?;
                Ok(Principle {
                    id: row.try_get("id")?,
                    letter: letter(&letter_text)?,
                    name: name.unwrap_or_default(),
                    text: row.try_get("text")?,
                })
            })
            .collect()
    }

    /// The objectives, with their actions; `only` restricts to one objective number.
    pub async fn objectives(&self, only: Option<u8>) -> Result<Vec<Objective>, StoreError> {
        let filter = if only.is_some() {
            "WHERE o.number = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT o.id, o.number, o.title, o.label, p.number AS paragraph, p.text \
             FROM compact_objective o JOIN compact_passage p ON p.id = o.paragraph_id \
             {filter} ORDER BY o.number"
        );
        let mut query = sqlx::query(&sql);
        if let Some(n) = only {
            query = query.bind(n as i64);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut objectives = rows
            .iter()
            .map(|row| {
                let number: i64 = row.try_get("number")?;
                let paragraph: i64 = row.try_get("paragraph")?;
                Ok(Objective {
                    id: row.try_get("id")?,
                    number: number as u8,
                    title: row.try_get("title")?,
                    label: row.try_get("label")?,
                    paragraph: paragraph as u32,
                    commitment: row.try_get("text")?,
                    actions: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let actions = self
            .actions(only.map(|n| format!("obj-{n}")).as_deref())
            .await?;
        for action in actions {
            if let Some(o) = objectives.iter_mut().find(|o| o.number == action.objective) {
                o.actions.push(action);
            }
        }
        Ok(objectives)
    }

    /// Actions in document order, all or those of one objective id.
    async fn actions(&self, objective_id: Option<&str>) -> Result<Vec<Action>, StoreError> {
        self.actions_where(
            if objective_id.is_some() {
                "WHERE a.objective_id = $1"
            } else {
                ""
            },
            objective_id,
        )
        .await
    }

    async fn actions_where(
        &self,
        filter: &str,
        bind: Option<&str>,
    ) -> Result<Vec<Action>, StoreError> {
        let sql = format!(
            "SELECT a.id, o.number, a.letter, p.heading, p.text FROM compact_action a \
             JOIN compact_passage p ON p.id = a.id \
             JOIN compact_objective o ON o.id = a.objective_id {filter} ORDER BY p.position"
        );
        let mut query = sqlx::query(&sql);
        if let Some(value) = bind {
            query = query.bind(value.to_owned());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let citations = self.citations().await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let number: i64 = row.try_get("number")?;
                let letter_text: String = row.try_get("letter")?;
                Ok(Action {
                    footnotes: citations.get(&id).cloned().unwrap_or_default(),
                    id,
                    objective: number as u8,
                    letter: letter(&letter_text)?,
                    heading: row.try_get("heading")?,
                    text: row.try_get("text")?,
                })
            })
            .collect()
    }

    pub async fn action(&self, id: &str) -> Result<Option<Action>, StoreError> {
        Ok(self
            .actions_where("WHERE a.id = $1", Some(id))
            .await?
            .into_iter()
            .next())
    }

    pub async fn footnotes(&self) -> Result<Vec<Footnote>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.number, f.text, c.passage_id FROM compact_footnote f \
             LEFT JOIN compact_citation c ON c.footnote = f.number \
             LEFT JOIN compact_passage p ON p.id = c.passage_id \
             ORDER BY f.number, p.position, c.position",
        )
        .fetch_all(self.pool())
        .await?;
        let mut footnotes: Vec<Footnote> = Vec::new();
        for row in rows {
            let number = row.try_get::<i64, _>("number")? as u32;
            let cited: Option<String> = row.try_get("passage_id")?;
            if footnotes.last().map(|f| f.number) != Some(number) {
                footnotes.push(Footnote {
                    number,
                    text: row.try_get("text")?,
                    cited_in: Vec::new(),
                });
            }
            if let (Some(f), Some(id)) = (footnotes.last_mut(), cited) {
                f.cited_in.push(id);
            }
        }
        Ok(footnotes)
    }

    /// The whole compact, as stored.
    pub async fn compact(&self) -> Result<Compact, StoreError> {
        let meta: HashMap<String, String> = sqlx::query("SELECT key, value FROM compact_meta")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok((row.try_get("key")?, row.try_get("value")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let get = |key: &'static str| {
            meta.get(key)
                .cloned()
                .ok_or_else(|| corrupt("compact header", key))
        };
        let citations = self.citations().await?;
        let loose: Vec<PassageRow> = self
            .passages("WHERE p.kind IN ('preamble', 'opening')", None)
            .await?;
        let to_passage = |row: &PassageRow| Passage {
            id: row.id.clone(),
            text: row.text.clone(),
            footnotes: citations.get(&row.id).cloned().unwrap_or_default(),
        };
        let preamble = loose
            .iter()
            .filter(|r| r.kind == "preamble")
            .map(to_passage)
            .collect();
        let annex_opening = loose
            .iter()
            .find(|r| r.kind == "opening")
            .map(to_passage)
            .ok_or_else(|| corrupt("compact", "the annex opening is missing"))?;
        let resolution_rows = self
            .passages(
                "WHERE p.paragraph_id IS NOT NULL AND p.section = 'resolution'",
                None,
            )
            .await?;
        Ok(Compact {
            resolution: Resolution {
                symbol: get("symbol")?,
                number: get("number")?,
                title: get("title")?,
                session: get("session")?,
                agenda_items: get("agenda_items")?,
                adopted_on: get("adopted_on")?,
                committee_note: get("committee_note")?,
                meeting: get("meeting")?,
                preamble,
                paragraphs: self.assemble_paragraphs(resolution_rows).await?,
            },
            annex_title: get("annex_title")?,
            annex_opening,
            paragraphs: self.paragraphs().await?,
            principles: self.principles().await?,
            objectives: self.objectives(None).await?,
            footnotes: self.footnotes().await?,
        })
    }

    /// A page of countries matching `filter`, sorted, with the total over all pages.
    pub async fn countries(
        &self,
        filter: &CountryFilter,
        sort: CountrySort,
        direction: SortDirection,
        limit: usize,
        offset: usize,
    ) -> Result<CountryPage, StoreError> {
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(region) = filter.region {
            binds.push(region.to_string());
            let n = binds.len();
            conditions.push(format!(
                "(c.region_code = ${n} OR c.subregion_code = ${n} OR c.intermediate_region_code = ${n})"
            ));
        }
        if let Some(commission) = filter.commission {
            binds.push(commission.code().to_owned());
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM country_commission cc WHERE cc.m49 = c.m49 AND cc.commission = ${})",
                binds.len()
            ));
        }
        if let Some(member) = filter.member_state {
            conditions.push(format!("c.un_member_state = {}", i64::from(member)));
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM country c {filter_sql}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count.fetch_one(self.pool()).await? as usize;

        let sql = format!(
            "{COUNTRY_SELECT} {filter_sql} ORDER BY {} LIMIT {} OFFSET {}",
            sort.order_by(direction),
            limit as i64,
            offset as i64
        );
        let mut query = sqlx::query(&sql);
        for b in &binds {
            query = query.bind(b.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let countries = self.countries_from_rows(&rows).await?;
        Ok(CountryPage { countries, total })
    }

    /// A country by M49 code, ISO alpha-3 or alpha-2 (any case).
    pub async fn country(&self, code: &str) -> Result<Option<Country>, StoreError> {
        let (condition, value) = match code.parse::<M49>() {
            Ok(m) => ("c.m49 = $1", m.to_string()),
            Err(_) if code.len() == 3 => ("c.iso3 = $1", code.to_ascii_uppercase()),
            Err(_) if code.len() == 2 => ("c.iso2 = $1", code.to_ascii_uppercase()),
            Err(_) => return Ok(None),
        };
        let sql = format!("{COUNTRY_SELECT} WHERE {condition}");
        let rows = sqlx::query(&sql).bind(value).fetch_all(self.pool()).await?;
        Ok(self.countries_from_rows(&rows).await?.into_iter().next())
    }

    async fn countries_from_rows(&self, rows: &[AnyRow]) -> Result<Vec<Country>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let commissions = self.commissions().await?;
        rows.iter()
            .map(|row| {
                let area = |code: &str, name: &str| -> Result<Option<Area>, StoreError> {
                    let code: Option<String> = row.try_get(code)?;
                    let name: Option<String> = row.try_get(name)?;
                    match (code, name) {
                        (Some(code), Some(name)) => Ok(Some(Area {
                            code: m49(&code)?,
                            name,
                        })),
                        _ => Ok(None),
                    }
                };
                let code: String = row.try_get("m49")?;
                let member: i64 = row.try_get("un_member_state")?;
                Ok(Country {
                    commissions: commissions.get(&code).cloned().unwrap_or_default(),
                    m49: m49(&code)?,
                    iso2: row.try_get("iso2")?,
                    iso3: row.try_get("iso3")?,
                    name: row.try_get("name")?,
                    iso_name: row.try_get("iso_name")?,
                    region: area("region_code", "region_name")?,
                    subregion: area("subregion_code", "subregion_name")?,
                    intermediate_region: area(
                        "intermediate_region_code",
                        "intermediate_region_name",
                    )?,
                    un_member_state: member != 0,
                })
            })
            .collect()
    }

    /// Commission memberships by M49 code, in the commissions' fixed order.
    async fn commissions(
        &self,
    ) -> Result<HashMap<String, Vec<(Commission, Membership)>>, StoreError> {
        let rows = sqlx::query("SELECT m49, commission, membership FROM country_commission")
            .fetch_all(self.pool())
            .await?;
        let mut map: HashMap<String, Vec<(Commission, Membership)>> = HashMap::new();
        for row in rows {
            let code: String = row.try_get("m49")?;
            let commission: String = row.try_get("commission")?;
            let membership: String = row.try_get("membership")?;
            map.entry(code).or_default().push((
                Commission::parse(&commission).ok_or_else(|| corrupt("commission", &commission))?,
                Membership::parse(&membership).ok_or_else(|| corrupt("membership", &membership))?,
            ));
        }
        for list in map.values_mut() {
            list.sort();
        }
        Ok(map)
    }

    pub async fn regions(&self) -> Result<Vec<Region>, StoreError> {
        let rows = sqlx::query("SELECT code, name, level, parent_code FROM region ORDER BY code")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                let level: String = row.try_get("level")?;
                let parent: Option<String> = row.try_get("parent_code")?;
                Ok(Region {
                    code: m49(&code)?,
                    name: row.try_get("name")?,
                    level: RegionLevel::parse(&level)
                        .ok_or_else(|| corrupt("region level", &level))?,
                    parent: parent.as_deref().map(m49).transpose()?,
                })
            })
            .collect()
    }
}

const COUNTRY_SELECT: &str =
    "SELECT c.m49, c.iso2, c.iso3, c.name, c.iso_name, c.un_member_state, \
     c.region_code, r1.name AS region_name, c.subregion_code, r2.name AS subregion_name, \
     c.intermediate_region_code, r3.name AS intermediate_region_name \
     FROM country c \
     LEFT JOIN region r1 ON r1.code = c.region_code \
     LEFT JOIN region r2 ON r2.code = c.subregion_code \
     LEFT JOIN region r3 ON r3.code = c.intermediate_region_code";

async fn write_compact(
    tx: &mut Transaction<'static, Any>,
    compact: &Compact,
) -> Result<usize, sqlx::Error> {
    let r = &compact.resolution;
    for (key, value) in [
        ("symbol", &r.symbol),
        ("number", &r.number),
        ("title", &r.title),
        ("session", &r.session),
        ("agenda_items", &r.agenda_items),
        ("adopted_on", &r.adopted_on),
        ("committee_note", &r.committee_note),
        ("meeting", &r.meeting),
        ("annex_title", &compact.annex_title),
    ] {
        sqlx::query(
            "INSERT INTO compact_meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value.clone())
        .execute(&mut **tx)
        .await?;
    }
    for f in &compact.footnotes {
        sqlx::query(
            "INSERT INTO compact_footnote (number, text) VALUES ($1, $2) \
             ON CONFLICT (number) DO UPDATE SET text = excluded.text",
        )
        .bind(f.number as i64)
        .bind(f.text.clone())
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM compact_citation")
        .execute(&mut **tx)
        .await?;
    let passages = compact.passages();
    for (position, p) in passages.iter().enumerate() {
        sqlx::query(
            "INSERT INTO compact_passage (id, kind, parent_id, paragraph_id, number, label, \
             position, section, subsection, title, heading, list_intro, text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, parent_id = excluded.parent_id, \
             paragraph_id = excluded.paragraph_id, number = excluded.number, \
             label = excluded.label, position = excluded.position, section = excluded.section, \
             subsection = excluded.subsection, title = excluded.title, \
             heading = excluded.heading, list_intro = excluded.list_intro, text = excluded.text",
        )
        .bind(p.id.to_owned())
        .bind(p.kind.as_str())
        .bind(p.parent_id.map(str::to_owned))
        .bind(p.paragraph_id.map(str::to_owned))
        .bind(p.number.map(i64::from))
        .bind(p.label.map(str::to_owned))
        .bind(position as i64)
        .bind(p.section.slug())
        .bind(p.subsection.map(str::to_owned))
        .bind(p.title.map(str::to_owned))
        .bind(p.heading.map(str::to_owned))
        .bind(p.list_intro.map(str::to_owned))
        .bind(p.text.to_owned())
        .execute(&mut **tx)
        .await?;
        for (i, footnote) in p.footnotes.iter().enumerate() {
            sqlx::query(
                "INSERT INTO compact_citation (passage_id, position, footnote) VALUES ($1, $2, $3)",
            )
            .bind(p.id.to_owned())
            .bind(i as i64)
            .bind(*footnote as i64)
            .execute(&mut **tx)
            .await?;
        }
    }
    for o in &compact.objectives {
        sqlx::query(
            "INSERT INTO compact_objective (id, number, title, label, paragraph_id) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET number = excluded.number, \
             title = excluded.title, label = excluded.label, paragraph_id = excluded.paragraph_id",
        )
        .bind(o.id.clone())
        .bind(o.number as i64)
        .bind(o.title.clone())
        .bind(o.label.clone())
        .bind(format!("para-{}", o.paragraph))
        .execute(&mut **tx)
        .await?;
        for a in &o.actions {
            sqlx::query(
                "INSERT INTO compact_action (id, objective_id, letter) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET objective_id = excluded.objective_id, \
                 letter = excluded.letter",
            )
            .bind(a.id.clone())
            .bind(o.id.clone())
            .bind(a.letter.to_string())
            .execute(&mut **tx)
            .await?;
        }
    }
    for p in &compact.principles {
        sqlx::query(
            "INSERT INTO compact_principle (id, letter) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET letter = excluded.letter",
        )
        .bind(p.id.clone())
        .bind(p.letter.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(passages.len())
}

async fn write_countries(
    tx: &mut Transaction<'static, Any>,
    reference: &Reference,
) -> Result<usize, sqlx::Error> {
    // Parents before children: regions, then sub-regions, then intermediate regions.
    let mut regions: Vec<&Region> = reference.regions.iter().collect();
    regions.sort_by_key(|r| (r.level, r.code));
    for region in regions {
        sqlx::query(
            "INSERT INTO region (code, name, level, parent_code) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
             parent_code = excluded.parent_code",
        )
        .bind(region.code.to_string())
        .bind(region.name.clone())
        .bind(region.level.as_str())
        .bind(region.parent.map(|p| p.to_string()))
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM country_commission")
        .execute(&mut **tx)
        .await?;
    for c in &reference.countries {
        let code = |a: &Option<Area>| a.as_ref().map(|a| a.code.to_string());
        sqlx::query(
            "INSERT INTO country (m49, iso2, iso3, name, iso_name, sort_name, region_code, \
             subregion_code, intermediate_region_code, un_member_state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (m49) DO UPDATE SET iso2 = excluded.iso2, iso3 = excluded.iso3, \
             name = excluded.name, iso_name = excluded.iso_name, sort_name = excluded.sort_name, \
             region_code = excluded.region_code, \
             subregion_code = excluded.subregion_code, \
             intermediate_region_code = excluded.intermediate_region_code, \
             un_member_state = excluded.un_member_state",
        )
        .bind(c.m49.to_string())
        .bind(c.iso2.clone())
        .bind(c.iso3.clone())
        .bind(c.name.clone())
        .bind(c.iso_name.clone())
        .bind(c.sort_key())
        .bind(code(&c.region))
        .bind(code(&c.subregion))
        .bind(code(&c.intermediate_region))
        .bind(i64::from(c.un_member_state))
        .execute(&mut **tx)
        .await?;
        for (commission, membership) in &c.commissions {
            sqlx::query(
                "INSERT INTO country_commission (m49, commission, membership) VALUES ($1, $2, $3)",
            )
            .bind(c.m49.to_string())
            .bind(commission.code())
            .bind(membership.as_str())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(reference.countries.len())
}
