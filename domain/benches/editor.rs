//! Stroke cost in the grid editor with 1,000 grids: a 100 × 100 lattice of blocks (10,000 blocks, 30 households
//! each) in 1,000 grids of 10 blocks. A click paints one block into the neighbouring grid and reads back the figures
//! of the two grids it touched (what the live panel shows); a brush stroke does the same for 10 blocks; an undo
//! restores them. The browser runs this same code compiled to WebAssembly.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use wangge_domain::editor::{Draft, EditBlock};
use wangge_domain::plan::GridKind;

const SIDE: i64 = 100;

fn lattice() -> Draft {
    let blocks = (0..SIDE * SIDE).map(|id| EditBlock { id, households: 30, residents: 75 }).collect();
    let mut adjacent = Vec::new();
    for r in 0..SIDE {
        for c in 0..SIDE {
            let id = r * SIDE + c;
            if c + 1 < SIDE {
                adjacent.push((id, id + 1));
            }
            if r + 1 < SIDE {
                adjacent.push((id, id + SIDE));
            }
        }
    }
    let mut d = Draft::new(blocks, adjacent);
    // grid = a 10 × 1 strip of blocks: row r, columns 10k..10k+9
    for r in 0..SIDE {
        for k in 0..SIDE / 10 {
            let g = d.add_grid(&format!("g{r}-{k}"), GridKind::Natural);
            d.load(g, &((0..10).map(|c| r * SIDE + k * 10 + c).collect::<Vec<_>>()));
        }
    }
    d
}

fn strokes(c: &mut Criterion) {
    let mut d = lattice();
    assert_eq!(d.grids().len(), 1000);
    let mut stroke = 0u64;
    c.bench_function("editor: click (1 block) + figures of the 2 grids, 1,000 grids", |b| {
        b.iter(|| {
            stroke += 1;
            // block at the end of a strip moves into the next strip's grid, then back (keeps the state stable)
            let block = 5 * SIDE + 9;
            let (from, to) = (d.owner(block).unwrap(), d.owner(block + 1).unwrap());
            let ch = d.paint(&[block], to, stroke).unwrap();
            black_box((d.figures(from), d.figures(to), ch));
            d.undo();
        })
    });
    c.bench_function("editor: brush stroke (10 blocks) + figures, 1,000 grids", |b| {
        b.iter(|| {
            stroke += 1;
            let to = d.owner(20 * SIDE).unwrap();
            for i in 0..10 {
                d.paint(&[21 * SIDE + i], to, stroke).unwrap();
            }
            black_box((d.figures(to), d.figures(d.owner(22 * SIDE).unwrap())));
            d.undo();
        })
    });
    c.bench_function("editor: unassigned blocks of 10,000", |b| b.iter(|| black_box(d.unassigned().len())));
}

criterion_group!(benches, strokes);
criterion_main!(benches);
