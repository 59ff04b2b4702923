//! One run over many inputs: discover files, read them in parallel, locate and extract
//! forms, number them, and collect what happened to each file.
//!
//! A file that cannot be read never stops the others: its failure becomes an [`Input`]
//! with a reason and a finding with its code.

use crate::extract::extract;
use crate::grid::Grid;
use crate::locate::locate;
use crate::model::{Batch, Finding, Form, Input, Status};
use crate::read::{Limits, ReadError, read_bytes};
use crate::rules;
use anyhow::{Context, Result};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The text jixiao writes in cell A1 of its own 说明 sheet; a workbook carrying it is one of
/// jixiao's outputs and is never read as input.
pub const OUTPUT_MARKER: &str = "jixiao 汇总输出";

/// Spreadsheet extensions read when walking a folder. WPS's `.et`/`.ett` are read when their
/// bytes are a format jixiao reads (WPS often saves xlsx or xls under them) and skipped
/// otherwise.
pub const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods", "xlsb", "et", "ett"];

/// A WPS spreadsheet by its name (`.et`, `.ett`).
fn is_wps(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("et") || e.eq_ignore_ascii_case("ett"))
}

/// A file found among the inputs, with what to do with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub path: PathBuf,
    /// `Some(reason)` when the file is skipped without reading.
    pub skip: Option<String>,
}

/// Walks the inputs in a stable order. Files named directly are always read; in folders,
/// lock files (`~$`), hidden files and other extensions are listed as skipped.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .with_context(|| format!("无法访问输入 {}", input.display()))?;
        if meta.is_file() {
            out.push(Found {
                path: input.clone(),
                skip: skip_reason(input, true),
            });
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
        for entry in walker {
            let entry = entry.with_context(|| format!("无法遍历文件夹 {}", input.display()))?;
            if entry.file_type().is_file() {
                let path = entry.into_path();
                let skip = skip_reason(&path, false);
                out.push(Found { path, skip });
            }
        }
    }
    Ok(out)
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

fn skip_reason(p: &Path, named: bool) -> Option<String> {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("~$") {
        return Some("Excel 锁定文件（~$），已跳过".into());
    }
    if named {
        return None;
    }
    if name.starts_with('.') {
        return Some("隐藏文件，已跳过".into());
    }
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    (!EXTENSIONS.contains(&ext.as_str())).then(|| format!("不是表格文件（扩展名 .{ext}），已跳过"))
}

/// Options of one run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
    /// Keep each form's original cells (for the 原表/清洗 sheets).
    pub keep_source: bool,
}

/// Reads every input and returns the batch, forms numbered `P0001`… in input order.
pub fn run(inputs: &[PathBuf], opts: &Options) -> Result<Batch> {
    let found = discover(inputs)?;
    Ok(read_found(&found, opts))
}

/// What reading one file gave.
struct FileResult {
    input: Input,
    forms: Vec<Form>,
    findings: Vec<Finding>,
}

/// Reads found files in parallel and assembles the batch in their order.
pub fn read_found(found: &[Found], opts: &Options) -> Batch {
    read_found_with(found, opts, |_, _| {})
}

/// As [`read_found`], calling `on_file` as each file is done (from worker threads, in
/// any order) with its outcome and forms: for progress reporting.
pub fn read_found_with(
    found: &[Found],
    opts: &Options,
    on_file: impl Fn(&Input, &[Form]) + Sync,
) -> Batch {
    let results: Vec<FileResult> = found
        .par_iter()
        .map(|f| {
            let r = read_one(f, opts);
            on_file(&r.input, &r.forms);
            r
        })
        .collect();
    let mut batch = Batch::default();
    batch
        .forms
        .reserve_exact(results.iter().map(|r| r.forms.len()).sum());
    for r in results {
        batch.inputs.push(r.input);
        batch.forms.extend(r.forms);
        batch.file_findings.extend(r.findings);
    }
    for (i, form) in batch.forms.iter_mut().enumerate() {
        form.id = format!("P{:04}", i + 1);
        let id: std::sync::Arc<str> = form.id.as_str().into();
        for f in &mut form.findings {
            f.project = Some(id.clone());
        }
        for c in &mut form.changes {
            c.project = Some(id.clone());
        }
    }
    rules::check(&mut batch);
    batch
}

/// Refuses an output path that already holds anything but jixiao's own earlier output:
/// jixiao never overwrites an input or any other file. An earlier output (recognized by its
/// content, [`is_own_output_file`], not by its name) may be replaced; when it lies inside an
/// input folder it is skipped as an input, so it is never consolidated into itself.
pub fn check_output(found: &[Found], output: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(output) else {
        return Ok(()); // does not exist yet, so it is no input
    };
    if meta.is_dir() {
        anyhow::bail!(
            "输出路径 {} 是一个文件夹（output is a folder）",
            output.display()
        );
    }
    if is_own_output_file(output) {
        return Ok(());
    }
    let out = output
        .canonicalize()
        .unwrap_or_else(|_| output.to_path_buf());
    if found
        .iter()
        .any(|f| f.path.canonicalize().is_ok_and(|p| p == out))
    {
        anyhow::bail!(
            "输出文件 {} 是输入文件之一，拒绝覆盖（output would overwrite an input）",
            output.display()
        );
    }
    anyhow::bail!(
        "输出文件 {} 已存在，且不是 jixiao 生成的汇总，拒绝覆盖；请换一个文件名或先移走它\n\
         （output exists and is not a jixiao output; refusing to overwrite it）",
        output.display()
    )
}

/// Whether the file at `path` is an output jixiao wrote: a workbook whose 说明 sheet starts
/// with [`OUTPUT_MARKER`], or a JSON document of `--json` (its `tool` is jixiao). Only the
/// 说明 sheet (or the JSON's first bytes) is read.
pub fn is_own_output_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    if head.starts_with(b"{") {
        let text = String::from_utf8_lossy(head);
        let squeezed: String = text.split_whitespace().collect();
        return squeezed.starts_with(r#"{"tool":{"name":"jixiao""#);
    }
    if !head.starts_with(b"PK\x03\x04") {
        return false;
    }
    use calamine::Reader;
    let Ok(mut wb) = calamine::open_workbook::<calamine::Xlsx<_>, _>(path) else {
        return false;
    };
    if !wb.sheet_names().iter().any(|n| n == "说明") {
        return false;
    }
    wb.worksheet_range("说明").is_ok_and(|r| {
        r.get_value((0, 0))
            .is_some_and(|v| v.to_string().starts_with(OUTPUT_MARKER))
    })
}

/// Whether a run should exit 1: an input failed, or a finding reached `threshold`.
pub fn should_fail(batch: &Batch, threshold: Option<crate::model::Severity>) -> bool {
    batch.inputs.iter().any(|i| i.status == Status::Failed)
        || threshold.is_some_and(|t| batch.findings().any(|f| f.severity >= t))
}

/// The path as outputs show it: as given, with `/` separators.
pub fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn read_one(found: &Found, opts: &Options) -> FileResult {
    let path = display_path(&found.path);
    let mut input = Input {
        path: path.clone(),
        sha256: None,
        status: Status::Skipped,
        reason: found.skip.clone(),
        forms: 0,
    };
    let res = |input: Input, forms, findings| FileResult {
        input,
        forms,
        findings,
    };
    if found.skip.is_some() {
        return res(input, Vec::new(), Vec::new());
    }
    let fail = |mut input: Input, e: ReadError| {
        input.status = Status::Failed;
        input.reason = Some(e.to_string());
        let finding = file_finding(e.code, &input.path, e.reason);
        FileResult {
            input,
            forms: Vec::new(),
            findings: vec![finding],
        }
    };
    let size = std::fs::metadata(&found.path).map(|m| m.len()).unwrap_or(0);
    if size > opts.limits.max_file_bytes {
        let e = ReadError {
            code: "E001",
            reason: format!(
                "文件过大（{size} 字节，上限 {} 字节）",
                opts.limits.max_file_bytes
            ),
        };
        return fail(input, e);
    }
    let bytes = match std::fs::read(&found.path) {
        Ok(b) => b,
        Err(e) => {
            let e = ReadError {
                code: "E001",
                reason: format!("无法读取文件（{e}）"),
            };
            return fail(input, e);
        }
    };
    input.sha256 = Some(hex(&Sha256::digest(&bytes)));
    if is_wps(&found.path) && crate::read::sniff(&bytes, &found.path).is_none() {
        input.reason = Some(
            "WPS 表格专有格式（.et），无法读取，已跳过；请在 WPS 中另存为 .xlsx 后重新运行".into(),
        );
        return res(input, Vec::new(), Vec::new());
    }
    let grids = match read_bytes(&bytes, &found.path, &opts.limits) {
        Ok(g) => g,
        Err(e) => return fail(input, e),
    };
    if is_own_output(&grids) {
        input.reason = Some("jixiao 生成的汇总工作簿，不作为输入，已跳过".into());
        return res(input, Vec::new(), Vec::new());
    }
    input.status = Status::Ok;
    let mut forms = forms_in(&grids, &path);
    if opts.keep_source {
        for f in &mut forms {
            if let Some(g) = grids.iter().find(|g| *g.sheet == *f.sheet) {
                f.source = Some(std::sync::Arc::new(crate::model::Source::cut(g, f.rows)));
            }
        }
    }
    input.forms = forms.len();
    let mut findings = Vec::new();
    for g in grids.iter().filter(|g| !g.dropped.is_empty()) {
        let shown: Vec<String> = g.dropped.iter().take(5).map(|p| p.to_string()).collect();
        let more = if g.dropped.len() > 5 { "等" } else { "" };
        findings.push(file_finding(
            "E001",
            &path,
            format!(
                "工作表“{}”有 {} 个单元格超出 Excel 的范围（XFD 列、第 1,048,576 行之后），已忽略：{}{more}",
                g.sheet,
                g.dropped.len(),
                shown.join("、")
            ),
        ));
    }
    if forms.is_empty() {
        let msg = "工作簿中没有找到项目支出绩效自评表（未见“项目名称”等标签）".to_string();
        input.reason = Some(format!("{msg} [E003]"));
        findings.push(file_finding("E003", &path, msg));
    }
    res(input, forms, findings)
}

/// Every form in every sheet of a workbook, in sheet order then top to bottom.
pub fn forms_in(grids: &[Grid], file: &str) -> Vec<Form> {
    grids
        .iter()
        .flat_map(|g| locate(g).into_iter().map(move |l| extract(g, &l, file)))
        .collect()
}

fn is_own_output(grids: &[Grid]) -> bool {
    grids.iter().any(|g| {
        g.sheet == "说明"
            && g.get(crate::grid::Pos::new(0, 0))
                .display()
                .starts_with(OUTPUT_MARKER)
    })
}

fn file_finding(code: &'static str, path: &str, message: String) -> Finding {
    Finding::new(code, &path.into(), None, None, message)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook(path: &Path, rows: &[&[&str]]) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        wb.save(path).unwrap();
    }

    #[test]
    fn an_unrelated_table_is_e003_and_others_still_read() {
        let dir = tempfile::tempdir().unwrap();
        workbook(
            &dir.path().join("a.xlsx"),
            &[&["姓名", "工资"], &["张三", "5000"]],
        );
        std::fs::write(dir.path().join("b.xlsx"), b"not a zip").unwrap();
        std::fs::write(dir.path().join("~$c.xlsx"), b"lock").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"hi").unwrap();
        let b = run(&[dir.path().to_path_buf()], &Options::default()).unwrap();
        let status: Vec<(String, Status)> = b
            .inputs
            .iter()
            .map(|i| (i.path.rsplit('/').next().unwrap().to_string(), i.status))
            .collect();
        assert_eq!(
            status,
            [
                ("a.xlsx".to_string(), Status::Ok),
                ("b.xlsx".to_string(), Status::Failed),
                ("notes.txt".to_string(), Status::Skipped),
                ("~$c.xlsx".to_string(), Status::Skipped),
            ]
        );
        let codes: Vec<&str> = b.file_findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["E003", "E001"]);
        assert!(
            b.file_findings[1]
                .message
                .contains("文件已损坏或不是表格文件")
        );
    }

    #[test]
    fn a_workbook_with_a_form_has_no_e003() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.xlsx");
        std::fs::write(&p, crate::template::blank(Some(2023)).unwrap()).unwrap();
        let b = run(&[p], &Options::default()).unwrap();
        assert_eq!(b.forms.len(), 1);
        assert!(b.file_findings.is_empty());
    }
}
