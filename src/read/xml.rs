//! quick-xml helpers shared by the readers that parse XML themselves (the fast XLSX
//! reader, SpreadsheetML, the ODS pre-scan): attributes by local name, entities.

/// An attribute's value by local name (`ss:Index` and `Index` alike), unescaped.
pub(crate) fn xml_attr(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Appends what an XML entity or character reference stands for.
pub(crate) fn push_xml_ref(out: &mut String, g: &quick_xml::events::BytesRef) {
    match g.resolve_char_ref() {
        Ok(Some(c)) => out.push(c),
        _ => out.push_str(match g.xml10_content().as_ref() {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            _ => "",
        }),
    }
}
