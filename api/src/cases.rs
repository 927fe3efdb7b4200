//! Cases on the wire: reporting one, acting on it, the desk's list, the case page, and the catalogue behind them
//! (categories, departments, dispatch rules) with in-app notifications.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wangge_domain::case::workflow::{CaseAction, Pending};
use wangge_domain::case::{CaseState, Channel, Light, LimitUnit, TimeLimit};

/// A member of the public's contact details, given on the phone to a hotline operator (sealed when stored, shown
/// masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A case to report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// Chosen by the client once per report and sent again on a retry: the retry gets the first answer back.
    #[serde(default)]
    pub request_id: Option<String>,
    /// Minor category code (`E06001`).
    pub category: String,
    /// How it came in.
    pub channel: Channel,
    /// Where (WGS84).
    pub lon: f64,
    /// Where (WGS84).
    pub lat: f64,
    /// Address as given.
    #[serde(default)]
    pub address: Option<String>,
    /// What is wrong.
    pub description: String,
    /// Urgent (else the category's default).
    #[serde(default)]
    pub urgent: Option<bool>,
    /// The public reporter's contact (hotline).
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// An action on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseAct {
    /// What to do.
    pub action: CaseAction,
    /// Opinion or reason (required to reject, return, void, fail a verification, or ask for anything).
    #[serde(default)]
    pub opinion: Option<String>,
    /// Dispatch: the lead department (by name); default: the dispatch rules' choice.
    #[serde(default)]
    pub department: Option<String>,
    /// Dispatch: co-departments (by name).
    #[serde(default)]
    pub co_departments: Vec<String>,
    /// Extension request: how much more time.
    #[serde(default)]
    pub limit: Option<TimeLimit>,
    /// Merge: the case this one duplicates.
    #[serde(default)]
    pub into: Option<i64>,
    /// Photos (uploaded to the case before) that go with this step, e.g. the after-photos of a handling.
    #[serde(default)]
    pub photos: Vec<i64>,
}

/// A case as the desk lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Id.
    pub id: i64,
    /// Readable number (`320115-20261130-0042`).
    pub number: String,
    /// Minor category code.
    pub category: String,
    /// Its name.
    pub category_name: String,
    /// Its major class name.
    pub major_name: String,
    /// Where it is in the loop.
    pub state: CaseState,
    /// Deadline light (open, running cases only).
    pub light: Option<Light>,
    /// How it came in.
    pub channel: Channel,
    /// Urgent.
    pub urgent: bool,
    /// Flagged for supervision.
    pub supervised: bool,
    /// A department request waits for a decision.
    pub pending: Option<Pending>,
    /// Reported.
    pub reported_at: DateTime<Utc>,
    /// Due (while the clock runs).
    pub due_at: Option<DateTime<Utc>>,
    /// Closed (or otherwise finished).
    pub closed_at: Option<DateTime<Utc>>,
    /// Street code when reported.
    pub street_code: Option<String>,
    /// Community code when reported.
    pub community_code: Option<String>,
    /// Natural grid code when reported.
    pub grid_code: Option<String>,
    /// The lead department.
    pub department: Option<String>,
    /// Where.
    pub lon: f64,
    /// Where.
    pub lat: f64,
    /// Address.
    pub address: Option<String>,
    /// What is wrong.
    pub description: String,
    /// Generated demo data.
    pub generated: bool,
}

/// A photo of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    /// Id.
    pub id: i64,
    /// `report` or `after`.
    pub stage: String,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
}

/// One step of a case's trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (username).
    pub actor: String,
    /// Their role.
    pub role: Option<String>,
    /// Their department.
    pub department: Option<String>,
    /// What (`report` for the intake, else a [`CaseAction`] name).
    pub action: String,
    /// State before.
    pub from_state: Option<CaseState>,
    /// State after.
    pub to_state: CaseState,
    /// Opinion or reason.
    pub opinion: Option<String>,
    /// Photos of the step.
    pub photo_ids: Vec<i64>,
    /// Seconds of the case's clock used since the previous step.
    pub used_seconds: Option<i64>,
    /// The case was overdue when this happened.
    pub overdue: bool,
}

/// The case page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDetail {
    /// The facts the list shows.
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// Dedicated grid code when reported.
    pub dedicated_grid_code: Option<String>,
    /// The natural grid its place lies in under the plan in force now (it differs from the one it was reported in
    /// when a redraw moved the place to another grid).
    #[serde(default)]
    pub grid_code_now: Option<String>,
    /// Reporter (username, or `public`).
    pub reporter: String,
    /// The public reporter's contact, masked.
    pub contact: Option<Contact>,
    /// Co-departments.
    pub co_departments: Vec<String>,
    /// Times verification sent it back.
    pub rework: i32,
    /// Went through the district center.
    pub escalated: bool,
    /// The case it was merged into.
    pub merged_into: Option<i64>,
    /// Share of the time limit used (1.0 = due).
    pub clock_used: f64,
    /// The current stage's own limit and the share of it used (accepting, filing, dispatching, verifying…), when
    /// the stage has one.
    #[serde(default)]
    pub stage: Option<StageClock>,
    /// The limit.
    pub limit: TimeLimit,
    /// The limit is the shipped default.
    pub limit_is_default: bool,
    /// When to file it (shown to the operator).
    pub filing_condition: String,
    /// When to close it.
    pub closing_condition: String,
    /// Photos.
    pub photos: Vec<Photo>,
    /// Its history.
    pub trail: Vec<TrailEntry>,
    /// What the signed-in person may do now.
    pub actions: Vec<CaseAction>,
}

/// How long a waiting stage may take in a district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageLimit {
    /// The state the case waits in.
    pub state: CaseState,
    /// The limit.
    pub limit: TimeLimit,
    /// The shipped default (the district has not set its own).
    pub is_default: bool,
}

/// The clock of the stage a case waits in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageClock {
    /// Since when (the step that began the stage).
    pub since: DateTime<Utc>,
    /// The stage's limit.
    pub limit: TimeLimit,
    /// Share of it used (1.0 = due).
    pub used: f64,
    /// Its light.
    pub light: Light,
}

/// The answer to a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reported {
    /// The case.
    pub case: CaseSummary,
    /// Open cases of the same category nearby (perhaps the same problem: merge or link).
    pub duplicates: Vec<CaseSummary>,
    /// Photos sent with the report (a `multipart/form-data` report).
    #[serde(default)]
    pub photos: Vec<Photo>,
}

/// The desk's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseList {
    /// Cases matching the filters (all pages); a text search counts up to 10,001.
    pub total: i64,
    /// Matching open cases per state (filters other than the state applied).
    pub by_state: Vec<(CaseState, i64)>,
    /// Matching open cases per light.
    pub by_light: Vec<(Light, i64)>,
    /// This page.
    pub cases: Vec<CaseSummary>,
}

/// A category of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Code (`E06001`).
    pub code: String,
    /// `component`, `event`, `grid` or `local`.
    pub catalogue: String,
    /// Major class code.
    pub major_code: String,
    /// Major class name.
    pub major_name: String,
    /// Name.
    pub name: String,
    /// Order.
    pub sort: i32,
    /// Offered at intake.
    pub enabled: bool,
    /// Handling time limit.
    pub limit: TimeLimit,
    /// The limit is the shipped default.
    pub limit_is_default: bool,
    /// Urgent.
    pub urgent: bool,
    /// Default department.
    pub default_department: Option<String>,
    /// A grid worker may resolve it themselves.
    pub self_resolvable: bool,
    /// Filing condition.
    pub filing_condition: String,
    /// Closing condition.
    pub closing_condition: String,
    /// Kept off public pages and Open311 (disputes, security matters).
    #[serde(default)]
    pub sensitive: bool,
}

/// A change to a category (absent fields stay) or, with every required field, a new local category.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryEdit {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// Offered at intake.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// New order.
    #[serde(default)]
    pub sort: Option<i32>,
    /// New limit.
    #[serde(default)]
    pub limit: Option<TimeLimit>,
    /// Urgent.
    #[serde(default)]
    pub urgent: Option<bool>,
    /// Default department (by name).
    #[serde(default)]
    pub default_department: Option<String>,
    /// Self-resolvable.
    #[serde(default)]
    pub self_resolvable: Option<bool>,
    /// Filing condition.
    #[serde(default)]
    pub filing_condition: Option<String>,
    /// Closing condition.
    #[serde(default)]
    pub closing_condition: Option<String>,
    /// Kept off public pages and Open311.
    #[serde(default)]
    pub sensitive: Option<bool>,
}

/// A department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    /// Id.
    pub id: i64,
    /// District.
    pub district_code: String,
    /// Name.
    pub name: String,
    /// Open cases with it now.
    pub open_cases: i64,
}

/// A dispatch rule: cases of a category (or any) in an area (or the whole district) go to a department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchRule {
    /// Id (0 in a request).
    #[serde(default)]
    pub id: i64,
    /// District.
    pub district_code: String,
    /// Category (`None`: any).
    #[serde(default)]
    pub category: Option<String>,
    /// Street or community code (`None`: the whole district).
    #[serde(default)]
    pub area_code: Option<String>,
    /// Special grid.
    #[serde(default)]
    pub special_grid_id: Option<i64>,
    /// Department (by name).
    pub department: String,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The case passed 80 % of its time limit.
    Yellow,
    /// The case is overdue.
    Red,
    /// The case was dispatched to the department.
    Dispatched,
    /// The department returned the case.
    Returned,
    /// The case was handled: verify it.
    Handled,
    /// The department asks for a suspension or an extension, or the street center to void the case.
    Request,
    /// The stage the case waits in (accepting, filing, dispatching, deciding, verifying) ran out.
    StageOverdue,
    /// The public reporter rated the closed case unsatisfied (the district center may reopen it).
    Unsatisfied,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 8] = [
        NotificationKind::Yellow,
        NotificationKind::Red,
        NotificationKind::Dispatched,
        NotificationKind::Returned,
        NotificationKind::Handled,
        NotificationKind::Request,
        NotificationKind::StageOverdue,
        NotificationKind::Unsatisfied,
    ];

    /// Its name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Yellow => "yellow",
            NotificationKind::Red => "red",
            NotificationKind::Dispatched => "dispatched",
            NotificationKind::Returned => "returned",
            NotificationKind::Handled => "handled",
            NotificationKind::Request => "request",
            NotificationKind::StageOverdue => "stage_overdue",
            NotificationKind::Unsatisfied => "unsatisfied",
        }
    }
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// Its number.
    pub number: String,
    /// What happened.
    pub kind: NotificationKind,
    /// When.
    pub at: DateTime<Utc>,
}

/// Units offered when editing a limit, in order.
pub const LIMIT_UNITS: [LimitUnit; 4] =
    [LimitUnit::WorkingHours, LimitUnit::WorkingDays, LimitUnit::Hours, LimitUnit::CalendarDays];

/// A local category to add under a major class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    /// Major class code (an existing one, or a new `L…` code).
    pub major_code: String,
    /// Major class name (used when the class is new).
    pub major_name: String,
    /// Name.
    pub name: String,
    /// Handling time limit.
    pub limit: TimeLimit,
}

/// A department to add to the caller's district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// Name.
    pub name: String,
}
