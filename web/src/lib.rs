//! jixiao in the browser: the page (`scripts/web` → `dist/web/index.html`) reads the
//! dropped files one by one through a [`Session`] (so it can show each file's progress),
//! then [`Session::finish`] writes the outputs. Both halves are the library's own
//! ([`jixiao::batch::read_named`], [`jixiao::batch::assemble`],
//! [`jixiao::convert::write_bytes`]): the same results as `jixiao convert` and
//! [`jixiao::convert::run_bytes`], with no file system and no thread.

use jixiao::batch::{self, FileRead, Found};
use jixiao::convert::{self, Shape};
use jixiao::model::{Batch, Severity, Status};
use jixiao::write;
use serde_json::{Value, json};
use std::io::Write;
use wasm_bindgen::prelude::*;

/// The settings file the clerk may keep in her folder: the page fills its fields from it.
#[wasm_bindgen]
pub fn settings_file_name() -> String {
    jixiao::settings::FILE_NAME.to_string()
}

/// A settings file's fields as JSON (`unit`, `deadline`, `contact`, `phone`, `problems`),
/// read as `jixiao` reads `jixiao设置.txt`.
#[wasm_bindgen]
pub fn parse_settings(bytes: &[u8]) -> String {
    let p = jixiao::settings::parse(bytes);
    let s = &p.settings;
    json!({
        "unit": s.unit,
        "date": s.date,
        "deadline": s.deadline,
        "contact": s.contact,
        "phone": s.phone,
        // The 评分口径 by its built-in name (an alias in the file becomes the name the
        // page's list shows); absent when the file names none or one jixiao does not know.
        "profile": s.profile.as_deref().and_then(jixiao::profile::find).map(|p| p.name.clone()),
        "problems": p.problems,
    })
    .to_string()
}

/// The built-in scoring profiles' names, the default first: the page's 评分口径 list.
#[wasm_bindgen]
pub fn profile_names() -> Vec<String> {
    jixiao::profile::builtins()
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

/// One conversion: the dropped files' names, then each file's bytes in reading order,
/// then the outputs.
#[wasm_bindgen]
pub struct Session {
    shape: Shape,
    opts: batch::Options,
    found: Vec<(usize, Found)>,
    reads: Vec<FileRead>,
}

#[wasm_bindgen]
impl Session {
    /// A conversion of the files named `names` (`/`-separated paths below the dropped
    /// folder, or bare names), with the clerk's fields for the papers (blank: not set).
    #[wasm_bindgen(constructor)]
    pub fn new(
        names: Vec<String>,
        unit: String,
        date: String,
        deadline: String,
        contact: String,
        phone: String,
        profile: String,
    ) -> Session {
        Session::with(
            &names,
            Letterhead {
                unit,
                date,
                deadline,
                contact,
                phone,
                profile,
            },
        )
    }

    /// The files in reading order, each as the index of its name in `names`.
    pub fn order(&self) -> Vec<u32> {
        self.found.iter().map(|(i, _)| *i as u32).collect()
    }

    /// The files in reading order as the lists show them (below the folder dropped).
    pub fn shown(&self) -> Vec<String> {
        self.found.iter().map(|(_, f)| f.shown.clone()).collect()
    }

    /// Whether the `k`-th file in reading order is read (else it is skipped, and its
    /// bytes are not needed: pass an empty array).
    pub fn wants(&self, k: usize) -> bool {
        self.found.get(k).is_some_and(|(_, f)| f.is_read())
    }

    /// Reads the next file (the `k`-th in reading order) and says what it gave, as JSON:
    /// `{shown, status, reason, forms}`.
    pub fn read(&mut self, k: usize, bytes: &[u8]) -> Result<String, JsError> {
        if k != self.reads.len() || k >= self.found.len() {
            return Err(JsError::new("files must be read in order"));
        }
        let r = batch::read_named(&self.found[k].1, bytes, &self.opts);
        let i = r.input();
        let out = json!({
            "shown": i.shown,
            "status": status(i.status),
            "reason": i.reason,
            "forms": r.forms().len(),
        });
        self.reads.push(r);
        Ok(out.to_string())
    }

    /// Numbers the forms, runs the rules and writes the outputs.
    pub fn finish(self) -> Result<Done, JsError> {
        if self.reads.len() != self.found.len() {
            return Err(JsError::new("not every file was read"));
        }
        let b = batch::assemble(self.reads);
        let out = convert::write_bytes(b, &self.shape).map_err(|e| JsError::new(&e.to_string()))?;
        let zip = feedback_zip(&out.feedback).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Done {
            summary: summary(&out.batch).to_string(),
            workbook: out.workbook,
            feedback: zip,
            json: out.json,
        })
    }
}

/// The clerk's fields, blank for not set (the 评分口径 blank or unknown: the default).
struct Letterhead {
    unit: String,
    date: String,
    deadline: String,
    contact: String,
    phone: String,
    profile: String,
}

impl Session {
    fn with(names: &[String], l: Letterhead) -> Session {
        let set = |s: String| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        let shape = Shape {
            feedback: true,
            letterhead: write::workbook::Letterhead {
                unit: set(l.unit),
                date: set(l.date),
                deadline: set(l.deadline),
                contact: set(l.contact),
                phone: set(l.phone),
                ..Default::default()
            },
            profile: jixiao::profile::find(&l.profile)
                .unwrap_or_else(jixiao::profile::default_profile),
            ..Default::default()
        };
        let found = batch::named(names);
        let reading = found.iter().filter(|(_, f)| f.is_read()).count();
        Session {
            opts: shape.read_options(reading),
            shape,
            found,
            reads: Vec::new(),
        }
    }
}

/// What a conversion gave: the summary (JSON) and the files to download.
#[wasm_bindgen]
pub struct Done {
    summary: String,
    workbook: Vec<u8>,
    feedback: Vec<u8>,
    json: String,
}

#[wasm_bindgen]
impl Done {
    /// `{line, forms, errors, warnings, infos, files: [{shown, status, reason, forms}],
    /// columns: [...], issues: [[...]], feedback: [names]}`.
    #[wasm_bindgen(getter)]
    pub fn summary(&self) -> String {
        self.summary.clone()
    }

    /// 汇总.xlsx.
    #[wasm_bindgen(getter)]
    pub fn workbook(&self) -> Vec<u8> {
        self.workbook.clone()
    }

    /// The feedback workbooks, one per 主管部门, as one zip.
    #[wasm_bindgen(getter)]
    pub fn feedback(&self) -> Vec<u8> {
        self.feedback.clone()
    }

    /// The JSON document (`jixiao convert --json`).
    #[wasm_bindgen(getter)]
    pub fn json(&self) -> String {
        self.json.clone()
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
    }
}

/// The summary the console prints, and the 问题清单 as the workbook lists it.
pub fn summary(b: &Batch) -> Value {
    let files: Vec<Value> = b
        .inputs
        .iter()
        .map(|i| {
            json!({
                "shown": i.shown,
                "status": status(i.status),
                "reason": i.reason,
                "forms": i.forms,
            })
        })
        .collect();
    let t = write::tables::findings(b);
    let columns: Vec<&str> = t.columns[..t.print].iter().map(|c| c.title).collect();
    let issues: Vec<Vec<String>> = t
        .rows
        .map(|row| row[..t.print].iter().map(|c| c.text()).collect())
        .collect();
    let departments: Vec<String> = write::tables::by_department(b)
        .into_iter()
        .map(|(d, _)| d.unwrap_or("").to_string())
        .collect();
    json!({
        "line": write::terminal::summary(b),
        "forms": b.forms.len(),
        "errors": b.count(Severity::Error),
        "warnings": b.count(Severity::Warning),
        "infos": b.count(Severity::Info),
        "files": files,
        "columns": columns,
        "issues": issues,
        "departments": departments,
    })
}

/// The feedback workbooks in one zip, stored (each is deflated already), names in UTF-8.
pub fn feedback_zip(files: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        z.start_file(name.as_str(), opts)?;
        z.write_all(bytes)?;
    }
    Ok(z.finish()?.into_inner())
}
