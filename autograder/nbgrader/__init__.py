"""The nbgrader course workflow for the rnnlm exercises.

``autograder nbgrader init COURSE_DIR`` builds a real nbgrader course from ``solutions/`` and
the hidden suites; nbgrader's own commands then release, autograde, give feedback and export
grades. ``autograder nbgrader export-submissions`` hands the students' notebooks to the
sandboxed grader instead (``autograder grade-all``), for when student code must not run with
the grader's rights. See docs/nbgrader.md.

Modules: ``notebook`` (solution module -> source notebook), ``course`` (course folder and
``nbgrader_config.py``), ``checks`` (the hidden suites, listed and run in-process),
``bridge`` (what an autograded cell calls in the kernel), ``export`` (notebooks -> ``.py``),
``cli`` (the command line).
"""
