//! Outputs: one module per format. Writers turn a [`crate::model::Batch`] into bytes and
//! nothing else; [`write_atomic`] is the one way they reach the disk.

pub mod csv;
pub mod feedback;
pub mod forms;
pub mod json;
pub mod sheetdata;
pub mod tables;
pub mod terminal;
pub mod workbook;

use crate::{Error, Result};
use std::io::Write;

/// Excel refuses a cell of more than 32,767 characters (UTF-16 units: a character outside
/// the Basic Multilingual Plane counts two). Longer texts (no real form has one) are cut
/// there in the workbook with a note; JSON and CSV keep them whole.
pub fn excel_text(s: &str) -> std::borrow::Cow<'_, str> {
    cut_text(s, 32_767)
}

/// As [`excel_text`] for a cell's note, which Excel holds to 32,767 less room for the
/// author's name (rust_xlsxwriter refuses more than 32,713).
pub fn excel_note(s: &str) -> std::borrow::Cow<'_, str> {
    cut_text(s, 32_767 - 54)
}

fn cut_text(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    const CUT: &str = "…（超过 Excel 单元格 32767 字上限，已截断；全文见 JSON/CSV）";
    // UTF-8 takes at least as many bytes as UTF-16 units, so a short text is fine as is.
    if s.len() <= max || s.encode_utf16().count() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    let room = max - CUT.encode_utf16().count();
    let mut used = 0;
    let keep = s
        .char_indices()
        .find(|(_, c)| {
            used += c.len_utf16();
            used > room
        })
        .map_or(s.len(), |(i, _)| i);
    std::borrow::Cow::Owned(format!("{}{CUT}", &s[..keep]))
}

/// Stages the consolidated workbook for `path` in `set`, streaming it to disk, with the
/// form sheets [`workbook::form_sheets`] built.
pub fn stage_workbook(
    set: &mut OutputSet,
    path: &Path,
    batch: &crate::model::Batch,
    opts: &workbook::Options,
    sheets: workbook::Prepared,
) -> Result<()> {
    set.stage_with(path, |f| {
        let mut w = std::io::BufWriter::new(f);
        workbook::write_prepared(batch, opts, sheets, &mut w).map_err(Error::Workbook)?;
        w.flush()?;
        Ok(())
    })
}

/// Writes the consolidated workbook to `path` atomically (see [`stage_workbook`]).
pub fn workbook_to(
    path: &Path,
    batch: &crate::model::Batch,
    opts: &workbook::Options,
    sheets: workbook::Prepared,
) -> Result<()> {
    let mut set = OutputSet::default();
    stage_workbook(&mut set, path, batch, opts, sheets)?;
    set.commit()
}

use std::path::{Path, PathBuf};

/// Outputs written as a set: each to a temporary file (`.jixiao-*.tmp`) beside its
/// destination, and renamed into place by [`OutputSet::commit`] only once every one was
/// written. A set dropped before that (an error, a full disk) removes its temporary files
/// and any folder it created, leaving the earlier outputs as they were: never a new
/// workbook beside a stale JSON.
#[derive(Default)]
pub struct OutputSet {
    staged: Vec<(tempfile::TempPath, PathBuf)>,
    created: Vec<PathBuf>,
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

    /// As [`OutputSet::stage`], with `write` filling the temporary file (so a large
    /// output is streamed to disk rather than built in memory first).
    pub fn stage_with(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut std::fs::File) -> Result<()>,
    ) -> Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(crate::own::TEMP_PREFIX)
            .suffix(crate::own::TEMP_SUFFIX)
            .tempfile_in(dir)
            .map_err(|source| Error::CreateTemp {
                dir: dir.to_path_buf(),
                source,
            })?;
        let shown = tmp.path().to_path_buf();
        let failed = |source: Error| Error::WriteTemp {
            path: shown.clone(),
            source: Box::new(source),
        };
        write(tmp.as_file_mut()).map_err(failed)?;
        // Temporary files are private (0600); the output is an ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.as_file().sync_all().map_err(|e| failed(e.into()))?;
        self.staged.push((tmp.into_temp_path(), path.to_path_buf()));
        Ok(())
    }

    /// Renames every staged file into place. Renames within a folder do not need space,
    /// so once all were written this does not fail for a full disk; should one fail all
    /// the same, the files not yet renamed are removed.
    pub fn commit(mut self) -> Result<()> {
        for (tmp, path) in std::mem::take(&mut self.staged) {
            tmp.persist(&path).map_err(|e| Error::Rename {
                path: path.clone(),
                source: e.error,
            })?;
        }
        self.created.clear();
        Ok(())
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        // Temporary files go with their `TempPath`s; then the folders made for them.
        self.staged.clear();
        for d in &self.created {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed into
/// place, so a reader never sees a partial file and a failed run leaves nothing behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut set = OutputSet::default();
    set.stage(path, bytes)?;
    set.commit()
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_text_cuts_only_what_excel_cannot_hold() {
        assert_eq!(super::excel_text("短"), "短");
        let long = "字".repeat(40_000);
        let cut = super::excel_text(&long);
        assert_eq!(cut.chars().count(), 32_767);
        assert!(cut.ends_with("全文见 JSON/CSV）"));
        // Excel counts UTF-16 units: 𠀀 (outside the BMP) is two.
        let wide = "𠀀".repeat(20_000);
        let cut = super::excel_text(&wide);
        // 32,725 units of room for the text: 16,362 of them, and the note's 42.
        assert_eq!(cut.encode_utf16().count(), 32_766);
        assert_eq!(cut.chars().count(), 16_362 + 42);
        assert_eq!(super::excel_text(&"𠀀".repeat(16_383)).len(), 16_383 * 4);
        let note = super::excel_note(&long);
        assert_eq!(note.encode_utf16().count(), 32_713);
    }
}
