//! jixiao turns Chinese public-finance project performance self-evaluation tables
//! (项目支出绩效自评表) into clean, checked, consolidated data.
//!
//! Data flows one way, one module per step:
//!
//! ```text
//! paths ─ batch::discover ─▶ files ─ read ─▶ Grid ─ locate ─▶ FormLayout
//!       ─ extract (+ normalize) ─▶ Form + changes + findings ─ write ─▶ xlsx / json
//! ```
//!
//! Every stage after [`read`] works on a [`grid::Grid`], so the hard parts are tested on
//! grids built by hand. Numbers are exact decimals from the reader on.

pub mod batch;
pub mod code;
pub mod convert;
pub mod extract;
pub mod grid;
pub mod locate;
pub mod model;
pub mod normalize;
pub mod read;
pub mod rules;
pub mod score;
pub mod seed;
pub mod template;
pub mod vocab;
pub mod write;
