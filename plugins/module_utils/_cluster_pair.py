# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cluster pairing: find the pair between two clusters, plan the gap, run the plan.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ansible_collections.element.replication.plugins.module_utils._client import ElementError
from ansible_collections.element.replication.plugins.module_utils._plan import (
    KEY_FROM_START, LOCAL, PEER, Action, Refusal, Waiter)
from ansible_collections.element.replication.plugins.module_utils._state import (
    read_cluster, read_cluster_pairs, read_paired_volumes)

MAX_CLUSTER_PAIRS = 4  # Element's clusterPairsCountMax; pending pairs count towards it
MAX_ROUNDS = 3  # read-plan-execute rounds when a concurrent change gets in the way


@dataclass(frozen=True)
class PairMatch:
    """How two clusters see each other: the pair both list (with the same UUID), duplicates of
    it, and halves listed on one side only."""
    local: object = None  # ClusterPairEntry on this cluster, or None
    peer: object = None  # ClusterPairEntry on the peer, or None
    duplicates: tuple = ()  # further (local, peer) entry couples that also match
    stale_local: tuple = ()  # this cluster points at the peer, the peer does not point back
    stale_peer: tuple = ()

    @property
    def paired(self):
        return self.local is not None


def match_pair(local, peer):
    """Identify the pair by identity: entries that name each other's uniqueID and share a UUID."""
    local_links = local.pair_to(peer)
    peer_by_uuid = {p.pair_uuid: p for p in peer.pair_to(local)}
    couples = [(entry, peer_by_uuid[entry.pair_uuid]) for entry in local_links if entry.pair_uuid in peer_by_uuid]
    # Keep the healthiest, oldest couple; any other is a duplicate from an earlier bug or race.
    couples.sort(key=lambda c: (c[0].status != "Connected" or c[1].status != "Connected", c[0].pair_id))
    matched = {c[0].pair_uuid for c in couples}
    return PairMatch(
        local=couples[0][0] if couples else None, peer=couples[0][1] if couples else None,
        duplicates=tuple(couples[1:]),
        stale_local=tuple(e for e in local_links if e.pair_uuid not in matched),
        stale_peer=tuple(e for e in peer.pair_to(local) if e.pair_uuid not in matched))


@dataclass
class ClusterPairPlan:
    actions: list = field(default_factory=list)
    repairs: list = field(default_factory=list)
    pair_needed: bool = False


def removals(local, peer, state):
    """The (side, entry) couples a run must remove, in order, before any pairing."""
    match = match_pair(local, peer)
    remove = []
    if state == "absent" and match.paired:
        remove += [(LOCAL, match.local), (PEER, match.peer)]
    for couple in match.duplicates:
        remove += [(LOCAL, couple[0]), (PEER, couple[1])]
    remove += [(LOCAL, e) for e in match.stale_local] + [(PEER, e) for e in match.stale_peer]
    remove += [(LOCAL, e) for e in local.cluster_pairs if e.pending]
    remove += [(PEER, e) for e in peer.cluster_pairs if e.pending]
    return remove


def plan_cluster_pair(local, peer, state, volume_refs=None):
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
    blocked = []
    for side, entry in removals(local, peer, state):
        in_use = volume_refs.get((side, entry.pair_id)) or []
        if in_use:
            blocked.append("%s %s is used by volume pairs: %s" % (names[side], entry.describe(), ", ".join(in_use)))
            continue
        plan.actions.append(Action(side, "RemoveClusterPair", {"clusterPairID": entry.pair_id},
                                   _removal_reason(entry, state, match, names[side])))
        if not (state == "absent" and entry in (match.local, match.peer)):
            plan.repairs.append("removed %s on %s" % (entry.describe(), names[side]))
    if blocked:
        raise Refusal("cannot %s clusters %s and %s while volume pairs use the cluster pair; remove them first "
                      "(element.replication.element_volume_pair state=absent): %s"
                      % ("unpair" if state == "absent" else "repair the pairing of", names[LOCAL], names[PEER],
                         "; ".join(blocked)))
    if state == "present" and not match.paired:
        for side, cluster in ((LOCAL, local), (PEER, peer)):
            removed = sum(1 for a in plan.actions if a.side == side)
            if len(cluster.cluster_pairs) - removed + 1 > MAX_CLUSTER_PAIRS:
                raise Refusal("cluster %s already has the maximum of %d cluster pairs: %s"
                              % (names[side], MAX_CLUSTER_PAIRS,
                                 "; ".join(e.describe() for e in cluster.cluster_pairs)))
        plan.pair_needed = True
        plan.actions.append(Action(LOCAL, "StartClusterPairing", {}, "create a pairing key on %s" % names[LOCAL]))
        plan.actions.append(Action(PEER, "CompleteClusterPairing", {"clusterPairingKey": KEY_FROM_START},
                                   "complete the pairing on %s with the key from %s" % (names[PEER], names[LOCAL])))
    return plan


def _removal_reason(entry, state, match, side_name):
    if entry.pending:
        return "pending pair %s on %s was started and never completed; its key is lost" % (entry.pair_id, side_name)
    if state == "absent" and entry in (match.local, match.peer):
        return "unpair (state=absent)"
    if any(entry in couple for couple in match.duplicates):
        return "duplicate pair between the same two clusters"
    return "the other cluster does not list pair %s (%s) back" % (entry.pair_id, entry.pair_uuid)


def pair_view(local, peer):
    """Both sides' view of the pair between them, for diff and for the result."""
    def side(cluster, other):
        return {
            "cluster": cluster.identity.name,
            "pairs": [{"cluster_pair_id": e.pair_id, "cluster_pair_uuid": e.pair_uuid, "status": e.status}
                      for e in cluster.pair_to(other)],
            "pending_pairs": [e.pair_id for e in cluster.cluster_pairs if e.pending],
        }
    return {"local": side(local, peer), "peer": side(peer, local)}


def predicted_view(local, peer, plan):
    """What pair_view will show after the plan has run (for check mode's diff)."""
    view = pair_view(local, peer)
    removed = {(a.side, a.params.get("clusterPairID")) for a in plan.actions if a.method == "RemoveClusterPair"}
    for side in (LOCAL, PEER):
        view[side]["pairs"] = [p for p in view[side]["pairs"] if (side, p["cluster_pair_id"]) not in removed]
        view[side]["pending_pairs"] = [i for i in view[side]["pending_pairs"] if (side, i) not in removed]
        if plan.pair_needed:
            view[side]["pairs"].append({"cluster_pair_id": "(new)", "cluster_pair_uuid": "(new)", "status": "Connected"})
    return view


def pair_result(local, peer):
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


class _Conflict(Exception):
    """Another actor changed the pairing under us; read again and plan again."""


class ClusterPairRunner:
    """Reads both clusters, plans, and (outside check mode) runs the plan until converged."""

    def __init__(self, connections, state, check_mode=False, waiter=None):
        self.connections = connections
        self.clients = {LOCAL: connections.local, PEER: connections.peer}
        self.state = state
        self.check_mode = check_mode
        self.waiter = waiter or Waiter()
        self.actions = []  # done (or, in check mode, planned), reported form
        self.repairs = []
        self.names = {}

    def read(self):
        local = read_cluster(self.clients[LOCAL])
        peer = read_cluster(self.clients[PEER])
        self.names = {LOCAL: local.identity.name, PEER: peer.identity.name}
        return local, peer

    def volume_refs(self, local, peer):
        """Volume pairs per cluster pair entry, read only when a completed entry is to be removed."""
        sides = {side for side, entry in removals(local, peer, self.state) if not entry.pending}
        refs = {}
        for side in sorted(sides):
            for volume in read_paired_volumes(self.clients[side]):
                for entry in volume.pairs:
                    refs.setdefault((side, entry.cluster_pair_id), []).append(
                        "%s (ID %s)" % (volume.name, volume.volume_id))
        return refs

    def run(self):
        """Returns (changed, before_view, after_view, local, peer).

        Each round reads both clusters and plans; a round with nothing to do ends the run, so the
        last read doubles as the verification of what was done.
        """
        before = None
        for round_number in range(MAX_ROUNDS + 1):
            local, peer = self.read()
            plan = plan_cluster_pair(local, peer, self.state, self.volume_refs(local, peer))
            if before is None:
                before = pair_view(local, peer)
            if self.check_mode:
                self.actions = [a.to_result(self.names) for a in plan.actions]
                self.repairs = plan.repairs
                return bool(plan.actions), before, predicted_view(local, peer, plan), local, peer
            if not plan.actions:
                break
            if round_number == MAX_ROUNDS:
                raise Refusal("clusters %s and %s did not converge after %d attempts: another run seems to be "
                              "changing the same pairing; still to do: %s"
                              % (self.names[LOCAL], self.names[PEER], MAX_ROUNDS,
                                 ", ".join("%s on %s" % (a.method, self.names[a.side]) for a in plan.actions)))
            try:
                self.execute(plan)
                self.repairs += plan.repairs
            except _Conflict:
                pass
        changed = bool(self.actions)
        if changed and self.waiter.enabled and self.state == "present":
            local, peer = self.wait_connected(local, peer)
        return changed, before, pair_view(local, peer), local, peer

    def execute(self, plan):
        key = None
        pending_id = None
        for action in plan.actions:
            client = self.clients[action.side]
            if action.method == "RemoveClusterPair":
                self._remove(action)
            elif action.method == "StartClusterPairing":
                started = self._call(action)
                key, pending_id = started["clusterPairingKey"], started["clusterPairID"]
                self._register_key(key)
            elif action.method == "CompleteClusterPairing":
                self._complete(action, key, pending_id)
            else:  # pragma: no cover - the planner emits nothing else
                client.call(action.method, action.params)

    def _call(self, action, params=None):
        result = self.clients[action.side].call(action.method, action.params if params is None else params)
        self.actions.append(action.to_result(self.names))
        return result

    def _remove(self, action):
        try:
            self._call(action)
        except ElementError as exc:
            if exc.name != "xPairingDoesNotExist":
                raise
            # Already gone (a concurrent run removed it): the goal of the call is reached.
            self.actions.append(action.to_result(self.names))

    def _register_key(self, key):
        """The key and the credentials inside it are secrets from now on."""
        self.connections.register_secret(key)
        try:
            decoded = json.loads(bytes.fromhex(key).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return
        self.connections.register_secret(*(str(v) for k, v in decoded.items() if k in ("username", "password")))

    def _key_uuid(self, key):
        try:
            return json.loads(bytes.fromhex(key).decode("utf-8")).get("clusterPairUUID")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None

    def _complete(self, action, key, pending_id):
        params = {"clusterPairingKey": key}
        try:
            try:
                self._call(action, params)
            except ElementError as exc:
                if not exc.ambiguous:
                    raise
                # No answer: learn from the peer whether the pairing took effect before retrying.
                if self._peer_has_pair(self._key_uuid(key)):
                    self.actions.append(action.to_result(self.names))
                    return
                self._call(action, params)
        except ElementError as exc:
            self._roll_back(pending_id, exc)
            if exc.name in ("xPairingAlreadyExists", "xInvalidPairingKey"):
                raise _Conflict()
            raise

    def _peer_has_pair(self, pair_uuid):
        return any(e.pair_uuid == pair_uuid for e in read_cluster_pairs(self.clients[PEER]))

    def _roll_back(self, pending_id, cause):
        rollback = Action(LOCAL, "RemoveClusterPair", {"clusterPairID": pending_id},
                          "roll back the pending pair after %s failed" % cause.method)
        try:
            self._remove(rollback)
        except ElementError as exc:
            raise ElementError(cause.cluster, cause.method,
                               "%s; rolling back pending pair %s on %s also failed: %s"
                               % (cause.message, pending_id, self.names[LOCAL], exc),
                               kind=cause.kind, name=cause.name, code=cause.code)

    def wait_connected(self, local, peer):
        """Poll both sides until the pair is Connected on both, or the wait times out."""
        def connected(state):
            match = match_pair(*state)
            return not match.paired or (match.local.status == "Connected" and match.peer.status == "Connected")

        (local, peer), reached = self.waiter.until((local, peer), connected, self.read)
        if not reached:
            match = match_pair(local, peer)
            raise Refusal("the cluster pair between %s and %s did not become Connected within %s s "
                          "(status on %s: %s, on %s: %s)"
                          % (self.names[LOCAL], self.names[PEER], self.waiter.timeout, self.names[LOCAL],
                             match.local.status, self.names[PEER], match.peer.status))
        return local, peer
