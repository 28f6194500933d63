"""Group snapshots: one point in time across several volumes of the cluster.

A group snapshot is a record that names its member snapshots; each member is an ordinary
snapshot (ListSnapshots shows it, with groupID and groupSnapshotUUID set). Members with
enableRemoteReplication are delivered to their paired volumes exactly as single snapshots are
(snapshots.deliver_pending_snapshots). When every member is replicated over one cluster pair,
the target rebuilds the group with the same groupSnapshotUUID and lists it once all members
have arrived; otherwise the members arrive there as plain snapshots.
"""

import uuid

from ..errors import ElementError
from ..rpc import method, opt, req
from .model import LIMITS, group_snapshot_or_error, volume_or_error
from .render import render_group_snapshot
from .snapshots import (add_member, check_name, check_room, check_serial,
                        deliver_pending_snapshots, expiration_of, new_group_record,
                        take_snapshot)
from .state import iso_now


def check_group_volumes(cluster, volume_ids):
    """The volumes of one group snapshot: known, distinct, and not too many."""
    if not volume_ids:
        raise ElementError("xInvalidParameter", "volumes must name at least one volume.")
    if len(set(volume_ids)) != len(volume_ids):
        raise ElementError("xInvalidParameter", "volumes names a volume twice.")
    if len(volume_ids) > LIMITS["volumesPerGroupSnapshotMax"]:
        raise ElementError("xExceededLimit",
                           f"A group snapshot has at most {LIMITS['volumesPerGroupSnapshotMax']}"
                           f" volumes; {len(volume_ids)} were given.")
    for vid in volume_ids:
        volume_or_error(cluster, vid)


def take_group_snapshot(cluster, volume_ids, name=None, attributes=None, expiration_time=None,
                        snap_mirror_label="", replicate=False, ensure_serial=False):
    """CreateGroupSnapshot's rules and records (lock held): every check is made before the
    first member exists. The caller delivers the members afterwards."""
    check_group_volumes(cluster, volume_ids)
    check_name(name)
    for vid in volume_ids:
        check_room(cluster, vid)
        if ensure_serial:
            check_serial(cluster, vid)
    now = iso_now()
    group = new_group_record(cluster, {
        "groupSnapshotUUID": str(uuid.uuid4()), "name": name or now, "createTime": now,
        "attributes": attributes or {}, "expirationTime": expiration_time,
        "enableRemoteReplication": replicate, "snapMirrorLabel": snap_mirror_label},
        len(volume_ids))
    cluster.add_group_snapshot(group)
    for vid in volume_ids:
        snap = take_snapshot(cluster, vid, name or now, attributes, expiration_time,
                             snap_mirror_label, replicate)
        add_member(cluster, group, snap)
    return group


@method("CreateGroupSnapshot", since=7.0, locked=False, volumes=req([int]), name=opt(str),
        enableRemoteReplication=opt(bool), expirationTime=opt(str), retention=opt(str),
        attributes=opt(dict), snapMirrorLabel=opt(str), ensureSerialCreation=opt(bool))
def create_group_snapshot(cluster, p, call):
    sim = cluster.sim
    with sim.transaction():
        group = take_group_snapshot(cluster, p["volumes"], p.get("name"), p.get("attributes"),
                                    expiration_of(p), p.get("snapMirrorLabel", ""),
                                    p.get("enableRemoteReplication", False),
                                    p.get("ensureSerialCreation", False))
    deliver_pending_snapshots(cluster, list(group["members"]))
    with sim.lock:
        rendered = render_group_snapshot(cluster, group)
        return {"groupSnapshot": rendered, "groupSnapshotID": group["groupSnapshotID"],
                "members": [{"checksum": m["checksum"], "snapshotID": m["snapshotID"],
                             "snapshotUUID": m["snapshotUUID"], "volumeID": m["volumeID"]}
                            for m in rendered["members"]]}


@method("ListGroupSnapshots", since=7.0, volumes=opt([int]), groupSnapshotID=opt(int))
def list_group_snapshots(cluster, p, call):
    wanted = set(p.get("volumes", ()))
    for vid in wanted:
        volume_or_error(cluster, vid, allow_deleted=True)
    groups = []
    for gid, group in cluster.group_snapshots.items():
        if not group["complete"] or p.get("groupSnapshotID", gid) != gid:
            continue
        if wanted and not any(cluster.snapshots[sid]["volumeID"] in wanted
                              for sid in group["members"]):
            continue
        groups.append(render_group_snapshot(cluster, group))
    return {"groupSnapshots": groups}


@method("ModifyGroupSnapshot", since=8.0, locked=False, groupSnapshotID=req(int),
        enableRemoteReplication=opt(bool), expirationTime=opt(str), name=opt(str),
        snapMirrorLabel=opt(str))
def modify_group_snapshot(cluster, p, call):
    """The group's fields, and enableRemoteReplication / expirationTime / snapMirrorLabel of
    every member (the docs: they apply to "all the snapshots in the group")."""
    sim = cluster.sim
    with sim.transaction():
        group = group_snapshot_or_error(cluster, p["groupSnapshotID"])
        check_name(p.get("name"))
        for key in ("name", "expirationTime", "snapMirrorLabel", "enableRemoteReplication"):
            if key in p:
                group[key] = p[key]
        cluster.save_group_snapshot(group)
        member_keys = [k for k in ("expirationTime", "snapMirrorLabel",
                                   "enableRemoteReplication") if k in p]
        for sid in group["members"]:
            snap = cluster.snapshots[sid]
            for key in member_keys:
                snap[key] = p[key]
            if p.get("enableRemoteReplication"):
                pair = cluster.volumes[snap["volumeID"]]["pair"]
                if pair is not None and not pair["pending"]:
                    snap["replication"].setdefault(pair["volumePairUUID"], "Syncing")
            cluster.save_snapshot(snap)
        members = list(group["members"])
    deliver_pending_snapshots(cluster, members)
    with sim.lock:
        return {"groupSnapshot": render_group_snapshot(cluster, group)}


@method("DeleteGroupSnapshot", since=7.0, groupSnapshotID=req(int), saveMembers=opt(bool))
def delete_group_snapshot(cluster, p, call):
    """saveMembers: the members stay as plain snapshots; else they are deleted with the group.
    As with DeleteSnapshot, the copies on a paired cluster stay."""
    group = group_snapshot_or_error(cluster, p["groupSnapshotID"])
    members = [cluster.snapshots[sid] for sid in group["members"]]
    cluster.remove_group_snapshot(group)
    if not p.get("saveMembers", False):
        for snap in members:
            cluster.remove_snapshot(snap)
    return {}
