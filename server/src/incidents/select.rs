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
