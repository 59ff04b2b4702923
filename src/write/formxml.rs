//! The form sheets (原表, 清洗) of a workbook, written without rust_xlsxwriter holding
//! them.
//!
//! rust_xlsxwriter keeps every cell of every sheet until the workbook is saved, hashing a
//! whole `Format` per formatted cell, and its save starts a thread per worksheet: with
//! 10,000 forms (20,000 sheets) even empty placeholders took longer to save than a whole
//! conversion without them. Here each form sheet is recorded ([`Recorder`], in
//! parallel): its cells compactly, its strings once, its formats by id, its widths,
//! heights, merges, notes, link back and page setup; rust_xlsxwriter never sees it. One
//! placeholder goes to the workbook in the first sheet's place, rebuilt from its record
//! ([`push_carrier`]): it registers the formats the sheets use, in the order they first
//! use them ([`add_carriers`], blank cells that are not in the sheet), gives the parts
//! every form sheet shares (page setup, margins), and the package the notes' content
//! type and the numbers their parts follow on from. After the save [`assemble`] writes every form sheet's parts whole
//! (sheet, relationships, comments, VML drawing, notes placed as rust_xlsxwriter's
//! `position_object_pixels` places them), rebuilds the shared strings (the strings of
//! the sheets before the form sheets as they were, then the form sheets' in their order,
//! then those of the sheets after, 说明, renumbered in theirs, which is the table
//! rust_xlsxwriter builds), and numbers the workbook's sheet list, defined names,
//! relationships, content types and document properties as rust_xlsxwriter numbers them
//! with a placeholder for each sheet. The package is byte-identical to the one
//! rust_xlsxwriter writes with the sheets themselves (tests/golden.rs,
//! `scripts/same-outputs`, and this module's tests).

use super::forms::{Cells, Fmt, HYPERLINK};
use super::sheetdata::{Bundle, Error};
use rayon::prelude::*;
use rust_xlsxwriter::{Worksheet, XlsxError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Cursor, Read, Write};

pub(super) const ROW_MAX: u32 = 1_048_576;
const COL_MAX: u16 = 16_384;
pub(super) const MAX_STRING_LEN: usize = 32_767;
/// rust_xlsxwriter's default row height in pixels (15 points).
const DEFAULT_ROW_PX: u32 = 20;
/// rust_xlsxwriter's default column width in pixels, and what it converts widths by.
const DEFAULT_COL_PX: u32 = 64;
const MAX_DIGIT_PX: u32 = 7;
const CELL_PADDING_PX: u32 = 5;
const MAX_COL_PX: u32 = 1790;
/// The column of the carrier's format carriers (and note), far right of any form.
const CARRIER_COL: u16 = 16_000;

/// A quick hash for the strings (local data: no need to resist collisions made on
/// purpose), eight bytes at a time.
#[derive(Default)]
struct Quick(u64);

impl std::hash::Hasher for Quick {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Fast = std::hash::BuildHasherDefault<Quick>;

#[derive(Clone, Copy, Debug)]
enum Cell {
    Number(f64, u8),
    /// A string by its index in the sheet's own strings.
    Text(u32, u8),
    Blank(u8),
}

/// A row's height or a column's width in pixels, as rust_xlsxwriter keeps them: a size
/// of nothing hides the row or column and keeps its size.
#[derive(Clone, Copy, Debug)]
struct Size {
    px: u32,
    hidden: bool,
}

impl Size {
    /// What it takes on the sheet.
    fn shown(self) -> u32 {
        if self.hidden { 0 } else { self.px }
    }

    /// rust_xlsxwriter's `set_row_height_pixels` and `store_column_width`.
    fn set<K: Ord>(sizes: &mut BTreeMap<K, Size>, k: K, default: u32, px: u32) {
        let size = sizes.entry(k).or_insert(Size {
            px: default,
            hidden: false,
        });
        if px == 0 {
            size.hidden = true;
        } else {
            size.px = px;
        }
    }
}

/// The size of `k` among `sizes` (sorted), or `default`.
fn size_of(sizes: &[(u32, Size)], k: u32, default: u32) -> u32 {
    match sizes.binary_search_by_key(&k, |(i, _)| *i) {
        Ok(i) => sizes[i].1.shown(),
        Err(_) => default,
    }
}

/// The pixels of the rows or columns before `k`.
fn offset_of(sizes: &[(u32, Size)], k: u32, default: u32) -> u64 {
    let given = sizes.iter().take_while(|(i, _)| *i < k);
    given.fold(u64::from(default) * u64::from(k), |px, (_, s)| {
        px - u64::from(default) + u64::from(s.shown())
    })
}

#[derive(Clone, Copy, Debug)]
struct Dims {
    first_row: u32,
    first_col: u16,
    last_row: u32,
    last_col: u16,
}

/// A form sheet being written, kept as [`assemble`] writes it.
pub(crate) struct Recorder {
    name: String,
    /// Every cell written, in order (a later write to a cell replaces the earlier).
    cells: Vec<(u32, u16, Cell)>,
    strings: Strings,
    /// Each string's number, found by its `<si>` element in `strings` (one allocation
    /// for all of a sheet's strings, not two for each).
    ids: hashbrown::HashTable<u32>,
    order: Vec<u8>,
    rows: BTreeMap<u32, Size>,
    /// Column widths (the notes are placed by them).
    cols: BTreeMap<u32, Size>,
    /// Every note written, in order.
    notes: Vec<(u32, u16, Box<str>)>,
    merges: Vec<Range>,
    link: Option<Link>,
    page: Option<Page>,
    dims: Dims,
}

/// The link back: its cell, the sheet it goes to, its text, and its `<hyperlink>` element.
#[derive(Clone)]
struct Link {
    at: (u32, u16),
    to: String,
    text: String,
    xml: String,
}

/// The print area, the title of the page header, and the `<headerFooter>` element.
#[derive(Clone)]
struct Page {
    area: Range,
    title: String,
    xml: String,
}

/// A merged range: first row, first column, last row, last column.
type Range = (u32, u16, u32, u16);

/// A range as rust_xlsxwriter names it in `<mergeCell ref>` (`A1:I1`).
fn range_name(&(r1, c1, r2, c2): &Range) -> String {
    let (a, b) = (cell_name(r1, c1), cell_name(r2, c2));
    if a == b { a } else { format!("{a}:{b}") }
}

/// A range as rust_xlsxwriter's overlap error names it.
fn range_error(m: &Range) -> String {
    format!("({}, {}, {}, {}) / {}", m.0, m.1, m.2, m.3, range_name(m))
}

/// A recorded form sheet, kept compactly until [`assemble`] writes its parts.
pub(crate) struct SheetData {
    name: String,
    cells: Vec<(u32, u16, Cell)>,
    /// The sheet's distinct strings, as their shared-strings `<si>` elements.
    strings: Strings,
    /// The formats' ids in the order the sheet first used them.
    order: Vec<u8>,
    rows: Vec<(u32, Size)>,
    cols: Vec<(u32, Size)>,
    /// The notes' cells, in order, one note to a cell.
    notes: Vec<(u32, u16)>,
    /// Their texts.
    note_texts: Vec<Box<str>>,
    merges: Vec<Range>,
    link: Option<Link>,
    page: Option<Page>,
    dims: Dims,
}

impl Recorder {
    pub(crate) fn new() -> Recorder {
        Recorder {
            name: String::new(),
            cells: Vec::new(),
            strings: Strings::default(),
            ids: hashbrown::HashTable::new(),
            order: Vec::new(),
            rows: BTreeMap::new(),
            cols: BTreeMap::new(),
            notes: Vec::new(),
            merges: Vec::new(),
            link: None,
            page: None,
            dims: Dims {
                first_row: ROW_MAX,
                first_col: COL_MAX,
                last_row: 0,
                last_col: 0,
            },
        }
    }

    pub(crate) fn finish(mut self) -> SheetData {
        let name = self.name;
        // Row by row, the last write to each cell.
        self.cells.sort_by_key(|&(r, c, _)| (r, c));
        let mut cells: Vec<(u32, u16, Cell)> = Vec::with_capacity(self.cells.len());
        for x in self.cells {
            match cells.last_mut() {
                Some(last) if (last.0, last.1) == (x.0, x.1) => *last = x,
                _ => cells.push(x),
            }
        }
        cells.shrink_to_fit();
        // One note to a cell, the last written (as rust_xlsxwriter keeps them).
        let mut notes = self.notes;
        notes.sort_by_key(|&(r, c, _)| (r, c));
        let mut kept: Vec<(u32, u16, Box<str>)> = Vec::with_capacity(notes.len());
        for n in notes {
            match kept.last_mut() {
                Some(last) if (last.0, last.1) == (n.0, n.1) => *last = n,
                _ => kept.push(n),
            }
        }
        let (notes, note_texts) = kept.into_iter().map(|(r, c, t)| ((r, c), t)).unzip();
        SheetData {
            name,
            cells,
            strings: {
                let mut s = self.strings;
                s.shrink_to_fit();
                s
            },
            order: self.order,
            rows: self.rows.into_iter().collect(),
            cols: self.cols.into_iter().collect(),
            notes,
            note_texts,
            merges: self.merges,
            link: self.link,
            page: self.page,
            dims: self.dims,
        }
    }

    /// rust_xlsxwriter's `check_dimensions`.
    fn check(&mut self, r: u32, c: u16) -> Result<(), XlsxError> {
        if r >= ROW_MAX || c >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        let d = &mut self.dims;
        d.first_row = d.first_row.min(r);
        d.first_col = d.first_col.min(c);
        d.last_row = d.last_row.max(r);
        d.last_col = d.last_col.max(c);
        Ok(())
    }

    fn uses(&mut self, id: u8) {
        if !self.order.contains(&id) {
            self.order.push(id);
        }
    }

    fn text(&mut self, r: u32, c: u16, s: &str, id: u8) -> Result<(), XlsxError> {
        if s.is_empty() {
            return self.blank_id(r, c, id);
        }
        self.check(r, c)?;
        if too_long(s) {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        self.uses(id);
        // The element is written where the next string goes, and taken back when the
        // sheet has it already: a sheet's strings are mostly its own.
        let from = self.strings.xml.len();
        si_into(&mut self.strings.xml, s);
        let strings = &self.strings;
        let new = &strings.xml[from..];
        let hash = string_hash(new);
        let k = match self.ids.find(hash, |&k| strings.get(k) == new) {
            Some(&k) => {
                self.strings.xml.truncate(from);
                k
            }
            None => {
                let k = self.strings.ends.len() as u32;
                // Its end as a `u32`: a sheet's strings past 4 GB are refused, never cut.
                let end = u32::try_from(self.strings.xml.len()).map_err(|_| {
                    XlsxError::ParameterError("a form sheet's strings pass 4 GB".into())
                })?;
                self.strings.ends.push(end);
                let strings = &self.strings;
                self.ids
                    .insert_unique(hash, k, |&k| string_hash(strings.get(k)));
                k
            }
        };
        self.cells.push((r, c, Cell::Text(k, id)));
        Ok(())
    }

    fn blank_id(&mut self, r: u32, c: u16, id: u8) -> Result<(), XlsxError> {
        self.check(r, c)?;
        self.uses(id);
        self.cells.push((r, c, Cell::Blank(id)));
        Ok(())
    }
}

impl Cells for Recorder {
    fn sheet(&mut self, name: &str) -> Result<(), XlsxError> {
        rust_xlsxwriter::utility::check_sheet_name(name)?;
        self.name = name.to_string();
        Ok(())
    }

    fn string(&mut self, r: u32, c: u16, s: &str, f: Fmt) -> Result<(), XlsxError> {
        self.text(r, c, s, f.id)
    }

    fn number(&mut self, r: u32, c: u16, n: f64, f: Fmt) -> Result<(), XlsxError> {
        self.check(r, c)?;
        // Written as text, as rust_xlsxwriter does (a Decimal's f64 is always finite).
        if n.is_nan() {
            return self.text(r, c, "NAN", f.id);
        }
        if n.is_infinite() {
            return self.text(r, c, if n > 0.0 { "INF" } else { "-INF" }, f.id);
        }
        self.uses(f.id);
        self.cells.push((r, c, Cell::Number(n, f.id)));
        Ok(())
    }

    fn blank(&mut self, r: u32, c: u16, f: Fmt) -> Result<(), XlsxError> {
        self.blank_id(r, c, f.id)
    }

    fn merge(
        &mut self,
        r1: u32,
        c1: u16,
        r2: u32,
        c2: u16,
        s: &str,
        f: Fmt,
    ) -> Result<(), XlsxError> {
        // As rust_xlsxwriter's merge_range: its checks, its errors, its cells.
        self.check(r1, c1)?;
        self.check(r2, c2)?;
        if r1 > r2 || c1 > c2 {
            return Err(XlsxError::RowColumnOrderError);
        }
        if r1 == r2 && c1 == c2 {
            return Err(XlsxError::MergeRangeSingleCell);
        }
        self.text(r1, c1, s, f.id)?;
        for c in c1 + 1..=c2 {
            self.blank_id(r1, c, f.id)?;
        }
        for r in r1 + 1..=r2 {
            for c in c1..=c2 {
                self.blank_id(r, c, f.id)?;
            }
        }
        let new = (r1, c1, r2, c2);
        // The cell by cell search below names the merge rust_xlsxwriter names; it is
        // run only when a merge before overlaps this one (a form has dozens of merges,
        // and searching them all for each of their cells showed in `--feedback`'s
        // profile).
        let clash = self
            .merges
            .iter()
            .any(|m| m.0 <= r2 && r1 <= m.2 && m.1 <= c2 && c1 <= m.3);
        for r in (r1..=r2).filter(|_| clash) {
            for c in c1..=c2 {
                let previous = self
                    .merges
                    .iter()
                    .find(|m| (m.0..=m.2).contains(&r) && (m.1..=m.3).contains(&c));
                if let Some(m) = previous {
                    return Err(XlsxError::MergeRangeOverlaps(
                        range_error(&new),
                        range_error(m),
                    ));
                }
            }
        }
        self.merges.push(new);
        Ok(())
    }

    fn row_height(&mut self, r: u32, h: f64) -> Result<(), XlsxError> {
        if r >= ROW_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        let px = (h * 4.0 / 3.0).round() as u32;
        let min_col = if self.dims.first_col == COL_MAX {
            0
        } else {
            self.dims.first_col
        };
        self.check(r, min_col)?;
        Size::set(&mut self.rows, r, DEFAULT_ROW_PX, px);
        Ok(())
    }

    fn col_width(&mut self, c: u16, w: f64) -> Result<(), XlsxError> {
        if c >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        // rust_xlsxwriter's `column_width_to_pixels` and `store_column_width`: no width
        // hides the column at the default width.
        let px = if w == 0.0 {
            0
        } else if w < 1.0 {
            (w * f64::from(MAX_DIGIT_PX + CELL_PADDING_PX)).round() as u32
        } else {
            (w * f64::from(MAX_DIGIT_PX)).round() as u32 + CELL_PADDING_PX
        };
        Size::set(
            &mut self.cols,
            u32::from(c),
            DEFAULT_COL_PX,
            px.min(MAX_COL_PX),
        );
        Ok(())
    }

    fn note(&mut self, r: u32, c: u16, text: &str) -> Result<(), XlsxError> {
        // insert_note's checks.
        if r >= ROW_MAX || c >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        if text.encode_utf16().count() > MAX_STRING_LEN - 54 {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        self.check(r, c)?;
        self.notes.push((r, c, text.into()));
        Ok(())
    }

    fn link(&mut self, r: u32, c: u16, to: &str, text: &str) -> Result<(), XlsxError> {
        self.text(r, c, text, HYPERLINK)?;
        // rust_xlsxwriter's `write_hyperlink` for an internal link, the last one kept.
        let xml = format!(
            "<hyperlink ref=\"{}\" location=\"{}\" display=\"{}\"/>",
            cell_name(r, c),
            escape_attr(&format!("'{to}'!A1")),
            escape_attr(text)
        );
        self.link = Some(Link {
            at: (r, c),
            to: to.to_string(),
            text: text.to_string(),
            xml,
        });
        Ok(())
    }

    fn page(&mut self, area: (u32, u16, u32, u16), title: &str) -> Result<(), XlsxError> {
        // rust_xlsxwriter's `write_header_footer` for the header and footer its `page` sets.
        let (header, footer) = super::workbook::Heading::plain(title).header_footer();
        let mut xml = String::from("<headerFooter>");
        for (tag, text) in [("oddHeader", header.as_str()), ("oddFooter", footer)] {
            if text.is_empty() {
                continue;
            }
            let text = text
                .replace("&[Tab]", "&A")
                .replace("&[Date]", "&D")
                .replace("&[File]", "&F")
                .replace("&[Page]", "&P")
                .replace("&[Path]", "&Z")
                .replace("&[Time]", "&T")
                .replace("&[Pages]", "&N")
                .replace("&[Picture]", "&G");
            xml.push_str(&format!("<{tag}>{}</{tag}>", escape_data(&text)));
        }
        xml.push_str("</headerFooter>");
        self.page = Some(Page {
            area,
            title: title.to_string(),
            xml,
        });
        Ok(())
    }
}

/// An attribute's value as rust_xlsxwriter escapes it.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
    out
}

/// The formats' ids in the order the sheets first use them (the link back's aside).
pub(crate) fn first_use(sheets: &[SheetData]) -> Vec<u8> {
    let mut order = Vec::new();
    for s in sheets {
        for &id in &s.order {
            if id != HYPERLINK && !order.contains(&id) {
                order.push(id);
            }
        }
    }
    order
}

/// Blank cells in the carrier, one per format in `order`, so that the
/// workbook numbers the formats as it would number them in the sheets themselves; their
/// numbers are read back from the placeholder (the cells are not in the sheet).
pub(crate) fn add_carriers(ws: &mut Worksheet, order: &[u8]) -> Result<(), XlsxError> {
    for (k, &id) in order.iter().enumerate() {
        if let Some(f) = super::forms::format_of(id) {
            ws.write_blank(k as u32, CARRIER_COL, f)?;
        }
    }
    Ok(())
}

/// Adds a placeholder for the first form sheet to `wb`, the carrier of the form sheets
/// ([`assemble`]): the sheet's name, page setup and link back, their formats (`order`,
/// [`add_carriers`]) and, when any sheet has notes, a note, so that the package has the
/// notes' content type and the numbers the sheets' notes parts follow on from.
pub(crate) fn push_carrier(
    wb: &mut rust_xlsxwriter::Workbook,
    sheets: &[SheetData],
    order: &[u8],
) -> Result<(), XlsxError> {
    let Some(first) = sheets.first() else {
        return Ok(());
    };
    // The first sheet as rust_xlsxwriter would have it, but for its cells, widths and
    // heights (none of which the parts taken from it hold): its name, page setup and
    // link back, in the order the sheet sets them, so its link's format comes first.
    let mut ws = Worksheet::new();
    super::forms::Cells::sheet(&mut ws, &first.name)?;
    if let Some(p) = &first.page {
        super::forms::Cells::page(&mut ws, p.area, &p.title)?;
    }
    if let Some(l) = &first.link {
        super::forms::Cells::link(&mut ws, l.at.0, l.at.1, &l.to, &l.text)?;
    }
    add_carriers(&mut ws, order)?;
    if sheets.iter().any(|s| !s.notes.is_empty()) {
        ws.insert_note(0, CARRIER_COL, &super::forms::form_note("·"))?;
    }
    wb.push_worksheet(ws);
    Ok(())
}

/// Longer than Excel takes in a cell (rust_xlsxwriter refuses it). A string is never
/// more UTF-16 units than bytes: only a long one is counted.
pub(super) fn too_long(s: &str) -> bool {
    s.len() > MAX_STRING_LEN && s.encode_utf16().count() > MAX_STRING_LEN
}

/// A string as rust_xlsxwriter writes it in the shared strings.
pub(super) fn si(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    si_into(&mut out, s);
    out
}

/// [`si`] written at the end of `out`.
fn si_into(out: &mut String, s: &str) {
    let ws = ['\t', '\n', ' '];
    if s.starts_with("<r>") && s.ends_with("</r>") {
        out.push_str("<si>");
        out.push_str(s);
        out.push_str("</si>");
        return;
    }
    if s.starts_with(ws) || s.ends_with(ws) {
        out.push_str("<si><t xml:space=\"preserve\">");
    } else {
        out.push_str("<si><t>");
    }
    escape_data_into(out, &escape_escapes(s));
    out.push_str("</t></si>");
}

/// A sheet's strings, each its `<si>` element, one after the other in one `String`.
#[derive(Default)]
struct Strings {
    xml: String,
    /// Where each ends in `xml`.
    ends: Vec<u32>,
}

impl Strings {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// String `k`'s element.
    fn get(&self, k: u32) -> &str {
        let k = k as usize;
        let from = match k {
            0 => 0,
            _ => self.ends[k - 1] as usize,
        };
        &self.xml[from..self.ends[k] as usize]
    }

    fn shrink_to_fit(&mut self) {
        self.xml.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// The hash a sheet's strings are found by ([`Recorder`]'s `ids`).
fn string_hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    Fast::default().hash_one(s)
}

/// rust_xlsxwriter's `escape_xml_escapes`: a literal `_xHHHH_` gets its `_` escaped.
fn escape_escapes(original: &str) -> std::borrow::Cow<'_, str> {
    const LEN: usize = 7;
    if !original.contains("_x") {
        return original.into();
    }
    let end = original.len();
    let mut escaped = original.to_string();
    for (index, _) in original.rmatch_indices("_x") {
        if index + LEN > end || !original.is_char_boundary(index + (LEN - 1)) {
            continue;
        }
        if !original[index + LEN - 1..].starts_with('_') {
            continue;
        }
        let Some(hex) = original.get(index + 2..index + (LEN - 1)) else {
            continue;
        };
        if hex.chars().all(|c| c.is_ascii_hexdigit()) {
            escaped.replace_range(index..index, "_x005F");
        }
    }
    escaped.into()
}

/// rust_xlsxwriter's `escape_xml_data`.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_data_into(&mut out, s);
    out
}

/// [`escape_data`] written at the end of `out`.
fn escape_data_into(out: &mut String, s: &str) {
    let plain = |b: &u8| (*b >= 0x20 || *b == b'\t' || *b == b'\n') && !b"&<>".contains(b);
    // Most texts need nothing escaped: copied whole. U+FFFE and U+FFFF are EF BF BE/BF.
    if s.as_bytes().iter().all(plain) && !s.contains(['\u{FFFE}', '\u{FFFF}']) {
        out.push_str(s);
        return;
    }
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(ch),
            '\x00'..='\x1F' => out.push_str(&format!("_x{:04X}_", ch as u32)),
            '\u{FFFE}' => out.push_str("_xFFFE_"),
            '\u{FFFF}' => out.push_str("_xFFFF_"),
            c => out.push(c),
        }
    }
}

fn err(e: impl std::fmt::Display) -> Error {
    Error {
        msg: format!("form sheets: {e}"),
        io: None,
    }
}

pub(super) type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

pub(super) fn read(zip: &mut Archive, path: &str) -> Result<String, Error> {
    let mut xml = String::new();
    zip.by_name(path)
        .map_err(err)?
        .read_to_string(&mut xml)
        .map_err(err)?;
    Ok(xml)
}

/// The shared-string indices a sheet's cells use, in order: the `N` of each
/// `t="s"><v>N</v>`, with where it is.
pub(super) fn string_refs(xml: &str) -> impl Iterator<Item = (usize, usize, u32)> + '_ {
    const TAG: &str = "t=\"s\"><v>";
    xml.match_indices(TAG).filter_map(move |(i, _)| {
        let start = i + TAG.len();
        let end = start + xml[start..].find('<')?;
        Some((start, end, xml[start..end].parse().ok()?))
    })
}

/// The `s` of the cell `r` in a sheet's XML.
pub(super) fn style_of(xml: &str, cell: &str) -> Option<u32> {
    let at = xml.find(&format!("<c r=\"{cell}\" s=\""))? + cell.len() + 11;
    let end = at + xml[at..].find('"')?;
    xml[at..end].parse().ok()
}

fn cell_name(r: u32, c: u16) -> String {
    format!("{}{}", crate::grid::col_name(c as u32), r + 1)
}

/// Parts being compressed into one [`Bundle`], each with rust_xlsxwriter's options (the
/// parts they replace were written by rust_xlsxwriter: the package stays byte for byte
/// the same).
pub(super) struct Bundler {
    zip: zip::ZipWriter<Cursor<Vec<u8>>>,
    paths: Vec<String>,
}

impl Bundler {
    pub(super) fn new() -> Bundler {
        Bundler {
            zip: zip::ZipWriter::new(Cursor::new(Vec::new())),
            paths: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, path: &str, xml: &[u8]) -> Result<(), Error> {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .unix_permissions(0o600)
            .last_modified_time(zip::DateTime::default());
        self.zip.start_file(path, opts).map_err(err)?;
        self.zip.write_all(xml).map_err(err)?;
        self.paths.push(path.to_string());
        Ok(())
    }

    pub(super) fn finish(self) -> Result<Bundle, Error> {
        Ok(Bundle {
            paths: self.paths,
            zip: self.zip.finish().map_err(err)?.into_inner(),
        })
    }
}

/// One part on its own.
fn zipped(path: &str, xml: &[u8]) -> Result<Bundle, Error> {
    let mut b = Bundler::new();
    b.add(path, xml)?;
    b.finish()
}

/// The shared strings: the head (`<sst … count="C" uniqueCount="U">`), its `<si>`
/// elements, the tail.
pub(super) struct Sst<'a> {
    pub(super) head: &'a str,
    pub(super) entries: Vec<&'a str>,
    pub(super) count: u64,
}

pub(super) fn parse_sst(xml: &str) -> Result<Sst<'_>, Error> {
    let open = xml.find("<sst ").ok_or_else(|| err("no <sst>"))?;
    let head_end = open + xml[open..].find('>').ok_or_else(|| err("no <sst>"))? + 1;
    let head = &xml[..head_end];
    let count = head
        .split("count=\"")
        .nth(1)
        .and_then(|s| s[..s.find('"')?].parse().ok())
        .ok_or_else(|| err("no count"))?;
    let mut entries = Vec::new();
    let mut at = head_end;
    while xml[at..].starts_with("<si>") {
        let end = at
            + xml[at..]
                .find("</si>")
                .ok_or_else(|| err("unclosed <si>"))?
            + 5;
        entries.push(&xml[at..end]);
        at = end;
    }
    Ok(Sst {
        head,
        entries,
        count,
    })
}

/// The shared strings' head (`<sst … count="C" uniqueCount="U">`) with `count` string
/// cells and `unique` strings.
pub(super) fn sst_head(head: &str, count: u64, unique: usize) -> Result<String, Error> {
    let (c0, c1) = {
        let i = head.find("count=\"").ok_or_else(|| err("no count"))? + 7;
        (i, i + head[i..].find('"').ok_or_else(|| err("no count"))?)
    };
    let mut out = String::with_capacity(head.len() + 16);
    out.push_str(&head[..c0]);
    out.push_str(itoa::Buffer::new().format(count));
    let rest = &head[c1..];
    let (u0, u1) = {
        let i = rest
            .find("uniqueCount=\"")
            .ok_or_else(|| err("no uniqueCount"))?
            + 13;
        (
            i,
            i + rest[i..].find('"').ok_or_else(|| err("no uniqueCount"))?,
        )
    };
    out.push_str(&rest[..u0]);
    out.push_str(itoa::Buffer::new().format(unique));
    out.push_str(&rest[u1..]);
    Ok(out)
}

/// What the form sheets' parts share, read off the saved package: where the carrier is,
/// the formats' numbers, each sheet's strings' numbers in the rebuilt shared strings, the
/// sheets after the carrier with their strings renumbered.
struct Shared {
    at: usize,
    styles: [u32; 256],
    maps: Vec<Vec<u32>>,
    /// The carrier's XML.
    carrier: String,
    /// The shared strings part, rebuilt.
    sst: Bundle,
    /// Each sheet after the carrier: its path and its XML with its strings renumbered.
    after: Vec<(String, String)>,
}

/// The shared strings and formats of the form sheets, whose first is the carrier in the
/// saved `zip` (`paths`: the workbook's sheets by name, in order).
fn shared(
    zip: &mut Archive,
    paths: &[(String, String)],
    sheets: &[SheetData],
    order: &[u8],
) -> Result<Shared, Error> {
    let first = sheets.first().ok_or_else(|| err("no form sheet"))?;
    let at = paths
        .iter()
        .position(|(n, _)| *n == first.name)
        .ok_or_else(|| err(format!("no sheet {}", first.name)))?;
    let sst_path = "xl/sharedStrings.xml";
    let sst_xml = read(zip, sst_path)?;
    let sst = parse_sst(&sst_xml)?;
    // The strings of the sheets before the form sheets come first.
    let mut before = 0usize;
    for (_, path) in &paths[..at] {
        let xml = read(zip, path)?;
        if let Some(max) = string_refs(&xml).map(|(_, _, i)| i as usize).max() {
            before = before.max(max + 1);
        }
    }
    // The carrier: its XML, and the strings it counts (its link back).
    let carrier = read(zip, &paths[at].1)?;
    let theirs = string_refs(&carrier).count() as u64;
    // The formats' numbers from the format carriers in the carrier.
    let mut styles = [0u32; 256];
    for (k, &id) in order.iter().enumerate() {
        styles[id as usize] = style_of(&carrier, &cell_name(k as u32, CARRIER_COL))
            .ok_or_else(|| err("no format carrier"))?;
    }
    if let Some(Link { at: (r, c), .. }) = &first.link {
        let (r, c) = (*r, *c);
        styles[HYPERLINK as usize] =
            style_of(&carrier, &cell_name(r, c)).ok_or_else(|| err("no link style"))?;
    }
    // The shared strings: those before, then the form sheets' in order.
    if sst.entries.len() < before {
        return Err(err("shared strings shorter than used"));
    }
    let mut entries: Vec<&str> = sst.entries[..before].to_vec();
    let mut index: HashMap<&str, u32, Fast> =
        HashMap::with_capacity_and_hasher(entries.len() * 2, Fast::default());
    for (i, e) in entries.iter().enumerate() {
        index.entry(e).or_insert(i as u32);
    }
    let mut count = sst.count - theirs;
    let mut maps: Vec<Vec<u32>> = Vec::with_capacity(sheets.len());
    for s in sheets {
        let mut map = vec![u32::MAX; s.strings.len()];
        for (_, _, cell) in &s.cells {
            if let Cell::Text(k, _) = cell {
                count += 1;
                let slot = &mut map[*k as usize];
                if *slot == u32::MAX {
                    let key: &str = s.strings.get(*k);
                    *slot = *index.entry(key).or_insert_with(|| {
                        entries.push(key);
                        (entries.len() - 1) as u32
                    });
                }
            }
        }
        maps.push(map);
    }
    let mut after = Vec::new();
    // The sheets after (说明): their own strings renumbered after the form sheets'.
    for (_, path) in &paths[at + 1..] {
        let xml = read(zip, path)?;
        let mut new = String::with_capacity(xml.len());
        let mut last = 0;
        for (start, end, i) in string_refs(&xml) {
            let i = i as usize;
            if i < before {
                continue;
            }
            let key = *sst
                .entries
                .get(i)
                .ok_or_else(|| err("string index out of range"))?;
            let k = *index.entry(key).or_insert_with(|| {
                entries.push(key);
                (entries.len() - 1) as u32
            });
            new.push_str(&xml[last..start]);
            new.push_str(itoa::Buffer::new().format(k));
            last = end;
        }
        new.push_str(&xml[last..]);
        after.push((path.clone(), new));
    }
    let mut sst_new =
        String::with_capacity(sst_xml.len() + entries.iter().map(|e| e.len()).sum::<usize>());
    sst_new.push_str(&sst_head(sst.head, count, entries.len())?);
    for e in &entries {
        sst_new.push_str(e);
    }
    sst_new.push_str("</sst>");
    Ok(Shared {
        at,
        styles,
        maps,
        carrier,
        sst: zipped(sst_path, sst_new.as_bytes())?,
        after,
    })
}

/// The parts [`assemble`] writes: bundles by path, and which parts of the saved package
/// give way to which new ones, in order (see [`super::sheetdata::Parts`]).
pub(crate) use super::sheetdata::Parts;

const WORKSHEET_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const COMMENTS_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
const RELS_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn sheet_path(i: usize) -> String {
    format!("xl/worksheets/sheet{}.xml", i + 1)
}

fn rels_path(sheet: &str) -> String {
    match sheet.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{sheet}.rels"),
    }
}

/// The number right after `key` (`data="` …) in `s`.
fn number_after(s: &str, key: &str) -> Result<u32, Error> {
    let at = s.find(key).ok_or_else(|| err(format!("no {key}")))? + key.len();
    let digits = s[at..].bytes().take_while(u8::is_ascii_digit).count();
    s[at..at + digits]
        .parse()
        .map_err(|_| err(format!("{key}: not a number")))
}

/// XML data as rust_xlsxwriter unescapes nothing: the reverse of the three escapes a
/// defined name's range can hold.
fn unescape3(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// One `<definedName>`: its sort key as rust_xlsxwriter sorts them (`sort_name`, range),
/// its sheet, and its element.
struct Name {
    key: (String, String),
    sheet: Option<usize>,
    /// The element before and after its `localSheetId` value.
    head: String,
    tail: String,
    /// docProps/app.xml's entry for it, if any.
    app: Option<String>,
}

impl Name {
    fn element(&self) -> String {
        match self.sheet {
            Some(i) => format!("{}{i}{}", self.head, self.tail),
            None => self.head.clone(),
        }
    }

    fn parse(e: &str) -> Result<Name, Error> {
        let (_, name) = between(e, "name=\"", "\"")?;
        let (_, text) = between(e, ">", "</definedName>")?;
        let range = unescape3(text);
        let quoted = range.split('!').next().unwrap_or("").to_string();
        let (sort, app) = match name {
            "_xlnm.Print_Area" => (
                "print_area{}".to_string(),
                Some(format!("{quoted}!Print_Area")),
            ),
            "_xlnm._FilterDatabase" => ("_filterdatabase{}".to_string(), None),
            "_xlnm.Print_Titles" => (
                "print_titles".to_string(),
                Some(format!("{quoted}!Print_Titles")),
            ),
            other => return Err(err(format!("defined name {other}"))),
        };
        let (sheet, head, tail) = match e.find("localSheetId=\"") {
            Some(i) => {
                let start = i + 14;
                let end = start + e[start..].find('"').ok_or_else(|| err("localSheetId"))?;
                let id = e[start..end].parse().map_err(|_| err("localSheetId"))?;
                (Some(id), e[..start].to_string(), e[end..].to_string())
            }
            None => (None, e.to_string(), String::new()),
        };
        Ok(Name {
            key: (sort, range),
            sheet,
            head,
            tail,
            app,
        })
    }

    /// A form sheet's print area.
    fn print_area(sheet: usize, name: &str, area: &Range) -> Name {
        let quoted = rust_xlsxwriter::utility::quote_sheet_name(name);
        let range = format!(
            "{quoted}!{}",
            rust_xlsxwriter::utility::cell_range_absolute(area.0, area.1, area.2, area.3)
        );
        Name {
            head: "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"".to_string(),
            tail: format!("\">{}</definedName>", escape_data(&range)),
            key: ("print_area{}".to_string(), range),
            sheet: Some(sheet),
            app: Some(format!("{quoted}!Print_Area")),
        }
    }
}

/// The elements `<tag …/>` or `<tag …>…</tag>` inside `s`, in order.
fn elements<'a>(s: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = s[at..].find(&open) {
        let start = at + i;
        let rest = &s[start..];
        let gt = rest.find('>').unwrap_or(rest.len());
        let end = if rest[..gt].ends_with('/') {
            start + gt + 1
        } else {
            start + rest.find(&close).map_or(rest.len(), |c| c + close.len())
        };
        out.push(&s[start..end]);
        at = end;
    }
    out
}

/// Writes the form sheets into the saved `zip` whose only form sheet is the carrier, a
/// placeholder for the first ([`push_carrier`]): every form sheet's parts whole, the workbook's sheet list, defined names,
/// relationships, content types and document properties numbered for them, and the
/// sheets after them (说明) renumbered after them, as rust_xlsxwriter numbers them when
/// each form sheet is a placeholder of its own, byte for byte.
pub(crate) fn assemble(
    zip: &mut Archive,
    paths: &[(String, String)],
    sheets: Vec<SheetData>,
    order: &[u8],
) -> Result<Parts, Error> {
    if sheets.is_empty() {
        return Ok(Parts::default());
    }
    let n = sheets.len();
    let Shared {
        at,
        styles,
        maps,
        carrier: template,
        sst,
        after,
    } = shared(zip, paths, &sheets, order)?;
    for (i, (_, p)) in paths.iter().enumerate() {
        if *p != sheet_path(i) {
            return Err(err("the sheets' parts are not numbered in order"));
        }
    }
    let carrier = &paths[at].1;
    for (_, p) in &paths[at + 1..] {
        if zip.index_for_name(&rels_path(p)).is_some() {
            return Err(err(format!("{p} after the form sheets has relationships")));
        }
    }
    let template = template.as_str();
    // The carrier's parts common to every form sheet.
    let head = &template[..template
        .find("<dimension ")
        .ok_or_else(|| err("no dimension"))?];
    let views = {
        let d = template
            .find("<dimension ")
            .ok_or_else(|| err("no dimension"))?;
        let from = d + template[d..].find("/>").ok_or_else(|| err("dimension"))? + 2;
        let to = template
            .find("<cols>")
            .or_else(|| template.find("<sheetData"))
            .ok_or_else(|| err("no sheetData"))?;
        &template[from..to]
    };
    // Print options, margins and page setup: after the cells, merges and link, before the
    // header and footer (or the notes' drawing, or the end).
    let print = {
        let mut from = match (template.find("<sheetData/>"), template.find("</sheetData>")) {
            (Some(i), _) => i + 12,
            (None, Some(i)) => i + 12,
            _ => return Err(err("no sheetData")),
        };
        for tag in ["</mergeCells>", "</hyperlinks>"] {
            if let Some(i) = template.find(tag) {
                from = from.max(i + tag.len());
            }
        }
        let to = ["<headerFooter", "<legacyDrawing ", "</worksheet>"]
            .iter()
            .find_map(|t| template[from..].find(t))
            .ok_or_else(|| err("no </worksheet>"))?;
        &template[from..from + to]
    };
    // Notes: the carrier's comments and VML drawing as templates and first numbers.
    let noted: Vec<bool> = sheets.iter().map(|s| !s.notes.is_empty()).collect();
    let notes = if noted.iter().any(|&b| b) {
        let parts = NoteParts::read(zip, carrier)?;
        let comment = number_after(&parts.comments.0, "xl/comments")?;
        let vml = number_after(&parts.vml.0, "xl/drawings/vmlDrawing")?;
        let data = number_after(&parts.vml.1, "<o:idmap v:ext=\"edit\" data=\"")?;
        let base = number_after(&parts.vml.1, "<v:shape id=\"_x0000_s")?;
        Some((comment, vml, data, base, parts))
    } else {
        None
    };
    // Each sheet's numbers: (comments, VML drawing, VML data id, first shape id).
    let mut numbers: Vec<Option<(u32, u32, u32, u32)>> = Vec::with_capacity(n);
    if let Some(&(mut c, mut v, mut d, mut b, _)) = notes.as_ref() {
        for s in &sheets {
            if s.notes.is_empty() {
                numbers.push(None);
                continue;
            }
            numbers.push(Some((c, v, d, b)));
            let step = (1024 + s.notes.len() as u32) / 1024;
            c += 1;
            v += 1;
            d += step;
            b += 1024 * step;
        }
    } else {
        numbers.resize(n, None);
    }
    let note_templates = notes.as_ref().map(|(.., p)| p);
    // Each sheet's name and print area, for the workbook's own parts: the rest of its
    // data is freed by the task that writes it (freed at the end, the 2,000,000 small
    // strings of 10,000 form sheets were 0.09 s on one core).
    let heads: Vec<(String, Option<Range>)> = sheets
        .iter()
        .map(|s| (s.name.clone(), s.page.as_ref().map(|p| p.area)))
        .collect();
    // Each form sheet's parts, in parallel, a bundle for each run a task takes.
    type Job<'s> = (usize, SheetData, &'s [u32], Option<(u32, u32, u32, u32)>);
    let jobs: Vec<Job> = sheets
        .into_iter()
        .zip(&maps)
        .zip(&numbers)
        .enumerate()
        .map(|(k, ((s, m), num))| (k, s, m.as_slice(), *num))
        .collect();
    let rendered: Vec<Result<Bundle, Error>> = jobs
        .into_par_iter()
        .try_fold(Bundler::new, |mut bundle, (k, s, map, num)| {
            let path = sheet_path(at + k);
            let mut xml = String::with_capacity(template.len() + 1024);
            xml.push_str(head);
            xml.push_str("<dimension ref=\"A1\"/>");
            xml.push_str(views);
            cols_xml(&mut xml, &s.cols);
            xml.push_str("<sheetData/>");
            if let Some(link) = &s.link {
                xml.push_str("<hyperlinks>");
                xml.push_str(&link.xml);
                xml.push_str("</hyperlinks>");
            }
            xml.push_str(print);
            if let Some(page) = &s.page {
                xml.push_str(&page.xml);
            }
            if num.is_some() {
                xml.push_str("<legacyDrawing r:id=\"rId1\"/>");
            }
            xml.push_str("</worksheet>");
            let s = &s;
            bundle.add(&path, &render(s, map, &styles, &xml)?)?;
            if let (Some((c, v, d, b)), Some(t)) = (num, note_templates) {
                let rels = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{RELS_NS}/vmlDrawing\" Target=\"../drawings/vmlDrawing{v}.vml\"/><Relationship Id=\"rId2\" Type=\"{RELS_NS}/comments\" Target=\"../comments{c}.xml\"/></Relationships>"
                );
                bundle.add(&rels_path(&path), rels.as_bytes())?;
                let vml = vml_numbered(&t.vml.1, s, Some((d, b)))?;
                bundle.add(&format!("xl/drawings/vmlDrawing{v}.vml"), vml.as_bytes())?;
                let comments = comments_xml(&t.comments.1, s)?;
                bundle.add(&format!("xl/comments{c}.xml"), comments.as_bytes())?;
            }
            Ok(bundle)
        })
        .map(|b| b.and_then(Bundler::finish))
        .collect();
    let mut parts = Parts::default();
    for r in rendered {
        parts.bundles.push(r?);
    }
    parts.bundles.push(sst);
    // Where they go: the carrier's parts give way to every form sheet's.
    let mut sheet_parts = Vec::new();
    let (mut vmls, mut comments) = (Vec::new(), Vec::new());
    for (k, num) in numbers.iter().enumerate() {
        let path = sheet_path(at + k);
        sheet_parts.push(path.clone());
        if let Some((c, v, ..)) = num {
            sheet_parts.push(rels_path(&path));
            vmls.push(format!("xl/drawings/vmlDrawing{v}.vml"));
            comments.push(format!("xl/comments{c}.xml"));
        }
    }
    parts.splice.insert(carrier.clone(), sheet_parts);
    if let Some((.., t)) = &notes {
        parts.splice.insert(rels_path(carrier), Vec::new());
        parts.splice.insert(t.vml.0.clone(), vmls);
        parts.splice.insert(t.comments.0.clone(), comments);
    } else if zip.index_for_name(&rels_path(carrier)).is_some() {
        return Err(err(
            "the carrier has relationships but no form sheet a note",
        ));
    }
    // The sheets after, renumbered after the form sheets.
    let mut after_bundle = Bundler::new();
    for (j, (path, xml)) in after.iter().enumerate() {
        let new = sheet_path(at + n + j);
        after_bundle.add(&new, xml.as_bytes())?;
        parts.splice.insert(path.clone(), vec![new]);
    }
    parts.bundles.push(after_bundle.finish()?);
    // The workbook's own parts.
    let comments_before = notes.as_ref().map_or(0, |(c, ..)| c - 1);
    let total_comments = comments_before + numbers.iter().flatten().count() as u32;
    let mut own = Bundler::new();
    let (workbook, apps) = workbook_xml(&read(zip, "xl/workbook.xml")?, at, &heads)?;
    let names: Vec<&str> = heads.iter().map(|(n, _)| n.as_str()).collect();
    own.add("xl/workbook.xml", workbook.as_bytes())?;
    own.add(
        "xl/_rels/workbook.xml.rels",
        workbook_rels(
            &read(zip, "xl/_rels/workbook.xml.rels")?,
            paths.len() + n - 1,
        )?
        .as_bytes(),
    )?;
    own.add(
        "[Content_Types].xml",
        content_types(
            &read(zip, "[Content_Types].xml")?,
            paths.len() + n - 1,
            notes.as_ref().map(|_| total_comments),
        )?
        .as_bytes(),
    )?;
    own.add(
        "docProps/app.xml",
        app_xml(&read(zip, "docProps/app.xml")?, at, &names, &apps)?.as_bytes(),
    )?;
    parts.bundles.push(own.finish()?);
    Ok(parts)
}

/// rust_xlsxwriter's `write_cols` for the widths in `cols` (pixels, as it keeps them).
fn cols_xml(xml: &mut String, cols: &[(u32, Size)]) {
    if cols.is_empty() {
        return;
    }
    xml.push_str("<cols>");
    let write = |xml: &mut String, first: u32, last: u32, s: Size| {
        let has_custom = s.px != DEFAULT_COL_PX;
        let width = if s.px == DEFAULT_COL_PX && s.hidden {
            0
        } else {
            s.px
        };
        let chars = f64::from(width * 256 / MAX_DIGIT_PX) / 256.0;
        xml.push_str(&format!(
            "<col min=\"{}\" max=\"{}\" width=\"{chars}\"",
            first + 1,
            last + 1
        ));
        if s.hidden {
            xml.push_str(" hidden=\"1\"");
        }
        if has_custom || s.hidden {
            xml.push_str(" customWidth=\"1\"");
        }
        xml.push_str("/>");
    };
    let (mut first, mut prev) = cols[0];
    let mut last = first;
    for &(c, s) in &cols[1..] {
        if c == last + 1 && s.px == prev.px && s.hidden == prev.hidden {
            last = c;
        } else {
            write(xml, first, last, prev);
            first = c;
            last = c;
            prev = s;
        }
    }
    write(xml, first, last, prev);
    xml.push_str("</cols>");
}

/// workbook.xml with the form sheets in the carrier's place (`at`), and docProps/app.xml's
/// names for the defined names, in their order.
fn workbook_xml(
    xml: &str,
    at: usize,
    sheets: &[(String, Option<Range>)],
) -> Result<(String, Vec<String>), Error> {
    let n = sheets.len();
    let (s0, list) = between(xml, "<sheets>", "</sheets>")?;
    let old = elements(list, "sheet");
    if old.len() <= at {
        return Err(err("workbook.xml: too few sheets"));
    }
    let entry = |i: usize, name: &str| {
        format!(
            "<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
            escape_attr(name),
            i + 1,
            i + 1
        )
    };
    if old[at] != entry(at, &sheets[0].0) {
        return Err(err("workbook.xml: the carrier's entry is not as expected"));
    }
    let mut out = String::with_capacity(xml.len() + n * 160);
    // The active and first tabs by index: past the carrier, past the form sheets now.
    let mut view = xml[..s0].to_string();
    for key in ["activeTab=\"", "firstSheet=\""] {
        if let Some(i) = view.find(key) {
            let v = number_after(&view, key)? as usize;
            if v > at {
                let start = i + key.len();
                let end = start + itoa::Buffer::new().format(v).len();
                view.replace_range(start..end, itoa::Buffer::new().format(v + n - 1));
            }
        }
    }
    out.push_str(&view);
    for e in &old[..at] {
        out.push_str(e);
    }
    for (k, (name, _)) in sheets.iter().enumerate() {
        out.push_str(&entry(at + k, name));
    }
    for (j, e) in old[at + 1..].iter().enumerate() {
        let i = at + 1 + j;
        let from = format!("sheetId=\"{}\" r:id=\"rId{}\"", i + 1, i + 1);
        let to = format!("sheetId=\"{}\" r:id=\"rId{}\"", i + n, i + n);
        if !e.contains(&from) {
            return Err(err("workbook.xml: a sheet's numbers are not as expected"));
        }
        out.push_str(&e.replace(&from, &to));
    }
    let rest = &xml[s0 + list.len()..];
    // Where the defined names are, or would be (right after the sheets).
    let (d0, defined) = between(rest, "<definedNames>", "</definedNames>").unwrap_or_default();
    let mut names = Vec::new();
    for e in elements(defined, "definedName") {
        let mut name = Name::parse(e)?;
        match name.sheet {
            Some(i) if i == at => {
                if !name.head.contains("_xlnm.Print_Area") {
                    return Err(err(
                        "workbook.xml: the carrier has a name besides its print area",
                    ));
                }
                continue;
            }
            Some(i) if i > at => name.sheet = Some(i + n - 1),
            _ => {}
        }
        names.push(name);
    }
    for (k, (name, area)) in sheets.iter().enumerate() {
        if let Some(area) = area {
            names.push(Name::print_area(at + k, name, area));
        }
    }
    names.sort_by(|a, b| a.key.cmp(&b.key));
    if defined.is_empty() {
        // `</sheets>` is next.
        let close = "</sheets>";
        if !rest.starts_with(close) {
            return Err(err("workbook.xml: no </sheets>"));
        }
        out.push_str(close);
        if !names.is_empty() {
            out.push_str("<definedNames>");
            names.iter().for_each(|n| out.push_str(&n.element()));
            out.push_str("</definedNames>");
        }
        out.push_str(&rest[close.len()..]);
    } else {
        out.push_str(&rest[..d0]);
        names.iter().for_each(|n| out.push_str(&n.element()));
        out.push_str(&rest[d0 + defined.len()..]);
    }
    let apps = names.into_iter().filter_map(|n| n.app).collect();
    Ok((out, apps))
}

/// workbook.xml.rels for `sheets` sheets: theirs first, the others after, renumbered.
fn workbook_rels(xml: &str, sheets: usize) -> Result<String, Error> {
    let rels = elements(xml, "Relationship");
    let first = xml
        .find("<Relationship ")
        .ok_or_else(|| err("workbook.xml.rels: empty"))?;
    let end = xml
        .rfind("</Relationships>")
        .ok_or_else(|| err("workbook.xml.rels"))?;
    let mut out = String::with_capacity(xml.len() + sheets * 160);
    out.push_str(&xml[..first]);
    for i in 1..=sheets {
        out.push_str(&format!(
            "<Relationship Id=\"rId{i}\" Type=\"{RELS_NS}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"
        ));
    }
    let mut id = sheets;
    for r in rels
        .iter()
        .filter(|r| !r.contains("/relationships/worksheet\""))
    {
        id += 1;
        let (a, old) = between(r, "Id=\"", "\"")?;
        out.push_str(&r[..a]);
        out.push_str(&format!("rId{id}"));
        out.push_str(&r[a + old.len()..]);
    }
    out.push_str(&xml[end..]);
    Ok(out)
}

/// [Content_Types].xml with an override for each of `sheets` worksheets and, where notes
/// are, each of `comments` comments parts.
fn content_types(xml: &str, sheets: usize, comments: Option<u32>) -> Result<String, Error> {
    let sheet = |i: usize| {
        format!(
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"{WORKSHEET_TYPE}\"/>"
        )
    };
    let comment = |i: u32| {
        format!("<Override PartName=\"/xl/comments{i}.xml\" ContentType=\"{COMMENTS_TYPE}\"/>")
    };
    let mut out = String::with_capacity(xml.len() + sheets * 140);
    let (mut sheets_done, mut comments_done) = (false, false);
    let first = xml.find("<Override ").ok_or_else(|| err("content types"))?;
    out.push_str(&xml[..first]);
    for e in elements(xml, "Override") {
        if e.contains(&format!("ContentType=\"{WORKSHEET_TYPE}\"")) {
            if !sheets_done {
                (1..=sheets).for_each(|i| out.push_str(&sheet(i)));
                sheets_done = true;
            }
        } else if e.contains(&format!("ContentType=\"{COMMENTS_TYPE}\"")) && comments.is_some() {
            if !comments_done {
                (1..=comments.unwrap_or(0)).for_each(|i| out.push_str(&comment(i)));
                comments_done = true;
            }
        } else {
            out.push_str(e);
        }
    }
    out.push_str("</Types>");
    if !sheets_done || comments.is_some() && !comments_done {
        return Err(err("content types: no worksheet or comments override"));
    }
    Ok(out)
}

/// docProps/app.xml with the form sheets' names in the carrier's place (`at`) and the
/// defined names `apps`.
fn app_xml(xml: &str, at: usize, names: &[&str], apps: &[String]) -> Result<String, Error> {
    let (h0, heads) = between(xml, "<HeadingPairs>", "</HeadingPairs>")?;
    let (t0, titles) = between(xml, "<TitlesOfParts>", "</TitlesOfParts>")?;
    let count = number_after(
        heads,
        "<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>",
    )? as usize;
    let sheets: Vec<&str> = titles
        .split("<vt:lpstr>")
        .skip(1)
        .map(|t| t.split("</vt:lpstr>").next().unwrap_or(""))
        .take(count)
        .collect();
    if sheets.len() != count || at >= count {
        return Err(err("app.xml: too few sheet names"));
    }
    let total = count + names.len() - 1;
    let mut new_heads = format!(
        "<vt:vector size=\"{}\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{total}</vt:i4></vt:variant>",
        if apps.is_empty() { 2 } else { 4 }
    );
    if !apps.is_empty() {
        new_heads.push_str(&format!(
            "<vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>{}</vt:i4></vt:variant>",
            apps.len()
        ));
    }
    new_heads.push_str("</vt:vector>");
    let mut new_titles = format!(
        "<vt:vector size=\"{}\" baseType=\"lpstr\">",
        total + apps.len()
    );
    let lpstr = |out: &mut String, s: &str| {
        out.push_str("<vt:lpstr>");
        out.push_str(s);
        out.push_str("</vt:lpstr>");
    };
    for s in &sheets[..at] {
        lpstr(&mut new_titles, s);
    }
    for s in names {
        lpstr(&mut new_titles, &escape_data(s));
    }
    for s in &sheets[at + 1..] {
        lpstr(&mut new_titles, s);
    }
    for a in apps {
        lpstr(&mut new_titles, &escape_data(a));
    }
    new_titles.push_str("</vt:vector>");
    let mut out = String::with_capacity(xml.len() + new_titles.len());
    out.push_str(&xml[..h0]);
    out.push_str(&new_heads);
    out.push_str(&xml[h0 + heads.len()..t0]);
    out.push_str(&new_titles);
    out.push_str(&xml[t0 + titles.len()..]);
    Ok(out)
}

/// The carrier's comments and VML drawing as rust_xlsxwriter wrote them for its one
/// note, the templates of every sheet's: each part's path and XML.
struct NoteParts {
    comments: (String, String),
    vml: (String, String),
}

impl NoteParts {
    fn read(zip: &mut Archive, sheet: &str) -> Result<NoteParts, Error> {
        let (dir, _) = sheet.rsplit_once('/').ok_or_else(|| err("sheet path"))?;
        let rels = read(zip, &rels_path(sheet))?;
        // `Target="../comments2.xml"` from `xl/worksheets/`: `xl/comments2.xml`.
        let target = |kind: &str| -> Result<String, Error> {
            let pattern = format!("/relationships/{kind}\" Target=\"../");
            let start = rels
                .find(&pattern)
                .ok_or_else(|| err(format!("no {kind} relationship")))?
                + pattern.len();
            let end = start + rels[start..].find('"').ok_or_else(|| err("rels"))?;
            let base = dir.rsplit_once('/').map_or("", |(b, _)| b);
            Ok(format!("{base}/{}", &rels[start..end]))
        };
        let (c, v) = (target("comments")?, target("vmlDrawing")?);
        Ok(NoteParts {
            comments: (c.clone(), read(zip, &c)?),
            vml: (v.clone(), read(zip, &v)?),
        })
    }
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Result<(usize, &'a str), Error> {
    let start = s.find(open).ok_or_else(|| err(format!("no {open}")))? + open.len();
    let end = start
        + s[start..]
            .find(close)
            .ok_or_else(|| err(format!("no {close}")))?;
    Ok((start, &s[start..end]))
}

/// The sheet's comments part: the carrier's (`template`, one comment) with a comment
/// for each note, as rust_xlsxwriter's `Comment` writes them.
fn comments_xml(template: &str, s: &SheetData) -> Result<String, Error> {
    const LIST: &str = "<commentList>";
    let (list, _) = between(template, LIST, "</commentList>")?;
    let (_, author) = between(&template[list..], "authorId=\"", "\"")?;
    let (_, rpr) = between(&template[list..], "<rPr>", "</rPr>")?;
    let tail = &template[template
        .rfind("</commentList>")
        .ok_or_else(|| err("comments"))?..];
    let texts: usize = s.note_texts.iter().map(|t| t.len()).sum();
    let mut out = String::with_capacity(template.len() + texts + s.notes.len() * 256);
    out.push_str(&template[..list]);
    for (&(r, c), text) in s.notes.iter().zip(&s.note_texts) {
        let space = if text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']) {
            " xml:space=\"preserve\""
        } else {
            ""
        };
        let _ = std::fmt::Write::write_fmt(
            &mut out,
            format_args!(
                "<comment ref=\"{}\" authorId=\"{author}\"><text><r><rPr>{rpr}</rPr><t{space}>{}</t></r></text></comment>",
                cell_name(r, c),
                escape_data(text)
            ),
        );
    }
    out.push_str(tail);
    Ok(out)
}

/// The sheet's VML drawing: the carrier's (`template`, one shape) with a shape for
/// each note, placed as rust_xlsxwriter's `position_object_pixels` places them, numbered
/// as the drawing of `(data id, first shape id)` when given (else as the template is).
fn vml_numbered(
    template: &str,
    s: &SheetData,
    numbers: Option<(u32, u32)>,
) -> Result<String, Error> {
    let first = template
        .find("<v:shape ")
        .ok_or_else(|| err("no VML shape"))?;
    let (_, id) = between(&template[first..], "id=\"_x0000_s", "\"")?;
    let mut base: u32 = id.parse().map_err(|_| err("VML shape id"))?;
    let tail = &template[template.rfind("</v:shape>").ok_or_else(|| err("VML"))? + 10..];
    let mut out = String::with_capacity(template.len() + s.notes.len() * 700);
    match numbers {
        Some((data, b)) => {
            const IDMAP: &str = "<o:idmap v:ext=\"edit\" data=\"";
            let (at, old) = between(template, IDMAP, "\"")?;
            out.push_str(&template[..at]);
            // One data id for each block of 1,024 shapes, as `prepare_vml_objects` lists them.
            out.push_str(itoa::Buffer::new().format(data));
            for i in 0..s.notes.len() as u32 / 1024 {
                out.push(',');
                out.push_str(itoa::Buffer::new().format(data + i + 1));
            }
            out.push_str(&template[at + old.len()..first]);
            base = b;
        }
        None => out.push_str(&template[..first]),
    }
    let place = Placer { s };
    for (k, &(r, c)) in s.notes.iter().enumerate() {
        place.shape(&mut out, r, c, base + k as u32, k as u32 + 1);
    }
    out.push_str(tail);
    Ok(out)
}

/// Places notes on a sheet by its column widths and row heights.
struct Placer<'a> {
    s: &'a SheetData,
}

impl Placer<'_> {
    fn col_px(&self, c: u32) -> u32 {
        size_of(&self.s.cols, c, DEFAULT_COL_PX)
    }

    fn row_px(&self, r: u32) -> u32 {
        size_of(&self.s.rows, r, DEFAULT_ROW_PX)
    }

    /// rust_xlsxwriter's `write_comment_shape` for a default note on the cell (r, c).
    /// Written into `out`.
    fn shape(&self, out: &mut String, r: u32, c: u16, id: u32, z: u32) {
        let (rmax, cmax) = (ROW_MAX, u32::from(COL_MAX));
        let c = u32::from(c);
        // Note::row(), col(), y_offset(), x_offset().
        let row = match r {
            0 => 0,
            _ if r == rmax - 3 => rmax - 7,
            _ if r == rmax - 2 => rmax - 6,
            _ if r == rmax - 1 => rmax - 5,
            _ => r - 1,
        };
        let col = match c {
            _ if c == cmax - 3 => cmax - 6,
            _ if c == cmax - 2 => cmax - 5,
            _ if c == cmax - 1 => cmax - 4,
            _ => c + 1,
        };
        let mut x1: u32 = if c >= cmax - 3 { 49 } else { 15 };
        let mut y1: u32 = match r {
            0 => 2,
            _ if r == rmax - 3 || r == rmax - 2 => 16,
            _ if r == rmax - 1 => 14,
            _ => 10,
        };
        // position_object_pixels. The walks end: only the columns and rows given a
        // width or height can have none, and past the sheet's edge runs on as
        // rust_xlsxwriter runs on.
        let x_abs = offset_of(&self.s.cols, col, DEFAULT_COL_PX) + u64::from(x1);
        let y_abs = offset_of(&self.s.rows, row, DEFAULT_ROW_PX) + u64::from(y1);
        let (mut col_start, mut row_start) = (col, row);
        while x1 >= self.col_px(col_start) {
            x1 -= self.col_px(col_start);
            col_start += 1;
        }
        while y1 >= self.row_px(row_start) {
            y1 -= self.row_px(row_start);
            row_start += 1;
        }
        let (width, height) = (
            u64::from(super::forms::NOTE_SIZE.0),
            u64::from(super::forms::NOTE_SIZE.1),
        );
        // rust_xlsxwriter computes these in f64; every one is a whole number of pixels
        // (or of quarter points below), so integers give the same values and the same
        // text as its `{}` of an f64, without formatting floats.
        let (mut col_end, mut row_end) = (col_start, row_start);
        let mut x2 = width + u64::from(x1);
        let mut y2 = height + u64::from(y1);
        while x2 >= u64::from(self.col_px(col_end)) {
            x2 -= u64::from(self.col_px(col_end));
            col_end += 1;
        }
        while y2 >= u64::from(self.row_px(row_end)) {
            y2 -= u64::from(self.row_px(row_end));
            row_end += 1;
        }
        let mut int = itoa::Buffer::new();
        let mut num = |out: &mut String, n: u64| out.push_str(int.format(n));
        out.push_str("<v:shape id=\"_x0000_s");
        num(out, u64::from(id));
        out.push_str("\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:");
        points(out, x_abs);
        out.push_str("pt;margin-top:");
        points(out, y_abs);
        out.push_str("pt;width:");
        points(out, width);
        out.push_str("pt;height:");
        points(out, height);
        out.push_str("pt;z-index:");
        num(out, u64::from(z));
        out.push_str(";visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>");
        for (k, n) in [
            u64::from(col_start),
            u64::from(x1),
            u64::from(row_start),
            u64::from(y1),
            u64::from(col_end),
            x2,
            u64::from(row_end),
            y2,
        ]
        .into_iter()
        .enumerate()
        {
            if k > 0 {
                out.push_str(", ");
            }
            num(out, n);
        }
        out.push_str("</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>");
        num(out, u64::from(r));
        out.push_str("</x:Row><x:Column>");
        num(out, u64::from(c));
        out.push_str("</x:Column></x:ClientData></v:shape>");
    }
}

/// rust_xlsxwriter's points of `px` pixels, `(px + 0.25).floor() * 72 / 96` in f64, as
/// its `{}` prints them: three quarters of a whole number of pixels is exact in f64,
/// printed with no trailing zeros (`0.75`, `1.5`, `3`).
fn points(out: &mut String, px: u64) {
    let q = px * 3;
    out.push_str(itoa::Buffer::new().format(q / 4));
    out.push_str(["", ".25", ".5", ".75"][(q % 4) as usize]);
}

/// A sheet's XML (`xml`, with an empty `<sheetData/>`) with its dimension, `<sheetData>`
/// and merged cells.
fn render(s: &SheetData, map: &[u32], styles: &[u32; 256], xml: &str) -> Result<Vec<u8>, Error> {
    let dim = xml
        .find("<dimension ref=\"")
        .ok_or_else(|| err("no dimension"))?
        + 16;
    let dim_end = dim + xml[dim..].find('"').ok_or_else(|| err("no dimension"))?;
    let (data, data_end) = match (xml.find("<sheetData/>"), xml.find("<sheetData>")) {
        (Some(i), _) => (i, i + 12),
        (None, Some(i)) => (
            i,
            i + xml[i..]
                .find("</sheetData>")
                .ok_or_else(|| err("no </sheetData>"))?
                + 12,
        ),
        _ => return Err(err("no sheetData")),
    };
    let d = s.dims;
    let mut out: Vec<u8> = Vec::with_capacity(xml.len() + s.cells.len() * 24);
    out.extend_from_slice(&xml.as_bytes()[..dim]);
    let range =
        if d.first_row == ROW_MAX && d.first_col == COL_MAX && d.last_row == 0 && d.last_col == 0 {
            "A1".to_string()
        } else {
            let a = cell_name(d.first_row, d.first_col);
            let b = cell_name(d.last_row, d.last_col);
            if a == b { a } else { format!("{a}:{b}") }
        };
    out.extend_from_slice(range.as_bytes());
    out.extend_from_slice(&xml.as_bytes()[dim_end..data]);
    if s.cells.is_empty() && s.notes.is_empty() && s.rows.is_empty() {
        out.extend_from_slice(b"<sheetData/>");
        out.extend_from_slice(&xml.as_bytes()[data_end..]);
        return Ok(out);
    }
    out.extend_from_slice(b"<sheetData>");
    // Spans per block of 16 rows, over the cells and the notes.
    let mut spans: BTreeMap<u32, (u16, u16)> = BTreeMap::new();
    for (r, c) in s
        .cells
        .iter()
        .map(|&(r, c, _)| (r, c))
        .chain(s.notes.iter().copied())
    {
        let e = spans.entry(r / 16).or_insert((c, c));
        e.0 = e.0.min(c);
        e.1 = e.1.max(c);
    }
    let letters: Vec<String> = (0..=d.last_col.min(COL_MAX - 1) as u32)
        .map(crate::grid::col_name)
        .collect();
    let mut rows: BTreeSet<u32> = s.rows.iter().map(|(r, _)| *r).collect();
    rows.extend(s.notes.iter().map(|(r, _)| *r));
    rows.extend(s.cells.iter().map(|(r, _, _)| *r));
    let options: HashMap<u32, Size> = s.rows.iter().copied().collect();
    let mut cells = s.cells.iter().peekable();
    let mut ryu = ryu::Buffer::new();
    let mut num = itoa::Buffer::new();
    for r in rows {
        let rn = num.format(r + 1).to_string();
        out.extend_from_slice(b"<row r=\"");
        out.extend_from_slice(rn.as_bytes());
        out.push(b'"');
        if let Some((a, b)) = spans.get(&(r / 16)) {
            let _ = write!(out, " spans=\"{}:{}\"", a + 1, b + 1);
        }
        if let Some(o) = options.get(&r) {
            let custom = o.px != DEFAULT_ROW_PX;
            if custom {
                let _ = write!(out, " ht=\"{}\"", f64::from(o.px) * 0.75);
            }
            if o.hidden {
                out.extend_from_slice(b" hidden=\"1\"");
            }
            if custom {
                out.extend_from_slice(b" customHeight=\"1\"");
            }
        }
        let has_cells = cells.peek().is_some_and(|(cr, _, _)| *cr == r);
        if !has_cells {
            out.extend_from_slice(b"/>");
            continue;
        }
        out.push(b'>');
        while let Some(&&(cr, c, cell)) = cells.peek() {
            if cr != r {
                break;
            }
            cells.next();
            let name = letters
                .get(c as usize)
                .ok_or_else(|| err("column out of range"))?;
            let open = |out: &mut Vec<u8>, id: u8| -> bool {
                let style = styles[id as usize];
                out.extend_from_slice(b"<c r=\"");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(rn.as_bytes());
                out.push(b'"');
                if style > 0 {
                    out.extend_from_slice(b" s=\"");
                    out.extend_from_slice(itoa::Buffer::new().format(style).as_bytes());
                    out.push(b'"');
                }
                style > 0
            };
            match cell {
                Cell::Number(n, id) => {
                    open(&mut out, id);
                    out.extend_from_slice(b"><v>");
                    out.extend_from_slice(ryu.format_finite(n).as_bytes());
                    out.extend_from_slice(b"</v></c>");
                }
                Cell::Text(k, id) => {
                    open(&mut out, id);
                    out.extend_from_slice(b" t=\"s\"><v>");
                    let g = *map
                        .get(k as usize)
                        .ok_or_else(|| err("string out of range"))?;
                    out.extend_from_slice(itoa::Buffer::new().format(g).as_bytes());
                    out.extend_from_slice(b"</v></c>");
                }
                Cell::Blank(id) => {
                    if styles[id as usize] > 0 {
                        open(&mut out, id);
                        out.extend_from_slice(b"/>");
                    }
                }
            }
        }
        out.extend_from_slice(b"</row>");
    }
    out.extend_from_slice(b"</sheetData>");
    if !s.merges.is_empty() {
        let _ = write!(out, "<mergeCells count=\"{}\">", s.merges.len());
        for m in &s.merges {
            out.extend_from_slice(b"<mergeCell ref=\"");
            out.extend_from_slice(range_name(m).as_bytes());
            out.extend_from_slice(b"\"/>");
        }
        out.extend_from_slice(b"</mergeCells>");
    }
    out.extend_from_slice(&xml.as_bytes()[data_end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::parts;
    use super::*;

    /// The saved `package` with the form sheets `data` assembled into it.
    fn assembled(package: Vec<u8>, data: Vec<SheetData>, order: Vec<u8>) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let extra: super::super::sheetdata::Extra =
            Box::new(move |zip, paths| assemble(zip, paths, data, &order));
        super::super::sheetdata::fill_with(
            package,
            Vec::new(),
            1,
            &|_| None,
            Some(extra),
            &mut out,
        )
        .unwrap();
        out.into_inner()
    }

    /// The same parts in the same order, each the same to the byte (the compression may
    /// differ: rust_xlsxwriter's own package is deflated at its default level).
    fn same_parts(want: &[u8], got: &[u8]) {
        let names = |b: &[u8]| -> Vec<String> {
            let mut zip = zip::ZipArchive::new(Cursor::new(b)).unwrap();
            (0..zip.len())
                .map(|i| zip.by_index_raw(i).unwrap().name().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(want), names(got));
        let (want, got) = (parts(want), parts(got));
        for (name, body) in &want {
            let (a, b) = (body.as_slice(), got[name].as_slice());
            if let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) {
                let show =
                    |x: &[u8]| String::from_utf8_lossy(&x[i..x.len().min(i + 200)]).into_owned();
                panic!("{name} differs at byte {i}: {} / {}", show(a), show(b));
            }
            assert_eq!(a.len(), b.len(), "{name}");
        }
    }

    /// Merges refused as rust_xlsxwriter refuses them, naming the same two ranges: an
    /// overlap at a merge's first cell, at a later cell, with the first or a later merge
    /// before, and ranges that only touch (no overlap).
    #[test]
    fn merges_refused_as_rust_xlsxwriter_refuses_them() {
        let f = Fmt {
            id: 0,
            format: super::super::forms::format_of(0).unwrap(),
        };
        let before: [Range; 4] = [(0, 0, 0, 3), (2, 2, 4, 3), (6, 0, 6, 1), (8, 5, 9, 6)];
        let tries: [Range; 9] = [
            (0, 4, 0, 5),
            (1, 0, 1, 3),
            (0, 3, 1, 4),
            (3, 0, 3, 2),
            (5, 1, 7, 1),
            (9, 4, 10, 5),
            (7, 0, 8, 6),
            (2, 4, 4, 4),
            (4, 1, 5, 2),
        ];
        for t in tries {
            let run = |c: &mut dyn FnMut(Range) -> Result<(), XlsxError>| {
                for m in before {
                    c(m).unwrap();
                }
                c(t).map_err(|e| e.to_string())
            };
            let mut ws = Worksheet::new();
            let want = run(&mut |(r1, c1, r2, c2)| ws.merge(r1, c1, r2, c2, "合", f));
            let mut rec = Recorder::new();
            let got = run(&mut |(r1, c1, r2, c2)| rec.merge(r1, c1, r2, c2, "合", f));
            assert_eq!(got, want, "{t:?}");
        }
    }

    /// A sheet's strings kept once each, numbered in the order first written, each its
    /// `<si>` element (escaped, spaces kept) as the shared strings hold it.
    #[test]
    fn a_sheets_strings_are_kept_once_in_order() {
        let f = Fmt {
            id: 0,
            format: super::super::forms::format_of(0).unwrap(),
        };
        let mut rec = Recorder::new();
        for (k, s) in ["乙", " 甲", "a<b", "乙", "_x0041_", " 甲", "丙"]
            .iter()
            .enumerate()
        {
            rec.string(k as u32, 0, s, f).unwrap();
        }
        let data = rec.finish();
        let texts: Vec<&str> = (0..data.strings.len() as u32)
            .map(|k| data.strings.get(k))
            .collect();
        assert_eq!(
            texts,
            [
                "<si><t>乙</t></si>",
                "<si><t xml:space=\"preserve\"> 甲</t></si>",
                "<si><t>a&lt;b</t></si>",
                "<si><t>_x005F_x0041_</t></si>",
                "<si><t>丙</t></si>",
            ]
        );
        let ids: Vec<u32> = data
            .cells
            .iter()
            .map(|(_, _, c)| match c {
                Cell::Text(k, _) => *k,
                _ => panic!("{c:?}"),
            })
            .collect();
        assert_eq!(ids, [0, 1, 2, 0, 3, 1, 4]);
    }

    /// A sheet with notes on hidden, narrow, wide and capped columns and on tall, hidden,
    /// first and last rows.
    fn draw<C: Cells>(c: &mut C) -> Result<(), XlsxError> {
        let f = Fmt {
            id: 0,
            format: super::super::forms::format_of(0).unwrap(),
        };
        c.sheet("表")?;
        // Hidden, narrow, wide and capped columns; tall and hidden rows.
        c.col_width(0, 0.0)?;
        c.col_width(1, 0.5)?;
        c.col_width(2, 40.0)?;
        c.col_width(5, 300.0)?;
        c.col_width(5, 12.0)?;
        c.row_height(0, 30.0)?;
        c.row_height(2, 0.0)?;
        c.row_height(4, 100.0)?;
        c.string(1, 1, "甲", f)?;
        c.number(3, 2, 1.5, f)?;
        let cells = [
            (1, 1),
            (0, 0),
            (3, 2),
            (5, 4),
            (2, 6),
            (40, 3),
            (1, 1),
            (7, 16_382),
        ];
        for (k, (r, col)) in cells.into_iter().enumerate() {
            c.note(r, col, &format!(" 注{k} <{r}&{col}>\u{1}\n"))?;
        }
        c.note(1_048_575, 16_383, "最后一格")?;
        Ok(())
    }

    /// The sheet drawn straight into rust_xlsxwriter, and recorded then written by
    /// [`assemble`]: the same package, part for part.
    /// Points printed from integers are rust_xlsxwriter's f64 points, to the character.
    #[test]
    fn points_are_rust_xlsxwriters_floats() {
        for px in (0..20_000u64).chain([1 << 20, (1 << 31) + 7, u64::from(u32::MAX) * 3]) {
            let mut out = String::new();
            points(&mut out, px);
            let f = (px as f64 + 0.25).floor() * 72.0 / 96.0;
            assert_eq!(out, format!("{f}"), "{px} px");
        }
    }

    #[test]
    fn notes_written_as_rust_xlsxwriter_writes_them() {
        // A sheet before, as the list sheets come before the form sheets.
        let workbook = || {
            let mut wb = crate::template::deterministic_workbook();
            wb.add_worksheet().write_string(0, 0, "前").unwrap();
            wb
        };
        let mut wb = workbook();
        draw(wb.add_worksheet()).unwrap();
        let direct = wb.save_to_buffer().unwrap();

        let mut rec = Recorder::new();
        draw(&mut rec).unwrap();
        let data = rec.finish();
        assert_eq!(data.note_texts.len(), data.notes.len());
        let order = first_use(std::slice::from_ref(&data));
        let mut wb = workbook();
        push_carrier(&mut wb, std::slice::from_ref(&data), &order).unwrap();
        let package = wb.save_to_buffer().unwrap();
        same_parts(&direct, &assembled(package, vec![data], order));
    }

    /// Form sheet `k` of several: a page setup and a link back on each; no note on the
    /// first (the carrier then takes one of its own), one on the second, over 1,024 on
    /// the third (its VML drawing takes two blocks of shape ids).
    fn form_sheet<C: Cells>(c: &mut C, k: usize) -> Result<(), XlsxError> {
        let f = Fmt {
            id: 1,
            format: super::super::forms::format_of(1).unwrap(),
        };
        c.sheet(&format!("P{k:02}原表 项目&{k}"))?;
        c.col_width(0, 6.0)?;
        c.col_width(1, 6.0)?;
        c.col_width(3, 0.0)?;
        c.row_height(2, 40.0)?;
        c.page((0, 0, 6, 4), &format!("2023年度 · {k}"))?;
        c.merge(0, 0, 0, 4, &format!("表{k}"), f)?;
        c.string(2, 1, "共同", f)?;
        c.number(3, 2, k as f64 + 0.25, f)?;
        let notes = [0, 1, 1100, 2][k];
        for i in 0..notes {
            c.note(4 + i / 8, (i % 8) as u16, &format!("注{k}-{i}"))?;
        }
        c.link(0, 6, "汇总", "← 返回汇总")
    }

    /// Several form sheets between list sheets and 说明 (the active sheet), drawn straight
    /// into rust_xlsxwriter, and recorded then written by [`assemble`] with one carrier:
    /// the same package, part for part and in the same order.
    #[test]
    fn form_sheets_assembled_as_rust_xlsxwriter_writes_them() {
        let before = |wb: &mut rust_xlsxwriter::Workbook| {
            let ws = wb.add_worksheet().set_name("汇总").unwrap();
            ws.write_string(0, 0, "前").unwrap();
            ws.set_print_area(0, 0, 3, 3).unwrap();
            ws.autofilter(0, 0, 3, 3).unwrap();
            ws.set_repeat_rows(0, 0).unwrap();
            wb.add_worksheet()
                .set_name("问题清单")
                .unwrap()
                .insert_note(1, 1, &super::super::forms::form_note("列表的批注"))
                .unwrap();
        };
        let after = |wb: &mut rust_xlsxwriter::Workbook| {
            let ws = wb.add_worksheet().set_name("说明").unwrap();
            ws.write_string(0, 0, "说明").unwrap();
            ws.write_string(1, 0, "共同").unwrap();
            ws.set_active(true);
        };
        let mut wb = crate::template::deterministic_workbook();
        before(&mut wb);
        for k in 0..4 {
            form_sheet(wb.add_worksheet(), k).unwrap();
        }
        after(&mut wb);
        let direct = wb.save_to_buffer().unwrap();

        let mut data = Vec::new();
        for k in 0..4 {
            let mut rec = Recorder::new();
            form_sheet(&mut rec, k).unwrap();
            data.push(rec.finish());
        }
        let order = first_use(&data);
        let mut wb = crate::template::deterministic_workbook();
        before(&mut wb);
        push_carrier(&mut wb, &data, &order).unwrap();
        after(&mut wb);
        let package = wb.save_to_buffer().unwrap();
        same_parts(&direct, &assembled(package, data, order));
    }

    /// A sheet's strings are the `<si>` elements rust_xlsxwriter's shared strings hold for
    /// them, in the same order, each once: random texts of what needs escaping (`&<>`,
    /// control characters, U+FFFE/U+FFFF, a literal `_xHHHH_`), spaces at either end,
    /// CJK, and repeats.
    #[test]
    fn a_sheets_strings_are_rust_xlsxwriters_shared_strings() {
        use proptest::prelude::*;
        let f = Fmt {
            id: 0,
            format: super::super::forms::format_of(0).unwrap(),
        };
        let part = prop_oneof![
            Just("a"),
            Just("甲"),
            Just(" "),
            Just("\t"),
            Just("\n"),
            Just("&"),
            Just("<"),
            Just(">"),
            Just("\""),
            Just("\u{1}"),
            Just("\u{1F}"),
            Just("\u{7F}"),
            Just("_x0041_"),
            Just("_x"),
            Just("\u{FFFE}"),
            Just("\u{FFFF}"),
        ];
        let text = proptest::collection::vec(part, 1..6).prop_map(|p| p.concat());
        let texts = proptest::collection::vec(text, 1..8);
        let mut runner = crate::test_rng::runner(300);
        runner
            .run(&texts, |texts| {
                let mut wb = crate::template::deterministic_workbook();
                let ws = wb.add_worksheet();
                let mut rec = Recorder::new();
                for (k, t) in texts.iter().enumerate() {
                    ws.string(k as u32, 0, t, f).unwrap();
                    rec.string(k as u32, 0, t, f).unwrap();
                }
                let package = wb.save_to_buffer().unwrap();
                let xml =
                    String::from_utf8(parts(&package)["xl/sharedStrings.xml"].clone()).unwrap();
                let want = parse_sst(&xml).unwrap().entries;
                let data = rec.finish();
                let got: Vec<&str> = (0..data.strings.len() as u32)
                    .map(|k| data.strings.get(k))
                    .collect();
                prop_assert_eq!(got, want, "{:?}", texts);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn shared_string_elements() {
        assert_eq!(si("a<b"), "<si><t>a&lt;b</t></si>");
        assert_eq!(si(" a"), "<si><t xml:space=\"preserve\"> a</t></si>");
        assert_eq!(si("x\u{1}_x0041_"), "<si><t>x_x0001__x005F_x0041_</t></si>");
    }
}
