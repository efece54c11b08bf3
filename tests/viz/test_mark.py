"""micrograd mark: a folder of synthetic answers with known slips; the CSV compared with what was planted."""

import csv
import io
import math

import pytest

from viz.homework.classroom import make_class, read_class, write_class
from viz.homework.mark import answer_files, detail_csv, grades_csv, mark_class, summary
from viz.homework.problem_file import PROBLEMS
from viz.homework.variant_spec import VariantError
from viz.homework.variants import load_class, student_ids

STUDENTS = 40


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """40 variants of seed 004 (2-2-1 sigmoid), written without diagrams."""
    cls = load_class(PROBLEMS / "variants_seed_004.toml")
    drawn = make_class(cls, student_ids(STUDENTS), 7)
    folder = tmp_path_factory.mktemp("class") / "c"
    write_class(cls, drawn, 7, folder, formats=("md",), diagrams=False)
    return read_class(folder)


def key_lines(klass, student) -> list[str]:
    return (klass.folder / "key" / student / "key.txt").read_text().splitlines()


def key_values(klass, student) -> dict[str, str]:
    """pass-1 name -> key text (the later pass's y_hat and loss as '[pass 2] y_hat')."""
    values, current = {}, 1
    for line in key_lines(klass, student):
        if line.startswith("[pass"):
            current = int(line.split()[1].rstrip("]"))
        elif "=" in line and not line.startswith("#"):
            name, number = (part.strip() for part in line.split("="))
            values[name if current == 1 else f"[pass {current}] {name}"] = number
    return values


def write_answers(path, values: dict[str, str]) -> None:
    lines = ["# synthetic answers", "[pass 1]"]
    lines += [f"{k} = {v}" for k, v in values.items() if not k.startswith("[pass")]
    lines += ["[pass 2]"] + [f"{k.split('] ')[1]} = {v}" for k, v in values.items() if k.startswith("[pass")]
    path.write_text("\n".join(lines) + "\n")


def shown(x: float) -> str:
    return f"{x:.4f}"


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def plant(klass, folder) -> dict[str, dict[str, str]]:
    """Write each student's answers with a known slip; return student -> {question: the kind planted}."""
    planted = {}
    for k, student in enumerate(klass.students):
        values = key_values(klass, student)
        expect = dict.fromkeys(values, "right")
        problem = klass.problem(student)
        out = problem.layers[1]
        plan = k % 8
        if plan == 1:  # the sign of a gradient that is not 0
            name = next(q for q in values if q.startswith("dL/dw") and float(values[q]) != 0)
            values[name] = shown(-float(values[name]))
            expect[name] = "wrong (the sign)"
        elif plan == 2:  # an activation cut off instead of rounded: a1^(1) = sigma(z1^(1))
            a = sigmoid(float(values["z1^(1)"]))
            cut = f"{math.trunc(a * 1e4) / 1e4:.4f}"
            if cut != values["a1^(1)"]:
                values["a1^(1)"] = cut
                expect["a1^(1)"] = "wrong (cut off, not rounded)"
        elif plan == 3:  # a wrong a1^(1), and z1^(2) worked out rightly from it
            a1 = float(values["a1^(1)"]) + 0.1
            z = out.biases[0] + out.weights[0][0] * a1 + out.weights[0][1] * float(values["a2^(1)"])
            values["a1^(1)"], values["z1^(2)"] = shown(a1), shown(z)
            expect["a1^(1)"] = "wrong"
            expect["z1^(2)"] = "carried" if shown(z) != key_values(klass, student)["z1^(2)"] else "right"
        elif plan == 4:  # a2^(1) to 2 decimals, and z1^(2) from that rounded number
            a2 = round(float(values["a2^(1)"]), 2)
            z = out.biases[0] + out.weights[0][0] * float(values["a1^(1)"]) + out.weights[0][1] * a2
            values["a2^(1)"], values["z1^(2)"] = f"{a2:.2f}", shown(z)
            if f"{a2:.4f}" != key_values(klass, student)["a2^(1)"]:
                expect["a2^(1)"] = "rounding"
            if shown(z) != key_values(klass, student)["z1^(2)"]:
                expect["z1^(2)"] = "rounding"
        elif plan == 5:  # the update the wrong way: w + lr g
            w, g = problem.layers[0].weights[0][0], float(values["dL/dw11^(1)"])
            if g != 0:
                values["new w11^(1)"] = shown(w + problem.lr * g)
                expect["new w11^(1)"] = "wrong (the update's sign (p + η·g))"
        elif plan == 6:  # three answers left out, one left blank
            for name in ("delta1^(1)", "dL/db2^(1)", "[pass 2] loss"):
                del values[name]
                expect[name] = "missing"
            values["loss"] = ""
            expect["loss"] = "missing"
        elif plan == 7:  # handed nothing in
            planted[student] = dict.fromkeys(expect, "missing")
            continue
        name = f"{student}.txt" if k % 2 else f"{student}_answers.txt"
        write_answers(folder / name, values)
        planted[student] = expect
    return planted


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_is_what_was_planted(klass, tmp_path):
    planted = plant(klass, tmp_path)
    students = mark_class(klass, tmp_path)
    rows = {row["student"]: row for row in parsed(grades_csv(students))}
    causes = {(row["student"], row["question"]): row for row in parsed(detail_csv(students, klass.decimals))}
    assert list(rows) == klass.students
    for student, expect in planted.items():
        row = rows[student]
        for question, kind in expect.items():
            want, _, cause = kind.partition(" (")
            assert row[question] == want, (student, question, row[question], kind)
            if cause:
                assert causes[(student, question)]["cause"] == cause[:-1], (student, question)
        right = sum(kind.split()[0] in ("right", "rounding", "carried") for kind in expect.values())
        assert float(row["total"]) == right and float(row["out of"]) == 30
    assert {r["note"] for r in rows.values()} == {"", "no answers file"}
    assert sum(k.startswith("carried") for e in planted.values() for k in e.values()) >= 2  # it happened


def test_the_summary_counts_each_kind_and_the_common_cause(klass, tmp_path):
    planted = plant(klass, tmp_path)
    students = mark_class(klass, tmp_path)
    text = summary(students)
    handed = [s for s, e in planted.items() if set(e.values()) != {"missing"}]
    assert text.startswith(f"{STUDENTS} students, {len(handed)} answers files marked, 30 questions")
    line = next(line for line in text.splitlines() if line.startswith("new w11^(1) "))
    counts = [int(c) for c in line.split()[2:7]]
    wrong = sum(planted[s]["new w11^(1)"].startswith("wrong") for s in handed)
    assert counts[3] == wrong and sum(counts) == len(handed)
    assert f"cause: the update's sign (p + η·g) ({wrong} of {wrong})" in line
    missing = [s for s in planted if set(planted[s].values()) == {"missing"}]
    assert f"no answers file from {len(missing)}: {', '.join(missing)}" in text


def test_a_rounding_student_is_never_marked_wrong(klass, tmp_path):
    """Every number rounded to 2 decimals as the student goes, from their own earlier numbers."""
    student = klass.students[0]
    problem = klass.problem(student)
    (l1, l2), x, t = problem.layers, problem.x[0], problem.target[0][0]
    r = lambda v: round(v, 2)  # noqa: E731
    z = [r(l1.biases[j] + sum(w * xi for w, xi in zip(l1.weights[j], x))) for j in range(2)]
    a = [r(sigmoid(zj)) for zj in z]
    z2 = r(l2.biases[0] + l2.weights[0][0] * a[0] + l2.weights[0][1] * a[1])
    y = r(sigmoid(z2))
    d2 = r((y - t) * y * (1 - y))
    values = {"z1^(1)": z[0], "a1^(1)": a[0], "z2^(1)": z[1], "a2^(1)": a[1], "z1^(2)": z2, "y_hat": y,
              "loss": r(0.5 * (t - y) ** 2), "delta1^(2)": d2, "dL/dw11^(2)": r(d2 * a[0]),
              "dL/dw12^(2)": r(d2 * a[1]), "dL/db1^(2)": d2}
    for j in range(2):
        values[f"delta{j + 1}^(1)"] = r(d2 * l2.weights[0][j] * a[j] * (1 - a[j]))
    (tmp_path / f"{student}.txt").write_text("".join(f"{k} = {v:.2f}\n" for k, v in values.items()))
    marks = {m.question: m for m in mark_class(klass, tmp_path)[0].marks}
    for name in values:
        assert marks[name].kind in ("right", "rounding"), (name, marks[name].words)
    assert any(marks[name].kind == "rounding" for name in values)


def test_an_answers_file_for_an_unknown_student_is_an_error(klass, tmp_path):
    (tmp_path / "s001.txt").write_text("y_hat = 0.5\n")
    (tmp_path / "s0017.txt").write_text("y_hat = 0.5\n")
    with pytest.raises(VariantError, match=r"s0017.txt: no student 's0017' in the class .*mean 's017'"):
        answer_files(tmp_path, klass)


def test_two_answers_files_for_one_student_are_an_error(klass, tmp_path):
    (tmp_path / "s003.txt").write_text("y_hat = 0.5\n")
    (tmp_path / "s003_answers.txt").write_text("y_hat = 0.5\n")
    with pytest.raises(VariantError, match="two answers files for s003: s003.txt and s003_answers.txt"):
        answer_files(tmp_path, klass)


def test_an_unreadable_file_is_noted_and_the_others_are_marked(klass, tmp_path):
    (tmp_path / "s001.txt").write_text("y_hat is about a half\n")
    (tmp_path / "s002.txt").write_text("y_hat = 0.5\nwho = 2\n")
    (tmp_path / "s003.txt").write_text("\n".join(key_lines(klass, "s003")) + "\n")
    rows = {r["student"]: r for r in parsed(grades_csv(mark_class(klass, tmp_path)))}
    assert rows["s001"]["note"].startswith("not marked: ") and "line 1" in rows["s001"]["note"]
    assert "`who` names no value" in rows["s002"]["note"]
    assert rows["s003"]["total"] == "30" and rows["s003"]["note"] == ""


def test_a_folder_that_is_not_a_class_is_an_error(tmp_path):
    with pytest.raises(VariantError, match="not a class folder"):
        read_class(tmp_path)
