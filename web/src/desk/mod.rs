//! The desk app: the public map and the staff's working map with their panels, the planner's grid editor and the
//! district admin's panel, the case screens and the density view. Every screen has a URL ([`screen`]).

#[cfg(target_arch = "wasm32")]
pub mod admin;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod cases;
#[cfg(target_arch = "wasm32")]
pub mod density;
#[cfg(target_arch = "wasm32")]
pub mod editor;
#[cfg(target_arch = "wasm32")]
pub mod login;
#[cfg(target_arch = "wasm32")]
pub mod panels;
#[cfg(target_arch = "wasm32")]
pub mod photo_blur;
#[cfg(target_arch = "wasm32")]
pub mod public_report;
#[cfg(target_arch = "wasm32")]
pub mod residents;
#[cfg(target_arch = "wasm32")]
pub mod stage_limits;
// Pure: compiled (and unit-tested) on the host too.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub mod screen;
