//! One run over many inputs: discover files, read them in parallel, locate and extract
//! forms, number them, and collect what happened to each file.
//!
//! A file that cannot be read never stops the others: its failure becomes an [`Input`]
//! with a reason and a finding with its code.

use crate::extract::extract_with;
use crate::grid::{Grid, Hidden};
use crate::locate::locate;
use crate::model::{Batch, Finding, Form, Input, Status};
use crate::own;
use crate::profile::Profile;
use crate::read::{Limits, ReadError, read_bytes};
use crate::rules::{self, At};
use crate::{Error, Result};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// The file, as found under its input (the input joined with the path below it).
    pub path: PathBuf,
    /// `Some(reason)` when the file is skipped without reading.
    pub skip: Option<String>,
    /// `Some(reason)` when it cannot be read at all (a folder that cannot be listed, a
    /// special file named directly): E001 without reading.
    pub error: Option<String>,
    /// The file as the printed lists name it ([`Input::shown`]): its path below the
    /// folder it was found in, or its name when given directly.
    pub shown: String,
}

impl Found {
    fn read(path: PathBuf, skip: Option<String>) -> Found {
        Found {
            path,
            skip,
            error: None,
            shown: String::new(),
        }
    }

    fn failed(path: PathBuf, error: String) -> Found {
        Found {
            path,
            skip: None,
            error: Some(error),
            shown: String::new(),
        }
    }

    /// Whether the file is to be read.
    pub fn is_read(&self) -> bool {
        self.skip.is_none() && self.error.is_none()
    }
}

/// Walks the inputs: each folder recursively in natural order ([`natural_cmp`]), following
/// symbolic links. Files named directly are always read (unless lock files); in folders,
/// lock files (`~$`), hidden files and folders, other extensions, broken links, link loops
/// and special files (pipes, devices, sockets) are listed as skipped, jixiao's own
/// temporary files (`.jixiao-*.tmp`) are left out, and a folder that cannot be listed
/// fails on its own (E001) while the rest is read. Names are judged by their bytes, so a
/// GBK-named `~$` lock file on Linux is recognized too.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    // The input each found file came from, for its shown name.
    let mut from = Vec::new();
    // Each input looked at in parallel: files dropped on the program come as thousands of
    // inputs, and asking for each in turn was 17 ms on one core at 10,000 before any file
    // was read. The first that cannot be looked at, in the order given, is the error.
    let metas: Vec<std::io::Result<std::fs::Metadata>> =
        inputs.par_iter().map(std::fs::metadata).collect();
    for (k, (input, meta)) in inputs.iter().zip(metas).enumerate() {
        // What the previous input added came from it.
        from.resize(out.len(), k.saturating_sub(1));
        let meta = meta.map_err(|source| Error::Input {
            path: input.clone(),
            source,
        })?;
        if !meta.is_dir() {
            out.push(match special(&meta.file_type()) {
                Some(kind) => Found::failed(input.clone(), rules::e001::not_a_file(kind)),
                None => Found::read(input.clone(), skip_reason(input, true)),
            });
            continue;
        }
        // Walked as the folders list them, then sorted once by precomputed keys: walkdir's
        // own sort compares names as it goes, 1.7 million times for a folder of 100,000
        // files, 0.3 s on one core before any file is read.
        let mut walker = walkdir::WalkDir::new(input).follow_links(true).into_iter();
        let mut here: Vec<(WalkKey, Found)> = Vec::new();
        let key = |path: &Path| WalkKey::of(path.strip_prefix(input).unwrap_or(path));
        while let Some(entry) = walker.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let found = walk_error(&e, input);
                    here.push((key(&found.path), found));
                    continue;
                }
            };
            let path = entry.path();
            let name = entry.file_name().to_string_lossy();
            if entry.depth() == 0 {
                continue;
            }
            let ft = entry.file_type();
            if ft.is_dir() {
                if name.starts_with('.') {
                    here.push((
                        key(path),
                        Found::read(path.to_path_buf(), Some("隐藏文件夹，已跳过".into())),
                    ));
                    walker.skip_current_dir();
                }
                continue;
            }
            if own::is_own_temp(&name) {
                continue;
            }
            let skip = match special(&ft) {
                Some(kind) => Some(format!("不是普通文件（{kind}），已跳过")),
                None => skip_reason(path, false),
            };
            here.push((key(path), Found::read(entry.into_path(), skip)));
        }
        // Stable: what shares a path (a folder and the error reading it) stays as walked.
        here.par_sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(here.into_iter().map(|(_, f)| f));
    }
    from.resize(out.len(), inputs.len().saturating_sub(1));
    name_found(inputs, &from, &mut out);
    Ok(out)
}

/// Names each found file as the printed lists show it, short enough for a column and
/// still telling the files apart: below a dropped folder, its path from that folder
/// (`科室\1.xlsx`; with several inputs, from the folder's parent, `2023\1.xlsx`); a file
/// given directly, its name. Separators are the system's. Names that would still be the
/// same for two files are shown in full ([`display_path`]).
fn name_found(inputs: &[PathBuf], from: &[usize], found: &mut [Found]) {
    let several = inputs.len() > 1;
    for (f, &k) in found.iter_mut().zip(from) {
        let input = &inputs[k];
        let below = f
            .path
            .strip_prefix(input)
            .ok()
            .filter(|r| !r.as_os_str().is_empty());
        let name = match (below, input.file_name()) {
            (Some(rel), Some(folder)) if several => Some(Path::new(folder).join(rel)),
            (Some(rel), _) => Some(rel.to_path_buf()),
            (None, _) => f.path.file_name().map(PathBuf::from),
        };
        f.shown = match name {
            Some(n) => n.to_string_lossy().into_owned(),
            None => display_path(&f.path),
        };
    }
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for f in found.iter() {
        *seen.entry(f.shown.clone()).or_default() += 1;
    }
    for f in found.iter_mut() {
        if seen[&f.shown] > 1 {
            f.shown = display_path(&f.path);
        }
    }
}

/// What a walk could not enter: a link loop or a broken link (skipped), a folder that
/// cannot be listed (failed).
/// Where a walked path comes in the walk's order: each folder's entries in natural order
/// ([`natural_cmp`]), a folder's contents right after it. That is its components
/// compared one by one, each by its [`natural_key`] and then as written, a path before
/// the paths below it.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct WalkKey(Vec<(Vec<u8>, Box<str>)>);

impl WalkKey {
    fn of(relative: &Path) -> WalkKey {
        WalkKey(
            relative
                .components()
                .map(|c| {
                    let name = c.as_os_str().to_string_lossy();
                    (natural_key(&name), Box::from(name.as_ref()))
                })
                .collect(),
        )
    }
}

/// Bytes that compare as [`natural_cmp`] compares names, up to its last resort (the names
/// as written): each run of digits as `0` (every digit's place against any other
/// character), its length without leading zeros (four bytes) and its digits in ASCII;
/// any other character as its UTF-8.
fn natural_key(s: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if natural_digit(c).is_none() {
            key.extend_from_slice(&rest.as_bytes()[..c.len_utf8()]);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest
            .find(|c| natural_digit(c).is_none())
            .unwrap_or(rest.len());
        let run = rest[..end].trim_start_matches(['0', '０']);
        key.push(b'0');
        let len = u32::try_from(run.chars().count()).unwrap_or(u32::MAX);
        key.extend_from_slice(&len.to_be_bytes());
        key.extend(
            run.chars()
                .filter_map(natural_digit)
                .map(|d| b'0' + d as u8),
        );
        rest = &rest[end..];
    }
    key
}

/// A digit's value, ASCII or full-width.
fn natural_digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn walk_error(e: &walkdir::Error, input: &Path) -> Found {
    let path = e.path().unwrap_or(input).to_path_buf();
    if let Some(ancestor) = e.loop_ancestor() {
        let reason = format!(
            "符号链接形成循环（指向上级文件夹 {}），已跳过",
            display_path(ancestor)
        );
        return Found::read(path, Some(reason));
    }
    let broken = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(&path).is_err();
    if broken {
        return Found::read(path, Some("符号链接指向的文件不存在，已跳过".into()));
    }
    let why = e
        .io_error()
        .map_or_else(|| e.to_string(), |io| io.to_string());
    Found::failed(path, rules::e001::unreadable_folder(why))
}

/// A special file's kind in words, `None` for a regular file or folder.
fn special(ft: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("命名管道");
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some("设备文件");
        }
        if ft.is_socket() {
            return Some("套接字");
        }
    }
    (!ft.is_file() && !ft.is_dir()).then_some("特殊文件")
}

/// Compares file names the way people number them: runs of digits (ASCII or full-width)
/// by their value, so `2.xlsx` comes before `10.xlsx` and `项目2` before `项目10`; the rest
/// character by character. Names equal that way (`01`, `1`) fall back to plain order.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let digit = natural_digit;
    /// The digit run at the start of `s` without its leading zeros, and what follows.
    /// Borrowed, not collected: a walk sorts every folder with this (n log n calls).
    fn number(s: &str) -> (&str, &str) {
        let end = s.find(|c| natural_digit(c).is_none()).unwrap_or(s.len());
        let (run, rest) = s.split_at(end);
        (run.trim_start_matches(['0', '０']), rest)
    }
    let (mut x, mut y) = (a, b);
    loop {
        let (Some(c), Some(d)) = (x.chars().next(), y.chars().next()) else {
            return match (x.is_empty(), y.is_empty()) {
                (true, true) => a.cmp(b),
                (true, false) => Ordering::Less,
                _ => Ordering::Greater,
            };
        };
        if digit(c).is_some() && digit(d).is_some() {
            let ((m, xs), (n, ys)) = (number(x), number(y));
            let o = m
                .chars()
                .count()
                .cmp(&n.chars().count())
                .then_with(|| m.chars().map(digit).cmp(n.chars().map(digit)));
            if o != Ordering::Equal {
                return o;
            }
            (x, y) = (xs, ys);
        } else if c != d {
            // A full-width digit sorts as its ASCII digit here too, or `０` < `1` < `项` < `０`
            // would not be an order (and Rust's sort may panic on one that is not).
            let ascii = |c: char| digit(c).map_or(c, |v| char::from(b'0' + v as u8));
            return ascii(c).cmp(&ascii(d));
        } else {
            (x, y) = (&x[c.len_utf8()..], &y[d.len_utf8()..]);
        }
    }
}

fn skip_reason(p: &Path, named: bool) -> Option<String> {
    // Lossy: a name that is not valid UTF-8 (GBK on Linux) keeps its ASCII start.
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name.starts_with("~$") {
        return Some("Excel 锁定文件（~$），已跳过".into());
    }
    // The clerk's settings file lies among the forms by design (drag mode reads it).
    if name == crate::settings::FILE_NAME {
        return Some(SETTINGS_FILE.into());
    }
    if named {
        return None;
    }
    if name.starts_with('.') {
        return Some("隐藏文件，已跳过".into());
    }
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    (!EXTENSIONS.contains(&ext.as_str())).then(|| format!("不是表格文件（扩展名 .{ext}），已跳过"))
}

/// Why the clerk's settings file ([`crate::settings::FILE_NAME`]) among the inputs is
/// skipped: it is read for the papers, not as a form.
pub const SETTINGS_FILE: &str = "设置文件（编制单位、截止日期等），不是自评表，已跳过";

/// Options of one run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Limits on what one file may hold.
    pub limits: Limits,
    /// Keep each form's original cells (for the 原表/清洗 sheets).
    pub keep_source: bool,
    /// Pack each form's indicators once it is read ([`crate::model::Indicators`]): a batch
    /// kept for writers holds them in a quarter of the memory, and its readers unpack
    /// them with [`crate::model::Indicators::load`].
    pub pack: bool,
    /// The scoring profile (评分口径) of the 等级 and 建议得分; 财预〔2020〕10号 by default.
    pub profile: std::sync::Arc<Profile>,
}

/// Reads every input and returns the batch, forms numbered `P0001`… in input order.
pub fn run(inputs: &[PathBuf], opts: &Options) -> Result<Batch> {
    let found = discover(inputs)?;
    Ok(read_found(&found, opts))
}

/// What reading one file gave: its [`Input`], its forms and its file findings, before
/// the batch numbers the forms and runs the rules ([`assemble`]).
#[derive(Debug)]
pub struct FileRead {
    input: Input,
    forms: Vec<Form>,
    findings: Vec<Finding>,
}

impl FileRead {
    /// What happened to the file (its status, reason, how many forms).
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// The forms read from it, not yet numbered.
    pub fn forms(&self) -> &[Form] {
        &self.forms
    }
}

/// Maps `items` in parallel (rayon), keeping their order. On `wasm32-unknown-unknown`,
/// which has no threads, rayon's global pool falls back to the current thread alone
/// (rayon-core's `default_global_registry`), so this and every other parallel iterator of
/// the library runs there unchanged, one item after another.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    items.par_iter().map(f).collect()
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
    assemble(par_map(found, |f| {
        let r = read_one(f, opts);
        on_file(&r.input, &r.forms);
        r
    }))
}

/// Files given by name and bytes, with no file system: a page's dropped files, each named
/// by its path from the dropped folder on (`2023/1.xlsx`, separated by `/`) or by its
/// name when dropped or picked by itself. They get their [`Found`] as [`discover`] would
/// give them for those folders and files: in its order (component by component,
/// [`natural_cmp`]), each with the index of its name in `names`; a name's first
/// component is the folder dropped, and below it lock files, hidden files, other
/// extensions are skipped, a hidden folder is listed once as skipped (its files are not),
/// jixiao's own temporary files are left out; a bare name is read unless a lock file.
/// Shown names are as `discover` shows them: below the folder when one folder was
/// dropped, else from the folder on.
pub fn named(names: &[String]) -> Vec<(usize, Found)> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| {
        let (mut x, mut y) = (names[a].split('/'), names[b].split('/'));
        loop {
            match (x.next(), y.next()) {
                (Some(p), Some(q)) => match natural_cmp(p, q) {
                    std::cmp::Ordering::Equal => {}
                    o => return o,
                },
                (p, q) => return p.is_some().cmp(&q.is_some()),
            }
        }
    });
    let top = |n: &str| n.split_once('/').map(|(t, _)| t.to_string());
    let one_folder = names
        .first()
        .and_then(|n| top(n))
        .is_some_and(|t| names.iter().all(|n| top(n).as_deref() == Some(t.as_str())));
    let shown = |name: &str| match name.split_once('/') {
        Some((_, below)) if one_folder => below.to_string(),
        _ => name.to_string(),
    };
    let mut hidden = std::collections::HashSet::new();
    let mut out = Vec::new();
    for i in order {
        let name = &names[i];
        let parts: Vec<&str> = name.split('/').collect();
        let file = parts[parts.len() - 1];
        let folders = &parts[..parts.len() - 1];
        // The dropped folder itself is never judged, as `discover` does not judge an input.
        if let Some(h) = folders.iter().skip(1).position(|d| d.starts_with('.')) {
            let folder = parts[..h + 2].join("/");
            if hidden.insert(folder.clone()) {
                let mut f = Found::read(PathBuf::from(&folder), Some("隐藏文件夹，已跳过".into()));
                f.shown = shown(&folder);
                out.push((i, f));
            }
            continue;
        }
        if !folders.is_empty() && own::is_own_temp(file) {
            continue;
        }
        let path = PathBuf::from(name);
        let mut f = Found::read(path.clone(), skip_reason(&path, folders.is_empty()));
        f.shown = shown(name);
        out.push((i, f));
    }
    out
}

/// Reads one file given by its bytes ([`named`]): the same reading as a file on disk,
/// after the same size limit.
pub fn read_named(found: &Found, bytes: &[u8], opts: &Options) -> FileRead {
    let input = input_of(found);
    if found.skip.is_some() {
        return FileRead::of(input);
    }
    if let Some(reason) = &found.error {
        return failed(input, rules::e001::failed(reason.clone()));
    }
    let max = opts.limits.max_file_bytes;
    if bytes.len() as u64 > max {
        return failed(input, rules::e001::too_large(bytes.len() as u64, max));
    }
    read_loaded(found, input, bytes, opts)
}

/// [`read_found_with`] for files given by name and bytes ([`named`], [`read_named`]).
pub fn read_named_with(
    files: &[(String, Vec<u8>)],
    opts: &Options,
    on_file: impl Fn(&Input, &[Form]) + Sync,
) -> Batch {
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let found = named(&names);
    assemble(par_map(&found, |(i, f)| {
        let r = read_named(f, &files[*i].1, opts);
        on_file(&r.input, &r.forms);
        r
    }))
}

/// The batch of files read, in the order given: forms numbered `P0001`… and the rules
/// run. Files read one by one ([`read_named`]) are put together with this as
/// [`read_found_with`] does.
pub fn assemble(results: Vec<FileRead>) -> Batch {
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
        // Spilled records take the form's id as they are read back.
        if let crate::model::Changes::Held(v) = &mut form.changes {
            for c in v {
                c.project = Some(id.clone());
            }
        }
    }
    rules::check(&mut batch);
    batch
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

/// The [`Input`] a found file starts as: skipped (with its reason, if any) until read.
fn input_of(found: &Found) -> Input {
    Input {
        path: display_path(&found.path),
        sha256: None,
        status: Status::Skipped,
        reason: found.skip.clone(),
        detail: None,
        forms: 0,
        other_sheets: Vec::new(),
        shown: found.shown.clone(),
    }
}

impl FileRead {
    fn of(input: Input) -> FileRead {
        FileRead {
            input,
            forms: Vec::new(),
            findings: Vec::new(),
        }
    }
}

/// A file that cannot be read: failed, with its reason and finding.
fn failed(mut input: Input, e: ReadError) -> FileRead {
    input.status = Status::Failed;
    input.reason = Some(e.to_string());
    input.detail = e.detail.clone();
    let file: Arc<str> = input.path.as_str().into();
    let finding = rules::e002::read_failure(At::file(&file), e);
    FileRead {
        input,
        forms: Vec::new(),
        findings: vec![finding],
    }
}

fn read_one(found: &Found, opts: &Options) -> FileRead {
    let input = input_of(found);
    if found.skip.is_some() {
        return FileRead::of(input);
    }
    if let Some(reason) = &found.error {
        return failed(input, rules::e001::failed(reason.clone()));
    }
    match read_regular(&found.path, opts.limits.max_file_bytes) {
        Ok(bytes) => read_loaded(found, input, &bytes, opts),
        Err(e) => failed(input, e),
    }
}

/// Reads a file's bytes, wherever they came from (the disk, a page): sniff, read, skip
/// jixiao's own outputs, locate and extract the forms.
fn read_loaded(found: &Found, mut input: Input, bytes: &[u8], opts: &Options) -> FileRead {
    let path = input.path.clone();
    let res = |input: Input, forms, findings| FileRead {
        input,
        forms,
        findings,
    };
    input.sha256 = Some(hex(&Sha256::digest(bytes)));
    if is_wps(&found.path) && crate::read::sniff(bytes, &found.path).is_none() {
        input.reason = Some(
            "WPS 表格专有格式（.et），无法读取，已跳过；请在 WPS 中另存为 .xlsx 后重新运行".into(),
        );
        return res(input, Vec::new(), Vec::new());
    }
    let limits = crate::read::Limits {
        early_sheet: Some(crate::own::early_sheet()),
        ..opts.limits
    };
    let grids = match read_bytes(bytes, &found.path, &limits) {
        Ok(g) => g,
        Err(e) => return failed(input, e),
    };
    if let Some(why) = own::own_output_reason(&grids) {
        input.reason = Some(why.into());
        return res(input, Vec::new(), Vec::new());
    }
    let mut grids = grids;
    let feedback = own::feedback_forms(&mut grids);
    // A bug in locating or extracting must cost this file, never the run.
    let found_forms = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (
            forms_in_with(&grids, &path, &opts.profile),
            hidden_forms(&grids),
        )
    }));
    let Ok((mut forms, hidden)) = found_forms else {
        return failed(input, rules::e001::internal());
    };
    input.status = Status::Ok;
    if opts.keep_source {
        for f in &mut forms {
            if let Some(g) = grids.iter().find(|g| *g.sheet == *f.sheet) {
                f.source = Some(crate::kept::Kept::new(crate::model::Source::cut(g, f.rows)));
            }
        }
    }
    input.forms = forms.len();
    let mut findings = Vec::new();
    let file: Arc<str> = path.as_str().into();
    for g in grids.iter().filter(|g| !g.dropped.is_empty()) {
        findings.push(rules::e001::beyond_excel(
            At::file(&file),
            &g.sheet,
            &g.dropped,
        ));
    }
    let mut notes = Vec::new();
    for (g, how, n) in &hidden {
        notes.push(rules::e004::note(&g.sheet, *how, *n));
        let sheet: Arc<str> = g.sheet.as_str().into();
        findings.push(rules::e004::hidden(
            At::sheet(&file, &sheet),
            &g.sheet,
            *how,
            *n,
        ));
    }
    if let Some((n, sheet, cell, formula)) = rules::e005::unsaved(&grids) {
        notes.push(rules::e005::note(n, sheet, cell, formula));
        let sheet_arc: Arc<str> = sheet.into();
        let at = At::sheet(&file, &sheet_arc).cell(Some(cell));
        findings.push(rules::e005::unsaved_formulas(at, n, sheet, cell, formula));
    }
    if forms.is_empty() && hidden.is_empty() {
        notes.push(rules::e003::note());
        findings.push(rules::e003::no_form(At::file(&file)));
    } else if !feedback {
        // A hidden sheet's form is said by E004, not listed as a sheet without one.
        input.other_sheets = other_sheets(&grids, &forms);
        input
            .other_sheets
            .retain(|s| !hidden.iter().any(|(g, _, _)| *g.sheet == **s));
    }
    if !notes.is_empty() {
        input.reason = Some(notes.join("\n"));
    }
    // The forms are kept for the whole run; made while the file's cells were alive, their
    // strings and vectors sit between those cells and grew with slack. Copied once the
    // cells are freed, they are packed: at 100,000 forms 2.17 → 1.74 GB peak, and no
    // slower (BENCHMARKS.md).
    drop(hidden);
    drop(grids);
    for f in &mut forms {
        crate::model::Changes::spill(f);
        if opts.pack {
            f.indicators.pack();
        }
    }
    let forms = forms.iter().map(Form::clone).collect();
    res(input, forms, findings)
}

/// The non-empty sheets of a workbook that hold none of `forms`, in sheet order: a
/// dossier's 项目基本信息, 立项依据, 评审报告 … beside its 自评表 sheet.
pub(crate) fn other_sheets(grids: &[Grid], forms: &[Form]) -> Vec<String> {
    grids
        .iter()
        .filter(|g| !forms.iter().any(|f| *f.sheet == *g.sheet))
        .filter(|g| g.non_empty().next().is_some())
        .map(|g| g.sheet.clone())
        .collect()
}

/// Every form in every visible sheet of a workbook, in sheet order then top to bottom.
/// Forms on a hidden sheet (last year's form, a discarded draft) are left out: see
/// `hidden_forms`.
pub fn forms_in(grids: &[Grid], file: &str) -> Vec<Form> {
    forms_in_with(grids, file, &crate::profile::default_profile())
}

/// As [`forms_in`], scoring by `profile`.
pub fn forms_in_with(grids: &[Grid], file: &str, profile: &Profile) -> Vec<Form> {
    grids
        .iter()
        .filter(|g| g.hidden.is_none())
        .flat_map(|g| {
            locate(g)
                .into_iter()
                .map(move |l| extract_with(g, &l, file, profile))
        })
        .collect()
}

/// The hidden sheets that hold forms, each with how it is hidden and how many forms it
/// holds: [`forms_in`] reads none of them, a batch reports each (E004).
pub(crate) fn hidden_forms(grids: &[Grid]) -> Vec<(&Grid, Hidden, usize)> {
    grids
        .iter()
        .filter_map(|g| {
            let how = g.hidden?;
            let n = locate(g).len();
            (n > 0).then_some((g, how, n))
        })
        .collect()
}

/// A file's bytes, read only when it is still a regular file of at most `max` bytes. The
/// walk saw a regular file, but the path may be something else by now (a named pipe put
/// in its place would block `open` until a writer came, and the run would hang), so it is
/// opened without blocking and the opened handle, not the path, is checked.
fn read_regular(path: &Path, max: u64) -> std::result::Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| rules::e001::io(&e))?;
    let meta = file.metadata().map_err(|e| rules::e001::io(&e))?;
    if let Some(kind) = special(&meta.file_type()).or((!meta.is_file()).then_some("文件夹")) {
        return Err(rules::e001::replaced(kind));
    }
    let size = meta.len();
    if size > max {
        return Err(rules::e001::too_large(size, max));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // A file that grows while it is read stops at the limit too.
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| rules::e001::io(&e))?;
    if bytes.len() as u64 > max {
        return Err(rules::e001::too_large(bytes.len() as u64, max));
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name's [`natural_key`], then the name as written, orders names as
    /// [`natural_cmp`] does: random names of digits (ASCII and full-width, leading zeros),
    /// letters, CJK and punctuation on either side of the digits.
    #[test]
    fn natural_keys_order_as_natural_cmp() {
        use proptest::prelude::*;
        let name = proptest::collection::vec(
            prop_oneof![
                Just("0"),
                Just("00"),
                Just("1"),
                Just("9"),
                Just("10"),
                Just("０"),
                Just("１"),
                Just("９"),
                Just("a"),
                Just("A"),
                Just("/"),
                Just(":"),
                Just("-"),
                Just("项"),
                Just("（"),
                Just(" "),
                Just("~"),
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat());
        let mut runner = crate::test_rng::runner(4_000);
        runner
            .run(&(name.clone(), name), |(a, b)| {
                let by_key = natural_key(&a)
                    .cmp(&natural_key(&b))
                    .then_with(|| a.cmp(&b));
                prop_assert_eq!(by_key, natural_cmp(&a, &b), "{:?} {:?}", a, b);
                Ok(())
            })
            .unwrap();
    }

    /// The walk finds files in the order walkdir's own sort by [`natural_cmp`] gives:
    /// folders' contents right after them, names with numbers, full-width digits and
    /// names equal but for leading zeros.
    #[test]
    fn the_walk_is_in_natural_order() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "1", "01", "2", "10", "１1", "项目2", "项目10", "a", "A", "a 1",
        ];
        for (i, d) in names.iter().enumerate() {
            let sub = dir.path().join(d);
            std::fs::create_dir_all(sub.join(names[(i + 3) % names.len()])).unwrap();
            for f in names.iter().take(i + 1) {
                std::fs::write(sub.join(format!("{f}.xlsx")), b"").unwrap();
                std::fs::write(
                    sub.join(names[(i + 3) % names.len()])
                        .join(format!("{f}.xls")),
                    b"",
                )
                .unwrap();
            }
            std::fs::write(dir.path().join(format!("{d}.xlsx")), b"").unwrap();
        }
        let found: Vec<PathBuf> = discover(&[dir.path().to_path_buf()])
            .unwrap()
            .into_iter()
            .map(|f| f.path)
            .collect();
        let walked: Vec<PathBuf> = walkdir::WalkDir::new(dir.path())
            .min_depth(1)
            .sort_by(|a, b| {
                natural_cmp(
                    &a.file_name().to_string_lossy(),
                    &b.file_name().to_string_lossy(),
                )
            })
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        assert_eq!(found.len(), 10 + 2 * 55);
        assert_eq!(found, walked);
    }
    use crate::code::Code;

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
        let codes: Vec<&str> = b.file_findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, [Code::E003, Code::E001]);
        assert!(b.file_findings[0].message.contains("未见绩效指标表"));
        // A workbook with no form lists none of its sheets: E003 says it all.
        assert!(b.inputs.iter().all(|i| i.other_sheets.is_empty()));
        assert!(
            b.file_findings[1]
                .message
                .contains("文件已损坏或不是表格文件")
        );
    }

    #[test]
    fn sheets_without_a_form_are_listed_in_sheet_order() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/2023/1.xlsx");
        let bytes = std::fs::read(&path).unwrap();
        let mut read = read_bytes(&bytes, &path, &Limits::default()).unwrap();
        assert_eq!(read.len(), 1);
        let form = read.remove(0);
        let form_sheet = form.sheet.clone();
        let grids = vec![
            Grid::from_rows("基本信息", &[&["单位", "某局"]]),
            Grid::new("空表", 3, 3),
            form,
            Grid::from_rows("评审报告", &[&["", ""], &["", "同意"]]),
        ];
        let forms = forms_in(&grids, "x.xlsx");
        assert_eq!(forms.len(), 1);
        assert_eq!(*forms[0].sheet, *form_sheet);
        assert_eq!(other_sheets(&grids, &forms), ["基本信息", "评审报告"]);
    }

    #[test]
    fn natural_order() {
        let mut names = vec![
            "10.xlsx",
            "2.xlsx",
            "1.xlsx",
            "项目10.xlsx",
            "项目2.xlsx",
            "第１０期.xlsx",
            "第9期.xlsx",
            "a02.xlsx",
            "a2.xlsx",
            "a1b.xlsx",
            "b.xlsx",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "1.xlsx",
                "2.xlsx",
                "10.xlsx",
                "a1b.xlsx",
                "a02.xlsx",
                "a2.xlsx",
                "b.xlsx",
                "第9期.xlsx",
                "第１０期.xlsx",
                "项目2.xlsx",
                "项目10.xlsx",
            ]
        );
    }

    /// Every kind of entry a folder can hold, each listed (or left out) as it should be.
    #[cfg(unix)]
    #[test]
    fn discovery_follows_links_and_lists_what_it_skips() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for n in [
            "10.xlsx",
            "2.xlsx",
            "项目10.xlsx",
            "项目2.xlsx",
            "第２期.xlsx",
            "第10期.xlsx",
        ] {
            std::fs::write(d.join(n), b"x").unwrap();
        }
        std::fs::write(d.join(".hidden.xlsx"), b"x").unwrap();
        std::fs::write(d.join(".jixiao-Ab12.tmp"), b"x").unwrap();
        std::fs::create_dir(d.join(".git")).unwrap();
        std::fs::write(d.join(".git/x.xlsx"), b"x").unwrap();
        // GBK 测试 after `~$` and `.`: not UTF-8.
        std::fs::write(d.join(OsStr::from_bytes(b"~$\xb2\xe2\xca\xd4.xlsx")), b"x").unwrap();
        std::fs::write(d.join(OsStr::from_bytes(b".\xb2\xe2.xlsx")), b"x").unwrap();
        symlink(d.join("2.xlsx"), d.join("link.xlsx")).unwrap();
        symlink(d.join("gone.xlsx"), d.join("broken.xlsx")).unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/a.xlsx"), b"x").unwrap();
        symlink(d, d.join("sub/loop")).unwrap();
        symlink(d.join("sub"), d.join("zlinked")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(d.join("fifo"))
            .status()
            .unwrap();
        assert!(fifo.success());
        let _sock = std::os::unix::net::UnixListener::bind(d.join("sock")).unwrap();

        let found = discover(&[d.to_path_buf()]).unwrap();
        let got: Vec<(String, String)> = found
            .iter()
            .map(|f| {
                let rel = f
                    .path
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                let what = match (&f.skip, &f.error) {
                    (Some(s), _) => s.clone(),
                    (_, Some(e)) => format!("E: {e}"),
                    _ => "读取".into(),
                };
                (rel, what)
            })
            .collect();
        let lp = format!(
            "符号链接形成循环（指向上级文件夹 {}），已跳过",
            display_path(d)
        );
        let want: Vec<(String, String)> = [
            (".git", "隐藏文件夹，已跳过"),
            (".hidden.xlsx", "隐藏文件，已跳过"),
            (".\u{fffd}\u{fffd}.xlsx", "隐藏文件，已跳过"),
            ("2.xlsx", "读取"),
            ("10.xlsx", "读取"),
            ("broken.xlsx", "符号链接指向的文件不存在，已跳过"),
            ("fifo", "不是普通文件（命名管道），已跳过"),
            ("link.xlsx", "读取"),
            ("sock", "不是普通文件（套接字），已跳过"),
            ("sub/a.xlsx", "读取"),
            ("sub/loop", &lp),
            ("zlinked/a.xlsx", "读取"),
            ("zlinked/loop", &lp),
            (
                "~$\u{fffd}\u{fffd}\u{fffd}\u{fffd}.xlsx",
                "Excel 锁定文件（~$），已跳过",
            ),
            ("第２期.xlsx", "读取"),
            ("第10期.xlsx", "读取"),
            ("项目2.xlsx", "读取"),
            ("项目10.xlsx", "读取"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);

        // Named directly: a pipe or a device is not read (nothing would end), and fails.
        let named = discover(&[d.join("fifo"), "/dev/zero".into()]).unwrap();
        let errors: Vec<Option<&str>> = named.iter().map(|f| f.error.as_deref()).collect();
        assert_eq!(
            errors,
            [
                Some("不是普通文件（命名管道），无法读取"),
                Some("不是普通文件（设备文件），无法读取")
            ]
        );
        let b = read_found(&named, &Options::default());
        assert!(b.inputs.iter().all(|i| i.status == Status::Failed));
        assert_eq!(
            b.inputs[1].reason.as_deref(),
            Some("不是普通文件（设备文件），无法读取 [E001]")
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
