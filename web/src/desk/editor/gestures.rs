//! The editor's gesture handler: clicks, brush and eraser strokes, cutting lines and terra-draw shapes on the map,
//! turned into edits of the working copy.

use super::*;

pub(super) enum Gesture {
    Brush(u64),
    Erase(u64),
    /// Screen and map positions of a cutting line.
    Cut(Vec<(f64, f64, f64, f64)>),
}

pub(super) fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Record how long a stroke took from the pointer event to the panel showing the new counts (read by the browser
/// test and the stroke benchmark as `window.wanggeStrokeMs`). Runs as a microtask queued after the panel's reactive
/// updates, so it measures the handler, the working copy and the DOM update — not the map's next WebGL frame.
pub(super) fn record_latency(start: f64) {
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

impl Controller {
    pub(super) fn paint(self: &Rc<Self>, blocks: &[BlockId], erase: bool, stroke: u64) {
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

    pub(super) fn next_stroke(&self) -> u64 {
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
            Tool::Policy => {
                if let Some(&block) = ids.first() {
                    let me = self.clone();
                    spawn_local(async move { me.set_policy(block).await });
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
    pub(super) fn drawn(self: &Rc<Self>, drawn: Drawn) {
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
    pub(super) fn snap(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        let snapped = self.model.borrow().snap((lon, lat), 10.0 * self.map.degrees_per_pixel());
        (snapped != (lon, lat)).then_some(snapped)
    }
}
