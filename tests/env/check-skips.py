#!/usr/bin/env python3
"""Fails the test run on a skipped test that is not explicitly allowed.

usage: check-skips.py ALLOW_LIST TRX...

A test counts as skipped when its TRX outcome is neither passed nor failed (the same count build.sh reports). It is
allowed only when its full name, or its skip reason, is a line of ALLOW_LIST (blank lines and '#' comments are
ignored). Prints every skipped test that is not allowed and exits 1 when there is one.
"""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
RAN = {"Passed", "Failed", "Error", "Timeout", "Aborted"}


def allowed_entries(path):
    with open(path, encoding="utf-8") as f:
        return {line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")}


def skipped(trx):
    """(test name, [reason texts]) for every test the TRX file records as not run."""
    for result in ET.parse(trx).getroot().iter(NS + "UnitTestResult"):
        if result.get("outcome") in RAN:
            continue
        texts = [e.text.strip() for tag in ("ErrorInfo/" + NS + "Message", "StdOut")
                 for e in result.iterfind(NS + "Output/" + NS + tag) if e.text and e.text.strip()]
        yield result.get("testName", "?"), texts


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    allowed = allowed_entries(argv[0])
    refused = []
    for trx in argv[1:]:
        for name, reasons in skipped(trx):
            if name in allowed or any(r in allowed for r in reasons):
                continue
            refused.append((name, reasons[0] if reasons else "(no reason given)"))
    for name, reason in refused:
        print(f"skipped, not in the allow-list: {name}: {reason}")
    if refused:
        print(f"{len(refused)} skipped test(s) not allowed; fix what they need, or add the name or reason to {argv[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
