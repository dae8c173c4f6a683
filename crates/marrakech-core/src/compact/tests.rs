//! Pins the parser down at each artifact of the PDF extraction.

use super::*;

fn compact() -> &'static Compact {
    Compact::official()
}

fn action(id: &str) -> &'static Action {
    match CompactRef::parse(id).unwrap() {
        CompactRef::Action(n, l) => compact().action(n, l).unwrap(),
        other => panic!("{other} is not an action"),
    }
}

fn para(n: u32) -> &'static Paragraph {
    compact().paragraph(n).unwrap()
}

/// Every passage of the compact with its id: for global invariants.
fn all_texts() -> Vec<(String, String)> {
    fn walk(out: &mut Vec<(String, String)>, items: &[Item]) {
        for item in items {
            out.push((item.id.clone(), item.text.clone()));
            if let Some(t) = &item.title {
                out.push((item.id.clone(), t.clone()));
            }
            walk(out, &item.items);
        }
    }
    let c = compact();
    let mut out = vec![(c.annex_opening.id.clone(), c.annex_opening.text.clone())];
    for p in c.resolution.paragraphs.iter().chain(&c.paragraphs) {
        out.push((p.id.clone(), p.text.clone()));
        walk(&mut out, &p.items);
    }
    for p in &c.resolution.preamble {
        out.push((p.id.clone(), p.text.clone()));
    }
    for o in &c.objectives {
        out.push((o.id.clone(), o.title.clone()));
        for a in &o.actions {
            out.push((a.id.clone(), a.text.clone()));
        }
    }
    for f in &c.footnotes {
        out.push((format!("footnote-{}", f.number), f.text.clone()));
    }
    out
}

#[test]
fn counts_match_the_compact() {
    let c = compact();
    assert_eq!(c.principles.len(), 10);
    assert_eq!(c.objectives.len(), 23);
    assert_eq!(c.action_count(), 187);
    assert_eq!(c.paragraphs.len(), 54);
    assert_eq!(c.resolution.paragraphs.len(), 2);
    assert_eq!(c.footnotes.len(), 22);
    let per_objective: Vec<usize> = c.objectives.iter().map(|o| o.actions.len()).collect();
    assert_eq!(
        per_objective,
        [11, 12, 5, 7, 10, 12, 12, 6, 6, 10, 7, 5, 8, 6, 6, 9, 7, 12, 10, 9, 9, 3, 5]
    );
    let numbers: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
    assert_eq!(numbers, (1..=54).collect::<Vec<_>>());
    let commitment_paragraphs: Vec<u32> = c.objectives.iter().map(|o| o.paragraph).collect();
    assert_eq!(commitment_paragraphs, (17..=39).collect::<Vec<_>>());
}

#[test]
fn footnote_line_between_actions_7c_and_7d_is_taken_out() {
    assert_eq!(
        action("obj-7-c").text,
        "Develop gender-responsive migration policies to address the particular needs and \
         vulnerabilities of migrant women, girls and boys, which may include assistance, health \
         care, psychological and other counselling services, as well as access to justice and \
         effective remedies, especially in cases of sexual and gender-based violence, abuse and \
         exploitation;"
    );
    assert!(action("obj-7-d")
        .text
        .starts_with("Review relevant existing labour laws and work conditions"));
    let footnote = compact().footnote(21).unwrap();
    assert_eq!(
        footnote.text,
        "Guiding Principles on Business and Human Rights: Implementing the United Nations \
         “Protect, Respect and Remedy” Framework (A/HRC/17/31, annex)."
    );
    assert_eq!(footnote.cited_in, ["obj-6-l"]);
}

#[test]
fn action_6j_split_by_a_page_break_is_rejoined() {
    assert_eq!(
        action("obj-6-j").text,
        "Ensure that migrants working in the informal economy have safe access to effective \
         reporting, complaint and redress mechanisms in cases of exploitation, abuse or \
         violations of their rights in the workplace, in a manner that does not exacerbate \
         vulnerabilities of migrants who denounce such incidents and allows them to participate \
         in respective legal proceedings whether in the country of origin or the country of \
         destination;"
    );
    assert_eq!(action("obj-6-k").heading, None);
}

#[test]
fn annex_opening_sentence_is_rejoined_around_its_footnote() {
    let opening = &compact().annex_opening;
    assert_eq!(
        opening.text,
        "We, the Heads of State and Government and High Representatives, meeting in Morocco on \
         10 and 11 December 2018, reaffirming the New York Declaration for Refugees and Migrants \
         and determined to make an important contribution to enhanced cooperation on \
         international migration in all its dimensions, have adopted this Global Compact for \
         Safe, Orderly and Regular Migration:"
    );
    assert_eq!(opening.footnotes, [1]);
    assert_eq!(compact().footnote(1).unwrap().text, "Resolution 71/1.");
}

#[test]
fn bold_heading_over_two_lines_gives_objective_10_its_whole_title() {
    let o = compact().objective(10).unwrap();
    assert_eq!(
        o.title,
        "Prevent, combat and eradicate trafficking in persons in the context of international \
         migration"
    );
    assert_eq!(o.paragraph, 26);
    assert!(o
        .commitment
        .starts_with("We commit to take legislative or other measures"));
    assert_eq!(o.label, "Trafficking");
}

#[test]
fn objective_titles_come_from_their_headings() {
    // The list after paragraph 16 says "migration detention"; the heading says "immigration".
    assert_eq!(
        compact().objective(13).unwrap().title,
        "Use immigration detention only as a measure of last resort and work towards alternatives"
    );
    assert_eq!(
        compact().objective(20).unwrap().title,
        "Promote faster, safer and cheaper transfer of remittances and foster financial \
         inclusion of migrants"
    );
}

#[test]
fn action_20a_is_whole() {
    assert_eq!(
        action("obj-20-a").text,
        "Develop a road map to reduce the transaction costs of migrant remittances to less than \
         3 per cent and eliminate remittance corridors with costs higher than 5 per cent by 2030 \
         in line with target 10.c of the 2030 Agenda for Sustainable Development;"
    );
}

#[test]
fn action_20d_split_mid_sentence_is_rejoined() {
    let text = &action("obj-20-d").text;
    assert!(text.contains("to expand remittance services, and enhance the security"));
    assert!(text
        .ends_with("in consultation with remittance service providers and financial regulators;"));
}

#[test]
fn capitalised_continuation_in_action_11g_is_rejoined() {
    assert_eq!(
        action("obj-11-g").text,
        "Improve cross-border collaboration among neighbouring and other States relating to the \
         treatment given to persons crossing or seeking to cross international borders, \
         including by taking into consideration relevant recommendations from the Office of the \
         United Nations High Commissioner for Human Rights Recommended Principles and Guidelines \
         on Human Rights at International Borders when identifying best practices."
    );
    assert_eq!(compact().objective(11).unwrap().actions.len(), 7);
}

#[test]
fn objective_2_sub_heading_covers_actions_h_to_l() {
    let heading = "Natural disasters, the adverse effects of climate change, and environmental \
                   degradation";
    for (action, expected) in compact()
        .objective(2)
        .unwrap()
        .actions
        .iter()
        .zip([None; 7].into_iter().chain([Some(heading); 5]))
    {
        assert_eq!(action.heading.as_deref(), expected, "{}", action.id);
    }
}

#[test]
fn guiding_principles_have_names_and_clean_texts() {
    let c = compact();
    let names: Vec<&str> = c.principles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "People-centred",
            "International cooperation",
            "National sovereignty",
            "Rule of law and due process",
            "Sustainable development",
            "Human rights",
            "Gender-responsive",
            "Child-sensitive",
            "Whole-of-government approach",
            "Whole-of-society approach",
        ]
    );
    let g = c.principle('g').unwrap();
    assert_eq!(g.id, "gp-g");
    assert!(g
        .text
        .contains("promotes gender equality and the empowerment of all women and girls"));
    assert!(g
        .text
        .starts_with("The Global Compact ensures that the human rights"));
    assert_eq!(para(15).items[0].id, "gp-a");
    assert_eq!(para(15).items[0].title.as_deref(), Some("People-centred"));
}

#[test]
fn paragraph_43_has_lettered_and_roman_items_without_dashes() {
    let p = para(43);
    assert!(p
        .text
        .ends_with("The capacity-building mechanism will consist of:"));
    let shape: Vec<(&str, usize)> = p
        .items
        .iter()
        .map(|i| (i.label.as_str(), i.items.len()))
        .collect();
    assert_eq!(shape, [("a", 5), ("b", 3), ("c", 3)]);
    let a_iii = find_item(&p.items, "para-43-a-iii", 2).unwrap();
    assert_eq!(
        a_iii.text,
        "Connecting the request to similar initiatives and solutions for peer-to-peer exchange \
         and potential replication, where existing and relevant;"
    );
    assert_eq!(
        p.items[2].text,
        "A global knowledge platform as an online open data source, by:"
    );
    assert_eq!(
        p.items[2].items[2].text,
        "Building on the Global Forum on Migration and Development Platform for Partnerships \
         and other relevant sources."
    );
    assert!(compact().contains(&CompactRef::parse("para-43-b-iii").unwrap()));
    assert!(!compact().contains(&CompactRef::parse("para-43-b-iv").unwrap()));
}

#[test]
fn paragraphs_45_and_49_have_lettered_items() {
    let labels = |p: &Paragraph| p.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(labels(para(45)), ["para-45-a", "para-45-b", "para-45-c"]);
    assert_eq!(
        para(45).items[0].text,
        "IOM will serve as the coordinator and secretariat of the network;"
    );
    assert_eq!(labels(para(49)).len(), 5);
    assert_eq!(
        para(49).items[2].text,
        "The International Migration Review Forum shall take place every four years beginning \
         in 2022;"
    );
}

#[test]
fn paragraph_10_is_rejoined_across_three_footnotes() {
    let p = para(10);
    assert!(p.text.contains(
        "strengthen our knowledge and analysis of migration, as shared understandings will improve"
    ));
    assert_eq!(p.subsection.as_deref(), Some("Common understanding"));
    assert_eq!(p.section, Section::VisionAndGuidingPrinciples);
    assert_eq!(para(5).footnotes, [18]);
    assert_eq!(para(6).footnotes, [19, 20]);
}

#[test]
fn paragraph_2_cites_its_footnotes_without_markers() {
    let p = para(2);
    assert!(p.text.starts_with(
        "It also rests on the Universal Declaration of Human Rights; the International Covenant \
         on Civil and Political Rights; the International Covenant on Economic"
    ));
    assert!(p.text.ends_with("and the New Urban Agenda."));
    assert_eq!(
        p.footnotes,
        [2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    );
    assert_eq!(
        compact().footnote(3).unwrap().cited_in,
        ["para-2", "para-2"]
    );
    assert_eq!(
        compact().footnote(5).unwrap().text,
        "United Nations, Treaty Series, vol. 2225, No. 39574."
    );
    assert_eq!(
        compact().footnote(6).unwrap().text,
        "Ibid., vol. 2237, No. 39574."
    );
}

#[test]
fn resolution_header_and_operative_paragraphs_are_clean() {
    let r = &compact().resolution;
    assert_eq!(r.symbol, "A/RES/73/195");
    assert_eq!(
        r.title,
        "Global Compact for Safe, Orderly and Regular Migration"
    );
    assert_eq!(r.adopted_on, "19 December 2018");
    assert_eq!(r.meeting, "60th plenary meeting 19 December 2018");
    assert_eq!(r.preamble.len(), 1);
    assert!(r.preamble[0]
        .text
        .starts_with("Recalling its resolution 71/1 of 19 September 2016"));
    assert_eq!(r.paragraphs[0].id, "res-1");
    assert!(r.paragraphs[0].text.starts_with(
        "Expresses its profound gratitude to the Government and the people of Morocco"
    ));
    assert!(r.paragraphs[1]
        .text
        .ends_with("which will also be known as the Marrakech Compact on Migration."));
}

#[test]
fn sections_follow_the_headings() {
    let section_of = |n: u32| para(n).section;
    assert_eq!(section_of(1), Section::Preamble);
    assert_eq!(section_of(7), Section::Preamble);
    assert_eq!(section_of(8), Section::VisionAndGuidingPrinciples);
    assert_eq!(section_of(15), Section::VisionAndGuidingPrinciples);
    assert_eq!(section_of(16), Section::CooperativeFramework);
    assert_eq!(section_of(17), Section::ObjectivesAndCommitments);
    assert_eq!(section_of(39), Section::ObjectivesAndCommitments);
    assert_eq!(section_of(40), Section::Implementation);
    assert_eq!(section_of(47), Section::Implementation);
    assert_eq!(section_of(48), Section::FollowUpAndReview);
    assert_eq!(section_of(54), Section::FollowUpAndReview);
    assert_eq!(para(17).objective, Some(1));
    assert_eq!(para(17).items.len(), 11);
    assert_eq!(para(17).items[0].id, "obj-1-a");
    assert_eq!(para(13).subsection.as_deref(), Some("Unity of purpose"));
}

#[test]
fn other_page_breaks_are_rejoined() {
    assert!(para(3)
        .text
        .contains("as laid out in the New York Declaration"));
    assert!(para(14)
        .text
        .contains("fully aware that the Global Compact"));
    assert!(para(53)
        .text
        .contains("such as through the voluntary elaboration"));
    assert!(action("obj-23-c")
        .text
        .contains("to ensure good governance as well as"));
    assert!(action("obj-21-b")
        .text
        .contains("guaranteeing that all returns"));
    assert!(action("obj-4-b")
        .text
        .contains("universal recognition of travel documents"));
    assert!(compact()
        .objective(17)
        .unwrap()
        .commitment
        .contains("in accordance with international law, recognizing"));
}

#[test]
fn no_text_carries_markup_markers_or_split_halves() {
    for (id, text) in all_texts() {
        assert!(!text.is_empty(), "{id} is empty");
        for bad in ["*", "[", "](", "  ", "\n"] {
            assert!(!text.contains(bad), "{id} contains {bad:?}: {text}");
        }
        assert!(
            !text.chars().any(|c| "⁰¹²³⁴⁵⁶⁷⁸⁹".contains(c)),
            "{id} has a footnote marker"
        );
        assert!(!text.starts_with("- "), "{id} keeps a list dash");
        let first = text.chars().next().unwrap();
        assert!(!first.is_lowercase(), "{id} starts in lower case: {text}");
        if !id.starts_with("footnote-") {
            for footnote in &compact().footnotes {
                assert!(
                    footnote.text.len() < 25 || !text.contains(&footnote.text),
                    "{id} contains footnote {}",
                    footnote.number
                );
            }
            for marker in [
                "Treaty Series",
                "Resolution 64/293",
                "Business and Human Rights: Implementing",
            ] {
                assert!(
                    !text.contains(marker),
                    "{id} contains footnote text {marker:?}"
                );
            }
        }
    }
}

#[test]
fn every_footnote_is_cited() {
    for f in &compact().footnotes {
        assert!(
            !f.cited_in.is_empty(),
            "footnote {} is never cited",
            f.number
        );
    }
    assert_eq!(compact().footnote(22).unwrap().cited_in, ["obj-10-b"]);
}

#[test]
fn a_missing_action_is_reported_with_its_line() {
    let text = OFFICIAL_TEXT.replace(
        "(c) Develop a global programme",
        "(x) Develop a global programme",
    );
    let err = Compact::parse(&text).unwrap_err();
    assert!(
        matches!(&err, ParseError::Unexpected { line: 188, expected, .. } if expected == "action (c)"),
        "{err}"
    );
}

#[test]
fn a_truncated_text_is_refused() {
    let cut = OFFICIAL_TEXT.find("Objective 23:").unwrap();
    let err = Compact::parse(&OFFICIAL_TEXT[..cut]).unwrap_err();
    assert!(
        matches!(
            err,
            ParseError::WrongCount {
                what: "objectives",
                found: 22,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn an_unclosed_emphasis_is_refused() {
    let text = OFFICIAL_TEXT.replace(
        "in the context of international migration**",
        "in the context of international migration",
    );
    assert!(Compact::parse(&text).is_err());
}
