"""Comparing one normalised query name with one normalised listed name.

The score is an IDF-weighted token alignment (a weighted Dice coefficient): each query word is
paired with at most one listed word (equal, or within a few typing errors), and every pair counts
with the weights of both words, so rare words carry a match and generic ones hardly do. Legal
forms, abbreviations and word order then adjust the score a little, each as visible evidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import Stemmer
from rapidfuzz.distance import OSA

from screening.matching.model import Evidence
from screening.names.affiliate import (
    droppable_words,
    is_designator,
    is_english_word,
    phrase_places,
    place_or_generic_words,
)
from screening.names.normalize import NormName
from screening.names.pinyin import split_syllables
from screening.names.vocab import GENERIC_WORDS

_STEMMER = Stemmer.Stemmer("english")

# Tuned on the tuning split of bench/build_eval_set.py; see bench/matching_quality.py.
TYPO_COST: Final = 1.0  # score lost per edit, relative to word length
SHORT_WORD: Final = 5
SHORT_TYPO_COST: Final = 1.5
LEGAL_FORM_MISSING: Final = 0.02  # one side names a legal form, the other none
LEGAL_FORM_CONFLICT: Final = 0.04  # both name one and they differ (Corp. vs GmbH)
ABBREVIATION_COST: Final = 0.01
REORDER_COST: Final = 0.02  # organisations only; person names are order-free
# A name met only through misspellings of everyday English words, beside places and business
# words ("Entergy", "Evergy" for JSC ENERGIES; "Entergy Malaysia" for NOOR ENERGY (MALAYSIA)):
# a brand is often coined one letter from a word, so that is another name.
ENGLISH_TYPO_COST: Final = 0.10
# Numbers identify: the 72nd institute of an academy is not its 702nd, nor its 2nd academy the
# 1st. Both names hold a number the other lacks.
NUMBER_CONFLICT_COST: Final = 0.15
# Two forms of one English word ("Supercomputer" / "Supercomputing", "Industrial" / "Industry"):
# the Snowball stemmer gives them one stem, too far apart in letters for a typing error.
STEM_SCORE: Final = 0.9
STEM_MIN_LENGTH: Final = 5
# When every query word is found in a longer listed name ("Kim Chol" in "Kim Song Chol"), the score
# leans towards how much of the query is explained: customers drop words, they rarely add them.
CONTAINMENT_WEIGHT: Final = 0.6
SPACING_SCORE: Final = 0.97  # same letters, different spacing ("Cloud Walk" / "CloudWalk")
MIN_TOKEN_SIMILARITY: Final = 0.0
# A query holding every distinctive word of a listed name plus only places, business words and
# legal forms ("Huawei Technologies Singapore Pte. Ltd.") is that group's affiliate: it scores
# this, enough for review after a legal-form cost, however many words it adds.
CONTAINED_SCORE: Final = 0.84
CONTAINED_PER_CORE_WORD: Final = 0.02
CONTAINED_SHARE: Final = 0.03  # per side, times the share of its weight that is matched
MIN_CORE_LENGTH: Final = 3
WHOLE_NAME_WORDS: Final = 3


@lru_cache(maxsize=131072)
def core_words(name: NormName) -> tuple[str, ...]:
    """The words of a listed name that identify its group, or () if they cannot do so alone.

    Places and business words are what affiliates add or drop, so the core is the rest. One core
    word at least must not be plain English ("Panda", "Atlas", "Raven"; "Electric Appliance").
    Short and numeric words ("A.M.", "54") cannot carry a group, so they stay out of the core
    without emptying it; `_contained` still wants them in the query, as they are not droppable.
    """
    droppable = droppable_words()
    phrased = phrase_places(name.tokens)
    core = [
        (t, r)
        for i, (t, r) in enumerate(zip(name.tokens, name.raw, strict=True))
        if t not in droppable and i not in phrased and len(t) >= MIN_CORE_LENGTH and not t.isdigit()
    ]
    if not core:
        return ()
    if all(is_english_word(raw) for _, raw in core):
        return ()
    return tuple(t for t, _ in core)


def whole_name(name: NormName) -> bool:
    """Whether a listed name with no core still identifies its party when all of it is in a
    longer query: three words or more, or two plain English words neither of which is a place,
    a business word or short ("Silver Arrow": rarer as a pair than either word alone)."""
    if len(name.tokens) >= WHOLE_NAME_WORDS:
        return True
    droppable = droppable_words()
    return len(name.tokens) == 2 and all(
        t not in droppable and len(t) >= MIN_CORE_LENGTH and not t.isdigit() for t in name.tokens
    )


# How an added word that is one of the party's own names is shown among the added words.
OWN_WORD_NOTE: Final = " (another of its names)"


def _contained(
    q: NormName,
    c: NormName,
    core: tuple[str, ...],
    matched_q: set[int],
    matched_c: set[int],
    groups: frozenset[str],
    own: frozenset[str] = frozenset(),
) -> tuple[list[str], list[str]] | None:
    """(words the query adds, listed words it leaves out) when the query holds the listed
    name's core and differs from it only by places and business words, or by words of the
    party's other listed names (`own`: "Alibaba Qwen", "ByteDance Seed"); else None."""
    q_phrased = phrase_places(q.tokens)
    unmatched_q = [i for i in range(len(q.tokens)) if i not in matched_q]
    droppable = droppable_words()
    added = [
        q.raw[i] + OWN_WORD_NOTE
        if q.tokens[i] in own and q.tokens[i] not in droppable and i not in q_phrased
        else q.raw[i]
        for i in unmatched_q
    ]
    # A product code may follow the group's name in the query ("Huawei P30"), never stand in
    # for a listed word: it counts as droppable on the query's side only.
    codes = frozenset(i for i in unmatched_q if is_designator(q.tokens[i]))
    adds_only_droppable = _droppable_at(q, q_phrased | codes, unmatched_q, own)
    if not core:
        # A whole listed name (`whole_name`), every word present, is as telling as a coined
        # name ("Korea Mining Development Trading Corporation Beijing Office").
        whole = len(matched_c) == len(c.tokens) and whole_name(c)
        return (added, []) if whole and added and adds_only_droppable else None
    matched = {c.tokens[j] for j in matched_c}
    if not all(t in matched for t in core):
        return None
    unmatched_c = [j for j in range(len(c.tokens)) if j not in matched_c]
    dropped = [c.raw[j] for j in unmatched_c]
    if not adds_only_droppable or not _droppable_at(c, phrase_places(c.tokens), unmatched_c):
        return None
    # One pinyin word is a brand many unrelated Chinese firms share ("Huaxin", "Hongbo"): with it
    # alone, only a place (a branch abroad) or a product code may be added, not another line of
    # business, unless the word names a listed group with listed affiliates (Huawei).
    single = len(core) == 1 and len(matched) == 1 and core[0] not in groups
    if single and _chinese_brand(core[0]):
        places = place_or_generic_words()
        if any(
            q.tokens[i] not in places and q.tokens[i] not in own and i not in q_phrased | codes
            for i in unmatched_q
        ):
            return None
    return (added, dropped) if added or dropped else None


def _droppable_at(
    name: NormName, phrased: frozenset[int], positions: list[int], own: frozenset[str] = frozenset()
) -> bool:
    """Whether the words at `positions` are all words an affiliate may add or drop: places,
    business and generic words, the words of a several-word place (`phrased`), and `own`."""
    droppable = droppable_words()
    return all(
        i in phrased or name.tokens[i] in droppable or name.tokens[i] in own for i in positions
    )


# Syllables that are interjections or one rare character (呣 m, 佛 fo): a word that needs one to
# be spelt in pinyin ("Butembo": bu te m bo) is not a Chinese brand.
_MARGINAL_SYLLABLES: Final = frozenset({"m", "n", "ng", "hm", "hng", "e", "o", "fo", "yo", "lo"})
BRAND_SYLLABLES: Final = 2


def _chinese_brand(word: str) -> bool:
    """A word spelt as a Chinese brand is, in two common pinyin syllables ("Huaxin", "Zhongjie");
    three or more ("Sabalan": sa ba lan) is a name from elsewhere that pinyin happens to spell."""
    split = split_syllables(word)
    return (
        split is not None
        and len(split) <= BRAND_SYLLABLES
        and not _MARGINAL_SYLLABLES.intersection(split)
    )


def allowed_edits(length: int) -> int:
    """How many typing errors a word of this length may carry and still be the same word."""
    if length < 4:
        return 0
    if length < 8:
        return 1
    return 2


def token_similarity(a: str, b: str) -> float:
    """1.0 for equal words, less for words within `allowed_edits` errors, else 0.0."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    limit = allowed_edits(min(len(a), len(b)))
    if limit == 0 or abs(len(a) - len(b)) > limit:
        return 0.0
    distance = OSA.distance(a, b, score_cutoff=limit)
    if distance > limit:
        return 0.0
    # A typo in a short word is weaker evidence: one letter turns many short names into other
    # real names ("Intel" / "Inter", "Cisco" / "Zisco").
    cost = SHORT_TYPO_COST if longest <= SHORT_WORD else TYPO_COST
    return 1.0 - cost * distance / longest


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    match_type: str
    evidence: tuple[Evidence, ...]
    # Weight of the aligned words that are not generic: zero means the match rests on generic
    # words only ("Trading International") and must not be reported.
    distinctive: float


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def _forms(a: str, b: str) -> bool:
    """True for two forms of one English word (same stem, same first four letters)."""
    return min(len(a), len(b)) >= STEM_MIN_LENGTH and a[:4] == b[:4] and _stem(a) == _stem(b)


COMPOUND_SCORE: Final = 0.8
# What English adds to a word's stem and keeps its meaning, as translators of Chinese names use
# either form: fish-ery / fishing (渔业), north-ern / north (北方).
_DERIVATIONS: Final = ("eri", "ern")
MIN_PIECE: Final = 4


def is_compound(a: str, b: str) -> bool:
    """Two English words, neither generic, where one is the other plus an English word
    ("ship" / "shipbuilding") or their stems differ by a derivation ("fishery" / "fishing").
    A coined name does not decompose: "Sber" is not "Sberbank", nor "Neft" "Rosneft"."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if short in GENERIC_WORDS or long in GENERIC_WORDS:
        return False
    rest = long[len(short) :] if long.startswith(short) else ""
    joined = len(rest) >= MIN_PIECE and is_english_word(rest)
    if not joined:
        s, t = sorted((_stem(short), _stem(long)), key=len)
        joined = len(s) >= MIN_PIECE and t[len(s) :] in _DERIVATIONS and t.startswith(s)
    return joined and is_english_word(a) and is_english_word(b)


@lru_cache(maxsize=65536)
def compound_keys(word: str) -> tuple[str, ...]:
    """Keys under which `is_compound` partners of an English word meet: its stem, its stem less a
    derivation, and the English words it starts with that leave an English word ("ship" of
    "shipbuilding"). Partners share a key; sharing one does not make partners (`is_compound`)."""
    if len(word) < MIN_PIECE or word in GENERIC_WORDS or not is_english_word(word):
        return ()
    stem = _stem(word)
    keys = {"=" + stem, word}
    keys.update("=" + stem[: -len(d)] for d in _DERIVATIONS if stem.endswith(d))
    keys.update(
        word[:size]
        for size in range(MIN_PIECE, len(word) - MIN_PIECE + 1)
        if is_english_word(word[:size]) and is_english_word(word[size:])
    )
    return tuple(sorted(keys))


def _align(
    q: Sequence[str], c: Sequence[str], distinct: frozenset[str] = frozenset()
) -> tuple[list[tuple[int, int, float]], list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """Greedy one-to-one pairing by similarity, then words written apart or together. Two
    words of `distinct` are never taken for misspellings of each other."""
    # Equal words first: every pair of them scores 1.0 and so comes before any typo pair in the
    # greedy order. Pairs with a word already taken could never be chosen, so typo pairs are
    # only looked for among the words left over (the same result as pairing everything, faster).
    used_q: set[int] = set()
    used_c: set[int] = set()
    aligned: list[tuple[int, int, float]] = []
    where: dict[str, list[int]] = {}
    for j, ct in enumerate(c):
        where.setdefault(ct, []).append(j)
    exact = [(i, j) for i, qt in enumerate(q) for j in where.get(qt, ())]
    if len(exact) > 1:
        exact.sort(key=lambda p: abs(p[0] - p[1]))
    for i, j in exact:
        if i not in used_q and j not in used_c:
            used_q.add(i)
            used_c.add(j)
            aligned.append((i, j, 1.0))
    if len(used_q) < len(q) and len(used_c) < len(c):
        # `token_similarity`, inlined: this loop runs for every scored name.
        rest_c = [(j, ct, len(ct), ct[:4]) for j, ct in enumerate(c) if j not in used_c]
        distance = OSA.distance
        pairs: list[tuple[float, int, int]] = []
        for i, qt in enumerate(q):
            if i in used_q:
                continue
            lq = len(qt)
            head = qt[:4]
            for j, ct, lc, c_head in rest_c:
                shortest, longest = (lq, lc) if lq < lc else (lc, lq)
                if head == c_head:
                    # `_forms`, inlined, its first letters read once a word.
                    if shortest >= STEM_MIN_LENGTH and _stem(qt) == _stem(ct):
                        pairs.append((STEM_SCORE, i, j))
                        continue
                    if shortest >= 4 and 3 * shortest >= longest and is_compound(qt, ct):
                        pairs.append((COMPOUND_SCORE, i, j))
                        continue
                if shortest < 4 or longest - shortest > (1 if shortest < 8 else 2):
                    continue
                limit = 1 if shortest < 8 else 2
                if qt in distinct and ct in distinct:
                    continue
                d = distance(qt, ct, score_cutoff=limit)
                if d > limit:
                    continue
                cost = SHORT_TYPO_COST if longest <= SHORT_WORD else TYPO_COST
                s = 1.0 - cost * d / longest
                if s > MIN_TOKEN_SIMILARITY:
                    pairs.append((s, i, j))
        if len(pairs) > 1:
            pairs.sort(key=lambda p: (-p[0], abs(p[1] - p[2])))
        for s, i, j in pairs:
            if i not in used_q and j not in used_c:
                used_q.add(i)
                used_c.add(j)
                aligned.append((i, j, s))
    joins: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    if len(used_q) < len(q) and len(used_c) < len(c):
        for a, b, side_a, side_b, flip in (
            (q, c, used_q, used_c, False),
            (c, q, used_c, used_q, True),
        ):
            for k in range(len(a) - 1):
                if k in side_a or k + 1 in side_a:
                    continue
                joined = a[k] + a[k + 1]
                for j, bt in enumerate(b):
                    if j not in side_b and bt == joined:
                        side_a.update((k, k + 1))
                        side_b.add(j)
                        joins.append(((j,), (k, k + 1)) if flip else ((k, k + 1), (j,)))
                        break
    return aligned, joins


def compare(
    q: NormName,
    qw: Sequence[float],
    c: NormName,
    cw: Sequence[float],
    *,
    person: bool = False,
    groups: frozenset[str] = frozenset(),
    core: tuple[str, ...] | None = None,
    needed: float = -math.inf,
    alone: Sequence[float] | None = None,
    distinct: frozenset[str] = frozenset(),
    own: frozenset[str] = frozenset(),
) -> NameScore:
    """Score a query name against a listed name; weights are per token (IDF).

    `groups`: words that name several listed parties (a group and its listed affiliates);
    `core`: the listed name's `core_words`, when the caller has them at hand; `needed`: a score
    below this comes back without its evidence (the caller drops such a name unexplained);
    `alone`: what each query word weighs when it meets no word of this listed name, where that
    differs from `qw` (a word the index does not know weighs in `qw` what the word it may be a
    misspelling of weighs; left unmet, it is a word no listed name has, as rare as they come);
    `distinct`: words that name different parties, never misspellings of each other (the
    acronyms CASC and CASIC are two groups); `own`: the words of the party's other listed names,
    which a longer query may add to this one and still be the party ("Alibaba Qwen").
    """
    contained: tuple[str, float] | None = None  # (detail, delta)
    sum_q, sum_c = sum(qw), sum(cw)
    total = sum_q + sum_c
    # Word pairs spelled differently, as (query index, listed index).
    typos: list[tuple[int, int]] = []
    forms: list[tuple[int, int]] = []  # the same English word in another form
    english_typo = False
    number_conflict = False
    if q.tokens == c.tokens:
        base = 1.0
        matched_q = set(range(len(q.tokens)))
        distinctive = sum(w for t, w in zip(q.tokens, qw, strict=True) if t not in GENERIC_WORDS)
        reordered = False
        joins: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        matched_c = matched_q
    else:
        aligned, joins = _align(q.tokens, c.tokens, distinct)
        numerator = 0.0
        distinctive = 0.0
        for i, j, s in aligned:
            numerator += s * (qw[i] + cw[j])
            if c.tokens[j] not in GENERIC_WORDS:
                distinctive += s * cw[j]
            if s < 1.0:
                qt, ct = q.tokens[i], c.tokens[j]
                (forms if _forms(qt, ct) or is_compound(qt, ct) else typos).append((i, j))
        for qi, cj in joins:
            numerator += sum(qw[i] for i in qi) + sum(cw[j] for j in cj)
            distinctive += sum(cw[j] for j in cj if c.tokens[j] not in GENERIC_WORDS)
        matched_q = {i for i, _, _ in aligned} | {i for qi, _ in joins for i in qi}
        if alone is not None:
            total += sum(alone[i] - qw[i] for i in range(len(qw)) if i not in matched_q)
        base = numerator / total if total > 0 else 0.0
        # Organisations only: a person's name is not a word, and is misspelt as often as any.
        # Places and business words met as written do not vouch for the misspelt word.
        droppable = droppable_words()
        english_typo = (
            bool(typos)
            and not person
            and not any(s >= 1.0 and c.tokens[j] not in droppable for _, j, s in aligned)
            # ... and as many words misspelt as met: "Korea Mining Developmnt Trading" is a
            # typing error in a long name, not a coined brand.
            and sum(1 for *_, s in aligned if s >= 1.0) <= len(typos)
            and all(is_english_word(c.tokens[j]) for _, j in typos)
        )
        if CONTAINMENT_WEIGHT and len(q.tokens) >= 2 and len(matched_q) == len(q.tokens):
            joined_q = sum(qw[i] for qi, _ in joins for i in qi)
            joined_c = sum(cw[j] for _, cj in joins for j in cj)
            cov_q = (sum(s * qw[i] for i, _, s in aligned) + joined_q) / sum_q if sum_q else 0.0
            cov_c = (sum(s * cw[j] for _, j, s in aligned) + joined_c) / sum_c if sum_c else 0.0
            base = max(base, CONTAINMENT_WEIGHT * cov_q + (1 - CONTAINMENT_WEIGHT) * cov_c)
        matched_c = {j for _, j, _ in aligned} | {j for _, cj in joins for j in cj}
        number_conflict = any(
            q.tokens[i].isdigit() for i in range(len(q.tokens)) if i not in matched_q
        ) and any(c.tokens[j].isdigit() for j in range(len(c.tokens)) if j not in matched_c)
        exact_c = {j for _, j, s in aligned if s >= 1.0} | {j for _, cj in joins for j in cj}
        if core is None:
            core = core_words(c)
        contains = None if person else _contained(q, c, core, matched_q, exact_c, groups, own)
        if contains is not None:
            added, dropped = contains
            # More core words, and more of the listed name present, make the affiliate likelier.
            share_c = sum(cw[j] for j in exact_c) / sum_c if sum_c else 0.0
            share_q = sum(qw[i] for i in matched_q) / sum_q if sum_q else 0.0
            raised = CONTAINED_SCORE + CONTAINED_PER_CORE_WORD * max(len(core) - 1, 0)
            raised += CONTAINED_SHARE * (share_c + share_q)
            raised = min(raised, 0.95)
            if raised > base:
                detail = (
                    "listed name inside a longer name: + " + ", ".join(added)
                    if added
                    else "the listed name's distinctive words: - " + ", ".join(dropped)
                )
                contained = (detail, raised - base)
                distinctive = max(distinctive, 1e-9)
        order = [j for _, j, _ in sorted(aligned)]
        reordered = order != sorted(order)
        if (q.compact == c.compact and q.compact) or q.spaced == c.spaced:
            base = max(base, SPACING_SCORE)
            distinctive = max(distinctive, sum_c)
    named = base  # the name evidence shows the alignment before containment
    if contained is not None:
        base += contained[1]
    score = base
    abbreviated = q.tokens == c.tokens and q.raw != c.raw
    if abbreviated:
        score -= ABBREVIATION_COST
    if reordered and not person:
        score -= REORDER_COST
    if english_typo:
        score -= ENGLISH_TYPO_COST
    if number_conflict:
        score -= NUMBER_CONFLICT_COST
    legal_differs = q.legal != c.legal
    legal_cost = 0.0
    if legal_differs:
        legal_cost = LEGAL_FORM_CONFLICT if q.legal and c.legal else LEGAL_FORM_MISSING
        if contained is not None:
            # A subsidiary abroad has its own country's legal form: that is expected.
            legal_cost = LEGAL_FORM_MISSING
        score -= legal_cost
    if joins or (q.tokens != c.tokens and (q.compact == c.compact or q.spaced == c.spaced)):
        match_type = "spacing"
    elif base >= 1.0 and not typos and not forms:
        if abbreviated:
            match_type = "abbreviation"
        elif reordered:
            match_type = "token_reorder"
        elif legal_differs:
            match_type = "legal_form_differs"
        else:
            match_type = "exact"
    else:
        match_type = "fuzzy"
    if contained is not None:
        match_type = "contained"
    final = max(0.0, min(1.0, score))
    if final < needed:
        return NameScore(final, match_type, (), distinctive)
    evidence = [
        Evidence("name", f"{len(matched_q)}/{len(q.tokens)} query words met the listed name", named)
    ]
    if contained is not None:
        evidence.append(Evidence("contained", *contained))
    if typos:
        spelled = ", ".join(f"{q.raw[i]!r}~{c.raw[j]!r}" for i, j in typos)
        evidence.append(Evidence("typo", "spelling differs: " + spelled))
    if forms:
        other = ", ".join(f"{q.raw[i]!r}~{c.raw[j]!r}" for i, j in forms)
        evidence.append(Evidence("word_form", "word forms differ: " + other))
    if number_conflict:
        evidence.append(
            Evidence(
                "number_conflict", "each name holds a number the other lacks", -NUMBER_CONFLICT_COST
            )
        )
    if english_typo:
        evidence.append(
            Evidence(
                "english_typo",
                "met only by misspellings of everyday words (a coined brand?)",
                -ENGLISH_TYPO_COST,
            )
        )
    if joins:
        evidence.append(Evidence("spacing", "words written together or apart"))
    missing = [q.raw[i] for i in range(len(q.tokens)) if i not in matched_q]
    if missing:
        evidence.append(
            Evidence("query_words_unmatched", "not in listed name: " + " ".join(missing))
        )
    extra = [c.raw[j] for j in range(len(c.tokens)) if j not in matched_c]
    if extra:
        evidence.append(Evidence("listed_words_unmatched", "not in query: " + " ".join(extra)))
    if abbreviated:
        evidence.append(
            Evidence("abbreviation", "abbreviated or inflected words", -ABBREVIATION_COST)
        )
    if reordered and not person:
        evidence.append(Evidence("token_reorder", "words in another order", -REORDER_COST))
    elif reordered:
        evidence.append(Evidence("token_reorder", "name parts in another order"))
    if legal_differs:
        evidence.append(
            Evidence(
                "legal_form",
                f"legal form differs: {' '.join(q.legal) or 'none'}"
                f" vs {' '.join(c.legal) or 'none'}",
                -legal_cost,
            )
        )
    return NameScore(final, match_type, tuple(evidence), distinctive)
