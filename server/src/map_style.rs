//! The MapLibre style of the base map and governance layers, every source and font served by Wangge itself.

use serde_json::{json, Value};

/// Who the style is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleMode {
    /// Staff: every layer, grids coloured by household deviation.
    Staff,
    /// Public map: boundaries, grids and names; no household colouring, no blocks.
    Public,
}

/// Grid fill colour: dedicated grids blue; natural grids green within ±10 % of 300 households, yellow within ±20 %,
/// red beyond.
pub fn grid_fill_color() -> Value {
    json!([
        "case",
        ["==", ["get", "kind"], "dedicated"],
        "#3b82f6",
        ["step", ["abs", ["get", "deviation"]], "#22c55e", 0.1, "#eab308", 0.2, "#ef4444"]
    ])
}

/// The style document.
pub fn style(origin: &str, mode: StyleMode) -> Value {
    let src = "wangge";
    let mut layers = vec![
        json!({ "id": "background", "type": "background", "paint": { "background-color": "#f3f1ec" } }),
        json!({ "id": "landuse", "type": "fill", "source": src, "source-layer": "landuse",
            "paint": { "fill-color": ["match", ["get", "kind"],
                "residential", "#ebe4dc", "park", "#cfe8bd", "school", "#f6e7c1", "university", "#f6e7c1",
                "hospital", "#f7d6d6", "commercial", "#f1dfe6", "retail", "#f1dfe6", "#ece9e2"] } }),
        json!({ "id": "roads-casing", "type": "line", "source": src, "source-layer": "roads",
            "paint": { "line-color": "#c9c2b8", "line-width": ["interpolate", ["linear"], ["zoom"], 10, 1, 16, 9] } }),
        json!({ "id": "roads", "type": "line", "source": src, "source-layer": "roads",
            "paint": { "line-color": ["match", ["get", "class"], ["primary", "trunk", "motorway"], "#fcd9a3", "#ffffff"],
                       "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.5, 16, 7] } }),
        json!({ "id": "buildings", "type": "fill", "source": src, "source-layer": "buildings", "minzoom": 14,
            "paint": { "fill-color": "#d8cfc6", "fill-outline-color": "#b9ab9d" } }),
    ];
    if mode == StyleMode::Staff {
        layers.push(json!({ "id": "blocks", "type": "line", "source": src, "source-layer": "blocks", "minzoom": 14,
            "paint": { "line-color": "#8a8178", "line-width": 0.6, "line-dasharray": [2, 2] } }));
        layers.push(json!({ "id": "grids-fill", "type": "fill", "source": src, "source-layer": "grids",
            "paint": { "fill-color": grid_fill_color(),
                       "fill-opacity": ["case", ["boolean", ["feature-state", "selected"], false], 0.55, 0.28] } }));
    } else {
        layers.push(json!({ "id": "grids-fill", "type": "fill", "source": src, "source-layer": "grids",
            "paint": { "fill-color": ["match", ["get", "kind"], "dedicated", "#3b82f6", "#0ea5e9"],
                       "fill-opacity": ["case", ["boolean", ["feature-state", "selected"], false], 0.4, 0.12] } }));
    }
    if mode == StyleMode::Staff {
        // Communities filled only while the density view colours them (by feature state).
        layers.push(json!({ "id": "communities-fill", "type": "fill", "source": src, "source-layer": "boundaries",
            "filter": ["==", ["get", "level"], "community"],
            "paint": { "fill-color": ["coalesce", ["feature-state", "density"], "#000000"],
                       "fill-opacity": ["case", ["!=", ["feature-state", "density"], null], 0.75, 0] } }));
        layers.push(json!({ "id": "special-grids", "type": "line", "source": src, "source-layer": "special_grids",
            "paint": { "line-color": "#9333ea", "line-width": 2, "line-dasharray": [3, 2] } }));
    }
    layers.extend([
        json!({ "id": "grids-line", "type": "line", "source": src, "source-layer": "grids",
            "paint": { "line-color": "#334155", "line-width": ["interpolate", ["linear"], ["zoom"], 11, 0.5, 16, 2] } }),
        json!({ "id": "boundaries", "type": "line", "source": src, "source-layer": "boundaries",
            "paint": { "line-color": "#7f1d1d",
                       "line-width": ["match", ["get", "level"], "district", 3, "street", 2, 1.2],
                       "line-dasharray": ["match", ["get", "level"], "community", ["literal", [4, 2]], ["literal", [1, 0]]] } }),
        json!({ "id": "elements", "type": "circle", "source": src, "source-layer": "elements", "minzoom": 15,
            "paint": { "circle-radius": 4, "circle-color": ["match", ["get", "kind"], "facility", "#0f766e", "organization", "#b45309", "#6d28d9"],
                       "circle-stroke-color": "#fff", "circle-stroke-width": 1 } }),
        json!({ "id": "labels", "type": "symbol", "source": src, "source-layer": "labels",
            "layout": { "text-field": ["get", "name"], "text-font": ["Noto Sans Regular"],
                        "text-size": ["match", ["get", "kind"], "community", 15, 12] },
            "paint": { "text-color": "#1f2937", "text-halo-color": "#ffffff", "text-halo-width": 1.5 } }),
    ]);
    json!({
        "version": 8,
        "name": if mode == StyleMode::Staff { "Wangge staff" } else { "Wangge public" },
        "glyphs": format!("{origin}/fonts/{{fontstack}}/{{range}}.pbf"),
        "sources": { src: { "type": "vector", "url": format!("{origin}/tiles/{}", if mode == StyleMode::Staff { "all" } else { "public" }), "promoteId": { "grids": "code", "boundaries": "code" } } },
        "layers": layers,
    })
}
