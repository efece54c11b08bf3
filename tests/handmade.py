"""Graphs the tests build by hand from plain Values, shared by several test modules."""

from micrograd import Value


def seed_004_loss() -> Value:
    """Seed 004's 2-2-1 sigmoid network from plain Values, before backward() (W1 row 0 holds the biases)."""
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    b1, w11, w21 = Value(-1.0, "W1_01"), Value(-2.0, "W1_11"), Value(1.0, "W1_21")
    b2, w12, w22 = Value(2.0, "W1_02"), Value(1.0, "W1_12"), Value(4.0, "W1_22")
    v0, v1, v2 = Value(1.0, "W2_01"), Value(2.0, "W2_11"), Value(-4.0, "W2_21")
    beta1 = (b1 + w11 * x1 + w21 * x2).sigmoid()
    beta2 = (b2 + w12 * x1 + w22 * x2).sigmoid()
    y_hat = (v0 + v1 * beta1 + v2 * beta2).sigmoid()
    y_hat.label = "y_hat"
    loss = 0.5 * (1.0 - y_hat) ** 2
    loss.label = "loss"
    return loss
