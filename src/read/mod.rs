//! Reading spreadsheet files into [`Grid`]s, one reader per format, each within the
//! caller's [`Limits`].
//!
//! Every format implements one contract, `Reader`: the file's bytes and the limits in,
//! one grid per worksheet (or per HTML table) out, or a [`ReadError`] in the clerk's
//! words. [`read_bytes`] walks the table `FORMATS` of (format, sniff, reader) and reads
//! the file with the first format whose sniff knows its bytes: the content decides, not
//! the extension, and each format's reader is opened directly so that its own error (a
//! password, a broken zip) reaches the user instead of a generic "cannot detect format".
//!
//! Files are sent by many people and systems, some broken, some hostile, so every
//! reader charges what it keeps to a per-file budget (`budget.rs`) before it allocates,
//! and a reader that panics is contained: that file gets E001, the batch goes on.
//!
//! One file per format: `xlsx.rs` (a single-pass reader, calamine as its fallback),
//! `xls.rs` and `ods.rs` (a pre-scan, then calamine), `xlsb.rs` (calamine, streamed),
//! `spreadsheetml.rs` and `html.rs` (jixiao's own, for what budget systems save as .xls).
//! calamine is named only in those files and `calamine.rs`, which turns its values into
//! jixiao's. Every zip-based package is first checked for two entries of one name
//! (`zipped.rs`).

use crate::code::Code;
use crate::grid::Grid;
use budget::Budget;

mod budget;
mod calamine;
mod html;
mod ods;
mod sniff;
mod spreadsheetml;
mod xls;
mod xlsb;
mod xlsx;
mod xml;
mod zipped;

pub use self::calamine::is_percent_format;
pub use sniff::decode_text;
use std::path::Path;
pub(crate) use xlsx::first_cell as xlsx_first_cell;
pub(crate) use xlsx::sheets as sheet_parts;

/// Limits that keep a hostile or broken file from exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Most cells one file may span: every sheet from A1 to its last used cell, plus the
    /// area of every merged region, added up over the file.
    pub max_sheet_cells: u64,
    /// Most text one file's cells may hold, in bytes (a long string repeated in many
    /// cells counts each time).
    pub max_text_bytes: u64,
    /// Most worksheets in one file.
    pub max_sheets: u64,
    /// Most merged regions in one file.
    pub max_merges: u64,
    /// Most bytes inflated from one zip-based file's parts, together.
    pub max_inflated_bytes: u64,
    /// Read XLSX through calamine only, never the single-pass reader: for tests that
    /// check both paths give the same result.
    #[doc(hidden)]
    pub xlsx_via_calamine: bool,
    /// A sheet to read first, and alone when it says the workbook is to be skipped: a
    /// batch skips jixiao's own output, known by its 说明 sheet (`crate::own`), and
    /// reading its list sheets first cost as much as reading every form it lists. The
    /// readers know no marker: the caller says which sheet and what it must show.
    pub early_sheet: Option<EarlySheet>,
}

/// A sheet read before the others: its name, the test that ends the read there, and how
/// many sheets the file may then have (jixiao's own feedback workbook, one sheet per form
/// of a department, is read back whole: a department of over 1,000 forms was refused).
#[derive(Debug, Clone, Copy)]
pub struct EarlySheet {
    pub name: &'static str,
    pub stop: fn(&Grid) -> bool,
    pub sheets: fn(&Grid) -> Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_sheet_cells: 5_000_000,
            max_text_bytes: 256 << 20,
            max_sheets: 1_000,
            max_merges: 1_000_000,
            max_inflated_bytes: 1 << 30,
            xlsx_via_calamine: false,
            early_sheet: None,
        }
    }
}

/// Why a file could not be read, with its rule code (E001, E002).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    /// The rule the failure is reported under: E001 unreadable, E002 password.
    pub code: Code,
    /// In plain Chinese, for the person who sent the file.
    pub reason: String,
    /// The reading library's own words (English: `Zip error: invalid Zip archive: …`),
    /// when the reason puts them in Chinese: kept for whoever debugs it (the JSON's
    /// `inputs[].detail`), never shown to the clerk.
    pub detail: Option<String>,
}

impl ReadError {
    /// A file that is broken or no spreadsheet; `detail` in the reader's words, Chinese
    /// (ours) or a library's English ([`corrupt_words`]).
    pub(crate) fn corrupt(detail: impl std::fmt::Display) -> Self {
        let raw = detail.to_string();
        let (words, detail) = match corrupt_words(&raw) {
            Some(words) => (words.to_string(), Some(raw)),
            None => (raw, None),
        };
        ReadError {
            code: Code::E001,
            reason: format!("文件已损坏或不是表格文件（{words}）"),
            detail,
        }
    }

    pub(crate) fn password() -> Self {
        ReadError {
            code: Code::E002,
            reason: "文件设有密码保护，无法读取".into(),
            detail: None,
        }
    }
}

/// A reading library's English error in words the sender of the file can act on; `None`
/// when the text is already Chinese (jixiao's own reasons).
pub fn corrupt_words(raw: &str) -> Option<&'static str> {
    if raw.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        return None;
    }
    let l = raw.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
    Some(
        if has(&[
            "eocd",
            "end of central directory",
            "unexpected eof",
            "unexpected end",
            "failed to fill whole buffer",
            "could not find",
        ]) {
            "文件不完整，可能在传输或保存时被截断，请报送单位重新发送"
        } else if has(&["checksum", "crc"]) {
            "压缩数据校验失败，文件已损坏，请报送单位重新发送"
        } else if has(&["password", "encrypt"]) {
            "文件已加密，无法读取"
        } else if has(&["cfb", "ole", "compound", "fat", "sector", "directory entry"]) {
            "Excel 97-2003（.xls）文件的内部结构已损坏，请报送单位重新发送，或用 Excel/WPS 另存为 .xlsx"
        } else if has(&["xml"]) {
            "文件内部的 XML 数据有误，请用 Excel/WPS 打开后另存为 .xlsx 再报送"
        } else if has(&["unsupported", "not supported", "compression method"]) {
            "文件使用了不支持的格式或压缩方式，请用 Excel/WPS 另存为 .xlsx 再报送"
        } else if has(&["zip", "archive"]) {
            "压缩包结构有误，文件已损坏，请报送单位重新发送"
        } else {
            "文件内部数据有误，请用 Excel/WPS 打开后另存为 .xlsx 再报送"
        },
    )
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.reason, self.code)
    }
}

impl std::error::Error for ReadError {}

#[cfg(test)]
mod words_tests {
    use super::corrupt_words;

    #[test]
    fn library_errors_become_words_and_ours_stay() {
        for (raw, start) in [
            (
                "Zip error: invalid Zip archive: Could not find EOCD",
                "文件不完整",
            ),
            (
                "Malformed FAT (FAT has 21 entries, but file has only 19 sectors)",
                "Excel 97-2003",
            ),
            (
                "Xml error: ill-formed document: expected `</row>`",
                "文件内部的 XML",
            ),
            (
                "Zip error: invalid Zip archive: Invalid checksum",
                "压缩数据校验失败",
            ),
            ("something else", "文件内部数据有误"),
        ] {
            let words = corrupt_words(raw).unwrap();
            assert!(words.starts_with(start), "{raw} → {words}");
            // Only the names a clerk knows (Excel, WPS, .xls, XML) stay in Latin letters.
            let latin: String = words.chars().filter(char::is_ascii_alphabetic).collect();
            assert!(
                latin.chars().all(|c| "ExcelWPSxlsXML".contains(c)),
                "{words}"
            );
        }
        assert_eq!(corrupt_words("无法识别的文件格式"), None);
    }
}

/// A spreadsheet format, as sniffed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML (.xlsx, .xlsm, and WPS's .et saved as xlsx).
    Xlsx,
    /// Excel binary workbook (.xlsb).
    Xlsb,
    /// OpenDocument spreadsheet (.ods).
    Ods,
    /// Excel 97-2003 (.xls).
    Xls,
    /// An OLE container holding an encrypted OOXML package (a password-protected .xlsx).
    EncryptedOoxml,
    /// Excel 2003 XML (SpreadsheetML), often saved by budget systems with an .xls name.
    SpreadsheetMl,
    /// An HTML table saved with an .xls name.
    Html,
}

/// A format's reader: the file's bytes, one grid per worksheet, every cell charged to a
/// budget of `limits` (each reader starts its own).
pub(crate) type Reader = fn(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError>;

/// Every format: how its bytes are known, and its reader. The first whose sniff says yes
/// reads the file, so the order matters: ODS and XLSB before XLSX (all zips), the
/// encrypted package before XLS (both OLE containers), SpreadsheetML before HTML.
const FORMATS: [(Format, sniff::Sniff, Reader); 7] = [
    (Format::Ods, sniff::ods, ods::read),
    (Format::Xlsb, sniff::xlsb, xlsb::read),
    (Format::Xlsx, sniff::xlsx, xlsx::read),
    (Format::EncryptedOoxml, sniff::encrypted_ooxml, encrypted),
    (Format::Xls, sniff::xls, xls::read),
    (
        Format::SpreadsheetMl,
        sniff::spreadsheetml,
        spreadsheetml::read,
    ),
    (Format::Html, sniff::html, html::read),
];

/// A password-protected .xlsx cannot be read: E002.
fn encrypted(_: &[u8], _: &Limits) -> Result<Vec<Grid>, ReadError> {
    Err(ReadError::password())
}

/// The format and reader of a file's bytes; `path` only tells zip-based formats apart.
fn format_of(bytes: &[u8], path: &Path) -> Option<&'static (Format, sniff::Sniff, Reader)> {
    let ext = sniff::extension(path);
    FORMATS.iter().find(|(_, is, _)| is(bytes, &ext))
}

/// Sniffs the format from the bytes; the extension only tells the zip-based formats apart.
pub fn sniff(bytes: &[u8], path: &Path) -> Option<Format> {
    format_of(bytes, path).map(|(format, _, _)| *format)
}

thread_local! {
    static IN_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that stays silent for panics inside a format reader (they are
/// caught and reported as E001 for that file) and defers to the previous hook otherwise.
pub fn quiet_reader_panics() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_READER.with(|f| f.get()) {
            prev(info);
        }
    }));
}

/// Reads grids from bytes already in memory, one per worksheet; `path` only helps tell
/// formats apart. [`crate::batch::forms_in`] then finds the forms in them.
///
/// A reader that panics on malformed input (calamine's CFB parser can, on a corrupt
/// .xls) is contained here: the file gets E001 and every other file is still read.
///
/// # Example
///
/// Reading one workbook and the form in it:
///
/// ```
/// use jixiao::{batch, read};
/// use std::path::Path;
///
/// let path = Path::new("samples/2023/1.xlsx");
/// let bytes = std::fs::read(path)?;
/// let grids = read::read_bytes(&bytes, path, &read::Limits::default())?;
/// assert_eq!(grids[0].sheet, "Sheet1");
/// let forms = batch::forms_in(&grids, "1.xlsx");
/// assert_eq!(forms.len(), 1);
/// assert_eq!(forms[0].year.value, Some(2023));
/// assert_eq!(forms[0].indicators.len(), 9);
///
/// // Not a spreadsheet: E001, with the reason in Chinese.
/// let e = read::read_bytes(b"hello", Path::new("a.xlsx"), &read::Limits::default())
///     .unwrap_err();
/// assert_eq!(e.code, jixiao::code::Code::E001);
/// assert!(e.reason.starts_with("文件已损坏或不是表格文件"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_bytes(bytes: &[u8], path: &Path, limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    contain(|| read_unguarded(bytes, path, limits))
}

/// Runs a reader, turning a panic inside it into E001.
fn contain<T>(read: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    IN_READER.with(|f| f.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    IN_READER.with(|f| f.set(false));
    r.unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(ReadError::corrupt(format!("读取器内部错误：{msg}")))
    })
}

fn read_unguarded(bytes: &[u8], path: &Path, limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    let (format, _, read) =
        format_of(bytes, path).ok_or_else(|| ReadError::corrupt("无法识别的文件格式"))?;
    // The XLSX reader checks the archive it opens itself ([`xlsx::read`]).
    if matches!(format, Format::Xlsb | Format::Ods) {
        zipped::check(bytes)?;
    }
    read(bytes, limits)
}

/// The single-pass XLSX reader alone, without falling back to calamine: `Err(why)` when
/// it would have fallen back. For tests that compare it with calamine.
#[doc(hidden)]
pub fn read_xlsx_fast(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Result<Vec<Grid>, ReadError>, String> {
    xlsx::fast(bytes, &Budget::new(limits)).map_err(|e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_does_not_trust_the_extension() {
        assert_eq!(sniff(b"hello", Path::new("a.xlsx")), None);
        assert_eq!(
            sniff(b"PK\x03\x04rest", Path::new("a.xlsx")),
            Some(Format::Xlsx)
        );
        assert_eq!(
            sniff(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0],
                Path::new("a.xlsx")
            ),
            Some(Format::Xls)
        );
    }

    #[test]
    fn a_huge_sparse_sheet_is_refused_before_allocating() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "a").unwrap();
        ws.write_string(1_048_575, 16_383, "z").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let e = read_bytes(&bytes, Path::new("big.xlsx"), &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::E001);
        assert!(e.reason.contains("过大"), "{}", e.reason);
    }

    #[test]
    fn a_reader_panic_is_e001() {
        // calamine's CFB reader once sliced out of bounds on a corrupt .xls (fuzzing);
        // whatever a reader does, a panic becomes E001 for that file.
        let e = contain::<()>(|| panic!("index out of bounds")).unwrap_err();
        assert_eq!(e.code, Code::E001);
        assert!(
            e.reason.contains("读取器内部错误：index out of bounds"),
            "{}",
            e.reason
        );
        assert_eq!(contain(|| Ok(7)), Ok(7));
    }

    #[test]
    fn text_renamed_xlsx_is_e001() {
        let e = read_bytes(b"not a workbook", Path::new("x.xlsx"), &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::E001);
    }
}
