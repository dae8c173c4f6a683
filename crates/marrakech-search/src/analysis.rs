//! Text analysis: how each language's text becomes index terms.
//!
//! | field language | tokenizer            | filters                                          |
//! |----------------|----------------------|--------------------------------------------------|
//! | en, fr, es     | [`WordTokenizer`]    | drop > 40 bytes, lower case, Snowball stemmer, ASCII folding |
//! | ru             | [`WordTokenizer`]    | drop > 40 bytes, lower case, Snowball stemmer     |
//! | ar             | [`WordTokenizer`] stripping harakat and tatweel | drop > 40 bytes, Snowball Arabic stemmer |
//! | zh             | [`CjkBigramTokenizer`] | drop > 40 bytes, lower case (for Latin words in Chinese text) |
//! | organization and place names | [`WordTokenizer`] | lower case, ASCII folding, no stemming |
//!
//! Folding comes after stemming for French and Spanish because the Snowball stemmers expect
//! accents (`éducation` and `education` stem differently), while users often type without
//! them: stemming first, then folding, makes both spellings meet at `educ`.

use std::cell::RefCell;
use std::collections::HashMap;

use frostem::Algorithm;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter,
    TokenStream, Tokenizer,
};
use tantivy::Index;

use crate::document::Language;

/// Tokens longer than this (in bytes) are dropped: they are base64 blobs or URLs, not words,
/// and tantivy refuses terms above 65,530 bytes anyway.
const MAX_TOKEN_BYTES: usize = 40;

/// The registered analyzer name for a language's text fields.
pub fn analyzer_name(language: Language) -> &'static str {
    match language {
        Language::Ar => "mk_ar",
        Language::Zh => "mk_zh",
        Language::En => "mk_en",
        Language::Fr => "mk_fr",
        Language::Ru => "mk_ru",
        Language::Es => "mk_es",
    }
}

/// The analyzer for organization and place names: no stemming, since names are not inflected
/// words and "IOM" must not become "io".
pub const NAMES_ANALYZER: &str = "mk_names";

/// Builds the analyzer for a language.
pub fn analyzer(language: Language) -> TextAnalyzer {
    match language {
        Language::En => stemmed(Algorithm::English, 0, true),
        Language::Fr => stemmed(Algorithm::French, 1, true),
        Language::Es => stemmed(Algorithm::Spanish, 2, true),
        // Folding would leave Cyrillic untouched anyway; ё/е are left as written.
        Language::Ru => stemmed(Algorithm::Russian, 3, false),
        Language::Ar => TextAnalyzer::builder(WordTokenizer { strip_marks: true })
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(CachedStemmer {
                algorithm: Algorithm::Arabic,
                slot: 4,
            })
            .build(),
        Language::Zh => TextAnalyzer::builder(CjkBigramTokenizer)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .build(),
    }
}

fn stemmed(algorithm: Algorithm, slot: usize, fold: bool) -> TextAnalyzer {
    let base = TextAnalyzer::builder(WordTokenizer { strip_marks: false })
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(CachedStemmer { algorithm, slot });
    if fold {
        base.filter(AsciiFoldingFilter).build()
    } else {
        base.build()
    }
}

/// The analyzer for names.
pub fn names_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer { strip_marks: true })
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Normalizes a prefix the way the language's analyzer would, minus stemming (a stemmer cuts
/// word endings, and a prefix has no ending yet).
pub fn prefix_analyzer(language: Option<Language>) -> TextAnalyzer {
    match language {
        Some(Language::Ru) => TextAnalyzer::builder(WordTokenizer { strip_marks: false })
            .filter(LowerCaser)
            .build(),
        Some(Language::Ar) => TextAnalyzer::builder(WordTokenizer { strip_marks: true })
            .filter(LowerCaser)
            .build(),
        // Chinese prefixes are matched against bigrams by their first character(s): keep the
        // run whole rather than splitting it into bigrams.
        _ => names_analyzer(),
    }
}

/// The analyzer of the shared `title` and `body` fields: each value carries a tag naming the
/// analyzer to use (see [`tagged`]).
pub const MULTI_ANALYZER: &str = "mk_multi";

/// The analyzers by slot: the six languages in [`Language::ALL`] order, then names.
pub fn analyzers() -> Vec<TextAnalyzer> {
    let mut out: Vec<TextAnalyzer> = Language::ALL.into_iter().map(analyzer).collect();
    out.push(names_analyzer());
    out
}

/// The slot of the names analyzer in [`analyzers`].
pub const NAMES_SLOT: usize = 6;

const TAG: u8 = 1;

/// A value for a shared field, tagged with the slot of the analyzer that must read it:
/// `\u{1}` + slot digit + `\u{1}` + text. The tag is never stored or shown.
pub fn tagged(slot: usize, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 3);
    out.push(TAG as char);
    out.push(char::from(b'0' + (slot.min(9)) as u8));
    out.push(TAG as char);
    out.push_str(text);
    out
}

fn untag(text: &str) -> (usize, &str) {
    let b = text.as_bytes();
    if b.len() >= 3 && b[0] == TAG && b[2] == TAG && b[1].is_ascii_digit() {
        let slot = usize::from(b[1] - b'0');
        // Tag bytes are ASCII, so index 3 is a character boundary.
        return (slot.min(NAMES_SLOT), &text[3..]);
    }
    (NAMES_SLOT, text)
}

/// Analyzes each value with the analyzer its tag names: one indexed field holds every
/// language's terms, each analyzed by its own rules.
#[derive(Clone)]
pub struct MultiLanguageTokenizer {
    analyzers: Vec<TextAnalyzer>,
}

impl Tokenizer for MultiLanguageTokenizer {
    type TokenStream<'a> = tantivy::tokenizer::BoxTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let (slot, rest) = untag(text);
        self.analyzers[slot].token_stream(rest)
    }
}

/// Registers every analyzer on the index.
pub fn register(index: &Index) {
    let manager = index.tokenizers();
    for language in Language::ALL {
        manager.register(analyzer_name(language), analyzer(language));
    }
    manager.register(NAMES_ANALYZER, names_analyzer());
    manager.register(
        MULTI_ANALYZER,
        TextAnalyzer::builder(MultiLanguageTokenizer {
            analyzers: analyzers(),
        })
        .build(),
    );
}

/// Arabic short vowels and other marks (harakat, Quranic annotations) and the tatweel: they
/// are written or not at the writer's choice, so they must not change a word's identity.
fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}')
}

/// Han ideographs and the CJK compatibility blocks.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

#[inline]
fn is_word_char(c: char) -> bool {
    // ASCII first: the Unicode tables are a binary search per character.
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

/// Splits on anything that is not a letter or digit, keeping combining marks inside a word
/// (tantivy's `SimpleTokenizer` would split an Arabic word at every vowel mark) and optionally
/// dropping Arabic marks from the term.
#[derive(Clone, Copy, Debug)]
pub struct WordTokenizer {
    pub strip_marks: bool,
}

pub struct WordTokenStream<'a> {
    text: &'a str,
    pos: usize,
    strip_marks: bool,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            text,
            pos: 0,
            strip_marks: self.strip_marks,
            token: Token::default(),
        }
    }
}

fn is_mark(c: char) -> bool {
    is_arabic_mark(c) || matches!(c, '\u{0300}'..='\u{036F}')
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.pos..];
        // Find the start of the next word.
        let Some((start_rel, _)) = rest.char_indices().find(|(_, c)| is_word_char(*c)) else {
            self.pos = self.text.len();
            return false;
        };
        let start = self.pos + start_rel;
        let mut end = start;
        self.token.text.clear();
        for (i, c) in self.text[start..].char_indices() {
            if is_word_char(c) {
                self.token.text.push(c);
            } else if is_mark(c) {
                if !self.strip_marks {
                    self.token.text.push(c);
                }
            } else {
                break;
            }
            end = start + i + c.len_utf8();
        }
        self.pos = end;
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Chinese is written without spaces; a dictionary segmenter (jieba) would add megabytes of
/// dictionary and seconds of start-up. Overlapping bigrams instead index every pair of
/// adjacent ideographs (`移民工人` -> `移民 民工 工人`), with consecutive positions, so a
/// multi-character query becomes a phrase of bigrams and matches exactly that sequence. A
/// lone ideograph between non-ideographs is indexed by itself. Letters and digits outside
/// ideograph runs are words, as in [`WordTokenizer`].
#[derive(Clone, Copy, Debug, Default)]
pub struct CjkBigramTokenizer;

pub struct CjkBigramTokenStream<'a> {
    text: &'a str,
    pos: usize,
    token: Token,
}

impl Tokenizer for CjkBigramTokenizer {
    type TokenStream<'a> = CjkBigramTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkBigramTokenStream<'a> {
        CjkBigramTokenStream {
            text,
            pos: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for CjkBigramTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.pos..];
        let Some((start_rel, first)) = rest.char_indices().find(|(_, c)| is_word_char(*c)) else {
            self.pos = self.text.len();
            return false;
        };
        let start = self.pos + start_rel;
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        self.token.position_length = 1;
        self.token.offset_from = start;
        if is_cjk(first) {
            let second_at = start + first.len_utf8();
            self.token.text.push(first);
            match self.text[second_at..].chars().next() {
                Some(second) if is_cjk(second) => {
                    self.token.text.push(second);
                    self.token.offset_to = second_at + second.len_utf8();
                    // The next bigram starts at the second character: overlap.
                    self.pos = second_at;
                    // A bigram whose second character ends the run is the run's last token;
                    // step past it so the last character is not emitted again alone.
                    let after = self.token.offset_to;
                    if !self.text[after..].chars().next().is_some_and(is_cjk) {
                        self.pos = after;
                    }
                }
                _ => {
                    self.token.offset_to = second_at;
                    self.pos = second_at;
                }
            }
            return true;
        }
        let mut end = start;
        for (i, c) in self.text[start..].char_indices() {
            if is_word_char(c) && !is_cjk(c) {
                self.token.text.push(c);
                end = start + i + c.len_utf8();
            } else {
                break;
            }
        }
        self.token.offset_to = end;
        self.pos = end;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Stems per thread and language, at most this many each (then the cache starts over).
const STEM_CACHE_ENTRIES: usize = 100_000;

thread_local! {
    /// Word -> stem, per stemmed language. Snowball stemming was a third of indexing time;
    /// word frequencies are Zipfian, so a small cache answers most tokens.
    static STEMS: RefCell<[HashMap<String, String>; 5]> = RefCell::new(Default::default());
}

/// The Snowball stemmer tantivy's `Stemmer` runs, with a per-thread cache of stems.
#[derive(Clone, Copy)]
pub struct CachedStemmer {
    algorithm: Algorithm,
    slot: usize,
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            stemmer: self,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    stemmer: CachedStemmer,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(self.stemmer.algorithm),
            slot: self.stemmer.slot,
        }
    }
}

pub struct CachedStemmerStream<T> {
    tail: T,
    stemmer: frostem::Stemmer,
    slot: usize,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        STEMS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let map = &mut cache[self.slot];
            if let Some(stem) = map.get(&token.text) {
                token.text.clear();
                token.text.push_str(stem);
                return;
            }
            let stem = self.stemmer.stem(&token.text).into_owned();
            if map.len() >= STEM_CACHE_ENTRIES {
                map.clear();
            }
            map.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The terms an analyzer makes of a text, with positions (for building queries).
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        terms(&mut analyzer, text)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn french_plural_and_singular_share_a_stem_with_or_without_accents() {
        let a = texts(analyzer(Language::Fr), "travailleurs migrants éducation");
        let b = texts(analyzer(Language::Fr), "travailleur migrant education");
        assert_eq!(a, b);
    }

    #[test]
    fn arabic_marks_do_not_split_or_change_words() {
        // "المهاجرين" (the migrants) written with and without short vowels.
        let plain = texts(analyzer(Language::Ar), "المهاجرين");
        let voweled = texts(analyzer(Language::Ar), "المُهَاجِرِين");
        assert_eq!(plain.len(), 1);
        assert_eq!(plain, voweled);
    }

    #[test]
    fn chinese_becomes_overlapping_bigrams_with_consecutive_positions() {
        let mut a = analyzer(Language::Zh);
        let t = terms(&mut a, "移民工人 ILO 报告");
        let words: Vec<&str> = t.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(words, ["移民", "民工", "工人", "ilo", "报告"]);
        let positions: Vec<usize> = t.iter().map(|(p, _)| *p).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn tagged_values_are_read_by_their_language() {
        let mut multi = TextAnalyzer::builder(MultiLanguageTokenizer {
            analyzers: analyzers(),
        })
        .build();
        let fr = terms(&mut multi, &tagged(Language::Fr.index(), "travailleurs"));
        let en = terms(&mut multi, &tagged(Language::En.index(), "workers"));
        let zh = terms(&mut multi, &tagged(Language::Zh.index(), "移民工人"));
        assert_eq!(fr[0].1, "travailleur");
        assert_eq!(en[0].1, "worker");
        assert_eq!(zh.len(), 3);
        // Untagged text is read as names.
        assert_eq!(terms(&mut multi, "IOM")[0].1, "iom");
    }

    #[test]
    fn a_lone_ideograph_is_its_own_token() {
        assert_eq!(texts(analyzer(Language::Zh), "a 人 b"), ["a", "人", "b"]);
    }

    #[test]
    fn russian_inflections_meet() {
        let a = texts(analyzer(Language::Ru), "мигрантов");
        let b = texts(analyzer(Language::Ru), "мигранты");
        assert_eq!(a, b);
    }

    #[test]
    fn offsets_point_at_the_original_text() {
        let text = "la migración <b>";
        let mut a = analyzer(Language::Es);
        let mut stream = a.token_stream(text);
        let mut spans = Vec::new();
        while stream.advance() {
            let t = stream.token();
            spans.push(&text[t.offset_from..t.offset_to]);
        }
        assert_eq!(spans, ["la", "migración", "b"]);
    }
}
