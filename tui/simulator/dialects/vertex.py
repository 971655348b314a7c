"""Google Cloud Vertex AI (providers.md §5): Gemini's bodies and answers under
``/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:<method>``, an OAuth bearer
token, ``:predict`` embeddings with token statistics; plus Google's OAuth token endpoint
(``POST /oauth2/v4/token``, the JWT bearer grant) that checks the assertion's RS256 signature against the
public key of a service account registered with :func:`register_service_account`, and its claims
(issuer, audience = the token URL, cloud-platform scope, at most an hour of life).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from tui.simulator.dialects.base import ApiError, Call, Dialect, RecordedRequest, Reply, Route, bearer, json_reply
from tui.simulator.dialects.gemini import GeminiDialect
from tui.simulator.text import count_words, embedding, embedding_dim

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
TOKEN_PATH = "/oauth2/v4/token"
MAX_ASSERTION_LIFETIME = 3600
_MODEL = "/{version}/projects/{project}/locations/{location}/publishers/google/models/{model}"
SHORT_LIVED = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)
BAD_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
    "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def _oauth_error(error: str, description: str, status: int = 400) -> Reply:
    return json_reply(status, {"error": error, "error_description": description})


class VertexDialect(GeminiDialect):
    name = "vertex"
    title = "Vertex AI"
    routes: ClassVar[tuple[Route, ...]] = (
        Route("POST", _MODEL + ":generateContent", "generate"),
        Route("POST", _MODEL + ":streamGenerateContent", "stream"),
        Route("POST", _MODEL + ":predict", "predict"),
        Route("POST", TOKEN_PATH, "token", body="form", auth=False, knobs=False),
    )
    versions: ClassVar[tuple[str, ...]] = ("v1", "v1beta1")
    requires_role: ClassVar[bool] = True

    def __init__(self) -> None:
        self.accounts: dict[str, tuple[str, bytes]] = {}
        """client_email -> (private_key_id, public key PEM) of the service accounts the token endpoint knows."""

    def add_service_account(self, client_email: str, public_key_pem: bytes, key_id: str = "") -> None:
        self.accounts[client_email] = (key_id, public_key_pem)

    def owns(self, request: RecordedRequest) -> bool:
        return request.path.startswith(("/v1/projects/", "/v1beta1/projects/"))

    # ------------------------------------------------------------------------------------ access
    def check_access(self, call: Call) -> None:
        if call.params.get("version") not in self.versions:
            raise ApiError(404, f"Not found: {call.request.path}")
        token = bearer(call.request.headers)
        if not token or call.sim.token_audience(token) != CLOUD_PLATFORM_SCOPE:
            raise ApiError(401, BAD_CREDENTIALS)

    def validate(self, call: Call) -> None:
        if call.op == "predict":
            self._validate_predict(call)
        elif call.op != "token":  # the token endpoint checks its form itself
            super().validate(call)

    @staticmethod
    def _validate_predict(call: Call) -> None:
        instances = call.body.get("instances")
        if not isinstance(instances, list) or not instances:
            raise ApiError(400, "Invalid request: 'instances' must be a non-empty list.")
        for i, instance in enumerate(instances):
            if not isinstance(instance, dict) or not isinstance(instance.get("content"), str):
                raise ApiError(400, f"Invalid instance {i}: 'content' must be a string.")
        if not isinstance(call.body.get("parameters", {}), dict):
            raise ApiError(400, "Invalid request: 'parameters' must be an object.")

    # -------------------------------------------------------------------------------- responses
    def op_predict(self, call: Call) -> Reply:
        model = call.model or ""
        parameters = call.body.get("parameters") or {}
        dim = call.knobs.dim or parameters.get("outputDimensionality") or embedding_dim(model)
        predictions = []
        for instance in call.body["instances"]:
            text = instance["content"]
            statistics = {"truncated": False, "token_count": count_words(text)}
            predictions.append({"embeddings": {"statistics": statistics, "values": embedding(model, text, dim)}})
        characters = sum(len(i["content"]) for i in call.body["instances"])
        return json_reply(200, {"predictions": predictions, "metadata": {"billableCharacterCount": characters}})

    # ------------------------------------------------------------------------- OAuth token endpoint
    def op_token(self, call: Call) -> Reply:
        import jwt

        call.sim.token_requests += 1
        form = call.body
        if form.get("grant_type") != JWT_BEARER:
            return _oauth_error("unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type', '')}")
        assertion = form.get("assertion")
        if not assertion:
            return _oauth_error("invalid_request", "Missing required parameter: assertion")
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return _oauth_error("invalid_grant", "Invalid JWT: the assertion is not a JWT.")
        account = self.accounts.get(str(unverified.get("iss")))
        if account is None:
            return _oauth_error("invalid_grant", "Invalid grant: account not found")
        key_id, public_key = account
        if header.get("alg") != "RS256" or (key_id and header.get("kid") != key_id):
            return _oauth_error("invalid_grant", "Invalid JWT Signature.")
        here = f"http://{call.request.headers.get('host', '')}{TOKEN_PATH}"
        try:
            claims = jwt.decode(
                assertion,
                public_key,
                algorithms=["RS256"],
                audience=[here, GOOGLE_TOKEN_URI],
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.InvalidSignatureError:
            return _oauth_error("invalid_grant", "Invalid JWT Signature.")
        except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError):
            return _oauth_error("invalid_grant", SHORT_LIVED)
        except jwt.InvalidAudienceError:
            return _oauth_error("invalid_grant", f"Invalid JWT: Failed audience check. The expected value was {here}")
        except jwt.PyJWTError as err:
            return _oauth_error("invalid_grant", f"Invalid JWT: {err}")
        if int(claims["exp"]) - int(claims["iat"]) > MAX_ASSERTION_LIFETIME:
            return _oauth_error("invalid_grant", SHORT_LIVED)
        if CLOUD_PLATFORM_SCOPE not in str(claims.get("scope", "")).split():
            return _oauth_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        token, expires_in = call.sim.issue_token(CLOUD_PLATFORM_SCOPE)
        return json_reply(200, {"access_token": token, "expires_in": expires_in, "token_type": "Bearer"})


def register_service_account(
    dialects: Iterable[Dialect], client_email: str, public_key_pem: bytes, key_id: str = ""
) -> None:
    """Let the simulator's token endpoint (one of ``dialects``, e.g. ``sim.dialects``) accept JWTs of this account."""
    for dialect in dialects:
        if isinstance(dialect, VertexDialect):
            dialect.add_service_account(client_email, public_key_pem, key_id)
            return
    raise LookupError("the simulator has no Vertex AI dialect")
