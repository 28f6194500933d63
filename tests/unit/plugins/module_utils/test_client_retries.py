# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which calls the client sends again (the retry rule), on a client whose one round trip is
scripted in memory (no HTTP server, no mock of requests)."""

from __future__ import annotations

import pytest

pytest.importorskip("requests")

from ansible_collections.element.replication.plugins.module_utils._client import (  # noqa: E402
    ElementClient, is_read)
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import api_error  # noqa: E402


class ScriptedClient(ElementClient):
    """ElementClient whose round trip raises the scripted errors in turn, then answers {}."""

    def __init__(self, *errors, **kwargs):
        super().__init__("prod.example", "admin", "admin-password", sleep=lambda s: None, **kwargs)
        self.script = list(errors)
        self.sent = []

    def _call_once(self, method, params, timeout=None):
        self.sent.append(method)
        if self.script:
            raise self.script.pop(0)
        return {"ok": True}


@pytest.mark.parametrize("method, read", [("GetClusterInfo", True), ("ListVolumes", True),
                                          ("ListActivePairedVolumes", True), ("ModifyVolume", False),
                                          ("StartClusterPairing", False), ("CloneVolume", False),
                                          ("RemoveVolumePair", False)])
def test_reads_are_get_and_list_by_rule(method, read):
    assert is_read(method) is read


CONNECTION_REFUSED = dict(kind="connection", ambiguous=False)
LOST = dict(kind="connection", ambiguous=True)
TIMEOUT = dict(kind="timeout", ambiguous=True)
BUSY_503 = dict(kind="http", code=503)
BUSY_429 = dict(kind="http", code=429)
GATEWAY_502 = dict(kind="http", code=502)


@pytest.mark.parametrize("error, retried", [
    (CONNECTION_REFUSED, True),  # never reached the cluster
    (BUSY_503, True), (BUSY_429, True),  # refused: nothing applied
    (dict(name="xDBConnectionLoss"), True),  # transient Element error: failed as a whole
    (LOST, False), (TIMEOUT, False),  # may have been applied: the runner must read again instead
    (GATEWAY_502, False),
    (dict(name="xVolumeIDDoesNotExist"), False),
])
def test_a_mutating_call_is_sent_again_only_when_it_certainly_was_not_applied(error, retried):
    client = ScriptedClient(api_error("ModifyVolume", **error))
    if retried:
        assert client.call("ModifyVolume", {"volumeID": 1}) == {"ok": True}
        assert client.sent == ["ModifyVolume", "ModifyVolume"]
    else:
        with pytest.raises(Exception):
            client.call("ModifyVolume", {"volumeID": 1})
        assert client.sent == ["ModifyVolume"]


@pytest.mark.parametrize("error", [CONNECTION_REFUSED, LOST, TIMEOUT, BUSY_503, GATEWAY_502,
                                   dict(name="xDBConnectionLoss")])
def test_a_read_is_sent_again_on_any_transient_failure(error):
    client = ScriptedClient(api_error("ListVolumes", **error))
    assert client.call("ListVolumes") == {"ok": True}
    assert client.sent == ["ListVolumes", "ListVolumes"]


def test_a_read_is_not_sent_again_on_an_element_error_that_is_an_answer():
    client = ScriptedClient(api_error("GetVolume", name="xVolumeIDDoesNotExist"))
    with pytest.raises(Exception, match="xVolumeIDDoesNotExist"):
        client.call("GetVolume", {"volumeID": 9})
    assert client.sent == ["GetVolume"]


def test_retries_are_bounded():
    client = ScriptedClient(*[api_error("ListVolumes", **BUSY_503) for _attempt in range(10)], retries=2)
    with pytest.raises(Exception):
        client.call("ListVolumes")
    assert client.sent == ["ListVolumes"] * 3


def test_accepted_errors_return_none_without_a_retry():
    client = ScriptedClient(api_error("RemoveVolumePair", name="xVolumePairDoesNotExist"))
    assert client.call("RemoveVolumePair", {"volumeID": 1}, accept=("xVolumePairDoesNotExist",)) is None
    assert client.sent == ["RemoveVolumePair"]


def test_an_unreachable_cluster_fails_fast_afterwards():
    client = ScriptedClient(*[api_error("GetClusterInfo", **CONNECTION_REFUSED) for _attempt in range(5)], retries=4)
    with pytest.raises(Exception):
        client.call("GetClusterInfo")
    sent = len(client.sent)
    with pytest.raises(Exception):
        client.call("ListVolumes")
    assert len(client.sent) == sent  # no new attempt: it already failed after every retry


def test_calls_in_flight_to_one_cluster_are_bounded_by_its_pool():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    class Slow(ScriptedClient):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.lock = threading.Lock()
            self.now = self.peak = 0

        def _call_once(self, method, params, timeout=None):
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            time.sleep(0.01)
            with self.lock:
                self.now -= 1
            return {}

    client = Slow(pool_size=3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: client.call("ModifyVolume", {"volumeID": i}), range(24)))
    assert client.peak == 3
