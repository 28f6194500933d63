"""Snapshots, and their replication to the paired volume.

A snapshot created (or modified) with enableRemoteReplication on a volume with a completed
pair gets the remote status "Syncing" for that pair. It is delivered to the paired volume (same
snapshotUUID) once the snapshot_transfer_seconds setting has passed on the simulated clock (0 by
default: at once) and the pair's state, seen from this side, is Active with this volume the
source: right after the call, and then by the background loop (every 0.25 s) until it is.
A member of a group snapshot carries what the target needs to rebuild the group (see
groupsnapshots.py). A snapshot whose expirationTime has passed on the simulated clock is
deleted by schedules.settle_timers, on each cluster by itself.
"""

import uuid

from .. import clock
from ..errors import ElementError
from ..network import PeerError, PeerRejected, PeerUnreachable
from ..rpc import method, opt, req
from .model import LIMITS, calling_pair, snapshot_or_error, volume_or_error
from .render import render_snapshot
from .replication import fetch_views, peer_link, volume_pair_state
from .state import iso_at, iso_now


def check_room(cluster, volume_id):
    if len(cluster.snapshots_by_volume.get(volume_id, ())) >= LIMITS["snapshotsPerVolumeMax"]:
        raise ElementError("xMaxSnapshotsPerVolumeExceeded")


def parse_retention(text):
    """Seconds of an HH:mm:ss retention (hours may exceed 24); xInvalidParameter otherwise."""
    parts = text.strip().split(":") if isinstance(text, str) else []
    if len(parts) == 3 and all(part.isdigit() for part in parts) \
            and int(parts[1]) < 60 and int(parts[2]) < 60:
        return int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])
    raise ElementError("xInvalidParameter", f"retention {text!r} is not HH:mm:ss.")


def expiration_of(p, now=None):
    """The expirationTime that expirationTime or retention (they exclude each other) asks for."""
    if "expirationTime" in p and "retention" in p:
        raise ElementError("xInvalidParameter",
                           "expirationTime and retention exclude each other.")
    if p.get("retention"):
        seconds = parse_retention(p["retention"])
        return iso_at((clock.now() if now is None else now) + seconds)
    return p.get("expirationTime")


def _new_snapshot(cluster, vol, name, snapshot_uuid, attributes, expiration_time,
                  snap_mirror_label, enable_remote_replication):
    now = iso_now()
    return {"snapshotID": cluster.allocate_id("snapshot"), "volumeID": vol["volumeID"],
            "name": name or now, "createTime": now, "instanceCreateTime": now,
            "snapshotUUID": snapshot_uuid, "instanceSnapshotUUID": str(uuid.uuid4()),
            "enableRemoteReplication": enable_remote_replication,
            "expirationTime": expiration_time, "attributes": attributes,
            "snapMirrorLabel": snap_mirror_label, "totalSize": vol["totalSize"],
            "replication": {}, "groupID": 0, "groupSnapshotUUID": None}


def _mark_for_replication(cluster, snap):
    pair = cluster.volumes[snap["volumeID"]]["pair"]
    if pair is not None and not pair["pending"]:
        snap["replication"].setdefault(pair["volumePairUUID"], "Syncing")
        # the copy takes snapshot_transfer_seconds of replicating (simulated) time to arrive
        snap.setdefault("arrivesAt", clock.now() + cluster.sim.settings["snapshot_transfer_seconds"])


def check_name(name):
    if name is not None and len(name) > LIMITS["snapshotNameLengthMax"]:
        raise ElementError("xInvalidParameter", "Snapshot name is too long.")


def check_serial(cluster, volume_id):
    """ensureSerialCreation: no snapshot of the volume may still be on its way."""
    if any(sid in cluster.undelivered_snapshots
           for sid in cluster.snapshots_by_volume.get(volume_id, ())):
        raise ElementError("xSnapshotReplicationInProgress")


def take_snapshot(cluster, volume_id, name=None, attributes=None, expiration_time=None,
                  snap_mirror_label="", replicate=False, ensure_serial=False):
    """CreateSnapshot's rules and record (lock held); the caller delivers it afterwards."""
    vol = volume_or_error(cluster, volume_id)
    check_name(name)
    check_room(cluster, vol["volumeID"])
    if ensure_serial:
        check_serial(cluster, vol["volumeID"])
    snap = _new_snapshot(cluster, vol, name, str(uuid.uuid4()), attributes or {},
                         expiration_time, snap_mirror_label, replicate)
    if replicate:
        _mark_for_replication(cluster, snap)
    cluster.add_snapshot(snap)
    return snap


@method("CreateSnapshot", since=6.0, locked=False, volumeID=req(int), snapshotID=opt(int),
        name=opt(str), enableRemoteReplication=opt(bool), expirationTime=opt(str),
        retention=opt(str), attributes=opt(dict), snapMirrorLabel=opt(str),
        ensureSerialCreation=opt(bool))
def create_snapshot(cluster, p, call):
    sim = cluster.sim
    with sim.transaction():
        vol = volume_or_error(cluster, p["volumeID"])
        if "snapshotID" in p and snapshot_or_error(cluster, p["snapshotID"])["volumeID"] \
                != vol["volumeID"]:
            raise ElementError("xSnapshotIDDoesNotExist", "The snapshot is not of this volume.")
        snap = take_snapshot(cluster, vol["volumeID"], p.get("name"), p.get("attributes"),
                             expiration_of(p), p.get("snapMirrorLabel", ""),
                             p.get("enableRemoteReplication", False),
                             p.get("ensureSerialCreation", False))
    deliver_pending_snapshots(cluster, [snap["snapshotID"]])
    with sim.lock:
        return {"checksum": "0x0", "snapshot": render_snapshot(cluster, snap),
                "snapshotID": snap["snapshotID"]}


@method("ModifySnapshot", since=8.0, locked=False, snapshotID=req(int),
        enableRemoteReplication=opt(bool), name=opt(str), expirationTime=opt(str),
        snapMirrorLabel=opt(str))
def modify_snapshot(cluster, p, call):
    sim = cluster.sim
    with sim.transaction():
        snap = snapshot_or_error(cluster, p["snapshotID"])
        check_name(p.get("name"))
        for key in ("name", "expirationTime", "snapMirrorLabel", "enableRemoteReplication"):
            if key in p:
                snap[key] = p[key]
        if p.get("enableRemoteReplication"):
            _mark_for_replication(cluster, snap)
        cluster.save_snapshot(snap)
    deliver_pending_snapshots(cluster, [snap["snapshotID"]])
    with sim.lock:
        return {"snapshot": render_snapshot(cluster, snap)}


@method("DeleteSnapshot", since=6.0, snapshotID=req(int))
def delete_snapshot(cluster, p, call):
    # Deletion is local: a replicated copy on the other cluster stays.
    cluster.remove_snapshot(snapshot_or_error(cluster, p["snapshotID"]))
    return {}


@method("ListSnapshots", since=6.0, volumeID=opt(int), snapshotID=opt(int))
def list_snapshots(cluster, p, call):
    if "volumeID" in p:
        volume_or_error(cluster, p["volumeID"], allow_deleted=True)
        ids = cluster.snapshots_by_volume.get(p["volumeID"], [])
    else:
        ids = list(cluster.snapshots)
    if "snapshotID" in p:
        ids = [i for i in ids if i == p["snapshotID"]]
    return {"snapshots": [render_snapshot(cluster, cluster.snapshots[i]) for i in ids]}


@method("SimPeerDeliverSnapshot", since=6.0, internal=True, volumePairUUID=req(str),
        snapshot=req(dict))
def peer_deliver_snapshot(cluster, p, call):
    """The target side: keep a copy of the source's snapshot (idempotent by snapshotUUID)."""
    cluster_pair = calling_pair(cluster, call)
    vol = cluster.volumes.get(cluster.volume_by_pair_uuid.get(p["volumePairUUID"]))
    if vol is None or vol["pair"]["clusterPairID"] != cluster_pair["clusterPairID"]:
        raise ElementError("xVolumeNotPaired")
    source = p["snapshot"]
    for sid in cluster.snapshots_by_volume.get(vol["volumeID"], ()):
        if cluster.snapshots[sid]["snapshotUUID"] == source["snapshotUUID"]:
            return {"snapshotID": sid}
    check_room(cluster, vol["volumeID"])
    snap = _new_snapshot(cluster, vol, source["name"], source["snapshotUUID"],
                         source["attributes"], source["expirationTime"],
                         source["snapMirrorLabel"], source["enableRemoteReplication"])
    snap["createTime"] = source["createTime"]
    cluster.add_snapshot(snap)
    if source.get("group"):
        _join_group(cluster, snap, source["group"])
    return {"snapshotID": snap["snapshotID"]}


GROUP_FIELDS = ("groupSnapshotUUID", "name", "createTime", "attributes", "expirationTime",
                "enableRemoteReplication", "snapMirrorLabel")


def new_group_record(cluster, fields, size):
    return dict({k: fields[k] for k in GROUP_FIELDS},
                groupSnapshotID=cluster.allocate_id("groupsnapshot"), members=[], size=size,
                complete=False)


def add_member(cluster, group, snap):
    snap["groupID"] = group["groupSnapshotID"]
    snap["groupSnapshotUUID"] = group["groupSnapshotUUID"]
    cluster.save_snapshot(snap)
    group["members"].append(snap["snapshotID"])
    group["complete"] = group["complete"] or len(group["members"]) >= group["size"]
    cluster.save_group_snapshot(group)


def _join_group(cluster, snap, info):
    """The target side: a delivered member joins (or starts) the copy of its group, which is
    listed once every member has arrived."""
    gid = cluster.group_by_uuid.get(info["groupSnapshotUUID"])
    group = cluster.group_snapshots.get(gid) if gid is not None else None
    if group is None:
        group = new_group_record(cluster, info, info["size"])
        cluster.add_group_snapshot(group)
    add_member(cluster, group, snap)


def _group_payload(cluster, snap):
    """What the target needs to rebuild the snapshot's group: only when every member is
    replicated over one cluster pair (else the members arrive as plain snapshots)."""
    group = cluster.group_snapshots.get(snap.get("groupID") or 0)
    if group is None:
        return None
    pair_ids = set()
    for sid in group["members"]:
        member = cluster.snapshots[sid]
        pair = cluster.volumes[member["volumeID"]]["pair"]
        if pair is None or pair["pending"] or not member["enableRemoteReplication"]:
            return None
        pair_ids.add(pair["clusterPairID"])
    if len(pair_ids) != 1:
        return None
    return dict({k: group[k] for k in GROUP_FIELDS}, size=len(group["members"]))


def deliver_pending_snapshots(cluster, snapshot_ids=None):
    """Send this cluster's undelivered replicated snapshots whose pair is Active.
    Called without the lock; peer calls are made between short locked sections."""
    sim = cluster.sim
    with sim.lock:
        work = []  # (snapshot, volumePairUUID, clusterPairID)
        for sid in list(snapshot_ids or cluster.undelivered_snapshots):
            snap = cluster.snapshots.get(sid)
            if snap is None or clock.now() < snap.get("arrivesAt", 0):
                continue
            pair = cluster.volumes[snap["volumeID"]]["pair"]
            for pair_uuid, status in snap["replication"].items():
                if status != "Syncing":
                    continue
                if pair is None or pair["pending"] or pair["volumePairUUID"] != pair_uuid:
                    snap["replication"][pair_uuid] = "Unknown"  # that pair is gone
                    cluster.save_snapshot(snap)
                else:
                    work.append((snap, pair_uuid, pair["clusterPairID"]))
        sim.store.commit()
    if not work:
        return
    views = fetch_views(cluster, {cluster_pair_id for _, _, cluster_pair_id in work})
    for snap, pair_uuid, cluster_pair_id in work:
        with sim.lock:
            vol = cluster.volumes.get(snap["volumeID"])
            if (vol is None or vol["pair"] is None or vol["access"] != "readWrite"
                    or volume_pair_state(cluster, vol, views, sim.settings, clock.now())
                    != "Active"):
                continue
            link = peer_link(cluster, cluster.cluster_pairs[cluster_pair_id])
            payload = {k: snap[k] for k in ("snapshotUUID", "name", "createTime", "attributes",
                                            "expirationTime", "snapMirrorLabel",
                                            "enableRemoteReplication")}
            payload["group"] = _group_payload(cluster, snap)
        try:
            link.call("SimPeerDeliverSnapshot", {"volumePairUUID": pair_uuid,
                                                 "snapshot": payload})
        except (PeerUnreachable, PeerRejected, PeerError):
            continue  # tried again by the background loop
        with sim.transaction():
            if snap["snapshotID"] in cluster.snapshots:
                snap["replication"][pair_uuid] = "Present"
                cluster.save_snapshot(snap)
