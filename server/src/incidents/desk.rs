//! The case desk's list answered from the columns: one pass over the cases in the time window, newest first,
//! counting the open cases per state and per light and collecting the ids of the page asked for. The rows of the
//! page are then read from the database by id. A text search is answered by the database's trigram index first;
//! its ids then pass through the same filters here. An inbox ("waiting for me") asks the workflow table, once per
//! kind of case (state, request, flags), whether the person may move it on.

use std::collections::HashSet;

use wangge_domain::access::Role;
use wangge_domain::case::workflow::{is_my_turn, Actor};
use wangge_domain::case::{CaseState, Light};

use super::columns::{Columns, NONE, SUPERVISED};
use super::select::Selection;
use crate::store::cases::{Filter, Seer};

/// What the desk shows besides the rows: counts and the page's ids, newest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeskAnswer {
    /// Cases matching every filter.
    pub total: i64,
    /// Open cases matching the filters other than state and light, per state.
    pub by_state: Vec<(CaseState, i64)>,
    /// Open cases matching the filters other than the light, per light.
    pub by_light: Vec<(Light, i64)>,
    /// The page's case ids, newest first.
    pub ids: Vec<i64>,
}

/// Whether cases wait for `actor`, remembered per kind of case (state, request, flags, lead department or not).
struct Inbox {
    actor: Actor,
    department: Option<i64>,
    known: Vec<Option<bool>>,
}

impl Inbox {
    fn new(actor: Actor, department: Option<i64>) -> Self {
        Self { actor, department, known: vec![None; 16 * 4 * 16 * 2] }
    }

    fn holds(&mut self, c: &Columns, p: usize) -> bool {
        if c.state_at(p).is_terminal() {
            return false;
        }
        let lead = self.actor.role == Role::DepartmentHandler && self.department == Some(c.department[p]);
        let kind = ((c.state[p] as usize * 4 + c.pending[p] as usize) * 16 + (c.flags[p] & 15) as usize) * 2
            + usize::from(lead);
        *self.known[kind].get_or_insert_with(|| {
            is_my_turn(&c.flow_at(p), &Actor { case_department: lead, handled_it: false, ..self.actor })
        })
    }
}

/// The desk's answer for `seer` with `f` at `now` (Unix microseconds); `only`: the cases a text search found (its
/// `text` is not read here).
pub fn answer(c: &Columns, seer: &Seer, f: &Filter, only: Option<&HashSet<i64>>, now: i64) -> DeskAnswer {
    let department = match seer {
        Seer::Department(d) => Some(d.unwrap_or(-1)),
        Seer::Areas(_) => None,
    };
    let selection =
        Selection { seer: seer.clone(), categories: f.category.iter().cloned().collect(), states: Vec::new() };
    let selected = selection.bind(c);
    let area = f.area.as_deref().map(|a| c.areas.marks([a]));
    let channel =
        f.channel.map(|ch| wangge_domain::case::Channel::ALL.iter().position(|&x| x == ch).unwrap_or(0) as u8);
    let mut states = [f.states.is_empty(); 16];
    for s in &f.states {
        states[CaseState::ALL.iter().position(|x| x == s).unwrap_or(0)] = true;
    }
    let in_area = |marks: &[bool], p: usize| c.area[1..4].iter().any(|col| col[p] != NONE && marks[col[p] as usize]);
    let mut inbox = f.turn.map(|actor| Inbox::new(actor, department));
    let range = c.window(f.from.map(|t| t.timestamp_micros()), f.to.map(|t| t.timestamp_micros()));
    let (mut by_state, mut by_light) = ([0i64; 16], [0i64; 3]);
    let mut out = DeskAnswer::default();
    let (first, last) = (f.offset.max(0), f.offset.max(0) + f.limit.max(0));
    // A text search names its cases: visit only those (newest first), else every case in the window.
    let positions: Box<dyn Iterator<Item = usize>> = match only {
        Some(ids) => Box::new(c.positions_of(ids).into_iter().filter(move |p| range.contains(p))),
        None => Box::new(range.rev()),
    };
    for p in positions {
        if !selected(p)
            || area.as_ref().is_some_and(|marks| !in_area(marks, p))
            || channel.is_some_and(|ch| c.channel[p] != ch)
            || (f.supervised && c.flags[p] & SUPERVISED == 0)
            || inbox.as_mut().is_some_and(|i| !i.holds(c, p))
        {
            continue;
        }
        let state = c.state[p] as usize;
        let light = c.light_at(p, now);
        let open = !c.state_at(p).is_terminal();
        if open {
            by_state[state] += 1;
            if states[state] {
                if let Some(l) = light {
                    by_light[l as usize] += 1;
                }
            }
        }
        if states[state] && f.light.is_none_or(|want| light == Some(want)) {
            if (first..last).contains(&out.total) {
                out.ids.push(c.id[p]);
            }
            out.total += 1;
        }
    }
    out.by_state = CaseState::ALL.iter().zip(by_state).filter(|(_, n)| *n > 0).map(|(s, n)| (*s, n)).collect();
    out.by_light = Light::ALL.iter().zip(by_light).filter(|(_, n)| *n > 0).map(|(l, n)| (*l, n)).collect();
    out
}
