//! A pre-flight check of an .ods file's content, before calamine reads it.
//!
//! calamine expands `table:number-rows-repeated` and `table:number-columns-repeated` into
//! real cells and stores each sheet as a dense range from its first to its last used cell,
//! so an 800-byte file (one far cell, or a long string repeated down a million rows) can
//! ask for gigabytes. The content is streamed here first, cheaply, and the file is refused
//! with E001 when what calamine would build passes the file's budget.

use super::{Budget, Extent, ReadError, xml_attr};
use crate::code::Code;
use crate::grid::Pos;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::{BufReader, Cursor, Read};

/// A repeat count as the file declares it (at least 1).
fn repeat(e: &quick_xml::events::BytesStart, name: &str) -> u64 {
    xml_attr(e, name)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// Refuses an .ods whose expanded cells, text or extent pass the budget.
pub fn check(bytes: &[u8], budget: &Budget) -> Result<(), ReadError> {
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
        .map_err(|_| ReadError {
            code: Code::E001,
            reason: format!(
                "文件过大：工作表“{name}”展开重复的行与列后超过 {} 个单元格的上限",
                guard.limits.max_sheet_cells
            ),
        })
}
