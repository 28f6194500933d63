# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The settle waits of element_cluster_pair (Connected) and element_volume_pair (Active, or the
declared pause) when the clusters never get there: each fails after wait_timeout, on a virtual
clock (the waiter's seam), naming what it waited for and what the clusters show."""

from __future__ import annotations

import functools
from unittest import mock

from ansible_collections.element.replication.plugins.module_utils._plan import Waiter
from ansible_collections.element.replication.plugins.modules import element_cluster_pair, element_volume_pair
from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import two_clusters
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import (
    PEER_PASSWORD, ModuleRun, connection)


def on_a_virtual_clock(module):
    """Patch module's Waiter onto a clock that a sleep moves; returns (patch, sleeps)."""
    now, sleeps = [0.0], []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds
    return mock.patch.object(module, "Waiter", functools.partial(Waiter, clock=lambda: now[0], sleep=sleep)), sleeps


def args(prod, dr, **extra):
    return dict(connection(prod), peer=connection(dr, password=PEER_PASSWORD), **extra)


def test_a_cluster_pair_that_never_connects_fails_after_wait_timeout():
    network, prod, dr = two_clusters()
    prod.pair_status = dr.pair_status = "Connecting"
    patch, sleeps = on_a_virtual_clock(element_cluster_pair)
    with patch:
        result = ModuleRun(network)(element_cluster_pair, args(prod, dr, wait_timeout=5))
    assert result["failed"] is True
    assert ("the cluster pair between prod and dr did not become Connected within 5 s "
            "(status on prod: Connecting, on dr: Connecting)") in result["msg"], result["msg"]
    assert sum(sleeps) >= 5 and len(sleeps) == 5, sleeps
    assert prod.cluster_pairs and dr.cluster_pairs, "the pairing itself was made"


def test_a_volume_pair_that_never_becomes_active_fails_after_wait_timeout():
    network, prod, dr = two_clusters()
    run = ModuleRun(network)
    assert run(element_cluster_pair, args(prod, dr))["changed"] is True
    prod.resumed_state = dr.resumed_state = "ResumingDataTransfer"
    patch, sleeps = on_a_virtual_clock(element_volume_pair)
    with patch:
        result = run(element_volume_pair, args(prod, dr, volume="db01", wait=True, wait_timeout=10))
    assert result["failed"] is True
    assert result["msg"].startswith("1 of 1 pairs failed: "), result["msg"]
    assert "did not reach Active within 10 s (state ResumingDataTransfer on prod, ResumingDataTransfer on dr)" \
        in result["msg"], result["msg"]
    assert sleeps == [2.0] * 5
    assert dr.volumes[21]["access"] == "replicationTarget", "the pairing itself was made"


def test_without_wait_a_volume_pair_is_not_polled():
    network, prod, dr = two_clusters()
    run = ModuleRun(network)
    run(element_cluster_pair, args(prod, dr))
    prod.resumed_state = dr.resumed_state = "ResumingDataTransfer"
    patch, sleeps = on_a_virtual_clock(element_volume_pair)
    with patch:
        result = run(element_volume_pair, args(prod, dr, volume="db01", wait=False))
    assert result["changed"] is True and not result.get("failed") and sleeps == []
