//! The one in-memory shape every later stage works on: a sheet's cells and merged regions.
//!
//! Readers (one per format, in [`crate::read`]) produce a [`Grid`]; the locator and
//! extractor only ever see a `Grid`. That keeps the hard logic testable with grids built
//! by hand in a few lines, no file needed.

use rust_decimal::Decimal;
use std::fmt;

/// A cell position, zero-based and absolute (row 0, col 0 is `A1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub row: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(row: u32, col: u32) -> Self {
        Pos { row, col }
    }

    /// Parses an A1 address such as `H40`.
    pub fn parse(a1: &str) -> Option<Pos> {
        let split = a1.find(|c: char| c.is_ascii_digit())?;
        let (letters, digits) = a1.split_at(split);
        if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_uppercase()) {
            return None;
        }
        let mut col: u32 = 0;
        for c in letters.chars() {
            col = col
                .checked_mul(26)?
                .checked_add(c as u32 - 'A' as u32 + 1)?;
        }
        let row: u32 = digits.parse().ok()?;
        if row == 0 {
            return None;
        }
        Some(Pos::new(row - 1, col - 1))
    }
}

/// Column letters for a zero-based column index (`0` → `A`, `26` → `AA`).
pub fn col_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", col_name(self.col), self.row + 1)
    }
}

impl serde::Serialize for Pos {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A rectangular merged region, inclusive on both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region {
    pub first: Pos,
    pub last: Pos,
}

impl Region {
    pub fn new(r0: u32, c0: u32, r1: u32, c1: u32) -> Self {
        Region {
            first: Pos::new(r0.min(r1), c0.min(c1)),
            last: Pos::new(r0.max(r1), c0.max(c1)),
        }
    }

    pub fn single(p: Pos) -> Self {
        Region { first: p, last: p }
    }

    pub fn contains(&self, p: Pos) -> bool {
        (self.first.row..=self.last.row).contains(&p.row)
            && (self.first.col..=self.last.col).contains(&p.col)
    }

    pub fn rows(&self) -> u32 {
        self.last.row - self.first.row + 1
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.first, self.last)
    }
}

/// A cell value as read, before any interpretation.
///
/// Numbers are exact decimals from the moment they leave the reader: a float is converted
/// once, at the edge, to the 15 significant digits a spreadsheet displays.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Empty,
    Text(String),
    /// A number; `percent` when the cell's number format shows it as a percentage.
    Number {
        value: Decimal,
        percent: bool,
    },
    Bool(bool),
    /// An error value such as `#DIV/0!`.
    Error(String),
    /// A formula the file saved without its result (workbooks written by scripts and
    /// some generators): what Excel would show is unknown until it is recalculated. The
    /// formula's text, without its `=` (`SUM(H12:H29)`); shown as `=SUM(H12:H29)`. A
    /// formula with a saved result reads as that result, never as this.
    Formula(String),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.is_empty(),
            _ => false,
        }
    }

    pub fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    pub fn number(v: Decimal) -> Value {
        Value::Number {
            value: v,
            percent: false,
        }
    }

    /// As [`Value::display`], borrowing text instead of copying it.
    pub fn display_cow(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Value::Text(s) => std::borrow::Cow::Borrowed(s),
            other => std::borrow::Cow::Owned(other.display()),
        }
    }

    /// The value as the spreadsheet shows it: `1` formatted as percent shows `100%`.
    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Number { value, percent } => {
                if *percent {
                    format!("{}%", (value * Decimal::ONE_HUNDRED).normalize())
                } else {
                    value.normalize().to_string()
                }
            }
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Error(e) => e.clone(),
            Value::Formula(f) => format!("={f}"),
        }
    }
}

/// Converts a float read from a cell to an exact decimal, at the precision a spreadsheet
/// displays (15 significant digits), so `0.1 + 0.2` computed by a formula reads `0.3`.
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    let s = format!("{:.14e}", f);
    Decimal::from_scientific(&s).ok().map(|d| d.normalize())
}

/// A worksheet hidden in its workbook: Excel does not show it among the sheet tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hidden {
    /// Hidden: Excel lists it under Unhide (取消隐藏).
    Hidden,
    /// Very hidden (`veryHidden`): only a macro or the VBA editor shows it again.
    VeryHidden,
}

impl Hidden {
    /// As the messages say it.
    pub fn zh(self) -> &'static str {
        match self {
            Hidden::Hidden => "已隐藏",
            Hidden::VeryHidden => "已深度隐藏（Excel 中看不到）",
        }
    }
}

/// One sheet: a dense block of cells from `A1` to the last used cell, plus merged regions.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub sheet: String,
    rows: u32,
    cols: u32,
    cells: Vec<Value>,
    merges: Vec<Region>,
    /// Index into `merges` per cell, `u32::MAX` for none; built once so lookups are O(1).
    merge_index: Vec<u32>,
    /// False for formats that carry no merge information (ODS); the locator then infers
    /// spans from the layout instead.
    pub has_merge_info: bool,
    /// Column widths and row heights where the format gives them (XLSX), sparse: the
    /// auditor's view lays the form out as its sender did.
    pub col_widths: Vec<(u32, f64)>,
    pub row_heights: Vec<(u32, f64)>,
    /// Cells the file placed past the last column or row a worksheet can have
    /// (XFD1048576): left out of the grid, and reported.
    pub dropped: Vec<Pos>,
    /// Whether the workbook hides the sheet, where the format says; `None` for a visible
    /// sheet. Forms on a hidden sheet are not read (E004).
    pub hidden: Option<Hidden>,
}

const NO_MERGE: u32 = u32::MAX;

impl Grid {
    /// An empty grid of the given size.
    pub fn new(sheet: &str, rows: u32, cols: u32) -> Grid {
        let n = rows as usize * cols as usize;
        Grid {
            sheet: sheet.to_string(),
            rows,
            cols,
            cells: vec![Value::Empty; n],
            merges: Vec::new(),
            merge_index: vec![NO_MERGE; n],
            has_merge_info: true,
            col_widths: Vec::new(),
            row_heights: Vec::new(),
            dropped: Vec::new(),
            hidden: None,
        }
    }

    /// Builds a grid from sparse cells and merged regions, sized to what they use. Readers
    /// check the size against their limits first: the grid is dense.
    pub fn from_cells(
        sheet: &str,
        cells: Vec<(Pos, Value)>,
        merges: &[Region],
        has_merge_info: bool,
    ) -> Grid {
        let rows = cells
            .iter()
            .map(|(p, _)| p.row + 1)
            .chain(merges.iter().map(|m| m.last.row + 1))
            .max()
            .unwrap_or(0);
        let cols = cells
            .iter()
            .map(|(p, _)| p.col + 1)
            .chain(merges.iter().map(|m| m.last.col + 1))
            .max()
            .unwrap_or(0);
        let mut g = Grid::new(sheet, rows, cols);
        g.has_merge_info = has_merge_info;
        for (p, v) in cells {
            let i = g.idx(p).expect("sized to fit");
            g.cells[i] = v;
        }
        for m in merges {
            g.add_merge(*m);
        }
        g
    }

    /// Builds a grid from rows of text, for tests: `""` is empty, everything else is text.
    pub fn from_rows(sheet: &str, rows: &[&[&str]]) -> Grid {
        let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0) as u32;
        let mut g = Grid::new(sheet, rows.len() as u32, cols);
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    g.set(Pos::new(r as u32, c as u32), Value::text(v));
                }
            }
        }
        g
    }

    pub fn rows(&self) -> u32 {
        self.rows
    }

    pub fn cols(&self) -> u32 {
        self.cols
    }

    fn idx(&self, p: Pos) -> Option<usize> {
        (p.row < self.rows && p.col < self.cols)
            .then(|| p.row as usize * self.cols as usize + p.col as usize)
    }

    pub fn get(&self, p: Pos) -> &Value {
        static EMPTY: Value = Value::Empty;
        self.idx(p).map_or(&EMPTY, |i| &self.cells[i])
    }

    /// Sets a cell; positions outside the grid grow it.
    pub fn set(&mut self, p: Pos, v: Value) {
        if p.row >= self.rows || p.col >= self.cols {
            self.grow(self.rows.max(p.row + 1), self.cols.max(p.col + 1));
        }
        let i = self.idx(p).expect("grown to fit");
        self.cells[i] = v;
    }

    fn grow(&mut self, rows: u32, cols: u32) {
        let mut g = Grid::new(&self.sheet, rows, cols);
        g.has_merge_info = self.has_merge_info;
        for r in 0..self.rows {
            for c in 0..self.cols {
                let p = Pos::new(r, c);
                let old = self.idx(p).expect("in range");
                let v = std::mem::take(&mut self.cells[old]);
                let i = g.idx(p).expect("in range");
                g.cells[i] = v;
            }
        }
        for m in std::mem::take(&mut self.merges) {
            g.add_merge(m);
        }
        g.col_widths = std::mem::take(&mut self.col_widths);
        g.row_heights = std::mem::take(&mut self.row_heights);
        g.dropped = std::mem::take(&mut self.dropped);
        g.hidden = self.hidden;
        *self = g;
    }

    /// Records a merged region. Regions overlapping an earlier one, or of a single cell, are
    /// ignored (Excel would refuse them too).
    pub fn add_merge(&mut self, m: Region) {
        if m.first == m.last {
            return;
        }
        if m.last.row >= self.rows || m.last.col >= self.cols {
            self.grow(self.rows.max(m.last.row + 1), self.cols.max(m.last.col + 1));
        }
        // Checked before anything is written, so a refused region (a duplicate, an
        // overlap) costs its own area, not a scan of the grid.
        let cols = self.cols as usize;
        let span = (m.first.col as usize)..=(m.last.col as usize);
        let rows = (m.first.row as usize)..=(m.last.row as usize);
        let taken = rows.clone().any(|r| {
            self.merge_index[r * cols + span.start()..=r * cols + span.end()]
                .iter()
                .any(|x| *x != NO_MERGE)
        });
        if taken {
            return;
        }
        let id = self.merges.len() as u32;
        for r in rows {
            self.merge_index[r * cols + span.start()..=r * cols + span.end()].fill(id);
        }
        self.merges.push(m);
    }

    pub fn merges(&self) -> &[Region] {
        &self.merges
    }

    /// The merged region covering `p`, if any.
    pub fn merge_at(&self, p: Pos) -> Option<Region> {
        let i = self.idx(p)?;
        let id = self.merge_index[i];
        (id != NO_MERGE).then(|| self.merges[id as usize])
    }

    /// The region `p` belongs to: its merge, or the cell alone.
    pub fn region_at(&self, p: Pos) -> Region {
        self.merge_at(p).unwrap_or(Region::single(p))
    }

    /// True when `p` is inside a merge but not its top-left cell (where the value lives).
    pub fn is_covered(&self, p: Pos) -> bool {
        self.merge_at(p).is_some_and(|m| m.first != p)
    }

    /// Every non-empty cell, row by row.
    pub fn non_empty(&self) -> impl Iterator<Item = (Pos, &Value)> + '_ {
        let cols = self.cols.max(1) as usize;
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(move |(i, v)| (Pos::new((i / cols) as u32, (i % cols) as u32), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn a1_round_trip() {
        for (p, s) in [
            (Pos::new(0, 0), "A1"),
            (Pos::new(39, 7), "H40"),
            (Pos::new(9, 26), "AA10"),
            (Pos::new(0, 701), "ZZ1"),
            (Pos::new(0, 702), "AAA1"),
        ] {
            assert_eq!(p.to_string(), s);
            assert_eq!(Pos::parse(s), Some(p));
        }
        assert_eq!(Pos::parse("A0"), None);
        assert_eq!(Pos::parse("10"), None);
    }

    #[test]
    fn floats_convert_at_display_precision() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(decimal_from_f64(19.2), Some(d("19.2")));
        assert_eq!(decimal_from_f64(0.1 + 0.2), Some(d("0.3")));
        assert_eq!(decimal_from_f64(66.44), Some(d("66.44")));
        assert_eq!(decimal_from_f64(-3.0), Some(d("-3")));
        assert_eq!(decimal_from_f64(f64::NAN), None);
    }

    #[test]
    fn merges_index_and_reject_overlap() {
        let mut g = Grid::new("S", 4, 4);
        g.add_merge(Region::new(0, 0, 1, 1));
        g.add_merge(Region::new(1, 1, 2, 2)); // overlaps: ignored
        assert_eq!(g.merges().len(), 1);
        assert_eq!(g.merge_at(Pos::new(2, 2)), None);
        g.add_merge(Region::new(2, 2, 3, 3)); // free again: taken
        assert_eq!(g.merges().len(), 2);
        assert_eq!(g.merge_at(Pos::new(1, 1)), Some(Region::new(0, 0, 1, 1)));
        assert_eq!(g.merge_at(Pos::new(3, 3)), Some(Region::new(2, 2, 3, 3)));
        assert!(g.is_covered(Pos::new(1, 0)));
        assert!(!g.is_covered(Pos::new(0, 0)));
    }

    #[test]
    fn percent_display() {
        let v = Value::Number {
            value: Decimal::ONE,
            percent: true,
        };
        assert_eq!(v.display(), "100%");
        assert_eq!(Value::number(Decimal::new(192, 1)).display(), "19.2");
        let f = Value::Formula("SUM(H12:H29)".into());
        assert_eq!(f.display(), "=SUM(H12:H29)");
        assert!(!f.is_empty());
    }
}
