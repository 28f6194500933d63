# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_audit: the audit in the controller's own process. A module run costs a
new Python, its imports compiled again and the topology passed as JSON; here the audit costs its
reads and its work. Where the controller's Python has no requests, the module does it instead."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase
from ansible_collections.element.replication.plugins.module_utils._audit_run import audit_plan, run_audit
from ansible_collections.element.replication.plugins.module_utils._connection import (
    REQUESTS_IMPORT_ERROR, SecretScrubber, cluster_clients, insecure)
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.modules.element_replication_audit import SPEC

MODULE = "element.replication.element_replication_audit"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # nothing runs on a target
        if REQUESTS_IMPORT_ERROR:
            result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
            return result
        _validation, args = self.validate_argument_spec(argument_spec=SPEC.argument_spec)
        if args["parallel"] < 1:
            return dict(result, failed=True, msg="parallel must be at least 1, not %s" % args["parallel"])
        scrubber = SecretScrubber()
        clients = {}
        try:
            plan = audit_plan(args)
            clients = cluster_clients(args["clusters"], scrubber)
            changed, found, (before, after) = run_audit(args, plan, clients, self._task.check_mode, scrubber.scrub)
        except Refusal as error:
            return dict(result, failed=True, msg=scrubber.scrub(str(error)))
        except OSError as error:
            return dict(result, failed=True, msg=scrubber.scrub("cannot write the replication report %s: %s" % (
                args["report_path"], to_native(error))))
        finally:
            for client in clients.values():
                client.close()
        if self._task.diff:
            result["diff"] = {"before": before, "after": after}
        warnings = insecure(args["clusters"])
        if warnings:
            result["warnings"] = warnings
        result.update(found, changed=changed)
        return result
