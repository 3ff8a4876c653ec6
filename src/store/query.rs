//! A small builder for the dynamic WHERE clauses of list queries, so that every value
//! goes in as a bound parameter and never into the SQL text, and lists of keys bound as one.

use rusqlite::types::Value;

#[derive(Default)]
pub(crate) struct Conditions {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Conditions {
    /// Adds `clause`, whose `?` placeholders take `values` in order.
    pub fn push(&mut self, clause: &str, values: impl IntoIterator<Item = Value>) {
        self.clauses.push(clause.to_owned());
        self.params.extend(values);
    }

    pub fn push_eq(&mut self, column: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.push(&format!("{column} = ?"), [text(v)]);
        }
    }

    /// `WHERE a AND b ...`, or nothing.
    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub fn into_params(self) -> Vec<Value> {
        self.params
    }
}

pub(crate) fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// `pks` as a JSON array, to bind as one parameter and read with `json_each`: one
/// statement text for any number of keys, so the prepared statement is reused (an `IN`
/// list of `?`s is a new statement for each length).
pub(crate) fn json_keys(pks: impl IntoIterator<Item = i64>) -> String {
    let keys: Vec<String> = pks.into_iter().map(|pk| pk.to_string()).collect();
    format!("[{}]", keys.join(","))
}
