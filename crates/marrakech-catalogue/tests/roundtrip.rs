//! What one Marrakech writes, another reads back to the same content: through DCAT in each of
//! its three serializations, and through CKAN packages. Attachments travel as links to the
//! publishing site's files.

use marrakech_catalogue::dcat::{self, Format, Page};
use marrakech_catalogue::{ckan, Site};
use marrakech_core::countries::M49;
use marrakech_core::knowledge::{ImplementationState, ItemKind, ItemStatus, Language};
use marrakech_core::policy::OrganizationKind;
use marrakech_store::knowledge::{
    AttachmentMeta, Item, ItemContent, ItemText, Link, Party, PartyRole,
};

fn m49(code: u16) -> M49 {
    code.to_string().parse().unwrap()
}

fn item() -> Item {
    let mut content = ItemContent {
        kind: ItemKind::Practice,
        original_language: Language::Es,
        texts: vec![
            ItemText {
                language: Language::Es,
                title: "Ventanilla única para personas migrantes retornadas".into(),
                summary: "Servicios de reintegración en un solo lugar.".into(),
                body: "## Contexto\n\nUn *piloto* en Jalisco & Oaxaca <con> 3 municipios.".into(),
                results: "1 200 personas atendidas.".into(),
            },
            ItemText {
                language: Language::Ar,
                title: "نافذة واحدة للمهاجرين العائدين".into(),
                summary: "خدمات إعادة الإدماج في مكان واحد.".into(),
                body: String::new(),
                results: String::new(),
            },
            ItemText {
                language: Language::En,
                title: "One-stop shop for returning migrants".into(),
                summary: "Reintegration services in one place.".into(),
                body: "A pilot in \"three\" municipalities.".into(),
                results: String::new(),
            },
        ],
        objectives: vec!["obj-21".into(), "obj-7".into()],
        actions: vec!["obj-21-h".into()],
        principles: vec!["gp-c".into(), "gp-a".into()],
        countries: vec![m49(484)],
        regions: vec![m49(419)],
        global: false,
        themes: vec!["return".into(), "reintegration".into()],
        parties: vec![
            Party {
                role: PartyRole::Implementer,
                name: "Gobierno de Jalisco".into(),
                organization_id: Some("org1".into()),
                kind: Some(OrganizationKind::LocalAuthority),
            },
            Party {
                role: PartyRole::Partner,
                name: "International Organization for Migration".into(),
                organization_id: None,
                kind: Some(OrganizationKind::UnEntity),
            },
        ],
        period_start: Some(2019),
        period_end: Some(2023),
        implementation_state: Some(ImplementationState::ALL[1]),
        licence: "CC-BY-4.0".into(),
        links: vec![Link {
            url: "https://example.org/report.pdf".into(),
            title: "Evaluation report".into(),
            format: Some("PDF".into()),
        }],
        call_id: Some("call1".into()),
        contact_name: Some("Private Person".into()),
        contact_email: Some("private.person@example.org".into()),
    };
    content.normalize();
    Item {
        id: "a1b2c3".into(),
        status: ItemStatus::Published,
        submitter_id: Some("u1".into()),
        owner_organization: Some("org1".into()),
        owner_country: None,
        source: "marrakech".into(),
        source_id: None,
        source_url: None,
        content,
        attachments: vec![AttachmentMeta {
            id: "f9".into(),
            filename: "poster.png".into(),
            media_type: "image/png".into(),
            size_bytes: 2048,
            sha256: "00".into(),
        }],
        content_hash: String::new(),
        created_at: "2024-01-02T03:04:05.000000Z".into(),
        updated_at: "2024-02-03T04:05:06.000000Z".into(),
        submitted_at: Some("2024-01-03T00:00:00.000000Z".into()),
        published_at: Some("2024-02-01T00:00:00.000000Z".into()),
        withdrawn_at: None,
    }
}

/// The content another instance should end up with: no contact, no call of ours, and the
/// attachment as a link to our file.
fn expected(site: &Site, format_hint: Option<&str>) -> ItemContent {
    let mut content = item().content;
    content.contact_name = None;
    content.contact_email = None;
    content.call_id = None;
    content.parties[0].organization_id = None;
    content.links.push(Link {
        url: format!("{}/files/f9", site.base),
        title: "poster.png".into(),
        format: format_hint.map(str::to_owned),
    });
    content.normalize();
    content
}

#[test]
fn dcat_round_trips_in_all_three_serializations() {
    let site = Site::new("https://hub.example.org/");
    for format in [Format::JsonLd, Format::Turtle, Format::RdfXml] {
        let page = Page {
            number: 1,
            size: 50,
            total: 1,
            modified_since: None,
        };
        let bytes = dcat::write_catalog(&site, &[item()], &page, format).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !text.contains("private.person"),
            "{format:?} leaks the contact"
        );
        assert!(
            !text.contains("Private Person"),
            "{format:?} leaks the contact's name"
        );
        let read = dcat::read_catalog(&bytes, format, "https://hub.example.org/catalog").unwrap();
        assert_eq!(read.total, Some(1));
        assert_eq!(read.next_page, None, "{format:?}: one page only");
        assert_eq!(read.datasets.len(), 1);
        let harvested = read.datasets.into_iter().next().unwrap().unwrap();
        assert_eq!(harvested.source_id, "a1b2c3");
        assert_eq!(
            harvested.source_url.as_deref(),
            Some("https://hub.example.org/knowledge/a1b2c3")
        );
        assert_eq!(harvested.published_at, "2024-02-01T00:00:00.000000Z");
        let mut got = harvested.content;
        // DCAT carries the attachment's media type, not a format name.
        for link in &mut got.links {
            if link.url.ends_with("/files/f9") {
                link.format = None;
            }
        }
        assert_eq!(got, expected(&site, None), "{format:?}");
    }
}

#[test]
fn dcat_pages_link_onwards() {
    let site = Site::new("https://hub.example.org");
    let page = Page {
        number: 2,
        size: 1,
        total: 3,
        modified_since: Some("2024-01-01T00:00:00Z".into()),
    };
    let bytes = dcat::write_catalog(&site, &[item()], &page, Format::Turtle).unwrap();
    let read =
        dcat::read_catalog(&bytes, Format::Turtle, "https://hub.example.org/catalog").unwrap();
    assert_eq!(read.total, Some(3));
    assert_eq!(
        read.next_page.as_deref(),
        Some("https://hub.example.org/catalog.ttl?page=3&page_size=1&modified_since=2024-01-01T00%3A00%3A00Z")
    );
}

#[test]
fn ckan_packages_round_trip() {
    let site = Site::new("https://hub.example.org");
    let package = ckan::package(&site, &item());
    let text = package.to_string();
    assert!(
        !text.contains("private.person") && !text.contains("Private Person"),
        "the package leaks the contact"
    );
    assert_eq!(package["name"], "a1b2c3");
    assert_eq!(
        package["title"],
        "Ventanilla única para personas migrantes retornadas"
    );
    assert_eq!(package["organization"]["title"], "Gobierno de Jalisco");
    let groups: Vec<&str> = package["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["obj-7", "obj-21"]);
    let tags: Vec<&str> = package["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["gp-a", "gp-c", "reintegration", "return"]);
    assert_eq!(package["num_resources"], 2);
    let harvested = ckan::read_package(&package).unwrap();
    assert_eq!(harvested.source_id, "a1b2c3");
    assert_eq!(harvested.published_at, "2024-02-01T00:00:00.000000Z");
    assert_eq!(harvested.content, expected(&site, Some("PNG")));
}
