//! E001 文件无法打开或已损坏.

// Reported by `read` when a file cannot be opened.
declare_rule! {
    /// 检查内容：文件无法打开，例如压缩包不完整（邮件传输中断）、文本文件改了扩展名 .xlsx、不是能识别的表格格式，或文件超过大小上限。
    ///
    /// 为何重要：文件中的内容一项也读不出来，须请报送单位重新发送。
    ///
    /// 示例：报表.xlsx 在邮件传输中被截断：文件已损坏或不是表格文件。
    E001, "文件无法打开或已损坏", crate::rules::Check::Reader
}

use crate::grid::Pos;
use crate::model::Finding;
use crate::read::ReadError;
use crate::rules::At;

/// A file that cannot be read: why, in the reader's words ([`ReadError`]; a password is
/// E002's, [`super::e002::password`]).
pub fn unreadable(at: At, reason: String) -> Finding {
    at.finding(crate::code::Code::E001, reason)
}

/// A file found by discovery that is not a regular file.
pub fn not_a_file(kind: &str) -> String {
    format!("不是普通文件（{kind}），无法读取")
}

/// A folder that cannot be listed.
pub fn unreadable_folder(why: impl std::fmt::Display) -> String {
    format!("无法读取文件夹（{why}），其中的文件未读取")
}

/// A reason found before reading (discovery's), as a read failure.
pub fn failed(reason: String) -> ReadError {
    ReadError {
        code: crate::code::Code::E001,
        reason,
        detail: None,
    }
}

/// A file over the size limit, refused before it is read.
pub fn too_large(size: u64, max: u64) -> ReadError {
    failed(format!("文件过大（{size} 字节，上限 {max} 字节）"))
}

/// A file the system would not read.
pub fn io(e: &std::io::Error) -> ReadError {
    ReadError {
        detail: Some(e.to_string()),
        ..failed(format!("无法读取文件（{}）", crate::io_words(e)))
    }
}

/// A file that was a regular file at the walk and is something else when read (a named
/// pipe put in its place would have blocked the run).
pub fn replaced(kind: &str) -> ReadError {
    failed(format!(
        "读取时已不是普通文件（{kind}），无法读取；请确认文件未被替换后重新运行"
    ))
}

/// A bug in locating or extracting: the file is left out, the run goes on.
pub fn internal() -> ReadError {
    failed("读取表格内容时出现内部错误，此文件已略去（请将文件反馈给开发者）".into())
}

/// A form's indicators that did not read back from where the run kept them (a defect):
/// its rules are not run, rather than run on no indicators.
pub fn unpacked(e: &std::io::Error) -> String {
    format!("指标读回时出现内部错误（{e}），此表未检查（请将文件反馈给开发者）")
}

/// Cells beyond Excel's grid (past column XFD or row 1,048,576), dropped by the reader.
pub fn beyond_excel(at: At, sheet: &str, dropped: &[Pos]) -> Finding {
    let shown: Vec<String> = dropped.iter().take(5).map(|p| p.to_string()).collect();
    let more = if dropped.len() > 5 { "等" } else { "" };
    at.finding(
        crate::code::Code::E001,
        format!(
            "工作表“{}”有 {} 个单元格超出 Excel 的范围（XFD 列、第 1,048,576 行之后），已忽略：{}{more}",
            sheet,
            dropped.len(),
            shown.join("、")
        ),
    )
}

/// A form whose 原表/清洗 sheets cannot be built (a writer error, a limit, a panic): `name`
/// its 项目名称, `why` the writer's reason.
pub fn form_sheets_unwritable(
    at: At,
    id: &str,
    name: &str,
    why: impl std::fmt::Display,
) -> Finding {
    let name: String = name.chars().take(40).collect();
    at.finding(
        crate::code::Code::E001,
        format!("{id}“{name}”的原表/清洗工作表无法写出，已略去（{why}）；该表的数据仍在各清单中"),
    )
}
