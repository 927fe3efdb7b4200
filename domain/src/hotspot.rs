//! Hot spots (热点): where incidents cluster more than chance would put them. Getis–Ord Gi* over areal units (hexagon
//! bins or grids) with binary weights that include the unit itself, as PySAL esda's `G_Local(star=True)` with
//! `transform='B'`: the statistic, its expected value and variance under randomisation, the z-score and the normal
//! p-value. Units are classed as ArcGIS's Optimized Hot Spot Analysis does — hot or cold at 99, 95 or 90 %
//! confidence — with the Benjamini–Hochberg false-discovery-rate correction applied per confidence level, since
//! thousands of units are tested at once.
//!
//! ```
//! use wangge_domain::hotspot::{gi_star, HotSpotClass};
//! // Five units in a row, each the neighbour of the next; the incidents pile up at the right.
//! let counts = [0.0, 1.0, 0.0, 9.0, 12.0];
//! let neighbours = vec![vec![1], vec![0, 2], vec![1, 3], vec![2, 4], vec![3]];
//! let gi = gi_star(&counts, &neighbours);
//! assert!(gi.z[4] > gi.z[0]);
//! assert_eq!(gi.classes(true)[0], HotSpotClass::NotSignificant);
//! ```

use serde::{Deserialize, Serialize};

/// Gi* of every unit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GiStar {
    /// The statistic: the share of all incidents that fall in the unit and its neighbours.
    pub g: Vec<f64>,
    /// Its z-score under randomisation.
    pub z: Vec<f64>,
    /// The one-sided normal p-value of |z| (esda's `p_norm`).
    pub p: Vec<f64>,
}

/// Gi* of `y` (a count or rate per unit) with `neighbours[i]` the units next to unit `i` (not `i` itself).
/// Units with no incidents anywhere get z = 0 and p = 0.5.
pub fn gi_star(y: &[f64], neighbours: &[Vec<u32>]) -> GiStar {
    let n = y.len() as f64;
    let sum: f64 = y.iter().sum();
    let mean = sum / n;
    let variance = y.iter().map(|v| v * v).sum::<f64>() / n - mean * mean;
    let mut out =
        GiStar { g: Vec::with_capacity(y.len()), z: Vec::with_capacity(y.len()), p: Vec::with_capacity(y.len()) };
    for (i, near) in neighbours.iter().enumerate() {
        let local = y[i] + near.iter().map(|&j| y[j as usize]).sum::<f64>();
        let cardinality = near.len() as f64 + 1.0;
        let g = if sum > 0.0 { local / sum } else { 0.0 };
        let expected = cardinality / n;
        let var = cardinality * (n - cardinality) / (n - 1.0) / (n * n) * variance / (mean * mean);
        let z = if sum > 0.0 && var > 0.0 { (g - expected) / var.sqrt() } else { 0.0 };
        out.g.push(g);
        out.z.push(z);
        out.p.push(normal_sf(z.abs()));
    }
    out
}

/// Pseudo p-values of Gi* by conditional randomisation, as esda's `p_sim`: for each unit, `permutations` times its
/// neighbours' values are replaced by those of as many other units drawn at random (the unit keeps its own), and the
/// p-value is the share of draws at least as extreme as the observed statistic, folded to the nearer tail:
/// (min(larger, permutations − larger) + 1) ÷ (permutations + 1). One set of random draws serves every unit (as in
/// esda), skipping the unit itself, so the cost is units × permutations × neighbours additions.
pub fn gi_star_pseudo_p(y: &[f64], neighbours: &[Vec<u32>], permutations: usize, seed: u64) -> Vec<f64> {
    let n = y.len();
    let k_max = neighbours.iter().map(Vec::len).max().unwrap_or(0);
    if n < 2 || permutations == 0 {
        return vec![1.0; n];
    }
    // permutations × k_max distinct draws from 0..n-1 per row (partial Fisher–Yates with a SplitMix64 stream).
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let take = k_max.min(n - 1);
    let mut pool: Vec<u32> = (0..(n - 1) as u32).collect();
    let mut draws = Vec::with_capacity(permutations * take);
    for _ in 0..permutations {
        for j in 0..take {
            let pick = j + (next() % (n - 1 - j) as u64) as usize;
            pool.swap(j, pick);
            draws.push(pool[j]);
        }
    }
    neighbours
        .iter()
        .enumerate()
        .map(|(i, near)| {
            let k = near.len().min(take);
            let observed: f64 = near.iter().map(|&j| y[j as usize]).sum();
            let larger = draws
                .chunks_exact(take)
                .filter(|row| {
                    let drawn: f64 =
                        row[..k].iter().map(|&j| y[if (j as usize) < i { j as usize } else { j as usize + 1 }]).sum();
                    drawn >= observed
                })
                .count();
            let larger = larger.min(permutations - larger);
            (larger + 1) as f64 / (permutations + 1) as f64
        })
        .collect()
}

/// The upper tail of the standard normal distribution.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// A unit's hot-spot class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HotSpotClass {
    /// Hot spot, 99 % confidence.
    Hot99,
    /// Hot spot, 95 % confidence.
    Hot95,
    /// Hot spot, 90 % confidence.
    Hot90,
    /// Not significant.
    NotSignificant,
    /// Cold spot, 90 % confidence.
    Cold90,
    /// Cold spot, 95 % confidence.
    Cold95,
    /// Cold spot, 99 % confidence.
    Cold99,
}

/// The confidence levels, strictest first, with the two-sided p-value each needs.
const LEVELS: [(f64, HotSpotClass, HotSpotClass); 3] = [
    (0.01, HotSpotClass::Hot99, HotSpotClass::Cold99),
    (0.05, HotSpotClass::Hot95, HotSpotClass::Cold95),
    (0.10, HotSpotClass::Hot90, HotSpotClass::Cold90),
];

impl GiStar {
    /// The class of every unit: the strictest level at which it is significant (two-sided p = 2 × `p`), hot when
    /// z > 0; with `fdr`, significance at each level is decided by the Benjamini–Hochberg procedure over all units.
    pub fn classes(&self, fdr: bool) -> Vec<HotSpotClass> {
        let two_sided: Vec<f64> = self.p.iter().map(|p| (2.0 * p).min(1.0)).collect();
        let mut classes = vec![HotSpotClass::NotSignificant; self.z.len()];
        for (alpha, hot, cold) in LEVELS.iter().rev() {
            let cut = if fdr { benjamini_hochberg(&two_sided, *alpha) } else { *alpha };
            for (i, p) in two_sided.iter().enumerate() {
                if *p <= cut && self.z[i] != 0.0 {
                    classes[i] = if self.z[i] > 0.0 { *hot } else { *cold };
                }
            }
        }
        classes
    }
}

/// The largest p-value the Benjamini–Hochberg procedure accepts at false-discovery rate `q` (0 when none).
pub fn benjamini_hochberg(p: &[f64], q: f64) -> f64 {
    let mut sorted = p.to_vec();
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len() as f64;
    sorted.iter().enumerate().filter(|(k, v)| **v <= (*k as f64 + 1.0) / m * q).map(|(_, v)| *v).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5 × 5 lattice with rook neighbours.
    fn lattice() -> Vec<Vec<u32>> {
        (0..25u32)
            .map(|i| {
                let (r, c) = (i / 5, i % 5);
                let mut v = Vec::new();
                if r > 0 {
                    v.push(i - 5);
                }
                if r < 4 {
                    v.push(i + 5);
                }
                if c > 0 {
                    v.push(i - 1);
                }
                if c < 4 {
                    v.push(i + 1);
                }
                v
            })
            .collect()
    }

    #[test]
    fn a_cluster_in_a_corner_is_hot_and_the_far_corner_is_not() {
        let mut y = vec![1.0; 25];
        for i in [0, 1, 5, 6] {
            y[i] = 20.0;
        }
        let gi = gi_star(&y, &lattice());
        let classes = gi.classes(false);
        assert_eq!(classes[0], HotSpotClass::Hot99, "{:?}", gi.z);
        assert!(matches!(classes[24], HotSpotClass::NotSignificant | HotSpotClass::Cold90 | HotSpotClass::Cold95));
        assert!(gi.z[0] > 3.0 && gi.z[24] < 0.0);
    }

    #[test]
    fn the_fdr_correction_only_ever_removes_significance() {
        let y: Vec<f64> = (0..25).map(|i| ((i * 7919) % 13) as f64).collect();
        let gi = gi_star(&y, &lattice());
        let (plain, fdr) = (gi.classes(false), gi.classes(true));
        for (a, b) in plain.iter().zip(&fdr) {
            if *a == HotSpotClass::NotSignificant {
                assert_eq!(*b, HotSpotClass::NotSignificant);
            }
        }
    }

    #[test]
    fn benjamini_hochberg_accepts_the_step_up_threshold() {
        // m = 5, q = 0.05: thresholds 0.01, 0.02, 0.03, 0.04, 0.05; the largest p under its threshold is 0.03.
        assert_eq!(benjamini_hochberg(&[0.005, 0.011, 0.03, 0.2, 0.9], 0.05), 0.03);
        assert_eq!(benjamini_hochberg(&[0.5, 0.9], 0.05), 0.0);
    }

    #[test]
    fn pseudo_p_values_agree_with_the_normal_ones_where_it_matters() {
        let mut y = vec![1.0; 25];
        for i in [0, 1, 5, 6] {
            y[i] = 20.0;
        }
        let gi = gi_star(&y, &lattice());
        let p = gi_star_pseudo_p(&y, &lattice(), 999, 7);
        assert!(p[0] <= 0.01, "the hot corner: {}", p[0]);
        assert!(p.iter().all(|v| (0.001..=0.5).contains(v)), "{p:?}");
        assert_eq!(p, gi_star_pseudo_p(&y, &lattice(), 999, 7), "the same seed gives the same answer");
        for (i, (normal, pseudo)) in gi.p.iter().zip(&p).enumerate() {
            if *normal > 0.25 {
                assert!(*pseudo > 0.05, "unit {i}: far from significant by the normal p, so by the pseudo p too");
            }
        }
    }

    #[test]
    fn no_incidents_anywhere_is_not_significant() {
        let gi = gi_star(&[0.0; 25], &lattice());
        assert!(gi.classes(true).iter().all(|c| *c == HotSpotClass::NotSignificant));
    }
}
