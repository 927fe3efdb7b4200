//! Who may do what, where: staff roles, the actions they may take, and the regional scope of an account.
//!
//! Authorization is the conjunction of two questions, each answered here by a pure function:
//! does the *role* allow the *action* at all ([`Role::may`]), and does the account's *scope* cover the *place* the
//! request touches ([`Scope::covers`])? The server asks both for every request in one place.
//!
//! ```
//! use wangge_domain::access::{Action, Place, Role, Scope, Assignment};
//! let operator = Assignment::new(Role::StreetOperator, Scope::Street("990101001".parse().unwrap())).unwrap();
//! let mine = Place::community("990101001002".parse().unwrap());
//! let theirs = Place::community("990101002001".parse().unwrap());
//! assert!(operator.allows(Action::RevealPersonalData, &mine));
//! assert!(!operator.allows(Action::RevealPersonalData, &theirs));
//! assert!(!operator.allows(Action::PublishPlan, &mine)); // only planners publish
//! // A department handler must be scoped by department, and nobody else may be:
//! assert!(Assignment::new(Role::DepartmentHandler, Scope::Street("990101001".parse().unwrap())).is_err());
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::codes::{CommunityCode, DistrictCode, GridCode, StreetCode};

/// A staff role. The anonymous public has no role (and no account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// District administrator (区网格办管理员): manages accounts and sees the audit log.
    DistrictAdmin,
    /// Planner (网格办): draws communities, blocks and grids, and publishes plans.
    Planner,
    /// Street operator (街道受理中心): accepts, dispatches and supervises cases of one street.
    StreetOperator,
    /// Department handler (职能部门): handles the cases dispatched to a department.
    DepartmentHandler,
    /// Grid worker (网格员): registers elements and residents and reports incidents in their grids.
    GridWorker,
    /// Grid head (网格长): leads the grid workers of a community or of a set of grids.
    GridHead,
}

/// Every role, in the order the UI lists them.
pub const ROLES: [Role; 6] = [
    Role::DistrictAdmin,
    Role::Planner,
    Role::StreetOperator,
    Role::DepartmentHandler,
    Role::GridWorker,
    Role::GridHead,
];

impl Role {
    /// The role's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DistrictAdmin => "district_admin",
            Role::Planner => "planner",
            Role::StreetOperator => "street_operator",
            Role::DepartmentHandler => "department_handler",
            Role::GridWorker => "grid_worker",
            Role::GridHead => "grid_head",
        }
    }

    /// Whether the role allows `action` at all (the scope decides where).
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ReadGovernance => true,
            EditMap => matches!(self, DistrictAdmin | Planner),
            PublishPlan => self == Planner,
            RecordElements => matches!(self, DistrictAdmin | Planner | StreetOperator | GridWorker | GridHead),
            ReadResidents | RecordResidents | RevealPersonalData => {
                matches!(self, DistrictAdmin | StreetOperator | GridWorker | GridHead)
            }
            ManageAccounts | ReadAudit | ManageCatalogue => self == DistrictAdmin,
            ReadCases => self != Planner,
            ReadDensity => matches!(self, DistrictAdmin | Planner | StreetOperator | GridHead),
            ReportCases => matches!(self, StreetOperator | GridWorker | GridHead),
            ActOnCases => matches!(self, DistrictAdmin | StreetOperator | DepartmentHandler | GridWorker | GridHead),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccessError;
    fn from_str(s: &str) -> Result<Self, AccessError> {
        ROLES
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| AccessError::UnknownRole(s.chars().take(40).collect()))
    }
}

/// What a request does, as far as authorization cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read governance data: hierarchy, blocks, plans, grid statistics, elements.
    ReadGovernance,
    /// Change the map: communities, blocks, draft plans, special grids.
    EditMap,
    /// Publish a plan version.
    PublishPlan,
    /// Register places, facilities and organizations.
    RecordElements,
    /// List residents (masked).
    ReadResidents,
    /// Register residents.
    RecordResidents,
    /// See a resident's personal data unmasked (always audited).
    RevealPersonalData,
    /// Create, disable and re-scope accounts.
    ManageAccounts,
    /// Read and verify the audit log.
    ReadAudit,
    /// See cases, their trail and photos.
    ReadCases,
    /// Report a case (patrol, hotline entry, camera, leader-assigned).
    ReportCases,
    /// Move a case through the workflow (which transition, the workflow table decides), add its photos.
    ActOnCases,
    /// Edit the case catalogue: categories, departments, dispatch rules.
    ManageCatalogue,
    /// See incident density: bins, counts and rates per area, hot spots (counts only, never a case).
    ReadDensity,
}

impl Action {
    /// Whether doing this is written to the audit log: every change and every disclosure of personal data, but no
    /// plain read (locating, searching, listing), even one sent as a `POST`.
    ///
    /// ```
    /// use wangge_domain::access::Action;
    /// assert!(Action::RevealPersonalData.is_audited());
    /// assert!(!Action::ReadGovernance.is_audited());
    /// ```
    pub fn is_audited(self) -> bool {
        !matches!(
            self,
            Action::ReadGovernance
                | Action::ReadResidents
                | Action::ReadAudit
                | Action::ReadCases
                | Action::ReadDensity
        )
    }
}

/// Where an account may act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The whole district.
    District(DistrictCode),
    /// One street (街道).
    Street(StreetCode),
    /// One community (社区).
    Community(CommunityCode),
    /// A set of grids (by grid code).
    Grids(BTreeSet<GridCode>),
    /// A department (职能部门), by its name or code; it reaches no regional data.
    Department(DepartmentName),
}

/// A department's name: 1 to 60 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DepartmentName(String);

impl DepartmentName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DepartmentName {
    type Error = AccessError;
    fn try_from(s: String) -> Result<Self, AccessError> {
        crate::text::label(&s, 60).map(Self).map_err(|_| AccessError::BadDepartment)
    }
}

impl From<DepartmentName> for String {
    fn from(d: DepartmentName) -> String {
        d.0
    }
}

/// Where a thing is: its district, street, community and grid, as far as they are known.
///
/// A community-level thing (a plan, a block) has no grid; a district-level thing (a street list) has only a
/// district.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Place {
    /// District.
    pub district: Option<DistrictCode>,
    /// Street.
    pub street: Option<StreetCode>,
    /// Community.
    pub community: Option<CommunityCode>,
    /// Grid (in the plan in force).
    pub grid: Option<GridCode>,
    /// The departments it is with (a case dispatched to a lead department and co-departments).
    #[serde(default)]
    pub departments: Vec<DepartmentName>,
}

impl Place {
    /// A whole district.
    pub fn district(code: DistrictCode) -> Self {
        Self { district: Some(code), ..Self::default() }
    }

    /// A whole street.
    pub fn street(code: StreetCode) -> Self {
        Self { district: Some(code.district()), street: Some(code), ..Self::default() }
    }

    /// A whole community.
    pub fn community(code: CommunityCode) -> Self {
        let street = code.street();
        Self { district: Some(street.district()), street: Some(street), community: Some(code), ..Self::default() }
    }

    /// One grid of a community.
    pub fn grid(code: GridCode) -> Self {
        let community = code.community();
        Self { grid: Some(code), ..Self::community(community) }
    }
}

impl Place {
    /// The place a division or grid code names, by its length: 6 digits a district, 9 a street, 12 a community,
    /// 15 a grid. `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        match code.len() {
            6 => code.parse().ok().map(Self::district),
            9 => code.parse().ok().map(Self::street),
            12 => code.parse().ok().map(Self::community),
            15 => code.parse().ok().map(Self::grid),
            _ => None,
        }
    }

    /// The most specific code known: the grid's, else the community's, street's or district's.
    pub fn code(&self) -> Option<&str> {
        self.grid
            .as_ref()
            .map(GridCode::as_str)
            .or(self.community.as_ref().map(CommunityCode::as_str))
            .or(self.street.as_ref().map(StreetCode::as_str))
            .or(self.district.as_ref().map(DistrictCode::as_str))
    }
}

impl Scope {
    /// The code prefixes the scope reaches. Division and grid codes nest (a grid's code starts with its
    /// community's, which starts with its street's, …), so a scope is the set of things whose code starts with one
    /// of these. A department reaches no regional data: no prefixes.
    pub fn prefixes(&self) -> Vec<String> {
        match self {
            Scope::District(d) => vec![d.as_str().to_owned()],
            Scope::Street(s) => vec![s.as_str().to_owned()],
            Scope::Community(c) => vec![c.as_str().to_owned()],
            Scope::Grids(gs) => gs.iter().map(|g| g.as_str().to_owned()).collect(),
            Scope::Department(_) => Vec::new(),
        }
    }

    /// Whether the scope reaches `place`, i.e. the place lies wholly inside the scope: a street operator covers
    /// every community of the street, but not the district the street is in. A department reaches only what is
    /// with it (a case dispatched to it).
    pub fn covers(&self, place: &Place) -> bool {
        if let Scope::Department(d) = self {
            return place.departments.contains(d);
        }
        let Some(code) = place.code() else {
            return false;
        };
        self.prefixes().iter().any(|p| code.starts_with(p.as_str()))
    }

    /// The district the scope lies in (`None` for a department).
    pub fn district(&self) -> Option<DistrictCode> {
        match self {
            Scope::District(d) => Some(d.clone()),
            Scope::Street(s) => Some(s.district()),
            Scope::Community(c) => Some(c.street().district()),
            Scope::Grids(gs) => gs.iter().next().map(|g| g.community().street().district()),
            Scope::Department(_) => None,
        }
    }
}

/// Why a role, scope or assignment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Not one of the roles.
    #[error("unknown role {0:?}; use one of district_admin, planner, street_operator, department_handler, grid_worker, grid_head")]
    UnknownRole(String),
    /// Department name empty or too long.
    #[error("a department name must have 1 to 60 characters")]
    BadDepartment,
    /// The scope does not suit the role.
    #[error("a {role} cannot have {scope} scope: {why}")]
    ScopeMismatch {
        /// The role.
        role: Role,
        /// The scope's kind.
        scope: &'static str,
        /// Which scopes the role takes.
        why: &'static str,
    },
}

/// A role together with a scope that suits it; the only way an account's rights are represented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    role: Role,
    scope: Scope,
}

impl Assignment {
    /// Pair a role with a scope, refusing combinations that make no sense: a department handler is scoped by
    /// department and nobody else is; a district admin's scope is a district; a set of grids must not be empty and
    /// its grids must lie in one district.
    pub fn new(role: Role, scope: Scope) -> Result<Self, AccessError> {
        let kind = match &scope {
            Scope::District(_) => "district",
            Scope::Street(_) => "street",
            Scope::Community(_) => "community",
            Scope::Grids(_) => "grids",
            Scope::Department(_) => "department",
        };
        let mismatch = |why| Err(AccessError::ScopeMismatch { role, scope: kind, why });
        match (role, &scope) {
            (Role::DepartmentHandler, Scope::Department(_)) => {}
            (Role::DepartmentHandler, _) => return mismatch("department handlers are scoped by department"),
            (_, Scope::Department(_)) => return mismatch("only department handlers are scoped by department"),
            (Role::DistrictAdmin, Scope::District(_)) => {}
            (Role::DistrictAdmin, _) => return mismatch("a district admin's scope is the whole district"),
            (_, Scope::Grids(gs)) if gs.is_empty() => return mismatch("a set of grids needs at least one grid"),
            (_, Scope::Grids(gs)) => {
                let district = gs.iter().next().map(|g| g.community().street().district());
                if gs.iter().any(|g| Some(g.community().street().district()) != district) {
                    return mismatch("all grids of a scope must lie in one district");
                }
            }
            _ => {}
        }
        Ok(Self { role, scope })
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Whether the role allows `action` and the scope covers `place`.
    pub fn allows(&self, action: Action, place: &Place) -> bool {
        self.role.may(action) && self.scope.covers(place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(s: &str) -> GridCode {
        s.parse().unwrap()
    }

    #[test]
    fn grid_scope_covers_only_its_grids() {
        let scope = Scope::Grids([grid("990101001001001")].into());
        assert!(scope.covers(&Place::grid(grid("990101001001001"))));
        assert!(!scope.covers(&Place::grid(grid("990101001001002"))));
        assert!(!scope.covers(&Place::community("990101001001".parse().unwrap())));
    }

    #[test]
    fn district_scope_does_not_reach_another_district() {
        let scope = Scope::District("990101".parse().unwrap());
        assert!(scope.covers(&Place::grid(grid("990101001001001"))));
        assert!(!scope.covers(&Place::grid(grid("990102001001001"))));
        assert!(!scope.covers(&Place::default()));
    }

    #[test]
    fn only_planners_publish_and_only_admins_manage_accounts() {
        for role in ROLES {
            assert_eq!(role.may(Action::PublishPlan), role == Role::Planner);
            assert_eq!(role.may(Action::ManageAccounts), role == Role::DistrictAdmin);
        }
        assert!(!Role::Planner.may(Action::RevealPersonalData));
        assert!(!Role::DepartmentHandler.may(Action::ReadResidents));
    }

    #[test]
    fn grids_of_two_districts_are_refused() {
        let scope = Scope::Grids([grid("990101001001001"), grid("990102001001001")].into());
        assert!(Assignment::new(Role::GridWorker, scope).is_err());
        assert!(Assignment::new(Role::GridWorker, Scope::Grids(BTreeSet::new())).is_err());
    }

    #[test]
    fn places_from_codes_nest() {
        let street = Scope::Street("990101001".parse().unwrap());
        assert!(street.covers(&Place::from_code("990101001002").unwrap()));
        assert!(street.covers(&Place::from_code("990101001002003").unwrap()));
        assert!(!street.covers(&Place::from_code("990101").unwrap()));
        assert!(!street.covers(&Place::from_code("990101002001").unwrap()));
        assert!(Place::from_code("99010100").is_none());
        assert!(
            !Scope::Department("城管局".to_owned().try_into().unwrap()).covers(&Place::from_code("990101").unwrap())
        );
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in ROLES {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
