//! Two ways a workbook could be silently wrong (issue 19): a form on a hidden sheet, and a
//! formula saved without its result. The inputs are the seed's `samples/2023/1.xlsx`
//! taken apart and put together again as raw XML, as another program would write them.

mod common;

use common::*;
use jixiao::batch;
use jixiao::model::{Batch, Finding};
use jixiao::read::Limits;
use std::path::PathBuf;

fn text(parts: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, b) = parts.iter().find(|(n, _)| n == name).unwrap();
    String::from_utf8(b.clone()).unwrap()
}

fn set(parts: &mut Vec<(String, Vec<u8>)>, name: &str, body: String) {
    match parts.iter_mut().find(|(n, _)| n == name) {
        Some(p) => p.1 = body.into_bytes(),
        None => parts.push((name.to_string(), body.into_bytes())),
    }
}

fn replace_once(s: &str, from: &str, to: &str) -> String {
    assert_eq!(s.matches(from).count(), 1, "{from} once in the part");
    s.replacen(from, to, 1)
}

/// `samples/2023/1.xlsx` with more worksheets after its `Sheet1`: each a name, its
/// `state` (`hidden`, `veryHidden`) and its XML (`None`: a copy of `Sheet1`).
fn sample_with_sheets(extra: &[(&str, &str, Option<&str>)]) -> Vec<u8> {
    let mut parts = parts_of(&root().join("samples/2023/1.xlsx"));
    let sheet1 = text(&parts, "xl/worksheets/sheet1.xml");
    let mut book = text(&parts, "xl/workbook.xml");
    let mut rels = text(&parts, "xl/_rels/workbook.xml.rels");
    let mut types = text(&parts, "[Content_Types].xml");
    for (i, (name, state, xml)) in extra.iter().enumerate() {
        let n = i + 2;
        let id = format!("rIdX{n}");
        book = replace_once(
            &book,
            "</sheets>",
            &format!(
                r#"<sheet name="{name}" sheetId="{n}" state="{state}" r:id="{id}"/></sheets>"#
            ),
        );
        rels = replace_once(
            &rels,
            "</Relationships>",
            &format!(
                r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/></Relationships>"#
            ),
        );
        types = replace_once(
            &types,
            "</Types>",
            &format!(
                r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
        );
        let body = xml.map_or_else(|| sheet1.clone(), str::to_string);
        set(&mut parts, &format!("xl/worksheets/sheet{n}.xml"), body);
    }
    set(&mut parts, "xl/workbook.xml", book);
    set(&mut parts, "xl/_rels/workbook.xml.rels", rels);
    set(&mut parts, "[Content_Types].xml", types);
    zip_of(&parts)
}

/// `samples/2023/1.xlsx` with its own `Sheet1` made hidden, and a visible cover sheet
/// holding no form before it.
fn sample_only_hidden() -> Vec<u8> {
    let cover = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>封面</t></is></c></row></sheetData></worksheet>"#;
    let bytes = sample_with_sheets(&[("封面", "visible", Some(cover))]);
    let mut parts = parts(&bytes);
    let book = text(&parts, "xl/workbook.xml");
    let book = replace_once(
        &book,
        r#"<sheet name="Sheet1" sheetId="1" r:id="rId1"/>"#,
        r#"<sheet name="Sheet1" sheetId="1" state="hidden" r:id="rId1"/>"#,
    );
    set(&mut parts, "xl/workbook.xml", book);
    zip_of(&parts)
}

fn run_with(inputs: &[PathBuf], via_calamine: bool) -> Batch {
    let opts = batch::Options {
        limits: Limits {
            xlsx_via_calamine: via_calamine,
            ..Default::default()
        },
        keep_source: true,
        ..Default::default()
    };
    batch::run(inputs, &opts).unwrap()
}

fn file_findings<'a>(b: &'a Batch, code: &str) -> Vec<&'a Finding> {
    b.file_findings.iter().filter(|f| f.code == code).collect()
}

/// The E004s of a batch: (sheet, message).
fn e004(b: &Batch) -> Vec<(String, String)> {
    file_findings(b, "E004")
        .iter()
        .map(|f| {
            (
                f.sheet.as_deref().unwrap_or("").to_string(),
                f.message.clone(),
            )
        })
        .collect()
}

#[test]
fn forms_on_hidden_sheets_are_not_summed_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("隐藏.xlsx");
    std::fs::write(
        &path,
        sample_with_sheets(&[("2022年", "hidden", None), ("草稿", "veryHidden", None)]),
    )
    .unwrap();
    let alone = read(&[root().join("samples/2023/1.xlsx")]);
    for via_calamine in [false, true] {
        let b = run_with(std::slice::from_ref(&path), via_calamine);
        assert_eq!(b.forms.len(), 1, "calamine: {via_calamine}");
        assert_eq!(b.forms[0].sheet.as_ref(), "Sheet1");
        assert_eq!(meaning(&b.forms[0]), meaning(&alone.forms[0]));
        assert_eq!(
            e004(&b),
            [
                (
                    "2022年".to_string(),
                    "工作表“2022年”已隐藏，其中的自评表未计入汇总；如需汇总请取消隐藏后重新运行"
                        .to_string()
                ),
                (
                    "草稿".to_string(),
                    "工作表“草稿”已深度隐藏（Excel 中看不到），其中的自评表未计入汇总；如需汇总请取消隐藏后重新运行"
                        .to_string()
                ),
            ]
        );
        assert!(file_findings(&b, "E003").is_empty());
        assert!(
            b.file_findings
                .iter()
                .all(|f| f.severity.as_str() == "warning")
        );
        // 说明 lists them with the file.
        let reason = b.inputs[0].reason.as_deref().unwrap();
        assert!(
            reason.contains("“2022年”已隐藏") && reason.contains("[E004]"),
            "{reason}"
        );
        assert_eq!(b.inputs[0].forms, 1);
    }

    // Through the binary: the warnings are printed, the form is counted once.
    let o = jixiao(&["check", path.to_str().unwrap(), "--fail-on", "never"]);
    let out = lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", lossy(&o.stderr));
    assert_eq!(out.matches("警告[E004]").count(), 2, "{out}");
    assert!(out.contains("1 张表"), "{out}");
}

#[test]
fn a_workbook_whose_only_form_is_hidden_is_no_e003() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("只有隐藏.xlsx");
    std::fs::write(&path, sample_only_hidden()).unwrap();
    for via_calamine in [false, true] {
        let b = run_with(std::slice::from_ref(&path), via_calamine);
        assert!(b.forms.is_empty());
        assert_eq!(e004(&b).len(), 1);
        assert_eq!(e004(&b)[0].0, "Sheet1");
        assert!(
            file_findings(&b, "E003").is_empty(),
            "{:?}",
            b.file_findings
        );
    }
}

/// LibreOffice keeps a hidden sheet hidden in .xls and .ods (a very hidden one comes out
/// hidden or visible, depending on the format): the forms on them are left out there too.
#[test]
fn hidden_sheets_in_xls_and_ods() {
    let Some(soffice) = soffice() else {
        eprintln!("skipped: soffice (LibreOffice) is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hidden.xlsx");
    std::fs::write(
        &path,
        sample_with_sheets(&[("2022年", "hidden", None), ("草稿", "veryHidden", None)]),
    )
    .unwrap();
    for format in ["xls", "ods"] {
        let out = tempfile::tempdir().unwrap();
        let converted = convert_with_soffice(&soffice, &path, format, out.path());
        let grids = grids_of(&converted);
        let hidden: Vec<(&str, bool)> = grids
            .iter()
            .map(|g| (g.sheet.as_str(), g.hidden.is_some()))
            .collect();
        assert_eq!(hidden[0], ("Sheet1", false), "{format}: {hidden:?}");
        assert_eq!(hidden[1], ("2022年", true), "{format}: {hidden:?}");
        let b = read(&[converted]);
        let visible_copies = usize::from(!hidden[2].1);
        assert_eq!(b.forms.len(), 1 + visible_copies, "{format}");
        assert_eq!(b.forms[0].sheet.as_ref(), "Sheet1");
        let sheets: Vec<String> = e004(&b).into_iter().map(|(s, _)| s).collect();
        let mut want = vec!["2022年".to_string()];
        if hidden[2].1 {
            want.push("草稿".into());
        }
        assert_eq!(sheets, want, "{format}");
    }
}

/// `samples/2023/1.xlsx` with its 总分 (H30, 99) a `SUM` formula saved without a result.
fn sample_with_unsaved_total() -> Vec<u8> {
    let mut parts = parts_of(&root().join("samples/2023/1.xlsx"));
    let sheet = text(&parts, "xl/worksheets/sheet1.xml");
    let sheet = replace_once(
        &sheet,
        r#"<c r="H30" s="5" t="s"><v>74</v></c>"#,
        r#"<c r="H30" s="5"><f>SUM(H13:H29)</f></c>"#,
    );
    set(&mut parts, "xl/worksheets/sheet1.xml", sheet);
    zip_of(&parts)
}

#[test]
fn a_formula_without_its_result_is_a_finding_not_an_empty_total() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("公式.xlsx");
    std::fs::write(&path, sample_with_unsaved_total()).unwrap();
    let alone = read(&[root().join("samples/2023/1.xlsx")]);
    assert_eq!(
        alone.forms[0].declared_total.value,
        Some(99.into()),
        "the sample's 总分"
    );
    for via_calamine in [false, true] {
        let b = run_with(std::slice::from_ref(&path), via_calamine);
        assert_eq!(b.forms.len(), 1);
        let f = &b.forms[0];
        assert_eq!(f.declared_total.value, None, "calamine: {via_calamine}");
        assert_eq!(
            f.declared_total.cell.map(|c| c.to_string()).as_deref(),
            Some("H30")
        );
        let v002: Vec<_> = f
            .findings
            .iter()
            .filter(|x| x.code == "V002" && x.cell.is_some_and(|c| c.to_string() == "H30"))
            .collect();
        assert_eq!(v002.len(), 1, "{:?}", f.findings);
        assert!(
            v002[0].message.contains("“=SUM(H13:H29)”"),
            "{}",
            v002[0].message
        );
        // No total compared against an empty one.
        assert!(
            !f.findings.iter().any(|x| x.code == "S001"),
            "{:?}",
            f.findings
        );
        let e005 = file_findings(&b, "E005");
        assert_eq!(e005.len(), 1);
        assert_eq!(
            e005[0].message,
            "有1个公式单元格没有保存计算结果（如 Sheet1!H30 “=SUM(H13:H29)”），其值无法读取；请在 Excel/WPS 中打开并保存后重新运行"
        );
        assert_eq!(e005[0].cell.map(|c| c.to_string()).as_deref(), Some("H30"));
        // The 原表 keeps what the file holds: the formula, as text.
        let src = f.source.as_ref().unwrap().load().unwrap();
        let h30 = src.cells.iter().find(|(p, _)| p.to_string() == "H30");
        assert_eq!(
            h30.map(|(_, v)| v.display()).as_deref(),
            Some("=SUM(H13:H29)")
        );
        // Everything else reads as before.
        let mut before = alone.forms[0].clone();
        before.declared_total.value = None;
        assert_eq!(meaning(f), meaning(&before));
    }

    // The whole way to a workbook and JSON: written, and the JSON says it.
    let out = tempfile::tempdir().unwrap();
    let xlsx = out.path().join("汇总.xlsx");
    let json = out.path().join("汇总.json");
    let o = jixiao(&[
        "convert",
        path.to_str().unwrap(),
        "-o",
        xlsx.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", lossy(&o.stderr));
    let doc = std::fs::read_to_string(&json).unwrap();
    assert!(doc.contains("\"E005\""), "{doc}");
    assert!(doc.contains("=SUM(H13:H29)"));
}
