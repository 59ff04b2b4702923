//! C003 同一二级指标下三级指标重名.

use crate::code::Code;
use crate::model::{Finding, Form};
use crate::rules::{At, Check, Emit};

declare_rule! {
    /// 检查内容：同一二级指标下有两个三级指标名称相同。
    ///
    /// 为何重要：多半是复制粘贴时的疏忽；每个指标都应写明衡量的内容。
    ///
    /// 示例：两个成本指标都叫“在册吸毒人员毛发检测”。
    C003, "同一二级指标下三级指标重名", Check::Form(check)
}

fn check(form: &Form, out: &mut Emit) {
    // An indicator's block is known by its 二级 label cell.
    for (k, i) in form.indicators.iter().enumerate() {
        let Some(name) = i.name.value.as_deref() else {
            continue;
        };
        let earlier = form.indicators[..k]
            .iter()
            .find(|j| j.level2.cell == i.level2.cell && j.name.value.as_deref() == Some(name));
        if let Some(j) = earlier {
            let level2 = i.level2.value.as_deref().unwrap_or("");
            out.add(same_name(out.at(i.name.cell), level2, name, j.name.cell));
        }
    }
}

/// Two indicators named `name` under the 二级指标 `level2`, the other at `other`.
pub fn same_name(at: At, level2: &str, name: &str, other: Option<crate::grid::Pos>) -> Finding {
    at.finding(
        Code::C003,
        format!(
            "{level2}下有两个同名三级指标“{name}”（另见{}）",
            other.map(|c| c.to_string()).unwrap_or_default()
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn duplicate_names_in_a_block() {
        let mut f = form();
        let mut twin = ind(
            "产出指标",
            "数量指标",
            13,
            ["个数", "≥1个", "1个", "", "", ""],
        );
        twin.name.cell = at("D14");
        f.indicators.insert(1, twin);
        assert_eq!(run(&super::RULE, &f), vec![(Code::C003, "D14".to_string())]);
    }

    #[test]
    fn same_name_in_other_blocks_passes() {
        let mut f = form();
        f.indicators[1].name = text("个数", "D14");
        assert!(run(&super::RULE, &f).is_empty());
    }
}
