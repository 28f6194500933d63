"""Volume pairing: StartVolumePairing, CompleteVolumePairing, ListActivePairedVolumes,
ModifyVolumePair, RemoveVolumePair, and the peer methods the other cluster calls."""

import uuid

from .. import clock
from ..errors import ElementError, InjectedError
from ..network import PeerError, PeerRejected, PeerUnreachable
from ..rpc import method, opt, req
from .model import calling_pair, decode_key, encode_key, volume_or_error
from .render import render_volumes
from .replication import MODES, connect_pending, peer_link
from .stats import checkpoint

VOLUME_KEY_FIELDS = {"mvip": str, "volumeID": int, "volumeName": str, "volumePairUUID": str}


def canonical_mode(value):
    """Modes are accepted in any case (Ansible sends "async") and stored canonically."""
    mode = MODES.get(value.lower())
    if mode is None:
        raise ElementError("xUnrecognizedEnumString", value)
    return mode


def _connected_pair_for_mvip(cluster, mvip):
    """The completed, connected cluster pair whose peer currently answers at mvip."""
    network = cluster.sim.network
    for pair in cluster.cluster_pairs.values():
        if pair["pending"]:
            continue
        peer = pair["peer"]
        if network.current_mvip(peer["uniqueID"], peer["mvip"]) == mvip:
            if connect_pending(pair, cluster.sim.settings, clock.now()):
                raise ElementError("xMVIPNotPaired", f"The cluster pair with {mvip} is still "
                                                     "connecting.")
            return pair
    raise ElementError("xMVIPNotPaired", f"No cluster pair with MVIP {mvip}.")


@method("StartVolumePairing", since=6.0, volumeID=req(int), mode=opt(str))
def start_volume_pairing(cluster, p, call):
    vol = volume_or_error(cluster, p["volumeID"])
    if vol["pair"] is not None:
        raise ElementError("xVolumeAlreadyPaired")
    mode = canonical_mode(p.get("mode", "Async"))
    # A pending entry belongs to no cluster pair yet (real clusters do not check for one here).
    pair = {"volumePairUUID": str(uuid.uuid4()), "clusterPairID": 0, "remoteVolumeID": 0,
            "remoteVolumeName": "", "remoteServiceID": 0, "mode": mode,
            "pausedManual": False, "pending": True, "changedAt": clock.now()}
    cluster.set_volume_pair(vol, pair)
    return {"volumePairingKey": encode_key({
        "mvip": cluster.mvip, "volumeID": vol["volumeID"], "volumeName": vol["name"],
        "volumePairUUID": pair["volumePairUUID"]})}


@method("CompleteVolumePairing", since=6.0, locked=False, volumeID=req(int),
        volumePairingKey=req(str))
def complete_volume_pairing(cluster, p, call):
    key = decode_key(p["volumePairingKey"], VOLUME_KEY_FIELDS)
    sim = cluster.sim
    with sim.transaction():
        cluster_pair = _connected_pair_for_mvip(cluster, key["mvip"])
        vol = volume_or_error(cluster, p["volumeID"])
        if vol["pair"] is not None:
            raise ElementError("xVolumeAlreadyPaired")
        link = peer_link(cluster, cluster_pair)
        cluster_pair_id, volume_name = cluster_pair["clusterPairID"], vol["name"]
    try:
        source = link.call("SimPeerCompleteVolumePairing", {
            "volumePairUUID": key["volumePairUUID"], "volumeID": key["volumeID"],
            "remoteVolumeID": p["volumeID"], "remoteVolumeName": volume_name,
            "remoteServiceID": cluster.service_id})
    except (PeerUnreachable, PeerRejected):
        raise ElementError("xMVIPNotPaired",
                           f"The cluster at {key['mvip']} is not connected.") from None
    except PeerError as exc:
        raise InjectedError(exc.name, exc.message) from None
    with sim.transaction():
        if cluster_pair_id not in cluster.cluster_pairs:
            raise ElementError("xMVIPNotPaired", "The cluster pair was removed meanwhile.")
        vol = volume_or_error(cluster, p["volumeID"])
        if vol["pair"] is not None:
            raise ElementError("xVolumeAlreadyPaired")
        cluster.set_volume_pair(vol, {
            "volumePairUUID": key["volumePairUUID"], "clusterPairID": cluster_pair_id,
            "remoteVolumeID": source["volumeID"], "remoteVolumeName": source["volumeName"],
            "remoteServiceID": source["serviceID"], "mode": source["mode"],
            "pausedManual": False, "pending": False, "changedAt": clock.now()})
    return {}


@method("ListActivePairedVolumes", since=6.0, peer_view=True, startVolumeID=opt(int),
        limit=opt(int))
def list_active_paired_volumes(cluster, p, call):
    start, limit = p.get("startVolumeID", 0), p.get("limit", 0)
    ids = sorted(vid for vid in cluster.paired_volume_ids
                 if vid >= start and cluster.volumes[vid]["status"] == "active")
    if limit > 0:
        ids = ids[:limit]
    return {"volumes": render_volumes(cluster, [cluster.volumes[v] for v in ids], call.views)}


@method("ModifyVolumePair", since=6.0, locked=False, volumeID=req(int), pausedManual=opt(bool),
        mode=opt(str), pauseLimit=opt(int))
def modify_volume_pair(cluster, p, call):
    sim = cluster.sim
    push_mode = None
    with sim.transaction():
        vol = volume_or_error(cluster, p["volumeID"])
        pair = vol["pair"]
        if pair is None:
            raise ElementError("xVolumeNotPaired")
        mode = canonical_mode(p["mode"]) if "mode" in p else None
        if mode is not None and vol["access"] == "replicationTarget":
            raise ElementError("xInvalidParameter", "The replication mode can only be changed "
                                                    "on the source (readWrite) volume.")
        if "pausedManual" in p and not pair["pending"]:
            # the lag grows from the pause, drains from the resume (cluster/stats.py)
            checkpoint(cluster, vol, p["pausedManual"], clock.now())
        if "pausedManual" in p:
            pair["pausedManual"] = p["pausedManual"]
        if mode is not None:
            pair["mode"] = mode
            if not pair["pending"]:
                push_mode = (peer_link(cluster, cluster.cluster_pairs[pair["clusterPairID"]]),
                             pair["volumePairUUID"], mode)
        pair["changedAt"] = clock.now()
        cluster.save_volume(vol)
    if push_mode is not None:
        link, pair_uuid, mode = push_mode
        try:
            link.call("SimPeerSetVolumePairMode", {"volumePairUUID": pair_uuid, "mode": mode})
        except (PeerUnreachable, PeerRejected, PeerError):
            pass  # the local change stands; the two halves' modes now differ
    return {}


@method("RemoveVolumePair", since=6.0, volumeID=req(int))
def remove_volume_pair(cluster, p, call):
    vol = volume_or_error(cluster, p["volumeID"], allow_deleted=True)
    if vol["pair"] is not None:  # one-sided: the peer's half stays (StoppedMisconfigured)
        cluster.set_volume_pair(vol, None)
    return {}


# ---- called by the paired cluster, with pairing credentials ----------------------------------

@method("SimPeerCompleteVolumePairing", since=6.0, internal=True, volumePairUUID=req(str),
        volumeID=req(int), remoteVolumeID=req(int), remoteVolumeName=req(str),
        remoteServiceID=req(int))
def peer_complete_volume_pairing(cluster, p, call):
    """The source side: bind the pending entry named by the key to the target volume."""
    cluster_pair = calling_pair(cluster, call)
    vid = cluster.volume_by_pair_uuid.get(p["volumePairUUID"])
    vol = cluster.volumes.get(vid)
    if (vol is None or vid != p["volumeID"] or vol["status"] != "active"
            or not vol["pair"]["pending"]):
        raise ElementError("xInvalidPairingKey", "No pending volume pair matches this key.")
    pair = dict(vol["pair"], pending=False, clusterPairID=cluster_pair["clusterPairID"],
                remoteVolumeID=p["remoteVolumeID"], remoteVolumeName=p["remoteVolumeName"],
                remoteServiceID=p["remoteServiceID"], changedAt=clock.now())
    cluster.set_volume_pair(vol, pair)
    return {"volumeID": vid, "volumeName": vol["name"], "mode": pair["mode"],
            "serviceID": cluster.service_id}


@method("SimPeerSetVolumePairMode", since=6.0, internal=True, volumePairUUID=req(str),
        mode=req(str))
def peer_set_volume_pair_mode(cluster, p, call):
    cluster_pair = calling_pair(cluster, call)
    vol = cluster.volumes.get(cluster.volume_by_pair_uuid.get(p["volumePairUUID"]))
    if vol is not None and vol["pair"]["clusterPairID"] == cluster_pair["clusterPairID"]:
        vol["pair"]["mode"] = canonical_mode(p["mode"])
        cluster.save_volume(vol)
    return {}
