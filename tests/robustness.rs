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

    let v: Value = read_json(&json);
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
    assert!(out.contains("错误[E001]") && out.contains("过大"), "{out}");
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

/// Numbers at the limits of `Decimal` typed into forms: the rules compare and the writers
/// sum them across forms (汇总's and 部门汇总's 合计); a sum, difference, product or
/// quotient that overflows once panicked and ended the whole run (exit 101).
#[test]
fn numbers_at_the_decimal_limits_never_end_the_run() {
    const MAX: &str = "79228162514264337593543950335";
    fn form<'a>(full: &'a str, exec: &'a str, rate: &'a str, score: &'a str) -> Vec<Vec<&'a str>> {
        vec![
            vec!["项目支出绩效自评表"],
            vec!["（2023年度）"],
            vec!["项目名称", "", "极限"],
            vec!["主管部门", "", "某局", "", "", "实施单位", "某中心"],
            vec![
                "项目资金（万元）",
                "",
                "",
                "年初预算数",
                "全年预算数",
                "全年执行数",
                "分值",
                "执行率",
                "得分",
            ],
            vec!["", "年度资金总额", "", MAX, full, exec, "10", rate, score],
            vec!["", "其中：当年财政拨款", "", "-1", "-1", "-1"],
            vec!["", "上年结转资金"],
            vec!["", "其他资金"],
            vec!["年度总体目标", "预期目标", "", "", "", "实际完成情况"],
            vec!["", "甲", "", "", "", "乙"],
            vec![
                "绩效指标",
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "偏差原因分析及改进措施",
            ],
            vec![
                "",
                "产出指标",
                "数量指标",
                "个数",
                "≥16个",
                "17个",
                MAX,
                score,
                "无",
            ],
            vec![
                "",
                "效益指标",
                "社会效益指标",
                "效果",
                "明显",
                "明显",
                MAX,
                MAX,
                "无",
            ],
            vec!["总分", "", "", "", "", "", "-1", MAX],
        ]
    }
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("in");
    std::fs::create_dir(&inbox).unwrap();
    let tiny = "0.0000000000000000000000000001";
    let neg = format!("-{MAX}");
    for (name, rows) in [
        ("1.xlsx", form(MAX, MAX, MAX, MAX)),
        ("2.xlsx", form(MAX, &neg, &neg, &neg)),
        // 10 ÷ 0.0000000000000000000000000001 does not fit a Decimal.
        ("3.xlsx", form(tiny, "10", "", "1")),
    ] {
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        write_workbook(&inbox.join(name), &rows);
    }
    let out = dir.path().join("汇总.xlsx");
    let json = dir.path().join("汇总.json");
    let o = jixiao(&[
        "convert",
        inbox.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--feedback",
        dir.path().join("反馈").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let doc: Value = read_json(&json);
    let forms = doc["projects"].as_array().unwrap();
    assert_eq!(forms.len(), 3, "every form read, none an E001: {stderr}");
    let text = doc.to_string();
    assert!(!text.contains("E001"), "{text}");
    assert!(text.contains("超出可计算范围"), "{text}");
}
