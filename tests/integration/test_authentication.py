"""Bearer tokens: RS256 against a JWKS (as in AWS) and HS256 with the dev secret (the local runtime).

The RS256 path uses a key pair made here and a JWKS served from a loopback HTTP
server (the socket is the point: PyJWT fetches and caches the keys itself).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from chalicelib import auth
from chalicelib.config import DEV_JWT_SECRET, Settings, SettingsError, settings
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.models import Role
from tests.integration.conftest import Api, Storefront

ISSUER = "https://id.example.test/"
AUDIENCE = "disputes"
KID = "test-key-1"


class Jwks:
    """A JWKS endpoint on loopback that counts how often it is fetched."""

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.fetches = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                body = json.dumps({"keys": jwks.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str = KID) -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def claims(**overrides: Any) -> dict[str, Any]:
    base = {
        "sub": "buyer-1",
        "role": "buyer",
        "storefront_id": "shop-1",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": int(time.time()) + 600,
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def rs256(key: rsa.RSAPrivateKey, kid: str = KID, **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), key, algorithm="RS256", headers={"kid": kid})


def unsigned(**overrides: Any) -> str:
    """`alg: none`, built by hand (PyJWT refuses to verify such a token, which is what is tested)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': KID})}.{part(claims(**overrides))}."


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def jwks(signing_key: rsa.RSAPrivateKey) -> Iterator[Jwks]:
    server = Jwks([public_jwk(signing_key)])
    yield server
    server.close()


@pytest.fixture
def aws_settings(jwks: Jwks, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings as in AWS: RS256 from the JWKS, no dev secret; a fresh PyJWKClient per test."""
    config = Settings(
        runtime="aws",
        table_name="t",
        evidence_bucket="b",
        state_machine_arn="arn",
        jwks_url=jwks.url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
    )
    auth._jwks_client.cache_clear()
    monkeypatch.setattr(auth, "settings", lambda: config)
    yield config
    auth._jwks_client.cache_clear()


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_rs256_token_from_the_jwks_is_accepted(aws_settings: Settings, signing_key: rsa.RSAPrivateKey) -> None:
    actor = auth.authenticate(bearer(rs256(signing_key, role="seller", sub="seller-7")))

    assert (actor.sub, actor.role, actor.storefront_id) == ("seller-7", Role.SELLER, "shop-1")


def test_jwks_keys_are_fetched_once_and_cached(
    aws_settings: Settings, signing_key: rsa.RSAPrivateKey, jwks: Jwks
) -> None:
    for number in range(5):
        auth.authenticate(bearer(rs256(signing_key, sub=f"buyer-{number}")))

    assert jwks.fetches == 1


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"iss": "https://evil.example.test/"}, "another issuer"),
        ({"iss": None}, "no issuer"),
        ({"aud": "another-api"}, "another audience"),
        ({"aud": None}, "no audience"),
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"exp": None}, "no expiry"),
        ({"role": "admin"}, "unknown role"),
        ({"role": None}, "no role"),
        ({"sub": None}, "no subject"),
        ({"storefront_id": None}, "no storefront"),
        ({"sub": "x" * 500}, "over-long subject"),
        ({"sub": "a/b"}, "subject with a slash"),
    ],
)
def test_rs256_token_with_bad_claims_is_401(
    aws_settings: Settings, signing_key: rsa.RSAPrivateKey, change: dict[str, Any], why: str
) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(rs256(signing_key, **change)))


def test_token_signed_by_another_key_with_the_same_kid_is_401(aws_settings: Settings) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(rs256(new_key())))


def test_token_naming_an_unknown_key_is_401(aws_settings: Settings, signing_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(rs256(signing_key, kid="not-in-the-jwks")))


def test_hs256_token_is_401_when_a_jwks_is_configured(aws_settings: Settings, signing_key: rsa.RSAPrivateKey) -> None:
    """Algorithm confusion: an HMAC token signed with the dev secret, or with the public key as the secret."""
    dev = jwt.encode(claims(), DEV_JWT_SECRET, algorithm="HS256", headers={"kid": KID})
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(dev))


def test_alg_none_is_401(aws_settings: Settings) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(unsigned()))


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Token x"])
def test_missing_or_malformed_authorization_is_401(aws_settings: Settings, header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(header)


def test_aws_settings_without_an_issuer_are_refused() -> None:
    with pytest.raises(ValueError, match="JWT_ISSUER"):
        Settings(runtime="aws", table_name="t", evidence_bucket="b", state_machine_arn="a", jwks_url="https://x/")


def test_settings_error_names_the_missing_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"TABLE_NAME": "t", "EVIDENCE_BUCKET": "b", "STATE_MACHINE_ARN": "a"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JWKS_URL", "https://id.example.test/jwks.json")
    monkeypatch.delenv("JWT_ISSUER", raising=False)
    settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="JWT_ISSUER"):
            settings()
    finally:
        monkeypatch.undo()
        settings.cache_clear()


# -- the dev path (HS256), as the local runtime runs it ---------------------------------------------


@pytest.fixture
def local_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    config = Settings(
        runtime="local", table_name="t", evidence_bucket="b", state_machine_arn="arn", dev_jwt_secret=DEV_JWT_SECRET
    )
    monkeypatch.setattr(auth, "settings", lambda: config)
    return config


def hs256(secret: str = DEV_JWT_SECRET, **overrides: Any) -> str:
    """As `python -m localrun.tokens` mints them: no issuer, no audience."""
    return jwt.encode(claims(**{"iss": None, "aud": None, **overrides}), secret, algorithm="HS256")


def test_dev_token_is_accepted_locally(local_settings: Settings) -> None:
    actor = auth.authenticate(bearer(hs256(role="storefront", sub="shop-backend")))

    assert actor.role == Role.STOREFRONT


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: hs256(secret="another-secret-of-at-least-32-bytes!"), id="wrong secret"),
        pytest.param(lambda: hs256(exp=int(time.time()) - 10), id="expired"),
        pytest.param(lambda: hs256(role="root"), id="unknown role"),
        pytest.param(lambda: hs256(storefront_id=None), id="no storefront"),
        pytest.param(unsigned, id="alg none"),
        pytest.param(lambda: rs256(new_key()), id="RS256 locally"),
        pytest.param(lambda: hs256(exp=10**400), id="exp beyond any calendar"),
        pytest.param(lambda: hs256(exp=1e308), id="exp as a huge float"),
        pytest.param(lambda: hs256(exp=str(int(time.time()) + 600)), id="exp as a string"),
        pytest.param(lambda: hs256(iat=10**400), id="iat beyond any calendar"),
        pytest.param(lambda: hs256(iat=-(10**400)), id="iat before any calendar"),
        pytest.param(lambda: hs256(nbf=10**400), id="nbf beyond any calendar"),
    ],
)
def test_bad_dev_tokens_are_401(local_settings: Settings, token: Any) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(token()))


class Checks:
    """Counts the full verifications `authenticate` makes, and moves its clock."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.offset = 0.0
        verify = auth._verify

        def counted(token: str, config: Settings) -> tuple[Any, float]:
            self.count += 1
            return verify(token, config)

        monkeypatch.setattr(auth, "_verify", counted)
        monkeypatch.setattr(auth, "_clock", lambda: time.time() + self.offset)


def test_a_token_is_verified_once_then_remembered_until_its_trust_runs_out(
    local_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = Checks(monkeypatch)
    token = bearer(hs256(sub="buyer-remembered", exp=int(time.time()) + 3600))

    actors = [auth.authenticate(token) for _ in range(3)]
    checks.offset = auth.TRUST_SECONDS + 1
    again = auth.authenticate(token)

    assert {actor.sub for actor in [*actors, again]} == {"buyer-remembered"}
    assert checks.count == 2


def test_a_remembered_token_past_its_exp_is_verified_again(
    local_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Again means PyJWT's own expiry check, which `test_bad_dev_tokens_are_401[expired]` shows refuses it."""
    checks = Checks(monkeypatch)
    token = bearer(hs256(sub="buyer-short", exp=int(time.time()) + 30))
    auth.authenticate(token)
    auth.authenticate(token)

    checks.offset = 31
    auth.authenticate(token)  # PyJWT reads the real clock, which has not reached exp

    assert checks.count == 2


def test_no_verifier_in_aws_without_a_jwks_is_401(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Settings(runtime="aws", table_name="t", evidence_bucket="b", state_machine_arn="arn")
    monkeypatch.setattr(auth, "settings", lambda: config)

    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(hs256()))


# -- through the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [{"exp": 10**400}, {"iat": 10**400}, {"nbf": 10**400}, {"exp": 1e308}],
    ids=["exp 10**400", "iat 10**400", "nbf 10**400", "exp 1e308"],
)
def test_a_signed_token_with_a_time_claim_out_of_range_is_a_json_401_not_a_500(
    api: Api, patient_shop: Storefront, claim: dict[str, Any]
) -> None:
    secret = settings().dev_jwt_secret
    assert secret is not None
    token = hs256(secret, role="storefront", sub="backend", storefront_id=patient_shop.id, **claim)

    response = api.call("GET", "/v1/webhooks", {"Authorization": bearer(token)})

    assert response.status_code == 401, response.json
    assert response.json["error"]["code"] == "unauthenticated"


def test_the_api_takes_rs256_tokens_when_a_jwks_is_configured(
    api: Api, patient_shop: Storefront, signing_key: rsa.RSAPrivateKey, jwks: Jwks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the running service switched to RS256 from the JWKS
    case = patient_shop.escalate()
    config = settings().model_copy(update={"jwks_url": jwks.url, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE})
    auth._jwks_client.cache_clear()
    monkeypatch.setattr(auth, "settings", lambda: config)
    buyer = rs256(signing_key, storefront_id=patient_shop.id)
    try:
        # When the buyer reads its case with an RS256 token, and again with its old dev token
        read = api.call("GET", f"/v1/disputes/{case['id']}", {"Authorization": bearer(buyer)})
        dev = api.call("GET", f"/v1/disputes/{case['id']}", patient_shop.buyer)
        expired = rs256(signing_key, storefront_id=patient_shop.id, exp=int(time.time()) - 1)
        late = api.call("GET", f"/v1/disputes/{case['id']}", {"Authorization": bearer(expired)})
    finally:
        auth._jwks_client.cache_clear()

    # Then only the RS256 token is accepted
    assert read.status_code == 200, read.json
    assert dev.status_code == 401
    assert late.status_code == 401
    assert late.json["error"]["code"] == "unauthenticated"
