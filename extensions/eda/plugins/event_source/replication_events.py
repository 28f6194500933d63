# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Event-Driven Ansible source: replication changes of NetApp Element cluster pairs, as events."""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

DOCUMENTATION = r"""
---
short_description: Watch NetApp Element replication and turn what changes into events.
description:
  - Polls one or more pairs of NetApp Element clusters and emits an event when something changes.
    Each poll makes the same reads as the C(element.replication.element_replication_info) module:
    4 API calls per cluster (6 with SnapshotsOnly pairs), whatever the number of pairs, the lag
    included. A cluster shared by several watched pairs is read once per poll.
  - "Event kinds (C(event.kind)): C(pair_state_changed), C(pair_appeared), C(pair_disappeared),
    C(rpo_breached), C(rpo_recovered), C(cluster_pair_disconnected), C(cluster_pair_reconnected),
    C(cluster_unreachable), C(cluster_reachable), C(schedule_failed), C(schedule_late),
    C(schedule_recovered), and C(heartbeat) when asked. docs/event-driven.md shows each one."
  - At start-up it emits the current state of everything that is not healthy (with C(startup=true)),
    so a restart misses nothing; then only changes.
  - A cluster that does not answer is an event (C(cluster_unreachable)); the source keeps polling
    the others and tries that one again after a growing delay (up to O(max_backoff)).
  - Events never carry a password or a pairing key.
options:
  hostname:
    description:
      - One cluster pair, given the way the modules take it; the cluster's MVIP or DNS name.
      - Defaults to E(ELEMENT_HOSTNAME), and every connection option to its E(ELEMENT_*) variable,
        so the collection's AWX credential type serves the source too. With O(clusters), not used.
    type: str
  port:
    description: HTTPS port of the API (E(ELEMENT_PORT)).
    type: int
    default: 443
  username:
    description: Cluster admin user (E(ELEMENT_USERNAME)); with O(clusters), each cluster's default.
    type: str
  password:
    description: Its password (E(ELEMENT_PASSWORD)); with O(clusters), each cluster's default.
    type: str
  validate_certs:
    description: Verify the cluster's TLS certificate (E(ELEMENT_VALIDATE_CERTS)).
    type: bool
    default: true
  ca_path:
    description: CA certificate(s) that signed the cluster's certificate (E(ELEMENT_CA_PATH)).
    type: path
  timeout:
    description: Seconds to wait for an answer (E(ELEMENT_TIMEOUT)).
    type: float
    default: 30
  api_version:
    description: Element API version of the calls (E(ELEMENT_API_VERSION)).
    type: str
    default: "12.0"
  display_name:
    description:
      - How events name the cluster, and the name the O(topology) uses for it (an inventory host
        name). Defaults to the cluster's own name.
    type: str
  peer:
    description:
      - The other cluster of the pair, with the same options (E(ELEMENT_PEER_*)). Its user and
        password default to the cluster's, as in the modules. Unlike the modules' O(peer), it need
        not be given for the E(ELEMENT_PEER_*) variables to be read.
    type: dict
  clusters:
    description:
      - Several clusters, by name (the names the O(topology) and O(pairs) use), each a dict of the
        connection options above (C(hostname), C(port), C(username), C(password),
        C(validate_certs), C(ca_path), C(timeout), C(api_version)). C(username) and C(password)
        default to O(username) and O(password).
    type: dict
  pairs:
    description:
      - The cluster pairs to watch among O(clusters), each a dict with C(source) and C(target)
        (names of O(clusters)). Defaults to every cluster pair of the O(topology).
    type: list
    elements: dict
  topology:
    description:
      - The topology the roles read (C(element_replication_topology)). It supplies the declarations
        the events are measured against - pauses, modes and RPOs - and, with O(clusters), the pairs
        to watch. Without it, a pair is in its declared state when it is healthy.
    type: list
    elements: dict
  interval:
    description: Seconds between two polls.
    type: float
    default: 60
  heartbeat:
    description: Seconds between two C(heartbeat) events; 0 sends none.
    type: float
    default: 0
  max_backoff:
    description: Longest wait, in seconds, before trying a cluster that did not answer again.
    type: float
    default: 600
  lag:
    description: Measure each pair's lag (needed for the RPO events and the schedule events).
    type: bool
    default: true
"""

EXAMPLES = r"""
# One cluster pair, the connection from the ELEMENT_* / ELEMENT_PEER_* variables (the AWX
# credential type), every minute.
- name: Element replication
  hosts: all
  sources:
    - element.replication.replication_events:
        interval: 60
  rules:
    - name: Say what changed
      condition: event.kind is defined and event.kind != "heartbeat"
      action:
        debug:
          msg: "{{ event.kind }}: {{ event.summary }}"

# Two production clusters replicating to dr, watched against the topology the roles use.
- name: Element replication against the topology
  hosts: all
  vars_files:
    - group_vars/all/topology.yml
  sources:
    - element.replication.replication_events:
        username: "{{ element_username }}"
        password: "{{ element_password }}"
        clusters:
          prod-east: {hostname: prod-east.example.com, ca_path: /etc/pki/element-ca.pem}
          prod-west: {hostname: prod-west.example.com, ca_path: /etc/pki/element-ca.pem}
          dr: {hostname: dr.example.com, ca_path: /etc/pki/element-ca.pem}
        topology: "{{ element_replication_topology }}"
        interval: 30
        heartbeat: 3600
  rules:
    - name: RPO breached
      condition: event.kind == "rpo_breached"
      action:
        debug:
          msg: "{{ event.summary }}"
"""


def _importable_collection() -> None:
    """ansible-rulebook runs a source with runpy, without the collections path on sys.path: add the
    collections root this file is installed under, so that the collection's module_utils import."""
    try:
        import ansible_collections.element.replication.plugins.module_utils._reconcile  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        # <root>/ansible_collections/element/replication/extensions/eda/plugins/event_source/<this file>
        root = os.path.abspath(__file__)
        for _level in range(8):
            root = os.path.dirname(root)
        sys.path.insert(0, root)


_importable_collection()

# pylint: disable=wrong-import-position
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # noqa: E402

from ansible_collections.element.replication.plugins.module_utils._audit import against_declaration  # noqa: E402
from ansible_collections.element.replication.plugins.module_utils._connection import (  # noqa: E402
    Connections, connection_argument_spec, peer_params)
from ansible_collections.element.replication.plugins.module_utils._durations import format_seconds  # noqa: E402
from ansible_collections.element.replication.plugins.module_utils._element import MANUAL_PAUSES, Finding  # noqa: E402
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError  # noqa: E402
from ansible_collections.element.replication.plugins.module_utils._lag import Lag, rpo_findings  # noqa: E402
from ansible_collections.element.replication.plugins.module_utils._reconcile import (  # noqa: E402
    HEALTHY, Survey, reconciled, survey)
from ansible_collections.element.replication.plugins.module_utils._topology import plan as topology_plan  # noqa: E402

SCHEDULE_CODES = (Finding.SCHEDULE_FAILED, Finding.SCHEDULE_LATE)
CONNECTION_KEYS = ("hostname", "port", "username", "password", "validate_certs", "ca_path", "timeout", "api_version",
                   "display_name")


# ---- arguments ---------------------------------------------------------------------------------

class Settings:
    """The source's arguments, checked: the clusters (id -> connection options), the watched
    pairs (two cluster ids each), the topology's plan and the timing."""

    def __init__(self, clusters: Dict[str, Dict[str, Any]], pairs: List[Tuple[str, str]],
                 topology: Optional[Dict[str, Any]], interval: float, heartbeat: float, max_backoff: float,
                 lag: bool, names: Dict[str, Optional[str]]) -> None:
        self.clusters, self.pairs, self.topology = clusters, pairs, topology
        self.interval, self.heartbeat, self.max_backoff, self.lag = interval, heartbeat, max_backoff, lag
        self.names = names  # cluster id -> the name given (None: the cluster's own, once read)


def _validate(spec: Dict[str, Any], values: Dict[str, Any], where: str) -> Dict[str, Any]:
    result = ArgumentSpecValidator(spec).validate(values)
    if result.error_messages:
        raise ValueError("element.replication.replication_events: %s: %s" % (where, "; ".join(result.error_messages)))
    return result.validated_parameters


def parse_args(args: Dict[str, Any]) -> Settings:
    """Check the source's arguments; a ValueError says what is wrong (never a secret's value)."""
    spec = connection_argument_spec(peer="optional").argument_spec
    spec["hostname"] = dict(spec["hostname"], required=False)
    spec["username"] = dict(spec["username"], required=False)
    spec["password"] = dict(spec["password"], required=False)
    spec["peer"]["options"]["hostname"] = dict(spec["peer"]["options"]["hostname"], required=False)  # said below
    spec.update(clusters=dict(type="dict"), pairs=dict(type="list", elements="dict"),
                topology=dict(type="list", elements="dict"), interval=dict(type="float", default=60.0),
                heartbeat=dict(type="float", default=0.0), max_backoff=dict(type="float", default=600.0),
                lag=dict(type="bool", default=True))
    given = dict(args or {})
    if not given.get("clusters") and given.get("peer") is None:
        given["peer"] = {}  # the peer's ELEMENT_PEER_* variables apply to a peer option that is present
    params = _validate(spec, given, "arguments")
    if params["interval"] <= 0 or params["heartbeat"] < 0 or params["max_backoff"] <= 0:
        raise ValueError("element.replication.replication_events: interval and max_backoff must be positive, "
                         "heartbeat 0 or more")
    topology = _plan(params["topology"])
    clusters: Dict[str, Dict[str, Any]] = {}
    names: Dict[str, Optional[str]] = {}
    if params["clusters"]:
        one = connection_argument_spec().argument_spec
        for option in one.values():
            option.pop("fallback", None)
            option["required"] = False
        for name, given in params["clusters"].items():
            values = dict(given or {})
            values.setdefault("username", params["username"])
            values.setdefault("password", params["password"])
            checked = _validate(one, values, "clusters.%s" % name)
            missing = [key for key in ("hostname", "username", "password") if not checked[key]]
            if missing:
                raise ValueError("element.replication.replication_events: clusters.%s: missing %s" % (
                    name, ", ".join(missing)))
            checked["display_name"] = checked["display_name"] or name
            clusters[name], names[name] = checked, name
        wanted = params["pairs"] if params["pairs"] is not None else [
            {"source": p["source"], "target": p["target"]} for p in (topology or {}).get("cluster_pairs", [])]
        pairs = []
        for pair in wanted:
            ids = (pair.get("source"), pair.get("target"))
            unknown = [str(i) for i in ids if i not in clusters]
            if unknown:
                raise ValueError("element.replication.replication_events: pairs: %s not among clusters (%s)" % (
                    ", ".join(unknown), ", ".join(sorted(clusters))))
            pairs.append((str(ids[0]), str(ids[1])))
        if not pairs:
            raise ValueError("element.replication.replication_events: no cluster pair to watch: give pairs, or a "
                             "topology with entries between the clusters")
    else:
        if not params["hostname"] or not params["username"] or not params["password"] or not params["peer"] \
                or not params["peer"].get("hostname"):
            raise ValueError("element.replication.replication_events: give hostname, username, password and peer "
                             "(or the ELEMENT_* and ELEMENT_PEER_* variables), or clusters")
        try:
            peer = peer_params(params)  # the peer's credentials default to this cluster's, as in the modules
        except ValueError as exc:
            raise ValueError("element.replication.replication_events: %s" % exc) from None
        clusters["local"] = {k: params[k] for k in CONNECTION_KEYS}
        clusters["peer"] = {k: peer.get(k) for k in CONNECTION_KEYS}
        names = {"local": params["display_name"], "peer": peer.get("display_name")}
        pairs = [("local", "peer")]
    return Settings(clusters, pairs, topology, params["interval"], params["heartbeat"], params["max_backoff"],
                    params["lag"], names)


def _plan(topology: Optional[List[Dict[str, Any]]]) -> Optional[Dict[str, Any]]:
    if topology is None:
        return None
    for position, entry in enumerate(topology):
        if not entry.get("source") or not entry.get("target"):
            raise ValueError("element.replication.replication_events: topology entry %d: source and target are "
                             "required" % (position + 1))
    return topology_plan(topology)


class _Options:
    """What Connections needs of a module: the options, a place for secrets, a way to fail and warn."""

    def __init__(self, params: Dict[str, Any]) -> None:
        self.params = dict(params, peer=None)
        self.no_log_values: set = set()

    def fail_json(self, msg: str, **_kwargs: Any) -> None:
        raise ValueError(msg)

    def warn(self, message: str) -> None:
        logging.getLogger(__name__).warning(message)


def element_client(params: Dict[str, Any]) -> Any:
    """A client of one cluster, built the way the modules build theirs."""
    return Connections(_Options(params), pool_size=4).local


# ---- what one poll sees ----------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Declarations:
    """The topology's declared pairs, found by either side's volume (name or ID)."""

    def __init__(self, topology: Optional[Dict[str, Any]]) -> None:
        self.by_volume: Dict[Tuple[str, str, Any], Dict[str, Any]] = {}
        for entry in (topology or {}).get("entries", []):
            if entry["state"] != "present":
                continue
            for position, item in enumerate(entry["volumes"]):
                rpos = entry.get("volume_rpos") or []
                declared = {
                    "source": entry["source"], "target": entry["target"],
                    "volume": item.get("volume"), "volume_id": item.get("volume_id"),
                    "peer_volume": item.get("peer_volume") or (
                        item.get("volume") if item.get("peer_volume_id") is None else None),
                    "peer_volume_id": item.get("peer_volume_id"),
                    "mode": item.get("mode", entry["mode"]), "paused": bool(item.get("paused", entry["paused"])),
                    "rpo_seconds": rpos[position] if position < len(rpos) else entry.get("rpo_seconds"),
                }
                for cluster, kind, value in ((entry["source"], "name", declared["volume"]),
                                             (entry["source"], "id", declared["volume_id"]),
                                             (entry["target"], "name", declared["peer_volume"]),
                                             (entry["target"], "id", declared["peer_volume_id"])):
                    if value is not None:
                        self.by_volume.setdefault((cluster, kind, value), declared)

    def find(self, record: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        for side in ("source", "target"):
            cluster = record["%s_cluster" % side]
            for kind, key in (("name", "volume_name"), ("id", "volume_id")):
                value = record["%s_%s" % (side, key)]
                declared = self.by_volume.get((cluster, kind, value)) if value is not None else None
                if declared is not None:
                    return declared
        return None


def pair_view(record: Dict[str, Any], cluster_pair: Dict[str, Any], declared: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """One volume pair as events carry it: both sides, the state, lag and RPO, and the findings
    the audit would report, measured against its declaration when the topology has one."""
    findings = against_declaration(record, declared)  # as the drift audit measures it
    mode = record.get("source_mode") or record.get("target_mode")
    paused_states = {record.get("source_state"), record.get("target_state")} <= MANUAL_PAUSES
    if declared is None:
        in_declared_state = record["health"] == HEALTHY
    else:
        in_declared_state = not findings and (paused_states if declared["paused"] else record["health"] == HEALTHY)
    lag_findings = list(record.get("lag_findings") or [])
    rpo_seconds = declared["rpo_seconds"] if declared else None
    lag_seconds = record.get("lag_seconds")
    where = "%s on %s" % (record["source_volume_name"], record["source_cluster"])
    breach = rpo_findings(Lag(lag_seconds), rpo_seconds, where) if "lag_seconds" in record else []
    within = None if rpo_seconds is None or lag_seconds is None else lag_seconds <= rpo_seconds
    view = {key: record.get(key) for key in (
        "volume_pair_uuid", "health", "source_cluster", "source_volume_id", "source_volume_name", "source_access",
        "source_state", "source_mode", "target_cluster", "target_volume_id", "target_volume_name", "target_access",
        "target_state", "target_mode", "lag_seconds", "async_delay", "recovery_point")}
    every = findings + lag_findings + [f for f in breach if f["code"] == Finding.RPO_BREACHED]
    view.update(cluster_pair_uuid=cluster_pair.get("cluster_pair_uuid"), mode=mode, findings=every,
                codes=sorted({f["code"] for f in every}), rpo_seconds=rpo_seconds, within_rpo=within,
                in_declared_state=in_declared_state, declared=copy.deepcopy(declared))
    return view


class Snapshot:
    """What one poll saw: each cluster reachable or not (and why), each watched cluster pair's
    record, each volume pair's view. A cluster pair with a side not read this poll keeps what the
    previous poll saw (stale), so that nothing is said about it until it is read again."""

    def __init__(self) -> None:
        self.clusters: Dict[str, Dict[str, Any]] = {}
        self.cluster_pairs: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self.volume_pairs: Dict[Tuple[str, str], Dict[str, Dict[str, Any]]] = {}
        self.fresh: set = set()  # the cluster pairs read this poll
        # The last known RPO verdict of each volume pair (True: breached), kept while the lag is unknown.
        self.breached: Dict[Tuple[str, str], Dict[str, bool]] = {}


def observe(surveys: Dict[str, Any], pairs: List[Tuple[str, str]], names: Dict[str, str],
            declarations: Declarations, previous: Optional[Snapshot]) -> Snapshot:
    """A Snapshot from this poll's reads (cluster id -> Survey, or the ElementError of a cluster
    that did not answer, or None when it was not tried: backing off)."""
    seen = Snapshot()
    for cluster_id, read in surveys.items():
        if isinstance(read, Survey):
            seen.clusters[cluster_id] = {"reachable": True, "error": None}
        elif read is None and previous is not None and cluster_id in previous.clusters:
            seen.clusters[cluster_id] = previous.clusters[cluster_id]
        else:
            seen.clusters[cluster_id] = {"reachable": False, "error": str(read) if read is not None else None}
    for key in pairs:
        local, peer = (surveys.get(k) for k in key)
        if not (isinstance(local, Survey) and isinstance(peer, Survey)):
            if previous is not None and key in previous.cluster_pairs:
                seen.cluster_pairs[key] = previous.cluster_pairs[key]
                seen.volume_pairs[key] = previous.volume_pairs[key]
                seen.breached[key] = previous.breached.get(key, {})
            continue
        view = _named(reconciled(local, peer), {local.cluster.identity.name: names[key[0]],
                                                peer.cluster.identity.name: names[key[1]]})
        seen.fresh.add(key)
        seen.cluster_pairs[key] = view["cluster_pair"]
        seen.volume_pairs[key] = {record["volume_pair_uuid"]: pair_view(record, view["cluster_pair"],
                                                                        declarations.find(record))
                                  for record in view["volume_pairs"]}
    return seen


def _named(view: Dict[str, Any], names: Dict[str, str]) -> Dict[str, Any]:
    """The reconciled view with the clusters named as the source names them (the topology's names)."""
    view = copy.deepcopy(view)
    for key in ("local_cluster", "peer_cluster"):
        view["cluster_pair"][key] = names.get(view["cluster_pair"][key], view["cluster_pair"][key])
    for record in view["volume_pairs"]:
        for key in ("source_cluster", "target_cluster"):
            record[key] = names.get(record[key], record[key])
    return view


# ---- what changed ------------------------------------------------------------------------------------

def _state_of(view: Dict[str, Any]) -> Tuple[Any, ...]:
    """What a state change is: either side's state, mode or access, the health, the findings."""
    return (view["health"], view["source_state"], view["target_state"], view["source_mode"], view["target_mode"],
            view["source_access"], view["target_access"], view["in_declared_state"],
            tuple(c for c in view["codes"] if c not in SCHEDULE_CODES + (Finding.RPO_BREACHED, Finding.LAG_UNKNOWN)))


def _pair_summary(kind: str, view: Dict[str, Any]) -> str:
    def side(prefix: str) -> str:
        volume = view["%s_volume_name" % prefix] or (
            "volume ID %s" % view["%s_volume_id" % prefix] if view["%s_volume_id" % prefix] is not None else "no volume")
        return "%s on %s" % (volume, view["%s_cluster" % prefix])

    pair = "%s -> %s" % (side("source"), side("target"))
    if kind in ("rpo_breached", "rpo_recovered"):
        return "%s: %s behind, RPO %s" % (
            pair, format_seconds(view["lag_seconds"] or 0), format_seconds(view["rpo_seconds"]))
    states = "%s / %s" % (view["source_state"], view["target_state"])
    return "%s: %s (%s)" % (pair, states, ", ".join(view["codes"]) or view["health"])


def _pair_event(kind: str, view: Dict[str, Any], when: str, startup: bool,
                before: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    event = dict(kind=kind, time=when, startup=startup, summary=_pair_summary(kind, view), **view)
    event["previous"] = None if before is None else {key: before[key] for key in (
        "health", "source_state", "target_state", "mode", "codes", "in_declared_state")}
    return event


def _rpo_state(view: Dict[str, Any]) -> Optional[bool]:
    return None if view["within_rpo"] is None else not view["within_rpo"]


def _schedule_codes(view: Dict[str, Any]) -> Tuple[str, ...]:
    return tuple(c for c in view["codes"] if c in SCHEDULE_CODES)


def changes(before: Optional[Snapshot], now: Snapshot, names: Dict[str, str], when: str) -> List[Dict[str, Any]]:
    """The events between two polls; with no poll before, the state of everything not healthy."""
    startup = before is None
    events: List[Dict[str, Any]] = []
    for cluster_id, state in now.clusters.items():
        was = before.clusters.get(cluster_id) if before else None
        if state["reachable"] == (was["reachable"] if was else True):
            continue
        kind = "cluster_reachable" if state["reachable"] else "cluster_unreachable"
        events.append({"kind": kind, "time": when, "startup": startup, "cluster": names[cluster_id],
                       "error": state["error"], "summary": "%s is %s%s" % (
                           names[cluster_id], "reachable again" if state["reachable"] else "unreachable",
                           ": %s" % state["error"] if state["error"] else "")})
    for key in sorted(now.fresh):
        record = now.cluster_pairs[key]
        was_record = before.cluster_pairs.get(key) if before else None
        connected = record["health"] == HEALTHY
        if connected != (was_record["health"] == HEALTHY if was_record else True):
            kind = "cluster_pair_reconnected" if connected else "cluster_pair_disconnected"
            codes = sorted({f["code"] for f in record["findings"]})
            events.append(dict(
                kind=kind, time=when, startup=startup, cluster=names[key[0]], peer_cluster=names[key[1]],
                cluster_pair_uuid=record["cluster_pair_uuid"], health=record["health"],
                local_status=record["local_status"], peer_status=record["peer_status"], findings=record["findings"],
                codes=codes, summary="%s <-> %s: %s" % (names[key[0]], names[key[1]], "; ".join(
                    record["reasons"]) or "connected")))
        known = before.breached.get(key, {}) if before else {}
        now.breached[key] = {uuid: verdict for uuid, verdict in known.items() if uuid in now.volume_pairs[key]}
        events += _volume_pair_changes(before.volume_pairs.get(key) if before else None, now.volume_pairs[key], when,
                                       startup, now.breached[key])
    return events


def _volume_pair_changes(before: Optional[Dict[str, Dict[str, Any]]], now: Dict[str, Dict[str, Any]], when: str,
                         startup: bool, breached_before: Dict[str, bool]) -> List[Dict[str, Any]]:
    """The events of one cluster pair's volume pairs; breached_before (uuid -> the last known RPO
    verdict) is brought up to date."""
    events = []
    for uuid, view in now.items():
        was = before.get(uuid) if before is not None else None
        if before is not None and was is None:
            events.append(_pair_event("pair_appeared", view, when, startup))
        if was is None:
            if before is None and not view["in_declared_state"]:
                events.append(_pair_event("pair_state_changed", view, when, startup))
        elif _state_of(view) != _state_of(was):
            events.append(_pair_event("pair_state_changed", view, when, startup, was))
        breached = _rpo_state(view)
        if breached is not None and breached != breached_before.get(uuid, False):
            events.append(_pair_event("rpo_breached" if breached else "rpo_recovered", view, when, startup))
        if breached is not None:
            breached_before[uuid] = breached
        codes, was_codes = _schedule_codes(view), (_schedule_codes(was) if was else ())
        for code in codes:
            if code not in was_codes:
                events.append(_pair_event(code, view, when, startup))
        if was_codes and not codes:
            events.append(_pair_event("schedule_recovered", view, when, startup))
    for uuid, view in (before or {}).items():
        if uuid not in now:
            events.append(_pair_event("pair_disappeared", view, when, startup))
    return events


# ---- polling ------------------------------------------------------------------------------------------

class Watcher:
    """Polls the clusters and says what changed. client_factory(cluster id) builds a client (the
    tests give in-memory ones); clock is monotonic seconds, for the back-off."""

    def __init__(self, settings: Settings, client_factory: Optional[Callable[[str], Any]] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.declarations = Declarations(settings.topology)
        self._factory = client_factory or (lambda cluster_id: element_client(settings.clusters[cluster_id]))
        self._clock = clock
        self.clients: Dict[str, Any] = {}
        self.failures: Dict[str, int] = {}
        self.retry_at: Dict[str, float] = {}
        self.names: Dict[str, str] = {}
        self.snapshot: Optional[Snapshot] = None
        self.watched = sorted({cluster_id for pair in settings.pairs for cluster_id in pair})

    def _name(self, cluster_id: str) -> str:
        given = self.settings.names.get(cluster_id)
        if given:
            return given
        client = self.clients.get(cluster_id)
        return getattr(client, "name", None) or self.names.get(cluster_id) or \
            str(self.settings.clusters.get(cluster_id, {}).get("hostname") or cluster_id)

    def _read(self, cluster_id: str) -> Any:
        client = self.clients.get(cluster_id)
        if client is None:
            client = self.clients[cluster_id] = self._factory(cluster_id)
        try:
            result = survey(client, lag=self.settings.lag)
        except ElementError as exc:
            # A client that failed to connect fails fast from then on: the next try gets a new one.
            self.clients.pop(cluster_id, None)
            client.close()
            return exc
        self.names[cluster_id] = result.cluster.identity.name
        return result

    def read(self) -> Dict[str, Any]:
        """Each cluster due for a read, read at once: cluster id -> Survey, ElementError, or None
        (backing off after a failure)."""
        now = self._clock()
        due = [c for c in self.watched if self.retry_at.get(c, 0.0) <= now]
        with ThreadPoolExecutor(max_workers=max(1, len(due))) as pool:
            futures = {cluster_id: pool.submit(self._read, cluster_id) for cluster_id in due}
            reads: Dict[str, Any] = {cluster_id: None for cluster_id in self.watched}
            reads.update({cluster_id: future.result() for cluster_id, future in futures.items()})
        for cluster_id in due:
            if isinstance(reads[cluster_id], ElementError):
                self.failures[cluster_id] = self.failures.get(cluster_id, 0) + 1
                delay = min(self.settings.max_backoff, self.settings.interval * 2 ** (self.failures[cluster_id] - 1))
                self.retry_at[cluster_id] = self._clock() + delay
            else:
                self.failures.pop(cluster_id, None)
                self.retry_at.pop(cluster_id, None)
        return reads

    def poll(self) -> List[Dict[str, Any]]:
        """One poll: read what is due, and the events since the last poll."""
        reads = self.read()
        names = {cluster_id: self._name(cluster_id) for cluster_id in self.watched}
        seen = observe(reads, self.settings.pairs, names, self.declarations, self.snapshot)
        events = changes(self.snapshot, seen, names, _now())
        self.snapshot = seen
        return events

    def heartbeat(self) -> Dict[str, Any]:
        seen = self.snapshot or Snapshot()
        views = [v for pairs in seen.volume_pairs.values() for v in pairs.values()]
        names = {cluster_id: self._name(cluster_id) for cluster_id in self.watched}
        return {"kind": "heartbeat", "time": _now(), "startup": False,
                "clusters": {names[c]: bool(seen.clusters.get(c, {}).get("reachable")) for c in self.watched},
                "volume_pairs": len(views), "not_in_declared_state": sum(1 for v in views if not v["in_declared_state"]),
                "rpo_breached": sum(1 for v in views if v["within_rpo"] is False),
                "summary": "%d volume pairs, %d not in their declared state" % (
                    len(views), sum(1 for v in views if not v["in_declared_state"]))}

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.clients.clear()


async def main(queue: asyncio.Queue, args: Dict[str, Any]) -> None:
    """The ansible-rulebook entry point: poll every interval, put each event on the queue."""
    settings = parse_args(args)
    watcher = Watcher(settings)
    loop = asyncio.get_running_loop()
    beat_at = loop.time() + settings.heartbeat if settings.heartbeat else None
    try:
        while True:
            for event in await asyncio.to_thread(watcher.poll):
                await queue.put(event)
            if beat_at is not None and loop.time() >= beat_at:
                await queue.put(watcher.heartbeat())
                beat_at = loop.time() + settings.heartbeat
            await asyncio.sleep(settings.interval)
    finally:
        watcher.close()


if __name__ == "__main__":
    # Run by hand: print the events (arguments from the ELEMENT_* and ELEMENT_PEER_* variables).
    class _Printer:
        async def put(self, event: Dict[str, Any]) -> None:
            print(event, flush=True)

    asyncio.run(main(_Printer(), {"interval": float(os.environ.get("ELEMENT_EVENTS_INTERVAL", "60"))}))  # type: ignore[arg-type]
