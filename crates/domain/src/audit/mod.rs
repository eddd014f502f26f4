//! The audit trail: who changed what, when, with the values before and after.
//! The rule here decides what of a change is worth recording.

use serde_json::{Map, Value};

/// Reduces a before/after pair of JSON objects to the fields that differ, so an
/// audit entry shows the change rather than two whole records. Bookkeeping fields
/// (`version`, `updated_at`) never count as a change on their own.
pub fn changed_fields(before: &Value, after: &Value) -> (Value, Value) {
    const IGNORED: [&str; 2] = ["version", "updated_at"];
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return (before.clone(), after.clone());
    };
    let mut out_b = Map::new();
    let mut out_a = Map::new();
    for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
        if IGNORED.contains(&key.as_str()) {
            continue;
        }
        let vb = b.get(key).unwrap_or(&Value::Null);
        let va = a.get(key).unwrap_or(&Value::Null);
        if vb != va {
            out_b.insert(key.clone(), vb.clone());
            out_a.insert(key.clone(), va.clone());
        }
    }
    (Value::Object(out_b), Value::Object(out_a))
}

/// Fields never written to the audit trail in clear (secrets).
pub fn redact(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        for key in ["password", "password_hash", "token", "token_hash"] {
            if m.contains_key(key) {
                m.insert(key.to_string(), Value::String("***".into()));
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_kept() {
        let (b, a) = changed_fields(
            &json!({"name": "A", "level": "B", "version": 1}),
            &json!({"name": "A", "level": "A", "version": 2, "city": "上海"}),
        );
        assert_eq!(b, json!({"level": "B", "city": null}));
        assert_eq!(a, json!({"level": "A", "city": "上海"}));
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact(json!({"password_hash": "x", "n": 1})), json!({"password_hash": "***", "n": 1}));
    }
}
