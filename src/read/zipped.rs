//! What every zip-based package (XLSX, XLSB, ODS) is checked for before its reader opens
//! it: two entries of one name.
//!
//! The zip library keeps one entry per name, silently the last, and Excel, LibreOffice
//! and calamine each choose their own; a package with two `xl/worksheets/sheet1.xml`
//! could show the clerk one sheet and jixiao another. Such a file is refused (E001),
//! naming the entry.

use super::ReadError;
use std::io::Cursor;

/// E001 when the package has two entries of one name; not a zip, or a broken one, is
/// left to the format's reader, which says what is wrong with it.
pub(crate) fn check(bytes: &[u8]) -> Result<(), ReadError> {
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    check_archive(&zip, bytes)
}

/// [`check`] on the archive of `bytes` already open (the XLSX reader opens it once for
/// the check and the reading: parsing the directory twice was 0.6 % of a conversion).
pub(crate) fn check_archive<R: std::io::Read + std::io::Seek>(
    zip: &zip::ZipArchive<R>,
    bytes: &[u8],
) -> Result<(), ReadError> {
    if !zip.has_duplicate_names() {
        return Ok(());
    }
    let start = zip.offset().saturating_add(zip.central_directory_start());
    let why = match usize::try_from(start)
        .ok()
        .and_then(|s| duplicate(bytes, s))
    {
        Some(name) => format!("压缩包内有重复的条目 {name}，无法确定读哪一个"),
        None => "压缩包内有重复的条目，无法确定读哪一个".to_string(),
    };
    Err(ReadError::corrupt(why))
}

/// The first name met twice in the central directory that starts at `at`.
fn duplicate(bytes: &[u8], mut at: usize) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    let u16_at = |i: usize| -> Option<usize> {
        let b = bytes.get(i..i + 2)?;
        Some(u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    while bytes.get(at..at + 4)? == b"PK\x01\x02" {
        let (name, extra, comment) = (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let raw = bytes.get(at + 46..at + 46 + name)?;
        let name = String::from_utf8_lossy(raw).into_owned();
        if !seen.insert(name.clone()) {
            return Some(name);
        }
        at += 46 + raw.len() + extra + comment;
    }
    None
}
