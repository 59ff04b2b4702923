//! OpenDocument spreadsheets (.ods): a scan of the content, then calamine.
//!
//! calamine expands `table:number-rows-repeated` and `table:number-columns-repeated` into
//! real cells and stores each sheet as a dense range from its first to its last used cell,
//! so an 800-byte file (one far cell, or a long string repeated down a million rows) can
//! ask for gigabytes; and it parses all of content.xml while the workbook is opened, so a
//! 4 MB file whose content.xml inflates to 4 GB held 12 GB before any check. The content
//! is streamed here first, cheaply and under the budget the XLSX reader has: the parts'
//! declared sizes (the zip library inflates no part past its declared size), at most
//! [`PART_LIMIT`] bytes inflated from content.xml in any case, and the cells calamine
//! would build. Past any of them the file is refused
//! with E001 before calamine opens it.
//!
//! The scan also finds what calamine cannot tell apart: a formula saved without its result
//! (`table:formula` with no value and no paragraph, as scripts write them) becomes a
//! [`Value::Formula`], as in the XLSX reader, never an empty cell.

use super::budget::{self, Budget, Extent, PART_LIMIT, check_declared_sizes, in_bounds};
use super::calamine::ranges;
use super::xml::xml_attr;
use super::{Limits, ReadError};
use crate::grid::{Grid, Pos, Value};
use calamine::{Ods, Reader as _};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::{BufReader, Cursor, Read};
use std::rc::Rc;

/// Every worksheet of an .ods file, once the scan passes.
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    let budget = Budget::new(limits);
    let (sheets, unsaved) = scan(bytes, &budget)?;
    let mut wb = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => ReadError::password(),
        e => ReadError::corrupt(e),
    })?;
    // ODS carries no merge information through calamine: spans are inferred.
    let mut grids = ranges(&mut wb, &budget, |_, _| None)?;
    // calamine gives a formula without a result as an empty cell; the scan found them.
    // Their cells are inside the extent the scan charged.
    let by_name: std::collections::HashMap<String, usize> = grids
        .iter()
        .enumerate()
        .map(|(i, g)| (g.sheet.clone(), i))
        .collect();
    for u in unsaved {
        let Some(&i) = sheets.get(u.sheet).and_then(|n| by_name.get(n)) else {
            continue;
        };
        if grids[i].get(u.pos).is_empty() {
            budget.text(u.formula.len())?;
            grids[i].set(u.pos, Value::Formula(u.formula.to_string()));
        }
    }
    Ok(grids)
}

/// A formula the file saved without its result: its sheet (an index into the scan's
/// table names), its cell, its text as [`Value::Formula`] holds it (shared by the cells a
/// repeat copies it to).
#[derive(Debug)]
struct Unsaved {
    sheet: usize,
    pos: Pos,
    formula: Rc<str>,
}

/// A repeat count as the file declares it (at least 1).
fn repeat(e: &quick_xml::events::BytesStart, name: &str) -> u64 {
    xml_attr(e, name)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// The attributes that give a cell a value calamine reads.
const VALUE_ATTRS: [&str; 6] = [
    "value-type",
    "value",
    "string-value",
    "date-value",
    "time-value",
    "boolean-value",
];

/// The cell being read: its column repeat, whether calamine keeps it, its text length,
/// and its formula when it has no value (yet: a paragraph gives it one).
struct Cell {
    rep: u64,
    kept: bool,
    len: u64,
    unsaved: Option<Rc<str>>,
}

/// Streams content.xml once: refuses an .ods whose parts declare too many bytes, whose
/// content.xml inflates past [`PART_LIMIT`], or whose expanded cells, text or extent pass
/// the budget; returns the tables' names and the formulas saved without a result.
fn scan(bytes: &[u8], budget: &Budget) -> Result<(Vec<String>, Vec<Unsaved>), ReadError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(Default::default()); // calamine reports the broken zip
    };
    check_declared_sizes(&mut zip, budget)?;
    let Ok(f) = zip.by_name("content.xml") else {
        return Ok(Default::default());
    };
    // A budget of its own: calamine's grids are charged again when they are built.
    let guard = Budget::new(budget.limits);
    // One byte past the limit tells a part of exactly the limit from a larger one.
    let mut r = Reader::from_reader(BufReader::new(f.take(PART_LIMIT + 1)));
    // As calamine reads it, so that the scan stops where calamine would, never before.
    let config = r.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.trim_text(false);
    let mut buf = Vec::new();
    let mut names: Vec<String> = Vec::new();
    // Inside a cell's comment: its paragraphs are not the cell's.
    let mut annotation = 0u32;
    let (mut row, mut col, mut row_rep) = (0u64, 0u64, 1u64);
    let mut cell: Option<Cell> = None;
    let mut extent: Option<Extent> = None;
    let mut unsaved = Vec::new();
    let broken = loop {
        let ev = match r.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => break Some(e),
        };
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    "table" => {
                        guard.sheet()?;
                        if let Some(x) = extent.take() {
                            x.finish()?;
                        }
                        names.push(xml_attr(e, "name").unwrap_or_default());
                        (row, col) = (0, 0);
                    }
                    "table-row" => {
                        row_rep = repeat(e, "number-rows-repeated");
                        col = 0;
                        if empty {
                            row = row.saturating_add(row_rep);
                        }
                    }
                    "table-cell" | "covered-table-cell" => {
                        let rep = repeat(e, "number-columns-repeated");
                        let valued = e
                            .attributes()
                            .flatten()
                            .any(|a| VALUE_ATTRS.contains(&a.key.local_name().as_ref()));
                        let formula = xml_attr(e, "formula");
                        // calamine keeps a cell with a value or a formula.
                        let kept = valued || formula.is_some();
                        let unsaved_formula = formula
                            .filter(|_| !valued)
                            .map(|f| Rc::from(odf_formula(&f)));
                        let c = Cell {
                            rep,
                            kept,
                            len: 0,
                            unsaved: unsaved_formula,
                        };
                        if empty {
                            end_cell(
                                c,
                                &guard,
                                &mut extent,
                                &names,
                                (row, &mut col, row_rep),
                                &mut unsaved,
                            )?;
                        } else {
                            cell = Some(c);
                        }
                    }
                    // A paragraph is a shown result, even an empty one (LibreOffice saves
                    // `=""` so): the formula is no longer without one.
                    "p" if annotation == 0 => {
                        if let Some(c) = cell.as_mut() {
                            c.unsaved = None;
                        }
                    }
                    "annotation" if !empty => annotation += 1,
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = cell.as_mut() {
                    c.len += t.len() as u64;
                    c.kept |= !t.is_empty();
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                "table-cell" | "covered-table-cell" => {
                    if let Some(c) = cell.take() {
                        end_cell(
                            c,
                            &guard,
                            &mut extent,
                            &names,
                            (row, &mut col, row_rep),
                            &mut unsaved,
                        )?;
                    }
                }
                "table-row" => row = row.saturating_add(row_rep),
                "annotation" => annotation = annotation.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break None,
            _ => {}
        }
        buf.clear();
    };
    // The part was cut at the limit (wherever the XML then broke): refused, never handed
    // to calamine, which would inflate all of it.
    if r.get_ref().get_ref().limit() == 0 {
        return Err(budget::part_too_large("content.xml", PART_LIMIT));
    }
    if let Some(e) = broken {
        // The zip library stops a part at the size it declares (so a part that says it is
        // small cannot inflate to gigabytes): the file lies about its size.
        let e = e.to_string();
        if e.contains("larger than its declared uncompressed size") {
            return Err(ReadError::corrupt(
                "content.xml 解压后超过压缩包中声明的大小",
            ));
        }
        return Err(ReadError::corrupt(format!(
            "content.xml 不是有效的 XML：{e}"
        )));
    }
    if let Some(x) = extent.take() {
        x.finish()?;
    }
    Ok((names, unsaved))
}

/// A cell has been read: charged when calamine keeps it, its formula recorded when it
/// has no result, and the column moved past its repeats.
fn end_cell<'a>(
    c: Cell,
    guard: &'a Budget<'a>,
    extent: &mut Option<Extent<'a>>,
    names: &[String],
    (row, col, row_rep): (u64, &mut u64, u64),
    unsaved: &mut Vec<Unsaved>,
) -> Result<(), ReadError> {
    let name = names.last().map_or("", String::as_str);
    if c.kept {
        charge(guard, extent, name, row, *col, row_rep, c.rep, c.len)?;
    }
    // Charged above, its repeats inside the sheet's extent: the copies are bounded.
    if let Some(formula) = c.unsaved {
        let copies = usize::try_from(row_rep.saturating_mul(c.rep)).unwrap_or(usize::MAX);
        guard.text(formula.len().saturating_mul(copies))?;
        for r in row..row.saturating_add(row_rep) {
            for k in *col..col.saturating_add(c.rep) {
                let (Ok(r), Ok(k)) = (u32::try_from(r), u32::try_from(k)) else {
                    continue;
                };
                let pos = Pos::new(r, k);
                if in_bounds(pos) {
                    unsaved.push(Unsaved {
                        sheet: names.len().saturating_sub(1),
                        pos,
                        formula: Rc::clone(&formula),
                    });
                }
            }
        }
    }
    *col = col.saturating_add(c.rep);
    Ok(())
}

/// Charges `rows × cols` copies of a cell with `len` bytes of text at (`row`, `col`).
#[allow(clippy::too_many_arguments)]
fn charge<'a>(
    guard: &'a Budget<'a>,
    extent: &mut Option<Extent<'a>>,
    name: &str,
    row: u64,
    col: u64,
    rows: u64,
    cols: u64,
    len: u64,
) -> Result<(), ReadError> {
    let copies = rows.saturating_mul(cols);
    guard.text(usize::try_from(len.saturating_mul(copies)).unwrap_or(usize::MAX))?;
    let last = |start: u64, n: u64| u32::try_from(start.saturating_add(n - 1)).unwrap_or(u32::MAX);
    let p = Pos::new(last(row, rows), last(col, cols));
    extent
        .get_or_insert_with(|| Extent::new("", guard))
        .add(p)
        .map_err(|_| budget::ods_repeats_too_large(name, guard.limits))
}

/// An OpenFormula as [`Value::Formula`] holds it, close to how Excel writes it: its
/// namespace and `=` dropped (`of:=SUM([.H13:.H29])` → `SUM(H13:H29)`), references out of
/// their brackets, a sheet's name before `!` (`[$表2.A1]` → `表2!A1`). Text in quotes is
/// left as it is.
fn odf_formula(f: &str) -> String {
    let body = match f.find(":=") {
        Some(i) if f[..i].chars().all(|c| c.is_ascii_alphanumeric()) => &f[i + 2..],
        _ => f.strip_prefix('=').unwrap_or(f),
    };
    let mut out = String::with_capacity(body.len());
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            '[' if !quoted => {
                let mut reference = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    reference.push(d);
                }
                let parts: Vec<String> = reference.split(':').map(odf_cell).collect();
                out.push_str(&parts.join(":"));
            }
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

/// One end of an OpenFormula reference: `.A1` → `A1`, `$表2.$A$1` → `表2!$A$1`.
fn odf_cell(part: &str) -> String {
    match part.rfind('.') {
        Some(0) => part[1..].to_string(),
        Some(i) => {
            let sheet = part[..i].trim_start_matches('$').trim_matches('\'');
            format!("{sheet}!{}", &part[i + 1..])
        }
        None => part.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::grid::{Hidden, Pos, Value};
    use crate::read::{Limits, read_bytes};
    use std::io::Cursor;
    use std::path::Path;

    /// ODS: a table whose style says `table:display="false"` is hidden. A formula with no
    /// value type but a paragraph reads as the empty text it shows: LibreOffice writes
    /// `=""` so.
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

    /// A package of one content.xml (no whitespace between elements, as calamine needs).
    fn ods_of(tables: &str) -> Vec<u8> {
        use std::io::Write;
        let content = format!(
            r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
        );
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("mimetype", opts).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        w.start_file("content.xml", opts).unwrap();
        w.write_all(content.as_bytes()).unwrap();
        w.start_file("META-INF/manifest.xml", opts).unwrap();
        w.write_all(br#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>"#)
            .unwrap();
        w.finish().unwrap().into_inner()
    }

    /// A formula saved with no value and no paragraph (as scripts write them) is a
    /// formula, as the XLSX reader gives it, repeats and all; one in a comment's
    /// paragraph is still without a result.
    #[test]
    fn formulas_without_a_result_are_formulas() {
        let bytes = ods_of(
            r#"<table:table table:name="表"><table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell table:formula="of:=SUM([.A1:.A2])"/><table:table-cell table:formula="of:=[$表2.B3]&amp;&quot;[分]&quot;"><office:annotation><text:p>注</text:p></office:annotation></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell/><table:table-cell table:number-columns-repeated="2" table:formula="of:=1+1"/></table:table-row></table:table>"#,
        );
        let g = read_bytes(&bytes, Path::new("t.ods"), &Limits::default()).unwrap();
        let f = |r, c| g[0].get(Pos::new(r, c)).clone();
        assert_eq!(f(0, 0), Value::number(1.into()));
        assert_eq!(f(0, 1), Value::Formula("SUM(A1:A2)".into()));
        assert_eq!(f(0, 2), Value::Formula("表2!B3&\"[分]\"".into()));
        for (r, c) in [(1, 1), (1, 2), (2, 1), (2, 2)] {
            assert_eq!(f(r, c), Value::Formula("1+1".into()), "{r},{c}");
        }
        assert_eq!(g[0].non_empty().count(), 7);
    }

    #[test]
    fn open_formulas_in_excel_s_words() {
        use super::odf_formula;
        assert_eq!(odf_formula("of:=SUM([.H13:.H29])"), "SUM(H13:H29)");
        assert_eq!(odf_formula("oooc:=[.A1]*2"), "A1*2");
        assert_eq!(odf_formula("=[$Sheet1.$A$1]"), "Sheet1!$A$1");
        assert_eq!(odf_formula("of:=\"[.A1]\""), "\"[.A1]\"");
    }
}
