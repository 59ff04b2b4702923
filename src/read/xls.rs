//! Excel 97-2003 workbooks (.xls): a pre-scan of the file's records, then calamine.
//!
//! calamine parses every sheet of an .xls while opening it and stores each as a dense
//! range from its first to its last used cell. A corrupt or hostile file with one cell at
//! row 65535, column 65535 makes it allocate tens of gigabytes, which aborts the process
//! (found by fuzzing). So the BIFF cell records are scanned here first, cheaply, and a
//! sheet whose extent passes the limit is refused with E001 instead.

use super::budget::{self, Budget};
use super::calamine::ranges;
use super::{Limits, ReadError};
use crate::grid::Grid;
use calamine::{Reader, Xls};
use std::io::{Cursor, Read};

/// Every worksheet of an .xls file, with its merged regions, once the pre-scan passes.
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    check(bytes, limits)?;
    let budget = Budget::new(limits);
    let mut wb = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => ReadError::password(),
        e => ReadError::corrupt(e),
    })?;
    ranges(&mut wb, &budget, |wb, name| {
        Some(wb.merge_cells_by_sheet_name(name).unwrap_or_default())
    })
}

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
/// The shared string table, continued in CONTINUE records.
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
const LABELSST: u16 = 0x00FD;
/// DIMENSIONS: calamine reserves room for every cell it declares.
const DIMENSIONS: u16 = 0x0200;
/// FILEPASS: the workbook is encrypted (RC4, CryptoAPI RC4 or XOR obfuscation).
const FILEPASS: u16 = 0x002F;
/// EOF: the end of a substream (the globals, then each sheet).
const EOF: u16 = 0x000A;
/// BIFF8 sheets have at most 256 columns.
const MAX_COLS: u64 = 256;

/// Refuses an .xls whose sheets reach past the cell limit or the format's columns.
///
/// The container itself is opened with the `cfb` crate, which validates its sector chains:
/// calamine follows a cyclic chain until memory runs out (found by fuzzing), so a
/// container `cfb` refuses is refused here too.
fn check(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let broken = |e: std::io::Error| ReadError::corrupt(e);
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(broken)?;
    let stream = ["/Workbook", "/Book"]
        .iter()
        .find_map(|name| file.open_stream(name).ok());
    let Some(mut stream) = stream else {
        return Err(ReadError::corrupt("没有 Workbook 数据流"));
    };
    let mut data = Vec::new();
    stream.read_to_end(&mut data).map_err(broken)?;
    // An encrypted workbook's records are ciphertext after its FILEPASS: read as they are,
    // a DIMENSIONS record declared trillions of cells (E001 "corrupt"). It is E002.
    if encrypted(&data) {
        return Err(ReadError::password());
    }
    // calamine gives every LABELSST cell its own copy of the shared string: a string of
    // 65,535 characters in a few thousand 10-byte cells is gigabytes. Charged here, at
    // one byte per character (the least UTF-8 takes), against a text budget of its own
    // (calamine's grids are charged again when they are built).
    let shared = sst_lengths(&data);
    let guard = Budget::new(limits);
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
                    return Err(budget::xls_declared_too_large(declared, limits));
                }
            }
            continue;
        } else if CELL_RECORDS.contains(&typ) {
            if typ == LABELSST
                && let Some(isst) = body.get(6..10)
            {
                let isst = u32::from_le_bytes([isst[0], isst[1], isst[2], isst[3]]) as usize;
                guard.text(shared.get(isst).copied().unwrap_or(0) as usize)?;
            }
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
            return Err(ReadError::corrupt(format!(
                "单元格列号 {col} 超出 .xls 的 256 列"
            )));
        }
        extent = (extent.0.max(row + 1), extent.1.max(col + 1));
        let cells = extent.0 * extent.1;
        if cells > limits.max_sheet_cells {
            return Err(budget::xls_sheet_too_large(cells, limits));
        }
    }
    Ok(())
}

/// Whether the workbook globals (the records up to the first EOF) hold a FILEPASS record:
/// the file is password-protected. Record headers stay in clear text when the bodies are
/// encrypted, so the walk is sound.
fn encrypted(data: &[u8]) -> bool {
    let mut i = 0;
    while i + 4 <= data.len() {
        let typ = u16::from_le_bytes([data[i], data[i + 1]]);
        let len = u16::from_le_bytes([data[i + 2], data[i + 3]]) as usize;
        match typ {
            FILEPASS => return true,
            EOF => return false,
            _ => i += 4 + len,
        }
    }
    false
}

/// The length in characters of each string of the shared string table (BIFF8), as far
/// as it can be parsed. A string's characters may continue in the next CONTINUE record,
/// which then starts with a fresh flags byte (1 = two bytes a character).
fn sst_lengths(data: &[u8]) -> Vec<u16> {
    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    while i + 4 <= data.len() {
        let typ = u16::from_le_bytes([data[i], data[i + 1]]);
        let len = u16::from_le_bytes([data[i + 2], data[i + 3]]) as usize;
        let body = &data[(i + 4).min(data.len())..(i + 4 + len).min(data.len())];
        i += 4 + len;
        if typ == SST && chunks.is_empty() {
            chunks.push(body);
        } else if !chunks.is_empty() {
            if typ != CONTINUE {
                break;
            }
            chunks.push(body);
        }
    }
    let mut r = Chunks {
        chunks,
        at: 0,
        pos: 0,
    };
    let mut lens = Vec::new();
    let Some(_total) = r.take(4) else {
        return lens;
    };
    let Some(unique) = r
        .take(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    else {
        return lens;
    };
    for _ in 0..unique {
        let Some(n) = r.string() else { break };
        lens.push(n);
    }
    lens
}

/// The SST's record bodies, read as one stream.
struct Chunks<'a> {
    chunks: Vec<&'a [u8]>,
    at: usize,
    pos: usize,
}

impl<'a> Chunks<'a> {
    /// The next `n` bytes, when they lie in the current record (fields never span two).
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        while self.pos == self.chunks.get(self.at)?.len() {
            self.at += 1;
            self.pos = 0;
        }
        let b = self.chunks[self.at].get(self.pos..self.pos + n)?;
        self.pos += n;
        Some(b)
    }

    /// Skips `n` bytes, across records.
    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            let c = self.chunks.get(self.at)?;
            let step = n.min(c.len() - self.pos);
            self.pos += step;
            n -= step;
            if self.pos == c.len() && n > 0 {
                self.at += 1;
                self.pos = 0;
            }
        }
        Some(())
    }

    /// One XLUnicodeRichExtendedString; its length in characters.
    fn string(&mut self) -> Option<u16> {
        let h = self.take(3)?;
        let cch = u16::from_le_bytes([h[0], h[1]]);
        let flags = h[2];
        let runs = if flags & 0x08 != 0 {
            let b = self.take(2)?;
            u16::from_le_bytes([b[0], b[1]]) as usize
        } else {
            0
        };
        let ext = if flags & 0x04 != 0 {
            let b = self.take(4)?;
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
        } else {
            0
        };
        let mut wide = flags & 0x01 != 0;
        let mut left = cch as usize;
        loop {
            let c = self.chunks.get(self.at)?;
            let size = if wide { 2 } else { 1 };
            let n = left.min((c.len() - self.pos) / size);
            self.pos += n * size;
            left -= n;
            if left == 0 {
                break;
            }
            // The characters go on in the next record, after a flags byte of their own.
            self.at += 1;
            self.pos = 0;
            wide = self.take(1)?[0] & 0x01 != 0;
        }
        self.skip(4 * runs + ext)?;
        Some(cch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Code;

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
        assert_eq!(e.code, Code::E001);
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
            let e = crate::read::read_bytes(&bytes, &path, &Limits::default()).unwrap_err();
            assert_eq!(e.code, Code::E001, "{f}");
        }
    }

    /// A shared string table of one string of `chars` one-byte characters, split over
    /// CONTINUE records as Excel splits it, then `cells` LABELSST cells using it.
    fn shared_string_cells(chars: usize, cells: u16) -> Vec<u8> {
        let mut body = vec![];
        body.extend(1u32.to_le_bytes());
        body.extend(1u32.to_le_bytes());
        body.extend((chars as u16).to_le_bytes());
        body.push(0); // one byte a character
        let text = vec![b'a'; chars];
        let first = 8224 - body.len();
        body.extend(&text[..first.min(chars)]);
        let mut out = record(SST, &body);
        for part in text[first.min(chars)..].chunks(8223) {
            let mut c = vec![0u8]; // the flags byte again
            c.extend(part);
            out.extend(record(CONTINUE, &c));
        }
        for r in 0..cells {
            let mut c = r.to_le_bytes().to_vec();
            c.extend([0, 0, 0, 0]);
            c.extend(0u32.to_le_bytes());
            out.extend(record(LABELSST, &c));
        }
        out
    }

    #[test]
    fn one_long_shared_string_in_many_cells_is_bounded() {
        let limits = Limits::default();
        // 65,535 characters in 4,097 cells: 268 million, past the 256 MB budget.
        let e = check(&xls_with(&shared_string_cells(65_535, 4_097)), &limits).unwrap_err();
        assert_eq!(
            e.to_string(),
            "单元格文字总量过大（至少 268496895 字节，上限 268435456 字节） [E001]"
        );
        assert!(check(&xls_with(&shared_string_cells(65_535, 4_096)), &limits).is_ok());
        assert_eq!(
            sst_lengths(&shared_string_cells(65_535, 1)),
            [65_535],
            "read across eight CONTINUE records"
        );
    }

    #[test]
    fn shared_string_lengths_of_rich_extended_and_wide_strings() {
        let mut body = vec![];
        body.extend(3u32.to_le_bytes());
        body.extend(3u32.to_le_bytes());
        // "ab", compressed.
        body.extend([2, 0, 0, b'a', b'b']);
        // "长度", two bytes a character, with one formatting run and 3 bytes of ExtRst.
        body.extend([2, 0, 0x0D, 1, 0, 3, 0, 0, 0, 0x7F, 0x95, 0xA6, 0x5E]);
        body.extend([0, 0, 0, 0, 1, 2, 3]);
        // "xyz": its last character in a CONTINUE record, switched to two bytes.
        body.extend([3, 0, 0, b'x', b'y']);
        let mut data = record(SST, &body);
        data.extend(record(CONTINUE, &[1, b'z', 0]));
        assert_eq!(sst_lengths(&data), [2, 2, 3]);
    }
}
