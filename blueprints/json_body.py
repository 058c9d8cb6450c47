"""Request bodies are parsed here, with a nesting limit: no route of ours takes more than a few
levels, and CPython's parser raises RecursionError near 1,000 levels (which used to become a 500 on
every JSON route, the unauthenticated login included). Deeper bodies are refused with a 400 before
any schema walks them."""
from __future__ import annotations

import typing

from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from app.errors import DomainError
from app.i18n import _

MAX_DEPTH = 32


class JsonTooDeep(DomainError):
    code = "json_too_deep"   # no DomainError subclass maps it, so it answers 400


def depth_of(value: typing.Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep() -> JsonTooDeep:
    return JsonTooDeep(_("The body nests deeper than %(limit)s levels", limit=MAX_DEPTH),
                       details={"max_depth": MAX_DEPTH})


def parse(raw: bytes) -> typing.Any:
    """The parsed body; json.JSONDecodeError (a ValueError) if it is not JSON, JsonTooDeep if too deep."""
    try:
        body = core.parse_json(raw)
    except RecursionError:
        raise _too_deep() from None
    if depth_of(body) > MAX_DEPTH:
        raise _too_deep()
    return body


class DepthLimitedParser(FlaskParser):
    def _raw_load_json(self, req):
        return parse(req.get_data(cache=True)) if is_json_request(req) else core.missing
