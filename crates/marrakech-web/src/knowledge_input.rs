//! What a person or a client sends to create or edit a knowledge item, validated field by
//! field into the store's `ItemContent`. The page form and the JSON API share this: the same
//! field names (`texts.0.title`), the same rules, the same messages.

use std::collections::BTreeSet;

use marrakech_core::accounts::{DisplayName, Email, Website};
use marrakech_core::compact::CompactRef;
use marrakech_core::countries::{Reference, M49};
use marrakech_core::knowledge::{
    licence_label, period, text_field, ImplementationState, ItemKind, Language,
};
use marrakech_core::Compact;
use marrakech_store::knowledge::{ItemContent, ItemText, Link, Party, PartyRole};
use marrakech_store::Organization;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::pages::forms::{Form, FormErrors};

/// How many translations an item can have: the six UN languages.
pub const MAX_TEXTS: usize = 6;
const MAX_LIST: usize = 30;

/// One language version of an item.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    /// `ar`, `zh`, `en`, `fr`, `ru` or `es`.
    pub language: String,
    /// 3 to 300 characters.
    pub title: String,
    /// 20 to 3,000 characters.
    pub summary: String,
    /// Markdown, at most 50,000 characters.
    #[serde(default)]
    pub body: String,
    /// What it achieved, at most 5,000 characters.
    #[serde(default)]
    pub results: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// An http(s) address.
    pub url: String,
    #[serde(default)]
    pub title: String,
    /// A format hint such as `PDF` or `HTML`.
    #[serde(default)]
    pub format: Option<String>,
}

/// A knowledge item as submitted.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    /// `practice`, `initiative`, `evidence`, `policy-tool` or `dataset`.
    pub kind: String,
    /// The language it was written in; one of the texts must be in it.
    pub original_language: String,
    pub texts: Vec<TextInput>,
    /// Objectives it relates to (`obj-7`); at least one, or implied by an action.
    #[serde(default)]
    pub objectives: Vec<String>,
    /// Actions it implements (`obj-7-c`).
    #[serde(default)]
    pub actions: Vec<String>,
    /// Guiding principles it applies (`gp-f`).
    #[serde(default)]
    pub principles: Vec<String>,
    /// Countries: M49 or ISO alpha-3 codes.
    #[serde(default)]
    pub countries: Vec<String>,
    /// M49 regions or sub-regions.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Global in scope.
    #[serde(default)]
    pub global: bool,
    /// Free thematic tags.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Implementing organizations, by name (matched to the directory where possible).
    #[serde(default)]
    pub implementers: Vec<String>,
    /// Partner organizations, by name.
    #[serde(default)]
    pub partners: Vec<String>,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    /// `planned`, `ongoing`, `completed` or `discontinued`.
    pub implementation_state: Option<String>,
    /// An SPDX licence id such as `CC-BY-4.0`, or `all-rights-reserved`.
    pub licence: String,
    #[serde(default)]
    pub links: Vec<LinkInput>,
    /// The call for practices it answers.
    pub call: Option<String>,
    /// Who to contact about it: personal data, never public.
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// The submitter confirms the item respects the compact's guiding principles.
    #[serde(default)]
    pub respects_principles: bool,
}

impl ItemInput {
    /// Reads the page form, whose fields carry the same names.
    pub fn from_form(form: &Form) -> ItemInput {
        let lines = |name: &str| -> Vec<String> {
            form.raw(name)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let comma_list = |name: &str| -> Vec<String> {
            form.get(name)
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let year = |name: &str| form.get(name).parse::<i32>().ok();
        let texts = (0..MAX_TEXTS)
            .map(|i| TextInput {
                language: form.get(&format!("texts.{i}.language")),
                title: form.raw(&format!("texts.{i}.title")),
                summary: form.raw(&format!("texts.{i}.summary")),
                body: form.raw(&format!("texts.{i}.body")),
                results: form.raw(&format!("texts.{i}.results")),
            })
            // Empty translation slots are left out; a slot with any content is validated.
            .filter(|t| {
                !(t.title.trim().is_empty()
                    && t.summary.trim().is_empty()
                    && t.body.trim().is_empty())
            })
            .collect();
        let links = lines("links")
            .into_iter()
            .map(|line| {
                let (url, title) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
                LinkInput {
                    url: url.to_owned(),
                    title: title.trim().to_owned(),
                    format: None,
                }
            })
            .collect();
        let optional = |name: &str| Some(form.get(name)).filter(|v| !v.is_empty());
        ItemInput {
            kind: form.get("kind"),
            original_language: form.get("texts.0.language"),
            texts,
            objectives: form.all("objectives"),
            actions: form.all("actions"),
            principles: form.all("principles"),
            countries: form.all("countries"),
            regions: form.all("regions"),
            global: form.checked("global"),
            themes: comma_list("themes"),
            implementers: lines("implementers"),
            partners: lines("partners"),
            period_start: year("period_start"),
            period_end: year("period_end"),
            implementation_state: optional("implementation_state"),
            licence: form.get("licence"),
            links,
            call: optional("call"),
            contact_name: optional("contact_name"),
            contact_email: optional("contact_email"),
            respects_principles: form.checked("respects_principles"),
        }
    }

    /// Validates everything, collecting every problem under its field.
    pub fn validate(
        &self,
        organizations: &[Organization],
        errors: &mut FormErrors,
    ) -> Option<ItemContent> {
        let compact = Compact::official();
        let reference = Reference::official();
        let kind = ItemKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "choose what kind of item this is");
        }
        let original = Language::parse(&self.original_language);
        if original.is_none() {
            errors.add("original_language", "choose the language it was written in");
        }
        if self.texts.is_empty() {
            errors.add("texts.0.title", "give at least a title and a summary");
        }
        if self.texts.len() > MAX_TEXTS {
            errors.add("texts", "at most one text for each of the six UN languages");
        }
        let mut texts = Vec::new();
        let mut languages = BTreeSet::new();
        for (i, t) in self.texts.iter().enumerate().take(MAX_TEXTS) {
            let field = |name: &str| format!("texts.{i}.{name}");
            let language = Language::parse(&t.language);
            match language {
                None => errors.add(&field("language"), "choose one of the six UN languages"),
                Some(l) if !languages.insert(l) => errors.add(
                    &field("language"),
                    format!("there is already a text in {}", l.label()),
                ),
                _ => {}
            }
            let title = errors.check(&field("title"), text_field(&t.title, 3, 300, "a title"));
            let summary = errors.check(
                &field("summary"),
                text_field(&t.summary, 20, 3_000, "a summary"),
            );
            let body = errors.check(&field("body"), text_field(&t.body, 0, 50_000, "the text"));
            let results = errors.check(
                &field("results"),
                text_field(&t.results, 0, 5_000, "the results"),
            );
            if let (Some(language), Some(title), Some(summary), Some(body), Some(results)) =
                (language, title, summary, body, results)
            {
                texts.push(ItemText {
                    language,
                    title,
                    summary,
                    body,
                    results,
                });
            }
        }
        if let Some(l) = original {
            if !languages.is_empty() && !languages.contains(&l) {
                errors.add("original_language", "the original language needs its text");
            }
        }

        let mut objectives = BTreeSet::new();
        let mut actions = BTreeSet::new();
        let mut principles = BTreeSet::new();
        for (field, values) in [
            ("objectives", &self.objectives),
            ("actions", &self.actions),
            ("principles", &self.principles),
        ] {
            if values.len() > 200 {
                errors.add(field, "too many values");
                continue;
            }
            for value in values {
                match CompactRef::parse(value.trim()) {
                    Ok(r @ CompactRef::Objective(_)) if field == "objectives" => {
                        objectives.insert(r.to_string());
                    }
                    Ok(r @ CompactRef::Action(n, _))
                        if field == "actions" && compact.contains(&r) =>
                    {
                        objectives.insert(format!("obj-{n}"));
                        actions.insert(r.to_string());
                    }
                    Ok(r @ CompactRef::Principle(_)) if field == "principles" => {
                        principles.insert(r.to_string());
                    }
                    _ => errors.add(
                        field,
                        format!("`{value}` is not one of the compact's {field}"),
                    ),
                }
            }
        }
        if objectives.is_empty() {
            errors.add(
                "objectives",
                "relate it to at least one of the 23 objectives",
            );
        }

        let mut countries = BTreeSet::new();
        for code in &self.countries {
            match reference.country(code.trim()) {
                Some(c) => {
                    countries.insert(c.m49);
                }
                None => errors.add("countries", format!("`{code}` is not a country code")),
            }
        }
        let mut regions = BTreeSet::new();
        for code in &self.regions {
            match code
                .trim()
                .parse::<M49>()
                .ok()
                .and_then(|c| reference.region(c))
            {
                Some(r) => {
                    regions.insert(r.code);
                }
                None => errors.add("regions", format!("`{code}` is not an M49 region")),
            }
        }
        if countries.is_empty() && regions.is_empty() && !self.global {
            errors.add(
                "countries",
                "say where it applies: countries, regions, or global",
            );
        }

        let mut themes = BTreeSet::new();
        if self.themes.len() > 20 {
            errors.add("themes", "at most 20 themes");
        }
        for theme in self.themes.iter().take(20) {
            if let Some(t) = errors.check("themes", text_field(theme, 2, 60, "a theme")) {
                themes.insert(t.to_lowercase());
            }
        }

        let mut parties = Vec::new();
        for (field, role, names) in [
            ("implementers", PartyRole::Implementer, &self.implementers),
            ("partners", PartyRole::Partner, &self.partners),
        ] {
            if names.len() > MAX_LIST {
                errors.add(field, format!("at most {MAX_LIST} organizations"));
            }
            for name in names.iter().take(MAX_LIST) {
                let Some(name) =
                    errors.check(field, text_field(name, 2, 200, "an organization's name"))
                else {
                    continue;
                };
                let key = marrakech_core::countries::sort_key(&name);
                let known = organizations
                    .iter()
                    .find(|o| marrakech_core::countries::sort_key(&o.name) == key);
                parties.push(Party {
                    role,
                    name: known.map(|o| o.name.clone()).unwrap_or(name),
                    organization_id: known.map(|o| o.id.clone()),
                    kind: known.map(|o| o.kind),
                });
            }
        }

        let years = errors.check("period_start", period(self.period_start, self.period_end));
        let implementation_state = match &self.implementation_state {
            Some(s) => {
                let parsed = ImplementationState::parse(s);
                if parsed.is_none() {
                    errors.add(
                        "implementation_state",
                        "choose planned, ongoing, completed or discontinued",
                    );
                }
                parsed
            }
            None => None,
        };
        if licence_label(&self.licence).is_none() {
            errors.add("licence", "choose a licence from the list");
        }

        let mut links = Vec::new();
        if self.links.len() > 20 {
            errors.add("links", "at most 20 links");
        }
        for link in self.links.iter().take(20) {
            let Some(url) = errors.check("links", Website::parse(&link.url)) else {
                continue;
            };
            let title = if link.title.trim().is_empty() {
                url.as_str().to_owned()
            } else {
                link.title.trim().to_owned()
            };
            let Some(title) = errors.check("links", text_field(&title, 1, 300, "a link's title"))
            else {
                continue;
            };
            links.push(Link {
                url: url.as_str().to_owned(),
                title,
                format: link
                    .format
                    .as_deref()
                    .map(|f| f.trim().to_uppercase())
                    .filter(|f| !f.is_empty() && f.len() <= 20),
            });
        }

        let contact_name = match &self.contact_name {
            Some(n) => errors
                .check("contact_name", DisplayName::parse(n))
                .map(|n| Some(n.as_str().to_owned())),
            None => Some(None),
        };
        let contact_email = match &self.contact_email {
            Some(e) => errors
                .check("contact_email", Email::parse(e))
                .map(|e| Some(e.as_str().to_owned())),
            None => Some(None),
        };
        if !self.respects_principles {
            errors.add(
                "respects_principles",
                "confirm that it respects the guiding principles",
            );
        }

        if !errors.is_empty() {
            return None;
        }
        let (period_start, period_end) = years?;
        let mut content = ItemContent {
            kind: kind?,
            original_language: original?,
            texts,
            objectives: objectives.into_iter().collect(),
            actions: actions.into_iter().collect(),
            principles: principles.into_iter().collect(),
            countries: countries.into_iter().collect(),
            regions: regions.into_iter().collect(),
            global: self.global,
            themes: themes.into_iter().collect(),
            parties,
            period_start,
            period_end,
            implementation_state,
            licence: self.licence.clone(),
            links,
            call_id: self.call.clone(),
            contact_name: contact_name?,
            contact_email: contact_email?,
        };
        content.normalize();
        Some(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ItemInput {
        ItemInput {
            kind: "practice".into(),
            original_language: "es".into(),
            texts: vec![TextInput {
                language: "es".into(),
                title: "Ventanillas únicas".into(),
                summary: "Ventanillas de información para personas migrantes en la frontera sur."
                    .into(),
                ..Default::default()
            }],
            actions: vec!["obj-3-c".into()],
            countries: vec!["MEX".into(), "320".into()],
            implementers: vec!["Organization A".into(), "Somebody Else".into()],
            licence: "CC-BY-4.0".into(),
            respects_principles: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_item_and_what_it_implies() {
        let mut errors = FormErrors::new();
        let content = valid().validate(&[], &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(
            content.objectives,
            ["obj-3"],
            "an action implies its objective"
        );
        assert_eq!(
            content.countries,
            [M49::new(320).unwrap(), M49::new(484).unwrap()]
        );
        assert_eq!(content.parties.len(), 2);
        assert!(content.parties.iter().all(|p| p.organization_id.is_none()));
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let mut input = valid();
        input.kind = "poem".into();
        input.original_language = "de".into();
        input.texts[0].title = "x".into();
        input.texts.push(TextInput {
            language: "es".into(),
            title: "Otra".into(),
            summary: "short".into(),
            ..Default::default()
        });
        input.actions = vec!["obj-3-z".into()];
        input.countries = vec!["XX".into()];
        input.period_start = Some(2030);
        input.period_end = Some(2020);
        input.licence = "mine".into();
        input.links = vec![LinkInput {
            url: "javascript:alert(1)".into(),
            ..Default::default()
        }];
        input.contact_email = Some("nope".into());
        input.respects_principles = false;
        let mut errors = FormErrors::new();
        assert!(input.validate(&[], &mut errors).is_none());
        for field in [
            "kind",
            "original_language",
            "texts.0.title",
            "texts.1.language",
            "texts.1.summary",
            "actions",
            "objectives",
            "countries",
            "period_start",
            "licence",
            "links",
            "contact_email",
            "respects_principles",
        ] {
            assert!(
                errors.get(field).is_some(),
                "{field} has no message: {:?}",
                errors.0
            );
        }
    }
}
