"""Markdown and JSON exports: answers verbatim, parameters, summary, no secrets, safe file names."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tui.playground.export import code_span, default_export_path, fence, slugify, to_json, to_markdown, write_exports
from tui.playground.model import Comparison, PaneRun

TRICKY = "Here is code:\n\n```python\nprint('hi')\n```\n\nand a ```` run, a `tick` and | pipes |"
CREATED = 1_795_000_000.0


def fenced_blocks(markdown: str) -> list[str]:
    """The bodies of the fenced blocks of ``markdown``, read the way CommonMark closes fences."""
    blocks, lines, i = [], markdown.split("\n"), 0
    while i < len(lines):
        opening = re.fullmatch(r"(`{3,})[^`]*", lines[i])
        if not opening:
            i += 1
            continue
        marks, body, i = opening.group(1), [], i + 1
        while i < len(lines) and not re.fullmatch(re.escape(marks) + "`*", lines[i]):
            body.append(lines[i])
            i += 1
        blocks.append("\n".join(body))
        i += 1
    return blocks


def chat_comparison() -> Comparison:
    comparison = Comparison.new(
        task="llm/v1/chat",
        system="Be brief.",
        turns=[{"role": "user", "content": "Show me ``` fences\nplease"}],
        prompt="Show me ``` fences\nplease",
        params={"temperature": 0.7, "max_tokens": 256, "stop": ["\n\n"], "top_p": None},
        overrides={"ep-b": {"temperature": 0.1}},
        now=CREATED,
    )
    comparison.panes = [
        PaneRun(
            endpoint="ep-a",
            provider="openai",
            model="gpt-4o-mini",
            task="llm/v1/chat",
            state="done",
            choices=[TRICKY],
            finish_reason="stop",
            usage={"prompt_tokens": 9, "completion_tokens": 30, "total_tokens": 39},
            ttft_s=0.21,
            elapsed_s=1.5,
            completion_tokens=30,
            tokens_per_s=23.1,
            request={
                "messages": [{"role": "user", "content": "x"}],
                "api_key": "sk-live-123",
                "extra_params": {"headers": {"Authorization": "Bearer tok-456"}},
            },
        ),
        PaneRun(
            endpoint="ep-b",
            provider="anthropic",
            model="claude",
            task="llm/v1/chat",
            state="error",
            choices=["partial ```` answer"],
            error_code="BAD_GATEWAY",
            error_message="The stream was cut",
            incomplete=True,
            ttft_s=0.5,
            elapsed_s=0.9,
            completion_tokens=3,
        ),
    ]
    return comparison


def test_markdown_holds_every_answer_verbatim_inside_a_safe_fence() -> None:
    markdown = to_markdown(chat_comparison())
    blocks = fenced_blocks(markdown)
    assert TRICKY in blocks
    assert "partial ```` answer" in blocks
    assert "Show me ``` fences\nplease" in blocks and "Be brief." in blocks


def test_markdown_has_heading_input_parameters_panes_and_summary() -> None:
    comparison = chat_comparison()
    markdown = to_markdown(comparison)
    when = dt.datetime.fromtimestamp(CREATED).strftime("%Y-%m-%d %H:%M")
    assert markdown.startswith("# Show me ``` fences please\n")
    assert f"{when} · chat · ep-a, ep-b" in markdown
    assert "**System prompt**" in markdown and "**user**" in markdown
    assert "- temperature: `0.7`" in markdown and "- max_tokens: `256`" in markdown
    assert '- stop: `["\\n\\n"]`' in markdown and "top_p" not in markdown
    assert "- overrides for ep-b: temperature=`0.1`" in markdown
    assert "## 1. ep-a" in markdown and "## 2. ep-b" in markdown
    assert "Provider: openai · Model: gpt-4o-mini · State: done" in markdown
    assert "TTFT 0.21 s · 23 tok/s · 1.50 s total · 30 tok · usage 9 + 30 · finish: stop" in markdown
    assert "**Error:** BAD_GATEWAY: The stream was cut" in markdown and "**Incomplete:**" in markdown
    assert "| Metric | ep-a | ep-b |" in markdown
    assert "| TTFT | 0.21 s | 0.50 s |" in markdown  # the error pane is not ranked: no star for one
    assert "| State | done | error BAD_GATEWAY (incomplete) |" in markdown
    assert "- ep-b: BAD_GATEWAY: The stream was cut" in markdown


def test_several_choices_get_a_section_each() -> None:
    comparison = Comparison.new(task="llm/v1/completions", prompt="Once", now=CREATED)
    comparison.panes = [PaneRun(endpoint="c", state="done", choices=["one", "two"], finish_reasons=["stop", "length"])]
    markdown = to_markdown(comparison)
    assert "**Prompt**" in markdown
    assert "### Choice 1 (finish: stop)" in markdown and "### Choice 2 (finish: length)" in markdown
    assert {"one", "two", "Once"} <= set(fenced_blocks(markdown))


def test_embeddings_markdown_shows_vectors_and_similarities() -> None:
    comparison = Comparison.new(task="llm/v1/embeddings", prompt="alpha\nbeta", now=CREATED)
    comparison.panes = [
        PaneRun(endpoint="e1", task="llm/v1/embeddings", state="done", embeddings=[[3.0, 4.0], [1.0, 0.0]]),
        PaneRun(endpoint="e2", task="llm/v1/embeddings", state="done", embeddings=[[3.0, 4.0, 0.0], [0.0, 1.0, 0.0]]),
    ]
    markdown = to_markdown(comparison)
    assert "**Input 1**" in markdown and "**Input 2**" in markdown
    assert "| 1 | 2 | 5.0000 | +3.0000, +4.0000 |" in markdown
    assert "| 1 | e1 ↔ e2 | n/a: 2 vs 3 dims |" in markdown
    assert "### Cosine similarity between inputs: e1" in markdown
    assert "| 1 | 1.0000 | 0.6000 |" in markdown


def test_nothing_secret_reaches_an_export() -> None:
    comparison = chat_comparison()
    for text in (to_markdown(comparison), json.dumps(to_json(comparison))):
        assert "sk-live-123" not in text and "tok-456" not in text and "Authorization" not in text
    assert to_json(comparison)["panes"][0]["request"] == {
        "messages": [{"role": "user", "content": "x"}],
        "extra_params": {},
    }


def test_json_round_trips_through_the_model() -> None:
    comparison = chat_comparison()
    data = to_json(comparison)
    assert list(data) == [
        "version",
        "id",
        "created",
        "task",
        "title",
        "system",
        "turns",
        "prompt",
        "inputs",
        "params",
        "overrides",
        "panes",
    ]
    assert [p["endpoint"] for p in data["panes"]] == ["ep-a", "ep-b"]
    again = Comparison.from_json(json.loads(json.dumps(data)))
    assert again == comparison
    assert Comparison.from_json(json.dumps(data)) == comparison


def test_embeddings_json_round_trip() -> None:
    comparison = Comparison.new(task="llm/v1/embeddings", prompt="a\n\nb", now=CREATED)
    comparison.panes = [PaneRun(endpoint="e", state="done", embeddings=[[0.25, -1.5], [1e-8, 2.0]])]
    assert comparison.inputs == ["a", "b"]
    assert Comparison.from_json(to_json(comparison)) == comparison


def test_reading_an_older_or_newer_document_is_tolerant() -> None:
    comparison = Comparison.from_json(
        {
            "id": "abc",
            "created": 5,
            "task": "llm/v1/chat",
            "future": 1,
            "turns": [{"role": "user", "content": "hello"}],
            "panes": [{"endpoint": "x", "state": "done", "choices": ["hi"], "new_field": 2}],
        }
    )
    assert comparison.title == "hello" and comparison.panes[0].text == "hi" and comparison.params == {}


def test_fences_and_code_spans_outgrow_their_content() -> None:
    assert fence("plain") == "```\nplain\n```"
    assert fence("a ````` b").startswith("``````\n")
    assert fence("") == "```\n```"
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x") == "`` `x ``"


def test_title_is_the_last_user_turn_cut_to_80_characters() -> None:
    turns = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "second\n  question " + "x" * 100},
    ]
    title = Comparison.new(task="llm/v1/chat", turns=turns).title
    assert title.startswith("second question xx") and len(title) == 80


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Explain rate limits!", "explain-rate-limits"),
        ("Ça va? Élan/../..", "ca-va-elan"),
        ("", "comparison"),
        ("日本語", "comparison"),
        ("word " * 20, "word-word-word-word-word-word-word-word"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_default_export_path_is_safe_and_never_overwrites(tmp_path: Path) -> None:
    comparison = Comparison.new(task="llm/v1/chat", prompt="What is ../../etc/passwd?", now=CREATED)
    stamp = dt.datetime.fromtimestamp(CREATED).strftime("%Y-%m-%dT%H%M")
    path = default_export_path(comparison, tmp_path, ".md")
    assert path == tmp_path / f"switchboard-{stamp}-what-is-etc-passwd.md"
    assert path.with_suffix(".json").name == f"switchboard-{stamp}-what-is-etc-passwd.json"
    path.write_text("taken")
    assert default_export_path(comparison, tmp_path, "md").name == f"switchboard-{stamp}-what-is-etc-passwd-2.md"


def test_exports_never_overwrite_and_never_leave_half_a_pair(tmp_path: Path) -> None:
    comparison = Comparison.new(task="llm/v1/completions", prompt="hello export", now=1_790_000_000.0)
    first_md = default_export_path(comparison, tmp_path, ".md", ".json")
    first_md.with_suffix(".json").write_text("someone else's file")  # only the .json name is taken
    md, js = write_exports(comparison, tmp_path)
    assert md.stem == js.stem == first_md.stem + "-2"
    assert first_md.with_suffix(".json").read_text() == "someone else's file"
    assert json.loads(js.read_text())["title"] == "hello export" and "hello export" in md.read_text()
    (tmp_path / f"{first_md.stem}-3.json").mkdir()  # the JSON cannot be created as a file ...
    (tmp_path / f"{first_md.stem}-3.md").write_text("x")  # ... nor the first free Markdown name
    before = sorted(p.name for p in tmp_path.glob("switchboard-*"))
    md, js = write_exports(comparison, tmp_path)
    assert md.stem == first_md.stem + "-4"
    assert sorted(p.name for p in tmp_path.glob("switchboard-*")) == sorted([*before, md.name, js.name])


def test_a_failed_json_write_removes_the_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    comparison = Comparison.new(task="llm/v1/completions", prompt="half a pair", now=1_790_000_000.0)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tui.playground.export.json.dump", broken)
    with pytest.raises(OSError):
        write_exports(comparison, tmp_path)
    assert list(tmp_path.glob("switchboard-*")) == []
