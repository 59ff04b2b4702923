//! Scale features: the benchmark harness runs (small N), lists past a sheet's row limit
//! continue on numbered sheets, and the list sheets can be written as CSV.

mod common;

#[path = "../examples/harness/mod.rs"]
mod harness;

use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use jixiao::write;

#[test]
fn the_benchmark_harness_runs_and_converts_every_generated_form() {
    let dir = tempfile::tempdir().unwrap();
    let files = harness::generate(dir.path(), 12);
    assert_eq!(files.len(), 12);
    assert!(harness::floor(&files) > 12 * 100);
    let out = dir.path().join("out.xlsx");
    harness::reset_peak();
    let done = harness::convert(&files, &out);
    assert!(harness::peak_rss_mb() > 1.0, "peak memory is measured");
    assert_eq!(done.forms, 12);
    assert_eq!(done.batch.forms.len(), 12);
    assert_eq!(done.indicators, 3 * (9 + 10 + 9 + 12));
    // Every generated form carries the seed's known mistakes (F003, S006, C001, S007 …).
    assert!(done.findings >= 12 * 4, "{}", done.findings);
    let b = read(&files);
    assert_eq!(
        b.forms[4].name.value.as_deref(),
        Some("村和社区戒毒康复工作站、禁毒协会工作经费（第5号）")
    );
    assert_eq!(
        b.forms[4].funds.total.full_year.value.unwrap().to_string(),
        "10.4"
    );
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(wb.worksheet_range("指标明细").unwrap().height(), 1 + 120);
    // Every part inflated: at least the XML the readers parse.
    assert!(harness::inflate_floor(&files) > 12 * 10_000);
    // 20 forms to a department, each naming its indicators as its own.
    let spec = harness::form(25);
    assert_eq!(spec.department, "靖州县禁毒办（2）");
    assert_eq!(
        b.forms[4].department.value.as_deref(),
        Some("靖州县禁毒办（1）")
    );
}

#[test]
fn long_lists_continue_on_numbered_sheets() {
    let b = read(&[root().join("samples/2023")]);
    let opts = write::workbook::Options {
        max_rows_per_sheet: 15,
        ..Default::default()
    };
    let bytes = write::workbook::to_xlsx(&b, &opts).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("split.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    for n in ["指标明细", "指标明细2", "指标明细3"] {
        assert!(names.contains(&n.to_string()), "{names:?}");
    }
    let heights: Vec<usize> = ["指标明细", "指标明细2", "指标明细3"]
        .iter()
        .map(|n| wb.worksheet_range(n).unwrap().height())
        .collect();
    assert_eq!(
        heights,
        [16, 16, 11],
        "15 + 15 + 10 indicators, each with its header"
    );
    let notes = wb.worksheet_range("说明").unwrap();
    let said = notes
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .any(|t| t.contains("指标明细2"));
    assert!(said, "说明 says where the list continues");
}

#[test]
fn csv_files_hold_the_list_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let csv_dir = dir.path().join("csv");
    let out = dir.path().join("o.xlsx");
    let o = jixiao(&[
        "convert",
        "samples/2023",
        "-o",
        out.to_str().unwrap(),
        "--csv",
        csv_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let bytes = std::fs::read(csv_dir.join("指标明细.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(&r.headers().unwrap()[4], "三级指标");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 40);
    let timely = rows
        .iter()
        .find(|x| &x[0] == "P0004" && &x[3] == "时效指标")
        .unwrap();
    assert_eq!(&timely[4], "按照上级要求及时完成任务。");
    assert_eq!(&timely[7], "10");
    assert_eq!(&timely[8], "");
    for t in ["汇总", "资金", "问题清单", "变更记录"] {
        assert!(csv_dir.join(format!("{t}.csv")).exists(), "{t}");
    }
}

/// 2,000 copies of one form: the JSON grows like the forms, not like their square (every
/// C005 names the first copy and counts the others). Within 3× of 2,000 times one form's.
#[test]
fn json_of_2000_copies_grows_linearly() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("samples/2023/1.xlsx");
    let one_dir = dir.path().join("one");
    std::fs::create_dir(&one_dir).unwrap();
    std::fs::copy(&sample, one_dir.join("1.xlsx")).unwrap();
    let many = dir.path().join("many");
    std::fs::create_dir(&many).unwrap();
    let first = many.join("1.xlsx");
    std::fs::copy(&sample, &first).unwrap();
    for i in 2..=2000 {
        let p = many.join(format!("{i}.xlsx"));
        // Links, not copies: the same bytes, read 2,000 times, in no extra disk space.
        std::fs::hard_link(&first, &p).unwrap_or_else(|_| {
            std::fs::copy(&first, &p).unwrap();
        });
    }
    let t = std::time::Instant::now();
    let one = write::json::to_json(&read(&[one_dir])).unwrap().len();
    let b = read(std::slice::from_ref(&many));
    assert_eq!(b.forms.len(), 2000);
    let json = write::json::to_json(&b).unwrap();
    let ratio = json.len() as f64 / (2000 * one) as f64;
    eprintln!(
        "one form {one} B, 2,000 copies {} B, ratio {ratio:.3}, {:.1} s",
        json.len(),
        t.elapsed().as_secs_f64()
    );
    assert!(ratio <= 3.0, "{ratio}");
    // Natural order: P0002 is 2.xlsx, P0010 is 10.xlsx.
    assert!(b.forms[1].file.ends_with("/2.xlsx"), "{}", b.forms[1].file);
    assert!(b.forms[9].file.ends_with("/10.xlsx"), "{}", b.forms[9].file);
    let c005: Vec<&str> = b.forms[1]
        .findings
        .iter()
        .filter(|f| f.code == "C005")
        .map(|f| f.message.as_str())
        .collect();
    let name = b.forms[0].name.value.as_deref().unwrap();
    assert_eq!(
        c005,
        [format!(
            "项目“{name}”重复出现，另见P0001（{} Sheet1）等1,999处",
            b.forms[0].file
        )]
    );
}
