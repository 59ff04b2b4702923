//! Re-runs: jixiao's own earlier output (recognized by its content) is replaced and never
//! read as a form; any other existing file is never written over. WPS files by their bytes.

mod common;

use common::{department_folder, jixiao, lossy as text, root};
use std::path::Path;

/// The department folder with a Word report beside the forms.
fn folder(parent: &Path) -> std::path::PathBuf {
    let d = department_folder(parent);
    std::fs::write(d.join("自评报告.docx"), b"PK\x03\x04 not really").unwrap();
    d
}

#[test]
fn convert_into_its_own_input_folder_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let d = folder(tmp.path());
    let out = d.join("汇总.xlsx");
    let json = d.join("汇总.json");
    let args = [
        "convert",
        d.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ];
    let o = jixiao(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // The earlier output, also under another name: recognized by its content.
    std::fs::copy(&out, d.join("上次的结果.xlsx")).unwrap();
    let o = jixiao(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let files: Vec<&str> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| !f.contains("汇总") && !f.contains("上次"))
    );
    for name in ["汇总.xlsx", "上次的结果.xlsx"] {
        let i = v["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(name))
            .unwrap();
        assert_eq!(i["status"], "skipped", "{name}");
    }
}

#[test]
fn convert_never_replaces_a_file_jixiao_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let filled = tmp.path().join("已填.xlsx");
    std::fs::copy(root().join("samples/2023/3.xlsx"), &filled).unwrap();
    let notes = tmp.path().join("notes.json");
    std::fs::write(&notes, b"{\"mine\": true}").unwrap();
    let before = std::fs::read(&filled).unwrap();
    let o = jixiao(&["convert", "samples/2023", "-o", filled.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("不是 jixiao 生成的汇总"));
    assert_eq!(std::fs::read(&filled).unwrap(), before);
    let out = tmp.path().join("汇总.xlsx");
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        out.to_str().unwrap(),
        "--json",
        notes.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&notes).unwrap(), b"{\"mine\": true}");
}

#[test]
fn wps_files_are_read_by_their_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("samples/2023/1.xlsx"), tmp.path().join("1.et")).unwrap();
    std::fs::copy(root().join("samples/2023/2.xlsx"), tmp.path().join("2.ETT")).unwrap();
    std::fs::write(tmp.path().join("3.et"), b"\x00 WPS's own").unwrap();
    let o = jixiao(&["check", tmp.path().to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["forms"], 2);
    let status: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["ok", "ok", "skipped"]);
    assert!(
        v["inputs"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("另存为")
    );
}
