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
//!
//! The library never prints: it returns what it read ([`model::Batch`]) and what went
//! wrong ([`Error`] for a run, [`read::ReadError`] and findings for a file); the `jixiao`
//! command line prints them.
//!
//! # Example
//!
//! Reading a folder of forms and looking at what was found, without writing anything
//! ([`convert::run`] also writes the consolidated workbook):
//!
//! ```
//! use jixiao::batch;
//! use jixiao::model::Severity;
//!
//! let b = batch::run(&["samples/2023".into()], &batch::Options::default())?;
//! assert_eq!(b.forms.len(), 4);
//! let first = &b.forms[0];
//! assert_eq!(first.department.value.as_deref(), Some("靖州县禁毒办"));
//! assert_eq!(first.grade, Some("优"));
//! // Project 4 leaves a score empty: its total does not add up.
//! assert!(b.count(Severity::Error) > 0);
//! # Ok::<(), jixiao::Error>(())
//! ```

pub mod batch;
pub mod code;
pub mod convert;
mod error;
pub mod extract;
pub mod grid;
mod hashed;
pub mod kept;
pub mod locate;
pub mod model;
pub mod normalize;
pub mod own;
pub mod profile;
pub mod read;
pub mod review;
pub mod rules;
pub mod sample;
pub mod score;
pub mod settings;
pub mod spotcheck;
pub mod template;
#[cfg(test)]
mod test_rng;
pub mod wording;
/// The former name of [`wording`], kept for callers of the library.
pub use wording as vocab;
pub mod write;

pub use error::{Error, Result, cause_words, io_words};
