//! The list tables as UTF-8 CSV files (with a byte-order mark, so Excel opens them as
//! UTF-8), for loading into a database. One file per table: 汇总.csv, 指标明细.csv, …

use crate::model::Batch;
use crate::write::tables;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Writes every list table into `dir` (created if needed); returns the files written.
pub fn write_dir(batch: &Batch, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建文件夹 {}", dir.display()))?;
    let mut written = Vec::new();
    for t in tables::all(batch) {
        let path = dir.join(format!("{}.csv", t.name));
        let bytes = to_csv(t)?;
        super::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// One table as CSV bytes, BOM first.
pub fn to_csv(t: tables::Table) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(t.columns.iter().map(|c| c.title))?;
    for row in t.rows {
        w.write_record(row.iter().map(|c| c.text()))?;
    }
    if let Some(totals) = &t.totals {
        w.write_record(totals.iter().map(|c| c.text()))?;
    }
    w.into_inner().context("CSV 写入失败")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Pos;
    use crate::model::{Change, Form};

    #[test]
    fn quotes_newlines_and_starts_with_a_bom() {
        let mut f = Form {
            id: "P0001".into(),
            ..Default::default()
        };
        f.changes.push(Change {
            file: "a,b.xlsx".into(),
            sheet: "Sheet1".into(),
            cell: Pos::new(12, 7),
            from: "\n10".into(),
            to: "10".into(),
            code: "V001",
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
}
