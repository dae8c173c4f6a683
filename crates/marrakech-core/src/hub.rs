//! The connection hub's workflow rules (para 43(a)): a support request's stages, the moves
//! between them and who holds each, the target time of each stage, the team that implements
//! a request and the check that its set-up is multi-agency and whole-of-society.
//!
//! The matching itself lives in the `marrakech-hub` crate; this module holds only the rules
//! the store, the pages and the API must agree on.

use serde::Serialize;

use crate::accounts::Invalid;
use crate::policy::OrganizationKind;

/// Where a request is (DESIGN.md): submitted -> under assessment -> partners identified ->
/// connected to peers -> implementation set up -> funding identified -> closed, the last
/// as served, declined or withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Submitted,
    UnderAssessment,
    PartnersIdentified,
    ConnectedToPeers,
    ImplementationSetUp,
    FundingIdentified,
    Served,
    Declined,
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Submitted,
        Stage::UnderAssessment,
        Stage::PartnersIdentified,
        Stage::ConnectedToPeers,
        Stage::ImplementationSetUp,
        Stage::FundingIdentified,
        Stage::Served,
        Stage::Declined,
        Stage::Withdrawn,
    ];

    /// The stages a request is worked on in, in order.
    pub const OPEN: [Stage; 6] = [
        Stage::Submitted,
        Stage::UnderAssessment,
        Stage::PartnersIdentified,
        Stage::ConnectedToPeers,
        Stage::ImplementationSetUp,
        Stage::FundingIdentified,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Stage::Submitted => "submitted",
            Stage::UnderAssessment => "under-assessment",
            Stage::PartnersIdentified => "partners-identified",
            Stage::ConnectedToPeers => "connected-to-peers",
            Stage::ImplementationSetUp => "implementation-set-up",
            Stage::FundingIdentified => "funding-identified",
            Stage::Served => "served",
            Stage::Declined => "declined",
            Stage::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Submitted => "Submitted",
            Stage::UnderAssessment => "Under assessment",
            Stage::PartnersIdentified => "Partners identified",
            Stage::ConnectedToPeers => "Connected to peers",
            Stage::ImplementationSetUp => "Implementation set up",
            Stage::FundingIdentified => "Funding identified",
            Stage::Served => "Closed: served",
            Stage::Declined => "Closed: declined",
            Stage::Withdrawn => "Closed: withdrawn",
        }
    }

    pub fn parse(slug: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn is_open(self) -> bool {
        Stage::OPEN.contains(&self)
    }

    /// Days the secretariat aims to spend in the stage; past them the stage is overdue.
    /// Closed stages have none.
    pub fn target_days(self) -> Option<i64> {
        match self {
            // Acknowledged and an officer assigned within a working week.
            Stage::Submitted => Some(5),
            Stage::UnderAssessment => Some(15),
            Stage::PartnersIdentified => Some(20),
            Stage::ConnectedToPeers => Some(30),
            Stage::ImplementationSetUp => Some(45),
            Stage::FundingIdentified => Some(60),
            Stage::Served | Stage::Declined | Stage::Withdrawn => None,
        }
    }

    /// Who holds a request in the stage: whose move it is.
    pub fn holder(self) -> &'static str {
        match self {
            Stage::Submitted => "the secretariat, to assign an officer",
            Stage::UnderAssessment => "the assigned officer, assessing the request",
            Stage::PartnersIdentified => "the assigned officer, connecting the country to peers",
            Stage::ConnectedToPeers => {
                "the assigned officer, with the lead organization, setting up the team"
            }
            Stage::ImplementationSetUp => "the assigned officer, identifying funding",
            Stage::FundingIdentified => "the lead organization, delivering the support",
            Stage::Served | Stage::Declined | Stage::Withdrawn => "nobody: the request is closed",
        }
    }

    /// The stage an officer advances the request to.
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Submitted => Some(Stage::UnderAssessment),
            Stage::UnderAssessment => Some(Stage::PartnersIdentified),
            Stage::PartnersIdentified => Some(Stage::ConnectedToPeers),
            Stage::ConnectedToPeers => Some(Stage::ImplementationSetUp),
            Stage::ImplementationSetUp => Some(Stage::FundingIdentified),
            Stage::FundingIdentified => Some(Stage::Served),
            Stage::Served | Stage::Declined | Stage::Withdrawn => None,
        }
    }
}

/// Who moves a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// The secretariat's officer.
    Secretariat,
    /// A focal point of a requesting country.
    Requester,
}

/// Whether `mover` may take a request from `from` to `to`. The secretariat advances one
/// stage at a time (a request that needs no funding may be served once its implementation
/// is set up) and may decline an open request; the requesting country may withdraw it.
pub fn check_move(from: Stage, to: Stage, mover: Mover) -> Result<(), Invalid> {
    if !from.is_open() {
        return Err(Invalid(format!(
            "the request is closed ({}); it cannot move",
            from.label().to_lowercase()
        )));
    }
    let allowed = match (mover, to) {
        (Mover::Requester, Stage::Withdrawn) => true,
        (Mover::Requester, _) => false,
        (Mover::Secretariat, Stage::Declined) => true,
        (Mover::Secretariat, Stage::Served) => {
            matches!(from, Stage::ImplementationSetUp | Stage::FundingIdentified)
        }
        (Mover::Secretariat, Stage::Withdrawn) => false,
        (Mover::Secretariat, to) => from.next() == Some(to),
    };
    if allowed {
        Ok(())
    } else if mover == Mover::Requester {
        Err(Invalid(
            "the requesting country may only withdraw its request".into(),
        ))
    } else {
        Err(Invalid(format!(
            "a request {} cannot go to {}",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )))
    }
}

/// A member of the team that implements a request (para 43(a)(iv)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TeamRole {
    /// The lead organization.
    Lead,
    /// A participating organization, with its role in words.
    Participant,
    /// A government counterpart in a requesting country.
    GovernmentCounterpart,
    /// A stakeholder (para 44): civil society, migrants, local authorities, the private
    /// sector, trade unions, academia and others.
    Stakeholder,
}

impl TeamRole {
    pub const ALL: [TeamRole; 4] = [
        TeamRole::Lead,
        TeamRole::Participant,
        TeamRole::GovernmentCounterpart,
        TeamRole::Stakeholder,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            TeamRole::Lead => "lead",
            TeamRole::Participant => "participant",
            TeamRole::GovernmentCounterpart => "government-counterpart",
            TeamRole::Stakeholder => "stakeholder",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TeamRole::Lead => "Lead organization",
            TeamRole::Participant => "Participating organization",
            TeamRole::GovernmentCounterpart => "Government counterpart",
            TeamRole::Stakeholder => "Stakeholder",
        }
    }

    pub fn parse(slug: &str) -> Option<TeamRole> {
        TeamRole::ALL.into_iter().find(|r| r.slug() == slug)
    }
}

/// One line of the set-up check: what is looked for, whether it holds, and why it matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetupFinding {
    pub check: &'static str,
    pub holds: bool,
    /// Whether the request calls for it (a finding that is not required is advice).
    pub required: bool,
    pub explanation: String,
}

/// What the set-up check needs to know of a request.
#[derive(Debug, Clone, Copy)]
pub struct SetupNeeds {
    /// Objectives and actions the request addresses (distinct objectives).
    pub objectives: usize,
    /// Kinds of support sought.
    pub support_kinds: usize,
    /// Countries concerned.
    pub countries: usize,
}

impl SetupNeeds {
    /// A request that spans objectives, kinds of support or countries calls for several
    /// agencies (para 43(a)(iv): "multi-agency and multi-stakeholder implementation").
    pub fn calls_for_multi_agency(self) -> bool {
        self.objectives > 1 || self.support_kinds > 1 || self.countries > 1
    }
}

/// Checks a team against guiding principles (i) whole-of-government and (j)
/// whole-of-society and para 43(a)(iv). `team` lists each member's role and, for
/// organizations, their kind.
pub fn check_setup(
    needs: SetupNeeds,
    team: &[(TeamRole, Option<OrganizationKind>)],
) -> Vec<SetupFinding> {
    let leads = team.iter().filter(|(r, _)| *r == TeamRole::Lead).count();
    let agencies = team
        .iter()
        .filter(|(r, _)| matches!(r, TeamRole::Lead | TeamRole::Participant))
        .count();
    let un = team
        .iter()
        .filter(|(_, k)| *k == Some(OrganizationKind::UnEntity))
        .count();
    let government = team
        .iter()
        .filter(|(r, _)| *r == TeamRole::GovernmentCounterpart)
        .count();
    let society = team
        .iter()
        .filter(|(r, k)| {
            *r == TeamRole::Stakeholder
                || k.is_some_and(|k| {
                    !matches!(
                        k,
                        OrganizationKind::UnEntity
                            | OrganizationKind::MemberStateGovernment
                            | OrganizationKind::InternationalFinancialInstitution
                    )
                })
        })
        .count();
    let multi = needs.calls_for_multi_agency();
    vec![
        SetupFinding {
            check: "One lead organization",
            holds: leads == 1,
            required: true,
            explanation: match leads {
                0 => "name the organization that leads the implementation".into(),
                1 => "one organization leads".into(),
                n => format!("{n} organizations are marked as lead; keep one"),
            },
        },
        SetupFinding {
            check: "Multi-agency",
            holds: agencies >= 2 && (un >= 1 || agencies >= 3),
            required: multi,
            explanation: format!(
                "{agencies} implementing organization(s), {un} of the UN system; {}",
                if multi {
                    "the request spans several objectives, kinds of support or countries, so \
                     para 43(a)(iv) calls for two or more agencies"
                } else {
                    "a focused request may be served by one agency"
                }
            ),
        },
        SetupFinding {
            check: "Whole-of-government",
            holds: government >= 1,
            required: true,
            explanation: format!(
                "{government} government counterpart(s); guiding principle (i) asks for the \
                 ministries concerned to take part"
            ),
        },
        SetupFinding {
            check: "Whole-of-society",
            holds: society >= 1,
            required: multi,
            explanation: format!(
                "{society} stakeholder(s) outside government and the UN system; guiding \
                 principle (j) and para 44 ask for migrants, civil society, local authorities, \
                 the private sector, trade unions and academia"
            ),
        },
    ]
}

/// Whether the set-up meets everything it is required to.
pub fn setup_ready(findings: &[SetupFinding]) -> bool {
    findings.iter().all(|f| f.holds || !f.required)
}

/// Who a request concerns, as the policy sees it: its requesting countries, the countries
/// asked to join it, whether its country made it public, and the organizations on its team.
#[derive(Debug, Clone, Copy)]
pub struct RequestParties<'a> {
    pub requesters: &'a [crate::countries::M49],
    pub invited: &'a [crate::countries::M49],
    pub public: bool,
    pub engaged: &'a [String],
}

/// What the policy lets the actor do with a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RequestRights {
    /// See it at all.
    pub see: bool,
    /// Act for a requesting country: follow it, comment, attach, withdraw, make it public.
    pub requester: bool,
    /// Process it as the secretariat.
    pub process: bool,
    /// Work on it as a partner on its team.
    pub engaged: bool,
    /// Act for a country asked to join it: see it, and accept or decline.
    pub invited: bool,
}

impl RequestRights {
    /// Those who work on the request: they see its comments and team details.
    pub fn member(self) -> bool {
        self.requester || self.process || self.engaged
    }

    /// Those who see the matching: the country and the secretariat.
    pub fn sees_matching(self) -> bool {
        self.requester || self.process
    }
}

/// The policy's answers for a request and an actor: the hub's one rule for pages and API.
pub fn request_rights(actor: &crate::policy::Actor, request: RequestParties<'_>) -> RequestRights {
    use crate::policy::{decide, Action, Decision, Resource};
    let may = |action, countries, public, engaged| {
        decide(
            actor,
            action,
            Resource::Request {
                countries,
                public,
                engaged,
            },
        ) == Decision::Allow
    };
    let (requesters, public, engaged) = (request.requesters, request.public, request.engaged);
    let process = may(Action::ProcessRequests, requesters, public, engaged);
    let requester = may(Action::RequestSupport, requesters, public, engaged);
    let member = may(Action::ReadRequest, requesters, false, engaged);
    let invited = !requester && may(Action::RequestSupport, request.invited, false, &[]);
    RequestRights {
        see: member || invited || may(Action::ReadRequest, requesters, public, engaged),
        requester,
        process,
        engaged: member && !process && !requester,
        invited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invited_state_sees_a_request_but_does_not_act_for_it() {
        use crate::countries::M49;
        use crate::policy::{Actor, Role};
        let focal = |m49| Actor {
            user_id: Some(format!("fp-{m49}")),
            roles: vec![Role::FocalPoint {
                country: M49::new(m49).unwrap(),
            }],
            token_actions: None,
        };
        let (mexico, guatemala) = ([M49::new(484).unwrap()], [M49::new(320).unwrap()]);
        let request = |public| RequestParties {
            requesters: &mexico,
            invited: &guatemala,
            public,
            engaged: &[],
        };
        let mine = request_rights(&focal(484), request(false));
        assert!(mine.see && mine.requester && mine.sees_matching() && !mine.invited);
        let asked = request_rights(&focal(320), request(false));
        assert!(asked.see && asked.invited && !asked.requester && !asked.member());
        let other = request_rights(&focal(608), request(false));
        assert_eq!(other, RequestRights::default());
        let public = request_rights(&Actor::anonymous(), request(true));
        assert!(public.see && !public.member());
    }

    #[test]
    fn an_officer_walks_every_stage_to_served() {
        let mut stage = Stage::Submitted;
        let mut walked = vec![stage];
        while let Some(next) = stage.next() {
            check_move(stage, next, Mover::Secretariat).unwrap();
            stage = next;
            walked.push(stage);
        }
        assert_eq!(walked.len(), 7);
        assert_eq!(stage, Stage::Served);
        assert!(check_move(Stage::Served, Stage::Declined, Mover::Secretariat).is_err());
    }

    #[test]
    fn stages_are_not_skipped_and_only_the_country_withdraws() {
        assert!(check_move(
            Stage::Submitted,
            Stage::PartnersIdentified,
            Mover::Secretariat
        )
        .is_err());
        assert!(check_move(Stage::UnderAssessment, Stage::Served, Mover::Secretariat).is_err());
        check_move(
            Stage::ImplementationSetUp,
            Stage::Served,
            Mover::Secretariat,
        )
        .unwrap();
        check_move(Stage::ConnectedToPeers, Stage::Declined, Mover::Secretariat).unwrap();
        assert!(check_move(Stage::Submitted, Stage::Withdrawn, Mover::Secretariat).is_err());
        check_move(Stage::ConnectedToPeers, Stage::Withdrawn, Mover::Requester).unwrap();
        let refused =
            check_move(Stage::Submitted, Stage::UnderAssessment, Mover::Requester).unwrap_err();
        assert!(refused.0.contains("only withdraw"), "{}", refused.0);
    }

    #[test]
    fn every_open_stage_has_a_target_and_closed_ones_none() {
        for stage in Stage::ALL {
            assert_eq!(stage.target_days().is_some(), stage.is_open(), "{stage:?}");
            assert_eq!(Stage::parse(stage.slug()), Some(stage));
        }
        for role in TeamRole::ALL {
            assert_eq!(TeamRole::parse(role.slug()), Some(role));
        }
    }

    #[test]
    fn the_setup_check_asks_for_several_agencies_and_society_when_the_request_is_broad() {
        let broad = SetupNeeds {
            objectives: 2,
            support_kinds: 1,
            countries: 1,
        };
        let lone = [(TeamRole::Lead, Some(OrganizationKind::UnEntity))];
        let findings = check_setup(broad, &lone);
        assert!(!setup_ready(&findings));
        assert!(!findings[1].holds && findings[1].required);
        let full = [
            (TeamRole::Lead, Some(OrganizationKind::UnEntity)),
            (TeamRole::Participant, Some(OrganizationKind::UnEntity)),
            (TeamRole::GovernmentCounterpart, None),
            (
                TeamRole::Stakeholder,
                Some(OrganizationKind::MigrantOrDiaspora),
            ),
        ];
        assert!(setup_ready(&check_setup(broad, &full)));
        // A focused request needs a lead and a government counterpart only.
        let focused = SetupNeeds {
            objectives: 1,
            support_kinds: 1,
            countries: 1,
        };
        let small = [
            (TeamRole::Lead, Some(OrganizationKind::UnEntity)),
            (TeamRole::GovernmentCounterpart, None),
        ];
        assert!(setup_ready(&check_setup(focused, &small)));
        let two_leads = [
            (TeamRole::Lead, Some(OrganizationKind::UnEntity)),
            (TeamRole::Lead, Some(OrganizationKind::Academia)),
            (TeamRole::GovernmentCounterpart, None),
        ];
        assert!(!setup_ready(&check_setup(focused, &two_leads)));
    }
}
