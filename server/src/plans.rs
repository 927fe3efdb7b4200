//! Grid plans, the application service — the worked example of the path every write takes: the route has parsed
//! the request into domain values; here a write is begun (with its audit context from the guard), the stored state
//! is loaded, the domain decides (plan validation, the partitioner), the store writes, and the after-write path
//! commits the write with its audit entry and refreshes what it touched. Answers are typed; the route only picks the
//! HTTP status.

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use wangge_domain::codes::CommunityCode;
use wangge_domain::partition::{Options, PartitionResult};

use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::hierarchy::community_bbox;
use crate::store::{blocks, plans};
use crate::write::{Touches, Write, Writer};
use wangge_api::plans::{Divided, Draft, PlanInput, Proposal, Published, RebalanceSummary};

/// Store a new draft of `community`'s plan.
pub async fn create_draft(
    state: &AppState,
    writer: Writer,
    community: &CommunityCode,
    input: &PlanInput,
) -> ApiResult<Draft> {
    let mut w = writer.begin(state).await?;
    let (plan, report) = plans::save_draft(w.conn(), community, None, input).await?;
    let draft = Draft { plan, report };
    w.finish(StatusCode::CREATED, &draft, Touches::Nothing).await?;
    Ok(draft)
}

/// Replace the contents of draft `id` (refused when someone else saved it since `input.revision`).
pub async fn replace_draft(state: &AppState, writer: Writer, id: i64, input: &PlanInput) -> ApiResult<Draft> {
    let current = plans::get_plan(&state.pool, id).await?;
    let community: CommunityCode = crate::routes::input::code(&current.community_code)?;
    let mut w = writer.begin(state).await?;
    let (plan, report) = plans::save_draft(w.conn(), &community, Some(id), input).await?;
    let draft = Draft { plan, report };
    w.finish(StatusCode::OK, &draft, Touches::Nothing).await?;
    Ok(draft)
}

/// Publish draft `id` from `valid_from` (default now); the maps and the locate cache show it at once.
pub async fn publish(
    state: &AppState,
    writer: Writer,
    id: i64,
    valid_from: Option<DateTime<Utc>>,
) -> ApiResult<Published> {
    let mut w = writer.begin(state).await?;
    let (plan, report, elements_relocated) = plans::publish(w.conn(), id, valid_from).await?;
    let bbox = community_bbox(w.conn(), &plan.community_code).await?;
    let published = Published { plan, report, elements_relocated };
    w.finish(StatusCode::OK, &published, Touches::Areas(bbox)).await?;
    Ok(published)
}

/// Propose a new draft for `community` with the partitioner: first every compound holding more than half a grid is
/// divided into building cells (the partitioner then cuts a compound only where balance needs it), all in the one
/// audited write with the draft.
pub async fn suggest(
    state: &AppState,
    writer: Writer,
    community: &CommunityCode,
    options: &Options,
) -> ApiResult<Proposal> {
    let mut w = writer.begin(state).await?;
    let divided = blocks::divide_compounds(w.conn(), community.as_str(), (options.target / 2) as i32).await?;
    let (input, result) = plans::suggest_input(w.conn(), community, options).await?;
    store_proposal(w, community, &input, result, divided, None).await
}

/// Redraw part of plan `id` into a new draft, as `how` says (around one grid, or the grids outside the band).
pub async fn rebalance(state: &AppState, writer: Writer, id: i64, how: &plans::Rebalance) -> ApiResult<Proposal> {
    let (community, input, result, summary) = plans::rebalance_input(&state.pool, id, how).await?;
    store_proposal(writer.begin(state).await?, &community, &input, result, Vec::new(), summary).await
}

async fn store_proposal(
    mut w: Write<'_>,
    community: &CommunityCode,
    input: &PlanInput,
    result: PartitionResult,
    divided: Vec<Divided>,
    rebalanced: Option<RebalanceSummary>,
) -> ApiResult<Proposal> {
    let (plan, report) = plans::save_draft(w.conn(), community, None, input).await?;
    let proposal = Proposal { plan, report, findings: result.findings, divided, rebalanced };
    // compounds divided into cells change the block layer of the community's tiles
    let touches = if proposal.divided.is_empty() {
        Touches::Nothing
    } else {
        Touches::Areas(community_bbox(w.conn(), community.as_str()).await?)
    };
    w.finish(StatusCode::CREATED, &proposal, touches).await?;
    Ok(proposal)
}
