//! The stable codes of every error the API answers with (`{"error": "<code>", "message": …, "details"?: …}`). The
//! server chooses them, the web app matches on them; both compile against this one list.
//!
//! ```
//! use wangge_api::error::ErrorCode;
//! assert_eq!(serde_json::to_value(ErrorCode::StaleRevision).unwrap(), "stale_revision");
//! assert_eq!(serde_json::from_value::<ErrorCode>("login_locked".into()).unwrap(), ErrorCode::LoginLocked);
//! ```

use serde::{Deserialize, Serialize};

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON of the expected shape (the field is named).
    BadJson,
    /// The body could not be read.
    BadBody,
    /// The path is malformed or spelled ambiguously.
    BadPath,
    /// The query string is malformed.
    BadQuery,
    /// A division, grid or facility code is malformed.
    BadCode,
    /// A position is outside the WGS84 range.
    BadCoordinates,
    /// A time is neither RFC 3339 nor YYYY-MM-DD.
    BadTime,
    /// Text is empty, invisible, too long or holds characters that cannot be stored.
    BadText,
    /// An export format that does not exist.
    BadFormat,
    /// A tile address that does not exist.
    BadTile,
    /// A glyph range that does not exist.
    BadRange,
    /// A style mode that does not exist.
    BadMode,
    /// Rebalancing reaches one or two grids away.
    BadHops,
    /// A partition target outside 50 to 2,000 households.
    BadTarget,
    /// A partition tolerance outside 0.01 to 0.5.
    BadTolerance,
    /// Blocks need 1 to 50 road classes.
    BadRoadClasses,
    /// A special grid needs a geometry or a list of blocks, not both.
    BadShape,
    /// The zipped Shapefile is malformed.
    BadShapefile,
    /// A draft may only be based on a plan of its own community.
    BadBasedOn,
    /// A username is 3 to 32 of a-z, 0-9, _ . -.
    BadUsername,
    /// A role that does not exist.
    BadRole,
    /// A scope that does not exist or does not fit the role.
    BadScope,
    /// A person's name is refused.
    BadName,
    /// An ID-card number is malformed, has a wrong check digit or an impossible birth date.
    BadIdCard,
    /// A phone number is malformed.
    BadPhone,
    /// Wrong username or password, or a disabled account.
    BadCredentials,
    /// The body must be sent as JSON.
    ContentType,
    /// The body is over the size limit.
    BodyTooLarge,
    /// An archive would unpack past the limits.
    ArchiveTooLarge,
    /// The route needs a signed-in staff member.
    LoginRequired,
    /// A write without the session's CSRF token.
    Csrf,
    /// The role may not do this.
    Forbidden,
    /// A route without an access rule (never served).
    NoPolicy,
    /// The route does not take this method.
    MethodNotAllowed,
    /// No such thing, or it lies outside the caller's scope.
    NotFound,
    /// The case's month was archived (`wangge archive`): it is kept in the archive file, not in the live database.
    CaseArchived,
    /// Too many anonymous requests.
    RateLimited,
    /// Too many failed sign-ins for this name from this address.
    LoginLocked,
    /// Failed sign-ins in a row: wait before the next try.
    LoginSlowed,
    /// This already exists.
    Duplicate,
    /// A resident with this ID-card number is already registered.
    DuplicateResident,
    /// The username is already taken.
    UsernameTaken,
    /// A reference to something that does not exist.
    UnknownReference,
    /// Blocks that do not exist in this district.
    UnknownBlocks,
    /// Division or grid codes that do not exist.
    UnknownCodes,
    /// A rule the database guards was broken.
    ConstraintViolated,
    /// A geometry that is not a valid area (open ring, self-intersecting, out of range, wrong CRS).
    InvalidGeometry,
    /// A plan that assigns unknown blocks or a block twice.
    InvalidPlan,
    /// A plan with problems (gaps, discontiguous grids, broken units).
    PlanNotPublishable,
    /// Only drafts change or get published.
    NotADraft,
    /// Someone else saved the draft meanwhile.
    StaleRevision,
    /// Another version was published after the draft's base.
    StaleBase,
    /// A new version must start after the one in force.
    ValidFromTooEarly,
    /// A community has at most 999 grids.
    TooManyGrids,
    /// The community has no blocks yet.
    NoBlocks,
    /// The community has no boundary yet.
    NoBoundary,
    /// Plans are built on these blocks: split them instead.
    BlocksInUse,
    /// The block was split before.
    AlreadySplit,
    /// A building-cell split needs two buildings.
    TooFewBuildings,
    /// Sharing by units is for a block of exactly one building.
    NotOneBuilding,
    /// The line does not cut the block in two.
    LineDoesNotCut,
    /// The partitioner refused the input.
    PartitionFailed,
    /// An imported layer covers no block of the community.
    CoversNoBlock,
    /// Both plans must belong to the same community.
    OtherCommunity,
    /// The point lies in no community.
    Outside,
    /// An area reaches outside its parent.
    OutsideParent,
    /// An area overlaps another of its level.
    OverlapsSibling,
    /// Nobody disables or re-scopes their own account.
    OwnAccount,
    /// The password is too weak.
    WeakPassword,
    /// No font for label glyphs on this machine.
    NoFont,
    /// A server error (logged, never detailed).
    Internal,
    /// A scope reaching outside the admin's own district.
    OutsideScope,
    /// A locate batch of more than 100,000 points.
    TooManyPoints,
    /// A category that does not exist or is disabled.
    UnknownCategory,
    /// A department that does not exist in the district.
    UnknownDepartment,
    /// The case is in a state (or has a request pending) from which this action is not allowed; `details.state` says which.
    NotNow,
    /// The workflow gives this action on this case to someone else.
    NotYourTurn,
    /// This action needs a reason or opinion.
    NeedsOpinion,
    /// An extension request needs the time asked for.
    NeedsLimit,
    /// A photo that is not a JPEG, PNG or WebP image, or cannot be decoded.
    BadPhoto,
    /// A case holds at most 9 photos.
    TooManyPhotos,
    /// A photo that is not one of this case's.
    UnknownPhoto,
    /// A time limit must be 1 to 10,000 of a unit.
    BadLimit,
    /// A state a case does not wait in for anyone but its department (it has no stage limit).
    NoStage,
    /// An API key that is unknown or revoked.
    BadApiKey,
    /// A public service (a problem on the public list) that does not exist or is switched off.
    UnknownService,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 86] = [
        ErrorCode::BadJson,
        ErrorCode::BadBody,
        ErrorCode::BadPath,
        ErrorCode::BadQuery,
        ErrorCode::BadCode,
        ErrorCode::BadCoordinates,
        ErrorCode::BadTime,
        ErrorCode::BadText,
        ErrorCode::BadFormat,
        ErrorCode::BadTile,
        ErrorCode::BadRange,
        ErrorCode::BadMode,
        ErrorCode::BadHops,
        ErrorCode::BadTarget,
        ErrorCode::BadTolerance,
        ErrorCode::BadRoadClasses,
        ErrorCode::BadShape,
        ErrorCode::BadShapefile,
        ErrorCode::BadBasedOn,
        ErrorCode::BadUsername,
        ErrorCode::BadRole,
        ErrorCode::BadScope,
        ErrorCode::BadName,
        ErrorCode::BadIdCard,
        ErrorCode::BadPhone,
        ErrorCode::BadCredentials,
        ErrorCode::ContentType,
        ErrorCode::BodyTooLarge,
        ErrorCode::ArchiveTooLarge,
        ErrorCode::LoginRequired,
        ErrorCode::Csrf,
        ErrorCode::Forbidden,
        ErrorCode::NoPolicy,
        ErrorCode::MethodNotAllowed,
        ErrorCode::NotFound,
        ErrorCode::CaseArchived,
        ErrorCode::RateLimited,
        ErrorCode::LoginLocked,
        ErrorCode::LoginSlowed,
        ErrorCode::Duplicate,
        ErrorCode::DuplicateResident,
        ErrorCode::UsernameTaken,
        ErrorCode::UnknownReference,
        ErrorCode::UnknownBlocks,
        ErrorCode::UnknownCodes,
        ErrorCode::ConstraintViolated,
        ErrorCode::InvalidGeometry,
        ErrorCode::InvalidPlan,
        ErrorCode::PlanNotPublishable,
        ErrorCode::NotADraft,
        ErrorCode::StaleRevision,
        ErrorCode::StaleBase,
        ErrorCode::ValidFromTooEarly,
        ErrorCode::TooManyGrids,
        ErrorCode::NoBlocks,
        ErrorCode::NoBoundary,
        ErrorCode::BlocksInUse,
        ErrorCode::AlreadySplit,
        ErrorCode::TooFewBuildings,
        ErrorCode::NotOneBuilding,
        ErrorCode::LineDoesNotCut,
        ErrorCode::PartitionFailed,
        ErrorCode::CoversNoBlock,
        ErrorCode::OtherCommunity,
        ErrorCode::Outside,
        ErrorCode::OutsideParent,
        ErrorCode::OverlapsSibling,
        ErrorCode::OwnAccount,
        ErrorCode::WeakPassword,
        ErrorCode::NoFont,
        ErrorCode::Internal,
        ErrorCode::OutsideScope,
        ErrorCode::TooManyPoints,
        ErrorCode::UnknownCategory,
        ErrorCode::UnknownDepartment,
        ErrorCode::NotNow,
        ErrorCode::NotYourTurn,
        ErrorCode::NeedsOpinion,
        ErrorCode::NeedsLimit,
        ErrorCode::BadPhoto,
        ErrorCode::TooManyPhotos,
        ErrorCode::UnknownPhoto,
        ErrorCode::BadLimit,
        ErrorCode::NoStage,
        ErrorCode::BadApiKey,
        ErrorCode::UnknownService,
    ];

    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::BadBody => "bad_body",
            ErrorCode::BadPath => "bad_path",
            ErrorCode::BadQuery => "bad_query",
            ErrorCode::BadCode => "bad_code",
            ErrorCode::BadCoordinates => "bad_coordinates",
            ErrorCode::BadTime => "bad_time",
            ErrorCode::BadText => "bad_text",
            ErrorCode::BadFormat => "bad_format",
            ErrorCode::BadTile => "bad_tile",
            ErrorCode::BadRange => "bad_range",
            ErrorCode::BadMode => "bad_mode",
            ErrorCode::BadHops => "bad_hops",
            ErrorCode::BadTarget => "bad_target",
            ErrorCode::BadTolerance => "bad_tolerance",
            ErrorCode::BadRoadClasses => "bad_road_classes",
            ErrorCode::BadShape => "bad_shape",
            ErrorCode::BadShapefile => "bad_shapefile",
            ErrorCode::BadBasedOn => "bad_based_on",
            ErrorCode::BadUsername => "bad_username",
            ErrorCode::BadRole => "bad_role",
            ErrorCode::BadScope => "bad_scope",
            ErrorCode::BadName => "bad_name",
            ErrorCode::BadIdCard => "bad_id_card",
            ErrorCode::BadPhone => "bad_phone",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::ContentType => "content_type",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::ArchiveTooLarge => "archive_too_large",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::Csrf => "csrf",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NoPolicy => "no_policy",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::CaseArchived => "case_archived",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::LoginLocked => "login_locked",
            ErrorCode::LoginSlowed => "login_slowed",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::DuplicateResident => "duplicate_resident",
            ErrorCode::UsernameTaken => "username_taken",
            ErrorCode::UnknownReference => "unknown_reference",
            ErrorCode::UnknownBlocks => "unknown_blocks",
            ErrorCode::UnknownCodes => "unknown_codes",
            ErrorCode::ConstraintViolated => "constraint_violated",
            ErrorCode::InvalidGeometry => "invalid_geometry",
            ErrorCode::InvalidPlan => "invalid_plan",
            ErrorCode::PlanNotPublishable => "plan_not_publishable",
            ErrorCode::NotADraft => "not_a_draft",
            ErrorCode::StaleRevision => "stale_revision",
            ErrorCode::StaleBase => "stale_base",
            ErrorCode::ValidFromTooEarly => "valid_from_too_early",
            ErrorCode::TooManyGrids => "too_many_grids",
            ErrorCode::NoBlocks => "no_blocks",
            ErrorCode::NoBoundary => "no_boundary",
            ErrorCode::BlocksInUse => "blocks_in_use",
            ErrorCode::AlreadySplit => "already_split",
            ErrorCode::TooFewBuildings => "too_few_buildings",
            ErrorCode::NotOneBuilding => "not_one_building",
            ErrorCode::LineDoesNotCut => "line_does_not_cut",
            ErrorCode::PartitionFailed => "partition_failed",
            ErrorCode::CoversNoBlock => "covers_no_block",
            ErrorCode::OtherCommunity => "other_community",
            ErrorCode::Outside => "outside",
            ErrorCode::OutsideParent => "outside_parent",
            ErrorCode::OverlapsSibling => "overlaps_sibling",
            ErrorCode::OwnAccount => "own_account",
            ErrorCode::WeakPassword => "weak_password",
            ErrorCode::NoFont => "no_font",
            ErrorCode::Internal => "internal",
            ErrorCode::OutsideScope => "outside_scope",
            ErrorCode::TooManyPoints => "too_many_points",
            ErrorCode::UnknownCategory => "unknown_category",
            ErrorCode::UnknownDepartment => "unknown_department",
            ErrorCode::NotNow => "not_now",
            ErrorCode::NotYourTurn => "not_your_turn",
            ErrorCode::NeedsOpinion => "needs_opinion",
            ErrorCode::NeedsLimit => "needs_limit",
            ErrorCode::BadPhoto => "bad_photo",
            ErrorCode::TooManyPhotos => "too_many_photos",
            ErrorCode::UnknownPhoto => "unknown_photo",
            ErrorCode::BadLimit => "bad_limit",
            ErrorCode::NoStage => "no_stage",
            ErrorCode::BadApiKey => "bad_api_key",
            ErrorCode::UnknownService => "unknown_service",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The code.
    pub error: ErrorCode,
    /// A human reason.
    pub message: String,
    /// Structured details (the problems of a plan, the overlapped areas, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_as_its_name() {
        for code in ErrorCode::ALL {
            let sent = serde_json::to_value(code).unwrap();
            assert_eq!(sent, code.as_str());
            assert_eq!(serde_json::from_value::<ErrorCode>(sent).unwrap(), code);
        }
    }
}
