//! Official division codes (GB/T 2260 and the statistical division codes) and the codes Wangge derives from them.
//!
//! Each code is a newtype that can only be built by parsing, so a value of the type is always well formed:
//!
//! ```
//! use wangge_domain::codes::{CommunityCode, GridCode};
//! let community: CommunityCode = "320115001001".parse().unwrap();
//! assert_eq!(community.street().as_str(), "320115001");
//! assert_eq!(community.street().district().as_str(), "320115");
//! let grid = GridCode::new(&community, 7).unwrap();
//! assert_eq!(grid.as_str(), "320115001001007");
//! assert!("32011500100".parse::<CommunityCode>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a code string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} code must be exactly {digits} ASCII digits, got {got:?}")]
pub struct CodeError {
    /// Which kind of code was being parsed.
    pub kind: &'static str,
    /// How many digits that kind has.
    pub digits: usize,
    /// The refused input.
    pub got: String,
}

fn check_digits(kind: &'static str, digits: usize, s: &str) -> Result<(), CodeError> {
    if s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CodeError { kind, digits, got: s.chars().take(40).collect() })
    }
}

macro_rules! digit_code {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $digits:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Number of digits of this kind of code.
            pub const DIGITS: usize = $digits;

            /// The code as a string of digits.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, CodeError> {
                check_digits($kind, $digits, s)?;
                Ok(Self(s.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = CodeError;
            fn try_from(s: String) -> Result<Self, CodeError> {
                check_digits($kind, $digits, &s)?;
                Ok(Self(s))
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

digit_code!(
    /// A county-level district (区/县), 6 digits, e.g. `320115` for Nanjing Jiangning.
    DistrictCode, "district", 6
);
digit_code!(
    /// A street (街道/镇), 9 digits: district + 3.
    StreetCode, "street", 9
);
digit_code!(
    /// A community (社区/村), 12 digits: street + 3.
    CommunityCode, "community", 12
);
digit_code!(
    /// A natural or dedicated grid, 15 digits: community + a 3-digit sequence numbered west→east, north→south.
    GridCode, "grid", 15
);
digit_code!(
    /// A city facility (部件), 16 digits: district (6) + major category (2) + minor category (2) + serial (6).
    FacilityId, "facility", 16
);

impl StreetCode {
    /// The district this street belongs to.
    pub fn district(&self) -> DistrictCode {
        DistrictCode(self.0[..6].to_owned())
    }
}

impl CommunityCode {
    /// The street this community belongs to.
    pub fn street(&self) -> StreetCode {
        StreetCode(self.0[..9].to_owned())
    }
}

impl GridCode {
    /// The code of the grid with sequence number `seq` (1..=999) in `community`.
    pub fn new(community: &CommunityCode, seq: u16) -> Result<Self, CodeError> {
        if !(1..=999).contains(&seq) {
            return Err(CodeError { kind: "grid sequence", digits: 3, got: seq.to_string() });
        }
        Ok(Self(format!("{}{:03}", community.0, seq)))
    }

    /// The community this grid belongs to.
    pub fn community(&self) -> CommunityCode {
        CommunityCode(self.0[..12].to_owned())
    }

    /// The grid's sequence number inside its community.
    pub fn sequence(&self) -> u16 {
        self.0[12..].parse().expect("three digits by construction")
    }
}

impl FacilityId {
    /// The district the facility belongs to.
    pub fn district(&self) -> DistrictCode {
        DistrictCode(self.0[..6].to_owned())
    }

    /// Major category (2 digits), e.g. `01` public utilities in CJ/T 214.
    pub fn major_category(&self) -> &str {
        &self.0[6..8]
    }

    /// Minor category (2 digits) inside the major one.
    pub fn minor_category(&self) -> &str {
        &self.0[8..10]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_wrong_length_and_non_digits() {
        assert!("32011".parse::<DistrictCode>().is_err());
        assert!("32011a".parse::<DistrictCode>().is_err());
        assert!("３２０１１５".parse::<DistrictCode>().is_err());
        assert!(serde_json_like("320115001").is_ok());
    }

    fn serde_json_like(s: &str) -> Result<StreetCode, CodeError> {
        StreetCode::try_from(s.to_owned())
    }

    #[test]
    fn grid_sequence_bounds() {
        let c: CommunityCode = "320115001001".parse().unwrap();
        assert!(GridCode::new(&c, 0).is_err());
        assert!(GridCode::new(&c, 1000).is_err());
        assert_eq!(GridCode::new(&c, 999).unwrap().sequence(), 999);
        assert_eq!(GridCode::new(&c, 12).unwrap().community(), c);
    }

    #[test]
    fn facility_parts() {
        let f: FacilityId = "3201150102000042".parse().unwrap();
        assert_eq!(f.district().as_str(), "320115");
        assert_eq!(f.major_category(), "01");
        assert_eq!(f.minor_category(), "02");
    }
}
