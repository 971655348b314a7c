"""Amazon Bedrock (providers.md §6): Converse / ConverseStream for chat and completions, InvokeModel for
Titan and Cohere embeddings, on ``https://bedrock-runtime.{aws_region}.amazonaws.com``.

Requests are signed with SigV4 (access keys, with a session token for temporary credentials) or carry a
Bedrock API key as ``Authorization: Bearer``. The body is serialised here, so the bytes signed are the
bytes sent. Streams arrive in the AWS binary event-stream framing (see :mod:`.bedrock_stream`).
Converse answers carry no id, model or creation time: those are made up locally.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import quote

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
from tui.domain.errors import InvalidParameterValue, ProviderProtocolError
from tui.domain.provider_configs import AmazonBedrockConfig
from tui.domain.schemas import content_text
from tui.providers.base import (
    Call,
    Provider,
    StreamMapper,
    credential,
    embedding_texts,
    embeddings_answer,
    new_id,
    prompt_text,
    stop_list,
)
from tui.providers.bedrock_sigv4 import AwsCredentials, sign
from tui.providers.bedrock_stream import ConverseStreamMapper, finish_reason
from tui.transport.messages import HttpRequest

LABEL = "Amazon Bedrock"


def model_path(model: str) -> str:
    """A model id, inference-profile id or ARN as one path segment (``:`` and ``/`` percent-encoded)."""
    return quote(model, safe="-_.~")


def _tool_use(call: dict[str, Any]) -> dict[str, Any]:
    fn = call.get("function", {})
    return {
        "toolUse": {
            "toolUseId": call.get("id"),
            "name": fn.get("name"),
            "input": json.loads(fn.get("arguments") or "{}"),
        }
    }


def converse_messages(request: dict[str, Any], task: str) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """(system blocks, messages) of a Converse request; tool results become user ``toolResult`` blocks."""
    if task == TASK_COMPLETIONS:
        return [], [{"role": "user", "content": [{"text": prompt_text(request)}]}]
    system: list[dict[str, str]] = []
    out: list[dict[str, Any]] = []
    for message in request.get("messages", []):
        role = message.get("role")
        text = content_text(message.get("content"))
        if role == "system":
            system.append({"text": text})
        elif role == "tool":
            block = {"toolResult": {"toolUseId": message.get("tool_call_id"), "content": [{"text": text}]}}
            if out and out[-1]["role"] == "user" and "toolResult" in out[-1]["content"][-1]:
                out[-1]["content"].append(block)  # parallel tool results go in one user message
            else:
                out.append({"role": "user", "content": [block]})
        else:
            blocks: list[dict[str, Any]] = [{"text": text}] if text or not message.get("tool_calls") else []
            blocks += [_tool_use(c) for c in message.get("tool_calls") or []]
            out.append({"role": role, "content": blocks})
    return system, out


def _tool_config(request: dict[str, Any]) -> dict[str, Any] | None:
    tools = request.get("tools")
    if not tools:
        return None
    config: dict[str, Any] = {
        "tools": [
            {
                "toolSpec": {
                    "name": t["function"]["name"],
                    "description": t["function"].get("description", ""),
                    "inputSchema": {"json": t["function"].get("parameters", {})},
                }
            }
            for t in tools
        ]
    }
    choice = request.get("tool_choice")
    if choice == "required":
        config["toolChoice"] = {"any": {}}
    elif choice == "auto":
        config["toolChoice"] = {"auto": {}}
    elif isinstance(choice, dict) and choice.get("function", {}).get("name"):
        config["toolChoice"] = {"tool": {"name": choice["function"]["name"]}}
    return config


def _embedding_family(model: str) -> str:
    """``titan`` or ``cohere`` from the model id (an inference profile may put a region before it)."""
    for family, marker in (("titan", "amazon.titan-embed"), ("cohere", "cohere.embed")):
        if marker in model:
            return family
    raise InvalidParameterValue(
        f"Amazon Bedrock embeddings are built for Titan (amazon.titan-embed-*) and Cohere (cohere.embed-*) "
        f"models, not '{model}'"
    )


class BedrockProvider(Provider):
    name: ClassVar[str] = "amazon-bedrock"
    label: ClassVar[str] = LABEL
    native_n: ClassVar[bool] = False
    max_temperature: ClassVar[float] = 1.0

    def base_url(self, call: Call) -> str:
        config = call.config
        region = config.aws_region if isinstance(config, AmazonBedrockConfig) else None
        return (call.config.api_base() or f"https://bedrock-runtime.{region}.amazonaws.com").rstrip("/")

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        base = f"{self.base_url(call)}/model/{model_path(call.model)}"
        if call.task == TASK_EMBEDDINGS:
            url, body, extra = f"{base}/invoke", self._embeddings_body(call), {"accept": "application/json"}
        else:
            url, body, extra = (
                f"{base}/converse-stream" if call.stream else f"{base}/converse",
                self._converse_body(call),
                {},
            )
        content = json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers = self._auth_headers(call, url, content, extra)
        return HttpRequest("POST", url, headers, content=content, framing="eventstream" if call.stream else "sse")

    def _auth_headers(self, call: Call, url: str, content: bytes, extra: dict[str, str]) -> dict[str, str]:
        config = call.config
        if api_key := credential(config, "bedrock_api_key"):
            return {"content-type": "application/json", **extra, "authorization": f"Bearer {api_key}"}
        key_id, secret = credential(config, "aws_access_key_id"), credential(config, "aws_secret_access_key")
        if not (key_id and secret):
            raise InvalidParameterValue(
                "Amazon Bedrock endpoints are queried from the local workspace with access keys "
                "(aws_access_key_id + aws_secret_access_key) or a bedrock_api_key; instance profiles and "
                "Unity Catalog service credentials work only on Databricks"
            )
        credentials = AwsCredentials(key_id, secret, credential(config, "aws_session_token") or None)
        region = config.aws_region if isinstance(config, AmazonBedrockConfig) else None
        return sign("POST", url, content, credentials, region or "", extra=extra)

    def _converse_body(self, call: Call) -> dict[str, Any]:
        request = call.request
        system, messages = converse_messages(request, call.task)
        body: dict[str, Any] = {"messages": messages}
        if system:
            body["system"] = system
        inference: dict[str, Any] = {}
        if request.get("max_tokens") is not None:
            inference["maxTokens"] = request["max_tokens"]
        if isinstance(temperature := request.get("temperature"), (int, float)):
            inference["temperature"] = min(temperature, self.max_temperature)
        if request.get("top_p") is not None:
            inference["topP"] = request["top_p"]
        if stops := stop_list(request):
            inference["stopSequences"] = stops
        if inference:
            body["inferenceConfig"] = inference
        if tool_config := _tool_config(request):
            body["toolConfig"] = tool_config
        if extra := request.get("extra_params"):
            body["additionalModelRequestFields"] = dict(extra)
        return body

    def _embeddings_body(self, call: Call) -> dict[str, Any]:
        texts = embedding_texts(call, LABEL)
        if _embedding_family(call.model) == "cohere":
            return {"texts": texts, "input_type": "search_document"}
        if len(texts) != 1:
            raise InvalidParameterValue("Amazon Titan embeds one text per request; send a single input")
        return {"inputText": texts[0]}

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ProviderProtocolError(f"{LABEL} answered with a body that is not a JSON object", provider=LABEL)
        if call.task == TASK_EMBEDDINGS:
            return self._parse_embeddings(call, body)
        message = (body.get("output") or {}).get("message")
        if not isinstance(message, dict) or not isinstance(message.get("content"), list):
            raise ProviderProtocolError(f"{LABEL} answered without 'output.message.content'", provider=LABEL)
        blocks = message["content"]
        text = "".join(str(b["text"]) for b in blocks if isinstance(b, dict) and "text" in b)
        usage = body.get("usage") or {}
        prompt, completion = int(usage.get("inputTokens") or 0), int(usage.get("outputTokens") or 0)
        common = {
            "id": new_id("chatcmpl-" if call.task == TASK_CHAT else "cmpl-"),
            "created": call.created,
            "model": call.model,
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }
        reason = finish_reason(body.get("stopReason"))
        if call.task == TASK_COMPLETIONS:
            return {
                **common,
                "object": "text_completion",
                "choices": [{"index": 0, "text": text, "finish_reason": reason}],
            }
        answer: dict[str, Any] = {"role": "assistant", "content": text}
        tool_calls = [
            {
                "id": b["toolUse"].get("toolUseId"),
                "type": "function",
                "function": {"name": b["toolUse"].get("name"), "arguments": json.dumps(b["toolUse"].get("input", {}))},
            }
            for b in blocks
            if isinstance(b, dict) and isinstance(b.get("toolUse"), dict)
        ]
        if tool_calls:
            answer["tool_calls"] = tool_calls
        return {
            **common,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": answer, "finish_reason": reason}],
        }

    def _parse_embeddings(self, call: Call, body: dict[str, Any]) -> dict[str, Any]:
        vectors: Any
        if "embedding" in body:  # Titan: one text
            vectors, tokens = [body["embedding"]], int(body.get("inputTextTokenCount") or 0)
        else:  # Cohere: "embeddings" is a list of vectors, or {"float": [...]} when embedding_types was sent
            found = body.get("embeddings")
            vectors = found.get("float") if isinstance(found, dict) else found
            tokens = 0  # Bedrock counts Cohere's tokens only in the X-Amzn-Bedrock-Input-Token-Count header
        if not isinstance(vectors, list):
            raise ProviderProtocolError(f"{LABEL} answered without embeddings", provider=LABEL)
        return embeddings_answer(call, vectors, tokens)

    def stream_mapper(self, call: Call) -> StreamMapper:
        return ConverseStreamMapper(call, LABEL)
