"""Amazon Bedrock runtime (providers.md §6): Converse, ConverseStream and InvokeModel (Titan and Cohere
embeddings) under ``/model/{modelId}/...``.

Access: a SigV4 signature (service ``bedrock``) by the simulator's known test credentials (access key id
and secret access key both the simulator's API key; any session token is accepted when it is signed), or a
Bedrock API key (``Authorization: Bearer <the API key>``). Errors are rest-json: ``{"message": ...}`` with
``x-amzn-ErrorType``. Streams use the AWS binary event-stream framing; ``fault=error_event`` sends a
``throttlingException`` frame inside the 200 and ``fault=malformed`` a frame whose CRC does not match.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from tui.providers.bedrock_sigv4 import canonical_request, signature
from tui.simulator.dialects.base import (
    ApiError,
    Call,
    Dialect,
    Event,
    RecordedRequest,
    Reply,
    Route,
    StreamReply,
    bearer,
    dumps,
    json_reply,
    mask_key,
)
from tui.simulator.dialects.request_values import chat_prompt, content_text, is_int, is_number
from tui.simulator.text import count_words, embedding, embedding_dim, generate
from tui.transport.eventstream import encode_message

EVENTSTREAM = "application/vnd.amazon.eventstream"
ERROR_TYPES = {
    400: "ValidationException",
    401: "UnrecognizedClientException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    502: "InternalServerException",
    503: "ServiceUnavailableException",
    529: "ServiceUnavailableException",
}
CONVERSE_FIELDS = {
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "additionalModelRequestFields",
    "guardrailConfig",
    "performanceConfig",
    "additionalModelResponseFieldPaths",
    "promptVariables",
    "requestMetadata",
}
INFERENCE_FIELDS = {"maxTokens", "temperature", "topP", "stopSequences"}
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "stop_sequence": "stop_sequence"}
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),\s*Signature=(?P<signature>[0-9a-f]{64})"
)
BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


def frame(event_type: str, payload: dict[str, Any]) -> bytes:
    """One ``event`` message, headers in Bedrock's order."""
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return encode_message(dict(headers), dumps(payload))


def exception_frame(exception_type: str, message: str) -> bytes:
    headers = {":exception-type": exception_type, ":content-type": "application/json", ":message-type": "exception"}
    return encode_message(dict(headers), dumps({"message": message}))


class BedrockDialect(Dialect):
    name = "amazon-bedrock"
    title = "Amazon Bedrock"
    routes = (
        Route("POST", "/model/{model}/converse", "converse"),
        Route("POST", "/model/{model}/converse-stream", "converse_stream"),
        Route("POST", "/model/{model}/invoke", "invoke"),
    )

    def owns(self, request: RecordedRequest) -> bool:
        return request.path.startswith("/model/")

    def resolve(self, request: RecordedRequest) -> tuple[Route | None, dict[str, str]] | None:
        """Routes on the path as sent, so a model id holding an encoded ``/`` (an ARN) stays one segment."""
        parts = request.raw_path.split("/")
        if len(parts) != 4 or parts[1] != "model":
            return super().resolve(request)
        found = super().resolve(replace(request, path=request.raw_path))
        if found is not None and "model" in found[1]:
            found[1]["model"] = unquote(parts[2])
        return found

    # ------------------------------------------------------------------------------------ access
    def check_access(self, call: Call) -> None:
        headers = call.request.headers
        token = bearer(headers)
        if token is not None and token != "":
            if token != call.sim.api_key:
                raise ApiError(
                    403, f"Invalid API Key format or value ({mask_key(token)}).", type="AccessDeniedException"
                )
            return
        value = headers.get("authorization")
        if value is None:
            raise ApiError(403, "Missing Authentication Token", type="MissingAuthenticationTokenException")
        match = _AUTH_RE.fullmatch(value.strip())
        if match is None:
            raise ApiError(
                403,
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.",
                type="IncompleteSignatureException",
            )
        self._check_signature(call, match)

    def _check_signature(self, call: Call, match: re.Match[str]) -> None:
        request = call.request
        if match["key"] != call.sim.api_key:
            raise ApiError(
                403, "The security token included in the request is invalid.", type="UnrecognizedClientException"
            )
        if match["service"] != "bedrock":
            raise ApiError(
                403, "Credential should be scoped to correct service: 'bedrock'.", type="InvalidSignatureException"
            )
        signed = match["signed"].split(";")
        required = {"host", "x-amz-date"} | (
            {"x-amz-security-token"} if "x-amz-security-token" in request.headers else set()
        )
        if missing := sorted(required - set(signed)):
            raise ApiError(403, f"'{missing[0]}' must be a signed header.", type="InvalidSignatureException")
        date_time = request.headers.get("x-amz-date", "")
        if date_time[:8] != match["date"]:
            raise ApiError(
                403,
                "Date in Credential scope does not match YYYYMMDD from X-Amz-Date.",
                type="InvalidSignatureException",
            )
        query = "&".join(f"{k}={v}" for k, v in request.query.items())
        url = f"http://{request.headers.get('host', '')}{request.raw_path}" + (f"?{query}" if query else "")
        presented = {name: request.headers.get(name, "") for name in signed}
        canonical, _ = canonical_request(request.method, url, presented, request.raw_body)
        if signature(call.sim.api_key, date_time, match["region"], canonical) != match["signature"]:
            raise ApiError(403, BAD_SIGNATURE, type="InvalidSignatureException")

    def model_spec(self, call: Call) -> str | None:
        return call.params.get("model")

    # ------------------------------------------------------------------------------------ shapes
    def bad_json(self) -> ApiError:
        return ApiError(400, "Malformed input request, please reformat your input and try again.")

    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(
            404,
            f"The requested operation is not recognized by the service: {request.path}",
            type="UnknownOperationException",
        )

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        kind = err.type or ERROR_TYPES.get(err.status, "InternalServerException")
        headers = {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/", **err.headers}
        return json_reply(err.status, {"message": err.message}, headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        headers = self.fault_headers(status, call)
        messages = {
            400: "The simulator rejected this request (fault=400).",
            401: "The security token included in the request is invalid.",
            403: "You don't have access to the model with the specified model ID.",
            404: "The provided model identifier is invalid.",
            429: "Too many requests, please wait before trying again.",
            503: "Bedrock is unable to process your request.",
        }
        return ApiError(status, messages.get(status, "The server encountered an internal error."), headers=headers)

    def response_headers(self, call: Call) -> dict[str, str]:
        return {"x-amzn-RequestId": call.request_id}

    def stream_error_event(self, call: Call) -> bytes:
        return exception_frame("throttlingException", "Too many requests, please wait before trying again.")

    def malformed_event(self, event: bytes) -> bytes:
        """The event with its last byte changed, so its message CRC no longer matches."""
        return event[:-1] + bytes([event[-1] ^ 0xFF])

    # -------------------------------------------------------------------------------- validation
    def validate(self, call: Call) -> None:
        if call.op == "invoke":
            self._validate_invoke(call)
            return
        body = call.body
        for name in body:
            if name not in CONVERSE_FIELDS:
                raise ApiError(400, f"Malformed input request: extraneous key [{name}] is not permitted.")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(
                400,
                "A conversation must start with a user message. Try again with a conversation "
                "that starts with a user message.",
            )
        for i, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
                raise ApiError(400, f"messages.{i}.role: must be 'user' or 'assistant'")
            content = message.get("content")
            if not isinstance(content, list) or not all(isinstance(b, dict) and len(b) == 1 for b in content):
                raise ApiError(400, f"messages.{i}.content: must be a list of content blocks with one member each")
        system = body.get("system", [])
        if not isinstance(system, list) or not all(
            isinstance(b, dict) and isinstance(b.get("text"), str) for b in system
        ):
            raise ApiError(400, 'system: must be a list of {"text": ...} blocks')
        self._validate_inference(body.get("inferenceConfig", {}))

    @staticmethod
    def _validate_inference(config: Any) -> None:
        if not isinstance(config, dict):
            raise ApiError(400, "inferenceConfig: must be an object")
        for name in config:
            if name not in INFERENCE_FIELDS:
                raise ApiError(400, f"Malformed input request: extraneous key [{name}] is not permitted.")
        max_tokens = config.get("maxTokens")
        if max_tokens is not None and (not is_int(max_tokens) or max_tokens < 1):
            raise ApiError(400, "inferenceConfig.maxTokens: must be an integer >= 1")
        temperature = config.get("temperature")
        if temperature is not None and (not is_number(temperature) or not 0 <= temperature <= 1):
            raise ApiError(400, "inferenceConfig.temperature: must be between 0 and 1")
        stops = config.get("stopSequences")
        if stops is not None and (not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)):
            raise ApiError(400, "inferenceConfig.stopSequences: must be a list of strings")

    def _validate_invoke(self, call: Call) -> None:
        body, model = call.body, call.model or ""
        if "titan-embed" in model:
            if not isinstance(body.get("inputText"), str):
                raise ApiError(400, "Malformed input request: #: required key [inputText] not found")
        elif "cohere.embed" in model:
            texts = body.get("texts")
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise ApiError(400, "Malformed input request: #: required key [texts] not found")
            if not isinstance(body.get("input_type"), str):
                raise ApiError(400, "Malformed input request: #: required key [input_type] not found")
        else:
            raise ApiError(400, f"The simulated InvokeModel serves Titan and Cohere embeddings, not '{model}'.")

    # -------------------------------------------------------------------------------- responses
    def _generation(self, call: Call) -> tuple[Any, int]:
        body = call.body
        system = "\n".join(b["text"] for b in body.get("system", []))
        seed_text, input_tokens, topic = chat_prompt(body["messages"], system)
        config = body.get("inferenceConfig", {})
        gen = generate(
            call.model or "",
            seed_text,
            0,
            tokens=call.knobs.tokens,
            max_tokens=config.get("maxTokens"),
            stop=config.get("stopSequences") or [],
            topic=topic,
        )
        return gen, input_tokens

    def op_converse(self, call: Call) -> Reply:
        gen, input_tokens = self._generation(call)
        usage = {
            "inputTokens": input_tokens,
            "outputTokens": gen.count,
            "totalTokens": input_tokens + gen.count,
        }
        answer = {
            "output": {"message": {"role": "assistant", "content": [{"text": gen.text}]}},
            "stopReason": STOP_REASONS[gen.finish],
            "usage": usage,
            "metrics": {"latencyMs": 210},
        }
        return json_reply(200, answer, tokens=gen.count)

    def op_converse_stream(self, call: Call) -> StreamReply:
        gen, input_tokens = self._generation(call)
        usage = {
            "inputTokens": input_tokens,
            "outputTokens": gen.count,
            "totalTokens": input_tokens + gen.count,
        }

        def events() -> Iterator[Event]:
            yield Event(frame("messageStart", {"role": "assistant"}), "head")
            for t in gen:
                yield Event(frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": t}}))
            yield Event(frame("contentBlockStop", {"contentBlockIndex": 0}), "tail")
            yield Event(frame("messageStop", {"stopReason": STOP_REASONS[gen.finish]}), "tail")
            yield Event(frame("metadata", {"usage": usage, "metrics": {"latencyMs": 210}}), "terminal")

        return StreamReply(events, content_type=EVENTSTREAM)

    def op_invoke(self, call: Call) -> Reply:
        body, model = call.body, call.model or ""
        dim = call.knobs.dim or body.get("dimensions") or embedding_dim(model)
        if "titan-embed" in model:
            text = body["inputText"]
            return json_reply(200, {"embedding": embedding(model, text, dim), "inputTextTokenCount": count_words(text)})
        texts = body["texts"]
        return json_reply(
            200,
            {
                "id": secrets.token_hex(16),
                "embeddings": [embedding(model, t, dim) for t in texts],
                "response_type": "embeddings_floats",
                "texts": [content_text(t) for t in texts],
            },
        )
