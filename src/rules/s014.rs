//! S014 核算总分超过总分值.

// Reported by `extract` when it grades the form.
declare_rule! {
    /// 检查内容：核算总分（执行率得分加各指标得分）超过本表的总分值（总分行的分值，未填时按100），此时不评定等级。
    ///
    /// 为何重要：得分超过满分说明有得分填错（多填、填在错误的列或把分值当得分）；按这样的总分评出的“优”没有依据。请核对各项得分。
    ///
    /// 示例：核算总分120超过总分值100，未评定等级。
    S014, "核算总分超过总分值", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;
use rust_decimal::Decimal;

/// The 核算总分 `total` over the form's total weight `limit` (`stated` when the form
/// states it, else 100): no grade.
pub fn over_total(at: At, total: Decimal, limit: Decimal, stated: bool) -> Finding {
    let of = if stated {
        "总分值"
    } else {
        "满分（表中未填总分值，按100）"
    };
    at.finding(
        crate::code::Code::S014,
        format!("核算总分{total}超过{of}{limit}，未评定等级，请核对各项得分"),
    )
}
