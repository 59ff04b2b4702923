//! The list tables as UTF-8 CSV files (with a byte-order mark, so Excel opens them as
//! UTF-8), for loading into a database. One file per table: 汇总.csv, 指标明细.csv, …

use crate::Result;
use crate::model::Batch;
use crate::write::tables;
use std::path::{Path, PathBuf};

/// Writes every list table into `dir` (created if needed); returns the files written.
///
/// # Example
///
/// ```
/// use jixiao::{batch, write};
/// use std::path::PathBuf;
///
/// let b = batch::run(
///     &[PathBuf::from("samples/2023/1.xlsx")],
///     &batch::Options::default(),
/// )?;
/// let dir = tempfile::tempdir()?;
/// let files = write::csv::write_dir(&b, dir.path())?;
/// let names: Vec<&str> = files
///     .iter()
///     .map(|p| p.file_name().unwrap().to_str().unwrap())
///     .collect();
/// assert_eq!(
///     names,
///     ["汇总.csv", "部门汇总.csv", "指标明细.csv", "资金.csv", "问题清单.csv", "变更记录.csv"]
/// );
/// let issues = std::fs::read_to_string(&files[4])?;
/// let mut lines = issues.lines();
/// assert_eq!(
///     lines.next(),
///     Some("\u{feff}级别,代码,说明,项目,项目名称,文件,工作表,单元格,链接")
/// );
/// assert!(lines.next().unwrap().starts_with("警告,S006,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_dir(batch: &Batch, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut set = super::OutputSet::default();
    let written = stage_dir(batch, dir, &mut set)?;
    set.commit()?;
    Ok(written)
}

/// The files [`write_dir`] writes, without writing them.
pub fn paths(dir: &Path) -> Vec<PathBuf> {
    tables::all(&Batch::default())
        .iter()
        .map(|t| dir.join(format!("{}.csv", t.name)))
        .collect()
}

/// Whether the file at `path` is a CSV file jixiao wrote (so a later run may replace it):
/// named after one of the list tables, starting with the byte-order mark and exactly the
/// header line jixiao writes for that table. Only the first 4 KB are read.
pub fn is_own(path: &Path) -> bool {
    use std::io::Read;
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    if path.extension().and_then(|e| e.to_str()) != Some("csv") {
        return false;
    }
    let empty = Batch::default();
    let Some(table) = tables::all(&empty).into_iter().find(|t| t.name == stem) else {
        return false;
    };
    let Ok(expected) = to_csv(table) else {
        return false;
    };
    let header = match expected.iter().position(|&b| b == b'\n') {
        Some(n) => &expected[..=n],
        None => &expected[..],
    };
    let mut head = vec![0u8; header.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == header)
}

/// Stages every list table for `dir` in `set` (see [`super::OutputSet`]).
pub fn stage_dir(batch: &Batch, dir: &Path, set: &mut super::OutputSet) -> Result<Vec<PathBuf>> {
    set.create_dir(dir)?;
    let jobs = jobs(batch, dir);
    let written = jobs.iter().map(|(p, _)| p.clone()).collect();
    set.stage_all(jobs)?;
    Ok(written)
}

/// One [`super::disk::Job`] per table, `DIR/<表名>.csv`, for [`super::OutputSet::stage_all`]
/// (the folder made first with [`super::OutputSet::create_dir`]).
pub fn jobs<'a>(batch: &'a Batch, dir: &Path) -> Vec<super::disk::Job<'a>> {
    tables::all(batch)
        .into_iter()
        .map(|t| {
            let path = dir.join(format!("{}.csv", t.name));
            let job: super::disk::Job<'a> = (
                path,
                Box::new(move |f: &mut std::fs::File| {
                    let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
                    write_csv(t, &mut w)?;
                    std::io::Write::flush(&mut w)?;
                    Ok(())
                }),
            );
            job
        })
        .collect()
}

/// One table as CSV bytes, BOM first. A text cell that a spreadsheet would take for a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
/// `'`, as OWASP recommends against CSV injection; numbers are written as they are.
pub fn to_csv(t: tables::Table) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_csv(t, &mut out)?;
    Ok(out)
}

/// [`to_csv`] streamed to `out`.
pub fn write_csv(t: tables::Table, mut out: impl std::io::Write) -> Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(t.columns.iter().map(|c| c.title))?;
    for row in t.rows {
        if let Some(tables::Cell::Failed(why)) = row.first() {
            return Err(std::io::Error::other(why.clone()).into());
        }
        w.write_record(row.iter().map(|c| match c {
            tables::Cell::Num(_) => c.text(),
            _ => defuse(c.text()),
        }))?;
    }
    if let Some(totals) = &t.totals {
        w.write_record(totals.iter().map(|c| c.text()))?;
    }
    w.flush()?;
    Ok(())
}

/// `=1+1` → `'=1+1`: a text that would start a formula, made inert.
fn defuse(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Pos;
    use crate::model::{Change, Form};

    #[test]
    fn its_own_files_are_known_by_their_header() {
        let d = tempfile::tempdir().unwrap();
        let written = write_dir(&Batch::default(), d.path()).unwrap();
        assert!(!written.is_empty());
        assert!(written.iter().all(|p| is_own(p)));
        let other = d.path().join("汇总.csv");
        std::fs::write(&other, "\u{feff}项目,金额\n").unwrap();
        assert!(!is_own(&other));
        std::fs::write(d.path().join("x.csv"), "").unwrap();
        assert!(!is_own(&d.path().join("x.csv")));
    }

    #[test]
    fn quotes_newlines_and_starts_with_a_bom() {
        let mut f = Form {
            id: "P0001".into(),
            ..Default::default()
        };
        f.changes_mut().unwrap().push(Change {
            file: "a,b.xlsx".into(),
            sheet: "Sheet1".into(),
            cell: Pos::new(12, 7),
            from: "\n10".into(),
            to: "10".into(),
            code: crate::code::Code::V001,
            reason: "文本数字转为数值".into(),
            project: Some("P0001".into()),
        });
        let b = Batch {
            forms: vec![f],
            ..Default::default()
        };
        let bytes = to_csv(tables::changes(&b)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "文件,工作表,单元格,原值,新值,代码,原因,项目,链接\n\"a,b.xlsx\",Sheet1,H13,\"\n10\",10,V001,文本数字转为数值,P0001,H13\n"
        );
    }

    #[test]
    fn records_that_cannot_be_read_back_fail_the_file_rather_than_go_missing() {
        let f = Form {
            id: "P0001".into(),
            changes: crate::model::Changes::Spilled {
                at: 1 << 50,
                len: 40,
                count: 1,
            },
            ..Default::default()
        };
        let b = Batch {
            forms: vec![f],
            ..Default::default()
        };
        let err = to_csv(tables::changes(&b)).unwrap_err().to_string();
        assert!(err.contains("P0001 的变更记录无法读回"), "{err}");
        assert!(crate::write::json::to_json(&b).is_err());
    }

    #[test]
    fn formulas_are_made_inert_numbers_are_not() {
        let mut f = Form {
            id: "P0001".into(),
            ..Default::default()
        };
        let cases = [
            "=HYPERLINK(\"http://x\",\"点\")",
            "+1",
            "-1+2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "１=1",
            "a=1",
        ];
        for (i, from) in cases.iter().enumerate() {
            f.changes_mut().unwrap().push(Change {
                file: "=a.xlsx".into(),
                sheet: "Sheet1".into(),
                cell: Pos::new(i as u32, 0),
                from: from.to_string(),
                to: "-".into(),
                code: crate::code::Code::V001,
                reason: "r".into(),
                project: None,
            });
        }
        f.funds.total.initial = crate::model::Field::new(Some((-5).into()), None);
        let b = Batch {
            forms: vec![f],
            ..Default::default()
        };
        let bytes = to_csv(tables::changes(&b)).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let got: Vec<(String, String, String)> = r
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[3].to_string(), r[4].to_string())
            })
            .collect();
        let want = [
            "'=HYPERLINK(\"http://x\",\"点\")",
            "'+1",
            "'-1+2",
            "'@SUM(A1)",
            "'\tx",
            "'\rx",
            "１=1",
            "a=1",
        ];
        assert_eq!(
            got,
            want.iter()
                .map(|w| ("'=a.xlsx".to_string(), w.to_string(), "'-".to_string()))
                .collect::<Vec<_>>()
        );
        // A negative number stays a number.
        let funds = String::from_utf8(to_csv(tables::funds(&b)).unwrap()).unwrap();
        assert!(funds.contains(",-5,"), "{funds}");
        assert!(!funds.contains("'-5"), "{funds}");
    }
}
