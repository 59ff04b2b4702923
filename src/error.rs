//! What can go wrong in a run as a whole (as opposed to one file, which becomes a finding:
//! [`crate::read::ReadError`]). Each message is the Chinese the command line prints; the
//! underlying system or writer error is the [`std::error::Error::source`], which the
//! command line adds in parentheses.

use std::path::PathBuf;

/// The library's result.
pub type Result<T> = std::result::Result<T, Error>;

/// An error that stops a run: nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input named by the caller cannot be accessed (missing, no permission).
    #[error("无法访问输入 {}", .path.display())]
    Input {
        path: PathBuf,
        source: std::io::Error,
    },

    /// Two outputs of one request name the same file (`-o X --json X`); `first` and
    /// `second` are the options naming it, `path` as the first gave it.
    #[error(
        "输出路径重复：{first} 与 {second} 指向同一位置 {}，请为每个输出指定不同的路径（each output needs its own path）",
        .path.display()
    )]
    DuplicateOutput {
        first: &'static str,
        second: &'static str,
        path: PathBuf,
    },

    /// An output path is a folder.
    #[error("输出路径 {} 是一个文件夹（output is a folder）", .path.display())]
    OutputIsFolder { path: PathBuf },

    /// The folder an output file (`-o`, `--json`) is to be written in does not exist:
    /// found before any file is read. jixiao makes no folder for an output file (a
    /// mistyped path would leave one behind), as most command-line tools do not.
    #[error(
        "{option} 的输出文件夹 {} 不存在，请先建好它或换一个位置（output folder does not exist）",
        .dir.display()
    )]
    OutputDirMissing { option: &'static str, dir: PathBuf },

    /// An output path is one of the inputs: jixiao never overwrites an input.
    #[error(
        "输出文件 {} 是输入文件之一，拒绝覆盖（output would overwrite an input）",
        .path.display()
    )]
    OutputIsInput { path: PathBuf },

    /// An output path holds a file jixiao did not write: it is never overwritten.
    #[error(
        "输出文件 {} 已存在，且不是 jixiao 生成的汇总，拒绝覆盖；请换一个文件名或先移走它\n\
         （output exists and is not a jixiao output; refusing to overwrite it）",
        .path.display()
    )]
    OutputExists { path: PathBuf },

    /// A folder for outputs (`--csv`, `--feedback`) could not be created.
    #[error("无法创建文件夹 {}", .path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },

    /// No temporary file could be created in the output's folder.
    #[error("无法在 {} 创建临时文件", .dir.display())]
    CreateTemp {
        dir: PathBuf,
        source: std::io::Error,
    },

    /// Writing the output `path` (its temporary file) failed; `source` says how. Nothing
    /// was replaced.
    #[error("无法写出 {}", .path.display())]
    WriteTemp { path: PathBuf, source: Box<Error> },

    /// An output cannot be replaced (read-only, open in another program): found before
    /// any output was replaced, so none was.
    #[error("无法替换 {}：{why}。所有输出文件均未改动", .path.display())]
    NotReplaceable { path: PathBuf, why: String },

    /// A written output could not be moved into place at `path`; those moved before it
    /// were put back, so the earlier outputs are as they were.
    #[error("无法写入 {}（其余输出文件已恢复原样）", .path.display())]
    Rename {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The consolidated workbook could not be generated.
    #[error("无法生成汇总工作簿")]
    Workbook(#[source] rust_xlsxwriter::XlsxError),

    /// A `--feedback` workbook could not be generated.
    #[error("无法生成反馈工作簿")]
    FeedbackWorkbook(#[source] rust_xlsxwriter::XlsxError),

    /// The sample workbook (`jixiao sample`) could not be generated.
    #[error("无法生成抽查工作簿")]
    SampleWorkbook(#[source] rust_xlsxwriter::XlsxError),

    /// The review workbook (`jixiao review`) could not be generated.
    #[error("无法生成复核结果工作簿")]
    ReviewWorkbook(#[source] rust_xlsxwriter::XlsxError),

    /// `sample -o` names a sample workbook the reviewers have written in: their work is
    /// never replaced.
    #[error(
        "抽查工作簿 {} 中已有复核人填写的内容，拒绝覆盖；请换一个文件名，或先用 jixiao review 读取它\n\
         （the sample workbook has reviewers' entries; refusing to overwrite it）",
        .path.display()
    )]
    SampleFilled { path: PathBuf },

    /// `--form-sheets` asked of more forms than one workbook's sheets can hold for a
    /// spreadsheet program ([`crate::write::workbook::FORM_SHEETS_MAX`]).
    #[error(
        "--form-sheets 最多用于 {max} 张自评表（每张表写出原表、清洗两个工作表），本次有 {count} 张：\
         工作簿将有 {} 个工作表，Excel、WPS 无法打开。请按部门或文件夹分批转换，\
         或改用 --feedback（各部门的清洗表写在各自的反馈工作簿中）\n\
         （--form-sheets is limited to {max} forms; nothing was written）",
        .count * 2
    )]
    TooManyFormSheets { count: usize, max: usize },

    /// The sample drawn is too large for one workbook that `review` can read back: it
    /// is not written (the reviewers would fill in a workbook that cannot be reviewed).
    #[error(
        "抽取的 {drawn} 个项目写成一个抽查工作簿后，jixiao review 无法读回（{why}）；\
         未写出 {}。请用 --size 或 --ratio 少抽一些项目，或按部门分批抽查\n\
         （the sample workbook would be too large for review to read back [E001]）",
        .path.display()
    )]
    SampleTooLarge {
        path: PathBuf,
        drawn: usize,
        why: String,
    },

    /// The workbook given to `review` cannot be read, or is not a sample workbook.
    #[error("无法复核 {}：{why}", .path.display())]
    ReviewInput { path: PathBuf, why: String },

    /// A CSV record could not be written.
    #[error(transparent)]
    Csv(#[from] csv::Error),

    /// An I/O error with no path of its own: it comes inside [`Error::WriteTemp`], which
    /// names the file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A system error in words a clerk reads: 磁盘已满, 文件被其他程序占用, 文件名过长 … with the
/// system's number for whoever helps her; the English text only when nothing better is
/// known.
pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let code = e.raw_os_error();
    // Windows' codes: 32/33 sharing and lock violations, 112/39 disk full, 206 name too
    // long, 5 access denied; unix: 28 ENOSPC, 36 ENAMETOOLONG, 30 EROFS, 122 EDQUOT.
    let words = match (e.kind(), code) {
        (_, Some(32 | 33)) if cfg!(windows) => "文件被其他程序占用，请先在 Excel/WPS 中关闭它",
        (_, Some(112 | 39)) if cfg!(windows) => "磁盘已满",
        (_, Some(206)) if cfg!(windows) => "文件名或路径过长",
        (K::StorageFull, _) => "磁盘已满",
        (K::QuotaExceeded, _) => "超出磁盘配额",
        (K::InvalidFilename, _) => "文件名或路径过长",
        (K::ReadOnlyFilesystem, _) => "磁盘或文件夹为只读",
        (K::PermissionDenied, _) => "没有权限，或文件为只读、正被其他程序打开",
        (K::ResourceBusy, _) => "文件被其他程序占用，请先关闭它",
        (K::NotFound, _) => "找不到文件或文件夹",
        (K::AlreadyExists, _) => "文件已存在",
        (K::FileTooLarge, _) => "文件过大",
        (K::IsADirectory, _) => "这是一个文件夹",
        (K::NotADirectory, _) => "路径中有一段不是文件夹",
        (K::DirectoryNotEmpty, _) => "文件夹不为空",
        (K::WriteZero | K::UnexpectedEof, _) => "写入中断，可能是磁盘已满或已移除",
        (K::Interrupted, _) => "操作被中断",
        (K::OutOfMemory, _) => "内存不足",
        _ => "",
    };
    match (words.is_empty(), code) {
        (false, Some(n)) => format!("{words}（系统错误 {n}）"),
        (false, None) => words.to_string(),
        (true, Some(n)) => format!("系统错误 {n}"),
        (true, None) => format!("读写失败（{e}）"),
    }
}

/// A cause in an error chain in a clerk's words, where it is a system or zip error
/// ([`io_words`]); `None` for the library's own messages, already Chinese.
pub fn cause_words(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use rust_xlsxwriter::XlsxError;
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        return Some(io_words(io));
    }
    if let Some(x) = e.downcast_ref::<XlsxError>() {
        return Some(match x {
            XlsxError::IoError(io) | XlsxError::TempFileError(_, io) => io_words(io),
            XlsxError::ZipError(zip::result::ZipError::Io(io)) => io_words(io),
            other => format!("工作簿生成失败（{other}）"),
        });
    }
    if let Some(c) = e.downcast_ref::<csv::Error>() {
        return Some(match c.kind() {
            csv::ErrorKind::Io(io) => io_words(io),
            _ => format!("CSV 写入失败（{c}）"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages of an error and its sources, as the command line joins them.
    fn chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
        std::iter::successors(Some(e), |e| e.source())
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn sources_chain_to_the_underlying_error() {
        let denied = || std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e = Error::WriteTemp {
            path: "d/汇总.xlsx".into(),
            source: Box::new(Error::Io(denied())),
        };
        assert_eq!(chain(&e), ["无法写出 d/汇总.xlsx", "denied"]);
        let e = Error::WriteTemp {
            path: "t".into(),
            source: Box::new(Error::Workbook(rust_xlsxwriter::XlsxError::ParameterError(
                "x".into(),
            ))),
        };
        let c = chain(&e);
        assert_eq!(c[..2], ["无法写出 t", "无法生成汇总工作簿"]);
        assert!(c[2].contains('x'), "{c:?}");
        let e = Error::Input {
            path: "无此文件夹".into(),
            source: denied(),
        };
        assert_eq!(chain(&e), ["无法访问输入 无此文件夹", "denied"]);
    }

    #[test]
    fn a_folder_that_is_not_there_fails_with_its_path_and_cause() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("无");
        let e = crate::write::write_atomic(&missing.join("a.json"), b"{}").unwrap_err();
        let Error::CreateTemp { dir: d, source } = &e else {
            panic!("{e:?}");
        };
        assert_eq!(d, &missing);
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(chain(&e).len(), 2);
    }
}
