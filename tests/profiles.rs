//! Scoring profiles through the binary (issue 17): `convert --json` gives each indicator
//! its 建议得分 by the profile, 指标明细 shows it with the 差额, `--profile` picks a
//! profile by name or file, and `rules --profiles` lists them with their sources.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use serde_json::Value;

fn convert(input: &str, extra: &[&str]) -> (Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("汇总.xlsx");
    let json = dir.path().join("out.json");
    let mut args = vec![
        "convert",
        input,
        "-o",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = jixiao(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (read_json(&json), dir)
}

/// The indicator of project `p` (0-based) named `name`.
fn indicator<'a>(v: &'a Value, p: usize, level2: &str, name: &str) -> &'a Value {
    v["projects"][p]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["level2"] == level2 && i["name"].as_str().unwrap().starts_with(name))
        .unwrap_or_else(|| panic!("{level2} {name}"))
}

/// Worked by hand by 财预〔2020〕10号:
/// - P0001 成本指标 `6万元每年` vs `6万元`: a bare amount under 成本 is a ceiling, 6 ≤ 6,
///   full 10;
/// - P0001 满意度 `≥90%` vs `100%`: 1/0.9 capped at 1, × 10 = 10;
/// - P0001 可持续影响 `持续影响` vs `持续影响`: the actual repeats the target, 达成, the
///   band's top 100 % × 10 = 10 (the self score 9 is inside 80–100 %: no finding);
/// - P0002 数量 `≥16个` vs `17`: 17/16 capped, × 10 = 10;
/// - P0001 数量 `开展活动5场。` vs `5场`: no number in the target, no band word in the
///   actual: no suggestion, so no 建议总分 for P0001.
#[test]
fn samples_get_suggested_scores_worked_by_hand() {
    let (v, dir) = convert("samples/2023", &[]);
    let s = |p, l2, n| indicator(&v, p, l2, n)["suggested_score"].clone();
    assert_eq!(s(0, "成本指标", "村和社区"), "10");
    assert_eq!(s(0, "服务对象满意度指标", "社戒社康"), "10");
    assert_eq!(s(0, "可持续影响指标", "帮助吸毒"), "10");
    assert_eq!(s(1, "数量指标", "社区戒毒康复工作站个数"), "10");
    assert_eq!(s(0, "数量指标", "禁毒协会"), Value::Null);
    assert!(v["projects"][0].get("suggested_total").is_none());
    // No self score on the samples is off its suggestion by more than 0.5.
    for p in v["projects"].as_array().unwrap() {
        for f in p["findings"].as_array().unwrap() {
            assert!(f["code"] != "S015" && f["code"] != "S016", "{f}");
        }
    }

    // 指标明细: 建议得分 and 差额 (得分 − 建议得分) after 得分 and 复核分.
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("汇总.xlsx")).unwrap();
    let d = wb.worksheet_range("指标明细").unwrap();
    let header: Vec<String> = (0..d.width() as u32)
        .map(|c| {
            d.get_value((0, c))
                .map(|x| x.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        &header[7..12],
        ["分值", "得分", "复核分", "建议得分", "差额"]
    );
    let row = (1..d.height() as u32)
        .find(|r| {
            d.get_value((*r, 0)) == Some(&Data::String("P0001".into()))
                && d.get_value((*r, 3)) == Some(&Data::String("可持续影响指标".into()))
        })
        .unwrap();
    assert_eq!(d.get_value((row, 8)), Some(&Data::Float(9.0)));
    assert_eq!(d.get_value((row, 10)), Some(&Data::Float(10.0)));
    assert_eq!(d.get_value((row, 11)), Some(&Data::Float(-1.0)));
    let none = (1..d.height() as u32)
        .find(|r| {
            d.get_value((*r, 0)) == Some(&Data::String("P0001".into()))
                && d.get_value((*r, 3)) == Some(&Data::String("数量指标".into()))
        })
        .unwrap();
    assert!(matches!(d.get_value((none, 10)), None | Some(Data::Empty)));
    assert!(matches!(d.get_value((none, 11)), None | Some(Data::Empty)));
}

/// A clerk's own profile file (tolerance 0) and a built-in by alias through
/// `--profile`; an unknown name is refused in Chinese, listing the built-ins.
#[test]
fn profile_by_name_or_file_and_unknown_names_refused() {
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("口径.txt");
    std::fs::write(&own, "名称 = 严格口径\n依据 = 测试\n容差 = 0\n").unwrap();
    let (v, _d) = convert("samples/2023", &["--profile", own.to_str().unwrap()]);
    // With no tolerance, P0001's 可持续影响 9 is still inside its band (8–10): nothing;
    // the qualitative texts that match no band still have no suggestion.
    assert_eq!(
        indicator(&v, 0, "可持续影响指标", "帮助吸毒")["suggested_score"],
        "10"
    );
    let (_v, _d) = convert("samples/2023", &["--profile", "hubei2020"]);
    let o = jixiao(&["check", "samples/2023", "--profile", "广西2021"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("没有评分口径“广西2021”"), "{err}");
    assert!(err.contains("湖北2020"), "{err}");
    let bad = dir.path().join("坏.txt");
    std::fs::write(&bad, "名称 = 坏\n反向指标 = 倒数\n").unwrap();
    let o = jixiao(&["check", "samples/2023", "--profile", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("第 2 行：反向指标应为“线性扣减”或“按比例”"),
        "{err}"
    );
}

#[test]
fn rules_lists_the_profiles_with_their_sources() {
    let o = jixiao(&["rules", "--profiles"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for name in [
        "财预〔2020〕10号",
        "中央转移支付",
        "湖北2020",
        "宁夏银川2021",
        "四川青神2023",
    ] {
        assert!(out.contains(name), "{name}");
    }
    assert!(out.contains("依据：财政部《项目支出绩效评价管理办法》（财预〔2020〕10号）"));
    assert!(out.contains("预算执行分值：20"));
    let o = jixiao(&["rules", "S015"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("自评偏高"));
}
