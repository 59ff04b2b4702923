//! The benchmark harness (`cargo run --release --example bench -- N`), shared with the
//! test that checks it runs.
//!
//! It generates N workbooks from the seed forms, then in one process times:
//! (a) the floor: calamine opening each file and reading every sheet's cells and merged
//!     regions, in parallel on all cores, nothing else;
//! (b) convert: jixiao reading, checking and writing the consolidated workbook.
//! and reports both with their ratio and the peak resident memory of each phase.

// Relative to this folder, so it resolves both from examples/bench.rs and tests/scale.rs.
#[path = "../common/seed.rs"]
mod seed;

use jixiao::template::layout::{Placement, deterministic_workbook, setup_sheet, write_form};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
                write_form(ws, &seed::variant(i), &Placement::default()).unwrap();
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

/// Times `f` `runs` times and returns the median duration and the last result.
pub fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        drop(last.take()); // the previous result is freed before the clock starts
        let t = Instant::now();
        let v = f();
        times.push(t.elapsed());
        last = Some(v);
    }
    times.sort();
    (times[times.len() / 2], last.expect("ran at least once"))
}
