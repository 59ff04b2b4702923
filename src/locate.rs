//! Finding forms in a grid by their labels, never by coordinates.
//!
//! Layouts drift: rows are inserted, the table is shifted, blocks have 1 to 5 rows, several
//! forms stand one under another. So the locator first indexes every cell whose text is a
//! known label (one pass over the grid), then builds each form's [`FormLayout`] from label
//! positions alone. It knows nothing of values: what a cell means is the extractor's job.

use crate::grid::{Grid, Pos, Region, Value};
use crate::normalize::label_key;

/// A label the form prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Title,
    Year(i32),
    ProjectName,
    Department,
    Implementer,
    Funds,
    Initial,
    FullYear,
    Executed,
    Weight,
    Rate,
    Score,
    FundTotal,
    FundAppropriation,
    FundCarryover,
    FundOther,
    Goal,
    Expected,
    Actual,
    Indicators,
    Level1,
    Level2,
    Level3,
    Target,
    Achieved,
    Reason,
    Total,
}

/// Whether a label can start with `c` (years start with a digit or a bracket).
fn is_label_start(c: char) -> bool {
    matches!(
        c,
        '项' | '主'
            | '实'
            | '年'
            | '全'
            | '分'
            | '执'
            | '预'
            | '得'
            | '上'
            | '其'
            | '本'
            | '当'
            | '财'
            | '绩'
            | '一'
            | '二'
            | '三'
            | '指'
            | '偏'
            | '总'
            | '('
            | '（'
            | '0'..='9'
            | '０'..='９'
    )
}

/// Classifies a cell's text as a label, or `None`. Long texts are never labels.
pub fn classify(text: &str) -> Option<Label> {
    // Most cells are values: reject them by their first character before building a key
    // (this runs for every text cell of every sheet).
    let first = text.chars().find(|c| !crate::normalize::is_space(*c))?;
    if !is_label_start(first) || text.chars().count() > 40 {
        return None;
    }
    let k = label_key(text);
    let k = k.as_str();
    let l = match k {
        "项目名称" => Label::ProjectName,
        "主管部门" | "主管部门及代码" => Label::Department,
        "实施单位" => Label::Implementer,
        "年初预算数" => Label::Initial,
        "全年预算数" => Label::FullYear,
        "全年执行数" => Label::Executed,
        "分值" => Label::Weight,
        "执行率" | "预算执行率" => Label::Rate,
        "得分" => Label::Score,
        "年度资金总额" | "年度资金总额:" => Label::FundTotal,
        "上年结转资金" => Label::FundCarryover,
        "其他资金" => Label::FundOther,
        "年度总体目标" | "总体目标" => Label::Goal,
        "预期目标" => Label::Expected,
        "实际完成情况" => Label::Actual,
        "绩效指标" => Label::Indicators,
        "一级指标" => Label::Level1,
        "二级指标" => Label::Level2,
        "三级指标" => Label::Level3,
        "年度指标值" | "指标值" => Label::Target,
        "实际完成值" | "全年实际值" | "实际值" => Label::Achieved,
        "总分" | "总计" => Label::Total,
        _ if k.starts_with("项目资金") && k.len() <= "项目资金(万元)".len() => {
            Label::Funds
        }
        _ if k.starts_with("偏差原因") => Label::Reason,
        _ if k.ends_with("财政拨款") && k.chars().count() <= 10 => Label::FundAppropriation,
        _ if k.contains("绩效自评表") => Label::Title,
        _ => return year_of(k).map(Label::Year)?.into(),
    };
    Some(l)
}

/// The year of a year line: `（2023年度）`, `2023年度`, `2023年`.
fn year_of(k: &str) -> Option<i32> {
    let t = k.trim_start_matches('(').trim_end_matches(')');
    let digits = t.strip_suffix("年度").or_else(|| t.strip_suffix('年'))?;
    let y: i32 = digits
        .strip_prefix("年度:")
        .unwrap_or(digits)
        .parse()
        .ok()?;
    (1990..=2100).contains(&y).then_some(y)
}

/// The year printed in a title such as `2023年度项目支出绩效自评表`.
pub fn year_in_title(text: &str) -> Option<i32> {
    let k = label_key(text);
    let i = k.find("年")?;
    let start = k[..i]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()?
        .0;
    let y: i32 = k[start..i].parse().ok()?;
    (1990..=2100).contains(&y).then_some(y)
}

/// Every label in a grid, in row-major order, found in one pass.
#[derive(Debug, Default)]
pub struct LabelIndex {
    pub items: Vec<(Label, Pos)>,
}

impl LabelIndex {
    pub fn build(grid: &Grid) -> LabelIndex {
        let items = grid
            .non_empty()
            .filter_map(|(p, v)| match v {
                Value::Text(s) => classify(s).map(|l| (l, p)),
                _ => None,
            })
            .collect();
        LabelIndex { items }
    }

    /// Labels within rows `rows` (inclusive).
    fn within(&self, rows: (u32, u32)) -> impl Iterator<Item = (Label, Pos)> + '_ {
        let start = self.items.partition_point(|(_, p)| p.row < rows.0);
        self.items[start..]
            .iter()
            .take_while(move |(_, p)| p.row <= rows.1)
            .copied()
    }
}

/// The columns of a header row, by label.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FundColumns {
    pub initial: Option<u32>,
    pub full_year: Option<u32>,
    pub executed: Option<u32>,
    pub weight: Option<u32>,
    pub rate: Option<u32>,
    pub score: Option<u32>,
}

/// The fund table: its header row, columns, and the row of each fund source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FundsLayout {
    pub header_row: u32,
    pub cols: FundColumns,
    /// 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金.
    pub rows: [Option<u32>; 4],
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IndicatorColumns {
    pub level1: Option<u32>,
    pub level2: Option<u32>,
    pub name: Option<u32>,
    pub target: Option<u32>,
    pub actual: Option<u32>,
    pub weight: Option<u32>,
    pub score: Option<u32>,
    pub reason: Option<u32>,
}

/// An 二级 block: the rows under one 二级指标 label.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub level1: Option<Pos>,
    pub level2: Option<Pos>,
    pub rows: (u32, u32),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorsLayout {
    pub header_row: u32,
    pub cols: IndicatorColumns,
    /// The rows between the header and the 总分 row.
    pub rows: (u32, u32),
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TotalLayout {
    pub label: Pos,
    pub weight: Option<Pos>,
    pub score: Option<Pos>,
}

/// Where each part of one form is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormLayout {
    /// The 项目名称 label.
    pub anchor: Pos,
    /// First and last row of the form.
    pub rows: (u32, u32),
    pub title: Option<Pos>,
    pub year: Option<(Pos, i32)>,
    pub name: Option<Pos>,
    pub department: Option<Pos>,
    pub implementer: Option<Pos>,
    pub funds: Option<FundsLayout>,
    pub expected: Option<Pos>,
    pub actual: Option<Pos>,
    pub indicators: Option<IndicatorsLayout>,
    pub total: Option<TotalLayout>,
    /// Every label cell of the form.
    pub labels: Vec<Pos>,
}

/// Finds every form in a grid. A form starts at a 项目名称 label (with its title lines
/// just above) and ends at its 总分 row, or where the next form starts.
pub fn locate(grid: &Grid) -> Vec<FormLayout> {
    let index = LabelIndex::build(grid);
    let mut anchors: Vec<Pos> = index
        .items
        .iter()
        .filter(|(l, _)| *l == Label::ProjectName)
        .map(|(_, p)| *p)
        .collect();
    // Forms stand one under another: a second 项目名称 in the same row is a label inside
    // the first form, not a new one.
    anchors.dedup_by_key(|p| p.row);
    let mut firsts = Vec::with_capacity(anchors.len());
    let mut prev_row: Option<u32> = None;
    for a in &anchors {
        // Title lines sit at most a few rows above 项目名称, below the previous anchor.
        let lo = a.row.saturating_sub(4).max(prev_row.map_or(0, |r| r + 1));
        let first = index
            .within((lo, a.row))
            .filter(|(l, _)| matches!(l, Label::Title | Label::Year(_)))
            .map(|(_, p)| p.row)
            .min()
            .unwrap_or(a.row);
        firsts.push(first);
        prev_row = Some(a.row);
    }
    let last_row = grid.rows().saturating_sub(1);
    anchors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let limit = firsts.get(i + 1).map_or(last_row, |f| f.saturating_sub(1));
            layout_one(grid, &index, *a, (firsts[i], limit))
        })
        .collect()
}

/// The value cell right of a label (past the label's merged region), if it is in the grid.
/// Without merge information the label's region is unknown, so the value is the first
/// non-empty cell to the right (the next cell when all are empty).
fn right_of(grid: &Grid, label: Pos) -> Option<Pos> {
    let r = grid.region_at(label);
    let p = Pos::new(label.row, r.last.col + 1);
    if p.col >= grid.cols() {
        return None;
    }
    if !grid.has_merge_info {
        let next = (p.col..grid.cols())
            .map(|c| Pos::new(p.row, c))
            .find(|q| !grid.get(*q).is_empty());
        return Some(next.unwrap_or(p));
    }
    Some(grid.region_at(p).first)
}

/// The value cell below a label (past the label's merged region); without merge
/// information, the first non-empty cell below, up to `limit`.
fn below(grid: &Grid, label: Pos, limit: u32) -> Option<Pos> {
    let r = grid.region_at(label);
    let p = Pos::new(r.last.row + 1, label.col);
    if p.row > limit {
        return None;
    }
    if !grid.has_merge_info {
        let next = (p.row..=limit)
            .map(|r| Pos::new(r, p.col))
            .find(|q| !grid.get(*q).is_empty());
        return Some(next.unwrap_or(p));
    }
    Some(grid.region_at(p).first)
}

fn layout_one(grid: &Grid, index: &LabelIndex, anchor: Pos, bounds: (u32, u32)) -> FormLayout {
    let mut f = FormLayout {
        anchor,
        rows: bounds,
        ..Default::default()
    };
    let mut labels: Vec<(Label, Pos)> = index.within(bounds).collect();
    // The form ends at its 总分 row, searched below the indicator header.
    let header = first(&labels, Label::Level1, anchor.row);
    let total = header.and_then(|h| first(&labels, Label::Total, h.row + 1));
    if let Some(t) = total {
        f.rows.1 = grid.region_at(t).last.row;
        labels.retain(|(_, p)| p.row <= f.rows.1);
    }
    let find = |want: Label, from_row: u32| first(&labels, want, from_row);
    f.labels = labels.iter().map(|(_, p)| *p).collect();
    let is_label = |p: Pos| f.labels.contains(&p);
    let value_right = |l: Option<Pos>| l.and_then(|l| right_of(grid, l)).filter(|p| !is_label(*p));

    for (l, p) in &labels {
        match l {
            Label::Title if f.title.is_none() => f.title = Some(*p),
            Label::Year(y) if f.year.is_none() && p.row < anchor.row => f.year = Some((*p, *y)),
            _ => {}
        }
    }
    let dept = find(Label::Department, anchor.row);
    f.name = value_right(Some(anchor));
    f.department = value_right(dept);
    f.implementer = value_right(find(Label::Implementer, anchor.row));

    let limit = header.map_or(f.rows.1, |h| h.row.saturating_sub(1));
    if let Some(h) = find(Label::Initial, anchor.row).filter(|p| p.row <= limit) {
        let in_row = |want: Label| {
            labels
                .iter()
                .find(|(l, p)| *l == want && p.row == h.row)
                .map(|(_, p)| p.col)
        };
        let cols = FundColumns {
            initial: Some(h.col),
            full_year: in_row(Label::FullYear),
            executed: in_row(Label::Executed),
            weight: in_row(Label::Weight),
            rate: in_row(Label::Rate),
            score: in_row(Label::Score),
        };
        let row_of = |want: Label| {
            labels
                .iter()
                .find(|(l, p)| *l == want && p.row > h.row && p.row <= limit)
                .map(|(_, p)| p.row)
        };
        f.funds = Some(FundsLayout {
            header_row: h.row,
            cols,
            rows: [
                row_of(Label::FundTotal),
                row_of(Label::FundAppropriation),
                row_of(Label::FundCarryover),
                row_of(Label::FundOther),
            ],
        });
    }
    let below_label = |l: Option<Pos>| {
        l.filter(|p| p.row <= limit)
            .and_then(|l| below(grid, l, limit))
            .filter(|p| !is_label(*p))
    };
    f.expected = below_label(find(Label::Expected, anchor.row));
    f.actual = below_label(find(Label::Actual, anchor.row));

    if let Some(h) = header {
        let in_row = |want: Label| {
            labels
                .iter()
                .find(|(l, p)| *l == want && p.row == h.row)
                .map(|(_, p)| p.col)
        };
        let cols = IndicatorColumns {
            level1: Some(h.col),
            level2: in_row(Label::Level2),
            name: in_row(Label::Level3),
            target: in_row(Label::Target),
            actual: in_row(Label::Achieved),
            weight: in_row(Label::Weight),
            score: in_row(Label::Score),
            reason: in_row(Label::Reason),
        };
        let first = grid.region_at(h).last.row + 1;
        let last = total.map_or(f.rows.1, |t| t.row.saturating_sub(1));
        let rows = (first, last.max(first.saturating_sub(1)));
        let blocks = if first <= last {
            find_blocks(grid, &cols, rows)
        } else {
            Vec::new()
        };
        f.indicators = Some(IndicatorsLayout {
            header_row: h.row,
            cols,
            rows,
            blocks,
        });
        if let Some(t) = total {
            let label_end = grid.region_at(t).last.col;
            let at = |c: Option<u32>| {
                c.filter(|c| *c > label_end)
                    .map(|c| grid.region_at(Pos::new(t.row, c)).first)
            };
            let mut weight = at(cols.weight);
            let mut score = at(cols.score);
            if weight.is_none() || score.is_none() {
                // The 总分 label spans the value columns: take the values in order.
                let mut vals = (label_end + 1..grid.cols())
                    .map(|c| Pos::new(t.row, c))
                    .filter(|p| !grid.is_covered(*p) && !grid.get(*p).is_empty());
                weight = weight.or_else(|| vals.next());
                score = score.or_else(|| vals.next());
            }
            f.total = Some(TotalLayout {
                label: t,
                weight,
                score,
            });
        }
    }
    f
}

/// The first `want` label at or below `from_row`.
fn first(labels: &[(Label, Pos)], want: Label, from_row: u32) -> Option<Pos> {
    labels
        .iter()
        .find(|(l, p)| *l == want && p.row >= from_row)
        .map(|(_, p)| *p)
}

/// The rows a label or value at `p` spans within `within`: its merged region, or where the
/// grid carries no merge information (ODS), down to the next non-empty cell in its column.
pub fn span(grid: &Grid, p: Pos, within: (u32, u32)) -> (u32, u32) {
    if let Some(m) = grid.merge_at(p) {
        return (m.first.row.max(within.0), m.last.row.min(within.1));
    }
    if grid.has_merge_info {
        return (p.row, p.row);
    }
    let end = (p.row + 1..=within.1)
        .find(|r| !grid.get(Pos::new(*r, p.col)).is_empty())
        .map_or(within.1, |r| r - 1);
    (p.row, end)
}

/// Splits the indicator rows into 二级 blocks. A block starts where a 一级 or 二级 label
/// starts and runs to its merged region's end, or to the row before the next label.
fn find_blocks(grid: &Grid, cols: &IndicatorColumns, rows: (u32, u32)) -> Vec<Block> {
    let starts_in = |col: Option<u32>| -> Vec<u32> {
        col.map(|c| {
            (rows.0..=rows.1)
                .filter(|r| {
                    let p = Pos::new(*r, c);
                    !grid.is_covered(p) && !grid.get(p).is_empty()
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let l1_starts = starts_in(cols.level1);
    let l2_starts = starts_in(cols.level2);
    // The 一级 region of each row: merged, or to the row before the next 一级 label.
    let region_of = |starts: &[u32], col: Option<u32>, i: usize| -> (Pos, (u32, u32)) {
        let p = Pos::new(starts[i], col.unwrap_or(0));
        let next = starts.get(i + 1).map_or(rows.1, |n| n - 1);
        let end = match grid.merge_at(p) {
            Some(m) => m.last.row.min(rows.1),
            None => next,
        };
        (p, (p.row, end.max(p.row)))
    };
    let l1: Vec<(Pos, (u32, u32))> = (0..l1_starts.len())
        .map(|i| region_of(&l1_starts, cols.level1, i))
        .collect();
    let mut starts: Vec<u32> = l1_starts.iter().chain(&l2_starts).copied().collect();
    starts.sort_unstable();
    starts.dedup();
    let mut blocks = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let next = starts.get(i + 1).map_or(rows.1, |n| n - 1);
        let level1 = l1
            .iter()
            .find(|(_, (a, b))| (*a..=*b).contains(&s))
            .map(|(p, _)| *p);
        let l1_end = l1
            .iter()
            .find(|(_, (a, b))| (*a..=*b).contains(&s))
            .map_or(rows.1, |(_, (_, b))| *b);
        let level2 = cols
            .level2
            .map(|c| Pos::new(s, c))
            .filter(|p| !grid.is_covered(*p) && !grid.get(*p).is_empty());
        let merged_end = level2
            .and_then(|p| grid.merge_at(p))
            .map(|m: Region| m.last.row);
        let end = merged_end.unwrap_or(next).min(l1_end).min(rows.1).max(s);
        blocks.push(Block {
            level1,
            level2,
            rows: (s, end),
        });
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_with_line_breaks_and_brackets() {
        assert_eq!(classify("项目资金\n（万元）"), Some(Label::Funds));
        assert_eq!(classify("实际完\n成值"), Some(Label::Achieved));
        assert_eq!(classify("偏差原因\n分析及改进\n措施"), Some(Label::Reason));
        assert_eq!(
            classify("其中：当年财政拨款"),
            Some(Label::FundAppropriation)
        );
        assert_eq!(classify("本年财政拨款"), Some(Label::FundAppropriation));
        assert_eq!(classify("绩\n\n效\n\n指\n\n标"), Some(Label::Indicators));
        assert_eq!(classify("（2023年度）"), Some(Label::Year(2023)));
        assert_eq!(classify("项目支出绩效自评表"), Some(Label::Title));
        assert_eq!(classify("完成"), None);
        assert_eq!(classify("2023"), None);
        assert_eq!(year_in_title("2024年度项目支出绩效自评表"), Some(2024));
    }

    fn sample_grid() -> Grid {
        // A small form, shifted one row down and one column right.
        let mut g = Grid::from_rows(
            "S",
            &[
                &[],
                &["", "项目支出绩效自评表"],
                &["", "（2023年度）"],
                &["", "项目名称", "", "测试项目"],
                &["", "主管部门", "", "某局", "", "实施单位", "", ""],
                &[
                    "",
                    "项目资金（万元）",
                    "",
                    "年初预算数",
                    "全年预算数",
                    "全年执行数",
                    "分值",
                    "执行率",
                    "得分",
                ],
                &["", "", "年度资金总额", "6", "6", "6", "10", "", "10"],
                &["", "年度总体目标", "预期目标", "", "", "实际完成情况"],
                &["", "", "甲", "", "", "乙"],
                &[
                    "",
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
                &[
                    "",
                    "",
                    "产出指标",
                    "数量指标",
                    "个数",
                    "≥16个",
                    "17",
                    "10",
                    "10",
                    "无",
                ],
                &["", "", "", "", "", "", "", "", "", ""],
                &[
                    "",
                    "",
                    "",
                    "质量指标",
                    "合格率",
                    "100%",
                    "100%",
                    "10",
                    "10",
                    "",
                ],
                &[
                    "",
                    "",
                    "满意度指标",
                    "服务对象满意度指标",
                    "满意",
                    "≥90%",
                    "100%",
                    "10",
                    "9",
                    "",
                ],
                &["", "总分", "", "", "", "", "", "100", "99"],
            ],
        );
        g.add_merge(Region::new(3, 1, 3, 2));
        g.add_merge(Region::new(4, 1, 4, 2));
        g.add_merge(Region::new(10, 2, 12, 2)); // 产出指标 over three rows
        g.add_merge(Region::new(10, 3, 11, 3)); // 数量指标 over two rows
        g.add_merge(Region::new(14, 1, 14, 6));
        g
    }

    #[test]
    fn finds_sections_by_label_in_a_shifted_grid() {
        let g = sample_grid();
        let forms = locate(&g);
        assert_eq!(forms.len(), 1);
        let f = &forms[0];
        assert_eq!(f.anchor, Pos::parse("B4").unwrap());
        assert_eq!(f.rows, (1, 14));
        assert_eq!(f.year, Some((Pos::parse("B3").unwrap(), 2023)));
        assert_eq!(f.name, Pos::parse("D4"));
        assert_eq!(f.department, Pos::parse("D5"));
        assert_eq!(f.implementer, Pos::parse("G5"));
        let funds = f.funds.as_ref().unwrap();
        assert_eq!(funds.cols.score, Some(8));
        assert_eq!(funds.rows, [Some(6), None, None, None]);
        assert_eq!(f.expected, Pos::parse("C9"));
        assert_eq!(f.actual, Pos::parse("F9"));
        let ind = f.indicators.as_ref().unwrap();
        assert_eq!(ind.rows, (10, 13));
        let rows: Vec<_> = ind.blocks.iter().map(|b| b.rows).collect();
        assert_eq!(rows, vec![(10, 11), (12, 12), (13, 13)]);
        assert_eq!(ind.blocks[1].level1, Pos::parse("C11"));
        let t = f.total.as_ref().unwrap();
        assert_eq!(t.weight, Pos::parse("H15"));
        assert_eq!(t.score, Pos::parse("I15"));
    }

    #[test]
    fn without_merge_info_blocks_run_to_the_next_label() {
        let mut g = sample_grid();
        let mut plain = Grid::new("S", g.rows(), g.cols());
        plain.has_merge_info = false;
        for (p, v) in g.non_empty() {
            plain.set(p, v.clone());
        }
        g = plain;
        let f = &locate(&g)[0];
        let ind = f.indicators.as_ref().unwrap();
        let rows: Vec<_> = ind.blocks.iter().map(|b| b.rows).collect();
        assert_eq!(rows, vec![(10, 11), (12, 12), (13, 13)]);
        assert_eq!(span(&g, Pos::parse("F11").unwrap(), (10, 11)), (10, 11));
    }

    #[test]
    fn two_forms_stacked() {
        let one = sample_grid();
        let mut g = Grid::new("S", 40, 10);
        for (p, v) in one.non_empty() {
            g.set(p, v.clone());
            g.set(Pos::new(p.row + 18, p.col), v.clone());
        }
        let forms = locate(&g);
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].rows, (1, 14));
        assert_eq!(forms[1].rows, (19, 32));
    }

    #[test]
    fn a_grid_without_forms_gives_none() {
        let g = Grid::from_rows("S", &[&["姓名", "工资"], &["张三", "5000"]]);
        assert!(locate(&g).is_empty());
    }
}
