//! Stage 3: people, organisations and places named in the article.
//!
//! Placeholder: runs of capitalised words, typed `misc`, merged by exact name.

use super::{Entity, EntityId, EntityKind, Span};

/// The entities of one article and every mention of them, in body order.
#[derive(Debug, Clone, Default)]
pub struct EntityTable {
    pub entities: Vec<Entity>,
    /// Every mention, sorted by `span.start`.
    pub mentions: Vec<Mention>,
}

/// One place in the body where an entity is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub span: Span,
    pub entity: EntityId,
}

impl EntityTable {
    /// Mentions lying wholly inside `range`, in body order.
    pub fn mentions_within(&self, range: Span) -> &[Mention] {
        let first = self
            .mentions
            .partition_point(|m| m.span.start < range.start);
        let last = self.mentions.partition_point(|m| m.span.start < range.end);
        let within = &self.mentions[first..last.max(first)];
        let keep = within
            .iter()
            .take_while(|m| m.span.end <= range.end)
            .count();
        &within[..keep]
    }

    /// The entity named at `span` (a speaker the quote stage found), creating it
    /// when the article has not named it before. Returns its id.
    pub fn resolve_mention(&mut self, body: &str, span: Span, kind: EntityKind) -> EntityId {
        let name = span.slice(body).to_string();
        let id = match self
            .entities
            .iter()
            .position(|e| e.name == name || e.aliases.contains(&name))
        {
            Some(id) => id,
            None => {
                self.entities.push(Entity {
                    name,
                    kind,
                    aliases: Vec::new(),
                    roles: Vec::new(),
                    mentions: Vec::new(),
                    gender: None,
                });
                self.entities.len() - 1
            }
        };
        if !self.mentions.iter().any(|m| m.span == span) {
            let at = self.mentions.partition_point(|m| m.span.start < span.start);
            self.mentions.insert(at, Mention { span, entity: id });
            self.entities[id].mentions.push(span);
            self.entities[id].mentions.sort();
        }
        id
    }

    pub fn into_entities(self) -> Vec<Entity> {
        self.entities
    }
}

pub fn find_entities(body: &str, _sentences: &[Span]) -> EntityTable {
    let mut table = EntityTable::default();
    let mut run: Option<(usize, usize)> = None;
    let mut spans = Vec::new();
    for (i, word) in word_spans(body) {
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        match (capitalised, run) {
            (true, None) => run = Some((i, i + word.len())),
            (true, Some((s, _))) => run = Some((s, i + word.len())),
            (false, Some((s, e))) => {
                spans.push(Span::new(s, e));
                run = None;
            }
            (false, None) => {}
        }
    }
    if let Some((s, e)) = run {
        spans.push(Span::new(s, e));
    }
    for span in spans {
        table.resolve_mention(body, span, EntityKind::Misc);
    }
    table
}

fn word_spans(body: &str) -> impl Iterator<Item = (usize, &str)> {
    body.split(|c: char| !c.is_alphanumeric() && c != '.' && c != '-')
        .scan(0usize, move |_, w| Some(w))
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - body.as_ptr() as usize, w))
}
