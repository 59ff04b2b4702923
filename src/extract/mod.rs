//! From a located form to typed, normalized fields, with every change logged.
//!
//! The extractor walks the [`FormLayout`] and reads each field from its cell through the
//! [`crate::normalize`] functions; where an indicator block's cells go is decided first by
//! [`plan`], then applied here. It owns the accounting that proves nothing is lost: every
//! non-empty cell of the form is either placed in a field (labels included) or reported as
//! unplaced. And it never computes a figure from a column the form does not have: what is
//! missing is recorded in [`Form::lacks`] and said in an L005 finding.

mod plan;

use crate::grid::{Grid, Pos, Value};
use crate::locate::{Columns, FormLayout};
use crate::model::{
    CellCount, Change, Field, Finding, Form, FundRow, Funds, Goal, Indicator, Lack, Text, Unplaced,
};
use crate::normalize::{self, Num, SCORE_UNITS};
use crate::rules;
use crate::score;
use crate::wording::{self, MoneyUnit, Role};
use plan::{BlockPlan, Placement};
use rust_decimal::Decimal;
use std::sync::Arc;

/// Reads one located form. `file` is the path as the outputs show it.
///
/// # Example
///
/// A sample form read into its values, each with the cell it came from:
///
/// ```
/// use jixiao::grid::Pos;
/// use jixiao::{extract, locate, read};
/// use std::path::Path;
///
/// let path = Path::new("samples/2023/1.xlsx");
/// let grids = read::read_bytes(&std::fs::read(path)?, path, &read::Limits::default())?;
/// let layout = &locate::locate(&grids[0])[0];
/// let form = extract::extract(&grids[0], layout, "samples/2023/1.xlsx");
/// assert_eq!(
///     form.name.value.as_deref(),
///     Some("村和社区戒毒康复工作站、禁毒协会工作经费")
/// );
/// assert_eq!(form.name.cell, Pos::parse("C3"));
/// assert_eq!(form.funds.total.full_year.value, Some(6.into()));
/// assert_eq!(form.funds.total.full_year.cell, Pos::parse("E6"));
/// assert_eq!(form.indicators.len(), 9);
/// assert_eq!(form.indicators[0].actual.value.as_deref(), Some("5场"));
/// assert_eq!(form.computed_total, Some(99.into()));
/// // The 执行率 left empty is computed from the funds, and said so (F003).
/// assert_eq!(form.findings.len(), 1);
/// assert_eq!(form.findings[0].code, "F003");
/// assert_eq!(form.findings[0].cell, Pos::parse("H6"));
/// // Every cell of the form is placed in a field or listed as unplaced.
/// assert_eq!(form.cells.read, form.cells.placed + form.cells.unplaced.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn extract(grid: &Grid, layout: &FormLayout, file: &str) -> Form {
    extract_with(grid, layout, file, &crate::profile::default_profile())
}

/// As [`extract`], scoring by `profile` (its grade bands, 建议得分 and the S015/S016 it
/// leads to).
pub fn extract_with(
    grid: &Grid,
    layout: &FormLayout,
    file: &str,
    profile: &crate::profile::Profile,
) -> Form {
    let mut x = Extractor {
        grid,
        file: file.into(),
        sheet: grid.sheet.as_str().into(),
        placed: Placed::new(layout.outer, grid.cols(), &layout.labels),
        changes: Vec::new(),
        findings: Vec::new(),
        next_group: 0,
        explained: Placed::new(layout.outer, grid.cols(), &[]),
        money: MoneyRead::default(),
    };
    let mut form = Form {
        file: Arc::clone(&x.file),
        sheet: Arc::clone(&x.sheet),
        anchor: layout.title.unwrap_or(layout.anchor),
        rows: layout.outer,
        ..Default::default()
    };
    form.year = match layout.year {
        Some((p, y)) => Field::new(Some(y), Some(p)),
        None => layout
            .title
            .and_then(|p| {
                let y = wording::year_in_title(&grid.get(p).display())?;
                Some(Field::new(Some(y), Some(p)))
            })
            .unwrap_or_default(),
    };
    form.name = x.text(layout.name);
    if layout.name_label.is_none() {
        form.name = x.name_elsewhere(layout);
    }
    form.department = x.text(layout.department);
    form.central_department = x.text(layout.central_department);
    form.implementer = x.text(layout.implementer);
    if let Some(f) = &layout.funds {
        let row = |x: &mut Extractor, r: Option<u32>| match r {
            None => FundRow::default(),
            Some(r) => {
                let at = |role: Role| {
                    f.cols
                        .get(role)
                        .map(|c| grid.region_at(Pos::new(r, c)).first)
                };
                let money = |x: &mut Extractor, role: Role| {
                    let unit = f.cols.get(role).and_then(|c| f.unit_of(c));
                    x.money(at(role), unit, role.zh())
                };
                FundRow {
                    initial: money(x, Role::Initial),
                    full_year: money(x, Role::FullYear),
                    executed: money(x, Role::Executed),
                    weight: x.number(at(Role::Weight), SCORE_UNITS, "分值"),
                    rate: x.rate(at(Role::Rate), f.rate_in_percent),
                    score: x.number(at(Role::Score), SCORE_UNITS, "得分"),
                    reason: x.text(at(Role::Reason)),
                }
            }
        };
        form.funds = Box::new(Funds {
            total: row(&mut x, f.rows[0]),
            appropriation: row(&mut x, f.rows[1]),
            carryover: row(&mut x, f.rows[2]),
            other: row(&mut x, f.rows[3]),
            more: Vec::new(),
        });
        for p in &f.more {
            let label = wording::key(&grid.get(*p).display_cow());
            let r = row(&mut x, Some(p.row));
            form.funds.more.push((label, r));
        }
        x.unit_findings(f);
        for (chosen, others) in &f.competing {
            let rest: Vec<(Pos, String)> = others.iter().map(|p| (*p, quoted(grid, *p))).collect();
            let f = rules::l012::competing_sources(
                x.at(Some(*chosen)),
                (*chosen, &quoted(grid, *chosen)),
                &rest,
            );
            x.findings.push(f);
        }
        if let Some(p) = f.weight_label
            && f.rows[0].is_some()
        {
            // The points printed in a label (`得分（20分*执行率）`) are the execution's 分值.
            let v = wording::points(&grid.get(p).display_cow());
            form.funds.total.weight = Field::new(v, Some(p));
        }
    }
    form.goal = Goal {
        expected: x.text(layout.expected),
        actual: x.text(layout.actual),
    };
    let mut placeholders = Vec::new();
    match &layout.indicators {
        Some(ind) => {
            // Rows of the table in no 二级 block (under a merged 一级 that ended above):
            // a notes row or a repeated header there is still not an indicator.
            let loose: Vec<(u32, plan::NotIndicator)> = (ind.rows.0..=ind.rows.1)
                .filter(|r| !ind.blocks.iter().any(|b| (b.rows.0..=b.rows.1).contains(r)))
                .filter_map(|r| {
                    let alone = crate::locate::Block {
                        level1: None,
                        level2: None,
                        rows: (r, r),
                        cols: None,
                    };
                    plan::not_indicator(grid, &alone, &ind.cols, r).map(|k| (r, k))
                })
                .collect();
            x.not_indicators(&loose);
            for block in &ind.blocks {
                let p = plan::plan(grid, block, block.cols.as_ref().unwrap_or(&ind.cols));
                placeholders.extend_from_slice(&p.placeholders);
                placeholders.extend_from_slice(&p.blank_values);
                x.not_indicators(&p.excluded);
                let cols = block.cols.as_ref().unwrap_or(&ind.cols);
                x.apply(block, &p, cols, &mut form.indicators);
                // The rubric's text beside each item: kept as unplaced, no finding.
                if let Some(c) = cols.get(Role::Criteria) {
                    let cells = (block.rows.0..=block.rows.1)
                        .map(|r| grid.region_at(Pos::new(r, c)).first)
                        .filter(|p| !grid.get(*p).is_empty() && !x.placed.contains(*p));
                    let cells: Vec<Pos> = cells.collect();
                    x.explained.extend(cells);
                }
            }
            form.lacks = lacks(&ind.cols);
            let last = layout.total.as_ref().map_or(ind.rows.1, |t| t.label.row);
            x.displaced(&ind.displaced, (ind.rows.0, last));
        }
        None => {
            let f = rules::l001::no_indicator_header(x.at(Some(layout.anchor)));
            x.findings.push(f);
        }
    }
    if !placeholders.is_empty() {
        for p in &placeholders {
            x.placed.insert(*p);
        }
        // The rows, by their name cells (a row's `/` values are placed with it).
        let name_col = layout
            .indicators
            .as_ref()
            .and_then(|i| i.cols.get(Role::Name));
        placeholders.retain(|p| Some(p.col) == name_col);
        let f = rules::l006::placeholder_rows(x.at(placeholders.first().copied()), &placeholders);
        x.findings.push(f);
    }
    match &layout.total {
        Some(t) => {
            form.weight_total = x.number(t.weight, SCORE_UNITS, "总分分值");
            form.declared_total = x.number(t.score, SCORE_UNITS, "总分得分");
            form.review_total = x.number(t.review, SCORE_UNITS, "复核总分");
        }
        None if layout.header_total.is_some() => {}
        // A form without a 得分 column has no total to declare (L005 says so).
        None if layout
            .indicators
            .as_ref()
            .is_some_and(|i| i.cols.has(Role::Score)) =>
        {
            let f = rules::l001::no_total_row(x.at(Some(layout.anchor)));
            x.findings.push(f);
        }
        None => {}
    }
    if let Some(ind) = &layout.indicators
        && ind.weight_in_percent
    {
        x.weights_from_percent(&mut form);
    }
    if form.declared_total.value.is_none()
        && let Some(p) = layout.header_total
        && let Some(v) = x.inline_total(p)
    {
        form.declared_total = Field::new(Some(v), Some(p));
    } else if form.declared_total.value.is_none()
        && let Some(p) = layout.header_total
    {
        form.declared_total = x.number(Some(p), SCORE_UNITS, "自评得分");
    }
    x.unknown_labels(layout);
    x.explained.extend(layout.other_values.iter().copied());
    derive_execution(&mut form, &mut x);
    if layout.indicators.is_some() && execution_unscored(&form, layout) {
        form.lacks.push(Lack::ExecutionScore);
    }
    // A total needs the indicators' scores: an execution score alone is not a 核算总分.
    let any_score = form.indicators.iter().any(|i| i.score.value.is_some());
    if layout.indicators.is_some() && form.indicators.is_empty() {
        form.lacks.push(Lack::Indicators);
    } else if !form.lacks(Lack::ScoreColumn) && !any_score {
        form.lacks.push(Lack::Scores);
    }
    let at = layout.indicators.as_ref().map_or(layout.anchor, |i| {
        Pos::new(
            i.header_rows.0,
            i.cols.get(Role::Level1).unwrap_or(layout.anchor.col),
        )
    });
    for lack in form.lacks.clone() {
        let f = rules::l005::lacks(x.at(Some(at)), lack);
        x.findings.push(f);
    }
    if layout.indicators.is_none() {
        // L001 said it; the scoring needs to know there is no table to add up.
        form.lacks.push(Lack::Indicators);
    }
    x.outside(layout);
    form.cells = x.account(layout.outer);
    let mut changes = x.changes;
    // Thousands of forms stay in memory until the workbook is written: no slack.
    changes.shrink_to_fit();
    form.changes = changes.into();
    form.findings = x.findings;
    // 核算总分 and 等级 are the scoring model's, from what was read; the
    // 建议得分 by the profile, and the self scores off it (S015, S016).
    let assessed = score::assess(&mut form, profile);
    if let Some(o) = assessed.overrun {
        let at = rules::At::sheet(&form.file, &form.sheet)
            .cell(form.declared_total.cell.or(form.weight_total.cell));
        let f = rules::s014::over_total(at, o.total, o.limit, o.stated);
        form.findings.push(f);
    }
    for d in assessed.deviations {
        let ind = &form.indicators[d.index];
        let at = rules::At::sheet(&form.file, &form.sheet).cell(ind.score.cell);
        let f = if d.above {
            rules::s015::above(
                at,
                ind,
                d.score,
                d.suggested,
                d.basis,
                &profile.name,
                profile.tolerance,
            )
        } else {
            rules::s016::below(
                at,
                ind,
                d.score,
                d.suggested,
                d.floor,
                d.basis,
                &profile.name,
            )
        };
        form.findings.push(f);
    }
    // Thousands of forms stay in memory until the workbook is written: no slack.
    form.indicators.shrink_to_fit();
    form
}

/// The indicator columns a form lacks.
fn lacks(cols: &Columns) -> Vec<Lack> {
    [
        (Role::Score, Lack::ScoreColumn),
        (Role::Weight, Lack::WeightColumn),
        (Role::Target, Lack::TargetColumn),
        (Role::Actual, Lack::ActualColumn),
    ]
    .into_iter()
    .filter(|(r, _)| !cols.has(*r))
    .map(|(_, l)| l)
    .collect()
}

/// True when nothing on the form scores the budget execution: no 得分 in the funds table
/// and no indicator about it (some forms score 预算执行率 under 项目管理).
fn execution_unscored(form: &Form, layout: &FormLayout) -> bool {
    let in_funds = layout
        .funds
        .as_ref()
        .is_some_and(|f| f.cols.has(Role::Score) && f.rows[0].is_some());
    let as_indicator = form.indicators.iter().any(|i| {
        [&i.name, &i.level2].iter().any(|f| {
            f.value
                .as_deref()
                .is_some_and(|n| n.contains("预算执行") || n.contains("执行率"))
        })
    });
    !in_funds && !as_indicator
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
        let f = rules::f003::rate_computed(x.at(cell), exec, full, rate);
        x.findings.push(f);
    }
}

fn is_number(role: Role) -> bool {
    role.is_points()
}

/// A set of a form's cells (those a field took, those a finding explains): one flag per
/// cell of the form's rows (a hashed set was a measurable share of extraction, and a
/// list searched per cell is quadratic on a sheet with a large table beside the form).
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

    fn extend(&mut self, cells: impl IntoIterator<Item = Pos>) {
        for p in cells {
            self.insert(p);
        }
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
    /// Cells a specific finding (L003, L008) already explains: unplaced, but no L004 twice.
    explained: Placed,
    money: MoneyRead,
}

/// What reading the amounts found about their unit, for the form's unit findings.
#[derive(Default)]
struct MoneyRead {
    /// Cells converted to 万元, by unit and the cell stating it (`None`: the amount's own
    /// suffix, `60000元`).
    converted: Vec<(MoneyUnit, Option<Pos>, Pos)>,
    /// Amounts read with no unit stated anywhere (taken as 万元).
    assumed: usize,
    /// The first amount in 万元 too large for one project: perhaps typed in 元.
    implausible: Option<(Pos, Decimal)>,
}

impl Extractor<'_> {
    /// Where a finding of this form's sheet points: `cell`.
    fn at(&self, cell: Option<Pos>) -> rules::At<'_> {
        rules::At::sheet(&self.file, &self.sheet).cell(cell)
    }

    /// Cleans a text as read: surrounding whitespace trimmed (logged once per cell). A
    /// template's instruction left in the cell is not content: flagged (L007), read as empty.
    fn clean(&mut self, p: Pos, raw: &str) -> Option<String> {
        let first = self.placed.insert(p);
        let t = normalize::trim(raw);
        if t.is_empty() {
            return None;
        }
        if wording::is_instruction(t) {
            if first {
                let f = rules::l007::instruction(self.at(Some(p)), t);
                self.findings.push(f);
            }
            return None;
        }
        if t != raw && first {
            self.changes
                .push(rules::v001::trimmed(self.at(Some(p)), raw, t));
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
                self.changes
                    .push(rules::v001::placeholder(self.at(Some(p)), &raw));
                None
            }
            Num::Value { value, from } => {
                if let Some(from) = from {
                    self.changes
                        .push(rules::v001::text_number(self.at(Some(p)), &from, value));
                }
                Some(value)
            }
            Num::Invalid(raw) => {
                let f = rules::v002::not_a_number(self.at(Some(p)), what, normalize::trim(&raw));
                self.findings.push(f);
                None
            }
        }
    }

    /// The name of a form that prints no 项目名称 label: from its title, else its sheet's
    /// name, else the file's (L011 says which; C001 still checks it is there).
    fn name_elsewhere(&mut self, layout: &FormLayout) -> Field<String> {
        let from_title = layout.title.and_then(|p| {
            let t = self.grid.get(p).display();
            wording::name_in_title(&t).map(|n| (n, p, t))
        });
        if let Some((name, p, title)) = from_title {
            let f = rules::l011::name_from_title(self.at(Some(p)), &title, &name);
            self.findings.push(f);
            return Field::new(Some(name), Some(p));
        }
        let sheet = self.sheet.to_string();
        let (name, from_file) = if wording::is_generic_sheet_name(&sheet) {
            let stem = std::path::Path::new(&*self.file)
                .file_stem()
                .map_or(String::new(), |s| s.to_string_lossy().into_owned());
            (stem, true)
        } else {
            (sheet, false)
        };
        let name = normalize::trim(&name).to_string();
        if name.is_empty() {
            return Field::empty();
        }
        let at = self.at(Some(layout.anchor));
        let f = if from_file {
            rules::l011::name_from_file(at, &name)
        } else {
            rules::l011::name_from_sheet(at, &name)
        };
        self.findings.push(f);
        Field::new(Some(name), None)
    }

    /// The total typed with its label in one cell (`自评总分: 95`): the number after the
    /// colon, logged. `None` for a plain value cell.
    fn inline_total(&mut self, p: Pos) -> Option<Decimal> {
        let Value::Text(t) = self.grid.get(p) else {
            return None;
        };
        if wording::classify(t) != Some(wording::Label::TotalInline) {
            return None;
        }
        let v = normalize::inline_total(t)?;
        self.changes
            .push(rules::v001::inline_total(self.at(Some(p)), t, v));
        Some(v)
    }

    /// Reads an amount into 万元. An amount in another unit — the unit its column, the
    /// table or a unit line states (`stated`), or its own suffix (`60000元`) — is converted
    /// once, here, and the change logged with the original (F006).
    fn money(
        &mut self,
        p: Option<Pos>,
        stated: Option<(MoneyUnit, Pos)>,
        what: &str,
    ) -> Field<Decimal> {
        let Some(p) = p else { return Field::empty() };
        self.placed.insert(p);
        let v = self.grid.get(p);
        let (value, own) = match v {
            Value::Empty => return Field::new(None, Some(p)),
            Value::Number { value, .. } => (value.normalize(), None),
            Value::Text(s) if normalize::trim(s).is_empty() => return Field::new(None, Some(p)),
            Value::Text(s) if normalize::is_placeholder(s) => {
                self.changes
                    .push(rules::v001::placeholder(self.at(Some(p)), s));
                return Field::new(None, Some(p));
            }
            Value::Text(s) => match normalize::amount_with_unit(s) {
                Some(read) => read,
                None => {
                    let f = rules::v002::not_a_number(self.at(Some(p)), what, normalize::trim(s));
                    self.findings.push(f);
                    return Field::new(None, Some(p));
                }
            },
            other => {
                let f = rules::v002::not_a_number(self.at(Some(p)), what, &other.display());
                self.findings.push(f);
                return Field::new(None, Some(p));
            }
        };
        let raw = v.display();
        let unit = own.or(stated.map(|s| s.0)).unwrap_or(MoneyUnit::Wanyuan);
        if unit == MoneyUnit::Wanyuan {
            if own.is_none() && stated.is_none() {
                self.money.assumed += 1;
            }
            if rules::f008::implausible(value) && self.money.implausible.is_none() {
                self.money.implausible = Some((p, value));
            }
            if matches!(v, Value::Text(_)) && raw != value.to_string() {
                self.changes
                    .push(rules::v001::text_number(self.at(Some(p)), &raw, value));
            }
            return Field::new(Some(value), Some(p));
        }
        let Some(wan) = unit.to_wan(value) else {
            let f = rules::v002::out_of_range(self.at(Some(p)), what, &raw);
            self.findings.push(f);
            return Field::new(None, Some(p));
        };
        self.changes.push(rules::f006::amount_converted(
            self.at(Some(p)),
            &raw,
            wan,
            unit,
        ));
        let by = if own.is_some() {
            None
        } else {
            stated.map(|s| s.1)
        };
        self.money.converted.push((unit, by, p));
        Field::new(Some(wan), Some(p))
    }

    /// One finding per stated unit the amounts were converted from (F006), or that no
    /// unit is stated (F007), or that an amount taken as 万元 looks like 元 (F008).
    fn unit_findings(&mut self, f: &crate::locate::FundsLayout) {
        let read = std::mem::take(&mut self.money);
        let mut groups: Vec<(MoneyUnit, Option<Pos>, usize)> = Vec::new();
        for (u, at, _) in &read.converted {
            match groups.iter_mut().find(|(gu, ga, _)| gu == u && ga == at) {
                Some(g) => g.2 += 1,
                None => groups.push((*u, *at, 1)),
            }
        }
        for (u, at, n) in groups {
            let stated = at.map(|p| (p, quoted(self.grid, p)));
            let first = at.or_else(|| {
                read.converted
                    .iter()
                    .find(|c| c.0 == u && c.1.is_none())
                    .map(|c| c.2)
            });
            let stated = stated.as_ref().map(|(p, t)| (*p, t.as_str()));
            let f = rules::f006::converted(self.at(first), u, stated, n);
            self.findings.push(f);
        }
        if read.assumed > 0 && f.units.is_empty() {
            let at = f
                .cols
                .get(Role::FullYear)
                .or(f.cols.get(Role::Executed))
                .map(|c| self.grid.region_at(Pos::new(f.header_row, c)).first);
            let f = rules::f007::no_unit(self.at(at));
            self.findings.push(f);
        }
        if let Some((p, v)) = read.implausible {
            let f = rules::f008::perhaps_yuan(self.at(Some(p)), v);
            self.findings.push(f);
        }
    }

    /// Reads a 执行率; `in_percent` when the header says its numbers are percent points.
    fn rate(&mut self, p: Option<Pos>, in_percent: bool) -> Field<Decimal> {
        let Some(p) = p else { return Field::empty() };
        self.placed.insert(p);
        let v = self.grid.get(p);
        if v.is_empty() {
            return Field::new(None, Some(p));
        }
        if let Value::Text(s) = v
            && normalize::is_placeholder(s)
        {
            self.changes
                .push(rules::v001::placeholder(self.at(Some(p)), s));
            return Field::new(None, Some(p));
        }
        let mut r = normalize::parse_rate(v);
        let plain = match v {
            Value::Number { .. } => true,
            Value::Text(s) => !s.contains(['%', '％']),
            _ => false,
        };
        if in_percent
            && plain
            && let Some(x) = r
        {
            let frac = (x / Decimal::ONE_HUNDRED).normalize();
            // 0 is 0%: nothing changed, nothing to log.
            if frac != x {
                let c = rules::v001::percent_points(self.at(Some(p)), &v.display(), frac);
                self.changes.push(c);
            }
            r = Some(frac);
            return Field::new(r, Some(p));
        }
        match (r, v) {
            (None, _) => {
                let f = rules::v002::not_a_rate(self.at(Some(p)), &v.display());
                self.findings.push(f);
            }
            (Some(r), Value::Text(s)) if normalize::trim(s) != s.as_str() => self
                .changes
                .push(rules::v001::text_percent(self.at(Some(p)), s, r)),
            _ => {}
        }
        Field::new(r, Some(p))
    }

    /// Cells around the form that belong to no form (the outer rows beyond its own): one
    /// L009 per run of rows holding any, naming its cells; kept as unplaced.
    fn outside(&mut self, layout: &FormLayout) {
        let g = self.grid;
        let (own, outer) = (layout.rows, layout.outer);
        let rows = (outer.0..own.0).chain(own.1.saturating_add(1)..=outer.1);
        let mut runs: Vec<Vec<Pos>> = Vec::new();
        let mut last_row: Option<u32> = None;
        for r in rows {
            // The form's own closing lines (评价结论, 备注, 注：…, 填报人) are labels the form
            // prints: placed, and the text beside each kept as unplaced without a finding.
            for c in 0..g.cols() {
                let p = Pos::new(r, c);
                let Value::Text(t) = g.get(p) else { continue };
                let known = matches!(wording::classify(t), Some(wording::Label::Other))
                    || wording::is_note_label(t);
                if known && !g.is_covered(p) {
                    self.placed.insert(p);
                    if let Some(v) = crate::locate::right_of(g, p)
                        && v.row == r
                        && !g.get(v).is_empty()
                        && !self.placed.contains(v)
                    {
                        self.explained.insert(v);
                    }
                }
            }
            let cells: Vec<Pos> = (0..g.cols())
                .map(|c| Pos::new(r, c))
                .filter(|p| !g.is_covered(*p) && !g.get(*p).is_empty())
                .filter(|p| !self.placed.contains(*p) && !self.explained.contains(*p))
                .collect();
            if cells.is_empty() {
                last_row = None;
                continue;
            }
            match (last_row, runs.last_mut()) {
                (Some(l), Some(run)) if l + 1 == r => run.extend(cells),
                _ => runs.push(cells),
            }
            last_row = Some(r);
        }
        for run in runs {
            let (first, last) = (run[0], run[run.len() - 1]);
            let shown: Vec<(Pos, String)> =
                run.iter().take(3).map(|p| (*p, quoted(g, *p))).collect();
            let f = rules::l009::outside_form(
                self.at(Some(first)),
                first.row < own.0,
                (first.row, last.row),
                run.len(),
                &shown,
            );
            self.findings.push(f);
            self.explained.extend(run);
        }
    }

    /// Columns another column of the same role displaced (得分 beside 折算得分): their cells
    /// kept as unplaced, one L012 each naming both columns.
    fn displaced(&mut self, list: &[crate::locate::Displaced], rows: (u32, u32)) {
        let g = self.grid;
        for d in list {
            self.placed.insert(d.dropped);
            let cells: Vec<Pos> = (rows.0..=rows.1)
                .map(|r| Pos::new(r, d.dropped.col))
                .filter(|p| !g.is_covered(*p) && !g.get(*p).is_empty() && !self.placed.contains(*p))
                .collect();
            let n = cells.len();
            self.explained.extend(cells);
            let f = rules::l012::displaced_column(
                self.at(Some(d.dropped)),
                d.role.zh(),
                (d.kept, &quoted(g, d.kept)),
                (d.dropped, &quoted(g, d.dropped)),
                n,
                d.role == Role::Score,
            );
            self.findings.push(f);
        }
    }

    /// Weights printed as a share in percent (`权重占比(%)`) are points of the total the
    /// form states: 20 of a 总分值 of 30 is 6 points. Logged per cell; with no total stated
    /// (or a total of 100) the percents are the points.
    fn weights_from_percent(&mut self, form: &mut Form) {
        let Some(total) = form.weight_total.value else {
            return;
        };
        if total == Decimal::ONE_HUNDRED || total <= Decimal::ZERO {
            return;
        }
        for ind in &mut form.indicators {
            let (Some(pct), Some(cell)) = (ind.weight.value, ind.weight.cell) else {
                continue;
            };
            let Some(points) = pct
                .checked_mul(total)
                .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            else {
                continue;
            };
            let points = points.normalize();
            let c = rules::v001::weight_from_percent(self.at(Some(cell)), pct, total, points);
            self.changes.push(c);
            ind.weight.value = Some(points);
        }
    }

    /// Rows of the indicator table that are not indicators: their cells kept as unplaced,
    /// one L010 each, naming the row by its first text.
    fn not_indicators(&mut self, rows: &[(u32, plan::NotIndicator)]) {
        let g = self.grid;
        for &(r, kind) in rows {
            let cells: Vec<Pos> = (0..g.cols())
                .map(|c| Pos::new(r, c))
                .filter(|p| !g.is_covered(*p) && !g.get(*p).is_empty() && !self.placed.contains(*p))
                .collect();
            let Some(&first) = cells.first() else {
                continue;
            };
            let text = quoted(g, first);
            self.explained.extend(cells);
            let f = rules::l010::not_indicator(self.at(Some(first)), r, &text, kind.zh());
            self.findings.push(f);
        }
    }

    /// Header texts the vocabulary does not know: one finding each (L008), naming the
    /// header and how many cells below it are kept as unplaced (no L004 for each).
    fn unknown_labels(&mut self, layout: &FormLayout) {
        let g = self.grid;
        let mut seen: Vec<String> = Vec::new();
        for u in &layout.unknown {
            self.placed.insert(u.cell);
            let below: Vec<Pos> = (u.below.0..=u.below.1)
                .map(|r| Pos::new(r, u.cell.col))
                .filter(|p| !g.is_covered(*p) && !g.get(*p).is_empty() && !self.placed.contains(*p))
                .collect();
            let n = below.len();
            self.explained.extend(below);
            let key = wording::key(&u.text);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let f = rules::l008::unknown_label(self.at(Some(u.cell)), &u.text, n);
            self.findings.push(f);
        }
    }

    /// Applies one block's plan: reads each placed cell into its indicator(s) and logs what
    /// it changed (splits, joins), then fills in comparators and units.
    fn apply(
        &mut self,
        b: &crate::locate::Block,
        plan: &BlockPlan,
        cols: &Columns,
        out: &mut Vec<Indicator>,
    ) {
        let g = self.grid;
        // Notes rows and repeated headers are not the form's indicators, nor their labels.
        if plan.rows.is_empty() && !plan.excluded.is_empty() {
            return;
        }
        // An empty block's labels are still the form's (an 经济效益指标 nobody filled).
        let level1: Field<Text> = self.text(b.level1).into();
        let level2: Field<Text> = self.text(b.level2).into();
        if plan.rows.is_empty() {
            return;
        }
        let mut inds: Vec<Indicator> = Vec::with_capacity(plan.rows.len());
        for row in &plan.rows {
            let mut ind = Indicator::default();
            match row.name {
                Some(p) => {
                    ind.name = self.text(Some(p)).into();
                    if let (Some(s), Some(old)) = (&row.stripped, &ind.name.value) {
                        self.changes.push(rules::v001::numbering_stripped(
                            self.at(Some(p)),
                            old,
                            s,
                        ));
                        ind.name.value = Some(s.as_str().into());
                    }
                }
                None => {
                    let p = Pos::new(b.rows.0, cols.get(Role::Name).unwrap_or(0));
                    let f = rules::l003::no_name_row(self.at(Some(p)));
                    self.findings.push(f);
                    ind.name = Field::new(None, cols.get(Role::Name).map(|_| p));
                }
            }
            // Empty cells still tell where a value belongs (for findings about missing values).
            for role in Role::INDICATOR_VALUES {
                let cell = cols
                    .get(role)
                    .map(|c| g.region_at(Pos::new(row.rows.0, c)).first);
                set_cell(&mut ind, role, cell);
            }
            inds.push(ind);
        }
        let mut joined_row: Option<u32> = None;
        for pl in &plan.placements {
            match pl {
                Placement::Own { ind, role, cell } => {
                    self.assign(&mut inds[*ind], *role, *cell);
                }
                Placement::Joined { role, cell } => {
                    if self.assign(&mut inds[0], *role, *cell) {
                        joined_row.get_or_insert(cell.row);
                        let raw = g.get(*cell).display_cow();
                        let at = self.at(Some(*cell));
                        let c = rules::v003::joined(at, &raw, role.zh(), inds[0].name.cell);
                        self.changes.push(c);
                    }
                }
                Placement::Orphan { role, cell } => {
                    self.explained.insert(*cell);
                    let raw = g.get(*cell).display_cow();
                    let f = rules::l003::orphan_value(self.at(Some(*cell)), role.zh(), &raw);
                    self.findings.push(f);
                }
                Placement::Split {
                    inds: to,
                    role,
                    cell,
                } => {
                    self.placed.insert(*cell);
                    let raw = g.get(*cell).display();
                    let lines = normalize::lines(&raw);
                    for (n, (i, line)) in to.iter().zip(&lines).enumerate() {
                        let target = inds[*i].name.cell;
                        let c = rules::v003::split(self.at(Some(*cell)), &raw, line, n, target);
                        self.changes.push(c);
                        self.set(&mut inds[*i], *role, *cell, line);
                    }
                }
                Placement::Group {
                    inds: to,
                    role,
                    cell,
                } => {
                    let key = (to[0], to[to.len() - 1]);
                    // 分值 and 得分 merged over the same indicators are one group.
                    let id = inds[key.0]
                        .group
                        .filter(|_| inds[key.1].group == inds[key.0].group)
                        .unwrap_or_else(|| {
                            self.next_group += 1;
                            self.next_group
                        });
                    self.assign(&mut inds[to[0]], *role, *cell);
                    for i in to {
                        inds[*i].group = Some(id);
                        if *i != to[0] {
                            set_cell(&mut inds[*i], *role, Some(*cell));
                        }
                    }
                }
                Placement::Shared {
                    inds: to,
                    role,
                    cell,
                    lines,
                } => {
                    if let Some(n) = lines {
                        let at = self.at(Some(*cell));
                        let f = rules::l002::lines_not_matching(at, role.zh(), *n, to.len());
                        self.findings.push(f);
                    }
                    for i in to {
                        self.assign(&mut inds[*i], *role, *cell);
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
            self.combine(ind);
            ind.level1 = level1.clone();
            ind.level2 = level2.clone();
        }
        out.extend(inds);
    }

    /// Target and actual with the comparator (指标性质) and unit (度量单位) the form prints in
    /// their own columns: `≥` · `95` · `%` is `≥95%`. Logged as a change of the target cell.
    fn combine(&mut self, ind: &mut Indicator) {
        let Some(extra) = ind.extra.as_deref() else {
            return;
        };
        if extra.nature.value.is_none()
            && extra.unit.value.is_none()
            && extra.direction.value.is_none()
        {
            return;
        }
        let cmp = [&extra.direction, &extra.nature]
            .iter()
            .find_map(|f| f.value.as_deref().and_then(comparator));
        let unit = extra.unit.value.as_deref().unwrap_or("");
        for (is_target, field) in [(true, &mut ind.target), (false, &mut ind.actual)] {
            let Some(v) = field.value.as_deref() else {
                continue;
            };
            let numeric = normalize::parse_number(v, &[]).is_some();
            let prefix = if is_target && numeric {
                cmp.unwrap_or("")
            } else {
                ""
            };
            let suffix = if numeric { unit } else { "" };
            if prefix.is_empty() && suffix.is_empty() {
                continue;
            }
            let joined = format!("{prefix}{}{suffix}", normalize::trim(v));
            if let Some(cell) = field.cell {
                self.changes
                    .push(rules::v003::combined(self.at(Some(cell)), v, &joined));
            }
            field.value = Some(joined.into());
        }
    }

    /// Puts a cell's value into an indicator's field, cleaning it. Returns false (and
    /// leaves the cell unplaced) when the field already holds a value from another cell.
    fn assign(&mut self, ind: &mut Indicator, role: Role, p: Pos) -> bool {
        let taken = match role {
            Role::Weight => ind.weight.value.is_some(),
            Role::Score => ind.score.value.is_some(),
            Role::Review => ind.review().value.is_some(),
            _ => text_field(ind, role).is_some_and(|f| f.value.is_some()),
        };
        if taken {
            return false;
        }
        if is_number(role) {
            self.placed.insert(p);
            let v = self.parse_number(p, &self.grid.get(p).clone(), SCORE_UNITS, role.zh());
            set_number(ind, role, Field::new(v, Some(p)));
        } else {
            let raw = self.grid.get(p).display_cow();
            let mut v = self.clean(p, &raw);
            // A dash in a target or result means nothing was set: empty, and logged.
            if matches!(role, Role::Target | Role::Actual) && v.as_deref().is_some_and(is_dash) {
                self.changes
                    .push(rules::v001::placeholder(self.at(Some(p)), &raw));
                v = None;
            }
            if let Some(f) = text_field(ind, role) {
                *f = Field::new(v.map(Text::from), Some(p));
            }
        }
        true
    }

    /// Puts one already-split line into a field (the split itself is logged by the caller).
    fn set(&mut self, ind: &mut Indicator, role: Role, p: Pos, line: &str) {
        if is_number(role) {
            let v = self.parse_number(p, &Value::text(line), SCORE_UNITS, role.zh());
            set_number(ind, role, Field::new(v, Some(p)));
        } else if let Some(f) = text_field(ind, role) {
            *f = Field::new(Some(Text::from(line)), Some(p));
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
            } else if self.explained.contains(p) {
                c.unplaced.push(Unplaced {
                    cell: p,
                    value: v.display(),
                });
            } else {
                let value = v.display();
                let f = rules::l004::unplaced(self.at(Some(p)), &value);
                self.findings.push(f);
                c.unplaced.push(Unplaced { cell: p, value });
            }
        }
        c
    }
}

/// A cell's text as a message quotes it: trimmed, on one line.
fn quoted(g: &Grid, p: Pos) -> String {
    normalize::trim(&g.get(p).display()).replace(['\n', '\r'], "")
}

/// A dash or slash that stands for "nothing" (not 无, which is an answer).
fn is_dash(s: &str) -> bool {
    normalize::is_placeholder(s) && !matches!(normalize::label_key(s).as_str(), "无" | "空")
}

/// The comparator a 指标性质 or 指标方向 cell states, as a target's prefix; none for `=`,
/// 定性, 定量 (the words are the wording table's, shared with targets typed whole).
fn comparator(nature: &str) -> Option<&'static str> {
    wording::comparator_word(nature).and_then(wording::Comparator::sign)
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

fn text_field(ind: &mut Indicator, role: Role) -> Option<&mut Field<Text>> {
    Some(match role {
        Role::Target => &mut ind.target,
        Role::Actual => &mut ind.actual,
        Role::Reason => &mut ind.reason,
        Role::Nature => &mut ind.extra_mut().nature,
        Role::Unit => &mut ind.extra_mut().unit,
        Role::Direction => &mut ind.extra_mut().direction,
        _ => return None,
    })
}

fn set_number(ind: &mut Indicator, role: Role, f: Field<Decimal>) {
    match role {
        Role::Weight => ind.weight = f,
        Role::Score => ind.score = f,
        Role::Review => ind.extra_mut().review = f,
        _ => {}
    }
}

/// Points a field at `cell` with no value (where it should have been, or a group's shared cell).
fn set_cell(ind: &mut Indicator, role: Role, cell: Option<Pos>) {
    // A column the form does not have leaves the few forms' columns unmade.
    let rare = matches!(
        role,
        Role::Nature | Role::Unit | Role::Direction | Role::Review
    );
    if rare && cell.is_none() && ind.extra.is_none() {
        return;
    }
    match role {
        Role::Weight => ind.weight = Field::new(None, cell),
        Role::Score => ind.score = Field::new(None, cell),
        Role::Review => ind.extra_mut().review = Field::new(None, cell),
        _ => {
            if let Some(f) = text_field(ind, role) {
                *f = Field::new(None, cell);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Code;
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

    pub(super) fn codes(f: &Form) -> Vec<String> {
        f.findings
            .iter()
            .map(|x| {
                format!(
                    "{}@{}",
                    x.code,
                    x.cell.map(|c| c.to_string()).unwrap_or_default()
                )
            })
            .collect()
    }

    /// The seed's form with its funds label, amounts and unit line set as given.
    fn funds_grid(label: &str, line: &str, header: &str, amounts: [&str; 3]) -> Grid {
        let mut g = grid(
            &[&["", "产出指标", "数量指标", "个数", "≥1", "1", "90", "89"]],
            &[],
        );
        g.set(Pos::parse("A5").unwrap(), Value::text(label));
        g.set(Pos::parse("B2").unwrap(), Value::text(line));
        g.set(Pos::parse("D5").unwrap(), Value::text(header));
        for (c, a) in ["C6", "D6", "E6"].iter().zip(amounts) {
            g.set(Pos::parse(c).unwrap(), Value::text(a));
        }
        g
    }

    /// A form whose indicator header is `header` (after 三级指标), one indicator row
    /// `values`, and a 总分 row `total` under the same columns.
    fn columns_grid(header: &[&str], values: &[&str], total: &[&str]) -> Grid {
        let head: Vec<&str> = ["绩效指标", "一级指标", "二级指标", "三级指标"]
            .into_iter()
            .chain(header.iter().copied())
            .collect();
        let row: Vec<&str> = ["", "产出指标", "数量指标", "道路里程"]
            .into_iter()
            .chain(values.iter().copied())
            .collect();
        let tot: Vec<&str> = ["总分", "", "", ""]
            .into_iter()
            .chain(total.iter().copied())
            .collect();
        Grid::from_rows(
            "S",
            &[
                &["项目支出绩效自评表"],
                &["项目名称", "测试项目"],
                &["主管部门", "某局", "实施单位", "某中心"],
                &head,
                &row,
                &tot,
            ],
        )
    }

    #[test]
    fn a_form_without_a_name_label_takes_its_name_from_the_title_or_the_file() {
        let mut g = columns_grid(
            &["年度指标值", "实际完成值", "分值", "得分"],
            &["1", "1", "90", "90"],
            &["", "", "90", "90"],
        );
        g.set(
            Pos::parse("A1").unwrap(),
            Value::text("2023年度农村公路养护项目绩效自评表"),
        );
        g.set(Pos::parse("A2").unwrap(), Value::Empty);
        g.set(Pos::parse("B2").unwrap(), Value::Empty);
        let f = read(&g);
        assert_eq!(f.name.value.as_deref(), Some("农村公路养护项目"));
        let l011 = f.findings.iter().find(|x| x.code == Code::L011).unwrap();
        assert_eq!(l011.cell, Pos::parse("A1"));
        assert_eq!(
            l011.message,
            "未找到“项目名称”，项目名称取自标题“2023年度农村公路养护项目绩效自评表”：农村公路养护项目"
        );
        assert_eq!(f.department.value.as_deref(), Some("某局"));
        // A title naming no project: the file's name (the sheet is called S, but a
        // one-letter sheet name is still a name: Sheet1 would not be).
        g.set(Pos::parse("A1").unwrap(), Value::text("项目支出绩效自评表"));
        let f = read(&g);
        assert_eq!(f.name.value.as_deref(), Some("S"));
        assert!(
            f.findings
                .iter()
                .any(|x| x.code == Code::L011 && x.message.ends_with("取自工作表名：S"))
        );
    }

    #[test]
    fn the_text_under_a_goal_completion_label_is_the_actual() {
        let mut g = grid(
            &[&["", "产出指标", "数量指标", "个数", "≥1", "1", "90", "89"]],
            &[],
        );
        g.set(
            Pos::parse("E7").unwrap(),
            Value::text("年度总体目标完成情况"),
        );
        let f = read(&g);
        assert_eq!(f.goal.actual.value.as_deref(), Some("乙"));
        assert_eq!(f.goal.actual.cell, Pos::parse("E8"));
    }

    #[test]
    fn a_weighted_score_column_is_preferred_and_the_raw_one_kept_apart() {
        let g = columns_grid(
            &[
                "年度指标值",
                "实际完成值",
                "分值",
                "单项指标得分",
                "单项指标折算得分",
            ],
            &["300", "300", "30", "90", "22.5"],
            &["", "", "30", "90", "22.5"],
        );
        let f = read(&g);
        assert_eq!(f.indicators[0].score.value, Some(d("22.5")));
        assert_eq!(f.declared_total.value, Some(d("22.5")));
        assert_eq!(f.computed_total, Some(d("22.5")));
        let l012 = f.findings.iter().find(|x| x.code == Code::L012).unwrap();
        assert_eq!(l012.cell, Pos::parse("H4"));
        assert_eq!(
            l012.message,
            "得分取自“单项指标折算得分”列（I列），“单项指标得分”列（H列）未用于计分，其2个单元格列为未归位"
        );
        let unplaced: Vec<String> = f
            .cells
            .unplaced
            .iter()
            .map(|u| u.cell.to_string())
            .collect();
        assert_eq!(unplaced, ["H5", "H6"]);
    }

    #[test]
    fn a_review_score_is_kept_beside_the_score_and_never_summed() {
        let g = columns_grid(
            &["年初指标值", "年终完成值", "分值", "自评分", "复核分"],
            &["300公里", "300公里", "15", "15", "13"],
            &["", "", "15", "15", "13"],
        );
        let f = read(&g);
        let i = &f.indicators[0];
        assert_eq!(
            (i.score.value, i.review().value),
            (Some(d("15")), Some(d("13")))
        );
        assert_eq!(i.target.value.as_deref(), Some("300公里"));
        assert_eq!(f.computed_total, Some(d("15")));
        let codes: Vec<_> = f
            .findings
            .iter()
            .map(|x| (x.code, x.message.clone()))
            .collect();
        assert!(
            !codes
                .iter()
                .any(|(c, _)| *c == Code::L012 || *c == Code::L004),
            "{codes:?}"
        );
    }

    #[test]
    fn weights_in_percent_are_points_of_the_stated_total() {
        let g = columns_grid(
            &["年度指标值", "实际完成值", "权重占比(%)", "得分"],
            &["300", "300", "100", "30"],
            &["", "", "30", "30"],
        );
        let f = read(&g);
        assert_eq!(f.indicators[0].weight.value, Some(d("30")));
        let changes = f.changes().unwrap();
        let c = changes
            .iter()
            .find(|c| c.cell == Pos::parse("G5").unwrap())
            .unwrap();
        assert_eq!((c.from.as_str(), c.to.as_str()), ("100", "30"));
        // 分值 in points beats the percent column.
        let g = columns_grid(
            &["年度指标值", "实际完成值", "权重占比(%)", "分值", "得分"],
            &["300", "300", "100", "30", "30"],
            &["", "", "100", "30", "30"],
        );
        let f = read(&g);
        assert_eq!(f.indicators[0].weight.value, Some(d("30")));
        assert!(f.findings.iter().any(|x| x.code == Code::L012));
    }

    #[test]
    fn amounts_in_yuan_are_converted_to_wan_once_and_logged() {
        let g = funds_grid(
            "项目资金（元）",
            "",
            "全年预算数",
            ["60000", "60000", "59000"],
        );
        let f = read(&g);
        let t = &f.funds.total;
        assert_eq!(t.initial.value, Some(d("6")));
        assert_eq!(t.full_year.value, Some(d("6")));
        assert_eq!(t.executed.value, Some(d("5.9")));
        let changes = f.changes().unwrap();
        let ch: Vec<_> = changes
            .iter()
            .filter(|c| c.code == Code::F006)
            .map(|c| (c.cell.to_string(), c.from.as_str(), c.to.as_str()))
            .collect();
        assert_eq!(
            ch,
            [
                ("C6".into(), "60000", "6"),
                ("D6".into(), "60000", "6"),
                ("E6".into(), "59000", "5.9")
            ]
        );
        assert!(
            codes(&f).contains(&"F006@A5".to_string()),
            "{:?}",
            codes(&f)
        );
        let msg = &f
            .findings
            .iter()
            .find(|x| x.code == Code::F006)
            .unwrap()
            .message;
        assert!(
            msg.contains("金额单位为元（A5“项目资金（元）”），已将3个金额换算为万元"),
            "{msg}"
        );
        // The execution rate is of the converted amounts: the same fraction.
        assert_eq!(f.execution_rate, Some(d("0.9833")));
    }

    #[test]
    fn a_unit_stated_in_a_column_header_or_a_line_or_a_cell() {
        // One column's header: only that column.
        let g = funds_grid("", "", "全年预算数（元）", ["6", "60000", "6"]);
        let f = read(&g);
        assert_eq!(f.funds.total.full_year.value, Some(d("6")));
        assert_eq!(f.funds.total.initial.value, Some(d("6")));
        assert!(
            codes(&f).contains(&"F006@D5".to_string()),
            "{:?}",
            codes(&f)
        );
        // A unit line beside the year.
        let g = funds_grid("", "单位：千元", "全年预算数", ["60", "60", "60"]);
        let f = read(&g);
        assert_eq!(f.funds.total.executed.value, Some(d("6")));
        assert!(
            codes(&f).contains(&"F006@B2".to_string()),
            "{:?}",
            codes(&f)
        );
        // The amount's own suffix wins over the table's unit.
        let g = funds_grid(
            "项目资金（万元）",
            "",
            "全年预算数",
            ["6", "60000元", "6万元"],
        );
        let f = read(&g);
        assert_eq!(f.funds.total.full_year.value, Some(d("6")));
        assert_eq!(f.funds.total.executed.value, Some(d("6")));
        assert_eq!(
            codes(&f)
                .iter()
                .filter(|c| ["F006", "F007", "F008"].contains(&&c[..4]))
                .collect::<Vec<_>>(),
            ["F006@D6"]
        );
    }

    #[test]
    fn no_unit_is_said_and_a_huge_amount_is_questioned() {
        let g = funds_grid("", "", "全年预算数", ["6", "6", "6"]);
        assert!(codes(&read(&g)).contains(&"F007@D5".to_string()));
        let g = funds_grid(
            "项目资金（万元）",
            "",
            "全年预算数",
            ["387664.62", "387664.62", "6"],
        );
        let f = read(&g);
        assert_eq!(f.funds.total.full_year.value, Some(d("387664.62")));
        let c = codes(&f);
        assert!(
            c.contains(&"F008@C6".to_string()) && !c.iter().any(|x| x.starts_with("F007")),
            "{c:?}"
        );
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
        let changes = f.changes().unwrap();
        let splits: Vec<_> = changes.iter().filter(|c| c.code == Code::V003).collect();
        assert_eq!(splits.len(), 4);
        assert_eq!(splits[1].to, "≥95%");
        assert_eq!(f.computed_total, Some(d("20")));
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
            f.changes()
                .unwrap()
                .iter()
                .any(|c| c.code == Code::V001 && c.from == "\n10" && c.to == "10")
        );
        assert!(
            f.changes()
                .unwrap()
                .iter()
                .any(|c| c.code == Code::V003 && c.cell == Pos::parse("G10").unwrap())
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
                .any(|x| x.code == Code::L002 && x.cell == Pos::parse("E10"))
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
        let l003: Vec<_> = f.findings.iter().filter(|x| x.code == Code::L003).collect();
        assert_eq!(l003.len(), 1);
        assert_eq!(l003[0].cell, Pos::parse("I12"));
        // Not attached, so listed as unplaced too (nothing is lost), without a second
        // finding for the same cell.
        assert_eq!(f.cells.unplaced.len(), 1);
        assert_eq!(f.cells.unplaced[0].value, "漏填说明");
        assert!(f.findings.iter().all(|x| x.code != Code::L004));
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
        for code in [Code::F003, Code::V002, Code::L002, Code::L003, Code::L004] {
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
        assert!(f.findings.iter().any(|x| x.code == Code::L004));
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
        let l001: Vec<_> = f.findings.iter().filter(|x| x.code == Code::L001).collect();
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
            f.findings.iter().all(|x| !x.code.as_str().starts_with('L')),
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
        assert!(f.findings.iter().any(|x| x.code == Code::F003));
        assert!(
            f.findings
                .iter()
                .any(|x| x.code == Code::V002 && x.cell == Pos::parse("G10"))
        );
        assert_eq!(f.indicators[0].weight.value, None);
        assert_eq!(f.year.value, Some(2023));
        assert_eq!(f.implementer.value.as_deref(), Some("某中心"));
        assert_eq!(f.grade, Some("差"));
    }
}

/// Layouts of other provinces (`../shared/spec/variants.md`) that the real fixtures in
/// `tests/fixtures/real` do not show, built by hand.
#[cfg(test)]
mod variant_tests {
    use super::tests::codes;
    use super::*;
    use crate::code::Code;
    use crate::locate::locate;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn read(rows: &[&[&str]]) -> Form {
        let g = Grid::from_rows("S", rows);
        let l = locate(&g);
        assert_eq!(l.len(), 1);
        extract(&g, &l[0], "t.xlsx")
    }

    const HEAD: &[&str] = &[
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ];

    #[test]
    fn an_unknown_column_is_reported_once_not_per_cell() {
        let mut head = HEAD.to_vec();
        head.push("指标解释");
        let f = read(&[
            &["项目名称", "甲项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &["年度总体目标", "预期目标", "甲", "实际完成情况", "乙"],
            &head,
            &[
                "",
                "产出指标",
                "数量指标",
                "a",
                "1个",
                "1个",
                "50",
                "50",
                "",
                "说明一",
            ],
            &[
                "",
                "效益指标",
                "社会效益指标",
                "b",
                "好",
                "好",
                "40",
                "40",
                "",
                "说明二",
            ],
            &[
                "",
                "满意度指标",
                "满意度指标",
                "c",
                "≥90%",
                "95%",
                "10",
                "10",
                "",
                "说明三",
            ],
            &["总分", "", "", "", "", "", "100", "100"],
        ]);
        assert_eq!(codes(&f), ["L008@J4", "L005@B4"]);
        assert!(f.findings[0].message.contains("指标解释"));
        assert!(f.findings[0].message.contains("其下3个单元格"));
        // The cells are kept, unplaced, and accounted for.
        assert_eq!(f.cells.unplaced.len(), 3);
        assert_eq!(f.cells.read, f.cells.placed + 3);
        assert_eq!(f.computed_total, Some(d("100")));
    }

    #[test]
    fn a_total_typed_in_the_rate_row_and_a_total_named_he_ji() {
        let f = read(&[
            &["项目名称", "甲项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &[
                "项目资金（万元）",
                "",
                "年初预算数",
                "全年预算数",
                "全年执行数",
                "分值",
                "执行率",
                "得分",
            ],
            &["", "年度资金总额", "10", "10", "10", "100", "100%", "98"],
            &["年度总体目标", "预期目标", "甲", "实际完成情况", "乙"],
            HEAD,
            &[
                "",
                "产出指标",
                "数量指标",
                "a",
                "1个",
                "1个",
                "50",
                "50",
                "",
            ],
            &[
                "",
                "效益指标",
                "社会效益指标",
                "b",
                "好",
                "好",
                "40",
                "38",
                "略有不足",
            ],
            &[
                "",
                "满意度指标",
                "满意度指标",
                "c",
                "≥90%",
                "95%",
                "10",
                "10",
                "",
            ],
            &["合计", "", "", "", "", "", "", "", ""],
        ]);
        assert_eq!(f.funds.total.weight.value, Some(d("100")));
        assert_eq!(f.declared_total.value, None);
        let mut b = crate::model::Batch {
            forms: vec![f],
            ..Default::default()
        };
        crate::rules::check(&mut b);
        let got = codes(&b.forms[0]);
        assert!(got.contains(&"S011@F4".to_string()), "{got:?}");
        assert!(
            b.forms[0]
                .findings
                .iter()
                .any(|x| x.code == Code::S011 && x.message.contains("疑似把总分填在了执行率行"))
        );
    }

    #[test]
    fn column_order_two_row_headers_and_comparator_unit_columns() {
        // 分值 before 指标值; 指标值 split over 指标性质 · 指标值 · 度量单位 in a second
        // header row; 实际完成值, 分值, 得分 merged down over both header rows.
        let mut g = Grid::from_rows(
            "S",
            &[
                &["项目名称", "甲项目"],
                &["主管部门", "某局", "实施单位", "某中心"],
                &[
                    "一级指标",
                    "二级指标",
                    "三级指标",
                    "权重",
                    "年度指标值",
                    "",
                    "",
                    "实际完成值",
                    "得分",
                ],
                &["", "", "", "", "指标性质", "指标值", "度量单位", "", ""],
                &[
                    "产出指标",
                    "质量指标",
                    "合格率",
                    "90",
                    "≥",
                    "95",
                    "%",
                    "97",
                    "90",
                ],
                &[
                    "满意度指标",
                    "满意度",
                    "满意度",
                    "10",
                    "≥",
                    "90",
                    "%",
                    "85",
                    "8",
                ],
                &["总分", "", "", "100", "", "", "", "", "98"],
            ],
        );
        for c in [0, 1, 2, 3, 7, 8] {
            g.add_merge(crate::grid::Region::new(2, c, 3, c));
        }
        g.add_merge(crate::grid::Region::new(2, 4, 2, 6));
        let l = locate(&g);
        let f = extract(&g, &l[0], "t.xlsx");
        assert_eq!(f.indicators.len(), 2);
        let i = &f.indicators[0];
        assert_eq!(i.target.value.as_deref(), Some("≥95%"));
        assert_eq!(i.actual.value.as_deref(), Some("97%"));
        assert_eq!(i.weight.value, Some(d("90")));
        assert_eq!(i.score.value, Some(d("90")));
        assert_eq!(f.indicators[1].target.value.as_deref(), Some("≥90%"));
        assert_eq!(f.weight_total.value, Some(d("100")));
        assert_eq!(f.declared_total.value, Some(d("98")));
        assert_eq!(
            crate::score::target_met(&f.indicators[1]),
            Some(false),
            "85% misses ≥90%"
        );
        assert!(
            f.changes()
                .unwrap()
                .iter()
                .any(|c| c.code == Code::V003 && c.to == "≥95%")
        );
        assert_eq!(f.cells.read, f.cells.placed, "{:?}", f.cells.unplaced);
    }

    #[test]
    fn no_score_column_withholds_total_and_grade() {
        let f = read(&[
            &["项目名称", "甲项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &[
                "一级指标",
                "二级指标",
                "三级指标",
                "指标值",
                "完成值",
                "分值",
            ],
            &["产出指标", "数量指标", "a", "1个", "1个", "50"],
            &["总分", "", "", "", "", "100"],
        ]);
        assert_eq!(f.computed_total, None);
        assert_eq!(f.grade, None);
        assert_eq!(f.weight_total.value, Some(d("100")));
        assert_eq!(f.declared_total.value, None);
        assert_eq!(f.lacks, [Lack::ScoreColumn, Lack::ExecutionScore]);
        assert_eq!(codes(&f), ["L005@A3", "L005@A3"]);
    }

    #[test]
    fn no_weight_column_keeps_the_total_and_its_check() {
        // One number on the 总分 row of a form without 分值 is the declared total.
        let f = read(&[
            &["项目名称", "甲项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &[
                "一级指标",
                "二级指标",
                "三级指标",
                "年初目标值（A）",
                "实际完成值（B）",
                "得分",
            ],
            &["产出指标", "数量指标", "a", "1个", "1个", "60"],
            &["效益指标", "社会效益指标", "b", "好", "好", "60"],
            &["总分", "", "", "", "", "100"],
        ]);
        assert_eq!(f.weight_total.value, None);
        assert_eq!(f.declared_total.value, Some(d("100")));
        assert_eq!(f.computed_total, Some(d("120")));
        assert!(f.lacks(Lack::WeightColumn));
    }

    #[test]
    fn a_header_total_and_a_title_with_its_year_in_brackets() {
        let f = read(&[
            &["报表编号：510000_001"],
            &["部门预算项目支出绩效自评表(2023年度)"],
            &["项目名称", "某某项目支出绩效自评表"],
            &["主管部门", "某局", "实施单位（盖章）", "某中心"],
            &["自评得分", "98"],
            &[
                "一级指标",
                "二级指标",
                "三级指标",
                "指标值",
                "完成值",
                "分值",
                "得分",
            ],
            &["产出指标", "数量指标", "a", "1个", "1个", "100", "98"],
        ]);
        assert_eq!(f.year.value, Some(2023));
        assert_eq!(f.name.value.as_deref(), Some("某某项目支出绩效自评表"));
        assert_eq!(f.implementer.value.as_deref(), Some("某中心"));
        assert_eq!(f.declared_total.value, Some(d("98")));
        assert_eq!(f.declared_total.cell, Pos::parse("B5"));
        assert_eq!(f.rows.0, 0, "the 报表编号 line belongs to the form");
        assert!(
            f.findings
                .iter()
                .all(|x| x.code != Code::L004 && x.code != Code::C001),
            "{:?}",
            codes(&f)
        );
    }

    #[test]
    fn a_funds_row_named_he_ji_is_not_a_declared_total() {
        let f = read(&[
            &["项目名称", "甲项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &[
                "项目资金",
                "",
                "预算数（A）",
                "执行数（B）",
                "执行率（B/A）",
            ],
            &["", "合计", "10", "9", "90%"],
            &[
                "一级指标",
                "二级指标",
                "三级指标",
                "指标值",
                "完成值",
                "分值",
                "得分",
            ],
            &["产出指标", "数量指标", "a", "1个", "1个", "100", "98"],
        ]);
        assert_eq!(f.funds.total.full_year.value, Some(d("10")));
        assert_eq!(f.execution_rate, Some(d("0.9")));
        assert_eq!(f.declared_total.value, None);
        assert!(
            codes(&f).contains(&"L001@A1".to_string()),
            "{:?}",
            codes(&f)
        );
    }

    #[test]
    fn a_form_nobody_scored_gets_no_total_rather_than_zero() {
        let f = read(&[
            &["项目名称", "甲项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &[
                "一级指标",
                "二级指标",
                "三级指标",
                "指标值",
                "完成值",
                "分值",
                "得分",
            ],
            &["产出指标", "数量指标", "a", "1个", "1个", "60", ""],
            &["效益指标", "社会效益指标", "b", "好", "好", "40", ""],
            &["总分", "", "", "", "", "100", ""],
        ]);
        assert_eq!(f.computed_total, None);
        assert_eq!(f.grade, None);
        assert!(f.lacks(Lack::Scores));
        assert!(
            f.findings
                .iter()
                .any(|x| x.code == Code::L005 && x.message.contains("得分全部为空"))
        );
    }
}
