//! The index: schema, writes, searches and related items.
//!
//! Text is indexed in one field, `text`, whatever the language: every version's title (twice,
//! so that a title word counts double), summary and body, and the organization and country
//! names. Each value is tagged with its language, and the field's analyzer reads each value
//! with that language's rules (see [`crate::analysis::MultiLanguageTokenizer`]), so the terms
//! of every version (stems, bigrams) share one term space; values are separate, so no phrase
//! spans two. A query word is analyzed the same six ways, plus as a name; the distinct terms
//! that come out (usually one to three: English and French often agree on a stem) are ORed. So a query in any
//! language meets every version of every item, and its cost does not grow with the number of
//! languages: a search over thirteen per-language fields would merge thirteen posting lists
//! per word, most of them empty, and scored about half as fast here; a separate title field
//! for boosting cost about a third more than indexing titles twice.
//!
//! The texts themselves are stored per language (not indexed) for titles and snippets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, MoreLikeThisQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, OwnedValue, Schema, TextFieldIndexing, TextOptions,
    Value, STORED, STRING,
};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer, Token};
use tantivy::{
    DocAddress, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::analysis::{self, is_cjk, tagged, MULTI_ANALYZER, NAMES_SLOT};
use crate::collector::{
    Fruit, Rank, RankBy, SearchCollector, F_COUNTRIES, F_KEY, F_MASK, F_PLACE, F_PUBLISHED,
};
use crate::cursor::{fnv1a, Cursor, PageSize, Sort};
use crate::document::{ItemKind, Language, SearchDocument};
use crate::error::SearchError;
use crate::facets::{self, FacetCounts, FacetValue, Filters, Slot, Words};
use crate::query::{self, Clause, ParsedQuery};
use crate::words::WordsCache;

/// The most answers [`Index::similar_to_text`] gives.
pub const MAX_SIMILAR: usize = 2_000;

/// Characters in a snippet.
const SNIPPET_CHARS: usize = 220;
/// Titles are highlighted whole; this bounds the work for a pathological one.
const MAX_TITLE_BYTES: usize = 4 * crate::document::MAX_TITLE_CHARS;
/// A prefix expands to at most this many terms per field.
const PREFIX_EXPANSIONS: u32 = 200;
/// In related items, what one shared objective adds to the text-similarity score.
const SHARED_OBJECTIVE_SCORE: f32 = 2.0;
/// Positions between two language versions (or the names) in one field: phrases never
/// match across the gap.
const POSITION_GAP: usize = 1_000;

/// Bumped when the schema or the analysis changes in a way an old index cannot serve.
const FORMAT: &str = "marrakech-search-v2";

#[derive(Clone)]
struct Fields {
    id: Field,
    key: Field,
    mask: Field,
    place: Field,
    countries: [Field; facets::COUNTRY_WORDS],
    published: Field,
    objectives: Field,
    original: Field,
    body: Field,
    /// Stored only: per language, the title and the summary and body.
    stored_title: [Field; 6],
    stored_text: [Field; 6],
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let fast = NumericOptions::default().set_fast();
    let key = b.add_u64_field(F_KEY, fast.clone());
    let mask = b.add_u64_field(F_MASK, fast.clone());
    let place = b.add_u64_field(F_PLACE, fast.clone());
    let countries = F_COUNTRIES.map(|name| b.add_u64_field(name, fast.clone()));
    let published = b.add_i64_field(F_PUBLISHED, fast);
    let objectives = b.add_u64_field("objectives", NumericOptions::default().set_indexed());
    let original = b.add_u64_field("original", NumericOptions::default().set_stored());
    let indexed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(MULTI_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let body = b.add_text_field("text", indexed);
    let stored_title =
        Language::ALL.map(|l| b.add_text_field(&format!("title_{}", l.code()), STORED));
    let stored_text =
        Language::ALL.map(|l| b.add_text_field(&format!("text_{}", l.code()), STORED));
    (
        b.build(),
        Fields {
            id,
            key,
            mask,
            place,
            countries,
            published,
            objectives,
            original,
            body,
            stored_title,
            stored_text,
        },
    )
}

/// What every commit records, and what opening an index checks: the format and the
/// assignment of facet bits to places.
fn payload() -> String {
    format!("{FORMAT};{}", facets::places().fingerprint)
}

/// Tuning for an [`Index`].
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Memory the writer buffers before flushing a segment, in total (tantivy needs at least
    /// 15 MB per thread).
    pub writer_memory_bytes: usize,
    /// Indexing threads.
    pub writer_threads: usize,
    /// Threads one search may use to scan segments in parallel (1 = the calling thread only).
    pub search_threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let writer_threads = cores.clamp(1, 4);
        IndexOptions {
            writer_memory_bytes: 64_000_000 * writer_threads,
            writer_threads,
            search_threads: cores.clamp(1, 8),
        }
    }
}

/// A search request. Build it with [`SearchRequest::new`] and set what differs from the
/// defaults (relevance order, 20 hits, facet counts on, no cursor).
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The user's text (see [`crate::query`] for the syntax); empty lists everything.
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    pub page_size: PageSize,
    /// Where the previous page ended.
    pub cursor: Option<Cursor>,
    /// Whether to count facets (a page that shows none can skip the work).
    pub facets: bool,
    /// The reader's language: titles and snippets come from this version when it exists.
    pub language: Option<Language>,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            filters: Filters::new(),
            sort: Sort::Relevance,
            page_size: PageSize::default(),
            cursor: None,
            facets: true,
            language: None,
        }
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub kind: ItemKind,
    /// BM25 score (absent when sorted by date).
    pub score: Option<f32>,
    pub published: time::Date,
    /// The language of the title and snippet shown.
    pub language: Language,
    /// Plain text: escape it when rendering.
    pub title: String,
    /// HTML: the title escaped, matches in `<mark>`.
    pub title_html: String,
    /// HTML: an escaped excerpt of the summary and body, matches in `<mark>`.
    pub snippet_html: String,
    pub languages: Vec<Language>,
}

/// A page of results.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Items matching the query and all filters.
    pub total: u64,
    pub hits: Vec<Hit>,
    /// Present when more hits follow.
    pub next_cursor: Option<Cursor>,
    /// Every facet's non-zero counts. A facet with a filter is counted as if its own filter
    /// were absent (but all others applied), so its other values stay visible and selectable:
    /// that is what OR within a facet needs.
    pub facets: Vec<FacetCounts>,
}

/// A multilingual full-text index of published knowledge items. Cheap to share: wrap it in an
/// `Arc` and call it from any thread; searches never wait for writes.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    options: IndexOptions,
    /// One analyzer per language, then the names analyzer; cloned per use (analysis needs
    /// `&mut`).
    analyzers: Vec<(Option<Language>, TextAnalyzer)>,
    /// The visible segments' facet words, decoded.
    words: Arc<WordsCache>,
}

impl Index {
    /// Opens the index in `dir`, creating the directory and an empty index if needed. An
    /// index written by another version of this crate, or with another countries table, is
    /// refused with [`SearchError::SchemaMismatch`]: delete it and rebuild.
    pub fn open_in_dir(dir: &Path, options: IndexOptions) -> Result<Index, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            SearchError::Directory(
                tantivy::directory::error::OpenDirectoryError::wrap_io_error(e, dir.to_path_buf()),
            )
        })?;
        let (schema, fields) = schema();
        let directory = MmapDirectory::open(dir)?;
        let index = if tantivy::Index::exists(&directory).map_err(tantivy::TantivyError::from)? {
            let index = tantivy::Index::open(directory)?;
            let recorded = index.load_metas()?.payload;
            if !same_schema(&index.schema(), &schema) || recorded.is_some_and(|p| p != payload()) {
                return Err(SearchError::SchemaMismatch);
            }
            index
        } else {
            tantivy::Index::create(directory, schema, tantivy::IndexSettings::default())?
        };
        Index::with_index(index, fields, options)
    }

    /// An index in memory (tests, benchmarks, a throw-away instance).
    pub fn in_ram(options: IndexOptions) -> Result<Index, SearchError> {
        let (schema, fields) = schema();
        Index::with_index(tantivy::Index::create_in_ram(schema), fields, options)
    }

    fn with_index(
        mut index: tantivy::Index,
        fields: Fields,
        options: IndexOptions,
    ) -> Result<Index, SearchError> {
        analysis::register(&index);
        if options.search_threads > 1 {
            index.set_multithread_executor(options.search_threads)?;
        }
        let writer = new_writer(&index, &options)?;
        // Manual reload: `commit` reloads before returning, which is what makes a change
        // visible to the very next search (a timer-based reload would leave a window).
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let analyzers: Vec<(Option<Language>, TextAnalyzer)> = Language::ALL
            .into_iter()
            .map(Some)
            .chain([None])
            .zip(analysis::analyzers())
            .collect();
        let words = Arc::new(WordsCache::default());
        words.refresh(&reader.searcher())?;
        Ok(Index {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
            options,
            analyzers,
            words,
        })
    }

    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::WriterPoisoned)
    }

    /// Adds the document, replacing any document with the same id. Visible after
    /// [`Index::commit`].
    pub fn upsert(&self, doc: &SearchDocument) -> Result<(), SearchError> {
        let tdoc = self.to_tantivy(doc)?;
        let guard = self.writer()?;
        let writer = guard.as_ref().ok_or(SearchError::WriterPoisoned)?;
        // Delete and add in one writer: the delete's opstamp precedes the add's, so it
        // removes older copies only.
        writer.delete_term(Term::from_field_text(self.fields.id, &doc.id));
        writer.add_document(tdoc)?;
        Ok(())
    }

    /// Removes the document with this id, if any. Visible after [`Index::commit`].
    pub fn delete(&self, id: &str) -> Result<(), SearchError> {
        let guard = self.writer()?;
        let writer = guard.as_ref().ok_or(SearchError::WriterPoisoned)?;
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        Ok(())
    }

    /// Makes every change so far durable and visible to the next search.
    pub fn commit(&self) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().ok_or(SearchError::WriterPoisoned)?;
        commit_with_payload(writer)?;
        self.reload()
    }

    /// Makes the last commit visible to searches, its new segments' words decoded.
    fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload()?;
        self.words.refresh(&self.reader.searcher())?;
        Ok(())
    }

    /// Discards uncommitted changes.
    pub fn rollback(&self) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().ok_or(SearchError::WriterPoisoned)?;
        writer.rollback()?;
        Ok(())
    }

    /// Replaces the whole index with these documents, in one commit: searches see the old
    /// index until the new one is complete, and an invalid document or a failure leaves the
    /// old index as it was. Returns the number of documents indexed.
    pub fn rebuild<I>(&self, docs: I) -> Result<u64, SearchError>
    where
        I: IntoIterator<Item = SearchDocument>,
    {
        let mut guard = self.writer()?;
        let writer = guard.as_mut().ok_or(SearchError::WriterPoisoned)?;
        let result = (|| {
            writer.delete_all_documents()?;
            let mut n = 0u64;
            for doc in docs {
                writer.add_document(self.to_tantivy(&doc)?)?;
                n += 1;
            }
            commit_with_payload(writer)?;
            Ok(n)
        })();
        match result {
            Ok(n) => {
                self.reload()?;
                Ok(n)
            }
            Err(e) => {
                // Best effort: the error that matters is the first one.
                let _ = writer.rollback();
                Err(e)
            }
        }
    }

    /// Waits for background segment merges to finish (after a rebuild, so that searches
    /// scan a few large segments rather than many small ones).
    pub fn wait_for_merges(&self) -> Result<(), SearchError> {
        let mut guard = self.writer()?;
        let writer = guard.take().ok_or(SearchError::WriterPoisoned)?;
        writer.wait_merging_threads()?;
        *guard = Some(new_writer(&self.index, &self.options)?);
        drop(guard);
        self.reload()
    }

    /// Documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Segments visible to searches (for diagnostics and benchmarks).
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Analyzes one language version's text into `tokens`, after the tokens already there.
    fn append_tokens(&self, slot: usize, text: &str, tokens: &mut Vec<Token>) {
        if text.is_empty() {
            return;
        }
        let base = tokens
            .last()
            .map(|t| t.position + POSITION_GAP)
            .unwrap_or(0);
        let mut analyzer = self.analyzers[slot].1.clone();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let mut t = stream.token().clone();
            t.position += base;
            tokens.push(t);
        }
    }

    fn to_tantivy(&self, doc: &SearchDocument) -> Result<TantivyDocument, SearchError> {
        doc.validate()
            .map_err(|source| SearchError::InvalidDocument {
                id: doc.id.clone(),
                source,
            })?;
        let f = &self.fields;
        let mut t = TantivyDocument::new();
        t.add_text(f.id, &doc.id);
        t.add_u64(f.key, fnv1a(doc.id.as_bytes()));
        let words = Words::of(doc);
        t.add_u64(f.mask, words.mask);
        t.add_u64(f.place, words.place);
        for (field, word) in f.countries.iter().zip(words.countries) {
            t.add_u64(*field, word);
        }
        t.add_i64(f.published, day_number(doc.published));
        for n in doc.objective_numbers() {
            t.add_u64(f.objectives, u64::from(n));
        }
        if let Some(o) = doc.original() {
            t.add_u64(f.original, o.language.index() as u64);
        }
        for v in &doc.versions {
            let slot = v.language.index();
            // Twice: a title word counts double. That is how titles rank higher without a
            // second field to search.
            t.add_text(f.body, tagged(slot, &v.title));
            t.add_text(f.body, tagged(slot, &v.title));
            if !v.summary.is_empty() {
                t.add_text(f.body, tagged(slot, &v.summary));
            }
            if !v.body.is_empty() {
                t.add_text(f.body, tagged(slot, &v.body));
            }
            t.add_text(f.stored_title[slot], &v.title);
            t.add_text(f.stored_text[slot], join_text(&v.summary, &v.body));
        }
        for o in &doc.organizations {
            t.add_text(f.body, tagged(NAMES_SLOT, &o.name));
        }
        for c in &doc.countries {
            if let Some(country) = crate::document::country(*c) {
                t.add_text(f.body, tagged(NAMES_SLOT, &country.name));
            }
        }
        Ok(t)
    }

    /// Runs a search.
    ///
    /// Every word must match somewhere in the item: in any language version's title or text
    /// (each analyzed with its language's rules), or in its organization and country names.
    /// Filters are ANDed across facets and ORed within one; facet counts are multi-select
    /// (see [`SearchResults::facets`]).
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let parsed = query::parse(&request.query);
        let rank_by = match (request.sort, parsed.is_empty()) {
            (Sort::Relevance, false) => RankBy::Score,
            (Sort::Relevance, true) | (Sort::Newest, _) => RankBy::Newest,
            (Sort::Oldest, _) => RankBy::Oldest,
        };
        let fingerprint = fingerprint(&request.query, &request.filters, request.sort);
        let below = match request.cursor {
            None => None,
            Some(c) if c.sort == request.sort && c.fingerprint == fingerprint => Some(c.rank),
            Some(_) => return Err(SearchError::CursorMismatch),
        };
        let searcher = self.reader.searcher();
        let (tquery, terms) = self.build_query(&parsed);
        let limit = request.page_size.get();
        let collector = SearchCollector {
            rank_by,
            limit,
            below,
            filters: Arc::new(request.filters.compile()),
            count_facets: request.facets,
            words: self.words.clone(),
        };
        let Fruit {
            total,
            remaining,
            top,
            counters,
        } = searcher.search(tquery.as_ref(), &collector)?;
        let mut snippets = Snippets::new(terms);
        let mut hits = Vec::with_capacity(top.len());
        for (rank, address) in &top {
            hits.push(self.hit(
                &searcher,
                *address,
                (rank_by == RankBy::Score).then(|| rank_score(*rank)),
                request.language,
                Some(&mut snippets),
            )?);
        }
        let next_cursor = match top.last() {
            Some((rank, _)) if remaining > top.len() as u64 => Some(Cursor {
                sort: request.sort,
                fingerprint,
                rank: *rank,
            }),
            _ => None,
        };
        Ok(SearchResults {
            total,
            hits,
            next_cursor,
            facets: counters.map(|c| c.into_facet_counts()).unwrap_or_default(),
        })
    }

    /// Items related to `id`: similar text (the terms that best characterise its original
    /// version and any English version) plus shared objectives. Empty when the id is unknown.
    pub fn more_like_this(&self, id: &str, n: usize) -> Result<Vec<Hit>, SearchError> {
        let n = n.min(crate::cursor::MAX_PAGE_SIZE);
        let searcher = self.reader.searcher();
        let id_term = Term::from_field_text(self.fields.id, id);
        let found = searcher.search(
            &TermQuery::new(id_term.clone(), IndexRecordOption::Basic),
            &TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, address)) = found.first() else {
            return Ok(Vec::new());
        };
        if n == 0 {
            return Ok(Vec::new());
        }
        let stored: TantivyDocument = searcher.doc(*address)?;
        let original = stored
            .get_first(self.fields.original)
            .and_then(|v| v.as_u64())
            .and_then(|i| Language::ALL.get(i as usize).copied())
            .unwrap_or(Language::En);
        let mut tokens = Vec::new();
        let mut languages = vec![original];
        if original != Language::En {
            languages.push(Language::En);
        }
        for l in languages {
            for field in [
                self.fields.stored_title[l.index()],
                self.fields.stored_text[l.index()],
            ] {
                if let Some(text) = stored.get_first(field).and_then(|v| v.as_str()) {
                    self.append_tokens(l.index(), text, &mut tokens);
                }
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !tokens.is_empty() {
            let mlt = MoreLikeThisQuery::builder()
                .with_min_doc_frequency(2)
                .with_max_doc_frequency(searcher.num_docs() / 2 + 1)
                .with_min_term_frequency(1)
                .with_max_query_terms(25)
                .with_min_word_length(2)
                .with_document_fields(vec![(
                    self.fields.body,
                    vec![OwnedValue::PreTokStr(PreTokenizedString {
                        text: String::new(),
                        tokens,
                    })],
                )]);
            clauses.push((Occur::Should, Box::new(mlt)));
        }
        let mask = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64(F_MASK)?
            .first(address.doc_id)
            .unwrap_or(0);
        for o in 1..=23u8 {
            if has(mask, FacetValue::Objective(o)) {
                let term = Term::from_field_u64(self.fields.objectives, u64::from(o));
                clauses.push((
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                        SHARED_OBJECTIVE_SCORE,
                    )),
                ));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(id_term, IndexRecordOption::Basic)),
        ));
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(n).order_by_score())?;
        top.into_iter()
            .map(|(score, address)| self.hit(&searcher, address, Some(score), None, None))
            .collect()
    }

    /// The items whose text is closest to a free text (a hub request's title and
    /// description), best first, at most `n`, each as its key (`Index::key_of` its id) and
    /// score. The text is analysed by every language's analysis, as queries are, and the
    /// terms that best characterise it (the rarest in the index among those it holds) are
    /// sought in every language version of every item.
    pub fn similar_to_text(&self, text: &str, n: usize) -> Result<Vec<(u64, f32)>, SearchError> {
        let n = n.min(MAX_SIMILAR);
        let mut tokens = Vec::new();
        for slot in 0..self.analyzers.len() {
            self.append_tokens(slot, text, &mut tokens);
        }
        if tokens.is_empty() || n == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let query = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency(searcher.num_docs() / 2 + 1)
            .with_min_term_frequency(1)
            .with_max_query_terms(200)
            .with_min_word_length(2)
            .with_document_fields(vec![(
                self.fields.body,
                vec![OwnedValue::PreTokStr(PreTokenizedString {
                    text: String::new(),
                    tokens,
                })],
            )]);
        let top = searcher.search(&query, &TopDocs::with_limit(n).order_by_score())?;
        top.into_iter()
            .map(|(score, address)| {
                let key = searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .u64(F_KEY)?
                    .first(address.doc_id)
                    .unwrap_or(0);
                Ok((key, score))
            })
            .collect()
    }

    /// The key an item is known by in [`Index::similar_to_text`]'s answers.
    pub fn key_of(id: &str) -> u64 {
        fnv1a(id.as_bytes())
    }

    /// An item's title and text in its original language (or the first it has), for
    /// explaining a match.
    pub fn document_text(&self, id: &str) -> Result<Option<String>, SearchError> {
        let searcher = self.reader.searcher();
        let found = searcher.search(
            &TermQuery::new(
                Term::from_field_text(self.fields.id, id),
                IndexRecordOption::Basic,
            ),
            &TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, address)) = found.first() else {
            return Ok(None);
        };
        let stored: TantivyDocument = searcher.doc(*address)?;
        let original = stored
            .get_first(self.fields.original)
            .and_then(|v| v.as_u64())
            .and_then(|i| Language::ALL.get(i as usize).copied());
        let languages = original.into_iter().chain(Language::ALL);
        for l in languages {
            let get = |field: Field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let title = get(self.fields.stored_title[l.index()]);
            if !title.is_empty() {
                return Ok(Some(format!(
                    "{title}\n{}",
                    get(self.fields.stored_text[l.index()])
                )));
            }
        }
        Ok(None)
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: Option<f32>,
        preferred: Option<Language>,
        snippets: Option<&mut Snippets>,
    ) -> Result<Hit, SearchError> {
        let stored: TantivyDocument = searcher.doc(address)?;
        let segment = searcher.segment_reader(address.segment_ord);
        let fast = segment.fast_fields();
        let mask = fast.u64(F_MASK)?.first(address.doc_id).unwrap_or(0);
        let day = fast.i64(F_PUBLISHED)?.first(address.doc_id).unwrap_or(0);
        let id = stored
            .get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        let original = stored
            .get_first(self.fields.original)
            .and_then(|v| v.as_u64())
            .and_then(|i| Language::ALL.get(i as usize).copied());
        let text_of = |l: Language, title: bool| -> String {
            let field = if title {
                self.fields.stored_title[l.index()]
            } else {
                self.fields.stored_text[l.index()]
            };
            stored
                .get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let languages: Vec<Language> = Language::ALL
            .into_iter()
            .filter(|l| has(mask, FacetValue::Language(*l)))
            .collect();
        let kind = ItemKind::ALL
            .into_iter()
            .find(|k| has(mask, FacetValue::Kind(*k)))
            .unwrap_or(ItemKind::Practice);
        // The order to look for a version to show: the reader's language, the original, the
        // rest.
        let mut order: Vec<Language> = Vec::with_capacity(6);
        for l in preferred.into_iter().chain(original).chain(Language::ALL) {
            if languages.contains(&l) && !order.contains(&l) {
                order.push(l);
            }
        }
        let default_language = order.first().copied().unwrap_or(Language::En);
        let published = date_of_day(day);
        let Some(snippets) = snippets else {
            let title = text_of(default_language, true);
            return Ok(Hit {
                id,
                kind,
                score,
                published,
                language: default_language,
                title_html: escape_html(&title),
                title,
                snippet_html: lead(&text_of(default_language, false)),
                languages,
            });
        };
        // The first version (in that order) whose text or title matched; its snippet if the
        // text matched, else the start of its text.
        let mut chosen: Option<(Language, Option<String>, Option<String>)> = None;
        for l in &order {
            let title_html = snippets.title(self, *l, &text_of(*l, true));
            let text_html = snippets.text(self, *l, &text_of(*l, false));
            if text_html.is_some() || title_html.is_some() {
                chosen = Some((*l, title_html, text_html));
                break;
            }
        }
        let (language, title_html, text_html) = chosen.unwrap_or((default_language, None, None));
        let title = text_of(language, true);
        Ok(Hit {
            id,
            kind,
            score,
            published,
            language,
            title_html: title_html.unwrap_or_else(|| escape_html(&title)),
            title,
            snippet_html: text_html.unwrap_or_else(|| lead(&text_of(language, false))),
            languages,
        })
    }

    #[doc(hidden)]
    pub fn xp_query(&self, text: &str) -> (Box<dyn Query>, Searcher) {
        (
            self.build_query(&query::parse(text)).0,
            self.reader.searcher(),
        )
    }

    /// Builds the tantivy query and collects the terms it looks for (for highlighting).
    fn build_query(&self, parsed: &ParsedQuery) -> (Box<dyn Query>, BTreeSet<String>) {
        let mut terms = BTreeSet::new();
        if parsed.is_browse() {
            return (Box::new(AllQuery), terms);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in &parsed.must {
            // Every analyzer makes a term of any letter or digit, so a clause only comes
            // back empty when its words are all over-long tokens: nothing to match.
            if let Some(q) = self.clause_query(c, &mut terms) {
                clauses.push((Occur::Must, q));
            }
        }
        // Something was typed but nothing in it is searchable: no hits, rather than all.
        if clauses.is_empty() {
            return (Box::new(EmptyQuery), terms);
        }
        for c in &parsed.must_not {
            if let Some(q) = self.clause_query(c, &mut BTreeSet::new()) {
                clauses.push((Occur::MustNot, q));
            }
        }
        (Box::new(BooleanQuery::new(clauses)), terms)
    }

    /// One clause: the distinct shapes its text takes under each analyzer, any of them
    /// matching.
    fn clause_query(
        &self,
        clause: &Clause,
        terms: &mut BTreeSet<String>,
    ) -> Option<Box<dyn Query>> {
        let mut shapes: BTreeSet<Shape> = BTreeSet::new();
        for (language, analyzer) in &self.analyzers {
            let mut a = analyzer.clone();
            let shape = match clause {
                Clause::Word(w) => word_shape(*language, &mut a, w),
                Clause::Phrase {
                    text,
                    prefix: false,
                } => phrase_shape(&mut a, text),
                Clause::Phrase { text, prefix: true } => {
                    let mut pa = analysis::prefix_analyzer(*language);
                    phrase_prefix_shape(&mut a, &mut pa, text)
                }
            };
            if let Some(shape) = shape {
                shapes.insert(shape);
            }
        }
        let mut body: Vec<Box<dyn Query>> = Vec::new();
        for shape in &shapes {
            shape.collect_terms(terms);
            body.push(shape.query(self.fields.body));
        }
        match body.len() {
            0 => None,
            1 => body.pop(),
            _ => Some(Box::new(BooleanQuery::union(body))),
        }
    }
}

/// What one analyzer makes of a clause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Term(String),
    /// Terms at positions, adjacent.
    Phrase(Vec<(usize, String)>),
    /// Terms that must all occur (unquoted Chinese).
    All(Vec<String>),
    /// A phrase whose last term is a prefix (a lone prefix when it is the only one).
    PhrasePrefix(Vec<(usize, String)>),
}

impl Shape {
    fn query(&self, field: Field) -> Box<dyn Query> {
        let term = |t: &str| Term::from_field_text(field, t);
        match self {
            Shape::Term(t) => Box::new(TermQuery::new(term(t), IndexRecordOption::WithFreqs)),
            Shape::Phrase(ts) => Box::new(PhraseQuery::new_with_offset(
                ts.iter().map(|(p, t)| (*p, term(t))).collect(),
            )),
            Shape::All(ts) => Box::new(BooleanQuery::intersection(
                ts.iter()
                    .map(|t| {
                        Box::new(TermQuery::new(term(t), IndexRecordOption::WithFreqs))
                            as Box<dyn Query>
                    })
                    .collect(),
            )),
            Shape::PhrasePrefix(ts) => {
                let mut q = PhrasePrefixQuery::new_with_offset(
                    ts.iter().map(|(p, t)| (*p, term(t))).collect(),
                );
                q.set_max_expansions(PREFIX_EXPANSIONS);
                Box::new(q)
            }
        }
    }

    fn collect_terms(&self, out: &mut BTreeSet<String>) {
        match self {
            Shape::Term(t) => {
                out.insert(t.clone());
            }
            Shape::Phrase(ts) => out.extend(ts.iter().map(|(_, t)| t.clone())),
            Shape::All(ts) => out.extend(ts.iter().cloned()),
            // The prefix itself is no term; the words before it are.
            Shape::PhrasePrefix(ts) => out.extend(ts.iter().rev().skip(1).map(|(_, t)| t.clone())),
        }
    }
}

fn commit_with_payload(writer: &mut IndexWriter) -> Result<(), SearchError> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload());
    prepared.commit()?;
    Ok(())
}

fn has(mask: u64, v: FacetValue) -> bool {
    matches!(v.slot(), Slot::Mask(b) if mask & (1 << b) != 0)
}

fn new_writer(index: &tantivy::Index, options: &IndexOptions) -> Result<IndexWriter, SearchError> {
    let threads = options.writer_threads.max(1);
    // tantivy refuses less than 15 MB per thread.
    let memory = options.writer_memory_bytes.max(threads * 16_000_000);
    Ok(index.writer_with_num_threads(threads, memory)?)
}

fn same_schema(a: &Schema, b: &Schema) -> bool {
    let fa: Vec<_> = a.fields().map(|(_, e)| e.clone()).collect();
    let fb: Vec<_> = b.fields().map(|(_, e)| e.clone()).collect();
    fa == fb
}

fn join_text(summary: &str, body: &str) -> String {
    match (summary.is_empty(), body.is_empty()) {
        (_, true) => summary.to_owned(),
        (true, false) => body.to_owned(),
        (false, false) => format!("{summary}\n\n{body}"),
    }
}

fn word_shape(
    language: Option<Language>,
    analyzer: &mut TextAnalyzer,
    word: &str,
) -> Option<Shape> {
    let mut terms = analysis::terms(analyzer, word);
    match terms.len() {
        0 => None,
        1 => {
            let (_, text) = terms.remove(0);
            // Chinese is indexed as bigrams: a single ideograph matches the bigrams it
            // starts, rather than nothing.
            let mut chars = text.chars();
            if language == Some(Language::Zh)
                && chars.next().is_some_and(is_cjk)
                && chars.next().is_none()
            {
                return Some(Shape::PhrasePrefix(vec![(0, text)]));
            }
            Some(Shape::Term(text))
        }
        // Unquoted Chinese: every bigram must occur, in any order (a dictionary segmenter
        // would do about the same); quotes ask for adjacency.
        _ if language == Some(Language::Zh) => {
            Some(Shape::All(terms.into_iter().map(|(_, t)| t).collect()))
        }
        _ => Some(Shape::Phrase(terms)),
    }
}

fn phrase_shape(analyzer: &mut TextAnalyzer, text: &str) -> Option<Shape> {
    let mut terms = analysis::terms(analyzer, text);
    match terms.len() {
        0 => None,
        1 => Some(Shape::Term(terms.remove(0).1)),
        _ => Some(Shape::Phrase(terms)),
    }
}

/// `"fair recr*"`: the leading words analyzed as usual, the last one only normalized (a
/// stemmer would cut a prefix as if it were a word).
fn phrase_prefix_shape(
    analyzer: &mut TextAnalyzer,
    prefix_analyzer: &mut TextAnalyzer,
    text: &str,
) -> Option<Shape> {
    let (head, last) = match text.rsplit_once(char::is_whitespace) {
        Some((h, l)) => (h.trim(), l),
        None => ("", text),
    };
    let mut terms = analysis::terms(analyzer, head);
    let next = terms.last().map(|(p, _)| p + 1).unwrap_or(0);
    let prefix = analysis::terms(prefix_analyzer, last);
    if prefix.is_empty() {
        return None;
    }
    // A "prefix" the normalizer splits ("l'integr") contributes its pieces in order, the
    // last of them as the prefix.
    for (i, (_, t)) in prefix.into_iter().enumerate() {
        terms.push((next + i, t));
    }
    Some(Shape::PhrasePrefix(terms))
}

/// Highlighting: per language, a snippet generator over the query's terms with that
/// language's analyzer, made on first use.
struct Snippets {
    terms: BTreeMap<String, f32>,
    text: [Option<SnippetGenerator>; 6],
    title: [Option<SnippetGenerator>; 6],
}

impl Snippets {
    fn new(terms: BTreeSet<String>) -> Snippets {
        Snippets {
            terms: terms.into_iter().map(|t| (t, 1.0)).collect(),
            text: Default::default(),
            title: Default::default(),
        }
    }

    fn generate(
        slot: &mut Option<SnippetGenerator>,
        index: &Index,
        terms: &BTreeMap<String, f32>,
        l: Language,
        text: &str,
        max_chars: usize,
    ) -> Option<Snippet> {
        if terms.is_empty() || text.is_empty() {
            return None;
        }
        let generator = slot.get_or_insert_with(|| {
            SnippetGenerator::new(
                terms.clone(),
                index.analyzers[l.index()].1.clone(),
                index.fields.body,
                max_chars,
            )
        });
        let mut snippet = generator.snippet(text);
        if snippet.is_empty() {
            return None;
        }
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        Some(snippet)
    }

    /// An excerpt of the summary and body with the matches marked. The summary is tried
    /// alone first: it is short, usually holds a match, and analysing a whole body for
    /// each of twenty hits is what a results page would otherwise spend its time on.
    fn text(&mut self, index: &Index, l: Language, text: &str) -> Option<String> {
        let (summary, rest) = text.split_once("\n\n").unwrap_or((text, ""));
        let slot = &mut self.text[l.index()];
        Snippets::generate(slot, index, &self.terms, l, summary, SNIPPET_CHARS)
            .or_else(|| Snippets::generate(slot, index, &self.terms, l, rest, SNIPPET_CHARS))
            .map(|s| s.to_html())
    }

    /// The whole title with its matches marked, or `None` when nothing in it matched.
    fn title(&mut self, index: &Index, l: Language, text: &str) -> Option<String> {
        let snippet = Snippets::generate(
            &mut self.title[l.index()],
            index,
            &self.terms,
            l,
            text,
            MAX_TITLE_BYTES,
        )?;
        // A title is shown whole: use the snippet only if its fragment is the whole title.
        (snippet.fragment().len() == text.len()).then(|| snippet.to_html())
    }
}

/// Escapes text for HTML element content and attribute values: the platform's one escaper
/// (`marrakech_core::markup`).
pub fn escape_html(text: &str) -> String {
    marrakech_core::markup::escape_html(text).into_owned()
}

/// The start of a text, cut at a word boundary, escaped: the snippet when nothing in the text
/// matched (the match was in a title or a name).
fn lead(text: &str) -> String {
    if text.chars().count() <= SNIPPET_CHARS {
        return escape_html(text.trim());
    }
    let cut: String = text.chars().take(SNIPPET_CHARS).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > SNIPPET_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", escape_html(cut.trim_end()))
}

fn fingerprint(query: &str, filters: &Filters, sort: Sort) -> u32 {
    let mut s = String::with_capacity(query.len() + 64);
    s.push_str(query.trim());
    s.push('\u{0}');
    s.push_str(sort.name());
    for (facet, values) in filters.iter() {
        s.push('\u{0}');
        s.push_str(facet.name());
        for v in values {
            s.push('=');
            s.push_str(&v.to_string());
        }
    }
    let h = fnv1a(s.as_bytes());
    (h ^ (h >> 32)) as u32
}

fn rank_score(rank: Rank) -> f32 {
    let bits = rank.0 as u32;
    let raw = if bits & 0x8000_0000 != 0 {
        bits & 0x7fff_ffff
    } else {
        !bits
    };
    f32::from_bits(raw)
}

/// Days since 1970-01-01.
fn day_number(date: time::Date) -> i64 {
    i64::from(date.to_julian_day()) - i64::from(time::macros::date!(1970 - 01 - 01).to_julian_day())
}

fn date_of_day(day: i64) -> time::Date {
    let epoch = time::macros::date!(1970 - 01 - 01).to_julian_day();
    i32::try_from(i64::from(epoch) + day)
        .ok()
        .and_then(|j| time::Date::from_julian_day(j).ok())
        .unwrap_or(time::macros::date!(1970 - 01 - 01))
}
