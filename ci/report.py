#!/usr/bin/python3
"""Test report: verdicts of JUnit XML files and coverage of the conformance catalog.

Usage: /usr/bin/python3 ci/report.py [--uncovered] [--out DIR] [--name NAME]
                                     [--requirements TSV] JUNIT.xml...

Prints one row per testcase (test, verdict, time, requirement ids), then the coverage of
the catalog (testcases/requirements.tsv) per document (column doc) and per level (column
level): a requirement is covered when at least one passed test names it in its JUnit
property `requirements`. Rows of kind informative-only cannot be tested and are left out
of the totals. --uncovered lists the ids not covered. Writes NAME.md and NAME.json
(default NAME: report) into --out (default: the directory of the first JUnit file).
Exit status: 0 when no test failed or errored, 1 otherwise, 2 for unreadable input.
"""

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "testcases", "lib"))

from requirements import REQUIREMENTS_TSV, load_requirements  # noqa: E402

UNTESTABLE_KIND = "informative-only"
DOC_NAMES = {"000": "DMM requirements", "002": "RFC 8278", "003": "NEMO HAARO",
             "004": "network-based DMM"}


def verdict_of(case):
    for tag, verdict in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
        if case.find(tag) is not None:
            return verdict, (case.find(tag).get("message") or "").strip()
    return "passed", ""


def read_junit(path):
    """[test dict] of one JUnit XML file."""
    tests = []
    for case in ET.parse(path).getroot().iter("testcase"):
        verdict, message = verdict_of(case)
        reqs = []
        for prop in case.iter("property"):
            if prop.get("name") == "requirements":
                reqs.extend((prop.get("value") or "").split())
        name = case.get("name", "?")
        cls = case.get("classname")
        tests.append({"test": "%s::%s" % (cls, name) if cls else name, "verdict": verdict,
                      "time": float(case.get("time") or 0), "requirements": reqs,
                      "message": message.splitlines()[0][:200] if message else "",
                      "junit": os.path.relpath(path, ROOT)})
    return tests


def coverage(rows, tests, key):
    """{value of column `key`: {"covered", "total", "uncovered": [ids]}} over testable rows."""
    passed = {r for t in tests if t["verdict"] == "passed" for r in t["requirements"]}
    table = {}
    for row in rows:
        if row.get("kind") == UNTESTABLE_KIND:
            continue
        entry = table.setdefault(row[key], {"covered": 0, "total": 0, "uncovered": []})
        entry["total"] += 1
        if row["id"] in passed:
            entry["covered"] += 1
        else:
            entry["uncovered"].append(row["id"])
    return table


def summarize(tests):
    counts = {v: 0 for v in ("passed", "failed", "error", "skipped")}
    for t in tests:
        counts[t["verdict"]] += 1
    counts["total"] = len(tests)
    return counts


def text_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    lines = [fmt % tuple(header), fmt % tuple("-" * w for w in widths)]
    lines += [(fmt % tuple(r)).rstrip() for r in rows]
    return "\n".join(lines)


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x).replace("|", "\\|") for x in r) + " |" for r in rows]
    return "\n".join(lines)


def percent(entry):
    return "%d/%d (%.0f%%)" % (entry["covered"], entry["total"],
                               100.0 * entry["covered"] / entry["total"] if entry["total"] else 0)


def sections(tests, rows, show_uncovered):
    """[(title, header, rows)] shared by the text and Markdown outputs."""
    verdicts = [(t["test"], t["verdict"].upper() if t["verdict"] in ("failed", "error")
                 else t["verdict"], "%.2f" % t["time"], " ".join(t["requirements"]) or "-")
                for t in tests]
    by_doc = coverage(rows, tests, "doc")
    by_level = coverage(rows, tests, "level")
    out = [("Verdicts", ["test", "verdict", "time (s)", "requirements"], verdicts),
           ("Coverage per document", ["doc", "name", "covered"],
            [(d, DOC_NAMES.get(d, ""), percent(e)) for d, e in sorted(by_doc.items())]),
           ("Coverage per level", ["level", "covered"],
            [(lvl, percent(e)) for lvl, e in sorted(by_level.items())])]
    if show_uncovered:
        out.append(("Uncovered requirements", ["doc", "ids"],
                    [(d, " ".join(e["uncovered"]) or "-") for d, e in sorted(by_doc.items())]))
    known = {r["id"] for r in rows}
    unknown = sorted({r for t in tests for r in t["requirements"]} - known)
    if unknown:
        out.append(("Ids not in the catalog", ["id"], [(i,) for i in unknown]))
    return out, by_doc, by_level, unknown


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("junit", nargs="+", help="JUnit XML files")
    ap.add_argument("--requirements", default=REQUIREMENTS_TSV)
    ap.add_argument("--out", help="directory for NAME.md and NAME.json")
    ap.add_argument("--name", default="report")
    ap.add_argument("--uncovered", action="store_true", help="list the uncovered ids")
    a = ap.parse_args()
    tests = []
    try:
        rows = load_requirements(a.requirements)
        for path in a.junit:
            tests.extend(read_junit(path))
    except (OSError, ET.ParseError) as exc:
        print("report: %s" % exc, file=sys.stderr)
        return 2
    counts = summarize(tests)
    parts, by_doc, by_level, unknown = sections(tests, rows, a.uncovered)
    summary = "%(total)d tests: %(passed)d passed, %(failed)d failed, %(error)d errors, " \
              "%(skipped)d skipped" % counts
    testable = sum(1 for r in rows if r.get("kind") != UNTESTABLE_KIND)
    note = "coverage: requirements named by a passed test, over the %d testable rows of %s " \
           "(%d %s rows left out)" % (testable, os.path.relpath(a.requirements, ROOT),
                                      len(rows) - testable, UNTESTABLE_KIND)
    for title, header, body in parts:
        print("## %s\n%s\n" % (title, text_table(header, body)))
    print(note)
    print(summary)

    out = a.out or os.path.dirname(os.path.abspath(a.junit[0]))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, a.name + ".md"), "w") as f:
        f.write("# Test report\n\n%s\n\n" % summary)
        for title, header, body in parts:
            f.write("## %s\n\n%s\n\n" % (title, md_table(header, body)))
        f.write("%s\n" % note)
    with open(os.path.join(out, a.name + ".json"), "w") as f:
        json.dump({"summary": counts, "tests": tests,
                   "coverage": {"by_doc": by_doc, "by_level": by_level,
                                "testable": testable, "unknown_ids": unknown},
                   "junit": [os.path.relpath(os.path.abspath(p), ROOT) for p in a.junit]},
                  f, indent=1)
    return 1 if counts["failed"] or counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
