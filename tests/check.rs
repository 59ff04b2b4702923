//! The rules on the seed samples, and `jixiao check` as a user runs it.

mod common;

use common::*;
use jixiao::model::{Form, Severity};
use std::collections::BTreeSet;

fn codes(f: &Form) -> BTreeSet<&'static str> {
    f.findings.iter().map(|x| x.code.as_str()).collect()
}

fn cells(f: &Form, code: &str) -> Vec<String> {
    f.findings
        .iter()
        .filter(|x| x.code == code)
        .map(|x| x.cell.map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn seed_findings_are_the_known_mistakes() {
    let b = read(&[root().join("samples/2023")]);
    assert_eq!(b.forms.len(), 4);
    for f in &b.forms {
        let c = codes(f);
        for code in ["F003", "S006", "C001", "S007"] {
            assert!(c.contains(code), "{} lacks {code}: {c:?}", f.id);
        }
        assert!(!c.contains("F001"), "{}", f.id);
        assert_eq!(cells(f, "C001"), ["H4"], "{}", f.id);
        assert_eq!(cells(f, "S006"), ["I28"], "{}", f.id);
        assert_eq!(cells(f, "F003"), ["H6"], "{}", f.id);
        for x in &f.findings {
            assert_eq!(x.project.as_deref(), Some(f.id.as_str()));
            assert_eq!(x.sheet.as_deref(), Some("Sheet1"));
        }
    }
    for f in &b.forms[..3] {
        let c = codes(f);
        for code in ["S001", "S003", "S004"] {
            assert!(!c.contains(code), "{} has {code}", f.id);
        }
        assert_eq!(f.count(Severity::Error), 0);
    }
    let p4 = &b.forms[3];
    assert_eq!(cells(p4, "S001"), ["H30"]);
    let s001 = p4.findings.iter().find(|x| x.code == "S001").unwrap();
    assert_eq!(
        s001.message,
        "申报总分99与核算总分89不一致（执行率得分10 + 指标得分79）"
    );
    assert_eq!(cells(p4, "S003"), ["H19"]);
    assert_eq!(cells(p4, "C003"), ["D23"]);
    assert_eq!(cells(p4, "C004"), ["E22"]);
    let c004 = p4.findings.iter().find(|x| x.code == "C004").unwrap();
    assert!(c004.message.contains("72.7") && c004.message.contains("73.6"));
    assert!(!codes(p4).contains("S004"));
    assert_eq!(p4.count(Severity::Error), 2);
}

#[test]
fn check_prints_compiler_lines_and_fails_on_errors() {
    let o = jixiao(&["check", "samples/2023"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains(
        "samples/2023/4.xlsx:Sheet1!H30: 错误[S001] 申报总分99与核算总分89不一致（执行率得分10 + 指标得分79）"
    ));
    assert!(out.contains("samples/2023/4.xlsx:Sheet1!H19: 错误[S003]"));
    assert!(!out.contains("\x1b["), "no colour when piped");
    assert!(!out.contains("[F003]"), "infos only with --info");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("4 个文件 · 4 张表 · 2 个错误 · "),
        "{last}"
    );

    let o = jixiao(&["check", "samples/2023", "--fail-on", "never", "--info"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8(o.stdout).unwrap().contains("提示[F003]"));

    let o = jixiao(&["check", "samples/2023/1.xlsx"]);
    assert_eq!(o.status.code(), Some(0), "warnings only");
    let o = jixiao(&["check", "samples/2023/1.xlsx", "--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn check_json_and_summary_counts() {
    let o = jixiao(&["check", "samples/2023", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 2);
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["code"] == "S001"
        && f["cell"] == "H30"
        && f["project"] == "P0004"
        && f["file"] == "samples/2023/4.xlsx"));
}

#[test]
fn summary_sheet_counts_errors_and_warnings() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.xlsx");
    let o = jixiao(&["convert", "samples/2023", "-o", out.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "convert does not fail on findings"
    );
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let s = wb.worksheet_range("汇总").unwrap();
    assert_eq!(s.get_value((4, 13)), Some(&Data::Float(2.0)));
    assert_eq!(s.get_value((1, 13)), Some(&Data::Float(0.0)));
    assert_eq!(s.get_value((1, 14)), Some(&Data::Float(2.0)));
    let q = wb.worksheet_range("问题清单").unwrap();
    let row = (1..q.height() as u32)
        .find(|r| q.get_value((*r, 1)) == Some(&Data::String("S001".into())))
        .unwrap();
    assert_eq!(q.get_value((row, 0)), Some(&Data::String("错误".into())));
    assert_eq!(q.get_value((row, 3)), Some(&Data::String("P0004".into())));
    assert_eq!(
        q.get_value((row, 4)),
        Some(&Data::String("毛发检测和城市污水溯源监测经费".into()))
    );
    assert_eq!(q.get_value((row, 7)), Some(&Data::String("H30".into())));
    // For triage: errors first, then warnings, then notices, each by project.
    let sev: Vec<String> = (1..q.height() as u32)
        .map(|r| q.get_value((r, 0)).unwrap().to_string())
        .collect();
    let rank = |s: &str| {
        ["错误", "警告", "提示"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    assert!(
        sev.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "{sev:?}"
    );
    assert_eq!(sev.iter().filter(|s| *s == "错误").count(), 2);
    assert_eq!(&sev[..2], ["错误", "错误"]);
    let projects: Vec<String> = (1..=2)
        .map(|r| q.get_value((r, 3)).unwrap().to_string())
        .collect();
    assert_eq!(projects, ["P0004", "P0004"]);
    let mut xml = String::new();
    for (name, body) in parts_of(&out) {
        if name.starts_with("xl/worksheets/sheet") {
            let s = String::from_utf8(body).unwrap();
            if s.contains("<conditionalFormatting") {
                xml = s;
            }
        }
    }
    assert!(
        xml.contains("<conditionalFormatting sqref=\"A2:A"),
        "severity coloured"
    );
    assert!(xml.contains("&quot;错误&quot;") || xml.contains("\"错误\""));
    assert!(
        xml.contains("<autoFilter ref=\"A1:I"),
        "a filter on 代码 among the columns"
    );
}
