//! The consolidated workbook (contract.md §Output workbook): 汇总, 指标明细, 资金, 问题清单,
//! 变更记录, 说明. Deterministic: same batch, same bytes.

use crate::model::Batch;
use crate::own::{self, FEEDBACK_MARKER, OUTPUT_MARKER};
use crate::rules;
use crate::template::deterministic_workbook;
use crate::write::tables::{self, Cell, Column, Kind, Table, Total};
use crate::write::{feedback, forms, formxml, sheetdata};
use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

struct Formats {
    header: Format,
    text: Format,
    code: Format,
    wrap: Format,
    money: Format,
    number: Format,
    percent: Format,
    bold: Format,
    title: Format,
    link: Format,
}

/// A list's header row: bold on light blue, bordered, centred and wrapped — the same in
/// every workbook jixiao writes.
pub(crate) fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color("DDEBF7")
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: header_format(),
            // Short texts keep one line; long ones wrap, in rows made tall enough for
            // them (sheetdata sets each row's height).
            text: Format::new().set_align(FormatAlign::Top),
            code: Format::new()
                .set_align(FormatAlign::Top)
                .set_align(FormatAlign::Center),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            money: Format::new()
                .set_num_format("#,##0.00")
                .set_align(FormatAlign::Top),
            number: Format::new()
                .set_num_format("General")
                .set_align(FormatAlign::Top),
            percent: Format::new()
                .set_num_format("0.00%")
                .set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            link: Format::new().set_hyperlink(),
        }
    }

    /// A 合计 cell: bold, ruled above, in the column's number format.
    fn total_of(&self, kind: Kind) -> Format {
        let base = match kind {
            Kind::Money => self.money.clone(),
            Kind::Percent => self.percent.clone(),
            Kind::Number => self.number.clone(),
            Kind::Wrap => self.wrap.clone(),
            _ => self.text.clone(),
        };
        base.set_bold().set_border_top(FormatBorder::Thin)
    }

    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Text => &self.text,
            Kind::Code => &self.code,
            Kind::Wrap => &self.wrap,
            Kind::Money => &self.money,
            Kind::Number => &self.number,
            Kind::Percent => &self.percent,
            Kind::Link => &self.link,
        }
    }
}

/// Data rows per sheet: Excel's 1,048,576 rows less the header row.
pub const MAX_DATA_ROWS: usize = 1_048_575;

/// Options of the workbook writer.
#[derive(Debug, Clone)]
pub struct Options {
    /// Write each form's 原表 and 清洗 sheets (forms read without their source are skipped).
    pub form_sheets: bool,
    /// A list longer than this continues on a second sheet (指标明细2, …).
    pub max_rows_per_sheet: usize,
    /// Who compiles the papers and whom a department answers to (the clerk's settings).
    pub letterhead: Letterhead,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            form_sheets: false,
            max_rows_per_sheet: MAX_DATA_ROWS,
            letterhead: Letterhead::default(),
        }
    }
}

/// What the clerk's settings ([`crate::settings::Settings`]) put on the papers: 编制单位,
/// 年度 and 编制日期 in the printed titles; 反馈截止日期, 联系人 and 联系电话 on the feedback
/// workbooks' cover. All optional; unset, nothing is printed for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Letterhead {
    pub unit: Option<String>,
    pub year: Option<i32>,
    pub date: Option<String>,
    pub deadline: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
}

impl From<&crate::settings::Settings> for Letterhead {
    fn from(s: &crate::settings::Settings) -> Self {
        Self {
            unit: s.unit.clone(),
            year: s.year,
            date: s.date.clone(),
            deadline: s.deadline.clone(),
            contact: s.contact.clone(),
            phone: s.phone.clone(),
        }
    }
}

/// Form sheets are written by default up to this many forms.
pub const FORM_SHEETS_DEFAULT_MAX: usize = 50;

/// The most forms `--form-sheets` writes sheets for (two each): 20,000 sheets, a
/// workbook of about 140 MB made in about 850 MB. At 100,000 forms it was 200,000 sheets,
/// 1.4 GB that neither Excel nor WPS opens, made in 7 GB: refused before reading
/// ([`crate::Error::TooManyFormSheets`]).
pub const FORM_SHEETS_MAX: usize = 10_000;

/// Whether to write form sheets: as the user chose, else when there are at most
/// [`FORM_SHEETS_DEFAULT_MAX`] of `count` (files before reading, forms after).
pub fn want_form_sheets(choice: Option<bool>, count: usize) -> bool {
    choice.unwrap_or(count <= FORM_SHEETS_DEFAULT_MAX)
}

/// A form's two sheets and where its source cells are in 清洗.
struct FormLinks {
    original: String,
    cleaned: String,
    view: forms::Cleaned,
}

/// Per form (by project id), its sheets, when it has them.
struct Links {
    /// Boxed: a slot for every form, and most runs write no form sheets (216 bytes a
    /// form unboxed, 22 MB at 100,000).
    sheets: Vec<Option<Box<FormLinks>>>,
    by_id: crate::hashed::Map<String, usize>,
}

impl Links {
    /// `sheets`: per form, in form order.
    fn new(b: &Batch, sheets: Vec<Option<Box<FormLinks>>>) -> Links {
        let by_id = b
            .forms
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        Links { sheets, by_id }
    }

    /// A link cell's (location, display text, tooltip).
    fn resolve(&self, cell: &Cell) -> Option<(String, String, String)> {
        resolve_link(cell, |project| self.of(project))
    }

    fn of(&self, project: Option<&str>) -> Option<&FormLinks> {
        self.sheets[*self.by_id.get(project?)?].as_deref()
    }

    fn any(&self) -> bool {
        self.sheets.iter().any(Option::is_some)
    }
}

/// A link cell's (location, display text, tooltip), with `of` giving a project's sheets.
fn resolve_link<'l>(
    cell: &Cell,
    of: impl Fn(Option<&str>) -> Option<&'l FormLinks>,
) -> Option<(String, String, String)> {
    match cell {
        Cell::Target { project, cell } => {
            let l = of(Some(project))?;
            let dest = l.view.cell(*cell);
            Some((
                format!("'{}'!{dest}", l.cleaned),
                format!("清洗 {dest}"),
                format!("原表：{}!{cell}", l.original),
            ))
        }
        Cell::FormSheet { project, cleaned } => {
            let l = of(Some(project))?;
            let (name, text) = if *cleaned {
                (&l.cleaned, "清洗")
            } else {
                (&l.original, "原表")
            };
            Some((format!("'{name}'!A1"), text.to_string(), name.clone()))
        }
        _ => None,
    }
}

/// The sheets of one list table: its name, then 指标明细2, … past `max_rows` rows each.
fn sheet_names(t: &Table, max_rows: usize) -> Vec<String> {
    let n = t.len.div_ceil(max_rows).max(1);
    (0..n)
        .map(|k| match k {
            0 => t.name.to_string(),
            k => format!("{}{}", t.name, k + 1),
        })
        .collect()
}

/// Sets up a list sheet: widths, column formats, header, frozen header, filter over `n`
/// data rows, print setup (the printed columns, down to `last` row). The rows are written
/// by the caller.
fn prepare(
    ws: &mut Worksheet,
    t: &Table,
    n: u32,
    last: u32,
    title: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    prepare_with(ws, t, n, last, &Heading::plain(title), f)
}

/// [`prepare`] with the pages headed by `heading`.
fn prepare_with(
    ws: &mut Worksheet,
    t: &Table,
    n: u32,
    last: u32,
    heading: &Heading,
    f: &Formats,
) -> Result<(), XlsxError> {
    let columns = t.columns;
    for (i, c) in columns.iter().enumerate() {
        let i = i as u16;
        ws.set_column_width(i, c.width)?;
        // A column format, not a format per cell: a formatted write hashes the whole
        // Format to find its index, and list cells carry their column's style.
        ws.set_column_format(i, f.of(c.kind))?;
        // 年初预算数（万元） breaks before its unit, not inside it (CSV keeps one line).
        let title = match c.title.split_once('（') {
            Some((name, unit)) if c.width < 2.0 * c.title.chars().count() as f64 => {
                std::borrow::Cow::Owned(format!("{name}\n（{unit}"))
            }
            _ => c.title.into(),
        };
        ws.write_string_with_format(0, i, title.as_ref(), &f.header)?;
    }
    // Two lines for headers such as 年初预算数（万元）.
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, n.max(1), columns.len() as u16 - 1)?;
    // Printed: landscape A4, one page wide, the header row on every page, without the
    // screen-only columns.
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_print_area(
        0,
        0,
        last.max(1),
        t.print.clamp(1, columns.len()) as u16 - 1,
    )?;
    heading.apply(ws);
    Ok(())
}

/// What the printed pages' header says: the forms' year(s).
pub fn print_title(b: &Batch) -> String {
    title_of(&b.forms)
}

/// [`print_title`] with the clerk's 年度 ([`Letterhead::year`]) in place of the forms'
/// when it is set.
pub fn print_title_with(b: &Batch, letterhead: &Letterhead) -> String {
    match letterhead.year {
        Some(y) => format!("{y}年度项目支出绩效自评"),
        None => print_title(b),
    }
}

/// The print title of some forms.
fn title_of<'a>(forms: impl IntoIterator<Item = &'a crate::model::Form>) -> String {
    let years: std::collections::BTreeSet<i32> =
        forms.into_iter().filter_map(|p| p.year.value).collect();
    let y = match (years.first(), years.last()) {
        (Some(a), Some(z)) if a == z => format!("{a}年度"),
        (Some(a), Some(z)) => format!("{a}—{z}年度"),
        _ => String::new(),
    };
    format!("{y}项目支出绩效自评")
}

/// Every page's footer: the sheet's name, 第 n 页 共 m 页.
const FOOTER: &str = "&L&A&C第&P页 共&N页";

/// The header of a printed page: the title (bold) and 单位：万元 on its first line; under
/// them 编制单位 on the left and 编制日期 on the right, each when the clerk set it.
pub struct Heading {
    pub title: String,
    pub unit: Option<String>,
    pub date: Option<String>,
}

impl Heading {
    /// The title alone.
    pub fn plain(title: &str) -> Self {
        Heading {
            title: title.to_string(),
            unit: None,
            date: None,
        }
    }

    /// The consolidated workbook's heading: `title` with the clerk's 编制单位 and 编制日期
    /// (blank ones left out). No clock: with no date set, none is printed.
    pub fn of(title: &str, letterhead: &Letterhead) -> Self {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
        };
        Heading {
            title: title.to_string(),
            unit: set(&letterhead.unit),
            date: set(&letterhead.date),
        }
    }

    /// The header text as Excel codes it (`&L … &R …`): `&` doubled, each part cut so the
    /// whole stays within Excel's 255 characters.
    pub fn header(&self) -> String {
        let part = |s: &str, n: usize| -> String { s.replace('&', "&&").chars().take(n).collect() };
        let mut h = format!("&L&\"-,Bold\"{}", part(&self.title, 100));
        if let Some(unit) = &self.unit {
            h.push_str(&format!("\n&\"-,Regular\"编制单位：{}", part(unit, 50)));
        }
        h.push_str("&R单位：万元");
        if let Some(date) = &self.date {
            h.push_str(&format!("\n编制日期：{}", part(date, 30)));
        }
        h
    }

    /// The page header and footer as [`Heading::apply`] sets them.
    pub(crate) fn header_footer(&self) -> (String, &'static str) {
        (self.header(), FOOTER)
    }

    /// Sets the page header, and the footer: the sheet's name and 第 n 页 共 m 页. A
    /// two-line header gets a little more room above the table.
    pub fn apply(&self, ws: &mut Worksheet) {
        ws.set_header(self.header());
        ws.set_footer(FOOTER);
        if self.unit.is_some() || self.date.is_some() {
            ws.set_margins(0.7, 0.7, 0.95, 0.75, 0.3, 0.3);
        }
    }
}

/// Every printed page: the title and 单位：万元 above, the sheet's name and 第 n 页 共 m 页
/// below.
pub fn page_header(ws: &mut Worksheet, title: &str) {
    Heading::plain(title).apply(ws);
}

/// 级别 in its colour: 错误 red, 警告 orange, 提示 grey (one conditional format over the
/// column, not a style per cell).
fn severity_colours(ws: &mut Worksheet, n: u32) -> Result<(), XlsxError> {
    use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule};
    for (word, fill, font) in [
        ("错误", "FFC7CE", "9C0006"),
        ("警告", "FFEB9C", "9C5700"),
        ("提示", "EDEDED", "595959"),
    ] {
        let cf = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(format!("\"{word}\"")))
            .set_format(
                Format::new()
                    .set_background_color(fill)
                    .set_font_color(font)
                    .set_bold(),
            );
        ws.add_conditional_format(1, 0, n, 0, &cf)?;
    }
    Ok(())
}

/// The 合计 row two rows under the `n` data rows, outside the filtered range so sorting
/// leaves it in place: `SUBTOTAL(109, …)` sums of the visible rows and ratios of them,
/// with their values (over all rows) cached for readers that do not calculate.
fn write_totals(
    ws: &mut Worksheet,
    columns: &[Column],
    totals: &[Total],
    n: u32,
    formulas: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    use rust_xlsxwriter::Formula;
    let row = n + 2;
    let range = |c: u16| {
        let l = crate::grid::col_name(c as u32);
        format!("{l}2:{l}{}", n + 1)
    };
    let cached =
        |d: &Option<rust_decimal::Decimal>| d.map_or(String::new(), |d| d.normalize().to_string());
    // The row between the data and 合计 keeps 合计 out of a sort; printed, it is a thin
    // space above the ruled 合计 row, not a blank line.
    ws.set_row_height(n + 1, 6)?;
    for (c, (t, col)) in totals.iter().zip(columns).enumerate() {
        let c = c as u16;
        let fmt = f.total_of(col.kind);
        match t {
            Total::Empty => ws.write_blank(row, c, &fmt)?,
            // Wrapped, in a row tall enough for it: printed whole.
            Total::Label(s) if col.kind == Kind::Wrap => {
                let lines = sheetdata::lines_needed(s, col.width);
                if lines > 1 {
                    ws.set_row_height(row, sheetdata::LINE_HEIGHT * lines as f64)?;
                }
                ws.write_string_with_format(row, c, s.as_ref(), &fmt)?
            }
            Total::Label(s) => ws.write_string_with_format(row, c, s.as_ref(), &fmt)?,
            Total::Value(v) => match v.and_then(|d| d.to_f64()) {
                Some(x) => ws.write_number_with_format(row, c, x, &fmt)?,
                None => ws.write_blank(row, c, &fmt)?,
            },
            Total::Sum(d) if formulas => {
                let fm = Formula::new(format!("SUBTOTAL(109,{})", range(c)))
                    .set_result(d.normalize().to_string());
                ws.write_formula_with_format(row, c, fm, &fmt)?
            }
            Total::Ratio { num, den, value } if formulas => {
                let fm = Formula::new(format!(
                    "IF(SUBTOTAL(109,{d})=0,\"\",SUBTOTAL(109,{n})/SUBTOTAL(109,{d}))",
                    d = range(*den),
                    n = range(*num)
                ))
                .set_result(cached(value));
                ws.write_formula_with_format(row, c, fm, &fmt)?
            }
            Total::Sum(d) => {
                ws.write_number_with_format(row, c, d.to_f64().unwrap_or(0.0), &fmt)?
            }
            Total::Ratio { value, .. } => match value.and_then(|d| d.to_f64()) {
                Some(x) => ws.write_number_with_format(row, c, x, &fmt)?,
                None => ws.write_blank(row, c, &fmt)?,
            },
        };
    }
    Ok(())
}

/// Data rows on sheet `k` of a table of `len` rows, `max_rows` per sheet.
fn rows_on(len: usize, k: usize, max_rows: usize) -> u32 {
    (len - (k * max_rows).min(len)).min(max_rows) as u32
}

/// The workbook's bytes.
///
/// # Example
///
/// A sample form's workbook, read back:
///
/// ```
/// use jixiao::grid::Pos;
/// use jixiao::{batch, read, write};
/// use std::path::{Path, PathBuf};
///
/// let b = batch::run(
///     &[PathBuf::from("samples/2023/1.xlsx")],
///     &batch::Options::default(),
/// )?;
/// let bytes = write::workbook::to_xlsx(&b, &write::workbook::Options::default())?;
/// let sheets = read::read_bytes(&bytes, Path::new("汇总.xlsx"), &read::Limits::default())?;
/// let names: Vec<&str> = sheets.iter().map(|g| g.sheet.as_str()).collect();
/// assert_eq!(
///     names,
///     ["汇总", "部门汇总", "图表", "指标明细", "资金", "问题清单", "变更记录", "说明"]
/// );
/// let cell = |a1: &str| sheets[0].get(Pos::parse(a1).unwrap()).display();
/// assert_eq!(cell("A1"), "编号");
/// assert_eq!(cell("B2"), "村和社区戒毒康复工作站、禁毒协会工作经费");
/// assert_eq!(cell("L1"), "核算总分");
/// assert_eq!(cell("L2"), "99");
/// assert_eq!(cell("M2"), "优");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_xlsx(batch: &Batch, opts: &Options) -> Result<Vec<u8>, XlsxError> {
    let mut out = std::io::Cursor::new(Vec::new());
    write_xlsx(batch, opts, &mut out)?;
    Ok(out.into_inner())
}

/// Each form's 原表/清洗 sheets, built before the workbook is assembled ([`form_sheets`]).
pub struct Prepared {
    links: Links,
    /// The built forms' sheets, in form order. Only the built ones: a `Worksheet` is a
    /// large value, and a slot per form cost 10,000 forms without sheets about 50 MB.
    /// Recorded: their cells are written by `formxml`, not held by rust_xlsxwriter.
    sheets: Vec<[formxml::SheetData; 2]>,
    /// The forms whose sheets could not be built: index in the batch's forms, and why.
    failed: Vec<(usize, String)>,
}

impl Prepared {
    /// The forms whose sheets could not be built (a writer error, a limit, a panic), by
    /// their index in the batch's forms, with why: the workbook is written without them
    /// and nothing links to them. The writer reports nothing; the caller records each as
    /// a finding before writing ([`crate::convert::prepare_form_sheets`]).
    pub fn failed(&self) -> &[(usize, String)] {
        &self.failed
    }
}

/// Builds every form's sheets ahead of the workbook (when `opts` asks for them). A form
/// whose sheets cannot be built loses them and nothing else ([`Prepared::failed`]).
pub fn form_sheets(batch: &Batch, opts: &Options) -> Prepared {
    let title = print_title_with(batch, &opts.letterhead);
    // Each form's sheets on their own (rayon; on wasm, the current thread), in form order,
    // its kept cells read back once for its view and its sheets; the view then keeps only
    // where cells went, for the links. A slot only for the forms with sheets (a pair of
    // sheets is a large value).
    type Built = Result<[formxml::SheetData; 2], String>;
    let built: Vec<(usize, FormLinks, Built)> = batch
        .forms
        .par_iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let kept = p.source.as_ref().filter(|_| opts.form_sheets)?;
            let src = kept.load();
            let changes = p.changes();
            let inds = p.indicators.load();
            let reader = forms::Reader::Bureau;
            let logged = changes.as_deref().unwrap_or_default();
            let held = inds.as_deref().unwrap_or_default();
            let mut view = forms::Cleaned::for_reader(p, held, src.as_deref().ok(), logged, reader);
            let pair = match (&src, &changes, &inds) {
                (Ok(src), Ok(_), Ok(_)) => forms::record(p, src, &view, &title),
                (Err(e), _, _) => Err(forms::unreadable(e)),
                (_, Err(e), _) => Err(forms::changes_unreadable(e)),
                (_, _, Err(e)) => Err(forms::indicators_unreadable(e)),
            };
            view.keep_links_only();
            let l = FormLinks {
                original: forms::original_name(p),
                cleaned: forms::cleaned_name(p),
                view,
            };
            Some((i, l, pair))
        })
        .collect();
    let mut links: Vec<Option<Box<FormLinks>>> = batch.forms.iter().map(|_| None).collect();
    let mut sheets = Vec::new();
    let mut failed = Vec::new();
    for (i, l, built) in built {
        match built {
            Ok(pair) => {
                sheets.push(pair);
                links[i] = Some(Box::new(l));
            }
            Err(why) => failed.push((i, why)),
        }
    }
    Prepared {
        links: Links::new(batch, links),
        sheets,
        failed,
    }
}

/// Writes the workbook to `out` (a file, so a large workbook is never held in memory).
/// A form whose sheets cannot be built is written without them ([`Prepared::failed`]).
pub fn write_xlsx<W: std::io::Write + std::io::Seek>(
    batch: &Batch,
    opts: &Options,
    out: W,
) -> Result<(), XlsxError> {
    write_prepared(batch, opts, form_sheets(batch, opts), out)
}

/// Writes the workbook with the form sheets [`form_sheets`] built.
pub fn write_prepared<W: std::io::Write + std::io::Seek>(
    batch: &Batch,
    opts: &Options,
    prepared: Prepared,
    out: W,
) -> Result<(), XlsxError> {
    write_with(batch, opts, prepared, out, false)
}

/// [`write_prepared`]; `writer_lists` has rust_xlsxwriter write 说明's list of input files
/// even where [`super::filelist`] could (the tests compare the two).
fn write_with<W: std::io::Write + std::io::Seek>(
    batch: &Batch,
    opts: &Options,
    prepared: Prepared,
    out: W,
    writer_lists: bool,
) -> Result<(), XlsxError> {
    let f = Formats::new();
    let Prepared { links, sheets, .. } = prepared;
    let mut wb = deterministic_workbook();
    // Deflate dominates writing a large workbook; level 1 is several times faster for
    // files about a fifth larger.
    wb.set_zip_compression_level(1);
    let max_rows = opts.max_rows_per_sheet.max(1);
    let mut split = Vec::new();
    let title = print_title_with(batch, &opts.letterhead);
    let heading = Heading::of(&title, &opts.letterhead);
    let departments = tables::by_department(batch).len() as u32;

    // Every list sheet: a header-only placeholder here, its rows filled in by `sheetdata`.
    let mut fills = Vec::new();
    let mut summary_sheets = Vec::new();
    for t in tables::all(batch) {
        let names = sheet_names(&t, max_rows);
        for (k, name) in names.iter().enumerate() {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            let n = rows_on(t.len, k, max_rows);
            let totals = t.totals.as_deref().filter(|_| k + 1 == names.len());
            let last = n + if totals.is_some() { 2 } else { 0 };
            prepare_with(ws, &t, n, last, &heading, &f)?;
            if let Some(totals) = totals {
                // Formulas only when every row is on this sheet.
                let formulas = names.len() == 1 && n > 0;
                write_totals(ws, t.columns, totals, n, formulas, &f)?;
            }
            if t.name == "问题清单" && n > 0 {
                severity_colours(ws, n)?;
            }
        }
        if names.len() > 1 {
            split.push(names.clone());
        }
        let table = t.name;
        if table == "汇总" {
            summary_sheets = names.clone();
        }
        let department_split = names.len() > 1;
        fills.push(sheetdata::Fill {
            sheets: names,
            table: t,
        });
        // 图表 right after 部门汇总, whose figures it draws.
        if table == "部门汇总" {
            let ws = wb.add_worksheet();
            let summary_split = summary_sheets.len() > 1;
            charts_sheet(
                ws,
                batch,
                departments,
                summary_split,
                department_split,
                &heading,
            )?;
        }
    }
    // The form sheets: a placeholder for the first, the carrier of their formats and of
    // the package's notes parts; every form sheet's parts are written after the save
    // (`formxml::assemble`). rust_xlsxwriter saving a placeholder for each (a thread
    // each) took longer than a whole conversion without them.
    let data: Vec<formxml::SheetData> = sheets.into_iter().flatten().collect();
    let order = formxml::first_use(&data);
    formxml::push_carrier(&mut wb, &data, &order)?;
    // Without form sheets the list of input files goes into the saved package
    // (`filelist`), never held by rust_xlsxwriter; with them rust_xlsxwriter writes it, as
    // their parts renumber the shared strings (`formxml::assemble`).
    let list = writer_lists || !data.is_empty() || batch.inputs.is_empty();
    let header = notes(&mut wb, batch, &f, links.any(), &split, &heading, list)?;
    let package = wb.save_to_buffer()?;
    // The sheets are saved: not held while the list sheets and the form sheets' parts
    // are written.
    drop(wb);
    let resolve = |cell: &Cell| match cell {
        // 汇总 lists the forms in order, `max_rows` to a sheet.
        Cell::SummaryRow { form, text } => {
            let sheet = summary_sheets.get(form / max_rows)?;
            let row = form % max_rows + 2;
            Some((
                format!("'{sheet}'!A{row}"),
                text.clone(),
                format!("转到“{sheet}”第 {row} 行"),
            ))
        }
        _ => links.resolve(cell),
    };
    let inputs = &batch.inputs;
    let extra: sheetdata::Extra = if list {
        Box::new(move |zip, paths| formxml::assemble(zip, paths, data, &order))
    } else {
        Box::new(move |zip, paths| super::filelist::insert(zip, paths, inputs, header))
    };
    sheetdata::fill_with(package, fills, max_rows, &resolve, Some(extra), out)
        .map_err(sheetdata::Error::into_xlsx)
}

/// One department's feedback workbook (`convert --feedback`): its own 问题清单 (errors and
/// warnings of its forms, each linked to its cell), then each of its forms' 清洗 sheets
/// with the marks and notes, linking back to 问题清单.
pub fn write_feedback<W: std::io::Write + std::io::Seek>(
    batch: &Batch,
    forms: &[&crate::model::Form],
    out: W,
) -> Result<(), XlsxError> {
    write_feedback_with(batch, forms, &Letterhead::default(), out)
}

/// [`write_feedback`] with the clerk's [`Letterhead`] on its cover (说明).
///
/// The department sees only what it can act on ([`feedback::for_department`]: no finding
/// about jixiao's own reading), its files by their names ([`feedback::Names`]), never the
/// bureau's folders. For many departments, [`Feedback`] gathers what they draw on once.
pub fn write_feedback_with<W: std::io::Write + std::io::Seek>(
    batch: &Batch,
    forms: &[&crate::model::Form],
    letterhead: &Letterhead,
    out: W,
) -> Result<(), XlsxError> {
    Feedback::new(batch, [forms]).write(0, letterhead, out)
}

/// What the departments' feedback workbooks draw on, gathered in one pass over the batch's
/// forms and findings for all of them: each department's listed findings and forms, the
/// projects' names, the run's files. Each workbook is then built on its own
/// ([`Feedback::write`], [`Feedback::write_all`]).
pub struct Feedback<'a> {
    batch: &'a Batch,
    /// Each department's forms, as planned ([`feedback::plan`]).
    departments: Vec<Vec<&'a crate::model::Form>>,
    /// Per department, the findings its 问题清单 lists, in the batch's order.
    listed: Vec<Vec<&'a crate::model::Finding>>,
    /// Per department, the forms (by index in the batch's) whose 清洗 sheets it gets: those
    /// of its projects, in the batch's order.
    sheets: Vec<Vec<usize>>,
    /// Each project's form (the last, should two share an id), as links find it.
    by_id: crate::hashed::Map<&'a str, usize>,
    names: crate::hashed::Map<&'a str, &'a str>,
    shown: tables::Names<'a>,
    run: feedback::RunFiles<'a>,
}

impl<'a> Feedback<'a> {
    /// The departments whose forms are `departments`, in order.
    pub fn new<'d>(
        batch: &'a Batch,
        departments: impl IntoIterator<Item = &'d [&'a crate::model::Form]>,
    ) -> Feedback<'a>
    where
        'a: 'd,
    {
        use crate::model::Severity;
        let departments: Vec<Vec<&crate::model::Form>> =
            departments.into_iter().map(<[_]>::to_vec).collect();
        // The departments each project is of (one, unless two forms share an id).
        let mut of: crate::hashed::Map<&str, Vec<usize>> = Default::default();
        for (d, forms) in departments.iter().enumerate() {
            for p in forms {
                let ds = of.entry(p.id.as_str()).or_default();
                if ds.last() != Some(&d) {
                    ds.push(d);
                }
            }
        }
        let mut listed = vec![Vec::new(); departments.len()];
        for x in batch.findings() {
            if x.severity >= Severity::Warning
                && feedback::for_department(x.code)
                && let Some(ds) = x.project.as_deref().and_then(|p| of.get(p))
            {
                for &d in ds {
                    listed[d].push(x);
                }
            }
        }
        let mut sheets = vec![Vec::new(); departments.len()];
        let mut by_id =
            crate::hashed::Map::with_capacity_and_hasher(batch.forms.len(), Default::default());
        for (i, p) in batch.forms.iter().enumerate() {
            by_id.insert(p.id.as_str(), i);
            for &d in of.get(p.id.as_str()).into_iter().flatten() {
                sheets[d].push(i);
            }
        }
        Feedback {
            batch,
            departments,
            listed,
            sheets,
            by_id,
            names: tables::project_names(batch),
            shown: tables::Names::of(batch),
            run: feedback::RunFiles::of(batch),
        }
    }

    /// Every department's workbook, in order, each built on its own task (rayon; on
    /// wasm32 one after the other).
    pub fn write_all(&self, letterhead: &Letterhead) -> Vec<Result<Vec<u8>, XlsxError>> {
        use rayon::prelude::*;
        (0..self.departments.len())
            .into_par_iter()
            .with_max_len(1)
            .map(|k| {
                let mut out = std::io::Cursor::new(Vec::new());
                self.write(k, letterhead, &mut out)?;
                Ok(out.into_inner())
            })
            .collect()
    }

    /// The workbook of department `k` (in the order given to [`Feedback::new`]).
    pub fn write<W: std::io::Write + std::io::Seek>(
        &self,
        k: usize,
        letterhead: &Letterhead,
        out: W,
    ) -> Result<(), XlsxError> {
        use crate::model::Severity;
        use rayon::prelude::*;
        let batch = self.batch;
        let (Some(forms), Some(listed), Some(own)) = (
            self.departments.get(k),
            self.listed.get(k),
            self.sheets.get(k),
        ) else {
            return Err(XlsxError::ParameterError(format!("no department {k}")));
        };
        let names = feedback::Names::in_run(std::borrow::Cow::Borrowed(&self.run), forms);
        let reader = forms::Reader::Department(&names);
        let f = Formats::new();
        let title = format!("{}问题反馈", title_of(forms.iter().copied()));
        let mut wb = deterministic_workbook();
        wb.set_zip_compression_level(1);
        let count = |sev: Severity| listed.iter().filter(|x| x.severity == sev).count();
        let counts = (count(Severity::Error), count(Severity::Warning));
        let t = department_view(
            tables::findings_listed(listed.clone(), &self.names, &self.shown),
            &names,
        );
        let names_of = sheet_names(&t, MAX_DATA_ROWS);
        for (k, name) in names_of.iter().enumerate() {
            let ws = wb.add_worksheet();
            ws.set_name(name)?;
            let n = rows_on(t.len, k, MAX_DATA_ROWS);
            prepare(ws, &t, n, n, &title, &f)?;
            if n > 0 {
                severity_colours(ws, n)?;
            }
        }
        let fills = vec![sheetdata::Fill {
            sheets: names_of,
            table: t,
        }];
        // Each form's 清洗 sheet recorded on its own task; the first goes to the workbook
        // as the carrier, and every sheet's parts are written after the save
        // (`formxml::assemble`).
        let built: Vec<Result<Option<(FormLinks, formxml::SheetData)>, XlsxError>> = own
            .par_iter()
            .with_max_len(1)
            .map(|&i| {
                let p = &batch.forms[i];
                let Some(kept) = &p.source else {
                    return Ok(None);
                };
                let src = kept.load().map_err(XlsxError::IoError)?;
                let changes = p.changes().map_err(XlsxError::IoError)?;
                let inds = p.indicators.load().map_err(XlsxError::IoError)?;
                let l = FormLinks {
                    original: forms::original_name(p),
                    cleaned: forms::cleaned_name(p),
                    view: forms::Cleaned::for_reader(p, &inds, Some(&src), &changes, reader),
                };
                let sheet = forms::record_cleaned(p, &src, &l.view, &title, own::BACK_TO_FINDINGS)?;
                Ok(Some((l, sheet)))
            })
            .collect();
        let mut links: Vec<(usize, FormLinks)> = Vec::with_capacity(own.len());
        let mut data = Vec::with_capacity(own.len());
        for (&i, b) in own.iter().zip(built) {
            if let Some((l, sheet)) = b? {
                data.push(sheet);
                links.push((i, l));
            }
        }
        let order = formxml::first_use(&data);
        formxml::push_carrier(&mut wb, &data, &order)?;
        let cover = Cover {
            letterhead,
            forms,
            errors: counts.0,
            warnings: counts.1,
        };
        feedback_notes(&mut wb, &f, &title, &cover)?;
        let package = wb.save_to_buffer()?;
        drop(wb);
        let of = |project: Option<&str>| {
            let i = *self.by_id.get(project?)?;
            let at = links.binary_search_by_key(&i, |(i, _)| *i).ok()?;
            Some(&links[at].1)
        };
        // The workbook has no 原表 sheet to name in a link's tooltip: the cell says where.
        let resolve = |cell: &Cell| {
            let (to, text, tip) = resolve_link(cell, of)?;
            match cell {
                Cell::Target { cell, .. } => Some((to, text, format!("原表 {cell}"))),
                _ => Some((to, text, tip)),
            }
        };
        let extra: sheetdata::Extra =
            Box::new(move |zip, paths| formxml::assemble(zip, paths, data, &order));
        sheetdata::fill_with(package, fills, MAX_DATA_ROWS, &resolve, Some(extra), out)
            .map_err(sheetdata::Error::into_xlsx)
    }
}

/// A findings table as the department reads it: its files by the names it knows them by,
/// and every path in a message (C005 names the other copy's file) likewise.
fn department_view<'a>(mut t: Table<'a>, names: &'a feedback::Names) -> Table<'a> {
    let col = |title: &str| t.columns.iter().position(|c| c.title == title);
    let (file, message) = (col("文件"), col("说明"));
    let rows = std::mem::replace(&mut t.rows, Box::new(std::iter::empty()));
    t.rows = Box::new(rows.map(move |mut row| {
        if let Some(Cell::Text(s)) = file.and_then(|i| row.get_mut(i)) {
            *s = names.file(s);
        }
        if let Some(cell) = message.and_then(|i| row.get_mut(i))
            && let Cell::Text(s) = cell
            && let std::borrow::Cow::Owned(text) = names.text(s)
        {
            *cell = Cell::Owned(text);
        }
        row
    }));
    t
}

/// Up to this many forms, 图表 charts each project's totals; above, bars per project are
/// unreadable and it charts the grade distribution instead.
pub const PER_PROJECT_CHART_MAX: usize = 30;

/// The sheet of charts, after 部门汇总.
pub const CHARTS: &str = "图表";

/// Departments per chart of 各部门项目等级: one printed page each.
pub const DEPARTMENTS_PER_CHART: u32 = 20;

/// Charts on 图表 are this wide (15 default columns), and a page (A4 landscape, fitted to
/// this width) holds about `PAGE_ROWS` default rows of them.
const CHART_WIDTH: u32 = 960;
const CHART_COLUMNS: u16 = 15;
const PAGE_ROWS: u32 = 30;
/// Pixels in a default row.
const ROW_PX: u32 = 20;

/// 图表: the scores per project (up to [`PER_PROJECT_CHART_MAX`] forms, else the grade
/// distribution) on its first page, then 各部门项目等级, [`DEPARTMENTS_PER_CHART`]
/// departments a page; printed A4 landscape, one page wide, a page break between charts,
/// every chart inside the print area. Charts of a list split over several sheets are left
/// out (their ranges would cover only its first part).
fn charts_sheet(
    ws: &mut Worksheet,
    batch: &Batch,
    departments: u32,
    summary_split: bool,
    department_split: bool,
    heading: &Heading,
) -> Result<(), XlsxError> {
    ws.set_name(CHARTS)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    heading.apply(ws);
    let n = batch.forms.len() as u32;
    let mut charts = Vec::new();
    if batch.forms.len() <= PER_PROJECT_CHART_MAX {
        if n > 0 && !summary_split {
            charts.push((score_chart(batch, n), 540));
        }
    } else if !department_split {
        charts.push((grade_chart(departments), 540));
    }
    if !department_split {
        let most = tables::by_department(batch)
            .iter()
            .map(|(_, forms)| forms.len())
            .max()
            .unwrap_or(0);
        let mut first = 1;
        while first <= departments {
            let last = (first + DEPARTMENTS_PER_CHART - 1).min(departments);
            charts.push(department_chart(first, last, departments, most));
            first = last + 1;
        }
    }
    // Each chart from the top of a page.
    let mut row = 0u32;
    let mut breaks = Vec::new();
    for (chart, height) in &charts {
        if row > 0 {
            breaks.push(row);
        }
        ws.insert_chart(row, 0, chart)?;
        row += height.div_ceil(ROW_PX).max(PAGE_ROWS);
    }
    if charts.is_empty() {
        let why = match batch.forms.is_empty() {
            true => "没有读到自评表，没有图表。",
            false => "汇总或部门汇总分在几张工作表上，没有图表。",
        };
        ws.write_string(0, 0, why)?;
        row = 1;
    }
    ws.set_page_breaks(&breaks)?;
    ws.set_print_area(0, 0, row - 1, CHART_COLUMNS - 1)?;
    Ok(())
}

/// The value axis's top: 100, or the highest value rounded up to ten when one is higher
/// (a 核算总分 of 120 is possible and must show); its bottom 0, or the lowest rounded down
/// to ten when one is negative.
pub fn score_axis(values: impl IntoIterator<Item = rust_decimal::Decimal>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 100.0f64);
    for v in values {
        if let Some(x) = v.to_f64() {
            lo = lo.min((x / 10.0).floor() * 10.0);
            hi = hi.max((x / 10.0).ceil() * 10.0);
        }
    }
    (lo, hi)
}

/// A step of the project-count axis: 1 up to ten projects, then a whole number giving
/// about ten steps.
fn count_step(most: usize) -> f64 {
    most.div_ceil(10).max(1) as f64
}

/// How many forms have each grade (优, 良, 中, 差, 无等级): 部门汇总's 合计 row.
fn grade_chart(departments: u32) -> rust_xlsxwriter::Chart {
    use rust_xlsxwriter::{Chart, ChartType};
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name("等级分布（项目数）");
    let total = departments + 2;
    let (g0, g1) = (tables::DEPT_GRADES, tables::DEPT_GRADES + 4);
    chart
        .add_series()
        .set_name("项目数")
        .set_categories(("部门汇总", 0, g0, 0, g1))
        .set_values(("部门汇总", total, g0, total, g1))
        .set_data_label(rust_xlsxwriter::ChartDataLabel::new().show_value());
    chart.legend().set_hidden();
    chart.y_axis().set_min(0);
    chart.set_width(CHART_WIDTH).set_height(540);
    chart
}

/// Departments `first..=last` (rows of 部门汇总) by grade, as stacked bars, with its
/// height in pixels.
fn department_chart(
    first: u32,
    last: u32,
    departments: u32,
    most: usize,
) -> (rust_xlsxwriter::Chart, u32) {
    use rust_xlsxwriter::{Chart, ChartType};
    let mut chart = Chart::new(ChartType::BarStacked);
    let name = match departments > DEPARTMENTS_PER_CHART {
        true => format!("各部门项目等级（第 {first}–{last} 个部门，共 {departments} 个）"),
        false => "各部门项目等级".to_string(),
    };
    chart.title().set_name(&name);
    let colours = ["70AD47", "5B9BD5", "FFC000", "C00000", "A5A5A5"];
    for (i, colour) in colours.iter().enumerate() {
        let c = tables::DEPT_GRADES + i as u16;
        chart
            .add_series()
            .set_name(("部门汇总", 0, c))
            .set_categories(("部门汇总", first, 0, last, 0))
            .set_values(("部门汇总", first, c, last, c))
            .set_gap(60)
            .set_format(
                rust_xlsxwriter::ChartFormat::new()
                    .set_solid_fill(rust_xlsxwriter::ChartSolidFill::new().set_color(*colour)),
            );
    }
    // First department at the top, as in the table; whole numbers of projects.
    chart.y_axis().set_reverse();
    chart
        .x_axis()
        .set_name("项目数")
        .set_min(0)
        .set_major_unit(count_step(most));
    let height = 120 + 22 * (last - first + 1);
    chart.set_width(CHART_WIDTH).set_height(height);
    (chart, height)
}

/// Declared and computed totals per project, side by side, the value axis reaching the
/// highest of them ([`score_axis`]).
fn score_chart(batch: &Batch, n: u32) -> rust_xlsxwriter::Chart {
    use rust_xlsxwriter::{Chart, ChartType};
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name("申报总分与核算总分");
    for (col, name) in [
        (tables::SUMMARY_DECLARED, "申报总分"),
        (tables::SUMMARY_COMPUTED, "核算总分"),
    ] {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("汇总", 1, 0, n, 0))
            .set_values(("汇总", 1, col, n, col));
    }
    let (lo, hi) = score_axis(
        batch
            .forms
            .iter()
            .flat_map(|p| [p.declared_total.value, p.computed_total])
            .flatten(),
    );
    chart.y_axis().set_min(lo).set_max(hi);
    chart
        .legend()
        .set_position(rust_xlsxwriter::ChartLegendPosition::Bottom);
    chart.set_width(CHART_WIDTH).set_height(540);
    chart
}

/// A 说明 sheet: A4 fitted to the page width, the page header, `marker` and the version in
/// A1 (how a later run knows the workbook as jixiao's: every jixiao workbook's, the sample
/// and review workbooks' too).
pub(crate) fn notes_sheet<'a>(
    wb: &'a mut rust_xlsxwriter::Workbook,
    marker: &str,
    title: &str,
) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(own::OUTPUT_SHEET)?;
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    page_header(ws, title);
    let marker = format!("{marker} · jixiao {}", env!("CARGO_PKG_VERSION"));
    ws.write_string_with_format(0, 0, &marker, &Formats::new().title)?;
    Ok(ws)
}

/// What a feedback workbook's cover says: who sends it, by when it is to come back, whom
/// to ask, and how much there is to correct.
struct Cover<'a> {
    letterhead: &'a Letterhead,
    forms: &'a [&'a crate::model::Form],
    errors: usize,
    warnings: usize,
}

impl Cover<'_> {
    /// The cover's lines, each with whether it is a heading. A field the clerk left unset
    /// gives no line (never `联系人：` with nothing after it).
    fn lines(&self, title: &str) -> Vec<(String, bool)> {
        let l = self.letterhead;
        fn set(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let mut out = vec![(title.to_string(), true)];
        let department = self.forms.iter().find_map(|p| {
            p.department
                .value
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
        });
        if let Some(d) = department {
            out.push((format!("致：{d}"), false));
        }
        if let Some(unit) = set(&l.unit) {
            out.push((format!("编制单位：{unit}"), false));
        }
        if let Some(date) = set(&l.deadline) {
            out.push((format!("请于{date}前更正并报送。"), false));
        }
        let who: Vec<String> = [("联系人", set(&l.contact)), ("联系电话", set(&l.phone))]
            .into_iter()
            .filter_map(|(k, v)| Some(format!("{k}：{}", v?)))
            .collect();
        if !who.is_empty() {
            out.push((who.join("　"), false));
        }
        let found = match (self.errors, self.warnings) {
            (0, 0) => "未发现须更正的错误或须核实的警告".to_string(),
            (e, w) => format!("须更正的错误 {e} 条、须核实的警告 {w} 条，见“问题清单”"),
        };
        out.push((
            format!("本次共审核贵单位自评表 {} 张，{found}。", self.forms.len()),
            false,
        ));
        out.push((String::new(), false));
        out.push(("报送方式（任选其一）".into(), true));
        out.push((
            "1. 在原自评表文件中更正后，重新报送该文件（文件名见问题清单的“文件”列）。".into(),
            false,
        ));
        out.push((
            "2. 或直接在本工作簿的各“清洗”表中更正，保存后将本工作簿报送回来（请勿修改工作表名称和本表第一行）。".into(),
            false,
        ));
        out.push(("两种方式报回的自评表都会重新审核。".into(), false));
        out.push((String::new(), false));
        out.push(("如何阅读".into(), true));
        let by = set(&l.unit).map_or(String::new(), |u| format!("由{u}"));
        for line in [
            format!("本工作簿{by}根据贵单位报送的项目支出绩效自评表生成，供核对更正。"),
            "问题清单：须更正的错误（红色）和须核实的警告，每条的“链接”跳到清洗表中的对应单元格。".into(),
            "Pnn清洗：读入并清洗后的自评表，与原表同一版式、同一地址。浅黄 = 被修改的值或提示；橙色边框 = 警告；红色粗边框 = 错误；批注给出原值、问题代码与说明。".into(),
        ] {
            out.push((line, false));
        }
        out
    }
}

/// A feedback workbook's 说明: A1's marker ([`FEEDBACK_MARKER`]), so a later run may
/// replace it and a corrected copy sent back is read as forms; under it the cover
/// ([`Cover`]) and how to read the workbook, on one printed page. It is the sheet the
/// workbook opens on.
fn feedback_notes(
    wb: &mut rust_xlsxwriter::Workbook,
    f: &Formats,
    title: &str,
    cover: &Cover<'_>,
) -> Result<(), XlsxError> {
    const WIDTH: f64 = 90.0;
    let ws = notes_sheet(wb, FEEDBACK_MARKER, title)?;
    ws.set_column_width(0, WIDTH)?;
    // One page, wide and tall: the cover is sent as one sheet of paper.
    ws.set_print_fit_to_pages(1, 1);
    ws.set_active(true);
    let heading = Format::new().set_bold().set_font_size(12);
    for (i, (line, head)) in cover.lines(title).iter().enumerate() {
        let r = i as u32 + 2;
        if *head {
            ws.write_string_with_format(r, 0, line, &heading)?;
            ws.set_row_height(r, 20)?;
        } else if !line.is_empty() {
            ws.write_string_with_format(r, 0, line, &f.wrap)?;
            // A CJK character prints wider than two of the column's digits: room to spare.
            let n = sheetdata::lines_needed(line, WIDTH * 0.8);
            if n > 1 {
                ws.set_row_height(r, sheetdata::LINE_HEIGHT * n as f64)?;
            }
        }
    }
    Ok(())
}

/// 说明, its list of input files written here when `list` (else by
/// [`super::filelist::insert`] into the saved package); the list's header row.
fn notes(
    wb: &mut rust_xlsxwriter::Workbook,
    b: &Batch,
    f: &Formats,
    form_sheets: bool,
    split: &[Vec<String>],
    heading: &Heading,
    list: bool,
) -> Result<u32, XlsxError> {
    // A1 marks the workbook as jixiao's own output, so it is never read back as input.
    let ws = notes_sheet(wb, OUTPUT_MARKER, &heading.title)?;
    heading.apply(ws);
    ws.set_landscape();
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 12)?;
    ws.set_column_width(2, 66)?;
    ws.set_column_width(3, 8)?;
    let lines = [
        "本工作簿由 jixiao 从各部门提交的项目支出绩效自评表汇总生成。",
        "汇总：每张自评表一行（金额单位万元）；核算总分 = 执行率得分 + 各指标得分（空为0，共享得分只计一次），等级按核算总分：优≥90，良≥80，中≥60，差<60。",
        "部门汇总：每个主管部门一行（执行率为执行数之和除以预算数之和）；“汇总中的项目”列列出该部门各表的编号，点击跳到汇总中的第一张。",
        "指标明细：每个三级指标一行；计分组相同的指标共用一个合并的分值/得分，分值与得分只记在组内第一项。",
        "资金：每张表每个资金来源一行，金额单位万元。",
        "问题清单：按规则代码列出的问题，单元格为原表中的位置；规则说明见下表或运行 jixiao rules 代码。",
        "变更记录：jixiao 修改过的每个值（原值、新值、原因），可据此逐格追溯到原表。原值/新值（及清洗表批注）中不可见字符显示为：↵ 换行，→ 制表符，· 首尾空格，␣ 全角空格。",
    ];
    let compare: &[&str] = if form_sheets {
        &[
            "每张表有两张工作表：“Pnn原表”是读入的原样（值与合并单元格位置不变），“Pnn清洗”是清洗后的同一版式、同一地址。",
            "颜色：浅黄 = 被修改的值（批注给出原值与变更代码）或提示；橙色边框 = 警告；红色粗边框 = 错误（批注给出代码与说明）。",
            "对照方法：Excel 中打开两张表，视图 › 并排查看（View Side by Side）；LibreOffice 中 窗口 › 新建窗口（Window › New Window），两窗口各选一张表。",
            "问题清单和变更记录的“链接”列跳到清洗表中的对应单元格；汇总中的“原表”“清洗”列跳到各表；各表右上角“← 返回汇总”。",
        ]
    } else {
        &[
            "本次未输出各表的原表/清洗工作表（表数超过50或使用了 --no-form-sheets；可用 --form-sheets 打开）。",
        ]
    };
    let split: Vec<String> = split
        .iter()
        .map(|s| {
            format!(
                "“{}”超过 Excel 单表 1,048,576 行上限，已依次续写在：{}。",
                s[0],
                s.join("、")
            )
        })
        .collect();
    let lines: Vec<&str> = lines
        .iter()
        .chain(compare)
        .copied()
        .chain(split.iter().map(String::as_str))
        .collect();
    // Each line across the four columns, wrapped, in a row tall enough for it.
    let width = 40.0 + 12.0 + 66.0 + 8.0;
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        ws.merge_range(r, 0, r, 3, l, &f.wrap)?;
        let n = sheetdata::lines_needed(l, width);
        if n > 1 {
            ws.set_row_height(r, sheetdata::LINE_HEIGHT * n as f64)?;
        }
    }
    let mut r = lines.len() as u32 + 2;
    ws.write_string_with_format(r, 0, "输入文件", &f.bold)?;
    ws.write_string_with_format(r, 1, "状态", &f.bold)?;
    ws.write_string_with_format(r, 2, "SHA-256 / 原因", &f.bold)?;
    ws.write_string_with_format(r, 3, "表数", &f.bold)?;
    let header = r;
    if list {
        for i in &b.inputs {
            r += 1;
            let row = super::filelist::Row::of(i);
            ws.write_string_with_format(r, 0, row.shown, &f.wrap)?;
            ws.write_string(r, 1, row.status)?;
            ws.write_string_with_format(r, 2, &row.detail, &f.wrap)?;
            let n = row.lines();
            if n > 1 {
                ws.set_row_height(r, sheetdata::LINE_HEIGHT * n as f64)?;
            }
            ws.write_number(r, 3, row.forms as f64)?;
        }
    } else {
        r += b.inputs.len() as u32;
    }
    r += 2;
    ws.write_string_with_format(r, 0, "规则代码", &f.bold)?;
    ws.write_string_with_format(r, 1, "级别", &f.bold)?;
    ws.write_string_with_format(r, 2, "说明", &f.bold)?;
    for rule in rules::CATALOGUE {
        r += 1;
        ws.write_string(r, 0, rule.code.as_str())?;
        ws.write_string(r, 1, rule.severity().zh())?;
        ws.write_string(r, 2, rule.title)?;
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Form};

    fn batch(n: usize) -> Batch {
        let forms = (0..n)
            .map(|i| Form {
                id: format!("P{:04}", i + 1),
                name: Field::new(Some(format!("项目{i}")), None),
                department: Field::new(Some(format!("部门{}", i % 3)), None),
                computed_total: Some((70 + i % 30).into()),
                grade: Some(crate::score::grade((70 + i % 30).into())),
                ..Default::default()
            })
            .collect();
        Batch {
            forms,
            ..Default::default()
        }
    }

    /// A list sheet that cannot be written (a form's indicators do not read back) fails
    /// the workbook with why, never leaves it shorter.
    #[test]
    fn a_list_sheet_that_cannot_be_written_fails_the_workbook_with_why() {
        let mut b = batch(40);
        b.forms[7].indicators = crate::model::Indicators::unreadable(3);
        let e = to_xlsx(&b, &Options::default()).unwrap_err();
        assert!(e.to_string().contains("P0008 的指标无法读回"), "{e}");
    }

    /// Every chart part of a workbook, as text.
    fn charts(b: &Batch) -> Vec<String> {
        let bytes = to_xlsx(b, &Options::default()).unwrap();
        super::super::parts(&bytes)
            .into_iter()
            .filter(|(name, _)| name.starts_with("xl/charts/chart"))
            .map(|(_, body)| String::from_utf8(body).unwrap())
            .collect()
    }

    /// 说明's list of input files put into the saved package is, to the byte, the list
    /// rust_xlsxwriter writes: every status, empty and long details (row heights), other
    /// sheets, XML and `_xHHHH_` escapes, edge spaces, a path that is a rule's title (its
    /// shared string first used in the list), and lists ending in each part of a block of
    /// 16 rows.
    #[test]
    fn file_list_as_rust_xlsxwriter_writes_it() {
        use crate::model::{Input, Status};
        let input = |k: usize| {
            let mut i = Input {
                path: format!("/材料/{k}.xlsx"),
                sha256: Some(format!("{k:064x}")),
                status: Status::Ok,
                reason: None,
                detail: None,
                forms: k % 3,
                other_sheets: Vec::new(),
                shown: format!("{k}.xlsx"),
            };
            match k % 7 {
                1 => {
                    i.status = Status::Skipped;
                    i.sha256 = None;
                    i.reason = Some("不是自评表 <&> _x0041_".into());
                }
                2 => {
                    i.status = Status::Failed;
                    i.reason = Some("文件已损坏，".repeat(40));
                }
                3 => i.other_sheets = vec!["项目基本信息".into(), "立项依据".into()],
                4 => i.shown = String::new(),
                5 => i.shown = format!(" {k} 空格.xlsx "),
                6 => {
                    i.shown = rules::CATALOGUE[3].title.to_string();
                    i.sha256 = None;
                }
                _ => {}
            }
            i
        };
        for n in [1, 2, 5, 6, 7, 21, 22, 40] {
            let mut b = batch(3);
            b.inputs = (0..n).map(input).collect();
            let write = |writer_lists: bool| {
                let mut out = std::io::Cursor::new(Vec::new());
                let opts = Options::default();
                write_with(&b, &opts, form_sheets(&b, &opts), &mut out, writer_lists).unwrap();
                out.into_inner()
            };
            assert!(write(true) == write(false), "{n} inputs");
        }
    }

    #[test]
    fn per_project_chart_up_to_thirty_forms() {
        let c = charts(&batch(30));
        assert_eq!(c.len(), 2, "汇总's per-project chart and 部门汇总's");
        assert!(c.iter().any(|x| x.contains("<c:f>汇总!$A$2:$A$31</c:f>")));
        assert!(
            c.iter()
                .any(|x| x.contains("<c:f>部门汇总!$A$2:$A$4</c:f>"))
        );
    }

    #[test]
    fn grade_distribution_and_departments_above() {
        let c = charts(&batch(31));
        assert_eq!(c.len(), 2);
        assert!(
            !c.iter().any(|x| x.contains("汇总!$A$2:$A$32")),
            "no bar per project"
        );
        let grades = c
            .iter()
            .find(|x| x.contains("等级分布"))
            .expect("grade chart");
        assert!(grades.contains("<c:f>部门汇总!$H$1:$L$1</c:f>"), "{grades}");
        assert!(
            grades.contains("<c:f>部门汇总!$H$6:$L$6</c:f>"),
            "the 合计 row"
        );
        let depts = c.iter().find(|x| x.contains("各部门项目等级")).unwrap();
        assert!(depts.contains("<c:grouping val=\"stacked\"/>"));
        assert_eq!(depts.matches("<c:ser>").count(), 5, "优 良 中 差 无等级");
    }
    /// 部门汇总 links each department to its first form in 汇总, on 汇总's second part when
    /// 汇总 is split: forms of 部门0, 部门1, 部门2, 部门0, … at two rows a sheet.
    #[test]
    fn department_links_reach_split_summaries() {
        let bytes = to_xlsx(
            &batch(6),
            &Options {
                max_rows_per_sheet: 2,
                ..Default::default()
            },
        )
        .unwrap();
        let sheets: String = super::super::parts(&bytes)
            .into_iter()
            .filter(|(name, _)| name.starts_with("xl/worksheets/sheet"))
            .map(|(_, body)| String::from_utf8(body).unwrap())
            .collect();
        // 部门汇总 is split too: 部门0 and 部门1 on its first sheet, 部门2 on 部门汇总2.
        for (cell, to) in [
            ("O2", "'汇总'!A2"),
            ("O3", "'汇总'!A3"),
            ("O2", "'汇总2'!A2"),
        ] {
            let link = format!(r#"<hyperlink ref="{cell}" location="{to}""#);
            assert!(sheets.contains(&link), "{link}");
        }
    }
}
