"""`check` on the documents' own printed answers flags exactly the known errata, and why.

The answers files (viz/homework/problems/seed_00N_answers.txt) hold the numbers typed from
each document; ../shared/seeds/README.md lists where those are not exact.
"""

import math

import pytest

from micrograd import topological_order
from viz.homework.check import AnswersError, check, parse_answers, read_answers
from viz.homework.problem_file import PROBLEMS, load, shipped
from viz.homework.replay import replay
from viz.homework.run import Model


def verdicts(seed: str):
    return check(load(shipped(seed)), read_answers(PROBLEMS / f"{seed}_answers.txt"))


def wrong(vs) -> list[str]:
    return [v.answer.name for v in vs if not v.right]


@pytest.mark.parametrize("seed", ["seed_000", "seed_001", "seed_003"])
def test_documents_without_numeric_errata_are_all_right(seed):
    vs = verdicts(seed)
    assert len(vs) >= 12
    assert wrong(vs) == []


def test_seed_002_flags_only_z3_whose_digits_are_swapped():
    vs = verdicts("seed_002")
    assert wrong(vs) == ["z1^(3)", "z3^(3)"]
    for v in vs:
        if not v.right:
            assert math.isclose(v.exact, 0.163961, abs_tol=5e-7)
            assert v.causes == [] and not v.explained  # its inputs were right: the slip is in this step
            assert "swapped (0.16396)" in v.line()
    loss = next(v for v in vs if v.answer.name == "loss")
    assert loss.right  # 0.376 is right although the z3 printed before it is not


def test_seed_004_traces_every_wrong_number_to_sigmoid_24_rounded_to_0_999():
    vs = verdicts("seed_004")
    carried = ["z1^(2)", "loss", "dL/dw11^(2)", "new w11^(2)", "new w12^(1)"]
    cut = ["y_hat", "dL/dw12^(1)"]  # the document cut these off where rounding gives one more
    assert wrong(vs) == ["a2^(1)", "z1^(2)", "y_hat", "loss", "dL/dw11^(2)", "new w11^(2)", "dL/dw12^(1)",
                         "new w12^(1)"]
    by_name = {v.answer.name: v for v in vs}
    root = by_name["a2^(1)"]
    assert root.causes == [] and root.kind == "cut"
    assert "0.999 is sigmoid(24) = 0.999999999962 cut off at 3 decimals; rounded, it is 1.000" in root.line()
    for name in carried + cut:
        v = by_name[name]
        assert [c.name for c in v.causes] == ["a2^(1)"], name
    for name in carried:
        v = by_name[name]
        assert v.kind == "carried" and v.explained, name  # from the document's own numbers: what it printed
        reason = "computed from a2^(1) = 0.999, which is wrong, and that explains it: from your own numbers"
        assert reason in v.line()
    # y_hat from the document's own z1^(2) = -1.996: 1 / (1 + e^1.996) = 0.11962354, printed 0.119623
    y = by_name["y_hat"]
    assert y.kind == "cut" and not y.explained
    assert math.isclose(y.recomputed, 1 / (1 + math.exp(1.996)), rel_tol=1e-12)
    assert "but for the last digit; 0.119623 is sigmoid(-1.996) = 0.119623536478 cut off" in y.line()
    # the exact values of ../shared/seeds/README.md
    exact = {"y_hat": 0.1192029, "loss": 0.3879017, "dL/dw11^(2)": -0.0462390, "dL/dw12^(1)": -0.2311951,
             "new w11^(2)": 2.0924780, "new w12^(1)": 1.4623902}
    for name, value in exact.items():
        assert math.isclose(by_name[name].exact, value, abs_tol=5e-7), name


def test_precision_is_the_one_written():
    problem = load(shipped("seed_004"))
    marks = check(problem, parse_answers(["y_hat = 0.1192", "loss = 0.388", "[pass 1]", "a1^(1) = 0.50"]))
    assert [v.right for v in marks] == [True, True, True]
    marks = check(problem, parse_answers(["y_hat = 0.1193", "loss = 0.3879", "z2^(1) = 24.0000001"]))
    assert [v.right for v in marks] == [False, True, False]


def test_a_students_slip_is_named_in_the_steps_that_use_it():
    # seed 000 with delta1^(1) computed without sigma' = 2z's factor 2: -40 instead of -80
    lines = ["delta1^(2) = 4", "delta1^(1) = -40", "dL/dw11^(1) = -80", "new w11^(1) = -1.2",
             "dL/dw21^(1) = 112"]
    vs = check(load(shipped("seed_000")), parse_answers(lines))
    assert [v.right for v in vs] == [True, False, False, False, True]
    slip, grad, update = vs[1], vs[2], vs[3]
    assert not slip.explained and slip.recomputed == -80  # from the right delta1^(2) it would be -80
    assert [c.name for c in grad.causes] == ["delta1^(1)"] and grad.explained  # -40 * 2
    assert [c.name for c in update.causes] == ["delta1^(1)"] and update.explained  # -2 - 0.01 * (-80)


def test_later_passes_carry_the_rounding_of_earlier_ones():
    # seed 003: a student whose first update of w11^(3) is 0.92 (not 0.9125) gets z1^(3) of pass 2 wrong
    lines = ["new w11^(3) = 0.92", "[pass 2]", "z1^(3) = 2.478", "loss = 1.0742"]
    vs = check(load(shipped("seed_003")), parse_answers(lines))
    assert [v.right for v in vs] == [False, False, True]
    assert [c.name for c in vs[1].causes] == ["new w11^(3)"] and vs[1].explained
    assert math.isclose(vs[1].recomputed, 0.92 * 1.64425 + 0.9125 * 1.64425 - 0.535, rel_tol=1e-12)


def test_replay_without_overrides_is_the_engine():
    for seed in ["seed_000", "seed_001", "seed_002", "seed_002_q2", "seed_003", "seed_004"]:
        problem = load(shipped(seed))
        values, _ = replay(problem, {}, set())
        model = Model(problem)
        for n in range(1, problem.steps + 2 if problem.lr else 2):
            p = model.forward()
            for v in topological_order(p.loss):
                if v.label:
                    assert math.isclose(values[(n, "data", v.label, 0)], v.data, rel_tol=1e-12, abs_tol=1e-15)
                    assert math.isclose(values[(n, "grad", v.label, 0)], v.grad, rel_tol=1e-12, abs_tol=1e-15)
            if problem.lr:
                model.step()


@pytest.mark.parametrize("line, message", [
    ("y_hat 0.5", "expected `name = number`"),
    ("y_hat = half", "'half' is not a number"),
    ("w99^(1) = 1", "`w99^(1)` names no value of this problem"),
    ("yhat = 0.1", "did you mean y_hat"),
    ("new x1 = 2", "only a parameter is updated; the parameters are b1^(1)"),
    ("[pass 1]\ny_hat = 0.1\na1^(2) = 0.1", "the same value as `y_hat` on line 3, marked there"),
    ("[pass 3]\nloss = 0.2", "there is no [pass 3]: this problem has passes 1 to 2"),
    ("[example 2]\nloss = 0.2", "there is no [example 2]: this problem has one example"),
    ("loss = 1e-30000000", "is not a number a float holds"),
])
def test_a_line_that_cannot_be_marked_is_a_warning_with_its_line_and_the_rest_is_marked(line, message):
    lines = ["z1^(1) = 0", *line.split("\n"), "[pass 1]", "a1^(1) = 0.5"]
    vs = check(load(shipped("seed_004")), parse_answers(lines))
    unmarked = [v for v in vs if v.kind == "unmarked"]
    assert len(unmarked) == 1 and message in unmarked[0].hint
    assert f"line {unmarked[0].answer.line}:" in unmarked[0].line()
    assert lines[unmarked[0].answer.line - 1].startswith(line.split("\n")[-1])  # the line it names
    assert [v.right for v in vs if v.kind != "unmarked"] == [True] * (len(vs) - 1)


def test_a_file_with_no_answer_in_it_is_an_error_that_does_not_echo_it(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("secret first line\nanother\n")
    with pytest.raises(AnswersError, match="no line of the form `name = number`") as error:
        read_answers(path)
    assert "secret" not in str(error.value)


def test_replay_applies_the_engines_op_table_by_the_nodes_op_names():
    from micrograd.engine import OPS
    from viz.homework.replay import apply

    assert apply("**2", [3.0]) == (9.0, [6.0])          # the node's '**2' is the table's '**k' with k = 2
    assert apply("**-1", [4.0]) == (0.25, [-1 / 16])
    assert apply("w·x+b", [2.0, 3.0, -1.0, 4.0, 0.5]) == (0.5 + 6.0 - 4.0, [3.0, 2.0, 4.0, -1.0, 1.0])
    assert apply("w·x", [2.0, 3.0]) == (6.0, [3.0, 2.0])
    for name in ("exp", "log", "tanh", "sigmoid", "relu", "neg"):
        value, *local = OPS[name].fn(0.7)
        assert apply(name, [0.7]) == (value, local), name
    with pytest.raises(ValueError, match="cannot replay the op 'cube'"):
        apply("cube", [1.0])


def test_an_empty_answers_file_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("# only a comment\n\n")
    with pytest.raises(AnswersError, match="no line of the form `name = number`"):
        read_answers(path)
