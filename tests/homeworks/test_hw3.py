"""hw3 (RNN, LSTM, GRU forecasting): the reference gets full marks, the release scores zero, and each trap or
plausible mistake loses exactly the test written for it."""

from __future__ import annotations

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost, gpu_cells, skipped_here

from grader.authoring import Replace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("hw3", tmp_path_factory.mktemp("hw3"))


def test_reference_gets_full_marks(lab: AssignmentLab) -> None:
    graded = lab.reference()
    assert_full_marks(lab, graded)
    assert graded.score("conclusions") is None  # graded by hand


def test_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


def test_gpu_checks_live_in_their_own_tagged_cell(lab: AssignmentLab) -> None:
    assert gpu_cells(lab) == {"test_gpu"}
    if "test_gpu" in skipped_here(lab):
        assert lab.reference().zero("test_gpu")


def test_scaler_fit_on_the_whole_series_loses_the_leakage_test(lab: AssignmentLab) -> None:
    """Trap: the scaler is fit before the train/test split, on the whole series."""
    graded = lab.grade("scaler_before_split", {
        "prepare_data": Replace("scaler = StandardScaler().fit(train)",
                                "scaler = StandardScaler().fit(series)"),
    })
    assert_only_lost(lab, graded, {"test_prepare_data"})


def test_state_created_on_the_cpu_loses_the_device_dtype_test(lab: AssignmentLab) -> None:
    """Trap: the recurrent state is ``torch.zeros(B, H)`` (CPU, float32) whatever the input's device and
    dtype."""
    on_cpu = Replace(", device=x.device, dtype=x.dtype)", ")")
    graded = lab.grade("state_on_cpu", {"lstm_cell": on_cpu, "gru_cell": on_cpu, "seq_regressor": on_cpu})
    assert_only_lost(lab, graded, {"test_device_dtype"})


def test_rollout_whose_window_grows_loses_the_autoregressive_test(lab: AssignmentLab) -> None:
    """Mistake: predictions are appended but the oldest value is never dropped (the model sees ever longer
    windows). The visible test cannot see it; the hidden one records the model's inputs."""
    graded = lab.grade("window_grows", {
        "autoregressive": Replace("torch.cat([window[:, 1:], next_value], dim=1)",
                                  "torch.cat([window, next_value], dim=1)"),
    })
    assert_only_lost(lab, graded, {"test_autoregressive"})



def test_one_permutation_for_all_epochs_loses_the_training_test(lab: AssignmentLab) -> None:
    """Mistake: the examples are shuffled once, before the first epoch, and every epoch reuses that order
    (the contract asks for a new random permutation every epoch). Accuracy alone cannot see it."""
    draw = "order = torch.randperm(len(X), generator=generator).to(param_device)\n"
    graded = lab.grade("one_permutation", {
        "train_regressor": Replace(f"    for _ in range(epochs):\n        {draw}",
                                   f"    {draw}    for _ in range(epochs):\n"),
    })
    assert_only_lost(lab, graded, {"test_forecast_beats_naive"})

ALWAYS_EQUAL_ROLLOUT = '''
class AlwaysEqual:
    shape = property(lambda self: self)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __getitem__(self, item):
        return self


def autoregressive_forecast(model, context, steps):
    return AlwaysEqual()
'''


def test_always_equal_object_loses_the_autoregressive_test(lab: AssignmentLab) -> None:
    graded = lab.grade("always_equal", {"autoregressive": ALWAYS_EQUAL_ROLLOUT})
    assert_only_lost(lab, graded, {"test_autoregressive"})


def test_gru_with_swapped_update_gate_loses_the_gru_tests(lab: AssignmentLab) -> None:
    """Mistake: ``h' = z*n + (1-z)*h`` (the other convention for z). It trains, so the forecast still beats
    the naive one, but it is not ``nn.GRUCell``: the cell test and the regressor's equivalence with ``nn.GRU``
    fail."""
    graded = lab.grade("gru_swapped_z", {
        "gru_cell": Replace("return (1 - z) * n + z * h", "return z * n + (1 - z) * h"),
    })
    assert_only_lost(lab, graded, {"test_gru_cell", "test_seq_regressor"})


ALTERNATIVE = {
    "make_windows": '''
def make_windows(series, window, horizon=1, stride=1):
    if series.numel() < window + horizon:
        raise ValueError("series is shorter than window + horizon")
    frames = series.unfold(0, window + horizon, stride).clone()
    return frames[:, :window], frames[:, window:]
''',
    "scaler": '''
import numpy as np


class StandardScaler:
    def __init__(self):
        self.mean_ = None
        self.std_ = None

    def fit(self, x):
        values = x.detach().cpu().double().numpy()
        self.mean_ = float(np.mean(values))
        std = float(np.sqrt(np.mean((values - values.mean()) ** 2)))
        self.std_ = 1.0 if std < 1e-8 else std
        return self

    def transform(self, x):
        if self.std_ is None:
            raise RuntimeError("not fitted")
        return x.sub(self.mean_).div(self.std_)

    def inverse_transform(self, x):
        if self.std_ is None:
            raise RuntimeError("not fitted")
        return x.mul(self.std_).add(self.mean_)
''',
    "prepare_data": '''
def prepare_data(series, window, horizon, train_frac=0.8):
    n_train = int(len(series) * train_frac)
    parts = torch.split(series, [n_train, len(series) - n_train])
    scaler = StandardScaler()
    scaler.fit(parts[0])
    out = []
    for part in parts:
        out.extend(make_windows(scaler.transform(part), window, horizon))
    return (*out, scaler)
''',
    "lstm_cell": '''
class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size))
            self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        bound = hidden_size ** -0.5
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x, state=None):
        H = self.hidden_size
        if state is None:
            h = c = x.new_zeros((x.size(0), H))
        else:
            h, c = state
        pre = F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)
        i, f = pre[:, :H].sigmoid(), pre[:, H:2 * H].sigmoid()
        g, o = pre[:, 2 * H:3 * H].tanh(), pre[:, 3 * H:].sigmoid()
        c = torch.addcmul(f * c, i, g)
        return o * c.tanh(), c
''',
    "gru_cell": '''
class GRUCell(nn.Module):
    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(3 * hidden_size))
            self.bias_hh = nn.Parameter(torch.empty(3 * hidden_size))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        bound = hidden_size ** -0.5
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x, h=None):
        H = self.hidden_size
        if h is None:
            h = x.new_zeros((x.size(0), H))
        a = F.linear(x, self.weight_ih, self.bias_ih)
        b = F.linear(h, self.weight_hh, self.bias_hh)
        rz = torch.sigmoid(a[:, :2 * H] + b[:, :2 * H])
        r, z = rz[:, :H], rz[:, H:]
        n = torch.tanh(a[:, 2 * H:] + r * b[:, 2 * H:])
        return n + z * (h - n)  # = (1 - z) * n + z * h
''',
    "seq_regressor": '''
class SeqRegressor(nn.Module):
    def __init__(self, cell="lstm", hidden_size=32, horizon=1, input_size=1):
        super().__init__()
        cells = {"lstm": LSTMCell, "gru": GRUCell}
        if cell not in cells:
            raise ValueError(cell)
        self.rnn = cells[cell](input_size, hidden_size)
        self.out = nn.Linear(hidden_size, horizon)

    def forward(self, x):
        if x.ndim == 2:
            x = x[..., None]
        state = None  # the cells create their zero state on x's device and dtype
        for x_t in x.unbind(dim=1):
            state = self.rnn(x_t, state)
        h = state[0] if isinstance(state, tuple) else state
        return self.out(h)
''',
    "train_regressor": '''
from torch.utils.data import DataLoader, TensorDataset


def train_regressor(model, X, Y, *, epochs=10, lr=1e-2, batch_size=64, seed=0):
    dev = next(model.parameters()).device
    loader = DataLoader(TensorDataset(X, Y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(dev), yb.to(dev)
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(xb), yb, reduction="sum")
            (loss / yb.numel()).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += loss.item()
        history.append(total / Y.numel())
    model.eval()
    return history
''',
    "autoregressive": '''
@torch.no_grad()
def autoregressive_forecast(model, context, steps):
    batch, window = context.shape
    buffer = torch.empty(batch, window + steps, dtype=context.dtype, device=context.device)
    buffer[:, :window] = context
    for k in range(steps):
        buffer[:, window + k] = model(buffer[:, k:k + window]).reshape(batch)
    return buffer[:, window:].clone()
''',
}


def test_alternative_solution_gets_full_marks(lab: AssignmentLab) -> None:
    """Other ops for every solution cell (unfold, numpy statistics, F.linear and slices, cells that create
    their own state, a DataLoader with clipping, a preallocated rollout buffer): the hidden tests do not
    over-fit the reference."""
    assert_full_marks(lab, lab.grade("alternative", ALTERNATIVE))
