//! The auditor's view: each form's original (原表) and cleaned (清洗) sheets, at the same
//! addresses, so the two can be compared cell by cell side by side.
//!
//! 原表 is the form exactly as read: every value and merged region at its own address.
//! 清洗 starts from the same cells and overlays what jixiao made of them: numbers as numbers,
//! split values in their own (unmerged) rows, misaligned values moved to their indicator's
//! row. Every changed cell is filled and carries a note with the original value and the
//! change code, and is in the change log (变更记录): a value not typed in the form (a rate
//! computed from the funds, a 分值 printed in a label) is said in a note, never written
//! over the cell. Cells with findings are marked in the severity's colour with the
//! severity (in Chinese), the code and the message.

use crate::grid::{Pos, Value};
use crate::model::{Change, Field, Form, Indicator, Severity, Source};
use crate::template::{FORM_WIDTHS, setup_page};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};
use std::collections::{BTreeMap, BTreeSet};

/// Sheet names are at most 31 characters and may not hold these.
const INVALID: &[char] = &['[', ']', ':', '*', '?', '/', '\\', '\''];

/// `P04原表 毛发检测和城市污水…`: unique (by project number), valid, stable.
pub fn sheet_name(form: &Form, kind: &str) -> String {
    let n: u32 = form.id.trim_start_matches('P').parse().unwrap_or(0);
    let prefix = format!("P{n:02}{kind} ");
    let name: String = form
        .name
        .value
        .as_deref()
        .unwrap_or("")
        .chars()
        .map(|c| {
            if INVALID.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let room = 31 - prefix.chars().count();
    let name = if name.chars().count() > room {
        name.chars().take(room - 1).chain(['…']).collect()
    } else {
        name
    };
    format!("{prefix}{name}").trim_end().to_string()
}

/// The name of a form's 原表 sheet (its cells as read).
pub fn original_name(form: &Form) -> String {
    sheet_name(form, "原表")
}

/// The name of a form's 清洗 sheet (its cells as jixiao read them).
pub fn cleaned_name(form: &Form) -> String {
    sheet_name(form, crate::own::CLEANED)
}

/// An internal hyperlink target: `internal:'Sheet'!A1`.
pub fn link(sheet: &str, cell: Pos) -> String {
    format!("internal:'{sheet}'!{cell}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Changed,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Money,
    Plain,
    Percent,
}

#[derive(Debug, Clone, PartialEq)]
enum Out {
    Text(String),
    Number(Decimal, Kind),
}

/// What the 清洗 sheet writes over the original cells.
#[derive(Default)]
struct Overlay {
    values: BTreeMap<Pos, Out>,
    cleared: BTreeSet<Pos>,
    unmerge: BTreeSet<Pos>,
    /// Where a moved source cell's values went.
    moved: BTreeMap<Pos, Vec<Pos>>,
    /// Where an indicator's (possibly empty) field lives in 清洗, when not at its source.
    relocated: BTreeMap<Pos, Pos>,
    notes: BTreeMap<Pos, Vec<String>>,
    marks: BTreeMap<Pos, Mark>,
}

impl Overlay {
    fn text<T: std::ops::Deref<Target = str>>(&mut self, f: &Field<T>) {
        if let (Some(v), Some(p)) = (&f.value, f.cell) {
            self.values.insert(p, Out::Text(v.to_string()));
        }
    }

    fn number(&mut self, f: &Field<Decimal>, kind: Kind) {
        if let Some(p) = f.cell {
            match f.value {
                Some(v) => {
                    self.values.insert(p, Out::Number(v, kind));
                }
                None => {
                    self.cleared.insert(p);
                }
            }
        }
    }

    fn mark(&mut self, p: Pos, m: Mark, note: String) {
        let e = self.marks.entry(p).or_insert(m);
        *e = (*e).max(m);
        self.notes.entry(p).or_default().push(note);
    }

    /// Where a source cell's content is in 清洗.
    fn dest(&self, p: Pos) -> Vec<Pos> {
        match self.moved.get(&p) {
            Some(d) => d.clone(),
            None => vec![self.relocated.get(&p).copied().unwrap_or(p)],
        }
    }
}

/// What jixiao made of one form, laid over its original cells: built once per form, used
/// to write its 清洗 sheet and to link findings and changes to their cells there.
pub struct Cleaned(Overlay);

/// Who reads a 清洗 sheet: the bureau sees every finding on it; a department the findings
/// it can act on ([`super::feedback::for_department`]), with files named as it knows them.
#[derive(Clone, Copy)]
pub enum Reader<'a> {
    Bureau,
    Department(&'a super::feedback::Names<'a>),
}

impl Reader<'_> {
    /// Whether this reader sees findings (and change codes) of `code`.
    fn sees(self, code: crate::code::Code) -> bool {
        match self {
            Reader::Bureau => true,
            Reader::Department(_) => super::feedback::for_department(code),
        }
    }

    fn text(self, s: &str) -> std::borrow::Cow<'_, str> {
        match self {
            Reader::Bureau => s.into(),
            Reader::Department(names) => names.text(s),
        }
    }
}

/// A finding as a cell's note says it: `错误 S001：申报总分99与核算总分89不一致`.
pub fn note_of(f: &crate::model::Finding, message: &str) -> String {
    format!("{} {}：{}", f.severity.zh(), f.code, message)
}

impl Cleaned {
    /// Lays `form`'s reading over its cells, as the bureau sees it.
    pub fn new(form: &Form) -> Cleaned {
        let src = form.source.as_ref().and_then(|k| k.load().ok());
        let changes = form.changes().unwrap_or_default();
        let inds = form.indicators.load().unwrap_or_default();
        Cleaned::for_reader(form, &inds, src.as_deref(), &changes, Reader::Bureau)
    }

    /// Lays `form`'s reading over its cells (`src`, read back once by the caller, which
    /// writes the sheets from it too), with its change records ([`Form::changes`], read
    /// back by the caller) and indicators (`inds`, [`crate::model::Indicators::load`]), as
    /// `reader` sees it.
    pub fn for_reader(
        form: &Form,
        inds: &[Indicator],
        src: Option<&Source>,
        changes: &[Change],
        reader: Reader<'_>,
    ) -> Cleaned {
        Cleaned(overlay(form, inds, src, changes, reader))
    }

    /// Where a source cell's content is in the 清洗 sheet.
    pub fn cell(&self, p: Pos) -> Pos {
        self.0.dest(p).first().copied().unwrap_or(p)
    }

    /// Forgets what the 清洗 sheet writes, keeping where cells went ([`Cleaned::cell`]):
    /// once the sheet is written, the links to it need no more, and a province's forms
    /// held it all until the workbook was saved (about 11 KB a form).
    pub fn keep_links_only(&mut self) {
        let o = &mut self.0;
        *o = Overlay {
            moved: std::mem::take(&mut o.moved),
            relocated: std::mem::take(&mut o.relocated),
            ..Overlay::default()
        };
    }
}

fn overlay(
    form: &Form,
    inds: &[Indicator],
    src: Option<&Source>,
    changes: &[Change],
    reader: Reader<'_>,
) -> Overlay {
    let mut o = Overlay::default();
    for f in [
        &form.name,
        &form.department,
        &form.implementer,
        &form.goal.expected,
        &form.goal.actual,
    ] {
        o.text(f);
    }
    // 一级/二级指标 labels: trimmed where typed with line breaks (logged, V001).
    for ind in inds {
        o.text(&ind.level1);
        o.text(&ind.level2);
    }
    let logged: BTreeSet<Pos> = changes.iter().map(|c| c.cell).collect();
    let source: BTreeMap<Pos, &Value> = src
        .iter()
        .flat_map(|s| s.cells.iter().map(|(p, v)| (*p, v)))
        .collect();
    // A number read out of a text without a change (the 分值 in a label
    // `预算执行情况(万元)\n(20分)`) is not the cell's value: the label stays.
    let own = |f: &Field<Decimal>| match (f.value, f.cell.and_then(|p| source.get(&p))) {
        (Some(v), Some(Value::Text(t))) => {
            logged.contains(&f.cell.unwrap_or_default()) || t.trim() == v.normalize().to_string()
        }
        _ => true,
    };
    for (_, row) in form.funds.rows() {
        o.number(&row.initial, Kind::Money);
        o.number(&row.full_year, Kind::Money);
        o.number(&row.executed, Kind::Money);
        if own(&row.weight) {
            o.number(&row.weight, Kind::Plain);
        }
        o.number(&row.rate, Kind::Percent);
        o.number(&row.score, Kind::Plain);
    }
    // A rate left empty stays empty: the rate computed from the funds is F003's note on
    // the cell, not a value the department typed (nor one a corrected copy sent back
    // should read as typed).
    o.number(&form.weight_total, Kind::Plain);
    o.number(&form.declared_total, Kind::Plain);
    indicators(inds, &mut o);
    for c in changes {
        let dests = o.dest(c.cell);
        let own: Vec<Pos> = dests
            .iter()
            .copied()
            .filter(|d| o.values.get(d) == Some(&Out::Text(c.to.clone())))
            .collect();
        let targets = if own.is_empty() { dests } else { own };
        // The code where the reader has its rule's findings (a department is not told
        // V001, which it has nothing to do about).
        let code = if reader.sees(c.code) {
            format!("{} ", c.code)
        } else {
            String::new()
        };
        let note = format!(
            "原值：“{}”\n新值：“{}”\n{code}{}（原表 {}）",
            super::tables::visible(&c.from),
            super::tables::visible(&c.to),
            c.reason,
            c.cell
        );
        for d in targets {
            o.mark(d, Mark::Changed, note.clone());
        }
    }
    for f in form.findings.iter().filter(|f| reader.sees(f.code)) {
        let (Some(cell), m) = (
            f.cell,
            match f.severity {
                Severity::Error => Mark::Error,
                Severity::Warning => Mark::Warning,
                Severity::Info => Mark::Changed,
            },
        ) else {
            continue;
        };
        let note = note_of(f, &reader.text(&f.message));
        for d in o.dest(cell) {
            o.mark(d, m, note.clone());
        }
    }
    o
}

/// Indicator values: kept at their source when the cell is theirs alone or shared as one
/// value (a scoring group, a common 完成); moved to each indicator's own row when a
/// multi-line value was split or a misaligned row was joined.
fn indicators(inds: &[Indicator], o: &mut Overlay) {
    type Entry = (u32, Option<Out>);
    let mut by_source: BTreeMap<Pos, Vec<Entry>> = BTreeMap::new();
    for ind in inds {
        let texts = [&ind.name, &ind.target, &ind.actual, &ind.reason];
        let home = ind
            .name
            .cell
            .or(texts.iter().find_map(|f| f.cell))
            .map_or(0, |p| p.row);
        for f in texts {
            if let Some(p) = f.cell {
                let v = f.value.as_deref().map(|v| Out::Text(v.to_string()));
                by_source.entry(p).or_default().push((home, v));
            }
        }
        for f in [&ind.weight, &ind.score] {
            if let Some(p) = f.cell {
                let v = f.value.map(|d| Out::Number(d, Kind::Plain));
                by_source.entry(p).or_default().push((home, v));
            }
        }
    }
    for (src, entries) in by_source {
        let values: Vec<&Out> = entries.iter().filter_map(|(_, v)| v.as_ref()).collect();
        let single_home = entries.iter().all(|(h, _)| *h == entries[0].0);
        let shared = entries.len() > 1 && values.windows(2).all(|w| w[0] == w[1]);
        if (single_home && entries[0].0 == src.row) || shared {
            if let Some(v) = values.first() {
                o.values.insert(src, (*v).clone());
            } else {
                o.cleared.insert(src);
            }
            continue;
        }
        if values.is_empty() {
            if single_home {
                o.relocated.insert(src, Pos::new(entries[0].0, src.col));
            }
            continue;
        }
        o.cleared.insert(src);
        o.unmerge.insert(src);
        let mut dests = Vec::new();
        for (home, v) in entries {
            let d = Pos::new(home, src.col);
            if let Some(v) = v {
                o.values.insert(d, v);
                o.cleared.remove(&d);
            }
            dests.push(d);
        }
        dests.dedup();
        o.moved.insert(src, dests);
    }
}

/// The form sheets' cell formats: built once for every sheet of the run, each known by a
/// small id (formats equal as rust_xlsxwriter compares them share theirs), so that a sheet
/// recorded for [`super::formxml`] names its cells' formats without hashing them.
struct Formats {
    /// Distinct formats, by id.
    list: Vec<Format>,
    /// By [`Kind`], then by mark (none, changed, warning, error): the format's id.
    ids: [[u8; 4]; 4],
}

/// A form sheet cell's format, with its id among the form sheets' formats.
#[derive(Clone, Copy)]
pub(crate) struct Fmt {
    pub(crate) id: u8,
    pub(crate) format: &'static Format,
}

/// The id of the link back's format (rust_xlsxwriter's hyperlink style).
pub(crate) const HYPERLINK: u8 = u8::MAX;

/// The form sheets' format of id `id` (not [`HYPERLINK`]).
pub(crate) fn format_of(id: u8) -> Option<&'static Format> {
    Formats::shared().list.get(id as usize)
}

impl Formats {
    /// The formats, built on first use.
    fn shared() -> &'static Formats {
        static FORMATS: std::sync::OnceLock<Formats> = std::sync::OnceLock::new();
        FORMATS.get_or_init(Formats::new)
    }

    fn new() -> Formats {
        let base = Format::new()
            .set_font_size(10)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        let kinds = [Kind::Text, Kind::Money, Kind::Plain, Kind::Percent];
        let marks = [
            None,
            Some(Mark::Changed),
            Some(Mark::Warning),
            Some(Mark::Error),
        ];
        let mut list: Vec<Format> = Vec::new();
        let ids = kinds.map(|k| {
            marks.map(|m| {
                let f = Formats::make(&base, k, m);
                match list.iter().position(|x| *x == f) {
                    Some(i) => i as u8,
                    None => {
                        list.push(f);
                        (list.len() - 1) as u8
                    }
                }
            })
        });
        Formats { list, ids }
    }

    fn make(base: &Format, kind: Kind, mark: Option<Mark>) -> Format {
        let f = match kind {
            Kind::Text => base.clone(),
            Kind::Money => base.clone().set_num_format("#,##0.00"),
            Kind::Plain => base.clone().set_num_format("General"),
            Kind::Percent => base.clone().set_num_format("0.00%"),
        };
        match mark {
            None => f,
            Some(Mark::Changed) => f.set_background_color(Color::RGB(0xFFF2CC)),
            Some(Mark::Warning) => f
                .set_background_color(Color::RGB(0xFCE4D6))
                .set_border(FormatBorder::Medium)
                .set_border_color(Color::RGB(0xED7D31)),
            Some(Mark::Error) => f
                .set_background_color(Color::RGB(0xF8CBAD))
                .set_border(FormatBorder::Thick)
                .set_border_color(Color::RGB(0xC00000)),
        }
    }

    fn get(&'static self, kind: Kind, mark: Option<Mark>) -> Fmt {
        let k = match kind {
            Kind::Text => 0,
            Kind::Money => 1,
            Kind::Plain => 2,
            Kind::Percent => 3,
        };
        let m = match mark {
            None => 0,
            Some(Mark::Changed) => 1,
            Some(Mark::Warning) => 2,
            Some(Mark::Error) => 3,
        };
        let id = self.ids[k][m];
        Fmt {
            id,
            format: &self.list[id as usize],
        }
    }

    /// The plain bordered format of the form's cells.
    fn base(&'static self) -> Fmt {
        self.get(Kind::Text, None)
    }
}

/// Where a form sheet goes, its cells and its settings (name, widths, notes, printing): a
/// rust_xlsxwriter [`Worksheet`], or a [`super::formxml::Recorder`] that keeps them for
/// writing the sheet's parts itself.
pub(crate) trait Cells {
    /// The sheet's name, and its page set up as every form sheet's is.
    fn sheet(&mut self, name: &str) -> Result<(), XlsxError>;
    fn string(&mut self, r: u32, c: u16, s: &str, f: Fmt) -> Result<(), XlsxError>;
    fn number(&mut self, r: u32, c: u16, n: f64, f: Fmt) -> Result<(), XlsxError>;
    fn blank(&mut self, r: u32, c: u16, f: Fmt) -> Result<(), XlsxError>;
    #[allow(clippy::too_many_arguments)]
    fn merge(
        &mut self,
        r1: u32,
        c1: u16,
        r2: u32,
        c2: u16,
        s: &str,
        f: Fmt,
    ) -> Result<(), XlsxError>;
    fn row_height(&mut self, r: u32, h: f64) -> Result<(), XlsxError>;
    /// A column's width in characters (rust_xlsxwriter's `set_column_width`).
    fn col_width(&mut self, c: u16, w: f64) -> Result<(), XlsxError>;
    /// A cell's note ([`form_note`]).
    fn note(&mut self, r: u32, c: u16, text: &str) -> Result<(), XlsxError>;
    /// A link to cell A1 of the sheet `to`, showing `text`.
    fn link(&mut self, r: u32, c: u16, to: &str, text: &str) -> Result<(), XlsxError>;
    /// The print area (first row, first column, last row, last column), one page, and the
    /// page header and footer with `title`.
    fn page(&mut self, area: (u32, u16, u32, u16), title: &str) -> Result<(), XlsxError>;
}

/// A link to cell A1 of the sheet `to`, as rust_xlsxwriter takes it.
pub(crate) fn link_url(to: &str, text: &str) -> rust_xlsxwriter::Url {
    rust_xlsxwriter::Url::new(format!("internal:'{to}'!A1")).set_text(text)
}

impl Cells for Worksheet {
    fn sheet(&mut self, name: &str) -> Result<(), XlsxError> {
        self.set_name(name)?;
        setup_page(self);
        Ok(())
    }
    fn string(&mut self, r: u32, c: u16, s: &str, f: Fmt) -> Result<(), XlsxError> {
        self.write_string_with_format(r, c, s, f.format).map(|_| ())
    }
    fn number(&mut self, r: u32, c: u16, n: f64, f: Fmt) -> Result<(), XlsxError> {
        self.write_number_with_format(r, c, n, f.format).map(|_| ())
    }
    fn blank(&mut self, r: u32, c: u16, f: Fmt) -> Result<(), XlsxError> {
        self.write_blank(r, c, f.format).map(|_| ())
    }
    fn merge(
        &mut self,
        r1: u32,
        c1: u16,
        r2: u32,
        c2: u16,
        s: &str,
        f: Fmt,
    ) -> Result<(), XlsxError> {
        self.merge_range(r1, c1, r2, c2, s, f.format).map(|_| ())
    }
    fn row_height(&mut self, r: u32, h: f64) -> Result<(), XlsxError> {
        self.set_row_height(r, h).map(|_| ())
    }
    fn col_width(&mut self, c: u16, w: f64) -> Result<(), XlsxError> {
        self.set_column_width(c, w).map(|_| ())
    }
    fn note(&mut self, r: u32, c: u16, text: &str) -> Result<(), XlsxError> {
        self.insert_note(r, c, &form_note(text)).map(|_| ())
    }
    fn link(&mut self, r: u32, c: u16, to: &str, text: &str) -> Result<(), XlsxError> {
        self.write_url(r, c, link_url(to, text)).map(|_| ())
    }
    fn page(
        &mut self,
        (r1, c1, r2, c2): (u32, u16, u32, u16),
        title: &str,
    ) -> Result<(), XlsxError> {
        self.set_print_area(r1, c1, r2, c2)?;
        self.set_print_fit_to_pages(1, 1);
        super::workbook::page_header(self, title);
        Ok(())
    }
}

fn write_out(ws: &mut impl Cells, p: Pos, v: &Out, f: Fmt) -> Result<(), XlsxError> {
    let (r, c) = (p.row, p.col as u16);
    match v {
        Out::Text(s) => ws.string(r, c, &super::excel_text(s), f),
        Out::Number(d, _) => match d.to_f64() {
            Some(n) => ws.number(r, c, n, f),
            None => ws.string(r, c, &d.to_string(), f),
        },
    }
}

/// A cell as read, as the original sheet shows it.
fn as_read(v: &Value) -> (Out, Kind) {
    match v {
        Value::Number { value, percent } => {
            let k = if *percent { Kind::Percent } else { Kind::Plain };
            (Out::Number(*value, k), k)
        }
        other => (Out::Text(other.display()), Kind::Text),
    }
}

/// Writes a value into a cell or, when it anchors a merge, into the merged range.
fn put(
    ws: &mut impl Cells,
    p: Pos,
    v: &Out,
    f: Fmt,
    merge: Option<&crate::grid::Region>,
) -> Result<(), XlsxError> {
    if let Some(m) = merge {
        let (r1, c1, r2, c2) = (
            m.first.row,
            m.first.col as u16,
            m.last.row,
            m.last.col as u16,
        );
        match v {
            Out::Text(s) => {
                ws.merge(r1, c1, r2, c2, &super::excel_text(s), f)?;
            }
            Out::Number(..) => {
                ws.merge(r1, c1, r2, c2, "", f)?;
                write_out(ws, p, v, f)?;
            }
        }
        return Ok(());
    }
    write_out(ws, p, v, f)
}

/// A merged region with nothing in it.
fn blank_merge(ws: &mut impl Cells, m: &crate::grid::Region, f: Fmt) -> Result<(), XlsxError> {
    let (r1, c1, r2, c2) = (
        m.first.row,
        m.first.col as u16,
        m.last.row,
        m.last.col as u16,
    );
    ws.merge(r1, c1, r2, c2, "", f)
}

/// A form's merged regions by their first cell and its cells' addresses, each found by a
/// binary search: scanning every merge for each cell (and every cell for each merge) is
/// quadratic in a form's size, for each of its sheets.
struct Lookup<'s> {
    /// The first merge starting at each cell, as a scan in order finds it.
    merges: Vec<(Pos, &'s crate::grid::Region)>,
    cells: Vec<Pos>,
}

impl<'s> Lookup<'s> {
    fn of(src: &'s Source) -> Lookup<'s> {
        let mut merges: Vec<(Pos, &crate::grid::Region)> =
            src.merges.iter().map(|m| (m.first, m)).collect();
        // Stable: of two merges at one cell the first stays first.
        merges.sort_by_key(|(p, _)| *p);
        merges.dedup_by_key(|(p, _)| *p);
        let mut cells: Vec<Pos> = src.cells.iter().map(|(p, _)| *p).collect();
        cells.sort_unstable();
        Lookup { merges, cells }
    }

    /// The merge whose first cell is `p`.
    fn merge(&self, p: Pos) -> Option<&'s crate::grid::Region> {
        let i = self.merges.binary_search_by_key(&p, |(q, _)| *q).ok()?;
        Some(self.merges[i].1)
    }

    fn has_cell(&self, p: Pos) -> bool {
        self.cells.binary_search(&p).is_ok()
    }
}

/// The sheet a form sheet's link goes back to: 汇总 in the consolidated workbook.
pub const BACK_TO_SUMMARY: &str = "汇总";

fn back_link(ws: &mut impl Cells, src: &Source, form: &Form, back: &str) -> Result<(), XlsxError> {
    let last_col = src.cells.iter().map(|(p, _)| p.col).max().unwrap_or(8);
    let text = crate::own::back_link_text(back);
    ws.link(form.rows.0, (last_col + 2) as u16, back, &text)
}

/// Bordered blanks over the form's rectangle, so empty cells look like the form (readers
/// do not report empty styled cells, so their borders are not in the source).
fn frame(ws: &mut impl Cells, src: &Source, form: &Form, f: Fmt) -> Result<(), XlsxError> {
    let cols = src.cells.iter().map(|(p, _)| p.col);
    let (Some(c0), Some(c1)) = (cols.clone().min(), cols.max()) else {
        return Ok(());
    };
    for r in form.rows.0..=form.rows.1 {
        for c in c0..=c1 {
            ws.blank(r, c as u16, f)?;
        }
    }
    Ok(())
}

/// A form prints on one page as the paper form does: its own rectangle (not the link
/// back to 汇总), with the page header and footer of every sheet.
fn print_setup(
    ws: &mut impl Cells,
    src: &Source,
    form: &Form,
    title: &str,
) -> Result<(), XlsxError> {
    let cols = src.cells.iter().map(|(p, _)| p.col);
    let (c0, c1) = (cols.clone().min().unwrap_or(0), cols.max().unwrap_or(8));
    ws.page((form.rows.0, c0 as u16, form.rows.1, c1 as u16), title)
}

fn setup(cells: &mut impl Cells, name: &str, src: &Source) -> Result<(), XlsxError> {
    cells.sheet(name)?;
    // The sender's widths and heights where the file gives them (XLSX); otherwise the
    // canonical widths, and rows tall enough for their wrapped text.
    let mut widths = FORM_WIDTHS.to_vec();
    for (i, w) in widths.iter().enumerate() {
        cells.col_width(i as u16, *w)?;
    }
    for &(c, stored) in &src.col_widths {
        // A file stores a width with the cell padding (5 px of 7 px per character)
        // added; rust_xlsxwriter adds it again.
        let w = (stored - 5.0 / 7.0).max(0.0);
        cells.col_width(c as u16, w)?;
        if widths.len() <= c as usize {
            widths.resize(c as usize + 1, 10.0);
        }
        widths[c as usize] = w;
    }
    for &(r, h) in &src.row_heights {
        cells.row_height(r, h)?;
    }
    let given: BTreeSet<u32> = src.row_heights.iter().map(|(r, _)| *r).collect();
    let mut lines: BTreeMap<u32, u32> = BTreeMap::new();
    let at = Lookup::of(src);
    for (p, v) in &src.cells {
        let merge = at.merge(*p);
        let width: f64 = match merge {
            Some(m) => (m.first.col..=m.last.col)
                .map(|c| widths.get(c as usize).copied().unwrap_or(10.0))
                .sum(),
            None => widths.get(p.col as usize).copied().unwrap_or(10.0),
        };
        let rows = merge.map_or(1, |m| m.rows());
        let text = v.display();
        let needed: u32 = text
            .split('\n')
            .map(|l| (super::sheetdata::text_width(l) / width).ceil().max(1.0) as u32)
            .sum();
        let per_row = needed.div_ceil(rows);
        let e = lines.entry(p.row).or_insert(1);
        *e = (*e).max(per_row.min(8));
    }
    for (r, n) in lines {
        if n > 1 && !given.contains(&r) {
            cells.row_height(r, 13.5 * n as f64)?;
        }
    }
    Ok(())
}

/// Builds the 原表 and 清洗 sheets of one form on their own, outside any workbook, so that
/// whatever goes wrong (an error from the writer, a limit, a panic) costs this form's
/// sheets and nothing else: the caller adds them to the workbook only when both were
/// built. `Ok(None)` for a form read without its source; `Err` says why in Chinese.
/// `title` heads the printed pages.
pub fn build(
    form: &Form,
    cleaned: &Cleaned,
    title: &str,
) -> Result<Option<[Worksheet; 2]>, String> {
    let Some(kept) = &form.source else {
        return Ok(None);
    };
    let src = kept.load().map_err(|e| unreadable(&e))?;
    build_with(form, &src, cleaned, title, Worksheet::new).map(Some)
}

/// Why a form's sheets could not be built: its kept cells could not be read back.
pub(crate) fn unreadable(e: &std::io::Error) -> String {
    format!("原表单元格无法读回（临时文件：{e}）")
}

/// Why a form's sheets are missing: its packed indicators did not read back (a defect).
pub(crate) fn indicators_unreadable(e: &std::io::Error) -> String {
    format!("指标无法读回（内部错误：{e}）")
}

/// Why a form's change records are missing: they could not be read back.
pub(crate) fn changes_unreadable(e: &std::io::Error) -> String {
    format!("变更记录无法读回（临时文件：{e}）")
}

/// [`build`] from the form's cells `src` into [`super::formxml::Recorder`]s: the sheets'
/// cells kept compactly, for their XML to be written without rust_xlsxwriter holding them.
pub(crate) fn record(
    form: &Form,
    src: &Source,
    cleaned: &Cleaned,
    title: &str,
) -> Result<[super::formxml::SheetData; 2], String> {
    let [a, b] = build_with(form, src, cleaned, title, super::formxml::Recorder::new)?;
    Ok([a.finish(), b.finish()])
}

fn build_with<C: Cells>(
    form: &Form,
    src: &Source,
    cleaned: &Cleaned,
    title: &str,
    new: impl Fn() -> C,
) -> Result<[C; 2], String> {
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut original = new();
        let mut clean = new();
        write_sheets(&mut original, &mut clean, form, src, cleaned, title)?;
        Ok::<_, XlsxError>([original, clean])
    }));
    match built {
        Ok(Ok(sheets)) => Ok(sheets),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!(
            "内部错误：{}",
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        )),
    }
}

/// Writes the 原表 and 清洗 sheets of one form (which must carry its source) into `wb`;
/// on an error `wb` is unchanged.
pub fn write(wb: &mut Workbook, form: &Form, cleaned: &Cleaned, title: &str) -> Result<(), String> {
    if let Some([a, b]) = build(form, cleaned, title)? {
        wb.push_worksheet(a);
        wb.push_worksheet(b);
    }
    Ok(())
}

fn write_sheets<C: Cells>(
    ws: &mut C,
    clean: &mut C,
    form: &Form,
    src: &Source,
    cleaned: &Cleaned,
    title: &str,
) -> Result<(), XlsxError> {
    let fm = Formats::shared();
    let at = Lookup::of(src);
    let merge_of = |p: Pos| at.merge(p);

    setup(ws, &original_name(form), src)?;
    print_setup(ws, src, form, &format!("{title} · 原表"))?;
    for m in &src.merges {
        if !at.has_cell(m.first) {
            blank_merge(ws, m, fm.base())?;
        }
    }
    frame(ws, src, form, fm.base())?;
    for (p, v) in &src.cells {
        let (out, kind) = as_read(v);
        put(ws, *p, &out, fm.get(kind, None), merge_of(*p))?;
    }
    back_link(ws, src, form, BACK_TO_SUMMARY)?;
    cleaned_sheet(clean, form, src, cleaned, title, BACK_TO_SUMMARY)
}

/// The 清洗 sheet of one form, from its cells `src`, recorded
/// ([`super::formxml::Recorder`]) for a feedback workbook, its cells written as XML after
/// the save.
pub(crate) fn record_cleaned(
    form: &Form,
    src: &Source,
    cleaned: &Cleaned,
    title: &str,
    back: &str,
) -> Result<super::formxml::SheetData, XlsxError> {
    let mut rec = super::formxml::Recorder::new();
    cleaned_sheet(&mut rec, form, src, cleaned, title, back)?;
    Ok(rec.finish())
}

/// The 清洗 sheet: the form at its own addresses, cleaned values in place, changed cells
/// marked with notes.
fn cleaned_sheet(
    ws: &mut impl Cells,
    form: &Form,
    src: &Source,
    cleaned: &Cleaned,
    title: &str,
    back: &str,
) -> Result<(), XlsxError> {
    let fm = Formats::shared();
    let at = Lookup::of(src);
    let merge_of = |p: Pos| at.merge(p);
    let o = &cleaned.0;
    setup(ws, &cleaned_name(form), src)?;
    print_setup(ws, src, form, &format!("{title} · 清洗"))?;
    frame(ws, src, form, fm.base())?;
    let mut written = BTreeSet::new();
    for m in &src.merges {
        if o.unmerge.contains(&m.first) || at.has_cell(m.first) {
            continue;
        }
        blank_merge(ws, m, fm.base())?;
    }
    for (p, v) in &src.cells {
        let merge = merge_of(*p).filter(|_| !o.unmerge.contains(p));
        let mark = o.marks.get(p).copied();
        if let Some(out) = o.values.get(p) {
            put(ws, *p, out, fm.get(kind_of(out), mark), merge)?;
        } else if o.cleared.contains(p) {
            match merge {
                Some(m) => blank_merge(ws, m, fm.get(Kind::Text, mark))?,
                None => {
                    ws.blank(p.row, p.col as u16, fm.get(Kind::Text, mark))?;
                }
            }
        } else {
            let (out, kind) = as_read(v);
            put(ws, *p, &out, fm.get(kind, mark), merge)?;
        }
        written.insert(*p);
    }
    for (p, out) in &o.values {
        if !written.contains(p) {
            let mark = o.marks.get(p).copied();
            write_out(ws, *p, out, fm.get(kind_of(out), mark))?;
            written.insert(*p);
        }
    }
    for (p, mark) in &o.marks {
        if !written.contains(p) {
            ws.blank(p.row, p.col as u16, fm.get(Kind::Text, Some(*mark)))?;
        }
    }
    for (p, notes) in &o.notes {
        ws.note(p.row, p.col as u16, &super::excel_note(&notes.join("\n\n")))?;
    }
    back_link(ws, src, form, back)?;
    Ok(())
}

/// A note's size in pixels ([`form_note`]; `formxml` places the notes it writes by it).
pub(crate) const NOTE_SIZE: (u32, u32) = (320, 120);

/// A form sheet's note on a cell: what was changed there, or found.
pub(crate) fn form_note(text: &str) -> Note {
    Note::new(text)
        .set_author("jixiao")
        // Not `jixiao:` in bold above every note: the note says what it is.
        .add_author_prefix(false)
        .set_width(NOTE_SIZE.0)
        .set_height(NOTE_SIZE.1)
}

fn kind_of(o: &Out) -> Kind {
    match o {
        Out::Text(_) => Kind::Text,
        Out::Number(_, k) => *k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_unique_and_short() {
        let f = Form {
            id: "P0004".into(),
            name: Field::new(
                Some("毛发检测和城市污水溯源监测经费[2023]/专项".into()),
                None,
            ),
            ..Default::default()
        };
        let n = original_name(&f);
        assert!(n.starts_with("P04原表 毛发检测和城市污水"), "{n}");
        assert!(n.chars().count() <= 31);
        assert!(!n.contains(INVALID));
        assert_eq!(cleaned_name(&f).replace("清洗", "原表"), n);
        let g = Form {
            id: "P0123".into(),
            ..Default::default()
        };
        assert_eq!(original_name(&g), "P123原表");
    }
}
