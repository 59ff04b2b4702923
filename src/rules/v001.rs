//! V001 值已规范化.

// Logged by `extract` in the change log (变更记录) for each normalized value.
declare_rule! {
    /// 检查内容：数值带有多余空白、全角数字、单位或占位符，已规范化（如文本形式的数字转为数值）。
    ///
    /// 为何重要：参与合计和核对的是规范化后的值；每处改动都记入“变更记录”，便于审核追溯。无须处理。
    ///
    /// 示例：得分填成“↵10”（先换行再写10）读作10；“６万元”读作6；“—”视为空。
    V001, "值已规范化", crate::rules::Check::Reader
}

use crate::model::Change;
use crate::rules::At;
use rust_decimal::Decimal;

const CODE: crate::code::Code = crate::code::Code::V001;

/// Surrounding whitespace trimmed.
pub fn trimmed(at: At, from: &str, to: &str) -> Change {
    at.change(CODE, from, to, "去除首尾空白")
}

/// A placeholder (`/`, `-`, `——`) read as empty.
pub fn placeholder(at: At, from: &str) -> Change {
    at.change(CODE, from, "", "占位符视为空")
}

/// A number typed as text, read as the number `to`.
pub fn text_number(at: At, from: &str, to: Decimal) -> Change {
    at.change(CODE, from, &to.to_string(), "文本数字转为数值")
}

/// A percentage typed as text, read as the rate `to`.
pub fn text_percent(at: At, from: &str, to: Decimal) -> Change {
    at.change(CODE, from, &to.to_string(), "文本百分数转为数值")
}

/// A rate under a header saying its numbers are percent points, read as the rate `to`.
pub fn percent_points(at: At, from: &str, to: Decimal) -> Change {
    at.change(CODE, from, &to.to_string(), "表头注明（%），按百分数读取")
}

/// The total typed with its label in one cell (`自评总分: 95`): the number after the colon.
pub fn inline_total(at: At, from: &str, to: Decimal) -> Change {
    at.change(
        CODE,
        from,
        &to.to_string(),
        "标签与总分在同一单元格，取冒号后的数值",
    )
}

/// A template's numbering (`1.`) taken off an indicator's name.
pub fn numbering_stripped(at: At, from: &str, to: &str) -> Change {
    at.change(CODE, from, to, "去除模板编号前缀")
}

/// A weight printed as a share in percent, `pct`% of the form's total weight `total`:
/// `points` points.
pub fn weight_from_percent(at: At, pct: Decimal, total: Decimal, points: Decimal) -> Change {
    at.change(
        CODE,
        &pct.to_string(),
        &points.to_string(),
        format!("权重占比{pct}%按总分值{total}折算为分值"),
    )
}
