//! Which cases a view takes, as a test per position: the viewer's areas (any of district, street, community, grid
//! codes) or department, categories (minor codes or major classes), states. The codes are turned into a mark per
//! interned code once, so the test per case is a few array reads.

use wangge_domain::case::CaseState;

use super::columns::{Columns, NONE};
use crate::store::cases::Seer;

/// Positions of cases, in order: all of a range, or those a scan picked.
#[derive(Debug)]
pub enum Positions {
    /// Every position of the range.
    All(std::ops::Range<usize>),
    /// The positions picked.
    Picked(std::vec::IntoIter<usize>),
}

impl Iterator for Positions {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Positions::All(r) => r.next(),
            Positions::Picked(p) => p.next(),
        }
    }
}

impl DoubleEndedIterator for Positions {
    fn next_back(&mut self) -> Option<usize> {
        match self {
            Positions::All(r) => r.next_back(),
            Positions::Picked(p) => p.next_back(),
        }
    }
}

/// The cases a view takes.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Whose view.
    pub seer: Seer,
    /// Minor category codes or major class codes (empty: any).
    pub categories: Vec<String>,
    /// States (empty: any).
    pub states: Vec<CaseState>,
}

impl Selection {
    /// Per interned minor category, whether the selection takes it (`None`: any category).
    fn category_marks(&self, c: &Columns) -> Option<Vec<bool>> {
        (!self.categories.is_empty()).then(|| {
            let minors = c.categories.marks(self.categories.iter().map(String::as_str));
            let majors = c.majors.marks(self.categories.iter().map(String::as_str));
            (0..c.categories.len()).map(|k| minors[k] || majors[c.major_of[k] as usize]).collect()
        })
    }

    /// The positions in `range` of the selection's categories whose point lies in `bbox` (west, south, east, north,
    /// edges included): one pass over the point columns (or the category column, without a box), split over the
    /// cores for long windows. The rest of the test is [`Selection::bind`]'s.
    pub fn candidates(&self, c: &Columns, range: std::ops::Range<usize>, bbox: Option<[f64; 4]>) -> Positions {
        if self.categories.is_empty() && bbox.is_none() {
            return Positions::All(range);
        }
        // Every category marked when any is taken; the table's length a power of two, so a masked index needs no
        // bounds check. The box in f32 with the same edges as in f64: the nearest f32 inside each edge.
        let mut marks = self.category_marks(c).unwrap_or_else(|| vec![true; c.categories.len()]);
        marks.resize(marks.len().next_power_of_two(), false);
        let mask = marks.len() - 1;
        let inward = |edge: f64, up: bool| {
            let v = edge as f32;
            match (up, f64::from(v).partial_cmp(&edge)) {
                (true, Some(std::cmp::Ordering::Less)) => v.next_up(),
                (false, Some(std::cmp::Ordering::Greater)) => v.next_down(),
                _ => v,
            }
        };
        let [w, s, e, n] = bbox.map_or([f32::NEG_INFINITY, f32::NEG_INFINITY, f32::INFINITY, f32::INFINITY], |b| {
            [inward(b[0], true), inward(b[1], true), inward(b[2], false), inward(b[3], false)]
        });
        // 64 cases at a time, as bits computed without a branch per case (a guess wrong on every tenth case costs
        // more than the test): with a box, whether each lies in it, and then the category of the few inside;
        // without, the category.
        let boxed = bbox.is_some();
        let block = |from: usize, len: usize| -> u64 {
            let mut bits = 0u64;
            if boxed {
                // A byte per case first (the compiler compares several at once), then eight bytes of 0 or 1 to
                // eight bits by one multiplication.
                let (lon, lat) = (&c.lon[from..from + len], &c.lat[from..from + len]);
                let mut inside = [0u8; 64];
                for ((out, x), y) in inside.iter_mut().zip(lon).zip(lat) {
                    *out = u8::from((*x >= w) & (*x <= e) & (*y >= s) & (*y <= n));
                }
                for (i, eight) in inside.chunks_exact(8).enumerate() {
                    let bytes = u64::from_le_bytes(eight.try_into().unwrap_or_default());
                    bits |= (bytes.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * i);
                }
            } else {
                for (j, k) in c.category[from..from + len].iter().enumerate() {
                    bits |= u64::from(marks[*k as usize & mask]) << j;
                }
            }
            bits
        };
        let scan = |part: std::ops::Range<usize>| -> Vec<usize> {
            let mut out = Vec::with_capacity(part.len() / 256);
            let mut from = part.start;
            while from < part.end {
                let len = (part.end - from).min(64);
                let mut bits = block(from, len);
                while bits != 0 {
                    let p = from + bits.trailing_zeros() as usize;
                    if !boxed || marks[c.category[p] as usize & mask] {
                        out.push(p);
                    }
                    bits &= bits - 1;
                }
                from += len;
            }
            out
        };
        // Long windows are scanned on every core, in order: the first part on this thread.
        let cores = cores();
        if range.len() < 200_000 || cores == 1 {
            return Positions::Picked(scan(range).into_iter());
        }
        let step = range.len().div_ceil(cores);
        let mut parts = (range.start..range.end).step_by(step).map(|a| a..(a + step).min(range.end));
        let first = parts.next().unwrap_or_default();
        std::thread::scope(|s| {
            let others: Vec<_> = parts.map(|part| s.spawn(move || scan(part))).collect();
            let mut picked = scan(first);
            for h in others {
                picked.extend(h.join().unwrap_or_default());
            }
            Positions::Picked(picked.into_iter())
        })
    }

    /// The test for the cases of `c`.
    pub fn bind<'a>(&'a self, c: &'a Columns) -> impl Fn(usize) -> bool + 'a {
        let areas = match &self.seer {
            Seer::Areas(codes) => Some(c.areas.marks(codes.iter().map(String::as_str))),
            Seer::Department(_) => None,
        };
        let department = match &self.seer {
            Seer::Department(d) => Some(d.unwrap_or(-1)),
            Seer::Areas(_) => None,
        };
        let categories = self.category_marks(c);
        let mut states = [self.states.is_empty(); 16];
        for s in &self.states {
            states[CaseState::ALL.iter().position(|x| x == s).unwrap_or(0)] = true;
        }
        // Cheapest and most selective first: a category set passes few cases, the areas test reads four columns.
        move |p| {
            categories.as_ref().is_none_or(|m| m[c.category[p] as usize])
                && states[c.state[p] as usize]
                && department.is_none_or(|d| c.has_department(p, d))
                && areas.as_ref().is_none_or(|m| c.area[0..4].iter().any(|col| col[p] != NONE && m[col[p] as usize]))
        }
    }
}

/// The cores to scan on, asked of the system once (each asking reads the cgroup files: on the duplicate check of
/// every report that showed in the profile).
pub(super) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::store::incidents::IncidentRow;

    #[test]
    fn candidates_are_the_cases_of_the_categories_in_the_box_edges_included() {
        // Points on a fine lattice around the box, some exactly on its edges, in two categories.
        let rows: Vec<IncidentRow> = (0..900)
            .map(|i| IncidentRow {
                id: i + 1,
                reported_at: Utc.timestamp_opt(1_700_000_000 + i * 60, 0).unwrap(),
                lon: 118.8 + (i % 30) as f64 * 1e-5,
                lat: 31.9 + (i / 30) as f64 * 1e-5,
                category_code: if i % 3 == 0 { "E06001" } else { "E06002" }.into(),
                major_code: "E06".into(),
                district_code: "990101".into(),
                state: "closed".into(),
                channel: "patrol".into(),
                ..IncidentRow::default()
            })
            .collect();
        let c = Columns::from_rows(rows);
        let edge = |p: usize| (f64::from(c.lon[p]), f64::from(c.lat[p]));
        // Edges exactly on stored points, and edges between two f32 values.
        let boxes = [
            [edge(33).0, edge(33).1, edge(52).0, edge(52 + 30 * 10).1],
            [edge(33).0 + 1e-9, edge(33).1 - 1e-9, edge(52).0 - 1e-9, edge(52 + 30 * 10).1 + 1e-9],
        ];
        for bbox in boxes {
            for categories in [vec![], vec!["E06001".to_owned()], vec!["E06".to_owned()]] {
                let selection = Selection { seer: Seer::Areas(vec![]), categories: categories.clone(), states: vec![] };
                let got: Vec<usize> = selection.candidates(&c, 0..c.len(), Some(bbox)).collect();
                let expected: Vec<usize> = (0..c.len())
                    .filter(|&p| {
                        let (x, y) = edge(p);
                        let of = categories.is_empty()
                            || categories.iter().any(|k| k == c.categories.code(c.category[p]) || k == "E06");
                        of && x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3]
                    })
                    .collect();
                assert!(!expected.is_empty());
                assert_eq!(got, expected, "{categories:?} in {bbox:?}");
            }
        }
    }
}
