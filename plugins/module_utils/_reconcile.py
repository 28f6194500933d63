# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Both clusters' views of their pairs, reconciled and classified: every finding has a code (to act
on) and a sentence (to read). Pure, but for the read at the end (survey): the one read both
element_replication_info and the event source reconcile.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ansible_collections.element.replication.plugins.module_utils._element import (
    CONNECTED, FLOWING_STATES, MANUAL_PAUSES, PAUSED_DISCONNECTED, PAUSED_MANUAL, READ_WRITE, REPLICATION_TARGET,
    SNAPSHOTS_ONLY, Finding, PairMatch, finding, match_pair)
from ansible_collections.element.replication.plugins.module_utils._lag import Lag, pair_lag, protection_findings
from ansible_collections.element.replication.plugins.module_utils._state import (
    ClusterState, LagInputs, Volume, VolumePairEntry, read_cluster, read_lag_inputs)

HEALTHY = "healthy"
PENDING = "pending"
ONE_SIDED = "one-sided"
MISMATCHED = "mismatched"
ABSENT = "absent"

# One cluster's half of a volume pair as found in its lists: (cluster, volume, its pair entry).
FoundHalf = Tuple[ClusterState, Volume, VolumePairEntry]
# A side of a pair's record: (prefix of its keys, cluster, volume, pair entry), each but the prefix may be None.
Side = Tuple[str, Optional[ClusterState], Optional[Volume], Optional[VolumePairEntry]]


def side_fields(prefix: str, cluster: Optional[ClusterState], volume: Optional[Volume],
                entry: Optional[VolumePairEntry]) -> Dict[str, Any]:
    """One cluster's side of a volume pair, its keys under prefix ("source" -> source_volume_id)."""
    key = prefix + "_" if prefix else ""
    return {key + "cluster": cluster.identity.name if cluster is not None else None,
            key + "volume_id": volume.volume_id if volume else None,
            key + "volume_name": volume.name if volume else None,
            key + "access": volume.access if volume else None,
            key + "total_size": volume.total_size if volume else None,
            key + "state": entry.state if entry else None,
            key + "mode": entry.mode if entry else None}


def pair_record(sides: Iterable[Side], **fields: Any) -> Dict[str, Any]:
    """The record of one volume pair that every result reports (info, the audit, element_volume_pair,
    the failover): each side's fields, then what the caller adds. A field every report shows goes
    in side_fields; a report's own fields are its extension."""
    record: Dict[str, Any] = {}
    for side in sides:
        record.update(side_fields(*side))
    record.update(fields)
    return record


def cluster_pair_facts(cluster: ClusterState) -> List[Dict[str, Any]]:
    """A cluster's ListClusterPairs entries in the collection's snake_case form."""
    return [{
        "cluster_pair_id": e.pair_id,
        "cluster_pair_uuid": e.pair_uuid,
        "remote_cluster_name": e.remote_name,
        "remote_mvip": e.remote_mvip,
        "remote_unique_id": e.remote_unique_id,
        "status": e.status,
        "latency": e.latency,
        "version": e.version,
        "pending": e.pending,
    } for e in sorted(cluster.cluster_pairs, key=lambda e: e.pair_id)]


def volume_pair_facts(cluster: ClusterState, lag: Optional[LagInputs] = None) -> List[Dict[str, Any]]:
    """Every paired (or pending) volume of a cluster, one entry per volume pair entry; with lag,
    how far behind each is as this cluster alone can tell (a target reports its own delay)."""
    remote_names = {e.pair_id: e.remote_name for e in cluster.cluster_pairs}
    facts: List[Dict[str, Any]] = []
    for volume in sorted(cluster.volumes, key=lambda v: v.volume_id):
        for entry in volume.pairs:
            facts.append(pair_record(
                [("", cluster, volume, entry)], cluster_pair_id=entry.cluster_pair_id,
                remote_cluster_name=remote_names.get(entry.cluster_pair_id, ""), remote_volume_id=entry.remote_volume_id,
                remote_volume_name=entry.remote_volume_name, volume_pair_uuid=entry.volume_pair_uuid,
                snapshot_state=entry.snapshot_state, pending=entry.pending, **_own_lag(cluster, volume, entry, lag)))
    return facts


def _own_lag(cluster: ClusterState, volume: Volume, entry: VolumePairEntry, lag: Optional[LagInputs]) -> Dict[str, Any]:
    if lag is None:
        return {}
    if entry.pending or lag.stats is None:
        return dict(Lag(None).facts(), lag_findings=[])
    source = volume.access != REPLICATION_TARGET
    snapshot = None
    if entry.mode == SNAPSHOTS_ONLY:
        # On the target, what has arrived; on the source, what its target holds too.
        snapshot = lag.newest_snapshot(volume.volume_id, entry.volume_pair_uuid if source else None)
    state = entry.state
    result = pair_lag(entry.mode, state, state, lag.stats.get(volume.volume_id), snapshot, lag.now,
                      "%s on %s" % (volume.name, cluster.identity.name))
    return dict(result.facts(), lag_findings=list(result.findings))


def _record(uuid: str, health: str, findings: List[Dict[str, str]], source: Tuple[Any, Any, Any],
            target: Tuple[Any, Any, Any]) -> Dict[str, Any]:
    """A reconciled pair: source and target as (cluster, volume or None, entry or None)."""
    return pair_record([("source",) + source, ("target",) + target], volume_pair_uuid=uuid, health=health,
                       reasons=[f["text"] for f in findings], findings=findings)


def reconcile(local: ClusterState, peer: ClusterState,
              lag: Optional[Dict[str, LagInputs]] = None) -> Dict[str, Any]:
    """Classify the cluster pair and every volume pair between two clusters. With lag (the
    LagInputs of each cluster, by uniqueID), every complete pair also says how far behind it is.

    Returns {"cluster_pair": {...}, "volume_pairs": [...], "summary": {health: count}}.
    """
    match = match_pair(local, peer)
    names = (local.identity.name, peer.identity.name)
    cluster_pair = _cluster_pair_record(local, peer, match, names)
    connected = cluster_pair["health"] == HEALTHY
    pair_ids = ((local, match.local.pair_id if match.paired else None),
                (peer, match.peer.pair_id if match.paired else None))
    halves: Dict[str, List[FoundHalf]] = {}  # uuid -> [(cluster, volume, entry)]
    pending: List[FoundHalf] = []
    for cluster, pair_id in pair_ids:
        stale_ids = {e.pair_id for e in (match.stale_local if cluster is local else match.stale_peer)}
        for volume in cluster.volumes:
            for entry in volume.pairs:
                if entry.pending:
                    pending.append((cluster, volume, entry))
                elif entry.cluster_pair_id == pair_id or entry.cluster_pair_id in stale_ids:
                    halves.setdefault(entry.volume_pair_uuid, []).append((cluster, volume, entry))
    records = []
    for cluster, volume, entry in pending:
        other = peer if cluster is local else local
        records.append(_record(entry.volume_pair_uuid, PENDING, [finding(
            Finding.VOLUME_PAIR_PENDING,
            "pairing of %s was started on %s and never completed (no target yet); remove it with RemoveVolumePair or "
            "re-run element_volume_pair" % (volume.name, cluster.identity.name))],
            (cluster, volume, entry), (other, None, None)))
    for uuid, found in halves.items():
        records.append(_volume_pair_record(uuid, found, local, peer, connected, cluster_pair, lag))
    records.sort(key=lambda r: (r["source_cluster"] != names[0], r["source_volume_id"] or 0, r["target_volume_id"] or 0))
    summary = {health: 0 for health in (HEALTHY, PENDING, ONE_SIDED, MISMATCHED)}
    for record in records:
        summary[record["health"]] += 1
    return {"cluster_pair": cluster_pair, "volume_pairs": records, "summary": summary}


def _cluster_pair_record(local: ClusterState, peer: ClusterState, match: PairMatch,
                         names: Tuple[str, str]) -> Dict[str, Any]:
    findings: List[Dict[str, str]] = []
    pending = [(c.identity.name, e.pair_id) for c in (local, peer) for e in c.cluster_pairs if e.pending]
    stale = [(names[0], e) for e in match.stale_local] + [(names[1], e) for e in match.stale_peer]
    for name, entry in stale:
        findings.append(finding(Finding.CLUSTER_PAIR_ONE_SIDED, "%s lists cluster pair %s (%s) that the other cluster "
                                                                "does not list" % (name, entry.pair_id, entry.pair_uuid)))
    for name, pair_id in pending:
        findings.append(finding(Finding.CLUSTER_PAIR_PENDING, "pending cluster pair %s on %s was started and never "
                                                              "completed" % (pair_id, name)))
    record = {"local_cluster": names[0], "peer_cluster": names[1], "paired": match.paired,
              "cluster_pair_uuid": match.local.pair_uuid if match.paired else None,
              "local_cluster_pair_id": match.local.pair_id if match.paired else None,
              "peer_cluster_pair_id": match.peer.pair_id if match.paired else None,
              "local_status": match.local.status if match.paired else None,
              "peer_status": match.peer.status if match.paired else None}
    if match.paired:
        for name, entry in ((names[0], match.local), (names[1], match.peer)):
            if entry.status != CONNECTED:
                findings.append(finding(Finding.CLUSTER_PAIR_NOT_CONNECTED, "cluster pair is %s on %s" % (
                    entry.status, name)))
        for couple in match.duplicates:
            findings.append(finding(Finding.CLUSTER_PAIR_DUPLICATE, "duplicate cluster pair %s / %s" % (
                couple[0].pair_id, couple[1].pair_id)))
        health = HEALTHY if not findings else MISMATCHED
    elif stale:
        health = ONE_SIDED
    elif pending:
        health = PENDING
    else:
        health = ABSENT
        findings.append(finding(Finding.CLUSTER_PAIR_ABSENT, "the clusters are not paired"))
    record.update(health=health, reasons=[f["text"] for f in findings], findings=findings)
    return record


def _volume_pair_record(uuid: str, found: List[FoundHalf], local: ClusterState, peer: ClusterState, connected: bool,
                        cluster_pair: Dict[str, Any], lag: Optional[Dict[str, LagInputs]] = None) -> Dict[str, Any]:
    if len(found) == 1:
        cluster, volume, entry = found[0]
        other = peer if cluster is local else local
        remote = other.volume_by_id(entry.remote_volume_id)
        why = ("the remote volume %s (ID %s) on %s no longer lists the pair" % (
            entry.remote_volume_name, entry.remote_volume_id, other.identity.name) if remote else
            "the remote volume ID %s on %s does not exist" % (entry.remote_volume_id, other.identity.name))
        reason = "only %s lists pair %s for %s: %s (state %s); remove it and pair anew" % (
            cluster.identity.name, uuid, volume.name, why, entry.state)
        own = (cluster, volume, entry)
        far = (other, remote, None)
        is_source = volume.access != REPLICATION_TARGET
        return _record(uuid, ONE_SIDED, [finding(Finding.VOLUME_PAIR_ONE_SIDED, reason)],
                       own if is_source else far, far if is_source else own)
    source, target = _orient(found[0], found[1], local)
    findings: List[Dict[str, str]] = []
    if source.entry.mode != target.entry.mode:
        findings.append(finding(Finding.MODE_DIFFERS, "mode differs between sides: %s on %s, %s on %s" % (
            source.entry.mode, source.name, target.entry.mode, target.name)))
    for half in (source, target):
        if half.entry.state == PAUSED_MANUAL:
            findings.append(finding(Finding.PAUSED_BY_HAND, "replication is paused by hand on %s (%s)" % (
                half.name, half.volume.name)))
    if not (source.volume.access == READ_WRITE and target.volume.access == REPLICATION_TARGET):
        findings.append(finding(Finding.WRONG_ACCESS, "wrong access: %s on %s is %s and %s on %s is %s (expected one "
                                                      "readWrite source and one replicationTarget)" % (
                                                          source.volume.name, source.name, source.volume.access,
                                                          target.volume.name, target.name, target.volume.access)))
    if target.volume.total_size < source.volume.total_size:
        findings.append(finding(Finding.TARGET_SMALLER, "target %s on %s is smaller than source %s on %s (%d < %d "
                                                        "bytes)" % (target.volume.name, target.name, source.volume.name,
                                                                    source.name, target.volume.total_size,
                                                                    source.volume.total_size)))
    if not connected or PAUSED_DISCONNECTED in (source.entry.state, target.entry.state):
        findings.append(finding(Finding.DISCONNECTED, "Disconnected: %s" % (
            "; ".join(cluster_pair["reasons"]) or "the clusters cannot reach each other")))
    for half in (source, target):
        state = half.entry.state
        if state not in FLOWING_STATES and state not in MANUAL_PAUSES and state != PAUSED_DISCONNECTED:
            findings.append(finding(Finding.STATE, "state %s on %s" % (state, half.name)))
    record = _record(uuid, MISMATCHED if findings else HEALTHY, findings,
                     (source.cluster, source.volume, source.entry), (target.cluster, target.volume, target.entry))
    if lag is not None:
        record.update(_pair_lag(source, target, lag))
    return record


def _pair_lag(source: OrientedHalf, target: OrientedHalf, lag: Dict[str, LagInputs]) -> Dict[str, Any]:
    """How far behind a complete pair is: the source's stats, the target's snapshots and clock."""
    source_inputs = lag.get(source.cluster.identity.unique_id) or LagInputs()
    target_inputs = lag.get(target.cluster.identity.unique_id) or LagInputs()
    if source_inputs.stats is None:  # the source's stats could not be read: said in lag_errors
        return dict(Lag(None).facts(), lag_findings=[])
    snapshot = None
    if source.entry.mode == SNAPSHOTS_ONLY:
        snapshot = target_inputs.newest_snapshot(target.volume.volume_id)
    now = target_inputs.now or source_inputs.now
    where = "%s on %s" % (source.volume.name, source.name)
    result = pair_lag(source.entry.mode, source.entry.state, target.entry.state,
                      source_inputs.stats.get(source.volume.volume_id), snapshot, now, where)
    findings = list(result.findings)
    if source.entry.mode == SNAPSHOTS_ONLY:
        findings = protection_findings(result, source_inputs.schedules, source.volume.volume_id, now, where)
    return dict(result.facts(), lag_findings=findings)


class OrientedHalf:
    """One cluster's half of a volume pair, once _orient has told the source from the target."""

    def __init__(self, found: FoundHalf) -> None:
        self.cluster, self.volume, self.entry = found
        self.name = self.cluster.identity.name


def _orient(first: FoundHalf, second: FoundHalf, local: ClusterState) -> Tuple[OrientedHalf, OrientedHalf]:
    """(source half, target half): the readWrite volume is the source, else the one that is not a
    replicationTarget; when access does not tell, this cluster's volume."""
    for access, source_has_it in ((READ_WRITE, True), (REPLICATION_TARGET, False)):
        holders = [half for half in (first, second) if half[1].access == access]
        if len(holders) == 1:
            source = holders[0] if source_has_it else (second if holders[0] is first else first)
            return OrientedHalf(source), OrientedHalf(second if source is first else first)
    source, target = (first, second) if first[0] is local else (second, first)
    return OrientedHalf(source), OrientedHalf(target)


# ---- the read ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Survey:
    """What one cluster said in one read: its state, and its lag inputs (None: lag not asked)."""
    cluster: ClusterState
    lag: Optional[LagInputs] = None


def has_snapshots_only_pairs(cluster: ClusterState) -> bool:
    """Whether the cluster holds a side of a SnapshotsOnly pair: only then are its snapshots read."""
    return any(entry.mode == SNAPSHOTS_ONLY for volume in cluster.volumes for entry in volume.pairs)


def survey(client: Any, lag: bool = True) -> Survey:
    """One cluster's read: 4 calls (GetClusterInfo, ListClusterPairs, ListVolumes, ListVolumeStats),
    6 with SnapshotsOnly pairs (ListSnapshots, ListSchedules), whatever the number of pairs. An
    ElementError of the configuration reads is raised; a failed lag read is in lag.error."""
    cluster = read_cluster(client, volumes=True)
    return Survey(cluster, read_lag_inputs(client, has_snapshots_only_pairs(cluster)) if lag else None)


def survey_all(clients: Dict[str, Any], lag: bool = True) -> Dict[str, Survey]:
    """survey() of several clusters (side -> client) at once."""
    with ThreadPoolExecutor(max_workers=max(1, len(clients))) as pool:
        futures = {side: pool.submit(survey, client, lag) for side, client in clients.items()}
        return {side: future.result() for side, future in futures.items()}


def lag_by_cluster(*surveys: Survey) -> Optional[Dict[str, LagInputs]]:
    """The lag inputs by cluster uniqueID, as reconcile() takes them; None when not read."""
    if any(s.lag is None for s in surveys):
        return None
    return {s.cluster.identity.unique_id: s.lag for s in surveys if s.lag is not None}


def reconciled(local: Survey, peer: Survey) -> Dict[str, Any]:
    """The cluster pair and every volume pair between two surveyed clusters, classified, each
    complete pair with its lag and lag findings when the lag was read (see reconcile())."""
    return reconcile(local.cluster, peer.cluster, lag_by_cluster(local, peer))
