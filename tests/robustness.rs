//! Bad input never loses data: a folder of broken, protected, unrelated and earlier-output
//! files gives the good form converted and every other file with its status and code.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn write_workbook(path: &Path, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn a_folder_of_bad_files_converts_the_good_one_and_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("收件箱");
    std::fs::create_dir(&inbox).unwrap();
    let good = std::fs::read(root().join("samples/2023/4.xlsx")).unwrap();
    std::fs::write(inbox.join("01 正常.xlsx"), &good).unwrap();
    std::fs::write(inbox.join("02 截断.xlsx"), &good[..good.len() / 2]).unwrap();
    std::fs::write(inbox.join("03 文本.xlsx"), "这不是表格\n").unwrap();
    write_workbook(&inbox.join("04 空白.xlsx"), &[]);
    write_workbook(
        &inbox.join("05 工资表.xlsx"),
        &[&["姓名", "工资"], &["张三", "5000"]],
    );
    std::fs::write(inbox.join("~$01 正常.xlsx"), &good[..200]).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/encrypted.xlsx"),
        inbox.join("06 加密.xlsx"),
    )
    .unwrap();
    // An earlier jixiao output left in the folder.
    let earlier = inbox.join("07 上次汇总.xlsx");
    let o = jixiao(&[
        "convert",
        root().join("samples/2023/1.xlsx").to_str().unwrap(),
        "-o",
        earlier.to_str().unwrap(),
    ]);
    assert!(o.status.success());

    let out = dir.path().join("汇总.xlsx");
    let json = dir.path().join("汇总.json");
    let o = jixiao(&[
        "convert",
        inbox.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "failed inputs exit 1");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("02 截断.xlsx"), "{stderr}");
    assert!(out.exists(), "output still written for the rest");

    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let inputs: Vec<(String, String, usize)> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                i["status"].as_str().unwrap().to_string(),
                i["forms"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let s = |n: &str, st: &str, f: usize| (n.to_string(), st.to_string(), f);
    assert_eq!(
        inputs,
        [
            s("01 正常.xlsx", "ok", 1),
            s("02 截断.xlsx", "failed", 0),
            s("03 文本.xlsx", "failed", 0),
            s("04 空白.xlsx", "ok", 0),
            s("05 工资表.xlsx", "ok", 0),
            s("06 加密.xlsx", "failed", 0),
            s("07 上次汇总.xlsx", "skipped", 0),
            s("~$01 正常.xlsx", "skipped", 0),
        ]
    );
    let file_codes: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with('E'))
        .map(|f| {
            (
                f["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let c = |n: &str, code: &str| (n.to_string(), code.to_string());
    assert_eq!(
        file_codes,
        [
            c("02 截断.xlsx", "E001"),
            c("03 文本.xlsx", "E001"),
            c("04 空白.xlsx", "E003"),
            c("05 工资表.xlsx", "E003"),
            c("06 加密.xlsx", "E002"),
        ]
    );
    let reasons: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap_or(""))
        .collect();
    assert!(reasons[1].contains("文件已损坏或不是表格文件"));
    assert!(reasons[5].contains("密码"));
    assert!(reasons[6].contains("jixiao"));
    assert!(reasons[7].contains("~$"));
    assert_eq!(v["projects"].as_array().unwrap().len(), 1);
    assert_eq!(v["projects"][0]["computed_total"], "89");
}

#[test]
fn output_over_an_input_is_refused_and_the_input_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x.xlsx");
    std::fs::copy(root().join("samples/2023/2.xlsx"), &x).unwrap();
    let before = std::fs::read(&x).unwrap();
    let o = jixiao(&["convert", x.to_str().unwrap(), "-o", x.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("拒绝覆盖"));
    assert_eq!(std::fs::read(&x).unwrap(), before);
    // Through a folder too.
    let o = jixiao(&[
        "convert",
        dir.path().to_str().unwrap(),
        "-o",
        x.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&x).unwrap(), before);
}

#[test]
fn usage_errors_and_unwritable_output_exit_2() {
    let o = jixiao(&["convert", "samples/2023"]);
    assert_eq!(o.status.code(), Some(2), "missing -o");
    let o = jixiao(&["convert", "no/such/dir", "-o", "/tmp/x.xlsx"]);
    assert_eq!(o.status.code(), Some(2));
    let o = jixiao(&["convert", "samples/2023", "-o", "/no/such/dir/x.xlsx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).is_empty());
}

#[test]
fn size_limits_refuse_with_a_clear_error() {
    let o = jixiao(&["check", "samples/2023/1.xlsx", "--max-cells", "100"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("error[E001]") && out.contains("过大"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.xlsx");
    std::fs::write(&big, vec![b'x'; 2 * 1024 * 1024]).unwrap();
    let o = jixiao(&["check", big.to_str().unwrap(), "--max-file-mb", "1"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("文件过大"), "{out}");
}

#[test]
fn the_same_project_in_two_files_is_c005_on_both() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("samples/2023/3.xlsx"),
        dir.path().join("a.xlsx"),
    )
    .unwrap();
    std::fs::copy(
        root().join("samples/2023/3.xlsx"),
        dir.path().join("b.xlsx"),
    )
    .unwrap();
    let b = read(&[dir.path().to_path_buf()]);
    assert_eq!(b.forms.len(), 2, "both kept");
    for f in &b.forms {
        let c005: Vec<_> = f.findings.iter().filter(|x| x.code == "C005").collect();
        assert_eq!(c005.len(), 1, "{}", f.id);
        assert_eq!(c005[0].cell.unwrap().to_string(), "C3");
    }
}
