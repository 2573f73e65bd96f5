"""The local runtime's API server answers like the deployed API, over a real socket, in this process."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from app import app
from chalicelib.api.errors import NO_SUCH_ROUTE
from localrun.api_server import create_api_server
from localrun.runtime import LocalRuntime
from tests.factories import bearer


@pytest.fixture(scope="module")
def api_url(runtime: LocalRuntime) -> Iterator[str]:
    server = create_api_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, name="test-api", daemon=True).start()
    host, port = server.server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()


TOKEN = bearer("buyer", "buyer-1", "patient")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/"), ("GET", "/v1/nope"), ("POST", "/v1/nope"), ("GET", "/"), ("DELETE", "/v1/disputes/d/nope")],
)
def test_a_path_no_route_matches_is_the_apis_json_404_and_never_echoes_the_token(
    api_url: str, method: str, path: str
) -> None:
    response = requests.request(method, f"{api_url}{path}", headers=TOKEN, data=b"{}", timeout=10)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == NO_SUCH_ROUTE
    token = TOKEN["Authorization"].split()[1]
    assert token not in response.text
    assert all(token not in value for value in response.headers.values())


def test_a_path_no_route_matches_is_a_404_without_a_token_too(api_url: str) -> None:
    response = requests.get(f"{api_url}/v1/nope", timeout=10)

    assert (response.status_code, response.json()) == (404, NO_SUCH_ROUTE)


def test_known_routes_are_still_served_by_the_app(api_url: str) -> None:
    health = requests.get(f"{api_url}/health", timeout=10)
    absent = requests.get(f"{api_url}/v1/disputes/dsp_absent", headers=TOKEN, timeout=10)
    wrong_method = requests.patch(f"{api_url}/v1/disputes", headers=TOKEN, timeout=10)

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (absent.status_code, absent.json()["error"]["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (405, "method_not_allowed")
