//! On the desk of a finance bureau: a folder dropped on jixiao, re-runs as new forms
//! arrive, WPS files, a template never written over a filled form, Chinese throughout.

mod common;

use common::{department_folder, jixiao, jixiao_in, lossy as text, root};
use std::path::Path;

/// The department folder with a Word report, an Excel lock file and a WPS file in WPS's
/// own format beside the forms.
fn desk_folder(parent: &Path) -> std::path::PathBuf {
    let d = department_folder(parent);
    std::fs::write(d.join("自评报告.docx"), b"PK\x03\x04 not really").unwrap();
    std::fs::write(d.join("~$1-禁毒办.xlsx"), b"lock").unwrap();
    std::fs::write(d.join("预算.et"), b"\x00\x01 a WPS binary of its own").unwrap();
    d
}

#[test]
fn a_dropped_folder_gives_its_summary_beside_it_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desk_folder(tmp.path());
    let out = tmp.path().join("各部门报送-汇总.xlsx");
    let o = jixiao(&[d.to_str().unwrap()]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{}", text(&o.stderr));
    assert!(stdout.contains("找到 4 张自评表"), "{stdout}");
    assert!(stdout.contains("已跳过 3 个文件："), "{stdout}");
    assert!(!stdout.contains("不是自评表"), "{stdout}");
    for kind in ["1 个 .docx", "1 个锁定文件", "1 个 .et"] {
        assert!(stdout.contains(kind), "{kind} in {stdout}");
    }
    assert!(
        stdout.contains(&format!("结果已写入：{}", out.display())),
        "{stdout}"
    );
    let first = std::fs::read(&out).unwrap();

    // New forms arrive; the folder is dropped again: the summary is replaced.
    let o = jixiao(&[d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        first,
        "same inputs, same bytes"
    );
    std::fs::copy(root().join("samples/2023/4.xlsx"), d.join("5-民政局.xlsx")).unwrap();
    let o = jixiao(&[d.to_str().unwrap()]);
    assert!(text(&o.stdout).contains("找到 5 张自评表"));

    // Relative, with a trailing separator, from the parent folder.
    let o = jixiao_in(tmp.path(), &["各部门报送/"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn a_dropped_dossier_counts_its_other_sheets() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("北大2019.xlsx");
    std::fs::copy(root().join("tests/fixtures/real/central-pku-2019.xlsx"), &f).unwrap();
    let o = jixiao(&[f.to_str().unwrap()]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{}", text(&o.stderr));
    assert!(stdout.contains("找到 1 张自评表"), "{stdout}");
    assert!(
        stdout.contains("另有 10 个工作表不是自评表，见“说明”\n"),
        "{stdout}"
    );
}

#[test]
fn dropped_files_give_a_summary_beside_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desk_folder(tmp.path());
    let o = jixiao(&[
        d.join("2-财政局.xlsx").to_str().unwrap(),
        d.join("1-禁毒办.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("找到 2 张自评表"));
    assert!(d.join("2-财政局等2个文件-汇总.xlsx").is_file());
    // Dropped files get no feedback folder among them (it would be read back as input).
    assert!(!d.join("2-财政局等2个文件-反馈").exists());
    // Dropping the whole folder later skips that summary as an input.
    let o = jixiao_in(tmp.path(), &["各部门报送"]);
    let stdout = text(&o.stdout);
    assert!(stdout.contains("找到 4 张自评表"), "{stdout}");
    assert!(stdout.contains("1 个 jixiao 先前生成的汇总"), "{stdout}");
}

#[test]
fn a_folder_without_forms_says_so_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("空文件夹");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("说明.docx"), b"x").unwrap();
    let o = jixiao(&[d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("没有找到任何项目支出绩效自评表"),
        "{stdout}"
    );
    assert!(stdout.contains("已跳过 1 个文件：1 个 .docx"), "{stdout}");
    assert!(!tmp.path().join("空文件夹-汇总.xlsx").exists());
    // And `convert` says it too.
    let out = tmp.path().join("x.xlsx");
    let o = jixiao(&["convert", d.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("没有找到任何项目支出绩效自评表"));
}

#[test]
fn a_summary_beside_a_folder_is_never_written_over_another_file() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desk_folder(tmp.path());
    let other = tmp.path().join("各部门报送-汇总.xlsx");
    std::fs::copy(root().join("samples/2023/1.xlsx"), &other).unwrap();
    let before = std::fs::read(&other).unwrap();
    let o = jixiao(&[d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("拒绝覆盖"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn template_never_overwrites_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let filled = tmp.path().join("1.xlsx");
    std::fs::copy(root().join("samples/2023/1.xlsx"), &filled).unwrap();
    let before = std::fs::read(&filled).unwrap();
    let o = jixiao(&["template", "-o", filled.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("已存在，拒绝覆盖"));
    assert!(text(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read(&filled).unwrap(), before);
    let o = jixiao(&["template", "-o", filled.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(0));
    assert_ne!(std::fs::read(&filled).unwrap(), before);
}

#[test]
fn help_rules_and_usage_errors_are_in_chinese() {
    let o = jixiao(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = text(&o.stdout);
    for s in ["用法", "命令", "选项", "拖到", "convert", "--open"] {
        assert!(help.contains(s), "{s} in {help}");
    }
    assert!(
        !help.contains("Usage:") && !help.contains("Print help"),
        "{help}"
    );
    let o = jixiao(&["convert", "--help"]);
    let help = text(&o.stdout);
    assert!(help.contains("要写入的汇总工作簿"), "{help}");
    assert!(
        !help.contains("Options:") && !help.contains("Arguments:"),
        "{help}"
    );

    // No English sentence in any command's help (`--feedback` was one).
    for cmd in ["convert", "check", "template", "rules"] {
        let help = text(&jixiao(&[cmd, "--help"]).stdout);
        for line in help.lines() {
            let english = line
                .split(|c: char| !(c.is_ascii_alphabetic() || c == ' '))
                .any(|run| run.split_whitespace().filter(|w| w.len() > 1).count() >= 4);
            assert!(!english, "{cmd} --help: {line}");
        }
    }

    let o = jixiao(&["rules", "S001"]);
    let doc = text(&o.stdout);
    assert!(
        doc.starts_with("S001 申报总分与核算总分不一致\n级别：错误\n"),
        "{doc}"
    );
    assert!(
        doc.contains("\n\n检查内容：总分行的申报总分不等于"),
        "{doc}"
    );
    assert!(!doc.contains("What it checks"), "{doc}");

    for (args, says) in [
        (
            &["convert", "samples/2023", "-o", "-"][..],
            "不能写到标准输出",
        ),
        (
            &["convert", "samples/2023", "-o", "x.csv"],
            "须以 .xlsx 结尾",
        ),
        (
            &[
                "convert",
                "samples/2023",
                "-o",
                "x.xlsx",
                "--form-sheets",
                "--no-form-sheets",
            ],
            "不能同时使用",
        ),
        (&["convert", "samples/2023"], "缺少必需的参数"),
        (&["convert", "samples/2023", "--bogus"], "不认识的参数"),
        (&["check", "samples/2023", "--fail-on", "sometimes"], "可选"),
    ] {
        let o = jixiao(args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("错误："), "{err}");
        assert!(err.contains(says), "{says} in {err}");
        assert!(err.contains("用法（usage）："), "{err}");
    }
    assert!(!root().join("x.xlsx").exists());
}

#[test]
fn a_folder_named_like_nothing_jixiao_knows_is_an_input() {
    // Not mistaken for an unknown subcommand.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("conv");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(root().join("samples/2023/1.xlsx"), d.join("1.xlsx")).unwrap();
    let o = jixiao_in(tmp.path(), &["conv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(tmp.path().join("conv-汇总.xlsx").is_file());
    // A missing one is a plain Chinese error.
    let o = jixiao_in(tmp.path(), &["没有这个文件夹"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("无法访问输入"));
}

/// Drag mode, round two (issue 18): feedback workbooks by default beside the folder, the
/// clerk's settings file honoured and its mistakes said, forms sent twice said, and an
/// output that cannot be replaced (open in Excel/WPS) met with what to do.
#[test]
fn a_dropped_folder_also_gives_feedback_workbooks_unless_the_settings_say_no() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desk_folder(tmp.path());
    // The same form twice.
    std::fs::copy(
        root().join("samples/2023/1.xlsx"),
        d.join("6-禁毒办重报.xlsx"),
    )
    .unwrap();
    let o = jixiao(&[d.to_str().unwrap()]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{}", text(&o.stderr));
    let fb = tmp.path().join("各部门报送-反馈");
    assert!(
        stdout.contains(&format!(
            "反馈工作簿（每个主管部门一个，可直接发回各部门更正）：{}",
            fb.display()
        )),
        "{stdout}"
    );
    assert!(fb.join("靖州县禁毒办.xlsx").is_file());
    assert!(
        stdout
            .contains("其中 1 张自评表与另一张重复（同一项目名称、主管部门与年度，问题清单 C005）"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&fb).unwrap();
    // The clerk's settings: no feedback; a line it does not understand is said.
    std::fs::write(
        d.join("jixiao设置.txt"),
        "编制单位 = 靖州县财政局\n写反馈工作簿 = 否\n颜色 = 红\n",
    )
    .unwrap();
    let o = jixiao(&[d.to_str().unwrap()]);
    let stdout = text(&o.stdout);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("使用设置文件："), "{stdout}");
    // The settings file is no form: listed as what it is, not as an unknown .txt.
    assert!(stdout.contains("1 个设置文件"), "{stdout}");
    assert!(!stdout.contains("个 .txt"), "{stdout}");
    assert!(
        stderr.contains("jixiao设置.txt：第 3 行：不认识的设置“颜色”，已忽略"),
        "{stderr}"
    );
    assert!(!fb.exists(), "写反馈工作簿 = 否");
}

/// A folder dropped once, a form added, then dropped again with the debug hook `hook`
/// answering for the 汇总 as Windows does for a file open in Excel/WPS. Asserts the second
/// drag exits 2, says to close the 汇总, and changed neither the 汇总 nor a feedback
/// workbook; returns what it printed on stderr.
fn second_drag_blocked(hook: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let d = desk_folder(tmp.path());
    let out = tmp.path().join("各部门报送-汇总.xlsx");
    let fb = tmp.path().join("各部门报送-反馈").join("靖州县禁毒办.xlsx");
    assert_eq!(jixiao(&[d.to_str().unwrap()]).status.code(), Some(0));
    let (before, fb_before) = (std::fs::read(&out).unwrap(), std::fs::read(&fb).unwrap());
    std::fs::copy(root().join("samples/2023/4.xlsx"), d.join("5-民政局.xlsx")).unwrap();
    let o = common::jixiao_command(&root())
        .arg(&d)
        .env(hook, "各部门报送-汇总.xlsx")
        .output()
        .unwrap();
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "请先在 Excel/WPS 中关闭 各部门报送-汇总.xlsx，再拖一次（这次没有改动任何输出文件）。"
        ),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(
        std::fs::read(&fb).unwrap(),
        fb_before,
        "the feedback set too"
    );
    stderr
}

#[test]
fn an_output_that_cannot_be_replaced_says_to_close_it_and_changes_nothing() {
    // The rename onto the 汇总 fails as it does on Windows while Excel holds the file.
    let stderr = second_drag_blocked("JIXIAO_TEST_FAIL_RENAME");
    assert!(
        !stderr.contains("os error") && !stderr.contains("Error"),
        "{stderr}"
    );
}

/// On Windows an output open in Excel/WPS is found before any rename (opened for delete);
/// here the debug hook answers as Windows would.
#[test]
fn an_output_open_in_excel_is_refused_before_any_rename() {
    let stderr = second_drag_blocked("JIXIAO_TEST_IN_USE");
    assert!(
        stderr.contains(
            "文件被其他程序占用，请先在 Excel/WPS 中关闭它（系统错误 32）。所有输出文件均未改动"
        ),
        "{stderr}"
    );
}

#[test]
fn one_dropped_file_gives_a_summary_named_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = desk_folder(tmp.path());
    for f in ["1-禁毒办.xlsx", "2-财政局.xlsx"] {
        let o = jixiao(&[d.join(f).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }
    // Two drags, two summaries: the second does not replace the first.
    assert!(d.join("1-禁毒办-汇总.xlsx").is_file());
    assert!(d.join("2-财政局-汇总.xlsx").is_file());
}
