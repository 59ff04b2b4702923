//! The auditor's view: 原表 is the input at the same addresses; 清洗 is the cleaned form
//! in the same layout, with changes and findings marked.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use std::io::Cursor;
use std::path::Path;

fn convert(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.xlsx");
    let mut all = vec!["convert"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out.to_str().unwrap()]);
    let o = jixiao(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

fn sheet<'a>(names: &'a [String], prefix: &str) -> &'a str {
    names
        .iter()
        .find(|n| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("no sheet {prefix} in {names:?}"))
}

#[test]
fn original_sheets_hold_every_input_cell_and_merge_at_its_address() {
    let dir = convert(&["samples/2023"]);
    let mut out: Xlsx<_> = open_workbook(dir.path().join("out.xlsx")).unwrap();
    let names = out.sheet_names();
    for n in 1..=4 {
        let input = root().join(format!("samples/2023/{n}.xlsx"));
        let mut inp: Xlsx<_> = open_workbook(&input).unwrap();
        let want = inp.worksheet_range("Sheet1").unwrap();
        let want_merges = inp.merge_cells_by_sheet_name("Sheet1").unwrap();
        let name = sheet(&names, &format!("P{n:02}原表")).to_string();
        let got = out.worksheet_range(&name).unwrap();
        let got_merges = out.merge_cells_by_sheet_name(&name).unwrap();
        let mut checked = 0;
        for (r, c, v) in want.used_cells() {
            let abs = (
                want.start().unwrap().0 + r as u32,
                want.start().unwrap().1 + c as u32,
            );
            if *v == Data::Empty || *v == Data::String(String::new()) {
                continue;
            }
            assert_eq!(got.get_value(abs), Some(v), "{name} at {abs:?}");
            checked += 1;
        }
        assert!(checked > 100, "{checked}");
        for m in &want_merges {
            assert!(got_merges.contains(m), "{name} lacks merge {m:?}");
        }
    }
}

#[test]
fn original_sheets_keep_the_senders_widths_and_heights() {
    let dir = convert(&["samples/2023/4.xlsx"]);
    let input = &grids_of(&root().join("samples/2023/4.xlsx"))[0];
    let out = grids_of(&dir.path().join("out.xlsx"));
    for kind in ["原表", "清洗"] {
        let sheet = out
            .iter()
            .find(|g| g.sheet.starts_with(&format!("P01{kind}")))
            .unwrap();
        for (c, w) in input.col_widths.iter().take(9) {
            let got = sheet.col_widths.iter().find(|(c2, _)| c2 == c).unwrap().1;
            assert!((got - w).abs() < 0.1, "{kind} column {c}: {got} vs {w}");
        }
        for (r, h) in &input.row_heights {
            let got = sheet.row_heights.iter().find(|(r2, _)| r2 == r).unwrap().1;
            assert!((got - h).abs() < 0.01, "{kind} row {r}: {got} vs {h}");
        }
    }
    assert!(input.col_widths.len() >= 9 && !input.row_heights.is_empty());
}

fn note_texts(xlsx: &Path) -> String {
    parts_text(&std::fs::read(xlsx).unwrap(), |n| n.contains("comments"))
}

#[test]
fn cleaned_sheets_hold_split_values_numbers_and_derived_rates_in_notes() {
    let dir = convert(&["samples/2023"]);
    let path = dir.path().join("out.xlsx");
    let mut out: Xlsx<_> = open_workbook(&path).unwrap();
    let names = out.sheet_names();

    let p2 = sheet(&names, "P02清洗").to_string();
    let r = out.worksheet_range(&p2).unwrap();
    assert_eq!(
        r.get_value((15, 4)),
        Some(&Data::String("100%".into())),
        "E16"
    );
    assert_eq!(
        r.get_value((16, 4)),
        Some(&Data::String("≥95%".into())),
        "E17"
    );
    let merges = out.merge_cells_by_sheet_name(&p2).unwrap();
    assert!(!merges.iter().any(|m| m.start == (15, 4)), "E16 unmerged");
    // The shared 分值 stays one merged scoring group.
    assert!(
        merges
            .iter()
            .any(|m| m.start == (15, 6) && m.end == (16, 6))
    );

    let p1 = sheet(&names, "P01清洗").to_string();
    let r = out.worksheet_range(&p1).unwrap();
    assert_eq!(
        r.get_value((12, 7)),
        Some(&Data::Float(10.0)),
        "H13 as a number"
    );
    // The 执行率 left empty stays empty: the rate computed from the funds is F003's note
    // there (issue 18: a value written into 清洗 is one 变更记录 logs, and a rate nobody
    // typed is not a change of the form).
    assert!(
        matches!(r.get_value((5, 7)), None | Some(Data::Empty)),
        "执行率 H6 as typed: empty"
    );
    // The original keeps the text as typed.
    let o1 = sheet(&names, "P01原表").to_string();
    let r = out.worksheet_range(&o1).unwrap();
    assert_eq!(r.get_value((12, 7)), Some(&Data::String("\n10".into())));

    // P4's misaligned 时效指标 values sit in the indicator's row in 清洗.
    let p4 = sheet(&names, "P04清洗").to_string();
    let r = out.worksheet_range(&p4).unwrap();
    assert_eq!(
        r.get_value((19, 4)),
        Some(&Data::String("按照时间节点完成工作。".into())),
        "E20"
    );
    assert_eq!(r.get_value((19, 6)), Some(&Data::Float(10.0)), "G20");
    assert!(
        matches!(r.get_value((18, 4)), None | Some(Data::Empty)),
        "E19 cleared"
    );

    let notes = note_texts(&path);
    assert!(
        notes.contains("提示 F003：执行率为空，已按全年执行数6÷全年预算数6计算为100%"),
        "执行率 note"
    );
    assert!(notes.contains("S001"), "finding note");
    assert!(notes.contains("原值"), "change note");
}

#[test]
fn links_point_at_the_cleaned_cells() {
    let dir = convert(&["samples/2023"]);
    let path = dir.path().join("out.xlsx");
    let sheets = parts_text(&std::fs::read(&path).unwrap(), |n| {
        n.starts_with("xl/worksheets/sheet")
    });
    assert!(
        sheets.contains("P04清洗 毛发检测和城市污水溯源监测经费&apos;!H30")
            || sheets.contains("P04清洗 毛发检测和城市污水溯源监测经费'!H30")
    );
    assert!(sheets.contains("location=\"'汇总'!A1\"") || sheets.contains("&apos;汇总&apos;!A1"));
}

#[test]
fn form_sheets_can_be_turned_off() {
    let dir = convert(&["samples/2023", "--no-form-sheets"]);
    let out: Xlsx<_> = open_workbook(dir.path().join("out.xlsx")).unwrap();
    // 汇总, 部门汇总, 图表, 指标明细, 资金, 问题清单, 变更记录, 说明.
    assert_eq!(out.sheet_names().len(), 8);
}

#[test]
fn output_opens_in_libreoffice() {
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice (soffice) is not installed; output not opened");
        return;
    };
    let dir = convert(&["samples"]);
    let pdf = convert_with_soffice(&soffice, &dir.path().join("out.xlsx"), "pdf", dir.path());
    let bytes = std::fs::read(pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert!(bytes.len() > 10_000);
}

/// A form whose sheets cannot be written (here two overlapping merged regions, which the
/// writer refuses) loses its two sheets, and only them: an E001 finding names it, nothing
/// links to the missing sheets, every other form keeps its sheets.
#[test]
fn a_form_whose_sheets_fail_costs_only_its_sheets() {
    use jixiao::grid::Region;
    use jixiao::write::{json, workbook};
    let opts = jixiao::batch::Options {
        keep_source: true,
        ..Default::default()
    };
    let inputs = [
        root().join("samples/2023/1.xlsx"),
        root().join("samples/2023/2.xlsx"),
    ];
    let mut b = jixiao::batch::run(&inputs, &opts).unwrap();
    let src = b.forms[0].source.as_mut().unwrap().make_mut().unwrap();
    src.merges.push(Region::new(100, 20, 101, 21));
    src.merges.push(Region::new(101, 21, 102, 22));
    let before = b.forms[0].findings.len();
    let wopts = workbook::Options {
        form_sheets: true,
        ..Default::default()
    };
    let sheets = jixiao::convert::prepare_form_sheets(&mut b, &wopts);
    let mut out = std::io::Cursor::new(Vec::new());
    workbook::write_prepared(&b, &wopts, sheets, &mut out).unwrap();

    let f = &b.forms[0].findings;
    assert_eq!(f.len(), before + 1);
    let name = b.forms[0].name.value.clone().unwrap();
    let msg = format!(
        "P0001“{name}”的原表/清洗工作表无法写出，已略去（Merge range (101, 21, 102, 22) / V102:W103 overlaps with previous merge range (100, 20, 101, 21) / U101:V102.）；该表的数据仍在各清单中"
    );
    assert_eq!(f[before].message, msg);
    assert_eq!(f[before].code, "E001");
    assert_eq!(f[before].project.as_deref(), Some("P0001"));
    assert!(json::to_json(&b).unwrap().contains(&msg));

    let bytes = out.into_inner();
    let mut wb = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    let names = wb.sheet_names();
    let forms: Vec<&str> = names
        .iter()
        .filter(|n| n.starts_with('P'))
        .map(|n| &n[..n.find(' ').unwrap_or(n.len())])
        .collect();
    assert_eq!(forms, ["P02原表", "P02清洗"]);
    let issues = wb.worksheet_range("问题清单").unwrap();
    let rows: Vec<_> = issues
        .rows()
        .filter(|r| r.iter().any(|c| *c == Data::String(msg.clone())))
        .collect();
    assert_eq!(rows.len(), 1);
    // No link from any list row to the missing sheets.
    let xml = parts_text(&bytes, |n| n.ends_with(".xml"));
    assert!(!xml.contains("P01清洗") && !xml.contains("P01原表"));
    assert!(xml.contains("P02清洗"));
    // Written without the preparing step, the workbook is the same but for the finding.
    let again = workbook::to_xlsx(&b, &wopts).unwrap();
    assert_eq!(Xlsx::new(Cursor::new(again)).unwrap().sheet_names(), names);
}
