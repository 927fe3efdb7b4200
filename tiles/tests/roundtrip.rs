//! Encode with wangge-tiles, decode with the independent `mvt-reader` crate, and compare with the source.

use std::collections::HashMap;

use geo::{Area, Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use mvt_reader::feature::Value as MvtValue;
use mvt_reader::Reader;
use wangge_tiles::{SourceFeature, SourceLayer, TileId, TileSet, Value, EXTENT};

/// Tile units → longitude/latitude (inverse Web Mercator).
fn unproject(tile: TileId, x: f64, y: f64) -> (f64, f64) {
    let n = f64::from(1u32 << tile.z);
    let ux = (f64::from(tile.x) + x / f64::from(EXTENT)) / n;
    let uy = (f64::from(tile.y) + y / f64::from(EXTENT)) / n;
    let lon = ux * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * uy)).sinh().atan().to_degrees();
    (lon, lat)
}

fn square(cx: f64, cy: f64, d: f64) -> LineString<f64> {
    LineString::from(vec![(cx - d, cy - d), (cx + d, cy - d), (cx + d, cy + d), (cx - d, cy + d), (cx - d, cy - d)])
}

#[test]
fn polygon_with_hole_line_and_point_survive_the_round_trip() {
    let (cx, cy) = (118.9012, 31.8534);
    let block = Polygon::new(square(cx, cy, 0.0008), vec![square(cx, cy, 0.0002)]);
    let road = LineString::from(vec![(cx - 0.002, cy + 0.0009), (cx + 0.002, cy + 0.0009)]);
    let layers = vec![
        SourceLayer::new(
            "blocks",
            vec![SourceFeature::new(42, Geometry::Polygon(block.clone()), 0)
                .with("households", Value::Int(287))
                .with("deviation", Value::Double(-0.0433))
                .with("name", Value::from("一号网格"))
                .with("locked", Value::Bool(true))],
        ),
        SourceLayer::new(
            "roads",
            vec![SourceFeature::new(7, Geometry::LineString(road), 0).with("class", Value::from("primary"))],
        ),
        SourceLayer::new("labels", vec![SourceFeature::new(9, Geometry::Point(Point::new(cx, cy)), 0)]),
    ];
    let set = TileSet::new(layers);
    let tile = TileId::containing(cx, cy, 16);
    let bytes = set.encode(tile);
    let reader = Reader::new(bytes).expect("mvt-reader parses our tile");
    assert_eq!(reader.get_layer_names().unwrap(), vec!["blocks", "roads", "labels"]);

    let blocks = reader.get_features(0).unwrap();
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].id, Some(42));
    let props: &HashMap<String, MvtValue> = blocks[0].properties.as_ref().unwrap();
    assert_eq!(props["households"], MvtValue::SInt(287));
    assert_eq!(props["deviation"], MvtValue::Double(-0.0433));
    assert_eq!(props["name"], MvtValue::String("一号网格".into()));
    assert_eq!(props["locked"], MvtValue::Bool(true));
    // geometry: back to lon/lat and compare with the source
    let decoded: MultiPolygon<f64> = match &blocks[0].geometry {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        geo::Geometry::MultiPolygon(mp) => mp.clone(),
        other => panic!("expected a polygon, got {other:?}"),
    }
    .0
    .iter()
    .map(|p| {
        let conv = |ls: &LineString<f32>| {
            LineString(
                ls.0.iter()
                    .map(|c| {
                        let (x, y) = unproject(tile, f64::from(c.x), f64::from(c.y));
                        Coord { x, y }
                    })
                    .collect(),
            )
        };
        Polygon::new(conv(p.exterior()), p.interiors().iter().map(conv).collect())
    })
    .collect::<Vec<_>>()
    .into();
    assert_eq!(decoded.0.len(), 1);
    assert_eq!(decoded.0[0].interiors().len(), 1, "the hole is decoded as a hole (ring orientation is right)");
    let ratio = decoded.unsigned_area() / block.unsigned_area();
    assert!((ratio - 1.0).abs() < 0.01, "area ratio {ratio}");
    // every decoded vertex lies within one tile unit (~15 cm at z16) of a source vertex
    let unit_deg = 360.0 / f64::from(1u32 << 16) / f64::from(EXTENT);
    for c in decoded.0[0].exterior().0.iter().chain(decoded.0[0].interiors()[0].0.iter()) {
        let nearest = block
            .exterior()
            .0
            .iter()
            .chain(block.interiors()[0].0.iter())
            .map(|s| ((s.x - c.x).powi(2) + (s.y - c.y).powi(2)).sqrt())
            .fold(f64::MAX, f64::min);
        assert!(nearest < 1.5 * unit_deg, "vertex {c:?} is {nearest}° from the source");
    }

    let roads = reader.get_features(1).unwrap();
    assert!(matches!(roads[0].geometry, geo::Geometry::LineString(_) | geo::Geometry::MultiLineString(_)));
    let labels = reader.get_features(2).unwrap();
    match &labels[0].geometry {
        geo::Geometry::Point(p) => {
            let (lon, lat) = unproject(tile, f64::from(p.x()), f64::from(p.y()));
            assert!((lon - cx).abs() < 2.0 * unit_deg && (lat - cy).abs() < 2.0 * unit_deg);
        }
        geo::Geometry::MultiPoint(mp) => assert_eq!(mp.0.len(), 1),
        other => panic!("expected a point, got {other:?}"),
    }
}

#[test]
fn dense_buildings_stay_under_500_kb_at_every_zoom() {
    // 40,000 small buildings (~15 m) over ~3 × 3 km, shown at every zoom: generalisation alone must keep tiles small
    let mut features = Vec::new();
    for i in 0..200 {
        for j in 0..200 {
            let (x, y) = (118.88 + f64::from(i) * 0.00015, 31.84 + f64::from(j) * 0.00013);
            let p = Polygon::new(square(x, y, 0.00006), vec![]);
            features.push(
                SourceFeature::new((i * 200 + j) as u64, Geometry::Polygon(p), 0).with("households", Value::Int(12)),
            );
        }
    }
    let set = TileSet::new(vec![SourceLayer::new("buildings", features)]);
    for z in 8..=17u8 {
        let t = TileId::containing(118.895, 31.853, z);
        let bytes = set.encode(t);
        assert!(bytes.len() < 500_000, "z{z}: {} bytes", bytes.len());
        if z >= 15 {
            assert!(!bytes.is_empty(), "buildings are visible at z{z}");
        }
    }
    assert!(
        set.encode(TileId::containing(118.895, 31.853, 10)).len() < 1_000,
        "sub-pixel buildings are dropped at z10"
    );
}
