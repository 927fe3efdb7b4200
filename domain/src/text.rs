//! Names and labels people type: trimmed of whitespace and invisible characters at both ends, at least one visible
//! character, no control characters (NUL included) anywhere, and a bounded length. A name of only zero-width spaces
//! would show as nothing on the map and in lists, so it is refused like an empty one.
//!
//! ```
//! use wangge_domain::text::{label, LabelError};
//! assert_eq!(label(" 中前社区\u{200b} ", 50), Ok("中前社区".to_owned()));
//! assert_eq!(label("\u{200b}\u{feff}", 50), Err(LabelError::Empty));
//! assert_eq!(label("a\0b", 50), Err(LabelError::Control));
//! assert_eq!(label("长长长", 2), Err(LabelError::TooLong(2)));
//! ```

/// Why a label was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// Nothing visible is left after trimming.
    #[error("must have at least one visible character")]
    Empty,
    /// It holds a control character (NUL, line breaks, …).
    #[error("must not contain control characters")]
    Control,
    /// Longer than the limit, in characters.
    #[error("must have at most {0} characters")]
    TooLong(usize),
}

/// A character that takes no room when shown: whitespace, zero-width and other format characters, fillers.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180E}'
            | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}')
}

/// `raw` trimmed of invisible characters at both ends, if it is an acceptable label of at most `max` characters.
pub fn label(raw: &str, max: usize) -> Result<String, LabelError> {
    if raw.chars().any(char::is_control) {
        return Err(LabelError::Control);
    }
    let t = raw.trim_matches(is_invisible);
    if t.is_empty() {
        return Err(LabelError::Empty);
    }
    if t.chars().count() > max {
        return Err(LabelError::TooLong(max));
    }
    Ok(t.to_owned())
}

/// Free text people type in several lines (a description, an opinion): like [`label`], but line breaks and tabs
/// are kept (`\r\n` becomes `\n`).
///
/// ```
/// use wangge_domain::text::paragraph;
/// assert_eq!(paragraph(" 井盖缺失\r\n请尽快处理 ", 100), Ok("井盖缺失\n请尽快处理".to_owned()));
/// assert!(paragraph("a\u{7}b", 100).is_err());
/// ```
pub fn paragraph(raw: &str, max: usize) -> Result<String, LabelError> {
    let unified = raw.replace("\r\n", "\n");
    if unified.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(LabelError::Control);
    }
    let t = unified.trim_matches(is_invisible);
    if t.is_empty() {
        return Err(LabelError::Empty);
    }
    if t.chars().count() > max {
        return Err(LabelError::TooLong(max));
    }
    Ok(t.to_owned())
}
