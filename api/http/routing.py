"""A route class for paths served by several methods."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import HTTPException
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send


def shared_path_route(routes: Callable[[], Sequence[BaseRoute]]) -> type[APIRoute]:
    """A route class whose 405 names every method of its path among `routes()` (the router's
    routes, read when a request comes). Starlette answers a wrong method with the `Allow` of the
    first route whose path matches; with GET and POST on one path that names one method."""

    class SharedPathRoute(APIRoute):
        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            if self.methods and scope["method"] not in self.methods:
                allowed = {
                    method
                    for route in routes()
                    if isinstance(route, APIRoute) and route.path_format == self.path_format
                    for method in route.methods or ()
                }
                raise HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
            await super().handle(scope, receive, send)

    return SharedPathRoute
