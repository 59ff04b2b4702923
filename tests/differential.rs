//! Differential test: jixiao's readers against calamine read directly.
//!
//! A corpus of hand-made XLSX packages (inline strings, rich runs, cells without `r=`,
//! booleans, errors, dates, the 1904 system, padded shared strings with and without
//! `xml:space`), the samples, and — where LibreOffice is installed — the same files
//! converted by it to .xls, .ods and .xlsx. Every file is read three ways where it
//! applies: jixiao's reader as used (`read_bytes`), its single-pass XLSX reader alone (it
//! must not fall back), and its calamine path alone; each must give the cells and merges
//! that calamine's own `worksheet_range` and `merge_cells_by_sheet_name` give.

mod common;

use calamine::{Data, Reader, Sheets};
use jixiao::grid::{Grid, Pos, Region, Value, decimal_from_f64};
use jixiao::read::{Limits, is_percent_format, read_bytes, read_xlsx_fast};
use rust_decimal::Decimal;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::str::FromStr;

const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RNS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Cell styles shared by every hand-made package, by index:
/// 0 General, 1 built-in date (14), 2 `0%` (9), 3 `0.00%` (10), 4 `yyyy"年"m"月"d"日"`,
/// 5 `yyyy-mm-dd hh:mm`, 6 `h:mm` (20), 7 `[h]:mm:ss` (46), 8 `0.0%`, 9 text (49).
const STYLES: &str = r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="165" formatCode="yyyy\-mm\-dd\ hh:mm"/><numFmt numFmtId="166" formatCode="0.0%"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="10"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="20" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"#;

/// One hand-made case: a sheet's `<sheetData>` content, its shared strings (the `<si>`
/// elements), merges, the date system, and cells whose values the test knows exactly.
struct Case {
    name: &'static str,
    rows: &'static str,
    sst: &'static str,
    merges: &'static [&'static str],
    date1904: bool,
    expect: &'static [(&'static str, Expect)],
}

#[derive(Debug, Clone, Copy)]
enum Expect {
    Text(&'static str),
    Num(&'static str),
    Pct(&'static str),
    Bool(bool),
    Err(&'static str),
    Empty,
}

impl Expect {
    fn value(self) -> Value {
        match self {
            Expect::Text(s) => Value::text(s),
            Expect::Num(n) => Value::number(Decimal::from_str(n).unwrap()),
            Expect::Pct(n) => Value::Number {
                value: Decimal::from_str(n).unwrap(),
                percent: true,
            },
            Expect::Bool(b) => Value::Bool(b),
            Expect::Err(e) => Value::Error(e.to_string()),
            Expect::Empty => Value::Empty,
        }
    }
}

use Expect::*;

const CASES: &[Case] = &[
    Case {
        name: "sst-newline-unpreserved",
        rows: r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
        sst: "<si><t>\n10</t></si>",
        merges: &[],
        date1904: false,
        expect: &[("A1", Text("10"))],
    },
    Case {
        name: "sst-newline-preserved",
        rows: r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
        sst: "<si><t xml:space=\"preserve\">\n10</t></si>",
        merges: &[],
        date1904: false,
        expect: &[("A1", Text("\n10"))],
    },
    Case {
        name: "sst-padding",
        rows: r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>"#,
        sst: "<si><t> \t甲\r\n </t></si><si><t xml:space=\"preserve\"> 乙\t</t></si><si><t>\u{a0}丙\u{3000}</t></si><si><t>\n</t></si>",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Text("甲")),
            ("B1", Text(" 乙\t")),
            ("C1", Text("\u{a0}丙\u{3000}")),
            ("D1", Empty),
        ],
    },
    Case {
        name: "sst-rich-runs",
        rows: r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>"#,
        sst: "<si><r><rPr><b/></rPr><t>项目</t></r><r><t xml:space=\"preserve\"> 名称 </t></r></si><si><r><t> 甲 </t></r><r><rPr><i/></rPr><t>\n乙\n</t></r></si>",
        merges: &[],
        date1904: false,
        expect: &[("A1", Text("项目 名称 ")), ("B1", Text("甲乙"))],
    },
    Case {
        name: "sst-phonetic",
        rows: r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
        sst: "<si><t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>カンジ</t></rPh><phoneticPr fontId=\"1\"/></si>",
        merges: &[],
        date1904: false,
        expect: &[("A1", Text("漢字"))],
    },
    Case {
        name: "sst-escapes",
        rows: r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>"#,
        sst: "<si><t>_x000A_10</t></si><si><t>&#10;10&amp;</t></si><si><t><![CDATA[ <b>粗</b> ]]></t></si><si><t>_xD83D__xDCF7_ _x005F_x000D_</t></si>",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Text("\n10")),
            ("B1", Text("10&")),
            ("C1", Text("<b>粗</b>")),
            ("D1", Text("📷 _x000D_")),
        ],
    },
    Case {
        name: "sst-empty-items",
        rows: r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v></v></c></row>"#,
        sst: "<si/><si><t/></si><si><t>有</t></si>",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Empty),
            ("B1", Empty),
            ("C1", Text("有")),
            ("D1", Empty),
        ],
    },
    Case {
        name: "inline-strings",
        rows: r#"<row r="1"><c r="A1" t="inlineStr"><is><t>&#10;内联</t></is></c><c r="B1" t="inlineStr"><is><t xml:space="preserve">&#10;内联</t></is></c><c r="C1" t="inlineStr"><is><r><t>甲</t></r><r><t xml:space="preserve"> 乙</t></r></is></c><c r="D1" t="inlineStr"><v>忽略</v><is><t>值</t></is></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Text("内联")),
            ("B1", Text("\n内联")),
            ("C1", Text("甲 乙")),
            ("D1", Text("值")),
        ],
    },
    Case {
        name: "no-r-attributes",
        rows: r#"<row><c><v>1</v></c><c><v>2</v></c><c t="inlineStr"><is><t>三</t></is></c></row><row><c/><c><v>5</v></c></row><row/><row><c r="C4"><v>7</v></c><c><v>8</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Num("1")),
            ("B1", Num("2")),
            ("C1", Text("三")),
            ("A2", Empty),
            ("B2", Num("5")),
            ("C4", Num("7")),
            ("D4", Num("8")),
        ],
    },
    Case {
        name: "rows-jump-and-empty-rows",
        rows: r#"<row r="2"/><row><c><v>1</v></c></row><row r="5" spans="1:2"><c r="B5"><v>2</v></c></row><row><c><v>3</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[("A3", Num("1")), ("B5", Num("2")), ("A6", Num("3"))],
    },
    Case {
        name: "lowercase-refs",
        rows: r#"<row r="1"><c r="a1"><v>1</v></c><c r="aB1"><v>2</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[("A1", Num("1")), ("AB1", Num("2"))],
    },
    Case {
        name: "booleans",
        rows: r#"<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c><c r="C1" t="b"><v>true</v></c><c r="D1" t="b"><v>FALSE</v></c><c r="E1" t="b"><v> 1 </v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Bool(true)),
            ("B1", Bool(false)),
            ("C1", Bool(true)),
            ("D1", Bool(false)),
            ("E1", Bool(true)),
        ],
    },
    Case {
        name: "errors",
        rows: r##"<row r="1"><c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B1" t="e"><v>#N/A</v></c><c r="C1" t="e"><v>#NAME?</v></c><c r="D1" t="e"><v>#NULL!</v></c><c r="E1" t="e"><v>#NUM!</v></c><c r="F1" t="e"><v>#REF!</v></c><c r="G1" t="e"><v>#VALUE!</v></c></row>"##,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Err("#DIV/0!")),
            ("B1", Err("#N/A")),
            ("C1", Err("#NAME?")),
            ("D1", Err("#NULL!")),
            ("E1", Err("#NUM!")),
            ("F1", Err("#REF!")),
            ("G1", Err("#VALUE!")),
        ],
    },
    Case {
        name: "dates-1900",
        rows: r#"<row r="1"><c r="A1" s="1"><v>45291</v></c><c r="B1" s="4"><v>45291</v></c><c r="C1" s="5"><v>45291.5</v></c><c r="D1" s="6"><v>0.75</v></c><c r="E1" s="7"><v>1.5</v></c><c r="F1" s="1"><v>60</v></c><c r="G1"><v>45291</v></c><c r="H1" s="1"><v>-1</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Text("2023-12-31")),
            ("B1", Text("2023-12-31")),
            ("C1", Text("2023-12-31 12:00:00")),
            ("D1", Text("18:00:00")),
            ("E1", Num("1.5")),
            // Excel's 1900 leap-year bug: serial 60 is the day that never was.
            ("F1", Text("1900-02-29")),
            ("G1", Num("45291")),
            ("H1", Num("-1")),
        ],
    },
    Case {
        name: "dates-1904",
        rows: r#"<row r="1"><c r="A1" s="1"><v>43829</v></c><c r="B1" s="4"><v>0</v></c><c r="C1"><v>43829</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: true,
        expect: &[
            ("A1", Text("2023-12-31")),
            ("B1", Text("00:00:00")),
            ("C1", Num("43829")),
        ],
    },
    Case {
        name: "iso-dates-and-formula-text",
        rows: r#"<row r="1"><c r="A1" t="d"><v>2023-12-31T00:00:00</v></c><c r="B1" t="str"><f>"a"&amp;"b"</f><v>甲_x000D_乙 &amp; 丙</v></c><c r="C1" t="str"><f>""</f><v></v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Text("2023-12-31T00:00:00")),
            ("B1", Text("甲\r乙 & 丙")),
            ("C1", Empty),
        ],
    },
    Case {
        name: "percent-formats",
        rows: r#"<row r="1"><c r="A1" s="2"><v>1</v></c><c r="B1" s="3"><v>0.955</v></c><c r="C1" s="8"><v>0.5</v></c><c r="D1" s="9"><v>12</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Pct("1")),
            ("B1", Pct("0.955")),
            ("C1", Pct("0.5")),
            ("D1", Num("12")),
        ],
    },
    Case {
        name: "numbers",
        rows: r#"<row r="1"><c r="A1"><v>1e3</v></c><c r="B1" t="n"><v>-0.5</v></c><c r="C1"><v>0.30000000000000004</v></c><c r="D1"><v>19.2</v></c><c r="E1"><v>abc</v></c><c r="F1"><f>SUM(A1:B1)</f><v>999.5</v></c><c r="G1"><v>.5</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[
            ("A1", Num("1000")),
            ("B1", Num("-0.5")),
            ("C1", Num("0.3")),
            ("D1", Num("19.2")),
            ("E1", Text("abc")),
            ("F1", Num("999.5")),
            ("G1", Num("0.5")),
        ],
    },
    Case {
        name: "merges",
        rows: r#"<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c><c r="C1"><v>1</v></c></row><row r="3"><c r="C3" t="inlineStr"><is><t>竖</t></is></c></row>"#,
        sst: "",
        merges: &["A1:B2", "C3:C5", "D1:F1"],
        date1904: false,
        expect: &[("A1", Text("项目名称")), ("C3", Text("竖"))],
    },
    Case {
        name: "unstyled-cell-under-a-date-default",
        // A cell without `s` is never a date, whatever style 0 is (calamine's rule).
        rows: r#"<row r="1"><c r="A1"><v>45291</v></c><c r="B1" s="0"><v>45291</v></c></row>"#,
        sst: "",
        merges: &[],
        date1904: false,
        expect: &[("A1", Num("45291")), ("B1", Num("45291"))],
    },
    Case {
        name: "mixed-form-cells",
        rows: r#"<row r="1" ht="30" customHeight="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="2"><v>0.95</v></c><c r="C2" t="s"><v>3</v></c></row>"#,
        sst: "<si><t>分值</t></si><si><t>\n10\n</t></si><si><t>年度指标值</t></si><si><t xml:space=\"preserve\">≥95% </t></si>",
        merges: &[],
        date1904: false,
        expect: &[
            ("B1", Text("10")),
            ("B2", Pct("0.95")),
            ("C2", Text("≥95% ")),
        ],
    },
];

/// A complete XLSX package with one worksheet.
fn package(c: &Case) -> Vec<u8> {
    let pr = if c.date1904 {
        r#"<workbookPr date1904="1"/>"#
    } else {
        "<workbookPr/>"
    };
    let merges = if c.merges.is_empty() {
        String::new()
    } else {
        let m: String = c
            .merges
            .iter()
            .map(|r| format!(r#"<mergeCell ref="{r}"/>"#))
            .collect();
        format!(r#"<mergeCells count="{}">{m}</mergeCells>"#, c.merges.len())
    };
    common::zip_of(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{NS}" xmlns:r="{RNS}">{pr}<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{NS}" xmlns:r="{RNS}"><sheetData>{}</sheetData>{merges}</worksheet>"#,
                c.rows
            ),
        ),
        (
            "xl/sharedStrings.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{NS}">{}</sst>"#,
                c.sst
            ),
        ),
        ("xl/styles.xml", STYLES.to_string()),
    ])
}

/// A sheet as (cells, merges), comparable across readers.
type Sheet = (String, Vec<(Pos, Value)>, Vec<Region>);

fn of_grids(grids: &[Grid]) -> Vec<Sheet> {
    grids
        .iter()
        .map(|g| {
            let mut cells: Vec<(Pos, Value)> = g.non_empty().map(|(p, v)| (p, v.clone())).collect();
            cells.sort_by_key(|(p, _)| *p);
            let mut merges = g.merges().to_vec();
            merges.sort();
            (g.sheet.clone(), cells, merges)
        })
        .collect()
}

/// The date text a date cell shows, computed here from calamine's own conversion.
fn date_text(d: &calamine::ExcelDateTime) -> Value {
    let f = d.as_f64();
    if d.is_duration() || !(0.0..2_958_466.0).contains(&f) {
        return Value::number(decimal_from_f64(f).unwrap());
    }
    let (y, mo, da, h, mi, s, ms) = d.to_ymd_hms_milli();
    let mut time = format!("{h:02}:{mi:02}:{s:02}");
    if ms != 0 {
        time += &format!(".{ms:03}");
    }
    Value::Text(if f < 1.0 {
        time
    } else if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{mo:02}-{da:02}")
    } else {
        format!("{y:04}-{mo:02}-{da:02} {time}")
    })
}

/// The workbook as calamine reads it, mapped to jixiao's values by this test's own rules.
fn calamine_sheets(bytes: &[u8]) -> Vec<Sheet> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut out = Vec::new();
    for name in names {
        let range = wb.worksheet_range(&name).unwrap();
        let styles = match &mut wb {
            Sheets::Xlsx(x) => Some(x.worksheet_style(&name).unwrap()),
            _ => None,
        };
        let start = range.start().unwrap_or((0, 0));
        let mut cells = Vec::new();
        for (r, c, v) in range.used_cells() {
            let abs = (start.0 + r as u32, start.1 + c as u32);
            let percent = styles.as_ref().is_some_and(|s| {
                s.get(abs)
                    .and_then(|st| st.number_format.as_ref())
                    .is_some_and(|f| is_percent_format(&f.format_code))
            });
            let num = |d: Decimal| Value::Number { value: d, percent };
            let value = match v {
                Data::Empty => continue,
                Data::String(s) if s.is_empty() => continue,
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                    Value::Text(s.clone())
                }
                Data::Float(f) => num(decimal_from_f64(*f).unwrap()),
                Data::Int(i) => num((*i).into()),
                Data::Bool(b) => Value::Bool(*b),
                Data::Error(e) => Value::Error(e.to_string()),
                Data::DateTime(d) => date_text(d),
            };
            cells.push((Pos::new(abs.0, abs.1), value));
        }
        cells.sort_by_key(|(p, _)| *p);
        let dims = match &mut wb {
            Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap(),
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap(),
            _ => Vec::new(),
        };
        let mut merges: Vec<Region> = dims
            .iter()
            .map(|m| Region::new(m.start.0, m.start.1, m.end.0, m.end.1))
            .filter(|m| m.first != m.last)
            .collect();
        merges.sort();
        out.push((name, cells, merges));
    }
    out
}

/// Reads one file every way that applies and checks each against calamine; returns
/// jixiao's reading.
fn check_file(label: &str, path: &Path, bytes: &[u8]) -> Vec<Sheet> {
    let theirs = calamine_sheets(bytes);
    let ours = of_grids(&common::grids_of_bytes(path, bytes));
    assert_eq!(ours, theirs, "{label}: jixiao's reader and calamine differ");
    if bytes.starts_with(b"PK") && path.extension().is_none_or(|e| e != "ods") {
        let fast = read_xlsx_fast(bytes, &Limits::default())
            .unwrap_or_else(|why| panic!("{label}: the fast path fell back: {why}"))
            .unwrap();
        assert_eq!(
            of_grids(&fast),
            theirs,
            "{label}: fast path and calamine differ"
        );
        let slow = Limits {
            xlsx_via_calamine: true,
            ..Limits::default()
        };
        let fallback = of_grids(&read_bytes(bytes, path, &slow).unwrap());
        assert_eq!(
            fallback, theirs,
            "{label}: calamine path and calamine differ"
        );
    }
    ours
}

fn cell(sheet: &Sheet, a1: &str) -> Value {
    let p = Pos::parse(a1).unwrap();
    sheet
        .1
        .iter()
        .find(|(q, _)| *q == p)
        .map_or(Value::Empty, |(_, v)| v.clone())
}

#[test]
fn readers_agree_with_calamine_on_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = 0;
    let mut made = Vec::new();
    for c in CASES {
        let bytes = package(c);
        let path = dir.path().join(format!("{}.xlsx", c.name));
        std::fs::write(&path, &bytes).unwrap();
        let sheets = check_file(c.name, &path, &bytes);
        for (a1, want) in c.expect {
            assert_eq!(cell(&sheets[0], a1), want.value(), "{}!{a1}", c.name);
        }
        let mut merges: Vec<Region> = c
            .merges
            .iter()
            .map(|m| {
                let (a, b) = m.split_once(':').unwrap();
                let (a, b) = (Pos::parse(a).unwrap(), Pos::parse(b).unwrap());
                Region::new(a.row, a.col, b.row, b.col)
            })
            .collect();
        merges.sort();
        assert_eq!(sheets[0].2, merges, "{}", c.name);
        made.push(path);
        files += 1;
    }
    let root = common::root();
    let mut samples: Vec<PathBuf> = ["samples/2023", "samples/stacked"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    samples.sort();
    for s in &samples {
        let bytes = std::fs::read(s).unwrap();
        check_file(&s.display().to_string(), s, &bytes);
        files += 1;
    }
    match common::soffice() {
        None => eprintln!(
            "skipped: LibreOffice (soffice) is not installed; the .xls/.ods/.xlsx files it \
             writes are not in the corpus"
        ),
        Some(soffice) => {
            let inputs: Vec<&Path> = made.iter().chain(&samples).map(PathBuf::as_path).collect();
            for format in ["xls", "ods", "xlsx"] {
                let out = tempfile::tempdir().unwrap();
                for p in common::convert_all_with_soffice(&soffice, &inputs, format, out.path()) {
                    let bytes = std::fs::read(&p).unwrap();
                    check_file(&format!("{} (LibreOffice)", p.display()), &p, &bytes);
                    files += 1;
                }
            }
        }
    }
    eprintln!("differential corpus: {files} files");
    assert!(files >= 25, "{files}");
}

/// A copy of sample 1 whose shared string `10` (its 分值 cells) becomes `\n10`, with or
/// without `xml:space="preserve"`.
fn sample_with_padded_ten(preserve: bool) -> Vec<u8> {
    let src = std::fs::read(common::root().join("samples/2023/1.xlsx")).unwrap();
    let mut parts = common::parts(&src);
    for (name, body) in &mut parts {
        if name == "xl/sharedStrings.xml" {
            let t = if preserve {
                "<si><t xml:space=\"preserve\">\n10</t></si>"
            } else {
                "<si><t>\n10</t></si>"
            };
            let text = String::from_utf8(std::mem::take(body)).unwrap();
            assert!(text.contains("<si><t>10</t></si>"));
            *body = text.replacen("<si><t>10</t></si>", t, 1).into_bytes();
        }
    }
    common::zip_of(&parts)
}

#[test]
fn a_padded_ten_reads_the_same_through_both_xlsx_paths() {
    let dir = tempfile::tempdir().unwrap();
    for preserve in [false, true] {
        let path = dir.path().join(format!("p{preserve}.xlsx"));
        std::fs::write(&path, sample_with_padded_ten(preserve)).unwrap();
        let run = |via_calamine: bool| {
            let opts = jixiao::batch::Options {
                limits: Limits {
                    xlsx_via_calamine: via_calamine,
                    ..Limits::default()
                },
                ..Default::default()
            };
            let b = jixiao::batch::run(std::slice::from_ref(&path), &opts).unwrap();
            let json: serde_json::Value =
                serde_json::from_str(&jixiao::write::json::to_json(&b).unwrap()).unwrap();
            (
                json["changes"].clone(),
                json["projects"][0]["funds"].clone(),
            )
        };
        let (fast_changes, fast_funds) = run(false);
        let (slow_changes, slow_funds) = run(true);
        assert_eq!(fast_changes, slow_changes, "preserve={preserve}");
        assert_eq!(fast_funds, slow_funds, "preserve={preserve}");
        // The sample already holds a preserved `\n10` of its own (H13, G19, H19).
        let padded: Vec<&str> = fast_changes
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["from"] == "\n10" && c["to"] == "10" && c["code"] == "V001")
            .map(|c| c["cell"].as_str().unwrap())
            .collect();
        if preserve {
            // Kept as typed, so normalizing it is logged (V001), the same in both paths.
            assert_eq!(
                padded,
                [
                    "G6", "I6", "G13", "H13", "G16", "H16", "G19", "H19", "G22", "G25", "H25",
                    "G26", "H26", "G27", "H27", "G28", "G29", "H29"
                ]
            );
        } else {
            // Trimmed by the reader as Excel and calamine do: nothing more to log.
            assert_eq!(padded, ["H13", "G19", "H19"]);
        }
    }
}
