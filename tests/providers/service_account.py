"""A service-account JSON key made at test time (RSA 2048, cryptography) and registered with the simulator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.providers.rig import Rig
from tui.simulator import Simulator
from tui.simulator.dialects.vertex import register_service_account

CLIENT_EMAIL = "switchboard-test@sim-project.iam.gserviceaccount.com"
KEY_ID = "0123456789abcdef0123456789abcdef01234567"


@dataclass(frozen=True)
class ServiceAccountKey:
    private_pem: str
    public_pem: bytes

    def json(self, **changes: object) -> str:
        """The key file as Google issues it; ``changes`` replace (or, as None, drop) fields."""
        data: dict[str, object] = {
            "type": "service_account",
            "project_id": "sim-project",
            "private_key_id": KEY_ID,
            "private_key": self.private_pem,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
        data.update(changes)
        return json.dumps({k: v for k, v in data.items() if v is not None})


def service_account_key(seed: int = 0) -> ServiceAccountKey:
    """One key pair per ``seed`` for the test session (RSA key generation takes tens of milliseconds)."""
    return _key_pair(seed)


@cache
def _key_pair(seed: int) -> ServiceAccountKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return ServiceAccountKey(private, public)


def register(sim: Simulator, key: ServiceAccountKey) -> None:
    register_service_account(sim.dialects, CLIENT_EMAIL, key.public_pem, KEY_ID)


VERTEX_REF = "{{secrets/sim/vertex}}"
"""Where the Vertex endpoints of the tests read their service-account key from."""


async def vertex_ready(rig: Rig, key: ServiceAccountKey | None = None) -> ServiceAccountKey:
    """Register a service account with the rig's simulator and store its JSON key at ``VERTEX_REF``."""
    key = key or service_account_key()
    register(rig.sim, key)
    await rig.ws.put_secret("sim", "vertex", key.json().encode())
    return key
