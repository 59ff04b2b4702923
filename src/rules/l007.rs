//! L007 模板说明文字未删除.

// Reported by `extract` when cleaning a text.
declare_rule! {
    /// 检查内容：单元格里仍是模板给填表人的说明文字（如“对照年度目标，说明……（100字以内）”），按空白读取，不作为内容。
    ///
    /// 为何重要：说明文字不是单位填写的内容，该栏实际上没有填。请删去说明文字并补填。
    ///
    /// 示例：实际完成情况一栏仍是“对照年度目标，逐项说明完成情况（100字以内）”。
    L007, "模板说明文字未删除", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// A cell still holding the template's instruction `text` (read as empty).
pub fn instruction(at: At, text: &str) -> Finding {
    at.finding(
        crate::code::Code::L007,
        format!("单元格仍是模板的填写说明“{text}”，未作为内容读取"),
    )
}
