"""The exercise example of book/intro.md does what the text says (issue #11, item 1)."""

from __future__ import annotations

import contextlib
import io
import pathlib
import re

INTRO = pathlib.Path(__file__).parent.parent / "book" / "intro.md"


def _example() -> str:
    text = INTRO.read_text()
    section = text[text.index("## How the exercises work"):]
    return re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)


def _run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "intro.md", "exec"), {})
    return out.getvalue()


def test_the_example_checks_a_heavy_ball_step_against_the_heavy_ball_exercise():
    code = _example()
    assert "momentum as ex" in code and "ex.q1.check(momentum_step)" in code
    answer = "    v = beta * v + g\n    return x - lr * v, v"
    filled = re.sub(r"    \.\.\..*", answer, code, count=1)
    assert filled != code
    out = _run(filled)
    assert "Correct" in out                      # a correct heavy-ball step is accepted by q1
    assert "Solution" in out and "def momentum_step" in out   # solution() prints the reference code


def test_the_text_is_right_that_q2_names_the_heavy_ball_mistake():
    code = _example().replace("ex.q1.hint()", "").replace("ex.q1.solution()", "")
    answer = "    v = beta * v + g\n    return x - lr * v, v"
    filled = re.sub(r"    \.\.\..*", answer, code, count=1).replace("ex.q1.check", "ex.q2.check")
    out = _run(filled)
    assert "heavy-ball momentum, not Nesterov" in out


def test_unanswered_example_is_reported_as_not_attempted():
    out = _run(_example().replace("ex.q1.hint()", "").replace("ex.q1.solution()", ""))
    assert "Not attempted" in out
