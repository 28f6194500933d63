# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark-only callback: writes how long each task took, and the play's outcome counts, to the
JSON file named by BENCH_TIMER_FILE. The benchmark reads it to say where a playbook's time goes
and whether the run changed or failed anything, without parsing the human-readable output."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Task durations and outcome counts as JSON for bench/run.py
description: Writes per-task wall seconds and ok/changed/failed counts to the file named by BENCH_TIMER_FILE.
requirements:
  - enabled in the callbacks_enabled setting
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.started = time.monotonic()
        self.tasks = []  # [name, seconds], in the order they ran; a task seen again adds up
        self.current = None
        self.counts = {"ok": 0, "changed": 0, "failed": 0, "skipped": 0, "unreachable": 0}

    def _close_task(self):
        if self.current is not None:
            self.current[1] = round(time.monotonic() - self.current[2], 4)
            self.tasks.append(self.current[:2])
            self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_task()
        self.current = [task.get_name(), 0.0, time.monotonic()]

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def v2_runner_on_ok(self, result):
        self.counts["changed" if result._result.get("changed") else "ok"] += 1

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self.counts["ok" if ignore_errors else "failed"] += 1

    def v2_runner_on_skipped(self, result):
        self.counts["skipped"] += 1

    def v2_runner_on_unreachable(self, result):
        self.counts["unreachable"] += 1

    def v2_playbook_on_stats(self, stats):
        self._close_task()
        path = os.environ.get("BENCH_TIMER_FILE")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"tasks": self.tasks, "counts": self.counts,
                           "seconds": round(time.monotonic() - self.started, 4)}, handle)
