"""Per-cluster log of every JSON-RPC request, in memory and in DIR/calls-<cluster>.jsonl."""

import json
import os
import threading
import time

# The one set of method names that change cluster state (the call log's "mutating" field).
# The internal SimPeer* methods are the cluster-to-cluster calls that change the peer.
MUTATING_METHODS = frozenset({
    "AddAccount", "CreateVolume", "ModifyVolume", "ModifyVolumes", "DeleteVolume",
    "PurgeDeletedVolume", "RestoreDeletedVolume",
    "StartClusterPairing", "CompleteClusterPairing", "RemoveClusterPair",
    "StartVolumePairing", "CompleteVolumePairing", "ModifyVolumePair", "RemoveVolumePair",
    "CreateSnapshot", "ModifySnapshot", "DeleteSnapshot", "CloneVolume",
    "CreateGroupSnapshot", "ModifyGroupSnapshot", "DeleteGroupSnapshot",
    "CreateSchedule", "ModifySchedule",
    "CreateVolumeAccessGroup", "ModifyVolumeAccessGroup", "DeleteVolumeAccessGroup",
    "AddVolumesToVolumeAccessGroup", "RemoveVolumesFromVolumeAccessGroup",
    "AddInitiatorsToVolumeAccessGroup", "RemoveInitiatorsFromVolumeAccessGroup",
    "SimPeerCompleteClusterPairing", "SimPeerCompleteVolumePairing",
    "SimPeerSetVolumePairMode", "SimPeerDeliverSnapshot",
})

# Parameter names whose values never reach a log (matched case-insensitively, at any depth).
# pairCredentials is the simulator's internal peer-call parameter holding a pair's login.
REDACTED_PARAM_NAMES = frozenset(name.lower() for name in (
    "password", "clusterPairingKey", "volumePairingKey", "initiatorSecret", "targetSecret",
    "pairCredentials",
))
REDACTED = "********"


def redact(value):
    """A copy of value with every secret-named member replaced by REDACTED."""
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and k.lower() in REDACTED_PARAM_NAMES
                    else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class CallLog:
    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()
        self._entries = self._read_existing(path)
        self._file = open(path, "a", encoding="utf-8")

    @staticmethod
    def _read_existing(path):
        if not os.path.exists(path):
            return []
        entries = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue  # a line cut short by a kill is skipped, not fatal
        return entries

    def append(self, method, params, outcome, caller, started=None):
        now = time.time()
        entry = {
            "time": now,
            # when the request was taken up: [started, time] is the call's time in the server,
            # delays and faults included (make bench reads round trips from it)
            "started": now if started is None else started,
            "method": method,
            "params": redact(params),
            "outcome": outcome,
            "mutating": method in MUTATING_METHODS,
            "caller": caller,
        }
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            self._entries.append(entry)
            if not self._file.closed:  # a request still finishing while the server stops
                self._file.write(line)
                self._file.flush()

    def entries(self, include_peer=False):
        with self._lock:
            return [e for e in self._entries if include_peer or e["caller"] == "client"]

    def clear(self):
        with self._lock:
            self._entries = []
            self._file.truncate(0)
            self._file.seek(0)

    def close(self):
        with self._lock:
            self._file.close()
