//! Office Open XML workbooks (.xlsx, .xlsm, WPS's .et): a single-pass reader of its
//! own, and calamine when that reader meets anything it does not expect.
//!
//! The single-pass reader is there for speed: calamine's API reads a sheet's cells in one
//! pass over its XML and its merged regions in
//! a second, and parses the whole style palette (fonts, fills, borders) when a workbook is
//! opened; measured on the benchmark that is about a third of its cost. This reader takes
//! only what jixiao uses, in one pass per sheet: values, merged regions, and whether a
//! cell's number format is a percentage. Anything it does not expect is an error, and the
//! caller then falls back to calamine, so it can only make reading faster, never worse.
//! A test checks that both readers give the same grids.

use super::budget::{self, Budget, Extent, PART_LIMIT, check_declared_sizes, keep, unique_merges};
use super::calamine::{
    YearFormat, calamine_grid, data_ref_value, is_percent_format, number_value, worksheet_names,
    year_format, year_shown, year_shown_of,
};
use super::xml::{push_xml_ref, xml_attr};
use super::{Limits, ReadError};

mod scan;
use crate::grid::{Grid, Hidden, Pos, Region, Value};
use calamine::{Reader as _, Xlsx};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Why the fast path gave up (the caller falls back to calamine); the reason is for
/// tests and debugging.
#[derive(Debug)]
pub(crate) struct Unsupported(pub(crate) String);

fn no(what: impl Into<String>) -> Unsupported {
    Unsupported(what.into())
}

/// A part's index in the package: its path exactly, else as calamine finds it, ASCII
/// case and `\` for `/` aside. Some writers name `xl/SharedStrings.xml` or
/// `xl\styles.xml`; a styles part missed would read a cell shown as 100% as 1, with
/// nothing said (found by a mutation test of the package).
fn part_index<R: Read + std::io::Seek>(zip: &zip::ZipArchive<R>, path: &str) -> Option<usize> {
    // The last that matches, as calamine's lookup keeps the last of names alike.
    zip.index_for_name(path).or_else(|| {
        (0..zip.len()).rev().find(|&i| {
            zip.name_for_index(i)
                .and_then(Result::ok)
                .is_some_and(|name| {
                    name.len() == path.len()
                        && name.bytes().zip(path.bytes()).all(|(a, b)| {
                            let a = if a == b'\\' { b'/' } else { a };
                            a.eq_ignore_ascii_case(&b)
                        })
                })
        })
    })
}

fn read_part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    path: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, Unsupported> {
    match part_index(zip, path) {
        Some(index) => read_index(zip, index, path, limit).map(Some),
        None => Ok(None),
    }
}

/// The part at `index` (`path`), streamed and bounded by `limit`.
fn read_index<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    index: usize,
    path: &str,
    limit: u64,
) -> Result<Vec<u8>, Unsupported> {
    let mut f = zip.by_index(index).map_err(|e| no(e.to_string()))?;
    if f.size() > limit {
        return Err(no(format!("{path} is too large")));
    }
    // The declared size may lie: never inflate past the limit whatever it says. Bytes,
    // not a `String`: quick_xml checks UTF-8 event by event anyway (an invalid part is
    // Unsupported there), so checking the whole part first was paid twice.
    let mut s = Vec::with_capacity(f.size() as usize);
    (&mut f)
        .take(limit + 1)
        .read_to_end(&mut s)
        .map_err(|e| no(e.to_string()))?;
    if s.len() as u64 > limit {
        return Err(no(format!("{path} is too large")));
    }
    Ok(s)
}

/// An element's name without its prefix (`x:row` → `row`). A plain byte loop: names are
/// a few bytes, and quick_xml's `local_name` (a general search per call) was a measured
/// share of reading a sheet.
#[inline]
fn local(q: quick_xml::name::QName<'_>) -> &str {
    local_name(q.into_inner())
}

/// A name without its prefix.
#[inline]
fn local_name(s: &str) -> &str {
    match s.bytes().position(|b| b == b':') {
        Some(i) => &s[i + 1..],
        None => s,
    }
}

/// `_x000D_` escapes of OOXML strings, decoded as calamine does: the four hex digits are a
/// UTF-16 code unit, a surrogate pair is two escapes, and a lone surrogate is U+FFFD.
pub(crate) fn unescape_ooxml(s: &str) -> String {
    fn escape_at(s: &str, i: usize) -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_'
            || b[1] != b'x'
            || b[6] != b'_'
            || !b[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    }
    if !s.contains("_x") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let (mut copied, mut i) = (0, 0);
    while let Some(off) = s[i..].find('_') {
        let at = i + off;
        let Some(unit) = escape_at(s, at) else {
            i = at + 1;
            continue;
        };
        out.push_str(&s[copied..at]);
        i = at + 7;
        match unit {
            0xD800..=0xDBFF => match escape_at(s, i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let c =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = i;
    }
    out.push_str(&s[copied..]);
    out
}

/// Appends what an XML entity or character reference stands for; an unknown entity is an
/// error, as in calamine.
fn push_ref(out: &mut String, g: &quick_xml::events::BytesRef) -> Result<(), Unsupported> {
    let before = out.len();
    push_xml_ref(out, g);
    if out.len() == before {
        return Err(no("unknown XML entity"));
    }
    Ok(())
}

/// Collects the text of `<t>` elements until the end of `end` (an `<si>` or `<is>`),
/// skipping phonetic runs (`<rPh>`).
///
/// As calamine (and Excel) do, each `<t>` loses its leading and trailing ASCII whitespace
/// (space, tab, CR, LF) unless it says `xml:space="preserve"`; other spaces (U+00A0,
/// U+3000) stay. `_xHHHH_` escapes are decoded after trimming, so an escaped line break
/// stays.
fn text_until(r: &mut Reader<&[u8]>, end: &str) -> Result<String, Unsupported> {
    let mut out = String::new();
    // The open <t>: where its text starts in `out`, and whether it keeps its spaces. Its
    // text goes straight into `out` and is trimmed and unescaped there when it closes (no
    // string per run: this is the reader's hot path).
    let mut t: Option<(usize, bool)> = None;
    let mut phonetic = false;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) => match local(e.name()) {
                "t" if !phonetic => t = Some((out.len(), preserves_space(&e))),
                "rPh" => phonetic = true,
                _ => {}
            },
            Event::End(e) => match local(e.name()) {
                "t" => close_t(&mut out, t.take()),
                "rPh" => phonetic = false,
                n if n == end => return Ok(out),
                _ => {}
            },
            Event::Text(x) if t.is_some() => out.push_str(&x.xml10_content()),
            Event::CData(x) if t.is_some() => out.push_str(&x.xml10_content()),
            Event::GeneralRef(g) if t.is_some() => push_ref(&mut out, &g)?,
            Event::Eof => return Err(no("unexpected end of XML")),
            _ => {}
        }
    }
}

/// A `<t>` closed: its text (from `start` in `out`) trimmed unless it keeps its spaces,
/// then its `_xHHHH_` escapes decoded.
fn close_t(out: &mut String, t: Option<(usize, bool)>) {
    let Some((start, preserve)) = t else {
        return;
    };
    let seg = &out[start..];
    let text = if preserve {
        seg
    } else {
        seg.trim_matches([' ', '\t', '\r', '\n'])
    };
    if text.len() != seg.len() || text.contains("_x") {
        let clean = unescape_ooxml(text);
        out.truncate(start);
        out.push_str(&clean);
    }
}

/// `xml:space="preserve"`, matched on the raw attribute as calamine does.
fn preserves_space(e: &BytesStart) -> bool {
    e.attributes()
        .with_checks(false)
        .flatten()
        .any(|a| a.key.as_ref() == "xml:space" && a.value.as_ref() == "preserve")
}

/// The shared strings: the scanner when it can, else quick_xml's events.
fn shared_strings(xml: &[u8]) -> Result<Vec<String>, Unsupported> {
    match scan::shared_strings(xml) {
        Some(strings) => Ok(strings),
        None => shared_strings_events(xml),
    }
}

fn shared_strings_events(xml: &[u8]) -> Result<Vec<String>, Unsupported> {
    let mut r = Reader::from_reader(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) if local(e.name()) == "si" => out.push(text_until(&mut r, "si")?),
            Event::Empty(e) if local(e.name()) == "si" => out.push(String::new()),
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// What jixiao needs of a cell style: whether its number format shows a percentage, and
/// whether it shows a date (then the number is a date serial).
#[derive(Debug, Clone, Default, PartialEq)]
struct CellStyle {
    percent: bool,
    date: DateKind,
    /// A date format showing the year alone (`yyyy"年度"`): the cell reads as it shows.
    year: Option<YearFormat>,
}

/// Per cell style index (`cellXfs`), its [`CellStyle`]. Custom formats override built-in
/// ids, both looked up by the raw `numFmtId` text, as calamine does.
fn cell_styles(xml: &[u8]) -> Result<Vec<CellStyle>, Unsupported> {
    match scan::cell_styles(xml) {
        Some(styles) => Ok(styles),
        None => cell_styles_events(xml),
    }
}

fn cell_styles_events(xml: &[u8]) -> Result<Vec<CellStyle>, Unsupported> {
    let mut r = Reader::from_reader(xml);
    let mut custom: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) => match local(e.name()) {
                "numFmt" => {
                    if let (Some(id), Some(code)) =
                        (xml_attr(&e, "numFmtId"), xml_attr(&e, "formatCode"))
                    {
                        custom.insert(id, code);
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => out.push(xf_style(xml_attr(&e, "numFmtId").as_deref(), &custom)),
                _ => {}
            },
            Event::End(e) if local(e.name()) == "cellXfs" => in_xfs = false,
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// A `cellXfs` entry's style by its `numFmtId`: a custom format (`numFmts`) by that id,
/// else the built-in one.
fn xf_style(id: Option<&str>, custom: &HashMap<String, String>) -> CellStyle {
    let percent = match id.map(|i| (i, custom.get(i))) {
        Some((_, Some(code))) => is_percent_format(code),
        Some((i, None)) => matches!(i.parse::<u32>(), Ok(9 | 10)),
        None => false,
    };
    let code = id.and_then(|i| custom.get(i));
    let date = match id.map(|i| (i, code)) {
        Some((_, Some(code))) => date_format(code),
        Some((i, None)) => builtin_date_format(i),
        None => DateKind::No,
    };
    let year = code
        .filter(|_| date == DateKind::DateTime)
        .and_then(|c| year_format(c));
    CellStyle {
        percent,
        date,
        year,
    }
}

/// Whether a number format shows a date, a duration, or neither.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) enum DateKind {
    #[default]
    No,
    DateTime,
    Duration,
}

/// Built-in number formats that show dates and times (ECMA-376 18.8.30, with the East
/// Asian ids), as calamine's `builtin_format_by_id`.
fn builtin_date_format(id: &str) -> DateKind {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" | "27"
        | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51" | "52"
        | "53" | "54" | "55" | "56" | "57" | "58" => DateKind::DateTime,
        "46" => DateKind::Duration,
        _ => DateKind::No,
    }
}

/// Whether a custom number format shows a date: calamine's `detect_custom_number_format`,
/// ported (MIT, from openpyxl), so both readers agree on which cells are dates.
pub(crate) fn date_format(format: &str) -> DateKind {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return DateKind::No,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return DateKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return DateKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return DateKind::DateTime;
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    DateKind::No
}

/// A cell's `r`, `t` and `s` attributes, read without allocating (they are plain ASCII:
/// this runs once per cell). A malformed `r` is an error, as in calamine.
fn cell_attrs(e: &BytesStart) -> Result<CellAttrs, Unsupported> {
    let mut attrs = NO_CELL_ATTRS;
    for a in e.attributes().with_checks(false).flatten() {
        cell_attr(&mut attrs, a.key.as_ref(), &a.value)?;
    }
    Ok(attrs)
}

/// A `<c>` without attributes: a number (or text that is none) after the cell before.
const NO_CELL_ATTRS: CellAttrs = (None, CellType::Number { typed: false }, None);

/// One attribute of a `<c>`, by its raw name (a later one wins).
fn cell_attr(attrs: &mut CellAttrs, key: &str, value: &str) -> Result<(), Unsupported> {
    match key {
        "r" => attrs.0 = Some(cell_ref(value).ok_or_else(|| no("bad cell reference"))?),
        "t" => {
            attrs.1 = match value {
                "s" => CellType::Shared,
                "inlineStr" | "is" => CellType::Inline,
                "str" => CellType::Str,
                "d" => CellType::Iso,
                "b" => CellType::Bool,
                "e" => CellType::Error,
                "n" => CellType::Number { typed: true },
                _ => CellType::Unknown,
            }
        }
        "s" => attrs.2 = Some(value.parse().unwrap_or(0)),
        _ => {}
    }
    Ok(())
}

/// A cell's position (when given), type and style index (when given).
type CellAttrs = (Option<(u32, u32)>, CellType, Option<usize>);

#[derive(Debug, Clone, Copy, PartialEq)]
enum CellType {
    Shared,
    Inline,
    /// `t="str"`: a formula's text result, `_xHHHH_` escapes decoded.
    Str,
    /// `t="d"`: an ISO 8601 date, kept as written.
    Iso,
    Bool,
    Error,
    /// `t="n"` (`typed`) or no `t`: a number, or with no `t` text when it is none.
    Number {
        typed: bool,
    },
    Unknown,
}

/// `A1` → (row, col), zero-based, as calamine reads it: letters in either case, then
/// digits; no letters, no digits, row 0 or anything else is an error.
fn cell_ref(s: &str) -> Option<(u32, u32)> {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let digits = &b[letters..];
    if letters == 0 || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut col: u32 = 0;
    for c in &b[..letters] {
        col = col
            .checked_mul(26)?
            .checked_add((c.to_ascii_uppercase() - b'A') as u32 + 1)?;
    }
    let row: u32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// A parsed `workbook.xml` and its relationships.
struct Workbook {
    /// The worksheets, in order: (name, path in the archive).
    sheets: Vec<(String, String)>,
    /// Per worksheet, in the same order, whether it is hidden (`state`).
    hidden: Vec<Option<Hidden>>,
    /// `<workbookPr date1904="1"/>`: date serials count from 1904-01-01.
    date1904: bool,
}

/// Where the parts of a package come from: any archive ([`read_part`]), or a package in
/// memory ([`Package`], inflated in one call).
trait Parts {
    /// The part at `path` inflated, `None` when there is none; too large or unreadable
    /// is [`Unsupported`].
    fn part(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, Unsupported>;
}

impl<R: Read + std::io::Seek> Parts for zip::ZipArchive<R> {
    fn part(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, Unsupported> {
        read_part(self, path, limit)
    }
}

/// A package whose bytes are all in memory, as every file a batch reads is.
///
/// Its deflated parts are inflated straight from those bytes in one call, into a vector
/// of their declared size, with one inflater for the whole package: the archive's reader
/// streams each part through a buffered reader and an inflater of its own, keeping a
/// window, which for the small parts of a form cost more than the inflating (about a
/// tenth of a conversion). Only a part that inflates to exactly its declared size with
/// its declared CRC-32 is taken this way; any other (stored, encrypted, a size or
/// checksum that does not match, a broken stream) is read by [`read_part`] as before,
/// which then decides.
struct Package<'a> {
    zip: Archive<'a>,
    bytes: &'a [u8],
    inflater: flate2::Decompress,
}

impl<'a> Package<'a> {
    fn new(bytes: &'a [u8]) -> Result<Self, Unsupported> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| no(e.to_string()))?;
        Ok(Package::with(zip, bytes))
    }

    /// The package of `bytes`, whose archive `zip` is.
    fn with(zip: Archive<'a>, bytes: &'a [u8]) -> Self {
        Package {
            zip,
            bytes,
            inflater: flate2::Decompress::new(false),
        }
    }

    fn inflate(&mut self, index: usize, limit: u64) -> Option<Vec<u8>> {
        let f = self.zip.by_index_raw(index).ok()?;
        if f.compression() != zip::CompressionMethod::Deflated || f.encrypted() {
            return None;
        }
        let (size, crc) = (f.size(), f.crc32());
        let start = usize::try_from(f.data_start()?).ok()?;
        let len = usize::try_from(f.compressed_size()).ok()?;
        if size > limit {
            return None;
        }
        let input = self.bytes.get(start..start.checked_add(len)?)?;
        let mut out = Vec::with_capacity(usize::try_from(size).ok()?);
        self.inflater.reset(false);
        let status = self
            .inflater
            .decompress_vec(input, &mut out, flate2::FlushDecompress::Finish)
            .ok()?;
        (status == flate2::Status::StreamEnd
            && out.len() as u64 == size
            && crc32fast::hash(&out) == crc)
            .then_some(out)
    }
}

impl Parts for Package<'_> {
    fn part(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, Unsupported> {
        let Some(index) = part_index(&self.zip, path) else {
            return Ok(None);
        };
        match self.inflate(index, limit) {
            Some(out) => Ok(Some(out)),
            None => read_index(&mut self.zip, index, path, limit).map(Some),
        }
    }
}

/// The worksheets of a workbook, in order: (name, path in the archive).
pub(crate) fn sheets(zip: &mut Archive) -> Result<Vec<(String, String)>, Unsupported> {
    workbook(zip).map(|w| w.sheets)
}

fn workbook(parts: &mut impl Parts) -> Result<Workbook, Unsupported> {
    let wb_path = "xl/workbook.xml";
    let wb = parts
        .part(wb_path, 16 << 20)?
        .ok_or_else(|| no("no xl/workbook.xml"))?;
    let rels = parts
        .part("xl/_rels/workbook.xml.rels", 16 << 20)?
        .ok_or_else(|| no("no workbook rels"))?;
    let mut targets: HashMap<String, String> = HashMap::new();
    let mut r = Reader::from_reader(rels.as_slice());
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) if local(e.name()) == "Relationship" => {
                let typ = xml_attr(&e, "Type").unwrap_or_default();
                if !typ.ends_with("/worksheet") {
                    continue;
                }
                if let (Some(id), Some(t)) = (xml_attr(&e, "Id"), xml_attr(&e, "Target")) {
                    let path = match t.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{t}"),
                    };
                    targets.insert(id, path);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut out = Workbook {
        sheets: Vec::new(),
        hidden: Vec::new(),
        date1904: false,
    };
    let mut r = Reader::from_reader(wb.as_slice());
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) if local(e.name()) == "sheet" => {
                let name = xml_attr(&e, "name").ok_or_else(|| no("sheet without a name"))?;
                let id = xml_attr(&e, "id").ok_or_else(|| no("sheet without r:id"))?;
                // Chart sheets have no worksheet relationship: skipped like calamine does.
                if let Some(path) = targets.get(&id) {
                    out.sheets.push((name, path.clone()));
                    // As calamine reads it: any other state is visible.
                    out.hidden.push(match xml_attr(&e, "state").as_deref() {
                        Some("hidden") => Some(Hidden::Hidden),
                        Some("veryHidden") => Some(Hidden::VeryHidden),
                        _ => None,
                    });
                }
            }
            Event::Start(e) | Event::Empty(e) if local(e.name()) == "workbookPr" => {
                // `<x15:workbookPr>` in extLst shares the name but has no date1904.
                if let Some(v) = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .find(|a| a.key.as_ref() == "date1904")
                {
                    out.date1904 = matches!(v.value.as_ref(), "1" | "true");
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Checks what a package declares before any reader trusts it: each part's inflated
/// size, their total, and the shared strings' count (calamine reserves room for that
/// many strings up front, so `uniqueCount="4000000000"` would reserve 96 GB).
fn check_declared_counts(bytes: &[u8], budget: &Budget) -> Result<(), ReadError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // not a zip: the reader says so
    };
    check_declared_sizes(&mut zip, budget)?;
    // Found as calamine finds it (`xl/SharedStrings.xml` too), or it would reserve the room.
    let Some(Ok(f)) = part_index(&zip, "xl/sharedStrings.xml").map(|i| zip.by_index(i)) else {
        return Ok(());
    };
    let mut head = Vec::new();
    let _ = f.take(4096).read_to_end(&mut head);
    check_unique_count(&head, budget)
}

/// The shared strings' declared `uniqueCount` (in the part's first bytes) against the budget.
fn check_unique_count(head: &[u8], budget: &Budget) -> Result<(), ReadError> {
    let limits = budget.limits;
    let mut r = Reader::from_reader(&head[..head.len().min(4096)]);
    while let Ok(ev) = r.read_event() {
        match ev {
            Event::Start(e) | Event::Empty(e) if local(e.name()) == "sst" => {
                let n: u64 = xml_attr(&e, "uniqueCount")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if n > limits.max_sheet_cells {
                    return Err(budget::shared_strings_too_many(n, limits));
                }
                return Ok(());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
    Ok(())
}

/// Every worksheet of an XLSX file: the single-pass reader, or calamine for anything it
/// does not expect (with a budget of its own: the fast path's reading is thrown away).
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    // One archive for the check of duplicate names and the reading. Not a zip, or a
    // broken one, is left to calamine, which says what is wrong with it.
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok();
    if let Some(zip) = &zip {
        super::zipped::check_archive(zip, bytes)?;
    }
    if limits.xlsx_via_calamine {
        return via_calamine(bytes, &Budget::new(limits));
    }
    let fast = match zip {
        Some(zip) => fast_in(Package::with(zip, bytes), &Budget::new(limits)),
        None => Err(no("not a zip".to_string())),
    };
    match fast {
        Ok(result) => result,
        Err(_) => via_calamine(bytes, &Budget::new(limits)),
    }
}

/// The text of cell A1 of the sheet `sheet` of the XLSX file at `path`, as calamine
/// shows it; `None` when the file does not open, has no such sheet, or A1 is empty. A
/// batch recognizes jixiao's own outputs by it before reading them.
///
/// Only the parts that lead to A1 are read ([`first_text`]): the zip's directory,
/// `workbook.xml` and its relationships, the sheet, and the shared strings up to A1's (a
/// feedback workbook of 10,000 forms is 70 MB; calamine opened it whole). Anything else
/// than a text in A1 found that way is left to calamine, as before.
pub(crate) fn first_cell(path: &std::path::Path, sheet: &str) -> Option<String> {
    match first_text(path, sheet) {
        Ok(text) => Some(text),
        Err(_) => first_cell_calamine(path, sheet),
    }
}

fn first_cell_calamine(path: &std::path::Path, sheet: &str) -> Option<String> {
    let mut wb = calamine::open_workbook::<Xlsx<_>, _>(path).ok()?;
    if !wb.sheet_names().iter().any(|n| n == sheet) {
        return None;
    }
    let range = wb.worksheet_range(sheet).ok()?;
    Some(range.get_value((0, 0))?.to_string())
}

/// A1 of `sheet` when it holds text (a shared, inline or formula string), read part by
/// part from the file; any other case is `Unsupported` (calamine then answers).
fn first_text(path: &std::path::Path, sheet: &str) -> Result<String, Unsupported> {
    let file = std::fs::File::open(path).map_err(|e| no(e.to_string()))?;
    let mut zip =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| no(e.to_string()))?;
    let wb = workbook(&mut zip)?;
    let part = wb
        .sheets
        .iter()
        .find(|(n, _)| n == sheet)
        .map(|(_, p)| p.clone())
        .ok_or_else(|| no("no such sheet"))?;
    match near_start(&mut zip, &part, a1_text)?.ok_or_else(|| no("no sheet part"))? {
        A1::Text(text) => Ok(text),
        A1::Shared(i) => near_start(&mut zip, "xl/sharedStrings.xml", |xml| nth_shared(xml, i))?
            .ok_or_else(|| no("no shared strings")),
    }
}

/// What a sheet's A1 holds, when text.
enum A1 {
    Text(String),
    /// The shared string of this index.
    Shared(usize),
}

/// A1 from a sheet's XML, when it is the first cell and holds text.
fn a1_text(xml: &[u8]) -> Result<A1, Unsupported> {
    let mut r = Reader::from_reader(xml);
    // A1's type, once its <c> is met; then its <v> or <is>.
    let mut a1 = None;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) if local(e.name()) == "c" => {
                let (pos, typ, _) = cell_attrs(&e)?;
                if pos != Some((0, 0)) {
                    // Cells without an address, or A1 not first: calamine's to read.
                    return Err(no("A1 is not the first cell"));
                }
                a1 = Some(typ);
            }
            Event::Start(e) if a1.is_some() && local(e.name()) == "v" => {
                let v = text_of(&mut r, "v")?;
                return match a1 {
                    Some(CellType::Shared) => {
                        let i: usize = v.trim().parse().map_err(|_| no("bad string index"))?;
                        Ok(A1::Shared(i))
                    }
                    Some(CellType::Str) => Ok(A1::Text(unescape_ooxml(&v))),
                    _ => Err(no("A1 is not text")),
                };
            }
            Event::Start(e) if a1 == Some(CellType::Inline) && local(e.name()) == "is" => {
                return text_until(&mut r, "is").map(A1::Text);
            }
            Event::Empty(e) if local(e.name()) == "c" => return Err(no("A1 is empty")),
            Event::End(e) if local(e.name()) == "c" => return Err(no("A1 has no value")),
            Event::Eof => return Err(no("no A1")),
            _ => {}
        }
    }
}

/// The bytes of a part read first when one value near its start is wanted (A1, an early
/// shared string): an earlier output's 汇总 is 8 MB of XML at 10,000 forms, and inflating
/// all of it to read its A1 took 5 ms on one core before any input was read.
const NEAR_START: u64 = 64 << 10;

/// `parse` on the first [`NEAR_START`] bytes of part `path`; when it finds no answer
/// there (the part cut short mid-way is an error to it), on the whole part, bounded by
/// [`PART_LIMIT`], exactly as before. `None` without the part.
fn near_start<R: Read + std::io::Seek, T>(
    zip: &mut zip::ZipArchive<R>,
    path: &str,
    parse: impl Fn(&[u8]) -> Result<T, Unsupported>,
) -> Result<Option<T>, Unsupported> {
    let Some(index) = part_index(zip, path) else {
        return Ok(None);
    };
    let mut head = Vec::new();
    zip.by_index(index)
        .map_err(|e| no(e.to_string()))?
        .take(NEAR_START)
        .read_to_end(&mut head)
        .map_err(|e| no(e.to_string()))?;
    let whole = (head.len() as u64) < NEAR_START;
    match parse(&head) {
        Ok(v) => return Ok(Some(v)),
        Err(e) if whole => return Err(e),
        Err(_) => {}
    }
    drop(head);
    parse(&read_index(zip, index, path, PART_LIMIT)?).map(Some)
}

/// The text of an element up to its end, entities resolved.
fn text_of(r: &mut Reader<&[u8]>, end: &str) -> Result<String, Unsupported> {
    let mut out = String::new();
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Text(x) => out.push_str(&x.xml10_content()),
            Event::CData(x) => out.push_str(&x.xml10_content()),
            Event::GeneralRef(g) => push_ref(&mut out, &g)?,
            Event::End(e) if local(e.name()) == end => return Ok(out),
            Event::Eof => return Err(no("unexpected end of XML")),
            _ => {}
        }
    }
}

/// The shared string `i` of a shared strings part, parsed no further than it.
fn nth_shared(xml: &[u8], i: usize) -> Result<String, Unsupported> {
    let mut r = Reader::from_reader(xml);
    let mut k = 0;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) if local(e.name()) == "si" => {
                if k == i {
                    return text_until(&mut r, "si");
                }
                r.read_to_end(e.name()).map_err(|e| no(e.to_string()))?;
                k += 1;
            }
            Event::Empty(e) if local(e.name()) == "si" => {
                if k == i {
                    return Ok(String::new());
                }
                k += 1;
            }
            Event::Eof => return Err(no("string index out of range")),
            _ => {}
        }
    }
}

/// Every worksheet through calamine: the fallback, and the only path when
/// [`Limits::xlsx_via_calamine`] is set. Cells are streamed (value and style in one pass)
/// rather than read as a calamine `Range`: a `Range` is dense from the first to the last used cell, so a sheet with one
/// cell in A1 and one in XFD1048576 would allocate billions of cells before any check.
pub(crate) fn via_calamine(bytes: &[u8], budget: &Budget) -> Result<Vec<Grid>, ReadError> {
    // calamine reserves room for the count the shared strings declare: check it first.
    check_declared_counts(bytes, budget)?;
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_err)?;
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
            let years: Vec<Option<YearFormat>> = reader
                .styles()
                .iter()
                .map(|s| {
                    s.number_format
                        .as_ref()
                        .and_then(|f| year_format(&f.format_code))
                })
                .collect();
            while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(xlsx_err)? {
                let (r, c) = cell.get_position();
                let pct = percent.get(style).copied().unwrap_or(false);
                let year = years.get(style).and_then(Option::as_ref);
                let shown = match (cell.get_value(), year) {
                    (calamine::DataRef::DateTime(d), Some(y)) => year_shown_of(d, y),
                    _ => None,
                };
                let Some(value) = shown.or_else(|| data_ref_value(cell.get_value(), pct)) else {
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

fn xlsx_err(e: calamine::XlsxError) -> ReadError {
    match e {
        calamine::XlsxError::Password => ReadError::password(),
        e => ReadError::corrupt(e),
    }
}

/// The single-pass reader: every worksheet, or why it cannot read them (then the caller
/// uses calamine).
pub(crate) fn fast(
    bytes: &[u8],
    budget: &Budget,
) -> Result<Result<Vec<Grid>, ReadError>, Unsupported> {
    fast_in(Package::new(bytes)?, budget)
}

/// [`fast`] on a package already open.
fn fast_in(mut zip: Package, budget: &Budget) -> Result<Result<Vec<Grid>, ReadError>, Unsupported> {
    // One archive for the checks and the reading (opening it twice was a measurable cost).
    if let Err(e) = check_declared_sizes(&mut zip.zip, budget) {
        return Ok(Err(e));
    }
    let wb = workbook(&mut zip)?;
    let strings = match zip.part("xl/sharedStrings.xml", PART_LIMIT)? {
        Some(x) => {
            // Nothing here is sized from the count, but a file that lies about it is
            // refused the same way whichever reader sees it first.
            if let Err(e) = check_unique_count(&x, budget) {
                return Ok(Err(e));
            }
            shared_strings(&x)?
        }
        None => Vec::new(),
    };
    let styles = match zip.part("xl/styles.xml", 64 << 20)? {
        Some(x) => cell_styles(&x)?,
        None => Vec::new(),
    };
    let ctx = Context {
        strings: &strings,
        styles: &styles,
        date1904: wb.date1904,
    };
    // jixiao's own earlier output (often in the folder it summarizes) is recognized by its
    // 说明 sheet alone when the caller will skip it: reading its list sheets first cost as
    // much as reading every form it lists, on one thread.
    // A 说明 sheet read early is used in its place, not read (and counted) twice.
    let mut early = None;
    let early_sheet = budget.limits.early_sheet;
    if let Some(first) = early_sheet
        && let Some(i) = wb.sheets.iter().position(|(n, _)| n == first.name)
        && let (name, path) = &wb.sheets[i]
        && let Ok(Some(xml)) = zip.part(path, PART_LIMIT)
        && let Ok(Ok(mut g)) = sheet(name, &xml, &ctx, budget)
    {
        g.hidden = wb.hidden[i];
        if (first.stop)(&g) {
            return Ok(Ok(vec![g]));
        }
        if let Some(n) = (first.sheets)(&g) {
            budget.allow_sheets(n);
        }
        early = Some(g);
    }
    let mut grids = Vec::with_capacity(wb.sheets.len().min(64));
    for ((name, path), hidden) in wb.sheets.into_iter().zip(wb.hidden) {
        if let Err(e) = budget.sheet() {
            return Ok(Err(e));
        }
        if early_sheet.is_some_and(|e| name == e.name)
            && let Some(g) = early.take()
        {
            grids.push(g);
            continue;
        }
        let xml = match zip.part(&path, PART_LIMIT) {
            Ok(Some(x)) => x,
            Ok(None) => return Err(no(format!("missing {path}"))),
            // A part whose size lied: calamine would stream it whole, so refuse here.
            Err(e) if e.0.ends_with("is too large") => {
                return Ok(Err(budget::part_too_large(&path, PART_LIMIT)));
            }
            Err(e) => return Err(e),
        };
        match sheet(&name, &xml, &ctx, budget)? {
            Ok(mut g) => {
                g.hidden = hidden;
                grids.push(g);
            }
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(grids))
}

/// What every sheet of a workbook reads its cells with.
struct Context<'a> {
    strings: &'a [String],
    styles: &'a [CellStyle],
    date1904: bool,
}

/// What both sheet readers (the scanner, [`scan`], and the event reader, [`sheet`]) do
/// with what they find: the cells, rows, columns and merged regions of one worksheet,
/// kept and charged to the budget the same way, so that the two can only differ in how
/// they take the XML apart.
struct SheetBuild<'b> {
    name: &'b str,
    cells: Vec<(Pos, Value)>,
    dropped: Vec<Pos>,
    merges: Vec<Region>,
    extent: Extent<'b>,
    budget: &'b Budget<'b>,
    row: u32,
    col: u32,
    widths: Vec<(u32, f64)>,
    heights: Vec<(u32, f64)>,
}

impl<'b> SheetBuild<'b> {
    fn new(name: &'b str, budget: &'b Budget<'b>) -> Self {
        SheetBuild {
            name,
            cells: Vec::new(),
            dropped: Vec::new(),
            merges: Vec::new(),
            extent: Extent::new(name, budget),
            budget,
            row: 0,
            col: 0,
            widths: Vec::new(),
            heights: Vec::new(),
        }
    }

    /// `<c/>`: no value, but it moves the column on.
    fn empty_cell(&mut self, at: Option<(u32, u32)>) {
        if let Some((_, c)) = at {
            self.col = c;
        }
        self.col = self.col.saturating_add(1);
    }

    /// A `<c>` with content: its position (its `r`, or after the cell before).
    fn cell_at(&mut self, at: Option<(u32, u32)>) -> Pos {
        let pos = match at {
            Some((r, c)) => Pos::new(r, c),
            None => Pos::new(self.row, self.col),
        };
        self.col = pos.col.saturating_add(1);
        pos
    }

    /// A cell's value (`None` when it has none).
    fn value(&mut self, pos: Pos, value: Option<Value>) -> Result<(), ReadError> {
        match value {
            Some(v) if !v.is_empty() => {
                keep(&mut self.cells, &mut self.dropped, pos, v, &mut self.extent)
            }
            _ => Ok(()),
        }
    }

    /// `<row>` (or `<row/>`, `empty`) with its `r` and `ht`.
    fn row(&mut self, r: Option<u32>, ht: Option<f64>, empty: bool) {
        if let Some(n) = r {
            self.row = n - 1;
        }
        if let Some(h) = ht.filter(|h| h.is_finite() && *h > 0.0 && *h < 410.0) {
            self.heights.push((self.row, h));
        }
        self.col = 0;
        // `<row/>` ends where it starts (calamine expands it to a start and an end).
        if empty {
            self.row = self.row.saturating_add(1);
        }
    }

    /// `</row>`.
    fn end_row(&mut self) {
        // Saturating: after `<row r="4294967295">` another row has no number left.
        self.row = self.row.saturating_add(1);
        self.col = 0;
    }

    /// `<col/>` with its `min`, `max` and `width`.
    fn col(&mut self, min: Option<f64>, max: Option<f64>, width: Option<f64>) {
        if let (Some(min), Some(max), Some(w)) = (min, max, width)
            && (1.0..=16384.0).contains(&min)
            && max >= min
            && w.is_finite()
            && w > 0.0
        {
            // Only the columns a form uses matter; bound a 1..16384 span.
            for c in (min as u32 - 1)..(max.min(64.0) as u32) {
                self.widths.push((c, w.min(255.0)));
            }
        }
    }

    /// `<mergeCell ref="A1:B2"/>` (a missing `ref` is skipped).
    fn merge(&mut self, rf: Option<&str>) -> Result<(), Unsupported> {
        let Some(rf) = rf else {
            return Ok(());
        };
        let (a, b) = rf.split_once(':').unwrap_or((rf, rf));
        let (Some(a), Some(b)) = (cell_ref(a), cell_ref(b)) else {
            return Err(no("bad merge ref"));
        };
        self.merges.push(Region::new(a.0, a.1, b.0, b.1));
        Ok(())
    }

    fn finish(self) -> Result<Grid, ReadError> {
        let SheetBuild {
            name,
            cells,
            dropped,
            merges,
            mut extent,
            budget,
            widths,
            heights,
            ..
        } = self;
        let merges = unique_merges(merges, budget).and_then(|merges| {
            for m in &merges {
                extent.add(m.last)?;
            }
            extent.finish()?;
            Ok(merges)
        })?;
        let mut g = Grid::from_cells(name, cells, &merges, true);
        g.col_widths = widths;
        g.row_heights = heights;
        g.dropped = dropped;
        Ok(g)
    }
}

/// One worksheet's cells and merged regions, in one pass: the scanner when it can, the
/// event reader when the scanner meets anything it does not take apart itself.
fn sheet(
    name: &str,
    xml: &[u8],
    ctx: &Context,
    budget: &Budget,
) -> Result<Result<Grid, ReadError>, Unsupported> {
    let mark = budget.mark();
    match scan::sheet(name, xml, ctx, budget) {
        Some(read) => Ok(read),
        None => {
            budget.restore(mark);
            sheet_events(name, xml, ctx, budget)
        }
    }
}

/// One worksheet read with quick_xml's events.
fn sheet_events(
    name: &str,
    xml: &[u8],
    ctx: &Context,
    budget: &Budget,
) -> Result<Result<Grid, ReadError>, Unsupported> {
    let mut r = Reader::from_reader(xml);
    let mut b = SheetBuild::new(name, budget);
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            // The element's name once per event (the hot loop of every read).
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let (Event::Start(ref e) | Event::Empty(ref e)) = ev else {
                    unreachable!("matched above")
                };
                let empty = matches!(ev, Event::Empty(_));
                match local(e.name()) {
                    "c" if empty => b.empty_cell(cell_attrs(e)?.0),
                    "c" => {
                        let (at, typ, style) = cell_attrs(e)?;
                        let pos = b.cell_at(at);
                        let value = cell_value(&mut r, typ, style, ctx)?;
                        if let Err(e) = b.value(pos, value) {
                            return Ok(Err(e));
                        }
                    }
                    "row" => {
                        let (mut r_attr, mut ht) = (None, None);
                        for a in e.attributes().with_checks(false).flatten() {
                            match a.key.as_ref() {
                                "r" => r_attr = Some(row_number(&a.value)?),
                                "ht" => ht = a.value.parse::<f64>().ok(),
                                _ => {}
                            }
                        }
                        b.row(r_attr, ht, empty);
                    }
                    "col" if empty => {
                        let num = |n: &str| xml_attr(e, n).and_then(|v| v.parse::<f64>().ok());
                        b.col(num("min"), num("max"), num("width"));
                    }
                    "mergeCell" => b.merge(xml_attr(e, "ref").as_deref())?,
                    _ => {}
                }
            }
            Event::End(e) if local(e.name()) == "row" => b.end_row(),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(b.finish())
}

/// A row's `r`: a number from 1.
fn row_number(v: &str) -> Result<u32, Unsupported> {
    v.parse::<u32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| no("bad row number"))
}

/// Reads a `<c>` element's content up to its end and gives its value as calamine's
/// `read_value` would: the last of its `<v>`, `<is>`, `<f>` children wins (`<f>` gives
/// nothing), any other child is an error. `None` for an empty cell.
///
/// A formula left without a value (no `<v>`, as scripts write them) is
/// [`Value::Formula`], as the calamine reader gives it; a shared formula's other cells
/// carry no text of their own, so one of those without a value is left to calamine,
/// which expands it.
fn cell_value(
    r: &mut Reader<&[u8]>,
    typ: CellType,
    style: Option<usize>,
    ctx: &Context,
) -> Result<Option<Value>, Unsupported> {
    let mut value = None;
    // The cell's formula: its text, empty for a shared formula's other cells.
    let mut formula: Option<String> = None;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) => {
                value = match local(e.name()) {
                    "is" => Some(Value::Text(text_until(r, "is")?)),
                    "v" if typ == CellType::Inline => {
                        skip_to_end(r, "v")?;
                        None
                    }
                    "v" => v_value(r, typ, style, ctx)?,
                    "f" => {
                        formula = Some(formula_text(r)?);
                        None
                    }
                    _ => return Err(no("unexpected element in a cell")),
                }
            }
            Event::Empty(e) => {
                value = match local(e.name()) {
                    "f" => {
                        formula = Some(String::new());
                        None
                    }
                    "v" | "is" => None,
                    _ => return Err(no("unexpected element in a cell")),
                }
            }
            Event::End(e) if local(e.name()) == "c" => return cell_end(value, formula, typ),
            Event::Eof => return Err(no("unexpected end of sheet")),
            _ => {}
        }
    }
}

/// A cell's value at its `</c>`, from its last value child and its formula.
fn cell_end(
    value: Option<Value>,
    formula: Option<String>,
    typ: CellType,
) -> Result<Option<Value>, Unsupported> {
    match (value, formula) {
        (None, Some(f)) if f.trim().is_empty() => {
            if typ == CellType::Inline {
                Ok(None)
            } else {
                Err(no("a shared formula without a value"))
            }
        }
        (None, Some(f)) => Ok(Some(Value::Formula(f.trim().to_string()))),
        (value, _) => Ok(value),
    }
}

/// An `<f>` element's text, up to its end.
fn formula_text(r: &mut Reader<&[u8]>) -> Result<String, Unsupported> {
    let mut out = String::new();
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::CData(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => push_ref(&mut out, &g)?,
            Event::End(e) if local(e.name()) == "f" => return Ok(out),
            Event::Start(_) => return Err(no("unexpected element in a formula")),
            Event::Eof => return Err(no("unexpected end of formula")),
            _ => {}
        }
    }
}

fn skip_to_end(r: &mut Reader<&[u8]>, name: &str) -> Result<(), Unsupported> {
    let mut depth = 0u32;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(_) => depth += 1,
            Event::End(e) if depth == 0 && local(e.name()) == name => return Ok(()),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => return Err(no("unexpected end of XML")),
            _ => {}
        }
    }
}

/// A `<v>` element's value by the cell's type, as calamine's `read_v`.
fn v_value(
    r: &mut Reader<&[u8]>,
    typ: CellType,
    style: Option<usize>,
    ctx: &Context,
) -> Result<Option<Value>, Unsupported> {
    let v = match typ {
        // Plain ASCII types: calamine reads the first text event raw.
        CellType::Shared | CellType::Bool | CellType::Error | CellType::Number { .. } => {
            let first = match r.read_event().map_err(|e| no(e.to_string()))? {
                Event::Text(t) => Some(AsRef::<str>::as_ref(&t).to_string()),
                Event::End(e) if local(e.name()) == "v" => return Ok(None),
                Event::Eof => return Err(no("unexpected end of value")),
                _ => None,
            };
            skip_to_end(r, "v")?;
            let Some(v) = first else {
                return Ok(None);
            };
            v
        }
        _ => text_of_v(r)?,
    };
    typed_value(typ, Cow::Owned(v), style, ctx)
}

/// A `<v>`'s text as a value by the cell's type and style, as calamine's `read_v`.
fn typed_value(
    typ: CellType,
    v: Cow<str>,
    style: Option<usize>,
    ctx: &Context,
) -> Result<Option<Value>, Unsupported> {
    Ok(Some(match typ {
        CellType::Shared => {
            if v.is_empty() {
                return Ok(None);
            }
            let i: usize = v.parse().unwrap_or(0);
            Value::Text(ctx.strings.get(i).cloned().ok_or_else(|| no("bad index"))?)
        }
        CellType::Bool => match v.trim() {
            "" => return Ok(None),
            "0" => Value::Bool(false),
            "1" => Value::Bool(true),
            b if b.eq_ignore_ascii_case("false") => Value::Bool(false),
            b if b.eq_ignore_ascii_case("true") => Value::Bool(true),
            _ => return Err(no("bad boolean")),
        },
        CellType::Error => {
            let e: calamine::CellErrorType = v.parse().map_err(|_| no("bad error value"))?;
            Value::Error(e.to_string())
        }
        CellType::Iso => Value::Text(v.into_owned()),
        CellType::Str => Value::Text(unescape_ooxml(&v)),
        CellType::Number { typed } => {
            if v.is_empty() {
                return Ok(None);
            }
            let Ok(f) = v.parse::<f64>() else {
                // Without a type, text that is no number is kept as text.
                return if typed {
                    Err(no("bad number"))
                } else {
                    Ok(Some(Value::Text(v.into_owned())))
                };
            };
            // The percent flag follows the style id (0 when absent); a date needs an
            // explicit style, as in calamine.
            let percent = ctx
                .styles
                .get(style.unwrap_or(0))
                .is_some_and(|s| s.percent);
            let style = style.and_then(|i| ctx.styles.get(i));
            if let Some(shown) = style
                .and_then(|s| s.year.as_ref())
                .and_then(|y| year_shown(f, ctx.date1904, y))
            {
                return Ok(Some(shown));
            }
            let date = style.map_or(DateKind::No, |s| s.date);
            number_value(f, percent, date, ctx.date1904)
        }
        CellType::Inline | CellType::Unknown => return Err(no(format!("cell type {typ:?}"))),
    }))
}

fn text_of_v(r: &mut Reader<&[u8]>) -> Result<String, Unsupported> {
    let mut out = String::new();
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => push_ref(&mut out, &g)?,
            Event::End(e) if local(e.name()) == "v" => return Ok(out),
            Event::Eof => return Err(no("unexpected end of value")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Code;

    /// A feedback workbook of a department of over 1,000 forms (one 清洗 sheet each) is
    /// read back whole, its 说明 sheet saying what it is; any other file of as many
    /// sheets is refused as before.
    #[test]
    fn a_feedback_workbook_may_have_a_sheet_per_form() {
        let limits = super::super::Limits {
            early_sheet: Some(crate::own::early_sheet()),
            ..Default::default()
        };
        let book = |marker: &str| {
            let mut wb = rust_xlsxwriter::Workbook::new();
            for k in 0..1_005 {
                wb.add_worksheet()
                    .set_name(format!("P{k:04}清洗"))
                    .unwrap()
                    .write(0, 0, k)
                    .unwrap();
            }
            wb.add_worksheet()
                .set_name(crate::own::OUTPUT_SHEET)
                .unwrap()
                .write(0, 0, marker)
                .unwrap();
            wb.save_to_buffer().unwrap()
        };
        let feedback = book(&format!("{}（某局）", crate::own::FEEDBACK_MARKER));
        let Ok(Ok(grids)) = fast(&feedback, &Budget::new(&limits)) else {
            panic!("a feedback workbook reads");
        };
        assert_eq!(grids.len(), 1_006);
        let other = book("填表说明");
        let Ok(Err(e)) = fast(&other, &Budget::new(&limits)) else {
            panic!("1,006 sheets are too many for any other workbook");
        };
        assert!(e.reason.contains("工作表过多"), "{}", e.reason);
    }

    /// jixiao's own output is known by its 说明 sheet, read first and alone; a workbook
    /// with some other 说明 sheet is read whole, that sheet once, in its place.
    #[test]
    fn own_output_is_read_no_further_than_its_notes() {
        let limits = super::super::Limits {
            early_sheet: Some(crate::own::early_sheet()),
            ..Default::default()
        };
        let b = crate::batch::run(&["samples/2023".into()], &Default::default()).unwrap();
        let out = crate::write::workbook::to_xlsx(&b, &Default::default()).unwrap();
        let Ok(Ok(grids)) = fast(&out, &Budget::new(&limits)) else {
            panic!("an output reads");
        };
        assert_eq!(grids.len(), 1);
        assert!(crate::own::is_own_output_sheet(&grids[0]));
        let whole = super::super::Limits::default();
        let Ok(Ok(all)) = fast(&out, &Budget::new(&whole)) else {
            panic!("an output reads");
        };
        assert!(all.len() > 5, "every sheet when asked: {}", all.len());

        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet()
            .set_name("表")
            .unwrap()
            .write(0, 0, "项目名称")
            .unwrap();
        wb.add_worksheet()
            .set_name("说明")
            .unwrap()
            .write(1, 1, "填表说明")
            .unwrap();
        wb.add_worksheet()
            .set_name("末")
            .unwrap()
            .write(0, 0, 1)
            .unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let Ok(Ok(grids)) = fast(&bytes, &Budget::new(&limits)) else {
            panic!("a form workbook reads");
        };
        let names: Vec<&str> = grids.iter().map(|g| &*g.sheet).collect();
        assert_eq!(names, ["表", "说明", "末"]);
        assert_eq!(grids[1].get(Pos::new(1, 1)).display(), "填表说明");
    }

    #[test]
    fn unexpected_packages_fall_back_with_a_reason() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let limits = super::super::Limits::default();
        let Err(Unsupported(why)) = fast(&bytes, &Budget::new(&limits)) else {
            panic!("a zip without a workbook is not read");
        };
        assert!(why.contains("workbook"), "{why}");
        // And through the public reader: calamine reports it as corrupt.
        let e =
            super::super::read_bytes(&bytes, std::path::Path::new("x.xlsx"), &limits).unwrap_err();
        assert_eq!(e.code, Code::E001);
    }

    #[test]
    fn formulas_read_as_their_cached_values() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_number(0, 0, 10.0).unwrap();
        ws.write_number(1, 0, 89.0).unwrap();
        ws.write_formula(
            2,
            0,
            rust_xlsxwriter::Formula::new("=SUM(A1:A2)").set_result("99"),
        )
        .unwrap();
        ws.write_formula(
            3,
            0,
            rust_xlsxwriter::Formula::new("=\"总\"&\"分\"").set_result("总分"),
        )
        .unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let limits = super::super::Limits::default();
        let g = &fast(&bytes, &Budget::new(&limits)).unwrap().unwrap()[0];
        assert_eq!(g.get(Pos::new(2, 0)), &Value::number(99.into()));
        assert_eq!(g.get(Pos::new(3, 0)), &Value::text("总分"));
    }

    /// A1 read from the start of its parts as from the whole (calamine's answer): an A1
    /// early in a large sheet, a shared string far into a large table of strings, and an
    /// A1 longer than the start read (read again whole).
    #[test]
    fn a1_is_read_from_the_start_of_large_parts_as_from_the_whole() {
        let d = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: Vec<u8>| {
            let p = d.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        // 5,000 rows of strings: the sheet and its strings far beyond the first 64 KB.
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("汇总").unwrap();
        for r in 0..5000u32 {
            ws.write_string(r, 1, format!("第{r}行的一段文字")).unwrap();
        }
        // Written last: its shared string is the 5,001st.
        ws.write_string(0, 0, "jixiao 汇总 标记").unwrap();
        let shared = write("shared.xlsx", wb.save_to_buffer().unwrap());
        // An inline A1 of 100 KB, cut by the first read.
        let long = "很长的标题".repeat(7000);
        let inline = write(
            "inline.xlsx",
            package(&[(
                "汇总",
                None,
                &format!(
                    r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{long}</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>"#
                ),
            )]),
        );
        assert!(std::fs::metadata(&inline).unwrap().len() > 1000);
        for (path, want) in [(&shared, "jixiao 汇总 标记"), (&inline, long.as_str())] {
            assert!(
                first_text(path, "汇总").is_ok(),
                "{path:?}: answered by calamine"
            );
            assert_eq!(first_cell(path, "汇总").as_deref(), Some(want), "{path:?}");
            assert_eq!(
                first_cell_calamine(path, "汇总").as_deref(),
                Some(want),
                "{path:?}"
            );
        }
        assert_eq!(first_cell(&shared, "没有"), None);
    }

    /// A package written by hand: each sheet's name, `state` and `<sheetData>` content.
    fn package(sheets: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        let mut book = String::from(
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
        );
        let mut rels = String::from(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        );
        for (i, (name, state, data)) in sheets.iter().enumerate() {
            let n = i + 1;
            let state = state
                .map(|s| format!(r#" state="{s}""#))
                .unwrap_or_default();
            book += &format!(r#"<sheet name="{name}" sheetId="{n}"{state} r:id="rId{n}"/>"#);
            rels += &format!(
                r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
            );
            w.start_file(format!("xl/worksheets/sheet{n}.xml"), o)
                .unwrap();
            write!(
                w,
                r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
            )
            .unwrap();
        }
        book += "</sheets></workbook>";
        rels += "</Relationships>";
        w.start_file("xl/workbook.xml", o).unwrap();
        w.write_all(book.as_bytes()).unwrap();
        w.start_file("xl/_rels/workbook.xml.rels", o).unwrap();
        w.write_all(rels.as_bytes()).unwrap();
        w.start_file("_rels/.rels", o).unwrap();
        w.write_all(br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).unwrap();
        w.finish().unwrap().into_inner()
    }

    fn both(bytes: &[u8]) -> (Vec<Grid>, Vec<Grid>) {
        let limits = super::super::Limits::default();
        let fast = fast(bytes, &Budget::new(&limits)).unwrap().unwrap();
        let slow = via_calamine(bytes, &Budget::new(&limits)).unwrap();
        (fast, slow)
    }

    /// Parts named in another case or with `\` for `/` (as some writers name them) are
    /// found as calamine finds them: the styles too, so a cell shown as a percentage
    /// still reads as one. Found by a mutation test of the package (`xl/styles.xmL`).
    #[test]
    fn parts_are_found_whatever_their_case_or_slashes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/variants/四川青神2023-预算执行情况-指标性质度量单位.xlsx");
        let bytes = std::fs::read(path).unwrap();
        let renamed = {
            let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for i in 0..zip.len() {
                let f = zip.by_index_raw(i).unwrap();
                let name = match f.name().unwrap().as_ref() {
                    "xl/styles.xml" => "xl/Styles.XML".to_string(),
                    "xl/sharedStrings.xml" => "xl\\sharedstrings.xml".to_string(),
                    n => n.to_string(),
                };
                w.raw_copy_file_rename(f, name).unwrap();
            }
            w.finish().unwrap().into_inner()
        };
        // Each sheet's name and cells, to compare.
        let cells = |grids: &[Grid]| -> Vec<(String, Vec<(Pos, Value)>)> {
            grids
                .iter()
                .map(|g| {
                    let cells = g.non_empty().map(|(p, v)| (p, v.clone())).collect();
                    (g.sheet.to_string(), cells)
                })
                .collect()
        };
        let original = cells(&both(&bytes).0);
        assert!(
            original
                .iter()
                .flat_map(|(_, c)| c)
                .any(|(_, v)| matches!(v, Value::Number { percent: true, .. })),
            "the sample shows a percentage"
        );
        let (fast, slow) = both(&renamed);
        assert_eq!(cells(&fast), cells(&slow));
        assert_eq!(cells(&fast), original);
    }

    /// `<sheet state="hidden|veryHidden">`, read alike by both readers.
    #[test]
    fn hidden_sheets_are_marked() {
        let cell = r#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
        let bytes = package(&[
            ("表", None, cell),
            ("2022年", Some("hidden"), cell),
            ("草稿", Some("veryHidden"), cell),
            ("可见", Some("visible"), cell),
        ]);
        let (fast, slow) = both(&bytes);
        for grids in [fast, slow] {
            let got: Vec<_> = grids.iter().map(|g| (&*g.sheet, g.hidden)).collect();
            assert_eq!(
                got,
                [
                    ("表", None),
                    ("2022年", Some(Hidden::Hidden)),
                    ("草稿", Some(Hidden::VeryHidden)),
                    ("可见", None)
                ]
            );
        }
    }

    /// A formula saved without its result reads as the formula, never as empty; one with
    /// a result (a number, an empty text) reads as that, as before. Both readers agree.
    #[test]
    fn formulas_without_a_result_are_formulas() {
        let data = r#"<row r="1"><c r="A1"><v>10</v></c><c r="B1"><f>A1*2</f><v>20</v></c>
            <c r="C1"><f>SUM(A1:B1)</f></c><c r="D1" t="str"><f>IF(A1&gt;0,"","x")</f><v></v></c>
            <c r="E1"><f>A1&amp;"分"</f><v/></c></row>"#;
        let bytes = package(&[("Sheet1", None, data)]);
        let (fast, slow) = both(&bytes);
        for g in [&fast[0], &slow[0]] {
            assert_eq!(g.get(Pos::new(0, 1)), &Value::number(20.into()));
            assert_eq!(g.get(Pos::new(0, 2)), &Value::Formula("SUM(A1:B1)".into()));
            assert_eq!(g.get(Pos::new(0, 2)).display(), "=SUM(A1:B1)");
            assert!(g.get(Pos::new(0, 3)).is_empty(), "a saved empty result");
            assert_eq!(g.get(Pos::new(0, 4)), &Value::Formula("A1&\"分\"".into()));
        }
        let a: Vec<_> = fast[0].non_empty().collect();
        let b: Vec<_> = slow[0].non_empty().collect();
        assert_eq!(a, b);

        // A shared formula's other cells carry no text: the fast reader leaves them to
        // calamine, which expands them.
        let data = r#"<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1+1</f></c></row>
            <row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/></c></row>"#;
        let bytes = package(&[("Sheet1", None, data)]);
        let limits = super::super::Limits::default();
        assert!(super::fast(&bytes, &Budget::new(&limits)).is_err());
        let g =
            &super::super::read_bytes(&bytes, std::path::Path::new("x.xlsx"), &limits).unwrap()[0];
        assert_eq!(g.get(Pos::new(0, 1)), &Value::Formula("A1+1".into()));
        assert_eq!(g.get(Pos::new(1, 1)), &Value::Formula("A2+1".into()));
    }

    /// Every part of every sample and XLSX fixture inflates in one call to what the
    /// archive's reader gives; a part stored, or whose checksum or size does not match, is
    /// left to that reader, which decides (a wrong checksum is refused, as before).
    #[test]
    fn parts_inflated_in_one_call_are_the_archives_parts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut parts, mut direct) = (0, 0);
        for dir in ["samples", "tests/fixtures"] {
            for e in walkdir::WalkDir::new(root.join(dir)) {
                let p = e.unwrap().into_path();
                if p.extension().is_none_or(|x| x != "xlsx") {
                    continue;
                }
                let bytes = std::fs::read(&p).unwrap();
                let Ok(mut pkg) = Package::new(&bytes) else {
                    continue;
                };
                let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
                let names: Vec<String> = zip.file_names().flatten().map(String::from).collect();
                for (i, n) in names.iter().enumerate() {
                    let theirs = read_part(&mut zip, n, PART_LIMIT).map_err(|e| e.0);
                    let ours = pkg.part(n, PART_LIMIT).map_err(|e| e.0);
                    assert_eq!(ours, theirs, "{} {n}", p.display());
                    parts += 1;
                    direct += pkg.inflate(i, PART_LIMIT).is_some() as usize;
                }
            }
        }
        assert!(
            direct * 10 > parts * 9,
            "{direct} of {parts} parts inflated directly"
        );

        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default();
        let stored = deflated.compression_method(zip::CompressionMethod::Stored);
        w.start_file("a.xml", deflated).unwrap();
        w.write_all("<a>甲乙丙丙丙丙丙丙丙丙丙丙</a>".as_bytes())
            .unwrap();
        w.start_file("b.xml", stored).unwrap();
        w.write_all(b"<b/>").unwrap();
        let good = w.finish().unwrap().into_inner();
        let mut pkg = Package::new(&good).unwrap();
        assert!(pkg.inflate(0, PART_LIMIT).is_some());
        assert!(pkg.inflate(1, PART_LIMIT).is_none(), "stored");
        assert_eq!(pkg.part("b.xml", PART_LIMIT).unwrap().unwrap(), b"<b/>");
        assert_eq!(pkg.part("c.xml", PART_LIMIT).unwrap(), None);
        assert!(pkg.inflate(0, 5).is_none(), "over the limit");
        assert!(pkg.part("a.xml", 5).is_err());

        // The central directory's CRC-32 of a.xml altered: refused both ways.
        let crc = crc32fast::hash("<a>甲乙丙丙丙丙丙丙丙丙丙丙</a>".as_bytes()).to_le_bytes();
        let at = good
            .windows(4)
            .rposition(|w| w == crc)
            .expect("the central directory's copy");
        let mut bad = good.clone();
        bad[at] ^= 0xff;
        let mut pkg = Package::new(&bad).unwrap();
        assert!(pkg.inflate(0, PART_LIMIT).is_none());
        let mut zip = zip::ZipArchive::new(Cursor::new(&bad[..])).unwrap();
        assert!(read_part(&mut zip, "a.xml", PART_LIMIT).is_err());
        assert!(pkg.part("a.xml", PART_LIMIT).is_err());
    }

    #[test]
    fn ooxml_escapes() {
        assert_eq!(unescape_ooxml("a_x000D_b"), "a\rb");
        assert_eq!(unescape_ooxml("_x_y"), "_x_y");
        assert_eq!(unescape_ooxml("x_x0041_"), "xA");
        assert_eq!(unescape_ooxml("_xD83D__xDCF7_"), "📷");
        assert_eq!(unescape_ooxml("_xD83D_!"), "\u{fffd}!");
        assert_eq!(unescape_ooxml("_x005F_x000D_"), "_x000D_");
    }

    #[test]
    fn same_grids_as_calamine_on_every_sample() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = ["samples/2023", "samples/stacked"]
            .iter()
            .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
            .map(|e| e.unwrap().path())
            .collect();
        files.push(root.join("tests/fixtures/encrypted.xlsx"));
        files.sort();
        let mut seen = 0;
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            if !bytes.starts_with(b"PK") {
                continue;
            }
            let limits = super::super::Limits::default();
            let ours = fast(&bytes, &Budget::new(&limits)).unwrap().unwrap();
            let theirs = via_calamine(&bytes, &Budget::new(&limits)).unwrap();
            assert_eq!(ours.len(), theirs.len());
            for (a, b) in ours.iter().zip(&theirs) {
                assert_eq!(a.sheet, b.sheet);
                let ac: Vec<_> = a.non_empty().collect();
                let bc: Vec<_> = b.non_empty().collect();
                assert_eq!(ac, bc, "{}", f.display());
                assert_eq!(a.merges(), b.merges(), "{}", f.display());
            }
            seen += 1;
        }
        assert_eq!(seen, 5);
    }

    // ---- Package-level mutations: the zip container and its entries. ----

    /// One entry of a zip as found in its central directory.
    #[derive(Clone)]
    struct RawEntry {
        name: Vec<u8>,
        method: u16,
        flags: u16,
        crc: u32,
        usize_: u32,
        data: Vec<u8>,
        /// Offsets of the local header and of the central directory header.
        local: usize,
        central: usize,
    }

    fn u16_at(b: &[u8], i: usize) -> Option<u16> {
        Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
    }
    fn u32_at(b: &[u8], i: usize) -> Option<u32> {
        Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
    }

    /// The entries of a plain (non-zip64) archive, by its central directory.
    fn raw_entries(b: &[u8]) -> Option<(Vec<RawEntry>, usize)> {
        let eocd = b.windows(4).rposition(|w| w == b"PK\x05\x06")?;
        let n = u16_at(b, eocd + 10)? as usize;
        let mut at = u32_at(b, eocd + 16)? as usize;
        let mut out = Vec::new();
        for _ in 0..n {
            if u32_at(b, at)? != 0x0201_4b50 {
                return None;
            }
            let flags = u16_at(b, at + 8)?;
            let method = u16_at(b, at + 10)?;
            let crc = u32_at(b, at + 16)?;
            let csize = u32_at(b, at + 20)? as usize;
            let usize_ = u32_at(b, at + 24)?;
            let (nl, el, cl) = (
                u16_at(b, at + 28)? as usize,
                u16_at(b, at + 30)? as usize,
                u16_at(b, at + 32)? as usize,
            );
            let local = u32_at(b, at + 42)? as usize;
            let name = b.get(at + 46..at + 46 + nl)?.to_vec();
            let lnl = u16_at(b, local + 26)? as usize;
            let lel = u16_at(b, local + 28)? as usize;
            let ds = local + 30 + lnl + lel;
            let data = b.get(ds..ds + csize)?.to_vec();
            out.push(RawEntry {
                name,
                method,
                flags,
                crc,
                usize_,
                data,
                local,
                central: at,
            });
            at += 46 + nl + el + cl;
        }
        Some((out, eocd))
    }

    /// A zip written byte by byte from entries (whatever they say: duplicates, lies).
    fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut offsets = Vec::new();
        for e in entries {
            offsets.push(out.len() as u32);
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(&e.method.to_le_bytes());
            out.extend_from_slice(&[0; 4]); // time, date
            out.extend_from_slice(&e.crc.to_le_bytes());
            out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&e.usize_.to_le_bytes());
            out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&e.name);
            out.extend_from_slice(&e.data);
        }
        let cd = out.len() as u32;
        for (e, off) in entries.iter().zip(&offsets) {
            out.extend_from_slice(b"PK\x01\x02");
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(&e.method.to_le_bytes());
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&e.crc.to_le_bytes());
            out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&e.usize_.to_le_bytes());
            out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0; 12]); // extra, comment, disk, attrs
            out.extend_from_slice(off.to_le_bytes().as_slice());
            out.extend_from_slice(&e.name);
        }
        let cd_len = out.len() as u32 - cd;
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&cd_len.to_le_bytes());
        out.extend_from_slice(&cd.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    /// Every entry re-written by the zip crate, `stored` (all, or only those named) or
    /// deflated at another level: a valid package either way.
    fn rezip(bytes: &[u8], stored: impl Fn(&str) -> bool, level: i64) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let o = if stored(&name) {
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored)
            } else {
                zip::write::SimpleFileOptions::default().compression_level(Some(level))
            };
            w.start_file(name, o).unwrap();
            w.write_all(&data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    use crate::test_rng::Rng;

    /// A sheet as read: name, hidden state, cells and merges.
    type ReadSheet = (String, Option<Hidden>, Vec<(Pos, Value)>, Vec<Region>);

    /// What a reader made of a package.
    #[derive(Debug, Clone, PartialEq)]
    enum Outcome {
        Read(Vec<ReadSheet>),
        Refused(String),
        Unsupported(String),
        Panic(String),
    }

    fn outcome(r: Result<Vec<Grid>, ReadError>) -> Outcome {
        match r {
            Ok(gs) => Outcome::Read(
                gs.iter()
                    .map(|g| {
                        let cells = g.non_empty().map(|(p, v)| (p, v.clone())).collect();
                        (g.sheet.clone(), g.hidden, cells, g.merges().to_vec())
                    })
                    .collect(),
            ),
            Err(e) => Outcome::Refused(e.reason),
        }
    }

    fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    }

    fn read_fast(bytes: &[u8]) -> Outcome {
        let limits = super::super::Limits::default();
        match std::panic::catch_unwind(|| fast(bytes, &Budget::new(&limits))) {
            Ok(Ok(r)) => outcome(r),
            Ok(Err(Unsupported(why))) => Outcome::Unsupported(why),
            Err(p) => Outcome::Panic(panic_text(p)),
        }
    }

    fn read_calamine(bytes: &[u8]) -> Outcome {
        let limits = super::super::Limits::default();
        match std::panic::catch_unwind(|| via_calamine(bytes, &Budget::new(&limits))) {
            Ok(r) => outcome(r),
            Err(p) => Outcome::Panic(panic_text(p)),
        }
    }

    /// The process's peak resident set (kB), reset to the current one first when `reset`.
    fn peak_rss_kb(reset: bool) -> u64 {
        if reset {
            let _ = std::fs::write("/proc/self/clear_refs", "5");
        }
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }

    /// The mutations of one package, named by kind; deterministic from `seed`.
    fn mutations(bytes: &[u8], seed: u64, rounds: usize) -> Vec<(&'static str, Vec<u8>)> {
        let mut rng = Rng(seed | 1);
        let mut out: Vec<(&'static str, Vec<u8>)> = vec![("unmutated", bytes.to_vec())];
        let Some((entries, eocd)) = raw_entries(bytes) else {
            return out;
        };
        out.push(("raw-rewrite", raw_zip(&entries)));
        out.push(("rezip-stored-all", rezip(bytes, |_| true, 6)));
        out.push((
            "rezip-stored-sheets",
            rezip(bytes, |n| n.contains("worksheets/"), 6),
        ));
        out.push((
            "rezip-stored-strings",
            rezip(bytes, |n| n.contains("sharedStrings"), 6),
        ));
        out.push(("rezip-level1", rezip(bytes, |_| false, 1)));
        out.push(("rezip-level9", rezip(bytes, |_| false, 9)));
        let cd_start = entries.iter().map(|e| e.central).min().unwrap_or(eocd);
        for _ in 0..rounds {
            let e = &entries[rng.below(entries.len())];
            let mut b = bytes.to_vec();
            let set32 = |b: &mut Vec<u8>, at: usize, v: u32| {
                b[at..at + 4].copy_from_slice(&v.to_le_bytes())
            };
            let set16 = |b: &mut Vec<u8>, at: usize, v: u16| {
                b[at..at + 2].copy_from_slice(&v.to_le_bytes())
            };
            let kind = rng.below(18);
            let name: &'static str = match kind {
                0 => {
                    let at = e.local + rng.below(30 + e.name.len());
                    b[at] ^= 1 << rng.below(8);
                    "flip-local-header"
                }
                1 => {
                    let at = e.central + rng.below(46 + e.name.len());
                    b[at] = rng.next() as u8;
                    "overwrite-central-dir"
                }
                2 => {
                    let at = cd_start + rng.below(b.len() - cd_start);
                    b[at] ^= 1 << rng.below(8);
                    "flip-central-or-eocd"
                }
                3 => {
                    let ds = e.local + 30 + e.name.len();
                    if e.data.is_empty() {
                        continue;
                    }
                    for _ in 0..=rng.below(3) {
                        let at = ds + rng.below(e.data.len());
                        b[at] = rng.next() as u8;
                    }
                    "overwrite-data"
                }
                4..=6 => {
                    let v = match rng.below(5) {
                        0 => e.usize_ / 2,
                        1 => e.usize_.saturating_sub(1),
                        2 => e.usize_ + 1,
                        3 => e.usize_.saturating_mul(4),
                        _ => 0xFFFF_FFFF,
                    };
                    match kind {
                        4 => set32(&mut b, e.local + 22, v),
                        5 => set32(&mut b, e.central + 24, v),
                        _ => {
                            set32(&mut b, e.local + 22, v);
                            set32(&mut b, e.central + 24, v);
                        }
                    }
                    ["size-local", "size-central", "size-both"][kind - 4]
                }
                7 => {
                    let c = rng.next() as u32;
                    match rng.below(3) {
                        0 => set32(&mut b, e.local + 14, c),
                        1 => set32(&mut b, e.central + 16, c),
                        _ => {
                            set32(&mut b, e.local + 14, c);
                            set32(&mut b, e.central + 16, c);
                        }
                    }
                    "crc"
                }
                8 | 9 => {
                    let m = [0u16, 8, 12, 99, 14, 93][rng.below(6)];
                    if kind == 8 || rng.below(2) == 0 {
                        set16(&mut b, e.central + 10, m);
                    }
                    if kind == 9 || rng.below(2) == 0 {
                        set16(&mut b, e.local + 8, m);
                    }
                    "method"
                }
                10 => {
                    let f = u16_at(&b, e.central + 8).unwrap() | 1;
                    set16(&mut b, e.central + 8, f);
                    if rng.below(2) == 0 {
                        set16(&mut b, e.local + 6, f);
                    }
                    "encrypted-flag"
                }
                11 => {
                    b.truncate(rng.below(b.len()));
                    "truncate"
                }
                12 => {
                    // An entry twice: the original and a changed copy, in either order.
                    let mut list = entries.clone();
                    let i = rng.below(list.len());
                    let mut copy = list[i].clone();
                    match rng.below(3) {
                        0 => copy.data.clear(),
                        1 if !copy.data.is_empty() => {
                            let at = rng.below(copy.data.len());
                            copy.data[at] ^= 0x55;
                        }
                        _ => {}
                    }
                    let at = if rng.below(2) == 0 { i } else { i + 1 };
                    list.insert(at, copy);
                    b = raw_zip(&list);
                    "duplicate-name"
                }
                13 => {
                    for _ in 0..=rng.below(4096) {
                        b.push(rng.next() as u8);
                    }
                    "append-garbage"
                }
                14 => {
                    // One entry re-stored (valid), or mislabelled (stored bytes say deflate).
                    let mut list = entries.clone();
                    let i = rng.below(list.len());
                    if list[i].method == 8 {
                        let mut d = flate2::read::DeflateDecoder::new(&list[i].data[..]);
                        let mut plain = Vec::new();
                        if d.read_to_end(&mut plain).is_err() {
                            continue;
                        }
                        list[i].data = plain;
                        list[i].method = 0;
                    }
                    let valid = rng.below(3) != 0;
                    if !valid {
                        list[i].method = 8;
                    }
                    b = raw_zip(&list);
                    if valid {
                        "raw-stored-valid"
                    } else {
                        "stored-labelled-deflate"
                    }
                }
                15 => {
                    // Deflated data labelled stored, sizes consistent with the compressed bytes.
                    let mut list = entries.clone();
                    let i = rng.below(list.len());
                    list[i].method = 0;
                    list[i].usize_ = list[i].data.len() as u32;
                    list[i].crc = crc32fast::hash(&list[i].data);
                    b = raw_zip(&list);
                    "deflate-labelled-stored"
                }
                16 => {
                    // Name of one entry overwritten by another's (same length) or a random byte.
                    let at = e.central + 46 + rng.below(e.name.len().max(1));
                    b[at] = rng.next() as u8;
                    if rng.below(2) == 0 {
                        b[e.local + 30 + (at - e.central - 46)] = b[at];
                    }
                    "name-byte"
                }
                _ => {
                    // Several random bytes anywhere.
                    for _ in 0..=rng.below(8) {
                        let at = rng.below(b.len());
                        b[at] = rng.next() as u8;
                    }
                    "random-bytes"
                }
            };
            out.push((name, b));
        }
        out
    }

    fn sample_packages() -> Vec<(String, Vec<u8>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["samples", "tests/fixtures"] {
            for e in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
                let p = e.unwrap().into_path();
                if p.extension().is_some_and(|x| x == "xlsx") {
                    let bytes = std::fs::read(&p).unwrap();
                    out.push((p.strip_prefix(root).unwrap().display().to_string(), bytes));
                }
            }
        }
        out
    }

    /// Runs every mutation of every sample; returns the lines of a report and the problems
    /// (panics, slow cases, differences on valid packages).
    fn run_mutations(rounds: usize) -> (Vec<String>, Vec<String>) {
        use std::collections::BTreeMap;
        let mut counts: BTreeMap<(&str, String), usize> = BTreeMap::new();
        let mut problems = Vec::new();
        let valid = |k: &str| {
            matches!(
                k,
                "unmutated"
                    | "raw-rewrite"
                    | "rezip-stored-all"
                    | "rezip-stored-sheets"
                    | "rezip-stored-strings"
                    | "rezip-level1"
                    | "rezip-level9"
                    | "raw-stored-valid"
            )
        };
        for (fi, (path, bytes)) in sample_packages().into_iter().enumerate() {
            let original = read_fast(&bytes);
            for (ci, (kind, m)) in mutations(&bytes, 0x9E37_79B9 ^ fi as u64, rounds)
                .into_iter()
                .enumerate()
            {
                let t = std::time::Instant::now();
                let f = read_fast(&m);
                let tf = t.elapsed();
                let t = std::time::Instant::now();
                let c = read_calamine(&m);
                let tc = t.elapsed();
                let fk = match &f {
                    Outcome::Read(_) => "fast-read",
                    Outcome::Refused(_) => "fast-refused",
                    Outcome::Unsupported(_) => "fast-unsupported",
                    Outcome::Panic(_) => "fast-PANIC",
                };
                let ck = match &c {
                    Outcome::Read(_) => "cal-read",
                    Outcome::Refused(_) => "cal-refused",
                    Outcome::Panic(_) => "cal-PANIC",
                    Outcome::Unsupported(_) => unreachable!(),
                };
                let cmp = match (&f, &c) {
                    (Outcome::Read(a), Outcome::Read(b)) if a == b => {
                        if f == original {
                            "same"
                        } else {
                            "same-but-changed"
                        }
                    }
                    (Outcome::Read(_), Outcome::Read(_)) => {
                        if f == original {
                            "DIFF(fast=orig)"
                        } else {
                            "DIFF(fast!=orig)"
                        }
                    }
                    _ => "-",
                };
                *counts
                    .entry((kind, format!("{fk} {ck} {cmp}")))
                    .or_default() += 1;
                let id = format!("{path} case {ci} {kind}");
                if let Outcome::Panic(p) = &f {
                    problems.push(format!("{id}: fast panicked: {p}"));
                }
                if let Outcome::Panic(p) = &c {
                    problems.push(format!("{id}: calamine panicked: {p}"));
                }
                if tf.as_millis() > 2000 || tc.as_millis() > 2000 {
                    problems.push(format!("{id}: slow fast={tf:?} calamine={tc:?}"));
                }
                if valid(kind) && (f != c && !path.contains("encrypted") || f != original) {
                    problems.push(format!(
                        "{id}: valid package differs: fast={} cal={}",
                        fk, ck
                    ));
                }
                if cmp.starts_with("DIFF") {
                    problems.push(format!("{id}: {cmp}"));
                }
            }
        }
        let report = counts
            .into_iter()
            .map(|((k, o), n)| format!("{k:24} {o:48} {n}"))
            .collect();
        (report, problems)
    }

    /// A small run for CI: no panic, nothing slow, valid re-zips read as the original.
    #[test]
    fn mutated_packages_never_panic() {
        let (_, problems) = run_mutations(6);
        let bad: Vec<_> = problems.iter().filter(|p| !p.contains("DIFF")).collect();
        assert!(bad.is_empty(), "{bad:#?}");
    }

    /// The long run: `cargo test --release --lib mutated_packages_long -- --ignored --nocapture`
    /// (JIXIAO_MUTATION_ROUNDS mutations per file, 400 by default).
    #[test]
    #[ignore]
    fn mutated_packages_long() {
        let rounds = std::env::var("JIXIAO_MUTATION_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(400);
        let t = std::time::Instant::now();
        let (report, problems) = run_mutations(rounds);
        for l in &report {
            println!("{l}");
        }
        for p in &problems {
            println!("PROBLEM {p}");
        }
        println!("{} problems in {:?}", problems.len(), t.elapsed());
    }

    /// A worksheet entry whose deflated data inflates to `inflated` bytes (its XML start,
    /// then zeros) while its headers declare `declared`.
    fn bomb(inflated: usize, declared: u32) -> Vec<u8> {
        use std::io::Write;
        let good = package(&[("Sheet1", None, r#"<row r="1"><c r="A1"><v>1</v></c></row>"#)]);
        let (mut list, _) = raw_entries(&good).unwrap();
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        let head = br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
        enc.write_all(head).unwrap();
        let zeros = vec![0u8; 1 << 20];
        let mut left = inflated.saturating_sub(head.len());
        while left > 0 {
            let n = left.min(zeros.len());
            enc.write_all(&zeros[..n]).unwrap();
            left -= n;
        }
        let data = enc.finish().unwrap();
        let e = list
            .iter_mut()
            .find(|e| e.name == b"xl/worksheets/sheet1.xml")
            .unwrap();
        e.data = data;
        e.method = 8;
        e.usize_ = declared;
        raw_zip(&list)
    }

    /// Bombs: reading them costs no more than the part limit in memory, and is quick.
    #[test]
    #[ignore]
    fn zip_bombs_are_bounded() {
        for (what, inflated, declared) in [
            ("200 MB declared 1 kB", 200usize << 20, 1024u32),
            ("300 MB declared 1 kB", 300 << 20, 1024),
            ("tiny declared PART_LIMIT", 100, PART_LIMIT as u32),
            ("tiny declared PART_LIMIT+1", 100, PART_LIMIT as u32 + 1),
            ("tiny declared 0xFFFFFFFF", 100, u32::MAX),
        ] {
            let b = bomb(inflated, declared);
            let before = peak_rss_kb(true);
            let t = std::time::Instant::now();
            let f = read_fast(&b);
            let tf = t.elapsed();
            let mid = peak_rss_kb(false);
            peak_rss_kb(true);
            let t = std::time::Instant::now();
            let c = read_calamine(&b);
            let tc = t.elapsed();
            let after = peak_rss_kb(false);
            let short = |o: &Outcome| format!("{o:?}").chars().take(160).collect::<String>();
            println!(
                "{what}: {} bytes; fast {tf:?} peak +{} MB: {}\n    calamine {tc:?} peak +{} MB: {}",
                b.len(),
                mid.saturating_sub(before) / 1024,
                short(&f),
                after.saturating_sub(before) / 1024,
                short(&c)
            );
        }
    }
}
