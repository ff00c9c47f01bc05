"""Self-contained HTML reports: one page per student, and a class summary page.

A student's page shows the score table, then every check with its points, its message, the
diagnosis of the likely mistake and the resource limit it ran into. The class page shows the
score distribution as an inline SVG histogram and the pass rate of every exercise and check,
lowest first, so an instructor sees which concept the class missed. Pages are one file each:
inline CSS, inline SVG, no script, no font, no link to anything, so they open offline, from an
e-mail attachment or an LMS upload. Every value is HTML-escaped (student output is untrusted).

The pages read ``autograder.results`` records only (the same ones the JSON is written from), and
mark what they show with classes (``check``, ``points``, ``message``, ``diagnosis``, ``limit``)
so the tests can compare the rendered DOM with the JSON. This module ships in the student bundle.
"""

from __future__ import annotations

from html import escape

from autograder.report import UNSANDBOXED_WARNING, first_problem, number, summary
from autograder.results import CheckResult, FailedSubmission, StudentResult, SubmissionResult

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 62em; color: #1b1b1b; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
.num { text-align: right; white-space: nowrap; }
.passed { color: #1a7f37; } .failed { color: #b42318; }
.warning { background: #fff4e5; border-left: 4px solid #e8590c; padding: .5em .8em; margin: .5em 0; }
.diagnosis { background: #eef4ff; border-left: 4px solid #3b5bdb; padding: .3em .6em; margin-top: .3em; }
.limit { color: #9c4221; font-weight: 600; }
pre { white-space: pre-wrap; margin: 0; font: 13px/1.4 ui-monospace, monospace; }
.meta { color: #555; }
"""
BAR_COLOR = "#3b5bdb"


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _warnings(result: SubmissionResult) -> str:
    notes = ([] if result.sandboxed else [UNSANDBOXED_WARNING]) + list(result.warnings)
    return "".join(f'<p class="warning">{escape(note)}</p>\n' for note in notes)


def _check_row(check: CheckResult) -> str:
    verdict = "passed" if check.passed else "failed"
    details = f'<pre class="message">{escape(check.output)}</pre>' if check.output else ""
    if check.diagnosis:
        details += f'<div class="diagnosis">{escape(check.diagnosis)}</div>'
    if check.limit:
        details += f'<div>limit reached: <span class="limit">{escape(check.limit)}</span></div>'
    return (f'<tr class="check {verdict}" data-name="{escape(check.name)}"><td class="name">{escape(check.name)}</td>'
            f'<td class="points num">{number(check.score)}/{number(check.max_score)}</td>'
            f'<td class="verdict">{verdict}</td><td>{details}</td></tr>\n')


def student_page(result: SubmissionResult, title: str | None = None) -> str:
    """The HTML report of one submission: score table, then every check with its feedback."""
    title = title or f"{result.submission}: {number(result.score)}/{number(result.max_score)}"
    rows = "".join(
        f'<tr class="exercise" data-name="{escape(name)}"><td>{escape(name)}</td>'
        f'<td class="points num">{number(e.score)}/{number(e.max_score)}</td>'
        f'<td class="num">{e.passed}/{len(e.tests)}</td><td>{escape(first_problem(e))}</td></tr>\n'
        for name, e in result.exercises.items())
    sections = []
    for name, exercise in result.exercises.items():
        why = f'<p class="warning">{escape(exercise.message)}</p>' if exercise.message else ""
        printed = (f"<details><summary>what your code printed</summary><pre>{escape(exercise.printed)}</pre></details>"
                   if exercise.printed else "")
        sections.append(f'<section data-exercise="{escape(name)}"><h2>{escape(name)}: '
                        f"{number(exercise.score)}/{number(exercise.max_score)}</h2>{why}\n"
                        "<table><tr><th>check</th><th>points</th><th>result</th><th>feedback</th></tr>\n"
                        + "".join(_check_row(check) for check in exercise.tests) + f"</table>{printed}</section>\n")
    meta = " &middot; ".join(escape(part) for part in (f"graded in {result.sandbox}", result.graded_at,
                                                        f"{result.seconds:.1f} s" if result.seconds else "") if part)
    body = (f"<h1>{escape(title)}</h1>\n<p class=\"meta\">{meta}</p>\n{_warnings(result)}"
            f'<p>Total: <strong id="total">{number(result.score)}/{number(result.max_score)}</strong></p>\n'
            "<table><tr><th>exercise</th><th>points</th><th>checks passed</th><th>feedback</th></tr>\n"
            f"{rows}</table>\n" + "".join(sections))
    return _page(title, body)


def histogram_svg(scores: list[float], max_score: float, bins: int = 10, width: int = 560, height: int = 200) -> str:
    """An inline SVG histogram of ``scores`` over ``[0, max_score]`` (the last bin includes the maximum)."""
    counts = [0] * bins
    for score in scores:
        index = min(bins - 1, int(bins * score / max_score)) if max_score > 0 else 0
        counts[index] += 1
    top = max(counts) or 1
    bar = width / bins
    parts = []
    for index, count in enumerate(counts):
        low, high = max_score * index / bins, max_score * (index + 1) / bins
        tall = (height - 30) * count / top
        parts.append(f'<rect class="bar" data-count="{count}" x="{index * bar + 1:.1f}" y="{height - 20 - tall:.1f}" '
                     f'width="{bar - 2:.1f}" height="{tall:.1f}" fill="{BAR_COLOR}">'
                     f"<title>{number(low)}-{number(high)}: {count}</title></rect>"
                     f'<text x="{index * bar + bar / 2:.1f}" y="{height - 5}" font-size="11" '
                     f'text-anchor="middle">{number(round(low, 1))}</text>')
    return (f'<svg role="img" aria-label="score distribution" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>')


def class_page(results: dict[str, StudentResult], exercises: list[str], title: str = "Class summary") -> str:
    """The class summary: score distribution, per-exercise and per-check pass rates, failed gradings."""
    overview = summary(results, exercises)
    graded = {s: r for s, r in results.items() if isinstance(r, SubmissionResult)}
    figure = histogram_svg([r.score for r in graded.values()], overview["max_score"] or 0.0) if graded else ""
    exercise_rows = "".join(
        f'<tr class="exercise" data-name="{escape(name)}"><td>{escape(name)}</td>'
        f'<td class="mean num">{item["mean"]:.2f}/{number(item["max_score"])}</td>'
        f'<td class="full num">{item["full_marks"]}/{len(graded)}</td></tr>\n'
        for name, item in overview["exercises"].items())
    rates = sorted(((rate, check) for item in overview["exercises"].values() for check, rate in item["checks"].items()),
                   key=lambda pair: (pair[0], pair[1]))
    check_rows = "".join(f'<tr class="check" data-name="{escape(check)}"><td>{escape(check)}</td>'
                         f'<td class="rate num">{100 * rate:.0f}%</td></tr>\n' for rate, check in rates)
    failed = "".join(f'<li class="failed" data-name="{escape(s)}">{escape(s)}: {escape(r.error.splitlines()[0] if r.error else "")}</li>'
                     for s, r in sorted(results.items()) if isinstance(r, FailedSubmission))
    mean = "" if overview["mean_score"] is None else f'{overview["mean_score"]:.2f}/{number(overview["max_score"])}'
    body = (f"<h1>{escape(title)}</h1>\n<p>{overview['graded']} of {overview['students']} submissions graded; "
            f'mean score <strong id="mean">{mean}</strong>.</p>\n'
            + (f"<h2>Grading failed</h2><ul>{failed}</ul>\n" if failed else "")
            + f"<h2>Score distribution</h2>\n<figure>{figure}</figure>\n"
            "<h2>Exercises</h2>\n<table><tr><th>exercise</th><th>mean</th><th>full marks</th></tr>\n"
            f"{exercise_rows}</table>\n<h2>Checks, lowest pass rate first</h2>\n"
            f"<table><tr><th>check</th><th>passed by</th></tr>\n{check_rows}</table>\n")
    return _page(title, body)
