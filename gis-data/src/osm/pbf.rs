//! Reader for OSM PBF files.

use std::path::Path;

use osmpbf::{Element, ElementReader, RelMemberType};

use super::{OsmError, RawNode, RawOsm, RawRelation, RawWay, Tags, WayMember};

fn own_tags<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Tags {
    tags.map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// Read an `.osm.pbf` file.
pub fn read_pbf(path: &Path) -> Result<RawOsm, OsmError> {
    let reader = ElementReader::from_path(path).map_err(|e| OsmError::Pbf(format!("{}: {e}", path.display())))?;
    let mut osm = RawOsm::default();
    let add_node = |osm: &mut RawOsm, id: i64, lon: f64, lat: f64, tags: Tags| {
        osm.coords.insert(id, (lon, lat));
        if !tags.is_empty() {
            osm.tagged_nodes.push(RawNode { id, lon, lat, tags });
        }
    };
    reader
        .for_each(|element| match element {
            Element::Node(n) => add_node(&mut osm, n.id(), n.lon(), n.lat(), own_tags(n.tags())),
            Element::DenseNode(n) => add_node(&mut osm, n.id(), n.lon(), n.lat(), own_tags(n.tags())),
            Element::Way(w) => osm.ways.push(RawWay { id: w.id(), refs: w.refs().collect(), tags: own_tags(w.tags()) }),
            Element::Relation(r) => osm.relations.push(RawRelation {
                id: r.id(),
                ways: r
                    .members()
                    .filter(|m| m.member_type == RelMemberType::Way)
                    .map(|m| WayMember { way: m.member_id, role: m.role().unwrap_or("").to_owned() })
                    .collect(),
                tags: own_tags(r.tags()),
            }),
        })
        .map_err(|e| OsmError::Pbf(e.to_string()))?;
    Ok(osm)
}
