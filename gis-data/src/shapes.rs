//! Polygon shapefiles (e.g. census tracts) with one attribute chosen as the feature's name.

use std::path::Path;

use geo::MultiPolygon;

/// Why a shapefile could not be read.
#[derive(Debug, thiserror::Error)]
#[error("shapefile {path}: {message}")]
pub struct ShapeError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Read every polygon record of `path` (`.shp` with its `.dbf`), naming each by the attribute `name_field`.
pub fn read_polygons(path: &Path, name_field: &str) -> Result<Vec<(String, MultiPolygon<f64>)>, ShapeError> {
    let err = |message: String| ShapeError { path: path.display().to_string(), message };
    let mut reader = shapefile::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, record) = item.map_err(|e| err(e.to_string()))?;
        let name = match record.get(name_field) {
            Some(shapefile::dbase::FieldValue::Character(Some(s))) => s.trim().to_owned(),
            Some(shapefile::dbase::FieldValue::Numeric(Some(n))) => n.to_string(),
            other => return Err(err(format!("field {name_field:?} missing or empty: {other:?}"))),
        };
        let polygon = match shape {
            shapefile::Shape::Polygon(p) => p,
            other => return Err(err(format!("expected polygons, found {}", other.shapetype()))),
        };
        let mp: MultiPolygon<f64> = polygon.into();
        out.push((name, mp));
    }
    Ok(out)
}

/// An attribute value of a zipped shapefile's records.
#[derive(Debug, Clone, PartialEq)]
pub enum Attribute {
    /// Text (a character field, UTF-8).
    Text(String),
    /// A whole number (a numeric field).
    Number(i64),
}

/// One polygon feature of a zipped shapefile.
#[derive(Debug, Clone)]
pub struct ShapeFeature {
    /// Attributes by field name (10 characters at most; dBase's limit).
    pub attributes: Vec<(String, Attribute)>,
    /// The polygon, WGS84.
    pub polygon: MultiPolygon<f64>,
}

/// The WGS84 projection file every written shapefile carries.
const WGS84_PRJ: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

fn zip_err(e: impl std::fmt::Display) -> ShapeError {
    ShapeError { path: "(zip)".into(), message: e.to_string() }
}

/// Write polygon features as a zipped shapefile named `stem` (`.shp`, `.shx`, `.dbf` in UTF-8, `.prj` WGS84,
/// `.cpg`). Every feature must have the same fields as the first.
pub fn write_zip(stem: &str, features: &[ShapeFeature]) -> Result<Vec<u8>, ShapeError> {
    use std::io::{Cursor, Write};
    let (mut shp, mut shx, mut dbf) = (Cursor::new(Vec::new()), Cursor::new(Vec::new()), Cursor::new(Vec::new()));
    {
        let mut table = shapefile::dbase::TableWriterBuilder::new();
        for (name, value) in features.first().map(|f| f.attributes.as_slice()).unwrap_or_default() {
            let field = shapefile::dbase::FieldName::try_from(name.as_str()).map_err(|e| zip_err(format!("{e:?}")))?;
            table = match value {
                Attribute::Text(_) => table.add_character_field(field, 254),
                Attribute::Number(_) => table.add_numeric_field(field, 12, 0),
            };
        }
        let mut writer = shapefile::Writer::new(
            shapefile::ShapeWriter::with_shx(&mut shp, &mut shx),
            table.build_with_dest(&mut dbf),
        );
        for f in features {
            let mut record = shapefile::dbase::Record::default();
            for (name, value) in &f.attributes {
                let v = match value {
                    Attribute::Text(s) => shapefile::dbase::FieldValue::Character(Some(s.clone())),
                    Attribute::Number(n) => shapefile::dbase::FieldValue::Numeric(Some(*n as f64)),
                };
                record.insert(name.clone(), v);
            }
            let polygon = shapefile::Polygon::from(f.polygon.clone());
            writer.write_shape_and_record(&polygon, &record).map_err(zip_err)?;
        }
    }
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (ext, bytes) in [
        ("shp", shp.into_inner()),
        ("shx", shx.into_inner()),
        ("dbf", dbf.into_inner()),
        ("prj", WGS84_PRJ.as_bytes().to_vec()),
        ("cpg", b"UTF-8".to_vec()),
    ] {
        zip.start_file(format!("{stem}.{ext}"), options).map_err(zip_err)?;
        zip.write_all(&bytes).map_err(zip_err)?;
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
}

/// Bounds on unpacking an uploaded archive, so a small zip cannot expand into gigabytes (a zip bomb). The sizes an
/// archive declares are checked before anything is unpacked, and what is actually unpacked is counted as it comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    /// Entries in the archive.
    pub max_entries: usize,
    /// Uncompressed bytes of one entry.
    pub max_entry_bytes: u64,
    /// Uncompressed bytes of all entries together.
    pub max_total_bytes: u64,
    /// Uncompressed ÷ compressed size of an entry (a padded `.dbf` compresses about 100:1; bombs far more).
    pub max_ratio: u64,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        Self { max_entries: 64, max_entry_bytes: 64 << 20, max_total_bytes: 128 << 20, max_ratio: 1000 }
    }
}

/// Why an uploaded zipped shapefile was refused.
#[derive(Debug, thiserror::Error)]
pub enum ZipReadError {
    /// The archive exceeds an [`UnpackLimits`] bound.
    #[error("the archive is too large to unpack: {0}")]
    TooLarge(String),
    /// The archive or the shapefile in it is malformed.
    #[error(transparent)]
    Invalid(#[from] ShapeError),
}

/// Check what the archive declares against `limits` before unpacking anything.
fn check_declared<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &UnpackLimits,
) -> Result<(), ZipReadError> {
    let too_large = |why: String| Err(ZipReadError::TooLarge(why));
    if archive.len() > limits.max_entries {
        return too_large(format!("{} entries (at most {})", archive.len(), limits.max_entries));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(zip_err)?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        if size > limits.max_entry_bytes {
            return too_large(format!(
                "{} unpacks to {size} bytes (at most {} per entry)",
                entry.name(),
                limits.max_entry_bytes
            ));
        }
        if size / packed > limits.max_ratio {
            return too_large(format!(
                "{} expands {}-fold (at most {})",
                entry.name(),
                size / packed,
                limits.max_ratio
            ));
        }
        total += size;
    }
    if total > limits.max_total_bytes {
        return too_large(format!("{total} bytes unpacked in all (at most {})", limits.max_total_bytes));
    }
    Ok(())
}

/// Read the polygon features of a zipped shapefile (the first `.shp` in the archive, with its `.shx` and `.dbf`),
/// within `limits`.
pub fn read_zip(bytes: &[u8], limits: &UnpackLimits) -> Result<Vec<ShapeFeature>, ZipReadError> {
    use std::io::{Cursor, Read};
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_err)?;
    check_declared(&mut archive, limits)?;
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    let shp_name = names
        .iter()
        .find(|n| n.to_lowercase().ends_with(".shp"))
        .ok_or_else(|| zip_err("no .shp file in the archive"))?;
    let stem = &shp_name[..shp_name.len() - 4];
    let mut unpacked = 0u64;
    let mut part = |ext: &str| -> Result<Vec<u8>, ZipReadError> {
        let name = names
            .iter()
            .find(|n| n.len() == stem.len() + 4 && n.starts_with(stem) && n.to_lowercase().ends_with(ext))
            .ok_or_else(|| zip_err(format!("no {ext} file beside {shp_name}")))?
            .clone();
        // Declared sizes can lie: count what actually comes out.
        let allowed = limits.max_entry_bytes.min(limits.max_total_bytes - unpacked.min(limits.max_total_bytes));
        let mut out = Vec::new();
        archive.by_name(&name).map_err(zip_err)?.take(allowed + 1).read_to_end(&mut out).map_err(zip_err)?;
        if out.len() as u64 > allowed {
            return Err(ZipReadError::TooLarge(format!("{name} unpacks to more than it declares or than is allowed")));
        }
        unpacked += out.len() as u64;
        Ok(out)
    };
    let (shp, shx, dbf) = (part(".shp")?, part(".shx")?, part(".dbf")?);
    let shapes = shapefile::ShapeReader::with_shx(Cursor::new(shp), Cursor::new(shx)).map_err(zip_err)?;
    let table = shapefile::dbase::Reader::new(Cursor::new(dbf)).map_err(zip_err)?;
    let mut reader = shapefile::Reader::new(shapes, table);
    let mut out = Vec::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, record) = item.map_err(zip_err)?;
        let polygon: MultiPolygon<f64> = match shape {
            shapefile::Shape::Polygon(p) => p.into(),
            other => return Err(zip_err(format!("expected polygons, found {}", other.shapetype())).into()),
        };
        let attributes = record
            .into_iter()
            .filter_map(|(name, value)| match value {
                shapefile::dbase::FieldValue::Character(Some(s)) => Some((name, Attribute::Text(s.trim().to_owned()))),
                shapefile::dbase::FieldValue::Numeric(Some(n)) => Some((name, Attribute::Number(n as i64))),
                _ => None,
            })
            .collect();
        out.push(ShapeFeature { attributes, polygon });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn a_zipped_shapefile_round_trips_polygons_and_chinese_names() {
        let square = polygon![(x: 118.9, y: 31.8), (x: 118.91, y: 31.8), (x: 118.91, y: 31.81), (x: 118.9, y: 31.81), (x: 118.9, y: 31.8)];
        let features = vec![ShapeFeature {
            attributes: vec![
                ("CODE".into(), Attribute::Text("990101001001001".into())),
                ("NAME".into(), Attribute::Text("一网格".into())),
                ("HOUSEHOLDS".into(), Attribute::Number(301)),
            ],
            polygon: MultiPolygon(vec![square]),
        }];
        let bytes = write_zip("grids", &features).unwrap();
        let back = read_zip(&bytes, &UnpackLimits::default()).unwrap();
        assert_eq!(back.len(), 1);
        let attr = |k: &str| back[0].attributes.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(attr("NAME"), Some(Attribute::Text("一网格".into())));
        assert_eq!(attr("HOUSEHOLDS"), Some(Attribute::Number(301)));
        let area = |mp: &MultiPolygon<f64>| geo::Area::unsigned_area(mp);
        assert!((area(&back[0].polygon) - area(&features[0].polygon)).abs() < 1e-12);
        assert!(read_zip(b"not a zip", &UnpackLimits::default()).is_err());
    }

    fn zip_of(entries: &[(&str, usize)]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, zeros) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(&vec![0u8; *zeros]).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn archives_past_the_limits_are_refused_before_unpacking() {
        let limits = UnpackLimits { max_entries: 3, max_entry_bytes: 50_000, max_total_bytes: 80_000, max_ratio: 100 };
        let too_large = |bytes: &[u8]| matches!(read_zip(bytes, &limits), Err(ZipReadError::TooLarge(_)));
        assert!(too_large(&zip_of(&[("a.shp", 60_000)])), "one entry over the entry limit");
        assert!(too_large(&zip_of(&[("a.shp", 40_000)])), "40 kB of zeros expand far more than 100-fold");
        assert!(too_large(&zip_of(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)])), "too many entries");
        let relaxed = UnpackLimits { max_ratio: 100_000, ..limits };
        assert!(matches!(
            read_zip(&zip_of(&[("a.shp", 45_000), ("a.dbf", 45_000)]), &relaxed),
            Err(ZipReadError::TooLarge(_))
        ));
        assert!(matches!(read_zip(&zip_of(&[("a.txt", 10)]), &limits), Err(ZipReadError::Invalid(_))));
    }
}
