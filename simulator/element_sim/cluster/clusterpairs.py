"""Cluster pairing: StartClusterPairing, CompleteClusterPairing, ListClusterPairs,
RemoveClusterPair, and the peer methods the other cluster calls (SimPeer*)."""

import secrets
import uuid

from .. import clock
from ..errors import ElementError, InjectedError
from ..network import PeerError, PeerRejected, PeerUnreachable
from ..rpc import method, req
from .model import CLUSTER_KEY_FIELDS, LIMITS, calling_pair, decode_key, encode_key
from .render import render_cluster_pair
from .replication import peer_half
from .state import ALNUM, PAIR_PASSWORD_CHARS, random_string

def new_pair_credentials():
    return {"username": "__SF_pair_" + random_string(ALNUM, 16),
            "password": random_string(PAIR_PASSWORD_CHARS, 16)}


def _check_pair_limit(cluster):
    if len(cluster.cluster_pairs) >= LIMITS["clusterPairsCountMax"]:
        raise ElementError("xExceededLimit",
                           f"Exceeded clusterPairsCountMax: a cluster can have at most "
                           f"{LIMITS['clusterPairsCountMax']} cluster pairs, pending included.")


def _check_not_paired_with(cluster, unique_id):
    if cluster.completed_pair_with(unique_id) is not None:
        raise ElementError("xPairingAlreadyExists",
                           f"This cluster is already paired with cluster {unique_id}.")


def _new_pair(cluster, pair_uuid, rpc_connection_id, credentials, peer):
    return {"clusterPairID": cluster.allocate_id("clusterpair"), "clusterPairUUID": pair_uuid,
            "rpcConnectionID": rpc_connection_id, "pending": peer is None,
            "localUsername": credentials["username"],
            "localPassword": credentials["password"], "peer": peer,
            "completedAt": None if peer is None else clock.now()}


@method("StartClusterPairing", since=6.0)
def start_cluster_pairing(cluster, p, call):
    _check_pair_limit(cluster)
    pair = _new_pair(cluster, str(uuid.uuid4()), secrets.randbelow(2 ** 31),
                     new_pair_credentials(), None)
    cluster.add_cluster_pair(pair)
    key = encode_key({
        "clusterPairID": pair["clusterPairID"], "clusterPairUUID": pair["clusterPairUUID"],
        "clusterUniqueID": cluster.unique_id, "mvip": cluster.mvip, "name": cluster.name,
        "password": pair["localPassword"], "rpcConnectionID": pair["rpcConnectionID"],
        "username": pair["localUsername"]})
    return {"clusterPairID": pair["clusterPairID"], "clusterPairingKey": key}


@method("CompleteClusterPairing", since=6.0, locked=False, clusterPairingKey=req(str))
def complete_cluster_pairing(cluster, p, call):
    key = decode_key(p["clusterPairingKey"], CLUSTER_KEY_FIELDS)
    sim = cluster.sim
    with sim.transaction():
        if key["clusterUniqueID"] == cluster.unique_id:
            raise ElementError("xInvalidPairingKey", "A cluster cannot be paired with itself.")
        _check_not_paired_with(cluster, key["clusterUniqueID"])
        _check_pair_limit(cluster)
        credentials = new_pair_credentials()
        me = cluster.identity_for_peer()
    # A real HTTP(S) call to the originating cluster, made without holding the lock: in this
    # process that cluster's handler needs it.
    link = sim.network.http_link(key["mvip"], key["username"], key["password"],
                                 from_id=cluster.unique_id, to_id=key["clusterUniqueID"])
    try:
        answer = link.call("SimPeerCompleteClusterPairing", {
            "clusterPairID": key["clusterPairID"], "clusterPairUUID": key["clusterPairUUID"],
            "cluster": me, "pairCredentials": credentials})
    except PeerUnreachable:
        raise ElementError("xRpcTimeout",
                           f"Could not reach the cluster at MVIP {key['mvip']}.") from None
    except PeerRejected:
        raise ElementError("xInvalidPairingKey",
                           "The originating cluster no longer accepts this key.") from None
    except PeerError as exc:
        raise InjectedError(exc.name, exc.message) from None
    with sim.transaction():
        # Re-check what may have changed while the lock was free.
        _check_not_paired_with(cluster, key["clusterUniqueID"])
        _check_pair_limit(cluster)
        origin = answer["cluster"]
        peer = {"uniqueID": origin["uniqueID"], "name": origin["name"], "mvip": origin["mvip"],
                "uuid": origin["uuid"], "version": origin["version"],
                "username": key["username"], "password": key["password"]}
        pair = _new_pair(cluster, key["clusterPairUUID"], key["rpcConnectionID"], credentials,
                         peer)
        cluster.add_cluster_pair(pair)
        return {"clusterPairID": pair["clusterPairID"]}


@method("ListClusterPairs", since=6.0, peer_view=True)
def list_cluster_pairs(cluster, p, call):
    now = clock.now()
    return {"clusterPairs": [render_cluster_pair(cluster, pair, call.views.get(pid), now)
                             for pid, pair in cluster.cluster_pairs.items()]}


@method("RemoveClusterPair", since=6.0, clusterPairID=req(int))
def remove_cluster_pair(cluster, p, call):
    pair = cluster.cluster_pairs.get(p["clusterPairID"])
    if pair is None:
        raise ElementError("xPairingDoesNotExist",
                           f"Cluster pair {p['clusterPairID']} does not exist.")
    if cluster.volumes_by_cluster_pair.get(pair["clusterPairID"]):
        raise ElementError("xClusterPairHasVolumePairs")
    cluster.remove_cluster_pair(pair)  # one-sided: the peer keeps its half
    return {}


# ---- called by the paired cluster, with pairing credentials ----------------------------------

@method("SimPeerCompleteClusterPairing", since=6.0, internal=True, clusterPairID=req(int),
        clusterPairUUID=req(str), cluster=req(dict), pairCredentials=req(dict))
def peer_complete_cluster_pairing(cluster, p, call):
    pair = cluster.cluster_pairs.get(call.pair_id)
    if (pair is None or not pair["pending"] or pair["clusterPairID"] != p["clusterPairID"]
            or pair["clusterPairUUID"] != p["clusterPairUUID"]):
        raise ElementError("xInvalidPairingKey", "No pending cluster pair matches this key.")
    other = p["cluster"]
    _check_not_paired_with(cluster, other["uniqueID"])
    pair.update(pending=False, completedAt=clock.now(), peer={
        "uniqueID": other["uniqueID"], "name": other["name"], "mvip": other["mvip"],
        "uuid": other["uuid"], "version": other["version"],
        "username": p["pairCredentials"]["username"],
        "password": p["pairCredentials"]["password"]})
    cluster.save_cluster_pair(pair)
    return {"cluster": cluster.identity_for_peer()}


@method("SimPeerView", since=6.0, internal=True)
def peer_view(cluster, p, call):
    """This cluster's side of one cluster pair: its identity and its volume-pair halves."""
    pair = calling_pair(cluster, call)
    halves = cluster.halves_cache.get(pair["clusterPairID"])
    if halves is None:
        vols = (cluster.volumes[vid]
                for vid in cluster.volumes_by_cluster_pair.get(pair["clusterPairID"], ()))
        halves = cluster.halves_cache[pair["clusterPairID"]] = {
            vol["pair"]["volumePairUUID"]: peer_half(vol) for vol in vols}
    return {"cluster": cluster.identity_for_peer(), "clusterPairUUID": pair["clusterPairUUID"],
            "volumePairs": halves}
