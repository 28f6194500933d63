# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_replication_info's main(), in-process, against two in-memory clusters."""

from __future__ import annotations

import json

import pytest

from ansible_collections.element.replication.plugins.modules import (
    element_cluster_pair, element_replication_info, element_volume_pair)
from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import two_clusters
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import (
    PASSWORD, PEER_PASSWORD, ModuleRun, connection)


@pytest.fixture
def world():
    """prod and dr paired, db01 replicated from prod to dr."""
    network, prod, dr = two_clusters()
    run = ModuleRun(network)
    assert run(element_cluster_pair, args(prod, dr))["changed"] is True
    assert run(element_volume_pair, args(prod, dr, volume="db01"))["changed"] is True
    return run, prod, dr


def args(prod, dr, **extra):
    return dict(connection(prod), peer=connection(dr, password=PEER_PASSWORD), **extra)


@pytest.mark.parametrize("check_mode", [False, True])
def test_reads_only_and_reports_both_clusters(world, check_mode):
    run, prod, dr = world
    result = run(element_replication_info, args(prod, dr), check_mode=check_mode)
    assert result["changed"] is False
    assert run.mutating() == []
    assert result["cluster"]["name"] == "prod" and result["peer_cluster"]["name"] == "dr"
    assert [p["status"] for p in result["cluster_pairs"]] == ["Connected"]
    assert [(p["volume_name"], p["remote_volume_id"]) for p in result["volume_pairs"]] == [("db01", 21)]
    assert result["reconciled"]["cluster_pair"]["health"] == "healthy"
    assert len(result["reconciled"]["volume_pairs"]) == 1
    assert result["lag_errors"] == []
    assert result == run(element_replication_info, args(prod, dr), check_mode=check_mode)


def test_one_cluster_without_peer(world):
    run, prod, _dr = world
    result = run(element_replication_info, connection(prod))
    assert result["changed"] is False
    assert "peer_cluster" not in result and "reconciled" not in result
    assert {name for name, _method in run.calls()} == {"prod"}


def test_element_error_names_cluster_method_and_error(world):
    run, prod, dr = world
    dr.fail("ListClusterPairs", "xPermissionDenied", "user admin may not list pairs with %s" % PEER_PASSWORD)
    result = run(element_replication_info, args(prod, dr))
    assert result["failed"] is True
    for part in ("10.0.0.2:443", "ListClusterPairs", "xPermissionDenied", "may not list pairs"):
        assert part in result["msg"]
    assert result["error"]["error_name"] == "xPermissionDenied"
    # the info module's fail path scrubs too (it did not before issue 13)
    text = json.dumps(result)
    assert PEER_PASSWORD not in text and PASSWORD not in text


def test_lag_read_failure_is_reported_not_raised(world):
    run, prod, dr = world
    prod.fail("ListVolumeStats", "xUnknown", "stats are unavailable")
    result = run(element_replication_info, args(prod, dr))
    assert "failed" not in result
    assert len(result["lag_errors"]) == 1 and "stats are unavailable" in result["lag_errors"][0]


def test_secrets_stay_out_of_results(world):
    run, prod, dr = world
    text = json.dumps(run(element_replication_info, args(prod, dr)))
    assert PASSWORD not in text and PEER_PASSWORD not in text


def _plain(value, path="result"):
    """Every value in a result is of a plain JSON type itself, not a subclass (an enum member)."""
    assert type(value) in (str, int, float, bool, type(None), list, dict), "%s is a %s" % (path, type(value))
    if isinstance(value, dict):
        for key, inner in value.items():
            assert key.__class__ is str
            _plain(inner, "%s.%s" % (path, key))
    elif isinstance(value, list):
        for position, inner in enumerate(value):
            _plain(inner, "%s[%d]" % (path, position))


def _codes(value):
    if isinstance(value, dict):
        own = [value["code"]] if "code" in value else []
        return own + [c for inner in value.values() for c in _codes(inner)]
    if isinstance(value, list):
        return [c for inner in value for c in _codes(inner)]
    return []


def test_finding_codes_reach_the_result_as_plain_strings(world):
    run, prod, dr = world
    prod.fail("ListVolumeStats", "xUnknown", "stats are unavailable")
    result = run(element_replication_info, args(prod, dr))
    assert "lag_unknown" in _codes(result)
    _plain(result)
