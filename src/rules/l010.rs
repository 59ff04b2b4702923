//! L010 非指标行.

// Reported by `extract` when planning an indicator block.
declare_rule! {
    /// 检查内容：指标表中不是指标的行：细分行（“其中：……”）、说明行（“其他需要说明事项”“备注”）、表中重复出现的表头行。这些行不计为指标，其单元格列为未归位。
    ///
    /// 为何重要：若计为指标，会虚增指标个数，还会把“得分”“分值”这样的表头文字当作数值报错，或把细分金额算进得分。
    ///
    /// 示例：第18行“其中：省级资金”是细分行，不计为指标。
    L010, "非指标行", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// Row `row` of the indicator table (0-based; `text` its first text) is not an indicator
/// but `kind` (细分行, 说明行, 重复的表头行).
pub fn not_indicator(at: At, row: u32, text: &str, kind: &str) -> Finding {
    at.finding(
        crate::code::Code::L010,
        format!(
            "第{}行“{text}”是{}，不计为指标，其单元格列为未归位",
            row + 1,
            kind
        ),
    )
}
