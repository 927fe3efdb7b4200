//! One spelling per path. The guard and the router must decide on the same path, so before either looks at a
//! request its path is decoded once and rewritten in canonical form: every percent-escape of a character that may
//! stand in a path as itself is decoded (`%61pi` → `api`), the rest are written with upper-case hex. Escapes that
//! would change the path's structure or hide a control character — `/` (`%2F`), `.` (`%2E`), `\` (`%5C`), NUL and the
//! other control characters — and dot segments (`/./`, `/../`) are refused, as are escapes that are not hex or do
//! not decode to UTF-8. After this, the path the guard matches against the policy table is byte for byte the path
//! the router matches against the routes.
//!
//! ```
//! use wangge_server::auth::canonical::{canonical_path, PathRefusal};
//! assert_eq!(canonical_path("/%61pi/residents/1/reveal"), Ok("/api/residents/1/reveal".to_owned()));
//! assert_eq!(canonical_path("/api/a%2Fb"), Err(PathRefusal::EncodedStructure('/')));
//! assert_eq!(canonical_path("/fonts/Noto%20Sans/0-255.pbf"), Ok("/fonts/Noto%20Sans/0-255.pbf".to_owned()));
//! ```

use std::fmt;

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathRefusal {
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// An escape of a character that changes the path's structure or is a control character.
    EncodedStructure(char),
    /// A control character written as itself.
    ControlCharacter,
    /// A `.` or `..` segment.
    DotSegment,
    /// Escapes that decode to bytes that are not UTF-8.
    NotUtf8,
}

impl fmt::Display for PathRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathRefusal::BadEscape => {
                write!(f, "a % in the path must be followed by two hex digits")
            }
            PathRefusal::EncodedStructure(c) => {
                write!(f, "the path encodes {:?}, which is ambiguous; write paths plainly", c)
            }
            PathRefusal::ControlCharacter => write!(f, "the path holds a control character"),
            PathRefusal::DotSegment => write!(f, "the path holds a . or .. segment"),
            PathRefusal::NotUtf8 => write!(f, "the path's escapes do not decode to UTF-8"),
        }
    }
}

/// Characters that stand in a path as themselves (RFC 3986 `pchar` without `%`, plus `/`).
fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b)
}

/// The canonical spelling of `raw` (a URI path without query), or why it is refused.
pub fn canonical_path(raw: &str) -> Result<String, PathRefusal> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let value = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or(PathRefusal::BadEscape)?;
            if matches!(value, b'/' | b'.' | b'\\') || value < 0x20 || value == 0x7f {
                return Err(PathRefusal::EncodedStructure(char::from(value)));
            }
            decoded.push(value);
            i += 3;
        } else {
            if b < 0x20 || b == 0x7f {
                return Err(PathRefusal::ControlCharacter);
            }
            decoded.push(b);
            i += 1;
        }
    }
    let text = String::from_utf8(decoded).map_err(|_| PathRefusal::NotUtf8)?;
    if text.split('/').any(|s| s == "." || s == "..") {
        return Err(PathRefusal::DotSegment);
    }
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_escape_of_a_plain_character_decodes() {
        for b in (0u8..=0x7f).filter(|b| plain(*b) && !b"/.".contains(b)) {
            let raw = format!("/api/x%{b:02x}y");
            assert_eq!(canonical_path(&raw).unwrap(), format!("/api/x{}y", char::from(b)), "{raw}");
            let upper = format!("/api/x%{b:02X}y");
            assert_eq!(canonical_path(&upper).unwrap(), format!("/api/x{}y", char::from(b)), "{upper}");
        }
    }

    #[test]
    fn structure_and_control_escapes_are_refused() {
        for raw in ["/api%2fresidents", "/api/%2e%2e/x", "/api/%5C", "/api/x%00", "/api/%0a", "/api/%7F"] {
            assert!(matches!(canonical_path(raw), Err(PathRefusal::EncodedStructure(_))), "{raw}");
        }
        assert_eq!(canonical_path("/api/../audit"), Err(PathRefusal::DotSegment));
        assert_eq!(canonical_path("/api/./audit"), Err(PathRefusal::DotSegment));
        assert_eq!(canonical_path("/api/%zz"), Err(PathRefusal::BadEscape));
        assert_eq!(canonical_path("/api/%e4"), Err(PathRefusal::NotUtf8));
    }

    #[test]
    fn other_characters_keep_one_upper_case_spelling() {
        assert_eq!(canonical_path("/fonts/Noto%20Sans%20CJK/0-255.pbf").unwrap(), "/fonts/Noto%20Sans%20CJK/0-255.pbf");
        assert_eq!(canonical_path("/x/%e4%b8%ad").unwrap(), "/x/%E4%B8%AD");
        assert_eq!(canonical_path("/x/%25").unwrap(), "/x/%25");
        assert_eq!(canonical_path("/index.html").unwrap(), "/index.html");
    }
}
