//! Incident density from the columns. Every case's H3 cells (one per bin resolution) are computed once, when it is
//! read; a view's bins are counted in one pass over the time window, reading the cells of the resolution the zoom
//! asks for. Areas (street, community, grid at report time) are counted the same way, with the window of
//! the same length just before for the change. Hot spots test the bins with incidents and the empty bins around
//! them (the study area is where incidents are, plus one ring) with Gi* and the FDR-corrected classes; emerging hot
//! spots do so per time slice and class each place by its history. Repeat places are the (category, cell) pairs
//! reported again and again.

use std::collections::HashMap;

use h3o::{CellIndex, Resolution};
use wangge_api::density::{AreaLevel, Bin, Bins, CompareBin, EmergingBin, RepeatPlace};
use wangge_domain::emerging::{classify, mann_kendall, Emerging};
use wangge_domain::hotspot::{gi_star, HotSpotClass};

use super::columns::{Columns, BIN_RESOLUTIONS, NONE};
use super::select::{Positions, Selection};

/// What to count: who looks, which cases, when and where.
#[derive(Debug, Clone)]
pub struct Query {
    /// Which cases (viewer, categories, states).
    pub selection: Selection,
    /// Reported from (Unix microseconds).
    pub from: i64,
    /// Reported before.
    pub to: i64,
    /// West, south, east, north (`None`: anywhere).
    pub bbox: Option<[f64; 4]>,
}

impl Query {
    /// The positions in `window` of the query's categories and box (the rest of the test is its selection's).
    fn positions(&self, c: &Columns, window: std::ops::Range<usize>) -> Positions {
        self.selection.candidates(c, window, self.bbox)
    }

    /// The positions of the query's window, categories and box.
    fn candidates(&self, c: &Columns) -> Positions {
        self.positions(c, c.window(Some(self.from), Some(self.to)))
    }
}

/// The bins of `q` at `resolution`: (cell, incidents), and how many incidents were counted.
pub fn bins(c: &Columns, q: &Query, resolution: Resolution) -> (Vec<(CellIndex, u32)>, u64) {
    let keeps = q.selection.bind(c);
    let Some(cells) = BIN_RESOLUTIONS.iter().position(|r| *r == resolution).map(|i| &c.cells[i]) else {
        return (Vec::new(), 0);
    };
    let mut counts: HashMap<u64, u32> = HashMap::new();
    let mut total = 0;
    for p in q.candidates(c) {
        if !keeps(p) || cells[p] == 0 {
            continue;
        }
        *counts.entry(cells[p]).or_default() += 1;
        total += 1;
    }
    let mut out: Vec<(CellIndex, u32)> =
        counts.into_iter().filter_map(|(k, n)| Some((CellIndex::try_from(k).ok()?, n))).collect();
    out.sort_unstable_by_key(|(cell, _)| u64::from(*cell));
    (out, total)
}

/// The bins as the API sends them (with their hexagons).
pub fn answer(binned: &[(CellIndex, u32)], total: u64, resolution: Resolution) -> Bins {
    Bins {
        resolution: u8::from(resolution),
        total,
        bins: binned.iter().map(|(cell, n)| bin(*cell, *n, None)).collect(),
    }
}

fn bin(cell: CellIndex, count: u32, hot: Option<(f64, f64, wangge_domain::hotspot::HotSpotClass)>) -> Bin {
    Bin {
        cell: cell.to_string(),
        count,
        z: hot.map(|h| h.0),
        p: hot.map(|h| h.1),
        class: hot.map(|h| h.2),
        boundary: cell.boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect(),
    }
}

/// The units hot spots are tested over: the cells with incidents and the empty ring around them (the study area is
/// where incidents are, plus one ring), each with its neighbours (the six cells around it that are in the area).
struct Study {
    cells: Vec<CellIndex>,
    index: HashMap<CellIndex, usize>,
    neighbours: Vec<Vec<u32>>,
}

impl Study {
    fn around(with_incidents: impl IntoIterator<Item = CellIndex>) -> Self {
        let mut index: HashMap<CellIndex, usize> = HashMap::new();
        let mut cells: Vec<CellIndex> = Vec::new();
        let mut add = |cell: CellIndex, cells: &mut Vec<CellIndex>| {
            if let std::collections::hash_map::Entry::Vacant(e) = index.entry(cell) {
                e.insert(cells.len());
                cells.push(cell);
            }
        };
        let found: Vec<CellIndex> = with_incidents.into_iter().collect();
        for cell in &found {
            add(*cell, &mut cells);
        }
        for cell in &found {
            for near in cell.grid_disk::<Vec<_>>(1) {
                add(near, &mut cells);
            }
        }
        let neighbours = cells
            .iter()
            .map(|cell| {
                cell.grid_disk::<Vec<_>>(1)
                    .into_iter()
                    .filter(|n| n != cell)
                    .filter_map(|n| index.get(&n).map(|&i| i as u32))
                    .collect()
            })
            .collect();
        Self { cells, index, neighbours }
    }

    /// The counts of `binned` per unit (0 for the ring).
    fn counts(&self, binned: &[(CellIndex, u32)]) -> Vec<f64> {
        let mut y = vec![0.0; self.cells.len()];
        for (cell, n) in binned {
            if let Some(&i) = self.index.get(cell) {
                y[i] = *n as f64;
            }
        }
        y
    }
}

/// Hot spots over `binned`: the bins and the empty ring around them, each with its Gi* (neighbours: the six cells
/// around it) and class.
pub fn hotspots(binned: &[(CellIndex, u32)], total: u64, resolution: Resolution) -> Bins {
    let study = Study::around(binned.iter().map(|(c, _)| *c));
    let y = study.counts(binned);
    let gi = gi_star(&y, &study.neighbours);
    let classes = gi.classes(true);
    Bins {
        resolution: u8::from(resolution),
        total,
        bins: study
            .cells
            .iter()
            .enumerate()
            .map(|(i, cell)| bin(*cell, y[i] as u32, Some((gi.z[i], gi.p[i], classes[i]))))
            .collect(),
    }
}

/// Emerging hot spots of `q` cut into `slices` equal time slices, as ArcGIS's space-time cube does it: every (cell,
/// slice) is a unit, its neighbours the cells around it in the same slice and, one time step back, the cell and
/// the cells around it in the slice before; one Gi* over the whole cube (so a slice with more incidents than the
/// others scores higher), FDR-corrected over the cube. Each cell hot in the final slice is then classed by its
/// history and the Mann–Kendall trend of its z-scores; cells of no pattern are left out. The units are the cells
/// with incidents in any slice and the ring around them. Also the slices' bounds (Unix microseconds).
pub fn emerging(c: &Columns, q: &Query, resolution: Resolution, slices: usize) -> (Vec<EmergingBin>, Vec<(i64, i64)>) {
    let width = (q.to - q.from) / slices as i64;
    let bounds: Vec<(i64, i64)> = (0..slices as i64)
        .map(|k| (q.from + k * width, if k + 1 == slices as i64 { q.to } else { q.from + (k + 1) * width }))
        .collect();
    let per_slice: Vec<Vec<(CellIndex, u32)>> =
        bounds.iter().map(|&(from, to)| bins(c, &Query { from, to, ..q.clone() }, resolution).0).collect();
    let study = Study::around(per_slice.iter().flatten().map(|(cell, _)| *cell));
    let n = study.cells.len();
    let unit = |slice: usize, i: usize| (slice * n + i) as u32;
    let y: Vec<f64> = per_slice.iter().flat_map(|binned| study.counts(binned)).collect();
    let neighbours: Vec<Vec<u32>> = (0..slices)
        .flat_map(|k| (0..n).map(move |i| (k, i)))
        .map(|(k, i)| {
            let around = study.neighbours[i].iter().map(|&j| j as usize);
            let mut near: Vec<u32> = around.clone().map(|j| unit(k, j)).collect();
            if k > 0 {
                near.push(unit(k - 1, i));
                near.extend(around.map(|j| unit(k - 1, j)));
            }
            near
        })
        .collect();
    let gi = gi_star(&y, &neighbours);
    let classes = gi.classes(true);
    let series = |i: usize, f: &dyn Fn(usize) -> bool| (0..slices).map(|k| f(unit(k, i) as usize)).collect::<Vec<_>>();
    let hot_at = |u: usize| matches!(classes[u], HotSpotClass::Hot99 | HotSpotClass::Hot95 | HotSpotClass::Hot90);
    let cold_at = |u: usize| matches!(classes[u], HotSpotClass::Cold99 | HotSpotClass::Cold95 | HotSpotClass::Cold90);
    let found = (0..n)
        .filter_map(|i| {
            let z: Vec<f64> = (0..slices).map(|k| gi.z[unit(k, i) as usize]).collect();
            let class = classify(&series(i, &hot_at), &series(i, &cold_at), &z);
            (class != Emerging::NoPattern).then(|| {
                let trend = mann_kendall(&z);
                let cell = study.cells[i];
                EmergingBin {
                    cell: cell.to_string(),
                    class,
                    counts: (0..slices).map(|k| y[unit(k, i) as usize] as u32).collect(),
                    z,
                    trend_z: trend.z,
                    trend_p: trend.p,
                    boundary: cell.boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect(),
                }
            })
        })
        .collect();
    (found, bounds)
}

/// The positions of `q`'s cases (its bbox required), newest first: at most `limit`, and how many in all (the heat
/// surface where the map zooms past the bins).
pub fn points(c: &Columns, q: &Query, limit: usize) -> (Vec<(f32, f32)>, usize) {
    let keeps = q.selection.bind(c);
    let mut out = Vec::new();
    let mut total = 0;
    for p in q.candidates(c).rev() {
        if keeps(p) {
            if out.len() < limit {
                out.push((c.lon[p], c.lat[p]));
            }
            total += 1;
        }
    }
    (out, total)
}

/// The bins of `q` and of the window of the same length just before it: (bins, total, total before).
pub fn compare(c: &Columns, q: &Query, resolution: Resolution) -> (Vec<CompareBin>, u64, u64) {
    let length = q.to - q.from;
    let (now, total) = bins(c, q, resolution);
    let (before, previous_total) = bins(c, &Query { from: q.from - length, to: q.from, ..q.clone() }, resolution);
    let mut both: HashMap<CellIndex, (u32, u32)> = now.into_iter().map(|(cell, n)| (cell, (n, 0))).collect();
    for (cell, n) in before {
        both.entry(cell).or_default().1 = n;
    }
    let mut out: Vec<CompareBin> = both
        .into_iter()
        .map(|(cell, (count, previous))| CompareBin {
            cell: cell.to_string(),
            count,
            previous,
            boundary: cell.boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect(),
        })
        .collect();
    out.sort_unstable_by(|a, b| a.cell.cmp(&b.cell));
    (out, total, previous_total)
}

/// Where the cases of a click lie: a hexagon, or an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// An H3 cell of one of the bin resolutions.
    Cell(CellIndex),
    /// A street, community, natural or dedicated grid (by code) or a special grid (by id).
    Area(AreaLevel, String),
}

/// The column of the area codes at `level` (none for special grids, which a case may lie in several of).
fn area_column(c: &Columns, level: AreaLevel) -> Option<&Vec<u32>> {
    match level {
        AreaLevel::Street => Some(&c.area[1]),
        AreaLevel::Community => Some(&c.area[2]),
        AreaLevel::Grid => Some(&c.area[3]),
        AreaLevel::Dedicated => Some(&c.area[4]),
        AreaLevel::Special => None,
    }
}

/// The cases of `q` at `place`, newest first: at most `limit` ids, and how many in all.
pub fn cases_at(c: &Columns, q: &Query, place: &Place, limit: usize) -> (Vec<i64>, usize) {
    let lies: Box<dyn Fn(usize) -> bool + '_> = match place {
        Place::Cell(cell) => {
            let Some(cells) = BIN_RESOLUTIONS.iter().position(|r| *r == cell.resolution()).map(|i| &c.cells[i]) else {
                return (Vec::new(), 0);
            };
            let wanted = u64::from(*cell);
            Box::new(move |p| cells[p] == wanted)
        }
        Place::Area(level, code) => match area_column(c, *level) {
            Some(column) => {
                let Some(wanted) = c.areas.get(code) else { return (Vec::new(), 0) };
                Box::new(move |p| column[p] == wanted)
            }
            None => {
                let Ok(id) = code.parse::<i64>() else { return (Vec::new(), 0) };
                Box::new(move |p| c.special.get(&(p as u32)).is_some_and(|ids| ids.contains(&id)))
            }
        },
    };
    let keeps = q.selection.bind(c);
    let mut ids = Vec::new();
    let mut total = 0;
    for p in q.candidates(c).rev() {
        if lies(p) && keeps(p) {
            if ids.len() < limit {
                ids.push(c.id[p]);
            }
            total += 1;
        }
    }
    (ids, total)
}

/// The cases of `q` per major class and interval, the intervals starting at `starts` (the last one ends at
/// `q.to`): (major class code, counts), most cases first.
pub fn series(c: &Columns, q: &Query, starts: &[i64]) -> Vec<(String, Vec<u32>)> {
    let keeps = q.selection.bind(c);
    let mut per_major: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in q.candidates(c) {
        if !keeps(p) {
            continue;
        }
        let k = starts.partition_point(|&s| s <= c.at[p]).saturating_sub(1);
        let major = c.major_of[c.category[p] as usize];
        per_major.entry(major).or_insert_with(|| vec![0; starts.len()])[k] += 1;
    }
    let mut out: Vec<(String, Vec<u32>)> =
        per_major.into_iter().map(|(m, counts)| (c.majors.code(m).to_owned(), counts)).collect();
    out.sort_unstable_by(|a, b| b.1.iter().sum::<u32>().cmp(&a.1.iter().sum::<u32>()).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Incidents per area code at `level`, in the window and in the window of the same length before it.
pub fn by_area(c: &Columns, q: &Query, level: AreaLevel) -> Vec<(String, u64, u64)> {
    /// An area: an interned code, or a special grid's id.
    #[derive(Hash, PartialEq, Eq)]
    enum Key {
        Code(u32),
        Special(i64),
    }
    let column = area_column(c, level);
    let keeps = q.selection.bind(c);
    let length = q.to - q.from;
    let mut counts: HashMap<Key, (u64, u64)> = HashMap::new();
    let mut count = |key: Key, now: bool| {
        let entry = counts.entry(key).or_default();
        if now {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    };
    for (window, now) in
        [(c.window(Some(q.from), Some(q.to)), true), (c.window(Some(q.from - length), Some(q.from)), false)]
    {
        for p in q.positions(c, window) {
            if !keeps(p) {
                continue;
            }
            match column {
                Some(col) if col[p] != NONE => count(Key::Code(col[p]), now),
                Some(_) => {}
                None => {
                    for id in c.special.get(&(p as u32)).into_iter().flatten() {
                        count(Key::Special(*id), now);
                    }
                }
            }
        }
    }
    let mut out: Vec<(String, u64, u64)> = counts
        .into_iter()
        .map(|(key, (n, before))| {
            let code = match key {
                Key::Code(a) => c.areas.code(a).to_owned(),
                Key::Special(id) => id.to_string(),
            };
            (code, n, before)
        })
        .collect();
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Places where the same minor category was reported at least `min` times in the window: (category, cell) pairs
/// at `resolution` (10: about 65 m across), most reports first, each with its newest case ids.
pub fn repeats(c: &Columns, q: &Query, resolution: Resolution, min: u32) -> Vec<RepeatPlace> {
    let keeps = q.selection.bind(c);
    let Some(cells) = BIN_RESOLUTIONS.iter().position(|r| *r == resolution).map(|i| &c.cells[i]) else {
        return Vec::new();
    };
    let mut places: HashMap<(u32, u64), Vec<i64>> = HashMap::new();
    for p in q.candidates(c).rev() {
        if cells[p] == 0 || !keeps(p) {
            continue;
        }
        places.entry((c.category[p], cells[p])).or_default().push(c.id[p]);
    }
    let mut out: Vec<RepeatPlace> = places
        .into_iter()
        .filter(|(_, ids)| ids.len() as u32 >= min)
        .filter_map(|((k, cell), ids)| {
            let cell = CellIndex::try_from(cell).ok()?;
            let centre = h3o::LatLng::from(cell);
            Some(RepeatPlace {
                category: c.categories.code(k).to_owned(),
                cell: cell.to_string(),
                at: (centre.lng(), centre.lat()),
                count: ids.len() as u32,
                case_ids: ids.into_iter().take(20).collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cell.cmp(&b.cell)));
    out
}
