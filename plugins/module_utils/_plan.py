# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Plans: ordered API calls per cluster that a planner computes and an executor runs.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ansible_collections.element.replication.plugins.module_utils._client import redact_params

LOCAL = "local"
PEER = "peer"


class Placeholder(str):
    """A parameter value only known while the plan runs (a pairing key, a new volume's ID)."""


class NamedPlaceholder(Placeholder):
    """A placeholder for the value belonging to something named (a volume): TEMPLATE % name."""
    TEMPLATE = "<%s>"

    def __new__(cls, name):
        placeholder = super().__new__(cls, cls.TEMPLATE % name)
        placeholder.name = name
        return placeholder


# The keys exist only inside the executor, for a moment; plans and reports show these instead.
KEY_FROM_START = Placeholder("<key returned by the StartClusterPairing above>")
VOLUME_KEY_FROM_START = Placeholder("<key returned by the StartVolumePairing above>")


@dataclass
class Action:
    side: str  # LOCAL or PEER
    method: str
    params: dict = field(default_factory=dict)
    reason: str = ""

    def to_result(self, names):
        """The reported form: the cluster's name, the call, and no secret."""
        params = {k: (str(v) if isinstance(v, Placeholder) else v) for k, v in self.params.items()}
        return {"cluster": names.get(self.side, self.side), "side": self.side, "method": self.method,
                "params": redact_params(params), "reason": self.reason}


@dataclass
class Waiter:
    """Polling until the clusters reach a state: whether to wait at all, for how long, how often."""
    enabled: bool = True
    timeout: float = 60
    interval: float = 1.0
    sleep: object = time.sleep
    clock: object = time.monotonic

    def until(self, state, done, read):
        """Read again until done(state) or the timeout passes. Returns (last state, done)."""
        deadline = self.clock() + self.timeout
        while not done(state):
            if self.clock() >= deadline:
                return state, False
            self.sleep(self.interval)
            state = read()
        return state, True


class Refusal(Exception):
    """The desired state cannot be reached safely; nothing was (or will be) changed for it."""
