//! Inserting base-map features (buildings with their household estimates, roads, land use, places).

use super::Result;
use geo::InteriorPoint;
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder};
use wangge_domain::boundary::area_m2;
use wangge_domain::households::{BuildingUse, HouseholdModel};
use wangge_domain::locate::PolygonIndex;
use wangge_gis_data::osm::Features;

use super::geojson_text;

/// What an import stored (rows already present are skipped, so a re-import adds nothing).
#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportSummary {
    /// Buildings inserted.
    pub buildings: u64,
    /// Residential buildings among them.
    pub residential_buildings: u64,
    /// Households estimated or imported over all buildings.
    pub households: u64,
    /// Roads inserted.
    pub roads: u64,
    /// Land-use areas inserted.
    pub landuse: u64,
    /// Places (named POIs) inserted.
    pub places: u64,
    /// Roads (or their pieces) placed in the districts with a boundary, wholly inside one or cut at its edge.
    pub placed_roads: u64,
    /// Land-use areas (or their pieces) placed likewise.
    pub placed_landuse: u64,
    /// Ways the extract cut off some of whose nodes (skipped, but for roads: see `clipped_roads`).
    pub incomplete_ways: u64,
    /// Roads crossing the extract's edge, kept by their part inside.
    pub clipped_roads: u64,
}

const BATCH: usize = 2_000;

/// The columns a building is imported with.
const BUILDING_COLUMNS: &str = "source, source_id, kind, building_use, name, address, floors, area_m2, households, \
                                households_source, residents, footprint";
/// The columns a road is imported with.
const ROAD_COLUMNS: &str = "source, source_id, class, name, geom";
/// The columns a land-use area is imported with.
const LANDUSE_COLUMNS: &str = "source, source_id, kind, name, geom";
/// The columns a place is imported with.
const PLACE_COLUMNS: &str = "kind, source, source_id, name, category, geom";
/// Keeps out of an import (rows `v`) what `{table}` holds already, in whichever district it was placed: the key
/// holds the district (docs/SCALE.md), so `ON CONFLICT` alone would not see a placed row.
const NOT_STORED: &str =
    "NOT EXISTS (SELECT 1 FROM {table} x WHERE x.source = v.source AND x.source_id = v.source_id) ON CONFLICT DO NOTHING";

/// Store `features` under `source` (e.g. `osm`, `demo`), estimating households with `model`.
pub async fn insert_features(
    pool: &PgPool,
    source: &str,
    f: &Features,
    model: &HouseholdModel,
) -> Result<ImportSummary> {
    let mut summary = ImportSummary {
        incomplete_ways: f.incomplete_ways as u64,
        clipped_roads: f.clipped_roads as u64,
        ..ImportSummary::default()
    };
    let mut tx = pool.begin().await?;
    for chunk in f.roads.chunks(BATCH) {
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new(format!("INSERT INTO road ({ROAD_COLUMNS}) SELECT * FROM ("));
        q.push_values(chunk, |mut b, r| {
            b.push_bind(source).push_bind(r.osm_id).push_bind(&r.class).push_bind(&r.name);
            b.push("ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(")
                .push_bind_unseparated(geojson_text(&r.line))
                .push_unseparated("), 4326))");
        });
        q.push(format!(") AS v ({ROAD_COLUMNS}) WHERE {}", NOT_STORED.replace("{table}", "road")));
        summary.roads += q.build().execute(&mut *tx).await?.rows_affected();
    }
    for chunk in f.landuse.chunks(BATCH) {
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new(format!("INSERT INTO landuse ({LANDUSE_COLUMNS}) SELECT * FROM ("));
        q.push_values(chunk, |mut b, l| {
            b.push_bind(source).push_bind(l.osm_id).push_bind(&l.kind).push_bind(&l.name);
            b.push("ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(")
                .push_bind_unseparated(geojson_text(&l.area))
                .push_unseparated("), 4326)), 3))");
        });
        q.push(format!(") AS v ({LANDUSE_COLUMNS}) WHERE {}", NOT_STORED.replace("{table}", "landuse")));
        summary.landuse += q.build().execute(&mut *tx).await?.rows_affected();
    }
    let residential =
        PolygonIndex::new(f.landuse.iter().filter(|l| l.kind == "residential").map(|l| l.area.clone()).collect());
    for chunk in f.buildings.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|b| {
                let inside =
                    b.footprint.interior_point().is_some_and(|p| residential.first(p.x(), p.y(), |_| true).is_some());
                let building_use = BuildingUse::from_osm(&b.building, inside);
                let area = area_m2(&b.footprint);
                let est = model.estimate(building_use, area, b.levels, b.flats);
                (b, building_use, area, est)
            })
            .collect();
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new(format!("INSERT INTO building ({BUILDING_COLUMNS}) SELECT * FROM ("));
        q.push_values(&rows, |mut b, (bld, building_use, area, est)| {
            let use_name = if *building_use == BuildingUse::Residential { "residential" } else { "other" };
            b.push_bind(source)
                .push_bind(bld.osm_id)
                .push_bind(&bld.building)
                .push_bind(use_name)
                .push_bind(&bld.name)
                .push_bind(&bld.address)
                .push_bind(bld.levels.map(i32::from))
                .push_bind(*area)
                .push_bind(est.households as i32)
                .push_bind(est.source.as_str())
                .push_bind(est.residents as i32);
            b.push("ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(")
                .push_bind_unseparated(geojson_text(&bld.footprint))
                .push_unseparated("), 4326)), 3))");
        });
        q.push(format!(") AS v ({BUILDING_COLUMNS}) WHERE {}", NOT_STORED.replace("{table}", "building")));
        summary.buildings += q.build().execute(&mut *tx).await?.rows_affected();
        summary.residential_buildings += rows.iter().filter(|r| r.1 == BuildingUse::Residential).count() as u64;
        summary.households += rows.iter().map(|r| u64::from(r.3.households)).sum::<u64>();
    }
    for chunk in f.pois.chunks(BATCH) {
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new(format!("INSERT INTO element ({PLACE_COLUMNS}) SELECT * FROM ("));
        q.push_values(chunk, |mut b, p| {
            b.push_bind("place").push_bind(source).push_bind(p.osm_id).push_bind(&p.name).push_bind(&p.kind);
            b.push("ST_SetSRID(ST_MakePoint(")
                .push_bind_unseparated(p.point.x())
                .push_unseparated(", ")
                .push_bind_unseparated(p.point.y())
                .push_unseparated("), 4326)");
        });
        q.push(format!(") AS v ({PLACE_COLUMNS}) WHERE {}", NOT_STORED.replace("{table}", "element")));
        summary.places += q.build().execute(&mut *tx).await?.rows_affected();
    }
    let (roads, landuse) = place_base_map(&mut *tx).await?;
    summary.placed_roads = roads;
    summary.placed_landuse = landuse;
    tx.commit().await?;
    Ok(summary)
}

/// Place the roads and land use not yet in a district ('000000') in the districts with a boundary that they enter,
/// cutting those that cross districts (docs/SCALE.md). Returns how many roads and land-use areas were placed.
pub async fn place_base_map<'e>(db: impl sqlx::PgExecutor<'e>) -> Result<(u64, u64)> {
    let (roads, landuse): (i64, i64) = sqlx::query_as("SELECT * FROM place_base_map()").fetch_one(db).await?;
    Ok((roads as u64, landuse as u64))
}
