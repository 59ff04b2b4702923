//! Every changed cell is logged (issue 18, item 6): over every fixture, each form's 清洗
//! sheet differs from its 原表 exactly where 变更记录 says it does. A department corrects
//! the 清洗 sheet and sends it back, and the auditor compares the two side by side: a value
//! changed without a row (the funds label `预算执行情况(万元)\n(20分)` once shown as `20`)
//! is a change nobody can trace, and one the department's corrected copy then reports as
//! an unplaced cell (L004).

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use std::collections::{BTreeMap, BTreeSet};

/// A cell as the sheet shows it: text as typed, a number as Excel's General format prints
/// it.
fn shown(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether two cells hold the same value, whatever their type: the text `6` and the number
/// 6, the text `97.80%` and the number 0.978 (which 清洗 prints as 97.80%) are one value
/// written two ways; `6.0` and 6, ` 6` and 6 are not (those changes are logged).
fn same(a: &Data, b: &Data) -> bool {
    let (x, y) = (shown(a), shown(b));
    if x == y {
        return true;
    }
    let percent = |text: &Data, number: &Data| match (text, number) {
        (Data::String(s), Data::Float(f)) => s
            .strip_suffix('%')
            .and_then(|p| p.parse::<f64>().ok())
            .is_some_and(|p| (p / 100.0 - f).abs() < 1e-12),
        _ => false,
    };
    percent(a, b) || percent(b, a)
}

/// A sheet's non-empty cells by (row, column).
fn cells(r: &calamine::Range<Data>) -> BTreeMap<(u32, u32), Data> {
    let (r0, c0) = r.start().unwrap_or((0, 0));
    r.cells()
        .filter(|(_, _, d)| !shown(d).is_empty())
        .map(|(i, j, d)| ((r0 + i as u32, c0 + j as u32), d.clone()))
        .collect()
}

/// A cell for the report: `（空）`, “text” or a number.
fn report(d: Option<&Data>) -> String {
    match d {
        None => "（空）".into(),
        Some(Data::String(s)) => format!("“{s}”"),
        Some(d) => shown(d),
    }
}

fn a1((row, col): (u32, u32)) -> String {
    format!("{}{}", jixiao::grid::col_name(col), row + 1)
}

/// One logged change: its cell and its new value, as 变更记录 shows them.
struct Logged {
    cell: (u32, u32),
    to: String,
}

/// Converts `input` with every form's sheets and returns the violations: cells that differ
/// with no row in 变更记录, rows of 变更记录 at cells that do not differ.
fn violations(input: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.xlsx");
    let o = jixiao(&[
        "convert",
        input,
        "-o",
        out.to_str().unwrap(),
        "--form-sheets",
    ]);
    assert!(
        o.status.success(),
        "{input}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let names = wb.sheet_names();
    // 变更记录: 文件 工作表 单元格 原值 新值 代码 原因 项目 (链接); by project's sheet prefix.
    let log = wb.worksheet_range("变更记录").unwrap();
    let head: Vec<String> = (0..log.width())
        .map(|c| log.get((0, c)).map_or(String::new(), shown))
        .collect();
    let col = |t: &str| head.iter().position(|h| h == t).unwrap();
    let (cell_col, to_col, project_col) = (col("单元格"), col("新值"), col("项目"));
    let mut logged: BTreeMap<String, Vec<Logged>> = BTreeMap::new();
    for r in 1..log.height() {
        let text = |c: usize| log.get((r, c)).map_or(String::new(), shown);
        let project = text(project_col);
        let Some(n) = project
            .strip_prefix('P')
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let p = jixiao::grid::Pos::parse(&text(cell_col)).unwrap();
        logged.entry(format!("P{n:02}")).or_default().push(Logged {
            cell: (p.row, p.col),
            to: text(to_col),
        });
    }
    let mut bad = Vec::new();
    let mut forms = 0;
    for original in names.iter().filter(|n| n.contains("原表")) {
        let prefix = &original[..original.find("原表").unwrap()];
        let cleaned = original.replacen("原表", "清洗", 1);
        assert!(names.contains(&cleaned), "{input}: no {cleaned}");
        forms += 1;
        let a = cells(&wb.worksheet_range(original).unwrap());
        let b = cells(&wb.worksheet_range(&cleaned).unwrap());
        let rows = logged.remove(prefix).unwrap_or_default();
        let at: BTreeSet<(u32, u32)> = rows.iter().map(|l| l.cell).collect();
        let keys: BTreeSet<(u32, u32)> = a.keys().chain(b.keys()).copied().collect();
        let differs = |k: &(u32, u32)| {
            !same(
                a.get(k).unwrap_or(&Data::Empty),
                b.get(k).unwrap_or(&Data::Empty),
            )
        };
        for k in keys.iter().filter(|k| differs(k)) {
            // A value moved from its logged source cell to its indicator's row (a split or
            // joined value) stays in its column.
            let now = b.get(k).map_or(String::new(), shown);
            let moved = rows.iter().any(|l| {
                l.cell.1 == k.1 && !now.is_empty() && (l.to == now || value_eq(&l.to, &now))
            });
            if !at.contains(k) && !moved {
                bad.push(format!(
                    "{input} {cleaned} {}: 原表 {} → 清洗 {}，变更记录中没有",
                    a1(*k),
                    report(a.get(k)),
                    report(b.get(k)),
                ));
            }
        }
        for k in &at {
            if !differs(k) {
                bad.push(format!(
                    "{input} {cleaned} {}: 变更记录有一行，但原表与清洗相同（{}）",
                    a1(*k),
                    report(a.get(k)),
                ));
            }
        }
    }
    assert!(forms > 0, "{input}: no form sheets");
    for (prefix, rows) in logged {
        for l in rows {
            bad.push(format!(
                "{input} {prefix}: 变更记录 {} 没有对应的原表/清洗",
                a1(l.cell)
            ));
        }
    }
    bad
}

/// 新值 as logged (`0.95`) against a number as the sheet holds it.
fn value_eq(logged: &str, shown: &str) -> bool {
    match (logged.parse::<f64>(), shown.parse::<f64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() < 1e-9,
        _ => false,
    }
}

#[test]
fn every_changed_cell_of_every_fixture_is_logged() {
    let mut inputs = vec![
        "samples/2023".to_string(),
        "samples/stacked".to_string(),
        "samples/variants".to_string(),
    ];
    let mut real: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/real"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| ["xlsx", "xls", "ods"].contains(&e.to_str().unwrap()))
        })
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    real.sort();
    inputs.extend(real);
    let mut bad = Vec::new();
    for input in &inputs {
        bad.extend(violations(input));
    }
    for b in &bad {
        eprintln!("{b}");
    }
    assert!(
        bad.is_empty(),
        "{} cells changed without a log or logged without a change",
        bad.len()
    );
}

/// The codes `check` reports for `path`, sorted.
fn codes(path: &str) -> Vec<String> {
    let o = jixiao(&["check", path]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut codes: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let i = l.find('[')?;
            let code = &l[i + 1..i + 1 + l[i + 1..].find(']')?];
            Some(code.to_string())
        })
        .collect();
    codes.sort();
    codes
}

/// A department's copy sent back as it came (its 清洗 sheets) reads as its forms did: the
/// funds label the 清洗 sheet once replaced by its 分值 raised L004 there.
#[test]
fn a_feedback_workbook_sent_back_reads_as_the_forms_did() {
    let dir = tempfile::tempdir().unwrap();
    let fb = dir.path().join("FB");
    let o = jixiao(&[
        "convert",
        "samples/variants",
        "-o",
        dir.path().join("x.xlsx").to_str().unwrap(),
        "--feedback",
        fb.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut back: Vec<String> = std::fs::read_dir(&fb)
        .unwrap()
        .flat_map(|e| codes(e.unwrap().path().to_str().unwrap()))
        .collect();
    back.sort();
    assert_eq!(back, codes("samples/variants"));
}
