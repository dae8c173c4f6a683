//! The connection hub in the store, on both backends: idempotent submission, the workflow
//! with its transitions and targets, notices resolved to the right addresses, suggestions and
//! decisions, teams and the partners' derived track record.

use marrakech_core::countries::M49;
use marrakech_core::hub::{Mover, Stage, TeamRole};
use marrakech_core::knowledge::Language;
use marrakech_core::policy::{OrganizationKind, Role};
use marrakech_store::hub::{
    Audience, Decision, NewSuggestion, NewTeamMember, Notice, PartnerFields, RequestFields,
    TargetKind,
};
use marrakech_store::testing::TestStore;
use marrakech_store::{
    backend_tests, AuditContext, NewOrganization, NewUser, StoreError, User, UserStatus,
};
use serde_json::json;

fn mexico() -> M49 {
    M49::new(484).unwrap()
}

async fn user(store: &TestStore, name: &str, role: Role) -> User {
    store
        .create_user(
            &AuditContext::system(),
            &NewUser {
                email: format!("{name}@example.org"),
                display_name: name.into(),
                password_hash: None,
                status: UserStatus::Active,
                roles: vec![role],
            },
        )
        .await
        .unwrap()
}

fn fields() -> RequestFields {
    RequestFields {
        title: "Labour migration data for policy".into(),
        description: "Our labour ministry needs better data on departures.".into(),
        urgency: "normal".into(),
        requesters: vec![mexico()],
        countries: vec![mexico(), M49::new(320).unwrap()],
        objectives: vec!["obj-1".into(), "obj-6".into()],
        actions: vec!["obj-1-a".into()],
        languages: vec![Language::Es, Language::En],
        support: vec!["data".into(), "technical-assistance".into()],
        preferred: vec![],
        invited: vec![],
    }
}

fn notice(audience: Audience, subject: &str) -> Notice {
    Notice {
        audience,
        subject: subject.into(),
        body: "See {reference}.".into(),
    }
}

async fn a_request_is_submitted_once_and_walks_to_served(store: &TestStore) {
    let focal = user(store, "focal", Role::FocalPoint { country: mexico() }).await;
    let officer = user(store, "officer", Role::Secretariat).await;
    let as_focal = AuditContext::user(&focal.id, Some("focal-point"));
    let as_officer = AuditContext::user(&officer.id, Some("secretariat"));
    let submitted = [notice(Audience::Secretariat, "New request {reference}")];
    let revision = store.hub_revision().await.unwrap();
    let (request, created) = store
        .submit_request(&as_focal, &focal.id, &fields(), Some("key-1"), &submitted)
        .await
        .unwrap();
    assert!(created);
    assert!(request.reference.starts_with("HUB-") && request.reference.ends_with("-0001"));
    assert_eq!(request.stage, Stage::Submitted);
    assert!(!request.public);
    assert_eq!(request.fields.countries.len(), 2);
    // Languages keep the order of preference they were given in.
    assert_eq!(request.fields.languages, vec![Language::Es, Language::En]);
    assert!(request.stage_due.is_some());
    // A confidential new request changes nothing matching reads: no matcher rebuild.
    assert_eq!(store.hub_revision().await.unwrap(), revision);
    // The retry finds the same request and queues nothing more.
    let (again, created) = store
        .submit_request(&as_focal, &focal.id, &fields(), Some("key-1"), &submitted)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id, request.id);
    assert_eq!(store.support_requests().await.unwrap().len(), 1);
    let mails = store.pending_emails().await.unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to_address, "officer@example.org");
    assert_eq!(
        mails[0].subject,
        format!("New request {}", request.reference)
    );

    // The focal point may only withdraw; the officer advances one stage at a time.
    let refused = store
        .move_request(
            &as_focal,
            &request.id,
            Stage::UnderAssessment,
            Mover::Requester,
            "",
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        StoreError::Refused { field: "stage", .. }
    ));
    store
        .assign_request(
            &as_officer,
            &request.id,
            &officer.id,
            &[notice(Audience::User(officer.id.clone()), "assigned")],
        )
        .await
        .unwrap();
    let mut stage = Stage::Submitted;
    while let Some(next) = stage.next() {
        let moved = store
            .move_request(
                &as_officer,
                &request.id,
                next,
                Mover::Secretariat,
                &format!("to {}", next.slug()),
                &[notice(Audience::Requesters, "stage changed")],
            )
            .await
            .unwrap();
        assert_eq!(moved.stage, next);
        stage = next;
    }
    let served = store.support_request(&request.id).await.unwrap().unwrap();
    assert_eq!(served.stage, Stage::Served);
    // Only closing it did (its team's load and record changed).
    assert_eq!(store.hub_revision().await.unwrap(), revision + 1);
    // Making it public changes the peers, not the registry.
    let (registry, peers) = store.hub_revisions().await.unwrap();
    store
        .set_request_public(&as_focal, &request.id, true)
        .await
        .unwrap();
    assert_eq!(store.hub_revisions().await.unwrap(), (registry, peers + 1));
    assert!(served.closed_at.is_some() && served.stage_due.is_none());
    assert_eq!(served.officer_name.as_deref(), Some("officer"));
    let history = store.request_transitions(&request.id).await.unwrap();
    assert_eq!(history.len(), 7);
    assert_eq!(history[0].from, None);
    assert_eq!(history[6].to, Stage::Served);
    assert_eq!(history[6].actor_name.as_deref(), Some("officer"));
    assert_eq!(history[6].note, "to served");
    // The officer is not told of their own assignment; the focal point hears of each stage.
    let mails = store.pending_emails().await.unwrap();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to_address == "focal@example.org")
            .count(),
        6
    );
    assert!(!mails.iter().any(|m| m.subject == "assigned"));
    let closed = store
        .move_request(
            &as_officer,
            &request.id,
            Stage::Declined,
            Mover::Secretariat,
            "",
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(closed, StoreError::Refused { .. }));
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        marrakech_store::AuditVerification::Intact { .. }
    ));
}

async fn suggestions_keep_decisions_and_accepted_partners_join_the_team(store: &TestStore) {
    let focal = user(store, "focal", Role::FocalPoint { country: mexico() }).await;
    let officer = user(store, "officer", Role::Secretariat).await;
    let as_officer = AuditContext::user(&officer.id, Some("secretariat"));
    let org = store
        .create_organization(
            &AuditContext::system(),
            &NewOrganization {
                name: "Labour Data Institute".into(),
                kind: OrganizationKind::Academia,
                country: Some(mexico()),
                website: None,
                description: String::new(),
            },
        )
        .await
        .unwrap();
    let contributor = user(
        store,
        "partner",
        Role::Contributor {
            organization: org.id.clone(),
        },
    )
    .await;
    let revision = store.hub_revision().await.unwrap();
    let partner = store
        .save_partner(
            &as_officer,
            &org.id,
            &PartnerFields {
                summary: "Labour statistics.".into(),
                staff: 4,
                objectives: vec!["obj-1".into()],
                actions: vec!["obj-1-a".into()],
                countries: vec![mexico()],
                regions: vec![M49::new(1).unwrap(), M49::new(419).unwrap()],
                languages: vec![Language::Es],
                support: vec!["data".into()],
            },
        )
        .await
        .unwrap();
    assert!(store.hub_revision().await.unwrap() > revision);
    assert_eq!(partner.name, "Labour Data Institute");
    assert_eq!(store.partner_count().await.unwrap(), 1);
    assert_eq!(
        partner.fields.regions,
        vec![M49::new(1).unwrap(), M49::new(419).unwrap()],
        "the world is kept beside the regions"
    );
    assert_eq!((partner.engaged, partner.requests_served), (0, 0));

    let (request, _) = store
        .submit_request(
            &AuditContext::user(&focal.id, Some("focal-point")),
            &focal.id,
            &fields(),
            None,
            &[],
        )
        .await
        .unwrap();
    let proposed = |id: &str, rank| NewSuggestion {
        kind: TargetKind::Partner,
        target_id: id.into(),
        title: "Labour Data Institute".into(),
        rank,
        score: 0.75,
        factors: json!([{"name": "topics", "weight": 0.3}]),
    };
    store
        .replace_suggestions(&request.id, &[proposed(&org.id, 1), proposed("other", 2)])
        .await
        .unwrap();
    let suggestions = store.suggestions(&request.id).await.unwrap();
    assert_eq!(suggestions.len(), 2);
    assert_eq!(suggestions[0].factors[0]["weight"], 0.3);
    store
        .decide_suggestion(
            &as_officer,
            &request.id,
            &suggestions[0].id,
            Decision::Accepted,
            &[notice(
                Audience::Organization(org.id.clone()),
                "you are engaged",
            )],
        )
        .await
        .unwrap();
    store
        .decide_suggestion(
            &as_officer,
            &request.id,
            &suggestions[1].id,
            Decision::Dismissed,
            &[],
        )
        .await
        .unwrap();
    // Matching again replaces only what nobody decided on.
    store
        .replace_suggestions(&request.id, &[proposed(&org.id, 1)])
        .await
        .unwrap();
    let after = store.suggestions(&request.id).await.unwrap();
    assert_eq!(after.len(), 2);
    assert_eq!(after[0].decision, Some(Decision::Accepted));
    assert_eq!(after[1].decision, Some(Decision::Dismissed));
    assert_eq!(after[0].decided_by.as_deref(), Some(officer.id.as_str()));

    let team = store.team(&request.id).await.unwrap();
    assert_eq!(team.len(), 1);
    assert_eq!(team[0].role, TeamRole::Participant);
    assert_eq!(team[0].kind, Some(OrganizationKind::Academia));
    let request = store.support_request(&request.id).await.unwrap().unwrap();
    assert_eq!(request.engaged, vec![org.id.clone()]);
    let mails = store.pending_emails().await.unwrap();
    assert!(mails
        .iter()
        .any(|m| m.to_address == "partner@example.org" && m.subject == "you are engaged"));
    let _ = contributor;
    // The same organization twice on one team is refused.
    let twice = store
        .add_team_member(
            &as_officer,
            &request.id,
            &NewTeamMember {
                role: TeamRole::Lead,
                organization_id: Some(org.id.clone()),
                name: org.name.clone(),
                kind: Some(OrganizationKind::Academia),
                contribution: String::new(),
            },
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(twice, StoreError::Conflict { .. }));
    assert_eq!(store.partner(&org.id).await.unwrap().unwrap().engaged, 1);
    // Served with it on the team: its track record counts the request.
    let mut stage = request.stage;
    while let Some(next) = stage.next() {
        store
            .move_request(&as_officer, &request.id, next, Mover::Secretariat, "", &[])
            .await
            .unwrap();
        stage = next;
    }
    let partner = store.partner(&org.id).await.unwrap().unwrap();
    assert_eq!((partner.engaged, partner.requests_served), (0, 1));
}

async fn overdue_stages_are_noticed_once(store: &TestStore) {
    let focal = user(store, "focal", Role::FocalPoint { country: mexico() }).await;
    user(store, "officer", Role::Secretariat).await;
    let (request, _) = store
        .submit_request(
            &AuditContext::user(&focal.id, Some("focal-point")),
            &focal.id,
            &fields(),
            None,
            &[],
        )
        .await
        .unwrap();
    let now = marrakech_store::now_text();
    assert!(store.overdue_unnoticed(&now).await.unwrap().is_empty());
    let later = marrakech_store::from_now(time::Duration::days(6));
    let overdue = store.overdue_unnoticed(&later).await.unwrap();
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0].is_overdue(&later) && !overdue[0].is_overdue(&now));
    let notices = [notice(Audience::Secretariat, "overdue")];
    assert!(store
        .notify_overdue(&request.id, Stage::Submitted, &notices)
        .await
        .unwrap());
    assert!(!store
        .notify_overdue(&request.id, Stage::Submitted, &notices)
        .await
        .unwrap());
    assert!(store.overdue_unnoticed(&later).await.unwrap().is_empty());
    let mails = store.pending_emails().await.unwrap();
    assert_eq!(mails.iter().filter(|m| m.subject == "overdue").count(), 1);
}

backend_tests!(
    a_request_is_submitted_once_and_walks_to_served,
    suggestions_keep_decisions_and_accepted_partners_join_the_team,
    overdue_stages_are_noticed_once,
);
