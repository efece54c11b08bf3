"""`python -m micrograd`: seed 004 by hand, with Values only: forward, loss, backward, every gradient."""

from micrograd.engine import Value


def main() -> None:
    """Build the 2-2-1 sigmoid network of seed 004, run it on x = (2, 5), y = 1 and print the grads."""
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    # W1 as the document gives it: row 0 holds the biases, row i the weights of x_i.
    b1, w11, w21 = Value(-1.0, "W1_01"), Value(-2.0, "W1_11"), Value(1.0, "W1_21")
    b2, w12, w22 = Value(2.0, "W1_02"), Value(1.0, "W1_12"), Value(4.0, "W1_22")
    v0, v1, v2 = Value(1.0, "W2_01"), Value(2.0, "W2_11"), Value(-4.0, "W2_21")
    beta1 = (b1 + w11 * x1 + w21 * x2).sigmoid()
    beta2 = (b2 + w12 * x1 + w22 * x2).sigmoid()
    y_hat = (v0 + v1 * beta1 + v2 * beta2).sigmoid()
    loss = 0.5 * (1.0 - y_hat) ** 2
    loss.backward()
    print(f"y_hat = {y_hat.data:.7f}   loss = {loss.data:.7f}")
    for w in (v0, v1, v2, b1, w11, w21, b2, w12, w22):
        print(f"dl/d{w.label} = {w.grad:+.7f}   updated (lr 2): {w.data - 2 * w.grad:.7f}")


if __name__ == "__main__":
    main()
