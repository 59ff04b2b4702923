//! `jixiao sample` and `jixiao review` through the binary: the sample is the same for a
//! seed (byte for byte), visits every department and says why each project was drawn; a
//! 底稿 filled by a script with openpyxl, as a reviewer's office would, comes back with the
//! 偏离度 worked out by hand.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{jixiao, lossy, read_json, root};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// A sheet's rows as text, as calamine reads them.
fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    // calamine's range starts at the first used cell: pad back to A1.
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); c0 as usize];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty => String::new(),
            other => other.to_string(),
        }));
        rows.push(cells);
    }
    rows
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
}

fn sample(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sample",
        "samples/2023",
        "samples/variants",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = jixiao(&args);
    assert!(o.status.success(), "{}", lossy(&o.stderr));
    o
}

#[test]
fn the_same_seed_draws_the_same_sample_with_every_department_and_a_reason() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("抽查.xlsx"), d.path().join("again.xlsx"));
    let o = sample(&a, &["--size", "6", "--seed", "42"]);
    sample(&b, &["--size", "6", "--seed", "42", "-q"]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let err = lossy(&o.stderr);
    assert!(
        err.contains("抽取 6/8 个项目，覆盖 5/5 个部门（随机种子 42）"),
        "{err}"
    );

    let list = sheet(&a, "抽查清单");
    let header = list
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "编号"))
        .unwrap();
    assert_eq!(
        list[header],
        [
            "编号",
            "项目名称",
            "主管部门",
            "全年预算数（万元）",
            "执行率",
            "核算总分",
            "风险分",
            "抽取理由"
        ]
    );
    let rows = &list[header + 1..];
    assert_eq!(rows.len(), 6);
    let departments: BTreeSet<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(departments.len(), 5, "{departments:?}");
    for r in rows {
        assert!(r[0].starts_with('P'), "{r:?}");
        assert!(!r[6].is_empty(), "a risk score: {r:?}");
        assert!(r[7].chars().count() > 4, "a reason in words: {r:?}");
    }
    // The largest budget is said to be one.
    assert!(
        rows.iter()
            .any(|r| r[7].contains("预算金额大（全部项目前10%，808.1万元）")),
        "{rows:?}"
    );
    let names = sheet_names(&a);
    for r in rows {
        assert!(names.contains(&format!("{}复核底稿", r[0])), "{names:?}");
    }
    assert_eq!(names.first().map(String::as_str), Some("抽查清单"));
    assert!(names.contains(&"说明".to_string()) && names.contains(&"底稿原值".to_string()));

    // A 底稿: the project's header, the columns, the reviewer's empty ones, the keys.
    let paper = sheet(&a, &format!("{}复核底稿", rows[0][0]));
    let h = paper
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "行键"))
        .unwrap();
    assert_eq!(
        paper[h][1..],
        [
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "自评完成值",
            "分值",
            "自评得分",
            "建议得分",
            "复核完成值",
            "复核得分",
            "复核意见"
        ]
    );
    assert_eq!(paper[h + 1][0], format!("{}-00", rows[0][0]));
    assert_eq!(paper[h + 1][3], "预算执行率");
    assert!(
        paper[h + 1..]
            .iter()
            .all(|r| r.len() < 10 || r[9..].iter().all(String::is_empty))
    );
    assert!(
        paper
            .iter()
            .any(|r| r.iter().any(|c| c.starts_with("复核人：")))
    );

    // Another seed may draw others, but always one per department at this size.
    let c = d.path().join("other.xlsx");
    sample(&c, &["--size", "5", "--seed", "7"]);
    let list = sheet(&c, "抽查清单");
    let departments: BTreeSet<&str> = list[3..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(departments.len(), 5);

    // The sample workbook is jixiao's: a folder holding it reads no form from it.
    let o = jixiao(&["check", d.path().to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["summary"]["forms"], 0, "{doc}");
    assert!(
        doc["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["reason"] == "jixiao 生成的抽查底稿，不作为输入，已跳过"),
        "{doc}"
    );
}

#[test]
fn sample_refuses_bad_sizes_and_foreign_outputs() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("抽查.xlsx");
    for args in [
        vec!["--size", "0"],
        vec!["--ratio", "1.5"],
        vec!["--size", "3", "--ratio", "0.2"],
    ] {
        let mut all = vec!["sample", "samples/2023", "-o", out.to_str().unwrap()];
        all.extend(args.iter().copied());
        let o = jixiao(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            lossy(&o.stderr).starts_with("错误："),
            "{}",
            lossy(&o.stderr)
        );
    }
    std::fs::write(&out, b"not ours").unwrap();
    let o = jixiao(&["sample", "samples/2023", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&out).unwrap(), b"not ours");
}

/// `python3` with openpyxl, if there. Under CI (`JIXIAO_CI`, as `.ci/run` sets, which
/// installs openpyxl) a missing one fails the test instead of skipping it.
fn openpyxl() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var_os("JIXIAO_CI").is_none(),
        "JIXIAO_CI is set but python3 with openpyxl is missing: .ci/run installs it; \
         this test must not be skipped in CI"
    );
    if !ok {
        eprintln!("skipped: python3 with openpyxl is not installed (pip install openpyxl)");
    }
    ok
}

/// What a reviewer's script does: writes 复核得分 / 复核意见 by row key, edits a fixed
/// cell, deletes a row, adds one, and saves.
const FILL: &str = r#"
import sys, openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path)
def find(key):
    for ws in wb.worksheets:
        if not ws.title.endswith("复核底稿"):
            continue
        head = None
        for row in ws.iter_rows():
            if row[0].value == "行键":
                head = {c.value: c.column for c in row}
            elif row[0].value == key:
                return ws, row[0].row, head
    raise SystemExit("no row " + key)
def put(key, column, value):
    ws, r, head = find(key)
    ws.cell(row=r, column=head[column]).value = value
put("P0001-00", "复核得分", 8)
put("P0001-00", "复核意见", "执行数含暂付款，按实际支出核减")
put("P0001-02", "分值", 99)
put("P0003-01", "复核意见", "同意")
ws, r, _ = find("P0003-02")
ws.delete_rows(r)
put("P0004-00", "复核得分", 1)
put("P0004-00", "复核完成值", "执行率10%")
put("P0007-00", "复核得分", "8分")
put("P0008-00", "复核得分", "八分")
ws, r, _ = find("P0004-00")
ws.cell(row=ws.max_row + 2, column=4).value = "补充指标"
wb.save(path)
"#;

#[test]
fn a_paper_filled_with_openpyxl_gives_the_deviation_worked_by_hand() {
    if !openpyxl() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let paper = d.path().join("抽查.xlsx");
    sample(&paper, &["--size", "8", "--seed", "1"]);
    let script = d.path().join("fill.py");
    std::fs::write(&script, FILL).unwrap();
    let o = Command::new("python3")
        .arg(&script)
        .arg(&paper)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", lossy(&o.stderr));

    let out = d.path().join("复核结果.xlsx");
    let json = d.path().join("复核结果.json");
    let o = jixiao(&[
        "review",
        paper.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let err = lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let doc = read_json(&json);
    let project = |id: &str| {
        doc["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    // By hand. P0001: 自评 99, 预算执行 10 → 8, the rest blank (agreed): 复核 97,
    // 偏离度 2/99 = 0.020202… → 0.0202.
    let p1 = project("P0001");
    assert_eq!(
        (&p1["self_score"], &p1["review_score"], &p1["deviation"]),
        (&"99".into(), &"97".into(), &"0.0202".into())
    );
    assert_eq!(p1["status"], "reviewed");
    // P0002: nothing written: not reviewed, no figures.
    let p2 = project("P0002");
    assert_eq!(p2["status"], "not_reviewed");
    assert!(p2["review_score"].is_null() && p2["deviation"].is_null());
    // P0003: an opinion only, and a row deleted (counted as agreed): 99 → 99, 0.
    let p3 = project("P0003");
    assert_eq!(
        (&p3["review_score"], &p3["deviation"]),
        (&"99".into(), &"0".into())
    );
    // P0004: 自评 89, 预算执行 10 → 1: 复核 80, 偏离度 9/89 = 0.101123… → 0.1011.
    let p4 = project("P0004");
    assert_eq!(
        (&p4["self_score"], &p4["review_score"], &p4["deviation"]),
        (&"89".into(), &"80".into(), &"0.1011".into())
    );
    // P0007: 自评 84 with no 预算执行 score; “8分” there: 92, (84 − 92)/84 = −0.0952…
    let p7 = project("P0007");
    assert_eq!(
        (&p7["self_score"], &p7["review_score"], &p7["deviation"]),
        (&"84".into(), &"92".into(), &"-0.0952".into())
    );
    // P0008: “八分” is no number: no figures rather than a guess.
    let p8 = project("P0008");
    assert_eq!(p8["status"], "unreadable");
    assert!(p8["review_score"].is_null());
    // 靖州县禁毒办: P0001, P0003, P0004 reviewed, P0002 not:
    // (2/99 + 0 + 9/89) / 3 = 0.040441… → 0.0404.
    let dept = doc["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == "靖州县禁毒办")
        .unwrap();
    assert_eq!(dept["mean_deviation"], "0.0404");
    assert_eq!(
        (&dept["projects"], &dept["reviewed"]),
        (&4.into(), &3.into())
    );

    // What the reviewer did beyond her columns, in Chinese on the console.
    for words in [
        "P0001复核底稿!G9: 第9行（指标“禁毒协会正常开展禁毒工作。”）",
        "的“分值”被改动：原为“10”，现为“99”；按原值计算",
        "（行键 P0003-02，被删除？）；该项按认可自评计",
        "新增的行（补充指标），未计入复核",
        "的复核得分“八分”不是数字；本项目不计算复核得分",
    ] {
        assert!(err.contains(words), "{words}\n{err}");
    }
    let out_text = lossy(&o.stdout);
    assert!(
        out_text.contains("靖州县禁毒办  已复核 3/4  平均偏离度 4.04%"),
        "{out_text}"
    );

    // The workbook says the same, read back with calamine.
    let rows = sheet(&out, "项目复核");
    let p4 = rows.iter().find(|r| r[0] == "P0004").unwrap();
    assert_eq!(&p4[3..6], ["89", "80", "0.1011"]);
    let opinions = rows.iter().find(|r| r[0] == "P0001").unwrap();
    assert!(opinions[8].contains("预算执行率：执行数含暂付款，按实际支出核减"));
    let depts = sheet(&out, "部门复核");
    let row = depts.iter().find(|r| r[0] == "靖州县禁毒办").unwrap();
    assert_eq!(row[5], "0.0404");
    let notes = sheet(&out, "说明");
    assert!(
        notes
            .iter()
            .flatten()
            .any(|c| c.contains("复核得分留空表示认可该项自评得分"))
    );

    // Never over the paper it reads; the result is jixiao's and may be replaced.
    let o = jixiao(&[
        "review",
        paper.to_str().unwrap(),
        "-o",
        paper.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", lossy(&o.stderr));
    let o = jixiao(&[
        "review",
        paper.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success());
    // A filled paper is never drawn over.
    let o = jixiao(&["sample", "samples/2023", "-o", paper.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(lossy(&o.stderr).contains("已有复核人填写的内容，拒绝覆盖"));
    // A workbook that is not a sample: exit 1, said in Chinese.
    let o = jixiao(&[
        "review",
        root().join("samples/2023/1.xlsx").to_str().unwrap(),
        "-o",
        d.path().join("x.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(lossy(&o.stderr).contains("不是 jixiao sample 生成的抽查工作簿"));
}

/// A sample of `count` projects drawn from `b` (seed 1), and its workbook as `sample`
/// writes it.
fn sample_workbook(b: &jixiao::model::Batch, count: usize) -> (jixiao::sample::Sample, Vec<u8>) {
    use jixiao::sample::{Plan, Size, draw};
    let s = draw(
        b,
        &Plan {
            size: Size::Count(count),
            seed: Some(1),
        },
    );
    let bytes = jixiao::write::sample::to_xlsx(b, &s, &Default::default()).unwrap();
    (s, bytes)
}

/// A sample of more projects than a form's workbook may have sheets (1,000): one 底稿
/// each. `review` read it with the forms' limit and refused it (E001, 工作表过多), and
/// `sample` then took it for a filled workbook and would not replace it.
#[test]
fn a_sample_of_more_than_a_thousand_projects_is_read_back() {
    use jixiao::model::{Batch, Field, Form};
    use jixiao::read::{Limits, read_bytes};
    let forms: Vec<Form> = (0..1_050)
        .map(|i| Form {
            id: format!("P{i:04}"),
            department: Field::new(Some(format!("部门{}", i % 7)), None),
            ..Default::default()
        })
        .collect();
    let b = Batch {
        forms,
        ..Default::default()
    };
    let (s, bytes) = sample_workbook(&b, 1_050);
    let names = Xlsx::new(std::io::Cursor::new(&bytes))
        .unwrap()
        .sheet_names();
    assert_eq!(names.len(), jixiao::write::sample::sheet_count(&s));
    let path = Path::new("抽查.xlsx");
    let refused = read_bytes(&bytes, path, &Limits::default()).unwrap_err();
    assert!(refused.reason.contains("工作表"), "{}", refused.reason);
    let limits = jixiao::spotcheck::sample_limits(&Limits::default());
    let grids = read_bytes(&bytes, path, &limits).unwrap();
    let r = jixiao::review::read(&grids).unwrap();
    assert_eq!(r.projects.len(), 1_050);
    assert_eq!(r.departments.len(), 7);
}

/// A 合计 the reviewer wrote by hand that is not the sum of the rows is a note naming
/// its cell; the sum stands.
#[test]
fn a_hand_written_total_that_is_not_the_sum_is_a_note() {
    use jixiao::grid::{Pos, Value};
    use jixiao::read::{Limits, read_bytes};
    use jixiao::sample::{KEY_HEADER, KEY_TOTAL, PAPER_COLUMNS};
    let b = jixiao::batch::run(
        &[root().join("samples/2023/1.xlsx")],
        &jixiao::batch::Options::default(),
    )
    .unwrap();
    let (_, bytes) = sample_workbook(&b, 1);
    let limits = jixiao::spotcheck::sample_limits(&Limits::default());
    let mut grids = read_bytes(&bytes, Path::new("抽查.xlsx"), &limits).unwrap();
    let paper = grids
        .iter_mut()
        .find(|g| (0..g.rows()).any(|r| g.get(Pos::new(r, 0)).display() == KEY_HEADER))
        .unwrap();
    let key = |g: &jixiao::grid::Grid, r: u32| g.get(Pos::new(r, 0)).display();
    let h = (0..paper.rows())
        .find(|&r| key(paper, r) == KEY_HEADER)
        .unwrap();
    let score = (0..paper.cols())
        .find(|&c| paper.get(Pos::new(h, c)).display() == PAPER_COLUMNS[9])
        .unwrap();
    let total = (h + 1..paper.rows())
        .find(|&r| key(paper, r) == KEY_TOTAL)
        .unwrap();
    // The reviewer scores the first indicator row 1 point lower and writes a total of 1.
    let first = h + 2;
    let own = paper.get(Pos::new(first, score - 3)).display();
    let lower = own.parse::<rust_decimal::Decimal>().unwrap() - rust_decimal::Decimal::ONE;
    paper.set(Pos::new(first, score), Value::number(lower));
    paper.set(Pos::new(total, score), Value::number(1.into()));
    let r = jixiao::review::read(&grids).unwrap();
    let note = r
        .notes
        .iter()
        .find(|n| n.message.starts_with("合计行手工填写的复核得分1与各项相加"))
        .unwrap_or_else(|| panic!("{:?}", r.notes));
    assert_eq!(note.cell, Some(Pos::new(total, score)));
    assert_eq!(r.projects[0].status, jixiao::review::Status::Reviewed);
}
