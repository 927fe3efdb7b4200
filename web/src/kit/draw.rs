//! Thin bindings to terra-draw and its MapLibre adapter (our own copies, resolved by the import map): the editor
//! draws lassos (freehand) and special-grid polygons (snapped to block corners) with them.

use wasm_bindgen::prelude::*;

use crate::kit::maplibre::{js, Map};

#[wasm_bindgen(module = "terra-draw")]
extern "C" {
    /// A terra-draw instance on one map.
    #[derive(Clone)]
    pub type TerraDraw;

    #[wasm_bindgen(constructor)]
    fn new(options: &JsValue) -> TerraDraw;

    #[wasm_bindgen(method)]
    fn start(this: &TerraDraw);

    #[wasm_bindgen(method)]
    fn stop(this: &TerraDraw);

    #[wasm_bindgen(method)]
    fn clear(this: &TerraDraw);

    #[wasm_bindgen(method, js_name = setMode)]
    fn set_mode_js(this: &TerraDraw, mode: &str);

    #[wasm_bindgen(method)]
    fn on(this: &TerraDraw, event: &str, handler: &js_sys::Function);

    #[wasm_bindgen(method, js_name = getSnapshotFeature)]
    fn get_snapshot_feature(this: &TerraDraw, id: &JsValue) -> JsValue;

    type TerraDrawPolygonMode;

    #[wasm_bindgen(constructor)]
    fn new(options: &JsValue) -> TerraDrawPolygonMode;

    type TerraDrawFreehandMode;

    #[wasm_bindgen(constructor)]
    fn new(options: &JsValue) -> TerraDrawFreehandMode;
}

#[wasm_bindgen(module = "terra-draw-maplibre-gl-adapter")]
extern "C" {
    type TerraDrawMapLibreGLAdapter;

    #[wasm_bindgen(constructor)]
    fn new(options: &JsValue) -> TerraDrawMapLibreGLAdapter;
}

/// What a finished drawing was.
pub enum Drawn {
    /// A freehand loop (lasso), its ring without the closing point.
    Lasso(Vec<(f64, f64)>),
    /// A clicked polygon, its ring without the closing point.
    Polygon(Vec<(f64, f64)>),
}

/// terra-draw with the two modes the editor uses; the closures live as long as the page.
pub struct Drawing {
    draw: TerraDraw,
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

fn ring_of(feature: &JsValue) -> Vec<(f64, f64)> {
    let json: serde_json::Value = js_sys::JSON::stringify(feature)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    let mut ring: Vec<(f64, f64)> = json["geometry"]["coordinates"][0]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
        .collect();
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    ring
}

impl Drawing {
    /// Start terra-draw on `map`. `snap` moves a clicked polygon corner (lon, lat) to where it should go;
    /// `finished` receives each completed lasso or polygon.
    pub fn start(
        map: &Map,
        snap: impl Fn(f64, f64) -> Option<(f64, f64)> + 'static,
        finished: impl Fn(Drawn) + 'static,
    ) -> Drawing {
        let adapter_options = js_sys::Object::new();
        set(&adapter_options, "map", map.as_ref());
        let adapter = TerraDrawMapLibreGLAdapter::new(&adapter_options);

        let snap_cb = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |event: JsValue, _context: JsValue| {
            let get = |k: &str| js_sys::Reflect::get(&event, &JsValue::from_str(k)).ok().and_then(|v| v.as_f64());
            match (get("lng"), get("lat")) {
                (Some(lon), Some(lat)) => {
                    snap(lon, lat).map_or(JsValue::UNDEFINED, |(x, y)| js(&serde_json::json!([x, y])))
                }
                _ => JsValue::UNDEFINED,
            }
        });
        let snapping = js_sys::Object::new();
        set(&snapping, "toCustom", snap_cb.as_ref());
        snap_cb.forget();
        let polygon_options = js_sys::Object::new();
        set(&polygon_options, "snapping", &snapping);
        let polygon = TerraDrawPolygonMode::new(&polygon_options);
        let freehand = TerraDrawFreehandMode::new(&js(&serde_json::json!({ "drawInteraction": "click-drag" })));

        let options = js_sys::Object::new();
        set(&options, "adapter", &adapter);
        let modes = js_sys::Array::new();
        modes.push(&polygon);
        modes.push(&freehand);
        set(&options, "modes", &modes);
        let draw = TerraDraw::new(&options);
        draw.start();

        let handle = draw.clone();
        let finish = Closure::<dyn Fn(JsValue, JsValue)>::new(move |id: JsValue, _context: JsValue| {
            let feature = handle.get_snapshot_feature(&id);
            let mode = js_sys::Reflect::get(&feature, &JsValue::from_str("properties"))
                .and_then(|p| js_sys::Reflect::get(&p, &JsValue::from_str("mode")))
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            let ring = ring_of(&feature);
            if mode == "freehand" {
                handle.clear();
                finished(Drawn::Lasso(ring));
            } else {
                finished(Drawn::Polygon(ring));
            }
        });
        draw.on("finish", finish.as_ref().unchecked_ref());
        finish.forget();
        Drawing { draw }
    }

    /// Switch to drawing a lasso, a polygon, or nothing (`"static"`: the map behaves as usual).
    pub fn set_mode(&self, mode: &str) {
        self.draw.set_mode_js(mode);
    }

    /// Remove what was drawn.
    pub fn clear(&self) {
        self.draw.clear();
    }

    /// Stop drawing and take terra-draw's layers off the map.
    pub fn stop(&self) {
        self.draw.stop();
    }
}
