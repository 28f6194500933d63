# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the modules read from a cluster, as plain immutable values the planners work on.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple

from ansible_collections.element.replication.plugins.module_utils._durations import parse_time
from ansible_collections.element.replication.plugins.module_utils._element import CONNECTED, canonical_mode
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError
from ansible_collections.element.replication.plugins.module_utils._lag import newest_arrived

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._client import Client

LIST_PAGE_SIZE = 10000
SCHEDULE_MARKER = "element.replication.schedule"  # attribute: the schedule is the collection's, by this name


@dataclass(frozen=True)
class ClusterIdentity:
    name: str
    unique_id: str
    uuid: str
    mvip: str
    address: str  # what the module connected to

    @classmethod
    def from_api(cls, info: Dict[str, Any], address: str) -> "ClusterIdentity":
        return cls(name=info.get("name", ""), unique_id=info.get("uniqueID", ""), uuid=info.get("uuid", ""),
                   mvip=info.get("mvip", ""), address=address)


@dataclass(frozen=True)
class ClusterPairEntry:
    """One cluster's entry of a cluster pair (ListClusterPairs); the remote_* fields describe the
    other cluster."""
    pair_id: int
    pair_uuid: str
    remote_unique_id: str
    remote_name: str
    remote_mvip: str
    status: str
    latency: int = 0
    version: str = ""

    @property
    def pending(self) -> bool:
        """Started with StartClusterPairing and never completed: the remote is not known yet."""
        return self.status == "Unconfigured" or not self.remote_unique_id

    @classmethod
    def from_api(cls, pair: Dict[str, Any]) -> "ClusterPairEntry":
        return cls(pair_id=int(pair.get("clusterPairID") or 0), pair_uuid=pair.get("clusterPairUUID") or "",
                   remote_unique_id=str(pair.get("clusterUUID") or ""), remote_name=pair.get("clusterName") or "",
                   remote_mvip=pair.get("mvip") or "", status=pair.get("status") or "",
                   latency=pair.get("latency") or 0, version=pair.get("version") or "")

    def describe(self) -> str:
        if self.pending:
            return "pending pair %s (started, never completed)" % self.pair_id
        return "pair %s with %s (%s, uniqueID %s, %s)" % (
            self.pair_id, self.remote_name or "?", self.remote_mvip or "?", self.remote_unique_id, self.status)


@dataclass(frozen=True)
class VolumePairEntry:
    """One volume's entry of a volume pair; remote_* describe the volume on the other cluster."""
    cluster_pair_id: int
    remote_volume_id: int
    remote_volume_name: str
    volume_pair_uuid: str
    mode: str
    state: str
    snapshot_state: str = ""

    @property
    def pending(self) -> bool:
        """Started with StartVolumePairing and never completed: no remote volume yet."""
        return not self.remote_volume_id or not self.cluster_pair_id

    @classmethod
    def from_api(cls, entry: Dict[str, Any]) -> "VolumePairEntry":
        replication = entry.get("remoteReplication") or {}
        snapshot = replication.get("snapshotReplication") or {}
        return cls(cluster_pair_id=int(entry.get("clusterPairID") or 0),
                   remote_volume_id=int(entry.get("remoteVolumeID") or 0),
                   remote_volume_name=entry.get("remoteVolumeName") or "",
                   volume_pair_uuid=entry.get("volumePairUUID") or "",
                   mode=canonical_mode(replication.get("mode")) or replication.get("mode") or "",
                   state=replication.get("state") or "", snapshot_state=snapshot.get("state") or "")


@dataclass(frozen=True)
class Volume:
    volume_id: int
    name: str
    account_id: int
    access: str
    total_size: int
    block_size: int = 4096
    enable512e: bool = False
    qos: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    pairs: Tuple[VolumePairEntry, ...] = ()
    status: str = "active"  # active, init (a clone being made), deleted
    delete_time: str = ""
    purge_time: str = ""
    iqn: str = ""
    create_time: str = ""
    attributes: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def pair(self) -> Optional[VolumePairEntry]:
        """Volume pairs are one-to-one, so a volume has at most one entry."""
        return self.pairs[0] if self.pairs else None

    @classmethod
    def from_api(cls, volume: Dict[str, Any]) -> "Volume":
        return cls(volume_id=int(volume["volumeID"]), name=volume.get("name", ""),
                   account_id=int(volume.get("accountID") or 0), access=volume.get("access", ""),
                   total_size=int(volume.get("totalSize") or 0), block_size=int(volume.get("blockSize") or 4096),
                   enable512e=bool(volume.get("enable512e")), qos=dict(volume.get("qos") or {}),
                   pairs=tuple(VolumePairEntry.from_api(p) for p in volume.get("volumePairs") or ()),
                   status=volume.get("status") or "active", delete_time=volume.get("deleteTime") or "",
                   purge_time=volume.get("purgeTime") or "", iqn=volume.get("iqn") or "",
                   create_time=volume.get("createTime") or "", attributes=dict(volume.get("attributes") or {}))


@dataclass(frozen=True)
class Account:
    account_id: int
    username: str
    attributes: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class AccessGroup:
    """A volume access group: the initiators (hosts) that may log in to its volumes."""
    group_id: int
    name: str
    initiators: Tuple[str, ...] = ()
    volume_ids: Tuple[int, ...] = ()
    attributes: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_api(cls, group: Dict[str, Any]) -> "AccessGroup":
        return cls(group_id=int(group["volumeAccessGroupID"]), name=group.get("name") or "",
                   initiators=tuple(group.get("initiators") or ()), volume_ids=tuple(group.get("volumes") or ()),
                   attributes=dict(group.get("attributes") or {}))


@dataclass(frozen=True)
class Existing:
    """A schedule as a cluster lists it (ListSchedules)."""
    schedule_id: int
    name: str
    raw: Dict[str, Any] = field(compare=False, hash=False)

    @classmethod
    def from_api(cls, schedule: Dict[str, Any]) -> "Existing":
        return cls(schedule_id=int(schedule["scheduleID"]), name=schedule.get("scheduleName") or "", raw=schedule)

    @property
    def ours(self) -> bool:
        return (self.raw.get("attributes") or {}).get(SCHEDULE_MARKER) == self.name

    @property
    def deleted(self) -> bool:
        return bool(self.raw.get("toBeDeleted"))

    @property
    def paused(self) -> bool:
        return bool(self.raw.get("paused"))

    @property
    def replicate(self) -> bool:
        """Whether its snapshots are taken with remote replication (what a SnapshotsOnly pair carries)."""
        return bool((self.raw.get("scheduleInfo") or {}).get("enableRemoteReplication"))

    @property
    def last_run_status(self) -> Optional[str]:
        return self.raw.get("lastRunStatus")

    @property
    def last_run_started(self) -> Optional[str]:
        return self.raw.get("lastRunTimeStarted") or None

    @property
    def starting_date(self) -> Optional[str]:
        return self.raw.get("startingDate") or None

    @property
    def has_error(self) -> bool:
        return bool(self.raw.get("hasError"))

    @property
    def volume_ids(self) -> Tuple[int, ...]:
        info = self.raw.get("scheduleInfo") or {}
        ids = list(info.get("volumes") or [])
        if info.get("volumeID") is not None:
            ids.append(info["volumeID"])
        return tuple(sorted(int(v) for v in ids))

    def view(self) -> Dict[str, Any]:
        info = self.raw.get("scheduleInfo") or {}
        return {"schedule_id": self.schedule_id, "name": self.name,
                "frequency": (self.raw.get("attributes") or {}).get("frequency"),
                "hours": self.raw.get("hours"), "minutes": self.raw.get("minutes"),
                "weekdays": sorted(int(d.get("day", 0)) for d in self.raw.get("weekdays") or []),
                "monthdays": sorted(int(d) for d in self.raw.get("monthdays") or []),
                "volume_ids": list(self.volume_ids), "snapshot_name": info.get("name"),
                "retention": info.get("retention") or None, "replicate": self.replicate,
                "paused": self.paused, "last_run_status": self.last_run_status,
                "last_run_time_started": self.last_run_started, "has_error": self.has_error, "ours": self.ours}


@dataclass(frozen=True)
class VolumeStats:
    """The part of a volumeStats object the lag needs."""
    volume_id: int
    async_delay: Any  # as the cluster reported it: a duration string, or None when not paired
    timestamp: Optional[float]  # the cluster's time of the stats (unix seconds)

    @classmethod
    def from_api(cls, stats: Dict[str, Any]) -> "VolumeStats":
        return cls(volume_id=int(stats["volumeID"]), async_delay=stats.get("asyncDelay"),
                   timestamp=parse_time(stats.get("timestamp")))


@dataclass(frozen=True)
class Snapshot:
    """A snapshot as the lag needs it: when it was taken, whether it is complete, and (on a
    source) the pairs whose target holds it too."""
    snapshot_id: int
    volume_id: int
    name: str
    create_time: Optional[float]
    create_time_text: str
    status: str
    snapshot_uuid: str
    present_on: frozenset = frozenset()  # volumePairUUIDs whose remote copy is Present

    @classmethod
    def from_api(cls, snapshot: Dict[str, Any]) -> "Snapshot":
        present = frozenset(s.get("volumePairUUID") for s in snapshot.get("remoteStatuses") or ()
                            if s.get("remoteStatus") == "Present")
        return cls(snapshot_id=int(snapshot["snapshotID"]), volume_id=int(snapshot["volumeID"]),
                   name=snapshot.get("name") or "", create_time=parse_time(snapshot.get("createTime")),
                   create_time_text=snapshot.get("createTime") or "", status=(snapshot.get("status") or "").lower(),
                   snapshot_uuid=snapshot.get("snapshotUUID") or "", present_on=present)


@dataclass(frozen=True)
class LagInputs:
    """What one cluster reports for lags: its volumes' stats (None when ListVolumeStats failed,
    with the error), and its snapshots by volume ID (None when not read: no SnapshotsOnly pair there)."""
    stats: Optional[Dict[int, VolumeStats]] = None
    snapshots: Optional[Dict[int, Tuple[Snapshot, ...]]] = None
    error: Optional[str] = None
    schedules: Optional[Tuple[Existing, ...]] = None  # ListSchedules, read with the snapshots

    def newest_snapshot(self, volume_id: int, pair_uuid: Optional[str] = None) -> Optional[Snapshot]:
        """The newest complete snapshot of a volume (with pair_uuid: that its pair's target holds too)."""
        return newest_arrived((self.snapshots or {}).get(volume_id, ()), pair_uuid).get(volume_id)

    @property
    def now(self) -> Optional[float]:
        """The cluster's time, as its stats say (a cluster's clock, not the controller's)."""
        for stats in (self.stats or {}).values():
            if stats.timestamp is not None:
                return stats.timestamp
        return None


@dataclass(frozen=True)
class ClusterState:
    """Everything read from one cluster for one module run."""
    identity: ClusterIdentity
    cluster_pairs: Tuple[ClusterPairEntry, ...] = ()
    volumes: Tuple[Volume, ...] = ()  # active volumes
    accounts: Optional[Tuple[Account, ...]] = None  # None when not read
    deleted_volumes: Tuple[Volume, ...] = ()  # deleted, not purged yet (restorable)

    @cached_property
    def _volumes_by_id(self) -> Dict[int, Volume]:
        return {v.volume_id: v for v in self.volumes}

    @cached_property
    def _volumes_by_name(self) -> Dict[str, List[Volume]]:
        index: Dict[str, List[Volume]] = {}
        for volume in self.volumes:
            index.setdefault(volume.name, []).append(volume)
        return index

    @cached_property
    def _volumes_by_remote(self) -> Dict[Tuple[str, Any], List[Volume]]:
        index: Dict[Tuple[str, Any], List[Volume]] = {}
        for volume in self.volumes:
            if volume.pair is not None and not volume.pair.pending:
                index.setdefault(("id", volume.pair.remote_volume_id), []).append(volume)
                index.setdefault(("name", volume.pair.remote_volume_name), []).append(volume)
        return index

    def volume_by_id(self, volume_id: int) -> Optional[Volume]:
        return self._volumes_by_id.get(volume_id)

    def volumes_paired_with(self, remote_volume_id: Optional[int] = None,
                            remote_volume_name: Optional[str] = None) -> List[Volume]:
        """The volumes whose completed pair points at this volume of the other cluster (by ID when
        given, else by name)."""
        key = ("id", remote_volume_id) if remote_volume_id is not None else ("name", remote_volume_name)
        return list(self._volumes_by_remote.get(key, ()))

    def volumes_named(self, name: str, account_id: Optional[int] = None) -> List[Volume]:
        return [v for v in self._volumes_by_name.get(name, ()) if account_id is None or v.account_id == account_id]

    def deleted_volume(self, volume_id: Optional[int] = None, name: Optional[str] = None) -> Optional[Volume]:
        """The newest deleted (not purged) volume with this ID or name, or None."""
        found = [v for v in self.deleted_volumes if v.volume_id == volume_id or (volume_id is None and v.name == name)]
        return found[-1] if found else None

    def account_name(self, account_id: int) -> Optional[str]:
        for account in self.accounts or ():
            if account.account_id == account_id:
                return account.username
        return None

    def pair_to(self, other: "ClusterState") -> List[ClusterPairEntry]:
        """Completed cluster pair entries of this cluster that point at the other cluster."""
        return [p for p in self.cluster_pairs if not p.pending and p.remote_unique_id == other.identity.unique_id]


def read_identity(client: Client) -> ClusterIdentity:
    info = (client.call("GetClusterInfo") or {})["clusterInfo"]
    client.name = info.get("name") or None  # the client's errors name the cluster from now on
    return ClusterIdentity.from_api(info, client.address)


def probe_cluster(client: Client, timeout: float) -> Dict[str, Any]:
    """One GetClusterInfo, without retries and with its own timeout: the clusterInfo of a cluster
    that answers, or the ElementError of one that does not."""
    return (client.call("GetClusterInfo", retries=0, timeout=timeout) or {}).get("clusterInfo") or {}


def read_async_results(client: Client, types: List[str]) -> List[Dict[str, Any]]:
    """The cluster's async handles of these types (ListAsyncResults), finished or not."""
    return (client.call("ListAsyncResults", {"asyncResultTypes": list(types)}) or {}).get("asyncHandles") or []


def read_cluster_pairs(client: Client) -> Tuple[ClusterPairEntry, ...]:
    return tuple(ClusterPairEntry.from_api(p) for p in (client.call("ListClusterPairs") or {}).get("clusterPairs") or ())


def _paged(client: Client, method: str, params: Dict[str, Any], key: str, id_field: str, start_param: str,
           page_size: int) -> List[Dict[str, Any]]:
    """Every object a list method returns, following its start-ID paging."""
    items: List[Dict[str, Any]] = []
    start = 0
    while True:
        page = (client.call(method, dict(params, **{start_param: start, "limit": page_size})) or {}).get(key) or []
        items.extend(page)
        if len(page) < page_size:
            return items
        start = int(page[-1][id_field]) + 1


def read_volumes(client: Client, page_size: int = LIST_PAGE_SIZE) -> Tuple[Volume, ...]:
    """Every volume not purged yet (active and deleted), with its pairs, in as few calls as paging
    allows: a deleted volume is named as such in messages, not as missing."""
    page = _paged(client, "ListVolumes", {"includeVirtualVolumes": False}, "volumes", "volumeID", "startVolumeID",
                  page_size)
    return tuple(Volume.from_api(v) for v in page)


def read_paired_volumes(client: Client, page_size: int = LIST_PAGE_SIZE) -> Tuple[Volume, ...]:
    """Volumes with an active or pending pair (ListActivePairedVolumes)."""
    page = _paged(client, "ListActivePairedVolumes", {}, "volumes", "volumeID", "startVolumeID", page_size)
    return tuple(Volume.from_api(v) for v in page)


def read_accounts(client: Client, page_size: int = LIST_PAGE_SIZE) -> Tuple[Account, ...]:
    page = _paged(client, "ListAccounts", {"includeStorageContainers": False}, "accounts", "accountID",
                  "startAccountID", page_size)
    return tuple(Account(account_id=int(a["accountID"]), username=a.get("username", ""),
                         attributes=dict(a.get("attributes") or {})) for a in page)


def read_access_groups(client: Client, page_size: int = LIST_PAGE_SIZE) -> Tuple[AccessGroup, ...]:
    page = _paged(client, "ListVolumeAccessGroups", {}, "volumeAccessGroups", "volumeAccessGroupID",
                  "startVolumeAccessGroupID", page_size)
    return tuple(AccessGroup.from_api(g) for g in page)


def cluster_state(identity: ClusterIdentity, pairs: Tuple[ClusterPairEntry, ...], every: Tuple[Volume, ...] = (),
                  accounts: Optional[Tuple[Account, ...]] = None) -> ClusterState:
    """A cluster's state from what was read: every volume (read_volumes) split into active and deleted."""
    return ClusterState(identity=identity, cluster_pairs=pairs,
                        volumes=tuple(v for v in every if v.status != "deleted"),  # "init" clones too
                        accounts=accounts, deleted_volumes=tuple(v for v in every if v.status == "deleted"))


def read_cluster(client: Client, volumes: bool = False, accounts: bool = False) -> ClusterState:
    """What a run needs of one cluster. The lists are independent, so they are read at once: over a
    WAN a read costs one round trip, not four."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        identity = pool.submit(read_identity, client)
        pairs = pool.submit(read_cluster_pairs, client)
        listed = pool.submit(read_volumes, client) if volumes else None
        owners = pool.submit(read_accounts, client) if accounts else None
        return cluster_state(identity.result(), pairs.result(), listed.result() if listed is not None else (),
                             owners.result() if owners is not None else None)


def identities_told(pairs: Dict[str, Tuple[ClusterPairEntry, ...]], couples: Iterable[Tuple[str, str]],
                    addresses: Dict[str, str]) -> Dict[str, ClusterIdentity]:
    """The identities (by key of pairs) that the clusters' own ListClusterPairs tell, so that no
    GetClusterInfo is needed: when both clusters of a couple list one completed pair (one
    clusterPairUUID) and both see it Connected, each entry names the other cluster as it is now
    (its uniqueID, name and MVIP; not its uuid). A pair that is not Connected may name a cluster as
    it was when paired: its clusters are read with GetClusterInfo."""
    told: Dict[str, ClusterIdentity] = {}
    for a, b in couples:
        theirs = {e.pair_uuid: e for e in pairs[b] if not e.pending and e.status == CONNECTED}
        for mine in pairs[a]:
            other = theirs.get(mine.pair_uuid)
            if other is None or mine.pending or mine.status != CONNECTED:
                continue
            for host, entry in ((b, mine), (a, other)):
                told.setdefault(host, ClusterIdentity(name=entry.remote_name, unique_id=entry.remote_unique_id, uuid="",
                                                      mvip=entry.remote_mvip, address=addresses[host]))
    return told


def read_clusters(clients: Dict[str, Client], volumes: bool = False, accounts: bool = False) -> Dict[str, ClusterState]:
    """read_cluster of several clusters (side -> client) at once."""
    with ThreadPoolExecutor(max_workers=max(1, len(clients))) as pool:
        futures = {side: pool.submit(read_cluster, client, volumes, accounts) for side, client in clients.items()}
        return {side: future.result() for side, future in futures.items()}


def read_stats(client: Client, volume_ids: Optional[List[int]] = None) -> Dict[int, VolumeStats]:
    """The stats of every volume (ListVolumeStats), or of these volumes, by volume ID."""
    listed = client.call("ListVolumeStats", {"volumeIDs": list(volume_ids)} if volume_ids is not None else None)
    return {int(s["volumeID"]): VolumeStats.from_api(s) for s in (listed or {}).get("volumeStats") or []}


def read_schedules(client: Client) -> List[Existing]:
    return [Existing.from_api(s) for s in (client.call("ListSchedules") or {}).get("schedules") or []]


def read_snapshots(client: Client) -> Dict[int, Tuple[Snapshot, ...]]:
    """Every snapshot of the cluster by volume ID, in one ListSnapshots call."""
    by_volume: Dict[int, List[Snapshot]] = {}
    for snapshot in (client.call("ListSnapshots") or {}).get("snapshots") or []:
        by_volume.setdefault(int(snapshot["volumeID"]), []).append(Snapshot.from_api(snapshot))
    return {volume_id: tuple(found) for volume_id, found in by_volume.items()}


def read_lag_inputs(client: Client, snapshots: bool, stats: bool = True, schedules: Optional[bool] = None) -> LagInputs:
    """One ListVolumeStats (every volume), and one ListSnapshots and one ListSchedules when asked (a
    cluster with SnapshotsOnly pairs; schedules default to snapshots): O(1) calls whatever the
    number of pairs. A read that fails (after the client's retries) is reported, not raised: the
    configuration can still be audited."""
    schedules = snapshots if schedules is None else schedules
    try:
        found_stats = read_stats(client) if stats else None
        read = read_snapshots(client) if snapshots else None
        found = tuple(read_schedules(client)) if schedules else None
    except ElementError as exc:
        return LagInputs(error=str(exc))
    return LagInputs(stats=found_stats, snapshots=read, schedules=found)


def read_lags(clients: Dict[str, Client], snapshots: Dict[str, bool]) -> Dict[str, LagInputs]:
    """read_lag_inputs of several clusters (side -> client) at once."""
    with ThreadPoolExecutor(max_workers=max(1, len(clients))) as pool:
        futures = {side: pool.submit(read_lag_inputs, client, snapshots.get(side, False))
                   for side, client in clients.items()}
        return {side: future.result() for side, future in futures.items()}
