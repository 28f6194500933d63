# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DR rehearsal: on the cluster that holds the replication targets, clone every declared pair's
target (or its newest replicated snapshot) into a rehearsal account as a readWrite volume that
test hosts can log in to, and later delete exactly those clones. Replication is never touched:
a clone is a new, unpaired volume; the target stays a replicationTarget and keeps replicating.

Every clone carries a marker in its attributes (the rehearsal's name, the pair, the point in
time, and the clone itself: its name, and its ID once known). A volume is the rehearsal's clone only
when the marker names that very volume: a copy made from a clone inherits the marker but not the
name and ID, and is never adopted or deleted; nor is a volume of the expected name without it.

The age of a clone of the live target is the target's lag when it was cloned: the source's
asyncDelay (read on the peer, the source cluster), or unknown, and said so, when the source does
not answer or is not given.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._durations import format_seconds, parse_time
from ansible_collections.element.replication.plugins.module_utils._element import (
    ACTIVE, READ_WRITE, REPLICATION_TARGET, SNAPSHOTS_ONLY, SYNC, chunks, resolve_volume)
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._executor import Runner
from ansible_collections.element.replication.plugins.module_utils._lag import first_snapshot_pending, pair_lag
from ansible_collections.element.replication.plugins.module_utils._plan import (
    LOCAL, WHOLE, Action, NamedPlaceholder, Phases, Placeholder, Step, Waiter, actions_of, phases)
from ansible_collections.element.replication.plugins.module_utils._state import (
    AccessGroup, ClusterState, LagInputs, Snapshot, Volume, read_access_groups, read_async_results, read_cluster,
    read_cluster_pairs, read_identity, read_lag_inputs, read_snapshots)

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._connection import Connections

MARKER = "element.replication.rehearsal"  # attribute: the rehearsal a clone or group belongs to
# Marker attributes of a clone (flat strings; Element keeps a volume's attributes under 1000 bytes).
CLONE_NAME = "element.replication.clone"  # the clone's own name: a copy of the clone is named otherwise
CLONE_ID = "element.replication.clone_id"  # the clone's own ID, written once CloneVolume has answered
PAIR_UUID = "element.replication.volume_pair_uuid"
SOURCE_CLUSTER = "element.replication.source_cluster"  # the source cluster's uniqueID
SOURCE_VOLUME, TARGET_VOLUME = "element.replication.source_volume", "element.replication.target_volume"
POINT, POINT_IN_TIME = "element.replication.point", "element.replication.point_in_time"
LAG = "element.replication.lag_seconds"  # the target's lag when cloned (latest), or "unknown"
PAIR_STATE = "element.replication.pair_state"  # the pair's state when cloned
UNKNOWN = "unknown"
ACCOUNT_MARKER = "element.replication.account"  # attribute of an account the collection made
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
VOLUME_NAME_MAX = 64  # Element's volumeNameLengthMax
SNAPSHOT, LATEST, AUTO = "snapshot", "latest", "auto"
SKIP, REFUSE = "skip", "refuse"  # what to do with a pair still waiting for its first replicated snapshot
BUSY = ("xMaxClonesPerNodeExceeded", "xMaxClonesPerVolumeExceeded")  # clone limits: wait, then again
GONE = ("xVolumeIDDoesNotExist",)
# The account, the access group and the cleanup serve the rehearsal as a whole: item WHOLE.
CLONE = "clone"  # the phase the runner paces itself (clone jobs run after their call returns)


class NewAccountID(Placeholder):
    """The ID of the rehearsal account the plan creates."""


NEW_ACCOUNT = NewAccountID("<ID of the new rehearsal account>")


class CloneID(NamedPlaceholder):
    """The ID of a clone the plan makes."""
    TEMPLATE = "<ID of the clone %s>"


@dataclass(frozen=True)
class PairSettings:
    """What a declared pair says besides the keys that name it."""
    rpo_seconds: Optional[float] = None
    source_cluster: Optional[str] = None  # the task's source_cluster when None


@dataclass(frozen=True)
class Options:
    name: str
    account: str = "element-rehearsal"
    point: str = AUTO
    access_group: Optional[str] = None  # its name; None: no access group
    initiators: Tuple[str, ...] = ()
    source_cluster: Optional[str] = None  # the source cluster's name, uniqueID or MVIP, as this cluster lists it
    pairs: Dict[int, PairSettings] = field(default_factory=dict)  # by the spec's index
    pending_first_snapshot: str = SKIP

    def settings(self, spec: PairSpec) -> PairSettings:
        return self.pairs.get(spec.index) or PairSettings()

    def source_of(self, spec: PairSpec) -> Optional[str]:
        return self.settings(spec).source_cluster or self.source_cluster


@dataclass(frozen=True)
class SourceView:
    """The source cluster (the module's peer) as far as lags go: its stats and schedules, or why
    they are unknown."""
    name: str
    unique_id: str = ""
    lags: Optional[LagInputs] = None
    error: Optional[str] = None


@dataclass
class RehearsalItem:
    spec: PairSpec
    target: Optional[Volume] = None
    clone_name: str = ""
    point: str = LATEST
    snapshot: Optional[Snapshot] = None
    clone: Optional[Volume] = None  # ours, found by its marker
    refusal: Optional[str] = None
    skipped: Optional[str] = None  # why this pair is not rehearsed (not a failure)
    create: bool = False
    stamp: bool = False  # the clone exists, its marker does not name its ID yet
    purge: List[int] = field(default_factory=list)  # failed clones (deleted, marked) to purge first
    changes: List[str] = field(default_factory=list)
    lag_seconds: Optional[float] = None  # point latest: the target's lag now (the age of a clone made now)
    lag_note: str = ""  # why that lag is unknown
    pair_state: str = ""
    source_unique_id: str = ""

    @property
    def has_work(self) -> bool:
        return bool(self.create or self.purge or self.stamp)


@dataclass
class RehearsalPlan:
    name: str
    items: List[RehearsalItem]
    account_id: Any = None  # an ID, NEW_ACCOUNT, or None (cleanup)
    setup: List[Action] = field(default_factory=list)  # account
    group: List[Action] = field(default_factory=list)  # access group, once the clones exist
    cleanup: List[Action] = field(default_factory=list)
    removed: List[str] = field(default_factory=list)  # absent: what the cleanup removes, in words
    kept: List[str] = field(default_factory=list)  # absent: what the cleanup leaves for later, in words

    @property
    def clones(self) -> List[RehearsalItem]:
        return [i for i in self.items if i.create and not i.refusal]

    @property
    def phases(self) -> Phases:
        live = [i for i in self.items if not i.refusal]
        return phases(("account", [Step((WHOLE,), [a]) for a in self.setup]),
                      ("purge", [Step((i.spec.index,), [_purge(v) for v in i.purge]) for i in live if i.purge]),
                      (CLONE, [Step((i.spec.index,), clone_actions(i, self.account_id, self.name))
                               for i in self.clones]),
                      ("stamp", [Step((i.spec.index,), [_stamp(i.clone)]) for i in live if i.stamp and i.clone]),
                      ("access group", [Step((WHOLE,), [a]) for a in self.group]),
                      ("cleanup", [Step((WHOLE,), [a]) for a in self.cleanup if "volumeID" not in a.params]),
                      ("remove clones", _removal_steps(self.cleanup)))

    @property
    def actions(self) -> List[Action]:
        return actions_of(self.phases)


def _removal_steps(cleanup: List[Action]) -> List[Step]:
    """One step per clone, delete then purge in order; the clones' steps run in parallel."""
    by_volume: Dict[int, List[Action]] = {}
    for action in cleanup:
        if "volumeID" in action.params:
            by_volume.setdefault(action.params["volumeID"], []).append(action)
    return [Step((WHOLE,), actions) for actions in by_volume.values()]


def _purge(volume_id: int) -> Action:
    return Action(LOCAL, "PurgeDeletedVolume", {"volumeID": volume_id},
                  "purge the clone that failed in an earlier run", accept=GONE)


def clone_actions(item: RehearsalItem, account_id: Any, rehearsal: str) -> List[Action]:
    """CloneVolume, then the clone's ID written into its marker (known only from CloneVolume's answer)."""
    target = item.target
    if target is None:
        raise AssertionError("%s has no target" % item.spec.label)
    marker = marker_of(item, rehearsal)
    params: Dict[str, Any] = {"volumeID": target.volume_id, "name": item.clone_name, "newAccountID": account_id,
                              "access": READ_WRITE, "attributes": marker}
    what = "%s as it is now" % target.name
    if item.snapshot is not None and item.point == SNAPSHOT:
        params["snapshotID"] = item.snapshot.snapshot_id
        what = "snapshot %s of %s" % (item.snapshot.name, target.name)
    new_id = CloneID(item.clone_name)
    return [Action(LOCAL, "CloneVolume", params, "clone %s into %s" % (what, item.clone_name)),
            Action(LOCAL, "ModifyVolume", {"volumeID": new_id, "attributes": dict(marker, **{CLONE_ID: new_id})},
                   "write the ID of clone %s into its marker" % item.clone_name)]


def _stamp(clone: Volume) -> Action:
    """The ID written into the marker of a clone an earlier run left without it; its other
    attributes (another tool's too) are kept as they are."""
    return Action(LOCAL, "ModifyVolume", {"volumeID": clone.volume_id,
                                          "attributes": dict(clone.attributes, **{CLONE_ID: str(clone.volume_id)})},
                  "write the ID of clone %s into its marker" % clone.name)


def marker_of(item: RehearsalItem, rehearsal: str) -> Dict[str, Any]:
    """The attributes of a clone: whose it is, which volume it is, and what point in time it holds
    (flat, strings)."""
    target, entry = item.target, item.target.pair if item.target else None
    marker = {MARKER: rehearsal, CLONE_NAME: item.clone_name, PAIR_UUID: entry.volume_pair_uuid if entry else "",
              SOURCE_CLUSTER: item.source_unique_id, SOURCE_VOLUME: entry.remote_volume_name if entry else "",
              TARGET_VOLUME: target.name if target else "", POINT: item.point, PAIR_STATE: item.pair_state}
    if item.snapshot is not None:
        # point snapshot: the snapshot cloned; latest on a SnapshotsOnly pair: the newest that has arrived
        marker.update({"element.replication.snapshot": item.snapshot.name,
                       POINT_IN_TIME: item.snapshot.create_time_text})
    elif item.point == LATEST:
        marker[LAG] = UNKNOWN if item.lag_seconds is None else "%.3f" % item.lag_seconds
    return marker


def is_ours(volume: Volume, rehearsal: str) -> bool:
    """Whether the volume is a clone this rehearsal made: its marker names the rehearsal and this very
    volume (its name, and its ID once written). A copy of a clone inherits the marker, not the name and ID."""
    attributes = volume.attributes
    return (attributes.get(MARKER) == rehearsal and attributes.get(CLONE_NAME) == volume.name
            and attributes.get(CLONE_ID) in (None, "", str(volume.volume_id)))


def clone_name(rehearsal: str, target: Volume) -> str:
    """<rehearsal>-<target>; shortened, with a stable hash, when over Element's 64 characters."""
    name = "%s-%s" % (rehearsal, target.name)
    if len(name) <= VOLUME_NAME_MAX:
        return name
    digest = hashlib.sha1(("%s/%s" % (target.volume_id, target.name)).encode("utf-8")).hexdigest()[:8]
    return "%s-%s" % (name[:VOLUME_NAME_MAX - len(digest) - 1], digest)


def check_name(name: str) -> None:
    if not NAME_PATTERN.match(name or ""):
        raise Refusal("rehearsal name %r does not fit: use 1-32 letters, digits, '.', '_' or '-', starting with a letter "
                      "or digit (clone names are <name>-<target volume>, at most %d characters)"
                      % (name, VOLUME_NAME_MAX))


# ---- planning ----------------------------------------------------------------------------------

def source_pairs(cluster: ClusterState, source: Optional[str]) -> Optional[Set[int]]:
    """This cluster's IDs of its cluster pairs with the source cluster (named by its name, uniqueID
    or MVIP, as this cluster lists it); None: any source."""
    if source is None:
        return None
    found = {e.pair_id for e in cluster.cluster_pairs if not e.pending
             and source in (e.remote_name, e.remote_unique_id, e.remote_mvip)}
    if not found:
        raise Refusal("cluster %s is not paired with a cluster named %s (its cluster pairs: %s)" % (
            cluster.identity.name, source, "; ".join(e.describe() for e in cluster.cluster_pairs) or "none"))
    return found


def find_target(cluster: ClusterState, spec: PairSpec,
                from_pairs: Optional[Set[int]] = None) -> Tuple[Optional[Volume], Optional[str]]:
    """The replication target of the declared pair on this cluster: named by peer_volume(_id), or
    the volume whose pair (with the source cluster, when known) points at the source volume."""
    if spec.peer_volume is not None or spec.peer_volume_id is not None:
        volume, problem = resolve_volume(cluster, spec.peer_volume_id, spec.peer_volume, spec.peer_account, "target")
        return volume, problem
    pointing = [v for v in cluster.volumes_paired_with(spec.volume_id, spec.volume)
                if from_pairs is None or v.pair is not None and v.pair.cluster_pair_id in from_pairs]
    if len(pointing) > 1:
        return None, "%s: %d volumes on cluster %s are paired with a volume %s (IDs %s); give peer_volume" % (
            spec.label, len(pointing), cluster.identity.name, spec.volume or spec.volume_id,
            ", ".join(str(v.volume_id) for v in pointing))
    if pointing:
        return pointing[0], None
    # Not paired (yet): say so about the volume of that name, if any.
    volume, problem = resolve_volume(cluster, None, spec.volume, spec.peer_account, "target")
    return volume, problem


def every_target(cluster: ClusterState) -> List[PairSpec]:
    """A spec per volume of the cluster that is the replication target of a complete pair."""
    targets = [v for v in cluster.volumes if v.access == REPLICATION_TARGET and v.pair and not v.pair.pending]
    return [PairSpec(index=i, peer_volume_id=v.volume_id) for i, v in enumerate(targets, start=1)]


def plan_rehearsal(cluster: ClusterState, groups: Tuple[AccessGroup, ...], snapshots: Optional[LagInputs],
                   specs: List[PairSpec], options: Options, source: Optional[SourceView] = None) -> RehearsalPlan:
    """The calls that bring up the rehearsal's clones (and access group). Pure. Refuses, before
    any change, what it must never do: take over a volume, group or account that is not its own.
    source: the source cluster's lags and schedules (None: no peer given)."""
    check_name(options.name)
    names = cluster.identity.name
    plan = RehearsalPlan(name=options.name, items=[])
    account = next((a for a in cluster.accounts or () if a.username == options.account), None)
    if account is not None and account.attributes.get(ACCOUNT_MARKER) != "rehearsal":
        raise Refusal("account %s on cluster %s exists and was not made by element.replication for rehearsals (a "
                      "tenant's?): give another rehearsal account, nothing was changed" % (options.account, names))
    ours = _marked(cluster, options.name)
    taken: Dict[str, str] = {}
    for spec in specs:
        item = RehearsalItem(spec=spec)
        plan.items.append(item)
        item.target, problem = find_target(cluster, spec, source_pairs(cluster, options.source_of(spec)))
        if problem or item.target is None:
            item.refusal = problem or "%s: no target" % spec.label
            continue
        target, entry = item.target, item.target.pair
        if entry is None or entry.pending or target.access != REPLICATION_TARGET:
            item.refusal = "%s: %s on %s is not the replication target of a pair (access %s)" % (
                spec.label, target.name, names, target.access)
            continue
        item.clone_name = clone_name(options.name, target)
        if item.clone_name in taken:
            item.refusal = "%s: clone name %s is also %s's" % (spec.label, item.clone_name, taken[item.clone_name])
            continue
        taken[item.clone_name] = spec.label
        item.pair_state = entry.state
        item.source_unique_id = next((p.remote_unique_id for p in cluster.cluster_pairs
                                      if p.pair_id == entry.cluster_pair_id), "")
        item.point = _point(options.point, entry.mode)
        newest = snapshots.newest_snapshot(target.volume_id) if snapshots is not None else None
        if item.point == SNAPSHOT or entry.mode == SNAPSHOTS_ONLY:
            item.snapshot = newest  # latest on a SnapshotsOnly pair: the live target holds the newest arrived
            if newest is None and item.point == LATEST:
                item.lag_note = "no replicated snapshot has arrived on the target"
        else:
            item.lag_seconds, item.lag_note = _latest_lag(item, cluster, source)
        mine = list(ours.get(entry.volume_pair_uuid, ()))
        item.purge = [v.volume_id for v in mine if v.status == "deleted"]
        alive = [v for v in mine if v.status != "deleted"]
        if alive:
            item.clone = alive[0]
            item.stamp = not item.clone.attributes.get(CLONE_ID)
            if item.stamp:
                item.changes.append("wrote the ID of clone %s into its marker" % item.clone.name)
            continue
        if item.point == SNAPSHOT and item.snapshot is None:
            _no_snapshot(item, options, source, names)
            if item.refusal or item.skipped:
                continue
        namesakes = [v for v in cluster.volumes_named(item.clone_name) if not is_ours(v, options.name)]
        if namesakes:
            item.refusal = ("%s: volume %s (ID %s) on %s has the clone's name but is not this rehearsal's clone (its "
                            "marker does not name it): it is never taken over or deleted; rename it, or use another "
                            "rehearsal name" % (spec.label, namesakes[0].name, namesakes[0].volume_id, names))
            continue
        item.create = True
        item.changes.append("cloned %s into %s" % (
            "snapshot %s of %s" % (item.snapshot.name, target.name) if item.point == SNAPSHOT and item.snapshot
            else "%s as it is now" % target.name, item.clone_name))
    refused = [i for i in plan.items if i.refusal]
    if refused:
        reasons = "; ".join(i.refusal or "" for i in refused)
        raise Refusal("rehearsal %s refused, nothing was changed: %s" % (options.name, reasons))
    if account is None and plan.clones:
        plan.setup.append(Action(LOCAL, "AddAccount", {"username": options.account,
                                                       "attributes": {ACCOUNT_MARKER: "rehearsal"}},
                                 "create the rehearsal account %s" % options.account))
        plan.account_id = NEW_ACCOUNT
    elif account is not None:
        plan.account_id = account.account_id
    plan.group = _plan_group(plan, groups, options, names)
    return plan


def _no_snapshot(item: RehearsalItem, options: Options, source: Optional[SourceView], names: str) -> None:
    """point=snapshot and no replicated snapshot on the target: skip a pair whose schedule has not
    delivered its first one yet (unless told to refuse it), refuse the others."""
    target, spec = item.target, item.spec
    where = "%s (the target of %s)" % (target.name, target.pair.remote_volume_name) if target and target.pair else spec.label
    pending = None
    if source is not None and source.lags is not None and target is not None and target.pair is not None:
        pending = first_snapshot_pending(source.lags.schedules, target.pair.remote_volume_id, source.lags.now, where)
    if pending is not None and options.pending_first_snapshot == SKIP:
        item.skipped = pending["text"]
        return
    item.refusal = "%s: %s on %s has no replicated snapshot to clone (point=snapshot)%s" % (
        spec.label, target.name if target else "?", names,
        ": %s; wait for it, or set pending_first_snapshot=skip" % pending["text"] if pending else
        ": take one with remote replication on the source, or use point=latest")


def _latest_lag(item: RehearsalItem, cluster: ClusterState, source: Optional[SourceView]) -> Tuple[Optional[float], str]:
    """The target's lag now, the age of a clone of the live target made now: the source's asyncDelay
    (the lag helpers' reading), zero for an Active Sync pair; None and why when it cannot be known."""
    target = item.target
    entry = target.pair if target else None
    if target is None or entry is None:
        return None, "the pair is unknown"
    where = "%s (the target of %s)" % (target.name, entry.remote_volume_name)
    if entry.mode == SYNC and entry.state == ACTIVE:
        return 0.0, ""
    if source is None:
        return None, ("the source cluster's asyncDelay was not read: no connection to it was given (peer)")
    if source.error or source.lags is None:
        return None, "the source cluster did not answer (%s)" % source.error
    if source.unique_id != item.source_unique_id:
        return None, "the peer given is cluster %s, not the source of this pair" % source.name
    lag = pair_lag(entry.mode, entry.state, entry.state, (source.lags.stats or {}).get(entry.remote_volume_id),
                   None, source.lags.now, where)
    if lag.lag_seconds is None:
        return None, lag.findings[0]["text"] if lag.findings else "unknown"
    return lag.lag_seconds, ""


def _point(point: str, mode: str) -> str:
    if point == AUTO:
        return SNAPSHOT if mode == SNAPSHOTS_ONLY else LATEST
    return point


def _marked(cluster: ClusterState, name: str) -> Dict[str, List[Volume]]:
    """The rehearsal's clones (active, being made, or deleted) by the UUID of the pair they copy."""
    found: Dict[str, List[Volume]] = {}
    for volume in cluster.volumes + cluster.deleted_volumes:
        if is_ours(volume, name):
            found.setdefault(volume.attributes.get(PAIR_UUID, ""), []).append(volume)
    return found


def _plan_group(plan: RehearsalPlan, groups: Tuple[AccessGroup, ...], options: Options, cluster_name: str) -> List[Action]:
    if options.access_group is None:
        return []
    group = next((g for g in groups if g.name == options.access_group), None)
    if group is not None and group.attributes.get(MARKER) != options.name:
        raise Refusal("volume access group %s on cluster %s exists without this rehearsal's marker: it is never "
                      "taken over; give another access group name, nothing was changed" % (group.name, cluster_name))
    clones = [i.clone.volume_id if i.clone is not None else CloneID(i.clone_name) for i in plan.items]
    if group is None:
        return [Action(LOCAL, "CreateVolumeAccessGroup", {
            "name": options.access_group, "initiators": list(options.initiators), "volumes": clones,
            "attributes": {MARKER: options.name}},
            "create access group %s for the test hosts, with %d clone(s)" % (options.access_group, len(clones)))]
    actions = []
    missing = [c for c in clones if c not in group.volume_ids]
    for chunk in chunks(missing):
        actions.append(Action(LOCAL, "AddVolumesToVolumeAccessGroup", {
            "volumeAccessGroupID": group.group_id, "volumes": list(chunk)},
            "let the test hosts of %s reach %d clone(s)" % (group.name, len(chunk))))
    wanted = [i.lower() for i in options.initiators]
    add = [i for i in options.initiators if i.lower() not in [g.lower() for g in group.initiators]]
    drop = [i for i in group.initiators if i.lower() not in wanted]
    if add:
        actions.append(Action(LOCAL, "AddInitiatorsToVolumeAccessGroup", {
            "volumeAccessGroupID": group.group_id, "initiators": add}, "add test hosts to %s" % group.name))
    if drop:
        actions.append(Action(LOCAL, "RemoveInitiatorsFromVolumeAccessGroup", {
            "volumeAccessGroupID": group.group_id, "initiators": drop}, "remove hosts no longer declared from %s"
            % group.name))
    return actions


def plan_cleanup(cluster: ClusterState, groups: Tuple[AccessGroup, ...], name: str,
                 specs: Optional[List[PairSpec]] = None, options: Optional[Options] = None) -> RehearsalPlan:
    """Delete and purge exactly the clones this rehearsal made (of the pairs specs name; None:
    all of them), and its access group once none of its clones is left. Pure."""
    check_name(name)
    plan = RehearsalPlan(name=name, items=[])
    ours = [v for v in cluster.volumes + cluster.deleted_volumes if is_ours(v, name)]
    chosen = ours if specs is None else [v for v in ours if any(
        _made_for(v, spec, cluster, (options or Options(name=name)).source_of(spec)) for spec in specs)]
    for group in groups:
        if group.attributes.get(MARKER) != name:
            continue
        if len(chosen) < len(ours):
            plan.kept.append("access group %s (it holds clones of pairs not cleaned up now)" % group.name)
            continue
        plan.cleanup.append(Action(LOCAL, "DeleteVolumeAccessGroup", {"volumeAccessGroupID": group.group_id,
                                                                      "deleteOrphanInitiators": True},
                                   "delete the rehearsal's access group %s" % group.name))
        plan.removed.append("access group %s" % group.name)
    for volume in chosen:
        if volume.status != "deleted":
            plan.cleanup.append(Action(LOCAL, "DeleteVolume", {"volumeID": volume.volume_id},
                                       "delete clone %s" % volume.name, accept=GONE))
            plan.removed.append("clone %s (ID %s)" % (volume.name, volume.volume_id))
        else:
            plan.removed.append("deleted clone %s (ID %s)" % (volume.name, volume.volume_id))
        plan.cleanup.append(_purge(volume.volume_id))
    return plan


def _made_for(clone: Volume, spec: PairSpec, cluster: ClusterState, source: Optional[str]) -> bool:
    """Whether the clone copies the declared pair, by its marker: every key the spec gives matches
    (volume IDs through this cluster's volumes), and the source cluster when given."""
    marker = clone.attributes
    if source is not None:
        known = {p.remote_unique_id for p in cluster.cluster_pairs
                 if source in (p.remote_name, p.remote_unique_id, p.remote_mvip)}
        if marker.get(SOURCE_CLUSTER) not in known | {source}:
            return False
    if spec.volume is not None and marker.get(SOURCE_VOLUME) != spec.volume:
        return False
    if spec.volume_id is not None and marker.get(PAIR_UUID) not in {
            v.pair.volume_pair_uuid for v in cluster.volumes_paired_with(spec.volume_id) if v.pair}:
        return False
    if spec.peer_volume is not None and marker.get(TARGET_VOLUME) != spec.peer_volume:
        return False
    if spec.peer_volume_id is not None:
        target = cluster.volume_by_id(spec.peer_volume_id)
        if target is None or marker.get(TARGET_VOLUME) != target.name:
            return False
    return True


# ---- views -----------------------------------------------------------------------------------

def clone_view(item: RehearsalItem, cluster: ClusterState, group: Optional[AccessGroup],
               options: Options) -> Dict[str, Any]:
    """One pair's rehearsal as the cluster shows it: its clone, the point in time it holds, how old
    that was when cloned (the recovery point proved), and what a DR user must know about it."""
    target = cluster.volume_by_id(item.target.volume_id) if item.target else None
    clone = next((v for v in cluster.volumes if v.name == item.clone_name and is_ours(v, options.name)), None) \
        if item.clone_name else None
    rpo = options.settings(item.spec).rpo_seconds
    view: Dict[str, Any] = {
        "source_volume_name": item.target.pair.remote_volume_name if item.target and item.target.pair else item.spec.volume,
        "target_volume_name": target.name if target else None, "target_volume_id": target.volume_id if target else None,
        "target_access": target.access if target else None,
        "target_state": target.pair.state if target and target.pair else None,
        "volume_pair_uuid": item.target.pair.volume_pair_uuid if item.target and item.target.pair else None,
        "clone_name": item.clone_name or None, "clone_volume_id": None, "clone_status": None, "iqn": None,
        "point": item.point, "snapshot": item.snapshot.name if item.snapshot else None, "point_in_time": None,
        "age_seconds": None, "access_group": group.name if group is not None else None,
        "pair_state": item.pair_state or None, "rpo_seconds": rpo, "within_rpo": None, "warnings": [],
        "skipped": item.skipped,
    }
    if clone is not None:
        marker = clone.attributes
        cloned_at = parse_time(clone.create_time)
        age = _age(marker, cloned_at)
        point = marker.get(POINT_IN_TIME) or (_iso(cloned_at - age) if cloned_at is not None and age is not None else None)
        view.update(clone_volume_id=clone.volume_id, clone_status=clone.status, iqn=clone.iqn, point_in_time=point,
                    point=marker.get(POINT, item.point), snapshot=marker.get("element.replication.snapshot"),
                    age_seconds=None if age is None else round(age, 3),
                    pair_state=marker.get(PAIR_STATE) or view["pair_state"])
        note = item.lag_note if item.create else "the source cluster's lag could not be read when it was cloned"
        if age is None and view["point"] == LATEST and not marker.get(POINT_IN_TIME):
            view["warnings"].append("the age of the point in time cloned is unknown: %s" % note)
        if group is not None and clone.volume_id not in group.volume_ids:
            view["access_group"] = None
    elif item.create:
        view["age_seconds"] = None if item.lag_seconds is None else round(item.lag_seconds, 3)
        if item.lag_seconds is None and item.point == LATEST and item.snapshot is None:
            view["warnings"].append("the age of the point in time cloned is unknown: %s" % item.lag_note)
    _judge(view)
    return view


def _age(marker: Dict[str, Any], cloned_at: Optional[float]) -> Optional[float]:
    """How old the clone's point in time was when it was cloned: the snapshot's age, or the target's
    lag recorded in the marker."""
    held = parse_time(marker.get(POINT_IN_TIME))
    if held is not None:
        return max(0.0, cloned_at - held) if cloned_at is not None else None
    try:
        return float(str(marker.get(LAG)))  # "unknown", or no lag recorded: None
    except ValueError:
        return None


def _judge(view: Dict[str, Any]) -> None:
    """The warnings a DR user must read: a pair that was not Active, a point older than the RPO."""
    if view["pair_state"] and view["pair_state"] != ACTIVE:
        view["warnings"].insert(0, "the pair was %s, not Active, when cloned: its target is behind the source"
                                % view["pair_state"])
    age, rpo = view["age_seconds"], view["rpo_seconds"]
    if rpo is not None and age is not None:
        view["within_rpo"] = age <= rpo
        if age > rpo:
            view["warnings"].append("the point in time cloned was %s old, over the pair's RPO of %s: this rehearsal "
                                    "does not prove the RPO" % (format_seconds(age), format_seconds(rpo)))


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def predicted_view(item: RehearsalItem, cluster: ClusterState, options: Options) -> Dict[str, Any]:
    view = clone_view(item, cluster, None, options)
    if item.create:
        view.update(clone_volume_id="(new)", clone_status="active", access_group=options.access_group,
                    point_in_time=item.snapshot.create_time_text if item.snapshot else "(the time of the clone)")
    return view


# ---- running -------------------------------------------------------------------------------------

RehearsalState = Tuple[ClusterState, Tuple[AccessGroup, ...], Optional[LagInputs], Optional[SourceView]]


class RehearsalRunner(Runner[RehearsalState, RehearsalPlan]):
    """Brings a rehearsal up (or removes it) on the cluster that holds the replication targets.
    Clone jobs run after CloneVolume returns: at most clone_slots of them at once (and within
    Element's clone limits), watched with one ListAsyncResults call per poll whatever the number
    of clones. A clone that fails fails its pair; a re-run purges it and clones again."""

    def __init__(self, connections: Connections, specs: Optional[List[PairSpec]], options: Options, state: str = "present",
                 check_mode: bool = False, parallel: int = 8, waiter: Optional[Waiter] = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__({LOCAL: connections.local}, check_mode, parallel=parallel,
                         waiter=waiter or Waiter(timeout=3600, interval=2.0))
        self.source = getattr(connections, "peer", None)  # the source cluster, for lags and schedules
        self.specs = specs  # None: every pair (present), every clone of the rehearsal (absent)
        self.options = options
        self.state = state
        self.clone_slots = max(1, parallel)
        self._monotonic = monotonic
        self.created: Dict[str, Any] = {"account_id": None, "clones": {}}  # what this run made

    def read(self) -> RehearsalState:
        client = self.clients[LOCAL]
        try:
            cluster = read_cluster(client, volumes=True, accounts=self.state == "present")
        except ElementError as exc:
            raise self._named_by_source(exc) from None
        self.names = {LOCAL: cluster.identity.name}
        groups = read_access_groups(client)
        snapshots = source = None
        if self.state == "present":
            snapshots = LagInputs(snapshots=read_snapshots(client), stats={})
            if self.source is not None:
                source = read_source(self.source, any(v.pair and v.pair.mode == SNAPSHOTS_ONLY for v in cluster.volumes))
        return cluster, groups, snapshots, source

    def _named_by_source(self, exc: ElementError) -> ElementError:
        """The DR cluster did not answer and nothing names it but its address: name it as the source
        cluster lists it (ListClusterPairs), when the source answers."""
        client = self.clients[LOCAL]
        if client.name or client.display_name or self.source is None:
            return exc
        try:
            listed = read_cluster_pairs(self.source)
        except ElementError:
            return exc
        names = {p.remote_name for p in listed if p.remote_name and p.remote_mvip in (client.address, client.host)}
        if len(names) != 1:
            return exc
        client.display_name = names.pop()
        return ElementError(client.label, exc.method, exc.message, kind=exc.kind, name=exc.name, code=exc.code,
                            ambiguous=exc.ambiguous)

    def plan(self, state: RehearsalState) -> RehearsalPlan:
        cluster, groups, snapshots, source = state
        if WHOLE in self.errors:
            # The account, the access group or the cleanup failed: that step is never run again in
            # this run, so a plan still holding it would repeat rounds for nothing and then blame
            # the pairs on "another run". Stop here; the error names what failed.
            return RehearsalPlan(name=self.options.name, items=[])
        if self.state == "absent":
            return plan_cleanup(cluster, groups, self.options.name, self.specs, self.options)
        specs = self.specs or every_target(cluster)
        return plan_rehearsal(cluster, groups, snapshots, [s for s in specs if s.index not in self.errors],
                              self.options, source)

    def record(self, plan: RehearsalPlan, failed: Set[int]) -> None:
        for item in plan.items:
            if item.has_work and item.spec.index not in failed and item.spec.index not in self.errors:
                self.changes.setdefault(item.spec.index, []).extend(item.changes)
        if self.state == "absent" and WHOLE not in failed and plan.removed:
            self.changes.setdefault(WHOLE, []).extend("removed %s" % what for what in plan.removed)

    def execute(self, plan: RehearsalPlan) -> Tuple[Set[int], bool]:
        """The account (and purges) first, then the clones, paced by clone_window(), then the
        access group that lists them and the rest."""
        paced = [p for p in plan.phases if p[0] != CLONE]
        first = [p for p in paced if p[0] in ("account", "purge")]
        failed, retry = self.run_phases(first)
        if WHOLE not in failed:
            self.clone_window(plan)
        more, more_retry = self.run_phases([p for p in paced if p not in first])
        return failed | more, retry or more_retry

    def prepare(self, action: Action, state: Dict[str, Any]) -> Dict[str, Any]:
        params = {}
        for key, value in action.params.items():
            if value is NEW_ACCOUNT:
                value = self.created["account_id"]
            elif isinstance(value, CloneID):
                value = self.created["clones"][value.name]
            elif isinstance(value, dict):  # the marker, with the new clone's ID (a string, as every marker value)
                value = {k: str(self.created["clones"][v.name]) if isinstance(v, CloneID) else v
                         for k, v in value.items()}
            elif isinstance(value, list):
                # A clone that failed is not listed: its pair has failed already.
                value = [self.created["clones"][v.name] if isinstance(v, CloneID) else v for v in value
                         if not isinstance(v, CloneID) or v.name in self.created["clones"]]
            params[key] = value
        return params

    def after_call(self, action: Action, params: Dict[str, Any], result: Dict[str, Any], state: Dict[str, Any]) -> None:
        if action.method == "AddAccount":
            self.created["account_id"] = result["accountID"]
        elif action.method == "CloneVolume":
            self.created["clones"][action.params["name"]] = int(result["volumeID"])

    def clone_window(self, plan: RehearsalPlan) -> None:
        """Start the clones, at most clone_slots jobs running; wait until every job has finished.
        The clones that fill free slots are started together (over a WAN, one round trip for
        all of them), and polling starts soon again after each start: small clones finish in a
        moment, large ones are polled every interval."""
        queue = list(plan.clones)
        running: Dict[int, RehearsalItem] = {  # clone volume ID -> item; an earlier run's still running
            i.clone.volume_id: i for i in plan.items if i.clone is not None and i.clone.status == "init"}
        deadline = self._monotonic() + self.waiter.timeout
        polls = 0
        while queue or running:
            if queue and len(running) < self.clone_slots:
                if self._start_clones(queue, running, plan):
                    polls = 0
            if not running:
                continue
            if self._monotonic() >= deadline:
                for volume_id, item in running.items():
                    self.errors[item.spec.index] = ("clone %s (ID %s) did not finish within %s s; run again to wait "
                                                    "for it" % (item.clone_name, volume_id, self.waiter.timeout))
                return
            self.waiter.sleep(min(self.waiter.interval, 0.2 * 1.5 ** polls))
            polls += 1
            self._collect(running)

    def _start_clones(self, queue: List[RehearsalItem], running: Dict[int, RehearsalItem],
                      plan: RehearsalPlan) -> bool:
        """CloneVolume for the first items of the queue, one per free slot, in parallel; takes
        the started and the failed ones out of the queue. A clone refused for the cluster's clone
        limit stays queued while one of ours runs (it waits for it), and fails its pair when none
        does (another job holds the cluster). Whether any clone started."""
        batch = queue[:self.clone_slots - len(running)]
        steps = [Step((item.spec.index,), clone_actions(item, plan.account_id, plan.name)) for item in batch]
        outcomes = self.run_steps(steps)
        for item, outcome in zip(batch, outcomes):
            if outcome is None or item.clone_name in self.created["clones"]:
                # Started (a clone whose marker could not take its ID fails its pair; a re-run writes it).
                running[self.created["clones"][item.clone_name]] = item
        busy = []
        for item, outcome in zip(batch, outcomes):
            if outcome is not None and item.clone_name in self.created["clones"]:
                self.errors[item.spec.index] = str(outcome.error)
            elif outcome is not None and outcome.error.name in BUSY and running:
                busy.append(item)
            elif outcome is not None:
                self.errors[item.spec.index] = str(outcome.error)
        queue[:len(batch)] = busy
        return any(outcome is None for outcome in outcomes)

    def _collect(self, running: Dict[int, RehearsalItem]) -> None:
        """Take the finished jobs out of running (one ListAsyncResults for all of them)."""
        for entry in read_async_results(self.clients[LOCAL], ["Clone"]):
            data = entry.get("data") or {}
            if not entry.get("completed") or data.get("volumeID") is None:
                continue
            volume_id = int(data["volumeID"])
            item = running.pop(volume_id, None)
            if item is None:
                continue
            if not entry.get("success"):
                self.errors[item.spec.index] = ("clone %s failed: %s: %s (a re-run purges it and clones again)"
                                                % (item.clone_name, data.get("name"), data.get("message")))


def read_source(client: Any, schedules: bool) -> SourceView:
    """The source cluster's lags (and schedules, for SnapshotsOnly pairs) through the lag readers;
    a source that does not answer is reported, not raised: the rehearsal happens at the DR site."""
    try:
        identity = read_identity(client)
    except ElementError as exc:
        return SourceView(name=client.label, error=str(exc))
    lags = read_lag_inputs(client, snapshots=schedules)
    return SourceView(name=identity.name or client.label, unique_id=identity.unique_id,
                      lags=None if lags.error else lags, error=lags.error)
