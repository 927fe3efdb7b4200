//! The features Wangge keeps from OSM: buildings, roads, land use and named points of interest.

use std::collections::HashMap;

use geo::orient::{Direction, Orient};
use geo::{BooleanOps, Contains, Coord, LineString, MultiPolygon, Point, Polygon, Validation};

use super::{rings, tag, RawOsm, Tags};

/// A building footprint.
#[derive(Debug, Clone)]
pub struct Building {
    /// Source id (OSM way id, or the negated relation id).
    pub osm_id: i64,
    /// Footprint.
    pub footprint: MultiPolygon<f64>,
    /// The `building=*` value (`yes`, `residential`, `school`…).
    pub building: String,
    /// `building:levels`, when given.
    pub levels: Option<u16>,
    /// `building:flats` (a household count), when given.
    pub flats: Option<u32>,
    /// Name, when given.
    pub name: Option<String>,
    /// `addr:street` + `addr:housenumber`, when given.
    pub address: Option<String>,
}

/// A road centre line.
#[derive(Debug, Clone)]
pub struct Road {
    /// OSM way id.
    pub osm_id: i64,
    /// The `highway=*` value.
    pub class: String,
    /// Name, when given.
    pub name: Option<String>,
    /// The line.
    pub line: LineString<f64>,
}

/// A land-use or site area (residential, park, school…).
#[derive(Debug, Clone)]
pub struct Landuse {
    /// Source id (OSM way id, or the negated relation id).
    pub osm_id: i64,
    /// What it is: the `landuse=*` value, or `park`, `school`, `hospital`… for sites.
    pub kind: String,
    /// Name, when given.
    pub name: Option<String>,
    /// The area.
    pub area: MultiPolygon<f64>,
}

/// A named point of interest.
#[derive(Debug, Clone)]
pub struct Poi {
    /// OSM node id.
    pub osm_id: i64,
    /// Name.
    pub name: String,
    /// `key=value` of its main tag, e.g. `amenity=school`.
    pub kind: String,
    /// Location.
    pub point: Point<f64>,
}

/// All features of one file.
#[derive(Debug, Clone, Default)]
pub struct Features {
    /// Buildings.
    pub buildings: Vec<Building>,
    /// Roads.
    pub roads: Vec<Road>,
    /// Land use and sites.
    pub landuse: Vec<Landuse>,
    /// Points of interest.
    pub pois: Vec<Poi>,
    /// Ways with some of their nodes outside the extract (skipped, but for roads: see `clipped_roads`).
    pub incomplete_ways: usize,
    /// Of those, roads crossing the extract's edge, kept by their part inside.
    pub clipped_roads: usize,
}

const POI_KEYS: [&str; 9] =
    ["amenity", "shop", "tourism", "leisure", "office", "healthcare", "historic", "craft", "public_transport"];
const SITE_AMENITIES: [&str; 6] = ["school", "university", "college", "kindergarten", "hospital", "clinic"];

fn area_kind(tags: &Tags) -> Option<String> {
    if let Some(v) = tag(tags, "landuse") {
        return Some(v.to_owned());
    }
    match (tag(tags, "leisure"), tag(tags, "amenity")) {
        (Some("park" | "garden"), _) => Some("park".to_owned()),
        (_, Some(a)) if SITE_AMENITIES.contains(&a) => Some(a.to_owned()),
        _ => None,
    }
}

fn building_of(tags: &Tags, osm_id: i64, footprint: MultiPolygon<f64>) -> Option<Building> {
    let building = tag(tags, "building").filter(|v| *v != "no")?.to_owned();
    let address = match (tag(tags, "addr:street"), tag(tags, "addr:housenumber")) {
        (Some(s), Some(n)) => Some(format!("{s}{n}")),
        (Some(s), None) => Some(s.to_owned()),
        _ => None,
    };
    Some(Building {
        osm_id,
        footprint,
        building,
        levels: tag(tags, "building:levels")
            .and_then(|v| v.trim().parse::<f32>().ok())
            .map(|f| f.round().max(1.0) as u16),
        flats: tag(tags, "building:flats").and_then(|v| v.trim().parse().ok()),
        name: tag(tags, "name").map(str::to_owned),
        address,
    })
}

/// OSM rings come in any orientation and are sometimes self-intersecting (bow-ties, touching rings): orient them
/// (exterior counter-clockwise, holes clockwise) and resolve invalid ones into a valid area, so the stored
/// geometry and every area computed from it agree.
fn repaired(area: MultiPolygon<f64>) -> MultiPolygon<f64> {
    let valid = if area.is_valid() { area } else { area.union(&MultiPolygon::new(vec![])) };
    valid.orient(Direction::Default)
}

/// The longest run of consecutive nodes of `refs` that the extract holds, if it has two or more: the part inside
/// the extract of a road that crosses its edge (a road leaving and coming back keeps its longest part).
fn inside_part(osm: &RawOsm, refs: &[i64]) -> Option<Vec<Coord<f64>>> {
    refs.split(|r| !osm.coords.contains_key(r))
        .max_by_key(|run| run.len())
        .filter(|run| run.len() >= 2)
        .map(|run| run.iter().map(|r| osm.coords[r]).map(|(x, y)| Coord { x, y }).collect())
}

/// Turn raw elements into features. A road whose nodes are partly missing from the extract keeps its part inside
/// ([`inside_part`]); other ways with missing nodes (areas cannot be closed) are skipped.
pub fn extract(osm: &RawOsm) -> Features {
    let coords_of = |refs: &[i64]| -> Option<Vec<Coord<f64>>> {
        refs.iter().map(|r| osm.coords.get(r).map(|&(x, y)| Coord { x, y })).collect()
    };
    let mut f = Features::default();
    let mut way_coords: HashMap<i64, Vec<Coord<f64>>> = HashMap::new();
    for w in &osm.ways {
        let road = |line: Vec<Coord<f64>>| {
            let class = tag(&w.tags, "highway").filter(|_| tag(&w.tags, "area") != Some("yes"))?;
            (line.len() >= 2).then(|| Road {
                osm_id: w.id,
                class: class.to_owned(),
                name: tag(&w.tags, "name").map(str::to_owned),
                line: LineString(line),
            })
        };
        let Some(coords) = coords_of(&w.refs) else {
            f.incomplete_ways += 1;
            if let Some(r) = inside_part(osm, &w.refs).and_then(road) {
                f.clipped_roads += 1;
                f.roads.push(r);
            }
            continue;
        };
        let closed = coords.len() >= 4 && coords.first() == coords.last();
        if closed {
            let area = || repaired(MultiPolygon(vec![Polygon::new(LineString(coords.clone()), vec![])]));
            if let Some(b) = building_of(&w.tags, w.id, area()) {
                f.buildings.push(b);
            } else if let Some(kind) = area_kind(&w.tags) {
                f.landuse.push(Landuse {
                    osm_id: w.id,
                    kind,
                    name: tag(&w.tags, "name").map(str::to_owned),
                    area: area(),
                });
            }
        }
        f.roads.extend(road(coords.clone()));
        way_coords.insert(w.id, coords);
    }
    for r in &osm.relations {
        if tag(&r.tags, "type") != Some("multipolygon") {
            continue;
        }
        let pieces = |role: &str| -> Vec<Vec<Coord<f64>>> {
            r.ways
                .iter()
                .filter(|m| if role == "outer" { m.role != "inner" } else { m.role == "inner" })
                .filter_map(|m| way_coords.get(&m.way).cloned())
                .collect()
        };
        let outers = rings::assemble(pieces("outer"));
        if outers.is_empty() {
            continue;
        }
        let mut polys: Vec<Polygon<f64>> = outers.into_iter().map(|o| Polygon::new(o, vec![])).collect();
        for inner in rings::assemble(pieces("inner")) {
            let first = Point(inner.0[0]);
            if let Some(p) = polys.iter_mut().find(|p| p.contains(&first)) {
                p.interiors_push(inner);
            }
        }
        let area = repaired(MultiPolygon(polys));
        if let Some(b) = building_of(&r.tags, -r.id, area.clone()) {
            f.buildings.push(b);
        } else if let Some(kind) = area_kind(&r.tags) {
            f.landuse.push(Landuse { osm_id: -r.id, kind, name: tag(&r.tags, "name").map(str::to_owned), area });
        }
    }
    for n in &osm.tagged_nodes {
        let Some(name) = tag(&n.tags, "name") else {
            continue;
        };
        let Some(key) = POI_KEYS.iter().find(|k| tag(&n.tags, k).is_some()) else {
            continue;
        };
        f.pois.push(Poi {
            osm_id: n.id,
            name: name.to_owned(),
            kind: format!("{key}={}", tag(&n.tags, key).unwrap_or_default()),
            point: Point::new(n.lon, n.lat),
        });
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osm::RawWay;

    #[test]
    fn a_road_crossing_the_extracts_edge_keeps_its_part_inside() {
        let mut osm = RawOsm::default();
        for (id, x) in [(1, 0.0), (2, 1.0), (3, 2.0), (5, 4.0)] {
            osm.coords.insert(id, (x, 0.0));
        }
        let tags = |k: &str, v: &str| [(k.to_owned(), v.to_owned())].into_iter().collect();
        // 1-2-3 inside, 4 outside, 5 inside again: the longer part is kept
        osm.ways.push(RawWay { id: 10, refs: vec![1, 2, 3, 4, 5], tags: tags("highway", "residential") });
        // a building cut by the edge cannot be closed: skipped
        osm.ways.push(RawWay { id: 11, refs: vec![1, 2, 4, 1], tags: tags("building", "yes") });
        // a road with one node inside has no part to keep
        osm.ways.push(RawWay { id: 12, refs: vec![4, 5, 6], tags: tags("highway", "service") });
        let f = extract(&osm);
        assert_eq!((f.incomplete_ways, f.clipped_roads), (3, 1));
        assert_eq!(f.roads.len(), 1);
        assert_eq!(f.roads[0].osm_id, 10);
        assert_eq!(f.roads[0].line.0.iter().map(|c| c.x).collect::<Vec<_>>(), vec![0.0, 1.0, 2.0]);
        assert!(f.buildings.is_empty());
    }
}
