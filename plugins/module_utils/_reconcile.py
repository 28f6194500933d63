# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Both clusters' views of their pairs, reconciled and classified in plain words. Pure.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from ansible_collections.element.replication.plugins.module_utils._cluster_pair import match_pair

HEALTHY = "healthy"
PENDING = "pending"
ONE_SIDED = "one-sided"
MISMATCHED = "mismatched"

READ_WRITE = "readWrite"
REPLICATION_TARGET = "replicationTarget"
# States in which data flows or is about to: the pair needs no attention.
FLOWING_STATES = frozenset(("Active", "Idle", "ResumingConnected", "ResumingRRSync", "ResumingLocalSync",
                            "ResumingDataTransfer"))


def cluster_pair_facts(cluster):
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


def volume_pair_facts(cluster):
    """Every paired (or pending) volume of a cluster, one entry per volume pair entry."""
    remote_names = {e.pair_id: e.remote_name for e in cluster.cluster_pairs}
    facts = []
    for volume in sorted(cluster.volumes, key=lambda v: v.volume_id):
        for entry in volume.pairs:
            facts.append({
                "volume_id": volume.volume_id,
                "volume_name": volume.name,
                "access": volume.access,
                "total_size": volume.total_size,
                "cluster_pair_id": entry.cluster_pair_id,
                "remote_cluster_name": remote_names.get(entry.cluster_pair_id, ""),
                "remote_volume_id": entry.remote_volume_id,
                "remote_volume_name": entry.remote_volume_name,
                "volume_pair_uuid": entry.volume_pair_uuid,
                "mode": entry.mode,
                "state": entry.state,
                "snapshot_state": entry.snapshot_state,
                "pending": entry.pending,
            })
    return facts


def _side(cluster, volume, entry):
    if volume is None:
        return {"cluster": cluster.identity.name, "volume_id": None, "volume_name": None, "access": None,
                "total_size": None, "state": None, "mode": None}
    return {"cluster": cluster.identity.name, "volume_id": volume.volume_id, "volume_name": volume.name,
            "access": volume.access, "total_size": volume.total_size, "state": entry.state if entry else None,
            "mode": entry.mode if entry else None}


def _record(uuid, health, reasons, source, target):
    record = {"volume_pair_uuid": uuid, "health": health, "reasons": reasons}
    for prefix, side in (("source", source), ("target", target)):
        for key, value in side.items():
            record["%s_%s" % (prefix, key)] = value
    return record


def reconcile(local, peer):
    """Classify the cluster pair and every volume pair between two clusters.

    Returns {"cluster_pair": {...}, "volume_pairs": [...], "summary": {health: count}}.
    """
    match = match_pair(local, peer)
    names = (local.identity.name, peer.identity.name)
    cluster_pair = _cluster_pair_record(local, peer, match, names)
    connected = cluster_pair["health"] == HEALTHY
    pair_ids = ((local, match.local.pair_id if match.paired else None),
                (peer, match.peer.pair_id if match.paired else None))
    halves = {}  # uuid -> [(cluster, volume, entry)]
    pending = []
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
        records.append(_record(entry.volume_pair_uuid, PENDING, [
            "pairing of %s was started on %s and never completed (no target yet); remove it with RemoveVolumePair or "
            "re-run element_volume_pair" % (volume.name, cluster.identity.name)],
            _side(cluster, volume, entry), _side(other, None, None)))
    for uuid, found in halves.items():
        records.append(_volume_pair_record(uuid, found, local, peer, connected, cluster_pair))
    records.sort(key=lambda r: (r["source_cluster"] != names[0], r["source_volume_id"] or 0, r["target_volume_id"] or 0))
    summary = {health: 0 for health in (HEALTHY, PENDING, ONE_SIDED, MISMATCHED)}
    for record in records:
        summary[record["health"]] += 1
    return {"cluster_pair": cluster_pair, "volume_pairs": records, "summary": summary}


def _cluster_pair_record(local, peer, match, names):
    reasons = []
    pending = [(c.identity.name, e.pair_id) for c in (local, peer) for e in c.cluster_pairs if e.pending]
    stale = [(names[0], e) for e in match.stale_local] + [(names[1], e) for e in match.stale_peer]
    for name, entry in stale:
        reasons.append("%s lists cluster pair %s (%s) that the other cluster does not list" % (
            name, entry.pair_id, entry.pair_uuid))
    for name, pair_id in pending:
        reasons.append("pending cluster pair %s on %s was started and never completed" % (pair_id, name))
    record = {"local_cluster": names[0], "peer_cluster": names[1], "paired": match.paired,
              "cluster_pair_uuid": match.local.pair_uuid if match.paired else None,
              "local_cluster_pair_id": match.local.pair_id if match.paired else None,
              "peer_cluster_pair_id": match.peer.pair_id if match.paired else None,
              "local_status": match.local.status if match.paired else None,
              "peer_status": match.peer.status if match.paired else None}
    if match.paired:
        for name, entry in ((names[0], match.local), (names[1], match.peer)):
            if entry.status != "Connected":
                reasons.append("cluster pair is %s on %s" % (entry.status, name))
        for couple in match.duplicates:
            reasons.append("duplicate cluster pair %s / %s" % (couple[0].pair_id, couple[1].pair_id))
        health = HEALTHY if not reasons else MISMATCHED
    elif stale:
        health = ONE_SIDED
    elif pending:
        health = PENDING
    else:
        health = "absent"
        reasons.append("the clusters are not paired")
    record.update(health=health, reasons=reasons)
    return record


def _volume_pair_record(uuid, found, local, peer, connected, cluster_pair):
    if len(found) == 1:
        cluster, volume, entry = found[0]
        other = peer if cluster is local else local
        remote = other.volume_by_id(entry.remote_volume_id)
        why = ("the remote volume %s (ID %s) on %s no longer lists the pair" % (
            entry.remote_volume_name, entry.remote_volume_id, other.identity.name) if remote else
            "the remote volume ID %s on %s does not exist" % (entry.remote_volume_id, other.identity.name))
        reason = "only %s lists pair %s for %s: %s (state %s); remove it and pair anew" % (
            cluster.identity.name, uuid, volume.name, why, entry.state)
        own = _side(cluster, volume, entry)
        far = _side(other, remote, None)
        is_source = volume.access != REPLICATION_TARGET
        return _record(uuid, ONE_SIDED, [reason], own if is_source else far, far if is_source else own)
    (c1, v1, e1), (c2, v2, e2) = _orient(found[0], found[1], local)
    reasons = []
    if e1.mode != e2.mode:
        reasons.append("mode differs between sides: %s on %s, %s on %s" % (e1.mode, c1.identity.name, e2.mode, c2.identity.name))
    for cluster, volume, entry in ((c1, v1, e1), (c2, v2, e2)):
        if entry.state == "PausedManual":
            reasons.append("replication is paused by hand on %s (%s)" % (cluster.identity.name, volume.name))
    if not (v1.access == READ_WRITE and v2.access == REPLICATION_TARGET):
        reasons.append("wrong access: %s on %s is %s and %s on %s is %s (expected one readWrite source and one "
                       "replicationTarget)" % (v1.name, c1.identity.name, v1.access, v2.name, c2.identity.name, v2.access))
    if v2.total_size < v1.total_size:
        reasons.append("target %s on %s is smaller than source %s on %s (%d < %d bytes)" % (
            v2.name, c2.identity.name, v1.name, c1.identity.name, v2.total_size, v1.total_size))
    if not connected or "PausedDisconnected" in (e1.state, e2.state):
        reasons.append("Disconnected: %s" % ("; ".join(cluster_pair["reasons"]) or "the clusters cannot reach each other"))
    for cluster, entry in ((c1, e1), (c2, e2)):
        if entry.state not in FLOWING_STATES and entry.state not in ("PausedManual", "PausedManualRemote",
                                                                     "PausedDisconnected"):
            reasons.append("state %s on %s" % (entry.state, cluster.identity.name))
    return _record(uuid, MISMATCHED if reasons else HEALTHY, reasons, _side(c1, v1, e1), _side(c2, v2, e2))


def _orient(first, second, local):
    """(source half, target half): the readWrite volume is the source, else the one that is not a
    replicationTarget; when access does not tell, this cluster's volume."""
    for access, source_has_it in ((READ_WRITE, True), (REPLICATION_TARGET, False)):
        holders = [half for half in (first, second) if half[1].access == access]
        if len(holders) == 1:
            source = holders[0] if source_has_it else (second if holders[0] is first else first)
            return source, (second if source is first else first)
    return (first, second) if first[0] is local else (second, first)
