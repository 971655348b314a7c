"""The official Cohere SDK (test-only dependency) parses what the simulator's Cohere v2 dialect serves:
chat, the chat stream and embed, and raises its typed errors for the simulator's faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import cohere
import pytest

from tests.simulator.helpers import KEY
from tui.simulator import Simulator
from tui.simulator.text import tokenize

HI = [{"role": "user", "content": "Say hi"}]
pytestmark = pytest.mark.filterwarnings("ignore:The `__fields__` attribute is deprecated")  # inside the SDK


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[cohere.AsyncClientV2]:
    c = cohere.AsyncClientV2(api_key=KEY, base_url=sim.base_url, timeout=5)
    yield c


async def test_chat_parses(client: cohere.AsyncClientV2) -> None:
    answer = await client.chat(model="command-r-plus-08-2024", messages=HI, max_tokens=6)  # type: ignore[arg-type]
    assert answer.finish_reason == "MAX_TOKENS"
    assert answer.message.content is not None and len(tokenize(answer.message.content[0].text)) == 6  # type: ignore[union-attr]
    assert answer.usage is not None and answer.usage.tokens is not None and answer.usage.tokens.output_tokens == 6


async def test_chat_stream_parses(client: cohere.AsyncClientV2) -> None:
    kinds: list[str] = []
    text = ""
    finish = None
    async for event in client.chat_stream(model="command-r", messages=HI, max_tokens=4):  # type: ignore[arg-type]
        kinds.append(event.type)
        if event.type == "content-delta":
            text += event.delta.message.content.text  # type: ignore[union-attr]
        if event.type == "message-end":
            finish = event.delta.finish_reason  # type: ignore[union-attr]
    assert kinds[0] == "message-start" and kinds[-1] == "message-end"
    assert len(tokenize(text)) == 4 and finish == "MAX_TOKENS"


async def test_embed_parses(client: cohere.AsyncClientV2) -> None:
    answer = await client.embed(
        model="embed-english-v3.0", texts=["a", "b"], input_type="search_document", embedding_types=["float"]
    )
    assert answer.embeddings.float_ is not None and len(answer.embeddings.float_) == 2
    assert answer.meta is not None and answer.meta.billed_units is not None


@pytest.mark.parametrize(
    ("fault", "error"),
    [("401", cohere.UnauthorizedError), ("429", cohere.TooManyRequestsError), ("498", cohere.InvalidTokenError)],
)
async def test_faults_are_the_sdks_typed_errors(client: cohere.AsyncClientV2, fault: str, error: type) -> None:
    with pytest.raises(error):
        await client.chat(model=f"command-r@fault={fault}", messages=HI)  # type: ignore[arg-type]
