//! The Wangge web apps. Browser-only: on other targets this binary does nothing (its pure parts are unit-tested on
//! the host).
//!
//! - [`kit`]: what every app of ours is built from — the MapLibre and terra-draw bindings, the typed client of our
//!   API, the interface texts.
//! - [`desk`]: the staff and public map app (map, panels, the planner's grid editor, the admin panel), with every
//!   screen at its own URL.
//! - The grid worker's phone app (offline-first) will be a third room beside them, built from the same kit.

mod desk;
mod kit;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(desk::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("wangge-web runs in the browser: build it with bin/build-web");
}
