//! From a located form to typed, normalized fields, with every change logged.
//!
//! The extractor walks the [`FormLayout`] and reads each field from its cell through the
//! [`crate::normalize`] functions. It owns the accounting that proves nothing is lost:
//! every non-empty cell of the form is either placed in a field (labels included) or
//! reported as unplaced (L004).

use crate::grid::{Grid, Pos, Value};
use crate::locate::{Block, FormLayout, IndicatorColumns, span};
use crate::model::{
    CellCount, Change, Field, Finding, Form, FundRow, Funds, Goal, Indicator, Unplaced,
};
use crate::normalize::{self, FUND_UNITS, Num, SCORE_UNITS};
use crate::score;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::sync::Arc;

/// Reads one located form. `file` is the path as the outputs show it.
pub fn extract(grid: &Grid, layout: &FormLayout, file: &str) -> Form {
    let mut x = Extractor {
        grid,
        file: file.into(),
        sheet: grid.sheet.as_str().into(),
        placed: Placed::new(layout.rows, grid.cols(), &layout.labels),
        changes: Vec::new(),
        findings: Vec::new(),
        next_group: 0,
        explained: Vec::new(),
    };
    let mut form = Form {
        file: Arc::clone(&x.file),
        sheet: Arc::clone(&x.sheet),
        anchor: layout.title.unwrap_or(layout.anchor),
        rows: layout.rows,
        ..Default::default()
    };
    form.year = match layout.year {
        Some((p, y)) => Field::new(Some(y), Some(p)),
        None => layout
            .title
            .and_then(|p| {
                let y = crate::locate::year_in_title(&grid.get(p).display())?;
                Some(Field::new(Some(y), Some(p)))
            })
            .unwrap_or_default(),
    };
    form.name = x.text(layout.name);
    form.department = x.text(layout.department);
    form.implementer = x.text(layout.implementer);
    if let Some(f) = &layout.funds {
        let row = |x: &mut Extractor, r: Option<u32>| match r {
            None => FundRow::default(),
            Some(r) => {
                let at = |c: Option<u32>| c.map(|c| grid.region_at(Pos::new(r, c)).first);
                FundRow {
                    initial: x.number(at(f.cols.initial), FUND_UNITS, "年初预算数"),
                    full_year: x.number(at(f.cols.full_year), FUND_UNITS, "全年预算数"),
                    executed: x.number(at(f.cols.executed), FUND_UNITS, "全年执行数"),
                    weight: x.number(at(f.cols.weight), SCORE_UNITS, "分值"),
                    rate: x.rate(at(f.cols.rate)),
                    score: x.number(at(f.cols.score), SCORE_UNITS, "得分"),
                }
            }
        };
        form.funds = Funds {
            total: row(&mut x, f.rows[0]),
            appropriation: row(&mut x, f.rows[1]),
            carryover: row(&mut x, f.rows[2]),
            other: row(&mut x, f.rows[3]),
        };
    }
    form.goal = Goal {
        expected: x.text(layout.expected),
        actual: x.text(layout.actual),
    };
    match &layout.indicators {
        Some(ind) => {
            for block in &ind.blocks {
                x.block(block, &ind.cols, &mut form.indicators);
            }
        }
        None => x.finding(
            "L001",
            Some(layout.anchor),
            "自评表缺少绩效指标表头行（一级指标、二级指标、三级指标……），无法读取指标".into(),
        ),
    }
    match &layout.total {
        Some(t) => {
            form.weight_total = x.number(t.weight, SCORE_UNITS, "总分分值");
            form.declared_total = x.number(t.score, SCORE_UNITS, "总分得分");
        }
        None if layout.indicators.is_some() => x.finding(
            "L001",
            Some(layout.anchor),
            "自评表缺少总分行，无法读取申报总分".into(),
        ),
        None => {}
    }
    derive_execution(&mut form, &mut x);
    form.computed_total = score::computed_total(&form);
    form.grade = score::grade(form.computed_total);
    form.cells = x.account(layout.rows);
    form.changes = x.changes;
    form.findings = x.findings;
    // Thousands of forms stay in memory until the workbook is written: no slack.
    form.indicators.shrink_to_fit();
    form.changes.shrink_to_fit();
    form
}

/// The declared 执行率, or when empty, 全年执行数 / 全年预算数 (F003), rounded to 4 places
/// (0.01 of a percent). The 执行率 得分 is always as declared: jixiao does not fill it in.
fn derive_execution(form: &mut Form, x: &mut Extractor) {
    let t = &form.funds.total;
    form.execution_score = t.score.value;
    form.execution_rate = t.rate.value;
    if t.rate.value.is_some() {
        return;
    }
    if let Some(exact) = score::execution_rate(form) {
        let rate = exact.round_dp(4).normalize();
        let t = &form.funds.total;
        let (exec, full) = (
            t.executed.value.unwrap_or_default(),
            t.full_year.value.unwrap_or_default(),
        );
        form.execution_rate = Some(rate);
        let cell = t.rate.cell.or(t.executed.cell);
        x.finding(
            "F003",
            cell,
            format!(
                "执行率为空，已按全年执行数{}÷全年预算数{}计算为{}%",
                exec,
                full,
                (rate * Decimal::ONE_HUNDRED).normalize()
            ),
        );
    }
}

/// The value columns of an indicator row, in the order the form prints them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Target,
    Actual,
    Weight,
    Score,
    Reason,
}

impl Col {
    fn of(self, c: &IndicatorColumns) -> Option<u32> {
        match self {
            Col::Target => c.target,
            Col::Actual => c.actual,
            Col::Weight => c.weight,
            Col::Score => c.score,
            Col::Reason => c.reason,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Col::Target => "年度指标值",
            Col::Actual => "实际完成值",
            Col::Weight => "分值",
            Col::Score => "得分",
            Col::Reason => "偏差原因",
        }
    }

    fn is_number(self) -> bool {
        matches!(self, Col::Weight | Col::Score)
    }
}

/// The cells of a form a field took: one flag per cell of the form's rows (a hashed set
/// was a measurable share of extraction).
struct Placed {
    first_row: u32,
    cols: u32,
    bits: Vec<bool>,
}

impl Placed {
    fn new(rows: (u32, u32), cols: u32, labels: &[Pos]) -> Placed {
        let n = (rows.1.saturating_sub(rows.0) as usize + 1) * cols as usize;
        let mut p = Placed {
            first_row: rows.0,
            cols,
            bits: vec![false; n],
        };
        for l in labels {
            p.insert(*l);
        }
        p
    }

    fn index(&self, p: Pos) -> Option<usize> {
        let r = p.row.checked_sub(self.first_row)?;
        let i = r as usize * self.cols as usize + p.col as usize;
        (p.col < self.cols && i < self.bits.len()).then_some(i)
    }

    /// Marks a cell; true when it was not marked before (or lies outside the form).
    fn insert(&mut self, p: Pos) -> bool {
        match self.index(p) {
            Some(i) => !std::mem::replace(&mut self.bits[i], true),
            None => true,
        }
    }

    fn contains(&self, p: Pos) -> bool {
        self.index(p).is_some_and(|i| self.bits[i])
    }
}

struct Extractor<'a> {
    grid: &'a Grid,
    // Shared by every finding and change of the form: one allocation, not one each.
    file: Arc<str>,
    sheet: Arc<str>,
    placed: Placed,
    changes: Vec<Change>,
    findings: Vec<Finding>,
    next_group: u32,
    /// Cells a specific finding (L003) already explains: unplaced, but no L004 twice.
    explained: Vec<Pos>,
}

impl Extractor<'_> {
    fn finding(&mut self, code: &'static str, cell: Option<Pos>, message: String) {
        let f = Finding::new(code, &self.file, Some(&self.sheet), cell, message);
        self.findings.push(f);
    }

    fn change(
        &mut self,
        cell: Pos,
        from: &str,
        to: &str,
        code: &'static str,
        reason: impl Into<Cow<'static, str>>,
    ) {
        self.changes.push(Change {
            file: Arc::clone(&self.file),
            sheet: Arc::clone(&self.sheet),
            cell,
            from: from.to_string(),
            to: to.to_string(),
            code,
            reason: reason.into(),
            project: None,
        });
    }

    /// Cleans a text as read: surrounding whitespace trimmed (logged once per cell).
    fn clean(&mut self, p: Pos, raw: &str) -> Option<String> {
        let first = self.placed.insert(p);
        let t = normalize::trim(raw);
        if t.is_empty() {
            return None;
        }
        if t != raw && first {
            self.change(p, raw, t, "V001", "去除首尾空白");
        }
        Some(t.to_string())
    }

    fn text(&mut self, p: Option<Pos>) -> Field<String> {
        let Some(p) = p else { return Field::empty() };
        let grid = self.grid;
        let raw = grid.get(p).display_cow();
        let v = self.clean(p, &raw);
        Field::new(v, Some(p))
    }

    /// Reads a number cell; `what` names it in messages.
    fn number(&mut self, p: Option<Pos>, units: &[&str], what: &str) -> Field<Decimal> {
        let Some(p) = p else { return Field::empty() };
        self.placed.insert(p);
        let v = self.parse_number(p, self.grid.get(p), units, what);
        Field::new(v, Some(p))
    }

    fn parse_number(&mut self, p: Pos, v: &Value, units: &[&str], what: &str) -> Option<Decimal> {
        match normalize::read_number(v, units) {
            Num::Empty => None,
            Num::Placeholder(raw) => {
                self.change(p, &raw, "", "V001", "占位符视为空");
                None
            }
            Num::Value { value, from } => {
                if let Some(from) = from {
                    self.change(p, &from, &value.to_string(), "V001", "文本数字转为数值");
                }
                Some(value)
            }
            Num::Invalid(raw) => {
                self.finding(
                    "V002",
                    Some(p),
                    format!("{what}应为数字，实为“{}”", normalize::trim(&raw)),
                );
                None
            }
        }
    }

    fn rate(&mut self, p: Option<Pos>) -> Field<Decimal> {
        let Some(p) = p else { return Field::empty() };
        self.placed.insert(p);
        let v = self.grid.get(p);
        if v.is_empty() {
            return Field::new(None, Some(p));
        }
        if let Value::Text(s) = v
            && normalize::is_placeholder(s)
        {
            self.change(p, s, "", "V001", "占位符视为空");
            return Field::new(None, Some(p));
        }
        let r = normalize::parse_rate(v);
        match (r, v) {
            (None, _) => self.finding(
                "V002",
                Some(p),
                format!("执行率应为百分数，实为“{}”", v.display()),
            ),
            (Some(r), Value::Text(s)) if normalize::trim(s) != s.as_str() => {
                self.change(p, s, &r.to_string(), "V001", "文本百分数转为数值")
            }
            _ => {}
        }
        Field::new(r, Some(p))
    }

    /// Reads the indicators of one 二级 block.
    fn block(&mut self, b: &Block, cols: &IndicatorColumns, out: &mut Vec<Indicator>) {
        let g = self.grid;
        let level1 = self.text(b.level1);
        let level2 = self.text(b.level2);
        // Named rows: each non-empty 三级指标 cell starts an indicator over its span.
        let mut rows: Vec<(u32, u32)> = Vec::new();
        let mut inds: Vec<Indicator> = Vec::new();
        if let Some(nc) = cols.name {
            for r in b.rows.0..=b.rows.1 {
                let p = Pos::new(r, nc);
                if g.is_covered(p) || g.get(p).is_empty() {
                    continue;
                }
                rows.push(span(g, p, b.rows));
                inds.push(Indicator {
                    name: self.text(Some(p)),
                    ..Default::default()
                });
            }
        }
        let values: Vec<(Col, Pos)> = [
            Col::Target,
            Col::Actual,
            Col::Weight,
            Col::Score,
            Col::Reason,
        ]
        .into_iter()
        .filter_map(|c| c.of(cols).map(|col| (c, col)))
        .flat_map(|(c, col)| {
            (b.rows.0..=b.rows.1)
                .map(move |r| (c, Pos::new(r, col)))
                .filter(|(_, p)| !g.is_covered(*p) && !g.get(*p).is_empty())
        })
        .collect();
        if inds.is_empty() {
            if values.is_empty() {
                return;
            }
            // Values but no name: keep them on a nameless indicator, and say so.
            let p = Pos::new(b.rows.0, cols.name.unwrap_or(0));
            self.finding(
                "L003",
                Some(p),
                "该二级指标下有指标值但没有三级指标名称".into(),
            );
            rows.push(b.rows);
            inds.push(Indicator {
                name: Field::new(None, cols.name.map(|_| p)),
                ..Default::default()
            });
        }
        // Empty cells still tell where a value belongs (for findings about missing values).
        for (ind, (start, _)) in inds.iter_mut().zip(&rows) {
            let at = |c: Option<u32>| c.map(|c| g.region_at(Pos::new(*start, c)).first);
            ind.target.cell = at(cols.target);
            ind.actual.cell = at(cols.actual);
            ind.weight.cell = at(cols.weight);
            ind.score.cell = at(cols.score);
            ind.reason.cell = at(cols.reason);
        }
        let mut groups: Vec<((usize, usize), u32)> = Vec::new();
        let mut joined_row: Option<u32> = None;
        for (col, p) in values {
            let (a, z) = span(g, p, b.rows);
            let covered: Vec<usize> = rows
                .iter()
                .enumerate()
                .filter(|(_, (s, e))| *s <= z && *e >= a)
                .map(|(i, _)| i)
                .collect();
            let raw = g.get(p).display_cow();
            match covered.len() {
                0 if inds.len() == 1 => {
                    let name = inds[0].name.cell.map_or(String::new(), |c| c.to_string());
                    let ok = self.assign(&mut inds[0], col, p, &raw);
                    if ok {
                        joined_row.get_or_insert(p.row);
                        self.change(
                            p,
                            &raw,
                            normalize::trim(&raw),
                            "V003",
                            format!("错位行的{}并入{}所在指标", col.label(), name),
                        );
                    }
                }
                0 => {
                    self.explained.push(p);
                    self.finding(
                        "L003",
                        Some(p),
                        format!(
                            "{}“{}”所在行没有三级指标名称，且本二级指标下有多个指标，无法归属",
                            col.label(),
                            normalize::trim(&raw)
                        ),
                    );
                }
                1 => {
                    self.assign(&mut inds[covered[0]], col, p, &raw);
                }
                k => {
                    let lines = normalize::lines(&raw);
                    if lines.len() == k {
                        self.placed.insert(p);
                        for (n, (i, line)) in covered.iter().zip(&lines).enumerate() {
                            let target =
                                inds[*i].name.cell.map_or(String::new(), |c| c.to_string());
                            self.change(
                                p,
                                &raw,
                                line,
                                "V003",
                                format!("多行值拆分到第{}项（{}）", n + 1, target),
                            );
                            self.set(&mut inds[*i], col, p, line);
                        }
                    } else if col.is_number() && lines.len() <= 1 {
                        // One 分值/得分 merged over several indicators: a scoring group.
                        let key = (covered[0], covered[k - 1]);
                        let id = match groups.iter().find(|(k2, _)| *k2 == key) {
                            Some((_, id)) => *id,
                            None => {
                                self.next_group += 1;
                                groups.push((key, self.next_group));
                                self.next_group
                            }
                        };
                        self.assign(&mut inds[covered[0]], col, p, &raw);
                        for i in &covered {
                            inds[*i].group = Some(id);
                            if *i != covered[0] {
                                col_field_cell(&mut inds[*i], col, p);
                            }
                        }
                    } else {
                        if lines.len() > 1 {
                            self.finding(
                                "L002",
                                Some(p),
                                format!(
                                    "{}有{}行，但合并覆盖{}个指标，无法一一对应，按共享值处理",
                                    col.label(),
                                    lines.len(),
                                    k
                                ),
                            );
                        }
                        for i in &covered {
                            self.assign(&mut inds[*i], col, p, &raw);
                        }
                    }
                }
            }
        }
        if let (Some(r), [ind]) = (joined_row, inds.as_mut_slice()) {
            // The filler typed this indicator's values in another row: an empty field is
            // missing there, not in the name's row.
            repoint_empty(ind, r, g);
        }
        for ind in &mut inds {
            ind.level1 = level1.clone();
            ind.level2 = level2.clone();
        }
        out.extend(inds);
    }

    /// Puts a raw cell value into an indicator's field, cleaning it. Returns false (and
    /// leaves the cell unplaced) when the field already holds a value from another cell.
    fn assign(&mut self, ind: &mut Indicator, col: Col, p: Pos, raw: &str) -> bool {
        let taken = match col {
            Col::Target => ind.target.value.is_some(),
            Col::Actual => ind.actual.value.is_some(),
            Col::Weight => ind.weight.value.is_some(),
            Col::Score => ind.score.value.is_some(),
            Col::Reason => ind.reason.value.is_some(),
        };
        if taken {
            return false;
        }
        match col {
            Col::Weight | Col::Score => {
                self.placed.insert(p);
                let what = col.label();
                let v = self.parse_number(p, &self.grid.get(p).clone(), SCORE_UNITS, what);
                let f = Field::new(v, Some(p));
                if col == Col::Weight {
                    ind.weight = f
                } else {
                    ind.score = f
                }
            }
            _ => {
                let v = self.clean(p, raw);
                set_text(ind, col, Field::new(v, Some(p)));
            }
        }
        true
    }

    /// Puts one already-split line into a field (the split itself is logged by the caller).
    fn set(&mut self, ind: &mut Indicator, col: Col, p: Pos, line: &str) {
        if col.is_number() {
            let v = self.parse_number(p, &Value::text(line), SCORE_UNITS, col.label());
            let f = Field::new(v, Some(p));
            if col == Col::Weight {
                ind.weight = f
            } else {
                ind.score = f
            }
        } else {
            set_text(ind, col, Field::new(Some(line.to_string()), Some(p)));
        }
    }

    /// Counts the form's non-empty cells and reports those no field took.
    fn account(&mut self, rows: (u32, u32)) -> CellCount {
        let mut c = CellCount::default();
        let g = self.grid;
        for (p, v) in g
            .non_empty()
            .filter(|(p, _)| (rows.0..=rows.1).contains(&p.row))
        {
            c.read += 1;
            if self.placed.contains(p) {
                c.placed += 1;
            } else if self.explained.contains(&p) {
                c.unplaced.push(Unplaced {
                    cell: p,
                    value: v.display(),
                });
            } else {
                let value = v.display();
                self.finding(
                    "L004",
                    Some(p),
                    format!(
                        "单元格内容“{}”不属于任何字段，已列为未归位",
                        normalize::trim(&value)
                    ),
                );
                c.unplaced.push(Unplaced { cell: p, value });
            }
        }
        c
    }
}

/// Points the empty value fields of an indicator at row `r`.
fn repoint_empty(ind: &mut Indicator, r: u32, g: &Grid) {
    let at = |c: Option<Pos>| c.map(|c| g.region_at(Pos::new(r, c.col)).first);
    for f in [&mut ind.target, &mut ind.actual, &mut ind.reason] {
        if f.value.is_none() {
            f.cell = at(f.cell);
        }
    }
    for f in [&mut ind.weight, &mut ind.score] {
        if f.value.is_none() {
            f.cell = at(f.cell);
        }
    }
}

fn set_text(ind: &mut Indicator, col: Col, f: Field<String>) {
    match col {
        Col::Target => ind.target = f,
        Col::Actual => ind.actual = f,
        Col::Reason => ind.reason = f,
        Col::Weight | Col::Score => {}
    }
}

/// Marks a group member's weight/score as living in the shared cell, with no value.
fn col_field_cell(ind: &mut Indicator, col: Col, p: Pos) {
    match col {
        Col::Weight => ind.weight = Field::new(None, Some(p)),
        Col::Score => ind.score = Field::new(None, Some(p)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Region;
    use crate::locate::locate;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// A form with one 质量指标 block of three rows, built by hand.
    fn grid(block: &[&[&str]], merges: &[Region]) -> Grid {
        let mut rows: Vec<&[&str]> = vec![
            &["项目支出绩效自评表"],
            &["（2023年度）"],
            &["项目名称", "测试项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &[
                "",
                "",
                "年初预算数",
                "全年预算数",
                "全年执行数",
                "分值",
                "执行率",
                "得分",
            ],
            &["", "年度资金总额", "6", "6", "6", "10", "", "10"],
            &["年度总体目标", "预期目标", "", "", "实际完成情况"],
            &["", "甲", "", "", "乙"],
            &[
                "绩效指标",
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "偏差原因分析及改进措施",
            ],
        ];
        rows.extend_from_slice(block);
        rows.push(&["总分", "", "", "", "", "", "100", "99"]);
        let mut g = Grid::from_rows("S", &rows);
        for m in merges {
            g.add_merge(*m);
        }
        g
    }

    fn read(g: &Grid) -> Form {
        let l = locate(g);
        assert_eq!(l.len(), 1);
        extract(g, &l[0], "t.xlsx")
    }

    #[test]
    fn multi_line_value_splits_and_shared_score_groups() {
        let g = grid(
            &[
                &[
                    "",
                    "产出指标",
                    "质量指标",
                    "评估率",
                    "100%\n\n≥95%",
                    "100%\n\n100%",
                    "10",
                    "10",
                    "无",
                ],
                &["", "", "", "管控率", "", "", "", "", ""],
                &["", "", "", "", "", "", "", "", ""],
            ],
            &[
                Region::new(9, 1, 11, 1),
                Region::new(9, 2, 11, 2),
                Region::new(9, 4, 10, 4),
                Region::new(9, 5, 10, 5),
                Region::new(9, 6, 10, 6),
                Region::new(9, 7, 10, 7),
                Region::new(9, 8, 10, 8),
            ],
        );
        let f = read(&g);
        assert_eq!(f.indicators.len(), 2);
        let (a, b) = (&f.indicators[0], &f.indicators[1]);
        assert_eq!(a.target.value.as_deref(), Some("100%"));
        assert_eq!(b.target.value.as_deref(), Some("≥95%"));
        assert_eq!(a.target.cell, Pos::parse("E10"));
        assert_eq!(b.target.cell, Pos::parse("E10"));
        assert_eq!((a.group, b.group), (Some(1), Some(1)));
        assert_eq!((a.weight.value, b.weight.value), (Some(d("10")), None));
        assert_eq!(b.weight.cell, Pos::parse("G10"));
        assert_eq!(a.reason.value.as_deref(), Some("无"));
        assert_eq!(b.reason.value.as_deref(), Some("无"));
        let splits: Vec<_> = f.changes.iter().filter(|c| c.code == "V003").collect();
        assert_eq!(splits.len(), 4);
        assert_eq!(splits[1].to, "≥95%");
        assert_eq!(f.computed_total, d("20"));
        assert_eq!(f.cells.read, f.cells.placed + f.cells.unplaced.len());
        assert!(f.cells.unplaced.is_empty(), "{:?}", f.cells.unplaced);
    }

    #[test]
    fn misaligned_row_joins_the_single_named_row() {
        let g = grid(
            &[
                &[
                    "",
                    "产出指标",
                    "时效指标",
                    "",
                    "按时",
                    "完成",
                    "\n10",
                    "",
                    "",
                ],
                &["", "", "", "按时完成任务。", "", "", "", "", ""],
                &["", "", "", "", "", "", "", "", ""],
            ],
            &[Region::new(9, 1, 11, 1), Region::new(9, 2, 11, 2)],
        );
        let f = read(&g);
        assert_eq!(f.indicators.len(), 1);
        let i = &f.indicators[0];
        assert_eq!(i.name.value.as_deref(), Some("按时完成任务。"));
        assert_eq!(i.name.cell, Pos::parse("D11"));
        assert_eq!(i.target.cell, Pos::parse("E10"));
        assert_eq!(i.weight.value, Some(d("10")));
        assert_eq!(i.score.value, None);
        assert_eq!(i.score.cell, Pos::parse("H10"));
        assert!(
            f.changes
                .iter()
                .any(|c| c.code == "V001" && c.from == "\n10" && c.to == "10")
        );
        assert!(
            f.changes
                .iter()
                .any(|c| c.code == "V003" && c.cell == Pos::parse("G10").unwrap())
        );
    }

    #[test]
    fn mismatched_lines_stay_shared_with_l002() {
        let g = grid(
            &[
                &[
                    "",
                    "产出指标",
                    "数量指标",
                    "甲",
                    "1个\n2个\n3个",
                    "完成",
                    "10",
                    "10",
                    "",
                ],
                &["", "", "", "乙", "", "", "", "", ""],
            ],
            &[Region::new(9, 4, 10, 4), Region::new(9, 2, 10, 2)],
        );
        let f = read(&g);
        assert_eq!(f.indicators.len(), 2);
        assert_eq!(
            f.indicators[1].target.value.as_deref(),
            Some("1个\n2个\n3个")
        );
        assert!(
            f.findings
                .iter()
                .any(|x| x.code == "L002" && x.cell == Pos::parse("E10"))
        );
    }

    #[test]
    fn a_value_in_a_nameless_row_of_a_block_with_two_names_is_l003() {
        let g = grid(
            &[
                &["", "产出指标", "数量指标", "甲", "1个", "1个", "5", "5", ""],
                &["", "", "", "乙", "2个", "2个", "5", "5", ""],
                &["", "", "", "", "", "", "", "", "漏填说明"],
            ],
            &[Region::new(9, 2, 11, 2), Region::new(9, 1, 11, 1)],
        );
        let f = read(&g);
        assert_eq!(f.indicators.len(), 2);
        let l003: Vec<_> = f.findings.iter().filter(|x| x.code == "L003").collect();
        assert_eq!(l003.len(), 1);
        assert_eq!(l003[0].cell, Pos::parse("I12"));
        // Not attached, so listed as unplaced too (nothing is lost), without a second
        // finding for the same cell.
        assert_eq!(f.cells.unplaced.len(), 1);
        assert_eq!(f.cells.unplaced[0].value, "漏填说明");
        assert!(f.findings.iter().all(|x| x.code != "L004"));
        // Each named row keeps its own values: no L003 for them.
        assert_eq!(f.indicators[1].weight.value, Some(d("5")));
    }

    #[test]
    fn a_declared_rate_is_kept_and_numbers_read_cleanly() {
        let mut g = grid(
            &[&[
                "",
                "产出指标",
                "数量指标",
                "甲",
                "1个",
                "1个",
                "10",
                "10",
                "",
            ]],
            &[],
        );
        g.set(Pos::parse("G6").unwrap(), Value::text("100%"));
        let f = read(&g);
        assert_eq!(f.execution_rate, Some(d("1")));
        for code in ["F003", "V002", "L002", "L003", "L004"] {
            assert!(
                f.findings.iter().all(|x| x.code != code),
                "{code}: {:?}",
                f.findings
            );
        }
    }

    #[test]
    fn stray_cells_are_unplaced_and_counted() {
        let g = grid(
            &[&[
                "",
                "产出指标",
                "数量指标",
                "甲",
                "1个",
                "1个",
                "10",
                "10",
                "",
                "备注：见附件",
            ]],
            &[],
        );
        let f = read(&g);
        assert_eq!(f.cells.unplaced.len(), 1);
        assert_eq!(f.cells.unplaced[0].cell, Pos::parse("J10").unwrap());
        assert_eq!(f.cells.read, f.cells.placed + 1);
        assert!(f.findings.iter().any(|x| x.code == "L004"));
    }

    #[test]
    fn a_missing_total_row_is_l001_and_the_rest_is_read() {
        let mut g = grid(
            &[&[
                "",
                "产出指标",
                "数量指标",
                "甲",
                "1个",
                "1个",
                "10",
                "10",
                "",
            ]],
            &[],
        );
        // Blank out the 总分 row.
        let last = g.rows() - 1;
        for c in 0..g.cols() {
            g.set(Pos::new(last, c), Value::Empty);
        }
        let f = read(&g);
        assert_eq!(f.indicators.len(), 1);
        let l001: Vec<_> = f.findings.iter().filter(|x| x.code == "L001").collect();
        assert_eq!(l001.len(), 1);
        assert_eq!(l001[0].cell, Pos::parse("A3"));
        assert!(l001[0].message.contains("总分"));
    }

    #[test]
    fn a_complete_form_has_no_layout_findings() {
        let g = grid(
            &[&[
                "",
                "产出指标",
                "数量指标",
                "甲",
                "1个",
                "1个",
                "10",
                "10",
                "",
            ]],
            &[],
        );
        let f = read(&g);
        assert!(
            f.findings.iter().all(|x| !x.code.starts_with('L')),
            "{:?}",
            f.findings
        );
    }

    #[test]
    fn execution_rate_is_derived_and_text_scores_invalid() {
        let g = grid(
            &[&[
                "",
                "产出指标",
                "数量指标",
                "甲",
                "1个",
                "1个",
                "完成",
                "10",
                "",
            ]],
            &[],
        );
        let f = read(&g);
        assert_eq!(f.execution_rate, Some(d("1")));
        assert!(f.findings.iter().any(|x| x.code == "F003"));
        assert!(
            f.findings
                .iter()
                .any(|x| x.code == "V002" && x.cell == Pos::parse("G10"))
        );
        assert_eq!(f.indicators[0].weight.value, None);
        assert_eq!(f.year.value, Some(2023));
        assert_eq!(f.implementer.value.as_deref(), Some("某中心"));
        assert_eq!(f.grade, "差");
    }
}
