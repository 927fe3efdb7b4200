//! Partition generated block lattices of 400, 1,600, 4,900 and 10,000 blocks (10–50 households each, four
//! neighbours) and print runtime, share of grids within ±10 % / ±5 % of 300 households and mean Polsby–Popper.
//!
//! `cargo run --release -p wangge-domain --example partition_lattice`

use std::time::Instant;

use wangge_domain::partition::{partition, BlockGraphInput, Edge, Node, Options};

fn lattice(side: i64) -> BlockGraphInput {
    let mut s = 3u64;
    let mut r = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 33) as f64 / (1u64 << 31) as f64
    };
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for i in 0..side * side {
        let households = 10 + (r() * 41.0) as u32;
        let (x, y) = ((i % side) as f64, (i / side) as f64);
        nodes.push(Node { id: i, households, area: 1.0, perimeter: 4.0, x, y, compound: None });
        if i % side < side - 1 {
            edges.push(Edge { a: i, b: i + 1, length: 1.0 });
        }
        if i < side * (side - 1) {
            edges.push(Edge { a: i, b: i + side, length: 1.0 });
        }
    }
    BlockGraphInput { nodes, edges, fixed: Default::default() }
}

fn main() {
    println!(
        "| blocks | grids | runtime | within ±10 % | within ±5 % | mean Polsby–Popper |\n|---|---|---|---|---|---|"
    );
    for side in [20i64, 40, 70, 100] {
        let graph = lattice(side);
        let t = Instant::now();
        let res = partition(&graph, &Options::default()).expect("a lattice partitions");
        let elapsed = t.elapsed();
        let n = res.regions.len() as f64;
        let share = |band: f64| {
            res.regions.iter().filter(|g| (f64::from(g.households) - 300.0).abs() <= band).count() as f64 / n * 100.0
        };
        let pp = res.regions.iter().map(|g| g.polsby_popper).sum::<f64>() / n;
        println!(
            "| {} | {} | {:.0} ms | {:.1} % | {:.1} % | {:.3} |",
            side * side,
            n,
            elapsed.as_secs_f64() * 1e3,
            share(30.0),
            share(15.0),
            pp
        );
    }
}
