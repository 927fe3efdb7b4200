//! Cases (案件): one reported problem as it moves through the closed loop — report, accept, file, dispatch, handle,
//! verify, close — with its channel, urgency and number. The transitions live in [`workflow`] (one table of who may
//! do what, from which state); the deadline clock in [`clock`].

pub mod clock;
pub mod number;
pub mod workflow;

use serde::{Deserialize, Serialize};

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// Stable lower-case name, as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s { $($s => Ok($name::$v),)* _ => Err(format!("unknown {} {s:?}", stringify!($name))) }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                s.parse()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use named_enum;

named_enum! {
    /// How a case came in (来源 / 渠道).
    Channel {
        /// A grid worker on patrol (网格员巡查).
        Patrol = "patrol",
        /// A member of the public (群众上报).
        Public = "public",
        /// The 12345 hotline, entered by an operator.
        Hotline = "hotline",
        /// A camera or video patrol (视频发现).
        Camera = "camera",
        /// Assigned by a leader (领导批办).
        Leader = "leader",
        /// Found by a department (部门发现).
        Department = "department",
        /// Imported from an older system (historical incidents).
        Imported = "imported",
    }
}

named_enum! {
    /// Where a case is in the loop.
    CaseState {
        /// Reported, waiting for the street center to accept it (上报).
        Reported = "reported",
        /// Fixed by the grid worker who found it, waiting for review (自办自结).
        SelfResolved = "self_resolved",
        /// Accepted and confirmed by the street center (受理).
        Accepted = "accepted",
        /// Filed as a case (立案), to be dispatched.
        Filed = "filed",
        /// Sent up to the district center, which dispatches it (上报区中心).
        Escalated = "escalated",
        /// Dispatched to a department (派遣), being handled.
        Dispatched = "dispatched",
        /// Handled; the department's feedback waits for verification on site (处置反馈).
        Handled = "handled",
        /// Suspended with approval (挂账): the clock stops.
        Suspended = "suspended",
        /// Closed (结案).
        Closed = "closed",
        /// Not filed (不予立案), with a reason.
        Rejected = "rejected",
        /// Voided with approval (作废).
        Voided = "voided",
        /// Merged into another case reporting the same problem.
        Merged = "merged",
    }
}

impl CaseState {
    /// Whether the case is finished: nothing but reading happens to it any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Rejected | CaseState::Voided | CaseState::Merged)
    }
}

named_enum! {
    /// A public reporter's verdict on the result of a closed case (满意度评价).
    Rating {
        /// 满意.
        Satisfied = "satisfied",
        /// 基本满意.
        BasicallySatisfied = "basically_satisfied",
        /// 不满意: the district center sees it and may reopen the case.
        Unsatisfied = "unsatisfied",
    }
}

named_enum! {
    /// Where a case is, in the plain words shown to the public (the tracking page, the public map, Open311).
    PublicStatus {
        /// Received, waiting to be accepted (已收到).
        Received = "received",
        /// Accepted, being arranged (已受理).
        Accepted = "accepted",
        /// A department is working on it (处理中).
        InProgress = "in_progress",
        /// The department says it is done; it is being checked on site (核查中).
        Checking = "checking",
        /// Fixed and closed (已办结).
        Fixed = "fixed",
        /// Not accepted, with the reason (不予受理).
        NotAccepted = "not_accepted",
        /// The same problem as another report, followed there (已合并).
        Duplicate = "duplicate",
        /// Withdrawn with approval (已撤销).
        Withdrawn = "withdrawn",
    }
}

impl PublicStatus {
    /// Whether the case is still being worked on (Open311 `open`; otherwise `closed`).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            PublicStatus::Received | PublicStatus::Accepted | PublicStatus::InProgress | PublicStatus::Checking
        )
    }
}

impl CaseState {
    /// The state in the public's words.
    pub fn public_status(self) -> PublicStatus {
        use CaseState::*;
        match self {
            Reported | SelfResolved => PublicStatus::Received,
            Accepted | Filed => PublicStatus::Accepted,
            Escalated | Dispatched | Suspended => PublicStatus::InProgress,
            Handled => PublicStatus::Checking,
            Closed => PublicStatus::Fixed,
            Rejected => PublicStatus::NotAccepted,
            Merged => PublicStatus::Duplicate,
            Voided => PublicStatus::Withdrawn,
        }
    }

    /// Whether the street center has accepted the report (public pages show a report from then on).
    pub fn is_accepted(self) -> bool {
        !matches!(self, CaseState::Reported | CaseState::SelfResolved | CaseState::Rejected)
    }
}

named_enum! {
    /// The deadline light of an open case.
    Light {
        /// Less than 80 % of the time limit used.
        Green = "green",
        /// From 80 %.
        Yellow = "yellow",
        /// Overdue.
        Red = "red",
    }
}

impl Light {
    /// The light at `now` of a case whose clock turns yellow at `warn` and red at `due` (`None` while no clock runs).
    pub fn at<T: PartialOrd>(due: Option<T>, warn: Option<T>, now: T) -> Option<Light> {
        let due = due?;
        Some(if due <= now {
            Light::Red
        } else if warn.is_some_and(|w| w <= now) {
            Light::Yellow
        } else {
            Light::Green
        })
    }
}

named_enum! {
    /// How a category's handling time limit is counted.
    LimitUnit {
        /// Clock hours.
        Hours = "hours",
        /// Hours inside working time on working days.
        WorkingHours = "working_hours",
        /// Working days (each the length of a working day of working time).
        WorkingDays = "working_days",
        /// Calendar days.
        CalendarDays = "calendar_days",
    }
}

/// A handling time limit (处置时限): an amount of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    /// How many.
    pub amount: u32,
    /// Of what.
    pub unit: LimitUnit,
}
