"""One cluster's records, their indexes, ID allocation and write-through persistence.

Records are plain JSON-ready dicts, stored as they are. Every change goes through save_*() or
a helper here, which keeps the indexes right and marks the record for the next commit.
"""

import bisect
import secrets
import string
import uuid
from datetime import datetime, timezone

from .. import clock
from ..rpc import ELEMENT_VERSION

ALNUM_LOWER = string.ascii_lowercase + string.digits
ALNUM = string.ascii_letters + string.digits
# Pairing passwords look like the one in the docs' decoded key ("i^Yho I-dwM}LgaK") minus the
# characters that would need care in shells and YAML.
PAIR_PASSWORD_CHARS = ALNUM + "!#%^*-_=+"

KINDS = ("identity", "account", "volume", "clusterpair", "snapshot")


def random_string(chars, length):
    return "".join(secrets.choice(chars) for _ in range(length))


def iso_now(offset_seconds=0):
    return datetime.fromtimestamp(clock.now() + offset_seconds, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def new_identity(name, unique_id):
    return {
        "name": name,
        "uniqueID": unique_id,
        "uuid": str(uuid.uuid4()),
        "username": "admin",
        "password": random_string(ALNUM, 20),
        "createTime": iso_now(),
        "nextID": {"account": 1, "volume": 1, "clusterpair": 1, "snapshot": 1},
    }


class ClusterState:
    def __init__(self, sim, name, records):
        self.sim = sim
        self.name = name
        self.mvip = ""  # set by the server once the listener has its port
        self.host = ""
        self.identity = records["identity"]["0"]
        by_id = lambda kind: dict(sorted(((int(k), v) for k, v in records.get(kind, {}).items())))
        self.accounts = by_id("account")
        self.volumes = by_id("volume")
        self.cluster_pairs = by_id("clusterpair")
        self.snapshots = by_id("snapshot")
        self.volume_json_cache = {}  # volumeID -> encoded members (see render.render_volumes)
        # clusterPairID -> {volumePairUUID: half}, what SimPeerView tells the peer. Dropped
        # whenever a paired volume changes, so repeated views cost O(1), not O(pairs).
        self.halves_cache = {}
        self._build_indexes()

    # ---- identity -----------------------------------------------------------------------
    @property
    def unique_id(self):
        return self.identity["uniqueID"]

    @property
    def service_id(self):
        # A stable number standing in for the slice service that owns volumes here.
        return int(self.unique_id, 36) % 90 + 10

    def identity_for_peer(self):
        return {"name": self.name, "uniqueID": self.unique_id, "uuid": self.identity["uuid"],
                "mvip": self.mvip, "version": ELEMENT_VERSION}

    def authenticate(self, username, password):
        """("admin", None), ("peer", clusterPairID) or (None, None)."""
        if username == self.identity["username"]:
            ok = secrets.compare_digest(password, self.identity["password"])
            return ("admin", None) if ok else (None, None)
        pair_id = self.pair_by_username.get(username)
        if pair_id is not None:
            pair = self.cluster_pairs.get(pair_id)
            if pair is not None and secrets.compare_digest(password, pair["localPassword"]):
                return "peer", pair_id
        return None, None

    # ---- persistence ----------------------------------------------------------------------
    def _save(self, kind, record_id, record):
        self.sim.store.put(self.name, kind, record_id, record)

    def _forget(self, kind, record_id):
        self.sim.store.delete(self.name, kind, record_id)

    def allocate_id(self, kind):
        next_ids = self.identity["nextID"]
        value = next_ids[kind]
        next_ids[kind] = value + 1
        self._save("identity", 0, self.identity)
        return value

    # ---- indexes --------------------------------------------------------------------------
    def _build_indexes(self):
        self.account_by_name = {a["username"]: i for i, a in self.accounts.items()}
        self.volumes_by_account = {i: set() for i in self.accounts}
        self.sorted_volume_ids = list(self.volumes)  # dicts above are in ID order
        self.paired_volume_ids = set()
        self.volume_by_pair_uuid = {}
        self.volumes_by_cluster_pair = {}
        for vol in self.volumes.values():
            self.volumes_by_account.setdefault(vol["accountID"], set()).add(vol["volumeID"])
            self._index_pair(vol, True)
        self.pair_by_username = {p["localUsername"]: i for i, p in self.cluster_pairs.items()}
        self.snapshots_by_volume = {}
        self.undelivered_snapshots = set()
        for snap in self.snapshots.values():
            self.snapshots_by_volume.setdefault(snap["volumeID"], []).append(snap["snapshotID"])
            if "Syncing" in snap["replication"].values():
                self.undelivered_snapshots.add(snap["snapshotID"])

    def _index_pair(self, vol, add):
        pair = vol["pair"]
        if pair is None:
            return
        vid = vol["volumeID"]
        if add:
            self.paired_volume_ids.add(vid)
            self.volume_by_pair_uuid[pair["volumePairUUID"]] = vid
            if not pair["pending"]:
                self.volumes_by_cluster_pair.setdefault(pair["clusterPairID"], set()).add(vid)
        else:
            self.paired_volume_ids.discard(vid)
            self.volume_by_pair_uuid.pop(pair["volumePairUUID"], None)
            self.volumes_by_cluster_pair.get(pair["clusterPairID"], set()).discard(vid)

    # ---- accounts -------------------------------------------------------------------------
    def add_account(self, record):
        self.accounts[record["accountID"]] = record
        self.account_by_name[record["username"]] = record["accountID"]
        self.volumes_by_account.setdefault(record["accountID"], set())
        self._save("account", record["accountID"], record)

    # ---- volumes --------------------------------------------------------------------------
    def add_volume(self, record):
        vid = record["volumeID"]
        self.volumes[vid] = record
        bisect.insort(self.sorted_volume_ids, vid)
        self.volumes_by_account.setdefault(record["accountID"], set()).add(vid)
        self._index_pair(record, True)
        self._save("volume", vid, record)

    def save_volume(self, record):
        self.volume_json_cache.pop(record["volumeID"], None)
        if record["pair"] is not None:
            self.halves_cache.clear()
        self._save("volume", record["volumeID"], record)

    def move_volume(self, record, account_id):
        self.volumes_by_account[record["accountID"]].discard(record["volumeID"])
        record["accountID"] = account_id
        self.volumes_by_account.setdefault(account_id, set()).add(record["volumeID"])
        self.save_volume(record)

    def set_volume_pair(self, record, pair):
        """Replace the volume's pair entry (None removes it), keeping the indexes right."""
        self._index_pair(record, False)
        record["pair"] = pair
        self._index_pair(record, True)
        self.halves_cache.clear()
        self.save_volume(record)

    def purge_volume(self, record):
        vid = record["volumeID"]
        self._index_pair(record, False)
        self.halves_cache.clear()
        for sid in self.snapshots_by_volume.pop(vid, []):
            self.undelivered_snapshots.discard(sid)
            del self.snapshots[sid]
            self._forget("snapshot", sid)
        self.volumes_by_account.get(record["accountID"], set()).discard(vid)
        del self.sorted_volume_ids[bisect.bisect_left(self.sorted_volume_ids, vid)]
        del self.volumes[vid]
        self.volume_json_cache.pop(vid, None)
        self._forget("volume", vid)

    def volume_ids_from(self, start_volume_id):
        """Volume IDs >= start, in order, without scanning the ones before it."""
        ids = self.sorted_volume_ids
        return ids[bisect.bisect_left(ids, start_volume_id):] if start_volume_id else ids

    # ---- cluster pairs --------------------------------------------------------------------
    def add_cluster_pair(self, record):
        self.cluster_pairs[record["clusterPairID"]] = record
        self.pair_by_username[record["localUsername"]] = record["clusterPairID"]
        self._save("clusterpair", record["clusterPairID"], record)

    def save_cluster_pair(self, record):
        self._save("clusterpair", record["clusterPairID"], record)

    def remove_cluster_pair(self, record):
        del self.cluster_pairs[record["clusterPairID"]]
        self.pair_by_username.pop(record["localUsername"], None)
        self.volumes_by_cluster_pair.pop(record["clusterPairID"], None)
        self.halves_cache.pop(record["clusterPairID"], None)
        self._forget("clusterpair", record["clusterPairID"])

    def completed_pair_with(self, unique_id):
        for pair in self.cluster_pairs.values():
            if not pair["pending"] and pair["peer"]["uniqueID"] == unique_id:
                return pair
        return None

    # ---- snapshots ------------------------------------------------------------------------
    def add_snapshot(self, record):
        sid = record["snapshotID"]
        self.snapshots[sid] = record
        self.snapshots_by_volume.setdefault(record["volumeID"], []).append(sid)
        self.save_snapshot(record)

    def save_snapshot(self, record):
        sid = record["snapshotID"]
        if "Syncing" in record["replication"].values():
            self.undelivered_snapshots.add(sid)
        else:
            self.undelivered_snapshots.discard(sid)
        self._save("snapshot", sid, record)

    def remove_snapshot(self, record):
        sid = record["snapshotID"]
        self.snapshots_by_volume[record["volumeID"]].remove(sid)
        self.undelivered_snapshots.discard(sid)
        del self.snapshots[sid]
        self._forget("snapshot", sid)

    def save_new_identity(self):
        self._save("identity", 0, self.identity)
