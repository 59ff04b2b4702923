//! Metamorphic tests (issue 16, item 7): never a different number without a finding.
//!
//! Every real input (the rebuilt real fixtures, the seed samples, the variants of issue 2) is
//! read once; then each mutation changes its grids the way a province or a clerk would (a
//! label's other wording, the funds in 元, columns in another order, a two-row header, a
//! 其中 row, notes rows, a dossier workbook, another form's tail above, an .xls copy, a
//! shifted table), the pipeline runs again, and what the forms *mean* (every field's value,
//! never its cell) is compared. Each (mutation, input) pair either keeps every field equal,
//! or the mutated run carries a new finding whose code the mutation allows; some mutations
//! also require a finding (the 元 form must say it converted, the tail above must be
//! reported). Every mutated form must account for all its cells.
//!
//! What fails today is listed in [`KNOWN_GAPS`], one line per (mutation, input): the test
//! asserts that each listed pair still fails and every other pair passes, so a fix in the
//! reader forces the entry out of the list.

mod common;

use common::*;
use jixiao::code::Code;
use jixiao::grid::{Grid, Pos, Region, Value};
use jixiao::locate::{FormLayout, locate};
use jixiao::model::{Batch, Finding, Form, Severity};
use jixiao::normalize::{halfwidth, is_space, trim};
use jixiao::vocab::{Label, Role, VOCABULARY};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

/// The (mutation, input file) pairs that fail today, each with what goes wrong. A fix makes
/// its pair pass, and the test then fails until the entry is removed.
// None left: every mutation keeps every field or names the change on every input.
const KNOWN_GAPS: &[(&str /* mutation */, &str /* input file name */)] = &[];

// ---------------------------------------------------------------------------------------
// Inputs and the pipeline

/// One input workbook, read once, with what the unmutated pipeline makes of it.
struct Input {
    name: String,
    path: PathBuf,
    grids: Vec<Grid>,
    run: Run,
}

/// What one run of the pipeline gave: the forms (with the form and batch rules' findings)
/// and every finding, the file's own included.
struct Run {
    forms: Vec<Form>,
    findings: Vec<Finding>,
}

fn input_paths() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures/real", "samples/2023", "samples/variants"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
            .collect();
        paths.sort();
        out.extend(paths);
    }
    out
}

fn inputs() -> &'static [Input] {
    static INPUTS: OnceLock<Vec<Input>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let inputs: Vec<Input> = input_paths()
            .into_iter()
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let grids = grids_of(&path);
                let run = pipeline(&grids, &name);
                Input {
                    name,
                    path,
                    grids,
                    run,
                }
            })
            .collect();
        assert!(inputs.len() >= 18, "inputs missing: {}", inputs.len());
        let names: BTreeSet<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names.len(), inputs.len(), "input file names must be unique");
        inputs
    })
}

/// Locate, extract and check, as `convert` does for one file: the forms numbered, the form
/// and batch rules run, E003 when the workbook holds no form. A finding the reader raises per
/// file outside [`jixiao::batch::forms_in`] (as `batch::read_one` does for E003) is not seen
/// here: such a finding (L009 for cells outside any form, say) must come out of `forms_in`
/// or be added here.
fn pipeline(grids: &[Grid], file: &str) -> Run {
    let mut forms = jixiao::batch::forms_in(grids, file);
    for (i, f) in forms.iter_mut().enumerate() {
        f.id = format!("P{:04}", i + 1);
    }
    let mut batch = Batch {
        forms,
        ..Default::default()
    };
    jixiao::rules::check(&mut batch);
    let mut findings: Vec<Finding> = batch.findings().cloned().collect();
    if batch.forms.is_empty() {
        let file: Arc<str> = file.into();
        findings.push(Finding::new(
            Code::E003,
            &file,
            None,
            None,
            "没有找到自评表".into(),
        ));
    }
    Run {
        forms: batch.forms,
        findings,
    }
}

// ---------------------------------------------------------------------------------------
// What a form means

fn dec(d: Option<Decimal>) -> String {
    d.map_or("∅".into(), |d| d.normalize().to_string())
}

fn txt<T: std::fmt::Debug>(s: &Option<T>) -> String {
    s.as_ref().map_or("∅".into(), |s| format!("{s:?}"))
}

/// Every field's value, keyed by what it is (never by its cell), in reading order.
fn meaning(forms: &[Form]) -> Vec<(String, String)> {
    let mut m = vec![("表数".to_string(), forms.len().to_string())];
    for (i, f) in forms.iter().enumerate() {
        let p = format!("表{}", i + 1);
        let mut put = |k: &str, v: String| m.push((format!("{p} {k}"), v));
        put("年度", f.year.value.map_or("∅".into(), |y| y.to_string()));
        put("项目名称", txt(&f.name.value));
        put("主管部门", txt(&f.department.value));
        put("中央主管部门", txt(&f.central_department.value));
        put("实施单位", txt(&f.implementer.value));
        for (j, (label, r)) in f.funds.rows().iter().enumerate() {
            let row = if j < 4 {
                (*label).to_string()
            } else {
                format!("资金行{}", j + 1)
            };
            put(&format!("{row} 年初预算数"), dec(r.initial.value));
            put(&format!("{row} 全年预算数"), dec(r.full_year.value));
            put(&format!("{row} 全年执行数"), dec(r.executed.value));
            put(&format!("{row} 分值"), dec(r.weight.value));
            put(&format!("{row} 执行率"), dec(r.rate.value));
            put(&format!("{row} 得分"), dec(r.score.value));
        }
        put("执行率", dec(f.execution_rate));
        put("执行得分", dec(f.execution_score));
        put("预期目标", txt(&f.goal.expected.value));
        put("实际完成情况", txt(&f.goal.actual.value));
        put("指标数", f.indicators.len().to_string());
        for (k, ind) in f.indicators.iter().enumerate() {
            let n = format!("指标{}", k + 1);
            put(&format!("{n} 一级"), txt(&ind.level1.value));
            put(&format!("{n} 二级"), txt(&ind.level2.value));
            put(&format!("{n} 三级"), txt(&ind.name.value));
            put(&format!("{n} 年度指标值"), txt(&ind.target.value));
            put(&format!("{n} 实际完成值"), txt(&ind.actual.value));
            put(&format!("{n} 分值"), dec(ind.weight.value));
            put(&format!("{n} 得分"), dec(ind.score.value));
            put(&format!("{n} 偏差原因"), txt(&ind.reason.value));
        }
        put("分值合计", dec(f.weight_total.value));
        put("申报总分", dec(f.declared_total.value));
        put("核算总分", dec(f.computed_total));
        put("等级", f.grade.unwrap_or("∅").to_string());
    }
    m
}

/// The fields whose values differ, `field: before → after`.
fn diff(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    let a: BTreeMap<&str, &str> = after
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let b: BTreeMap<&str, &str> = before
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut out = Vec::new();
    for (k, v) in before {
        match a.get(k.as_str()) {
            Some(w) if *w == v => {}
            Some(w) => out.push(format!("{k}: {v} → {w}")),
            None => out.push(format!("{k}: {v} → (absent)")),
        }
    }
    for (k, w) in after {
        if !b.contains_key(k.as_str()) {
            out.push(format!("{k}: (absent) → {w}"));
        }
    }
    out
}

/// How many findings of each code (and of each code at error severity) a run has.
fn counts(run: &Run, errors_only: bool) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for f in &run.findings {
        if !errors_only || f.severity == Severity::Error {
            *m.entry(f.code.to_string()).or_insert(0) += 1;
        }
    }
    m
}

/// Codes the mutated run has more of than the original.
fn new_codes(before: &Run, after: &Run, errors_only: bool) -> Vec<String> {
    let (b, a) = (counts(before, errors_only), counts(after, errors_only));
    a.into_iter()
        .filter(|(c, n)| b.get(c).copied().unwrap_or(0) < *n)
        .map(|(c, _)| c)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Grid editing

/// A grid of `rows` × `cols` with `cells` and `merges`, as `g` (its sheet, its merge info).
fn build(g: &Grid, rows: u32, cols: u32, cells: Vec<(Pos, Value)>, merges: Vec<Region>) -> Grid {
    let mut out = Grid::new(&g.sheet, rows, cols);
    out.has_merge_info = g.has_merge_info;
    for (p, v) in cells {
        out.set(p, v);
    }
    for m in merges {
        out.add_merge(m);
    }
    out
}

fn cells_of(g: &Grid) -> Vec<(Pos, Value)> {
    g.non_empty().map(|(p, v)| (p, v.clone())).collect()
}

/// `n` rows inserted before row `at`, as Excel does: a merge starting at or below `at` moves
/// down, one across it grows.
fn insert_rows(g: &Grid, at: u32, n: u32) -> Grid {
    let r = |row: u32| if row >= at { row + n } else { row };
    let cells = g
        .non_empty()
        .map(|(p, v)| (Pos::new(r(p.row), p.col), v.clone()))
        .collect();
    let merges = g
        .merges()
        .iter()
        .map(|m| Region::new(r(m.first.row), m.first.col, r(m.last.row), m.last.col))
        .collect();
    build(g, g.rows() + n, g.cols(), cells, merges)
}

/// `n` columns inserted before column `at`, as Excel does.
fn insert_cols(g: &Grid, at: u32, n: u32) -> Grid {
    let c = |col: u32| if col >= at { col + n } else { col };
    let cells = g
        .non_empty()
        .map(|(p, v)| (Pos::new(p.row, c(p.col)), v.clone()))
        .collect();
    let merges = g
        .merges()
        .iter()
        .map(|m| Region::new(m.first.row, c(m.first.col), m.last.row, c(m.last.col)))
        .collect();
    build(g, g.rows(), g.cols() + n, cells, merges)
}

fn text(s: &str) -> Value {
    Value::text(s)
}

/// Writes `v` at `(r, c)`, merged to column `c_last` when that is right of `c`.
fn put(g: &mut Grid, r: u32, c: u32, c_last: u32, v: Value) {
    g.set(Pos::new(r, c), v);
    if c_last > c {
        g.add_merge(Region::new(r, c, r, c_last));
    }
}

/// The forms of a grid, last first, so that rows inserted for one leave the ones above
/// where they were.
fn layouts_bottom_up(g: &Grid) -> Vec<FormLayout> {
    let mut l = locate(g);
    l.reverse();
    l
}

/// The columns the indicator table uses, left to right.
fn table_cols(l: &FormLayout) -> Vec<u32> {
    let Some(il) = &l.indicators else {
        return Vec::new();
    };
    let mut cols: Vec<u32> = [Role::Level1, Role::Level2, Role::Name]
        .into_iter()
        .chain(Role::INDICATOR_VALUES)
        .filter_map(|r| il.cols.get(r))
        .collect();
    cols.sort_unstable();
    cols
}

// ---------------------------------------------------------------------------------------
// The mutations. Each is a pure function of the workbook's grids; `Err` says why it does not
// apply to this workbook (the pair is then skipped, with the note printed).

type Mutate = fn(&[Grid]) -> Result<Vec<Grid>, String>;

struct Mutation {
    name: &'static str,
    apply: Mutate,
    /// New findings that explain a changed field.
    allowed: &'static [&'static str],
    /// New findings the mutated run must have, whatever else happens.
    required: &'static [&'static str],
    /// No new finding of error severity may appear.
    no_new_errors: bool,
    /// Fields the mutation is meant to change (their new value said by a `required`
    /// finding); every other field must stay equal.
    changes: &'static [&'static str],
}

const MUTATIONS: &[Mutation] = &[
    Mutation {
        name: "synonym",
        apply: synonym,
        // Renamed, two fund rows of one kind may both lose the canonical wording: which
        // fills the field is then said (L012).
        allowed: &["L012"],
        required: &[],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "yuan",
        apply: yuan,
        allowed: &[],
        required: &["F006"],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "reorder",
        apply: reorder,
        allowed: &[],
        required: &[],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "header2",
        apply: header2,
        allowed: &[],
        required: &[],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "qizhong",
        apply: qizhong,
        // Not an indicator: every field stays as it was, and L010 says the row was seen.
        allowed: &[],
        required: &["L010"],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "notes",
        apply: notes,
        // Not an indicator: every field stays as it was, and L010 says the row was seen.
        allowed: &[],
        required: &["L010"],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "dossier",
        apply: dossier,
        allowed: &[],
        required: &[],
        no_new_errors: true,
        changes: &[],
    },
    Mutation {
        name: "tail_above",
        apply: tail_above,
        allowed: &[],
        required: &["L009"],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "shift",
        apply: shift,
        allowed: &[],
        required: &[],
        no_new_errors: false,
        changes: &[],
    },
    Mutation {
        name: "no_name",
        apply: no_name,
        allowed: &[],
        // The name comes from the title, the sheet or the file, and L011 says which.
        required: &["L011"],
        no_new_errors: false,
        changes: &["项目名称"],
    },
];

/// The .xls copy, judged like the grid mutations (in its own test: it needs LibreOffice).
const XLS: Mutation = Mutation {
    name: "xls",
    apply: |g| Ok(g.to_vec()),
    allowed: &[],
    required: &[],
    no_new_errors: false,
    changes: &[],
};

/// Another wording of the same field for a label cell: the next one of its field in
/// [`VOCABULARY`], with the cell's prefix (`其中：`, `1.`) and bracketed tail (`（万元）`,
/// `(10分)`, `（盖章）`) kept. `None` for labels of no field and fields of one wording.
fn other_wording(cell: &str) -> Option<String> {
    let k = jixiao::vocab::key(cell);
    let label = VOCABULARY.iter().find(|(w, _)| *w == k)?.1;
    if matches!(label, Label::Other | Label::Title | Label::Year(_)) {
        return None;
    }
    let words: Vec<&str> = VOCABULARY
        .iter()
        .filter(|(_, l)| *l == label)
        .map(|(w, _)| *w)
        .collect();
    let i = words.iter().position(|w| *w == k)?;
    let next = words.get((i + 1) % words.len()).filter(|w| **w != k)?;
    let t: String = halfwidth(cell).chars().filter(|c| !is_space(*c)).collect();
    Some(match t.find(&k) {
        Some(at) => format!("{}{next}{}", &t[..at], &t[at + k.len()..]),
        None => next.to_string(),
    })
}

/// A province's own wording: every label of the form replaced by another wording of the
/// same field from the vocabulary (分值→权重, 年度指标值→指标值, 实施单位→项目实施单位,
/// 项目资金（万元）→项目资金情况（万元）…).
fn synonym(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = grids.to_vec();
    let mut n = 0;
    for g in &mut out {
        let labels: Vec<Pos> = locate(g).into_iter().flat_map(|l| l.labels).collect();
        for p in labels {
            if let Value::Text(s) = g.get(p).clone()
                && let Some(w) = other_wording(&s)
            {
                g.set(p, Value::Text(w));
                n += 1;
            }
        }
    }
    if n == 0 {
        return Err("no label has another wording".into());
    }
    Ok(out)
}

/// An amount ×10,000 (a number, or a number typed as text); `None` when the cell holds no
/// plain amount.
fn times_10000(v: &Value) -> Option<Value> {
    let k = Decimal::from(10_000);
    match v {
        Value::Number {
            value,
            percent: false,
        } => Some(Value::number((value * k).normalize())),
        Value::Text(s) => {
            let d = Decimal::from_str(trim(s)).ok()?;
            Some(Value::Text((d * k).normalize().to_string()))
        }
        _ => None,
    }
}

/// The funds stated in 元, as 云南's 部门决算 tables and many clerks do: every amount of the
/// funds table (年初预算数, 全年预算数, 全年执行数) ×10,000, and the unit in the funds
/// labels `（万元）`→`（元）` (`（元）` added to the funds section label when none says 万元).
fn yuan(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = grids.to_vec();
    let mut scaled = 0;
    for g in &mut out {
        for l in locate(g) {
            let Some(fl) = &l.funds else { continue };
            // A form already in 元 (or another unit than 万元) is not this habit.
            if fl
                .units
                .iter()
                .any(|(u, _, _)| *u != jixiao::wording::MoneyUnit::Wanyuan)
            {
                return Err("the funds are already stated in another unit than 万元".into());
            }
            let rows: BTreeSet<u32> = fl
                .rows
                .iter()
                .flatten()
                .copied()
                .chain(fl.more.iter().map(|p| p.row))
                .collect();
            let cols: Vec<u32> = [Role::Initial, Role::FullYear, Role::Executed]
                .iter()
                .filter_map(|r| fl.cols.get(*r))
                .collect();
            let mut done = BTreeSet::new();
            for &r in &rows {
                for &c in &cols {
                    let p = g.region_at(Pos::new(r, c)).first;
                    if done.insert(p)
                        && let Some(v) = times_10000(g.get(p))
                    {
                        g.set(p, v);
                        scaled += 1;
                    }
                }
            }
            // The unit where the labels above the indicator table state it.
            let end = l.indicators.as_ref().map_or(l.rows.1, |i| i.header_rows.0);
            let mut said = false;
            for &p in l.labels.iter().filter(|p| p.row < end) {
                if let Value::Text(s) = g.get(p).clone()
                    && s.contains("万元")
                {
                    g.set(p, Value::Text(s.replace("万元", "元")));
                    said = true;
                }
            }
            if !said {
                let is_funds = |v: &Value| match v {
                    Value::Text(s) => jixiao::vocab::classify(s) == Some(Label::Funds),
                    _ => false,
                };
                let section = l.labels.iter().copied().find(|p| is_funds(g.get(*p)));
                let Some(p) = section else {
                    return Err("funds table without a funds label".into());
                };
                let s = g.get(p).display();
                g.set(p, Value::Text(format!("{s}（元）")));
            }
        }
    }
    if scaled == 0 {
        return Err("no funds amounts".into());
    }
    Ok(out)
}

/// Moves the columns `roles` (as found in `cols`) so that they stand in this order, over
/// rows `rows`; `None` when a merge there would be cut.
fn permute(g: &Grid, rows: (u32, u32), from: &[u32], to: &[u32]) -> Option<Grid> {
    let map = |c: u32| from.iter().position(|f| *f == c).map_or(c, |i| to[i]);
    let moved: BTreeSet<u32> = from.iter().copied().collect();
    let inside = |r: u32| (rows.0..=rows.1).contains(&r);
    let mut merges = Vec::new();
    for m in g.merges() {
        let touches = (m.first.col..=m.last.col).any(|c| moved.contains(&c));
        let overlaps = m.first.row <= rows.1 && m.last.row >= rows.0;
        if !touches || !overlaps {
            merges.push(*m);
            continue;
        }
        let within = inside(m.first.row) && inside(m.last.row);
        if within && m.first.col == m.last.col {
            let c = map(m.first.col);
            merges.push(Region::new(m.first.row, c, m.last.row, c));
        } else if within
            && moved.iter().all(|c| (m.first.col..=m.last.col).contains(c))
            && !moved.contains(&m.first.col)
        {
            merges.push(*m); // spans all moved columns, its value left of them
        } else {
            return None;
        }
    }
    let cells = g
        .non_empty()
        .map(|(p, v)| {
            let c = if inside(p.row) { map(p.col) } else { p.col };
            (Pos::new(p.row, c), v.clone())
        })
        .collect();
    Some(build(g, g.rows(), g.cols(), cells, merges))
}

/// Another province's column order: 年度指标值 and 实际完成值 swapped, or, where merges tie
/// them (a two-row header over 指标性质 · 指标值 · 度量单位), 偏差原因 moved before 分值 and
/// 得分 — over every row of the indicator table (header, indicators, total).
fn reorder(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = Vec::new();
    let mut n = 0;
    for g in grids {
        let mut g = g.clone();
        for l in layouts_bottom_up(&g) {
            let Some(il) = &l.indicators else { continue };
            let end = l
                .total
                .as_ref()
                .map_or(il.rows.1, |t| g.region_at(t.label).last.row);
            // From the header's top: a label merged down from the row above belongs to it.
            let h = il.header_rows.0;
            let top = (0..g.cols())
                .map(|c| g.region_at(Pos::new(h, c)).first.row)
                .min()
                .unwrap_or(h);
            let rows = (top, end);
            let col = |r: Role| il.cols.get(r);
            let mut tries: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
            if let (Some(t), Some(a)) = (col(Role::Target), col(Role::Actual)) {
                tries.push((vec![t, a], vec![a, t]));
            }
            let wsr: Vec<u32> = [Role::Weight, Role::Score, Role::Reason]
                .iter()
                .filter_map(|r| col(*r))
                .collect();
            if wsr.len() >= 2 && col(Role::Reason).is_some() {
                // The reason column first, the others after it in their order.
                let mut slots = wsr.clone();
                slots.sort_unstable();
                let reason = col(Role::Reason).unwrap();
                let mut order: Vec<u32> = vec![reason];
                order.extend(slots.iter().filter(|c| **c != reason));
                tries.push((order, slots));
            }
            if let Some(h) = tries
                .iter()
                .find_map(|(from, to)| permute(&g, rows, from, to))
            {
                g = h;
                n += 1;
            }
        }
        out.push(g);
    }
    if n == 0 {
        return Err("no two indicator columns can trade places without cutting a merge".into());
    }
    Ok(out)
}

/// A two-row indicator header, as 云南 and the central forms print it: a row inserted above
/// the header, 年度指标值 and 实际完成值 (and what stands between them) under one `指标值`
/// cell, every other header cell merged over both rows.
fn header2(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut why = "no indicator table";
    for g in grids {
        let mut g = g.clone();
        for l in layouts_bottom_up(&g) {
            let Some(il) = &l.indicators else { continue };
            if il.header_rows.0 != il.header_rows.1 {
                why = "the header has two rows already";
                continue;
            }
            let (Some(t), Some(a)) = (il.cols.get(Role::Target), il.cols.get(Role::Actual)) else {
                why = "no 年度指标值 or no 实际完成值 column";
                continue;
            };
            let h = il.header_rows.0;
            let (lo, hi) = (t.min(a), t.max(a));
            // The split columns must not share a merge with the others.
            let cut = (lo..=hi).any(|c| {
                let m = g.region_at(Pos::new(h, c));
                m.first.col < lo || m.last.col > hi || m.rows() > 1
            });
            if cut {
                why = "年度指标值/实际完成值 share a header merge (a two-row header already)";
                continue;
            }
            let g2 = insert_rows(&g, h, 1);
            let low = h + 1;
            let mut cells = cells_of(&g2);
            let mut merges: Vec<Region> = g2.merges().to_vec();
            for c in 0..g2.cols() {
                if (lo..=hi).contains(&c) {
                    continue;
                }
                let p = Pos::new(low, c);
                let m = g2.region_at(p);
                if m.first != p {
                    continue; // covered, or merged from above already
                }
                if g2.get(p).is_empty() && m.first == m.last {
                    continue;
                }
                for (q, _) in cells.iter_mut().filter(|(q, _)| *q == p) {
                    *q = Pos::new(h, c);
                }
                merges.retain(|x| *x != m);
                merges.push(Region::new(h, m.first.col, m.last.row, m.last.col));
            }
            cells.push((Pos::new(h, lo), text("指标值")));
            if hi > lo {
                merges.push(Region::new(h, lo, h, hi));
            }
            g = build(&g2, g2.rows(), g2.cols(), cells, merges);
            n += 1;
        }
        out.push(g);
    }
    if n == 0 {
        return Err(why.into());
    }
    Ok(out)
}

/// A breakdown row under the first indicator, as clerks add one: `其中：省级财政资金` with a
/// number in 年度指标值 and 实际完成值, no 分值, no 得分.
fn qizhong(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = Vec::new();
    let mut n = 0;
    for g in grids {
        let mut g = g.clone();
        for l in layouts_bottom_up(&g) {
            let Some(il) = &l.indicators else { continue };
            let (Some(name), Some(t), Some(a)) = (
                il.cols.get(Role::Name),
                il.cols.get(Role::Target),
                il.cols.get(Role::Actual),
            ) else {
                continue;
            };
            let first = (il.rows.0..=il.rows.1).find(|r| {
                let p = Pos::new(*r, name);
                !g.is_covered(p) && !g.get(p).is_empty()
            });
            let Some(r) = first else { continue };
            let own = [
                Role::Name,
                Role::Nature,
                Role::Direction,
                Role::Target,
                Role::Unit,
                Role::Actual,
                Role::Weight,
                Role::Score,
                Role::Reason,
            ];
            let end = own
                .iter()
                .filter_map(|role| il.cols.get(*role))
                .map(|c| g.region_at(Pos::new(r, c)).last.row)
                .max()
                .unwrap_or(r);
            g = insert_rows(&g, end + 1, 1);
            let at = end + 1;
            g.set(Pos::new(at, name), text("其中：省级财政资金"));
            g.set(Pos::new(at, t), Value::number(Decimal::from(3)));
            g.set(Pos::new(at, a), Value::number(Decimal::from(3)));
            n += 1;
        }
        out.push(g);
    }
    if n == 0 {
        return Err("no indicator row with 三级指标, 年度指标值 and 实际完成值 columns".into());
    }
    Ok(out)
}

/// Notes rows a clerk adds: `其他需要说明事项 | 无` at the end of the indicator table (above
/// the total) and `备注 | 见附件` below the total; on a form with no 总分 row, both after the
/// last indicator row.
fn notes(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = Vec::new();
    let mut n = 0;
    for g in grids {
        let mut g = g.clone();
        for l in layouts_bottom_up(&g) {
            let Some(il) = &l.indicators else { continue };
            let last_col = g.cols() - 1;
            match &l.total {
                Some(t) => {
                    let lab = g.region_at(t.label);
                    let (c0, c1) = (lab.first.col, lab.last.col);
                    let below = lab.last.row + 1;
                    g = insert_rows(&g, below, 1);
                    put(&mut g, below, c0, c1, text("备注"));
                    put(&mut g, below, c1 + 1, last_col, text("见附件"));
                    g = insert_rows(&g, lab.first.row, 1);
                    put(&mut g, lab.first.row, c0, c1, text("其他需要说明事项"));
                    put(&mut g, lab.first.row, c1 + 1, last_col, text("无"));
                }
                None => {
                    let cols = table_cols(&l);
                    let c0 = il.cols.get(Role::Level1).unwrap_or(cols[0]);
                    let c1 = il.cols.get(Role::Name).unwrap_or(c0).max(c0);
                    let at = il.rows.1 + 1;
                    g = insert_rows(&g, at, 2);
                    put(&mut g, at, c0, c1, text("其他需要说明事项"));
                    put(&mut g, at, c1 + 1, last_col, text("无"));
                    put(&mut g, at + 1, c0, c1, text("备注"));
                    put(&mut g, at + 1, c1 + 1, last_col, text("见附件"));
                }
            }
            n += 1;
        }
        out.push(g);
    }
    if n == 0 {
        return Err("no indicator table".into());
    }
    Ok(out)
}

/// A project dossier workbook, as departments send one: a prose sheet (the 自评报告) and a
/// `基本信息` sheet with the project's name, department and budget, before the form.
fn dossier(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let first = grids.iter().find_map(|g| {
        let l = locate(g).into_iter().next()?;
        let text_at = |p: Option<Pos>| p.map(|p| g.get(p).display()).filter(|s| !s.is_empty());
        Some((text_at(l.name), text_at(l.department)))
    });
    let (name, dept) = first.unwrap_or((None, None));
    let name = name.unwrap_or_else(|| "某项目".into());
    let dept = dept.unwrap_or_else(|| "某局".into());
    let report = Grid::from_rows(
        "自评报告",
        &[
            &[&format!("{name}绩效自评报告")],
            &[""],
            &["一、项目基本情况"],
            &["本项目由我单位组织实施，资金按进度拨付，年度目标基本完成。"],
            &["二、绩效目标完成情况"],
            &["各项绩效指标均已完成，服务对象满意度较高。"],
        ],
    );
    let mut info = Grid::from_rows(
        "基本信息",
        &[&["项目名称", &name], &["主管部门", &dept], &["预算数", ""]],
    );
    info.set(Pos::new(2, 1), Value::number(Decimal::from(100)));
    let mut out = vec![report, info];
    out.extend(grids.iter().cloned());
    Ok(out)
}

/// The texts of another form's tail, found again by [`tail_cells`].
const TAIL_MARK: &str = "群众满意度";

/// Another form's end left above this one on the same sheet, as when forms are copied into
/// one sheet: two indicator rows (the last `效益指标 | 满意度指标 | 群众满意度 | ≥90% | 95% |
/// 90 | 90`), `合计 | 100 | 98`, a signature line `填报人：张三  联系电话：123`, two empty rows.
fn tail_above(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = Vec::new();
    let mut n = 0;
    for g in grids {
        let layouts = locate(g);
        let Some(l) = layouts.first() else {
            out.push(g.clone());
            continue;
        };
        let f0 = l.rows.0;
        let mut g = insert_rows(g, f0, 6);
        let cols = table_cols(l);
        let role = |r: Role, i: u32| {
            l.indicators
                .as_ref()
                .and_then(|il| il.cols.get(r))
                .unwrap_or_else(|| cols.first().copied().unwrap_or(0) + i)
        };
        let rows: [[&str; 7]; 2] = [
            [
                "产出指标",
                "时效指标",
                "按时完成率",
                "100%",
                "100%",
                "10",
                "8",
            ],
            [
                "效益指标",
                "满意度指标",
                TAIL_MARK,
                "≥90%",
                "95%",
                "90",
                "90",
            ],
        ];
        let roles = [
            Role::Level1,
            Role::Level2,
            Role::Name,
            Role::Target,
            Role::Actual,
            Role::Weight,
            Role::Score,
        ];
        for (i, row) in rows.iter().enumerate() {
            for (j, (r, v)) in roles.iter().zip(row).enumerate() {
                g.set(Pos::new(f0 + i as u32, role(*r, j as u32)), text(v));
            }
        }
        g.set(Pos::new(f0 + 2, role(Role::Level1, 0)), text("合计"));
        g.set(Pos::new(f0 + 2, role(Role::Weight, 5)), text("100"));
        g.set(Pos::new(f0 + 2, role(Role::Score, 6)), text("98"));
        g.set(
            Pos::new(f0 + 3, role(Role::Level1, 0)),
            text("填报人：张三  联系电话：123"),
        );
        n += 1;
        out.push(g);
    }
    if n == 0 {
        return Err("no form".into());
    }
    Ok(out)
}

/// The cells of the tail [`tail_above`] inserted on each sheet: its sheet and cells.
fn tail_cells(grids: &[Grid]) -> Vec<(String, Vec<Pos>)> {
    grids
        .iter()
        .filter_map(|g| {
            let (mark, _) = g
                .non_empty()
                .find(|(_, v)| matches!(v, Value::Text(s) if s == TAIL_MARK))?;
            let rows = mark.row - 1..=mark.row + 2;
            let cells = g
                .non_empty()
                .filter(|(p, _)| rows.contains(&p.row))
                .map(|(p, _)| p);
            Some((g.sheet.clone(), cells.collect()))
        })
        .collect()
}

/// A table moved as clerks move it: two empty rows and one empty column before the form.
fn shift(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = Vec::new();
    let mut n = 0;
    for g in grids {
        match locate(g).first() {
            Some(l) => {
                out.push(insert_cols(&insert_rows(g, l.rows.0, 2), 0, 1));
                n += 1;
            }
            None => out.push(g.clone()),
        }
    }
    if n == 0 {
        return Err("no form".into());
    }
    Ok(out)
}

/// A form printed without the 项目名称 row's label (a scoring-rubric 自评表 that names
/// the project only in its title, or a clerk who deleted the row): label and value cleared.
fn no_name(grids: &[Grid]) -> Result<Vec<Grid>, String> {
    let mut out = Vec::new();
    let mut n = 0;
    for g in grids {
        let mut g = g.clone();
        for l in locate(&g) {
            let Some(label) = l.name_label else { continue };
            g.set(label, Value::Empty);
            if let Some(v) = l.name {
                g.set(v, Value::Empty);
            }
            n += 1;
        }
        out.push(g);
    }
    if n == 0 {
        return Err("no 项目名称 label".into());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Judging

enum Outcome {
    Pass,
    /// What went wrong in full, and in one line.
    Fail(String, String),
    Skip(String),
}

/// Runs the pipeline on mutated grids and judges them against the input's own run.
fn judge(m: &Mutation, input: &Input, grids: &[Grid]) -> Outcome {
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pipeline(grids, &input.name)
    }));
    let Ok(run) = run else {
        return Outcome::Fail("the pipeline panicked".into(), "panicked".into());
    };
    let mut problems = Vec::new();
    let mut short = Vec::new();
    let unchanged = grids.len() == input.grids.len()
        && grids.iter().zip(&input.grids).all(|(a, b)| {
            a.sheet == b.sheet && cells_of(a) == cells_of(b) && a.merges() == b.merges()
        });
    if unchanged && m.name != "xls" {
        return Outcome::Fail("the mutation changed nothing".into(), "no-op".into());
    }
    for f in &run.forms {
        if f.cells.read != f.cells.placed + f.cells.unplaced.len() {
            problems.push(format!(
                "{} {}: cells lost: read {} ≠ placed {} + unplaced {}",
                f.sheet,
                f.anchor,
                f.cells.read,
                f.cells.placed,
                f.cells.unplaced.len()
            ));
            short.push("cells lost".to_string());
        }
    }
    let new = new_codes(&input.run, &run, false);
    let mut changed = diff(&meaning(&input.run.forms), &meaning(&run.forms));
    changed.retain(|d| !m.changes.iter().any(|f| d.contains(&format!(" {f}:"))));
    if !changed.is_empty() && !m.allowed.iter().any(|c| new.iter().any(|n| n == c)) {
        let shown: Vec<&String> = changed.iter().take(8).collect();
        let more = changed.len().saturating_sub(shown.len());
        let mut s = format!(
            "{} field(s) changed without a new finding of {:?} (new findings: {new:?}):",
            changed.len(),
            m.allowed
        );
        for d in shown {
            s += &format!("\n      {d}");
        }
        if more > 0 {
            s += &format!("\n      … and {more} more");
        }
        problems.push(s);
        let more = if changed.len() > 1 {
            format!(" (+{} more)", changed.len() - 1)
        } else {
            String::new()
        };
        short.push(format!("{}{more}", changed[0]));
    }
    for r in m.required {
        if !new.iter().any(|n| n == r) {
            problems.push(format!("no new {r} finding (new findings: {new:?})"));
            short.push(format!("no {r}"));
        }
    }
    if m.no_new_errors {
        let errors = new_codes(&input.run, &run, true);
        if !errors.is_empty() {
            let msgs: Vec<String> = run
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error && errors.contains(&f.code.to_string()))
                .take(3)
                .map(|f| format!("{}: {}", f.code, f.message))
                .collect();
            problems.push(format!(
                "new error findings {errors:?}: {}",
                msgs.join("；")
            ));
            short.push(format!("new errors {}", errors.join(" ")));
        }
    }
    if m.name == "tail_above" {
        for (sheet, cells) in tail_cells(grids) {
            let named = run.findings.iter().any(|f| {
                f.code == "L009"
                    && f.sheet.as_deref().is_none_or(|s| s == sheet)
                    && (f.cell.is_some_and(|c| cells.contains(&c))
                        || cells.iter().any(|c| f.message.contains(&c.to_string())))
            });
            if !named {
                problems.push(format!(
                    "no L009 finding names the tail's cells on sheet {sheet} ({})",
                    cells
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                short.push("no L009 names the tail".to_string());
            }
        }
    }
    if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(problems.join("\n    "), short.join("; "))
    }
}

/// Holds every outcome to [`KNOWN_GAPS`]: a listed pair must still fail, every other pair
/// must pass (or not apply). Prints the matrix and panics with every mismatch.
fn settle(results: &[(&str, &str, Outcome)], mutations: &[&str]) {
    let mut bad = Vec::new();
    let mut skipped = Vec::new();
    let mut gaps = Vec::new();
    for (m, file, o) in results {
        let known = KNOWN_GAPS.contains(&(*m, *file));
        match o {
            Outcome::Pass if known => bad.push(format!(
                "{m} × {file}: passes now — remove it from KNOWN_GAPS"
            )),
            Outcome::Fail(why, _) if !known => bad.push(format!("{m} × {file}:\n    {why}")),
            Outcome::Fail(_, line) => gaps.push(format!("{m} × {file}: {line}")),
            Outcome::Skip(note) if known => bad.push(format!(
                "{m} × {file} is skipped ({note}), so no gap — remove it from KNOWN_GAPS"
            )),
            Outcome::Skip(note) => skipped.push(format!("{m} × {file}: {note}")),
            Outcome::Pass => {}
        }
    }
    for (m, file) in KNOWN_GAPS.iter().filter(|(m, _)| mutations.contains(m)) {
        if !results.iter().any(|(rm, rf, _)| rm == m && rf == file) {
            bad.push(format!(
                "KNOWN_GAPS names {m} × {file}, which this test never ran"
            ));
        }
    }
    for s in &skipped {
        println!("skipped {s}");
    }
    for g in &gaps {
        println!("known gap {g}");
    }
    let mut files: Vec<&str> = results.iter().map(|(_, f, _)| *f).collect();
    files.dedup();
    println!("{:<48} {}", "", mutations.join(" "));
    for f in files {
        let row: Vec<String> = mutations
            .iter()
            .map(|m| {
                let o = results.iter().find(|(rm, rf, _)| rm == m && *rf == f);
                let c = match o.map(|(_, _, o)| o) {
                    Some(Outcome::Pass) => "ok",
                    Some(Outcome::Fail(..)) => "GAP",
                    Some(Outcome::Skip(_)) => "-",
                    None => "?",
                };
                format!("{c:^w$}", w = m.chars().count())
            })
            .collect();
        println!("{f:<48} {}", row.join(" "));
    }
    assert!(bad.is_empty(), "\n{}\n", bad.join("\n"));
}

#[test]
fn grid_mutations_keep_every_field_or_say_why() {
    let mut results = Vec::new();
    for input in inputs() {
        for m in MUTATIONS {
            let outcome = match (m.apply)(&input.grids) {
                Err(note) => Outcome::Skip(note),
                Ok(grids) => judge(m, input, &grids),
            };
            results.push((m.name, input.name.as_str(), outcome));
        }
    }
    let names: Vec<&str> = MUTATIONS.iter().map(|m| m.name).collect();
    settle(&results, &names);
}

#[test]
fn xls_copies_keep_every_field() {
    let Some(soffice) = soffice() else {
        println!("skipped: soffice (LibreOffice) is not installed, no .xls copies to read");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<&Path> = inputs().iter().map(|i| i.path.as_path()).collect();
    let copies = convert_all_with_soffice(&soffice, &paths, "xls", dir.path());
    let mut results = Vec::new();
    for (input, copy) in inputs().iter().zip(&copies) {
        let grids = grids_of(copy);
        results.push(("xls", input.name.as_str(), judge(&XLS, input, &grids)));
    }
    settle(&results, &["xls"]);
}

/// The mutations themselves: each changes what it says and nothing else.
#[test]
fn mutations_do_what_they_say() {
    let g = &inputs().iter().find(|i| i.name == "1.xlsx").unwrap().grids;
    let cell = |gs: &[Grid], a1: &str| gs[0].get(Pos::parse(a1).unwrap()).display();
    assert_eq!(other_wording("分值").as_deref(), Some("权重"));
    assert_eq!(
        other_wording("实施单位（盖章）").as_deref(),
        Some("项目实施单位(盖章)")
    );
    assert_eq!(
        other_wording("其中：当年财政拨款").as_deref(),
        Some("其中:本年财政拨款")
    );
    assert_eq!(other_wording("三级指标").as_deref(), Some("指标名称"));
    assert_eq!(other_wording("一级指标").as_deref(), Some("项目权重"));
    let s = synonym(g).unwrap();
    assert_eq!(cell(&s, "G12"), "权重");
    assert_eq!(cell(&s, "C3"), cell(g, "C3"));
    let y = yuan(g).unwrap();
    assert_eq!(cell(&y, "D6"), "60000");
    assert_eq!(cell(&y, "A5"), "项目资金\n（元）");
    assert_eq!(cell(&y, "G6"), "10");
    let r = reorder(g).unwrap();
    assert_eq!(
        (cell(&r, "E12"), cell(&r, "F12")),
        (cell(g, "F12"), cell(g, "E12"))
    );
    assert_eq!(cell(&r, "F29"), "≥90%");
    let h = header2(g).unwrap();
    assert_eq!(cell(&h, "B12"), "一级指标");
    assert_eq!(cell(&h, "E12"), "指标值");
    assert_eq!(cell(&h, "E13"), "年度指标值");
    assert_eq!(
        h[0].region_at(Pos::parse("B12").unwrap()).to_string(),
        "B12:B13"
    );
    let q = qizhong(g).unwrap();
    assert_eq!(cell(&q, "D14"), "其中：省级财政资金");
    let t = tail_above(g).unwrap();
    assert_eq!(cell(&t, "D2"), TAIL_MARK);
    assert_eq!(cell(&t, "A7"), "项目支出绩效自评表");
    let sh = shift(g).unwrap();
    assert_eq!(cell(&sh, "B3"), "项目支出绩效自评表");
    assert_eq!(dossier(g).unwrap().len(), 3);
}
