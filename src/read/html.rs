//! HTML tables saved with an .xls name, as some systems export "Excel" files.
//!
//! Each `<table>` becomes a grid; `rowspan`/`colspan` become merged regions, placed with
//! the HTML table algorithm (a cell goes to the first column its row has free). Text keeps
//! `<br>` as a line break and collapses source whitespace as a browser would. Parsing is
//! html5ever's (through scraper), which accepts the broken markup such exports contain.

use super::budget::{Budget, Extent, in_bounds, keep};
use super::sniff::decode_text;
use super::{Limits, ReadError};
use crate::grid::{Grid, Pos, Region, Value};
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashSet;

/// Every table of an HTML file, decoded as its charset says, as a grid.
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, ReadError> {
    from_text(&decode_text(bytes), &Budget::new(limits))
}

/// Every table of an HTML document, as a grid.
fn from_text(text: &str, budget: &Budget) -> Result<Vec<Grid>, ReadError> {
    let doc = Html::parse_document(text);
    let tables = Selector::parse("table").expect("valid selector");
    let mut grids = Vec::new();
    for (t, table) in doc.select(&tables).enumerate() {
        let name = format!("表{}", t + 1);
        budget.sheet()?;
        let mut cells = Vec::new();
        let mut dropped = Vec::new();
        let mut merges = Vec::new();
        let mut covered: HashSet<Pos> = HashSet::new();
        let mut extent = Extent::new(&name, budget);
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
                let region = Region::new(r, c, r + rs - 1, c.saturating_add(cs - 1));
                if in_bounds(region.last) {
                    extent.add(region.last)?;
                }
                if rs > 1 || cs > 1 {
                    // Spanned cells are tracked one by one: the budget bounds their total.
                    budget.merge(&region)?;
                    if in_bounds(region.last) {
                        merges.push(region);
                    }
                }
                for rr in region.first.row..=region.last.row {
                    for cc in region.first.col..=region.last.col {
                        covered.insert(Pos::new(rr, cc));
                    }
                }
                let text = cell_text(td);
                if !text.is_empty() {
                    keep(
                        &mut cells,
                        &mut dropped,
                        Pos::new(r, c),
                        Value::Text(text),
                        &mut extent,
                    )?;
                }
                c = c.saturating_add(cs);
            }
        }
        extent.finish()?;
        let mut g = Grid::from_cells(&name, cells, &merges, true);
        g.dropped = dropped;
        grids.push(g);
    }
    Ok(grids)
}

/// The rows of a table, not of tables nested in it. Walked with an explicit stack: the
/// nesting depth is the file's to choose, the call stack's is not.
fn rows_of(table: ElementRef) -> Vec<ElementRef> {
    let mut out = Vec::new();
    let mut stack: Vec<ElementRef> = table.children().filter_map(ElementRef::wrap).collect();
    stack.reverse();
    while let Some(e) = stack.pop() {
        match e.value().name() {
            "tr" => out.push(e),
            "table" => {}
            _ => {
                let at = stack.len();
                stack.extend(e.children().filter_map(ElementRef::wrap));
                stack[at..].reverse();
            }
        }
    }
    out
}

/// A cell's text: `<br>` and block ends as line breaks, source whitespace collapsed.
/// Walked with an explicit stack, in document order (16,000 nested `<span>` once
/// overflowed the call stack).
fn cell_text(td: ElementRef) -> String {
    let mut out = String::new();
    let mut stack: Vec<_> = td.children().collect();
    stack.reverse();
    while let Some(child) = stack.pop() {
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
            Node::Element(el) => match el.name() {
                "br" => {
                    if out.ends_with(' ') {
                        out.pop();
                    }
                    out.push('\n');
                }
                "table" | "script" | "style" => {}
                name => {
                    if matches!(name, "p" | "div") && !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    let at = stack.len();
                    stack.extend(child.children());
                    stack[at..].reverse();
                }
            },
            _ => {}
        }
    }
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
        let g = &from_text(html, &Budget::new(&super::super::Limits::default())).unwrap()[0];
        assert_eq!(g.get(Pos::new(0, 0)), &Value::text("项目名称"));
        assert_eq!(g.merge_at(Pos::new(1, 1)), Some(Region::new(0, 0, 1, 1)));
        assert_eq!(g.get(Pos::new(0, 2)), &Value::text("甲\n乙"));
        assert_eq!(g.get(Pos::new(1, 2)), &Value::text("19.2"));
        assert_eq!(g.get(Pos::new(2, 2)), &Value::text("c"));
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        let depth = 16_000;
        let html = format!(
            "<table><tr><td>{}深{}</td><td>x</td></tr></table>",
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        );
        // A small stack, as a worker thread might have: no recursion on depth.
        let g = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || from_text(&html, &Budget::new(&super::super::Limits::default())))
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        assert_eq!(g[0].get(Pos::new(0, 0)), &Value::text("深"));
        assert_eq!(g[0].get(Pos::new(0, 1)), &Value::text("x"));
    }

    #[test]
    fn no_table_no_grid() {
        assert!(
            from_text(
                "<html><p>hi</p></html>",
                &Budget::new(&super::super::Limits::default())
            )
            .unwrap()
            .is_empty()
        );
    }
}
