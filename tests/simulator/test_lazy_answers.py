"""Answers are made lazily (token by token as they are sent) and are byte for byte what the simulator sent
when it built whole answers up front.

``DIGESTS`` are the SHA-256 of every answer below (status, content type, token count and the body: the
joined events of a stream) as the eager simulator produced them, with ids and clocks fixed; the lazy one
must give the same bytes. The token-level reference (:func:`eager_generate`) is the eager algorithm kept
here, so the lazy pieces are also compared with it over many seeds, sizes, stops and limits.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import time
import tracemalloc
from typing import Any

import pytest

from tui.simulator import Simulator
from tui.simulator.dialects.base import Call, RecordedRequest, Reply, StreamReply
from tui.simulator.framing import parse_body
from tui.simulator.knobs import parse_knobs
from tui.simulator.text import generate, generate_text, tokenize

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Explain rate limits"}]
LONG = "@tokens=3000"
GEMINI = {
    "contents": [{"role": "user", "parts": [{"text": "Explain rate limits"}]}],
    "generationConfig": {"candidateCount": 2, "stopSequences": ["```"]},
}
BEDROCK = {"messages": [{"role": "user", "content": [{"text": "Explain rate limits"}]}]}
# name -> (path, query, body); every stream builder, long answers, stops, limits, several choices
CASES: dict[str, tuple[str, dict[str, str], dict[str, Any]]] = {
    "openai-chat-stream": (
        "/v1/chat/completions",
        {},
        {
            "model": "gpt-4o" + LONG,
            "messages": MESSAGES,
            "stream": True,
            "n": 2,
            "stream_options": {"include_usage": True},
        },
    ),
    "openai-chat-stop": (
        "/v1/chat/completions",
        {},
        {"model": "gpt-4o" + LONG, "messages": MESSAGES, "stream": True, "stop": ["café", "Zürich quiet"]},
    ),
    "openai-chat-whole": ("/v1/chat/completions", {}, {"model": "gpt-4o" + LONG, "messages": MESSAGES, "n": 3}),
    "openai-completions-stream": (
        "/v1/completions",
        {},
        {"model": "gpt-3.5-turbo-instruct" + LONG, "prompt": ["a", "b"], "max_tokens": 2500, "stream": True},
    ),
    "openai-completions-stop": (
        "/v1/completions",
        {},
        {"model": "babbage-002" + LONG, "prompt": "a", "max_tokens": 3000, "stream": True, "stop": ["zzz", ".\n\n## "]},
    ),
    "openai-default-size": ("/v1/chat/completions", {}, {"model": "gpt-4o", "messages": MESSAGES, "stream": True}),
    "azure-chat-stream": (
        "/openai/deployments/gpt-4o" + LONG + "/chat/completions",
        {"api-version": "2024-10-21"},
        {"messages": MESSAGES, "stream": True, "max_tokens": 1000},
    ),
    "databricks-chat-stream": (
        "/serving-endpoints/chat/completions",
        {},
        {"model": "dbrx" + LONG, "messages": MESSAGES, "stream": True},
    ),
    "anthropic-messages-stream": (
        "/v1/messages",
        {},
        {"model": "claude-3-5-haiku" + LONG, "max_tokens": 2900, "messages": MESSAGES[1:], "stream": True},
    ),
    "anthropic-messages-stop": (
        "/v1/messages",
        {},
        {"model": "claude" + LONG, "max_tokens": 4000, "messages": MESSAGES[1:], "stop_sequences": ["```"]},
    ),
    "anthropic-complete-stream": (
        "/v1/complete",
        {},
        {
            "model": "claude-2" + LONG,
            "max_tokens_to_sample": 3500,
            "prompt": "\n\nHuman: hi\n\nAssistant:",
            "stream": True,
        },
    ),
    "cohere-chat-stream": ("/v2/chat", {}, {"model": "command-r" + LONG, "messages": MESSAGES, "stream": True}),
    "ai21-chat-stream": (
        "/studio/v1/chat/completions",
        {},
        {"model": "jamba-mini" + LONG, "messages": MESSAGES, "stream": True, "n": 2},
    ),
    "mistral-chat-stream": (
        "/mistral/v1/chat/completions",
        {},
        {"model": "mistral-small" + LONG, "messages": MESSAGES, "stream": True, "stop": ["\n\n#"]},
    ),
    "bedrock-converse-stream": ("/model/anthropic.claude-3-haiku" + LONG + "/converse-stream", {}, BEDROCK),
    "gemini-stream": ("/v1beta/models/gemini-2.0-flash" + LONG + ":streamGenerateContent", {"alt": "sse"}, GEMINI),
    "gemini-safety": (
        "/v1beta/models/gemini-2.0-flash" + LONG + ":streamGenerateContent",
        {"alt": "sse"},
        {"contents": [{"role": "user", "parts": [{"text": "[sim:safety] hi"}]}]},
    ),
    "gemini-whole": ("/v1beta/models/gemini-2.0-flash" + LONG + ":generateContent", {}, GEMINI),
    "vertex-stream": (
        "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash"
        + LONG
        + ":streamGenerateContent",
        {"alt": "sse"},
        GEMINI,
    ),
}
DIGESTS = {
    "ai21-chat-stream": "e91dcaca9a1f0dd6463b88a7d2c5c28ea3f5f87e782075e2c296857567c6f20e",
    "anthropic-complete-stream": "2b05901216faafd423b29ac3066d72903f55e1a83eb9a66f6d99f4469058d8a9",
    "anthropic-messages-stop": "23de66a89c2e801998af0afd3eca56a1b6d8f2c607b9d57fd19ab6958e080b49",
    "anthropic-messages-stream": "8501837cdfc2937fbb1532cc3d888ea8ca8742657b72eb497e2f106bf80f7bc4",
    "azure-chat-stream": "e2b8596b5042edafbee7f1e40d4b23cd51a93760ea8d7a6899947456ba3a8ad1",
    "bedrock-converse-stream": "1147abe3aad4fab1eb86fb1760776db6c8d38c0fb8b62207a49b69124439559d",
    "cohere-chat-stream": "4ca5f2a9af4c909f993e24ac1cd064f6dc14637ae2e4e6c1a0b00167ea1bf55d",
    "databricks-chat-stream": "70e41652532ea1cbc71d9e2bf466598da4966a8de690ee6a0ae943a489336153",
    "gemini-safety": "5c6c206aa72df9a6550f13c24e7bc401c888cb490ccff39d8332dc729ee7124b",
    "gemini-stream": "b46e87ad13ec727cebbcfe3280cedb65fb01893e31a4ac4d461794cb6c623c20",
    "gemini-whole": "1fc40d5f33d9f9f776542f8902bf8170beb978d22612f42da0bce184e479226d",
    "mistral-chat-stream": "bfef85002aca8bc029d5b1f4e24e69afaffc4f9848963955f5ae5db3ecadb805",
    "openai-chat-stop": "fd23dd0f6661921be110c6b3c2312c39960c9ce05b94dba3bc561314a6d8cdd5",
    "openai-chat-stream": "cbcb8ec39d23c671915630f4f446c9719732bd0b70779104d8f28d6c66533ec2",
    "openai-chat-whole": "ef20af06e6578079035dcba7963b5d04f9d9242e49f4fdbcd92098d46de5f4d5",
    "openai-completions-stop": "67b952b565d118be119f6a3fed0a7ef3a8c2c22402f00a5f0ff6ba2d6259c676",
    "openai-completions-stream": "50ee999251afbf5a1d8bb700ca42ad292b678c47a5dc0b345006ed53b651d36f",
    "openai-default-size": "ca66493109f8b4ccb0bd436a9a3f7bb3a306379d771d9f60038536d99251c392",
    "vertex-stream": "b46e87ad13ec727cebbcfe3280cedb65fb01893e31a4ac4d461794cb6c623c20",
}


def respond(sim: Simulator, path: str, query: dict[str, str], body: dict[str, Any]) -> Reply | StreamReply:
    """What the simulator answers (credentials not checked: only the answer's shape is compared)."""
    raw = json.dumps(body).encode()
    request = RecordedRequest("POST", path, query, {"content-type": "application/json"}, body, raw, path)
    for dialect in sim.dialects:
        found = dialect.resolve(request)
        if found is not None and found[0] is not None:
            break
    else:
        raise AssertionError(f"no route for {path}")
    route, params = found
    call = Call(request=request, route=route, params=params, sim=sim, op=route.op)
    call.body = parse_body(raw, "application/json")[0] or {}
    call.op = dialect.operation(call)
    call.model, call.knobs = parse_knobs(dialect.model_spec(call), {})
    dialect.validate(call)
    return dialect.respond(call)


def answer(sim: Simulator, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[Reply | StreamReply, bytes]:
    """The answer and its bytes (a stream's events joined, each marked with its kind)."""
    reply = respond(sim, path, query, body)
    if isinstance(reply, StreamReply):
        return reply, b"".join(e.kind.encode() + b":" + e.data for e in reply.events())
    return reply, reply.body


def digest(reply: Reply | StreamReply, data: bytes) -> str:
    count = reply.token_count if isinstance(reply, StreamReply) else reply.tokens
    head = f"{reply.status} {reply.content_type} {count}\n".encode()
    return hashlib.sha256(head + data).hexdigest()


@pytest.fixture
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets, "token_hex", lambda n=16: "ab" * n)
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n=16: "x" * n)
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)
    monkeypatch.setattr("uuid.uuid4", lambda: "00000000-0000-4000-8000-000000000000")


@pytest.mark.parametrize("case", sorted(CASES))
def test_answers_are_the_bytes_the_eager_simulator_sent(case: str, fixed_ids: None) -> None:
    reply, data = answer(Simulator(), *CASES[case])
    assert reply.status == 200, data[:300]
    assert digest(reply, data) == DIGESTS[case]


# ---------------------------------------------------------------------------------- token by token


def eager_generate(
    model: str, prompt: str, index: int, tokens: int | None, max_tokens: int | None, stop: list[str]
) -> tuple[list[str], str, str | None]:
    """The eager algorithm: the whole text, cut at the earliest stop, tokenized, then limited."""
    text = generate_text(model, prompt, index, tokens)
    stop_hit, cut_at = None, len(text)
    for seq in stop:
        pos = text.find(seq) if seq else -1
        if 0 <= pos < cut_at:
            cut_at, stop_hit = pos, seq
    pieces = tokenize(text[:cut_at])
    if max_tokens is not None and len(pieces) > max_tokens:
        return pieces[:max_tokens], "length", None
    return pieces, "stop" if stop_hit is None else "stop_sequence", stop_hit


STOPS = ["\n\n", "```", "café", ".\n\n## ", "zzz", "e", "Zürich quiet", "s r", "\n- ", "a" * 40]


@pytest.mark.parametrize("seed", range(60))
def test_lazy_pieces_equal_the_eager_ones(seed: int) -> None:
    rng = random.Random(seed)
    tokens = rng.choice([None, 1, 2, 7, 120, 333, 2500])
    max_tokens = rng.choice([None, None, 1, 50, 400, 3000])
    stop = rng.sample(STOPS, rng.randint(0, 3))
    gen = generate("m", f"p{seed}", seed % 3, tokens=tokens, max_tokens=max_tokens, stop=stop)
    pieces, finish, hit = eager_generate("m", f"p{seed}", seed % 3, tokens, max_tokens, stop)
    assert (list(gen), gen.count, gen.finish, gen.stop_sequence) == (pieces, len(pieces), finish, hit)
    assert list(gen) == pieces, "a second pass gives the same pieces"


def test_a_long_stream_is_made_as_it_is_sent() -> None:
    """Making the events of a 50,000-token stream one by one never holds more than a sliver of it."""
    body = {"model": "gpt-4o@tokens=50000", "messages": MESSAGES, "stream": True}
    tracemalloc.start()
    try:
        reply = respond(Simulator(), "/v1/chat/completions", {}, body)
        assert isinstance(reply, StreamReply)
        tracemalloc.reset_peak()
        sent = 0
        tokens = 0
        for event in reply.events():
            sent += len(event.data)
            tokens += event.kind == "token"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tokens == 50_000 and sent > 8_000_000
    assert peak < 1_000_000, f"{peak} bytes held while sending {sent}"
