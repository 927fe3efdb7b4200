//! Thin bindings to the parts of MapLibre GL JS the app uses (the `maplibre-gl` module is resolved by the import
//! map in index.html to our own copy).

use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "maplibre-gl")]
extern "C" {
    /// A MapLibre map.
    #[derive(Clone)]
    pub type Map;

    #[wasm_bindgen(constructor)]
    fn new(options: &JsValue) -> Map;

    #[wasm_bindgen(method)]
    fn on(this: &Map, event: &str, handler: &js_sys::Function);

    #[wasm_bindgen(method, js_name = flyTo)]
    fn fly_to_js(this: &Map, options: &JsValue);

    #[wasm_bindgen(method, js_name = fitBounds)]
    fn fit_bounds_js(this: &Map, bounds: &JsValue, options: &JsValue);

    #[wasm_bindgen(method, js_name = setFeatureState)]
    fn set_feature_state_js(this: &Map, target: &JsValue, state: &JsValue);

    #[wasm_bindgen(method, js_name = setLayoutProperty)]
    fn set_layout_property_js(this: &Map, layer: &str, name: &str, value: &JsValue);

    #[wasm_bindgen(method, js_name = setPaintProperty)]
    fn set_paint_property_js(this: &Map, layer: &str, name: &str, value: &JsValue);

    #[wasm_bindgen(method, js_name = getPaintProperty)]
    fn get_paint_property_js(this: &Map, layer: &str, name: &str) -> JsValue;

    #[wasm_bindgen(method, js_name = removeFeatureState)]
    fn remove_feature_state_js(this: &Map, target: &JsValue);

    #[wasm_bindgen(method, js_name = setStyle)]
    fn set_style_js(this: &Map, style: &str);

    #[wasm_bindgen(method, js_name = getLayer)]
    fn get_layer_js(this: &Map, id: &str) -> JsValue;

    #[wasm_bindgen(method, js_name = addSource)]
    fn add_source_js(this: &Map, id: &str, source: &JsValue);

    #[wasm_bindgen(method, js_name = getSource)]
    fn get_source_js(this: &Map, id: &str) -> JsValue;

    #[wasm_bindgen(method, js_name = removeSource)]
    fn remove_source_js(this: &Map, id: &str);

    #[wasm_bindgen(method, js_name = addLayer)]
    fn add_layer_js(this: &Map, layer: &JsValue);

    #[wasm_bindgen(method, js_name = removeLayer)]
    fn remove_layer_js(this: &Map, id: &str);

    #[wasm_bindgen(method, js_name = queryRenderedFeatures)]
    fn query_rendered_features_js(this: &Map, point: &JsValue, options: &JsValue) -> js_sys::Array;

    #[wasm_bindgen(method, getter, js_name = dragPan)]
    fn drag_pan(this: &Map) -> JsValue;

    #[wasm_bindgen(method, js_name = getZoom)]
    fn get_zoom_js(this: &Map) -> f64;

    #[wasm_bindgen(method, js_name = getBounds)]
    fn get_bounds_js(this: &Map) -> JsValue;

    #[wasm_bindgen(method, js_name = getCanvas)]
    fn get_canvas(this: &Map) -> web_sys::HtmlElement;

    #[wasm_bindgen(method, js_name = addControl)]
    fn add_control_js(this: &Map, control: &JsValue, position: &str);

    /// Zoom and rotation buttons.
    pub type NavigationControl;

    #[wasm_bindgen(constructor)]
    fn new_navigation() -> NavigationControl;

    /// The metric scale bar.
    pub type ScaleControl;

    #[wasm_bindgen(constructor)]
    fn new_scale() -> ScaleControl;
}

/// Serde JSON → JS object.
pub fn js(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap_or(JsValue::NULL)
}

impl Map {
    /// Create a map in the element with id `container` using the style at `style_url`.
    pub fn create(container: &str, style_url: &str, center: [f64; 2], zoom: f64) -> Map {
        let map = Map::new(&js(&serde_json::json!({
            "container": container, "style": style_url, "center": center, "zoom": zoom,
            "attributionControl": { "compact": true, "customAttribution": "© OpenStreetMap contributors · Wangge" },
            "localIdeographFontFamily": false,
        })));
        map.add_control_js(&Self::new_navigation_js(), "top-right");
        map.add_control_js(&ScaleControl::new_scale().into(), "bottom-left");
        map
    }

    fn new_navigation_js() -> JsValue {
        NavigationControl::new_navigation().into()
    }

    /// Subscribe to an event; the closure lives as long as the page.
    pub fn on_event(&self, event: &str, f: impl FnMut(JsValue) + 'static) {
        let cb = Closure::<dyn FnMut(JsValue)>::new(f);
        self.on(event, cb.as_ref().unchecked_ref());
        cb.forget();
    }

    /// Fly to a point.
    pub fn fly_to(&self, lon: f64, lat: f64, zoom: f64) {
        self.fly_to_js(&js(&serde_json::json!({ "center": [lon, lat], "zoom": zoom, "speed": 1.6 })));
    }

    /// Fit a box (west, south, east, north).
    pub fn fit(&self, bbox: [f64; 4]) {
        self.fit_bounds_js(
            &js(&serde_json::json!([[bbox[0], bbox[1]], [bbox[2], bbox[3]]])),
            &js(&serde_json::json!({ "padding": 40, "maxZoom": 17 })),
        );
    }

    /// Set a feature's state in the vector source (e.g. `selected`).
    pub fn set_state(&self, source_layer: &str, id: &str, state: Value) {
        self.set_feature_state_js(
            &js(&serde_json::json!({ "source": "wangge", "sourceLayer": source_layer, "id": id })),
            &js(&state),
        );
    }

    /// Forget every feature state of a layer of the vector source.
    pub fn clear_states(&self, source_layer: &str) {
        self.remove_feature_state_js(&js(&serde_json::json!({ "source": "wangge", "sourceLayer": source_layer })));
    }

    /// A style layer's paint property (`None` when the layer or the property is not there).
    pub fn paint(&self, layer: &str, property: &str) -> Option<Value> {
        if self.get_layer_js(layer).is_undefined() {
            return None;
        }
        let v = self.get_paint_property_js(layer, property);
        let text = js_sys::JSON::stringify(&v).ok()?.as_string()?;
        serde_json::from_str(&text).ok().filter(|v: &Value| !v.is_null())
    }

    /// Set a style layer's paint property (ignored if the style has no such layer).
    pub fn set_paint(&self, layer: &str, property: &str, value: &Value) {
        if !self.get_layer_js(layer).is_undefined() {
            self.set_paint_property_js(layer, property, &js(value));
        }
    }

    /// Show or hide a style layer (ignored if the style has no such layer).
    pub fn set_visible(&self, layer: &str, visible: bool) {
        if !self.get_layer_js(layer).is_undefined() {
            self.set_layout_property_js(
                layer,
                "visibility",
                &JsValue::from_str(if visible { "visible" } else { "none" }),
            );
        }
    }

    /// Replace the style.
    pub fn set_style(&self, url: &str) {
        self.set_style_js(url);
    }

    /// Whether the style itself has loaded, so sources and layers can be added (MapLibre's `isStyleLoaded` also
    /// waits for every tile, which is not needed here; `style.load` is the event that makes this true).
    pub fn is_style_ready(&self) -> bool {
        js_sys::Reflect::get(self.as_ref(), &JsValue::from_str("style"))
            .and_then(|style| js_sys::Reflect::get(&style, &JsValue::from_str("_loaded")))
            .is_ok_and(|loaded| loaded.as_bool() == Some(true))
    }
}

impl Map {
    /// Add a GeoJSON source (features' `properties.<promote_id>` become their ids for feature state).
    pub fn add_geojson(&self, id: &str, data: &Value, promote_id: &str) {
        self.add_source_js(id, &js(&serde_json::json!({ "type": "geojson", "data": data, "promoteId": promote_id })));
    }

    /// Replace a GeoJSON source's data (for small, changing overlays such as the lasso line).
    pub fn set_data(&self, source: &str, data: &Value) {
        let src = self.get_source_js(source);
        if let Ok(f) = js_sys::Reflect::get(&src, &JsValue::from_str("setData")) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call1(&src, &js(data));
            }
        }
    }

    /// Add a style layer.
    pub fn add_layer(&self, layer: &Value) {
        self.add_layer_js(&js(layer));
    }

    /// Remove layers and then sources, ignoring those that are not there.
    pub fn remove(&self, layers: &[&str], sources: &[&str]) {
        for l in layers {
            if !self.get_layer_js(l).is_undefined() {
                self.remove_layer_js(l);
            }
        }
        for s in sources {
            if !self.get_source_js(s).is_undefined() {
                self.remove_source_js(s);
            }
        }
    }

    /// Set a feature's state in a GeoJSON source.
    pub fn set_source_state(&self, source: &str, id: i64, state: &Value) {
        self.set_feature_state_js(&js(&serde_json::json!({ "source": source, "id": id })), &js(state));
    }

    /// The `properties.<key>` of the rendered features of `layer` at a screen point.
    fn properties_at(&self, x: f64, y: f64, layer: &str, key: &str) -> Vec<JsValue> {
        let found = self.query_rendered_features_js(
            &js(&serde_json::json!([x, y])),
            &js(&serde_json::json!({ "layers": [layer] })),
        );
        found
            .iter()
            .filter_map(|f| js_sys::Reflect::get(&f, &JsValue::from_str("properties")).ok())
            .filter_map(|p| js_sys::Reflect::get(&p, &JsValue::from_str(key)).ok())
            .collect()
    }

    /// The `properties.id` of the rendered features of `layer` at a screen point.
    pub fn ids_at(&self, x: f64, y: f64, layer: &str) -> Vec<i64> {
        self.properties_at(x, y, layer, "id").iter().filter_map(|v| v.as_f64()).map(|v| v as i64).collect()
    }

    /// The `properties.code` of the rendered features of `layer` at a screen point.
    pub fn codes_at(&self, x: f64, y: f64, layer: &str) -> Vec<String> {
        self.properties_at(x, y, layer, "code").iter().filter_map(|v| v.as_string()).collect()
    }

    /// Let the mouse pan the map, or not (while a brush or lasso stroke is drawn).
    pub fn set_drag_pan(&self, on: bool) {
        let pan = self.drag_pan();
        let name = if on { "enable" } else { "disable" };
        if let Ok(f) = js_sys::Reflect::get(&pan, &JsValue::from_str(name)) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call0(&pan);
            }
        }
    }

    /// Degrees of longitude per screen pixel at the current zoom.
    pub fn degrees_per_pixel(&self) -> f64 {
        360.0 / (512.0 * 2f64.powf(self.get_zoom_js()))
    }

    /// The zoom level.
    pub fn zoom(&self) -> f64 {
        self.get_zoom_js()
    }

    /// The view's west, south, east, north edges.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        let b = self.get_bounds_js();
        let edge = |name: &str| {
            js_sys::Reflect::get(&b, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .and_then(|f| f.call0(&b).ok())
                .and_then(|v| v.as_f64())
        };
        Some([edge("getWest")?, edge("getSouth")?, edge("getEast")?, edge("getNorth")?])
    }

    /// The map canvas's cursor.
    pub fn set_cursor(&self, cursor: &str) {
        let _ = self.get_canvas().style().set_property("cursor", cursor);
    }
}
