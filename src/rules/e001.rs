//! E001 文件无法打开或已损坏.

declare_rule! {
    /// What it checks: the file cannot be opened: a truncated zip, a text file renamed .xlsx, an unknown format.
    ///
    /// Why it matters: nothing in it can be read; the sender must send it again.
    ///
    /// Example: 报表.xlsx cut off during e-mail transfer: 文件已损坏或不是表格文件。
    ///
    /// Where: reported by `read` when a file cannot be opened.
    E001, "文件无法打开或已损坏", crate::rules::Check::Reader
}
