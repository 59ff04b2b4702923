//! `jixiao sample`: a reasoned, reproducible 抽查 sample of the projects a batch read.
//!
//! # The risk score (风险分)
//!
//! Each project (form) gets points for what a reviewer looks at first; the 风险分 is their
//! sum, and each part is said in words in the 抽取理由:
//!
//! | factor | points |
//! |---|---|
//! | 预算金额: rank of 全年预算数 among the projects | top 10 % → 30, top 25 % → 20, top half → 10 |
//! | 执行率 (全年执行数 / 全年预算数) | < 50 % → 30, < 80 % → 20, < 90 % → 10; unknown → 10 |
//! | 自评偏高: Σ over indicators of (自评得分 − 建议得分) where the 得分 is above the 建议得分 (when the scoring profile gives one) | 2 per point above, at most 20 |
//! | 问题: the form's findings | 5 per error + 1 per warning, at most 20 |
//! | 部门同分: a department of two or more projects whose 核算总分 are all the same (all 100 included) | 10 |
//!
//! Ties in the ranking are broken by the larger budget, then by 编号.
//!
//! # How the sample is drawn
//!
//! The size is `--size N`, or `--ratio R` of the projects rounded up (default 20 %), at
//! least one and at most all. Projects read more than once (C005) count once: only the
//! first copy can be drawn. The draw is stratified by 主管部门 (forms without one form the
//! group 未填主管部门) and weighted by risk, from a ChaCha8 stream seeded with `--seed`
//! (default [`DEFAULT_SEED`]), so the same inputs and seed give the same sample:
//!
//! 1. **Coverage**: in each department (in name order), one project is drawn with
//!    probability proportional to 风险分 + 1. When the size is smaller than the number of
//!    departments, the drawn projects with the highest 风险分 are kept.
//! 2. **Top risk**: half of the remaining places (rounded up) go to the highest-ranked
//!    projects not yet drawn.
//! 3. **Weighted random**: the other half is drawn among the rest, again with probability
//!    proportional to 风险分 + 1, without replacement.
//!
//! So the riskiest projects are always looked at, every department is visited, and a
//! department cannot know in advance which of its projects will be drawn.
//!
//! Randomness: [`rand_chacha::ChaCha8Rng`], whose stream for a seed is fixed across
//! versions and platforms (the crate documents it as reproducible); only its raw `u64`s
//! are used, with an exact rejection step for a uniform draw, so no distribution
//! algorithm of another crate can change the sample.

use crate::model::{Batch, Form, Severity};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The seed when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 20_240_101;

/// The share of projects drawn when neither `--size` nor `--ratio` is given: 20 %.
pub fn default_ratio() -> Decimal {
    Decimal::new(2, 1)
}

/// The group of the forms without a 主管部门.
pub const NO_DEPARTMENT: &str = "未填主管部门";

/// The list sheet of a sample workbook.
pub const LIST_SHEET: &str = "抽查清单";
/// The ranking of every project by risk.
pub const RANKING_SHEET: &str = "风险排序";
/// The hidden sheet holding each 底稿 row as it was issued, for `review` to compare with.
pub const ORIGINALS_SHEET: &str = "底稿原值";
/// What a 复核底稿 sheet's name ends with (`P0003复核底稿`).
pub const PAPER_SUFFIX: &str = "复核底稿";
/// The header of the hidden key column (column A) of a 复核底稿 and of 底稿原值.
pub const KEY_HEADER: &str = "行键";
/// Column A of a 底稿's 合计 row and of its notes below: rows that are not indicators.
pub const KEY_TOTAL: &str = "合计";
/// See [`KEY_TOTAL`].
pub const KEY_NOTE: &str = "注";

/// The columns of a 复核底稿 after the key: the issued ones, then the reviewer's
/// ([`REVIEWER_COLUMNS`] of them, the last three).
pub const PAPER_COLUMNS: [&str; 11] = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "自评完成值",
    "分值",
    "自评得分",
    "建议得分",
    "复核完成值",
    "复核得分",
    "复核意见",
];
/// How many of [`PAPER_COLUMNS`] the reviewer fills (the last ones).
pub const REVIEWER_COLUMNS: usize = 3;

/// The columns of 底稿原值 after the key: the project, then the issued columns of the
/// paper ([`PAPER_COLUMNS`] less the reviewer's).
pub const ORIGINAL_PROJECT_COLUMNS: [&str; 4] = ["编号", "项目名称", "主管部门", "工作表"];

/// A row's key: the project's 编号 and the row's number in its 底稿 (00 for 预算执行).
pub fn row_key(id: &str, n: usize) -> String {
    format!("{id}-{n:02}")
}

/// The name of a project's 复核底稿 sheet.
pub fn paper_name(id: &str) -> String {
    format!("{id}{PAPER_SUFFIX}")
}

/// How many projects to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    Count(usize),
    /// A share of the projects, rounded up.
    Ratio(Decimal),
}

impl Default for Size {
    fn default() -> Self {
        Size::Ratio(default_ratio())
    }
}

/// What to draw.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Plan {
    pub size: Size,
    /// `None`: [`DEFAULT_SEED`].
    pub seed: Option<u64>,
}

/// One part of a project's 风险分, with its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub points: Decimal,
    /// As the 抽取理由 says it: `预算金额大（全部项目前10%，808.1万元）`.
    pub words: String,
}

/// A project's 风险分 and its parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Risk {
    pub total: Decimal,
    pub factors: Vec<Factor>,
}

/// How a project came into the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Drawn as its department's one (step 1).
    Department,
    /// Among the highest 风险分 (step 2).
    TopRisk,
    /// Drawn at random weighted by 风险分 (step 3).
    Weighted,
}

/// One project of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Index into the batch's forms.
    pub form: usize,
    /// 1 for the highest 风险分.
    pub rank: usize,
    pub department: String,
    pub risk: Risk,
    /// How it was drawn, when it was.
    pub drawn: Option<How>,
}

impl Ranked {
    /// The 抽取理由 of a drawn project (or why it ranks where it does): how it was drawn,
    /// then each factor.
    pub fn reason(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match self.drawn {
            Some(How::Department) => parts.push("各部门至少抽一项（本部门按风险加权抽中）".into()),
            Some(How::TopRisk) => parts.push(format!("风险分居前（第{}名）", self.rank)),
            Some(How::Weighted) => parts.push("按风险加权随机抽取".into()),
            None => {}
        }
        parts.extend(self.risk.factors.iter().map(|f| f.words.clone()));
        if self.risk.factors.is_empty() {
            parts.push("无突出风险因素".into());
        }
        parts.join("；")
    }
}

/// The sample: every project ranked, and which were drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Every project that could be drawn, highest 风险分 first.
    pub ranked: Vec<Ranked>,
    /// Indices into `ranked` of the drawn projects, in 编号 order.
    pub drawn: Vec<usize>,
    pub seed: u64,
    /// How many were asked for (after rounding a ratio), at most the projects there are.
    pub size: usize,
    /// How many departments the projects belong to.
    pub departments: usize,
    /// Forms left out as repeated copies of a project (C005).
    pub copies: usize,
}

impl Sample {
    /// The drawn projects, in 编号 order.
    pub fn picks(&self) -> impl Iterator<Item = &Ranked> {
        self.drawn.iter().map(|&i| &self.ranked[i])
    }
}

/// A form's 主管部门 as the sample groups it.
pub fn department_of(f: &Form) -> String {
    f.department
        .value
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(NO_DEPARTMENT)
        .to_string()
}

/// A rate as a percentage for the words: `0.455` → `45.5%`.
pub fn percent_words(rate: Decimal) -> String {
    match crate::score::percent(rate) {
        Some(p) => format!("{}%", p.round_dp(2).normalize()),
        None => "—".into(),
    }
}

fn pts(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Every form's 风险分 (see the module doc), in form order. `pool` are the forms that
/// count (ranks of budget and department patterns are taken among them).
pub fn risks(b: &Batch, pool: &[usize]) -> Vec<Risk> {
    // Largest first: a budget's rank is one more than the budgets above it, found by
    // halving (counting them for each project was 0.2 s at 10,000 projects).
    let mut budgets: Vec<Decimal> = pool
        .iter()
        .filter_map(|&i| b.forms[i].funds.total.full_year.value)
        .collect();
    budgets.sort_unstable_by(|x, y| y.cmp(x));
    let n = pool.len();
    // Departments whose projects (two or more) all have one 核算总分.
    let mut totals: BTreeMap<String, Vec<Option<Decimal>>> = BTreeMap::new();
    for &i in pool {
        let f = &b.forms[i];
        totals
            .entry(department_of(f))
            .or_default()
            .push(f.computed_total);
    }
    let same: BTreeMap<String, (Decimal, usize)> = totals
        .into_iter()
        .filter_map(|(d, t)| {
            let first = (*t.first()?)?;
            (t.len() >= 2 && t.iter().all(|x| *x == Some(first))).then_some((d, (first, t.len())))
        })
        .collect();
    let mut out = vec![Risk::default(); b.forms.len()];
    for &i in pool {
        let f = &b.forms[i];
        let mut factors = Vec::new();
        if let Some(budget) = f.funds.total.full_year.value {
            let rank = 1 + budgets.partition_point(|x| *x > budget);
            let within = |share: usize| rank <= (n * share).div_ceil(100).max(1);
            let amount = format!("{}万元", budget.normalize());
            let (p, w) = if within(10) {
                (30, format!("预算金额大（全部项目前10%，{amount}）"))
            } else if within(25) {
                (20, format!("预算金额较大（全部项目前25%，{amount}）"))
            } else if within(50) {
                (10, format!("预算金额居前一半（{amount}）"))
            } else {
                (0, String::new())
            };
            if p > 0 {
                factors.push(Factor {
                    points: pts(p),
                    words: w,
                });
            }
        }
        match f.execution_rate {
            Some(r) => {
                let p = if r < Decimal::new(5, 1) {
                    30
                } else if r < Decimal::new(8, 1) {
                    20
                } else if r < Decimal::new(9, 1) {
                    10
                } else {
                    0
                };
                if p > 0 {
                    factors.push(Factor {
                        points: pts(p),
                        words: format!("执行率 {}", percent_words(r)),
                    });
                }
            }
            None => factors.push(Factor {
                points: pts(10),
                words: "执行率无法核算".into(),
            }),
        }
        let (mut above, mut over) = (0usize, Decimal::ZERO);
        // Read without keeping them unpacked (the batch is read packed).
        let inds = f
            .indicators
            .load()
            .unwrap_or_else(|_| std::borrow::Cow::Borrowed(&f.indicators[..]));
        for ind in inds.iter() {
            if let (Some(s), Some(g)) = (ind.score.value, ind.suggested)
                && crate::score::exceeds(s, g)
            {
                above += 1;
                over = over.checked_add(s - g).unwrap_or(over);
            }
        }
        if above > 0 {
            let p = over
                .checked_mul(pts(2))
                .unwrap_or(pts(20))
                .min(pts(20))
                .normalize();
            factors.push(Factor {
                points: p,
                words: format!(
                    "自评偏高（{above}项指标自评得分高于建议得分，合计高{}分）",
                    over.normalize()
                ),
            });
        }
        let (errors, warnings) = (f.count(Severity::Error), f.count(Severity::Warning));
        if errors + warnings > 0 {
            let p = (errors * 5 + warnings).min(20) as i64;
            let words = match (errors, warnings) {
                (0, w) => format!("警告{w}条"),
                (e, 0) => format!("错误{e}条"),
                (e, w) => format!("错误{e}条、警告{w}条"),
            };
            factors.push(Factor {
                points: pts(p),
                words,
            });
        }
        if let Some((t, k)) = same.get(&department_of(f)) {
            let words = if *t == Decimal::ONE_HUNDRED {
                format!("本部门{k}个项目均为满分（100分）")
            } else {
                format!("本部门{k}个项目核算总分均为{}分", t.normalize())
            };
            factors.push(Factor {
                points: pts(10),
                words,
            });
        }
        let total = factors
            .iter()
            .fold(Decimal::ZERO, |a, f| a + f.points)
            .normalize();
        out[i] = Risk { total, factors };
    }
    out
}

/// The seeded stream of the draw: raw `u64`s of ChaCha8, and a uniform integer below `n`
/// by rejection (no modulo bias, no algorithm of another crate).
struct Stream(ChaCha8Rng);

impl Stream {
    fn new(seed: u64) -> Self {
        Stream(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.0.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// One of `items` (indices into `ranked`), with probability proportional to 风险分 + 1
    /// (in hundredths of a point, so every weight is a whole number).
    fn weighted(&mut self, items: &[usize], ranked: &[Ranked]) -> Option<usize> {
        let weight = |i: usize| weight(&ranked[i]);
        let total: u64 = items.iter().map(|&i| weight(i)).sum();
        if total == 0 {
            return None;
        }
        let mut r = self.below(total);
        for &i in items {
            let w = weight(i);
            if r < w {
                return Some(i);
            }
            r -= w;
        }
        None
    }
}

/// A project's weight in a weighted draw: 风险分 + 1 in hundredths of a point (at least 1).
fn weight(r: &Ranked) -> u64 {
    let w = (r.risk.total + Decimal::ONE) * Decimal::ONE_HUNDRED;
    u64::try_from(w.round().mantissa()).unwrap_or(1).max(1)
}

/// The weights of the projects not yet drawn, in rank order, as a Fenwick tree: a draw of
/// step 3 finds its project in O(log n) rather than walking every project left (walking
/// them, a sample of half of 10,000 projects took 20 s). It draws what
/// [`Stream::weighted`] draws over the projects left in rank order: the first whose
/// running total of weights passes the random number.
struct Left {
    /// `tree[i]` sums the weights of the `i & -i` projects ending at project `i - 1`.
    tree: Vec<u64>,
    weights: Vec<u64>,
}

impl Left {
    fn new(weights: Vec<u64>) -> Self {
        let n = weights.len();
        let mut tree = vec![0; n + 1];
        for (k, &w) in weights.iter().enumerate() {
            let mut i = k + 1;
            while i <= n {
                tree[i] += w;
                i += i & i.wrapping_neg();
            }
        }
        Left { tree, weights }
    }

    fn total(&self) -> u64 {
        let mut i = self.weights.len();
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// Takes project `k` out (its weight becomes 0).
    fn take(&mut self, k: usize) {
        let w = std::mem::take(&mut self.weights[k]);
        let mut i = k + 1;
        while i < self.tree.len() {
            self.tree[i] -= w;
            i += i & i.wrapping_neg();
        }
    }

    /// The first project whose running total of weights exceeds `r` (`r` < [`Left::total`]).
    fn find(&self, mut r: u64) -> usize {
        let n = self.weights.len();
        let mut at = 0;
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            let next = at + step;
            if next <= n && self.tree[next] <= r {
                r -= self.tree[next];
                at = next;
            }
            step >>= 1;
        }
        at
    }

    /// One project left, drawn as [`Stream::weighted`] would draw it, and taken out.
    fn draw(&mut self, stream: &mut Stream) -> Option<usize> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let k = self.find(stream.below(total));
        self.take(k);
        Some(k)
    }
}

/// Ranks every project and draws the sample (see the module doc).
pub fn draw(b: &Batch, plan: &Plan) -> Sample {
    // Only the first copy of a project read more than once can be drawn.
    let copies: std::collections::HashSet<usize> = b
        .duplicates
        .iter()
        .flat_map(|g| g.iter().skip(1).copied())
        .collect();
    let pool: Vec<usize> = (0..b.forms.len()).filter(|i| !copies.contains(i)).collect();
    let risks = risks(b, &pool);
    let budget = |i: usize| b.forms[i].funds.total.full_year.value;
    let mut order = pool.clone();
    order.sort_by(|&x, &y| {
        risks[y]
            .total
            .cmp(&risks[x].total)
            .then_with(|| budget(y).cmp(&budget(x)))
            .then_with(|| x.cmp(&y))
    });
    let mut ranked: Vec<Ranked> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| Ranked {
            form: i,
            rank: k + 1,
            department: department_of(&b.forms[i]),
            risk: risks[i].clone(),
            drawn: None,
        })
        .collect();
    let n = ranked.len();
    let size = match plan.size {
        Size::Count(c) => c,
        Size::Ratio(r) => {
            use rust_decimal::prelude::ToPrimitive;
            r.checked_mul(Decimal::from(n as u64))
                .and_then(|w| w.ceil().to_usize())
                .unwrap_or(n)
        }
    }
    .clamp(usize::from(n > 0), n);
    let seed = plan.seed.unwrap_or(DEFAULT_SEED);
    let mut stream = Stream::new(seed);
    let mut by_dept: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, r) in ranked.iter().enumerate() {
        by_dept.entry(r.department.as_str()).or_default().push(k);
    }
    let departments = by_dept.len();
    // 1. One per department, weighted; the riskiest of them when there are too many.
    let mut first: Vec<usize> = by_dept
        .values()
        .filter_map(|items| stream.weighted(items, &ranked))
        .collect();
    first.sort_unstable(); // by rank: highest risk first
    first.truncate(size);
    let mut picked: Vec<(usize, How)> = first.into_iter().map(|k| (k, How::Department)).collect();
    let mut taken = vec![false; n];
    for &(k, _) in &picked {
        taken[k] = true;
    }
    // 2. Half of the rest, rounded up, by rank.
    let rest = size - picked.len();
    let top: Vec<usize> = (0..n)
        .filter(|&k| !taken[k])
        .take(rest.div_ceil(2))
        .collect();
    for &k in &top {
        taken[k] = true;
    }
    picked.extend(top.into_iter().map(|k| (k, How::TopRisk)));
    // 3. The other half weighted at random.
    let mut left = Left::new(
        ranked
            .iter()
            .zip(&taken)
            .map(|(r, &t)| if t { 0 } else { weight(r) })
            .collect(),
    );
    while picked.len() < size {
        let Some(k) = left.draw(&mut stream) else {
            break;
        };
        picked.push((k, How::Weighted));
    }
    for (k, how) in &picked {
        ranked[*k].drawn = Some(*how);
    }
    let mut drawn: Vec<usize> = picked.into_iter().map(|(k, _)| k).collect();
    drawn.sort_by_key(|&k| ranked[k].form);
    Sample {
        ranked,
        drawn,
        seed,
        size,
        departments,
        copies: copies.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, FundRow, Funds, Indicator};

    fn form(dept: &str, budget: i64, rate: Decimal, total: i64) -> Form {
        Form {
            department: Field::new(Some(dept.into()), None),
            funds: Box::new(Funds {
                total: FundRow {
                    full_year: Field::new(Some(budget.into()), None),
                    ..Default::default()
                },
                ..Default::default()
            }),
            execution_rate: Some(rate),
            computed_total: Some(total.into()),
            ..Default::default()
        }
    }

    fn batch(forms: Vec<Form>) -> Batch {
        Batch {
            forms,
            ..Default::default()
        }
    }

    #[test]
    fn risk_parts_are_stated_in_words() {
        let mut low = form("乙", 500, Decimal::new(45, 2), 90);
        low.indicators.push(Indicator {
            score: Field::new(Some(10.into()), None),
            suggested: Some(Decimal::new(65, 1)),
            ..Default::default()
        });
        let b = batch(vec![
            form("甲", 10, Decimal::ONE, 100),
            form("甲", 20, Decimal::ONE, 100),
            low,
            form("丙", 30, Decimal::new(85, 2), 80),
        ]);
        let r = risks(&b, &[0, 1, 2, 3]);
        // 甲: both at 100; budgets of 10 and 20 are the last two of four.
        assert_eq!(r[0].total, pts(10));
        assert_eq!(r[0].factors[0].words, "本部门2个项目均为满分（100分）");
        assert_eq!(r[1].total, pts(10));
        // 乙: the largest budget, 45 % executed, 3.5 points above the suggestion.
        let words: Vec<&str> = r[2].factors.iter().map(|f| f.words.as_str()).collect();
        assert_eq!(
            words,
            [
                "预算金额大（全部项目前10%，500万元）",
                "执行率 45%",
                "自评偏高（1项指标自评得分高于建议得分，合计高3.5分）"
            ]
        );
        assert_eq!(r[2].total, pts(30 + 30 + 7));
        // 丙: second budget (top 25 % of four is one project, so top half), 85 %.
        assert_eq!(r[3].total, pts(10 + 10));
    }

    #[test]
    fn the_same_seed_draws_the_same_sample_and_every_department() {
        let mut forms = Vec::new();
        for i in 0..30 {
            let dept = ["甲", "乙", "丙", "丁", "戊"][i % 5];
            forms.push(form(
                dept,
                10 + i as i64,
                Decimal::new(50 + i as i64, 2),
                90,
            ));
        }
        let b = batch(forms);
        let plan = Plan {
            size: Size::Count(8),
            seed: Some(7),
        };
        let s = draw(&b, &plan);
        assert_eq!(s, draw(&b, &plan));
        assert_eq!(s.drawn.len(), 8);
        let depts: std::collections::BTreeSet<&str> =
            s.picks().map(|r| r.department.as_str()).collect();
        assert_eq!(depts.len(), 5);
        let hows: Vec<How> = s.picks().filter_map(|r| r.drawn).collect();
        assert_eq!(hows.iter().filter(|h| **h == How::Department).count(), 5);
        assert_eq!(hows.iter().filter(|h| **h == How::TopRisk).count(), 2);
        assert_eq!(hows.iter().filter(|h| **h == How::Weighted).count(), 1);
        assert!(s.picks().all(|r| !r.reason().is_empty()));
        // The default ratio, 20 % of 30.
        assert_eq!(draw(&b, &Plan::default()).drawn.len(), 6);
        // Fewer places than departments: the riskiest of the departments' draws.
        let two = draw(
            &b,
            &Plan {
                size: Size::Count(2),
                seed: Some(7),
            },
        );
        assert_eq!(two.drawn.len(), 2);
        assert!(two.picks().all(|r| r.drawn == Some(How::Department)));
        // Another seed, another draw (of the random parts).
        let other = (1..20u64)
            .map(|seed| {
                draw(
                    &b,
                    &Plan {
                        size: Size::Count(8),
                        seed: Some(seed),
                    },
                )
                .drawn
            })
            .collect::<std::collections::BTreeSet<_>>();
        assert!(other.len() > 1);
    }

    /// Step 3 as it was first written, walking every project left for each draw: the
    /// Fenwick tree ([`Left`]) must draw the very same projects in the same order.
    fn walked(ranked: &[Ranked], picked: &mut Vec<(usize, How)>, size: usize, s: &mut Stream) {
        while picked.len() < size {
            let left: Vec<usize> = (0..ranked.len())
                .filter(|&k| !picked.iter().any(|(p, _)| *p == k))
                .collect();
            let Some(k) = s.weighted(&left, ranked) else {
                break;
            };
            picked.push((k, How::Weighted));
        }
    }

    #[test]
    fn weighted_draws_are_those_of_walking_every_project_left() {
        let mut rng = Stream::new(99);
        for round in 0..40u64 {
            let n = 1 + rng.below(120) as usize;
            let forms: Vec<Form> = (0..n)
                .map(|_| {
                    form(
                        ["甲", "乙", "丙", "丁", "戊", "己", "庚"][rng.below(7) as usize],
                        rng.below(500) as i64,
                        Decimal::new(rng.below(120) as i64, 2),
                        60 + rng.below(41) as i64,
                    )
                })
                .collect();
            let b = batch(forms);
            let size = 1 + rng.below(n as u64) as usize;
            let plan = Plan {
                size: Size::Count(size),
                seed: Some(round),
            };
            let s = draw(&b, &plan);
            // The draw replayed: steps 1 and 2 from what it marked, step 3 walked with the
            // stream where step 1 left it.
            let mut stream = Stream::new(round);
            let mut by_dept: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (k, r) in s.ranked.iter().enumerate() {
                by_dept.entry(r.department.as_str()).or_default().push(k);
            }
            for items in by_dept.values() {
                stream.weighted(items, &s.ranked);
            }
            let mut picked: Vec<(usize, How)> = (0..s.ranked.len())
                .filter_map(|k| match s.ranked[k].drawn {
                    Some(h @ (How::Department | How::TopRisk)) => Some((k, h)),
                    _ => None,
                })
                .collect();
            walked(&s.ranked, &mut picked, s.size, &mut stream);
            let mut want: Vec<usize> = picked.iter().map(|(k, _)| *k).collect();
            want.sort_by_key(|&k| s.ranked[k].form);
            assert_eq!(s.drawn, want, "round {round}: {n} projects, {size} drawn");
            for (k, how) in picked {
                assert_eq!(s.ranked[k].drawn, Some(how), "round {round}");
            }
        }
    }

    #[test]
    fn the_stream_is_fixed_for_a_seed() {
        // ChaCha8's stream is reproducible: a change of crate version that changed it
        // would change every sample drawn with a seed, and must be noticed.
        let mut s = Stream::new(DEFAULT_SEED);
        let xs: Vec<u64> = (0..3).map(|_| s.below(1000)).collect();
        assert_eq!(xs, [717, 556, 735]);
    }
}
