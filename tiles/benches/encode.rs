//! Encoding cost of one tile from 40,000 buildings in memory, at a street zoom and a district zoom.

use criterion::{criterion_group, criterion_main, Criterion};
use geo::{Geometry, LineString, Polygon};
use wangge_tiles::{SourceFeature, SourceLayer, TileId, TileSet, Value};

fn bench(c: &mut Criterion) {
    let mut features = Vec::new();
    for i in 0..200 {
        for j in 0..200 {
            let (x, y) = (118.88 + f64::from(i) * 0.00015, 31.84 + f64::from(j) * 0.00013);
            let d = 0.00006;
            let ring =
                LineString::from(vec![(x - d, y - d), (x + d, y - d), (x + d, y + d), (x - d, y + d), (x - d, y - d)]);
            features.push(
                SourceFeature::new((i * 200 + j) as u64, Geometry::Polygon(Polygon::new(ring, vec![])), 0)
                    .with("households", Value::Int(12)),
            );
        }
    }
    let set = TileSet::new(vec![SourceLayer::new("buildings", features)]);
    for z in [12u8, 14, 16] {
        let t = TileId::containing(118.895, 31.853, z);
        c.bench_function(&format!("encode z{z} tile of 40k buildings"), |b| b.iter(|| set.encode(t)));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
