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

use anyhow::{Context, Result};
use std::io::Write;

/// Excel refuses a cell of more than 32,767 characters. Longer texts (no real form has
/// one) are cut there in the workbook with a note; JSON and CSV keep them whole.
pub fn excel_text(s: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 32_767;
    const CUT: &str = "…（超过 Excel 单元格 32767 字上限，已截断；全文见 JSON/CSV）";
    if s.len() <= MAX || s.chars().count() <= MAX {
        return std::borrow::Cow::Borrowed(s);
    }
    let keep = MAX - CUT.chars().count();
    std::borrow::Cow::Owned(s.chars().take(keep).chain(CUT.chars()).collect())
}

/// Writes the consolidated workbook to `path` atomically, streaming it to disk.
pub fn workbook_to(
    path: &Path,
    batch: &crate::model::Batch,
    opts: &workbook::Options,
) -> Result<()> {
    write_atomic_with(path, |f| {
        let mut w = std::io::BufWriter::new(f);
        workbook::write_xlsx(batch, opts, &mut w).context("无法生成汇总工作簿")?;
        w.flush()?;
        Ok(())
    })
}
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed into
/// place, so a reader never sees a partial file and a failed run leaves nothing behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes).map_err(Into::into))
}

/// As [`write_atomic`], with `write` filling the temporary file (so a large output is
/// streamed to disk rather than built in memory first).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".jixiao-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("无法在 {} 创建临时文件", dir.display()))?;
    let shown = tmp.path().display().to_string();
    write(tmp.as_file_mut()).with_context(|| format!("无法写入临时文件 {shown}"))?;
    // Temporary files are private (0600); the output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("无法写入临时文件 {}", tmp.path().display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("无法写入 {}", path.display()))?;
    Ok(())
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
    }
}
