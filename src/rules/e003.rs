//! E003 工作簿中没有自评表.

// Reported by `batch` when a readable workbook holds no form.
declare_rule! {
    /// 检查内容：文件能打开，但没有一张工作表带有绩效指标表（表头行有一级指标或三级指标，并有实际完成值或得分列）。只有项目名称而没有指标表的工作表（项目基本信息、绩效目标申报表等）不算自评表。
    ///
    /// 为何重要：可能误发了无关的文件（如只报送了绩效目标申报表），或自评表的样式与常见样式相差太大。
    ///
    /// 示例：误把工资表当作自评表报送；工作簿中没有找到项目支出绩效自评表（未见绩效指标表（一级指标、三级指标、实际完成值或得分））。
    E003, "工作簿中没有自评表", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// The message, as the finding and the run's note say it.
pub const MESSAGE: &str =
    "工作簿中没有找到项目支出绩效自评表（未见绩效指标表（一级指标、三级指标、实际完成值或得分））";

/// A workbook with no form.
pub fn no_form(at: At) -> Finding {
    at.finding(crate::code::Code::E003, MESSAGE.to_string())
}

/// The note of the file's line in the run ([`MESSAGE`] and the code).
pub fn note() -> String {
    format!("{MESSAGE} [E003]")
}
