//! The editor's state: the domain working copy ([`Draft`]) plus what the map and the server need to know about it
//! (block points for the lasso, shared edges for live outlines, grid labels, which plan version it edits).

use std::collections::HashMap;
use wangge_api::plans::{GridInput, PlanInput};

use serde_json::{json, Value};
use wangge_domain::editor::{Changes, Draft, EditBlock, GridIx};
use wangge_domain::plan::{BlockId, GridKind};

/// Grid colours, cycled by grid index.
const PALETTE: [&str; 12] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46c0c0", "#f032e6", "#9a6324", "#808000", "#000075",
    "#e6a800", "#008080",
];

/// A grid's colour on the map and in the panel.
pub fn color(ix: GridIx) -> &'static str {
    PALETTE[ix % PALETTE.len()]
}

/// The map sources the editor adds.
pub const BLOCKS: &str = "edit-blocks";
/// Shared block edges.
pub const EDGES: &str = "edit-edges";

/// Everything being edited.
pub struct Model {
    /// The working copy.
    pub draft: Draft,
    /// Community code.
    pub community: String,
    /// Labels shown for grids (their code's last 3 digits, else their key), by grid index.
    pub labels: Vec<String>,
    /// Interior point of each block.
    pub points: HashMap<BlockId, (f64, f64)>,
    /// Shared edges: (edge id, block a, block b).
    pub edges: Vec<(i64, BlockId, BlockId)>,
    /// Edge indices by block.
    pub edges_of: HashMap<BlockId, Vec<usize>>,
    /// The plan in force (what a draft is based on).
    pub published: Option<i64>,
    /// The draft on the server holding this work, once saved.
    pub draft_id: Option<i64>,
    /// The draft's revision on the server.
    pub revision: Option<i64>,
    /// Every vertex of every block outline (block edges follow the roads), for snapping drawn polygons.
    pub vertices: Vec<(f64, f64)>,
    /// Block → grid key when the work was loaded (to re-apply the work onto someone else's version).
    pub base: HashMap<BlockId, String>,
    /// Building cell → the compound (block) it was divided from, to show grid boundaries inside compounds.
    pub compound_of: HashMap<BlockId, BlockId>,
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

impl Model {
    /// Build from the server's blocks and edges (GeoJSON) and a plan's grids (GeoJSON; `None`: start empty).
    pub fn new(community: &str, blocks: &Value, edges: &Value, grids: Option<&Value>) -> Self {
        let features = |fc: &Value| fc["features"].as_array().cloned().unwrap_or_default();
        let mut list = Vec::new();
        let mut adjacent = Vec::new();
        let mut points = HashMap::new();
        let mut cells_of: HashMap<BlockId, Vec<BlockId>> = HashMap::new();
        for f in features(blocks) {
            let p = &f["properties"];
            let id = p["id"].as_i64().unwrap_or_default();
            if let Some(parent) = p["parent_id"].as_i64() {
                cells_of.entry(parent).or_default().push(id);
            }
            list.push(EditBlock {
                id,
                households: num(&p["households"]) as u32,
                residents: num(&p["residents"]) as u32,
            });
            points.insert(id, (num(&p["x"]), num(&p["y"])));
            for n in p["neighbours"].as_array().into_iter().flatten().filter_map(Value::as_i64) {
                if id < n {
                    adjacent.push((id, n));
                }
            }
        }
        let mut vertices = Vec::new();
        for f in features(blocks) {
            collect_positions(&f["geometry"]["coordinates"], &mut vertices);
        }
        let mut edge_list = Vec::new();
        let mut edges_of: HashMap<BlockId, Vec<usize>> = HashMap::new();
        for f in features(edges) {
            let p = &f["properties"];
            let (id, a, b) = (
                p["id"].as_i64().unwrap_or_default(),
                p["a"].as_i64().unwrap_or_default(),
                p["b"].as_i64().unwrap_or_default(),
            );
            edges_of.entry(a).or_default().push(edge_list.len());
            edges_of.entry(b).or_default().push(edge_list.len());
            edge_list.push((id, a, b));
        }
        let mut model = Self {
            draft: Draft::new(list, adjacent),
            community: community.to_owned(),
            labels: Vec::new(),
            points,
            edges: edge_list,
            edges_of,
            vertices,
            published: None,
            draft_id: None,
            revision: None,
            base: HashMap::new(),
            compound_of: cells_of.iter().flat_map(|(parent, cells)| cells.iter().map(move |c| (*c, *parent))).collect(),
        };
        if let Some(grids) = grids {
            model.load_grids(grids, &cells_of);
        }
        model
    }

    /// Load a version's grids; a block divided since that version was drawn stands for its cells.
    fn load_grids(&mut self, grids: &Value, cells_of: &HashMap<BlockId, Vec<BlockId>>) {
        for f in grids["features"].as_array().into_iter().flatten() {
            let p = &f["properties"];
            let key = p["key"].as_str().unwrap_or_default().to_owned();
            let kind = if p["kind"] == "dedicated" { GridKind::Dedicated } else { GridKind::Natural };
            let ix = self.draft.add_grid(&key, kind);
            let label =
                p["code"].as_str().map(|c| c[c.len().saturating_sub(3)..].to_owned()).unwrap_or_else(|| key.clone());
            self.labels.push(label);
            let blocks: Vec<BlockId> = p["blocks"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_i64)
                .flat_map(|b| cells_of.get(&b).cloned().unwrap_or_else(|| vec![b]))
                .collect();
            for b in &blocks {
                self.base.insert(*b, key.clone());
            }
            self.draft.load(ix, &blocks);
        }
    }

    /// A new empty grid with a fresh key; returns its index.
    pub fn new_grid(&mut self) -> GridIx {
        let key = self.draft.fresh_key();
        self.labels.push(key.clone());
        self.draft.add_grid(&key, GridKind::Natural)
    }

    /// Block → grid key now.
    pub fn assignment(&self) -> HashMap<BlockId, String> {
        self.draft.grids().iter().flat_map(|g| g.blocks.iter().map(move |b| (*b, g.key.clone()))).collect()
    }

    /// Re-apply this work (every block whose grid differs from when it was loaded) onto `other`, a model of
    /// someone else's newer version: blocks go to the grid of the same key, created if that version lacks it.
    pub fn rebase_onto(&self, other: &mut Model) -> usize {
        let mine = self.assignment();
        let mut applied = 0;
        let mut changed: Vec<(&BlockId, &String)> = mine.iter().filter(|(b, k)| self.base.get(b) != Some(k)).collect();
        changed.sort();
        for (block, key) in changed {
            let ix = match other.draft.grids().iter().position(|g| &g.key == key) {
                Some(ix) => ix,
                None => {
                    other.labels.push(key.clone());
                    let kind = self.draft.grids().iter().find(|g| &g.key == key).map_or(GridKind::Natural, |g| g.kind);
                    other.draft.add_grid(key, kind)
                }
            };
            if other.draft.paint(&[*block], ix, 1).is_ok_and(|c| !c.blocks.is_empty()) {
                applied += 1;
            }
        }
        applied
    }

    /// The plan as the API takes it.
    pub fn body(&self) -> Value {
        let grids: Vec<GridInput> = self
            .draft
            .proposed()
            .into_iter()
            .map(|g| {
                let unit = (g.kind == GridKind::Dedicated).then(|| g.blocks.clone());
                GridInput { key: g.key, kind: g.kind, name: None, blocks: g.blocks, unit }
            })
            .collect();
        let plan = PlanInput {
            grids,
            based_on: self.published,
            note: None,
            revision: self.revision.and_then(|r| i32::try_from(r).ok()),
        };
        serde_json::to_value(plan).unwrap_or_default()
    }

    /// Blocks whose interior point lies inside `ring` (lon/lat, closed or not).
    pub fn blocks_inside(&self, ring: &[(f64, f64)]) -> Vec<BlockId> {
        let mut inside: Vec<BlockId> =
            self.points.iter().filter(|(_, p)| contains(ring, **p)).map(|(b, _)| *b).collect();
        inside.sort_unstable();
        inside
    }

    /// The feature states that show `changes` on the map: block colours and the edges that now do or do not
    /// separate two grids.
    pub fn states(&self, changes: &Changes) -> Vec<(&'static str, i64, Value)> {
        let mut out = Vec::new();
        let mut edges = Vec::new();
        for (block, _) in &changes.blocks {
            let owner = self.draft.owner(*block);
            out.push((BLOCKS, *block, json!({ "color": owner.map(color), "gap": owner.is_none() })));
            edges.extend(self.edges_of.get(block).into_iter().flatten().copied());
        }
        edges.sort_unstable();
        edges.dedup();
        for e in edges {
            let (id, a, b) = self.edges[e];
            let cut = self.draft.owner(a) != self.draft.owner(b);
            let inside = self.compound_of.get(&a).is_some_and(|c| self.compound_of.get(&b) == Some(c));
            out.push((EDGES, id, json!({ "cut": cut, "in_compound": cut && inside })));
        }
        out
    }

    /// Feature states for every block and edge (after loading).
    pub fn all_states(&self) -> Vec<(&'static str, i64, Value)> {
        let blocks: Vec<(BlockId, Option<GridIx>)> = self.points.keys().map(|b| (*b, self.draft.owner(*b))).collect();
        self.states(&Changes { blocks, grids: Default::default() })
    }
}

impl Model {
    /// The block vertex nearest to `p` within `tolerance` degrees (longitude; latitude scaled by its cosine),
    /// else `p` itself.
    pub fn snap(&self, p: (f64, f64), tolerance: f64) -> (f64, f64) {
        let k = p.1.to_radians().cos();
        let d2 = |v: &(f64, f64)| ((v.0 - p.0) * k).powi(2) + (v.1 - p.1).powi(2);
        self.vertices
            .iter()
            .filter(|v| d2(v) <= (tolerance * k).powi(2))
            .min_by(|a, b| d2(a).total_cmp(&d2(b)))
            .copied()
            .unwrap_or(p)
    }
}

fn collect_positions(v: &Value, out: &mut Vec<(f64, f64)>) {
    match v.as_array() {
        Some(a) if a.len() >= 2 && a[0].is_number() => out.push((num(&a[0]), num(&a[1]))),
        Some(a) => a.iter().for_each(|x| collect_positions(x, out)),
        None => {}
    }
}

/// Even–odd point-in-ring test.
fn contains(ring: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let (x1, y1) = ring[i];
        let (x2, y2) = ring[(i + 1) % n];
        if (y1 > y) != (y2 > y) && x < x1 + (y - y1) / (y2 - y1) * (x2 - x1) {
            inside = !inside;
        }
    }
    inside
}
