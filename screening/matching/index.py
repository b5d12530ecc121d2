"""The immutable match index: listed names, their token weights and the retrieval structures.

Build once per set of list versions; a new version builds a new index and the service swaps the
reference. Nothing here mutates after `build` returns, so one index serves many threads.

Retrieval: an inverted index over canonical tokens, widened for typing errors by a one-deletion
neighbourhood of the vocabulary (SymSpell), plus keys for words written together or apart. Each
candidate gets an upper bound on its score from the weights of the words it shares with the query;
candidates are scored best bound first and the scan stops once no bound can reach the results.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.listings.records import EntityKind, ListEntry, NameStrength
from screening.matching.consonants import CONSONANT_SCORE, ConsonantIndex, consonant_evidence
from screening.matching.consonants import MATCH_TYPE as CONSONANTS
from screening.matching.model import Evidence, Match, MatchResult, Query
from screening.matching.party import MAX_BONUS, Party, max_bonus, merge_party, secondary_evidence
from screening.matching.readings import Read, Terms, read
from screening.matching.scoring import (
    NameScore,
    compare,
    compound_keys,
    core_words,
    is_compound,
    token_similarity,
    whole_name,
)
from screening.names.acronyms import acronym_table, derived_acronyms, expand, published_acronym
from screening.names.chinese import han_readings
from screening.names.evasion import Finding
from screening.names.forms import Reading, name_forms, warm_tables
from screening.names.native import native_names_by_listed
from screening.names.normalize import NormName, normalize_name
from screening.names.pinyin import pinyin_reading
from screening.names.vocab import GENERIC_WORDS
from screening.priority import FOREGROUND

# Building yields to requests in flight in this process (see screening.priority).
courteous = FOREGROUND.courteous

# OFAC's "weak" akas are too broad to act on alone: capped below the review threshold, they show
# as near misses and reach review only with secondary evidence (a listed domain).
WEAK_ALIAS_CAP: Final = 0.75
GENERIC_WEIGHT: Final = 0.5  # generic words count half their IDF
# Query words beyond this are ignored (a 1,000-character name holds ~150 words; no listed name
# has more than 40, and scoring cost grows with the product of both word counts).
MAX_QUERY_TOKENS: Final = 40
# Postings longer than this are not walked when the word cannot carry a match on its own.
COMMON_POSTINGS: Final = 1500
# Query words whose typo expansions are kept; cleared when full (a screen repeats few words).
EXPANSIONS_CACHED: Final = 65536
MAX_SCORED: Final = 3000
# Matches below this are not reported at all; between it and the policy's review threshold they
# show as near misses on a cleared screen.
DEFAULT_MIN_SCORE: Final = 0.60
# Digits read as letters and acronyms read as names are guesses: a match through one costs this.
GUESS_COST: Final = 0.02
_GUESSES = frozenset({"digits_as_letters", "acronym_expanded"})
# A core word in the names of this many parties names a group with listed affiliates.
GROUP_PARTIES: Final = 3
_MOVING = frozenset({EntityKind.VESSEL, EntityKind.AIRCRAFT})
_MARGIN: Final = 1e-9


def _cut(q: NormName) -> NormName:
    """The name with only its first MAX_QUERY_TOKENS words."""
    if len(q.tokens) <= MAX_QUERY_TOKENS:
        return q
    kept = q.tokens[:MAX_QUERY_TOKENS]
    return replace(q, tokens=kept, raw=q.raw[:MAX_QUERY_TOKENS], compact="".join(kept))


@dataclass(frozen=True, slots=True)
class _Name:
    party: int
    value: str
    kind: str
    weak: bool
    norm: NormName
    weights: tuple[float, ...]
    total: float
    # The words that identify the group (scoring.core_words); () for people.
    core: tuple[str, ...] = ()


def _deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


class MatchIndex:
    """Listed parties and their names, ready to screen against. Build with `MatchIndex.build`."""

    __slots__ = (
        "_acronym_names",
        "_acronyms",
        "_build_seconds",
        "_compact",
        "_compounds",
        "_consonants",
        "_core_of",
        "_cores",
        "_deletes",
        "_distinct",
        "_expansions",
        "_groups",
        "_joined",
        "_leading",
        "_max_weight",
        "_names",
        "_own",
        "_parties",
        "_postings",
        "_totals",
        "_versions",
        "_weights",
        "_wholes",
    )

    def __init__(
        self,
        parties: tuple[Party, ...],
        names: tuple[_Name, ...],
        weights: dict[str, float],
        versions: Mapping[str, str],
        started: float,
        acronyms: Mapping[str, tuple[str, int]] = {},
    ) -> None:
        self._acronyms = dict(acronyms)
        # Published acronyms one letter apart are other groups (CASC, CASIC, CSIC), not typos.
        self._distinct = frozenset(acronyms)
        self._acronym_names = {a: e for a, (e, _) in acronyms.items()}
        self._parties = parties
        self._names = names
        self._totals = [n.total for n in names]
        self._weights = weights
        self._max_weight = math.log1p(max(len(names), 1))
        self._versions = dict(versions)
        postings: defaultdict[str, list[int]] = defaultdict(list)
        joined: defaultdict[str, list[int]] = defaultdict(list)
        compact: defaultdict[str, list[int]] = defaultdict(list)
        cores: defaultdict[str, list[int]] = defaultdict(list)
        # Containment is for organisations: a person's name inside a longer one is no affiliate.
        self._core_of = [name.core for name in names]
        # Per party, the words of all its names: an affiliate's name may add another of them to
        # one ("ByteDance Seed", "Alibaba Qwen": the group and its own product).
        own: list[set[str]] = [set() for _ in parties]
        for name in courteous(names, 64):
            own[name.party].update(name.norm.tokens)
        self._own = [frozenset(words) for words in own]
        for nid, name in courteous(enumerate(names), 64):
            tokens = name.norm.tokens
            for token in dict.fromkeys(name.core):
                cores[token].append(nid)
            for token in dict.fromkeys(tokens):
                postings[token].append(nid)
            for a, b in pairwise(tokens):
                joined[a + b].append(nid)
            compact[name.norm.compact].append(nid)
            if name.norm.spaced != name.norm.compact:
                compact[name.norm.spaced].append(nid)
        self._postings = {t: tuple(ids) for t, ids in courteous(postings.items(), 256)}
        self._joined = {t: tuple(ids) for t, ids in courteous(joined.items(), 256)}
        self._compact = {t: tuple(ids) for t, ids in courteous(compact.items(), 256)}
        # A core word in very many names distinguishes nothing: not a route to an affiliate.
        self._cores = {
            t: tuple(ids) for t, ids in courteous(cores.items(), 256) if len(ids) <= COMMON_POSTINGS
        }
        # A name with no core that identifies its party when all of it is in a longer query
        # (`scoring.whole_name`), reached by its rarest word: with many words added, its bound
        # can fall under the floor ("All Ports Ho Chi Minh City" for ALL PORTS INC.).
        wholes: defaultdict[str, list[int]] = defaultdict(list)
        for nid, name in courteous(enumerate(names), 64):
            if (
                not name.core
                and parties[name.party].kind is not EntityKind.PERSON
                and whole_name(name.norm)
            ):
                wholes[min(set(name.norm.tokens), key=lambda t: len(postings[t]))].append(nid)
        self._wholes = {t: tuple(ids) for t, ids in wholes.items()}
        self._consonants = ConsonantIndex.build(
            names, (parties[n.party].kind is EntityKind.ORGANIZATION for n in names)
        )
        # Groups: a core word naming several parties, or a party whose Chinese names our data file
        # gives (the lists print few of a Chinese group's many companies).
        native = {n.party for n in names if n.kind == "native_script"}
        groups: set[str] = set()
        for t, ids in courteous(cores.items(), 64):
            owners = {names[i].party for i in ids}
            if len(owners) >= GROUP_PARTIES or owners & native:
                groups.add(t)
        self._groups = frozenset(groups)
        deletes: defaultdict[str, list[str]] = defaultdict(list)
        for token in courteous(self._postings, 16):
            if len(token) >= 4:
                for d in _deletions(token):
                    deletes[d].append(token)
        self._deletes = {d: tuple(ts) for d, ts in courteous(deletes.items(), 256)}
        # Listed words by `compound_keys`, so that a query word retrieves the listed words
        # `scoring` takes for forms of it ("ship" retrieves "shipbuilding", "fishery" "fishing").
        compounds: defaultdict[str, list[str]] = defaultdict(list)
        for token in courteous(self._postings, 16):
            for key in compound_keys(token):
                compounds[key].append(token)
        self._compounds = {k: tuple(ts) for k, ts in compounds.items()}
        # A plain dict, not `lru_cache` over a bound method: that would be a reference cycle
        # (index -> cache -> method -> index), which only the cyclic collector frees, and the
        # live index freezes the heap out of collection after a build, so every replaced index
        # was kept alive (about 95 MB per list change on the real lists).
        self._expansions: dict[str, tuple[str, ...]] = {}
        self._leading: dict[str, bool] = {}
        self._build_seconds = time.perf_counter() - started

    @classmethod
    def build(cls, entries: Iterable[ListEntry], versions: Mapping[str, str] = {}) -> MatchIndex:
        """Merge entries into parties (by `ListEntry.key`) and index every name of every party.

        `versions` maps source id -> list version label; every screen result repeats it.
        """
        started = time.perf_counter()
        groups: dict[str, list[ListEntry]] = {}
        for entry in entries:
            groups.setdefault(entry.key, []).append(entry)
        parties: list[Party] = []
        raw_names: list[tuple[int, str, str, bool, NormName]] = []
        native = native_names_by_listed()
        for group in courteous(groups.values()):
            party, party_names = merge_party(group)
            pid = len(parties)
            parties.append(party)
            seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
            # (shown value, text to normalise, name kind, weak)
            forms: list[tuple[str, str, str, bool]] = []
            natives: dict[str, None] = {}
            for name in party_names:
                weak = name.strength is NameStrength.WEAK
                forms.extend((v, v, name.kind, weak) for v in name_forms(name.value))
                # A name the list gives in pinyin words ("... Lianhe Keji Youxian Gongsi") is
                # read as a query is ("United Technology Co., Ltd."), so that it meets the same
                # name typed in Chinese characters or translated.
                organisation = party.kind is EntityKind.ORGANIZATION
                if organisation and (spelt := pinyin_reading(name.value)) is not None:
                    forms.append((name.value, spelt, name.kind, weak))
                if not weak:
                    natives.update(
                        dict.fromkeys(n.native_name for n in native.get(name.value.casefold(), ()))
                    )
            # Chinese names our data file gives the party, read by sound and by meaning too.
            for value in natives:
                forms.extend(
                    (value, r, "native_script", False) for r in (value, *han_readings(value))
                )
            words_seen: set[tuple[str, ...]] = set()
            for value, reading, kind, weak in forms:
                norm = normalize_name(reading)
                # A native name read into the words of a listed name adds nothing but noise.
                if kind == "native_script" and norm.tokens in words_seen:
                    continue
                if norm.tokens and (norm.tokens, norm.legal) not in seen:
                    seen.add((norm.tokens, norm.legal))
                    words_seen.add(norm.tokens)
                    raw_names.append((pid, value, kind, weak, norm))
        vocabulary = {t for *_, norm in raw_names for t in norm.tokens}
        published, derived = acronym_table(
            (
                (a, parties[pid].name)
                for pid, value, _, weak, _ in raw_names
                if not weak and (a := published_acronym(value, parties[pid].name)) is not None
            ),
            (
                (a, parties[pid].name)
                for pid, value, kind, _, norm in raw_names
                if kind == "primary" and parties[pid].kind is EntityKind.ORGANIZATION
                for a in derived_acronyms(norm)
            ),
            vocabulary,
        )
        pid_of = {p.name: i for i, p in enumerate(parties)}
        # A derived acronym is a guess: indexed weak, it never reaches review on its own.
        for acronym, expansion in derived.items():
            norm = normalize_name(acronym)
            raw_names.append((pid_of[expansion], acronym.upper(), "derived_acronym", True, norm))
        # "AVIC Shenyang Aircraft" is also "Aviation Industry Corporation of China Shenyang
        # Aircraft", which is how a customer translating 中航沈飞 writes it.
        for pid, value, kind, weak, norm in courteous(list(raw_names), 64):
            if weak or kind == "native_script" or parties[pid].kind is not EntityKind.ORGANIZATION:
                continue
            for token in norm.tokens[:1]:
                owner = published.get(token)
                if owner is not None and pid_of[owner] != pid and len(norm.tokens) > 1:
                    expanded = expand(value, {token: owner})
                    if expanded is not None:
                        raw_names.append((pid, value, kind, False, normalize_name(expanded[0])))
        df: defaultdict[str, int] = defaultdict(int)
        for *_, norm in courteous(raw_names, 256):
            for token in set(norm.tokens):
                df[token] += 1
        n = len(raw_names)
        weights = {
            t: math.log1p(n / c) * (GENERIC_WEIGHT if t in GENERIC_WORDS else 1.0)
            for t, c in df.items()
        }
        indexed: list[_Name] = []
        for pid, value, kind, weak, norm in courteous(raw_names, 64):
            ws = tuple(weights[t] for t in norm.tokens)
            core = () if parties[pid].kind is EntityKind.PERSON else core_words(norm)
            indexed.append(_Name(pid, value, kind, weak, norm, ws, sum(ws), core))
        # Only a published acronym is read as its name inside a longer query: a derived one is
        # a guess, and the rest of the query ("EOG Resources": + resources) would then be taken
        # for affiliate words of some other party sharing the guessed name's words.
        acronyms = {a: (e, pid_of[e]) for a, e in published.items()}
        # Load every query-side table now, so the first screen after a build is not the slow one.
        warm_tables()
        return cls(tuple(parties), tuple(indexed), weights, versions, started, acronyms)

    def dismantle(self) -> None:
        """Free this index piece by piece, stepping aside for requests in between; freeing it in
        one go holds the interpreter for ~60 ms on the real lists. Only for an index that no
        screen can still be using (the live index checks that)."""
        for table in (
            self._deletes,
            self._postings,
            self._joined,
            self._compact,
            self._cores,
            self._wholes,
            self._expansions,
            self._leading,
            self._weights,
        ):
            for key in courteous(list(table), 512):
                del table[key]
        self._consonants.dismantle()
        names, self._names = list(self._names), ()
        parties, self._parties = list(self._parties), ()
        self._core_of = []
        self._own = []
        self._totals = []
        for items in (names, parties):
            while items:
                FOREGROUND.pause()
                del items[-256:]

    # -- retrieval ---------------------------------------------------------------------------

    def _expand(self, token: str) -> tuple[str, ...]:
        """Vocabulary words within one deletion on either side (covers one typing error)."""
        cached = self._expansions.get(token)
        if cached is not None:
            return cached
        if len(self._expansions) >= EXPANSIONS_CACHED:
            self._expansions.clear()
        expanded = self._expansions[token] = self._expand_uncached(token)
        return expanded

    def _expand_uncached(self, token: str) -> tuple[str, ...]:
        found: dict[str, None] = {}
        if token in self._postings:
            found[token] = None
        if len(token) >= 4:
            found.update(dict.fromkeys(self._deletes.get(token, ())))
            for d in _deletions(token):
                if d in self._postings and len(d) >= 4:
                    found[d] = None
                found.update(dict.fromkeys(self._deletes.get(d, ())))
            for key in compound_keys(token):
                found.update(
                    (t, None) for t in self._compounds.get(key, ()) if is_compound(token, t)
                )
        return tuple(found)

    def _query_weights(self, tokens: Sequence[str]) -> tuple[float, ...]:
        out: list[float] = []
        for token in tokens:
            weight = self._weights.get(token)
            if weight is None:
                # An unknown word weighs what the listed word it may be a misspelling of weighs.
                near = [self._weights[t] for t in self._expand(token)]
                weight = max(near) if near else self._max_weight
            out.append(weight)
        return tuple(out)

    def _candidates(
        self, q: NormName, qw: Sequence[float], floor: float
    ) -> list[tuple[float, int]]:
        """(upper bound, name id) pairs, highest bound first."""
        acc: dict[int, float] = {}
        expansions = [self._expand(t) for t in q.tokens]
        total_q = sum(qw)
        weights = self._weights
        postings = self._postings
        # A word with very long postings is not walked when it cannot carry a match on its own:
        # generic words never can; others only if the rarer query words are enough to reach the
        # floor. Its weight is added to every candidate's bound instead.
        common = [any(len(postings[v]) > COMMON_POSTINGS for v in vocab) for vocab in expansions]
        rest_q = sum(w for w, c in zip(qw, common, strict=True) if not c)
        skipped = 0.0
        for i, vocab in enumerate(expansions):
            if common[i] and rest_q > 0:
                pair = max(qw[i] + weights[v] for v in vocab)
                generic = all(v in GENERIC_WORDS for v in vocab)
                if generic or (skipped + pair) / (skipped + pair + rest_q) < floor:
                    skipped += pair
                    continue
            for v in vocab:
                pair = qw[i] + weights[v]
                get = acc.get
                for nid in postings[v]:
                    acc[nid] = get(nid, 0.0) + pair
        forced: set[int] = set(self._compact.get(q.compact, ()))
        forced.update(self._compact.get(q.spaced, ()))
        for t in q.tokens:
            forced.update(self._joined.get(t, ()))
        for a, b in pairwise(q.tokens):
            forced.update(self._postings.get(a + b, ()))
        # A listed name whose distinctive words all sit in a longer query: a possible affiliate.
        qset = set(q.tokens)
        core_of = self._core_of
        for t in qset:
            for nid in self._cores.get(t, ()):
                if nid not in forced and qset.issuperset(core_of[nid]):
                    forced.add(nid)
            for nid in self._wholes.get(t, ()):
                if nid not in forced and qset.issuperset(self._names[nid].norm.tokens):
                    forced.add(nid)
        totals = self._totals
        # Bounds above 1.0 are left unclipped: only their order and the floor matter.
        bounds = [
            (ub, nid)
            for nid, s in acc.items()
            if (ub := (s + skipped) / (total_q + totals[nid])) >= floor
        ]
        bounds.extend((1.0, nid) for nid in forced)
        bounds.sort(reverse=True)
        return bounds

    # -- screening ---------------------------------------------------------------------------

    def _compare(
        self,
        q: NormName,
        qw: Sequence[float],
        name: _Name,
        needed: float,
        alone: tuple[float, ...] | None,
    ) -> NameScore:
        """`compare` with this index's tables; `alone` is `_alone` of the query (once a query)."""
        person = self._parties[name.party].kind is EntityKind.PERSON
        return compare(
            q,
            qw,
            name.norm,
            name.weights,
            person=person,
            groups=self._groups,
            core=name.core,
            own=self._own[name.party],
            needed=needed,
            alone=alone,
            distinct=self._distinct,
        )

    def _alone(self, tokens: Sequence[str], qw: Sequence[float]) -> tuple[float, ...] | None:
        """The weights of the query words when unmet (`compare`), or None if they are `qw`:
        an unknown word ("Gartner", "Generac") weighs as a misspelling of its neighbour
        ("partner", "general") only where it meets that neighbour."""
        weights = self._weights
        if all(t in weights for t in tokens):
            return None
        return tuple(
            w if t in weights else max(w, self._max_weight) for t, w in zip(tokens, qw, strict=True)
        )

    def _score(
        self,
        query: Query,
        q: NormName,
        qw: Sequence[float],
        name: _Name,
        ns: NameScore | None = None,
        reading: Reading | None = None,
    ) -> Match | None:
        party = self._parties[name.party]
        if ns is None:
            ns = self._compare(q, qw, name, -math.inf, self._alone(q.tokens, qw))
        if ns.distinctive <= 0.0:
            return None
        evidence = list(ns.evidence)
        score = ns.score
        if query.hidden:
            evidence.append(
                Evidence("invisible_removed", f"{query.hidden} invisible characters removed")
            )
        for found in reading.findings if reading is not None else ():
            delta = -GUESS_COST if found.kind in _GUESSES else 0.0
            evidence.append(Evidence(found.kind, found.detail, delta))
            score += delta
        match_type = ns.match_type
        if name.kind != "primary":
            evidence.append(Evidence("listed_name", f"matched a listed {name.kind} name"))
            if match_type == "exact":
                match_type = "alias"
        if q.transliterated:
            evidence.append(Evidence("transliterated", "query romanised from its own script"))
            match_type = "transliterated"
        if name.weak:
            match_type = "weak_alias"
            if score > WEAK_ALIAS_CAP:
                evidence.append(
                    Evidence("weak_alias", "weak alias: score capped", WEAK_ALIAS_CAP - score)
                )
                score = WEAK_ALIAS_CAP
            else:
                evidence.append(Evidence("weak_alias", "weak alias"))
        extra = secondary_evidence(query, party, contained=ns.match_type == "contained")
        evidence.extend(extra)
        score = max(0.0, min(1.0, score + sum(e.delta for e in extra)))
        return _match(query, party, name, score, match_type, evidence)

    def screen(
        self, query: Query, *, limit: int = 5, min_score: float = DEFAULT_MIN_SCORE
    ) -> MatchResult:
        """Screen one query: the best `limit` parties scoring at least `min_score`, best first.

        The query is read as typed and in its other readings (Chinese by sound and meaning,
        pinyin, digits as letters); each party keeps its best match over all readings.
        """
        return self.screen_read(query, read(query.name), limit=limit, min_score=min_score)

    def screen_read(
        self,
        query: Query,
        readings: Read,
        *,
        limit: int = 5,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> MatchResult:
        """`screen` with the query's readings given (`readings.read(query.name)`, or kept from
        an earlier screen by `readings.keep`)."""
        best: dict[int, Match] = {}
        note = None
        for reading, q, exclude in self._expanded(readings):
            q = _cut(q)
            if q.generic_only:
                note = (
                    note or "the name holds only legal forms or generic words; nothing to match on"
                )
                continue
            self._screen_reading(query, reading, q, limit, min_score, exclude, best)
        self._by_consonants(query, min_score, best)
        if best:
            note = None
        matches = sorted(best.values(), key=lambda m: (-m.score, m.entity_name))[:limit]
        return MatchResult(query, matches, dict(self._versions), note)

    def may_meet(self, readings: Read, floor: float, bonus: float = MAX_BONUS) -> bool:
        """Could a query read as `readings` meet a party here at `floor` or more, given that
        its secondary facts add at most `bonus`? An upper bound, for choosing what to screen:
        every kind of party counts and guesses cost nothing, so the answer is yes whenever
        `screen_read` could report a match at that floor."""
        needed = floor - bonus
        by_consonants = (self._consonants.lookup(r.text)[1] for r, _ in readings)
        if needed <= CONSONANT_SCORE and any(by_consonants):
            return True
        for _, q, _ in self._expanded(readings):
            q = _cut(q)
            if q.generic_only:
                continue
            qw = self._query_weights(q.tokens)
            alone = self._alone(q.tokens, qw)
            for bound, nid in self._candidates(q, qw, needed):
                if bound < needed:
                    break
                name = self._names[nid]
                if self._compare(q, qw, name, needed - _MARGIN, alone).score >= needed:
                    return True
        return False

    def may_reach(self, terms: Terms) -> bool:
        """Could a query with these terms lead to any name here at all? Only names reached
        through a word, a typing error of one, words written together or apart, or an acronym
        are ever scored, so a query none of whose terms leads anywhere meets nothing here. A
        cheap test ahead of `may_meet`, for a small index."""
        compact, postings, consonants = self._compact, self._postings, self._consonants
        return any(k in compact or k in postings or k in consonants for k in terms.keys) or any(
            self._leads(word) for word in terms.words
        )

    def _leads(self, term: str) -> bool:
        found = self._leading.get(term)
        if found is None:
            found = bool(
                self._expand(term)
                or term in self._compact
                or term in self._joined
                or term in self._cores
                or term in self._acronym_names
            )
            if len(self._leading) >= EXPANSIONS_CACHED:
                self._leading.clear()
            self._leading[term] = found
        return found

    def _expanded(self, readings: Read) -> list[tuple[Reading, NormName, int]]:
        """The readings, plus each with an acronym word read as the name it stands for
        ("CETC 54th Institute" -> "China Electronics Technology Group Corporation 54th ...").

        With each reading, the party it must not meet (-1 for none): a reading through an
        acronym finds what the rest of the query adds to it, never the acronym's own party,
        which the acronym alone already meets ("CMS Energy" is not CMS).
        """
        out = [(r, q, -1) for r, q in readings]
        for reading, _, _ in list(out):
            expanded = expand(reading.text, self._acronym_names)
            if expanded is not None:
                text, acronym = expanded
                found = Finding("acronym_expanded", f"{acronym.upper()} read as {text!r}")
                guess = Reading(text, (*reading.findings, found), guessed=True)
                out.append((guess, normalize_name(text), self._acronyms[acronym][1]))
        # Readings that normalise alike ("华为" typed and read by sound) are scanned once.
        seen: set[tuple[tuple[str, ...], tuple[str, ...], int]] = set()
        unique: list[tuple[Reading, NormName, int]] = []
        for reading, q, exclude in out:
            key = (q.tokens, q.legal, exclude)
            if key not in seen:
                seen.add(key)
                unique.append((reading, q, exclude))
        return unique

    def _allowed(self, query: Query, party: Party) -> bool:
        if query.kind in ("vessel", "aircraft"):
            return party.kind.value == query.kind
        return party.kind not in _MOVING

    def _by_consonants(self, query: Query, min_score: float, best: dict[int, Match]) -> None:
        """Parties whose listed names have the consonants of a query in Arabic script, where
        no word met them better (`consonants`)."""
        key, found = self._consonants.lookup(query.name)
        for nid in found:
            name = self._names[nid]
            party = self._parties[name.party]
            if name.party in best or not self._allowed(query, party):
                continue
            evidence = [consonant_evidence(key)]
            if name.kind != "primary":
                evidence.append(Evidence("listed_name", f"matched a listed {name.kind} name"))
            evidence.extend(secondary_evidence(query, party))
            score = max(0.0, min(1.0, sum(e.delta for e in evidence)))
            if score >= min_score:
                best[name.party] = _match(query, party, name, score, CONSONANTS, evidence)

    def _screen_reading(
        self,
        query: Query,
        reading: Reading,
        q: NormName,
        limit: int,
        min_score: float,
        exclude: int,
        best: dict[int, Match],
    ) -> None:
        """Add this reading's matches to `best` (party -> best match over the readings so far);
        what earlier readings found raises the floor, so later readings score fewer names."""
        qw = self._query_weights(q.tokens)
        alone = self._alone(q.tokens, qw)
        bonus = max_bonus(query)
        cost = GUESS_COST if reading.guessed else 0.0
        floor = min_score + cost
        if len(best) >= limit:
            floor = max(min_score, sorted(m.score for m in best.values())[-limit]) + cost
        for scored, (bound, nid) in enumerate(self._candidates(q, qw, floor - bonus)):
            if bound + bonus < floor or scored >= MAX_SCORED:
                break
            name = self._names[nid]
            if name.party == exclude or not self._allowed(query, self._parties[name.party]):
                continue
            # Evidence is built only for a name that may reach the floor (with a margin for
            # rounding: the test below decides).
            ns = self._compare(q, qw, name, floor - bonus - _MARGIN, alone)
            # Cheap reject before building evidence: the name score plus any bonus cannot reach.
            if ns.score + bonus < floor:
                continue
            match = self._score(query, q, qw, name, ns, reading)
            if match is None or match.score < min_score:
                continue
            held = best.get(name.party)
            if held is None or match.score > held.score:
                best[name.party] = match
                if len(best) >= limit:
                    kth = sorted(m.score for m in best.values())[-limit]
                    floor = max(min_score, kth) + cost

    def screen_many(
        self,
        queries: Iterable[Query],
        *,
        limit: int = 5,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> list[MatchResult]:
        """Screen a batch; results in query order."""
        return [self.screen(q, limit=limit, min_score=min_score) for q in queries]

    def full_scan(self, query: Query, *, min_score: float = DEFAULT_MIN_SCORE) -> list[Match]:
        """Reference for retrieval: score every name that shares any word-level similarity.

        Exhaustive rather than pruned: every vocabulary word is compared with every query word
        (the scorer gives 0 to a name without such a word, joined words aside, which are exact
        lookups), and every name holding one is scored. Slow; for the bench and tests.
        """
        best: dict[int, Match] = {}
        vocab = list(self._postings)
        for reading, q, exclude in self._expanded(read(query.name)):
            if q.generic_only:
                continue
            qw = self._query_weights(q.tokens)
            ids: set[int] = set(self._compact.get(q.compact, ()))
            ids.update(self._compact.get(q.spaced, ()))
            for t in q.tokens:
                near = process.extract(t, vocab, scorer=OSA.distance, score_cutoff=2, limit=None)
                for v, _, _ in near:
                    if token_similarity(t, v) > 0.0:
                        ids.update(self._postings[v])
                ids.update(self._joined.get(t, ()))
                ids.update(self._cores.get(t, ()))
            for a, b in pairwise(q.tokens):
                ids.update(self._postings.get(a + b, ()))
            for nid in ids:
                name = self._names[nid]
                if name.party == exclude or not self._allowed(query, self._parties[name.party]):
                    continue
                match = self._score(query, q, qw, name, None, reading)
                if match is not None and match.score >= min_score:
                    held = best.get(name.party)
                    if held is None or match.score > held.score:
                        best[name.party] = match
        return sorted(best.values(), key=lambda m: (-m.score, m.entity_name))

    @property
    def versions(self) -> dict[str, str]:
        """Source id -> list version label this index was built from."""
        return dict(self._versions)

    def stats(self) -> dict[str, Any]:
        """Sizes and build time, for health checks and the bench."""
        return {
            "parties": len(self._parties),
            "names": len(self._names),
            "tokens": len(self._postings),
            "postings": sum(len(p) for p in self._postings.values()),
            "typo_keys": len(self._deletes),
            "build_seconds": round(self._build_seconds, 3),
            "versions": dict(self._versions),
        }


def _match(
    query: Query, party: Party, name: _Name, score: float, match_type: str, evidence: list[Evidence]
) -> Match:
    return Match(
        party_key=party.key,
        source=party.sources[0],
        sources=party.sources,
        source_key=party.source_keys[0],
        source_keys=party.source_keys,
        lists=party.lists,
        programs=party.programs,
        kind=party.kind.value,
        entity_name=party.name,
        matched_name=name.value,
        matched_name_kind=name.kind,
        query_name=query.name,
        score=score,
        match_type=match_type,
        evidence=tuple(evidence),
    )
