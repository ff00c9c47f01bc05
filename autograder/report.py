"""Reports of a grading run: the score table, Gradescope's results.json, the CSV gradebook.

Gradescope's format (https://gradescope-autograders.readthedocs.io/en/latest/specs/): a JSON
object with ``score``, ``max_score`` (optional), ``output`` and ``tests``: a list of objects with
``name``, ``score``, ``max_score``, ``output`` and ``visibility``. Every file is written
atomically (a temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import csv
import io
import json



def _number(value: float) -> str:
    return f"{value:g}"


def score_table(result: dict, title: str | None = None) -> str:
    """A plain-text table: one row per exercise (points, tests passed, first problem), then the total."""
    rows = [("exercise", "points", "tests", "feedback")]
    for name, exercise in result["exercises"].items():
        tests = exercise["tests"]
        passed = sum(1 for t in tests if t["passed"])
        first = exercise.get("message") or next((t["output"] for t in tests if not t["passed"]), "")
        first = first.splitlines()[0] if first else ("all passed" if tests else "")
        rows.append((name, f"{_number(exercise['score'])}/{_number(exercise['max_score'])}", f"{passed}/{len(tests)}",
                     first[:90]))
    rows.append(("total", f"{_number(result['score'])}/{_number(result['max_score'])}", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [title] if title else []
    for index, row in enumerate(rows):
        if index == len(rows) - 1:
            lines.append("-" * (sum(widths) + 6 + 20))
        lines.append("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines)


def gradescope(result: dict, visibility: str = "visible") -> dict:
    """Gradescope's results.json for one graded submission."""
    tests = []
    for exercise in result["exercises"].values():
        for test in exercise["tests"]:
            output = test["output"] or "passed"
            if not test["passed"] and exercise.get("printed"):
                output += "\n\nYour code printed:\n" + exercise["printed"][:1500]
            tests.append({"name": test["name"], "score": test["score"], "max_score": test["max_score"],
                          "output": output, "visibility": visibility})
    notes = [f"Graded in: {result.get('sandbox', 'unknown')}."] + list(result.get("warnings", []))
    return {"score": result["score"], "max_score": result["max_score"], "output": "\n".join(notes),
            "visibility": visibility, "tests": tests}


def gradebook_csv(results: dict[str, dict], exercises: list[str]) -> str:
    """The gradebook: one row per student, one column per exercise, then the total and maximum."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *exercises, "total", "max_score"])
    for student in sorted(results):
        result = results[student]
        if "error" in result:
            writer.writerow([student, *["" for _ in exercises], 0, result.get("max_score", "")])
            continue
        scores = [_number(result["exercises"][e]["score"]) if e in result["exercises"] else "" for e in exercises]
        writer.writerow([student, *scores, _number(result["score"]), _number(result["max_score"])])
    return buffer.getvalue()


def summary(results: dict[str, dict], exercises: list[str]) -> dict:
    """Class-level numbers: per exercise mean score and share of full marks; failed submissions."""
    graded = {s: r for s, r in results.items() if "error" not in r}
    per_exercise = {}
    for exercise in exercises:
        scores = [r["exercises"][exercise] for r in graded.values() if exercise in r["exercises"]]
        if scores:
            per_exercise[exercise] = {
                "mean": sum(s["score"] for s in scores) / len(scores),
                "max_score": scores[0]["max_score"],
                "full_marks": sum(1 for s in scores if s["score"] == s["max_score"]),
            }
    totals = [r["score"] for r in graded.values()]
    return {
        "students": len(results),
        "graded": len(graded),
        "failed": sorted(s for s, r in results.items() if "error" in r),
        "mean_score": sum(totals) / len(totals) if totals else None,
        "max_score": next(iter(graded.values()))["max_score"] if graded else None,
        "exercises": per_exercise,
    }


def dumps(data: dict) -> str:
    """JSON as written to disk (sorted keys, so runs compare byte for byte where values agree)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
