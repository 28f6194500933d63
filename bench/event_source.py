# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The EDA source (extensions/eda/plugins/event_source/replication_events.py) watching prod and
dr: --polls polls one after the other, the way ansible-rulebook runs it but without the wait
between them. Prints JSON: the wall and CPU seconds of the first poll (the start-up: clients, TLS)
and of the median later poll, and the events of each. Run with the collections path of the
measured collection on PYTHONPATH (make bench does); --collection is that collection's root."""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import time
from pathlib import Path


def load_source(collection):
    path = Path(collection) / "extensions" / "eda" / "plugins" / "event_source" / "replication_events.py"
    spec = importlib.util.spec_from_file_location("replication_events", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--collection", required=True)
    parser.add_argument("--clusters", required=True, help="JSON: {name: connection options}")
    parser.add_argument("--polls", type=int, default=3)
    args = parser.parse_args()
    source = load_source(args.collection)
    clusters = json.loads(args.clusters)
    watcher = source.Watcher(source.parse_args({"clusters": clusters, "pairs": [{"source": "prod", "target": "dr"}]}))
    polls = []
    try:
        for _poll in range(args.polls):
            wall, cpu = time.monotonic(), time.process_time()
            events = watcher.poll()
            polls.append({"wall_s": time.monotonic() - wall, "cpu_s": time.process_time() - cpu,
                          "events": len(events)})
    finally:
        watcher.close()
    later = polls[1:] or polls
    print(json.dumps({"polls": args.polls, "first": polls[0],
                      "wall_s": statistics.median(p["wall_s"] for p in later),
                      "cpu_s": statistics.median(p["cpu_s"] for p in later),
                      "events_after_first": sum(p["events"] for p in later)}))


if __name__ == "__main__":
    main()
