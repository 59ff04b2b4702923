//! The form sheets (原表, 清洗) of a consolidated workbook, written without rust_xlsxwriter
//! holding their cells.
//!
//! rust_xlsxwriter keeps every cell of every sheet until the workbook is saved, hashing a
//! whole `Format` per formatted cell: with 10,000 forms (20,000 sheets) that was most of
//! the time and gigabytes. Here each form sheet is recorded ([`Recorder`], in parallel):
//! its cells compactly, its strings once, its formats by id; everything else about the
//! sheet (name, widths, row heights, merges, the link back, printing) goes to a
//! placeholder [`Worksheet`] without cells, which rust_xlsxwriter writes as usual
//! (drawings, relationships, defined names). Of the notes only the first goes to the
//! placeholder (rust_xlsxwriter keeps a note in a tree node sized for eleven, about
//! 45 KB a form): it makes the comments and VML parts and their relationships, which
//! [`replace`] then writes again with every note, placed by the widths and heights the
//! recorder kept as rust_xlsxwriter places them. After the save, [`replace`]
//! puts each sheet's `<sheetData>` into its placeholder exactly as rust_xlsxwriter writes
//! it, and rebuilds the shared strings: the strings of the sheets before the form sheets
//! as they were, then the form sheets' in their order, then those of the sheets after
//! (说明), renumbered in theirs, which is the table rust_xlsxwriter builds. The formats
//! get their workbook indices from blank cells in the first placeholder
//! ([`add_carriers`]), in the order the form sheets first use them. The parts are
//! byte-identical to rust_xlsxwriter's (tests/golden.rs, `scripts/same-outputs`, and
//! this module's tests for the notes).

use super::forms::{Cells, Fmt, HYPERLINK};
use super::sheetdata::{Bundle, Error};
use rayon::prelude::*;
use rust_xlsxwriter::{Url, Worksheet, XlsxError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Cursor, Read, Write};

const ROW_MAX: u32 = 1_048_576;
const COL_MAX: u16 = 16_384;
const MAX_STRING_LEN: usize = 32_767;
/// rust_xlsxwriter's default row height in pixels (15 points).
const DEFAULT_ROW_PX: u32 = 20;
/// rust_xlsxwriter's default column width in pixels, and what it converts widths by.
const DEFAULT_COL_PX: u32 = 64;
const MAX_DIGIT_PX: u32 = 7;
const CELL_PADDING_PX: u32 = 5;
const MAX_COL_PX: u32 = 1790;
/// The column of the first placeholder's format carriers, far right of any form.
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

/// A form sheet being written: its cells here, the rest in the placeholder.
pub(crate) struct Recorder {
    ws: Worksheet,
    /// Every cell written, in order (a later write to a cell replaces the earlier).
    cells: Vec<(u32, u16, Cell)>,
    strings: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32, Fast>,
    order: Vec<u8>,
    rows: BTreeMap<u32, Size>,
    /// Column widths (the notes are placed by them).
    cols: BTreeMap<u32, Size>,
    /// Every note written, in order; only the first is also in the placeholder, so that
    /// rust_xlsxwriter writes the parts a sheet with notes has (its comments, its VML
    /// drawing, their relationships).
    notes: Vec<(u32, u16, Box<str>)>,
    merges: Vec<Range>,
    url: Option<(u32, u16)>,
    dims: Dims,
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

/// A recorded form sheet: its placeholder, and its cells to be written by [`replace`].
pub(crate) struct Recorded {
    pub(crate) ws: Worksheet,
    pub(crate) data: SheetData,
}

/// A form sheet's `<sheetData>`, kept compactly.
pub(crate) struct SheetData {
    name: String,
    cells: Vec<(u32, u16, Cell)>,
    /// The sheet's distinct strings, as their shared-strings `<si>` elements.
    strings: Vec<Box<str>>,
    /// The formats' ids in the order the sheet first used them.
    order: Vec<u8>,
    rows: Vec<(u32, Size)>,
    cols: Vec<(u32, Size)>,
    /// The notes' cells, in order, one note to a cell.
    notes: Vec<(u32, u16)>,
    /// Their texts, when the placeholder's comments and VML drawing must be written again
    /// (empty when the placeholder holds the sheet's only note as it is).
    note_texts: Vec<Box<str>>,
    merges: Vec<Range>,
    url: Option<(u32, u16)>,
    dims: Dims,
}

impl Recorder {
    pub(crate) fn new() -> Recorder {
        Recorder {
            ws: Worksheet::new(),
            cells: Vec::new(),
            strings: Vec::new(),
            ids: HashMap::default(),
            order: Vec::new(),
            rows: BTreeMap::new(),
            cols: BTreeMap::new(),
            notes: Vec::new(),
            merges: Vec::new(),
            url: None,
            dims: Dims {
                first_row: ROW_MAX,
                first_col: COL_MAX,
                last_row: 0,
                last_col: 0,
            },
        }
    }

    pub(crate) fn finish(mut self) -> Recorded {
        let name = self.ws.name();
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
        let rewrite = self.notes.len() > 1;
        let mut notes = self.notes;
        notes.sort_by_key(|&(r, c, _)| (r, c));
        let mut kept: Vec<(u32, u16, Box<str>)> = Vec::with_capacity(notes.len());
        for n in notes {
            match kept.last_mut() {
                Some(last) if (last.0, last.1) == (n.0, n.1) => *last = n,
                _ => kept.push(n),
            }
        }
        let (notes, note_texts) = if rewrite {
            kept.into_iter().map(|(r, c, t)| ((r, c), t)).unzip()
        } else {
            (
                kept.into_iter().map(|(r, c, _)| (r, c)).collect(),
                Vec::new(),
            )
        };
        Recorded {
            ws: self.ws,
            data: SheetData {
                name,
                cells,
                strings: self.strings,
                order: self.order,
                rows: self.rows.into_iter().collect(),
                cols: self.cols.into_iter().collect(),
                notes,
                note_texts,
                merges: self.merges,
                url: self.url,
                dims: self.dims,
            },
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
        if s.encode_utf16().count() > MAX_STRING_LEN {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        self.uses(id);
        let k = match self.ids.get(s) {
            Some(&k) => k,
            None => {
                let k = self.strings.len() as u32;
                self.strings.push(si(s).into_boxed_str());
                self.ids.insert(s.into(), k);
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
    fn ws(&mut self) -> &mut Worksheet {
        &mut self.ws
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
        for r in r1..=r2 {
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
        self.ws.set_row_height(r, h)?;
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
        self.ws.set_column_width(c, w)?;
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
        if self.notes.is_empty() {
            self.ws.insert_note(r, c, &super::forms::form_note(text))?;
        } else {
            // insert_note's checks.
            if r >= ROW_MAX || c >= COL_MAX {
                return Err(XlsxError::RowColumnLimitError);
            }
            if text.encode_utf16().count() > MAX_STRING_LEN - 54 {
                return Err(XlsxError::MaxStringLengthExceeded);
            }
        }
        self.check(r, c)?;
        self.notes.push((r, c, text.into()));
        Ok(())
    }

    fn url(&mut self, r: u32, c: u16, url: Url, text: &str) -> Result<(), XlsxError> {
        self.ws.write_url(r, c, url)?;
        self.text(r, c, text, HYPERLINK)?;
        self.url = Some((r, c));
        Ok(())
    }
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

/// Blank cells in the first placeholder, one per format in `order`, so that the
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

/// A string as rust_xlsxwriter writes it in the shared strings.
fn si(s: &str) -> String {
    let ws = ['\t', '\n', ' '];
    if s.starts_with("<r>") && s.ends_with("</r>") {
        return format!("<si>{s}</si>");
    }
    let text = escape_data(&escape_escapes(s));
    if s.starts_with(ws) || s.ends_with(ws) {
        format!("<si><t xml:space=\"preserve\">{text}</t></si>")
    } else {
        format!("<si><t>{text}</t></si>")
    }
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
    out
}

fn err(e: impl std::fmt::Display) -> Error {
    Error {
        msg: format!("form sheets: {e}"),
        io: None,
    }
}

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn read(zip: &mut Archive, path: &str) -> Result<String, Error> {
    let mut xml = String::new();
    zip.by_name(path)
        .map_err(err)?
        .read_to_string(&mut xml)
        .map_err(err)?;
    Ok(xml)
}

/// The shared-string indices a sheet's cells use, in order: the `N` of each
/// `t="s"><v>N</v>`, with where it is.
fn string_refs(xml: &str) -> impl Iterator<Item = (usize, usize, u32)> + '_ {
    const TAG: &str = "t=\"s\"><v>";
    xml.match_indices(TAG).filter_map(move |(i, _)| {
        let start = i + TAG.len();
        let end = start + xml[start..].find('<')?;
        Some((start, end, xml[start..end].parse().ok()?))
    })
}

/// The `s` of the cell `r` in a sheet's XML.
fn style_of(xml: &str, cell: &str) -> Option<u32> {
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
struct Bundler {
    zip: zip::ZipWriter<Cursor<Vec<u8>>>,
    paths: Vec<String>,
}

impl Bundler {
    fn new() -> Bundler {
        Bundler {
            zip: zip::ZipWriter::new(Cursor::new(Vec::new())),
            paths: Vec::new(),
        }
    }

    fn add(&mut self, path: &str, xml: &[u8]) -> Result<(), Error> {
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

    fn finish(self) -> Result<Bundle, Error> {
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
struct Sst<'a> {
    head: &'a str,
    entries: Vec<&'a str>,
    count: u64,
}

fn parse_sst(xml: &str) -> Result<Sst<'_>, Error> {
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

/// Writes the form sheets' data into their placeholders in the saved `zip` (`paths`: the
/// workbook's sheets by name, in order), with the shared strings and the sheets after
/// them renumbered: the parts to replace, compressed in [`Bundle`]s.
pub(crate) fn replace(
    zip: &mut Archive,
    paths: &[(String, String)],
    sheets: Vec<SheetData>,
    order: &[u8],
) -> Result<Vec<Bundle>, Error> {
    let Some(first) = sheets.first() else {
        return Ok(Vec::new());
    };
    let at = paths
        .iter()
        .position(|(n, _)| *n == first.name)
        .ok_or_else(|| err(format!("no sheet {}", first.name)))?;
    let n = sheets.len();
    if paths.len() < at + n
        || paths[at..at + n]
            .iter()
            .zip(&sheets)
            .any(|((name, _), s)| *name != s.name)
    {
        return Err(err("the form sheets are not in order"));
    }
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
    // The placeholders: their XML, and the strings they count (the links back).
    let mut placeholders = Vec::with_capacity(n);
    let mut theirs = 0u64;
    for (_, path) in &paths[at..at + n] {
        let xml = read(zip, path)?;
        theirs += string_refs(&xml).count() as u64;
        placeholders.push(xml);
    }
    // The formats' numbers from the carriers in the first placeholder.
    let mut styles = [0u32; 256];
    for (k, &id) in order.iter().enumerate() {
        styles[id as usize] = style_of(&placeholders[0], &cell_name(k as u32, CARRIER_COL))
            .ok_or_else(|| err("no format carrier"))?;
    }
    if let Some((r, c)) = first.url {
        styles[HYPERLINK as usize] =
            style_of(&placeholders[0], &cell_name(r, c)).ok_or_else(|| err("no link style"))?;
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
    let mut maps: Vec<Vec<u32>> = Vec::with_capacity(n);
    for s in &sheets {
        let mut map = vec![u32::MAX; s.strings.len()];
        for (_, _, cell) in &s.cells {
            if let Cell::Text(k, _) = cell {
                count += 1;
                let slot = &mut map[*k as usize];
                if *slot == u32::MAX {
                    let key: &str = &s.strings[*k as usize];
                    *slot = *index.entry(key).or_insert_with(|| {
                        entries.push(key);
                        (entries.len() - 1) as u32
                    });
                }
            }
        }
        maps.push(map);
    }
    let mut out = Vec::new();
    // The sheets after (说明): their own strings renumbered after the form sheets'.
    for (_, path) in &paths[at + n..] {
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
        if new != xml {
            out.push(zipped(path, new.as_bytes())?);
        }
    }
    let mut sst_new =
        String::with_capacity(sst_xml.len() + entries.iter().map(|e| e.len()).sum::<usize>());
    let head = sst.head;
    let (c0, c1) = {
        let i = head.find("count=\"").ok_or_else(|| err("no count"))? + 7;
        (i, i + head[i..].find('"').ok_or_else(|| err("no count"))?)
    };
    sst_new.push_str(&head[..c0]);
    sst_new.push_str(itoa::Buffer::new().format(count));
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
    sst_new.push_str(&rest[..u0]);
    sst_new.push_str(itoa::Buffer::new().format(entries.len()));
    sst_new.push_str(&rest[u1..]);
    for e in &entries {
        sst_new.push_str(e);
    }
    sst_new.push_str("</sst>");
    out.push(zipped(sst_path, sst_new.as_bytes())?);
    drop(entries);
    drop(index);
    // The comments and VML drawings of the sheets with more notes than their
    // placeholder's one.
    let mut note_parts: Vec<Option<NoteParts>> = Vec::with_capacity(n);
    for (s, (_, path)) in sheets.iter().zip(&paths[at..at + n]) {
        note_parts.push(if s.note_texts.is_empty() {
            None
        } else {
            Some(NoteParts::read(zip, path)?)
        });
    }
    // Each form sheet into its placeholder, in parallel.
    type Job<'p> = (SheetData, Vec<u32>, String, &'p str, Option<NoteParts>);
    let jobs: Vec<Job> = sheets
        .into_iter()
        .zip(maps)
        .zip(placeholders)
        .zip(&paths[at..at + n])
        .zip(note_parts)
        .map(|((((s, m), xml), (_, path)), notes)| (s, m, xml, path.as_str(), notes))
        .collect();
    // A bundle for each run of sheets a task takes.
    let rendered: Vec<Result<Bundle, Error>> = jobs
        .into_par_iter()
        .try_fold(Bundler::new, |mut b, (s, map, xml, path, notes)| {
            let xml = render(&s, &map, &styles, &xml)?;
            b.add(path, &xml)?;
            if let Some(p) = notes {
                b.add(&p.comments.0, comments_xml(&p.comments.1, &s)?.as_bytes())?;
                b.add(&p.vml.0, vml_xml(&p.vml.1, &s)?.as_bytes())?;
            }
            Ok(b)
        })
        .map(|b| b.and_then(Bundler::finish))
        .collect();
    for r in rendered {
        out.push(r?);
    }
    Ok(out)
}

/// A form sheet's comments and VML drawing as rust_xlsxwriter wrote them for its
/// placeholder's one note: each part's path and XML.
struct NoteParts {
    comments: (String, String),
    vml: (String, String),
}

impl NoteParts {
    fn read(zip: &mut Archive, sheet: &str) -> Result<NoteParts, Error> {
        let (dir, file) = sheet.rsplit_once('/').ok_or_else(|| err("sheet path"))?;
        let rels = read(zip, &format!("{dir}/_rels/{file}.rels"))?;
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

/// The sheet's comments part: the placeholder's (`template`, one comment) with a comment
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

/// The sheet's VML drawing: the placeholder's (`template`, one shape) with a shape for
/// each note, placed as rust_xlsxwriter's `position_object_pixels` places them.
fn vml_xml(template: &str, s: &SheetData) -> Result<String, Error> {
    let first = template
        .find("<v:shape ")
        .ok_or_else(|| err("no VML shape"))?;
    let (_, id) = between(&template[first..], "id=\"_x0000_s", "\"")?;
    let base: u32 = id.parse().map_err(|_| err("VML shape id"))?;
    let tail = &template[template.rfind("</v:shape>").ok_or_else(|| err("VML"))? + 10..];
    let mut out = String::with_capacity(template.len() + s.notes.len() * 700);
    out.push_str(&template[..first]);
    let place = Placer { s };
    for (k, &(r, c)) in s.notes.iter().enumerate() {
        out.push_str(&place.shape(r, c, base + k as u32, k as u32 + 1));
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
    fn shape(&self, r: u32, c: u16, id: u32, z: u32) -> String {
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
            f64::from(super::forms::NOTE_SIZE.0),
            f64::from(super::forms::NOTE_SIZE.1),
        );
        let (mut col_end, mut row_end) = (col_start, row_start);
        let mut x2 = width + f64::from(x1);
        let mut y2 = height + f64::from(y1);
        while x2 >= f64::from(self.col_px(col_end)) {
            x2 -= f64::from(self.col_px(col_end));
            col_end += 1;
        }
        while y2 >= f64::from(self.row_px(row_end)) {
            y2 -= f64::from(self.row_px(row_end));
            row_end += 1;
        }
        let dpi = |d: f64| (d + 0.25).floor() * 72.0 / 96.0;
        let (top, left) = (dpi(y_abs as f64), dpi(x_abs as f64));
        let (w, h) = (dpi(width), dpi(height));
        let (x1, y1) = (f64::from(x1), f64::from(y1));
        format!(
            "<v:shape id=\"_x0000_s{id}\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:{left}pt;margin-top:{top}pt;width:{w}pt;height:{h}pt;z-index:{z};visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{col_start}, {x1}, {row_start}, {y1}, {col_end}, {x2}, {row_end}, {y2}</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData></v:shape>"
        )
    }
}

/// The placeholder's XML with the sheet's dimension and `<sheetData>`.
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

    /// A sheet with notes on hidden, narrow, wide and capped columns and on tall, hidden,
    /// first and last rows.
    fn draw<C: Cells>(c: &mut C) -> Result<(), XlsxError> {
        let f = Fmt {
            id: 0,
            format: super::super::forms::format_of(0).unwrap(),
        };
        c.ws().set_name("表")?;
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
    /// [`replace`]: the same package, part for part.
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
        let Recorded { mut ws, data } = rec.finish();
        assert_eq!(data.note_texts.len(), data.notes.len());
        let order = first_use(std::slice::from_ref(&data));
        add_carriers(&mut ws, &order).unwrap();
        let mut wb = workbook();
        wb.push_worksheet(ws);
        let package = wb.save_to_buffer().unwrap();
        let mut out = Cursor::new(Vec::new());
        let extra: super::super::sheetdata::Extra =
            Box::new(move |zip, paths| replace(zip, paths, vec![data], &order));
        super::super::sheetdata::fill_with(
            package,
            Vec::new(),
            1,
            &|_| None,
            Some(extra),
            &mut out,
        )
        .unwrap();
        let (want, got) = (parts(&direct), parts(out.get_ref()));
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>()
        );
        for (name, body) in &want {
            assert_eq!(
                String::from_utf8_lossy(body),
                String::from_utf8_lossy(&got[name]),
                "{name}"
            );
        }
    }

    #[test]
    fn shared_string_elements() {
        assert_eq!(si("a<b"), "<si><t>a&lt;b</t></si>");
        assert_eq!(si(" a"), "<si><t xml:space=\"preserve\"> a</t></si>");
        assert_eq!(si("x\u{1}_x0041_"), "<si><t>x_x0001__x005F_x0041_</t></si>");
    }
}
