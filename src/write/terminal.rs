//! Compiler-style text for `jixiao check`: one line per finding, grouped by file, then a
//! one-line summary. Colour only when asked (the caller knows whether stdout is a terminal).

use crate::model::{Batch, Finding, Severity};
use std::fmt::Write;

/// `path:Sheet!H40: 错误[S001] message`, the way compilers and ruff print.
pub fn line(f: &Finding, color: bool) -> String {
    let mut loc = f.file.to_string();
    if let Some(s) = &f.sheet {
        loc.push(':');
        loc.push_str(s);
        if let Some(c) = f.cell {
            let _ = write!(loc, "!{c}");
        }
    }
    // The severity in Chinese as the sheets print it (错误/警告/提示): the clerk reads this
    // too; scripts read `--format json`, whose severities stay English.
    let sev = f.severity.zh();
    let tag = format!("{sev}[{}]", f.code);
    let tag = if color {
        let code = match f.severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        format!("\x1b[{code}m{tag}\x1b[0m")
    } else {
        tag
    };
    format!("{loc}: {tag} {}", f.message)
}

/// The report: findings at or above `min`, grouped by input file in input order.
pub fn report(batch: &Batch, min: Severity, color: bool) -> String {
    let mut out = String::new();
    // Each file's findings gathered once, in order: looking them up for each file among
    // all findings took 3.8 s of `check`'s 5.3 s on one core at 10,000 files.
    let mut of: std::collections::HashMap<&str, Vec<&Finding>> =
        std::collections::HashMap::with_capacity(batch.inputs.len());
    for f in batch.findings().filter(|f| f.severity >= min) {
        of.entry(&*f.file).or_default().push(f);
    }
    for input in &batch.inputs {
        let Some(findings) = of.get(&*input.path) else {
            continue;
        };
        for f in findings {
            out.push_str(&line(f, color));
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&summary(batch));
    out.push('\n');
    out
}

/// `4 个文件 · 4 张表 · 2 个错误 · 13 个警告 · 8 条提示`.
pub fn summary(batch: &Batch) -> String {
    let failed = batch
        .inputs
        .iter()
        .filter(|i| i.status == crate::model::Status::Failed)
        .count();
    let mut s = format!(
        "{} 个文件 · {} 张表 · {} 个错误 · {} 个警告 · {} 条提示",
        batch.inputs.len(),
        batch.forms.len(),
        batch.count(Severity::Error),
        batch.count(Severity::Warning),
        batch.count(Severity::Info)
    );
    if failed > 0 {
        let _ = write!(s, " · {failed} 个文件无法读取");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::Pos;

    fn finding(sheet: Option<&str>, cell: Option<&str>) -> Finding {
        Finding {
            code: crate::code::Code::S001,
            severity: Severity::Error,
            file: "samples/4.xlsx".into(),
            sheet: sheet.map(Into::into),
            cell: cell.and_then(Pos::parse),
            project: Some("P0004".into()),
            message: "申报总分99与核算总分89不一致".into(),
        }
    }

    #[test]
    fn each_file_gets_its_findings_in_order_in_the_files_order() {
        let at = |file: &str, code| Finding {
            file: file.into(),
            code,
            ..finding(None, None)
        };
        let input = |path: &str| crate::model::Input {
            path: path.into(),
            sha256: None,
            status: crate::model::Status::Ok,
            reason: None,
            detail: None,
            forms: 1,
            other_sheets: Vec::new(),
            shown: path.into(),
        };
        use crate::code::Code::{C001, S001, S002};
        let batch = Batch {
            inputs: vec![input("b.xlsx"), input("a.xlsx"), input("none.xlsx")],
            file_findings: vec![
                at("a.xlsx", S001),
                at("b.xlsx", S002),
                at("gone.xlsx", S001),
                at("a.xlsx", C001),
            ],
            ..Default::default()
        };
        let text = report(&batch, Severity::Info, false);
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "b.xlsx: 错误[S002] 申报总分99与核算总分89不一致",
                "",
                "a.xlsx: 错误[S001] 申报总分99与核算总分89不一致",
                "a.xlsx: 错误[C001] 申报总分99与核算总分89不一致",
                "",
                "3 个文件 · 0 张表 · 4 个错误 · 0 个警告 · 0 条提示",
            ]
        );
    }

    #[test]
    fn compiler_style_lines() {
        assert_eq!(
            line(&finding(Some("Sheet1"), Some("H40")), false),
            "samples/4.xlsx:Sheet1!H40: 错误[S001] 申报总分99与核算总分89不一致"
        );
        assert_eq!(
            line(&finding(None, None), false),
            "samples/4.xlsx: 错误[S001] 申报总分99与核算总分89不一致"
        );
        assert!(line(&finding(None, None), true).contains("\x1b[1;31m错误[S001]\x1b[0m"));
    }
}
