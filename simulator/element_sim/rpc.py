"""API versions, the method registry and parameter coercion.

Cluster-layer methods register themselves with @method(...). The registry knows each
method's `since` version (from the official Python SDK's `since=` values), its parameters and
how the dispatcher must run it (inside one locked transaction or managing the lock itself).
"""

from dataclasses import dataclass, field

from .errors import ElementError

CURRENT_VERSION = "12.5"
SUPPORTED_VERSIONS = (
    "1.0", "2.0", "3.0", "4.0", "5.0", "5.1", "6.0", "7.0", "7.1", "7.2", "7.3", "7.4",
    "8.0", "8.1", "8.2", "8.3", "8.4", "8.5", "8.6", "8.7",
    "9.0", "9.1", "9.2", "9.3", "9.4", "9.5", "9.6",
    "10.0", "10.1", "10.2", "10.3", "10.4", "10.5", "10.6", "10.7",
    "11.0", "11.1", "11.3", "11.5", "11.7", "11.8", "12.0", "12.2", "12.3", "12.5",
)
ELEMENT_VERSION = "12.5.0.897"  # full software version a real 12.5 cluster reports


@dataclass(frozen=True)
class Param:
    type: object          # int, float, bool, str, dict, [elem_type] for a list, or a tuple
                          # of those for a value that may have either type (no conversion)
    required: bool = False


def req(typ):
    return Param(typ, True)


def opt(typ):
    return Param(typ, False)


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: object
    since: float
    params: dict = field(default_factory=dict)
    # True: the dispatcher holds the lock and commits around the handler.
    # False: the handler calls other clusters and takes the lock itself, only between calls.
    locked: bool = True
    # True: the dispatcher first asks every paired cluster for its view (outside the lock).
    peer_view: bool = False
    # True: only a paired cluster (with pairing credentials) may call it.
    internal: bool = False


REGISTRY = {}


def method(api_name, /, *, since, locked=True, peer_view=False, internal=False, **params):
    """Register an API method; **params declares its parameters (Param objects)."""
    def register(fn):
        if api_name in REGISTRY:
            raise ValueError(f"method {api_name} registered twice")
        REGISTRY[api_name] = MethodSpec(api_name, fn, float(since), params, locked, peer_view,
                                        internal)
        return fn
    return register


def public_methods(version):
    """Names of the public methods available at an API version, sorted."""
    v = float(version)
    return sorted(n for n, s in REGISTRY.items() if not s.internal and s.since <= v)


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def _label(typ):
    if isinstance(typ, list):
        return f"list of {_label(typ[0])}"
    if isinstance(typ, tuple):
        return " or ".join(_label(t) for t in typ)
    return typ.__name__


def _type_error(name, typ):
    label = _label(typ)
    return ElementError("xInvalidParameterType", f"Parameter {name} must be of type {label}.")


def coerce(name, value, typ):
    """Convert a JSON value to the declared type, accepting the numeric and boolean strings
    that the Element docs' own examples send ("false" is False, "1" is 1)."""
    if isinstance(typ, list):
        if not isinstance(value, list):
            raise _type_error(name, typ)
        return [coerce(name, v, typ[0]) for v in value]
    if isinstance(typ, tuple):
        # Either type, as sent: e.g. initiators given by ID (int) or by name (str), where "12"
        # is a name and must not become an ID.
        for option in typ:
            if isinstance(value, option) and not (option is int and isinstance(value, bool)):
                return value
        raise _type_error(name, typ)
    if typ is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _type_error(name, typ)
    if typ is int:
        if isinstance(value, bool):
            raise _type_error(name, typ)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise _type_error(name, typ)
    if typ is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise _type_error(name, typ)
    if typ is str:
        if isinstance(value, str):
            return value
        raise _type_error(name, typ)
    if typ is dict:
        if isinstance(value, dict):
            return value
        raise _type_error(name, typ)
    raise TypeError(f"unsupported parameter type {typ!r}")


def bind_params(spec, params):
    """(coerced known params, unknown params). JSON null counts as absent."""
    bound, unused = {}, {}
    for key, value in params.items():
        p = spec.params.get(key)
        if p is None:
            unused[key] = value
        elif value is not None:
            bound[key] = coerce(key, value, p.type)
    for key, p in spec.params.items():
        if p.required and key not in bound:
            raise ElementError("xMissingParameter", f"Missing member=[{key}]")
    return bound, unused
