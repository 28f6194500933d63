# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How every module ends: the "N of M pairs failed" summary, item entries, diff, and the one
fail funnel that always scrubs."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._plan import NO_ITEM
from ansible_collections.element.replication.plugins.module_utils._results import Results
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import FakeClient, api_error

SECRET = "s3cr3t-pairing-key-0123"


class Exited(Exception):
    pass


class FakeModule:
    def __init__(self, diff=False):
        self._diff = diff
        self.result = None
        self.failed = None

    def fail_json(self, **kwargs):
        self.failed, self.result = True, kwargs
        raise Exited()

    def exit_json(self, **kwargs):
        self.failed, self.result = False, kwargs
        raise Exited()


class Scrubber:
    def __init__(self, *secrets):
        self.secrets = secrets

    def scrub(self, text):
        for secret in self.secrets:
            text = text.replace(secret, "********")
        return text


class Conns:
    def __init__(self, *secrets):
        self.scrubber = Scrubber(*secrets)


def finish(module, *args, **kwargs):
    with pytest.raises(Exited):
        Results(module, Conns(SECRET)).finish(*args, **kwargs)
    return module.result


def test_no_errors_exits_with_the_result_and_changed():
    module = FakeModule()
    result = finish(module, True, volume_pairs=[1])
    assert module.failed is False and result == {"changed": True, "volume_pairs": [1]}


def test_summary_counts_failed_pairs_of_all_and_names_them_in_index_order():
    module = FakeModule()
    result = finish(module, True, errors={3: "boom", 1: "bang"}, labels={1: "pair 1 (volume db01)"}, total=5,
                    volume_pairs=[])
    assert module.failed is True
    assert result["msg"] == "2 of 5 pairs failed: pair 1 (volume db01): bang; pair 3: boom"
    assert result["changed"] is True and result["volume_pairs"] == []


def test_a_failed_cleanup_is_named_last_and_is_not_counted_as_a_pair():
    # One declared pair failed, and so did removing the undeclared ones: never "2 of 1 pairs".
    module = FakeModule()
    result = finish(module, False, errors={NO_ITEM: "cleanup broke", 1: "bang"},
                    labels={1: "pair 1", NO_ITEM: "removing undeclared pairs"}, total=1)
    assert result["msg"] == "1 of 1 pairs failed: pair 1: bang; removing undeclared pairs: cleanup broke"


def test_summary_is_scrubbed():
    module = FakeModule()
    result = finish(module, True, errors={1: "key %s refused" % SECRET}, total=1)
    assert SECRET not in result["msg"] and "********" in result["msg"]


def test_diff_only_when_asked_for():
    assert "diff" not in finish(FakeModule(diff=False), True, diff=({"a": 1}, {"a": 2}))
    with_diff = finish(FakeModule(diff=True), True, diff=({"a": 1}, {"a": 2}))
    assert with_diff["diff"] == {"before": {"a": 1}, "after": {"a": 2}}


def test_fail_with_an_element_error_scrubs_the_message_and_the_error_details():
    module = FakeModule()
    exc = api_error("CompleteVolumePairing", "xInvalidPairingKey", "key %s is not valid" % SECRET, cluster="dr")
    with pytest.raises(Exited):
        Results(module, Conns(SECRET)).fail(exc, actions=["done"])
    result = module.result
    assert SECRET not in result["msg"] and "xInvalidPairingKey" in result["msg"]
    assert result["actions"] == ["done"]
    assert result["error"]["error_name"] == "xInvalidPairingKey" and result["error"]["cluster"] == "dr"
    assert SECRET not in repr(result), "a secret left the module in the error details"


def test_fail_with_a_sentence_before_connecting_does_not_need_a_scrubber():
    module = FakeModule()
    with pytest.raises(Exited):
        Results(module).fail("parallel must be at least 1")
    assert module.result == {"msg": "parallel must be at least 1"}


class FakeRunner:
    def __init__(self, errors, changes, check_mode=False):
        self.errors, self.changes, self.check_mode = errors, changes, check_mode

    def item_changes(self, item):
        return self.changes.get(item.spec.index, [])


class Item:
    def __init__(self, index):
        self.spec = PairSpec(index=index, volume="v%d" % index)


def test_item_entries_carry_changes_failure_and_a_scrubbed_message():
    runner = FakeRunner(errors={2: "failed with %s" % SECRET}, changes={1: ["paired v1"]})
    entries = Results(FakeModule(), Conns(SECRET)).item_entries(
        runner, [Item(1), Item(2)], [{"name": "v1"}, {"name": "v2"}], extra=lambda item: {"n": item.spec.index})
    assert entries[0] == {"name": "v1", "changed": True, "changes": ["paired v1"], "failed": False, "n": 1}
    assert entries[1]["failed"] is True and entries[1]["changed"] is False
    assert entries[1]["msg"] == "failed with ********"


class ClosingConns(Conns):
    def __init__(self, *secrets):
        super().__init__(*secrets)
        self.closed = 0

    def close(self):
        self.closed += 1


class ScriptedRunner:
    """A run that returns changed, or raises; hooks as Runner's."""

    def __init__(self, outcome):
        self.outcome = outcome

    def run(self):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def failure(self, exc):
        return exc

    def partial_result(self):
        return {"actions": ["StartClusterPairing"], "repairs": []}


def test_run_returns_changed_and_closes_the_connections():
    connections = ClosingConns()
    assert Results(FakeModule(), connections).run(ScriptedRunner(True)) is True
    assert connections.closed == 1


@pytest.mark.parametrize("problem", [api_error("CompleteClusterPairing", "xBad", "refused %s" % SECRET),
                                     Refusal("cannot pair with %s" % SECRET)])
def test_a_failed_run_fails_with_what_was_done_scrubbed_and_closes_the_connections(problem):
    module, connections = FakeModule(), ClosingConns(SECRET)
    with pytest.raises(Exited):
        Results(module, connections).run(ScriptedRunner(problem))
    assert module.failed is True and connections.closed == 1
    assert SECRET not in module.result["msg"] and "********" in module.result["msg"]
    assert module.result["actions"] == ["StartClusterPairing"] and module.result["repairs"] == []


def test_a_planned_failover_that_cannot_reach_a_cluster_says_to_fail_over_unplanned():
    from ansible_collections.element.replication.plugins.module_utils._failover import FailoverRunner

    class Connections:
        local, peer = FakeClient("prod"), FakeClient("dr")

        def both(self):
            return {"local": self.local, "peer": self.peer}

    for unplanned, hint in ((False, True), (True, False)):
        runner = FailoverRunner(Connections(), [], "peer", unplanned=unplanned)
        lost = api_error("GetClusterInfo", kind="connection", message="cannot connect", cluster="dr")
        assert ("if cluster dr is lost, fail over with type=unplanned" in str(runner.failure(lost))) is hint
    refused = Refusal("planned failover refused")
    assert runner.failure(refused) is refused
