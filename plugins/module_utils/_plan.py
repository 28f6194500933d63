# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plans: the calls a planner computes and an executor runs, grouped into phases of steps.

A plan (the Plan protocol) has phases, a list of (phase name, [Step]); a Step is the calls for
some items (declared pairs, by index) that run in order; steps of one phase may run in parallel.
Check mode reports the plan itself, so everything a call needs to be shown is in its Action.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Protocol, Sequence, Set, Tuple

from ansible_collections.element.replication.plugins.module_utils._element import chunks, redact_params

LOCAL = "local"
PEER = "peer"

# Item indexes besides a declared pair's own (1, 2, ...).
WHOLE = 0  # the one item of a plan that succeeds or fails as a whole (a cluster pair, a schedule)
NO_ITEM = -1  # where a failed step that serves no item (a cleanup) records its error


class Placeholder(str):
    """A parameter value only known while the plan runs (a pairing key, a new volume's ID)."""


class NamedPlaceholder(Placeholder):
    """A placeholder for the value belonging to something named (a volume): TEMPLATE % name."""
    TEMPLATE = "<%s>"
    name: str

    def __new__(cls, name: str) -> "NamedPlaceholder":
        placeholder = super().__new__(cls, cls.TEMPLATE % name)
        placeholder.name = name
        return placeholder


# The keys exist only inside the executor, for a moment; plans and reports show these instead.
KEY_FROM_START = Placeholder("<key returned by the StartClusterPairing above>")
VOLUME_KEY_FROM_START = Placeholder("<key returned by the StartVolumePairing above>")


@dataclass
class Action:
    """One API call on one side. accept names the Element errors that mean its goal is reached
    anyway (the call then counts as done); bulk names the list parameter whose entries belong to
    the items of its step, in order (so that failed items can be taken out)."""
    side: str  # LOCAL or PEER
    method: str
    params: Dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    accept: Tuple[str, ...] = ()
    bulk: Optional[str] = None

    def to_result(self, names: Dict[str, str]) -> Dict[str, Any]:
        """The reported form: the cluster's name, the call, and no secret."""
        params = {k: (str(v) if isinstance(v, Placeholder) else v) for k, v in self.params.items()}
        return {"cluster": names.get(self.side, self.side), "side": self.side, "method": self.method,
                "params": redact_params(params), "reason": self.reason}


@dataclass
class Step:
    """Calls run in order for the items (declared pairs, by index) they serve; () for none."""
    items: Tuple[int, ...]
    actions: List[Action]

    def without(self, failed: Set[int]) -> Optional["Step"]:
        """This step for the items that have not failed, or None when nothing is left to do. Only
        a bulk call (one call for several items) can serve part of its items."""
        if not failed.intersection(self.items):
            return self
        action = self.actions[0]
        if action.bulk is None or len(self.actions) != 1:
            return None
        keep = [i for i, index in enumerate(self.items) if index not in failed]
        if not keep:
            return None
        values = action.params[action.bulk]
        params = dict(action.params, **{action.bulk: [values[i] for i in keep]})
        return Step(tuple(self.items[i] for i in keep), [Action(action.side, action.method, params, action.reason,
                                                                action.accept, action.bulk)])


Phases = List[Tuple[str, List[Step]]]


# ---- the contract between a planner and the run skeleton (_executor.Runner) -----------------------

class Indexed(Protocol):
    """What names a declared item (a PairSpec): its index, under which its errors are kept."""
    @property
    def index(self) -> int:
        """The item's index among the module's declared items."""


class PlanItem(Protocol):
    """One declared item of a plan (a pair): why it is refused, what it changes in words, and
    whether it has calls to make."""
    @property
    def spec(self) -> Indexed:
        """The declared item this plans for."""

    @property
    def refusal(self) -> Optional[str]:
        """Why the item is refused (nothing runs for it), or None."""

    @property
    def changes(self) -> List[str]:
        """What its calls change, in words."""

    @property
    def has_work(self) -> bool:
        """Whether it has calls to make."""


class Plan(Protocol):
    """What a planner returns: the phases to run, every call (what check mode reports), and one
    item per declared pair (empty for a WholePlan)."""
    @property
    def phases(self) -> Phases:
        """The phases to run, in order."""

    @property
    def actions(self) -> List[Action]:
        """Every call, in order: what check mode reports."""

    @property
    def items(self) -> Sequence[PlanItem]:
        """One item per declared item (empty for a WholePlan)."""


class WholePlan:
    """A plan that is one item, WHOLE (a cluster pair, a schedule, a split-site step): its steps
    serve WHOLE, a failed step stops the steps after it, and it reports no per-item outcome, since
    its planner raises a Refusal rather than refusing an item."""

    @property
    def items(self) -> Sequence[PlanItem]:
        return ()

    @staticmethod
    def step(actions: Sequence[Action]) -> Step:
        return Step((WHOLE,), list(actions))


def actions_of(phases: Phases) -> List[Action]:
    """Every call of the phases, in order."""
    return [a for _name, steps in phases for step in steps for a in step.actions]


def phases(*named: Tuple[str, Sequence[Step]]) -> Phases:
    """The phases that have something to do, in the order given."""
    return [(name, list(steps)) for name, steps in named if steps]


def modify_volumes_steps(side: str, volumes: Sequence[Tuple[int, Any]], reason: str, **settings: Any) -> List[Step]:
    """ModifyVolumes on one side for (item index, volume ID) pairs, in chunks of MODIFY_VOLUMES_CHUNK
    volumes: one bulk step per call, serving the items of its volumes. reason has a %d for the
    call's number of volumes; settings are what each volume gets (access=..., attributes=...)."""
    return [Step(tuple(index for index, _volume_id in chunk), [Action(
        side, "ModifyVolumes", dict({"volumeIDs": [volume_id for _index, volume_id in chunk]}, **settings),
        reason % len(chunk), bulk="volumeIDs")]) for chunk in chunks(volumes)]


@dataclass
class Waiter:
    """Polling until the clusters reach a state: whether to wait at all, for how long, how often."""
    enabled: bool = True
    timeout: float = 60
    interval: float = 1.0
    sleep: Callable[[float], Any] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def until(self, state: Any, done: Callable[[Any], bool], read: Callable[[], Any]) -> Tuple[Any, bool]:
        """Read again until done(state) or the timeout passes. Returns (last state, done)."""
        deadline = self.clock() + self.timeout
        while not done(state):
            if self.clock() >= deadline:
                return state, False
            self.sleep(self.interval)
            state = read()
        return state, True
