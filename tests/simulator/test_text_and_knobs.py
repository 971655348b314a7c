"""Pure parts of the simulator: deterministic text, tokenization, embeddings and knob parsing."""

from __future__ import annotations

import math
import re

import pytest

from tui.simulator.knobs import FAULTS, KnobError, Knobs, parse_knobs
from tui.simulator.text import (
    count_words,
    embedding,
    generate,
    generate_text,
    tokenize,
)


def test_same_inputs_give_the_same_text_and_others_differ() -> None:
    a = generate_text("gpt-4o-mini", "user: Say hi", 0)
    assert a == generate_text("gpt-4o-mini", "user: Say hi", 0)
    assert a != generate_text("gpt-4o-mini", "user: Say hi", 1)
    assert a != generate_text("gpt-4o", "user: Say hi", 0)
    assert a != generate_text("gpt-4o-mini", "user: Say bye", 0)


def test_default_answer_is_markdown_of_about_120_tokens() -> None:
    lengths = []
    for i in range(50):
        text = generate_text("m", f"prompt {i}")
        lengths.append(len(tokenize(text)))
        blocks = text.split("\n\n")
        assert re.match(r"# \S", blocks[0]), blocks[0]
        assert any(b.startswith("- ") for b in blocks)
        assert any(b.startswith("1. ") and "\n2. " in b for b in blocks)
        assert any(b.startswith("```python\n") and b.endswith("\n```") for b in blocks)
        assert blocks[-1][0].isupper() and blocks[-1].endswith(".")
    assert min(lengths) >= 95 and max(lengths) <= 145, (min(lengths), max(lengths))


def test_topic_of_the_prompt_is_mentioned() -> None:
    text = generate_text("m", "user: how do switchboards work", topic="how do switchboards work")
    assert "This simulated answer is about how do switchboards work." in text


@pytest.mark.parametrize("n", [1, 2, 3, 7, 19, 120, 333, 2000])
def test_tokens_knob_gives_exactly_n_tokens_of_valid_markdown(n: int) -> None:
    text = generate_text("m", "p", 0, tokens=n)
    pieces = tokenize(text)
    assert len(pieces) == n
    assert "".join(pieces) == text
    assert text.count("```") % 2 == 0, "a code fence was left open"


def test_tokenize_keeps_following_whitespace_and_round_trips() -> None:
    text = "# Title\n\nHello  world.\n- item\n```python\n    x = 1\n```"
    pieces = tokenize(text)
    assert "".join(pieces) == text
    assert pieces[:4] == ["# ", "Title\n\n", "Hello  ", "world.\n"]
    assert tokenize("  lead") == ["  ", "lead"]
    assert count_words(text) == len(pieces)


def test_max_tokens_and_stop_sequences_cut_the_answer() -> None:
    full = generate("m", "p")
    assert full.finish == "stop" and full.stop_sequence is None
    cut = generate("m", "p", max_tokens=5)
    assert cut.finish == "length" and cut.count == 5 and list(cut) == list(full)[:5]
    stopped = generate("m", "p", stop=["\n\n"])
    assert stopped.finish == "stop_sequence" and stopped.stop_sequence == "\n\n"
    assert stopped.text == full.text.split("\n\n")[0]
    # the earliest of several stop sequences wins; an absent one changes nothing
    assert generate("m", "p", stop=["zzz-not-there", "\n\n"]).text == stopped.text
    assert generate("m", "p", stop=["zzz-not-there"]).finish == "stop"


def test_embeddings_are_deterministic_unit_vectors() -> None:
    a = embedding("e", "hello", 8)
    assert a == embedding("e", "hello", 8)
    assert len(a) == 8 and math.isclose(sum(v * v for v in a), 1.0)
    b = embedding("e", "other", 8)
    assert abs(sum(x * y for x, y in zip(a, b, strict=False))) < 0.999
    assert len(embedding("e", "hello", 1536)) == 1536


# ------------------------------------------------------------------------------------------ knobs


def test_model_suffix_gives_knobs_and_the_bare_model() -> None:
    model, knobs = parse_knobs("gpt-4o-mini@ttft=0.2,tps=50,tokens=300", {})
    assert model == "gpt-4o-mini"
    assert knobs == Knobs(ttft=0.2, tps=50.0, tokens=300)
    assert parse_knobs("plain", {}) == ("plain", Knobs())
    assert parse_knobs(None, {}) == (None, Knobs())


def test_headers_win_over_the_model_suffix_and_accept_dashes() -> None:
    _, knobs = parse_knobs(
        "m@tokens=5,fault=429",
        {"x-sim-tokens": "9", "x-sim-retry-after": "2.5", "x-sim-cut_after": "3", "authorization": "x"},
    )
    assert knobs.tokens == 9 and knobs.retry_after == 2.5 and knobs.cut_after == 3
    assert knobs.fault == "429" and knobs.status_fault == 429


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_name_parses(fault: str) -> None:
    assert parse_knobs(f"m@fault={fault}", {})[1].fault == fault


@pytest.mark.parametrize(
    ("spec", "headers", "needle"),
    [
        ("m@speed=3", {}, "Unknown simulator knob 'speed'"),
        ("m", {"x-sim-colour": "red"}, "Unknown simulator knob 'colour'"),
        ("m@tps=fast", {}, "Bad value for simulator knob 'tps': 'fast'"),
        ("m@tokens=0", {}, "Bad value for simulator knob 'tokens'"),
        ("m@tokens=1.5", {}, "expected an integer"),
        ("m@ttft=-1", {}, "Bad value for simulator knob 'ttft'"),
        ("m@ttft=nan", {}, "Bad value for simulator knob 'ttft'"),
        ("m@fault=418", {}, "expected one of: 400, 401"),
        ("m@tokens", {}, "expected name=value"),
    ],
)
def test_bad_knobs_raise_clear_errors(spec: str, headers: dict[str, str], needle: str) -> None:
    with pytest.raises(KnobError) as info:
        parse_knobs(spec, headers)
    assert needle in str(info.value)
    if "Unknown" in needle:
        assert "Known knobs: ttft, tps, tokens, dim, fault" in str(info.value)
