"""The API's JSON parser: a body nested too deeply is a 400 in the API's error shape, not a 500.

Python's JSON decoder recurses once per level of nesting and raises RecursionError (not
ValueError, which DRF turns into a 400) at about 1,000 levels. No request of this API nests more
than a few levels, so anything deeper than MAX_DEPTH is refused before a serializer walks it.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_DEPTH} levels deep."


def nesting_depth_exceeds(data, limit: int) -> bool:
    """Whether `data` (parsed JSON) has lists or objects nested more than `limit` deep. Walks
    iteratively, so a deep value cannot exhaust the stack here either."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_DEPTH with a ParseError (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(TOO_DEEP) from error
        if nesting_depth_exceeds(data, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        return data
