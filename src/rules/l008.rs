//! L008 表头标签未识别.

// Reported by `locate` and `extract` from the header rows.
declare_rule! {
    /// 检查内容：资金表或指标表的某个表头不在 jixiao 的标签词表中。同一写法只报告一次；该列的单元格列为“未归位”，不再逐个报告 L004。
    ///
    /// 为何重要：不认识的列就读不出来。请把这个表头写法反馈给维护人员，加入标签词表只需一行。
    ///
    /// 示例：表头“指标解释”不在标签词表中，该列未读取，其下9个单元格列为未归位。
    L008, "表头标签未识别", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// A header `text` the vocabulary does not know; `below` cells under it kept as unplaced.
pub fn unknown_label(at: At, text: &str, below: usize) -> Finding {
    let text = text.replace(['\n', '\r'], "");
    let tail = if below > 0 {
        format!("，其下{below}个单元格列为未归位")
    } else {
        String::new()
    };
    at.finding(
        crate::code::Code::L008,
        format!(
            "表头“{}”不在标签词表中，该列未读取{tail}",
            crate::normalize::trim(&text)
        ),
    )
}
