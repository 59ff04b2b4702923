//! `convert --feedback DIR`: one workbook per 主管部门, `DIR/<主管部门>.xlsx`, holding that
//! department's 问题清单 (errors and warnings) and its forms' 清洗 sheets, ready to send
//! back for correction. Forms without a 主管部门 go to `未填主管部门.xlsx`.

use crate::code::Code;
use crate::model::{Batch, Form};
use crate::write::{tables, workbook};
use crate::{Error, Result};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Whether a finding of `code` goes to the department: in its feedback workbook's 问题清单
/// and as a mark and note on its 清洗 sheets. A department gets what it can correct in its
/// own form; what only concerns the bureau's processing (how jixiao read the form, what it
/// converted or could not do) stays in the bureau's consolidated 问题清单, which keeps
/// every finding. Decided code by code from each rule's doc (`jixiao rules CODE`); the
/// match has no wildcard, so a new code must be decided here.
pub fn for_department(code: Code) -> bool {
    use Code::*;
    match code {
        // E: files. E002 (a password), E003 (no form: the wrong file sent) and E005
        // (formulas never calculated: open and save it) are the sender's to mend, when tied
        // to one of its forms. E001 is a file nothing was read from, or on a form jixiao's
        // own failure to draw its sheets; E004 tells the bureau what its sums leave out
        // (如需汇总请取消隐藏后重新运行 is advice to the bureau).
        E002 | E003 | E005 => true,
        E001 | E004 => false,
        // L: all about jixiao's own reading (a section or column it could not find, a
        // label it does not know, a value it could not place, where it took a name from):
        // the bureau judges these; a department would be asked about words it never wrote
        // (L005 跳过分值检查 names jixiao's checks).
        L001 | L002 | L003 | L004 | L005 | L006 | L007 | L008 | L009 | L010 | L011 | L012 => false,
        // V: V002 (a number cell holding words) is the department's to correct; V001 and
        // V003 record what jixiao normalized or split (无须处理). Their changes still mark
        // the 清洗 cells they changed, with the old and new value, without the code.
        V002 => true,
        V001 | V003 => false,
        // F: the funds are the department's figures: sums (F001), overspending (F002), the
        // rate and its score (F003 an empty rate it may fill in, F004, F005), an amount's
        // unit to state or check (F007, F008). F006 only says jixiao converted 元 to 万元.
        F001 | F002 | F003 | F004 | F005 | F007 | F008 => true,
        F006 => false,
        // S: the scores are the department's. S007 (weights other than 10/50/30/10, which
        // the rules allow) is for the reviewer to know, not to correct. S015/S016 (a self
        // score above or below the scoring profile's suggestion) ask the department to
        // check its score against its own target and actual.
        S001 | S002 | S003 | S004 | S005 | S006 | S008 | S009 | S010 | S011 | S012 | S013
        | S014 | S015 | S016 => true,
        S007 => false,
        // C: empty fields, missing values, indicators named twice, costs against the
        // budget, a form sent twice: all the department's to fill in or mend.
        C001 | C002 | C003 | C004 | C005 => true,
        // The reviewer's patterns (issue 17): the department can mend its own indicators —
        // a cost written as a floor (C006), money counted as an output (C007), one
        // indicator under both 产出 and 效益 (C008), full outputs on little spending
        // (C009). How the points are spread (C010) is for the reviewer to know, as S007;
        // so are the department-wide patterns: all projects at one total (C011) and texts
        // shared with other departments (C012, which names another department's forms).
        C006 | C007 | C008 | C009 => true,
        C010 | C011 | C012 => false,
        // A survey to name (C013) and a figure to give for 完成 (C014): the department's.
        C013 | C014 => true,
    }
}

/// Every file of a run a message may name, gathered once for all departments: the forms'
/// files, then the inputs', each once in the order first met ([`Names`]).
#[derive(Clone)]
pub struct RunFiles<'a> {
    /// The files with a folder in their path, each with its place among the run's files
    /// (each once, the forms' first): the only ones a department's name for them differs
    /// from (a bare name is its own name).
    foldered: HashMap<&'a str, usize>,
    /// Their lengths in bytes, each once.
    lengths: Vec<usize>,
    /// Their last bytes.
    last: [bool; 256],
}

impl<'a> RunFiles<'a> {
    /// The run's files.
    pub fn of(batch: &'a Batch) -> RunFiles<'a> {
        let mut seen = std::collections::HashSet::new();
        let all: Vec<&str> = batch
            .forms
            .iter()
            .map(|p| &*p.file)
            .chain(batch.inputs.iter().map(|i| i.path.as_str()))
            .filter(|f| seen.insert(*f))
            .collect();
        let foldered: HashMap<&str, usize> = all
            .iter()
            .enumerate()
            .filter(|(_, f)| f.contains(['/', '\\']))
            .map(|(k, f)| (*f, k))
            .collect();
        let mut lengths: Vec<usize> = foldered.keys().map(|f| f.len()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut last = [false; 256];
        for f in foldered.keys() {
            if let Some(&b) = f.as_bytes().last() {
                last[b as usize] = true;
            }
        }
        RunFiles {
            foldered,
            lengths,
            last,
        }
    }

    /// Whether a file of the run with a folder in its path is written in `s`.
    fn named_in(&self, s: &str) -> bool {
        let bytes = s.as_bytes();
        (1..=bytes.len()).any(|end| {
            self.last[bytes[end - 1] as usize]
                && s.is_char_boundary(end)
                && self.lengths.iter().take_while(|&&n| n <= end).any(|&n| {
                    s.get(end - n..end)
                        .is_some_and(|w| self.foldered.contains_key(w))
                })
        })
    }
}

/// Files as a department knows them: by their names alone, with as many of the folders
/// above as it takes to tell two of its own files apart (`2023/报表.xlsx`,
/// `2024/报表.xlsx`), never the bureau's folders above that; any other file of the run by
/// its name alone.
pub struct Names<'a> {
    /// The department's own files and their names.
    own: HashMap<String, String>,
    run: Cow<'a, RunFiles<'a>>,
    /// The department's files, sorted: of paths of one length, the first replaced.
    sorted: Vec<String>,
    /// The lengths of its files (sorted, each once) and their last bytes, to find them
    /// in a message as [`RunFiles::named_in`] finds the run's.
    own_lengths: Vec<usize>,
    own_last: [bool; 256],
    /// Its files with a folder in their path that are not the run's (forms given from
    /// elsewhere): looked for in a message as the run's are.
    strangers: Vec<String>,
}

impl<'a> Names<'a> {
    /// The names for the department whose forms are `forms`.
    pub fn new(batch: &'a Batch, forms: &[&Form]) -> Names<'a> {
        Names::in_run(Cow::Owned(RunFiles::of(batch)), forms)
    }

    /// [`Names::new`] with the run's files gathered once ([`RunFiles::of`]) for every
    /// department.
    pub fn in_run(run: Cow<'a, RunFiles<'a>>, forms: &[&Form]) -> Names<'a> {
        let mut own: Vec<&str> = forms.iter().map(|p| &*p.file).collect();
        own.sort_unstable();
        own.dedup();
        let split: Vec<Vec<&str>> = own
            .iter()
            .map(|f| f.split(['/', '\\']).filter(|c| !c.is_empty()).collect())
            .collect();
        // The last `k` parts of a path.
        let tail = |p: &[&str], k: usize| p[p.len().saturating_sub(k)..].join("/");
        // Each file keeps the fewest parts (at least one, at most all) that no other of
        // the department's files ends with: level by level, counting each ending among
        // all of them.
        let mut keep = vec![0; own.len()];
        let mut open: Vec<usize> = (0..own.len()).collect();
        let mut k = 1;
        while !open.is_empty() {
            let mut count: HashMap<String, usize> = HashMap::with_capacity(split.len());
            for p in &split {
                *count.entry(tail(p, k)).or_default() += 1;
            }
            open.retain(|&i| {
                let more =
                    k < split[i].len() && count.get(&tail(&split[i], k)).is_some_and(|&n| n > 1);
                if !more {
                    keep[i] = k;
                }
                more
            });
            k += 1;
        }
        let own_names = own
            .iter()
            .zip(&split)
            .zip(&keep)
            .map(|((f, p), &k)| (f.to_string(), tail(p, k)))
            .collect();
        let strangers = own
            .iter()
            .filter(|f| f.contains(['/', '\\']) && !run.foldered.contains_key(*f))
            .map(|f| f.to_string())
            .collect();
        let mut own_lengths: Vec<usize> = own.iter().map(|f| f.len()).collect();
        own_lengths.sort_unstable();
        own_lengths.dedup();
        let mut own_last = [false; 256];
        for f in &own {
            if let Some(&b) = f.as_bytes().last() {
                own_last[b as usize] = true;
            }
        }
        Names {
            own: own_names,
            run,
            sorted: own.iter().map(|f| f.to_string()).collect(),
            own_lengths,
            own_last,
            strangers,
        }
    }

    /// A file as the department knows it.
    pub fn file<'b>(&'b self, path: &'b str) -> &'b str {
        match self.own.get(path) {
            Some(name) => name,
            None => file_name(path),
        }
    }

    /// A message with every path of the run in it replaced by its name (C005 names the
    /// other copy's file).
    ///
    /// The paths are replaced in one order (see [`Rank`]): longest first, so a path is
    /// never replaced inside a longer one. Each is replaced where the message, as the
    /// replacements before left it, holds it. Only the paths the message holds are looked
    /// at, found by their lengths and last bytes: walking every file of the run for each
    /// message (and copying and sorting them all for each department) was quadratic:
    /// about a minute at 100,000 forms with duplicates, by a count of the steps.
    pub fn text<'s>(&self, s: &'s str) -> Cow<'s, str> {
        // A path without a folder is its own name: only one with a folder is replaced.
        if !s.contains(['/', '\\'])
            || !(self.run.named_in(s) || self.strangers.iter().any(|f| s.contains(f.as_str())))
        {
            return Cow::Borrowed(s);
        }
        let mut out = Cow::Borrowed(s);
        let mut after = None;
        // A path passed over was not in the message as it then was: it is not looked
        // for again, as walking them in order would not have.
        while let Some((rank, path, name)) = self.first_named(&out, after) {
            out = Cow::Owned(out.replace(path, name));
            after = Some(rank);
        }
        out
    }

    /// Of the paths `s` holds whose name differs from them, the first in replacing order
    /// after `after`, with its name.
    fn first_named(&self, s: &str, after: Option<Rank>) -> Option<(Rank, &str, &str)> {
        let mut best: Option<(Rank, &str, &str)> = None;
        let bytes = s.as_bytes();
        for end in 1..=bytes.len() {
            let b = bytes[end - 1] as usize;
            if !(self.own_last[b] || self.run.last[b]) || !s.is_char_boundary(end) {
                continue;
            }
            if self.own_last[b] {
                for &n in self.own_lengths.iter().take_while(|&&n| n <= end) {
                    let Some(w) = s.get(end - n..end) else {
                        continue;
                    };
                    if let Some((path, name)) = self.own.get_key_value(w)
                        && path != name
                        && let Ok(k) = self.sorted.binary_search_by(|f| f.as_str().cmp(w))
                    {
                        let rank = (std::cmp::Reverse(n), 0, k);
                        if after.is_none_or(|a| rank > a) && best.is_none_or(|(b, ..)| rank < b) {
                            best = Some((rank, path.as_str(), name.as_str()));
                        }
                    }
                }
            }
            if self.run.last[b] {
                for &n in self.run.lengths.iter().take_while(|&&n| n <= end) {
                    let Some(w) = s.get(end - n..end) else {
                        continue;
                    };
                    if let Some((&path, &k)) = self.run.foldered.get_key_value(w)
                        && !self.own.contains_key(w)
                    {
                        let rank = (std::cmp::Reverse(n), 1, k);
                        if after.is_none_or(|a| rank > a) && best.is_none_or(|(b, ..)| rank < b) {
                            best = Some((rank, path, file_name(path)));
                        }
                    }
                }
            }
        }
        best
    }
}

/// A path's place in the order [`Names::text`] replaces paths in: longest first; of one
/// length the department's own files (0, by their place in its sorted files) before the
/// run's other files (1, by their place in the run).
type Rank = (std::cmp::Reverse<usize>, u8, usize);

/// The last part of a path, whichever separator it was written with.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The file (without `.xlsx`) of the forms that name no 主管部门.
pub const NO_DEPARTMENT_FILE: &str = "未填主管部门";

/// A department's name as a file name every file system accepts and shows as it is: no
/// `\ / : * ? " < > |` or control characters (each becomes `_`), no invisible or bidi
/// characters ([`invisible`], dropped), no trailing dot or space, not a reserved
/// Windows device name, at most 60 characters (180 bytes of UTF-8, under the 255 of most
/// file systems with room for a suffix).
pub fn safe_file_name(name: &str) -> String {
    let mut s: String = name
        .trim()
        .chars()
        .filter(|&c| !invisible(c))
        .map(|c| {
            if c.is_control() || matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    while s.ends_with(['.', ' ']) {
        s.pop();
    }
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        return NO_DEPARTMENT_FILE.to_string();
    }
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    // Windows' device names, with or without an extension: COM1–9 and LPT1–9 include the
    // superscript digits ¹ ² ³ (Windows 11 reserves them too).
    let port = stem
        .strip_prefix("COM")
        .or_else(|| stem.strip_prefix("LPT"))
        .is_some_and(|n| {
            let mut c = n.chars();
            c.next()
                .is_some_and(|d| d.is_ascii_digit() || "¹²³".contains(d))
                && c.next().is_none()
        });
    let reserved = port
        || matches!(
            stem.as_str(),
            "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
        );
    if reserved { format!("_{s}") } else { s }
}

/// The feedback workbooks to write ([`plan`]).
pub struct Plan<'a> {
    /// Path and forms, one per department.
    pub files: Vec<(PathBuf, Vec<&'a Form>)>,
    /// The files that could not have their department's name.
    pub renamed: Vec<Renamed>,
}

/// A feedback workbook named otherwise than its department, and why.
pub struct Renamed {
    /// The path its department's name gives.
    pub wanted: PathBuf,
    /// The path it gets.
    pub got: PathBuf,
    /// What is at `wanted` (`taken`'s answer), e.g. "是 -o 的输出".
    pub why: String,
}

/// Characters that print as nothing or turn the text around: zero-width spaces and
/// joiners, the bidi controls (`\u{202E}` makes `xlsx.gpj` read as `jpg.xslx`), the byte
/// order mark, the soft hyphen. A file name keeps none of them.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// The files to write, one per department, names unique without regard to case (a second
/// department that comes out the same gets `-2`, …); a path `taken` says is not free (it
/// answers why: another output, an input, a stranger's file) gets the next free `-k` and
/// is listed in [`Plan::renamed`].
pub fn plan<'a>(batch: &'a Batch, dir: &Path, taken: impl Fn(&Path) -> Option<String>) -> Plan<'a> {
    let mut used = std::collections::HashSet::new();
    let mut renamed = Vec::new();
    let files = tables::by_department(batch)
        .into_iter()
        .map(|(d, forms)| {
            let base = d.map_or_else(|| NO_DEPARTMENT_FILE.to_string(), safe_file_name);
            let mut name = base.clone();
            let mut k = 2;
            let mut why = None;
            loop {
                if used.insert(name.to_lowercase()) {
                    let path = dir.join(format!("{name}.xlsx"));
                    match taken(&path) {
                        None => break,
                        Some(w) => {
                            why.get_or_insert((path, w));
                        }
                    }
                }
                name = format!("{base}-{k}");
                k += 1;
            }
            let path = dir.join(format!("{name}.xlsx"));
            if let Some((wanted, why)) = why {
                renamed.push(Renamed {
                    wanted,
                    got: path.clone(),
                    why,
                });
            }
            (path, forms)
        })
        .collect();
    Plan { files, renamed }
}

/// Stages the planned files into `dir` (created if needed) as part of the run's output set:
/// they are renamed into place with the workbook, or not at all.
///
/// # Example
///
/// A sample form's department gets its workbook:
///
/// ```
/// use jixiao::grid::Pos;
/// use jixiao::{batch, read, write};
/// use std::path::PathBuf;
///
/// // The 清洗 sheets are drawn from the source cells: keep them, as `convert` does.
/// let opts = batch::Options {
///     keep_source: true,
///     ..Default::default()
/// };
/// let b = batch::run(&[PathBuf::from("samples/2023/1.xlsx")], &opts)?;
/// let dir = tempfile::tempdir()?;
/// // Nothing is in the way of its name (`plan` asks of each path what is there).
/// let files = write::feedback::plan(&b, dir.path(), |_| None).files;
/// assert_eq!(files.len(), 1);
/// assert_eq!(files[0].0, dir.path().join("靖州县禁毒办.xlsx"));
/// let mut set = write::OutputSet::default();
/// write::feedback::stage_dir(&b, &files, dir.path(), &mut set)?;
/// set.commit()?;
/// let path = &files[0].0;
/// let sheets = read::read_bytes(&std::fs::read(path)?, path, &read::Limits::default())?;
/// let names: Vec<&str> = sheets.iter().map(|g| g.sheet.as_str()).collect();
/// assert_eq!(
///     names,
///     ["问题清单", "P01清洗 村和社区戒毒康复工作站、禁毒协会工作经费", "说明"]
/// );
/// // Its 问题清单 lists the form's errors and warnings (not the notes, F003 and S007).
/// let code = |a1: &str| sheets[0].get(Pos::parse(a1).unwrap()).display();
/// assert_eq!([code("B2"), code("B3"), code("B4")], ["S006", "C001", ""]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stage_dir(
    batch: &Batch,
    files: &[(PathBuf, Vec<&Form>)],
    dir: &Path,
    set: &mut super::OutputSet,
) -> Result<()> {
    stage_dir_with(batch, files, dir, &workbook::Letterhead::default(), set)
}

/// [`stage_dir`] with the clerk's [`workbook::Letterhead`] on each workbook.
pub fn stage_dir_with(
    batch: &Batch,
    files: &[(PathBuf, Vec<&Form>)],
    dir: &Path,
    letterhead: &workbook::Letterhead,
    set: &mut super::OutputSet,
) -> Result<()> {
    set.create_dir(dir)?;
    let feedback = workbook::Feedback::new(batch, files.iter().map(|(_, forms)| forms.as_slice()));
    set.stage_all(jobs(&feedback, files, letterhead))
}

/// Each department's workbook as an [`super::OutputSet::stage_all`] job, for a caller
/// that writes them beside its other outputs (`convert`: the consolidated workbook, the
/// JSON and the CSV files in one set, so no core waits for the slowest of them). Each is
/// built and written to its file on its own task: a workbook is held only while its file
/// is written, never all of them at once. `feedback` is of the departments in `files`.
pub fn jobs<'a>(
    feedback: &'a workbook::Feedback<'a>,
    files: &'a [(PathBuf, Vec<&'a Form>)],
    letterhead: &'a workbook::Letterhead,
) -> Vec<super::disk::Job<'a>> {
    files
        .iter()
        .enumerate()
        .map(|(k, (path, _))| -> super::disk::Job {
            (
                path.clone(),
                Box::new(move |f: &mut std::fs::File| {
                    let mut out = std::io::BufWriter::new(f);
                    feedback
                        .write(k, letterhead, &mut out)
                        .map_err(Error::FeedbackWorkbook)?;
                    std::io::Write::flush(&mut out).map_err(|e| {
                        Error::FeedbackWorkbook(rust_xlsxwriter::XlsxError::IoError(e))
                    })
                }),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;

    /// [`Names::text`] as first written: every path of the run and the department,
    /// longest first (of one length its own, sorted, then the run's in order), each
    /// replaced where the message as it then is holds it.
    fn text_by_walking(names: &Names, run_files: &[&str], s: &str) -> String {
        let mut paths: Vec<(String, String)> = names
            .sorted
            .iter()
            .map(|f| (f.clone(), names.own[f].clone()))
            .collect();
        for file in run_files {
            if !names.own.contains_key(*file) {
                paths.push((file.to_string(), file_name(file).to_string()));
            }
        }
        paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        if !s.contains(['/', '\\'])
            || !(names.run.named_in(s) || names.strangers.iter().any(|f| s.contains(f.as_str())))
        {
            return s.to_string();
        }
        let mut out = s.to_string();
        for (path, name) in &paths {
            if path != name && out.contains(path.as_str()) {
                out = out.replace(path.as_str(), name);
            }
        }
        out
    }

    #[test]
    fn of_two_paths_of_one_length_the_departments_own_is_replaced_first() {
        let form = |file: &str, d: &str| Form {
            file: file.into(),
            department: Field::new(Some(d.into()), None),
            ..Default::default()
        };
        let b = Batch {
            forms: vec![form("aaaa/1.xlsx", "甲"), form("xlsx/1.xlsx", "乙")],
            ..Default::default()
        };
        let names = Names::new(&b, &[&b.forms[0]]);
        // Its own file first: the other's path is still there after, and goes too. The
        // other's first would have left `aaaa/1.1.xlsx`.
        assert_eq!(names.text("aaaa/1.xlsx/1.xlsx"), "1.1.xlsx");
        assert_eq!(
            names.text("aaaa/1.xlsx/1.xlsx"),
            text_by_walking(
                &names,
                &["aaaa/1.xlsx", "xlsx/1.xlsx"],
                "aaaa/1.xlsx/1.xlsx"
            )
        );
    }

    #[test]
    fn messages_name_files_as_walking_every_path_would() {
        // Paths that end one another, both separators, bare names, CJK parts, files of
        // the department alone (strangers).
        let mut rng = crate::test_rng::Rng(0x9E37_79B9_7F4A_7C15);
        let mut next = |n: usize| rng.below(n);
        let parts = [
            "a", "b", "2023", "局", "a b", "报表", "x.xlsx", "xlsx", "1.xlsx",
        ];
        for round in 0..60 {
            let path = |next: &mut dyn FnMut(usize) -> usize| {
                let depth = next(4);
                let mut p = String::new();
                for _ in 0..depth {
                    p.push_str(parts[next(parts.len())]);
                    p.push(if next(5) == 0 { '\\' } else { '/' });
                }
                p.push_str(["1.xlsx", "报表.xlsx", "x.xlsx", "a.xls"][next(4)]);
                p
            };
            let files: Vec<String> = (0..2 + next(12)).map(|_| path(&mut next)).collect();
            let forms: Vec<Form> = (0..files.len() * 2)
                .map(|i| Form {
                    id: format!("P{i:04}"),
                    file: files[next(files.len())].as_str().into(),
                    department: Field::new(Some(["甲", "乙"][next(2)].into()), None),
                    ..Default::default()
                })
                .collect();
            let b = Batch {
                forms,
                ..Default::default()
            };
            let run = RunFiles::of(&b);
            let mut run_files: Vec<&str> = Vec::new();
            for f in b.forms.iter().map(|p| &*p.file) {
                if !run_files.contains(&f) {
                    run_files.push(f);
                }
            }
            // The department's forms, and some from elsewhere (not the run's files).
            let strange: Vec<Form> = (0..next(3))
                .map(|_| Form {
                    file: format!("外/{}", path(&mut next)).into(),
                    ..Default::default()
                })
                .collect();
            let mut mine: Vec<&Form> = b.forms.iter().filter(|_| next(2) == 0).collect();
            mine.extend(strange.iter());
            let names = Names::in_run(Cow::Borrowed(&run), &mine);
            let known: Vec<&str> = run_files
                .iter()
                .copied()
                .chain(strange.iter().map(|p| &*p.file))
                .collect();
            for _ in 0..40 {
                let mut msg = String::new();
                for _ in 0..1 + next(4) {
                    match next(5) {
                        0 => msg.push_str("与 "),
                        1 => msg.push_str(parts[next(parts.len())]),
                        2 => msg.push('/'),
                        _ => msg.push_str(known[next(known.len())]),
                    }
                }
                assert_eq!(
                    names.text(&msg),
                    text_by_walking(&names, &run_files, &msg),
                    "round {round}: {msg:?}"
                );
            }
        }
    }

    #[test]
    fn names_are_safe_everywhere() {
        assert_eq!(safe_file_name("靖州县禁毒办"), "靖州县禁毒办");
        assert_eq!(safe_file_name("财政局/国库科: A*B?"), "财政局_国库科_ A_B_");
        assert_eq!(safe_file_name("教育局. "), "教育局");
        assert_eq!(safe_file_name("con"), "_con");
        assert_eq!(safe_file_name("LPT1.x"), "_LPT1.x");
        assert_eq!(safe_file_name("COMMON"), "COMMON");
        assert_eq!(safe_file_name("com¹"), "_com¹");
        assert_eq!(safe_file_name("CONIN$.txt"), "_CONIN$.txt");
        assert_eq!(safe_file_name("conout$"), "_conout$");
        assert_eq!(safe_file_name("LPT10"), "LPT10");
        assert_eq!(safe_file_name(".."), NO_DEPARTMENT_FILE);
        assert_eq!(safe_file_name("a\nb\t"), "a_b");
        assert_eq!(safe_file_name("\u{202e}gpj.xlsx"), "gpj.xlsx");
        assert_eq!(safe_file_name("财\u{200b}政\u{feff}局\u{2067}"), "财政局");
        assert_eq!(safe_file_name(&"局".repeat(100)).chars().count(), 60);
    }

    #[test]
    fn one_file_per_department_and_one_for_none() {
        let form = |id: &str, d: Option<&str>| Form {
            id: id.into(),
            department: Field::new(d.map(String::from), None),
            ..Default::default()
        };
        let b = Batch {
            forms: vec![
                form("P0001", Some("A/B")),
                form("P0002", None),
                form("P0003", Some("A:B")),
                form("P0004", Some(" A/B ")),
                form("P0005", Some("")),
            ],
            ..Default::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let files = plan(&b, dir.path(), |p| {
            p.ends_with("A_B-2.xlsx")
                .then(|| "是 -o 的输出".to_string())
        });
        assert_eq!(files.renamed.len(), 1);
        assert_eq!(files.renamed[0].wanted, dir.path().join("A_B-2.xlsx"));
        assert_eq!(files.renamed[0].got, dir.path().join("A_B-3.xlsx"));
        let files = files.files;
        let names: Vec<String> = files
            .iter()
            .map(|(p, f)| format!("{}:{}", p.file_name().unwrap().to_string_lossy(), f.len()))
            .collect();
        assert_eq!(names, ["A_B.xlsx:2", "A_B-3.xlsx:1", "未填主管部门.xlsx:2"]);
        let mut set = crate::write::OutputSet::default();
        stage_dir(&b, &files, dir.path(), &mut set).unwrap();
        assert!(
            files.iter().all(|(p, _)| !p.exists()),
            "nothing before the commit"
        );
        set.commit().unwrap();
        for (p, _) in &files {
            assert!(p.exists(), "{}", p.display());
        }
    }
}
