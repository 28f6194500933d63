"""The /sim/ control API: JSON in and out, admin basic auth of the cluster addressed.

One route table maps (HTTP method, path pattern) to a handler, as moto's url_paths do; a
handler gets a Call (the endpoint addressed, the path's groups, the query and the JSON body)
and returns a Reply. Add an endpoint by adding a row to ROUTES.
"""

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from .clock import MAX_ADVANCE_SECONDS
from .cluster.clones import clone_origins
from .cluster.schedules import fail_next_runs, schedule_runs, stall_next_runs
from .cluster.stats import observe_all, set_lag
from .errors import ElementError
from .faults import FaultSpecError, parse_fault
from .replies import Reply

log = logging.getLogger("element_sim")

MAX_SETTING_SECONDS = 3600


class BadInput(Exception):
    """The request is malformed: HTTP 400 with this message."""


@dataclass
class Call:
    control: "SimControl"
    endpoint: object          # the ClusterEndpoint whose port was addressed
    groups: tuple             # the route pattern's groups
    query: dict
    data: object              # the JSON body ({} when empty)

    @property
    def sim(self):
        return self.control.sim

    def named_endpoint(self, name):
        endpoint = self.control.endpoints.get(name)
        if endpoint is None:
            raise LookupError(f"no cluster named {name}")
        return endpoint

    def flag(self, name):
        return self.query.get(name, ["0"])[0].lower() in ("1", "true", "yes")


# ---- handlers --------------------------------------------------------------------------------

def get_calls(call):
    return Reply(answer={"calls": call.endpoint.calllog.entries(call.flag("include_peer"))})


def clear_calls(call):
    call.endpoint.calllog.clear()
    return Reply(answer={"cleared": True})


def list_faults(call):
    return Reply(answer={"faults": call.endpoint.faults.list()})


def add_fault(call):
    try:
        return Reply(answer={"fault_id": call.endpoint.faults.add(parse_fault(call.data))})
    except FaultSpecError as exc:
        raise BadInput(str(exc))


def clear_faults(call):
    call.endpoint.faults.clear()
    return Reply(answer={"cleared": True})


def _set_offline(call, endpoint, offline):
    outage = (call.data or {}).get("outage", "close") if isinstance(call.data, dict) else "close"
    try:
        endpoint.set_offline(offline, outage)
    except ValueError as exc:
        raise BadInput(str(exc))
    observe_all(endpoint.cluster.sim)  # pairs fall behind (or drain) from now
    log.info("cluster %s is now %s", endpoint.name, f"offline ({outage})" if offline else "online")
    return Reply(answer={"name": endpoint.name, "offline": offline, "outage": endpoint.outage})


def set_own_offline(call):
    return _set_offline(call, call.endpoint, call.groups[0] == "offline")


def set_cluster_offline(call):
    return _set_offline(call, call.named_endpoint(call.groups[0]), call.groups[1] == "offline")


def set_link(call):
    ends = [call.control.endpoints.get(name) for name in call.groups[:2]]
    if None in ends or ends[0] is ends[1]:
        raise LookupError("need two different cluster names of this process")
    up = call.groups[2] == "up"
    call.sim.network.set_link(ends[0].cluster.unique_id, ends[1].cluster.unique_id, up=up)
    observe_all(call.sim)
    log.info("link %s - %s is now %s", ends[0].name, ends[1].name, call.groups[2])
    return Reply(answer={"link": [e.name for e in ends], "state": call.groups[2]})


def list_links(call):
    names = {e.cluster.unique_id: e.name for e in call.control.endpoints.values()}
    return Reply(answer={"down": [[names.get(u, u) for u in pair] for pair in call.sim.network.cut_links()]})


def restore_links(call):
    call.sim.network.restore_all_links()
    observe_all(call.sim)
    return Reply(answer={"cleared": True})


def list_clusters(call):
    return Reply(answer={"clusters": [
        {"name": e.name, "mvip": e.mvip, "uniqueID": e.cluster.unique_id, "offline": e.offline,
         "outage": e.outage}
        for e in call.control.endpoints.values()]})


def get_settings(call):
    return Reply(answer=dict(call.sim.settings))


def update_settings(call):
    data = call.data
    if not isinstance(data, dict):
        raise BadInput("body must be a JSON object")
    for key, value in data.items():
        if key not in call.sim.settings:
            raise BadInput(f"unknown setting {key!r}; known: {sorted(call.sim.settings)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0 <= value <= MAX_SETTING_SECONDS:
            raise BadInput(f"{key} must be a number of seconds, 0-{MAX_SETTING_SECONDS}")
    call.sim.settings.update({k: float(v) for k, v in data.items()})
    return Reply(answer=dict(call.sim.settings))


def list_clones(call):
    with call.sim.lock:
        return Reply(answer={"clones": clone_origins(call.endpoint.cluster)})


def set_volume_lag(call):
    seconds = call.data.get("seconds") if isinstance(call.data, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
            or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise BadInput(f'body must be {{"seconds": <0-{MAX_ADVANCE_SECONDS}>}}')
    try:
        lag = set_lag(call.endpoint.cluster, int(call.groups[0]), seconds)
    except ElementError as exc:
        raise LookupError(f"volume {call.groups[0]}: {exc.name}")
    return Reply(answer={"volumeID": int(call.groups[0]), "lagSeconds": lag})


def list_schedule_runs(call):
    with call.sim.lock:
        return Reply(answer={"schedules": schedule_runs(call.endpoint.cluster)})


def _runs_body(call):
    """The body of /sim/schedules/<id>/fail and /stall: a JSON object and its run count."""
    data = call.data if isinstance(call.data, dict) else None
    if data is None:
        raise BadInput("body must be a JSON object")
    count = data.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise BadInput("'count' must be a non-negative integer (0 clears)")
    return data, count


def fail_schedule_runs(call):
    data, count = _runs_body(call)
    for key in ("error", "message"):
        if data.get(key) is not None and (not isinstance(data[key], str) or not data[key]):
            raise BadInput(f"'{key}' must be a non-empty string")
    with call.sim.transaction():
        left = fail_next_runs(call.endpoint.cluster, int(call.groups[0]), count,
                              data.get("error"), data.get("message"))
    return Reply(answer={"scheduleID": int(call.groups[0]), "failNext": left})


def stall_schedule_runs(call):
    _data, count = _runs_body(call)
    with call.sim.transaction():
        left = stall_next_runs(call.endpoint.cluster, int(call.groups[0]), count)
    return Reply(answer={"scheduleID": int(call.groups[0]), "stallNext": left})


def _clock_answer():
    from .clock import CLOCK
    return {"now": CLOCK.now(), "offset": CLOCK.offset}


def get_clock(call):
    return Reply(answer=_clock_answer())


def advance_clock(call):
    seconds = call.data.get("advance") if isinstance(call.data, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise BadInput('body must be {"advance": <seconds>}')
    try:
        call.sim.advance_clock(seconds)
    except ValueError as exc:
        raise BadInput(str(exc))
    return Reply(answer=_clock_answer())


# (HTTP method, path pattern, handler); the first match wins.
ROUTES = [
    ("GET", r"/sim/calls", get_calls),
    ("DELETE", r"/sim/calls", clear_calls),
    ("GET", r"/sim/faults", list_faults),
    ("POST", r"/sim/faults", add_fault),
    ("DELETE", r"/sim/faults", clear_faults),
    ("POST", r"/sim/(offline|online)", set_own_offline),
    ("POST", r"/sim/clusters/([^/]+)/(offline|online)", set_cluster_offline),
    ("POST", r"/sim/links/([^/]+)/([^/]+)/(down|up)", set_link),
    ("GET", r"/sim/links", list_links),
    ("DELETE", r"/sim/links", restore_links),
    ("GET", r"/sim/clusters", list_clusters),
    ("GET", r"/sim/settings", get_settings),
    ("POST", r"/sim/settings", update_settings),
    ("GET", r"/sim/clock", get_clock),
    ("POST", r"/sim/clock", advance_clock),
    ("GET", r"/sim/clones", list_clones),
    ("POST", r"/sim/volumes/(\d+)/lag", set_volume_lag),
    ("GET", r"/sim/schedules", list_schedule_runs),
    ("POST", r"/sim/schedules/(\d+)/fail", fail_schedule_runs),
    ("POST", r"/sim/schedules/(\d+)/stall", stall_schedule_runs),
]
_COMPILED = [(verb, re.compile(pattern), handler) for verb, pattern, handler in ROUTES]


class SimControl:
    def __init__(self, sim, endpoints):
        self.sim = sim
        self.endpoints = endpoints  # name -> ClusterEndpoint, shared by all listeners

    def handle(self, endpoint, http_method, url, body, credentials):
        username, password = credentials
        if username is None or endpoint.cluster.authenticate(username, password)[0] != "admin":
            return Reply(401, answer={"error": "admin credentials of this cluster required"},
                         headers=[("WWW-Authenticate", 'Basic realm="SolidFire"')])
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return Reply(400, answer={"error": "body must be JSON"})
        for verb, pattern, handler in _COMPILED:
            match = pattern.fullmatch(path)
            if verb == http_method and match:
                try:
                    return handler(Call(self, endpoint, match.groups(), parse_qs(parts.query), data))
                except BadInput as exc:
                    return Reply(400, answer={"error": str(exc)})
                except LookupError as exc:
                    return Reply(404, answer={"error": str(exc)})
        return Reply(404, answer={"error": f"no such /sim/ endpoint: {http_method} {path}"})
