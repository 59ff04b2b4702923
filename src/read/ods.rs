//! OpenDocument spreadsheets (.ods): a pre-scan of the content, then calamine.
//!
//! calamine expands `table:number-rows-repeated` and `table:number-columns-repeated` into
//! real cells and stores each sheet as a dense range from its first to its last used cell,
//! so an 800-byte file (one far cell, or a long string repeated down a million rows) can
//! ask for gigabytes. The content is streamed here first, cheaply, and the file is refused
//! with E001 when what calamine would build passes the file's budget.

use super::budget::{self, Budget, Extent};
use super::calamine::ranges;
use super::xml::xml_attr;
use super::{Limits, ReadError};
use crate::grid::{Grid, Pos};
use calamine::{Ods, Reader as _};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::{BufReader, Cursor, Read};

/// Every worksheet of an .ods file, once the pre-scan passes.
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    let budget = Budget::new(limits);
    check(bytes, &budget)?;
    let mut wb = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => ReadError::password(),
        e => ReadError::corrupt(e),
    })?;
    // ODS carries no merge information through calamine: spans are inferred.
    // A formula's result is read as calamine gives it: LibreOffice writes an empty
    // text result (`=""`) with no value type, as a formula never calculated would
    // be, and calamine cannot tell them apart, so no ODS cell reads as a formula.
    ranges(&mut wb, &budget, |_, _| None)
}

/// A repeat count as the file declares it (at least 1).
fn repeat(e: &quick_xml::events::BytesStart, name: &str) -> u64 {
    xml_attr(e, name)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// Refuses an .ods whose expanded cells, text or extent pass the budget.
fn check(bytes: &[u8], budget: &Budget) -> Result<(), ReadError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine reports the broken zip
    };
    let Ok(f) = zip.by_name("content.xml") else {
        return Ok(());
    };
    // A budget of its own: calamine's grids are charged again when they are built.
    let guard = Budget::new(budget.limits);
    let limit = budget.limits.max_inflated_bytes;
    let mut r = Reader::from_reader(BufReader::new(f.take(limit)));
    let mut buf = Vec::new();
    let mut name = String::new();
    let (mut row, mut col, mut row_rep) = (0u64, 0u64, 1u64);
    // The cell being read: its column repeat, whether it holds a value, its text length.
    let mut cell: Option<(u64, bool, u64)> = None;
    let mut extent: Option<Extent> = None;
    loop {
        let ev = match r.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(_) => return Ok(()), // calamine reports the broken XML
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
                        name = xml_attr(e, "name").unwrap_or_default();
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
                        let valued = xml_attr(e, "value-type").is_some();
                        if empty {
                            if valued {
                                charge(&guard, &mut extent, &name, row, col, row_rep, rep, 0)?;
                            }
                            col = col.saturating_add(rep);
                        } else {
                            cell = Some((rep, valued, 0));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some((_, valued, len)) = cell.as_mut() {
                    *len += t.len() as u64;
                    *valued |= !t.is_empty();
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                "table-cell" | "covered-table-cell" => {
                    if let Some((rep, valued, len)) = cell.take() {
                        if valued {
                            charge(&guard, &mut extent, &name, row, col, row_rep, rep, len)?;
                        }
                        col = col.saturating_add(rep);
                    }
                }
                "table-row" => row = row.saturating_add(row_rep),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if let Some(x) = extent.take() {
        x.finish()?;
    }
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

#[cfg(test)]
mod tests {
    use crate::grid::{Hidden, Pos, Value};
    use crate::read::{Limits, read_bytes};
    use std::io::Cursor;
    use std::path::Path;

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
}
