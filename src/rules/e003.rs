//! E003 工作簿中没有自评表.

declare_rule! {
    /// What it checks: no sheet holds the labels of a 项目支出绩效自评表 (项目名称, 一级指标, 总分).
    ///
    /// Why it matters: an unrelated file was sent, or the form is in an unexpected shape.
    ///
    /// Example: a payroll list sent by mistake.
    ///
    /// Where: reported by `batch` when a readable workbook holds no form.
    E003, "工作簿中没有自评表", crate::rules::Check::Reader
}
