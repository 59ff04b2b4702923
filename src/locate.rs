//! Finding forms in a grid by their labels, never by coordinates.
//!
//! Layouts drift: rows are inserted, the table is shifted, blocks have 1 to 5 rows, several
//! forms stand one under another, provinces order and word the columns differently. So the
//! locator first indexes every cell whose text is a known label ([`crate::wording`]; one pass
//! over the grid), then builds each form's [`FormLayout`] from label positions alone: the
//! roles of a table's columns come from its header row(s), whatever their order. It knows
//! nothing of values: what a cell means is the extractor's job.

use crate::grid::{Grid, Pos, Region, Value};
use crate::wording::{Label, MoneyUnit, Role, classify, money_unit};

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

const ROLES: usize = 17;

/// The column of each role in a table (funds or indicators), as its header row(s) say.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Columns([Option<u32>; ROLES]);

impl Columns {
    pub fn get(&self, role: Role) -> Option<u32> {
        self.0[role as usize]
    }

    pub fn set(&mut self, role: Role, col: u32) {
        self.0[role as usize] = Some(col);
    }

    pub fn has(&self, role: Role) -> bool {
        self.get(role).is_some()
    }
}

/// A header text the vocabulary does not know, and the rows of the column below it (so
/// that its cells are reported once, with the header, not one by one).
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub cell: Pos,
    pub text: String,
    pub below: (u32, u32),
}

/// The fund table: its header row, columns, and the row of each fund source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FundsLayout {
    pub header_row: u32,
    pub cols: Columns,
    /// 年度资金总额, 当年财政拨款, 上年结转资金, 其他资金.
    pub rows: [Option<u32>; 4],
    /// Rows of further sources (a second 其他-type row such as 单位资金), with their labels.
    pub more: Vec<Pos>,
    /// Where the execution's 分值 is printed when there is no 分值 column: a label with its
    /// points (`预算执行情况（10分）`, `得分（20分*执行率）`).
    pub weight_label: Option<Pos>,
    /// The 执行率 header says its numbers are percent points (`执行率(%)`: 100 is 100%).
    pub rate_in_percent: bool,
    /// Every statement of the amounts' unit, most specific first: a column header
    /// (`全年预算数（元）`), the table's label or a fund row's (`项目资金（元）`, `合计(万元)`),
    /// a unit line (`单位：元`).
    pub units: Vec<(MoneyUnit, Pos, UnitScope)>,
    /// Fund rows of one kind competing for its field, none in the canonical wording: the
    /// label taken, and the others (kept as further sources).
    pub competing: Vec<(Pos, Vec<Pos>)>,
}

/// How far a stated money unit reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnitScope {
    /// The amounts of one column.
    Column(u32),
    /// The whole funds table.
    Table,
    /// A line of the form (`单位：元`).
    Line,
}

impl FundsLayout {
    /// The unit of the amounts in column `col`, and where it is stated; `None` when the
    /// form states none.
    pub fn unit_of(&self, col: u32) -> Option<(MoneyUnit, Pos)> {
        self.units
            .iter()
            .find(|(_, _, s)| match s {
                UnitScope::Column(c) => *c == col,
                _ => true,
            })
            .map(|(u, p, _)| (*u, *p))
    }
}

/// An 二级 block: the rows under one 二级指标 label.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub level1: Option<Pos>,
    pub level2: Option<Pos>,
    pub rows: (u32, u32),
    /// The columns of the block's own table, where it stands under a header of its own
    /// (a 项目决策/项目管理 table above the 产出/效益 one); `None`: the form's.
    pub cols: Option<Columns>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorsLayout {
    /// The header row(s): one, or two when labels are merged over the row above.
    pub header_rows: (u32, u32),
    pub cols: Columns,
    /// The rows between the header and the 总分 row.
    pub rows: (u32, u32),
    pub blocks: Vec<Block>,
    /// Columns that could fill a role another column fills (L012), kept as unplaced.
    pub displaced: Vec<Displaced>,
    /// The 分值 column is a share in percent (`权重占比(%)`), not points.
    pub weight_in_percent: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TotalLayout {
    pub label: Pos,
    pub weight: Option<Pos>,
    pub score: Option<Pos>,
    /// The 复核分 column's total, where the table has that column.
    pub review: Option<Pos>,
}

/// Where each part of one form is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormLayout {
    /// The 项目名称 label, or without one, the form's first label.
    pub anchor: Pos,
    /// The 项目名称 label, when the form prints one.
    pub name_label: Option<Pos>,
    /// First and last row of the form.
    pub rows: (u32, u32),
    /// The rows the form accounts for: its own, and the rows around it that belong to no
    /// form (another form's tail above, a signature block below), kept as unplaced (L009).
    pub outer: (u32, u32),
    pub title: Option<Pos>,
    pub year: Option<(Pos, i32)>,
    pub name: Option<Pos>,
    pub department: Option<Pos>,
    pub central_department: Option<Pos>,
    pub implementer: Option<Pos>,
    pub funds: Option<FundsLayout>,
    pub expected: Option<Pos>,
    pub actual: Option<Pos>,
    pub indicators: Option<IndicatorsLayout>,
    pub total: Option<TotalLayout>,
    /// A declared total in the header block (`自评得分 | 98`), for forms that print it there.
    pub header_total: Option<Pos>,
    /// Header texts of the funds and indicator tables that the vocabulary does not know.
    pub unknown: Vec<Unknown>,
    /// Values beside labels of no field (报表编号, 填报人): kept as unplaced, known as such.
    pub other_values: Vec<Pos>,
    /// Every label cell of the form.
    pub labels: Vec<Pos>,
}

/// Finds every form in a grid.
///
/// A sheet holds a 自评表 when it holds an indicator table (a header row with 一级指标 or
/// 三级指标 among the column labels), not because a cell says 项目名称: a project dossier's
/// 基本信息 or 申报表 sheet has 项目名称 too. Each indicator table is one form; its identity
/// is the 项目名称 label above it (the one with a value beside it when there are several, so
/// a `项目名称` heading inside the funds table does not split the form), with the title lines
/// just above. A header row repeated inside a table (no 项目名称, title or 总分 between the
/// two) does not start a form. A 项目名称 with no indicator table below it is a form only
/// under a 自评表 title (a form cut short; L001 says what is missing).
///
/// # Example
///
/// The one form on a sample's sheet, and where its parts are:
///
/// ```
/// use jixiao::grid::Pos;
/// use jixiao::{locate, read};
/// use std::path::Path;
///
/// let path = Path::new("samples/2023/1.xlsx");
/// let grids = read::read_bytes(&std::fs::read(path)?, path, &read::Limits::default())?;
/// let forms = locate::locate(&grids[0]);
/// assert_eq!(forms.len(), 1);
/// let form = &forms[0];
/// assert_eq!(form.rows, (0, 29));
/// assert_eq!(form.title, Pos::parse("A1"));
/// assert_eq!(form.year, Some((Pos::parse("A2").unwrap(), 2023)));
/// // 项目名称 in A3, its value beside it in C3; 实施单位's value in H4.
/// assert_eq!(form.name_label, Pos::parse("A3"));
/// assert_eq!(form.name, Pos::parse("C3"));
/// assert_eq!(form.implementer, Pos::parse("H4"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn locate(grid: &Grid) -> Vec<FormLayout> {
    let index = LabelIndex::build(grid);
    let headers = indicator_headers(&index);
    let names: Vec<Pos> = {
        let mut n: Vec<Pos> = index
            .items
            .iter()
            .filter(|(l, _)| *l == Label::ProjectName)
            .map(|(_, p)| *p)
            .collect();
        // A second 项目名称 in the same row is a label inside the form, not a new one.
        n.dedup_by_key(|p| p.row);
        n
    };
    let separates = |from: u32, to: u32| {
        index
            .within((from, to))
            .any(|(l, _)| matches!(l, Label::ProjectName | Label::Title | Label::Total))
    };
    // One form per indicator table: (first 项目名称 candidate row range start, header row).
    let mut tables: Vec<u32> = Vec::new();
    for h in headers {
        match tables.last() {
            Some(&prev) if !separates(prev + 1, h.saturating_sub(1)) => {}
            _ => tables.push(h),
        }
    }
    // (name label, start row) of each form, in order.
    let mut starts: Vec<(Option<Pos>, u32)> = Vec::new();
    let mut lo = 0u32;
    for &h in &tables {
        let candidates: Vec<Pos> = names
            .iter()
            .copied()
            .filter(|p| p.row >= lo && p.row < h)
            .collect();
        // A 项目名称 heading a table's column (the funds table's first column) names no
        // project: it is a name label only with a value beside it or alone in its row.
        let heading = |p: &Pos| {
            index
                .within((p.row, p.row))
                .filter(|(l, _)| matches!(l, Label::Col(_)))
                .count()
                >= 2
        };
        let chosen = candidates
            .iter()
            .copied()
            .find(|p| has_value(grid, &index, *p))
            .or(candidates.iter().copied().find(|p| !heading(p)));
        // The form starts at its title lines, or at its first head label when that is
        // above them (主管部门 above a 项目名称 that only heads the funds table).
        let first_head = index
            .within((lo, h.saturating_sub(1)))
            .filter(|(l, _)| is_head_label(*l))
            .map(|(_, p)| p.row)
            .min();
        let start = match chosen {
            Some(c) => {
                let t = title_start(&index, c.row, lo);
                first_head.map_or(t, |f| t.min(f))
            }
            None => first_head.unwrap_or(h),
        };
        starts.push((chosen, start));
        lo = h + 1;
    }
    // A 项目名称 below every indicator table, under a 自评表 title: a form cut short.
    let mut prev = tables.last().map(|h| h + 1);
    for n in names
        .iter()
        .filter(|p| tables.last().is_none_or(|h| p.row > *h))
    {
        let from = prev.map_or(0, |r| r.max(n.row.saturating_sub(4)));
        let start = title_start(&index, n.row, from);
        // Above the 项目名称 row: a title-like text beside it is the project's name.
        let titled = n.row > start
            && index
                .within((start, n.row - 1))
                .any(|(l, _)| l == Label::Title);
        if titled {
            starts.push((Some(*n), start));
            prev = Some(n.row + 1);
        }
    }
    let last_row = grid.rows().saturating_sub(1);
    let mut forms: Vec<FormLayout> = (0..starts.len())
        .map(|i| {
            let limit = starts
                .get(i + 1)
                .map_or(last_row, |s| s.1.saturating_sub(1));
            layout_one(grid, &index, starts[i].0, (starts[i].1, limit))
        })
        .collect();
    // Rows that belong to no form are the nearest form's to account for (L009): those
    // above the first form go to it, those below a form (to the next) to the form above.
    let n = forms.len();
    for i in 0..n {
        let lo = if i == 0 { 0 } else { forms[i].rows.0 };
        let hi = forms
            .get(i + 1)
            .map_or(last_row, |f| f.rows.0.saturating_sub(1));
        forms[i].outer = (lo.min(forms[i].rows.0), hi.max(forms[i].rows.1));
    }
    forms
}

/// Rows holding an indicator table's header: 一级指标, or 三级指标 with no 一级指标 in the
/// rows beside it, among at least three column labels in its row and the next, one of them
/// 实际完成值 or 得分.
fn indicator_headers(index: &LabelIndex) -> Vec<u32> {
    let rows_of = |want: Role| -> Vec<u32> {
        let mut r: Vec<u32> = index
            .items
            .iter()
            .filter(|(l, _)| *l == Label::Col(want))
            .map(|(_, p)| p.row)
            .collect();
        r.dedup();
        r
    };
    let level1 = rows_of(Role::Level1);
    let mut rows: Vec<u32> = level1.clone();
    rows.extend(
        rows_of(Role::Name)
            .into_iter()
            .filter(|r| !level1.iter().any(|l| l.abs_diff(*r) <= 1)),
    );
    rows.sort_unstable();
    rows.dedup();
    // A self-evaluation reports what was done: a 实际完成值 or a 得分 column. A table of
    // targets alone is a 绩效目标申报表 or a 监控表 of the same dossier, not a form.
    // The row above counts too: a two-row header merges 实际完成值 · 分值 · 得分 down
    // from it beside the 一级指标 row's finer labels.
    rows.retain(|r| reports_results(index.within((r.saturating_sub(1), r + 1)).map(|(l, _)| l)));
    rows
}

/// Whether the labels of a header's rows make an indicator table of a self-evaluation:
/// at least three column labels, one of them 实际完成值 or 得分.
fn reports_results(labels: impl Iterator<Item = Label>) -> bool {
    let (mut cols, mut results) = (0, false);
    for l in labels {
        if let Label::Col(r) = l {
            cols += 1;
            results |= matches!(r, Role::Actual | Role::Score);
        }
    }
    cols >= 3 && results
}

/// Labels that open a form's head: identity, funds, goals, titles.
fn is_head_label(l: Label) -> bool {
    matches!(
        l,
        Label::Title
            | Label::Year(_)
            | Label::ProjectName
            | Label::Department
            | Label::CentralDepartment
            | Label::Implementer
            | Label::Funds
            | Label::Goal
            | Label::Expected
    )
}

/// The first row of a form whose 项目名称 is in row `name_row`: its title lines (and a
/// 报表编号 line) sit at most a few rows above, not above `from`.
fn title_start(index: &LabelIndex, name_row: u32, from: u32) -> u32 {
    let lo = name_row.saturating_sub(4).max(from);
    index
        .within((lo, name_row))
        .filter(|(l, _)| matches!(l, Label::Title | Label::Year(_) | Label::Other))
        .map(|(_, p)| p.row)
        .min()
        .unwrap_or(name_row)
}

/// Whether a 项目名称 label has a value beside it (not another label, not empty).
fn has_value(grid: &Grid, index: &LabelIndex, label: Pos) -> bool {
    right_of(grid, label).is_some_and(|p| {
        !grid.get(p).is_empty()
            && !index.items.iter().any(|(_, q)| *q == p)
            && !looks_like_label(grid.get(p))
    })
}

/// A text that reads as a label, never as a value: it ends with a colon, or with the
/// `（盖章）` of a signature line (`承担单位:(盖章)`, `项目名称：`).
pub fn looks_like_label(v: &Value) -> bool {
    let Value::Text(t) = v else { return false };
    // Most values end otherwise: no key built for them.
    if !crate::normalize::trim(t).ends_with([':', '：', ')', '）']) {
        return false;
    }
    let k = crate::normalize::label_key(t);
    k.ends_with([':', '：']) || k.ends_with("(盖章)") || k.ends_with("（盖章）")
}

/// The value cell right of a label (past the label's merged region), if it is in the grid.
/// Without merge information the label's region is unknown, so the value is the first
/// non-empty cell to the right (the next cell when all are empty).
pub(crate) fn right_of(grid: &Grid, label: Pos) -> Option<Pos> {
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

/// The labels of one form, looked up by kind and position.
struct Labels {
    items: Vec<(Label, Pos)>,
}

impl Labels {
    /// The first `want` label at or below `from_row`.
    fn first(&self, want: Label, from_row: u32) -> Option<Pos> {
        self.items
            .iter()
            .find(|(l, p)| *l == want && p.row >= from_row)
            .map(|(_, p)| *p)
    }

    fn at(&self, p: Pos) -> Option<Label> {
        self.items.iter().find(|(_, q)| *q == p).map(|(l, _)| *l)
    }

    fn in_rows(&self, rows: (u32, u32)) -> impl Iterator<Item = (Label, Pos)> + '_ {
        self.items
            .iter()
            .filter(move |(_, p)| (rows.0..=rows.1).contains(&p.row))
            .copied()
    }
}

fn layout_one(
    grid: &Grid,
    index: &LabelIndex,
    name_label: Option<Pos>,
    bounds: (u32, u32),
) -> FormLayout {
    // Without a 项目名称 label, the form's identity is searched from its first row.
    let anchor = name_label.unwrap_or_else(|| {
        index
            .within(bounds)
            .find(|(l, _)| is_head_label(*l))
            .map_or(Pos::new(bounds.0, 0), |(_, p)| p)
    });
    let mut f = FormLayout {
        anchor,
        name_label,
        rows: bounds,
        ..Default::default()
    };
    let from_row = name_label.map_or(bounds.0, |a| a.row);
    let mut labels = Labels {
        items: index
            .within(bounds)
            // A title-like text at or below 项目名称 is a value (a project named
            // "…支出绩效自评表"), not the form's title.
            .filter(|(l, p)| !(*l == Label::Title && name_label.is_some_and(|a| p.row >= a.row)))
            .collect(),
    };
    let anchor = Pos::new(from_row, anchor.col);
    // The indicator table: its header row is the one holding 一级指标 (or, without it,
    // 三级指标); its header may take the row below too.
    let header = labels
        .first(Label::Col(Role::Level1), anchor.row)
        .or_else(|| labels.first(Label::Col(Role::Name), anchor.row));
    let band = header.map(|h| header_band(grid, &labels, h));
    let total = band.and_then(|b| labels.first(Label::Total, b.1 + 1));
    if let Some(t) = total {
        f.rows.1 = grid.region_at(t).last.row;
    }
    // Labels inside the indicator rows are values there (an indicator named 预算执行率).
    let body = band.map(|b| (b.1 + 1, total.map_or(f.rows.1, |t| t.row.saturating_sub(1))));
    labels.items.retain(|(l, p)| {
        p.row <= f.rows.1
            && !body.is_some_and(|b| (b.0..=b.1).contains(&p.row) && *l != Label::Total)
    });
    f.labels = labels.items.iter().map(|(_, p)| *p).collect();

    for (l, p) in &labels.items {
        match l {
            Label::Title if f.title.is_none() => f.title = Some(*p),
            Label::Year(y)
                if f.year.is_none()
                    && (p.row < anchor.row
                        || name_label.is_none() && header.is_none_or(|h| p.row < h.row)) =>
            {
                f.year = Some((*p, *y))
            }
            _ => {}
        }
    }
    let is_label = |p: Pos| f.labels.contains(&p) || looks_like_label(grid.get(p));
    let value_right = |l: Option<Pos>| l.and_then(|l| right_of(grid, l)).filter(|p| !is_label(*p));
    f.name = value_right(name_label);
    f.department = value_right(labels.first(Label::Department, anchor.row));
    f.central_department = value_right(labels.first(Label::CentralDepartment, anchor.row));
    f.implementer = value_right(labels.first(Label::Implementer, anchor.row));
    f.other_values = labels
        .items
        .iter()
        .filter(|(l, _)| *l == Label::Other)
        .filter_map(|(_, p)| value_right(Some(*p)))
        .filter(|p| !grid.get(*p).is_empty())
        .collect();

    let limit = header.map_or(f.rows.1, |h| h.row.saturating_sub(1));
    f.funds = funds_layout(grid, &labels, (anchor.row, limit), &mut f.unknown);
    if let Some(funds) = &mut f.funds {
        // A unit line anywhere above the indicator table (`单位：元` beside the title).
        for r in f.rows.0..=limit.min(grid.rows().saturating_sub(1)) {
            for c in 0..grid.cols() {
                let p = Pos::new(r, c);
                if let Value::Text(t) = grid.get(p)
                    && t.contains("单位")
                    && let Some(u) = money_unit(t)
                    && !funds.units.iter().any(|(_, q, _)| *q == p)
                {
                    funds.units.push((u, p, UnitScope::Line));
                }
            }
        }
    }
    // A goal's text sits right of its label, or below it when the labels form a header row.
    let text_of = |l: Pos| {
        let filled = |p: &Pos| !is_label(*p) && !grid.get(*p).is_empty();
        value_right(Some(l))
            .filter(filled)
            .or_else(|| below(grid, l, limit).filter(filled))
    };
    let goal_text = |want: Label| {
        let l = labels.first(want, anchor.row).filter(|p| p.row <= limit)?;
        text_of(l).or_else(|| value_right(Some(l)))
    };
    f.expected = goal_text(Label::Expected).or_else(|| {
        // Without 预期目标, a 总体目标 label with its text below it (the central form).
        labels
            .in_rows((anchor.row, limit))
            .filter(|(l, _)| *l == Label::Goal)
            .find_map(|(_, p)| {
                below(grid, p, limit).filter(|q| !is_label(*q) && !grid.get(*q).is_empty())
            })
    });
    f.actual = goal_text(Label::Achieved);
    // A declared total printed in the header block (`自评得分 | 98`, `总分 | 98`), outside the
    // funds table.
    let fund_rows = f
        .funds
        .as_ref()
        .map_or([None, None], |fl| [Some(fl.header_row), fl.rows[0]]);
    let numeric = |p: &Pos| match grid.get(*p) {
        Value::Number { .. } => true,
        Value::Text(s) => {
            crate::normalize::parse_number(s, crate::normalize::SCORE_UNITS).is_some()
        }
        _ => false,
    };
    f.header_total = labels
        .in_rows((anchor.row, limit))
        .filter(|(l, p)| {
            matches!(l, Label::Col(Role::Score) | Label::Total) && !fund_rows.contains(&Some(p.row))
        })
        .filter_map(|(_, p)| value_right(Some(p)))
        .find(numeric)
        .or_else(|| {
            // `自评总分: 95` in one cell, anywhere in the form's head.
            labels
                .in_rows((f.rows.0, limit))
                .find(|(l, _)| *l == Label::TotalInline)
                .map(|(_, p)| p)
        });

    if let Some(band) = band {
        let (cols, unknown, mut displaced) = column_roles(grid, &labels, band, f.rows.1);
        let first = band.1 + 1;
        let last = total.map_or(f.rows.1, |t| t.row.saturating_sub(1));
        let rows = (first, last.max(first.saturating_sub(1)));
        // Tables of the form under headers of their own, with other columns (a
        // 项目决策/项目管理 table with 分值 · 自评分 · 复核分, then the 产出/效益 table with
        // 年初指标值 · 年终完成值 · 自评分). A header repeated with the same columns is not
        // one (it is a row of the table, L010).
        let body = Labels {
            items: index
                .within(rows)
                .filter(|(l, _)| matches!(l, Label::Col(_)))
                .collect(),
        };
        let mut parts: Vec<Part> = vec![(band, cols, unknown)];
        let mut r = first;
        while r <= last {
            let opens = body
                .in_rows((r, r))
                .any(|(l, _)| matches!(l, Label::Col(Role::Level1 | Role::Name)));
            let header = opens && reports_results(body.in_rows((r, r + 1)).map(|(l, _)| l));
            if header && let Some((_, h)) = body.in_rows((r, r)).next() {
                let b2 = header_band(grid, &body, h);
                let (c2, u2, d2) = column_roles(grid, &body, b2, f.rows.1);
                if parts.last().is_some_and(|p| p.1 != c2) {
                    f.labels.extend(body.in_rows(b2).map(|(_, p)| p));
                    displaced.extend(d2);
                    parts.push((b2, c2, u2));
                    r = b2.1 + 1;
                    continue;
                }
            }
            r += 1;
        }
        let mut blocks = Vec::new();
        let n = parts.len();
        for (i, (b, c, unknown)) in parts.iter().enumerate() {
            let to = parts
                .get(i + 1)
                .map_or(last, |next| next.0.0.saturating_sub(1));
            let own = (b.1 + 1, to.max(b.1));
            f.unknown.extend(unknown.iter().map(|(cell, text)| Unknown {
                cell: *cell,
                text: text.clone(),
                below: own,
            }));
            if b.1 < to {
                let mut found = find_blocks(grid, c, own);
                if i + 1 < n {
                    for blk in &mut found {
                        blk.cols = Some(*c);
                    }
                }
                blocks.extend(found);
            }
        }
        let cols = parts[n - 1].1;
        let weight_in_percent = cols.get(Role::Weight).is_some_and(|c| {
            (band.0..=band.1).any(|r| {
                let p = grid.region_at(Pos::new(r, c)).first;
                matches!(labels.at(p), Some(Label::Col(Role::Weight)))
                    && crate::wording::is_percent_weight(&grid.get(p).display_cow())
            })
        });
        f.indicators = Some(IndicatorsLayout {
            header_rows: band,
            cols,
            rows,
            blocks,
            displaced,
            weight_in_percent,
        });
        if let Some(t) = total {
            f.total = Some(total_layout(grid, t, &cols));
        }
    }
    f
}

/// One table of a form's indicators: its header rows, columns, and unknown headers.
type Part = ((u32, u32), Columns, Vec<(Pos, String)>);

/// The values of the 总分 row: under the 分值 and 得分 columns, or, when the label spans
/// them, in order. One number and no 分值 column is the declared total, not a weight.
fn total_layout(grid: &Grid, t: Pos, cols: &Columns) -> TotalLayout {
    let label_end = grid.region_at(t).last.col;
    // The cell of a column on the 总分 row, right of its label; `at` when it holds a value.
    let slot = |c: Option<u32>| {
        c.filter(|c| *c > label_end)
            .map(|c| grid.region_at(Pos::new(t.row, c)).first)
    };
    let at = |c: Option<u32>| slot(c).filter(|p| !grid.get(*p).is_empty());
    let mut weight = at(cols.get(Role::Weight));
    let mut score = at(cols.get(Role::Score));
    let review = at(cols.get(Role::Review));
    let taken = [weight, score, review];
    let mut vals: Vec<Pos> = (label_end + 1..grid.cols())
        .map(|c| Pos::new(t.row, c))
        .filter(|p| !grid.is_covered(*p) && !grid.get(*p).is_empty() && !taken.contains(&Some(*p)))
        .collect();
    if weight.is_none() && score.is_none() {
        match vals.len() {
            0 => {}
            1 if cols.has(Role::Weight) && !cols.has(Role::Score) => weight = vals.pop(),
            1 => score = vals.pop(),
            _ => {
                weight = Some(vals[0]);
                score = Some(vals[1]);
            }
        }
    } else if weight.is_none() && cols.has(Role::Weight) {
        weight = vals
            .first()
            .copied()
            .filter(|p| score.is_some_and(|s| p.col < s.col));
    } else if score.is_none() && cols.has(Role::Score) {
        score = vals
            .first()
            .copied()
            .filter(|p| weight.is_some_and(|w| p.col > w.col));
    }
    // Empty cells still say where the value should have been.
    TotalLayout {
        label: t,
        weight: weight.or_else(|| slot(cols.get(Role::Weight))),
        score: score.or_else(|| slot(cols.get(Role::Score))),
        review,
    }
}

/// The rows of an indicator header: the 一级指标 row, down to the last row its column labels
/// are merged over (a second header row holds the finer labels).
fn header_band(grid: &Grid, labels: &Labels, h: Pos) -> (u32, u32) {
    let bottom = labels
        .in_rows((h.row, h.row))
        .filter(|(l, _)| matches!(l, Label::Col(_)))
        .map(|(_, p)| grid.region_at(p).last.row)
        .max()
        .unwrap_or(h.row);
    (h.row, bottom.max(h.row))
}

/// The role of each column under a header `band`: the lowest label of the band in that
/// column wins (a second header row is the finer one); a label merged down from the row
/// above counts, and so does one in the row above over an empty header cell. Texts the
/// vocabulary does not know are returned with their cells.
fn column_roles(
    grid: &Grid,
    labels: &Labels,
    band: (u32, u32),
    last_row: u32,
) -> (Columns, Vec<(Pos, String)>, Vec<Displaced>) {
    let mut cols = Columns::default();
    let mut unknown = Vec::new();
    let mut displaced = Vec::new();
    // The header cell and rank of the column each role holds so far.
    let mut heads: Vec<(Role, Pos, u8)> = Vec::new();
    let above = band.0.checked_sub(1);
    for c in 0..grid.cols() {
        let mut role = None;
        let consider =
            |p: Pos, role: &mut Option<(Role, Pos)>, unknown: &mut Vec<(Pos, String)>| {
                if p.col != c {
                    return;
                }
                match labels.at(p) {
                    Some(Label::Col(r)) => *role = Some((r, p)),
                    Some(_) => {}
                    None => {
                        let v = grid.get(p);
                        if let Value::Text(s) = v
                            && !crate::normalize::trim(s).is_empty()
                            && !unknown.iter().any(|(q, _)| *q == p)
                        {
                            unknown.push((p, s.clone()));
                        }
                    }
                }
            };
        if let Some(a) = above {
            let head = grid.region_at(Pos::new(band.0, c));
            let from_above = head.first.row == a;
            let empty_head = grid.get(head.first).is_empty();
            let up = grid.region_at(Pos::new(a, c)).first;
            if from_above || (empty_head && matches!(labels.at(up), Some(Label::Col(_)))) {
                consider(up, &mut role, &mut unknown);
            }
        }
        for r in band.0..=band.1.min(last_row) {
            let p = grid.region_at(Pos::new(r, c)).first;
            if p.row >= band.0 {
                consider(p, &mut role, &mut unknown);
            }
        }
        let Some((r, head)) = role else { continue };
        let rank = crate::wording::column_rank(r, &grid.get(head).display_cow());
        match heads.iter_mut().find(|(hr, _, _)| *hr == r) {
            None => {
                cols.set(r, c);
                heads.push((r, head, rank));
            }
            // Two columns could fill one role: the stated preference picks one
            // (折算得分 over 得分, 分值 over 权重占比), the first on a tie; the other is kept
            // apart, said once (L012).
            Some(held) if rank > held.2 => {
                displaced.push(Displaced {
                    role: r,
                    kept: head,
                    dropped: held.1,
                });
                cols.set(r, c);
                *held = (r, head, rank);
            }
            Some(held) => displaced.push(Displaced {
                role: r,
                kept: held.1,
                dropped: head,
            }),
        }
    }
    (cols, unknown, displaced)
}

/// A column that could fill a role another column fills: its header, and the kept one's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Displaced {
    pub role: Role,
    pub kept: Pos,
    pub dropped: Pos,
}

/// The funds table within `rows` (項目名称 to the indicator header): the first row holding
/// two or more fund column labels (年初预算数, 全年预算数, 执行数, 执行率) is its header.
fn funds_layout(
    grid: &Grid,
    labels: &Labels,
    rows: (u32, u32),
    unknown: &mut Vec<Unknown>,
) -> Option<FundsLayout> {
    let header_row = {
        let mut counts: Vec<(u32, usize)> = Vec::new();
        for (l, p) in labels.in_rows(rows) {
            if let Label::Col(r) = l
                && r.is_fund()
            {
                match counts.iter_mut().find(|(row, _)| *row == p.row) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((p.row, 1)),
                }
            }
        }
        counts.into_iter().find(|(_, n)| *n >= 2).map(|(r, _)| r)?
    };
    let in_header: Vec<(Label, Pos)> = labels.in_rows((header_row, header_row)).collect();
    let band_end = in_header
        .iter()
        .filter(|(l, _)| matches!(l, Label::Col(r) if r.is_fund()))
        .map(|(_, p)| grid.region_at(*p).last.row)
        .max()
        .unwrap_or(header_row);
    let (mut cols, found_unknown, _) = column_roles(grid, labels, (header_row, band_end), rows.1);
    // Only the funds' own columns: indicator roles in this row are not the funds'.
    let mut fund_cols = Columns::default();
    for r in [
        Role::Initial,
        Role::FullYear,
        Role::Executed,
        Role::Rate,
        Role::Weight,
        Role::Score,
        Role::Reason,
    ] {
        if let Some(c) = cols.get(r) {
            fund_cols.set(r, c);
        }
    }
    // Sources side by side (中央 · 省、地 · 本级 · 其他 · 合计(万元) · 执行数): the 合计
    // column is the year's budget.
    if !fund_cols.has(Role::FullYear)
        && let Some((_, p)) = labels
            .in_rows((header_row, band_end))
            .find(|(l, _)| *l == Label::Total)
    {
        fund_cols.set(Role::FullYear, p.col);
    }
    cols = fund_cols;
    // The data rows end at the next section (goals) or the indicator header.
    let end = labels
        .in_rows((band_end + 1, rows.1))
        .find(|(l, _)| matches!(l, Label::Goal | Label::Expected | Label::Achieved))
        .map_or(rows.1, |(_, p)| p.row.saturating_sub(1));
    // The canonical wording wins where a form lists several sources of one kind.
    let row_of = |want: Label| {
        let mut of_kind = labels
            .in_rows((band_end + 1, end))
            .filter(|(l, _)| *l == want);
        let first = of_kind.next()?;
        let canonical = std::iter::once(first)
            .chain(of_kind)
            .find(|(_, p)| crate::wording::is_canonical_fund_row(&grid.get(*p).display_cow()));
        Some(canonical.unwrap_or(first).1.row)
    };
    // Without a 年度资金总额 row, the first row holding an amount is the total (a
    // 预算执行情况 table of one row).
    let total = row_of(Label::FundTotal)
        .or_else(|| row_of(Label::Total))
        .or_else(|| {
            (band_end + 1..=end).find(|r| {
                [Role::FullYear, Role::Executed, Role::Initial]
                    .iter()
                    .filter_map(|role| cols.get(*role))
                    .any(|c| !grid.get(Pos::new(*r, c)).is_empty())
            })
        });
    let data = (band_end + 1, end.max(band_end));
    unknown.extend(found_unknown.into_iter().map(|(cell, text)| Unknown {
        cell,
        text,
        below: data,
    }));
    let weight_label = if cols.has(Role::Weight) {
        None
    } else {
        let points = |p: &Pos| match grid.get(*p) {
            Value::Text(s) => crate::wording::points(s).is_some(),
            _ => false,
        };
        labels
            .in_rows((rows.0, band_end))
            .filter(|(l, _)| *l == Label::Funds)
            .map(|(_, p)| p)
            .find(points)
            .or_else(|| {
                cols.get(Role::Score)
                    .map(|c| grid.region_at(Pos::new(header_row, c)).first)
                    .filter(points)
            })
    };
    let text_at = |p: Pos| match grid.get(p) {
        Value::Text(t) => Some(t.as_str()),
        _ => None,
    };
    let mut units = Vec::new();
    for role in [Role::Initial, Role::FullYear, Role::Executed] {
        let Some(c) = cols.get(role) else { continue };
        for r in header_row..=band_end {
            let p = grid.region_at(Pos::new(r, c)).first;
            if let Some(u) = text_at(p).and_then(money_unit)
                && !units.iter().any(|(_, q, _)| *q == p)
            {
                units.push((u, p, UnitScope::Column(c)));
            }
        }
    }
    for (l, p) in labels.in_rows((rows.0, end)) {
        let of_table = matches!(
            l,
            Label::Funds
                | Label::FundTotal
                | Label::FundAppropriation
                | Label::FundCarryover
                | Label::FundOther
                | Label::Total
        );
        if of_table && let Some(u) = text_at(p).and_then(money_unit) {
            units.push((u, p, UnitScope::Table));
        }
    }
    let rows = [
        total,
        row_of(Label::FundAppropriation),
        row_of(Label::FundCarryover),
        row_of(Label::FundOther),
    ];
    // Several rows of one kind and none in the canonical wording: the first is taken, and
    // the form is told which (L012); the others stay further sources.
    let competing: Vec<(Pos, Vec<Pos>)> = [
        (Label::FundAppropriation, rows[1]),
        (Label::FundCarryover, rows[2]),
        (Label::FundOther, rows[3]),
    ]
    .into_iter()
    .filter_map(|(kind, chosen)| {
        let all: Vec<Pos> = labels
            .in_rows((band_end + 1, end))
            .filter(|(l, _)| *l == kind)
            .map(|(_, p)| p)
            .collect();
        let chosen = all.iter().copied().find(|p| Some(p.row) == chosen)?;
        let canonical = crate::wording::is_canonical_fund_row(&grid.get(chosen).display_cow());
        let others: Vec<Pos> = all.into_iter().filter(|p| *p != chosen).collect();
        (!canonical && !others.is_empty()).then_some((chosen, others))
    })
    .collect();
    let more = labels
        .in_rows((band_end + 1, end))
        .filter(|(l, p)| {
            matches!(
                l,
                Label::FundAppropriation | Label::FundCarryover | Label::FundOther
            ) && !rows.contains(&Some(p.row))
        })
        .map(|(_, p)| p)
        .collect();
    let rate_in_percent = cols.get(Role::Rate).is_some_and(|c| {
        let h = grid
            .get(grid.region_at(Pos::new(header_row, c)).first)
            .display();
        crate::wording::key(&h) != crate::normalize::label_key(&h)
            && crate::normalize::label_key(&h).ends_with("(%)")
    });
    Some(FundsLayout {
        header_row,
        cols,
        rows,
        more,
        weight_label,
        rate_in_percent,
        units,
        competing,
    })
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
fn find_blocks(grid: &Grid, cols: &Columns, rows: (u32, u32)) -> Vec<Block> {
    let (c1, c2) = (cols.get(Role::Level1), cols.get(Role::Level2));
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
    let l1_starts = starts_in(c1);
    let l2_starts = starts_in(c2);
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
        .map(|i| region_of(&l1_starts, c1, i))
        .collect();
    let mut starts: Vec<u32> = l1_starts.iter().chain(&l2_starts).copied().collect();
    starts.sort_unstable();
    starts.dedup();
    if starts.first().is_none_or(|s| *s > rows.0) {
        // Rows before any 一级/二级 label (a table with neither column) form one block.
        starts.insert(0, rows.0);
    }
    let mut blocks = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let next = starts.get(i + 1).map_or(rows.1, |n| n - 1);
        let l1_of = l1.iter().find(|(_, (a, b))| (*a..=*b).contains(&s));
        let level1 = l1_of.map(|(p, _)| *p);
        let l1_end = l1_of.map_or(rows.1, |(_, (_, b))| *b);
        let level2 = c2
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
            cols: None,
        });
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wording::year_in_title;

    #[test]
    fn labels_match_with_line_breaks_and_brackets() {
        assert_eq!(classify("项目资金\n（万元）"), Some(Label::Funds));
        assert_eq!(classify("实际完\n成值"), Some(Label::Col(Role::Actual)));
        assert_eq!(
            classify("偏差原因\n分析及改进\n措施"),
            Some(Label::Col(Role::Reason))
        );
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
        assert_eq!(funds.cols.get(Role::Score), Some(8));
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
