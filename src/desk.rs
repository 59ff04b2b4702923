//! Drop-a-folder mode: `jixiao <FOLDER or files>` with no subcommand, as a folder dragged
//! onto jixiao.exe starts it. Converts, writes `<FOLDER>-汇总.xlsx` beside the folder (for
//! files: `汇总.xlsx` beside the first), prints a short Chinese summary and, when the
//! program owns its console window (started by a double-click or a drag on Windows), waits
//! for Enter so the window does not vanish before it is read.

use jixiao::model::{Batch, Severity, Status};
use jixiao::{batch, own};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Said when a run finds no form at all.
pub const NO_FORM: &str =
    "没有找到任何项目支出绩效自评表：请确认文件夹里是各部门报送的自评表（.xlsx/.xls/.et 等）。";

/// Runs drop-a-folder mode and returns the exit code: 0 done, 1 a file could not be read or
/// no form was found, 2 nothing given or the result could not be written.
pub fn run(inputs: &[PathBuf], open: bool) -> ExitCode {
    let code = run_inner(inputs, open);
    pause_if_own_console();
    code
}

fn run_inner(inputs: &[PathBuf], open: bool) -> ExitCode {
    println!(
        "jixiao {} · 项目支出绩效自评表汇总",
        env!("CARGO_PKG_VERSION")
    );
    let Some(first) = inputs.first() else {
        println!(
            "\n用法：把装有各部门自评表的文件夹拖到 jixiao 图标上（或运行 jixiao 文件夹名），\n\
             结果“文件夹名-汇总.xlsx”写在该文件夹旁边。\n运行 jixiao --help 查看全部命令。"
        );
        return ExitCode::from(2);
    };
    let output = match output_for(inputs) {
        Some(o) => o,
        None => {
            eprintln!("错误：无法确定 {} 的上级文件夹", shown(first));
            return ExitCode::from(2);
        }
    };
    let what: Vec<String> = inputs.iter().map(|p| shown(p)).collect();
    println!("正在读取：{}", what.join("、"));
    if output_name_cut(inputs) {
        println!(
            "文件夹名过长，汇总的文件名已截短为：{}",
            output
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
    }
    let b = match convert(inputs, &output) {
        Ok((b, notes)) => {
            for n in notes {
                println!("{n}");
            }
            b
        }
        Err(e) => {
            eprintln!("{}", crate::zh::error_text(&e));
            return ExitCode::from(2);
        }
    };
    print!(
        "{}",
        summary(
            &b,
            if b.forms.is_empty() {
                None
            } else {
                Some(&output)
            }
        )
    );
    if b.forms.is_empty() {
        return ExitCode::from(1);
    }
    if open {
        open_with_system(&output);
    }
    let failed = b.inputs.iter().any(|i| i.status == Status::Failed);
    ExitCode::from(u8::from(failed))
}

/// Converts as `convert` does (outputs written as a set), but writes nothing when no form
/// was found.
fn convert(inputs: &[PathBuf], output: &Path) -> anyhow::Result<(Batch, Vec<String>)> {
    let req = jixiao::convert::Request {
        inputs: inputs.to_vec(),
        output: output.to_path_buf(),
        nothing_without_forms: true,
        ..Default::default()
    };
    // Drop-a-folder mode asks for no JSON, so there is nothing for standard output.
    let done = jixiao::convert::run(&req, |_, _| {})?;
    Ok((done.batch, done.notes))
}

/// Most file systems hold a name to 255 bytes (NTFS to 255 UTF-16 units, fewer for
/// Chinese text): the name `<FOLDER>-汇总.xlsx` is cut to fit.
const MAX_NAME_BYTES: usize = 255;

/// `<name><suffix>`, `name` cut (by whole characters) so the whole fits in
/// [`MAX_NAME_BYTES`].
fn fitted(name: &str, suffix: &str) -> String {
    let room = MAX_NAME_BYTES.saturating_sub(suffix.len());
    let mut end = name.len().min(room);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", &name[..end])
}

/// What drop-a-folder mode adds to the folder's name.
const OUTPUT_SUFFIX: &str = "-汇总.xlsx";

/// Where the result goes: `<FOLDER>-汇总.xlsx` beside a folder given first, `汇总.xlsx`
/// beside a file given first.
pub fn output_for(inputs: &[PathBuf]) -> Option<PathBuf> {
    Some(output_and_folder(inputs)?.0)
}

/// Whether [`output_for`] had to cut the folder's name ([`fitted`]).
fn output_name_cut(inputs: &[PathBuf]) -> bool {
    output_and_folder(inputs).is_some_and(|(o, folder)| {
        folder.is_some_and(|f| {
            o.file_name()
                .is_some_and(|n| *n != *format!("{f}{OUTPUT_SUFFIX}"))
        })
    })
}

/// [`output_for`] and, when a folder came first, its name.
fn output_and_folder(inputs: &[PathBuf]) -> Option<(PathBuf, Option<String>)> {
    let first = inputs.first()?;
    let abs = std::path::absolute(first).ok()?;
    // `absolute` keeps `..` and a trailing `.`: resolve them by the file system then.
    let abs = if abs.file_name().is_none() || abs.ends_with("..") {
        first.canonicalize().ok()?
    } else {
        abs
    };
    if abs.is_dir() {
        let name = abs.file_name()?.to_string_lossy().into_owned();
        Some((abs.parent()?.join(fitted(&name, OUTPUT_SUFFIX)), Some(name)))
    } else {
        Some((abs.parent()?.join("汇总.xlsx"), None))
    }
}

/// The terminal summary: forms, findings, files that could not be read, files skipped by
/// kind, and where the result is (`None`: nothing was written).
pub fn summary(b: &Batch, output: Option<&Path>) -> String {
    let mut s = String::new();
    let read = b
        .inputs
        .iter()
        .filter(|i| i.status != Status::Skipped)
        .count();
    s.push_str(&format!(
        "\n读取 {read} 个文件，找到 {} 张自评表：{} 个错误（须更正），{} 个警告（请核实）。\n",
        b.forms.len(),
        b.count(Severity::Error),
        b.count(Severity::Warning),
    ));
    let failed: Vec<_> = b
        .inputs
        .iter()
        .filter(|i| i.status == Status::Failed)
        .collect();
    if !failed.is_empty() {
        s.push_str(&format!("无法读取 {} 个文件：\n", failed.len()));
        for i in failed.iter().take(10) {
            s.push_str(&format!(
                "  {}：{}\n",
                shown_str(&i.path),
                i.reason.as_deref().unwrap_or("")
            ));
        }
        if failed.len() > 10 {
            s.push_str(&format!(
                "  ……另有 {} 个，见汇总的“说明”工作表\n",
                failed.len() - 10
            ));
        }
    }
    if let Some(l) = skipped_line(b) {
        s.push_str(&l);
        s.push('\n');
    }
    if let (Some(l), Some(_)) = (other_sheets_line(b), output) {
        s.push_str(&l);
        s.push('\n');
    }
    match output {
        Some(o) => {
            s.push_str(&format!("\n结果已写入：{}\n", shown(o)));
            s.push_str("打开后先看“汇总”和“问题清单”两张工作表；“说明”列出每个文件的处理情况。\n");
        }
        None => {
            s.push('\n');
            s.push_str(NO_FORM);
            s.push_str("\n未生成汇总工作簿。\n");
        }
    }
    s
}

/// `已跳过 3 个文件：1 个 .docx，1 个锁定文件，1 个 .et`, kinds in order of first
/// appearance; `None` when nothing was skipped.
pub fn skipped_line(b: &Batch) -> Option<String> {
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for i in b.inputs.iter().filter(|i| i.status == Status::Skipped) {
        let k = skip_kind(&i.path, i.reason.as_deref().unwrap_or(""));
        match kinds.iter_mut().find(|(n, _)| *n == k) {
            Some((_, c)) => *c += 1,
            None => kinds.push((k, 1)),
        }
    }
    if kinds.is_empty() {
        return None;
    }
    let total: usize = kinds.iter().map(|(_, c)| c).sum();
    let parts: Vec<String> = kinds.iter().map(|(k, c)| format!("{c} 个{k}")).collect();
    Some(format!("已跳过 {total} 个文件：{}", parts.join("，")))
}

/// `另有 10 个工作表不是自评表，见“说明”`: the sheets of the workbooks read that hold no
/// form (a dossier's 基本信息, 立项依据 …), listed in 说明; `None` when there are none.
pub fn other_sheets_line(b: &Batch) -> Option<String> {
    let n: usize = b.inputs.iter().map(|i| i.other_sheets.len()).sum();
    (n > 0).then(|| format!("另有 {n} 个工作表不是自评表，见“说明”"))
}

/// What kind of skipped file this is, as the summary counts it.
fn skip_kind(path: &str, reason: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .filter(|e| !e.is_empty());
    if name.starts_with("~$") {
        return "锁定文件".into();
    }
    if own::is_skipped_own_output(reason) {
        return " jixiao 先前生成的汇总".into();
    }
    if name.starts_with('.') {
        return "隐藏文件".into();
    }
    match ext {
        Some(e) if batch::EXTENSIONS.contains(&e.as_str()) => {
            // A spreadsheet skipped for a reason of its own (WPS format, link, …).
            if e == "et" || e == "ett" {
                format!(" .{e}")
            } else {
                let why = reason
                    .trim_end_matches("，已跳过")
                    .trim_end_matches("已跳过");
                format!("其他文件（{why}）")
            }
        }
        Some(e) => format!(" .{e}"),
        None => "无扩展名的文件".into(),
    }
}

/// A path as this platform writes it (`\` on Windows).
pub fn shown(p: &Path) -> String {
    shown_str(&p.display().to_string())
}

/// As [`shown`], for a path the library reports with `/`.
pub fn shown_str(p: &str) -> String {
    if std::path::MAIN_SEPARATOR == '\\' {
        p.replace('/', "\\")
    } else {
        p.to_string()
    }
}

/// Opens a file with the system's program for it, without waiting.
fn open_with_system(p: &Path) {
    let mut cmd = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]).arg(p);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(p);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(p);
        c
    };
    if let Err(e) = cmd.spawn() {
        eprintln!("无法打开 {}（{e}）", shown(p));
    }
}

/// Waits for Enter when this process is the only one attached to its console: started by
/// a double-click or a drag in Explorer, whose window closes as soon as the program ends.
/// `JIXIAO_NO_PAUSE` turns it off.
fn pause_if_own_console() {
    if std::env::var_os("JIXIAO_NO_PAUSE").is_some() || !owns_console() {
        return;
    }
    println!("\n按回车键退出……");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[cfg(windows)]
fn owns_console() -> bool {
    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
    }
    let mut ids = [0u32; 4];
    // SAFETY: the buffer holds `ids.len()` u32s, as the count says.
    let n = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), ids.len() as u32) };
    n == 1
}

#[cfg(not(windows))]
fn owns_console() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_kinds() {
        assert_eq!(
            skip_kind("d/~$1.xlsx", "Excel 锁定文件（~$），已跳过"),
            "锁定文件"
        );
        assert_eq!(skip_kind("d/报告.DOCX", "不是表格文件"), " .docx");
        assert_eq!(skip_kind("d/a.et", "WPS"), " .et");
        assert_eq!(skip_kind("d/README", "不是表格文件"), "无扩展名的文件");
        assert_eq!(
            skip_kind("d/汇总.xlsx", "jixiao 生成的汇总工作簿，不作为输入，已跳过"),
            " jixiao 先前生成的汇总"
        );
    }

    #[test]
    fn output_beside_the_folder_or_the_first_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("各部门报送");
        std::fs::create_dir(&f).unwrap();
        std::fs::write(f.join("1.xlsx"), b"").unwrap();
        let abs = std::path::absolute(dir.path()).unwrap();
        assert_eq!(
            output_for(std::slice::from_ref(&f)).unwrap(),
            abs.join("各部门报送-汇总.xlsx")
        );
        assert_eq!(
            output_for(&[f.join(".")]).unwrap().file_name().unwrap(),
            "各部门报送-汇总.xlsx"
        );
        assert_eq!(
            output_for(&[f.join("1.xlsx")]).unwrap(),
            abs.join("各部门报送").join("汇总.xlsx")
        );
    }
}
