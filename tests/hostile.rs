//! One hostile file never takes the batch down: each small file below, made by the test,
//! sits beside a good sample; the run converts the sample and either refuses the hostile
//! file with E001 and its reason, or reads it harmlessly.

mod common;

use common::*;
use serde_json::Value;

const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// An XLSX package with the given worksheets (their XML) and shared strings part.
fn xlsx(sheets: &[String], sst: Option<&[u8]>) -> Vec<u8> {
    let named: Vec<(String, String)> = (1..=sheets.len())
        .map(|i| (format!("S{i}"), sheets[i - 1].clone()))
        .collect();
    xlsx_named(&named, sst)
}

/// As [`xlsx`], with each sheet's name (XML-escaped here) given.
fn xlsx_named(sheets: &[(String, String)], sst: Option<&[u8]>) -> Vec<u8> {
    let mut wb = format!(
        r#"<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
    );
    let mut rels = String::from(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=sheets.len() {
        let name = xml_escape(&sheets[i - 1].0);
        wb += &format!(r#"<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>"#);
        rels += &format!(
            r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#
        );
    }
    wb += "</sheets></workbook>";
    rels += r#"<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let names: Vec<String> = (1..=sheets.len())
        .map(|i| format!("xl/worksheets/sheet{i}.xml"))
        .collect();
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("xl/workbook.xml", wb.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
    ];
    for (n, (_, s)) in names.iter().zip(sheets) {
        parts.push((n, s.as_bytes()));
    }
    if let Some(sst) = sst {
        parts.push(("xl/sharedStrings.xml", sst));
    }
    zip_of(&parts)
}

/// A grid as a worksheet part: inline strings (written raw, control characters included),
/// numbers, merged regions.
fn sheet_of(g: &jixiao::grid::Grid) -> String {
    use jixiao::grid::Value;
    let mut rows = std::collections::BTreeMap::<u32, String>::new();
    for (p, v) in g.non_empty() {
        let c = match v {
            Value::Number { value, .. } => format!(r#"<c r="{p}"><v>{value}</v></c>"#),
            other => format!(
                r#"<c r="{p}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                xml_escape(&other.display())
            ),
        };
        rows.entry(p.row).or_default().push_str(&c);
    }
    let data: String = rows
        .iter()
        .map(|(r, cells)| format!(r#"<row r="{}">{cells}</row>"#, r + 1))
        .collect();
    let merges: String = g
        .merges()
        .iter()
        .map(|m| format!(r#"<mergeCell ref="{}:{}"/>"#, m.first, m.last))
        .collect();
    sheet(&data, &format!("<mergeCells>{merges}</mergeCells>"))
}

fn sheet(data: &str, tail: &str) -> String {
    format!(r#"<worksheet xmlns="{NS}"><sheetData>{data}</sheetData>{tail}</worksheet>"#)
}

/// Runs `convert` over a folder holding sample 1 and `name`; returns the exit code, the
/// JSON, and the seconds taken. With `JIXIAO_KEEP_HOSTILE=DIR` each hostile file is also
/// copied into DIR, to measure one run over all of them with the release binary
/// (BENCHMARKS.md).
fn run_beside_sample(name: &str, bytes: &[u8]) -> (i32, Value, f64) {
    if let Some(keep) = std::env::var_os("JIXIAO_KEEP_HOSTILE") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(std::path::Path::new(&keep).join(name), bytes).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("in");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::copy(root().join("samples/2023/1.xlsx"), inbox.join("1.xlsx")).unwrap();
    std::fs::write(inbox.join(name), bytes).unwrap();
    let out = dir.path().join("out.xlsx");
    let json = dir.path().join("out.json");
    let t = std::time::Instant::now();
    let o = jixiao(&[
        "convert",
        inbox.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "-q",
    ]);
    let secs = t.elapsed().as_secs_f64();
    assert!(out.exists(), "{name}: no workbook written: {o:?}");
    let v: Value = read_json(&json);
    // The good sample is always converted.
    let good = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["path"].as_str().unwrap().ends_with("1.xlsx")
                && !i["path"].as_str().unwrap().ends_with(name)
        })
        .unwrap();
    assert_eq!(good["status"], "ok", "{name}");
    assert_eq!(good["forms"], 1, "{name}");
    (o.status.code().unwrap(), v, secs)
}

fn input<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(name))
        .unwrap()
}

/// The hostile file is refused with E001 and a reason containing `why`; exit 1.
fn refused(name: &str, bytes: &[u8], why: &str) {
    let (code, v, secs) = run_beside_sample(name, bytes);
    let i = input(&v, name);
    assert_eq!(i["status"], "failed", "{name}: {i}");
    let reason = i["reason"].as_str().unwrap();
    assert!(
        reason.contains(why) && reason.ends_with("[E001]"),
        "{name}: {reason}"
    );
    assert_eq!(code, 1, "{name}");
    assert!(secs < 60.0, "{name}: {secs} s");
}

/// A workbook whose shared strings declare 4,000,000,000 entries and hold one.
fn huge_shared_strings() -> Vec<u8> {
    let sst = format!(
        r#"<sst xmlns="{NS}" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>"#
    );
    xlsx(
        &[sheet(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
            "",
        )],
        Some(sst.as_bytes()),
    )
}

#[test]
fn declared_shared_string_count_is_not_trusted() {
    let bytes = huge_shared_strings();
    refused(
        "sst.xlsx",
        &bytes,
        "共享字符串表声明 4000000000 项（uniqueCount），过大",
    );
}

/// The same declared count in a part named `xl/SharedStrings.xml`, which calamine (the
/// fallback reader) finds too: the check must find it as well.
#[test]
fn declared_shared_string_count_is_checked_whatever_the_parts_case() {
    let bytes = huge_shared_strings();
    // The name as it stands in the local header and the central directory.
    let (from, to) = (b"xl/sharedStrings.xml", b"xl/SharedStrings.xml");
    let mut renamed = bytes.clone();
    let mut n = 0;
    for i in 0..renamed.len() - from.len() {
        if &renamed[i..i + from.len()] == from {
            renamed[i..i + from.len()].copy_from_slice(to);
            n += 1;
        }
    }
    assert_eq!(n, 2, "the part's name, once in each header");
    refused(
        "sst-case.xlsx",
        &renamed,
        "共享字符串表声明 4000000000 项（uniqueCount），过大",
    );
}

#[test]
fn the_cell_budget_is_per_file_not_per_sheet() {
    // Ten sheets each spanning A1:ALL4900 (4.9 million cells): under the limit alone,
    // 49 million together.
    let s = sheet(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="4900"><c r="ALL4900"><v>2</v></c></row>"#,
        "",
    );
    let bytes = xlsx(&vec![s; 10], None);
    refused("ten.xlsx", &bytes, "文件过大");
}

#[test]
fn one_long_string_in_many_cells_is_bounded() {
    let big = "长".repeat((10 << 20) / 3);
    let sst = format!(r#"<sst xmlns="{NS}"><si><t>{big}</t></si></sst>"#);
    let row: String = (1..=400)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#))
        .collect();
    let bytes = xlsx(&[sheet(&row, "")], Some(sst.as_bytes()));
    assert!(bytes.len() < 200_000, "{}", bytes.len());
    refused("long.xlsx", &bytes, "单元格文字总量过大");
}

#[test]
fn a_huge_part_is_refused_not_streamed() {
    let ws = format!(
        r#"<worksheet xmlns="{NS}"><sheetData>{}</sheetData></worksheet>"#,
        " ".repeat(300 << 20)
    );
    let bytes = xlsx(&[ws], None);
    refused("space.xlsx", &bytes, "解压后过大");
}

fn ods(content: &str) -> Vec<u8> {
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
        ),
        ("content.xml", content.as_bytes()),
    ])
}

fn ods_table(rows: &str) -> String {
    format!(
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

#[test]
fn ods_far_cell_and_repeated_rows_are_refused() {
    let far = ods(&ods_table(
        r#"<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="10"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="1000"/><table:table-cell office:value-type="float" office:value="2"><text:p>2</text:p></table:table-cell></table:table-row>"#,
    ));
    refused("far.ods", &far, "展开重复的行与列后超过");
    let text = "长".repeat(1 << 20);
    let repeated = ods(&ods_table(&format!(
        r#"<table:table-row table:number-rows-repeated="400"><table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
    )));
    refused("repeated.ods", &repeated, "单元格文字总量过大");
}

#[test]
fn deeply_nested_html_is_read_without_overflowing() {
    let html = format!(
        "<html><body><table><tr><td>{}深{}</td></tr></table></body></html>",
        "<span>".repeat(16_000),
        "</span>".repeat(16_000)
    );
    let (code, v, _) = run_beside_sample("nested.xls", html.as_bytes());
    let i = input(&v, "nested.xls");
    assert_eq!(i["status"], "ok", "{i}");
    assert_eq!(i["forms"], 0);
    assert_eq!(code, 0);
}

#[test]
fn cells_past_xfd_are_dropped_with_a_finding() {
    let bytes = xlsx(
        &[sheet(
            r#"<row r="1"><c r="A1"><v>1</v></c><c r="ZZZ1"><v>2</v></c></row>"#,
            "",
        )],
        None,
    );
    let (code, v, _) = run_beside_sample("zzz.xlsx", &bytes);
    assert_eq!(input(&v, "zzz.xlsx")["status"], "ok");
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "E001" && f["file"].as_str().unwrap().ends_with("zzz.xlsx"))
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        ["工作表“S1”有 1 个单元格超出 Excel 的范围（XFD 列、第 1,048,576 行之后），已忽略：ZZZ1"]
    );
    assert_eq!(code, 0);

    let xml = r#"<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="表"><Table><Row><Cell><Data ss:Type="Number">1</Data></Cell><Cell ss:Index="20000"><Data ss:Type="Number">2</Data></Cell></Row></Table></Worksheet></Workbook>"#;
    let (code, v, _) = run_beside_sample("far.xls", xml.as_bytes());
    assert_eq!(input(&v, "far.xls")["status"], "ok");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("已忽略：ACOF1")),
        "{}",
        v["findings"]
    );
    assert_eq!(code, 0);
}

#[test]
fn duplicate_merges_are_linear_and_counted_once() {
    let merges: String = (0..20_000).map(|_| r#"<mergeCell ref="A1:B2"/>"#).collect();
    let bytes = xlsx(
        &[sheet(
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="3000"><c r="CV3000"><v>2</v></c></row>"#,
            &format!(r#"<mergeCells count="20000">{merges}</mergeCells>"#),
        )],
        None,
    );
    let (_, v, secs) = run_beside_sample("merges.xlsx", &bytes);
    assert_eq!(input(&v, "merges.xlsx")["status"], "ok");
    assert!(secs < 20.0, "{secs} s");
    let grids = grids_of_bytes("merges.xlsx", &bytes);
    assert_eq!(grids[0].merges().len(), 1);
}

/// Whatever a form holds, the workbook is written: 40,000 characters, control characters,
/// U+FFFE/U+FFFF in the project name; sheet names with `[]:*?/\`, longer than 31
/// characters, the same in two files.
#[test]
fn no_input_value_makes_the_workbook_fail() {
    use calamine::{Data, Reader, Xlsx};
    let mut g = grids_of_bytes(
        "1.xlsx",
        &std::fs::read(root().join("samples/2023/1.xlsx")).unwrap(),
    )
    .remove(0);
    let form = &jixiao::batch::forms_in(std::slice::from_ref(&g), "1.xlsx")[0];
    let at = form.name.cell.unwrap();
    let name = format!(
        "{}\u{1}\u{b}\u{1f}\u{fffe}\u{ffff}[]:*?/\\'尾",
        "长".repeat(40_000)
    );
    g.set(at, jixiao::grid::Value::text(&name));
    let hostile = "预算[2023]:项目*?/\\支出绩效自评表——一个超过三十一个字符的工作表名称\u{fffe}";
    let a = xlsx_named(&[(hostile.to_string(), sheet_of(&g))], None);
    let b = xlsx_named(&[(hostile.to_string(), sheet_of(&g))], None);

    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("in");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(inbox.join("a.xlsx"), &a).unwrap();
    std::fs::write(inbox.join("b.xlsx"), &b).unwrap();
    let out = dir.path().join("out.xlsx");
    let json = dir.path().join("out.json");
    let o = jixiao(&[
        "convert",
        inbox.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: Value = read_json(&json);
    assert_eq!(v["summary"]["forms"], 2);
    // JSON keeps the text whole.
    assert_eq!(v["projects"][0]["name"], name.trim());
    assert_eq!(v["projects"][0]["sheet"], hostile);

    let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let names = wb.sheet_names();
    let forms: Vec<&String> = names.iter().filter(|n| n.starts_with('P')).collect();
    assert_eq!(forms.len(), 4, "{names:?}");
    for n in &names {
        wb.worksheet_range(n).unwrap();
    }
    let summary = wb.worksheet_range("汇总").unwrap();
    let col = |title: &str| {
        (0..summary.width())
            .find(|&c| summary.get_value((0, c as u32)) == Some(&Data::String(title.into())))
            .unwrap() as u32
    };
    let text = |r: u32, c: u32| match summary.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("{other:?}"),
    };
    for r in [1, 2] {
        let s = text(r, col("项目名称"));
        assert_eq!(s.chars().count(), 32_767);
        assert_eq!(s, jixiao::write::excel_text(&name));
        assert_eq!(text(r, col("来源工作表")), hostile);
    }
    let want: Vec<String> = ["P01原表", "P01清洗", "P02原表", "P02清洗"]
        .iter()
        .map(|p| format!("{p} {}…", "长".repeat(24)))
        .collect();
    assert_eq!(forms, want.iter().collect::<Vec<_>>());
}
