"""viz.tree: the graph as indented text, checked against the seed documents and the engine."""

import re

import pytest
from handmade import seed_004_loss

from micrograd import Value, topological_order
from viz.draw.tree import tree
from viz.notation.numbers import number

LINE = re.compile(
    r"^(?P<indent>[│├└─ ]*)(?P<name>\S+)\s+(?P<op>\S+)\s+data\s+(?P<data>\S+)\s+grad\s+(?P<grad>\S+)$"
)


def rows(text):
    """{name: (op, data, grad)} for every full line of a tree."""
    found = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            assert m["name"] not in found, f"{m['name']} printed twice in full"
            found[m["name"]] = (m["op"], m["data"], m["grad"])
    return found


def test_seed_004_numbers_are_the_documents_exact_ones():
    loss = seed_004_loss()
    loss.backward()
    shown = rows(tree(loss))
    # seed README, exact values: loss 0.3879017, y_hat 0.1192029, dl/dW2_11 -0.0462390, dl/dW1_21 -0.2311951
    assert shown["loss"] == ("*", "0.3879", "1")
    assert shown["y_hat"][:2] == ("sigmoid", "0.1192")
    assert shown["W2_11"] == ("leaf", "2", "-0.04624")
    assert shown["W1_21"] == ("leaf", "1", "-0.2312")
    assert shown["x2"][1] == "5"


def test_every_line_matches_the_engine():
    loss = seed_004_loss()
    loss.backward()
    order = topological_order(loss)
    shown = rows(tree(loss, digits=6))
    assert len(shown) == len(order)  # every node once, in full
    for k, v in enumerate(order):
        name = v.label or f"#{k}"
        assert shown[name] == (v.op or "leaf", number(v.data, 6), number(v.grad, 6))


def test_a_shared_node_is_printed_once_and_referred_to():
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    lines = tree(y).splitlines()
    assert len(lines) == 3
    assert re.match(r"^├─ x\s+leaf\s+data 3\s+grad 0$", lines[1])
    assert re.match(r"^└─ x\s+\(shown above\)$", lines[2])


def test_many_paths_do_not_blow_up():
    # v_{n+1} = v_n + v_n: 2**40 root-to-leaf paths, 41 nodes
    v = Value(1.0, "x")
    for _ in range(40):
        v = v + v
    lines = tree(v, max_lines=1000).splitlines()
    assert len(lines) == 41 + 40  # each node once, plus one reference per reuse
    assert sum("(shown above)" in line for line in lines) == 40


def test_long_graphs_are_cut_with_a_count_of_what_was_left_out():
    loss = seed_004_loss()
    total = len(topological_order(loss))
    lines = tree(loss, max_lines=5).splitlines()
    assert len(lines) == 6
    shown = len(rows("\n".join(lines[:5])))
    assert lines[-1].startswith(f"... {total - shown} more nodes not shown ({total} in all)")
    assert "... " not in tree(loss, max_lines=total + 10)  # nothing cut when it fits


def test_a_deep_graph_prints_without_recursion():
    v = Value(0.5, "x")
    for _ in range(5000):
        v = v.tanh()
    text = tree(v, max_lines=6000)
    assert len(text.splitlines()) == 5001
    assert text.splitlines()[-1].strip().startswith("└─ x")


def test_repeated_labels_are_told_apart():
    a, b = Value(1.0, "w"), Value(2.0, "w")
    c = a * b
    shown = rows(tree(c))
    assert {"w#0", "w#1", "#2"} == set(shown)


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="tree needs a micrograd Value, got float"):
        tree(3.0)
    with pytest.raises(ValueError, match="max_lines must be a whole number >= 1, got 0"):
        tree(Value(1.0), max_lines=0)
