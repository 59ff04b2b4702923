//! What one file may cost while it is read, and every message a file is refused with
//! for its size.
//!
//! A hostile or broken file can declare a cell at XFD1048576, a string repeated down a
//! million rows, or a part that inflates to gigabytes; the libraries the readers rest on
//! would allocate all of it before any check. So every reader charges what it is about
//! to keep to one [`Budget`] per file (cells, text, sheets, merged regions) and is
//! refused with E001 once it passes the caller's [`Limits`]. The pre-scans that run
//! before calamine (`xls.rs`, `ods.rs`, `xlsx.rs`) charge a budget of their own, or
//! compute what calamine would reserve; whatever they find, the message comes from a
//! function here, so each limit reads the same wherever it is met.

use super::{Limits, ReadError};
use crate::code::Code;
use crate::grid::{Pos, Region, Value};
use std::cell::Cell;

/// The most one zip part may inflate to. The fast XLSX reader inflates parts whole into
/// memory up to this size (a larger one is left to calamine, which streams it and is
/// stopped by the cell limit); the ODS scan streams content.xml and stops here.
pub(crate) const PART_LIMIT: u64 = 256 << 20;

/// The parts' declared sizes against the budget, before anything is inflated.
pub(crate) fn check_declared_sizes<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    budget: &Budget,
) -> Result<(), ReadError> {
    let limits = budget.limits;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index_raw(i) else {
            continue;
        };
        total = total.saturating_add(f.size());
        if f.size() > PART_LIMIT || total > limits.max_inflated_bytes {
            return Err(inflated_too_large(
                &f.name().unwrap_or_default(),
                f.size(),
                PART_LIMIT,
                limits,
            ));
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
    /// The most sheets: the limits', or more once the file is known ([`Budget::allow_sheets`]).
    max_sheets: Cell<u64>,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(limits: &'a Limits) -> Self {
        Budget {
            limits,
            cells: Cell::new(0),
            text: Cell::new(0),
            sheets: Cell::new(0),
            merges: Cell::new(0),
            max_sheets: Cell::new(limits.max_sheets),
        }
    }

    /// Room for `n` sheets, when the file is known to hold as many (its early sheet says
    /// it is jixiao's own feedback workbook). Never less than the limits'.
    pub(crate) fn allow_sheets(&self, n: u64) {
        self.max_sheets.set(self.max_sheets.get().max(n));
    }

    /// What has been charged so far, to take back with [`Budget::restore`] when a reading
    /// is abandoned and done again another way (the scanning sheet reader giving way to the
    /// event reader): the same cells must not be charged twice.
    pub(crate) fn mark(&self) -> [u64; 4] {
        [
            self.cells.get(),
            self.text.get(),
            self.sheets.get(),
            self.merges.get(),
        ]
    }

    /// Back to a [`Budget::mark`].
    pub(crate) fn restore(&self, [cells, text, sheets, merges]: [u64; 4]) {
        self.cells.set(cells);
        self.text.set(text);
        self.sheets.set(sheets);
        self.merges.set(merges);
    }

    /// One more sheet.
    pub(crate) fn sheet(&self) -> Result<(), ReadError> {
        let n = self.sheets.get() + 1;
        self.sheets.set(n);
        if n > self.max_sheets.get() {
            return Err(over(format!(
                "工作表过多（至少 {n} 个，上限 {}）",
                self.max_sheets.get()
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

/// Tracks a sheet's used extent while reading and refuses it when the file's grids would
/// pass the cell budget.
pub(crate) struct Extent<'a> {
    name: &'a str,
    pub(crate) budget: &'a Budget<'a>,
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

/// The last row and column a worksheet can have (XFD1048576).
pub(crate) const MAX_ROW: u32 = 1_048_575;
pub(crate) const MAX_COL: u32 = 16_383;

/// Whether a cell is inside a worksheet's bounds; readers drop those beyond (recorded in
/// [`crate::grid::Grid::dropped`]) so that no later stage, nor the workbook writer, sees
/// them.
pub(crate) fn in_bounds(p: Pos) -> bool {
    p.row <= MAX_ROW && p.col <= MAX_COL
}

/// Merged regions of a sheet, duplicates and regions past the sheet's bounds left out,
/// each charged to the budget.
pub(crate) fn unique_merges(
    merges: impl IntoIterator<Item = Region>,
    budget: &Budget,
) -> Result<Vec<Region>, ReadError> {
    let mut seen = crate::hashed::Set::default();
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

/// E001 for a file over its budget.
fn over(reason: String) -> ReadError {
    ReadError {
        code: Code::E001,
        reason,
        detail: None,
    }
}

/// The file's grids, up to the sheet `name` being read, pass the cell limit.
fn too_large(name: &str, cells: u64, limits: &Limits) -> ReadError {
    over(format!(
        "文件过大：读到工作表“{name}”时已达 {cells} 个单元格（各工作表自 A1 起合计，上限 {}）",
        limits.max_sheet_cells
    ))
}

/// An .xls sheet's cells, as its cell records reach, pass the cell limit (the pre-scan
/// measures each sheet alone: calamine allocates them one by one).
pub(crate) fn xls_sheet_too_large(cells: u64, limits: &Limits) -> ReadError {
    over(format!(
        "工作表过大（至少 {cells} 个单元格，上限 {}）",
        limits.max_sheet_cells
    ))
}

/// An .xls sheet's DIMENSIONS record declares more cells than the limit (calamine
/// reserves them all before reading any).
pub(crate) fn xls_declared_too_large(declared: u64, limits: &Limits) -> ReadError {
    over(format!(
        "文件已损坏或工作表过大（声明 {declared} 个单元格，上限 {}）",
        limits.max_sheet_cells
    ))
}

/// An .ods sheet's repeated rows and columns, expanded as calamine expands them, pass
/// the cell limit.
pub(crate) fn ods_repeats_too_large(name: &str, limits: &Limits) -> ReadError {
    over(format!(
        "文件过大：工作表“{name}”展开重复的行与列后超过 {} 个单元格的上限",
        limits.max_sheet_cells
    ))
}

/// A zip part declares more bytes than one part may inflate to (`part_limit`), or the
/// parts together more than the file may.
pub(crate) fn inflated_too_large(
    part: &str,
    size: u64,
    part_limit: u64,
    limits: &Limits,
) -> ReadError {
    over(format!(
        "文件解压后过大（部件 {part} 为 {size} 字节，单个上限 {part_limit}，合计上限 {}）",
        limits.max_inflated_bytes
    ))
}

/// A zip part inflates past `part_limit` though its declared size was below it.
pub(crate) fn part_too_large(path: &str, part_limit: u64) -> ReadError {
    over(format!("文件解压后过大（{path} 超过 {part_limit} 字节）"))
}

/// An XLSX shared string table declares more strings than a file may have cells.
pub(crate) fn shared_strings_too_many(n: u64, limits: &Limits) -> ReadError {
    over(format!(
        "共享字符串表声明 {n} 项（uniqueCount），过大，上限 {}",
        limits.max_sheet_cells
    ))
}
