//! Reading spreadsheet files into [`Grid`]s: the only module that touches calamine.
//!
//! The format is sniffed from the file's first bytes, not trusted from its extension, and
//! each format's reader is opened directly so that its own error (a password, a broken zip)
//! reaches the user instead of a generic "cannot detect format".

use crate::code::Code;
use crate::grid::{Grid, Hidden, Pos, Region, Value, decimal_from_f64};
use calamine::{
    Data, DataRef, Dimensions, ExcelDateTime, ExcelDateTimeType, Ods, Range, Reader, SheetType,
    SheetVisible, Xls, Xlsb, Xlsx,
};

mod html;
mod ods_guard;
mod spreadsheetml;
mod xls_guard;
mod xlsx;

use std::cell::Cell;
use std::io::Cursor;
use std::path::Path;
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
    /// Of a workbook jixiao wrote, read only its 说明 sheet ([`is_own_output_sheet`]):
    /// a batch skips such a file, and reading its list sheets first cost as much as
    /// reading every form it lists.
    pub own_output_notes_only: bool,
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
            own_output_notes_only: false,
        }
    }
}

// jixiao's own outputs are recognized in `crate::own`; re-exported here, where the readers
// (`xlsx.rs`) and the library's callers have found them.
pub use crate::own::{
    FEEDBACK_MARKER, OUTPUT_MARKER, OUTPUT_SHEET, is_feedback_notes, is_own_output_sheet,
};

/// Why a file could not be read, with its rule code (E001, E002).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    /// The rule the failure is reported under: E001 unreadable, E002 password.
    pub code: Code,
    /// In plain Chinese, for the person who sent the file.
    pub reason: String,
}

impl ReadError {
    fn corrupt(detail: impl std::fmt::Display) -> Self {
        ReadError {
            code: Code::E001,
            reason: format!("文件已损坏或不是表格文件（{detail}）"),
        }
    }

    fn password() -> Self {
        ReadError {
            code: Code::E002,
            reason: "文件设有密码保护，无法读取".into(),
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.reason, self.code)
    }
}

impl std::error::Error for ReadError {}

/// An attribute's value by local name (`ss:Index` and `Index` alike), unescaped.
pub(crate) fn xml_attr(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Appends what an XML entity or character reference stands for.
pub(crate) fn push_xml_ref(out: &mut String, g: &quick_xml::events::BytesRef) {
    match g.resolve_char_ref() {
        Ok(Some(c)) => out.push(c),
        _ => out.push_str(match g.xml10_content().as_ref() {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            _ => "",
        }),
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

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Sniffs the format from the bytes; the extension only tells the zip-based formats apart.
pub fn sniff(bytes: &[u8], path: &Path) -> Option<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(200)];
        if head
            .windows(b"opendocument.spreadsheet".len())
            .any(|w| w == b"opendocument.spreadsheet")
        {
            return Some(Format::Ods);
        }
        return Some(match ext.as_str() {
            "ods" => Format::Ods,
            "xlsb" => Format::Xlsb,
            _ => Format::Xlsx,
        });
    }
    if bytes.starts_with(&CFB_MAGIC) {
        // The directory names its streams in UTF-16LE; an encrypted package has these.
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let info = utf16("EncryptionInfo");
        let pkg = utf16("EncryptedPackage");
        let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
        if has(&info) && has(&pkg) {
            return Some(Format::EncryptedOoxml);
        }
        return Some(Format::Xls);
    }
    let text = text_head(bytes);
    let lower = text.to_ascii_lowercase();
    if lower.contains("urn:schemas-microsoft-com:office:spreadsheet")
        || lower.contains("progid=\"excel.sheet\"")
    {
        return Some(Format::SpreadsheetMl);
    }
    if lower.contains("<table") || lower.contains("<html") {
        return Some(Format::Html);
    }
    None
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
    let format = sniff(bytes, path).ok_or_else(|| ReadError::corrupt("无法识别的文件格式"))?;
    let cur = Cursor::new(bytes);
    let budget = Budget::new(limits);
    match format {
        Format::EncryptedOoxml => Err(ReadError::password()),
        Format::Xlsx if limits.xlsx_via_calamine => read_xlsx_calamine(cur, &budget),
        // The single-pass reader, or calamine for anything it does not expect (with a
        // budget of its own: the fast path's reading is thrown away).
        Format::Xlsx => match xlsx::read(bytes, &budget) {
            Ok(result) => result,
            Err(_) => read_xlsx_calamine(cur, &Budget::new(limits)),
        },
        Format::SpreadsheetMl => spreadsheetml::read(&decode_text(bytes), &budget),
        Format::Html => html::read(&decode_text(bytes), &budget),
        Format::Xls => {
            xls_guard::check(bytes, limits)?;
            let mut wb = Xls::new(cur).map_err(|e| match e {
                calamine::XlsError::Password => ReadError::password(),
                e => ReadError::corrupt(e),
            })?;
            ranges(&mut wb, &budget, |wb, name| {
                Some(wb.merge_cells_by_sheet_name(name).unwrap_or_default())
            })
        }
        Format::Ods => {
            ods_guard::check(bytes, &budget)?;
            let mut wb = Ods::new(cur).map_err(|e| match e {
                calamine::OdsError::Password => ReadError::password(),
                e => ReadError::corrupt(e),
            })?;
            // ODS carries no merge information through calamine: spans are inferred.
            // A formula's result is read as calamine gives it: LibreOffice writes an empty
            // text result (`=""`) with no value type, as a formula never calculated would
            // be, and calamine cannot tell them apart, so no ODS cell reads as a formula.
            ranges(&mut wb, &budget, |_, _| None)
        }
        Format::Xlsb => {
            // Streamed, like XLSX, so a far-away cell is refused before a dense range is
            // allocated.
            let mut wb = Xlsb::new(cur).map_err(ReadError::corrupt)?;
            let names = worksheet_names(&wb);
            let mut out = Vec::with_capacity(names.len().min(64));
            for (name, hidden) in names {
                budget.sheet()?;
                let mut reader = wb
                    .worksheet_cells_reader(&name)
                    .map_err(ReadError::corrupt)?;
                let mut extent = Extent::new(&name, &budget);
                let mut cells = Vec::new();
                let mut dropped = Vec::new();
                while let Some(cell) = reader.next_cell().map_err(ReadError::corrupt)? {
                    let (r, c) = cell.get_position();
                    let Some(value) = data_ref_value(cell.get_value(), false) else {
                        continue;
                    };
                    keep(&mut cells, &mut dropped, Pos::new(r, c), value, &mut extent)?;
                }
                extent.finish()?;
                let mut g = Grid::from_cells(&name, cells, &[], false);
                g.dropped = dropped;
                g.hidden = hidden;
                out.push(g);
            }
            Ok(out)
        }
    }
}

/// Keeps a read cell: inside the sheet's bounds, charged to the budget; past them,
/// dropped and recorded.
pub(crate) fn keep(
    cells: &mut Vec<(Pos, Value)>,
    dropped: &mut Vec<Pos>,
    p: Pos,
    v: Value,
    extent: &mut Extent,
) -> Result<(), ReadError> {
    if !in_bounds(p) {
        dropped.push(p);
        // Still charged, so a flood of them is bounded too.
        return extent.budget.text(1);
    }
    extent.add(p)?;
    if let Value::Text(s) | Value::Error(s) | Value::Formula(s) = &v {
        extent.budget.text(s.len())?;
    }
    cells.push((p, v));
    Ok(())
}

/// The single-pass XLSX reader alone, without falling back to calamine: `Err(why)` when
/// it would have fallen back. For tests that compare it with calamine.
#[doc(hidden)]
pub fn read_xlsx_fast(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Result<Vec<Grid>, ReadError>, String> {
    xlsx::read(bytes, &Budget::new(limits)).map_err(|e| e.0)
}

/// XLSX cells are streamed (value and style in one pass) rather than read as a calamine
/// `Range`: a `Range` is dense from the first to the last used cell, so a sheet with one
/// cell in A1 and one in XFD1048576 would allocate billions of cells before any check.
pub(crate) fn read_xlsx_calamine(
    cur: Cursor<&[u8]>,
    budget: &Budget,
) -> Result<Vec<Grid>, ReadError> {
    // calamine reserves room for the count the shared strings declare: check it first.
    xlsx::check_declared_counts(cur.get_ref(), budget)?;
    let mut wb = Xlsx::new(cur).map_err(xlsx_err)?;
    let names = worksheet_names(&wb);
    let mut out = Vec::with_capacity(names.len().min(64));
    for (name, hidden) in names {
        budget.sheet()?;
        let mut cells = Vec::new();
        let mut dropped = Vec::new();
        let mut extent = Extent::new(&name, budget);
        let mut formulas = false;
        {
            let mut reader = wb.worksheet_cells_reader(&name).map_err(xlsx_err)?;
            let percent: Vec<bool> = reader
                .styles()
                .iter()
                .map(|s| {
                    s.number_format
                        .as_ref()
                        .is_some_and(|f| is_percent_format(&f.format_code))
                })
                .collect();
            while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(xlsx_err)? {
                let (r, c) = cell.get_position();
                let pct = percent.get(style).copied().unwrap_or(false);
                let Some(value) = data_ref_value(cell.get_value(), pct) else {
                    // Perhaps a formula without a saved result: looked for below.
                    formulas = true;
                    continue;
                };
                keep(&mut cells, &mut dropped, Pos::new(r, c), value, &mut extent)?;
            }
        }
        if formulas {
            unsaved_formulas(&mut wb, &name, &mut cells, &mut dropped, &mut extent)?;
        }
        let merges = wb.merge_cells_by_sheet_name(&name).map_err(xlsx_err)?;
        let mut g = calamine_grid(&name, cells, dropped, &merges, true, extent)?;
        g.hidden = hidden;
        out.push(g);
    }
    Ok(out)
}

/// The formulas of a sheet read through calamine that have no saved result (an empty
/// cell with a formula), added as [`Value::Formula`]: a second pass over the sheet, made
/// only when the first met an empty cell. Shared formulas come expanded to their cell.
fn unsaved_formulas(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    cells: &mut Vec<(Pos, Value)>,
    dropped: &mut Vec<Pos>,
    extent: &mut Extent,
) -> Result<(), ReadError> {
    let mut reader = wb.worksheet_cells_reader(name).map_err(xlsx_err)?;
    let mut found = Vec::new();
    while let Some(cell) = reader.next_formula().map_err(xlsx_err)? {
        if !cell.get_value().is_empty() {
            let (r, c) = cell.get_position();
            found.push((Pos::new(r, c), cell.get_value().clone()));
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    let read: std::collections::HashSet<Pos> = cells
        .iter()
        .map(|(p, _)| *p)
        .chain(dropped.iter().copied())
        .collect();
    for (p, f) in found {
        if !read.contains(&p) {
            keep(cells, dropped, p, Value::Formula(f), extent)?;
        }
    }
    Ok(())
}

/// What one file may cost while it is read, shared by all its sheets: a file of ten
/// sheets gets the budget of one, not ten. Every reader charges it before it allocates.
pub(crate) struct Budget<'a> {
    pub(crate) limits: &'a Limits,
    /// Cells of the dense grids built so far (each from A1 to its last used cell) plus
    /// the area of every merged region.
    cells: Cell<u64>,
    text: Cell<u64>,
    sheets: Cell<u64>,
    merges: Cell<u64>,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(limits: &'a Limits) -> Self {
        Budget {
            limits,
            cells: Cell::new(0),
            text: Cell::new(0),
            sheets: Cell::new(0),
            merges: Cell::new(0),
        }
    }

    /// One more sheet.
    pub(crate) fn sheet(&self) -> Result<(), ReadError> {
        let n = self.sheets.get() + 1;
        self.sheets.set(n);
        if n > self.limits.max_sheets {
            return Err(over(format!(
                "工作表过多（至少 {n} 个，上限 {}）",
                self.limits.max_sheets
            )));
        }
        Ok(())
    }

    /// Text of `bytes` bytes kept for a cell.
    pub(crate) fn text(&self, bytes: usize) -> Result<(), ReadError> {
        let n = self.text.get().saturating_add(bytes as u64);
        self.text.set(n);
        if n > self.limits.max_text_bytes {
            return Err(over(format!(
                "单元格文字总量过大（至少 {n} 字节，上限 {} 字节）",
                self.limits.max_text_bytes
            )));
        }
        Ok(())
    }

    /// A merged region: counted, and its area charged to the cells.
    pub(crate) fn merge(&self, m: &Region) -> Result<(), ReadError> {
        let n = self.merges.get() + 1;
        self.merges.set(n);
        if n > self.limits.max_merges {
            return Err(over(format!(
                "合并单元格过多（至少 {n} 处，上限 {}）",
                self.limits.max_merges
            )));
        }
        let area = (m.last.row - m.first.row + 1) as u64 * (m.last.col - m.first.col + 1) as u64;
        self.charge(area)
    }

    fn charge(&self, cells: u64) -> Result<(), ReadError> {
        let n = self.cells.get().saturating_add(cells);
        self.cells.set(n);
        self.check_cells(n)
    }

    fn check_cells(&self, n: u64) -> Result<(), ReadError> {
        if n > self.limits.max_sheet_cells {
            return Err(over(format!(
                "文件过大（至少 {n} 个单元格，含合并与重复的单元格，上限 {}）",
                self.limits.max_sheet_cells
            )));
        }
        Ok(())
    }
}

/// E001 for a file over its budget.
fn over(reason: String) -> ReadError {
    ReadError {
        code: Code::E001,
        reason,
    }
}

/// The last row and column a worksheet can have (XFD1048576).
pub(crate) const MAX_ROW: u32 = 1_048_575;
pub(crate) const MAX_COL: u32 = 16_383;

/// Whether a cell is inside a worksheet's bounds; readers drop those beyond (recorded in
/// [`Grid::dropped`]) so that no later stage, nor the workbook writer, sees them.
pub(crate) fn in_bounds(p: Pos) -> bool {
    p.row <= MAX_ROW && p.col <= MAX_COL
}

/// Merged regions of a sheet, duplicates and regions past the sheet's bounds left out,
/// each charged to the budget.
pub(crate) fn unique_merges(
    merges: impl IntoIterator<Item = Region>,
    budget: &Budget,
) -> Result<Vec<Region>, ReadError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for m in merges {
        if m.first == m.last || !in_bounds(m.last) || !seen.insert(m) {
            continue;
        }
        budget.merge(&m)?;
        out.push(m);
    }
    Ok(out)
}

/// Tracks a sheet's used extent while reading and refuses it when the file's grids would
/// pass the cell budget.
pub(crate) struct Extent<'a> {
    name: &'a str,
    budget: &'a Budget<'a>,
    rows: u64,
    cols: u64,
}

impl<'a> Extent<'a> {
    pub(crate) fn new(name: &'a str, budget: &'a Budget<'a>) -> Self {
        Extent {
            name,
            budget,
            rows: 0,
            cols: 0,
        }
    }

    pub(crate) fn add(&mut self, p: Pos) -> Result<(), ReadError> {
        self.rows = self.rows.max(p.row as u64 + 1);
        self.cols = self.cols.max(p.col as u64 + 1);
        let cells = self.rows * self.cols;
        if self
            .budget
            .check_cells(self.budget.cells.get() + cells)
            .is_err()
        {
            return Err(too_large(
                self.name,
                self.budget.cells.get() + cells,
                self.budget.limits,
            ));
        }
        Ok(())
    }

    /// The sheet is read: its grid's cells are charged to the file.
    pub(crate) fn finish(self) -> Result<(), ReadError> {
        self.budget.charge(self.rows * self.cols)
    }
}

fn too_large(name: &str, cells: u64, limits: &Limits) -> ReadError {
    ReadError {
        code: Code::E001,
        reason: format!(
            "文件过大：读到工作表“{name}”时已达 {cells} 个单元格（各工作表自 A1 起合计，上限 {}）",
            limits.max_sheet_cells
        ),
    }
}

/// A streamed cell value; `None` for empty cells.
fn data_ref_value(v: &DataRef, percent: bool) -> Option<Value> {
    Some(match v {
        DataRef::Empty => return None,
        DataRef::SharedString(s) => Value::Text((*s).to_string()),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Value::Text(s.clone())
        }
        DataRef::Float(f) => float_value(*f, percent),
        DataRef::Int(i) => Value::Number {
            value: (*i).into(),
            percent,
        },
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => date_value(d),
        DataRef::Error(e) => Value::Error(e.to_string()),
    })
}

/// A number read with its cell's format: a date serial (in the 1900 or 1904 system) when
/// the format shows a date, else a number.
pub(crate) fn number_value(f: f64, percent: bool, date: xlsx::DateKind, date1904: bool) -> Value {
    let kind = match date {
        xlsx::DateKind::No => return float_value(f, percent),
        xlsx::DateKind::DateTime => ExcelDateTimeType::DateTime,
        xlsx::DateKind::Duration => ExcelDateTimeType::TimeDelta,
    };
    date_value(&ExcelDateTime::new(f, kind, date1904))
}

/// A date cell as the text it shows, ISO style: `2023-12-31`, `2023-12-31 08:30:00`, or
/// `08:30:00` for a time alone. A duration (`[h]:mm:ss`), or a serial outside Excel's
/// dates (negative, past 9999-12-31), stays a number.
pub(crate) fn date_value(d: &ExcelDateTime) -> Value {
    let f = d.as_f64();
    if d.is_duration() || !(0.0..2_958_466.0).contains(&f) {
        return float_value(f, false);
    }
    let (y, mo, da, h, mi, s, ms) = d.to_ymd_hms_milli();
    let time = match ms {
        0 => format!("{h:02}:{mi:02}:{s:02}"),
        ms => format!("{h:02}:{mi:02}:{s:02}.{ms:03}"),
    };
    Value::Text(if f < 1.0 {
        time
    } else if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {time}")
    })
}

fn float_value(f: f64, percent: bool) -> Value {
    match decimal_from_f64(f) {
        Some(d) => Value::Number { value: d, percent },
        None => Value::Error(f.to_string()),
    }
}

/// Every worksheet of a calamine reader, as grids; `merges` gives a sheet's merged
/// regions, or `None` when the format has none to give.
fn ranges<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(
    wb: &mut R,
    budget: &Budget,
    merges: impl Fn(&mut R, &str) -> Option<Vec<Dimensions>>,
) -> Result<Vec<Grid>, ReadError>
where
    R::Error: std::fmt::Display,
{
    let names = worksheet_names(wb);
    let mut out = Vec::with_capacity(names.len().min(64));
    for (name, hidden) in names {
        budget.sheet()?;
        let range = wb.worksheet_range(&name).map_err(ReadError::corrupt)?;
        check_size(&range, &name, budget)?;
        let m = merges(wb, &name);
        let has_merge_info = m.is_some();
        let mut g = to_grid(&name, range, &m.unwrap_or_default(), has_merge_info, budget)?;
        g.hidden = hidden;
        out.push(g);
    }
    Ok(out)
}

fn xlsx_err(e: calamine::XlsxError) -> ReadError {
    match e {
        calamine::XlsxError::Password => ReadError::password(),
        e => ReadError::corrupt(e),
    }
}

/// The worksheets of a calamine reader, in order, each with whether it is hidden.
fn worksheet_names<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(
    wb: &R,
) -> Vec<(String, Option<Hidden>)> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| {
            let hidden = match s.visible {
                SheetVisible::Visible => None,
                SheetVisible::Hidden => Some(Hidden::Hidden),
                SheetVisible::VeryHidden => Some(Hidden::VeryHidden),
            };
            (s.name.clone(), hidden)
        })
        .collect()
}

fn check_size(range: &Range<Data>, name: &str, budget: &Budget) -> Result<(), ReadError> {
    let Some(end) = range.end() else {
        return Ok(());
    };
    Extent::new(name, budget).add(Pos::new(end.0.min(MAX_ROW), end.1.min(MAX_COL)))
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

/// A calamine range (XLS, ODS, XLSB) as a grid; these formats carry no number formats
/// calamine exposes, so no cell is known to be a percentage.
///
/// Merged regions count toward the sheet's extent: a corrupt file can declare a merge far
/// beyond its last cell (found by fuzzing an .xls).
fn to_grid(
    name: &str,
    range: Range<Data>,
    merges: &[Dimensions],
    has_merge_info: bool,
    budget: &Budget,
) -> Result<Grid, ReadError> {
    let start = range.start().unwrap_or((0, 0));
    let mut cells = Vec::new();
    let mut dropped = Vec::new();
    let mut extent = Extent::new(name, budget);
    for (r, c, v) in range.used_cells() {
        let (r, c) = (start.0 + r as u32, start.1 + c as u32);
        let value = match v {
            Data::Empty => continue,
            Data::String(s) => Value::Text(s.clone()),
            Data::Float(f) => float_value(*f, false),
            Data::Int(i) => Value::number((*i).into()),
            Data::Bool(b) => Value::Bool(*b),
            Data::DateTime(d) => date_value(d),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
            Data::Error(e) => Value::Error(e.to_string()),
        };
        keep(&mut cells, &mut dropped, Pos::new(r, c), value, &mut extent)?;
    }
    calamine_grid(name, cells, dropped, merges, has_merge_info, extent)
}

/// How every sheet read through calamine ends: its merges deduplicated and counted toward
/// the extent (a merge can reach far past the last cell), then the grid.
fn calamine_grid(
    name: &str,
    cells: Vec<(Pos, Value)>,
    dropped: Vec<Pos>,
    merges: &[Dimensions],
    has_merge_info: bool,
    mut extent: Extent,
) -> Result<Grid, ReadError> {
    let merges = unique_merges(
        merges
            .iter()
            .map(|m| Region::new(m.start.0, m.start.1, m.end.0, m.end.1)),
        extent.budget,
    )?;
    for m in &merges {
        extent.add(m.last)?;
    }
    extent.finish()?;
    let mut g = Grid::from_cells(name, cells, &merges, has_merge_info);
    g.dropped = dropped;
    Ok(g)
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
    fn gbk_text_is_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=gbk><td>项目名称</td>");
        assert!(decode_text(&gbk).contains("项目名称"));
        assert_eq!(decode_text("\u{feff}项目".as_bytes()), "项目");
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

    /// ODS: a table whose style says `table:display="false"` is hidden. A formula with no
    /// value type reads as empty, as calamine gives it: LibreOffice writes `=""` so.
    #[test]
    fn ods_hidden_tables_and_formulas() {
        use std::io::Write;
        let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:automatic-styles>
 <style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
 <style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
 <table:table table:name="表" table:style-name="ta1"><table:table-row>
  <table:table-cell office:value-type="float" office:value="10"><text:p>10</text:p></table:table-cell>
  <table:table-cell table:formula="of:=[.A1]*2" office:value-type="float" office:value="20"><text:p>20</text:p></table:table-cell>
  <table:table-cell table:formula="of:=&quot;&quot;"><text:p/></table:table-cell>
 </table:table-row></table:table>
 <table:table table:name="2022年" table:style-name="ta2"><table:table-row>
  <table:table-cell office:value-type="string"><text:p>旧表</text:p></table:table-cell>
 </table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;
        // calamine takes no whitespace between a table's elements.
        let content = content.replace("\n xmlns", " xmlns");
        let content: String = content.lines().map(str::trim_start).collect();
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("mimetype", stored).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        w.start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(content.as_bytes()).unwrap();
        w.start_file(
            "META-INF/manifest.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(
            br#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        )
        .unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let g = read_bytes(&bytes, Path::new("t.ods"), &Limits::default()).unwrap();
        assert_eq!(g[0].get(Pos::new(0, 1)), &Value::number(20.into()));
        assert_eq!(g[0].get(Pos::new(0, 2)), &Value::Empty);
        assert_eq!(g[0].non_empty().count(), 2);
        let hidden: Vec<_> = g.iter().map(|g| g.hidden).collect();
        assert_eq!(hidden, [None, Some(Hidden::Hidden)]);
    }

    #[test]
    fn text_renamed_xlsx_is_e001() {
        let e = read_bytes(b"not a workbook", Path::new("x.xlsx"), &Limits::default()).unwrap_err();
        assert_eq!(e.code, Code::E001);
    }
}
