//! A small builder for the dynamic WHERE clauses of list queries, so that every value
//! goes in as a bound parameter and never into the SQL text, and lists of keys bound as one.

use rusqlite::types::Value;

use super::rank::ResumeAfter;

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

    /// `published_after` (inclusive) and `published_before` (exclusive) on a sortable
    /// published-key column; an unknown date ('') is before nothing.
    pub fn push_published_range(
        &mut self,
        column: &str,
        after: Option<&str>,
        before: Option<&str>,
    ) {
        if let Some(after) = after {
            self.push(&format!("{column} >= ?"), [text(after)]);
        }
        if let Some(before) = before {
            self.push(&format!("{column} <> '' AND {column} < ?"), [text(before)]);
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

    /// `AND a AND b ...`, to follow other conditions, or nothing.
    pub fn and_sql(&self) -> String {
        self.clauses
            .iter()
            .map(|clause| format!(" AND {clause}"))
            .collect()
    }

    pub fn into_params(self) -> Vec<Value> {
        self.params
    }
}

/// Where the next page of an article or quote list starts: after this item in the list's
/// order (newest first, or best bm25 rank first under a search; ties by id).
#[derive(Debug, Clone, PartialEq)]
pub enum ListAfter {
    Date {
        published_key: String,
        id: String,
    },
    /// Within the window of ranked matches whose newest match has the pk `window`.
    Rank {
        window: i64,
        rank: f64,
        id: String,
    },
}

impl ListAfter {
    /// Where a list that ended with an item resumes: its rank key when the list was
    /// ranked (a search), its date key otherwise.
    pub fn resume(rank: Option<f64>, window: Option<i64>, published_key: &str, id: &str) -> Self {
        match (rank, window) {
            (Some(rank), Some(window)) => ListAfter::Rank {
                window,
                rank,
                id: id.to_owned(),
            },
            _ => ListAfter::Date {
                published_key: published_key.to_owned(),
                id: id.to_owned(),
            },
        }
    }

    /// The rank key, for [`super::rank::ranked_page`]; `None` for a date key.
    pub(crate) fn ranked(after: Option<&ListAfter>) -> Option<ResumeAfter<'_>> {
        match after {
            Some(ListAfter::Rank { window, rank, id }) => Some(ResumeAfter {
                window: *window,
                rank: *rank,
                id,
            }),
            _ => None,
        }
    }
}

/// How many columns a select list (`"a.x, f(a.y, a.z), ..."`) names: its commas outside
/// parentheses, plus one. A statement that selects more after the list reads them from
/// this index on, which then follows the list as it changes.
pub(crate) const fn column_count(columns: &str) -> usize {
    let bytes = columns.as_bytes();
    let (mut count, mut depth, mut i) = (1, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 => count += 1,
            _ => {}
        }
        i += 1;
    }
    count
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_counted_outside_parentheses() {
        assert_eq!(column_count("a.id"), 1);
        assert_eq!(
            column_count("a.id, coalesce(e.name, q.name), f(g(x, y), z),\n b"),
            4
        );
    }
}
