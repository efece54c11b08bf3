"""state_dict / save / load: exact round trips, and bad files that leave the model as it was."""

import json
import random

import pytest

import nn


def trained_net() -> nn.MLP:
    random.seed(11)
    model = nn.MLP(3, [4, 3, 2], activation=["tanh", "sigmoid"], output_activation="square")
    for p in model.parameters():
        p.data += random.gauss(0, 1e-3)  # weights with all 17 digits in use
    return model


def weights(model):
    return [(layer.W, layer.b) for layer in model.layers]


def test_save_and_load_round_trip_is_exact(tmp_path):
    model = trained_net()
    path = tmp_path / "net.json"
    model.save(path)
    again = nn.load(path)
    assert weights(again) == weights(model)          # float equality: bit for bit
    assert [layer.activation for layer in again.layers] == ["tanh", "sigmoid", "square"]
    x = [0.3, -1.1, 2.5]
    assert [v.data for v in again(x)] == [v.data for v in model(x)]
    assert [p.label for p in again.parameters()] == [p.label for p in model.parameters()]
    assert list(tmp_path.iterdir()) == [path]       # no temporary file left behind


def test_load_into_an_existing_model(tmp_path):
    path = tmp_path / "net.json"
    trained_net().save(path)
    model = nn.MLP(3, [4, 3, 2], activation=["tanh", "sigmoid"], output_activation="square", init=0.0)
    params = model.parameters()
    assert model.load(path) is model
    assert weights(model) == weights(trained_net())
    assert model.parameters() == params             # the same Values: an optimiser keeps working


def test_state_dict_round_trip_and_plain_json():
    model = trained_net()
    state = model.state_dict()
    assert json.loads(json.dumps(state)) == state
    other = nn.MLP(3, [4, 3, 2], activation=["tanh", "sigmoid"], output_activation="square", init=0.0)
    other.load_state_dict(state)
    assert weights(other) == weights(model)
    nn.load_state_dict(other, nn.state_dict(nn.MLP(3, [4, 3, 2], ["tanh", "sigmoid"], "square", init=1.0)))
    assert {p.data for p in other.parameters()} == {1.0}


def test_masked_and_biasless_nets_round_trip(tmp_path):
    model = nn.MLP(4, [2, 1], "sigmoid", "sigmoid", bias=False, mask=[[[1, 1, 0, 0], [0, 0, 1, 1]], None],
                   weights=[[[-1.7, 0.1, 0, 0], [0, 0, -0.6, -1.8]], [-0.2, 0.5]])
    path = tmp_path / "seed001.json"
    model.save(path)
    again = nn.load(path)
    assert again.layers[0].mask == model.layers[0].mask and not again.layers[0].bias
    assert weights(again) == weights(model)


def write(path, text):
    path.write_text(text)
    return path


BAD_FILES = {
    "truncated": (lambda good: good[: len(good) // 2], "is not valid JSON .*truncated"),
    "not ours": (lambda good: json.dumps({"weights": [1, 2]}), "is not a saved micrograd-lab MLP"),
    "not JSON at all": (lambda good: "hello\n", "is not valid JSON"),
    "wrong shape": (lambda good: good.replace('"nout": 3', '"nout": 5'), "is for a net of shape|nout"),
    "other activation": (lambda good: good.replace('"sigmoid"', '"relu"'),
                         "layer 2 has activation 'relu' but the model's layer 2 has 'sigmoid'"),
    "bad last layer": (lambda good: good[: good.rindex('"W"')] + '"W": [[1, 2]], "b": [0, 0]}]}',
                       r"layer 3: W has shape \(1, 2\) but this layer needs \(2, 3\)"),
    "a string for a weight": (lambda good: good[: good.rindex('"b"')] + '"b": ["x", 0]}]}',
                              "layer 3: b holds 'x'"),
    "missing keys": (lambda good: good.replace('"mask"', '"maskx"'), "layer 1 is missing \\['mask'\\]"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_a_clear_error_and_the_model_is_unchanged(tmp_path, name):
    source = trained_net()
    good = tmp_path / "good.json"
    source.save(good)
    spoil, message = BAD_FILES[name]
    bad = write(tmp_path / "bad.json", spoil(good.read_text()))
    model = nn.MLP(3, [4, 3, 2], activation=["tanh", "sigmoid"], output_activation="square", init=0.25)
    with pytest.raises(ValueError, match=message):
        model.load(bad)
    assert {p.data for p in model.parameters()} == {0.25}
    if name != "other activation":  # that one is a whole file, just for another model
        with pytest.raises(ValueError):
            nn.load(bad)


def test_binary_file_is_not_a_model(tmp_path):
    bad = tmp_path / "net.json"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ValueError, match="not a saved model"):
        nn.load(bad)


def test_custom_activation_cannot_be_rebuilt_from_a_file(tmp_path):
    def cube(z):
        return z ** 3
    model = nn.MLP(2, [2, 1], activation=cube, init=0.5)
    path = tmp_path / "cube.json"
    model.save(path)
    with pytest.raises(ValueError, match="custom activation 'cube'.*model.load"):
        nn.load(path)
    again = nn.MLP(2, [2, 1], activation=cube, init=0.0).load(path)
    assert weights(again) == weights(model)


def test_failed_save_leaves_no_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        trained_net().save(tmp_path / "no such dir" / "net.json")
    assert list(tmp_path.iterdir()) == []
