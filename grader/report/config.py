"""``GradeReport``: where ``grader report`` writes and in which formats, from the course's ``nbgrader_config.py``::

    c.GradeReport.formats = ["csv", "xlsx", "html"]
    c.GradeReport.csv_delimiter = ";"      # for Excel in a Russian locale
"""

from __future__ import annotations

from typing import Any

from traitlets import Int, List, TraitError, Unicode, validate
from traitlets.config import Configurable

from grader.configurable import configured

FORMATS = ("csv", "xlsx", "html")


class GradeReport(Configurable):
    """The final report's files."""

    formats = List(Unicode(), default_value=list(FORMATS), help="Files 'grader report' writes: any of 'csv' "
                   "(UTF-8 with BOM), 'xlsx' (grades, one sheet per homework, flags, projects) and 'html' (a "
                   "self-contained page with plots).").tag(config=True)
    folder = Unicode("", help="Folder for the report files, relative to the course (default: gradebook/).").tag(
        config=True)
    basename = Unicode("grades", help="File name of the report files, without the extension.").tag(config=True)
    csv_delimiter = Unicode(",", help="CSV field separator: ',' (default) or ';' (what Excel expects in a Russian "
                            "or German locale).").tag(config=True)
    terminal_attention = Int(10, help="Lines of each 'needs attention' kind shown on the terminal (the files "
                             "always list every one).").tag(config=True)

    @validate("formats")
    def _check_formats(self, proposal: Any) -> list[str]:
        unknown = [f for f in proposal["value"] if f not in FORMATS]
        if unknown:
            raise TraitError(f"GradeReport.formats: unknown format {unknown[0]!r} (use {', '.join(FORMATS)})")
        return list(proposal["value"])

    @validate("csv_delimiter")
    def _check_delimiter(self, proposal: Any) -> str:
        value = str(proposal["value"])
        if value not in (",", ";", "\t"):
            raise TraitError(f"GradeReport.csv_delimiter: use ',', ';' or a tab, got {value!r}")
        return value


def load_report_config(config: Any) -> GradeReport:
    return configured(GradeReport, config)
