//! Every word the reader matches, in one place: labels per field, comparators,
//! placeholders, notes rows, 一级 categories, fund-row names, money units, and the one key
//! function they are matched by.
//!
//! Forms share one logic but not one wording: 年度指标值 is also 指标值（A）, 年初目标值（A）
//! or 预期指标值; 分值 is also 权重 or 参考分值 (`../shared/spec/variants.md`). So a label is
//! normalized once ([`key`]: no whitespace or line feeds, half-width, no trailing colon, no
//! bracketed tail such as `（A）`, `(B/A)`, `（20分）`, `（盖章）`) and looked up in one table,
//! [`VOCABULARY`]. Adding a province's wording is one line there.
//!
//! The column roles ([`Role`]) are the one model of a form's columns: the locator maps header
//! cells to roles, the extractor reads cells by role, the template writes by role.

use rust_decimal::Decimal;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Whitespace as it appears in forms: ASCII, ideographic space, no-break space.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}'
}

/// Trims surrounding whitespace, including the ideographic space.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Maps full-width ASCII forms (U+FF01–U+FF5E) to ASCII and U+3000 to a space. Only for
/// text treated as a number or label key: full NFKC would also rewrite ①, ² and Chinese
/// punctuation that carry meaning in prose.
pub fn halfwidth(s: &str) -> Cow<'_, str> {
    if s.chars()
        .all(|c| !('\u{ff01}'..='\u{ff5e}').contains(&c) && c != '\u{3000}')
    {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            })
            .collect(),
    )
}

/// The key a label is matched by: no whitespace, half-width brackets and colons.
/// `"项目资金\n（万元）"` → `"项目资金(万元)"`.
pub fn label_key(s: &str) -> String {
    // One pass, one allocation: the reviewer's rules key every indicator's texts.
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        };
        if !is_space(c) {
            out.push(c);
        }
    }
    out
}

/// Texts that mean "nothing here" in a number cell.
pub fn is_placeholder(s: &str) -> bool {
    // None has more than two characters besides spaces: longer texts (most that are
    // asked) answer without building a key.
    if s.chars().filter(|c| !is_space(*c)).nth(2).is_some() {
        return false;
    }
    matches!(
        label_key(s).as_str(),
        "—" | "——" | "-" | "--" | "/" | "\\" | "─" | "–" | "无" | "空"
    )
}

/// Texts that mean "no reason given" in a deviation-reason cell.
pub fn is_no_reason(s: &str) -> bool {
    let k = label_key(s);
    k.is_empty() || is_placeholder(&k) || k == "无。" || k == "没有"
}

/// A comparator in a quantitative target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Comparator {
    /// `≥`, `不低于`, `不少于`, `以上`, `达到`
    AtLeast,
    /// `>`
    Above,
    /// `≤`, `以内`, `不超过`, `不高于`
    AtMost,
    /// `<`
    Below,
    /// `=`, or a bare number
    Equal,
}

/// Comparators written before a number.
pub const COMPARATOR_PREFIXES: &[(&str, Comparator)] = &[
    ("≥", Comparator::AtLeast),
    (">=", Comparator::AtLeast),
    ("≤", Comparator::AtMost),
    ("<=", Comparator::AtMost),
    (">", Comparator::Above),
    ("<", Comparator::Below),
    ("=", Comparator::Equal),
    ("≧", Comparator::AtLeast),
    ("≦", Comparator::AtMost),
    ("═", Comparator::Equal),
    ("﹦", Comparator::Equal),
    ("等于", Comparator::Equal),
    ("不低于", Comparator::AtLeast),
    ("不少于", Comparator::AtLeast),
    ("大于等于", Comparator::AtLeast),
    ("达到", Comparator::AtLeast),
    ("不超过", Comparator::AtMost),
    ("不高于", Comparator::AtMost),
    ("不多于", Comparator::AtMost),
    ("小于等于", Comparator::AtMost),
    ("大于", Comparator::Above),
    ("小于", Comparator::Below),
];

/// Comparators written after a number and its unit (`95%及以上`, `3天以内`).
pub const COMPARATOR_SUFFIXES: &[(&str, Comparator)] = &[
    ("以上", Comparator::AtLeast),
    ("及以上", Comparator::AtLeast),
    ("以内", Comparator::AtMost),
    ("及以内", Comparator::AtMost),
    ("以下", Comparator::AtMost),
    ("及以下", Comparator::AtMost),
];

impl Comparator {
    /// The sign a target is written with; none for `=` (a bare number says it).
    pub fn sign(self) -> Option<&'static str> {
        match self {
            Comparator::AtLeast => Some("≥"),
            Comparator::AtMost => Some("≤"),
            Comparator::Above => Some(">"),
            Comparator::Below => Some("<"),
            Comparator::Equal => None,
        }
    }
}

/// The comparator a 指标性质 or 指标方向 cell states on its own (`≥`, `≧`, `大于等于`,
/// `不低于`, `=`): the same words as before a number in a target, nothing for 定性/定量.
pub fn comparator_word(text: &str) -> Option<Comparator> {
    let k = key(text);
    COMPARATOR_PREFIXES
        .iter()
        .find(|(w, _)| *w == k)
        .map(|(_, c)| *c)
}

/// How far a qualitative (定性) indicator reached its target, in the three bands of
/// 财预〔2020〕10号: 达成年度指标, 部分达成年度指标并具有一定效果, 未达成年度指标且效果较差.
/// What each band is worth is the scoring profile's (`crate::profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    /// 达成
    Achieved,
    /// 部分达成
    Partial,
    /// 未达成
    Missed,
}

/// The words of a qualitative 实际完成值 that say its band, matched whole (after
/// [`key`]). The three-level words map in order (好/较好/一般 → 达成/部分达成/未达成);
/// the four grades by their score ranges (优 90–100 and 良 80–89 lie in 达成's 80–100 %,
/// 中 60–79 is 部分达成, 差 under 60 is 未达成); 完成 and its kin say the target was reached.
pub const RATINGS: &[(&str, Rating)] = &[
    ("达成", Rating::Achieved),
    ("已达成", Rating::Achieved),
    ("完全达成", Rating::Achieved),
    ("达成年度指标", Rating::Achieved),
    ("完成", Rating::Achieved),
    ("已完成", Rating::Achieved),
    ("全部完成", Rating::Achieved),
    ("达到", Rating::Achieved),
    ("已达到", Rating::Achieved),
    ("达标", Rating::Achieved),
    ("实现", Rating::Achieved),
    ("已实现", Rating::Achieved),
    ("好", Rating::Achieved),
    ("优", Rating::Achieved),
    ("良", Rating::Achieved),
    ("部分达成", Rating::Partial),
    ("基本达成", Rating::Partial),
    ("部分达成年度指标", Rating::Partial),
    ("基本完成", Rating::Partial),
    ("部分完成", Rating::Partial),
    ("较好", Rating::Partial),
    ("中", Rating::Partial),
    ("未达成", Rating::Missed),
    ("未达成年度指标", Rating::Missed),
    ("未完成", Rating::Missed),
    ("未达到", Rating::Missed),
    ("一般", Rating::Missed),
    ("差", Rating::Missed),
    ("较差", Rating::Missed),
];

/// The band a qualitative 实际完成值 states ([`RATINGS`]), if it states one.
pub fn rating_of(text: &str) -> Option<Rating> {
    let k = key(text);
    let k = k.trim_end_matches(['。', '.']);
    RATINGS.iter().find(|(w, _)| *w == k).map(|(_, r)| *r)
}

/// The one-level categories the 办法 weighs: 产出 (成本 counts with it), 效益, 满意度.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level1 {
    Output,
    Benefit,
    Satisfaction,
}

/// The words that put a 一级 label in a category, in the order they are tried.
pub const CATEGORIES: &[(&str, Level1)] = &[
    ("产出", Level1::Output),
    ("成本", Level1::Output),
    ("效益", Level1::Benefit),
    ("满意", Level1::Satisfaction),
];

/// The category of a 一级 label (`产出指标(50分)`, `项目效益`), if it has one.
pub fn level1_of(label: &str) -> Option<Level1> {
    CATEGORIES
        .iter()
        .find(|(w, _)| label.contains(w))
        .map(|(_, l)| *l)
}

/// The fund rows' canonical wordings: where a form lists several sources of one kind,
/// the row worded so fills the field.
pub const CANONICAL_FUND_ROWS: &[&str] =
    &["当年财政拨款", "本年财政拨款", "上年结转资金", "其他资金"];

/// Whether a fund row's label is in its kind's canonical wording.
pub fn is_canonical_fund_row(text: &str) -> bool {
    CANONICAL_FUND_ROWS.contains(&key(text).as_str())
}

/// What a column of the funds or indicator table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Level1,
    Level2,
    /// 三级指标.
    Name,
    /// 指标性质: the comparator of the target (`≥`, `=`, 定性) in its own column.
    Nature,
    /// 年度指标值.
    Target,
    /// 度量单位: the unit of target and actual in its own column.
    Unit,
    /// 指标方向: the comparator in words (大于等于), beside a 指标性质 of 正向/反向.
    Direction,
    /// 实际完成值.
    Actual,
    Weight,
    Score,
    Reason,
    /// 年初预算数.
    Initial,
    /// 全年预算数.
    FullYear,
    /// 全年执行数.
    Executed,
    /// 执行率.
    Rate,
    /// 复核分: a reviewer's score beside the self-evaluation's, kept apart, never summed.
    Review,
    /// 评价标准: the scoring rubric's text, printed beside each item; known, not a field
    /// (its cells are kept as unplaced without a finding).
    Criteria,
}

impl Role {
    /// The canonical label, as the seed's form prints it.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Level1 => "一级指标",
            Role::Level2 => "二级指标",
            Role::Name => "三级指标",
            Role::Nature => "指标性质",
            Role::Target => "年度指标值",
            Role::Unit => "度量单位",
            Role::Direction => "指标方向",
            Role::Actual => "实际完成值",
            Role::Weight => "分值",
            Role::Score => "得分",
            Role::Reason => "偏差原因",
            Role::Initial => "年初预算数",
            Role::FullYear => "全年预算数",
            Role::Executed => "全年执行数",
            Role::Rate => "执行率",
            Role::Review => "复核分",
            Role::Criteria => "评价标准",
        }
    }

    /// Columns of the funds table (分值, 得分 and 原因 serve both tables).
    pub fn is_fund(self) -> bool {
        matches!(
            self,
            Role::Initial | Role::FullYear | Role::Executed | Role::Rate
        )
    }

    /// The value columns of an indicator row, in reading order.
    pub const INDICATOR_VALUES: [Role; 9] = [
        Role::Nature,
        Role::Direction,
        Role::Target,
        Role::Unit,
        Role::Actual,
        Role::Weight,
        Role::Score,
        Role::Review,
        Role::Reason,
    ];

    /// Whether the column holds points (分值, 得分, 复核分).
    pub fn is_points(self) -> bool {
        matches!(self, Role::Weight | Role::Score | Role::Review)
    }
}

/// A label the form prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Title,
    Year(i32),
    ProjectName,
    Department,
    /// 中央主管部门 on the central transfer-payment form, beside its 地方主管部门 (the
    /// department a county's bureau files the form under).
    CentralDepartment,
    Implementer,
    /// 项目资金（万元）, or 预算执行情况 as its own section.
    Funds,
    FundTotal,
    FundAppropriation,
    FundCarryover,
    FundOther,
    Goal,
    Expected,
    /// 实际完成情况 of the overall goal.
    Achieved,
    Indicators,
    /// 总分, 合计, 综合得分.
    Total,
    /// A declared total and its label in one cell: `自评总分: 95`.
    TotalInline,
    Col(Role),
    /// Printed by some forms, belonging to no field (报表编号, 填报人): known, so never
    /// reported as an unknown label; the value beside it is kept as unplaced.
    Other,
}

/// Every label jixiao knows, by its [`key`]. One line per wording.
pub const VOCABULARY: &[(&str, Label)] = &[
    // identity
    ("项目名称", Label::ProjectName),
    ("转移支付(项目)名称", Label::ProjectName),
    ("转移支付名称", Label::ProjectName),
    ("项目(转移支付)名称", Label::ProjectName),
    ("专项资金名称", Label::ProjectName),
    ("资金名称", Label::ProjectName),
    ("主管部门", Label::Department),
    ("中央主管部门", Label::CentralDepartment),
    ("县级主管部门", Label::Department),
    ("市级主管部门", Label::Department),
    ("主管部门及代码", Label::Department),
    ("主管单位", Label::Department),
    ("项目主管单位", Label::Department),
    ("项目主管部门", Label::Department),
    ("地方主管部门", Label::Department),
    ("实施单位", Label::Implementer),
    ("项目实施单位", Label::Implementer),
    ("资金使用单位", Label::Implementer),
    ("项目单位", Label::Implementer),
    ("实施(主管)单位", Label::Implementer),
    ("承担单位", Label::Implementer),
    // funds
    ("项目资金", Label::Funds),
    ("项目资金情况", Label::Funds),
    ("预算执行情况", Label::Funds),
    ("资金情况", Label::Funds),
    ("资金投入情况", Label::Funds),
    ("年度预算数", Label::Funds),
    ("年初预算数", Label::Col(Role::Initial)),
    ("年初预算", Label::Col(Role::Initial)),
    ("全年预算数", Label::Col(Role::FullYear)),
    ("全年预算", Label::Col(Role::FullYear)),
    ("调整后预算数", Label::Col(Role::FullYear)),
    ("调整预算数", Label::Col(Role::FullYear)),
    ("预算数", Label::Col(Role::FullYear)),
    ("全年执行数", Label::Col(Role::Executed)),
    ("预算执行数", Label::Col(Role::Executed)),
    ("执行数", Label::Col(Role::Executed)),
    ("实际执行数", Label::Col(Role::Executed)),
    ("执行率", Label::Col(Role::Rate)),
    ("预算执行率", Label::Col(Role::Rate)),
    ("年度资金总额", Label::FundTotal),
    ("年度财政资金总额", Label::FundTotal),
    ("资金总额", Label::FundTotal),
    ("总额", Label::FundTotal),
    ("当年财政拨款", Label::FundAppropriation),
    ("本年财政拨款", Label::FundAppropriation),
    ("财政拨款", Label::FundAppropriation),
    ("财政资金", Label::FundAppropriation),
    ("中央补助", Label::FundAppropriation),
    ("中央财政资金", Label::FundAppropriation),
    ("中央、省、市补助", Label::FundAppropriation),
    ("上级补助", Label::FundAppropriation),
    ("上年结转资金", Label::FundCarryover),
    ("上年结转", Label::FundCarryover),
    ("其他资金", Label::FundOther),
    ("地方资金", Label::FundOther),
    ("单位资金", Label::FundOther),
    ("财政专户管理资金", Label::FundOther),
    ("地方财政资金", Label::FundOther),
    ("县级资金", Label::FundOther),
    ("本级资金", Label::FundOther),
    ("自筹资金", Label::FundOther),
    // goals
    ("年度总体目标", Label::Goal),
    ("总体目标", Label::Goal),
    ("年度目标", Label::Goal),
    ("预期目标", Label::Expected),
    ("年初设定目标", Label::Expected),
    ("项目年度目标", Label::Expected),
    ("实际完成情况", Label::Achieved),
    ("全年实际完成情况", Label::Achieved),
    ("年度目标完成情况", Label::Achieved),
    ("年度总体目标完成情况综述", Label::Achieved),
    ("年度总体目标完成情况", Label::Achieved),
    ("总体目标完成情况", Label::Goal),
    ("项目年度目标完成情况", Label::Goal),
    // indicators
    ("绩效指标", Label::Indicators),
    ("年度绩效指标", Label::Indicators),
    ("年度绩效目标", Label::Indicators),
    ("绩效指标完成情况", Label::Indicators),
    ("一级指标", Label::Col(Role::Level1)),
    // a scored 项目决策/项目管理 table: 项目权重 | 评价内容 | 分值 | 自评分 | 复核分 | 评价标准
    ("项目权重", Label::Col(Role::Level1)),
    ("评价内容", Label::Col(Role::Name)),
    ("评价要点", Label::Col(Role::Name)),
    ("评价标准", Label::Col(Role::Criteria)),
    ("评价标准及依据", Label::Col(Role::Criteria)),
    ("评分标准", Label::Col(Role::Criteria)),
    ("评分依据", Label::Col(Role::Criteria)),
    ("二级指标", Label::Col(Role::Level2)),
    ("三级指标", Label::Col(Role::Name)),
    ("指标名称", Label::Col(Role::Name)),
    ("指标性质", Label::Col(Role::Nature)),
    ("指标方向", Label::Col(Role::Direction)),
    ("年度指标值", Label::Col(Role::Target)),
    ("指标值", Label::Col(Role::Target)),
    ("年初目标值", Label::Col(Role::Target)),
    ("年度目标值", Label::Col(Role::Target)),
    ("预期指标值", Label::Col(Role::Target)),
    ("全年指标值", Label::Col(Role::Target)),
    ("目标值", Label::Col(Role::Target)),
    ("年初指标值", Label::Col(Role::Target)),
    ("度量单位", Label::Col(Role::Unit)),
    ("计量单位", Label::Col(Role::Unit)),
    ("实际完成值", Label::Col(Role::Actual)),
    ("完成值", Label::Col(Role::Actual)),
    ("全年完成值", Label::Col(Role::Actual)),
    ("全年实际值", Label::Col(Role::Actual)),
    ("实际值", Label::Col(Role::Actual)),
    ("实际完成指标值", Label::Col(Role::Actual)),
    ("全年实际完成值", Label::Col(Role::Actual)),
    ("年终完成值", Label::Col(Role::Actual)),
    ("分值", Label::Col(Role::Weight)),
    ("权重", Label::Col(Role::Weight)),
    ("参考分值", Label::Col(Role::Weight)),
    ("得分", Label::Col(Role::Score)),
    ("自评得分", Label::Col(Role::Score)),
    ("自评分", Label::Col(Role::Score)),
    ("单项指标得分", Label::Col(Role::Score)),
    ("指标得分", Label::Col(Role::Score)),
    ("折算得分", Label::Col(Role::Score)),
    ("单项指标折算得分", Label::Col(Role::Score)),
    ("指标折算得分", Label::Col(Role::Score)),
    ("复核分", Label::Col(Role::Review)),
    ("复核得分", Label::Col(Role::Review)),
    ("复核评分", Label::Col(Role::Review)),
    ("权重占比", Label::Col(Role::Weight)),
    ("权重分值", Label::Col(Role::Weight)),
    ("原因", Label::Col(Role::Reason)),
    ("偏差原因", Label::Col(Role::Reason)),
    // totals
    ("总分", Label::Total),
    ("总计", Label::Total),
    ("合计", Label::Total),
    ("综合得分", Label::Total),
    ("总得分", Label::Total),
    ("自评总分", Label::Total),
    // printed, but of no field
    ("报表编号", Label::Other),
    ("填报人", Label::Other),
    ("填报日期", Label::Other),
    ("联系电话", Label::Other),
    ("单位负责人", Label::Other),
    ("单位领导审签", Label::Other),
    // `部门:某学校` above a 部门决算 公开 table: the unit that published it
    ("部门", Label::Other),
    ("财务负责人", Label::Other),
    ("评价等级", Label::Other),
    ("自评等级", Label::Other),
    ("单位名称", Label::Other),
    ("项目类别", Label::Other),
    ("项目属性", Label::Other),
    ("项目类型", Label::Other),
    ("项目基本情况", Label::Other),
    ("项目实施内容及过程概述", Label::Other),
    ("附件", Label::Other),
    // the MOF 2020 template's rows under the 总分 row
    ("偏差大或目标未完成原因分析", Label::Other),
    ("改进措施及结果应用方案", Label::Other),
    ("单位主要负责人签批意见", Label::Other),
    ("主要负责人签批意见", Label::Other),
    ("情况说明", Label::Other),
    ("存在问题和改进措施", Label::Other),
    ("资金管理情况", Label::Other),
    ("财政审核评分", Label::Other),
    ("分配科学性", Label::Other),
    ("下达及时性", Label::Other),
    ("拨付合规性", Label::Other),
    ("使用规范性", Label::Other),
    ("执行准确性", Label::Other),
    ("预算绩效管理情况", Label::Other),
    ("支出责任履行情况", Label::Other),
    ("评价结论", Label::Other),
    ("存在问题", Label::Other),
    ("改进措施", Label::Other),
    ("项目负责人", Label::Other),
    ("负责人及电话", Label::Other),
    ("说明", Label::Other),
    ("备注", Label::Other),
];

/// A money unit a form states. jixiao keeps every amount in 万元, the unit the outputs
/// print: an amount stated in another unit is converted once, where it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoneyUnit {
    Yuan,
    Qianyuan,
    Wanyuan,
    Yiyuan,
}

/// The unit words, longest first where one ends another (万元 before 元).
pub const MONEY_UNITS: &[(&str, MoneyUnit)] = &[
    ("万元", MoneyUnit::Wanyuan),
    ("亿元", MoneyUnit::Yiyuan),
    ("千元", MoneyUnit::Qianyuan),
    ("元", MoneyUnit::Yuan),
];

impl MoneyUnit {
    pub fn zh(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::Qianyuan => "千元",
            MoneyUnit::Wanyuan => "万元",
            MoneyUnit::Yiyuan => "亿元",
        }
    }

    /// An amount in this unit, in 万元: exact, since the factors are powers of ten
    /// (`None` past a `Decimal`'s range).
    pub fn to_wan(self, v: Decimal) -> Option<Decimal> {
        let r = match self {
            MoneyUnit::Yuan => v.checked_div(Decimal::from(10_000)),
            MoneyUnit::Qianyuan => v.checked_div(Decimal::TEN),
            MoneyUnit::Wanyuan => Some(v),
            MoneyUnit::Yiyuan => v.checked_mul(Decimal::from(10_000)),
        };
        r.map(|d| d.normalize())
    }
}

/// The unit a bracket or a unit line states: `（元）`, `(单位：万元)`, `单位：元`,
/// `金额单位:千元`. Nothing for `（盖章）`, `(20分)` or `实施单位：某局`.
pub fn money_unit(text: &str) -> Option<MoneyUnit> {
    if !text.contains('元') {
        return None;
    }
    let h: String = halfwidth(text).chars().filter(|c| !is_space(*c)).collect();
    let exact = |t: &str| {
        let t = ["金额单位:", "资金单位:", "单位:"]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .unwrap_or(t);
        MONEY_UNITS.iter().find(|(w, _)| *w == t).map(|(_, u)| *u)
    };
    // Every bracketed group: `项目资金(元)`, `预算数(A)(元)`.
    let mut rest = h.as_str();
    while let Some(i) = rest.find('(') {
        let after = &rest[i + 1..];
        let Some(j) = after.find(')') else { break };
        if let Some(u) = exact(&after[..j]) {
            return Some(u);
        }
        rest = &after[j + 1..];
    }
    // A unit line: `单位:元`, `金额单位:万元`, followed by nothing or punctuation.
    let i = h.find("单位:")?;
    let tail = &h[i + "单位:".len()..];
    MONEY_UNITS.iter().find_map(|(w, u)| {
        let after = tail.strip_prefix(w)?;
        after
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
            .then_some(*u)
    })
}

/// Which of two columns of one role a form's figures come from: the higher rank wins.
/// A 折算得分 is the score the total adds up from (the raw 单项指标得分 is before
/// weighting); 分值 in points beats a 权重占比（%） in percent.
pub fn column_rank(role: Role, text: &str) -> u8 {
    let k = label_key(text);
    match role {
        Role::Score if k.contains("折算") => 2,
        Role::Weight if k.contains("占比") || k.contains('%') => 0,
        _ => 1,
    }
}

/// A weight column in percent of the total (`权重占比(%)`), not in points.
pub fn is_percent_weight(text: &str) -> bool {
    column_rank(Role::Weight, text) == 0
}

/// Deviation-reason headers are long and varied (偏差原因分析及改进措施, 未完成原因分析…):
/// known by how they start.
const REASON_PREFIXES: &[&str] = &["偏差原因", "未完成原因", "偏差分析", "原因分析"];

/// Longest text that can be a label: a 100-character cell is a value, not a header.
const MAX_LABEL_CHARS: usize = 40;

/// The key a label is matched by: whitespace and line feeds removed, half-width, trailing
/// colons and bracketed tails removed, a leading `其中：` removed.
/// `"预算执行率\n（B/A）"` → `"预算执行率"`, `"实施单位（盖章）"` → `"实施单位"`.
pub fn key(text: &str) -> String {
    key_cow(text).into_owned()
}

/// [`key`] without an allocation for a text that is already its own key (most cells).
fn key_cow(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| {
        !is_space(c)
            && !matches!(c, ':' | '：' | '(' | ')' | '（' | '）' | '其' | '、' | '.')
            && !('\u{ff01}'..='\u{ff5e}').contains(&c)
    };
    if text.chars().all(plain) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut k: String = halfwidth(text).chars().filter(|c| !is_space(*c)).collect();
    loop {
        let before = k.len();
        while k.ends_with([':', '：']) {
            k.pop();
        }
        if k.ends_with(')')
            && let Some(i) = k.rfind('(')
            && i > 0
            && k[i..].chars().count() <= 16
        {
            k.truncate(i);
        }
        if k.len() == before {
            break;
        }
    }
    if let Some(rest) = k.strip_prefix("其中:").or_else(|| k.strip_prefix("其中"))
        && !rest.is_empty()
    {
        k = rest.to_string();
    }
    // A leading item number: `1.项目年度目标完成情况`, `二、`.
    let num_end = k
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || "一二三四五六七八九十".contains(*c)))
        .map(|(i, _)| i);
    if let Some(i) = num_end
        && i > 0
        && let Some(rest) = k[i..].strip_prefix(['.', '、'])
        && !rest.is_empty()
    {
        k = rest.to_string();
    }
    std::borrow::Cow::Owned(k)
}

/// Points printed in a label's bracketed tail: `预算执行情况（10分）` → 10,
/// `得分（20分*执行率）` → 20, `产出指标(50分)` → 50.
pub fn points(text: &str) -> Option<Decimal> {
    let h = halfwidth(text);
    let open = h.rfind('(')?;
    let inner = &h[open + 1..];
    let end = inner.find('分')?;
    let digits = inner[..end].trim_matches(is_space);
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .then(|| digits.parse().ok())
        .flatten()
}

fn table() -> &'static crate::hashed::Map<&'static str, Label> {
    static T: OnceLock<crate::hashed::Map<&'static str, Label>> = OnceLock::new();
    T.get_or_init(|| VOCABULARY.iter().copied().collect())
}

/// The characters a label can start with (before its key is built): the vocabulary's,
/// their full-width forms, brackets and digits for year lines, 其 for `其中：`.
fn first_chars() -> &'static crate::hashed::Set<char> {
    static S: OnceLock<crate::hashed::Set<char>> = OnceLock::new();
    S.get_or_init(|| {
        let mut s: crate::hashed::Set<char> = VOCABULARY
            .iter()
            .map(|(k, _)| *k)
            .chain(REASON_PREFIXES.iter().copied())
            .filter_map(|k| k.chars().next())
            .collect();
        s.extend(['(', '（', '其', '年']);
        s.extend('0'..='9');
        s.extend('０'..='９');
        s
    })
}

/// Classifies a cell's text as a label, or `None`. Long texts are never labels.
pub fn classify(text: &str) -> Option<Label> {
    // Runs for every text cell of every sheet, most of them values: reject long texts
    // before building a key.
    if text.len() > MAX_LABEL_CHARS * 4 || text.chars().count() > MAX_LABEL_CHARS {
        return None;
    }
    let first = text.chars().find(|c| !is_space(*c))?;
    if !first_chars().contains(&first) && !text.contains("自评表") {
        return None;
    }
    let k = key_cow(text);
    if k.is_empty() {
        return None;
    }
    if let Some(l) = table().get(k.as_ref()) {
        return Some(*l);
    }
    // A label and its value in one cell (`单位名称：区商务局`): known when the label is.
    if let Some((head, tail)) = k.split_once(':')
        && !tail.is_empty()
    {
        match table().get(head) {
            Some(Label::Other) => return Some(Label::Other),
            Some(Label::Total | Label::Col(Role::Score)) if is_score_text(tail) => {
                return Some(Label::TotalInline);
            }
            _ => {}
        }
    }
    // `附件3`, `附件一` above a form's title.
    if let Some(n) = k.strip_prefix("附件")
        && !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
    {
        return Some(Label::Other);
    }
    if REASON_PREFIXES.iter().any(|p| k.starts_with(p)) {
        return Some(Label::Col(Role::Reason));
    }
    if k.ends_with("财政拨款") && k.chars().count() <= 10 {
        return Some(Label::FundAppropriation);
    }
    if k.ends_with("自评表") {
        return Some(Label::Title);
    }
    year_of(&k).map(Label::Year)
}

/// A score as typed after a label's colon: digits and a point, perhaps 分 (`95`, `92.5分`).
fn is_score_text(tail: &str) -> bool {
    let t = tail.strip_suffix('分').unwrap_or(tail);
    !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
        && t.chars().filter(|c| *c == '.').count() <= 1
}

/// The year of a year line: `（2023年度）`, `2023年度`, `2023年`, `年度：2023年`.
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

/// The year printed in a title such as `2023年度项目支出绩效自评表` or
/// `部门预算项目支出绩效自评表(2023年度)`: four digits right before a 年.
pub fn year_in_title(text: &str) -> Option<i32> {
    let h = halfwidth(text);
    let chars: Vec<char> = h.chars().collect();
    (4..chars.len()).find_map(|i| {
        if chars[i] != '年' {
            return None;
        }
        let d: String = chars[i - 4..i].iter().collect();
        let before_ok = i == 4 || !chars[i - 5].is_ascii_digit();
        let y: i32 = d.parse().ok()?;
        (before_ok && (1990..=2100).contains(&y)).then_some(y)
    })
}

/// The project's name in a form's title, for forms without a 项目名称 label:
/// `2023年度农村公路养护项目绩效自评表` → `农村公路养护项目`. Nothing when the title names
/// no project (`项目支出绩效自评表`, `XX县项目支出绩效自评表`).
pub fn name_in_title(title: &str) -> Option<String> {
    let mut t: String = halfwidth(title).chars().filter(|c| !is_space(*c)).collect();
    // The year, before (`2023年度`, `2023年`) or after in brackets (`(2023年度)`).
    if let Some(y) = year_in_title(&t) {
        for pat in [
            format!("({y}年度)"),
            format!("{y}年度"),
            format!("({y}年)"),
            format!("{y}年"),
        ] {
            t = t.replacen(&pat, "", 1);
        }
    }
    for suffix in [
        "项目支出绩效自评表",
        "支出绩效自评表",
        "绩效目标自评表",
        "绩效自评表",
        "自评表",
    ] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.to_string();
            break;
        }
    }
    let t = t
        .trim_start_matches("部门预算")
        .trim_matches(|c: char| matches!(c, '-' | '_' | ':' | '“' | '”' | '《' | '》'))
        .to_string();
    // A county's or a department's name alone is not a project's.
    (t.chars().count() >= 4 && !t.ends_with(['县', '市', '区', '省', '局'])).then_some(t)
}

/// A sheet name that says nothing about the project (`Sheet1`, `工作表1`, `自评表`).
pub fn is_generic_sheet_name(name: &str) -> bool {
    let k: String = halfwidth(name)
        .chars()
        .filter(|c| !is_space(*c) && !c.is_ascii_digit())
        .collect::<String>()
        .to_lowercase();
    k.is_empty()
        || matches!(k.as_str(), "sheet" | "工作表" | "表" | "附表" | "附件")
        || k.ends_with("自评表")
        || k.ends_with("评分表")
}

/// A template's placeholder indicator name (`指标1`, `指标2：`, `……`), or the name typed
/// after such a prefix: `Placeholder::Prefix("工程资金金额")` for `指标1工程资金金额`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder<'a> {
    Bare,
    Prefix(&'a str),
}

/// Whether an indicator name is a template placeholder, or carries a placeholder prefix.
pub fn placeholder(name: &str) -> Option<Placeholder<'_>> {
    let t = name.trim_matches(is_space);
    if !t.is_empty()
        && t.chars()
            .all(|c| matches!(c, '…' | '.' | '。' | '·' | '—' | '-'))
    {
        return Some(Placeholder::Bare);
    }
    let rest = t.strip_prefix("指标")?;
    let digits = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || ('０'..='９').contains(c)))
        .map_or(rest.len(), |(i, _)| i);
    if digits == 0 {
        return None;
    }
    let tail = rest[digits..].trim_start_matches([':', '：', '、', '.', ' ']);
    let tail = tail.trim_matches(is_space);
    Some(if tail.is_empty() {
        Placeholder::Bare
    } else {
        Placeholder::Prefix(tail)
    })
}

/// Labels of a notes row inside or under an indicator table: what the filler adds, never
/// an indicator.
pub const NOTE_LABELS: &[&str] = &[
    "其他需要说明事项",
    "其他需要说明的事项",
    "其他需说明事项",
    "其他说明事项",
    "需要说明的事项",
    "其他说明",
    "备注",
    "说明",
    "注",
    "附注",
];

/// Whether a cell's text opens a notes row: `其他需要说明事项`, `备注：`, `注：…`.
pub fn is_note_label(text: &str) -> bool {
    // Runs for rows of every form: most texts are rejected by their first character.
    if !trim(text).starts_with(['其', '需', '备', '说', '注', '附']) {
        return false;
    }
    let k = key(text);
    if NOTE_LABELS.contains(&k.as_str()) {
        return true;
    }
    let compact = label_key(text);
    ["注:", "备注:", "说明:"]
        .iter()
        .any(|p| compact.starts_with(p))
}

/// Whether a name opens a breakdown row (`其中：省级资金`): a part of the indicator above.
pub fn is_breakdown(text: &str) -> bool {
    trim(text).starts_with("其中")
}

/// Whether a text is an instruction the template printed for the filler and nobody
/// replaced: `对照年度目标，说明…（100字以内）`.
pub fn is_instruction(text: &str) -> bool {
    // Every marker holds 字, 填 or 选: most texts are rejected without a copy.
    if !text.contains(['字', '填', '选']) {
        return false;
    }
    let k = halfwidth(text);
    [
        "字以内",
        "字左右",
        "请填写",
        "填写说明",
        "此处填写",
        "(选填)",
    ]
    .iter()
    .any(|m| k.contains(m))
}

/// What a reviewer's checks (issue 17, the 抽查复核 patterns C006…) match in indicator
/// texts: the words stay here with every other word the reader matches.
pub mod review {
    use super::label_key;

    /// The 二级 label of a cost indicator (成本指标, 经济成本指标).
    pub fn is_cost(level2: &str) -> bool {
        level2.contains("成本")
    }

    /// The 二级 label of a quantity indicator (数量指标).
    pub fn is_quantity(level2: &str) -> bool {
        level2.contains("数量")
    }

    /// Words naming spending in an indicator's name: with a bare number or a money unit
    /// as target, the indicator counts money (`工程资金金额` `43.2`).
    pub const MONEY_WORDS: &[&str] = &["金额", "资金", "经费", "预算", "支出"];

    /// The money's rates: an indicator whose name holds one of these and one of
    /// [`MONEY_WORDS`] measures the spending (`预算资金执行率`, `资金支付率`).
    pub const SPENDING_RATES: &[&str] = &["执行率", "支付率", "执行进度", "支付进度"];

    /// Whether an indicator's name is the budget's execution or payment rate.
    pub fn is_spending_rate(name: &str) -> bool {
        let k = label_key(name);
        SPENDING_RATES.iter().any(|w| k.contains(w)) && MONEY_WORDS.iter().any(|w| k.contains(w))
    }

    /// Whether an indicator's name names money.
    pub fn names_money(name: &str) -> bool {
        let k = label_key(name);
        MONEY_WORDS.iter().any(|w| k.contains(w))
    }

    /// A satisfaction indicator's name: 满意度, 满意率.
    pub fn is_satisfaction(name: &str) -> bool {
        label_key(name).contains("满意")
    }

    /// Words that name how satisfaction was measured (a survey, a questionnaire, calls).
    pub const SURVEY_WORDS: &[&str] = &[
        "问卷", "调查", "调研", "测评", "回访", "走访", "访谈", "抽样", "抽查", "座谈", "电话",
        "评议", "样本",
    ];

    /// Whether a text names a survey.
    pub fn names_survey(text: &str) -> bool {
        SURVEY_WORDS.iter().any(|w| text.contains(w))
    }

    /// Actual values that say "done" without a figure.
    pub const DONE_WORDS: &[&str] = &[
        "完成",
        "已完成",
        "全部完成",
        "全面完成",
        "按时完成",
        "完成目标",
        "已完成目标",
        "达成",
        "已达成",
        "达成预期指标",
        "达成目标",
        "达到",
        "已达到",
        "达标",
        "已达标",
        "是",
    ];

    /// Whether an actual value is one of [`DONE_WORDS`] (trailing full stop ignored).
    pub fn is_done_word(text: &str) -> bool {
        let k = label_key(text);
        let k = k.trim_end_matches(['。', '.', '!', '！']);
        DONE_WORDS.contains(&k)
    }

    /// Indicators every department states in the same words, by the 一体化 system's
    /// templates: their names shared across departments are no sign of copying (C012).
    /// A name holding one of these is standard.
    pub const STANDARD_NAMES: &[&str] = &[
        "满意",
        "执行率",
        "支付率",
        "拨付",
        "到位",
        "合格率",
        "及时率",
        "完成率",
        "达标率",
        "验收",
        "知晓率",
        "覆盖率",
        "完工率",
        "开工率",
        "投诉",
        "安全事故",
        "使用年限",
        "可持续",
    ];

    /// Whether an indicator's name is one of the standard ones.
    pub fn is_standard_name(name: &str) -> bool {
        is_standard_key(&label_key(name))
    }

    /// [`is_standard_name`] of a name already keyed ([`label_key`]): C012 keys every
    /// indicator's name once.
    pub fn is_standard_key(key: &str) -> bool {
        STANDARD_NAMES.iter().any(|w| key.contains(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_whitespace_colons_and_bracketed_tails() {
        assert_eq!(key("年初\n预算数"), "年初预算数");
        assert_eq!(key("预算执行率（B/A）"), "预算执行率");
        assert_eq!(key("得分（20分*执行率）"), "得分");
        assert_eq!(key("实施单位（盖章）"), "实施单位");
        assert_eq!(key("项目名称："), "项目名称");
        assert_eq!(key("年度资金总额："), "年度资金总额");
        assert_eq!(key("其中：当年财政拨款"), "当年财政拨款");
        assert_eq!(key("转移支付（项目）名称"), "转移支付(项目)名称");
        assert_eq!(key("（2023年度）"), "(2023年度)");
    }

    #[test]
    fn every_wording_of_variants_md_is_known() {
        let cases = [
            ("转移支付（项目）名称", Label::ProjectName),
            ("中央主管部门", Label::CentralDepartment),
            ("县级主管部门", Label::Department),
            ("市级主管部门", Label::Department),
            ("地方主管部门", Label::Department),
            ("专项资金名称", Label::ProjectName),
            ("资金投入情况（万元）", Label::Funds),
            ("1.项目年度目标完成情况", Label::Goal),
            ("全年实际完成值", Label::Col(Role::Actual)),
            ("指标方向", Label::Col(Role::Direction)),
            ("年度绩效目标(80分)", Label::Indicators),
            ("单位名称：区商务局", Label::Other),
            ("实施单位（盖章）", Label::Implementer),
            ("项目实施单位", Label::Implementer),
            ("年初预算", Label::Col(Role::Initial)),
            ("调整后预算数", Label::Col(Role::FullYear)),
            ("预算数（A）", Label::Col(Role::FullYear)),
            ("全年预算数（A）", Label::Col(Role::FullYear)),
            ("执行数（B）", Label::Col(Role::Executed)),
            ("预算执行数", Label::Col(Role::Executed)),
            ("执行率（B/A）", Label::Col(Role::Rate)),
            ("得分（20分*执行率）", Label::Col(Role::Score)),
            ("总额", Label::FundTotal),
            ("年度财政资金总额", Label::FundTotal),
            ("其中：中央补助", Label::FundAppropriation),
            ("其中：当年财政拨款", Label::FundAppropriation),
            ("财政专户管理资金", Label::FundOther),
            ("地方财政资金", Label::FundOther),
            ("年初设定目标", Label::Expected),
            ("全年实际完成情况", Label::Achieved),
            ("年初目标值（A）", Label::Col(Role::Target)),
            ("指标值（A）", Label::Col(Role::Target)),
            ("全年实际值（B）", Label::Col(Role::Actual)),
            ("实际完成值（B）", Label::Col(Role::Actual)),
            ("完成值", Label::Col(Role::Actual)),
            ("权重", Label::Col(Role::Weight)),
            ("参考分值", Label::Col(Role::Weight)),
            ("分值（分）", Label::Col(Role::Weight)),
            ("得分（分）", Label::Col(Role::Score)),
            ("未完成原因分析及改进措施", Label::Col(Role::Reason)),
            ("偏差原因\n分析及改进\n措施", Label::Col(Role::Reason)),
            ("原因", Label::Col(Role::Reason)),
            ("指标性质", Label::Col(Role::Nature)),
            ("度量单位", Label::Col(Role::Unit)),
            ("合计", Label::Total),
            ("综合得分", Label::Total),
            ("预算执行情况（10分）", Label::Funds),
            ("项目资金\n（万元）", Label::Funds),
            ("部门预算项目支出绩效自评表(2023年度)", Label::Title),
            ("XX县项目支出绩效自评表", Label::Title),
            ("中央对地方转移支付资金绩效目标自评表", Label::Title),
            ("绩\n\n效\n\n指\n\n标", Label::Indicators),
            ("（2023年度）", Label::Year(2023)),
            ("报表编号：", Label::Other),
            ("附件3", Label::Other),
            ("偏差大或目标未完成原因分析", Label::Other),
        ];
        for (text, want) in cases {
            assert_eq!(classify(text), Some(want), "{text}");
        }
        assert_eq!(classify("完成"), None);
        assert_eq!(classify("2023"), None);
        assert_eq!(classify("产出指标(50分)"), None);
    }

    #[test]
    fn money_units_where_forms_state_them() {
        use MoneyUnit::*;
        for (text, want) in [
            ("项目资金（元）", Some(Yuan)),
            ("项目资金 (元)", Some(Yuan)),
            ("项目资金\n（万元）", Some(Wanyuan)),
            ("全年预算数（A）（千元）", Some(Qianyuan)),
            ("单位：元", Some(Yuan)),
            ("金额单位：万元", Some(Wanyuan)),
            ("（单位：亿元）", Some(Yiyuan)),
            ("2023年度   单位：元", Some(Yuan)),
            ("实施单位（盖章）", None),
            ("得分（20分*执行率）", None),
            ("单位：元宝山区财政局", None),
            ("项目资金", None),
        ] {
            assert_eq!(money_unit(text), want, "{text}");
        }
        assert_eq!(
            Yuan.to_wan(Decimal::from(3876646)),
            Some("387.6646".parse().unwrap())
        );
        assert_eq!(Yiyuan.to_wan(Decimal::ONE), Some(Decimal::from(10_000)));
        assert_eq!(
            crate::normalize::amount_with_unit("60000元"),
            Some((Decimal::from(60000), Some(Yuan)))
        );
        assert_eq!(
            crate::normalize::amount_with_unit("６万元"),
            Some((Decimal::from(6), Some(Wanyuan)))
        );
        assert_eq!(
            crate::normalize::amount_with_unit(" 7.5 "),
            Some(("7.5".parse().unwrap(), None))
        );
        assert_eq!(crate::normalize::amount_with_unit("完成"), None);
    }

    #[test]
    fn project_names_in_titles() {
        assert_eq!(
            name_in_title("2023年度农村公路养护项目绩效自评表").as_deref(),
            Some("农村公路养护项目")
        );
        assert_eq!(
            name_in_title("耕地地力保护补贴支出绩效自评表（2022年度）").as_deref(),
            Some("耕地地力保护补贴")
        );
        assert_eq!(name_in_title("项目支出绩效自评表"), None);
        assert_eq!(name_in_title("XX县项目支出绩效自评表"), None);
        assert_eq!(name_in_title("部门预算项目支出绩效自评表(2023年度)"), None);
        assert!(is_generic_sheet_name("Sheet1"));
        assert!(is_generic_sheet_name("项目支出绩效自评表"));
        assert!(!is_generic_sheet_name("乡村振兴衔接资金"));
    }

    #[test]
    fn one_comparator_table_for_targets_and_nature_columns() {
        use Comparator::*;
        for (w, c) in [
            ("≥", AtLeast),
            ("≧", AtLeast),
            ("大于等于", AtLeast),
            ("达到", AtLeast),
            ("≦", AtMost),
            ("不超过", AtMost),
            ("═", Equal),
            ("﹦", Equal),
            ("＝", Equal),
        ] {
            assert_eq!(comparator_word(w), Some(c), "{w}");
            // The same word before a number in a target means the same.
            let q = crate::normalize::parse_quantity(&format!("{w}95%")).unwrap();
            assert_eq!(q.cmp, c, "{w}95%");
        }
        assert_eq!(comparator_word("定性"), None);
        assert_eq!(Equal.sign(), None);
        assert_eq!(level1_of("产出指标(50分)"), Some(Level1::Output));
        assert_eq!(level1_of("项目效益"), Some(Level1::Benefit));
        assert_eq!(level1_of("项目管理"), None);
        assert!(is_canonical_fund_row("其中：本年财政拨款"));
        assert!(!is_canonical_fund_row("地方资金"));
    }

    #[test]
    fn points_in_labels() {
        assert_eq!(points("预算执行情况（10分）"), Some(Decimal::from(10)));
        assert_eq!(points("得分（20分*执行率）"), Some(Decimal::from(20)));
        assert_eq!(points("年度绩效目标(80分)"), Some(Decimal::from(80)));
        assert_eq!(points("执行率（B/A）"), None);
        assert_eq!(points("得分"), None);
    }

    #[test]
    fn years_in_titles() {
        assert_eq!(
            year_in_title("部门预算项目支出绩效自评表(2023年度)"),
            Some(2023)
        );
        assert_eq!(year_in_title("2024年度项目支出绩效自评表"), Some(2024));
        assert_eq!(year_in_title("（２０２２年度）"), Some(2022));
        assert_eq!(year_in_title("项目支出绩效自评表"), None);
        assert_eq!(year_in_title("12023年"), None);
    }

    #[test]
    fn placeholders_and_instructions() {
        assert_eq!(placeholder("指标1"), Some(Placeholder::Bare));
        assert_eq!(placeholder("指标2："), Some(Placeholder::Bare));
        assert_eq!(placeholder("……"), Some(Placeholder::Bare));
        assert_eq!(
            placeholder("指标1工程资金金额"),
            Some(Placeholder::Prefix("工程资金金额"))
        );
        assert_eq!(placeholder("指标完成率"), None);
        assert_eq!(placeholder("培训人数"), None);
        assert!(is_instruction("对照年度目标，说明…（100字以内）"));
        assert!(!is_instruction("完成全年培训任务"));
    }
}
