//! The forms' original cells ([`Source`]), kept for the writers that show a form as it
//! was sent (`--form-sheets`, `--feedback`), and the run's temporary file that holds them
//! and the forms' change records ([`spill`], [`crate::model::Changes`]).
//!
//! Held in memory they cost about 8 KB a form (a `String` per cell), which a province's
//! year (100,000 forms) cannot afford beside everything else. So each form's cells are
//! written compactly to one anonymous temporary file as the form is read, and read back
//! when its sheet is written. Where no such file can be had (the page in the browser, a
//! temporary folder that cannot be written) they stay in memory, as before.
//!
//! The file takes about 4 KB a form (400 MB for 100,000 forms) in the system's temporary
//! folder (`TMPDIR`); where that folder is in memory (a tmpfs `/tmp`) the cells still take
//! half what they took on the heap.

use crate::grid::{Pos, Region, Value};
use rust_decimal::Decimal;
use std::fs::File;
use std::io;
use std::sync::{Arc, Mutex, OnceLock};

/// The original cells of one form (its rows of the sheet), at their own addresses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    pub cells: Vec<(Pos, crate::grid::Value)>,
    pub merges: Vec<crate::grid::Region>,
    /// As the sender set them, where the format says (see [`crate::grid::Grid`]).
    pub col_widths: Vec<(u32, f64)>,
    pub row_heights: Vec<(u32, f64)>,
}

impl Source {
    /// The cells and merges of `grid` within `rows`.
    pub fn cut(grid: &crate::grid::Grid, rows: (u32, u32)) -> Source {
        let within = |p: Pos| (rows.0..=rows.1).contains(&p.row);
        Source {
            cells: grid
                .non_empty()
                .filter(|(p, _)| within(*p))
                .map(|(p, v)| (p, v.clone()))
                .collect(),
            merges: grid
                .merges()
                .iter()
                .filter(|m| within(m.first) && within(m.last))
                .copied()
                .collect(),
            col_widths: grid.col_widths.clone(),
            row_heights: grid
                .row_heights
                .iter()
                .filter(|(r, _)| (rows.0..=rows.1).contains(r))
                .copied()
                .collect(),
        }
    }
}

/// One form's original cells: in memory, or in the run's temporary file.
#[derive(Debug, Clone)]
pub struct Kept(Inner);

#[derive(Debug, Clone)]
enum Inner {
    Held(Arc<Source>),
    Spilled { at: u64, len: u32 },
}

impl Kept {
    /// Keeps `s`, in the temporary file where one can be had.
    pub fn new(s: Source) -> Kept {
        if Store::get().is_none() {
            return Kept::in_memory(s);
        }
        let bytes = encode(&s);
        match u32::try_from(bytes.len())
            .ok()
            .and_then(|len| Some((spill(&bytes)?, len)))
        {
            Some((at, len)) => Kept(Inner::Spilled { at, len }),
            None => Kept::in_memory(s),
        }
    }

    /// Keeps `s` in memory.
    pub fn in_memory(s: Source) -> Kept {
        Kept(Inner::Held(Arc::new(s)))
    }

    /// The cells, read back from the temporary file when they are there.
    pub fn load(&self) -> io::Result<Arc<Source>> {
        match &self.0 {
            Inner::Held(s) => Ok(s.clone()),
            Inner::Spilled { at, len } => decode(&read_back(*at, *len)?).map(Arc::new),
        }
    }

    /// The cells to change (tests that break a form on purpose): brought into memory.
    pub fn make_mut(&mut self) -> io::Result<&mut Source> {
        if let Inner::Spilled { .. } = self.0 {
            self.0 = Inner::Held(self.load()?);
        }
        match &mut self.0 {
            Inner::Held(s) => Ok(Arc::make_mut(s)),
            Inner::Spilled { .. } => unreachable!("brought into memory above"),
        }
    }
}

/// Writes `bytes` to the run's temporary file: where they are, or `None` where there is
/// no such file (the page in the browser) or it could not be written.
pub fn spill(bytes: &[u8]) -> Option<u64> {
    Store::get()?.write(bytes).ok()
}

/// The `len` bytes [`spill`] wrote at `at`.
pub fn read_back(at: u64, len: u32) -> io::Result<Vec<u8>> {
    let store = Store::get().ok_or_else(|| io::Error::other("no store"))?;
    let mut buf = vec![0u8; len as usize];
    store.read(at, &mut buf)?;
    Ok(buf)
}

/// The process's temporary file of kept cells: appended to by the reading threads, each
/// write at its own reserved offset; deleted by the system when the process ends.
struct Store {
    file: File,
    end: Mutex<u64>,
}

impl Store {
    fn get() -> Option<&'static Store> {
        static STORE: OnceLock<Option<Store>> = OnceLock::new();
        STORE
            .get_or_init(|| {
                if cfg!(target_arch = "wasm32") {
                    return None;
                }
                let file = tempfile::tempfile().ok()?;
                Some(Store {
                    file,
                    end: Mutex::new(0),
                })
            })
            .as_ref()
    }

    fn write(&self, bytes: &[u8]) -> io::Result<u64> {
        let at = {
            let mut end = self.end.lock().unwrap_or_else(|e| e.into_inner());
            let at = *end;
            *end += bytes.len() as u64;
            at
        };
        write_at(&self.file, bytes, at)?;
        Ok(at)
    }

    fn read(&self, at: u64, buf: &mut [u8]) -> io::Result<()> {
        read_at(&self.file, buf, at)
    }
}

#[cfg(unix)]
fn write_at(f: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, bytes, at)
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, at)
}

#[cfg(windows)]
fn write_at(f: &File, mut bytes: &[u8], mut at: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(f, bytes, at)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(f: &File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(f, buf, at)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn write_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

/// The cells as bytes: each count, then the items, little-endian.
fn encode(s: &Source) -> Vec<u8> {
    let text: usize = s
        .cells
        .iter()
        .map(|(_, v)| match v {
            Value::Text(t) | Value::Error(t) | Value::Formula(t) => t.len(),
            _ => 0,
        })
        .sum();
    let mut out = Vec::with_capacity(16 + s.cells.len() * 14 + text + s.merges.len() * 16);
    put_u32(&mut out, s.cells.len() as u32);
    for (p, v) in &s.cells {
        put_u32(&mut out, p.row);
        put_u32(&mut out, p.col);
        match v {
            Value::Empty => out.push(0),
            Value::Text(t) => {
                out.push(1);
                put_str(&mut out, t);
            }
            Value::Number { value, percent } => {
                out.push(2);
                out.extend_from_slice(&value.serialize());
                out.push(u8::from(*percent));
            }
            Value::Bool(b) => {
                out.push(3);
                out.push(u8::from(*b));
            }
            Value::Error(t) => {
                out.push(4);
                put_str(&mut out, t);
            }
            Value::Formula(t) => {
                out.push(5);
                put_str(&mut out, t);
            }
        }
    }
    put_u32(&mut out, s.merges.len() as u32);
    for m in &s.merges {
        for v in [m.first.row, m.first.col, m.last.row, m.last.col] {
            put_u32(&mut out, v);
        }
    }
    for sizes in [&s.col_widths, &s.row_heights] {
        put_u32(&mut out, sizes.len() as u32);
        for &(i, size) in sizes {
            put_u32(&mut out, i);
            out.extend_from_slice(&size.to_bits().to_le_bytes());
        }
    }
    out
}

/// A spilled record read back: each item taken in turn, too few bytes an error.
pub(crate) struct Bytes<'a>(pub(crate) &'a [u8]);

impl Bytes<'_> {
    pub(crate) fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "kept record cut short",
            ));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }

    pub(crate) fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> io::Result<u32> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    pub(crate) fn f64(&mut self) -> io::Result<f64> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(f64::from_bits(u64::from_le_bytes(b)))
    }

    pub(crate) fn string(&mut self) -> io::Result<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "kept text not UTF-8"))
    }

    /// A count, no more than the bytes left could hold (`min` bytes an item).
    pub(crate) fn count(&mut self, min: usize) -> io::Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "kept count too large",
            ));
        }
        Ok(n)
    }
}

fn decode(bytes: &[u8]) -> io::Result<Source> {
    let mut b = Bytes(bytes);
    let n = b.count(9)?;
    let mut cells = Vec::with_capacity(n);
    for _ in 0..n {
        let p = Pos {
            row: b.u32()?,
            col: b.u32()?,
        };
        let v = match b.u8()? {
            0 => Value::Empty,
            1 => Value::Text(b.string()?),
            2 => {
                let mut d = [0u8; 16];
                d.copy_from_slice(b.take(16)?);
                Value::Number {
                    value: Decimal::deserialize(d),
                    percent: b.u8()? != 0,
                }
            }
            3 => Value::Bool(b.u8()? != 0),
            4 => Value::Error(b.string()?),
            5 => Value::Formula(b.string()?),
            _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "kept cell kind")),
        };
        cells.push((p, v));
    }
    let n = b.count(16)?;
    let mut merges = Vec::with_capacity(n);
    for _ in 0..n {
        let (r0, c0, r1, c1) = (b.u32()?, b.u32()?, b.u32()?, b.u32()?);
        merges.push(Region {
            first: Pos { row: r0, col: c0 },
            last: Pos { row: r1, col: c1 },
        });
    }
    let mut sizes = [Vec::new(), Vec::new()];
    for s in &mut sizes {
        let n = b.count(12)?;
        s.reserve_exact(n);
        for _ in 0..n {
            s.push((b.u32()?, b.f64()?));
        }
    }
    let [col_widths, row_heights] = sizes;
    Ok(Source {
        cells,
        merges,
        col_widths,
        row_heights,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            cells: vec![
                (Pos { row: 0, col: 0 }, Value::Text("项目名称\n".into())),
                (
                    Pos { row: 3, col: 7 },
                    Value::Number {
                        value: Decimal::new(-123_456, 4),
                        percent: true,
                    },
                ),
                (Pos { row: 4, col: 1 }, Value::Bool(true)),
                (Pos { row: 5, col: 2 }, Value::Error("#DIV/0!".into())),
                (
                    Pos { row: 6, col: 3 },
                    Value::Formula("SUM(H12:H29)".into()),
                ),
                (Pos { row: 7, col: 4 }, Value::Empty),
            ],
            merges: vec![Region {
                first: Pos { row: 0, col: 0 },
                last: Pos { row: 0, col: 8 },
            }],
            col_widths: vec![(0, 5.5), (3, 30.25)],
            row_heights: vec![(2, 13.5)],
        }
    }

    #[test]
    fn kept_cells_come_back_as_they_were() {
        let s = source();
        assert_eq!(decode(&encode(&s)).unwrap(), s);
        let k = Kept::new(s.clone());
        if !cfg!(target_arch = "wasm32") {
            assert!(matches!(k.0, Inner::Spilled { .. }), "{k:?}");
        }
        assert_eq!(*k.load().unwrap(), s);
        let mut m = k.clone();
        m.make_mut().unwrap().merges.clear();
        assert!(m.load().unwrap().merges.is_empty());
        assert_eq!(*k.load().unwrap(), s, "the other copy is unchanged");
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let bytes = encode(&source());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "{cut}");
        }
        let mut huge = bytes.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).is_err());
    }
}
