//! L002 多行值与指标行数不符.

// Reported by `extract` when splitting multi-line values.
declare_rule! {
    /// 检查内容：一个合并单元格跨几个指标，其中的值分成几行，但行数与指标数对不上；该值不拆分，作为这几个指标的共享值。
    ///
    /// 为何重要：jixiao 不猜测哪一行属于哪个指标。请在原表中把每个指标的值分别填入各自的行。
    ///
    /// 示例：年度指标值“100%↵95%↵90%”（三行，↵ 表示换行）合并覆盖两个指标。
    L002, "多行值与指标行数不符", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// A cell of `lines` lines merged over `over` indicators: read as one shared value.
pub fn lines_not_matching(at: At, role: &str, lines: usize, over: usize) -> Finding {
    at.finding(
        crate::code::Code::L002,
        format!("{role}有{lines}行，但合并覆盖{over}个指标，无法一一对应，按共享值处理"),
    )
}
