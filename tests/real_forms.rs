//! Real published 自评表 from other provinces, rebuilt cell by cell from their sources
//! (`tests/fixtures/real/build.py`, sources in `SOURCES.md`), read as a person reads them.
//!
//! Each `X.expected.json` was written by hand from the source, not by jixiao. This test reads
//! each workbook (and its LibreOffice .xls/.ods copies) and compares every field: identity,
//! year, the funds total row, each indicator's 一级/二级/三级/target/actual/weight/score and
//! row, and the totals. Then the findings of each form, exactly.

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
    jixiao::vocab::key(s)
}

/// Texts compare without whitespace, half-width, without a leading `=` (a comparator that
/// says nothing).
fn text(s: &str) -> String {
    let k: String = jixiao::normalize::halfwidth(s)
        .chars()
        .filter(|c| !jixiao::normalize::is_space(*c))
        .collect();
    let k = k.replacen("大于等于", "≥", 1).replacen("小于等于", "≤", 1);
    let k = k.strip_prefix("等于").unwrap_or(&k);
    k.trim_start_matches(['=', '﹦']).to_string()
}

fn dec(v: &J) -> Option<Decimal> {
    v.as_str()
        .map(|s| Decimal::from_str(s).unwrap().normalize())
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

fn compare(form: &Form, e: &J, d: &mut Diff) {
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
        d.eq(
            &format!("funds.{what}"),
            got.map(|v| v.normalize()),
            dec(&ft[what]),
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
    }
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

fn read_one(path: &Path) -> Form {
    let b = read(&[path.to_path_buf()]);
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
        let e: J = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
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
            compare(&read_one(&wb), &e, &mut d);
            diffs.extend(d.out);
            n += 1;
        }
    }
    assert!(n >= 12, "{n} workbooks");
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
        // Placeholder rows are not indicators (one L006); 9 for 8.6 is a real F005.
        (
            "hebei-langfang-2019.xlsx",
            &["L006@D15", "L001@A4", "F005@H7"],
        ),
        // No 分值 column: weight checks skipped, but S001 still finds 100 declared over 120,
        // and a 核算总分 of 120 out of 100 gets no 等级 (S014).
        (
            "hubei-2020-exec20.xlsx",
            &["L005@B10", "S014@G19", "S001@G19", "C001@", "C001@"],
        ),
        // 总分 90 counts only the indicators; weights add to 110.
        ("hubei-ezhou-2019.xlsx", &["S001@H19", "S004@G19"]),
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
        // (L005) rather than a total of 0 and 差.
        (
            "sichuan-qingshen-2023.xlsx",
            &[
                "L007@I9", "L007@H6", "L005@B14", "S003@H9", "S003@J15", "S003@J16", "C001@H6",
                "C002@H15", "C002@H16",
            ],
        ),
        // Points taken off although every target was met (S008), with no reason (S006).
        (
            "yunnan-lijiang-2020.xlsx",
            &[
                "L001@A2", "S003@I17", "S006@J13", "S006@J14", "S006@J15", "S006@J16", "S008@I13",
                "S008@I14", "S008@I15", "S008@I16",
            ],
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
