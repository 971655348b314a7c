"""Deterministic generated text for the simulator: markdown answers cut into token-like pieces.

Everything here is a pure function of its inputs (model name, prompt text, choice index, knobs): the same
request always gets the same answer, on every machine and Python version. Nothing here does I/O.

Tokens are words with the whitespace that follows them (``"hello "``, ``"list:\\n\\n"``, ``"- "``), which is
how real token streams look closely enough for a client: joining the pieces gives the text back exactly.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
import random
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

DEFAULT_EMBEDDING_DIM = 8
# Real dimensions for well-known embedding models; any other model gets DEFAULT_EMBEDDING_DIM.
EMBEDDING_DIMS: dict[str, int] = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
    "databricks-gte-large-en": 1024,
    "databricks-bge-large-en": 1024,
}

_TOKEN_RE = re.compile(r"\S+\s*")
_WORD_RE = re.compile(r"\S+")
_PROMPT_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*")

# A few non-ASCII words on purpose: streams must survive multi-byte UTF-8 characters split across reads.
_NOUNS = (
    "switchboard",
    "operator",
    "line",
    "circuit",
    "signal",
    "endpoint",
    "gateway",
    "route",
    "model",
    "provider",
    "token",
    "stream",
    "latency",
    "budget",
    "request",
    "response",
    "queue",
    "channel",
    "relay",
    "exchange",
    "trunk",
    "caller",
    "handset",
    "cable",
    "panel",
    "socket",
    "plug",
    "ledger",
    "façade",
    "café",
    "Zürich",
    "résumé",
    "protocol",
    "buffer",
    "window",
    "quota",
    "limit",
    "retry",
)
_VERBS = (
    "routes",
    "connects",
    "measures",
    "buffers",
    "retries",
    "answers",
    "forwards",
    "records",
    "balances",
    "throttles",
    "compares",
    "streams",
    "patches",
    "holds",
    "releases",
    "tracks",
)
_ADJECTIVES = (
    "quick",
    "steady",
    "careful",
    "quiet",
    "busy",
    "spare",
    "local",
    "remote",
    "naïve",
    "patient",
    "reliable",
    "modest",
    "early",
    "late",
    "shared",
    "private",
    "simulated",
    "deterministic",
)
_CONNECTORS = ("and", "while", "because", "so", "but", "as", "when", "until")
_CODE_NAMES = ("route", "patch", "relay", "measure", "balance", "forward", "record", "answer")


def seed_for(model: str, prompt: str, index: int = 0) -> int:
    digest = hashlib.sha256(f"{model}\x00{prompt}\x00{index}".encode()).digest()
    return int.from_bytes(digest[:16], "big")


def tokenize(text: str) -> list[str]:
    """Pieces that join back to ``text`` (leading whitespace, if any, is its own first piece)."""
    pieces = _TOKEN_RE.findall(text)
    lead = len(text) - len(text.lstrip())
    if lead:
        pieces.insert(0, text[:lead])
    return pieces


def count_words(text: str) -> int:
    """The simulator's prompt "tokenizer": one token per whitespace-separated word."""
    return len(_WORD_RE.findall(text))


# ------------------------------------------------------------------------------------------- blocks


def _words(rng: random.Random, n: int) -> list[str]:
    pools = (_NOUNS, _VERBS, _ADJECTIVES, _NOUNS, _CONNECTORS)
    return [rng.choice(pools[i % len(pools)]) for i in range(n)]


def _sentence(rng: random.Random, n: int) -> str:
    words = _words(rng, n)
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + "."


def _paragraph(rng: random.Random, lead: str = "") -> str:
    sentences = [_sentence(rng, rng.randint(7, 11)) for _ in range(3)]
    if lead:
        sentences.insert(0, lead)
    return " ".join(sentences)


def _heading(rng: random.Random, level: int) -> str:
    words = [w.capitalize() for w in (rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_NOUNS))]
    return "#" * level + " " + " ".join(words[: rng.randint(2, 3)])


def _bullets(rng: random.Random) -> str:
    return "\n".join("- " + " ".join(_words(rng, rng.randint(4, 6))) for _ in range(rng.randint(3, 4)))


def _numbered(rng: random.Random) -> str:
    return "\n".join(f"{i}. " + " ".join(_words(rng, rng.randint(4, 6))) for i in range(1, 4))


def _code(rng: random.Random) -> str:
    name = rng.choice(_CODE_NAMES)
    arg = rng.choice(("line", "call", "signal", "request"))
    factor = rng.randint(2, 9)
    return (
        "```python\n"
        f"def {name}_{arg}({arg}):\n"
        f"    total = len({arg}) * {factor}\n"
        f'    return {{"{arg}": {arg}, "total": total}}\n'
        "```"
    )


def _topic(prompt: str) -> str:
    words = _PROMPT_WORD_RE.findall(prompt)[:6]
    if not words:
        return ""
    return "This simulated answer is about " + " ".join(words) + "."


def _blocks(rng: random.Random, topic: str) -> Iterator[str]:
    """The base document, then further sections for as long as asked."""
    yield _heading(rng, 1)
    yield _paragraph(rng, _topic(topic))
    yield _bullets(rng)
    yield _numbered(rng)
    yield _code(rng)
    yield _paragraph(rng)
    while True:
        yield _heading(rng, 2)
        yield _paragraph(rng)
        yield _bullets(rng) if rng.random() < 0.5 else _numbered(rng)
        if rng.random() < 0.5:
            yield _code(rng)
        yield _paragraph(rng)


def _segments(model: str, prompt: str, index: int, tokens: int | None, topic: str | None) -> Iterator[str]:
    """The answer's text in order, one block (with the blank line before it) at a time.

    ``tokens=None`` gives the base document: heading, paragraph, bullets, numbered list, python code block,
    paragraph (about 120 tokens). An exact count extends it with further sections and fills the remainder
    with a sentence of exactly the missing number of words, so the result is still valid markdown (a code
    fence is never left open) of exactly ``tokens`` words. ``topic`` (default: the prompt) is what the first
    paragraph says the answer is about.
    """
    rng = random.Random(seed_for(model, prompt, index))
    blocks = _blocks(rng, prompt if topic is None else topic)
    chosen = itertools.islice(blocks, 6) if tokens is None else _exactly(rng, blocks, tokens)
    for i, block in enumerate(chosen):
        yield "\n\n" + block if i else block


def _exactly(rng: random.Random, blocks: Iterator[str], tokens: int) -> Iterator[str]:
    count = 0
    for block in blocks:
        size = count_words(block)
        if count + size > tokens:
            if tokens > count:
                yield _sentence(rng, tokens - count)
            return
        yield block
        count += size
        if count == tokens:
            return


def generate_text(model: str, prompt: str, index: int = 0, tokens: int | None = None, topic: str | None = None) -> str:
    """The whole markdown answer (see :func:`_segments`), before stop sequences and limits."""
    return "".join(_segments(model, prompt, index, tokens, topic))


def _until_stop(segments: Iterable[str], stops: Sequence[str], hit: list[str]) -> Iterator[str]:
    """The text up to the earliest of ``stops`` (the first listed wins a tie), which is appended to ``hit``.

    Holds back only the last ``len(longest stop) - 1`` characters: a stop that starts earlier is in view
    whole, so none can start in what was already passed on.
    """
    if not stops:
        yield from segments
        return
    keep = max(len(s) for s in stops) - 1
    held = ""
    for segment in segments:
        held += segment
        found = _earliest(held, stops)
        if found is not None and found[0] + keep < len(held):  # any stop starting at or before it is in view
            yield held[: found[0]]
            hit.append(found[1])
            return
        safe = len(held) - keep
        if safe > 0:
            yield held[:safe]
            held = held[safe:]
    found = _earliest(held, stops)
    if found is not None:
        held = held[: found[0]]
        hit.append(found[1])
    yield held


def _earliest(text: str, stops: Sequence[str]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for seq in stops:
        pos = text.find(seq)
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, seq)
    return best


def _pieces(segments: Iterable[str]) -> Iterator[str]:
    """:func:`tokenize` of the joined segments, piece by piece: a piece is passed on once the next begins."""
    pending = ""
    started = False  # past the leading whitespace, which is a piece of its own
    for segment in segments:
        pending += segment
        if not started:
            rest = pending.lstrip()
            if not rest:
                continue
            if len(rest) < len(pending):
                yield pending[: len(pending) - len(rest)]
            pending, started = rest, True
        pieces = _TOKEN_RE.findall(pending)  # they join back to ``pending``, which starts with a word
        yield from pieces[:-1]
        pending = pieces[-1]
    if pending:
        yield pending


@dataclass(frozen=True)
class Generation:
    """One choice's output after limits: how many pieces, why it ended, and the pieces themselves, made
    afresh on each iteration so that a long answer is never held whole (``text`` joins them)."""

    count: int
    finish: str  # "stop" (natural end), "length" (max_tokens) or "stop_sequence"
    stop_sequence: str | None
    source: Callable[[], Iterator[str]] = field(repr=False, compare=False)
    """The pieces before ``max_tokens``; iteration takes the first ``count``."""

    def __iter__(self) -> Iterator[str]:
        return itertools.islice(self.source(), self.count)

    @property
    def text(self) -> str:
        return "".join(self)


def generate(
    model: str,
    prompt: str,
    index: int = 0,
    *,
    tokens: int | None = None,
    max_tokens: int | None = None,
    stop: Sequence[str] = (),
    topic: str | None = None,
) -> Generation:
    """The answer for one choice with stop sequences and ``max_tokens`` applied.

    Its length and finish are known at once: with an exact ``tokens`` and no stop sequence the answer has
    ``tokens`` pieces (one per word); otherwise a counting pass runs over the pieces, holding none of them.
    """
    stops = tuple(s for s in stop if s)

    def source(hit: list[str] | None = None) -> Iterator[str]:
        return _pieces(_until_stop(_segments(model, prompt, index, tokens, topic), stops, [] if hit is None else hit))

    hit: list[str] = []
    if tokens is not None and not stops:
        total = tokens
    else:
        limit = None if max_tokens is None else max_tokens + 1
        total = sum(1 for _ in itertools.islice(source(hit), limit))
    if max_tokens is not None and total > max_tokens:
        return Generation(max_tokens, "length", None, source)
    if hit:
        return Generation(total, "stop_sequence", hit[0], source)
    return Generation(total, "stop", None, source)


# --------------------------------------------------------------------------------------- embeddings


def embedding(model: str, text: str, dim: int) -> list[float]:
    """A unit-norm vector that depends only on (model, text, dim)."""
    values: list[float] = []
    counter = 0
    while len(values) < dim:
        block = hashlib.sha256(f"{model}\x00{text}\x00{counter}".encode()).digest()
        for i in range(0, len(block), 4):
            values.append(int.from_bytes(block[i : i + 4], "big") / 0xFFFFFFFF * 2.0 - 1.0)
        counter += 1
    values = values[:dim]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def embedding_base64(vector: Sequence[float]) -> str:
    """OpenAI's ``encoding_format: "base64"``: little-endian float32s, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embedding_dim(model: str) -> int:
    return EMBEDDING_DIMS.get(model, DEFAULT_EMBEDDING_DIM)
