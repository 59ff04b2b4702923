//! Real published 自评表 from other provinces, rebuilt cell by cell from their sources
//! (`tests/fixtures/real/build.py`, sources in `SOURCES.md`), read as a person reads them.
//!
//! Each `X.expected.json` was written by hand from the source, not by jixiao. This test reads
//! each workbook (and its LibreOffice .xls/.ods copies) and compares every field: identity,
//! year, the funds total row, each indicator's 一级/二级/三级/target/actual/weight/score and
//! row, and the totals. Then the findings of each form, exactly.
//!
//! Keys of the expected files this test reads beyond those: `unit` (amounts are given as the
//! form prints them; jixiao gives 万元), `funds_rows` (the 其中/上年结转/其他 rows),
//! `not_indicators`, `form_sheet`/`non_form_sheets` (a workbook of several sheets) and an
//! indicator's `review_score` (复核分). Keys it does not read, and why, are listed at
//! [`compare`].

mod common;

use common::*;
use jixiao::model::Form;
use rust_decimal::Decimal;
use serde_json::Value as J;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/real")
}

/// Labels compare by their vocabulary key without a points tail (`产出指标\n(60分)`).
fn label(s: &str) -> String {
    let k = jixiao::vocab::key(s);
    // Points printed without brackets (`项目决策\n2 分`, `产出\n指标\n40 分`).
    match k.strip_suffix('分') {
        Some(rest) => rest
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .to_string(),
        None => k,
    }
}

/// Texts compare without whitespace, half-width, without a leading `=` (a comparator that
/// says nothing; also as `﹦` or `═`, a box-drawing character typed for it in yunnan-yongde-2022).
fn text(s: &str) -> String {
    let k: String = jixiao::normalize::halfwidth(s)
        .chars()
        .filter(|c| !jixiao::normalize::is_space(*c))
        .collect();
    let k = k
        .replacen("大于等于", "≥", 1)
        .replacen("小于等于", "≤", 1)
        .replacen('≧', "≥", 1)
        .replacen('≦', "≤", 1);
    let k = k.strip_prefix("等于").unwrap_or(&k);
    k.trim_start_matches(['=', '﹦', '═']).to_string()
}

fn dec(v: &J) -> Option<Decimal> {
    v.as_str()
        .map(|s| Decimal::from_str(s).unwrap().normalize())
}

/// The factor that takes an amount in the expected file's `unit` to 万元 (jixiao's unit).
fn to_wan(e: &J) -> Decimal {
    match e["unit"].as_str() {
        None | Some("万元") => Decimal::ONE,
        Some("元") => Decimal::new(1, 4),
        Some("千元") => Decimal::new(1, 1),
        Some("亿元") => Decimal::from(10_000),
        Some(u) => panic!("unit {u:?}: not one of 元/千元/万元/亿元"),
    }
}

/// An amount of the expected file (as printed, in its `unit`) in 万元, exactly.
fn money(v: &J, factor: Decimal) -> Option<Decimal> {
    dec(v).map(|d| (d * factor).normalize())
}

fn opt_str(v: &J) -> Option<&str> {
    v.as_str()
}

struct Diff<'a> {
    file: &'a str,
    out: Vec<String>,
}

impl Diff<'_> {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        if got != want {
            self.out
                .push(format!("{}: {what}: got {got:?}, want {want:?}", self.file));
        }
    }
}

/// Compares one form with its expected file, field by field.
///
/// Keys left uncompared, because jixiao has no field for them or they are notes for readers:
/// `source`, `province`, `layout`, `known_problems`, `notes`, `section_weights` (points in
/// labels, not a field), `placeholders` (checked through `not_indicators` where a file lists
/// them there), `total_cells` and an indicator's `deviation`/`direction`/`name_without_prefix`
/// (older keys, never compared), `funds_subrows` (older files; `funds_rows` is its successor),
/// `year_from_document_name` (a year not on the form: `year` stays null),
/// `declared_grade` (the grade the form states: jixiao keeps no such field, its cell is an
/// L004 in the findings list), `funds_by_source` and `score_columns` (hubei-guangshui-2021,
/// still in `new/`: jixiao has no by-source amounts, and which column the total adds up
/// from shows in `score`/`review_score`) and `weight_from_label` (a weight given only in a
/// label; `weight` stays null).
fn compare(form: &Form, e: &J, d: &mut Diff) {
    let wan = to_wan(e);
    if wan != Decimal::ONE {
        d.eq(
            "F006 (amounts converted from the stated unit)",
            form.findings.iter().any(|f| f.code.as_str() == "F006"),
            true,
        );
    }
    if let Some(sheet) = opt_str(&e["form_sheet"]) {
        d.eq("sheet", &*form.sheet, sheet);
    }
    d.eq(
        "year",
        form.year.value,
        e["year"].as_i64().map(|y| y as i32),
    );
    for (what, got, key) in [
        ("name", &form.name, "name"),
        ("department", &form.department, "department"),
        ("implementer", &form.implementer, "implementer"),
    ] {
        d.eq(
            what,
            got.value.as_deref().map(text),
            opt_str(&e[key]).map(text),
        );
    }
    if let Some(c) = opt_str(&e["central_department"]) {
        d.eq(
            "central_department",
            form.central_department.value.as_deref().map(text),
            Some(text(c)),
        );
    }
    let ft = &e["funds_total"];
    let t = &form.funds.total;
    for (what, got) in [
        ("initial", t.initial.value),
        ("full_year", t.full_year.value),
        ("executed", t.executed.value),
        ("weight", t.weight.value),
        ("score", t.score.value),
    ] {
        let factor = match what {
            "weight" | "score" => Decimal::ONE,
            _ => wan,
        };
        d.eq(
            &format!("funds.{what}"),
            got.map(|v| v.normalize()),
            money(&ft[what], factor),
        );
        if let Some(cell) = ft["cells"][what].as_str() {
            let got_cell = match what {
                "initial" => t.initial.cell,
                "full_year" => t.full_year.cell,
                "executed" => t.executed.cell,
                "weight" => t.weight.cell,
                _ => t.score.cell,
            };
            d.eq(
                &format!("funds.{what} cell"),
                got_cell.map(|c| c.to_string()),
                Some(cell.to_string()),
            );
        }
    }
    d.eq(
        "execution_rate",
        form.execution_rate.map(|v| v.normalize()),
        dec(&ft["rate"]).or(form.execution_rate.map(|v| v.normalize())),
    );
    // The rows under the total (其中/上年结转/其他), found by their sheet row; a row jixiao
    // did not read counts as all empty.
    for w in e["funds_rows"].as_array().into_iter().flatten() {
        let row = w["row"].as_u64().unwrap() as u32 - 1;
        let empty = jixiao::model::FundRow::default();
        let got = form
            .funds
            .rows()
            .into_iter()
            .map(|(_, r)| r)
            .find(|r| {
                [
                    r.initial.cell,
                    r.full_year.cell,
                    r.executed.cell,
                    r.weight.cell,
                    r.rate.cell,
                    r.score.cell,
                ]
                .iter()
                .flatten()
                .any(|c| c.row == row)
            })
            .unwrap_or(&empty);
        let n = format!("funds row {} ({})", row + 1, w["label"]);
        for (what, got, factor) in [
            ("initial", got.initial.value, wan),
            ("full_year", got.full_year.value, wan),
            ("executed", got.executed.value, wan),
            ("weight", got.weight.value, Decimal::ONE),
            ("rate", got.rate.value, Decimal::ONE),
            ("score", got.score.value, Decimal::ONE),
        ] {
            if w.get(what).is_some() {
                d.eq(
                    &format!("{n} {what}"),
                    got.map(|v| v.normalize()),
                    money(&w[what], factor),
                );
            }
        }
    }
    let want = e["indicators"].as_array().unwrap();
    d.eq("indicator count", form.indicators.len(), want.len());
    for (i, (g, w)) in form.indicators.iter().zip(want).enumerate() {
        let n = format!("indicator {} ({})", i + 1, w["name"]);
        d.eq(
            &format!("{n} level1"),
            g.level1.value.as_deref().map(label),
            opt_str(&w["level1"]).map(label),
        );
        d.eq(
            &format!("{n} level2"),
            g.level2.value.as_deref().map(label),
            opt_str(&w["level2"]).map(label),
        );
        d.eq(
            &format!("{n} name"),
            g.name.value.as_deref().map(text),
            opt_str(&w["name"]).map(text),
        );
        d.eq(
            &format!("{n} row"),
            g.name.cell.map(|c| c.row as u64 + 1),
            w["row"].as_u64(),
        );
        d.eq(
            &format!("{n} target"),
            g.target.value.as_deref().map(text),
            opt_str(&w["target"]).map(text),
        );
        // An actual under a 度量单位 column is read with its unit (`72890` · `元`).
        let unit = w["target_parts"][2].as_str().map(text).unwrap_or_default();
        let actual = g.actual.value.as_deref().map(text);
        let want_actual = opt_str(&w["actual"]).map(text);
        let with_unit = want_actual.as_ref().map(|a| format!("{a}{unit}"));
        if actual != want_actual && actual != with_unit {
            d.eq(&format!("{n} actual"), actual, want_actual);
        }
        d.eq(
            &format!("{n} weight"),
            g.weight.value.map(|v| v.normalize()),
            dec(&w["weight"]),
        );
        d.eq(
            &format!("{n} score"),
            g.score.value.map(|v| v.normalize()),
            dec(&w["score"]),
        );
        if w.get("review_score").is_some() {
            d.eq(
                &format!("{n} review_score"),
                g.review().value.map(|v| v.normalize()),
                dec(&w["review_score"]),
            );
        }
    }
    not_indicators(form, e, d);
    d.eq(
        "weight_total",
        form.weight_total.value.map(|v| v.normalize()),
        dec(&e["weight_total"]),
    );
    d.eq(
        "declared_total",
        form.declared_total.value.map(|v| v.normalize()),
        dec(&e["declared_total"]),
    );
}

/// Rows an expected file lists under `not_indicators` that jixiao reads without an L010 or
/// L006, because the row belongs to another part of the form: none of its cells is left
/// unplaced, and no indicator is read from it. (file stem, 1-based row, what the row is.)
const READ_AS_OTHER_BLOCKS: &[(&str, u32, &str)] = &[
    // The funds block's 其中 row is a funds row (当年财政拨款), not an indicator-table row.
    ("sichuan-daying-2023", 9, "funds row 其中:财政资金"),
    // The funds header (its row label reads 项目名称); L010 is about indicator rows.
    ("central-pku-2019", 6, "funds header"),
    // The 注 under the 总分 row is read as the form's note.
    ("sichuan-zhongjiang-2022", 23, "注 under the total"),
    // An empty 二级 block (a lone 二级 label) gets no L006, as anhui-chizhou-2022's empty
    // 经济效益指标 block: a gap in what is reported (the block's emptiness is not said),
    // not in what is read.
    ("yunnan-yongde-2022", 20, "empty 二级 block 生态效益指标"),
    (
        "sichuan-zhongjiang-2022",
        17,
        "empty 二级 block 经济效益指标",
    ),
    // The headers of the form's two tables (项目决策/项目管理, then 产出/效益), read as
    // headers; and the line between them, a 一级-column text of an empty block.
    ("hubei-guangshui-2021", 9, "header of the first table"),
    ("hubei-guangshui-2021", 15, "line between the tables"),
    ("hubei-guangshui-2021", 16, "header of the second table"),
];

/// Each `not_indicators` row: no indicator's name cell in it, and an L010 (其中/notes/header)
/// or L006 (placeholder) in that row, or it is one of [`READ_AS_OTHER_BLOCKS`].
fn not_indicators(form: &Form, e: &J, d: &mut Diff) {
    let stem = d
        .file
        .rsplit_once('.')
        .map_or(d.file, |(s, _)| s)
        .to_string();
    for w in e["not_indicators"].as_array().into_iter().flatten() {
        let row1 = w["row"].as_u64().unwrap() as u32;
        let row = row1 - 1;
        let why = w["why"].as_str().unwrap();
        let n = format!("not_indicators row {row1} ({why})");
        let ind: Vec<String> = form
            .indicators
            .iter()
            .filter(|i| i.name.cell.is_some_and(|c| c.row == row))
            .map(|i| i.name.value.as_deref().unwrap_or_default().to_string())
            .collect();
        d.eq(&format!("{n}: indicators read from it"), ind, vec![]);
        let code = match why {
            "placeholder" => "L006",
            "其中" | "notes" | "header" => "L010",
            other => panic!("{stem}: not_indicators why {other:?}"),
        };
        let reported = form
            .findings
            .iter()
            .any(|f| f.code.as_str() == code && f.cell.is_some_and(|c| c.row == row));
        let silent = READ_AS_OTHER_BLOCKS
            .iter()
            .any(|(s, r, _)| *s == stem && *r == row1);
        if silent {
            d.eq(
                &format!("{n}: listed in READ_AS_OTHER_BLOCKS but has its {code}"),
                reported,
                false,
            );
            let unplaced: Vec<String> = form
                .cells
                .unplaced
                .iter()
                .filter(|u| u.cell.row == row)
                .map(|u| u.cell.to_string())
                .collect();
            d.eq(&format!("{n}: unplaced cells"), unplaced, vec![]);
        } else {
            d.eq(&format!("{n}: {code} in the row"), reported, true);
        }
    }
}

/// The one form of a workbook, with the sheets the workbook holds besides it.
fn read_input(path: &Path) -> (Form, Vec<String>) {
    let b = read(&[path.to_path_buf()]);
    let other = b
        .inputs
        .first()
        .map(|i| i.other_sheets.clone())
        .unwrap_or_default();
    (read_checked(path, b), other)
}

fn read_one(path: &Path) -> Form {
    read_checked(path, read(&[path.to_path_buf()]))
}

fn read_checked(path: &Path, b: jixiao::model::Batch) -> Form {
    assert_eq!(
        b.forms.len(),
        1,
        "{}: {:?}",
        path.display(),
        b.file_findings
    );
    let f = b.forms.into_iter().next().unwrap();
    assert_eq!(
        f.cells.read,
        f.cells.placed + f.cells.unplaced.len(),
        "{}",
        path.display()
    );
    f
}

#[test]
fn every_real_form_reads_as_a_person_reads_it() {
    let mut diffs = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let p = entry.unwrap().path();
        let Some(stem) = p
            .file_name()
            .and_then(|f| f.to_str())
            .and_then(|f| f.strip_suffix(".expected.json"))
        else {
            continue;
        };
        let e: J = read_json(&p);
        for ext in ["xlsx", "xls", "ods"] {
            let wb = fixtures().join(format!("{stem}.{ext}"));
            if !wb.exists() {
                continue;
            }
            let name = format!("{stem}.{ext}");
            let mut d = Diff {
                file: &name,
                out: Vec::new(),
            };
            let (form, other_sheets) = read_input(&wb);
            compare(&form, &e, &mut d);
            // A workbook of several sheets (central-pku-2019): one form, on its sheet, and
            // every other sheet listed as holding none.
            if let Some(want) = e["non_form_sheets"].as_array() {
                let want: Vec<&str> = want.iter().filter_map(|s| s.as_str()).collect();
                d.eq(
                    "other sheets",
                    other_sheets.iter().map(|s| s.as_str()).collect(),
                    want,
                );
            }
            diffs.extend(d.out);
            n += 1;
        }
    }
    assert!(n >= 17, "{n} workbooks");
    assert!(diffs.is_empty(), "\n{}", diffs.join("\n"));
}

/// The findings of each real form, as codes and cells: the real mistakes stand out, and
/// nothing about the layout is reported that a person would not.
#[test]
fn real_forms_raise_exactly_these_findings() {
    let cases: &[(&str, &[&str])] = &[
        // 年度资金总额 row all 0 beside a filled 本年财政拨款 row; copy ends before 总分.
        (
            "anhui-chizhou-2022.xlsx",
            &[
                "L001@A4", "F001@C7", "F001@D7", "F001@E7", "S010@F7", "C004@E18",
            ],
        ),
        // The central form: no 分值/得分 columns, so no total and no grade (L005 each); its
        // copy ends after the indicator header, so no indicator was read (L005).
        (
            "central-huainan-2024.xlsx",
            &["L005@B22", "L005@B22", "L005@B22", "L005@B22"],
        ),
        // Placeholder rows are not indicators (one L006); 9 for 8.6 is a real F005; the
        // 数量指标 工程资金金额 43.2 counts money, not output (C007); 学生满意度 100 with no
        // survey named (C013).
        (
            "hebei-langfang-2019.xlsx",
            &["L006@D15", "L001@A4", "F005@H7", "C007@E14", "C013@F38"],
        ),
        // No 分值 column: weight checks skipped, but S001 still finds 100 declared over 120,
        // and a 核算总分 of 120 out of 100 gets no 等级 (S014); 预算资金执行率 as an 产出
        // indicator (C007).
        (
            "hubei-2020-exec20.xlsx",
            &[
                "L005@B10", "S014@G19", "S001@G19", "C001@", "C001@", "C007@D15",
            ],
        ),
        // 总分 90 counts only the indicators; weights add to 110. 计划完成率 90% done 60%
        // (a rate under 成本, to reach): 60/90 × 20 = 13.33 suggested, 10 given (S016).
        (
            "hubei-ezhou-2019.xlsx",
            &["S016@H16", "S001@H19", "S004@G19"],
        ),
        // No 分值 and no 得分 column: no total is owed, no L001.
        (
            "hunan-hengshan-2020.xlsx",
            &["L010@A28", "L005@B11", "L005@B11"],
        ),
        ("neimenggu-bayannur-2024.xlsx", &["L001@A2", "S010@F5"]),
        // 自评得分 98 in the header, which the item scores (84) cannot reach.
        (
            "ningxia-yinchuan-2021.xlsx",
            &[
                "L006@C19", "S001@B4", "S006@H14", "S006@H22", "S006@H29", "S006@H32", "S010@B4",
                "C001@D8",
            ],
        ),
        // Instructions left in (L007); nothing scored (S003), so no total and no grade
        // (L005) rather than a total of 0 and 差; 发放(缴纳)覆盖率 weighs 60 of 100 (C010).
        (
            "sichuan-qingshen-2023.xlsx",
            &[
                "L007@I9", "L007@H6", "L005@B14", "S003@H9", "S003@J15", "S003@J16", "C001@H6",
                "C002@H15", "C002@H16", "C010@I15",
            ],
        ),
        // Points taken off although every target was met (S008), with no reason (S006), so
        // under the full marks suggested (S016: 9 of 10, 19 of 20 twice, 27 of 30); the
        // 数量指标 卫片执法补助经费 72890元 counts money (C007).
        (
            "yunnan-lijiang-2020.xlsx",
            &[
                "L001@A2", "S016@I13", "S016@I14", "S016@I15", "S016@I16", "S003@I17", "S006@J13",
                "S006@J14", "S006@J15", "S006@J16", "S008@I13", "S008@I14", "S008@I15", "S008@I16",
                "C007@E13",
            ],
        ),
        // 执行率得分 9 where 97.8% of 10 is 9.78 (F005, the form rounds down); cut off before the
        // satisfaction values and 总分 (L001; weights 90, S010; 满意度 0 in S007).
        (
            "yunnan-linxiang-2023.xlsx",
            &["L001@A3", "F005@H6", "S007@B11", "S010@F6"],
        ),
        // 总分 100/100 counts the indicators only: 110 with the execution block (S001, S004, and
        // no grade for 110 of 100, S014); the 项目负责人及电话 line is unplaced (L004 ×2).
        (
            "sichuan-zhongjiang-2022.xlsx",
            &[
                "L006@D21", "L004@E2", "L004@G2", "S014@H22", "S001@H22", "S004@E22", "S007@B11",
            ],
        ),
        // Amounts in 元 (F006), a notes row (L010); points off with no reason (S006) and
        // although a target was met (S008), under the suggestion (S016: 7 of 10 for ≥100%
        // done 100%, 9 for 100% done 98% where 9.8 is suggested); 学生 and 家长满意度 100%
        // with no survey named (C013); the printed grade 优 has no
        // field (the 部门 line and 公开14表 beside it are kept as unplaced).
        (
            "yunnan-yongde-2022.xlsx",
            &[
                "F006@A5", "L010@A24", "L004@J25", "S016@I16", "S016@I19", "S006@J16", "S006@J19",
                "S007@A14", "S008@I16", "C013@G22", "C013@G23",
            ],
        ),
        // Two tables; sources side by side (their columns unread, L008); the copy ends
        // after three indicators, so 95 declared against 30 read (S001); 项目绩效85分 is a
        // label of no column.
        (
            "hubei-guangshui-2021.xlsx",
            &[
                "L008@B6", "L008@C6", "L008@D6", "L008@E6", "L008@F6", "L005@B9", "L005@B9",
                "L004@A17", "S001@G2", "C001@",
            ],
        ),
        // Instruction text left in 原因 (L007); cut off in the first indicator row, so nothing
        // scored (L005, no total and no grade) and its actual is empty (C002).
        (
            "sichuan-daying-2023.xlsx",
            &["L007@I8", "L001@A2", "L005@B13", "C002@H14"],
        ),
        // One form from a workbook of 11 sheets; unfilled: no indicators, so no total and no
        // grade (L005), 总分值 0 (S005), 实施单位 and 实际完成情况 empty (C001).
        (
            "central-pku-2019.xlsx",
            &["L005@B9", "L005@B9", "S005@H10", "C001@G5", "C001@"],
        ),
    ];
    let mut diffs = Vec::new();
    for (file, want) in cases {
        let f = read_one(&fixtures().join(file));
        let got: Vec<String> = f
            .findings
            .iter()
            .map(|x| {
                format!(
                    "{}@{}",
                    x.code,
                    x.cell.map(|c| c.to_string()).unwrap_or_default()
                )
            })
            .collect();
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        if got != want {
            diffs.push(format!("{file}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(diffs.is_empty(), "\n{}", diffs.join("\n"));
}

/// `jixiao check` on the real variants a new user sees: the real mistakes stand out, and
/// no layout noise drowns them (at most one line per unknown label, no L004 flood).
#[test]
fn check_on_the_variants_shows_the_real_mistakes() {
    let o = jixiao(&["check", "samples/variants"]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("[")).collect();
    let with = |file: &str, code: &str| {
        lines
            .iter()
            .filter(|l| l.contains(file) && l.contains(&format!("[{code}]")))
            .count()
    };
    assert_eq!(with("湖北2020", "S001"), 1, "{text}");
    assert_eq!(with("宁夏银川2021", "S001"), 1, "{text}");
    assert_eq!(with("四川青神2023", "S003"), 3, "{text}");
    assert!(lines.iter().all(|l| !l.contains("[L004]")), "{text}");
    let l008: Vec<&&str> = lines.iter().filter(|l| l.contains("[L008]")).collect();
    let mut texts: Vec<&str> = l008
        .iter()
        .filter_map(|l| l.split('“').nth(1)?.split('”').next())
        .collect();
    let n = texts.len();
    texts.dedup();
    assert_eq!(texts.len(), n, "{text}");
    assert!(lines.len() <= 30, "{text}");
}
