//! S015 自评偏高.

// Reported by `extract` from `score::assess` (the profile's 建议得分).
declare_rule! {
    /// 检查内容：按所选评分口径（默认财预〔2020〕10号，见 jixiao rules --profiles）由指标值、实际完成值和分值算出建议得分，自评得分高出建议得分超过口径的容差（默认0.5分）。定量指标按完成比例计分，“≤”和成本类指标越低越好；定性指标按达成、部分达成、未达成三档，建议得分取该档上限；几个指标共用的得分按各项完成比例的平均计。
    ///
    /// 为何重要：自评得分高于按口径可得的分数，是抽查复核最常调减的情形，也会抬高总分和等级。请核对完成值与得分，得分确有依据的，在偏差原因中说明。
    ///
    /// 示例：成本指标“≤160万元”完成“386万元”，超过指标值2倍，建议得分0分，自评得分10分，偏高10分。
    S015, "自评偏高", crate::rules::Check::Reader
}

use crate::model::{Finding, Indicator};
use crate::rules::At;
use crate::score::Basis;
use rust_decimal::Decimal;

/// How a suggestion was reached, as the messages of S015 and S016 say it.
pub(crate) fn basis_words(ind: &Indicator, basis: Basis) -> String {
    let t = ind.target.value.as_deref().unwrap_or("");
    let a = ind.actual.value.as_deref().unwrap_or("");
    match basis {
        Basis::Positive => format!("指标值{t}，完成值{a}，按完成比例计"),
        Basis::Reverse => format!("指标值{t}，完成值{a}，越低越好"),
        Basis::Qualitative(r) => {
            let band = match r {
                crate::wording::Rating::Achieved => "达成",
                crate::wording::Rating::Partial => "部分达成",
                crate::wording::Rating::Missed => "未达成",
            };
            format!("定性指标，完成情况“{a}”为{band}")
        }
        Basis::Group => "共用得分的各指标完成比例平均".to_string(),
    }
}

/// The self score `score` above the suggestion `suggested` by more than the profile's
/// `tolerance` (profile `profile`).
pub fn above(
    at: At,
    ind: &Indicator,
    score: Decimal,
    suggested: Decimal,
    basis: Basis,
    profile: &str,
    tolerance: Decimal,
) -> Finding {
    let name = ind.name.value.as_deref().unwrap_or("");
    at.finding(
        crate::code::Code::S015,
        format!(
            "“{name}”自评得分{}高于建议得分{}（{}），高出{}分，超过容差{}分（评分口径：{profile}）",
            score.normalize(),
            suggested.normalize(),
            basis_words(ind, basis),
            (score - suggested).normalize(),
            tolerance.normalize()
        ),
    )
}
