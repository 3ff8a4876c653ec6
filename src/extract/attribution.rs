//! Stage 5: who said each direct and partial quote, and with which cue verb.
//!
//! Each quote's sentence (at most a few hundred bytes either side) is read as
//! tokens, with every quotation collapsed into one token. The speaker is found, in order:
//!
//! 1. a reporting clause after the quote: `“…,” she said`, `“…,” said Smith`,
//!    `“…,” Mao Ning, spokesperson for the ministry, said`;
//! 2. a reporting verb before it: `X said: “…”`, `X said that … “…”`, `X told Reuters, “…”`,
//!    `X was cited as saying “…”`, `Cornyn's statement added, “…”`, a participle or a
//!    coordinated verb (`Beijing slammed the Quad, saying …`, `… and said it was “…”`)
//!    taking the subject of its clause; `according to X` / `in the words of X`;
//! 3. a colon after a clause with no reporting verb (`Sunak defended the record: “…”`),
//!    or reported speech in the sentence just before (`Putin also added that … . “…”`,
//!    `Cornyn issued a statement … . “…”`);
//! 4. otherwise the previous speaker's turn goes on: the second half of a split quote,
//!    the next paragraph of a multi-paragraph quote, or a quote-only paragraph right
//!    after that speaker's quote.
//!
//! Names lose their roles (`U.S. Ambassador to NATO Julianne Smith` → `Julianne Smith`,
//! `Lucy Grant of Capital Economics` → `Lucy Grant`) and map to entities through the
//! [`EntityTable`]. A pronoun goes to a speaker named in its sentence or the one before,
//! else the first person named there, else the last fitting speaker (gender and
//! person-or-organisation); a surname to the speaker it shortens; `the bloc` to the
//! organisation its sentence or the one before names. When nothing fits, the speaker is
//! `None`, never a guess.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use super::cues::{self, Lexicon, Token, TokenCache, TokenKind, Tokenised};
use super::entities::{EntityTable, Mention};
use super::gazetteer;
use super::quotes;
use super::{EntityId, EntityKind, Gender, Quote, QuoteKind, Span, Speaker};

/// Lowercase words that can stand between a subject and its reporting verb
/// (`Putin also added`, `Hayashi was cited as saying`). Hand-written.
#[rustfmt::skip]
const BETWEEN_SUBJECT_AND_VERB: &[&str] = &[
    "also", "previously", "hitherto", "later", "then", "again", "once", "recently", "reportedly",
    "further", "earlier", "too", "has", "had", "have", "was", "were", "is", "are", "been", "be",
    "being", "will", "would", "could", "can", "may", "might", "should", "must", "did", "does",
    "do", "not", "never", "cited", "quoted", "as", "had", "just", "still", "even", "first",
    "often", "now", "today", "yesterday", "tonight", "once", "both", "all", "himself", "herself",
    "itself", "themselves", "however", "meanwhile", "since", "subsequently",
];

/// Role and title words that precede (or follow) a name but are not part of it.
/// Matched case-insensitively. Hand-written.
#[rustfmt::skip]
const ROLE_WORDS: &[&str] = &[
    "president", "vice", "prime", "minister", "ministers", "ambassador", "secretary",
    "spokesperson", "spokesman", "spokeswoman", "spokespeople", "director", "chairman",
    "chairwoman", "chair", "ceo", "cfo", "coo", "chief", "senator", "sen.", "governor", "gov.",
    "mayor", "general", "gen.", "coach", "professor", "prof.", "dr.", "dr", "mr.", "mr", "mrs.",
    "mrs", "ms.", "ms", "mx.", "king", "queen", "prince", "princess", "pope", "judge", "justice",
    "commissioner", "officer", "leader", "undersecretary", "under-secretary", "deputy", "head",
    "manager", "editor", "editor-at-large", "founder", "co-founder", "member", "representative",
    "rep.", "congressman", "congresswoman", "lawmaker", "legislator", "mp", "chancellor",
    "premier", "emperor", "sheikh", "lord", "lady", "sir", "dame", "colonel", "col.", "lieutenant",
    "lt.", "captain", "capt.", "sergeant", "sgt.", "major", "admiral", "commander", "marshal",
    "inspector", "detective", "superintendent", "sheriff", "attorney", "prosecutor", "lawyer",
    "counsel", "analyst", "expert", "researcher", "scientist", "economist", "diplomat", "envoy",
    "official", "officials", "adviser", "advisor", "aide", "consul", "attaché", "delegate",
    "executive", "vp", "chairperson", "councillor", "councilor", "councilman", "councilwoman",
    "trustee", "dean", "rector", "provost", "curator", "author", "writer", "reporter", "columnist",
    "correspondent", "anchor", "host", "player", "striker", "goalkeeper", "captain", "midfielder",
    "defender", "manager", "owner", "partner", "presidential", "candidate", "nominee", "activist",
    "campaigner", "organizer", "organiser", "volunteer", "student", "teacher", "doctor", "nurse",
    "witness", "resident", "survivor", "father", "mother", "rev.", "reverend", "bishop",
    "archbishop", "cardinal", "imam", "rabbi", "pastor", "father", "coordinator", "administrator",
    "supervisor", "principal", "superintendent", "undersecretary-general", "secretary-general",
    "director-general", "assistant", "associate", "senior", "junior", "former", "late", "acting",
    "interim", "foreign", "defense", "defence",
];

/// Prepositions that join a role to its complement (`Ambassador to NATO`).
#[rustfmt::skip]
const ROLE_CONNECTORS: &[&str] = &[
    "to", "of", "for", "at", "in",
];

/// Lowercase particles inside names (`Charles de Gaulle`, `Osama bin Laden`).
#[rustfmt::skip]
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "di", "del", "della", "der", "den", "van", "von", "bin", "ibn", "al", "el", "la",
    "le", "du", "dos", "das", "y",
];

/// Capitalised words that open sentences or clauses and are never a speaker's name.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "The", "A", "An", "In", "On", "At", "But", "And", "Or", "So", "Yet", "If", "When", "While",
    "After", "Before", "Since", "As", "For", "From", "With", "By", "This", "That", "These",
    "Those", "There", "Then", "However", "Meanwhile", "According", "Speaking", "Asked", "Writing",
    "Also", "Still", "Last", "Next", "Earlier", "Later", "Today", "Yesterday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October", "November", "December", "Mr",
    "Mrs", "Ms", "Dr",
    "Officials", "Critics", "Experts", "Analysts", "Residents", "Police", "Witnesses", "Authorities",
    "Researchers", "Scientists", "Sources", "Reports", "Others", "Some", "Many", "Several", "Both",
    "Most", "People", "Protesters", "Students", "Doctors", "Lawyers", "Investigators", "Prosecutors",
    "Organizers", "Organisers", "Supporters", "Opponents", "Leaders", "Members", "Officers", "Voters",
    "Fans", "Parents", "Scholars", "Observers", "Diplomats", "Activists", "Workers", "Users",
];

/// Things that speak for their owner (`Cornyn's statement added`). Hand-written.
#[rustfmt::skip]
const STATEMENT_NOUNS: &[&str] = &[
    "statement", "letter", "report", "post", "blog", "tweet", "website", "spokesman",
    "spokeswoman", "spokesperson", "office", "lawyer", "attorney", "announcement", "release",
    "analysis", "study", "survey", "review", "research", "editorial", "article", "paper",
    "findings", "website", "account", "newsletter", "press",
];

/// Heads of nouns for organisations and places speaking as a body (`the bloc said`).
#[rustfmt::skip]
const BODY_NOUNS: &[&str] = &[
    "bloc", "alliance", "ministry", "agency", "government", "administration", "company", "firm",
    "group", "organization", "organisation", "party", "council", "committee", "commission",
    "department", "office", "city", "country", "state", "board", "union", "court", "embassy",
    "newspaper", "paper", "network", "channel", "broadcaster", "outlet", "university", "club",
    "team", "association", "federation", "institute", "league", "regime", "kremlin", "army",
    "military", "police", "force",
];

/// Body nouns that stand for a place speaking through its government (`the city said`).
const PLACE_NOUNS: &[&str] = &[
    "city", "country", "state", "town", "region", "province", "capital", "nation",
];

/// Words that mark a name as an organisation's (`Korean Central News Agency`).
#[rustfmt::skip]
const ORGANIZATION_HEADS: &[&str] = &[
    "Agency", "Ministry", "Council", "Party", "Department", "Office", "Committee", "Commission",
    "Association", "Union", "University", "Institute", "Bank", "Company", "Corporation", "Inc.",
    "Group", "News", "Times", "Post", "Herald", "Journal", "TV", "Radio", "Network", "Service",
    "Organization", "Organisation", "Foundation", "Federation", "League", "Court", "Government",
    "Administration", "Board", "Authority", "Army", "Police", "Forces", "Fund", "Society", "Club",
    "Center", "Centre", "Museum", "Parliament", "Senate", "Congress", "Assembly", "Embassy",
    "World", "Press", "Daily", "Tribune", "Guardian", "Telegraph", "Reuters", "Corp.", "Corporation", "Ltd.", "Ltd", "LLC", "Co.", "PLC", "Plc", "AG", "GmbH", "Holdings", "Airlines", "Motors",
];

static NOT_NAME: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(NOT_NAMES));
static BODY_NOUN: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(BODY_NOUNS));
static ORGANIZATION_HEAD: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(ORGANIZATION_HEADS));
static AUXILIARY: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(BETWEEN_SUBJECT_AND_VERB));
static STATEMENT_NOUN: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(STATEMENT_NOUNS));
static ROLE: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::new(ROLE_WORDS));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pronoun {
    He,
    She,
    It,
    They,
}

/// The words naming who spoke, as found in the sentence.
#[derive(Debug, Clone, Copy)]
enum Who {
    Name(Span),
    Pronoun(Span, Pronoun),
    /// A noun phrase for a body (`the bloc`): the span of the phrase.
    Body(Span),
}

/// A reporting clause: the cue and who spoke.
#[derive(Debug, Clone, Copy)]
struct Found {
    cue: Span,
    who: Who,
}

/// A speaker resolved to an entity.
#[derive(Debug, Clone, Copy)]
struct Resolved {
    entity: EntityId,
    mention: Span,
}

/// How far (in bytes) before the previous sentence `the city` may look for its place.
const BODY_EXTRA_REACH: usize = 400;

/// How many speakers [`Memory`] keeps, latest first; bounds the work per quote.
const RECENT_SPEAKERS: usize = 64;

/// How many earlier mentions a pronoun or surname looks back over; bounds the work per
/// quote so that time stays linear in the article's length.
const MENTION_LOOKBACK: usize = 400;

/// Who has spoken or reported so far, for pronouns and surnames.
#[derive(Default)]
struct Memory {
    /// Speakers and subjects of reporting verbs, latest last.
    recent: Vec<Resolved>,
    /// Gender learnt from a pronoun bound to an entity.
    gender: FxHashMap<EntityId, Gender>,
    /// The kind guessed from the name's shape when the table only says `misc`.
    kind: FxHashMap<EntityId, EntityKind>,
}

impl Memory {
    fn kind_of(&self, table: &EntityTable, id: EntityId) -> EntityKind {
        match table.entities[id].kind {
            EntityKind::Misc => self
                .kind
                .get(&id)
                .copied()
                .unwrap_or_else(|| kind_from_shape(&table.entities[id].name)),
            kind => kind,
        }
    }

    fn gender_of(&self, table: &EntityTable, id: EntityId) -> Option<Gender> {
        table.entities[id]
            .gender
            .or_else(|| self.gender.get(&id).copied())
    }

    fn remember(&mut self, resolved: Resolved) {
        self.recent.retain(|r| r.entity != resolved.entity);
        if self.recent.len() == RECENT_SPEAKERS {
            self.recent.remove(0);
        }
        self.recent.push(resolved);
    }

    /// Whether the entity can be what `pronoun` refers to.
    fn fits(&self, table: &EntityTable, id: EntityId, pronoun: Pronoun) -> bool {
        let kind = self.kind_of(table, id);
        let gender = self.gender_of(table, id);
        let body = matches!(kind, EntityKind::Organization | EntityKind::Location);
        match pronoun {
            Pronoun::He => !body && gender != Some(Gender::Female),
            Pronoun::She => !body && gender != Some(Gender::Male),
            Pronoun::It | Pronoun::They => body || (kind == EntityKind::Misc && gender.is_none()),
        }
    }

    /// The latest speaker named since byte `since` that `pronoun` fits.
    fn speaker_since(
        &self,
        table: &EntityTable,
        pronoun: Pronoun,
        at: usize,
        since: usize,
    ) -> Option<EntityId> {
        self.recent
            .iter()
            .rev()
            .filter(|r| r.mention.start <= at && r.mention.start >= since)
            .map(|r| r.entity)
            .find(|&id| self.fits(table, id, pronoun))
    }

    /// Whether the entity looks like a person: typed so, or a multi-word personal name.
    fn is_personal(&self, table: &EntityTable, id: EntityId) -> bool {
        match self.kind_of(table, id) {
            EntityKind::Person => true,
            EntityKind::Misc => kind_from_shape(&table.entities[id].name) == EntityKind::Person,
            _ => false,
        }
    }

    /// What a pronoun at byte `at` refers to, `recently` being the span of the previous
    /// sentence and this one up to the pronoun. In order: a speaker named there; the
    /// first person named there outside quotes (`For Kevin Allton, …, Warhol was a
    /// legend. He said`); the latest fitting speaker; the latest person named earlier.
    fn antecedent(
        &self,
        table: &EntityTable,
        pronoun: Pronoun,
        at: usize,
        recently: Span,
        marks: &[(Span, usize)],
    ) -> Option<EntityId> {
        let fits = |id: EntityId| self.fits(table, id, pronoun);
        let speakers = || self.recent.iter().rev().filter(|r| r.mention.start <= at);
        let personal = matches!(pronoun, Pronoun::He | Pronoun::She);
        if let Some(r) = speakers().find(|r| r.mention.start >= recently.start && fits(r.entity)) {
            return Some(r.entity);
        }
        let earlier = &table.mentions[..table.mentions.partition_point(|m| m.span.start < at)];
        if personal {
            let first_in_context = earlier
                [earlier.partition_point(|m| m.span.start < recently.start)..]
                .iter()
                .filter(|m| !inside_quote(marks, m.span))
                .map(|m| m.entity)
                .find(|&id| self.is_personal(table, id) && fits(id));
            if first_in_context.is_some() {
                return first_in_context;
            }
        }
        if let Some(r) = speakers().find(|r| fits(r.entity)) {
            return Some(r.entity);
        }
        if !personal {
            return None;
        }
        earlier
            .iter()
            .rev()
            .take(MENTION_LOOKBACK)
            .map(|m| m.entity)
            .find(|&id| table.entities[id].kind == EntityKind::Person && fits(id))
    }

    /// The person, among earlier speakers and then names before byte `at`, whose name
    /// `surname` shortens. Family names come last in most names and first in Chinese,
    /// Korean and Hungarian ones (`Mao` for `Mao Ning`).
    fn full_name_for(&self, table: &EntityTable, surname: &str, at: usize) -> Option<EntityId> {
        let shortens = |id: EntityId| {
            let name = &table.entities[id].name;
            // Most names neither start nor end with the word: no need to split them.
            if !(name.trim_start().starts_with(surname) || name.trim_end().ends_with(surname)) {
                return false;
            }
            let mut words = name.split_whitespace();
            let (first, last) = (words.next(), words.next_back());
            last.is_some() && (last == Some(surname) || first == Some(surname))
        };
        let spoken = self
            .recent
            .iter()
            .rev()
            .map(|r| r.entity)
            .find(|&id| shortens(id));
        spoken.or_else(|| {
            let earlier = &table.mentions[..table.mentions.partition_point(|m| m.span.start < at)];
            earlier
                .iter()
                .rev()
                .take(MENTION_LOOKBACK)
                .map(|m| m.entity)
                .find(|&id| shortens(id) && self.is_personal(table, id))
        })
    }
}

/// The first person named in `window` outside quotations whom `pronoun` fits
/// (`For Kevin Allton, an instructor, the show was a success. He said`).
fn first_person_named(
    body: &str,
    window: Span,
    cache: &mut TokenCache,
    pronoun: Pronoun,
    table: &mut EntityTable,
    memory: &mut Memory,
) -> Option<EntityId> {
    let window = cues::clamp_around(
        body,
        window,
        Span::new(window.end, window.end),
        cues::CONTEXT_REACH,
    );
    let tokens = cache.tokens(window);
    let mut i = 0;
    while i < tokens.len() {
        if !is_name_token(body, &tokens, i) || !is_capitalised(tokens[i].span.slice(body)) {
            i += 1;
            continue;
        }
        let end = (i..tokens.len())
            .find(|&k| !is_name_token(body, &tokens, k))
            .unwrap_or(tokens.len());
        if let Some(span) = name_in_phrase(body, &tokens[i..end]) {
            let typed_person = table
                .mentions_within(span)
                .last()
                .is_some_and(|m| table.entities[m.entity].kind == EntityKind::Person);
            if typed_person || kind_from_shape(span.slice(body)) == EntityKind::Person {
                if let Some(resolved) = resolve_name(body, span, true, table, memory) {
                    if memory.fits(table, resolved.entity, pronoun) {
                        return Some(resolved.entity);
                    }
                }
            }
        }
        i = end;
    }
    None
}

/// Whether `span` lies inside one of the quotations `marks` (sorted by start).
fn inside_quote(marks: &[(Span, usize)], span: Span) -> bool {
    let next = marks.partition_point(|(m, _)| m.start <= span.start);
    marks[..next]
        .iter()
        .rev()
        .take(4)
        .any(|(m, _)| m.contains(span))
}

/// Sets `speaker`, `cue` and `cue_span` on every direct and partial quote.
pub fn attribute(body: &str, sentences: &[Span], quotes: &mut [Quote], table: &mut EntityTable) {
    attribute_tokenised(body, sentences, quotes, table, None);
}

/// [`attribute`], reusing the token lists the quote pass built over the same body.
pub(crate) fn attribute_tokenised(
    body: &str,
    sentences: &[Span],
    quotes: &mut [Quote],
    table: &mut EntityTable,
    tokenised: Option<Tokenised>,
) {
    let marks: Vec<(Span, usize)> = quotes
        .iter()
        .enumerate()
        .map(|(i, q)| (quotes::marks_span(body, q), i))
        .collect();
    let mut cache = TokenCache::resume(body, &marks, tokenised);
    let mut memory = Memory::default();
    let mut learnt_until = 0;
    let mut previous: Option<usize> = None;
    for index in 0..quotes.len() {
        if quotes[index].kind == QuoteKind::Term {
            continue;
        }
        let sentence = quotes[index].sentence;
        learn_reporting_subjects(
            body,
            sentences,
            Span::new(learnt_until, sentence.start),
            &mut cache,
            table,
            &mut memory,
        );
        learnt_until = learnt_until.max(sentence.end);

        let context = cues::clamp_around(body, sentence, marks[index].0, cues::CONTEXT_REACH);
        let tokens = cache.tokens(context);
        let Some(at) = tokens
            .iter()
            .position(|t| t.kind == TokenKind::Quote(index))
        else {
            continue;
        };

        let found = match quotes[index].kind {
            QuoteKind::Direct => reporting_clause_after(body, &tokens, at)
                .or_else(|| reporting_clause_before(body, &tokens, at, true))
                .or_else(|| reporting_clause_before(body, &tokens, at, false)),
            _ => reporting_clause_before(body, &tokens, at, false)
                .or_else(|| reporting_clause_after(body, &tokens, at)),
        }
        .or_else(|| according_to(body, &tokens))
        .or_else(|| introduced_by_colon(body, &tokens, at, quotes[index].kind))
        .or_else(|| {
            reported_just_before(body, sentences, sentence, &mut cache, quotes[index].kind)
        });

        let mut speaker = None;
        if let Some(found) = found {
            quotes[index].cue = Some(found.cue.slice(body).to_string());
            quotes[index].cue_span = Some(found.cue);
            let previous_sentence = sentences.partition_point(|s| s.end <= sentence.start);
            let recently_start = previous_sentence
                .checked_sub(1)
                .map_or(sentence.start, |i| sentences[i].start);
            let recently = Span::new(recently_start, sentence.end);
            speaker = resolve(body, found.who, recently, &mut cache, table, &mut memory);
        } else if let Some(prev) =
            previous.filter(|&p| continues_turn(body, &quotes[p], &quotes[index], &tokens, at))
        {
            speaker = quotes[prev].speaker.as_ref().and_then(|s| {
                s.entity.map(|entity| Resolved {
                    entity,
                    mention: s.mention,
                })
            });
        }
        if let Some(resolved) = speaker {
            memory.remember(resolved);
            quotes[index].speaker = Some(Speaker {
                name: table.entities[resolved.entity].name.clone(),
                entity: Some(resolved.entity),
                mention: resolved.mention,
            });
        }
        previous = Some(index);
    }
}

/// Remembers the named subjects of reporting verbs in the sentences of `range` (reported
/// speech without quotation marks: `NATO spokesperson Oana Lungescu said the alliance …`),
/// so that a later `she said` can refer to them.
fn learn_reporting_subjects(
    body: &str,
    sentences: &[Span],
    range: Span,
    cache: &mut TokenCache,
    table: &mut EntityTable,
    memory: &mut Memory,
) {
    let first = sentences.partition_point(|s| s.start < range.start);
    for &sentence in sentences[first..].iter().take_while(|s| s.end <= range.end) {
        let tokens = cache.tokens(sentence);
        for i in 0..tokens.len() {
            if !cues::is_cue(body, &tokens, i) || is_participle(body, tokens[i]) {
                continue;
            }
            if let Some(Who::Name(span)) = subject_before(body, &tokens, i, 0) {
                // A full name that reports speech is worth an entity; a lone word may be
                // a place or a common noun, so it is only looked up.
                let full_name = kind_from_shape(span.slice(body)) != EntityKind::Misc;
                if let Some(resolved) = resolve_name(body, span, full_name, table, memory) {
                    memory.remember(resolved);
                }
            }
        }
    }
}

/// `Sunak defended the record: “…”`: with no reporting verb, a direct quote that a colon
/// introduces is the clause subject's. The cue is the colon.
fn introduced_by_colon(body: &str, tokens: &[Token], at: usize, kind: QuoteKind) -> Option<Found> {
    if kind != QuoteKind::Direct || at == 0 || !tokens[at - 1].is_punct(':') {
        return None;
    }
    let who = participle_subject(body, tokens, at - 1)?;
    Some(Found {
        cue: tokens[at - 1].span,
        who,
    })
}

/// A direct quote with no cue of its own, right after a sentence of reported speech in
/// the same paragraph (`Putin also added that … . “That’s why …”`): that sentence's speaker.
fn reported_just_before(
    body: &str,
    sentences: &[Span],
    sentence: Span,
    cache: &mut TokenCache,
    kind: QuoteKind,
) -> Option<Found> {
    if kind != QuoteKind::Direct {
        return None;
    }
    let index = sentences.partition_point(|s| s.end <= sentence.start);
    let before = *sentences.get(index.checked_sub(1)?)?;
    // Across a paragraph break only when the sentence before introduces the quote.
    let introduces = before.slice(body).trim_end().ends_with([':', ',']);
    if body[before.end..sentence.start].contains('\n') && !introduces {
        return None;
    }
    let before = cues::clamp_around(
        body,
        before,
        Span::new(before.end, before.end),
        cues::CONTEXT_REACH,
    );
    let tokens = cache.tokens(before);
    if let Some(found) = according_to(body, &tokens) {
        return Some(found);
    }
    let cue = (0..tokens.len())
        .rev()
        .find(|&i| cues::is_cue(body, &tokens, i) && !is_participle(body, tokens[i]))?;
    let lo = tokens[..cue]
        .iter()
        .rposition(|t| matches!(t.kind, TokenKind::Quote(_)))
        .map_or(0, |q| q + 1);
    let who = subject_before(body, &tokens, cue, lo)?;
    Some(Found {
        cue: tokens[cue].span,
        who,
    })
}

/// `“…,” she said` / `“…,” said Smith` / `“…,” Mao Ning, spokesperson for X, said`.
fn reporting_clause_after(body: &str, tokens: &[Token], at: usize) -> Option<Found> {
    let mut i = at + 1;
    while tokens.get(i).is_some_and(|t| {
        matches!(
            t.kind,
            TokenKind::Punct(',' | '—' | '–' | '-' | '!' | '?' | '…')
        )
    }) {
        i += 1;
    }
    let start = i;
    let limit = (start + 14).min(tokens.len());
    let cue = (start..limit)
        .take_while(|&j| {
            !matches!(
                tokens[j].kind,
                TokenKind::Punct('.' | ';' | '!' | '?' | ':') | TokenKind::Quote(_)
            )
        })
        .find(|&j| cues::is_cue(body, tokens, j))?;
    if cue == start {
        let who = subject_after(body, tokens, cue)?;
        return Some(Found {
            cue: cue_span(body, tokens, cue),
            who,
        });
    }
    let who = subject_before(body, tokens, cue, start)?;
    Some(Found {
        cue: cue_span(body, tokens, cue),
        who,
    })
}

/// `X said: “…”`, `X said that … “…”`, `Beijing slammed the Quad, saying it is a “clique”`.
///
/// `strict` (for direct quotes) asks for the cue to introduce the quote: close before it,
/// the quote right after the verb or after `:`, `,` or `that`.
fn reporting_clause_before(body: &str, tokens: &[Token], at: usize, strict: bool) -> Option<Found> {
    let cue = (0..at).rev().find(|&i| cues::is_cue(body, tokens, i))?;
    if strict {
        let between = tokens[cue + 1..at].iter().filter(|t| t.is_word()).count();
        let introduced = between == 0
            || tokens[..at].last().is_some_and(|t| {
                t.is_punct(':') || t.is_punct(',') || cues::word_is(body, *t, "that")
            });
        if between > 8 || !introduced {
            return None;
        }
    }
    let lo = tokens[..cue]
        .iter()
        .rposition(|t| matches!(t.kind, TokenKind::Quote(_)))
        .map_or(0, |q| q + 1);
    let after_comma = cue > 0 && tokens[cue - 1].is_punct(',');
    let coordinated = cue > 0 && cues::word_is(body, tokens[cue - 1], "and");
    let who = if cues::word_is(body, tokens[cue], "according") {
        subject_after(body, tokens, cue + 1)
    } else if is_participle(body, tokens[cue]) && after_comma {
        participle_subject(body, tokens, cue)
    } else if coordinated {
        participle_subject(body, tokens, cue - 1)
    } else {
        subject_before(body, tokens, cue, lo)
            .or_else(|| {
                is_participle(body, tokens[cue])
                    .then(|| participle_subject(body, tokens, cue))
                    .flatten()
            })
            .or_else(|| subject_after(body, tokens, cue))
    }?;
    Some(Found {
        cue: cue_span(body, tokens, cue),
        who,
    })
}

/// `according to X` or `in the words of X` anywhere in the sentence.
fn according_to(body: &str, tokens: &[Token]) -> Option<Found> {
    (0..tokens.len()).find_map(|i| {
        let according = cues::word_is(body, tokens[i], "according")
            && cues::next_word_is(body, tokens, i, "to");
        let words_of = cues::word_is(body, tokens[i], "words")
            && cues::next_word_is(body, tokens, i, "of")
            && i >= 2
            && cues::word_is(body, tokens[i - 2], "in");
        if !(according || words_of) {
            return None;
        }
        let who = subject_after(body, tokens, i + 1)?;
        Some(Found {
            cue: cue_span(body, tokens, i),
            who,
        })
    })
}

/// The cue's span, with `to` after `according`.
fn cue_span(body: &str, tokens: &[Token], i: usize) -> Span {
    let mut span = tokens[i].span;
    if cues::word_is(body, tokens[i], "according") && cues::next_word_is(body, tokens, i, "to") {
        span.end = tokens[i + 1].span.end;
    }
    span
}

fn is_participle(body: &str, token: Token) -> bool {
    let word = token.span.slice(body);
    word.ends_with("ing") && word != "according"
}

/// The speaker of a participle cue: the subject of an earlier reporting verb in the
/// sentence (`Smith claimed …, alleging that …`), else the subject of the clause.
fn participle_subject(body: &str, tokens: &[Token], cue: usize) -> Option<Who> {
    if let Some(finite) = (0..cue)
        .rev()
        .find(|&i| cues::is_cue(body, tokens, i) && !is_participle(body, tokens[i]))
    {
        if let Some(who) = subject_before(body, tokens, finite, 0) {
            return Some(who);
        }
    }
    // Skip an opening adverbial (`In March,` / `Speaking to reporters,`) to the subject.
    let mut start = 0;
    let opens_with_adverbial = tokens.first().is_some_and(|t| {
        let w = t.span.slice(body);
        t.is_word() && (NOT_NAME.has(w) || w.ends_with("ing") || w.ends_with("ed"))
    });
    if opens_with_adverbial {
        if let Some(comma) = tokens[..cue].iter().position(|t| t.is_punct(',')) {
            start = comma + 1;
        }
    }
    let first = tokens.get(start)?;
    if let Some(pronoun) = pronoun_of(first.span.slice(body)) {
        return Some(Who::Pronoun(first.span, pronoun));
    }
    let end = (start..cue)
        .find(|&i| !is_name_token(body, tokens, i))
        .unwrap_or(cue);
    name_in_phrase(body, &tokens[start..end]).map(Who::Name)
}

fn pronoun_of(word: &str) -> Option<Pronoun> {
    match word.to_lowercase().as_str() {
        "he" => Some(Pronoun::He),
        "she" => Some(Pronoun::She),
        "it" => Some(Pronoun::It),
        "they" => Some(Pronoun::They),
        _ => None,
    }
}

fn is_capitalised(word: &str) -> bool {
    let starts_upper = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    // `al-Amr`, `bin-Salman`: a lowercase particle joined to a name.
    starts_upper(word)
        || word.split_once('-').is_some_and(|(particle, rest)| {
            NAME_PARTICLES.contains(&particle) && starts_upper(rest)
        })
}

fn is_role(word: &str) -> bool {
    ROLE.has_lowercased(word)
}

/// Whether `tokens[i]` can be part of a name phrase with its roles
/// (`U.S. Ambassador to NATO Julianne Smith`, `Defense chief Mark Lee`).
fn is_name_token(body: &str, tokens: &[Token], i: usize) -> bool {
    let t = tokens[i];
    if !t.is_word() {
        return false;
    }
    let w = t.span.slice(body);
    if w.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if is_capitalised(w) {
        return !NOT_NAME.has(w)
            || i > 0
                && tokens[i - 1].is_word()
                && is_capitalised(tokens[i - 1].span.slice(body))
                && !NOT_NAME.has(tokens[i - 1].span.slice(body));
    }
    let between_capitals = |set: &[&str]| {
        set.contains(&w)
            && i > 0
            && tokens
                .get(i + 1)
                .is_some_and(|n| n.is_word() && is_capitalised(n.span.slice(body)))
            && is_capitalised(tokens[i - 1].span.slice(body))
    };
    is_role(w) || between_capitals(NAME_PARTICLES) || between_capitals(ROLE_CONNECTORS)
}

/// Who stands right before the cue at `tokens[cue]`, not before `lo`.
fn subject_before(body: &str, tokens: &[Token], cue: usize, lo: usize) -> Option<Who> {
    let mut j = cue;
    loop {
        // Skip auxiliaries and adverbs (`also`, `was cited as`, `openly`).
        while j > lo && {
            let t = tokens[j - 1];
            let w = t.span.slice(body);
            t.is_word()
                && w.starts_with(|c: char| c.is_lowercase())
                && (AUXILIARY.has(w) || (w.ends_with("ly") && w.len() > 4))
        } {
            j -= 1;
        }
        // Skip a time phrase (`in March`, `on Monday`, `at the time`).
        if j >= lo + 2 {
            let w = tokens[j - 1].span.slice(body);
            let prep = tokens[j - 2].span.slice(body);
            if NOT_NAME.has(w) && matches!(prep, "in" | "on" | "last" | "this" | "since" | "during")
            {
                j -= 2;
                continue;
            }
            if j >= lo + 3
                && matches!(
                    w,
                    "time" | "week" | "month" | "year" | "statement" | "interview" | "conference"
                )
                && matches!(
                    tokens[j - 3].span.slice(body),
                    "in" | "at" | "on" | "last" | "this"
                )
            {
                j -= 3;
                continue;
            }
        }
        break;
    }
    if j <= lo {
        return None;
    }
    if tokens[j - 1].is_punct(',') {
        return subject_of_appositive(body, tokens, j - 1, lo);
    }
    let last = tokens[j - 1];
    if !last.is_word() {
        return None;
    }
    let word = last.span.slice(body);
    if let Some(pronoun) = pronoun_of(word) {
        return Some(Who::Pronoun(last.span, pronoun));
    }
    // `Mark Tedeschi, who said`: the relative pronoun's antecedent.
    if word == "who" && j >= lo + 2 && tokens[j - 2].is_punct(',') {
        let start = (lo..j - 2)
            .rev()
            .take_while(|&k| is_name_token(body, tokens, k))
            .last()?;
        return name_in_phrase(body, &tokens[start..j - 2]).map(Who::Name);
    }
    if is_capitalised(word) {
        let start = (lo..j)
            .rev()
            .take_while(|&k| is_name_token(body, tokens, k))
            .last()?;
        return name_in_phrase(body, &tokens[start..j]).map(Who::Name);
    }
    // `Cornyn's statement added`, `PC World's recent analysis of its traffic concluded`:
    // the owner of a statement or study speaks.
    let phrase_start = (lo..j)
        .rev()
        .take(10)
        .take_while(|&k| tokens[k].is_word() && !is_capitalised(tokens[k].span.slice(body)))
        .last()
        .unwrap_or(j);
    let names_a_statement = tokens[phrase_start..j]
        .iter()
        .any(|t| STATEMENT_NOUN.has(t.span.slice(body)));
    if names_a_statement && phrase_start > lo {
        let owner = tokens[phrase_start - 1].span.slice(body);
        if is_capitalised(owner) && (owner.ends_with("’s") || owner.ends_with("'s")) {
            let start = (lo..phrase_start)
                .rev()
                .take_while(|&k| is_name_token(body, tokens, k))
                .last()?;
            return name_in_phrase(body, &tokens[start..phrase_start]).map(Who::Name);
        }
    }
    body_phrase_before(body, tokens, j, lo)
}

/// The name around an appositive that ends at the comma `tokens[comma]` before the verb:
/// `Mao Ning, spokesperson for the ministry, said` (name first; the appositive may hold
/// commas itself: `Cynthia Thompson, curator at the University of Arkansas, Fayetteville,
/// said`) or `The secretary general of CEI, Nunzio Galantino, has called` (role first).
fn subject_of_appositive(body: &str, tokens: &[Token], comma: usize, lo: usize) -> Option<Who> {
    let commas: Vec<usize> = (lo..comma)
        .rev()
        .take(24)
        .take_while(|&k| !matches!(tokens[k].kind, TokenKind::Quote(_)))
        .filter(|&k| tokens[k].is_punct(','))
        .take(3)
        .collect();
    for (n, &open) in commas.iter().enumerate() {
        let first = tokens[open + 1];
        let word = first.span.slice(body);
        // The appositive runs to the next comma (or the verb's).
        let close = if n == 0 { comma } else { commas[n - 1] };
        // A role, or lowercase words that are not name particles (`Republican from Texas`).
        let holds_role = tokens[open + 1..close].iter().any(|t| {
            let w = t.span.slice(body);
            is_role(w)
                || (t.is_word()
                    && !is_capitalised(w)
                    && !NAME_PARTICLES.contains(&w)
                    && !ROLE_CONNECTORS.contains(&w))
        });
        let describes =
            !is_capitalised(word) || holds_role || word.starts_with(|c: char| c.is_ascii_digit());
        if first.is_word() && describes {
            let start = (lo..open)
                .rev()
                .take_while(|&k| is_name_token(body, tokens, k))
                .last()?;
            return name_in_phrase(body, &tokens[start..open]).map(Who::Name);
        }
    }
    let open = commas.first().copied()?;
    let segment = open + 1..comma;
    let all_names = !segment.is_empty() && segment.clone().all(|k| is_name_token(body, tokens, k));
    let after_role = open > 0
        && (tokens[open - 1].is_punct(')')
            || (open.saturating_sub(6)..open).any(|k| is_role(tokens[k].span.slice(body))));
    if all_names && after_role {
        return name_in_phrase(body, &tokens[segment]).map(Who::Name);
    }
    None
}

/// `the bloc`, `the city's government`: a body speaking, ending at `tokens[end - 1]`.
fn body_phrase_before(body: &str, tokens: &[Token], end: usize, lo: usize) -> Option<Who> {
    let head = tokens[end - 1];
    let head_word = head.span.slice(body).to_lowercase();
    if !BODY_NOUN.has(&head_word) {
        return None;
    }
    let det = (lo..end - 1)
        .rev()
        .take(3)
        .find(|&k| cues::word_is(body, tokens[k], "the"))?;
    Some(Who::Body(Span::new(tokens[det].span.start, head.span.end)))
}

/// Who follows the cue at `tokens[cue]`: `said Smith`, `said U.S. envoy Jane Doe`,
/// `according to the Sydney Morning Herald`.
fn subject_after(body: &str, tokens: &[Token], cue: usize) -> Option<Who> {
    let mut start = cue + 1;
    let first = tokens.get(start)?;
    if let Some(pronoun) = pronoun_of(first.span.slice(body)) {
        return Some(Who::Pronoun(first.span, pronoun));
    }
    if cues::word_is(body, *first, "the") {
        start += 1;
    }
    let end = (start..tokens.len())
        .find(|&i| !is_name_token(body, tokens, i))
        .unwrap_or(tokens.len());
    if end > start {
        // `the Crown prosecutor, Mark Tedeschi,`: a role, then the name in apposition.
        let ends_in_role = is_role(tokens[end - 1].span.slice(body));
        if ends_in_role && tokens.get(end).is_some_and(|t| t.is_punct(',')) {
            let name_end = (end + 1..tokens.len())
                .find(|&i| !is_name_token(body, tokens, i))
                .unwrap_or(tokens.len());
            if let Some(name) = name_in_phrase(body, &tokens[end + 1..name_end]) {
                return Some(Who::Name(name));
            }
        }
        return name_in_phrase(body, &tokens[start..end]).map(Who::Name);
    }
    // `said the bloc`
    let head = tokens.get(start)?;
    let word = head.span.slice(body).to_lowercase();
    (start > cue + 1 && BODY_NOUN.has(&word))
        .then(|| Who::Body(Span::new(tokens[cue + 1].span.start, head.span.end)))
}

/// The name inside a phrase of names and roles: the words after the last role and its
/// complement (`Ambassador to NATO Julianne Smith` → `Julianne Smith`), or the trailing
/// run of names after an acronym (`NATO Julianne Smith`).
fn name_in_phrase(body: &str, phrase: &[Token]) -> Option<Span> {
    let words: Vec<&str> = phrase.iter().map(|t| t.span.slice(body)).collect();
    let mut start = 0;
    // A role word that ends the phrase is a surname (`John Major`), not a title.
    let titled = &words[..words.len().saturating_sub(1)];
    if let Some(role) = titled.iter().rposition(|w| is_role(w)) {
        start = role + 1;
        if words
            .get(start)
            .is_some_and(|w| ROLE_CONNECTORS.contains(w))
            && words.len() > start + 2
        {
            start += 2;
        }
    }
    let mut end = words.len();
    // Possessive or trailing role after the name is not part of it.
    while end > start
        && ((is_role(words[end - 1]) && !is_capitalised(words[end - 1]))
            || ROLE_CONNECTORS.contains(&words[end - 1]))
    {
        end -= 1;
    }
    while start < end && (NOT_NAME.has(words[start]) || NAME_PARTICLES.contains(&words[start])) {
        start += 1;
    }
    if start >= end {
        return None;
    }
    // `NATO Julianne Smith`: an acronym before a personal name belongs to a role.
    let is_acronym = |w: &str| {
        w.chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
            && w.chars().filter(|c| c.is_alphabetic()).count() >= 2
    };
    // `Lucy Grant of Capital Economics`: a personal name, then where the person works.
    if let Some(k) = (start + 2..end).find(|&k| matches!(words[k], "of" | "at" | "from")) {
        let before = Span::new(phrase[start].span.start, phrase[k - 1].span.end).slice(body);
        if kind_from_shape(before) == EntityKind::Person {
            end = k;
        }
    }
    let rest_is_personal = |from: usize| {
        let rest = Span::new(phrase[from].span.start, phrase[end - 1].span.end).slice(body);
        kind_from_shape(rest) == EntityKind::Person
    };
    if end - start >= 3 && is_acronym(words[start]) && rest_is_personal(start + 1) {
        start += 1;
    }
    // `Refugee Council Enver Solomon`: an organisation's name before a personal name.
    if let Some(head) = words[start..end]
        .iter()
        .rposition(|w| ORGANIZATION_HEAD.has(w))
    {
        let head = start + head;
        if end - head > 2 && rest_is_personal(head + 1) {
            start = head + 1;
        }
    }
    let first = phrase[start].span.start;
    let last = phrase[end - 1].span;
    let last_text = last.slice(body);
    let trimmed_end = last_text
        .strip_suffix("’s")
        .or_else(|| last_text.strip_suffix("'s"))
        .map_or(last.end, |s| last.start + s.len());
    (trimmed_end > first).then(|| Span::new(first, trimmed_end))
}

/// The kind a speaker's name suggests when the table cannot say.
fn kind_from_shape(name: &str) -> EntityKind {
    let words: Vec<&str> = name.split_whitespace().collect();
    let name_like = |w: &&str| {
        // A period only after an initial (`John F. Kennedy`).
        let w = if w.chars().count() == 2 {
            w.trim_end_matches('.')
        } else {
            w
        };
        if w.ends_with("’s") || w.ends_with("'s") {
            return false; // a possessive: `Mecca's Grand Mosque`
        }
        let dotted_acronym = w.len() >= 4 && w.chars().all(|c| c.is_uppercase() || c == '.');
        dotted_acronym
            || ORGANIZATION_HEAD.has(w)
            || (!w.is_empty()
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '’' | '\'')))
    };
    if !words.iter().all(name_like) {
        return EntityKind::Misc;
    }
    let letters = name.chars().filter(|c| c.is_alphabetic());
    let acronym =
        words.len() == 1 && letters.clone().count() >= 2 && letters.clone().all(char::is_uppercase);
    if acronym || words.iter().any(|w| ORGANIZATION_HEAD.has(w)) {
        EntityKind::Organization
    } else if words.len() >= 2
        && words
            .iter()
            .all(|w| is_capitalised(w) && !is_role(w) && !NOT_NAME.has(w))
    {
        EntityKind::Person
    } else {
        EntityKind::Misc
    }
}

/// `recently` spans the sentence before the quote's and the quote's own, for pronouns.
fn resolve(
    body: &str,
    who: Who,
    recently: Span,
    cache: &mut TokenCache,
    table: &mut EntityTable,
    memory: &mut Memory,
) -> Option<Resolved> {
    let marks = cache.marks();
    match who {
        Who::Name(span) => resolve_name(body, span, true, table, memory),
        Who::Pronoun(span, pronoun) => {
            let personal = matches!(pronoun, Pronoun::He | Pronoun::She);
            let spoke_here = memory.speaker_since(table, pronoun, span.start, recently.start);
            let entity = match spoke_here {
                Some(entity) => entity,
                None => personal
                    .then(|| {
                        first_person_named(
                            body,
                            Span::new(recently.start, span.start),
                            cache,
                            pronoun,
                            table,
                            memory,
                        )
                    })
                    .flatten()
                    .or_else(|| memory.antecedent(table, pronoun, span.start, recently, marks))?,
            };
            match pronoun {
                Pronoun::He => memory.gender.entry(entity).or_insert(Gender::Male),
                Pronoun::She => memory.gender.entry(entity).or_insert(Gender::Female),
                Pronoun::It | Pronoun::They => {
                    return Some(Resolved {
                        entity,
                        mention: span,
                    })
                }
            };
            Some(Resolved {
                entity,
                mention: span,
            })
        }
        Who::Body(span) => {
            // The organisation (or, for `the city`, the place) named in this sentence or
            // just before it, other than one spoken to (`told CNN`, `according to Reuters`).
            let head = span
                .slice(body)
                .rsplit(' ')
                .next()
                .unwrap_or_default()
                .to_lowercase();
            let wanted = if PLACE_NOUNS.contains(&head.as_str()) {
                EntityKind::Location
            } else {
                EntityKind::Organization
            };
            // `the city` or `the town` is no country, state or region ("Livorno, Tuscany").
            let settlement = matches!(head.as_str(), "city" | "town");
            let earlier = &table.mentions[..table
                .mentions
                .partition_point(|m| m.span.start < span.start)];
            let addressed = |m: &Mention| {
                let before = body[..m.span.start].trim_end();
                let word = before
                    .rsplit(|c: char| !c.is_alphabetic())
                    .next()
                    .unwrap_or_default();
                matches!(word, "told" | "to" | "tells" | "telling" | "with" | "by")
            };
            let entity = earlier
                .iter()
                .rev()
                .take_while(|m| m.span.start >= recently.start.saturating_sub(BODY_EXTRA_REACH))
                .filter(|m| !addressed(m) && !inside_quote(marks, m.span))
                .map(|m| m.entity)
                .filter(|&id| !(settlement && gazetteer::is_qualifier(&table.entities[id].name)))
                .find(|&id| {
                    memory.kind_of(table, id) == wanted
                        || (wanted == EntityKind::Organization
                            && kind_from_shape(&table.entities[id].name) == wanted)
                })?;
            Some(Resolved {
                entity,
                mention: span,
            })
        }
    }
}

/// The entity a name refers to. For a speaker (`speaks`), the table resolves the span,
/// creating the entity or upgrading a `misc` one to a person; otherwise only an entity the
/// table already names there is used.
fn resolve_name(
    body: &str,
    span: Span,
    speaks: bool,
    table: &mut EntityTable,
    memory: &mut Memory,
) -> Option<Resolved> {
    let text = span.slice(body);
    let shape_kind = kind_from_shape(text);
    let existing = table
        .mentions_within(span)
        .iter()
        .rev()
        .find(|m| m.span.end == span.end)
        .copied();
    let typed = existing.filter(|m| table.entities[m.entity].kind != EntityKind::Misc);
    let mut entity = match (existing, typed) {
        (_, Some(m)) if !speaks || m.span.start <= span.start => m.entity,
        (Some(m), None) if !speaks || (shape_kind == EntityKind::Misc && m.span != span) => {
            m.entity
        }
        (None, _) if !speaks => memory.full_name_for(table, text, span.start)?,
        _ => {
            let kind = if shape_kind == EntityKind::Misc {
                EntityKind::Person
            } else {
                shape_kind
            };
            table.resolve_mention(body, span, kind)
        }
    };
    if !text.contains(' ') && table.entities[entity].name == text {
        if let Some(full) = memory.full_name_for(table, text, span.start) {
            entity = full;
        }
    }
    if shape_kind != EntityKind::Misc {
        memory.kind.entry(entity).or_insert(shape_kind);
    }
    Some(Resolved {
        entity,
        mention: span,
    })
}

/// Whether a quote with no reporting clause of its own goes on with `previous`'s turn:
/// the second half of a split quote, the next paragraph of the same quotation, or a
/// paragraph holding nothing but the quote right after the previous quote's paragraph.
fn continues_turn(
    body: &str,
    previous: &Quote,
    quote: &Quote,
    tokens: &[Token],
    at: usize,
) -> bool {
    if previous.speaker.is_none() {
        return false;
    }
    let between = &body[previous.span.end.min(quote.span.start)..quote.span.start];
    let paragraph_breaks = count_paragraph_breaks(between);
    if paragraph_breaks == 0 {
        // Same paragraph: a split quote, `“A,” she said, “B.”` or `“A,” she said. “B.”`
        let cue_between = previous
            .cue_span
            .is_some_and(|c| c.start >= previous.span.end && c.end <= quote.span.start);
        return cue_between
            || tokens[..at]
                .iter()
                .any(|t| matches!(t.kind, TokenKind::Quote(_)));
    }
    if paragraph_breaks > 1 {
        return false;
    }
    if quotes::is_unclosed(body, previous) {
        return true;
    }
    // A paragraph that is only this quote.
    let paragraph_start = body[..quote.span.start].rfind('\n').map_or(0, |i| i + 1);
    let paragraph_end = body[quote.span.end..]
        .find('\n')
        .map_or(body.len(), |i| quote.span.end + i);
    let outside = body[paragraph_start..quote.span.start]
        .chars()
        .chain(body[quote.span.end..paragraph_end].chars());
    outside.filter(|c| c.is_alphanumeric()).count() == 0 && quote.kind == QuoteKind::Direct
}

/// How many paragraph breaks (runs of line breaks) `text` holds.
fn count_paragraph_breaks(text: &str) -> usize {
    let mut count = 0;
    let mut in_break = false;
    for c in text.chars() {
        if c == '\n' {
            count += usize::from(!in_break);
            in_break = true;
        } else if !c.is_whitespace() {
            in_break = false;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{entities, quotes, segment};

    /// `(quote text, speaker name, cue)` for every direct and partial quote.
    /// Runs the stages from segmentation on, over `body` as the cleaned body.
    fn attributed(body: &str) -> Vec<(String, Option<String>, Option<String>)> {
        let sentences = segment::sentences(body);
        let mut table = entities::find_entities(body, &sentences);
        let mut quotes = quotes::find_quotes(body, &sentences);
        attribute(body, &sentences, &mut quotes, &mut table);
        quotes
            .into_iter()
            .filter(|q| q.kind != QuoteKind::Term)
            .map(|q| (q.text, q.speaker.map(|s| s.name), q.cue))
            .collect()
    }

    fn speakers(text: &str) -> Vec<Option<String>> {
        attributed(text).into_iter().map(|(_, s, _)| s).collect()
    }

    fn some(name: &str) -> Option<String> {
        Some(name.to_string())
    }

    #[test]
    fn speaker_after_the_quote_with_a_role_stripped() {
        let found = attributed(
            "“We are ready to talk about it,” U.S. Ambassador to NATO Julianne Smith said.",
        );
        assert_eq!(found[0].1, some("Julianne Smith"));
        assert_eq!(found[0].2, some("said"));
    }

    #[test]
    fn inverted_clause_after_the_quote() {
        assert_eq!(
            speakers("“This was never possible before,” said Ambassador Hamdullah Mohib."),
            [some("Hamdullah Mohib")]
        );
    }

    #[test]
    fn appositive_role_between_name_and_verb() {
        let text = "“The expansion calls for high vigilance in the region,” Mao Ning, spokesperson for the Chinese Foreign Ministry, said.";
        assert_eq!(speakers(text), [some("Mao Ning")]);
    }

    #[test]
    fn colon_and_that_clauses_before_the_quote() {
        assert_eq!(
            speakers("Jane Doe told Reuters: “We will not stop working on this.”"),
            [some("Jane Doe")]
        );
        assert_eq!(
            speakers("John Roe said that the plan was a “dangerous idea for everyone.”"),
            [some("John Roe")]
        );
    }

    #[test]
    fn pronoun_goes_to_the_last_speaker_of_that_gender() {
        let text = "Oana Lungescu said the alliance would not comment.\n\n\
                    “We regularly assess the arrangements we have,” she said.\n\n\
                    “It directly stipulates the plan for the region,” he said.";
        assert_eq!(speakers(text), [some("Oana Lungescu"), None]);
    }

    #[test]
    fn surname_goes_to_the_full_name() {
        let text = "“We find it very helpful to meet our partners,” Julianne Smith said.\n\n\
                    “Some of the countries are taking note of it,” Smith remarked.";
        assert_eq!(
            speakers(text),
            [some("Julianne Smith"), some("Julianne Smith")]
        );
    }

    #[test]
    fn split_quote_and_next_paragraph_continue_the_turn() {
        let text = "“The first half of it,” Mary Major said, “and the second half.”\n\n\
                    “Another paragraph of the same statement goes here.";
        assert_eq!(
            speakers(text),
            [some("Mary Major"), some("Mary Major"), some("Mary Major")]
        );
    }

    #[test]
    fn participle_cue_takes_the_clause_subject() {
        let text = "Beijing also previously slammed the Quad grouping, saying it is a closed and exclusive “clique” targeting China.";
        assert_eq!(speakers(text), [some("Beijing")]);
    }

    #[test]
    fn passive_cited_as_saying_and_according_to() {
        assert_eq!(
            speakers("The plan is a “new phase for the region,” Hayashi was cited as saying."),
            [some("Hayashi")]
        );
        assert_eq!(
            speakers("Her skin was “weeping and raw,” according to the Sydney Morning Herald."),
            [some("Sydney Morning Herald")]
        );
    }

    #[test]
    fn appositives_with_commas_inside_and_role_first() {
        let text = "Cynthia Thompson, curator at the University of Arkansas, Fayetteville, said, \
                    “These images serve as documentation of his life.”";
        assert_eq!(speakers(text), [some("Cynthia Thompson")]);
        let text = "The secretary general of the conference, Nunzio Galantino, has called \
                    the ruling “dangerous and ideological.”";
        assert_eq!(speakers(text), [some("Nunzio Galantino")]);
        let text = "“We are ready for this game,” Hernan Dario Gomez, Panama coach, said.";
        assert_eq!(speakers(text), [some("Hernan Dario Gomez")]);
    }

    #[test]
    fn names_with_particles_and_roles_after_a_cue() {
        let text = "Civil Defense director General Suleiman al-Amr said \
                    “All those who were wounded have been taken to hospital.”";
        assert_eq!(speakers(text), [some("Suleiman al-Amr")]);
        let text = "Her skin was weeping, in the words of the Crown prosecutor, Mark Tedeschi, \
                    who said it was “a devastating illness for the child.”";
        assert_eq!(speakers(text)[0], some("Mark Tedeschi"));
    }

    #[test]
    fn statements_and_colons_introduce_their_subject() {
        let text = "Senator John Cornyn issued a statement on Monday. \
                    “Like many Texans, I am disappointed with the decision.”";
        assert_eq!(speakers(text), [some("John Cornyn")]);
        let text =
            "Later, Rishi Sunak defended the record: “We are working as quickly as possible.”";
        assert_eq!(speakers(text), [some("Rishi Sunak")]);
    }

    #[test]
    fn a_pronoun_after_a_new_person_is_introduced_goes_to_them() {
        let text = "“Pop art was about popular culture,” Kiara Perkins said.\n\n\
                    For Kevin Allton, an instructor in English, the show was a success. \
                    He said, “Andy Warhol was the center of the Zeitgeist.”";
        assert_eq!(
            speakers(text),
            [some("Kiara Perkins"), some("Kevin Allton")]
        );
    }

    #[test]
    fn workplace_after_the_name_is_not_part_of_it() {
        let text = "“It's a stalemate,” said Lucy Grant of Capital Economics.";
        assert_eq!(speakers(text), [some("Lucy Grant")]);
    }

    #[test]
    fn news_style_multi_paragraph_quote_keeps_its_speaker() {
        let text = "“We are not going anywhere,” said Jane Roe, a union leader. “We will stay.\n\n\
                    “Our members deserve better pay and safer conditions.\n\n\
                    “And we will keep fighting for them,” she added.";
        assert_eq!(speakers(text), vec![some("Jane Roe"); 4]);
    }

    #[test]
    fn a_body_noun_stands_for_an_organisation_named_nearby_but_not_one_spoken_to() {
        let text = "Last year NATO unveiled plans, with the bloc portraying \
                    Moscow as its “most significant and direct threat.”";
        assert_eq!(speakers(text), [some("NATO")]);
        let text = "Jane Doe told Reuters on Monday that the talks had failed. \
                    “We will appeal against the ruling,” the company said.";
        assert_eq!(speakers(text), [None]);
    }

    #[test]
    fn the_owner_of_a_statement_or_study_speaks() {
        let text = "PC World's recent analysis of its own traffic concluded, \
                    “Usually, Internet Explorer is the second browser.”";
        assert_eq!(speakers(text), [some("PC World")]);
        let text = "“It was a wonderful day for all of us,” Smith's wife said.";
        assert_eq!(speakers(text), [None]);
    }

    #[test]
    fn no_cue_and_no_previous_speaker_means_no_speaker() {
        assert_eq!(
            speakers("“This was a very difficult decision for all of us to make.”"),
            [None]
        );
    }
}
