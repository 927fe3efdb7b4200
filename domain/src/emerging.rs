//! Emerging hot spots (新发、加剧、持续、减弱、零星热点): is a place getting worse? The window is cut into equal time
//! slices; each slice's Gi* classes say where the hot spots were then ([`crate::hotspot`]), and the Mann–Kendall
//! test says whether a place's Gi* z-score rises or falls across the slices. The categories follow ArcGIS's
//! Emerging Hot Spot Analysis for places that are hot in the final slice: new, consecutive, intensifying,
//! persistent, diminishing, sporadic and oscillating.
//!
//! ```
//! use wangge_domain::emerging::{classify, mann_kendall, Emerging};
//! let rising = [0.5, 1.2, 1.9, 2.4, 3.1, 3.8];
//! assert!(mann_kendall(&rising).z > 1.96);
//! let hot = [true; 6];
//! assert_eq!(classify(&hot, &[false; 6], &rising), Emerging::Intensifying);
//! ```

use serde::{Deserialize, Serialize};

use crate::hotspot::normal_sf;

/// The Mann–Kendall trend test of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// S: concordant minus discordant pairs.
    pub s: i64,
    /// The normal score of S (continuity-corrected; ties accounted for).
    pub z: f64,
    /// Its two-sided p-value.
    pub p: f64,
}

/// The Mann–Kendall test of `x` in time order.
pub fn mann_kendall(x: &[f64]) -> MannKendall {
    let n = x.len();
    let mut s = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            s += match x[j].total_cmp(&x[i]) {
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
            };
        }
    }
    // Ties shrink the variance: Σ t(t−1)(2t+5) over groups of equal values.
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut k = 0;
    while k < n {
        let t = sorted[k..].iter().take_while(|v| **v == sorted[k]).count();
        let t = t as f64;
        ties += t * (t - 1.0) * (2.0 * t + 5.0);
        k += t as usize;
    }
    let nf = n as f64;
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    let z = match s {
        _ if var <= 0.0 => 0.0,
        s if s > 0 => (s as f64 - 1.0) / var.sqrt(),
        s if s < 0 => (s as f64 + 1.0) / var.sqrt(),
        _ => 0.0,
    };
    MannKendall { s, z, p: (2.0 * normal_sf(z.abs())).min(1.0) }
}

/// What a place's hot spots over time make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Emerging {
    /// Hot in the final slice only (新发).
    New,
    /// Hot in an unbroken run of final slices, never before, in less than 90 % of them (连续).
    Consecutive,
    /// Hot in at least 90 % of the slices, the final one too, and getting hotter (加剧).
    Intensifying,
    /// Hot in at least 90 % of the slices, the final one too, with no trend (持续).
    Persistent,
    /// Hot in at least 90 % of the slices, the final one too, and cooling (减弱).
    Diminishing,
    /// Hot in the final slice, on and off before, never cold (零星).
    Sporadic,
    /// Hot in the final slice, and a cold spot in some earlier one (振荡).
    Oscillating,
    /// Not hot in the final slice.
    NoPattern,
}

/// The category of a place from, per slice in time order, whether it was a hot spot and a cold spot (at 90 %
/// confidence or more) and its Gi* z-score. A trend counts when Mann–Kendall's two-sided p is under 0.05.
pub fn classify(hot: &[bool], cold: &[bool], z: &[f64]) -> Emerging {
    let n = hot.len();
    if n == 0 || !hot[n - 1] {
        return Emerging::NoPattern;
    }
    let hot_slices = hot.iter().filter(|h| **h).count();
    let before = &hot[..n - 1];
    if !before.iter().any(|h| *h) {
        return Emerging::New;
    }
    if hot_slices as f64 >= 0.9 * n as f64 {
        let trend = mann_kendall(z);
        return match trend {
            t if t.p < 0.05 && t.z > 0.0 => Emerging::Intensifying,
            t if t.p < 0.05 && t.z < 0.0 => Emerging::Diminishing,
            _ => Emerging::Persistent,
        };
    }
    let run = hot.iter().rev().take_while(|h| **h).count();
    if run >= 2 && hot_slices == run {
        return Emerging::Consecutive;
    }
    if cold.iter().any(|c| *c) {
        Emerging::Oscillating
    } else {
        Emerging::Sporadic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mann_kendall_matches_the_textbook_values() {
        // 1..5 strictly rising: S = 10, Var(S) = 5·4·15/18, Z = 9/√Var = 2.2045, p = 0.0275.
        let t = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(t.s, 10);
        assert!((t.z - 2.2045).abs() < 1e-4, "{}", t.z);
        assert!((t.p - 0.0275).abs() < 1e-4, "{}", t.p);
        // Ties: [1, 1, 2, 2, 3]: S = 8, Var = (5·4·15 − 2·(2·1·9))/18 = 14.667, Z = 7/√14.667 = 1.8278.
        let t = mann_kendall(&[1.0, 1.0, 2.0, 2.0, 3.0]);
        assert_eq!(t.s, 8);
        assert!((t.z - 1.8278).abs() < 1e-4, "{}", t.z);
        let flat = mann_kendall(&[2.0; 6]);
        assert_eq!((flat.s, flat.z, flat.p), (0, 0.0, 1.0));
        assert!(mann_kendall(&[5.0, 4.0, 3.0, 2.0, 1.0, 0.0]).z < -1.96);
    }

    #[test]
    fn each_history_gets_its_category() {
        let f = false;
        let t = true;
        let z_up = [2.0, 2.2, 2.5, 2.9, 3.3, 3.9, 4.4, 5.0, 5.5, 6.1];
        let z_down: Vec<f64> = z_up.iter().rev().copied().collect();
        let z_flat = [2.5, 2.9, 2.4, 2.8, 2.5, 2.7, 2.6, 2.9, 2.4, 2.6];
        let none = [f; 10];
        assert_eq!(classify(&[t; 10], &none, &z_up), Emerging::Intensifying);
        assert_eq!(classify(&[t; 10], &none, &z_down), Emerging::Diminishing);
        assert_eq!(classify(&[t; 10], &none, &z_flat), Emerging::Persistent);
        assert_eq!(classify(&[f, f, f, f, f, f, f, f, f, t], &none, &z_flat), Emerging::New);
        assert_eq!(classify(&[f, f, f, f, f, f, f, t, t, t], &none, &z_flat), Emerging::Consecutive);
        assert_eq!(classify(&[f, t, f, t, f, f, t, f, f, t], &none, &z_flat), Emerging::Sporadic);
        let once_cold = [t, f, f, f, f, f, f, f, f, f];
        assert_eq!(classify(&[f, t, f, t, f, f, t, f, f, t], &once_cold, &z_flat), Emerging::Oscillating);
        assert_eq!(classify(&[t, t, t, t, t, t, t, t, t, f], &none, &z_flat), Emerging::NoPattern);
    }
}
