//! A run's outputs reach the disk all at once or not at all, and a run that was killed is
//! cleaned up by the next one.
//!
//! Why: a run writes several files (the workbook, the JSON, the CSV files, one feedback
//! workbook per department). Nobody may find a new workbook beside a stale JSON, and a run
//! that fails or is killed must leave nothing of its own behind. So:
//! - each output is written to a temporary file beside its destination, named after the
//!   run (`.jixiao-<run>-XXXXXX.tmp`); a lock file `.jixiao-<run>.lock`, locked while the
//!   run lives, marks those files as a live run's in every folder it writes to;
//! - before the first rename every destination is checked replaceable (not read-only; on
//!   Windows not open in Excel/WPS), so the usual failures refuse the set before anything
//!   is replaced;
//! - a journal `.jixiao-<run>.journal` beside the first output lists the renames; each
//!   destination that exists is first moved aside (`.jixiao-<run>-N.old`), so that a rename
//!   failing halfway is rolled back; the journal and what was moved aside are removed once
//!   every rename is done;
//! - the next run that writes into the same folders ([`sweep`]) finishes the renames of a
//!   killed run's journal (its temporary files were complete before the journal was
//!   written) and removes the temporary files of killed runs: only files named after a run
//!   whose lock is free, and earlier versions' temporary files that carry jixiao's marker
//!   ([`crate::own::own_file`]) — never a stranger's.

use crate::own::{self, OwnName, OwnPart};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Outputs written as a set (see the module doc): staged with [`OutputSet::stage`] or
/// [`OutputSet::stage_with`], renamed into place by [`OutputSet::commit`] only once every
/// one was written. A set dropped before that (an error, a full disk) removes its
/// temporary files and any folder it created, leaving the earlier outputs as they were.
pub struct OutputSet {
    run: String,
    staged: Vec<(tempfile::TempPath, PathBuf)>,
    created: Vec<PathBuf>,
    locks: Vec<RunLock>,
}

impl Default for OutputSet {
    fn default() -> Self {
        use std::hash::{BuildHasher, Hasher};
        // Eight hex digits: enough that two runs in one folder do not meet.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        Self {
            run: format!("{:08x}", h.finish() as u32),
            staged: Vec::new(),
            created: Vec::new(),
            locks: Vec::new(),
        }
    }
}

/// One output of [`OutputSet::stage_all`]: its path and what writes it.
pub type Job<'a> = (
    PathBuf,
    Box<dyn FnOnce(&mut std::fs::File) -> Result<()> + Send + 'a>,
);

/// Writes a staged output's temporary file and makes it durable: an ordinary file's
/// permissions (temporary files are private, 0600), synced to the disk.
fn fill(
    tmp: tempfile::NamedTempFile,
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<tempfile::TempPath> {
    synced(written(tmp, path, write)?, path)
}

/// [`fill`] up to the sync.
fn written(
    mut tmp: tempfile::NamedTempFile,
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<tempfile::NamedTempFile> {
    write(tmp.as_file_mut()).map_err(|e| write_temp(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    Ok(tmp)
}

/// [`fill`]'s last step: the written file synced to the disk.
fn synced(tmp: tempfile::NamedTempFile, path: &Path) -> Result<tempfile::TempPath> {
    tmp.as_file()
        .sync_all()
        .map_err(|e| write_temp(path, e.into()))?;
    Ok(tmp.into_temp_path())
}

fn write_temp(path: &Path, source: Error) -> Error {
    Error::WriteTemp {
        path: path.to_path_buf(),
        source: Box::new(source),
    }
}

/// The threads of [`OutputSet::stage_all`] that sync the files its workers have written,
/// and how many written files may wait for them. A sync waits for the disk, not a core:
/// a worker that synced each of a run's 500 feedback workbooks itself left its core
/// idle meanwhile (0.12 s of 3.1 at 10,000 forms; on a hard disk, far more), and syncs
/// waiting together are committed together.
const SYNCERS: usize = 4;
const SYNC_QUEUE: usize = 16;

/// A new temporary file for `path` in its folder, named as run `run`'s (its folder must
/// hold the run's lock, [`OutputSet::lock`]).
fn temp_in(run: &str, path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = dir_of(path);
    tempfile::Builder::new()
        .prefix(&own::run_file_name(run, OwnPart::Temp))
        .suffix(own::TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|source| Error::CreateTemp {
            dir: dir.to_path_buf(),
            source,
        })
}

/// The lock file that tells a live run's files from a killed one's in one folder.
struct RunLock {
    dir: PathBuf,
    path: PathBuf,
    file: Option<File>,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        drop(self.file.take()); // closing releases the lock
        let _ = std::fs::remove_file(&self.path);
    }
}

/// One rename of a committed set, as the journal records it.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    /// The staged temporary file.
    tmp: PathBuf,
    /// The output it becomes.
    target: PathBuf,
    /// Where the earlier output is moved aside, when there was one.
    old: Option<PathBuf>,
}

/// The journal of a set being committed.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// `true` once a rename failed and the set is being put back as it was.
    rolling_back: bool,
    entries: Vec<Entry>,
}

fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

impl OutputSet {
    /// Writes `bytes` for `path`.
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.stage_with(path, |f| f.write_all(bytes).map_err(Into::into))
    }

    /// Creates a folder for outputs (with its parents) unless it exists; removed again if
    /// the set is not committed.
    pub fn create_dir(&mut self, dir: &Path) -> Result<()> {
        let mut missing = Vec::new();
        let mut d = Some(dir);
        while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            missing.push(p.to_path_buf());
            d = p.parent();
        }
        std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        self.created.extend(missing);
        Ok(())
    }

    /// Marks `dir` as holding this live run's files (once per folder).
    fn lock(&mut self, dir: &Path) -> Result<()> {
        if self.locks.iter().any(|l| l.dir == dir) {
            return Ok(());
        }
        let path = dir.join(own::run_file_name(&self.run, OwnPart::Lock));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| Error::CreateTemp {
                dir: dir.to_path_buf(),
                source,
            })?;
        // A folder whose file system cannot lock (some network shares) still gets the
        // file: a later run then cannot tell this run dead and leaves its files alone.
        let _ = file.try_lock();
        self.locks.push(RunLock {
            dir: dir.to_path_buf(),
            path,
            file: Some(file),
        });
        Ok(())
    }

    /// As [`OutputSet::stage`], with `write` filling the temporary file (so a large
    /// output is streamed to disk rather than built in memory first).
    pub fn stage_with(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut std::fs::File) -> Result<()>,
    ) -> Result<()> {
        let tmp = self.temp_for(path)?;
        let tmp = fill(tmp, path, write)?;
        self.staged.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Stages several outputs at once, each written on its own task (rayon), so the JSON,
    /// the CSV files and the workbook are written side by side rather than one after the
    /// other. They are staged in the order given; the first error in that order is
    /// returned, and then none of them is staged (their temporary files are removed).
    pub fn stage_all(&mut self, jobs: Vec<Job<'_>>) -> Result<()> {
        use rayon::prelude::*;
        for (path, _) in &jobs {
            self.lock(dir_of(path))?;
        }
        // Each temporary file is created on its task and holds one file descriptor only
        // while written and waiting for its sync ([`SYNCERS`], [`SYNC_QUEUE`]): a set of
        // 5,000 feedback workbooks never has 5,000 open at once.
        let run = self.run.as_str();
        let stage = move || -> Vec<Result<(tempfile::TempPath, PathBuf)>> {
            let n = jobs.len();
            let (tx, rx) =
                std::sync::mpsc::sync_channel::<(usize, tempfile::NamedTempFile)>(SYNC_QUEUE);
            let rx = std::sync::Mutex::new(rx);
            let done: std::sync::Mutex<Vec<Option<Result<tempfile::TempPath>>>> =
                std::sync::Mutex::new((0..n).map(|_| None).collect());
            let paths: Vec<PathBuf> = jobs.iter().map(|(p, _)| p.clone()).collect();
            let written: Vec<Result<()>> = std::thread::scope(|scope| {
                for _ in 0..SYNCERS.min(n) {
                    scope.spawn(|| {
                        loop {
                            let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                            let Ok((k, tmp)) = next else { break };
                            let r = synced(tmp, &paths[k]);
                            done.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(r);
                        }
                    });
                }
                let written = jobs
                    .into_par_iter()
                    .enumerate()
                    .with_max_len(1)
                    .map(|(k, (path, write))| {
                        let tmp = written(temp_in(run, &path)?, &path, write)?;
                        // Only fails when every syncer has stopped, which they do once
                        // this sender is dropped below.
                        tx.send((k, tmp)).map_err(|_| {
                            write_temp(&path, std::io::Error::other("sync stopped").into())
                        })
                    })
                    .collect();
                drop(tx);
                written
            });
            let done = done.into_inner().unwrap_or_else(|e| e.into_inner());
            written
                .into_iter()
                .zip(done)
                .zip(paths)
                .map(|((w, d), path)| {
                    w?;
                    let tmp = d.unwrap_or_else(|| {
                        Err(write_temp(
                            &path,
                            std::io::Error::other("not synced").into(),
                        ))
                    })?;
                    Ok((tmp, path))
                })
                .collect()
        };
        // One worker more than the run's: rust_xlsxwriter's save blocks its caller while a
        // thread of its own assembles each sheet, and a run's 500 department workbooks
        // are 1,500 such waits in which a core would idle (10,000 forms with `--feedback`:
        // 6 % faster; plain runs, one output, unchanged). `-j 1` stays one.
        let n = rayon::current_num_threads();
        let pool = (n > 1).then(|| rayon::ThreadPoolBuilder::new().num_threads(n + 1).build());
        let written = match pool {
            Some(Ok(pool)) => pool.install(stage),
            _ => stage(),
        };
        // The first error in the order given; the files written are then removed (their
        // `TempPath`s dropped) and none is staged.
        let written: Vec<(tempfile::TempPath, PathBuf)> =
            written.into_iter().collect::<Result<_>>()?;
        self.staged.extend(written);
        Ok(())
    }

    /// A new temporary file for `path`, in its folder, under the run's lock.
    fn temp_for(&mut self, path: &Path) -> Result<tempfile::NamedTempFile> {
        self.lock(dir_of(path))?;
        temp_in(&self.run, path)
    }

    /// Renames every staged file into place, or none: every destination is first checked
    /// replaceable ([`Error::NotReplaceable`], nothing replaced); should a rename fail all
    /// the same, the ones done are undone and the earlier outputs put back
    /// ([`Error::Rename`]). A run killed in between is finished by the next ([`sweep`]).
    pub fn commit(mut self) -> Result<()> {
        let staged = std::mem::take(&mut self.staged);
        let Some((_, first)) = staged.first() else {
            return Ok(());
        };
        for (_, target) in &staged {
            replaceable(target)?;
        }
        let journal_path = dir_of(first).join(own::run_file_name(&self.run, OwnPart::Journal));
        let mut journal = Journal {
            rolling_back: false,
            entries: staged
                .iter()
                .enumerate()
                .map(|(k, (tmp, target))| Entry {
                    tmp: absolute(tmp),
                    target: absolute(target),
                    old: std::fs::symlink_metadata(target).is_ok().then(|| {
                        absolute(
                            &dir_of(target).join(own::run_file_name(&self.run, OwnPart::Old(k))),
                        )
                    }),
                })
                .collect(),
        };
        // Without a journal (a path that is not UTF-8, a disk that filled just now) the set
        // is still all or nothing on a failed rename; only a kill in between would not be
        // finished by the next run.
        let _ = write_journal(&journal_path, &journal);
        let mut done = 0;
        let mut failure = None;
        for (k, (tmp, target)) in staged.into_iter().enumerate() {
            test_hook_kill(k);
            if let Err(source) = swap(&journal.entries[k], tmp) {
                failure = Some(Error::Rename {
                    path: target,
                    source,
                });
                break;
            }
            done = k + 1;
        }
        if let Some(e) = failure {
            journal.rolling_back = true;
            let _ = write_journal(&journal_path, &journal);
            roll_back(&journal.entries[..done]);
            let _ = std::fs::remove_file(&journal_path);
            return Err(e);
        }
        for e in &journal.entries {
            if let Some(old) = &e.old {
                let _ = std::fs::remove_file(old);
            }
        }
        let _ = std::fs::remove_file(&journal_path);
        self.created.clear();
        Ok(())
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        // Temporary files go with their `TempPath`s; then the locks; then the folders.
        self.staged.clear();
        self.locks.clear();
        for d in &self.created {
            let _ = std::fs::remove_dir(d);
        }
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn write_journal(path: &Path, journal: &Journal) -> Result<()> {
    let bytes = serde_json::to_vec(journal).map_err(std::io::Error::other)?;
    let write = || -> std::io::Result<()> {
        let mut f = File::create(path)?;
        f.write_all(&bytes)?;
        f.sync_all()
    };
    write().map_err(|source| Error::CreateTemp {
        dir: dir_of(path).to_path_buf(),
        source,
    })
}

/// One output into place: the earlier one moved aside first, and back should the new
/// one not go in.
fn swap(e: &Entry, tmp: tempfile::TempPath) -> std::io::Result<()> {
    if let Some(old) = &e.old {
        std::fs::rename(&e.target, old)?;
    }
    let put = test_hook_fail(&e.target).and_then(|()| tmp.persist(&e.target).map_err(|e| e.error));
    if put.is_err()
        && let Some(old) = &e.old
    {
        let _ = std::fs::rename(old, &e.target);
    }
    put
}

/// Undoes the renames of `done`, last first: each earlier output back in place, each new
/// output that had none before removed.
fn roll_back(done: &[Entry]) {
    for e in done.iter().rev() {
        match &e.old {
            Some(old) => {
                let _ = std::fs::rename(old, &e.target);
            }
            None => {
                let _ = std::fs::remove_file(&e.target);
            }
        }
    }
}

/// Whether `target` can be replaced: nothing there, or a file that is not read-only and
/// (on Windows) not held open by another program. A folder is refused too.
fn replaceable(target: &Path) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if meta.is_dir() {
        return Err(Error::OutputIsFolder {
            path: target.to_path_buf(),
        });
    }
    if meta.is_file() && meta.permissions().readonly() {
        return Err(Error::NotReplaceable {
            path: target.to_path_buf(),
            why: "文件为只读，请先在其“属性”中取消只读".into(),
        });
    }
    // Test hook (debug builds only): `JIXIAO_TEST_IN_USE=NAME` answers for the output
    // named NAME as Windows does for a file open in Excel/WPS.
    if cfg!(debug_assertions)
        && std::env::var("JIXIAO_TEST_IN_USE")
            .is_ok_and(|n| target.file_name().is_some_and(|f| f.to_string_lossy() == n))
    {
        return Err(Error::NotReplaceable {
            path: target.to_path_buf(),
            why: "文件被其他程序占用，请先在 Excel/WPS 中关闭它（系统错误 32）".into(),
        });
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // DELETE access, sharing everything: refused while Excel or WPS holds the file.
        const DELETE: u32 = 0x0001_0000;
        if let Err(e) = std::fs::OpenOptions::new()
            .access_mode(DELETE)
            .share_mode(7)
            .open(target)
        {
            return Err(Error::NotReplaceable {
                path: target.to_path_buf(),
                why: crate::error::io_words(&e),
            });
        }
    }
    Ok(())
}

/// Test hook (debug builds only): `JIXIAO_TEST_KILL_AT_RENAME=k` ends the process, as
/// `kill -9` would, before the set's rename `k` (0 is before the first).
fn test_hook_kill(k: usize) {
    if cfg!(debug_assertions)
        && std::env::var("JIXIAO_TEST_KILL_AT_RENAME").is_ok_and(|v| v == k.to_string())
    {
        std::process::abort();
    }
}

/// Test hook (debug builds only): `JIXIAO_TEST_FAIL_RENAME=NAME` fails the rename onto
/// the output whose file name is NAME, as a file held open on Windows would.
fn test_hook_fail(target: &Path) -> std::io::Result<()> {
    if cfg!(debug_assertions)
        && let Ok(name) = std::env::var("JIXIAO_TEST_FAIL_RENAME")
        && target
            .file_name()
            .is_some_and(|n| n.to_string_lossy() == name)
    {
        return Err(std::io::Error::from(std::io::ErrorKind::ResourceBusy));
    }
    Ok(())
}

/// Whether the run named `run` is gone from `dir`: its lock file is missing, or present
/// and free. A lock that cannot be tested (no locking on this file system) counts as live.
fn run_is_dead(dir: &Path, run: &str) -> bool {
    let path = dir.join(own::run_file_name(run, OwnPart::Lock));
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
    {
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        Ok(f) => f.try_lock().is_ok(),
    }
}

/// Cleans up after runs that were killed, in the folders a run is about to write to:
/// finishes the renames of a killed run's journal (or puts its set back as it was, had it
/// begun to), then removes killed runs' temporary and lock files and earlier versions'
/// temporary files that carry jixiao's marker. Returns what it did, in Chinese, for the
/// console.
pub fn sweep(dirs: &[&Path]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut listed = Vec::new();
    for dir in dirs {
        let key = absolute(dir);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        let names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(own::TEMP_PREFIX))
            .collect();
        listed.push((dir.to_path_buf(), names));
    }
    // Journals first: their renames may reach into the other folders.
    for (dir, names) in &listed {
        for name in names {
            let Some(OwnName {
                run,
                part: OwnPart::Journal,
            }) = own::parse_own_name(name)
            else {
                continue;
            };
            if !run_is_dead(dir, run) {
                continue;
            }
            let path = dir.join(name);
            let journal = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Journal>(&b).ok());
            if let Some(j) = journal {
                notes.push(recover(&j));
            }
            let _ = std::fs::remove_file(&path);
        }
    }
    let mut removed = 0;
    for (dir, names) in &listed {
        for name in names {
            let path = dir.join(name);
            let gone = match own::parse_own_name(name) {
                Some(OwnName {
                    run,
                    part: OwnPart::Temp | OwnPart::Lock,
                }) => run_is_dead(dir, run) && std::fs::remove_file(&path).is_ok(),
                Some(_) => false,
                // An earlier version's `.jixiao-XXXXXX.tmp`: only one that is jixiao's by
                // its content.
                None => {
                    own::is_own_temp(name)
                        && own::own_file(&path).is_some()
                        && std::fs::remove_file(&path).is_ok()
                }
            };
            if gone && !name.ends_with(".lock") {
                removed += 1;
            }
        }
    }
    if removed > 0 {
        notes.push(format!(
            "已清除先前中断的运行留下的 {removed} 个临时文件（.jixiao-*.tmp）"
        ));
    }
    notes
}

/// Finishes a killed run's journal: forward when its renames were under way (every
/// temporary file was complete before the journal was written), backward when it was
/// rolling back. Returns the note for the console.
fn recover(j: &Journal) -> String {
    let shown = |e: &Entry| {
        e.target
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    if j.rolling_back {
        for e in j.entries.iter().rev() {
            match &e.old {
                Some(old) if old.exists() => {
                    let _ = std::fs::rename(old, &e.target);
                }
                None if !e.tmp.exists() => {
                    let _ = std::fs::remove_file(&e.target);
                }
                _ => {}
            }
            let _ = std::fs::remove_file(&e.tmp);
        }
        return "先前一次运行在恢复输出文件时中断，已把输出文件恢复为那次运行之前的样子".into();
    }
    let mut finished = Vec::new();
    for e in &j.entries {
        if e.tmp.exists() {
            let moved_aside = match &e.old {
                Some(old) if !old.exists() && e.target.exists() => {
                    std::fs::rename(&e.target, old).is_ok()
                }
                _ => true,
            };
            if moved_aside && std::fs::rename(&e.tmp, &e.target).is_ok() {
                finished.push(shown(e));
            }
        }
        if let Some(old) = &e.old {
            let _ = std::fs::remove_file(old);
        }
    }
    if finished.is_empty() {
        "先前一次运行在替换输出文件时中断；其输出文件均已就位".into()
    } else {
        format!(
            "先前一次运行在替换输出文件时中断，已补完其余 {} 个输出文件（{}）",
            finished.len(),
            finished.join("、")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own_files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(own::TEMP_PREFIX))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_set_is_renamed_whole_and_leaves_nothing_of_its_own() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a.json"), d.path().join("b.csv"));
        std::fs::write(&a, "old a").unwrap();
        let mut set = OutputSet::default();
        set.stage(&a, b"new a").unwrap();
        set.stage(&b, b"new b").unwrap();
        assert_eq!(own_files(d.path()).len(), 3, "two temps and the lock");
        assert_eq!(std::fs::read(&a).unwrap(), b"old a");
        set.commit().unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"new a");
        assert_eq!(std::fs::read(&b).unwrap(), b"new b");
        assert!(own_files(d.path()).is_empty(), "{:?}", own_files(d.path()));
    }

    /// Many outputs at once, more than the syncers and their queue hold: each staged in
    /// the order given, each file whole; then one that fails: its error (the first in the
    /// order given), nothing staged, no temporary file left.
    #[test]
    fn outputs_staged_together_are_synced_in_order_and_a_failure_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let n = SYNCERS + SYNC_QUEUE + 7;
        let paths: Vec<PathBuf> = (0..n).map(|i| d.path().join(format!("{i}.csv"))).collect();
        let jobs = |fail: Option<usize>| -> Vec<Job<'static>> {
            paths
                .iter()
                .enumerate()
                .map(|(i, p)| -> Job<'static> {
                    (
                        p.clone(),
                        Box::new(move |f: &mut std::fs::File| {
                            if Some(i) == fail || fail.is_some_and(|k| i == k + 3) {
                                return Err(std::io::Error::other(format!("job {i}")).into());
                            }
                            f.write_all(format!("file {i}").as_bytes())?;
                            Ok(())
                        }),
                    )
                })
                .collect()
        };
        let mut set = OutputSet::default();
        set.stage_all(jobs(None)).unwrap();
        let staged: Vec<&PathBuf> = set.staged.iter().map(|(_, p)| p).collect();
        assert_eq!(staged, paths.iter().collect::<Vec<_>>());
        set.commit().unwrap();
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(p).unwrap(), format!("file {i}"));
        }
        assert!(own_files(d.path()).is_empty(), "{:?}", own_files(d.path()));

        let mut set = OutputSet::default();
        let e = set.stage_all(jobs(Some(5))).unwrap_err();
        assert!(matches!(e, Error::WriteTemp { .. }), "{e:?}");
        assert!(format!("{e:?}").contains("job 5"), "{e:?}");
        assert!(set.staged.is_empty());
        drop(set);
        assert!(own_files(d.path()).is_empty(), "{:?}", own_files(d.path()));
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(p).unwrap(), format!("file {i}"));
        }
    }

    #[test]
    fn a_read_only_output_refuses_the_set_before_any_rename() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a.json"), d.path().join("b.csv"));
        std::fs::write(&a, "old a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        let mut p = std::fs::metadata(&b).unwrap().permissions();
        p.set_readonly(true);
        std::fs::set_permissions(&b, p).unwrap();
        let mut set = OutputSet::default();
        set.stage(&a, b"new a").unwrap();
        set.stage(&b, b"new b").unwrap();
        let e = set.commit().unwrap_err();
        assert!(matches!(e, Error::NotReplaceable { .. }), "{e:?}");
        assert!(e.to_string().contains("只读"), "{e}");
        assert_eq!(std::fs::read(&a).unwrap(), b"old a");
        assert!(own_files(d.path()).is_empty());
    }

    #[test]
    fn a_killed_runs_files_are_swept_and_a_live_runs_are_not() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("x.json");
        // A live run: its lock is held.
        let mut live = OutputSet::default();
        live.stage(&out, b"live").unwrap();
        // A killed run: its temp file and its lock file, the lock free.
        std::fs::write(d.path().join(".jixiao-0badcafe-Ab12Cd.tmp"), "x").unwrap();
        std::fs::write(d.path().join(".jixiao-0badcafe.lock"), "").unwrap();
        // A stranger's file with a similar name, and an old version's temp without marker.
        std::fs::write(d.path().join(".jixiao-notes.txt"), "mine").unwrap();
        std::fs::write(d.path().join(".jixiao-Zz9Yy8.tmp"), "a,b").unwrap();
        let notes = sweep(&[d.path()]);
        assert_eq!(
            notes,
            ["已清除先前中断的运行留下的 1 个临时文件（.jixiao-*.tmp）"]
        );
        let left = own_files(d.path());
        assert_eq!(left.len(), 4, "{left:?}");
        assert!(left.contains(&".jixiao-notes.txt".to_string()));
        assert!(left.contains(&".jixiao-Zz9Yy8.tmp".to_string()));
        live.commit().unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"live");
    }

    #[test]
    fn a_journal_of_a_killed_run_is_finished() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        // Killed after `a` was renamed: `a` is new, `b`'s new copy still a temp file, its
        // old copy in place.
        std::fs::write(&a, "new a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        let tb = d.path().join(".jixiao-00c0ffee-x.tmp");
        std::fs::write(&tb, "new b").unwrap();
        let oa = d.path().join(".jixiao-00c0ffee-0.old");
        std::fs::write(&oa, "old a").unwrap();
        let j = Journal {
            rolling_back: false,
            entries: vec![
                Entry {
                    tmp: d.path().join(".jixiao-00c0ffee-y.tmp"),
                    target: a.clone(),
                    old: Some(oa),
                },
                Entry {
                    tmp: tb,
                    target: b.clone(),
                    old: Some(d.path().join(".jixiao-00c0ffee-1.old")),
                },
            ],
        };
        write_journal(&d.path().join(".jixiao-00c0ffee.journal"), &j).unwrap();
        let notes = sweep(&[d.path()]);
        assert_eq!(
            notes,
            ["先前一次运行在替换输出文件时中断，已补完其余 1 个输出文件（b）"]
        );
        assert_eq!(std::fs::read(&a).unwrap(), b"new a");
        assert_eq!(std::fs::read(&b).unwrap(), b"new b");
        assert!(own_files(d.path()).is_empty(), "{:?}", own_files(d.path()));
    }
}
