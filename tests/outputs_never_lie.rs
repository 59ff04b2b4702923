//! Outputs that never lie (issue 19), through the binary: every output path planned before
//! anything is written, a feedback workbook that would replace another file renamed and
//! said, a set of outputs that is all new or all old (a read-only target, a rename failing
//! halfway, a run killed between renames), and names that fit.

mod common;

use common::{lossy, root};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    c.args(args).current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("jixiao runs")
}

/// samples/2023/1.xlsx with its 主管部门 (靖州县禁毒办, one shared string) replaced by
/// `department`, the package otherwise byte for byte.
fn with_department(dst: &Path, department: &str) {
    let src = std::fs::read(root().join("samples/2023/1.xlsx")).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(src)).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == "xl/sharedStrings.xml" {
            let xml = String::from_utf8(bytes).unwrap();
            assert_eq!(xml.matches("<t>靖州县禁毒办</t>").count(), 1);
            bytes = xml
                .replace("<t>靖州县禁毒办</t>", &format!("<t>{department}</t>"))
                .into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
}

/// Every file under `dir`: relative path and a digest of its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    use sha2::Digest;
    let mut v: Vec<(PathBuf, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                sha2::Sha256::digest(std::fs::read(e.path()).unwrap())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
            )
        })
        .collect();
    v.sort();
    v
}

/// jixiao's own temporary, lock and journal files under `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".jixiao-"))
        .collect()
}

fn a1_of_notes(path: &Path) -> String {
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path).unwrap();
    let r = wb.worksheet_range("说明").unwrap();
    r.get_value((0, 0))
        .map(|v| v.to_string())
        .unwrap_or_default()
}

#[test]
fn a_feedback_workbook_never_replaces_the_consolidated_one() {
    let d = tempfile::tempdir().unwrap();
    let samples = root().join("samples/2023");
    std::fs::create_dir(d.path().join("FB")).unwrap();
    let o = run(
        d.path(),
        &[
            "convert",
            samples.to_str().unwrap(),
            "-o",
            "FB/靖州县禁毒办.xlsx",
            "--feedback",
            "FB",
        ],
        &[],
    );
    let err = lossy(&o.stderr);
    assert!(o.status.code() == Some(0), "{err}");
    assert!(
        err.contains("反馈工作簿 FB/靖州县禁毒办.xlsx 已改名为 靖州县禁毒办-2.xlsx：原名的文件是 -o 的输出，不能覆盖"),
        "{err}"
    );
    let fb = d.path().join("FB");
    assert!(a1_of_notes(&fb.join("靖州县禁毒办.xlsx")).starts_with("jixiao 汇总输出"));
    assert!(a1_of_notes(&fb.join("靖州县禁毒办-2.xlsx")).starts_with("jixiao 问题反馈"));
}

#[test]
fn a_department_named_like_a_strangers_file_or_an_input_gets_another_name() {
    let d = tempfile::tempdir().unwrap();
    let inbox = d.path().join("报送");
    std::fs::create_dir(&inbox).unwrap();
    with_department(&inbox.join("a.xlsx"), "汇总");
    // An input called 汇总.xlsx (another department's form), and a stranger's file in the
    // feedback folder named as the department's feedback would be.
    with_department(&inbox.join("汇总.xlsx"), "财政局");
    std::fs::create_dir(d.path().join("FB")).unwrap();
    std::fs::write(d.path().join("FB/财政局.xlsx"), "not jixiao's").unwrap();
    let o = run(
        d.path(),
        &[
            "convert",
            "报送",
            "-o",
            "out.xlsx",
            "--feedback",
            "报送",
            "--json",
            "out.json",
        ],
        &[],
    );
    let err = lossy(&o.stderr);
    assert!(o.status.code() == Some(0), "{err}");
    assert!(
        err.contains(
            "反馈工作簿 报送/汇总.xlsx 已改名为 汇总-2.xlsx：原名的文件是一个输入文件，不能覆盖"
        ),
        "{err}"
    );
    assert!(a1_of_notes(&inbox.join("汇总-2.xlsx")).starts_with("jixiao 问题反馈"));
    // The input is as it was.
    let mut again = d.path().join("again.xlsx");
    with_department(&again, "财政局");
    assert_eq!(
        std::fs::read(inbox.join("汇总.xlsx")).unwrap(),
        std::fs::read(&again).unwrap()
    );
    again = d.path().join("FB");
    let o = run(
        d.path(),
        &[
            "convert",
            "报送/汇总.xlsx",
            "-o",
            "out2.xlsx",
            "--feedback",
            again.to_str().unwrap(),
        ],
        &[],
    );
    let err = lossy(&o.stderr);
    assert!(
        err.contains("已改名为 财政局-2.xlsx：原名的文件是一个已有的其他文件"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(d.path().join("FB/财政局.xlsx")).unwrap(),
        b"not jixiao's"
    );
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
}

#[test]
fn bidi_and_invisible_characters_never_reach_a_file_name() {
    let d = tempfile::tempdir().unwrap();
    with_department(&d.path().join("a.xlsx"), "\u{202e}gpj.xlsx\u{200b}");
    let o = run(
        d.path(),
        &["convert", "a.xlsx", "-o", "out.xlsx", "--feedback", "FB"],
        &[],
    );
    assert!(
        o.status.code().is_some_and(|c| c < 2),
        "{}",
        lossy(&o.stderr)
    );
    let names: Vec<String> = std::fs::read_dir(d.path().join("FB"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["gpj.xlsx.xlsx"]);
}

/// A first run's full set of outputs in `d`: the workbook, JSON, CSV and feedback.
fn first_set(d: &Path) -> Vec<(PathBuf, String)> {
    let samples = root().join("samples/2023");
    std::fs::create_dir(d.join("out")).unwrap();
    let o = run(d, &set_args(samples.to_str().unwrap()), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", lossy(&o.stderr));
    snapshot(d)
}

fn set_args(input: &str) -> Vec<&str> {
    vec![
        "convert",
        input,
        "-o",
        "out/汇总.xlsx",
        "--json",
        "out/汇总.json",
        "--csv",
        "out/csv",
        "--feedback",
        "out/反馈",
    ]
}

#[test]
fn a_read_only_output_refuses_the_set_and_replaces_nothing() {
    let d = tempfile::tempdir().unwrap();
    let before = first_set(d.path());
    let json = d.path().join("out/汇总.json");
    let mut p = std::fs::metadata(&json).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(&json, p).unwrap();
    let one = root().join("samples/2023/4.xlsx");
    let o = run(d.path(), &set_args(one.to_str().unwrap()), &[]);
    let err = lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "无法替换 out/汇总.json：文件为只读，请先在其“属性”中取消只读。所有输出文件均未改动"
        ),
        "{err}"
    );
    assert_eq!(snapshot(d.path()), before, "nothing replaced");
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
}

#[test]
fn a_rename_failing_halfway_puts_the_earlier_set_back() {
    let d = tempfile::tempdir().unwrap();
    let before = first_set(d.path());
    let one = root().join("samples/2023/4.xlsx");
    // The workbook is renamed first; the JSON's rename fails, as a file held open in Excel
    // on Windows would make it.
    let o = run(
        d.path(),
        &set_args(one.to_str().unwrap()),
        &[("JIXIAO_TEST_FAIL_RENAME", "汇总.json")],
    );
    let err = lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("无法写入 out/汇总.json（其余输出文件已恢复原样）"),
        "{err}"
    );
    assert!(err.contains("文件被其他程序占用"), "{err}");
    assert_eq!(snapshot(d.path()), before, "the earlier set, whole");
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
}

/// A first set in `d`, then a run over sample 4 killed (as `kill -9` would) before its
/// rename `k`. Returns the input of the killed run and the files it left.
fn killed_at(d: &Path, k: &str) -> (PathBuf, Vec<String>) {
    first_set(d);
    let one = root().join("samples/2023/4.xlsx");
    let o = run(
        d,
        &set_args(one.to_str().unwrap()),
        &[("JIXIAO_TEST_KILL_AT_RENAME", k)],
    );
    assert_eq!(o.status.code(), None, "killed: {}", lossy(&o.stderr));
    (one, leftovers(d))
}

#[test]
fn a_run_killed_between_renames_is_finished_by_the_next() {
    let d = tempfile::tempdir().unwrap();
    let (one, left) = killed_at(d.path(), "1");
    assert!(left.iter().any(|n| n.ends_with(".journal")), "{left:?}");
    assert!(left.iter().any(|n| n.ends_with(".tmp")), "{left:?}");
    // A mixed set now: the killed run's workbook (one form) beside the first run's JSON.
    let json = std::fs::read_to_string(d.path().join("out/汇总.json")).unwrap();
    assert_eq!(
        json.matches("\"id\": \"P").count(),
        4,
        "the first run's JSON"
    );
    // The next run finishes it before anything else.
    let o = run(d.path(), &set_args(one.to_str().unwrap()), &[]);
    let err = lossy(&o.stderr);
    assert!(o.status.code().is_some_and(|c| c < 2), "{err}");
    assert!(
        err.contains("先前一次运行在替换输出文件时中断，已补完其余"),
        "{err}"
    );
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
    let json = std::fs::read_to_string(d.path().join("out/汇总.json")).unwrap();
    assert_eq!(json.matches("\"id\": \"P").count(), 1);
}

#[test]
fn a_run_killed_before_its_first_rename_leaves_files_the_next_run_clears() {
    let d = tempfile::tempdir().unwrap();
    let (one, left) = killed_at(d.path(), "0");
    let temps = left.iter().filter(|n| n.ends_with(".tmp")).count();
    assert!(temps >= 4, "{left:?}");
    // Another file whose name looks like jixiao's but is not: never removed.
    std::fs::write(d.path().join("out/.jixiao-notes.txt"), "mine").unwrap();
    let o = run(d.path(), &set_args(one.to_str().unwrap()), &[]);
    let err = lossy(&o.stderr);
    assert!(o.status.code().is_some_and(|c| c < 2), "{err}");
    assert!(err.contains("已补完其余"), "{err}");
    assert_eq!(leftovers(d.path()), [".jixiao-notes.txt"]);
}

#[test]
fn a_long_folder_name_gets_a_workbook_name_that_fits() {
    let d = tempfile::tempdir().unwrap();
    let name = "县".repeat(82);
    let folder = d.path().join(&name);
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(root().join("samples/2023/1.xlsx"), folder.join("1.xlsx")).unwrap();
    let o = run(d.path(), &[&name], &[]);
    let out = lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", lossy(&o.stderr));
    let expected = format!("{}-汇总.xlsx", "县".repeat(81));
    assert!(expected.len() <= 255);
    assert!(
        out.contains(&format!("名称过长，汇总的文件名已截短为：{expected}")),
        "{out}"
    );
    assert!(d.path().join(&expected).is_file());
}

/// A write that fails halfway (here: a file-size limit, as a full disk would) is said in
/// Chinese, with nothing of the zip writer's English, and leaves nothing behind.
#[cfg(unix)]
#[test]
fn a_write_failing_halfway_is_said_in_chinese_and_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let samples = root().join("samples/2023");
    // 64 KB: more than the JSON's first block, less than the workbook.
    let script = format!(
        "trap '' XFSZ; ulimit -f 128; exec '{}' convert '{}' -o out.xlsx",
        env!("CARGO_BIN_EXE_jixiao"),
        samples.display()
    );
    let o = Command::new("sh")
        .args(["-c", &script])
        .current_dir(d.path())
        .output()
        .unwrap();
    let err = lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with(
            "错误：无法写出 out.xlsx（原因：无法生成汇总工作簿；文件过大（系统错误 27））"
        ),
        "{err}"
    );
    assert!(err.contains("文件过大（系统错误 27）"), "{err}");
    for english in [
        "ZipWriter",
        "Io(",
        "Parameter error",
        "list sheets",
        "os error",
    ] {
        assert!(!err.contains(english), "{english}: {err}");
    }
    assert!(!d.path().join("out.xlsx").exists());
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
}
