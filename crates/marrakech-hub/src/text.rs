//! Text similarity. The platform plugs in its search index through [`TextSimilarity`]; this
//! module's [`Bm25`] is a standalone Okapi BM25 over the candidates' texts, for the
//! evaluation, the benchmark and any deployment without an index.
//!
//! Why not the search crate's `more_like_this`: it finds items like an item already in the
//! index (by id), while the hub compares a request that is not in the index, against partners
//! that are not items either. The knowledge platform's tantivy index can implement this trait
//! for items (a query made of the request's text, answered with item ids and scores).

use std::collections::HashMap;

/// One similar document and its raw score (any positive scale).
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    pub id: String,
    pub score: f32,
}

/// A source of text similarity between a request and a collection of documents (partners'
/// profiles, knowledge items, past requests), identified by their ids.
pub trait TextSimilarity: Send + Sync {
    /// At most `limit` documents most similar to `query`, best first, each with a score > 0.
    /// The matcher divides by the best score, so only the ratios matter.
    fn most_similar(&self, query: &str, limit: usize) -> Vec<TextHit>;

    /// Words the query and document `id` share, the most telling first, at most `max`, for
    /// the explanation. The default says nothing.
    fn shared_terms(&self, query: &str, id: &str, max: usize) -> Vec<String> {
        let _ = (query, id, max);
        Vec::new()
    }
}

/// BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// An in-memory Okapi BM25 index (k1 = 1.2, b = 0.75) with the [`analyze`] analysis:
/// lower case, stop words removed, light English suffix stripping.
#[derive(Debug, Clone)]
pub struct Bm25 {
    ids: Vec<String>,
    positions: HashMap<String, u32>,
    vocabulary: HashMap<String, u32>,
    /// Term t's postings are `docs[offsets[t]..offsets[t + 1]]`, ascending.
    offsets: Vec<u32>,
    docs: Vec<u32>,
    frequencies: Vec<u16>,
    idf: Vec<f32>,
    /// `K1 * (1 - B + B * length / average length)` per document.
    norms: Vec<f32>,
}

impl Bm25 {
    /// Indexes `(id, text)` pairs. Ids are expected unique; a repeated id keeps its first
    /// position for [`TextSimilarity::shared_terms`].
    pub fn new<I, S, T>(documents: I) -> Bm25
    where
        I: IntoIterator<Item = (S, T)>,
        S: Into<String>,
        T: AsRef<str>,
    {
        let mut ids = Vec::new();
        let mut vocabulary: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<(u32, u16)>> = Vec::new();
        let mut lengths = Vec::new();
        let mut counts: HashMap<u32, u16> = HashMap::new();
        for (doc, (id, text)) in documents.into_iter().enumerate() {
            ids.push(id.into());
            counts.clear();
            let mut length = 0u32;
            for (stem, _) in analyze(text.as_ref()) {
                length += 1;
                let next = vocabulary.len() as u32;
                let term = *vocabulary.entry(stem).or_insert(next);
                if term as usize == postings.len() {
                    postings.push(Vec::new());
                }
                let c = counts.entry(term).or_insert(0);
                *c = c.saturating_add(1);
            }
            lengths.push(length);
            for (&term, &tf) in &counts {
                postings[term as usize].push((doc as u32, tf));
            }
        }
        let n = ids.len() as f32;
        let average =
            (lengths.iter().map(|&l| l as f64).sum::<f64>() / n.max(1.0) as f64).max(1.0) as f32;
        let norms = lengths
            .iter()
            .map(|&l| K1 * (1.0 - B + B * l as f32 / average))
            .collect();
        let mut offsets = Vec::with_capacity(postings.len() + 1);
        let total: usize = postings.iter().map(Vec::len).sum();
        let mut docs = Vec::with_capacity(total);
        let mut frequencies = Vec::with_capacity(total);
        let mut idf = Vec::with_capacity(postings.len());
        offsets.push(0);
        for list in postings {
            let df = list.len() as f32;
            idf.push((1.0 + (n - df + 0.5) / (df + 0.5)).ln());
            for (d, tf) in list {
                docs.push(d);
                frequencies.push(tf);
            }
            offsets.push(docs.len() as u32);
        }
        let mut positions = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            positions.entry(id.clone()).or_insert(i as u32);
        }
        Bm25 {
            ids,
            positions,
            vocabulary,
            offsets,
            docs,
            frequencies,
            idf,
            norms,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The query's distinct known terms with their surface form.
    fn query_terms(&self, query: &str) -> Vec<(u32, String)> {
        let mut terms: Vec<(u32, String)> = Vec::new();
        for (stem, surface) in analyze(query) {
            if let Some(&t) = self.vocabulary.get(&stem) {
                if !terms.iter().any(|(x, _)| *x == t) {
                    terms.push((t, surface));
                }
            }
        }
        terms
    }

    fn postings(&self, term: u32) -> (&[u32], &[u16]) {
        let (a, b) = (
            self.offsets[term as usize] as usize,
            self.offsets[term as usize + 1] as usize,
        );
        (&self.docs[a..b], &self.frequencies[a..b])
    }
}

impl TextSimilarity for Bm25 {
    fn most_similar(&self, query: &str, limit: usize) -> Vec<TextHit> {
        if limit == 0 || self.ids.is_empty() {
            return Vec::new();
        }
        let mut scores = vec![0f32; self.ids.len()];
        let mut touched: Vec<u32> = Vec::new();
        for (term, _) in self.query_terms(query) {
            let idf = self.idf[term as usize];
            let (docs, tfs) = self.postings(term);
            for (&d, &tf) in docs.iter().zip(tfs) {
                let tf = f32::from(tf);
                let s = &mut scores[d as usize];
                if *s == 0.0 {
                    touched.push(d);
                }
                *s += idf * tf * (K1 + 1.0) / (tf + self.norms[d as usize]);
            }
        }
        touched.retain(|&d| scores[d as usize] > 0.0);
        let better = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then(a.cmp(b))
        };
        if touched.len() > limit {
            touched.select_nth_unstable_by(limit - 1, better);
            touched.truncate(limit);
        }
        touched.sort_unstable_by(better);
        touched
            .into_iter()
            .map(|d| TextHit {
                id: self.ids[d as usize].clone(),
                score: scores[d as usize],
            })
            .collect()
    }

    fn shared_terms(&self, query: &str, id: &str, max: usize) -> Vec<String> {
        let Some(&doc) = self.positions.get(id) else {
            return Vec::new();
        };
        let mut shared: Vec<(f32, String)> = self
            .query_terms(query)
            .into_iter()
            .filter(|(t, _)| self.postings(*t).0.binary_search(&doc).is_ok())
            .map(|(t, surface)| (self.idf[t as usize], surface))
            .collect();
        shared.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        shared.into_iter().take(max).map(|(_, s)| s).collect()
    }
}

/// Function words of English, French and Spanish (the texts' main languages), left out.
const STOP_WORDS: &[&str] = &[
    "a", "about", "across", "after", "all", "also", "an", "and", "any", "are", "as", "at", "au",
    "aux", "be", "been", "being", "between", "both", "but", "by", "can", "con", "could", "de",
    "del", "des", "did", "do", "does", "du", "each", "el", "en", "et", "for", "from", "had", "has",
    "have", "how", "if", "in", "into", "is", "it", "its", "la", "las", "le", "les", "los", "more",
    "most", "much", "new", "no", "not", "of", "on", "one", "or", "other", "our", "out", "over",
    "par", "para", "per", "por", "pour", "so", "some", "such", "sur", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "two",
    "un", "una", "under", "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "will", "with", "within", "without", "would", "y", "you", "your",
];

/// Splits `text` into `(stem, surface)` pairs: words of letters and digits, lower-cased,
/// stop words and one-character words dropped, then [`stem`]med.
pub fn analyze(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter_map(|w| {
            let lower = w.to_lowercase();
            if lower.chars().count() < 2 || STOP_WORDS.binary_search(&lower.as_str()).is_ok() {
                return None;
            }
            Some((stem(&lower), lower))
        })
}

/// A light English suffix stripper, the same for queries and documents: plurals
/// (`-ies`, `-sses`, `-s`), then `-ing` and `-ed` when enough of the word remains. Good
/// enough to meet "migrants"/"migrant" and "trafficking"/"trafficked"; not a linguist.
pub fn stem(word: &str) -> String {
    if !word.is_ascii() {
        return word.to_owned();
    }
    let mut w = word.to_owned();
    if w.len() > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        w.truncate(w.len() - 1);
    }
    if w.len() > 5 && w.ends_with("ing") {
        w.truncate(w.len() - 3);
    } else if w.len() > 4 && w.ends_with("ed") && !w.ends_with("eed") {
        w.truncate(w.len() - 2);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn analysis_meets_word_forms() {
        assert_eq!(stem("migrants"), "migrant");
        assert_eq!(stem("trafficking"), stem("trafficked"));
        assert_eq!(stem("countries"), "country");
        assert_eq!(stem("remittances"), stem("remittance"));
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("analysis"), "analysis");
        assert_eq!(stem("need"), "need");
        let words: Vec<String> = analyze("The Migrants' remittances, in 2030: a plan!")
            .map(|(s, _)| s)
            .collect();
        assert_eq!(words, ["migrant", "remittance", "2030", "plan"]);
    }

    #[test]
    fn bm25_ranks_by_rare_shared_terms() {
        let index = Bm25::new([
            (
                "a",
                "remittance costs in the corridor, digital remittance channels",
            ),
            (
                "b",
                "labour migration and fair recruitment of migrant workers",
            ),
            ("c", "migrant workers and remittance"),
            ("d", "nothing in common"),
        ]);
        let hits = index.most_similar("cheaper digital remittances for migrant workers", 10);
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        // c meets three of the query's words in a short text, a two (one twice), b two common ones.
        assert_eq!(ids, ["c", "a", "b"]);
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(
            index.most_similar("cheaper digital remittances", 1).len(),
            1
        );
        assert!(index.most_similar("unrelated words", 10).is_empty());
        assert_eq!(
            index.shared_terms("digital remittances for workers", "a", 5),
            ["digital", "remittances"]
        );
        assert!(index.shared_terms("digital", "zzz", 5).is_empty());
    }

    #[test]
    fn bm25_scores_match_the_formula() {
        // Two documents of lengths 2 and 1 (average 1.5); "remittance" is in one of them.
        let index = Bm25::new([("a", "remittance costs"), ("b", "costs")]);
        let hits = index.most_similar("remittance", 5);
        let idf = (1.0f32 + (2.0 - 1.0 + 0.5) / (1.0 + 0.5)).ln();
        let norm = 1.2 * (1.0 - 0.75 + 0.75 * 2.0 / 1.5);
        let expected = idf * 2.2 / (1.0 + norm);
        assert_eq!(hits.len(), 1);
        assert!((hits[0].score - expected).abs() < 1e-6);
    }
}
