//! Official street and community names and codes from CSV (the `china-division` layout:
//! `code,name,streetCode,…` for communities, `code,name,areaCode,…` for streets).

use std::io::Read;
use std::str::FromStr;

use wangge_domain::codes::{CodeError, CommunityCode, StreetCode};

/// One row: an official code and name. `Division<StreetCode>` for streets, `Division<CommunityCode>` for
/// communities.
#[derive(Debug, Clone, PartialEq)]
pub struct Division<C> {
    /// The code (9 digits for a street, 12 for a community).
    pub code: C,
    /// Official name.
    pub name: String,
}

/// Streets as read from CSV.
pub type StreetRow = Division<StreetCode>;
/// Communities as read from CSV.
pub type CommunityRow = Division<CommunityCode>;

/// Why a division file was refused.
#[derive(Debug, thiserror::Error)]
pub enum DivisionError {
    /// CSV syntax.
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A required column is missing.
    #[error("missing column {0:?}")]
    Column(&'static str),
    /// A code is malformed.
    #[error("row {row}: {source}")]
    Code {
        /// 1-based data row.
        row: usize,
        /// Why.
        source: CodeError,
    },
}

/// Read a division CSV with `code` and `name` columns; every code must parse as `C`.
///
/// ```
/// use wangge_domain::codes::CommunityCode;
/// use wangge_gis_data::divisions::{read_divisions, CommunityRow};
/// let csv = "code,name,streetCode\n320115001001,\"中前社区居委会\",320115001\n";
/// let rows: Vec<CommunityRow> = read_divisions(csv.as_bytes()).unwrap();
/// assert_eq!(rows[0].code.street().as_str(), "320115001");
/// assert!(read_divisions::<CommunityCode, _>("code,name\n3201,x\n".as_bytes()).is_err());
/// ```
pub fn read_divisions<C, R>(input: R) -> Result<Vec<Division<C>>, DivisionError>
where
    C: FromStr<Err = CodeError>,
    R: Read,
{
    let mut rdr = csv::Reader::from_reader(input);
    let headers = rdr.headers()?.clone();
    let col = |name: &'static str| headers.iter().position(|h| h == name).ok_or(DivisionError::Column(name));
    let (code, name) = (col("code")?, col("name")?);
    rdr.records()
        .enumerate()
        .map(|(i, r)| {
            let r = r?;
            Ok(Division {
                code: r[code].parse().map_err(|source| DivisionError::Code { row: i + 1, source })?,
                name: r[name].to_owned(),
            })
        })
        .collect()
}
