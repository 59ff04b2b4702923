//! Outputs: one module per format. Writers turn a [`crate::model::Batch`] into bytes and
//! nothing else; [`write_atomic`] is the one way they reach the disk.

pub mod csv;
pub mod forms;
pub mod json;
pub mod sheetdata;
pub mod tables;
pub mod terminal;
pub mod workbook;

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed into
/// place, so a reader never sees a partial file and a failed run leaves nothing behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".jixiao-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("无法在 {} 创建临时文件", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("无法写入临时文件 {}", tmp.path().display()))?;
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
