//! The access policy: for every route, who may call it and where the thing it touches lies. The guard looks every
//! request up here; a route missing from this table is refused (fail closed), and a test walks the table.

use actix_web::http::Method;
use wangge_api::paths;
use wangge_domain::access::Action;

pub use crate::store::places::Entity;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not. Such routes return only public data.
    Public,
    /// Vector tiles: public layers for anyone, staff layers for staff only.
    Tiles,
    /// Anyone may write (a resident's report, a rating): an audited write by `public`, by the partner application
    /// whose key came with it, or by the signed-in staff member.
    PublicWrite,
    /// Partner applications only (Open311's `POST requests`): the key in `X-Api-Key` or in the form's `api_key`.
    Partner,
    /// Signed-in staff whose role allows the action and whose scope covers the target.
    Staff(Action, Target),
}

/// How the guard finds where the thing a request touches lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A list across the caller's own scope: only the role is checked here, and the handler filters its rows with
    /// the caller's scope prefixes ([`crate::auth::Viewer::prefixes`]).
    OwnScope,
    /// The community whose code is the `{code}` path segment.
    Community,
    /// The entity whose id is the `{id}` path segment.
    Entity(Entity),
    /// The division whose code is in the body's field of this name (creating a district, street, community or
    /// special grid).
    BodyCode(&'static str),
    /// The point at the body's `lon`/`lat` (registering an element), located to its grid.
    BodyPoint,
    /// The building whose id is the body's `building_id` (registering a resident), located to its grid.
    BodyBuilding,
}

use Access::{Partner, Public, PublicWrite, Staff, Tiles};
use Action::*;
use Entity::*;
use Target::{BodyBuilding, BodyCode, BodyPoint, Community, OwnScope};

const fn on(e: Entity) -> Target {
    Target::Entity(e)
}

/// Every route of the server: method, pattern, access. The empty pattern is the web app's files (the service at `/`
/// that takes every path no route above matches).
pub const POLICY: &[(&str, &str, Access)] = &[
    ("GET", "", Public),
    ("GET", paths::HEALTH, Public),
    ("GET", paths::SESSION, Public),
    ("POST", paths::SESSION, Public),
    ("DELETE", paths::SESSION, Public),
    ("GET", paths::DISTRICTS, Public),
    ("GET", paths::LOCATE, Public),
    ("GET", paths::SEARCH, Public),
    ("GET", paths::GRID, Public),
    ("GET", paths::STYLE, Public),
    ("GET", paths::GLYPHS, Public),
    ("GET", paths::TILEJSON, Tiles),
    ("GET", paths::TILE, Tiles),
    // Hierarchy.
    ("POST", paths::DISTRICTS, Staff(EditMap, BodyCode("code"))),
    ("GET", paths::DISTRICT_STREETS, Staff(ReadGovernance, OwnScope)),
    ("POST", paths::STREETS, Staff(EditMap, BodyCode("code"))),
    ("GET", paths::STREET_COMMUNITIES, Staff(ReadGovernance, OwnScope)),
    ("POST", paths::COMMUNITIES, Staff(EditMap, BodyCode("code"))),
    ("GET", paths::COMMUNITY, Staff(ReadGovernance, Community)),
    // Blocks and buildings.
    ("GET", paths::COMMUNITY_BLOCKS, Staff(ReadGovernance, Community)),
    ("POST", paths::COMMUNITY_BLOCKS_BUILD, Staff(EditMap, Community)),
    ("GET", paths::COMMUNITY_BUILDINGS, Staff(ReadGovernance, Community)),
    ("GET", paths::COMMUNITY_BLOCK_EDGES, Staff(ReadGovernance, Community)),
    ("GET", paths::BLOCK, Staff(ReadGovernance, on(Block))),
    ("POST", paths::BLOCK_SPLIT, Staff(EditMap, on(Block))),
    ("PUT", paths::BLOCK_SPLIT_POLICY, Staff(EditMap, on(Block))),
    ("GET", paths::BUILDING, Staff(ReadGovernance, on(Building))),
    // Plans.
    ("GET", paths::COMMUNITY_PLANS, Staff(ReadGovernance, Community)),
    ("POST", paths::COMMUNITY_PLANS, Staff(EditMap, Community)),
    ("POST", paths::COMMUNITY_PLANS_SUGGEST, Staff(EditMap, Community)),
    ("GET", paths::COMMUNITY_GRIDS, Staff(ReadGovernance, Community)),
    ("GET", paths::PLAN, Staff(ReadGovernance, on(Plan))),
    ("PUT", paths::PLAN, Staff(EditMap, on(Plan))),
    ("POST", paths::PLAN_PUBLISH, Staff(PublishPlan, on(Plan))),
    ("POST", paths::PLAN_REBALANCE, Staff(EditMap, on(Plan))),
    ("GET", paths::PLAN_DIFF, Staff(ReadGovernance, on(Plan))),
    ("GET", paths::PLAN_LINEAGE, Staff(ReadGovernance, on(Plan))),
    ("GET", paths::PLAN_EXPORT, Staff(ReadGovernance, on(Plan))),
    ("POST", paths::COMMUNITY_PLANS_IMPORT, Staff(EditMap, Community)),
    ("POST", paths::COMMUNITY_PLANS_IMPORT_SHAPEFILE, Staff(EditMap, Community)),
    // Grids, locating, overlays.
    ("GET", paths::GRID_STATS, Staff(ReadGovernance, on(Grid))),
    ("GET", paths::GRID_HISTORY, Staff(ReadDensity, on(Grid))),
    ("POST", paths::LOCATE, Staff(ReadGovernance, OwnScope)),
    ("GET", paths::SPECIAL_GRIDS, Staff(ReadGovernance, OwnScope)),
    ("POST", paths::SPECIAL_GRIDS, Staff(EditMap, BodyCode("district_code"))),
    // Elements and residents.
    ("POST", paths::ELEMENTS, Staff(RecordElements, BodyPoint)),
    ("GET", paths::ELEMENTS, Staff(ReadGovernance, OwnScope)),
    ("GET", paths::ELEMENT, Staff(ReadGovernance, on(Element))),
    ("POST", paths::RESIDENTS, Staff(RecordResidents, BodyBuilding)),
    ("GET", paths::RESIDENTS, Staff(ReadResidents, OwnScope)),
    ("GET", paths::RESIDENT, Staff(ReadResidents, on(Resident))),
    ("POST", paths::RESIDENT_REVEAL, Staff(RevealPersonalData, on(Resident))),
    // Accounts and the audit log.
    ("GET", paths::ACCOUNTS, Staff(ManageAccounts, OwnScope)),
    ("POST", paths::ACCOUNTS, Staff(ManageAccounts, OwnScope)),
    ("GET", paths::ACCOUNT, Staff(ManageAccounts, on(Account))),
    ("PUT", paths::ACCOUNT, Staff(ManageAccounts, on(Account))),
    ("GET", paths::AUDIT, Staff(ReadAudit, OwnScope)),
    ("GET", paths::AUDIT_VERIFY, Staff(ReadAudit, OwnScope)),
    ("GET", paths::AUDIT_SIGN_IN_FAILURES, Staff(ReadAudit, OwnScope)),
    // Partner applications of the admin's own district (the store checks the district).
    ("GET", paths::API_CLIENTS, Staff(ManageAccounts, OwnScope)),
    ("POST", paths::API_CLIENTS, Staff(ManageAccounts, OwnScope)),
    ("POST", paths::API_CLIENT_REVOKE, Staff(ManageAccounts, OwnScope)),
    // Cases: the guard checks the role and that the case lies in the caller's scope (or is with their
    // department); the workflow table then decides whether this person may take this action now.
    ("GET", paths::CASES, Staff(ReadCases, OwnScope)),
    ("POST", paths::CASES, Staff(ReportCases, BodyPoint)),
    ("GET", paths::CASE_DUPLICATES, Staff(ReadCases, OwnScope)),
    ("GET", paths::CASE, Staff(ReadCases, on(Case))),
    ("POST", paths::CASE_ACTIONS, Staff(ActOnCases, on(Case))),
    ("POST", paths::CASE_PHOTOS, Staff(ActOnCases, on(Case))),
    ("GET", paths::CASE_PHOTO, Staff(ReadCases, on(Case))),
    ("GET", paths::NOTIFICATIONS, Staff(ReadCases, OwnScope)),
    // The case catalogue.
    ("GET", paths::CATEGORIES, Staff(ReadCases, OwnScope)),
    ("POST", paths::CATEGORIES, Staff(ManageCatalogue, OwnScope)),
    ("PUT", paths::CATEGORY, Staff(ManageCatalogue, OwnScope)),
    ("GET", paths::DEPARTMENTS, Staff(ReadCases, OwnScope)),
    ("POST", paths::DEPARTMENTS, Staff(ManageCatalogue, OwnScope)),
    ("GET", paths::DISPATCH_RULES, Staff(ReadCases, OwnScope)),
    ("POST", paths::DISPATCH_RULES, Staff(ManageCatalogue, OwnScope)),
    ("GET", paths::STAGE_LIMITS, Staff(ReadCases, OwnScope)),
    ("PUT", paths::STAGE_LIMIT, Staff(ManageCatalogue, OwnScope)),
    // Incident density.
    ("GET", paths::DENSITY_BINS, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_HOTSPOTS, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_AREAS, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_REPEATS, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_EMERGING, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_PUBLISHED, Staff(ReadDensity, OwnScope)),
    ("PUT", paths::DENSITY_PUBLISHED, Staff(ManageCatalogue, OwnScope)),
    ("GET", paths::PUBLIC_DENSITY, Public),
    ("GET", paths::DENSITY_COMPARE, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_SERIES, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_TILE, Staff(ReadDensity, OwnScope)),
    ("GET", paths::DENSITY_POINTS, Staff(ReadDensity, OwnScope)),
    // The cases of one hexagon are cases: the desk's right, and the viewer's scope filters them.
    ("GET", paths::DENSITY_CASES, Staff(ReadCases, OwnScope)),
    // Blurring a photo's public copy is an action on the case.
    ("POST", paths::CASE_PHOTO_BLUR, Staff(ActOnCases, on(Case))),
    // Public reporting: no account; the tracking page's token is the only key to a report's own page.
    ("GET", paths::PUBLIC_SERVICES, Public),
    ("GET", paths::PUBLIC_REPORTS, Public),
    ("POST", paths::PUBLIC_REPORTS, PublicWrite),
    ("GET", paths::PUBLIC_NEARBY, Public),
    ("POST", paths::PUBLIC_FOLLOW, Public),
    ("GET", paths::PUBLIC_PHOTO, Public),
    ("GET", paths::TRACK, Public),
    ("POST", paths::TRACK_RATING, PublicWrite),
    // Open311 GeoReport v2: reading is public (and carries no personal data); posting needs a partner's key.
    ("GET", paths::OPEN311_DISCOVERY, Public),
    ("GET", paths::OPEN311_SERVICES, Public),
    ("GET", paths::OPEN311_SERVICE, Public),
    ("GET", paths::OPEN311_REQUESTS, Public),
    ("POST", paths::OPEN311_REQUESTS, Partner),
    ("GET", paths::OPEN311_REQUEST, Public),
    ("GET", paths::OPEN311_TOKEN, Public),
    ("GET", paths::OPEN311_UPDATES, Public),
];

/// The access rule of a route, by method and matched pattern.
pub fn lookup(method: &Method, pattern: &str) -> Option<Access> {
    POLICY.iter().find(|(m, p, _)| *m == method.as_str() && *p == pattern).map(|(_, _, a)| *a)
}

/// The methods that have a rule for `pattern`.
pub fn methods(pattern: &str) -> Vec<&'static str> {
    POLICY.iter().filter(|(_, p, _)| *p == pattern).map(|(m, _, _)| *m).collect()
}

/// The value of `{name}` in `path`, matched against `pattern` segment by segment.
pub fn path_param<'a>(pattern: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("{{{name}}}");
    pattern.split('/').zip(path.split('/')).find(|(p, _)| *p == wanted).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_params_are_found_by_name() {
        assert_eq!(path_param(paths::PLAN_PUBLISH, "/api/plans/42/publish", "id"), Some("42"));
        assert_eq!(path_param(paths::COMMUNITY, "/api/communities/990101001001", "code"), Some("990101001001"));
        assert_eq!(path_param(paths::HEALTH, paths::HEALTH, "id"), None);
    }

    #[test]
    fn every_route_is_listed_once() {
        for (i, (m, p, _)) in POLICY.iter().enumerate() {
            assert!(!POLICY[..i].iter().any(|(m2, p2, _)| m2 == m && p2 == p), "{m} {p} twice");
        }
        assert_eq!(lookup(&Method::DELETE, paths::PLAN), None);
    }

    #[test]
    fn entity_routes_name_an_id() {
        for (_, p, a) in POLICY {
            if let Access::Staff(_, Target::Entity(_)) = a {
                assert!(p.contains("{id}"), "{p}");
            }
            if let Access::Staff(_, Target::Community) = a {
                assert!(p.contains("{code}"), "{p}");
            }
        }
    }
}
