//! Filling the long list sheets fast.
//!
//! rust_xlsxwriter writes everything about a list sheet except its rows: name, column
//! widths and formats, frozen header, filter, print setup. Its per-cell path (a `String`
//! per cell, `fmt` per row, one deflate stream for the whole package) was measured as
//! the largest cost of a conversion, so the rows of 指标明细, 资金, 问题清单 and 变更记录 are
//! written here instead: one thread per table renders `<sheetData>` rows straight into
//! a deflate stream, and the finished parts replace the header-only placeholders in the
//! package (every other part is copied as compressed, byte for byte).
//!
//! Cells carry their column's style index from the placeholder's `<cols>`, exactly as
//! rust_xlsxwriter writes a cell without its own format. Numbers are written from their
//! `Decimal`, so exact values stay exact.

use crate::grid::col_name;
use crate::write::tables::{Cell, Kind, Table, visible};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Cursor, Read, Seek, Write};
use zip::write::SimpleFileOptions;

/// Resolves a link cell to (location, display text, tooltip).
pub type Resolve<'a> = dyn Fn(&Cell) -> Option<(String, String, String)> + Sync + 'a;

/// Why a placeholder could not be filled: the package is not as expected (`msg`), or
/// writing the output failed (`io`, a full disk).
#[derive(Debug)]
pub struct Error {
    pub msg: String,
    pub io: Option<std::io::Error>,
}

impl Error {
    fn msg(msg: impl Into<String>) -> Self {
        Self {
            msg: msg.into(),
            io: None,
        }
    }

    /// As rust_xlsxwriter's error, for the writers' results: a write error as itself.
    pub fn into_xlsx(self) -> rust_xlsxwriter::XlsxError {
        match self.io {
            Some(e) => rust_xlsxwriter::XlsxError::IoError(e),
            None => {
                rust_xlsxwriter::XlsxError::ParameterError(format!("list sheets: {}", self.msg))
            }
        }
    }
}

/// The output of [`fill`]: the first write error is kept and every later write and seek
/// succeeds on a virtual file, so the zip writer finishes quietly (dropped unfinished, it
/// prints its own English to stderr) and the caller gets the real cause, a disk full.
struct Latch<W> {
    inner: W,
    failed: Option<std::io::Error>,
    pos: u64,
    len: u64,
}

impl<W: Write + std::io::Seek> Write for Latch<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = match self.failed {
            Some(_) => buf.len(),
            None => match self.inner.write(buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Err(e),
                Err(e) => {
                    self.failed = Some(e);
                    buf.len()
                }
            },
        };
        self.pos += n as u64;
        self.len = self.len.max(self.pos);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.failed.is_none()
            && let Err(e) = self.inner.flush()
        {
            self.failed = Some(e);
        }
        Ok(())
    }
}

impl<W: Write + std::io::Seek> std::io::Seek for Latch<W> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        use std::io::SeekFrom;
        if to == SeekFrom::Current(0) {
            return Ok(self.pos);
        }
        if self.failed.is_none() {
            match self.inner.seek(to) {
                Ok(p) => {
                    self.pos = p;
                    self.len = self.len.max(p);
                    return Ok(p);
                }
                Err(e) => self.failed = Some(e),
            }
        }
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        };
        self.pos = target.unwrap_or(0);
        Ok(self.pos)
    }

    /// Where the writer is, kept here: the zip writer asks before each part, and a
    /// `BufWriter` answers by writing out what it holds and asking the file (a run's 500
    /// feedback workbooks were 92,000 writes of a part's 55-byte header or its few
    /// hundred bytes, and as many `lseek`s).
    fn stream_position(&mut self) -> std::io::Result<u64> {
        Ok(self.pos)
    }
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::msg(e.to_string())
}

/// One table and the (placeholder) sheets its rows go to, `max_rows` each.
pub struct Fill<'a> {
    pub sheets: Vec<String>,
    pub table: Table<'a>,
}

/// Writes `package` to `out` with each placeholder sheet replaced by the same sheet
/// holding its rows.
pub fn fill<W: Write + std::io::Seek>(
    package: Vec<u8>,
    fills: Vec<Fill>,
    max_rows: usize,
    resolve: &Resolve,
    out: W,
) -> Result<(), Error> {
    fill_with(package, fills, max_rows, resolve, None, out)
}

/// More parts to replace, from the package and its sheets (name, path) in order
/// ([`super::formxml::assemble`]).
pub type Extra<'a> = Box<
    dyn FnOnce(&mut zip::ZipArchive<Cursor<&[u8]>>, &[(String, String)]) -> Result<Parts, Error>
        + Send
        + 'a,
>;

/// What an [`Extra`] makes: parts, each written where the package's part of its path is,
/// and parts of the package that give way to others (`splice`: in its place, the parts
/// of those paths from the bundles, in order; none removes it).
#[derive(Default)]
pub struct Parts {
    pub bundles: Vec<Bundle>,
    pub splice: HashMap<String, Vec<String>>,
}

/// Parts compressed together: a zip holding them, in the order of their paths (one zip
/// writer deflates many parts with one encoder: setting up a fresh one for each of a
/// province's 30,000 small parts cost more than deflating them).
pub struct Bundle {
    pub paths: Vec<String>,
    pub zip: Vec<u8>,
}

/// [`fill`], also replacing the parts `extra` makes.
pub fn fill_with<W: Write + std::io::Seek>(
    package: Vec<u8>,
    fills: Vec<Fill>,
    max_rows: usize,
    resolve: &Resolve,
    extra: Option<Extra>,
    mut out: W,
) -> Result<(), Error> {
    let mut zip = zip::ZipArchive::new(Cursor::new(package.as_slice())).map_err(err)?;
    let sheets = crate::read::sheet_parts(&mut zip).map_err(|e| Error::msg(e.0))?;
    let mut replaced: HashMap<String, Spill> = HashMap::new();
    let paths: HashMap<&str, &str> = sheets
        .iter()
        .map(|(n, p)| (n.as_str(), p.as_str()))
        .collect();
    // The placeholders' XML, read before the parallel part.
    let mut jobs = Vec::new();
    for f in fills {
        let mut parts = Vec::new();
        for name in &f.sheets {
            let path = paths
                .get(name.as_str())
                .ok_or_else(|| Error::msg(format!("no sheet {name}")))?
                .to_string();
            let mut xml = String::new();
            zip.by_name(&path)
                .map_err(err)?
                .read_to_string(&mut xml)
                .map_err(err)?;
            parts.push((path, xml));
        }
        jobs.push((parts, f.table));
    }
    // Longest tables first, one table per task: rayon's halving split put 指标明细 and
    // 变更记录 on different halves with unequal rest, leaving a core idle at the end.
    jobs.sort_by_key(|(_, t)| std::cmp::Reverse(t.len * t.columns.len()));
    // The extra parts (说明's list of files, or the form sheets) beside the list sheets:
    // written first, on one thread, they had the other core idle.
    let (parts, rendered) = rayon::join(
        || extra.map(|e| e(&mut zip, &sheets)).transpose(),
        || {
            jobs.into_par_iter()
                .with_max_len(1)
                .map(|(parts, table)| render_table(parts, table, max_rows, resolve))
                .collect::<Vec<Result<Vec<Part>, Error>>>()
        },
    );
    // The extra parts: by path, their bundle and their index in it.
    let mut bundles = Vec::new();
    let mut bundled: HashMap<String, (usize, usize)> = HashMap::new();
    let mut splice = HashMap::new();
    if let Some(parts) = parts? {
        splice = parts.splice;
        // Read where they are, in memory: all of them are there already (written to a
        // temporary file first, 10,000 forms' form sheets took 0.14 s on one core, and
        // no less memory at the peak, which is before).
        for b in parts.bundles {
            let k = bundles.len();
            let zip = Spilled::Memory(Cursor::new(b.zip));
            bundles.push(zip::ZipArchive::new(zip).map_err(err)?);
            for (i, path) in b.paths.into_iter().enumerate() {
                bundled.insert(path, (k, i));
            }
        }
    }
    for r in rendered {
        for (path, zipped) in r? {
            replaced.insert(path, zipped);
        }
    }
    // Where `out` starts: from here on the latch keeps count.
    let start = out.stream_position().map_err(|e| Error {
        msg: String::new(),
        io: Some(e),
    })?;
    let mut out = zip::ZipWriter::new(Latch {
        inner: BufWriter::with_capacity(COPY_BUF, out),
        failed: None,
        pos: start,
        len: start,
    });
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i).map_err(err)?;
        let name = file.name().map_err(err)?.to_string();
        // A part giving way first: its path may be a new part's (说明's old number is a
        // form sheet's now).
        if let Some(list) = splice.get(&name) {
            drop(file);
            for path in list {
                let &(k, i) = bundled
                    .get(path)
                    .ok_or_else(|| Error::msg(format!("no part {path}")))?;
                let part = bundles[k].by_index_raw(i).map_err(err)?;
                out.raw_copy_file_rename(part, path).map_err(err)?;
            }
            continue;
        }
        if let Some(&(k, i)) = bundled.get(&name) {
            drop(file);
            let part = bundles[k].by_index_raw(i).map_err(err)?;
            out.raw_copy_file_rename(part, name).map_err(err)?;
            continue;
        }
        match replaced.remove(&name) {
            Some(zipped) => {
                drop(file);
                let mut one = zip::ZipArchive::new(spilled(zipped).map_err(err)?).map_err(err)?;
                let part = one.by_index_raw(0).map_err(err)?;
                out.raw_copy_file_rename(part, name).map_err(err)?;
            }
            None => out.raw_copy_file(file).map_err(err)?,
        }
    }
    let mut latch = out.finish().map_err(err)?;
    latch.flush().map_err(err)?;
    match latch.failed {
        Some(e) => Err(Error {
            msg: String::new(),
            io: Some(e),
        }),
        None => Ok(()),
    }
}

/// The buffers the package is copied through: the parts are copied whole (raw), a
/// province's in about 300 MB, and 8 KB reads and writes (`io::copy`'s) were a second of
/// system calls on one core at the end of a run of 100,000 forms.
const COPY_BUF: usize = 1 << 20;

/// A spilled part to read back: from memory as it is, from its file through
/// [`COPY_BUF`] ([`OnDisk`]). (A `BufReader` over the spill itself zeroed its whole
/// buffer at the first read, the spill having no `read_buf` of its own: 1 MB for each of
/// a feedback run's thousands of small parts was 6 % of its time.)
enum Spilled {
    Memory(Cursor<Vec<u8>>),
    Disk(OnDisk),
}

fn spilled(spill: Spill) -> std::io::Result<Spilled> {
    Ok(match spill {
        Spill::Memory(c) => Spilled::Memory(c),
        Spill::Disk(mut f) => {
            f.rewind()?;
            Spilled::Disk(OnDisk {
                r: BufReader::with_capacity(COPY_BUF, f),
                pos: 0,
            })
        }
    })
}

/// A spill's file through a buffer that a seek within it keeps: the zip reader seeks to
/// each part's header from the start (`SeekFrom::Start`), and `BufReader` drops its
/// buffer on any such seek: a 1 MB read for each of 10,000 forms' 30,000 form-sheet
/// parts, 1.7 s of system time.
struct OnDisk {
    r: BufReader<std::fs::File>,
    /// Where the reader is in the file.
    pos: u64,
}

impl Read for Spilled {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Spilled::Memory(c) => c.read(buf),
            Spilled::Disk(d) => {
                let n = d.r.read(buf)?;
                d.pos += n as u64;
                Ok(n)
            }
        }
    }
}

impl Seek for Spilled {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        use std::io::SeekFrom;
        match self {
            Spilled::Memory(c) => c.seek(to),
            Spilled::Disk(d) => {
                let target = match to {
                    SeekFrom::Start(n) => Some(n),
                    SeekFrom::Current(k) => d.pos.checked_add_signed(k),
                    SeekFrom::End(_) => None,
                };
                let by = target
                    .and_then(|t| i64::try_from(t).ok())
                    .and_then(|t| i64::try_from(d.pos).ok().and_then(|p| t.checked_sub(p)));
                match (target, by) {
                    (Some(t), Some(by)) => {
                        d.r.seek_relative(by)?;
                        d.pos = t;
                    }
                    _ => d.pos = d.r.seek(to)?,
                }
                Ok(d.pos)
            }
        }
    }
}

/// A rendered part: its path in the package and a one-entry zip holding it compressed.
type Part = (String, Spill);

/// Where a rendered part waits for the package to be put together: in memory while small,
/// in an anonymous temporary file beyond [`SPILL_AT`] (a province's 指标明细 is about
/// 100 MB compressed, and every list sheet waits until the last is rendered). On wasm32
/// (the page) there is no file system and it stays in memory.
///
/// As `tempfile::SpooledTempFile`, but its buffer is reserved up front for the part's
/// expected size ([`Spill::expecting`]): grown by doubling, each part was copied into
/// fresh pages again and again (perf at 10,000 forms: the copies, and the kernel zeroing
/// the pages they fault in, were about 2 % of a plain run).
enum Spill {
    Memory(Cursor<Vec<u8>>),
    Disk(std::fs::File),
}

impl Spill {
    /// An empty spill whose buffer holds `bytes` (at most [`SPILL_AT`]) before it grows.
    fn expecting(bytes: usize) -> Spill {
        Spill::Memory(Cursor::new(Vec::with_capacity(bytes.min(SPILL_AT))))
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Spill::Memory(c) = self
            && (c.position() as usize).saturating_add(buf.len()) > SPILL_AT
        {
            let mut f = tempfile::tempfile()?;
            f.write_all(c.get_ref())?;
            f.seek(std::io::SeekFrom::Start(c.position()))?;
            *self = Spill::Disk(f);
        }
        match self {
            Spill::Memory(c) => c.write(buf),
            Spill::Disk(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Spill::Memory(_) => Ok(()),
            Spill::Disk(f) => f.flush(),
        }
    }
}

impl Seek for Spill {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            Spill::Memory(c) => c.seek(to),
            Spill::Disk(f) => f.seek(to),
        }
    }
}

/// What a table's part is expected to take deflated: about 8 bytes a cell (10,000 forms:
/// 5.9 for 汇总, 6.4 for 指标明细, 7.5 for 问题清单, 7 for 变更记录), and its sheet's own XML.
fn expected_size(rows: usize, cols: usize, xml: usize) -> usize {
    rows.saturating_mul(cols)
        .saturating_mul(8)
        .saturating_add(xml / 4)
        .saturating_add(4096)
}

/// Bytes a rendered part may take in memory before it goes to a temporary file.
const SPILL_AT: usize = if cfg!(target_arch = "wasm32") {
    usize::MAX
} else {
    8 << 20
};

/// Rows go to the compressor in chunks of about this many bytes.
const CHUNK: usize = 1 << 18;

/// What rendering a table's rows needs of its sheet: the columns' letters, wrapped widths
/// and styles, and where links go.
struct RowOf<'r> {
    letters: &'r [String],
    wrap: &'r [Option<f64>],
    style_attr: &'r [String],
    resolve: &'r Resolve<'r>,
}

impl RowOf<'_> {
    /// Row `r` (1-based, below the header) into `buf`, its links into `links`.
    fn render(
        &self,
        buf: &mut Vec<u8>,
        links: &mut Vec<(String, (String, String, String))>,
        last: &mut Lines,
        row: &[Cell],
        r: u64,
    ) -> Result<(), Error> {
        let RowOf {
            letters,
            wrap,
            style_attr,
            resolve,
        } = *self;
        if let Some(Cell::Failed(why)) = row.first() {
            return Err(Error {
                msg: why.clone(),
                io: Some(std::io::Error::other(why.clone())),
            });
        }
        let mut num = itoa::Buffer::new();
        let rn = num.format(r);
        let texts: Vec<Option<std::borrow::Cow<str>>> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| match cell {
                Cell::Empty | Cell::Num(_) | Cell::Failed(_) => None,
                Cell::Text(s) => Some((*s).into()),
                Cell::Shown(s) => Some(visible(s)),
                Cell::Owned(s) => Some(s.as_str().into()),
                Cell::Target { .. } | Cell::FormSheet { .. } | Cell::SummaryRow { .. } => {
                    resolve(cell).map(|l| {
                        let display = l.1.clone();
                        links.push((format!("{}{rn}", letters[c]), l));
                        display.into()
                    })
                }
            })
            .collect();
        let lines = texts
            .iter()
            .zip(wrap)
            .zip(last.iter_mut())
            .filter_map(|((t, w), last)| Some(last.lines(t.as_deref()?, (*w)?)))
            .max()
            .unwrap_or(1);
        buf.extend_from_slice(b"<row r=\"");
        buf.extend_from_slice(rn.as_bytes());
        // The height the wrapped texts need, as an auto height (no `customHeight`):
        // what Excel writes for a row it fitted itself, so it fits the row again once
        // a cell is edited. LibreOffice takes the height as given (it does not fit rows
        // on opening), so it is estimated for the workbook's font (Calibri 11, CJK in
        // the system's East Asian font) rather than left out.
        if lines > 1 {
            write!(buf, "\" ht=\"{}", LINE_HEIGHT * lines as f64).map_err(err)?;
        }
        buf.extend_from_slice(b"\">");
        for (c, (cell, text)) in row.iter().zip(texts).enumerate() {
            let open = |buf: &mut Vec<u8>| {
                buf.extend_from_slice(b"<c r=\"");
                buf.extend_from_slice(letters[c].as_bytes());
                buf.extend_from_slice(rn.as_bytes());
                buf.push(b'"');
                if let Some(s) = style_attr.get(c) {
                    buf.extend_from_slice(s.as_bytes());
                }
            };
            match (cell, text) {
                (Cell::Num(d), _) => {
                    open(buf);
                    buf.extend_from_slice(b"><v>");
                    decimal_into(buf, *d);
                    buf.extend_from_slice(b"</v></c>");
                }
                (_, Some(t)) if !t.is_empty() => {
                    open(buf);
                    buf.extend_from_slice(b" t=\"inlineStr\"><is><t");
                    if t.starts_with(char::is_whitespace) || t.ends_with(char::is_whitespace) {
                        buf.extend_from_slice(b" xml:space=\"preserve\"");
                    }
                    buf.push(b'>');
                    escape_into(buf, &super::excel_text(&t));
                    buf.extend_from_slice(b"</t></is></c>");
                }
                _ => {}
            }
        }
        buf.extend_from_slice(b"</row>");
        Ok(())
    }
}

/// Per column, the last wrapped text measured and the lines it needs: a project's name,
/// a file's path, a rule's reason repeat down a column, and measuring them again was
/// 2 % of a conversion.
type Lines = Vec<LastText>;

#[derive(Default)]
struct LastText {
    text: String,
    lines: usize,
}

impl LastText {
    /// [`lines_needed`] for `text` in a column `width` wide (a column's width is fixed).
    fn lines(&mut self, text: &str, width: f64) -> usize {
        if self.text != text || self.text.is_empty() {
            self.lines = lines_needed(text, width);
            self.text.clear();
            self.text.push_str(text);
        }
        self.lines
    }
}

/// Renders one table into its sheets.
fn render_table(
    parts: Vec<(String, String)>,
    table: Table,
    max_rows: usize,
    resolve: &Resolve,
) -> Result<Vec<Part>, Error> {
    let mut rows = table.rows;
    let cols = table.columns.len();
    // The width of each wrapped column, for the row heights.
    let wrap: Vec<Option<f64>> = table
        .columns
        .iter()
        .map(|c| (c.kind == Kind::Wrap).then_some(c.width))
        .collect();
    let letters: Vec<String> = (0..cols as u32).map(col_name).collect();
    let mut left = table.len;
    let mut out = Vec::with_capacity(parts.len());
    for (path, xml) in parts {
        let n = left.min(max_rows);
        left -= n;
        // Each column's ` s="N"` attribute, rendered once rather than per cell.
        let style_attr: Vec<String> = column_styles(&xml)
            .into_iter()
            .map(|s| s.map_or(String::new(), |s| format!(" s=\"{s}\"")))
            .collect();
        let end = xml
            .find("</sheetData>")
            .ok_or_else(|| Error::msg(format!("{path}: no sheetData")))?;
        let (head, tail) = xml.split_at(end);
        // Rows the placeholder already holds below row 1 (a 合计 row) follow the data.
        let (head, trailer) = head.split_at(trailer_start(head));
        let head = if trailer.is_empty() {
            replace_dimension(head, &format!("A1:{}{}", letters[cols - 1], n + 1))
        } else {
            // rust_xlsxwriter's dimension already reaches the trailer, below the data.
            head.to_string()
        };
        let mut z = zip::ZipWriter::new(Spill::expecting(expected_size(n, cols, xml.len())));
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .last_modified_time(zip::DateTime::default());
        z.start_file(path.as_str(), opts).map_err(err)?;
        z.write_all(head.as_bytes()).map_err(err)?;
        let row_of = RowOf {
            letters: &letters,
            wrap: &wrap,
            style_attr: &style_attr,
            resolve,
        };
        // Rows are rendered a chunk at a time and each chunk deflated while the next
        // renders (rayon::join: the other core takes one when it is free), so the largest
        // table (a province's 指标明细, a million rows) no longer ends the run on one core.
        // The chunks are the same as when each was deflated in turn.
        let (mut buf, mut ready) = (Vec::with_capacity(CHUNK * 2), Vec::with_capacity(CHUNK * 2));
        let mut links: Vec<(String, (String, String, String))> = Vec::new();
        let mut last: Lines = (0..cols).map(|_| LastText::default()).collect();
        let (mut r, end, mut more) = (2u64, n as u64 + 2, true);
        loop {
            let (written, rendered) = rayon::join(
                || z.write_all(&ready),
                || -> Result<(), Error> {
                    while more && r < end && buf.len() <= CHUNK {
                        let Some(row) = rows.next() else {
                            more = false;
                            break;
                        };
                        row_of.render(&mut buf, &mut links, &mut last, &row, r)?;
                        r += 1;
                    }
                    Ok(())
                },
            );
            written.map_err(err)?;
            rendered?;
            if buf.is_empty() {
                break;
            }
            std::mem::swap(&mut ready, &mut buf);
            buf.clear();
        }
        z.write_all(trailer.as_bytes()).map_err(err)?;
        z.write_all(insert_links(tail, &links).as_bytes())
            .map_err(err)?;
        let mut zipped = z.finish().map_err(err)?;
        zipped.seek(std::io::SeekFrom::Start(0)).map_err(err)?;
        out.push((path, zipped));
    }
    Ok(out)
}

/// A number as `Decimal`'s `Display` writes it normalized (`10`, `0.5`, `-2.25`), the
/// whole numbers most cells hold without the formatting machinery.
fn decimal_into(buf: &mut Vec<u8>, d: rust_decimal::Decimal) {
    let d = d.normalize();
    if d.scale() == 0
        && let Ok(i) = i64::try_from(d.mantissa())
    {
        buf.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
        return;
    }
    let _ = write!(buf, "{d}");
}

/// Points per line of wrapped text in the default 11-point font.
pub const LINE_HEIGHT: f64 = 15.0;

/// A line's width in characters of a column (the width of Calibri's digit): a wide
/// character (CJK, full-width forms such as `，`、`（`) 2, anything else 1 (ASCII, and the
/// curly quotes, `÷`, `–`, `·` Calibri draws itself). Counting every non-ASCII character as
/// 2 made rows with `“…”` a line too tall: a blank gap in print.
pub fn text_width(line: &str) -> f64 {
    line.chars().map(|c| if wide(c) { 2.0 } else { 1.0 }).sum()
}

/// East Asian wide and full-width characters (Unicode's East_Asian_Width W and F, the
/// ranges Chinese text uses).
fn wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F        // Hangul Jamo
        | 0x2E80..=0x303E      // CJK radicals, symbols and punctuation (、。「」)
        | 0x3041..=0x33FF      // kana, bopomofo, CJK compatibility
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xA000..=0xA4CF      // Yi
        | 0xAC00..=0xD7A3      // Hangul syllables
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0xFE30..=0xFE4F      // CJK compatibility forms
        | 0xFF00..=0xFF60      // full-width forms (，（）：)
        | 0xFFE0..=0xFFE6      // full-width signs (￥)
        | 0x20000..=0x3FFFD    // CJK extensions B…
    )
}

/// Lines a wrapped text takes in a column `width` characters wide ([`text_width`]),
/// at most 20 (a row of 300 points; the cell shows the rest when selected).
pub fn lines_needed(text: &str, width: f64) -> usize {
    let room = (width - 1.0).max(1.0);
    // A character is never wider than its UTF-8 bytes (ASCII 1, others at most 2): most
    // cells fit without counting.
    if text.len() as f64 <= room && !text.contains('\n') {
        return 1;
    }
    // Nor wider than two thirds of the bytes of its non-ASCII characters (a wide
    // character is 3 or 4 bytes for 2, any other 2 to 4 bytes for 1): the usual Chinese
    // cell is settled by counting its ASCII bytes.
    let ascii = text.bytes().filter(u8::is_ascii).count();
    if (ascii as f64 + (text.len() - ascii) as f64 * 2.0 / 3.0) <= room && !text.contains('\n') {
        return 1;
    }
    let n: usize = text
        .split('\n')
        .map(|l| ((text_width(l) / room).ceil() as usize).max(1))
        .sum();
    n.min(20)
}

/// The style index of each column from `<cols>`, as rust_xlsxwriter applies a column
/// format to cells written without their own.
fn column_styles(xml: &str) -> Vec<Option<u32>> {
    let mut out: Vec<Option<u32>> = Vec::new();
    let Some(start) = xml.find("<cols>") else {
        return out;
    };
    let end = xml[start..]
        .find("</cols>")
        .map_or(xml.len(), |e| start + e);
    for col in xml[start..end].split("<col ").skip(1) {
        let attr = |name: &str| -> Option<u32> {
            let i = col.find(&format!(" {name}=\""))? + name.len() + 3;
            let j = col[i..].find('"')? + i;
            col[i..j].parse().ok()
        };
        let (Some(min), Some(max)) = (attr("min").or(attr_first(col, "min")), attr("max")) else {
            continue;
        };
        for c in min..=max {
            let i = c as usize - 1;
            if out.len() <= i {
                out.resize(i + 1, None);
            }
            out[i] = attr("style");
        }
    }
    out
}

/// An attribute at the very start of an element's attribute list (no leading space).
fn attr_first(col: &str, name: &str) -> Option<u32> {
    let rest = col.strip_prefix(&format!("{name}=\""))?;
    rest[..rest.find('"')?].parse().ok()
}

/// Where the rows after the header row begin in a placeholder's XML (its length if none).
fn trailer_start(head: &str) -> usize {
    let mut from = 0;
    while let Some(i) = head[from..].find("<row r=\"") {
        let at = from + i;
        let rest = &head[at + 8..];
        let r: u32 = rest[..rest.find('"').unwrap_or(0)].parse().unwrap_or(0);
        if r >= 2 {
            return at;
        }
        from = at + 8;
    }
    head.len()
}

fn replace_dimension(head: &str, range: &str) -> String {
    match head.find("<dimension ref=\"") {
        Some(i) => {
            let start = i + "<dimension ref=\"".len();
            let end = head[start..].find('"').map_or(start, |e| start + e);
            format!("{}{}{}", &head[..start], range, &head[end..])
        }
        None => head.to_string(),
    }
}

/// Adds the internal hyperlinks after the filter, where the schema puts them.
fn insert_links(tail: &str, links: &[(String, (String, String, String))]) -> String {
    if links.is_empty() {
        return tail.to_string();
    }
    let mut xml = String::from("<hyperlinks>");
    for (cell, (location, display, tip)) in links {
        let mut e = Vec::new();
        xml.push_str("<hyperlink ref=\"");
        xml.push_str(cell);
        xml.push_str("\" location=\"");
        escape_attr_into(&mut e, location);
        xml.push_str(std::str::from_utf8(&e).expect("escaped UTF-8"));
        e.clear();
        xml.push_str("\" display=\"");
        escape_attr_into(&mut e, display);
        xml.push_str(std::str::from_utf8(&e).expect("escaped UTF-8"));
        e.clear();
        xml.push_str("\" tooltip=\"");
        escape_attr_into(&mut e, tip);
        xml.push_str(std::str::from_utf8(&e).expect("escaped UTF-8"));
        xml.push_str("\"/>");
    }
    xml.push_str("</hyperlinks>");
    let at = [
        "<printOptions",
        "<pageMargins",
        "<pageSetup",
        "</worksheet>",
    ]
    .iter()
    .filter_map(|t| tail.find(t))
    .min()
    .unwrap_or(tail.len());
    format!("{}{}{}", &tail[..at], xml, &tail[at..])
}

/// The bytes [`escape_into`] may have to write otherwise: `&`, `<`, `>`, control
/// characters but tab, line feed and carriage return, `_` (of a `_xHHHH_` look-alike) and
/// 0xEF (the lead byte of U+FFFE and U+FFFF).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = !matches!(b as u8, b'\t' | b'\n' | b'\r');
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'_' as usize] = true;
    t[0xEF] = true;
    t
};

/// Escapes text for an XML text node; control characters XML 1.0 cannot hold are written
/// as OOXML `_xHHHH_` escapes (and a literal `_x` that would read as one is escaped).
/// The plain runs between [`SPECIAL`] bytes are copied whole: a byte
/// at a time, this was the most of rendering a row (every text of every list sheet
/// passes here).
fn escape_into(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while let Some(k) = bytes[i..].iter().position(|&b| SPECIAL[b as usize]) {
        i += k;
        let b = bytes[i];
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            0..=0x1f => {
                buf.extend_from_slice(&bytes[start..i]);
                buf.extend_from_slice(format!("_x{:04X}_", b).as_bytes());
                i += 1;
                start = i;
                continue;
            }
            b'_' if looks_escaped(&bytes[i..]) => b"_x005F_",
            // U+FFFE and U+FFFF are not XML characters either.
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                buf.extend_from_slice(&bytes[start..i]);
                let code = if bytes[i + 2] == 0xBE {
                    "_xFFFE_"
                } else {
                    "_xFFFF_"
                };
                buf.extend_from_slice(code.as_bytes());
                i += 3;
                start = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&bytes[start..i]);
        buf.extend_from_slice(rep);
        i += 1;
        start = i;
    }
    buf.extend_from_slice(&bytes[start..]);
}

fn looks_escaped(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

fn escape_attr_into(buf: &mut Vec<u8>, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => buf.extend_from_slice(b"&amp;"),
            '<' => buf.extend_from_slice(b"&lt;"),
            '>' => buf.extend_from_slice(b"&gt;"),
            '"' => buf.extend_from_slice(b"&quot;"),
            '\n' => buf.extend_from_slice(b"&#10;"),
            c => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The latch keeps its writer's position as the writer would tell it, through
    /// writes, seeks back to patch a header and seeks to the end.
    #[test]
    fn the_latch_knows_where_it_is() {
        use std::io::SeekFrom;
        let mut l = Latch {
            inner: BufWriter::with_capacity(64, Cursor::new(vec![0u8; 10])),
            failed: None,
            pos: 0,
            len: 0,
        };
        l.write_all(&[1; 100]).unwrap();
        assert_eq!(l.stream_position().unwrap(), 100);
        assert_eq!(l.seek(SeekFrom::Start(4)).unwrap(), 4);
        l.write_all(&[2; 3]).unwrap();
        assert_eq!(l.stream_position().unwrap(), 7);
        // As the zip writer asks (through `stream_position`'s default, elsewhere).
        #[allow(clippy::seek_from_current)]
        let here = l.seek(SeekFrom::Current(0)).unwrap();
        assert_eq!(here, 7);
        assert_eq!(l.seek(SeekFrom::End(0)).unwrap(), 100);
        l.write_all(&[3; 5]).unwrap();
        assert_eq!(l.stream_position().unwrap(), 105);
        let inner = l.inner.into_inner().unwrap().into_inner();
        assert_eq!(inner.len(), 105);
        assert_eq!(&inner[..8], &[1, 1, 1, 1, 2, 2, 2, 1]);
    }

    /// A spill stays in memory up to [`SPILL_AT`] bytes, its buffer not grown when the
    /// part is no larger than expected, and goes to a file with the bytes before, at the
    /// same place, when a write would take it past; a seek back and a write over them
    /// land as in memory.
    #[test]
    fn a_spill_goes_to_a_file_past_its_limit_with_its_bytes() {
        let mut spill = Spill::expecting(1000);
        let Spill::Memory(c) = &spill else {
            panic!("in memory")
        };
        let reserved = c.get_ref().capacity();
        spill.write_all(&[7; 1000]).unwrap();
        let Spill::Memory(c) = &spill else {
            panic!("in memory")
        };
        assert_eq!(c.get_ref().capacity(), reserved);
        let chunk: Vec<u8> = (0..=255).cycle().take(1 << 20).collect();
        let mut all = vec![7; 1000];
        while all.len() + chunk.len() <= SPILL_AT {
            spill.write_all(&chunk).unwrap();
            all.extend_from_slice(&chunk);
        }
        assert!(matches!(spill, Spill::Memory(_)));
        spill.write_all(&chunk).unwrap();
        all.extend_from_slice(&chunk);
        assert!(matches!(spill, Spill::Disk(_)));
        spill.seek(std::io::SeekFrom::Start(10)).unwrap();
        spill.write_all(&[9; 5]).unwrap();
        all[10..15].fill(9);
        assert_eq!(spill.stream_position().unwrap(), 15);
        spill.seek(std::io::SeekFrom::Start(0)).unwrap();
        let mut back = Vec::new();
        spilled(spill).unwrap().read_to_end(&mut back).unwrap();
        assert_eq!(back.len(), all.len());
        assert!(back == all, "the spilled bytes differ");
    }

    /// A spill on disk reads and seeks as the same bytes in memory do, whether a seek
    /// lands inside its buffer or outside it, forwards or back, from the start, the
    /// current place or the end.
    #[test]
    fn a_spill_on_disk_seeks_as_memory_does() {
        let bytes: Vec<u8> = (0..3 * COPY_BUF as u32 + 777)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut spill = Spill::Disk(tempfile::tempfile().unwrap());
        spill.write_all(&bytes).unwrap();
        let mut disk = spilled(spill).unwrap();
        assert!(matches!(disk, Spilled::Disk(_)));
        let mut mem = Cursor::new(bytes.clone());
        let len = bytes.len() as i64;
        let mut state = 7u64;
        for step in 0..2_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let r = (state >> 33) as i64;
            use std::io::SeekFrom::*;
            let to = match step % 5 {
                0 => Start((r % len) as u64),
                1 => Current(r % 5_000 - 2_500),
                2 => End(-(r % len)),
                3 => Current(r % (2 * COPY_BUF as i64) - COPY_BUF as i64),
                _ => Current(0),
            };
            let (a, b) = (mem.seek(to), disk.seek(to));
            assert_eq!(a.is_ok(), b.is_ok(), "step {step}: {to:?}");
            if a.is_err() {
                // A seek before the start fails in both; go back to a known place.
                mem.seek(Start(0)).unwrap();
                disk.seek(Start(0)).unwrap();
                continue;
            }
            assert_eq!(a.unwrap(), b.unwrap(), "step {step}: {to:?}");
            let n = (r % 70_000) as usize;
            let (mut x, mut y) = (vec![0; n], vec![0; n]);
            let got = mem.read(&mut x).unwrap();
            let mut have = 0;
            while have < got {
                let k = disk.read(&mut y[have..got]).unwrap();
                assert!(k > 0, "step {step}: the file ended early");
                have += k;
            }
            assert_eq!(x[..got], y[..got], "step {step}");
        }
    }

    #[test]
    fn numbers_as_display_writes_them() {
        for s in [
            "10",
            "0",
            "-3",
            "0.5",
            "10.25",
            "-0.001",
            "79228162514264337593543950335",
            "1.50",
            "100.00",
        ] {
            let d: rust_decimal::Decimal = s.parse().unwrap();
            let mut b = Vec::new();
            decimal_into(&mut b, d);
            assert_eq!(String::from_utf8(b).unwrap(), d.normalize().to_string());
        }
    }

    #[test]
    fn escaping() {
        let mut b = Vec::new();
        escape_into(&mut b, "a<b>&c\n\u{1}_x000D_\u{fffe}z");
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "a&lt;b&gt;&amp;c\n_x0001__x005F_x000D__xFFFE_z"
        );
    }

    /// The escaping as the rules say it, character by character: `&`, `<`, `>` as
    /// entities; a control character but tab, line feed and carriage return, and U+FFFE
    /// and U+FFFF, as `_xHHHH_`; the `_` of a text that looks like such an escape as
    /// `_x005F_`; anything else as it is.
    fn escape_by_rules(s: &str) -> String {
        let mut out = String::new();
        for (i, c) in s.char_indices() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\t' | '\n' | '\r' => out.push(c),
                '\0'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                    out.push_str(&format!("_x{:04X}_", c as u32))
                }
                '_' if looks_escaped(&s.as_bytes()[i..]) => out.push_str("_x005F_"),
                _ => out.push(c),
            }
        }
        out
    }

    #[test]
    fn escaping_by_runs_follows_the_rules() {
        let pieces = [
            "a", "<", ">", "&", "_", "_x000D_", "_x12", "\u{1}", "\t", "\n", "\r", "\u{1f}",
            "\u{fffe}", "\u{ffff}", "\u{fffd}", "，", "（", "指标", "￥", "\u{efbf}", " ",
        ];
        let mut rng = crate::test_rng::Rng(7);
        for _ in 0..5000 {
            let n = rng.below(12);
            let s: String = (0..n).map(|_| pieces[rng.below(pieces.len())]).collect();
            let mut a = Vec::new();
            escape_into(&mut a, &s);
            assert_eq!(String::from_utf8(a).unwrap(), escape_by_rules(&s), "{s:?}");
        }
    }

    #[test]
    fn rows_below_the_header_are_a_trailer() {
        let head =
            r#"<sheetData><row r="1"><c r="A1"/></row><row r="12" spans="1:2"><c r="A12"/></row>"#;
        assert_eq!(
            &head[trailer_start(head)..],
            r#"<row r="12" spans="1:2"><c r="A12"/></row>"#
        );
        assert_eq!(trailer_start("<sheetData><row r=\"1\"></row>"), 28);
    }

    #[test]
    fn wrapped_lines() {
        // The byte bounds agree with counting every character's width.
        let counted = |t: &str, w: f64| -> usize {
            let room = (w - 1.0).max(1.0);
            let n: usize = t
                .split('\n')
                .map(|l| ((text_width(l) / room).ceil() as usize).max(1))
                .sum();
            n.min(20)
        };
        for t in [
            "短",
            "",
            "éé·–",
            "合计（2）“在册”",
            "abc字字字",
            "𠀀𠀀𠀀",
            "字x\n字",
        ] {
            for k in 1..12 {
                let w = f64::from(k) * 1.5;
                assert_eq!(lines_needed(t, w), counted(t, w), "{t} {w}");
            }
        }
        assert_eq!(lines_needed("短", 30.0), 1);
        assert_eq!(lines_needed(&"字".repeat(30), 31.0), 2);
        assert_eq!(lines_needed("a\nb\nc", 30.0), 3);
        assert_eq!(lines_needed(&"x".repeat(10_000), 10.0), 20);
        // Curly quotes are Calibri's, narrow; full-width punctuation is wide.
        assert_eq!(text_width("“在册”"), 6.0);
        assert_eq!(text_width("合计（2）"), 9.0);
        assert_eq!(lines_needed(&format!("“{}”", "字".repeat(16)), 35.0), 1);
    }

    #[test]
    fn column_styles_from_cols() {
        let xml = r#"<cols><col min="1" max="2" width="8" style="3" customWidth="1"/><col min="4" max="4" width="9" customWidth="1"/></cols>"#;
        assert_eq!(column_styles(xml), vec![Some(3), Some(3), None, None]);
    }

    #[test]
    fn links_go_before_page_margins() {
        let tail = "</sheetData><autoFilter ref=\"A1:B2\"/><pageMargins left=\"0.7\"/></worksheet>";
        let links = vec![(
            "H2".to_string(),
            (
                "'P04清洗 x'!H30".to_string(),
                "清洗 H30".to_string(),
                "原表".to_string(),
            ),
        )];
        let out = insert_links(tail, &links);
        assert!(out.contains("<autoFilter ref=\"A1:B2\"/><hyperlinks><hyperlink ref=\"H2\" location=\"'P04清洗 x'!H30\""));
        assert!(out.ends_with("<pageMargins left=\"0.7\"/></worksheet>"));
    }
}
