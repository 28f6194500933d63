# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs element_volume_pair with its replication modes spelled as the API spells them, so that
the module's documented choices (Async, Sync, SnapshotsOnly) accept any case, as the API does."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.element.replication.plugins.module_utils._element import canonical_mode


def _canonical(value):
    return canonical_mode(value) or value  # a value that is no mode is left for the module to refuse


class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        if isinstance(args.get("mode"), str):
            args["mode"] = _canonical(args["mode"])
        if isinstance(args.get("pairs"), list):
            args["pairs"] = [dict(item, mode=_canonical(item["mode"])) if isinstance(item, dict)
                             and isinstance(item.get("mode"), str) else item for item in args["pairs"]]
        result.update(self._execute_module(module_name=self._task.resolved_action, module_args=args,
                                           task_vars=task_vars))
        return result
