//! 说明's list of input files, put into the saved package after rust_xlsxwriter's save.
//!
//! A province's year is 100,000 input files, so 100,000 rows of 说明. Written through
//! rust_xlsxwriter they were the largest single allocation of such a run: a tree per row,
//! then the sheet's and the shared strings' whole XML while saving (about 180 MB, on top of
//! every form, as the other outputs start). The sheet is saved without them and the rows
//! are written here below its header row, as rust_xlsxwriter writes them: the same cells,
//! styles, heights and row spans, the shared strings numbered in its order (first use,
//! sheet by sheet, row by row), so the package is byte for byte the one it would have
//! saved. Only where the workbook has no form sheets: their parts renumber the shared
//! strings themselves (`formxml::assemble`), and there rust_xlsxwriter writes these rows.

use super::formxml::{
    Archive, Bundler, MAX_STRING_LEN, ROW_MAX, parse_sst, read, si, sst_head, string_refs,
    style_of, too_long,
};
use super::sheetdata::{Error, LINE_HEIGHT, Parts, lines_needed};
use crate::model::{Input, Status};
use std::collections::HashMap;
use std::io::Write;

fn err(e: impl std::fmt::Display) -> Error {
    Error {
        msg: format!("说明: {e}"),
        io: None,
    }
}

/// An input's row of 说明: its cells, whichever writes them.
pub(crate) struct Row<'a> {
    /// As the lists name it (below the dropped folder); the JSON keeps the full path.
    pub shown: &'a str,
    pub status: &'static str,
    /// Its SHA-256 and why it was skipped or failed, and its sheets that hold no form.
    pub detail: String,
    pub forms: usize,
}

impl<'a> Row<'a> {
    pub fn of(i: &'a Input) -> Row<'a> {
        let shown = if i.shown.is_empty() {
            &i.path
        } else {
            &i.shown
        };
        let status = match i.status {
            Status::Ok => "已读取",
            Status::Skipped => "已跳过",
            Status::Failed => "失败",
        };
        let mut detail = match (&i.sha256, &i.reason) {
            (Some(h), Some(reason)) => format!("{h}\n{reason}"),
            (Some(h), None) => h.clone(),
            (None, Some(reason)) => reason.clone(),
            (None, None) => String::new(),
        };
        // The workbook's other sheets (a dossier's 基本信息, 立项依据 …): listed, not errors.
        if !i.other_sheets.is_empty() {
            if !detail.is_empty() {
                detail.push('\n');
            }
            detail.push_str(&other_sheets_note(&i.other_sheets));
        }
        Row {
            shown,
            status,
            detail,
            forms: i.forms,
        }
    }

    /// The lines its tallest cell needs (the 输入文件 column is 40 wide, the detail 66).
    pub fn lines(&self) -> usize {
        lines_needed(&self.detail, 66.0).max(lines_needed(self.shown, 40.0))
    }
}

/// `非自评表：项目基本信息、项目支出立项依据`: a workbook's sheets that hold no form.
fn other_sheets_note(sheets: &[String]) -> String {
    format!("非自评表：{}", sheets.join("、"))
}

/// The parts of the saved package (`zip`, its sheets by name and path in `paths`) that
/// change when the rows of `inputs` go into 说明 below its header row (0-based `header`):
/// 说明 itself and the shared strings.
pub(crate) fn insert(
    zip: &mut Archive,
    paths: &[(String, String)],
    inputs: &[Input],
    header: u32,
) -> Result<Parts, Error> {
    let at = paths
        .iter()
        .position(|(name, _)| name == crate::own::OUTPUT_SHEET)
        .ok_or_else(|| err("no sheet"))?;
    if at + 1 != paths.len() {
        return Err(err("not the last sheet"));
    }
    let sheet_path = &paths[at].1;
    let xml = read(zip, sheet_path)?;
    let header_at = xml
        .find(&format!("<row r=\"{}\"", header + 1))
        .ok_or_else(|| err("no header row"))?;
    let insert_at = header_at
        + xml[header_at..]
            .find("</row>")
            .ok_or_else(|| err("header row unclosed"))?
        + 6;
    // The notes' lines are in the wrapped format, as the rows' 输入文件 and detail cells.
    let wrap = style_of(&xml, "A2").ok_or_else(|| err("no wrapped line"))?;
    // The strings used before the rows keep their numbers: those of every sheet before
    // and of 说明 down to its header row.
    let mut before = 0usize;
    for (_, path) in &paths[..at] {
        let other = read(zip, path)?;
        if let Some(max) = string_refs(&other).map(|(.., i)| i as usize).max() {
            before = before.max(max + 1);
        }
    }
    if let Some(max) = string_refs(&xml[..insert_at])
        .map(|(.., i)| i as usize)
        .max()
    {
        before = before.max(max + 1);
    }
    let sst_path = "xl/sharedStrings.xml";
    let sst_xml = read(zip, sst_path)?;
    let sst = parse_sst(&sst_xml)?;
    if sst.entries.len() < before {
        return Err(err("shared strings shorter than used"));
    }
    let mut strings = Strings {
        known: sst.entries[..before]
            .iter()
            .enumerate()
            .map(|(i, e)| (*e, i as u32))
            .collect(),
        new: indexmap::IndexSet::new(),
        before: before as u32,
    };
    let first = header + 1;
    let last = u32::try_from(inputs.len())
        .ok()
        .and_then(|n| header.checked_add(n))
        .filter(|&last| last < ROW_MAX)
        .ok_or_else(|| err("输入文件超过 Excel 单表行数上限"))?;
    // A row's spans are its block of 16 rows' columns: the rows' blocks take in the four
    // columns of the list.
    let mut spans: HashMap<u32, (u32, u32)> = (first / 16..=last / 16)
        .map(|block| (block, (1, 4)))
        .collect();
    for (r, _, span) in spans_in(&xml) {
        if let Some(s) = spans.get_mut(&(r / 16)) {
            *s = (s.0.min(span.0), s.1.max(span.1));
        }
    }
    let mut cells = 0u64;
    // The sheet: down to the header row, the rows, then the rest with its strings
    // renumbered after the rows' and the spans of the rows' blocks. Whole, then
    // compressed in one write as rust_xlsxwriter does (the deflated bytes depend on how
    // the input comes).
    let mut sheet: Vec<u8> = Vec::with_capacity(xml.len() + inputs.len() * 256);
    write_spans(&mut sheet, &xml[..insert_at], &spans).map_err(err)?;
    // The rows, their strings numbered as they come.
    for (k, input) in inputs.iter().enumerate() {
        let r = first + k as u32;
        let row = Row::of(input);
        write_row(
            &mut sheet,
            r,
            &row,
            spans[&(r / 16)],
            wrap,
            &mut strings,
            &mut cells,
        )
        .map_err(err)?;
    }
    let rest = &xml[insert_at..];
    let mut renumbered = String::with_capacity(rest.len());
    let mut last = 0;
    for (start, end, i) in string_refs(rest) {
        if i < strings.before {
            continue;
        }
        let entry = sst
            .entries
            .get(i as usize)
            .ok_or_else(|| err("string index out of range"))?;
        renumbered.push_str(&rest[last..start]);
        renumbered.push_str(itoa::Buffer::new().format(strings.number(entry)));
        last = end;
    }
    renumbered.push_str(&rest[last..]);
    write_spans(&mut sheet, &renumbered, &spans).map_err(err)?;
    drop(renumbered);
    let mut bundle = Bundler::new();
    bundle.add(sheet_path, &sheet)?;
    drop(sheet);
    // The shared strings: those before, the rows', then the rest's.
    let head = sst_head(sst.head, sst.count + cells, before + strings.new.len())?;
    let mut shared: Vec<u8> = Vec::with_capacity(
        head.len()
            + sst.entries[..before].iter().map(|e| e.len()).sum::<usize>()
            + strings.new.iter().map(String::len).sum::<usize>()
            + 6,
    );
    shared.extend_from_slice(head.as_bytes());
    for e in &sst.entries[..before] {
        shared.extend_from_slice(e.as_bytes());
    }
    for e in &strings.new {
        shared.extend_from_slice(e.as_bytes());
    }
    shared.extend_from_slice(b"</sst>");
    bundle.add(sst_path, &shared)?;
    Ok(Parts {
        bundles: vec![bundle.finish()?],
        splice: HashMap::new(),
    })
}

/// The 0-based row `r` of the list, as rust_xlsxwriter writes it (`spans` of its block,
/// 1-based columns); its strings numbered by `strings`, counted in `cells`.
fn write_row(
    out: &mut Vec<u8>,
    r: u32,
    row: &Row,
    (lo, hi): (u32, u32),
    wrap: u32,
    strings: &mut Strings,
    cells: &mut u64,
) -> std::io::Result<()> {
    let r = r + 1;
    write!(out, "<row r=\"{r}\" spans=\"{lo}:{hi}\"")?;
    let n = row.lines();
    if n > 1 {
        write!(out, " ht=\"{}\" customHeight=\"1\"", LINE_HEIGHT * n as f64)?;
    }
    out.write_all(b">")?;
    for (col, text, style) in [
        ("A", row.shown, wrap),
        ("B", row.status, 0),
        ("C", row.detail.as_str(), wrap),
    ] {
        if text.is_empty() {
            // rust_xlsxwriter: an empty string with a format is a blank cell, without
            // one nothing.
            if style > 0 {
                write!(out, "<c r=\"{col}{r}\" s=\"{style}\"/>")?;
            }
            continue;
        }
        if too_long(text) {
            return Err(std::io::Error::other(format!(
                "{col}{r} 文字超过 Excel 单元格上限（{MAX_STRING_LEN} 字）"
            )));
        }
        let k = strings.number(&si(text));
        *cells += 1;
        if style > 0 {
            write!(
                out,
                "<c r=\"{col}{r}\" s=\"{style}\" t=\"s\"><v>{k}</v></c>"
            )?;
        } else {
            write!(out, "<c r=\"{col}{r}\" t=\"s\"><v>{k}</v></c>")?;
        }
    }
    write!(out, "<c r=\"D{r}\"><v>")?;
    out.write_all(
        ryu::Buffer::new()
            .format_finite(row.forms as f64)
            .as_bytes(),
    )?;
    out.write_all(b"</v></c></row>")
}

/// The shared strings as rust_xlsxwriter numbers them: a string keeps its first number.
struct Strings<'s> {
    /// The strings (as `<si>` elements) numbered before the rows.
    known: crate::hashed::Map<&'s str, u32>,
    /// Those numbered from the rows on, in order.
    new: indexmap::IndexSet<String>,
    before: u32,
}

impl Strings<'_> {
    fn number(&mut self, si: &str) -> u32 {
        if let Some(&k) = self.known.get(si) {
            return k;
        }
        match self.new.get_index_of(si) {
            Some(k) => self.before + k as u32,
            None => self.before + self.new.insert_full(si.to_string()).0 as u32,
        }
    }
}

/// Each `<row>` with spans in a sheet's XML: its 0-based number, where the spans' value
/// (`1:4`) is, and the value (1-based columns).
fn spans_in(xml: &str) -> impl Iterator<Item = (u32, std::ops::Range<usize>, (u32, u32))> + '_ {
    xml.match_indices("<row r=\"").filter_map(move |(i, tag)| {
        let from = i + tag.len();
        let r: u32 = xml[from..from + xml[from..].find('"')?].parse().ok()?;
        let open = &xml[i..i + xml[i..].find('>')?];
        let s = open.find(" spans=\"")? + 8;
        let value = &open[s..s + open[s..].find('"')?];
        let (lo, hi) = value.split_once(':')?;
        let at = i + s..i + s + value.len();
        Some((r.checked_sub(1)?, at, (lo.parse().ok()?, hi.parse().ok()?)))
    })
}

/// `xml` written to `out` with the spans of the rows in `spans`' blocks set to theirs.
fn write_spans(
    out: &mut Vec<u8>,
    xml: &str,
    spans: &HashMap<u32, (u32, u32)>,
) -> std::io::Result<()> {
    let mut last = 0;
    for (r, at, _) in spans_in(xml) {
        if let Some(&(lo, hi)) = spans.get(&(r / 16)) {
            out.write_all(&xml.as_bytes()[last..at.start])?;
            write!(out, "{lo}:{hi}")?;
            last = at.end;
        }
    }
    out.write_all(&xml.as_bytes()[last..])
}
