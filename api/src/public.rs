//! Public reporting on the wire: the short list of problems, a resident's report, the duplicate hint, the tracking
//! page behind an unguessable link, the rating, and the public map's reports. Nothing here carries personal data:
//! no reporter, no staff names (only the grid workers whose names the community publishes), no contact.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wangge_domain::case::{PublicStatus, Rating};

use crate::cases::Contact;

/// A problem residents can report (and an Open311 service), mapped to an official category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicService {
    /// Its code (Open311 `service_code`).
    pub code: String,
    /// Name in Chinese.
    pub name: String,
    /// Name in English.
    pub name_en: String,
    /// What it covers.
    pub description: String,
    /// Other words residents use for it (searched with the name).
    pub keywords: String,
    /// The official minor category its reports are filed under.
    pub category: String,
    /// That category's major class name (Open311 `group`).
    pub group: String,
}

/// A resident's report (a JSON body, or the `json` part of a form with up to [`MAX_PUBLIC_PHOTOS`] `photo` parts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPublicReport {
    /// Chosen by the device once per report and sent again on a retry: the retry gets the first answer back.
    #[serde(default)]
    pub request_id: Option<String>,
    /// An id the device keeps (random, made on first use): retries and rate limits are per device.
    pub device: String,
    /// The problem (a [`PublicService`] code).
    pub service: String,
    /// Where (WGS84).
    pub lon: f64,
    /// Where (WGS84).
    pub lat: f64,
    /// Address as given.
    #[serde(default)]
    pub address: Option<String>,
    /// What is wrong.
    pub description: String,
    /// Name and phone, optional: sealed when stored, never shown publicly, shown masked to staff.
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// Photos a public report may carry.
pub const MAX_PUBLIC_PHOTOS: usize = 3;

/// The answer to a public report (or to following one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracking {
    /// The case's readable number.
    pub number: String,
    /// The key of the tracking page (`/track/{token}`): whoever holds it follows the case; the reporter's also rates.
    pub token: String,
}

/// A report as anyone may see it: the public map, the duplicate hint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicReport {
    /// The case's readable number.
    pub number: String,
    /// Its minor category's name.
    pub category_name: String,
    /// Where it is, in plain words.
    pub status: PublicStatus,
    /// Approximately where (rounded to about 50 m).
    pub lon: f64,
    /// Approximately where.
    pub lat: f64,
    /// Reported.
    pub reported_at: DateTime<Utc>,
}

/// The public map's reports of a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicReports {
    /// The newest reports in the view (at most the limit asked for).
    pub reports: Vec<PublicReport>,
    /// Reports in the view in all.
    pub total: usize,
}

/// One step of a case as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicStep {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened (`report`, `accept`, `reject`, `dispatch`, `handle`, `verify_pass`, `verify_fail`, `merge`,
    /// `reopen`, `rate`, …).
    pub action: String,
    /// Where the case was then.
    pub status: PublicStatus,
    /// The department that has it (dispatch, handle).
    pub department: Option<String>,
    /// The reason given to the public (a report not accepted).
    pub reason: Option<String>,
    /// Photos of the step (the after-photos of a handling).
    pub photo_ids: Vec<i64>,
}

/// The public reporter's rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    /// 满意 / 基本满意 / 不满意.
    pub rating: Rating,
    /// Comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// The tracking page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    /// The case's readable number.
    pub number: String,
    /// The problem.
    pub category_name: String,
    /// Where it is, in plain words.
    pub status: PublicStatus,
    /// What was reported (shown to whoever holds the link).
    pub description: String,
    /// Address as given.
    pub address: Option<String>,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// Reported.
    pub reported_at: DateTime<Utc>,
    /// Due (while a department works on it).
    pub due_at: Option<DateTime<Utc>>,
    /// The grid it lies in.
    pub grid_code: Option<String>,
    /// The grid's workers (names as the community publishes them).
    pub grid_workers: Vec<String>,
    /// The department that has it.
    pub department: Option<String>,
    /// The steps, oldest first.
    pub steps: Vec<PublicStep>,
    /// The photos of the report.
    pub photo_ids: Vec<i64>,
    /// The case it was merged into (its number).
    pub merged_into: Option<String>,
    /// This link is the reporter's (who rates the result).
    pub reporter: bool,
    /// The rating given since the case closed.
    pub rating: Option<Rating>,
    /// The link may rate now (the reporter's, the case closed and not yet rated).
    pub may_rate: bool,
}
