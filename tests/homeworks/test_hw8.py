"""hw8 (regularization, reliability, HPO): the hidden tests accept correct work and catch the known traps."""

from __future__ import annotations

import pytest
from homework_lab import AssignmentLab, assert_full_marks, assert_only_lost

from grader.authoring import Replace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> AssignmentLab:
    return AssignmentLab("hw8", tmp_path_factory.mktemp("hw8"))


def test_reference_gets_full_marks(lab: AssignmentLab) -> None:
    assert_full_marks(lab, lab.reference())


def test_release_scores_zero(lab: AssignmentLab) -> None:
    assert lab.unchanged_release().auto_total == 0


def test_dropout_without_rescaling_loses_the_dropout_test(lab: AssignmentLab) -> None:
    graded = lab.grade("dropout_not_rescaled", {
        "dropout": Replace("return x * mask / keep", "return x * mask")})
    assert_only_lost(lab, graded, {"test_dropout"})


def test_dropout_active_in_eval_mode_loses_the_dropout_test(lab: AssignmentLab) -> None:
    graded = lab.grade("dropout_in_eval", {
        "dropout": Replace("if not self.training or self.p == 0.0:", "if self.p == 0.0:")})
    assert_only_lost(lab, graded, {"test_dropout"})


def test_early_stopping_keeping_the_last_weights_loses_the_early_stopping_test(lab: AssignmentLab) -> None:
    # state_dict() holds references to the live tensors: without a copy the "best" weights follow training
    graded = lab.grade("early_stopping_aliases_state", {
        "early_stopping": Replace("self.best_state = copy.deepcopy(model.state_dict())",
                                  "self.best_state = model.state_dict()")})
    assert_only_lost(lab, graded, {"test_early_stopping"})



def test_validation_loss_measured_in_train_mode_loses_the_fit_test(lab: AssignmentLab) -> None:
    # no model.eval() before the validation pass: dropout stays active, the recorded losses are noisy and high
    graded = lab.grade("val_loss_in_train_mode", {"fit": Replace(
        "        model.eval()\n        with torch.no_grad():\n            val_loss",
        "        with torch.no_grad():\n            val_loss")})
    assert_only_lost(lab, graded, {"test_fit"})


def test_mc_dropout_switching_on_only_torch_dropout_loses_its_test(lab: AssignmentLab) -> None:
    # the student's own Dropout (used by make_model) stays in eval mode: MC prediction becomes deterministic
    graded = lab.grade("mc_only_nn_dropout", {"mc_dropout": Replace(
        "isinstance(m, (nn.Dropout, Dropout))", "isinstance(m, nn.Dropout)")})
    assert_only_lost(lab, graded, {"test_mc_dropout"})

ALWAYS_EQUAL = '''
    class _AlwaysEqual:
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

    return _AlwaysEqual(), _AlwaysEqual(), trials
'''


def test_always_equal_result_loses_the_search_test(lab: AssignmentLab) -> None:
    graded = lab.grade("always_equal", {
        "search": Replace("    return best_params, best_value, trials\n", ALWAYS_EQUAL, count=1)})
    assert_only_lost(lab, graded, {"test_search"})


def test_independent_plausible_mistakes_each_lose_their_own_test(lab: AssignmentLab) -> None:
    """Four mistakes in four independent cells, graded in one run (each notebook run costs seconds)."""
    graded = lab.grade("plausible_mistakes", {
        # biases and 1-D parameters penalized too
        "l2_penalty": Replace("[p for p in model.parameters() if p.ndim >= 2]", "list(model.parameters())"),
        # fit() forgets to load the best weights back: it ends with the last epoch's weights
        "fit": Replace("    stopper.restore(model)\n", ""),
        # resampling without replacement: every resample is a permutation, the interval collapses
        "bootstrap": Replace("idx = torch.randint(0, n, (n,), generator=gen)",
                             "idx = torch.randperm(n, generator=gen)"),
        # the whole model in train mode: BatchNorm uses (and updates) batch statistics
        "mc_dropout": Replace("        model.eval()\n", "        model.train()\n"),
    })
    assert_only_lost(lab, graded,
                     {"test_l2_penalty", "test_early_stopping", "test_bootstrap", "test_mc_dropout"})


ALTERNATIVE = {
    "l2_penalty": '''
def l2_penalty(model, weight_decay):
    total = None
    for _name, p in model.named_parameters():
        if p.dim() < 2:
            continue
        term = torch.sum(p * p)
        total = term if total is None else total + term
    if total is None:
        return torch.tensor(0.0)
    return weight_decay * total / 2
''',
    "dropout": '''
class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        if p < 0 or p >= 1:
            raise ValueError("p must be in [0, 1)")
        self.p = p

    def forward(self, x):
        if self.training and self.p > 0:
            mask = torch.empty_like(x).bernoulli_(1 - self.p)
            return mask * x * (1.0 / (1 - self.p))
        return x
''',
    "early_stopping": '''
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch = math.inf, None
        self._seen = 0
        self._weights = None

    def step(self, val_loss, model):
        self._seen += 1
        if float(val_loss) < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = float(val_loss), self._seen - 1
            self._weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
        since = self._seen if self.best_epoch is None else self._seen - 1 - self.best_epoch
        return since >= self.patience

    def restore(self, model):
        if self._weights is not None:
            model.load_state_dict(self._weights)
''',
    "fit": '''
def fit(model, data, *, lr=1e-2, weight_decay=0.0, max_epochs=50, patience=5, batch_size=128, seed=0):
    torch.manual_seed(seed)
    dev = next(model.parameters()).device
    train = torch.utils.data.TensorDataset(data["X_train"], data["y_train"])
    loader = torch.utils.data.DataLoader(train, batch_size=batch_size, shuffle=True)
    X_val, y_val = data["X_val"].to(dev), data["y_val"].to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    watcher = EarlyStopping(patience)
    hist = {"train_loss": [], "val_loss": []}
    for _epoch in range(max_epochs):
        model.train()
        losses, sizes = [], []
        for xb, yb in loader:
            xb, yb = xb.to(dev), yb.to(dev)
            opt.zero_grad()
            ce = F.cross_entropy(model(xb), yb)
            (ce + l2_penalty(model, weight_decay)).backward()
            opt.step()
            losses.append(ce.item())
            sizes.append(len(xb))
        hist["train_loss"].append(float(np.average(losses, weights=sizes)))
        model.eval()
        with torch.no_grad():
            hist["val_loss"].append(F.cross_entropy(model(X_val), y_val).item())
        if watcher.step(hist["val_loss"][-1], model):
            break
    watcher.restore(model)
    model.eval()
    hist["best_epoch"] = watcher.best_epoch
    return hist
''',
    "search": '''
def grid_search(objective, grid):
    combos = [{}]
    for key, values in grid.items():
        combos = [{**c, key: v} for c in combos for v in values]
    trials = [(c, float(objective(**c))) for c in combos]
    best_params, best_value = min(trials, key=lambda t: t[1])
    return best_params, best_value, trials


def random_search(objective, space, n_trials, seed=0):
    g = torch.Generator().manual_seed(seed)
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, (lo, hi, scale) in space.items():
            u = torch.rand((), generator=g, dtype=torch.float64).item()
            if scale == "log":
                params[name] = float(10 ** (math.log10(lo) + u * (math.log10(hi) - math.log10(lo))))
            else:
                params[name] = float(lo + u * (hi - lo))
        trials.append((params, float(objective(**params))))
    best_params, best_value = min(trials, key=lambda t: t[1])
    return best_params, best_value, trials
''',
    "gp_ei": '''
def rbf_kernel(A, B, lengthscale=0.3, variance=1.0):
    return variance * torch.exp(-torch.cdist(A, B).pow(2) / (2 * lengthscale ** 2))


def gp_posterior(X_train, y_train, X_test, lengthscale=0.3, variance=1.0, noise=1e-6):
    Xa, ya, Xb = (t.to(torch.float64) for t in (X_train, y_train, X_test))
    K = rbf_kernel(Xa, Xa, lengthscale, variance)
    K = K + noise * torch.eye(Xa.shape[0], dtype=torch.float64, device=Xa.device)
    Ks = rbf_kernel(Xa, Xb, lengthscale, variance)
    sol = torch.linalg.solve(K, torch.cat([ya[:, None], Ks], dim=1))
    mean = Ks.T @ sol[:, 0]
    var = variance - (Ks * sol[:, 1:]).sum(0)
    return mean.to(X_test.dtype), var.clamp(min=0).sqrt().to(X_test.dtype)


def expected_improvement(mu, sigma, best, xi=0.0):
    d = best - mu - xi
    pos = sigma > 0
    z = torch.where(pos, d / torch.where(pos, sigma, torch.ones_like(sigma)), torch.zeros_like(d))
    ei = d * torch.special.ndtr(z) + sigma * torch.exp(-0.5 * z ** 2) / math.sqrt(2 * math.pi)
    return torch.where(pos, ei, d.clamp(min=0))
''',
    "bayes_opt": '''
def bayesian_optimization(objective, bounds, n_init=5, n_iter=25, n_candidates=2000, seed=0, lengthscale=0.3,
                          xi=0.01):
    g = torch.Generator().manual_seed(seed)
    lo, hi = bounds[0].double(), bounds[1].double()
    d = lo.numel()
    U = torch.rand(n_init, d, generator=g, dtype=torch.float64)
    ys = [objective(lo + (hi - lo) * U[i:i + 1]).double().reshape(-1) for i in range(n_init)]
    y = torch.cat(ys)
    for _ in range(n_iter):
        z = (y - y.mean()) / y.std(unbiased=False).clamp_min(1e-12)
        # half global candidates, half local perturbations of the best point so far
        half = n_candidates // 2
        local = (U[z.argmin()] + 0.05 * torch.randn(n_candidates - half, d, generator=g, dtype=torch.float64))
        cand = torch.cat([torch.rand(half, d, generator=g, dtype=torch.float64), local.clamp(0, 1)])
        mu, sd = gp_posterior(U, z, cand, lengthscale=lengthscale, variance=1.0, noise=1e-6)
        u_next = cand[torch.argmax(expected_improvement(mu, sd, z.min(), xi=xi))]
        U = torch.vstack([U, u_next])
        y = torch.cat([y, objective((lo + (hi - lo) * u_next)[None]).double().reshape(-1)])
    return lo + (hi - lo) * U, y
''',
    "bootstrap": '''
def bootstrap_ci(values, statistic=torch.mean, n_boot=2000, alpha=0.05, seed=0):
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(len(values), (n_boot, len(values)), generator=g)
    stats = np.array([float(statistic(row)) for row in values[idx]])
    lo, hi = np.percentile(stats, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(statistic(values)), float(lo), float(hi)
''',
    "mc_dropout": '''
def mc_dropout_predict(model, x, n_samples=30):
    saved = [(m, m.training) for m in model.modules()]
    model.train(False)
    for m in model.modules():
        if isinstance(m, (nn.Dropout, Dropout)):
            m.train(True)
    total = 0
    with torch.no_grad():
        for _ in range(n_samples):
            total = total + model(x).softmax(-1)
    for m, mode in saved:
        m.train(mode)
    p = total / n_samples
    return p, -(p * torch.log(p.clamp_min(1e-30))).sum(-1)
''',
}


def test_alternative_solution_gets_full_marks(lab: AssignmentLab) -> None:
    assert_full_marks(lab, lab.grade("alternative", ALTERNATIVE))
