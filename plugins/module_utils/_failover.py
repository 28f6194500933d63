# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Failover and failback: make one cluster the replication source of a set of volume pairs.

The direction of a pair is the access of its volumes (readWrite on the source, replicationTarget
on the target). A planned failover moves it with access changes alone, as Cinder's
_failover_volume does: it demotes the old source first (so that both sides are never writable at
once), then promotes the new source, and waits for Active. It takes no pause, so every state a
stop leaves is one a re-run finishes (docs/failover.md), and a pause it finds was made by someone
else. An unplanned failover promotes the surviving cluster's volumes, then pauses their pairs,
which marks for the later reprotect the side that holds the newest writes.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._element import (
    ACTIVE, ASYNC, MANUAL_PAUSES, PAIRED, PAUSED_MANUAL, PAUSED_MANUAL_REMOTE, READ_WRITE, REPLICATION_TARGET, Finding,
    PairMatch, Problem, finding, match_pair, pair_relation, paused_flags, resolve_volume)
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._executor import Runner
from ansible_collections.element.replication.plugins.module_utils._plan import (
    LOCAL, PEER, Action, Phases, Step, Waiter, actions_of, modify_volumes_steps, phases)
from ansible_collections.element.replication.plugins.module_utils._durations import format_seconds
from ansible_collections.element.replication.plugins.module_utils._lag import Lag, pair_lag
from ansible_collections.element.replication.plugins.module_utils._reconcile import pair_record
from ansible_collections.element.replication.plugins.module_utils._state import (
    ClusterState, LagInputs, Volume, probe_cluster, read_clusters, read_lags, read_snapshots, read_stats)

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._connection import Connections

CATCH_UP = "catch up"  # the phase that lifts declared pauses before a move
# The volume attribute with which an unplanned failover marks the survivor's volumes: they hold the
# writes made since. The reprotect reads it when the lost cluster returns (both sides readWrite);
# a planned run removes it once the pair is resolved. Merged into the volume's own attributes:
# other tools (Cinder) keep theirs there.
MARK = "element_replication_unplanned_failover"
Clusters = Dict[str, Optional[ClusterState]]  # side -> the cluster as read (None: not read, the lost one)


def other(side: str) -> str:
    return PEER if side == LOCAL else LOCAL


@dataclass
class FailoverItem:
    spec: PairSpec
    volumes: Dict[str, Any] = field(default_factory=dict)  # side -> Volume
    refusal: Optional[str] = None
    demote: Optional[str] = None  # the side whose volume becomes replicationTarget
    promote: Optional[str] = None  # the side whose volume becomes readWrite
    resume: List[str] = field(default_factory=list)  # sides whose manual pause is lifted at the end
    pause_after: Optional[str] = None  # paused at the end: the new source of a declared pause
    mark: Optional[str] = None  # the side marked (MARK) as holding the writes: an unplanned failover's survivor
    unmark: List[str] = field(default_factory=list)  # sides whose mark is removed: the split is resolved
    catch_up: List[str] = field(default_factory=list)  # sides resumed first so that a declared pause drains
    staged: bool = False  # reprotected towards the other side first; the move follows once Active
    changes: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # how the pair was found, when that is not obvious

    @property
    def moves(self) -> bool:
        """The direction changes (an old source stops being one): the pair must have drained first."""
        return bool(self.demote) and not self.staged and self.demote == self.old_source

    @property
    def old_source(self) -> Optional[str]:
        return next((side for side, volume in self.volumes.items() if volume.access == READ_WRITE), None)

    @property
    def has_work(self) -> bool:
        return bool(self.demote or self.promote or self.resume or self.pause_after or self.catch_up or self.mark
                    or self.unmark)


@dataclass
class FailoverPlan:
    items: List[FailoverItem]
    phases: Phases

    @property
    def actions(self) -> List[Action]:
        return actions_of(self.phases)


def _names(clusters: Dict[str, Optional[ClusterState]]) -> Dict[str, str]:
    return {side: cluster.identity.name for side, cluster in clusters.items() if cluster is not None}


def _resolve_side(cluster: ClusterState, spec: PairSpec, side: str,
                  fallback_name: Optional[str] = None) -> Tuple[Any, Optional[Problem]]:
    if side == LOCAL:
        return resolve_volume(cluster, spec.volume_id, spec.volume, spec.account, "local")
    name = spec.peer_volume if spec.peer_volume is not None else fallback_name
    return resolve_volume(cluster, spec.peer_volume_id, name, spec.peer_account, "peer")


def plan_planned(local: ClusterState, peer: ClusterState, specs: Sequence[PairSpec], primary: str, force: bool = False,
                 assume_caught_up: bool = False) -> FailoverPlan:
    """Plan a planned failover (both clusters read) so that primary holds the sources. Pure.

    Refuses the whole plan when any pair cannot be failed over safely: the volumes of one
    application fail over together or not at all. A pair declared paused (spec.paused) is not
    refused for its pause: it is resumed first (catch_up) so that its target catches up, moved
    once it is Active, and paused again on the new source. The runner runs the catch-up alone,
    waits, and plans again; assume_caught_up plans the whole sequence at once (check mode).
    """
    clusters: Dict[str, Optional[ClusterState]] = {LOCAL: local, PEER: peer}
    names = _names(clusters)
    match = match_pair(local, peer)
    connected = match.connected
    secondary = other(primary)
    items = []
    for spec in specs:
        item = FailoverItem(spec=spec)
        items.append(item)
        local_volume, problem = _resolve_side(local, spec, LOCAL)
        if problem:
            item.refusal = problem
            continue
        peer_volume, problem = _resolve_peer(peer, match, spec, local_volume, item)
        if problem:
            item.refusal = problem
            continue
        item.volumes = {LOCAL: local_volume, PEER: peer_volume}
        if pair_relation(match, local_volume, peer_volume) != PAIRED:
            item.refusal = ("%s on %s and %s on %s are not a complete volume pair: set it up with "
                            "element.replication.element_volume_pair first" % (
                                local_volume.name, names[LOCAL], peer_volume.name, names[PEER]))
            continue
        _plan_item(item, primary, secondary, names, force, connected, assume_caught_up)
    refused = [i for i in items if i.refusal]
    if refused:
        raise Refusal("planned failover to %s refused, nothing was changed: %s" % (
            names[primary], "; ".join("%s: %s" % (i.spec.label, i.refusal) for i in refused)))
    return FailoverPlan(items=items, phases=_phases(items, primary, names))


def _resolve_peer(peer: ClusterState, match: PairMatch, spec: PairSpec, local_volume: Volume,
                  item: FailoverItem) -> Tuple[Any, Optional[Problem]]:
    """The pair's volume on the peer: by the options when they name it, else the volume that the
    local volume's pair points at (so app-db finds app-db-replica), else the same name."""
    if spec.peer_volume is None and spec.peer_volume_id is None:
        entry = local_volume.pair
        if entry is not None and not entry.pending and match.paired and entry.cluster_pair_id == match.local.pair_id:
            remote = peer.volume_by_id(entry.remote_volume_id)
            if remote is not None:
                if remote.name != local_volume.name:
                    item.notes.append("peer volume %s (ID %s) is the one the pair of %s points at" % (
                        remote.name, remote.volume_id, local_volume.name))
                return remote, None
    return _resolve_side(peer, spec, PEER, local_volume.name)


def _plan_item(item: FailoverItem, primary: str, secondary: str, names: Dict[str, str], force: bool, connected: bool,
               assume_caught_up: bool = False) -> None:
    """One pair, by the access of its two volumes (new source first): the direction is already
    right (only a pause to lift), it moves, a move stopped between demote and promote is
    finished, or a split left by an unplanned failover is reprotected."""
    access = (item.volumes[primary].access, item.volumes[secondary].access)
    entries = {LOCAL: item.volumes[LOCAL].pair, PEER: item.volumes[PEER].pair}
    flags = dict(zip((LOCAL, PEER), paused_flags(entries[LOCAL], entries[PEER])))
    marks = {side: marked(item.volumes[side]) for side in (LOCAL, PEER)}
    if access == (READ_WRITE, REPLICATION_TARGET):
        pass  # already the direction asked for; only a left-over pause to lift
    elif access == (REPLICATION_TARGET, READ_WRITE):
        left = _plan_move(item, primary, secondary, names, force, connected, assume_caught_up, flags)
        if left is None:
            return
        flags = left
    elif access == (REPLICATION_TARGET, REPLICATION_TARGET):
        # Only a move stopped between its demote and its promote leaves both sides targets (no
        # writer anywhere, and the pair drained before the demote): promote the side asked for.
        item.promote = primary
        item.changes.append("finished an interrupted failover: %s on %s is now the source" % (
            item.volumes[primary].name, names[primary]))
    elif access == (READ_WRITE, READ_WRITE):
        # The survivor of an unplanned failover shows its mark (or, from earlier releases, its pause).
        shows = {side: flags[side] or marks[side] for side in (LOCAL, PEER)}
        if not _plan_reprotect(item, primary, secondary, names, force, shows):
            return
    else:
        item.refusal = "%s has access %s / %s, which this module does not change" % (
            _where(item, primary, secondary, names), access[0], access[1])
        return
    item.resume = [side for side in (secondary, primary) if flags[side]]
    if item.spec.paused and not item.staged:
        # As declared: paused on the source side, which is primary from now on.
        if primary in item.resume:
            item.resume.remove(primary)
        else:
            item.pause_after = primary
            item.changes.append("paused replication on %s again, as declared" % names[primary])
    if item.resume and not item.changes:
        item.changes.append("resumed replication")
    item.unmark = [side for side in (LOCAL, PEER) if marks[side] and not item.catch_up]
    if item.unmark and not item.changes:
        item.changes.append("removed the mark of an unplanned failover, resolved")


def _where(item: FailoverItem, primary: str, secondary: str, names: Dict[str, str]) -> str:
    return "%s on %s / %s on %s" % (item.volumes[primary].name, names[primary], item.volumes[secondary].name,
                                    names[secondary])


def _plan_move(item: FailoverItem, primary: str, secondary: str, names: Dict[str, str], force: bool, connected: bool,
               assume_caught_up: bool, flags: Dict[str, bool]) -> Optional[Dict[str, bool]]:
    """A pair replicating from secondary: demote it there, then promote it on primary, with access
    changes alone (as Cinder's _failover_volume does). No pause is taken, so every state a stop
    leaves is unambiguous: a pause found here was made by someone else. Returns the pause flags
    left to lift, or None when the pair is refused or only catches up this round."""
    new_source, old_source = item.volumes[primary], item.volumes[secondary]
    states = (new_source.pair.state, old_source.pair.state)
    if not force and item.spec.paused and connected and _only_paused(states) and (flags[LOCAL] or flags[PEER]):
        # Declared paused, so its target may be behind: resume it and let it catch up first.
        item.catch_up = [side for side in (secondary, primary) if flags[side]]
        item.changes.append("resumed replication, declared paused, until %s had caught up" % names[primary])
        if not assume_caught_up:
            return None
        flags = {LOCAL: False, PEER: False}
    elif not force and old_source.total_size < new_source.total_size:
        # Element pauses a pair whose target is smaller than its source (PausedVolumeSizeMismatch).
        item.refusal = ("%s on %s (%d bytes) is larger than %s on %s (%d bytes), which would become its target: "
                        "the pair would stop (PausedVolumeSizeMismatch) and nothing would replicate back; grow "
                        "%s to at least the size of %s first (ModifyVolume totalSize)" % (
                            new_source.name, names[primary], new_source.total_size, old_source.name,
                            names[secondary], old_source.total_size, old_source.name, new_source.name))
        return None
    elif not force and (not connected or states != (ACTIVE, ACTIVE)):
        local_state, peer_state = item.volumes[LOCAL].pair.state, item.volumes[PEER].pair.state
        item.refusal = ("%s is not healthy and caught up (state %s on %s, %s on %s%s): a planned failover could "
                        "lose writes; repair it first, or set force=true" % (
                            _where(item, primary, secondary, names), local_state, names[LOCAL], peer_state,
                            names[PEER], "" if connected else ", cluster pair not connected"))
        return None
    item.demote, item.promote = secondary, primary
    item.changes.append("failed over: %s is now the source, %s the target" % (names[primary], names[secondary]))
    return flags


def _plan_reprotect(item: FailoverItem, primary: str, secondary: str, names: Dict[str, str], force: bool,
                    flags: Dict[str, bool]) -> bool:
    """Both sides readWrite, as an unplanned failover leaves a pair when the lost site returns:
    the side that shows the failover's mark (flags) holds the newest writes, so the other side
    becomes its target. False when refused."""
    new_source, old_source = item.volumes[primary], item.volumes[secondary]
    if flags[primary] or (force and not flags[secondary]):
        item.demote = secondary
        item.changes.append("reprotected: %s on %s is now the replication target of %s" % (
            old_source.name, names[secondary], names[primary]))
    elif flags[secondary]:
        item.demote, item.staged = primary, True
        item.changes.append("reprotected: %s on %s is now the replication target of %s, which holds the writes "
                            "made since the unplanned failover; the move to %s follows once the pair is Active"
                            % (new_source.name, names[primary], names[secondary], names[primary]))
    else:
        item.refusal = ("both %s are readWrite and neither shows the mark of an unplanned failover: writes may "
                        "have landed on both sides; set force=true to make %s the target and discard its writes"
                        % (_where(item, primary, secondary, names), names[secondary]))
        return False
    return True


def marked(volume: Volume) -> bool:
    """Whether an unplanned failover marked this volume as holding the newest writes."""
    return MARK in (volume.attributes or {})


def _only_paused(states: Sequence[Optional[str]]) -> bool:
    """Both halves are Active or paused by hand: nothing but a manual pause holds the pair."""
    return all(state == ACTIVE or state in MANUAL_PAUSES for state in states)


def settled(item: FailoverItem, primary: str) -> bool:
    """Whether a pair moved to primary has reached its steady state: Active, or paused on primary
    as declared."""
    states = {side: item.volumes[side].pair.state if item.volumes[side].pair else None for side in (LOCAL, PEER)}
    if item.spec.paused:
        return states[primary] == PAUSED_MANUAL and states[other(primary)] == PAUSED_MANUAL_REMOTE
    return states[LOCAL] == ACTIVE and states[PEER] == ACTIVE


def plan_unplanned(survivor: ClusterState, primary: str, specs: Sequence[PairSpec]) -> FailoverPlan:
    """Plan an unplanned failover on the surviving cluster alone (the other cannot be read). Pure."""
    names = {primary: survivor.identity.name}
    items = []
    for spec in specs:
        item = FailoverItem(spec=spec)
        items.append(item)
        volume, problem = _resolve_survivor(survivor, spec, primary, item)
        if problem:
            item.refusal = problem
            continue
        item.volumes = {primary: volume}
        if volume.pair is None or volume.pair.pending:
            item.refusal = "%s on %s has no volume pair to fail over" % (volume.name, names[primary])
        else:
            # Writable first; the mark, for the reprotect, only after. A readWrite volume without
            # the mark may be one this run promoted before it stopped: marking it again is true
            # either way (the survivor holds the newest writes).
            if volume.access != READ_WRITE:
                item.promote = primary
                item.changes.append("promoted %s on %s to readWrite" % (volume.name, names[primary]))
            if not marked(volume):
                item.mark = primary
                item.changes.append("marked %s on %s as holding the writes made since the failover (attribute %s)"
                                    % (volume.name, names[primary], MARK))
    return FailoverPlan(items=items, phases=_phases(items, primary, names))


def _resolve_survivor(survivor: ClusterState, spec: PairSpec, primary: str,
                      item: FailoverItem) -> Tuple[Any, Optional[Problem]]:
    """The pair's volume on the surviving cluster. When the survivor is the peer and the options
    name only the lost cluster's volume, it is the survivor's volume whose pair points at it."""
    if primary == LOCAL or spec.peer_volume is not None or spec.peer_volume_id is not None:
        return _resolve_side(survivor, spec, primary, spec.volume)
    pointing = survivor.volumes_paired_with(spec.volume_id, spec.volume)
    if len(pointing) == 1:
        volume = pointing[0]
        if volume.name != spec.volume:
            item.notes.append("%s (ID %s) is the volume of %s whose pair points at %s" % (
                volume.name, volume.volume_id, survivor.identity.name, spec.volume or "volume ID %s" % spec.volume_id))
        return volume, None
    return _resolve_side(survivor, spec, primary, spec.volume)


def _phases(items: List[FailoverItem], primary: str, names: Dict[str, str]) -> Phases:
    live = [i for i in items if not i.refusal and i.has_work]

    def modify_volumes(selected: List[FailoverItem], access: str, reason: str) -> List[Step]:
        steps = []
        for side in (other(primary), primary):  # the side losing its writers first
            on_side = [i for i in selected if getattr(i, "demote" if access == REPLICATION_TARGET else "promote") == side]
            steps += modify_volumes_steps(side, [(i.spec.index, i.volumes[side].volume_id) for i in on_side], reason,
                                          access=access)
        return steps

    def modify_pair(item: FailoverItem, side: str, paused: bool, reason: str) -> Action:
        volume = item.volumes[side]
        return Action(side, "ModifyVolumePair", {"volumeID": volume.volume_id, "pausedManual": paused},
                      "%s %s on %s%s" % ("pause" if paused else "resume", volume.name, names[side], reason))

    def pair_steps(sides_of: Callable[[FailoverItem], List[str]], paused: bool, reason: str = "") -> List[Step]:
        return [Step((i.spec.index,), [modify_pair(i, side, paused, reason)]) for i in live for side in sides_of(i)]

    def attribute_steps() -> List[Step]:
        # Merged into each volume's own attributes; volumes whose result is the same share a call.
        groups: Dict[Tuple[str, str], List[Tuple[FailoverItem, Dict[str, Any]]]] = {}
        for item in live:
            for side, add in ([(item.mark, True)] if item.mark else []) + [(s, False) for s in item.unmark]:
                attributes = dict(item.volumes[side].attributes)
                if add:
                    attributes[MARK] = names[side]
                else:
                    attributes.pop(MARK, None)
                groups.setdefault((side, json.dumps(attributes, sort_keys=True)), []).append((item, attributes))
        steps = []
        for (side, _key), members in groups.items():
            attributes = members[0][1]  # the same for every member of the group
            reason = "%s %%d volume(s) as holding the writes of an unplanned failover (%s)" % (
                "mark" if MARK in attributes else "unmark", MARK)
            steps += modify_volumes_steps(side, [(i.spec.index, i.volumes[side].volume_id) for i, _a in members], reason,
                                          attributes=attributes)
        return steps

    def finish(item: FailoverItem) -> Step:
        # A declared pause moves to the new source before the old one is lifted: nothing replicates in between.
        actions = [modify_pair(item, item.pause_after, True, ", as declared")] if item.pause_after else []
        actions += [modify_pair(item, side, False, "") for side in item.resume]
        return Step((item.spec.index,), actions)

    return phases(
        (CATCH_UP, pair_steps(lambda i: i.catch_up, False, ", declared paused, so that its target catches up first")),
        ("demote", modify_volumes([i for i in live if i.demote], REPLICATION_TARGET,
                                  "make %d volume(s) replication targets first")),
        ("promote", modify_volumes([i for i in live if i.promote], READ_WRITE, "make %d volume(s) the new sources")),
        ("mark", attribute_steps()),
        ("resume", [finish(i) for i in live if i.pause_after or i.resume]))


def item_view(item: FailoverItem, clusters: Dict[str, Optional[ClusterState]]) -> Dict[str, Any]:
    """Both sides of one pair as read: access and replication state per cluster."""
    sides = []
    for side in (LOCAL, PEER):
        cluster = clusters.get(side)
        volume = item.volumes.get(side)
        current = cluster.volume_by_id(volume.volume_id) if cluster is not None and volume is not None else None
        sides.append((side, cluster, current, current.pair if current else None))
    view = pair_record(sides)
    sources = [view["%s_cluster" % s] for s in (LOCAL, PEER) if view["%s_access" % s] == READ_WRITE]
    view["source_clusters"] = sources
    return view


def predicted_view(item: FailoverItem, clusters: Dict[str, Optional[ClusterState]], primary: str) -> Dict[str, Any]:
    view = item_view(item, clusters)
    if item.refusal or not item.has_work:
        return view
    if item.promote or item.demote:  # staged items end there too, after their reprotect
        view["%s_access" % primary] = READ_WRITE
        if clusters.get(other(primary)) is not None:
            view["%s_access" % other(primary)] = REPLICATION_TARGET
        view["source_clusters"] = [view["%s_cluster" % primary]]
    return view


class FailoverRunner(Runner[Clusters, FailoverPlan]):
    """Reads, plans and runs a failover; re-reads when an answer was lost."""

    def __init__(self, connections: Connections, specs: List[PairSpec], primary: str, unplanned: bool = False,
                 force: bool = False, check_mode: bool = False, parallel: int = 4,
                 waiter: Optional[Waiter] = None, max_lag: float = 0.0, probe_timeout: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(connections.both(), check_mode, parallel,
                         waiter or Waiter(timeout=300, interval=2.0))
        self.specs = list(specs)
        self.primary = primary
        self.unplanned = unplanned
        self.force = force
        self.unreachable: Optional[str] = None  # the cluster an unplanned failover left behind
        self.max_lag = max_lag
        self.probe_timeout = probe_timeout
        self.drained = False
        self.lags: Dict[int, Dict[str, Any]] = {}  # item index -> its lag when it moved (or, unplanned, at risk)
        self.lag_inputs: Optional[Dict[str, LagInputs]] = None  # read with the first read, for the first measure
        self.clock = clock
        self.started: Optional[float] = None
        self.writable_seconds: Optional[float] = None  # from the first call until the last promote had run

    def read(self) -> Clusters:
        """Both clusters (unplanned: the survivor), at once. The first read also takes what the
        first decision needs, in the same round trip: the lag statistics, and for an unplanned
        failover the probe of the lost cluster, which has its own short timeout."""
        accounts = any(s.account is not None or s.peer_account is not None for s in self.specs)
        sides = (LOCAL, PEER) if not self.unplanned else (self.primary,)
        first = self.started is None
        if first:
            self.started = self.clock()
        clusters: Clusters = {side: None for side in (LOCAL, PEER)}
        with ThreadPoolExecutor(max_workers=3) as pool:
            probe = pool.submit(self.probe) if first and self.unplanned else None
            lags = pool.submit(self.read_lag_inputs, sides) if first and not self.check_mode else None
            clusters.update(read_clusters({side: self.clients[side] for side in sides}, volumes=True, accounts=accounts))
            self.lag_inputs = lags.result() if lags is not None else None
            answered = probe.result() if probe is not None else None
        self.names = dict(_names(clusters))
        if answered is not None:
            self.refuse_if_answering(answered)
        return clusters

    def read_lag_inputs(self, sides: Sequence[str]) -> Dict[str, LagInputs]:
        """One ListVolumeStats per cluster; unplanned, the survivor's snapshots too, read at once
        (a SnapshotsOnly pair's data at risk is the age of the newest one)."""
        if self.unplanned:
            return {side: _stats_and_snapshots(self.clients[side]) for side in sides}
        return read_lags({side: self.clients[side] for side in sides}, {})

    def probe(self) -> Optional[str]:
        """An unplanned failover is for a lost site: whether the old source answers (its label),
        in at most probe_timeout seconds, without retries."""
        lost = self.clients[other(self.primary)]
        try:
            info = probe_cluster(lost, self.probe_timeout)
        except ElementError:
            self.unreachable = lost.label
            return None
        lost.name = info.get("name") or lost.name
        return lost.label

    def refuse_if_answering(self, label: str) -> None:
        if not self.force:
            raise Refusal("cluster %s answers, so this is not an unplanned failover: use type=planned (it demotes "
                          "the old source first and never leaves both sides writable, without losing writes), or "
                          "force=true" % label)
        self.unreachable = None

    def plan(self, state: Clusters) -> FailoverPlan:
        """Every round after the first plans on pairs whose health the first read verified."""
        return self.plan_pairs(state, checked=self.round > 0)

    def plan_pairs(self, clusters: Clusters, checked: bool) -> FailoverPlan:
        """checked: the pairs' health was verified by an earlier read of this run, which may itself
        have demoted them since. Check mode plans a declared pause's catch-up and move at once."""
        specs = [s for s in self.specs if s.index not in self.errors]
        if self.unplanned:
            return plan_unplanned(_read(clusters, self.primary), self.primary, specs)
        return plan_planned(_read(clusters, LOCAL), _read(clusters, PEER), specs, self.primary, self.force or checked,
                            assume_caught_up=self.check_mode)

    def failure(self, exc: Union[ElementError, Refusal]) -> Union[ElementError, Refusal]:
        if isinstance(exc, ElementError) and exc.kind == "connection" and not self.unplanned:
            exc.message += "; if cluster %s is lost, fail over with type=unplanned: it changes only the surviving " \
                           "cluster" % exc.cluster
        return exc

    def phase_done(self, name: str) -> None:
        if name == "promote" and self.started is not None:
            self.writable_seconds = round(self.clock() - self.started, 3)

    # ---- lag --------------------------------------------------------------------------------------
    def measure(self, items: List[FailoverItem], side_of: Callable[[FailoverItem], str]) -> Dict[int, Lag]:
        """The lag of each item, from one ListVolumeStats per cluster that holds a side_of() volume
        (the first time, from what the first read took along). A SnapshotsOnly pair's lag is the age
        of the newest snapshot that reached its target, as the audit measures it."""
        sides = sorted({side_of(i) for i in items})
        inputs, self.lag_inputs = self.lag_inputs, None
        if inputs is None or any(side not in inputs for side in sides):
            inputs = self.read_lag_inputs(sides)
        lags = {}
        for item in items:
            side = side_of(item)
            volume = item.volumes[side]
            entry = volume.pair
            found = inputs[side]
            if found.error:
                lags[item.spec.index] = Lag(None, findings=(finding(Finding.LAG_UNKNOWN, found.error),))
                continue
            states = [v.pair.state if v.pair else None for v in item.volumes.values()]
            # Unplanned, the survivor's volume is the copy: its newest snapshot is what survives.
            snapshot = found.newest_snapshot(volume.volume_id) if self.unplanned else None
            lags[item.spec.index] = pair_lag(entry.mode, states[0], states[-1], (found.stats or {}).get(volume.volume_id),
                                             snapshot, found.now, "%s on %s" % (volume.name, self.names[side]))
        return lags

    def before_execute(self, plan: FailoverPlan) -> None:
        """A planned move waits until every Async pair it moves has drained (lag at most max_lag),
        up to wait_timeout: with the applications stopped, a pair drains only while it still
        replicates, so this is the last moment. Refused, listing each pair's lag, when they do not
        drain, unless force. An unplanned failover records what is at risk."""
        if self.unplanned:
            items = [i for i in plan.items if not i.refusal and i.volumes.get(self.primary) is not None]
            if items and not self.lags:
                for index, lag in self.measure(items, lambda i: self.primary).items():
                    self.lags[index] = {"lag_seconds": lag.lag_seconds, "async_delay": lag.async_delay,
                                        "data_at_risk_seconds": lag.lag_seconds}
            return
        # Only a pair that replicates can drain: a split pair (both sides readWrite after an
        # unplanned failover) has nothing to wait for; its risk was reported then.
        moving = [i for i in plan.items if i.moves and i.volumes[_source_side(i)].pair.mode == ASYNC and _active(i)]
        if self.drained or self.force or not moving or any(i.catch_up for i in plan.items):
            return

        def behind(lags: Dict[int, Lag]) -> List[FailoverItem]:
            return [i for i in moving if not _drained(lags[i.spec.index], self.max_lag)]

        lags, done = self.waiter.until(self.measure(moving, _source_side), lambda found: not behind(found),
                                       lambda: self.measure(moving, _source_side))
        if not done:
            raise Refusal("planned failover to %s refused, nothing was changed: %s did not drain to a lag of at most %s "
                          "within %s s; stop the writers on the source, check the link, or set force=true (the writes "
                          "not replicated are lost): %s" % (
                              self.names[self.primary], "these pairs" if len(behind(lags)) > 1 else "this pair",
                              format_seconds(self.max_lag), self.waiter.timeout, "; ".join(
                                  "%s: %s" % (i.spec.label, _lag_text(lags[i.spec.index])) for i in behind(lags))))
        self.drained = True
        for item in moving:
            lag = lags[item.spec.index]
            self.lags[item.spec.index] = {"lag_seconds": lag.lag_seconds, "async_delay": lag.async_delay}

    # ---- the rounds --------------------------------------------------------------------------
    def execute(self, plan: FailoverPlan) -> Tuple[Set[int], bool]:
        # Declared pauses catch up alone first; the move is planned again once they are Active.
        if any(i.catch_up for i in plan.items):
            return self.run_phases([p for p in plan.phases if p[0] == CATCH_UP])
        return self.run_phases(plan.phases)

    def record(self, plan: FailoverPlan, failed: Set[int]) -> None:
        catching = [i for i in plan.items if i.catch_up]
        for item in catching or plan.items:
            if item.has_work and item.spec.index not in failed:
                self.changes.setdefault(item.spec.index, []).extend(item.changes)

    def after_round(self, plan: FailoverPlan, failed: Set[int], retry: bool) -> None:
        catching = [i for i in plan.items if i.catch_up and i.spec.index not in failed]
        if catching:
            self.wait_caught_up(catching)
            return
        staged = {i.spec.index for i in plan.items if i.staged and i.spec.index not in failed}
        if staged:
            # Let the survivor's writes reach the returning site before the direction moves.
            self.wait_until(self.read(), staged, _active, "become Active",
                            "after its reprotect; run again to finish the move")

    def settle(self, state: Clusters) -> Clusters:
        if not self.waiter.enabled or self.unplanned:
            return state
        return self.wait_until(state, None, lambda item: settled(item, self.primary),
                               "reach its steady state (Active, or paused on %s as declared)" % self.names[self.primary])

    def wait_caught_up(self, items: List[FailoverItem]) -> None:
        """Wait until the declared-paused pairs that were resumed are Active. When one is not in
        time, pause them all again as declared and refuse the failover: nothing was moved."""
        indexes = {i.spec.index for i in items}
        clusters = self.wait_until(self.read(), indexes, _active, "become Active", record=False)
        late = self.lagging(clusters, indexes, _active)
        if not late:
            return
        self.run_actions([Action(side, "ModifyVolumePair", {"volumeID": item.volumes[side].volume_id,
                                                            "pausedManual": True},
                                 "pause %s on %s again, as declared: it did not catch up in time" % (
                                     item.volumes[side].name, self.names[side]))
                          for item in items for side in item.catch_up])
        raise Refusal("planned failover to %s refused, nothing was moved: %s" % (self.names[self.primary], "; ".join(
            "%s is declared paused; it was resumed so that its target could catch up, but it did not become "
            "Active within %s s (state %s on %s, %s on %s); it is paused again as declared" % (
                item.spec.label, self.waiter.timeout, _state(item, LOCAL), self.names[LOCAL], _state(item, PEER),
                self.names[PEER]) for item in late)))

    def lagging(self, clusters: Clusters, indexes: Optional[Set[int]],
                reached: Callable[[FailoverItem], bool]) -> List[FailoverItem]:
        plan = self.plan_pairs(clusters, checked=True)
        return [i for i in plan.items if not i.refusal and (indexes is None or i.spec.index in indexes)
                and not reached(i)]

    def wait_until(self, clusters: Clusters, indexes: Optional[Set[int]], reached: Callable[[FailoverItem], bool],
                   what: str, hint: str = "", record: bool = True) -> Clusters:
        """Poll until every pair (or those of indexes) has reached(), or the wait times out; the
        pairs that have not are recorded as failed."""
        clusters, _done = self.waiter.until(clusters, lambda c: not self.lagging(c, indexes, reached), self.read)
        for item in self.lagging(clusters, indexes, reached) if record else ():
            self.errors[item.spec.index] = "%s did not %s within %s s (state %s on %s, %s on %s)%s" % (
                item.spec.label, what, self.waiter.timeout, _state(item, LOCAL), self.names[LOCAL],
                _state(item, PEER), self.names[PEER], (" " + hint) if hint else "")
        return clusters


def _read(clusters: Clusters, side: str) -> ClusterState:
    """A cluster the run has read (the lost cluster of an unplanned failover is never planned on)."""
    cluster = clusters[side]
    if cluster is None:
        raise AssertionError("cluster %s was not read" % side)
    return cluster


def _stats_and_snapshots(client: Any) -> LagInputs:
    """ListVolumeStats and ListSnapshots of one cluster, in parallel (one round trip)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        stats = pool.submit(read_stats, client)
        snapshots = pool.submit(read_snapshots, client)
        try:
            return LagInputs(stats=stats.result(), snapshots=snapshots.result())
        except ElementError as exc:
            return LagInputs(error=str(exc))


def _drained(lag: Lag, max_lag: float) -> bool:
    return lag.lag_seconds is not None and lag.lag_seconds <= max_lag


def _source_side(item: FailoverItem) -> str:
    side = item.old_source
    if side is None:
        raise AssertionError("%s moves but has no source" % item.spec.label)
    return side


def _lag_text(lag: Lag) -> str:
    if lag.lag_seconds is None:
        return "lag unknown (%s)" % "; ".join(f["text"] for f in lag.findings) if lag.findings else "lag unknown"
    return "%s behind" % format_seconds(lag.lag_seconds)


def _state(item: FailoverItem, side: str) -> Optional[str]:
    volume = item.volumes.get(side)
    return volume.pair.state if volume is not None and volume.pair is not None else None


def _active(item: FailoverItem) -> bool:
    return _state(item, LOCAL) == ACTIVE and _state(item, PEER) == ACTIVE
