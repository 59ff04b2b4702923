//! E002 文件设有密码保护.

declare_rule! {
    /// What it checks: the workbook is encrypted with a password.
    ///
    /// Why it matters: its cells cannot be read without the password.
    ///
    /// Example: an .xlsx saved with 'Encrypt with password' in Excel.
    ///
    /// Where: reported by `read` for encrypted workbooks.
    E002, "文件设有密码保护", crate::rules::Check::Reader
}
