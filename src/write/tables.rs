//! The list tables of the consolidated output (汇总, 指标明细, 资金, 问题清单, 变更记录) as
//! rows of cells, independent of the file format: the workbook writer and the CSV writer
//! both consume them, so the two can never disagree about a column.

use crate::grid::Pos;
use crate::model::{Batch, Change, Field, Finding, Form, Severity};
use rust_decimal::Decimal;

/// How a column's cells look in a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A short code (等级, 级别, 代码), centred so it does not read as part of the number
    /// beside it (`99优`).
    Code,
    /// Long text, wrapped; the row is made tall enough for it.
    Wrap,
    /// 万元, two decimals.
    Money,
    /// Weights, scores, counts: as they are.
    Number,
    Percent,
    /// Links to a form's sheets.
    Link,
}

/// A column: header, width in characters (CJK counts double), kind. A wrapped column is an
/// odd number of characters wide, `2k + 1`: then the row heights (estimated at two
/// characters a CJK character, [`crate::write::sheetdata::lines_needed`]), Excel and
/// LibreOffice all put `k` CJK characters on a line; at `2k` LibreOffice fits a `k`-th
/// more than the estimate, and a name that just fits printed with a blank line under it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: f64,
    pub kind: Kind,
}

const fn col(title: &'static str, width: f64, kind: Kind) -> Column {
    Column { title, width, kind }
}

/// One cell of a list table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Owned(String),
    /// A value as read, whose invisible characters the workbook shows (`↵`, `→`, `·`,
    /// `␣`, see [`visible`]); CSV writes it as it is.
    Shown(std::borrow::Cow<'a, str>),
    /// A row that could not be had (a form's records not read back from the run's
    /// temporary file): the writer fails with this, rather than leave the row out.
    Failed(String),
    Num(Decimal),
    /// A place in a form: the workbook links it to the form's 清洗 sheet; CSV writes the
    /// cell address.
    Target {
        project: &'a str,
        cell: Pos,
    },
    /// A form's original and cleaned sheets (汇总's link columns); nothing in CSV.
    FormSheet {
        project: &'a str,
        cleaned: bool,
    },
    /// `text`, linked to the row of the form at index `form` in 汇总; CSV writes the text.
    SummaryRow {
        form: usize,
        text: String,
    },
}

impl Cell<'_> {
    /// The cell as plain text (CSV).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty | Cell::FormSheet { .. } | Cell::Failed(_) => String::new(),
            Cell::Text(s) => s.to_string(),
            Cell::Shown(s) => s.to_string(),
            Cell::Owned(s) | Cell::SummaryRow { text: s, .. } => s.clone(),
            Cell::Num(d) => d.normalize().to_string(),
            Cell::Target { cell, .. } => cell.to_string(),
        }
    }
}

/// A text with its invisible characters made visible, for an auditor comparing values that
/// differ only in them: `↵` line feed (a CR LF or lone CR too), `→` tab, `␣` ideographic
/// space U+3000, `·` each leading or trailing space.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let edge = s.starts_with(' ') || s.ends_with(' ');
    if !edge && !s.contains(['\n', '\r', '\t', '\u{3000}']) {
        return s.into();
    }
    let lead = s.len() - s.trim_start_matches(' ').len();
    let trail = if lead == s.len() {
        0
    } else {
        s.len() - s.trim_end_matches(' ').len()
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.extend(std::iter::repeat_n('·', lead));
    let mut chars = s[lead..s.len() - trail].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('↵');
            }
            '\n' => out.push('↵'),
            '\t' => out.push('→'),
            '\u{3000}' => out.push('␣'),
            c => out.push(c),
        }
    }
    out.extend(std::iter::repeat_n('·', trail));
    out.into()
}

fn text<T: std::ops::Deref<Target = str>>(f: &Field<T>) -> Cell<'_> {
    f.value.as_deref().map_or(Cell::Empty, Cell::Text)
}

fn num(v: Option<Decimal>) -> Cell<'static> {
    v.map_or(Cell::Empty, Cell::Num)
}

fn opt(v: Option<&str>) -> Cell<'_> {
    v.map_or(Cell::Empty, Cell::Text)
}

fn place(p: Option<Pos>) -> Cell<'static> {
    p.map_or(Cell::Empty, |p| Cell::Owned(p.to_string()))
}

/// Each input's name as the lists show it ([`crate::model::Input::shown`]), by its path.
pub struct Names<'a>(crate::hashed::Map<&'a str, &'a str>);

impl<'a> Names<'a> {
    pub fn of(b: &'a Batch) -> Self {
        Names(
            b.inputs
                .iter()
                .filter(|i| !i.shown.is_empty())
                .map(|i| (i.path.as_str(), i.shown.as_str()))
                .collect(),
        )
    }

    /// The file as the lists show it: below the folder it was found in, or its name; as
    /// given when the batch does not know it.
    pub fn shown<'b>(&self, file: &'b str) -> &'b str
    where
        'a: 'b,
    {
        self.0.get(file).copied().unwrap_or(file)
    }
}

/// Rows of one table.
pub type Rows<'a> = Box<dyn Iterator<Item = Vec<Cell<'a>>> + Send + 'a>;

/// A list table: its sheet name, columns and rows.
pub struct Table<'a> {
    pub name: &'static str,
    pub columns: &'static [Column],
    /// Data rows, not counting the totals.
    pub len: usize,
    /// The leading columns that print; the rest (source file and cell, links) are for
    /// the screen only.
    pub print: usize,
    pub rows: Rows<'a>,
    /// A 合计 row under the data: in the workbook below the filtered range, as formulas
    /// over the visible rows (with their values cached); in CSV as the last row.
    pub totals: Option<Vec<Total>>,
}

/// One cell of a 合计 row.
#[derive(Debug, Clone, PartialEq)]
pub enum Total {
    Empty,
    Label(std::borrow::Cow<'static, str>),
    /// The sum of the column's visible rows: `SUBTOTAL(109, …)`.
    Sum(Decimal),
    /// The sum of column `num` over that of column `den`, visible rows only (an overall
    /// rate, not the mean of the rates); empty when the denominator is 0.
    Ratio {
        num: u16,
        den: u16,
        value: Option<Decimal>,
    },
    /// A figure over all rows (not a formula).
    Value(Option<Decimal>),
}

impl Total {
    /// The value as CSV writes it.
    pub fn text(&self) -> String {
        match self {
            Total::Empty | Total::Ratio { value: None, .. } | Total::Value(None) => String::new(),
            Total::Label(s) => s.to_string(),
            Total::Sum(d) | Total::Ratio { value: Some(d), .. } | Total::Value(Some(d)) => {
                d.normalize().to_string()
            }
        }
    }
}

use Kind::{Code, Link, Money, Number, Percent, Text, Wrap};

pub const SUMMARY: &[Column] = &[
    col("编号", 8.0, Text),
    col("项目名称", 35.0, Wrap),
    col("主管部门", 17.0, Wrap),
    col("实施单位", 17.0, Wrap),
    col("年度", 7.0, Number),
    col("年初预算数（万元）", 11.0, Money),
    col("全年预算数（万元）", 11.0, Money),
    col("全年执行数（万元）", 11.0, Money),
    col("执行率", 9.0, Percent),
    col("执行率得分", 9.0, Number),
    col("申报总分", 9.0, Number),
    col("核算总分", 9.0, Number),
    col("等级", 6.0, Code),
    col("错误", 6.0, Number),
    col("警告", 6.0, Number),
    col("来源文件", 30.0, Text),
    col("来源工作表", 12.0, Text),
    col("位置", 8.0, Text),
    col("原表", 10.0, Link),
    col("清洗", 10.0, Link),
];

/// Column indices of 汇总 the chart and totals refer to.
pub const SUMMARY_DECLARED: u16 = 10;
pub const SUMMARY_COMPUTED: u16 = 11;

pub fn summary(b: &Batch) -> Table<'_> {
    let names = Names::of(b);
    let rows = b.forms.iter().map(move |p| {
        let t = &p.funds.total;
        vec![
            Cell::Text(&p.id),
            text(&p.name),
            text(&p.department),
            text(&p.implementer),
            num(p.year.value.map(Decimal::from)),
            num(t.initial.value),
            num(t.full_year.value),
            num(t.executed.value),
            num(p.execution_rate),
            num(p.execution_score),
            num(p.declared_total.value),
            num(p.computed_total),
            p.grade.map_or(Cell::Empty, Cell::Text),
            Cell::Num(p.count(Severity::Error).into()),
            Cell::Num(p.count(Severity::Warning).into()),
            Cell::Text(names.shown(&p.file)),
            Cell::Text(&p.sheet),
            Cell::Owned(p.anchor.to_string()),
            Cell::FormSheet {
                project: &p.id,
                cleaned: false,
            },
            Cell::FormSheet {
                project: &p.id,
                cleaned: true,
            },
        ]
    });
    Table {
        name: "汇总",
        columns: SUMMARY,
        len: b.forms.len(),
        print: 15,
        rows: Box::new(rows),
        totals: Some(summary_totals(b)),
    }
}

/// 合计, noting the forms that repeat another (C005): their amounts are in the sums once
/// per copy, and a reader of the total must know.
fn total_label(b: &Batch) -> Total {
    match b.extra_copies() {
        0 => Total::Label("合计".into()),
        n => Total::Label(format!("合计（其中 {n} 张自评表重复计入，见问题清单 C005）").into()),
    }
}

/// The 合计 row under 汇总: budgets, errors and warnings summed (exactly, in Decimal, for
/// the cached values), and the overall 执行率 (全年执行数 over 全年预算数 of the sums).
fn summary_totals(b: &Batch) -> Vec<Total> {
    let a = Aggregate::of(&b.forms);
    let mut row = vec![Total::Empty; SUMMARY.len()];
    row[1] = total_label(b);
    row[5] = sum(a.initial);
    row[6] = sum(a.full_year);
    row[7] = sum(a.executed);
    row[8] = Total::Ratio {
        num: 7,
        den: 6,
        value: a.exact_rate,
    };
    row[13] = Total::Sum(a.errors.into());
    row[14] = Total::Sum(a.warnings.into());
    row
}

pub const INDICATORS: &[Column] = &[
    col("编号", 8.0, Text),
    col("项目名称", 31.0, Wrap),
    col("一级指标", 11.0, Text),
    col("二级指标", 14.0, Text),
    col("三级指标", 31.0, Wrap),
    col("年度指标值", 17.0, Wrap),
    col("实际完成值", 17.0, Wrap),
    col("分值", 6.0, Number),
    col("得分", 6.0, Number),
    col("复核分", 6.0, Number),
    col("建议得分", 6.0, Number),
    col("差额", 6.0, Number),
    col("偏差原因", 17.0, Wrap),
    col("计分组", 7.0, Number),
    col("来源文件", 30.0, Text),
    col("来源工作表", 12.0, Text),
    col("单元格", 8.0, Text),
];

pub fn indicators(b: &Batch) -> Table<'_> {
    let names = std::sync::Arc::new(Names::of(b));
    // A packed form's indicators are unpacked as its rows come, their texts moved into
    // the rows (one form's at a time); a held form's are borrowed.
    let rows = b.forms.iter().flat_map(move |p| {
        let rows: Vec<Vec<Cell<'_>>> = match p.indicators.load() {
            Ok(std::borrow::Cow::Borrowed(v)) => v
                .iter()
                .map(|i| indicator_row(p, &names, i, text))
                .collect(),
            Ok(std::borrow::Cow::Owned(v)) => v
                .iter()
                .map(|i| indicator_row(p, &names, i, owned))
                .collect(),
            Err(e) => vec![vec![Cell::Failed(format!(
                "{} 的指标无法读回（内部错误：{e}）",
                p.id
            ))]],
        };
        rows
    });
    Table {
        name: "指标明细",
        columns: INDICATORS,
        len: b.forms.iter().map(|p| p.indicators.len()).sum(),
        print: 14,
        rows: Box::new(rows),
        totals: None,
    }
}

/// One indicator of form `p` as a 指标明细 row, its texts made cells by `text`
/// (borrowed, or copied out of an indicator that is dropped after).
fn indicator_row<'a, 'i>(
    p: &'a Form,
    names: &Names<'a>,
    i: &'i crate::model::Indicator,
    text: impl Fn(&'i Field<crate::model::Text>) -> Cell<'a>,
) -> Vec<Cell<'a>> {
    vec![
        Cell::Text(&p.id),
        self::text(&p.name),
        text(&i.level1),
        text(&i.level2),
        text(&i.name),
        text(&i.target),
        text(&i.actual),
        num(i.weight.value),
        num(i.score.value),
        num(i.review().value),
        num(i.suggested),
        // 得分 − 建议得分: what the self score exceeds the profile's suggestion by.
        num(i
            .score
            .value
            .zip(i.suggested)
            .and_then(|(s, g)| s.checked_sub(g))
            .map(|d| d.normalize())),
        text(&i.reason),
        num(i.group.map(Decimal::from)),
        Cell::Text(names.shown(&p.file)),
        Cell::Text(&p.sheet),
        place(i.name.cell.or(i.target.cell)),
    ]
}

/// A text as a cell of its own, for a row that outlives the field.
fn owned<'a>(f: &Field<crate::model::Text>) -> Cell<'a> {
    f.value
        .as_deref()
        .map_or(Cell::Empty, |s| Cell::Owned(s.to_string()))
}

pub const FUNDS: &[Column] = &[
    col("编号", 8.0, Text),
    col("项目名称", 31.0, Wrap),
    col("资金来源", 14.0, Text),
    col("年初预算数（万元）", 11.0, Money),
    col("全年预算数（万元）", 11.0, Money),
    col("全年执行数（万元）", 11.0, Money),
    col("分值", 6.0, Number),
    col("执行率", 9.0, Percent),
    col("得分", 6.0, Number),
];

pub fn funds(b: &Batch) -> Table<'_> {
    let rows = b.forms.iter().flat_map(|p| {
        p.funds
            .rows()
            .into_iter()
            .enumerate()
            .map(move |(k, (label, row))| {
                // The total's rate as 汇总 shows it: declared, else computed (F003).
                let rate = match k {
                    0 => row.rate.value.or(p.execution_rate),
                    _ => row.rate.value,
                };
                vec![
                    Cell::Text(&p.id),
                    text(&p.name),
                    Cell::Text(label),
                    num(row.initial.value),
                    num(row.full_year.value),
                    num(row.executed.value),
                    num(row.weight.value),
                    num(rate),
                    num(row.score.value),
                ]
            })
    });
    Table {
        name: "资金",
        columns: FUNDS,
        len: b.forms.iter().map(|p| p.funds.rows().len()).sum(),
        print: FUNDS.len(),
        rows: Box::new(rows),
        totals: None,
    }
}

pub const FINDINGS: &[Column] = &[
    col("级别", 7.0, Code),
    col("代码", 7.0, Code),
    col("说明", 61.0, Wrap),
    col("项目", 8.0, Text),
    col("项目名称", 25.0, Wrap),
    col("文件", 31.0, Wrap),
    col("工作表", 12.0, Text),
    col("单元格", 8.0, Text),
    col("链接", 12.0, Link),
];

pub fn findings(b: &Batch) -> Table<'_> {
    findings_where(b, |_| true)
}

/// The findings `keep` keeps, for triage: 错误, then 警告, then 提示, each by project (file
/// findings first), in reading order within a project.
pub fn findings_where<'a>(b: &'a Batch, keep: impl Fn(&Finding) -> bool) -> Table<'a> {
    let names = project_names(b);
    let list: Vec<&Finding> = b.findings().filter(|x| keep(x)).collect();
    let files = Names::of(b);
    findings_table(
        list,
        move |p| names.get(p).copied(),
        move |f| files.shown(f),
    )
}

/// Each project's name by its id (the last form's, should two forms share an id).
pub fn project_names(b: &Batch) -> crate::hashed::Map<&str, &str> {
    b.forms
        .iter()
        .filter_map(|p| Some((p.id.as_str(), p.name.value.as_deref()?)))
        .collect()
}

/// 问题清单 of the findings `list` (in the batch's order), with the projects' names
/// ([`project_names`]) and the files' as the lists show them ([`Names::of`]) gathered once
/// for many such lists (one per department's feedback workbook).
pub fn findings_listed<'a>(
    list: Vec<&'a Finding>,
    names: &'a crate::hashed::Map<&'a str, &'a str>,
    files: &'a Names<'a>,
) -> Table<'a> {
    findings_table(list, |p| names.get(p).copied(), |f| files.shown(f))
}

fn findings_table<'a>(
    mut list: Vec<&'a Finding>,
    name_of: impl Fn(&str) -> Option<&'a str> + Send + 'a,
    shown: impl Fn(&'a str) -> &'a str + Send + 'a,
) -> Table<'a> {
    // Errors first, then by project; in the batch's order otherwise (a stable sort, in
    // parallel: a province's 775,000 findings took 0.2 s on one core).
    use rayon::slice::ParallelSliceMut;
    list.par_sort_by(|x, y| {
        (std::cmp::Reverse(x.severity), &x.project)
            .cmp(&(std::cmp::Reverse(y.severity), &y.project))
    });
    let len = list.len();
    let rows = list.into_iter().map(move |x| {
        let project = x.project.as_deref();
        vec![
            Cell::Text(x.severity.zh()),
            Cell::Text(x.code.as_str()),
            Cell::Text(&x.message),
            opt(project),
            opt(project.and_then(&name_of)),
            Cell::Text(shown(&x.file)),
            opt(x.sheet.as_deref()),
            place(x.cell),
            match (project, x.cell) {
                (Some(project), Some(cell)) => Cell::Target { project, cell },
                _ => Cell::Empty,
            },
        ]
    });
    Table {
        name: "问题清单",
        columns: FINDINGS,
        len,
        print: FINDINGS.len() - 1,
        rows: Box::new(rows),
        totals: None,
    }
}

pub const CHANGES: &[Column] = &[
    col("文件", 31.0, Wrap),
    col("工作表", 12.0, Text),
    col("单元格", 8.0, Text),
    col("原值", 31.0, Wrap),
    col("新值", 31.0, Wrap),
    col("代码", 7.0, Code),
    col("原因", 31.0, Wrap),
    col("项目", 8.0, Text),
    col("链接", 12.0, Link),
];

pub fn changes(b: &Batch) -> Table<'_> {
    let names = Names::of(b);
    // Each form's records read back as its rows come (spilled: one form's at a time).
    let rows = b.forms.iter().flat_map(move |form| {
        let rows: Vec<Vec<Cell<'_>>> = match form.changes() {
            Ok(v) => v
                .into_owned()
                .into_iter()
                .map(|c| change_row(&names, form, c))
                .collect(),
            Err(e) => vec![vec![Cell::Failed(format!(
                "{} 的{}",
                form.id,
                super::forms::changes_unreadable(&e)
            ))]],
        };
        rows
    });
    Table {
        name: "变更记录",
        columns: CHANGES,
        len: b.change_count(),
        print: CHANGES.len() - 1,
        rows: Box::new(rows),
        totals: None,
    }
}

/// One record of `form` as a 变更记录 row; its file, sheet and project are the form's
/// (borrowed from it), its texts moved in.
fn change_row<'a>(names: &Names<'a>, form: &'a Form, c: Change) -> Vec<Cell<'a>> {
    let file = if *c.file == *form.file {
        Cell::Text(names.shown(&form.file))
    } else {
        Cell::Owned(names.shown(&c.file).to_string())
    };
    let sheet = if *c.sheet == *form.sheet {
        Cell::Text(&form.sheet)
    } else {
        Cell::Owned(c.sheet.to_string())
    };
    // A record names its form's project once the batch is numbered.
    let project = c.project.as_ref().map(|_| form.id.as_str());
    vec![
        file,
        sheet,
        Cell::Owned(c.cell.to_string()),
        Cell::Shown(c.from.into()),
        Cell::Shown(c.to.into()),
        Cell::Text(c.code.as_str()),
        match c.reason {
            std::borrow::Cow::Borrowed(r) => Cell::Text(r),
            std::borrow::Cow::Owned(r) => Cell::Owned(r),
        },
        project.map_or(Cell::Empty, Cell::Text),
        match project {
            Some(project) => Cell::Target {
                project,
                cell: c.cell,
            },
            None => Cell::Empty,
        },
    ]
}

pub const DEPARTMENTS: &[Column] = &[
    col("主管部门", 25.0, Wrap),
    col("项目数", 7.0, Number),
    col("年初预算数（万元）", 11.0, Money),
    col("全年预算数（万元）", 11.0, Money),
    col("全年执行数（万元）", 11.0, Money),
    col("执行率", 9.0, Percent),
    col("平均核算总分", 9.0, Number),
    col("优", 5.0, Number),
    col("良", 5.0, Number),
    col("中", 5.0, Number),
    col("差", 5.0, Number),
    col("无等级", 7.0, Number),
    col("错误", 6.0, Number),
    col("警告", 6.0, Number),
    col("汇总中的项目", 28.0, Link),
];

/// What 部门汇总 shows for forms without a 主管部门.
pub const NO_DEPARTMENT: &str = "（未填主管部门）";

/// Column indices of 部门汇总 (the chart refers to them).
pub const DEPT_GRADES: u16 = 7;

/// Forms grouped by 主管部门 (trimmed), in the order the departments first appear; forms
/// without one last, under `None`.
pub fn by_department(b: &Batch) -> Vec<(Option<&str>, Vec<&Form>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Form>)> = Vec::new();
    let mut index: std::collections::HashMap<Option<&str>, usize> = Default::default();
    for p in &b.forms {
        let d = p
            .department
            .value
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let i = *index.entry(d).or_insert_with(|| {
            groups.push((d, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(p);
    }
    // Forms without a department last.
    groups.sort_by_key(|(d, _)| d.is_none());
    groups
}

/// A sum over the values that are known: `None` when none is (blank, as in 汇总, never a
/// 0.00 no form declared) or when it overflows a `Decimal`.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    sum: Option<Decimal>,
    overflow: bool,
}

impl Sum {
    fn add(&mut self, v: Option<Decimal>) {
        let Some(v) = v else { return };
        match self.sum.unwrap_or_default().checked_add(v) {
            Some(s) => self.sum = Some(s),
            None => self.overflow = true,
        }
    }

    fn value(self) -> Option<Decimal> {
        self.sum.filter(|_| !self.overflow)
    }
}

/// Aggregates of a set of forms, as 部门汇总 shows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregate {
    pub projects: usize,
    /// The sums of the values the forms give; `None` when none gives one (blank, as 汇总
    /// shows each of them) or when the sum overflows a `Decimal` (amounts near its limits,
    /// typed in two forms).
    pub initial: Option<Decimal>,
    pub full_year: Option<Decimal>,
    pub executed: Option<Decimal>,
    /// 全年执行数 / 全年预算数 of the sums, to 4 decimals; empty when the budget is 0.
    pub rate: Option<Decimal>,
    /// The same, unrounded (what a formula computes).
    pub exact_rate: Option<Decimal>,
    /// The mean 核算总分 of the forms that have one, to 2 decimals.
    pub mean_total: Option<Decimal>,
    /// 优, 良, 中, 差, and forms without a grade.
    pub grades: [usize; 5],
    pub errors: usize,
    pub warnings: usize,
}

pub const GRADES: [&str; 4] = ["优", "良", "中", "差"];

impl Aggregate {
    pub fn of<'a>(forms: impl IntoIterator<Item = &'a Form>) -> Aggregate {
        let mut a = Aggregate::default();
        let [mut initial, mut full_year, mut executed, mut total] = [Sum::default(); 4];
        let mut graded = 0u32;
        for p in forms {
            let t = &p.funds.total;
            a.projects += 1;
            initial.add(t.initial.value);
            full_year.add(t.full_year.value);
            executed.add(t.executed.value);
            if let Some(c) = p.computed_total {
                total.add(Some(c));
                graded += 1;
            }
            let g = p
                .grade
                .and_then(|g| GRADES.iter().position(|x| *x == g))
                .unwrap_or(4);
            a.grades[g] += 1;
            a.errors += p.count(Severity::Error);
            a.warnings += p.count(Severity::Warning);
        }
        a.initial = initial.value();
        a.full_year = full_year.value();
        a.executed = executed.value();
        let total = total.value();
        a.exact_rate = a
            .executed
            .zip(a.full_year)
            .and_then(|(e, f)| e.checked_div(f));
        a.rate = a.exact_rate.map(|r| r.round_dp(4));
        a.mean_total = total
            .filter(|_| graded > 0)
            .map(|t| (t / Decimal::from(graded)).round_dp(2));
        a
    }

    fn row<'a>(&self, label: Cell<'a>) -> Vec<Cell<'a>> {
        let count = |n: usize| Cell::Num(n.into());
        let mut row = vec![
            label,
            count(self.projects),
            num(self.initial.map(|d| d.normalize())),
            num(self.full_year.map(|d| d.normalize())),
            num(self.executed.map(|d| d.normalize())),
            num(self.rate.map(|r| r.normalize())),
            num(self.mean_total.map(|r| r.normalize())),
        ];
        row.extend(self.grades.iter().map(|n| count(*n)));
        row.push(count(self.errors));
        row.push(count(self.warnings));
        row
    }
}

/// The P-numbers of the forms at `at` (ascending) as runs, `P0001–P0004、P0009`; after
/// four runs the rest are counted (`… 等 40 项`) so a scattered department stays one line.
fn id_runs(b: &Batch, at: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &i in at {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i => *end = i,
            _ => runs.push((i, i)),
        }
    }
    let id = |i: usize| b.forms[i].id.as_str();
    let mut out = runs
        .iter()
        .take(4)
        .map(|&(a, z)| match z - a {
            0 => id(a).to_string(),
            1 => format!("{}、{}", id(a), id(z)),
            _ => format!("{}–{}", id(a), id(z)),
        })
        .collect::<Vec<_>>()
        .join("、");
    if runs.len() > 4 {
        out.push_str(&format!(" 等 {} 项", at.len()));
    }
    out
}

/// 部门汇总: one row per 主管部门, then 合计. Each row ends with its forms' P-numbers,
/// linked to the first of them in 汇总.
pub fn departments(b: &Batch) -> Table<'_> {
    let index: std::collections::HashMap<&str, usize> = b
        .forms
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let groups = by_department(b);
    let rows: Vec<Vec<Cell>> = groups
        .iter()
        .map(|(d, forms)| {
            let mut row =
                Aggregate::of(forms.iter().copied()).row(Cell::Text(d.unwrap_or(NO_DEPARTMENT)));
            let at: Vec<usize> = forms.iter().map(|p| index[p.id.as_str()]).collect();
            row.push(Cell::SummaryRow {
                form: at[0],
                text: id_runs(b, &at),
            });
            row
        })
        .collect();
    let a = Aggregate::of(&b.forms);
    let count = |n: usize| Total::Sum(n.into());
    let mut totals = vec![
        total_label(b),
        count(a.projects),
        sum(a.initial),
        sum(a.full_year),
        sum(a.executed),
        Total::Ratio {
            num: 4,
            den: 3,
            value: a.exact_rate,
        },
        Total::Value(a.mean_total),
    ];
    totals.extend(a.grades.iter().map(|n| count(*n)));
    totals.push(count(a.errors));
    totals.push(count(a.warnings));
    totals.push(Total::Empty);
    Table {
        name: "部门汇总",
        columns: DEPARTMENTS,
        len: rows.len(),
        print: DEPARTMENTS.len() - 1,
        rows: Box::new(rows.into_iter()),
        totals: Some(totals),
    }
}

/// A 合计 cell: the sum, or empty when it overflowed.
fn sum(v: Option<Decimal>) -> Total {
    v.map_or(Total::Value(None), Total::Sum)
}

/// The list tables in output order.
pub fn all(b: &Batch) -> Vec<Table<'_>> {
    // 问题清单 gathers and sorts every finding: made beside the others, not after them.
    let (mut tables, last) = rayon::join(
        || vec![summary(b), departments(b), indicators(b), funds(b)],
        || [findings(b), changes(b)],
    );
    tables.extend(last);
    tables
}

#[cfg(test)]
mod tests {
    use super::visible;

    /// Indicators that do not read back fail 指标明细 (and so the workbook and the CSV)
    /// with why, never leave it shorter; a held form's rows are as before.
    #[test]
    fn indicators_that_do_not_read_back_fail_the_table() {
        use crate::model::{Batch, Form, Indicator, Indicators};
        let form = |id: &str, indicators: Indicators| Form {
            id: id.into(),
            indicators,
            ..Default::default()
        };
        let b = Batch {
            forms: vec![
                form("P0001", vec![Indicator::default(); 2].into()),
                form("P0002", Indicators::unreadable(3)),
            ],
            ..Default::default()
        };
        let t = super::indicators(&b);
        assert_eq!(t.len, 5);
        let rows: Vec<_> = t.rows.collect();
        assert_eq!(rows.len(), 3);
        assert!(matches!(&rows[0][0], super::Cell::Text("P0001")));
        match &rows[2][0] {
            super::Cell::Failed(why) => assert!(why.contains("P0002 的指标无法读回"), "{why}"),
            _ => panic!("not failed"),
        }
    }

    #[test]
    fn wrapped_columns_are_odd_widths() {
        for t in super::all(&crate::model::Batch::default()) {
            for c in t.columns.iter().filter(|c| c.kind == super::Kind::Wrap) {
                assert_eq!(c.width % 2.0, 1.0, "{}: {}", t.name, c.title);
            }
        }
    }

    #[test]
    fn p_numbers_as_runs() {
        let b = crate::model::Batch {
            forms: (1..=12)
                .map(|i| crate::model::Form {
                    id: format!("P{i:04}"),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        assert_eq!(super::id_runs(&b, &[0, 1, 2, 3]), "P0001–P0004");
        assert_eq!(super::id_runs(&b, &[0, 1, 5]), "P0001、P0002、P0006");
        assert_eq!(
            super::id_runs(&b, &[0, 2, 4, 6, 8, 9, 10]),
            "P0001、P0003、P0005、P0007 等 7 项"
        );
    }

    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(visible("\n10"), "↵10");
        assert_eq!(visible("a\r\nb\rc"), "a↵b↵c");
        assert_eq!(visible("10\t"), "10→");
        assert_eq!(visible("  x y "), "··x y·");
        assert_eq!(visible("\u{3000}完成"), "␣完成");
        assert_eq!(visible("   "), "···");
        assert_eq!(visible("plain"), "plain");
    }
}
