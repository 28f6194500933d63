"""Volumes: create, modify, delete/restore/purge and the list methods."""

from .. import clock
from ..errors import ElementError
from ..rpc import method, opt, req
from .jobs import fail_job, running_job_of
from .model import (ACCESS_VALUES, DEFAULT_QOS, STATUS_FILTER, VOLUME_STATUSES, account_or_error,
                    check_attributes, check_volume_name, merged_qos, new_volume_record, rounded_size,
                    volume_or_error)
from .render import render_volume, render_volumes
from .state import PURGE_DELAY_SECONDS, iso_now

@method("CreateVolume", since=1.0, name=req(str), accountID=req(int), totalSize=req(int),
        enable512e=req(bool), qos=opt(dict), attributes=opt(dict), access=opt(str),
        enableSnapMirrorReplication=opt(bool), fifoSize=opt(int), minFifoSize=opt(int))
def create_volume(cluster, p, call):
    check_volume_name(p["name"])
    account_or_error(cluster, p["accountID"])
    size = rounded_size(p["totalSize"])
    if p.get("access", "snapMirrorTarget") != "snapMirrorTarget":
        raise ElementError("xInvalidParameter",
                           "CreateVolume accepts only access=snapMirrorTarget; "
                           "use ModifyVolume for other access values.")
    qos = merged_qos(DEFAULT_QOS, p.get("qos", {}))
    attributes = p.get("attributes", {})
    check_attributes(attributes)
    vol = new_volume_record(cluster, p["name"], p["accountID"], size, p["enable512e"], qos,
                            attributes, p.get("access", "readWrite"), p.get("fifoSize", 24),
                            p.get("minFifoSize", 0))
    vol["enableSnapMirrorReplication"] = p.get("enableSnapMirrorReplication", False)
    cluster.add_volume(vol)
    rendered = render_volume(cluster, vol, {})
    return {"curve": rendered["qos"]["curve"], "volume": rendered, "volumeID": vol["volumeID"]}


MODIFY_PARAMS = dict(access=opt(str), accountID=opt(int), qos=opt(dict), totalSize=opt(int),
                     attributes=opt(dict), enableSnapMirrorReplication=opt(bool),
                     fifoSize=opt(int), minFifoSize=opt(int))


def _planned_changes(cluster, vol, p):
    """Validate a ModifyVolume(s) request against one volume; the changes to make."""
    changes = {}
    if "access" in p:
        if p["access"] not in ACCESS_VALUES:
            raise ElementError("xUnrecognizedEnumString", p["access"])
        changes["access"] = p["access"]
    if "accountID" in p:
        account_or_error(cluster, p["accountID"])
        changes["accountID"] = p["accountID"]
    if "qos" in p:
        changes["qos"] = merged_qos(vol["qos"], p["qos"])
    if "totalSize" in p:
        size = rounded_size(p["totalSize"])
        if size < vol["totalSize"]:
            raise ElementError("xVolumeShrinkProhibited")
        changes["totalSize"] = size
    if "attributes" in p:
        check_attributes(p["attributes"])
        changes["attributes"] = p["attributes"]
    for key in ("enableSnapMirrorReplication", "fifoSize", "minFifoSize"):
        if key in p:
            changes[key] = p[key]
    return changes


def _apply_changes(cluster, vol, changes):
    if "accountID" in changes:
        cluster.move_volume(vol, changes.pop("accountID"))
    replication_inputs_changed = any(
        key in changes and changes[key] != vol[key] for key in ("access", "totalSize"))
    vol.update(changes)
    if replication_inputs_changed and vol["pair"] is not None:
        vol["pair"]["changedAt"] = clock.now()  # restarts the sync delay
    cluster.save_volume(vol)


@method("ModifyVolume", since=1.0, peer_view=True, volumeID=req(int), **MODIFY_PARAMS)
def modify_volume(cluster, p, call):
    vol = volume_or_error(cluster, p["volumeID"])
    _apply_changes(cluster, vol, _planned_changes(cluster, vol, p))
    return {"volume": render_volume(cluster, vol, call.views)}


@method("ModifyVolumes", since=9.0, peer_view=True, volumeIDs=req([int]), **MODIFY_PARAMS)
def modify_volumes(cluster, p, call):
    if not 1 <= len(p["volumeIDs"]) <= 500:
        raise ElementError("xInvalidParameter", "volumeIDs must list 1-500 volumes.")
    vols = [volume_or_error(cluster, vid) for vid in dict.fromkeys(p["volumeIDs"])]
    # All or nothing: every volume is validated before any is changed.
    plans = [(vol, _planned_changes(cluster, vol, p)) for vol in vols]
    for vol, changes in plans:
        _apply_changes(cluster, vol, changes)
    return {"volumes": render_volumes(cluster, vols, call.views)}


@method("DeleteVolume", since=1.0, peer_view=True, volumeID=req(int))
def delete_volume(cluster, p, call):
    vol = volume_or_error(cluster, p["volumeID"])
    job = running_job_of(cluster, vol)
    vol.update(status="deleted", deleteTime=iso_now(), purgeTime=iso_now(PURGE_DELAY_SECONDS))
    cluster.save_volume(vol)
    if job is not None:  # the clone being made is gone: its job ends with an error
        fail_job(cluster, job, "xVolumeIDDoesNotExist",
                 f"VolumeID {vol['volumeID']} was deleted before the clone completed.",
                 clock.now())
    return {"volume": render_volume(cluster, vol, call.views)}


@method("RestoreDeletedVolume", since=1.0, volumeID=req(int))
def restore_deleted_volume(cluster, p, call):
    vol = volume_or_error(cluster, p["volumeID"], allow_deleted=True)
    if vol["status"] != "deleted":
        raise ElementError("xVolumeIDDoesNotExist", f"VolumeID {vol['volumeID']} is not deleted.")
    vol.update(status="active", deleteTime="", purgeTime="")
    cluster.save_volume(vol)
    return {}


@method("PurgeDeletedVolume", since=1.0, volumeID=req(int))
def purge_deleted_volume(cluster, p, call):
    vol = volume_or_error(cluster, p["volumeID"], allow_deleted=True)
    if vol["status"] != "deleted":
        raise ElementError("xVolumeIDDoesNotExist", f"VolumeID {vol['volumeID']} is not deleted.")
    # Its pair entry goes too (the peer sees StoppedMisconfigured), and its access groups.
    cluster.purge_volume(vol)
    return {}


def _limited(items, limit):
    return items[:limit] if limit and limit > 0 else items


@method("ListVolumes", since=8.0, peer_view=True, startVolumeID=opt(int), limit=opt(int),
        volumeStatus=opt(str), accounts=opt([int]), isPaired=opt(bool), volumeIDs=opt([int]),
        volumeName=opt(str), includeVirtualVolumes=opt(bool))
def list_volumes(cluster, p, call):
    if "volumeIDs" in p and any(k in p for k in ("startVolumeID", "limit", "accounts")):
        raise ElementError("xInvalidParameter",
                           "volumeIDs cannot be combined with startVolumeID, limit or accounts.")
    status = p.get("volumeStatus")
    if status is not None and status not in VOLUME_STATUSES:
        raise ElementError("xUnrecognizedEnumString", status)
    status = STATUS_FILTER.get(status, status)
    if "volumeIDs" in p:
        # IDs that do not exist are left out rather than failing the whole call.
        ids = sorted(i for i in set(p["volumeIDs"]) if i in cluster.volumes)
    else:
        ids = cluster.volume_ids_from(p.get("startVolumeID", 0))
    accounts = set(p["accounts"]) if "accounts" in p else None
    paired, name = p.get("isPaired"), p.get("volumeName")
    limit = p.get("limit", 10000)
    selected = []
    for vid in ids:
        vol = cluster.volumes[vid]
        if ((status is None or vol["status"] == status)
                and (accounts is None or vol["accountID"] in accounts)
                and (paired is None or (vol["pair"] is not None) == paired)
                and (name is None or vol["name"] == name)):
            selected.append(vol)
            if limit > 0 and len(selected) >= limit:
                break
    return {"volumes": render_volumes(cluster, selected, call.views)}


@method("ListActiveVolumes", since=1.0, peer_view=True, startVolumeID=opt(int),
        limit=opt(int), includeVirtualVolumes=opt(bool))
def list_active_volumes(cluster, p, call):
    limit = p.get("limit", 0)
    selected = []
    for vid in cluster.volume_ids_from(p.get("startVolumeID", 0)):
        vol = cluster.volumes[vid]
        if vol["status"] != "deleted":  # "init" clones too: the counterpart of the deleted list
            selected.append(vol)
            if limit > 0 and len(selected) >= limit:
                break
    return {"volumes": render_volumes(cluster, selected, call.views)}


@method("ListDeletedVolumes", since=1.0, peer_view=True, includeVirtualVolumes=opt(bool))
def list_deleted_volumes(cluster, p, call):
    vols = [v for v in cluster.volumes.values() if v["status"] == "deleted"]
    return {"volumes": render_volumes(cluster, vols, call.views)}


@method("ListVolumesForAccount", since=1.0, peer_view=True, accountID=req(int),
        startVolumeID=opt(int), limit=opt(int), includeVirtualVolumes=opt(bool))
def list_volumes_for_account(cluster, p, call):
    account_or_error(cluster, p["accountID"])
    start = p.get("startVolumeID", 0)
    ids = sorted(i for i in cluster.volumes_by_account[p["accountID"]] if i >= start)
    vols = _limited([cluster.volumes[i] for i in ids], p.get("limit", 0))
    return {"volumes": render_volumes(cluster, vols, call.views)}
