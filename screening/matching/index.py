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
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from typing import Any, Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.listings.records import EntityKind, ListEntry, NameStrength
from screening.matching.model import Evidence, Match, MatchResult, Query
from screening.matching.party import MAX_BONUS, Party, merge_party, secondary_evidence
from screening.matching.scoring import NameScore, compare, token_similarity
from screening.names.normalize import NormName, normalize_name
from screening.names.vocab import GENERIC_WORDS

# OFAC's "weak" akas are too broad to act on alone: capped below the review threshold, they show
# as near misses and reach review only with secondary evidence (a listed domain).
WEAK_ALIAS_CAP: Final = 0.75
GENERIC_WEIGHT: Final = 0.5  # generic words count half their IDF
# Query words beyond this are ignored (a 1,000-character name holds ~150 words; no listed name
# has more than 40, and scoring cost grows with the product of both word counts).
MAX_QUERY_TOKENS: Final = 40
# Postings longer than this are not walked when the word cannot carry a match on its own.
COMMON_POSTINGS: Final = 1500
MAX_SCORED: Final = 3000
# Matches below this are not reported at all; between it and the policy's review threshold they
# show as near misses on a cleared screen.
DEFAULT_MIN_SCORE: Final = 0.60


@dataclass(frozen=True, slots=True)
class _Name:
    party: int
    value: str
    kind: str
    weak: bool
    norm: NormName
    weights: tuple[float, ...]
    total: float


_PARENTHESES = re.compile(r"\s*\(([^()]*)\)")


def _name_forms(value: str) -> list[str]:
    """The name, plus the name without parentheses and a bracketed one-word short name.

    "National University of Defense Technology (NUDT)" is found as typed in full, without the
    acronym, or by the acronym alone; longer bracketed text ("Parent Organization: ...") names
    another party and is not taken as a name of this one.
    """
    forms = [value]
    if "(" in value:
        bare = " ".join(_PARENTHESES.sub(" ", value).split())
        if bare and bare != value:
            forms.append(bare)
        forms.extend(m for m in _PARENTHESES.findall(value) if len(m) >= 3 and m.isalnum())
    return forms


def _deletions(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


class MatchIndex:
    """Listed parties and their names, ready to screen against. Build with `MatchIndex.build`."""

    __slots__ = (
        "_build_seconds",
        "_compact",
        "_deletes",
        "_expand",
        "_joined",
        "_max_weight",
        "_names",
        "_parties",
        "_postings",
        "_totals",
        "_versions",
        "_weights",
    )

    def __init__(
        self,
        parties: tuple[Party, ...],
        names: tuple[_Name, ...],
        weights: dict[str, float],
        versions: Mapping[str, str],
        started: float,
    ) -> None:
        self._parties = parties
        self._names = names
        self._totals = [n.total for n in names]
        self._weights = weights
        self._max_weight = math.log1p(max(len(names), 1))
        self._versions = dict(versions)
        postings: defaultdict[str, list[int]] = defaultdict(list)
        joined: defaultdict[str, list[int]] = defaultdict(list)
        compact: defaultdict[str, list[int]] = defaultdict(list)
        for nid, name in enumerate(names):
            tokens = name.norm.tokens
            for token in dict.fromkeys(tokens):
                postings[token].append(nid)
            for a, b in pairwise(tokens):
                joined[a + b].append(nid)
            compact[name.norm.compact].append(nid)
            if name.norm.spaced != name.norm.compact:
                compact[name.norm.spaced].append(nid)
        self._postings = {t: tuple(ids) for t, ids in postings.items()}
        self._joined = {t: tuple(ids) for t, ids in joined.items()}
        self._compact = {t: tuple(ids) for t, ids in compact.items()}
        deletes: defaultdict[str, list[str]] = defaultdict(list)
        for token in self._postings:
            if len(token) >= 4:
                for d in _deletions(token):
                    deletes[d].append(token)
        self._deletes = {d: tuple(ts) for d, ts in deletes.items()}
        self._expand = lru_cache(maxsize=65536)(self._expand_uncached)
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
        for group in groups.values():
            party, party_names = merge_party(group)
            pid = len(parties)
            parties.append(party)
            seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
            for name in party_names:
                for value in _name_forms(name.value):
                    norm = normalize_name(value)
                    if not norm.tokens or (norm.tokens, norm.legal) in seen:
                        continue
                    seen.add((norm.tokens, norm.legal))
                    weak = name.strength is NameStrength.WEAK
                    raw_names.append((pid, value, name.kind, weak, norm))
        df: defaultdict[str, int] = defaultdict(int)
        for *_, norm in raw_names:
            for token in set(norm.tokens):
                df[token] += 1
        n = len(raw_names)
        weights = {
            t: math.log1p(n / c) * (GENERIC_WEIGHT if t in GENERIC_WORDS else 1.0)
            for t, c in df.items()
        }
        indexed: list[_Name] = []
        for pid, value, kind, weak, norm in raw_names:
            ws = tuple(weights[t] for t in norm.tokens)
            indexed.append(_Name(pid, value, kind, weak, norm, ws, sum(ws)))
        return cls(tuple(parties), tuple(indexed), weights, versions, started)

    # -- retrieval ---------------------------------------------------------------------------

    def _expand_uncached(self, token: str) -> tuple[str, ...]:
        """Vocabulary words within one deletion on either side (covers one typing error)."""
        found: dict[str, None] = {}
        if token in self._postings:
            found[token] = None
        if len(token) >= 4:
            found.update(dict.fromkeys(self._deletes.get(token, ())))
            for d in _deletions(token):
                if d in self._postings and len(d) >= 4:
                    found[d] = None
                found.update(dict.fromkeys(self._deletes.get(d, ())))
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
        totals = self._totals
        bounds = [
            (ub, nid)
            for nid, s in acc.items()
            if (ub := min(1.0, (s + skipped) / (total_q + totals[nid]))) >= floor
        ]
        bounds.extend((1.0, nid) for nid in forced)
        bounds.sort(reverse=True)
        return bounds

    # -- screening ---------------------------------------------------------------------------

    def _compare(self, q: NormName, qw: Sequence[float], name: _Name) -> NameScore:
        person = self._parties[name.party].kind is EntityKind.PERSON
        return compare(q, qw, name.norm, name.weights, person=person)

    def _score(
        self,
        query: Query,
        q: NormName,
        qw: Sequence[float],
        name: _Name,
        ns: NameScore | None = None,
    ) -> Match | None:
        party = self._parties[name.party]
        if ns is None:
            ns = self._compare(q, qw, name)
        if ns.distinctive <= 0.0:
            return None
        evidence = list(ns.evidence)
        score = ns.score
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
        extra = secondary_evidence(query, party)
        evidence.extend(extra)
        score = max(0.0, min(1.0, score + sum(e.delta for e in extra)))
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

    def screen(
        self, query: Query, *, limit: int = 5, min_score: float = DEFAULT_MIN_SCORE
    ) -> MatchResult:
        """Screen one query: the best `limit` parties scoring at least `min_score`, best first."""
        q = normalize_name(query.name)
        if len(q.tokens) > MAX_QUERY_TOKENS:
            kept = q.tokens[:MAX_QUERY_TOKENS]
            q = replace(q, tokens=kept, raw=q.raw[:MAX_QUERY_TOKENS], compact="".join(kept))
        if q.generic_only:
            note = "the name holds only legal forms or generic words; nothing to match on"
            return MatchResult(query, [], dict(self._versions), note)
        qw = self._query_weights(q.tokens)
        secondary = query.country or query.domain or query.address or query.identifier
        bonus = MAX_BONUS if secondary else 0.0
        best: dict[int, Match] = {}
        floor = min_score
        for scored, (bound, nid) in enumerate(self._candidates(q, qw, min_score - bonus)):
            if bound + bonus < floor or scored >= MAX_SCORED:
                break
            name = self._names[nid]
            ns = self._compare(q, qw, name)
            # Cheap reject before building evidence: the name score plus any bonus cannot reach.
            if ns.score + bonus < floor:
                continue
            match = self._score(query, q, qw, name, ns)
            if match is None or match.score < min_score:
                continue
            held = best.get(name.party)
            if held is None or match.score > held.score:
                best[name.party] = match
                if len(best) >= limit:
                    floor = max(min_score, sorted(m.score for m in best.values())[-limit])
        matches = sorted(best.values(), key=lambda m: (-m.score, m.entity_name))[:limit]
        return MatchResult(query, matches, dict(self._versions))

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
        q = normalize_name(query.name)
        if q.generic_only:
            return []
        qw = self._query_weights(q.tokens)
        vocab = list(self._postings)
        ids: set[int] = set(self._compact.get(q.compact, ()))
        ids.update(self._compact.get(q.spaced, ()))
        for t in q.tokens:
            near = process.extract(t, vocab, scorer=OSA.distance, score_cutoff=2, limit=None)
            for v, _, _ in near:
                if token_similarity(t, v) > 0.0:
                    ids.update(self._postings[v])
            ids.update(self._joined.get(t, ()))
        for a, b in pairwise(q.tokens):
            ids.update(self._postings.get(a + b, ()))
        best: dict[int, Match] = {}
        for nid in ids:
            name = self._names[nid]
            match = self._score(query, q, qw, name)
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
