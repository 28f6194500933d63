# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How every module ends: per-item entries, the "N of M pairs failed" summary, diff, and one
funnel for failures that always keeps secrets out of the message.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, NoReturn, Optional, Tuple, Union

from ansible_collections.element.replication.plugins.module_utils._errors import ElementError, Refusal
from ansible_collections.element.replication.plugins.module_utils._plan import NO_ITEM, PlanItem

if TYPE_CHECKING:
    from ansible_collections.element.replication.plugins.module_utils._connection import Connections
    from ansible_collections.element.replication.plugins.module_utils._executor import Runner


class Results:
    """The end of a module run. Every message passes the run's secret scrubber (when the module
    got as far as connecting) before it leaves."""

    def __init__(self, module: Any, connections: Optional[Connections] = None) -> None:
        self.module = module
        self.connections = connections

    def scrub(self, text: str) -> str:
        return self.connections.scrubber.scrub(text) if self.connections is not None else text

    def fail(self, problem: Union[Exception, str], **partial: Any) -> NoReturn:
        """Fail the module with problem (an exception or a sentence) and what was done so far."""
        if isinstance(problem, ElementError):
            # The cluster's message may quote a secret (a pairing key) that only the scrubber knows.
            error = problem.to_dict()
            error["message"] = self.scrub(error["message"])
            partial.setdefault("error", error)
        self.module.fail_json(msg=self.scrub(str(problem)), **partial)
        raise AssertionError("fail_json returned")  # pragma: no cover - it exits

    def run(self, runner: Runner[Any, Any]) -> bool:
        """Run the runner, then close the connections: whether anything changed (would, in check
        mode). A failure of the whole run fails the module with what was done so far."""
        try:
            return runner.run()
        except (ElementError, Refusal) as exc:
            self.fail(runner.failure(exc), **runner.partial_result())
        finally:
            if self.connections is not None:
                self.connections.close()

    def item_entries(self, runner: Runner[Any, Any], items: Iterable[PlanItem], views: Iterable[Dict[str, Any]],
                     extra: Optional[Callable[[Any], Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
        """One entry per declared item: its view, what changed (or would), and its failure."""
        entries = []
        for item, view in zip(items, views):
            index = item.spec.index
            changes = runner.item_changes(item)
            entry = dict(view, changed=bool(changes), changes=changes, failed=index in runner.errors)
            entry.update(extra(item) if extra else {})
            if index in runner.errors:
                entry["msg"] = self.scrub(runner.errors[index])
            entries.append(entry)
        return entries

    def finish(self, changed: bool, errors: Optional[Dict[int, str]] = None,
               labels: Optional[Dict[int, str]] = None, total: int = 0,
               diff: Optional[Tuple[Any, Any]] = None, **result: Any) -> NoReturn:
        """Exit with the result, or fail with "N of M pairs failed: ..." when items failed."""
        result["changed"] = changed
        if diff is not None and self.module._diff:
            result["diff"] = {"before": diff[0], "after": diff[1]}
        if errors:
            labels = labels or {}
            failures = ["%s: %s" % (labels.get(index, "pair %d" % index), errors[index])
                        for index in sorted(errors) if index != NO_ITEM]
            failed_pairs = len(failures)  # a failed cleanup serves no pair: named, not counted
            if NO_ITEM in errors:
                failures.append("%s: %s" % (labels.get(NO_ITEM, "cleanup"), errors[NO_ITEM]))
            self.module.fail_json(msg=self.scrub("%d of %d pairs failed: %s" % (
                failed_pairs, total, "; ".join(failures))), **result)
        self.module.exit_json(**result)
        raise AssertionError("exit_json returned")  # pragma: no cover - it exits
