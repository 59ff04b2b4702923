//! The seed submission: four 2023 projects of one county office, exactly as typed.
//!
//! Transcribed from `../shared/seed/`, mistakes included: numbers as text with stray
//! newlines and tabs, multi-line merged cells, project 4's misaligned 时效指标 row and its
//! empty 得分, empty 执行率 and 实施单位. The sample workbooks (`examples/samples.rs`), the
//! tests' layout variants (`tests/variants.rs`) and the benchmark (`examples/harness/`) are
//! all generated from these specs through `jixiao::template::layout`; each includes this
//! file with `#[path]`, as it is test data, not part of the library.
// Each includer uses only some of it.
#![allow(dead_code)]

use jixiao::template::layout::{BlockSpec, CellSpec, Col, FormSpec};

fn c(row: u32, col: Col, text: &str) -> CellSpec {
    CellSpec {
        row,
        col,
        text: text.to_string(),
        span: 1,
    }
}

fn m(row: u32, col: Col, text: &str, span: u32) -> CellSpec {
    CellSpec {
        row,
        col,
        text: text.to_string(),
        span,
    }
}

/// A block whose first row holds one indicator: name, target, actual, weight, score, reason.
fn one(l1: &str, l2: &str, rows: u32, v: [&str; 6]) -> BlockSpec {
    let cols = [
        Col::Name,
        Col::Target,
        Col::Actual,
        Col::Weight,
        Col::Score,
        Col::Reason,
    ];
    BlockSpec {
        level1: l1.into(),
        level2: l2.into(),
        rows,
        cells: cols
            .iter()
            .zip(v)
            .filter(|(_, t)| !t.is_empty())
            .map(|(col, t)| c(0, *col, t))
            .collect(),
    }
}

fn block(l1: &str, l2: &str, rows: u32, cells: Vec<CellSpec>) -> BlockSpec {
    BlockSpec {
        level1: l1.into(),
        level2: l2.into(),
        rows,
        cells,
    }
}

fn funds(amount: &str) -> [[String; 6]; 4] {
    let s = |v: &str| v.to_string();
    [
        [s(amount), s(amount), s(amount), s("10"), s(""), s("10")],
        [s(amount), s(amount), s(amount), s(""), s(""), s("")],
        [s(""), s(""), s(""), s("—"), s(""), s("—")],
        [s(""), s(""), s(""), s("—"), s(""), s("—")],
    ]
}

const OUT: &str = "\n产出指标";
const BEN: &str = "效益指标";
const SAT: &str = "满意度指标";
const DEPT: &str = "靖州县禁毒办";

/// The four forms of the seed, in its order.
pub fn forms() -> Vec<FormSpec> {
    vec![project1(), project2(), project3(), project4()]
}

fn project1() -> FormSpec {
    FormSpec {
        year: Some(2023),
        name: "村和社区戒毒康复工作站、禁毒协会工作经费".into(),
        department: DEPT.into(),
        implementer: String::new(),
        funds: funds("6"),
        expected: "\n禁毒协会组织社会力量开展5场活动，对涉毒困难家庭进行走访。对四个重点村进行走访调研。\n".into(),
        actual: "禁毒协会组织社会力量开展了5场活动，对涉毒困难家庭进行了走访。对四个重点村进行了走访调研。".into(),
        blocks: vec![
            one(OUT, "\n数量指标", 3, ["禁毒协会正常开展禁毒工作。", "开展活动5场。", "5场", "10", "\n10", "无"]),
            one(OUT, "\n质量指标", 3, ["禁毒协会正常开展禁毒工作。", "配合禁毒办，积极参与辖区禁，毒宣传。村里社戒社康人员全部管控到位。", "完成", "10", "10", "无"]),
            one(OUT, "\n\n时效指标", 3, ["村和社区戒毒康复工作站、禁毒协会工作经费。", "及时对涉毒人员家庭开展救助帮扶。\n", "及时开展帮扶", "\n10", "\n10", "无"]),
            one(OUT, "成本指标", 3, ["村和社区戒毒康复工作站、禁毒协会工作经费。", "6万元每年", "6万元", "10", "10\n", "无"]),
            one(BEN, "经济效益指标", 1, ["提高资金使用效率", "明显提高", "明显提高", "10", "10", "无"]),
            one(BEN, "社会效益指标", 1, ["对各辖区戒毒和康复人员进行有效帮扶。", "社区戒毒康复人员回归社会", "正常回归", "10", "10", "无"]),
            one(BEN, "环境效益指标", 1, ["现有吸毒人员减少，减少污水相关含量", "现有吸毒人员减少", "控增量，去存量", "10", "10", ""]),
            one(BEN, "可持续影响指标", 1, ["帮助吸毒人员正常回归社会", "持续影响", "持续影响", "10", "9", "无"]),
            one(SAT, "服务对象满意度指标", 1, ["社戒社康人员满意", "≥90%", "100%", "10", "10", "无"]),
        ],
        weight_total: "100".into(),
        declared_total: "99".into(),
    }
}

fn project2() -> FormSpec {
    FormSpec {
        year: Some(2023),
        name: "禁毒办专项及社区戒毒康复工作经费".into(),
        department: DEPT.into(),
        implementer: String::new(),
        funds: funds("19.2"),
        expected: "\n实现社区戒毒康复人员管控率95%以上，社会面吸毒人员风险评估率100%，实现禁毒宣传全覆盖。\n".into(),
        actual: "实现社区戒毒康复人员管控率100%，社会面吸毒人员风险评估率100%，实现禁毒宣传全覆盖。".into(),
        blocks: vec![
            one(OUT, "\n数量指标", 3, ["社区戒毒康复工作站个数", "≥16个", "17", "10", "10\t", "无"]),
            block(OUT, "\n质量指标", 3, vec![
                c(0, Col::Name, "对社会面吸毒人员风险评估评估率"),
                c(1, Col::Name, "社区戒毒康复人员管控率"),
                m(0, Col::Target, "100%\n\n≥95%", 2),
                m(0, Col::Actual, "100%\n\n100%", 2),
                m(0, Col::Weight, "10", 2),
                m(0, Col::Score, "10", 2),
                m(0, Col::Reason, "无", 2),
            ]),
            one(OUT, "\n\n时效指标", 3, ["强戒人员出所必接", "按时", "按时完成", "\n10", "\n10", "无"]),
            one(OUT, "成本指标", 3, ["禁毒办专项及社区戒毒社区康复经费工作经费", "19.2万元", "19.2万元", "10", "10", "无"]),
            one(BEN, "经济效益指标", 1, ["现有吸毒人员减少，减少相关消耗", "现有吸毒人员减少", "控增量，去存量", "10", "10", ""]),
            one(BEN, "社会效益指标", 1, ["对各辖区戒毒和康复人员进行有效帮扶", "效果明显", "社区戒毒康复人员回归社会", "10", "10", "无"]),
            one(BEN, "环境效益指标", 1, ["现有吸毒人员减少，减少污水相关含量", "现有吸毒人员减少", "控增量，去存量", "10", "10", ""]),
            one(BEN, "可持续影响指标", 1, ["帮助吸毒人员正常回归社会", "持续影响", "吸毒人员回归社会", "10", "9", "无"]),
            one(SAT, "服务对象满意度指标", 1, ["社戒社康人员满意", "≥90%", "100%", "10", "10", "无"]),
        ],
        weight_total: "100".into(),
        declared_total: "99".into(),
    }
}

fn project3() -> FormSpec {
    FormSpec {
        year: Some(2023),
        name: "购买禁毒社工服务".into(),
        department: DEPT.into(),
        implementer: String::new(),
        funds: funds("66.44"),
        expected: "\n实现社区戒毒康复人员管控率95%以上，社会面吸毒人员风险评估率100%，实现禁毒宣传全覆盖。\n".into(),
        actual: "实现社区戒毒康复人员管控率100%，社会面吸毒人员风险评估率100%，实现禁毒宣传全覆盖。".into(),
        blocks: vec![
            one(OUT, "\n数量指标", 3, ["社会购买劳务派遣禁毒社工。", "18人", "18人", "\n10", "10", ""]),
            one(OUT, "\n质量指标", 3, ["禁毒社工安排到县禁毒办和乡镇（便民服务中心）禁毒办基层工作", "能够完成社区戒毒康复工作人员管控工作。", "完成", "10", "10", ""]),
            one(OUT, "\n\n时效指标", 3, ["按照上级要求及时完成任务。", "按照时间节点完成工作。", "完成", "\n10", "10", ""]),
            one(OUT, "成本指标", 3, ["社会购买劳务派遣禁毒社工18人。", "66.44万", "完成", "10", "10", ""]),
            one(BEN, "经济效益指标", 1, ["现有吸毒人员减少，相关消耗减少", "现有吸毒人员减少", "控增量，去存量", "10", "10", ""]),
            one(BEN, "社会效益指标", 1, ["对各辖区戒毒和康复人员进行有效帮扶。", "社区戒毒康复人员回归社会", "持续回归", "10", "10", ""]),
            one(BEN, "环境效益指标", 1, ["现有吸毒人员减少，减少污水相关含量", "现有吸毒人员减少", "控增量，去存量", "10", "10", ""]),
            one(BEN, "可持续影响指标", 1, ["帮助吸毒人员正常回归社会", "持续影响", "持续影响", "10", "9", ""]),
            one(SAT, "服务对象满意度指标", 1, ["社戒社康人员满意", "≥90%", "100%", "10", "10", ""]),
        ],
        weight_total: "100".into(),
        declared_total: "99".into(),
    }
}

fn project4() -> FormSpec {
    FormSpec {
        year: Some(2023),
        name: "毛发检测和城市污水溯源监测经费".into(),
        department: DEPT.into(),
        implementer: String::new(),
        funds: funds("73.6"),
        expected: "\n对在册吸毒人员开展全员毒品毛发检测，对公职人员开展毛发抽检，对辖区内污水开展毒品含量检测，对重点位置开展溯源检测，通过污水检测掌握辖区内毒品问题情况。\u{3000}\n".into(),
        actual: "完成了对在册吸毒人员开展全员毒品毛发检测，对公职人员进行了毛发抽检，对辖区内污水开展毒品含量检测，对重点位置开展了溯源。\u{3000}".into(),
        blocks: vec![
            block(OUT, "\n数量指标", 3, vec![
                c(0, Col::Name, "对在册吸毒人员开展毒品毛发检测。"),
                c(1, Col::Name, "开展城市污水溯源监测"),
                m(0, Col::Target, "在册吸毒人员全员\n\n80次", 2),
                m(0, Col::Actual, "完成", 2),
                m(0, Col::Weight, "\n10", 2),
                m(0, Col::Score, "10", 2),
            ]),
            one(OUT, "\n质量指标", 3, ["按照上级要求完成任务。", "按要求完成工作。", "完成", "10", "10", ""]),
            // Misaligned: the values sit in the block's first row, the name in its second.
            block(OUT, "\n\n时效指标", 3, vec![
                c(0, Col::Target, "按照时间节点完成工作。"),
                c(0, Col::Actual, "完成"),
                c(0, Col::Weight, "\n10"),
                c(1, Col::Name, "按照上级要求及时完成任务。"),
            ]),
            block(OUT, "成本指标", 3, vec![
                c(0, Col::Name, "在册吸毒人员毛发检测"),
                c(1, Col::Name, "在册吸毒人员毛发检测"),
                c(2, Col::Name, "城市污水溯源监测"),
                m(0, Col::Target, "30.0万元\n13.9万元\n28.8万元", 3),
                m(0, Col::Actual, "", 3),
                m(0, Col::Weight, "10", 3),
                m(0, Col::Score, "10", 3),
                m(0, Col::Reason, "", 3),
            ]),
            one(BEN, "经济效益指标", 1, ["现有吸毒人员减少，相关消耗减少", "现有吸毒人员减少", "控增量，去存量", "10", "10", ""]),
            one(BEN, "社会效益指标", 1, ["对各辖区吸毒人员和公职人员进行毛发检测；\n开展城市污水监测。", "有效管控在册吸毒人员，遏制吸毒人员增长\n", "持续影响", "10", "10", ""]),
            one(BEN, "环境效益指标", 1, ["现有吸毒人员减少，减少污水相关含量", "现有吸毒人员减少", "控增量，去存量", "10", "10", ""]),
            one(BEN, "可持续影响指标", 1, ["在册吸毒人员毛发检测，有效管控吸毒人员。", "持续影响", "持续影响", "10", "9", ""]),
            one(SAT, "服务对象满意度指标", 1, ["在册吸毒人员满意", "≥90%", "100%", "10", "10", ""]),
        ],
        weight_total: "100".into(),
        declared_total: "99".into(),
    }
}

/// Form `i` of a generated batch, for benchmarks and scale tests: the seed's forms in
/// turn, the name numbered and the amounts varied, everything else as typed.
pub fn variant(i: usize) -> FormSpec {
    let mut f = match i % 4 {
        0 => project1(),
        1 => project2(),
        2 => project3(),
        _ => project4(),
    };
    f.name = format!("{}（第{}号）", f.name, i + 1);
    let amount = rust_decimal::Decimal::new((i % 997) as i64 + 100, 1).to_string();
    for row in &mut f.funds[..2] {
        for cell in &mut row[..3] {
            *cell = amount.clone();
        }
    }
    f
}
