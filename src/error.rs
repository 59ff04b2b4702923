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

    /// Writing an output's temporary file `path` failed; `source` says how.
    #[error("无法写入临时文件 {}", .path.display())]
    WriteTemp { path: PathBuf, source: Box<Error> },

    /// A written output could not be moved into place at `path`.
    #[error("无法写入 {}", .path.display())]
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

    /// A CSV record could not be written.
    #[error(transparent)]
    Csv(#[from] csv::Error),

    /// A CSV table could not be finished.
    #[error("CSV 写入失败")]
    CsvFlush(#[source] std::io::Error),

    /// An I/O error with no path of its own: it comes inside [`Error::WriteTemp`], which
    /// names the file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
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
            path: "d/.jixiao-1.tmp".into(),
            source: Box::new(Error::Io(denied())),
        };
        assert_eq!(chain(&e), ["无法写入临时文件 d/.jixiao-1.tmp", "denied"]);
        let e = Error::WriteTemp {
            path: "t".into(),
            source: Box::new(Error::Workbook(rust_xlsxwriter::XlsxError::ParameterError(
                "x".into(),
            ))),
        };
        let c = chain(&e);
        assert_eq!(c[..2], ["无法写入临时文件 t", "无法生成汇总工作簿"]);
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
