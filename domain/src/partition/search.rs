//! Improving a plan: greedy single-block moves, and simulated annealing over moves and swaps.

use std::collections::VecDeque;
use std::time::Instant;

use super::graph::{pick, rng};
use super::objective::Objective;
use super::state::State;

/// Move single boundary blocks while that lowers the objective and keeps the donor grid in one piece; starts from
/// `start` and re-examines the neighbours of every block that moves. Returns the objective change.
pub(super) fn local_search(st: &mut State<'_>, obj: &Objective, start: &[usize], deadline: Instant) -> f64 {
    let change = polish(st, obj, start, deadline);
    st.commit();
    change
}

/// [`local_search`] without committing: the moves stay in the state's log, to be kept or undone as a whole.
pub(super) fn polish(st: &mut State<'_>, obj: &Objective, start: &[usize], deadline: Instant) -> f64 {
    let g = st.g;
    let mut total = 0.0;
    let mut queued = vec![false; st.owner.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &v in start {
        if !queued[v] {
            queued[v] = true;
            queue.push_back(v);
        }
    }
    let mut steps = 0usize;
    while let Some(v) = queue.pop_front() {
        queued[v] = false;
        steps += 1;
        if steps.is_multiple_of(CLOCK_EVERY) && Instant::now() > deadline {
            break;
        }
        let a = st.owner[v];
        if st.fixed[v] || st.members[a].len() <= 1 {
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        for &(u, _) in &g.nb[v] {
            let b = st.owner[u];
            if b == a || b < st.fixed_regions {
                continue;
            }
            let delta = st.delta(obj, v, a, b);
            if delta < -1e-12 && best.is_none_or(|(d, _)| delta < d) {
                best = Some((delta, b));
            }
        }
        let Some((d, b)) = best else { continue };
        if !st.stays_connected(a, v) {
            continue;
        }
        st.move_block(v, a, b);
        total += d;
        for &(u, _) in &g.nb[v] {
            if !queued[u] {
                queued[u] = true;
                queue.push_back(u);
            }
        }
    }
    total
}

/// A cooling schedule: `steps` attempts, the temperature falling geometrically from `hot` to `cold` — by attempts
/// made, or by time spent towards `deadline` when that is further along, so that a search cut short by the
/// deadline still ends cold.
#[derive(Debug, Clone, Copy)]
pub(super) struct Schedule {
    pub steps: usize,
    pub hot: f64,
    pub cold: f64,
    pub deadline: Instant,
}

impl Schedule {
    /// Temperature after `step` attempts, given the share of the time budget already spent.
    fn temperature(&self, step: usize, time_spent: f64) -> f64 {
        let progress = (step as f64 / self.steps as f64).max(time_spent).min(1.0);
        self.hot * (self.cold / self.hot).powf(progress)
    }
}

/// Attempts between two looks at the clock.
const CLOCK_EVERY: usize = 4096;

/// Share of attempts that swap two neighbouring blocks across a border instead of moving one.
const SWAP_SHARE: f64 = 0.3;

/// Simulated annealing: pick a block and a neighbour in another grid; move the block into that grid, or (sometimes)
/// swap the two. A change is kept when it lowers the objective, or with probability `exp(−Δ/T)` when it raises it,
/// and never when it would break a grid in two. Returns the objective change.
pub(super) fn anneal(st: &mut State<'_>, obj: &Objective, schedule: Schedule, rs: &mut u64) -> f64 {
    let g = st.g;
    let movable: Vec<usize> = (0..st.owner.len()).filter(|&v| !st.fixed[v] && !g.nb[v].is_empty()).collect();
    if movable.is_empty() || schedule.steps == 0 {
        return 0.0;
    }
    let began = Instant::now();
    let budget = schedule.deadline.saturating_duration_since(began).as_secs_f64().max(1e-9);
    let mut temperature = schedule.hot;
    let mut total = 0.0;
    for step in 0..schedule.steps {
        if step.is_multiple_of(CLOCK_EVERY) {
            let spent = began.elapsed().as_secs_f64() / budget;
            if spent >= 1.0 {
                break;
            }
            temperature = schedule.temperature(step, spent);
        }
        let v = movable[pick(rs, movable.len())];
        let (u, _) = g.nb[v][pick(rs, g.nb[v].len())];
        let (a, b) = (st.owner[v], st.owner[u]);
        if a == b || b < st.fixed_regions || st.members[a].len() <= 1 {
            continue;
        }
        let accept = |d: f64, rs: &mut u64| d <= 0.0 || rng(rs) < (-d / temperature).exp();
        let swap = !st.fixed[u] && st.members[b].len() > 1 && rng(rs) < SWAP_SHARE;
        let mut d = st.delta(obj, v, a, b);
        if !swap {
            if accept(d, rs) && st.stays_connected(a, v) {
                st.move_block(v, a, b);
                st.commit();
                total += d;
            }
            continue;
        }
        if !st.stays_connected(a, v) {
            continue;
        }
        st.move_block(v, a, b);
        d += st.delta(obj, u, b, a);
        let joins_a = g.nb[u].iter().any(|&(w, _)| st.owner[w] == a);
        if joins_a && accept(d, rs) && st.stays_connected(b, u) {
            st.move_block(u, b, a);
            st.commit();
            total += d;
        } else {
            st.undo();
            st.commit();
        }
    }
    total
}
