# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running a module's main() in-process against in-memory clusters (after community.hrobot's
BaseTestModule): the module's AnsibleModule exits by raising, and every ElementClient the
module builds is a FakeElementClient bound to the FakeCluster of its hostname."""

from __future__ import annotations

import contextlib
import json
from unittest import mock

from ansible.module_utils import basic

from ansible_collections.element.replication.plugins.module_utils._errors import ElementError
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import FakeClient

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # pragma: no cover - ansible-core before 2.19
    patch_module_args = None

CONNECTION = "ansible_collections.element.replication.plugins.module_utils._connection.ElementClient"
PASSWORD = "hunter2-admin-pw"
PEER_PASSWORD = "hunter2-peer-pw"
KEY_PASSWORD = "pairing-key-pw"  # the cluster admin's credentials a cluster pairing key carries


class AnsibleExitJson(Exception):
    pass


class AnsibleFailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def _fail_json(self, msg, **kwargs):
    kwargs.update(failed=True, msg=msg)
    raise AnsibleFailJson(kwargs)


@contextlib.contextmanager
def module_args(args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    with mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()):
        yield


def connection(cluster, password=PASSWORD, **extra):
    return dict(hostname=cluster.mvip, username="admin", password=password, **extra)


class Fault(Exception):
    """An Element error answer (the fake client turns it into an ElementError, as the real one does)."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name
        self.message = message


class FakeElementClient(FakeClient):
    """ElementClient's interface over a FakeCluster: a name once GetClusterInfo was read, a label
    in errors, accept, close. Every call is logged (FakeClient.calls)."""

    def __init__(self, cluster, hostname, port=443, display_name=None, **_ignored):
        super().__init__(name=None, answers=cluster.answers())
        self.cluster = cluster
        self.display_name = display_name
        self.address = "%s:%s" % (hostname, port)
        self.closed = False

    @property
    def label(self):
        name = self.name or self.display_name
        return "%s (%s)" % (name, self.address) if name else self.address

    def call(self, method, params=None, accept=(), retries=None, timeout=None):
        if self.cluster.offline:
            self.calls.append((method, dict(params or {})))
            raise ElementError(self.label, method, "cannot connect to %s: no answer within %s s" % (
                self.address, timeout), kind="connection")
        try:
            return super().call(method, params, accept, retries, timeout)
        except Fault as fault:
            if fault.name in accept:
                return None
            raise ElementError(self.label, method, fault.message, kind="api", name=fault.name, code=500)

    def close(self):
        self.closed = True


class ModuleRun:
    """Runs a module's main() with the clusters of a FakeNetwork; keeps the clients it built."""

    def __init__(self, network):
        self.network = network
        self.clients = []

    def _client(self, hostname, **kwargs):
        client = FakeElementClient(self.network.clusters[hostname], hostname, **kwargs)
        self.clients.append(client)
        return client

    def __call__(self, module, args, check_mode=False, diff=False):
        """The module's result (failed=True when it failed)."""
        self.clients = []
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        with module_args(args), mock.patch(CONNECTION, side_effect=self._client), \
                mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), \
                mock.patch.object(basic.AnsibleModule, "fail_json", _fail_json):
            try:
                module.main()
            except AnsibleExitJson as exc:
                return exc.args[0]
            except AnsibleFailJson as exc:
                return exc.args[0]
        raise AssertionError("the module neither exited nor failed")

    def calls(self):
        """(cluster name, method) of every call the last run made, in the order they started."""
        timed = [(entry[3], c.cluster.name, entry[0]) for c in self.clients for entry in c.timeline]
        return [(name, method) for _started, name, method in sorted(timed)]

    def mutating(self):
        return [(name, method) for name, method in self.calls() if not method.startswith(("Get", "List"))]


def hex_key(fields):
    return json.dumps(fields, sort_keys=True).encode("utf-8").hex()


def unhex(key):
    return json.loads(bytes.fromhex(key).decode("utf-8"))
