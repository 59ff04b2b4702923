//! L001 自评表缺少必需部分.

// Reported by `extract` when a section is missing.
declare_rule! {
    /// 检查内容：自评表缺少绩效指标表头行（一级指标、二级指标、三级指标……得分）或总分行；其余部分照常读取。
    ///
    /// 为何重要：缺少表头行就读不出指标，缺少总分行就读不出申报总分。
    ///
    /// 示例：总分行被删除的自评表：自评表缺少总分行，无法读取申报总分。
    L001, "自评表缺少必需部分", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// A form without the header row of its indicator table (`at`: the form's anchor).
pub fn no_indicator_header(at: At) -> Finding {
    at.finding(
        crate::code::Code::L001,
        "自评表缺少绩效指标表头行（一级指标、二级指标、三级指标……），无法读取指标".into(),
    )
}

/// A form with a 得分 column but no 总分 row (`at`: the form's anchor).
pub fn no_total_row(at: At) -> Finding {
    at.finding(
        crate::code::Code::L001,
        "自评表缺少总分行，无法读取申报总分".into(),
    )
}
