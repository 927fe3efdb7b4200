//! Incident density, the application service: a view (time window, categories, states, viewport, bin size) scoped
//! to the viewer's areas, counted from the incident store; the areas' households and residents come from the
//! database for the rates.

use chrono::{DateTime, Utc};
use h3o::Resolution;
use wangge_api::cases::CaseSummary;
use wangge_api::density::{
    AreaDensity, AreaLevel, Bins, ClassSeries, Comparison, EmergingBins, Interval, RepeatPlace, Series,
};
use wangge_api::error::ErrorCode;
use wangge_domain::case::CaseState;

use crate::auth::principal::Staff;
use crate::cases::seer;
use crate::error::{ApiError, ApiResult};
use crate::incidents::density::{self, Place, Query};
use crate::incidents::select::Selection;
use crate::state::AppState;
use crate::store::cases::Seer;
use crate::store::density as store;
use crate::write::{Touches, Writer};

/// A density view as asked for.
#[derive(Debug, Clone)]
pub struct View {
    /// Reported from.
    pub from: DateTime<Utc>,
    /// Reported before.
    pub to: DateTime<Utc>,
    /// Minor category or major class codes (empty: any).
    pub categories: Vec<String>,
    /// States (empty: any).
    pub states: Vec<CaseState>,
    /// West, south, east, north.
    pub bbox: Option<[f64; 4]>,
}

async fn query(state: &AppState, staff: &Staff, view: View) -> ApiResult<Query> {
    if view.to <= view.from {
        return Err(ApiError::bad_request(ErrorCode::BadQuery, "`to` must be after `from`"));
    }
    Ok(Query {
        selection: Selection { seer: seer(state, staff).await?, categories: view.categories, states: view.states },
        from: view.from.timestamp_micros(),
        to: view.to.timestamp_micros(),
        bbox: view.bbox,
    })
}

/// The H3 resolution of a bin size (5: about 8 km across … 11: about 50 m).
pub fn resolution(level: u8) -> ApiResult<Resolution> {
    match Resolution::try_from(level) {
        Ok(r) if (5..=11).contains(&level) => Ok(r),
        _ => Err(ApiError::bad_request(ErrorCode::BadQuery, "resolution must be 5 (coarsest) to 11 (finest)")),
    }
}

/// The view's hexagon bins at `resolution`; with `hot`, the Gi* hot-spot class of each (and of the empty ring).
pub async fn bins(state: &AppState, staff: &Staff, view: View, resolution: Resolution, hot: bool) -> ApiResult<Bins> {
    let q = query(state, staff, view).await?;
    let (binned, total) = density::bins(&state.incidents.read(), &q, resolution);
    Ok(if hot { density::hotspots(&binned, total, resolution) } else { density::answer(&binned, total, resolution) })
}

/// Incidents per area at `level`, with the previous period and the rates per household and resident; busiest
/// first.
pub async fn areas(state: &AppState, staff: &Staff, view: View, level: AreaLevel) -> ApiResult<Vec<AreaDensity>> {
    let q = query(state, staff, view).await?;
    let counted = density::by_area(&state.incidents.read(), &q, level);
    let codes: Vec<String> = counted.iter().map(|(c, _, _)| c.clone()).collect();
    let sizes: std::collections::HashMap<String, (Option<String>, i64, i64)> =
        store::sizes(&state.pool, level, &codes).await?.into_iter().map(|(c, n, h, r)| (c, (n, h, r))).collect();
    let rate = |n: u64, per: f64, of: i64| (of > 0).then(|| (n as f64 * per / of as f64 * 100.0).round() / 100.0);
    Ok(counted
        .into_iter()
        .map(|(code, count, previous)| {
            let (name, households, residents) = sizes.get(&code).cloned().unwrap_or((None, 0, 0));
            AreaDensity {
                per_100_households: rate(count, 100.0, households),
                per_1000_residents: rate(count, 1000.0, residents),
                code,
                name,
                count,
                previous,
                households,
                residents,
            }
        })
        .collect())
}

/// Places where the same problem was reported at least `min` times in the view's window (cells of `resolution`).
pub async fn repeats(
    state: &AppState,
    staff: &Staff,
    view: View,
    resolution: Resolution,
    min: u32,
) -> ApiResult<Vec<RepeatPlace>> {
    let q = query(state, staff, view).await?;
    Ok(density::repeats(&state.incidents.read(), &q, resolution, min.max(2)))
}

/// Emerging hot spots of the view's window cut into `slices` (2 to 24) equal slices, at `resolution`.
pub async fn emerging(
    state: &AppState,
    staff: &Staff,
    view: View,
    resolution: Resolution,
    slices: usize,
) -> ApiResult<EmergingBins> {
    if !(2..=24).contains(&slices) {
        return Err(ApiError::bad_request(ErrorCode::BadQuery, "slices must be 2 to 24"));
    }
    let q = query(state, staff, view).await?;
    let (bins, bounds) = density::emerging(&state.incidents.read(), &q, resolution, slices);
    let at = |micros: i64| DateTime::from_timestamp_micros(micros).unwrap_or_default();
    Ok(EmergingBins {
        resolution: u8::from(resolution),
        slices: bounds.into_iter().map(|(from, to)| (at(from), at(to))).collect(),
        bins,
    })
}

/// Bins under this many incidents are left off the public map: nobody's own problem can be read off it.
pub const PUBLIC_MIN_BIN: u32 = 5;

/// The public density map: the accepted cases of the districts that publish it, sensitive categories left out,
/// reported in the last `days` days inside `bbox`, in bins no finer than resolution 9 and of at least
/// [`PUBLIC_MIN_BIN`] incidents.
pub async fn public_bins(state: &AppState, bbox: [f64; 4], level: u8, days: i64) -> ApiResult<Bins> {
    let resolution = resolution(level.min(9))?;
    let districts = store::publishing_districts(&state.pool).await?;
    if districts.is_empty() {
        return Ok(density::answer(&[], 0, resolution));
    }
    let states = CaseState::ALL
        .iter()
        .copied()
        .filter(|s| s.is_accepted() && !matches!(s, CaseState::Merged | CaseState::Voided))
        .collect();
    let to = Utc::now();
    let q = Query {
        selection: Selection {
            seer: Seer::Areas(districts),
            categories: store::public_categories(&state.pool).await?,
            states,
        },
        from: (to - chrono::Duration::days(days)).timestamp_micros(),
        to: to.timestamp_micros(),
        bbox: Some(bbox),
    };
    let (binned, _) = density::bins(&state.incidents.read(), &q, resolution);
    let kept: Vec<_> = binned.into_iter().filter(|(_, n)| *n >= PUBLIC_MIN_BIN).collect();
    let total = kept.iter().map(|(_, n)| u64::from(*n)).sum();
    Ok(density::answer(&kept, total, resolution))
}

/// Whether the admin's district publishes its incident density.
pub async fn published(state: &AppState, staff: &Staff) -> ApiResult<bool> {
    Ok(store::publishes(&state.pool, staff.district.as_str()).await?)
}

/// Publish the admin's district's incident density on the public map, or stop.
pub async fn publish(state: &AppState, writer: Writer, staff: &Staff, on: bool) -> ApiResult<bool> {
    let mut w = writer.begin(state).await?;
    if !store::set_publishes(w.conn(), staff.district.as_str(), on).await? {
        return Err(ApiError::not_found("district", staff.district.as_str()));
    }
    let entry = serde_json::json!({ "district": staff.district.as_str(), "public_density": on });
    w.finish(actix_web::http::StatusCode::OK, &entry, Touches::Nothing).await?;
    Ok(on)
}

/// The view's bins in its window and in the window of the same length before (the difference map).
pub async fn compare(state: &AppState, staff: &Staff, view: View, resolution: Resolution) -> ApiResult<Comparison> {
    let q = query(state, staff, view).await?;
    let (bins, total, previous_total) = density::compare(&state.incidents.read(), &q, resolution);
    Ok(Comparison { resolution: u8::from(resolution), total, previous_total, bins })
}

/// The cases of the view in one hexagon (`cell`) or one area (`area` at `level`), newest first: how many, and the
/// first 50.
pub async fn cases_at(
    state: &AppState,
    staff: &Staff,
    view: View,
    cell: Option<&str>,
    area: Option<(AreaLevel, &str)>,
) -> ApiResult<(usize, Vec<CaseSummary>)> {
    let place = match (cell, area) {
        (Some(cell), None) => {
            let bad = || ApiError::bad_request(ErrorCode::BadQuery, "cell: an H3 cell of resolution 5 to 11");
            let cell: h3o::CellIndex = cell.parse().map_err(|_| bad())?;
            if !(5..=11).contains(&u8::from(cell.resolution())) {
                return Err(bad());
            }
            Place::Cell(cell)
        }
        (None, Some((level, code))) => Place::Area(level, code.to_owned()),
        _ => return Err(ApiError::bad_request(ErrorCode::BadQuery, "give either cell or area")),
    };
    let q = query(state, staff, view).await?;
    let (ids, total) = density::cases_at(&state.incidents.read(), &q, &place, 50);
    Ok((total, crate::store::cases::summaries(&mut *state.pool.acquire().await?, &ids).await?))
}

/// The starts of the intervals of `interval` from `from` to `to`, at midnight China time (at most 400).
fn interval_starts(from: DateTime<Utc>, to: DateTime<Utc>, interval: Interval) -> ApiResult<Vec<DateTime<Utc>>> {
    use chrono::{Datelike, Months, TimeZone};
    let china = wangge_domain::case::clock::china();
    let day = from.with_timezone(&china).date_naive();
    let first = match interval {
        Interval::Day => day,
        Interval::Week => day - chrono::Duration::days(day.weekday().num_days_from_monday() as i64),
        Interval::Month => day.with_day(1).unwrap_or(day),
    };
    let mut starts = Vec::new();
    let mut at = first;
    loop {
        let start = china.from_local_datetime(&at.and_hms_opt(0, 0, 0).unwrap_or_default()).single();
        let Some(start) = start.map(|s| s.with_timezone(&Utc)) else { break };
        if start >= to {
            break;
        }
        if starts.len() == 400 {
            return Err(ApiError::bad_request(ErrorCode::BadQuery, "at most 400 intervals: a longer interval"));
        }
        starts.push(start);
        at = match interval {
            Interval::Day => at + chrono::Duration::days(1),
            Interval::Week => at + chrono::Duration::days(7),
            Interval::Month => at.checked_add_months(Months::new(1)).unwrap_or(at),
        };
    }
    Ok(starts)
}

/// The view's incidents per major class and interval (the time-series chart).
pub async fn series(state: &AppState, staff: &Staff, view: View, interval: Interval) -> ApiResult<Series> {
    let starts = interval_starts(view.from, view.to, interval)?;
    let q = query(state, staff, view).await?;
    let micros: Vec<i64> = starts.iter().map(|s| s.timestamp_micros()).collect();
    let found = density::series(&state.incidents.read(), &q, &micros);
    let codes: Vec<String> = found.iter().map(|(c, _)| c.clone()).collect();
    let names: std::collections::HashMap<String, String> =
        crate::store::catalogue::major_names(&state.pool, &codes).await?.into_iter().collect();
    Ok(Series {
        starts,
        classes: found
            .into_iter()
            .map(|(code, counts)| ClassSeries {
                name: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                code,
                counts,
            })
            .collect(),
    })
}

/// A density tile of the viewer's cases: the window is `days` whole China-time days up to and including `end`
/// (default today), so a tile's cache entry holds for the day; categories and states as in a view.
pub async fn tile(
    state: &AppState,
    staff: &Staff,
    categories: Vec<String>,
    states: Vec<CaseState>,
    days: i64,
    end: Option<chrono::NaiveDate>,
    tile: wangge_tiles::TileId,
) -> ApiResult<(std::sync::Arc<Vec<u8>>, bool)> {
    use chrono::TimeZone;
    let china = wangge_domain::case::clock::china();
    let end = end.unwrap_or_else(|| Utc::now().with_timezone(&china).date_naive());
    let midnight = |d: chrono::NaiveDate| {
        china.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).single().map(|t| t.with_timezone(&Utc))
    };
    let bad = || ApiError::bad_request(ErrorCode::BadQuery, "end: a date");
    let to = midnight(end + chrono::Duration::days(1)).ok_or_else(bad)?;
    let from = midnight(end - chrono::Duration::days(days - 1)).ok_or_else(bad)?;
    let seer = seer(state, staff).await?;
    let key = format!("{seer:?}|{categories:?}|{states:?}|{from}|{to}");
    let q = query(state, staff, View { from, to, categories, states, bbox: None }).await?;
    let incidents = &state.incidents;
    Ok(incidents.tiles.get_or(tile, &key, || crate::incidents::tiles::encode(&incidents.read(), &q, tile)))
}

/// Points drawn at the most for a heat surface.
pub const MAX_POINTS: usize = 20_000;

/// The positions of the view's cases (a viewport is required), newest first, for the heat surface drawn where the
/// map zooms past the bins: at most [`MAX_POINTS`], and how many there are.
pub async fn points(state: &AppState, staff: &Staff, view: View) -> ApiResult<(usize, Vec<(f32, f32)>)> {
    if view.bbox.is_none() {
        return Err(ApiError::bad_request(ErrorCode::BadQuery, "points need a bbox"));
    }
    let q = query(state, staff, view).await?;
    let (points, total) = density::points(&state.incidents.read(), &q, MAX_POINTS);
    Ok((total, points))
}
