//! Files given as names and bytes (`batch::named`, `convert::run_bytes`: what the page
//! runs) are read exactly as the same files found on disk: the same inputs in the same
//! order with the same statuses, reasons and shown names, the same forms and findings.

mod common;

use jixiao::batch::{self, Options};
use jixiao::model::Batch;
use std::path::Path;

/// Every file below `dir`, named from `dir`'s own name on, with its bytes: as a browser
/// gives a dropped folder.
fn dropped(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let top = dir.file_name().unwrap().to_string_lossy().into_owned();
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let below = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            let name = format!("{top}/{}", below.replace('\\', "/"));
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// A batch with every path made relative to `base`, as comparable text.
fn described(b: &Batch, base: &str) -> String {
    let rel = |s: &str| s.replace(base, "");
    let mut out = String::new();
    for i in &b.inputs {
        out += &format!(
            "input {} | {} | {:?} | {:?} | {:?} | {} | {:?} | {:?}\n",
            rel(&i.path),
            i.shown,
            i.status,
            i.reason.as_deref().map(rel),
            i.detail,
            i.forms,
            i.other_sheets,
            i.sha256,
        );
    }
    for f in &b.forms {
        out += &format!("form {} {} {}\n", f.id, rel(&f.file), common::meaning(f));
    }
    for f in b.findings() {
        out += &format!(
            "finding {} {} {:?} {:?} {:?} {}\n",
            f.code,
            rel(&f.file),
            f.sheet,
            f.cell,
            f.project,
            rel(&f.message)
        );
    }
    out
}

fn same_as_on_disk(dir: &Path) {
    let opts = Options::default();
    let disk = batch::run(&[dir.to_path_buf()], &opts).unwrap();
    let files = dropped(dir);
    let bytes = batch::read_named_with(&files, &opts, |_, _| {});
    let base = format!("{}/", dir.parent().unwrap().display());
    let (a, b) = (described(&disk, &base), described(&bytes, &base));
    for (x, y) in a.lines().zip(b.lines()) {
        assert_eq!(x, y, "{}", dir.display());
    }
    assert_eq!(a.lines().count(), b.lines().count(), "{}", dir.display());
}

#[test]
fn samples_and_fixtures_read_from_bytes_as_from_disk() {
    same_as_on_disk(&common::root().join("samples/2023"));
    same_as_on_disk(&common::root().join("tests/fixtures"));
}

#[test]
fn skipped_files_are_skipped_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("各部门报送");
    let sample = std::fs::read(common::root().join("samples/2023/1.xlsx")).unwrap();
    for (name, bytes) in [
        ("10.xlsx", &sample[..]),
        ("2.xlsx", &sample[..]),
        ("~$2.xlsx", b"lock"),
        (".隐藏.xlsx", &sample[..]),
        (".git/a.xlsx", &sample[..]),
        (".git/b/c.xlsx", &sample[..]),
        ("科室/.旧/d.xlsx", &sample[..]),
        ("科室/3.XLSX", &sample[..]),
        ("科室/说明.docx", b"doc"),
        ("科室/无扩展名", b"x"),
        (".jixiao-run.tmp", b"x"),
        ("空.xlsx", b""),
        ("乱码.xls", b"not a spreadsheet"),
    ] {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    same_as_on_disk(&dir);
    // A bare name is a file given directly: read whatever its extension.
    let named = batch::named(&["说明.txt".to_string(), "~$a.xlsx".to_string()]);
    let skips: Vec<_> = named.iter().map(|(i, f)| (*i, f.skip.is_some())).collect();
    assert_eq!(skips, [(1, true), (0, false)]);
}
