//! The outputs as a set: all written or none, distinct paths, nothing left behind.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

#[test]
fn one_path_for_two_outputs_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x.xlsx");
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        x.to_str().unwrap(),
        "--json",
        x.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "错误：输出路径重复：-o 与 --json 指向同一位置 {}，请为每个输出指定不同的路径（each output needs its own path）",
            x.display()
        )
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// An output file in a folder that is not there: refused before a file is read (it used
/// to read every input, then fail on its temporary file), nothing made or written. --csv
/// and --feedback name folders, which they make.
#[test]
fn a_missing_output_folder_is_refused_before_the_read() {
    let dir = tempfile::tempdir().unwrap();
    for (option, path) in [("-o", "新/汇总.xlsx"), ("--json", "另/a/汇总.json")] {
        let path = dir.path().join(path);
        let ok = dir.path().join("汇总.xlsx");
        let args = match option {
            "-o" => vec!["convert", "samples/2023", "-o", path.to_str().unwrap()],
            _ => vec![
                "convert",
                "samples/2023",
                "-o",
                ok.to_str().unwrap(),
                "--json",
                path.to_str().unwrap(),
            ],
        };
        let o = jixiao(&args);
        assert_eq!(o.status.code(), Some(2), "{o:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            stderr.trim_end(),
            format!(
                "错误：{option} 的输出文件夹 {} 不存在，请先建好它或换一个位置（output folder does not exist）",
                path.parent().unwrap().display()
            )
        );
        // Refused before the read: no progress, no summary.
        assert!(o.stdout.is_empty(), "{o:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
    // Every command that writes a file refuses it alike, sample before its read.
    let sample = dir.path().join("抽查.xlsx");
    let o = jixiao(&["sample", "samples/2023", "-o", sample.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let missing = dir.path().join("无");
    let at = |name: &str| missing.join(name).to_string_lossy().into_owned();
    for (option, args) in [
        (
            "-o",
            vec![
                "sample".into(),
                "samples/2023".into(),
                "-o".into(),
                at("a.xlsx"),
            ],
        ),
        ("-o", vec!["template".into(), "-o".into(), at("t.xlsx")]),
        (
            "--settings",
            vec!["template".into(), "--settings".into(), at("设置.txt")],
        ),
        (
            "-o",
            vec![
                "review".into(),
                sample.to_string_lossy().into_owned(),
                "-o".into(),
                at("r.xlsx"),
            ],
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = jixiao(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?} {o:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.starts_with(&format!(
                "错误：{option} 的输出文件夹 {} 不存在",
                missing.display()
            )),
            "{args:?} {stderr}"
        );
        assert!(!missing.exists());
    }
    std::fs::remove_file(&sample).unwrap();
    // A file where the folder should be is no folder either.
    let file = dir.path().join("文件");
    std::fs::write(&file, b"x").unwrap();
    let y = file.join("汇总.xlsx");
    let o = jixiao(&["convert", "samples/2023", "-o", y.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

fn entries(d: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Mounts a small tmpfs (as root, where allowed), writes earlier outputs there, fills most
/// of the rest, and converts into it again: the workbook fits, the JSON does not. The
/// earlier outputs stay as they were, no temporary file or CSV folder is left, exit 2.
#[test]
fn a_full_disk_leaves_the_earlier_outputs_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=400k", "tmpfs"])
        .arg(&mnt)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root and mount permission)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _guard = Unmount(&mnt);
    // Earlier outputs: jixiao's own (only those may be replaced), written with room to spare.
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        mnt.join("out.xlsx").to_str().unwrap(),
        "--json",
        mnt.join("out.json").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let earlier = std::fs::read(mnt.join("out.xlsx")).unwrap();
    // Leave about 100 KB: the workbook (about 75 KB) fits, the JSON (60 KB) does not.
    let free = nix_free_bytes(&mnt);
    std::fs::write(mnt.join("filler"), vec![0u8; (free - 100 * 1024) as usize]).unwrap();
    let before = entries(&mnt);
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        mnt.join("out.xlsx").to_str().unwrap(),
        "--json",
        mnt.join("out.json").to_str().unwrap(),
        "--csv",
        mnt.join("csv").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    // Which output meets the full disk first varies (they are written side by side);
    // every one says so in the clerk's words, with the system's number.
    assert!(stderr.contains("磁盘已满"), "{stderr}");
    assert!(!stderr.contains("No space left"), "{stderr}");
    assert_eq!(entries(&mnt), before);
    assert_eq!(std::fs::read(mnt.join("out.xlsx")).unwrap(), earlier);

    // With room, the set is written whole.
    std::fs::remove_file(mnt.join("filler")).unwrap();
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        mnt.join("out.xlsx").to_str().unwrap(),
        "--json",
        mnt.join("out.json").to_str().unwrap(),
        "--csv",
        mnt.join("csv").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let names: Vec<String> = entries(&mnt).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["csv", "out.json", "out.xlsx"]);
    let csv: Vec<String> = entries(&mnt.join("csv"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        csv,
        [
            "变更记录.csv",
            "指标明细.csv",
            "汇总.csv",
            "资金.csv",
            "部门汇总.csv",
            "问题清单.csv"
        ]
    );
}

/// Free bytes on the file system holding `dir` (from `df`, to need no libc binding).
fn nix_free_bytes(dir: &Path) -> u64 {
    let o = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap()
}
