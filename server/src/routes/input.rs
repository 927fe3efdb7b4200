//! Turning request pieces into domain values, with a 4xx and a reason for anything malformed.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use wangge_api::error::ErrorCode;
use wangge_domain::boundary::{Boundary, LonLat};
use wangge_gis_data::boundaries::{parse_boundary_value, Datum};

use crate::error::ApiError;

/// A code path segment, parsed (`400 bad_code` when malformed).
pub fn code<C: std::str::FromStr<Err = wangge_domain::codes::CodeError>>(s: &str) -> Result<C, ApiError> {
    s.parse().map_err(|e: wangge_domain::codes::CodeError| ApiError::bad_request(ErrorCode::BadCode, e.to_string()))
}

/// One GeoJSON area (geometry or Feature), WGS84 unless `gcj02`, validated.
pub fn boundary(value: &Value, gcj02: bool) -> Result<Boundary, ApiError> {
    let datum = if gcj02 { Datum::Gcj02 } else { Datum::Wgs84 };
    let mut features = parse_boundary_value(value.clone(), datum)
        .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidGeometry, e.to_string()))?;
    match features.len() {
        1 => Ok(features.remove(0).boundary),
        n => Err(ApiError::unprocessable(ErrorCode::InvalidGeometry, format!("expected one area, got {n} features"))),
    }
}

/// A position from query or body values.
pub fn lon_lat(lon: f64, lat: f64) -> Result<LonLat, ApiError> {
    LonLat::new(lon, lat).map_err(|e| ApiError::bad_request(ErrorCode::BadCoordinates, e.to_string()))
}

/// An `at` moment: RFC 3339 or a plain date (midnight UTC); now when absent.
pub fn at(value: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    match value {
        None => Ok(Utc::now()),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .or_else(|_| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
            })
            .map_err(|_| {
                ApiError::bad_request(ErrorCode::BadTime, format!("{s:?} is neither RFC 3339 nor YYYY-MM-DD"))
            }),
    }
}

/// A name or label as people type it (see [`wangge_domain::text`]), trimmed; `422 bad_text` naming the field.
pub fn label(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    wangge_domain::text::label(raw, max)
        .map_err(|e| ApiError::unprocessable(ErrorCode::BadText, format!("{field} {e}")))
}

/// Multi-line text of at most `max` characters (a description, an opinion); 422 naming `field` otherwise.
pub fn paragraph(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    wangge_domain::text::paragraph(raw, max)
        .map_err(|e| ApiError::unprocessable(ErrorCode::BadText, format!("{field} {e}")))
}

/// A bounding box `west,south,east,north` in degrees.
pub fn bbox(raw: &str) -> Result<[f64; 4], ApiError> {
    let bad = || ApiError::bad_request(ErrorCode::BadQuery, "bbox is west,south,east,north in degrees");
    let v: Vec<f64> = raw.split(',').map(|x| x.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
    match v[..] {
        [w, s, e, n]
            if w < e
                && s < n
                && (-180.0..=180.0).contains(&w)
                && (-180.0..=180.0).contains(&e)
                && (-90.0..=90.0).contains(&s)
                && (-90.0..=90.0).contains(&n) =>
        {
            Ok([w, s, e, n])
        }
        _ => Err(bad()),
    }
}
