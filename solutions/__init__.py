"""Reference solutions of the ten chapter-5 exercises (the single source of the student stubs).

Each ``exNN_<topic>.py`` is self-contained (it imports only torch, numpy, math and the standard
library). Code between ``### BEGIN SOLUTION hint: ...`` and ``### END SOLUTION`` is the answer;
``python -m autograder.stubgen`` replaces every such region by ``raise NotImplementedError(hint)``
and writes the student stubs to ``assignments/``.
"""
