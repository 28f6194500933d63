"""Replication state, derived at read time from both halves of every pair.

Nothing here stores a status: a cluster pair's status and a volume pair's state are computed
from this cluster's records plus a PeerView, which the paired cluster returns (SimPeerView) over
the network link. Views are fetched without holding the simulator lock.
"""

import time
from dataclasses import dataclass, field

from ..network import PeerError, PeerRejected, PeerUnreachable

REACHABLE, UNREACHABLE, REJECTED = "reachable", "unreachable", "rejected"

MODES = {"async": "Async", "sync": "Sync", "snapshotsonly": "SnapshotsOnly"}


@dataclass
class PeerView:
    reachability: str
    cluster: dict = None          # the peer's identity (name, uniqueID, mvip, version, ...)
    halves: dict = field(default_factory=dict)  # volumePairUUID -> the peer's half
    latency: int = 0
    cluster_pair_uuid: str = None  # the pair the peer answered for (must be ours)


def peer_link(cluster, pair):
    peer = pair["peer"]
    return cluster.sim.network.link(peer["uniqueID"], peer["mvip"], peer["username"],
                                    peer["password"], from_id=cluster.unique_id)


def fetch_view(link):
    started = time.monotonic()
    try:
        answer = link.call("SimPeerView", {})
    except PeerRejected:
        return PeerView(REJECTED)
    except (PeerUnreachable, PeerError):
        return PeerView(UNREACHABLE)
    latency = max(1, round((time.monotonic() - started) * 1000))
    return PeerView(REACHABLE, answer["cluster"], answer["volumePairs"], latency,
                    answer["clusterPairUUID"])


def fetch_views(cluster, pair_ids=None):
    """{clusterPairID: PeerView} for the completed cluster pairs (all, or those given)."""
    with cluster.sim.lock:
        links = {pid: peer_link(cluster, pair) for pid, pair in cluster.cluster_pairs.items()
                 if not pair["pending"] and (pair_ids is None or pid in pair_ids)}
    return {pid: fetch_view(link) for pid, link in links.items()}


def peer_half(vol):
    """What this cluster tells its peer about its half of a volume pair."""
    pair = vol["pair"]
    return {"volumeID": vol["volumeID"], "volumeName": vol["name"], "status": vol["status"],
            "access": vol["access"], "totalSize": vol["totalSize"],
            "pausedManual": pair["pausedManual"], "mode": pair["mode"],
            "changedAt": pair["changedAt"]}


def connect_pending(pair, settings, now):
    """Within the connect delay after completion the pair is not connected yet."""
    return now < pair["completedAt"] + settings["cluster_pair_connect_delay"]


def cluster_pair_status(pair, view, settings, now):
    if pair["pending"]:
        return "Unconfigured"
    if connect_pending(pair, settings, now) or view is None or view.reachability == UNREACHABLE:
        return "Disconnected"
    if view.reachability == REJECTED or view.cluster_pair_uuid != pair["clusterPairUUID"]:
        return "Misconfigured"  # the peer no longer has its half of this pair
    return "Connected"


def volume_pair_state(cluster, vol, views, settings, now):
    """The remoteReplication.state of vol's pair entry. Precedence is listed in the README."""
    pair = vol["pair"]
    if pair["pending"] or vol["status"] == "deleted":
        return "PausedMisconfigured"
    cluster_pair = cluster.cluster_pairs.get(pair["clusterPairID"])
    if cluster_pair is None:
        return "StoppedMisconfigured"
    view = views.get(pair["clusterPairID"])
    status = cluster_pair_status(cluster_pair, view, settings, now)
    if status == "Disconnected":
        return "PausedDisconnected"
    half = view.halves.get(pair["volumePairUUID"]) if status == "Connected" else None
    if half is None:
        return "StoppedMisconfigured"
    if half["status"] == "deleted":
        return "PausedMisconfigured"
    if pair["pausedManual"]:
        return "PausedManual"
    if half["pausedManual"]:
        return "PausedManualRemote"
    if {vol["access"], half["access"]} != {"readWrite", "replicationTarget"}:
        return "PausedMisconfigured"
    source_size, target_size = ((vol["totalSize"], half["totalSize"])
                                if vol["access"] == "readWrite"
                                else (half["totalSize"], vol["totalSize"]))
    if target_size < source_size:
        return "PausedVolumeSizeMismatch"
    if now < max(pair["changedAt"], half["changedAt"]) + settings["volume_pair_sync_delay"]:
        return "ResumingConnected"
    return "Active"


def snapshot_replication_state(state):
    """snapshotReplication.state mirrors a paused or stopped pair, and is Idle otherwise
    (snapshots are delivered at once, so none is ever seen in flight)."""
    return state if state.startswith(("Paused", "Stopped")) else "Idle"
