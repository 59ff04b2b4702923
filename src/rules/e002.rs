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

use crate::model::Finding;
use crate::read::ReadError;
use crate::rules::At;

/// A file the reader found password-protected: `reason` in the reader's words.
pub fn password(at: At, reason: String) -> Finding {
    at.finding(crate::code::Code::E002, reason)
}

/// A file that cannot be read, under the code the reader gave (E002 for a password, E001
/// otherwise, [`super::e001::unreadable`]).
pub fn read_failure(at: At, e: ReadError) -> Finding {
    match e.code {
        crate::code::Code::E002 => password(at, e.reason),
        _ => super::e001::unreadable(at, e.reason),
    }
}
