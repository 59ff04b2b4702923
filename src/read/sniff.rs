//! What format a file's bytes are in, one test per format, and text files decoded.
//!
//! The format is sniffed from the file's first bytes, not trusted from its extension:
//! budget systems save SpreadsheetML and HTML tables under an .xls name, and WPS saves
//! .et files as XLSX. The extension only tells the zip-based formats apart when their
//! content does not. The tests are tried in the order of [`super::FORMATS`]; each may
//! assume the ones before it said no.

use std::path::Path;

/// Whether bytes (with their file's extension, lowercased) are of a format.
pub(crate) type Sniff = fn(bytes: &[u8], ext: &str) -> bool;

/// The file's extension, lowercased; empty when it has none.
pub(crate) fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn is_cfb(bytes: &[u8]) -> bool {
    bytes.starts_with(&CFB_MAGIC)
}

/// A zip whose first entry names the OpenDocument spreadsheet type, or named .ods.
pub(crate) fn ods(bytes: &[u8], ext: &str) -> bool {
    if !is_zip(bytes) {
        return false;
    }
    let head = &bytes[..bytes.len().min(200)];
    head.windows(b"opendocument.spreadsheet".len())
        .any(|w| w == b"opendocument.spreadsheet")
        || ext == "ods"
}

/// A zip named .xlsb.
pub(crate) fn xlsb(bytes: &[u8], ext: &str) -> bool {
    is_zip(bytes) && ext == "xlsb"
}

/// Any other zip (.xlsx, .xlsm, WPS's .et).
pub(crate) fn xlsx(bytes: &[u8], _: &str) -> bool {
    is_zip(bytes)
}

/// An OLE container holding an encrypted OOXML package: its directory names these
/// streams (in UTF-16LE).
pub(crate) fn encrypted_ooxml(bytes: &[u8], _: &str) -> bool {
    if !is_cfb(bytes) {
        return false;
    }
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let info = utf16("EncryptionInfo");
    let pkg = utf16("EncryptedPackage");
    let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
    has(&info) && has(&pkg)
}

/// Any other OLE container: Excel 97-2003.
pub(crate) fn xls(bytes: &[u8], _: &str) -> bool {
    is_cfb(bytes)
}

/// Excel 2003 XML: its namespace, or the processing instruction that opens it in Excel.
pub(crate) fn spreadsheetml(bytes: &[u8], _: &str) -> bool {
    if is_zip(bytes) || is_cfb(bytes) {
        return false;
    }
    let lower = text_head(bytes).to_ascii_lowercase();
    lower.contains("urn:schemas-microsoft-com:office:spreadsheet")
        || lower.contains("progid=\"excel.sheet\"")
}

/// An HTML page or table.
pub(crate) fn html(bytes: &[u8], _: &str) -> bool {
    if is_zip(bytes) || is_cfb(bytes) {
        return false;
    }
    let lower = text_head(bytes).to_ascii_lowercase();
    lower.contains("<table") || lower.contains("<html")
}

/// The first 4 KB as text (lossy), skipping a byte-order mark.
fn text_head(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    String::from_utf8_lossy(head).into_owned()
}

/// Decodes a text file: UTF-8 (with or without BOM), else the charset it declares
/// (GBK/GB2312/GB18030, as old government systems write), else GB18030.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = text_head(bytes).to_ascii_lowercase();
    let label = ["charset=", "encoding=\""]
        .iter()
        .find_map(|k| {
            let i = head.find(k)? + k.len();
            let rest = head[i..].trim_start_matches(['"', '\'']);
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            Some(rest[..end].to_string())
        })
        .unwrap_or_else(|| "gb18030".into());
    let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::GB18030);
    enc.decode(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_text_is_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=gbk><td>项目名称</td>");
        assert!(decode_text(&gbk).contains("项目名称"));
        assert_eq!(decode_text("\u{feff}项目".as_bytes()), "项目");
    }
}
