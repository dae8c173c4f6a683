//! User Markdown, rendered to HTML and sanitized: whatever someone writes, what comes out
//! holds no script, no event handler, no `javascript:` link and no style.

use pulldown_cmark::{html, Event, Options, Parser, TagEnd};

pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .clean(&unsafe_html)
        .to_string()
}

/// The words of `markdown` without its markup, for the search index: link texts stay, URLs,
/// emphasis and raw HTML go, and blocks are separated by a blank line so that phrases never
/// run across paragraphs.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => out.push_str("\n\n"),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::{plain_text, render};

    #[test]
    fn plain_text_keeps_words_and_drops_markup() {
        assert_eq!(
            plain_text("# Fair *recruitment*\n\nSee [the ILO principles](https://ilo.org) and <b>more</b>.\n\n- one\n- two"),
            "Fair recruitment\n\nSee the ILO principles and more.\n\none\n\ntwo"
        );
    }

    #[test]
    fn markdown_renders_and_scripts_do_not() {
        assert_eq!(render("**bold** [IOM](https://www.iom.int)").trim(), "<p><strong>bold</strong> <a href=\"https://www.iom.int\" rel=\"noopener noreferrer nofollow ugc\">IOM</a></p>");
        for payload in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
        ] {
            let html = render(payload).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "<iframe",
                "style=",
                "<svg",
            ] {
                assert!(!html.contains(bad), "{payload} gave {html}");
            }
        }
    }
}
