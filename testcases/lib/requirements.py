"""The conformance catalog testcases/requirements.tsv: one normative statement per row."""

import os

REQUIREMENTS_TSV = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "requirements.tsv")


def load_requirements(path=REQUIREMENTS_TSV):
    """[row dict] in file order (tab-separated UTF-8, a header line, no quoting; lines starting
    with '#' are comments). Columns: id doc section level role kind statement."""
    rows, header = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
            else:
                rows.append(dict(zip(header, cells)))
    return rows
