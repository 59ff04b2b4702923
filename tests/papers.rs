//! The consolidated workbook as papers a clerk hands on (issue 18, item 4), through the
//! binary: the letterhead in the printed title, names wrapped in rows tall enough, blank
//! (never 0.00) where no form gives a figure, charts on their own printed sheet with an
//! axis that reaches the highest score, and files named below the folder they were found in.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use std::path::{MAIN_SEPARATOR, Path};

/// `jixiao convert <inputs> -o <dir>/汇总.xlsx [extra]`, which must succeed.
fn convert(dir: &Path, inputs: &[&str], extra: &[&str]) -> std::path::PathBuf {
    let out = dir.join("汇总.xlsx");
    let mut args = vec!["convert"];
    args.extend(inputs);
    args.extend(["-o", out.to_str().unwrap(), "--no-form-sheets"]);
    args.extend(extra);
    let o = jixiao(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// The XML part of a sheet by its name.
fn sheet_xml(path: &Path, sheet: &str) -> String {
    let wb = part_text(path, "xl/workbook.xml");
    let rels = part_text(path, "xl/_rels/workbook.xml.rels");
    let at = wb
        .find(&format!("name=\"{sheet}\""))
        .unwrap_or_else(|| panic!("no sheet {sheet}"));
    let rid = &wb[at..];
    let rid = &rid[rid.find("r:id=\"").unwrap() + 6..];
    let rid = &rid[..rid.find('"').unwrap()];
    let t = &rels[rels.find(&format!("Id=\"{rid}\"")).unwrap()..];
    let t = &t[t.find("Target=\"").unwrap() + 8..];
    let t = &t[..t.find('"').unwrap()];
    part_text(path, &format!("xl/{}", t.trim_start_matches("/xl/")))
}

/// The text between `<tag>` and `</tag>` (first one).
fn inner<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let Some(at) = xml.find(&open) else {
        return "";
    };
    let rest = &xml[at + open.len()..];
    &rest[..rest.find(&format!("</{tag}>")).unwrap()]
}

fn cell(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    r.get_value((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// The `<xf>` of the cell style a sheet's column carries (1-based column).
fn column_style(path: &Path, sheet: &str, col: u32) -> String {
    let xml = sheet_xml(path, sheet);
    let cols = inner(&xml, "cols");
    let style: usize = cols
        .split("<col ")
        .skip(1)
        .find_map(|c| {
            let attr = |n: &str| -> Option<u32> {
                let i = c.find(&format!("{n}=\""))? + n.len() + 2;
                c[i..i + c[i..].find('"')?].parse().ok()
            };
            (attr("min")? <= col && col <= attr("max")?).then(|| attr("style"))?
        })
        .map(|s| s as usize)
        .expect("a column style");
    let styles = part_text(path, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    xfs[..xfs.find("</cellXfs>").unwrap()]
        .split("<xf ")
        .nth(style + 1)
        .unwrap()
        .to_string()
}

#[test]
fn the_letterhead_heads_every_printed_page() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("设置.txt");
    std::fs::write(
        &settings,
        "编制单位 = 靖州县财政局 & 绩效股\n年度 = 2024\n编制日期 = 2024年3月15日\n",
    )
    .unwrap();
    let out = convert(
        dir.path(),
        &["samples/2023"],
        &["--settings", settings.to_str().unwrap()],
    );
    for sheet in [
        "汇总",
        "部门汇总",
        "图表",
        "指标明细",
        "资金",
        "问题清单",
        "变更记录",
        "说明",
    ] {
        let header = inner(&sheet_xml(&out, sheet), "oddHeader").replace("&amp;", "&");
        assert_eq!(
            header,
            "&L&\"-,Bold\"2024年度项目支出绩效自评\n&\"-,Regular\"编制单位：靖州县财政局 && 绩效股\
             &R单位：万元\n编制日期：2024年3月15日",
            "{sheet}: the clerk's year over the forms' 2023, 编制单位 with its & escaped, the date"
        );
    }

    // Without settings: the forms' year, no 编制单位, no date (no clock), the same bytes.
    let plain = tempfile::tempdir().unwrap();
    let a = std::fs::read(convert(plain.path(), &["samples/2023"], &[])).unwrap();
    let header = inner(
        &sheet_xml(&plain.path().join("汇总.xlsx"), "汇总"),
        "oddHeader",
    )
    .replace("&amp;", "&");
    assert_eq!(header, "&L&\"-,Bold\"2023年度项目支出绩效自评&R单位：万元");
    let again = tempfile::tempdir().unwrap();
    let b = std::fs::read(convert(again.path(), &["samples/2023"], &[])).unwrap();
    assert!(
        a == b,
        "no date printed, so the same inputs give the same bytes"
    );
}

#[test]
fn names_wrap_in_rows_tall_enough() {
    let dir = tempfile::tempdir().unwrap();
    let out = convert(dir.path(), &["tests/fixtures/real"], &[]);
    // 项目名称, 主管部门 and 实施单位 in 汇总, 主管部门 in 部门汇总: wrapped, not cut off.
    for (sheet, col) in [("汇总", 2), ("汇总", 3), ("汇总", 4), ("部门汇总", 1)] {
        let xf = column_style(&out, sheet, col);
        assert!(xf.contains("wrapText=\"1\""), "{sheet} column {col}: {xf}");
    }
    // P0002's 主管部门 takes four lines of 17 characters: its row is four lines tall.
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let s = wb.worksheet_range("汇总").unwrap();
    assert_eq!(
        cell(&s, 2, 2),
        "安徽省人力资源和社会保障厅 淮南市人力资源和社会保障局"
    );
    let xml = sheet_xml(&out, "汇总");
    assert!(xml.contains("<row r=\"3\" ht=\"60\">"), "a four-line row");
    // A one-line row keeps the default height: no blank gap under it.
    assert!(xml.contains("<row r=\"7\">"), "P0006 fits one line");
}

#[test]
fn a_sum_over_nothing_known_is_blank_as_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    let out = convert(
        dir.path(),
        &["tests/fixtures/real/hubei-2020-exec20.xlsx", "samples/2023"],
        &["--csv", csv.to_str().unwrap()],
    );
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let s = wb.worksheet_range("汇总").unwrap();
    assert_eq!(cell(&s, 1, 2), "区商务局");
    assert_eq!(
        s.get_value((1, 5)),
        Some(&Data::Empty),
        "汇总: no 年初预算数"
    );
    let d = wb.worksheet_range("部门汇总").unwrap();
    assert_eq!(cell(&d, 1, 0), "区商务局");
    assert!(
        matches!(d.get_value((1, 2)), None | Some(Data::Empty)),
        "部门汇总: blank, not 0.00: {:?}",
        d.get_value((1, 2))
    );
    assert_eq!(d.get_value((1, 3)), Some(&Data::Float(285.84)));
    // The department with figures keeps them, and 合计 sums what is known.
    assert_eq!(cell(&d, 2, 0), "靖州县禁毒办");
    assert_eq!(d.get_value((2, 2)), Some(&Data::Float(165.24)));
    assert_eq!(d.get_value((4, 2)), Some(&Data::Float(165.24)));
    // CSV agrees.
    let text = std::fs::read_to_string(csv.join("部门汇总.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][0], "区商务局");
    assert_eq!(&rows[0][2], "", "CSV: blank too");
    assert_eq!(&rows[0][3], "285.84");
}

#[test]
fn charts_print_on_their_own_sheet_with_scores_above_100() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("o.json");
    let out = convert(
        dir.path(),
        &["tests/fixtures/real"],
        &["--json", json.to_str().unwrap()],
    );
    let wb: Xlsx<_> = open_workbook(&out).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[..4], ["汇总", "部门汇总", "图表", "指标明细"]);
    // The highest score of the batch (a 核算总分 of 120).
    let v = read_json(&json);
    let highest = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| [&p["computed_total"], &p["declared_total"]])
        .filter_map(|x| x.as_str()?.parse::<f64>().ok())
        .fold(0.0, f64::max);
    assert_eq!(highest, 120.0);
    // 图表 holds the charts (汇总 and 部门汇总 none), printed A4 landscape within its area.
    let charts = sheet_xml(&out, "图表");
    assert!(charts.contains("<drawing r:id="), "图表 has the charts");
    for sheet in ["汇总", "部门汇总"] {
        assert!(!sheet_xml(&out, sheet).contains("<drawing "), "{sheet}");
    }
    assert!(charts.contains("paperSize=\"9\""));
    assert!(charts.contains("orientation=\"landscape\""));
    assert!(charts.contains("<rowBreaks count=\"1\""), "a chart a page");
    let book = part_text(&out, "xl/workbook.xml");
    assert!(
        book.contains("图表!$A$1:$O$60"),
        "both charts in the print area"
    );
    // The scores chart's value axis reaches the highest score.
    let parts = parts_of(&out);
    let scores = parts
        .iter()
        .filter(|(n, _)| n.starts_with("xl/charts/chart"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .find(|x| x.contains("申报总分与核算总分"))
        .expect("the scores chart");
    let max = &scores[scores.find("<c:max val=\"").expect("an axis max") + 12..];
    let max: f64 = max[..max.find('"').unwrap()].parse().unwrap();
    assert!(max >= highest, "axis max {max} below {highest}");
    assert_eq!(max, 120.0);
}

#[test]
fn lists_name_files_below_the_folder_they_were_found_in() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("报送");
    std::fs::create_dir_all(inputs.join("禁毒办")).unwrap();
    std::fs::copy(
        root().join("samples/2023/4.xlsx"),
        inputs.join("禁毒办").join("4.xlsx"),
    )
    .unwrap();
    let json = dir.path().join("o.json");
    let out = convert(
        dir.path(),
        &[inputs.to_str().unwrap()],
        &["--json", json.to_str().unwrap()],
    );
    let shown = format!("禁毒办{MAIN_SEPARATOR}4.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let s = wb.worksheet_range("汇总").unwrap();
    assert_eq!(cell(&s, 0, 15), "来源文件");
    assert_eq!(cell(&s, 1, 15), shown);
    for (sheet, col) in [("指标明细", 14), ("问题清单", 5), ("变更记录", 0)] {
        let r = wb.worksheet_range(sheet).unwrap();
        assert_eq!(cell(&r, 1, col), shown, "{sheet}");
    }
    let notes = wb.worksheet_range("说明").unwrap();
    let listed = (0..notes.height() as u32).any(|r| cell(&notes, r, 0) == shown);
    assert!(listed, "说明 lists the input as the lists name it");
    // The JSON keeps the path as given (contract).
    let v = read_json(&json);
    let file = v["projects"][0]["file"].as_str().unwrap();
    assert!(file.ends_with("报送/禁毒办/4.xlsx"), "{file}");

    // Several inputs: each folder's own name first; a file given directly, its name.
    let two = tempfile::tempdir().unwrap();
    let out = convert(
        two.path(),
        &["samples/2023", "tests/fixtures/real/central-pku-2019.xlsx"],
        &[],
    );
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let s = wb.worksheet_range("汇总").unwrap();
    assert_eq!(cell(&s, 1, 15), format!("2023{MAIN_SEPARATOR}1.xlsx"));
    assert_eq!(cell(&s, 5, 15), "central-pku-2019.xlsx");
}
