//! The access policy: for every route, who may call it and where the thing it touches lies. The guard looks every
//! request up here; a route missing from this table is refused (fail closed), and a test walks the table.

use actix_web::http::Method;
use wangge_domain::access::Action;

pub use crate::store::places::Entity;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not. Such routes return only public data.
    Public,
    /// Vector tiles: public layers for anyone, staff layers for staff only.
    Tiles,
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

use Access::{Public, Staff, Tiles};
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
    ("GET", "/api/health", Public),
    ("GET", "/api/session", Public),
    ("POST", "/api/session", Public),
    ("DELETE", "/api/session", Public),
    ("GET", "/api/districts", Public),
    ("GET", "/api/locate", Public),
    ("GET", "/api/search", Public),
    ("GET", "/api/grids/{id}", Public),
    ("GET", "/style.json", Public),
    ("GET", "/fonts/{stack}/{range}", Public),
    ("GET", "/tiles/{source}", Tiles),
    ("GET", "/tiles/{source}/{z}/{x}/{y}", Tiles),
    // Hierarchy.
    ("POST", "/api/districts", Staff(EditMap, BodyCode("code"))),
    ("GET", "/api/districts/{code}/streets", Staff(ReadGovernance, OwnScope)),
    ("POST", "/api/streets", Staff(EditMap, BodyCode("code"))),
    ("GET", "/api/streets/{code}/communities", Staff(ReadGovernance, OwnScope)),
    ("POST", "/api/communities", Staff(EditMap, BodyCode("code"))),
    ("GET", "/api/communities/{code}", Staff(ReadGovernance, Community)),
    // Blocks and buildings.
    ("GET", "/api/communities/{code}/blocks", Staff(ReadGovernance, Community)),
    ("POST", "/api/communities/{code}/blocks/build", Staff(EditMap, Community)),
    ("GET", "/api/communities/{code}/buildings", Staff(ReadGovernance, Community)),
    ("GET", "/api/communities/{code}/block-edges", Staff(ReadGovernance, Community)),
    ("GET", "/api/blocks/{id}", Staff(ReadGovernance, on(Block))),
    ("POST", "/api/blocks/{id}/split", Staff(EditMap, on(Block))),
    ("GET", "/api/buildings/{id}", Staff(ReadGovernance, on(Building))),
    // Plans.
    ("GET", "/api/communities/{code}/plans", Staff(ReadGovernance, Community)),
    ("POST", "/api/communities/{code}/plans", Staff(EditMap, Community)),
    ("POST", "/api/communities/{code}/plans/suggest", Staff(EditMap, Community)),
    ("GET", "/api/communities/{code}/grids", Staff(ReadGovernance, Community)),
    ("GET", "/api/plans/{id}", Staff(ReadGovernance, on(Plan))),
    ("PUT", "/api/plans/{id}", Staff(EditMap, on(Plan))),
    ("POST", "/api/plans/{id}/publish", Staff(PublishPlan, on(Plan))),
    ("POST", "/api/plans/{id}/rebalance", Staff(EditMap, on(Plan))),
    ("GET", "/api/plans/{id}/diff", Staff(ReadGovernance, on(Plan))),
    ("GET", "/api/plans/{id}/export", Staff(ReadGovernance, on(Plan))),
    ("POST", "/api/communities/{code}/plans/import", Staff(EditMap, Community)),
    ("POST", "/api/communities/{code}/plans/import-shapefile", Staff(EditMap, Community)),
    // Grids, locating, overlays.
    ("GET", "/api/grids/{id}/stats", Staff(ReadGovernance, on(Grid))),
    ("POST", "/api/locate", Staff(ReadGovernance, OwnScope)),
    ("GET", "/api/special-grids", Staff(ReadGovernance, OwnScope)),
    ("POST", "/api/special-grids", Staff(EditMap, BodyCode("district_code"))),
    // Elements and residents.
    ("POST", "/api/elements", Staff(RecordElements, BodyPoint)),
    ("GET", "/api/elements", Staff(ReadGovernance, OwnScope)),
    ("GET", "/api/elements/{id}", Staff(ReadGovernance, on(Element))),
    ("POST", "/api/residents", Staff(RecordResidents, BodyBuilding)),
    ("GET", "/api/residents", Staff(ReadResidents, OwnScope)),
    ("GET", "/api/residents/{id}", Staff(ReadResidents, on(Resident))),
    ("POST", "/api/residents/{id}/reveal", Staff(RevealPersonalData, on(Resident))),
    // Accounts and the audit log.
    ("GET", "/api/accounts", Staff(ManageAccounts, OwnScope)),
    ("POST", "/api/accounts", Staff(ManageAccounts, OwnScope)),
    ("GET", "/api/accounts/{id}", Staff(ManageAccounts, on(Account))),
    ("PUT", "/api/accounts/{id}", Staff(ManageAccounts, on(Account))),
    ("GET", "/api/audit", Staff(ReadAudit, OwnScope)),
    ("GET", "/api/audit/verify", Staff(ReadAudit, OwnScope)),
    ("GET", "/api/audit/sign-in-failures", Staff(ReadAudit, OwnScope)),
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
        assert_eq!(path_param("/api/plans/{id}/publish", "/api/plans/42/publish", "id"), Some("42"));
        assert_eq!(
            path_param("/api/communities/{code}", "/api/communities/990101001001", "code"),
            Some("990101001001")
        );
        assert_eq!(path_param("/api/health", "/api/health", "id"), None);
    }

    #[test]
    fn every_route_is_listed_once() {
        for (i, (m, p, _)) in POLICY.iter().enumerate() {
            assert!(!POLICY[..i].iter().any(|(m2, p2, _)| m2 == m && p2 == p), "{m} {p} twice");
        }
        assert_eq!(lookup(&Method::DELETE, "/api/plans/{id}"), None);
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
