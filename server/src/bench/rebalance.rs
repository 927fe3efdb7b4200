//! `wangge bench-rebalance GRAPH`: households change in one corner of a community (new flats, 5 % of its households
//! by default); "rebalance the community" against a fresh suggestion on the same graph file, in the same run: grids
//! in the band, grids kept, households moved, time. A pure computation on the partitioner's JSON graph format.

use std::collections::BTreeMap;
use std::time::Instant;

use wangge_domain::partition::{
    households_moved, partition, rebalance_community, BlockGraphInput, Options, PartitionError, Region,
};

/// One way of redrawing after the change.
#[derive(Debug)]
pub struct Redraw {
    /// How.
    pub method: &'static str,
    /// Seconds.
    pub seconds: f64,
    /// Grids.
    pub grids: usize,
    /// Share within ±10 %, percent.
    pub within10: f64,
    /// Grids left exactly as they were.
    pub kept: usize,
    /// Households moved to another grid.
    pub moved: u32,
}

/// What one run measured.
#[derive(Debug)]
pub struct RebalanceReport {
    /// Blocks of the graph.
    pub blocks: usize,
    /// Households before the change.
    pub households: u32,
    /// Households added in the corner.
    pub added: u32,
    /// Blocks that gained them.
    pub grown_blocks: usize,
    /// Grids of the plan before the change.
    pub grids_before: usize,
    /// Of those, outside the band after the change.
    pub outside_after_change: usize,
    /// The two redraws.
    pub redraws: Vec<Redraw>,
}

/// Divide `graph`, add `share` of its households to the household-holding blocks nearest its south-west corner
/// (a tenth of them, in proportion to what they hold), then redraw both ways.
pub fn bench_rebalance(graph: &BlockGraphInput, share: f64) -> Result<RebalanceReport, PartitionError> {
    let opts = Options::default();
    let plan = partition(graph, &opts)?;
    let before: BTreeMap<i64, String> =
        plan.regions.iter().flat_map(|r| r.blocks.iter().map(move |b| (*b, r.label.clone()))).collect();
    let households: u32 = graph.nodes.iter().map(|n| n.households).sum();
    let (x0, y0) = graph.nodes.iter().fold((f64::MAX, f64::MAX), |(x, y), n| (x.min(n.x), y.min(n.y)));
    let mut holding: Vec<usize> = (0..graph.nodes.len()).filter(|&i| graph.nodes[i].households > 0).collect();
    let d2 = |i: usize| (graph.nodes[i].x - x0).powi(2) + (graph.nodes[i].y - y0).powi(2);
    holding.sort_by(|&a, &b| d2(a).total_cmp(&d2(b)));
    let corner = &holding[..(holding.len() / 10).max(1)];
    let corner_hh: u32 = corner.iter().map(|&i| graph.nodes[i].households).sum();
    let added = (f64::from(households) * share).round() as u32;
    let mut grown = graph.clone();
    for &i in corner {
        let h = grown.nodes[i].households;
        grown.nodes[i].households += (f64::from(added) * f64::from(h) / f64::from(corner_hh.max(1))).round() as u32;
    }
    let band = |h: u32| (f64::from(h) - f64::from(opts.target)).abs() <= f64::from(opts.target) * opts.tolerance;
    let hh: BTreeMap<i64, u32> = grown.nodes.iter().map(|n| (n.id, n.households)).collect();
    let outside_after_change = plan.regions.iter().filter(|r| !band(r.blocks.iter().map(|b| hh[b]).sum())).count();
    let kept =
        |regions: &[Region]| plan.regions.iter().filter(|old| regions.iter().any(|r| r.blocks == old.blocks)).count();
    let within10 = |regions: &[Region]| {
        100.0 * regions.iter().filter(|r| band(r.households)).count() as f64 / regions.len().max(1) as f64
    };
    let t = Instant::now();
    let rebalanced = rebalance_community(&grown, &before, &opts)?;
    let rebalance_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let fresh = partition(&grown, &opts)?;
    let fresh_s = t.elapsed().as_secs_f64();
    let redraws = vec![
        Redraw {
            method: "rebalance the community",
            seconds: rebalance_s,
            grids: rebalanced.result.regions.len(),
            within10: within10(&rebalanced.result.regions),
            kept: kept(&rebalanced.result.regions),
            moved: rebalanced.moved_households,
        },
        Redraw {
            method: "fresh suggestion",
            seconds: fresh_s,
            grids: fresh.regions.len(),
            within10: within10(&fresh.regions),
            kept: kept(&fresh.regions),
            moved: households_moved(&grown, &before, &fresh.regions),
        },
    ];
    Ok(RebalanceReport {
        blocks: graph.nodes.len(),
        households,
        added,
        grown_blocks: corner.len(),
        grids_before: plan.regions.len(),
        outside_after_change,
        redraws,
    })
}

/// The report as Markdown.
pub fn markdown(label: &str, r: &RebalanceReport) -> String {
    let mut out = format!(
        "{label}: {} blocks, {} households, {} grids; {} households added to the {} household-holding blocks \
         nearest its south-west corner: {} grid(s) outside the band\n\n\
         | method | runtime | grids | within ±10 % | grids kept exactly | households moved |\n|---|---:|---:|---:|---:|---:|\n",
        r.blocks, r.households, r.grids_before, r.added, r.grown_blocks, r.outside_after_change
    );
    for d in &r.redraws {
        out.push_str(&format!(
            "| {} | {:.2} s | {} | {:.1} % | {} of {} | {} |\n",
            d.method, d.seconds, d.grids, d.within10, d.kept, r.grids_before, d.moved
        ));
    }
    out
}
