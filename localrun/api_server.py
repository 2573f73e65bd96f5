"""The Chalice API over HTTP: Chalice's local server, answering a path no route matches as the deployed API does.

Chalice's local gateway answers such a path with API Gateway's *default* 403, and when the request
carries an `Authorization` header its message quotes the header back: the caller's bearer token. The
deployed API replaces that answer with the API's JSON 404 (a Gateway Response, see infra/build.py);
this server sends the same body, before Chalice's gateway or the app's middleware see the request.
"""

from __future__ import annotations

import json
import socketserver
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
    RouteMatcher,
)

from chalicelib.api.errors import NO_SUCH_ROUTE


class RouteNotFound(LocalGatewayException):
    CODE = 404

    def __init__(self) -> None:
        super().__init__({"Content-Type": "application/json"}, json.dumps(NO_SUCH_ROUTE).encode())


class ApiGateway(LocalGateway):
    """Chalice's gateway, except that a path matching no route is the API's 404 (nothing of the request echoed)."""

    def __init__(self, app_object: Chalice, config: Config) -> None:
        super().__init__(app_object, config)
        self._routes = RouteMatcher(list(app_object.routes))

    def handle_request(self, method: str, path: str, headers: dict[str, Any], body: bytes | None) -> dict[str, Any]:
        try:
            self._routes.match_route(path)
        except ValueError:  # Chalice's own gateway would answer 403 here, with the Authorization header quoted
            raise RouteNotFound from None
        response: dict[str, Any] = super().handle_request(method, path, headers, body)
        return response


class ApiRequestHandler(ChaliceRequestHandler):
    def __init__(
        self,
        request: Any,
        client_address: tuple[str, int],
        server: socketserver.BaseServer,
        app_object: Chalice,
        config: Config,
    ) -> None:
        # ChaliceRequestHandler.__init__ builds a LocalGateway, then serves the request at once; so build ours.
        self.local_gateway = ApiGateway(app_object, config)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)


def create_api_server(app_object: Chalice, host: str, port: int) -> LocalDevServer:
    """Chalice's local server for the app, with ApiRequestHandler; `port` 0 picks a free one."""
    if not isinstance(app_object, LocalChalice):
        # As chalice.local.create_local_server does (which cannot twice for one app): one request per thread.
        CustomLocalChalice.__bases__ = (LocalChalice, app_object.__class__)
        app_object.__class__ = CustomLocalChalice
    config = Config.create(app_name=app_object.app_name)
    return LocalDevServer(app_object, config, host, port, handler_cls=ApiRequestHandler)
