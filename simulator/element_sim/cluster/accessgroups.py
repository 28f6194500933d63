"""Volume access groups and the initiators in them.

A group holds volumes and initiators (IQNs, EUI/NAA names, WWPNs). Initiators given by name
are created when they do not exist yet; given by ID they must exist. An initiator belongs to at
most one group (volumeAccessGroupsPerInitiatorCountMax). A group keeps its deleted volumes
until they are purged: they move from `volumes` to `deletedVolumes` (derived from the volume's
status, so DeleteVolume and RestoreDeletedVolume cost nothing here). Every request is checked
completely before anything changes.
"""

import re

from ..errors import ElementError
from ..rpc import method, opt, req
from .model import LIMITS, check_attributes, volume_or_error

INITIATORS = [(int, str)]  # initiator IDs or (deprecated, still accepted) names
_IQN = re.compile(r"iqn\.\d{4}-\d{2}\.[a-z0-9.:-]+")  # the format in the docs
_EUI = re.compile(r"eui\.[0-9a-fA-F]{16}")
_NAA = re.compile(r"naa\.[0-9a-fA-F]{16}(?:[0-9a-fA-F]{16})?")
_WWPN = re.compile(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){7}|[0-9a-fA-F]{16}")


def vag_or_error(cluster, vag_id):
    vag = cluster.vags.get(vag_id)
    if vag is None:
        raise ElementError("xVolumeAccessGroupIDDoesNotExist",
                           f"VolumeAccessGroupID {vag_id} does not exist.")
    return vag


def initiator_name(name):
    """The stored form of an initiator name, or xInvalidParameter (invented name) when it is
    none of: iqn.yyyy-mm.<lower-case text>, eui.<16 hex>, naa.<16 or 32 hex>, a WWPN."""
    if len(name) <= LIMITS["initiatorNameLengthMax"]:
        if _IQN.fullmatch(name) or _EUI.fullmatch(name) or _NAA.fullmatch(name):
            return name
        if _WWPN.fullmatch(name):
            digits = name.replace(":", "").lower()  # one port, one name
            return ":".join(digits[i:i + 2] for i in range(0, 16, 2))
    raise ElementError("xInvalidParameter", f"Invalid initiator name {name!r}.")


def _check_name(name):
    if not (LIMITS["volumeAccessGroupNameLengthMin"] <= len(name)
            <= LIMITS["volumeAccessGroupNameLengthMax"]):
        raise ElementError("xInvalidParameter",
                           "Volume access group name must be 1-64 characters.")


def _resolve_initiators(cluster, items, vag_id):
    """[initiatorID or None-for-new, name] for the items, each checked; nothing is created."""
    resolved, seen = [], set()
    for item in items:
        if isinstance(item, int):
            record = cluster.initiators.get(item)
            if record is None:
                raise ElementError("xInitiatorDoesNotExist",
                                   f"InitiatorID {item} does not exist.")
            iid, name = item, record["initiatorName"]
        else:
            name = initiator_name(item)
            iid = cluster.initiator_by_name.get(name)
        if name in seen:
            continue
        seen.add(name)
        owner = cluster.vag_by_initiator.get(iid) if iid is not None else None
        if owner is not None and owner != vag_id:
            # Cinder looks for the IQN in this message ("initiator double registered").
            raise ElementError("xExceededLimit", "Exceeded maximum number of "
                                                 f"VolumeAccessGroups per Initiator: {name}")
        resolved.append((iid, name))
    return resolved


def _materialize(cluster, resolved):
    """Create the initiators that were given by a new name; their IDs, in order."""
    new = sum(1 for iid, _ in resolved if iid is None)
    if new and len(cluster.initiators) + new > LIMITS["initiatorCountMax"]:
        raise ElementError("xExceededLimit", "Exceeded maximum number of initiators.")
    ids = []
    for iid, name in resolved:
        if iid is None:
            iid = cluster.allocate_id("initiator")
            cluster.add_initiator({"initiatorID": iid, "initiatorName": name, "alias": "",
                                   "attributes": {}})
        ids.append(iid)
    return ids


def _check_volumes(cluster, volume_ids, vag_id):
    """The volume IDs (deduplicated, in order); each must exist, not be deleted and have room
    for one more group."""
    ids = list(dict.fromkeys(volume_ids))
    for vid in ids:
        volume_or_error(cluster, vid)
        groups = cluster.vags_by_volume.get(vid, ())
        if vag_id not in groups and len(groups) >= LIMITS["volumeAccessGroupsPerVolumeCountMax"]:
            raise ElementError("xExceededLimit", f"VolumeID {vid} is already in "
                               f"{LIMITS['volumeAccessGroupsPerVolumeCountMax']} volume access "
                               "groups.")
    return ids


def _check_sizes(volume_count, initiator_count):
    if volume_count > LIMITS["volumesPerVolumeAccessGroupCountMax"]:
        raise ElementError("xExceededLimit", "Exceeded maximum number of volumes per "
                                             "VolumeAccessGroup.")
    if initiator_count > LIMITS["initiatorsPerVolumeAccessGroupCountMax"]:
        raise ElementError("xExceededLimit", "Exceeded maximum number of initiators per "
                                             "VolumeAccessGroup.")


def _drop_orphans(cluster, initiator_ids):
    for iid in initiator_ids:
        record = cluster.initiators.get(iid)
        if record is not None and iid not in cluster.vag_by_initiator:
            cluster.remove_initiator(record)


def render_vag(cluster, vag):
    volumes, deleted = [], []
    for vid in vag["volumes"]:
        (deleted if cluster.volumes[vid]["status"] == "deleted" else volumes).append(vid)
    return {
        "attributes": vag["attributes"],
        "deletedVolumes": deleted,
        "initiatorIDs": list(vag["initiatorIDs"]),
        "initiators": [cluster.initiators[i]["initiatorName"] for i in vag["initiatorIDs"]],
        "name": vag["name"],
        "volumeAccessGroupID": vag["volumeAccessGroupID"],
        "volumes": volumes,
    }


def render_initiator(cluster, record):
    vag_id = cluster.vag_by_initiator.get(record["initiatorID"])
    # Initiators made from a name in a group call have no CHAP settings; both secret members
    # must still be there (the official SDK reads them unconditionally, as for accounts).
    return {"alias": record["alias"], "attributes": record["attributes"],
            "chapUsername": record["initiatorName"], "initiatorID": record["initiatorID"],
            "initiatorName": record["initiatorName"], "initiatorSecret": "",
            "requireChap": False, "targetSecret": "", "virtualNetworkIDs": [],
            "volumeAccessGroups": [] if vag_id is None else [vag_id]}


@method("CreateVolumeAccessGroup", since=5.0, name=req(str), initiators=opt(INITIATORS),
        volumes=opt([int]), attributes=opt(dict), virtualNetworkID=opt([int]),
        virtualNetworkTags=opt([int]))
def create_volume_access_group(cluster, p, call):
    _check_name(p["name"])  # names need not be unique (docs; Cinder handles several matches)
    if len(cluster.vags) >= LIMITS["volumeAccessGroupCountMax"]:
        raise ElementError("xExceededLimit", "Exceeded maximum number of VolumeAccessGroups.")
    attributes = p.get("attributes", {})
    check_attributes(attributes)
    volumes = _check_volumes(cluster, p.get("volumes", []), None)
    resolved = _resolve_initiators(cluster, p.get("initiators", []), None)
    _check_sizes(len(volumes), len(resolved))
    initiator_ids = _materialize(cluster, resolved)
    vag = {"volumeAccessGroupID": cluster.allocate_id("vag"), "name": p["name"],
           "attributes": attributes}
    cluster.add_vag(vag, volumes, initiator_ids)
    return {"volumeAccessGroup": render_vag(cluster, vag),
            "volumeAccessGroupID": vag["volumeAccessGroupID"]}


@method("ListVolumeAccessGroups", since=5.0, startVolumeAccessGroupID=opt(int), limit=opt(int),
        volumeAccessGroups=opt([int]))
def list_volume_access_groups(cluster, p, call):
    if "volumeAccessGroups" in p:
        if "startVolumeAccessGroupID" in p or "limit" in p:
            raise ElementError("xInvalidParameter", "volumeAccessGroups cannot be combined "
                                                    "with startVolumeAccessGroupID or limit.")
        wanted = list(dict.fromkeys(p["volumeAccessGroups"]))
        answer = {"volumeAccessGroups": [render_vag(cluster, cluster.vags[i])
                                         for i in wanted if i in cluster.vags]}
        missing = [i for i in wanted if i not in cluster.vags]
        if missing:
            answer["volumeAccessGroupsNotFound"] = missing
        return answer
    start, limit = p.get("startVolumeAccessGroupID", 0), p.get("limit", 0)
    vags = [vag for vid, vag in cluster.vags.items() if vid >= start]
    if limit > 0:
        vags = vags[:limit]
    return {"volumeAccessGroups": [render_vag(cluster, vag) for vag in vags]}


@method("ModifyVolumeAccessGroup", since=5.0, volumeAccessGroupID=req(int), name=opt(str),
        attributes=opt(dict), initiators=opt(INITIATORS), volumes=opt([int]),
        deleteOrphanInitiators=opt(bool))
def modify_volume_access_group(cluster, p, call):
    vag = vag_or_error(cluster, p["volumeAccessGroupID"])
    vag_id = vag["volumeAccessGroupID"]
    if "name" in p:
        _check_name(p["name"])
    if "attributes" in p:
        check_attributes(p["attributes"])
    # Lists given replace the current ones; deleted members stay until they are purged.
    volumes = vag["volumes"]
    if "volumes" in p:
        kept_deleted = [v for v in vag["volumes"] if cluster.volumes[v]["status"] == "deleted"]
        volumes = _check_volumes(cluster, p["volumes"], vag_id)
        volumes += [v for v in kept_deleted if v not in volumes]
    resolved = None
    if "initiators" in p:
        resolved = _resolve_initiators(cluster, p["initiators"], vag_id)
    _check_sizes(len(volumes), len(resolved if resolved is not None else vag["initiatorIDs"]))
    initiator_ids = vag["initiatorIDs"]
    if resolved is not None:
        initiator_ids = _materialize(cluster, resolved)
    removed = set(vag["initiatorIDs"]) - set(initiator_ids)
    for key in ("name", "attributes"):
        if key in p:
            vag[key] = p[key]
    cluster.set_vag_members(vag, volumes, initiator_ids)
    if p.get("deleteOrphanInitiators"):
        _drop_orphans(cluster, removed)
    return {"volumeAccessGroup": render_vag(cluster, vag)}


@method("AddVolumesToVolumeAccessGroup", since=5.0, volumeAccessGroupID=req(int),
        volumes=req([int]))
def add_volumes_to_volume_access_group(cluster, p, call):
    vag = vag_or_error(cluster, p["volumeAccessGroupID"])
    ids = _check_volumes(cluster, p["volumes"], vag["volumeAccessGroupID"])
    present = [vid for vid in ids if vid in vag["volumes"]]
    if present:  # Cinder treats this error as "already done"
        raise ElementError("xAlreadyInVolumeAccessGroup",
                           f"VolumeID {present[0]} is already in the volume access group.")
    volumes = vag["volumes"] + ids
    _check_sizes(len(volumes), len(vag["initiatorIDs"]))
    cluster.set_vag_members(vag, volumes, vag["initiatorIDs"])
    return {"volumeAccessGroup": render_vag(cluster, vag)}


@method("RemoveVolumesFromVolumeAccessGroup", since=5.0, volumeAccessGroupID=req(int),
        volumes=req([int]))
def remove_volumes_from_volume_access_group(cluster, p, call):
    vag = vag_or_error(cluster, p["volumeAccessGroupID"])
    absent = [vid for vid in p["volumes"] if vid not in vag["volumes"]]
    if absent:  # Cinder treats this error as "already done"
        raise ElementError("xNotInVolumeAccessGroup",
                           f"VolumeID {absent[0]} is not in the volume access group.")
    gone = set(p["volumes"])
    cluster.set_vag_members(vag, [v for v in vag["volumes"] if v not in gone],
                            vag["initiatorIDs"])
    return {"volumeAccessGroup": render_vag(cluster, vag)}


@method("AddInitiatorsToVolumeAccessGroup", since=5.0, volumeAccessGroupID=req(int),
        initiators=req(INITIATORS))
def add_initiators_to_volume_access_group(cluster, p, call):
    vag = vag_or_error(cluster, p["volumeAccessGroupID"])
    resolved = _resolve_initiators(cluster, p["initiators"], vag["volumeAccessGroupID"])
    present = [name for iid, name in resolved if iid in vag["initiatorIDs"]]
    if present:  # Cinder treats this error as "already done"
        raise ElementError("xAlreadyInVolumeAccessGroup",
                           f"Initiator {present[0]} is already in the volume access group.")
    _check_sizes(len(vag["volumes"]), len(vag["initiatorIDs"]) + len(resolved))
    cluster.set_vag_members(vag, vag["volumes"],
                            vag["initiatorIDs"] + _materialize(cluster, resolved))
    return {"volumeAccessGroup": render_vag(cluster, vag)}


@method("RemoveInitiatorsFromVolumeAccessGroup", since=5.0, volumeAccessGroupID=req(int),
        initiators=opt(INITIATORS), deleteOrphanInitiators=opt(bool))
def remove_initiators_from_volume_access_group(cluster, p, call):
    vag = vag_or_error(cluster, p["volumeAccessGroupID"])
    gone = []
    for item in p.get("initiators", []):
        if isinstance(item, int):
            if item not in cluster.initiators:
                raise ElementError("xInitiatorDoesNotExist",
                                   f"InitiatorID {item} does not exist.")
            iid = item
        else:
            iid = cluster.initiator_by_name.get(initiator_name(item))
        if iid not in vag["initiatorIDs"]:
            raise ElementError("xNotInVolumeAccessGroup",
                               f"Initiator {item} is not in the volume access group.")
        gone.append(iid)
    cluster.set_vag_members(vag, vag["volumes"],
                            [i for i in vag["initiatorIDs"] if i not in set(gone)])
    if p.get("deleteOrphanInitiators"):
        _drop_orphans(cluster, gone)
    return {"volumeAccessGroup": render_vag(cluster, vag)}


@method("DeleteVolumeAccessGroup", since=5.0, volumeAccessGroupID=req(int),
        deleteOrphanInitiators=opt(bool), force=opt(bool))
def delete_volume_access_group(cluster, p, call):
    vag = vag_or_error(cluster, p["volumeAccessGroupID"])
    members = list(vag["initiatorIDs"])
    cluster.remove_vag(vag)  # its volumes stay; they just leave the group
    if p.get("deleteOrphanInitiators"):
        _drop_orphans(cluster, members)
    return {}


@method("ListInitiators", since=9.0, startInitiatorID=opt(int), limit=opt(int),
        initiators=opt([int]))
def list_initiators(cluster, p, call):
    if "initiators" in p and "startInitiatorID" in p:
        raise ElementError("xInvalidParameter",
                           "initiators and startInitiatorID exclude each other.")
    if "initiators" in p:
        records = [cluster.initiators[i] for i in dict.fromkeys(p["initiators"])
                   if i in cluster.initiators]
    else:
        start = p.get("startInitiatorID", 0)
        records = [r for i, r in cluster.initiators.items() if i >= start]
    limit = p.get("limit", 0)
    if limit > 0:
        records = records[:limit]
    return {"initiators": [render_initiator(cluster, r) for r in records]}
