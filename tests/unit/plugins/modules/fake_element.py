# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""In-memory Element clusters that answer the JSON-RPC methods the modules call, from a scripted
state, and change that state as Element would (enough of it for module tests: no simulator
process, no HTTP). Pairing keys are hex-encoded JSON like Element's."""

from __future__ import annotations

import copy
import threading

from ansible_collections.element.replication.tests.unit.plugins.modules.utils import KEY_PASSWORD, Fault, hex_key, unhex

GIB = 1024 ** 3


class FakeNetwork:
    """Clusters by MVIP, so that a pairing key names the cluster it came from."""

    def __init__(self, *clusters):
        self.clusters = {}
        for cluster in clusters:
            self.add(cluster)

    def add(self, cluster):
        cluster.network = self
        self.clusters[cluster.mvip] = cluster
        return cluster


class FakeCluster:
    """One cluster's state: cluster pairs, volumes (with their pair entries), accounts, schedules.
    faults: method -> [(error name, message)], answered one per call before the method runs."""

    def __init__(self, name, unique_id, mvip):
        self.name, self.unique_id, self.mvip = name, unique_id, mvip
        self.network = None
        self.cluster_pairs = []
        self.volumes = {}
        self.accounts = [{"accountID": 1, "username": "tenant"}]
        self.schedules = []
        self.faults = {}
        self.offline = False  # a lost cluster: every call fails to connect
        self.stats = {}  # volume ID -> volumeStats entry (ListVolumeStats)
        self.snapshots = []  # ListSnapshots
        self.pair_status = "Connected"  # what a completed cluster pair shows
        self.resumed_state = "Active"  # what a pair shows once resumed
        self.moved_state = None  # what a pair shows after an access change of one of its volumes (None: unchanged)
        self._ids = {"pair": 0, "volume": 100, "schedule": 0, "uuid": 0}
        self._lock = threading.RLock()

    # ---- scripting ------------------------------------------------------------------------------
    def next_id(self, kind):
        self._ids[kind] += 1
        return self._ids[kind]

    def add_volume(self, name, volume_id=None, access="readWrite", size=GIB, account=1):
        volume_id = volume_id or self.next_id("volume")
        self.volumes[volume_id] = {"volumeID": volume_id, "name": name, "accountID": account, "access": access,
                                   "totalSize": size, "blockSize": 4096, "enable512e": True, "status": "active",
                                   "volumePairs": [], "attributes": {}}
        return volume_id

    def fail(self, method, name="xUnknown", message="it failed"):
        self.faults.setdefault(method, []).append((name, message))

    def pair_to(self, other):
        return [p for p in self.cluster_pairs if p["clusterUUID"] == other.unique_id]

    def answers(self):
        return {method: self._answer(method) for method in (
            "GetClusterInfo", "ListClusterPairs", "ListVolumes", "ListActivePairedVolumes", "ListAccounts",
            "StartClusterPairing", "CompleteClusterPairing", "RemoveClusterPair", "StartVolumePairing",
            "CompleteVolumePairing", "RemoveVolumePair", "ModifyVolumePair", "ModifyVolumes", "CreateVolume",
            "ListSchedules", "CreateSchedule", "ModifySchedule", "ListVolumeStats", "ListSnapshots")}

    def _answer(self, method):
        handler = getattr(self, method)

        def answer(params):
            with self._lock:
                pending = self.faults.get(method)
                if pending:
                    raise Fault(*pending.pop(0))
                return copy.deepcopy(handler(**params))
        return answer

    # ---- reads ------------------------------------------------------------------------------------
    def GetClusterInfo(self):
        return {"clusterInfo": {"name": self.name, "uniqueID": self.unique_id, "uuid": "u-%s" % self.name,
                                "mvip": self.mvip}}

    def ListClusterPairs(self):
        return {"clusterPairs": self.cluster_pairs}

    def ListVolumes(self, startVolumeID=0, limit=10000, **_filters):
        found = [v for i, v in sorted(self.volumes.items()) if i >= startVolumeID]
        return {"volumes": found[:limit]}

    def ListActivePairedVolumes(self, startVolumeID=0, limit=10000):
        return {"volumes": [v for v in self.ListVolumes(startVolumeID, limit)["volumes"] if v["volumePairs"]]}

    def ListAccounts(self, startAccountID=0, limit=10000, **_filters):
        return {"accounts": [a for a in self.accounts if a["accountID"] >= startAccountID][:limit]}

    def ListSchedules(self):
        return {"schedules": self.schedules}

    def ListVolumeStats(self, **_filters):
        return {"volumeStats": [dict(s, volumeID=i) for i, s in sorted(self.stats.items())]}

    def ListSnapshots(self):
        return {"snapshots": self.snapshots}

    # ---- cluster pairs -------------------------------------------------------------------------------
    def StartClusterPairing(self):
        pair_id = self.next_id("pair")
        uuid = "cp-%s-%d" % (self.name, pair_id)
        self.cluster_pairs.append({"clusterPairID": pair_id, "clusterPairUUID": uuid, "clusterUUID": "",
                                   "clusterName": "", "mvip": "", "status": "Unconfigured"})
        key = hex_key({"clusterPairID": pair_id, "clusterPairUUID": uuid, "clusterUniqueID": self.unique_id,
                       "mvip": self.mvip, "name": self.name, "username": "admin", "password": KEY_PASSWORD})
        return {"clusterPairingKey": key, "clusterPairID": pair_id}

    def CompleteClusterPairing(self, clusterPairingKey):
        fields = unhex(clusterPairingKey)
        origin = self.network.clusters[fields["mvip"]]
        with origin._lock:
            started = [p for p in origin.cluster_pairs if p["clusterPairID"] == fields["clusterPairID"]]
            if not started:
                raise Fault("xInvalidPairingKey", "the pairing key is not valid")
            started[0].update(clusterUUID=self.unique_id, clusterName=self.name, mvip=self.mvip,
                              status=origin.pair_status)
        pair_id = self.next_id("pair")
        self.cluster_pairs.append({"clusterPairID": pair_id, "clusterPairUUID": fields["clusterPairUUID"],
                                   "clusterUUID": origin.unique_id, "clusterName": origin.name, "mvip": origin.mvip,
                                   "status": self.pair_status})
        return {"clusterPairID": pair_id}

    def RemoveClusterPair(self, clusterPairID):
        kept = [p for p in self.cluster_pairs if p["clusterPairID"] != clusterPairID]
        if len(kept) == len(self.cluster_pairs):
            raise Fault("xPairingDoesNotExist", "cluster pair %s does not exist" % clusterPairID)
        self.cluster_pairs = kept
        return {}

    # ---- volume pairs -----------------------------------------------------------------------------
    def _volume(self, volume_id):
        if volume_id not in self.volumes:
            raise Fault("xVolumeIDDoesNotExist", "volume %s does not exist" % volume_id)
        return self.volumes[volume_id]

    def StartVolumePairing(self, volumeID, mode="Async"):
        volume = self._volume(volumeID)
        uuid = "vp-%s-%d" % (self.name, self.next_id("uuid"))
        volume["volumePairs"] = [{"clusterPairID": 0, "remoteVolumeID": 0, "remoteVolumeName": "",
                                  "volumePairUUID": uuid, "remoteReplication": {"mode": mode, "state": ""}}]
        key = hex_key({"mvip": self.mvip, "volumeID": volumeID, "volumeName": volume["name"], "volumePairUUID": uuid})
        return {"volumePairingKey": key}

    def CompleteVolumePairing(self, volumeID, volumePairingKey):
        fields = unhex(volumePairingKey)
        origin = self.network.clusters[fields["mvip"]]
        target = self._volume(volumeID)
        with origin._lock:
            source = origin.volumes[fields["volumeID"]]
            mode = source["volumePairs"][0]["remoteReplication"]["mode"]
            entry = {"volumePairUUID": fields["volumePairUUID"],
                     "remoteReplication": {"mode": mode, "state": self.resumed_state}}
            source["volumePairs"] = [dict(entry, clusterPairID=origin.pair_to(self)[0]["clusterPairID"],
                                          remoteVolumeID=volumeID, remoteVolumeName=target["name"])]
        target["volumePairs"] = [dict(copy.deepcopy(entry), clusterPairID=self.pair_to(origin)[0]["clusterPairID"],
                                      remoteVolumeID=source["volumeID"], remoteVolumeName=source["name"])]
        return {}

    def RemoveVolumePair(self, volumeID):
        self._volume(volumeID)["volumePairs"] = []
        return {}

    def _remote(self, entry):
        pair = [p for p in self.cluster_pairs if p["clusterPairID"] == entry["clusterPairID"]]
        other = self.network.clusters.get(pair[0]["mvip"]) if pair else None
        return other.volumes.get(entry["remoteVolumeID"]) if other else None

    def ModifyVolumePair(self, volumeID, pausedManual=None, mode=None):
        entry = self._volume(volumeID)["volumePairs"][0]
        remote = self._remote(entry)
        for side in [entry] + ([remote["volumePairs"][0]] if remote and remote["volumePairs"] else []):
            if mode is not None:
                side["remoteReplication"]["mode"] = mode
            if pausedManual is not None:
                paused = "PausedManual" if side is entry else "PausedManualRemote"
                side["remoteReplication"]["state"] = paused if pausedManual else self.resumed_state
        return {}

    def ModifyVolumes(self, volumeIDs, **changes):
        for volume_id in volumeIDs:
            volume = self._volume(volume_id)
            volume.update(changes)
            if "access" in changes and self.moved_state and volume["volumePairs"]:
                entry = volume["volumePairs"][0]
                remote = self._remote(entry)
                for side in [entry] + ([remote["volumePairs"][0]] if remote and remote["volumePairs"] else []):
                    side["remoteReplication"]["state"] = self.moved_state
        return {}

    def CreateVolume(self, name, accountID, totalSize, enable512e=True, **_rest):
        return {"volumeID": self.add_volume(name, size=totalSize, account=accountID)}

    # ---- schedules --------------------------------------------------------------------------------
    def CreateSchedule(self, **fields):
        schedule_id = self.next_id("schedule")
        self.schedules.append(dict(fields, scheduleID=schedule_id, toBeDeleted=False, hasError=False,
                                   lastRunStatus="Success"))
        return {"scheduleID": schedule_id}

    def ModifySchedule(self, scheduleID, **fields):
        found = [s for s in self.schedules if s["scheduleID"] == scheduleID]
        if not found:
            raise Fault("xScheduleNotFound", "schedule %s does not exist" % scheduleID)
        found[0].update(fields)
        if fields.get("toBeDeleted"):
            self.schedules.remove(found[0])
        return {}


def two_clusters():
    """prod and dr on one network, not paired, each with volume db01 (prod 1 GiB, dr 1 GiB)."""
    prod = FakeCluster("prod", "aaaa", "10.0.0.1")
    dr = FakeCluster("dr", "bbbb", "10.0.0.2")
    prod.add_volume("db01", 11)
    dr.add_volume("db01", 21)
    return FakeNetwork(prod, dr), prod, dr


def replicating(*names, mode="Async"):
    """prod and dr paired, Connected; prod's volumes (IDs 11, 12, ...) replicate to dr's (21, 22,
    ...) of the same names, Active."""
    prod = FakeCluster("prod", "aaaa", "10.0.0.1")
    dr = FakeCluster("dr", "bbbb", "10.0.0.2")
    network = FakeNetwork(prod, dr)
    prod.cluster_pairs.append({"clusterPairID": 1, "clusterPairUUID": "cp", "clusterUUID": dr.unique_id,
                               "clusterName": dr.name, "mvip": dr.mvip, "status": "Connected"})
    dr.cluster_pairs.append({"clusterPairID": 7, "clusterPairUUID": "cp", "clusterUUID": prod.unique_id,
                             "clusterName": prod.name, "mvip": prod.mvip, "status": "Connected"})
    for number, name in enumerate(names or ("db01",), start=1):
        source, target = 10 + number, 20 + number
        prod.add_volume(name, source)
        dr.add_volume(name, target, access="replicationTarget")
        replication = {"mode": mode, "state": "Active"}
        prod.volumes[source]["volumePairs"] = [{"clusterPairID": 1, "remoteVolumeID": target, "remoteVolumeName": name,
                                                "volumePairUUID": "vp-%d" % number,
                                                "remoteReplication": dict(replication)}]
        dr.volumes[target]["volumePairs"] = [{"clusterPairID": 7, "remoteVolumeID": source, "remoteVolumeName": name,
                                              "volumePairUUID": "vp-%d" % number,
                                              "remoteReplication": dict(replication)}]
    return network, prod, dr
