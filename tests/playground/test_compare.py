"""The comparison summary: rankings, stars, errors, formatting, cosine similarities."""

from __future__ import annotations

import math

import pytest
from textual.content import Content

from tui.domain.text import markup_literal
from tui.playground.compare import (
    MAX_SIMILARITY_INPUTS,
    cosine_similarity,
    format_rate,
    format_seconds,
    format_similarity,
    format_tokens,
    headline,
    l2_norm,
    notes,
    pane_labels,
    rank,
    similarity_cell,
    similarity_matrix,
    summarize,
)
from tui.playground.model import Comparison, PaneRun


def done(endpoint: str, *, ttft: float, rate: float, total: float, tokens: int, **extra: object) -> PaneRun:
    return PaneRun(
        endpoint=endpoint,
        task="llm/v1/chat",
        state="done",
        choices=[f"answer of {endpoint}"],
        ttft_s=ttft,
        tokens_per_s=rate,
        elapsed_s=total,
        completion_tokens=tokens,
        finish_reason="stop",
        **extra,  # type: ignore[arg-type]
    )


def chat_comparison(*panes: PaneRun) -> Comparison:
    return Comparison.new(task="llm/v1/chat", turns=[{"role": "user", "content": "hi"}], panes=panes)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "—"),
        (0.0004, "<1 ms"),
        (0.0123, "12 ms"),
        (0.0996, "100 ms"),
        (0.213, "0.21 s"),
        (1.5, "1.50 s"),
        (12.34, "12.3 s"),
        (75, "1 m 15 s"),
        (-0.5, "<1 ms"),
    ],
)
def test_format_seconds(seconds: float | None, text: str) -> None:
    assert format_seconds(seconds) == text


@pytest.mark.parametrize(
    ("rate", "text"), [(None, "—"), (153.2, "153 tok/s"), (9.46, "9.5 tok/s"), (1234.4, "1,234 tok/s")]
)
def test_format_rate(rate: float | None, text: str) -> None:
    assert format_rate(rate) == text


def test_format_tokens_and_similarity() -> None:
    assert format_tokens(1234) == "1,234 tok" and format_tokens(None) == "—"
    assert format_similarity(0.99874) == "0.9987" and format_similarity(None) == "—"


def test_rank_orders_best_first_and_skips_missing_values() -> None:
    values = {"a": 0.5, "b": None, "c": 0.2, "d": 0.5}
    assert rank(values, higher_is_better=False) == ["c", "a", "d"]
    assert rank(values, higher_is_better=True) == ["a", "d", "c"]  # ties keep their order
    assert rank({"x": math.nan}, higher_is_better=True) == []


def test_summary_stars_the_best_pane_per_metric_and_lists_errors() -> None:
    fast_start = done("ep-a", ttft=0.21, rate=80.0, total=3.0, tokens=200)
    quick = done("ep-b", ttft=0.80, rate=153.2, total=1.2, tokens=150)
    failed = PaneRun(
        endpoint="ep-c",
        state="error",
        error_code="REQUEST_LIMIT_EXCEEDED",
        error_message="Too many calls",
        retry_after=2.2,
        ttft_s=0.01,
        elapsed_s=0.05,
    )
    summary = summarize(chat_comparison(fast_start, quick, failed))
    assert summary.row("TTFT") == {"ep-a": "0.21 s ★", "ep-b": "0.80 s", "ep-c": "10 ms"}  # a failed pane never wins
    assert summary.row("Tokens/s") == {"ep-a": "80 tok/s", "ep-b": "153 tok/s ★", "ep-c": "—"}
    assert summary.row("Total time")["ep-b"] == "1.20 s ★"
    assert "★" not in "".join(summary.row("Completion tokens").values())  # more tokens is not better
    assert summary.rankings["TTFT"] == ["ep-a", "ep-b"]
    assert summary.rankings["Completion tokens"] == ["ep-a", "ep-b"]
    assert (summary.fastest, summary.slowest) == ("ep-b", "ep-a")
    assert summary.errors == [("ep-c", "REQUEST_LIMIT_EXCEEDED: Too many calls (retry in 3 s)")]
    assert summary.row("State")["ep-c"] == "error REQUEST_LIMIT_EXCEEDED"
    assert summary.row("Finish") == {"ep-a": "stop", "ep-b": "stop", "ep-c": "—"}
    assert [name for name, _ in summary.rows][:2] == ["State", "Model"]


def test_a_single_finished_pane_gets_no_star_and_no_fastest() -> None:
    summary = summarize(chat_comparison(done("only", ttft=0.1, rate=50.0, total=1.0, tokens=10)))
    assert summary.row("TTFT") == {"only": "0.10 s"}
    assert summary.fastest is None and summary.slowest is None


def test_an_incomplete_answer_is_not_ranked() -> None:
    cut = done("cut", ttft=0.01, rate=999.0, total=0.1, tokens=3)
    cut.incomplete = True
    other = done("other", ttft=0.5, rate=20.0, total=2.0, tokens=40)
    summary = summarize(chat_comparison(cut, other))
    assert summary.rankings["Tokens/s"] == ["other"]
    assert summary.row("State")["cut"] == "done (incomplete)"


def test_repeated_endpoints_get_distinct_labels() -> None:
    assert pane_labels([PaneRun(endpoint="a"), PaneRun(endpoint="b"), PaneRun(endpoint="a")]) == ["a", "b", "a (2)"]


def test_cosine_similarity() -> None:
    v = [0.1, -0.7, 0.3, 0.25, 1e-3]
    assert cosine_similarity(v, list(v)) == 1.0
    assert cosine_similarity([1.0, 0.0], [0.0, 2.0]) == 0.0
    assert cosine_similarity([1.0, 2.0], [-2.0, -4.0]) == -1.0
    assert cosine_similarity([1.0, 1.0], [1.0, 0.0]) == pytest.approx(1 / math.sqrt(2))
    assert cosine_similarity([0.0, 0.0], [1.0, 0.0]) is None
    with pytest.raises(ValueError, match="1536 vs 8"):
        cosine_similarity([0.0] * 1536, [0.0] * 8)


def test_similarity_cells_explain_what_cannot_be_compared() -> None:
    assert similarity_cell([1.0] * 1536, [1.0] * 8) == (None, "n/a: 1536 vs 8 dims")
    assert similarity_cell([0.0, 0.0], [1.0, 0.0]) == (None, "n/a: zero vector")
    assert similarity_cell([3.0, 4.0], [3.0, 4.0]) == (1.0, "1.0000")


def test_similarity_matrix_is_symmetric_with_ones_on_the_diagonal() -> None:
    matrix = similarity_matrix([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    assert [matrix[i][i] for i in range(3)] == [1.0, 1.0, 1.0]
    assert matrix[0][2] == matrix[2][0] == 0.0
    assert matrix[0][1] == matrix[1][0] == pytest.approx(1 / math.sqrt(2))


def embedding_run(endpoint: str, vectors: list[list[float]], total: float) -> PaneRun:
    return PaneRun(
        endpoint=endpoint,
        task="llm/v1/embeddings",
        state="done",
        embeddings=vectors,
        elapsed_s=total,
        usage={"prompt_tokens": 4, "total_tokens": 4},
    )


def test_embeddings_summary_compares_panes_per_input_and_inputs_per_pane() -> None:
    small = embedding_run("small", [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]], 0.3)
    twin = embedding_run("twin", [[1.0, 0.0, 0.0, 0.0], [0.0, 0.6, 0.8, 0.0]], 0.1)
    tiny = embedding_run("tiny", [[3.0, 4.0]], 0.2)
    comparison = Comparison.new(task="llm/v1/embeddings", prompt="alpha\nbeta", panes=[small, twin, tiny])
    summary = summarize(comparison)
    emb = summary.embeddings
    assert emb is not None
    assert emb.dims == {"small": 4, "twin": 4, "tiny": 2}
    assert emb.norms["tiny"] == [5.0]
    cross = {(c.input_index, c.a, c.b): c for c in emb.cross}
    assert cross[(0, "small", "twin")].value == 1.0
    assert cross[(1, "small", "twin")].value == pytest.approx(0.6)
    assert cross[(0, "small", "tiny")].text == "n/a: 4 vs 2 dims" and cross[(0, "small", "tiny")].value is None
    assert (1, "small", "tiny") not in cross  # tiny has no second vector
    assert emb.within["small"][0][1] == 0.0 and "tiny" not in emb.within
    assert summary.row("Dimensions") == {"small": "4", "twin": "4", "tiny": "2"}
    assert summary.row("L2 norm")["tiny"] == "5.0000"
    assert summary.row("Total time")["twin"].endswith("★")
    assert (summary.fastest, summary.slowest) == ("twin", "small")
    assert summary.row("Prompt tokens")["small"] == "4 tok"
    text = "\n".join(notes(summary))
    assert "Cosine, input 1: small ↔ twin 1.0000 · small ↔ tiny n/a: 4 vs 2 dims" in text
    assert "Cosine within small: 1↔2 0.0000" in text


def test_similarities_cover_a_bounded_number_of_inputs() -> None:
    vectors = [[float(i), 1.0] for i in range(MAX_SIMILARITY_INPUTS + 5)]
    summary = summarize(
        Comparison.new(task="llm/v1/embeddings", panes=[embedding_run("a", vectors, 1), embedding_run("b", vectors, 1)])
    )
    assert summary.embeddings is not None
    assert len(summary.embeddings.cross) == MAX_SIMILARITY_INPUTS
    assert len(summary.embeddings.within["a"]) == MAX_SIMILARITY_INPUTS


def test_headline_and_notes_are_printable_text() -> None:
    failed = PaneRun(
        endpoint="ep-b", state="error", error_code="BAD_GATEWAY", error_message="bad [/] tag\x1b[2J [b]here"
    )
    summary = summarize(chat_comparison(done("ep-a", ttft=0.2, rate=10.0, total=1.0, tokens=5), failed))
    assert headline(summary).startswith("Comparison · chat · 2 panes")
    assert notes(summary) == ["ep-b: BAD_GATEWAY: bad [/] tag␛[2J [b]here"]
    assert summary.row("TTFT")["ep-a"].startswith("0.20 s")


@pytest.mark.parametrize("text", ["plain", "a [/] b", "x\\[b]y", "ends with \\", "[[nested]]", "\\\\[i]"])
def test_markup_literal_round_trips_through_textual(text: str) -> None:
    assert Content.from_markup(markup_literal(text)).plain == text


def test_l2_norm() -> None:
    assert l2_norm([3.0, 4.0]) == 5.0 and l2_norm([]) == 0.0


def test_one_pane_is_one_pane() -> None:
    summary = summarize(chat_comparison(done("ep-a", ttft=0.2, rate=10.0, total=1.0, tokens=5)))
    assert headline(summary) == "Comparison · chat · 1 pane"
