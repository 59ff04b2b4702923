//! Scoring profiles (评分口径) as data: how a reviewer scores a form, by the document she
//! follows. A profile states the execution weight, the 一级 weights where fixed, the
//! formulas of positive, reverse and qualitative indicators, the over-target rule, an
//! execution cap on the total, the grade bands and the tolerance past which a self score
//! is 自评偏高 (S015) or 自评偏低 (S016). `crate::score` applies one to a form.
//!
//! Profiles are text, `名称 = 值` per line as in the clerk's settings file: the built-in
//! ones are the files beside this module (each cites its source in `依据`), and a clerk's
//! own is a file of the same keys (`--profile 我的口径.txt`); a key left out takes the
//! value of 财预〔2020〕10号. The keys and values:
//!
//! ```text
//! 名称 = 我的口径                      (required)
//! 别名 = mine, 口径一                   (other names --profile and 评分口径 accept)
//! 依据 = 某省财政厅某某号文             (the source document; may repeat)
//! 说明 = …                              (free text printed by `jixiao rules --profiles`; may repeat)
//! 预算执行分值 = 10                     (the execution weight where the form states none)
//! 一级指标分值 = 产出指标 50，效益指标 30，满意度指标 10   (or 不固定)
//! 反向指标 = 线性扣减                   (or 按比例: A/B × 分值)
//! 定性指标 = 达成 80-100，部分达成 60-80，未达成 0-60    (percent of the weight)
//! 超额完成 = 须说明                     (or 不扣分, or 扣2分)
//! 超额完成界限 = 130%
//! 执行率封顶 = 80% 89，70% 79，60% 69，50% 59           (or 无)
//! 等级 = 优 90，良 80，中 60，差 0      (names of 优 良 中 差 好 较好 一般 较差)
//! 容差 = 0.5
//! ```
//!
//! The formulas, with A the target (指标值), B the actual (完成值) and W the weight:
//! - positive (≥, >, =, a bare number): min(B/A, 1) × W; A = 0 is met by any B ≥ 0.
//! - reverse (≤, <, and a bare amount under 成本指标): W when B ≤ A; 线性扣减
//!   (1 − (B − A)/A) × W for A < B < 2A and 0 from 2A on; 按比例 A/B × W.
//! - qualitative: the band's share of W. The suggestion is the band's upper bound (the
//!   most a reviewer would give), and a self score is 偏低 only under the band's lower
//!   bound: a score inside the band is the filler's judgement.
//! - over target (positive, B ≥ 130 % of A, A > 0): 不扣分 and 须说明 leave the score
//!   (须说明: the deviation reason must say why; whether the target was set too low is the
//!   reviewer's call), 扣N分 takes N points off the suggestion (not below 0).
//! - the execution cap: with 执行率 under a threshold the suggested total is at most its
//!   cap (the strictest that applies).
//!
//! Suggestions are rounded to two decimals (half away from zero), as scores are written.

use crate::wording::Rating;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

/// How a reverse (lower is better) indicator that exceeded its ceiling is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reverse {
    /// (1 − (B − A)/A) × W for A < B < 2A, 0 from 2A on (线性扣减).
    Linear,
    /// A/B × W (按比例).
    Ratio,
}

/// What an actual of 130 % of its target or more does to a positive indicator's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverTarget {
    /// 不扣分.
    Ignore,
    /// 须说明: the reason column must say why; the suggestion is not lowered.
    Explain,
    /// 扣N分: N points off the suggestion.
    Deduct(Decimal),
}

/// One scoring profile (评分口径).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: String,
    /// Other names it is picked by.
    pub aliases: Vec<String>,
    /// The document it follows (依据).
    pub source: String,
    /// What a reader should know, in Chinese (说明 lines).
    pub notes: Vec<String>,
    /// 预算执行 分值, where a form states none (0: execution is scored as an indicator).
    pub execution_weight: Decimal,
    /// 一级 weights where fixed, by the label's words; empty when not fixed.
    pub level1: Vec<(String, Decimal)>,
    pub reverse: Reverse,
    /// The shares of the weight of 达成, 部分达成 and 未达成, each (lower, upper).
    pub qualitative: [(Decimal, Decimal); 3],
    pub over_target: OverTarget,
    /// The actual/target ratio from which an indicator is over target (1.3).
    pub over_target_at: Decimal,
    /// (执行率 under this, total at most this), strictest last.
    pub cap: Vec<(Decimal, Decimal)>,
    /// (lowest total, grade name), highest first.
    pub grades: Vec<(Decimal, &'static str)>,
    /// A self score more than this above the suggestion is 自评偏高; below, 自评偏低.
    pub tolerance: Decimal,
}

/// The grade names a profile may use (as 等级 columns print them).
const GRADE_NAMES: &[&str] = &["优", "良", "中", "差", "好", "较好", "一般", "较差"];

/// The built-in profiles' texts, the default first.
const BUILTIN_TEXTS: &[&str] = &[
    include_str!("caiyu2020.txt"),
    include_str!("central.txt"),
    include_str!("hubei2020.txt"),
    include_str!("ningxia2021.txt"),
    include_str!("sichuan2023.txt"),
];

/// The name of the default profile.
pub const DEFAULT: &str = "财预〔2020〕10号";

/// The built-in profiles, the default ([`DEFAULT`]) first.
pub fn builtins() -> &'static [Arc<Profile>] {
    static ALL: OnceLock<Vec<Arc<Profile>>> = OnceLock::new();
    ALL.get_or_init(|| {
        BUILTIN_TEXTS
            .iter()
            .map(|t| {
                Arc::new(
                    Profile::parse(t, None)
                        .unwrap_or_else(|e| panic!("built-in profile: {}", e.join("；"))),
                )
            })
            .collect()
    })
}

/// The default profile, 财预〔2020〕10号.
pub fn default_profile() -> Arc<Profile> {
    Arc::clone(&builtins()[0])
}

impl Default for Profile {
    fn default() -> Self {
        (*builtins()[0]).clone()
    }
}

/// A name as it is compared: no whitespace or brackets, lower case (`财预〔2020〕10号`,
/// `财预2020 10号` and `财预(2020)10号` are one).
fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '〔' | '〕' | '[' | ']' | '(' | ')' | '（' | '）' | '【' | '】' | '-' | '_'
                )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The built-in profile called `name` (its name or an alias, brackets and spaces aside).
pub fn find(name: &str) -> Option<Arc<Profile>> {
    let k = name_key(name);
    builtins()
        .iter()
        .find(|p| name_key(&p.name) == k || p.aliases.iter().any(|a| name_key(a) == k))
        .cloned()
}

/// The profile `--profile` names: a built-in one by its name or an alias, else a clerk's
/// own file at that path. The error, in Chinese, lists the built-in names.
pub fn resolve(arg: &str) -> Result<Arc<Profile>, String> {
    if let Some(p) = find(arg) {
        return Ok(p);
    }
    let path = std::path::Path::new(arg);
    if path.is_file() {
        return Profile::from_file(path).map(Arc::new);
    }
    Err(format!(
        "没有评分口径“{arg}”：可用 {}（jixiao rules --profiles 查看），或给出评分口径文件的路径",
        names()
    ))
}

/// The names of the built-in profiles, for messages.
pub fn names() -> String {
    builtins()
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// Splits a list value at `，` `,` `、` `；` `;`.
fn items(v: &str) -> impl Iterator<Item = &str> {
    v.split(['，', ',', '、', '；', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A number, `%` allowed (then a fraction).
fn number(s: &str) -> Option<Decimal> {
    let s = s.trim();
    match s.strip_suffix(['%', '％']) {
        Some(p) => Decimal::from_str(p.trim())
            .ok()
            .map(|d| d / Decimal::ONE_HUNDRED),
        None => Decimal::from_str(s).ok(),
    }
}

/// `名 数`: a label and the number after it (`产出指标 50`, `优 90`, `80% 89`).
fn pair(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    let at = s.rfind(|c: char| c.is_whitespace())?;
    Some((s[..at].trim(), s[at..].trim()))
}

fn dec(i: i64, scale: u32) -> Decimal {
    Decimal::new(i, scale)
}

impl Profile {
    /// Reads a profile from its text ([module doc](self)); `None` as `default` takes the
    /// defaults of 财预〔2020〕10号 written in code (the built-ins state every key). Every
    /// line not understood is a problem, in Chinese with its line number; any problem
    /// rejects the file (a scoring basis half understood is none).
    pub fn parse(text: &str, default: Option<&Profile>) -> Result<Profile, Vec<String>> {
        let mut p = match default {
            Some(d) => Profile {
                name: String::new(),
                aliases: Vec::new(),
                source: String::new(),
                notes: Vec::new(),
                ..d.clone()
            },
            None => Profile {
                name: String::new(),
                aliases: Vec::new(),
                source: String::new(),
                notes: Vec::new(),
                execution_weight: dec(10, 0),
                level1: Vec::new(),
                reverse: Reverse::Linear,
                qualitative: [
                    (dec(8, 1), Decimal::ONE),
                    (dec(6, 1), dec(8, 1)),
                    (Decimal::ZERO, dec(6, 1)),
                ],
                over_target: OverTarget::Explain,
                over_target_at: dec(13, 1),
                cap: Vec::new(),
                grades: vec![
                    (dec(90, 0), "优"),
                    (dec(80, 0), "良"),
                    (dec(60, 0), "中"),
                    (Decimal::ZERO, "差"),
                ],
                tolerance: dec(5, 1),
            },
        };
        let mut problems = Vec::new();
        let text = text.trim_start_matches('\u{feff}');
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with(['#', '＃']) {
                continue;
            }
            let Some(at) = line.find(['=', '＝', ':', '：']) else {
                problems.push(format!("第 {n} 行：看不懂“{line}”（应为 名称 = 值）"));
                continue;
            };
            let key: String = line[..at].chars().filter(|c| !c.is_whitespace()).collect();
            let sep = line[at..].chars().next().map_or(1, char::len_utf8);
            let v = line[at + sep..].trim();
            let mut bad = |what: &str| problems.push(format!("第 {n} 行：{key}{what}，不是“{v}”"));
            match key.as_str() {
                "名称" => p.name = v.to_string(),
                "别名" => p.aliases = items(v).map(String::from).collect(),
                "依据" => {
                    if !p.source.is_empty() {
                        p.source.push('；');
                    }
                    p.source.push_str(v);
                }
                "说明" => p.notes.push(v.to_string()),
                "预算执行分值" => match number(v) {
                    Some(d) if d >= Decimal::ZERO => p.execution_weight = d,
                    _ => bad("应为不小于0的分数（如 10）"),
                },
                "一级指标分值" => {
                    if v == "不固定" || v == "无" {
                        p.level1.clear();
                        continue;
                    }
                    let parsed: Option<Vec<(String, Decimal)>> = items(v)
                        .map(|it| {
                            let (l, w) = pair(it)?;
                            Some((l.to_string(), number(w)?))
                        })
                        .collect();
                    match parsed {
                        Some(l) if !l.is_empty() => p.level1 = l,
                        _ => bad("应为“产出指标 50，效益指标 30，满意度指标 10”或“不固定”"),
                    }
                }
                "反向指标" => match v {
                    "线性扣减" => p.reverse = Reverse::Linear,
                    "按比例" => p.reverse = Reverse::Ratio,
                    _ => bad("应为“线性扣减”或“按比例”"),
                },
                "定性指标" => {
                    let mut bands = p.qualitative;
                    let mut seen = 0;
                    for it in items(v) {
                        let band = pair(it).and_then(|(l, r)| {
                            let k = ["达成", "部分达成", "未达成"]
                                .iter()
                                .position(|w| *w == l)?;
                            let (lo, hi) = r.split_once(['-', '–', '—', '~', '～'])?;
                            let (lo, hi) = (
                                number(lo.trim_end_matches(['%', '％']))?,
                                number(hi.trim_end_matches(['%', '％']))?,
                            );
                            let (lo, hi) = (lo / Decimal::ONE_HUNDRED, hi / Decimal::ONE_HUNDRED);
                            (Decimal::ZERO <= lo && lo <= hi && hi <= Decimal::ONE)
                                .then_some((k, lo, hi))
                        });
                        match band {
                            Some((k, lo, hi)) => {
                                bands[k] = (lo, hi);
                                seen += 1;
                            }
                            None => seen = -100,
                        }
                    }
                    if seen == 3 {
                        p.qualitative = bands;
                    } else {
                        bad("应为“达成 80-100，部分达成 60-80，未达成 0-60”（分值的百分比）");
                    }
                }
                "超额完成" => match v {
                    "不扣分" => p.over_target = OverTarget::Ignore,
                    "须说明" | "说明" => p.over_target = OverTarget::Explain,
                    _ => match v
                        .strip_prefix('扣')
                        .and_then(|r| r.strip_suffix('分'))
                        .and_then(number)
                    {
                        Some(d) if d > Decimal::ZERO => p.over_target = OverTarget::Deduct(d),
                        _ => bad("应为“不扣分”“须说明”或“扣2分”"),
                    },
                },
                "超额完成界限" => match number(v) {
                    Some(d) if d > Decimal::ONE => p.over_target_at = d,
                    _ => bad("应为大于100%的比例（如 130%）"),
                },
                "执行率封顶" => {
                    if v == "无" || v == "不封顶" {
                        p.cap.clear();
                        continue;
                    }
                    let parsed: Option<Vec<(Decimal, Decimal)>> = items(v)
                        .map(|it| {
                            let (r, c) = pair(it)?;
                            Some((number(r)?, number(c)?))
                        })
                        .collect();
                    match parsed {
                        Some(mut c) if !c.is_empty() => {
                            c.sort_by_key(|x| std::cmp::Reverse(x.0));
                            p.cap = c;
                        }
                        _ => bad(
                            "应为“80% 89，70% 79，60% 69，50% 59”（执行率低于前者时总分不超过后者）或“无”",
                        ),
                    }
                }
                "等级" => {
                    let parsed: Option<Vec<(Decimal, &'static str)>> = items(v)
                        .map(|it| {
                            let (g, m) = pair(it)?;
                            let g = GRADE_NAMES.iter().find(|n| **n == g)?;
                            Some((number(m)?, *g))
                        })
                        .collect();
                    match parsed {
                        Some(mut g) if !g.is_empty() => {
                            g.sort_by_key(|x| std::cmp::Reverse(x.0));
                            p.grades = g;
                        }
                        _ => bad(&format!(
                            "应为“优 90，良 80，中 60，差 0”（等级名用 {}）",
                            GRADE_NAMES.join(" ")
                        )),
                    }
                }
                "容差" => match number(v) {
                    Some(d) if d >= Decimal::ZERO => p.tolerance = d,
                    _ => bad("应为不小于0的分数（如 0.5）"),
                },
                _ => problems.push(format!("第 {n} 行：不认识的项“{key}”")),
            }
        }
        if p.name.is_empty() {
            problems.push("缺少“名称 = …”".to_string());
        }
        if problems.is_empty() {
            Ok(p)
        } else {
            Err(problems)
        }
    }

    /// Reads a clerk's own profile file (the keys of the [module doc](self), missing ones
    /// as in 财预〔2020〕10号), in UTF-8 (with or without BOM) or GBK.
    pub fn from_file(path: &std::path::Path) -> Result<Profile, String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "无法读取评分口径文件 {}：{}",
                path.display(),
                crate::error::io_words(&e)
            )
        })?;
        let text = match std::str::from_utf8(&bytes) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::GBK.decode(&bytes).0.into_owned(),
        };
        Profile::parse(&text, Some(&default_profile())).map_err(|problems| {
            format!(
                "评分口径文件 {} 有看不懂的地方：\n  {}",
                path.display(),
                problems.join("\n  ")
            )
        })
    }

    /// A positive indicator's share of its weight: min(B/A, 1); any B ≥ 0 meets A ≤ 0.
    pub fn positive(&self, a: Decimal, b: Decimal) -> Option<Decimal> {
        if b >= a {
            return Some(Decimal::ONE);
        }
        if a <= Decimal::ZERO || b <= Decimal::ZERO {
            return Some(Decimal::ZERO);
        }
        b.checked_div(a)
    }

    /// A reverse indicator's share: 1 when B ≤ A, else by [`Reverse`].
    pub fn reverse(&self, a: Decimal, b: Decimal) -> Option<Decimal> {
        if b <= a {
            return Some(Decimal::ONE);
        }
        if a <= Decimal::ZERO {
            return Some(Decimal::ZERO);
        }
        match self.reverse {
            Reverse::Linear => {
                let over = b.checked_sub(a)?.checked_div(a)?;
                Some((Decimal::ONE - over.min(Decimal::ONE)).max(Decimal::ZERO))
            }
            Reverse::Ratio => a.checked_div(b),
        }
    }

    /// A qualitative band's shares of the weight, (lower, upper).
    pub fn band(&self, r: Rating) -> (Decimal, Decimal) {
        self.qualitative[match r {
            Rating::Achieved => 0,
            Rating::Partial => 1,
            Rating::Missed => 2,
        }]
    }

    /// Whether an actual `b` is over target `a` by the profile's rule (B ≥ 130 % of A).
    pub fn over(&self, a: Decimal, b: Decimal) -> bool {
        a > Decimal::ZERO && a.checked_mul(self.over_target_at).is_some_and(|t| b >= t)
    }

    /// The points an over-target indicator loses.
    pub fn over_deduction(&self) -> Decimal {
        match self.over_target {
            OverTarget::Deduct(d) => d,
            _ => Decimal::ZERO,
        }
    }

    /// The most a total may be with this execution rate, if the profile caps it.
    pub fn cap_for(&self, rate: Decimal) -> Option<Decimal> {
        self.cap
            .iter()
            .filter(|(under, _)| rate < *under)
            .map(|(_, c)| *c)
            .min()
    }

    /// The grade of a total.
    pub fn grade(&self, total: Decimal) -> &'static str {
        self.grades
            .iter()
            .find(|(min, _)| total >= *min)
            .or(self.grades.last())
            .map_or("差", |(_, g)| g)
    }

    /// The profile as `jixiao rules --profiles` prints it, in Chinese.
    pub fn describe(&self) -> String {
        let pct = |d: Decimal| (d * Decimal::ONE_HUNDRED).normalize().to_string();
        let mut s = self.name.clone();
        if !self.aliases.is_empty() {
            s += &format!("（也可写作：{}）", self.aliases.join("、"));
        }
        s += &format!("\n  依据：{}\n", self.source);
        for n in &self.notes {
            s += &format!("  {n}\n");
        }
        s += &format!(
            "  预算执行分值：{}（表中未填分值时）\n",
            self.execution_weight.normalize()
        );
        let l1 = if self.level1.is_empty() {
            "不固定".to_string()
        } else {
            self.level1
                .iter()
                .map(|(l, w)| format!("{l} {}", w.normalize()))
                .collect::<Vec<_>>()
                .join("，")
        };
        s += &format!("  一级指标分值：{l1}\n");
        s += "  正向指标：完成值/指标值 × 分值，满分封顶\n";
        s += match self.reverse {
            Reverse::Linear => {
                "  反向指标：完成值不超过指标值得满分；超过时按 (1 − 超出部分/指标值) × 分值，达到指标值2倍得0分\n"
            }
            Reverse::Ratio => {
                "  反向指标：完成值不超过指标值得满分；超过时按 指标值/完成值 × 分值\n"
            }
        };
        let [a, p, m] = self.qualitative;
        s += &format!(
            "  定性指标：达成 {}–{}%，部分达成 {}–{}%，未达成 {}–{}%（建议得分取该档上限）\n",
            pct(a.0),
            pct(a.1),
            pct(p.0),
            pct(p.1),
            pct(m.0),
            pct(m.1)
        );
        let over = match self.over_target {
            OverTarget::Ignore => "不扣分".to_string(),
            OverTarget::Explain => "须在偏差原因中说明，不自动扣分".to_string(),
            OverTarget::Deduct(d) => format!("扣{}分", d.normalize()),
        };
        s += &format!(
            "  超额完成（完成值达到指标值的{}%及以上）：{over}\n",
            pct(self.over_target_at)
        );
        let cap = if self.cap.is_empty() {
            "无".to_string()
        } else {
            self.cap
                .iter()
                .map(|(r, c)| format!("执行率低于{}%时不超过{}分", pct(*r), c.normalize()))
                .collect::<Vec<_>>()
                .join("，")
        };
        s += &format!("  执行率封顶：{cap}\n");
        s += &format!(
            "  等级：{}\n",
            self.grades
                .iter()
                .map(|(m, g)| format!("{g} ≥{}", m.normalize()))
                .collect::<Vec<_>>()
                .join("，")
        );
        s += &format!(
            "  容差：自评得分高于建议得分超过{}分为自评偏高（S015），低于超过{}分为自评偏低（S016）\n",
            self.tolerance.normalize(),
            self.tolerance.normalize()
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_builtins_parse_and_are_found_by_name_or_alias() {
        let all = builtins();
        assert_eq!(all.len(), 5);
        assert_eq!(all[0].name, DEFAULT);
        for p in all {
            assert!(!p.source.is_empty(), "{}", p.name);
            assert_eq!(find(&p.name).unwrap().name, p.name);
        }
        assert_eq!(find("财预2020 10号").unwrap().name, DEFAULT);
        assert_eq!(find("default").unwrap().name, DEFAULT);
        assert_eq!(find("HUBEI2020").unwrap().execution_weight, d("20"));
        assert_eq!(find("中央对地方转移支付").unwrap().name, "中央转移支付");
        assert!(find("广西2021").is_none());
        // The defaults in code are those the default's file states.
        let bare = Profile::parse("名称 = 财预〔2020〕10号", None).unwrap();
        let full = &*all[0];
        assert_eq!(bare.qualitative, full.qualitative);
        assert_eq!(bare.grades, full.grades);
        assert_eq!(bare.tolerance, full.tolerance);
        assert_eq!(bare.over_target, full.over_target);
        assert_eq!(bare.reverse, full.reverse);
    }

    /// 财预〔2020〕10号: 定量 by proportion, 满分 capped; reverse at 1.5 A loses half (线性扣减).
    #[test]
    fn default_formulas_worked_by_hand() {
        let p = default_profile();
        // ≥95% met with 98%: full; 90% of a 95% target: 90/95 = 0.947368…
        assert_eq!(p.positive(d("0.95"), d("0.98")), Some(d("1")));
        assert_eq!(
            p.positive(d("0.95"), d("0.9")).unwrap().round_dp(4),
            d("0.9474")
        );
        // ≤160万元 with 240万元 = 1.5 A: 1 − 80/160 = 0.5 of the weight.
        assert_eq!(p.reverse(d("160"), d("240")), Some(d("0.5")));
        // ≤160万元 with 386万元 ≥ 2 A: 0; with 150: full.
        assert_eq!(p.reverse(d("160"), d("386")), Some(d("0")));
        assert_eq!(p.reverse(d("160"), d("150")), Some(d("1")));
        // Qualitative bands: 达成 80–100 %, 部分达成 60–80 %, 未达成 0–60 %.
        assert_eq!(p.band(Rating::Achieved), (d("0.8"), d("1")));
        assert_eq!(p.band(Rating::Partial), (d("0.6"), d("0.8")));
        assert_eq!(p.band(Rating::Missed), (d("0"), d("0.6")));
        // Over target: 须说明, no points off; no cap.
        assert!(p.over(d("100"), d("130")));
        assert!(!p.over(d("100"), d("129.9")));
        assert_eq!(p.over_deduction(), d("0"));
        assert_eq!(p.cap_for(d("0.3")), None);
        assert_eq!(p.grade(d("90")), "优");
        assert_eq!(p.grade(d("89.99")), "良");
        assert_eq!(p.grade(d("59")), "差");
    }

    #[test]
    fn ratio_reverse_cap_and_deduction_from_a_file() {
        let text = "名称 = 某一体化口径\n依据 = 测试\n反向指标 = 按比例\n超额完成 = 扣2分\n\
                    执行率封顶 = 80% 89，70% 79，60% 69，50% 59\n等级 = 好 95，较好 85，一般 60，较差 0\n";
        let p = Profile::parse(text, Some(&default_profile())).unwrap();
        // A/B at 1.5 A: 160/240 = 2/3.
        assert_eq!(
            p.reverse(d("160"), d("240")).unwrap().round_dp(4),
            d("0.6667")
        );
        assert_eq!(p.over_deduction(), d("2"));
        // 75 % → ≤ 89; 65 % → ≤ 79; 55 % → ≤ 69; 45 % → ≤ 59; 80 % → no cap.
        assert_eq!(p.cap_for(d("0.75")), Some(d("89")));
        assert_eq!(p.cap_for(d("0.65")), Some(d("79")));
        assert_eq!(p.cap_for(d("0.55")), Some(d("69")));
        assert_eq!(p.cap_for(d("0.45")), Some(d("59")));
        assert_eq!(p.cap_for(d("0.8")), None);
        assert_eq!(p.grade(d("96")), "好");
        assert_eq!(p.grade(d("90")), "较好");
        // What the file leaves out is the default's.
        assert_eq!(p.execution_weight, d("10"));
    }

    #[test]
    fn what_is_not_understood_is_said_in_chinese_with_its_line() {
        let e = Profile::parse(
            "依据 = x\n反向指标 = 倒数\n定性指标 = 达成 80-100\n颜色 = 红\n容差 = -1\n",
            Some(&default_profile()),
        )
        .unwrap_err();
        assert_eq!(
            e,
            [
                "第 2 行：反向指标应为“线性扣减”或“按比例”，不是“倒数”",
                "第 3 行：定性指标应为“达成 80-100，部分达成 60-80，未达成 0-60”（分值的百分比），不是“达成 80-100”",
                "第 4 行：不认识的项“颜色”",
                "第 5 行：容差应为不小于0的分数（如 0.5），不是“-1”",
                "缺少“名称 = …”",
            ]
        );
    }
}
