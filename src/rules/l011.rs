//! L011 项目名称取自标题或文件名.

// Reported by `extract` when a form has no 项目名称 label.
declare_rule! {
    /// 检查内容：自评表没有“项目名称”标签（或标签右侧为空），项目名称改取自表格标题、工作表名或文件名，并说明取自哪里。
    ///
    /// 为何重要：汇总按项目名称列示和查重；取自标题或文件名的名称可能不准确，请核对，必要时在表中补填项目名称。
    ///
    /// 示例：未找到项目名称，已取自标题“2023年度农村公路养护项目绩效自评表”：农村公路养护项目。
    L011, "项目名称取自标题或文件名", crate::rules::Check::Reader
}

use crate::model::Finding;
use crate::rules::At;

/// No 项目名称 label: the name taken from the form's title.
pub fn name_from_title(at: At, title: &str, name: &str) -> Finding {
    let title = crate::normalize::trim(title).replace(['\n', '\r'], "");
    at.finding(
        crate::code::Code::L011,
        format!("未找到“项目名称”，项目名称取自标题“{title}”：{name}"),
    )
}

/// No 项目名称 label and no title naming it: the name taken from the sheet's name.
pub fn name_from_sheet(at: At, name: &str) -> Finding {
    at.finding(
        crate::code::Code::L011,
        format!("未找到“项目名称”，项目名称取自工作表名：{name}"),
    )
}

/// No 项目名称 label, no title naming it and a generic sheet name: the name taken from
/// the file's name.
pub fn name_from_file(at: At, name: &str) -> Finding {
    at.finding(
        crate::code::Code::L011,
        format!("未找到“项目名称”，项目名称取自文件名：{name}"),
    )
}
