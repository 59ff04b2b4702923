//! jixiao's own files, recognized in one place: the marks its outputs carry, how a file
//! or a sheet is known as one of them (by its content, never by its name), and the rule
//! that jixiao never overwrites anything but its own earlier output.
//!
//! Two kinds of workbook are jixiao's:
//! - the consolidated workbook (`convert -o`): its 说明 sheet starts with [`OUTPUT_MARKER`];
//!   it is never read as input (a batch skips it, [`SKIPPED_OWN_OUTPUT`]) and may be
//!   replaced by a later run;
//! - a feedback workbook (`convert --feedback`): its 说明 sheet starts with
//!   [`FEEDBACK_MARKER`]; a department may correct its forms in the 清洗 sheets and send it
//!   back, so it is read as input ([`feedback_forms`]) and replaced only when it is not
//!   among the inputs of the run.
//!
//! - the sample workbook (`jixiao sample -o 抽查.xlsx`): its 说明 sheet starts with
//!   [`SAMPLE_MARKER`]; reviewers fill its 复核底稿 sheets by hand and `jixiao review` reads
//!   it back. It is never read as forms (a batch skips it, [`SKIPPED_OWN_SAMPLE`]); a later
//!   `sample` replaces it only when no reviewer has written in it (the sampler asks), and
//!   `review` never writes over it;
//! - the review workbook (`jixiao review -o 复核结果.xlsx`): its 说明 sheet starts with
//!   [`REVIEW_MARKER`]; never read as forms, and replaced by a later run like the
//!   consolidated workbook.
//!
//! The JSON document of `--json` is jixiao's too (its `tool` is jixiao), and so are the
//! temporary files outputs are staged in ([`TEMP_PREFIX`]).
//!
//! Both the batch (which skips or reads these files) and the writers (which mark them)
//! import this module; it imports neither.

use crate::grid::{Grid, Pos, Value};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The text jixiao writes in cell A1 of its own 说明 sheet ([`OUTPUT_SHEET`]); a workbook
/// carrying it is one of jixiao's outputs and is never read as input.
pub const OUTPUT_MARKER: &str = "jixiao 汇总输出";

/// The text in A1 of the 说明 sheet of a `--feedback` workbook. Unlike [`OUTPUT_MARKER`] it
/// does not keep the workbook from being read: a department may correct its forms in the
/// 清洗 sheets and send the workbook back. It only lets a later run replace it.
pub const FEEDBACK_MARKER: &str = "jixiao 问题反馈";

/// The text in A1 of the 说明 sheet of a sample workbook (`jixiao sample`): a workbook the
/// reviewers fill by hand and `jixiao review` reads back; never read as forms.
pub const SAMPLE_MARKER: &str = "jixiao 抽查底稿";

/// The text in A1 of the 说明 sheet of a review workbook (`jixiao review`): never read as
/// forms, replaced by a later run.
pub const REVIEW_MARKER: &str = "jixiao 复核结果";

/// The sheet of jixiao's outputs that carries [`OUTPUT_MARKER`] or [`FEEDBACK_MARKER`].
pub const OUTPUT_SHEET: &str = "说明";

/// What a form's cleaned sheet is called after its number (`P01清洗 …`): the sheets of a
/// feedback workbook read back as forms.
pub const CLEANED: &str = "清洗";

/// The sheet a form sheet's link goes back to in a feedback workbook.
pub const BACK_TO_FINDINGS: &str = "问题清单";

/// Prefix and suffix of the temporary files outputs are staged in
/// (`.jixiao-XXXXXX.tmp`, [`crate::write::OutputSet`]): a walk leaves them out.
pub const TEMP_PREFIX: &str = ".jixiao-";
/// See [`TEMP_PREFIX`].
pub const TEMP_SUFFIX: &str = ".tmp";

/// Why a batch skips a workbook jixiao wrote (the input's reason).
pub const SKIPPED_OWN_OUTPUT: &str = "jixiao 生成的汇总工作簿，不作为输入，已跳过";

/// Why a batch skips a sample workbook ([`SAMPLE_MARKER`]).
pub const SKIPPED_OWN_SAMPLE: &str = "jixiao 生成的抽查底稿，不作为输入，已跳过";

/// Why a batch skips a review workbook ([`REVIEW_MARKER`]).
pub const SKIPPED_OWN_REVIEW: &str = "jixiao 生成的复核结果，不作为输入，已跳过";

/// The text of a form sheet's link back to `sheet` (`← 返回问题清单`).
pub fn back_link_text(sheet: &str) -> String {
    format!("← 返回{sheet}")
}

/// Whether a sheet is the 说明 sheet of a `--feedback` workbook ([`FEEDBACK_MARKER`]).
pub fn is_feedback_notes(g: &Grid) -> bool {
    g.sheet == OUTPUT_SHEET
        && g.get(Pos::new(0, 0))
            .display_cow()
            .starts_with(FEEDBACK_MARKER)
}

/// The most sheets a feedback workbook is read back with, when `g` is its 说明 sheet: its
/// 问题清单, 说明 and one 清洗 sheet per form of the department, for up to 20,000 forms
/// (more than the default cell limit holds). Other files keep the limit of 1,000 sheets.
pub fn feedback_sheets(g: &Grid) -> Option<u64> {
    is_feedback_notes(g).then_some(MAX_FEEDBACK_SHEETS)
}

/// See [`feedback_sheets`].
pub const MAX_FEEDBACK_SHEETS: u64 = 20_010;

/// How a batch reads a file's 说明 sheet first: jixiao's own outputs are read no further
/// ([`is_own_output_sheet`]); its feedback workbooks are read whole, with room for a sheet
/// per form ([`feedback_sheets`]).
pub fn early_sheet() -> crate::read::EarlySheet {
    crate::read::EarlySheet {
        name: OUTPUT_SHEET,
        stop: is_own_output_sheet,
        sheets: feedback_sheets,
    }
}

/// Whether a sheet is the 说明 sheet of a workbook jixiao wrote that is never read as
/// forms: the consolidated workbook, a sample workbook or a review workbook.
pub fn is_own_output_sheet(g: &Grid) -> bool {
    skip_reason_of(g).is_some()
}

/// Why a batch skips the workbook whose sheet `g` is, when it is the 说明 sheet of one of
/// jixiao's outputs that are never read as forms.
fn skip_reason_of(g: &Grid) -> Option<&'static str> {
    if g.sheet != OUTPUT_SHEET {
        return None;
    }
    let a1 = g.get(Pos::new(0, 0)).display_cow();
    [
        (OUTPUT_MARKER, SKIPPED_OWN_OUTPUT),
        (SAMPLE_MARKER, SKIPPED_OWN_SAMPLE),
        (REVIEW_MARKER, SKIPPED_OWN_REVIEW),
    ]
    .into_iter()
    .find(|(m, _)| a1.starts_with(m))
    .map(|(_, why)| why)
}

/// Whether a workbook's sheets are one of jixiao's outputs never read as forms (see
/// [`is_own_output_sheet`]).
pub fn is_own_output(grids: &[Grid]) -> bool {
    own_output_reason(grids).is_some()
}

/// Why a batch skips a workbook of jixiao's ([`SKIPPED_OWN_OUTPUT`], [`SKIPPED_OWN_SAMPLE`],
/// [`SKIPPED_OWN_REVIEW`]); `None` for any other workbook.
pub fn own_output_reason(grids: &[Grid]) -> Option<&'static str> {
    grids.iter().find_map(skip_reason_of)
}

/// Whether a sheet is the 说明 sheet of a sample workbook ([`SAMPLE_MARKER`]): what
/// `jixiao review` reads.
pub fn is_sample_notes(g: &Grid) -> bool {
    g.sheet == OUTPUT_SHEET
        && g.get(Pos::new(0, 0))
            .display_cow()
            .starts_with(SAMPLE_MARKER)
}

/// Whether an input's reason says it was skipped as jixiao's own output
/// ([`SKIPPED_OWN_OUTPUT`]). As desk.rs always asked: any reason naming jixiao, so a
/// link-loop reason whose folder is named jixiao counts too (comparing with
/// [`SKIPPED_OWN_OUTPUT`] would not; left for a change of behaviour of its own).
pub fn is_skipped_own_output(reason: &str) -> bool {
    reason.contains("jixiao")
}

/// Whether a file name is one of jixiao's temporary files ([`TEMP_PREFIX`]): a staged
/// output, or a run's lock, journal or set-aside earlier output ([`parse_own_name`]). A
/// walk leaves them out.
pub fn is_own_temp(name: &str) -> bool {
    (name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) || parse_own_name(name).is_some()
}

/// What one of a run's files is (see [`crate::write::disk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnPart {
    /// A staged output, `.jixiao-<run>-XXXXXX.tmp` (as a name: its prefix).
    Temp,
    /// The run's lock in a folder, `.jixiao-<run>.lock`.
    Lock,
    /// The run's journal of renames, `.jixiao-<run>.journal`.
    Journal,
    /// The earlier output `k` set aside while the run renames, `.jixiao-<run>-k.old`.
    Old(usize),
}

/// A run's file name taken apart ([`parse_own_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnName<'a> {
    /// The run: eight hex digits.
    pub run: &'a str,
    pub part: OwnPart,
}

/// The name of one of run `run`'s files; for [`OwnPart::Temp`], the prefix the random
/// part and [`TEMP_SUFFIX`] follow.
pub fn run_file_name(run: &str, part: OwnPart) -> String {
    match part {
        OwnPart::Temp => format!("{TEMP_PREFIX}{run}-"),
        OwnPart::Lock => format!("{TEMP_PREFIX}{run}.lock"),
        OwnPart::Journal => format!("{TEMP_PREFIX}{run}.journal"),
        OwnPart::Old(k) => format!("{TEMP_PREFIX}{run}-{k}.old"),
    }
}

/// Takes apart a name [`run_file_name`] made (a staged output's with its random part);
/// `None` for any other name, earlier versions' `.jixiao-XXXXXX.tmp` included.
pub fn parse_own_name(name: &str) -> Option<OwnName<'_>> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    let run = rest.get(..8)?;
    if !run.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let part = match &rest[8..] {
        ".lock" => OwnPart::Lock,
        ".journal" => OwnPart::Journal,
        tail => {
            let tail = tail.strip_prefix('-')?;
            if let Some(k) = tail.strip_suffix(".old") {
                OwnPart::Old(k.parse().ok()?)
            } else if tail.ends_with(TEMP_SUFFIX) && tail.len() > TEMP_SUFFIX.len() {
                OwnPart::Temp
            } else {
                return None;
            }
        }
    };
    Some(OwnName { run, part })
}

/// A feedback workbook sent back (a department may correct its forms there): its forms
/// are the 清洗 sheets; 问题清单, 说明 and each sheet's "← 返回问题清单" link are jixiao's,
/// so the other sheets are dropped and the links cleared. Returns whether the workbook is
/// one (and was so trimmed).
pub fn feedback_forms(grids: &mut Vec<Grid>) -> bool {
    if !grids.iter().any(is_feedback_notes) {
        return false;
    }
    grids.retain(|g| g.sheet.contains(CLEANED));
    let back = back_link_text(BACK_TO_FINDINGS);
    for g in grids {
        for r in 0..g.rows() {
            for c in 0..g.cols() {
                let p = Pos::new(r, c);
                if g.get(p).display_cow() == back {
                    g.set(p, Value::Empty);
                }
            }
        }
    }
    true
}

/// Which of jixiao's outputs a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Own {
    /// The consolidated workbook or the JSON document: never an input.
    Output,
    /// A feedback workbook: read back as input (a department's corrected copy).
    Feedback,
    /// A sample workbook (`jixiao sample`): the reviewers' paper, read back by `review`.
    Sample,
}

/// Whether the file at `path` is an output jixiao wrote: a workbook whose 说明 sheet starts
/// with [`OUTPUT_MARKER`] or [`FEEDBACK_MARKER`], or a JSON document of `--json` (its `tool`
/// is jixiao). Only the 说明 sheet (or the JSON's first bytes) is read.
pub fn is_own_output_file(path: &Path) -> bool {
    own_file(path).is_some()
}

/// Which of jixiao's outputs the file at `path` is, by its content (see
/// [`is_own_output_file`]); `None` for any other file or one that cannot be read.
pub fn own_file(path: &Path) -> Option<Own> {
    use std::io::Read;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    if head.starts_with(b"{") {
        let text = String::from_utf8_lossy(head);
        let squeezed: String = text.split_whitespace().collect();
        return squeezed
            .starts_with(r#"{"tool":{"name":"jixiao""#)
            .then_some(Own::Output);
    }
    if !head.starts_with(b"PK\x03\x04") {
        return None;
    }
    let a1 = crate::read::xlsx_first_cell(path, OUTPUT_SHEET)?;
    if a1.starts_with(OUTPUT_MARKER) || a1.starts_with(REVIEW_MARKER) {
        Some(Own::Output)
    } else if a1.starts_with(SAMPLE_MARKER) {
        Some(Own::Sample)
    } else {
        a1.starts_with(FEEDBACK_MARKER).then_some(Own::Feedback)
    }
}

/// Refuses an output path that already holds anything but jixiao's own earlier output:
/// jixiao never overwrites an input or any other file. `inputs` are every file found
/// among the inputs (read or skipped). An earlier output (recognized by its content,
/// [`own_file`], not by its name) may be replaced; when it lies inside an input folder it
/// is skipped as an input, so it is never consolidated into itself. A feedback workbook is
/// the exception: it is read back (a department's corrected copy), so one among the inputs
/// is an input like any other and is not replaced; so is a sample workbook, which `review`
/// reads (and whose reviewers' entries the sampler guards before replacing it).
pub fn check_output<'a>(
    inputs: impl IntoIterator<Item = &'a Path> + Clone,
    output: &Path,
) -> Result<()> {
    check_output_in(&Inputs::new(inputs), output)
}

/// The inputs of a run, for checking several outputs against them ([`check_output_in`]):
/// each input's real path is found once, on the first check that needs it. Checking 500
/// feedback workbooks against 10,000 inputs resolved every input's path 500 times
/// (26 s of system time).
pub struct Inputs<'a> {
    paths: Vec<&'a Path>,
    real: std::sync::OnceLock<std::collections::HashSet<PathBuf>>,
}

impl<'a> Inputs<'a> {
    pub fn new(paths: impl IntoIterator<Item = &'a Path>) -> Self {
        Inputs {
            paths: paths.into_iter().collect(),
            real: std::sync::OnceLock::new(),
        }
    }

    /// Whether `real` (a canonical path) is one of the inputs.
    fn holds(&self, real: &Path) -> bool {
        self.real
            .get_or_init(|| {
                self.paths
                    .iter()
                    .filter_map(|p| p.canonicalize().ok())
                    .collect()
            })
            .contains(real)
    }
}

/// Refuses an output file (`option`'s, `-o`, `--json`) whose folder does not exist: checked
/// before any input is read, so a mistyped folder costs nothing (it used to cost the whole
/// read, then fail on the temporary file). jixiao makes no folder for an output file: a
/// mistyped path would leave one behind, and most command-line tools do not either.
pub fn check_output_dir(option: &'static str, output: &Path) -> Result<()> {
    match output.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if !dir.is_dir() => Err(Error::OutputDirMissing {
            option,
            dir: dir.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// [`check_output`] against inputs gathered once.
pub fn check_output_in(inputs: &Inputs, output: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(output) else {
        return Ok(()); // does not exist yet, so it is no input
    };
    if meta.is_dir() {
        return Err(Error::OutputIsFolder {
            path: output.to_path_buf(),
        });
    }
    let out = output
        .canonicalize()
        .unwrap_or_else(|_| output.to_path_buf());
    let is_input = || inputs.holds(&out);
    match own_file(output) {
        Some(Own::Output) => return Ok(()),
        Some(Own::Feedback | Own::Sample) if !is_input() => return Ok(()),
        _ => {}
    }
    if is_input() {
        return Err(Error::OutputIsInput {
            path: output.to_path_buf(),
        });
    }
    Err(Error::OutputExists {
        path: output.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_are_known_by_their_notes() {
        let out = Grid::from_rows(OUTPUT_SHEET, &[&["jixiao 汇总输出 · jixiao 0.1.0"]]);
        let fb = Grid::from_rows(OUTPUT_SHEET, &[&["jixiao 问题反馈 · jixiao 0.1.0"]]);
        let other = Grid::from_rows("Sheet1", &[&["jixiao 汇总输出"]]);
        assert!(is_own_output_sheet(&out) && !is_feedback_notes(&out));
        assert!(is_feedback_notes(&fb) && !is_own_output_sheet(&fb));
        assert!(!is_own_output_sheet(&other) && !is_feedback_notes(&other));
        let sample = Grid::from_rows(OUTPUT_SHEET, &[&["jixiao 抽查底稿 · jixiao 0.1.0"]]);
        let review = Grid::from_rows(OUTPUT_SHEET, &[&["jixiao 复核结果 · jixiao 0.1.0"]]);
        assert!(is_sample_notes(&sample) && is_own_output_sheet(&sample));
        assert!(is_own_output_sheet(&review) && !is_sample_notes(&review));
        assert_eq!(
            own_output_reason(&[other.clone(), sample]),
            Some(SKIPPED_OWN_SAMPLE)
        );
        assert_eq!(own_output_reason(&[review]), Some(SKIPPED_OWN_REVIEW));
        assert_eq!(
            own_output_reason(std::slice::from_ref(&out)),
            Some(SKIPPED_OWN_OUTPUT)
        );
        assert!(
            is_skipped_own_output(SKIPPED_OWN_SAMPLE) && is_skipped_own_output(SKIPPED_OWN_REVIEW)
        );
        assert!(is_own_temp(".jixiao-Ab12.tmp"));
        assert!(!is_own_temp("jixiao-Ab12.tmp") && !is_own_temp(".jixiao-Ab12.xlsx"));
        assert!(is_skipped_own_output(SKIPPED_OWN_OUTPUT));
        for part in [OwnPart::Lock, OwnPart::Journal, OwnPart::Old(12)] {
            let name = run_file_name("0badcafe", part);
            assert_eq!(
                parse_own_name(&name),
                Some(OwnName {
                    run: "0badcafe",
                    part
                })
            );
            assert!(is_own_temp(&name));
        }
        let temp = format!("{}Ab12Cd.tmp", run_file_name("0badcafe", OwnPart::Temp));
        assert_eq!(temp, ".jixiao-0badcafe-Ab12Cd.tmp");
        assert_eq!(parse_own_name(&temp).map(|n| n.part), Some(OwnPart::Temp));
        for other in [
            ".jixiao-Ab12Cd.tmp",
            ".jixiao-0badcafe-x.txt",
            ".jixiao-0badcafz.lock",
            ".jixiao-0badcafe-.tmp",
        ] {
            assert_eq!(parse_own_name(other), None, "{other}");
        }
    }

    #[test]
    fn a_feedback_workbook_keeps_its_cleaned_sheets_without_their_links() {
        let mut grids = vec![
            Grid::from_rows(BACK_TO_FINDINGS, &[&["代码"]]),
            Grid::from_rows("P01清洗 某项目", &[&["项目名称", "", "← 返回问题清单"]]),
            Grid::from_rows(OUTPUT_SHEET, &[&["jixiao 问题反馈 · jixiao 0.1.0"]]),
        ];
        assert!(feedback_forms(&mut grids));
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].get(Pos::new(0, 2)), &Value::Empty);
        let mut plain = vec![Grid::from_rows("Sheet1", &[&["← 返回问题清单"]])];
        assert!(!feedback_forms(&mut plain));
        assert_eq!(plain[0].get(Pos::new(0, 0)).display_cow(), "← 返回问题清单");
    }
}
