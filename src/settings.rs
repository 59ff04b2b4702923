//! The clerk's settings: a plain text file, `jixiao设置.txt`, that she edits in Notepad and
//! keeps in the folder she drags (or beside jixiao.exe). Why a text file and not options:
//! drag-and-drop has no options, and the same few facts (who compiles the papers, the
//! deadline, whom to call) belong on every printed page and every feedback workbook.
//!
//! The format is what Notepad users write without being told: one `名称 = 值` per line
//! (`=`, `:` or `：`), `#` starts a comment, blank values mean "not set"; UTF-8 (with or
//! without BOM), UTF-16 or GBK (Notepad's "ANSI" on Chinese Windows). `jixiao template
//! --settings` writes a commented one. A line jixiao does not understand is reported, never
//! silently ignored.

use std::path::{Path, PathBuf};

/// The settings file's name, looked for in the dropped folder, then beside the program.
pub const FILE_NAME: &str = "jixiao设置.txt";

/// The scoring profile applied when the settings name none ([`crate::profile::DEFAULT`]).
pub const DEFAULT_PROFILE: &str = crate::profile::DEFAULT;

/// What the settings say. Every field is optional; [`Settings::feedback`] is on unless
/// the file says 否.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// 编制单位: printed in every page's title (e.g. 某某县财政局).
    pub unit: Option<String>,
    /// 年度: the year in the titles, over the forms' own.
    pub year: Option<i32>,
    /// 编制日期, as typed: printed beside the title. Unset, no date is printed (the same
    /// inputs give the same bytes).
    pub date: Option<String>,
    /// 反馈截止日期, as typed: on the feedback workbooks' cover.
    pub deadline: Option<String>,
    /// 联系人 and 联系电话: on the feedback workbooks' cover.
    pub contact: Option<String>,
    pub phone: Option<String>,
    /// 评分口径: the built-in scoring profile named ([`crate::profile::find`]), by its
    /// own name; `None` for the default (and for a name not known, which is reported).
    pub profile: Option<String>,
    /// 写反馈工作簿: drag mode writes one workbook per 主管部门 unless 否.
    pub feedback: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            unit: None,
            year: None,
            date: None,
            deadline: None,
            contact: None,
            phone: None,
            profile: None,
            feedback: true,
        }
    }
}

/// Settings read from a file, and what in it could not be understood (Chinese, with the
/// line number), for the console.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub settings: Settings,
    pub problems: Vec<String>,
}

/// Text in whatever encoding Notepad saved it.
fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    for (bom, enc) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return enc.decode_without_bom_handling(rest).0.into_owned();
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

/// Reads settings from a file's bytes.
///
/// ```
/// let p = jixiao::settings::parse("编制单位 = 某县财政局\n写反馈工作簿：否\n颜色=红\n".as_bytes());
/// assert_eq!(p.settings.unit.as_deref(), Some("某县财政局"));
/// assert!(!p.settings.feedback);
/// assert_eq!(p.problems, ["第 3 行：不认识的设置“颜色”，已忽略"]);
/// ```
pub fn parse(bytes: &[u8]) -> Parsed {
    let text = decode(bytes);
    let mut p = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with(['#', '＃', ';', '；']) {
            continue;
        }
        let Some(at) = line.find(['=', '＝', ':', '：']) else {
            p.problems.push(format!(
                "第 {n} 行：看不懂“{line}”（应为 名称 = 值），已忽略"
            ));
            continue;
        };
        let key: String = line[..at].chars().filter(|c| !c.is_whitespace()).collect();
        let sep = line[at..].chars().next().map_or(1, char::len_utf8);
        let value = line[at + sep..].trim();
        let text = (!value.is_empty()).then(|| value.to_string());
        let s = &mut p.settings;
        match key.as_str() {
            "编制单位" => s.unit = text,
            "编制日期" => s.date = text,
            "反馈截止日期" | "截止日期" => s.deadline = text,
            "联系人" => s.contact = text,
            "联系电话" | "电话" => s.phone = text,
            "年度" => match value {
                "" => s.year = None,
                v => match year(v) {
                    Some(y) => s.year = Some(y),
                    None => p
                        .problems
                        .push(format!("第 {n} 行：年度“{v}”不是年份（如 2023），已忽略")),
                },
            },
            "评分口径" => match text {
                None => s.profile = None,
                Some(v) => match crate::profile::find(&v) {
                    Some(found) => s.profile = Some(found.name.clone()),
                    None => {
                        s.profile = None;
                        p.problems.push(format!(
                            "第 {n} 行：没有评分口径“{value}”，按 {DEFAULT_PROFILE} 核算（可用：{}）",
                            crate::profile::names()
                        ));
                    }
                },
            },
            "写反馈工作簿" | "反馈工作簿" => match yes_no(value) {
                Some(b) => s.feedback = b,
                None => p.problems.push(format!(
                    "第 {n} 行：写反馈工作簿应填“是”或“否”，不是“{value}”；按“是”处理"
                )),
            },
            _ => p
                .problems
                .push(format!("第 {n} 行：不认识的设置“{key}”，已忽略")),
        }
    }
    p
}

/// `2023`, `2023年`, `2023年度` → 2023.
fn year(v: &str) -> Option<i32> {
    let digits = v.trim_end_matches('度').trim_end_matches('年').trim();
    let y: i32 = digits.parse().ok()?;
    (1990..=2100).contains(&y).then_some(y)
}

fn yes_no(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "" | "是" | "写" | "要" | "yes" | "y" | "true" | "1" => Some(true),
        "否" | "不" | "不写" | "不要" | "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// The settings file `jixiao template --settings` writes: every setting, commented, in
/// Chinese, with the default written out.
pub fn template_text() -> String {
    format!(
        "# jixiao 设置文件：用记事本修改后保存，放在要拖放的文件夹里（或 jixiao.exe 旁边）。\r\n\
         # 每行一项，格式为“名称 = 值”；# 开头的行是说明，不起作用；值留空表示不设置。\r\n\
         \r\n\
         # 编制单位：打印在汇总各页的标题中，如 某某县财政局\r\n\
         编制单位 = \r\n\
         \r\n\
         # 年度：标题中的年度；留空则取自评表中的年度\r\n\
         年度 = \r\n\
         \r\n\
         # 编制日期：打印在标题旁，如 2024年3月1日；留空则不打印\r\n\
         编制日期 = \r\n\
         \r\n\
         # 反馈截止日期、联系人、联系电话：写在发给各部门的反馈工作簿的首页\r\n\
         反馈截止日期 = \r\n\
         联系人 = \r\n\
         联系电话 = \r\n\
         \r\n\
         # 评分口径：算建议得分和等级的依据，可填 {names}；运行 jixiao rules --profiles 查看各口径\r\n\
         评分口径 = {DEFAULT_PROFILE}\r\n\
         \r\n\
         # 写反馈工作簿：是 = 拖放时在汇总旁另建“文件夹名-反馈”文件夹，每个主管部门一个工作簿；否 = 不写\r\n\
         写反馈工作簿 = 是\r\n",
        names = crate::profile::names()
    )
}

impl Settings {
    /// The scoring profile the settings name, or the default.
    pub fn scoring_profile(&self) -> std::sync::Arc<crate::profile::Profile> {
        self.profile
            .as_deref()
            .and_then(crate::profile::find)
            .unwrap_or_else(crate::profile::default_profile)
    }
}

/// The settings file for a drag of `inputs`: `jixiao设置.txt` in the first dropped folder
/// (or the first dropped file's folder), else beside the program.
pub fn find(inputs: &[PathBuf]) -> Option<PathBuf> {
    let first = inputs.first()?;
    let here = if first.is_dir() {
        Some(first.as_path())
    } else {
        first.parent()
    };
    let beside_exe = std::env::current_exe().ok();
    let exe_dir = beside_exe.as_deref().and_then(Path::parent);
    [here, exe_dir]
        .into_iter()
        .flatten()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back_as_the_defaults() {
        let p = parse(template_text().as_bytes());
        assert_eq!(p.problems, Vec::<String>::new());
        assert_eq!(
            p.settings,
            Settings {
                profile: Some(DEFAULT_PROFILE.into()),
                ..Default::default()
            }
        );
    }

    #[test]
    fn notepad_writes_are_understood() {
        let text = "\u{feff}编制单位：靖州县财政局\r\n年度=2023年度\r\n联系 人 ＝ 张三\r\n电话: 0745-1234567\r\n写反馈工作簿 = 否\r\n";
        let p = parse(text.as_bytes());
        assert_eq!(p.problems, Vec::<String>::new());
        let s = p.settings;
        assert_eq!(s.unit.as_deref(), Some("靖州县财政局"));
        assert_eq!(s.year, Some(2023));
        assert_eq!(s.contact.as_deref(), Some("张三"));
        assert_eq!(s.phone.as_deref(), Some("0745-1234567"));
        assert!(!s.feedback);
        // GBK, as Notepad's "ANSI" saves it on Chinese Windows.
        let (gbk, _, _) = encoding_rs::GBK.encode("编制单位=某县财政局\n");
        assert_eq!(parse(&gbk).settings.unit.as_deref(), Some("某县财政局"));
        // UTF-16 with its BOM ("Unicode" in old Notepad).
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("联系人=李四".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(parse(&utf16).settings.contact.as_deref(), Some("李四"));
    }

    #[test]
    fn what_is_not_understood_is_said_with_its_line() {
        let p =
            parse("年度 = 去年\n写反馈工作簿 = 也许\n随便写点\n评分口径 = 广西2021\n".as_bytes());
        assert_eq!(
            p.problems,
            [
                "第 1 行：年度“去年”不是年份（如 2023），已忽略",
                "第 2 行：写反馈工作簿应填“是”或“否”，不是“也许”；按“是”处理",
                "第 3 行：看不懂“随便写点”（应为 名称 = 值），已忽略",
                "第 4 行：没有评分口径“广西2021”，按 财预〔2020〕10号 核算（可用：财预〔2020〕10号、中央转移支付、湖北2020、宁夏银川2021、四川青神2023）",
            ]
        );
        assert!(p.settings.feedback);
        assert_eq!(p.settings.profile, None);
    }

    #[test]
    fn a_built_in_profile_is_named_by_its_name_or_an_alias() {
        let p = parse("评分口径 = hubei2020\n".as_bytes());
        assert_eq!(p.problems, Vec::<String>::new());
        assert_eq!(p.settings.profile.as_deref(), Some("湖北2020"));
        assert_eq!(p.settings.scoring_profile().name, "湖北2020");
        let p = parse("评分口径 = 中央转移支付\n".as_bytes());
        assert_eq!(p.settings.scoring_profile().name, "中央转移支付");
        assert_eq!(Settings::default().scoring_profile().name, DEFAULT_PROFILE);
    }
}
