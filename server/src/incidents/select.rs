//! Which cases a view takes, as a test per position: the viewer's areas (any of district, street, community, grid
//! codes) or department, categories (minor codes or major classes), states. The codes are turned into a mark per
//! interned code once, so the test per case is a few array reads.

use wangge_domain::case::CaseState;

use super::columns::{Columns, NONE};
use crate::store::cases::Seer;

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
    /// The positions in `range` that can pass: with categories, those of the categories (one tight pass over the
    /// category column, split over the cores for long windows), else all of them.
    pub fn candidates(&self, c: &Columns, range: std::ops::Range<usize>) -> Vec<usize> {
        if self.categories.is_empty() {
            return range.collect();
        }
        let wanted: Vec<u32> = self
            .categories
            .iter()
            .flat_map(|code| {
                let major = c.majors.get(code);
                (0..c.categories.len() as u32)
                    .filter(move |&k| c.categories.get(code) == Some(k) || major == Some(c.major_of[k as usize]))
            })
            .collect();
        let mut marks = vec![false; c.categories.len()];
        for k in wanted {
            marks[k as usize] = true;
        }
        let scan = |part: std::ops::Range<usize>| -> Vec<usize> {
            let start = part.start;
            c.category[part]
                .iter()
                .enumerate()
                .filter(|(_, k)| marks.get(**k as usize).copied().unwrap_or(false))
                .map(|(i, _)| start + i)
                .collect()
        };
        // Long windows are scanned on every core, in order.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if range.len() < 1_000_000 || cores == 1 {
            return scan(range);
        }
        let step = range.len().div_ceil(cores);
        std::thread::scope(|s| {
            let parts: Vec<_> = (range.start..range.end)
                .step_by(step)
                .map(|a| {
                    let part = a..(a + step).min(range.end);
                    s.spawn(move || scan(part))
                })
                .collect();
            parts.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
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
        let categories = (!self.categories.is_empty()).then(|| {
            let (minors, majors) = (
                c.categories.marks(self.categories.iter().map(String::as_str)),
                c.majors.marks(self.categories.iter().map(String::as_str)),
            );
            (0..c.categories.len()).map(|k| minors[k] || majors[c.major_of[k] as usize]).collect::<Vec<bool>>()
        });
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
