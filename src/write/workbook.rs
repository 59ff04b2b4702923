//! The consolidated workbook (contract.md §Output workbook): 汇总, 指标明细, 资金, 问题清单,
//! 变更记录, 说明. Deterministic: same batch, same bytes.

use crate::batch::OUTPUT_MARKER;
use crate::grid::Pos;
use crate::model::{Batch, Field, Form, Severity};
use crate::rules;
use crate::template::deterministic_workbook;
use crate::write::forms;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

/// Column header and width (in characters; CJK counts double).
type Column = (&'static str, f64);

struct Formats {
    header: Format,
    text: Format,
    money: Format,
    number: Format,
    percent: Format,
    bold: Format,
    title: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color("DDEBF7")
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            text: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            money: Format::new()
                .set_num_format("0.00")
                .set_align(FormatAlign::Top),
            number: Format::new()
                .set_num_format("General")
                .set_align(FormatAlign::Top),
            percent: Format::new()
                .set_num_format("0.00%")
                .set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
        }
    }
}

/// A list sheet: header row, widths, frozen header, filter over the data.
fn list_sheet<'a>(
    wb: &'a mut rust_xlsxwriter::Workbook,
    name: &str,
    cols: &[Column],
    rows: u32,
    f: &Formats,
) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (i, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &f.header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.max(1), cols.len() as u16 - 1)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(ws)
}

fn put_text(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: Option<&str>,
    f: &Format,
) -> Result<(), XlsxError> {
    match v {
        Some(s) if !s.is_empty() => ws.write_string_with_format(r, c, s, f).map(|_| ()),
        _ => Ok(()),
    }
}

fn put_num(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: Option<Decimal>,
    f: &Format,
) -> Result<(), XlsxError> {
    match v.and_then(|d| d.to_f64()) {
        Some(n) => ws.write_number_with_format(r, c, n, f).map(|_| ()),
        None => Ok(()),
    }
}

fn text(f: &Field<String>) -> Option<&str> {
    f.value.as_deref()
}

fn cell(p: Option<Pos>) -> String {
    p.map(|p| p.to_string()).unwrap_or_default()
}

/// Options of the workbook writer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Write each form's 原表 and 清洗 sheets (forms read without their source are skipped).
    pub form_sheets: bool,
}

/// Form sheets are written by default up to this many forms.
pub const FORM_SHEETS_DEFAULT_MAX: usize = 50;

/// Whether to write form sheets: as the user chose, else when there are at most
/// [`FORM_SHEETS_DEFAULT_MAX`] of `count` (files before reading, forms after).
pub fn want_form_sheets(choice: Option<bool>, count: usize) -> bool {
    choice.unwrap_or(count <= FORM_SHEETS_DEFAULT_MAX)
}

/// A form's two sheets and where its source cells are in 清洗.
struct FormLinks {
    original: String,
    cleaned: String,
    locate: Box<dyn Fn(Pos) -> Pos>,
}

/// Per form (by project id), its sheets, when it has them.
struct Links {
    sheets: Vec<Option<FormLinks>>,
    by_id: std::collections::HashMap<String, usize>,
}

impl Links {
    fn new(b: &Batch, on: bool) -> Links {
        let sheets = b
            .forms
            .iter()
            .map(|p| {
                (on && p.source.is_some()).then(|| FormLinks {
                    original: forms::original_name(p),
                    cleaned: forms::cleaned_name(p),
                    locate: Box::new(forms::locator(p)),
                })
            })
            .collect();
        let by_id = b
            .forms
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        Links { sheets, by_id }
    }

    fn of(&self, project: Option<&str>) -> Option<&FormLinks> {
        self.sheets[*self.by_id.get(project?)?].as_ref()
    }

    fn any(&self) -> bool {
        self.sheets.iter().any(Option::is_some)
    }
}

/// Writes a link to a form's 清洗 cell (naming the 原表 cell) in column `c`.
fn cell_link(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    links: &Links,
    project: Option<&str>,
    cell: Option<Pos>,
) -> Result<(), XlsxError> {
    if let (Some(l), Some(cell)) = (links.of(project), cell) {
        let dest = (l.locate)(cell);
        let url = rust_xlsxwriter::Url::new(forms::link(&l.cleaned, dest))
            .set_text(format!("清洗 {dest}"))
            .set_tip(format!("原表：{}!{cell}", l.original));
        ws.write_url(r, c, url)?;
    }
    Ok(())
}

/// The workbook's bytes.
pub fn to_xlsx(batch: &Batch, opts: &Options) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let links = Links::new(batch, opts.form_sheets);
    let mut wb = deterministic_workbook();
    summary(&mut wb, batch, &f, &links)?;
    indicators(&mut wb, batch, &f)?;
    funds(&mut wb, batch, &f)?;
    findings(&mut wb, batch, &f, &links)?;
    changes(&mut wb, batch, &f, &links)?;
    if links.any() {
        for p in &batch.forms {
            forms::write(&mut wb, p)?;
        }
    }
    notes(&mut wb, batch, &f, links.any())?;
    wb.save_to_buffer()
}

const SUMMARY: &[Column] = &[
    ("编号", 8.0),
    ("项目名称", 36.0),
    ("主管部门", 16.0),
    ("实施单位", 16.0),
    ("年度", 7.0),
    ("年初预算数", 11.0),
    ("全年预算数", 11.0),
    ("全年执行数", 11.0),
    ("执行率", 9.0),
    ("执行率得分", 9.0),
    ("申报总分", 9.0),
    ("核算总分", 9.0),
    ("等级", 6.0),
    ("错误", 6.0),
    ("警告", 6.0),
    ("来源文件", 30.0),
    ("来源工作表", 12.0),
    ("位置", 8.0),
    ("原表", 10.0),
    ("清洗", 10.0),
];

fn summary(
    wb: &mut rust_xlsxwriter::Workbook,
    b: &Batch,
    f: &Formats,
    links: &Links,
) -> Result<(), XlsxError> {
    let n = b.forms.len() as u32;
    let ws = list_sheet(wb, "汇总", SUMMARY, n, f)?;
    for (i, p) in b.forms.iter().enumerate() {
        let r = i as u32 + 1;
        let t = &p.funds.total;
        ws.write_string(r, 0, &p.id)?;
        put_text(ws, r, 1, text(&p.name), &f.text)?;
        put_text(ws, r, 2, text(&p.department), &f.text)?;
        put_text(ws, r, 3, text(&p.implementer), &f.text)?;
        if let Some(y) = p.year.value {
            ws.write_number(r, 4, y)?;
        }
        put_num(ws, r, 5, t.initial.value, &f.money)?;
        put_num(ws, r, 6, t.full_year.value, &f.money)?;
        put_num(ws, r, 7, t.executed.value, &f.money)?;
        put_num(ws, r, 8, p.execution_rate, &f.percent)?;
        put_num(ws, r, 9, p.execution_score, &f.number)?;
        put_num(ws, r, 10, p.declared_total.value, &f.number)?;
        put_num(ws, r, 11, Some(p.computed_total), &f.number)?;
        ws.write_string(r, 12, p.grade)?;
        ws.write_number(r, 13, p.count(Severity::Error) as f64)?;
        ws.write_number(r, 14, p.count(Severity::Warning) as f64)?;
        ws.write_string(r, 15, &p.file)?;
        ws.write_string(r, 16, &p.sheet)?;
        ws.write_string(r, 17, p.anchor.to_string())?;
        if let Some(l) = &links.sheets[i] {
            let to = |name: &str, text: &str| {
                rust_xlsxwriter::Url::new(forms::link(name, p.anchor)).set_text(text)
            };
            ws.write_url(r, 18, to(&l.original, "原表"))?;
            ws.write_url(r, 19, to(&l.cleaned, "清洗"))?;
        }
    }
    // Totals row: budgets summed exactly in Decimal, written once.
    let r = n + 1;
    let sum = |g: fn(&Form) -> Option<Decimal>| b.forms.iter().filter_map(g).sum::<Decimal>();
    ws.write_string_with_format(r, 1, "合计", &f.bold)?;
    put_num(
        ws,
        r,
        5,
        Some(sum(|p| p.funds.total.initial.value)),
        &f.money,
    )?;
    put_num(
        ws,
        r,
        6,
        Some(sum(|p| p.funds.total.full_year.value)),
        &f.money,
    )?;
    put_num(
        ws,
        r,
        7,
        Some(sum(|p| p.funds.total.executed.value)),
        &f.money,
    )?;
    if n > 0 {
        score_chart(ws, n)?;
    }
    Ok(())
}

/// Declared and computed totals per project, side by side, below the table.
fn score_chart(ws: &mut Worksheet, n: u32) -> Result<(), XlsxError> {
    use rust_xlsxwriter::{Chart, ChartType};
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name("申报总分与核算总分");
    for (col, name) in [(10, "申报总分"), (11, "核算总分")] {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("汇总", 1, 0, n, 0))
            .set_values(("汇总", 1, col, n, col));
    }
    chart.y_axis().set_min(0).set_max(100);
    chart.set_width(640).set_height(300);
    ws.insert_chart(n + 3, 1, &chart)?;
    Ok(())
}

const INDICATORS: &[Column] = &[
    ("编号", 8.0),
    ("项目名称", 30.0),
    ("一级指标", 11.0),
    ("二级指标", 14.0),
    ("三级指标", 30.0),
    ("年度指标值", 16.0),
    ("实际完成值", 16.0),
    ("分值", 6.0),
    ("得分", 6.0),
    ("偏差原因", 16.0),
    ("计分组", 7.0),
    ("来源文件", 30.0),
    ("来源工作表", 12.0),
    ("单元格", 8.0),
];

fn indicators(wb: &mut rust_xlsxwriter::Workbook, b: &Batch, f: &Formats) -> Result<(), XlsxError> {
    let n: usize = b.forms.iter().map(|p| p.indicators.len()).sum();
    let ws = list_sheet(wb, "指标明细", INDICATORS, n as u32, f)?;
    let mut r = 1;
    for p in &b.forms {
        for i in &p.indicators {
            ws.write_string(r, 0, &p.id)?;
            put_text(ws, r, 1, text(&p.name), &f.text)?;
            put_text(ws, r, 2, text(&i.level1), &f.text)?;
            put_text(ws, r, 3, text(&i.level2), &f.text)?;
            put_text(ws, r, 4, text(&i.name), &f.text)?;
            put_text(ws, r, 5, text(&i.target), &f.text)?;
            put_text(ws, r, 6, text(&i.actual), &f.text)?;
            put_num(ws, r, 7, i.weight.value, &f.number)?;
            put_num(ws, r, 8, i.score.value, &f.number)?;
            put_text(ws, r, 9, text(&i.reason), &f.text)?;
            if let Some(g) = i.group {
                ws.write_number(r, 10, g)?;
            }
            ws.write_string(r, 11, &p.file)?;
            ws.write_string(r, 12, &p.sheet)?;
            ws.write_string(r, 13, cell(i.name.cell.or(i.target.cell)))?;
            r += 1;
        }
    }
    Ok(())
}

const FUNDS: &[Column] = &[
    ("编号", 8.0),
    ("项目名称", 30.0),
    ("资金来源", 14.0),
    ("年初预算数", 11.0),
    ("全年预算数", 11.0),
    ("全年执行数", 11.0),
    ("分值", 6.0),
    ("执行率", 9.0),
    ("得分", 6.0),
];

fn funds(wb: &mut rust_xlsxwriter::Workbook, b: &Batch, f: &Formats) -> Result<(), XlsxError> {
    let ws = list_sheet(wb, "资金", FUNDS, b.forms.len() as u32 * 4, f)?;
    let mut r = 1;
    for p in &b.forms {
        for (label, row) in p.funds.rows() {
            ws.write_string(r, 0, &p.id)?;
            put_text(ws, r, 1, text(&p.name), &f.text)?;
            ws.write_string(r, 2, label)?;
            put_num(ws, r, 3, row.initial.value, &f.money)?;
            put_num(ws, r, 4, row.full_year.value, &f.money)?;
            put_num(ws, r, 5, row.executed.value, &f.money)?;
            put_num(ws, r, 6, row.weight.value, &f.number)?;
            put_num(ws, r, 7, row.rate.value, &f.percent)?;
            put_num(ws, r, 8, row.score.value, &f.number)?;
            r += 1;
        }
    }
    Ok(())
}

const FINDINGS: &[Column] = &[
    ("级别", 7.0),
    ("代码", 7.0),
    ("说明", 60.0),
    ("项目", 8.0),
    ("文件", 30.0),
    ("工作表", 12.0),
    ("单元格", 8.0),
    ("链接", 12.0),
];

fn findings(
    wb: &mut rust_xlsxwriter::Workbook,
    b: &Batch,
    f: &Formats,
    links: &Links,
) -> Result<(), XlsxError> {
    let n = b.findings().count() as u32;
    let ws = list_sheet(wb, "问题清单", FINDINGS, n, f)?;
    for (i, x) in b.findings().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, x.severity.zh())?;
        ws.write_string(r, 1, x.code)?;
        ws.write_string_with_format(r, 2, &x.message, &f.text)?;
        put_text(ws, r, 3, x.project.as_deref(), &f.text)?;
        ws.write_string(r, 4, &x.file)?;
        put_text(ws, r, 5, x.sheet.as_deref(), &f.text)?;
        ws.write_string(r, 6, cell(x.cell))?;
        cell_link(ws, r, 7, links, x.project.as_deref(), x.cell)?;
    }
    Ok(())
}

const CHANGES: &[Column] = &[
    ("文件", 30.0),
    ("工作表", 12.0),
    ("单元格", 8.0),
    ("原值", 30.0),
    ("新值", 30.0),
    ("代码", 7.0),
    ("原因", 30.0),
    ("项目", 8.0),
    ("链接", 12.0),
];

fn changes(
    wb: &mut rust_xlsxwriter::Workbook,
    b: &Batch,
    f: &Formats,
    links: &Links,
) -> Result<(), XlsxError> {
    let n = b.changes().count() as u32;
    let ws = list_sheet(wb, "变更记录", CHANGES, n, f)?;
    for (i, c) in b.changes().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &c.file)?;
        ws.write_string(r, 1, &c.sheet)?;
        ws.write_string(r, 2, c.cell.to_string())?;
        ws.write_string_with_format(r, 3, &c.from, &f.text)?;
        ws.write_string_with_format(r, 4, &c.to, &f.text)?;
        ws.write_string(r, 5, c.code)?;
        ws.write_string_with_format(r, 6, &c.reason, &f.text)?;
        put_text(ws, r, 7, c.project.as_deref(), &f.text)?;
        cell_link(ws, r, 8, links, c.project.as_deref(), Some(c.cell))?;
    }
    Ok(())
}

fn notes(
    wb: &mut rust_xlsxwriter::Workbook,
    b: &Batch,
    f: &Formats,
    form_sheets: bool,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name("说明")?;
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 12)?;
    ws.set_column_width(2, 66)?;
    ws.set_column_width(3, 8)?;
    // A1 marks the workbook as jixiao's own output, so it is never read back as input.
    let marker = format!("{OUTPUT_MARKER} · jixiao {}", env!("CARGO_PKG_VERSION"));
    ws.write_string_with_format(0, 0, &marker, &f.title)?;
    let lines = [
        "本工作簿由 jixiao 从各部门提交的项目支出绩效自评表汇总生成。",
        "汇总：每张自评表一行；核算总分 = 执行率得分 + 各指标得分（空为0，共享得分只计一次），等级按核算总分：优≥90，良≥80，中≥60，差<60。",
        "指标明细：每个三级指标一行；计分组相同的指标共用一个合并的分值/得分，分值与得分只记在组内第一项。",
        "资金：每张表每个资金来源一行，金额单位万元。",
        "问题清单：按规则代码列出的问题，单元格为原表中的位置；规则说明见下表或运行 jixiao rules 代码。",
        "变更记录：jixiao 修改过的每个值（原值、新值、原因），可据此逐格追溯到原表。",
        "This workbook was generated by jixiao; every cleaned value can be traced to its source cell via 变更记录.",
    ];
    let compare: &[&str] = if form_sheets {
        &[
            "每张表有两张工作表：“Pnn原表”是读入的原样（值与合并单元格位置不变），“Pnn清洗”是清洗后的同一版式、同一地址。",
            "颜色：浅黄 = 被修改或推算的值（批注给出原值与变更代码）；橙色边框 = 警告；红色粗边框 = 错误（批注给出代码与说明）。",
            "对照方法：Excel 中打开两张表，视图 › 并排查看（View Side by Side）；LibreOffice 中 窗口 › 新建窗口（Window › New Window），两窗口各选一张表。",
            "问题清单和变更记录的“链接”列跳到清洗表中的对应单元格；汇总中的“原表”“清洗”列跳到各表；各表右上角“← 返回汇总”。",
        ]
    } else {
        &[
            "本次未输出各表的原表/清洗工作表（表数超过50或使用了 --no-form-sheets；可用 --form-sheets 打开）。",
        ]
    };
    let lines: Vec<&str> = lines.iter().chain(compare).copied().collect();
    for (i, l) in lines.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *l)?;
    }
    let mut r = lines.len() as u32 + 2;
    ws.write_string_with_format(r, 0, "输入文件", &f.bold)?;
    ws.write_string_with_format(r, 1, "状态", &f.bold)?;
    ws.write_string_with_format(r, 2, "SHA-256 / 原因", &f.bold)?;
    ws.write_string_with_format(r, 3, "表数", &f.bold)?;
    for i in &b.inputs {
        r += 1;
        ws.write_string(r, 0, &i.path)?;
        let status = match i.status {
            crate::model::Status::Ok => "已读取",
            crate::model::Status::Skipped => "已跳过",
            crate::model::Status::Failed => "失败",
        };
        ws.write_string(r, 1, status)?;
        let detail = match (&i.sha256, &i.reason) {
            (Some(h), Some(reason)) => format!("{h}\n{reason}"),
            (Some(h), None) => h.clone(),
            (None, Some(reason)) => reason.clone(),
            (None, None) => String::new(),
        };
        ws.write_string_with_format(r, 2, &detail, &f.text)?;
        ws.write_number(r, 3, i.forms as f64)?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, "规则代码", &f.bold)?;
    ws.write_string_with_format(r, 1, "级别", &f.bold)?;
    ws.write_string_with_format(r, 2, "说明", &f.bold)?;
    for rule in rules::CATALOGUE {
        r += 1;
        ws.write_string(r, 0, rule.code)?;
        ws.write_string(r, 1, rule.severity.zh())?;
        ws.write_string(r, 2, rule.title)?;
    }
    Ok(())
}
