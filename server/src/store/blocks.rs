//! Building road-bounded blocks inside a community from the road network.
//!
//! 1. Clip the block-forming roads to the community, add the community boundary, node the lines and polygonize:
//!    the faces tile the community exactly, and neighbouring faces share a road centre line.
//! 2. Merge slivers (tiny or thin faces) into the neighbour they share most boundary with.
//! 3. Put every building whose interior point lies in the community into the one block containing that point.
//! 4. Sum households and residents per block; record which blocks share a boundary (and how long it is).

use anyhow::Context;
use serde::Serialize;
use sqlx::PgConnection;
use wangge_api::plans::Divided;
use wangge_domain::locate::PolygonIndex;
use wangge_domain::plan::SplitPolicy;

/// Why blocks could not be built or split. `error.rs` decides what HTTP makes of it.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// No such community.
    #[error("community {0} does not exist")]
    UnknownCommunity(String),
    /// No such block.
    #[error("block {0} does not exist")]
    UnknownBlock(i64),
    /// The community has no boundary to cut blocks from.
    #[error("community {0} has no boundary yet")]
    NoBoundary(String),
    /// Plans are built on the blocks: they are split, never rebuilt.
    #[error("community {0} already has grid plans built on its blocks; split blocks instead of rebuilding")]
    InUse(String),
    /// The block was split before (it is retired).
    #[error("block {0} was already split")]
    AlreadySplit(i64),
    /// Building cells need at least two buildings.
    #[error("block {block} has {buildings} building(s); a split needs two")]
    TooFewBuildings {
        /// The block.
        block: i64,
        /// Its buildings.
        buildings: i64,
    },
    /// Sharing by units is for one building.
    #[error("block {block} has {buildings} building(s); sharing by units is for a block of one building")]
    NotOneBuilding {
        /// The block.
        block: i64,
        /// Its buildings.
        buildings: i64,
    },
    /// The drawn line does not cut the block in two.
    #[error("the line does not cut block {0} in two")]
    LineDoesNotCut(i64),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Results of this module.
pub type Result<T, E = BlockError> = std::result::Result<T, E>;

/// Road classes (`highway=*`) that bound blocks by default: public streets, not footways or service roads.
pub const DEFAULT_BLOCK_ROAD_CLASSES: [&str; 15] = [
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
    "road",
    "busway",
];

/// A face smaller than this (m²) is a sliver.
const SLIVER_M2: f64 = 400.0;
/// A face smaller than this (m²) and thinner than `THIN` (Polsby–Popper) is a sliver too.
const THIN_MAX_M2: f64 = 3_000.0;
const THIN: f64 = 0.12;

/// What block building did.
#[derive(Debug, Clone, Serialize)]
pub struct BlockSummary {
    /// Community code.
    pub community: String,
    /// Blocks made.
    pub blocks: i64,
    /// Slivers merged into neighbours.
    pub slivers_merged: i64,
    /// Buildings placed in blocks.
    pub buildings: i64,
    /// Households over all blocks.
    pub households: i64,
    /// Adjacent block pairs.
    pub adjacent_pairs: i64,
}

/// Rebuild the blocks of `community`. Refused (409) once a plan uses them: blocks are what plans are made of.
pub async fn build_blocks(tx: &mut PgConnection, community: &str, road_classes: &[&str]) -> Result<BlockSummary> {
    let geom: Option<bool> = sqlx::query_scalar(
        "SELECT geom IS NOT NULL FROM community WHERE code = $1 AND district_code = left($1, 6) FOR UPDATE",
    )
    .bind(community)
    .fetch_optional(&mut *tx)
    .await?;
    match geom {
        None => return Err(BlockError::UnknownCommunity(community.to_owned())),
        Some(false) => return Err(BlockError::NoBoundary(community.to_owned())),
        Some(true) => {}
    }
    let used: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM plan WHERE community_code = $1 AND district_code = left($1, 6))",
    )
    .bind(community)
    .fetch_one(&mut *tx)
    .await?;
    if used {
        return Err(BlockError::InUse(community.to_owned()));
    }
    sqlx::query("DELETE FROM block WHERE community_code = $1 AND district_code = left($1, 6)")
        .bind(community)
        .execute(&mut *tx)
        .await?;
    let classes: Vec<String> = road_classes.iter().map(|s| s.to_string()).collect();
    sqlx::query(
        "WITH c AS (SELECT geom FROM community WHERE code = $1 AND district_code = left($1, 6)),
         lines AS (
             SELECT ST_CollectionExtract(ST_Intersection(r.geom, c.geom), 2) AS g
             FROM road r, c WHERE r.district_code IN (left($1, 6), '000000') AND r.class = ANY($2)
               AND ST_Intersects(r.geom, c.geom)
             UNION ALL SELECT ST_Boundary(c.geom) FROM c),
         noded AS (SELECT ST_UnaryUnion(ST_Collect(g)) AS g FROM lines),
         faces AS (SELECT (ST_Dump(ST_Polygonize(g))).geom AS g FROM noded)
         INSERT INTO block (community_code, district_code, geom, area_m2)
         SELECT $1, left($1, 6), ST_Multi(f.g), ST_Area(f.g::geography) FROM faces f, c
         WHERE ST_Intersects(c.geom, ST_PointOnSurface(f.g))",
    )
    .bind(community)
    .bind(&classes)
    .execute(&mut *tx)
    .await
    .context("polygonizing roads")?;
    let slivers_merged = merge_slivers(tx, community).await?;
    sqlx::query(
        "UPDATE building b SET block_id = NULL, community_code = NULL
         WHERE b.community_code = $1 AND b.district_code = left($1, 6)",
    )
    .bind(community)
    .execute(&mut *tx)
    .await?;
    let buildings = sqlx::query(
        "UPDATE building b SET block_id = k.id, community_code = $1, district_code = k.district_code
         FROM block k
         WHERE k.community_code = $1 AND k.district_code = left($1, 6) AND NOT k.retired
           AND ST_Intersects(k.geom, ST_PointOnSurface(b.footprint))
           AND b.block_id IS NULL",
    )
    .bind(community)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    sqlx::query(
        "UPDATE block k SET households = s.h, residents = s.r
         FROM (SELECT block_id, sum(households)::int AS h, sum(residents)::int AS r FROM building
               WHERE community_code = $1 AND district_code = left($1, 6) GROUP BY block_id) s
         WHERE k.id = s.block_id",
    )
    .bind(community)
    .execute(&mut *tx)
    .await?;
    let adjacent_pairs = record_adjacency(tx, community).await?;
    let (blocks, households): (i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(households), 0)::int8 FROM block WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired",
    )
    .bind(community)
    .fetch_one(&mut *tx)
    .await?;
    Ok(BlockSummary { community: community.to_owned(), blocks, slivers_merged, buildings, households, adjacent_pairs })
}

async fn merge_slivers(tx: &mut PgConnection, community: &str) -> Result<i64> {
    let mut merged = 0;
    loop {
        // the smallest remaining sliver and the neighbour it shares the longest boundary with
        let pair: Option<(i64, i64)> = sqlx::query_as(
            "WITH s AS (
                 SELECT id, geom FROM block
                 WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired
                   AND (area_m2 < $2 OR (area_m2 < $3
                        AND 4 * pi() * area_m2 / nullif(power(ST_Perimeter(geom::geography), 2), 0) < $4))
                 ORDER BY area_m2 LIMIT 1)
             SELECT s.id, n.id FROM s JOIN block n
               ON n.community_code = $1 AND n.district_code = left($1, 6) AND NOT n.retired AND n.id <> s.id AND ST_Intersects(n.geom, s.geom)
             ORDER BY ST_Length(ST_CollectionExtract(ST_Intersection(n.geom, s.geom), 2)) DESC
             LIMIT 1",
        )
        .bind(community)
        .bind(SLIVER_M2)
        .bind(THIN_MAX_M2)
        .bind(THIN)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((sliver, into)) = pair else { break };
        sqlx::query(
            "UPDATE block n SET geom = ST_Multi(ST_Union(n.geom, s.geom)), area_m2 = n.area_m2 + s.area_m2
             FROM block s WHERE n.id = $2 AND s.id = $1",
        )
        .bind(sliver)
        .bind(into)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM block WHERE id = $1").bind(sliver).execute(&mut *tx).await?;
        merged += 1;
    }
    Ok(merged)
}

/// The metres of boundary blocks `a` and `b` share, measured with a centimetre's tolerance: the corners of building
/// cells and of cut pieces are computed points on their block's edge, which rarely lie exactly on the neighbour's
/// edge, and an exact intersection of the two then holds points, not the line.
pub const SHARED_M: &str =
    "ST_Length(ST_CollectionExtract(ST_Intersection(ST_Boundary(a.geom), ST_Buffer(b.geom, 1e-7)), 2)::geography)";

/// Blocks `a` and `b` touch, within the tolerance of [`SHARED_M`].
const TOUCH: &str = "a.geom && ST_Expand(b.geom, 1e-7) AND ST_DWithin(a.geom, b.geom, 1e-7)";

/// [`TOUCH`] for blocks aliased `n` and `o`.
const TOUCH_NO: &str = "n.geom && ST_Expand(o.geom, 1e-7) AND ST_DWithin(n.geom, o.geom, 1e-7)";

/// Recompute which live blocks of `community` share a boundary line.
pub async fn record_adjacency(tx: &mut PgConnection, community: &str) -> Result<i64> {
    sqlx::query(
        "DELETE FROM block_adjacency WHERE district_code = left($1, 6)
            AND (a IN (SELECT id FROM block WHERE community_code = $1 AND district_code = left($1, 6))
                 OR b IN (SELECT id FROM block WHERE community_code = $1 AND district_code = left($1, 6)))",
    )
    .bind(community)
    .execute(&mut *tx)
    .await?;
    let n = sqlx::query(&format!(
        "INSERT INTO block_adjacency (a, b, district_code, shared_m)
         SELECT a.id, b.id, a.district_code, s.m FROM block a
         JOIN block b ON b.community_code = a.community_code AND b.district_code = a.district_code AND a.id < b.id AND NOT b.retired AND {TOUCH}
         CROSS JOIN LATERAL (SELECT {SHARED_M} AS m) s
         WHERE a.community_code = $1 AND a.district_code = left($1, 6) AND NOT a.retired AND s.m > 0.5"
    ))
    .bind(community)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(n as i64)
}

/// Move each building of the divided `block` to the piece holding its point, found in an in-memory index of the
/// pieces, and total the pieces' households and residents (in SQL, the planner joined every building with every
/// piece: 2,000 × 2,000 tests for a big compound, and the totals took longer still).
async fn assign_buildings(tx: &mut PgConnection, block: i64) -> Result<()> {
    let pieces: Vec<(i64, String)> = sqlx::query_as("SELECT id, ST_AsGeoJSON(geom) FROM block WHERE parent_id = $1")
        .bind(block)
        .fetch_all(&mut *tx)
        .await?;
    let mut ids = Vec::with_capacity(pieces.len());
    let mut shapes = Vec::with_capacity(pieces.len());
    for (id, geojson) in pieces {
        if let Some(shape) = super::areal(&geojson)? {
            ids.push(id);
            shapes.push(shape);
        }
    }
    let index = PolygonIndex::new(shapes);
    let points: Vec<(i64, f64, f64, i32, i32)> = sqlx::query_as(
        "SELECT id, ST_X(p), ST_Y(p), households, residents
         FROM (SELECT *, ST_PointOnSurface(footprint) p FROM building WHERE block_id = $1) s",
    )
    .bind(block)
    .fetch_all(&mut *tx)
    .await?;
    let (mut households, mut residents) = (vec![0i32; ids.len()], vec![0i32; ids.len()]);
    let (buildings, homes): (Vec<i64>, Vec<i64>) = points
        .into_iter()
        .filter_map(|(id, x, y, h, r)| {
            let piece = index.first(x, y, |_| true)? as usize;
            households[piece] += h;
            residents[piece] += r;
            Some((id, ids[piece]))
        })
        .unzip();
    sqlx::query(
        "UPDATE building x SET block_id = a.piece FROM unnest($1::int8[], $2::int8[]) a (id, piece) WHERE x.id = a.id",
    )
    .bind(&buildings)
    .bind(&homes)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE block k SET households = a.h, residents = a.r
         FROM unnest($1::int8[], $2::int4[], $3::int4[]) a (id, h, r) WHERE k.id = a.id",
    )
    .bind(&ids)
    .bind(&households)
    .bind(&residents)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The units of a building just divided share its households and residents equally (the first units take the
/// remainder); the building stays with the unit holding its point.
async fn share_households(tx: &mut PgConnection, parent: i64) -> Result<()> {
    sqlx::query(
        "WITH u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n
                    FROM block WHERE parent_id = $1),
              p AS (SELECT households AS h, residents AS r FROM block WHERE id = $1)
         UPDATE block k SET households = p.h / u.n + (u.i < p.h % u.n)::int,
                            residents = p.r / u.n + (u.i < p.r % u.n)::int
         FROM u, p WHERE k.id = u.id",
    )
    .bind(parent)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The adjacency of the pieces of a block just divided: its own rows go, and each piece's neighbours (other pieces
/// and the blocks around) are found through the spatial index; the rest of the community's adjacency stands.
async fn record_piece_adjacency(tx: &mut PgConnection, parent: i64) -> Result<()> {
    sqlx::query("DELETE FROM block_adjacency WHERE a = $1 OR b = $1").bind(parent).execute(&mut *tx).await?;
    // each pair measured from its lower id, as the whole community's recording does
    sqlx::query(&format!(
        "INSERT INTO block_adjacency (a, b, district_code, shared_m)
         SELECT a.id, b.id, a.district_code, s.m FROM
           (SELECT least(n.id, o.id) AS lo, greatest(n.id, o.id) AS hi, n.district_code FROM block n
            JOIN block o ON o.id <> n.id AND NOT o.retired AND o.community_code = n.community_code
                 AND (o.parent_id IS DISTINCT FROM $1 OR o.id > n.id) AND {TOUCH_NO}
            WHERE n.parent_id = $1) p
         JOIN block a ON a.id = p.lo AND a.district_code = p.district_code
         JOIN block b ON b.id = p.hi AND b.district_code = p.district_code
         CROSS JOIN LATERAL (SELECT {SHARED_M} AS m) s
         WHERE s.m > 0.5"
    ))
    .bind(parent)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// What splitting a block made.
#[derive(Debug, Clone, Serialize)]
pub struct SplitSummary {
    /// The block split (now retired; published plans that used it keep it).
    pub parent: i64,
    /// The pieces that replace it.
    pub cells: Vec<i64>,
}

/// The bounding box (west, south, east, north) of block `id`.
pub async fn block_bbox<'e>(db: impl sqlx::PgExecutor<'e>, id: i64) -> Result<Option<[f64; 4]>> {
    let sql = format!("SELECT {} FROM block WHERE id = $1", super::BBOX_COLUMNS);
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(db).await?.and_then(super::bbox))
}

/// How to split a block.
#[derive(Debug, Clone)]
pub enum Cut {
    /// Into building cells: the Voronoi cells of its buildings' interior points, clipped to the block, so each
    /// building lands in its own cell.
    BuildingCells,
    /// Along a line drawn across it (GeoJSON LineString text, WGS84).
    Line(String),
    /// A block of one building into this many units (单元): strips across the building's longer side, each
    /// holding an equal share of its households.
    Units(i32),
}

/// Divide into building cells every live block of `community` with more than one building that holds more than
/// `above` households (unless its planner said never) or whose planner said always; and into units of at most
/// `above` households every building whose planner said units and that holds more. What was divided.
pub async fn divide_compounds(conn: &mut PgConnection, community: &str, above: i32) -> Result<Vec<Divided>> {
    let big: Vec<(i64, i32)> = sqlx::query_as(
        "SELECT id, households FROM block b WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired
           AND ((households > $2 AND split_policy = 'auto') OR split_policy = 'always')
           AND (SELECT count(*) FROM building WHERE block_id = b.id) > 1 ORDER BY id",
    )
    .bind(community)
    .bind(above)
    .fetch_all(&mut *conn)
    .await?;
    let towers: Vec<(i64, i32)> = sqlx::query_as(
        "SELECT id, households FROM block b WHERE community_code = $1 AND district_code = left($1, 6) AND NOT retired AND split_policy = 'units'
           AND households > $2 AND (SELECT count(*) FROM building WHERE block_id = b.id) = 1 ORDER BY id",
    )
    .bind(community)
    .bind(above)
    .fetch_all(&mut *conn)
    .await?;
    let mut divided = Vec::with_capacity(big.len() + towers.len());
    for (block, households) in big {
        let split = split_block(conn, block, &Cut::BuildingCells).await?;
        divided.push(Divided { block, households, cells: split.cells });
    }
    for (block, households) in towers {
        let units = (households + above - 1) / above.max(1);
        let split = split_block(conn, block, &Cut::Units(units)).await?;
        divided.push(Divided { block, households, cells: split.cells });
    }
    Ok(divided)
}

/// Set the planner's override for Suggest on live block `id`; the policy before, `None` when there is no such block.
/// Sharing by units is refused for a block that is not one building.
pub async fn set_split_policy(conn: &mut PgConnection, id: i64, policy: SplitPolicy) -> Result<Option<SplitPolicy>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT split_policy, (SELECT count(*) FROM building WHERE block_id = b.id) FROM block b
         WHERE id = $1 AND NOT retired FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((before, buildings)) = row else { return Ok(None) };
    if policy == SplitPolicy::Units && buildings != 1 {
        return Err(BlockError::NotOneBuilding { block: id, buildings });
    }
    sqlx::query("UPDATE block SET split_policy = $2 WHERE id = $1")
        .bind(id)
        .bind(policy.as_str())
        .execute(conn)
        .await?;
    Ok(Some(SplitPolicy::parse(&before).unwrap_or_default()))
}

/// Split a block; its pieces tile it, take over its buildings and replace it in new plans.
pub async fn split_block(tx: &mut PgConnection, block: i64, cut: &Cut) -> Result<SplitSummary> {
    let row: Option<(bool, i64)> = sqlx::query_as(
        "SELECT retired, (SELECT count(*) FROM building WHERE block_id = b.id) FROM block b WHERE id = $1 FOR UPDATE",
    )
    .bind(block)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((retired, buildings)) = row else {
        return Err(BlockError::UnknownBlock(block));
    };
    if retired {
        return Err(BlockError::AlreadySplit(block));
    }
    let pieces_sql = match cut {
        Cut::BuildingCells if buildings < 2 => {
            return Err(BlockError::TooFewBuildings { block, buildings })
        }
        Cut::Units(_) if buildings != 1 => return Err(BlockError::NotOneBuilding { block, buildings }),
        // strips across the longer side of the building's box (in metres), cut at equal steps along the building;
        // the outer strips reach the block's edges
        Cut::Units(_) => {
            "f AS (SELECT footprint AS g FROM building WHERE block_id = $1),
             e AS (SELECT ST_XMin(f.g) x0, ST_XMax(f.g) x1, ST_YMin(f.g) y0, ST_YMax(f.g) y1,
                          ST_XMin(b.geom) - 1e-6 bx0, ST_XMax(b.geom) + 1e-6 bx1,
                          ST_YMin(b.geom) - 1e-6 by0, ST_YMax(b.geom) + 1e-6 by1,
                          (ST_XMax(f.g) - ST_XMin(f.g)) * cos(radians(ST_Y(ST_Centroid(f.g))))
                            >= ST_YMax(f.g) - ST_YMin(f.g) AS along_x
                   FROM f, b),
             s AS (SELECT CASE WHEN along_x THEN ST_MakeEnvelope(
                            CASE WHEN i = 0 THEN bx0 ELSE x0 + (x1 - x0) * i / $2 END, by0,
                            CASE WHEN i = $2 - 1 THEN bx1 ELSE x0 + (x1 - x0) * (i + 1) / $2 END, by1, 4326)
                          ELSE ST_MakeEnvelope(
                            bx0, CASE WHEN i = 0 THEN by0 ELSE y0 + (y1 - y0) * i / $2 END,
                            bx1, CASE WHEN i = $2 - 1 THEN by1 ELSE y0 + (y1 - y0) * (i + 1) / $2 END, 4326)
                          END AS g
                   FROM e, generate_series(0, $2 - 1) i),
             c AS (SELECT ST_Multi(ST_CollectionExtract(ST_Intersection(s.g, b.geom), 3)) AS g FROM s, b)"
        }
        Cut::BuildingCells => {
            "pts AS (SELECT ST_Collect(ST_PointOnSurface(footprint)) AS g FROM building WHERE block_id = $1),
             v AS (SELECT (ST_Dump(ST_VoronoiPolygons(pts.g, 0, b.geom))).geom AS g FROM pts, b),
             c AS (SELECT ST_Multi(ST_CollectionExtract(ST_Intersection(v.g, b.geom), 3)) AS g FROM v, b)"
        }
        Cut::Line(_) => {
            "c AS (SELECT ST_Multi((ST_Dump(ST_CollectionExtract(ST_Split(b.geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 3))).geom) AS g FROM b)"
        }
    };
    let sql = format!(
        "WITH b AS (SELECT id, community_code, district_code, geom FROM block WHERE id = $1), {pieces_sql}
         INSERT INTO block (community_code, district_code, parent_id, geom, area_m2)
         SELECT b.community_code, b.district_code, b.id, c.g, ST_Area(c.g::geography) FROM c, b WHERE NOT ST_IsEmpty(c.g)
         RETURNING id"
    );
    let mut query = sqlx::query_scalar(&sql).bind(block);
    match cut {
        Cut::Line(line) => query = query.bind(line),
        Cut::Units(units) => query = query.bind(units),
        Cut::BuildingCells => {}
    }
    let cells: Vec<i64> = query.fetch_all(&mut *tx).await?;
    if cells.len() < 2 {
        return Err(BlockError::LineDoesNotCut(block));
    }
    sqlx::query("UPDATE block SET retired = true WHERE id = $1").bind(block).execute(&mut *tx).await?;
    assign_buildings(tx, block).await?;
    if let Cut::Units(_) = cut {
        share_households(tx, block).await?;
    }
    record_piece_adjacency(tx, block).await?;
    Ok(SplitSummary { parent: block, cells })
}
