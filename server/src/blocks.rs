//! Blocks, the application service: building a community's road-bounded blocks and splitting one block, each through
//! the after-write path (write and audit entry together, then the block tiles around it refreshed).

use actix_web::http::StatusCode;
use wangge_domain::codes::CommunityCode;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::blocks::{self, block_bbox, build_blocks, split_block, BlockSummary, Cut, SplitSummary};
use crate::store::hierarchy::community_bbox;
use crate::write::{Touches, Writer};
use wangge_domain::plan::SplitPolicy;

/// Cut `community` into blocks along the roads of `road_classes` (refused once a plan uses its blocks).
pub async fn build(
    state: &AppState,
    writer: Writer,
    community: &CommunityCode,
    road_classes: &[&str],
) -> ApiResult<BlockSummary> {
    let mut w = writer.begin(state).await?;
    let summary = build_blocks(w.conn(), community.as_str(), road_classes).await?;
    let bbox = community_bbox(w.conn(), community.as_str()).await?;
    w.finish(StatusCode::OK, &summary, Touches::Areas(bbox)).await?;
    Ok(summary)
}

/// Split block `id` into building cells or along a line; the pieces replace it in new plans.
pub async fn split(state: &AppState, writer: Writer, id: i64, cut: &Cut) -> ApiResult<SplitSummary> {
    let mut w = writer.begin(state).await?;
    let summary = split_block(w.conn(), id, cut).await?;
    let bbox = block_bbox(w.conn(), summary.parent).await?;
    w.finish(StatusCode::OK, &summary, Touches::Areas(bbox)).await?;
    Ok(summary)
}

/// The planner's override for Suggest on block `id`: divide it when big, never, or always.
pub async fn set_split_policy(
    state: &AppState,
    writer: Writer,
    id: i64,
    policy: SplitPolicy,
) -> ApiResult<serde_json::Value> {
    let mut w = writer.begin(state).await?;
    let before =
        blocks::set_split_policy(w.conn(), id, policy).await?.ok_or_else(|| ApiError::not_found("block", id))?;
    let answer = serde_json::json!({ "block": id, "split_policy": policy, "before": before });
    w.finish(StatusCode::OK, &answer, Touches::Nothing).await?;
    Ok(answer)
}
