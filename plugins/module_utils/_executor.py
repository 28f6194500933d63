# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running planned calls: phases of steps, steps in parallel, calls of a step in order.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ansible_collections.element.replication.plugins.module_utils._client import ElementError
from ansible_collections.element.replication.plugins.module_utils._plan import Action

IGNORE = "ignore"  # on_error's answer when the failed call's goal is reached anyway


@dataclass
class Step:
    """Calls run in order for the items (declared pairs, by index) it serves.

    A bulk step (ModifyVolumes) serves several items; its volumeIDs are in the order of items.
    """
    items: tuple
    actions: list

    def without(self, failed):
        """This step for the items that have not failed, or None when nothing is left to do."""
        if not failed.intersection(self.items):
            return self
        if len(self.items) < 2:
            return None
        keep = [i for i, index in enumerate(self.items) if index not in failed]
        if not keep:
            return None
        action = self.actions[0]
        params = dict(action.params, volumeIDs=[action.params["volumeIDs"][i] for i in keep])
        return Step(tuple(self.items[i] for i in keep), [Action(action.side, action.method, params, action.reason)])


@dataclass
class StepFailure:
    items: tuple
    error: ElementError
    retry: bool = False  # the outcome is unknown or another run interfered: read again


class PhaseExecutor:
    """Runs the phases of a plan. A step that fails takes its items out of the later phases; the
    other items go on. Subclasses adapt parameters, results and errors through the hooks."""

    def __init__(self, clients, parallel=4):
        self.clients = clients
        self.parallel = max(1, parallel)
        self.names = {}
        self.errors = {}  # item index -> message; -1 for steps that serve no item
        self._executed = {}  # step order -> reported actions
        self._order = 0
        self._lock = threading.Lock()

    def executed_actions(self):
        return [a for order in sorted(self._executed) for a in self._executed[order]]

    def run_phases(self, phases):
        """Returns (items that failed or need another round, whether another round is needed)."""
        failed = set(self.errors)
        retry = False
        context = {}  # shared by the steps of one run (e.g. IDs of created volumes)
        for _name, steps in phases:
            runnable = [s for s in (step.without(failed) for step in steps) if s is not None]
            for outcome in self._run_parallel(runnable, context):
                if outcome is None:
                    continue
                failed.update(outcome.items)
                if outcome.retry:
                    retry = True
                    continue
                for index in outcome.items or (-1,):
                    self.errors.setdefault(index, str(outcome.error))
        return failed, retry

    def _run_parallel(self, steps, context):
        if self.parallel == 1 or len(steps) < 2:
            return [self._run_step(step, context) for step in steps]
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            return list(pool.map(lambda s: self._run_step(s, context), steps))

    def _run_step(self, step, context):
        with self._lock:
            self._order += 1
            done = self._executed.setdefault(self._order, [])
        state = {"context": context}
        for action in step.actions:
            params = self.prepare(action, state)
            try:
                result = self.clients[action.side].call(action.method, params)
            except ElementError as exc:
                answer = self.on_error(step, action, params, exc, done)
                if answer == IGNORE:
                    continue
                return StepFailure(step.items, exc, retry=bool(answer))
            done.append(action.to_result(self.names))
            self.after_call(action, params, result, state)
        return None

    # ---- hooks ------------------------------------------------------------------------------
    def prepare(self, action, state):
        """The parameters to send for this action."""
        return dict(action.params)

    def after_call(self, action, params, result, state):
        """Learn from a successful call (keys, new IDs)."""

    def on_error(self, step, action, params, exc, done):
        """IGNORE, or whether to read again and retry (True) rather than fail the items (False)."""
        return exc.ambiguous
