//! Point-in-polygon kernel: our `PolygonIndex` against the plain approach (R-tree of envelopes + `geo::Contains`)
//! on a jittered tiling of 6,400 grids and 100,000 points.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use geo::{BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;
use wangge_domain::locate::PolygonIndex;

fn rng(seed: &mut u64) -> f64 {
    *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

fn tiling(n: usize) -> Vec<MultiPolygon<f64>> {
    let mut seed = 3;
    let mut nodes = vec![vec![Coord { x: 0.0, y: 0.0 }; n + 1]; n + 1];
    for (r, row) in nodes.iter_mut().enumerate() {
        for (c, node) in row.iter_mut().enumerate() {
            let inner = r > 0 && c > 0 && r < n && c < n;
            let j = if inner { 0.4 } else { 0.0 };
            *node = Coord { x: c as f64 + j * (rng(&mut seed) - 0.5), y: r as f64 + j * (rng(&mut seed) - 0.5) };
        }
    }
    let mut out = Vec::new();
    for r in 0..n {
        for c in 0..n {
            // 5 points per side, like a real block outline
            let mut ring = Vec::new();
            for (a, b) in [
                (nodes[r][c], nodes[r][c + 1]),
                (nodes[r][c + 1], nodes[r + 1][c + 1]),
                (nodes[r + 1][c + 1], nodes[r + 1][c]),
                (nodes[r + 1][c], nodes[r][c]),
            ] {
                for k in 0..5 {
                    let t = k as f64 / 5.0;
                    ring.push(Coord { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
                }
            }
            ring.push(ring[0]);
            out.push(MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let polys = tiling(80);
    let mut seed = 9;
    let points: Vec<(f64, f64)> = (0..100_000).map(|_| (rng(&mut seed) * 80.0, rng(&mut seed) * 80.0)).collect();
    let index = PolygonIndex::new(polys.clone());
    let tree = RTree::bulk_load(
        polys
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let r = p.bounding_rect().unwrap();
                GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i)
            })
            .collect(),
    );
    let mut g = c.benchmark_group("locate 100k points in 6,400 grids");
    g.sample_size(20);
    g.bench_function("wangge PolygonIndex", |b| {
        b.iter(|| points.iter().filter_map(|&(x, y)| index.first(x, y, |_| true)).count())
    });
    g.bench_function("rstar envelopes + geo::Contains", |b| {
        b.iter(|| {
            points
                .iter()
                .filter_map(|&(x, y)| {
                    let p = Point::new(x, y);
                    tree.locate_all_at_point(&[x, y]).find(|e| polys[e.data].contains(&p)).map(|e| e.data)
                })
                .count()
        })
    });
    g.bench_function("index build", |b| b.iter(|| PolygonIndex::new(black_box(polys.clone()))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
