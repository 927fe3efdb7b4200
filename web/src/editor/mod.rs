//! The planner's grid editor: a community's blocks coloured by grid (MapLibre feature state, no geometry re-upload),
//! grid outlines drawn live from the blocks' shared edges, strokes (click, brush, lasso, eraser, split into building
//! cells, lasso and special-grid polygons drawn with terra-draw) applied to the domain working copy compiled to WebAssembly, a live panel of every grid's figures,
//! undo/redo, autosave with revision checks, conflict handling, publish with the diff shown first, export and import.

mod model;

use crate::tr;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::error::ErrorCode;
use wangge_api::paths::{self, fill};
use wangge_domain::editor::{Changes, GridIx};
use wangge_domain::plan::{Band, BlockId, GridKind, PlanStatus};
use wasm_bindgen::{JsCast, JsValue};

use crate::draw::{Drawing, Drawn};
use crate::http as api;
use crate::i18n::{t, Lang};
use crate::maplibre::Map;
use model::{color, Model, BLOCKS, EDGES};

/// What a stroke on the map does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Click a block into the active grid.
    Click,
    /// Drag across blocks to paint them into the active grid.
    Brush,
    /// Drag a grid's border: the stroke starts inside a grid and every block it sweeps joins that grid.
    Border,
    /// Draw a loop: every block inside goes into the active grid.
    Lasso,
    /// Drag across blocks to take them out of every grid.
    Erase,
    /// Click a block to split it into building cells.
    Split,
    /// Draw a line across a block to split it in two there.
    Cut,
    /// Click blocks to pick them for a special grid (an overlay; overlaps are allowed).
    Special,
    /// Click the corners of a special grid's polygon, snapped to block corners (which follow the roads).
    Polygon,
}

/// One line of the live panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    ix: GridIx,
    key: String,
    label: String,
    households: u32,
    residents: u32,
    blocks: usize,
    deviation: f64,
    pieces: usize,
    locked: bool,
    dedicated: bool,
}

/// Where the save stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing changed since loading or saving.
    Saved,
    /// Changes not yet saved.
    Dirty,
    /// A save is under way.
    Saving,
}

/// Someone else changed things meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Another save of this draft (the revision moved on).
    Revision,
    /// Another version was published since this draft's base.
    Published,
}

enum Gesture {
    Brush(u64),
    Erase(u64),
    /// Screen and map positions of a cutting line.
    Cut(Vec<(f64, f64, f64, f64)>),
}

/// The editor of one community, shared by the panel and the map handlers.
pub struct Controller {
    model: RefCell<Model>,
    blocks_fc: RefCell<Value>,
    edges_fc: RefCell<Value>,
    map: Map,
    csrf: String,
    lang: ReadSignal<Lang>,
    rows: RwSignal<Vec<Row>>,
    active: RwSignal<Option<GridIx>>,
    tool: RwSignal<Tool>,
    unassigned: RwSignal<usize>,
    save_state: RwSignal<SaveState>,
    history: RwSignal<(bool, bool)>,
    message: RwSignal<Option<(bool, String)>>,
    conflict: RwSignal<Option<Conflict>>,
    /// A long computation under way on the server (the i18n key of what it is doing).
    busy: RwSignal<Option<&'static str>>,
    confirm: RwSignal<Option<Value>>,
    versions: RwSignal<Vec<Value>>,
    compared: RwSignal<Option<Value>>,
    special: RwSignal<Vec<BlockId>>,
    polygon: RwSignal<Vec<(f64, f64)>>,
    drawing: RefCell<Option<Drawing>>,
    gesture: RefCell<Option<Gesture>>,
    stroke: Cell<u64>,
    generation: Cell<u64>,
    problems: RefCell<Vec<BlockId>>,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn after(ms: i32, f: impl FnOnce() + 'static) {
    if let Some(w) = web_sys::window() {
        let cb = wasm_bindgen::closure::Closure::once_into_js(f);
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| after(ms, move || drop(resolve.call0(&JsValue::NULL))));
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Record how long a stroke took from the pointer event to the panel showing the new counts (read by the browser
/// test and the stroke benchmark as `window.wanggeStrokeMs`). Runs as a microtask queued after the panel's reactive
/// updates, so it measures the handler, the working copy and the DOM update — not the map's next WebGL frame.
fn record_latency(start: f64) {
    spawn_local(async move {
        let Some(w) = web_sys::window() else { return };
        let key = JsValue::from_str("wanggeStrokeMs");
        let list = js_sys::Reflect::get(&w, &key).ok().filter(|v| v.is_object()).unwrap_or_else(|| {
            let a = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&w, &key, &a);
            a.into()
        });
        if let Some(a) = list.dyn_ref::<js_sys::Array>() {
            a.push(&JsValue::from_f64(now_ms() - start));
        }
    });
}

/// Layers and sources the editor adds to the map.
const LAYERS: [&str; 7] =
    ["edit-fill", "edit-line", "edit-edges", "edit-problems", "edit-moved", "edit-special", "edit-lasso"];
const SOURCES: [&str; 3] = [BLOCKS, EDGES, "edit-lasso-src"];

impl Controller {
    /// Load the community (its open draft, else the plan in force) and put the editing layers on the map.
    pub async fn open(
        community: String,
        map: Map,
        csrf: String,
        lang: ReadSignal<Lang>,
    ) -> Result<Rc<Controller>, String> {
        let (model, blocks, edges) = load(&community, None).await?;
        let ctl = Rc::new(Controller {
            model: RefCell::new(model),
            blocks_fc: RefCell::new(blocks),
            edges_fc: RefCell::new(edges),
            map,
            csrf,
            lang,
            rows: RwSignal::new(Vec::new()),
            active: RwSignal::new(None),
            tool: RwSignal::new(Tool::Click),
            unassigned: RwSignal::new(0),
            save_state: RwSignal::new(SaveState::Saved),
            history: RwSignal::new((false, false)),
            message: RwSignal::new(None),
            conflict: RwSignal::new(None),
            busy: RwSignal::new(None),
            confirm: RwSignal::new(None),
            versions: RwSignal::new(Vec::new()),
            compared: RwSignal::new(None),
            special: RwSignal::new(Vec::new()),
            polygon: RwSignal::new(Vec::new()),
            drawing: RefCell::new(None),
            gesture: RefCell::new(None),
            stroke: Cell::new(0),
            generation: Cell::new(0),
            problems: RefCell::new(Vec::new()),
        });
        ctl.install_layers();
        ctl.refresh_all();
        let (for_snap, for_finish) = (Rc::downgrade(&ctl), Rc::downgrade(&ctl));
        let drawing = Drawing::start(
            &ctl.map,
            move |lon, lat| for_snap.upgrade().and_then(|c| c.snap(lon, lat)),
            move |drawn| {
                if let Some(c) = for_finish.upgrade() {
                    c.drawn(drawn);
                }
            },
        );
        *ctl.drawing.borrow_mut() = Some(drawing);
        Ok(ctl)
    }

    fn install_layers(&self) {
        let m = &self.map;
        m.remove(&LAYERS, &SOURCES);
        // The published grids' fill would mix with the working colours.
        m.set_visible("grids-fill", false);
        m.add_geojson(BLOCKS, &self.blocks_fc.borrow(), "id");
        m.add_geojson(EDGES, &self.edges_fc.borrow(), "id");
        m.add_geojson("edit-lasso-src", &json!({ "type": "FeatureCollection", "features": [] }), "id");
        m.add_layer(&json!({ "id": "edit-fill", "type": "fill", "source": BLOCKS,
            "paint": { "fill-color": ["coalesce", ["feature-state", "color"], "#a8a29e"],
                       "fill-opacity": ["case", ["boolean", ["feature-state", "gap"], true], 0.25, 0.55] } }));
        m.add_layer(&json!({ "id": "edit-line", "type": "line", "source": BLOCKS,
            "paint": { "line-color": "#ffffff", "line-width": 0.8 } }));
        m.add_layer(&json!({ "id": "edit-edges", "type": "line", "source": EDGES,
            "paint": { "line-color": "#111827", "line-width": ["case", ["boolean", ["feature-state", "cut"], false], 3, 0] } }));
        m.add_layer(&json!({ "id": "edit-problems", "type": "line", "source": BLOCKS,
            "paint": { "line-color": "#dc2626", "line-width": ["case", ["boolean", ["feature-state", "problem"], false], 4, 0],
                       "line-dasharray": [2, 1] } }));
        m.add_layer(&json!({ "id": "edit-moved", "type": "line", "source": BLOCKS,
            "paint": { "line-color": "#1d4ed8", "line-width": ["case", ["boolean", ["feature-state", "moved"], false], 4, 0] } }));
        m.add_layer(&json!({ "id": "edit-special", "type": "line", "source": BLOCKS,
            "paint": { "line-color": "#9333ea", "line-width": ["case", ["boolean", ["feature-state", "special"], false], 4, 0],
                       "line-dasharray": [1, 1] } }));
        m.add_layer(&json!({ "id": "edit-lasso", "type": "line", "source": "edit-lasso-src",
            "paint": { "line-color": "#111827", "line-width": 2, "line-dasharray": [2, 2] } }));
    }

    /// Take the editing layers (and terra-draw's) off the map.
    pub fn close(&self) {
        if let Some(d) = self.drawing.borrow_mut().take() {
            d.stop();
        }
        self.map.remove(&LAYERS, &SOURCES);
        self.map.set_drag_pan(true);
    }

    fn row(model: &mut Model, ix: GridIx) -> Row {
        let f = model.draft.figures(ix);
        let g = model.draft.grid(ix);
        Row {
            ix,
            key: g.key.clone(),
            label: model.labels[ix].clone(),
            households: f.households,
            residents: f.residents,
            blocks: f.blocks,
            deviation: f.deviation,
            pieces: f.pieces,
            locked: g.locked,
            dedicated: g.kind == GridKind::Dedicated,
        }
    }

    fn refresh_all(&self) {
        let mut model = self.model.borrow_mut();
        for (source, id, state) in model.all_states() {
            self.map.set_source_state(source, id, &state);
        }
        let rows: Vec<Row> = (0..model.draft.grids().len()).map(|ix| Self::row(&mut model, ix)).collect();
        self.rows.set(rows);
        self.unassigned.set(model.draft.unassigned().len());
        self.history.set((model.draft.can_undo(), model.draft.can_redo()));
        if self.active.get_untracked().is_none_or(|a| a >= model.draft.grids().len()) {
            self.active.set(if model.draft.grids().is_empty() { None } else { Some(0) });
        }
    }

    /// Show a change: map states, the touched rows, the gap count, undo/redo; then autosave shortly.
    fn applied(self: &Rc<Self>, changes: Changes) {
        if changes.blocks.is_empty() && changes.grids.is_empty() {
            return;
        }
        {
            let mut model = self.model.borrow_mut();
            for (source, id, state) in model.states(&changes) {
                self.map.set_source_state(source, id, &state);
            }
            let n = model.draft.grids().len();
            let updates: Vec<Row> =
                changes.grids.iter().filter(|ix| **ix < n).map(|ix| Self::row(&mut model, *ix)).collect();
            self.rows.update(|rows| {
                for r in updates {
                    match rows.get_mut(r.ix) {
                        Some(slot) => *slot = r,
                        None => rows.push(r),
                    }
                }
            });
            self.unassigned.set(model.draft.unassigned().len());
            self.history.set((model.draft.can_undo(), model.draft.can_redo()));
        }
        self.clear_problems();
        self.save_state.set(SaveState::Dirty);
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let me = self.clone();
        after(1500, move || {
            if me.generation.get() == generation && me.conflict.get_untracked().is_none() {
                spawn_local(async move {
                    me.save().await;
                });
            }
        });
    }

    fn say(&self, error: bool, text: impl Into<String>) {
        self.message.set(Some((error, text.into())));
    }

    fn paint(self: &Rc<Self>, blocks: &[BlockId], erase: bool, stroke: u64) {
        let target = if erase { None } else { self.active.get_untracked() };
        if target.is_none() && !erase {
            self.say(true, tr!(self.lang.get_untracked(), "pick_grid"));
            return;
        }
        let result = self.model.borrow_mut().draft.paint(blocks, target, stroke);
        match result {
            Ok(changes) => self.applied(changes),
            Err(e) => self.say(true, e.to_string()),
        }
    }

    fn next_stroke(&self) -> u64 {
        self.stroke.set(self.stroke.get() + 1);
        self.stroke.get()
    }

    /// A click on the map at screen point (x, y).
    pub fn on_click(self: &Rc<Self>, x: f64, y: f64) {
        let start = now_ms();
        let ids = self.map.ids_at(x, y, "edit-fill");
        match self.tool.get_untracked() {
            Tool::Click => {
                let stroke = self.next_stroke();
                self.paint(&ids, false, stroke);
                record_latency(start);
            }
            Tool::Split => {
                if let Some(&block) = ids.first() {
                    let me = self.clone();
                    spawn_local(async move { me.split(block, None).await });
                }
            }
            Tool::Special => {
                if let Some(&block) = ids.first() {
                    let mut picked = self.special.get_untracked();
                    let on = match picked.iter().position(|b| *b == block) {
                        Some(i) => {
                            picked.remove(i);
                            false
                        }
                        None => {
                            picked.push(block);
                            true
                        }
                    };
                    self.map.set_source_state(BLOCKS, block, &json!({ "special": on }));
                    self.special.set(picked);
                }
            }
            _ => {}
        }
    }

    /// Mouse button down: starts a brush, eraser or lasso stroke.
    pub fn on_down(self: &Rc<Self>, x: f64, y: f64, lon: f64, lat: f64) {
        let gesture = match self.tool.get_untracked() {
            Tool::Brush => Gesture::Brush(self.next_stroke()),
            Tool::Border => {
                // The grid under the pointer at the start is the one whose border is dragged.
                let start =
                    self.map.ids_at(x, y, "edit-fill").first().and_then(|b| self.model.borrow().draft.owner(*b));
                match start {
                    Some(grid) => {
                        self.active.set(Some(grid));
                        Gesture::Brush(self.next_stroke())
                    }
                    None => return,
                }
            }
            Tool::Erase => Gesture::Erase(self.next_stroke()),
            Tool::Cut => Gesture::Cut(vec![(x, y, lon, lat)]),
            _ => return,
        };
        *self.gesture.borrow_mut() = Some(gesture);
        self.on_move(x, y, lon, lat);
    }

    /// Mouse move during a stroke.
    pub fn on_move(self: &Rc<Self>, x: f64, y: f64, lon: f64, lat: f64) {
        let start = now_ms();
        let step = match &mut *self.gesture.borrow_mut() {
            None => return,
            Some(Gesture::Brush(s)) => Some((*s, false)),
            Some(Gesture::Erase(s)) => Some((*s, true)),
            Some(Gesture::Cut(points)) => {
                points.push((x, y, lon, lat));
                let line: Vec<[f64; 2]> = points.iter().map(|p| [p.2, p.3]).collect();
                self.map.set_data("edit-lasso-src", &json!({ "type": "Feature", "properties": {}, "geometry": { "type": "LineString", "coordinates": line } }));
                None
            }
        };
        if let Some((stroke, erase)) = step {
            let ids = self.map.ids_at(x, y, "edit-fill");
            self.paint(&ids, erase, stroke);
            record_latency(start);
        }
    }

    /// Mouse button up: ends the stroke (a lasso moves every block inside its loop).
    pub fn on_up(self: &Rc<Self>) {
        let Some(gesture) = self.gesture.borrow_mut().take() else {
            return;
        };
        if let Gesture::Cut(points) = &gesture {
            self.map.set_data("edit-lasso-src", &json!({ "type": "FeatureCollection", "features": [] }));
            // The block under the middle of the line is the one cut.
            let (x, y, _, _) = points[points.len() / 2];
            if let (Some(&block), true) = (self.map.ids_at(x, y, "edit-fill").first(), points.len() >= 2) {
                let line: Vec<[f64; 2]> = points.iter().map(|p| [p.2, p.3]).collect();
                let me = self.clone();
                spawn_local(async move { me.split(block, Some(line)).await });
            }
        }
    }

    /// A lasso or polygon finished in terra-draw: the lasso moves every block inside it into the active grid; the
    /// polygon becomes the special grid being drawn.
    fn drawn(self: &Rc<Self>, drawn: Drawn) {
        match drawn {
            Drawn::Lasso(ring) if ring.len() >= 3 => {
                let start = now_ms();
                let inside = self.model.borrow().blocks_inside(&ring);
                let stroke = self.next_stroke();
                self.paint(&inside, false, stroke);
                record_latency(start);
            }
            Drawn::Polygon(ring) => self.polygon.set(ring),
            Drawn::Lasso(_) => {}
        }
    }

    /// A drawn polygon corner snaps to the nearest block corner within 10 screen pixels.
    fn snap(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        let snapped = self.model.borrow().snap((lon, lat), 10.0 * self.map.degrees_per_pixel());
        (snapped != (lon, lat)).then_some(snapped)
    }

    /// Undo or redo (keyboard or buttons).
    pub fn undo(self: &Rc<Self>, redo: bool) {
        let changes = {
            let mut model = self.model.borrow_mut();
            if redo {
                model.draft.redo()
            } else {
                model.draft.undo()
            }
        };
        if let Some(c) = changes {
            self.applied(c);
        }
    }

    fn new_grid(self: &Rc<Self>) {
        let ix = self.model.borrow_mut().new_grid();
        self.rows.update(|rows| rows.push(Self::row(&mut self.model.borrow_mut(), ix)));
        self.active.set(Some(ix));
    }

    fn toggle_lock(self: &Rc<Self>, ix: GridIx) {
        let result = {
            let mut model = self.model.borrow_mut();
            let locked = model.draft.grid(ix).locked;
            model.draft.set_locked(ix, !locked)
        };
        if let Ok(c) = result {
            self.applied(c);
        }
    }

    fn toggle_dedicated(self: &Rc<Self>, ix: GridIx) {
        let result = {
            let mut model = self.model.borrow_mut();
            let kind =
                if model.draft.grid(ix).kind == GridKind::Dedicated { GridKind::Natural } else { GridKind::Dedicated };
            model.draft.set_kind(ix, kind)
        };
        if let Ok(c) = result {
            self.applied(c);
        }
    }

    fn merge_into_active(self: &Rc<Self>, from: GridIx) {
        let Some(into) = self.active.get_untracked() else {
            return;
        };
        if into == from {
            return;
        }
        let result = self.model.borrow_mut().draft.merge(from, into);
        match result {
            Ok(c) => self.applied(c),
            Err(e) => self.say(true, e.to_string()),
        }
    }

    fn zoom_to(&self, blocks: &[BlockId]) {
        let model = self.model.borrow();
        let pts: Vec<(f64, f64)> = blocks.iter().filter_map(|b| model.points.get(b).copied()).collect();
        if pts.is_empty() {
            return;
        }
        let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in pts {
            (w, s, e, n) = (w.min(x), s.min(y), e.max(x), n.max(y));
        }
        let pad = 0.0008;
        self.map.fit([w - pad, s - pad, e + pad, n + pad]);
    }

    fn zoom_to_fragment(&self, ix: GridIx) {
        let pieces = self.model.borrow_mut().draft.pieces(ix);
        let small: Vec<BlockId> = pieces.into_iter().skip(1).flatten().collect();
        self.zoom_to(&small);
    }

    fn zoom_to_unassigned(&self) {
        let gaps = self.model.borrow().draft.unassigned();
        self.zoom_to(&gaps);
    }

    fn set_problems(&self, blocks: Vec<BlockId>) {
        self.clear_problems();
        for b in &blocks {
            self.map.set_source_state(BLOCKS, *b, &json!({ "problem": true }));
        }
        *self.problems.borrow_mut() = blocks;
    }

    fn clear_problems(&self) {
        for b in self.problems.borrow_mut().drain(..) {
            self.map.set_source_state(BLOCKS, b, &json!({ "problem": false }));
        }
    }

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
                let mut m = self.model.borrow_mut();
                m.draft_id = r.body["plan"]["id"].as_i64();
                m.revision = r.body["plan"]["revision"].as_i64();
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
    async fn show_theirs(self: &Rc<Self>) {
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
    async fn keep_as_new_draft(self: &Rc<Self>) {
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
    async fn rebase(self: &Rc<Self>) {
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
    async fn prepare_publish(self: &Rc<Self>) {
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

    async fn publish(self: &Rc<Self>) {
        self.confirm.set(None);
        let Some(id) = self.model.borrow().draft_id else {
            return;
        };
        let lang = self.lang.get_untracked();
        match api::send("POST", &fill(paths::PLAN_PUBLISH, &[&id]), &json!({}), &self.csrf).await {
            Ok(r) if r.ok() => {
                let version = r.body["plan"]["version"].as_i64().unwrap_or_default();
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
                let mut bad = Vec::new();
                for p in r.body["details"]["problems"].as_array().into_iter().flatten() {
                    match p["problem"].as_str() {
                        Some("unassigned") => {
                            bad.extend(p["blocks"].as_array().into_iter().flatten().filter_map(Value::as_i64))
                        }
                        Some("discontiguous") => bad.extend(
                            p["pieces"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .skip(1)
                                .flat_map(|piece| piece.as_array().cloned().unwrap_or_default())
                                .filter_map(|v| v.as_i64()),
                        ),
                        _ => {}
                    }
                }
                let n = bad.len();
                self.set_problems(bad);
                let problems = r.body["details"]["problems"].as_array().map_or(0, Vec::len);
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

    /// Split a block into building cells, or along a drawn line.
    async fn split(self: &Rc<Self>, block: BlockId, line: Option<Vec<[f64; 2]>>) {
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

    async fn import(self: &Rc<Self>, layer: Layer) {
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
                api::send_zip(
                    &format!("{}{based_on}", fill(paths::COMMUNITY_PLANS_IMPORT_SHAPEFILE, &[&community])),
                    bytes,
                    &self.csrf,
                )
                .await
            }
        };
        match reply {
            Ok(r) if r.ok() => {
                self.adopt_draft(r.body["plan"]["id"].as_i64()).await;
                let between: Vec<BlockId> =
                    r.body["between"].as_array().into_iter().flatten().filter_map(|b| b["block"].as_i64()).collect();
                let across: Vec<BlockId> =
                    r.body["across"].as_array().into_iter().flatten().filter_map(|b| b["block"].as_i64()).collect();
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
    async fn adopt_draft(self: &Rc<Self>, id: Option<i64>) -> bool {
        let community = self.model.borrow().community.clone();
        match load(&community, id.map(Source::Draft)).await {
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
    async fn suggest(self: &Rc<Self>) {
        if !self.save().await {
            return;
        }
        let community = self.model.borrow().community.clone();
        self.busy.set(Some("suggesting"));
        let reply =
            api::send("POST", &fill(paths::COMMUNITY_PLANS_SUGGEST, &[&community]), &json!({}), &self.csrf).await;
        self.busy.set(None);
        self.show_partition(reply).await;
    }

    /// Save the current work, then re-divide only the active grid and the grids touching it into a new draft.
    async fn rebalance(self: &Rc<Self>) {
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
        self.busy.set(Some("rebalancing"));
        let reply =
            api::send("POST", &fill(paths::PLAN_REBALANCE, &[&id]), &json!({ "grid": key, "hops": 1 }), &self.csrf)
                .await;
        self.busy.set(None);
        self.show_partition(reply).await;
    }

    /// Open the draft a suggestion or a rebalance made, say how balanced it is, and mark the blocks to split.
    async fn show_partition(self: &Rc<Self>, reply: Result<api::Reply, String>) {
        let lang = self.lang.get_untracked();
        let r = match reply {
            Ok(r) if r.ok() => r,
            Ok(r) => return self.say(true, r.message()),
            Err(e) => return self.say(true, e),
        };
        if !self.adopt_draft(r.body["plan"]["id"].as_i64()).await {
            return;
        }
        let rows = self.rows.get_untracked();
        let natural: Vec<&Row> = rows.iter().filter(|r| !r.dedicated && r.blocks > 0).collect();
        let band = Band::default();
        let within = natural.iter().filter(|r| r.deviation.abs() <= band.tolerance).count();
        let to_split: Vec<BlockId> = ["oversized", "lumpy"]
            .iter()
            .flat_map(|k| r.body[*k].as_array().cloned().unwrap_or_default())
            .filter_map(|b| b["block"].as_i64())
            .collect();
        let mut text = format!(
            "{}: {} {}, {} {}",
            tr!(lang, "suggested"),
            natural.len(),
            tr!(lang, "grids_word"),
            within,
            tr!(lang, "in_band")
        );
        if !to_split.is_empty() {
            text.push_str(&format!("; {} {}", to_split.len(), tr!(lang, "lumpy_blocks")));
        }
        self.say(false, text);
        self.set_problems(to_split);
    }

    /// Store the picked blocks as a special grid of the district.
    async fn save_special(self: &Rc<Self>, name: String, theme: String) {
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
    async fn load_versions(self: &Rc<Self>) {
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
    async fn compare(self: &Rc<Self>, older: i64, newer: i64) {
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
    }

    fn export_url(&self, format: &str) -> Option<String> {
        let m = self.model.borrow();
        m.draft_id.or(m.published).map(|id| format!("{}?format={format}", fill(paths::PLAN_EXPORT, &[&id])))
    }
}

/// A grid layer to import.
enum Layer {
    /// GeoJSON text.
    GeoJson(String),
    /// A zipped Shapefile.
    Shapefile(Vec<u8>),
}

/// Which plan to open.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// A given draft.
    Draft(i64),
    /// The plan in force.
    InForce,
}

async fn reload_blocks(community: &str) -> Result<(Value, Value), String> {
    let blocks = api::get_ok(&fill(paths::COMMUNITY_BLOCKS, &[&community])).await?;
    let edges = api::get_ok(&fill(paths::COMMUNITY_BLOCK_EDGES, &[&community])).await?;
    Ok((blocks, edges))
}

fn cells_of(blocks: &Value, parent: BlockId) -> Vec<BlockId> {
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
async fn load(community: &str, source: Option<Source>) -> Result<(Model, Value, Value), String> {
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

fn deviation_class(r: &Row) -> &'static str {
    if r.dedicated {
        return "dev-dedicated";
    }
    let band = Band::default();
    let d = r.deviation.abs();
    if r.blocks == 0 {
        "dev-empty"
    } else if d <= band.tolerance {
        "dev-ok"
    } else if d <= 2.0 * band.tolerance {
        "dev-warn"
    } else {
        "dev-bad"
    }
}

/// The editor's panel.
#[component]
pub fn EditorPanel(ctl: Rc<Controller>, close: Callback<()>) -> impl IntoView {
    let lang = ctl.lang;
    let (rows, active, tool, unassigned, save_state, history, message, conflict, confirm, busy) = (
        ctl.rows,
        ctl.active,
        ctl.tool,
        ctl.unassigned,
        ctl.save_state,
        ctl.history,
        ctl.message,
        ctl.conflict,
        ctl.confirm,
        ctl.busy,
    );
    let community = ctl.model.borrow().community.clone();
    // Views need `Send` handles: the controller lives in local storage and closures fetch it.
    let cv: StoredValue<Rc<Controller>, LocalStorage> = StoredValue::new_local(ctl.clone());
    let tool_button = move |value: Tool, key: &'static str| {
        view! {
            <button class:on=move || tool.get() == value data-testid=format!("tool-{key}") on:click=move |_| tool.set(value)>
                {move || t(lang.get(), key)}
            </button>
        }
    };
    let export = move |format: &'static str| cv.get_value().export_url(format).unwrap_or_default();
    // Drawing tools take the mouse: the map pans with the click tool only. Lassos and polygons are terra-draw's.
    Effect::new(move |_| {
        let drawing = matches!(tool.get(), Tool::Brush | Tool::Border | Tool::Lasso | Tool::Erase | Tool::Cut);
        let ctl = cv.get_value();
        if let Some(d) = &*ctl.drawing.borrow() {
            d.set_mode(match tool.get() {
                Tool::Lasso => "freehand",
                Tool::Polygon => "polygon",
                _ => "static",
            });
        }
        ctl.map.set_drag_pan(!drawing);
        ctl.map.set_cursor(if drawing || tool.get() == Tool::Split { "crosshair" } else { "" });
    });
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let c = cv.get_value();
        let zipped = file.name().to_lowercase().ends_with(".zip");
        spawn_local(async move {
            if zipped {
                if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                    c.import(Layer::Shapefile(js_sys::Uint8Array::new(&buffer).to_vec())).await;
                }
            } else if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                c.import(Layer::GeoJson(text.as_string().unwrap_or_default())).await;
            }
        });
    };
    view! {
        <section class="card editor" data-testid="editor">
            <div class="editor-head">
                <h2>{move || tr!(lang.get(), "edit_grids")} " · " {community.clone()}</h2>
                <button data-testid="editor-close" on:click=move |_| close.run(())>{move || tr!(lang.get(), "close")}</button>
            </div>
            <div class="tools">
                {tool_button(Tool::Click, "click")}
                {tool_button(Tool::Brush, "brush")}
                {tool_button(Tool::Border, "border")}
                {tool_button(Tool::Lasso, "lasso")}
                {tool_button(Tool::Erase, "erase")}
                {tool_button(Tool::Split, "split")}
                {tool_button(Tool::Cut, "cut")}
                {tool_button(Tool::Special, "special")}
                {tool_button(Tool::Polygon, "polygon")}
            </div>
            <Show when=move || matches!(tool.get(), Tool::Special | Tool::Polygon)>
                <SpecialForm ctl=cv />
            </Show>
            <div class="tools">
                <button data-testid="new-grid" on:click=move |_| cv.get_value().new_grid()>{move || tr!(lang.get(), "new_grid")}</button>
                <button data-testid="undo" disabled=move || !history.get().0 on:click=move |_| cv.get_value().undo(false)>{move || tr!(lang.get(), "undo")}</button>
                <button data-testid="redo" disabled=move || !history.get().1 on:click=move |_| cv.get_value().undo(true)>{move || tr!(lang.get(), "redo")}</button>
            </div>
            <div class="tools">
                <button data-testid="suggest" disabled=move || busy.get().is_some()
                    on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.suggest().await }) }>{move || tr!(lang.get(), "suggest")}</button>
                <button data-testid="rebalance" disabled=move || busy.get().is_some() || active.get().is_none()
                    on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.rebalance().await }) }>{move || tr!(lang.get(), "rebalance")}</button>
            </div>
            {move || busy.get().map(|what| view! {
                <p class="progress" data-testid="busy"><span class="spinner"></span>{move || t(lang.get(), what)}</p>
            })}
            <p class="muted" data-testid="save-state">{move || t(lang.get(), match save_state.get() {
                SaveState::Saved => "saved", SaveState::Dirty => "unsaved", SaveState::Saving => "saving" })}</p>
            <Show when=move || { unassigned.get() > 0 }>
                <p class="gap">
                    <span data-testid="unassigned">{move || unassigned.get()}</span> " " {move || tr!(lang.get(), "unassigned_blocks")} " "
                    <button on:click=move |_| cv.get_value().zoom_to_unassigned()>{move || tr!(lang.get(), "zoom_to")}</button>
                </p>
            </Show>
            {move || message.get().map(|(error, text)| view! {
                <p class=if error { "error" } else { "note" } data-testid="editor-message" on:click=move |_| message.set(None)>{text}</p>
            })}
            {move || conflict.get().map(|k| {
                view! {
                    <div class="conflict" data-testid="conflict">
                        <p>{move || t(lang.get(), if k == Conflict::Revision { "conflict_revision" } else { "conflict_published" })}</p>
                        <button data-testid="keep-mine" on:click=move |_| { let a = cv.get_value(); spawn_local(async move { a.keep_as_new_draft().await }) }>
                            {move || tr!(lang.get(), "keep_mine")}</button>
                        <button data-testid="rebase" on:click=move |_| { let b = cv.get_value(); spawn_local(async move { b.rebase().await }) }>
                            {move || tr!(lang.get(), "rebase")}</button>
                    </div>
                }
            })}
            {move || confirm.get().map(|d| {
                let moved = d["moved"].as_array().map_or(0, Vec::len);
                let households = d["households_moved"].as_i64().unwrap_or_default();
                let flows: Vec<String> = d["flows"].as_array().into_iter().flatten().take(8)
                    .map(|f| format!("{} → {}: {} / {}", f["from"].as_str().unwrap_or("—"), f["to"].as_str().unwrap_or("—"), f["blocks"], f["households"])).collect();
                view! {
                    <div class="confirm" data-testid="publish-confirm">
                        <p><b data-testid="diff-blocks">{moved}</b> " " {move || tr!(lang.get(), "blocks_change")} ", "
                           <b data-testid="diff-households">{households}</b> " " {move || tr!(lang.get(), "households_move")}</p>
                        <ul>{flows.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                        <button class="primary" data-testid="publish-confirm-yes" on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.publish().await }) }>
                            {move || tr!(lang.get(), "publish")}</button>
                        <button on:click=move |_| confirm.set(None)>{move || tr!(lang.get(), "cancel")}</button>
                    </div>
                }
            })}
            <ul class="grid-rows" data-testid="grid-rows">
                <For each=move || rows.get() key=|r| (r.ix, r.key.clone(), r.label.clone(), r.households, r.blocks, r.pieces, r.locked, r.dedicated) let:r>
                    {
                        let ix = r.ix;
                        let class = deviation_class(&r);
                        view! {
                            <li class:active=move || active.get() == Some(ix) data-testid="grid-row" data-grid-key=r.key.clone()
                                on:click=move |_| active.set(Some(ix))>
                                <i class="sw" style=format!("background:{}", color(ix))></i>
                                <span class="label">{r.label.clone()}</span>
                                <span class=format!("hh {class}") data-testid="row-households">{r.households}</span>
                                <span class="dev">{format!("{:+.0}%", r.deviation * 100.0)}</span>
                                {(r.pieces > 1).then(|| view! {
                                    <button class="warn" title="discontiguous" on:click=move |ev| { ev.stop_propagation(); cv.get_value().zoom_to_fragment(ix) }>
                                        {format!("⚠ {}", r.pieces)}</button>
                                })}
                                <button class:on=r.dedicated title="dedicated" on:click=move |ev| { ev.stop_propagation(); cv.get_value().toggle_dedicated(ix) }>"专"</button>
                                <button class:on=r.locked data-testid="lock" title="lock" on:click=move |ev| { ev.stop_propagation(); cv.get_value().toggle_lock(ix) }>
                                    {move || t(lang.get(), if r.locked { "grid_locked" } else { "lock" })}</button>
                                <button title="merge into the active grid" on:click=move |ev| { ev.stop_propagation(); cv.get_value().merge_into_active(ix) }>"⇢"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <div class="tools">
                <button data-testid="save" on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.save().await; }) }>{move || tr!(lang.get(), "save")}</button>
                <button class="primary" data-testid="publish" on:click=move |_| { let c = cv.get_value(); spawn_local(async move { c.prepare_publish().await }) }>
                    {move || tr!(lang.get(), "publish")}</button>
            </div>
            <details class="history" on:toggle=move |_| { let c = cv.get_value(); spawn_local(async move { c.load_versions().await }) }>
                <summary data-testid="history">{move || tr!(lang.get(), "history")}</summary>
                <HistoryCompare ctl=cv />
            </details>
            <div class="tools">
                <a data-testid="export-geojson" href=move || { save_state.get(); export("geojson") } download>"GeoJSON"</a>
                <a data-testid="export-shapefile" href=move || { save_state.get(); export("shapefile") } download>"Shapefile"</a>
                <a data-testid="export-csv" href=move || { save_state.get(); export("csv") } download>"CSV"</a>
                <label class="import">{move || tr!(lang.get(), "import")}
                    <input type="file" data-testid="import-file" accept=".geojson,.json,.zip,application/geo+json,application/json,application/zip" on:change=on_file />
                </label>
            </div>
        </section>
    }
}

/// Pick two versions of the community's plan and see on the map which blocks changed grid between them.
#[component]
fn HistoryCompare(ctl: StoredValue<Rc<Controller>, LocalStorage>) -> impl IntoView {
    let c = ctl.get_value();
    let (lang, versions, compared) = (c.lang, c.versions, c.compared);
    let older = RwSignal::new(None::<i64>);
    let newer = RwSignal::new(None::<i64>);
    let label = |p: &Value| {
        format!(
            "v{} · {} · {}",
            p["version"],
            p["status"].as_str().unwrap_or_default(),
            p["published_at"]
                .as_str()
                .or(p["valid_from"].as_str())
                .map(|d| d.chars().take(10).collect::<String>())
                .unwrap_or_default()
        )
    };
    let options =
        move || versions.get().iter().map(|p| (p["id"].as_i64().unwrap_or_default(), label(p))).collect::<Vec<_>>();
    let pick =
        move |sig: RwSignal<Option<i64>>| move |ev: leptos::ev::Event| sig.set(event_target_value(&ev).parse().ok());
    view! {
        <div class="tools">
            <select data-testid="history-older" on:change=pick(older)>
                <option value="">{move || tr!(lang.get(), "from_version")}</option>
                {move || options().into_iter().map(|(id, l)| view! { <option value=id.to_string()>{l}</option> }).collect_view()}
            </select>
            <select data-testid="history-newer" on:change=pick(newer)>
                <option value="">{move || tr!(lang.get(), "to_version")}</option>
                {move || options().into_iter().map(|(id, l)| view! { <option value=id.to_string()>{l}</option> }).collect_view()}
            </select>
            <button data-testid="history-compare" disabled=move || older.get().is_none() || newer.get().is_none()
                on:click=move |_| {
                    if let (Some(a), Some(b)) = (older.get_untracked(), newer.get_untracked()) {
                        let c = ctl.get_value();
                        spawn_local(async move { c.compare(a, b).await });
                    }
                }>{move || tr!(lang.get(), "compare")}</button>
        </div>
        {move || compared.get().map(|d| view! {
            <p class="muted" data-testid="history-result">
                <b>{d["diff"]["moved"].as_array().map_or(0, Vec::len)}</b> " " {move || tr!(lang.get(), "blocks_change")} ", "
                <b>{d["diff"]["households_moved"].as_i64().unwrap_or_default()}</b> " " {move || tr!(lang.get(), "households_move")}
            </p>
        })}
    }
}

/// Name and theme for the special grid being picked.
#[component]
fn SpecialForm(ctl: StoredValue<Rc<Controller>, LocalStorage>) -> impl IntoView {
    let c = ctl.get_value();
    let (lang, special, polygon, tool) = (c.lang, c.special, c.polygon, c.tool);
    let ready = move || {
        if tool.get() == Tool::Polygon {
            polygon.get().len() >= 3
        } else {
            !special.get().is_empty()
        }
    };
    let name = RwSignal::new(String::new());
    let theme = RwSignal::new("safety".to_owned());
    view! {
        <div class="special-form">
            <p class="muted">
                {move || t(lang.get(), if tool.get() == Tool::Polygon { "polygon_hint" } else { "special_hint" })} " "
                <b data-testid="special-count">{move || if tool.get() == Tool::Polygon { polygon.get().len() } else { special.get().len() }}</b>
            </p>
            <input data-testid="special-name" placeholder=move || tr!(lang.get(), "special_name") prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev)) />
            <select data-testid="special-theme" on:change=move |ev| theme.set(event_target_value(&ev))>
                <option value="safety">{move || tr!(lang.get(), "theme_safety")}</option>
                <option value="river">{move || tr!(lang.get(), "theme_river")}</option>
                <option value="environment">{move || tr!(lang.get(), "theme_environment")}</option>
                <option value="fire">{move || tr!(lang.get(), "theme_fire")}</option>
            </select>
            <button data-testid="special-save" disabled=move || !ready() || name.get().trim().is_empty()
                on:click=move |_| {
                    let c = ctl.get_value();
                    let (n, th) = (name.get_untracked(), theme.get_untracked());
                    spawn_local(async move { c.save_special(n, th).await });
                }>{move || tr!(lang.get(), "special_save")}</button>
        </div>
    }
}
