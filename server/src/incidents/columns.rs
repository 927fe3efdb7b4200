//! The columns: one vector per attribute, one position per case, ordered by report time (then id) so a time window
//! is two binary searches. Codes (areas, categories) are interned to small integers; states and channels are their
//! enum's position. A case written again is overwritten in place; a case reported earlier than the newest one kept
//! (an import of history) is appended and the columns are put back in order once the batch is in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use wangge_domain::case::workflow::{Flow, Pending};
use wangge_domain::case::{CaseState, Channel, Light};

use crate::store::incidents::IncidentRow;

/// The H3 resolutions bins come in: 5 (about 9 km across) to 11 (about 50 m).
pub const BIN_RESOLUTIONS: [h3o::Resolution; 7] = {
    use h3o::Resolution::*;
    [Five, Six, Seven, Eight, Nine, Ten, Eleven]
};
/// No code (a case outside any grid, say).
pub const NONE: u32 = u32::MAX;
/// No instant (a case without a running clock).
const NEVER: i64 = i64::MAX;
/// Flag bit: supervised (督办).
pub const SUPERVISED: u8 = 1;
/// Flag bit: urgent.
pub const URGENT: u8 = 2;
/// Flag bit: went through the district center.
pub const ESCALATED: u8 = 4;
/// Flag bit: its category lets a grid worker resolve it.
pub const SELF_RESOLVABLE: u8 = 8;
/// Flag bit: closed and rated unsatisfied by its public reporter.
pub const UNSATISFIED: u8 = 16;

/// Codes as small integers, both ways.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    index: HashMap<String, u32>,
    codes: Vec<String>,
}

impl Interner {
    /// The number of `code`, given one if new.
    pub fn intern(&mut self, code: &str) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = self.codes.len() as u32;
        self.index.insert(code.to_owned(), i);
        self.codes.push(code.to_owned());
        i
    }

    /// The number of `code`, if known.
    pub fn get(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
    }

    /// The code numbered `i`.
    pub fn code(&self, i: u32) -> &str {
        &self.codes[i as usize]
    }

    /// How many codes.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// No codes yet.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// A mark per code: whether it is one of `codes`.
    pub fn marks<'a>(&self, codes: impl IntoIterator<Item = &'a str>) -> Vec<bool> {
        let mut marks = vec![false; self.len()];
        for c in codes {
            if let Some(i) = self.get(c) {
                marks[i as usize] = true;
            }
        }
        marks
    }
}

/// The position of `v` in its enum's `ALL`.
fn ordinal<T: PartialEq + Copy>(all: &[T], v: T) -> u8 {
    all.iter().position(|&x| x == v).unwrap_or_default() as u8
}

/// Every case, column by column.
#[derive(Debug, Default, Clone)]
pub struct Columns {
    /// Case id.
    pub id: Vec<i64>,
    /// Reported at, Unix microseconds (ascending).
    pub at: Vec<i64>,
    /// Longitude.
    pub lon: Vec<f32>,
    /// Latitude.
    pub lat: Vec<f32>,
    /// H3 cells at the resolutions of [`BIN_RESOLUTIONS`] (0 when the point has none), computed once for the density
    /// bins: a bin holds exactly the points inside its hexagon (a finer cell's parent would not: H3 children do not
    /// tile their parent exactly).
    pub cells: [Vec<u64>; 7],
    /// Minor category (interned in `categories`).
    pub category: Vec<u32>,
    /// District, street, community, natural grid, dedicated grid (interned in `areas`, [`NONE`] when outside).
    pub area: [Vec<u32>; 5],
    /// Position in [`CaseState::ALL`].
    pub state: Vec<u8>,
    /// Position in [`Channel::ALL`].
    pub channel: Vec<u8>,
    /// [`SUPERVISED`], [`URGENT`], [`ESCALATED`], [`SELF_RESOLVABLE`], [`UNSATISFIED`].
    pub flags: Vec<u8>,
    /// A request waiting for a decision: 0 none, else 1 + its position in [`Pending::ALL`].
    pub pending: Vec<u8>,
    /// Lead department id (0: none).
    pub department: Vec<i64>,
    /// Co-departments, by position (few cases have any).
    pub co_departments: HashMap<u32, Vec<i64>>,
    /// Special grids at report time, by position (few cases lie in any).
    pub special: HashMap<u32, Vec<i64>>,
    /// The light turns yellow at (Unix microseconds; never without a running clock).
    pub warn: Vec<i64>,
    /// … and red at.
    pub due: Vec<i64>,
    /// Area codes.
    pub areas: Interner,
    /// Minor category codes.
    pub categories: Interner,
    /// Major class per minor category (interned in `majors`).
    pub major_of: Vec<u32>,
    /// Major class codes.
    pub majors: Interner,
    position: HashMap<i64, u32>,
    /// The first position pushed out of time order since the last sort (late rows land near the end).
    unsorted_from: Option<usize>,
    /// The newest `updated_at` seen.
    pub written_until: Option<DateTime<Utc>>,
}

impl Columns {
    /// The columns of `rows` (any order).
    pub fn from_rows(rows: Vec<IncidentRow>) -> Self {
        let mut c = Columns::default();
        c.upsert(rows);
        c
    }

    /// How many cases.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// No cases.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// Write `rows` in: known cases are overwritten, new ones added; the columns are in time order afterwards.
    pub fn upsert(&mut self, rows: Vec<IncidentRow>) {
        // The cells of the rows of cases not known before, computed first (a row repeating one of them in the same
        // batch takes its cells too, unused: it overwrites).
        let unknown: Vec<bool> = rows.iter().map(|r| !self.position.contains_key(&r.id)).collect();
        let new: Vec<&IncidentRow> = rows.iter().zip(&unknown).filter(|(_, u)| **u).map(|(r, _)| r).collect();
        let mut cells = cells_of(&new).into_iter();
        for (row, unknown) in rows.iter().zip(unknown) {
            self.written_until = self.written_until.max(Some(row.updated_at));
            let cells = if unknown { cells.next() } else { None };
            match (self.position.get(&row.id), cells) {
                (None, Some(cells)) => self.push(row, cells),
                (Some(&p), _) => self.overwrite(p as usize, row),
                (None, None) => unreachable!("a case not known before has its cells"),
            }
        }
        if let Some(from) = self.unsorted_from.take() {
            self.sort_tail(from);
        }
    }

    fn push(&mut self, row: &IncidentRow, cells: [u64; BIN_RESOLUTIONS.len()]) {
        let at = row.reported_at.timestamp_micros();
        if self.unsorted_from.is_none()
            && self.at.last().is_some_and(|&last| (last, *self.id.last().unwrap_or(&0)) > (at, row.id))
        {
            self.unsorted_from = Some(self.id.len());
        }
        self.position.insert(row.id, self.id.len() as u32);
        self.id.push(row.id);
        self.at.push(at);
        self.lon.push(row.lon as f32);
        self.lat.push(row.lat as f32);
        for (column, cell) in self.cells.iter_mut().zip(cells) {
            column.push(cell);
        }
        self.category.push(0);
        for a in &mut self.area {
            a.push(NONE);
        }
        self.state.push(0);
        self.channel.push(0);
        self.flags.push(0);
        self.pending.push(0);
        self.department.push(0);
        self.warn.push(NEVER);
        self.due.push(NEVER);
        self.overwrite(self.id.len() - 1, row);
    }

    /// Everything of a case that a write may change (the report time and place never change).
    fn overwrite(&mut self, p: usize, row: &IncidentRow) {
        let category = self.categories.intern(&row.category_code);
        if category as usize == self.major_of.len() {
            self.major_of.push(self.majors.intern(&row.major_code));
        }
        self.category[p] = category;
        let codes = [
            Some(row.district_code.as_str()),
            row.street_code.as_deref(),
            row.community_code.as_deref(),
            row.grid_code.as_deref(),
            row.dedicated_grid_code.as_deref(),
        ];
        for (column, code) in self.area.iter_mut().zip(codes) {
            column[p] = code.map_or(NONE, |c| self.areas.intern(c));
        }
        self.state[p] = row.state.parse().map_or(0, |s| ordinal(CaseState::ALL, s));
        self.channel[p] = row.channel.parse().map_or(0, |c| ordinal(Channel::ALL, c));
        self.flags[p] = [
            (row.supervised, SUPERVISED),
            (row.urgent, URGENT),
            (row.escalated, ESCALATED),
            (row.self_resolvable, SELF_RESOLVABLE),
            (row.unsatisfied, UNSATISFIED),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .fold(0, |flags, (_, bit)| flags | bit);
        self.department[p] = row.department_id.unwrap_or(0);
        if row.co_department_ids.is_empty() {
            self.co_departments.remove(&(p as u32));
        } else {
            self.co_departments.insert(p as u32, row.co_department_ids.clone());
        }
        if row.special_grid_ids.is_empty() {
            self.special.remove(&(p as u32));
        } else {
            self.special.insert(p as u32, row.special_grid_ids.clone());
        }
        self.warn[p] = row.warn_at.map_or(NEVER, |t| t.timestamp_micros());
        self.due[p] = row.due_at.map_or(NEVER, |t| t.timestamp_micros());
    }

    /// Put the columns back in time order after rows were pushed out of order from position `from` on. Only the
    /// tail from where the earliest of them belongs is re-ordered: under load several writers commit their batches
    /// a little out of report order, and re-ordering a million cases for each would cost a tenth of a second.
    fn sort_tail(&mut self, from: usize) {
        let key = |c: &Self, p: usize| (c.at[p], c.id[p]);
        let Some(earliest) = (from..self.len()).map(|p| key(self, p)).min() else { return };
        // The sorted prefix [0, from): binary search for where the earliest late row belongs.
        let (mut start, mut end) = (0, from);
        while start < end {
            let mid = (start + end) / 2;
            if key(self, mid) < earliest {
                start = mid + 1;
            } else {
                end = mid;
            }
        }
        let mut order: Vec<u32> = (start as u32..self.len() as u32).collect();
        order.sort_unstable_by_key(|&p| key(self, p as usize));
        fn take<T: Copy>(v: &mut [T], start: usize, order: &[u32]) {
            let tail: Vec<T> = order.iter().map(|&p| v[p as usize]).collect();
            v[start..].copy_from_slice(&tail);
        }
        take(&mut self.id, start, &order);
        take(&mut self.at, start, &order);
        take(&mut self.lon, start, &order);
        take(&mut self.lat, start, &order);
        for column in &mut self.cells {
            take(column, start, &order);
        }
        take(&mut self.category, start, &order);
        for a in &mut self.area {
            take(a, start, &order);
        }
        take(&mut self.state, start, &order);
        take(&mut self.channel, start, &order);
        take(&mut self.flags, start, &order);
        take(&mut self.pending, start, &order);
        take(&mut self.department, start, &order);
        take(&mut self.warn, start, &order);
        take(&mut self.due, start, &order);
        let moved: HashMap<u32, u32> = order.iter().enumerate().map(|(k, &old)| (old, (start + k) as u32)).collect();
        self.co_departments =
            self.co_departments.drain().map(|(old, d)| (moved.get(&old).copied().unwrap_or(old), d)).collect();
        self.special = self.special.drain().map(|(old, g)| (moved.get(&old).copied().unwrap_or(old), g)).collect();
        for p in start..self.len() {
            self.position.insert(self.id[p], p as u32);
        }
    }

    /// The positions of the cases reported in `[from, to)` (Unix microseconds; open ends when `None`).
    pub fn window(&self, from: Option<i64>, to: Option<i64>) -> std::ops::Range<usize> {
        let start = from.map_or(0, |f| self.at.partition_point(|&t| t < f));
        let end = to.map_or(self.len(), |t| self.at.partition_point(|&x| x < t));
        start..end.max(start)
    }

    /// The positions of cases `ids` that are kept, newest first.
    pub fn positions_of<'a>(&self, ids: impl IntoIterator<Item = &'a i64>) -> Vec<usize> {
        let mut found: Vec<usize> =
            ids.into_iter().filter_map(|id| self.position.get(id)).map(|&p| p as usize).collect();
        found.sort_unstable_by(|a, b| b.cmp(a));
        found
    }

    /// The state of the case at `p`.
    pub fn state_at(&self, p: usize) -> CaseState {
        CaseState::ALL[self.state[p] as usize]
    }

    /// The workflow state of the case at `p` (its reworks are not kept).
    pub fn flow_at(&self, p: usize) -> Flow {
        Flow {
            state: self.state_at(p),
            escalated: self.flags[p] & ESCALATED != 0,
            pending: self.pending[p].checked_sub(1).map(|i| Pending::ALL[i as usize]),
            rework: 0,
            supervised: self.flags[p] & SUPERVISED != 0,
            self_resolvable: self.flags[p] & SELF_RESOLVABLE != 0,
            unsatisfied: self.flags[p] & UNSATISFIED != 0,
        }
    }

    /// The light of the case at `p` at `now` (Unix microseconds): none without a running clock.
    pub fn light_at(&self, p: usize, now: i64) -> Option<Light> {
        Light::at((self.due[p] != NEVER).then_some(self.due[p]), Some(self.warn[p]), now)
    }

    /// Whether the case at `p` has department `d`, as lead or co-department.
    pub fn has_department(&self, p: usize, d: i64) -> bool {
        self.department[p] == d || self.co_departments.get(&(p as u32)).is_some_and(|c| c.contains(&d))
    }
}

/// Each row's H3 cells at the resolutions of [`BIN_RESOLUTIONS`] (0 where its point has none), at the stored
/// (single) precision. A large load is split over the cores: ten million cases took 35 s of one core's time.
fn cells_of(rows: &[&IncidentRow]) -> Vec<[u64; BIN_RESOLUTIONS.len()]> {
    let one = |r: &&IncidentRow| {
        let at = h3o::LatLng::new(r.lat as f32 as f64, r.lon as f32 as f64).ok();
        BIN_RESOLUTIONS.map(|res| at.map_or(0, |ll| u64::from(ll.to_cell(res))))
    };
    if rows.len() < 20_000 {
        return rows.iter().map(one).collect();
    }
    let chunk = rows.len().div_ceil(super::select::cores());
    std::thread::scope(|s| {
        let parts: Vec<_> =
            rows.chunks(chunk).map(|part| s.spawn(move || part.iter().map(one).collect::<Vec<_>>())).collect();
        parts.into_iter().flat_map(|h| h.join().expect("computing H3 cells")).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(id: i64, minute: i64, state: &str) -> IncidentRow {
        IncidentRow {
            id,
            reported_at: Utc.timestamp_opt(1_700_000_000 + minute * 60, 0).unwrap(),
            lon: 118.8,
            lat: 31.9,
            category_code: "E06001".into(),
            major_code: "E06".into(),
            district_code: "990101".into(),
            street_code: Some("990101001".into()),
            state: state.into(),
            channel: "patrol".into(),
            ..IncidentRow::default()
        }
    }

    #[test]
    fn late_rows_are_put_in_time_order_and_rewrites_stay_in_place() {
        let mut c = Columns::from_rows(vec![row(1, 10, "reported"), row(2, 20, "reported")]);
        let mut late = row(3, 5, "closed");
        late.co_department_ids = vec![7];
        c.upsert(vec![late, row(2, 20, "filed")]);
        assert_eq!(c.id, vec![3, 1, 2]);
        assert_eq!(c.state_at(2), CaseState::Filed);
        assert!(c.has_department(0, 7) && !c.has_department(1, 7));
        assert_eq!(c.window(Some((1_700_000_000 + 600) * 1_000_000), None), 1..3);
        assert_eq!(c.area[1][0], c.areas.get("990101001").unwrap());
        assert_eq!(c.area[2][0], NONE);
    }

    /// Each new case's cells are its own, whether the load is computed in one piece or over the cores, and a case
    /// written twice in one batch is stored once with its last facts.
    #[test]
    fn a_large_load_and_a_repeated_row_keep_every_case_its_own_cells() {
        let rows: Vec<IncidentRow> = (0..25_000)
            .map(|i| {
                let mut r = row(i + 1, i, "reported");
                (r.lon, r.lat) = (118.7 + (i % 500) as f64 * 4e-4, 31.8 + (i / 500) as f64 * 4e-4);
                r
            })
            .collect();
        let mut c = Columns::from_rows(rows.clone());
        c.upsert(vec![row(30_000, 1, "reported"), row(30_000, 1, "filed"), row(7, 6, "closed")]);
        assert_eq!(c.len(), 25_001);
        let cell = |lon: f64, lat: f64, res| {
            u64::from(h3o::LatLng::new(lat as f32 as f64, lon as f32 as f64).unwrap().to_cell(res))
        };
        for r in rows.iter().step_by(97).chain([&row(30_000, 1, "filed")]) {
            let p = c.position[&r.id] as usize;
            for (k, res) in BIN_RESOLUTIONS.into_iter().enumerate() {
                assert_eq!(c.cells[k][p], cell(r.lon, r.lat, res), "case {} at {res:?}", r.id);
            }
        }
        assert_eq!(c.state_at(c.position[&30_000] as usize), CaseState::Filed);
        assert_eq!(c.state_at(c.position[&7] as usize), CaseState::Closed);
    }

    #[test]
    fn batches_committed_out_of_order_end_in_time_order_with_their_facts() {
        let mut c = Columns::from_rows((1..=50).map(|i| row(i, i * 10, "closed")).collect());
        // Three writers' batches arrive out of report order, the later ones interleaved with old rows.
        let batches = [vec![(60, 700), (61, 705)], vec![(55, 505), (56, 515)], vec![(57, 3), (58, 900), (59, 606)]];
        for batch in batches {
            let rows = batch
                .iter()
                .map(|&(id, minute)| {
                    let mut r = row(id, minute, "reported");
                    r.co_department_ids = vec![id];
                    r
                })
                .collect();
            c.upsert(rows);
        }
        assert!(c.at.windows(2).all(|w| w[0] <= w[1]), "in time order");
        for (p, &id) in c.id.iter().enumerate() {
            assert_eq!(c.position[&id] as usize, p);
            let late = id >= 55;
            assert_eq!(c.has_department(p, id), late, "case {id}'s co-department follows it");
            assert_eq!(c.state_at(p), if late { CaseState::Reported } else { CaseState::Closed });
        }
        assert_eq!(c.id[0], 57);
    }
}
