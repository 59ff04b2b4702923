//! The sample workbook of `jixiao sample` (抽查.xlsx): 抽查清单 (the drawn projects with
//! their 风险分 and 抽取理由), 风险排序 (every project), one 复核底稿 sheet per drawn project
//! for the reviewer to fill by hand, 说明 (how the sample was drawn, and the marker that
//! makes the workbook jixiao's, [`own::SAMPLE_MARKER`]) and the hidden 底稿原值 that
//! `jixiao review` compares the filled 底稿 with.
//!
//! A 复核底稿 is print-ready: A4 landscape, one page wide, the project's header, the
//! indicators ruled as a table, wide empty 复核完成值 / 复核得分 / 复核意见 columns (light
//! yellow, the only unlocked cells of the protected sheet), the 合计 row and a 复核人 /
//! 复核日期 line at the bottom. Column A, hidden, holds each row's key
//! ([`sample::row_key`]). Deterministic: the same sample gives the same bytes.

use crate::model::{Batch, Form};
use crate::own;
use crate::sample::{self, PAPER_COLUMNS, Ranked, Sample};
use crate::template::deterministic_workbook;
use crate::write::sheetdata::{LINE_HEIGHT, lines_needed};
use crate::write::workbook::page_header;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

/// What the sample workbook says about the run besides the sample.
#[derive(Debug, Clone, Default)]
pub struct Info {
    /// The scoring profile asked for (`--profile`), printed in the titles.
    pub profile: Option<String>,
}

struct Formats {
    title: Format,
    line: Format,
    header: Format,
    cell: Format,
    center: Format,
    money: Format,
    percent: Format,
    fill: Format,
    fill_center: Format,
    total: Format,
    total_number: Format,
    link: Format,
    note: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let center = cell.clone().set_align(FormatAlign::Center);
        let fill = cell.clone().set_background_color("FFF7D6").set_unlocked();
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            line: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            header: crate::write::workbook::header_format(),
            money: cell.clone().set_num_format("#,##0.00"),
            percent: center.clone().set_num_format("0.00%"),
            fill_center: fill.clone().set_align(FormatAlign::Center),
            fill,
            total: center.clone().set_bold(),
            total_number: center.clone().set_bold(),
            link: cell.clone().set_hyperlink().set_font_color("0563C1"),
            note: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_font_size(10),
            cell,
            center,
        }
    }
}

/// One row of a 复核底稿 as issued: what the reviewer sees in the fixed columns, and what
/// 底稿原值 keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct PaperRow {
    pub key: String,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub target: String,
    pub actual: String,
    pub weight: Option<Decimal>,
    pub score: Option<Decimal>,
    pub suggested: Option<Decimal>,
    /// Rows sharing one merged 分值/得分 (the form's scoring group).
    pub group: Option<u32>,
}

fn text<T: std::ops::Deref<Target = str>>(f: &crate::model::Field<T>) -> String {
    f.value.as_deref().unwrap_or_default().to_string()
}

fn amount(d: Option<Decimal>) -> String {
    d.map_or_else(|| "—".into(), |d| format!("{}万元", d.normalize()))
}

/// A project's 底稿 rows: 预算执行 first (key 00), then every indicator in form order.
pub fn paper_rows(f: &Form) -> Vec<PaperRow> {
    let t = &f.funds.total;
    let rate = f
        .execution_rate
        .map_or_else(String::new, |r| format!("（{}）", sample::percent_words(r)));
    let mut rows = vec![PaperRow {
        key: sample::row_key(&f.id, 0),
        level1: "预算执行".into(),
        level2: String::new(),
        name: "预算执行率".into(),
        target: format!("预算 {}", amount(t.full_year.value)),
        actual: format!("执行 {}{rate}", amount(t.executed.value)),
        weight: t.weight.value,
        score: f.execution_score,
        suggested: crate::score::expected_execution_score(f),
        group: None,
    }];
    for (k, i) in f.indicators.iter().enumerate() {
        rows.push(PaperRow {
            key: sample::row_key(&f.id, k + 1),
            level1: text(&i.level1),
            level2: text(&i.level2),
            name: text(&i.name),
            target: text(&i.target),
            actual: text(&i.actual),
            weight: i.weight.value,
            score: i.score.value,
            suggested: i.suggested,
            group: i.group,
        });
    }
    rows
}

/// The titles' year: `2023年度`, `2021—2024年度`, or nothing.
fn years<'a>(forms: impl Iterator<Item = &'a Form>) -> String {
    let ys: std::collections::BTreeSet<i32> = forms.filter_map(|f| f.year.value).collect();
    match (ys.first(), ys.last()) {
        (Some(a), Some(z)) if a == z => format!("{a}年度"),
        (Some(a), Some(z)) => format!("{a}—{z}年度"),
        _ => String::new(),
    }
}

fn num(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    d: Option<Decimal>,
    f: &Format,
) -> Result<(), XlsxError> {
    match d.and_then(|d| d.to_f64()) {
        Some(x) => ws.write_number_with_format(r, c, x, f)?,
        None => ws.write_blank(r, c, f)?,
    };
    Ok(())
}

/// The sheets of the sample workbook of `s`: 抽查清单, 风险排序, one 底稿 per project
/// drawn, 说明 and the hidden 底稿原值.
pub fn sheet_count(s: &Sample) -> usize {
    s.drawn.len() + 4
}

/// The sample workbook's bytes.
pub fn to_xlsx(b: &Batch, s: &Sample, info: &Info) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = deterministic_workbook();
    let picks: Vec<&Ranked> = s.picks().collect();
    let year = years(picks.iter().map(|r| &b.forms[r.form]));
    let profile = info
        .profile
        .as_deref()
        .map_or_else(String::new, |p| format!("（评分方案：{p}）"));
    let title = format!("{year}项目支出绩效抽查清单{profile}");
    let method = format!(
        "抽取方法：按主管部门分层、按风险分加权抽样（每部门至少一项，余额一半取风险分最高者、一半按风险加权随机）。\
         样本 {}/{} 个项目，覆盖 {}/{} 个部门；随机种子 {}（同一输入、同一种子抽出同一样本）。",
        s.drawn.len(),
        s.ranked.len(),
        picks
            .iter()
            .map(|r| r.department.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        s.departments,
        s.seed
    );
    list_sheet(&mut wb, b, s, &title, &method, &f)?;
    ranking_sheet(&mut wb, b, s, &format!("{year}项目风险排序{profile}"), &f)?;
    let mut originals = Vec::new();
    for r in &picks {
        let form = &b.forms[r.form];
        let rows = paper_rows(form);
        let paper_title = format!("{}项目支出绩效自评复核底稿", years(std::iter::once(form)));
        paper_sheet(&mut wb, form, r, &rows, &paper_title, &f)?;
        originals.push((form, rows));
    }
    notes_sheet(&mut wb, s, info, &title, &f)?;
    originals_sheet(&mut wb, &originals, &f)?;
    wb.save_to_buffer()
}

fn print_setup(ws: &mut Worksheet, title: &str) {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    page_header(ws, title);
}

const LIST_COLUMNS: [(&str, f64); 8] = [
    ("编号", 9.0),
    ("项目名称", 30.0),
    ("主管部门", 20.0),
    ("全年预算数（万元）", 12.0),
    ("执行率", 9.0),
    ("核算总分", 8.0),
    ("风险分", 8.0),
    ("抽取理由", 62.0),
];

/// A list row's cells from 编号 to 风险分, the link on 编号 when `link`.
fn project_cells(
    ws: &mut Worksheet,
    row: u32,
    c0: u16,
    b: &Batch,
    r: &Ranked,
    link: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    let form = &b.forms[r.form];
    if link {
        let url =
            rust_xlsxwriter::Url::new(format!("internal:'{}'!A1", sample::paper_name(&form.id)))
                .set_text(&form.id)
                .set_tip(format!("转到{}", sample::paper_name(&form.id)));
        ws.write_url_with_format(row, c0, url, &f.link)?;
    } else {
        ws.write_string_with_format(row, c0, &form.id, &f.center)?;
    }
    ws.write_string_with_format(row, c0 + 1, text(&form.name), &f.cell)?;
    ws.write_string_with_format(row, c0 + 2, &r.department, &f.cell)?;
    num(ws, row, c0 + 3, form.funds.total.full_year.value, &f.money)?;
    num(ws, row, c0 + 4, form.execution_rate, &f.percent)?;
    num(ws, row, c0 + 5, form.computed_total, &f.center)?;
    num(ws, row, c0 + 6, Some(r.risk.total), &f.center)?;
    Ok(())
}

/// Lines the project's name (30 wide) and department (20 wide) take in a list row.
fn name_lines(b: &Batch, r: &Ranked) -> usize {
    lines_needed(&text(&b.forms[r.form].name), 30.0).max(lines_needed(&r.department, 20.0))
}

fn list_sheet(
    wb: &mut Workbook,
    b: &Batch,
    s: &Sample,
    title: &str,
    method: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sample::LIST_SHEET)?;
    let last_col = LIST_COLUMNS.len() as u16 - 1;
    for (c, (_, w)) in LIST_COLUMNS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.merge_range(0, 0, 0, last_col, title, &f.title)?;
    ws.set_row_height(0, 28)?;
    ws.merge_range(1, 0, 1, last_col, method, &f.line)?;
    let width: f64 = LIST_COLUMNS.iter().map(|(_, w)| w).sum();
    ws.set_row_height(1, LINE_HEIGHT * lines_needed(method, width) as f64 + 4.0)?;
    for (c, (h, _)) in LIST_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(2, 30)?;
    let mut row = 3;
    for r in s.picks() {
        project_cells(ws, row, 0, b, r, true, f)?;
        let reason = r.reason();
        ws.write_string_with_format(row, 7, &reason, &f.cell)?;
        let lines = lines_needed(&reason, 62.0).max(name_lines(b, r));
        ws.set_row_height(row, (LINE_HEIGHT * lines as f64 + 4.0).max(20.0))?;
        row += 1;
    }
    ws.set_freeze_panes(3, 0)?;
    print_setup(ws, title);
    ws.set_repeat_rows(2, 2)?;
    ws.set_print_area(0, 0, row.max(3) - 1, last_col)?;
    ws.set_active(true);
    Ok(())
}

fn ranking_sheet(
    wb: &mut Workbook,
    b: &Batch,
    s: &Sample,
    title: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sample::RANKING_SHEET)?;
    let columns: [(&str, f64); 10] = [
        ("排名", 6.0),
        ("编号", 9.0),
        ("项目名称", 30.0),
        ("主管部门", 20.0),
        ("全年预算数（万元）", 12.0),
        ("执行率", 9.0),
        ("核算总分", 8.0),
        ("风险分", 8.0),
        ("是否抽中", 8.0),
        ("风险因素", 56.0),
    ];
    for (c, (h, w)) in columns.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 30)?;
    for (k, r) in s.ranked.iter().enumerate() {
        let row = k as u32 + 1;
        ws.write_number_with_format(row, 0, r.rank as f64, &f.center)?;
        project_cells(ws, row, 1, b, r, r.drawn.is_some(), f)?;
        ws.write_string_with_format(
            row,
            8,
            if r.drawn.is_some() { "抽中" } else { "" },
            &f.center,
        )?;
        let factors = if r.risk.factors.is_empty() {
            "无突出风险因素".to_string()
        } else {
            r.risk
                .factors
                .iter()
                .map(|x| format!("{}（{}分）", x.words, x.points.normalize()))
                .collect::<Vec<_>>()
                .join("；")
        };
        ws.write_string_with_format(row, 9, &factors, &f.cell)?;
        let lines = lines_needed(&factors, 56.0).max(name_lines(b, r));
        ws.set_row_height(row, (LINE_HEIGHT * lines as f64 + 4.0).max(20.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, (s.ranked.len() as u32).max(1), 9)?;
    print_setup(ws, title);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// The widths of the 底稿 columns after the key (A): 一级 … 复核意见.
const PAPER_WIDTHS: [f64; 11] = [9.0, 10.0, 22.0, 14.0, 16.0, 6.0, 7.0, 7.0, 16.0, 9.0, 30.0];
/// The 底稿's header row (0-based); the rows follow it.
pub const PAPER_HEADER_ROW: u32 = 5;

fn paper_sheet(
    wb: &mut Workbook,
    form: &Form,
    r: &Ranked,
    rows: &[PaperRow],
    title: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sample::paper_name(&form.id))?;
    ws.set_column_width(0, 10)?;
    ws.set_column_hidden(0)?;
    for (c, w) in PAPER_WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16 + 1, *w)?;
    }
    let last = PAPER_COLUMNS.len() as u16; // column L
    let width: f64 = PAPER_WIDTHS.iter().sum();
    let half: f64 = PAPER_WIDTHS[..7].iter().sum();
    ws.merge_range(0, 1, 0, last, "项目支出绩效自评复核底稿", &f.title)?;
    // The rows' heights, added up: a 底稿 that fits one page (give or take a fifth) is
    // printed on one, a longer one one page wide.
    let mut height = 0.0;
    let mut tall = |ws: &mut Worksheet, row: u32, h: f64| {
        height += h;
        ws.set_row_height(row, h).map(|_| ())
    };
    tall(ws, 0, 30.0)?;
    let put = |ws: &mut Worksheet, row: u32, c0: u16, c1: u16, s: &str| {
        ws.merge_range(row, c0, row, c1, s, &f.line).map(|_| ())
    };
    let line1 = format!("编号：{}　　项目名称：{}", form.id, text(&form.name));
    let dept = format!("主管部门：{}", r.department);
    put(ws, 1, 1, 7, &line1)?;
    put(ws, 1, 8, last, &dept)?;
    let year = form.year.value.map_or_else(String::new, |y| y.to_string());
    let line2 = format!("年度：{year}　　实施单位：{}", text(&form.implementer));
    let source = format!("来源：{} · 工作表 {}", form.file, form.sheet);
    put(ws, 2, 1, 7, &line2)?;
    put(ws, 2, 8, last, &source)?;
    let lines = [
        (&line1, half),
        (&dept, width - half),
        (&line2, half),
        (&source, width - half),
    ]
    .map(|(s, w)| lines_needed(s, w));
    tall(ws, 1, LINE_HEIGHT * lines[0].max(lines[1]) as f64 + 4.0)?;
    tall(ws, 2, LINE_HEIGHT * lines[2].max(lines[3]) as f64 + 4.0)?;
    let shown = |d: Option<Decimal>| d.map_or_else(|| "—".into(), |d| d.normalize().to_string());
    let line3 = format!(
        "全年预算数：{}　　执行率：{}　　核算总分：{}　　建议总分：{}　　风险分：{}",
        amount(form.funds.total.full_year.value),
        form.execution_rate
            .map_or_else(|| "—".into(), sample::percent_words),
        shown(form.computed_total),
        shown(form.suggested_total),
        r.risk.total.normalize()
    );
    put(ws, 3, 1, last, &line3)?;
    tall(ws, 3, LINE_HEIGHT + 4.0)?;
    let why = format!("抽取理由：{}", r.reason());
    put(ws, 4, 1, last, &why)?;
    tall(ws, 4, LINE_HEIGHT * lines_needed(&why, width) as f64 + 4.0)?;
    let h = PAPER_HEADER_ROW;
    ws.write_string_with_format(h, 0, sample::KEY_HEADER, &f.header)?;
    for (c, name) in PAPER_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(h, c as u16 + 1, *name, &f.header)?;
    }
    tall(ws, h, 30.0)?;
    let mut row = h + 1;
    // Runs of rows sharing a scoring group: their 分值/得分 cells are merged.
    let mut k = 0;
    while k < rows.len() {
        let run = match rows[k].group {
            Some(g) => rows[k..].iter().take_while(|x| x.group == Some(g)).count(),
            None => 1,
        };
        for (j, p) in rows[k..k + run].iter().enumerate() {
            let at = row + j as u32;
            ws.write_string(at, 0, &p.key)?;
            for (c, s) in [&p.level1, &p.level2, &p.name, &p.target, &p.actual]
                .iter()
                .enumerate()
            {
                ws.write_string_with_format(at, c as u16 + 1, s.as_str(), &f.cell)?;
            }
            ws.write_blank(at, 9, &f.fill)?;
            ws.write_blank(at, 11, &f.fill)?;
            let lines = [
                (&p.level1, PAPER_WIDTHS[0]),
                (&p.level2, PAPER_WIDTHS[1]),
                (&p.name, PAPER_WIDTHS[2]),
                (&p.target, PAPER_WIDTHS[3]),
                (&p.actual, PAPER_WIDTHS[4]),
            ]
            .iter()
            .map(|(s, w)| lines_needed(s, *w))
            .max()
            .unwrap_or(1);
            // Room to write by hand: at least two lines.
            tall(ws, at, (LINE_HEIGHT * lines as f64 + 4.0).max(30.0))?;
        }
        let p = &rows[k];
        let end = row + run as u32 - 1;
        for (c, v, fmt) in [
            (6u16, p.weight, &f.center),
            (7, p.score, &f.center),
            (8, p.suggested, &f.center),
            (10, None, &f.fill_center),
        ] {
            if run > 1 {
                ws.merge_range(row, c, end, c, "", fmt)?;
            }
            num(ws, row, c, v, fmt)?;
        }
        row = end + 1;
        k += run;
    }
    // 合计: the issued sums; the reviewer's total is written by hand.
    let sum = |get: fn(&PaperRow) -> Option<Decimal>| {
        crate::score::checked_sum(rows.iter().filter_map(get)).map(|d| d.normalize())
    };
    let suggested_all = rows
        .iter()
        .all(|p| p.score.is_none() || p.suggested.is_some());
    ws.write_string(row, 0, sample::KEY_TOTAL)?;
    ws.merge_range(row, 1, row, 5, "合计", &f.total)?;
    num(ws, row, 6, sum(|p| p.weight), &f.total_number)?;
    num(ws, row, 7, sum(|p| p.score), &f.total_number)?;
    num(
        ws,
        row,
        8,
        sum(|p| p.suggested).filter(|_| suggested_all),
        &f.total_number,
    )?;
    ws.write_blank(row, 9, &f.fill)?;
    ws.write_blank(row, 10, &f.fill_center)?;
    ws.write_blank(row, 11, &f.fill)?;
    tall(ws, row, 30.0)?;
    let notes = [
        "填写说明：只在黄色栏填写。复核得分留空，表示认可该项自评得分；不认可时填写复核认定的得分，并在复核意见中写明理由。\
         合计行的复核得分可手工填写，复核时按各项重新相加。请勿改动其他各栏，勿增删行（jixiao review 将逐项核对，改动会列为问题）。",
        "复核人：________________　　　　复核日期：________年____月____日　　　　被评价单位确认：________________",
    ];
    let mut at = row + 2;
    for n in notes {
        ws.write_string(at, 0, sample::KEY_NOTE)?;
        ws.merge_range(at, 1, at, last, n, &f.note)?;
        tall(
            ws,
            at,
            (LINE_HEIGHT * lines_needed(n, width * 1.1) as f64 + 6.0).max(24.0),
        )?;
        at += 1;
    }
    print_setup(ws, title);
    // A4 landscape less the margins and the page header: about 490 points of rows.
    if height <= 490.0 * 1.25 {
        ws.set_print_fit_to_pages(1, 1);
    }
    ws.set_repeat_rows(h, h)?;
    ws.set_print_area(0, 0, at - 1, last)?;
    ws.protect_with_options(&ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    });
    Ok(())
}

fn notes_sheet(
    wb: &mut Workbook,
    s: &Sample,
    info: &Info,
    title: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = crate::write::workbook::notes_sheet(wb, own::SAMPLE_MARKER, title)?;
    ws.set_column_width(0, 100)?;
    let profile = info
        .profile
        .as_deref()
        .unwrap_or("财预〔2020〕10号（默认）");
    let lines = [
        "本工作簿由 jixiao sample 生成：按风险分抽取的项目（抽查清单）、全部项目的风险排序，以及每个抽中项目的复核底稿，供复核人打印后手工填写，或在黄色栏中直接填写。".to_string(),
        "风险分 = 预算金额（全年预算数位于全部项目前10% 30分、前25% 20分、前一半 10分）+ 执行率（低于50% 30分、低于80% 20分、低于90% 10分、无法核算 10分）+ 自评偏高（自评得分高于建议得分，每高1分计2分，至多20分）+ 问题（每个错误5分、每个警告1分，至多20分）+ 部门同分（一个部门两个以上项目核算总分全部相同，如均为满分，10分）。".to_string(),
        "抽取方法：先在每个主管部门内按“风险分+1”加权随机抽一项（样本量小于部门数时，取其中风险分最高者）；余下名额一半（向上取整）取风险分最高的项目，另一半在其余项目中按“风险分+1”加权随机抽取。同一项目重复报送的，只抽第一份。".to_string(),
        format!("随机种子：{}（jixiao sample --seed {} 可重现本样本）；样本量：{}；评分方案：{profile}。", s.seed, s.seed, s.size),
        "复核底稿：黄色栏为复核人填写栏（复核完成值、复核得分、复核意见），其余各栏为报送时的数据，工作表已保护（无密码）以防误改。复核得分留空表示认可该项自评得分。".to_string(),
        "复核完成后运行 jixiao review 抽查.xlsx -o 复核结果.xlsx，得出每个项目的自评得分、复核得分、偏离度 =（自评 − 复核）÷ 自评，以及各部门的平均偏离度。".to_string(),
        "底稿原值（隐藏）：发出时各行的原值，供 jixiao review 核对底稿是否被改动、增删。请勿修改。".to_string(),
    ];
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, l, &f.line)?;
        ws.set_row_height(r, LINE_HEIGHT * lines_needed(l, 100.0) as f64 + 4.0)?;
    }
    Ok(())
}

fn originals_sheet(
    wb: &mut Workbook,
    papers: &[(&Form, Vec<PaperRow>)],
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sample::ORIGINALS_SHEET)?;
    let issued = &PAPER_COLUMNS[..PAPER_COLUMNS.len() - sample::REVIEWER_COLUMNS];
    let headers: Vec<&str> = std::iter::once(sample::KEY_HEADER)
        .chain(sample::ORIGINAL_PROJECT_COLUMNS)
        .chain(issued.iter().copied())
        .collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    let mut row = 1;
    for (form, rows) in papers {
        for p in rows {
            ws.write_string(row, 0, &p.key)?;
            ws.write_string(row, 1, &form.id)?;
            ws.write_string(row, 2, text(&form.name))?;
            ws.write_string(row, 3, sample::department_of(form))?;
            ws.write_string(row, 4, sample::paper_name(&form.id))?;
            for (c, s) in [&p.level1, &p.level2, &p.name, &p.target, &p.actual]
                .iter()
                .enumerate()
            {
                ws.write_string(row, c as u16 + 5, s.as_str())?;
            }
            let plain = Format::new();
            num(ws, row, 10, p.weight, &plain)?;
            num(ws, row, 11, p.score, &plain)?;
            num(ws, row, 12, p.suggested, &plain)?;
            row += 1;
        }
    }
    ws.set_hidden(true);
    ws.protect();
    Ok(())
}

/// The drawn projects for the console (standard output), one a line:
/// `P0004  靖州县禁毒办  毛发检测…  风险分 27  理由`.
pub fn console_lines(b: &Batch, s: &Sample) -> String {
    let mut out = String::new();
    for r in s.picks() {
        let f = &b.forms[r.form];
        out.push_str(&format!(
            "{}  {}  {}  风险分 {}  {}\n",
            f.id,
            r.department,
            text(&f.name),
            r.risk.total.normalize(),
            r.reason()
        ));
    }
    out
}

/// `抽取 3/8 个项目，覆盖 5/5 个部门（随机种子 20240101）`, for standard error.
pub fn console_summary(s: &Sample, profile: Option<&str>) -> String {
    let covered: std::collections::BTreeSet<&str> =
        s.picks().map(|r| r.department.as_str()).collect();
    let profile = profile.map_or_else(String::new, |p| format!("，评分方案 {p}"));
    format!(
        "抽取 {}/{} 个项目，覆盖 {}/{} 个部门（随机种子 {}{profile}）",
        s.drawn.len(),
        s.ranked.len(),
        covered.len(),
        s.departments,
        s.seed
    )
}
