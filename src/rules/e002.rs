//! E002 文件设有密码保护.

// Reported by `read` for encrypted workbooks.
declare_rule! {
    /// 检查内容：工作簿设有打开密码（已加密）。
    ///
    /// 为何重要：没有密码就读不出单元格内容。请报送单位取消密码后重新发送。
    ///
    /// 示例：在 Excel 的“文件 › 信息 › 保护工作簿 › 用密码进行加密”中设了密码的工作簿。
    E002, "文件设有密码保护", crate::rules::Check::Reader
}
