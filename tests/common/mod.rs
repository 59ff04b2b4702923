//! Helpers shared by the end-to-end tests: running the binary, writing layout variants of
//! the seed forms, converting with LibreOffice where it is installed.
#![allow(dead_code)]

use jixiao::batch;
use jixiao::model::{Batch, Form};
use jixiao::template::layout::{
    FormSpec, Placement, deterministic_workbook, setup_sheet, write_form,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The jixiao binary as a command to run in `dir`.
pub fn jixiao_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    c.current_dir(dir);
    c
}

/// Runs the jixiao binary in `dir`.
pub fn jixiao_in(dir: &Path, args: &[&str]) -> Output {
    jixiao_command(dir)
        .args(args)
        .output()
        .expect("jixiao runs")
}

/// Runs the jixiao binary in the crate root.
pub fn jixiao(args: &[&str]) -> Output {
    jixiao_in(&root(), args)
}

/// The JSON document in a file (jixiao's `--json` output).
pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The parts of a zip package (an xlsx, an ods): each one's name and bytes, in the
/// package's order.
pub fn parts(package: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(package)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            (f.name().unwrap().to_string(), body)
        })
        .collect()
}

/// The parts of the zip package at `path`, as [`parts`].
pub fn parts_of(path: &Path) -> Vec<(String, Vec<u8>)> {
    parts(&std::fs::read(path).unwrap())
}

/// The text of the parts whose names `which` accepts, one after another in the package's
/// order.
pub fn parts_text(package: &[u8], which: impl Fn(&str) -> bool) -> String {
    parts(package)
        .into_iter()
        .filter(|(name, _)| which(name))
        .map(|(_, body)| String::from_utf8(body).unwrap())
        .collect()
}

/// The text of one part of the zip package at `path`.
pub fn part_text(path: &Path, name: &str) -> String {
    let (_, body) = parts_of(path)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no part {name} in {}", path.display()));
    String::from_utf8(body).unwrap()
}

/// A zip package (deflated) of the given parts, in order.
pub fn zip_of<N: AsRef<str>, B: AsRef<[u8]>>(parts: &[(N, B)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        w.start_file(name.as_ref(), opts).unwrap();
        w.write_all(body.as_ref()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Reads inputs with the library, as `convert` does.
pub fn read(inputs: &[PathBuf]) -> Batch {
    batch::run(inputs, &batch::Options::default()).expect("inputs exist")
}

/// A workbook with each form on its own sheet (or stacked when `stacked`), laid out as asked.
pub fn write_workbook(path: &Path, forms: &[FormSpec], at: Placement, prose_sheet: bool) {
    let mut wb = deterministic_workbook();
    if prose_sheet {
        let ws = wb.add_worksheet();
        ws.set_name("自评报告").unwrap();
        ws.write_string(
            0,
            0,
            "村和社区戒毒康复工作站、禁毒协会工作经费专项资金绩效自评报告",
        )
        .unwrap();
        ws.write_string(2, 0, "一、项目基本情况").unwrap();
        ws.write_string(3, 0, "项目总资金6万元，用于组织社会力量开展禁毒相关活动。")
            .unwrap();
    }
    for (i, spec) in forms.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(format!("项目{}", i + 1)).unwrap();
        setup_sheet(ws, at.origin.1).unwrap();
        write_form(ws, spec, &at).unwrap();
    }
    wb.save(path).unwrap();
}

/// What a form means, without where it was: equal for every layout variant of one form.
pub fn meaning(f: &Form) -> String {
    let mut s = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}\n",
        f.year.value,
        f.name.value,
        f.department.value,
        f.implementer.value,
        f.funds
            .rows()
            .iter()
            .map(|(_, r)| (
                r.initial.value,
                r.full_year.value,
                r.executed.value,
                r.weight.value,
                r.rate.value,
                r.score.value
            ))
            .collect::<Vec<_>>(),
        f.execution_rate,
        f.execution_score,
        (&f.goal.expected.value, &f.goal.actual.value),
        f.weight_total.value,
        f.declared_total.value,
        f.computed_total,
        f.grade,
    );
    for i in &f.indicators {
        s += &format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}\n",
            i.level1.value,
            i.level2.value,
            i.name.value,
            i.target.value,
            i.actual.value,
            i.weight.value,
            i.score.value,
            i.reason.value,
            i.group
        );
    }
    s
}

/// `soffice`, if installed. Under CI (`JIXIAO_CI` set, as `.ci/run` does, which installs
/// LibreOffice) a missing `soffice` fails the test instead: a test CI is set up to run
/// never passes by skipping.
pub fn soffice() -> Option<PathBuf> {
    let found = ["soffice", "libreoffice"].iter().find_map(|b| {
        let ok = Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| PathBuf::from(b))
    });
    assert!(
        found.is_some() || std::env::var_os("JIXIAO_CI").is_none(),
        "JIXIAO_CI is set but LibreOffice (soffice) is missing: .ci/run installs libreoffice-calc; \
         this test must not be skipped in CI"
    );
    found
}

/// Converts `input` to `format` (e.g. "xls", "ods", "pdf") into `outdir` with LibreOffice,
/// using a private profile so tests can run in parallel. Returns the output path.
pub fn convert_with_soffice(soffice: &Path, input: &Path, format: &str, outdir: &Path) -> PathBuf {
    convert_all_with_soffice(soffice, &[input], format, outdir).remove(0)
}

/// The grids of a workbook, as jixiao reads them.
pub fn grids_of(path: &Path) -> Vec<jixiao::grid::Grid> {
    grids_of_bytes(path, &std::fs::read(path).unwrap())
}

/// The grids of a workbook's bytes named `path` (its extension is a hint), as jixiao reads
/// them with the default limits.
pub fn grids_of_bytes(path: impl AsRef<Path>, bytes: &[u8]) -> Vec<jixiao::grid::Grid> {
    jixiao::read::read_bytes(bytes, path.as_ref(), &jixiao::read::Limits::default()).unwrap()
}

/// Text escaped for XML: `&`, `<`, `>` and `"`.
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn escape(s: &str, newline: &str) -> String {
    xml_escape(s).replace('\n', newline)
}

/// Grids as Excel 2003 XML (SpreadsheetML), the way budget systems export "xls" files.
pub fn to_spreadsheetml(grids: &[jixiao::grid::Grid]) -> String {
    use jixiao::grid::{Pos, Value};
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n\
         <Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" \
         xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">\n\
         <Styles><Style ss:ID=\"pct\"><NumberFormat ss:Format=\"0%\"/></Style></Styles>\n",
    );
    for g in grids {
        s += &format!(
            "<Worksheet ss:Name=\"{}\"><Table>\n",
            escape(&g.sheet, "&#10;")
        );
        for r in 0..g.rows() {
            s += &format!("<Row ss:Index=\"{}\">", r + 1);
            for c in 0..g.cols() {
                let p = Pos::new(r, c);
                if g.is_covered(p) {
                    continue;
                }
                let m = g.merge_at(p);
                let v = g.get(p);
                if m.is_none() && v.is_empty() {
                    continue;
                }
                s += &format!("<Cell ss:Index=\"{}\"", c + 1);
                if let Some(m) = m {
                    s += &format!(
                        " ss:MergeAcross=\"{}\" ss:MergeDown=\"{}\"",
                        m.last.col - m.first.col,
                        m.last.row - m.first.row
                    );
                }
                match v {
                    Value::Number { value, percent } => {
                        if *percent {
                            s += " ss:StyleID=\"pct\"";
                        }
                        s += &format!("><Data ss:Type=\"Number\">{value}</Data></Cell>");
                    }
                    Value::Empty => s += "/>",
                    other => {
                        s += &format!(
                            "><Data ss:Type=\"String\">{}</Data></Cell>",
                            escape(&other.display(), "&#10;")
                        )
                    }
                }
            }
            s += "</Row>\n";
        }
        s += "</Table></Worksheet>\n";
    }
    s + "</Workbook>\n"
}

/// A grid as an HTML table with rowspan/colspan, the other kind of fake "xls".
pub fn to_html(g: &jixiao::grid::Grid) -> String {
    use jixiao::grid::Pos;
    let mut s = String::from(
        "<html><head><meta charset=\"utf-8\"><title>自评表</title></head><body>\n<table border=1>\n",
    );
    for r in 0..g.rows() {
        s += "<tr>";
        for c in 0..g.cols() {
            let p = Pos::new(r, c);
            if g.is_covered(p) {
                continue;
            }
            s += "<td";
            if let Some(m) = g.merge_at(p) {
                s += &format!(
                    " rowspan=\"{}\" colspan=\"{}\"",
                    m.last.row - m.first.row + 1,
                    m.last.col - m.first.col + 1
                );
            }
            s += &format!(">{}</td>", escape(&g.get(p).display(), "<br>"));
        }
        s += "</tr>\n";
    }
    s + "</table></body></html>\n"
}

/// Bytes a command printed, as text.
pub fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A folder `各部门报送` in `parent` holding the four seed forms under Chinese names
/// (`1-禁毒办.xlsx` …), as a bureau receives them.
pub fn department_folder(parent: &Path) -> PathBuf {
    let d = parent.join("各部门报送");
    std::fs::create_dir(&d).unwrap();
    for (i, name) in ["禁毒办", "财政局", "教育局", "卫健委"].iter().enumerate() {
        std::fs::copy(
            root().join(format!("samples/2023/{}.xlsx", i + 1)),
            d.join(format!("{}-{name}.xlsx", i + 1)),
        )
        .unwrap();
    }
    d
}

/// Converts every file of `inputs` to `format` into `outdir` with one LibreOffice run (one
/// start-up for all, private profile). Returns the output paths, in the order of `inputs`.
pub fn convert_all_with_soffice(
    soffice: &Path,
    inputs: &[&Path],
    format: &str,
    outdir: &Path,
) -> Vec<PathBuf> {
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(outdir)
        .args(inputs)
        .output()
        .expect("soffice runs");
    assert!(status.status.success(), "soffice failed: {status:?}");
    let ext = format.split(':').next().unwrap();
    inputs
        .iter()
        .map(|input| {
            let stem = input.file_stem().unwrap().to_string_lossy();
            let out = outdir.join(format!("{stem}.{ext}"));
            assert!(
                out.exists(),
                "soffice wrote no {}: {status:?}",
                out.display()
            );
            out
        })
        .collect()
}
