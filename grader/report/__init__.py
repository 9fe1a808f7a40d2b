"""The grade report: every student's marks, homework component, project part, bonuses, exact value and grade.

    model.py     ``Report`` and ``Attention``: what every view reads (imports nothing of this package)
    build.py     ``build_report``: records → outcomes → projects → grades → checks, in that order
    checks.py    the "needs attention" list
    table.py     the grades table as values, and the CSV file (UTF-8 with BOM)
    terminal.py  the table and the attention list on the terminal
    excel.py     the Excel workbook (grades, one sheet per homework, flags, projects, trace)
    html.py      the self-contained HTML page; ``plots.py`` its three plots
    trace.py     every number of one student's grade traced to its inputs
    student.py   a student's own report, in Russian or English, as the bot sends it
    files.py     ``write_all``: every file ``GradeReport.formats`` asks for
    config.py    ``GradeReport`` (traitlets, in nbgrader_config.py)
    cli.py       ``grader report``
"""
