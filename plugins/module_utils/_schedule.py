# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Snapshot schedules: what a declared schedule is in Element's terms, how it differs from the
schedule a cluster has, and the calls that close the gap. Pure, except the runner.

A schedule is identified by its name and a marker in its attributes (next to Element's own
"frequency" attribute), so that a schedule made by hand is never taken over silently.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from ansible_collections.element.replication.plugins.module_utils._durations import format_seconds
from ansible_collections.element.replication.plugins.module_utils._element import resolve_volume
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._executor import Runner
from ansible_collections.element.replication.plugins.module_utils._frequency import (
    MAX_GROUP_VOLUMES, Frequency, retention_text)
from ansible_collections.element.replication.plugins.module_utils._plan import (
    LOCAL, WHOLE, Action, Phases, Waiter, WholePlan, phases)
from ansible_collections.element.replication.plugins.module_utils._state import (
    SCHEDULE_MARKER, ClusterState, Existing, read_cluster, read_schedules, read_stats)

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._connection import Connections

ScheduleState = Tuple[ClusterState, List[Existing]]  # the cluster and its schedules, as read


@dataclass(frozen=True)
class Declared:
    """A snapshot schedule as the options declare it."""
    name: str
    frequency: Frequency
    volumes: Tuple[Any, ...]  # names, or IDs (ints)
    account: Optional[str] = None
    retain: Optional[float] = None  # seconds; None: snapshots are kept until deleted
    replicate: bool = False
    paused: bool = False
    snapshot_name: Optional[str] = None
    state: str = "present"

    def check(self) -> None:
        """What Element would refuse, or what would not protect anything, refused before any call."""
        if not self.volumes and self.state == "present":
            raise Refusal("schedule %s names no volume" % self.name)
        if len(self.volumes) > MAX_GROUP_VOLUMES:
            raise Refusal("schedule %s names %d volumes, more than Element puts in one group snapshot (%d): split them "
                          "over several schedules" % (self.name, len(self.volumes), MAX_GROUP_VOLUMES))
        if self.retain is not None and self.retain < self.frequency.interval:
            raise Refusal("schedule %s keeps its snapshots %s, less than the %s between its runs: there would be times "
                          "without any snapshot; retain at least %s" % (
                              self.name, format_seconds(self.retain), format_seconds(self.frequency.interval),
                              format_seconds(self.frequency.interval)))


@dataclass
class SchedulePlan(WholePlan):
    """One schedule, one whole: its refusals raise."""
    declared: Declared
    existing: Optional[Existing]
    volume_ids: Tuple[int, ...] = ()
    actions: List[Action] = field(default_factory=list)
    changes: List[str] = field(default_factory=list)

    @property
    def phases(self) -> Phases:
        return phases(("schedule", [self.step([a]) for a in self.actions]))

    def desired_view(self) -> Dict[str, Any]:
        if self.declared.state == "absent":
            return {}
        fields = self.declared.frequency.api()
        return {"schedule_id": self.existing.schedule_id if self.existing else "(new)", "name": self.declared.name,
                "frequency": self.declared.frequency.kind, "hours": fields["hours"], "minutes": fields["minutes"],
                "weekdays": list(self.declared.frequency.weekdays), "monthdays": list(self.declared.frequency.monthdays),
                "volume_ids": list(self.volume_ids),
                "snapshot_name": self.declared.snapshot_name or self.declared.name,
                "retention": retention_text(self.declared.retain) if self.declared.retain is not None else None,
                "replicate": self.declared.replicate, "paused": self.declared.paused,
                "last_run_status": self.existing.raw.get("lastRunStatus") if self.existing else None,
                "last_run_time_started": (self.existing.raw.get("lastRunTimeStarted") or None) if self.existing else None,
                "has_error": bool(self.existing.raw.get("hasError")) if self.existing else False, "ours": True}


def _schedule_fields(declared: Declared, volume_ids: Tuple[int, ...], attributes: Dict[str, Any]) -> Dict[str, Any]:
    # one volume: single snapshots (volumeID); several: group snapshots (volumes)
    info: Dict[str, Any] = {"name": declared.snapshot_name or declared.name,
                            "enableRemoteReplication": declared.replicate}
    if len(volume_ids) == 1:
        info["volumeID"] = volume_ids[0]
    else:
        info["volumes"] = list(volume_ids)
    if declared.retain is not None:
        info["retention"] = retention_text(declared.retain)
    return dict(declared.frequency.api(), scheduleName=declared.name, scheduleType="Snapshot",
                attributes=dict(attributes, frequency=declared.frequency.kind, **{SCHEDULE_MARKER: declared.name}),
                scheduleInfo=info, paused=declared.paused, recurring=True)


def plan_schedule(cluster: ClusterState, schedules: List[Existing], declared: Declared) -> SchedulePlan:
    """Create, change, pause or delete the declared schedule on this cluster. Pure."""
    declared.check()
    named = [s for s in schedules if s.name == declared.name and not s.deleted]
    foreign = [s for s in named if not s.ours]
    if foreign:
        raise Refusal("schedule %s (ID %s) on cluster %s was not made by element.replication (no marker in its "
                      "attributes): it is never taken over; rename it, or give this schedule another name, nothing was "
                      "changed" % (foreign[0].name, foreign[0].schedule_id, cluster.identity.name))
    existing = named[0] if named else None
    plan = SchedulePlan(declared=declared, existing=existing)
    if declared.state == "absent":
        if existing is not None:
            plan.actions.append(Action(LOCAL, "ModifySchedule", {"scheduleID": existing.schedule_id,
                                                                 "toBeDeleted": True},
                                       "delete schedule %s" % declared.name))
            plan.changes.append("deleted schedule %s" % declared.name)
        return plan
    ids = []
    for volume in declared.volumes:
        found, problem = resolve_volume(cluster, volume if isinstance(volume, int) else None,
                                        None if isinstance(volume, int) else str(volume), declared.account, "scheduled")
        if problem or found is None:
            raise Refusal("schedule %s: %s" % (declared.name, problem))
        ids.append(found.volume_id)
    plan.volume_ids = tuple(sorted(set(ids)))
    desired = plan.desired_view()
    if existing is None:
        plan.actions.append(Action(LOCAL, "CreateSchedule", _schedule_fields(declared, plan.volume_ids, {}),
                                   "create schedule %s: %s" % (declared.name, declared.frequency.describe())))
        kind = "replicated" if declared.replicate else "local"
        plan.changes.append("created schedule %s (%s, %s)" % (declared.name, declared.frequency.describe(), kind))
        return plan
    current = existing.view()
    differs = [key for key in ("frequency", "hours", "minutes", "weekdays", "monthdays", "volume_ids", "snapshot_name",
                               "retention", "replicate", "paused") if current[key] != desired[key]]
    if differs:
        plan.actions.append(Action(LOCAL, "ModifySchedule", dict(
            _schedule_fields(declared, plan.volume_ids, existing.raw.get("attributes") or {}),
            scheduleID=existing.schedule_id),
            "bring schedule %s to the declared %s" % (declared.name, ", ".join(differs))))
        plan.changes.append("changed schedule %s: %s" % (declared.name, ", ".join(
            "%s %s -> %s" % (key, current[key], desired[key]) for key in differs)))
    return plan


class ScheduleRunner(Runner[ScheduleState, SchedulePlan]):
    """Converges one snapshot schedule on one cluster (read, plan, execute, read again)."""

    def __init__(self, connections: Connections, declared: Declared, check_mode: bool = False) -> None:
        super().__init__({LOCAL: connections.local}, check_mode, parallel=1, waiter=Waiter(enabled=False))
        self.declared = declared
        self.changes_made: List[str] = []

    def read(self) -> ScheduleState:
        cluster = read_cluster(self.clients[LOCAL], volumes=self.declared.state == "present",
                               accounts=self.declared.account is not None)
        self.names = {LOCAL: cluster.identity.name}
        return cluster, read_schedules(self.clients[LOCAL])

    def plan(self, state: ScheduleState) -> SchedulePlan:
        cluster, schedules = state
        return plan_schedule(cluster, schedules, self.declared)

    def prepare(self, action: Action, state: Dict[str, Any]) -> Dict[str, Any]:
        params = dict(action.params)
        if action.method == "CreateSchedule":
            # Element lists no creation time: a startingDate of the cluster's own clock tells when a
            # schedule that has not run yet runs first, and when it is late (the audit's next run at T).
            starting = self._cluster_now(params)
            if starting is not None:
                params["startingDate"] = starting
        return params

    def _cluster_now(self, params: Dict[str, Any]) -> Optional[str]:
        info = params.get("scheduleInfo") or {}
        volume = info.get("volumeID", (info.get("volumes") or [None])[0])
        try:
            stats = read_stats(self.clients[LOCAL], [volume])
        except ElementError:
            return None  # no startingDate: the schedule starts when it is made, as without one
        now = next((s.timestamp for s in stats.values()), None)
        return None if now is None else datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def record(self, plan: SchedulePlan, failed: Set[int]) -> None:
        if WHOLE not in failed:
            self.changes_made += plan.changes

    def after_round(self, plan: SchedulePlan, failed: Set[int], retry: bool) -> None:
        if WHOLE in self.exceptions:
            raise self.exceptions[WHOLE]

    def partial_result(self) -> Dict[str, Any]:
        return dict(super().partial_result(), changes=self.changes_made)

    def not_converged(self, plan: SchedulePlan) -> None:
        raise Refusal("schedule %s on cluster %s is not as declared after %d attempts: %s; still to do: %s" % (
            self.declared.name, self.names[LOCAL], self.MAX_ROUNDS, self.why_not_converged(),
            "; ".join(a.reason for a in plan.actions)))

    def run(self) -> bool:
        changed = super().run()
        if not self.check_mode and not changed and self.lost_answers and self.first_plan.actions:
            # A call whose answer was lost took effect: the read after it found nothing left to do.
            self.changes_made += self.first_plan.changes
            return True
        return changed

    def last_plan_view(self) -> Optional[Dict[str, Any]]:
        """The schedule as the last read found it ({} when absent); None before any read."""
        if self._last_state is None:
            return None
        found = [s for s in self._last_state[1] if s.name == self.declared.name and s.ours and not s.deleted]
        return found[0].view() if found else {}
