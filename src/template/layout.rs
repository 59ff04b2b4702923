//! The canonical 项目支出绩效自评表 layout, written with rust_xlsxwriter: what the blank
//! template, the sample workbooks and the test and benchmark generators all write, so the
//! layout exists in exactly one place. A [`FormSpec`] says what the form holds;
//! [`Placement`] says where and how it is laid out (origin, rows per block, numbers typed
//! as text or as numbers), which is how tests make layout variants.
//!
//! Public for `examples/` and `tests/`, which write fixtures with it; not part of the
//! documented library surface.

use crate::normalize;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// The indicator columns the template writes, by role ([`crate::wording::Role`], the one model
/// of a form's columns).
pub use crate::wording::Role as Col;

/// Offset of a value role's column from the form's first column (A = 0): 三级指标 is D.
/// `None` for a role the canonical layout does not print (指标性质, 度量单位…).
fn offset(role: Col) -> Option<u16> {
    Some(match role {
        Col::Name => 3,
        Col::Target => 4,
        Col::Actual => 5,
        Col::Weight => 6,
        Col::Score => 7,
        Col::Reason => 8,
        _ => return None,
    })
}

/// A value in an indicator block: `row` within the block, merged down over `span` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct CellSpec {
    pub row: u32,
    pub col: Col,
    pub text: String,
    pub span: u32,
}

/// An 二级 block: its labels, its rows, and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockSpec {
    /// 一级 label; consecutive blocks with the same text share one merged cell.
    pub level1: String,
    pub level2: String,
    pub rows: u32,
    pub cells: Vec<CellSpec>,
}

impl BlockSpec {
    /// The rows the block needs for its values.
    pub fn needed_rows(&self) -> u32 {
        self.cells
            .iter()
            .map(|c| c.row + c.span.max(1))
            .max()
            .unwrap_or(1)
    }
}

/// Everything one form holds, as text exactly as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormSpec {
    pub year: Option<i32>,
    pub name: String,
    pub department: String,
    pub implementer: String,
    /// Rows 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金; columns 年初预算数, 全年预算数,
    /// 全年执行数, 分值, 执行率, 得分.
    pub funds: [[String; 6]; 4],
    pub expected: String,
    pub actual: String,
    pub blocks: Vec<BlockSpec>,
    pub weight_total: String,
    pub declared_total: String,
}

/// The fund source labels as the form prints them.
pub const FUND_ROWS: [&str; 4] = [
    "年度资金总额",
    "其中：当年财政拨款",
    "上年结转资金",
    "其他资金",
];
const FUND_COLS: [&str; 6] = [
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "分值",
    "执行率",
    "得分",
];
const HEADER: [&str; 8] = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完\n成值",
    "分值",
    "得分",
    "偏差原因\n分析及改进\n措施",
];

/// The blank form's blocks: the 办法's hierarchy, three rows each.
pub fn blank_blocks() -> Vec<BlockSpec> {
    [
        (
            "产出指标",
            &["数量指标", "质量指标", "时效指标", "成本指标"][..],
        ),
        (
            "效益指标",
            &[
                "经济效益指标",
                "社会效益指标",
                "生态效益指标",
                "可持续影响指标",
            ][..],
        ),
        ("满意度指标", &["服务对象满意度指标"][..]),
    ]
    .iter()
    .flat_map(|(l1, l2s)| {
        l2s.iter().map(move |l2| BlockSpec {
            level1: l1.to_string(),
            level2: l2.to_string(),
            rows: 3,
            cells: Vec::new(),
        })
    })
    .collect()
}

/// Where and how a form is laid out on its sheet.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Placement {
    /// Top-left cell of the form (zero-based row, column).
    pub origin: (u32, u16),
    /// Rows per block, at least what each block needs; `None` keeps each block's own.
    pub block_rows: Option<u32>,
    /// Write text that is a plain number (`10`, `19.2`, `100%`) as a number cell.
    pub numbers_as_numbers: bool,
}

struct Formats {
    title: Format,
    label: Format,
    cell: Format,
    left: Format,
    percent: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name("宋体")
            .set_font_size(10)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_font_name("宋体")
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            label: base.clone().set_bold().set_align(FormatAlign::Center),
            cell: base.clone().set_align(FormatAlign::Center),
            left: base.clone().set_align(FormatAlign::Left),
            percent: base.set_align(FormatAlign::Center).set_num_format("0%"),
        }
    }
}

/// Sets the widths and print setup the form needs, for a sheet starting at column `c0`.
pub fn setup_sheet(ws: &mut Worksheet, c0: u16) -> Result<(), XlsxError> {
    for (i, w) in FORM_WIDTHS.iter().enumerate() {
        ws.set_column_width(c0 + i as u16, *w)?;
    }
    setup_page(ws);
    Ok(())
}

/// The form's nine columns' widths, in characters. CJK characters take about two width
/// units; autofit undercounts them.
pub const FORM_WIDTHS: [f64; 9] = [5.0, 11.0, 13.0, 30.0, 16.0, 16.0, 7.0, 7.0, 14.0];

/// A form's page: A4, one page wide, centred.
pub fn setup_page(ws: &mut Worksheet) {
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
}

/// Writes one form; returns the number of rows it took.
pub fn write_form(ws: &mut Worksheet, spec: &FormSpec, at: &Placement) -> Result<u32, XlsxError> {
    let fm = Formats::new();
    let (r0, c0) = at.origin;
    let put = |ws: &mut Worksheet, r: u32, c: u16, text: &str, f: &Format| {
        write_value(ws, r, c, text, f, &fm.percent, at.numbers_as_numbers)
    };
    let merge = |ws: &mut Worksheet, r1: u32, c1: u16, r2: u32, c2: u16, text: &str, f: &Format| {
        merge_value(
            ws,
            (r1, c1, r2, c2),
            text,
            f,
            &fm.percent,
            at.numbers_as_numbers,
        )
    };
    let c = |i: u16| c0 + i;
    ws.merge_range(r0, c(0), r0, c(8), "项目支出绩效自评表", &fm.title)?;
    ws.set_row_height(r0, 28)?;
    let year = spec
        .year
        .map_or("（    年度）".to_string(), |y| format!("（{y}年度）"));
    ws.merge_range(
        r0 + 1,
        c(0),
        r0 + 1,
        c(8),
        &year,
        &fm.title.clone().set_font_size(11),
    )?;
    let r = r0 + 2;
    ws.merge_range(r, c(0), r, c(1), "项目名称", &fm.label)?;
    merge(ws, r, c(2), r, c(8), &spec.name, &fm.left)?;
    let r = r + 1;
    ws.merge_range(r, c(0), r, c(1), "主管部门", &fm.label)?;
    merge(ws, r, c(2), r, c(4), &spec.department, &fm.left)?;
    ws.merge_range(r, c(5), r, c(6), "实施单位", &fm.label)?;
    merge(ws, r, c(7), r, c(8), &spec.implementer, &fm.left)?;

    let r = r + 1;
    ws.merge_range(r, c(0), r + 4, c(0), "项目资金\n（万元）", &fm.label)?;
    ws.merge_range(r, c(1), r, c(2), "", &fm.label)?;
    for (i, h) in FUND_COLS.iter().enumerate() {
        ws.write_string_with_format(r, c(3 + i as u16), *h, &fm.label)?;
    }
    for (k, label) in FUND_ROWS.iter().enumerate() {
        let rr = r + 1 + k as u32;
        ws.merge_range(rr, c(1), rr, c(2), label, &fm.label)?;
        for (i, v) in spec.funds[k].iter().enumerate() {
            put(ws, rr, c(3 + i as u16), v, &fm.cell)?;
        }
    }

    let r = r + 5;
    ws.merge_range(r, c(0), r + 1, c(0), "年度总体目标", &fm.label)?;
    ws.merge_range(r, c(1), r, c(4), "预期目标", &fm.label)?;
    ws.merge_range(r, c(5), r, c(8), "实际完成情况", &fm.label)?;
    merge(ws, r + 1, c(1), r + 1, c(4), &spec.expected, &fm.left)?;
    merge(ws, r + 1, c(5), r + 1, c(8), &spec.actual, &fm.left)?;
    ws.set_row_height(r + 1, 60)?;

    let header = r + 2;
    for (i, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(header, c(1 + i as u16), *h, &fm.label)?;
    }
    ws.set_row_height(header, 40)?;
    let mut row = header + 1;
    let mut l1_start = row;
    for (bi, b) in spec.blocks.iter().enumerate() {
        let rows = match at.block_rows {
            Some(n) => n.max(b.needed_rows()),
            None => b.rows.max(b.needed_rows()),
        };
        let mut taken = vec![[false; 6]; rows as usize];
        for cell in &b.cells {
            let Some(off) = offset(cell.col) else {
                continue;
            };
            let span = cell.span.max(1);
            let (a, z) = (row + cell.row, row + cell.row + span - 1);
            let cc = c(off);
            if span > 1 {
                merge(ws, a, cc, z, cc, &cell.text, &fm.cell)?;
            } else {
                put(ws, a, cc, &cell.text, &fm.cell)?;
            }
            for t in &mut taken[cell.row as usize..(cell.row + span) as usize] {
                t[(off - 3) as usize] = true;
            }
        }
        // Borders on the empty cells too, so the blank rows look like a form.
        for (i, t) in taken.iter().enumerate() {
            for (k, done) in t.iter().enumerate() {
                if !done {
                    ws.write_blank(row + i as u32, c(3 + k as u16), &fm.cell)?;
                }
            }
        }
        let last = row + rows - 1;
        if rows > 1 {
            ws.merge_range(row, c(2), last, c(2), &b.level2, &fm.label)?;
        } else {
            ws.write_string_with_format(row, c(2), &b.level2, &fm.label)?;
        }
        let next_l1 = spec.blocks.get(bi + 1).map(|n| n.level1.as_str());
        if next_l1 != Some(b.level1.as_str()) {
            let text = &spec.blocks[block_index_of(spec, bi)].level1;
            if last > l1_start {
                ws.merge_range(l1_start, c(1), last, c(1), text, &fm.label)?;
            } else {
                ws.write_string_with_format(l1_start, c(1), text, &fm.label)?;
            }
            l1_start = last + 1;
        }
        row = last + 1;
    }
    if row > header + 1 {
        ws.merge_range(
            header,
            c(0),
            row - 1,
            c(0),
            "绩\n\n效\n\n指\n\n标",
            &fm.label,
        )?;
    } else {
        ws.write_string_with_format(header, c(0), "绩效指标", &fm.label)?;
    }
    ws.merge_range(row, c(0), row, c(5), "总分", &fm.label)?;
    put(ws, row, c(6), &spec.weight_total, &fm.cell)?;
    put(ws, row, c(7), &spec.declared_total, &fm.cell)?;
    ws.write_blank(row, c(8), &fm.cell)?;
    Ok(row - r0 + 1)
}

/// The first block of the run of blocks sharing `bi`'s 一级 label.
fn block_index_of(spec: &FormSpec, bi: usize) -> usize {
    let l1 = &spec.blocks[bi].level1;
    let mut i = bi;
    while i > 0 && spec.blocks[i - 1].level1 == *l1 {
        i -= 1;
    }
    i
}

/// A number cell when asked and the text is a plain number or percentage; else the text.
fn as_number(text: &str, numbers: bool) -> Option<(f64, bool)> {
    if !numbers || text.contains('\n') {
        return None;
    }
    let t = normalize::trim(text);
    if let Some(p) = t.strip_suffix('%') {
        return normalize::parse_number(p, &[])
            .filter(|_| p == normalize::trim(p))
            .and_then(|d| d.to_f64())
            .map(|f| (f / 100.0, true));
    }
    normalize::parse_number(t, &[])
        .filter(|_| t.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .and_then(|d| d.to_f64())
        .map(|f| (f, false))
}

fn write_value(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    text: &str,
    f: &Format,
    pf: &Format,
    numbers: bool,
) -> Result<(), XlsxError> {
    match as_number(text, numbers) {
        Some((n, pct)) => ws.write_number_with_format(r, c, n, if pct { pf } else { f })?,
        None if text.is_empty() => ws.write_blank(r, c, f)?,
        None => ws.write_string_with_format(r, c, text, f)?,
    };
    Ok(())
}

fn merge_value(
    ws: &mut Worksheet,
    (r1, c1, r2, c2): (u32, u16, u32, u16),
    text: &str,
    f: &Format,
    pf: &Format,
    numbers: bool,
) -> Result<(), XlsxError> {
    match as_number(text, numbers) {
        Some((n, pct)) => {
            let f = if pct { pf } else { f };
            ws.merge_range(r1, c1, r2, c2, "", f)?;
            ws.write_number_with_format(r1, c1, n, f)?;
        }
        None => {
            ws.merge_range(r1, c1, r2, c2, text, f)?;
        }
    }
    Ok(())
}

/// A workbook with a fixed creation time, so the same content gives the same bytes.
pub fn deterministic_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let when = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).expect("valid date");
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&when));
    wb
}
