//! V001 值已规范化.

// Logged by `extract` in the change log (变更记录) for each normalized value.
declare_rule! {
    /// 检查内容：数值带有多余空白、全角数字、单位或占位符，已规范化（如文本形式的数字转为数值）。
    ///
    /// 为何重要：参与合计和核对的是规范化后的值；每处改动都记入“变更记录”，便于审核追溯。无须处理。
    ///
    /// 示例：得分填成“↵10”（先换行再写10）读作10；“６万元”读作6；“—”视为空。
    V001, "值已规范化", crate::rules::Check::Reader
}
