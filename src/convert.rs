//! `convert` as one call: discover, refuse outputs over inputs, read (keeping sources for
//! the form sheets when they will be written), write the workbook and the side outputs.
//! The command line and the benchmark both run exactly this.

use crate::batch::{self, Options};
use crate::model::{Batch, Form, Input};
use crate::own;
use crate::read::Limits;
use crate::write;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// What to convert and where to write it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Files and folders to read (folders recursively, see [`batch::discover`]).
    pub inputs: Vec<PathBuf>,
    /// The consolidated workbook (.xlsx) to write.
    pub output: PathBuf,
    /// The JSON document; `-` for standard output.
    pub json: Option<PathBuf>,
    /// A folder for the list sheets as CSV.
    pub csv: Option<PathBuf>,
    /// A folder for one feedback workbook per 主管部门.
    pub feedback: Option<PathBuf>,
    /// Per-form sheets: as chosen, else up to `form_sheets_max` forms.
    pub form_sheets: Option<bool>,
    /// Up to how many forms the per-form sheets are written by default (`None`:
    /// [`write::workbook::FORM_SHEETS_DEFAULT_MAX`]).
    pub form_sheets_max: Option<usize>,
    /// Limits on what one file may hold.
    pub limits: Limits,
    /// Write nothing when no form was found (drop-a-folder mode says so instead).
    pub nothing_without_forms: bool,
    /// The clerk's 编制单位, dates and contact for the papers (her settings file).
    pub letterhead: write::workbook::Letterhead,
    /// The scoring profile (评分口径) of the 等级 and 建议得分.
    pub profile: std::sync::Arc<crate::profile::Profile>,
}

/// What [`run`] produced.
#[derive(Debug)]
pub struct Converted {
    /// Every input and every form read, with their findings. The forms' indicators are
    /// packed as the run kept them: read them with [`crate::model::Indicators::load`].
    pub batch: Batch,
    /// The JSON document when the request asked for it on standard output (`json` is
    /// `-`): the library never prints, the caller does.
    pub stdout_json: Option<String>,
    /// What the run did besides converting, for the console, in Chinese: a killed run's
    /// outputs finished or its temporary files removed, a feedback workbook renamed so as
    /// not to replace another file.
    pub notes: Vec<String>,
}

/// Runs a conversion; `on_file` is called as each file is read (for progress).
///
/// The outputs (workbook, JSON, CSV files) are written as one set: each to a temporary
/// file, all renamed into place only when every one was written, so a failure (a full
/// disk) leaves the earlier outputs as they were and no temporary file behind.
///
/// It fails ([`Error`]) before reading anything when two outputs name one file or an
/// output would overwrite an input or a file jixiao did not write; a file that cannot be
/// read does not fail the run but becomes a failed [`Input`] with a finding.
///
/// # Example
///
/// Converting the four sample forms into a workbook and a JSON document:
///
/// ```
/// use jixiao::convert::{Request, run};
///
/// let out = tempfile::tempdir()?;
/// let req = Request {
///     inputs: vec!["samples/2023".into()],
///     output: out.path().join("汇总.xlsx"),
///     json: Some(out.path().join("汇总.json")),
///     ..Default::default()
/// };
/// let done = run(&req, |_, _| {})?;
/// let forms = &done.batch.forms;
/// assert_eq!(forms.len(), 4);
/// assert_eq!(forms[0].id, "P0001");
/// assert_eq!(
///     forms[0].name.value.as_deref(),
///     Some("村和社区戒毒康复工作站、禁毒协会工作经费")
/// );
/// assert_eq!(forms[3].computed_total, Some(89.into()));
/// assert!(out.path().join("汇总.xlsx").is_file());
/// assert!(out.path().join("汇总.json").is_file());
/// // Converting again replaces jixiao's own earlier outputs; two outputs at one path
/// // are refused before anything is read.
/// run(&req, |_, _| {})?;
/// let clash = Request {
///     json: Some(req.output.clone()),
///     ..req
/// };
/// let err = run(&clash, |_, _| {}).unwrap_err();
/// assert!(matches!(err, jixiao::Error::DuplicateOutput { first: "-o", second: "--json", .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(req: &Request, on_file: impl Fn(&Input, &[Form]) + Sync) -> Result<Converted> {
    let outputs = outputs(req);
    distinct(&outputs)?;
    let mut notes = write::disk::sweep(&output_dirs(req));
    let found = batch::discover(&req.inputs)?;
    let inputs = own::Inputs::new(found.iter().map(|f| f.path.as_path()));
    for (option, path) in &outputs {
        // The CSV folder may exist; its files are replaced when they are jixiao's.
        let csv_own = *option == "--csv"
            && (req.csv.as_ref() == Some(path) && path.is_dir() || write::csv::is_own(path));
        if !csv_own {
            own::check_output_in(&inputs, path)?;
        }
    }
    for (option, path) in outputs
        .iter()
        .filter(|(o, _)| matches!(*o, "-o" | "--json"))
    {
        own::check_output_dir(option, path)?;
    }
    let files = found.iter().filter(|f| f.is_read()).count();
    let shape = req.shape();
    let mut b = batch::read_found_with(&found, &shape.read_options(files), on_file);
    // Counted once read (a workbook may hold several forms, or none), before anything
    // is written.
    shape.form_sheets_fit(b.forms.len())?;
    if b.forms.is_empty() && req.nothing_without_forms {
        return Ok(Converted {
            batch: b,
            stdout_json: None,
            notes,
        });
    }
    let (wopts, sheets) = shape.prepare(&mut b);
    let mut set = write::OutputSet::default();
    let plan = req.feedback.as_ref().map(|dir| {
        // A department's name is the clerk's text: its file may meet another output, an
        // input or a stranger's file. It is renamed then, never refused after the read.
        let taken: std::collections::HashMap<PathBuf, &str> = outputs
            .iter()
            .map(|(o, p)| (same_file_key(p), *o))
            .collect();
        let plan = write::feedback::plan(&b, dir, |p| {
            if let Some(o) = taken.get(&same_file_key(p)) {
                return Some(format!("是 {o} 的输出"));
            }
            match own::check_output_in(&inputs, p) {
                Ok(()) => None,
                Err(Error::OutputIsInput { .. }) => Some("是一个输入文件".into()),
                Err(Error::OutputIsFolder { .. }) => Some("是一个文件夹".into()),
                Err(_) => Some("是一个已有的其他文件".into()),
            }
        });
        for r in &plan.renamed {
            notes.push(format!(
                "反馈工作簿 {} 已改名为 {}：原名的文件{}，不能覆盖",
                r.wanted.display(),
                r.got
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                r.why
            ));
        }
        (dir, plan.files)
    });
    // The departments' feedback workbooks in the same set as the other outputs, each on
    // its own task beside them.
    let feedback = plan.as_ref().map(|(_, files)| {
        write::workbook::Feedback::new(&b, files.iter().map(|(_, forms)| forms.as_slice()))
    });
    // The workbook, the JSON and each CSV file are written side by side, each on its own
    // task; the JSON is streamed to its file, never held whole.
    let mut jobs: Vec<write::disk::Job> = vec![(
        req.output.clone(),
        Box::new(|f: &mut std::fs::File| write::workbook_into(f, &b, &wopts, sheets)),
    )];
    let mut stdout_doc = None;
    if let Some(j) = &req.json {
        if j.as_os_str() == "-" {
            stdout_doc = Some(write::json::to_json(&b)?);
        } else {
            jobs.push((
                j.clone(),
                Box::new(|f: &mut std::fs::File| Ok(write::json::write_json(&b, f)?)),
            ));
        }
    }
    if let Some(dir) = &req.csv {
        set.create_dir(dir)?;
        jobs.extend(write::csv::jobs(&b, dir));
    }
    if let (Some((dir, files)), Some(feedback)) = (&plan, &feedback) {
        set.create_dir(dir)?;
        jobs.extend(write::feedback::jobs(feedback, files, &req.letterhead));
    }
    set.stage_all(jobs)?;
    set.commit()?;
    Ok(Converted {
        batch: b,
        stdout_json: stdout_doc,
        notes,
    })
}

impl Request {
    fn shape(&self) -> Shape {
        Shape {
            form_sheets: self.form_sheets,
            form_sheets_max: self.form_sheets_max,
            limits: self.limits,
            feedback: self.feedback.is_some(),
            letterhead: self.letterhead.clone(),
            profile: std::sync::Arc::clone(&self.profile),
        }
    }
}

/// What a conversion reads and writes, wherever its files come from and go: the part of a
/// [`Request`] that is not a path, and all of a [`run_bytes`] request.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Per-form sheets: as chosen, else up to `form_sheets_max` forms.
    pub form_sheets: Option<bool>,
    /// Up to how many forms the per-form sheets are written by default (`None`:
    /// [`write::workbook::FORM_SHEETS_DEFAULT_MAX`]).
    pub form_sheets_max: Option<usize>,
    /// Limits on what one file may hold.
    pub limits: Limits,
    /// Write one feedback workbook per 主管部门.
    pub feedback: bool,
    /// The clerk's 编制单位, dates and contact for the papers.
    pub letterhead: write::workbook::Letterhead,
    /// The scoring profile (评分口径) of the 建议得分 and 等级.
    pub profile: std::sync::Arc<crate::profile::Profile>,
}

impl Shape {
    /// Refuses `--form-sheets` for more than [`write::workbook::FORM_SHEETS_MAX`] forms.
    pub fn form_sheets_fit(&self, count: usize) -> Result<()> {
        let max = write::workbook::FORM_SHEETS_MAX;
        if self.form_sheets == Some(true) && count > max {
            return Err(Error::TooManyFormSheets { count, max });
        }
        Ok(())
    }

    fn want_form_sheets(&self, count: usize) -> bool {
        let max = self
            .form_sheets_max
            .unwrap_or(write::workbook::FORM_SHEETS_DEFAULT_MAX);
        self.form_sheets.unwrap_or(count <= max)
    }

    /// How to read `files` files (the number to be read): keeping each form's source
    /// cells when its sheets or a feedback workbook (every form's 清洗 sheet) will show
    /// them.
    pub fn read_options(&self, files: usize) -> Options {
        Options {
            keep_source: self.want_form_sheets(files) || self.feedback,
            pack: true,
            limits: self.limits,
            profile: std::sync::Arc::clone(&self.profile),
        }
    }

    /// The workbook's options for the batch read, and its form sheets built
    /// ([`prepare_form_sheets`]).
    fn prepare(&self, b: &mut Batch) -> (write::workbook::Options, write::workbook::Prepared) {
        let wopts = write::workbook::Options {
            form_sheets: self.want_form_sheets(b.forms.len()),
            letterhead: self.letterhead.clone(),
            ..Default::default()
        };
        let sheets = prepare_form_sheets(b, &wopts);
        (wopts, sheets)
    }
}

/// What [`run_bytes`] produced: the batch and every output's bytes.
#[derive(Debug)]
pub struct Outputs {
    /// Every input and every form read, with their findings. The forms' indicators are
    /// packed as the run kept them: read them with [`crate::model::Indicators::load`].
    pub batch: Batch,
    /// The consolidated workbook (汇总.xlsx).
    pub workbook: Vec<u8>,
    /// One feedback workbook per 主管部门 when asked for: its file name (`部门.xlsx`) and
    /// bytes, named as [`write::feedback::plan`] names them in a folder of their own.
    pub feedback: Vec<(String, Vec<u8>)>,
    /// The JSON document ([`write::json::to_json`]).
    pub json: String,
}

/// [`run`] with no file system: files given by name and bytes ([`batch::named`]: the
/// path below a dropped folder, `/`-separated, or a bare name), outputs returned as bytes.
/// The same reading, rules and writers as [`run`]; `on_file` is called as each file is
/// read. This is what the page (`web/`) runs.
///
/// # Example
///
/// ```
/// use jixiao::convert::{Shape, run_bytes};
///
/// let name = "2023/1.xlsx".to_string();
/// let files = vec![(name, std::fs::read("samples/2023/1.xlsx")?)];
/// let shape = Shape { feedback: true, ..Default::default() };
/// let out = run_bytes(&files, &shape, |_, _| {})?;
/// assert_eq!(out.batch.forms.len(), 1);
/// // Shown as `jixiao convert 2023` shows it: below the folder dropped.
/// assert_eq!(out.batch.inputs[0].shown, "1.xlsx");
/// assert!(out.workbook.starts_with(b"PK"));
/// assert_eq!(out.feedback[0].0, "靖州县禁毒办.xlsx");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_bytes(
    files: &[(String, Vec<u8>)],
    shape: &Shape,
    on_file: impl Fn(&Input, &[Form]) + Sync,
) -> Result<Outputs> {
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let reading = batch::named(&names)
        .iter()
        .filter(|(_, f)| f.is_read())
        .count();
    let b = batch::read_named_with(files, &shape.read_options(reading), on_file);
    write_bytes(b, shape)
}

/// The writing half of [`run_bytes`], for a batch read file by file
/// ([`batch::read_named`], [`batch::assemble`]): the workbook, the feedback workbooks
/// (when `shape.feedback`) and the JSON document, as bytes.
pub fn write_bytes(mut b: Batch, shape: &Shape) -> Result<Outputs> {
    shape.form_sheets_fit(b.forms.len())?;
    let (wopts, sheets) = shape.prepare(&mut b);
    let mut workbook = std::io::Cursor::new(Vec::new());
    write::workbook::write_prepared(&b, &wopts, sheets, &mut workbook).map_err(Error::Workbook)?;
    let mut feedback = Vec::new();
    if shape.feedback {
        // No folder: nothing is in the way of a department's name.
        let files = write::feedback::plan(&b, Path::new(""), |_| None).files;
        let built = write::workbook::Feedback::new(&b, files.iter().map(|(_, f)| f.as_slice()))
            .write_all(&shape.letterhead);
        for ((path, _), bytes) in files.iter().zip(built) {
            let bytes = bytes.map_err(Error::FeedbackWorkbook)?;
            feedback.push((path.to_string_lossy().into_owned(), bytes));
        }
    }
    let json = write::json::to_json(&b)?;
    Ok(Outputs {
        workbook: workbook.into_inner(),
        feedback,
        json,
        batch: b,
    })
}

/// The folders a request writes into (where a killed run may have left files).
fn output_dirs(req: &Request) -> Vec<&Path> {
    fn parent(p: &Path) -> Option<&Path> {
        let d = p.parent()?;
        Some(if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        })
    }
    let mut dirs: Vec<&Path> = parent(&req.output).into_iter().collect();
    dirs.extend(
        req.json
            .as_deref()
            .filter(|j| j.as_os_str() != "-")
            .and_then(parent),
    );
    dirs.extend(req.csv.as_deref());
    dirs.extend(req.feedback.as_deref());
    dirs
}

/// Builds the form sheets ahead of the workbook ([`write::workbook::form_sheets`]) and
/// records, before anything is written, each form whose sheets cannot be built (a writer
/// error, a limit, a panic): it loses them and nothing else, and gets an E001 finding
/// naming it and why, so 问题清单 and the JSON say so; nothing links to them.
pub fn prepare_form_sheets(
    batch: &mut Batch,
    opts: &write::workbook::Options,
) -> write::workbook::Prepared {
    let prepared = write::workbook::form_sheets(batch, opts);
    for (i, why) in prepared.failed() {
        let form = &mut batch.forms[*i];
        let id: std::sync::Arc<str> = form.id.as_str().into();
        let at = crate::rules::At::sheet(&form.file, &form.sheet).project(Some(&id));
        let name = form.name.value.as_deref().unwrap_or("");
        let f = crate::rules::e001::form_sheets_unwritable(at, &form.id, name, why);
        form.findings.push(f);
    }
    prepared
}

/// Every path a request writes, with the option that names it.
fn outputs(req: &Request) -> Vec<(&'static str, PathBuf)> {
    let mut out = vec![("-o", req.output.clone())];
    if let Some(j) = req.json.as_ref().filter(|j| j.as_os_str() != "-") {
        out.push(("--json", j.clone()));
    }
    if let Some(dir) = &req.csv {
        out.push(("--csv", dir.clone()));
        out.extend(write::csv::paths(dir).into_iter().map(|p| ("--csv", p)));
    }
    out
}

/// Refuses two outputs at one path (`-o X --json X`): one would overwrite the other.
fn distinct(outputs: &[(&'static str, PathBuf)]) -> Result<()> {
    let keys: Vec<PathBuf> = outputs.iter().map(|(_, p)| same_file_key(p)).collect();
    for (i, a) in keys.iter().enumerate() {
        if let Some(j) = keys[..i].iter().position(|b| b == a) {
            let ((o1, p1), (o2, _)) = (&outputs[j], &outputs[i]);
            return Err(Error::DuplicateOutput {
                first: o1,
                second: o2,
                path: p1.clone(),
            });
        }
    }
    Ok(())
}

/// A path as the file it names: absolute, its folder resolved where it exists (so `./a`
/// and `a`, or a link to the folder, are one file), case-folded where file systems
/// usually ignore case.
fn same_file_key(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let key = match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .unwrap_or_else(|_| lexical(dir))
            .join(name),
        _ => lexical(&abs),
    };
    if cfg!(any(windows, target_os = "macos")) {
        PathBuf::from(key.to_string_lossy().to_lowercase())
    } else {
        key
    }
}

/// `a/./b/../c` → `a/c`, without asking the file system.
fn lexical(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_sheets_are_refused_past_the_most_a_workbook_can_hold() {
        let max = write::workbook::FORM_SHEETS_MAX;
        let forced = Shape {
            form_sheets: Some(true),
            ..Default::default()
        };
        assert!(forced.form_sheets_fit(max).is_ok());
        let err = forced.form_sheets_fit(max + 1).unwrap_err();
        assert!(matches!(err, Error::TooManyFormSheets { count, .. } if count == max + 1));
        assert!(
            err.to_string()
                .contains(&format!("{} 个工作表", 2 * (max + 1)))
        );
        // By default there are none past 50 forms: nothing to refuse.
        assert!(Shape::default().form_sheets_fit(10 * max).is_ok());
        let b = Batch {
            forms: vec![Form::default(); max + 1],
            ..Default::default()
        };
        assert!(matches!(
            write_bytes(b, &forced),
            Err(Error::TooManyFormSheets { .. })
        ));
    }

    fn req(output: &str, json: Option<&str>, csv: Option<&str>) -> Request {
        Request {
            inputs: vec!["samples/2023".into()],
            output: output.into(),
            json: json.map(Into::into),
            csv: csv.map(Into::into),
            ..Default::default()
        }
    }

    fn refusal(r: &Request) -> Option<String> {
        distinct(&outputs(r)).err().map(|e| e.to_string())
    }

    #[test]
    fn outputs_must_be_distinct() {
        let msg = |a: &str, b: &str, p: &str| {
            Some(format!(
                "输出路径重复：{a} 与 {b} 指向同一位置 {p}，请为每个输出指定不同的路径（each output needs its own path）"
            ))
        };
        assert_eq!(
            refusal(&req("x", Some("x"), None)),
            msg("-o", "--json", "x")
        );
        assert_eq!(
            refusal(&req("./out/x", Some("out/../out/x"), None)),
            msg("-o", "--json", "./out/x")
        );
        assert_eq!(
            refusal(&req("d/汇总.csv", None, Some("d"))),
            msg("-o", "--csv", "d/汇总.csv")
        );
        assert_eq!(refusal(&req("d", None, Some("d"))), msg("-o", "--csv", "d"));
        assert_eq!(refusal(&req("x", Some("-"), Some("c"))), None);
        assert_eq!(refusal(&req("x", Some("y"), Some("c"))), None);
    }
}
