//! The density kernel: a street-sized view's hexagon bins over 10 M generated incidents (the view of
//! `wangge bench-heat`: 5 × 5 km, 92 days, three categories), and the scan that picks its candidates alone.

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

criterion_group!(benches, bins);
criterion_main!(benches);
