//! The benchmark harness (`cargo run --release --example bench -- N`), shared with the
//! test that checks it runs.
//!
//! It generates N workbooks from the seed forms ([`generate`], [`form`]) and has what the
//! benchmark times: the raw inflate floor ([`inflate_floor`]), the calamine floor
//! ([`floor`]) and jixiao's conversion ([`convert`]), and the peak resident memory of a
//! phase ([`reset_peak`], [`peak_rss_mb`]).

// Relative to this folder, so it resolves both from examples/bench.rs and tests/scale.rs.
#[path = "../common/seed.rs"]
mod seed;

use jixiao::template::layout::{Placement, deterministic_workbook, setup_sheet, write_form};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// How many forms one 主管部门 sends, in the generated files: a province's year is many
/// departments of a few forms each, and `--feedback` writes one workbook per department.
pub const FORMS_PER_DEPARTMENT: usize = 20;

/// The generated form `i`: one of the four seed forms, its name numbered, its amounts
/// varied, its 主管部门 one of N/20 and its indicator names that department's own (so the
/// rules that compare departments, C011 and C012, see departments as they are, not one
/// text copied across all of them).
pub fn form(i: usize) -> jixiao::template::layout::FormSpec {
    let mut f = seed::variant(i);
    let d = i / FORMS_PER_DEPARTMENT + 1;
    f.department = format!("{}（{d}）", f.department);
    for b in &mut f.blocks {
        for c in &mut b.cells {
            if c.col == jixiao::template::layout::Col::Name && !c.text.trim().is_empty() {
                c.text = format!("{}（{d}）", c.text.trim_end());
            }
        }
    }
    f
}

/// Writes N varied workbooks into `dir` (skipped when already there).
pub fn generate(dir: &Path, n: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (0..n)
        .into_par_iter()
        .map(|i| {
            let path = dir.join(format!("{:06}.xlsx", i + 1));
            if !path.exists() {
                let mut wb = deterministic_workbook();
                let ws = wb.add_worksheet();
                ws.set_name("Sheet1").unwrap();
                setup_sheet(ws, 0).unwrap();
                write_form(ws, &form(i), &Placement::default()).unwrap();
                wb.save(&path).unwrap();
            }
            path
        })
        .collect()
}

/// The floor: open each file with calamine and read every sheet's cells and merges.
/// Returns the number of non-empty cells seen, so the work cannot be optimized away.
pub fn floor(files: &[PathBuf]) -> usize {
    use calamine::{Reader, Xlsx, open_workbook};
    files
        .par_iter()
        .map(|p| {
            let mut wb: Xlsx<_> = open_workbook(p).unwrap();
            let mut n = 0;
            for name in wb.sheet_names() {
                let r = wb.worksheet_range(&name).unwrap();
                n += r.used_cells().count();
                n += wb.merge_cells_by_sheet_name(&name).unwrap().len();
            }
            n
        })
        .sum()
}

/// The raw floor: every part of every file inflated, nothing parsed. No reader of the
/// XML can be faster than this.
pub fn inflate_floor(files: &[PathBuf]) -> usize {
    use std::io::Read;
    files
        .par_iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut n = 0;
            let mut buf = Vec::new();
            for i in 0..zip.len() {
                buf.clear();
                n += zip.by_index(i).unwrap().read_to_end(&mut buf).unwrap();
            }
            n
        })
        .sum()
}

/// What convert produced.
pub struct Converted {
    pub forms: usize,
    pub indicators: usize,
    pub findings: usize,
    /// Kept so it is freed after the clock stops: the command line exits without
    /// freeing it (src/main.rs), so freeing is not part of what a user waits for.
    pub batch: jixiao::model::Batch,
}

/// jixiao convert, in process, exactly as the command line runs it.
pub fn convert(files: &[PathBuf], out: &Path) -> Converted {
    let req = jixiao::convert::Request {
        inputs: files.to_vec(),
        output: out.to_path_buf(),
        ..Default::default()
    };
    let b = jixiao::convert::run(&req, |_, _| {}).unwrap().batch;
    Converted {
        forms: b.forms.len(),
        indicators: b.forms.iter().map(|f| f.indicators.len()).sum(),
        findings: b.findings().count(),
        batch: b,
    }
}

/// Peak resident memory since the last reset, in MB (Linux; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resets the peak so the next phase measures its own (Linux `clear_refs`).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
