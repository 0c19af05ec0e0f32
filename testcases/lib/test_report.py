"""Tests of ci/report.py on hand-written JUnit XML and a small catalog; no network."""

import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT = ["/usr/bin/python3", os.path.join(ROOT, "ci", "report.py")]

CATALOG = """# a comment line
id\tdoc\tsection\tlevel\trole\tkind\tstatement
A-1\t002\t4.1\tMUST\tsender\twire\tone
A-2\t002\t4.1\tSHOULD\tMAG\tbehavior\ttwo
B-1\t003\t3.2\tMUST\tCR\tbehavior\tthree
B-2\t003\t3.2\tMAY\tCR\tinformative-only\tfour
"""


def junit(cases):
    body = "".join(
        '<testcase classname="suite.test_x" name="%s" time="%s">%s%s</testcase>' % (
            name, time, '<properties><property name="requirements" value="%s"/></properties>'
            % reqs if reqs else "", extra)
        for name, time, reqs, extra in cases)
    return '<?xml version="1.0"?><testsuites><testsuite name="pytest">%s</testsuite>' \
           '</testsuites>' % body


def run_report(tmp_path, cases, *options):
    (tmp_path / "req.tsv").write_text(CATALOG)
    (tmp_path / "junit.xml").write_text(junit(cases))
    out = tmp_path / "out"
    p = subprocess.run(REPORT + ["--requirements", str(tmp_path / "req.tsv"), "--out", str(out),
                                 *options, str(tmp_path / "junit.xml")],
                       capture_output=True, text=True)
    report = json.loads((out / "report.json").read_text()) if p.returncode in (0, 1) else None
    return p, report, out


def test_all_passed_coverage_per_doc_and_level(tmp_path):
    p, report, out = run_report(tmp_path, [("test_a", "0.5", "A-1 B-1", ""),
                                           ("test_b", "0.1", "", "")], "--uncovered")
    assert p.returncode == 0, p.stderr
    assert report["summary"] == {"passed": 2, "failed": 0, "error": 0, "skipped": 0, "total": 2}
    by_doc = report["coverage"]["by_doc"]
    # the informative-only row B-2 is not counted
    assert by_doc["002"] == {"covered": 1, "total": 2, "uncovered": ["A-2"]}
    assert by_doc["003"] == {"covered": 1, "total": 1, "uncovered": []}
    assert report["coverage"]["by_level"]["MUST"] == {"covered": 2, "total": 2, "uncovered": []}
    assert report["coverage"]["by_level"]["SHOULD"]["covered"] == 0
    assert "suite.test_x::test_a  passed   0.50      A-1 B-1" in p.stdout
    assert "002  RFC 8278    1/2 (50%)" in p.stdout
    assert "002  A-2" in p.stdout
    assert "| suite.test_x::test_a | passed | 0.50 | A-1 B-1 |" in (out / "report.md").read_text()


def test_failed_test_covers_nothing_and_fails_the_report(tmp_path):
    p, report, _ = run_report(tmp_path, [
        ("test_a", "1", "A-1", '<failure message="assert 0">trace</failure>'),
        ("test_b", "0", "A-2", '<skipped message="no root"/>'),
        ("test_c", "0", "B-1", '<error message="setup">trace</error>')])
    assert p.returncode == 1
    assert report["summary"]["failed"] == 1 and report["summary"]["skipped"] == 1
    assert report["summary"]["error"] == 1
    assert report["tests"][0]["message"] == "assert 0"
    assert all(e["covered"] == 0 for e in report["coverage"]["by_doc"].values())
    assert "FAILED" in p.stdout and "ERROR" in p.stdout


def test_unknown_ids_are_listed(tmp_path):
    p, report, _ = run_report(tmp_path, [("test_a", "0", "A-1 NOPE-7", "")])
    assert p.returncode == 0
    assert report["coverage"]["unknown_ids"] == ["NOPE-7"]
    assert "NOPE-7" in p.stdout


def test_unreadable_input(tmp_path):
    (tmp_path / "junit.xml").write_text("<testsuites><testsuite>")
    p = subprocess.run(REPORT + ["--out", str(tmp_path), str(tmp_path / "junit.xml")],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "report:" in p.stderr
