# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cluster pairing: plan the gap between what two clusters list and the desired state, and run it.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from ansible_collections.element.replication.plugins.module_utils._element import (
    PairMatch, key_credentials, match_pair, refuse_over_pair_limit)
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._executor import Runner
from ansible_collections.element.replication.plugins.module_utils._plan import (
    KEY_FROM_START, LOCAL, PEER, WHOLE, Action, Phases, Step, Waiter, WholePlan, phases)
from ansible_collections.element.replication.plugins.module_utils._state import (
    ClusterPairEntry, ClusterState, read_clusters, read_paired_volumes)

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._connection import Connections

Clusters = Tuple[ClusterState, ClusterState]  # (local, peer) as read
GONE = ("xPairingDoesNotExist",)  # a removal whose pair is already gone has reached its goal


@dataclass
class ClusterPairPlan(WholePlan):
    """The pairing of two clusters, one whole: removals first, then start and complete as one step."""
    removals: List[Action] = field(default_factory=list)
    pairing: List[Action] = field(default_factory=list)
    repairs: List[str] = field(default_factory=list)
    pair_needed: bool = False

    @property
    def actions(self) -> List[Action]:
        return self.removals + self.pairing

    @property
    def phases(self) -> Phases:
        return phases(("remove", [self.step([a]) for a in self.removals]),
                      ("pair", [self.step(self.pairing)] if self.pairing else []))


def removals(local: ClusterState, peer: ClusterState, state: str) -> List[Tuple[str, ClusterPairEntry]]:
    """The (side, entry) couples a run must remove, in order, before any pairing."""
    match = match_pair(local, peer)
    remove: List[Tuple[str, ClusterPairEntry]] = []
    if state == "absent" and match.paired:
        remove += [(LOCAL, match.local), (PEER, match.peer)]
    for couple in match.duplicates:
        remove += [(LOCAL, couple[0]), (PEER, couple[1])]
    remove += [(LOCAL, e) for e in match.stale_local] + [(PEER, e) for e in match.stale_peer]
    remove += [(LOCAL, e) for e in local.cluster_pairs if e.pending]
    remove += [(PEER, e) for e in peer.cluster_pairs if e.pending]
    return remove


def plan_cluster_pair(local: ClusterState, peer: ClusterState, state: str,
                      volume_refs: Optional[Dict[Tuple[str, int], List[str]]] = None) -> ClusterPairPlan:
    """Compute the calls that take the two clusters from what was read to the desired state.

    volume_refs maps (side, cluster pair ID) to descriptions of the volume pairs that still use
    that cluster pair entry; it is needed whenever a completed entry is to be removed.
    Raises Refusal, before anything is changed, when the result would be unsafe or impossible.
    """
    names = {LOCAL: local.identity.name, PEER: peer.identity.name}
    if local.identity.unique_id == peer.identity.unique_id:
        raise Refusal("cannot pair cluster %s with itself: %s and %s reach the same cluster (uniqueID %s)"
                      % (local.identity.name, local.identity.address, peer.identity.address,
                         local.identity.unique_id))
    volume_refs = volume_refs or {}
    match = match_pair(local, peer)
    plan = ClusterPairPlan()
    blocked: List[str] = []
    for side, entry in removals(local, peer, state):
        in_use = volume_refs.get((side, entry.pair_id)) or []
        if in_use:
            blocked.append("%s %s is used by volume pairs: %s" % (names[side], entry.describe(), ", ".join(in_use)))
            continue
        plan.removals.append(Action(side, "RemoveClusterPair", {"clusterPairID": entry.pair_id},
                                    _removal_reason(entry, state, match, names[side]), accept=GONE))
        if not (state == "absent" and entry in (match.local, match.peer)):
            plan.repairs.append("removed %s on %s" % (entry.describe(), names[side]))
    if blocked:
        raise Refusal("cannot %s clusters %s and %s while volume pairs use the cluster pair; remove them first "
                      "(element.replication.element_volume_pair state=absent): %s"
                      % ("unpair" if state == "absent" else "repair the pairing of", names[LOCAL], names[PEER],
                         "; ".join(blocked)))
    if state == "present" and not match.paired:
        for side, cluster in ((LOCAL, local), (PEER, peer)):
            refuse_over_pair_limit(cluster, removed=sum(1 for a in plan.removals if a.side == side))
        plan.pair_needed = True
        plan.pairing = [
            Action(LOCAL, "StartClusterPairing", {}, "create a pairing key on %s" % names[LOCAL]),
            Action(PEER, "CompleteClusterPairing", {"clusterPairingKey": KEY_FROM_START},
                   "complete the pairing on %s with the key from %s" % (names[PEER], names[LOCAL]))]
    return plan


def _removal_reason(entry: ClusterPairEntry, state: str, match: PairMatch, side_name: str) -> str:
    if entry.pending:
        return "pending pair %s on %s was started and never completed; its key is lost" % (entry.pair_id, side_name)
    if state == "absent" and entry in (match.local, match.peer):
        return "unpair (state=absent)"
    if any(entry in couple for couple in match.duplicates):
        return "duplicate pair between the same two clusters"
    return "the other cluster does not list pair %s (%s) back" % (entry.pair_id, entry.pair_uuid)


def pair_view(local: ClusterState, peer: ClusterState) -> Dict[str, Dict[str, Any]]:
    """Both sides' view of the pair between them, for diff and for the result."""
    def side(cluster: ClusterState, other: ClusterState) -> Dict[str, Any]:
        return {
            "cluster": cluster.identity.name,
            "pairs": [{"cluster_pair_id": e.pair_id, "cluster_pair_uuid": e.pair_uuid, "status": e.status}
                      for e in cluster.pair_to(other)],
            "pending_pairs": [e.pair_id for e in cluster.cluster_pairs if e.pending],
        }
    return {"local": side(local, peer), "peer": side(peer, local)}


def predicted_view(local: ClusterState, peer: ClusterState, plan: ClusterPairPlan) -> Dict[str, Dict[str, Any]]:
    """What pair_view will show after the plan has run (for check mode's diff)."""
    view = pair_view(local, peer)
    removed = {(a.side, a.params.get("clusterPairID")) for a in plan.actions if a.method == "RemoveClusterPair"}
    for side in (LOCAL, PEER):
        view[side]["pairs"] = [p for p in view[side]["pairs"] if (side, p["cluster_pair_id"]) not in removed]
        view[side]["pending_pairs"] = [i for i in view[side]["pending_pairs"] if (side, i) not in removed]
        if plan.pair_needed:
            view[side]["pairs"].append({"cluster_pair_id": "(new)", "cluster_pair_uuid": "(new)", "status": "Connected"})
    return view


def pair_result(local: ClusterState, peer: ClusterState) -> Dict[str, Any]:
    """The cluster_pair return value: the pair between the two clusters, or {} when there is none."""
    match = match_pair(local, peer)
    if not match.paired:
        return {}
    return {
        "cluster_pair_uuid": match.local.pair_uuid,
        "local_cluster_pair_id": match.local.pair_id,
        "peer_cluster_pair_id": match.peer.pair_id,
        "local_status": match.local.status,
        "peer_status": match.peer.status,
        "latency": match.local.latency,
        "local_name": local.identity.name,
        "local_mvip": local.identity.mvip,
        "local_unique_id": local.identity.unique_id,
        "peer_name": peer.identity.name,
        "peer_mvip": peer.identity.mvip,
        "peer_unique_id": peer.identity.unique_id,
    }


class ClusterPairRunner(Runner[Clusters, ClusterPairPlan]):
    """Pairs (or unpairs) two clusters. Start and complete run as one step; a completion that
    fails is rolled back, and a lost answer or another run's pairing is settled by the next
    round's read."""

    def __init__(self, connections: Connections, state: str, check_mode: bool = False, waiter: Optional[Waiter] = None) -> None:
        super().__init__(connections.both(), check_mode, parallel=2,
                         waiter=waiter or Waiter())
        self.connections = connections
        self.state = state
        self.repairs: List[str] = []

    def read(self) -> Clusters:
        read = read_clusters(self.clients)
        local, peer = read[LOCAL], read[PEER]
        self.names = {LOCAL: local.identity.name, PEER: peer.identity.name}
        return local, peer

    def plan(self, state: Clusters) -> ClusterPairPlan:
        local, peer = state
        return plan_cluster_pair(local, peer, self.state, self.volume_refs(local, peer))

    def volume_refs(self, local: ClusterState, peer: ClusterState) -> Dict[Tuple[str, int], List[str]]:
        """Volume pairs per cluster pair entry, read only when a completed entry is to be removed."""
        sides = {side for side, entry in removals(local, peer, self.state) if not entry.pending}
        refs: Dict[Tuple[str, int], List[str]] = {}
        for side in sorted(sides):
            for volume in read_paired_volumes(self.clients[side]):
                for entry in volume.pairs:
                    refs.setdefault((side, entry.cluster_pair_id), []).append(
                        "%s (ID %s)" % (volume.name, volume.volume_id))
        return refs

    # ---- executing --------------------------------------------------------------------------
    def prepare(self, action: Action, state: Dict[str, Any]) -> Dict[str, Any]:
        if action.method == "CompleteClusterPairing":
            return dict(action.params, clusterPairingKey=state["key"])
        return dict(action.params)

    def after_call(self, action: Action, params: Dict[str, Any], result: Dict[str, Any], state: Dict[str, Any]) -> None:
        if action.method == "StartClusterPairing":
            # The key and the credentials inside it are secrets from now on.
            state["key"], state["pending_id"] = result["clusterPairingKey"], result["clusterPairID"]
            self.connections.register_secret(state["key"], *key_credentials(state["key"]))

    def on_error(self, step: Step, action: Action, params: Dict[str, Any], exc: ElementError,
                 done: List[Dict[str, Any]], state: Dict[str, Any]) -> bool:
        if exc.ambiguous:
            return True  # the next round reads whether it took effect
        if action.method == "CompleteClusterPairing":
            self._roll_back(state["pending_id"], exc, done)
            # Another run completed or replaced the pairing meanwhile: read again and plan again.
            return exc.name in ("xPairingAlreadyExists", "xInvalidPairingKey")
        return False

    def _roll_back(self, pending_id: int, cause: ElementError, done: List[Dict[str, Any]]) -> None:
        """Remove the pending pair the start made, so that nothing half-done stays behind."""
        rollback = Action(LOCAL, "RemoveClusterPair", {"clusterPairID": pending_id},
                          "roll back the pending pair after %s failed" % cause.method, accept=GONE)
        try:
            self.clients[LOCAL].call(rollback.method, rollback.params, accept=rollback.accept)
            done.append(rollback.to_result(self.names))
        except ElementError as exc:
            cause.message = "%s; rolling back pending pair %s on %s also failed: %s" % (
                cause.message, pending_id, self.names[LOCAL], exc)

    # ---- the rounds ------------------------------------------------------------------------
    def record(self, plan: ClusterPairPlan, failed: Set[int]) -> None:
        if WHOLE not in failed:
            self.repairs += plan.repairs

    def after_round(self, plan: ClusterPairPlan, failed: Set[int], retry: bool) -> None:
        if WHOLE in self.exceptions:
            raise self.exceptions[WHOLE]

    def partial_result(self) -> Dict[str, Any]:
        return dict(super().partial_result(), repairs=self.repairs)

    def not_converged(self, plan: ClusterPairPlan) -> None:
        raise Refusal("clusters %s and %s did not converge after %d attempts: another run seems to be changing the "
                      "same pairing; still to do: %s" % (
                          self.names[LOCAL], self.names[PEER], self.MAX_ROUNDS,
                          ", ".join("%s on %s" % (a.method, self.names[a.side]) for a in plan.actions)))

    def settle(self, state: Clusters) -> Clusters:
        """Wait until both sides list the new pair Connected."""
        if not self.waiter.enabled or self.state != "present":
            return state

        def connected(state: Clusters) -> bool:
            match = match_pair(*state)
            return not match.paired or match.connected

        state, reached = self.waiter.until(state, connected, self.read)
        if not reached:
            match = match_pair(*state)
            raise Refusal("the cluster pair between %s and %s did not become Connected within %s s "
                          "(status on %s: %s, on %s: %s)"
                          % (self.names[LOCAL], self.names[PEER], self.waiter.timeout, self.names[LOCAL],
                             match.local.status, self.names[PEER], match.peer.status))
        return state
