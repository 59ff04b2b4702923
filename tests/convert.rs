//! End-to-end: the samples through `jixiao convert`, asserting exact values in the JSON and
//! in the output workbook as re-read with calamine.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use serde_json::Value;

fn convert_json(input: &str) -> (Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇总.xlsx");
    let json = dir.path().join("out.json");
    let o = jixiao(&[
        "convert",
        input,
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = read_json(&json);
    (v, dir)
}

fn strs(v: &Value, f: impl Fn(&Value) -> &Value) -> Vec<String> {
    v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| match f(p) {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn assert_seed_projects(v: &Value) {
    assert_eq!(v["summary"]["forms"], 4);
    assert_eq!(
        strs(v, |p| &p["funds"]["total"]["full_year"]),
        ["6", "19.2", "66.44", "73.6"]
    );
    let counts: Vec<usize> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["indicators"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, [9, 10, 9, 12]);
    assert_eq!(strs(v, |p| &p["declared_total"]), ["99", "99", "99", "99"]);
    assert_eq!(strs(v, |p| &p["computed_total"]), ["99", "99", "99", "89"]);
    assert_eq!(strs(v, |p| &p["grade"]), ["优", "优", "优", "良"]);
    assert_eq!(strs(v, |p| &p["execution_rate"]), ["1", "1", "1", "1"]);
    assert_eq!(strs(v, |p| &p["year"]), ["2023", "2023", "2023", "2023"]);
    assert_eq!(strs(v, |p| &p["implementer"]), ["null"; 4]);
    assert_eq!(strs(v, |p| &p["id"]), ["P0001", "P0002", "P0003", "P0004"]);
    for p in v["projects"].as_array().unwrap() {
        let c = &p["cells"];
        let unplaced = c["unplaced"].as_array().unwrap().len() as u64;
        assert_eq!(
            c["read"].as_u64().unwrap(),
            c["placed"].as_u64().unwrap() + unplaced
        );
        assert_eq!(unplaced, 0, "{}", p["name"]);
    }

    let p2 = &v["projects"][1]["indicators"];
    let quality: Vec<&Value> = p2
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["level2"] == "质量指标")
        .collect();
    assert_eq!(quality.len(), 2);
    assert_eq!(quality[0]["target"], "100%");
    assert_eq!(quality[1]["target"], "≥95%");
    assert_eq!(quality[0]["actual"], "100%");
    assert_eq!(quality[1]["actual"], "100%");
    assert!(quality[0]["group"].is_number());
    assert_eq!(quality[0]["group"], quality[1]["group"]);
    assert_eq!(quality[0]["weight"], "10");
    assert_eq!(quality[1]["weight"], Value::Null);
    assert_eq!(quality[0]["score"], "10");

    let p4 = v["projects"][3]["indicators"].as_array().unwrap();
    let cost: Vec<&Value> = p4.iter().filter(|i| i["level2"] == "成本指标").collect();
    let targets: Vec<&str> = cost.iter().map(|i| i["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["30.0万元", "13.9万元", "28.8万元"]);
    let timely: Vec<&Value> = p4.iter().filter(|i| i["level2"] == "时效指标").collect();
    assert_eq!(timely.len(), 1);
    assert_eq!(timely[0]["name"], "按照上级要求及时完成任务。");
    assert_eq!(timely[0]["target"], "按照时间节点完成工作。");
    assert_eq!(timely[0]["weight"], "10");
    assert_eq!(timely[0]["score"], Value::Null);
    let qty: Vec<&Value> = p4.iter().filter(|i| i["level2"] == "数量指标").collect();
    assert_eq!(qty[0]["target"], "在册吸毒人员全员");
    assert_eq!(qty[1]["target"], "80次");
}

#[test]
fn samples_2023_give_the_four_seed_projects() {
    let (v, _dir) = convert_json("samples/2023");
    assert_seed_projects(&v);
    let timely = v["projects"][3]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["level2"] == "时效指标")
        .unwrap()
        .clone();
    let cells = &timely["cells"];
    assert_eq!(
        [
            &cells["name"],
            &cells["target"],
            &cells["weight"],
            &cells["score"]
        ],
        ["D20", "E19", "G19", "H19"]
    );
    assert_eq!(v["projects"][3]["file"], "samples/2023/4.xlsx");
    assert_eq!(v["projects"][3]["sheet"], "Sheet1");
    // The logged changes trace cleaned values to cells.
    let changes = v["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["file"] == "samples/2023/1.xlsx"
        && c["cell"] == "H13"
        && c["from"] == "\n10"
        && c["to"] == "10"
        && c["code"] == "V001"));
    assert!(changes.iter().any(|c| c["file"] == "samples/2023/2.xlsx"
        && c["cell"] == "E16"
        && c["to"] == "≥95%"
        && c["code"] == "V003"));
    assert!(
        changes.iter().any(|c| c["file"] == "samples/2023/4.xlsx"
            && c["cell"] == "G19"
            && c["code"] == "V003")
    );
    for i in v["inputs"].as_array().unwrap() {
        assert_eq!(i["status"], "ok");
        assert_eq!(i["sha256"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn stacked_workbook_gives_the_same_four() {
    let (v, _dir) = convert_json("samples/stacked");
    assert_seed_projects(&v);
    let rows: Vec<String> = strs(&v, |p| &p["anchor"]);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], "A2");
}

fn cell_str(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    r.get_value((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[test]
fn output_workbook_holds_the_values() {
    let (_, dir) = convert_json("samples/2023");
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("汇总.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "汇总",
            "部门汇总",
            "图表",
            "指标明细",
            "资金",
            "问题清单",
            "变更记录",
            "P01原表 村和社区戒毒康复工作站、禁毒协会工作经费",
            "P01清洗 村和社区戒毒康复工作站、禁毒协会工作经费",
            "P02原表 禁毒办专项及社区戒毒康复工作经费",
            "P02清洗 禁毒办专项及社区戒毒康复工作经费",
            "P03原表 购买禁毒社工服务",
            "P03清洗 购买禁毒社工服务",
            "P04原表 毛发检测和城市污水溯源监测经费",
            "P04清洗 毛发检测和城市污水溯源监测经费",
            "说明"
        ]
    );
    let s = wb.worksheet_range("汇总").unwrap();
    assert_eq!(cell_str(&s, 0, 1), "项目名称");
    assert_eq!(cell_str(&s, 4, 1), "毛发检测和城市污水溯源监测经费");
    assert_eq!(s.get_value((4, 6)), Some(&Data::Float(73.6)));
    assert_eq!(s.get_value((4, 10)), Some(&Data::Float(99.0)));
    assert_eq!(s.get_value((4, 11)), Some(&Data::Float(89.0)));
    assert_eq!(cell_str(&s, 4, 12), "良");
    assert_eq!(cell_str(&s, 1, 12), "优");
    assert_eq!(
        cell_str(&s, 6, 1),
        "合计",
        "below a blank row, outside the filter"
    );
    assert_eq!(s.get_value((6, 6)), Some(&Data::Float(165.24)));

    let d = wb.worksheet_range("指标明细").unwrap();
    assert_eq!(d.height(), 1 + 9 + 10 + 9 + 12);
    // Find P0004's 时效指标 row.
    let row = (1..d.height() as u32)
        .find(|r| cell_str(&d, *r, 0) == "P0004" && cell_str(&d, *r, 3) == "时效指标")
        .unwrap();
    assert_eq!(cell_str(&d, row, 4), "按照上级要求及时完成任务。");
    assert_eq!(d.get_value((row, 7)), Some(&Data::Float(10.0)));
    assert!(matches!(d.get_value((row, 8)), None | Some(Data::Empty)));
    assert!(
        matches!(d.get_value((row, 9)), None | Some(Data::Empty)),
        "复核分"
    );
    assert_eq!(cell_str(&d, row, 16), "D20");
    let p2: Vec<u32> = (1..d.height() as u32)
        .filter(|r| cell_str(&d, *r, 0) == "P0002" && cell_str(&d, *r, 3) == "质量指标")
        .collect();
    assert_eq!(p2.len(), 2);
    assert_eq!(cell_str(&d, p2[0], 5), "100%");
    assert_eq!(cell_str(&d, p2[1], 5), "≥95%");
    assert_eq!(cell_str(&d, p2[0], 13), cell_str(&d, p2[1], 13));

    let notes = wb.worksheet_range("说明").unwrap();
    assert!(cell_str(&notes, 0, 0).starts_with("jixiao 汇总输出"));
    let changes = wb.worksheet_range("变更记录").unwrap();
    assert!(changes.height() > 10);
}

/// A project dossier (issue 16): eleven sheets, one 自评表; the other ten are listed in
/// the JSON and in 说明 as 非自评表, and no finding names them.
#[test]
fn a_dossier_lists_its_other_sheets_never_as_findings() {
    let others = [
        "项目基本信息",
        "项目支出立项依据",
        "项目支出实施方案",
        "项目支出计划",
        "项目支出明细",
        "项目支出绩效目标申报表",
        "项目支出绩效目标执行监控",
        "部门评审报告",
        "财政评审报告",
        "监管局审核意见报告",
    ];
    let (v, dir) = convert_json("tests/fixtures/real/central-pku-2019.xlsx");
    assert_eq!(v["summary"]["forms"], 1);
    assert_eq!(v["projects"].as_array().unwrap().len(), 1);
    assert_eq!(v["projects"][0]["sheet"], "项目支出绩效自评表");
    let listed: Vec<&str> = v["inputs"][0]["other_sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(listed, others);
    for f in v["findings"].as_array().unwrap() {
        let sheet = f["sheet"].as_str().unwrap_or("");
        assert!(!others.contains(&sheet), "{f}");
        let msg = f["message"].as_str().unwrap();
        assert!(!others.iter().any(|o| msg.contains(o)), "{f}");
    }

    let mut wb: Xlsx<_> = open_workbook(dir.path().join("汇总.xlsx")).unwrap();
    let notes = wb.worksheet_range("说明").unwrap();
    let want = format!("非自评表：{}", others.join("、"));
    let row = (0..notes.height() as u32)
        .find(|r| cell_str(&notes, *r, 0).ends_with("central-pku-2019.xlsx"))
        .expect("the input's row in 说明");
    let detail = cell_str(&notes, row, 2);
    assert_eq!(detail.lines().last(), Some(want.as_str()), "{detail}");

    // The samples have no other sheets: no key in the JSON, nothing more in 说明.
    let (v, _) = convert_json("samples/2023");
    for i in v["inputs"].as_array().unwrap() {
        assert!(i.get("other_sheets").is_none(), "{i}");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let (_, a) = convert_json("samples");
    let (_, b) = convert_json("samples");
    let read = |d: &tempfile::TempDir, f: &str| std::fs::read(d.path().join(f)).unwrap();
    assert_eq!(read(&a, "汇总.xlsx"), read(&b, "汇总.xlsx"));
    assert_eq!(read(&a, "out.json"), read(&b, "out.json"));
}

#[test]
fn template_is_a_blank_form_the_reader_finds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("模板.xlsx");
    let o = jixiao(&["template", "-o", out.to_str().unwrap(), "--year", "2024"]);
    assert!(o.status.success());
    let b = read(std::slice::from_ref(&out));
    assert_eq!(b.forms.len(), 1);
    let f = &b.forms[0];
    assert_eq!(f.year.value, Some(2024));
    assert!(f.indicators.is_empty());
    assert_eq!(f.weight_total.value, Some(100.into()));
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let merges = wb.merge_cells_by_sheet_name("自评表").unwrap();
    // 一级 labels merged over their blocks: 产出 4×3 rows, 效益 4×3, 满意度 3.
    let spans: Vec<u32> = merges
        .iter()
        .filter(|m| m.start.1 == 1 && m.start.0 > 10)
        .map(|m| m.end.0 - m.start.0 + 1)
        .collect();
    assert_eq!(spans, [12, 12, 3]);
    let r = wb.worksheet_range("自评表").unwrap();
    assert_eq!(cell_str(&r, 1, 0), "（2024年度）");
}

#[test]
fn rules_lists_every_code() {
    let o = jixiao(&["rules"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), jixiao::code::Code::ALL.len());
    // In Chinese, as the sheets print the severity (issue 18: no English for the clerk).
    assert!(
        text.contains("S001  错误  申报总分与核算总分不一致"),
        "{text}"
    );
    assert!(
        !text.contains("error") && !text.contains("warning"),
        "{text}"
    );
    // Every rule's doc prints in Chinese: its three labelled paragraphs, and no run of more
    // than three English words (codes, `.xlsx` and `min(…)` are fine).
    for line in text.lines() {
        let code = line.split_whitespace().next().unwrap();
        let o = jixiao(&["rules", code]);
        assert!(o.status.success(), "{code}");
        let doc = String::from_utf8(o.stdout).unwrap();
        assert!(doc.starts_with(&format!("{code} ")), "{doc}");
        for label in ["\n级别：", "\n\n检查内容：", "\n\n为何重要：", "\n\n示例："]
        {
            assert!(doc.contains(label), "{code} lacks {label:?}: {doc}");
        }
        for piece in doc.split(|c: char| !c.is_ascii() || c == '\n') {
            let words = piece
                .split_whitespace()
                .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
                .count();
            assert!(words <= 3, "{code}: English {piece:?} in {doc}");
        }
    }
    let o = jixiao(&["rules", "S001"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("\n\n为何重要：总分决定项目的评价等级"),
        "{text}"
    );
    assert!(
        text.contains("示例：申报总分99与核算总分89不一致"),
        "{text}"
    );
    let o = jixiao(&["rules", "X999"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn department_summary_adds_up_each_department() {
    let (_, dir) = convert_json("samples/2023");
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("汇总.xlsx")).unwrap();
    let s = wb.worksheet_range("部门汇总").unwrap();
    let header: Vec<String> = (0..14).map(|c| cell_str(&s, 0, c)).collect();
    assert_eq!(header[0], "主管部门");
    assert_eq!(header[1], "项目数");
    assert!(header[3].starts_with("全年预算数"), "{header:?}");
    assert_eq!(&header[7..12], ["优", "良", "中", "差", "无等级"]);
    assert_eq!(&header[12..], ["错误", "警告"]);
    assert_eq!(cell_str(&s, 0, 14), "汇总中的项目");
    assert_eq!(cell_str(&s, 1, 0), "靖州县禁毒办");
    // Its forms, linked to the first of them in 汇总.
    assert_eq!(cell_str(&s, 1, 14), "P0001–P0004");
    let xml = sheet_xml(&dir.path().join("汇总.xlsx"), "部门汇总");
    assert!(
        xml.contains(r#"ref="O2""#) && xml.contains("location=\"'汇总'!A2\""),
        "{xml}"
    );
    let num = |r: u32, c: u32| match s.get_value((r, c)) {
        Some(Data::Float(f)) => *f,
        other => panic!("({r},{c}): {other:?}"),
    };
    assert_eq!(num(1, 1), 4.0);
    assert_eq!(num(1, 3), 165.24);
    assert_eq!(num(1, 4), 165.24);
    assert_eq!(num(1, 5), 1.0, "执行率 as a fraction, shown as 100.00%");
    assert_eq!(num(1, 6), 96.5, "(99 + 99 + 99 + 89) / 4");
    assert_eq!(
        [num(1, 7), num(1, 8), num(1, 9), num(1, 10)],
        [3.0, 1.0, 0.0, 0.0]
    );
    assert_eq!(num(1, 11), 0.0, "every sample form has a grade");
    assert_eq!(num(1, 12), 2.0);
    assert_eq!(num(1, 13), 13.0);
    let last = (1..s.height() as u32)
        .find(|r| cell_str(&s, *r, 0) == "合计")
        .expect("a 合计 row");
    assert_eq!(num(last, 1), 4.0);
    assert_eq!(num(last, 3), 165.24);
    assert_eq!(num(last, 12) + num(last, 13), 15.0);
}

#[test]
fn change_log_shows_invisible_characters() {
    let (_, dir) = convert_json("samples/2023");
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("汇总.xlsx")).unwrap();
    let s = wb.worksheet_range("变更记录").unwrap();
    assert_eq!(cell_str(&s, 0, 3), "原值");
    let mut found = false;
    for r in 1..s.height() as u32 {
        for c in 0..s.width() as u32 {
            let v = cell_str(&s, r, c);
            assert!(
                !v.contains(['\n', '\r', '\t']),
                "raw control in ({r},{c}): {v:?}"
            );
        }
        // Named below the folder given (samples/2023), as printed.
        if cell_str(&s, r, 0) == "1.xlsx" && cell_str(&s, r, 2) == "H13" {
            assert_eq!(cell_str(&s, r, 3), "↵10");
            assert_eq!(cell_str(&s, r, 4), "10");
            found = true;
        }
    }
    assert!(found, "the change of 1.xlsx H13 is logged");
    // The notes on the 清洗 sheets show it the same way.
    let notes = parts_text(
        &std::fs::read(dir.path().join("汇总.xlsx")).unwrap(),
        |n| n.starts_with("xl/comments"),
    );
    assert!(notes.contains("原值：“↵10”"), "notes show ↵");
}

/// The XML part of a sheet by its name.
fn sheet_xml(path: &std::path::Path, sheet: &str) -> String {
    let wb = part_text(path, "xl/workbook.xml");
    let rels = part_text(path, "xl/_rels/workbook.xml.rels");
    let at = wb.find(&format!("name=\"{sheet}\"")).unwrap();
    let rid = &wb[at..];
    let rid = &rid[rid.find("r:id=\"").unwrap() + 6..];
    let rid = &rid[..rid.find('"').unwrap()];
    let t = &rels[rels.find(&format!("Id=\"{rid}\"")).unwrap()..];
    let t = &t[t.find("Target=\"").unwrap() + 8..];
    let t = &t[..t.find('"').unwrap()];
    part_text(path, &format!("xl/{}", t.trim_start_matches("/xl/")))
}

#[test]
fn totals_survive_sorting_and_filtering() {
    let (_, dir) = convert_json("samples/2023");
    let path = dir.path().join("汇总.xlsx");
    let xml = sheet_xml(&path, "汇总");
    assert!(
        xml.contains("<autoFilter ref=\"A1:T5\"/>"),
        "the filter holds the 4 forms only"
    );
    assert!(
        xml.contains("<f>SUBTOTAL(109,G2:G5)</f><v>165.24</v>"),
        "{xml}"
    );
    assert!(xml.contains("SUBTOTAL(109,H2:H5)/SUBTOTAL(109,G2:G5)"));
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let s = wb.worksheet_range("汇总").unwrap();
    assert_eq!(
        cell_str(&s, 0, 6),
        "全年预算数\n（万元）",
        "breaks before its unit"
    );
    assert_eq!(
        s.get_value((6, 8)),
        Some(&Data::Float(1.0)),
        "overall 执行率"
    );
    assert_eq!(s.get_value((6, 13)), Some(&Data::Float(2.0)), "errors");
    assert_eq!(s.get_value((6, 14)), Some(&Data::Float(13.0)), "warnings");
    let styles = part_text(&path, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"#,##0.00\""));
    assert!(
        !styles.contains("formatCode=\"0.00\""),
        "no money without separators"
    );
    // 资金 shows the computed 执行率 of the total row, as 汇总 does.
    let f = wb.worksheet_range("资金").unwrap();
    assert_eq!(cell_str(&f, 1, 2), "年度资金总额");
    assert_eq!(f.get_value((1, 7)), Some(&Data::Float(1.0)));
    let d = xml_of_departments(&path);
    assert!(d.contains("<f>SUBTOTAL(109,B2:B2)</f><v>4</v>"), "{d}");
}

fn xml_of_departments(path: &std::path::Path) -> String {
    sheet_xml(path, "部门汇总")
}

#[test]
fn percentages_are_fractions_in_json_csv_and_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.xlsx");
    let csv_dir = dir.path().join("csv");
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        out.to_str().unwrap(),
        "--csv",
        csv_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let text = std::fs::read_to_string(csv_dir.join("汇总.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(&r.headers().unwrap()[8], "执行率");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5, "4 forms and 合计");
    assert_eq!(&rows[0][8], "1");
    assert_eq!(&rows[4][1], "合计");
    assert_eq!(&rows[4][6], "165.24");
    assert_eq!(&rows[4][8], "1");
    let funds = std::fs::read_to_string(csv_dir.join("资金.csv")).unwrap();
    assert!(
        funds.lines().nth(1).unwrap().ends_with(",10,1,10"),
        "{funds}"
    );
}

#[test]
fn every_sheet_is_print_ready() {
    let (_, dir) = convert_json("samples/2023");
    let path = dir.path().join("汇总.xlsx");
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 16);
    for name in &names {
        let xml = sheet_xml(&path, name);
        assert!(
            xml.contains("<oddFooter>&amp;L&amp;A&amp;C第&amp;P页 共&amp;N页</oddFooter>"),
            "{name}: page numbers and the sheet's name"
        );
        assert!(
            xml.contains("<oddHeader>&amp;L&amp;\"-,Bold\"2023年度项目支出绩效自评"),
            "{name}: title with the year"
        );
        assert!(xml.contains("&amp;R单位：万元</oddHeader>"), "{name}");
        assert!(
            xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
            "{name}: fit"
        );
        let setup = &xml[xml.find("<pageSetup ").unwrap()..];
        let setup = &setup[..setup.find("/>").unwrap()];
        assert!(!setup.contains("fitToWidth"), "{name}: one page wide");
        if name.contains("原表") || name.contains("清洗") {
            assert!(!setup.contains("fitToHeight"), "{name}: a form on one page");
        } else {
            assert!(
                setup.contains("fitToHeight=\"0\""),
                "{name}: as many pages long as needed"
            );
        }
    }
    let book = part_text(&path, "xl/workbook.xml");
    // Screen-only columns (source file, sheet, cell, links) are not printed; the header
    // row repeats on every page.
    for area in [
        "汇总!$A$1:$O$7",
        "部门汇总!$A$1:$N$4",
        "指标明细!$A$1:$N$41",
        // 23 findings, and the reviewer's hints C013 (×3) and C014 (×2).
        "问题清单!$A$1:$H$29",
        "变更记录!$A$1:$H$",
        "图表!$A$1:$O$60",
    ] {
        assert!(book.contains(area), "print area {area}");
    }
    assert!(book.contains(
        "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">汇总!$1:$1</definedName>"
    ));
    assert!(
        book.contains("'P04清洗 毛发检测和城市污水溯源监测经费'!$A$1:$I$"),
        "a form prints without its link back"
    );
    // Long texts wrap, in rows tall enough for them.
    let styles = part_text(&path, "xl/styles.xml");
    assert!(styles.contains("wrapText=\"1\""));
    // The heights are auto heights (no customHeight), as Excel writes a row it fitted:
    // an edited cell fits its row again.
    let changes = sheet_xml(&path, "变更记录");
    let rows = &changes[changes.find("<row r=\"2\"").unwrap()..];
    assert!(rows.contains(" ht=\"45\">"), "a three-line row");
    assert!(!rows.contains("customHeight"));
}

#[test]
fn feedback_writes_one_workbook_per_department() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇总.xlsx");
    let fb = dir.path().join("反馈");
    let run = || {
        jixiao(&[
            "convert",
            "samples/2023",
            "-o",
            out.to_str().unwrap(),
            "--no-form-sheets",
            "--feedback",
            fb.to_str().unwrap(),
        ])
    };
    let o = run();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files: Vec<String> = std::fs::read_dir(&fb)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["靖州县禁毒办.xlsx"]);
    let path = fb.join("靖州县禁毒办.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "问题清单",
            "P01清洗 村和社区戒毒康复工作站、禁毒协会工作经费",
            "P02清洗 禁毒办专项及社区戒毒康复工作经费",
            "P03清洗 购买禁毒社工服务",
            "P04清洗 毛发检测和城市污水溯源监测经费",
            "说明",
        ]
    );
    let notes = wb.worksheet_range("说明").unwrap();
    assert!(cell_str(&notes, 0, 0).starts_with("jixiao 问题反馈"));
    let rows = |r: &calamine::Range<Data>, keep: &dyn Fn(&str) -> bool| -> Vec<String> {
        (1..r.height() as u32)
            .filter(|i| keep(&cell_str(r, *i, 0)))
            .map(|i| {
                (0..8)
                    .map(|c| cell_str(r, i, c))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    };
    let got = rows(&wb.worksheet_range("问题清单").unwrap(), &|_| true);
    let mut all: Xlsx<_> = open_workbook(&out).unwrap();
    // The bureau's list less its notes, each file by its name alone (the department does
    // not see the bureau's folders).
    let want: Vec<String> = rows(&all.worksheet_range("问题清单").unwrap(), &|s| {
        s != "提示"
    })
    .into_iter()
    .map(|r| r.replace("samples/2023/", ""))
    .collect();
    assert_eq!(got.len(), 15, "the 2 errors and 13 warnings of the samples");
    assert_eq!(got, want);
    // Each finding links to its cell in the 清洗 sheet; the sheets link back.
    let xml = sheet_xml(&path, "问题清单");
    assert!(xml.contains("P04清洗 毛发检测和城市污水溯源监测经费'!H30"));
    let form = sheet_xml(&path, "P04清洗 毛发检测和城市污水溯源监测经费");
    assert!(form.contains("<legacyDrawing"), "marks and notes");
    assert!(
        form.contains("问题清单&apos;!A1") || form.contains("问题清单'!A1"),
        "back link"
    );
    assert!(!form.contains("汇总"));
    let book = part_text(&path, "xl/workbook.xml");
    assert!(!book.contains("汇总!"));
    // A second run replaces the feedback it wrote (its 说明 marks it as jixiao's).
    let again = run();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // Sent back (a department may correct its 清洗 sheets), those sheets are read as the
    // forms, with the findings of the originals.
    let back = jixiao(&["check", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&back.stdout);
    assert!(
        text.contains("1 个文件 · 4 张表 · 2 个错误 · 13 个警告"),
        "{text}"
    );
    assert!(
        !text.contains("问题清单!") && !text.contains("L004"),
        "{text}"
    );
    // Any other file there is still never overwritten: the feedback workbook takes the
    // next free name, and the console says so (issue 19: never refused after the read).
    std::fs::write(&path, b"not ours").unwrap();
    let renamed = run();
    let stderr = String::from_utf8_lossy(&renamed.stderr);
    assert_eq!(renamed.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("已改名为 靖州县禁毒办-2.xlsx：原名的文件是一个已有的其他文件"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"not ours");
    assert!(path.with_file_name("靖州县禁毒办-2.xlsx").is_file());
}

/// A feedback workbook sent back is read as input (its corrected 清洗 sheets), so it is an
/// input like any other: a run that reads it never writes over it, though a run that does
/// not read it may replace it.
#[test]
fn a_feedback_workbook_read_back_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let fb = dir.path().join("反馈");
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        dir.path().join("汇总.xlsx").to_str().unwrap(),
        "--feedback",
        fb.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let back = fb.join("靖州县禁毒办.xlsx");
    let sent = std::fs::read(&back).unwrap();
    for args in [
        // The 汇总 written over the department's corrected copy it reads.
        vec!["-o", back.to_str().unwrap()],
        // New feedback written over the copies it reads.
        vec![
            "-o",
            dir.path().join("汇总2.xlsx").to_str().unwrap(),
            "--feedback",
            fb.to_str().unwrap(),
        ],
    ] {
        let mut all = vec!["convert", fb.to_str().unwrap()];
        let renames = args.len() > 2;
        all.extend(args);
        let o = jixiao(&all);
        let stderr = String::from_utf8_lossy(&o.stderr);
        if renames {
            // A feedback workbook meeting an input takes another name (issue 19): the run
            // is not refused after the read.
            assert_eq!(o.status.code(), Some(0), "{all:?}: {stderr}");
            assert!(
                stderr.contains("已改名为 靖州县禁毒办-2.xlsx：原名的文件是一个输入文件"),
                "{stderr}"
            );
        } else {
            assert_eq!(o.status.code(), Some(2), "{all:?}: {stderr}");
            assert!(stderr.contains("输入"), "{stderr}");
        }
        assert_eq!(std::fs::read(&back).unwrap(), sent, "{all:?}");
    }
}

/// A form sent twice is summed twice: 合计 says so, in 汇总 and in 部门汇总 (C005).
#[test]
fn totals_note_forms_counted_twice() {
    let inputs = tempfile::tempdir().unwrap();
    for (from, to) in [("1", "1"), ("2", "2"), ("1", "1-再次报送")] {
        std::fs::copy(
            root().join(format!("samples/2023/{from}.xlsx")),
            inputs.path().join(format!("{to}.xlsx")),
        )
        .unwrap();
    }
    let (v, dir) = convert_json(inputs.path().to_str().unwrap());
    let c005 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "C005")
        .count();
    assert_eq!(c005, 2, "both copies are flagged");
    assert_eq!(v["summary"]["duplicates"], 1);
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("汇总.xlsx")).unwrap();
    let label = "合计（其中 1 张自评表重复计入，见问题清单 C005）";
    let s = wb.worksheet_range("汇总").unwrap();
    let last = (1..s.height() as u32)
        .find(|r| cell_str(&s, *r, 1).starts_with("合计"))
        .expect("a 合计 row");
    assert_eq!(cell_str(&s, last, 1), label);
    let d = wb.worksheet_range("部门汇总").unwrap();
    let last = (1..d.height() as u32)
        .find(|r| cell_str(&d, *r, 0).starts_with("合计"))
        .expect("a 合计 row");
    assert_eq!(cell_str(&d, last, 0), label);
    assert_eq!(
        cell_str(&d, last, 1),
        "3",
        "the copy is one of the 3 projects counted"
    );
}
