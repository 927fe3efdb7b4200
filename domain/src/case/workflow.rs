//! The case workflow: one table of which action may be taken from which state, and by whom. The server enforces it
//! for every transition (after the guard has checked the role and that the case lies in the caller's scope); the
//! case page asks it which buttons to show.
//!
//! ```text
//! reported ─accept→ accepted ─file→ filed ─dispatch→ dispatched ─handle→ handled ─verify_pass→ closed
//!    │ self_resolve      │ reject      │ escalate        │ ↑ return          │ verify_fail → dispatched (rework)
//!    ↓                   ↓             ↓                 │ request_suspension / request_extension → approve / deny
//! self_resolved ─review_pass→ closed   escalated ─dispatch→ dispatched       suspended ─resume→ dispatched
//! any open state ─void→ voided; reported / accepted / filed ─merge→ merged; supervise flags any open case
//! closed, rated unsatisfied by its public reporter ─reopen→ dispatched (rework, by the district center)
//! ```

use serde::{Deserialize, Serialize};

use super::{named_enum, CaseState};
use crate::access::Role;

named_enum! {
    /// Something done to a case.
    CaseAction {
        /// A grid worker fixed what they found themselves (自办自结).
        SelfResolve = "self_resolve",
        /// The self-resolution is accepted: the case closes.
        ReviewPass = "review_pass",
        /// The self-resolution is not accepted: the case goes to the street center.
        ReviewFail = "review_fail",
        /// The street center accepts the report (受理).
        Accept = "accept",
        /// The street center will not file it (不予立案), with a reason.
        Reject = "reject",
        /// File it as a case (立案).
        File = "file",
        /// Send it up to the district center.
        Escalate = "escalate",
        /// Dispatch it to a department (派遣).
        Dispatch = "dispatch",
        /// The department sends it back: not theirs (回退), with a reason.
        Return = "return",
        /// The department reports it handled (处置反馈), with after-photos.
        Handle = "handle",
        /// Verified on site: fixed (核查通过).
        VerifyPass = "verify_pass",
        /// Verified on site: not fixed; back to the department (返工).
        VerifyFail = "verify_fail",
        /// The department asks to suspend the case (挂账).
        RequestSuspension = "request_suspension",
        /// The department asks for more time (延期).
        RequestExtension = "request_extension",
        /// The street (or district) center approves the pending request.
        ApproveRequest = "approve_request",
        /// The street (or district) center denies the pending request.
        DenyRequest = "deny_request",
        /// A suspended case goes back to its department.
        Resume = "resume",
        /// Ask to void it (作废申请), with a reason: the district center decides.
        RequestVoid = "request_void",
        /// Flag it for the leadership's attention (督办).
        Supervise = "supervise",
        /// Close it as a duplicate of another case.
        Merge = "merge",
        /// The district center sends a closed case its public reporter rated unsatisfied back to its department
        /// (重办).
        Reopen = "reopen",
    }
}

named_enum! {
    /// A request from the department that waits for approval.
    Pending {
        /// To suspend the case.
        Suspension = "suspension",
        /// For more time.
        Extension = "extension",
        /// To void the case (from the street center, for the district center).
        Void = "void",
    }
}

/// Where a case is, as far as the workflow cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// Its state.
    pub state: CaseState,
    /// It went through the district center (returns go back there; the center approves requests).
    pub escalated: bool,
    /// A department request waiting for approval.
    pub pending: Option<Pending>,
    /// Times verification sent it back to the department.
    pub rework: u32,
    /// Flagged by supervision (督办).
    pub supervised: bool,
    /// Its category lets a grid worker resolve it themselves.
    pub self_resolvable: bool,
    /// Closed, and its public reporter rated the result unsatisfied (不满意): the district center may reopen it.
    pub unsatisfied: bool,
}

impl Flow {
    /// A case just reported.
    pub fn reported(self_resolvable: bool) -> Self {
        Self {
            state: CaseState::Reported,
            escalated: false,
            pending: None,
            rework: 0,
            supervised: false,
            self_resolvable,
            unsatisfied: false,
        }
    }
}

/// Who is acting, as far as the workflow cares (the guard has already checked the case lies in their scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Their role.
    pub role: Role,
    /// Their scope is a whole district (a street operator so scoped is the district center).
    pub district_wide: bool,
    /// They are a handler of the department the case is dispatched to.
    pub case_department: bool,
    /// They recorded the handling of this case (so they may not verify it).
    pub handled_it: bool,
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not from the case's current state (or a request is, or is not, pending).
    #[error("a case that is {state} cannot {action} now")]
    NotNow {
        /// The current state.
        state: CaseState,
        /// The action.
        action: CaseAction,
    },
    /// Not by this person.
    #[error("you may not {action} this case: {why}")]
    NotYou {
        /// The action.
        action: CaseAction,
        /// Why.
        why: &'static str,
    },
}

/// Whether `actor` may take `action` at all (on a case in `flow`), and if not, why.
fn who(actor: &Actor, action: CaseAction, flow: &Flow) -> Result<(), &'static str> {
    use CaseAction::*;
    let operator = actor.role == Role::StreetOperator;
    let center = operator && actor.district_wide;
    let worker = matches!(actor.role, Role::GridWorker | Role::GridHead);
    let handler = actor.role == Role::DepartmentHandler && actor.case_department;
    let ok = |allowed: bool, why| if allowed { Ok(()) } else { Err(why) };
    match action {
        SelfResolve if !flow.self_resolvable => Err("its category may not be self-resolved"),
        SelfResolve => ok(worker, "only the grid's worker or head self-resolves"),
        ReviewPass | ReviewFail => {
            ok(operator || actor.role == Role::GridHead, "the grid head or the street center reviews")
        }
        Accept | Reject | File | Escalate | RequestVoid | Merge | Resume => ok(operator, "the street center does this"),
        ApproveRequest | DenyRequest if flow.pending == Some(Pending::Void) => {
            ok(center || actor.role == Role::DistrictAdmin, "the district center decides on voiding")
        }
        Dispatch if flow.state == CaseState::Escalated => ok(center, "the district center dispatches escalated cases"),
        Dispatch => ok(operator, "the street center dispatches"),
        ApproveRequest | DenyRequest if flow.escalated => ok(center, "the district center decides on escalated cases"),
        ApproveRequest | DenyRequest => ok(operator, "the street center decides"),
        Return | Handle | RequestSuspension | RequestExtension => {
            ok(handler, "only the department the case is dispatched to")
        }
        VerifyPass | VerifyFail if actor.handled_it => Err("whoever handled a case may not verify it"),
        VerifyPass | VerifyFail => ok(worker, "a grid worker or head verifies on site"),
        Supervise => ok(center || actor.role == Role::DistrictAdmin, "the district supervises"),
        Reopen => ok(center, "the district center reopens a case rated unsatisfied"),
    }
}

/// The flow after `action` taken from `flow`, ignoring who takes it; `None` when it is not allowed from there.
fn next(flow: &Flow, action: CaseAction) -> Option<Flow> {
    use CaseAction::*;
    use CaseState::*;
    let to = |state| Some(Flow { state, ..*flow });
    match (flow.state, action, flow.pending) {
        (Closed, Reopen, _) if flow.unsatisfied => {
            Some(Flow { state: Dispatched, rework: flow.rework + 1, unsatisfied: false, ..*flow })
        }
        (s, _, _) if s.is_terminal() => None,
        (_, RequestVoid, None) => Some(Flow { pending: Some(Pending::Void), ..*flow }),
        (_, ApproveRequest, Some(Pending::Void)) => Some(Flow { state: Voided, pending: None, ..*flow }),
        (_, DenyRequest, Some(Pending::Void)) => Some(Flow { pending: None, ..*flow }),
        (_, Supervise, _) if flow.supervised => None,
        (_, Supervise, _) => Some(Flow { supervised: true, ..*flow }),
        (Reported, SelfResolve, _) => to(SelfResolved),
        (SelfResolved, ReviewPass, _) => to(Closed),
        (SelfResolved, ReviewFail, _) => to(Accepted),
        (Reported, Accept, _) => to(Accepted),
        (Reported | Accepted, Reject, _) => to(Rejected),
        (Reported | Accepted | Filed, Merge, _) => to(Merged),
        (Accepted, File, _) => to(Filed),
        (Filed, Escalate, _) => Some(Flow { state: Escalated, escalated: true, ..*flow }),
        (Filed | Escalated, Dispatch, _) => to(Dispatched),
        (Dispatched, Return, None) => to(if flow.escalated { Escalated } else { Filed }),
        (Dispatched, Handle, None) => to(Handled),
        (Dispatched, RequestSuspension, None) => Some(Flow { pending: Some(Pending::Suspension), ..*flow }),
        (Dispatched, RequestExtension, None) => Some(Flow { pending: Some(Pending::Extension), ..*flow }),
        (Dispatched, ApproveRequest, Some(Pending::Suspension)) => {
            Some(Flow { state: Suspended, pending: None, ..*flow })
        }
        (Dispatched, ApproveRequest, Some(Pending::Extension)) => Some(Flow { pending: None, ..*flow }),
        (Dispatched, DenyRequest, Some(_)) => Some(Flow { pending: None, ..*flow }),
        (Suspended, Resume, _) => to(Dispatched),
        (Handled, VerifyPass, _) => to(Closed),
        (Handled, VerifyFail, _) => Some(Flow { state: Dispatched, rework: flow.rework + 1, ..*flow }),
        _ => None,
    }
}

/// Take `action` by `actor` on a case in `flow`: the new flow, or why not. The state is checked first, so a caller
/// who raced another and lost learns the case moved on (409) rather than that they lack the right.
pub fn apply(flow: &Flow, actor: &Actor, action: CaseAction) -> Result<Flow, Refusal> {
    let after = next(flow, action).ok_or(Refusal::NotNow { state: flow.state, action })?;
    who(actor, action, flow).map_err(|why| Refusal::NotYou { action, why })?;
    Ok(after)
}

/// Whether the case waits for `actor` (their inbox): they may move it on now. Asking to void it, merging it and
/// supervising it do not count (they are open to the street or district on any open case), and for the district
/// center only what a street center may not do counts (escalated cases, requests it decides).
pub fn is_my_turn(flow: &Flow, actor: &Actor) -> bool {
    use CaseAction::*;
    let street = Actor { district_wide: false, ..*actor };
    CaseAction::ALL
        .iter()
        .copied()
        .filter(|a| !matches!(a, RequestVoid | Merge | Supervise))
        .any(|a| apply(flow, actor, a).is_ok() && (!actor.district_wide || apply(flow, &street, a).is_err()))
}

/// The actions `actor` may take now, in the table's order (the case page's buttons).
pub fn available(flow: &Flow, actor: &Actor) -> Vec<CaseAction> {
    CaseAction::ALL.iter().copied().filter(|a| apply(flow, actor, *a).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(role: Role, district_wide: bool, case_department: bool, handled_it: bool) -> Actor {
        Actor { role, district_wide, case_department, handled_it }
    }

    fn street() -> Actor {
        actor(Role::StreetOperator, false, false, false)
    }
    fn center() -> Actor {
        actor(Role::StreetOperator, true, false, false)
    }
    fn department() -> Actor {
        actor(Role::DepartmentHandler, false, true, false)
    }
    fn worker() -> Actor {
        actor(Role::GridWorker, false, false, false)
    }

    fn run(steps: &[(Actor, CaseAction)]) -> Flow {
        steps.iter().fold(Flow::reported(false), |f, (a, act)| apply(&f, a, *act).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn the_closed_loop_with_one_rework() {
        use CaseAction::*;
        let f = run(&[
            (street(), Accept),
            (street(), File),
            (street(), Dispatch),
            (department(), Handle),
            (worker(), VerifyFail),
            (department(), Handle),
            (worker(), VerifyPass),
        ]);
        assert_eq!(f.state, CaseState::Closed);
        assert_eq!(f.rework, 1);
    }

    #[test]
    fn escalated_cases_are_dispatched_and_decided_by_the_district_center() {
        use CaseAction::*;
        let f = run(&[(street(), Accept), (street(), File), (street(), Escalate)]);
        assert!(matches!(apply(&f, &street(), Dispatch), Err(Refusal::NotYou { .. })));
        let f = apply(&f, &center(), Dispatch).unwrap();
        let f = apply(&f, &department(), Return).unwrap();
        assert_eq!(f.state, CaseState::Escalated, "a return goes back to whoever dispatched");
        let f = apply(&f, &center(), Dispatch).unwrap();
        let f = apply(&f, &department(), RequestExtension).unwrap();
        assert!(matches!(apply(&f, &department(), Handle), Err(Refusal::NotNow { .. })), "wait for the decision");
        assert!(matches!(apply(&f, &street(), ApproveRequest), Err(Refusal::NotYou { .. })));
        let f = apply(&f, &center(), ApproveRequest).unwrap();
        assert_eq!((f.state, f.pending), (CaseState::Dispatched, None));
    }

    #[test]
    fn the_handler_may_not_verify_and_self_resolution_needs_its_category() {
        use CaseAction::*;
        let f = run(&[(street(), Accept), (street(), File), (street(), Dispatch), (department(), Handle)]);
        let me = actor(Role::GridWorker, false, false, true);
        assert!(matches!(apply(&f, &me, VerifyPass), Err(Refusal::NotYou { .. })));
        assert!(matches!(apply(&Flow::reported(false), &worker(), SelfResolve), Err(Refusal::NotYou { .. })));
        let f = apply(&Flow::reported(true), &worker(), SelfResolve).unwrap();
        assert_eq!(
            apply(&f, &actor(Role::GridHead, false, false, false), ReviewPass).unwrap().state,
            CaseState::Closed
        );
    }

    #[test]
    fn voiding_is_asked_by_the_street_and_decided_by_the_district() {
        use CaseAction::*;
        let f = run(&[(street(), Accept), (street(), RequestVoid)]);
        assert_eq!((f.state, f.pending), (CaseState::Accepted, Some(Pending::Void)));
        assert!(matches!(apply(&f, &street(), RequestVoid), Err(Refusal::NotNow { .. })), "asked once");
        assert!(matches!(apply(&f, &street(), ApproveRequest), Err(Refusal::NotYou { .. })));
        let denied = apply(&f, &center(), DenyRequest).unwrap();
        assert_eq!((denied.state, denied.pending), (CaseState::Accepted, None));
        let admin = actor(Role::DistrictAdmin, true, false, false);
        assert_eq!(apply(&f, &admin, ApproveRequest).unwrap().state, CaseState::Voided);
    }

    #[test]
    fn only_an_unsatisfied_closed_case_is_reopened_and_only_by_the_district_center() {
        use CaseAction::*;
        let closed = run(&[(street(), Accept), (street(), File), (street(), Dispatch), (department(), Handle)]);
        let closed = apply(&closed, &worker(), VerifyPass).unwrap();
        assert!(matches!(apply(&closed, &center(), Reopen), Err(Refusal::NotNow { .. })), "not rated unsatisfied");
        let rated = Flow { unsatisfied: true, ..closed };
        assert!(matches!(apply(&rated, &street(), Reopen), Err(Refusal::NotYou { .. })));
        let reopened = apply(&rated, &center(), Reopen).unwrap();
        assert_eq!((reopened.state, reopened.rework, reopened.unsatisfied), (CaseState::Dispatched, 1, false));
        assert!(is_my_turn(&rated, &center()), "in the district center's inbox");
        assert!(!is_my_turn(&closed, &center()));
    }

    #[test]
    fn each_inbox_holds_the_cases_waiting_for_its_people() {
        use CaseAction::*;
        let reported = Flow::reported(false);
        assert!(is_my_turn(&reported, &street()) && !is_my_turn(&reported, &center()));
        let escalated = run(&[(street(), Accept), (street(), File), (street(), Escalate)]);
        assert!(is_my_turn(&escalated, &center()) && !is_my_turn(&escalated, &street()));
        let dispatched = apply(&escalated, &center(), Dispatch).unwrap();
        assert!(is_my_turn(&dispatched, &department()) && !is_my_turn(&dispatched, &worker()));
        let handled = apply(&dispatched, &department(), Handle).unwrap();
        assert!(is_my_turn(&handled, &worker()) && !is_my_turn(&handled, &department()));
        assert!(!is_my_turn(&apply(&handled, &worker(), VerifyPass).unwrap(), &worker()), "closed: nobody's");
    }

    #[test]
    fn the_buttons_are_what_the_table_allows() {
        let f = run(&[(street(), CaseAction::Accept)]);
        assert_eq!(
            available(&f, &street()),
            vec![CaseAction::Reject, CaseAction::File, CaseAction::RequestVoid, CaseAction::Merge]
        );
        assert!(available(&f, &department()).is_empty());
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        (prop::sample::select(crate::access::ROLES.to_vec()), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(role, district_wide, case_department, handled_it)| Actor {
                role,
                district_wide,
                case_department,
                handled_it,
            },
        )
    }

    fn any_action() -> impl Strategy<Value = CaseAction> {
        prop::sample::select(CaseAction::ALL.to_vec())
    }

    /// Structural facts every reachable flow keeps.
    fn consistent(f: &Flow) -> bool {
        (f.pending.is_none() || f.state == CaseState::Dispatched || f.pending == Some(Pending::Void))
            && (f.state != CaseState::Escalated || f.escalated)
            && (f.state != CaseState::SelfResolved || f.self_resolvable)
    }

    proptest! {
        #[test]
        fn random_actions_by_random_people_never_reach_an_invalid_state(
            self_resolvable in any::<bool>(),
            steps in prop::collection::vec((any_actor(), any_action()), 0..60),
        ) {
            let mut f = Flow::reported(self_resolvable);
            let mut reworks = 0;
            for (a, act) in steps {
                match apply(&f, &a, act) {
                    Ok(g) => {
                        prop_assert!(!f.state.is_terminal(), "nothing happens to a finished case");
                        if act == CaseAction::VerifyFail { reworks += 1; }
                        f = g;
                    }
                    Err(Refusal::NotNow { state, .. }) => prop_assert_eq!(state, f.state),
                    Err(Refusal::NotYou { .. }) => {}
                }
                prop_assert!(consistent(&f), "{:?}", f);
                prop_assert_eq!(f.rework, reworks);
            }
            // Driven to the end by the people whose turn it is, every case finishes closed within a bounded number
            // of steps (a suspended case is resumed, a pending request decided, a failed verification re-handled).
            let order = [
                CaseAction::ReviewPass, CaseAction::Accept, CaseAction::File, CaseAction::Dispatch,
                CaseAction::ApproveRequest, CaseAction::Resume, CaseAction::Handle, CaseAction::VerifyPass,
            ];
            let people = [street(), center(), department(), worker()];
            for _ in 0..12 {
                if f.state.is_terminal() { break; }
                let step = order.iter().flat_map(|act| people.iter().map(move |p| (p, *act)))
                    .find_map(|(p, act)| apply(&f, p, act).ok());
                f = step.expect("someone can always move an open case on");
            }
            prop_assert!(f.state.is_terminal(), "{:?}", f);
        }
    }
}
