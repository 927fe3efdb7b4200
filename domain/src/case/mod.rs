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
