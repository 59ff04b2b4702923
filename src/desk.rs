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
    let Some(names) = names_for(inputs) else {
        eprintln!("错误：无法确定 {} 的上级文件夹", shown(first));
        return ExitCode::from(2);
    };
    let output = names.output.clone();
    let what: Vec<String> = inputs.iter().map(|p| shown(p)).collect();
    println!("正在读取：{}", what.join("、"));
    if names.cut {
        println!(
            "名称过长，汇总的文件名已截短为：{}",
            output
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
    }
    let settings = match jixiao::settings::find(inputs) {
        Some(path) => match read_settings(&path) {
            Ok(s) => {
                println!("使用设置文件：{}", shown(&path));
                s
            }
            Err(e) => {
                eprintln!("{}", crate::zh::error_text(&e));
                return ExitCode::from(2);
            }
        },
        None => jixiao::settings::Settings::default(),
    };
    // Beside a dropped folder, never inside what was dropped: feedback workbooks among the
    // inputs would be read back as a department's corrected copies.
    let feedback = (settings.feedback && first.is_dir()).then(|| names.feedback.clone());
    let b = match convert(inputs, &output, feedback.as_deref(), &settings) {
        Ok((b, notes)) => {
            for n in notes {
                println!("{n}");
            }
            b
        }
        Err(e) => {
            eprintln!("{}", crate::zh::error_text(&e));
            if let Some(hint) = retry_hint(&e) {
                eprintln!("{hint}");
            }
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
    if let Some(dir) = &feedback {
        println!(
            "反馈工作簿（每个主管部门一个，可直接发回各部门更正）：{}",
            shown(dir)
        );
    }
    if b.forms.len() > DRAG_FORM_SHEETS_MAX {
        println!(
            "表数超过 {DRAG_FORM_SHEETS_MAX}：汇总中未写各表的原表/清洗工作表（反馈工作簿中仍有各表的清洗表）。"
        );
    }
    if open {
        open_with_system(&output);
    }
    let failed = b.inputs.iter().any(|i| i.status == Status::Failed);
    ExitCode::from(u8::from(failed))
}

/// Converts as `convert` does (outputs written as a set), but writes nothing when no form
/// was found.
fn convert(
    inputs: &[PathBuf],
    output: &Path,
    feedback: Option<&Path>,
    settings: &jixiao::settings::Settings,
) -> anyhow::Result<(Batch, Vec<String>)> {
    let req = jixiao::convert::Request {
        inputs: inputs.to_vec(),
        output: output.to_path_buf(),
        feedback: feedback.map(Path::to_path_buf),
        form_sheets_max: Some(DRAG_FORM_SHEETS_MAX),
        nothing_without_forms: true,
        letterhead: settings.into(),
        profile: settings.scoring_profile(),
        ..Default::default()
    };
    // Drop-a-folder mode asks for no JSON, so there is nothing for standard output.
    let done = jixiao::convert::run(&req, |_, _| {})?;
    Ok((done.batch, done.notes))
}

/// Drag mode writes every form's 原表/清洗 sheets up to this many forms (a county's year;
/// `convert` stops at 50 unless asked).
pub const DRAG_FORM_SHEETS_MAX: usize = 2000;

/// Reads the clerk's settings file; what it does not understand is said on stderr, line
/// by line.
pub fn read_settings(path: &Path) -> anyhow::Result<jixiao::settings::Settings> {
    use anyhow::Context;
    let bytes = std::fs::read(path).with_context(|| format!("无法读取设置文件 {}", shown(path)))?;
    let parsed = jixiao::settings::parse(&bytes);
    for p in &parsed.problems {
        eprintln!("设置文件 {}：{p}", shown(path));
    }
    Ok(parsed.settings)
}

/// Where drop-a-folder mode writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// `<名称>-汇总.xlsx`.
    pub output: PathBuf,
    /// The folder of the feedback workbooks, `<名称>-反馈`.
    pub feedback: PathBuf,
    /// Whether the name was cut to fit ([`fitted`]).
    pub cut: bool,
}

/// Where the result goes: `<FOLDER>-汇总.xlsx` beside a folder given first,
/// `<文件名>-汇总.xlsx` beside a file given first (both followed by `等N个文件夹`, `等N个文件`
/// or `等N项` when several were dropped), the feedback workbooks in `<…>-反馈` beside it.
pub fn names_for(inputs: &[PathBuf]) -> Option<Names> {
    let first = inputs.first()?;
    let abs = std::path::absolute(first).ok()?;
    // `absolute` keeps `..` and a trailing `.`: resolve them by the file system then.
    let abs = if abs.file_name().is_none() || abs.ends_with("..") {
        first.canonicalize().ok()?
    } else {
        abs
    };
    let is_dir = abs.is_dir();
    let stem = if is_dir {
        abs.file_name()?.to_string_lossy().into_owned()
    } else {
        abs.file_stem()?.to_string_lossy().into_owned()
    };
    let more = match inputs.len() {
        1 => String::new(),
        n if inputs.iter().all(|p| p.is_dir()) => format!("等{n}个文件夹"),
        n if inputs.iter().all(|p| p.is_file()) => format!("等{n}个文件"),
        n => format!("等{n}项"),
    };
    let dir = abs.parent()?;
    let (output, cut) = fitted(&stem, &more, OUTPUT_SUFFIX);
    let (feedback, _) = fitted(&stem, &more, FEEDBACK_SUFFIX);
    Some(Names {
        output: dir.join(output),
        feedback: dir.join(feedback),
        cut,
    })
}

/// What drop-a-folder mode adds to the name of its workbook and of its feedback folder.
const OUTPUT_SUFFIX: &str = "-汇总.xlsx";
const FEEDBACK_SUFFIX: &str = "-反馈";

/// Most file systems hold a name to 255 bytes (NTFS to 255 UTF-16 units, fewer for
/// Chinese text): `<name><more><suffix>`, `name` cut by whole characters to fit. Returns
/// the name and whether it was cut.
fn fitted(name: &str, more: &str, suffix: &str) -> (String, bool) {
    const MAX_NAME_BYTES: usize = 255;
    let room = MAX_NAME_BYTES.saturating_sub(suffix.len() + more.len());
    let mut end = name.len().min(room);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    (format!("{}{more}{suffix}", &name[..end]), end < name.len())
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
    if let Some(l) = duplicates_line(b) {
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

/// `其中 2 张自评表重复报送（同一项目名称、主管部门与年度），各合计只计一次，见问题清单 C005`;
/// `None` when no form came twice.
pub fn duplicates_line(b: &Batch) -> Option<String> {
    let extra = b.extra_copies();
    (extra > 0).then(|| {
        format!(
            "其中 {extra} 张自评表与另一张重复（同一项目名称、主管部门与年度，问题清单 C005）；汇总的合计行已注明"
        )
    })
}

/// What to do when the outputs could not be replaced: in drag mode the usual cause is the
/// 汇总 (or a feedback workbook) open in Excel/WPS.
pub fn retry_hint(e: &anyhow::Error) -> Option<String> {
    let path = match e.downcast_ref::<jixiao::Error>()? {
        jixiao::Error::Rename { path, .. } => path,
        jixiao::Error::NotReplaceable { path, why } if !why.contains("只读") => path,
        _ => return None,
    };
    let name = path.file_name()?.to_string_lossy();
    Some(format!(
        "请先在 Excel/WPS 中关闭 {name}，再拖一次（这次没有改动任何输出文件）。"
    ))
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
    if reason == batch::SETTINGS_FILE {
        return "设置文件".into();
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
        let output_for = |i: &[PathBuf]| names_for(i).map(|n| n.output);
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
            abs.join("各部门报送").join("1-汇总.xlsx")
        );
        let two = names_for(&[f.clone(), f.clone()]).unwrap();
        assert_eq!(two.output, abs.join("各部门报送等2个文件夹-汇总.xlsx"));
        assert_eq!(two.feedback, abs.join("各部门报送等2个文件夹-反馈"));
        let mixed = names_for(&[f.join("1.xlsx"), f.clone()]).unwrap();
        assert_eq!(mixed.output, f.join("1等2项-汇总.xlsx"));
        let long = "县".repeat(90);
        assert_eq!(
            fitted(&long, "等2个文件夹", "-汇总.xlsx"),
            (format!("{}等2个文件夹-汇总.xlsx", "县".repeat(75)), true)
        );
        assert_eq!(
            fitted("各部门报送", "", "-反馈"),
            ("各部门报送-反馈".into(), false)
        );
    }
}
