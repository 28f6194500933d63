# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running plans: the one executor (phases of steps, steps in parallel, calls of a step in order)
and the one run skeleton every module drives (Runner: read, plan, execute, read again).

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import abc
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Generic, List, Optional, Set, Tuple, TypeVar, Union

from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._plan import (
    NO_ITEM, Action, Phases, Plan, PlanItem, Step, Waiter, actions_of)

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._client import Client

S = TypeVar("S")  # what a runner's read() returns: the state its planner works on
P = TypeVar("P", bound=Plan)  # what its plan() returns


@dataclass
class StepFailure:
    items: Tuple[int, ...]
    error: ElementError
    retry: bool = False  # the outcome is unknown or another run interfered: read again


class PhaseExecutor:
    """Runs the phases of a plan. A step that fails takes its items out of the later phases; the
    other items go on. Subclasses adapt parameters, results and errors through the hooks."""

    def __init__(self, clients: Dict[str, Client], parallel: int = 4) -> None:
        self.clients = clients
        # parallel calls in flight per cluster (each client holds that many); steps call both
        # clusters in turn, so twice as many workers keep both of them busy.
        self.parallel = max(1, parallel) * max(1, len(clients))
        self.names: Dict[str, str] = {}
        self.errors: Dict[int, str] = {}  # item index -> message; NO_ITEM for steps that serve no item
        self.exceptions: Dict[int, ElementError] = {}  # item index -> the error behind its message
        self._executed: Dict[int, List[Dict[str, Any]]] = {}  # step order -> reported actions
        self.lost_answers: List[ElementError] = []  # calls whose answer never came (read again to know)
        self._order = 0
        self._lock = threading.Lock()

    def executed_actions(self) -> List[Dict[str, Any]]:
        return [a for order in sorted(self._executed) for a in self._executed[order]]

    def run_phases(self, phases: Phases) -> Tuple[Set[int], bool]:
        """Returns (items that failed or need another round, whether another round is needed)."""
        failed = set(self.errors)
        retry = False
        context: Dict[str, Any] = {}  # shared by the steps of one run (e.g. IDs of created volumes)
        for name, steps in phases:
            runnable = [s for s in (self.runnable(step, failed) for step in steps) if s is not None]
            for outcome in self.run_steps(runnable, context):
                if outcome is None:
                    continue
                failed.update(outcome.items)
                if outcome.retry:
                    retry = True
                    if outcome.error.ambiguous:
                        self.lost_answers.append(outcome.error)
                    continue
                for index in outcome.items or (NO_ITEM,):
                    self.errors.setdefault(index, str(outcome.error))
                    self.exceptions.setdefault(index, outcome.error)
            if runnable:
                self.phase_done(name)
        return failed, retry

    @staticmethod
    def runnable(step: Step, failed: Set[int]) -> Optional[Step]:
        """The step for the items that have not failed, or None. A step that serves no item (a
        cleanup) is not sent again once such a step has failed (its error is under NO_ITEM)."""
        if not step.items:
            return None if NO_ITEM in failed else step
        return step.without(failed)

    def run_steps(self, steps: List[Step], context: Optional[Dict[str, Any]] = None) -> List[Optional[StepFailure]]:
        """Run steps at once (at most parallel of them), each one's calls in order: each step's
        failure, or None when it ran. The steps are run as given, and their failures are returned
        rather than recorded: run_phases builds on this, and a runner that paces a phase itself
        (the rehearsal's clones) calls it directly. context is shared by the steps (a new one
        when None)."""
        context = {} if context is None else context
        if self.parallel == 1 or len(steps) < 2:
            return [self._run_step(step, context) for step in steps]
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            return list(pool.map(lambda s: self._run_step(s, context), steps))

    def _run_step(self, step: Step, context: Dict[str, Any]) -> Optional[StepFailure]:
        with self._lock:
            self._order += 1
            done = self._executed.setdefault(self._order, [])
        state: Dict[str, Any] = {"context": context}
        for action in step.actions:
            params = self.prepare(action, state)
            try:
                result = self.clients[action.side].call(action.method, params, accept=action.accept)
            except ElementError as exc:
                return StepFailure(step.items, exc, retry=bool(self.on_error(step, action, params, exc, done, state)))
            done.append(action.to_result(self.names))
            self.after_call(action, params, result or {}, state)
        return None

    def run_actions(self, actions: List[Action], items: Tuple[int, ...] = ()) -> Tuple[Set[int], bool]:
        """Run calls in order, outside any plan (a roll-back, a pause put back)."""
        return self.run_phases([("", [Step(items, [action]) for action in actions])])

    # ---- hooks ------------------------------------------------------------------------------
    def prepare(self, action: Action, state: Dict[str, Any]) -> Dict[str, Any]:
        """The parameters to send for this action."""
        return dict(action.params)

    def after_call(self, action: Action, params: Dict[str, Any], result: Dict[str, Any], state: Dict[str, Any]) -> None:
        """Learn from a successful call (keys, new IDs)."""

    def phase_done(self, name: str) -> None:
        """A phase that had calls to make has run them all (a failover notes when volumes became writable)."""

    def on_error(self, step: Step, action: Action, params: Dict[str, Any], exc: ElementError,
                 done: List[Dict[str, Any]], state: Dict[str, Any]) -> bool:
        """Whether to read again and retry (True) rather than fail the items (False). done lists
        the step's reported calls so far; state is what after_call learnt during the step."""
        return exc.ambiguous


class Runner(PhaseExecutor, Generic[S, P], metaclass=abc.ABCMeta):
    """The run skeleton of every module: read → plan → (check mode: the plan is the answer) →
    execute → read and plan again, until a plan has nothing left to do. The read after the last
    round doubles as the verification of what was done; a round that lost an answer, or met
    another run's change, is simply followed by another. Subclasses supply read() and plan(), and
    adapt the rest through the hooks below.

    S is the state read() returns and plan() works on; P the plan (a _plan.Plan: .phases,
    .actions, and .items, each a _plan.PlanItem with .spec.index, .refusal, .changes, .has_work).
    """

    MAX_ROUNDS = 4  # read-plan-execute rounds when answers were lost or another run got in the way
    VERIFY = True  # read and plan again after executing; a one-shot step (split-site) does not

    def __init__(self, clients: Dict[str, Client], check_mode: bool = False, parallel: int = 4,
                 waiter: Optional[Waiter] = None) -> None:
        super().__init__(clients, parallel)
        self.check_mode = check_mode
        self.waiter = waiter or Waiter()
        self._first: Optional[Tuple[S, P]] = None
        self._last_state: Optional[S] = None
        self.changes: Dict[int, List[str]] = {}
        self.round = 0

    # ---- supplied by every feature ---------------------------------------------------------------
    @abc.abstractmethod
    def read(self) -> S:
        """Read the clusters (and set self.names, so that reported calls name them)."""

    @abc.abstractmethod
    def plan(self, state: S) -> P:
        """The calls that take the clusters from state to the declared state. Never calls a cluster."""

    # ---- what run() found ---------------------------------------------------------------------------
    @property
    def first_state(self) -> S:
        """The state of the first read."""
        return self._first_round()[0]

    @property
    def first_plan(self) -> P:
        """The first plan: check mode's answer."""
        return self._first_round()[1]

    @property
    def last_state(self) -> S:
        """The state of the last read (after settle()): what a run leaves."""
        if self._last_state is None:
            raise AssertionError("run() has not finished")
        return self._last_state

    def _first_round(self) -> Tuple[S, P]:
        if self._first is None:
            raise AssertionError("run() has not read yet")
        return self._first

    # ---- hooks with defaults ----------------------------------------------------------------------
    def waiting(self, plan: P) -> bool:
        """Work the next round may find though this plan has no calls (another run's pairing)."""
        return False

    def before_execute(self, plan: P) -> None:
        """Just before a round's calls (wait for the clusters to be ready, raise to stop)."""

    def execute(self, plan: P) -> Tuple[Set[int], bool]:
        """Run a round's calls: (items that failed or need another round, whether another round is
        needed). A runner that runs part of a plan per round (the failover's catch-up), or paces a
        phase itself (the rehearsal's clones), overrides this."""
        return self.run_phases(plan.phases)

    def record(self, plan: P, failed: Set[int]) -> None:
        """What the items whose calls all ran have changed, in words."""
        for item in plan.items:
            if item.has_work and item.spec.index not in failed:
                self.changes.setdefault(item.spec.index, []).extend(item.changes)

    def after_round(self, plan: P, failed: Set[int], retry: bool) -> None:
        """After a round's calls (wait for something, raise to stop)."""

    def not_converged(self, plan: P) -> None:
        for item in plan.items:
            if item.has_work:
                self.errors.setdefault(item.spec.index, "did not converge after %d attempts: %s" % (
                    self.MAX_ROUNDS, self.why_not_converged()))

    def why_not_converged(self) -> str:
        """What kept the rounds from converging, in words: answers lost (and the state not reached
        when read again), or another run's changes."""
        if self.lost_answers:
            last = self.lost_answers[-1]
            return "the answer to %s on cluster %s was lost %d time(s) (last: %s) and reading the cluster again " \
                   "shows it not done" % (last.method, last.cluster, len(self.lost_answers), last.message)
        return "another run seems to change the same pairs"

    def settle(self, state: S) -> S:
        """After a run that changed something: wait for the clusters to reach the steady state."""
        return state

    def failure(self, exc: Union[ElementError, Refusal]) -> Union[ElementError, Refusal]:
        """A failure of the whole run, as the module reports it (with what to do next)."""
        return exc

    def partial_result(self) -> Dict[str, Any]:
        """What a failed run reports besides its message: what was done so far."""
        return {"actions": self.executed_actions()}

    # ---- the skeleton -----------------------------------------------------------------------------
    def run(self) -> bool:
        """Returns whether anything changed (check mode: would change)."""
        state: Optional[S] = None
        for round_number in range(self.MAX_ROUNDS + 1):
            self.round = round_number
            state = self.read()
            plan = self.plan(state)
            if self._first is None:
                self._first = (state, plan)
            for item in plan.items:
                if item.refusal:
                    self.errors.setdefault(item.spec.index, item.refusal)
            waiting = self.waiting(plan)
            if self.check_mode or (not plan.actions and not waiting):
                break
            if not waiting and not any(self.runnable(step, set(self.errors)) is not None
                                       for _name, steps in plan.phases for step in steps):
                break  # every call left belongs to what has failed already: another round would only read
            if self.round == self.MAX_ROUNDS:
                self.not_converged(plan)
                break
            self.before_execute(plan)
            failed, retry = self.execute(plan)
            self.record(plan, failed)
            self.after_round(plan, failed, retry)
            if not self.VERIFY:
                break
            if retry or waiting:
                self.waiter.sleep(min(2.0, 0.25 * (self.round + 1)))
        self._last_state = state
        if self.check_mode:
            return bool(self.first_plan.actions)
        if self.executed_actions() and state is not None:
            self._last_state = self.settle(state)
        return bool(self.executed_actions())

    def planned_actions(self) -> List[Dict[str, Any]]:
        """The calls of the first plan, as check mode reports them."""
        return [a.to_result(self.names) for a in actions_of(self.first_plan.phases)]

    def reported_actions(self) -> List[Dict[str, Any]]:
        """What the result's actions lists: the calls made, or in check mode the calls planned."""
        return self.planned_actions() if self.check_mode else self.executed_actions()

    def item_changes(self, item: PlanItem) -> List[str]:
        return item.changes if self.check_mode else self.changes.get(item.spec.index, [])
