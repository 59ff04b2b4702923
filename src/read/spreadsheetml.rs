//! Excel 2003 XML (SpreadsheetML): what many budget and performance systems export as
//! "xls". calamine does not read it, so this small reader turns it into the same [`Grid`].
//!
//! Positions follow the format: a `Row` or `Cell` may jump ahead with `ss:Index`
//! (1-based); a cell spans `ss:MergeAcross` more columns and `ss:MergeDown` more rows, and
//! cells covered by a merge from a row above are not written, so they are skipped.
//! Numbers (`ss:Type="Number"`) are parsed from their text, exactly, never through a float.

use super::budget::{Budget, Extent, in_bounds};
use super::sniff::decode_text;
use super::xml::{push_xml_ref, xml_attr};
use super::{Limits, ReadError};
use crate::grid::{Grid, Hidden, Pos, Region, Value};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

fn index(e: &BytesStart) -> Option<u32> {
    xml_attr(e, "Index")
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|i| *i >= 1)
        .map(|i| i - 1)
}

fn span(e: &BytesStart, name: &str) -> u32 {
    xml_attr(e, name)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(0)
        .min(16_384)
}

/// One worksheet being read.
struct Sheet {
    name: String,
    cells: Vec<(Pos, Value)>,
    merges: Vec<Region>,
    covered: HashSet<Pos>,
    /// `<x:Visible>SheetHidden</x:Visible>` (or `SheetVeryHidden`) in its options.
    hidden: Option<Hidden>,
}

/// The cell being read: where, its type and style, and its text so far.
struct Cell {
    pos: Pos,
    kind: String,
    style: Option<String>,
    text: String,
    in_data: bool,
    /// `ss:Formula`, without its `=`: the value when the file saved no result.
    formula: Option<String>,
}

/// A cell's `ss:Formula` without its `=`, when it has one.
fn formula(e: &BytesStart) -> Option<String> {
    let f = xml_attr(e, "Formula")?;
    let f = f.trim();
    let f = f.strip_prefix('=').unwrap_or(f).trim();
    (!f.is_empty()).then(|| f.to_string())
}

/// Every worksheet of a SpreadsheetML file, decoded as its declaration says.
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    from_text(&decode_text(bytes), &Budget::new(limits))
}

/// Every worksheet of a SpreadsheetML document.
fn from_text(text: &str, budget: &Budget) -> Result<Vec<Grid>, ReadError> {
    let corrupt = |e: quick_xml::Error| ReadError::corrupt(format!("SpreadsheetML: {e}"));
    let mut r = Reader::from_str(text);
    let mut percent_styles: HashSet<String> = HashSet::new();
    let mut style_id: Option<String> = None;
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut row: u32 = 0;
    let mut col: u32 = 0;
    let mut in_row = false;
    let mut cell: Option<Cell> = None;
    let mut seen_names: HashMap<String, u32> = HashMap::new();
    // Inside a cell's `<Comment>`: its `<ss:Data>` is a reviewer's note, not the value.
    let mut in_comment = false;
    // Inside a sheet's `<x:Visible>`: its text says whether the sheet is hidden.
    let mut in_visible = false;
    loop {
        let ev = r.read_event().map_err(corrupt)?;
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    "Style" => style_id = xml_attr(e, "ID"),
                    "NumberFormat" => {
                        let f = xml_attr(e, "Format").unwrap_or_default();
                        if (f.contains('%') || f.eq_ignore_ascii_case("Percent"))
                            && let Some(id) = &style_id
                        {
                            percent_styles.insert(id.clone());
                        }
                    }
                    "Worksheet" => {
                        let mut name = xml_attr(e, "Name").unwrap_or_else(|| "Sheet".into());
                        let n = seen_names.entry(name.clone()).or_insert(0);
                        *n += 1;
                        if *n > 1 {
                            name = format!("{name} ({n})");
                        }
                        sheets.push(Sheet {
                            name,
                            cells: Vec::new(),
                            merges: Vec::new(),
                            covered: HashSet::new(),
                            hidden: None,
                        });
                        row = 0;
                    }
                    "Row" => {
                        if let Some(i) = index(e) {
                            row = i;
                        }
                        col = 0;
                        in_row = !empty;
                        if empty {
                            row = row.saturating_add(1);
                        }
                    }
                    "Cell" if in_row => {
                        col = index(e).unwrap_or(col);
                        while sheets
                            .last()
                            .is_some_and(|s| s.covered.contains(&Pos::new(row, col)))
                        {
                            col += 1;
                        }
                        let across = span(e, "MergeAcross");
                        let down = span(e, "MergeDown");
                        let pos = Pos::new(row, col);
                        if (across > 0 || down > 0)
                            && let Some(s) = sheets.last_mut()
                        {
                            let m = Region::new(
                                row,
                                col,
                                row.saturating_add(down),
                                col.saturating_add(across),
                            );
                            // Merged cells are tracked one by one: the file's budget bounds
                            // their total, not only each merge.
                            budget.merge(&m)?;
                            for rr in m.first.row..=m.last.row {
                                for cc in m.first.col..=m.last.col {
                                    if rr > row {
                                        s.covered.insert(Pos::new(rr, cc));
                                    }
                                }
                            }
                            s.merges.push(m);
                        }
                        let next = col.saturating_add(across).saturating_add(1);
                        if empty {
                            // A formula saved without its result (no `<Data>`).
                            if let (Some(f), Some(s)) = (formula(e), sheets.last_mut()) {
                                budget.text(f.len())?;
                                s.cells.push((pos, Value::Formula(f)));
                            }
                            col = next;
                        } else {
                            cell = Some(Cell {
                                pos,
                                kind: String::new(),
                                style: xml_attr(e, "StyleID"),
                                text: String::new(),
                                in_data: false,
                                formula: formula(e),
                            });
                            col = next;
                        }
                    }
                    "Comment" => in_comment = !empty,
                    "Visible" => in_visible = !empty,
                    "Data" if in_comment => {}
                    "Data" => {
                        if let Some(c) = cell.as_mut() {
                            c.kind = xml_attr(e, "Type").unwrap_or_default();
                            c.in_data = !empty;
                        }
                    }
                    "Br" | "br" => {
                        if let Some(c) = cell.as_mut().filter(|c| c.in_data) {
                            c.text.push('\n');
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_visible => {
                if let Some(s) = sheets.last_mut() {
                    s.hidden = match t.xml10_content().trim() {
                        "SheetHidden" => Some(Hidden::Hidden),
                        "SheetVeryHidden" => Some(Hidden::VeryHidden),
                        _ => None,
                    };
                }
            }
            Event::Text(t) => {
                if let Some(c) = cell.as_mut().filter(|c| c.in_data) {
                    c.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(c) = cell.as_mut().filter(|c| c.in_data) {
                    c.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(e) => {
                if let Some(c) = cell.as_mut().filter(|c| c.in_data) {
                    push_xml_ref(&mut c.text, &e);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "Style" => style_id = None,
                "Comment" => in_comment = false,
                "Visible" => in_visible = false,
                "Data" if in_comment => {}
                "Data" => {
                    if let Some(c) = cell.as_mut() {
                        c.in_data = false;
                    }
                }
                "Cell" => {
                    if let (Some(c), Some(s)) = (cell.take(), sheets.last_mut()) {
                        let pct = c
                            .style
                            .as_ref()
                            .is_some_and(|id| percent_styles.contains(id));
                        let v = value(&c.kind, c.text, pct).or(c.formula.map(Value::Formula));
                        if let Some(v) = v {
                            if let Value::Text(t) | Value::Error(t) | Value::Formula(t) = &v {
                                budget.text(t.len())?;
                            }
                            s.cells.push((c.pos, v));
                        }
                    }
                }
                "Row" => {
                    in_row = false;
                    row = row.saturating_add(1);
                }
                _ => {}
            },
            _ => {}
        }
    }
    let mut grids = Vec::with_capacity(sheets.len());
    for s in sheets {
        let mut extent = Extent::new(&s.name, budget);
        let mut dropped = Vec::new();
        let mut cells = Vec::with_capacity(s.cells.len());
        for (p, v) in s.cells {
            if in_bounds(p) {
                extent.add(p)?;
                cells.push((p, v));
            } else {
                dropped.push(p);
            }
        }
        let merges: Vec<Region> = s.merges.into_iter().filter(|m| in_bounds(m.last)).collect();
        for m in &merges {
            extent.add(m.last)?;
        }
        extent.finish()?;
        let mut g = Grid::from_cells(&s.name, cells, &merges, true);
        g.dropped = dropped;
        g.hidden = s.hidden;
        grids.push(g);
    }
    Ok(grids)
}

fn value(kind: &str, text: String, percent: bool) -> Option<Value> {
    if text.is_empty() {
        return None;
    }
    Some(match kind {
        "Number" => match Decimal::from_str(text.trim())
            .or_else(|_| Decimal::from_scientific(text.trim()))
        {
            Ok(d) => Value::Number {
                value: d.normalize(),
                percent,
            },
            Err(_) => Value::Text(text),
        },
        "Boolean" => Value::Bool(text.trim() == "1"),
        "Error" => Value::Error(text),
        _ => Value::Text(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Code;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Styles><Style ss:ID="p"><NumberFormat ss:Format="0%"/></Style></Styles>
 <Worksheet ss:Name="Sheet1">
  <Table>
   <Row><Cell ss:MergeAcross="1" ss:MergeDown="1"><Data ss:Type="String">项目名称</Data></Cell>
        <Cell><Data ss:Type="String">&#10;10 &amp; 20</Data></Cell></Row>
   <Row><Cell><Data ss:Type="Number">19.2</Data></Cell></Row>
   <Row ss:Index="5"><Cell ss:Index="3" ss:StyleID="p"><Data ss:Type="Number">1</Data></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>"#;

    #[test]
    fn positions_merges_and_values() {
        let g = &from_text(DOC, &Budget::new(&super::super::Limits::default())).unwrap()[0];
        assert_eq!(g.sheet, "Sheet1");
        assert_eq!(g.get(Pos::new(0, 0)), &Value::text("项目名称"));
        assert_eq!(g.merge_at(Pos::new(1, 1)), Some(Region::new(0, 0, 1, 1)));
        assert_eq!(g.get(Pos::new(0, 2)), &Value::text("\n10 & 20"));
        // Row 2's first cell skips the columns covered by the merge above.
        assert_eq!(
            g.get(Pos::new(1, 2)),
            &Value::number(Decimal::from_str("19.2").unwrap())
        );
        assert_eq!(
            g.get(Pos::new(4, 2)),
            &Value::Number {
                value: Decimal::ONE,
                percent: true
            }
        );
    }

    #[test]
    fn a_comment_is_a_note_not_the_value() {
        // As Excel writes a cell with a reviewer's comment, before and after the value.
        let doc = r#"<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Worksheet ss:Name="Sheet1"><Table>
  <Row><Cell><Data ss:Type="Number">10</Data><Comment ss:Author="张三"><ss:Data
    xmlns="http://www.w3.org/TR/REC-html40"><B><Font html:Face="宋体">张三:</Font></B><Font
    html:Face="宋体">&#10;请核实</Font></ss:Data></Comment></Cell>
   <Cell><Comment ss:Author="李四"><ss:Data xmlns="http://www.w3.org/TR/REC-html40">李四: 已改</ss:Data></Comment><Data
    ss:Type="String">完成</Data></Cell>
   <Cell><Comment><ss:Data>只有批注</ss:Data></Comment></Cell>
   <Cell><Data ss:Type="Number">7</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>"#;
        let g = &from_text(doc, &Budget::new(&super::super::Limits::default())).unwrap()[0];
        assert_eq!(g.get(Pos::new(0, 0)), &Value::number(Decimal::TEN));
        assert_eq!(g.get(Pos::new(0, 1)), &Value::text("完成"));
        assert_eq!(g.get(Pos::new(0, 2)), &Value::Empty);
        assert_eq!(g.get(Pos::new(0, 3)), &Value::number(Decimal::from(7)));
        assert_eq!(g.non_empty().count(), 3);
    }

    #[test]
    fn hidden_sheets_and_formulas_without_a_result() {
        let doc = r#"<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="表"><Table>
  <Row><Cell><Data ss:Type="Number">1</Data></Cell><Cell><Data ss:Type="Number">2</Data></Cell>
   <Cell ss:Formula="=SUM(RC[-2]:RC[-1])"><Data ss:Type="Number">3</Data></Cell>
   <Cell ss:Formula="=SUM(RC[-3]:RC[-2])"/>
   <Cell ss:Formula="=RC[-4]*2"></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="旧"><Table/><x:WorksheetOptions><x:Visible>SheetHidden</x:Visible></x:WorksheetOptions></Worksheet>
 <Worksheet ss:Name="草稿"><Table/><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetVeryHidden</Visible></WorksheetOptions></Worksheet>
</Workbook>"#;
        let g = from_text(doc, &Budget::new(&super::super::Limits::default())).unwrap();
        let hidden: Vec<_> = g.iter().map(|g| g.hidden).collect();
        assert_eq!(
            hidden,
            [None, Some(Hidden::Hidden), Some(Hidden::VeryHidden)]
        );
        assert_eq!(g[0].get(Pos::new(0, 2)), &Value::number(Decimal::from(3)));
        assert_eq!(
            g[0].get(Pos::new(0, 3)),
            &Value::Formula("SUM(RC[-3]:RC[-2])".into())
        );
        assert_eq!(g[0].get(Pos::new(0, 4)).display(), "=RC[-4]*2");
    }

    #[test]
    fn broken_xml_is_e001() {
        let e = from_text(
            "<Workbook><Worksheet><Table><Row></Cell>",
            &Budget::new(&super::super::Limits::default()),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::E001);
    }
}
