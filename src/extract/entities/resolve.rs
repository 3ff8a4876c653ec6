//! Merging mentions into entities within one article: gazetteer aliases, acronyms,
//! surnames and short forms; then each entity's name, type, aliases, roles and gender.

use super::mentions::Candidate;
use super::{EntityTable, Mention};
use crate::extract::gazetteer;
use crate::extract::{Entity, EntityKind, Gender, Span};
use std::collections::HashMap;

/// Mentions being merged into one entity.
#[derive(Debug, Default)]
struct Group {
    canonical: Option<&'static str>,
    known_kind: Option<EntityKind>,
    /// Types the text gives the mentions, with the number of words of the form that gave
    /// each: the fullest form's cue wins ("Kennedy Space Center" over "KSC").
    cues: Vec<(usize, EntityKind)>,
    /// Surface forms in order of first appearance.
    surfaces: Vec<String>,
    mentions: Vec<Span>,
    roles: Vec<String>,
    /// Merged into another group.
    gone: bool,
}

impl Group {
    fn kind(&self) -> EntityKind {
        if let Some(kind) = self.known_kind {
            return kind;
        }
        if self.cues.iter().any(|c| c.1 == EntityKind::Person) {
            return EntityKind::Person;
        }
        let fullest = self
            .cues
            .iter()
            .max_by_key(|c| (c.0, c.1 == EntityKind::Organization));
        fullest.map_or(EntityKind::Misc, |c| c.1)
    }

    /// A place's standing name ("United States" for "U.S."); otherwise the fullest form
    /// the article gives: the most words, then the longest.
    fn name(&self) -> &str {
        if let Some(canonical) = self
            .canonical
            .filter(|_| self.known_kind == Some(EntityKind::Location))
        {
            return canonical;
        }
        // "Lucca, Tuscany" is a form of the town, not its name. Ties go to the form seen
        // first (not to a heap address: the output must not depend on the allocator).
        let plain = self.surfaces.iter().any(|s| !s.contains(", "));
        self.surfaces
            .iter()
            .enumerate()
            .filter(|(_, s)| !plain || !s.contains(", "))
            .max_by_key(|(seen, s)| {
                (
                    s.split_whitespace().count(),
                    s.len(),
                    std::cmp::Reverse(*seen),
                )
            })
            .map_or("", |(_, s)| s.as_str())
    }

    fn absorb(&mut self, other: Group) {
        for s in other.surfaces {
            if !self.surfaces.contains(&s) {
                self.surfaces.push(s);
            }
        }
        self.mentions.extend(other.mentions);
        for r in other.roles {
            if !self.roles.contains(&r) {
                self.roles.push(r);
            }
        }
        // A surname that is also a place ("Paris" of "Valeska Paris") names the person:
        // the place's standing kind does not carry over to a group the text calls a person.
        let person = self.cues.iter().any(|c| c.1 == EntityKind::Person);
        self.cues.extend(other.cues);
        if self.known_kind.is_none() && !person {
            self.known_kind = other.known_kind;
            self.canonical = other.canonical;
        }
    }
}

/// A name without a trailing possessive ("NATO's" -> "NATO").
pub fn strip_possessive(text: &str) -> &str {
    ["'s", "’s"]
        .iter()
        .find_map(|s| text.strip_suffix(s))
        .unwrap_or(text)
}

pub fn gender_of(name: &str) -> Option<Gender> {
    let first = name.split_whitespace().next()?;
    gazetteer::given_name(first)?.gender()
}

/// The one person whose full name has `part` as its last word (or, failing that, its
/// first word), if exactly one does.
pub fn unique_person_with_part(entities: &[Entity], part: &str) -> Option<usize> {
    if part.contains(' ') {
        return None;
    }
    let people = || {
        entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == EntityKind::Person)
    };
    let by = |pick: fn(&str) -> Option<&str>| {
        let mut hits =
            people().filter(|(_, e)| e.name.contains(' ') && pick(&e.name) == Some(part));
        let first = hits.next().map(|(i, _)| i);
        first.filter(|_| hits.next().is_none())
    };
    by(|n| n.split_whitespace().last()).or_else(|| by(|n| n.split_whitespace().next()))
}

/// Letters of `acronym` (dots dropped) equal the initials of `long`'s capitalised words.
fn is_acronym_of(acronym: &str, long: &str) -> bool {
    if !looks_like_acronym(acronym) || !long.contains(' ') {
        return false;
    }
    let mut letters = acronym.chars().filter(|c| *c != '.');
    let mut initials = long
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase());
    loop {
        match (letters.next(), initials.next()) {
            (None, None) => return true,
            (a, b) if a == b => continue,
            _ => return false,
        }
    }
}

/// Two or more capitals, with optional stops ("KCNA", "U.N.").
fn looks_like_acronym(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_uppercase() || c == '.')
        && word.chars().filter(|c| *c != '.').nth(1).is_some()
}

/// Merges the candidates into an entity table.
pub fn build_table(body: &str, candidates: &[Candidate]) -> EntityTable {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut unsupported = Vec::new();
    // Which group each candidate went into, for acronym definitions.
    let mut placed: Vec<Option<usize>> = vec![None; candidates.len()];

    for (ci, c) in candidates.iter().enumerate() {
        if c.needs_support {
            unsupported.push(ci);
            continue;
        }
        let surface = c.text(body).to_string();
        let key = c
            .known
            .map(|k| k.canonical.to_string())
            .unwrap_or_else(|| surface.clone());
        let gi = *by_key.entry(key).or_insert_with(|| {
            groups.push(Group {
                canonical: c.known.map(|k| k.canonical),
                known_kind: c.known.map(|k| k.kind),
                ..Group::default()
            });
            groups.len() - 1
        });
        let group = &mut groups[gi];
        if !group.surfaces.contains(&surface) {
            group.surfaces.push(surface);
        }
        group.mentions.push(c.span);
        let words = c.text(body).split_whitespace().count();
        group.cues.extend(c.cue.map(|k| (words, k)));
        if let Some(role) = &c.role {
            if !group.roles.contains(role) {
                group.roles.push(role.clone());
            }
        }
        placed[ci] = Some(gi);
    }

    let merge = |groups: &mut Vec<Group>, from: usize, into: usize| {
        if from != into && !groups[from].gone && !groups[into].gone {
            let taken = std::mem::take(&mut groups[from]);
            groups[from].gone = true;
            groups[into].absorb(taken);
        }
    };

    // Acronyms the article defines: "Korean Central News Agency (KCNA)", "KPA (Korean People's Army)".
    for pair in candidates.windows(2).enumerate() {
        let (i, [a, b]) = (pair.0, pair.1) else {
            continue;
        };
        let (Some(ga), Some(gb)) = (placed[i], placed[i + 1]) else {
            continue;
        };
        let between = &body[a.span.end..b.span.start];
        if between.trim() != "(" || !body[b.span.end..].starts_with(')') {
            continue;
        }
        if is_acronym_of(b.text(body), a.text(body)) || b.known.is_none() && b.text(body).len() <= 6
        {
            merge(&mut groups, gb, ga);
        } else if is_acronym_of(a.text(body), b.text(body)) {
            merge(&mut groups, ga, gb);
        }
    }
    // "Irving, Texas": a town with its state or country; the pair is a name of the town.
    for (i, pair) in candidates.windows(2).enumerate() {
        let (a, b) = (&pair[0], &pair[1]);
        let (Some(ga), Some(_)) = (placed[i], placed[i + 1]) else {
            continue;
        };
        let qualifier = b
            .known
            .filter(|k| k.kind == EntityKind::Location)
            .map(|k| k.canonical);
        if &body[a.span.end..b.span.start] != ", "
            || !qualifier.is_some_and(gazetteer::is_qualifier)
            || gazetteer::is_qualifier(a.text(body))
            || groups[ga].gone
            || matches!(
                groups[ga].kind(),
                EntityKind::Person | EntityKind::Organization
            )
        {
            continue;
        }
        let pair_name = body[a.span.start..b.span.end].to_string();
        let words = pair_name.split_whitespace().count();
        let group = &mut groups[ga];
        group.cues.push((words, EntityKind::Location));
        if !group.surfaces.contains(&pair_name) {
            group.surfaces.push(pair_name);
        }
    }

    // Acronyms left undefined that spell exactly one multi-word name of the article.
    for gi in 0..groups.len() {
        if groups[gi].gone
            || groups[gi].canonical.is_some()
            || groups[gi].surfaces.len() != 1
            || !looks_like_acronym(&groups[gi].surfaces[0])
        {
            continue;
        }
        let acronym = groups[gi].surfaces[0].clone();
        let targets: Vec<usize> = (0..groups.len())
            .filter(|&t| t != gi && !groups[t].gone && groups[t].kind() != EntityKind::Person)
            .filter(|&t| {
                groups[t]
                    .surfaces
                    .iter()
                    .any(|s| is_acronym_of(&acronym, s))
            })
            .collect();
        if let [target] = targets[..] {
            merge(&mut groups, gi, target);
        }
    }

    // A two- or three-word name whose last word the article also uses alone is a person
    // referred to by surname ("Valeska Paris" ... "Paris said").
    for gi in 0..groups.len() {
        if groups[gi].gone || groups[gi].kind() != EntityKind::Misc {
            continue;
        }
        let name = groups[gi].name().to_string();
        let words: Vec<&str> = name.split_whitespace().collect();
        let lowercase_word = words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_lowercase));
        // "Google Chrome" ... "Chrome": a product of a known company, not a person.
        let known_first = gazetteer::lookup(words.first().copied().unwrap_or("")).is_some();
        if !(2..=3).contains(&words.len()) || lowercase_word || known_first {
            continue;
        }
        let surname = words[words.len() - 1];
        // A country is no surname ("Environment Canada" ... "Canada").
        let country = |g: &Group| g.canonical.is_some_and(gazetteer::is_country);
        let alone = (0..groups.len()).any(|t| {
            t != gi
                && !groups[t].gone
                && groups[t].known_kind != Some(EntityKind::Organization)
                && !country(&groups[t])
                && groups[t].surfaces.iter().any(|s| s == surname)
        });
        if alone {
            groups[gi].cues.push((words.len(), EntityKind::Person));
        }
    }

    // A plain two- or three-word name listed beside a person is a person too ("Robert
    // Mapplethorpe, and Helmut Newton", "Starry Lee and Holden Chow").
    let mut listed_people = Vec::new();
    for (ci, pair) in candidates.windows(2).enumerate() {
        let (Some(ga), Some(gb)) = (placed[ci], placed[ci + 1]) else {
            continue;
        };
        let gap = &body[pair[0].span.end..pair[1].span.start];
        if !matches!(gap, ", " | ", and " | " and " | ", or " | " or ") {
            continue;
        }
        for (this, other, at) in [(ga, gb, pair[0].span), (gb, ga, pair[1].span)] {
            // "Raymond Chan of People Power, and ...": an affiliation, not a list member.
            let before = body[..at.start].trim_end();
            let last_word = before.rsplit(char::is_whitespace).next().unwrap_or("");
            let affiliation = matches!(last_word, "of" | "from" | "at" | "for" | "with");
            if affiliation {
                continue;
            }
            let plain = |g: &Group| {
                let name = g.name();
                let words = name.split_whitespace().count();
                (2..=3).contains(&words)
                    && g.known_kind.is_none()
                    && name
                        .split_whitespace()
                        .all(|w| w.starts_with(|c: char| c.is_uppercase()))
            };
            if groups[this].kind() == EntityKind::Misc
                && plain(&groups[this])
                && groups[other].kind() == EntityKind::Person
            {
                listed_people.push(this);
            }
        }
    }
    for gi in listed_people {
        let words = groups[gi].name().split_whitespace().count();
        groups[gi].cues.push((words, EntityKind::Person));
    }

    // Short forms: a surname or first name into the one person it belongs to; a leading or
    // trailing part of one organisation's name into it ("Nikkei", "Foreign Ministry").
    // Full names of people, computed once: merging a short form never changes them.
    let full_names: Vec<(usize, Vec<String>)> = (0..groups.len())
        .filter(|&t| !groups[t].gone && groups[t].kind() == EntityKind::Person)
        .map(|t| {
            (
                t,
                groups[t]
                    .name()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, w)| w.len() > 1)
        .collect();
    for gi in 0..groups.len() {
        if groups[gi].gone || groups[gi].surfaces.len() != 1 {
            continue;
        }
        let short = groups[gi].surfaces[0].clone();
        let words: Vec<&str> = short.split_whitespace().collect();
        let known_kind = groups[gi].known_kind;
        let target = if words.len() == 1 && known_kind != Some(EntityKind::Organization) {
            let people: Vec<&(usize, Vec<String>)> = full_names
                .iter()
                .filter(|(t, _)| *t != gi && !groups[*t].gone)
                .collect();
            let last: Vec<usize> = people
                .iter()
                .filter(|(_, w)| w.last() == Some(&short))
                .map(|p| p.0)
                .collect();
            let first: Vec<usize> = people
                .iter()
                .filter(|(_, w)| w[0] == short)
                .map(|p| p.0)
                .collect();
            let is_place = known_kind == Some(EntityKind::Location)
                && groups[gi].canonical != Some(short.as_str());
            match (&last[..], &first[..]) {
                _ if is_place => None,
                ([one], _) => Some(*one),
                ([], [one]) if known_kind.is_none() => Some(*one),
                _ => None,
            }
        } else {
            None
        };
        let target = target.or_else(|| {
            if known_kind == Some(EntityKind::Location) || groups[gi].kind() == EntityKind::Person {
                return None;
            }
            let longer: Vec<usize> = (0..groups.len())
                .filter(|&t| {
                    t != gi && !groups[t].gone && groups[t].kind() == EntityKind::Organization
                })
                .filter(|&t| {
                    groups[t].surfaces.iter().any(|s| {
                        let mut long: Vec<&str> = s.split_whitespace().collect();
                        // "Supreme Court" of "Italian Supreme Court of Cassation".
                        if long.len() > words.len() + 1
                            && gazetteer::demonym(long[0]).is_some()
                            && long[1..].starts_with(&words)
                        {
                            long.remove(0);
                        }
                        long.len() > words.len()
                            && (long.starts_with(&words)
                                || words.len() > 1 && long.ends_with(&words)
                                // "Scientology" of "Church of Scientology"
                                || long.len() == words.len() + 2
                                    && long[1] == "of"
                                    && long.ends_with(&words))
                    })
                })
                .collect();
            match longer[..] {
                [one] => Some(one),
                _ => None,
            }
        });
        if let Some(target) = target {
            merge(&mut groups, gi, target);
        }
    }

    // Words of headlines and sentence starts count only as forms of names found elsewhere.
    for ci in unsupported {
        let text = candidates[ci].text(body);
        let known = candidates[ci].known.map(|k| k.canonical);
        let found = (0..groups.len()).filter(|&g| !groups[g].gone).find(|&g| {
            groups[g].surfaces.iter().any(|s| s == text)
                || known.is_some() && groups[g].canonical == known
        });
        let found = found.or_else(|| {
            let people: Vec<usize> = (0..groups.len())
                .filter(|&g| !groups[g].gone && groups[g].kind() == EntityKind::Person)
                .filter(|&g| {
                    groups[g].name().split_whitespace().last() == Some(text)
                        && groups[g].name().contains(' ')
                })
                .collect();
            match people[..] {
                [one] => Some(one),
                _ => None,
            }
        });
        if let Some(g) = found {
            groups[g].mentions.push(candidates[ci].span);
            if !groups[g].surfaces.iter().any(|s| s == text) {
                groups[g].surfaces.push(text.to_string());
            }
        }
    }

    let mut live: Vec<Group> = groups
        .into_iter()
        .filter(|g| !g.gone && !g.mentions.is_empty())
        .collect();
    for g in &mut live {
        g.mentions.sort();
        g.mentions.dedup();
    }
    live.sort_by_key(|g| g.mentions[0].start);

    let mut table = EntityTable::default();
    for (id, g) in live.into_iter().enumerate() {
        let name = g.name().to_string();
        let kind = g.kind();
        // The gazetteer's standing name joins the aliases, so that the same organisation
        // gets the same names in every article ("NATO" and "North Atlantic Treaty Organization").
        let mut aliases: Vec<String> = g.surfaces.iter().filter(|s| **s != name).cloned().collect();
        if let Some(canonical) = g
            .canonical
            .filter(|c| *c != name && !aliases.iter().any(|a| a == c))
        {
            aliases.push(canonical.to_string());
        }
        // "Greek Ministry of Culture" is also the "Ministry of Culture" of that country; a
        // name without "of" keeps its adjective ("Korean Central News Agency").
        if kind == EntityKind::Organization {
            let national = name
                .split_once(' ')
                .filter(|(first, rest)| {
                    gazetteer::demonym(first).is_some() && rest.contains(" of ")
                })
                .map(|(_, rest)| rest.to_string());
            if let Some(rest) = national.filter(|r| !aliases.contains(r)) {
                aliases.push(rest);
            }
        }
        let gender = (kind == EntityKind::Person)
            .then(|| gender_of(&name))
            .flatten();
        table
            .mentions
            .extend(g.mentions.iter().map(|&span| Mention { span, entity: id }));
        table.entities.push(Entity {
            name,
            kind,
            aliases,
            roles: g.roles,
            mentions: g.mentions,
            gender,
        });
    }
    table.mentions.sort_by_key(|m| m.span.start);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_match_initials() {
        assert!(is_acronym_of("KCNA", "Korean Central News Agency"));
        assert!(is_acronym_of("KPA", "Korean People's Army"));
        assert!(is_acronym_of("USI", "University of Southern Indiana"));
        assert!(!is_acronym_of("NATO", "Japan"));
        assert!(!is_acronym_of("Us", "United States"));
    }

    #[test]
    fn possessives_are_stripped() {
        assert_eq!(strip_possessive("NATO's"), "NATO");
        assert_eq!(strip_possessive("China’s"), "China");
        assert_eq!(strip_possessive("Paris"), "Paris");
    }
}
