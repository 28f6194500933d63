# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Volume pairing: resolve the declared pairs, plan the gap for all of them, run the plan.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._element import (
    HALVES, ONE_SIDED_SOURCE, ONE_SIDED_TARGET, PAIRED, READ_WRITE, REPLICATION_TARGET, PairMatch, Problem, account_id,
    key_field, match_pair, pair_relation, paused_flags, resolve_volume, steady_states)
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._executor import Runner
from ansible_collections.element.replication.plugins.module_utils._plan import (
    LOCAL, PEER, VOLUME_KEY_FROM_START, Action, NamedPlaceholder, Phases, Step, Waiter, actions_of, modify_volumes_steps,
    phases)
from ansible_collections.element.replication.plugins.module_utils._reconcile import pair_record
from ansible_collections.element.replication.plugins.module_utils._state import (
    ClusterState, Volume, VolumePairEntry, read_clusters)

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._connection import Connections

Clusters = Tuple[ClusterState, ClusterState]  # (local, peer) as read
ANY_PAIR = "*"  # in known_pending: any pending pair of that volume (our start whose answer was lost)
GONE = ("xVolumeIDDoesNotExist",)  # a removal whose volume is gone has reached its goal


@dataclass(frozen=True)
class Options:
    exclusive: bool = False
    create_target: bool = False


@dataclass
class ItemPlan:
    spec: PairSpec
    source: Any = None  # Volume on this cluster
    target: Any = None  # Volume on the peer
    refusal: Optional[str] = None
    deferred: Optional[str] = None  # another run is pairing these volumes right now
    removals: List[Action] = field(default_factory=list)
    create: Any = None  # CreateVolume params (a dict) for a missing target
    pair: bool = False
    set_target_access: bool = False
    modify_source: Dict[str, Any] = field(default_factory=dict)  # ModifyVolumePair params besides volumeID
    resume_target: bool = False
    repairs: List[str] = field(default_factory=list)
    changes: List[str] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        return bool(self.removals or self.create or self.pair or self.set_target_access or self.modify_source
                    or self.resume_target)


@dataclass
class VolumePairPlan:
    items: List[ItemPlan]
    cleanup: List[Action]  # RemoveVolumePair actions for undeclared pairs (exclusive)
    phases: Phases  # (name, [Step]) in execution order

    @property
    def actions(self) -> List[Action]:
        return actions_of(self.phases)


class NewVolumeID(NamedPlaceholder):
    """The ID of a target volume the plan creates."""
    TEMPLATE = "<ID of the new volume %s>"


def _describe_pair_entry(entry: VolumePairEntry, cluster_name: str, peer_names: Dict[int, str]) -> str:
    if entry.pending:
        return "a pending pairing (started on %s, never completed)" % cluster_name
    cluster = peer_names.get(entry.cluster_pair_id, "paired cluster %s" % entry.cluster_pair_id)
    return "volume %s (ID %s) on cluster %s" % (entry.remote_volume_name or "?", entry.remote_volume_id, cluster)


def _peer_names(cluster: ClusterState) -> Dict[int, str]:
    """Cluster pair ID -> the name of the cluster it leads to, for messages."""
    return {p.pair_id: p.remote_name or p.remote_unique_id for p in cluster.cluster_pairs}


# ---------------------------------------------------------------------------------------------
# Planning.

def plan_volume_pairs(local: ClusterState, peer: ClusterState, specs: List[PairSpec], options: Options = Options(),
                      known_pending: Optional[Set[Tuple[str, int, str]]] = None,
                      assume_cluster_pair: bool = False) -> VolumePairPlan:
    """Plan every declared pair against what was read from both clusters. Pure: no I/O.

    known_pending holds (side, volume ID, pair UUID) of pending pairs seen by an earlier read of
    this run; a pending pair not in it (when given) belongs to a run still in progress, so it is
    waited for instead of removed. assume_cluster_pair plans as if the clusters were paired and
    connected (check mode of a playbook whose earlier task pairs them).
    """
    match = match_pair(local, peer)
    connected = assume_cluster_pair or match.connected
    planner = VolumePairPlanner(local, peer, match, connected, options, known_pending)
    items = [planner.plan_item(spec) for spec in specs]
    _refuse_contradictions(items, planner.names)
    # A refused item may be a typo for a declared pair: never treat its pair as undeclared.
    cleanup = planner.plan_cleanup(items) if options.exclusive and not any(i.refusal for i in items) else []
    return VolumePairPlan(items=items, cleanup=cleanup, phases=_phases(items, cleanup, planner.names))


class VolumePairPlanner:
    """Plans each declared pair (plan_item) and the removal of undeclared ones (plan_cleanup)
    against one read of both clusters."""

    def __init__(self, local: ClusterState, peer: ClusterState, match: PairMatch, connected: bool, options: Options,
                 known_pending: Optional[Set[Tuple[str, int, str]]]) -> None:
        self.local, self.peer, self.match, self.connected = local, peer, match, connected
        self.options = options
        self.known_pending = known_pending
        self.names = {LOCAL: local.identity.name, PEER: peer.identity.name}

    def plan_item(self, spec: PairSpec) -> ItemPlan:
        item = ItemPlan(spec=spec)
        item.source, problem = resolve_volume(self.local, spec.volume_id, spec.volume, spec.account, "source")
        target_name = spec.peer_volume if spec.peer_volume is not None else (
            item.source.name if item.source else spec.volume)
        target_problem = None
        if target_name is not None or spec.peer_volume_id is not None:
            item.target, target_problem = resolve_volume(self.peer, spec.peer_volume_id, target_name, spec.peer_account, "target")
        if spec.state == "absent":
            if problem and item.source is None and item.target is None:
                return item  # nothing of this pair exists: nothing to remove
            self._plan_absent(item)
            return item
        if problem:
            item.refusal = problem
            return item
        if item.target is None:
            if not (self.options.create_target and getattr(target_problem, "code", None) == Problem.NOT_FOUND
                    and spec.peer_volume_id is None):
                item.refusal = target_problem
                return item
            if target_name is None:
                raise AssertionError("a target not found was looked up by name")
            self._plan_create_target(item, target_name)
            if item.refusal:
                return item
        self._plan_present(item)
        return item

    # --- present ---------------------------------------------------------------------------

    def _plan_present(self, item: ItemPlan) -> None:
        source, target, spec = item.source, item.target, item.spec
        names = self.names
        s_entry = source.pair
        t_entry = target.pair if target else None
        if s_entry is not None and s_entry.pending and self._in_progress(LOCAL, source, s_entry):
            item.deferred = "another run is pairing volume %s on %s" % (source.name, names[LOCAL])
            return
        relation = pair_relation(self.match, source, target)
        if relation == PAIRED:
            self._plan_drift(item)
            return
        # Not (fully) paired: everything below ends in a new pairing, so check that it is allowed.
        if not self.connected:
            item.refusal = self._no_cluster_pair()
            return
        problems: List[str] = []
        if s_entry is not None and not s_entry.pending and relation not in (ONE_SIDED_SOURCE, HALVES):
            problems.append("source volume %s (ID %s) on cluster %s is already paired with %s" % (
                source.name, source.volume_id, names[LOCAL], _describe_pair_entry(s_entry, names[LOCAL], _peer_names(self.local))))
        if t_entry is not None and relation not in (ONE_SIDED_TARGET, HALVES):
            problems.append("target volume %s (ID %s) on cluster %s is already paired with %s" % (
                target.name, target.volume_id, names[PEER], _describe_pair_entry(t_entry, names[PEER], _peer_names(self.peer))))
        if source.access != READ_WRITE:
            problems.append("source volume %s (ID %s) on cluster %s has access %s, not readWrite: is this pair failed "
                            "over? (element.replication.element_replication_failover changes the direction)"
                            % (source.name, source.volume_id, names[LOCAL], source.access))
        if target is not None:
            problems += self._compatibility_problems(source, target)
        if problems:
            item.refusal = "; ".join(problems)
            return
        if s_entry is not None:
            reason = ("pending pairing of %s on %s was never completed; its key is lost" % (source.name, names[LOCAL])
                      if s_entry.pending else
                      "%s on %s still lists a pair that %s on %s no longer has" % (
                          source.name, names[LOCAL], target.name, names[PEER]))
            item.removals.append(Action(LOCAL, "RemoveVolumePair", {"volumeID": source.volume_id}, reason, accept=GONE))
            item.repairs.append("removed %s half of a broken pair of volume %s on %s" % (
                "the pending" if s_entry.pending else "the one-sided", source.name, names[LOCAL]))
        if t_entry is not None:
            item.removals.append(Action(PEER, "RemoveVolumePair", {"volumeID": target.volume_id},
                                        "%s on %s still lists a pair that %s on %s no longer has"
                                        % (target.name, names[PEER], source.name, names[LOCAL]), accept=GONE))
            item.repairs.append("removed the one-sided half of a broken pair of volume %s on %s" % (target.name, names[PEER]))
        item.pair = True
        item.changes.append("paired %s on %s with %s on %s (%s)" % (
            source.name, names[LOCAL], target.name if target else item.create["name"], names[PEER], item.spec.mode))
        if target is None or target.access != REPLICATION_TARGET:
            item.set_target_access = True
            item.changes.append("set access of target %s to replicationTarget" % (target.name if target else item.create["name"]))
        if spec.paused:
            item.modify_source["pausedManual"] = True
            item.changes.append("paused replication")

    def _in_progress(self, side: str, volume: Volume, entry: VolumePairEntry) -> bool:
        if self.known_pending is None:
            return False
        mine = {(side, volume.volume_id, entry.volume_pair_uuid), (side, volume.volume_id, ANY_PAIR)}
        return not mine & self.known_pending

    def _compatibility_problems(self, source: Volume, target: Volume) -> List[str]:
        problems: List[str] = []
        names = self.names
        where = "target volume %s (ID %s) on cluster %s" % (target.name, target.volume_id, names[PEER])
        if target.total_size < source.total_size:
            problems.append("%s is smaller than the source (%d < %d bytes)" % (where, target.total_size, source.total_size))
        if target.enable512e != source.enable512e or target.block_size != source.block_size:
            problems.append("%s has enable512e=%s and block size %s, the source has enable512e=%s and block size %s" % (
                where, target.enable512e, target.block_size, source.enable512e, source.block_size))
        return problems

    def _no_cluster_pair(self) -> str:
        if not self.match.paired:
            return ("clusters %s and %s are not paired: pair them first with element.replication.element_cluster_pair"
                    % (self.names[LOCAL], self.names[PEER]))
        return ("the cluster pair between %s and %s is not connected (status %s on %s, %s on %s): repair it with "
                "element.replication.element_cluster_pair" % (
                    self.names[LOCAL], self.names[PEER], self.match.local.status, self.names[LOCAL],
                    self.match.peer.status, self.names[PEER]))

    def _plan_create_target(self, item: ItemPlan, name: str) -> None:
        source, spec = item.source, item.spec
        if spec.peer_account is None:
            item.refusal = ("target volume '%s' not found on cluster %s; create_target needs peer_account to create it"
                            % (name, self.names[PEER]))
            return
        owner, problem = account_id(self.peer, spec.peer_account)
        if problem:
            item.refusal = problem
            return
        namesakes = self.peer.volumes_named(name)
        if namesakes:
            # Another volume of that name would make every later look-up by name ambiguous.
            item.refusal = ("target volume '%s' is not in account %s on cluster %s, but %s: a new volume of the same name "
                            "would make every look-up by name ambiguous; give the account that holds it as peer_account, "
                            "or another name as peer_volume" % (name, spec.peer_account, self.names[PEER], "; ".join(
                                "volume %s (ID %s) exists there in account %s (ID %s)" % (
                                    v.name, v.volume_id, self.peer.account_name(v.account_id) or "?", v.account_id)
                                for v in namesakes)))
            return
        qos = {k: source.qos[k] for k in ("minIOPS", "maxIOPS", "burstIOPS") if k in source.qos}
        item.create = {"name": name, "accountID": owner, "totalSize": source.total_size,
                       "enable512e": source.enable512e}
        if qos:
            item.create["qos"] = qos
        item.changes.append("created target volume %s on %s" % (name, self.names[PEER]))

    def _plan_drift(self, item: ItemPlan) -> None:
        source, target, spec = item.source, item.target, item.spec
        s_entry, t_entry = source.pair, target.pair
        names = self.names
        if source.access != READ_WRITE:
            item.refusal = ("pair %s on %s -> %s on %s is reversed (source access %s, target access %s): it is failed "
                            "over; element.replication.element_replication_failover changes the direction"
                            % (source.name, names[LOCAL], target.name, names[PEER], source.access, target.access))
            return
        if target.access == READ_WRITE and paused_flags(s_entry, t_entry)[1]:
            # A paused, writable target is how an unplanned failover leaves the DR side.
            item.refusal = ("%s on %s is readWrite and paused on its side, as an unplanned failover leaves it: writes "
                            "may have landed on both sides, and making it the replication target again would discard "
                            "its writes. Choose the source with element.replication.element_replication_failover"
                            % (target.name, names[PEER]))
            return
        if target.access != REPLICATION_TARGET:
            item.set_target_access = True
            item.changes.append("set access of target %s from %s to replicationTarget" % (target.name, target.access))
        if s_entry.mode != spec.mode or t_entry.mode != spec.mode:
            item.modify_source["mode"] = spec.mode
            item.changes.append("mode %s -> %s" % (s_entry.mode if s_entry.mode != spec.mode else t_entry.mode, spec.mode))
        source_paused, target_paused = paused_flags(s_entry, t_entry)
        if spec.paused and not source_paused:
            item.modify_source["pausedManual"] = True
            item.changes.append("paused replication")
        if not spec.paused and source_paused:
            item.modify_source["pausedManual"] = False
            item.changes.append("resumed replication")
        if not spec.paused and target_paused:
            item.resume_target = True
            item.changes.append("resumed replication paused on the target side")
        if (item.modify_source or item.resume_target) and not self.connected:
            item.refusal = self._no_cluster_pair()

    # --- absent ----------------------------------------------------------------------------

    def _plan_absent(self, item: ItemPlan) -> None:
        source, target = item.source, item.target
        names = self.names
        s_entry = source.pair if source else None
        t_entry = target.pair if target else None
        relation = pair_relation(self.match, source, target)
        if s_entry is not None and s_entry.pending and self._in_progress(LOCAL, source, s_entry):
            item.deferred = "another run is pairing volume %s on %s" % (source.name, names[LOCAL])
            return
        remove_source = s_entry is not None and (s_entry.pending or relation in (PAIRED, HALVES, ONE_SIDED_SOURCE))
        remove_target = t_entry is not None and relation in (PAIRED, HALVES, ONE_SIDED_TARGET)
        if target is not None and source is None and t_entry is not None and self.match.paired:
            # The source volume is gone: the target's half is a leftover when its partner is gone too.
            remove_target = (t_entry.cluster_pair_id == self.match.peer.pair_id and not t_entry.pending
                             and self.local.volume_by_id(t_entry.remote_volume_id) is None)
        if remove_source:
            item.removals.append(Action(LOCAL, "RemoveVolumePair", {"volumeID": source.volume_id},
                                        "unpair %s on %s (state=absent)" % (source.name, names[LOCAL]), accept=GONE))
        if remove_target:
            item.removals.append(Action(PEER, "RemoveVolumePair", {"volumeID": target.volume_id},
                                        "unpair %s on %s (state=absent)" % (target.name, names[PEER]), accept=GONE))
        if item.removals:
            item.changes.append("unpaired")

    # --- exclusive -------------------------------------------------------------------------

    def plan_cleanup(self, items: List[ItemPlan]) -> List[Action]:
        """RemoveVolumePair for every pair from this cluster to the peer that no item declares."""
        if not self.match.paired:
            return []
        declared = {(LOCAL, i.source.volume_id) for i in items if i.source} | {
            (PEER, i.target.volume_id) for i in items if i.target}
        actions = []
        sides = ((LOCAL, self.local, self.match.local.pair_id), (PEER, self.peer, self.match.peer.pair_id))
        for side, cluster, pair_id in sides:
            for volume in cluster.volumes:
                entry = volume.pair
                if entry is None or entry.pending or entry.cluster_pair_id != pair_id or (side, volume.volume_id) in declared:
                    continue
                # Pairs in the other direction (peer -> this cluster) are outside this task's scope.
                is_source = volume.access != REPLICATION_TARGET
                if (side == LOCAL) != is_source:
                    continue
                actions.append(Action(side, "RemoveVolumePair", {"volumeID": volume.volume_id},
                                      "exclusive: %s (ID %s) on %s is paired but not declared"
                                      % (volume.name, volume.volume_id, self.names[side]), accept=GONE))
        return actions


def _refuse_contradictions(items: List[ItemPlan], names: Dict[str, str]) -> None:
    """A request that names one volume in two pairs contradicts itself: refuse all of it, before
    anything changes, naming every conflict."""
    users: Dict[Tuple[str, int], List[Tuple[ItemPlan, str, Volume]]] = {}
    for item in items:
        for side, role, volume in ((LOCAL, "source", item.source), (PEER, "target", item.target)):
            if volume is not None:
                users.setdefault((side, volume.volume_id), []).append((item, role, volume))
    conflicts = []
    for (side, _volume_id), found in users.items():
        labels = list(dict.fromkeys(item.spec.label for item, _role, _volume in found))
        if len(labels) > 1:
            volume = found[0][2]
            conflicts.append("%s volume %s (ID %s) on %s is used by %s" % (
                found[0][1], volume.name, volume.volume_id, names[side], " and ".join(labels)))
    if conflicts:
        raise Refusal("the pairs contradict each other (a volume can be in one pair only), nothing was changed: %s"
                      % "; ".join(conflicts))


def _phases(items: List[ItemPlan], cleanup: List[Action], names: Dict[str, str]) -> Phases:
    """Order every item's calls into phases; the executor runs exactly these."""
    live = [i for i in items if not i.refusal and not i.deferred]
    removals = [Step((i.spec.index,), [a]) for i in live for a in i.removals]
    removals += [Step((), [a]) for a in cleanup]
    creates = [Step((i.spec.index,), [Action(PEER, "CreateVolume", dict(i.create), "create the missing target volume")])
               for i in live if i.create]
    pairs = []
    for i in live:
        if not i.pair:
            continue
        target_id = i.target.volume_id if i.target else NewVolumeID(i.create["name"])
        pairs.append(Step((i.spec.index,), [
            Action(LOCAL, "StartVolumePairing", {"volumeID": i.source.volume_id, "mode": i.spec.mode},
                   "start pairing %s on %s" % (i.source.name, names[LOCAL])),
            Action(PEER, "CompleteVolumePairing", {"volumeID": target_id, "volumePairingKey": VOLUME_KEY_FROM_START},
                   "complete pairing on %s" % names[PEER]),
        ]))
    access = modify_volumes_steps(
        PEER, [(i.spec.index, i.target.volume_id if i.target else NewVolumeID(i.create["name"]))
               for i in live if i.set_target_access],
        "make %d target volume(s) replication targets", access=REPLICATION_TARGET)
    modifies = []
    for i in live:
        if i.modify_source:
            modifies.append(Step((i.spec.index,), [Action(
                LOCAL, "ModifyVolumePair", dict({"volumeID": i.source.volume_id}, **i.modify_source),
                "bring %s on %s to the declared mode and pause state" % (i.source.name, names[LOCAL]))]))
        if i.resume_target:
            modifies.append(Step((i.spec.index,), [Action(
                PEER, "ModifyVolumePair", {"volumeID": i.target.volume_id, "pausedManual": False},
                "resume %s on %s, paused on the target side" % (i.target.name, names[PEER]))]))
    return phases(("remove", removals), ("create", creates), ("pair", pairs), ("access", access), ("modify", modifies))


def pending_entries(local: ClusterState, peer: ClusterState) -> Set[Tuple[str, int, str]]:
    """(side, volume ID, pair UUID) of every pending pair on both clusters."""
    found: Set[Tuple[str, int, str]] = set()
    for side, cluster in ((LOCAL, local), (PEER, peer)):
        for volume in cluster.volumes:
            for entry in volume.pairs:
                if entry.pending:
                    found.add((side, volume.volume_id, entry.volume_pair_uuid))
    return found


# ---------------------------------------------------------------------------------------------
# Reporting.

def item_view(item: ItemPlan, local: ClusterState, peer: ClusterState) -> Dict[str, Any]:
    """One declared pair as it is in the state read (source/target re-resolved by ID)."""
    source = local.volume_by_id(item.source.volume_id) if item.source else None
    target = None
    if item.target:
        target = peer.volume_by_id(item.target.volume_id)
    elif source and source.pair and not source.pair.pending:
        target = peer.volume_by_id(source.pair.remote_volume_id)
    s_entry = source.pair if source else None
    t_entry = target.pair if target else None
    paired = bool(s_entry and t_entry and target and not s_entry.pending
                  and s_entry.volume_pair_uuid == t_entry.volume_pair_uuid and s_entry.remote_volume_id == target.volume_id)
    view = pair_record([("source", local, source, s_entry), ("target", peer, target, t_entry)], paired=paired,
                       volume_pair_uuid=s_entry.volume_pair_uuid if paired and s_entry else None,
                       mode=s_entry.mode if paired and s_entry else None,
                       paused=paused_flags(s_entry, t_entry)[0] if paired else None)
    if source is None:
        view["source_volume_name"] = item.spec.volume
    if target is None:
        view["target_volume_name"] = (item.create or {}).get("name", item.spec.peer_volume)
    return view


def predicted_view(item: ItemPlan, local: ClusterState, peer: ClusterState) -> Dict[str, Any]:
    """What item_view will show once the item's plan has run (check mode's diff)."""
    view = item_view(item, local, peer)
    if item.refusal or item.deferred or not item.has_work:
        return view
    if item.spec.state == "absent":
        view.update(paired=False, volume_pair_uuid=None, mode=None, paused=None, source_state=None, target_state=None,
                    source_mode=None, target_mode=None)
        return view
    source_state, target_state = steady_states(item.spec.paused)
    view.update(paired=True, mode=item.spec.mode, paused=item.spec.paused, source_access=READ_WRITE,
                target_access=REPLICATION_TARGET, source_state=source_state, target_state=target_state,
                source_mode=item.spec.mode, target_mode=item.spec.mode)
    if item.pair:
        view["volume_pair_uuid"] = "(new)"
    return view


# ---------------------------------------------------------------------------------------------
# Execution.

class VolumePairRunner(Runner[Clusters, VolumePairPlan]):
    """Reads both clusters, plans every pair, and (outside check mode) runs the plan."""

    def __init__(self, connections: Connections, specs: List[PairSpec], options: Options = Options(), check_mode: bool = False,
                 parallel: int = 4, waiter: Optional[Waiter] = None) -> None:
        super().__init__(connections.both(), check_mode, parallel,
                         waiter or Waiter(enabled=False, timeout=300, interval=2.0))
        self.connections = connections
        self.specs = list(specs)
        self.options = options
        self.repairs: Dict[int, List[str]] = {}
        self.known_pending: Optional[Set[Tuple[str, int, str]]] = None  # pending pairs that may be removed
        self.cluster_pair_assumed = False

    @property
    def needs_accounts(self) -> bool:
        return self.options.create_target or any(
            (s.account is not None and not str(s.account).isdigit()) or s.peer_account is not None for s in self.specs)

    def read(self) -> Clusters:
        accounts = self.needs_accounts
        read = read_clusters(self.clients, volumes=True, accounts=accounts)
        local, peer = read[LOCAL], read[PEER]
        self.names = {LOCAL: local.identity.name, PEER: peer.identity.name}
        return local, peer

    def plan(self, state: Clusters) -> VolumePairPlan:
        local, peer = state
        if self.known_pending is None:
            # Pending pairs seen at the first read (or started by us) may be removed; others
            # belong to a run still in progress.
            self.known_pending = pending_entries(local, peer)
        self.cluster_pair_assumed = self.check_mode and not match_pair(local, peer).connected
        return plan_volume_pairs(local, peer, [s for s in self.specs if s.index not in self.errors], self.options,
                                 self.known_pending, assume_cluster_pair=self.cluster_pair_assumed)

    def waiting(self, plan: VolumePairPlan) -> bool:
        return any(i.deferred for i in plan.items)

    def not_converged(self, plan: VolumePairPlan) -> None:
        for item in plan.items:
            if item.deferred:
                self.errors.setdefault(item.spec.index, item.deferred)
        super().not_converged(plan)

    def record(self, plan: VolumePairPlan, failed: Set[int]) -> None:
        super().record(plan, failed)
        for item in plan.items:
            if item.has_work and item.spec.index not in failed:
                self.repairs.setdefault(item.spec.index, []).extend(item.repairs)

    def item_repairs(self, item: ItemPlan) -> List[str]:
        return item.repairs if self.check_mode else self.repairs.get(item.spec.index, [])

    def prepare(self, action: Action, state: Dict[str, Any]) -> Dict[str, Any]:
        created = state["context"]
        params = {}
        for name, value in action.params.items():
            if value is VOLUME_KEY_FROM_START:
                value = state["key"]
            elif isinstance(value, NewVolumeID):
                value = created[value.name]
            elif isinstance(value, list):
                value = [created[v.name] if isinstance(v, NewVolumeID) else v for v in value]
            params[name] = value
        return params

    def after_call(self, action: Action, params: Dict[str, Any], result: Dict[str, Any], state: Dict[str, Any]) -> None:
        if action.method == "StartVolumePairing":
            state["key"] = result["volumePairingKey"]
            self.connections.scrub(state["key"])
            # Our own pending pair: if its completion is lost, the next round may remove it.
            if self.known_pending is None:
                raise AssertionError("known_pending is set by plan(), before anything runs")
            self.known_pending.add((LOCAL, params["volumeID"], key_field(state["key"], "volumePairUUID")))
        elif action.method == "CreateVolume":
            state["context"][action.params["name"]] = result["volumeID"]

    def on_error(self, step: Step, action: Action, params: Dict[str, Any], exc: ElementError,
                 done: List[Dict[str, Any]], state: Dict[str, Any]) -> bool:
        if action.method == "CompleteVolumePairing" and not exc.ambiguous:
            self._roll_back(step, done)
        if action.method == "StartVolumePairing" and exc.ambiguous:
            if self.known_pending is None:
                raise AssertionError("known_pending is set by plan(), before anything runs")
            self.known_pending.add((LOCAL, params["volumeID"], ANY_PAIR))
        return exc.ambiguous or exc.name in ("xVolumeAlreadyPaired", "xInvalidPairingKey")

    def _roll_back(self, step: Step, done: List[Dict[str, Any]]) -> None:
        """Remove the pending pair this step started, so nothing half-done stays behind."""
        start = step.actions[0]
        rollback = Action(LOCAL, "RemoveVolumePair", {"volumeID": start.params["volumeID"]},
                          "roll back the pending pairing after CompleteVolumePairing failed", accept=GONE)
        try:
            self.clients[LOCAL].call(rollback.method, rollback.params, accept=rollback.accept)
            done.append(rollback.to_result(self.names))
        except ElementError:
            pass  # the next run finds the pending pair and removes it

    def settle(self, state: Clusters) -> Clusters:
        """With wait: poll both clusters until every declared present pair is in its steady state."""
        if not self.waiter.enabled:
            return state

        def lagging(state: Clusters) -> List[ItemPlan]:
            local, peer = state
            plan = plan_volume_pairs(local, peer, [s for s in self.specs if s.index not in self.errors], self.options)
            return [i for i in plan.items if i.spec.state == "present" and i.source and i.target
                    and not _reached(item_view(i, local, peer), i.spec)]

        state, _reached_all = self.waiter.until(state, lambda s: not lagging(s), self.read)
        for item in lagging(state):
            view = item_view(item, *state)
            self.errors[item.spec.index] = "%s did not reach %s within %s s (state %s on %s, %s on %s)" % (
                item.spec.label, steady_states(item.spec.paused)[0], self.waiter.timeout,
                view["source_state"], self.names[LOCAL], view["target_state"], self.names[PEER])
        return state


def _reached(view: Dict[str, Any], spec: PairSpec) -> bool:
    return view["paired"] and view["source_state"] == steady_states(spec.paused)[0]
