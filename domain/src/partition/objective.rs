//! What a plan is scored by (lower is better): household balance first, then compactness, then cut length.

/// Scores one grid's households against the band and its shape, and prices the boundaries between grids.
#[derive(Debug, Clone, Copy)]
pub(super) struct Objective {
    /// Target households per grid.
    pub target: f64,
    /// Tolerance of the band (0.10 = ±10 %).
    pub tolerance: f64,
    /// Cost per unit of boundary between two grids.
    pub cut_weight: f64,
    /// Step in the cost of a grid outside half the band: [`SEARCH_HALF_STEP`] while the search shapes the plan,
    /// [`FINAL_HALF_STEP`] in the final rounds for the grids still outside.
    pub half_step: f64,
}

/// Cost of each further grid a compound is divided between: about a moderate change of shape, less than half the
/// cost of a grid stepping outside half the band, so compounds are cut for balance and seldom for a neater outline.
/// (On the real central Nanjing graph, 12 keeps 97.9 % of grids within ±5 %; 40 cut no fewer compounds there and
/// left 89.6 % within ±5 %: its compounds are cut for balance.)
pub(super) const COMPOUND_SPLIT: f64 = 12.0;

/// Cost of a grid outside the band: a step (a grid just outside would otherwise cost less than a neater shape
/// gains), plus a square per fraction of the target beyond it, so steep that no amount of compactness pays for it.
const OUTSIDE_BAND_STEP: f64 = 1e3;
const OUTSIDE_BAND: f64 = 1e5;
/// Cost of a grid outside half the band (±5 % by default): a step, so that the search counts such grids, plus a
/// slope and a square that pull it back. While the search shapes the plan the step is small (a grid just outside
/// half the band weighs about as much as a 2 × 1 rectangle's shape beyond a square's), so compactness is not given
/// away for balance the final rounds can still find ...
pub(super) const SEARCH_HALF_STEP: f64 = 25.0;
/// ... and in the final rounds, which redivide and recombine only round the grids still outside half the band, it is
/// ten times that: there a less neat outline is worth a grid inside ±5 %. (One weight for both left either lattices
/// at Polsby–Popper 0.53 or lumpy compound districts at 84 % within ±5 %.)
pub(super) const FINAL_HALF_STEP: f64 = 100.0;
const OUTSIDE_HALF_BAND_SQUARE: f64 = 1e4;
/// Weight of a grid's shape, `1 − Polsby–Popper`: a grid going from a square to a 2 × 1 rectangle costs about as
/// much as stepping just outside half the band.
const SHAPE: f64 = 200.0;

impl Objective {
    /// Cost of a grid of `households`.
    pub fn balance(&self, households: f64) -> f64 {
        let d = ((households - self.target) / self.target).abs();
        let outside = (d - self.tolerance).max(0.0);
        let outside_half = d - self.tolerance * 0.5;
        let half = if outside_half > 0.0 {
            self.half_step * (1.0 + outside_half / self.tolerance)
                + OUTSIDE_HALF_BAND_SQUARE * outside_half * outside_half
        } else {
            0.0
        };
        let step = if outside > 0.0 { OUTSIDE_BAND_STEP } else { 0.0 };
        step + OUTSIDE_BAND * outside * outside + half + d * d
    }

    /// Cost of a grid's shape from its area and perimeter.
    pub fn shape(area: f64, perimeter: f64) -> f64 {
        if area > 0.0 && perimeter > 0.0 {
            SHAPE * (1.0 - polsby_popper(area, perimeter))
        } else {
            0.0
        }
    }

    /// Cost of a grid.
    pub fn region(&self, households: f64, area: f64, perimeter: f64) -> f64 {
        self.balance(households) + Self::shape(area, perimeter)
    }
}

/// Polsby–Popper compactness `4πA / P²`: 1 for a disc, about 0.785 for a square.
pub(super) fn polsby_popper(area: f64, perimeter: f64) -> f64 {
    if perimeter > 0.0 {
        4.0 * std::f64::consts::PI * area / (perimeter * perimeter)
    } else {
        0.0
    }
}
