//! The review workbook of `jixiao review` (复核结果.xlsx) and its JSON: per project
//! 自评得分, 复核得分 and 偏离度 with the reviewers' 复核意见; per department the mean
//! 偏离度; every 复核意见 and adjusted score by indicator; the problems found on the
//! filled 底稿; 说明 with the marker ([`own::REVIEW_MARKER`]) and what the numbers mean.

use crate::own;
use crate::review::{Review, Status};
use crate::template::deterministic_workbook;
use crate::write::sheetdata::{LINE_HEIGHT, lines_needed};
use crate::write::workbook::page_header;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};
use serde_json::{Value as J, json};

/// What the review's notes say about blank 复核得分 cells, in the sheets and the JSON.
pub const BLANK_MEANS: &str = "复核得分留空表示认可该项自评得分；底稿中复核完成值、复核得分、复核意见均未填写的项目为“未复核”，不计复核得分与偏离度，也不计入部门平均偏离度。";

/// 偏离度 in words.
pub const DEVIATION_MEANS: &str = "偏离度 =（自评得分 − 复核得分）÷ 自评得分，保留四位小数（百分数两位），正数表示自评偏高；部门平均偏离度为该部门已复核项目偏离度的算术平均。";

struct Formats {
    header: Format,
    cell: Format,
    center: Format,
    percent: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_text_wrap();
        Formats {
            header: crate::write::workbook::header_format(),
            center: cell.clone().set_align(FormatAlign::Center),
            percent: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("0.00%"),
            wrap: cell.clone(),
            cell,
        }
    }
}

enum C {
    S(String),
    N(Option<Decimal>),
    P(Option<Decimal>),
}

fn table(
    ws: &mut Worksheet,
    title: &str,
    columns: &[(&str, f64)],
    rows: Vec<Vec<C>>,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (c, (h, w)) in columns.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 30)?;
    let n = rows.len() as u32;
    for (r, row) in rows.into_iter().enumerate() {
        let r = r as u32 + 1;
        let mut lines = 1;
        for (c, v) in row.into_iter().enumerate() {
            let c16 = c as u16;
            match v {
                C::S(s) => {
                    lines = lines.max(lines_needed(&s, columns[c].1));
                    ws.write_string_with_format(r, c16, &s, &f.wrap)?;
                }
                C::N(d) | C::P(d) if d.is_none() => {
                    ws.write_blank(r, c16, &f.center)?;
                }
                C::N(d) => {
                    let x = d.and_then(|d| d.to_f64()).unwrap_or_default();
                    ws.write_number_with_format(r, c16, x, &f.center)?;
                }
                C::P(d) => {
                    let x = d.and_then(|d| d.to_f64()).unwrap_or_default();
                    ws.write_number_with_format(r, c16, x, &f.percent)?;
                }
            }
        }
        if lines > 1 {
            ws.set_row_height(r, LINE_HEIGHT * lines as f64 + 4.0)?;
        }
    }
    let _ = &f.cell;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, n.max(1), columns.len() as u16 - 1)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    page_header(ws, title);
    Ok(())
}

/// The review workbook's bytes; `source` is the sample workbook as the notes name it.
pub fn to_xlsx(rv: &Review, source: &str) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = deterministic_workbook();
    let title = "项目支出绩效抽查复核结果";
    let ws = wb.add_worksheet();
    ws.set_name("项目复核")?;
    let rows = rv
        .projects
        .iter()
        .map(|p| {
            vec![
                C::S(p.id.clone()),
                C::S(p.name.clone()),
                C::S(p.department.clone()),
                C::N(Some(p.self_score)),
                C::N(p.review_score),
                C::P(p.deviation),
                C::S(p.status.zh().into()),
                C::N(Some(Decimal::from(p.adjusted() as u64))),
                C::S(p.opinions()),
            ]
        })
        .collect();
    table(
        ws,
        title,
        &[
            ("编号", 9.0),
            ("项目名称", 30.0),
            ("主管部门", 20.0),
            ("自评得分", 9.0),
            ("复核得分", 9.0),
            ("偏离度", 9.0),
            ("复核状态", 10.0),
            ("调整指标数", 8.0),
            ("复核意见", 60.0),
        ],
        rows,
        &f,
    )?;
    ws.set_active(true);
    let ws = wb.add_worksheet();
    ws.set_name("部门复核")?;
    let rows = rv
        .departments
        .iter()
        .map(|d| {
            vec![
                C::S(d.name.clone()),
                C::N(Some(Decimal::from(d.projects as u64))),
                C::N(Some(Decimal::from(d.reviewed as u64))),
                C::N(Some(d.self_total)),
                C::N(Some(d.review_total)),
                C::P(d.mean_deviation),
            ]
        })
        .collect();
    table(
        ws,
        title,
        &[
            ("主管部门", 24.0),
            ("抽查项目数", 10.0),
            ("已复核项目数", 10.0),
            ("自评得分合计（已复核）", 12.0),
            ("复核得分合计（已复核）", 12.0),
            ("平均偏离度", 10.0),
        ],
        rows,
        &f,
    )?;
    let ws = wb.add_worksheet();
    ws.set_name("复核意见")?;
    let mut rows = Vec::new();
    for p in &rv.projects {
        for r in p.rows.iter().filter(|r| r.touched()) {
            rows.push(vec![
                C::S(p.id.clone()),
                C::S(p.name.clone()),
                C::S(r.level1.clone()),
                C::S(r.name.clone()),
                C::N(r.weight),
                C::N(r.score),
                C::N(r.suggested),
                C::S(r.review_actual.clone().unwrap_or_default()),
                C::N(r.review_score),
                C::S(r.review_note.clone().unwrap_or_default()),
            ]);
        }
    }
    table(
        ws,
        title,
        &[
            ("编号", 9.0),
            ("项目名称", 24.0),
            ("一级指标", 10.0),
            ("三级指标", 24.0),
            ("分值", 7.0),
            ("自评得分", 8.0),
            ("建议得分", 8.0),
            ("复核完成值", 16.0),
            ("复核得分", 8.0),
            ("复核意见", 40.0),
        ],
        rows,
        &f,
    )?;
    let ws = wb.add_worksheet();
    ws.set_name("底稿问题")?;
    let rows = rv
        .notes
        .iter()
        .map(|n| {
            vec![
                C::S(n.project.clone().unwrap_or_default()),
                C::S(n.sheet.clone()),
                C::S(n.cell.map(|c| c.to_string()).unwrap_or_default()),
                C::S(n.message.clone()),
            ]
        })
        .collect();
    table(
        ws,
        title,
        &[
            ("编号", 9.0),
            ("工作表", 18.0),
            ("单元格", 8.0),
            ("说明", 90.0),
        ],
        rows,
        &f,
    )?;
    let ws = crate::write::workbook::notes_sheet(&mut wb, own::REVIEW_MARKER, title)?;
    ws.set_column_width(0, 100)?;
    let lines = [
        format!("本工作簿由 jixiao review 根据复核人填写的抽查底稿 {source} 生成。"),
        "自评得分：报送时各项自评得分之和（含预算执行），即核算总分；底稿中被改动的固定栏不改变计算，只在“底稿问题”中列出。".to_string(),
        format!("复核得分：各项复核得分之和。{BLANK_MEANS}"),
        DEVIATION_MEANS.to_string(),
        "复核得分无法识别（不是数字）的项目不计复核得分；底稿中被删除的行按认可自评计，新增的行不计入，均列在“底稿问题”中。".to_string(),
    ];
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, l, &wrap)?;
        ws.set_row_height(r, LINE_HEIGHT * lines_needed(l, 100.0) as f64 + 4.0)?;
    }
    wb.save_to_buffer()
}

fn dec(d: Option<Decimal>) -> J {
    d.map_or(J::Null, |d| J::String(d.normalize().to_string()))
}

fn opt(s: &Option<String>) -> J {
    s.as_ref().map_or(J::Null, |s| J::String(s.clone()))
}

/// The review as JSON: the same figures as the workbook, decimals as strings.
pub fn to_json(rv: &Review, source: &str) -> String {
    let projects: Vec<J> = rv
        .projects
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "department": p.department,
                "sheet": p.sheet,
                "status": p.status.as_str(),
                "self_score": dec(Some(p.self_score)),
                "review_score": dec(p.review_score),
                "deviation": dec(p.deviation),
                "opinions": p.opinions(),
                "rows": p.rows.iter().map(|r| json!({
                    "key": r.key,
                    "level1": r.level1,
                    "level2": r.level2,
                    "name": r.name,
                    "weight": dec(r.weight),
                    "self_score": dec(r.score),
                    "suggested_score": dec(r.suggested),
                    "review_actual": opt(&r.review_actual),
                    "review_score": dec(r.review_score),
                    "review_note": opt(&r.review_note),
                    "deleted": r.found.is_none(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let departments: Vec<J> = rv
        .departments
        .iter()
        .map(|d| {
            json!({
                "department": d.name,
                "projects": d.projects,
                "reviewed": d.reviewed,
                "self_total": dec(Some(d.self_total)),
                "review_total": dec(Some(d.review_total)),
                "mean_deviation": dec(d.mean_deviation),
            })
        })
        .collect();
    let notes: Vec<J> = rv
        .notes
        .iter()
        .map(|n| {
            json!({
                "project": n.project,
                "sheet": n.sheet,
                "cell": n.cell.map(|c| c.to_string()),
                "message": n.message,
            })
        })
        .collect();
    // A struct, so `tool` comes first: how jixiao knows the document as its own.
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        tool: J,
        sample: &'a str,
        semantics: J,
        summary: J,
        projects: Vec<J>,
        departments: Vec<J>,
        notes: Vec<J>,
    }
    let doc = Doc {
        tool: json!({"name": "jixiao", "version": env!("CARGO_PKG_VERSION")}),
        sample: source,
        semantics: json!({"blank_review_score": BLANK_MEANS, "deviation": DEVIATION_MEANS}),
        summary: json!({
            "projects": rv.projects.len(),
            "reviewed": rv.projects.iter().filter(|p| p.status == Status::Reviewed).count(),
            "notes": rv.notes.len(),
        }),
        projects,
        departments,
        notes,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON of plain values");
    s.push('\n');
    s
}

/// A problem of the filled 底稿, compiler-style: `抽查.xlsx:P0003复核底稿!K12: 说明`.
pub fn console_note(file: &str, n: &crate::review::Note) -> String {
    let cell = n.cell.map_or_else(String::new, |c| format!("!{c}"));
    format!("{file}:{}{cell}: {}", n.sheet, n.message)
}

fn percent(d: Option<Decimal>) -> String {
    d.and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
        .map_or_else(|| "—".into(), |p| format!("{}%", p.round_dp(2).normalize()))
}

/// Each project and department, for standard output.
pub fn console_lines(rv: &Review) -> String {
    let shown = |d: Option<Decimal>| d.map_or_else(|| "—".into(), |d| d.normalize().to_string());
    let mut out = String::new();
    for p in &rv.projects {
        out.push_str(&format!(
            "{}  {}  {}  自评 {}  复核 {}  偏离度 {}  {}\n",
            p.id,
            p.department,
            p.name,
            p.self_score.normalize(),
            shown(p.review_score),
            percent(p.deviation),
            p.status.zh()
        ));
    }
    for d in &rv.departments {
        out.push_str(&format!(
            "{}  已复核 {}/{}  平均偏离度 {}\n",
            d.name,
            d.reviewed,
            d.projects,
            percent(d.mean_deviation)
        ));
    }
    out
}

/// `复核 4 个项目（已复核 3） · 底稿问题 2 条`, for standard error.
pub fn console_summary(rv: &Review) -> String {
    let reviewed = rv
        .projects
        .iter()
        .filter(|p| p.status == Status::Reviewed)
        .count();
    format!(
        "复核 {} 个项目（已复核 {reviewed}） · 底稿问题 {} 条",
        rv.projects.len(),
        rv.notes.len()
    )
}
