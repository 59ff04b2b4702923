//! `convert` as one call: discover, refuse outputs over inputs, read (keeping sources for
//! the form sheets when they will be written), write the workbook and the side outputs.
//! The command line and the benchmark both run exactly this.

use crate::batch::{self, Options};
use crate::model::{Batch, Form, Input};
use crate::read::Limits;
use crate::write;
use anyhow::Result;
use std::path::{Path, PathBuf};

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
    /// Write nothing when no form was found (drop-a-folder mode says so instead).
    pub nothing_without_forms: bool,
}

/// Runs a conversion; `on_file` is called as each file is read (for progress).
///
/// The outputs (workbook, JSON, CSV files) are written as one set: each to a temporary
/// file, all renamed into place only when every one was written, so a failure (a full
/// disk) leaves the earlier outputs as they were and no temporary file behind.
pub fn run(req: &Request, on_file: impl Fn(&Input, &[Form]) + Sync) -> Result<Batch> {
    let outputs = outputs(req);
    distinct(&outputs)?;
    let found = batch::discover(&req.inputs)?;
    for (_, path) in &outputs {
        batch::check_output(&found, path)?;
    }
    let files = found.iter().filter(|f| f.is_read()).count();
    let opts = Options {
        // The feedback workbooks show every form's 清洗 sheet.
        keep_source: write::workbook::want_form_sheets(req.form_sheets, files)
            || req.feedback.is_some(),
        limits: req.limits,
    };
    let mut b = batch::read_found_with(&found, &opts, on_file);
    if b.forms.is_empty() && req.nothing_without_forms {
        return Ok(b);
    }
    let wopts = write::workbook::Options {
        form_sheets: write::workbook::want_form_sheets(req.form_sheets, b.forms.len()),
        ..Default::default()
    };
    let sheets = write::workbook::prepare_form_sheets(&mut b, &wopts);
    let mut set = write::OutputSet::default();
    write::stage_workbook(&mut set, &req.output, &b, &wopts, sheets)?;
    let mut stdout_doc = None;
    if let Some(j) = &req.json {
        let doc = write::json::to_json(&b);
        if j.as_os_str() == "-" {
            stdout_doc = Some(doc);
        } else {
            set.stage(j, doc.as_bytes())?;
        }
    }
    if let Some(dir) = &req.csv {
        write::csv::stage_dir(&b, dir, &mut set)?;
    }
    if let Some(dir) = &req.feedback {
        let files = write::feedback::plan(&b, dir);
        for (path, _) in &files {
            batch::check_output(&found, path)?;
        }
        write::feedback::stage_dir(&b, &files, dir, &mut set)?;
    }
    set.commit()?;
    if let Some(doc) = stdout_doc {
        print!("{doc}");
    }
    Ok(b)
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
            anyhow::bail!(
                "输出路径重复：{o1} 与 {o2} 指向同一位置 {}，请为每个输出指定不同的路径（each output needs its own path）",
                p1.display()
            );
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
