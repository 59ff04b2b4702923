//! Discovery end to end: what the binary does with links, pipes, devices and folders it
//! cannot list, named directly or met in a folder.
#![cfg(unix)]

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn inputs(v: &Value) -> Vec<(String, String, String)> {
    v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["path"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                i["status"].as_str().unwrap().to_string(),
                i["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn row(name: &str, status: &str, reason: &str) -> (String, String, String) {
    (name.into(), status.into(), reason.into())
}

#[test]
fn a_pipe_or_a_device_named_directly_fails_and_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("管道.xlsx");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let json = dir.path().join("out.json");
    let o = jixiao(&[
        "convert",
        fifo.to_str().unwrap(),
        "/dev/zero",
        "-o",
        dir.path().join("out.xlsx").to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("0 个文件"), "{stderr}");
    assert!(stderr.contains("2 个文件"), "{stderr}");
    let v: Value = read_json(&json);
    assert_eq!(
        inputs(&v),
        [
            row(
                "管道.xlsx",
                "failed",
                "不是普通文件（命名管道），无法读取 [E001]"
            ),
            row(
                "zero",
                "failed",
                "不是普通文件（设备文件），无法读取 [E001]"
            ),
        ]
    );
    let o = jixiao(&["check", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
}

/// Runs the binary as `nobody` when the test runs as root (root reads any folder).
fn jixiao_unprivileged(args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut c = jixiao_command(&root());
    c.args(args);
    if is_root() {
        c.uid(65534).gid(65534);
    }
    c.output().unwrap()
}

fn is_root() -> bool {
    let o = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&o.stdout).trim() == "0"
}

fn open_to_all(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn an_unreadable_folder_fails_alone_and_the_rest_is_converted() {
    let dir = tempfile::tempdir().unwrap();
    open_to_all(dir.path(), 0o777);
    let inbox = dir.path().join("in");
    std::fs::create_dir_all(inbox.join("锁住")).unwrap();
    std::fs::copy(root().join("samples/2023/1.xlsx"), inbox.join("1.xlsx")).unwrap();
    std::fs::copy(
        root().join("samples/2023/2.xlsx"),
        inbox.join("锁住/2.xlsx"),
    )
    .unwrap();
    // A link to the sample: followed and read (a second copy, so C005).
    std::os::unix::fs::symlink(inbox.join("1.xlsx"), inbox.join("3.xlsx")).unwrap();
    open_to_all(&inbox, 0o755);
    open_to_all(&inbox.join("1.xlsx"), 0o644);
    open_to_all(&inbox.join("锁住"), 0o000);
    let json = dir.path().join("out.json");
    let o = jixiao_unprivileged(&[
        "convert",
        inbox.to_str().unwrap(),
        "-o",
        dir.path().join("out.xlsx").to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    open_to_all(&inbox.join("锁住"), 0o755);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let v: Value = read_json(&json);
    assert_eq!(
        inputs(&v),
        [
            row("1.xlsx", "ok", ""),
            row("3.xlsx", "ok", ""),
            row(
                "锁住",
                "failed",
                "无法读取文件夹（Permission denied (os error 13)），其中的文件未读取 [E001]"
            ),
        ]
    );
    assert_eq!(v["summary"]["forms"], 2);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "锁住：无法读取文件夹（Permission denied (os error 13)），其中的文件未读取 [E001]"
        ),
        "{stderr}"
    );
}
