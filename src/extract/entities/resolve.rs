//! Merging mentions into entities within one article: gazetteer aliases, acronyms,
//! surnames and short forms; then each entity's name, type, aliases, roles and gender.

use super::mentions::Candidate;
use super::{EntityTable, Mention};
use crate::extract::gazetteer;
use crate::extract::gazetteer::FastMap;
use crate::extract::{Entity, EntityKind, Gender, Span};
use std::cell::Cell;

/// Mentions being merged into one entity; its forms are slices of the body.
#[derive(Debug, Default)]
struct Group<'b> {
    canonical: Option<&'static str>,
    known_kind: Option<EntityKind>,
    /// Types the text gives the mentions.
    cues: Cues,
    /// Surface forms in order of first appearance.
    surfaces: Vec<&'b str>,
    mentions: Vec<Span>,
    roles: Vec<String>,
    /// Merged into another group.
    gone: bool,
    /// [`Group::name`] once computed; cleared whenever a form or the standing name changes.
    name: Cell<Option<&'b str>>,
}

/// The types the text gives a group's mentions, each with the number of words of the form
/// that gave it, kept as what a kind needs: whether any says person, and the fullest
/// form's (most words, then organisation, then the later one), so that "Kennedy Space
/// Center" wins over "KSC" and a group's kind costs the same however many mentions it has.
#[derive(Debug, Default, Clone, Copy)]
struct Cues {
    person: bool,
    fullest: Option<(usize, EntityKind)>,
}

impl Cues {
    fn push(&mut self, cue: (usize, EntityKind)) {
        self.person |= cue.1 == EntityKind::Person;
        self.take_if_fuller(cue);
    }

    /// Appends `other`'s cues after this group's.
    fn extend(&mut self, other: Cues) {
        self.person |= other.person;
        if let Some(cue) = other.fullest {
            self.take_if_fuller(cue);
        }
    }

    fn take_if_fuller(&mut self, cue: (usize, EntityKind)) {
        let rank = |(words, kind): (usize, EntityKind)| (words, kind == EntityKind::Organization);
        if self
            .fullest
            .is_none_or(|fullest| rank(cue) >= rank(fullest))
        {
            self.fullest = Some(cue);
        }
    }
}

impl<'b> Group<'b> {
    fn kind(&self) -> EntityKind {
        if let Some(kind) = self.known_kind {
            return kind;
        }
        if self.cues.person {
            return EntityKind::Person;
        }
        self.cues.fullest.map_or(EntityKind::Misc, |c| c.1)
    }

    /// A place's standing name ("United States" for "U.S."); otherwise the fullest form
    /// the article gives: the most words, then the longest.
    fn name(&self) -> &'b str {
        if let Some(name) = self.name.get() {
            return name;
        }
        let name = self.fullest_name();
        self.name.set(Some(name));
        name
    }

    /// [`Group::name`], computed afresh.
    fn fullest_name(&self) -> &'b str {
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
            .map_or("", |(_, s)| *s)
    }

    /// Adds a form not seen before.
    fn add_surface(&mut self, surface: &'b str) {
        if !self.surfaces.contains(&surface) {
            self.surfaces.push(surface);
            self.name.set(None);
        }
    }

    fn absorb(&mut self, other: Group<'b>) {
        self.name.set(None);
        for s in other.surfaces {
            self.add_surface(s);
        }
        self.mentions.extend(other.mentions);
        for r in other.roles {
            if !self.roles.contains(&r) {
                self.roles.push(r);
            }
        }
        // A surname that is also a place ("Paris" of "Valeska Paris") names the person:
        // the place's standing kind does not carry over to a group the text calls a person.
        let person = self.cues.person;
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
    looks_like_acronym(acronym)
        && initials(long).is_some_and(|initials| initials == acronym_letters(acronym))
}

/// The capital initials of a name of several words ("Korean Central News Agency" ->
/// "KCNA"); none for a single word.
fn initials(long: &str) -> Option<String> {
    long.contains(' ').then(|| {
        long.split(|c: char| c.is_whitespace() || c == '-')
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_uppercase())
            .collect()
    })
}

fn acronym_letters(acronym: &str) -> String {
    acronym.chars().filter(|c| *c != '.').collect()
}

/// Below this many groups (or people) a scan costs less than building an index.
const INDEX_FROM: usize = 200;

/// Group indices listed under words or forms, each list ascending and without repeats:
/// with thousands of names the merging rules look up the few groups a form can match
/// instead of scanning them all, which keeps build_table linear. Over fewer than
/// [`INDEX_FROM`] items every lookup gives them all. Callers still test each group they
/// get, so a lookup only has to include every match.
struct GroupIndex {
    by_key: FastMap<String, Vec<usize>>,
    all: Option<Vec<usize>>,
}

impl GroupIndex {
    /// An index over the items `0..len`.
    fn new(len: usize) -> Self {
        GroupIndex {
            by_key: FastMap::default(),
            all: (len < INDEX_FROM).then(|| (0..len).collect()),
        }
    }

    fn is_scan(&self) -> bool {
        self.all.is_some()
    }

    fn add(&mut self, key: &str, item: usize) {
        if self.is_scan() {
            return;
        }
        if let Some(list) = self.by_key.get_mut(key) {
            if let Err(at) = list.binary_search(&item) {
                list.insert(at, item);
            }
        } else {
            self.by_key.insert(key.to_string(), vec![item]);
        }
    }

    fn remove(&mut self, key: &str, item: usize) {
        if let Some(list) = self.by_key.get_mut(key) {
            list.retain(|&i| i != item);
        }
    }

    fn get(&self, key: &str) -> &[usize] {
        match &self.all {
            Some(all) => all,
            None => self.by_key.get(key).map_or(&[], Vec::as_slice),
        }
    }
}

/// Indexes each live group under `keys` of each of its forms.
fn index_surfaces<'b, K>(groups: &[Group<'b>], keys: impl Fn(&'b str) -> K) -> GroupIndex
where
    K: IntoIterator<Item = String>,
{
    let mut index = GroupIndex::new(groups.len());
    if index.is_scan() {
        return index;
    }
    for (gi, group) in groups.iter().enumerate().filter(|(_, g)| !g.gone) {
        for surface in &group.surfaces {
            for key in keys(surface) {
                index.add(&key, gi);
            }
        }
    }
    index
}

/// The words of a form that a shorter form of an organisation can start or end with: its
/// first, its second after a demonym ("Italian Supreme Court"), its last.
fn edge_words(surface: &str) -> Vec<String> {
    let words: Vec<&str> = surface.split_whitespace().collect();
    let mut keys: Vec<String> = words.first().into_iter().map(|w| w.to_string()).collect();
    if words.len() > 2 && gazetteer::demonym(words[0]).is_some() {
        keys.push(words[1].to_string());
    }
    keys.extend(words.last().map(|w| w.to_string()));
    keys
}

/// The only item of `items`, if it has exactly one.
fn only_one<T>(mut items: impl Iterator<Item = T>) -> Option<T> {
    let one = items.next();
    one.filter(|_| items.next().is_none())
}

/// Whether the words of `short` are the leading or trailing words of the longer form
/// `long` of an organisation. `scratch` holds `long`'s words (kept to spare allocations).
fn is_short_form_of<'b>(short: &[&str], long: &'b str, scratch: &mut Vec<&'b str>) -> bool {
    // Most pairs share no edge word: that is decided without splitting `long` into words.
    if !may_be_short_form_of(short, long) {
        return false;
    }
    scratch.clear();
    scratch.extend(long.split_whitespace());
    let mut long: &[&str] = scratch;
    // "Supreme Court" of "Italian Supreme Court of Cassation".
    if long.len() > short.len() + 1
        && gazetteer::demonym(long[0]).is_some()
        && long[1..].starts_with(short)
    {
        long = &long[1..];
    }
    long.len() > short.len()
        && (long.starts_with(short)
            || short.len() > 1 && long.ends_with(short)
            // "Scientology" of "Church of Scientology"
            || long.len() == short.len() + 2 && long[1] == "of" && long.ends_with(short))
}

/// What [`is_short_form_of`] needs first: `long` ends with the last word of `short`, or
/// its first or second word is the first of `short`.
fn may_be_short_form_of(short: &[&str], long: &str) -> bool {
    let (Some(first), Some(last)) = (short.first(), short.last()) else {
        return true;
    };
    let mut words = long.split_whitespace();
    words.next_back() == Some(last) || {
        let mut words = long.split_whitespace();
        words.next() == Some(first) || words.next() == Some(first)
    }
}

/// The last word of a person's full name, the key a lone surname is looked up by.
fn full_name_surname<'b>(group: &Group<'b>) -> Option<&'b str> {
    if group.kind() != EntityKind::Person {
        return None;
    }
    let name = group.name();
    name.contains(' ')
        .then(|| name.split_whitespace().last().unwrap_or_default())
}

/// Two or more capitals, with optional stops ("KCNA", "U.N.").
fn looks_like_acronym(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_uppercase() || c == '.')
        && word.chars().filter(|c| *c != '.').nth(1).is_some()
}

/// Merges the candidates into an entity table.
pub fn build_table<'b>(body: &'b str, candidates: &[Candidate]) -> EntityTable {
    let mut groups: Vec<Group<'b>> = Vec::new();
    let mut by_key: FastMap<&'b str, usize> = FastMap::default();
    let mut unsupported = Vec::new();
    // Which group each candidate went into, for acronym definitions.
    let mut placed: Vec<Option<usize>> = vec![None; candidates.len()];

    for (ci, c) in candidates.iter().enumerate() {
        if c.needs_support {
            unsupported.push(ci);
            continue;
        }
        let surface = c.text(body);
        let key = c.known.map_or(surface, |k| k.canonical);
        let gi = *by_key.entry(key).or_insert_with(|| {
            groups.push(Group {
                canonical: c.known.map(|k| k.canonical),
                known_kind: c.known.map(|k| k.kind),
                ..Group::default()
            });
            groups.len() - 1
        });
        let group = &mut groups[gi];
        group.add_surface(surface);
        group.mentions.push(c.span);
        if let Some(kind) = c.cue {
            let words = surface.split_whitespace().count();
            group.cues.push((words, kind));
        }
        if let Some(role) = &c.role {
            if !group.roles.contains(role) {
                group.roles.push(role.clone());
            }
        }
        placed[ci] = Some(gi);
    }

    let merge = |groups: &mut Vec<Group<'b>>, from: usize, into: usize| {
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
        let pair_name = &body[a.span.start..b.span.end];
        let words = pair_name.split_whitespace().count();
        let group = &mut groups[ga];
        group.cues.push((words, EntityKind::Location));
        group.add_surface(pair_name);
    }

    // Acronyms left undefined that spell exactly one multi-word name of the article.
    // Merging an acronym adds no form of several words, so the index stays whole.
    let by_initials = index_surfaces(&groups, initials);
    for gi in 0..groups.len() {
        if groups[gi].gone
            || groups[gi].canonical.is_some()
            || groups[gi].surfaces.len() != 1
            || !looks_like_acronym(groups[gi].surfaces[0])
        {
            continue;
        }
        let acronym = groups[gi].surfaces[0];
        let targets: Vec<usize> = by_initials
            .get(&acronym_letters(acronym))
            .iter()
            .copied()
            .filter(|&t| t != gi && !groups[t].gone && groups[t].kind() != EntityKind::Person)
            .filter(|&t| groups[t].surfaces.iter().any(|s| is_acronym_of(acronym, s)))
            .collect();
        if let [target] = targets[..] {
            merge(&mut groups, gi, target);
        }
    }

    // A two- or three-word name whose last word the article also uses alone is a person
    // referred to by surname ("Valeska Paris" ... "Paris said"). Only cues change here.
    let by_surface = index_surfaces(&groups, |s| [s.to_string()]);
    let mut words: Vec<&str> = Vec::new();
    for gi in 0..groups.len() {
        if groups[gi].gone || groups[gi].kind() != EntityKind::Misc {
            continue;
        }
        let name = groups[gi].name();
        words.clear();
        words.extend(name.split_whitespace());
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
        let alone = by_surface.get(surname).iter().any(|&t| {
            t != gi
                && !groups[t].gone
                && groups[t].known_kind != Some(EntityKind::Organization)
                && !country(&groups[t])
                && groups[t].surfaces.contains(&surname)
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
    let full_names: Vec<(usize, Vec<&str>)> = (0..groups.len())
        .filter(|&t| !groups[t].gone && groups[t].kind() == EntityKind::Person)
        .map(|t| (t, groups[t].name().split_whitespace().collect::<Vec<_>>()))
        .filter(|(_, w)| w.len() > 1)
        .collect();
    let mut people_by_last = GroupIndex::new(full_names.len());
    let mut people_by_first = GroupIndex::new(full_names.len());
    for (at, (_, words)) in full_names.iter().enumerate() {
        people_by_last.add(words[words.len() - 1], at);
        people_by_first.add(words[0], at);
    }
    // Forms of organisations by their edge words; a merged short form joins its target's.
    let mut by_edge_word = index_surfaces(&groups, edge_words);
    let mut scratch = Vec::new();
    let every_group: Vec<usize> = (0..groups.len()).collect();
    for gi in 0..groups.len() {
        if groups[gi].gone || groups[gi].surfaces.len() != 1 {
            continue;
        }
        let short = groups[gi].surfaces[0];
        words.clear();
        words.extend(short.split_whitespace());
        let known_kind = groups[gi].known_kind;
        let target = if words.len() == 1 && known_kind != Some(EntityKind::Organization) {
            let people =
                |index: &GroupIndex, pick: for<'w> fn(&'w [&'b str]) -> Option<&'w &'b str>| {
                    let matches = index
                        .get(short)
                        .iter()
                        .map(|&at| &full_names[at])
                        .filter(|(t, w)| *t != gi && !groups[*t].gone && pick(w) == Some(&short))
                        .map(|p| p.0);
                    // The first two are enough to tell one person from several.
                    let mut matches = matches;
                    (matches.next(), matches.next())
                };
            let is_place =
                known_kind == Some(EntityKind::Location) && groups[gi].canonical != Some(short);
            match people(&people_by_last, <[&str]>::last) {
                _ if is_place => None,
                (Some(one), None) => Some(one),
                (None, _) if known_kind.is_none() => {
                    match people(&people_by_first, <[&str]>::first) {
                        (Some(one), None) => Some(one),
                        _ => None,
                    }
                }
                _ => None,
            }
        } else {
            None
        };
        let target = target.or_else(|| {
            if known_kind == Some(EntityKind::Location) || groups[gi].kind() == EntityKind::Person {
                return None;
            }
            let indexed;
            let near: &[usize] = if words.is_empty() || by_edge_word.is_scan() {
                &every_group
            } else {
                let mut near: Vec<usize> = by_edge_word.get(words[0]).to_vec();
                near.extend_from_slice(by_edge_word.get(words[words.len() - 1]));
                near.sort_unstable();
                near.dedup();
                indexed = near;
                &indexed
            };
            let longer = near.iter().copied().filter(|&t| {
                t != gi
                    && !groups[t].gone
                    && groups[t].kind() == EntityKind::Organization
                    && groups[t]
                        .surfaces
                        .iter()
                        .any(|long| is_short_form_of(&words, long, &mut scratch))
            });
            only_one(longer)
        });
        if let Some(target) = target {
            merge(&mut groups, gi, target);
            for word in edge_words(short) {
                by_edge_word.add(&word, target);
            }
        }
    }

    // Words of headlines and sentence starts count only as forms of names found elsewhere.
    // No group is merged from here on; a form added to a group joins the indices.
    let mut by_surface = index_surfaces(&groups, |s| [s.to_string()]);
    let mut by_canonical = GroupIndex::new(groups.len());
    let mut by_surname = GroupIndex::new(groups.len());
    for (gi, group) in groups.iter().enumerate().filter(|(_, g)| !g.gone) {
        if let Some(canonical) = group.canonical {
            by_canonical.add(canonical, gi);
        }
        if let Some(surname) = full_name_surname(group) {
            by_surname.add(surname, gi);
        }
    }
    for ci in unsupported {
        let text = candidates[ci].text(body);
        let known = candidates[ci].known.map(|k| k.canonical);
        // The first group with this form or this standing name.
        let live = |g: &usize| !groups[*g].gone;
        let same_form = by_surface
            .get(text)
            .iter()
            .copied()
            .filter(live)
            .find(|&g| groups[g].surfaces.contains(&text));
        let same_known = known.and_then(|k| {
            by_canonical
                .get(k)
                .iter()
                .copied()
                .filter(live)
                .find(|&g| groups[g].canonical == Some(k))
        });
        let found = same_form.into_iter().chain(same_known).min();
        let found = found.or_else(|| {
            let mut people = by_surname
                .get(text)
                .iter()
                .copied()
                .filter(live)
                .filter(|&g| full_name_surname(&groups[g]) == Some(text));
            let one = people.next();
            one.filter(|_| people.next().is_none())
        });
        if let Some(g) = found {
            groups[g].mentions.push(candidates[ci].span);
            if !groups[g].surfaces.contains(&text) {
                let surname_before = full_name_surname(&groups[g]);
                groups[g].add_surface(text);
                by_surface.add(text, g);
                let surname_after = full_name_surname(&groups[g]);
                if surname_after != surname_before {
                    if let Some(old) = surname_before {
                        by_surname.remove(old, g);
                    }
                    if let Some(new) = surname_after {
                        by_surname.add(new, g);
                    }
                }
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
        let mut aliases: Vec<String> = g
            .surfaces
            .iter()
            .filter(|s| **s != name)
            .map(|s| s.to_string())
            .collect();
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

    /// `count` short paragraphs, each with a new person named in full and then by surname
    /// alone at a sentence start.
    fn people_article(count: usize) -> (String, Vec<String>) {
        const GIVEN: &[&str] = &["Anna", "Boris", "Carla", "Daniel", "Elena", "Farid"];
        const HEADS: &[&str] = &["Ka", "Lo", "Mi", "Da", "Ve", "Ru", "So", "Ta"];
        const TAILS: &[&str] = &["vin", "sky", "dez", "lund", "berg", "ford", "ton", "wick"];
        let mut body = String::new();
        let mut people = Vec::new();
        for i in 0..count {
            let surname = format!(
                "{}ra{}{}",
                HEADS[i % 8],
                TAILS[(i / 8) % 8],
                "o".repeat(i / 64)
            );
            let full = format!("{} {surname}", GIVEN[i % GIVEN.len()]);
            body.push_str(&format!(
                "“We will look again,” said {full}, a spokesperson for the Harbour Authority. {surname} added that talks continue.\n\n"
            ));
            people.push(full);
        }
        (body, people)
    }

    #[test]
    fn a_surname_at_a_sentence_start_joins_its_person_among_few_or_many() {
        // Fewer and more groups than INDEX_FROM: the scan and the indices agree.
        for count in [12, 3 * INDEX_FROM] {
            let (body, people) = people_article(count);
            let table = build_table(&body, &super::super::mentions::find_candidates(&body));
            for full in &people {
                let entity = table.entities.iter().find(|e| &e.name == full).unwrap();
                assert_eq!(entity.kind, EntityKind::Person, "{full}");
                assert_eq!(entity.mentions.len(), 2, "{full} among {count}");
            }
            let authority = table
                .entities
                .iter()
                .find(|e| e.name == "Harbour Authority")
                .unwrap();
            assert_eq!(authority.mentions.len(), count);
        }
    }

    #[test]
    fn possessives_are_stripped() {
        assert_eq!(strip_possessive("NATO's"), "NATO");
        assert_eq!(strip_possessive("China’s"), "China");
        assert_eq!(strip_possessive("Paris"), "Paris");
    }
}
