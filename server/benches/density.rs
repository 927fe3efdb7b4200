//! The density kernel: a street-sized view's hexagon bins over 10 M generated incidents (the view of
//! `wangge bench-heat`: 5 × 5 km, 92 days, three categories), and the scan that picks its candidates alone; and the
//! cell of a point, H3 against a flat hexagon grid of our own.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use h3o::Resolution;
use wangge_server::bench::heat::{generate, view};
use wangge_server::incidents::density;

fn bins(c: &mut Criterion) {
    let now = chrono::DateTime::from_timestamp(1_796_000_000, 0).expect("a valid instant");
    let (columns, query) = view(&generate(10_000_000, now));
    let window = columns.window(Some(query.from), Some(query.to));
    let mut group = c.benchmark_group("density");
    group.sample_size(50);
    group.bench_function("candidates of the view", |b| {
        b.iter(|| query.selection.candidates(&columns, window.clone(), query.bbox).count())
    });
    group.bench_function("bins of the view", |b| {
        b.iter(|| black_box(density::bins(&columns, &query, Resolution::Nine)))
    });
    group.finish();
}

/// The hexagon of a point on a flat hexagon grid of our own (equirectangular at the city's latitude, pointy-top,
/// axial coordinates with cube rounding), of the same area as an H3 resolution-9 cell: the alternative to H3 the
/// issue asks to measure.
fn own_hexagon(lon: f64, lat: f64, lat0_cos: f64, side_m: f64) -> u64 {
    let (x, y) = (lon.to_radians() * 6_371_008.8 * lat0_cos, lat.to_radians() * 6_371_008.8);
    let q = (3f64.sqrt() / 3.0 * x - y / 3.0) / side_m;
    let r = (2.0 / 3.0 * y) / side_m;
    let (mut rq, mut rr, rs) = (q.round(), r.round(), (-q - r).round());
    let (dq, dr, ds) = ((rq - q).abs(), (rr - r).abs(), (rs - (-q - r)).abs());
    if dq > dr && dq > ds {
        rq = -rr - rs;
    } else if dr > ds {
        rr = -rq - rs;
    }
    ((rq as i64 as u64) << 32) | (rr as i64 as u32 as u64)
}

fn cell_of_a_point(c: &mut Criterion) {
    let points: Vec<(f64, f64)> =
        (0..10_000).map(|i| (118.6 + (i % 100) as f64 * 0.004, 31.8 + (i / 100) as f64 * 0.003)).collect();
    // H3 resolution 9 averages 0.1053 km²; a regular hexagon of that area has sides of 201.3 m.
    let side = (2.0 * 105_332.5 / (3.0 * 3f64.sqrt())).sqrt();
    let cos = 31.95f64.to_radians().cos();
    let mut group = c.benchmark_group("cell of 10,000 points");
    group.bench_function("H3 resolution 9 (h3o)", |b| {
        b.iter(|| {
            points
                .iter()
                .filter_map(|&(lon, lat)| h3o::LatLng::new(lat, lon).ok())
                .map(|ll| u64::from(ll.to_cell(Resolution::Nine)))
                .fold(0u64, u64::wrapping_add)
        })
    });
    group.bench_function("our own flat hexagon grid, same area", |b| {
        b.iter(|| points.iter().map(|&(lon, lat)| own_hexagon(lon, lat, cos, side)).fold(0u64, u64::wrapping_add))
    });
    group.finish();
}

criterion_group!(benches, bins, cell_of_a_point);
criterion_main!(benches);
