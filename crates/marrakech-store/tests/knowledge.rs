//! Knowledge items in the store, on both backends: the workflow and its panel, attachments,
//! harvesting, and the index log.

use marrakech_core::countries::M49;
use marrakech_core::knowledge::{ItemKind, ItemStatus, Language, Step, Verdict};
use marrakech_core::policy::{ReviewerKind, Role};
use marrakech_store::knowledge::{HarvestedItem, ItemContent, ItemFilter, ItemText, Owner};
use marrakech_store::testing::TestStore;
use marrakech_store::{
    backend_tests, AuditContext, AuditVerification, NewUser, StoreError, UserStatus,
};

fn content(title: &str) -> ItemContent {
    ItemContent {
        kind: ItemKind::Practice,
        original_language: Language::Fr,
        texts: vec![
            ItemText {
                language: Language::Fr,
                title: title.to_owned(),
                summary: "Des cliniques juridiques mobiles pour les travailleurs migrants.".into(),
                body: "Un *corps* en Markdown.".into(),
                results: "2 000 consultations".into(),
            },
            ItemText {
                language: Language::En,
                title: format!("{title} (en)"),
                summary: "Mobile legal clinics for migrant workers.".into(),
                body: String::new(),
                results: String::new(),
            },
        ],
        objectives: vec!["obj-6".into(), "obj-7".into()],
        actions: vec!["obj-7-g".into()],
        principles: vec!["gp-f".into()],
        countries: vec![M49::new(484).unwrap(), M49::new(320).unwrap()],
        regions: vec![M49::new(13).unwrap()],
        global: false,
        themes: vec!["legal aid".into()],
        parties: vec![],
        period_start: Some(2019),
        period_end: Some(2023),
        implementation_state: None,
        licence: "CC-BY-4.0".into(),
        links: vec![],
        call_id: None,
        contact_name: Some("A Contact".into()),
        contact_email: Some("contact@example.org".into()),
    }
}

async fn reviewer(store: &TestStore, name: &str, kind: ReviewerKind) -> String {
    store
        .create_user(
            &AuditContext::system(),
            &NewUser {
                email: format!("{name}@example.org"),
                display_name: name.into(),
                password_hash: None,
                status: UserStatus::Active,
                roles: vec![Role::Reviewer { kind }],
            },
        )
        .await
        .unwrap()
        .id
}

async fn an_item_round_trips(store: &TestStore) {
    let ctx = AuditContext::system();
    let created = store
        .create_item(&ctx, &Owner::default(), &content("Cliniques"))
        .await
        .unwrap();
    assert_eq!(created.status, ItemStatus::Draft);
    let mut expected = content("Cliniques");
    expected.normalize();
    assert_eq!(created.content, expected);
    assert_eq!(
        created.content.countries,
        [M49::new(320).unwrap(), M49::new(484).unwrap()]
    );
    assert_eq!(created.content.original().unwrap().title, "Cliniques");
    assert_eq!(
        created.content.text_in(Language::Es).unwrap().language,
        Language::Fr
    );
    let mut changed = content("Cliniques mobiles");
    changed.texts.pop();
    changed.objectives = vec!["obj-7".into()];
    let updated = store
        .update_item(&ctx, &created.id, &changed)
        .await
        .unwrap();
    changed.normalize();
    assert_eq!(updated.content, changed);
    assert_ne!(updated.content_hash, created.content_hash);
    let (by_objective, total) = store
        .items(
            &ItemFilter {
                objective: Some("obj-7".into()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!((by_objective.len(), total), (1, 1));
    let (none, _) = store
        .items(
            &ItemFilter {
                objective: Some("obj-6".into()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert!(none.is_empty());
    // An unknown objective, action or country is refused by the database itself.
    for broken in [
        |c: &mut ItemContent| c.objectives = vec!["obj-99".into()],
        |c: &mut ItemContent| c.actions = vec!["obj-7-z".into()],
        |c: &mut ItemContent| c.countries = vec![M49::new(999).unwrap()],
    ] {
        let mut bad = content("x");
        broken(&mut bad);
        assert!(store.update_item(&ctx, &created.id, &bad).await.is_err());
    }
    assert_eq!(
        store.item(&created.id).await.unwrap().unwrap().content,
        changed,
        "nothing changed"
    );
    // Objectives sort by number, not as text.
    let mut many = content("Order");
    many.objectives = vec!["obj-10".into(), "obj-2".into()];
    many.actions = vec!["obj-10-a".into(), "obj-2-b".into()];
    let ordered = store
        .create_item(&ctx, &Owner::default(), &many)
        .await
        .unwrap();
    assert_eq!(ordered.content.objectives, ["obj-2", "obj-10"]);
    assert_eq!(ordered.content.actions, ["obj-2-b", "obj-10-a"]);
}

async fn the_workflow_follows_the_panel(store: &TestStore) {
    let ctx = AuditContext::system();
    let item = store
        .create_item(&ctx, &Owner::default(), &content("Panel"))
        .await
        .unwrap();
    let refused = store
        .step_item(&ctx, &item.id, Step::Publish, "")
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Refused { .. }), "{refused}");
    store
        .step_item(&ctx, &item.id, Step::Submit, "ready")
        .await
        .unwrap();
    // No review before the panel is complete.
    let early = store
        .step_item(&ctx, &item.id, Step::StartReview, "")
        .await
        .unwrap_err();
    assert!(
        early
            .to_string()
            .contains("1 more internal and 2 more external"),
        "{early}"
    );
    let i1 = reviewer(store, "internal-1", ReviewerKind::Internal).await;
    let e1 = reviewer(store, "external-1", ReviewerKind::External).await;
    let e2 = reviewer(store, "external-2", ReviewerKind::External).await;
    let e3 = reviewer(store, "external-3", ReviewerKind::External).await;
    let reviews: Vec<_> = futures_join(store, &item.id, &[&i1, &e1, &e2]).await;
    assert!(
        store.assign_reviewer(&ctx, &item.id, &i1).await.is_err(),
        "seated once"
    );
    store
        .step_item(&ctx, &item.id, Step::StartReview, "")
        .await
        .unwrap();
    // A split verdict: the decision waits for one more reviewer.
    store
        .complete_review(&ctx, &reviews[0], &i1, Ok(Verdict::Publish), "good")
        .await
        .unwrap();
    store
        .complete_review(&ctx, &reviews[1], &e1, Ok(Verdict::Publish), "")
        .await
        .unwrap();
    store
        .complete_review(&ctx, &reviews[2], &e2, Ok(Verdict::Revise), "add results")
        .await
        .unwrap();
    let split = store
        .step_item(&ctx, &item.id, Step::Publish, "")
        .await
        .unwrap_err();
    assert!(split.to_string().contains("has not concluded"), "{split}");
    let fourth = store.assign_reviewer(&ctx, &item.id, &e3).await.unwrap();
    store
        .complete_review(&ctx, &fourth.id, &e3, Ok(Verdict::Publish), "")
        .await
        .unwrap();
    let wrong = store
        .step_item(&ctx, &item.id, Step::Reject, "")
        .await
        .unwrap_err();
    assert!(
        wrong.to_string().contains("recommends to publish"),
        "{wrong}"
    );
    let head = store.index_log_head().await.unwrap();
    let published = store
        .step_item(&ctx, &item.id, Step::Publish, "")
        .await
        .unwrap();
    assert_eq!(published.status, ItemStatus::Published);
    assert!(published.published_at.is_some());
    assert_eq!(
        store.index_log_since(head, 10).await.unwrap(),
        vec![(head + 1, item.id.clone())]
    );
    let withdrawn = store
        .step_item(&ctx, &item.id, Step::Withdraw, "outdated")
        .await
        .unwrap();
    assert_eq!(withdrawn.status, ItemStatus::Withdrawn);
    assert_eq!(store.index_log_since(head, 10).await.unwrap().len(), 2);
    let history: Vec<ItemStatus> = store
        .transitions(&item.id)
        .await
        .unwrap()
        .iter()
        .map(|t| t.to)
        .collect();
    assert_eq!(
        history,
        [
            ItemStatus::Draft,
            ItemStatus::Submitted,
            ItemStatus::InReview,
            ItemStatus::Published,
            ItemStatus::Withdrawn
        ]
    );
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        AuditVerification::Intact { .. }
    ));
}

async fn futures_join(store: &TestStore, item: &str, reviewers: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for r in reviewers {
        ids.push(
            store
                .assign_reviewer(&AuditContext::system(), item, r)
                .await
                .unwrap()
                .id,
        );
    }
    ids
}

async fn a_conflict_recuses_and_a_return_resets_the_panel(store: &TestStore) {
    let ctx = AuditContext::system();
    let item = store
        .create_item(&ctx, &Owner::default(), &content("Conflict"))
        .await
        .unwrap();
    store
        .step_item(&ctx, &item.id, Step::Submit, "")
        .await
        .unwrap();
    let i1 = reviewer(store, "ci-1", ReviewerKind::Internal).await;
    let e1 = reviewer(store, "ce-1", ReviewerKind::External).await;
    let e2 = reviewer(store, "ce-2", ReviewerKind::External).await;
    let e3 = reviewer(store, "ce-3", ReviewerKind::External).await;
    let seats = futures_join(store, &item.id, &[&i1, &e1, &e2]).await;
    store
        .step_item(&ctx, &item.id, Step::StartReview, "")
        .await
        .unwrap();
    store
        .complete_review(
            &ctx,
            &seats[2],
            &e2,
            Err("I advised this project".into()),
            "",
        )
        .await
        .unwrap();
    for (seat, who) in [(&seats[0], &i1), (&seats[1], &e1)] {
        store
            .complete_review(&ctx, seat, who, Ok(Verdict::Revise), "needs evidence")
            .await
            .unwrap();
    }
    assert!(
        store
            .step_item(&ctx, &item.id, Step::Return, "")
            .await
            .is_err(),
        "the recused seat must be filled"
    );
    let replacement = store.assign_reviewer(&ctx, &item.id, &e3).await.unwrap();
    store
        .complete_review(&ctx, &replacement.id, &e3, Ok(Verdict::Revise), "")
        .await
        .unwrap();
    let returned = store
        .step_item(&ctx, &item.id, Step::Return, "see the reviews")
        .await
        .unwrap();
    assert_eq!(returned.status, ItemStatus::Returned);
    store
        .update_item(&ctx, &item.id, &content("Conflict, revised"))
        .await
        .unwrap();
    store
        .step_item(&ctx, &item.id, Step::Submit, "revised")
        .await
        .unwrap();
    assert!(
        store.reviews(&item.id).await.unwrap().is_empty(),
        "a new submission starts a new panel"
    );
}

async fn harvesting_is_idempotent_and_all_or_nothing(store: &TestStore) {
    let ctx = AuditContext::system();
    let harvested = |id: &str, title: &str| HarvestedItem {
        source_id: id.into(),
        source_url: Some(format!("https://portal.example/dataset/{id}")),
        published_at: "2025-06-01T00:00:00.000000Z".into(),
        content: content(title),
    };
    let source = "https://portal.example/api/3";
    let first = store
        .harvest(
            &ctx,
            source,
            vec![harvested("a", "A"), harvested("b", "B")],
            false,
        )
        .await
        .unwrap();
    assert_eq!((first.added, first.updated, first.unchanged), (2, 0, 0));
    let again = store
        .harvest(
            &ctx,
            source,
            vec![harvested("a", "A"), harvested("b", "B")],
            false,
        )
        .await
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 2));
    let changed = store
        .harvest(
            &ctx,
            source,
            vec![harvested("a", "A2"), harvested("b", "B")],
            true,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            changed.added,
            changed.updated,
            changed.unchanged,
            changed.withdrawn
        ),
        (0, 1, 1, 0)
    );
    let gone = store
        .harvest(&ctx, source, vec![harvested("a", "A2")], true)
        .await
        .unwrap();
    assert_eq!(gone.withdrawn, 1);
    let (published, _) = store
        .items(
            &ItemFilter {
                status: Some(ItemStatus::Published),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(
        published[0].published_at.as_deref(),
        Some("2025-06-01T00:00:00.000000Z")
    );
    assert!(published[0].is_harvested());
    // A batch with a bad item changes nothing.
    let mut bad = harvested("c", "C");
    bad.content.objectives = vec!["obj-99".into()];
    let before = store.items(&ItemFilter::default(), 100, 0).await.unwrap().1;
    assert!(store
        .harvest(&ctx, source, vec![harvested("d", "D"), bad], false)
        .await
        .is_err());
    assert_eq!(
        store.items(&ItemFilter::default(), 100, 0).await.unwrap().1,
        before
    );
}

async fn attachments_are_stored_whole(store: &TestStore) {
    let ctx = AuditContext::system();
    let item = store
        .create_item(&ctx, &Owner::default(), &content("Files"))
        .await
        .unwrap();
    let pdf = b"%PDF-1.7 a small document".to_vec();
    let meta = store
        .add_attachment(
            &ctx,
            &item.id,
            "report.pdf",
            "application/pdf",
            pdf.clone(),
            2,
        )
        .await
        .unwrap();
    let (read, owner, bytes) = store.attachment(&meta.id).await.unwrap().unwrap();
    assert_eq!(
        (read, owner, bytes),
        (meta.clone(), item.id.clone(), pdf.clone())
    );
    store
        .add_attachment(&ctx, &item.id, "b.pdf", "application/pdf", pdf.clone(), 2)
        .await
        .unwrap();
    let third = store
        .add_attachment(&ctx, &item.id, "c.pdf", "application/pdf", pdf, 2)
        .await
        .unwrap_err();
    assert!(third.to_string().contains("at most 2 files"));
    assert_eq!(
        store
            .item(&item.id)
            .await
            .unwrap()
            .unwrap()
            .attachments
            .len(),
        2
    );
}

backend_tests!(
    an_item_round_trips,
    the_workflow_follows_the_panel,
    a_conflict_recuses_and_a_return_resets_the_panel,
    harvesting_is_idempotent_and_all_or_nothing,
    attachments_are_stored_whole,
);
