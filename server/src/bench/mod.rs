//! End-to-end benchmarks run from the command line (`wangge bench-locate`, `wangge bench-tiles`, each measuring
//! Wangge and its peer in the same run; `wangge bench-cases`, case intake against raw inserts and the desk over a
//! million cases; `wangge bench-open311`, Open311's request list over a million requests against PostGIS and
//! partner intake under load; `wangge bench-editor`, the editor's stroke latency in Chromium; `wangge bench-cache`,
//! the locate cache read whole or patched after a publish; `wangge bench-split`, a big compound divided into building
//! cells; `wangge bench-rebalance`, rebalancing a community after households changed against a fresh suggestion;
//! `wangge bench-city`, a generated city of 10 M people on one machine).

pub mod cache;
pub mod cases;
pub mod city;
pub mod editor;
pub mod heat;
pub mod locate;
pub mod open311;
pub mod rebalance;
pub mod split;
pub mod tiles;
