//! The feedback workbook a department receives (issue 18, item 5): only what it can act
//! on, in Chinese, with a cover saying who sends it, by when and how to send it back, and
//! none of the bureau's paths.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use std::path::{Path, PathBuf};

/// Converts `input` (an absolute path) with `--feedback`, and `--settings` when given;
/// returns the folder and the feedback workbooks.
fn feedback(input: &Path, settings: Option<&str>) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.xlsx");
    let fb = dir.path().join("FB");
    let mut args = vec![
        "convert".to_string(),
        input.to_str().unwrap().to_string(),
        "-o".into(),
        out.to_str().unwrap().into(),
        "--feedback".into(),
        fb.to_str().unwrap().into(),
    ];
    if let Some(text) = settings {
        let file = dir.path().join("jixiao设置.txt");
        std::fs::write(&file, text).unwrap();
        args.extend(["--settings".into(), file.to_str().unwrap().into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = jixiao(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&fb)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    (dir, files)
}

/// Every cell of every sheet, as text, with its sheet and address.
fn all_cells(path: &Path) -> Vec<(String, String, String)> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let r = wb.worksheet_range(&name).unwrap();
        let (r0, c0) = r.start().unwrap_or((0, 0));
        for (i, j, d) in r.cells() {
            let text = match d {
                Data::Empty => continue,
                Data::String(s) => s.clone(),
                d => d.to_string(),
            };
            let at = format!(
                "{}{}",
                jixiao::grid::col_name(c0 + j as u32),
                r0 + i as u32 + 1
            );
            out.push((name.clone(), at, text));
        }
    }
    out
}

/// The text of the notes (comments) and of everything else in the package.
fn package_text(path: &Path) -> (String, String) {
    let mut notes = String::new();
    let mut rest = String::new();
    for (name, body) in parts_of(path) {
        let text = String::from_utf8_lossy(&body).into_owned();
        if name.starts_with("xl/comments") {
            notes.push_str(&text);
        } else {
            rest.push_str(&text);
        }
    }
    (notes, rest)
}

/// Whether `text` holds an L-code (`L005`) as a word.
fn l_code(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let code = b[i] == b'L' && b[i + 1..i + 4].iter().all(u8::is_ascii_digit);
        let word_end = b.get(i + 4).is_none_or(|c| !c.is_ascii_alphanumeric());
        (word_start && code && word_end).then(|| text[i..i + 4].to_string())
    })
}

/// English severity words or the notes' author line.
fn english(text: &str) -> Option<&'static str> {
    [
        "error", "warning", "info", "Error", "Warning", "Info", "jixiao:",
    ]
    .into_iter()
    .find(|w| {
        text.match_indices(w).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + w.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
    })
}

#[test]
fn feedback_holds_no_l_code_no_english_and_no_bureau_path() {
    // The variants have L005 (no 分值 column) and L007 (a template's instructions left
    // in) among their warnings; the samples C005-free errors and warnings.
    for input in ["samples/variants", "samples/2023"] {
        let abs = root().join(input);
        let (_dir, files) = feedback(&abs, None);
        let bureau = root().to_string_lossy().into_owned();
        for file in &files {
            let cells = all_cells(file);
            let mut bad = Vec::new();
            for (sheet, at, text) in &cells {
                if let Some(code) = l_code(text) {
                    bad.push(format!("{sheet}!{at}: {code} in “{text}”"));
                }
                // A1 of 说明 is the marker later runs know the workbook by (jixiao 问题反馈).
                if let Some(w) = english(text) {
                    bad.push(format!("{sheet}!{at}: “{w}” in “{text}”"));
                }
                if text.contains(&bureau) || text.contains(input) {
                    bad.push(format!("{sheet}!{at}: the bureau's path in “{text}”"));
                }
            }
            let (notes, rest) = package_text(file);
            if let Some(code) = l_code(&notes) {
                bad.push(format!("notes: {code}"));
            }
            if let Some(w) = english(&notes.replace("<author>jixiao</author>", "")) {
                bad.push(format!("notes: “{w}”"));
            }
            for text in [&notes, &rest] {
                if text.contains(&bureau) || text.contains(&format!("{input}/")) {
                    bad.push("the bureau's path in the package".into());
                }
            }
            assert!(bad.is_empty(), "{}: {bad:#?}", file.display());
            // Notes still say what is wrong, in Chinese.
            if input == "samples/2023" {
                assert!(notes.contains("错误 S001："), "{notes}");
                assert!(notes.contains("警告 C001："));
                // The file column names the department's file, not the bureau's path.
                let files: Vec<&str> = cells
                    .iter()
                    .filter(|(s, at, _)| s == "问题清单" && at.starts_with('F') && at != "F1")
                    .map(|(_, _, t)| t.as_str())
                    .collect();
                assert!(!files.is_empty());
                assert!(
                    files
                        .iter()
                        .all(|f| ["1.xlsx", "2.xlsx", "3.xlsx", "4.xlsx"].contains(f)),
                    "{files:?}"
                );
            }
        }
    }
}

#[test]
fn the_bureau_keeps_every_finding_and_its_notes_are_chinese_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.xlsx");
    let o = jixiao(&[
        "convert",
        "samples/variants",
        "-o",
        out.to_str().unwrap(),
        "--form-sheets",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (notes, _) = package_text(&out);
    assert!(
        notes.contains("警告 L005："),
        "the bureau's 清洗 notes keep L-codes"
    );
    assert_eq!(english(&notes.replace("<author>jixiao</author>", "")), None);
    let findings = all_cells(&out);
    assert!(
        findings
            .iter()
            .any(|(s, _, t)| s == "问题清单" && t == "L005"),
        "the bureau's 问题清单 keeps L005"
    );
}

const SETTINGS: &str = "编制单位 = 靖州县财政局\n反馈截止日期 = 2024年5月31日\n联系人 = 张敏\n联系电话 = 0745-8221234\n";

/// The 说明 sheet's column A, top down.
fn notes_lines(path: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let r = wb.worksheet_range("说明").unwrap();
    (0..r.height() as u32)
        .map(|i| match r.get_value((i, 0)) {
            Some(Data::String(s)) => s.clone(),
            _ => String::new(),
        })
        .collect()
}

#[test]
fn the_cover_says_who_by_when_whom_to_ask_and_how_to_send_it_back() {
    let (_dir, files) = feedback(&root().join("samples/2023"), Some(SETTINGS));
    let lines = notes_lines(&files[0]);
    assert!(
        lines[0].starts_with("jixiao 问题反馈 · jixiao "),
        "A1: the marker"
    );
    for want in [
        "致：靖州县禁毒办",
        "编制单位：靖州县财政局",
        "请于2024年5月31日前更正并报送。",
        "联系人：张敏　联系电话：0745-8221234",
        "本次共审核贵单位自评表 4 张，须更正的错误 2 条、须核实的警告 13 条，见“问题清单”。",
    ] {
        assert!(lines.iter().any(|l| l == want), "{want} in {lines:#?}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("1. 在原自评表文件中更正后"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("2. 或直接在本工作簿的各“清洗”表中更正"))
    );
    // One printed page, A4, and the workbook opens on it.
    let book = part_text(&files[0], "xl/workbook.xml");
    let sheets: Vec<&str> = book.matches("<sheet ").collect();
    let notes_sheet = format!("xl/worksheets/sheet{}.xml", sheets.len());
    let xml = part_text(&files[0], &notes_sheet);
    assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{xml}");
    assert!(xml.contains("paperSize=\"9\""));
    assert!(!xml.contains("fitToHeight=\"0\""), "one page tall too");
    assert!(xml.contains("tabSelected=\"1\""), "opens on 说明");
    assert!(book.contains("activeTab="), "{book}");

    // Without settings, no line for what is not set, never an empty 联系人：.
    let (_dir, files) = feedback(&root().join("samples/2023"), None);
    let lines = notes_lines(&files[0]);
    assert!(lines.iter().any(|l| l == "致：靖州县禁毒办"));
    for absent in ["编制单位", "请于", "联系人", "联系电话"] {
        assert!(
            !lines.iter().any(|l| l.contains(absent)),
            "{absent} in {lines:#?}"
        );
    }
    assert!(lines.iter().any(|l| l.starts_with("2. 或直接在本工作簿")));
}
