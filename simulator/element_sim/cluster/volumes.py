"""Volumes: create, modify, delete/restore/purge and the list methods."""

import json
import uuid

from .. import clock
from ..errors import ElementError
from ..rpc import method, opt, req
from .accounts import account_or_error
from .info import DEFAULT_QOS, LIMITS
from .jobs import fail_job, running_job_of
from .render import render_volume, render_volumes
from .state import PURGE_DELAY_SECONDS, iso_now

MIB = 1024 * 1024
ACCESS_VALUES = ("readOnly", "readWrite", "locked", "replicationTarget", "snapMirrorTarget")
VOLUME_STATUSES = ("creating", "snapshotting", "active", "deleted")
# ListVolumes' volumeStatus values name states; a clone still being made has status "init"
# (CloneVolume docs example), which the "creating" filter selects.
STATUS_FILTER = {"creating": "init"}


def volume_or_error(cluster, volume_id, allow_deleted=False):
    """The volume, unless unknown or deleted. Clones still being made ("init") count."""
    vol = cluster.volumes.get(volume_id)
    if vol is None or (vol["status"] == "deleted" and not allow_deleted):
        raise ElementError("xVolumeIDDoesNotExist", f"VolumeID {volume_id} does not exist.")
    return vol


def check_volume_name(name):
    if not LIMITS["volumeNameLengthMin"] <= len(name) <= LIMITS["volumeNameLengthMax"]:
        raise ElementError("xInvalidParameter", "Volume name must be 1-64 characters.")


def rounded_size(size):
    """Sizes are rounded up to a whole MiB (the docs' example sizes are all MiB multiples)."""
    if not LIMITS["volumeSizeMin"] <= size <= LIMITS["volumeSizeMax"]:
        raise ElementError("xInvalidParameter",
                           f"totalSize must be {LIMITS['volumeSizeMin']}-"
                           f"{LIMITS['volumeSizeMax']} bytes.")
    return -(-size // MIB) * MIB


def check_attributes(attributes):
    if len(json.dumps(attributes)) >= 1000:
        raise ElementError("xInvalidParameter", "attributes must be less than 1000 bytes.")


def _merged_qos(current, given):
    qos = dict(current)
    for key in ("minIOPS", "maxIOPS", "burstIOPS"):
        if given.get(key) is not None:
            value = given[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ElementError("xInvalidParameterType", f"qos.{key} must be an integer.")
            qos[key] = value
    bounds = {"minIOPS": "volumeMinIOPS", "maxIOPS": "volumeMaxIOPS",
              "burstIOPS": "volumeBurstIOPS"}
    for key, limit in bounds.items():
        if not LIMITS[limit + "Min"] <= qos[key] <= LIMITS[limit + "Max"]:
            raise ElementError("xInvalidParameter", f"qos.{key} is out of range.")
    if not qos["minIOPS"] <= qos["maxIOPS"] <= qos["burstIOPS"]:
        raise ElementError("xInvalidParameter", "qos must satisfy minIOPS <= maxIOPS <= burstIOPS.")
    return qos


def new_volume_record(cluster, name, account_id, total_size, enable512e, qos=None,
                      attributes=None, access="readWrite", fifo_size=24, min_fifo_size=0):
    return {
        "volumeID": cluster.allocate_id("volume"), "name": name, "accountID": account_id,
        "createTime": iso_now(), "volumeUUID": str(uuid.uuid4()),
        "volumeConsistencyGroupUUID": str(uuid.uuid4()), "status": "active",
        "access": access, "enable512e": enable512e, "qos": qos or dict(DEFAULT_QOS),
        "deleteTime": "", "purgeTime": "", "totalSize": total_size,
        "attributes": attributes or {}, "fifoSize": fifo_size, "minFifoSize": min_fifo_size,
        "enableSnapMirrorReplication": False, "pair": None,
    }


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
    qos = _merged_qos(DEFAULT_QOS, p.get("qos", {}))
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
        changes["qos"] = _merged_qos(vol["qos"], p["qos"])
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
