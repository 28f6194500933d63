"""Volume statistics (ListVolumeStats, GetVolumeStats) and the replication lag model behind
their asyncDelay.

The lag of a paired volume is kept as a checkpoint in its pair record, {"seconds", "at",
"growing"}: the lag at simulated time "at", and whether it has been growing (the pair is not
Active: paused, disconnected, misconfigured) or draining since then. Growing, it rises one
second per second; draining, it falls by the lag_drain_rate setting down to the floor: the
async_delay_seconds setting for an Active Async or SnapshotsOnly source, zero for Sync and for
targets. A checkpoint is taken whenever the growing/draining flag changes: on ModifyVolumePair,
on every /sim/ change of a link or of a cluster's availability (observe_all), and whenever the
stats are read. /sim/volumes/<id>/lag sets a checkpoint directly (a write backlog).
"""

from .. import clock
from ..errors import ElementError
from ..rpc import method, opt, req
from .replication import fetch_views, volume_pair_state
from .state import iso_at
from .model import volume_or_error

ACTIVE = "Active"
SAMPLE_PERIOD_MSEC = 500


def _floor(vol, settings):
    pair = vol["pair"]
    if vol["access"] != "readWrite" or pair["mode"] == "Sync":
        return 0.0
    return settings["async_delay_seconds"]


def lag_at(vol, settings, now):
    """The lag of a paired volume at simulated time now, from its checkpoint."""
    floor = _floor(vol, settings)
    mark = vol["pair"].get("lag") or {"seconds": floor, "at": now, "growing": False}
    elapsed = max(0.0, now - mark["at"])
    if mark["growing"]:
        return mark["seconds"] + elapsed
    return max(floor, mark["seconds"] - settings["lag_drain_rate"] * elapsed)


def checkpoint(cluster, vol, growing, now, seconds=None):
    """Record the lag now (or the given lag) and whether it grows from here on. Locked."""
    pair = vol["pair"]
    pair["lag"] = {"seconds": lag_at(vol, cluster.sim.settings, now) if seconds is None
                   else float(seconds), "at": now, "growing": growing,
                   "target": vol["access"] == "replicationTarget"}
    cluster.save_volume(vol)


def observe(cluster, vol, state, now, since=None):
    """The lag of a paired volume in the given replication state; checkpoints a change between
    growing and draining, at since when the change is known to have happened earlier (a pause
    on the other side). Locked."""
    growing = state != ACTIVE
    target = vol["access"] == "replicationTarget"
    mark = vol["pair"].get("lag")
    # An Active target has everything its source sent, and a volume that changed sides (a
    # failover) starts afresh: its lag as a target was the other side's.
    turned = mark is not None and mark.get("target", False) != target
    if mark is None or turned or mark["growing"] != growing:
        at = now if since is None or turned else min(now, since if mark is None
                                                      else max(since, mark["at"]))
        checkpoint(cluster, vol, growing, at, 0.0 if turned or (target and not growing) else None)
    if not growing and (target or vol["pair"]["mode"] == "Sync"):
        return 0.0  # documented for an active target; an Active Sync pair is in sync by definition
    return lag_at(vol, cluster.sim.settings, now)


def observe_all(sim):
    """Checkpoint every completed pair of every cluster in its current state: called after a
    /sim/ change that can stop or restart replication (a link, a cluster going offline), so
    that the lag grows from that moment rather than from the next read."""
    for cluster in list(sim.clusters.values()):
        views = fetch_views(cluster)
        with sim.transaction():
            now = clock.now()
            for vid in list(cluster.paired_volume_ids):
                vol = cluster.volumes[vid]
                if not vol["pair"]["pending"]:
                    observe(cluster, vol, volume_pair_state(cluster, vol, views, sim.settings, now),
                            now)


def format_delay(seconds):
    """An ISO 8601 duration (PT1H2M3.5S), as volumeStats.asyncDelay is documented to be."""
    whole_minutes, secs = divmod(round(seconds, 3), 60)
    hours, minutes = divmod(int(whole_minutes), 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs or text == "PT":
        text += f"{secs:g}S"
    return text


def async_delay(cluster, vol, views, now):
    pair = vol["pair"]
    if pair is None or pair["pending"]:
        return None  # documented: null when the volume is not paired
    state = volume_pair_state(cluster, vol, views, cluster.sim.settings, now)
    since = None
    if state == "PausedManualRemote":
        view = (views or {}).get(pair["clusterPairID"])
        half = view.halves.get(pair["volumePairUUID"]) if view is not None else None
        since = half["changedAt"] if half else None
    return format_delay(observe(cluster, vol, state, now, since))


def render_stats(cluster, vol, views, now):
    """A volumeStats object. The counters are those of an idle volume; the simulator has no
    I/O, but every documented member is present with its type."""
    size = vol["totalSize"]
    return {
        "accountID": vol["accountID"], "actualIOPS": 0, "asyncDelay": async_delay(cluster, vol, views, now),
        "averageIOPSize": 0, "burstIOPSCredit": 0, "clientQueueDepth": 0,
        "desiredMetadataHosts": None,
        "latencyUSec": 0, "metadataHosts": {"deadSecondaries": [], "liveSecondaries": [],
                                            "primary": 1 + vol["volumeID"] % 4},
        "nonZeroBlocks": 0, "normalizedIOPS": 0, "readBytes": 0, "readBytesLastSample": 0,
        "readLatencyUSec": 0, "readLatencyUSecTotal": 0, "readOps": 0, "readOpsLastSample": 0,
        "samplePeriodMSec": SAMPLE_PERIOD_MSEC, "throttle": 0.0, "timestamp": iso_at(now),
        "totalLatencyUSec": 0, "unalignedReads": 0, "unalignedWrites": 0,
        "volumeAccessGroups": sorted(cluster.vags_by_volume.get(vol["volumeID"], ())),
        "volumeID": vol["volumeID"], "volumeSize": size, "volumeUtilization": 0.0,
        "writeBytes": 0, "writeBytesLastSample": 0, "writeLatencyUSec": 0,
        "writeLatencyUSecTotal": 0, "writeOps": 0, "writeOpsLastSample": 0,
        "zeroBlocks": size // 4096,
    }


@method("ListVolumeStats", since=10.0, peer_view=True, volumeIDs=opt([int]),
        includeVirtualVolumes=opt(bool))
def list_volume_stats(cluster, p, call):
    if "volumeIDs" in p:
        vols = [volume_or_error(cluster, vid) for vid in p["volumeIDs"]]
    else:
        vols = [v for v in cluster.volumes.values() if v["status"] == "active"]
    now = clock.now()
    with cluster.sim.transaction():
        return {"volumeStats": [render_stats(cluster, v, call.views, now) for v in vols]}


@method("ListVolumeStatsByVolume", since=6.0, peer_view=True, includeVirtualVolumes=opt(bool))
def list_volume_stats_by_volume(cluster, p, call):
    now = clock.now()
    with cluster.sim.transaction():
        return {"volumeStats": [render_stats(cluster, v, call.views, now)
                                for v in cluster.volumes.values() if v["status"] == "active"]}


@method("GetVolumeStats", since=6.0, peer_view=True, volumeID=req(int))
def get_volume_stats(cluster, p, call):
    vol = volume_or_error(cluster, p["volumeID"])
    with cluster.sim.transaction():
        return {"volumeStats": render_stats(cluster, vol, call.views, clock.now())}


def set_lag(cluster, volume_id, seconds):
    """/sim/volumes/<id>/lag: the volume's pair is this far behind now (a write backlog); it
    keeps growing or draining as the pair's state says."""
    with cluster.sim.transaction():
        vol = volume_or_error(cluster, volume_id)
        if vol["pair"] is None or vol["pair"]["pending"]:
            raise ElementError("xVolumeNotPaired")
        mark = vol["pair"].get("lag")
        checkpoint(cluster, vol, bool(mark and mark["growing"]), clock.now(), seconds)
        return lag_at(vol, cluster.sim.settings, clock.now())
