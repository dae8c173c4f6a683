//! The query language, parsed without ever failing.
//!
//! - words: every word must match (in any language version, title, text or names);
//! - `"a phrase"`: the words adjacent and in order;
//! - `word*`: any indexed term starting with `word` (at least two characters before the `*`);
//!   `"fair recr*"` is a phrase whose last word is a prefix;
//! - `-word`, `-"a phrase"`: exclude items that match.
//!
//! Whatever does not fit (an unbalanced quote, a lone `*` or `-`, an exclusion with nothing to
//! exclude from) is read as plain text, so a query never errors: the worst a typo can do is
//! match fewer items.

/// Queries are cut at this many characters; nobody types more and it bounds query cost.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Clauses beyond this many are ignored, for the same reason.
pub const MAX_CLAUSES: usize = 32;
/// A prefix needs this many characters before the `*`; shorter ones would expand to most of
/// the term dictionary.
pub const MIN_PREFIX_CHARS: usize = 2;

/// One unit of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word (analyzed per field; if a field's analyzer splits it, its pieces must be
    /// adjacent, except in Chinese, where they must all occur).
    Word(String),
    /// Words that must be adjacent; the last is a prefix when `prefix` is set.
    Phrase { text: String, prefix: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    pub must: Vec<Clause>,
    pub must_not: Vec<Clause>,
    /// Whether the input had anything but white space, searchable or not: `!!!` searches
    /// for something and finds nothing, where an empty query lists everything.
    pub had_text: bool,
}

impl ParsedQuery {
    /// Whether there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.must.is_empty() && self.must_not.is_empty()
    }

    /// Whether the request is a browse (nothing typed at all).
    pub fn is_browse(&self) -> bool {
        self.is_empty() && !self.had_text
    }
}

/// Parses a query string; never fails.
pub fn parse(input: &str) -> ParsedQuery {
    let text: String = input
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let chars: Vec<char> = text.chars().collect();
    let mut out = ParsedQuery {
        had_text: chars.iter().any(|c| !c.is_whitespace()),
        ..ParsedQuery::default()
    };
    let mut i = 0;
    while i < chars.len() && out.must.len() + out.must_not.len() < MAX_CLAUSES {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negate = false;
        if chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negate = true;
            i += 1;
        }
        let clause = if chars[i] == '"' {
            match chars[i + 1..].iter().position(|c| *c == '"') {
                Some(len) => {
                    let inner: String = chars[i + 1..i + 1 + len].iter().collect();
                    i += len + 2;
                    phrase(inner.trim())
                }
                None => {
                    // An unbalanced quote is punctuation: skip it and read on as words.
                    i += 1;
                    continue;
                }
            }
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            word_or_prefix(&word)
        };
        if let Some(clause) = clause {
            if negate {
                out.must_not.push(clause);
            } else {
                out.must.push(clause);
            }
        }
    }
    // Exclusions alone would mean "everything but": almost certainly a typo ("-fair
    // recruitment" for "fair-recruitment"), so read them as words.
    if out.must.is_empty() && !out.must_not.is_empty() {
        out.must = std::mem::take(&mut out.must_not);
    }
    out
}

/// Punctuation alone (`-`, `(`, `:`) is nothing to search for.
fn searchable(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn word_or_prefix(word: &str) -> Option<Clause> {
    let stem = word.trim_end_matches('*');
    if !searchable(stem) {
        return None;
    }
    if stem.len() < word.len() && stem.chars().count() >= MIN_PREFIX_CHARS {
        return Some(Clause::Phrase {
            text: stem.to_owned(),
            prefix: true,
        });
    }
    Some(Clause::Word(stem.to_owned()))
}

fn phrase(inner: &str) -> Option<Clause> {
    let stem = inner.trim_end_matches('*').trim_end();
    if !searchable(stem) {
        return None;
    }
    let last_len = stem
        .rsplit(char::is_whitespace)
        .next()
        .map(|w| w.chars().count())
        .unwrap_or(0);
    let prefix = stem.len() < inner.len() && last_len >= MIN_PREFIX_CHARS;
    Some(Clause::Phrase {
        text: stem.to_owned(),
        prefix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Clause {
        Clause::Word(w.to_owned())
    }

    fn phrase(t: &str, prefix: bool) -> Clause {
        Clause::Phrase {
            text: t.to_owned(),
            prefix,
        }
    }

    #[test]
    fn words_phrases_prefixes_and_exclusions() {
        let q = parse(r#"labour "fair recruitment" migra* -smuggling -"border wall""#);
        assert_eq!(
            q.must,
            [
                word("labour"),
                phrase("fair recruitment", false),
                phrase("migra", true)
            ]
        );
        assert_eq!(
            q.must_not,
            [word("smuggling"), phrase("border wall", false)]
        );
    }

    #[test]
    fn malformed_input_is_read_as_text() {
        assert_eq!(
            parse(r#""fair recruitment"#).must,
            [word("fair"), word("recruitment")]
        );
        assert_eq!(parse("* - ** \"\" \"*\"").must, Vec::<Clause>::new());
        assert_eq!(parse("m*").must, [word("m")]);
        assert_eq!(parse("-remittances").must, [word("remittances")]);
        assert_eq!(
            parse("AND OR ( ) [ ] : ^ ~").must,
            [word("AND"), word("OR")]
        );
        assert!(parse("").is_browse());
        assert!(parse("   \t\n").is_browse());
        let punctuation = parse("!!! ???");
        assert!(punctuation.is_empty() && !punctuation.is_browse());
    }

    #[test]
    fn phrase_prefix_needs_two_characters() {
        assert_eq!(parse(r#""fair recr*""#).must, [phrase("fair recr", true)]);
        assert_eq!(parse(r#""fair r*""#).must, [phrase("fair r", false)]);
    }

    #[test]
    fn long_queries_are_bounded() {
        let q = parse(&"word ".repeat(1_000));
        assert_eq!(q.must.len(), MAX_CLAUSES);
    }
}
