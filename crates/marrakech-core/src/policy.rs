//! Who may do what to which resource: the platform's one authorization policy.
//!
//! Pages, the API and the command line all ask [`decide`]; nothing else grants access. Roles
//! come from DESIGN.md: administrator, network secretariat, peer reviewer (internal or
//! external), fund manager, steering committee member, member-state focal point (bound to one
//! country), stakeholder contributor (bound to one organization), and the anonymous public.
//! Each role gets the least it needs; an API token narrows its user's roles and actions further.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::countries::M49;

/// The kinds of organization the compact names (paras 43(b)(iii) and 44).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrganizationKind {
    MemberStateGovernment,
    UnEntity,
    InternationalFinancialInstitution,
    CivilSociety,
    MigrantOrDiaspora,
    FaithBased,
    LocalAuthority,
    PrivateSector,
    TradeUnion,
    Parliament,
    NationalHumanRightsInstitution,
    RedCrossRedCrescent,
    Academia,
    Media,
    PhilanthropicFoundation,
    Other,
}

impl OrganizationKind {
    pub const ALL: [OrganizationKind; 16] = [
        OrganizationKind::MemberStateGovernment,
        OrganizationKind::UnEntity,
        OrganizationKind::InternationalFinancialInstitution,
        OrganizationKind::CivilSociety,
        OrganizationKind::MigrantOrDiaspora,
        OrganizationKind::FaithBased,
        OrganizationKind::LocalAuthority,
        OrganizationKind::PrivateSector,
        OrganizationKind::TradeUnion,
        OrganizationKind::Parliament,
        OrganizationKind::NationalHumanRightsInstitution,
        OrganizationKind::RedCrossRedCrescent,
        OrganizationKind::Academia,
        OrganizationKind::Media,
        OrganizationKind::PhilanthropicFoundation,
        OrganizationKind::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            OrganizationKind::MemberStateGovernment => "member-state-government",
            OrganizationKind::UnEntity => "un-entity",
            OrganizationKind::InternationalFinancialInstitution => {
                "international-financial-institution"
            }
            OrganizationKind::CivilSociety => "civil-society",
            OrganizationKind::MigrantOrDiaspora => "migrant-or-diaspora",
            OrganizationKind::FaithBased => "faith-based",
            OrganizationKind::LocalAuthority => "local-authority",
            OrganizationKind::PrivateSector => "private-sector",
            OrganizationKind::TradeUnion => "trade-union",
            OrganizationKind::Parliament => "parliament",
            OrganizationKind::NationalHumanRightsInstitution => "national-human-rights-institution",
            OrganizationKind::RedCrossRedCrescent => "red-cross-red-crescent",
            OrganizationKind::Academia => "academia",
            OrganizationKind::Media => "media",
            OrganizationKind::PhilanthropicFoundation => "philanthropic-foundation",
            OrganizationKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrganizationKind::MemberStateGovernment => "Member State government",
            OrganizationKind::UnEntity => "UN entity",
            OrganizationKind::InternationalFinancialInstitution => {
                "International financial institution"
            }
            OrganizationKind::CivilSociety => "Civil society organization",
            OrganizationKind::MigrantOrDiaspora => "Migrant or diaspora organization",
            OrganizationKind::FaithBased => "Faith-based organization",
            OrganizationKind::LocalAuthority => "Local authority",
            OrganizationKind::PrivateSector => "Private sector",
            OrganizationKind::TradeUnion => "Trade union",
            OrganizationKind::Parliament => "Parliament",
            OrganizationKind::NationalHumanRightsInstitution => "National human rights institution",
            OrganizationKind::RedCrossRedCrescent => "Red Cross / Red Crescent",
            OrganizationKind::Academia => "Academia",
            OrganizationKind::Media => "Media",
            OrganizationKind::PhilanthropicFoundation => "Philanthropic foundation",
            OrganizationKind::Other => "Other",
        }
    }

    pub fn parse(slug: &str) -> Option<OrganizationKind> {
        OrganizationKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Position in [`OrganizationKind::ALL`] (the search index's facet bits).
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewerKind {
    /// A reviewer from within the UN system.
    Internal,
    /// An external expert.
    External,
}

impl ReviewerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewerKind::Internal => "internal",
            ReviewerKind::External => "external",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewerKind> {
        match s {
            "internal" => Some(ReviewerKind::Internal),
            "external" => Some(ReviewerKind::External),
            _ => None,
        }
    }
}

/// A role a user holds. Focal points act for one country, contributors for one organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum Role {
    Administrator,
    Secretariat,
    Reviewer { kind: ReviewerKind },
    FundManager,
    SteeringCommittee,
    FocalPoint { country: M49 },
    Contributor { organization: String },
}

/// A role's name without its binding, as stored and as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleName {
    Administrator,
    Secretariat,
    Reviewer,
    FundManager,
    SteeringCommittee,
    FocalPoint,
    Contributor,
}

impl RoleName {
    pub const ALL: [RoleName; 7] = [
        RoleName::Administrator,
        RoleName::Secretariat,
        RoleName::Reviewer,
        RoleName::FundManager,
        RoleName::SteeringCommittee,
        RoleName::FocalPoint,
        RoleName::Contributor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleName::Administrator => "administrator",
            RoleName::Secretariat => "secretariat",
            RoleName::Reviewer => "reviewer",
            RoleName::FundManager => "fund-manager",
            RoleName::SteeringCommittee => "steering-committee",
            RoleName::FocalPoint => "focal-point",
            RoleName::Contributor => "contributor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoleName::Administrator => "Administrator",
            RoleName::Secretariat => "Network secretariat",
            RoleName::Reviewer => "Peer reviewer",
            RoleName::FundManager => "Fund manager",
            RoleName::SteeringCommittee => "Steering committee member",
            RoleName::FocalPoint => "Member-state focal point",
            RoleName::Contributor => "Stakeholder contributor",
        }
    }

    pub fn parse(s: &str) -> Option<RoleName> {
        RoleName::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Privileged roles come only by an administrator's invitation; anyone may register as a
    /// contributor.
    pub fn by_invitation_only(self) -> bool {
        self != RoleName::Contributor
    }
}

impl Role {
    /// A role from its name and the binding it needs: the reviewer's kind, the focal point's
    /// country, the contributor's organization. Bindings a role does not take are refused.
    pub fn from_parts(
        name: &str,
        reviewer_kind: Option<&str>,
        country: Option<&str>,
        organization: Option<&str>,
    ) -> Result<Role, crate::accounts::Invalid> {
        use crate::accounts::Invalid;
        let name =
            RoleName::parse(name).ok_or_else(|| Invalid(format!("`{name}` is not a role")))?;
        let extra =
            |what: &str| Invalid(format!("a {} takes no {what}", name.label().to_lowercase()));
        if name != RoleName::Reviewer && reviewer_kind.is_some() {
            return Err(extra("reviewer kind"));
        }
        if name != RoleName::FocalPoint && country.is_some() {
            return Err(extra("country"));
        }
        if name != RoleName::Contributor && organization.is_some() {
            return Err(extra("organization"));
        }
        Ok(match name {
            RoleName::Administrator => Role::Administrator,
            RoleName::Secretariat => Role::Secretariat,
            RoleName::FundManager => Role::FundManager,
            RoleName::SteeringCommittee => Role::SteeringCommittee,
            RoleName::Reviewer => Role::Reviewer {
                kind: reviewer_kind
                    .and_then(ReviewerKind::parse)
                    .ok_or_else(|| Invalid("a peer reviewer is internal or external".into()))?,
            },
            RoleName::FocalPoint => Role::FocalPoint {
                country: country.and_then(|c| c.parse().ok()).ok_or_else(|| {
                    Invalid("a focal point acts for one country: give its M49 code".into())
                })?,
            },
            RoleName::Contributor => Role::Contributor {
                organization: organization
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| Invalid("a contributor acts for one organization".into()))?,
            },
        })
    }

    pub fn name(&self) -> RoleName {
        match self {
            Role::Administrator => RoleName::Administrator,
            Role::Secretariat => RoleName::Secretariat,
            Role::Reviewer { .. } => RoleName::Reviewer,
            Role::FundManager => RoleName::FundManager,
            Role::SteeringCommittee => RoleName::SteeringCommittee,
            Role::FocalPoint { .. } => RoleName::FocalPoint,
            Role::Contributor { .. } => RoleName::Contributor,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Reviewer { kind } => write!(f, "{} ({})", self.name().label(), kind.as_str()),
            Role::FocalPoint { country } => write!(f, "{} for {country}", self.name().label()),
            Role::Contributor { organization } => {
                write!(f, "{} for organization {organization}", self.name().label())
            }
            _ => f.write_str(self.name().label()),
        }
    }
}

/// Everything the policy rules on. Adding an action means deciding, below, who may take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Read what is published: open to everyone.
    ReadPublic,
    /// Use one's own account: see it, edit one's profile, sign out, revoke API tokens.
    UseAccount,
    /// Change how one signs in and take one's data away: create API tokens, change the
    /// password, download one's personal data, delete the account. A browser session has it;
    /// an API token only when it was created with it, so a narrow token cannot widen itself.
    ManageAccount,
    /// See users, grant and revoke roles, disable accounts.
    ManageUsers,
    /// Invite someone into a privileged role.
    InviteUsers,
    /// Create, edit and verify any organization.
    ManageOrganizations,
    /// Edit one organization's profile.
    EditOrganization,
    /// Browse and export the audit trail.
    ReadAudit,
    /// See the email outbox (it holds addresses: personal data).
    ReadOutbox,
    /// Create and edit knowledge items, submit them, withdraw one's own.
    SubmitKnowledge,
    /// Review items one is assigned to.
    ReviewKnowledge,
    /// Assign reviewers, publish, return or reject, run calls for practices.
    ModerateKnowledge,
    /// Submit a support request to the connection hub for one's country, follow it, comment
    /// on it, withdraw it or make it public.
    RequestSupport,
    /// Run the connection hub: assign officers, move requests through their stages, accept
    /// or dismiss suggestions, set up teams and funding, keep the partner registry.
    ProcessRequests,
    /// See a support request: its country, the secretariat and the organizations engaged on
    /// it, or everyone once its country makes it public.
    ReadRequest,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::ReadPublic,
        Action::UseAccount,
        Action::ManageAccount,
        Action::ManageUsers,
        Action::InviteUsers,
        Action::ManageOrganizations,
        Action::EditOrganization,
        Action::ReadAudit,
        Action::ReadOutbox,
        Action::SubmitKnowledge,
        Action::ReviewKnowledge,
        Action::ModerateKnowledge,
        Action::RequestSupport,
        Action::ProcessRequests,
        Action::ReadRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReadPublic => "read-public",
            Action::UseAccount => "use-account",
            Action::ManageAccount => "manage-account",
            Action::ManageUsers => "manage-users",
            Action::InviteUsers => "invite-users",
            Action::ManageOrganizations => "manage-organizations",
            Action::EditOrganization => "edit-organization",
            Action::ReadAudit => "read-audit",
            Action::ReadOutbox => "read-outbox",
            Action::SubmitKnowledge => "submit-knowledge",
            Action::ReviewKnowledge => "review-knowledge",
            Action::ModerateKnowledge => "moderate-knowledge",
            Action::RequestSupport => "request-support",
            Action::ProcessRequests => "process-requests",
            Action::ReadRequest => "read-request",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// What an action is taken on, when the answer depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Nothing in particular (lists, creation).
    Any,
    Organization(&'a str),
    Country(M49),
    /// A record authored by a user: nobody approves their own.
    AuthoredBy(&'a str),
    /// A knowledge item, by who owns it: its submitter, the organization and the country it
    /// was submitted for.
    Item {
        submitter: &'a str,
        organization: Option<&'a str>,
        country: Option<M49>,
    },
    /// A hub support request: the countries that made it, whether it is public, and the
    /// organizations engaged on it (its team).
    Request {
        countries: &'a [M49],
        public: bool,
        engaged: &'a [String],
    },
}

/// Who is acting: a signed-in user with roles, or the public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub roles: Vec<Role>,
    /// Set when acting through an API token: only these actions, whatever the roles allow.
    pub token_actions: Option<Vec<Action>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The public asked for something that needs an account.
    SignInRequired,
    /// A signed-in user asked for something their roles do not give them.
    Forbidden(&'static str),
}

impl Actor {
    pub fn anonymous() -> Actor {
        Actor::default()
    }

    pub fn is_signed_in(&self) -> bool {
        self.user_id.is_some()
    }

    pub fn has(&self, name: RoleName) -> bool {
        self.roles.iter().any(|r| r.name() == name)
    }

    /// The role the actor acts under for `action`: the first of its roles that may take it,
    /// recorded in the audit trail.
    pub fn acting_role(&self, action: Action) -> Option<&Role> {
        self.roles.iter().find(|r| role_may(r, action))
    }
}

/// Whether a role may ever take an action, whatever the resource.
pub fn role_may(role: &Role, action: Action) -> bool {
    use Action::*;
    match action {
        ReadPublic | UseAccount | ManageAccount => true,
        ManageUsers | InviteUsers | ReadOutbox => matches!(role, Role::Administrator),
        ReadAudit => matches!(role, Role::Administrator),
        ManageOrganizations => matches!(role, Role::Administrator | Role::Secretariat),
        EditOrganization => matches!(
            role,
            Role::Administrator | Role::Secretariat | Role::Contributor { .. }
        ),
        SubmitKnowledge => matches!(
            role,
            Role::Secretariat | Role::FocalPoint { .. } | Role::Contributor { .. }
        ),
        ReviewKnowledge => matches!(role, Role::Reviewer { .. }),
        ModerateKnowledge => matches!(role, Role::Administrator | Role::Secretariat),
        RequestSupport => matches!(role, Role::FocalPoint { .. }),
        // Requests are confidential to their country: the administrator, who runs the
        // platform, does not process or read them.
        ProcessRequests => matches!(role, Role::Secretariat),
        ReadRequest => matches!(
            role,
            Role::Secretariat | Role::FocalPoint { .. } | Role::Contributor { .. }
        ),
    }
}

/// Whether a role may take an action on this particular resource.
fn role_may_on(role: &Role, action: Action, resource: Resource<'_>) -> bool {
    if !role_may(role, action) {
        return false;
    }
    match (role, action, resource) {
        // A contributor edits only their own organization.
        (
            Role::Contributor { organization },
            Action::EditOrganization,
            Resource::Organization(id),
        ) => organization == id,
        (Role::Contributor { .. }, Action::EditOrganization, _) => false,
        // A focal point acts only for their own country.
        (Role::FocalPoint { country }, _, Resource::Country(c)) => *country == c,
        // A contributor edits only their organization's items, a focal point only their
        // country's; the secretariat any.
        (
            Role::Contributor { organization },
            Action::SubmitKnowledge,
            Resource::Item {
                organization: owner,
                ..
            },
        ) => owner == Some(organization.as_str()),
        (
            Role::FocalPoint { country },
            Action::SubmitKnowledge,
            Resource::Item { country: owner, .. },
        ) => owner == Some(*country),
        // A focal point sees and acts on their own country's requests; a contributor sees
        // those their organization is engaged on.
        (
            Role::FocalPoint { country },
            Action::RequestSupport | Action::ReadRequest,
            Resource::Request { countries, .. },
        ) => countries.contains(country),
        (
            Role::Contributor { organization },
            Action::ReadRequest,
            Resource::Request { engaged, .. },
        ) => engaged.contains(organization),
        (Role::Contributor { .. }, Action::ReadRequest, _) => false,
        _ => true,
    }
}

/// The policy: may `actor` take `action` on `resource`?
pub fn decide(actor: &Actor, action: Action, resource: Resource<'_>) -> Decision {
    if action == Action::ReadPublic {
        return Decision::Allow;
    }
    // A request its country made public is read like anything published.
    if let (Action::ReadRequest, Resource::Request { public: true, .. }) = (action, resource) {
        return Decision::Allow;
    }
    let Some(user) = actor.user_id.as_deref() else {
        return Decision::SignInRequired;
    };
    if let Some(allowed) = &actor.token_actions {
        if !allowed.contains(&action) {
            return Decision::Forbidden("this API token is not scoped for this action");
        }
    }
    if matches!(action, Action::UseAccount | Action::ManageAccount) {
        return Decision::Allow;
    }
    // Nobody approves their own work, whatever their roles.
    if let Resource::AuthoredBy(author) = resource {
        if author == user {
            return Decision::Forbidden("nobody may act on their own submission");
        }
    }
    if let Resource::Item { submitter, .. } = resource {
        if submitter == user
            && matches!(action, Action::ReviewKnowledge | Action::ModerateKnowledge)
        {
            return Decision::Forbidden("nobody reviews or decides on their own submission");
        }
        // The submitter may always work on (and withdraw) what they submitted.
        if submitter == user
            && action == Action::SubmitKnowledge
            && may_ever(actor, action) == Decision::Allow
        {
            return Decision::Allow;
        }
    }
    if actor.roles.iter().any(|r| role_may_on(r, action, resource)) {
        Decision::Allow
    } else if actor.roles.iter().any(|r| role_may(r, action)) {
        Decision::Forbidden("your role does not cover this one")
    } else {
        Decision::Forbidden("your roles do not allow this")
    }
}

/// Whether some role of the actor may take the action at all (the route-level gate; the
/// handler then decides on the resource).
pub fn may_ever(actor: &Actor, action: Action) -> Decision {
    if action == Action::ReadPublic {
        return Decision::Allow;
    }
    if actor.user_id.is_none() {
        return Decision::SignInRequired;
    }
    if let Some(allowed) = &actor.token_actions {
        if !allowed.contains(&action) {
            return Decision::Forbidden("this API token is not scoped for this action");
        }
    }
    if matches!(action, Action::UseAccount | Action::ManageAccount)
        || actor.roles.iter().any(|r| role_may(r, action))
    {
        Decision::Allow
    } else {
        Decision::Forbidden("your roles do not allow this")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: Vec<Role>) -> Actor {
        Actor {
            user_id: Some("u1".into()),
            roles,
            token_actions: None,
        }
    }

    #[test]
    fn the_public_reads_and_signs_in_for_the_rest() {
        let public = Actor::anonymous();
        assert_eq!(
            decide(&public, Action::ReadPublic, Resource::Any),
            Decision::Allow
        );
        for action in Action::ALL.into_iter().filter(|a| *a != Action::ReadPublic) {
            assert_eq!(
                decide(&public, action, Resource::Any),
                Decision::SignInRequired,
                "{action:?}"
            );
        }
    }

    #[test]
    fn a_contributor_edits_only_their_organization() {
        let c = user(vec![Role::Contributor {
            organization: "org-a".into(),
        }]);
        assert_eq!(
            decide(
                &c,
                Action::EditOrganization,
                Resource::Organization("org-a")
            ),
            Decision::Allow
        );
        assert!(matches!(
            decide(
                &c,
                Action::EditOrganization,
                Resource::Organization("org-b")
            ),
            Decision::Forbidden(_)
        ));
        assert!(matches!(
            decide(&c, Action::ManageOrganizations, Resource::Any),
            Decision::Forbidden(_)
        ));
        let secretariat = user(vec![Role::Secretariat]);
        assert_eq!(
            decide(
                &secretariat,
                Action::EditOrganization,
                Resource::Organization("org-b")
            ),
            Decision::Allow
        );
    }

    #[test]
    fn a_focal_point_acts_only_for_their_country() {
        let mexico = M49::new(484).unwrap();
        let fp = user(vec![Role::FocalPoint { country: mexico }]);
        assert!(role_may_on(
            &fp.roles[0],
            Action::UseAccount,
            Resource::Country(mexico)
        ));
        assert!(!role_may_on(
            &fp.roles[0],
            Action::UseAccount,
            Resource::Country(M49::new(608).unwrap())
        ));
    }

    #[test]
    fn nobody_acts_on_their_own_submission() {
        let admin = user(vec![Role::Administrator]);
        assert!(matches!(
            decide(&admin, Action::ManageUsers, Resource::AuthoredBy("u1")),
            Decision::Forbidden(_)
        ));
        assert_eq!(
            decide(&admin, Action::ManageUsers, Resource::AuthoredBy("u2")),
            Decision::Allow
        );
    }

    #[test]
    fn a_token_manages_the_account_only_when_created_for_it() {
        let mut narrow = user(vec![Role::Secretariat]);
        narrow.token_actions = Some(vec![Action::UseAccount]);
        assert_eq!(may_ever(&narrow, Action::UseAccount), Decision::Allow);
        assert!(matches!(
            may_ever(&narrow, Action::ManageAccount),
            Decision::Forbidden(_)
        ));
        let session = user(vec![Role::Secretariat]);
        assert_eq!(may_ever(&session, Action::ManageAccount), Decision::Allow);
    }

    #[test]
    fn tokens_narrow_what_roles_allow() {
        let mut admin = user(vec![Role::Administrator]);
        admin.token_actions = Some(vec![Action::ReadAudit]);
        assert_eq!(
            decide(&admin, Action::ReadAudit, Resource::Any),
            Decision::Allow
        );
        assert!(matches!(
            decide(&admin, Action::ManageUsers, Resource::Any),
            Decision::Forbidden(_)
        ));
        assert!(matches!(
            may_ever(&admin, Action::UseAccount),
            Decision::Forbidden(_)
        ));
    }

    #[test]
    fn only_administrators_manage_users_and_read_the_audit_trail() {
        for role in [
            Role::Secretariat,
            Role::Reviewer {
                kind: ReviewerKind::External,
            },
            Role::FundManager,
            Role::SteeringCommittee,
            Role::FocalPoint {
                country: M49::new(484).unwrap(),
            },
            Role::Contributor {
                organization: "o".into(),
            },
        ] {
            for action in [
                Action::ManageUsers,
                Action::InviteUsers,
                Action::ReadAudit,
                Action::ReadOutbox,
            ] {
                assert!(!role_may(&role, action), "{role} may not {action:?}");
            }
        }
        // Administrators may do everything but write or review content: that is the
        // secretariat's, the contributors' and the reviewers' work.
        for action in Action::ALL {
            let content = matches!(
                action,
                Action::SubmitKnowledge
                    | Action::ReviewKnowledge
                    | Action::RequestSupport
                    | Action::ProcessRequests
                    | Action::ReadRequest
            );
            assert_eq!(
                role_may(&Role::Administrator, action),
                !content,
                "{action:?}"
            );
        }
    }

    #[test]
    fn knowledge_items_belong_to_their_organization_and_country() {
        let mexico = M49::new(484).unwrap();
        let item = |org: Option<&'static str>, country: Option<M49>| Resource::Item {
            submitter: "someone-else",
            organization: org,
            country,
        };
        let c = user(vec![Role::Contributor {
            organization: "org-a".into(),
        }]);
        assert_eq!(
            decide(&c, Action::SubmitKnowledge, item(Some("org-a"), None)),
            Decision::Allow
        );
        assert!(matches!(
            decide(&c, Action::SubmitKnowledge, item(Some("org-b"), None)),
            Decision::Forbidden(_)
        ));
        let fp = user(vec![Role::FocalPoint { country: mexico }]);
        assert_eq!(
            decide(&fp, Action::SubmitKnowledge, item(None, Some(mexico))),
            Decision::Allow
        );
        assert!(matches!(
            decide(
                &fp,
                Action::SubmitKnowledge,
                item(None, Some(M49::new(608).unwrap()))
            ),
            Decision::Forbidden(_)
        ));
        let own = Resource::Item {
            submitter: "u1",
            organization: None,
            country: None,
        };
        let reviewer = user(vec![Role::Reviewer {
            kind: ReviewerKind::Internal,
        }]);
        assert!(matches!(
            decide(&reviewer, Action::ReviewKnowledge, own),
            Decision::Forbidden(_)
        ));
        let secretariat = user(vec![Role::Secretariat]);
        assert!(matches!(
            decide(&secretariat, Action::ModerateKnowledge, own),
            Decision::Forbidden(_)
        ));
        assert_eq!(
            decide(&secretariat, Action::SubmitKnowledge, own),
            Decision::Allow
        );
        assert_eq!(
            decide(&secretariat, Action::ModerateKnowledge, item(None, None)),
            Decision::Allow
        );
    }

    #[test]
    fn a_request_is_seen_by_its_countries_the_secretariat_and_engaged_partners() {
        let mexico = M49::new(484).unwrap();
        let philippines = M49::new(608).unwrap();
        let countries = [mexico];
        let engaged = vec!["org-a".to_owned()];
        let confidential = Resource::Request {
            countries: &countries,
            public: false,
            engaged: &engaged,
        };
        let allowed =
            |actor: &Actor, action| decide(actor, action, confidential) == Decision::Allow;
        let own = user(vec![Role::FocalPoint { country: mexico }]);
        let other = user(vec![Role::FocalPoint {
            country: philippines,
        }]);
        assert!(allowed(&own, Action::ReadRequest) && allowed(&own, Action::RequestSupport));
        assert!(!allowed(&other, Action::ReadRequest) && !allowed(&other, Action::RequestSupport));
        assert!(allowed(&user(vec![Role::Secretariat]), Action::ReadRequest));
        assert!(allowed(
            &user(vec![Role::Secretariat]),
            Action::ProcessRequests
        ));
        assert!(!allowed(
            &user(vec![Role::Administrator]),
            Action::ReadRequest
        ));
        let partner = |org: &str| {
            user(vec![Role::Contributor {
                organization: org.into(),
            }])
        };
        assert!(allowed(&partner("org-a"), Action::ReadRequest));
        assert!(!allowed(&partner("org-b"), Action::ReadRequest));
        assert!(!allowed(&partner("org-a"), Action::ProcessRequests));
        assert_eq!(
            decide(&Actor::anonymous(), Action::ReadRequest, confidential),
            Decision::SignInRequired
        );
        let public = Resource::Request {
            countries: &countries,
            public: true,
            engaged: &engaged,
        };
        assert_eq!(
            decide(&Actor::anonymous(), Action::ReadRequest, public),
            Decision::Allow
        );
        assert!(matches!(
            decide(&other, Action::RequestSupport, public),
            Decision::Forbidden(_)
        ));
    }

    #[test]
    fn names_round_trip() {
        for kind in OrganizationKind::ALL {
            assert_eq!(OrganizationKind::parse(kind.slug()), Some(kind));
        }
        for role in RoleName::ALL {
            assert_eq!(RoleName::parse(role.as_str()), Some(role));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        assert!(!RoleName::Contributor.by_invitation_only());
        assert!(RoleName::Administrator.by_invitation_only());
    }
}
