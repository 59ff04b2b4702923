//! C008 同一三级指标既列为产出又列为效益.

use crate::code::Code;
use crate::model::{Finding, Form, Indicator};
use crate::rules::{At, Check, Emit};
use crate::wording::{Level1, label_key, level1_of};

declare_rule! {
    /// 检查内容：同一个三级指标（名称相同，不计空白和全角半角）既列在产出指标下，又列在效益指标下。
    ///
    /// 为何重要：产出是做了什么，效益是带来了什么变化；同一句话两处计分，等于一件事得两次分。抽查复核常把它列为指标设置不合理。请把效益指标改写为项目带来的效果。
    ///
    /// 示例：产出指标下有“对在册吸毒人员开展毛发检测”，效益指标下也有“对在册吸毒人员开展毛发检测”。
    C008, "同一三级指标既列为产出又列为效益", Check::Form(check)
}

fn category(i: &Indicator) -> Option<Level1> {
    i.level1.value.as_deref().and_then(level1_of)
}

fn check(form: &Form, out: &mut Emit) {
    let outputs: Vec<(String, &Indicator)> = form
        .indicators
        .iter()
        .filter(|i| category(i) == Some(Level1::Output))
        .filter_map(|i| Some((label_key(i.name.value.as_deref()?), i)))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    for i in form
        .indicators
        .iter()
        .filter(|i| category(i) == Some(Level1::Benefit))
    {
        let Some(name) = i.name.value.as_deref() else {
            continue;
        };
        let k = label_key(name);
        if let Some((_, o)) = outputs.iter().find(|(ok, _)| *ok == k) {
            out.add(both(out.at(i.name.cell), i, o));
        }
    }
}

/// The benefit indicator `ind` repeats the output indicator `output`.
pub fn both(at: At, ind: &Indicator, output: &Indicator) -> Finding {
    at.finding(
        Code::C008,
        format!(
            "三级指标“{}”既列在{}下（{}），又列在{}下；同一件事不宜既算产出又算效益",
            ind.name.value.as_deref().unwrap_or(""),
            output.level2.value.as_deref().unwrap_or("产出指标"),
            output.name.cell.map(|c| c.to_string()).unwrap_or_default(),
            ind.level2.value.as_deref().unwrap_or("效益指标"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn the_same_name_under_output_and_benefit_is_flagged_at_the_benefit() {
        let mut f = form();
        f.indicators[1].name = text("个 数", "D14");
        assert_eq!(run(&super::RULE, &f), vec![(Code::C008, "D14".into())]);
        let mut e = crate::rules::Emit::new(&f);
        super::check(&f, &mut e);
        assert_eq!(
            e.findings[0].message,
            "三级指标“个 数”既列在数量指标下（D13），又列在社会效益指标下；同一件事不宜既算产出又算效益"
        );
    }

    #[test]
    fn different_names_or_the_same_name_twice_in_one_category_pass() {
        assert!(run(&super::RULE, &form()).is_empty());
        let mut f = form();
        f.indicators[2].name = text("效果", "D15");
        assert!(run(&super::RULE, &f).is_empty(), "效益 and 满意度");
    }
}
