//! A generated demo district, clearly labelled as generated: streets, communities, a road network, thousands of
//! buildings, gated compounds, schools, a hospital, a market and parks. It is what a fresh clone serves; it is not
//! real geography.
//!
//! Layout: a lattice of slightly jittered road intersections ~100 m apart; every third line is an arterial and
//! street/community borders follow arterials, so blocks never straddle a border. Each 300 m square between
//! arterials is a [`Quarter`]: most are gated compounds (小区) with no public road inside, of walk-ups (~900
//! households) or towers (~2,500), whole or in two; the rest are old streets of small blocks (some minor road
//! segments left out so blocks vary in size). That is the real problem of drawing ~300-household grids in a Chinese
//! city: most blocks are compounds several grids large. Deterministic for a seed.

use geo::{Coord, LineString, MultiPolygon, Point, Polygon};
use wangge_domain::codes::{CommunityCode, DistrictCode, StreetCode};

use crate::osm::{Building, Features, Landuse, Poi, Road};

/// Metres per degree of latitude.
const M_PER_DEG_LAT: f64 = 110_574.0;

/// A named area of the demo hierarchy.
#[derive(Debug, Clone)]
pub struct DemoArea<C> {
    /// Official-style code (in a range no real division uses).
    pub code: C,
    /// Name, marked as generated.
    pub name: String,
    /// Boundary.
    pub boundary: MultiPolygon<f64>,
}

/// The whole generated district.
#[derive(Debug, Clone)]
pub struct DemoDistrict {
    /// The district.
    pub district: DemoArea<DistrictCode>,
    /// Its streets.
    pub streets: Vec<DemoArea<StreetCode>>,
    /// Its communities.
    pub communities: Vec<DemoArea<CommunityCode>>,
    /// Roads, buildings, sites and POIs.
    pub features: Features,
}

/// Size of the demo.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    /// Streets, laid out west → east.
    pub streets: usize,
    /// Communities per street, laid out north → south.
    pub communities_per_street: usize,
    /// Blocks per community along each axis (every 3 is one arterial cell).
    pub blocks_per_side: usize,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self { streets: 3, communities_per_street: 3, blocks_per_side: 9, seed: 2026 }
    }
}

/// Code of the generated district: province prefix 99 is not used by any real division.
pub const DEMO_DISTRICT_CODE: &str = "990101";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

const CN_NUM: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn cn(i: usize) -> String {
    CN_NUM.get(i).map_or_else(|| (i + 1).to_string(), |s| s.to_string())
}

/// What fills one 300 m square between arterials.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quarter {
    /// Old streets: small blocks of 2–6 buildings (shops, walk-ups, a pair of towers), minor roads between them.
    SmallBlocks,
    /// A gated compound with no public road inside, or two when `split` names the inner east–west line (1 or 2)
    /// that divides them; of towers or of walk-ups.
    Compound { towers: bool, split: Option<usize> },
}

/// Names of the generated compounds (with 花园 / 小区 / 新村 and the 演示 mark added).
const COMPOUND_NAMES: [&str; 16] = [
    "翠苑",
    "金陵",
    "紫金",
    "秦淮",
    "银城",
    "龙湾",
    "朗诗",
    "天润",
    "春江",
    "香樟",
    "梧桐",
    "明发",
    "康居",
    "东山",
    "百家湖",
    "九龙湖",
];

/// Lattice cells (community-local row, column) of the dedicated units: every community's school, the first
/// community's hospital and the second's market.
const SCHOOL_AT: (usize, usize) = (4, 4);
const HOSPITAL_AT: (usize, usize) = (1, 4);
const MARKET_AT: (usize, usize) = (4, 1);
const PARK_AT: (usize, usize) = (1, 7);

/// The places of an `nx × ny` arrangement of buildings in a lattice cell, 15 % of the cell from its roads: column,
/// row, corner and step in cell units.
fn arrangement(nx: usize, ny: usize) -> impl Iterator<Item = (usize, usize, (f64, f64), (f64, f64))> {
    let (du, dv) = (0.7 / nx as f64, 0.7 / ny as f64);
    (0..nx).flat_map(move |i| {
        (0..ny).map(move |j| (i, j, (0.15 + i as f64 * du + du * 0.1, 0.15 + j as f64 * dv + dv * 0.3), (du, dv)))
    })
}

/// Generate the demo district around (`lon0`, `lat0`) = its north-west corner.
pub fn generate(size: DemoSize, lon0: f64, lat0: f64) -> DemoDistrict {
    let mut rng = Rng(size.seed);
    let spacing = 100.0;
    let m_per_deg_lon = M_PER_DEG_LAT * lat0.to_radians().cos();
    let cols = size.streets * size.blocks_per_side;
    let rows = size.communities_per_street * size.blocks_per_side;
    // lattice[r][c]: intersection r rows south and c columns east of the corner
    let mut lattice = vec![vec![Coord { x: 0.0, y: 0.0 }; cols + 1]; rows + 1];
    for (r, row) in lattice.iter_mut().enumerate() {
        for (c, node) in row.iter_mut().enumerate() {
            let edge = r == 0 || c == 0 || r == rows || c == cols;
            let (jx, jy) = if edge { (0.0, 0.0) } else { (rng.range(-12.0, 12.0), rng.range(-12.0, 12.0)) };
            *node = Coord {
                x: lon0 + (c as f64 * spacing + jx) / m_per_deg_lon,
                y: lat0 - (r as f64 * spacing + jy) / M_PER_DEG_LAT,
            };
        }
    }
    let ring = |r0: usize, c0: usize, r1: usize, c1: usize| -> MultiPolygon<f64> {
        let mut pts = Vec::new();
        pts.extend((c0..=c1).map(|c| lattice[r0][c]));
        pts.extend((r0 + 1..=r1).map(|r| lattice[r][c1]));
        pts.extend((c0..c1).rev().map(|c| lattice[r1][c]));
        pts.extend((r0..r1).rev().map(|r| lattice[r][c0]));
        MultiPolygon(vec![Polygon::new(LineString(pts), vec![])])
    };
    let district_code: DistrictCode = DEMO_DISTRICT_CODE.parse().expect("valid");
    let district = DemoArea {
        code: district_code.clone(),
        name: "示范区（生成的演示数据）".to_owned(),
        boundary: ring(0, 0, rows, cols),
    };
    let bps = size.blocks_per_side;
    let mut streets = Vec::new();
    let mut communities = Vec::new();
    for s in 0..size.streets {
        let street_code: StreetCode = format!("{district_code}{:03}", s + 1).parse().expect("9 digits");
        streets.push(DemoArea {
            code: street_code.clone(),
            name: format!("示范{}街道（演示）", cn(s)),
            boundary: ring(0, s * bps, rows, (s + 1) * bps),
        });
        for k in 0..size.communities_per_street {
            communities.push(DemoArea {
                code: format!("{street_code}{:03}", k + 1).parse().expect("12 digits"),
                name: format!("{}{}社区（演示）", cn(s), cn(k)),
                boundary: ring(k * bps, s * bps, (k + 1) * bps, (s + 1) * bps),
            });
        }
    }

    // every 300 m square between arterials: small blocks where a school, hospital, market or park stands, a
    // compound (or two) of towers or walk-ups elsewhere, now and then old streets
    let dedicated = |r: usize, c: usize| {
        let (local, community) = ((r % bps, c % bps), r / bps);
        local == SCHOOL_AT
            || local == PARK_AT
            || (local == HOSPITAL_AT && community == 0)
            || (local == MARKET_AT && community == 1)
    };
    let quarters: Vec<Vec<Quarter>> = (0..rows.div_ceil(3))
        .map(|qr| {
            (0..cols.div_ceil(3))
                .map(|qc| {
                    let (pick, towers, halves) = (rng.next(), rng.next() < 0.4, rng.next());
                    let holds_unit = (qr * 3..(qr * 3 + 3).min(rows))
                        .any(|r| (qc * 3..(qc * 3 + 3).min(cols)).any(|c| dedicated(r, c)));
                    if holds_unit || pick < 0.2 {
                        Quarter::SmallBlocks
                    } else {
                        let split = (pick < 0.55).then_some(if halves < 0.5 { 1 } else { 2 });
                        Quarter::Compound { towers, split }
                    }
                })
                .collect()
        })
        .collect();
    let quarter = |r: usize, c: usize| quarters[r / 3][c / 3];

    let mut f = Features::default();
    let mut next_id = 1i64;
    let mut id = || {
        next_id += 1;
        next_id
    };
    // Roads: east-west lines, then north-south lines; arterials every 3rd line, minor segments sometimes omitted.
    let road = |f: &mut Features, pts: Vec<Coord<f64>>, arterial: bool, name: String, osm_id: i64| {
        if pts.len() >= 2 {
            let class = if arterial { "primary" } else { "residential" };
            f.roads.push(Road { osm_id, class: class.to_owned(), name: Some(name), line: LineString(pts) });
        }
    };
    for (r, line) in lattice.iter().enumerate().take(rows).skip(1) {
        let arterial = r % 3 == 0;
        let mut run: Vec<Coord<f64>> = Vec::new();
        for (c, &point) in line.iter().enumerate().take(cols + 1) {
            run.push(point);
            let on_border = c % bps == 0;
            // the segment east of this point: inside a compound only the line between two compounds stays
            let drop = !arterial
                && !on_border
                && c < cols
                && match quarter(r, c) {
                    Quarter::SmallBlocks => rng.next() < 0.12,
                    Quarter::Compound { split, .. } => split != Some(r % 3),
                };
            if drop || c == cols {
                let name = if arterial { format!("纬{}路", cn(r / 3 - 1)) } else { format!("纬{}支路", r) };
                road(&mut f, std::mem::take(&mut run), arterial, name, id());
            }
        }
    }
    for c in 1..cols {
        let arterial = c % 3 == 0;
        let mut run: Vec<Coord<f64>> = Vec::new();
        for (r, row) in lattice.iter().enumerate() {
            run.push(row[c]);
            let on_border = r % bps == 0;
            let drop = !arterial
                && !on_border
                && r < rows
                && match quarter(r, c) {
                    Quarter::SmallBlocks => rng.next() < 0.12,
                    Quarter::Compound { .. } => true,
                };
            if drop || r == rows {
                let name = if arterial { format!("经{}路", cn(c / 3 - 1)) } else { format!("经{}支路", c) };
                road(&mut f, std::mem::take(&mut run), arterial, name, id());
            }
        }
    }
    // Buildings: 2–6 per lattice cell, placed by bilinear interpolation inside the cell, 15 m from its roads.
    let lerp = |r: usize, c: usize, u: f64, v: f64| -> Coord<f64> {
        let (a, b, cc, d) = (lattice[r][c], lattice[r][c + 1], lattice[r + 1][c + 1], lattice[r + 1][c]);
        Coord {
            x: a.x * (1.0 - u) * (1.0 - v) + b.x * u * (1.0 - v) + cc.x * u * v + d.x * (1.0 - u) * v,
            y: a.y * (1.0 - u) * (1.0 - v) + b.y * u * (1.0 - v) + cc.y * u * v + d.y * (1.0 - u) * v,
        }
    };
    // every compound: named residential land between its roads, and a count of its buildings
    let mut compound_names = std::collections::HashMap::new();
    for (qr, row) in quarters.iter().enumerate() {
        for (qc, q) in row.iter().enumerate() {
            let Quarter::Compound { towers, split } = *q else { continue };
            let (r0, r1, c0, c1) = (qr * 3, (qr * 3 + 3).min(rows), qc * 3, (qc * 3 + 3).min(cols));
            let halves = match split {
                Some(s) => vec![(0, r0, r0 + s), (1, r0 + s, r1)],
                None => vec![(0, r0, r1)],
            };
            for (half, top, bottom) in halves {
                let i = compound_names.len();
                let round = if i >= COMPOUND_NAMES.len() {
                    format!("{}期", cn(i / COMPOUND_NAMES.len()))
                } else {
                    String::new()
                };
                let name = format!(
                    "{}{}{}",
                    COMPOUND_NAMES[i % COMPOUND_NAMES.len()],
                    if towers { "花园" } else { "新村" },
                    round
                );
                f.landuse.push(Landuse {
                    osm_id: id(),
                    kind: "residential".into(),
                    name: Some(format!("{name}（演示）")),
                    area: ring(top, c0, bottom, c1),
                });
                f.pois.push(Poi {
                    osm_id: id(),
                    name: format!("{name}物业服务中心（演示）"),
                    kind: "office=property_management".into(),
                    point: Point(lerp(top, c0, 0.5, 0.1)),
                });
                compound_names.insert((qr, qc, half), (name, 0));
            }
        }
    }
    for r in 0..rows {
        for c in 0..cols {
            let local = (r % bps, c % bps);
            let cell = |u0: f64, v0: f64, u1: f64, v1: f64| {
                MultiPolygon(vec![Polygon::new(
                    LineString(vec![
                        lerp(r, c, u0, v0),
                        lerp(r, c, u1, v0),
                        lerp(r, c, u1, v1),
                        lerp(r, c, u0, v1),
                        lerp(r, c, u0, v0),
                    ]),
                    vec![],
                )])
            };
            let community = r / bps;
            // a dedicated unit: its grounds and one or two buildings
            let unit =
                |f: &mut Features, id: &mut dyn FnMut() -> i64, kind: &str, name: String, what: (&str, &str, u16)| {
                    f.landuse.push(Landuse {
                        osm_id: id(),
                        kind: kind.into(),
                        name: Some(name),
                        area: cell(0.1, 0.1, 0.9, 0.9),
                    });
                    let (building, label, levels) = what;
                    for (u0, u1) in [(0.2, 0.45), (0.55, 0.8)] {
                        f.buildings.push(Building {
                            osm_id: id(),
                            footprint: cell(u0, 0.25, u1, 0.45),
                            building: building.into(),
                            levels: Some(levels),
                            flats: None,
                            name: Some(label.into()),
                            address: None,
                        });
                    }
                };
            if local == SCHOOL_AT {
                let name = format!("示范第{}小学（演示）", cn(community * size.streets + c / bps));
                unit(&mut f, &mut id, "school", name, ("school", "教学楼", 4));
                continue;
            }
            if local == HOSPITAL_AT && community == 0 {
                let name = format!("示范{}街道社区医院（演示）", cn(c / bps));
                unit(&mut f, &mut id, "hospital", name, ("hospital", "门诊楼", 6));
                continue;
            }
            if local == MARKET_AT && community == 1 {
                let name = format!("示范{}街道农贸市场（演示）", cn(c / bps));
                unit(&mut f, &mut id, "retail", name, ("retail", "市场大棚", 1));
                continue;
            }
            if local == PARK_AT {
                f.landuse.push(Landuse {
                    osm_id: id(),
                    kind: "park".into(),
                    name: Some("社区公园（演示）".into()),
                    area: cell(0.1, 0.1, 0.9, 0.9),
                });
                continue;
            }
            if let Quarter::Compound { towers, split } = quarter(r, c) {
                // towers of 18–30 floors four to a cell, or rows of six-floor walk-ups
                let half = split.map_or(0, |s| usize::from(r % 3 >= s));
                let (name, count) = compound_names.get_mut(&(r / 3, c / 3, half)).expect("every compound named");
                let (nx, ny) = if towers { (2, 2) } else { (2 + (rng.next() * 2.0) as usize, 2) };
                for (_, _, (u0, v0), (du, dv)) in arrangement(nx, ny) {
                    let (width, depth, building, levels) = if towers {
                        (0.6, rng.range(0.45, 0.6), "apartments", 18 + (rng.next() * 13.0) as u16)
                    } else {
                        (0.8, rng.range(0.35, 0.55), "residential", 5 + (rng.next() * 3.0) as u16)
                    };
                    *count += 1;
                    f.buildings.push(Building {
                        osm_id: id(),
                        footprint: cell(u0, v0, u0 + du * width, v0 + dv * depth),
                        building: building.into(),
                        levels: Some(levels),
                        flats: None,
                        name: None,
                        address: Some(format!("{name}{count}栋（演示）")),
                    });
                }
                continue;
            }
            let commercial = rng.next() < 0.08;
            let towers = !commercial && rng.next() < 0.3;
            let (nx, ny) = if towers { (2, 1) } else { (2 + (rng.next() * 2.0) as usize, 2) };
            for (i, j, (u0, v0), (du, dv)) in arrangement(nx, ny) {
                let footprint = cell(u0, v0, u0 + du * 0.8, v0 + dv * rng.range(0.35, 0.55));
                let (building, levels) = if commercial {
                    ("commercial", 2 + (rng.next() * 4.0) as u16)
                } else if towers {
                    ("apartments", 11 + (rng.next() * 8.0) as u16)
                } else {
                    ("residential", 5 + (rng.next() * 3.0) as u16)
                };
                let n = id();
                f.buildings.push(Building {
                    osm_id: n,
                    footprint,
                    building: building.into(),
                    levels: Some(levels),
                    flats: None,
                    name: None,
                    address: Some(format!("示范路{}号{}栋（演示）", r * cols + c + 1, i * ny + j + 1)),
                });
            }
            if commercial {
                let p = lerp(r, c, 0.5, 0.5);
                f.pois.push(Poi {
                    osm_id: id(),
                    name: format!("示范便利店{}（演示）", r * cols + c),
                    kind: "shop=convenience".into(),
                    point: Point(p),
                });
            }
        }
    }
    DemoDistrict { district, streets, communities, features: f }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains};

    #[test]
    fn deterministic_and_nested() {
        let a = generate(DemoSize::default(), 118.85, 31.95);
        let b = generate(DemoSize::default(), 118.85, 31.95);
        assert_eq!(a.features.buildings.len(), b.features.buildings.len());
        assert!(a.features.buildings.len() > 1_500, "{}", a.features.buildings.len());
        assert_eq!(a.communities.len(), 9);
        for c in &a.communities {
            assert!(c.boundary.unsigned_area() > 0.0);
            let street = a.streets.iter().find(|s| s.code == c.code.street()).unwrap();
            let inner = geo::InteriorPoint::interior_point(&c.boundary).unwrap();
            assert!(street.boundary.contains(&inner));
        }
        assert!(a.district.name.contains("演示"));
    }

    #[test]
    fn most_households_live_in_compounds_several_grids_large() {
        use geo::{Centroid, ChamberlainDuquetteArea};
        use wangge_domain::households::{BuildingUse, HouseholdModel};
        let d = generate(DemoSize::default(), 118.85, 31.95);
        let model = HouseholdModel::default();
        let households = |b: &Building| {
            let use_ = BuildingUse::from_osm(&b.building, false);
            model.estimate(use_, b.footprint.chamberlain_duquette_unsigned_area(), b.levels, b.flats).households
        };
        let total: u32 = d.features.buildings.iter().map(households).sum();
        let compounds: Vec<(String, u32)> = d
            .features
            .landuse
            .iter()
            .filter(|l| l.kind == "residential")
            .map(|l| {
                let inside = d.features.buildings.iter().filter(|b| l.area.contains(&b.footprint.centroid().unwrap()));
                (l.name.clone().unwrap(), inside.map(households).sum())
            })
            .collect();
        assert!(compounds.len() >= 20, "{} compounds", compounds.len());
        for (name, hh) in &compounds {
            assert!((200..=4_000).contains(hh), "{name}: {hh} households");
        }
        let in_compounds: u32 = compounds.iter().map(|c| c.1).sum();
        assert!(in_compounds * 10 >= total * 6, "{in_compounds} of {total} households in compounds");
        for kind in ["school", "hospital", "retail", "park"] {
            assert!(d.features.landuse.iter().any(|l| l.kind == kind), "a {kind}");
        }
    }
}
