//! `hotspot::gi_star` against PySAL esda's `G_Local(star=True, transform='B')` on the same counts and weights
//! (the fixture and the script that wrote it: `bench/gi_star_fixture.py`).

use serde_json::Value;
use wangge_domain::hotspot::gi_star;

#[test]
fn gi_star_equals_esda_g_local_star() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/gi_star_esda.json")).unwrap();
    let floats = |k: &str| -> Vec<f64> { fixture[k].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect() };
    let neighbours: Vec<Vec<u32>> = fixture["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_array().unwrap().iter().map(|j| j.as_u64().unwrap() as u32).collect())
        .collect();
    let gi = gi_star(&floats("y"), &neighbours);
    for (name, ours, theirs) in [("G", &gi.g, floats("Gs")), ("z", &gi.z, floats("Zs")), ("p", &gi.p, floats("p_norm"))]
    {
        assert_eq!(ours.len(), theirs.len());
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert!((a - b).abs() < 1e-9, "{name} of unit {i}: ours {a}, esda {b}");
        }
    }
    assert!(gi.z.iter().any(|z| *z > 2.58), "the fixture has a hot corner");
}
