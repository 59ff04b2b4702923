//! The JSON document of `convert --json` (contract.md): decimals as strings, empty as null.

use crate::model::{Batch, Finding, Form, Input, Severity};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    forms: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Forms that repeat an earlier one (C005), so counted twice in any total over forms.
    duplicates: usize,
}

#[derive(Serialize)]
struct Document<'a> {
    tool: Tool,
    summary: Summary,
    inputs: &'a [Input],
    projects: &'a [Form],
    findings: Vec<&'a Finding>,
    changes: Changes<'a>,
}

/// Every form's change records, each form's read back as they are written (spilled, a
/// province's records would be several hundred MB held at once).
struct Changes<'a>(&'a [Form]);

impl Serialize for Changes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let n = self.0.iter().map(|f| f.changes.len()).sum();
        let mut seq = s.serialize_seq(Some(n))?;
        for form in self.0 {
            let changes = form.changes().map_err(|e| {
                S::Error::custom(format!(
                    "{} 的{}",
                    form.id,
                    super::forms::changes_unreadable(&e)
                ))
            })?;
            for c in changes.iter() {
                seq.serialize_element(c)?;
            }
        }
        seq.end()
    }
}

/// The batch as pretty-printed JSON.
///
/// # Example
///
/// ```
/// use jixiao::{batch, write};
/// use std::path::PathBuf;
///
/// let b = batch::run(
///     &[PathBuf::from("samples/2023/1.xlsx")],
///     &batch::Options::default(),
/// )?;
/// let json: serde_json::Value = serde_json::from_str(&write::json::to_json(&b)?)?;
/// assert_eq!(json["summary"]["forms"], 1);
/// assert_eq!(json["summary"]["warnings"], 2);
/// assert_eq!(json["inputs"][0]["path"], "samples/2023/1.xlsx");
/// assert_eq!(json["inputs"][0]["status"], "ok");
/// assert_eq!(json["projects"][0]["id"], "P0001");
/// assert_eq!(json["projects"][0]["year"], 2023);
/// assert_eq!(json["findings"][0]["code"], "F003");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_json(batch: &Batch) -> std::io::Result<String> {
    let mut out = Vec::new();
    write_json(batch, &mut out)?;
    String::from_utf8(out).map_err(std::io::Error::other)
}

/// [`to_json`] streamed to `out` (a file): the document is never held whole in memory,
/// which at a province's 100,000 forms would be several hundred MB.
pub fn write_json(batch: &Batch, out: impl std::io::Write) -> std::io::Result<()> {
    let doc = Document {
        tool: Tool {
            name: "jixiao",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files: batch.inputs.len(),
            forms: batch.forms.len(),
            errors: batch.count(Severity::Error),
            warnings: batch.count(Severity::Warning),
            infos: batch.count(Severity::Info),
            duplicates: batch.extra_copies(),
        },
        inputs: &batch.inputs,
        projects: &batch.forms,
        findings: batch.findings().collect(),
        changes: Changes(&batch.forms),
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, &doc).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}
