//! `convert` as one call: discover, refuse outputs over inputs, read (keeping sources for
//! the form sheets when they will be written), write the workbook and the side outputs.
//! The command line and the benchmark both run exactly this.

use crate::batch::{self, Options};
use crate::model::{Batch, Form, Input};
use crate::read::Limits;
use crate::write;
use anyhow::Result;
use std::path::PathBuf;

/// What to convert and where to write it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    /// The JSON document; `-` for standard output.
    pub json: Option<PathBuf>,
    /// A folder for the list sheets as CSV.
    pub csv: Option<PathBuf>,
    /// A folder for one feedback workbook per 主管部门.
    pub feedback: Option<PathBuf>,
    /// Per-form sheets: as chosen, else up to 50 forms.
    pub form_sheets: Option<bool>,
    pub limits: Limits,
}

/// Runs a conversion; `on_file` is called as each file is read (for progress).
pub fn run(req: &Request, on_file: impl Fn(&Input, &[Form]) + Sync) -> Result<Batch> {
    let found = batch::discover(&req.inputs)?;
    batch::check_output(&found, &req.output)?;
    if let Some(j) = req.json.as_deref().filter(|j| j.as_os_str() != "-") {
        batch::check_output(&found, j)?;
    }
    let files = found.iter().filter(|f| f.skip.is_none()).count();
    let opts = Options {
        // The feedback workbooks show every form's 清洗 sheet.
        keep_source: write::workbook::want_form_sheets(req.form_sheets, files)
            || req.feedback.is_some(),
        limits: req.limits,
    };
    let b = batch::read_found_with(&found, &opts, on_file);
    let wopts = write::workbook::Options {
        form_sheets: write::workbook::want_form_sheets(req.form_sheets, b.forms.len()),
        ..Default::default()
    };
    write::workbook_to(&req.output, &b, &wopts)?;
    if let Some(j) = &req.json {
        let doc = write::json::to_json(&b);
        if j.as_os_str() == "-" {
            print!("{doc}");
        } else {
            write::write_atomic(j, doc.as_bytes())?;
        }
    }
    if let Some(dir) = &req.csv {
        write::csv::write_dir(&b, dir)?;
    }
    if let Some(dir) = &req.feedback {
        let files = write::feedback::plan(&b, dir);
        for (path, _) in &files {
            batch::check_output(&found, path)?;
        }
        write::feedback::write_dir(&b, &files, dir)?;
    }
    Ok(b)
}
