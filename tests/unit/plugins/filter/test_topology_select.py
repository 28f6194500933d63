# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Selecting the topology entries a failover or rehearsal works on."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.filter.topology_plan import topology_plan
from ansible_collections.element.replication.plugins.filter.topology_select import FilterModule, topology_select

PLAN = topology_plan([
    {"source": "prod", "target": "dr", "volumes": [{"volume": "db01"}]},
    {"source": "edge", "target": "dr", "volumes": [{"volume": "files"}]},
    {"source": "old", "target": "dr", "state": "absent", "volumes": [{"volume": "gone"}]},
    {"source": "bare", "target": "dr"},
])


def chosen(wanted):
    result = topology_select(PLAN, wanted)
    return [e["source"] for e in result["entries"]], result["unknown"]


@pytest.mark.parametrize("wanted", [None, [], "", " , "])
def test_nothing_selected_means_every_present_entry_with_volumes(wanted):
    assert chosen(wanted) == (["prod", "edge"], [])


def test_by_source_target_and_by_index_as_a_list_or_a_comma_string():
    assert chosen(["edge:dr"]) == (["edge"], [])
    assert chosen("1, prod:dr") == (["prod", "edge"], [])
    assert chosen([0]) == (["prod"], [])


def test_unknown_selectors_are_named():
    assert chosen("prod:dr,dr:prod,9") == (["prod"], ["dr:prod", "9"])


def test_absent_or_empty_entries_are_known_but_never_selected():
    assert chosen("old:dr,3") == ([], [])


def test_the_filter_is_registered():
    assert FilterModule().filters()["topology_select"] is topology_select
