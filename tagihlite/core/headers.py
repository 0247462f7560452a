"""Finding columns by what their headers mean, and by what their cells hold.

A clerk reads ``No HP / WA``, ``Jumlah Tagihan (Rp)`` or ``Jml Tunggakan`` at a glance; a
fixed alias list does not. This module:

1. tokenises a header (case, punctuation, brackets, units such as ``Rp``/``IDR``, slash
   alternatives, camelCase and glued words like ``NOHP``);
2. scores each token against a per-field vocabulary, accepting stems (``pembayaran`` ->
   ``bayar``) and abbreviations nobody listed (``jml`` -> ``jumlah``, ``tlp`` -> ``telepon``,
   ``jt`` -> ``jatuh tempo``);
3. scores every candidate header row in the first rows and assigns each column to at most
   one field, the strongest pairs first;
4. lets the column's values decide when a header is weak or tied (see
   :mod:`tagihlite.core.content`), and never guesses a tie silently: it is reported.

A stored mapping (field -> header text) always wins over guessing.

:func:`match_headers` takes any :data:`Vocabulary`, so other importers (payments) reuse it
with their own fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from tagihlite.core.columns import INPUT_COLUMNS, OUTPUT_KEYS, REQUIRED_FIELDS, header_key
from tagihlite.core.content import column_evidence

HOW_ALIAS: Final = "alias"
HOW_TOKENS: Final = "tokens"
HOW_CONTENT: Final = "content"
HOW_MAPPING: Final = "mapping"

STRONG: Final = 2.5  # a header score at least this names its field on its own
WEAK: Final = 1.0  # below STRONG but at least this: the values must agree
ALIAS_SCORE: Final = 10.0
CONTENT_MIN: Final = 0.6  # share of sampled values that must look like the field
SEARCH_ROWS: Final = 30
SAMPLE_ROWS: Final = 200  # data rows looked at for content evidence (bounded: fast)


@dataclass(frozen=True)
class FieldVocab:
    """What headers of one field say: term -> weight; a term may be several words."""

    label: str  # the field's Indonesian name in messages, e.g. "No WhatsApp"
    terms: Mapping[str, float]
    aliases: tuple[str, ...] = ()  # exact header texts (folded), the strongest evidence
    kind: str | None = None  # content kind (tagihlite.core.content.KINDS) or None
    against: Mapping[str, float] = field(default_factory=dict)  # words that argue against


Vocabulary = Mapping[str, FieldVocab]

# The bill list's fields. Weights: 3+ names the field alone; 2 is a generic word (jumlah,
# total, status) that needs company or content; "no"/"nomor" alone mean nothing.
BILL_VOCABULARY: Final[dict[str, FieldVocab]] = {
    "name": FieldVocab(
        INPUT_COLUMNS["name"][0],
        {"nama": 3, "pelanggan": 2, "customer": 2, "pemilik": 1.5, "perusahaan": 1.5,
         "usaha": 1, "pic": 1, "client": 2, "klien": 2, "name": 2},
        INPUT_COLUMNS["name"], "name",
        {"sales": 3, "am": 3, "petugas": 3, "kolektor": 3, "alamat": 3, "kota": 3}),
    "customer_id": FieldVocab(
        INPUT_COLUMNS["customer_id"][0],
        {"indibiz": 3.5, "inet": 3, "internet": 3, "snd": 3, "nd": 3, "layanan": 2.5,
         "speedy": 3, "akun": 2.5, "account": 2.5, "id pelanggan": 4.5, "no pelanggan": 4.5,
         "nomor pelanggan": 4.5, "kode pelanggan": 4.5, "customer id": 4.5,
         "id customer": 4.5, "no customer": 4.5, "no internet": 4, "id": 1},
        INPUT_COLUMNS["customer_id"], "service"),
    "amount": FieldVocab(
        INPUT_COLUMNS["amount"][0],
        {"tagihan": 3, "tunggakan": 3, "nominal": 3, "outstanding": 3, "amount": 3,
         "piutang": 3, "saldo": 2.5, "bill": 2.5, "jumlah": 2, "total": 2,
         "biaya": 2, "nilai": 1.5},
        INPUT_COLUMNS["amount"], "amount",
        {"tanggal": 3, "tgl": 3, "date": 3, "bulan": 3, "periode": 3, "lama": 2, "hari": 2,
         "status": 3, "keterangan": 2, "no": 1}),
    "phone": FieldVocab(
        INPUT_COLUMNS["phone"][0],
        {"whatsapp": 3.5, "wa": 3.5, "hp": 3, "handphone": 3, "ponsel": 3, "telepon": 2.5,
         "telp": 2.5, "telpon": 2.5, "kontak": 3, "mobile": 3, "phone": 3, "seluler": 3,
         "cp": 2.5, "msisdn": 3, "contact": 3},
        INPUT_COLUMNS["phone"], "phone",
        {"email": 3, "alamat": 3, "sales": 3, "am": 3, "petugas": 3, "kolektor": 3,
         "teknisi": 3, "fax": 3}),
    "paid_status": FieldVocab(
        INPUT_COLUMNS["paid_status"][0],
        {"status": 2, "keterangan": 1.5, "bayar": 2, "lunas": 3, "payment": 2, "paid": 3,
         "status bayar": 4.5},
        INPUT_COLUMNS["paid_status"], "paid",
        {"tanggal": 3, "tgl": 3, "date": 3, "jumlah": 2, "nominal": 3, "kirim": 5,
         "cara": 2, "metode": 2, "channel": 2, "loket": 2}),
    "due_date": FieldVocab(
        INPUT_COLUMNS["due_date"][0],
        {"jatuh tempo": 4, "due": 3, "tempo": 2, "deadline": 3, "batas bayar": 4,
         "batas pembayaran": 4, "tanggal": 1, "tgl": 1, "date": 1},
        INPUT_COLUMNS["due_date"], "date",
        # other dates of a bill list; "bayar" as a word (pembayaran) still counts in "batas
        # pembayaran" because the phrase is matched before the penalty applies
        {"pasang": 3, "lahir": 3, "aktivasi": 3, "daftar": 3, "cetak": 3, "kirim": 3,
         "input": 3, "update": 3, "lunas": 3, "bayar": 1, "payment": 1}),
    "period": FieldVocab(
        INPUT_COLUMNS["period"][0],
        {"periode": 3.5, "bulan": 2.5, "thbl": 4, "blth": 4, "bulan tagihan": 5.5,
         "periode tagihan": 6.5, "period": 3.5, "month": 2.5},
        INPUT_COLUMNS["period"], "period",
        {"tanggal": 1, "tgl": 1}),
}

# Units and filler words a header may carry that say nothing about the field.
_NOISE: Final = frozenset({"rp", "idr", "rupiah", "dan", "atau", "yang", "di", "ke", "dari",
                           "per", "the", "of", "aktif", "utama", "terakhir", "baru", "lama",
                           "ini", "sekarang", "x"})
# Short words that are words of their own, never abbreviations of something longer.
_STANDALONE: Final = frozenset({"no", "id", "hp", "wa", "nd", "cp", "am", "di", "ke", "x"})
_INDONESIAN_PREFIXES: Final = ("pem", "pen", "pel", "per", "pe", "ter", "ber", "di")
_INDONESIAN_SUFFIXES: Final = ("annya", "nya", "an")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A rough Indonesian stem: ``pembayaran`` -> ``bayar``, ``tagihan`` -> ``tagih``."""
    w = word
    for suffix in _INDONESIAN_SUFFIXES:
        if len(w) - len(suffix) >= 4 and w.endswith(suffix):
            w = w[:-len(suffix)]
            break
    for prefix in _INDONESIAN_PREFIXES:
        if len(w) - len(prefix) >= 4 and w.startswith(prefix):
            w = w[len(prefix):]
            break
    return w


def _known_words(vocab: Vocabulary) -> frozenset[str]:
    words = {"no", "nomor", "nmr", "kode", "tgl", "tanggal", "jml", "ket", "plg", "pel"}
    for fv in vocab.values():
        for term in (*fv.terms, *fv.against):
            words.update(term.split())
    return frozenset(w for w in words if len(w) >= 2)


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORDS = re.compile(r"[a-z]+|\d+")


@lru_cache(maxsize=8192)
def _tokens_cached(text: str, known: frozenset[str]) -> tuple[str, ...]:
    text = _CAMEL.sub(" ", text).lower()
    out: list[str] = []
    for word in _WORDS.findall(text):
        if word.isdigit() or word in _NOISE:
            continue
        if word in known or len(word) < 4:
            out.append(word)
            continue
        parts = _segment(word, known)  # NOHP, JMLTAGIHAN, NAMAPELANGGAN
        out.extend(parts if parts else [word])
    return tuple(w for w in out if w not in _NOISE)


def _segment(word: str, known: frozenset[str]) -> list[str] | None:
    """Split a glued word into known words (longest first), or None."""
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 12), end):
            piece = word[start:end]
            if start in best and piece in known and (end not in best or
                                                      len(best[start]) + 1 < len(best[end])):
                best[end] = [*best[start], piece]
    return best.get(len(word))


def tokens(text: Any, vocab: Vocabulary = BILL_VOCABULARY) -> tuple[str, ...]:
    """A header as words: ``"No. HP / WA (aktif)"`` -> ``("no", "hp", "wa")``."""
    if text is None:
        return ()
    return _tokens_cached(str(text), _known_for(vocab))


# id -> (the vocabulary itself, kept alive so its id is never reused; its known words)
_KNOWN_CACHE: dict[int, tuple[Vocabulary, frozenset[str]]] = {}


def _known_for(vocab: Vocabulary) -> frozenset[str]:
    hit = _KNOWN_CACHE.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        hit = _KNOWN_CACHE[id(vocab)] = (vocab, _known_words(vocab))
    return hit[1]


_VOWELS = re.compile(r"(?<!^)[aeiou]")
_DOUBLE = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """First letter + the consonants, doubles collapsed: ``jumlah`` -> ``jmlh``."""
    return _DOUBLE.sub(r"\1", _VOWELS.sub("", word))


@lru_cache(maxsize=16384)
def word_match(token: str, word: str) -> float:
    """How well a header token stands for a vocabulary word: 1 same, 0.9 stem, 0.8
    abbreviation by prefix or consonant skeleton (``ket``, ``jml``, ``nm``), 0.6 any other
    letters-in-order abbreviation with the same first letter (``plg``), 0 not at all."""
    if token == word:
        return 1.0
    if token in _STANDALONE or word in _STANDALONE:
        return 0.0
    if len(token) >= 4 and stem(token) == stem(word):
        return 0.9
    if len(token) >= len(word) or token[0] != word[0] or len(token) < 2:
        return 0.0
    skel = skeleton(word)
    if (len(token) >= 3 and word.startswith(token)) or token == skel or (
            len(skeleton(token)) >= 3 and skel.startswith(skeleton(token))):
        return 0.8
    if len(token) >= 3 and _subsequence(token, word):
        return 0.6
    return 0.0


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _term_score(toks: Sequence[str], used: list[bool], term: str) -> float:
    """Match one (possibly multi-word) term against unused tokens; mark them used."""
    words = term.split()
    n = len(words)
    for i in range(len(toks) - n + 1):
        if any(used[i:i + n]):
            continue
        quality = min(word_match(toks[i + k], words[k]) for k in range(n))
        if quality:
            for k in range(n):
                used[i + k] = True
            return quality
    if n > 1:  # an acronym: "JT" for jatuh tempo
        acronym = "".join(w[0] for w in words)
        for i, tok in enumerate(toks):
            if not used[i] and tok == acronym:
                used[i] = True
                return 0.8
    return 0.0


@lru_cache(maxsize=16384)
def _header_scores(toks: tuple[str, ...], vocab_id: int) -> tuple[tuple[str, float], ...]:
    vocab = _VOCABS[vocab_id]
    scores = []
    for fld, fv in vocab.items():
        used = [False] * len(toks)
        total = 0.0
        # longest terms first, so "status bayar" is one piece of evidence, not two
        for term, weight in sorted(fv.terms.items(), key=lambda t: -len(t[0].split())):
            q = _term_score(toks, used, term)
            total += q * weight
        if total:
            for word, penalty in fv.against.items():
                if any(word_match(t, word) == 1.0 for t in toks):
                    total -= penalty
        scores.append((fld, round(total, 3)))
    return tuple(scores)


_VOCABS: dict[int, Vocabulary] = {}


def header_scores(text: Any, vocab: Vocabulary = BILL_VOCABULARY) -> dict[str, float]:
    """Field -> score of one header (0 when it says nothing about the field).

    Vocabularies are cached by identity: build one per importer, once (module level)."""
    if _VOCABS.get(id(vocab)) is not vocab:
        _VOCABS[id(vocab)] = vocab
        _header_scores.cache_clear()  # a new object under a reused id: forget old scores
    return dict(_header_scores(tokens(text, vocab), id(vocab)))


# --- one candidate header row ---------------------------------------------------------

@dataclass(frozen=True)
class ColumnMatch:
    column: int  # 0-based index into the header row
    header: str
    how: str  # alias | tokens | content | mapping
    score: float


@dataclass
class HeaderMatch:
    """The outcome for one grid: the header row and what each field was matched to."""

    row: int  # 0-based index of the header row in the grid (-1: none at all)
    headers: list[str]  # the texts of that row (blank cells as "")
    fields: dict[str, ColumnMatch]
    missing: list[str]  # required fields not found
    ties: dict[str, list[str]] = field(default_factory=dict)  # field -> equally good headers
    closest: dict[str, str] = field(default_factory=dict)  # missing field -> best weak header
    unmatched_mapping: dict[str, str] = field(default_factory=dict)  # field -> stored text

    @property
    def complete(self) -> bool:
        return not self.missing

    def indexes(self) -> dict[str, int]:
        return {f: m.column for f, m in self.fields.items()}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _row_candidates(cells: Sequence[Any], vocab: Vocabulary, mapping: Mapping[str, str]
                    ) -> tuple[float, dict[str, ColumnMatch], dict[str, list[tuple[float, int]]]]:
    """Header-only assignment for one row: (row score, matches, per-field candidates)."""
    mapped = {header_key(h): f for f, h in mapping.items() if header_key(h)}
    alias = {header_key(a): f for f, fv in vocab.items() for a in fv.aliases}
    fixed: dict[str, ColumnMatch] = {}
    pairs: list[tuple[float, str, int]] = []
    cands: dict[str, list[tuple[float, int]]] = {}
    taken: set[int] = set()
    for idx, cell in enumerate(cells):
        text = _text(cell)
        if not text or type(cell) is not str:
            continue
        key = header_key(text)
        fld = mapped.get(key)
        if fld and fld not in fixed:
            fixed[fld] = ColumnMatch(idx, text, HOW_MAPPING, ALIAS_SCORE * 2)
            taken.add(idx)
    for idx, cell in enumerate(cells):
        if idx in taken or type(cell) is not str:
            continue
        text = cell.strip()
        key = header_key(text)
        if not key or key in OUTPUT_KEYS or key in _COUNTERS:
            continue
        if key in alias:
            pairs.append((ALIAS_SCORE, alias[key], idx))
            cands.setdefault(alias[key], []).append((ALIAS_SCORE, idx))
            continue
        scores = header_scores(text, vocab)
        top = max(scores.values(), default=0.0)
        for fld, s in scores.items():
            if s >= WEAK:
                cands.setdefault(fld, []).append((s, idx))
                # a column belongs to its best field only ("Bulan Tagihan" is no amount)
                if s == top and s >= STRONG:
                    pairs.append((s, fld, idx))
    found = dict(fixed)
    for score, fld, idx in sorted(pairs, key=lambda p: (-p[0], p[2])):
        if fld in found or idx in taken:
            continue
        found[fld] = ColumnMatch(idx, _text(cells[idx]),
                                 HOW_ALIAS if score == ALIAS_SCORE else HOW_TOKENS, score)
        taken.add(idx)
    total = sum(m.score for m in found.values())
    return total, found, cands


_COUNTERS: Final = frozenset({"no", "nomor", "nourut", "urut", "number", "nomorurut"})


def _sample(grid: Sequence[Sequence[Any]], start: int, col: int) -> list[Any]:
    out = []
    for row in grid[start:start + SAMPLE_ROWS]:
        if col < len(row):
            v = row[col]
            if v is not None and not (type(v) is str and not v.strip()):
                out.append(v)
    return out


def match_headers(grid: Sequence[Sequence[Any]], vocab: Vocabulary = BILL_VOCABULARY, *,
                  required: Sequence[str] = REQUIRED_FIELDS,
                  mapping: Mapping[str, str] | None = None,
                  search_rows: int = SEARCH_ROWS, use_content: bool = True) -> HeaderMatch:
    """Find the header row in ``grid`` and the column of each field of ``vocab``.

    Every row among the first ``search_rows`` is a candidate; the one whose headers say
    the most wins (a stored ``mapping`` counts most). Then the values under it settle weak,
    tied and missing fields.
    """
    mapping = {f: h for f, h in (mapping or {}).items() if f in vocab and _text(h)}
    best: tuple[tuple[int, float], int, dict[str, ColumnMatch],
                dict[str, list[tuple[float, int]]]] | None = None
    for i, row in enumerate(grid[:search_rows]):
        if sum(type(c) is str and bool(c.strip()) for c in row) < 2:
            continue  # a title line or a blank row is no header row
        score, found, cands = _row_candidates(row, vocab, mapping)
        rank = (sum(f in found for f in required) + 10 * sum(
            m.how == HOW_MAPPING for m in found.values()), score)
        if found and (best is None or rank > best[0]):
            best = (rank, i, found, cands)
    if best is None or (best[0][0] < 2 and best[0][1] < 2 * STRONG):
        # Nothing reads as a header: maybe headers that say nothing (Kolom1..Kolom6).
        plain = _plain_header_row(grid[:search_rows]) if use_content else None
        if plain is not None:
            best = ((0, 0.0), plain, {}, {})
        elif best is None:
            return _result(grid, -1, {}, {}, vocab, required, mapping, {})
    _, hdr, found, cands = best
    ties: dict[str, list[str]] = {}
    if use_content:
        found = _settle_by_content(grid, hdr, found, cands, vocab, required, ties)
    return _result(grid, hdr, found, cands, vocab, required, mapping, ties)


def _plain_header_row(rows: Sequence[Sequence[Any]]) -> int | None:
    """The first row of at least three text cells with a row of values under it."""
    for i, row in enumerate(rows[:-1]):
        texts = [c for c in row if type(c) is str and c.strip()]
        if len(texts) >= 3 and len(texts) == sum(c is not None and c != "" for c in row):
            below = [c for c in rows[i + 1] if c is not None and c != ""]
            if len(below) >= 3:
                return i
    return None


def _settle_by_content(grid: Sequence[Sequence[Any]], hdr: int, found: dict[str, ColumnMatch],
                       cands: dict[str, list[tuple[float, int]]], vocab: Vocabulary,
                       required: Sequence[str], ties: dict[str, list[str]]
                       ) -> dict[str, ColumnMatch]:
    header = list(grid[hdr])
    width = len(header)
    for row in grid[hdr + 1:hdr + 1 + SAMPLE_ROWS]:
        width = max(width, len(row))
    evidence_cache: dict[int, dict[str, float]] = {}

    def evidence(col: int) -> dict[str, float]:
        if col not in evidence_cache:
            evidence_cache[col] = column_evidence(_sample(grid, hdr + 1, col))
        return evidence_cache[col]

    def fit(fld: str, col: int) -> float:
        kind = vocab[fld].kind
        if kind is None:
            return 0.0
        ev = evidence(col)
        share = ev.get(kind, 0.0)
        if share < CONTENT_MIN:
            return 0.0
        others = max((v for k, v in ev.items() if k != kind), default=0.0)
        return share - 0.5 * others  # specific beats generic (THBL is numbers too)

    found = dict(found)
    taken = {m.column for m in found.values()}
    owned = {i for i, c in enumerate(header) if header_key(c) in OUTPUT_KEYS}

    # 1. Tied strong headers: the values decide, or it is a tie to report.
    for fld, options in cands.items():
        if fld not in found or found[fld].how not in (HOW_TOKENS, HOW_ALIAS):
            continue
        top = found[fld].score
        rivals = [i for s, i in options if s == top and i != found[fld].column
                  and i not in taken]
        if not rivals:
            continue
        group = [found[fld].column, *rivals]
        fits = sorted(((fit(fld, c), c) for c in group), reverse=True)
        if fits[0][0] > 0 and fits[0][0] - fits[1][0] >= 0.2:
            col = fits[0][1]
            taken.discard(found[fld].column)
            found[fld] = ColumnMatch(col, _text(header[col]), HOW_CONTENT, top)
            taken.add(col)
        else:
            ties[fld] = [_text(header[c]) for c in group]
            taken.discard(found.pop(fld).column)

    # 2. Weak headers, then 3. headers that say nothing: the values must show the field.
    # Content alone may name a required field from any column whose header does not argue
    # against it ("HP Sales" is never the customer's phone), an optional one only from a
    # header that says nothing at all ("Kolom6", blank): a stray date column must not
    # become the due date that decides the billing period.
    def header_of(col: int) -> str:
        return _text(header[col]) if col < len(header) else ""

    def open_to(fld: str, col: int) -> bool:
        if col in taken or col in owned:
            return False
        text = header_of(col)
        if _says_nothing(text, vocab):
            return True
        return fld in required and not _argues_against(text, vocab[fld], vocab)

    weak_first = sorted(vocab, key=lambda f: (not any(i not in taken for _, i in
                                                      cands.get(f, [])), f not in required))
    for fld in weak_first:
        if fld in found or fld in ties or not vocab[fld].kind:
            continue
        weak = sorted(((s, i) for s, i in cands.get(fld, []) if i not in taken),
                      key=lambda p: (-p[0], p[1]))
        pool = [i for _, i in weak] or [c for c in range(width) if open_to(fld, c)]
        fits = sorted(((fit(fld, c), -c) for c in pool), reverse=True)
        fits = [(f, -c) for f, c in fits if f > 0]
        if not fits:
            continue
        if not weak and len(fits) > 1 and fits[0][0] - fits[1][0] < 0.1:
            if fld in required:
                ties[fld] = [header_of(c) or _letter_hint(c) for _, c in fits[:2]]
            continue
        col = fits[0][1]
        score = next((s for s, i in weak if i == col), 0.0)
        found[fld] = ColumnMatch(col, header_of(col), HOW_CONTENT, score)
        taken.add(col)
    return found


_PLACEHOLDER = re.compile(r"(kolom|column|col|field|kol|data)?\d*")


def _says_nothing(text: str, vocab: Vocabulary) -> bool:
    """Blank, ``Kolom3``, ``Column1``: a header with no meaning of its own."""
    return bool(_PLACEHOLDER.fullmatch(header_key(text)))


def _argues_against(text: str, fv: FieldVocab, vocab: Vocabulary) -> bool:
    toks = tokens(text, vocab)
    return any(word_match(t, w) == 1.0 for t in toks for w in fv.against)


def _letter_hint(col: int) -> str:
    return f"(kolom ke-{col + 1})"


def _result(grid: Sequence[Sequence[Any]], hdr: int, found: dict[str, ColumnMatch],
            cands: dict[str, list[tuple[float, int]]], vocab: Vocabulary,
            required: Sequence[str], mapping: Mapping[str, str],
            ties: dict[str, list[str]]) -> HeaderMatch:
    headers = [_text(c) for c in grid[hdr]] if hdr >= 0 else []
    missing = [f for f in required if f not in found]
    closest = {}
    for fld in missing:
        options = sorted(cands.get(fld, []), key=lambda p: (-p[0], p[1]))
        if options:
            closest[fld] = headers[options[0][1]]
    unmatched = {f: h for f, h in mapping.items()
                 if f not in found or found[f].how != HOW_MAPPING}
    return HeaderMatch(hdr, headers, found, missing, ties, closest, unmatched)


def has_header_row(grid: Sequence[Sequence[Any]], vocab: Vocabulary = BILL_VOCABULARY, *,
                   required: Sequence[str] = REQUIRED_FIELDS,
                   mapping: Mapping[str, str] | None = None) -> bool:
    """Cheap: do the headers alone (no values) name every required field?"""
    return match_headers(grid, vocab, required=required, mapping=mapping,
                         use_content=False).complete


# --- the message when something is missing ----------------------------------------------

def miss_message(result: HeaderMatch, place: str, vocab: Vocabulary = BILL_VOCABULARY, *,
                 excel: bool = False, search_rows: int = SEARCH_ROWS, first_row: int = 1,
                 what: str = "Tabel tagihan", how_to_fix: str | None = None) -> str:
    """One Indonesian explanation: headers seen, what is missing, closest, how to fix.

    ``first_row`` is the Excel row number of the grid's first row; ``what`` names the
    table and ``how_to_fix`` replaces the closing advice (another importer's own)."""
    labels = [vocab[f].label for f in result.missing]
    parts = []
    if result.row < 0:
        parts.append(f"{what} tidak ditemukan di {place}: tidak ada baris judul kolom "
                     f"di {search_rows} baris pertama yang memuat {', '.join(labels)}.")
    else:
        seen = [h for h in result.headers if h]
        shown = ", ".join(f"'{h}'" for h in seen[:12]) + (" ..." if len(seen) > 12 else "")
        parts.append(f"Kolom {', '.join(labels)} tidak ditemukan di {place}. Judul kolom "
                     f"di baris {first_row + result.row} (yang paling cocok di {search_rows} "
                     f"baris pertama): {shown or '(kosong)'}.")
    for fld in result.missing:
        if fld in result.ties:
            opts = " dan ".join(f"'{h}'" for h in result.ties[fld])
            parts.append(f"{vocab[fld].label}: {opts} sama-sama cocok; pilih salah satu.")
        elif fld in result.closest:
            parts.append(f"{vocab[fld].label}: paling mirip '{result.closest[fld]}', "
                         "tetapi belum cukup yakin.")
        else:
            parts.append(f"{vocab[fld].label}: tidak ada judul yang mirip.")
    for fld, text in result.unmatched_mapping.items():
        parts.append(f"Judul '{text}' yang disimpan untuk {vocab[fld].label} tidak ada di "
                     "sheet ini.")
    if how_to_fix is not None:
        parts.append(how_to_fix)
    elif excel:
        parts.append("Klik tombol Atur Kolom di tab TagihLite untuk memilih kolomnya sekali "
                     "saja.")
    else:
        lines = [f'{f} = "{_suggest(result, f)}"' for f in result.missing]
        parts.append("Tambahkan di berkas pengaturan (lihat 'tagihlite config path') bagian "
                     "[columns]: " + "; ".join(lines) + ".")
    return " ".join(parts)


def _suggest(result: HeaderMatch, fld: str) -> str:
    if fld in result.ties and not result.ties[fld][0].startswith("("):
        return result.ties[fld][0]
    return result.closest.get(fld, "JUDUL KOLOM")
