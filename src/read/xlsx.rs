//! A single-pass XLSX reader for the fast path.
//!
//! calamine's API reads a sheet's cells in one pass over its XML and its merged regions in
//! a second, and parses the whole style palette (fonts, fills, borders) when a workbook is
//! opened; measured on the benchmark that is about a third of its cost. This reader takes
//! only what jixiao uses, in one pass per sheet: values, merged regions, and whether a
//! cell's number format is a percentage. Anything it does not expect is an error, and the
//! caller then falls back to calamine, so it can only make reading faster, never worse.
//! A test checks that both readers give the same grids.

use super::{Extent, Limits, ReadError, is_percent_format, push_xml_ref, xml_attr};
use crate::grid::{Grid, Pos, Region, Value, decimal_from_f64};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Parts are inflated whole into memory here; a larger one (or a zip bomb) is left to
/// calamine, which streams it and is stopped by the cell limit.
const PART_LIMIT: u64 = 256 << 20;

/// Why the fast path gave up (the caller falls back to calamine); the reason is for
/// tests and debugging.
#[derive(Debug)]
pub struct Unsupported(pub String);

fn no(what: impl Into<String>) -> Unsupported {
    Unsupported(what.into())
}

fn read_part(zip: &mut Archive, path: &str, limit: u64) -> Result<Option<String>, Unsupported> {
    let mut f = match zip.by_name(path) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(no(e.to_string())),
    };
    if f.size() > limit {
        return Err(no(format!("{path} is too large")));
    }
    // The declared size may lie: never inflate past the limit whatever it says.
    let mut s = String::with_capacity(f.size() as usize);
    (&mut f)
        .take(limit + 1)
        .read_to_string(&mut s)
        .map_err(|e| no(e.to_string()))?;
    if s.len() as u64 > limit {
        return Err(no(format!("{path} is too large")));
    }
    Ok(Some(s))
}

/// `_x000D_` escapes of OOXML strings.
fn unescape_ooxml(s: String) -> String {
    if !s.contains("_x") {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let code = tail
            .get(2..6)
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
            .filter(|_| tail.get(6..7) == Some("_"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collects the text of `<t>` elements until the end of `end` (an `<si>` or `<is>`),
/// skipping phonetic runs.
fn text_until(r: &mut Reader<&[u8]>, end: &str) -> Result<String, Unsupported> {
    let mut out = String::new();
    let mut in_t = false;
    let mut skip = 0u32;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" if skip == 0 => in_t = true,
                "rPh" | "phoneticPr" => skip += 1,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_t = false,
                "rPh" | "phoneticPr" => skip = skip.saturating_sub(1),
                n if n == end => return Ok(unescape_ooxml(out)),
                _ => {}
            },
            Event::Text(t) if in_t => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_t => out.push_str(&t.xml10_content()),
            Event::GeneralRef(g) if in_t => push_xml_ref(&mut out, &g),
            Event::Eof => return Err(no("unexpected end of XML")),
            _ => {}
        }
    }
}

fn shared_strings(xml: &str) -> Result<Vec<String>, Unsupported> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                out.push(text_until(&mut r, "si")?)
            }
            Event::Empty(e) if e.local_name().as_ref() == "si" => out.push(String::new()),
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Per cell style index: whether its number format shows a percentage.
fn percent_styles(xml: &str) -> Result<Vec<bool>, Unsupported> {
    let mut r = Reader::from_str(xml);
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) =
                        (xml_attr(&e, "numFmtId"), xml_attr(&e, "formatCode"))
                        && let Ok(id) = id.parse()
                    {
                        custom.insert(id, is_percent_format(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => {
                    let id: u32 = xml_attr(&e, "numFmtId")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    out.push(custom.get(&id).copied().unwrap_or(matches!(id, 9 | 10)));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// A cell's `r`, `t` and `s` attributes, read without allocating (they are plain ASCII:
/// this runs once per cell).
fn cell_attrs(e: &BytesStart) -> (Option<(u32, u32)>, CellType, usize) {
    let (mut pos, mut typ, mut style) = (None, CellType::Number, 0);
    for a in e.attributes().with_checks(false).flatten() {
        match a.key.local_name().as_ref() {
            "r" => pos = cell_ref(&a.value),
            "t" => {
                typ = match a.value.as_ref() {
                    "s" => CellType::Shared,
                    "inlineStr" => CellType::Inline,
                    "str" | "d" => CellType::Text,
                    "b" => CellType::Bool,
                    "e" => CellType::Error,
                    "n" => CellType::Number,
                    _ => CellType::Unknown,
                }
            }
            "s" => style = a.value.parse().unwrap_or(0),
            _ => {}
        }
    }
    (pos, typ, style)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CellType {
    Shared,
    Inline,
    Text,
    Bool,
    Error,
    Number,
    Unknown,
}

/// `A1` → (row, col), zero-based.
fn cell_ref(s: &str) -> Option<(u32, u32)> {
    Pos::parse(s).map(|p| (p.row, p.col))
}

/// The worksheets of a workbook, in order: (name, path in the archive).
pub(crate) fn sheets(zip: &mut Archive) -> Result<Vec<(String, String)>, Unsupported> {
    let wb_path = "xl/workbook.xml";
    let wb = read_part(zip, wb_path, 16 << 20)?.ok_or_else(|| no("no xl/workbook.xml"))?;
    let rels = read_part(zip, "xl/_rels/workbook.xml.rels", 16 << 20)?
        .ok_or_else(|| no("no workbook rels"))?;
    let mut targets: HashMap<String, String> = HashMap::new();
    let mut r = Reader::from_str(&rels);
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
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
    let mut out = Vec::new();
    let mut r = Reader::from_str(&wb);
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                let name = xml_attr(&e, "name").ok_or_else(|| no("sheet without a name"))?;
                let id = xml_attr(&e, "id").ok_or_else(|| no("sheet without r:id"))?;
                // Chart sheets have no worksheet relationship: skipped like calamine does.
                if let Some(path) = targets.get(&id) {
                    out.push((name, path.clone()));
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Reads every worksheet, or says why it cannot (then the caller uses calamine).
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Result<Vec<Grid>, ReadError>, Unsupported> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| no(e.to_string()))?;
    let sheets = sheets(&mut zip)?;
    let strings = match read_part(&mut zip, "xl/sharedStrings.xml", PART_LIMIT)? {
        Some(x) => shared_strings(&x)?,
        None => Vec::new(),
    };
    let percent = match read_part(&mut zip, "xl/styles.xml", 64 << 20)? {
        Some(x) => percent_styles(&x)?,
        None => Vec::new(),
    };
    let mut grids = Vec::with_capacity(sheets.len());
    for (name, path) in sheets {
        let xml =
            read_part(&mut zip, &path, PART_LIMIT)?.ok_or_else(|| no(format!("missing {path}")))?;
        match sheet(&name, &xml, &strings, &percent, limits)? {
            Ok(g) => grids.push(g),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(grids))
}

/// One worksheet's cells and merged regions, in one pass.
fn sheet(
    name: &str,
    xml: &str,
    strings: &[String],
    percent: &[bool],
    limits: &Limits,
) -> Result<Result<Grid, ReadError>, Unsupported> {
    let mut r = Reader::from_str(xml);
    let mut cells: Vec<(Pos, Value)> = Vec::new();
    let mut merges: Vec<Region> = Vec::new();
    let mut extent = Extent::new(name, limits);
    let (mut row, mut col) = (0u32, 0u32);
    let (mut widths, mut heights) = (Vec::new(), Vec::new());
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Start(e) if e.local_name().as_ref() == "row" => {
                let (mut r_attr, mut ht) = (None, None);
                for a in e.attributes().with_checks(false).flatten() {
                    match a.key.local_name().as_ref() {
                        "r" => r_attr = a.value.parse::<u32>().ok(),
                        "ht" => ht = a.value.parse::<f64>().ok(),
                        _ => {}
                    }
                }
                if let Some(n) = r_attr {
                    row = n.saturating_sub(1);
                }
                if let Some(h) = ht.filter(|h| h.is_finite() && *h > 0.0 && *h < 410.0) {
                    heights.push((row, h));
                }
                col = 0;
            }
            Event::Empty(e) if e.local_name().as_ref() == "col" => {
                let num = |n: &str| xml_attr(&e, n).and_then(|v| v.parse::<f64>().ok());
                if let (Some(min), Some(max), Some(w)) = (num("min"), num("max"), num("width"))
                    && (1.0..=16384.0).contains(&min)
                    && max >= min
                    && w.is_finite()
                    && w > 0.0
                {
                    // Only the columns a form uses matter; bound a 1..16384 span.
                    for c in (min as u32 - 1)..(max.min(64.0) as u32) {
                        widths.push((c, w.min(255.0)));
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "row" => row += 1,
            Event::Empty(e) if e.local_name().as_ref() == "row" => row += 1,
            Event::Empty(e) if e.local_name().as_ref() == "c" => {
                if let (Some((_, c)), _, _) = cell_attrs(&e) {
                    col = c;
                }
                col += 1;
            }
            Event::Start(e) if e.local_name().as_ref() == "c" => {
                let (at, typ, style) = cell_attrs(&e);
                let pos = match at {
                    Some((rr, cc)) => Pos::new(rr, cc),
                    None => Pos::new(row, col),
                };
                col = pos.col + 1;
                let pct = percent.get(style).copied().unwrap_or(false);
                let mut v: Option<String> = None;
                let mut inline: Option<String> = None;
                loop {
                    match r.read_event().map_err(|e| no(e.to_string()))? {
                        Event::Start(e) if e.local_name().as_ref() == "v" => {
                            v = Some(text_of_v(&mut r)?);
                        }
                        Event::Start(e) if e.local_name().as_ref() == "is" => {
                            inline = Some(text_until(&mut r, "is")?);
                        }
                        Event::End(e) if e.local_name().as_ref() == "c" => break,
                        Event::Eof => return Err(no("unexpected end of sheet")),
                        _ => {}
                    }
                }
                let value = match (typ, v, inline) {
                    (CellType::Shared, Some(v), _) => {
                        let i: usize = v.trim().parse().map_err(|_| no("bad shared string"))?;
                        Value::Text(strings.get(i).cloned().ok_or_else(|| no("bad index"))?)
                    }
                    (CellType::Inline, _, Some(s)) => Value::Text(s),
                    (CellType::Text, Some(v), _) => Value::Text(unescape_ooxml(v)),
                    (CellType::Bool, Some(v), _) => Value::Bool(v.trim() == "1"),
                    (CellType::Error, Some(v), _) => Value::Error(v),
                    (CellType::Number, Some(v), _) => {
                        let f: f64 = v.trim().parse().map_err(|_| no("bad number"))?;
                        match decimal_from_f64(f) {
                            Some(d) => Value::Number {
                                value: d,
                                percent: pct,
                            },
                            None => Value::Error(v),
                        }
                    }
                    (_, None, None) => continue,
                    _ => return Err(no(format!("cell type {typ:?}"))),
                };
                if value.is_empty() {
                    continue;
                }
                if let Err(e) = extent.add(pos) {
                    return Ok(Err(e));
                }
                cells.push((pos, value));
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "mergeCell" => {
                let Some(rf) = xml_attr(&e, "ref") else {
                    continue;
                };
                let (a, b) = rf.split_once(':').unwrap_or((&rf, &rf));
                let (Some(a), Some(b)) = (cell_ref(a), cell_ref(b)) else {
                    return Err(no("bad merge ref"));
                };
                let m = Region::new(a.0, a.1, b.0, b.1);
                if let Err(e) = extent.add(m.last) {
                    return Ok(Err(e));
                }
                merges.push(m);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut g = Grid::from_cells(name, cells, &merges, true);
    g.col_widths = widths;
    g.row_heights = heights;
    Ok(Ok(g))
}

fn text_of_v(r: &mut Reader<&[u8]>) -> Result<String, Unsupported> {
    let mut out = String::new();
    loop {
        match r.read_event().map_err(|e| no(e.to_string()))? {
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => push_xml_ref(&mut out, &g),
            Event::End(e) if e.local_name().as_ref() == "v" => return Ok(out),
            Event::Eof => return Err(no("unexpected end of value")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unexpected_packages_fall_back_with_a_reason() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let Err(Unsupported(why)) = read(&bytes, &Limits::default()) else {
            panic!("a zip without a workbook is not read");
        };
        assert!(why.contains("workbook"), "{why}");
        // And through the public reader: calamine reports it as corrupt.
        let e =
            super::super::read_bytes(&bytes, std::path::Path::new("x.xlsx"), &Limits::default())
                .unwrap_err();
        assert_eq!(e.code, "E001");
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
        let g = &read(&bytes, &Limits::default()).unwrap().unwrap()[0];
        assert_eq!(g.get(Pos::new(2, 0)), &Value::number(99.into()));
        assert_eq!(g.get(Pos::new(3, 0)), &Value::text("总分"));
    }

    #[test]
    fn ooxml_escapes() {
        assert_eq!(unescape_ooxml("a_x000D_b".into()), "a\rb");
        assert_eq!(unescape_ooxml("_x_y".into()), "_x_y");
        assert_eq!(unescape_ooxml("x_x0041_".into()), "xA");
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
            let ours = read(&bytes, &Limits::default()).unwrap().unwrap();
            let theirs =
                super::super::read_xlsx_calamine(Cursor::new(&bytes), &Limits::default()).unwrap();
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
}
