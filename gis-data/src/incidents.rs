//! Historical incidents from CSV, by a column mapping: when each was reported (and closed), its category, where
//! it was, and what was said. Presets map the two real sets in the shared data — 178k San Francisco incidents and
//! 10k Los Angeles 311 requests with their whole life — and any other export can be described the same way.

use std::io::Read;

use chrono::NaiveDateTime;

/// Which columns hold what, and how times are written.
#[derive(Debug, Clone, Copy)]
pub struct Mapping {
    /// Reported-at column.
    pub reported: &'static str,
    /// Closed-at column, if the set has one.
    pub closed: Option<&'static str>,
    /// `chrono` format of the time columns.
    pub time_format: &'static str,
    /// Category column.
    pub category: &'static str,
    /// Longitude column (WGS84).
    pub lon: &'static str,
    /// Latitude column (WGS84).
    pub lat: &'static str,
    /// Channel column, if any (`Call`, `Mobile App`, …).
    pub channel: Option<&'static str>,
    /// Address column, if any.
    pub address: Option<&'static str>,
    /// Description column, if any.
    pub description: Option<&'static str>,
    /// The source's own id column, if any.
    pub id: Option<&'static str>,
    /// Hours the local times are ahead of UTC (San Francisco and Los Angeles: −8, daylight saving not applied).
    pub utc_offset_hours: i32,
}

/// San Francisco incidents 2013–2015 (`sf-crime/sf_crime_2013_2015.csv`).
pub const SF_CRIME: Mapping = Mapping {
    reported: "Dates",
    closed: None,
    time_format: "%Y-%m-%d %H:%M:%S",
    category: "Category",
    lon: "X",
    lat: "Y",
    channel: None,
    address: Some("Address"),
    description: Some("Descript"),
    id: None,
    utc_offset_hours: -8,
};

/// Los Angeles 311 requests 2020 (`la311/la311_requests_2020.csv`).
pub const LA_311: Mapping = Mapping {
    reported: "createddate",
    closed: Some("closeddate"),
    time_format: "%m/%d/%y %H:%M",
    category: "requesttype",
    lon: "longitude",
    lat: "latitude",
    channel: Some("requestsource"),
    address: Some("address"),
    description: Some("actiontaken"),
    id: Some("srnumber"),
    utc_offset_hours: -8,
};

/// One incident as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The source's id.
    pub source_id: Option<String>,
    /// Reported (local time).
    pub reported: NaiveDateTime,
    /// Closed (local time), when the set says.
    pub closed: Option<NaiveDateTime>,
    /// The source's category.
    pub category: String,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// How it came in, as the source says.
    pub channel: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// Not CSV.
    #[error("incidents CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A mapped column is not in the header.
    #[error("incidents CSV has no column {0:?}")]
    NoColumn(String),
}

/// Read the incidents of `input` by `mapping`. Rows without a usable time, category or position (outside the
/// WGS84 range, or 0/0, or latitude 90 as some exports write for "unknown") are skipped and counted.
pub fn read_incidents(input: impl Read, mapping: &Mapping) -> Result<(Vec<Incident>, usize), IncidentError> {
    let mut rdr = csv::Reader::from_reader(input);
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| IncidentError::NoColumn(name.into()));
    let opt = |name: Option<&str>| name.map(col).transpose();
    let (reported, category, lon, lat) =
        (col(mapping.reported)?, col(mapping.category)?, col(mapping.lon)?, col(mapping.lat)?);
    let (closed, channel, address, description, id) = (
        opt(mapping.closed)?,
        opt(mapping.channel)?,
        opt(mapping.address)?,
        opt(mapping.description)?,
        opt(mapping.id)?,
    );
    let (mut out, mut skipped) = (Vec::new(), 0);
    for row in rdr.records() {
        let row = row?;
        let text =
            |i: Option<usize>| i.and_then(|i| row.get(i)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let time = |i: Option<usize>| text(i).and_then(|t| NaiveDateTime::parse_from_str(&t, mapping.time_format).ok());
        let number = |i: usize| row.get(i).and_then(|v| v.trim().parse::<f64>().ok());
        let (Some(when), Some(cat), Some(x), Some(y)) =
            (time(Some(reported)), text(Some(category)), number(lon), number(lat))
        else {
            skipped += 1;
            continue;
        };
        if !(-180.0..=180.0).contains(&x) || !(-89.9..=89.9).contains(&y) || (x == 0.0 && y == 0.0) {
            skipped += 1;
            continue;
        }
        out.push(Incident {
            source_id: text(id),
            reported: when,
            closed: time(closed),
            category: cat,
            lon: x,
            lat: y,
            channel: text(channel),
            address: text(address),
            description: text(description),
        });
    }
    Ok((out, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn la311_rows_map_with_their_life_and_bad_positions_are_skipped() {
        let csv = "srnumber,requesttype,status,actiontaken,createddate,updateddate,servicedate,closeddate,requestsource,latitude,longitude,address\n\
                   1-1,Illegal Dumping Pickup,Closed,SR Created,1/1/20 0:05,1/2/20 8:43,,1/2/20 8:43,Call,34.19,-118.49,\"16815 W VANOWEN ST\"\n\
                   1-2,Graffiti Removal,Open,,1/3/20 10:00,,,,Mobile App,0,0,\n";
        let (rows, skipped) = read_incidents(csv.as_bytes(), &LA_311).unwrap();
        assert_eq!((rows.len(), skipped), (1, 1));
        assert_eq!(rows[0].closed.unwrap().to_string(), "2020-01-02 08:43:00");
        assert_eq!(rows[0].channel.as_deref(), Some("Call"));
        assert!(read_incidents("a,b\n1,2\n".as_bytes(), &SF_CRIME).is_err(), "a file without the mapped columns");
    }
}
