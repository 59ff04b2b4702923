//! The command line in Chinese: the help layout, usage errors rewritten from clap's
//! English (kept as a second line where it helps), error chains, rule docs.

use clap::error::{ContextKind, ErrorKind};
use std::path::PathBuf;
use std::process::ExitCode;

/// Help with Chinese headings; the per-argument headings are set on the arguments.
pub const HELP_TEMPLATE: &str =
    "{about-with-newline}\n用法（usage）：\n  {usage}\n\n{all-args}{after-help}";

/// `-o` of `convert` and `template`: an .xlsx file, never standard output.
pub fn xlsx_output(s: &str) -> Result<PathBuf, String> {
    if s == "-" {
        return Err("汇总工作簿不能写到标准输出（-），请给出一个 .xlsx 文件名".into());
    }
    let p = PathBuf::from(s);
    let ok = p
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !ok {
        return Err("输出文件须以 .xlsx 结尾".into());
    }
    Ok(p)
}

/// `sample --size`: a whole number of projects, at least 1.
pub fn sample_size(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("抽取的项目数须为不小于 1 的整数".into()),
    }
}

/// `sample --ratio`: a share of the projects, `0.2` or `20%`, above 0 and at most 1.
pub fn sample_ratio(s: &str) -> Result<rust_decimal::Decimal, String> {
    use rust_decimal::Decimal;
    let t = s.trim();
    let (body, scale) = match t.strip_suffix(['%', '％']) {
        Some(b) => (b, Decimal::ONE_HUNDRED),
        None => (t, Decimal::ONE),
    };
    let r = body
        .trim()
        .parse::<Decimal>()
        .ok()
        .and_then(|d| d.checked_div(scale));
    match r {
        Some(r) if r > Decimal::ZERO && r <= Decimal::ONE => Ok(r.normalize()),
        _ => Err("抽取比例须大于 0、不超过 1（如 0.2 或 20%）".into()),
    }
}

/// Prints a clap error in Chinese and returns its exit code: help and version 0,
/// everything else 2.
/// `usage` is the usage of the command the error is about (clap leaves it out of some
/// errors).
pub fn usage_error(e: clap::Error, usage: &str) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    eprint!("{}", usage_text(&e, usage));
    ExitCode::from(2)
}

/// The Chinese text of a usage error.
fn usage_text(e: &clap::Error, fallback_usage: &str) -> String {
    let get = |k| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let msg = match e.kind() {
        ErrorKind::UnknownArgument => format!("不认识的参数 {arg}"),
        ErrorKind::InvalidSubcommand => {
            format!("不认识的命令 {}", get(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数 {arg}"),
        ErrorKind::InvalidValue if value.is_empty() => format!("参数 {arg} 缺少值"),
        ErrorKind::InvalidValue => format!(
            "参数 {arg} 的值“{value}”无效；可选：{}",
            get(ContextKind::ValidValue)
        ),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default();
            format!("参数 {arg} 的值“{value}”无效：{why}")
        }
        ErrorKind::ArgumentConflict => {
            format!("参数 {arg} 与 {} 不能同时使用", get(ContextKind::PriorArg))
        }
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => format!("参数 {arg} 的值的个数不对"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::InvalidUtf8 => "参数不是有效的 UTF-8 文本".to_string(),
        _ => "命令行用法有误".to_string(),
    };
    let rendered = e.render().to_string();
    let mut lines = rendered.lines();
    let mut english = lines.next().unwrap_or("").trim().to_string();
    if english.ends_with(':') {
        // "the following required arguments were not provided:" and the list below it.
        let rest: Vec<&str> = lines
            .take_while(|l| !l.trim().is_empty())
            .map(str::trim)
            .collect();
        english = format!("{english} {}", rest.join(", "));
    }
    let mut out = format!("错误：{msg}\n");
    if e.kind() != ErrorKind::ValueValidation && !english.is_empty() {
        out.push_str(&format!("（{english}）\n"));
    }
    let mut usage = usage_lines(&rendered);
    if usage.is_empty() {
        usage = usage_lines(fallback_usage);
    }
    if !usage.is_empty() {
        out.push_str("\n用法（usage）：\n");
        for u in usage {
            out.push_str(&format!("  {u}\n"));
        }
    }
    out.push_str("\n运行 jixiao --help 查看帮助。\n");
    out
}

/// clap's usage block: `Usage: first line` and the indented continuation lines.
fn usage_lines(text: &str) -> Vec<String> {
    let mut usage = Vec::new();
    for l in text.lines() {
        if let Some(first) = l.strip_prefix("Usage: ") {
            usage.push(first.trim().to_string());
        } else if !usage.is_empty() {
            if l.trim().is_empty() {
                break;
            }
            usage.push(l.trim().to_string());
        }
    }
    usage
}

/// An error of a command, Chinese first: the message, then its causes (often the system's
/// own words, in English) in parentheses.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut chain = e.chain();
    let head = chain.next().map(|c| c.to_string()).unwrap_or_default();
    let mut causes: Vec<String> = Vec::new();
    for c in chain {
        // A system or zip error in Chinese; what it wraps says the same in English.
        if let Some(words) = jixiao::cause_words(c) {
            causes.push(words);
            break;
        }
        causes.push(c.to_string());
    }
    if causes.is_empty() {
        format!("错误：{head}")
    } else {
        format!("错误：{head}（原因：{}）", causes.join("；"))
    }
}

/// `jixiao rules CODE`: a Chinese header (code, title, severity in Chinese), then the rule's doc as
/// written, in Chinese: 检查内容, 为何重要, 示例 ([`jixiao::rules::PARTS`]).
pub fn rule_doc(r: &jixiao::rules::Rule) -> String {
    format!(
        "{} {}\n级别：{}\n\n{}\n",
        r.code,
        r.title,
        r.severity().zh(),
        r.doc_text()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_must_be_an_xlsx_file() {
        assert!(xlsx_output("-").unwrap_err().contains("标准输出"));
        assert!(xlsx_output("x.csv").unwrap_err().contains(".xlsx"));
        assert!(xlsx_output("汇总").is_err());
        assert_eq!(
            xlsx_output("汇总.XLSX").unwrap(),
            PathBuf::from("汇总.XLSX")
        );
    }

    #[test]
    fn sample_sizes_and_ratios() {
        use rust_decimal::Decimal;
        assert_eq!(sample_size("8"), Ok(8));
        assert!(sample_size("0").is_err() && sample_size("x").is_err());
        assert_eq!(sample_ratio("0.2"), Ok(Decimal::new(2, 1)));
        assert_eq!(sample_ratio("20%"), Ok(Decimal::new(2, 1)));
        assert_eq!(sample_ratio("100%"), Ok(Decimal::ONE));
        for bad in ["0", "1.5", "-0.1", "两成", "120%"] {
            assert!(sample_ratio(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_chains_put_causes_in_parentheses() {
        let e = anyhow::anyhow!("Permission denied").context("无法写入 x.xlsx");
        assert_eq!(
            error_text(&e),
            "错误：无法写入 x.xlsx（原因：Permission denied）"
        );
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let e = anyhow::Error::new(jixiao::Error::WriteTemp {
            path: "d/汇总.xlsx".into(),
            source: Box::new(jixiao::Error::Workbook(
                rust_xlsxwriter::XlsxError::IoError(full),
            )),
        });
        assert_eq!(
            error_text(&e),
            "错误：无法写出 d/汇总.xlsx（原因：无法生成汇总工作簿；磁盘已满）"
        );
    }
}
