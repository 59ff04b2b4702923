//! HTML tables saved with an .xls name, as some systems export "Excel" files.
//!
//! Each `<table>` becomes a grid; `rowspan`/`colspan` become merged regions, placed with
//! the HTML table algorithm (a cell goes to the first column its row has free). Text keeps
//! `<br>` as a line break and collapses source whitespace as a browser would. Parsing is
//! html5ever's (through scraper), which accepts the broken markup such exports contain.

use super::{Extent, Limits, ReadError};
use crate::grid::{Grid, Pos, Region, Value};
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashSet;

pub fn read(text: &str, limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    let doc = Html::parse_document(text);
    let tables = Selector::parse("table").expect("valid selector");
    let mut grids = Vec::new();
    for (t, table) in doc.select(&tables).enumerate() {
        let name = format!("表{}", t + 1);
        let mut cells = Vec::new();
        let mut merges = Vec::new();
        let mut covered: HashSet<Pos> = HashSet::new();
        let mut extent = Extent::new(&name, limits);
        let mut spanned: u64 = 0;
        for (r, tr) in rows_of(table).into_iter().enumerate() {
            let r = r as u32;
            let mut c: u32 = 0;
            for td in tr.children().filter_map(ElementRef::wrap) {
                if !matches!(td.value().name(), "td" | "th") {
                    continue;
                }
                while covered.contains(&Pos::new(r, c)) {
                    c += 1;
                }
                let n = |a: &str| {
                    td.value()
                        .attr(a)
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .unwrap_or(1)
                        .clamp(1, 1000)
                };
                let (rs, cs) = (n("rowspan"), n("colspan"));
                extent.add(Pos::new(r + rs - 1, c + cs - 1))?;
                // Spanned cells are tracked one by one: bound their total.
                spanned += rs as u64 * cs as u64;
                if spanned > limits.max_sheet_cells {
                    return Err(super::too_large(&name, spanned, limits));
                }
                for rr in r..r + rs {
                    for cc in c..c + cs {
                        covered.insert(Pos::new(rr, cc));
                    }
                }
                if rs > 1 || cs > 1 {
                    merges.push(Region::new(r, c, r + rs - 1, c + cs - 1));
                }
                let text = cell_text(td);
                if !text.is_empty() {
                    cells.push((Pos::new(r, c), Value::Text(text)));
                }
                c += cs;
            }
        }
        grids.push(Grid::from_cells(&name, cells, &merges, true));
    }
    Ok(grids)
}

/// The rows of a table, not of tables nested in it.
fn rows_of(table: ElementRef) -> Vec<ElementRef> {
    let mut out = Vec::new();
    fn walk<'a>(e: ElementRef<'a>, out: &mut Vec<ElementRef<'a>>) {
        for child in e.children().filter_map(ElementRef::wrap) {
            match child.value().name() {
                "tr" => out.push(child),
                "table" => {}
                _ => walk(child, out),
            }
        }
    }
    walk(table, &mut out);
    out
}

/// A cell's text: `<br>` and block ends as line breaks, source whitespace collapsed.
fn cell_text(td: ElementRef) -> String {
    fn walk(e: ElementRef, out: &mut String) {
        for child in e.children() {
            match child.value() {
                Node::Text(t) => {
                    let mut last_space = out.ends_with([' ', '\n']) || out.is_empty();
                    for ch in t.chars() {
                        if ch.is_ascii_whitespace() {
                            if !last_space {
                                out.push(' ');
                                last_space = true;
                            }
                        } else {
                            out.push(ch);
                            last_space = false;
                        }
                    }
                }
                Node::Element(el) => {
                    let Some(child) = ElementRef::wrap(child) else {
                        continue;
                    };
                    match el.name() {
                        "br" => {
                            if out.ends_with(' ') {
                                out.pop();
                            }
                            out.push('\n');
                        }
                        "table" | "script" | "style" => {}
                        "p" | "div" => {
                            if !out.is_empty() && !out.ends_with('\n') {
                                out.push('\n');
                            }
                            walk(child, out);
                        }
                        _ => walk(child, out),
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = String::new();
    walk(td, &mut out);
    out.trim_end_matches(' ').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_merges_and_cells_flow_around_them() {
        let html = "<html><body><table>\
            <tr><td rowspan=2 colspan=2>项目名称</td><td>甲<br>乙</td></tr>\
            <tr><td>  19.2 </td></tr>\
            <tr><td>a</td><td></td><td>c</td></tr>\
            </table></body></html>";
        let g = &read(html, &Limits::default()).unwrap()[0];
        assert_eq!(g.get(Pos::new(0, 0)), &Value::text("项目名称"));
        assert_eq!(g.merge_at(Pos::new(1, 1)), Some(Region::new(0, 0, 1, 1)));
        assert_eq!(g.get(Pos::new(0, 2)), &Value::text("甲\n乙"));
        assert_eq!(g.get(Pos::new(1, 2)), &Value::text("19.2"));
        assert_eq!(g.get(Pos::new(2, 2)), &Value::text("c"));
    }

    #[test]
    fn no_table_no_grid() {
        assert!(
            read("<html><p>hi</p></html>", &Limits::default())
                .unwrap()
                .is_empty()
        );
    }
}
