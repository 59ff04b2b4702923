//! S016 自评偏低.

// Reported by `extract` from `score::assess` (the profile's 建议得分).
declare_rule! {
    /// 检查内容：自评得分比按所选评分口径算出的建议得分低，差距超过口径的容差（默认0.5分）；定性指标只在低于所在档次的下限时提示（如达成档低于分值的80%）。
    ///
    /// 为何重要：得分偏低不违规，但可能是完成值填错、少填，或把扣分理由写在别处；复核时核对一下，免得项目被低估。无需更正时可以忽略。
    ///
    /// 示例：数量指标“≥16个”完成“17个”，建议得分10分，自评得分8分，低2分。
    S016, "自评偏低", crate::rules::Check::Reader
}

use crate::model::{Finding, Indicator};
use crate::rules::At;
use crate::score::Basis;
use rust_decimal::Decimal;

/// The self score `score` under `floor` (the suggestion `suggested`, or a qualitative
/// band's lower bound) by more than the profile's tolerance.
pub fn below(
    at: At,
    ind: &Indicator,
    score: Decimal,
    suggested: Decimal,
    floor: Decimal,
    basis: Basis,
    profile: &str,
) -> Finding {
    let name = ind.name.value.as_deref().unwrap_or("");
    let words = crate::rules::s015::basis_words(ind, basis);
    let message = if floor == suggested {
        format!(
            "“{name}”自评得分{}低于建议得分{}（{words}），低{}分（评分口径：{profile}）",
            score.normalize(),
            suggested.normalize(),
            (suggested - score).normalize()
        )
    } else {
        format!(
            "“{name}”自评得分{}低于该档下限{}（{words}，建议得分{}–{}），低{}分（评分口径：{profile}）",
            score.normalize(),
            floor.normalize(),
            floor.normalize(),
            suggested.normalize(),
            (floor - score).normalize()
        )
    };
    at.finding(crate::code::Code::S016, message)
}
