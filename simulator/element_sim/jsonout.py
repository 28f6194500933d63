"""Compact JSON output, with room for parts that were encoded earlier."""

import json

# Element answers compact JSON: clients search the raw text for '"code":500'.
encode_compact = json.JSONEncoder(separators=(",", ":")).encode


class RawJSON:
    """JSON text that encode_json splices into a document as it is."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def encode_json(obj):
    """encode_compact, except that RawJSON parts are spliced in as they are."""
    try:
        return encode_compact(obj)
    except TypeError:
        pass  # a RawJSON somewhere below: walk down to it
    if isinstance(obj, RawJSON):
        return obj.text
    if isinstance(obj, dict):
        return "{" + ",".join(f"{encode_compact(str(k))}:{encode_json(v)}"
                              for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(encode_json(v) for v in obj) + "]"
    raise TypeError(f"cannot encode {type(obj).__name__}")
