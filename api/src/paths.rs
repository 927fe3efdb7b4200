//! Every route's path pattern, written once: the server registers its routes and its policy table from these, and
//! the web app and the tests build their URLs with [`fill`].
//!
//! ```
//! use wangge_api::paths::{fill, PLAN_PUBLISH};
//! assert_eq!(fill(PLAN_PUBLISH, &[&42]), "/api/plans/42/publish");
//! ```

/// `/api/health`: the server answers.
pub const HEALTH: &str = "/api/health";
/// `/api/session`: who is signed in; sign in; sign out.
pub const SESSION: &str = "/api/session";
/// `/api/districts`: districts; create one.
pub const DISTRICTS: &str = "/api/districts";
/// `/api/locate`: where a point (or a batch) lies.
pub const LOCATE: &str = "/api/locate";
/// `/api/search`: grids, communities, buildings, elements by text.
pub const SEARCH: &str = "/api/search";
/// `/api/grids/{id}`: a grid's public card.
pub const GRID: &str = "/api/grids/{id}";
/// `/style.json`: the MapLibre style.
pub const STYLE: &str = "/style.json";
/// `/fonts/{stack}/{range}`: label glyph ranges.
pub const GLYPHS: &str = "/fonts/{stack}/{range}";
/// `/tiles/{source}`: a tile source's TileJSON.
pub const TILEJSON: &str = "/tiles/{source}";
/// `/tiles/{source}/{z}/{x}/{y}`: one vector tile.
pub const TILE: &str = "/tiles/{source}/{z}/{x}/{y}";
/// `/api/districts/{code}/streets`: a district's streets.
pub const DISTRICT_STREETS: &str = "/api/districts/{code}/streets";
/// `/api/streets`: create a street.
pub const STREETS: &str = "/api/streets";
/// `/api/streets/{code}/communities`: a street's communities.
pub const STREET_COMMUNITIES: &str = "/api/streets/{code}/communities";
/// `/api/communities`: create a community.
pub const COMMUNITIES: &str = "/api/communities";
/// `/api/communities/{code}`: one community.
pub const COMMUNITY: &str = "/api/communities/{code}";
/// `/api/communities/{code}/blocks`: a community's blocks.
pub const COMMUNITY_BLOCKS: &str = "/api/communities/{code}/blocks";
/// `/api/communities/{code}/blocks/build`: build a community's blocks.
pub const COMMUNITY_BLOCKS_BUILD: &str = "/api/communities/{code}/blocks/build";
/// `/api/communities/{code}/buildings`: a community's buildings.
pub const COMMUNITY_BUILDINGS: &str = "/api/communities/{code}/buildings";
/// `/api/communities/{code}/block-edges`: the lines neighbouring blocks share.
pub const COMMUNITY_BLOCK_EDGES: &str = "/api/communities/{code}/block-edges";
/// `/api/blocks/{id}`: one block.
pub const BLOCK: &str = "/api/blocks/{id}";
/// `/api/blocks/{id}/split`: split a block.
pub const BLOCK_SPLIT: &str = "/api/blocks/{id}/split";
/// `/api/blocks/{id}/split-policy`: the planner's override for Suggest (auto, never, always).
pub const BLOCK_SPLIT_POLICY: &str = "/api/blocks/{id}/split-policy";
/// `/api/buildings/{id}`: one building.
pub const BUILDING: &str = "/api/buildings/{id}";
/// `/api/communities/{code}/plans`: a community's plan versions; a new draft.
pub const COMMUNITY_PLANS: &str = "/api/communities/{code}/plans";
/// `/api/communities/{code}/plans/suggest`: a draft proposed by the partitioner.
pub const COMMUNITY_PLANS_SUGGEST: &str = "/api/communities/{code}/plans/suggest";
/// `/api/communities/{code}/grids`: the plan in force, as GeoJSON.
pub const COMMUNITY_GRIDS: &str = "/api/communities/{code}/grids";
/// `/api/plans/{id}`: one plan version; replace a draft.
pub const PLAN: &str = "/api/plans/{id}";
/// `/api/plans/{id}/publish`: publish a draft.
pub const PLAN_PUBLISH: &str = "/api/plans/{id}/publish";
/// `/api/plans/{id}/rebalance`: re-divide around one grid.
pub const PLAN_REBALANCE: &str = "/api/plans/{id}/rebalance";
/// `/api/plans/{id}/diff`: blocks that changed grid.
pub const PLAN_DIFF: &str = "/api/plans/{id}/diff";
/// `/api/plans/{id}/lineage`: where each grid of a version came from, and the codes it retired.
pub const PLAN_LINEAGE: &str = "/api/plans/{id}/lineage";
/// `/api/plans/{id}/export`: a version as GeoJSON, Shapefile or CSV.
pub const PLAN_EXPORT: &str = "/api/plans/{id}/export";
/// `/api/communities/{code}/plans/import`: a draft from a GeoJSON grid layer.
pub const COMMUNITY_PLANS_IMPORT: &str = "/api/communities/{code}/plans/import";
/// `/api/communities/{code}/plans/import-shapefile`: a draft from a zipped Shapefile.
pub const COMMUNITY_PLANS_IMPORT_SHAPEFILE: &str = "/api/communities/{code}/plans/import-shapefile";
/// `/api/grids/{id}/stats`: a grid's statistics.
pub const GRID_STATS: &str = "/api/grids/{id}/stats";
/// `/api/grids/{id}/history`: a grid's incidents month by month, across redraws.
pub const GRID_HISTORY: &str = "/api/grids/{id}/history";
/// `/api/special-grids`: special grids; create one.
pub const SPECIAL_GRIDS: &str = "/api/special-grids";
/// `/api/elements`: elements; register one.
pub const ELEMENTS: &str = "/api/elements";
/// `/api/elements/{id}`: one element.
pub const ELEMENT: &str = "/api/elements/{id}";
/// `/api/residents`: residents (masked); register one.
pub const RESIDENTS: &str = "/api/residents";
/// `/api/residents/{id}`: one resident (masked).
pub const RESIDENT: &str = "/api/residents/{id}";
/// `/api/residents/{id}/reveal`: a resident's personal data, audited.
pub const RESIDENT_REVEAL: &str = "/api/residents/{id}/reveal";
/// `/api/accounts`: accounts; create one.
pub const ACCOUNTS: &str = "/api/accounts";
/// `/api/accounts/{id}`: one account; change it.
pub const ACCOUNT: &str = "/api/accounts/{id}";
/// `/api/audit`: the audit log, newest first.
pub const AUDIT: &str = "/api/audit";
/// `/api/audit/verify`: check the chain against its anchor.
pub const AUDIT_VERIFY: &str = "/api/audit/verify";
/// `/api/audit/sign-in-failures`: refused sign-ins per name and address.
pub const AUDIT_SIGN_IN_FAILURES: &str = "/api/audit/sign-in-failures";
/// `/api/cases`: the desk's list (filters in the query); report a case.
pub const CASES: &str = "/api/cases";
/// `/api/duplicate-cases`: open cases of a category near a point (before reporting). Not under `/api/cases/`,
/// where it would be one spelling away from a case id.
pub const CASE_DUPLICATES: &str = "/api/duplicate-cases";
/// `/api/cases/{id}`: the case page.
pub const CASE: &str = "/api/cases/{id}";
/// `/api/cases/{id}/actions`: move a case on.
pub const CASE_ACTIONS: &str = "/api/cases/{id}/actions";
/// `/api/cases/{id}/photos`: add a photo (the image is the body; `?stage=report|after`).
pub const CASE_PHOTOS: &str = "/api/cases/{id}/photos";
/// `/api/cases/{id}/photos/{photo}`: a photo (without metadata); `?thumb` for the thumbnail.
pub const CASE_PHOTO: &str = "/api/cases/{id}/photos/{photo}";
/// `/api/categories`: the case catalogue; add a local category.
pub const CATEGORIES: &str = "/api/categories";
/// `/api/categories/{code}`: change a category.
pub const CATEGORY: &str = "/api/categories/{code}";
/// `/api/departments`: the departments of the caller's district; add one.
pub const DEPARTMENTS: &str = "/api/departments";
/// `/api/dispatch-rules`: the dispatch rules; add one.
pub const DISPATCH_RULES: &str = "/api/dispatch-rules";
/// `/api/stage-limits`: how long each waiting stage of a case may take in the caller's district.
pub const STAGE_LIMITS: &str = "/api/stage-limits";
/// `/api/stage-limits/{state}`: set the limit of the stage waiting in `state`.
pub const STAGE_LIMIT: &str = "/api/stage-limits/{state}";
/// `/api/density/bins`: incident counts in hexagon bins for a view (window, categories, states, bbox, resolution).
pub const DENSITY_BINS: &str = "/api/density/bins";
/// `/api/density/hotspots`: the view's bins with their Gi* hot-spot class.
pub const DENSITY_HOTSPOTS: &str = "/api/density/hotspots";
/// `/api/density/areas`: incidents per street, community or grid, with the previous period and rates.
pub const DENSITY_AREAS: &str = "/api/density/areas";
/// `/api/density/repeats`: places where the same problem was reported again and again in the window.
pub const DENSITY_REPEATS: &str = "/api/density/repeats";
/// `/api/density/emerging`: emerging hot spots — the view's window in time slices, each place hot in the final one
/// classed by its history (new, intensifying, persistent, diminishing, sporadic, …).
pub const DENSITY_EMERGING: &str = "/api/density/emerging";
/// `/api/density/published`: whether the admin's district publishes its density on the public map; set it.
pub const DENSITY_PUBLISHED: &str = "/api/density/published";
/// `/api/density/compare`: the view's bins in its window and in the window of the same length before.
pub const DENSITY_COMPARE: &str = "/api/density/compare";
/// `/api/density/cases`: the view's cases in one hexagon (`cell`) or one area (`area` at `level`), newest first.
pub const DENSITY_CASES: &str = "/api/density/cases";
/// `/api/density/series`: the view's incidents per major class and day, week or month.
pub const DENSITY_SERIES: &str = "/api/density/series";
/// `/api/density/tiles/{z}/{x}/{y}`: the viewer's density as a vector tile (`days`, `end`, `category`, `state` in the
/// query), cached per filter set and dropped per tile as cases are written.
pub const DENSITY_TILE: &str = "/api/density/tiles/{z}/{x}/{y}";
/// `/api/density/points`: the positions of the view's cases (a bbox required), for the heat surface at high zoom.
pub const DENSITY_POINTS: &str = "/api/density/points";
/// `/api/public/density`: the public density map (bins of at least five incidents, sensitive categories left out).
pub const PUBLIC_DENSITY: &str = "/api/public/density";
/// `/api/api-clients`: the partner applications of the admin's district; register one (its key is shown once).
pub const API_CLIENTS: &str = "/api/api-clients";
/// `/api/api-clients/{id}/revoke`: revoke a client's key.
pub const API_CLIENT_REVOKE: &str = "/api/api-clients/{id}/revoke";
/// `/api/notifications`: the caller's in-app notifications.
pub const NOTIFICATIONS: &str = "/api/notifications";
/// `/api/cases/{id}/photos/{photo}/blur`: blur parts of a photo in its public copy.
pub const CASE_PHOTO_BLUR: &str = "/api/cases/{id}/photos/{photo}/blur";
/// `/api/public/services`: the short list of problems residents report.
pub const PUBLIC_SERVICES: &str = "/api/public/services";
/// `/api/public/reports`: the public map's reports in a view; a resident's report (no account needed).
pub const PUBLIC_REPORTS: &str = "/api/public/reports";
/// `/api/public/nearby`: open reports of a problem near a point ("is it one of these?").
pub const PUBLIC_NEARBY: &str = "/api/public/nearby";
/// `/api/public/reports/{number}/follow`: follow a report instead of filing a duplicate.
pub const PUBLIC_FOLLOW: &str = "/api/public/reports/{number}/follow";
/// `/api/public/photos/{id}`: a photo's public copy (of a report shown publicly); `?thumb` for the thumbnail.
pub const PUBLIC_PHOTO: &str = "/api/public/photos/{id}";
/// `/api/track/{token}`: the tracking page's facts.
pub const TRACK: &str = "/api/track/{token}";
/// `/api/track/{token}/rating`: the reporter rates the closed case.
pub const TRACK_RATING: &str = "/api/track/{token}/rating";
/// `/open311/v2/discovery.{format}` (`json` or `xml`, as for every Open311 method).
pub const OPEN311_DISCOVERY: &str = "/open311/v2/discovery.{format}";
/// `/open311/v2/services.{format}`: the services.
pub const OPEN311_SERVICES: &str = "/open311/v2/services.{format}";
/// `/open311/v2/services/{code}.{format}`: a service definition.
pub const OPEN311_SERVICE: &str = "/open311/v2/services/{code}.{format}";
/// `/open311/v2/requests.{format}`: list requests; post one.
pub const OPEN311_REQUESTS: &str = "/open311/v2/requests.{format}";
/// `/open311/v2/requests/{id}.{format}`: one request (a list of one).
pub const OPEN311_REQUEST: &str = "/open311/v2/requests/{id}.{format}";
/// `/open311/v2/tokens/{token}.{format}`: the request of a token.
pub const OPEN311_TOKEN: &str = "/open311/v2/tokens/{token}.{format}";
/// `/open311/v2/servicerequestupdates.{format}`: the steps of requests in a window (FixMyStreet's extension).
pub const OPEN311_UPDATES: &str = "/open311/v2/servicerequestupdates.{format}";

/// The first path segment of each screen of the web app (`/public`, `/admin`, `/grids/{id}`,
/// `/communities/{code}/editor`): the server answers such paths with the app, whose router shows the screen.
pub const APP_SCREENS: [&str; 7] = ["public", "admin", "grids", "communities", "cases", "density", "track"];

/// Every pattern above.
pub const ALL: [&str; 89] = [
    HEALTH,
    SESSION,
    DISTRICTS,
    LOCATE,
    SEARCH,
    GRID,
    STYLE,
    GLYPHS,
    TILEJSON,
    TILE,
    DISTRICT_STREETS,
    STREETS,
    STREET_COMMUNITIES,
    COMMUNITIES,
    COMMUNITY,
    COMMUNITY_BLOCKS,
    COMMUNITY_BLOCKS_BUILD,
    COMMUNITY_BUILDINGS,
    COMMUNITY_BLOCK_EDGES,
    BLOCK,
    BLOCK_SPLIT,
    BLOCK_SPLIT_POLICY,
    BUILDING,
    COMMUNITY_PLANS,
    COMMUNITY_PLANS_SUGGEST,
    COMMUNITY_GRIDS,
    PLAN,
    PLAN_PUBLISH,
    PLAN_REBALANCE,
    PLAN_DIFF,
    PLAN_LINEAGE,
    PLAN_EXPORT,
    COMMUNITY_PLANS_IMPORT,
    COMMUNITY_PLANS_IMPORT_SHAPEFILE,
    GRID_STATS,
    GRID_HISTORY,
    SPECIAL_GRIDS,
    ELEMENTS,
    ELEMENT,
    RESIDENTS,
    RESIDENT,
    RESIDENT_REVEAL,
    ACCOUNTS,
    ACCOUNT,
    AUDIT,
    AUDIT_VERIFY,
    AUDIT_SIGN_IN_FAILURES,
    CASES,
    CASE_DUPLICATES,
    CASE,
    CASE_ACTIONS,
    CASE_PHOTOS,
    CASE_PHOTO,
    CATEGORIES,
    CATEGORY,
    DEPARTMENTS,
    DISPATCH_RULES,
    STAGE_LIMITS,
    STAGE_LIMIT,
    DENSITY_BINS,
    DENSITY_HOTSPOTS,
    DENSITY_AREAS,
    DENSITY_REPEATS,
    DENSITY_EMERGING,
    DENSITY_PUBLISHED,
    PUBLIC_DENSITY,
    DENSITY_COMPARE,
    DENSITY_CASES,
    DENSITY_SERIES,
    DENSITY_TILE,
    DENSITY_POINTS,
    NOTIFICATIONS,
    API_CLIENTS,
    API_CLIENT_REVOKE,
    CASE_PHOTO_BLUR,
    PUBLIC_SERVICES,
    PUBLIC_REPORTS,
    PUBLIC_NEARBY,
    PUBLIC_FOLLOW,
    PUBLIC_PHOTO,
    TRACK,
    TRACK_RATING,
    OPEN311_DISCOVERY,
    OPEN311_SERVICES,
    OPEN311_SERVICE,
    OPEN311_REQUESTS,
    OPEN311_REQUEST,
    OPEN311_TOKEN,
    OPEN311_UPDATES,
];

/// `pattern` with its `{…}` segments replaced by `values`, in order.
pub fn fill(pattern: &str, values: &[&dyn std::fmt::Display]) -> String {
    let mut values = values.iter();
    pattern
        .split('/')
        .map(|segment| match segment.starts_with('{') {
            true => values.next().map(|v| v.to_string()).unwrap_or_default(),
            false => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_distinct_and_fill_in_order() {
        for (i, p) in ALL.iter().enumerate() {
            assert!(p.starts_with('/'), "{p}");
            assert!(!ALL[..i].contains(p), "{p} twice");
        }
        assert_eq!(fill(TILE, &[&"all", &14, &13600, &6700]), "/tiles/all/14/13600/6700");
        assert_eq!(fill(COMMUNITY_PLANS, &[&"990101001001"]), "/api/communities/990101001001/plans");
    }
}
