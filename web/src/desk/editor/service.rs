//! The editor's save, rebase and publish service, and its other calls to the server: autosave with revision checks,
//! conflicts, publishing with the diff first, splits, imports, suggestions, special grids, version history.

use super::*;
use wangge_api::plans::{Draft, Imported, NotPublishable, Proposal, Published};
use wangge_domain::plan::Problem;

/// A grid layer to import.
pub(super) enum Layer {
    /// GeoJSON text.
    GeoJson(String),
    /// A zipped Shapefile.
    Shapefile(Vec<u8>),
}

/// Which plan to open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Source {
    /// A given draft.
    Draft(i64),
    /// The plan in force.
    InForce,
}

pub(super) async fn reload_blocks(community: &str) -> Result<(Value, Value), String> {
    let blocks = api::get_ok(&fill(paths::COMMUNITY_BLOCKS, &[&community])).await?;
    let edges = api::get_ok(&fill(paths::COMMUNITY_BLOCK_EDGES, &[&community])).await?;
    Ok((blocks, edges))
}

pub(super) fn cells_of(blocks: &Value, parent: BlockId) -> Vec<BlockId> {
    blocks["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["properties"]["parent_id"].as_i64() == Some(parent))
        .filter_map(|f| f["properties"]["id"].as_i64())
        .collect()
}

/// Load a community for editing: `source`, or by default its newest draft based on the plan in force (resuming
/// work), else the plan in force.
pub(super) async fn load(community: &str, source: Option<Source>) -> Result<(Model, Value, Value), String> {
    let (blocks, edges) = reload_blocks(community).await?;
    let plans = api::get_ok(&fill(paths::COMMUNITY_PLANS, &[&community])).await?;
    let plans = plans.as_array().cloned().unwrap_or_default();
    let in_force = plans
        .iter()
        .filter(|p| p["status"] == PlanStatus::Published.as_str() && p["valid_to"].is_null())
        .filter_map(|p| p["id"].as_i64())
        .max();
    let open = match source {
        Some(Source::Draft(id)) => Some(id),
        Some(Source::InForce) => in_force,
        None => plans
            .iter()
            .filter(|p| p["status"] == PlanStatus::Draft.as_str() && p["based_on"].as_i64() == in_force)
            .max_by_key(|p| p["version"].as_i64())
            .and_then(|p| p["id"].as_i64())
            .or(in_force),
    };
    let mut model = match open {
        Some(id) => {
            let plan = api::get_ok(&fill(paths::PLAN, &[&id])).await?;
            let mut m = Model::new(community, &blocks, &edges, Some(&plan["grids"]));
            if plan["plan"]["status"] == PlanStatus::Draft.as_str() {
                m.draft_id = Some(id);
                m.revision = plan["plan"]["revision"].as_i64();
            }
            m
        }
        None => Model::new(community, &blocks, &edges, None),
    };
    model.published = in_force;
    Ok((model, blocks, edges))
}

impl Controller {
    /// Save the work: a new draft the first time, then the same draft at the revision it was loaded or saved at.
    pub async fn save(self: &Rc<Self>) -> bool {
        // One save at a time: wait for one under way (an autosave) to finish first.
        while self.save_state.get_untracked() == SaveState::Saving {
            sleep(100).await;
        }
        self.save_state.set(SaveState::Saving);
        let generation = self.generation.get();
        let (body, draft, community) = {
            let m = self.model.borrow();
            (m.body(), m.draft_id, m.community.clone())
        };
        let reply = match draft {
            Some(id) => api::send("PUT", &fill(paths::PLAN, &[&id]), &body, &self.csrf).await,
            None => api::send("POST", &fill(paths::COMMUNITY_PLANS, &[&community]), &body, &self.csrf).await,
        };
        match reply {
            Ok(r) if r.ok() => {
                let draft: Draft = match r.answer() {
                    Ok(d) => d,
                    Err(e) => {
                        self.say(true, e);
                        self.save_state.set(SaveState::Dirty);
                        return false;
                    }
                };
                let mut m = self.model.borrow_mut();
                m.draft_id = Some(draft.plan.id);
                m.revision = Some(i64::from(draft.plan.revision));
                self.save_state.set(if self.generation.get() == generation {
                    SaveState::Saved
                } else {
                    SaveState::Dirty
                });
                true
            }
            Ok(r) if r.error() == Some(ErrorCode::StaleRevision) => {
                self.message.set(None);
                self.conflict.set(Some(Conflict::Revision));
                let me = self.clone();
                spawn_local(async move { me.show_theirs().await });
                self.save_state.set(SaveState::Dirty);
                false
            }
            Ok(r) => {
                self.say(true, r.message());
                self.save_state.set(SaveState::Dirty);
                false
            }
            Err(e) => {
                self.say(true, e);
                self.save_state.set(SaveState::Dirty);
                false
            }
        }
    }

    /// Show both versions: outline on the map every block whose grid in the other version differs from this work.
    pub(super) async fn show_theirs(self: &Rc<Self>) {
        let (community, draft_id) = {
            let m = self.model.borrow();
            (m.community.clone(), m.draft_id)
        };
        let url = match self.conflict.get_untracked() {
            Some(Conflict::Revision) => draft_id.map(|id| fill(paths::PLAN, &[&id])),
            _ => Some(fill(paths::COMMUNITY_GRIDS, &[&community])),
        };
        let Some(url) = url else { return };
        let Ok(theirs) = api::get_ok(&url).await else {
            return;
        };
        let mut their_owner = std::collections::HashMap::new();
        for f in theirs["grids"]["features"].as_array().into_iter().flatten() {
            let key = f["properties"]["key"].as_str().unwrap_or_default().to_owned();
            for b in f["properties"]["blocks"].as_array().into_iter().flatten().filter_map(Value::as_i64) {
                their_owner.insert(b, key.clone());
            }
        }
        let mine = self.model.borrow().assignment();
        let differ: Vec<BlockId> =
            mine.iter().filter(|(b, k)| their_owner.get(b) != Some(k)).map(|(b, _)| *b).collect();
        for b in &differ {
            self.map.set_source_state(BLOCKS, *b, &json!({ "moved": true }));
        }
        self.say(false, format!("{} {}", differ.len(), tr!(self.lang.get_untracked(), "differ_from_theirs")));
    }

    /// Keep this work as a new draft of its own (the other draft stays as its author left it).
    pub(super) async fn keep_as_new_draft(self: &Rc<Self>) {
        {
            let mut m = self.model.borrow_mut();
            m.draft_id = None;
            m.revision = None;
        }
        self.conflict.set(None);
        if self.save().await {
            self.say(false, tr!(self.lang.get_untracked(), "kept_new_draft"));
        }
    }

    /// Load the newer version (the other draft, or the newly published plan) and re-apply this work on top of it.
    pub(super) async fn rebase(self: &Rc<Self>) {
        let conflict = self.conflict.get_untracked();
        let (community, draft_id) = {
            let m = self.model.borrow();
            (m.community.clone(), m.draft_id)
        };
        let source = match conflict {
            Some(Conflict::Revision) => draft_id.map(Source::Draft),
            _ => Some(Source::InForce),
        };
        match load(&community, source).await {
            Ok((mut theirs, blocks, edges)) => {
                let applied = self.model.borrow().rebase_onto(&mut theirs);
                if conflict == Some(Conflict::Published) {
                    theirs.draft_id = None;
                    theirs.revision = None;
                }
                *self.model.borrow_mut() = theirs;
                *self.blocks_fc.borrow_mut() = blocks;
                *self.edges_fc.borrow_mut() = edges;
                self.install_layers();
                self.refresh_all();
                self.conflict.set(None);
                self.say(false, format!("{} {applied}", tr!(self.lang.get_untracked(), "rebased")));
                self.save().await;
            }
            Err(e) => self.say(true, e),
        }
    }

    /// Save, then show what publishing would change.
    pub(super) async fn prepare_publish(self: &Rc<Self>) {
        let unsaved = self.save_state.get_untracked() != SaveState::Saved || self.model.borrow().draft_id.is_none();
        if unsaved && !self.save().await {
            return;
        }
        let Some(id) = self.model.borrow().draft_id else {
            return;
        };
        match api::get_ok(&fill(paths::PLAN_DIFF, &[&id])).await {
            Ok(d) => self.confirm.set(Some(d["diff"].clone())),
            Err(e) => self.say(true, e),
        }
    }

    pub(super) async fn publish(self: &Rc<Self>) {
        self.confirm.set(None);
        let Some(id) = self.model.borrow().draft_id else {
            return;
        };
        let lang = self.lang.get_untracked();
        match api::send("POST", &fill(paths::PLAN_PUBLISH, &[&id]), &json!({}), &self.csrf).await {
            Ok(r) if r.ok() => {
                let version = r.answer::<Published>().map_or(0, |p| p.plan.version);
                let community = self.model.borrow().community.clone();
                if let Ok((model, blocks, edges)) = load(&community, Some(Source::InForce)).await {
                    *self.model.borrow_mut() = model;
                    *self.blocks_fc.borrow_mut() = blocks;
                    *self.edges_fc.borrow_mut() = edges;
                    self.install_layers();
                    self.refresh_all();
                    self.save_state.set(SaveState::Saved);
                }
                self.say(false, format!("{} v{version}", tr!(lang, "published")));
            }
            Ok(r) if r.error() == Some(ErrorCode::PlanNotPublishable) => {
                let problems = r.details::<NotPublishable>().map(|d| d.problems).unwrap_or_default();
                let mut bad = Vec::new();
                for p in &problems {
                    match p {
                        Problem::Unassigned { blocks } => bad.extend(blocks),
                        Problem::Discontiguous { pieces, .. } => bad.extend(pieces.iter().skip(1).flatten()),
                        _ => {}
                    }
                }
                let n = bad.len();
                self.set_problems(bad);
                let problems = problems.len();
                self.say(
                    true,
                    format!(
                        "{} {problems} {} ({n} {})",
                        tr!(lang, "not_publishable"),
                        tr!(lang, "problems"),
                        tr!(lang, "blocks_marked")
                    ),
                );
            }
            Ok(r) if r.error() == Some(ErrorCode::StaleBase) => {
                self.message.set(None);
                self.conflict.set(Some(Conflict::Published));
                self.show_theirs().await;
            }
            Ok(r) => self.say(true, r.message()),
            Err(e) => self.say(true, e),
        }
    }

    /// Set how Suggest divides `block` to the policy tool's choice, and say so.
    pub(super) async fn set_policy(self: &Rc<Self>, block: BlockId) {
        let (lang, policy) = (self.lang.get_untracked(), self.policy.get_untracked());
        let body = json!({ "split_policy": policy });
        match api::send("PUT", &fill(paths::BLOCK_SPLIT_POLICY, &[&block]), &body, &self.csrf).await {
            Ok(r) if r.ok() => {
                let key = format!("policy_{}", policy.as_str());
                self.say(false, format!("{} {block}: {}", tr!(lang, "policy_set"), t(lang, &key)));
            }
            Ok(r) => self.say(true, r.message()),
            Err(e) => self.say(true, e),
        }
    }

    /// Split a block into building cells, or along a drawn line.
    pub(super) async fn split(self: &Rc<Self>, block: BlockId, line: Option<Vec<[f64; 2]>>) {
        // Save pending edits first: a save still naming the whole block would otherwise race the split and be
        // refused once the block is retired.
        if self.save_state.get_untracked() != SaveState::Saved && !self.save().await {
            return;
        }
        let lang = self.lang.get_untracked();
        let body = match line {
            Some(l) => json!({ "line": { "type": "LineString", "coordinates": l } }),
            None => json!({}),
        };
        match api::send("POST", &fill(paths::BLOCK_SPLIT, &[&block]), &body, &self.csrf).await {
            Ok(r) if r.ok() => {
                // Reload the blocks; the cells start in the grid their block was in.
                let (community, mut assignment, keep) = {
                    let m = self.model.borrow();
                    (
                        m.community.clone(),
                        m.assignment(),
                        (m.published, m.draft_id, m.revision, m.draft.grids().to_vec(), m.labels.clone()),
                    )
                };
                let key = assignment.remove(&block);
                match reload_blocks(&community).await {
                    Ok((blocks, edges)) => {
                        let mut m = Model::new(&community, &blocks, &edges, None);
                        let (published, draft_id, revision, grids, labels) = keep;
                        for (g, label) in grids.iter().zip(labels) {
                            let ix = m.draft.add_grid(&g.key, g.kind);
                            m.labels.push(label);
                            let mut members: Vec<BlockId> = g.blocks.iter().copied().filter(|b| *b != block).collect();
                            if key.as_deref() == Some(g.key.as_str()) {
                                members.extend(cells_of(&blocks, block));
                            }
                            m.draft.load(ix, &members);
                            if g.locked {
                                let _ = m.draft.set_locked(ix, true);
                            }
                        }
                        m.base = self.model.borrow().base.clone();
                        (m.published, m.draft_id, m.revision) = (published, draft_id, revision);
                        *self.model.borrow_mut() = m;
                        *self.blocks_fc.borrow_mut() = blocks;
                        *self.edges_fc.borrow_mut() = edges;
                        self.install_layers();
                        self.refresh_all();
                        self.say(
                            false,
                            format!("{} {}", tr!(lang, "split_done"), r.body["cells"].as_array().map_or(0, Vec::len)),
                        );
                        self.save_state.set(SaveState::Dirty);
                        self.save().await;
                    }
                    Err(e) => self.say(true, e),
                }
            }
            Ok(r) => self.say(true, r.message()),
            Err(e) => self.say(true, e),
        }
    }

    pub(super) async fn import(self: &Rc<Self>, layer: Layer) {
        let lang = self.lang.get_untracked();
        let (community, published) = {
            let m = self.model.borrow();
            (m.community.clone(), m.published)
        };
        let reply = match layer {
            Layer::GeoJson(text) => {
                let Ok(layer) = serde_json::from_str::<Value>(&text) else {
                    self.say(true, tr!(lang, "import_bad_file"));
                    return;
                };
                let body = json!({ "layer": layer, "based_on": published });
                api::send("POST", &fill(paths::COMMUNITY_PLANS_IMPORT, &[&community]), &body, &self.csrf).await
            }
            Layer::Shapefile(bytes) => {
                let based_on = published.map(|p| format!("?based_on={p}")).unwrap_or_default();
                api::send_bytes(
                    &format!("{}{based_on}", fill(paths::COMMUNITY_PLANS_IMPORT_SHAPEFILE, &[&community])),
                    bytes,
                    "application/zip",
                    &self.csrf,
                )
                .await
            }
        };
        match reply {
            Ok(r) if r.ok() => {
                let imported: Imported = match r.answer() {
                    Ok(i) => i,
                    Err(e) => return self.say(true, e),
                };
                self.adopt_draft(Some(imported.plan.id)).await;
                let between: Vec<BlockId> = imported.between.iter().map(|b| b.block).collect();
                let across: Vec<BlockId> = imported.across.iter().map(|b| b.block).collect();
                self.say(
                    false,
                    format!(
                        "{}: {} {}, {} {}",
                        tr!(lang, "imported"),
                        between.len(),
                        tr!(lang, "between"),
                        across.len(),
                        tr!(lang, "across")
                    ),
                );
                self.set_problems(between.into_iter().chain(across).collect());
            }
            Ok(r) => self.say(true, r.message()),
            Err(e) => self.say(true, e),
        }
    }

    /// Show the draft `id` the server just made (an import, a suggestion, a rebalance) in place of the current one.
    pub(super) async fn adopt_draft(self: &Rc<Self>, id: Option<i64>) -> bool {
        self.reopen(id.map(Source::Draft)).await
    }

    /// Open `source` (`None`: the open draft, else the plan in force) in place of the current work.
    async fn reopen(self: &Rc<Self>, source: Option<Source>) -> bool {
        let community = self.model.borrow().community.clone();
        match load(&community, source).await {
            Ok((model, blocks, edges)) => {
                *self.model.borrow_mut() = model;
                *self.blocks_fc.borrow_mut() = blocks;
                *self.edges_fc.borrow_mut() = edges;
                self.install_layers();
                self.refresh_all();
                self.save_state.set(SaveState::Saved);
                true
            }
            Err(e) => {
                self.say(true, e);
                false
            }
        }
    }

    /// Save the current work, then have the partitioner divide the whole community into a new draft (dedicated
    /// grids kept) and open it.
    pub(super) async fn suggest(self: &Rc<Self>) {
        if !self.save().await {
            return;
        }
        let community = self.model.borrow().community.clone();
        self.remember_before_proposal();
        self.busy.set(Some("suggesting"));
        let reply =
            api::send("POST", &fill(paths::COMMUNITY_PLANS_SUGGEST, &[&community]), &json!({}), &self.csrf).await;
        self.busy.set(None);
        self.show_partition(reply).await;
    }

    /// Save the current work, then re-divide only the active grid and the grids touching it into a new draft.
    pub(super) async fn rebalance(self: &Rc<Self>) {
        let lang = self.lang.get_untracked();
        let Some(key) = self
            .active
            .get_untracked()
            .and_then(|ix| self.rows.get_untracked().into_iter().find(|r| r.ix == ix))
            .map(|r| r.key)
        else {
            self.say(true, tr!(lang, "pick_grid_first"));
            return;
        };
        if !self.save().await {
            return;
        }
        let Some(id) = self.model.borrow().draft_id else {
            return;
        };
        self.remember_before_proposal();
        self.busy.set(Some("rebalancing"));
        let reply =
            api::send("POST", &fill(paths::PLAN_REBALANCE, &[&id]), &json!({ "grid": key, "hops": 1 }), &self.csrf)
                .await;
        self.busy.set(None);
        self.show_partition(reply).await;
    }

    /// Save the current work, then bring the grids outside the band back, keeping every grid inside it as it is.
    pub(super) async fn rebalance_community(self: &Rc<Self>) {
        if !self.save().await {
            return;
        }
        let source = self.current_source();
        let id = match source {
            Source::Draft(id) => Some(id),
            Source::InForce => self.model.borrow().published,
        };
        let Some(id) = id else { return };
        self.before_proposal.set(Some(source));
        self.busy.set(Some("rebalancing"));
        let reply = api::send("POST", &fill(paths::PLAN_REBALANCE, &[&id]), &json!({}), &self.csrf).await;
        self.busy.set(None);
        self.show_partition(reply).await;
    }

    /// What is open now: the draft, or the plan in force.
    fn current_source(&self) -> Source {
        self.model.borrow().draft_id.map_or(Source::InForce, Source::Draft)
    }

    fn remember_before_proposal(&self) {
        self.before_proposal.set(Some(self.current_source()));
    }

    /// Undo the last suggestion or rebalance in one step: open again what was open before it (its draft stays in
    /// the version history).
    pub(super) async fn undo_proposal(self: &Rc<Self>) {
        let Some(source) = self.before_proposal.get_untracked() else { return };
        if self.reopen(Some(source)).await {
            self.before_proposal.set(None);
            self.set_problems(Vec::new());
            self.say(false, tr!(self.lang.get_untracked(), "proposal_undone"));
        }
    }

    /// Open the draft a suggestion or a rebalance made, say how balanced it is, and mark the blocks to split.
    pub(super) async fn show_partition(self: &Rc<Self>, reply: Result<api::Reply, String>) {
        let lang = self.lang.get_untracked();
        let proposal: Proposal = match reply {
            Ok(r) if r.ok() => match r.answer() {
                Ok(p) => p,
                Err(e) => return self.say(true, e),
            },
            Ok(r) => return self.say(true, r.message()),
            Err(e) => return self.say(true, e),
        };
        if !self.adopt_draft(Some(proposal.plan.id)).await {
            return;
        }
        let rows = self.rows.get_untracked();
        let natural: Vec<&Row> = rows.iter().filter(|r| !r.dedicated && r.blocks > 0).collect();
        let band = Band::default();
        let within = natural.iter().filter(|r| r.deviation.abs() <= band.tolerance).count();
        let to_split: Vec<BlockId> =
            proposal.findings.oversized.iter().chain(&proposal.findings.lumpy).map(|b| b.block).collect();
        let mut text = format!(
            "{}: {} {}, {} {}",
            tr!(lang, "suggested"),
            natural.len(),
            tr!(lang, "grids_word"),
            within,
            tr!(lang, "in_band")
        );
        if !proposal.divided.is_empty() {
            text.push_str(&format!("; {} {}", proposal.divided.len(), tr!(lang, "divided_compounds")));
        }
        if let Some(r) = &proposal.rebalanced {
            text.push_str(&format!(
                "; {} {}, {} {}",
                r.kept.len(),
                tr!(lang, "kept_grids"),
                r.moved_households,
                tr!(lang, "moved_households")
            ));
        }
        if !to_split.is_empty() {
            text.push_str(&format!("; {} {}", to_split.len(), tr!(lang, "lumpy_blocks")));
        }
        self.say(false, text);
        self.set_problems(to_split);
    }

    /// Store the picked blocks as a special grid of the district.
    pub(super) async fn save_special(self: &Rc<Self>, name: String, theme: String) {
        let lang = self.lang.get_untracked();
        let blocks = self.special.get_untracked();
        let ring = self.polygon.get_untracked();
        let district = self.model.borrow().community.chars().take(6).collect::<String>();
        let drawn = self.tool.get_untracked() == Tool::Polygon;
        let body = if drawn {
            let mut coords: Vec<[f64; 2]> = ring.iter().map(|p| [p.0, p.1]).collect();
            if let Some(first) = coords.first().copied() {
                coords.push(first);
            }
            json!({ "district_code": district, "name": name, "theme": theme,
                    "geometry": { "type": "Polygon", "coordinates": [coords] } })
        } else {
            json!({ "district_code": district, "name": name, "theme": theme, "blocks": blocks })
        };
        match api::send("POST", paths::SPECIAL_GRIDS, &body, &self.csrf).await {
            Ok(r) if r.ok() => {
                for b in &blocks {
                    self.map.set_source_state(BLOCKS, *b, &json!({ "special": false }));
                }
                self.special.set(Vec::new());
                self.polygon.set(Vec::new());
                if let Some(d) = &*self.drawing.borrow() {
                    d.clear();
                }
                let what = if drawn {
                    format!("{} {}", ring.len(), tr!(lang, "corners_word"))
                } else {
                    format!("{} {}", blocks.len(), tr!(lang, "blocks_word"))
                };
                self.say(false, format!("{} ({what})", tr!(lang, "special_saved")));
            }
            Ok(r) => self.say(true, r.message()),
            Err(e) => self.say(true, e),
        }
    }

    /// The community's versions, newest first.
    pub(super) async fn load_versions(self: &Rc<Self>) {
        let community = self.model.borrow().community.clone();
        match api::get_ok(&fill(paths::COMMUNITY_PLANS, &[&community])).await {
            Ok(v) => {
                let mut list = v.as_array().cloned().unwrap_or_default();
                list.sort_by_key(|p| std::cmp::Reverse(p["version"].as_i64()));
                self.versions.set(list);
            }
            Err(e) => self.say(true, e),
        }
    }

    /// Show on the map which blocks changed grid between two versions (`older` → `newer`, by plan id).
    pub(super) async fn compare(self: &Rc<Self>, older: i64, newer: i64) {
        match api::get_ok(&format!("{}?against={older}", fill(paths::PLAN_DIFF, &[&newer]))).await {
            Ok(d) => {
                let moved: Vec<BlockId> =
                    d["diff"]["moved"].as_array().into_iter().flatten().filter_map(|m| m["block"].as_i64()).collect();
                if let Some(old) = self.compared.get_untracked() {
                    for b in old["diff"]["moved"].as_array().into_iter().flatten().filter_map(|m| m["block"].as_i64()) {
                        self.map.set_source_state(BLOCKS, b, &json!({ "moved": false }));
                    }
                }
                for b in &moved {
                    self.map.set_source_state(BLOCKS, *b, &json!({ "moved": true }));
                }
                self.zoom_to(&moved);
                self.compared.set(Some(d));
            }
            Err(e) => self.say(true, e),
        }
        match api::get_ok(&fill(paths::PLAN_LINEAGE, &[&newer]))
            .await
            .and_then(|v| serde_json::from_value::<wangge_api::plans::Lineage>(v).map_err(|e| e.to_string()))
        {
            Ok(l) => self.lineage.set(Some(l)),
            Err(e) => self.say(true, e),
        }
    }

    pub(super) fn export_url(&self, format: &str) -> Option<String> {
        let m = self.model.borrow();
        m.draft_id.or(m.published).map(|id| format!("{}?format={format}", fill(paths::PLAN_EXPORT, &[&id])))
    }
}
