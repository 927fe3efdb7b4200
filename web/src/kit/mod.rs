//! The kit every app is built from: thin bindings to MapLibre GL JS and terra-draw, the typed client of our API
//! (paths and error codes from `wangge-api`), and the interface texts.

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod draw;
#[cfg(target_arch = "wasm32")]
pub mod http;
// Pure: compiled (and unit-tested) on the host too.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod maplibre;
#[cfg(target_arch = "wasm32")]
pub mod photo;
