//! Reading spreadsheet files into [`Grid`]s: the only module that touches calamine.
//!
//! The format is sniffed from the file's first bytes, not trusted from its extension, and
//! each format's reader is opened directly so that its own error (a password, a broken zip)
//! reaches the user instead of a generic "cannot detect format".

use crate::grid::{Grid, Pos, Region, Value, decimal_from_f64};
use calamine::{Data, Dimensions, Ods, Range, Reader, SheetType, Xls, Xlsb, Xlsx};
use std::io::Cursor;
use std::path::Path;

/// Limits that keep a hostile or broken file from exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Largest sheet, in cells from A1 to its last used cell.
    pub max_sheet_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_sheet_cells: 5_000_000,
        }
    }
}

/// Why a file could not be read, with its rule code (E001, E002).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    pub code: &'static str,
    /// In plain Chinese, for the person who sent the file.
    pub reason: String,
}

impl ReadError {
    fn corrupt(detail: impl std::fmt::Display) -> Self {
        ReadError {
            code: "E001",
            reason: format!("文件已损坏或不是表格文件（{detail}）"),
        }
    }

    fn password() -> Self {
        ReadError {
            code: "E002",
            reason: "文件设有密码保护，无法读取".into(),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.reason, self.code)
    }
}

/// A spreadsheet format, as sniffed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

/// Sniffs the format from magic bytes; the extension only tells the zip-based formats apart.
pub fn sniff(bytes: &[u8], path: &Path) -> Option<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") {
        if bytes
            .windows(38)
            .take(200)
            .any(|w| w == b"application/vnd.oasis.opendocument.sp")
        {
            return Some(Format::Ods);
        }
        return Some(match ext.as_str() {
            "ods" => Format::Ods,
            "xlsb" => Format::Xlsb,
            _ => Format::Xlsx,
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(Format::Xls);
    }
    None
}

/// Reads grids from bytes already in memory; `path` only helps tell formats apart.
pub fn read_bytes(bytes: &[u8], path: &Path, limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    let format = sniff(bytes, path).ok_or_else(|| ReadError::corrupt("无法识别的文件格式"))?;
    let cur = Cursor::new(bytes);
    match format {
        Format::Xlsx => {
            let mut wb = Xlsx::new(cur).map_err(xlsx_err)?;
            let names = worksheet_names(&wb);
            let mut out = Vec::with_capacity(names.len());
            for name in names {
                let range = wb.worksheet_range(&name).map_err(xlsx_err)?;
                check_size(&range, &name, limits)?;
                let merges = wb.merge_cells_by_sheet_name(&name).map_err(xlsx_err)?;
                let styles = wb.worksheet_style(&name).map_err(xlsx_err)?;
                let percent = |p: (u32, u32)| {
                    styles
                        .get(p)
                        .and_then(|s| s.number_format.as_ref())
                        .is_some_and(|f| is_percent_format(&f.format_code))
                };
                out.push(to_grid(&name, range, &merges, true, percent));
            }
            Ok(out)
        }
        Format::Xls => {
            let mut wb = Xls::new(cur).map_err(|e| match e {
                calamine::XlsError::Password => ReadError::password(),
                e => ReadError::corrupt(e),
            })?;
            let names = worksheet_names(&wb);
            let mut out = Vec::with_capacity(names.len());
            for name in names {
                let range = wb.worksheet_range(&name).map_err(ReadError::corrupt)?;
                check_size(&range, &name, limits)?;
                let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
                out.push(to_grid(&name, range, &merges, true, |_| false));
            }
            Ok(out)
        }
        Format::Ods => {
            let mut wb = Ods::new(cur).map_err(|e| match e {
                calamine::OdsError::Password => ReadError::password(),
                e => ReadError::corrupt(e),
            })?;
            let names = worksheet_names(&wb);
            let mut out = Vec::with_capacity(names.len());
            for name in names {
                let range = wb.worksheet_range(&name).map_err(ReadError::corrupt)?;
                check_size(&range, &name, limits)?;
                out.push(to_grid(&name, range, &[], false, |_| false));
            }
            Ok(out)
        }
        Format::Xlsb => {
            let mut wb = Xlsb::new(cur).map_err(ReadError::corrupt)?;
            let names = worksheet_names(&wb);
            let mut out = Vec::with_capacity(names.len());
            for name in names {
                let range = wb.worksheet_range(&name).map_err(ReadError::corrupt)?;
                check_size(&range, &name, limits)?;
                out.push(to_grid(&name, range, &[], false, |_| false));
            }
            Ok(out)
        }
    }
}

fn xlsx_err(e: calamine::XlsxError) -> ReadError {
    match e {
        calamine::XlsxError::Password => ReadError::password(),
        e => ReadError::corrupt(e),
    }
}

fn worksheet_names<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &R) -> Vec<String> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

fn check_size(range: &Range<Data>, name: &str, limits: &Limits) -> Result<(), ReadError> {
    let Some(end) = range.end() else {
        return Ok(());
    };
    let cells = (end.0 as u64 + 1) * (end.1 as u64 + 1);
    if cells > limits.max_sheet_cells {
        return Err(ReadError {
            code: "E001",
            reason: format!(
                "工作表“{name}”过大（{cells} 个单元格，上限 {}）",
                limits.max_sheet_cells
            ),
        });
    }
    Ok(())
}

/// A number format shows a percentage when it has a `%` outside quotes and brackets.
pub fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

fn to_grid(
    name: &str,
    range: Range<Data>,
    merges: &[Dimensions],
    has_merge_info: bool,
    percent: impl Fn((u32, u32)) -> bool,
) -> Grid {
    let (rows, cols) = range.end().map_or((0, 0), |e| (e.0 + 1, e.1 + 1));
    let mut g = Grid::new(name, rows, cols);
    g.has_merge_info = has_merge_info;
    let start = range.start().unwrap_or((0, 0));
    for (r, c, v) in range.used_cells() {
        let (r, c) = (start.0 + r as u32, start.1 + c as u32);
        let value = match v {
            Data::Empty => continue,
            Data::String(s) => Value::Text(s.clone()),
            Data::Float(f) => match decimal_from_f64(*f) {
                Some(d) => Value::Number {
                    value: d,
                    percent: percent((r, c)),
                },
                None => Value::Error(f.to_string()),
            },
            Data::Int(i) => Value::Number {
                value: (*i).into(),
                percent: percent((r, c)),
            },
            Data::Bool(b) => Value::Bool(*b),
            Data::DateTime(d) => Value::Text(d.to_string()),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
            Data::Error(e) => Value::Error(e.to_string()),
        };
        g.set(Pos::new(r, c), value);
    }
    for m in merges {
        g.add_merge(Region::new(m.start.0, m.start.1, m.end.0, m.end.1));
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("0.00\"%\""));
        assert!(!is_percent_format("[Red]0.00"));
    }

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
    fn text_renamed_xlsx_is_e001() {
        let e = read_bytes(b"not a workbook", Path::new("x.xlsx"), &Limits::default()).unwrap_err();
        assert_eq!(e.code, "E001");
    }
}
