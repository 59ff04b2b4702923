//! `jixiao review`: a sample workbook's 复核底稿, filled by the reviewers, read back.
//!
//! The workbook is known by its 说明 sheet ([`crate::own::SAMPLE_MARKER`]); its hidden
//! 底稿原值 sheet holds every 底稿 row as it was issued, by key ([`crate::sample::row_key`],
//! in the hidden column A of each 底稿). Each row issued is looked up by its key on the 底稿
//! sheets (a sheet renamed or reordered is still read); the reviewer's columns are found by
//! their headers.
//!
//! # What the numbers mean
//!
//! - **自评得分** of a project: the sum of the 自评得分 issued (预算执行 and every indicator,
//!   empty as 0): its 核算总分. Always the issued values: a fixed cell edited on the 底稿
//!   changes nothing but is reported.
//! - **复核得分**: the sum over the same rows of the reviewer's 复核得分, where a **blank
//!   复核得分 means the reviewer agrees with the 自评得分** of that row (a reviewer writes
//!   only where she differs). A project whose 底稿 has nothing written in any reviewer's
//!   column (复核完成值, 复核得分, 复核意见) is **未复核**: no 复核得分 and no 偏离度, and it
//!   is left out of its department's mean (so an untouched 底稿 never reads as "reviewed,
//!   no difference").
//! - **偏离度** = (自评得分 − 复核得分) / 自评得分, rounded to four places (a percentage
//!   with two decimals); positive when the self-evaluation was higher. None when the
//!   自评得分 is 0.
//! - A department's **平均偏离度** is the mean of its reviewed projects' 偏离度 (computed
//!   from the unrounded values, then rounded to four places).
//! - A 复核得分 that is not a number (`八分`, a formula never calculated) is a problem: its
//!   project gets no 复核得分 (状态 复核得分无法识别) rather than a guess.
//!
//! What the reviewer did to the paper beyond her columns is listed as problems
//! ([`Note`]): a fixed cell changed (with the value issued and the value found), a row
//! deleted (its row counts as agreed), a row added (ignored), a 复核得分 above the row's
//! 分值 or below 0, a 合计 written by hand that is not the sum of the rows.

use crate::grid::{Grid, Pos, Value};
use crate::own;
use crate::sample::{self, KEY_HEADER, KEY_NOTE, KEY_TOTAL, PAPER_COLUMNS, REVIEWER_COLUMNS};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap};

/// One 底稿 row: as issued, and what the reviewer wrote.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub key: String,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub weight: Option<Decimal>,
    pub score: Option<Decimal>,
    pub suggested: Option<Decimal>,
    pub review_actual: Option<String>,
    pub review_score: Option<Decimal>,
    pub review_note: Option<String>,
    /// Where the row was found (sheet, 0-based row); `None` when it was deleted.
    pub found: Option<(String, u32)>,
}

impl Row {
    /// Whether the reviewer wrote anything in this row.
    pub fn touched(&self) -> bool {
        self.review_actual.is_some() || self.review_score.is_some() || self.review_note.is_some()
    }
}

/// A project's review state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Reviewed,
    /// Nothing written in any reviewer's column.
    NotReviewed,
    /// A 复核得分 that is not a number.
    Unreadable,
}

impl Status {
    pub fn zh(self) -> &'static str {
        match self {
            Status::Reviewed => "已复核",
            Status::NotReviewed => "未复核",
            Status::Unreadable => "复核得分无法识别",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reviewed => "reviewed",
            Status::NotReviewed => "not_reviewed",
            Status::Unreadable => "unreadable",
        }
    }
}

/// One sampled project, reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub department: String,
    pub sheet: String,
    pub rows: Vec<Row>,
    pub status: Status,
    pub self_score: Decimal,
    pub review_score: Option<Decimal>,
    /// Rounded to four places.
    pub deviation: Option<Decimal>,
    /// Unrounded, for the department's mean.
    exact_deviation: Option<Decimal>,
}

impl Project {
    /// The reviewer's 复核意见, each with its indicator: `三级指标：意见；…`.
    pub fn opinions(&self) -> String {
        self.rows
            .iter()
            .filter_map(|r| {
                r.review_note
                    .as_ref()
                    .map(|n| format!("{}：{n}", if r.name.is_empty() { &r.key } else { &r.name }))
            })
            .collect::<Vec<_>>()
            .join("；")
    }

    /// Rows whose 复核得分 differs from the 自评得分.
    pub fn adjusted(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.review_score.is_some_and(|s| Some(s) != r.score))
            .count()
    }
}

/// One department's projects.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub name: String,
    pub projects: usize,
    pub reviewed: usize,
    /// Over the reviewed projects.
    pub self_total: Decimal,
    pub review_total: Decimal,
    pub mean_deviation: Option<Decimal>,
}

/// A problem with the filled workbook, in Chinese.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub sheet: String,
    pub cell: Option<Pos>,
    pub project: Option<String>,
    pub message: String,
}

/// What `review` read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Review {
    pub projects: Vec<Project>,
    pub departments: Vec<Department>,
    pub notes: Vec<Note>,
}

/// Why a workbook cannot be reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotASample(pub String);

/// Rounds a ratio as the review shows it: four places, half away from zero.
pub fn round4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

fn trimmed(v: &Value) -> String {
    v.display_cow().trim().to_string()
}

fn some_text(v: &Value) -> Option<String> {
    Some(trimmed(v)).filter(|s| !s.is_empty())
}

fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number { value, .. } => Some(*value),
        _ => None,
    }
}

/// A row as issued, from 底稿原值.
struct Issued {
    id: String,
    name: String,
    department: String,
    sheet: String,
    /// The issued columns' text as the paper shows them.
    fixed: Vec<String>,
    row: Row,
}

/// Reads a filled sample workbook's sheets (all of them, hidden ones included).
pub fn read(grids: &[Grid]) -> Result<Review, NotASample> {
    if !grids.iter().any(own::is_sample_notes) {
        return Err(NotASample(format!(
            "不是 jixiao sample 生成的抽查工作簿（其“{}”工作表 A1 应为“{}…”）",
            own::OUTPUT_SHEET,
            own::SAMPLE_MARKER
        )));
    }
    let Some(orig) = grids.iter().find(|g| g.sheet == sample::ORIGINALS_SHEET) else {
        return Err(NotASample(format!(
            "抽查工作簿缺少隐藏的“{}”工作表，无法核对底稿",
            sample::ORIGINALS_SHEET
        )));
    };
    let issued_names = &PAPER_COLUMNS[..PAPER_COLUMNS.len() - REVIEWER_COLUMNS];
    let col = |g: &Grid, row: u32, name: &str| {
        (0..g.cols()).find(|&c| trimmed(g.get(Pos::new(row, c))) == name)
    };
    let mut want: Vec<&str> = vec![KEY_HEADER];
    want.extend(sample::ORIGINAL_PROJECT_COLUMNS);
    want.extend(issued_names.iter().copied());
    let cols: Vec<u32> = want
        .iter()
        .map(|n| col(orig, 0, n))
        .collect::<Option<_>>()
        .ok_or_else(|| NotASample(format!("“{}”工作表的表头不完整", sample::ORIGINALS_SHEET)))?;
    let mut issued: Vec<Issued> = Vec::new();
    for r in 1..orig.rows() {
        let v = |k: usize| orig.get(Pos::new(r, cols[k]));
        let key = trimmed(v(0));
        if key.is_empty() {
            continue;
        }
        let fixed: Vec<String> = (5..5 + issued_names.len()).map(|k| trimmed(v(k))).collect();
        issued.push(Issued {
            id: trimmed(v(1)),
            name: trimmed(v(2)),
            department: trimmed(v(3)),
            sheet: trimmed(v(4)),
            fixed,
            row: Row {
                key,
                level1: trimmed(v(5)),
                level2: trimmed(v(6)),
                name: trimmed(v(7)),
                weight: number(v(10)),
                score: number(v(11)),
                suggested: number(v(12)),
                ..Default::default()
            },
        });
    }
    let by_key: HashMap<String, usize> = issued
        .iter()
        .enumerate()
        .map(|(i, x)| (x.row.key.clone(), i))
        .collect();
    let mut notes = Vec::new();
    let mut unreadable: std::collections::HashSet<String> = Default::default();
    // The totals reviewers wrote by hand, per project (checked once the sums are known).
    let mut hand_totals: Vec<(String, String, Pos, Decimal)> = Vec::new();
    let skip = [
        sample::LIST_SHEET,
        sample::RANKING_SHEET,
        sample::ORIGINALS_SHEET,
        own::OUTPUT_SHEET,
    ];
    for g in grids.iter().filter(|g| !skip.contains(&g.sheet.as_str())) {
        let Some(h) = (0..g.rows()).find(|&r| trimmed(g.get(Pos::new(r, 0))) == KEY_HEADER) else {
            continue;
        };
        let paper_cols: Vec<Option<u32>> = PAPER_COLUMNS.iter().map(|n| col(g, h, n)).collect();
        for (n, c) in PAPER_COLUMNS.iter().zip(&paper_cols) {
            if c.is_none() {
                notes.push(Note {
                    sheet: g.sheet.clone(),
                    cell: Some(Pos::new(h, 0)),
                    project: None,
                    message: format!("底稿缺少“{n}”列（被删除或改名），该列无法核对"),
                });
            }
        }
        let at = |r: u32, k: usize| paper_cols[k].map(|c| (Pos::new(r, c), g.get(Pos::new(r, c))));
        let mut project_of_sheet: Option<String> = None;
        for r in h + 1..g.rows() {
            let key = trimmed(g.get(Pos::new(r, 0)));
            if key == KEY_NOTE {
                continue;
            }
            if key == KEY_TOTAL {
                if let (Some(id), Some((p, v))) = (&project_of_sheet, at(r, 9))
                    && !v.is_empty()
                {
                    match number(v).or_else(|| {
                        crate::normalize::parse_number(&trimmed(v), crate::normalize::SCORE_UNITS)
                    }) {
                        Some(d) => hand_totals.push((id.clone(), g.sheet.clone(), p, d)),
                        None => notes.push(Note {
                            sheet: g.sheet.clone(),
                            cell: Some(p),
                            project: Some(id.clone()),
                            message: format!("合计行的复核得分“{}”不是数字，已忽略", trimmed(v)),
                        }),
                    }
                }
                continue;
            }
            let Some(&i) = by_key.get(&key) else {
                let content: Vec<String> = (1..=PAPER_COLUMNS.len() as u32)
                    .filter_map(|c| some_text(g.get(Pos::new(r, c))))
                    .collect();
                if !key.is_empty() || !content.is_empty() {
                    notes.push(Note {
                        sheet: g.sheet.clone(),
                        cell: Some(Pos::new(r, 1)),
                        project: project_of_sheet.clone(),
                        message: format!(
                            "第{}行是底稿之外新增的行（{}），未计入复核",
                            r + 1,
                            content.join("，")
                        ),
                    });
                }
                continue;
            };
            let x = &mut issued[i];
            project_of_sheet = Some(x.id.clone());
            if let Some((s, row)) = &x.row.found {
                notes.push(Note {
                    sheet: g.sheet.clone(),
                    cell: Some(Pos::new(r, 0)),
                    project: Some(x.id.clone()),
                    message: format!(
                        "第{}行与{s}第{}行是同一项（行键 {key}，被复制？），只读取前者",
                        r + 1,
                        row + 1
                    ),
                });
                continue;
            }
            x.row.found = Some((g.sheet.clone(), r));
            for (k, name) in issued_names.iter().enumerate() {
                let Some((p, v)) = at(r, k) else { continue };
                let now = trimmed(v);
                if now != x.fixed[k] {
                    let shown = |s: &str| {
                        if s.is_empty() {
                            "（空）".to_string()
                        } else {
                            format!("“{s}”")
                        }
                    };
                    notes.push(Note {
                        sheet: g.sheet.clone(),
                        cell: Some(p),
                        project: Some(x.id.clone()),
                        message: format!(
                            "第{}行（{}）的“{name}”被改动：原为{}，现为{}；按原值计算",
                            r + 1,
                            label(&x.row),
                            shown(&x.fixed[k]),
                            shown(&now)
                        ),
                    });
                }
            }
            let base = issued_names.len();
            x.row.review_actual = at(r, base).and_then(|(_, v)| some_text(v));
            x.row.review_note = at(r, base + 2).and_then(|(_, v)| some_text(v));
            if let Some((p, v)) = at(r, base + 1).filter(|(_, v)| !v.is_empty()) {
                let parsed = number(v).or_else(|| match v {
                    Value::Text(s) => {
                        crate::normalize::parse_number(s, crate::normalize::SCORE_UNITS)
                    }
                    _ => None,
                });
                match parsed {
                    Some(d) => {
                        x.row.review_score = Some(d);
                        if d < Decimal::ZERO {
                            notes.push(Note {
                                sheet: g.sheet.clone(),
                                cell: Some(p),
                                project: Some(x.id.clone()),
                                message: format!(
                                    "第{}行（{}）的复核得分{}小于0",
                                    r + 1,
                                    label(&x.row),
                                    d.normalize()
                                ),
                            });
                        } else if let Some(w) = x.row.weight
                            && crate::score::exceeds(d, w)
                        {
                            notes.push(Note {
                                sheet: g.sheet.clone(),
                                cell: Some(p),
                                project: Some(x.id.clone()),
                                message: format!(
                                    "第{}行（{}）的复核得分{}高于分值{}",
                                    r + 1,
                                    label(&x.row),
                                    d.normalize(),
                                    w.normalize()
                                ),
                            });
                        }
                    }
                    None => {
                        let why = match v {
                            Value::Formula(f) => format!(
                                "公式 ={f} 没有保存计算结果（请在 Excel 或 WPS 中打开、保存后再复核）"
                            ),
                            other => format!("“{}”不是数字", other.display()),
                        };
                        notes.push(Note {
                            sheet: g.sheet.clone(),
                            cell: Some(p),
                            project: Some(x.id.clone()),
                            message: format!(
                                "第{}行（{}）的复核得分{why}；本项目不计算复核得分",
                                r + 1,
                                label(&x.row)
                            ),
                        });
                        unreadable.insert(x.id.clone());
                    }
                }
            }
        }
    }
    // Group the rows by project, in the order issued.
    let mut projects: Vec<Project> = Vec::new();
    for x in issued {
        if x.row.found.is_none() {
            notes.push(Note {
                sheet: x.sheet.clone(),
                cell: None,
                project: Some(x.id.clone()),
                message: format!(
                    "底稿中找不到{}（行键 {}，被删除？）；该项按认可自评计",
                    label(&x.row),
                    x.row.key
                ),
            });
        }
        match projects.last_mut().filter(|p| p.id == x.id) {
            Some(p) => p.rows.push(x.row),
            None => projects.push(Project {
                id: x.id,
                name: x.name,
                department: x.department,
                sheet: x.sheet,
                rows: vec![x.row],
                status: Status::NotReviewed,
                self_score: Decimal::ZERO,
                review_score: None,
                deviation: None,
                exact_deviation: None,
            }),
        }
    }
    for p in &mut projects {
        let sum = |f: &dyn Fn(&Row) -> Option<Decimal>| {
            crate::score::checked_sum(p.rows.iter().filter_map(f))
        };
        p.self_score = sum(&|r| r.score).unwrap_or_default().normalize();
        p.status = if unreadable.contains(&p.id) {
            Status::Unreadable
        } else if p.rows.iter().any(Row::touched) {
            Status::Reviewed
        } else {
            Status::NotReviewed
        };
        if p.status != Status::Reviewed {
            continue;
        }
        p.review_score = sum(&|r| r.review_score.or(r.score)).map(|d| d.normalize());
        if let Some(review) = p.review_score
            && !p.self_score.is_zero()
        {
            let exact = (p.self_score - review).checked_div(p.self_score);
            p.exact_deviation = exact;
            p.deviation = exact.map(round4);
        }
    }
    // The first project of each id, as a search would find it (hand totals can be one
    // per project: searching for each was quadratic in the sample).
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(projects.len());
    for (i, p) in projects.iter().enumerate() {
        by_id.entry(p.id.as_str()).or_insert(i);
    }
    for (id, sheet, cell, d) in hand_totals {
        if let Some(p) = by_id.get(id.as_str()).map(|&i| &projects[i])
            && let Some(sum) = p.review_score
            && d.normalize() != sum
        {
            notes.push(Note {
                sheet,
                cell: Some(cell),
                project: Some(id),
                message: format!(
                    "合计行手工填写的复核得分{}与各项相加{}不一致；以各项相加为准",
                    d.normalize(),
                    sum
                ),
            });
        }
    }
    let departments = departments(&projects);
    Ok(Review {
        projects,
        departments,
        notes,
    })
}

/// A row as the notes name it: `三级指标 xxx` or `预算执行率`.
fn label(r: &Row) -> String {
    if r.name.is_empty() {
        format!("行键 {}", r.key)
    } else {
        format!("指标“{}”", r.name)
    }
}

fn departments(projects: &[Project]) -> Vec<Department> {
    let mut order: Vec<&str> = Vec::new();
    let mut by: BTreeMap<&str, Vec<&Project>> = BTreeMap::new();
    for p in projects {
        if !by.contains_key(p.department.as_str()) {
            order.push(&p.department);
        }
        by.entry(&p.department).or_default().push(p);
    }
    order
        .into_iter()
        .map(|d| {
            let ps = &by[d];
            let reviewed: Vec<&&Project> =
                ps.iter().filter(|p| p.status == Status::Reviewed).collect();
            let devs: Vec<Decimal> = reviewed.iter().filter_map(|p| p.exact_deviation).collect();
            let mean = (!devs.is_empty())
                .then(|| {
                    crate::score::checked_sum(devs.iter().copied())?
                        .checked_div(Decimal::from(devs.len() as u64))
                })
                .flatten()
                .map(round4);
            Department {
                name: d.to_string(),
                projects: ps.len(),
                reviewed: reviewed.len(),
                self_total: reviewed
                    .iter()
                    .map(|p| p.self_score)
                    .sum::<Decimal>()
                    .normalize(),
                review_total: reviewed
                    .iter()
                    .filter_map(|p| p.review_score)
                    .sum::<Decimal>()
                    .normalize(),
                mean_deviation: mean,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviation_is_rounded_to_four_places() {
        assert_eq!(
            round4(Decimal::new(9, 0) / Decimal::from(89)),
            Decimal::new(1011, 4)
        );
        assert_eq!(round4(Decimal::new(5, 5)), Decimal::new(1, 4));
        assert_eq!(round4(Decimal::new(-5, 5)), Decimal::new(-1, 4));
    }
}
