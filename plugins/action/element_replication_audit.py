# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_audit: the audit in the controller's own process. A module run costs a
new Python, its imports compiled again and the topology passed as JSON; here the audit costs its
reads and its work. Where the controller's Python has no requests, the module does it instead."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible_collections.element.replication.plugins.module_utils._audit_run import audit_plan, run_audit
from ansible_collections.element.replication.plugins.module_utils._connection import (
    REQUESTS_IMPORT_ERROR, SecretScrubber, cluster_clients, insecure)
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._topology import inventory_connection, problems
from ansible_collections.element.replication.plugins.modules.element_replication_audit import SPEC

MODULE = "element.replication.element_replication_audit"
USER_VARIABLE = "element_replication_topology"


def inventory_clusters(args, task_vars):
    """The clusters option taken from the inventory, as the roles take it, after checking the
    topology against the inventory (Refusal with every problem, naming the entries)."""
    topology = args.get("topology")
    name = args.get("topology_name") or USER_VARIABLE
    if topology is None:
        raise Refusal("No replication topology: set %s to a list of entries such as {source: prod, target: dr, "
                      "volumes: [{volume: db01}]}." % " or ".join(sorted({USER_VARIABLE, name})))
    found = problems(topology, task_vars["hostvars"], task_vars["groups"]["all"],
                     play_hosts=task_vars.get("ansible_play_hosts_all"), name=name, needs_both=True)
    if found and name != USER_VARIABLE and task_vars.get(USER_VARIABLE) == topology:
        # the role's variable holds the user's: name the one the user set (read only on failure, it is large)
        found = problems(topology, task_vars["hostvars"], task_vars["groups"]["all"],
                         play_hosts=task_vars.get("ansible_play_hosts_all"), name=USER_VARIABLE, needs_both=True)
    if found:
        raise Refusal("\n".join(found))
    hosts = sorted({entry[role] for entry in topology for role in ("source", "target")})
    try:
        return [dict(inventory_connection(task_vars["hostvars"][host], host), name=host) for host in hosts]
    except ValueError as error:
        raise Refusal(str(error)) from None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # nothing runs on a target
        module_args = dict(self._task.args)
        if module_args.get("clusters") is None:
            try:
                module_args["clusters"] = inventory_clusters(module_args, task_vars or {})
            except Refusal as error:
                return dict(result, failed=True, msg=str(error))
        if REQUESTS_IMPORT_ERROR:
            result.update(self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars))
            return result
        # validate_argument_spec() reads the task's own args; these may carry the inventory's clusters
        validation = ArgumentSpecValidator(SPEC.argument_spec).validate(module_args)
        if validation.error_messages:
            unsupported = isinstance(validation.errors.errors[0], UnsupportedError)
            return dict(result, failed=True, msg=("Unsupported parameters for (%s) module: " % MODULE if unsupported else "")
                        + validation.errors.msg)
        args = validation.validated_parameters
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
