//! Open311's XML: the JSON document written as elements named after its fields, a list's items named after the list
//! (`services` → `service`, `service_requests` → `request`, …), text escaped, an empty value as an empty element.

use quick_xml::escape::escape;
use serde_json::Value;

/// The element name of an item of the list named `list`.
fn item_name(list: &str) -> &str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "service_request_updates" => "request_update",
        "errors" => "error",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "notes" => "note",
        other => other.strip_suffix('s').unwrap_or(other),
    }
}

fn element(out: &mut String, name: &str, v: &Value) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&escape(s.as_str())),
        Value::Array(items) => {
            let item = item_name(name);
            for i in items {
                element(out, item, i);
            }
        }
        Value::Object(fields) => {
            for (k, f) in fields {
                element(out, k, f);
            }
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// A whole document with root element `root`.
pub fn document(root: &str, v: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    element(&mut out, root, v);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_name_their_items_and_text_is_escaped() {
        let v = serde_json::json!([{ "service_code": "noise", "description": "a < b & c", "metadata": true,
            "address": null }]);
        assert_eq!(
            document("services", &v),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><address></address>\
             <description>a &lt; b &amp; c</description><metadata>true</metadata>\
             <service_code>noise</service_code></service></services>"
        );
    }
}
