"""API objects (§3 of the spec) built from the stored records."""


from .. import clock
from ..jsonout import RawJSON, encode_compact
from .replication import (cluster_pair_status, snapshot_replication_state,
                          volume_pair_state)

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
PAUSE_LIMIT = 3145728000
QOS_CURVE = {"4096": 100, "8192": 160, "16384": 270, "32768": 500, "65536": 1000,
             "131072": 1950, "262144": 3900, "524288": 7600, "1048576": 15000}
BURST_TIME = 60


def iqn(unique_id, name, volume_id):
    return f"iqn.2010-01.com.solidfire:{unique_id}.{name.lower()}.{volume_id}"


def scsi_ids(unique_id, volume_id):
    """(EUI, NAA) device IDs in the layout of the docs' examples."""
    uid_hex = unique_id.encode().hex()
    return (f"{uid_hex}{volume_id:08x}f47acc0100000000",
            f"6f47acc100000000{uid_hex}{volume_id:08x}")


def render_volume_pair(cluster, vol, views, now):
    pair = vol["pair"]
    state = volume_pair_state(cluster, vol, views, cluster.sim.settings, now)
    return {
        "clusterPairID": pair["clusterPairID"],
        "remoteReplication": {
            "mode": pair["mode"],
            "pauseLimit": PAUSE_LIMIT,
            "remoteServiceID": pair["remoteServiceID"],
            "resumeDetails": "",
            "snapshotReplication": {"state": snapshot_replication_state(state),
                                    "stateDetails": ""},
            "state": state,
            "stateDetails": "",
        },
        "remoteSliceID": pair["remoteVolumeID"],
        "remoteVolumeID": pair["remoteVolumeID"],
        "remoteVolumeName": pair["remoteVolumeName"],
        "volumePairUUID": pair["volumePairUUID"],
    }


def _volume_fields(cluster, vol):
    """Every member of the volume object except volumePairs (which is derived per request)."""
    unique_id = cluster.unique_id
    vid = vol["volumeID"]
    eui, naa = scsi_ids(unique_id, vid)
    qos = vol["qos"]
    return {
        "access": vol["access"],
        "accountID": vol["accountID"],
        "attributes": vol["attributes"],
        "blockSize": 4096,
        "createTime": vol["createTime"],
        "currentProtectionScheme": "doubleHelix",
        "deleteTime": vol["deleteTime"],
        "enable512e": vol["enable512e"],
        "enableSnapMirrorReplication": vol["enableSnapMirrorReplication"],
        "fifoSize": vol["fifoSize"],
        "iqn": iqn(unique_id, vol["name"], vid),
        "lastAccessTime": None,
        "lastAccessTimeIO": None,
        "minFifoSize": vol["minFifoSize"],
        "name": vol["name"],
        "previousProtectionScheme": None,
        "purgeTime": vol["purgeTime"],
        "qos": {"burstIOPS": qos["burstIOPS"], "burstTime": BURST_TIME, "curve": QOS_CURVE,
                "maxIOPS": qos["maxIOPS"], "minIOPS": qos["minIOPS"]},
        "qosPolicyID": None,
        "scsiEUIDeviceID": eui,
        "scsiNAADeviceID": naa,
        "sliceCount": 0 if vol["status"] == "init" else 1,  # as in the CloneVolume example
        "status": vol["status"],
        "totalSize": vol["totalSize"],
        "virtualVolumeID": None,
        "volumeAccessGroups": sorted(cluster.vags_by_volume.get(vid, ())),
        "volumeConsistencyGroupUUID": vol["volumeConsistencyGroupUUID"],
        "volumeID": vid,
        "volumeUUID": vol["volumeUUID"],
    }


def _volume_pairs(cluster, vol, views, now):
    return [] if vol["pair"] is None else [render_volume_pair(cluster, vol, views, now)]


def render_volume(cluster, vol, views, now=None):
    """views: {clusterPairID: PeerView}; needed only when the volume has a pair entry."""
    obj = _volume_fields(cluster, vol)
    obj["volumePairs"] = _volume_pairs(cluster, vol, views, clock.now() if now is None else now)
    return obj


def render_volumes(cluster, vols, views):
    """A JSON array of volume objects. Lists of thousands of volumes are the expensive
    responses, so each volume's unchanging members are encoded once and cached (the cache
    entry is dropped whenever the volume record is saved); only volumePairs is encoded per
    request."""
    now = clock.now()
    cache = cluster.volume_json_cache
    parts = []
    for vol in vols:
        fields = cache.get(vol["volumeID"])
        if fields is None:
            fields = cache[vol["volumeID"]] = encode_compact(_volume_fields(cluster, vol))[:-1]
        pairs = encode_compact(_volume_pairs(cluster, vol, views, now))
        parts.append(f'{fields},"volumePairs":{pairs}}}')
    return RawJSON("[" + ",".join(parts) + "]")


def render_cluster_pair(cluster, pair, view, now):
    if pair["pending"]:
        # Nothing is known about the other cluster before CompleteClusterPairing.
        return {"clusterName": "", "clusterPairID": pair["clusterPairID"],
                "clusterPairUUID": pair["clusterPairUUID"], "clusterUUID": "", "latency": 0,
                "mvip": "", "status": "Unconfigured", "version": ""}
    peer = pair["peer"]
    status = cluster_pair_status(pair, view, cluster.sim.settings, now)
    live = view.cluster if status == "Connected" else None
    return {
        "clusterName": (live or peer)["name"],
        "clusterPairID": pair["clusterPairID"],
        "clusterPairUUID": pair["clusterPairUUID"],
        "clusterUUID": peer["uniqueID"],
        "latency": view.latency if live else 0,
        "mvip": cluster.sim.network.current_mvip(peer["uniqueID"], peer["mvip"]),
        "status": status,
        "version": (live or peer)["version"],
    }


def render_snapshot(cluster, snap):
    vol = cluster.volumes[snap["volumeID"]]
    return {
        "attributes": snap["attributes"],
        "checksum": "0x0",
        "createTime": snap["createTime"],
        "enableRemoteReplication": snap["enableRemoteReplication"],
        "expirationReason": "None",
        "expirationTime": snap["expirationTime"],
        "groupID": snap.get("groupID") or 0,
        "groupSnapshotUUID": snap.get("groupSnapshotUUID") or ZERO_UUID,
        "instanceCreateTime": snap["instanceCreateTime"],
        "instanceSnapshotUUID": snap["instanceSnapshotUUID"],
        "name": snap["name"],
        "remoteStatuses": [{"remoteStatus": status, "volumePairUUID": pair_uuid}
                           for pair_uuid, status in snap["replication"].items()],
        "snapMirrorLabel": snap["snapMirrorLabel"],
        "snapshotID": snap["snapshotID"],
        "snapshotUUID": snap["snapshotUUID"],
        "status": "done",
        "totalSize": snap["totalSize"],
        "virtualVolumeID": None,
        "volumeID": snap["volumeID"],
        "volumeName": vol["name"],
    }


def render_group_snapshot(cluster, group):
    members = [render_snapshot(cluster, cluster.snapshots[sid]) for sid in group["members"]]
    return {
        "attributes": group["attributes"],
        "createTime": group["createTime"],
        "enableRemoteReplication": group["enableRemoteReplication"],
        "groupSnapshotID": group["groupSnapshotID"],
        "groupSnapshotUUID": group["groupSnapshotUUID"],
        "members": members,
        "name": group["name"],
        "remoteStatuses": [status for member in members for status in member["remoteStatuses"]],
        "status": "done",
    }


def render_schedule(schedule):
    """The schedule object: the stored record without the simulator's own bookkeeping."""
    return {k: v for k, v in schedule.items() if k != "sim"}
