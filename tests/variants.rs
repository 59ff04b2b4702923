//! Layout variants of the seed forms must read identically: shifted tables, blocks of 1 and
//! 5 rows, numbers typed as numbers, one form per sheet after a prose sheet, and the same
//! workbook as .xls and .ods (via LibreOffice, skipped with a message where missing).

mod common;
#[path = "../examples/common/seed.rs"]
mod seed;

use common::*;
use jixiao::template::layout::Placement;
use std::path::PathBuf;

fn baseline() -> Vec<String> {
    let b = read(&[root().join("samples/2023")]);
    assert_eq!(b.forms.len(), 4);
    b.forms.iter().map(meaning).collect()
}

fn variant(at: Placement, prose: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("variant.xlsx");
    write_workbook(&path, &seed::forms(), at, prose);
    (dir, path)
}

fn assert_reads_as_seed(path: &PathBuf) {
    let b = read(std::slice::from_ref(path));
    let got: Vec<String> = b.forms.iter().map(meaning).collect();
    let want = baseline();
    assert_eq!(got.len(), want.len(), "{}", path.display());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{}", path.display());
    }
    for f in &b.forms {
        assert_eq!(f.cells.read, f.cells.placed + f.cells.unplaced.len());
        assert!(f.cells.unplaced.is_empty(), "{:?}", f.cells.unplaced);
    }
}

#[test]
fn shifted_down_and_right() {
    let (_d, p) = variant(
        Placement {
            origin: (7, 3),
            ..Placement::default()
        },
        false,
    );
    assert_reads_as_seed(&p);
    let b = read(&[p]);
    assert_eq!(b.forms[0].anchor.to_string(), "D8");
    assert_eq!(
        b.forms[3].indicators[0].name.cell.unwrap().to_string(),
        "G20"
    );
}

#[test]
fn blocks_of_one_row() {
    let (_d, p) = variant(
        Placement {
            block_rows: Some(1),
            ..Placement::default()
        },
        false,
    );
    assert_reads_as_seed(&p);
}

#[test]
fn blocks_of_five_rows() {
    let (_d, p) = variant(
        Placement {
            block_rows: Some(5),
            ..Placement::default()
        },
        false,
    );
    assert_reads_as_seed(&p);
}

#[test]
fn numbers_typed_as_numbers_and_percent_formats() {
    let (_d, p) = variant(
        Placement {
            numbers_as_numbers: true,
            ..Placement::default()
        },
        false,
    );
    assert_reads_as_seed(&p);
}

#[test]
fn one_form_per_sheet_after_a_prose_sheet() {
    let (_d, p) = variant(Placement::default(), true);
    assert_reads_as_seed(&p);
    let b = read(&[p]);
    let sheets: Vec<&str> = b.forms.iter().map(|f| &*f.sheet).collect();
    assert_eq!(sheets, ["项目1", "项目2", "项目3", "项目4"]);
}

fn via_libreoffice(format: &str) {
    let Some(soffice) = soffice() else {
        eprintln!("skipped: LibreOffice (soffice) is not installed; .{format} variant not tested");
        return;
    };
    let (dir, p) = variant(Placement::default(), true);
    let out = convert_with_soffice(&soffice, &p, format, dir.path());
    assert_reads_as_seed(&out);
}

#[test]
fn xls_made_by_libreoffice() {
    via_libreoffice("xls");
}

#[test]
fn ods_made_by_libreoffice_without_merge_data() {
    via_libreoffice("ods");
}

#[test]
fn spreadsheetml_2003_saved_as_xls() {
    let (dir, p) = variant(Placement::default(), true);
    let xml = to_spreadsheetml(&grids_of(&p));
    let out = dir.path().join("系统导出.xls");
    std::fs::write(&out, xml).unwrap();
    assert_reads_as_seed(&out);
}

#[test]
fn html_table_saved_as_xls() {
    let stacked = root().join("samples/stacked/靖州县禁毒办2023.xlsx");
    let grids = grids_of(&stacked);
    assert_eq!(grids.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("网页导出.xls");
    std::fs::write(&out, to_html(&grids[0])).unwrap();
    assert_reads_as_seed(&out);
    // GBK-encoded, as older systems write it.
    let html = to_html(&grids[0]).replace("charset=\"utf-8\"", "charset=\"gbk\"");
    let (gbk, _, _) = encoding_rs::GBK.encode(&html);
    let out = dir.path().join("gbk.xls");
    std::fs::write(&out, &gbk).unwrap();
    assert_reads_as_seed(&out);
}
