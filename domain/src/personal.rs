//! Residents' personal data: a person's name, resident ID-card number and phone number, each parsed into a type
//! that is always well formed and knows how to show itself masked.
//!
//! ```
//! use wangge_domain::personal::{IdCardNumber, PersonName, PhoneNumber};
//! let id: IdCardNumber = "11010519491231002X".parse().unwrap();
//! assert_eq!(id.masked(), "1101**********002X");
//! assert!("110105194912310021".parse::<IdCardNumber>().is_err()); // wrong check digit
//! assert_eq!(id.birth_date(), (1949, 12, 31));
//! assert!(id.check_born_by((2026, 11, 30)).is_ok() && id.check_born_by((1949, 12, 30)).is_err());
//! assert_eq!("13812345678".parse::<PhoneNumber>().unwrap().masked(), "138****5678");
//! assert_eq!(PersonName::new("欧阳娜娜").unwrap().masked(), "欧***");
//! ```

use std::fmt;
use std::str::FromStr;

/// Why personal data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalDataError {
    /// Not 17 digits and a check character.
    #[error("an ID-card number has 17 digits and a check digit or X")]
    IdCardFormat,
    /// The check character does not match (GB 11643).
    #[error("the ID-card number's check digit is wrong")]
    IdCardChecksum,
    /// Not a phone number.
    #[error("a phone number has 7 to 20 digits (an optional leading + and hyphens allowed)")]
    Phone,
    /// The birth date (digits 7 to 14) is not a real date from 1900 on, or it lies after today.
    #[error("the ID-card number's birth date is not a real date, or it is in the future")]
    BirthDate,
    /// Empty or too long name.
    #[error("a name must have 1 to 50 characters")]
    Name,
}

/// A resident ID-card number (居民身份证号码, GB 11643): 17 digits and a check character (digit or `X`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNumber(String);

impl IdCardNumber {
    /// The check character the first 17 digits call for (ISO 7064 MOD 11-2).
    pub fn check_char(first17: &[u8]) -> char {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
        CHECK[(sum % 11) as usize] as char
    }

    /// The holder's birth date (year, month, day), from digits 7 to 14.
    pub fn birth_date(&self) -> (i32, u32, u32) {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().expect("digits checked at parse");
        (n(6..10) as i32, n(10..12), n(12..14))
    }

    /// Refuse a number whose holder would be born after `today` (year, month, day).
    pub fn check_born_by(&self, today: (i32, u32, u32)) -> Result<(), PersonalDataError> {
        if self.birth_date() > today {
            return Err(PersonalDataError::BirthDate);
        }
        Ok(())
    }

    /// The number in full.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first four and last four characters, the rest as `*`: `3201**********1234`.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

impl FromStr for IdCardNumber {
    type Err = PersonalDataError;
    fn from_str(s: &str) -> Result<Self, PersonalDataError> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(PersonalDataError::IdCardFormat);
        }
        if Self::check_char(&b[..17]) != b[17] as char {
            return Err(PersonalDataError::IdCardChecksum);
        }
        let id = Self(s);
        let (y, m, d) = id.birth_date();
        if y < 1900 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return Err(PersonalDataError::BirthDate);
        }
        Ok(id)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdCardNumber({})", self.masked())
    }
}

/// A phone number: mobile or landline, digits with an optional leading `+` and hyphens.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// The holder's birth date (year, month, day), from digits 7 to 14.
    pub fn birth_date(&self) -> (i32, u32, u32) {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().expect("digits checked at parse");
        (n(6..10) as i32, n(10..12), n(12..14))
    }

    /// Refuse a number whose holder would be born after `today` (year, month, day).
    pub fn check_born_by(&self, today: (i32, u32, u32)) -> Result<(), PersonalDataError> {
        if self.birth_date() > today {
            return Err(PersonalDataError::BirthDate);
        }
        Ok(())
    }

    /// The number in full.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first three and last four characters, four `*` between: `138****5678`.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        let head: String = chars[..3].iter().collect();
        format!("{head}****{tail}")
    }
}

impl FromStr for PhoneNumber {
    type Err = PersonalDataError;
    fn from_str(s: &str) -> Result<Self, PersonalDataError> {
        let s = s.trim();
        let body = s.strip_prefix('+').unwrap_or(s);
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !(7..=20).contains(&digits) || !body.chars().all(|c| c.is_ascii_digit() || c == '-') || body.starts_with('-')
        {
            return Err(PersonalDataError::Phone);
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

/// A person's name: 1 to 50 characters after trimming.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// Parse a name.
    pub fn new(s: &str) -> Result<Self, PersonalDataError> {
        crate::text::label(s, 50).map(Self).map_err(|_| PersonalDataError::Name)
    }

    /// The name in full.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first character, the rest as `*` (a one-character name is all `*`).
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n == 1 {
            return "*".to_owned();
        }
        let first: String = self.0.chars().take(1).collect();
        format!("{first}{}", "*".repeat(n - 1))
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_digit_is_verified() {
        let base = b"32010219900101123";
        let good = format!("{}{}", std::str::from_utf8(base).unwrap(), IdCardNumber::check_char(base));
        assert!(good.parse::<IdCardNumber>().is_ok());
        for c in "0123456789X".chars().filter(|c| *c != IdCardNumber::check_char(base)) {
            let bad = format!("{}{c}", std::str::from_utf8(base).unwrap());
            assert_eq!(bad.parse::<IdCardNumber>(), Err(PersonalDataError::IdCardChecksum));
        }
        assert_eq!("3201021990".parse::<IdCardNumber>(), Err(PersonalDataError::IdCardFormat));
    }

    #[test]
    fn masks_hide_the_middle() {
        let base = b"32010219900101123";
        let id: IdCardNumber =
            format!("{}{}", std::str::from_utf8(base).unwrap(), IdCardNumber::check_char(base)).parse().unwrap();
        assert!(id.masked().starts_with("3201**********"));
        assert!(!format!("{id:?}").contains("19900101"));
        assert_eq!(PersonName::new("李").unwrap().masked(), "*");
        assert_eq!("025-52345678".parse::<PhoneNumber>().unwrap().masked(), "025****5678");
        assert!("12ab".parse::<PhoneNumber>().is_err());
        assert!(PersonName::new("  ").is_err());
    }
}
