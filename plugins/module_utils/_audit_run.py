# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The drift audit in one pass: one read of each cluster of the topology gives the facts, the lag
and what a converge would do, computed here by the same pure planners the pairing modules run.
Above the features: it composes the cluster pair and volume pair planners with the reconciled view.

read_topology() is the read side alone (the reconciled pairs of every entry with their lag and
findings), for whoever needs the reconciled view of a topology without the audit's verdict.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from ansible_collections.element.replication.plugins.module_utils._argspec import pair_specs
from ansible_collections.element.replication.plugins.module_utils._audit import classify
from ansible_collections.element.replication.plugins.module_utils._audit_report import render
from ansible_collections.element.replication.plugins.module_utils._cluster_pair import plan_cluster_pair, removals
from ansible_collections.element.replication.plugins.module_utils._element import (
    REPLICATION_TARGET, SNAPSHOTS_ONLY, match_pair)
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._files import write_atomically
from ansible_collections.element.replication.plugins.module_utils._plan import LOCAL, PEER, actions_of
from ansible_collections.element.replication.plugins.module_utils._reconcile import ABSENT, HEALTHY, reconcile
from ansible_collections.element.replication.plugins.module_utils._state import (
    ClusterIdentity, ClusterState, LagInputs, cluster_state, identities_told, read_accounts, read_cluster_pairs,
    read_identity, read_lag_inputs, read_volumes)
from ansible_collections.element.replication.plugins.module_utils._topology import plan as topology_plan
from ansible_collections.element.replication.plugins.module_utils._volume_pair import (
    Options, VolumePairPlan, item_view, pending_entries, plan_volume_pairs, predicted_view)


@dataclass
class TopologyRead:
    """Every cluster of a topology read once (by inventory host), with its lag inputs; the hosts
    that could not be read, with why."""
    clusters: Dict[str, ClusterState] = field(default_factory=dict)
    lags: Dict[str, LagInputs] = field(default_factory=dict)
    errors: Dict[str, str] = field(default_factory=dict)

    def entry_info(self, entry: Dict[str, Any]) -> Dict[str, Any]:
        """What element_replication_info reports of an entry's two clusters (the reconciled view
        with the lag), or why it could not read them."""
        unread = [self.errors[h] for h in (entry["source"], entry["target"]) if h in self.errors]
        if unread:
            return {"failed": True, "msg": unread[0]}
        source, target = self.clusters[entry["source"]], self.clusters[entry["target"]]
        lags = {self.clusters[h].identity.unique_id: self.lags[h] for h in (entry["source"], entry["target"])
                if h in self.lags}
        return {"cluster": {"name": source.identity.name}, "peer_cluster": {"name": target.identity.name},
                "reconciled": reconcile(source, target, lags), "lag_errors": [i.error for i in lags.values() if i.error]}


def _needs_accounts(entries: List[Dict[str, Any]]) -> Set[str]:
    """The hosts whose accounts a volume check needs (names of accounts, or targets to create)."""
    hosts: Set[str] = set()
    for entry in entries:
        for item in entry["volumes"]:
            if item.get("account") is not None and not str(item["account"]).isdigit():
                hosts.add(entry["source"])
            if item.get("peer_account") is not None or entry["create_target"]:
                hosts.update((entry["source"], entry["target"]))
    return hosts


def _lag_reads(cluster: ClusterState) -> Tuple[bool, bool, bool]:
    """(stats, snapshots, schedules) the lag of the cluster's pairs needs from it: the stats where a
    complete pair has its source (a SnapshotsOnly pair's target too: its clock dates the snapshot),
    the snapshots where a SnapshotsOnly pair has its target, the schedules where it has its source."""
    stats = snapshots = schedules = False
    for volume in cluster.volumes:
        for entry in volume.pairs:
            if entry.pending:
                continue
            target = volume.access == REPLICATION_TARGET
            stats = stats or not target or entry.mode == SNAPSHOTS_ONLY
            snapshots = snapshots or (target and entry.mode == SNAPSHOTS_ONLY)
            schedules = schedules or (not target and entry.mode == SNAPSHOTS_ONLY)
    return stats, snapshots, schedules


def read_topology(plan: Dict[str, Any], clients: Dict[str, Any], parallel: int = 4) -> TopologyRead:
    """Read every cluster of the plan's entries once: its cluster pairs and volumes (its accounts
    when an entry names them), then its identity unless its peer's pair entry tells it, and the
    lag inputs its pairs need. An entry's two clusters cost at most GetClusterInfo, ListClusterPairs,
    ListVolumes, ListVolumeStats, ListSnapshots and ListSchedules each, and a connected Async
    entry five calls in all, whatever the number of pairs."""
    entries = plan["entries"]
    hosts = list(dict.fromkeys(h for e in entries for h in (e["source"], e["target"])))
    accounts = _needs_accounts(entries)
    found = TopologyRead()
    lists: Dict[str, Tuple[Any, Any, Any]] = {}

    def read_lists(host: str) -> None:
        client = clients[host]
        with ThreadPoolExecutor(max_workers=3) as calls:  # independent lists: one round trip, not three
            pairs, volumes = calls.submit(read_cluster_pairs, client), calls.submit(read_volumes, client)
            owners = calls.submit(read_accounts, client) if host in accounts else None
            try:
                lists[host] = (pairs.result(), volumes.result(), owners.result() if owners is not None else None)
            except ElementError as exc:
                found.errors[host] = str(exc)

    def read_rest(host: str, identity: Optional[ClusterIdentity]) -> None:
        client = clients[host]
        try:
            if identity is None:
                identity = read_identity(client)
            client.name = identity.name  # the client's errors name the cluster from now on
        except ElementError as exc:
            found.errors[host] = str(exc)
            return
        pairs, every, owners = lists[host]
        found.clusters[host] = cluster_state(identity, pairs, every, owners)
        stats, snapshots, schedules = _lag_reads(found.clusters[host])
        if stats or snapshots or schedules:
            found.lags[host] = read_lag_inputs(client, snapshots, stats=stats, schedules=schedules)

    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(hosts)))) as pool:
        list(pool.map(read_lists, hosts))
        read = [h for h in hosts if h in lists]
        told = identities_told({h: lists[h][0] for h in read},
                               [(e["source"], e["target"]) for e in entries if e["source"] in lists and e["target"] in lists],
                               {h: clients[h].address for h in read})
        list(pool.map(lambda h: read_rest(h, told.get(h)), read))
    return found


def _cluster_check(pair: Dict[str, Any], read: TopologyRead) -> Dict[str, Any]:
    """What element_cluster_pair reports in check mode for one cluster pair of the plan."""
    local, peer = read.clusters[pair["source"]], read.clusters[pair["target"]]
    names = {LOCAL: local.identity.name, PEER: peer.identity.name}
    refs: Dict[Tuple[str, int], List[str]] = {}
    sides = {side for side, entry in removals(local, peer, pair["state"]) if not entry.pending}
    for side in sides:
        for volume in (local if side == LOCAL else peer).volumes:
            for entry in volume.pairs:
                refs.setdefault((side, entry.cluster_pair_id), []).append("%s (ID %s)" % (volume.name, volume.volume_id))
    try:
        planned = plan_cluster_pair(local, peer, pair["state"], refs)
    except Refusal as exc:
        return {"failed": True, "msg": str(exc), "repairs": [], "actions": []}
    return {"changed": bool(planned.actions), "repairs": planned.repairs,
            "actions": [a.to_result(names) for a in planned.actions]}


def _volume_check(entry: Dict[str, Any], read: TopologyRead) -> Tuple[Dict[str, Any], Optional[VolumePairPlan]]:
    """What element_volume_pair reports in check mode for one entry, each pair numbered by its
    declared volume (1, 2, ...); and the plan."""
    local, peer = read.clusters[entry["source"]], read.clusters[entry["target"]]
    specs = pair_specs({"pairs": entry["volumes"], "account": None, "peer_account": None, "mode": entry["mode"],
                        "paused": entry["paused"], "state": entry["state"]}, defaults=("mode", "paused", "state"))
    try:
        planned = plan_volume_pairs(local, peer, specs, Options(exclusive=entry["exclusive"],
                                                                create_target=entry["create_target"]),
                                    pending_entries(local, peer), assume_cluster_pair=not match_pair(local, peer).connected)
    except Refusal as exc:
        return {"failed": True, "msg": str(exc)}, None
    names = {LOCAL: local.identity.name, PEER: peer.identity.name}
    pairs = []
    for item in planned.items:
        checked = dict(item_view(item, local, peer), index=item.spec.index, state=item.spec.state,
                       changed=bool(item.changes), changes=item.changes, repairs=item.repairs,
                       failed=bool(item.refusal))
        if item.refusal:
            checked["msg"] = item.refusal
        pairs.append(checked)
    return {"changed": bool(planned.actions), "failed": any(i.refusal for i in planned.items), "volume_pairs": pairs,
            "actions": [a.to_result(names) for a in actions_of(planned.phases)]}, planned


def only_sources(plan: Dict[str, Any], sources: List[str]) -> Dict[str, Any]:
    """The plan of the entries whose source is one of these hosts, and of their cluster pairs."""
    entries = [e for e in plan["entries"] if e["source"] in sources]
    keys = {e["key"] for e in entries}
    return {"entries": entries, "cluster_pairs": [p for p in plan["cluster_pairs"] if p["key"] in keys]}


@dataclass
class Audit:
    """The records of every entry (see _audit), and per entry the volume plans, for a diff."""
    records: List[Dict[str, Any]]
    diff: Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]


def audit(plan: Dict[str, Any], clients: Dict[str, Any], parallel: int = 4) -> Audit:
    """Read once, reconcile, plan what a converge would do, classify. Changes nothing."""
    read = read_topology(plan, clients, parallel)
    infos = {entry["index"]: read.entry_info(entry) for entry in plan["entries"]}
    unreadable = {entry["key"] for entry in plan["entries"] if infos[entry["index"]].get("failed")}
    as_declared: Set[str] = set()
    for entry in plan["entries"]:
        health = (infos[entry["index"]].get("reconciled") or {}).get("cluster_pair", {}).get("health")
        for pair in plan["cluster_pairs"]:
            if pair["key"] == entry["key"] and health == (HEALTHY if pair["state"] == "present" else ABSENT):
                as_declared.add(pair["key"])
    # A cluster pair that the read shows as declared is not checked: there is nothing to plan.
    cluster_checks = {pair["key"]: _cluster_check(pair, read) for pair in plan["cluster_pairs"]
                      if pair["key"] not in unreadable | as_declared}
    volume_checks: Dict[int, Dict[str, Any]] = {}
    before: List[Dict[str, Any]] = []
    after: List[Dict[str, Any]] = []
    for entry in plan["entries"]:
        if not entry["volume_work"] or entry["key"] in unreadable:
            continue
        volume_checks[entry["index"]], planned = _volume_check(entry, read)
        local, peer = read.clusters[entry["source"]], read.clusters[entry["target"]]
        for item in planned.items if planned else ():
            if item.has_work and not item.refusal:
                before.append(item_view(item, local, peer))
                after.append(predicted_view(item, local, peer))
    return Audit(records=classify(plan, infos, cluster_checks, volume_checks), diff=(before, after))


REPORT_MODE = 0o644
DIRECTORY_MODE = 0o755


def _current(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write_report(records: List[Dict[str, Any]], path: str, generated_at: str, play_name: str,
                 check_mode: bool = False, scrub: Callable[[str], str] = lambda text: text,
                 ) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """Write path.json and path.md when what they say has changed: a report that differs only by
    its time is left as it is (so a clean audit run again is not "changed"). A cluster's message
    may quote a secret: the files pass scrub. Returns the rendered report (its time the one on
    disk) and [{path, changed}]."""
    base = os.path.abspath(path)
    paths = (base + ".json", base + ".md")
    before = [_current(p) for p in paths]
    try:
        previous = json.loads(before[0] or b"null") or {}
    except ValueError:
        previous = {}
    if isinstance(previous, dict) and isinstance(previous.get("generated_at"), str):
        same_time = render(records, previous["generated_at"], base, play_name)
        if [scrub(same_time["json"]).encode(), scrub(same_time["markdown"]).encode()] == before:
            return same_time, [{"path": p, "changed": False} for p in paths]
    rendered = render(records, generated_at, base, play_name)
    contents = (scrub(rendered["json"]).encode(), scrub(rendered["markdown"]).encode())
    if not check_mode:
        os.makedirs(os.path.dirname(base), mode=DIRECTORY_MODE, exist_ok=True)
        for file_path, data, old in zip(paths, contents, before):
            if data != old:
                write_atomically(file_path, data, REPORT_MODE)
    return rendered, [{"path": p, "changed": data != old} for p, data, old in zip(paths, contents, before)]


def audit_plan(params: Dict[str, Any]) -> Dict[str, Any]:
    """The plan of element_replication_audit's options; Refusal when a cluster has no connection."""
    plan = topology_plan(params["topology"])
    if params.get("sources") is not None:
        plan = only_sources(plan, params["sources"])
    named = {c["name"] for c in params["clusters"]}
    missing = sorted({h for e in plan["entries"] for h in (e["source"], e["target"])} - named)
    if missing:
        raise Refusal("clusters names no connection for %s, named by the topology" % ", ".join(missing))
    return plan


def run_audit(params: Dict[str, Any], plan: Dict[str, Any], clients: Dict[str, Any], check_mode: bool,
              scrub: Callable[[str], str]) -> Tuple[bool, Dict[str, Any], Tuple[Dict[str, Any], Dict[str, Any]]]:
    """element_replication_audit's run: audit, write the report (not in check mode); whether the
    report changed, the result (every message through scrub) and the diff (before, after)."""
    found = audit(plan, clients, params["parallel"])
    generated_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    report, files = write_report(found.records, params["report_path"], generated_at, params["play_name"], check_mode,
                                 scrub)
    result = {"clean": report["report"]["clean"], "drift_count": report["report"]["drift_count"],
              "audit_errors": [scrub(e) for e in report["report"]["errors"]],
              "summary": [scrub(line) for line in report["summary"]],
              "generated_at": report["report"]["generated_at"], "files": files}
    return any(f["changed"] for f in files), result, ({"volume_pairs": found.diff[0]}, {"volume_pairs": found.diff[1]})
