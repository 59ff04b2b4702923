//! E003 工作簿中没有自评表.

// Reported by `batch` when a readable workbook holds no form.
declare_rule! {
    /// 检查内容：文件能打开，但没有一张工作表带有自评表的标签（项目名称、一级指标、总分等）。
    ///
    /// 为何重要：可能误发了无关的文件，或自评表的样式与常见样式相差太大。
    ///
    /// 示例：误把工资表当作自评表报送。
    E003, "工作簿中没有自评表", crate::rules::Check::Reader
}
