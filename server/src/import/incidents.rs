//! Historical incidents into cases: the areas they are counted in become the communities of a district of their
//! own (San Francisco's census tracts, Los Angeles' neighborhood councils), each source category a local category,
//! and every incident a case with its original times, located to its area on import. These feed the density maps
//! and the evaluation at real scale.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use sqlx::PgPool;
use wangge_domain::boundary::Boundary;
use wangge_domain::case::Channel;
use wangge_gis_data::boundaries::{parse_boundaries, Datum};
use wangge_gis_data::incidents::{read_incidents, Incident, Mapping, LA_311, SF_CRIME};
use wangge_gis_data::shapes::read_polygons;

use crate::store::hierarchy::{upsert_area, Level};

/// A real set the shared data folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// 178k San Francisco incidents 2013–2015 in the 196 census tracts.
    Sf,
    /// 10k Los Angeles 311 requests (2020) in the 99 neighborhood councils.
    La311,
}

struct Source {
    district: &'static str,
    name: &'static str,
    file: &'static str,
    mapping: Mapping,
}

impl Preset {
    fn source(self) -> Source {
        match self {
            Preset::Sf => Source {
                district: "990201",
                name: "旧金山（真实数据，导入）",
                file: "sf-crime/sf_crime_2013_2015.csv",
                mapping: SF_CRIME,
            },
            Preset::La311 => Source {
                district: "990202",
                name: "洛杉矶（真实数据，导入）",
                file: "la311/la311_requests_2020.csv",
                mapping: LA_311,
            },
        }
    }

    /// The areas' census population, by area name: San Francisco's tracts from the ACS estimates of 2015 (the
    /// middle of the incidents' years), Los Angeles' neighborhood councils from their 2020 figures.
    fn population(self, data: &Path) -> Result<HashMap<String, i32>> {
        #[derive(serde::Deserialize)]
        struct Tract {
            #[serde(rename = "GEOID")]
            geoid: String,
            year: i32,
            #[serde(rename = "Estimate_Total")]
            total: f64,
        }
        #[derive(serde::Deserialize)]
        struct Council {
            council_name: String,
            sum_pop20: f64,
        }
        let read = |file: &str| csv::Reader::from_path(data.join(file)).with_context(|| format!("reading {file}"));
        Ok(match self {
            Preset::Sf => read("sf-census/acs_tract_2009_2017.csv")?
                .deserialize::<Tract>()
                .filter_map(|r| r.ok())
                .filter(|t| t.year == 2015)
                .map(|t| (t.geoid, t.total.round() as i32))
                .collect(),
            Preset::La311 => read("la311/NC_pop_2020.csv")?
                .deserialize::<Council>()
                .filter_map(|r| r.ok())
                .map(|c| (c.council_name, c.sum_pop20.round() as i32))
                .collect(),
        })
    }

    /// The areas: (name, boundary).
    fn areas(self, data: &Path) -> Result<Vec<(String, Boundary)>> {
        match self {
            Preset::Sf => Ok(read_polygons(&data.join("sf-census/sf_census_tracts_basic.shp"), "GEOID10")?
                .into_iter()
                .filter_map(|(name, mp)| Boundary::parse(geo::Geometry::MultiPolygon(mp)).ok().map(|b| (name, b)))
                .collect()),
            Preset::La311 => {
                let text = std::fs::read_to_string(data.join("la311/nc-boundary-2019-modified.geojson"))?;
                Ok(parse_boundaries(&text, Datum::Wgs84)?
                    .into_iter()
                    .map(|f| {
                        let name = f.properties.get("name").and_then(|v| v.as_str()).unwrap_or("NC").to_owned();
                        (name, f.boundary)
                    })
                    .collect())
            }
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize)]
pub struct IncidentSummary {
    /// The district made for it.
    pub district: String,
    /// Its communities (the source's areas).
    pub communities: usize,
    /// Local categories made (one per source category).
    pub categories: usize,
    /// Rows read.
    pub read: usize,
    /// Rows skipped (no time, no category, no usable position).
    pub skipped: usize,
    /// Cases stored.
    pub imported: u64,
    /// Of them, located to a community.
    pub located: u64,
}

/// The channel a source's own channel name means.
fn channel(source: Option<&str>) -> Channel {
    match source.map(str::to_lowercase).as_deref() {
        Some("call") => Channel::Hotline,
        Some("mobile app" | "self service" | "email" | "web form") => Channel::Public,
        Some("driver self report") => Channel::Department,
        _ => Channel::Imported,
    }
}

/// Import preset `preset` from the shared data folder `data`. Does nothing when its district already has cases.
pub async fn import_incidents(pool: &PgPool, data: &Path, preset: Preset) -> Result<IncidentSummary> {
    let source = preset.source();
    let district = source.district;
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM cases WHERE district_code = $1")
        .bind(district)
        .fetch_one(pool)
        .await?;
    if existing > 0 {
        bail!("district {district} already holds {existing} cases");
    }
    let areas = preset.areas(data)?;
    if areas.len() > 999 {
        bail!("{} areas: a street holds at most 999 communities", areas.len());
    }
    let file = std::fs::File::open(data.join(source.file)).with_context(|| format!("reading {}", source.file))?;
    let (incidents, skipped) = read_incidents(file, &source.mapping)?;
    let mut tx = pool.begin().await?;
    upsert_area(&mut *tx, Level::District, district, source.name, None, false).await?;
    let street = format!("{district}001");
    upsert_area(&mut *tx, Level::Street, &street, source.name, None, false).await?;
    let population = preset.population(data)?;
    for (i, (name, boundary)) in areas.iter().enumerate() {
        let code = format!("{street}{:03}", i + 1);
        upsert_area(&mut *tx, Level::Community, &code, name, Some(boundary), false).await?;
        if let Some(n) = population.get(name) {
            crate::store::hierarchy::set_population(&mut tx, &code, *n).await?;
        }
    }
    let major = format!("L{district}");
    let mut codes: HashMap<String, String> = HashMap::new();
    let mut names: Vec<&str> = incidents.iter().map(|i| i.category.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for name in &names {
        let limit = wangge_domain::case::TimeLimit { amount: 5, unit: wangge_domain::case::LimitUnit::WorkingDays };
        let c = crate::store::catalogue::add_category(&mut tx, &major, source.name, name, limit).await?;
        codes.insert((*name).to_owned(), c.code);
    }
    let imported = insert_cases(&mut tx, district, &incidents, &codes, &source.mapping).await?;
    let located = sqlx::query(
        "UPDATE cases c SET community_code = m.code, street_code = m.street_code
         FROM community m WHERE c.district_code = $1 AND m.street_code = $2 AND ST_Contains(m.geom, c.geom)",
    )
    .bind(district)
    .bind(&street)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    crate::db::months::tidy(pool).await?;
    sqlx::query("ANALYZE cases").execute(pool).await?;
    Ok(IncidentSummary {
        district: district.to_owned(),
        communities: areas.len(),
        categories: names.len(),
        read: incidents.len() + skipped,
        skipped,
        imported,
        located,
    })
}

/// Store the incidents as cases, 5,000 a statement, numbered per local day.
async fn insert_cases(
    tx: &mut sqlx::PgConnection,
    district: &str,
    incidents: &[Incident],
    codes: &HashMap<String, String>,
    mapping: &Mapping,
) -> Result<u64> {
    let utc = |t: NaiveDateTime| (t - Duration::hours(i64::from(mapping.utc_offset_hours))).and_utc();
    // A set without close times is a record of past incidents: all closed. With close times, one without is open.
    let finished = |i: &Incident| mapping.closed.is_none() || i.closed.is_some();
    let mut serials: HashMap<chrono::NaiveDate, u32> = HashMap::new();
    let mut stored = 0;
    for chunk in incidents.chunks(5000) {
        let mut number = Vec::with_capacity(chunk.len());
        let (mut category, mut chan, mut state, mut text) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut address, mut lon, mut lat, mut reported, mut closed) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in chunk {
            let day = i.reported.date();
            let serial = serials.entry(day).or_default();
            *serial += 1;
            number.push(format!("{district}-{}-{:05}", day.format("%Y%m%d"), serial));
            category.push(codes[&i.category].clone());
            chan.push(channel(i.channel.as_deref()).as_str());
            state.push(if finished(i) { "closed" } else { "dispatched" });
            let mut description = i.description.clone().unwrap_or_else(|| i.category.clone());
            if let Some(id) = &i.source_id {
                description = format!("{description}（原编号 {id}）");
            }
            text.push(description);
            address.push(i.address.clone());
            lon.push(i.lon);
            lat.push(i.lat);
            reported.push(utc(i.reported));
            closed.push(i.closed.map(utc));
        }
        stored += sqlx::query(
            "INSERT INTO cases (number, district_code, category_code, channel, state, description, address, geom,
                 reporter, clock, reported_at, closed_at)
             SELECT n, $1, k, ch, st, d, a, ST_SetSRID(ST_MakePoint(x, y), 4326), 'import',
                 jsonb_build_object('started', r, 'measure', 'clock', 'budget', 432000), r, c
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[],
                         $9::float8[], $10::timestamptz[], $11::timestamptz[]) AS u(n, k, ch, st, d, a, x, y, r, c)",
        )
        .bind(district)
        .bind(&number)
        .bind(&category)
        .bind(&chan)
        .bind(&state)
        .bind(&text)
        .bind(&address)
        .bind(&lon)
        .bind(&lat)
        .bind(&reported)
        .bind(&closed)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    Ok(stored)
}
