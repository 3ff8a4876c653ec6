//! Candidate names in the body: capitalised runs cut to the name itself, with the type
//! cues found around them (titles, roles, cue words, speech verbs, the gazetteer).

use std::borrow::Cow;

use super::tokens::{tokenize, Token};
use crate::extract::gazetteer::FastSet;
use crate::extract::gazetteer::{self, Known};
use crate::extract::{EntityKind, Span};

/// One name found in the body, before mentions are merged into entities.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub span: Span,
    /// What the gazetteer says the name stands for.
    pub known: Option<Known>,
    /// The type the name's own words or context give it.
    pub cue: Option<EntityKind>,
    /// Title or role the text gives a person here ("NATO spokesperson").
    pub role: Option<String>,
    /// The mention cannot stand alone as a new name (one word at a sentence start, or in
    /// a headline): it counts only if it matches a name found elsewhere.
    pub needs_support: bool,
}

impl Candidate {
    /// A name the gazetteer does not know, typed (or not) by its own words, with no role.
    fn named(span: Span, cue: Option<EntityKind>) -> Candidate {
        Candidate {
            span,
            known: None,
            cue,
            role: None,
            needs_support: false,
        }
    }

    pub fn text<'b>(&self, body: &'b str) -> &'b str {
        self.span.slice(body)
    }
}

/// Lower-case words that may join two capitalised words inside one name.
const CONNECTORS: &[&str] = &[
    "of", "de", "du", "da", "di", "del", "della", "des", "la", "le", "van", "von", "der", "den",
    "bin", "ibn", "y",
];

/// Labels of picture captions and credits ("Image: Nick Moreau").
const CAPTION_LABELS: &[&str] = &[
    "Image", "Images", "Photo", "Photos", "Picture", "Credit", "Video", "File", "Source",
];

/// Words before a place ("in Herat", "near Kowloon").
const PLACE_PREPOSITIONS: &[&str] = &["in", "near", "outside", "across", "throughout", "around"];

/// Nouns that name a place by the name after "of" ("the town of Yeoncheon").
const PLACE_NOUNS_BEFORE_OF: &[&str] = &[
    "town",
    "city",
    "village",
    "province",
    "region",
    "county",
    "district",
    "state",
    "island",
    "capital",
    "suburb",
    "port",
    "municipality",
    "prefecture",
];

/// Lower-case nouns for the people of an organisation: the untyped name right before
/// one is an organisation's ("Environment Canada spokesperson", "Scientology officials").
const ORG_MEMBER_NOUNS: &[&str] = &[
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "spokespeople",
    "official",
    "officials",
    "employees",
    "staffers",
    "headquarters",
    "executives",
];

/// Endings of web addresses that name a company or site ("Secunia.com").
const WEB_DOMAINS: &[&str] = &[".com", ".net", ".co.uk", ".io"];

/// Reporting verbs: a multi-word name right before one speaks, so it is a person's.
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "claimed",
    "remarked",
    "insisted",
    "warned",
    "argued",
    "noted",
    "wrote",
    "tweeted",
    "explained",
    "continued",
    "elaborated",
    "replied",
    "answered",
    "asked",
    "announced",
    "declared",
    "recalled",
    "admitted",
    "acknowledged",
    "stressed",
    "emphasised",
    "emphasized",
    "urged",
    "suggested",
];

/// Words between a name and its speech verb ("Putin also said").
const SPEECH_ADVERBS: &[&str] = &[
    "also",
    "later",
    "then",
    "previously",
    "further",
    "earlier",
    "once",
    "has",
    "had",
];

/// A paragraph set as a headline: title case or capitals, no closing punctuation.
fn is_heading(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() || text.ends_with(['.', '!', '?', '"', '”', ':', ',', ';']) {
        return false;
    }
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    if words.len() < 2 {
        return words.len() == 1 && !text.chars().any(char::is_lowercase);
    }
    let long: Vec<&&str> = words.iter().filter(|w| w.chars().count() > 3).collect();
    let capitalised = long
        .iter()
        .filter(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
        .count();
    capitalised * 10 >= long.len() * 7
}

/// Byte ranges of the paragraphs that are headlines or headings.
fn heading_ranges(body: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at = 0;
    for para in body.split("\n\n") {
        if is_heading(para) {
            out.push(Span::new(at, at + para.len()));
        }
        at += para.len() + 2;
    }
    out
}

/// Appends `word` in lower case to `lowered` when it has a capital, and returns where it
/// lies there; `None` (nothing appended) when `word` is already lower case.
fn push_lowercase(word: &str, lowered: &mut String) -> Option<(usize, usize)> {
    let start = lowered.len();
    if word.is_ascii() {
        if !word.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        lowered.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        if !word.chars().any(char::is_uppercase) {
            return None;
        }
        // `str::to_lowercase` knows a word-final capital sigma; char by char would not.
        lowered.push_str(&word.to_lowercase());
    }
    Some((start, lowered.len()))
}

struct Context<'b> {
    body: &'b str,
    tokens: Vec<Token>,
    /// Words the body uses in lower case somewhere ("citing" makes "Citing" no name).
    lower_words: FastSet<&'b str>,
    /// Capitalised words seen where a capital means something (not at a sentence start).
    midsentence_capitals: FastSet<&'b str>,
    /// Where each token's lower-case form lies in `lowered`; `None` when the token has no
    /// capital and is its own lower-case form.
    lowers: Vec<Option<(usize, usize)>>,
    /// The lower-case forms of the tokens with a capital, one after another (one buffer
    /// rather than a string per word).
    lowered: String,
}

/// An Arabic particle before a capitalised name ("al-Assad", "bin-Salman").
fn has_particle_prefix(text: &str) -> bool {
    // Every particle's hyphen is its third or fourth byte: most words end the test here.
    if !text.as_bytes().get(2..4).is_some_and(|b| b.contains(&b'-')) {
        return false;
    }
    ["al-", "el-", "ad-", "as-", "ash-", "bin-", "abu-"]
        .iter()
        .any(|p| {
            text.starts_with(p)
                && text[p.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
        })
}

impl<'b> Context<'b> {
    fn new(body: &'b str) -> Self {
        let tokens = tokenize(body);
        // Sized for the words of a typical article, so that the sets rarely grow.
        let mut lower_words =
            FastSet::with_capacity_and_hasher(tokens.len() / 2, Default::default());
        let mut midsentence_capitals =
            FastSet::with_capacity_and_hasher(tokens.len() / 8, Default::default());
        let mut lowers = Vec::with_capacity(tokens.len());
        let mut lowered = String::with_capacity(body.len() / 4);
        for t in &tokens {
            let text = t.text(body);
            lowers.push(push_lowercase(text, &mut lowered));
            if text.chars().next().is_some_and(char::is_lowercase) {
                lower_words.insert(text);
            } else if !t.initial {
                midsentence_capitals.insert(text);
            }
        }
        Context {
            body,
            tokens,
            lower_words,
            midsentence_capitals,
            lowers,
            lowered,
        }
    }

    fn text(&self, i: usize) -> &'b str {
        self.tokens[i].text(self.body)
    }

    /// The word at `i` in lower case, computed once per word.
    fn lower(&self, i: usize) -> &str {
        match self.lowers[i] {
            Some((start, end)) => &self.lowered[start..end],
            None => self.text(i),
        }
    }

    fn span(&self, first: usize, last: usize) -> Span {
        Span::new(self.tokens[first].start, self.tokens[last].end)
    }

    fn slice(&self, first: usize, last: usize) -> &'b str {
        self.span(first, last).slice(self.body)
    }

    fn is_name_word(&self, i: usize) -> bool {
        let t = self.tokens[i];
        t.is_capitalised() || has_particle_prefix(t.text(self.body))
    }

    fn is_connector(&self, i: usize) -> bool {
        CONNECTORS.contains(&self.text(i))
    }

    /// Extends a run over "and", "&", "for" or "on" when the longer name is an
    /// organisation or place by its cue word ("Council on American-Islamic Relations",
    /// "National Air and Space Museum"), but not "Japan and NATO".
    fn extend_over_and(&self, start: usize, end: usize) -> usize {
        let n = self.tokens.len();
        let link = end + 1;
        if link >= n || !self.tokens[link].joined {
            return end;
        }
        let word = self.text(link);
        let after_cue = matches!(word, "for" | "on");
        if !(after_cue || matches!(word, "and" | "&")) {
            return end;
        }
        // "Joint Council for the Welfare of Immigrants": after a cue word, "the" may follow.
        let first = if after_cue && link + 1 < n && self.text(link + 1) == "the" {
            link + 2
        } else {
            link + 1
        };
        if first >= n
            || !(link + 1..=first).all(|i| self.tokens[i].joined)
            || !self.is_name_word(first)
        {
            return end;
        }
        let mut last = first;
        while last + 1 < n && self.tokens[last + 1].joined && !self.tokens[last].possessive {
            if self.is_name_word(last + 1) {
                last += 1;
            } else if after_cue
                && self.is_connector(last + 1)
                && last + 2 < n
                && self.tokens[last + 2].joined
                && self.is_name_word(last + 2)
            {
                last += 2;
            } else {
                break;
            }
        }
        let cue = |w: &str| gazetteer::is_org_cue(w) || gazetteer::is_location_cue(w);
        // After "and", a short right-hand part only, and only when the left part has no cue
        // word of its own ("Massachusetts Institute of Technology and Colorado State ...").
        let ok = match word {
            // "Council on ...", but not "Kennedy Space Center on STS-1".
            "on" => gazetteer::is_org_cue(self.lower(end)),
            "for" => cue(self.lower(end)),
            _ => {
                last - link <= 3
                    && cue(self.lower(last))
                    && !cue(self.cue_word(start, end))
                    && gazetteer::lookup(self.slice(start, end)).is_none()
            }
        };
        if ok {
            last
        } else {
            end
        }
    }

    /// Whether the name at `start..=end` may go on with "of ..." ("University of Texas",
    /// "Secretary of State"), unlike a person or a known place ("Matthew Ingram of the Globe").
    fn may_take_of(&self, start: usize, end: usize) -> bool {
        let last = self.lower(end);
        let cue =
            gazetteer::is_org_cue(last) || gazetteer::is_location_cue(last) || self.is_title(end);
        let lone = start == end
            && gazetteer::lookup(self.text(start)).is_none()
            && gazetteer::given_name(self.text(start)).is_none();
        cue || lone
    }

    /// The word that types the name at `start..=end`: its last word, or the word before
    /// its first "of", "on" or "for" ("Doctor Who Society of Canada", "Council on ...").
    fn cue_word(&self, start: usize, end: usize) -> &str {
        match (start + 1..end).find(|&i| matches!(self.text(i), "of" | "on" | "for")) {
            Some(of) => self.lower(of - 1),
            None => self.lower(end),
        }
    }

    /// A country or organisation whose name doubles as a given name ("China", "Georgia");
    /// cities do not count ("Regina Ip").
    fn is_country_or_org(&self, word: &str) -> bool {
        gazetteer::is_country(word)
            || gazetteer::lookup(word).is_some_and(|k| k.kind != EntityKind::Location)
    }

    fn is_title(&self, i: usize) -> bool {
        let lower = self.lower(i);
        gazetteer::is_title_word(lower)
            || lower.ends_with('.') && gazetteer::is_title_word(lower.trim_end_matches('.'))
    }

    /// A capitalised word that names nothing by itself at the start of a sentence.
    fn is_false_capital(&self, i: usize) -> bool {
        let text = self.text(i);
        let lower = self.lower(i);
        if gazetteer::lookup(text).is_some() {
            return false;
        }
        gazetteer::is_non_name(lower) || self.lower_words.contains(lower)
    }

    /// Maximal runs of name words, joined by connectors, inside one clause.
    fn runs(&self) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let n = self.tokens.len();
        let mut i = 0;
        while i < n {
            if !self.tokens[i].is_capitalised() {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            let mut j = i + 1;
            while j < n && self.tokens[j].joined && !self.tokens[j - 1].possessive {
                if self.is_name_word(j) {
                    end = j;
                    j += 1;
                    continue;
                }
                // Connectors ("Bank of England", "Daughters of the American Revolution")
                // and numbers ("Russia 1 TV") count only when a name word follows.
                let mut k = j;
                while k < n
                    && self.tokens[k].joined
                    && (self.is_connector(k) || self.text(k) == "the")
                    && k - j < 2
                {
                    k += 1;
                }
                let bridged = k > j && self.text(j) != "the";
                let numeric =
                    k == j && self.tokens[j].is_numeric(self.body) && self.text(j).len() <= 2;
                let k = if numeric { j + 1 } else { k };
                if (bridged || numeric) && k < n && self.tokens[k].joined && self.is_name_word(k) {
                    if bridged && !self.may_take_of(start, end) {
                        break;
                    }
                    // "Colorado State University of the US": "of the" and a country after a
                    // complete organisation say where it is, not what it is called.
                    let country = || {
                        gazetteer::lookup(self.text(k))
                            .is_some_and(|known| gazetteer::is_country(known.canonical))
                    };
                    // A bare cue word still needs it ("University of the Philippines").
                    if bridged
                        && end > start
                        && self.text(k - 1) == "the"
                        && gazetteer::is_org_cue(self.lower(end))
                        && country()
                    {
                        break;
                    }
                    end = k;
                    j = k + 1;
                    continue;
                }
                break;
            }
            let end = self.extend_over_and(start, end);
            runs.push((start, end));
            i = end + 1;
        }
        runs
    }
}

/// Finds every candidate name in the body.
pub fn find_candidates(body: &str) -> Vec<Candidate> {
    let cx = Context::new(body);
    let headings = heading_ranges(body);
    let mut out = Vec::new();
    for (start, end) in cx.runs() {
        let span = cx.span(start, end);
        if headings.iter().any(|h| h.contains(span)) {
            known_parts(&cx, start, end, true, &mut out);
        } else {
            split_run(&cx, start, end, &mut out);
        }
    }
    out.sort_by_key(|c| c.span.start);
    out
}

/// Emits the gazetteer names inside tokens `start..=end` (longest match first): used for
/// headlines and for title phrases ("U.S. Ambassador", "NATO Secretary General").
fn known_parts(cx: &Context, start: usize, end: usize, heading: bool, out: &mut Vec<Candidate>) {
    let mut i = start;
    while i <= end {
        let mut matched = None;
        for j in (i..=end).rev() {
            if let Some(known) = gazetteer::lookup(cx.slice(i, j)) {
                matched = Some((j, Some(known)));
                break;
            }
        }
        if matched.is_none() && heading && cx.is_capitalised_name(i) {
            // A word of a headline may repeat a name the body gives; resolution decides.
            let last = (i..=end)
                .take_while(|&j| cx.is_name_word(j))
                .last()
                .unwrap_or(i);
            matched = Some((last, None));
        }
        match matched {
            Some((j, known)) => {
                out.push(Candidate {
                    span: cx.span(i, j),
                    known,
                    cue: None,
                    role: None,
                    needs_support: known.is_none(),
                });
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

impl Context<'_> {
    fn is_capitalised_name(&self, i: usize) -> bool {
        self.tokens[i].is_capitalised()
            && !gazetteer::is_non_name(self.lower(i))
            && !self.is_title(i)
    }
}

/// Cuts one run into its names: drops a false capital at a sentence start, separates a
/// title from the name after it, and types what remains.
fn split_run(cx: &Context, start: usize, end: usize, out: &mut Vec<Candidate>) {
    let mut start = start;
    let run_end = end;
    // What the gazetteer knows of `start..=end`, looked up once for the last start tried.
    let mut known_whole = None;
    // Leading articles and sentence-initial function words are not part of a name,
    // unless the whole run is a known name ("The Hague").
    while start <= end {
        known_whole = gazetteer::lookup(cx.slice(start, end));
        if known_whole.is_some() {
            break;
        }
        let first_initial = cx.tokens[start].initial;
        let article = matches!(cx.text(start), "The" | "A" | "An");
        let known_prefix =
            || (start..=end).any(|j| gazetteer::lookup(cx.slice(start, j)).is_some());
        // A title opening a sentence is a cue, not a false capital ("Minister of ...").
        let false_capital = || {
            (first_initial && cx.is_false_capital(start) && !cx.is_title(start))
                || gazetteer::is_non_name(cx.lower(start))
        };
        // An abbreviation that opens a longer name belongs to it ("PC World", "TV Azteca").
        let acronym_head = || {
            start < end
                && is_acronym(cx.text(start))
                && cx.is_capitalised_name(start + 1)
                && gazetteer::given_name(cx.text(start + 1)).is_none()
        };
        // "Team Estonia had to ...": a head word before a known place opens a name.
        let org_head = || {
            gazetteer::is_org_cue(cx.lower(start))
                && start < end
                && gazetteer::lookup(cx.slice(start + 1, end)).is_some()
        };
        if article || (false_capital() && !known_prefix() && !acronym_head() && !org_head()) {
            start += 1;
            while start <= end && cx.is_connector(start) {
                start += 1;
            }
        } else {
            break;
        }
    }
    // "Belle Image: Nick Moreau." - a caption's credit label is not part of the name.
    let mut end = end;
    while end > start
        && CAPTION_LABELS.contains(&cx.text(end))
        && cx.body[cx.tokens[end].end..].starts_with(':')
    {
        end -= 1;
    }
    if start > end {
        return;
    }
    // "US$ 20,000", "HK$": a currency, not the country.
    if start == end && cx.body[cx.tokens[end].end..].starts_with('$') {
        return;
    }
    let whole = cx.slice(start, end);
    if end != run_end {
        known_whole = gazetteer::lookup(whole);
    }
    if let Some(known) = known_whole {
        out.push(Candidate {
            span: cx.span(start, end),
            known: Some(known),
            cue: None,
            role: None,
            needs_support: false,
        });
        return;
    }
    // "Team Estonia", "Police Scotland": an organisation's head word before a known place.
    let org_of_place = start < end
        && gazetteer::is_org_cue(cx.lower(start))
        && gazetteer::lookup(cx.slice(start + 1, end))
            .is_some_and(|k| k.kind == EntityKind::Location);
    if org_of_place {
        out.push(Candidate::named(
            cx.span(start, end),
            Some(EntityKind::Organization),
        ));
        return;
    }
    let cue = cx.cue_word(start, end);
    if !cx.is_title(end) && (gazetteer::is_org_cue(cue) || gazetteer::is_location_cue(cue)) {
        // "Council on American-Islamic Relations Alia Salem": a name typed by the word
        // before its "of" or "on" may run on into the person it introduces.
        let last = cx.lower(end);
        let cue_last = gazetteer::is_org_cue(last) || gazetteer::is_location_cue(last);
        if let Some(split) = person_after_name(cx, start, end).filter(|_| !cue_last) {
            split_run(cx, start, split, out);
            person(cx, split + 1, end, true, out);
            return;
        }
        named_by_cue(cx, start, end, cue, out);
        return;
    }
    // A title inside the run: "Russian President Vladimir Putin", "NATO Secretary General".
    // A title word that ends a run after a given name is a surname ("Mary Major").
    let surname_title = end > start
        && cx.is_title(end)
        && !cx.is_title(start)
        && gazetteer::given_name(cx.text(start)).is_some()
        && !cx.is_country_or_org(cx.text(start));
    let title = (start..=end)
        .rev()
        .find(|&k| cx.is_title(k))
        .filter(|_| !surname_title);
    if let Some(k) = title {
        if start == end && gazetteer::lookup(whole).is_none() {
            // A lone title word may still be a surname the article gives ("Major left").
            out.push(Candidate {
                span: cx.span(start, end),
                known: None,
                cue: None,
                role: None,
                needs_support: true,
            });
            return;
        }
        // "the State Department Spokesperson": an organisation or place named by its cue
        // word before the title; otherwise only the known names in the title phrase count.
        let mut first_title = k;
        while first_title > start && cx.is_title(first_title - 1) {
            first_title -= 1;
        }
        let owner = first_title.checked_sub(1).filter(|&last| {
            last >= start
                && gazetteer::lookup(cx.slice(start, last)).is_none()
                && !cx.is_title(last)
                && (gazetteer::is_org_cue(cx.cue_word(start, last))
                    || gazetteer::is_location_cue(cx.cue_word(start, last)))
        });
        match owner {
            Some(last) => {
                named_by_cue(cx, start, last, cx.cue_word(start, last), out);
                known_parts(cx, first_title, k, false, out);
            }
            None => known_parts(cx, start, k, false, out),
        }
        let mut name = k + 1;
        while name <= end && cx.is_connector(name) {
            // "Secretary of State Antony Blinken": the "of" phrase belongs to the title.
            name += 2;
        }
        // "as Foreign Affairs minister": one word between two titles belongs to them.
        let title_after = end + 1 < cx.tokens.len()
            && cx.tokens[end + 1].joined
            && cx.is_title(end + 1)
            && !cx.tokens[end + 1].is_capitalised();
        if name <= end && !(name == end && title_after) {
            person(cx, name, end, true, out);
        }
        return;
    }
    // An organisation or place right before a person: "NATO Julianne Smith", "Refugee
    // Council Enver Solomon", "University of Texas Arlington Amneh Jafari".
    if let Some(split) = person_after_name(cx, start, end) {
        split_run(cx, start, split, out);
        person(cx, split + 1, end, true, out);
        return;
    }
    // A demonym alone ("Japanese") is an adjective, not a name.
    if start == end && gazetteer::demonym(whole).is_some() {
        return;
    }
    // "Scientologist Tom Cruise", "Marxist ...": a follower's descriptor before a name.
    if end > start + 1
        && cx.lower(start).ends_with("ist")
        && gazetteer::given_name(cx.text(start + 1)).is_some()
    {
        person(cx, start + 1, end, false, out);
        return;
    }
    let single_initial =
        start == end && cx.tokens[start].initial && !cx.midsentence_capitals.contains(whole);
    let is_person = !(single_initial || start == end && is_acronym(whole)) && {
        let first = cx.text(start);
        let given = gazetteer::given_name(first).is_some() && !cx.is_country_or_org(first)
            || end > start && is_romanised_given_name(cx.text(end));
        (end > start && (given || speaks(cx, end)))
            || appositive_role(cx, end).is_some()
            || role_before(cx, start).is_some()
    };
    if is_person {
        person(cx, start, end, false, out);
        return;
    }
    let generic = start == end && {
        let lower = whole.to_lowercase();
        gazetteer::is_org_cue(&lower)
            || gazetteer::is_location_cue(&lower)
            || gazetteer::is_non_name(&lower)
    };
    let roman = whole
        .chars()
        .all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C'));
    if start == end && is_acronym(whole) && !cx.is_title(start) && !generic && !roman {
        // Unknown acronyms in the news are mostly organisations ("DAB", "KCNA").
        out.push(Candidate::named(
            cx.span(start, end),
            Some(EntityKind::Organization),
        ));
        return;
    }
    if generic {
        // "the Court", "the Government": a bare cue word names nothing by itself.
        return;
    }
    // "British Red Cross": a national branch of a known organisation.
    let national_branch = start < end
        && gazetteer::demonym(cx.text(start)).is_some()
        && gazetteer::lookup(cx.slice(start + 1, end))
            .is_some_and(|k| k.kind == EntityKind::Organization);
    if national_branch {
        out.push(Candidate::named(
            cx.span(start, end),
            Some(EntityKind::Organization),
        ));
        return;
    }
    // "Google Chrome", "Malaysia Tourism board": an untyped name opening with a country
    // or a known organisation names that country or organisation.
    let known_head = (start < end)
        .then(|| gazetteer::lookup(cx.text(start)))
        .flatten()
        .filter(|k| k.kind == EntityKind::Organization || gazetteer::is_country(k.canonical));
    if let Some(known) = known_head {
        out.push(Candidate {
            span: cx.span(start, start),
            known: Some(known),
            cue: None,
            role: None,
            needs_support: false,
        });
        split_run(cx, start + 1, end, out);
        return;
    }
    let joined_before =
        |i: usize| start >= i && (start + 1 - i..=start).all(|j| cx.tokens[j].joined);
    let after_place_word = joined_before(1) && PLACE_PREPOSITIONS.contains(&cx.text(start - 1))
        || joined_before(2)
            && cx.text(start - 1) == "of"
            && PLACE_NOUNS_BEFORE_OF.contains(&cx.lower(start - 2));
    let web_site = start == end && WEB_DOMAINS.iter().any(|d| cx.lower(start).ends_with(d));
    let staffed = end + 1 < cx.tokens.len()
        && cx.tokens[end + 1].joined
        && !cx.tokens[end].possessive
        && ORG_MEMBER_NOUNS.contains(&cx.text(end + 1));
    let cue = if web_site || staffed {
        Some(EntityKind::Organization)
    } else {
        after_place_word.then_some(EntityKind::Location)
    };
    out.push(Candidate {
        span: cx.span(start, end),
        known: None,
        cue,
        role: None,
        needs_support: single_initial,
    });
}

/// Where a run ends a name and a person's name begins: after a known name or a cue word,
/// before a given name, or before the run's last two words.
fn person_after_name(cx: &Context, start: usize, end: usize) -> Option<usize> {
    if end < start + 2 {
        return None;
    }
    (start..end - 1).rev().find(|&split| {
        let last = cx.lower(split);
        if !cx.is_name_word(split) {
            // "Andy Warhol Foundation for the Visual Arts": never after a connector.
            return false;
        }
        let of_cue = cx.cue_word(start, split);
        let left_named = gazetteer::lookup(cx.slice(start, split)).is_some()
            || gazetteer::lookup(cx.text(split)).is_some()
            || gazetteer::is_org_cue(last)
            || gazetteer::is_location_cue(last)
            || (start + 1..split).any(|i| matches!(cx.text(i), "of" | "on" | "for"))
                && (gazetteer::is_org_cue(of_cue) || gazetteer::is_location_cue(of_cue));
        let first = cx.text(split + 1);
        let given = gazetteer::given_name(first).is_some() && !cx.is_country_or_org(first);
        let plain_pair = end == split + 2
            && (split + 1..=end).all(|i| {
                gazetteer::lookup(cx.text(i)).is_none()
                    && !gazetteer::is_non_name(cx.lower(i))
                    && !cx.lower_words.contains(cx.lower(i))
            });
        left_named && (given || plain_pair)
    })
}

/// An organisation or place named by its last word ("Chinese Foreign Ministry",
/// "Kennedy Space Center"), or by the word before an "of" ("University of Texas").
fn named_by_cue(cx: &Context, start: usize, end: usize, cue: &str, out: &mut Vec<Candidate>) {
    let org = gazetteer::is_org_cue(cue);
    let kind = if org {
        EntityKind::Organization
    } else {
        EntityKind::Location
    };
    out.push(Candidate::named(cx.span(start, end), Some(kind)));
}

fn is_acronym(word: &str) -> bool {
    let letters = word.chars().filter(|c| *c != '.').count();
    (2..=6).contains(&letters) && word.chars().all(|c| c.is_ascii_uppercase() || c == '.')
}

/// A romanised Chinese or Korean given name in two hyphenated syllables of up to six
/// letters ("Chung-tai", "Jong-un", "Che-cheung"): the name it ends is a person's.
fn is_romanised_given_name(word: &str) -> bool {
    let Some((a, b)) = word.split_once('-') else {
        return false;
    };
    let syllable =
        |s: &str| (2..=6).contains(&s.len()) && s.chars().skip(1).all(|c| c.is_ascii_lowercase());
    a.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && syllable(a)
        && syllable(b)
        && !b.contains('-')
}

/// Emits a person name at tokens `start..=end` with the role the text gives it.
fn person(cx: &Context, start: usize, end: usize, titled: bool, out: &mut Vec<Candidate>) {
    // "Minister for Education Stefania Giannini": a common word before the given name
    // belongs to the title.
    let mut start = start;
    while end > start + 1
        && gazetteer::given_name(cx.text(start + 1)).is_some()
        && gazetteer::given_name(cx.text(start)).is_none()
        && (cx.lower_words.contains(cx.lower(start))
            || gazetteer::demonym(cx.text(start)).is_some()
            || cx.is_title(start))
    {
        start += 1;
    }
    // A given name makes a person even before a surname that is also a function word
    // ("James To", "Wilson Or"); after a longer name such a word opens the next clause
    // ("Elizabeth Quat In the New Territories").
    let given_first = gazetteer::given_name(cx.text(start)).is_some() && !cx.is_title(start);
    let mut end = end;
    while given_first && end > start + 1 && gazetteer::is_non_name(cx.lower(end)) {
        end -= 1;
    }
    if !given_first && (start..=end).any(|i| gazetteer::is_non_name(cx.lower(i))) {
        // "Doctor Who": a title before a function word is no person's name.
        out.push(Candidate::named(cx.span(start, end), None));
        return;
    }
    let role = role_before(cx, start).or_else(|| appositive_role(cx, end));
    let cued = titled || role.is_some() || end > start;
    let known = gazetteer::lookup(cx.slice(start, end));
    out.push(Candidate {
        span: cx.span(start, end),
        known: known.filter(|_| !titled),
        cue: cued.then_some(EntityKind::Person),
        role,
        needs_support: false,
    });
}

/// The title phrase right before a name: "U.S. Ambassador to NATO", "NATO spokesperson".
fn role_before(cx: &Context, name: usize) -> Option<String> {
    if name == 0 {
        return None;
    }
    // "the company's spokesperson, Jane Roe": a lower-case title set off by a comma.
    let prev = cx.tokens[name - 1];
    if !cx.tokens[name].joined {
        let apposed = &cx.body[prev.end..cx.tokens[name].start] == ", "
            && cx.is_title(name - 1)
            && prev.text(cx.body).starts_with(|c: char| c.is_lowercase());
        return apposed.then(|| prev.text(cx.body).to_string());
    }
    let mut first = name;
    let mut has_title = false;
    // Names between the title and the person: at most one ("Ambassador to NATO Julianne Smith").
    let mut untitled_names = 0;
    while first > 0 && cx.tokens[first].joined {
        let i = first - 1;
        let text = cx.text(i);
        let title = cx.is_title(i);
        let capital =
            cx.tokens[i].is_capitalised() && !(cx.tokens[i].initial && cx.is_false_capital(i));
        let connector = matches!(text, "to" | "of" | "for" | "the");
        if !(title || capital || connector) || cx.tokens[i].possessive && !has_title {
            break;
        }
        if capital && !title && !has_title {
            untitled_names += 1;
            if untitled_names > 1 {
                break;
            }
        }
        has_title |= title;
        first = i;
        if cx.tokens[i].initial {
            break;
        }
    }
    while first < name && matches!(cx.text(first), "to" | "of" | "for" | "the") {
        first += 1;
    }
    // "an attorney for Scientology": a role ending in "for" or "of" names the organisation
    // that follows it, not a person.
    let ends_in_connector = matches!(cx.text(name - 1), "to" | "of" | "for" | "the");
    (has_title && first < name && !ends_in_connector).then(|| cx.slice(first, name - 1).to_string())
}

/// The role in an apposition after a name: "Mao Ning, spokesperson for the Chinese
/// Foreign Ministry, said".
fn appositive_role(cx: &Context, end: usize) -> Option<String> {
    let after = &cx.body[cx.tokens[end].end..];
    let rest = after.strip_prefix(", ")?;
    let stop = rest
        .find([',', '.', ';', '“', '"', '\n', '(', '—'])
        .unwrap_or(rest.len())
        .min(120);
    let phrase = rest[..rest.floor_char_boundary_compat(stop)].trim();
    // A role has at most twelve words: a longer phrase is none, whatever its words.
    let mut kept = [""; 13];
    let mut count = 0;
    for word in phrase.split_whitespace() {
        if count == kept.len() {
            return None;
        }
        kept[count] = word;
        count += 1;
    }
    let words = &kept[..count];
    let lead = words
        .iter()
        .position(|w| !matches!(lowered(w).as_ref(), "the" | "a" | "an" | "former" | "then"))?;
    let head = lowered(words.get(lead)?);
    // ", including musician Tiziano Lugli": a list or a clause after the name, not its role.
    if matches!(
        head.as_ref(),
        "including"
            | "such"
            | "like"
            | "especially"
            | "notably"
            | "among"
            | "and"
            | "or"
            | "with"
            | "who"
            | "which"
            | "whose"
            | "where"
            | "when"
            | "whom"
            | "while"
    ) {
        return None;
    }
    let titled = words
        .iter()
        .skip(lead)
        .take(3)
        .any(|w| gazetteer::is_title_word(&lowered(w)));
    let opens_name = words[lead].chars().next().is_some_and(char::is_uppercase)
        && !gazetteer::is_title_word(&head);
    (titled && !opens_name && words.len() <= 12).then(|| phrase.to_string())
}

/// `word` lower-cased, borrowed when it already is (most words in running text are).
fn lowered(word: &str) -> Cow<'_, str> {
    if word.is_ascii() && !word.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

/// Whether a reporting verb follows the word at `end` ("Smith remarked", "Putin also added").
fn speaks(cx: &Context, end: usize) -> bool {
    let mut i = end + 1;
    while i < cx.tokens.len() && cx.tokens[i].joined && SPEECH_ADVERBS.contains(&cx.text(i)) {
        i += 1;
    }
    i < cx.tokens.len() && cx.tokens[i].joined && SPEECH_VERBS.contains(&cx.text(i))
}

trait FloorBoundary {
    fn floor_char_boundary_compat(&self, at: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, at: usize) -> usize {
        (0..=at.min(self.len()))
            .rev()
            .find(|&i| self.is_char_boundary(i))
            .unwrap_or(0)
    }
}
