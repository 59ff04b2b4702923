//! The Windows binary, under wine: a folder with a Chinese name, holding forms with
//! Chinese names, dropped on jixiao.exe gives the same workbook as on Linux.
//!
//! Needs `wine` and the cross-built exe (`cargo build --release --target
//! x86_64-pc-windows-gnu`, as `scripts/release` and `.ci/run` do, or set `JIXIAO_EXE`).
//! Skips with a message when either is missing.
//!
//! Shim: wine 8 (Debian 12) lacks bcryptprimitives.dll, which Rust's standard library
//! imports for its random seeds; `tests/wine/bcryptprimitives.c` is built with mingw-w64
//! and put beside a copy of the exe (Windows 10/11 has the real DLL; releases never ship
//! the shim).

mod common;

use common::{jixiao_in, parts, root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The cross-built exe in this build's target folder (release, else debug).
fn windows_exe() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("JIXIAO_EXE") {
        return Some(PathBuf::from(p));
    }
    // target/debug/jixiao → target
    let target = Path::new(env!("CARGO_BIN_EXE_jixiao")).parent()?.parent()?;
    ["release", "debug"]
        .iter()
        .map(|p| {
            target
                .join("x86_64-pc-windows-gnu")
                .join(p)
                .join("jixiao.exe")
        })
        .find(|p| p.is_file())
}

/// Whether a source file changed after `exe` was built: comparing a stale exe's workbook
/// with today's would fail for no fault of the Windows build.
fn older_than_sources(exe: &Path) -> bool {
    let built = std::fs::metadata(exe).and_then(|m| m.modified());
    let Ok(built) = built else { return false };
    walkdir::WalkDir::new(root().join("src"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .any(|t| t > built)
}

fn has_wine() -> bool {
    Command::new("wine")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A folder `各部门报送` with the four seed forms under Chinese names.
fn folder(parent: &Path) {
    let d = parent.join("各部门报送");
    std::fs::create_dir(&d).unwrap();
    for (i, name) in ["禁毒办", "财政局", "教育局", "卫健委"].iter().enumerate() {
        std::fs::copy(
            root().join(format!("samples/2023/{}.xlsx", i + 1)),
            d.join(format!("{}-{name}自评表.xlsx", i + 1)),
        )
        .unwrap();
    }
    std::fs::write(d.join("~$1-禁毒办自评表.xlsx"), b"lock").unwrap();
}

#[test]
fn the_exe_converts_a_chinese_folder_under_wine() {
    let Some(exe) = windows_exe() else {
        eprintln!("skipped: no jixiao.exe (cargo build --release --target x86_64-pc-windows-gnu)");
        return;
    };
    if !has_wine() {
        eprintln!("skipped: wine is not installed (apt-get install wine)");
        return;
    }
    if std::env::var_os("JIXIAO_EXE").is_none() && older_than_sources(&exe) {
        eprintln!(
            "skipped: {} is older than src/ (cargo build --release --target x86_64-pc-windows-gnu)",
            exe.display()
        );
        return;
    }
    let win = tempfile::tempdir().unwrap();
    folder(win.path());
    let bin = win.path().join("程序");
    std::fs::create_dir(&bin).unwrap();
    std::fs::copy(&exe, bin.join("jixiao.exe")).unwrap();
    let shim = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(bin.join("bcryptprimitives.dll"))
        .arg(root().join("tests/wine/bcryptprimitives.c"))
        .arg("-ladvapi32")
        .status();
    if !shim.is_ok_and(|s| s.success()) {
        eprintln!("skipped: x86_64-w64-mingw32-gcc could not build the wine shim");
        return;
    }
    // A prefix kept beside the exe: creating one takes tens of seconds.
    let prefix = exe.parent().unwrap().join("wine-prefix");
    let o = Command::new("wine")
        .arg(bin.join("jixiao.exe"))
        .arg("各部门报送")
        .current_dir(win.path())
        .env("WINEPREFIX", &prefix)
        .env("WINEDEBUG", "-all")
        .env("JIXIAO_NO_PAUSE", "1")
        .output()
        .expect("wine runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("找到 4 张自评表"), "{stdout}");
    assert!(stdout.contains("已跳过 1 个文件：1 个锁定文件"), "{stdout}");
    // Printed with Windows' separator.
    assert!(stdout.contains("各部门报送-汇总.xlsx"), "{stdout}");
    assert!(stdout.contains(":\\"), "a Windows path: {stdout}");
    let from_wine = std::fs::read(win.path().join("各部门报送-汇总.xlsx")).unwrap();

    // The same folder converted on Linux gives the same bytes.
    let lin = tempfile::tempdir().unwrap();
    folder(lin.path());
    let o = jixiao_in(lin.path(), &["各部门报送"]);
    assert_eq!(o.status.code(), Some(0));
    let from_linux = std::fs::read(lin.path().join("各部门报送-汇总.xlsx")).unwrap();
    // Every part of the package is the same; the zip's "made by" host (Windows 0, Unix 3)
    // is the only difference in bytes.
    assert_eq!(parts(&from_wine), parts(&from_linux));
}
