//! Stage 3: people, organisations and places named in the article, typed and merged.
//!
//! 1. [`tokens`]: the body's words, with possessives and `-led` suffixes cut off and
//!    sentence starts marked.
//! 2. [`mentions`]: capitalised runs cut to the names in them, with the cues that type
//!    them (titles and roles, cue words such as Ministry or Airport, speech verbs, the
//!    [gazetteer](crate::extract::gazetteer)).
//! 3. [`resolve`]: mentions merged into entities (standing aliases, acronyms the article
//!    defines, surnames into full names, short forms of organisations).

mod mentions;
mod resolve;
mod tokens;

use super::gazetteer;
use super::{Entity, EntityId, EntityKind, Span};

/// The entities of one article and every mention of them, in body order.
#[derive(Debug, Clone, Default)]
pub struct EntityTable {
    pub entities: Vec<Entity>,
    /// Every mention, sorted by `span.start`, never overlapping.
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

    /// The entity named at `span` (a speaker the quote stage found), creating it when the
    /// article has not named it before. A person-like speaker upgrades a `misc` entity to
    /// `kind`. Returns its id; `mentions` stay sorted and non-overlapping.
    pub fn resolve_mention(&mut self, body: &str, span: Span, kind: EntityKind) -> EntityId {
        let overlapping: Vec<Mention> = self
            .mentions
            .iter()
            .copied()
            .filter(|m| m.span.overlaps(span))
            .collect();
        if !overlapping.is_empty() {
            let pick = overlapping
                .iter()
                .find(|m| m.span == span)
                .or_else(|| {
                    overlapping
                        .iter()
                        .rev()
                        .find(|m| self.entities[m.entity].kind == kind)
                })
                .or(overlapping.last())
                .copied();
            if let Some(m) = pick {
                self.upgrade(m.entity, kind);
                return m.entity;
            }
        }
        let text = resolve::strip_possessive(span.slice(body));
        // A span without a capital ("3" of "a May 3 report", "40 to 50") names no person
        // or organisation.
        let kind = if text.chars().any(char::is_uppercase) {
            kind
        } else {
            EntityKind::Misc
        };
        let id = match self.find_by_name(text) {
            Some(id) => {
                if text != self.entities[id].name
                    && !self.entities[id].aliases.iter().any(|a| a == text)
                {
                    self.entities[id].aliases.push(text.to_string());
                }
                id
            }
            None => {
                self.entities.push(Entity {
                    name: text.to_string(),
                    kind,
                    aliases: Vec::new(),
                    roles: Vec::new(),
                    mentions: Vec::new(),
                    gender: None,
                });
                self.entities.len() - 1
            }
        };
        self.upgrade(id, kind);
        let at = self.mentions.partition_point(|m| m.span.start < span.start);
        self.mentions.insert(at, Mention { span, entity: id });
        let own = &mut self.entities[id].mentions;
        let at = own.partition_point(|s| s.start < span.start);
        own.insert(at, span);
        id
    }

    /// The entity a name refers to: its name or an alias, the same gazetteer entry, or a
    /// person's surname (or first name) alone.
    fn find_by_name(&self, text: &str) -> Option<EntityId> {
        let exact = self
            .entities
            .iter()
            .position(|e| e.name == text || e.aliases.iter().any(|a| a == text));
        exact
            .or_else(|| {
                let canonical = gazetteer::lookup(text)?.canonical;
                self.entities.iter().position(|e| {
                    std::iter::once(&e.name)
                        .chain(&e.aliases)
                        .any(|n| gazetteer::lookup(n).is_some_and(|k| k.canonical == canonical))
                })
            })
            .or_else(|| resolve::unique_person_with_part(&self.entities, text))
    }

    fn upgrade(&mut self, id: EntityId, kind: EntityKind) {
        let entity = &mut self.entities[id];
        if entity.kind == EntityKind::Misc && kind != EntityKind::Misc {
            entity.kind = kind;
        }
        if entity.kind == EntityKind::Person && entity.gender.is_none() {
            entity.gender = resolve::gender_of(&entity.name);
        }
    }

    pub fn into_entities(self) -> Vec<Entity> {
        self.entities
    }
}

/// Finds, types and merges every named entity in the body.
pub fn find_entities(body: &str, _sentences: &[Span]) -> EntityTable {
    let candidates = mentions::find_candidates(body);
    resolve::build_table(body, &candidates)
}
