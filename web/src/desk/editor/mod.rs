//! The planner's grid editor: a community's blocks coloured by grid (MapLibre feature state, no geometry re-upload),
//! grid outlines drawn live from the blocks' shared edges, strokes (click, brush, lasso, eraser, split into building
//! cells, lasso and special-grid polygons drawn with terra-draw) applied to the domain working copy compiled to
//! WebAssembly, a live panel of every grid's figures, undo/redo, autosave with revision checks, conflict handling,
//! publish with the diff shown first, export and import.
//!
//! Its parts: this module holds the [`Controller`] (the working copy, the panel's state as signals) and its map
//! adapter (the editing layers, feature state, zooms); [`gestures`] turns pointer input into edits; [`service`] saves,
//! rebases and publishes and makes the editor's other server calls; [`panel`] shows it all; `model` is the working
//! copy with the map's view of it.

mod gestures;
mod model;
mod panel;
mod service;

use gestures::Gesture;
pub use panel::EditorPanel;
use service::{load, Layer};

use crate::tr;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wangge_api::error::ErrorCode;
use wangge_api::paths::{self, fill};
use wangge_domain::editor::{Changes, GridIx};
use wangge_domain::plan::{Band, BlockId, GridKind, PlanStatus, SplitPolicy};
use wasm_bindgen::{JsCast, JsValue};

use crate::kit::draw::{Drawing, Drawn};
use crate::kit::http as api;
use crate::kit::i18n::{t, Lang};
use crate::kit::maplibre::Map;
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
    /// Click a block to set how Suggest divides it (keep whole, by building, by units).
    Policy,
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
    /// What was open before the last suggestion or rebalance (to undo it in one step).
    before_proposal: RwSignal<Option<service::Source>>,
    confirm: RwSignal<Option<Value>>,
    versions: RwSignal<Vec<Value>>,
    compared: RwSignal<Option<Value>>,
    /// The newer version compared, traced to the version it replaced.
    lineage: RwSignal<Option<wangge_api::plans::Lineage>>,
    special: RwSignal<Vec<BlockId>>,
    /// What the policy tool sets on the blocks clicked.
    policy: RwSignal<SplitPolicy>,
    polygon: RwSignal<Vec<(f64, f64)>>,
    drawing: RefCell<Option<Drawing>>,
    gesture: RefCell<Option<Gesture>>,
    stroke: Cell<u64>,
    generation: Cell<u64>,
    problems: RefCell<Vec<BlockId>>,
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
            before_proposal: RwSignal::new(None),
            confirm: RwSignal::new(None),
            versions: RwSignal::new(Vec::new()),
            compared: RwSignal::new(None),
            lineage: RwSignal::new(None),
            special: RwSignal::new(Vec::new()),
            policy: RwSignal::new(SplitPolicy::Never),
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
        // grid boundaries: along streets in ink, through a compound (between its building cells) in orange
        m.add_layer(&json!({ "id": "edit-edges", "type": "line", "source": EDGES,
            "paint": { "line-color": ["case", ["boolean", ["feature-state", "in_compound"], false], "#ea580c", "#111827"],
                       "line-width": ["case", ["boolean", ["feature-state", "cut"], false], 3, 0] } }));
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
            // Only if nothing was edited since, nothing is in conflict, and no other save (before a split, say)
            // already stored this state.
            let pending = me.save_state.get_untracked() == SaveState::Dirty;
            if me.generation.get() == generation && me.conflict.get_untracked().is_none() && pending {
                spawn_local(async move {
                    me.save().await;
                });
            }
        });
    }

    fn say(&self, error: bool, text: impl Into<String>) {
        self.message.set(Some((error, text.into())));
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
}
