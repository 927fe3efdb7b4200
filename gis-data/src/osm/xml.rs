//! Streaming reader for OSM XML (API 0.6 / Overpass output).

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{OsmError, RawNode, RawOsm, RawRelation, RawWay, WayMember};

enum Open {
    None,
    Node(RawNode),
    Way(RawWay),
    Relation(RawRelation),
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

fn num<T: std::str::FromStr>(e: &BytesStart<'_>, name: &[u8], pos: u64) -> Result<T, OsmError> {
    attr(e, name).and_then(|v| v.parse().ok()).ok_or_else(|| OsmError::Xml {
        position: pos,
        message: format!("missing or bad attribute {}", String::from_utf8_lossy(name)),
    })
}

/// Read OSM XML from any buffered reader.
pub fn read_xml<R: BufRead>(input: R) -> Result<RawOsm, OsmError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut osm = RawOsm::default();
    let mut open = Open::None;
    loop {
        let pos = reader.buffer_position();
        let event =
            reader.read_event_into(&mut buf).map_err(|e| OsmError::Xml { position: pos, message: e.to_string() })?;
        let (e, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            Event::End(end) => {
                if matches!(end.name().as_ref(), b"node" | b"way" | b"relation") {
                    close(&mut osm, std::mem::replace(&mut open, Open::None));
                }
                buf.clear();
                continue;
            }
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(e) = e {
            match e.name().as_ref() {
                b"node" => {
                    let node = RawNode {
                        id: num(e, b"id", pos)?,
                        lon: num(e, b"lon", pos)?,
                        lat: num(e, b"lat", pos)?,
                        tags: Vec::new(),
                    };
                    osm.coords.insert(node.id, (node.lon, node.lat));
                    open = Open::Node(node);
                }
                b"way" => open = Open::Way(RawWay { id: num(e, b"id", pos)?, ..Default::default() }),
                b"relation" => open = Open::Relation(RawRelation { id: num(e, b"id", pos)?, ..Default::default() }),
                b"nd" => {
                    if let Open::Way(w) = &mut open {
                        w.refs.push(num(e, b"ref", pos)?);
                    }
                }
                b"member" => {
                    if let Open::Relation(r) = &mut open {
                        if attr(e, b"type").as_deref() == Some("way") {
                            r.ways.push(WayMember {
                                way: num(e, b"ref", pos)?,
                                role: attr(e, b"role").unwrap_or_default(),
                            });
                        }
                    }
                }
                b"tag" => {
                    let kv = (attr(e, b"k").unwrap_or_default(), attr(e, b"v").unwrap_or_default());
                    match &mut open {
                        Open::Node(n) => n.tags.push(kv),
                        Open::Way(w) => w.tags.push(kv),
                        Open::Relation(r) => r.tags.push(kv),
                        Open::None => {}
                    }
                }
                _ => {}
            }
            if empty && matches!(e.name().as_ref(), b"node" | b"way" | b"relation") {
                close(&mut osm, std::mem::replace(&mut open, Open::None));
            }
        }
        buf.clear();
    }
    Ok(osm)
}

fn close(osm: &mut RawOsm, open: Open) {
    match open {
        Open::Node(n) if !n.tags.is_empty() => osm.tagged_nodes.push(n),
        Open::Way(w) => osm.ways.push(w),
        Open::Relation(r) => osm.relations.push(r),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nodes_ways_relations() {
        let xml = br#"<osm>
          <node id="1" lat="32.0" lon="118.0"/><node id="2" lat="32.0" lon="118.1"><tag k="name" v="A&amp;B"/></node>
          <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
          <relation id="20"><member type="way" ref="10" role="outer"/><member type="node" ref="1" role=""/>
            <tag k="type" v="multipolygon"/></relation></osm>"#;
        let osm = read_xml(&xml[..]).unwrap();
        assert_eq!(osm.coords.len(), 2);
        assert_eq!(osm.tagged_nodes.len(), 1);
        assert_eq!(osm.tagged_nodes[0].tags[0].1, "A&B");
        assert_eq!(osm.ways[0].refs, vec![1, 2]);
        assert_eq!(osm.relations[0].ways.len(), 1);
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(read_xml(&b"<osm><node id=\"x\" lat=\"1\" lon=\"2\"/></osm>"[..]).is_err());
    }
}
