//! A pre-flight check of an .xls file's cell extents, before calamine reads it.
//!
//! calamine parses every sheet of an .xls while opening it and stores each as a dense
//! range from its first to its last used cell. A corrupt or hostile file with one cell at
//! row 65535, column 65535 makes it allocate tens of gigabytes, which aborts the process
//! (found by fuzzing). So the BIFF cell records are scanned here first, cheaply, and a
//! sheet whose extent passes the limit is refused with E001 instead.

use super::{Limits, ReadError};
use std::io::{Cursor, Read};

/// BIFF record types that carry a cell's row and column in their first four bytes.
const CELL_RECORDS: &[u16] = &[
    0x0006, // FORMULA
    0x00FD, // LABELSST
    0x0201, // BLANK
    0x0203, // NUMBER
    0x0204, // LABEL
    0x0205, // BOOLERR
    0x027E, // RK
    0x00D6, // RSTRING
];
/// MULRK and MULBLANK: row, first column, …, last column in the final two bytes.
const MULTI_RECORDS: &[u16] = &[0x00BD, 0x00BE];
const BOF: u16 = 0x0809;
/// DIMENSIONS: calamine reserves room for every cell it declares.
const DIMENSIONS: u16 = 0x0200;
/// BIFF8 sheets have at most 256 columns.
const MAX_COLS: u64 = 256;

/// Refuses an .xls whose sheets reach past the cell limit or the format's columns.
///
/// The container itself is opened with the `cfb` crate, which validates its sector chains:
/// calamine follows a cyclic chain until memory runs out (found by fuzzing), so a
/// container `cfb` refuses is refused here too.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let broken = |e: std::io::Error| ReadError {
        code: "E001",
        reason: format!("文件已损坏或不是表格文件（{e}）"),
    };
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(broken)?;
    let stream = ["/Workbook", "/Book"]
        .iter()
        .find_map(|name| file.open_stream(name).ok());
    let Some(mut stream) = stream else {
        return Err(ReadError {
            code: "E001",
            reason: "文件已损坏或不是表格文件（没有 Workbook 数据流）".into(),
        });
    };
    let mut data = Vec::new();
    stream.read_to_end(&mut data).map_err(broken)?;
    let mut extent = (0u64, 0u64);
    let mut i = 0;
    while i + 4 <= data.len() {
        let typ = u16::from_le_bytes([data[i], data[i + 1]]);
        let len = u16::from_le_bytes([data[i + 2], data[i + 3]]) as usize;
        let body = &data[i + 4..(i + 4 + len).min(data.len())];
        i += 4 + len;
        let u16_at = |o: usize| -> Option<u64> {
            body.get(o..o + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
        };
        let (row, col) = if typ == BOF {
            extent = (0, 0);
            continue;
        } else if typ == DIMENSIONS {
            let u32_at = |o: usize| {
                body.get(o..o + 4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64)
            };
            // BIFF8: rows as u32, columns as u16; BIFF5: all u16.
            let dims = if body.len() >= 14 {
                (u32_at(0), u32_at(4), u16_at(8), u16_at(10))
            } else {
                (u16_at(0), u16_at(2), u16_at(4), u16_at(6))
            };
            if let (Some(rf), Some(rl), Some(cf), Some(cl)) = dims {
                // What calamine will reserve, computed as it does (u32 arithmetic that
                // wraps when the last row is before the first).
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                let declared = if rl >= 1 && cl >= 1 {
                    let rows = ((rl - 1) as u32).wrapping_sub(rf as u32).wrapping_add(1);
                    rows as u64 * (cl - cf)
                } else {
                    1
                };
                if declared > limits.max_sheet_cells {
                    return Err(ReadError {
                        code: "E001",
                        reason: format!(
                            "文件已损坏或工作表过大（声明 {declared} 个单元格，上限 {}）",
                            limits.max_sheet_cells
                        ),
                    });
                }
            }
            continue;
        } else if CELL_RECORDS.contains(&typ) {
            match (u16_at(0), u16_at(2)) {
                (Some(r), Some(c)) => (r, c),
                _ => continue,
            }
        } else if MULTI_RECORDS.contains(&typ) && body.len() >= 6 {
            match (u16_at(0), u16_at(body.len() - 2)) {
                (Some(r), Some(c)) => (r, c),
                _ => continue,
            }
        } else {
            continue;
        };
        if col >= MAX_COLS {
            return Err(ReadError {
                code: "E001",
                reason: format!("文件已损坏或不是表格文件（单元格列号 {col} 超出 .xls 的 256 列）"),
            });
        }
        extent = (extent.0.max(row + 1), extent.1.max(col + 1));
        let cells = extent.0 * extent.1;
        if cells > limits.max_sheet_cells {
            return Err(ReadError {
                code: "E001",
                reason: format!(
                    "工作表过大（至少 {cells} 个单元格，上限 {}）",
                    limits.max_sheet_cells
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xls_with(records: &[u8]) -> Vec<u8> {
        let mut c = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        {
            let mut s = c.create_stream("/Workbook").unwrap();
            std::io::Write::write_all(&mut s, records).unwrap();
        }
        c.into_inner().into_inner()
    }

    fn record(typ: u16, body: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((body.len() as u16).to_le_bytes());
        v.extend(body);
        v
    }

    #[test]
    fn a_cell_past_256_columns_is_refused() {
        let bytes = xls_with(&record(
            0x0203,
            &[0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        let e = check(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(e.code, "E001");
    }

    #[test]
    fn a_sheet_past_the_cell_limit_is_refused() {
        let far = record(0x0203, &[0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let e = check(&xls_with(&far), &Limits::default()).unwrap_err();
        assert!(e.reason.contains("过大"), "{}", e.reason);
        let near = record(0x0203, &[10, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(check(&xls_with(&near), &Limits::default()).is_ok());
    }

    #[test]
    fn the_fuzzer_s_oom_files_are_refused() {
        for f in [
            "fuzz-xls-oom.xls",
            "fuzz-xls-far-merge.xls",
            "fuzz-cfb-cycle.xls",
            "fuzz-cfb-slice.xls",
            "fuzz-xls-dimensions.xls",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(f);
            let bytes = std::fs::read(&path).unwrap();
            let e = super::super::read_bytes(&bytes, &path, &Limits::default()).unwrap_err();
            assert_eq!(e.code, "E001", "{f}");
        }
    }
}
