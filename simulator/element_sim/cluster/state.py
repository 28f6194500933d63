"""One cluster's records, their indexes, ID allocation and write-through persistence.

Records are plain JSON-ready dicts, stored as they are. Every change goes through save_*() or
a helper here, which keeps the indexes right and marks the record for the next commit.
"""

import bisect
import heapq
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

PURGE_DELAY_SECONDS = 8 * 3600  # deleted volumes are purged eight hours after deletion

KINDS = ("identity", "account", "volume", "clusterpair", "snapshot", "asyncresult", "vag",
         "initiator", "schedule", "groupsnapshot")


def random_string(chars, length):
    return "".join(secrets.choice(chars) for _ in range(length))


def iso_at(timestamp):
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_now(offset_seconds=0):
    return iso_at(clock.now() + offset_seconds)


def parse_iso(text):
    """Unix seconds of an ISO 8601 date string (UTC unless it says otherwise); None when the
    value is not one (null, "fifo", garbage)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


def new_identity(name, unique_id):
    return {
        "name": name,
        "uniqueID": unique_id,
        "uuid": str(uuid.uuid4()),
        "username": "admin",
        "password": random_string(ALNUM, 20),
        "createTime": iso_now(),
        "nextID": {"account": 1, "volume": 1, "clusterpair": 1, "snapshot": 1,
                   "asyncresult": 1, "clone": 1, "vag": 1, "initiator": 1, "schedule": 1,
                   "groupsnapshot": 1},
    }


class ClusterState:
    def __init__(self, sim, name, records):
        self.sim = sim
        self.name = name
        self.mvip = ""  # set by the server once the listener has its port
        self.host = ""
        self.port = 0
        self.identity = records["identity"]["0"]
        by_id = lambda kind: dict(sorted(((int(k), v) for k, v in records.get(kind, {}).items())))
        self.accounts = by_id("account")
        self.volumes = by_id("volume")
        self.cluster_pairs = by_id("clusterpair")
        self.snapshots = by_id("snapshot")
        self.async_results = by_id("asyncresult")  # asyncHandle -> job (see jobs.py)
        self.vags = by_id("vag")
        self.initiators = by_id("initiator")
        self.schedules = by_id("schedule")
        self.group_snapshots = by_id("groupsnapshot")
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
        value = next_ids.get(kind, 1)  # kinds added later start at 1 in older state dirs
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
        # Retention: a heap of (expiry time, snapshotID); entries are checked against the
        # record when they come up, so changing or clearing an expiration needs no removal.
        self.expiry_heap = []
        for snap in self.snapshots.values():
            self.snapshots_by_volume.setdefault(snap["volumeID"], []).append(snap["snapshotID"])
            if "Syncing" in snap["replication"].values():
                self.undelivered_snapshots.add(snap["snapshotID"])
            self._index_expiry(snap)
        self.group_by_uuid = {g["groupSnapshotUUID"]: i for i, g in self.group_snapshots.items()}
        # Schedules: a heap of (next run time, scheduleID), checked the same way.
        self.schedule_heap = []
        for schedule in self.schedules.values():
            self._index_schedule(schedule)
        # Running jobs: a heap of (due time, asyncHandle) so that settling them costs nothing
        # while none is due, and running clone counts for the clone job limits.
        self.job_heap = []
        self.running_jobs = set()
        self.running_clones_by_source = {}
        for job in self.async_results.values():
            if job["status"] == "running":
                self._index_running_job(job)
        self.vags_by_volume = {}
        self.vag_by_initiator = {}
        for vag in self.vags.values():
            for vid in vag["volumes"]:
                self.vags_by_volume.setdefault(vid, set()).add(vag["volumeAccessGroupID"])
            for iid in vag["initiatorIDs"]:
                self.vag_by_initiator[iid] = vag["volumeAccessGroupID"]
        self.initiator_by_name = {i["initiatorName"]: k for k, i in self.initiators.items()}

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
        for vag_id in self.vags_by_volume.pop(vid, ()):  # purged volumes leave their groups
            vag = self.vags[vag_id]
            vag["volumes"].remove(vid)
            self.save_vag(vag)
        self._index_pair(record, False)
        self.halves_cache.clear()
        for sid in self.snapshots_by_volume.pop(vid, []):
            self.undelivered_snapshots.discard(sid)
            self._leave_group(self.snapshots[sid])
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
        self._index_expiry(record)
        self._save("snapshot", sid, record)

    def remove_snapshot(self, record):
        sid = record["snapshotID"]
        self.snapshots_by_volume[record["volumeID"]].remove(sid)
        self.undelivered_snapshots.discard(sid)
        self._leave_group(record)
        del self.snapshots[sid]
        self._forget("snapshot", sid)

    def _index_expiry(self, record):
        expires = parse_iso(record.get("expirationTime"))
        if expires is not None:
            heapq.heappush(self.expiry_heap, (expires, record["snapshotID"]))

    def _leave_group(self, record):
        """A member snapshot going away leaves its group; an empty group goes too."""
        group = self.group_snapshots.get(record.get("groupID") or 0)
        if group is None or record["snapshotID"] not in group["members"]:
            return
        group["members"].remove(record["snapshotID"])
        if group["members"]:
            self.save_group_snapshot(group)
        else:
            self.remove_group_snapshot(group)

    # ---- group snapshots ------------------------------------------------------------------
    def add_group_snapshot(self, record):
        self.group_snapshots[record["groupSnapshotID"]] = record
        self.group_by_uuid[record["groupSnapshotUUID"]] = record["groupSnapshotID"]
        self.save_group_snapshot(record)

    def save_group_snapshot(self, record):
        self._save("groupsnapshot", record["groupSnapshotID"], record)

    def remove_group_snapshot(self, record):
        """Forget the group; its members (if any are left) stay, without a group."""
        gid = record["groupSnapshotID"]
        for sid in record["members"]:
            snap = self.snapshots.get(sid)
            if snap is not None:
                snap["groupID"], snap["groupSnapshotUUID"] = 0, None
                self.save_snapshot(snap)
        record["members"] = []
        del self.group_snapshots[gid]
        self.group_by_uuid.pop(record["groupSnapshotUUID"], None)
        self._forget("groupsnapshot", gid)

    # ---- schedules ------------------------------------------------------------------------
    def _index_schedule(self, record):
        due = record["sim"]["nextRun"]
        if due is not None:
            heapq.heappush(self.schedule_heap, (due, record["scheduleID"]))

    def add_schedule(self, record):
        self.schedules[record["scheduleID"]] = record
        self.save_schedule(record)

    def save_schedule(self, record):
        self._index_schedule(record)
        self._save("schedule", record["scheduleID"], record)

    def remove_schedule(self, record):
        del self.schedules[record["scheduleID"]]
        self._forget("schedule", record["scheduleID"])

    def timers_due(self, now):
        """A snapshot expiry or a schedule run is due. Read without the lock (a hint)."""
        try:
            if self.expiry_heap and self.expiry_heap[0][0] <= now:
                return True
            return bool(self.schedule_heap) and self.schedule_heap[0][0] <= now
        except IndexError:  # emptied by another thread just now
            return False

    # ---- asynchronous jobs ----------------------------------------------------------------
    def _index_running_job(self, job):
        handle = job["asyncHandle"]
        self.running_jobs.add(handle)
        heapq.heappush(self.job_heap, (job["dueAt"], handle))
        source = job["sourceVolumeID"]
        self.running_clones_by_source[source] = self.running_clones_by_source.get(source, 0) + 1

    def add_async_result(self, job):
        self.async_results[job["asyncHandle"]] = job
        if job["status"] == "running":
            self._index_running_job(job)
        self._save("asyncresult", job["asyncHandle"], job)

    def job_finished(self, job):
        """A running job just completed (its heap entry is skipped when it comes up)."""
        self.running_jobs.discard(job["asyncHandle"])
        source = job["sourceVolumeID"]
        left = self.running_clones_by_source.get(source, 1) - 1
        if left > 0:
            self.running_clones_by_source[source] = left
        else:
            self.running_clones_by_source.pop(source, None)
        self._save("asyncresult", job["asyncHandle"], job)

    def remove_async_result(self, job):
        del self.async_results[job["asyncHandle"]]
        self._forget("asyncresult", job["asyncHandle"])

    def jobs_due(self, now):
        """Read without the lock (a hint; settling re-checks under it)."""
        try:
            return self.job_heap[0][0] <= now
        except IndexError:  # none, or emptied by another thread just now
            return False

    # ---- volume access groups and initiators ----------------------------------------------
    def add_vag(self, vag, volumes, initiator_ids):
        vag.update(volumes=[], initiatorIDs=[])
        self.vags[vag["volumeAccessGroupID"]] = vag
        self.set_vag_members(vag, volumes, initiator_ids)

    def save_vag(self, vag):
        self._save("vag", vag["volumeAccessGroupID"], vag)

    def set_vag_members(self, vag, volumes, initiator_ids):
        """Replace a group's volumes and initiators, keeping both indexes right."""
        vag_id = vag["volumeAccessGroupID"]
        old_volumes, new_volumes = set(vag["volumes"]), set(volumes)
        for vid in old_volumes - new_volumes:
            self.vags_by_volume[vid].discard(vag_id)
            if not self.vags_by_volume[vid]:
                del self.vags_by_volume[vid]
        for vid in new_volumes - old_volumes:
            self.vags_by_volume.setdefault(vid, set()).add(vag_id)
        for vid in old_volumes ^ new_volumes:
            self.volume_json_cache.pop(vid, None)  # the volume lists its groups
        for iid in set(vag["initiatorIDs"]) - set(initiator_ids):
            self.vag_by_initiator.pop(iid, None)
        for iid in initiator_ids:
            self.vag_by_initiator[iid] = vag_id
        vag["volumes"], vag["initiatorIDs"] = list(volumes), list(initiator_ids)
        self.save_vag(vag)

    def remove_vag(self, vag):
        self.set_vag_members(vag, [], [])
        del self.vags[vag["volumeAccessGroupID"]]
        self._forget("vag", vag["volumeAccessGroupID"])

    def add_initiator(self, record):
        self.initiators[record["initiatorID"]] = record
        self.initiator_by_name[record["initiatorName"]] = record["initiatorID"]
        self._save("initiator", record["initiatorID"], record)

    def remove_initiator(self, record):
        del self.initiators[record["initiatorID"]]
        self.initiator_by_name.pop(record["initiatorName"], None)
        self.vag_by_initiator.pop(record["initiatorID"], None)
        self._forget("initiator", record["initiatorID"])

    def save_new_identity(self):
        self._save("identity", 0, self.identity)
