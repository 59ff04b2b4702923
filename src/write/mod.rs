//! Outputs: one module per format. Writers turn a [`crate::model::Batch`] into bytes and
//! nothing else; [`write_atomic`] is the one way they reach the disk.

pub mod csv;
pub mod disk;
pub mod feedback;
mod filelist;
pub mod forms;
mod formxml;
pub mod json;
pub mod review;
pub mod sample;
pub mod sheetdata;
pub mod tables;
pub mod terminal;
pub mod workbook;

/// The parts of a package, unzipped, by name (for the unit tests of the writers; the
/// integration tests have their own in tests/common).
#[cfg(test)]
pub(crate) fn parts(package: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            (f.name().unwrap().to_string(), body)
        })
        .collect()
}

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
    set.stage_with(path, |f| workbook_into(f, batch, opts, sheets))
}

/// Writes the consolidated workbook into an output's temporary file (an
/// [`OutputSet::stage_all`] job).
pub fn workbook_into(
    f: &mut std::fs::File,
    batch: &crate::model::Batch,
    opts: &workbook::Options,
    sheets: workbook::Prepared,
) -> Result<()> {
    let mut w = std::io::BufWriter::new(f);
    workbook::write_prepared(batch, opts, sheets, &mut w).map_err(Error::Workbook)?;
    w.flush()?;
    Ok(())
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

use std::path::Path;

pub use disk::OutputSet;

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
