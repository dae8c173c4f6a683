//! Text matching: languages, phrases, prefixes, cross-language, snippets, malformed input.

mod common;

use common::*;
use marrakech_search::{Language, SearchRequest};

#[test]
fn french_plural_finds_the_singular_and_accents_are_optional() {
    let index = index();
    load(
        &index,
        &[
            doc(
                "fr-1",
                Language::Fr,
                "Protection des travailleurs migrants",
                "Un programme d'éducation pour les familles.",
            ),
            doc("en-1", Language::En, "Border management", "Training."),
        ],
    );
    assert_eq!(ids(&search(&index, "travailleur migrant")), ["fr-1"]);
    assert_eq!(ids(&search(&index, "education")), ["fr-1"]);
    assert_eq!(ids(&search(&index, "famille")), ["fr-1"]);
}

#[test]
fn spanish_and_russian_inflections() {
    let index = index();
    load(
        &index,
        &[
            doc("es-1", Language::Es, "Remesas de los migrantes", "Costos."),
            doc(
                "ru-1",
                Language::Ru,
                "Права трудящихся-мигрантов",
                "Защита мигрантов.",
            ),
        ],
    );
    assert_eq!(ids(&search(&index, "remesa migrante")), ["es-1"]);
    assert_eq!(ids(&search(&index, "мигрант")), ["ru-1"]);
}

#[test]
fn chinese_bigrams_terms_and_phrases() {
    let index = index();
    load(
        &index,
        &[
            doc(
                "zh-1",
                Language::Zh,
                "保护移民工人的权利",
                "该方案在肯尼亚加强公平招聘。",
            ),
            doc("zh-2", Language::Zh, "汇款成本", "降低汇款成本。"),
        ],
    );
    assert_eq!(ids(&search(&index, "移民工人")), ["zh-1"]);
    assert_eq!(ids(&search(&index, "公平招聘")), ["zh-1"]);
    // Unquoted: all bigrams, in any order; quoted: adjacent.
    assert_eq!(ids(&search(&index, "招聘公平")), Vec::<String>::new());
    assert_eq!(ids(&search(&index, "权利 移民")), ["zh-1"]);
    assert_eq!(ids(&search(&index, "\"工人的权利\"")), ["zh-1"]);
    assert_eq!(ids(&search(&index, "\"权利的工人\"")), Vec::<String>::new());
    assert_eq!(ids(&search(&index, "汇款")), ["zh-2"]);
    // A single ideograph finds the bigrams it starts.
    assert_eq!(ids(&search(&index, "汇")), ["zh-2"]);
}

#[test]
fn arabic_with_and_without_vowel_marks_and_inflections() {
    let index = index();
    load(
        &index,
        &[doc(
            "ar-1",
            Language::Ar,
            "حماية العمال المهاجرين",
            "برنامج لخفض تكلفة التحويلات المالية.",
        )],
    );
    assert_eq!(ids(&search(&index, "المهاجرين")), ["ar-1"]);
    assert_eq!(ids(&search(&index, "المُهَاجِرِين")), ["ar-1"]);
    assert_eq!(ids(&search(&index, "مهاجر")), ["ar-1"]);
    assert_eq!(ids(&search(&index, "تحويل")), ["ar-1"]);
    assert_eq!(ids(&search(&index, "الحدود")), Vec::<String>::new());
}

#[test]
fn phrase_requires_adjacency_terms_do_not() {
    let index = index();
    load(
        &index,
        &[
            doc("a", Language::En, "Fair recruitment of workers", "Costs."),
            doc("b", Language::En, "Recruitment that is fair", "Costs."),
            doc("c", Language::En, "Recruitment agencies", "Costs."),
        ],
    );
    assert_eq!(ids(&search(&index, "fair recruitment")), ["a", "b"]);
    assert_eq!(ids(&search(&index, "\"fair recruitment\"")), ["a"]);
    // Stemmed inside phrases too.
    assert_eq!(ids(&search(&index, "\"fair recruitments\"")), ["a"]);
    assert_eq!(ids(&search(&index, "recruitment -fair")), ["c"]);
}

#[test]
fn prefix_queries() {
    let index = index();
    load(
        &index,
        &[
            doc("a", Language::En, "Remittances to Kenya", "Lower costs."),
            doc("b", Language::En, "Remote work", "Telework."),
            doc("c", Language::En, "Fair recruitment", "Agencies."),
        ],
    );
    assert_eq!(ids(&search(&index, "remit*")), ["a"]);
    assert_eq!(ids(&search(&index, "rem*")), ["a", "b"]);
    assert_eq!(ids(&search(&index, "\"fair recr*\"")), ["c"]);
    assert_eq!(ids(&search(&index, "zzq*")), Vec::<String>::new());
}

#[test]
fn a_query_finds_items_through_their_other_language_versions() {
    let index = index();
    let mut fr_with_en = doc(
        "fr-orig",
        Language::Fr,
        "Lutte contre la traite des personnes",
        "Aide aux victimes.",
    );
    fr_with_en.versions.push(version(
        Language::En,
        "Combating trafficking in persons",
        "Support to victims.",
        false,
    ));
    let mut en_with_fr = doc(
        "en-orig",
        Language::En,
        "Skills recognition for nurses",
        "A bilateral agreement.",
    );
    en_with_fr.versions.push(version(
        Language::Fr,
        "Reconnaissance des compétences des infirmières",
        "Un accord bilatéral.",
        false,
    ));
    load(&index, &[fr_with_en, en_with_fr]);
    // English finds the French original through its English version, French finds the
    // English original through its French version, each with its own stemming.
    assert_eq!(ids(&search(&index, "trafficking victim")), ["fr-orig"]);
    assert_eq!(ids(&search(&index, "victime traite")), ["fr-orig"]);
    assert_eq!(ids(&search(&index, "compétence infirmière")), ["en-orig"]);
    assert_eq!(ids(&search(&index, "nurse")), ["en-orig"]);

    // The title and snippet come from the reader's language when the item has it.
    let mut request = SearchRequest::new("trafficking");
    request.language = Some(Language::Fr);
    let hit = &index.search(&request).unwrap().hits[0];
    assert_eq!(
        hit.language,
        Language::En,
        "the match is in the English text"
    );
    let mut request = SearchRequest::new("victimes");
    request.language = Some(Language::Fr);
    let hit = &index.search(&request).unwrap().hits[0];
    assert_eq!(hit.language, Language::Fr);
    assert_eq!(hit.title, "Lutte contre la traite des personnes");
    assert!(
        hit.snippet_html.contains("<mark>victimes</mark>"),
        "{}",
        hit.snippet_html
    );
    assert_eq!(hit.languages, [Language::En, Language::Fr]);
}

#[test]
fn organization_and_country_names_are_searchable() {
    let index = index();
    load(
        &index,
        &[doc("a", Language::En, "Fair recruitment", "Agencies.")],
    );
    assert_eq!(ids(&search(&index, "ILO")), ["a"]);
    assert_eq!(ids(&search(&index, "kenya")), ["a"]);
}

#[test]
fn bm25_ranks_the_title_match_and_the_denser_text_first() {
    let index = index();
    load(
        &index,
        &[
            doc(
                "mention",
                Language::En,
                "Labour mobility programme",
                "Workers send remittances home among many other things they do in the year.",
            ),
            doc(
                "title",
                Language::En,
                "Remittances",
                "Lower costs of remittances.",
            ),
        ],
    );
    let r = search(&index, "remittances");
    assert_eq!(r.hits[0].id, "title");
    assert!(r.hits[0].score.unwrap() > r.hits[1].score.unwrap());
}

#[test]
fn snippets_escape_html_and_mark_matches() {
    let index = index();
    load(
        &index,
        &[doc(
            "x",
            Language::En,
            "<b>Remittances</b> & costs",
            "<script>alert('remittances')</script> Lower remittance costs \"now\".",
        )],
    );
    let r = search(&index, "remittances");
    let hit = &r.hits[0];
    assert!(
        !hit.snippet_html.contains("<script>"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("&lt;script&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("<mark>remittances</mark>"),
        "{}",
        hit.snippet_html
    );
    assert!(!hit.title_html.contains("<b>"), "{}", hit.title_html);
    assert!(
        hit.title_html
            .contains("&lt;b&gt;<mark>Remittances</mark>&lt;/b&gt; &amp; costs"),
        "{}",
        hit.title_html
    );
    assert_eq!(hit.title, "<b>Remittances</b> & costs");
    // Matched only by a name: the snippet is the escaped start of the text.
    let r = search(&index, "ILO");
    assert!(r.hits[0].snippet_html.starts_with("&lt;script&gt;"));
}

#[test]
fn malformed_queries_never_fail() {
    let index = index();
    load(
        &index,
        &[doc(
            "a",
            Language::En,
            "Fair recruitment",
            "Agencies (private).",
        )],
    );
    for q in [
        "\"fair recruitment",
        "fair\"",
        "\"\"",
        "*",
        "**",
        "-",
        "--fair",
        "fair AND (recruitment",
        "title:fair",
        "fair^2 ~ recruitment~",
        "[a TO b]",
        "\\",
        "\u{0}\u{1}",
        "+fair -",
        "fair*recruitment",
        "😀 fair",
        &"x".repeat(5_000),
        &"fair ".repeat(500),
        "\"*\"",
        "\"fair recruitment*",
        "-\"fair\"",
    ] {
        let r = index.search(&SearchRequest::new(q));
        assert!(r.is_ok(), "{q:?}: {:?}", r.err());
    }
    // Read as text: the unbalanced quote is punctuation, the words still match.
    assert_eq!(ids(&search(&index, "\"fair recruitment")), ["a"]);
    assert_eq!(
        ids(&search(&index, "fair AND (recruitment")),
        Vec::<String>::new()
    );
    assert_eq!(ids(&search(&index, "fair (recruitment)")), ["a"]);
    // Nothing searchable finds nothing; nothing typed lists everything.
    assert_eq!(search(&index, "!!! ???").total, 0);
    assert_eq!(search(&index, "   ").total, 1);
}
